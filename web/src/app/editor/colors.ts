// Colours for labels: the config's background= when set, else a palette.
import type { LabelingConfig, Region } from "../../model";
import { findControl, resultValue } from "../../model";

const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324", "#469990", "#800000"];

// Only plain colour names and hex values reach style attributes.
const SAFE_COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$/;

export function labelColor(config: LabelingConfig, control: string, value: string): string {
  const c = findControl(config, control);
  const idx = c ? c.options.findIndex((o) => resultValue(o) === value || o.value === value) : -1;
  const bg = idx >= 0 ? c?.options[idx]?.background ?? "" : "";
  if (bg && SAFE_COLOR.test(bg)) return bg;
  return PALETTE[(idx < 0 ? 0 : idx) % PALETTE.length] as string;
}

export function regionColor(config: LabelingConfig, r: Region): string {
  const first = r.labels?.[0];
  return first === undefined ? "#ff9800" : labelColor(config, r.fromName, first);
}

export function regionCaption(r: Region): string {
  if (r.labels && r.labels.length) return r.labels.join(", ");
  return r.labels ? "(no label)" : r.type;
}
