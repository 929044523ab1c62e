// Axis-aligned or rotated rectangles. As in Label Studio results, (x, y) is
// the top-left corner before rotation and `rotation` turns the box clockwise
// (degrees) around that corner. Rotation only makes sense in a unit whose
// axes have the same scale, so hit-test rotated boxes in pixels, not percent.
import { type Point, clamp, rotateAround } from "./point";

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly rotation: number;
}

export type Handle = "nw" | "n" | "ne" | "e" | "se" | "s" | "sw" | "w";
export const HANDLES: readonly Handle[] = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

/** The box spanned by two opposite corners, in any order. */
export function rectFromCorners(a: Point, b: Point): Rect {
  return {
    x: Math.min(a.x, b.x),
    y: Math.min(a.y, b.y),
    width: Math.abs(a.x - b.x),
    height: Math.abs(a.y - b.y),
    rotation: 0,
  };
}

/** Corners nw, ne, se, sw after rotation. */
export function rectCorners(r: Rect): [Point, Point, Point, Point] {
  const o = { x: r.x, y: r.y };
  return [
    o,
    rotateAround({ x: r.x + r.width, y: r.y }, o, r.rotation),
    rotateAround({ x: r.x + r.width, y: r.y + r.height }, o, r.rotation),
    rotateAround({ x: r.x, y: r.y + r.height }, o, r.rotation),
  ];
}

/** Where each handle sits (after rotation). */
export function handlePoint(r: Rect, h: Handle): Point {
  const fx = h.includes("w") ? 0 : h.includes("e") ? 1 : 0.5;
  const fy = h.startsWith("n") ? 0 : h.startsWith("s") ? 1 : 0.5;
  return rotateAround({ x: r.x + fx * r.width, y: r.y + fy * r.height }, { x: r.x, y: r.y }, r.rotation);
}

/** `p` in the box's own unrotated frame. */
const toLocal = (r: Rect, p: Point): Point => rotateAround(p, { x: r.x, y: r.y }, -r.rotation);

export function rectContains(r: Rect, p: Point): boolean {
  const q = toLocal(r, p);
  return q.x >= r.x && q.x <= r.x + r.width && q.y >= r.y && q.y <= r.y + r.height;
}

/** Axis-aligned bounds of a possibly rotated box. */
export function rectBounds(r: Rect): Rect {
  const cs = rectCorners(r);
  const xs = cs.map((c) => c.x);
  const ys = cs.map((c) => c.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y, rotation: 0 };
}

export const moveRect = (r: Rect, dx: number, dy: number): Rect => ({ ...r, x: r.x + dx, y: r.y + dy });

/**
 * Drags handle `h` of `r` to `p` (same unit as `r`). The opposite edge stays
 * put; dragging past it flips the box rather than giving negative sizes.
 */
export function resizeRect(r: Rect, h: Handle, p: Point): Rect {
  const q = toLocal(r, p);
  let left = r.x;
  let top = r.y;
  let right = r.x + r.width;
  let bottom = r.y + r.height;
  if (h.includes("w")) left = q.x;
  if (h.includes("e")) right = q.x;
  if (h.startsWith("n")) top = q.y;
  if (h.startsWith("s")) bottom = q.y;
  const nx = Math.min(left, right);
  const ny = Math.min(top, bottom);
  // The new local top-left, mapped back through the old rotation.
  const origin = rotateAround({ x: nx, y: ny }, { x: r.x, y: r.y }, r.rotation);
  return { x: origin.x, y: origin.y, width: Math.abs(right - left), height: Math.abs(bottom - top), rotation: r.rotation };
}

/** Keeps an unrotated box inside [0, maxX] x [0, maxY] by moving it (not shrinking, unless it is too big). */
export function clampRectInside(r: Rect, maxX: number, maxY: number): Rect {
  const width = Math.min(r.width, maxX);
  const height = Math.min(r.height, maxY);
  return { ...r, width, height, x: clamp(r.x, 0, maxX - width), y: clamp(r.y, 0, maxY - height) };
}

/** Rotation normalised to [0, 360). */
export const normalizeRotation = (deg: number): number => ((deg % 360) + 360) % 360;

/** The centre of a possibly rotated box. */
export function rectCenter(r: Rect): Point {
  return rotateAround({ x: r.x + r.width / 2, y: r.y + r.height / 2 }, { x: r.x, y: r.y }, r.rotation);
}

/**
 * The box turned to `deg` (absolute, normalised to [0, 360)) around its centre,
 * written back in Label Studio's form: (x, y) is the new top-left corner
 * before rotation, and `rotation` turns the box around that corner.
 */
export function rotateRectAboutCenter(r: Rect, deg: number): Rect {
  const c = rectCenter(r);
  const rotation = normalizeRotation(deg);
  const origin = rotateAround({ x: c.x - r.width / 2, y: c.y - r.height / 2 }, c, rotation);
  return { ...r, x: origin.x, y: origin.y, rotation };
}

/**
 * The angle (degrees, clockwise, [0, 360)) that puts a rotation handle at `p`
 * when it sits straight above `center` at rotation 0.
 */
export function handleAngle(center: Point, p: Point): number {
  const deg = (Math.atan2(p.x - center.x, center.y - p.y) * 180) / Math.PI;
  return normalizeRotation(deg);
}
