// The ellipse tool: press and drag to draw the ellipse inscribed in the box
// dragged out; a click without a drag selects what is under the pointer.
// Ellipses smaller than a few screen px are dropped, as boxes are.
import { distance, ellipseFromCorners } from "../geometry";
import { regionAt } from "./hit";
import { dragEdit, finishEdit, grab } from "./select";
import type { Tool } from "./types";

const clampPct = (v: number) => Math.min(100, Math.max(0, v));

export const ellipseTool: Tool = {
  name: "ellipse",
  down: (env, p) =>
    grab(env, p, true) ?? {
      draft: { kind: "drawEllipse", start: p.pct, shape: { kind: "ellipse", ...ellipseFromCorners(p.pct, p.pct) } },
      intents: [],
    },
  move: (env, draft, p) => {
    if (draft.kind !== "drawEllipse") return dragEdit(env, draft, p);
    const clamped = { x: clampPct(p.pct.x), y: clampPct(p.pct.y) };
    return { ...draft, shape: { kind: "ellipse", ...ellipseFromCorners(draft.start, clamped) } };
  },
  up: (env, draft, p) => {
    if (draft.kind !== "drawEllipse") return finishEdit(draft);
    const w = (draft.shape.radiusX * 2 * env.size.width) / 100;
    const h = (draft.shape.radiusY * 2 * env.size.height) / 100;
    if (w * h === 0 || distance({ x: 0, y: 0 }, { x: w, y: h }) < env.tolerancePx / 3) {
      return { draft: null, intents: [{ type: "select", id: regionAt(env.regions, p.px, env.size, env.tolerancePx) }] };
    }
    return { draft: null, intents: [{ type: "create", shape: draft.shape }] };
  },
};
