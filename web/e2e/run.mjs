// Browser end-to-end tests: Debian's chromium driven by playwright-core.
// Target: TESSERA_URL (+ TESSERA_EMAIL, TESSERA_PASSWORD) for a running
// server; otherwise the in-memory mock of mock-server.mjs serving ../dist.
// Prints "N passed, N failed" and exits non-zero on any failure.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startMock } from "./mock-server.mjs";
import { makePng } from "./png.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

let target;
if (process.env.TESSERA_URL) {
  target = { url: process.env.TESSERA_URL, email: process.env.TESSERA_EMAIL, password: process.env.TESSERA_PASSWORD, close: () => {} };
} else {
  if (!existsSync(join(dist, "index.html"))) throw new Error("run `npm run build` first");
  target = await startMock(dist);
}

// --- A cookie-session API client for setting up fixtures. ---
const jar = new Map();
async function call(method, path, body, extraHeaders = {}) {
  const headers = { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "), "X-CSRFToken": jar.get("csrftoken") ?? "", ...extraHeaders };
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch(target.url + path, { method, headers, body: payload });
  for (const c of res.headers.getSetCookie?.() ?? []) {
    const [kv] = c.split(";");
    const [k, v] = kv.split("=");
    jar.set(k.trim(), v);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
await call("POST", "/api/auth/login", { email: target.email, password: target.password });

const BBOX = `<View>\n  <Image name="img" value="$image"/>\n  <RectangleLabels name="tag" toName="img">\n    <Label value="Planet"/>\n    <Label value="Moonwalker" background="blue"/>\n  </RectangleLabels>\n  <Choices name="kind" toName="img"><Choice value="Space"/><Choice value="Ground"/></Choices>\n</View>`;
const NER = `<View>\n  <Labels name="ner" toName="text"><Label value="Person"/><Label value="Org"/></Labels>\n  <Text name="text" value="$text"/>\n</View>`;

const imgProject = await call("POST", "/api/projects", { title: "E2E boxes", label_config: BBOX });
const form = new FormData();
form.append("file", new Blob([makePng(400, 300)], { type: "image/png" }), "one.png");
form.append("file", new Blob([makePng(400, 300)], { type: "image/png" }), "two.png");
await call("POST", `/api/projects/${imgProject.id}/import`, form);
const nerProject = await call("POST", "/api/projects", { title: "E2E <b>NER</b>", label_config: NER });
await call("POST", `/api/projects/${nerProject.id}/import`, [{ data: { text: "Ada Lovelace worked with <script>alert(1)</script> Babbage." } }]);

// --- The browser. ---
const profile = mkdtempSync(join(tmpdir(), "tessera-e2e-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  viewport: { width: 1280, height: 900 },
});
const page = context.pages()[0] ?? (await context.newPage());
const problems = [];
page.on("console", (m) => {
  if (m.type() === "error") problems.push(m.text());
});
page.on("pageerror", (e) => problems.push(String(e)));

const results = [];
async function test(name, f) {
  try {
    await f();
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, e]);
    console.log(`FAIL ${name}\n     ${String(e?.message ?? e).split("\n").join("\n     ")}`);
    await page.screenshot({ path: join(tmpdir(), `tessera-e2e-${results.length}.png`) }).catch(() => {});
  }
}
const expect = (cond, msg) => {
  if (!cond) throw new Error(msg);
};
const annotationsOf = async (taskId) => call("GET", `/api/tasks/${taskId}/annotations`);

await test("an unknown visitor is sent to /login, and signs in", async () => {
  await page.goto(`${target.url}/projects`);
  await page.waitForURL(/\/login/);
  await page.getByLabel("Email").fill(target.email);
  await page.getByLabel("Password").fill(target.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/projects$/);
  await page.getByRole("link", { name: "E2E boxes" }).waitFor();
});

await test("project names are text, never HTML", async () => {
  await page.getByRole("link", { name: "E2E <b>NER</b>" }).waitFor();
  expect((await page.locator(".project-list b").count()) === 0, "a <b> element was rendered from a project title");
});

await test("the task table lists imported tasks", async () => {
  await page.goto(`${target.url}/projects/${imgProject.id}`);
  await page.getByRole("table").getByRole("row").nth(2).waitFor();
  expect((await page.getByRole("table").getByRole("row").count()) === 3, "expected a header row and two tasks");
});

await test("draw a box with the mouse, relabel by key, answer a choice, submit with Ctrl+Enter", async () => {
  await page.goto(`${target.url}/projects/${imgProject.id}/label`);
  const canvas = page.getByRole("application", { name: /^Image img/ });
  await canvas.locator("svg").waitFor();
  const box = await canvas.boundingBox();
  // The 400x300 image is fitted into the canvas; draw in its middle.
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx - 60, cy - 40);
  await page.mouse.down();
  await page.mouse.move(cx + 20, cy, { steps: 4 });
  await page.mouse.move(cx + 60, cy + 40, { steps: 4 });
  await page.mouse.up();
  await page.getByRole("button", { name: /^Region 1: Planet/ }).waitFor();
  await page.keyboard.press("2"); // relabel the selected box as Moonwalker
  await page.getByRole("button", { name: /^Region 1: Moonwalker/ }).waitFor();
  await page.keyboard.press("3"); // choice Space
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: join(process.env.E2E_SCREENSHOTS, "image-editor.png") });
  const heading = await page.locator(".task-title").textContent();
  const taskId = Number(/\d+/.exec(heading)[0]);
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction((t) => !document.querySelector(".task-title")?.textContent?.includes(`Task ${t}`), taskId);
  const [ann] = await annotationsOf(taskId);
  const rect = ann.result.find((r) => r.type === "rectanglelabels");
  expect(rect, `no rectanglelabels item in ${JSON.stringify(ann.result)}`);
  expect(JSON.stringify(rect.value.rectanglelabels) === '["Moonwalker"]', `labels ${JSON.stringify(rect.value)}`);
  expect(rect.original_width === 400 && rect.original_height === 300, `original size ${rect.original_width}x${rect.original_height}`);
  const v = rect.value;
  expect(v.x > 0 && v.y > 0 && v.width > 5 && v.height > 5 && v.x + v.width <= 100 && v.y + v.height <= 100 && v.rotation === 0, `percent box ${JSON.stringify(v)}`);
  expect(/^[A-Za-z0-9_-]{10}$/.test(rect.id), `region id ${rect.id}`);
  const choice = ann.result.find((r) => r.type === "choices");
  expect(choice && JSON.stringify(choice.value) === '{"choices":["Space"]}', `choices ${JSON.stringify(choice)}`);
});

await test("skip with Ctrl+Space sends was_cancelled, then the stream is empty", async () => {
  const heading = await page.locator(".task-title").textContent();
  const taskId = Number(/\d+/.exec(heading)[0]);
  await page.keyboard.press("Control+Space");
  await page.getByText("Nothing left to label in this project.").waitFor();
  const [ann] = await annotationsOf(taskId);
  expect(ann.was_cancelled === true && ann.result.length === 0, `skip ${JSON.stringify(ann)}`);
});

await test("label a text span (task text is shown as text), undo/redo, submit", async () => {
  await page.goto(`${target.url}/projects/${nerProject.id}/label`);
  const view = page.getByRole("document", { name: /^Text text/ });
  await view.waitFor();
  expect((await view.textContent()).includes("<script>alert(1)</script>"), "task text not shown literally");
  expect((await view.locator("script").count()) === 0, "task HTML was rendered");
  await page.keyboard.press("1"); // Person is active already: pressing 1 toggles it off...
  await page.keyboard.press("1"); // ...and on again.
  // Select "Ada Lovelace" with a DOM range, as a mouse drag would.
  await view.evaluate((el) => {
    const t = el.querySelector("[data-start]").firstChild;
    const r = document.createRange();
    r.setStart(t, 0);
    r.setEnd(t, 13); // includes the trailing space: trimmed away
    const s = getSelection();
    s.removeAllRanges();
    s.addRange(r);
    el.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
  });
  await page.getByRole("button", { name: /^Region 1: Person/ }).waitFor();
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: join(process.env.E2E_SCREENSHOTS, "text-editor.png") });
  await page.keyboard.press("Control+z");
  await page.getByRole("heading", { name: "Regions (0)" }).waitFor();
  await page.keyboard.press("Control+Shift+Z");
  await page.getByRole("heading", { name: "Regions (1)" }).waitFor();
  const heading = await page.locator(".task-title").textContent();
  const taskId = Number(/\d+/.exec(heading)[0]);
  await page.getByRole("button", { name: "Submit (Ctrl+Enter)" }).click();
  await page.getByText("Nothing left to label in this project.").waitFor();
  const [ann] = await annotationsOf(taskId);
  const span = ann.result[0];
  // JSON objects are unordered: compare with sorted keys.
  const canon = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
  expect(canon(span.value) === canon({ start: 0, end: 12, text: "Ada Lovelace", labels: ["Person"] }), `span ${JSON.stringify(span)}`);
  expect(span.type === "labels" && span.from_name === "ner" && span.to_name === "text", `item ${JSON.stringify(span)}`);
});

await test("the settings page shows the server's line-numbered config errors", async () => {
  await page.goto(`${target.url}/projects/${nerProject.id}/settings`);
  const area = page.getByLabel("Labeling config (XML)");
  await area.waitFor();
  await area.fill("<Vew></Vew>");
  await page.getByRole("button", { name: "Validate" }).click();
  await page.getByRole("list", { name: "Problems reported by the server" }).waitFor();
  const text = await page.getByRole("list", { name: "Problems reported by the server" }).textContent();
  expect(/line \d+/.test(text), `server message without a line: ${text}`);
});

await test("no console errors or CSP violations", async () => {
  const bad = problems.filter((p) => !/status of 40[0134]/.test(p));
  expect(bad.length === 0, bad.join("\n"));
});

await context.close();
rmSync(profile, { recursive: true, force: true });
target.close();
const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
