// Select, move, resize (box and ellipse handles), rotate (the handle above a
// selected box or ellipse) and vertex drags (polygons). Used by every tool
// first: a press on the selected region's handle, vertex or body edits it; a
// press elsewhere goes to the drawing tool.
import {
  type Point, distance, handleAngle, nearestVertex, percentToPixel, pixelToPercent, replaceVertex, resizeEllipse, resizeRect,
  rotateRectAboutCenter,
} from "../geometry";
import type { EllipseShape, RectShape } from "../model";
import { type Shape, findRegionIn } from "./shapes";
import { ROTATE_HANDLE_OFFSET, ellipseHandleAt, ellipseToPx, handleAt, rectToPx, regionAt, rotationHandle } from "./hit";
import type { Draft, Pointer, Step, Tool, ToolEnv } from "./types";

const CLICK_PX = 3;

function translate(shape: Shape, d: Point): Shape {
  switch (shape.kind) {
    case "rect": {
      const x = Math.min(100 - shape.width, Math.max(0, shape.x + d.x));
      const y = Math.min(100 - shape.height, Math.max(0, shape.y + d.y));
      return { ...shape, x, y };
    }
    case "keypoint":
    case "ellipse":
      return { ...shape, x: Math.min(100, Math.max(0, shape.x + d.x)), y: Math.min(100, Math.max(0, shape.y + d.y)) };
    case "polygon":
      return { ...shape, points: shape.points.map((q) => ({ x: q.x + d.x, y: q.y + d.y })) };
    default:
      return shape;
  }
}

/** A press that edits an existing region, or null when the press is on empty space. */
export function grab(env: ToolEnv, p: Pointer, onlySelected: boolean): Step | null {
  const sel = env.selected ? findRegionIn(env.regions, env.selected) : undefined;
  if (sel && (sel.shape.kind === "rect" || sel.shape.kind === "ellipse")) {
    const { handle } = rotationHandle(sel.shape, env.size, ROTATE_HANDLE_OFFSET * env.tolerancePx);
    if (distance(handle, p.px) <= env.tolerancePx) return { draft: { kind: "rotate", id: sel.id, orig: sel.shape, shape: sel.shape }, intents: [] };
  }
  if (sel?.shape.kind === "ellipse") {
    const h = ellipseHandleAt(sel.shape, p.px, env.size, env.tolerancePx);
    if (h) return { draft: { kind: "resizeEllipse", id: sel.id, handle: h, orig: sel.shape, shape: sel.shape }, intents: [] };
  }
  if (sel?.shape.kind === "rect") {
    const h = handleAt(sel.shape, p.px, env.size, env.tolerancePx);
    if (h) return { draft: { kind: "resize", id: sel.id, handle: h, orig: sel.shape, shape: sel.shape }, intents: [] };
  }
  if (sel?.shape.kind === "polygon") {
    const idx = nearestVertex(sel.shape.points.map((q) => percentToPixel(q, env.size)), p.px, env.tolerancePx);
    if (idx >= 0) return { draft: { kind: "vertex", id: sel.id, index: idx, shape: sel.shape }, intents: [] };
  }
  const hit = regionAt(onlySelected && sel ? [sel] : onlySelected ? [] : env.regions, p.px, env.size, env.tolerancePx);
  if (!hit) return null;
  const r = findRegionIn(env.regions, hit);
  if (!r) return null;
  return {
    draft: { kind: "move", id: hit, start: p.pct, orig: r.shape, shape: r.shape, moved: false },
    intents: hit === env.selected ? [] : [{ type: "select", id: hit }],
  };
}

export function dragEdit(env: ToolEnv, draft: Draft, p: Pointer): Draft {
  switch (draft.kind) {
    case "move": {
      const d = { x: p.pct.x - draft.start.x, y: p.pct.y - draft.start.y };
      const px = percentToPixel(d, env.size);
      const moved = draft.moved || Math.hypot(px.x, px.y) >= CLICK_PX;
      return moved ? { ...draft, moved, shape: translate(draft.orig, d) } : draft;
    }
    case "resize": {
      const out = resizeRect(rectToPx(draft.orig, env.size), draft.handle, p.px);
      const o = pixelToPercent(out, env.size);
      const d = pixelToPercent({ x: out.width, y: out.height }, env.size);
      return { ...draft, shape: { ...draft.orig, x: o.x, y: o.y, width: d.x, height: d.y } };
    }
    case "resizeEllipse": {
      const e = resizeEllipse(ellipseToPx(draft.orig, env.size), draft.handle, p.px);
      const r = pixelToPercent({ x: e.radiusX, y: e.radiusY }, env.size);
      return { ...draft, shape: { ...draft.orig, radiusX: r.x, radiusY: r.y } };
    }
    case "rotate":
      return { ...draft, shape: rotatedTo(draft.orig, env, p.px) };
    case "vertex": {
      const clamped = { x: Math.min(100, Math.max(0, p.pct.x)), y: Math.min(100, Math.max(0, p.pct.y)) };
      return { ...draft, shape: { ...draft.shape, points: replaceVertex(draft.shape.points, draft.index, clamped) } };
    }
    default:
      return draft;
  }
}

/** Within this many degrees of a right angle, a rotation snaps to it. */
const SNAP_DEG = 3;

/** `orig` turned around its centre so that its rotation handle points at `p` (image px). */
export function rotatedTo(orig: RectShape | EllipseShape, env: { readonly size: { width: number; height: number } }, p: Point): RectShape | EllipseShape {
  const { center } = rotationHandle(orig, env.size, 0);
  let deg = handleAngle(center, p);
  const right = Math.round(deg / 90) * 90;
  if (Math.abs(deg - right) <= SNAP_DEG) deg = right % 360;
  if (orig.kind === "ellipse") return { ...orig, rotation: deg };
  const r = rotateRectAboutCenter(rectToPx(orig, env.size), deg);
  const o = pixelToPercent(r, env.size);
  return { ...orig, x: o.x, y: o.y, rotation: r.rotation };
}

export function finishEdit(draft: Draft): Step {
  switch (draft.kind) {
    case "move":
      return { draft: null, intents: draft.moved ? [{ type: "setShape", id: draft.id, shape: draft.shape }] : [] };
    case "resize":
    case "resizeEllipse":
    case "rotate":
    case "vertex":
      return { draft: null, intents: [{ type: "setShape", id: draft.id, shape: draft.shape }] };
    default:
      return { draft: null, intents: [] };
  }
}

/** The tool when no label is active: select and edit only. */
export const selectTool: Tool = {
  name: "select",
  down: (env, p) => grab(env, p, false) ?? { draft: null, intents: [{ type: "select", id: null }] },
  move: dragEdit,
  up: (_env, draft) => finishEdit(draft),
};
