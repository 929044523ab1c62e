// Takes the editor's pictures for docs/ and the README from pictures in
// ../shared/media: ellipses and a rotated box (docs/editor-ellipses.png),
// per-region answers (docs/editor-per-region.png), NER spans with word
// snapping (docs/editor-text.png) and the settings page's live config check
// and preview (docs/editor-settings.png).
//
//   TESSERA_BIN=../build/tessera node e2e/editor-screenshots.mjs
// TESSERA_WEB_DIST (default ../dist) is the built app the server serves;
// OUT_DIR (default ../docs) where the pictures go.
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { apiClient } from "./client.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.env.OUT_DIR ?? join(here, "..", "..", "docs"));
const media = resolve(process.env.TESSERA_MEDIA ?? join(here, "..", "..", "..", "shared", "media", "images"));
const bin = resolve(process.env.TESSERA_BIN ?? join(here, "..", "..", "build", "tessera"));
const dist = resolve(process.env.TESSERA_WEB_DIST ?? join(here, "..", "dist"));

const dataDir = mkdtempSync(join(tmpdir(), "tessera-editor-shot-"));
const email = "admin@demo.local";
const password = "admin-password-123";
execFileSync(bin, ["user", "add", "--data", dataDir, "--email", email, "--password", password, "--admin"], { stdio: "ignore" });
const server = spawn(bin, ["serve", "--data", dataDir, "--port", "0", "--static-dir", dist], { stdio: ["ignore", "pipe", "pipe"] });
const url = await new Promise((ok, fail) => {
  let log = "";
  const look = (chunk) => {
    log += chunk;
    const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
    if (m) ok(`http://127.0.0.1:${m[1]}`);
  };
  server.stdout.on("data", look);
  server.stderr.on("data", look);
  server.on("exit", (code) => fail(new Error(`the server exited (${code}):\n${log}`)));
  setTimeout(() => fail(new Error(`the server did not start:\n${log}`)), 10000);
});
const call = apiClient(url);
await call("POST", "/api/auth/login", { email, password });

async function projectWithImage(title, label_config, file) {
  const p = await call("POST", "/api/projects", { title, label_config });
  const form = new FormData();
  form.append("file", new Blob([readFileSync(join(media, file))], { type: file.endsWith(".png") ? "image/png" : "image/jpeg" }), file);
  await call("POST", `/api/projects/${p.id}/import`, form);
  const page = await call("GET", `/api/tasks?project=${p.id}&page=1&page_size=1`);
  return { id: p.id, task: page.tasks[0].id };
}

// ---- coins: ellipses and a rotated box ----
const COINS = `<View>
  <Header value="Mark every coin; box the portraits"/>
  <Image name="img" value="$image"/>
  <EllipseLabels name="coin" toName="img">
    <Label value="Coin" background="#e6194b"/><Label value="Worn coin" background="#f58231"/>
  </EllipseLabels>
  <RectangleLabels name="detail" toName="img"><Label value="Portrait" background="#4363d8"/></RectangleLabels>
</View>`;
const W = 384;
const H = 303;
const coin = (id, cx, cy, r, label = "Coin", rotation = 0, ry = r) => ({
  id, from_name: "coin", to_name: "img", type: "ellipselabels", original_width: W, original_height: H, image_rotation: 0,
  value: { x: (cx / W) * 100, y: (cy / H) * 100, radiusX: (r / W) * 100, radiusY: (ry / H) * 100, rotation, ellipselabels: [label] },
});
const coinResult = [
  coin("c1", 45, 55, 22), coin("c2", 100, 55, 20), coin("c3", 155, 50, 23), coin("c4", 215, 50, 24), coin("c5", 275, 50, 20),
  coin("c6", 333, 42, 26, "Coin", 10, 30), coin("c7", 45, 125, 21), coin("c8", 102, 125, 20, "Worn coin"), coin("c9", 153, 127, 20),
  coin("c10", 205, 125, 21), coin("c11", 270, 118, 25), coin("c12", 347, 185, 32, "Coin", 0, 31),
  {
    id: "p1", from_name: "detail", to_name: "img", type: "rectanglelabels", original_width: W, original_height: H, image_rotation: 0,
    value: { x: (196.5 / W) * 100, y: (164 / H) * 100, width: (44 / W) * 100, height: (48 / H) * 100, rotation: 12, rectanglelabels: ["Portrait"] },
  },
];

// ---- a cat with per-region answers ----
const PER_REGION = `<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="animal" toName="img"><Label value="Cat"/><Label value="Eye"/></RectangleLabels>
  <View visibleWhen="region-selected">
    <Header value="About the selected region"/>
    <Choices name="pose" toName="img" perRegion="true" showInLine="true"><Choice value="Sitting" hotkey="s"/><Choice value="Lying" hotkey="l"/></Choices>
    <TextArea name="note" toName="img" perRegion="true" placeholder="Note on this region"/>
    <Rating name="sharpness" toName="img" perRegion="true" maxRating="5"/>
  </View>
  <Choices name="scene" toName="img" showInLine="true"><Choice value="Indoors"/><Choice value="Outdoors"/></Choices>
</View>`;
const CW = 451;
const CH = 300;
const box = (id, x, y, w, h, label) => ({
  id, from_name: "animal", to_name: "img", type: "rectanglelabels", original_width: CW, original_height: CH, image_rotation: 0,
  value: { x: (x / CW) * 100, y: (y / CH) * 100, width: (w / CW) * 100, height: (h / CH) * 100, rotation: 0, rectanglelabels: [label] },
});
const catResult = [
  box("cat", 95, 20, 300, 270, "Cat"),
  { id: "cat", from_name: "pose", to_name: "img", type: "choices", value: { choices: ["Sitting"] } },
  { id: "cat", from_name: "note", to_name: "img", type: "textarea", value: { text: ["Tabby, looking at the camera"] } },
  { id: "cat", from_name: "sharpness", to_name: "img", type: "rating", value: { rating: 4 } },
  box("eye1", 143, 88, 58, 50, "Eye"),
  box("eye2", 288, 98, 58, 52, "Eye"),
  { id: "s1", from_name: "scene", to_name: "img", type: "choices", value: { choices: ["Indoors"] } },
];

// ---- NER with word snapping ----
const NER = `<View>
  <Labels name="ner" toName="text">
    <Label value="Person" background="#e6194b"/><Label value="Organization" background="#4363d8"/>
    <Label value="Location" background="#3cb44b"/><Label value="Date" background="#f58231"/>
  </Labels>
  <Text name="text" value="$text" granularity="word"/>
  <Choices name="sentiment" toName="text" showInLine="true"><Choice value="Positive"/><Choice value="Neutral"/><Choice value="Negative"/></Choices>
</View>`;
const text = "Ada Lovelace, working with Charles Babbage in London, published the first algorithm for the Analytical Engine in 1843. " +
  "The Science Museum in London later built his Difference Engine No. 2 from the original drawings.";
const span = (id, word, label, from = 0) => {
  const start = text.indexOf(word, from);
  return { id, from_name: "ner", to_name: "text", type: "labels", value: { start, end: start + word.length, text: word, labels: [label] } };
};
const nerResult = [
  span("n1", "Ada Lovelace", "Person"), span("n2", "Charles Babbage", "Person"), span("n3", "London", "Location"),
  span("n4", "1843", "Date"), span("n5", "The Science Museum", "Organization"), span("n6", "London", "Location", 130),
  span("n7", "Science Museum in London", "Organization"),
];

const profile = mkdtempSync(join(tmpdir(), "tessera-editor-shot-profile-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1360, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${url}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/projects$/);

  const coins = await projectWithImage("Coins", COINS, "coins.png");
  await call("POST", `/api/tasks/${coins.task}/annotations`, { result: coinResult });
  await page.goto(`${url}/projects/${coins.id}/tasks/${coins.task}`);
  await page.getByRole("application", { name: /^Image img/ }).locator("svg").waitFor();
  await page.getByRole("button", { name: /^Region 13: Portrait/ }).click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, "editor-ellipses.png") });

  const cat = await projectWithImage("Cats", PER_REGION, "chelsea.png");
  await call("POST", `/api/tasks/${cat.task}/annotations`, { result: catResult });
  await page.goto(`${url}/projects/${cat.id}/tasks/${cat.task}`);
  await page.getByRole("application", { name: /^Image img/ }).locator("svg").waitFor();
  await page.getByRole("button", { name: /^Region 1: Cat/ }).click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, "editor-per-region.png"), fullPage: true });

  const ner = await call("POST", "/api/projects", { title: "Named entities", label_config: NER });
  const imported = await call("POST", `/api/projects/${ner.id}/import?return_task_ids=1`, [{ data: { text } }]);
  await call("POST", `/api/tasks/${imported.task_ids[0]}/annotations`, { result: [...nerResult, { id: "s", from_name: "sentiment", to_name: "text", type: "choices", value: { choices: ["Positive"] } }] });
  await page.goto(`${url}/projects/${ner.id}/tasks/${imported.task_ids[0]}`);
  await page.getByRole("document", { name: /^Text text/ }).waitFor();
  await page.getByRole("button", { name: /^Region 2: Person/ }).click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, "editor-text.png") });

  await page.goto(`${url}/projects/${coins.id}/settings`);
  const area = page.getByLabel("Labeling config (XML)");
  await area.waitFor();
  await page.getByRole("region", { name: "Preview" }).locator("svg").waitFor();
  await area.fill(COINS.replace('<RectangleLabels name="detail" toName="img">', '<RectangleLabels name="detail" toName="image">'));
  await page.getByRole("list", { name: "Problems reported by the server" }).waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, "editor-settings.png"), fullPage: true });
  console.log(`wrote ${["editor-ellipses", "editor-per-region", "editor-text", "editor-settings"].map((n) => join(outDir, `${n}.png`)).join(", ")}`);
} finally {
  await context.close();
  server.kill();
  rmSync(profile, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}
