// Hit testing of regions in image pixels (rotation needs equal axis scales).
import {
  type Handle, type Point, type Rect, type Size, HANDLES, distance, handlePoint, nearestVertex, percentToPixel,
  polygonContains, rectContains,
} from "../geometry";
import type { Region, RegionId, RectShape } from "../model";

export function rectToPx(s: RectShape, size: Size): Rect {
  const o = percentToPixel({ x: s.x, y: s.y }, size);
  const d = percentToPixel({ x: s.width, y: s.height }, size);
  return { x: o.x, y: o.y, width: d.x, height: d.y, rotation: s.rotation };
}

/** The topmost (last drawn) region under `p`, preferring the smallest when nested. */
export function regionAt(regions: readonly Region[], p: Point, size: Size, tolerancePx: number): RegionId | null {
  let best: { id: RegionId; area: number } | null = null;
  for (const r of regions) {
    const s = r.shape;
    let area = Infinity;
    if (s.kind === "rect") {
      const px = rectToPx(s, size);
      if (rectContains(px, p)) area = px.width * px.height;
    } else if (s.kind === "polygon") {
      const pts = s.points.map((q) => percentToPixel(q, size));
      if (polygonContains(pts, p) || nearestVertex(pts, p, tolerancePx) >= 0) area = 1; // polygons are thin targets
    } else if (s.kind === "keypoint") {
      if (distance(percentToPixel(s, size), p) <= tolerancePx * 1.5) area = 0;
    } else continue;
    if (area !== Infinity && (best === null || area <= best.area)) best = { id: r.id, area };
  }
  return best?.id ?? null;
}

export function handleAt(shape: RectShape, p: Point, size: Size, tolerancePx: number): Handle | null {
  const px = rectToPx(shape, size);
  for (const h of HANDLES) if (distance(handlePoint(px, h), p) <= tolerancePx) return h;
  return null;
}
