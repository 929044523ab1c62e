// Drawing regions into a 2D <canvas>: the image canvas draws every region
// that is not selected or being edited this way, with its caption (the
// selected one, handles, drafts and relation arrows stay SVG above it). With
// thousands of regions, SVG shapes made each new zoom level a long style,
// layout and paint of every shape, and SVG captions a text layout of each
// (created and removed at every settle); a canvas redraw is a few thousand
// rectangle calls and a few hundred short texts.
//
// Coordinates: `at` maps image pixels to the canvas's CSS pixels
// (canvas = image × scale + offset); `dpr` is the device pixel ratio. Shapes
// outside the canvas are skipped. Calls per colour are batched: one fill
// style for all the fills, then one stroke style for all the outlines; axis
// aligned boxes use fillRect/strokeRect (Skia's fast path: one big path of
// thousands of sub-paths rasterizes far slower in software).
import { type Size, percentToPixel, rectCorners } from "../geometry";
import type { Shape } from "../model";
import { ellipseToPx, rectToPx } from "./hit";

/** The subset of CanvasRenderingContext2D used here (a recording fake in tests). */
export type PaintContext = Pick<
  CanvasRenderingContext2D,
  | "setTransform" | "clearRect" | "beginPath" | "moveTo" | "lineTo" | "closePath" | "ellipse" | "arc" | "fill" | "stroke"
  | "fillRect" | "strokeRect" | "fillText" | "strokeText" | "drawImage"
> & {
  fillStyle: string | CanvasGradient | CanvasPattern; strokeStyle: string | CanvasGradient | CanvasPattern; globalAlpha: number; lineWidth: number;
  font: string; lineJoin: CanvasLineJoin;
};

export interface PaintItem {
  readonly shape: Shape;
  readonly color: string;
  /** Drawn next to the shape in its colour; absent or "" draws none. */
  readonly caption?: string;
}

/** What a paint drew: regions inside the canvas, and captions among them. */
export interface Painted {
  readonly regions: number;
  readonly captions: number;
}

export interface CanvasView {
  readonly scale: number;
  readonly offsetX: number;
  readonly offsetY: number;
}

/** Stroke width and fill opacity of an unselected region, as the SVG shapes draw them. */
export const STROKE_PX = 2;
export const FILL_OPACITY = 0.12;
const POINT_RADIUS_PX = 5;
/** Captions: the SVG ones' size and outline (style.css `.region-caption`), in CSS px. */
export const CAPTION_FONT = "13px system-ui, sans-serif";
const CAPTION_OUTLINE_PX = 0.5;

type Prepared =
  | { readonly kind: "box"; readonly x: number; readonly y: number; readonly w: number; readonly h: number }
  | { readonly kind: "path"; readonly pts: readonly number[] }
  | { readonly kind: "ellipse"; readonly x: number; readonly y: number; readonly rx: number; readonly ry: number; readonly rot: number }
  | { readonly kind: "point"; readonly x: number; readonly y: number };

/** `shape` in canvas CSS pixels, or null when it is entirely outside [0, w] × [0, h] or not drawable. */
export function prepare(shape: Shape, size: Size, at: CanvasView, w: number, h: number): Prepared | null {
  const sx = (x: number) => x * at.scale + at.offsetX;
  const sy = (y: number) => y * at.scale + at.offsetY;
  const visible = (x0: number, y0: number, x1: number, y1: number) => x1 >= -STROKE_PX && y1 >= -STROKE_PX && x0 <= w + STROKE_PX && y0 <= h + STROKE_PX;
  switch (shape.kind) {
    case "rect": {
      const r = rectToPx(shape, size);
      if (!r.rotation) {
        const x = sx(r.x);
        const y = sy(r.y);
        const bw = r.width * at.scale;
        const bh = r.height * at.scale;
        return visible(x, y, x + bw, y + bh) ? { kind: "box", x, y, w: bw, h: bh } : null;
      }
      const pts = rectCorners(r).flatMap((p) => [sx(p.x), sy(p.y)]);
      return inView(pts, visible) ? { kind: "path", pts } : null;
    }
    case "polygon": {
      if (shape.points.length === 0) return null;
      const pts = shape.points.flatMap((q) => {
        const p = percentToPixel(q, size);
        return [sx(p.x), sy(p.y)];
      });
      return inView(pts, visible) ? { kind: "path", pts } : null;
    }
    case "ellipse": {
      const e = ellipseToPx(shape, size);
      const x = sx(e.x);
      const y = sy(e.y);
      const rx = e.radiusX * at.scale;
      const ry = e.radiusY * at.scale;
      const m = Math.max(rx, ry);
      return visible(x - m, y - m, x + m, y + m) ? { kind: "ellipse", x, y, rx, ry, rot: (e.rotation * Math.PI) / 180 } : null;
    }
    case "keypoint": {
      const p = percentToPixel(shape, size);
      const x = sx(p.x);
      const y = sy(p.y);
      const r = POINT_RADIUS_PX;
      return visible(x - r, y - r, x + r, y + r) ? { kind: "point", x, y } : null;
    }
    default:
      return null;
  }
}

/**
 * Where a shape's caption starts (its baseline's left end), in the same
 * canvas pixels as `p`: 3 px above a box's or polygon's first corner, an
 * ellipse's bounding box, or up and to the right of a point (as the SVG
 * caption's em offsets put it at 13 px).
 */
export function captionAnchor(shape: Shape, size: Size, at: CanvasView): { x: number; y: number } | null {
  const sx = (x: number) => x * at.scale + at.offsetX;
  const sy = (y: number) => y * at.scale + at.offsetY;
  switch (shape.kind) {
    case "rect": {
      const r = rectToPx(shape, size);
      return { x: sx(r.x), y: sy(r.y) - 3 };
    }
    case "ellipse": {
      const e = ellipseToPx(shape, size);
      return { x: sx(e.x - e.radiusX), y: sy(e.y - e.radiusY) - 3 };
    }
    case "polygon": {
      const first = shape.points[0];
      if (!first) return null;
      const p = percentToPixel(first, size);
      return { x: sx(p.x), y: sy(p.y) - 3 };
    }
    case "keypoint": {
      const p = percentToPixel(shape, size);
      return { x: sx(p.x) + 8, y: sy(p.y) - 6 };
    }
    default:
      return null;
  }
}

function inView(pts: readonly number[], visible: (x0: number, y0: number, x1: number, y1: number) => boolean): boolean {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < pts.length; i += 2) {
    const x = pts[i] as number;
    const y = pts[i + 1] as number;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return visible(x0, y0, x1, y1);
}

function outline(ctx: PaintContext, p: Prepared): void {
  ctx.beginPath();
  if (p.kind === "path") {
    ctx.moveTo(p.pts[0] as number, p.pts[1] as number);
    for (let i = 2; i < p.pts.length; i += 2) ctx.lineTo(p.pts[i] as number, p.pts[i + 1] as number);
    ctx.closePath();
  } else if (p.kind === "ellipse") ctx.ellipse(p.x, p.y, p.rx, p.ry, p.rot, 0, 2 * Math.PI);
  else if (p.kind === "point") ctx.arc(p.x, p.y, POINT_RADIUS_PX, 0, 2 * Math.PI);
}

/**
 * Clears a canvas of `w` × `h` CSS pixels and draws `items` mapped by `at`,
 * captions last (above every shape). Returns how many regions were drawn (the
 * others were outside the canvas) and how many captions.
 */
export function paintRegions(
  ctx: PaintContext, items: readonly PaintItem[], size: Size, at: CanvasView, w: number, h: number, dpr = 1, sprites: SpriteMaker = offscreenSprite,
): Painted {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  // Group by colour, keeping the regions' order within a colour.
  const groups = new Map<string, Prepared[]>();
  const captions: PaintItem[] = [];
  let drawn = 0;
  for (const it of items) {
    const p = prepare(it.shape, size, at, w, h);
    if (!p) continue;
    drawn++;
    if (it.caption) captions.push(it);
    let g = groups.get(it.color);
    if (!g) groups.set(it.color, (g = []));
    g.push(p);
  }
  for (const [color, g] of groups) {
    // Fills (points are opaque: drawn in the outline pass).
    ctx.globalAlpha = FILL_OPACITY;
    ctx.fillStyle = color;
    for (const p of g) {
      if (p.kind === "box") ctx.fillRect(p.x, p.y, p.w, p.h);
      else if (p.kind !== "point") {
        outline(ctx, p);
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = color;
    ctx.lineWidth = STROKE_PX;
    for (const p of g) {
      if (p.kind === "box") ctx.strokeRect(p.x, p.y, p.w, p.h);
      else if (p.kind !== "point") {
        outline(ctx, p);
        ctx.stroke();
      }
    }
    // Key points: a filled dot with a white ring, as in SVG.
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1.5;
    for (const p of g) {
      if (p.kind !== "point") continue;
      outline(ctx, p);
      ctx.fill();
      ctx.stroke();
    }
  }
  return { regions: drawn, captions: paintCaptions(ctx, captions, size, at, dpr, sprites) };
}

/**
 * A caption rendered once into a small bitmap (`dpr` device pixels per CSS
 * pixel): `left` and `ascent` place its baseline's left end inside it. A
 * canvas that had text drawn into it cost Chrome about twice as much at every
 * compositor commit afterwards (measured: zoom phase, 110 -> 210 ms of
 * `Commit` over 180 frames), so the region canvas copies these bitmaps
 * instead of drawing text.
 */
export interface CaptionSprite {
  readonly image: CanvasImageSource;
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly ascent: number;
}

export type SpriteMaker = (text: string, color: string, dpr: number) => CaptionSprite | null;

/** Sprites by dpr, colour and text; dropped whole when it grows past SPRITE_CACHE_MAX. */
const spriteCache = new Map<string, CaptionSprite | null>();
const SPRITE_CACHE_MAX = 2048;

/** Draws `text` the way paintCaptions does into an OffscreenCanvas; null where there is none (tests, old browsers). */
export const offscreenSprite: SpriteMaker = (text, color, dpr) => {
  if (typeof OffscreenCanvas === "undefined") return null;
  const probe = new OffscreenCanvas(1, 1).getContext("2d");
  if (!probe) return null;
  probe.font = CAPTION_FONT;
  const m = probe.measureText(text);
  const pad = 1 + CAPTION_OUTLINE_PX;
  const left = Math.ceil(m.actualBoundingBoxLeft + pad);
  const ascent = Math.ceil(m.actualBoundingBoxAscent + pad);
  const width = left + Math.ceil(m.actualBoundingBoxRight + pad);
  const height = ascent + Math.ceil(m.actualBoundingBoxDescent + pad);
  const c = new OffscreenCanvas(Math.max(1, Math.ceil(width * dpr)), Math.max(1, Math.ceil(height * dpr)));
  const g = c.getContext("2d");
  if (!g) return null;
  g.scale(dpr, dpr);
  g.font = CAPTION_FONT;
  g.lineJoin = "round";
  g.lineWidth = CAPTION_OUTLINE_PX;
  g.strokeStyle = "#000";
  g.fillStyle = color;
  g.strokeText(text, left, ascent);
  g.fillText(text, left, ascent);
  return { image: c, width, height, left, ascent };
};

function spriteOf(make: SpriteMaker, text: string, color: string, dpr: number): CaptionSprite | null {
  const key = `${dpr}\u0000${color}\u0000${text}`;
  let sprite = spriteCache.get(key);
  if (sprite === undefined) {
    if (spriteCache.size >= SPRITE_CACHE_MAX) spriteCache.clear();
    spriteCache.set(key, (sprite = make(text, color, dpr)));
  }
  return sprite;
}

/**
 * Each caption in its region's colour over a thin black outline (the outline
 * first, as SVG's paint-order: stroke): a copy of its sprite, at whole device
 * pixels so it stays sharp, or drawn as text where no sprite can be made.
 */
function paintCaptions(ctx: PaintContext, items: readonly PaintItem[], size: Size, at: CanvasView, dpr: number, make: SpriteMaker): number {
  if (items.length === 0) return 0;
  let n = 0;
  let textReady = false;
  for (const it of items) {
    const a = captionAnchor(it.shape, size, at);
    if (!a) continue;
    n++;
    const text = it.caption as string;
    const sprite = spriteOf(make, text, it.color, dpr);
    if (sprite) {
      const x = Math.round((a.x - sprite.left) * dpr) / dpr;
      const y = Math.round((a.y - sprite.ascent) * dpr) / dpr;
      ctx.drawImage(sprite.image, x, y, sprite.width, sprite.height);
      continue;
    }
    if (!textReady) {
      ctx.font = CAPTION_FONT;
      ctx.lineJoin = "round";
      ctx.lineWidth = CAPTION_OUTLINE_PX;
      ctx.strokeStyle = "#000";
      textReady = true;
    }
    ctx.fillStyle = it.color;
    ctx.strokeText(text, a.x, a.y);
    ctx.fillText(text, a.x, a.y);
  }
  return n;
}
