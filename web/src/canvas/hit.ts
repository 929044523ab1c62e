// Hit testing of regions in image pixels (rotation needs equal axis scales).
import {
  type Ellipse, type EllipseHandle, type Handle, type Point, type Rect, type Size, ELLIPSE_HANDLES, HANDLES, distance,
  ellipseContains, ellipseHandlePoint, handlePoint, nearestVertex, percentToPixel, polygonContains, rectCenter, rectContains,
  rotateAround,
} from "../geometry";
import type { EllipseShape, Region, RegionId, RectShape } from "../model";

export function rectToPx(s: RectShape, size: Size): Rect {
  const o = percentToPixel({ x: s.x, y: s.y }, size);
  const d = percentToPixel({ x: s.width, y: s.height }, size);
  return { x: o.x, y: o.y, width: d.x, height: d.y, rotation: s.rotation };
}

export function ellipseToPx(s: EllipseShape, size: Size): Ellipse {
  const c = percentToPixel({ x: s.x, y: s.y }, size);
  const r = percentToPixel({ x: s.radiusX, y: s.radiusY }, size);
  return { x: c.x, y: c.y, radiusX: r.x, radiusY: r.y, rotation: s.rotation };
}

/** How far (in handle tolerances) the rotation handle sits above a shape's top edge. */
export const ROTATE_HANDLE_OFFSET = 3;

/**
 * The rotation handle of a box or ellipse (image px): above the middle of its
 * top edge by `offsetPx`, turned with the shape. Its centre is the pivot.
 */
export function rotationHandle(shape: RectShape | EllipseShape, size: Size, offsetPx: number): { handle: Point; center: Point } {
  if (shape.kind === "rect") {
    const r = rectToPx(shape, size);
    const center = rectCenter(r);
    return { center, handle: rotateAround({ x: center.x, y: center.y - r.height / 2 - offsetPx }, center, r.rotation) };
  }
  const e = ellipseToPx(shape, size);
  const center = { x: e.x, y: e.y };
  return { center, handle: rotateAround({ x: e.x, y: e.y - e.radiusY - offsetPx }, center, e.rotation) };
}

export function ellipseHandleAt(shape: EllipseShape, p: Point, size: Size, tolerancePx: number): EllipseHandle | null {
  const e = ellipseToPx(shape, size);
  for (const h of ELLIPSE_HANDLES) if (distance(ellipseHandlePoint(e, h), p) <= tolerancePx) return h;
  return null;
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
    } else if (s.kind === "ellipse") {
      const e = ellipseToPx(s, size);
      if (ellipseContains(e, p)) area = Math.PI * e.radiusX * e.radiusY;
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
