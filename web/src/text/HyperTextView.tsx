// A <HyperText> object: the task's HTML shown sanitized (see sanitize.ts),
// never executed. The sanitized nodes are inserted as a DOM fragment, not
// re-parsed from a string, and are never changed afterwards: HyperTextLabels
// spans are painted with the CSS Custom Highlight API (ranges, no wrapper
// elements), so the XPaths Label Studio stores (xpath.ts) always name the
// same nodes. A mouse selection becomes a new span; a click on a span
// selects it.
import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef } from "preact/hooks";
import type { Region, RegionId, XPathSpanShape } from "../model";
import { sanitizeHtml } from "./sanitize";
import { spanRange, textPoint, xpathOf } from "./xpath";

export interface HyperTextViewProps {
  readonly name: string;
  readonly html: string;
  readonly regions?: readonly Region[];
  readonly selected?: RegionId | null;
  readonly colorOf?: (r: Region) => string;
  /** A new span was selected; absent when the object has no HyperTextLabels to label with. */
  readonly onCreate?: (shape: XPathSpanShape) => void;
  readonly onSelect?: (id: RegionId | null) => void;
}

const SAFE_COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$/;
let instances = 0;

export function HyperTextView(props: HyperTextViewProps): JSX.Element {
  const root = useRef<HTMLDivElement>(null);
  const prefix = useMemo(() => `tessera-ht${++instances}`, []);
  const ranges = useRef(new Map<string, Range>());
  const regions = props.regions ?? [];
  useLayoutEffect(() => {
    const fragment = sanitizeHtml(props.html);
    fragment.normalize(); // adjacent text nodes left by removed elements become one, as on a re-parse
    root.current?.replaceChildren(fragment);
  }, [props.html]);

  // Paint the spans: one Highlight per colour, one for the selected span.
  useLayoutEffect(() => {
    const el = root.current;
    const registry = typeof CSS !== "undefined" ? CSS.highlights : undefined;
    if (!el || !registry) return;
    const byColor = new Map<string, Range[]>();
    const found = new Map<string, Range>();
    for (const r of regions) {
      if (r.shape.kind !== "xpath") continue;
      const range = spanRange(el, r.shape);
      if (!range) continue;
      found.set(r.id, range);
      const c = props.colorOf?.(r) ?? "#ff9800";
      const color = SAFE_COLOR.test(c) ? c : "#ff9800";
      byColor.set(color, [...(byColor.get(color) ?? []), range]);
    }
    ranges.current = found;
    const names: string[] = [];
    const rules: string[] = [];
    [...byColor].forEach(([color, rs], i) => {
      const name = `${prefix}-${i}`;
      registry.set(name, new Highlight(...rs));
      names.push(name);
      const bg = color.startsWith("#") && color.length === 7 ? `${color}55` : color;
      rules.push(`::highlight(${name}) { background-color: ${bg}; }`);
    });
    const sel = props.selected ? found.get(props.selected) : undefined;
    if (sel) {
      registry.set(`${prefix}-sel`, new Highlight(sel));
      names.push(`${prefix}-sel`);
      rules.push(`::highlight(${prefix}-sel) { text-decoration: underline 3px #ffb300; }`);
    }
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(rules.join("\n"));
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    el.setAttribute("data-spans", String(found.size));
    return () => {
      names.forEach((n) => registry.delete(n));
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
    };
    // Re-paint only when a span, its colour or the selection changed (the props are new arrays each render).
  }, [regions.map((r) => `${r.id}:${r.version}:${props.colorOf?.(r) ?? ""}`).join(","), props.selected, props.html]);
  useEffect(() => () => ranges.current.clear(), []);

  const onMouseUp = (e: MouseEvent) => {
    const el = root.current;
    if (!el) return;
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed && sel.rangeCount > 0 && props.onCreate) {
      const range = sel.getRangeAt(0);
      if (!el.contains(range.startContainer) || !el.contains(range.endContainer)) return;
      const a = textPoint(range.startContainer, range.startOffset, el);
      const b = textPoint(range.endContainer, range.endOffset, el);
      const text = range.toString();
      sel.removeAllRanges();
      if (!a || !b || text.trim() === "") return;
      const start = xpathOf(el, a.node);
      const end = xpathOf(el, b.node);
      if (start && end) props.onCreate({ kind: "xpath", start, startOffset: a.offset, end, endOffset: b.offset, text });
      return;
    }
    // A click: the smallest span under the pointer, if any.
    const caret = document.caretPositionFromPoint?.(e.clientX, e.clientY);
    if (!caret || !el.contains(caret.offsetNode)) return;
    let best: { id: string; size: number } | null = null;
    for (const [id, r] of ranges.current) {
      if (r.isPointInRange(caret.offsetNode, caret.offset)) {
        const size = r.toString().length;
        if (!best || size < best.size) best = { id, size };
      }
    }
    props.onSelect?.((best?.id ?? null) as RegionId | null);
  };

  return (
    <div ref={root} class="hypertext-view" role="document" aria-label={`HTML ${props.name}`} data-testid={`hypertext-${props.name}`}
      onMouseUp={onMouseUp} />
  );
}
