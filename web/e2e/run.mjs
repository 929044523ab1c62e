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
import { apiClient, choice, signedInMember } from "./client.mjs";

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
const call = apiClient(target.url);
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

// --- The quality dashboard (needs the real server: users, roles, agreement). ---
const SENTIMENT = `<View>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n    <Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/>\n  </Choices>\n</View>`;
// Two annotators, four tasks; they agree on tasks 1 and 2 only.
//   task:  1         2         3         4
//   Ann:   Positive  Negative  Positive  Neutral
//   Bob:   Positive  Negative  Negative  Positive
// Krippendorff's alpha (nominal) by hand: each task has two values, so each
// ordered pair adds 1/(2-1) = 1 to the coincidence matrix o:
//   o(P,P) = 2 (task 1), o(N,N) = 2 (task 2), o(P,N) = o(N,P) = 1 (task 3),
//   o(P,U) = o(U,P) = 1 (task 4), U = Neutral.
//   n = 8 values; marginals n_P = 2+1+1 = 4, n_N = 2+1 = 3, n_U = 1.
//   Disagreeing pairs observed: sum_{c!=k} o(c,k) = 4;
//   expected: sum_{c!=k} n_c n_k = n^2 - sum n_c^2 = 64 - (16+9+1) = 38.
//   alpha = 1 - (n-1) * 4 / 38 = 1 - 28/38 = 5/19 = 0.263 (3 decimals).
// Cohen's kappa Ann vs Bob: p_o = 2/4; p_e = P: 2/4*2/4 + N: 1/4*2/4 + U: 1/4*0
//   = 0.375; kappa = (0.5-0.375)/(1-0.375) = 0.2 (the heatmap's off-diagonal cell).
// Task scores: 1, 1, 0, 0, so the lowest task is task 3 (ties go by task id).
const ANSWERS = {
  ann: ["Positive", "Negative", "Positive", "Neutral"],
  bob: ["Positive", "Negative", "Negative", "Positive"],
};
const stamp = Date.now().toString(36);
const people = {
  ann: { email: `ann-${stamp}@e2e.local`, password: "ann-password-123", first_name: "Ann", last_name: "Lee" },
  bob: { email: `bob-${stamp}@e2e.local`, password: "bob-password-123", first_name: "Bob", last_name: "Roe" },
};
let quality; // { project, taskIds }

if (process.env.TESSERA_URL) {
  await test("two annotators label four tasks through the API", async () => {
    const project = await call("POST", "/api/projects", { title: "E2E quality", label_config: SENTIMENT });
    const imported = await call("POST", `/api/projects/${project.id}/import?return_task_ids=1`,
      ["Great value.", "Broke in a day.", "Fine, I guess.", "Does what it says."].map((text) => ({ data: { text } })));
    const taskIds = imported.task_ids;
    expect(taskIds?.length === 4, `import ${JSON.stringify(imported)}`);
    for (const who of ["ann", "bob"]) {
      const as = await signedInMember(target.url, call, project.id, people[who]);
      for (let i = 0; i < 4; i++) {
        await as("POST", `/api/tasks/${taskIds[i]}/annotations`, { result: [choice("sentiment", "text", ANSWERS[who][i])] });
      }
    }
    quality = { project, taskIds };
  });

  await test("the project page links to the quality dashboard", async () => {
    await page.goto(`${target.url}/projects/${quality.project.id}`);
    await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Quality" }).click();
    await page.waitForURL(new RegExp(`/projects/${quality.project.id}/quality$`));
    await page.getByRole("heading", { name: "Quality: E2E quality" }).waitFor();
  });

  await test("the dashboard shows α, the annotator heatmap, per-label agreement and red flags", async () => {
    const controls = page.getByRole("table").filter({ has: page.getByRole("columnheader", { name: "Fleiss κ" }) });
    const row = controls.getByRole("row").filter({ has: page.getByRole("button", { name: "sentiment" }) });
    await row.waitFor();
    const cells = await row.getByRole("cell").allTextContents();
    // [type, metric, value, percent agreement, Fleiss κ, tasks]
    expect(cells[0] === "choices" && cells[1] === "Krippendorff's α", `row ${JSON.stringify(cells)}`);
    expect(cells[2].startsWith("0.263"), `alpha cell ${JSON.stringify(cells[2])}, want 0.263 (5/19)`);
    expect(cells[3].startsWith("0.500") && cells[4].startsWith("0.158") && cells[5] === "4", `row ${JSON.stringify(cells)}`);
    expect(cells[2].includes("below threshold"), "alpha below 0.6 not marked");
    const cell = page.getByRole("cell", { name: "Ann Lee vs Bob Roe: 0.20", exact: true });
    await cell.waitFor();
    expect((await cell.textContent()) === "0.20", `heatmap cell text ${await cell.textContent()}`);
    const bg = await cell.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg !== "rgba(0, 0, 0, 0)" && bg !== "rgb(255, 255, 255)", `heatmap cell not coloured: ${bg}`);
    await page.getByRole("cell", { name: "Bob Roe vs Ann Lee: 0.20", exact: true }).waitFor();
    await page.getByRole("row", { name: /^Negative 3 0\.667/ }).waitFor();
    const flags = page.getByRole("region", { name: /^Red flags/ });
    await flags.getByText("Control 'sentiment': Krippendorff's α 0.26 is below 0.6").waitFor();
    await flags.getByText("Annotator Ann Lee: mean pairwise agreement 0.20 is below 0.6").waitFor();
    await flags.getByText("2 tasks score below 0.6").waitFor();
    await page.getByRole("img", { name: "0.0–0.1: 2 tasks" }).waitFor();
    await page.getByRole("img", { name: "0.9–1.0: 2 tasks" }).waitFor();
    await page.getByRole("table").filter({ has: page.getByRole("columnheader", { name: "Estimated accuracy" }) }).getByRole("row", { name: /Ann Lee/ }).waitFor();
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: join(process.env.E2E_SCREENSHOTS, "quality.png"), fullPage: true });
  });

  await test("changing the threshold refetches the flags", async () => {
    const input = page.getByRole("spinbutton", { name: "Threshold" });
    await input.fill("0.2");
    await input.press("Enter");
    await page.waitForURL(/\?threshold=0\.2$/);
    const flags = page.getByRole("region", { name: /^Red flags/ });
    await flags.getByText("2 tasks score below 0.2").waitFor();
    // alpha 0.263 and kappa 0.2 are not below 0.2.
    expect((await flags.getByRole("listitem").count()) === 1, `flags: ${await flags.textContent()}`);
  });

  await test("one click on the lowest task opens it for review", async () => {
    const list = page.getByRole("region", { name: "Per-task agreement" }).getByRole("list");
    const first = list.getByRole("link").first();
    expect((await first.textContent()) === `Task ${quality.taskIds[2]}`, `first lowest task: ${await first.textContent()}`);
    await first.click();
    await page.waitForURL(new RegExp(`/projects/${quality.project.id}/tasks/${quality.taskIds[2]}$`));
    await page.getByRole("heading", { name: new RegExp(`^Task ${quality.taskIds[2]}`) }).waitFor();
  });

  await test("an annotator sees no Quality link, and the dashboard explains the 403", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);
    await page.getByLabel("Email").fill(people.ann.email);
    await page.getByLabel("Password").fill(people.ann.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/projects$/);
    await page.goto(`${target.url}/projects/${quality.project.id}`);
    await page.getByRole("table").getByRole("row").nth(4).waitFor();
    await page.waitForLoadState("networkidle");
    const nav = page.getByRole("navigation", { name: "Project" });
    await nav.getByRole("link", { name: "Settings" }).waitFor();
    expect((await nav.getByRole("link", { name: "Quality" }).count()) === 0, "annotators should not get a Quality link");
    await page.goto(`${target.url}/projects/${quality.project.id}/quality`);
    const alert = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Quality figures are for reviewers, managers and owners" }) });
    await alert.waitFor();
    expect(/annotator/.test(await alert.textContent()), `403 text: ${await alert.textContent()}`);
    // Back to the administrator for anything after this.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);
    await page.getByLabel("Email").fill(target.email);
    await page.getByLabel("Password").fill(target.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/projects/);
  });
} else {
  console.log("skip the quality dashboard scenarios (the mock server has no users, roles or agreement)");
}

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
