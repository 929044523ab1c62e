// Editing a polygon's vertices from the keyboard: with a polygon selected,
// "." and "," make its next / previous vertex the active one; then arrows
// move that vertex (Shift: 10×), Delete removes it (a polygon keeps at least
// three), Insert (or Alt+.) adds a vertex halfway to the next one, and Escape
// leaves vertex editing. The active vertex lives in EditorState.vertex with
// the region's id, so it lapses by itself when another region is selected.
import { type Region, type Shape, findRegion, updateRegion } from "./annotation";
import type { Command, EditorState } from "./commands";
import type { RegionId } from "./ids";
import { type KeyLike, plain } from "./keys";

export interface ActiveVertex {
  readonly id: RegionId;
  readonly index: number;
}

type Polygon = Extract<Shape, { kind: "polygon" }>;

/** The selected polygon and its active vertex, or null when no vertex is active. */
export function activeVertex(s: EditorState): { region: Region; shape: Polygon; index: number } | null {
  const v = s.vertex;
  if (!v || v.id !== s.selected) return null;
  const region = findRegion(s.doc, v.id);
  if (!region || region.shape.kind !== "polygon" || v.index < 0 || v.index >= region.shape.points.length) return null;
  return { region, shape: region.shape, index: v.index };
}

const clampPct = (v: number) => Math.min(100, Math.max(0, v));
const MOVE: Readonly<Record<string, readonly [number, number]>> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
const noMods = (e: KeyLike) => plain(e);

const withShape = (s: EditorState, id: RegionId, shape: Polygon, index: number): EditorState => ({
  ...s,
  doc: updateRegion(s.doc, id, (r) => ({ ...r, shape })),
  vertex: { id, index },
});

export function vertexCommands(): {
  readonly stepVertex: Command<{ id: RegionId; step: 1 | -1 }>;
  readonly moveVertex: Command<{ id: RegionId; index: number; dx: number; dy: number }>;
  readonly deleteVertex: Command<{ id: RegionId; index: number }>;
  readonly insertVertex: Command<{ id: RegionId; index: number }>;
  readonly leaveVertex: Command<true>;
} {
  const stepVertex: Command<{ id: RegionId; step: 1 | -1 }> = {
    name: "stepVertex", label: "Polygon: make the next / previous vertex active (then arrows move it)", keys: [".", ","], undo: "none",
    keyTest: (e, s) => {
      if ((e.key !== "." && e.key !== ",") || !noMods(e) || !s.selected) return null;
      const r = findRegion(s.doc, s.selected);
      return r?.shape.kind === "polygon" && r.shape.points.length > 0 ? { id: r.id, step: e.key === "." ? 1 : -1 } : null;
    },
    perform: (s, { id, step }) => {
      const r = findRegion(s.doc, id);
      if (!r || r.shape.kind !== "polygon" || r.shape.points.length === 0) return null;
      const n = r.shape.points.length;
      const cur = activeVertex(s);
      const index = cur && cur.region.id === id ? (cur.index + step + n) % n : step === 1 ? 0 : n - 1;
      return { ...s, selected: id, vertex: { id, index } };
    },
  };

  const moveVertex: Command<{ id: RegionId; index: number; dx: number; dy: number }> = {
    name: "moveVertex", label: "Polygon: move the active vertex (Shift: 10×)", keys: ["←", "→", "↑", "↓"], undo: "merge",
    mergeKey: ({ id, index }) => `${id}:${index}`,
    keyTest: (e, s) => {
      const d = MOVE[e.key];
      const v = d && !e.ctrlKey && !e.metaKey && !e.altKey ? activeVertex(s) : null;
      if (!d || !v) return null;
      const step = e.shiftKey ? 2 : 0.2;
      return { id: v.region.id, index: v.index, dx: d[0] * step, dy: d[1] * step };
    },
    perform: (s, { id, index, dx, dy }) => {
      const r = findRegion(s.doc, id);
      if (!r || r.shape.kind !== "polygon") return null;
      const p = r.shape.points[index];
      if (!p) return null;
      const q = { x: clampPct(p.x + dx), y: clampPct(p.y + dy) };
      if (q.x === p.x && q.y === p.y) return null;
      return withShape(s, id, { ...r.shape, points: r.shape.points.map((x, i) => (i === index ? q : x)) }, index);
    },
  };

  const deleteVertex: Command<{ id: RegionId; index: number }> = {
    name: "deleteVertex", label: "Polygon: delete the active vertex (at least 3 stay)", keys: ["Delete", "Backspace"], undo: "record",
    keyTest: (e, s) => {
      const v = (e.key === "Delete" || e.key === "Backspace") && noMods(e) ? activeVertex(s) : null;
      return v ? { id: v.region.id, index: v.index } : null;
    },
    perform: (s, { id, index }) => {
      const r = findRegion(s.doc, id);
      if (!r || r.shape.kind !== "polygon" || r.shape.points.length <= 3 || !r.shape.points[index]) return null;
      const points = r.shape.points.filter((_, i) => i !== index);
      return withShape(s, id, { ...r.shape, points }, (index - 1 + points.length) % points.length);
    },
  };

  const insertVertex: Command<{ id: RegionId; index: number }> = {
    name: "insertVertex", label: "Polygon: add a vertex halfway from the active one to the next", keys: ["Insert", "Alt+."], undo: "record",
    keyTest: (e, s) => {
      const hit = e.key === "Insert" ? noMods(e) : e.key === "." && e.altKey && !e.ctrlKey && !e.metaKey;
      const v = hit ? activeVertex(s) : null;
      return v ? { id: v.region.id, index: v.index } : null;
    },
    perform: (s, { id, index }) => {
      const r = findRegion(s.doc, id);
      if (!r || r.shape.kind !== "polygon") return null;
      const pts = r.shape.points;
      const a = pts[index];
      const b = pts[(index + 1) % pts.length];
      if (!a || !b) return null;
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      return withShape(s, id, { ...r.shape, points: [...pts.slice(0, index + 1), mid, ...pts.slice(index + 1)] }, index + 1);
    },
  };

  const leaveVertex: Command<true> = {
    name: "leaveVertex", label: "Polygon: stop editing vertices", keys: [], undo: "none",
    keyTest: (e, s) => (e.key === "Escape" && activeVertex(s) ? true : null),
    perform: (s) => (s.vertex ? { ...s, vertex: null } : null),
  };

  return { stepVertex, moveVertex, deleteVertex, insertVertex, leaveVertex };
}
