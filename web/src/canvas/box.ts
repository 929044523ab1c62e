// The rectangle tool: press and drag to draw; a click without a drag selects
// what is under the pointer instead. Boxes smaller than 2 screen px are dropped.
import { distance, rectFromCorners } from "../geometry";
import { regionAt } from "./hit";
import { dragEdit, finishEdit, grab } from "./select";
import type { Tool } from "./types";

export const boxTool: Tool = {
  name: "rect",
  down: (env, p) =>
    grab(env, p, true) ?? {
      draft: { kind: "drawRect", start: p.pct, shape: { kind: "rect", ...rectFromCorners(p.pct, p.pct) } },
      intents: [],
    },
  move: (env, draft, p) => {
    if (draft.kind !== "drawRect") return dragEdit(env, draft, p);
    const clamped = { x: Math.min(100, Math.max(0, p.pct.x)), y: Math.min(100, Math.max(0, p.pct.y)) };
    return { ...draft, shape: { kind: "rect", ...rectFromCorners(draft.start, clamped) } };
  },
  up: (env, draft, p) => {
    if (draft.kind !== "drawRect") return finishEdit(draft);
    const w = (draft.shape.width * env.size.width) / 100;
    const h = (draft.shape.height * env.size.height) / 100;
    if (w * h === 0 || distance({ x: 0, y: 0 }, { x: w, y: h }) < env.tolerancePx / 3) {
      return { draft: null, intents: [{ type: "select", id: regionAt(env.regions, p.px, env.size, env.tolerancePx) }] };
    }
    return { draft: null, intents: [{ type: "create", shape: draft.shape }] };
  },
};
