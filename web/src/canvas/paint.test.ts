import { describe, expect, it } from "vitest";
import type { Shape } from "../model";
import { type PaintContext, type SpriteMaker, CAPTION_FONT, FILL_OPACITY, paintRegions, prepare } from "./paint";

/** A fake 2D context that records calls with the styles in force. */
function recorder() {
  const calls: string[] = [];
  const ctx = {
    fillStyle: "" as string, strokeStyle: "" as string, globalAlpha: 1, lineWidth: 1, font: "", lineJoin: "miter",
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
    fillText: (t: string, x: number, y: number) => calls.push(`fillText ${t} ${x},${y} ${ctx.fillStyle} ${ctx.font}`),
    strokeText: (t: string, x: number, y: number) => calls.push(`strokeText ${t} ${x},${y} ${ctx.strokeStyle} w=${ctx.lineWidth}`),
    drawImage: (img: { name: string }, ...a: number[]) => calls.push(`drawImage ${img.name} ${a.join(",")}`),
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
    expect(n).toEqual({ regions: 3, captions: 0 });
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
    expect(n.regions).toBe(4);
    expect(calls.some((c) => c.startsWith("fillRect") || c.startsWith("strokeRect"))).toBe(false);
    // The rotated box turns around its top-left corner (0,0): 20 px wide becomes 20 px down.
    expect(calls).toContain("lineTo 0,20");
    expect(calls).toContain("ellipse 20,20,10,10,0.5236");
    expect(calls).toContain("arc 50,50,5");
    expect(calls.filter((c) => c.startsWith("fill ")).length).toBe(4);    // 3 shapes + the point
    expect(calls.filter((c) => c.startsWith("stroke ")).length).toBe(4);
    expect(calls.at(-1)).toBe("stroke #fff w=1.5");                       // the point's white ring, last
  });
  it("draws captions after every shape, outline first, at the SVG captions' offsets, only for regions on the canvas", () => {
    const { ctx, calls } = recorder();
    const n = paintRegions(ctx, [
      { shape: rect(10, 10, 10, 20), color: "red", caption: "Car" },
      { shape: rect(50, 50, 5, 10), color: "blue", caption: "" },
      { shape: { kind: "keypoint", x: 25, y: 50 } as Shape, color: "blue", caption: "Eye" },
      { shape: { kind: "polygon", points: [{ x: 50, y: 20 }, { x: 60, y: 20 }, { x: 60, y: 40 }] } as Shape, color: "#0a0", caption: "Tree" },
      { shape: rect(95, 95, 2, 2), color: "red", caption: "Far" },  // off the canvas: neither shape nor caption
    ], size, { scale: 2, offsetX: 10, offsetY: 5 }, 300, 200);
    expect(n).toEqual({ regions: 4, captions: 3 });
    const texts = calls.filter((c) => c.startsWith("fillText") || c.startsWith("strokeText"));
    expect(texts).toEqual([
      // A box: its top-left corner (20, 10 image px -> 50, 25 canvas px), 3 px up.
      "strokeText Car 50,22 #000 w=0.5",
      `fillText Car 50,22 red ${CAPTION_FONT}`,
      // A point: 8 px right, 6 px up of (50, 50) -> (110, 105).
      "strokeText Eye 118,99 #000 w=0.5",
      `fillText Eye 118,99 blue ${CAPTION_FONT}`,
      // A polygon: its first vertex (100, 20) -> (210, 45), 3 px up.
      "strokeText Tree 210,42 #000 w=0.5",
      `fillText Tree 210,42 #0a0 ${CAPTION_FONT}`,
    ]);
    // Above every shape: no shape call comes after the first caption.
    const first = calls.findIndex((c) => c.startsWith("strokeText"));
    expect(calls.slice(first).every((c) => c.includes("Text "))).toBe(true);
  });
  it("copies one sprite per caption and colour, at whole device pixels, made once", () => {
    const { ctx, calls } = recorder();
    const made: string[] = [];
    const maker: SpriteMaker = (text, color, dpr) => {
      made.push(`${text}/${color}/${dpr}`);
      return { image: { name: `${text}-${color}` } as unknown as CanvasImageSource, width: 30, height: 16, left: 2, ascent: 12 };
    };
    const items = [
      { shape: rect(10, 10, 10, 20), color: "red", caption: "Sprite" },
      { shape: rect(30, 10, 10, 20), color: "red", caption: "Sprite" },
      { shape: rect(50, 50, 5, 10), color: "blue", caption: "Sprite" },
    ];
    const at = { scale: 2, offsetX: 10.3, offsetY: 5 };
    const n = paintRegions(ctx, items, size, at, 300, 200, 2, maker);
    paintRegions(ctx, items, size, at, 300, 200, 2, maker);   // a redraw: nothing made again
    expect(n.captions).toBe(3);
    expect(made).toEqual(["Sprite/red/2", "Sprite/blue/2"]);
    // The first box's caption anchor is (50.3, 22): the sprite's top-left is 2 px left and 12 up, rounded to half pixels (dpr 2).
    expect(calls.filter((c) => c.startsWith("drawImage")).slice(0, 3)).toEqual([
      "drawImage Sprite-red 48.5,10,30,16",
      "drawImage Sprite-red 128.5,10,30,16",
      "drawImage Sprite-blue 208.5,90,30,16",
    ]);
    expect(calls.some((c) => c.includes("Text "))).toBe(false);
  });
  it("prepare: null for an empty polygon", () => {
    expect(prepare({ kind: "polygon", points: [] } as Shape, size, { scale: 1, offsetX: 0, offsetY: 0 }, 100, 100)).toBeNull();
  });
});
