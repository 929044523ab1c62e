// Building new regions the way the tools make them.
import type { Size } from "../geometry";
import type { Region, Shape } from "./annotation";
import type { ActiveLabel } from "./commands";
import { type ControlTag, resultType } from "./config";
import type { RegionId } from "./ids";
import type { JsonObject } from "./json";

export function newRegion(opts: {
  readonly id: RegionId;
  readonly control: ControlTag;
  readonly toName: string;
  readonly shape: Shape;
  readonly label: ActiveLabel | null;
  readonly original?: Size;
  readonly valueExtra?: JsonObject;
}): Region {
  const type = resultType(opts.control.type);
  const hasLabels = type.endsWith("labels");
  return {
    kind: "region", id: opts.id, version: 0, fromName: opts.control.name, toName: opts.toName, type, shape: opts.shape,
    labels: hasLabels ? (opts.label && opts.label.control === opts.control.name ? [opts.label.value] : []) : undefined,
    original: opts.original, valueExtra: opts.valueExtra ?? {}, extra: {}, attached: [],
  };
}

/**
 * The shape a keyboard-made region starts with (Alt+N): a box, ellipse or
 * square polygon of a fifth of the image, or a point, in the middle; then
 * arrows move it and Alt+arrows resize it (a polygon's vertices still need a
 * pointer to reshape). Null for controls that make no image region.
 */
export function defaultShapeFor(control: ControlTag): Shape | null {
  const t = control.type;
  if (t === "RectangleLabels" || t === "Rectangle") return { kind: "rect", x: 40, y: 40, width: 20, height: 20, rotation: 0 };
  if (t === "EllipseLabels" || t === "Ellipse") return { kind: "ellipse", x: 50, y: 50, radiusX: 10, radiusY: 10, rotation: 0 };
  if (t === "KeyPointLabels" || t === "KeyPoint") return { kind: "keypoint", x: 50, y: 50 };
  if (t === "PolygonLabels" || t === "Polygon") {
    return { kind: "polygon", points: [{ x: 40, y: 40 }, { x: 60, y: 40 }, { x: 60, y: 60 }, { x: 40, y: 60 }] };
  }
  return null;
}
