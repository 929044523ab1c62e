import { describe, expect, it } from "vitest";
import {
  ellipseBounds, ellipseContains, ellipseFromCorners, ellipseHandlePoint, handleAngle, pixelToPercent, rectCenter, rectContains,
  rectCorners, resizeEllipse, rotateRectAboutCenter,
} from "../geometry";
import {
  EMPTY_DOC, type EllipseShape, type Region, docToResult, editorCommands, findRegion, handleKey, initialState, key, parseLabelingConfig, regionId,
  resultToDoc, rotateShape, run, startHistory, undo,
} from "../model";
import { boxTool } from "./box";
import { ellipseTool } from "./ellipse";
import { regionAt, rotationHandle } from "./hit";
import { ROTATE_HANDLE_OFFSET } from "./hit";
import type { Pointer, ToolEnv } from "./types";

const size = { width: 800, height: 400 };
const at = (x: number, y: number): Pointer => ({ px: { x, y }, pct: pixelToPercent({ x, y }, size) });
const region = (id: string, shape: Region["shape"], type = "ellipselabels"): Region => ({
  kind: "region", id: regionId(id), version: 0, fromName: "tag", toName: "img", type, shape, labels: ["A"],
  original: { width: 800, height: 400 }, valueExtra: {}, extra: {}, attached: [],
});
const ovalShape: EllipseShape = { kind: "ellipse", x: 50, y: 50, radiusX: 10, radiusY: 20, rotation: 0 };
const oval = region("e", ovalShape);
const box = region("b", { kind: "rect", x: 10, y: 10, width: 20, height: 20, rotation: 0 }, "rectanglelabels");
const env = (regions: Region[], selected: string | null = null): ToolEnv => ({ size, regions, selected: selected ? regionId(selected) : null, tolerancePx: 6 });
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-9);

describe("ellipse geometry", () => {
  it("inscribes in the dragged box and hit-tests rotated ellipses", () => {
    expect(ellipseFromCorners({ x: 100, y: 50 }, { x: 20, y: 10 })).toEqual({ x: 60, y: 30, radiusX: 40, radiusY: 20, rotation: 0 });
    const e = { x: 0, y: 0, radiusX: 10, radiusY: 2, rotation: 0 };
    expect(ellipseContains(e, { x: 9, y: 0 })).toBe(true);
    expect(ellipseContains(e, { x: 0, y: 9 })).toBe(false);
    const turned = { ...e, rotation: 90 };
    expect(ellipseContains(turned, { x: 9, y: 0 })).toBe(false);
    expect(ellipseContains(turned, { x: 0, y: 9 })).toBe(true);
    const b = ellipseBounds(turned);
    close(b.width, 4);
    close(b.height, 20);
  });
  it("moves axis handles with the rotation and resizes one radius keeping the centre", () => {
    const e = { x: 100, y: 100, radiusX: 30, radiusY: 10, rotation: 90 };
    const east = ellipseHandlePoint(e, "e");
    close(east.x, 100);
    close(east.y, 130);
    const r = resizeEllipse(e, "e", { x: 100, y: 150 });
    expect(r).toMatchObject({ x: 100, y: 100, radiusY: 10, rotation: 90 });
    close(r.radiusX, 50);
  });
});

describe("rotation about the centre in LS form", () => {
  it("keeps the centre, writes the rotated top-left, and hit-tests the turned box", () => {
    const r = { x: 100, y: 100, width: 40, height: 20, rotation: 0 };
    const t = rotateRectAboutCenter(r, 90);
    const c = rectCenter(t);
    close(c.x, 120);
    close(c.y, 110);
    expect(t.rotation).toBe(90);
    // Turned 90° clockwise around the centre, the top-left corner sits at the top-right of the
    // turned footprint: x 130, y 90 (the footprint is 20 wide, 40 tall around (120, 110)).
    close(t.x, 130);
    close(t.y, 90);
    const [nw, ne, se, sw] = rectCorners(t);
    close(ne.y, 130);
    close(se.x, 110);
    close(sw.y, 90);
    expect(nw).toEqual({ x: t.x, y: t.y });
    expect(rectContains(t, { x: 120, y: 128 })).toBe(true);
    expect(rectContains(t, { x: 138, y: 110 })).toBe(false);
    expect(rotateRectAboutCenter(r, -30).rotation).toBe(330);
  });
  it("reads the handle's angle clockwise from straight up", () => {
    expect(handleAngle({ x: 0, y: 0 }, { x: 0, y: -5 })).toBe(0);
    close(handleAngle({ x: 0, y: 0 }, { x: 5, y: 0 }), 90);
    close(handleAngle({ x: 0, y: 0 }, { x: 0, y: 5 }), 180);
    close(handleAngle({ x: 0, y: 0 }, { x: -5, y: 0 }), 270);
  });
});

describe("ellipse tool", () => {
  it("draws an ellipse in percent (centre and radii) and selects on a click", () => {
    const step = ellipseTool.down(env([]), at(200, 100), null);
    const draft = ellipseTool.move(env([]), step.draft!, at(400, 300));
    expect(ellipseTool.up(env([]), draft, at(400, 300)).intents).toEqual([
      { type: "create", shape: { kind: "ellipse", x: 37.5, y: 50, radiusX: 12.5, radiusY: 25, rotation: 0 } },
    ]);
    const click = ellipseTool.down(env([oval]), at(400, 200), null);
    expect(ellipseTool.up(env([oval]), click.draft!, at(400, 200)).intents).toEqual([{ type: "select", id: "e" }]);
    expect(regionAt([oval], { x: 400 + 79, y: 200 }, size, 1)).toBe("e");
    expect(regionAt([oval], { x: 400 + 79, y: 200 + 60 }, size, 1)).toBe(null);
  });
  it("resizes the selected ellipse by its axis handle and moves it by its body", () => {
    // Centre (400, 200) px, radiusX 80 px: the e handle is at (480, 200).
    const step = ellipseTool.down(env([oval], "e"), at(480, 200), null);
    expect(step.draft?.kind).toBe("resizeEllipse");
    const d = ellipseTool.move(env([oval], "e"), step.draft!, at(560, 200));
    expect(ellipseTool.up(env([oval], "e"), d, at(560, 200)).intents).toEqual([
      { type: "setShape", id: "e", shape: { kind: "ellipse", x: 50, y: 50, radiusX: 20, radiusY: 20, rotation: 0 } },
    ]);
    const m = ellipseTool.down(env([oval], "e"), at(400, 200), null);
    const moved = ellipseTool.move(env([oval], "e"), m.draft!, at(480, 240));
    expect(ellipseTool.up(env([oval], "e"), moved, at(480, 240)).intents).toEqual([
      { type: "setShape", id: "e", shape: { kind: "ellipse", x: 60, y: 60, radiusX: 10, radiusY: 20, rotation: 0 } },
    ]);
  });
});

describe("rotation handle", () => {
  it("turns the selected box around its centre and snaps near right angles", () => {
    // Box b: 80..240 x 40..120 px, centre (160, 80); the handle sits 3 tolerances above the top edge.
    const { handle, center } = rotationHandle(box.shape as never, size, ROTATE_HANDLE_OFFSET * 6);
    expect(center).toEqual({ x: 160, y: 80 });
    expect(handle).toEqual({ x: 160, y: 40 - 18 });
    const step = boxTool.down(env([box], "b"), at(handle.x, handle.y), null);
    expect(step.draft?.kind).toBe("rotate");
    // Drag the handle to the right of the centre: 90°.
    const d = boxTool.move(env([box], "b"), step.draft!, at(300, 81));
    const out = boxTool.up(env([box], "b"), d, at(300, 81)).intents[0];
    expect(out?.type).toBe("setShape");
    const shape = out?.type === "setShape" ? out.shape : null;
    if (shape?.kind !== "rect") throw new Error("not a rect");
    expect(shape.rotation).toBe(90);
    // 160x80 px turned about (160, 80): top-left at (200, 0) px = (25%, 0%).
    close(shape.x, 25);
    close(shape.y, 0);
    expect(shape.width).toBe(20);
    expect(shape.height).toBe(20);
  });
  it("sets an ellipse's rotation directly", () => {
    const { handle } = rotationHandle(oval.shape as never, size, ROTATE_HANDLE_OFFSET * 6);
    const step = ellipseTool.down(env([oval], "e"), at(handle.x, handle.y), null);
    expect(step.draft?.kind).toBe("rotate");
    const d = ellipseTool.move(env([oval], "e"), step.draft!, at(400 - 100, 200 - 100));
    const out = ellipseTool.up(env([oval], "e"), d, at(300, 100)).intents[0];
    expect(out).toEqual({ type: "setShape", id: "e", shape: { ...oval.shape, rotation: 315 } });
  });
});

describe("rotate command and LS JSON", () => {
  const parsed = parseLabelingConfig(`<View><Image name="img" value="$image"/>
    <RectangleLabels name="tag" toName="img"><Label value="A"/></RectangleLabels>
    <EllipseLabels name="oval" toName="img"><Label value="Cell"/></EllipseLabels></View>`);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const cmds = editorCommands(parsed.config, () => regionId("new"));

  it("] and [ turn the selected box by 5° around its centre (one undo step per run), Shift-brackets by 1°", () => {
    let h = run(startHistory(initialState(EMPTY_DOC)), cmds.createRegion, { region: box });
    h = handleKey(h, cmds.all, key("]"))!;
    h = handleKey(h, cmds.all, key("]"))!;
    h = handleKey(h, cmds.all, key("{", { shiftKey: true }))!;
    const r = findRegion(h.present.doc, regionId("b"))!;
    expect(r.shape.kind === "rect" && r.shape.rotation).toBe(9);
    // Same centre as before, in pixels of the 800x400 image.
    const s = r.shape.kind === "rect" ? r.shape : null;
    const c = rectCenter({ x: (s!.x * 8), y: (s!.y * 4), width: s!.width * 8, height: s!.height * 4, rotation: s!.rotation });
    close(c.x, 160);
    close(c.y, 80);
    h = undo(h);
    expect(findRegion(h.present.doc, regionId("b"))!.shape).toEqual(box.shape);
  });
  it("without the image size a box turns around its top-left (LS's pivot); an ellipse around its centre", () => {
    expect(rotateShape({ kind: "rect", x: 1, y: 2, width: 3, height: 4, rotation: 358 }, 5, undefined)).toEqual({ kind: "rect", x: 1, y: 2, width: 3, height: 4, rotation: 3 });
    expect(rotateShape(oval.shape, -5, undefined)).toEqual({ ...oval.shape, rotation: 355 });
  });
  it("reads and writes ellipselabels exactly, with unknown keys kept", () => {
    const item = {
      id: "CPnIaS1e7v", from_name: "oval", to_name: "img", type: "ellipselabels", original_width: 2242, original_height: 2802, image_rotation: 0,
      origin: "manual", value: { x: 50.4, y: 50.763073639274279, radiusX: 13.333333333333334, radiusY: 10.672358591248665, rotation: 12.5, ellipselabels: ["Cell"] },
    };
    const doc = resultToDoc([item]);
    const r = doc.entities[0];
    expect(r?.kind === "region" && r.shape).toEqual({ kind: "ellipse", x: 50.4, y: 50.763073639274279, radiusX: 13.333333333333334, radiusY: 10.672358591248665, rotation: 12.5 });
    expect(docToResult(doc)).toEqual([item]);
    const rotated = { ...item, value: { ...item.value, rotation: 33 } };
    expect(docToResult(resultToDoc([rotated]))).toEqual([rotated]);
  });
  it("nudges an ellipse by its centre, clamped to the image", () => {
    let h = run(startHistory(initialState(EMPTY_DOC)), cmds.createRegion, { region: { ...oval, shape: { ...ovalShape, x: 99.9 } } });
    h = handleKey(h, cmds.all, key("ArrowRight", { shiftKey: true }))!;
    expect(findRegion(h.present.doc, regionId("e"))!.shape).toMatchObject({ kind: "ellipse", x: 100, y: 50 });
  });
});
