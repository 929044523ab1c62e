// Editor commands: registered objects with a pure perform(state, args) ->
// state, a key test, and an undo policy (see history.ts). Tools and buttons
// never change state any other way, so every action is undoable, testable in
// Node, and listed with its key in the help panel.
import {
  type AnnotationDoc, type AttachedItem, type Classification, type Direction, type Region, type Relation, type Shape,
  appendEntity, classificationOf, findRegion, regions, removeRegion, updateRegion,
} from "./annotation";
import { type ControlTag, type LabelingConfig, findControl, resultType, resultValue } from "./config";
import { type RelationKey, findRelation, updateRelation } from "./relations";
import { type Size, normalizeRotation, rotateRectAboutCenter } from "../geometry";
import { assignHotkeys } from "./hotkeys";
import type { RegionId } from "./ids";
import type { Json, JsonObject } from "./json";
import { type KeyLike, plain } from "./keys";
import { type ActiveVertex, vertexCommands } from "./vertex";

export interface ActiveLabel {
  readonly control: string;
  readonly value: string;
}

export interface EditorState {
  readonly doc: AnnotationDoc;
  readonly selected: RegionId | null;
  /** What the next region drawn gets, per the last label key or click. */
  readonly activeLabel: ActiveLabel | null;
  /** While adding a relation: the region it starts from; the next region picked ends it. */
  readonly linking: RegionId | null;
  /** The selected polygon's vertex that arrows move (vertex.ts); ignored unless its id is `selected`. */
  readonly vertex?: ActiveVertex | null;
}

export const initialState = (doc: AnnotationDoc): EditorState => ({ doc, selected: null, activeLabel: null, linking: null });

/**
 * "record": an undo step when the doc changed. "merge": like record, but a run
 * of the same command on the same target (mergeKey) is one step — nudges,
 * typing. "none": never an undo step (selection, tool choice).
 */
export type UndoPolicy = "record" | "merge" | "none";

export interface Command<A> {
  readonly name: string;
  /** What the help panel says it does. */
  readonly label: string;
  /** Keys as shown to people, e.g. ["Delete", "Backspace"]. */
  readonly keys: readonly string[];
  /** The args when `e` triggers this command in `s`, else null. */
  readonly keyTest?: (e: KeyLike, s: EditorState) => A | null;
  /** The new state, or null when the command does not apply. Pure. */
  readonly perform: (s: EditorState, args: A) => EditorState | null;
  readonly undo: UndoPolicy;
  readonly mergeKey?: (args: A, s: EditorState) => string;
}

// A command with its argument type hidden, for the registry's list.
export interface AnyCommand {
  readonly name: string;
  readonly label: string;
  readonly keys: readonly string[];
  readonly undo: UndoPolicy;
  /** Runs the command if `e` triggers it: the new state, the merge key; else null. */
  readonly fromKey: (e: KeyLike, s: EditorState) => { state: EditorState | null; mergeKey: string } | null;
}

function erase<A>(c: Command<A>): AnyCommand {
  return {
    name: c.name, label: c.label, keys: c.keys, undo: c.undo,
    fromKey: (e, s) => {
      const args = c.keyTest?.(e, s) ?? null;
      if (args === null) return null;
      return { state: c.perform(s, args), mergeKey: `${c.name}:${c.mergeKey?.(args, s) ?? ""}` };
    },
  };
}

const withDoc = (s: EditorState, doc: AnnotationDoc): EditorState => (doc === s.doc ? s : { ...s, doc });

const isLabelsControl = (c: ControlTag): boolean => c.type.endsWith("Labels");

/** The labels a region has after picking `value` of control `c` (toggle when choice="multiple"). */
function pickedLabels(current: readonly string[] | undefined, value: string, c: ControlTag): string[] {
  if (c.choice !== "multiple") return [value];
  const cur = current ?? [];
  return cur.includes(value) ? cur.filter((v) => v !== value) : [...cur, value];
}

/** The choices after picking `value`: single choice replaces (or clears when picked again); multiple toggles. */
function pickedChoices(current: readonly Json[], value: string, c: ControlTag): string[] {
  const cur = current.filter((v): v is string => typeof v === "string");
  if (cur.includes(value)) return cur.filter((v) => v !== value);
  return c.choice === "multiple" ? [...cur, value] : [value];
}

const clampPct = (v: number) => Math.min(100, Math.max(0, v));

function translate(shape: Shape, dx: number, dy: number): Shape {
  switch (shape.kind) {
    case "rect": {
      const x = Math.min(100 - shape.width, Math.max(0, shape.x + dx));
      const y = Math.min(100 - shape.height, Math.max(0, shape.y + dy));
      return { ...shape, x, y };
    }
    case "keypoint":
    case "ellipse":
      return { ...shape, x: clampPct(shape.x + dx), y: clampPct(shape.y + dy) };
    case "polygon": {
      const xs = shape.points.map((p) => p.x);
      const ys = shape.points.map((p) => p.y);
      const ddx = Math.min(100 - Math.max(...xs), Math.max(-Math.min(...xs), dx));
      const ddy = Math.min(100 - Math.max(...ys), Math.max(-Math.min(...ys), dy));
      return { ...shape, points: shape.points.map((p) => ({ x: p.x + ddx, y: p.y + ddy })) };
    }
    default:
      return shape;
  }
}

/** Minimum size (percent) a keyboard resize leaves a box's side or an ellipse's radius. */
const MIN_SIDE = 0.2;

/**
 * A box's width/height (an ellipse's radii, by half; a polygon's bounding box,
 * scaling its vertices) changed by (dw, dh) percent; the top-left (for an
 * ellipse, the centre) stays.
 */
export function growShape(shape: Shape, dw: number, dh: number): Shape {
  if (shape.kind === "rect") {
    const width = Math.max(MIN_SIDE, Math.min(shape.rotation === 0 ? 100 - shape.x : 100, shape.width + dw));
    const height = Math.max(MIN_SIDE, Math.min(shape.rotation === 0 ? 100 - shape.y : 100, shape.height + dh));
    return width === shape.width && height === shape.height ? shape : { ...shape, width, height };
  }
  if (shape.kind === "ellipse") {
    const radiusX = Math.max(MIN_SIDE, Math.min(50, shape.radiusX + dw / 2));
    const radiusY = Math.max(MIN_SIDE, Math.min(50, shape.radiusY + dh / 2));
    return radiusX === shape.radiusX && radiusY === shape.radiusY ? shape : { ...shape, radiusX, radiusY };
  }
  if (shape.kind === "polygon" && shape.points.length > 0) {
    const xs = shape.points.map((p) => p.x);
    const ys = shape.points.map((p) => p.y);
    const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
    const [w, h] = [Math.max(...xs) - x0, Math.max(...ys) - y0];
    const nw = Math.max(MIN_SIDE, Math.min(100 - x0, w + dw));
    const nh = Math.max(MIN_SIDE, Math.min(100 - y0, h + dh));
    if ((nw === w || w === 0) && (nh === h || h === 0)) return shape;
    const kx = w === 0 ? 1 : nw / w;
    const ky = h === 0 ? 1 : nh / h;
    return { ...shape, points: shape.points.map((p) => ({ x: x0 + (p.x - x0) * kx, y: y0 + (p.y - y0) * ky })) };
  }
  return shape;
}

/**
 * `shape` turned by `deg` degrees around its centre. A box is turned in
 * image pixels when the image size is known (rotation needs equal axis
 * scales) and written back in LS form (top-left corner + rotation); without
 * the size it turns around its top-left corner, LS's own pivot.
 */
export function rotateShape(shape: Shape, deg: number, original: Size | undefined): Shape {
  if (shape.kind === "ellipse") return { ...shape, rotation: normalizeRotation(shape.rotation + deg) };
  if (shape.kind !== "rect") return shape;
  if (!original) return { ...shape, rotation: normalizeRotation(shape.rotation + deg) };
  const px = (v: number, total: number) => (v * total) / 100;
  const pct = (v: number, total: number) => (v * 100) / total;
  const r = rotateRectAboutCenter(
    { x: px(shape.x, original.width), y: px(shape.y, original.height), width: px(shape.width, original.width), height: px(shape.height, original.height), rotation: shape.rotation },
    shape.rotation + deg,
  );
  return { ...shape, x: pct(r.x, original.width), y: pct(r.y, original.height), rotation: r.rotation };
}

/** Sets (or clears, when `value` is null) a whole-object answer from control `c`. */
export function setClassification(doc: AnnotationDoc, c: ControlTag, value: JsonObject | null, id: RegionId): AnnotationDoc {
  const existing = classificationOf(doc, c.name);
  if (value === null) {
    if (!existing) return doc;
    return { version: doc.version + 1, entities: doc.entities.filter((e) => e !== existing) };
  }
  if (existing) {
    return {
      version: doc.version + 1,
      entities: doc.entities.map((e) => (e === existing ? { ...existing, value, version: existing.version + 1 } : e)),
    };
  }
  const cls: Classification = {
    kind: "classification", id, version: 0, fromName: c.name, toName: c.toNames[0] ?? "", type: resultType(c.type), value, extra: {},
  };
  return appendEntity(doc, cls);
}

/** Sets (or clears) a per-region answer from control `c` on region `r`. */
function setAttached(doc: AnnotationDoc, r: Region, c: ControlTag, value: JsonObject | null): AnnotationDoc {
  return updateRegion(doc, r.id, (region) => {
    const rest = region.attached.filter((a) => a.fromName !== c.name);
    if (value === null) return { ...region, attached: rest };
    const item: AttachedItem = { fromName: c.name, toName: c.toNames[0] ?? region.toName, type: resultType(c.type), value, extra: {} };
    const idx = region.attached.findIndex((a) => a.fromName === c.name);
    const attached = idx < 0 ? [...rest, item] : region.attached.map((a, i) => (i === idx ? item : a));
    return { ...region, attached };
  });
}

export interface ChoiceArgs {
  readonly control: string;
  readonly value: string;
  /** A fresh id for a new classification item (ids are made outside, so perform stays pure). */
  readonly newId: RegionId;
}

export interface ValueArgs {
  readonly control: string;
  /** The result `value` object, e.g. {"text": ["..."]}, or null to clear. */
  readonly value: JsonObject | null;
  readonly newId: RegionId;
}

/** The commands of an editor for `config`. `makeId` is called only by key tests, never by perform. */
export function editorCommands(config: LabelingConfig, makeId: () => RegionId): {
  readonly select: Command<{ id: RegionId | null }>;
  readonly createRegion: Command<{ region: Region }>;
  readonly deleteRegion: Command<{ id: RegionId }>;
  readonly setShape: Command<{ id: RegionId; shape: Shape }>;
  readonly rotate: Command<{ id: RegionId; deg: number }>;
  readonly resize: Command<{ id: RegionId; dw: number; dh: number }>;
  readonly relabel: Command<{ id: RegionId; control: string; value: string }>;
  readonly pickOption: Command<ChoiceArgs>;
  readonly setValue: Command<ValueArgs>;
  readonly addRelation: Command<{ from: RegionId; to: RegionId }>;
  readonly startRelation: Command<{ from: RegionId }>;
  readonly deleteRelation: Command<RelationKey>;
  readonly toggleRelationLabel: Command<RelationKey & { value: string }>;
  readonly setRelationDirection: Command<RelationKey & { direction: Direction }>;
  readonly clearAll: Command<true>;
  readonly all: readonly AnyCommand[];
} {
  const hotkeys = assignHotkeys(config);

  const select: Command<{ id: RegionId | null }> = {
    name: "select", label: "Select a region", keys: [], undo: "none",
    perform: (s, { id }) => (s.selected === id ? null : { ...s, selected: id, vertex: null }),
  };

  const cycle = (dir: 1 | -1): Command<true> => ({
    name: dir === 1 ? "selectNext" : "selectPrevious",
    label: dir === 1 ? "Select the next region" : "Select the previous region",
    keys: [dir === 1 ? "Tab" : "Shift+Tab"], undo: "none",
    keyTest: (e) => (e.key === "Tab" && e.shiftKey === (dir === -1) && plain(e) ? true : null),
    perform: (s) => {
      const rs = regions(s.doc);
      if (rs.length === 0) return null;
      const at = rs.findIndex((r) => r.id === s.selected);
      const next = at < 0 ? (dir === 1 ? 0 : rs.length - 1) : (at + dir + rs.length) % rs.length;
      return { ...s, selected: (rs[next] as Region).id, vertex: null };
    },
  });
  const selectNext = cycle(1);
  const selectPrevious = cycle(-1);

  const deselect: Command<true> = {
    name: "deselect", label: "Deselect, or stop drawing", keys: ["Escape"], undo: "none",
    keyTest: (e) => (e.key === "Escape" ? true : null),
    perform: (s) => (s.linking !== null ? { ...s, linking: null } : s.selected === null ? null : { ...s, selected: null, vertex: null }),
  };

  const createRegion: Command<{ region: Region }> = {
    name: "createRegion", label: "Create a region", keys: [], undo: "record",
    perform: (s, { region }) =>
      findRegion(s.doc, region.id) ? null : { ...s, doc: appendEntity(s.doc, region), selected: region.id },
  };

  const deleteRegion: Command<{ id: RegionId }> = {
    name: "deleteRegion", label: "Delete the selected region", keys: ["Delete", "Backspace"], undo: "record",
    keyTest: (e, s) => ((e.key === "Delete" || e.key === "Backspace") && plain(e) && s.selected ? { id: s.selected } : null),
    perform: (s, { id }) => {
      const doc = removeRegion(s.doc, id);
      return doc === s.doc ? null : { ...s, doc, selected: s.selected === id ? null : s.selected };
    },
  };

  const setShape: Command<{ id: RegionId; shape: Shape }> = {
    name: "setShape", label: "Move or resize a region", keys: [], undo: "merge",
    mergeKey: ({ id }) => id,
    perform: (s, { id, shape }) => withDoc(s, updateRegion(s.doc, id, (r) => ({ ...r, shape }))),
  };

  const NUDGE: Readonly<Record<string, readonly [number, number]>> = {
    ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1],
  };
  const nudge: Command<{ id: RegionId; dx: number; dy: number }> = {
    name: "nudge", label: "Move the selected region (Shift: 10×)", keys: ["←", "→", "↑", "↓"], undo: "merge",
    mergeKey: ({ id }) => id,
    keyTest: (e, s) => {
      const d = NUDGE[e.key];
      if (!d || !s.selected || e.ctrlKey || e.metaKey || e.altKey) return null;
      const step = e.shiftKey ? 2 : 0.2;
      return { id: s.selected, dx: d[0] * step, dy: d[1] * step };
    },
    perform: (s, { id, dx, dy }) => {
      const r = findRegion(s.doc, id);
      if (!r) return null;
      const shape = translate(r.shape, dx, dy);
      return shape === r.shape ? null : withDoc(s, updateRegion(s.doc, id, (x) => ({ ...x, shape })));
    },
  };

  const GROW: Readonly<Record<string, readonly [number, number]>> = {
    ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1],
  };
  const resize: Command<{ id: RegionId; dw: number; dh: number }> = {
    name: "resize", label: "Resize the selected box, ellipse or polygon (Alt+arrows; Shift: 10×)", keys: ["Alt+←", "Alt+→", "Alt+↑", "Alt+↓"], undo: "merge",
    mergeKey: ({ id }) => id,
    keyTest: (e, s) => {
      const d = GROW[e.key];
      if (!d || !s.selected || !e.altKey || e.ctrlKey || e.metaKey) return null;
      const step = e.shiftKey ? 2 : 0.2;
      return { id: s.selected, dw: d[0] * step, dh: d[1] * step };
    },
    perform: (s, { id, dw, dh }) => {
      const r = findRegion(s.doc, id);
      if (!r) return null;
      const shape = growShape(r.shape, dw, dh);
      return shape === r.shape ? null : withDoc(s, updateRegion(s.doc, id, (x) => ({ ...x, shape })));
    },
  };

  const ROTATE: Readonly<Record<string, number>> = { "[": -5, "]": 5, "{": -1, "}": 1 };
  const rotate: Command<{ id: RegionId; deg: number }> = {
    name: "rotate", label: "Rotate the selected box or ellipse by 5° (Shift: 1°)", keys: ["[", "]"], undo: "merge",
    mergeKey: ({ id }) => id,
    keyTest: (e, s) => {
      const deg = ROTATE[e.key];
      return deg !== undefined && plain(e) && s.selected ? { id: s.selected, deg } : null;
    },
    perform: (s, { id, deg }) => {
      const r = findRegion(s.doc, id);
      if (!r) return null;
      const shape = rotateShape(r.shape, deg, r.original);
      return shape === r.shape ? null : withDoc(s, updateRegion(s.doc, id, (x) => ({ ...x, shape })));
    },
  };

  const relabel: Command<{ id: RegionId; control: string; value: string }> = {
    name: "relabel", label: "Change the label of a region", keys: [], undo: "record",
    perform: (s, { id, control, value }) => {
      const c = findControl(config, control);
      const r = findRegion(s.doc, id);
      if (!c || !r || r.fromName !== control) return null;
      return withDoc(s, updateRegion(s.doc, id, (x) => ({ ...x, labels: pickedLabels(x.labels, value, c) })));
    },
  };

  /**
   * A label or choice key. Labels: relabel the selected region of that
   * control, else make the label active for the next region. Choices: set the
   * answer (on the selected region when the control is perRegion).
   */
  const pickOption: Command<ChoiceArgs> = {
    name: "pickOption", label: "Pick a label or choice", keys: hotkeys.map((h) => h.key), undo: "record",
    keyTest: (e) => {
      if (!plain(e)) return null;
      const h = hotkeys.find((x) => x.key === e.key.toLowerCase());
      return h ? { control: h.control, value: h.value, newId: makeId() } : null;
    },
    perform: (s, { control, value, newId }) => {
      const c = findControl(config, control);
      if (!c) return null;
      const selected = s.selected ? findRegion(s.doc, s.selected) : undefined;
      if (isLabelsControl(c)) {
        if (selected && selected.fromName === control) return relabel.perform(s, { id: selected.id, control, value });
        const same = s.activeLabel?.control === control && s.activeLabel.value === value;
        return { ...s, activeLabel: same ? null : { control, value } };
      }
      if (c.type !== "Choices") return null; // Taxonomy answers are paths: see toggleTaxonomyPath.
      if (c.perRegion) {
        if (!selected) return null;
        const cur = selected.attached.find((a) => a.fromName === control)?.value["choices"];
        const next = pickedChoices(Array.isArray(cur) ? cur : [], value, c);
        return withDoc(s, setAttached(s.doc, selected, c, next.length ? { choices: next } : null));
      }
      const cur = classificationOf(s.doc, control)?.value["choices"];
      const next = pickedChoices(Array.isArray(cur) ? cur : [], value, c);
      return withDoc(s, setClassification(s.doc, c, next.length ? { choices: next } : null, newId));
    },
  };

  const setValue: Command<ValueArgs> = {
    name: "setValue", label: "Type an answer", keys: [], undo: "merge",
    mergeKey: ({ control }, s) => `${control}:${s.selected ?? ""}`,
    perform: (s, { control, value, newId }) => {
      const c = findControl(config, control);
      if (!c) return null;
      if (c.perRegion) {
        const r = s.selected ? findRegion(s.doc, s.selected) : undefined;
        return r ? withDoc(s, setAttached(s.doc, r, c, value)) : null;
      }
      return withDoc(s, setClassification(s.doc, c, value, newId));
    },
  };

  const relationsControl = config.controls.find((c) => c.type === "Relations");

  const addRelation: Command<{ from: RegionId; to: RegionId }> = {
    name: "addRelation", label: "End the relation being added at the selected region (Tab to it)", keys: ["Enter"], undo: "record",
    keyTest: (e, s) => (e.key === "Enter" && plain(e) && s.linking && s.selected && s.selected !== s.linking ? { from: s.linking, to: s.selected } : null),
    perform: (s, { from, to }) => {
      if (from === to || !findRegion(s.doc, from) || !findRegion(s.doc, to)) return null;
      if (findRelation(s.doc, { from, to })) return s.linking === null ? null : { ...s, linking: null };
      const rel: Relation = { kind: "relation", fromId: from, toId: to, version: 0, direction: "right", labels: undefined, extra: {} };
      return { ...s, doc: appendEntity(s.doc, rel), linking: null };
    },
  };

  const startRelation: Command<{ from: RegionId }> = {
    name: "startRelation", label: "Add a relation from the selected region (then pick the target)", keys: ["Alt+R"], undo: "none",
    keyTest: (e, s) => (e.altKey && !e.ctrlKey && !e.metaKey && e.key.toLowerCase() === "r" && s.selected ? { from: s.selected } : null),
    perform: (s, { from }) => {
      if (!findRegion(s.doc, from)) return null;
      return { ...s, linking: s.linking === from ? null : from };
    },
  };

  const deleteRelation: Command<RelationKey> = {
    name: "deleteRelation", label: "Delete a relation", keys: [], undo: "record",
    perform: (s, key) => {
      const rel = findRelation(s.doc, key);
      return rel ? { ...s, doc: { version: s.doc.version + 1, entities: s.doc.entities.filter((e) => e !== rel) } } : null;
    },
  };

  const toggleRelationLabel: Command<RelationKey & { value: string }> = {
    name: "toggleRelationLabel", label: "Label a relation", keys: [], undo: "record",
    perform: (s, { from, to, value }) => {
      if (!relationsControl || !relationsControl.options.some((o) => resultValue(o) === value)) return null;
      return withDoc(s, updateRelation(s.doc, { from, to }, (r) => ({ ...r, labels: pickedChoices(r.labels ?? [], value, relationsControl) })));
    },
  };

  const setRelationDirection: Command<RelationKey & { direction: Direction }> = {
    name: "setRelationDirection", label: "Change a relation's direction", keys: [], undo: "record",
    perform: (s, { from, to, direction }) => {
      const rel = findRelation(s.doc, { from, to });
      if (!rel || rel.direction === direction) return null;
      return withDoc(s, updateRelation(s.doc, { from, to }, (r) => ({ ...r, direction })));
    },
  };

  const clearAll: Command<true> = {
    name: "clearAll", label: "Remove every region, relation and answer", keys: [], undo: "record",
    perform: (s) => (s.doc.entities.length === 0 ? null : { ...s, doc: { version: s.doc.version + 1, entities: [] }, selected: null, linking: null }),
  };

  // Vertex keys come first: with a vertex active, arrows, Delete and Escape act on it.
  const vx = vertexCommands();
  const all = [
    erase(vx.leaveVertex), erase(vx.stepVertex), erase(vx.moveVertex), erase(vx.deleteVertex), erase(vx.insertVertex),
    erase(selectNext), erase(selectPrevious), erase(deselect), erase(deleteRegion), erase(nudge), erase(resize), erase(rotate), erase(pickOption),
    erase(select), erase(createRegion), erase(setShape), erase(relabel), erase(setValue), erase(addRelation),
    erase(startRelation), erase(deleteRelation), erase(toggleRelationLabel), erase(setRelationDirection), erase(clearAll),
  ];
  return {
    select, createRegion, deleteRegion, setShape, resize, rotate, relabel, pickOption, setValue, addRelation, startRelation, deleteRelation,
    toggleRelationLabel, setRelationDirection, clearAll, all,
  };
}

