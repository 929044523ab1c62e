import { describe, expect, it } from "vitest";
import type { Shape } from "../model";
import { type PaintContext, FILL_OPACITY, paintRegions, prepare } from "./paint";

/** A fake 2D context that records calls with the styles in force. */
function recorder() {
  const calls: string[] = [];
  const ctx = {
    fillStyle: "" as string, strokeStyle: "" as string, globalAlpha: 1, lineWidth: 1,
    setTransform: (...a: number[]) => calls.push(`setTransform ${a.join(",")}`),
    clearRect: (...a: number[]) => calls.push(`clearRect ${a.join(",")}`),
    beginPath: () => calls.push("beginPath"),
    moveTo: (x: number, y: number) => calls.push(`moveTo ${x},${y}`),
    lineTo: (x: number, y: number) => calls.push(`lineTo ${+x.toFixed(4) + 0},${+y.toFixed(4) + 0}`),
    closePath: () => calls.push("closePath"),
    ellipse: (...a: number[]) => calls.push(`ellipse ${a.slice(0, 5).map((v) => +v.toFixed(4)).join(",")}`),
    arc: (...a: number[]) => calls.push(`arc ${a.slice(0, 3).join(",")}`),
    fill: () => calls.push(`fill ${ctx.fillStyle} a=${ctx.globalAlpha}`),
    stroke: () => calls.push(`stroke ${ctx.strokeStyle} w=${ctx.lineWidth}`),
    fillRect: (...a: number[]) => calls.push(`fillRect ${a.join(",")} ${ctx.fillStyle} a=${ctx.globalAlpha}`),
    strokeRect: (...a: number[]) => calls.push(`strokeRect ${a.join(",")} ${ctx.strokeStyle} w=${ctx.lineWidth}`),
  };
  return { ctx: ctx as unknown as PaintContext, calls };
}

const size = { width: 200, height: 100 };
const rect = (x: number, y: number, w: number, h: number, rotation = 0): Shape => ({ kind: "rect", x, y, width: w, height: h, rotation });

describe("region painter", () => {
  it("maps percent to canvas pixels and batches per colour: fills, then outlines", () => {
    const { ctx, calls } = recorder();
    // image px -> canvas px: ×2, then +10 (x) and +5 (y).
    const n = paintRegions(ctx, [
      { shape: rect(10, 10, 10, 20), color: "red" },
      { shape: rect(50, 50, 5, 10), color: "blue" },
      { shape: rect(0, 0, 5, 5), color: "red" },
    ], size, { scale: 2, offsetX: 10, offsetY: 5 }, 500, 300, 2);
    expect(n).toBe(3);
    expect(calls).toEqual([
      "setTransform 2,0,0,2,0,0",
      "clearRect 0,0,500,300",
      `fillRect 50,25,40,40 red a=${FILL_OPACITY}`,
      `fillRect 10,5,20,10 red a=${FILL_OPACITY}`,
      "strokeRect 50,25,40,40 red w=2",
      "strokeRect 10,5,20,10 red w=2",
      `fillRect 210,105,20,20 blue a=${FILL_OPACITY}`,
      "strokeRect 210,105,20,20 blue w=2",
    ]);
  });
  it("skips shapes outside the canvas, and draws rotated boxes, polygons, ellipses and points as paths", () => {
    const { ctx, calls } = recorder();
    const shapes: Shape[] = [
      rect(90, 90, 5, 5),  // at 180..190 × 90..95 image px: outside a 100×50 canvas at scale 1
      rect(0, 0, 10, 10, 90),
      { kind: "polygon", points: [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }] },
      { kind: "ellipse", x: 10, y: 20, radiusX: 5, radiusY: 10, rotation: 30 },
      { kind: "keypoint", x: 25, y: 50 },
    ] as Shape[];
    const n = paintRegions(ctx, shapes.map((shape) => ({ shape, color: "#0a0" })), size, { scale: 1, offsetX: 0, offsetY: 0 }, 100, 50);
    expect(n).toBe(4);
    expect(calls.some((c) => c.startsWith("fillRect") || c.startsWith("strokeRect"))).toBe(false);
    // The rotated box turns around its top-left corner (0,0): 20 px wide becomes 20 px down.
    expect(calls).toContain("lineTo 0,20");
    expect(calls).toContain("ellipse 20,20,10,10,0.5236");
    expect(calls).toContain("arc 50,50,5");
    expect(calls.filter((c) => c.startsWith("fill ")).length).toBe(4);    // 3 shapes + the point
    expect(calls.filter((c) => c.startsWith("stroke ")).length).toBe(4);
    expect(calls.at(-1)).toBe("stroke #fff w=1.5");                       // the point's white ring, last
  });
  it("prepare: null for an empty polygon", () => {
    expect(prepare({ kind: "polygon", points: [] } as Shape, size, { scale: 1, offsetX: 0, offsetY: 0 }, 100, 100)).toBeNull();
  });
});
