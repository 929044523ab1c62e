// Prefetching the labeling stream's next task: which media of a task to load
// ahead, and loading them. The stream asks the server for the task after the
// one on screen (`GET /next?exclude=<on screen>`, reserved for this user like
// any task), then loads and decodes its pictures here, so that after the
// submit the canvas finds them in the browser's memory cache and draws at once.
import type { LabelingConfig, Task } from "../model";

/** The URLs of the pictures `task` shows under `config` (its Image objects' values), without repeats. */
export function mediaUrls(config: LabelingConfig, task: Task): string[] {
  const out: string[] = [];
  for (const obj of config.objects) {
    if (obj.type !== "Image") continue;
    const v = obj.dataKey ? task.data[obj.dataKey] : obj.value;
    if (typeof v === "string" && v !== "" && !out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * Starts loading and decoding `urls`. Keep the returned elements alive until
 * the task is on screen: while one exists, its decoded picture stays in the
 * page's memory cache (the canvas's own `new Image()` of the same URL is then
 * complete at once). Failures are left to the canvas, which reports them.
 */
export function preloadImages(urls: readonly string[]): HTMLImageElement[] {
  return urls.map((url) => {
    const img = new Image();
    img.decoding = "async";
    img.src = url;
    img.decode().catch(() => undefined);
    return img;
  });
}
