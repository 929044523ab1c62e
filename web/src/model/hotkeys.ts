// Which key picks which label or choice. A config's hotkey="..." wins; the
// remaining options of Labels-family and Choices controls get 1..9 then 0, in
// document order, as long as those keys are free.
import type { LabelingConfig } from "./config";
import { resultValue } from "./config";

export interface OptionHotkey {
  readonly key: string;
  readonly control: string;
  /** The value results carry (alias or value). */
  readonly value: string;
  /** The text shown (value). */
  readonly text: string;
}

/** Keys the editor itself uses; a config hotkey on one of these is ignored. */
export const RESERVED_KEYS: readonly string[] = [
  "escape", "delete", "backspace", "tab", "enter", "arrowup", "arrowdown", "arrowleft", "arrowright", "?", "=", "-", "[", "]", "{", "}",
];

const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];

const takesHotkeys = (type: string): boolean => type.endsWith("Labels") || type === "Choices";

export function assignHotkeys(config: LabelingConfig): readonly OptionHotkey[] {
  const out: OptionHotkey[] = [];
  const taken = new Set<string>(RESERVED_KEYS);
  for (const c of config.controls) {
    if (!takesHotkeys(c.type)) continue;
    for (const o of c.options) {
      const k = o.hotkey.trim().toLowerCase();
      if (k !== "" && !taken.has(k)) {
        taken.add(k);
        out.push({ key: k, control: c.name, value: resultValue(o), text: o.value });
      }
    }
  }
  let next = 0;
  for (const c of config.controls) {
    if (!takesHotkeys(c.type)) continue;
    for (const o of c.options) {
      if (out.some((h) => h.control === c.name && h.value === resultValue(o))) continue;
      while (next < DIGITS.length && taken.has(DIGITS[next] as string)) next++;
      const digit = DIGITS[next];
      if (digit === undefined) return out;
      taken.add(digit);
      out.push({ key: digit, control: c.name, value: resultValue(o), text: o.value });
    }
  }
  return out;
}
