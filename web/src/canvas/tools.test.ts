import { describe, expect, it } from "vitest";
import { pixelToPercent } from "../geometry";
import { regionId, type Region } from "../model";
import { boxTool } from "./box";
import { keypointTool } from "./keypoint";
import { closePolygon, dropLastVertex, polygonTool } from "./polygon";
import { selectTool } from "./select";
import type { Pointer, ToolEnv } from "./types";

const size = { width: 800, height: 400 };
const at = (x: number, y: number): Pointer => ({ px: { x, y }, pct: pixelToPercent({ x, y }, size) });
const box: Region = {
  kind: "region", id: regionId("b"), version: 0, fromName: "tag", toName: "img", type: "rectanglelabels",
  shape: { kind: "rect", x: 10, y: 10, width: 20, height: 20, rotation: 0 }, labels: ["A"], original: undefined,
  valueExtra: {}, extra: {}, attached: [],
};
const env = (selected: string | null = null): ToolEnv => ({ size, regions: [box], selected: selected ? regionId(selected) : null, tolerancePx: 6 });

describe("box tool", () => {
  it("draws a box in percent", () => {
    let step = boxTool.down(env(), at(400, 200), null);
    let draft = boxTool.move(env(), step.draft!, at(600, 300));
    step = boxTool.up(env(), draft, at(600, 300));
    expect(step.intents).toEqual([{ type: "create", shape: { kind: "rect", x: 50, y: 50, width: 25, height: 25, rotation: 0 } }]);
    draft = boxTool.down(env(), at(400, 200), null).draft!;
    expect(boxTool.move(env(), draft, at(9999, -50)).kind === "drawRect" && boxTool.move(env(), draft, at(9999, -50))).toMatchObject({ shape: { x: 50, y: 0, width: 50, height: 50 } });
  });
  it("a click selects what is under it instead of drawing", () => {
    const step = boxTool.down(env(), at(120, 60), null);
    expect(boxTool.up(env(), step.draft!, at(120, 60)).intents).toEqual([{ type: "select", id: "b" }]);
  });
  it("resizes the selected box by its corner handle", () => {
    // Box b spans 80..240 x 40..120 px; se handle at (240, 120).
    const step = boxTool.down(env("b"), at(240, 120), null);
    expect(step.draft?.kind).toBe("resize");
    const d = boxTool.move(env("b"), step.draft!, at(400, 200));
    expect(boxTool.up(env("b"), d, at(400, 200)).intents).toEqual([
      { type: "setShape", id: "b", shape: { kind: "rect", x: 10, y: 10, width: 40, height: 40, rotation: 0 } },
    ]);
  });
  it("moves the selected box by dragging its body, clamped to the image", () => {
    const step = boxTool.down(env("b"), at(160, 80), null);
    expect(step.draft?.kind).toBe("move");
    const d = boxTool.move(env("b"), step.draft!, at(-1000, 80));
    expect(boxTool.up(env("b"), d, at(-1000, 80)).intents).toEqual([
      { type: "setShape", id: "b", shape: { kind: "rect", x: 0, y: 10, width: 20, height: 20, rotation: 0 } },
    ]);
  });
});

describe("select tool", () => {
  it("selects on press and clears on empty space", () => {
    expect(selectTool.down(env(), at(100, 60), null).intents).toEqual([{ type: "select", id: "b" }]);
    expect(selectTool.down(env("b"), at(700, 300), null).intents).toEqual([{ type: "select", id: null }]);
  });
});

describe("polygon tool", () => {
  it("adds vertices, closes on the first one, and can drop the last", () => {
    let s = polygonTool.down(env(), at(400, 200), null);
    s = polygonTool.down(env(), at(600, 200), s.draft);
    s = polygonTool.down(env(), at(600, 300), s.draft);
    s = polygonTool.down(env(), at(500, 380), s.draft);
    expect(dropLastVertex(s.draft!)).toMatchObject({ points: [{ x: 50, y: 50 }, { x: 75, y: 50 }, { x: 75, y: 75 }] });
    const closed = polygonTool.down(env(), at(402, 201), s.draft);
    expect(closed.draft).toBeNull();
    expect(closed.intents[0]).toMatchObject({ type: "create", shape: { kind: "polygon" } });
    expect(closed.intents[0]?.type === "create" && closed.intents[0].shape.kind === "polygon" && closed.intents[0].shape.points).toHaveLength(4);
    expect(closePolygon({ kind: "drawPolygon", points: [{ x: 1, y: 1 }], cursor: { x: 1, y: 1 } }).intents).toEqual([]);
  });
});

describe("keypoint tool", () => {
  it("places a point with a click", () => {
    const s = keypointTool.down(env(), at(400, 100), null);
    expect(keypointTool.up(env(), s.draft!, at(400, 100)).intents).toEqual([{ type: "create", shape: { kind: "keypoint", x: 50, y: 25 } }]);
  });
});
