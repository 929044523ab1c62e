// Undo/redo over EditorState snapshots. Only the doc and selection are
// restored; the active label stays as the person left it, and a relation
// being added is dropped.
import type { AnyCommand, Command, EditorState, UndoPolicy } from "./commands";
import type { KeyLike } from "./keys";
import { primary } from "./keys";

export interface History {
  readonly past: readonly EditorState[];
  readonly present: EditorState;
  readonly future: readonly EditorState[];
  /** The merge key of the last recorded step, while merging may continue. */
  readonly mergeKey: string | null;
}

export const LIMIT = 500;

export const startHistory = (s: EditorState): History => ({ past: [], present: s, future: [], mergeKey: null });

/** Applies the result of a command under `policy`. */
export function commit(h: History, next: EditorState | null, policy: UndoPolicy, mergeKey: string): History {
  if (next === null || next === h.present) return h;
  if (policy === "none" || next.doc === h.present.doc) return { ...h, present: next };
  if (policy === "merge" && h.mergeKey === mergeKey) return { ...h, present: next, future: [] };
  const past = [...h.past, h.present].slice(-LIMIT);
  return { past, present: next, future: [], mergeKey: policy === "merge" ? mergeKey : null };
}

/** Runs `cmd` with `args`. */
export function run<A>(h: History, cmd: Command<A>, args: A): History {
  return commit(h, cmd.perform(h.present, args), cmd.undo, `${cmd.name}:${cmd.mergeKey?.(args, h.present) ?? ""}`);
}

export function undo(h: History): History {
  const prev = h.past[h.past.length - 1];
  if (!prev) return h;
  return {
    past: h.past.slice(0, -1),
    present: { ...prev, activeLabel: h.present.activeLabel, linking: null },
    future: [h.present, ...h.future],
    mergeKey: null,
  };
}

export function redo(h: History): History {
  const next = h.future[0];
  if (!next) return h;
  return {
    past: [...h.past, h.present],
    present: { ...next, activeLabel: h.present.activeLabel, linking: null },
    future: h.future.slice(1),
    mergeKey: null,
  };
}

export const UNDO_KEYS = ["Ctrl+Z"];
export const REDO_KEYS = ["Ctrl+Shift+Z", "Ctrl+Y"];

/** Routes a key to undo/redo or the first command whose key test matches. Null when nothing handled it. */
export function handleKey(h: History, commands: readonly AnyCommand[], e: KeyLike): History | null {
  const k = e.key.toLowerCase();
  if (primary(e) && k === "z") return e.shiftKey ? redo(h) : undo(h);
  if (primary(e) && k === "y") return redo(h);
  for (const c of commands) {
    const hit = c.fromKey(e, h.present);
    if (hit) return commit(h, hit.state, c.undo, hit.mergeKey);
  }
  return null;
}
