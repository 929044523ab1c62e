// Takes docs/screenshot.png from a running demo (`make demo`):
//   TESSERA_URL=http://127.0.0.1:8080 TESSERA_EMAIL=... TESSERA_PASSWORD=... node e2e/screenshot.mjs
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const url = process.env.TESSERA_URL ?? "http://127.0.0.1:8080";
const profile = mkdtempSync(join(tmpdir(), "tessera-shot-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1360, height: 980 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await context.newPage();
  await page.goto(`${url}/login`);
  await page.getByLabel(/email/i).fill(process.env.TESSERA_EMAIL);
  await page.getByLabel(/password/i).fill(process.env.TESSERA_PASSWORD);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL(/\/projects/);
  const project = process.env.TESSERA_PROJECT ?? "1";
  await page.goto(`${url}/projects/${project}/label`);
  await page.waitForTimeout(1500);
  // Draw one box so the picture shows the editor at work.
  const canvas = page.getByRole("application").first();
  await canvas.locator("svg").waitFor({ timeout: 5000 }).catch(() => {});
  const box = await canvas.boundingBox({ timeout: 5000 }).catch(() => null);
  if (box) {
    // The first label is active on arrival: dragging draws a box with it.
    await page.mouse.move(box.x + box.width * 0.24, box.y + box.height * 0.12);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.86, box.y + box.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.press("2");  // relabel the new box with the second label
  }
  await page.waitForTimeout(300);
  await page.screenshot({ path: process.env.OUT ?? join(here, "..", "..", "docs", "screenshot.png") });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
