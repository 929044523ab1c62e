// Draft autosave scenarios (issue 3): a box drawn in the labeling stream is
// autosaved as a draft, survives reloads (the timer save and the pagehide
// keepalive save), and the submit turns it into the annotation and deletes
// the draft. Called by run.mjs against the real server.
import { makePng } from "./png.mjs";

const pngUrl = (w, h) => `data:image/png;base64,${makePng(w, h).toString("base64")}`;
const rects = (result) => result.filter((r) => r.type === "rectanglelabels");

export async function draftScenarios({ page, target, call, test, expect }) {
  const BOXES = `<View>\n  <Image name="img" value="$image"/>\n  <RectangleLabels name="tag" toName="img"><Label value="Car"/><Label value="Bus"/></RectangleLabels>\n</View>`;
  let project;
  let taskId;
  let savedLead = 0;
  const canvas = () => page.getByRole("application", { name: /^Image img/ });
  const drawBox = async (fx0, fy0, fx1, fy1) => {
    const c = canvas();
    await c.locator("svg").waitFor();
    const b = await c.boundingBox();
    await page.mouse.move(b.x + b.width * fx0, b.y + b.height * fy0);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width * (fx0 + fx1) / 2, b.y + b.height * (fy0 + fy1) / 2, { steps: 4 });
    await page.mouse.move(b.x + b.width * fx1, b.y + b.height * fy1, { steps: 4 });
    await page.mouse.up();
  };
  const drafts = () => call("GET", `/api/tasks/${taskId}/drafts`);
  const waitForDraft = async (boxes) => {
    for (let tries = 0; tries < 100; ++tries) {
      const list = await drafts();
      if (list.length === 1 && rects(list[0].result).length === boxes) return list[0];
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no draft with ${boxes} boxes: ${JSON.stringify(await drafts())}`);
  };

  await test("drafts: a drawn box is autosaved and comes back after a reload", async () => {
    project = await call("POST", "/api/projects", { title: "E2E drafts", label_config: BOXES });
    const imported = await call("POST", `/api/projects/${project.id}/import?return_task_ids=1`, [{ data: { image: pngUrl(400, 300) } }]);
    taskId = imported.task_ids[0];
    await page.goto(`${target.url}/projects/${project.id}/label`);
    await page.getByRole("heading", { name: `Task ${taskId}` }).waitFor();
    await drawBox(0.3, 0.35, 0.45, 0.6);
    await page.getByRole("button", { name: /^Region 1: Car/ }).waitFor();
    // The timer save (every 5 s while changed) shows its time.
    await page.getByRole("status").filter({ hasText: /^Draft saved \d\d:\d\d:\d\d$/ }).waitFor({ timeout: 12000 });
    const draft = await waitForDraft(1);
    expect(draft.annotation === null, `draft of a new annotation expected: ${JSON.stringify(draft)}`);
    expect(draft.lead_time > 0, `lead_time ${draft.lead_time}`);
    savedLead = draft.lead_time;
    await page.reload();
    await page.getByRole("heading", { name: `Task ${taskId}` }).waitFor();
    await page.getByRole("button", { name: /^Region 1: Car/ }).waitFor();
    await page.getByRole("heading", { name: "Regions (1)" }).waitFor();
  });

  await test("drafts: leaving the page saves at once (pagehide, keepalive)", async () => {
    await drawBox(0.6, 0.3, 0.75, 0.55);
    await page.getByRole("heading", { name: "Regions (2)" }).waitFor();
    await page.reload(); // well before the 5 s timer
    const draft = await waitForDraft(2);
    expect(draft.lead_time >= savedLead, `lead time went back: ${draft.lead_time} < ${savedLead}`);
    savedLead = draft.lead_time;
    await page.reload();
    await page.getByRole("heading", { name: "Regions (2)" }).waitFor();
  });

  await test("drafts: submitting stores the boxes, keeps the lead time counting, and deletes the draft", async () => {
    await page.getByRole("button", { name: "Submit (Ctrl+Enter)" }).click();
    await page.getByText("Nothing left to label in this project.").waitFor();
    const anns = await call("GET", `/api/tasks/${taskId}/annotations`);
    expect(anns.length === 1, `annotations: ${JSON.stringify(anns)}`);
    expect(rects(anns[0].result).length === 2, `boxes: ${JSON.stringify(anns[0].result)}`);
    expect(anns[0].lead_time >= savedLead, `lead_time ${anns[0].lead_time} < the draft's ${savedLead}`);
    // Give a late autosave (if any) the time to arrive: none may bring the draft back.
    await new Promise((r) => setTimeout(r, 1500));
    const left = await drafts();
    expect(left.length === 0, `draft left after submit: ${JSON.stringify(left)}`);
  });
}
