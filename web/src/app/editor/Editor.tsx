// The annotation editor: renders whatever the labeling config says (its
// layout tree, objects and controls) for one task, and routes every change
// through the model's commands so it can be undone. Keyboard-first: every
// action has a key, listed in the help panel (press ?).
import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { ImageCanvas, type Intent, RelationArrows, type ToolName } from "../../canvas";
import type { Size } from "../../geometry";
import {
  type ControlTag, type EditorState, type History, type JsonObject, type LabelingConfig, type LayoutNode,
  type ObjectTag, type Region, type RegionId, type Relation, type ResultEntry, type Task,
  activeVertex, assignHotkeys, defaultShapeFor, describePrediction, docToResult, editorCommands, findControl, findRegion, handleKey, initialState,
  keepsPrediction, newRegion, newRegionId, parentPrediction, preAnnotationFor, redo, regions, relations, resultToDoc, resultValue, run, startHistory, undo,
} from "../../model";
import { snapToWords } from "../../text";
import { RelationList } from "./relations";
import { HyperTextWithRelations, TextWithRelations } from "./withRelations";
import { regionCaption, regionColor } from "./colors";
import { ControlView } from "./controls";
import { RegionList } from "./RegionList";

export interface EditorProps {
  readonly config: LabelingConfig;
  readonly task: Task;
  readonly initial: readonly ResultEntry[];
  readonly busy: boolean;
  /** `leadTime`: seconds since the task was opened; `extra` holds parent_prediction when the
   *  annotation grew from a prediction shown as pre-annotation. */
  readonly onSubmit: (result: readonly ResultEntry[], leadTime: number, extra: SubmitExtra) => void;
  readonly onSkip?: () => void;
  readonly submitText: string;
  /** Shows the annotation without letting it change: no drawing, no answers, no
   *  editing keys, no submit (regions can still be selected to look at them). */
  readonly readOnly?: boolean;
  /** Called with the result after every change the user makes (for draft autosave). */
  readonly onChange?: (result: readonly ResultEntry[]) => void;
  /** Seconds already spent on this annotation (a draft's lead_time); the lead time counts on from it. */
  readonly initialLeadTime?: number;
  /** Called when the label picked for drawing or marking changes (the guideline panel jumps to its section). */
  readonly onActiveLabel?: (label: { readonly control: string; readonly value: string } | null) => void;
  /** "ignore": never start from the task's predictions (e.g. when fixing someone's annotation).
   *  Default: when `initial` is empty, the best prediction is loaded as a pre-annotation. */
  readonly predictions?: "pre-annotate" | "ignore";
}

export interface SubmitExtra {
  readonly parent_prediction?: number;
}

const TOOL_OF: Readonly<Record<string, ToolName>> = {
  RectangleLabels: "rect", Rectangle: "rect", PolygonLabels: "polygon", Polygon: "polygon", KeyPointLabels: "keypoint", KeyPoint: "keypoint",
  EllipseLabels: "ellipse", Ellipse: "ellipse",
};

const isTyping = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);

function firstLabel(config: LabelingConfig): EditorState["activeLabel"] {
  const c = config.controls.find((x) => x.type.endsWith("Labels") && x.options.length > 0);
  const o = c?.options[0];
  return c && o ? { control: c.name, value: resultValue(o) } : null;
}

/** The drawing control for an object: the active label's control when it targets it, else a label-less tool control. */
function drawingControl(config: LabelingConfig, s: EditorState, object: string): ControlTag | undefined {
  const active = s.activeLabel ? findControl(config, s.activeLabel.control) : undefined;
  if (active && active.toNames.includes(object)) return active;
  return config.controls.find((c) => c.toNames.includes(object) && (c.type === "Rectangle" || c.type === "Polygon" || c.type === "KeyPoint" || c.type === "Ellipse"));
}

function dataString(task: Task, obj: ObjectTag): string {
  const v = obj.dataKey ? task.data[obj.dataKey] : obj.value;
  return typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v);
}

export function Editor(props: EditorProps): JSX.Element {
  const { config, task } = props;
  const makeId = () => newRegionId();
  const cmds = useMemo(() => editorCommands(config, makeId), [config]);
  const hotkeys = useMemo(() => assignHotkeys(config), [config]);
  // With no annotation or draft of the caller's, start from the task's best prediction.
  const pre = useMemo(() => (props.readOnly || props.predictions === "ignore" ? null : preAnnotationFor(task, props.initial)), []);
  const [hist, setHist] = useState<History>(() =>
    startHistory({
      ...initialState(resultToDoc(pre ? pre.prediction.result : props.initial, config)),
      activeLabel: props.readOnly ? null : firstLabel(config),
    }),
  );
  const [help, setHelp] = useState(false);
  // Regions hidden from view (not from the result): view state, not undoable.
  const [hidden, setHidden] = useState<ReadonlySet<RegionId>>(() => new Set());
  const toggleHidden = (id: RegionId) =>
    setHidden((cur) => {
      const next = new Set(cur);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const sizes = useRef(new Map<string, Size>());
  const started = useRef(Date.now() - (props.initialLeadTime ?? 0) * 1000);
  const histRef = useRef(hist);
  histRef.current = hist;
  const s = hist.present;

  const submit = () => {
    if (props.busy) return;
    const doc = histRef.current.present.doc;
    const parent = parentPrediction(doc, pre);
    const extra: SubmitExtra = parent === undefined ? {} : { parent_prediction: parent };
    props.onSubmit(docToResult(doc), (Date.now() - started.current) / 1000, extra);
  };

  const readOnly = props.readOnly === true;
  useEffect(() => {
    props.onActiveLabel?.(s.activeLabel);
  }, [s.activeLabel?.control, s.activeLabel?.value]);
  // Report changes of the document (not of selection or tools) to onChange,
  // before the frame that shows them: a change on screen is one the draft
  // saver knows, even if the page is left (pagehide) before passive effects run.
  const reportedDoc = useRef(s.doc);
  useLayoutEffect(() => {
    if (reportedDoc.current === s.doc) return;
    reportedDoc.current = s.doc;
    if (!readOnly) props.onChange?.(docToResult(s.doc));
  }, [s.doc]);
  useEffect(() => {
    if (readOnly) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        submit();
        return;
      }
      if (e.key === " " && (e.ctrlKey || e.metaKey) && props.onSkip) {
        e.preventDefault();
        props.onSkip();
        return;
      }
      if (isTyping(e.target)) return;
      if (e.altKey && !e.ctrlKey && !e.metaKey && e.key.toLowerCase() === "n") {
        e.preventDefault();
        addByKeyboard();
        return;
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey && e.key.toLowerCase() === "h") {
        const sel = histRef.current.present.selected;
        e.preventDefault();
        if (e.shiftKey) setHidden(new Set());
        else if (sel) toggleHidden(sel);
        return;
      }
      if (e.key === "?") {
        setHelp((h) => !h);
        return;
      }
      const next = handleKey(histRef.current, cmds.all, e);
      if (next) {
        e.preventDefault();
        setHist(next);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [cmds, props.busy, props.onSkip, readOnly]);

  const apply = (f: (h: History) => History) => setHist((h) => f(h));
  const pick = (control: string, value: string) => apply((h) => run(h, cmds.pickOption, { control, value, newId: makeId() }));
  const setValue = (control: string, value: JsonObject | null) => apply((h) => run(h, cmds.setValue, { control, value, newId: makeId() }));
  // While a relation is being added, picking a region ends it there; picking nothing cancels.
  const select = (id: RegionId | null) =>
    apply((h) => {
      const from = h.present.linking;
      if (from === null || readOnly) return run(h, cmds.select, { id });
      if (id === null || id === from) return run(h, cmds.startRelation, { from });
      return run(h, cmds.addRelation, { from, to: id });
    });
  // Alt+N: a region made without a pointer, in the middle of the first image
  // whose drawing control allows it; arrows then move it, Alt+arrows resize it.
  const addByKeyboard = () =>
    apply((h) => {
      for (const obj of config.objects) {
        if (obj.type !== "Image") continue;
        const control = drawingControl(config, h.present, obj.name);
        const shape = control ? defaultShapeFor(control) : null;
        if (!control || !shape) continue;
        const label = h.present.activeLabel?.control === control.name ? h.present.activeLabel : null;
        return run(h, cmds.createRegion, { region: newRegion({ id: makeId(), control, toName: obj.name, shape, label, original: sizes.current.get(obj.name) }) });
      }
      return h;
    });
  const discardPrediction = () =>
    apply((h) => run(h, cmds.clearAll, true));

  const onIntent = (object: ObjectTag) => (i: Intent) => {
    if (i.type === "select") select(i.id);
    else if (readOnly) return;
    else if (i.type === "setShape") apply((h) => run(h, cmds.setShape, { id: i.id, shape: i.shape }));
    else {
      apply((h) => {
        const control = drawingControl(config, h.present, object.name);
        if (!control) return h;
        const label = h.present.activeLabel?.control === control.name ? h.present.activeLabel : null;
        const region = newRegion({ id: makeId(), control, toName: object.name, shape: i.shape, label, original: sizes.current.get(object.name) });
        return run(h, cmds.createRegion, { region });
      });
    }
  };

  const regionsOf = (name: string): readonly Region[] => regions(s.doc).filter((r) => r.toName === name && !hidden.has(r.id));
  const rels = relations(s.doc);
  // One function per config: TextView's blocks skip re-rendering while it stays the same.
  const colorOf = useMemo(() => (r: Region) => regionColor(config, r), [config]);

  const visible = (node: { visibility?: ControlTag["visibility"] }): boolean => {
    const v = node.visibility;
    if (!v) return true;
    if (v.visibleWhen === "region-selected") return s.selected !== null;
    if (v.visibleWhen === "no-region-selected") return s.selected === null;
    if (v.visibleWhen === "choice-selected" || v.visibleWhen === "choice-unselected") {
      const cls = s.doc.entities.find((e) => e.kind === "classification" && (v.whenTagName === "" || e.fromName === v.whenTagName));
      const picked = cls && cls.kind === "classification" && Array.isArray(cls.value["choices"]) ? cls.value["choices"] : [];
      const wanted = v.whenChoiceValue.split(",").map((x) => x.trim()).filter(Boolean);
      const on = wanted.length ? wanted.some((w) => picked.includes(w)) : picked.length > 0;
      return v.visibleWhen === "choice-selected" ? on : !on;
    }
    return true;
  };

  const renderObject = (name: string): JSX.Element => {
    const obj = config.objects.find((o) => o.name === name);
    if (!obj) return <p class="error">Unknown object {name}</p>;
    const value = dataString(task, obj);
    if (obj.type === "Image") {
      const control = drawingControl(config, s, obj.name);
      return (
        <ImageCanvas
          name={obj.name}
          src={value}
          regions={regionsOf(obj.name)}
          selected={s.selected}
          activeVertex={activeVertex(s)?.index ?? null}
          tool={control && !readOnly ? TOOL_OF[control.type] ?? "select" : "select"}
          colorOf={colorOf}
          captionOf={regionCaption}
          onSize={(size) => sizes.current.set(obj.name, size)}
          onIntent={onIntent(obj)}
          overlay={(size, scale) => <RelationArrows relations={rels} regions={regionsOf(obj.name)} size={size} scale={scale} />}
        />
      );
    }
    if (obj.type === "HyperText") {
      const labels = config.controls.filter((c) => c.type === "HyperTextLabels" && c.toNames.includes(obj.name));
      return (
        <HyperTextWithRelations
          relations={rels}
          name={obj.name}
          html={value}
          regions={regionsOf(obj.name)}
          selected={s.selected}
          colorOf={colorOf}
          onSelect={select}
          onCreate={readOnly || labels.length === 0 ? undefined : (shape) =>
            apply((h) => {
              const active = h.present.activeLabel ? findControl(config, h.present.activeLabel.control) : undefined;
              const control = active && labels.includes(active) ? active : labels[0];
              if (!control) return h;
              const label = h.present.activeLabel?.control === control.name ? h.present.activeLabel : null;
              return run(h, cmds.createRegion, { region: newRegion({ id: makeId(), control, toName: obj.name, shape, label }) });
            })
          }
        />
      );
    }
    if (obj.type === "Text") {
      return (
        <TextWithRelations
          relations={rels}
          name={obj.name}
          text={value}
          regions={regionsOf(obj.name)}
          selected={s.selected}
          colorOf={colorOf}
          captionOf={regionCaption}
          onSelect={select}
          onCreate={(start0, end0) =>
            !readOnly && apply((h) => {
              const active = h.present.activeLabel ? findControl(config, h.present.activeLabel.control) : undefined;
              const control = active?.toNames.includes(obj.name) ? active : config.controls.find((c) => c.type === "Labels" && c.toNames.includes(obj.name));
              if (!control) return h;
              // granularity="word" (on the Text or its Labels) widens a selection to whole words.
              const byWord = (obj.attributes.get("granularity") ?? control.attributes.get("granularity")) === "word";
              const snapped = byWord ? snapToWords(value, start0, end0) : { start: start0, end: end0 };
              if (!snapped) return h;
              const { start, end } = snapped;
              const label = h.present.activeLabel?.control === control.name ? h.present.activeLabel : null;
              const region = newRegion({ id: makeId(), control, toName: obj.name, shape: { kind: "span", start, end, text: value.slice(start, end) }, label });
              return run(h, cmds.createRegion, { region });
            })
          }
        />
      );
    }
    return (
      <div class="object-unsupported" role="note">
        <p>{obj.type} objects are shown as data only for now; their results are kept.</p>
        <code>{value}</code>
      </div>
    );
  };

  const renderNode = (node: LayoutNode, key: number): JSX.Element | null => {
    switch (node.kind) {
      case "header":
        return <h3 key={key} class="config-header">{node.dataKey ? dataString(task, { dataKey: node.dataKey, value: node.text } as ObjectTag) : node.text}</h3>;
      case "style":
        return null; // Config CSS is not applied: it could restyle the app's own controls.
      case "object":
        return <div key={key} class="object">{renderObject(node.name)}</div>;
      case "control": {
        const c = findControl(config, node.name);
        if (!c || !visible(c)) return null;
        if (readOnly) {
          // A disabled fieldset: the answers show, but no input takes a change.
          return (
            <fieldset key={key} class="control-readonly" disabled>
              <ControlView config={config} control={c} state={s} hotkeys={[]} onPick={() => undefined} onValue={() => undefined} />
            </fieldset>
          );
        }
        return <ControlView key={key} config={config} control={c} state={s} hotkeys={hotkeys} onPick={pick} onValue={setValue} />;
      }
      case "view":
        if (!visible(node)) return null;
        return <div key={key} class={`config-${node.tag.toLowerCase()}`}>{node.children.map(renderNode)}</div>;
    }
  };

  const selected = s.selected ? findRegion(s.doc, s.selected) : undefined;
  const all = useMemo(() => regions(s.doc), [s.doc]);
  const linkingFrom = s.linking ? all.findIndex((r) => r.id === s.linking) : -1;
  return (
    <div class="editor">
      <div class="editor-main">
        {!readOnly && <div class="editor-toolbar" role="toolbar" aria-label="Annotation">
          <button type="button" onClick={() => apply(undo)} disabled={hist.past.length === 0} aria-label="Undo (Ctrl+Z)">Undo <kbd>Ctrl+Z</kbd></button>
          <button type="button" onClick={() => apply(redo)} disabled={hist.future.length === 0} aria-label="Redo (Ctrl+Shift+Z)">Redo <kbd>Ctrl+Shift+Z</kbd></button>
          <button type="button" onClick={() => setHelp((h) => !h)} aria-expanded={help} aria-label="Keyboard shortcuts (?)">Keys <kbd>?</kbd></button>
          <span class="spacer" />
          {props.onSkip && <button type="button" onClick={props.onSkip} disabled={props.busy} aria-label="Skip task (Ctrl+Space)">Skip <kbd>Ctrl+Space</kbd></button>}
          <button type="button" class="primary" onClick={submit} disabled={props.busy} aria-label={`${props.submitText} (Ctrl+Enter)`}>
            {props.submitText} <kbd>Ctrl+Enter</kbd>
          </button>
        </div>}
        {pre && keepsPrediction(s.doc, pre) && (
          <div class="prediction-banner" role="status" aria-label="Pre-annotation">
            <span>
              Pre-annotated from prediction {pre.index + 1} of {task.predictions?.length ?? 1}: <strong>{describePrediction(pre.prediction)}</strong>.
              {" "}Edit as you like; submitting saves it as your annotation.
            </span>
            <button type="button" onClick={discardPrediction} aria-label="Discard pre-annotation">Discard</button>
          </div>
        )}
        {renderNode(config.layout, 0)}
      </div>
      <aside class="editor-side" aria-label="Regions">
        <h2>Regions ({all.length})</h2>
        {all.some((r) => hidden.has(r.id)) && (
          <p class="hidden-note" role="status">{all.filter((r) => hidden.has(r.id)).length} hidden <button type="button" onClick={() => setHidden(new Set())} aria-label="Show all regions (Alt+Shift+H)">Show all</button></p>
        )}
        <RegionList config={config} regions={all} selected={s.selected} hidden={hidden} onToggleHidden={toggleHidden}
          onSelect={(id) => select(id)} />
        {selected && !readOnly && (
          <div class="region-actions">
            <button type="button" onClick={() => apply((h) => run(h, cmds.startRelation, { from: selected.id }))} aria-pressed={s.linking === selected.id}
              aria-label="Add relation from selected region (Alt+R)">
              Add relation <kbd>Alt+R</kbd>
            </button>
            <button type="button" class="danger" onClick={() => apply((h) => run(h, cmds.deleteRegion, { id: selected.id }))} aria-label="Delete selected region (Delete)">
              Delete region <kbd>Del</kbd>
            </button>
          </div>
        )}
        {linkingFrom >= 0 && (
          <p class="linking-hint" role="status">Relation from region {linkingFrom + 1}: pick the region it points to, or <kbd>Tab</kbd> to it and press <kbd>Enter</kbd> (<kbd>Esc</kbd> cancels).</p>
        )}
        <RelationList config={config} doc={s.doc} readOnly={readOnly}
          onDelete={(k) => apply((h) => run(h, cmds.deleteRelation, k))}
          onToggleLabel={(k, value) => apply((h) => run(h, cmds.toggleRelationLabel, { ...k, value }))}
          onDirection={(k, direction) => apply((h) => run(h, cmds.setRelationDirection, { ...k, direction }))}
          onSelect={(id) => select(id)} />
        {help && (
          <section class="help" aria-label="Keyboard shortcuts">
            <h2>Keys</h2>
            <dl>
              {hotkeys.map((h) => [<dt key={`k${h.key}`}><kbd>{h.key}</kbd></dt>, <dd key={`d${h.key}`}>{h.text} ({h.control})</dd>])}
              {cmds.all.filter((c) => c.keys.length > 0 && c.name !== "pickOption").map((c) => [
                <dt key={`k${c.name}`}>{c.keys.map((k) => <kbd key={k}>{k}</kbd>)}</dt>,
                <dd key={`d${c.name}`}>{c.label}</dd>,
              ])}
              <dt><kbd>Ctrl+Z</kbd> <kbd>Ctrl+Shift+Z</kbd></dt><dd>Undo, redo</dd>
              <dt><kbd>Ctrl+Enter</kbd></dt><dd>{props.submitText}</dd>
              <dt><kbd>=</kbd> <kbd>-</kbd> <kbd>Home</kbd></dt><dd>Zoom in, out, fit (image focused)</dd>
              <dt><kbd>Space</kbd>+drag, wheel</dt><dd>Pan, zoom</dd>
              <dt><kbd>Alt+N</kbd></dt><dd>Add a box, ellipse, square polygon or point with the active label in the middle of the image</dd>
              <dt><kbd>Alt+H</kbd> <kbd>Alt+Shift+H</kbd></dt><dd>Hide or show the selected region; show all</dd>
              <dt><kbd>Enter</kbd> <kbd>Backspace</kbd></dt><dd>Close polygon, remove its last point</dd>
            </dl>
          </section>
        )}
      </aside>
    </div>
  );
}
