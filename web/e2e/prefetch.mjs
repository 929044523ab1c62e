// The labeling stream's prefetch (issue 3: "the next task and its image are
// prefetched"): once a task is on screen, the one after it is reserved for
// the annotator (GET /next?exclude=<on screen>) and its picture is fetched and
// decoded before the submit; the submit then shows that task with the picture
// from the page's memory cache. Called by run.mjs against the real server.
import { makePng } from "./png.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function prefetchScenarios({ page, target, call, test, expect }) {
  const BBOX = `<View>\n  <Image name="img" value="$image"/>\n  <RectangleLabels name="tag" toName="img"><Label value="Car"/></RectangleLabels>\n</View>`;
  const until = async (f, what, ms = 10000) => {
    const t0 = Date.now();
    while (!f()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out: ${what}`);
      await sleep(20);
    }
  };

  await test("stream prefetch: the next task is reserved and its image loaded before the submit; the submit shows it", async () => {
    const p = await call("POST", "/api/projects", { title: "E2E prefetch", label_config: BBOX });
    const form = new FormData();
    for (let k = 0; k < 3; k++) form.append("file", new Blob([makePng(401 + k, 300)], { type: "image/png" }), `prefetch${k}.png`);
    const imported = await call("POST", `/api/projects/${p.id}/import?return_task_ids=1`, form);
    const tasks = await Promise.all([...imported.task_ids].sort((a, b) => a - b).map((id) => call("GET", `/api/tasks/${id}`)));
    expect(tasks.length === 3, `imported ${tasks.length} tasks`);
    const [t0, t1, t2] = tasks;
    const url = (t) => new URL(t.data.image, target.url).href;
    const log = [];
    const onRequest = (r) => log.push({ kind: "request", url: r.url() });
    const onFinished = (r) => log.push({ kind: "finished", url: r.url() });
    const seen = (kind, u) => log.some((e) => e.kind === kind && e.url === u);
    page.on("request", onRequest);
    page.on("requestfinished", onFinished);
    try {
      await page.goto(`${target.url}/projects/${p.id}/label`);
      await page.locator(".task-title").filter({ hasText: `Task ${t0.id}` }).waitFor();
      await page.locator(`.canvas-host img.canvas-picture[src="${t0.data.image}"]`).waitFor();
      // Before any submit: the next task was asked for with exclude=<on screen>, and its picture loaded.
      await until(() => seen("finished", url(t1)), `the image of task ${t1.id} loaded before the submit`);
      const asked = log.filter((e) => e.kind === "request" && /\/next\?exclude=/.test(e.url)).map((e) => e.url);
      expect(asked.length === 1 && asked[0].endsWith(`/api/projects/${p.id}/next?exclude=${t0.id}`), `prefetch requests ${JSON.stringify(asked)}`);
      expect(!seen("request", url(t2)), "the task after next was fetched too early");
      // The prefetched task is reserved for this annotator: two locks, on t0 and t1.
      const locks = await call("GET", `/api/projects/${p.id}/locks`);
      const locked = locks.map((l) => l.task ?? l.task_id).sort((a, b) => a - b);
      expect(JSON.stringify(locked) === JSON.stringify([t0.id, t1.id]), `locks ${JSON.stringify(locks)}`);
      // The page's memory cache has the decoded picture: a new <img> is complete at once.
      const cached = await page.evaluate((u) => {
        const img = new Image();
        img.src = u;
        return img.complete && img.naturalWidth === 402;
      }, t1.data.image);
      expect(cached, "the prefetched picture is not in the page's memory cache");

      const mark = log.length;
      await page.keyboard.press("Control+Enter");
      await page.locator(".task-title").filter({ hasText: `Task ${t1.id}` }).waitFor();
      await page.locator(`.canvas-host img.canvas-picture[src="${t1.data.image}"][width="402"]`).waitFor();
      const after = log.slice(mark);
      expect(!after.some((e) => e.kind === "request" && e.url === url(t1)), `task ${t1.id}'s image was fetched again after the submit`);
      const [ann] = await call("GET", `/api/tasks/${t0.id}/annotations`);
      expect(ann && ann.result.length === 0, `task ${t0.id} annotation ${JSON.stringify(ann)}`);
      // Now the stream prefetches t2, and t0's lock is gone with its submit.
      await until(() => seen("finished", url(t2)), `the image of task ${t2.id} loaded`);
      const locks2 = (await call("GET", `/api/projects/${p.id}/locks`)).map((l) => l.task ?? l.task_id).sort((a, b) => a - b);
      expect(JSON.stringify(locks2) === JSON.stringify([t1.id, t2.id]), `locks after the submit ${JSON.stringify(locks2)}`);
      // Leaving the stream gives back the prefetched task (t2) at once; the task
      // on screen (t1) stays reserved for when the annotator comes back.
      const held = async () => (await call("GET", `/api/projects/${p.id}/locks`)).map((l) => l.task ?? l.task_id).sort((a, b) => a - b);
      const waitLocks = async (want, what) => {
        let got = [];
        for (let k = 0; k < 200; k++) {
          got = await held();
          if (JSON.stringify(got) === JSON.stringify(want)) return;
          await sleep(25);
        }
        throw new Error(`${what}: locks ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      };
      await page.getByRole("link", { name: "Back to tasks" }).click();
      await waitLocks([t1.id], "after leaving the stream");
      await page.goto(`${target.url}/projects/${p.id}/label`);
      await page.locator(".task-title").filter({ hasText: `Task ${t1.id}` }).waitFor();
      await waitLocks([t1.id, t2.id], "back in the stream (t2 prefetched again)");
      // A reload keeps the order: the older reserved task (t1) first.
      await page.reload();
      await page.locator(".task-title").filter({ hasText: `Task ${t1.id}` }).waitFor();
      for (const t of [t1, t2]) {
        await page.locator(`.canvas-host img.canvas-picture[src="${t.data.image}"]`).waitFor();
        await page.keyboard.press("Control+Enter");
      }
      await page.getByText("Nothing left to label in this project.").waitFor();
      const done = await Promise.all([t0, t1, t2].map((t) => call("GET", `/api/tasks/${t.id}/annotations`)));
      expect(done.every((a) => a.length === 1), `annotations per task ${done.map((a) => a.length)}`);
      expect((await call("GET", `/api/projects/${p.id}/locks`)).length === 0, "locks left after the last submit");
    } finally {
      page.off("request", onRequest);
      page.off("requestfinished", onFinished);
    }
  });
}
