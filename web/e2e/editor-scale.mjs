// Editor scenarios for polygon vertices from the keyboard, the import page
// (file picker and drag and drop), and the parts of the editor made for big
// tasks: a long text drawn in blocks, the windowed region list, captions
// only near the view. Called by run.mjs against the real server.
import { join } from "node:path";
import { makePng } from "./png.mjs";

const pngUrl = (w, h) => `data:image/png;base64,${makePng(w, h).toString("base64")}`;
const near = (a, b, eps) => Math.abs(a - b) <= eps;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const shot = async (page, name) => {
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: join(process.env.E2E_SCREENSHOTS, name) });
};

export async function editorScaleScenarios({ page, target, call, test, expect }) {
  const project = async (title, label_config, tasks) => {
    const p = await call("POST", "/api/projects", { title, label_config });
    const imported = await call("POST", `/api/projects/${p.id}/import?return_task_ids=1`, tasks);
    return { id: p.id, tasks: imported.task_ids };
  };
  const GEO = `<View>\n  <Image name="img" value="$image"/>\n  <PolygonLabels name="poly" toName="img"><Label value="Lake"/></PolygonLabels>\n</View>`;

  await test("polygon vertices by keyboard: . picks one, arrows move it, Insert adds one, Delete removes one; saved as LS polygonlabels", async () => {
    const p = await project("E2E vertices", GEO, [{ data: { image: pngUrl(400, 300) } }]);
    await page.goto(`${target.url}/projects/${p.id}/label`);
    const canvas = page.getByRole("application", { name: /^Image img/ });
    await canvas.locator("svg").waitFor();
    await page.keyboard.press("Alt+n"); // a square polygon 40..60 %
    await page.getByRole("button", { name: /^Region 1: Lake \(polygon\)/, pressed: true }).waitFor();
    await page.keyboard.press(".");
    await page.getByRole("application", { name: /vertex 1 of 4$/ }).waitFor();
    expect((await canvas.locator(".active-vertex").count()) === 1, "the active vertex is not drawn");
    for (let k = 0; k < 5; k++) await page.keyboard.press("ArrowRight"); // +1 %
    await page.keyboard.press("Shift+ArrowDown"); // +2 %
    await page.keyboard.press("."); // vertex 2 (60, 40)
    await page.keyboard.press("Insert"); // (60, 50) after it, now active
    await page.getByRole("application", { name: /vertex 3 of 5$/ }).waitFor();
    await page.keyboard.press("."); // (60, 60)
    await page.keyboard.press("Delete");
    await page.getByRole("application", { name: /vertex 3 of 4$/ }).waitFor();
    await page.keyboard.press("Escape"); // leaves vertex editing; the polygon stays selected
    await page.getByRole("application", { name: /selected: Lake$/ }).waitFor();
    await page.getByRole("button", { name: "Submit (Ctrl+Enter)" }).click();
    await page.getByText("Nothing left to label in this project.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${p.tasks[0]}/annotations`);
    const item = ann.result[0];
    const want = [[41, 42], [60, 40], [60, 50], [40, 60]];
    const got = item?.value?.points ?? [];
    expect(item?.type === "polygonlabels" && JSON.stringify(item.value.polygonlabels) === '["Lake"]', `item ${JSON.stringify(item)}`);
    expect(got.length === 4 && got.every((pt, i) => near(pt[0], want[i][0], 1e-9) && near(pt[1], want[i][1], 1e-9)), `points ${JSON.stringify(got)}`);
    expect(Object.keys(item.value).sort().join() === "points,polygonlabels", `keys ${Object.keys(item.value)}`);
  });

  const NER = `<View>\n  <Labels name="ner" toName="text"><Label value="Person"/></Labels>\n  <Text name="text" value="$text"/>\n</View>`;
  await test("import page: files from the file picker and files dropped on the page become tasks", async () => {
    const p = await call("POST", "/api/projects", { title: "E2E import page", label_config: NER });
    await page.goto(`${target.url}/projects/${p.id}`);
    const picker = page.getByLabel("Import files");
    await picker.setInputFiles({ name: "two.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify([{ text: "alpha" }, { text: "beta" }])) });
    await page.getByText("Imported 2 tasks.").waitFor();
    const dropped = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([JSON.stringify([{ text: "gamma" }])], "one.json", { type: "application/json" }));
      return dt;
    });
    const main = page.getByRole("main");
    await main.dispatchEvent("dragover", { dataTransfer: dropped });
    await main.dispatchEvent("drop", { dataTransfer: dropped });
    await page.getByText("Imported 1 tasks.").waitFor();
    const { tasks } = await call("GET", `/api/tasks?project=${p.id}&page_size=10`);
    expect(tasks.map((t) => t.data.text).sort().join() === "alpha,beta,gamma", `tasks ${JSON.stringify(tasks.map((t) => t.data))}`);
    await page.getByRole("table").getByText("3", { exact: false }).first().waitFor();
  });

  await test("long text: drawn in blocks, a selection across two blocks makes one span; the region list is windowed", async () => {
    const words = ["data", "label", "model", "review", "span"];
    let text = "";
    for (let k = 0; text.length < 6000; k++) text += words[k % words.length] + (k % 9 === 8 ? ". " : " ");
    text = text.trimEnd();
    const spans = [];
    for (let k = 0; spans.length < 250; k++) {
      const s = text.indexOf(" ", k * 23) + 1;
      const e = text.indexOf(" ", s);
      if (e > s && (spans.length === 0 || s >= spans.at(-1).value.end)) spans.push({ id: `w${k}`, from_name: "ner", to_name: "text", type: "labels", value: { start: s, end: e, text: text.slice(s, e), labels: ["Person"] } });
    }
    const p = await project("E2E long text", NER, [{ data: { text } }]);
    await call("POST", `/api/tasks/${p.tasks[0]}/annotations`, { result: spans, lead_time: 1 });
    await page.goto(`${target.url}/projects/${p.id}/tasks/${p.tasks[0]}`);
    const view = page.getByRole("document", { name: /^Text text: 250 spans/ });
    await view.waitFor();
    await shot(page, "long-text.png");
    const blocks = await view.locator(".text-block").count();
    expect(blocks >= 3, `${blocks} blocks for ${text.length} characters`);
    // The text reads the same as the task's, block after block.
    expect((await view.evaluate((el) => el.textContent)) === text, "the drawn text differs from the task's");
    // Windowed list: a few rows in the DOM; the last region appears when scrolled to.
    const rows = await page.getByRole("button", { name: /^Region \d+:/ }).count();
    expect(rows > 0 && rows < 100, `${rows} region rows in the DOM`);
    await page.locator(".region-list").evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByRole("button", { name: /^Region 250: Person/ }).waitFor();
    // Select from 3 characters before the first block's end to 4 after it.
    const cut = await view.evaluate((el) => {
      const edge = Number(el.querySelector(".text-block").dataset.blockEnd);
      // The text node and offset holding character `at`.
      const where = (at) => {
        for (const run of el.querySelectorAll("[data-start]")) {
          const start = Number(run.dataset.start);
          const t = run.firstChild;
          if (at >= start && at < start + t.data.length) return [t, at - start];
        }
        throw new Error(`no run holds ${at}`);
      };
      const r = document.createRange();
      r.setStart(...where(edge - 3));
      r.setEnd(...where(edge + 4));
      getSelection().removeAllRanges();
      getSelection().addRange(r);
      el.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
      return { start: edge - 3, end: edge + 4 };
    });
    await page.getByRole("heading", { name: "Regions (251)" }).waitFor();
    await page.keyboard.press("Control+Enter");
    let ann;
    for (let k = 0; k < 50; k++) {
      [ann] = await call("GET", `/api/tasks/${p.tasks[0]}/annotations`);
      if (ann.result.length === 251) break;
      await sleep(100);
    }
    let [s, e] = [cut.start, cut.end];
    while (/\s/.test(text[s])) s++;
    while (/\s/.test(text[e - 1])) e--;
    const added = ann.result.find((r) => !spans.some((x) => x.id === r.id));
    expect(added && added.value.start === s && added.value.end === e && added.value.text === text.slice(s, e), `span ${JSON.stringify(added)}, want ${s}-${e}`);
  });

  await test("captions: drawn for few regions, left out when too many are in view, back when zoomed in", async () => {
    const boxes = Array.from({ length: 900 }, (_, k) => ({
      id: `b${k}`, from_name: "tag", to_name: "img", type: "rectanglelabels", original_width: 600, original_height: 600,
      value: { x: (k % 30) * 3.3, y: Math.floor(k / 30) * 3.3, width: 2, height: 2, rotation: 0, rectanglelabels: ["Car"] },
    }));
    const BOX = `<View>\n  <Image name="img" value="$image"/>\n  <RectangleLabels name="tag" toName="img"><Label value="Car"/></RectangleLabels>\n</View>`;
    const p = await project("E2E captions", BOX, [{ data: { image: pngUrl(600, 600) } }]);
    await call("POST", `/api/tasks/${p.tasks[0]}/annotations`, { result: boxes, lead_time: 1 });
    await page.goto(`${target.url}/projects/${p.id}/tasks/${p.tasks[0]}`);
    const canvas = page.getByRole("application", { name: /^Image img: 900 regions/ });
    await canvas.locator("svg").waitFor();
    // The regions are painted on the canvas under the SVG (its data-regions: how many it drew).
    await page.waitForFunction(() => document.querySelector(".canvas-host canvas.region-paint")?.dataset.regions === "900");
    // Captions: the canvas draws the others' (its data-captions: how many), the SVG the selected region's.
    const captions = () => page.evaluate(() => ({
      canvas: Number(document.querySelector(".canvas-host canvas.region-paint")?.dataset.captions ?? 0),
      svg: document.querySelectorAll(".canvas-host svg .region-caption").length,
    }));
    const atFit = await captions();
    expect(atFit.canvas === 0 && atFit.svg === 0, `captions at fit with 900 regions: ${JSON.stringify(atFit)}`);
    // Select one: its caption is drawn anyway (SVG, with the handles), the canvas still draws none.
    await page.getByRole("button", { name: /^Region 1: Car/ }).click();
    await page.waitForFunction(() => document.querySelectorAll(".canvas-host svg .region-caption").length === 1);
    expect((await captions()).canvas === 0, "captions on the canvas after selecting one region at fit");
    const b = await canvas.boundingBox();
    await canvas.focus();
    for (let k = 0; k < 4; k++) await page.keyboard.press("="); // ×2.4
    await page.waitForFunction(() => {
      const n = Number(document.querySelector(".canvas-host canvas.region-paint")?.dataset.captions ?? 0);
      return n > 1 && n < 900;
    });
    // The canvas now draws the captions near the view; the selected one's stays SVG, once.
    expect((await captions()).svg === 1, "the selected region's caption");
    expect(b.width > 0, "no canvas box");
  });
}
