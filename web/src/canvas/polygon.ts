// The polygon tool: each click adds a vertex; clicking the first vertex (or
// Enter) closes it; Backspace removes the last vertex; Escape drops it.
// Vertices of the selected polygon can be dragged.
import { distance, percentToPixel } from "../geometry";
import type { Shape } from "../model";
import { dragEdit, finishEdit, grab } from "./select";
import type { Draft, Step, Tool } from "./types";

export const polygonTool: Tool = {
  name: "polygon",
  down: (env, p, draft) => {
    if (draft?.kind === "drawPolygon") {
      const first = draft.points[0];
      if (first && draft.points.length >= 3 && distance(percentToPixel(first, env.size), p.px) <= env.tolerancePx) {
        return closePolygon(draft);
      }
      return { draft: { ...draft, points: [...draft.points, p.pct], cursor: p.pct }, intents: [] };
    }
    return grab(env, p, true) ?? { draft: { kind: "drawPolygon", points: [p.pct], cursor: p.pct }, intents: [] };
  },
  move: (env, draft, p) => (draft.kind === "drawPolygon" ? { ...draft, cursor: p.pct } : dragEdit(env, draft, p)),
  up: (_env, draft) => (draft.kind === "drawPolygon" ? { draft, intents: [] } : finishEdit(draft)),
};

export function closePolygon(draft: Draft): Step {
  if (draft.kind !== "drawPolygon" || draft.points.length < 3) return { draft: null, intents: [] };
  const shape: Shape = { kind: "polygon", points: draft.points };
  return { draft: null, intents: [{ type: "create", shape }] };
}

export function dropLastVertex(draft: Draft): Draft | null {
  if (draft.kind !== "drawPolygon") return draft;
  return draft.points.length <= 1 ? null : { ...draft, points: draft.points.slice(0, -1) };
}
