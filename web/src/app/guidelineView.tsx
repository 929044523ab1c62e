// Showing a guideline: Markdown through `marked`, then DOMPurify (text/'s
// allow-list: no scripts, no event handlers, no styles, no ids), mounted as a
// DOM fragment (never innerHTML). Section anchors and search come from the
// pure helpers in guidelines.ts; the panel beside the editor, the examples
// (a compact read-only rendering of their annotation) and the acknowledgement
// prompt of the labeling stream live here.
import type { JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { marked } from "marked";
import { sanitizeHtml } from "../text";
import { type GuidelineExample, type GuidelineVersion, type LabelingConfig, type ResultEntry, resultValue } from "../model";
import { ApiFailure, api } from "./api";
import {
  EXAMPLE_KIND_NAMES, type GuidelineSection, labelLinks, searchSections, searchTerms, sectionForLabel, splitSections,
} from "./guidelines";
import { ErrorBox, errorText } from "./pages/common";

/** Markdown → a sanitized fragment. Needs a DOM. */
export function renderMarkdown(markdown: string): DocumentFragment {
  return sanitizeHtml(marked.parse(markdown, { async: false, gfm: true, breaks: false }));
}

/** Wraps every occurrence of `terms` in the text nodes under `root` in <mark>. */
function highlight(root: HTMLElement, terms: readonly string[]): void {
  if (terms.length === 0) return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  for (const node of nodes) {
    const text = node.data;
    const lower = text.toLowerCase();
    const hits: [number, number][] = [];
    for (const t of terms) {
      for (let at = lower.indexOf(t); at >= 0; at = lower.indexOf(t, at + t.length)) hits.push([at, at + t.length]);
    }
    if (hits.length === 0) continue;
    hits.sort((a, b) => a[0] - b[0]);
    const frag = document.createDocumentFragment();
    let pos = 0;
    for (const [start, end] of hits) {
      if (start < pos) continue;  // overlapping terms: the first wins
      frag.append(text.slice(pos, start));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      frag.append(mark);
      pos = end;
    }
    frag.append(text.slice(pos));
    node.replaceWith(frag);
  }
}

/** Sanitized Markdown, with the search terms marked. */
export function MarkdownView(props: { markdown: string; terms?: readonly string[]; class?: string }): JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const terms = props.terms ?? [];
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.replaceChildren(renderMarkdown(props.markdown));
    highlight(el, terms);
  }, [props.markdown, terms.join(" ")]);
  return <div ref={ref} class={props.class ?? "markdown"} />;
}

/** The guideline's sections (those matching `query`), each a <section> with its anchor id. */
export function GuidelineDocument(props: { sections: readonly GuidelineSection[]; query: string; focus?: string }): JSX.Element {
  const shown = searchSections(props.sections, props.query);
  const terms = searchTerms(props.query);
  return (
    <div class="guideline-doc">
      {shown.length === 0 && <p role="status">No section mentions “{props.query}”.</p>}
      {shown.map((s) => (
        <section key={s.anchor} id={s.anchor} class={props.focus === s.anchor ? "guideline-section focused" : "guideline-section"}
          aria-label={s.title || "Introduction"}>
          <MarkdownView markdown={s.markdown} terms={terms} />
        </section>
      ))}
    </div>
  );
}

/** One result item in a few words: "sentiment: Pos", "ner: PER “Ada”", "box: Cat (10, 20, 30×40)". */
export function describeResultItem(item: ResultEntry, data: { readonly [key: string]: unknown } | null): string {
  const value = (item.value ?? {}) as { readonly [key: string]: unknown };
  const list = (k: string): string | undefined => (Array.isArray(value[k]) ? (value[k] as unknown[]).map(String).join(", ") : undefined);
  const labels = Object.keys(value).find((k) => k.endsWith("labels") || k === "labels");
  const parts: string[] = [];
  const choices = list("choices") ?? list("taxonomy");
  if (choices !== undefined) parts.push(choices);
  if (labels) parts.push(list(labels) ?? "");
  if (typeof value.start === "number" && typeof value.end === "number") {
    const text = typeof value.text === "string" ? value.text
      : Object.values(data ?? {}).find((v): v is string => typeof v === "string")?.slice(value.start, value.end) ?? "";
    parts.push(`“${text}”`);
  }
  if (typeof value.x === "number" && typeof value.y === "number") {
    const r = (n: unknown) => (typeof n === "number" ? Math.round(n) : "?");
    parts.push(`(${r(value.x)}, ${r(value.y)}${typeof value.width === "number" ? `, ${r(value.width)}×${r(value.height)}` : ""})`);
  }
  if (typeof value.rating === "number") parts.push(`${value.rating} ★`);
  if (typeof value.number === "number") parts.push(String(value.number));
  if (Array.isArray(value.text) && parts.length === 0) parts.push((value.text as unknown[]).map(String).join(" / "));
  if (parts.length === 0) parts.push(JSON.stringify(value).slice(0, 80));
  return `${item.from_name}: ${parts.filter((p) => p !== "").join(" ")}`;
}

function dataPreview(data: { readonly [key: string]: unknown } | null): string {
  if (!data) return "";
  const first = Object.entries(data).find(([, v]) => typeof v === "string");
  if (!first) return JSON.stringify(data).slice(0, 160);
  const text = String(first[1]);
  return `${first[0]}: ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`;
}

/** The examples of a version, their annotation rendered compactly (read-only). */
export function ExampleList(props: { project: number; examples: readonly GuidelineExample[] }): JSX.Element | null {
  if (props.examples.length === 0) return null;
  return (
    <section class="guideline-examples" aria-label="Examples">
      <h3>Examples</h3>
      <ul>
        {props.examples.map((e, idx) => (
          <li key={idx} class={`example example-${e.kind}`}>
            <strong>{EXAMPLE_KIND_NAMES[e.kind]}</strong>{e.caption ? `: ${e.caption}` : ""}{" "}
            <a href={`/projects/${props.project}/tasks/${e.task}`} target="_blank" rel="noopener"
              aria-label={`Open example task ${e.task}`}>task {e.task}</a>
            {e.missing ? <p>(this task was deleted)</p> : (
              <>
                <p class="example-data">{dataPreview(e.data)}</p>
                {e.result && (
                  <ul class="example-result" aria-label={`Annotation of task ${e.task}`}>
                    {e.result.map((item, i) => <li key={i}>{describeResultItem(item, e.data)}</li>)}
                  </ul>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The guideline beside the editor: search, label links, sections, examples; jumps to the
 *  section of the label picked in the editor (`activeLabel`, after the first one). Renders
 *  nothing while the project has no guideline. */
export function GuidelinePanel(props: {
  project: number;
  config: LabelingConfig;
  activeLabel?: { readonly control: string; readonly value: string } | null;
}): JSX.Element | null {
  const [guideline, setGuideline] = useState<GuidelineVersion | null | undefined>(undefined);
  const [error, setError] = useState("");
  const [query, setQuery] = useState("");
  const [focus, setFocus] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState(true);
  useEffect(() => {
    let live = true;
    api.guideline(props.project, "latest").then(
      (g) => live && setGuideline(g),
      (e: unknown) => {
        if (!live) return;
        if (e instanceof ApiFailure && e.status === 404) setGuideline(null);
        else setError(errorText(e));
      },
    );
    return () => {
      live = false;
    };
  }, [props.project]);
  const sections = useMemo(() => splitSections(guideline?.text ?? ""), [guideline?.text]);
  const links = useMemo(() => labelLinks(props.config, sections), [props.config, sections]);
  const jump = (anchor: string) => {
    setQuery("");
    setOpen(true);
    setFocus(anchor);
    // After the (unfiltered) sections render.
    requestAnimationFrame(() => document.getElementById(anchor)?.scrollIntoView({ block: "start", behavior: "smooth" }));
  };
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const active = props.activeLabel;
    if (!active) return;
    const control = props.config.controls.find((c) => c.name === active.control);
    const option = control?.options.find((o) => resultValue(o) === active.value);
    if (!option) return;
    const section = sectionForLabel(sections, { value: option.value, alias: option.alias, hint: option.attributes.get("hint") });
    if (section) jump(section.anchor);
  }, [props.activeLabel?.control, props.activeLabel?.value]);

  // No guideline (or none yet loaded): no panel, and the editor keeps the whole width.
  if (!guideline && !error) return null;
  return (
    <aside class={open ? "guideline-panel" : "guideline-panel closed"} aria-label="Guideline">
      <div class="row">
        <h2>Guideline{guideline ? ` v${guideline.version}` : ""}</h2>
        <button type="button" aria-expanded={open} aria-label={open ? "Hide the guideline" : "Show the guideline"}
          onClick={() => setOpen((o) => !o)}>{open ? "Hide" : "Show"}</button>
      </div>
      <ErrorBox error={error} />
      {open && guideline && (
        <>
          <input type="search" aria-label="Search the guideline" placeholder="Search the guideline" value={query}
            onInput={(e) => setQuery(e.currentTarget.value)} />
          {links.length > 0 && (
            <nav aria-label="Labels in the guideline" class="guideline-labels">
              {links.map((l) => (
                <button type="button" key={`${l.control}:${l.label}`} aria-label={`Guideline section for label ${l.label}`}
                  onClick={() => jump(l.anchor)}>{l.label}</button>
              ))}
            </nav>
          )}
          <GuidelineDocument sections={sections} query={query} focus={focus} />
          <ExampleList project={props.project} examples={guideline.examples} />
        </>
      )}
    </aside>
  );
}

/** The labeling stream's stop: a new version to read and acknowledge before the next task. */
export function AcknowledgePrompt(props: { project: number; version: number; onDone: () => void }): JSX.Element {
  const [guideline, setGuideline] = useState<GuidelineVersion | undefined>(undefined);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.guideline(props.project, props.version).then(setGuideline, (e: unknown) => setError(errorText(e)));
  }, [props.project, props.version]);
  const acknowledge = async () => {
    setBusy(true);
    setError("");
    try {
      await api.acknowledgeGuideline(props.project, props.version);
      props.onDone();
    } catch (e: unknown) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const sections = useMemo(() => splitSections(guideline?.text ?? ""), [guideline?.text]);
  return (
    <section class="guideline-ack" aria-label={`Guideline version ${props.version}`}>
      <h1>The guideline changed: version {props.version}</h1>
      {guideline?.note && <p class="guideline-note"><strong>What changed:</strong> {guideline.note}</p>}
      <p>Read it, then acknowledge it to go on labeling.</p>
      <ErrorBox error={error} />
      {guideline && <GuidelineDocument sections={sections} query="" />}
      {guideline && <ExampleList project={props.project} examples={guideline.examples} />}
      <button type="button" class="primary" disabled={busy || !guideline} onClick={() => void acknowledge()}>
        Acknowledge version {props.version}
      </button>
    </section>
  );
}
