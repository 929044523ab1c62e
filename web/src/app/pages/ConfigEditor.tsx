// The labeling-config editor of project settings: a line-numbered XML text
// area checked as you type — in the browser at once, by the server's
// validator shortly after — with each message marked at its line (click it to
// go there), and a live preview of the editor on a sample task.
import type { JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { type LabelingConfig, type Task, parseLabelingConfig } from "../../model";
import { lineStart, previewTask, problemLines } from "../configEditor";
import { Editor } from "../editor/Editor";
import { errorText } from "./common";

/** The server is asked this long after the last keystroke. */
const SERVER_CHECK_MS = 400;

export interface ConfigEditorProps {
  readonly xml: string;
  readonly disabled: boolean;
  readonly onInput: (xml: string) => void;
  /** The project's first task, shown in the preview (sample values fill what it lacks). */
  readonly sample: Task | undefined;
  /** Shown under the messages, above the preview (the page's Validate and Save). */
  readonly children?: JSX.Element;
}

/** What the server said about `xml`: null while unknown, [] when it accepts it. */
function useServerCheck(xml: string, enabled: boolean): readonly string[] | null {
  const [result, setResult] = useState<{ xml: string; messages: readonly string[] } | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const timer = window.setTimeout(() => {
      api.validateConfig(xml).then(
        () => live && setResult({ xml, messages: [] }),
        (e: unknown) => live && setResult({ xml, messages: errorText(e).split("\n").filter((m) => m.trim() !== "") }),
      );
    }, SERVER_CHECK_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [xml, enabled]);
  return result && result.xml === xml ? result.messages : null;
}

export function ConfigEditor(props: ConfigEditorProps): JSX.Element {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const local = useMemo(() => parseLabelingConfig(props.xml), [props.xml]);
  const server = useServerCheck(props.xml, !props.disabled);
  // The preview keeps the last config that parsed, so it does not vanish mid-edit.
  const [shown, setShown] = useState<{ config: LabelingConfig; xml: string } | null>(null);
  useEffect(() => {
    if (local.ok) setShown({ config: local.config, xml: props.xml });
  }, [local]);

  // The browser's parser mirrors the server's messages: once the server has
  // answered, show its messages and only the browser's that it did not give.
  const localMessages = local.ok ? [] : local.errors.filter((m) => !(server ?? []).includes(m));
  const byLine = problemLines([...localMessages, ...(server ?? [])]);
  const lineCount = props.xml.split("\n").length;
  const goTo = (line: number) => {
    const el = area.current;
    if (!el) return;
    const at = lineStart(props.xml, line);
    el.focus();
    el.setSelectionRange(at, at);
    // Scroll so the line is in view: line height from the computed style.
    const lh = parseFloat(getComputedStyle(el).lineHeight) || 18;
    el.scrollTop = Math.max(0, (line - 3) * lh);
  };
  const task = useMemo(() => (shown ? previewTask(shown.config, props.sample) : undefined), [shown, props.sample]);

  return (
    <div class="config-editor">
      <label for="config-xml">Labeling config (XML)</label>
      <div class="config-code">
        <div class="config-gutter" ref={gutter} aria-hidden="true">
          <div>
            {Array.from({ length: lineCount }, (_, i) => {
              const msgs = byLine.get(i + 1);
              return <div key={i} class={msgs ? "bad" : undefined} title={msgs?.join("\n")}>{msgs ? "● " : ""}{i + 1}</div>;
            })}
            <div style={{ height: "40px" }} />
          </div>
        </div>
        <textarea id="config-xml" ref={area} rows={16} spellcheck={false} value={props.xml} disabled={props.disabled}
          aria-describedby="config-problems" aria-invalid={byLine.size > 0}
          onInput={(e) => props.onInput(e.currentTarget.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }} />
      </div>
      <div id="config-problems" aria-live="polite">
        {localMessages.length > 0 && (
          <ul class="problems local" aria-label="Problems found in the browser">
            {localMessages.map((m) => <li key={m}><Problem message={m} onGo={goTo} /></li>)}
          </ul>
        )}
        {server && server.length > 0 && (
          <ul class="problems server" aria-label="Problems reported by the server">
            {server.map((m) => <li key={m}><Problem message={m} onGo={goTo} /></li>)}
          </ul>
        )}
        {local.ok && server !== null && server.length === 0 && (
          <p class="ok" role="status">The server accepts this config: {local.config.objects.length} objects, {local.config.controls.length} controls; task fields: {local.config.dataKeys.join(", ") || "none"}</p>
        )}
        {server === null && !props.disabled && <p class="checking">Checking…</p>}
      </div>
      {props.children}
      {shown && task && (
        <section class="config-preview" aria-label="Preview">
          <h2>Preview{props.sample ? ` on task ${props.sample.id}` : " on a sample task"}{!local.ok ? " (last valid config)" : ""}</h2>
          <Editor key={shown.xml} config={shown.config} task={task} initial={[]} busy={false} submitText="Try submit"
            predictions="ignore" onSubmit={() => undefined} />
        </section>
      )}
    </div>
  );
}

function Problem(props: { message: string; onGo: (line: number) => void }): JSX.Element {
  const line = Number(/^\s*line (\d+)/i.exec(props.message)?.[1] ?? 0);
  if (line === 0) return <span>{props.message}</span>;
  return (
    <button type="button" class="link" onClick={() => props.onGo(line)} aria-label={`Go to line ${line}: ${props.message}`}>
      {props.message}
    </button>
  );
}
