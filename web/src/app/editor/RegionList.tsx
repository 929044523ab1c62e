// The editor's region list: one row per region with a visibility toggle and a
// select button. It re-renders only when the regions, the selection or the
// hidden set change (not on every editor render), and beyond VIRTUAL_FROM
// rows only the rows scrolled into view are in the DOM (windowing.ts), so a
// task with thousands of regions opens, and takes a new region, without
// building thousands of rows.
import { Component, type JSX, createRef } from "preact";
import type { LabelingConfig, Region, RegionId } from "../../model";
import { regionCaption, regionColor } from "./colors";
import { rowWindow } from "./windowing";

/** From this many regions on, the list is windowed. */
export const VIRTUAL_FROM = 200;
/** Row height of a windowed list (its rows do not wrap), in CSS px; kept in step with style.css. */
const ROW_PX = 34;
const OVERSCAN = 8;

export interface RegionListProps {
  readonly config: LabelingConfig;
  readonly regions: readonly Region[];
  readonly selected: RegionId | null;
  readonly hidden: ReadonlySet<RegionId>;
  readonly onToggleHidden: (id: RegionId) => void;
  readonly onSelect: (id: RegionId | null) => void;
}

interface State {
  readonly scrollTop: number;
  readonly viewportPx: number;
}

export class RegionList extends Component<RegionListProps, State> {
  override state: State = { scrollTop: 0, viewportPx: 600 };
  private readonly list = createRef<HTMLUListElement>();
  private observer: ResizeObserver | null = null;

  override componentDidMount(): void {
    const el = this.list.current;
    if (!el) return;
    const measure = () => this.setState({ viewportPx: el.clientHeight || 600 });
    measure();
    this.observer = new ResizeObserver(measure);
    this.observer.observe(el);
  }
  override componentWillUnmount(): void {
    this.observer?.disconnect();
  }

  // The callbacks are read from this.props when a row is clicked (Preact keeps
  // this.props current even when an update is skipped), so a new callback alone
  // is no reason to render.
  override shouldComponentUpdate(next: RegionListProps, nextState: State): boolean {
    const p = this.props;
    return (
      next.regions !== p.regions || next.selected !== p.selected || next.hidden !== p.hidden || next.config !== p.config ||
      (next.regions.length >= VIRTUAL_FROM && (nextState.scrollTop !== this.state.scrollTop || nextState.viewportPx !== this.state.viewportPx))
    );
  }

  // Kept in both modes (a short list renders nothing for it), so a list that
  // grows past VIRTUAL_FROM while scrolled starts from the right rows.
  private readonly onScroll = (e: Event) => this.setState({ scrollTop: (e.currentTarget as HTMLElement).scrollTop });

  private row(r: Region, i: number, count: number): JSX.Element {
    const { config, selected, hidden } = this.props;
    const isHidden = hidden.has(r.id);
    return (
      <li key={r.id} class={isHidden ? "region-hidden" : undefined} aria-setsize={count} aria-posinset={i + 1}>
        <button type="button" class="visibility" aria-pressed={isHidden} onClick={() => this.props.onToggleHidden(r.id)}
          aria-label={`Hide region ${i + 1}`} title={isHidden ? "Hidden: show (Alt+H when selected)" : "Hide (Alt+H when selected)"}>
          {isHidden ? "◌" : "●"}
        </button>
        <button type="button" aria-pressed={r.id === selected} onClick={() => this.props.onSelect(r.id === this.props.selected ? null : r.id)}
          aria-label={`Region ${i + 1}: ${regionCaption(r)} (${r.shape.kind})`}>
          <span class="swatch" style={{ backgroundColor: regionColor(config, r) }} />
          {i + 1}. {regionCaption(r)} <small>{r.shape.kind === "span" || r.shape.kind === "xpath" ? `“${r.shape.text ?? ""}”` : r.shape.kind}</small>
        </button>
      </li>
    );
  }

  override render(): JSX.Element {
    const all = this.props.regions;
    const n = all.length;
    if (n < VIRTUAL_FROM) {
      return <ul class="region-list" ref={this.list} onScroll={this.onScroll}>{all.map((r, i) => this.row(r, i, n))}</ul>;
    }
    const { first, last } = rowWindow(this.state.scrollTop, this.state.viewportPx, ROW_PX, n, OVERSCAN);
    return (
      <ul class="region-list virtual" ref={this.list} onScroll={this.onScroll}>
        <li role="presentation" class="spacer" style={{ height: `${first * ROW_PX}px` }} />
        {all.slice(first, last).map((r, k) => this.row(r, first + k, n))}
        <li role="presentation" class="spacer" style={{ height: `${(n - last) * ROW_PX}px` }} />
      </ul>
    );
  }
}
