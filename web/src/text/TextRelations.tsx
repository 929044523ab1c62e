// Relation arrows between text spans: an SVG laid over a <TextView>. Spans
// are found by the run element that starts them (TextView marks every run
// with data-start, and a span always starts a run), so nothing here depends
// on how TextView lays out its text. Re-measured after every render, on
// resize and on scroll.
import type { JSX, RefObject } from "preact";
import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import type { Point } from "../geometry";
import type { Region, Relation } from "../model";

export interface TextRelationsProps {
  /** The positioned element holding both the TextView and this overlay. */
  readonly host: RefObject<HTMLElement>;
  readonly relations: readonly Relation[];
  readonly regions: readonly Region[];
  /** Where a region's arrow ends, in client coordinates; default: the TextView run that starts the span. */
  readonly anchorOf?: (host: HTMLElement, r: Region) => DOMRect | null;
}

interface Arrow {
  readonly key: string;
  readonly from: Point;
  readonly to: Point;
  readonly direction: Relation["direction"];
  readonly label: string;
}

function runAnchor(host: HTMLElement, r: Region): DOMRect | null {
  if (r.shape.kind !== "span") return null;
  return host.querySelector(`[data-start="${r.shape.start}"]`)?.getClientRects()[0] ?? null;
}

function anchor(host: HTMLElement, r: Region | undefined, anchorOf: NonNullable<TextRelationsProps["anchorOf"]>): Point | null {
  const box = r ? anchorOf(host, r) : null;
  if (!box) return null;
  const origin = host.getBoundingClientRect();
  return { x: box.left - origin.left + box.width / 2, y: box.top - origin.top };
}

function head(tip: Point, from: Point): string {
  const a = Math.atan2(tip.y - from.y, tip.x - from.x);
  const side = (d: number) => `${tip.x - 8 * Math.cos(a + d)},${tip.y - 8 * Math.sin(a + d)}`;
  return `${tip.x},${tip.y} ${side(-0.45)} ${side(0.45)}`;
}

export function TextRelations(props: TextRelationsProps): JSX.Element | null {
  const [arrows, setArrows] = useState<readonly Arrow[]>([]);
  const [tick, setTick] = useState(0);
  useLayoutEffect(() => {
    const host = props.host.current;
    if (!host) return;
    const byId = new Map(props.regions.map((r) => [r.id as string, r]));
    const next: Arrow[] = [];
    for (const rel of props.relations) {
      const from = anchor(host, byId.get(rel.fromId), props.anchorOf ?? runAnchor);
      const to = anchor(host, byId.get(rel.toId), props.anchorOf ?? runAnchor);
      if (from && to) next.push({ key: `${rel.fromId}>${rel.toId}`, from, to, direction: rel.direction, label: rel.labels?.join(", ") ?? "" });
    }
    setArrows(next);
  }, [props.relations, props.regions, tick]);
  useEffect(() => {
    const host = props.host.current;
    if (!host) return;
    const again = () => setTick((t) => t + 1);
    const ro = new ResizeObserver(again);
    ro.observe(host);
    host.addEventListener("scroll", again, true);
    return () => {
      ro.disconnect();
      host.removeEventListener("scroll", again, true);
    };
  }, [props.host]);
  if (arrows.length === 0) return null;
  return (
    <svg class="text-relations" aria-hidden="true">
      {arrows.map((a) => {
        // An arc above the text: up from one span, across, down onto the other.
        const lift = Math.min(40, 14 + Math.abs(a.to.x - a.from.x) * 0.08);
        const c1 = { x: a.from.x, y: a.from.y - lift };
        const c2 = { x: a.to.x, y: a.to.y - lift };
        const top = { x: (a.from.x + a.to.x) / 2, y: Math.min(a.from.y, a.to.y) - lift * 0.75 };
        return (
          <g key={a.key} class="relation-arrow">
            <path d={`M${a.from.x},${a.from.y} C${c1.x},${c1.y} ${c2.x},${c2.y} ${a.to.x},${a.to.y}`} fill="none" stroke="#263238" stroke-width={1.5} />
            {a.direction !== "left" && <polygon points={head(a.to, c2)} fill="#263238" />}
            {a.direction !== "right" && <polygon points={head(a.from, c1)} fill="#263238" />}
            {a.label && <text x={top.x} y={top.y} font-size={11} text-anchor="middle" fill="#263238">{a.label}</text>}
          </g>
        );
      })}
    </svg>
  );
}
