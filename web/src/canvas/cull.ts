// What part of the image is on screen, and which regions fall in it. The
// canvas draws every region's shape, but captions only for the regions in
// (or near) view and only while at most MAX_CAPTIONS regions are in view:
// thousands of overlapping texts are unreadable anyway, and drawing them at
// each new zoom level would cost more than the shapes. Pure functions, in
// image pixels.
import { type Size, type Viewport, rectBounds } from "../geometry";
import type { Shape } from "../model";
import { ellipseToPx, rectToPx } from "./hit";
import { percentToPixel } from "../geometry";

/** An axis-aligned box in image pixels, [x0, x1] × [y0, y1]. */
export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Above this many regions in view, captions are left out (zoom in to see them). */
export const MAX_CAPTIONS = 500;
/** The caption area reaches this fraction of the view beyond each edge, so a short pan needs no new captions. */
export const CAPTION_MARGIN = 0.15;

/** Bounds of a shape drawn on an image of `size`; null for shapes the canvas does not draw. */
export function shapeBounds(shape: Shape, size: Size): Box | null {
  switch (shape.kind) {
    case "rect": {
      const b = rectBounds(rectToPx(shape, size));
      return { x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height };
    }
    case "ellipse": {
      const e = ellipseToPx(shape, size);
      const a = (e.rotation * Math.PI) / 180;
      const c = Math.cos(a);
      const s = Math.sin(a);
      const hw = Math.hypot(e.radiusX * c, e.radiusY * s);
      const hh = Math.hypot(e.radiusX * s, e.radiusY * c);
      return { x0: e.x - hw, y0: e.y - hh, x1: e.x + hw, y1: e.y + hh };
    }
    case "polygon": {
      if (shape.points.length === 0) return null;
      let x0 = Infinity;
      let y0 = Infinity;
      let x1 = -Infinity;
      let y1 = -Infinity;
      for (const q of shape.points) {
        const p = percentToPixel(q, size);
        x0 = Math.min(x0, p.x);
        y0 = Math.min(y0, p.y);
        x1 = Math.max(x1, p.x);
        y1 = Math.max(y1, p.y);
      }
      return { x0, y0, x1, y1 };
    }
    case "keypoint": {
      const p = percentToPixel(shape, size);
      return { x0: p.x, y0: p.y, x1: p.x, y1: p.y };
    }
    default:
      return null;
  }
}

/** The part of the image (image px) shown in a host of size `host` under `view`. */
export function viewBox(view: Viewport, host: Size): Box {
  return { x0: -view.offsetX / view.scale, y0: -view.offsetY / view.scale, x1: (host.width - view.offsetX) / view.scale, y1: (host.height - view.offsetY) / view.scale };
}

/** `b` grown by `fraction` of its width and height beyond each edge. */
export function grow(b: Box, fraction: number): Box {
  const dx = (b.x1 - b.x0) * fraction;
  const dy = (b.y1 - b.y0) * fraction;
  return { x0: b.x0 - dx, y0: b.y0 - dy, x1: b.x1 + dx, y1: b.y1 + dy };
}

export const overlaps = (a: Box, b: Box): boolean => a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1;
export const inside = (inner: Box, outer: Box): boolean => inner.x0 >= outer.x0 && inner.y0 >= outer.y0 && inner.x1 <= outer.x1 && inner.y1 <= outer.y1;

/**
 * The area whose regions get captions: kept while the view stays inside it
 * (so panning a little re-renders nothing), else the view grown by
 * CAPTION_MARGIN. Recomputed by the caller when the zoom level changes.
 */
export function captionArea(view: Viewport, host: Size, previous: Box | null): Box {
  const seen = viewBox(view, host);
  return previous && inside(seen, previous) ? previous : grow(seen, CAPTION_MARGIN);
}

/**
 * Which of `bounds` (one per region, null = not drawn) get a caption: those
 * overlapping `area`, or none when more than `max` overlap `seen` (the view).
 */
export function captioned(bounds: readonly (Box | null)[], area: Box, seen: Box, max = MAX_CAPTIONS): boolean[] {
  let n = 0;
  for (const b of bounds) if (b !== null && overlaps(b, seen) && ++n > max) return bounds.map(() => false);
  return bounds.map((b) => b !== null && overlaps(b, area));
}
