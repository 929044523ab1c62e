// Relation arrows over the image: drawn inside ImageCanvas's transformed
// group (its `overlay` slot), from the centre of one region to the centre of
// another, in image pixels. Only relations whose two ends are on this image
// are drawn; the editor's side panel lists them all.
import type { JSX } from "preact";
import { type Point, type Size, percentToPixel, rectCorners } from "../geometry";
import type { Region, Relation, Shape } from "../model";
import { rectToPx } from "./hit";

/** The centre of a shape in image pixels, or null for shapes the canvas does not draw. */
export function shapeCenter(shape: Shape, size: Size): Point | null {
  switch (shape.kind) {
    case "rect": {
      const cs = rectCorners(rectToPx(shape, size));
      return { x: cs.reduce((a, p) => a + p.x, 0) / 4, y: cs.reduce((a, p) => a + p.y, 0) / 4 };
    }
    case "polygon": {
      if (shape.points.length === 0) return null;
      const ps = shape.points.map((p) => percentToPixel(p, size));
      return { x: ps.reduce((a, p) => a + p.x, 0) / ps.length, y: ps.reduce((a, p) => a + p.y, 0) / ps.length };
    }
    case "keypoint":
    case "ellipse":
      return percentToPixel(shape, size);
    default:
      return null;
  }
}

/** The three points of an arrow head at `tip`, pointing away from `from`. */
export function arrowHead(from: Point, tip: Point, length: number): [Point, Point, Point] {
  const angle = Math.atan2(tip.y - from.y, tip.x - from.x);
  const side = (a: number): Point => ({ x: tip.x - length * Math.cos(a), y: tip.y - length * Math.sin(a) });
  return [tip, side(angle - 0.45), side(angle + 0.45)];
}

export interface RelationArrowsProps {
  readonly relations: readonly Relation[];
  readonly regions: readonly Region[];
  readonly size: Size;
  readonly scale: number;
}

export function RelationArrows(props: RelationArrowsProps): JSX.Element {
  const byId = new Map(props.regions.map((r) => [r.id as string, r]));
  const head = 10 / props.scale;
  return (
    <g class="relation-arrows" pointer-events="none">
      {props.relations.map((rel) => {
        const a = byId.get(rel.fromId);
        const b = byId.get(rel.toId);
        const p = a && shapeCenter(a.shape, props.size);
        const q = b && shapeCenter(b.shape, props.size);
        if (!p || !q) return null;
        const heads: [Point, Point][] = rel.direction === "left" ? [[q, p]] : rel.direction === "bi" ? [[p, q], [q, p]] : [[p, q]];
        const mid = { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
        return (
          <g key={`${rel.fromId}>${rel.toId}`} class="relation-arrow" data-from={rel.fromId} data-to={rel.toId}>
            <line x1={p.x} y1={p.y} x2={q.x} y2={q.y} stroke="#fff" stroke-width={4} vector-effect="non-scaling-stroke" />
            <line x1={p.x} y1={p.y} x2={q.x} y2={q.y} stroke="#263238" stroke-width={2} vector-effect="non-scaling-stroke" />
            {heads.map(([f, t], i) => (
              <polygon key={i} points={arrowHead(f, t, head).map((x) => `${x.x},${x.y}`).join(" ")} fill="#263238" stroke="#fff" stroke-width={1} vector-effect="non-scaling-stroke" />
            ))}
            {rel.labels && rel.labels.length > 0 && (
              <text x={mid.x} y={mid.y - 4 / props.scale} font-size={12 / props.scale} fill="#263238" class="relation-caption">{rel.labels.join(", ")}</text>
            )}
          </g>
        );
      })}
    </g>
  );
}
