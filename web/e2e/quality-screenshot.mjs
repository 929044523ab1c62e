// Takes docs/quality-dashboard.png: seeds a demo project (six annotators of
// different reliability label 48 product reviews, four each) and
// photographs its quality dashboard.
//
// Against a server of its own (a fresh data folder, removed afterwards):
//   TESSERA_BIN=../build/tessera node e2e/quality-screenshot.mjs
// or against a running one (an admin account; the demo users are added to it):
//   TESSERA_URL=http://127.0.0.1:8080 TESSERA_EMAIL=... TESSERA_PASSWORD=... node e2e/quality-screenshot.mjs
// OUT=path overrides the output file.
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { apiClient, choice, signedInMember } from "./client.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.env.OUT ?? join(here, "..", "..", "docs", "quality-dashboard.png");

// ---- the server ----
let url = process.env.TESSERA_URL;
let email = process.env.TESSERA_EMAIL;
let password = process.env.TESSERA_PASSWORD;
let server;
let dataDir;
if (!url) {
  const bin = resolve(process.env.TESSERA_BIN ?? join(here, "..", "..", "build", "tessera"));
  dataDir = mkdtempSync(join(tmpdir(), "tessera-quality-shot-"));
  email = "admin@demo.local";
  password = "admin-password-123";
  execFileSync(bin, ["user", "add", "--data", dataDir, "--email", email, "--password", password, "--admin"], { stdio: "ignore" });
  server = spawn(bin, ["serve", "--data", dataDir, "--port", "0", "--static-dir", join(here, "..", "dist")], { stdio: ["ignore", "pipe", "pipe"] });
  url = await new Promise((ok, fail) => {
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
}
const stop = () => {
  server?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
};

// ---- deterministic demo data ----
function rng(seed) {
  // mulberry32
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20240611);
const pick = (xs) => xs[Math.floor(random() * xs.length)];
const weighted = (pairs) => {
  let r = random() * pairs.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of pairs) if ((r -= w) < 0) return v;
  return pairs[pairs.length - 1][0];
};

const CONFIG = `<View>
  <Text name="review" value="$text"/>
  <Choices name="sentiment" toName="review">
    <Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/><Choice value="Mixed"/>
  </Choices>
  <Choices name="language" toName="review"><Choice value="English"/><Choice value="Other"/></Choices>
  <Labels name="aspects" toName="review">
    <Label value="Price"/><Label value="Quality"/><Label value="Delivery"/>
  </Labels>
</View>`;
const SENTIMENTS = ["Positive", "Negative", "Neutral", "Mixed"];
const ASPECTS = ["Price", "Quality", "Delivery"];
const CLAUSES = [
  ["the price was fair", "Price", "price"],
  ["the build quality is excellent", "Quality", "build quality"],
  ["delivery took two weeks", "Delivery", "delivery"],
  ["it arrived with a dented box", "Delivery", "arrived with a dented box"],
  ["it is cheap for what you get", "Price", "cheap"],
  ["the stitching came apart", "Quality", "stitching"],
  ["shipping was quick", "Delivery", "shipping"],
  ["the battery lasts all day", "Quality", "battery"],
];
const tasks = Array.from({ length: 48 }, () => {
  const a = pick(CLAUSES);
  let b = pick(CLAUSES);
  while (b === a) b = pick(CLAUSES);
  const text = `${a[0][0].toUpperCase()}${a[0].slice(1)}, and ${b[0]}.`;
  const spans = [a, b].map(([clause, label, phrase]) => {
    const start = text.toLowerCase().indexOf(phrase, clause === b[0] ? text.indexOf(", and ") : 0);
    return { start, end: start + phrase.length, label };
  });
  return {
    text,
    spans,
    sentiment: weighted([["Positive", 4], ["Negative", 3], ["Neutral", 2], ["Mixed", 1]]),
    language: weighted([["English", 7], ["Other", 3]]),
  };
});
const PEOPLE = [
  { first_name: "Ann", last_name: "Lee", accuracy: 0.95 },
  { first_name: "Bob", last_name: "Roe", accuracy: 0.9 },
  { first_name: "Chen", last_name: "Wu", accuracy: 0.82 },
  { first_name: "Dara", last_name: "Singh", accuracy: 0.72 },
  { first_name: "Eli", last_name: "Moss", accuracy: 0.6 },
  { first_name: "Finn", last_name: "Gray", accuracy: 0.3 },
];
const answer = (truth, options, accuracy) => (random() < accuracy ? truth : pick(options.filter((o) => o !== truth)));
function resultFor(task, accuracy) {
  const result = [
    choice("sentiment", "review", answer(task.sentiment, SENTIMENTS, accuracy)),
    choice("language", "review", answer(task.language, ["English", "Other"], Math.max(0.9, accuracy))),
  ];
  for (const s of task.spans) {
    if (random() < accuracy) {
      result.push(span(task.text, s.start, s.end, s.label));
    } else if (random() < 0.5) {
      result.push(span(task.text, s.start, s.end, pick(ASPECTS.filter((l) => l !== s.label)))); // wrong label
    } // else: missed
  }
  return result;
}
const span = (text, start, end, label) => ({
  from_name: "aspects", to_name: "review", type: "labels", value: { start, end, text: text.slice(start, end), labels: [label] },
});

try {
  const admin = apiClient(url);
  await admin("POST", "/api/auth/login", { email, password });
  const project = await admin("POST", "/api/projects", { title: "Product reviews", label_config: CONFIG });
  const imported = await admin("POST", `/api/projects/${project.id}/import?return_task_ids=1`, tasks.map((t) => ({ data: { text: t.text } })));
  // On a shared server the demo users need fresh addresses.
  const stamp = process.env.TESSERA_URL ? `.${Date.now().toString(36)}` : "";
  const sessions = [];
  for (const p of PEOPLE) {
    const who = { ...p, email: `${p.first_name.toLowerCase()}${stamp}@demo.local`, password: `${p.first_name.toLowerCase()}-password-123` };
    sessions.push({ call: await signedInMember(url, admin, project.id, who), accuracy: p.accuracy });
  }
  // Four annotators per task, rotating so every pair shares tasks.
  for (let i = 0; i < tasks.length; i++) {
    for (let k = 0; k < 4; k++) {
      const s = sessions[(i + k + Math.floor(i / 6)) % sessions.length];
      await s.call("POST", `/api/tasks/${imported.task_ids[i]}/annotations`, { result: resultFor(tasks[i], s.accuracy) });
    }
  }

  const profile = mkdtempSync(join(tmpdir(), "tessera-shot-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1360, height: 980 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/projects/);
    await page.goto(`${url}/projects/${project.id}/quality`);
    await page.getByRole("cell", { name: /^Ann Lee vs Bob Roe: / }).waitFor();
    await page.getByRole("columnheader", { name: "Estimated accuracy" }).waitFor();
    // Show the coefficient picker at work too.
    await page.getByLabel("Coefficient").selectOption("gwet");
    await page.getByLabel("95% bootstrap interval").check();
    await page.getByRole("button", { name: "Compute" }).click();
    await page.getByText(/95% interval/).waitFor();
    await page.screenshot({ path: out, fullPage: true });
    console.log(`wrote ${out}`);
    // And check that the lowest-task list pages on through /quality/tasks.
    const lowest = page.getByRole("region", { name: "Per-task agreement" }).getByRole("listitem");
    const before = await lowest.count();
    await page.getByRole("button", { name: "Show more tasks" }).click();
    await lowest.nth(before).waitFor();
    console.log(`lowest tasks: ${before} listed, ${await lowest.count()} after "Show more tasks"`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
} finally {
  stop();
}
