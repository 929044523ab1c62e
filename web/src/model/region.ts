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
