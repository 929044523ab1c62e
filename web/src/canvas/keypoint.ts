// The keypoint tool: a click places a point; a press on an existing point drags it.
import { dragEdit, finishEdit, grab } from "./select";
import type { Tool } from "./types";

export const keypointTool: Tool = {
  name: "keypoint",
  down: (env, p) => grab(env, p, false) ?? { draft: { kind: "click", start: p.pct }, intents: [] },
  move: dragEdit,
  up: (_env, draft) =>
    draft.kind === "click"
      ? { draft: null, intents: [{ type: "create", shape: { kind: "keypoint", x: draft.start.x, y: draft.start.y } }] }
      : finishEdit(draft),
};
