// Conversions between the three coordinate systems of an image editor:
//   percent  — what results store (0..100 of the image's natural size);
//   image px — pixels of the image at its natural size;
//   screen   — CSS pixels inside the canvas element, after pan and zoom.
// Results keep percent as the source of truth: the editor converts to pixels
// only to draw and to hit-test, and converts pointer deltas back to percent,
// so repeated edits never accumulate rounding drift.
import type { Point } from "./point";

export interface Size {
  readonly width: number;
  readonly height: number;
}

export const percentToPixel = (p: Point, size: Size): Point => ({
  x: (p.x * size.width) / 100,
  y: (p.y * size.height) / 100,
});

export const pixelToPercent = (p: Point, size: Size): Point => ({
  x: (p.x * 100) / size.width,
  y: (p.y * 100) / size.height,
});

/** Pan and zoom: screen = image * scale + offset. */
export interface Viewport {
  readonly scale: number;
  readonly offsetX: number;
  readonly offsetY: number;
}

export const IDENTITY_VIEWPORT: Viewport = { scale: 1, offsetX: 0, offsetY: 0 };
export const MIN_SCALE = 0.05;
export const MAX_SCALE = 64;

export const imageToScreen = (p: Point, v: Viewport): Point => ({
  x: p.x * v.scale + v.offsetX,
  y: p.y * v.scale + v.offsetY,
});

export const screenToImage = (p: Point, v: Viewport): Point => ({
  x: (p.x - v.offsetX) / v.scale,
  y: (p.y - v.offsetY) / v.scale,
});

/** The viewport that shows the whole image centred in the container. */
export function fitViewport(image: Size, container: Size): Viewport {
  if (image.width <= 0 || image.height <= 0) return IDENTITY_VIEWPORT;
  const scale = Math.min(container.width / image.width, container.height / image.height);
  return {
    scale,
    offsetX: (container.width - image.width * scale) / 2,
    offsetY: (container.height - image.height * scale) / 2,
  };
}

/** Zooms by `factor`, keeping the image point under `anchor` (screen) fixed. */
export function zoomAt(v: Viewport, factor: number, anchor: Point): Viewport {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
  const k = scale / v.scale;
  return {
    scale,
    offsetX: anchor.x - (anchor.x - v.offsetX) * k,
    offsetY: anchor.y - (anchor.y - v.offsetY) * k,
  };
}

export const panBy = (v: Viewport, dx: number, dy: number): Viewport => ({
  ...v,
  offsetX: v.offsetX + dx,
  offsetY: v.offsetY + dy,
});
