// A scenario with real photos from ../shared/media (beside this repository,
// as CI lays it out; issue 3): uploaded as files the way the import page
// sends them, drawn on in the labeling stream, and stored with the photo's
// own size, read here from its PNG header. Called by run.mjs against the
// real server; skipped when ../shared is not there.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MEDIA = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared", "media", "images");

export async function photoScenarios({ page, target, call, test, expect, annotationsOf, config }) {
  if (!existsSync(MEDIA)) {
    console.log(`skip the ../shared/media photo scenario (${MEDIA} not found)`);
    return;
  }
  await test("photos from ../shared/media: uploaded, drawn on, stored with the photo's own size", async () => {
    const project = await call("POST", "/api/projects", { title: "E2E photos", label_config: config });
    const upload = new FormData();
    const sizes = new Map();
    for (const name of ["coins.png", "camera.png"]) {
      const bytes = readFileSync(join(MEDIA, name));
      sizes.set(name, { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) });  // IHDR
      upload.append("file", new Blob([bytes], { type: "image/png" }), name);
    }
    const imported = await call("POST", `/api/projects/${project.id}/import?return_task_ids=1`, upload);
    expect(imported.task_ids?.length === 2, `import ${JSON.stringify(imported)}`);
    await page.goto(`${target.url}/projects/${project.id}/label`);
    const canvas = page.getByRole("application", { name: /^Image img/ });
    await canvas.locator("svg").waitFor();
    await page.waitForFunction(() => (document.querySelector(".canvas-host img.canvas-picture")?.naturalWidth ?? 0) > 0);
    const b = await canvas.boundingBox();
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    await page.mouse.move(cx - 50, cy - 30);
    await page.mouse.down();
    await page.mouse.move(cx + 50, cy + 30, { steps: 5 });
    await page.mouse.up();
    await page.getByRole("button", { name: /^Region 1: Planet/ }).waitFor();
    const taskId = Number(/\d+/.exec(await page.locator(".task-title").textContent())[0]);
    await page.keyboard.press("Control+Enter");
    await page.waitForFunction((t) => !document.querySelector(".task-title")?.textContent?.includes(`Task ${t}`), taskId);
    const task = await call("GET", `/api/tasks/${taskId}`);
    const name = [...sizes.keys()].find((n) => String(task.data.image).includes(n.replace(".png", "")));
    expect(name, `which photo is task ${taskId}: ${JSON.stringify(task.data)}`);
    const [ann] = await annotationsOf(taskId);
    const rect = ann.result.find((r) => r.type === "rectanglelabels");
    const want = sizes.get(name);
    expect(rect && rect.original_width === want.width && rect.original_height === want.height,
      `${name}: stored ${rect?.original_width}x${rect?.original_height}, the photo is ${want.width}x${want.height}`);
    const v = rect.value;
    expect(v.x > 0 && v.y > 0 && v.width > 1 && v.height > 1 && v.x + v.width <= 100 && v.y + v.height <= 100, `percent box ${JSON.stringify(v)}`);
  });
}
