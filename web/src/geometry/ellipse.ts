// Ellipses as Label Studio stores them: (x, y) is the centre, radiusX and
// radiusY the half-axes before rotation, and `rotation` turns the ellipse
// clockwise (degrees) around its centre. As with boxes, rotation needs equal
// axis scales: work in image pixels, not percent.
import { type Point, rotateAround } from "./point";

export interface Ellipse {
  readonly x: number;
  readonly y: number;
  readonly radiusX: number;
  readonly radiusY: number;
  readonly rotation: number;
}

/** The ellipse inscribed in the box spanned by two opposite corners (unrotated). */
export function ellipseFromCorners(a: Point, b: Point): Ellipse {
  return {
    x: (a.x + b.x) / 2,
    y: (a.y + b.y) / 2,
    radiusX: Math.abs(a.x - b.x) / 2,
    radiusY: Math.abs(a.y - b.y) / 2,
    rotation: 0,
  };
}

/** `p` in the ellipse's own frame: centre at the origin, axes unrotated. */
const toLocal = (e: Ellipse, p: Point): Point => {
  const q = rotateAround(p, { x: e.x, y: e.y }, -e.rotation);
  return { x: q.x - e.x, y: q.y - e.y };
};

export function ellipseContains(e: Ellipse, p: Point): boolean {
  if (e.radiusX <= 0 || e.radiusY <= 0) return false;
  const q = toLocal(e, p);
  return (q.x / e.radiusX) ** 2 + (q.y / e.radiusY) ** 2 <= 1;
}

export type EllipseHandle = "n" | "e" | "s" | "w";
export const ELLIPSE_HANDLES: readonly EllipseHandle[] = ["n", "e", "s", "w"];

/** Where each axis handle sits (after rotation). */
export function ellipseHandlePoint(e: Ellipse, h: EllipseHandle): Point {
  const local = h === "e" ? { x: e.radiusX, y: 0 } : h === "w" ? { x: -e.radiusX, y: 0 } : h === "s" ? { x: 0, y: e.radiusY } : { x: 0, y: -e.radiusY };
  return rotateAround({ x: e.x + local.x, y: e.y + local.y }, { x: e.x, y: e.y }, e.rotation);
}

/** Drags axis handle `h` to `p`: that radius becomes the distance along its axis; the centre stays. */
export function resizeEllipse(e: Ellipse, h: EllipseHandle, p: Point): Ellipse {
  const q = toLocal(e, p);
  return h === "e" || h === "w" ? { ...e, radiusX: Math.abs(q.x) } : { ...e, radiusY: Math.abs(q.y) };
}

/** Axis-aligned bounds of a possibly rotated ellipse. */
export function ellipseBounds(e: Ellipse): { x: number; y: number; width: number; height: number } {
  const rad = (e.rotation * Math.PI) / 180;
  const hw = Math.hypot(e.radiusX * Math.cos(rad), e.radiusY * Math.sin(rad));
  const hh = Math.hypot(e.radiusX * Math.sin(rad), e.radiusY * Math.cos(rad));
  return { x: e.x - hw, y: e.y - hh, width: 2 * hw, height: 2 * hh };
}
