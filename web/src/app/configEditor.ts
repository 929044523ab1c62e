// Helpers of the labeling-config editor in project settings (DOM-free):
// which lines the validators' messages point at, where a line starts, and a
// sample task for the live preview when the project has none that fits.
import type { JsonObject, LabelingConfig, Task } from "../model";

/** Messages grouped by the line they name ("line 4: ..."); messages without a line go under 0. */
export function problemLines(messages: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const m of messages) {
    const line = Number(/^\s*line (\d+)/i.exec(m)?.[1] ?? 0);
    const list = out.get(line) ?? [];
    list.push(m);
    out.set(line, list);
  }
  return out;
}

/** The character offset where 1-based `line` starts (the end of the text when past it). */
export function lineStart(text: string, line: number): number {
  let at = 0;
  for (let n = 1; n < line; n++) {
    const nl = text.indexOf("\n", at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return at;
}

const PLACEHOLDER_IMAGE =
  "data:image/svg+xml;charset=utf-8," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400">' +
      '<rect width="640" height="400" fill="#dfe6ee"/><circle cx="200" cy="180" r="90" fill="#8fb3d9"/>' +
      '<rect x="330" y="120" width="220" height="170" fill="#e0a96d"/><text x="320" y="370" font-size="22" text-anchor="middle" fill="#445">sample image</text></svg>',
  );
const SAMPLE_TEXT = "Ada Lovelace wrote the first published program for Charles Babbage's Analytical Engine in London in 1843.";

/** A value for a task field the preview needs but the sample task lacks. */
function sampleValue(type: string): string {
  if (type === "Image") return PLACEHOLDER_IMAGE;
  if (type === "HyperText") return `<p>${SAMPLE_TEXT}</p>`;
  return SAMPLE_TEXT;
}

/**
 * The task the preview shows: `task` (the project's first) with a sample value
 * for every field the config's objects read that it lacks; a task of sample
 * values when the project has none. Its annotations and predictions are dropped.
 */
export function previewTask(config: LabelingConfig, task: Task | undefined): Task {
  const data: Record<string, JsonObject[string]> = { ...(task?.data ?? {}) };
  for (const o of config.objects) {
    if (o.dataKey !== "" && data[o.dataKey] === undefined) data[o.dataKey] = sampleValue(o.type);
  }
  return { id: task?.id ?? 0, data };
}
