// Polygons as ordered vertex lists (closed implicitly: last joins first).
import { type Point, distance, distanceToSegment } from "./point";
import type { Rect } from "./rect";

export type Polygon = readonly Point[];

/** Even-odd ray casting; points on an edge may fall either way. */
export function polygonContains(poly: Polygon, p: Point): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i] as Point;
    const b = poly[j] as Point;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

export function polygonBounds(poly: Polygon): Rect {
  if (poly.length === 0) return { x: 0, y: 0, width: 0, height: 0, rotation: 0 };
  const xs = poly.map((p) => p.x);
  const ys = poly.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y, rotation: 0 };
}

/** Signed shoelace area (positive when clockwise on screen). */
export function polygonArea(poly: Polygon): number {
  let sum = 0;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i] as Point;
    const b = poly[(i + 1) % poly.length] as Point;
    sum += a.x * b.y - b.x * a.y;
  }
  return sum / 2;
}

export const movePolygon = (poly: Polygon, dx: number, dy: number): Polygon =>
  poly.map((p) => ({ x: p.x + dx, y: p.y + dy }));

/** Index of the vertex within `tolerance` of `p`, or -1. */
export function nearestVertex(poly: Polygon, p: Point, tolerance: number): number {
  let best = -1;
  let bestDist = tolerance;
  poly.forEach((v, idx) => {
    const d = distance(v, p);
    if (d <= bestDist) {
      best = idx;
      bestDist = d;
    }
  });
  return best;
}

/** Index i of the edge (i, i+1) within `tolerance` of `p`, or -1: where a new vertex would go. */
export function nearestEdge(poly: Polygon, p: Point, tolerance: number): number {
  let best = -1;
  let bestDist = tolerance;
  for (let i = 0; i < poly.length; i++) {
    const d = distanceToSegment(p, poly[i] as Point, poly[(i + 1) % poly.length] as Point);
    if (d <= bestDist) {
      best = i;
      bestDist = d;
    }
  }
  return best;
}

export const replaceVertex = (poly: Polygon, idx: number, p: Point): Polygon =>
  poly.map((v, i) => (i === idx ? p : v));

export const insertVertex = (poly: Polygon, afterIdx: number, p: Point): Polygon => [
  ...poly.slice(0, afterIdx + 1),
  p,
  ...poly.slice(afterIdx + 1),
];

export const removeVertex = (poly: Polygon, idx: number): Polygon => poly.filter((_, i) => i !== idx);
