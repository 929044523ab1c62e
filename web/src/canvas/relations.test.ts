import { describe, expect, it } from "vitest";
import { arrowHead, shapeCenter } from "./RelationArrows";

const size = { width: 400, height: 200 };

describe("relation arrows", () => {
  it("anchors at the centre of boxes (rotated too), polygons and keypoints, in image pixels", () => {
    expect(shapeCenter({ kind: "rect", x: 10, y: 10, width: 20, height: 50, rotation: 0 }, size)).toEqual({ x: 80, y: 70 });
    // Rotated 90° about its top-left corner (LS's convention): the centre swings to the left.
    const c = shapeCenter({ kind: "rect", x: 50, y: 50, width: 10, height: 10, rotation: 90 }, size)!;
    expect(c.x).toBeCloseTo(200 - 10);
    expect(c.y).toBeCloseTo(100 + 20);
    expect(shapeCenter({ kind: "polygon", points: [{ x: 0, y: 0 }, { x: 50, y: 0 }, { x: 50, y: 100 }, { x: 0, y: 100 }] }, size)).toEqual({ x: 100, y: 100 });
    expect(shapeCenter({ kind: "keypoint", x: 25, y: 50 }, size)).toEqual({ x: 100, y: 100 });
    expect(shapeCenter({ kind: "polygon", points: [] }, size)).toBeNull();
    expect(shapeCenter({ kind: "opaque" }, size)).toBeNull();
  });

  it("puts the head at the tip, its sides behind it and symmetric", () => {
    const [tip, a, b] = arrowHead({ x: 0, y: 0 }, { x: 100, y: 0 }, 10);
    expect(tip).toEqual({ x: 100, y: 0 });
    expect(a.x).toBeLessThan(100);
    expect(b.x).toBeCloseTo(a.x);
    expect(a.y).toBeCloseTo(-b.y);
    expect(Math.hypot(a.x - 100, a.y)).toBeCloseTo(10);
  });
});
