// Takes docs/review.png: seeds a support-ticket project (four annotators, two
// per ticket, sentiment plus entity spans; a reviewer has already rejected one
// answer, which its author then reworked) and photographs the review queue,
// lowest agreement first, with the reworked annotation open and its history shown.
//
// Against a server of its own (a fresh data folder, removed afterwards):
//   TESSERA_BIN=../build/tessera node e2e/review-screenshot.mjs
// or against a running one (an admin account; the demo users are added to it):
//   TESSERA_URL=http://127.0.0.1:8080 TESSERA_EMAIL=... TESSERA_PASSWORD=... node e2e/review-screenshot.mjs
// OUT=path overrides the output file.
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { apiClient, choice, signedInMember } from "./client.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.env.OUT ?? join(here, "..", "..", "docs", "review.png");

// ---- the server: a running one, or our own on a free port ----
let url = process.env.TESSERA_URL;
let email = process.env.TESSERA_EMAIL;
let password = process.env.TESSERA_PASSWORD;
let server;
let dataDir;
if (!url) {
  const bin = resolve(process.env.TESSERA_BIN ?? join(here, "..", "..", "build", "tessera"));
  dataDir = mkdtempSync(join(tmpdir(), "tessera-review-shot-"));
  email = "admin@demo.local";
  password = "admin-password-123";
  execFileSync(bin, ["user", "add", "--data", dataDir, "--email", email, "--password", password, "--admin"], { stdio: "ignore" });
  server = spawn(bin, ["serve", "--data", dataDir, "--port", "0", "--static-dir", join(here, "..", "dist")], { stdio: ["ignore", "pipe", "pipe"] });
  url = await new Promise((ok, fail) => {
    let log = "";
    const onData = (chunk) => {
      log += chunk;
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) ok(`http://127.0.0.1:${m[1]}`);
    };
    server.stdout.on("data", onData);
    server.stderr.on("data", onData);
    server.on("exit", (code) => fail(new Error(`the server exited (${code}):\n${log}`)));
    setTimeout(() => fail(new Error(`the server did not start:\n${log}`)), 10000);
  });
}
const shutdown = () => {
  server?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
};

// ---- the demo data (fixed, so the picture is the same every time) ----
const CONFIG = `<View>
  <Text name="ticket" value="$text"/>
  <Choices name="sentiment" toName="ticket" showInLine="true">
    <Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/>
  </Choices>
  <Labels name="entities" toName="ticket">
    <Label value="Product" background="#0072b2"/><Label value="Company" background="#e69f00"/><Label value="Person" background="#009e73"/>
  </Labels>
</View>`;
// text, then each annotator's [sentiment, spans as [phrase, label]].
const TICKETS = [
  ["My Aeron chair from Herman Miller squeaks after a week. Maria in support was kind, but I want a refund.",
    [["Negative", [["Aeron chair", "Product"], ["Herman Miller", "Company"], ["Maria", "Person"]]],
      ["Neutral", [["Aeron chair", "Product"], ["Herman Miller", "Company"]]]]],
  ["The Kindle Paperwhite arrived early and the screen is lovely. Thanks, Amazon!",
    [["Positive", [["Kindle Paperwhite", "Product"], ["Amazon", "Company"]]],
      ["Positive", [["Kindle Paperwhite", "Product"], ["Amazon", "Company"]]]]],
  ["Asked Tom at Dell about the XPS 13 battery. Still waiting for an answer.",
    [["Neutral", [["Tom", "Person"], ["Dell", "Company"], ["XPS 13", "Product"]]],
      ["Negative", [["Tom", "Person"], ["Dell", "Product"], ["XPS 13", "Product"]]]]],
  ["Returned the Sonos One; Priya at the store handled it in two minutes.",
    [["Positive", [["Sonos One", "Product"], ["Priya", "Person"]]],
      ["Neutral", [["Sonos One", "Product"], ["Priya", "Person"]]]]],
  ["IKEA delivered the Billy bookcase with two shelves missing.",
    [["Negative", [["IKEA", "Company"], ["Billy bookcase", "Product"]]],
      ["Negative", [["IKEA", "Company"], ["Billy", "Product"]]]]],
  ["Logitech replaced my MX Master mouse without any questions. Great service from Jonas.",
    [["Positive", [["Logitech", "Company"], ["MX Master", "Product"], ["Jonas", "Person"]]],
      ["Positive", [["Logitech", "Company"], ["MX Master mouse", "Product"], ["Jonas", "Person"]]]]],
];
const PEOPLE = [
  { first_name: "Ann", last_name: "Lee" },
  { first_name: "Bob", last_name: "Roe" },
  { first_name: "Chen", last_name: "Wu" },
  { first_name: "Dara", last_name: "Singh" },
];
// Regions carry an id, as Label Studio and the editor always write them.
let regionNo = 0;
const spansOf = (text, spans) => spans.map(([phrase, label]) => {
  const start = text.indexOf(phrase);
  const id = `span${String(++regionNo).padStart(6, "0")}`;
  return { id, from_name: "entities", to_name: "ticket", type: "labels", value: { start, end: start + phrase.length, text: phrase, labels: [label] } };
});
const resultOf = (text, [sentiment, spans]) => [choice("sentiment", "ticket", sentiment), ...spansOf(text, spans)];

try {
  const admin = apiClient(url);
  await admin("POST", "/api/auth/login", { email, password });
  const project = await admin("POST", "/api/projects", { title: "Support tickets", label_config: CONFIG });
  const imported = await admin("POST", `/api/projects/${project.id}/import?return_task_ids=1`, TICKETS.map(([text]) => ({ data: { text } })));
  const stamp = process.env.TESSERA_URL ? `.${Date.now().toString(36)}` : "";
  const address = (first) => `${first.toLowerCase()}${stamp}@demo.local`;
  const people = [];
  for (const p of PEOPLE) {
    people.push(await signedInMember(url, admin, project.id, { ...p, email: address(p.first_name), password: `${p.first_name.toLowerCase()}-password-123` }));
  }
  const rita = await signedInMember(url, admin, project.id, {
    first_name: "Rita", last_name: "Moss", email: address("Rita"), password: "rita-password-123", role: "reviewer",
  });
  // Two annotators per ticket, rotating through the four.
  const ids = [];
  for (let i = 0; i < TICKETS.length; i++) {
    const [text, answers] = TICKETS[i];
    const row = [];
    for (let k = 0; k < 2; k++) {
      const who = people[(i + k) % people.length];
      const a = await who("POST", `/api/tasks/${imported.task_ids[i]}/annotations`, { result: resultOf(text, answers[k]), lead_time: 20 + 7 * i + 11 * k });
      row.push(a.id);
    }
    ids.push(row);
  }
  // Rita accepts the clear case, rejects Bob's Dell-as-product span; Bob fixes it.
  await rita("POST", `/api/annotations/${ids[1][0]}/reviews`, { accepted: true });
  await rita("POST", `/api/annotations/${ids[2][1]}/reviews`, { accepted: false, comment: "Dell is the company here, not a product: please relabel it." });
  const [text2] = TICKETS[2];
  await people[3]("PATCH", `/api/annotations/${ids[2][1]}`, {
    result: resultOf(text2, ["Negative", [["Tom", "Person"], ["Dell", "Company"], ["XPS 13", "Product"]]]),
  });
  const reworked = ids[2][1];

  const profile = mkdtempSync(join(tmpdir(), "tessera-shot-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}/login`);
    await page.getByLabel("Email").fill(address("Rita"));
    await page.getByLabel("Password").fill("rita-password-123");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/projects/);
    await page.goto(`${url}/projects/${project.id}/review?order=agreement`);
    await page.getByRole("columnheader", { name: "Agreement" }).waitFor();
    await page.getByRole("button", { name: new RegExp(`^Annotation ${reworked} by`) }).click();
    await page.getByRole("heading", { name: new RegExp(`^Annotation ${reworked} `) }).waitFor();
    await page.getByRole("document", { name: /^Text ticket/ }).waitFor();
    await page.getByText("History", { exact: true }).click();
    await page.getByText(/^Rejected by Rita Moss/).waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: out, fullPage: true });
    console.log(`wrote ${out}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
} finally {
  shutdown();
}
