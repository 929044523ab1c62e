// Rendering of control tags: label pickers, choices, text, number, rating.
// Every option shows its key; every input has an accessible name.
import type { JSX } from "preact";
import type { ControlTag, EditorState, JsonObject, LabelingConfig, OptionHotkey, Region } from "../../model";
import { classificationOf, dateTimeMode, dateTimeValue, findRegion, resultValue, toggleTaxonomyPath } from "../../model";
import { labelColor } from "./colors";

export interface ControlProps {
  readonly config: LabelingConfig;
  readonly control: ControlTag;
  readonly state: EditorState;
  readonly hotkeys: readonly OptionHotkey[];
  readonly onPick: (control: string, value: string) => void;
  readonly onValue: (control: string, value: JsonObject | null) => void;
}

const keyOf = (hotkeys: readonly OptionHotkey[], control: string, value: string): string | undefined =>
  hotkeys.find((h) => h.control === control && h.value === value)?.key;

/** The current answer of a classification control: on the selected region when perRegion. */
function currentValue(c: ControlTag, s: EditorState): JsonObject | undefined {
  if (c.perRegion) {
    const r: Region | undefined = s.selected ? findRegion(s.doc, s.selected) : undefined;
    return r?.attached.find((a) => a.fromName === c.name)?.value;
  }
  return classificationOf(s.doc, c.name)?.value;
}

export function ControlView(props: ControlProps): JSX.Element {
  const { control: c, state: s } = props;
  const title = c.attributes.get("title") ?? c.name;
  if (c.type.endsWith("Labels")) {
    const sel = s.selected ? findRegion(s.doc, s.selected) : undefined;
    return (
      <div class="control labels" role="group" aria-label={`Labels ${title}`}>
        {c.options.map((o) => {
          const v = resultValue(o);
          const k = keyOf(props.hotkeys, c.name, v);
          const onSelected = sel?.fromName === c.name && (sel.labels ?? []).includes(v);
          const active = s.activeLabel?.control === c.name && s.activeLabel.value === v;
          return (
            <button
              type="button"
              key={v}
              class={`label-button${active ? " active" : ""}${onSelected ? " on-selected" : ""}`}
              style={{ borderColor: labelColor(props.config, c.name, v) }}
              aria-pressed={active || onSelected}
              aria-label={k ? `${o.value} (key ${k})` : o.value}
              onClick={() => props.onPick(c.name, v)}
            >
              <span class="swatch" style={{ backgroundColor: labelColor(props.config, c.name, v) }} />
              {o.value}
              {k && <kbd>{k}</kbd>}
            </button>
          );
        })}
      </div>
    );
  }
  if (c.type === "Taxonomy") {
    // Label Studio's value: {"taxonomy": [["Animal", "Cat"], ...]}, one path per pick.
    const cur = currentValue(c, s)?.["taxonomy"];
    const paths = Array.isArray(cur) ? cur : [];
    const multiple = c.maxUsages !== 1;
    const isPicked = (path: readonly string[]) =>
      paths.some((p) => Array.isArray(p) && p.length === path.length && p.every((x, i) => x === path[i]));
    return (
      <fieldset class="control taxonomy" disabled={c.perRegion && !s.selected}>
        <legend>{title}{c.perRegion ? " (for the selected region)" : ""}</legend>
        {c.options.map((o) => (
          <label key={o.path.join("/")} class="choice" style={{ paddingLeft: `${(o.path.length - 1) * 1.2}em` }}>
            <input
              type={multiple ? "checkbox" : "radio"}
              name={`taxonomy-${c.name}`}
              aria-label={o.path.join(" / ")}
              checked={isPicked(o.path)}
              onClick={() => {
                const next = toggleTaxonomyPath(cur, o.path, multiple);
                props.onValue(c.name, next.length ? { taxonomy: next } : null);
              }}
            />
            {o.value}
          </label>
        ))}
      </fieldset>
    );
  }
  if (c.type === "DateTime") {
    const mode = dateTimeMode(c);
    const cur = currentValue(c, s)?.["datetime"];
    const set = (raw: string) => {
      const v = dateTimeValue(mode, raw);
      props.onValue(c.name, v === null ? null : { datetime: v });
    };
    const type = mode === "datetime" ? "datetime-local" : mode === "year" ? "number" : mode;
    return (
      <label class="control datetime">
        <span>{title}{c.perRegion ? " (for the selected region)" : ""}</span>
        <input
          type={type}
          aria-label={title}
          min={mode === "year" ? 1000 : c.attributes.get("min")}
          max={mode === "year" ? 9999 : c.attributes.get("max")}
          disabled={c.perRegion && !s.selected}
          value={typeof cur === "string" ? cur : ""}
          // A year is typed digit by digit: take it when the field is left, not on every key.
          {...(mode === "year"
            ? { onChange: (e: Event) => set((e.currentTarget as HTMLInputElement).value) }
            : { onInput: (e: Event) => set((e.currentTarget as HTMLInputElement).value) })}
        />
      </label>
    );
  }
  if (c.type === "Choices") {
    const cur = currentValue(c, s)?.["choices"];
    const picked = Array.isArray(cur) ? cur.filter((x): x is string => typeof x === "string") : [];
    const disabled = c.perRegion && !s.selected;
    return (
      <fieldset class={`control choices${c.attributes.getBool("showInLine") ? " inline" : ""}`} disabled={disabled}>
        <legend>{title}{c.perRegion ? " (for the selected region)" : ""}</legend>
        {c.options.map((o) => {
          const v = resultValue(o);
          const k = keyOf(props.hotkeys, c.name, v);
          return (
            <label key={o.path.join("/")} class="choice" style={{ paddingLeft: `${(o.path.length - 1) * 1.2}em` }}>
              <input
                type={c.choice === "multiple" ? "checkbox" : "radio"}
                name={`choice-${c.name}`}
                checked={picked.includes(v)}
                // No preventDefault: Preact renders in a microtask, before the browser would
                // undo a cancelled click, so the box would show the old answer. Rendering
                // sets dom.checked from the state (also when a picked radio is clicked off).
                onClick={() => props.onPick(c.name, v)}
              />
              {o.value}
              {k && <kbd>{k}</kbd>}
            </label>
          );
        })}
      </fieldset>
    );
  }
  if (c.type === "TextArea") {
    const cur = currentValue(c, s)?.["text"];
    const text = Array.isArray(cur) ? cur.filter((x): x is string => typeof x === "string").join("\n") : typeof cur === "string" ? cur : "";
    const disabled = c.perRegion && !s.selected;
    const rows = Number(c.attributes.get("rows") ?? "3") || 3;
    return (
      <label class="control textarea">
        <span>{c.attributes.get("placeholder") ?? title}{c.perRegion ? " (for the selected region)" : ""}</span>
        <textarea
          rows={rows}
          disabled={disabled}
          aria-label={title}
          value={text}
          onInput={(e) => {
            const v = (e.currentTarget as HTMLTextAreaElement).value;
            props.onValue(c.name, v === "" ? null : { text: [v] });
          }}
        />
      </label>
    );
  }
  if (c.type === "Number") {
    const cur = currentValue(c, s)?.["number"];
    return (
      <label class="control number">
        <span>{title}{c.perRegion ? " (for the selected region)" : ""}</span>
        <input
          type="number"
          aria-label={title}
          min={c.min}
          max={c.max}
          disabled={c.perRegion && !s.selected}
          value={typeof cur === "number" ? String(cur) : ""}
          onInput={(e) => {
            const raw = (e.currentTarget as HTMLInputElement).value;
            props.onValue(c.name, raw === "" ? null : { number: Number(raw) });
          }}
        />
      </label>
    );
  }
  if (c.type === "Rating") {
    const cur = currentValue(c, s)?.["rating"];
    return (
      <fieldset class="control rating" disabled={c.perRegion && !s.selected}>
        <legend>{title}{c.perRegion ? " (for the selected region)" : ""}</legend>
        {Array.from({ length: c.maxRating }, (_, i) => i + 1).map((n) => (
          <button type="button" key={n} aria-label={`Rate ${n} of ${c.maxRating}`} aria-pressed={cur === n}
            onClick={() => props.onValue(c.name, cur === n ? null : { rating: n })}>
            {typeof cur === "number" && n <= cur ? "★" : "☆"}
          </button>
        ))}
      </fieldset>
    );
  }
  if (c.type === "Rectangle" || c.type === "Polygon" || c.type === "KeyPoint" || c.type === "Ellipse") {
    return <p class="control hint">{c.type} tool for {c.toNames.join(", ")}</p>;
  }
  if (c.type === "Relations") {
    return <p class="control hint">Relations: select a region, press <kbd>Alt+R</kbd> (or “Add relation”), then pick the region it points to.</p>;
  }
  return <p class="control unsupported" role="note">{`<${c.xmlTag} name="${c.name}">`} is kept but cannot be edited here yet.</p>;
}
