import { describe, expect, it } from "vitest";
import {
  fitViewport,
  imageToScreen,
  nearestEdge,
  nearestVertex,
  percentToPixel,
  pixelToPercent,
  polygonArea,
  polygonContains,
  rectContains,
  rectCorners,
  rectFromCorners,
  resizeRect,
  rotateAround,
  screenToImage,
  zoomAt,
  handlePoint,
  clampRectInside,
  insertVertex,
} from "./index";

const sizes = [
  { width: 800, height: 501 },
  { width: 1, height: 1 },
  { width: 4032, height: 3024 },
  { width: 7, height: 13 },
  { width: 1920, height: 1080 },
];

describe("percent <-> pixel", () => {
  it("round-trips percent -> pixel -> percent within 1e-6 px for many values", () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 100;
    let worst = 0;
    for (const size of sizes) {
      for (let i = 0; i < 5000; i++) {
        const pct = { x: rand(), y: rand() };
        const back = pixelToPercent(percentToPixel(pct, size), size);
        // The error measured in pixels of the image.
        worst = Math.max(worst, Math.abs(((back.x - pct.x) * size.width) / 100), Math.abs(((back.y - pct.y) * size.height) / 100));
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it("does not drift over many repeated conversions", () => {
    const size = { width: 800, height: 501 };
    let p = { x: 47.733333333333334, y: 52.765957446808514 };
    for (let i = 0; i < 10000; i++) p = pixelToPercent(percentToPixel(p, size), size);
    expect(Math.abs(p.x - 47.733333333333334) * 8).toBeLessThan(1e-6);
    expect(Math.abs(p.y - 52.765957446808514) * 5.01).toBeLessThan(1e-6);
  });

  it("maps the corners exactly", () => {
    expect(percentToPixel({ x: 100, y: 100 }, sizes[0]!)).toEqual({ x: 800, y: 501 });
    expect(pixelToPercent({ x: 0, y: 0 }, sizes[0]!)).toEqual({ x: 0, y: 0 });
  });
});

describe("viewport", () => {
  it("screen and image conversions are inverse", () => {
    const v = { scale: 2.5, offsetX: -13, offsetY: 7.25 };
    const p = { x: 123.456, y: 78.9 };
    const back = screenToImage(imageToScreen(p, v), v);
    expect(back.x).toBeCloseTo(p.x, 9);
    expect(back.y).toBeCloseTo(p.y, 9);
  });
  it("fits and centres", () => {
    const v = fitViewport({ width: 800, height: 400 }, { width: 400, height: 400 });
    expect(v.scale).toBe(0.5);
    expect(v.offsetX).toBe(0);
    expect(v.offsetY).toBe(100);
  });
  it("zoom keeps the anchor fixed", () => {
    const v = { scale: 1, offsetX: 10, offsetY: 20 };
    const anchor = { x: 200, y: 150 };
    const before = screenToImage(anchor, v);
    const z = zoomAt(v, 3, anchor);
    const after = screenToImage(anchor, z);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
    expect(z.scale).toBe(3);
  });
});

describe("rect", () => {
  it("builds from corners in any order", () => {
    expect(rectFromCorners({ x: 10, y: 5 }, { x: 2, y: 9 })).toEqual({ x: 2, y: 5, width: 8, height: 4, rotation: 0 });
  });
  it("hit-tests unrotated and rotated boxes", () => {
    const r = { x: 0, y: 0, width: 10, height: 2, rotation: 0 };
    expect(rectContains(r, { x: 5, y: 1 })).toBe(true);
    expect(rectContains(r, { x: 1, y: 5 })).toBe(false);
    const turned = { ...r, rotation: 90 };
    expect(rectContains(turned, { x: -1, y: 5 })).toBe(true);
    expect(rectContains(turned, { x: 5, y: 1 })).toBe(false);
  });
  it("rotates corners around the top-left", () => {
    const [nw, ne, se, sw] = rectCorners({ x: 1, y: 1, width: 4, height: 2, rotation: 90 });
    expect(nw).toEqual({ x: 1, y: 1 });
    expect(ne.x).toBeCloseTo(1);
    expect(ne.y).toBeCloseTo(5);
    expect(se.x).toBeCloseTo(-1);
    expect(se.y).toBeCloseTo(5);
    expect(sw.x).toBeCloseTo(-1);
    expect(sw.y).toBeCloseTo(1);
  });
  it("resizes by each handle and flips past the opposite edge", () => {
    const r = { x: 10, y: 10, width: 10, height: 10, rotation: 0 };
    expect(resizeRect(r, "se", { x: 30, y: 25 })).toEqual({ x: 10, y: 10, width: 20, height: 15, rotation: 0 });
    expect(resizeRect(r, "n", { x: 999, y: 5 })).toEqual({ x: 10, y: 5, width: 10, height: 15, rotation: 0 });
    expect(resizeRect(r, "w", { x: 25, y: 0 })).toEqual({ x: 20, y: 10, width: 5, height: 10, rotation: 0 });
  });
  it("resizing a rotated box keeps the opposite corner in place", () => {
    const r = { x: 10, y: 10, width: 10, height: 4, rotation: 30 };
    const fixed = handlePoint(r, "nw");
    const target = rotateAround({ x: 25, y: 18 }, { x: 10, y: 10 }, 30);
    const out = resizeRect(r, "se", target);
    expect(handlePoint(out, "nw").x).toBeCloseTo(fixed.x, 9);
    expect(out.width).toBeCloseTo(15, 9);
    expect(out.height).toBeCloseTo(8, 9);
    const moved = resizeRect(r, "nw", rotateAround({ x: 12, y: 11 }, { x: 10, y: 10 }, 30));
    const se = handlePoint(r, "se");
    expect(handlePoint(moved, "se").x).toBeCloseTo(se.x, 9);
    expect(handlePoint(moved, "se").y).toBeCloseTo(se.y, 9);
  });
  it("clamps inside bounds by moving", () => {
    expect(clampRectInside({ x: 95, y: -3, width: 10, height: 10, rotation: 0 }, 100, 100)).toEqual({
      x: 90, y: 0, width: 10, height: 10, rotation: 0,
    });
  });
});

describe("polygon", () => {
  const square = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }];
  it("hit-tests", () => {
    expect(polygonContains(square, { x: 5, y: 5 })).toBe(true);
    expect(polygonContains(square, { x: 15, y: 5 })).toBe(false);
    const concave = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 5, y: 3 }, { x: 0, y: 10 }];
    expect(polygonContains(concave, { x: 5, y: 8 })).toBe(false);
    expect(polygonContains(concave, { x: 5, y: 1 })).toBe(true);
  });
  it("finds vertices and edges", () => {
    expect(nearestVertex(square, { x: 9.5, y: 10.2 }, 1)).toBe(2);
    expect(nearestVertex(square, { x: 5, y: 5 }, 1)).toBe(-1);
    expect(nearestEdge(square, { x: 5, y: 9.8 }, 1)).toBe(2);
    expect(insertVertex(square, 2, { x: 5, y: 10 })).toHaveLength(5);
  });
  it("computes area", () => {
    expect(Math.abs(polygonArea(square))).toBe(100);
  });
});
