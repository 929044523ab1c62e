// A <Text> object: shows the task's text with its spans, and turns a mouse
// selection into a new span. Text is always rendered as text nodes (never as
// HTML). Each run element records its start offset in data-start, so a DOM
// selection maps back to character offsets without measuring layout.
// The text is drawn in blocks (blocks.ts) that re-render only when their own
// spans change, and that the browser skips while off screen
// (content-visibility: auto), so a long text with thousands of spans opens
// and takes a new span without laying out all of it again.
import { Component, type JSX } from "preact";
import { useMemo, useRef } from "preact/hooks";
import type { Region, RegionId } from "../model";
import { itemsByBlock, textBlocks } from "./blocks";
import { runsBetween, spanAt, trimSelection } from "./segments";

export interface TextViewProps {
  readonly name: string;
  readonly text: string;
  readonly regions: readonly Region[];
  readonly selected: RegionId | null;
  readonly colorOf: (r: Region) => string;
  readonly captionOf: (r: Region) => string;
  /** A new span was selected with the mouse (or keyboard selection + Enter). */
  readonly onCreate: (start: number, end: number, text: string) => void;
  readonly onSelect: (id: RegionId | null) => void;
}

/** Character offset of a DOM position inside the view, or null when outside the text. */
function offsetOf(node: Node, offset: number): number | null {
  if (node.nodeType === Node.TEXT_NODE) {
    const run = node.parentElement?.closest("[data-start]");
    return run ? Number(run.getAttribute("data-start")) + offset : null;
  }
  const el = node as Element;
  // A position between the runs of a block: before its offset-th run, or at the block's end.
  if (el.hasAttribute("data-block-end")) {
    const child = el.children[offset];
    return child ? Number(child.getAttribute("data-start")) : Number(el.getAttribute("data-block-end"));
  }
  const run = el.closest("[data-start]");
  return run ? Number(run.getAttribute("data-start")) : null;
}

/** What one run shows; every field is a string or boolean, so a run whose
 *  look did not change skips rendering (a new span re-renders 1-3 runs of
 *  thousands, not all of them). */
interface RunProps {
  readonly start: number;
  readonly content: string;
  readonly marked: boolean;
  readonly selected: boolean;
  readonly shadows: string;
  readonly depth: number;
  readonly background: string | undefined;
  readonly title: string;
  readonly label: string | undefined;
}

class RunView extends Component<RunProps> {
  override shouldComponentUpdate(next: RunProps): boolean {
    const p = this.props;
    return (
      next.start !== p.start || next.content !== p.content || next.marked !== p.marked || next.selected !== p.selected || next.shadows !== p.shadows ||
      next.depth !== p.depth || next.background !== p.background || next.title !== p.title || next.label !== p.label
    );
  }
  override render(): JSX.Element {
    const p = this.props;
    if (!p.marked) return <span data-start={p.start}>{p.content}</span>;
    return (
      <mark
        data-start={p.start}
        class={p.selected ? "span selected" : "span"}
        style={{ boxShadow: p.shadows, paddingBottom: `${p.depth * 3}px`, backgroundColor: p.background }}
        title={p.title}
        // The caption is drawn by CSS (::after { content: attr(data-label) }), so it
        // is neither selectable nor counted in offsets.
        data-label={p.label}
      >
        {p.content}
      </mark>
    );
  }
}

/** What a block needs to draw its runs. */
interface BlockProps {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** The regions overlapping this block, in document order. */
  readonly regions: readonly Region[];
  /** The selected region when it overlaps this block, else null. */
  readonly selected: RegionId | null;
  readonly colorOf: (r: Region) => string;
  readonly captionOf: (r: Region) => string;
}

const sameItems = <T,>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** One block of the text; re-rendered only when its own spans (or their looks) change. */
class BlockView extends Component<BlockProps> {
  override shouldComponentUpdate(next: BlockProps): boolean {
    const p = this.props;
    return (
      next.text !== p.text || next.start !== p.start || next.end !== p.end || next.selected !== p.selected || next.colorOf !== p.colorOf ||
      next.captionOf !== p.captionOf || !sameItems(next.regions, p.regions)
    );
  }
  override render(): JSX.Element {
    const { text, start, end, regions, selected, colorOf, captionOf } = this.props;
    const byId = new Map(regions.map((r) => [r.id as string, r]));
    const spans = regions.flatMap((r) => (r.shape.kind === "span" ? [{ id: r.id as string, start: r.shape.start, end: r.shape.end }] : []));
    // Until it is laid out, an off-screen block takes about the height of its text (90 characters a line).
    const lines = Math.max(1, Math.ceil((end - start) / 90));
    return (
      <div class="text-block" data-block-end={end} style={{ containIntrinsicSize: `auto ${(lines * 2.2).toFixed(1)}em` }}>
        {runsBetween(start, end, spans).map((p) => {
          const content = text.slice(p.start, p.end);
          if (p.ids.length === 0) {
            return <RunView key={p.start} start={p.start} content={content} marked={false} selected={false} shadows="" depth={0} background={undefined} title="" label={undefined} />;
          }
          const regs = p.ids.map((id) => byId.get(id)).filter((r): r is Region => r !== undefined);
          const isSel = selected !== null && p.ids.includes(selected);
          // Stacked underlines: one per covering span, outermost lowest.
          const shadows = regs.map((r, i) => `inset 0 -${(i + 1) * 3}px 0 0 ${colorOf(r)}`).join(", ");
          const last = regs[regs.length - 1];
          const endsHere = regs.filter((r) => r.shape.kind === "span" && r.shape.end === p.end);
          return (
            <RunView
              key={p.start}
              start={p.start}
              content={content}
              marked={true}
              selected={isSel}
              shadows={shadows}
              depth={regs.length}
              background={last ? `${colorOf(last)}22` : undefined}
              title={regs.map((r) => captionOf(r)).join(" / ")}
              label={endsHere.length ? endsHere.map((r) => captionOf(r)).join(" · ") : undefined}
            />
          );
        })}
      </div>
    );
  }
}

export function TextView(props: TextViewProps): JSX.Element {
  const root = useRef<HTMLDivElement>(null);
  const spans = useMemo(
    () => props.regions.flatMap((r) => (r.shape.kind === "span" ? [{ id: r.id as string, start: r.shape.start, end: r.shape.end }] : [])),
    [props.regions],
  );
  const byId = useMemo(() => new Map(props.regions.map((r) => [r.id as string, r])), [props.regions]);
  const blocks = useMemo(() => textBlocks(props.text), [props.text]);
  const perBlock = useMemo(
    () => itemsByBlock(blocks, props.regions.flatMap((r) =>
      r.shape.kind === "span" && r.shape.start >= 0 && r.shape.end <= props.text.length ? [{ id: r.id as string, start: r.shape.start, end: r.shape.end, region: r }] : [])),
    [blocks, props.regions],
  );

  const takeSelection = (): boolean => {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0 || !root.current) return false;
    const range = sel.getRangeAt(0);
    if (!root.current.contains(range.startContainer) || !root.current.contains(range.endContainer)) return false;
    const a = offsetOf(range.startContainer, range.startOffset);
    const b = offsetOf(range.endContainer, range.endOffset);
    if (a === null || b === null) return false;
    const t = trimSelection(props.text, a, b);
    sel.removeAllRanges();
    if (!t) return false;
    props.onCreate(t.start, t.end, props.text.slice(t.start, t.end));
    return true;
  };

  const onMouseUp = (e: MouseEvent) => {
    if (takeSelection()) return;
    const target = e.target as Element | null;
    const run = target?.closest("[data-start]");
    if (!run) return;
    const off = Number(run.getAttribute("data-start"));
    const id = spanAt(spans, off);
    props.onSelect(id as RegionId | null);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    // Select text with Shift+arrows (caret browsing) then press Enter to label it.
    if (e.key === "Enter" && takeSelection()) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  const selectedRegion = props.selected ? byId.get(props.selected) : undefined;
  return (
    <div
      ref={root}
      class="text-view"
      tabIndex={0}
      role="document"
      aria-label={`Text ${props.name}: ${spans.length} spans${selectedRegion ? `, selected: ${props.captionOf(selectedRegion)}` : ""}`}
      data-testid={`text-${props.name}`}
      onMouseUp={onMouseUp}
      onKeyDown={onKeyDown}
    >
      {blocks.map((b, k) => {
        const regs = (perBlock[k] ?? []).map((x) => x.region);
        return (
          <BlockView key={b.start} text={props.text} start={b.start} end={b.end} regions={regs}
            selected={props.selected !== null && regs.some((r) => r.id === props.selected) ? props.selected : null}
            colorOf={props.colorOf} captionOf={props.captionOf} />
        );
      })}
    </div>
  );
}
