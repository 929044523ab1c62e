import { describe, expect, it } from "vitest";
import { fitViewport, zoomAt } from "../geometry";
import type { Shape } from "../model";
import { CAPTION_MARGIN, captionArea, captioned, grow, inside, overlaps, shapeBounds, viewBox } from "./cull";

const size = { width: 1000, height: 500 };
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

describe("shape bounds (image px)", () => {
  it("boxes, rotated boxes, ellipses, polygons and points", () => {
    expect(shapeBounds({ kind: "rect", x: 10, y: 20, width: 30, height: 40, rotation: 0 }, size)).toEqual({ x0: 100, y0: 100, x1: 400, y1: 300 });
    // Turned 90° around its top-left corner: it now hangs to the left of it.
    const r = shapeBounds({ kind: "rect", x: 50, y: 50, width: 10, height: 20, rotation: 90 }, size)!;
    expect([r.x0, r.y0, r.x1, r.y1].map((v) => Math.round(v))).toEqual([400, 250, 500, 350]);
    const e = shapeBounds({ kind: "ellipse", x: 50, y: 50, radiusX: 10, radiusY: 4, rotation: 90 }, size)!;
    expect(near(e.x0, 500 - 20) && near(e.x1, 500 + 20) && near(e.y0, 250 - 100) && near(e.y1, 250 + 100)).toBe(true);
    const poly: Shape = { kind: "polygon", points: [{ x: 10, y: 10 }, { x: 30, y: 5 }, { x: 20, y: 40 }] };
    expect(shapeBounds(poly, size)).toEqual({ x0: 100, y0: 25, x1: 300, y1: 200 });
    expect(shapeBounds({ kind: "keypoint", x: 10, y: 10 }, size)).toEqual({ x0: 100, y0: 50, x1: 100, y1: 50 });
    expect(shapeBounds({ kind: "polygon", points: [] }, size)).toBeNull();
  });
});

describe("the view and the caption area", () => {
  const host = { width: 500, height: 250 };
  it("at fit the view is the whole image; zoomed in, a part of it", () => {
    const fit = fitViewport(size, host);
    const f = viewBox(fit, host);
    expect([f.x0, f.y0, f.x1, f.y1].map((x) => x + 0)).toEqual([0, 0, 1000, 500]);
    const z = zoomAt(fit, 4, { x: 0, y: 0 }); // the top-left quarter of each side
    const v = viewBox(z, host);
    expect([v.x0, v.y0, v.x1, v.y1].map((x) => x + 0)).toEqual([0, 0, 250, 125]);
  });
  it("is kept while the view stays inside it, renewed when it leaves", () => {
    const v = zoomAt(fitViewport(size, host), 4, { x: 0, y: 0 });
    const a = captionArea(v, host, null);
    expect(a).toEqual(grow(viewBox(v, host), CAPTION_MARGIN));
    const small = { ...v, offsetX: v.offsetX - 10 }; // 10 screen px = 5 image px
    expect(captionArea(small, host, a)).toBe(a);
    const far = { ...v, offsetX: v.offsetX - 300 };
    const b = captionArea(far, host, a);
    expect(b).not.toBe(a);
    expect(inside(viewBox(far, host), b)).toBe(true);
  });
  it("captions the regions overlapping the area, none when too many are in view", () => {
    const seen = { x0: 0, y0: 0, x1: 100, y1: 100 };
    const area = grow(seen, 0.5);
    const bounds = [
      { x0: 10, y0: 10, x1: 20, y1: 20 }, // in view
      { x0: 120, y0: 10, x1: 130, y1: 20 }, // in the margin
      { x0: 400, y0: 400, x1: 410, y1: 410 }, // far away
      null, // not drawn
    ];
    expect(captioned(bounds, area, seen)).toEqual([true, true, false, false]);
    expect(captioned(bounds, area, seen, 0)).toEqual([false, false, false, false]);
    expect(overlaps({ x0: 0, y0: 0, x1: 1, y1: 1 }, { x0: 1, y0: 1, x1: 2, y1: 2 })).toBe(true);
  });
});
