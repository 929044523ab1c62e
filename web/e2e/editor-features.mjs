// Editor scenarios for predictions as pre-annotations, relations, HyperText
// (sanitized task HTML), DateTime/Taxonomy answers, and the ten Label Studio
// conformance examples opened with their stored annotations. Called by run.mjs
// against the real server (the mock has no predictions or stored results).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { makePng } from "./png.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const CONFORMANCE = process.env.TESSERA_CONFORMANCE ?? join(here, "..", "..", "..", "shared", "conformance", "label-studio");

const pngUrl = (w, h) => `data:image/png;base64,${makePng(w, h).toString("base64")}`;
const rect = (id, x, label) => ({
  id, from_name: "tag", to_name: "img", type: "rectanglelabels", original_width: 400, original_height: 300, image_rotation: 0,
  value: { x, y: 20, width: 20, height: 30, rotation: 0, rectanglelabels: [label] },
});
const shot = async (page, name) => {
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: join(process.env.E2E_SCREENSHOTS, name), fullPage: true });
};
const canon = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));

/** Region-making result types (everything else is an answer); counted by distinct id. */
const REGION_TYPES = new Set([
  "rectangle", "rectanglelabels", "polygon", "polygonlabels", "keypoint", "keypointlabels", "ellipse", "ellipselabels",
  "brush", "brushlabels", "labels", "hypertextlabels", "paragraphlabels", "timeserieslabels", "videorectangle",
]);
const regionCount = (result) => new Set(result.filter((r) => REGION_TYPES.has(r.type) && r.id).map((r) => r.id)).size;

export async function editorScenarios({ page, target, call, test, expect, problems }) {
  const taskIdOnPage = async () => Number(/\d+/.exec(await page.locator(".task-title").textContent())[0]);

  // --- Predictions as pre-annotations. ---
  const BOXES = `<View>\n  <Image name="img" value="$image"/>\n  <RectangleLabels name="tag" toName="img"><Label value="Car"/><Label value="Bus"/></RectangleLabels>\n</View>`;
  let pred;
  await test("a task's best prediction opens as an editable pre-annotation with its score and model", async () => {
    const project = await call("POST", "/api/projects", { title: "E2E predictions", label_config: BOXES });
    const image = pngUrl(400, 300);
    const imported = await call("POST", `/api/projects/${project.id}/import?return_task_ids=1`, [
      { data: { image }, predictions: [
        { model_version: "old-model", score: 0.2, result: [rect("low1", 5, "Bus")] },
        { model_version: "yolo-e2e", score: 0.87, result: [rect("p1", 10, "Car"), rect("p2", 50, "Car")] },
      ] },
      { data: { image }, predictions: [{ model_version: "yolo-e2e", score: 0.5, result: [rect("q1", 30, "Bus")] }] },
    ]);
    const [t1, t2] = imported.task_ids;
    const task = await call("GET", `/api/tasks/${t1}`);
    const best = task.predictions.find((p) => p.model_version === "yolo-e2e");
    expect(best && typeof best.id === "number", `predictions as served: ${JSON.stringify(task.predictions)}`);
    pred = { project, t1, t2, bestId: best.id };
    await page.goto(`${target.url}/projects/${project.id}/label`);
    const banner = page.getByRole("status", { name: "Pre-annotation" });
    await banner.waitFor();
    const text = await banner.textContent();
    expect(text.includes("prediction 2 of 2") && text.includes("score 0.87 · model yolo-e2e"), `banner: ${text}`);
    await page.getByRole("heading", { name: "Regions (2)" }).waitFor();
    await page.getByRole("application", { name: /^Image img: 2 regions/ }).waitFor();
    expect((await taskIdOnPage()) === t1, "the stream did not start at the first task");
    await shot(page, "prediction.png");
    // Edit: relabel the second box to Bus, then submit.
    await page.getByRole("button", { name: /^Region 2: Car/ }).click();
    await page.keyboard.press("2");
    await page.getByRole("button", { name: /^Region 2: Bus/ }).waitFor();
    await page.getByRole("button", { name: "Submit (Ctrl+Enter)" }).click();
    await page.waitForFunction((t) => !document.querySelector(".task-title")?.textContent?.includes(`Task ${t}`), t1);
    const [ann] = await call("GET", `/api/tasks/${t1}/annotations`);
    const ids = ann.result.map((r) => r.id).join(",");
    expect(ids === "p1,p2", `result ids ${ids}`);
    expect(JSON.stringify(ann.result[1].value.rectanglelabels) === '["Bus"]', `edited label ${JSON.stringify(ann.result[1])}`);
    expect(ann.parent_prediction === best.id, `parent_prediction ${ann.parent_prediction}, want ${best.id}`);
  });

  await test("Discard drops the pre-annotation (undoable); the annotation then names no prediction", async () => {
    expect((await taskIdOnPage()) === pred.t2, "second task not shown");
    const banner = page.getByRole("status", { name: "Pre-annotation" });
    await banner.waitFor();
    expect((await banner.textContent()).includes("score 0.50"), `banner: ${await banner.textContent()}`);
    await page.getByRole("heading", { name: "Regions (1)" }).waitFor();
    await page.getByRole("button", { name: "Discard pre-annotation" }).click();
    await page.getByRole("heading", { name: "Regions (0)" }).waitFor();
    expect((await banner.count()) === 0, "banner still shown after discard");
    await page.keyboard.press("Control+z");
    await page.getByRole("heading", { name: "Regions (1)" }).waitFor();
    await banner.waitFor();
    await page.getByRole("button", { name: "Discard pre-annotation" }).click();
    await page.getByRole("heading", { name: "Regions (0)" }).waitFor();
    await page.getByRole("button", { name: "Submit (Ctrl+Enter)" }).click();
    await page.getByText("Nothing left to label in this project.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${pred.t2}/annotations`);
    expect(ann.result.length === 0 && (ann.parent_prediction ?? null) === null, `after discard: ${JSON.stringify(ann)}`);
  });

  // --- Relations. ---
  const REL_IMG = `<View>\n  <Image name="img" value="$image"/>\n  <RectangleLabels name="tag" toName="img"><Label value="Person"/><Label value="Car"/></RectangleLabels>\n  <Relations><Relation value="drives"/><Relation value="owns"/></Relations>\n</View>`;
  await test("relations on an image: Alt+R, pick the target, label it, change direction, undo, save", async () => {
    const project = await call("POST", "/api/projects", { title: "E2E relations", label_config: REL_IMG });
    const imported = await call("POST", `/api/projects/${project.id}/import?return_task_ids=1`, [{ data: { image: pngUrl(400, 300) } }]);
    const t = imported.task_ids[0];
    await call("POST", `/api/tasks/${t}/annotations`, { result: [rect("a1", 10, "Person"), rect("b2", 60, "Car")].map((r) => ({ ...r })) });
    await page.goto(`${target.url}/projects/${project.id}/tasks/${t}`);
    await page.getByRole("application", { name: /^Image img: 2 regions/ }).locator("svg").waitFor();
    await page.getByRole("button", { name: /^Region 1: Person/ }).click();
    await page.keyboard.press("Alt+r");
    await page.getByRole("status").filter({ hasText: "Relation from region 1: pick the region it points to" }).waitFor();
    await page.getByRole("button", { name: /^Region 2: Car/ }).click();
    await page.getByRole("heading", { name: "Relations (1)" }).waitFor();
    expect((await page.locator(".canvas-host .relation-arrow").count()) === 1, "no arrow drawn on the image");
    const item = page.getByRole("listitem", { name: "Relation 1" });
    await item.getByRole("group", { name: "Labels of relation 1" }).getByRole("button", { name: "drives" }).click();
    await page.locator(".canvas-host .relation-arrow text").filter({ hasText: "drives" }).waitFor();
    await item.getByRole("combobox", { name: "Direction of relation 1" }).selectOption("bi");
    expect((await page.locator(".canvas-host .relation-arrow polygon").count()) === 2, "a two-way relation should have two heads");
    await page.keyboard.press("Control+z");
    await page.waitForFunction(() => document.querySelectorAll(".canvas-host .relation-arrow polygon").length === 1);
    await page.keyboard.press("Control+Shift+Z");
    await page.waitForFunction(() => document.querySelectorAll(".canvas-host .relation-arrow polygon").length === 2);
    await shot(page, "relations-image.png");
    // Delete and bring it back.
    await item.getByRole("button", { name: "Delete relation 1" }).click();
    await page.getByRole("heading", { name: /^Relations/ }).waitFor({ state: "detached" });
    await page.keyboard.press("Control+z");
    await page.getByRole("heading", { name: "Relations (1)" }).waitFor();
    // The button works too: start from region 2, Escape cancels.
    await page.getByRole("button", { name: /^Region 2: Car/ }).click();
    await page.getByRole("button", { name: "Add relation from selected region (Alt+R)" }).click();
    await page.getByRole("status").filter({ hasText: "Relation from region 2" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("status").filter({ hasText: "Relation from region 2" }).waitFor({ state: "detached" });
    // Keyboard only: Alt+R from region 2, Tab to region 1, Enter.
    await page.keyboard.press("Alt+r");
    await page.keyboard.press("Tab");
    await page.getByRole("button", { name: /^Region 1: Person/, pressed: true }).waitFor();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Relations (2)" }).waitFor();
    await page.getByRole("button", { name: "Update (Ctrl+Enter)" }).click();
    await page.getByText("Saved.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${t}/annotations`);
    const rels = ann.result.filter((r) => r.type === "relation");
    expect(rels.length === 2 && ann.result.length === 4, `items ${JSON.stringify(ann.result)}`);
    expect(canon(rels[0]) === canon({ from_id: "a1", to_id: "b2", type: "relation", direction: "bi", labels: ["drives"] }), `relation ${JSON.stringify(rels[0])}`);
    expect(canon(rels[1]) === canon({ from_id: "b2", to_id: "a1", type: "relation", direction: "right" }), `relation ${JSON.stringify(rels[1])}`);
  });

  const NER = `<View>\n  <Labels name="ner" toName="text"><Label value="Person"/></Labels>\n  <Text name="text" value="$text"/>\n</View>`;
  await test("relations between text spans: click a span, Alt+R, click the other; an arc is drawn", async () => {
    const project = await call("POST", "/api/projects", { title: "E2E text relations", label_config: NER });
    const text = "Ada Lovelace met Charles Babbage in London.";
    const imported = await call("POST", `/api/projects/${project.id}/import?return_task_ids=1`, [{ data: { text } }]);
    const t = imported.task_ids[0];
    const span = (id, start, end) => ({ id, from_name: "ner", to_name: "text", type: "labels", value: { start, end, text: text.slice(start, end), labels: ["Person"] } });
    await call("POST", `/api/tasks/${t}/annotations`, { result: [span("s1", 0, 12), span("s2", 17, 32)] });
    await page.goto(`${target.url}/projects/${project.id}/tasks/${t}`);
    const view = page.getByRole("document", { name: /^Text text: 2 spans/ });
    await view.waitFor();
    await view.locator('mark[data-start="0"]').click();
    await page.getByRole("button", { name: /^Region 1: Person/, pressed: true }).waitFor();
    await page.keyboard.press("Alt+r");
    await view.locator('mark[data-start="17"]').click();
    await page.getByRole("heading", { name: "Relations (1)" }).waitFor();
    await page.locator(".text-relations .relation-arrow").waitFor();
    const box = await page.locator(".text-relations .relation-arrow path").boundingBox();
    expect(box && box.width > 50, `arc too small: ${JSON.stringify(box)}`);
    await shot(page, "relations-text.png");
    await page.getByRole("button", { name: "Update (Ctrl+Enter)" }).click();
    await page.getByText("Saved.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${t}/annotations`);
    const rel = ann.result.find((r) => r.type === "relation");
    expect(rel && canon(rel) === canon({ from_id: "s1", to_id: "s2", type: "relation", direction: "right" }), `relation ${JSON.stringify(ann.result)}`);
  });

  // --- HyperText: task HTML shown sanitized, never run. ---
  const HTML_CONFIG = `<View>\n  <HyperText name="page" value="$html"/>\n  <Choices name="verdict" toName="page"><Choice value="Safe"/><Choice value="Unsafe"/></Choices>\n  <TextArea name="note" toName="page"/>\n</View>`;
  const PAYLOAD = [
    `<h2>Report</h2><p>Hello <b>bold</b> <a href="https://example.org/x">link</a> <a href="javascript:window.__xss=1">js</a></p>`,
    `<img src=x onerror="window.__xss=2"><img src="https://evil.example/pixel.png" alt="remote"><img src="${pngUrl(4, 4)}" alt="inline">`,
    `<script>window.__xss=3</script><iframe src="javascript:parent.__xss=4"></iframe><object data="https://evil.example/o"></object><embed src="https://evil.example/e">`,
    `<svg onload="window.__xss=5"><circle r=5></circle></svg>`,
    `<div style="background:url(https://evil.example/bg)">styled</div><style>body{background:url(https://evil.example/s)}</style>`,
    `<form action="https://evil.example"><input name="q" autofocus onfocus="window.__xss=7"></form><a href="  JaVaScRiPt:window.__xss=8">mixed</a>`,
    `<details open ontoggle="window.__xss=9">d</details><table><tr><td colspan="2">cell</td></tr></table>`,
    `<p id="root" name="x" class="primary">clobber</p><base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">`,
    `<a href="data:text/html,<script>alert(1)</script>">data</a><noscript><p title="</noscript><img src=x onerror=window.__xss=10>"></noscript>`,
    // Last: an unclosed <style> in MathML swallows what follows (a known mXSS shape).
    `<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=6">`,
  ].join("\n");
  await test("HyperText shows task HTML sanitized: no scripts, handlers, frames, styles or remote URLs", async () => {
    const project = await call("POST", "/api/projects", { title: "E2E hypertext", label_config: HTML_CONFIG });
    const imported = await call("POST", `/api/projects/${project.id}/import?return_task_ids=1`, [{ data: { html: PAYLOAD } }]);
    const t = imported.task_ids[0];
    const evil = [];
    const onRequest = (r) => {
      if (r.url().includes("evil.example")) evil.push(r.url());
    };
    page.on("request", onRequest);
    const consoleBefore = problems.length;
    try {
      await page.goto(`${target.url}/projects/${project.id}/label`);
      const view = page.getByRole("document", { name: "HTML page" });
      await view.locator("b").filter({ hasText: "bold" }).waitFor();
      await page.waitForTimeout(500);
      expect((await page.evaluate(() => window.__xss)) === undefined, `a payload ran: __xss=${await page.evaluate(() => window.__xss)}`);
      const report = await view.evaluate((el) => {
        const bad = [];
        for (const n of el.querySelectorAll("*")) {
          const tag = n.tagName.toLowerCase();
          if (["script", "iframe", "object", "embed", "svg", "math", "style", "form", "input", "base", "meta", "details", "noscript"].includes(tag)) bad.push(`<${tag}>`);
          for (const a of n.attributes) {
            if (a.name.startsWith("on") || ["style", "id", "name", "class"].includes(a.name)) bad.push(`${tag}[${a.name}]`);
          }
          if (tag === "a" && n.hasAttribute("href") && !/^(https?:|mailto:)/i.test(n.getAttribute("href"))) bad.push(`a[href=${n.getAttribute("href")}]`);
          if (tag === "img" && n.hasAttribute("src") && !/^data:image\/png;base64,/.test(n.getAttribute("src"))) bad.push(`img[src=${n.getAttribute("src")}]`);
        }
        return { bad, text: el.textContent, cells: el.querySelectorAll("td[colspan='2']").length, links: [...el.querySelectorAll("a[href]")].map((a) => [a.getAttribute("href"), a.getAttribute("rel"), a.getAttribute("target")]) };
      });
      expect(report.bad.length === 0, `unsafe markup left: ${report.bad.join(", ")}`);
      expect(report.text.includes("Report") && report.text.includes("clobber") && report.text.includes("styled") && report.cells === 1, `safe content lost: ${report.text}`);
      expect(JSON.stringify(report.links) === JSON.stringify([["https://example.org/x", "noopener noreferrer nofollow", "_blank"]]), `links ${JSON.stringify(report.links)}`);
      expect(evil.length === 0, `requests to a third party: ${evil.join(", ")}`);
      await shot(page, "hypertext.png");
      expect((await page.locator("#root").count()) <= 1, "an element with id=root was added by task HTML");
      // Chromium reports CSP violations for handlers and <base> met while *parsing* the task HTML
      // in DOMPurify's inert document (its built-in setHTML does the same); nothing ran and none
      // reached the page, as checked above. Only those reports are taken out of the console check.
      const inert = /^(Executing inline event handler violates|Setting the document's base URI to 'https:\/\/evil\.example\/' violates)/;
      const during = problems.splice(consoleBefore);
      problems.push(...during.filter((m) => !inert.test(m)));
      // Choices and TextArea on a HyperText object.
      await page.getByRole("radio", { name: "Safe 1", exact: true }).click();
      await page.getByRole("textbox", { name: "note" }).fill("looks fine");
      await page.getByRole("button", { name: "Submit (Ctrl+Enter)" }).click();
      await page.getByText("Nothing left to label in this project.").waitFor();
    } finally {
      page.off("request", onRequest);
    }
    const [ann] = await call("GET", `/api/tasks/${t}/annotations`);
    const verdict = ann.result.find((r) => r.type === "choices");
    const note = ann.result.find((r) => r.type === "textarea");
    expect(verdict?.to_name === "page" && JSON.stringify(verdict.value) === '{"choices":["Safe"]}', `choices ${JSON.stringify(verdict)}`);
    expect(note?.to_name === "page" && JSON.stringify(note.value) === '{"text":["looks fine"]}', `textarea ${JSON.stringify(note)}`);
  });

  const HTL = `<View>\n  <HyperTextLabels name="ner" toName="page"><Label value="Greeting"/><Label value="Adjective"/></HyperTextLabels>\n  <HyperText name="page" value="$html"/>\n</View>`;
  await test("HyperTextLabels: stored XPath spans are painted; a selection across elements becomes an LS span", async () => {
    const project = await call("POST", "/api/projects", { title: "E2E hypertext labels", label_config: HTL });
    const html = "<div><p>Hello <b>brave</b> new world</p><p>Second <i>para</i></p></div>";
    const imported = await call("POST", `/api/projects/${project.id}/import?return_task_ids=1`, [{ data: { html } }]);
    const t = imported.task_ids[0];
    const stored = {
      id: "h1", from_name: "ner", to_name: "page", type: "hypertextlabels",
      value: { start: "/div[1]/p[1]/text()[1]", startOffset: 0, end: "/div[1]/p[1]/text()[1]", endOffset: 5, text: "Hello", hypertextlabels: ["Greeting"] },
    };
    await call("POST", `/api/tasks/${t}/annotations`, { result: [stored] });
    await page.goto(`${target.url}/projects/${project.id}/tasks/${t}`);
    const view = page.getByRole("document", { name: "HTML page" });
    await view.and(page.locator('[data-spans="1"]')).waitFor();
    const painted = await page.evaluate(() => [...CSS.highlights.values()].flatMap((h) => [...h]).map((r) => r.toString()));
    expect(JSON.stringify(painted) === '["Hello"]', `painted ranges ${JSON.stringify(painted)}`);
    await page.getByRole("heading", { name: "Regions (1)" }).waitFor();
    await page.keyboard.press("2"); // Adjective for the next span
    await view.evaluate((el) => {
      const p = el.querySelector("p");
      const r = document.createRange();
      r.setStart(p.querySelector("b").firstChild, 0);
      r.setEnd(p.childNodes[2], 4); // " new" of " new world"
      getSelection().removeAllRanges();
      getSelection().addRange(r);
      el.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
    });
    await page.getByRole("button", { name: /^Region 2: Adjective/ }).waitFor();
    await view.and(page.locator('[data-spans="2"]')).waitFor();
    // A click on "Hello" selects the stored span.
    const at = await view.evaluate((el) => {
      const r = document.createRange();
      r.setStart(el.querySelector("p").firstChild, 1);
      r.setEnd(el.querySelector("p").firstChild, 2);
      const b = r.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    });
    await page.mouse.click(at.x, at.y);
    await page.getByRole("button", { name: /^Region 1: Greeting/, pressed: true }).waitFor();
    // A relation between the two HTML spans, drawn as an arc over the HTML.
    await page.keyboard.press("Alt+r");
    await page.getByRole("button", { name: /^Region 2: Adjective/ }).click();
    await page.getByRole("heading", { name: "Relations (1)" }).waitFor();
    await page.locator(".text-with-relations .text-relations .relation-arrow").waitFor();
    await shot(page, "hypertext-labels.png");
    await page.getByRole("button", { name: "Update (Ctrl+Enter)" }).click();
    await page.getByText("Saved.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${t}/annotations`);
    expect(canon(ann.result[0].value) === canon(stored.value), `stored span changed: ${JSON.stringify(ann.result[0])}`);
    const made = ann.result[1];
    expect(made?.type === "hypertextlabels" && made.from_name === "ner" && made.to_name === "page", `new item ${JSON.stringify(made)}`);
    expect(canon(made.value) === canon({ start: "/div[1]/p[1]/b[1]/text()[1]", startOffset: 0, end: "/div[1]/p[1]/text()[2]", endOffset: 4, text: "brave new", hypertextlabels: ["Adjective"] }),
      `new span ${JSON.stringify(made.value)}`);
    expect(canon(ann.result[2] ?? {}) === canon({ from_id: "h1", to_id: made.id, type: "relation", direction: "right" }), `relation ${JSON.stringify(ann.result[2])}`);
  });

  // --- DateTime and Taxonomy. ---
  const DT = `<View>\n  <Text name="text" value="$text"/>\n  <DateTime name="when" toName="text" only="date"/>\n  <DateTime name="at" toName="text"/>\n  <DateTime name="year" toName="text" only="year"/>\n  <Taxonomy name="topic" toName="text">\n    <Choice value="Animal"><Choice value="Cat"/><Choice value="Dog"/></Choice>\n    <Choice value="Plant"/>\n  </Taxonomy>\n</View>`;
  await test("DateTime writes {datetime} in LS's formats; Taxonomy writes {taxonomy: [paths]}", async () => {
    const project = await call("POST", "/api/projects", { title: "E2E datetime", label_config: DT });
    const imported = await call("POST", `/api/projects/${project.id}/import?return_task_ids=1`, [{ data: { text: "Born on a leap day." } }]);
    const t = imported.task_ids[0];
    await page.goto(`${target.url}/projects/${project.id}/label`);
    await page.getByLabel("when", { exact: true }).fill("2024-02-29");
    await page.getByLabel("at", { exact: true }).fill("2024-02-29T13:05");
    const year = page.getByLabel("year", { exact: true });
    await year.fill("1815");
    await year.press("Tab");
    await page.getByRole("checkbox", { name: "Animal / Cat" }).check();
    await page.getByRole("checkbox", { name: "Plant" }).check();
    await page.getByRole("checkbox", { name: "Plant" }).uncheck();
    expect(await page.getByRole("checkbox", { name: "Animal / Cat" }).isChecked(), "Cat not shown as picked");
    await page.getByRole("button", { name: "Submit (Ctrl+Enter)" }).click();
    await page.getByText("Nothing left to label in this project.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${t}/annotations`);
    const by = Object.fromEntries(ann.result.map((r) => [r.from_name, r]));
    expect(by.when?.type === "datetime" && JSON.stringify(by.when.value) === '{"datetime":"2024-02-29"}', `when ${JSON.stringify(by.when)}`);
    expect(JSON.stringify(by.at?.value) === '{"datetime":"2024-02-29T13:05"}', `at ${JSON.stringify(by.at)}`);
    expect(JSON.stringify(by.year?.value) === '{"datetime":"1815"}', `year ${JSON.stringify(by.year)}`);
    expect(by.topic?.type === "taxonomy" && JSON.stringify(by.topic.value) === '{"taxonomy":[["Animal","Cat"]]}', `taxonomy ${JSON.stringify(by.topic)}`);
  });

  // --- The Label Studio conformance examples, each opened with its stored annotation. ---
  if (!existsSync(CONFORMANCE)) {
    console.log(`skip the conformance examples: ${CONFORMANCE} not found`);
    return;
  }
  for (const name of readdirSync(CONFORMANCE).sort()) {
    const dir = join(CONFORMANCE, name);
    if (!existsSync(join(dir, "config.xml"))) continue;
    await test(`conformance ${name}: the stored annotation's regions are shown`, async () => {
      const config = readFileSync(join(dir, "config.xml"), "utf8");
      const annDir = join(dir, "annotations");
      const files = existsSync(annDir) ? readdirSync(annDir).filter((f) => f.endsWith(".json")).sort() : [];
      const stored = files.length ? JSON.parse(readFileSync(join(annDir, files[0]), "utf8")) : null;
      const tasks = existsSync(join(dir, "tasks.json")) ? JSON.parse(readFileSync(join(dir, "tasks.json"), "utf8")) : [];
      const result = stored?.annotations?.[0]?.result ?? [];
      // Remote pictures become same-size inline ones (the CSP allows only data: and same-origin images).
      const w = result.find((r) => r.original_width)?.original_width ?? 320;
      const h = result.find((r) => r.original_height)?.original_height ?? 200;
      const data = { ...(stored?.data ?? tasks[0]?.data ?? {}) };
      const imageKeys = [...config.matchAll(/<Image[^>]*value="\$([A-Za-z_][A-Za-z0-9_]*)"/g)].map((m) => m[1]);
      for (const k of imageKeys) data[k] = pngUrl(w, h);
      const project = await call("POST", "/api/projects", { title: `E2E conformance ${name}`, label_config: config });
      const predictions = tasks[0]?.predictions ?? [];
      const imported = await call("POST", `/api/projects/${project.id}/import?return_task_ids=1`, [{ data, predictions }]);
      const t = imported.task_ids[0];
      if (result.length) await call("POST", `/api/tasks/${t}/annotations`, { result });
      const want = regionCount(result);
      await page.goto(`${target.url}/projects/${project.id}/tasks/${t}`);
      await page.getByRole("heading", { name: `Regions (${want})` }).waitFor();
      // Stored annotation present: no pre-annotation from its predictions.
      expect(!result.length || (await page.getByRole("status", { name: "Pre-annotation" }).count()) === 0, "a prediction replaced the stored annotation");
      const regionButtons = await page.getByRole("button", { name: /^Region \d+:/ }).count();
      expect(regionButtons === want, `${regionButtons} region buttons, want ${want}`);
      if (imageKeys.length) {
        const canvas = page.getByRole("application", { name: new RegExp(`^Image [^:]+: ${want} regions`) });
        await canvas.locator("svg").waitFor();
        // Every region is drawn with its caption: on the canvas (data-captions counts them), or
        // in the SVG for a selected one. A task with one region has no canvas to paint.
        await page.waitForFunction((n) => {
          const c = Number(document.querySelector(".canvas-host canvas.region-paint")?.dataset.captions ?? 0);
          return c + document.querySelectorAll(".canvas-host svg .region-caption").length === n;
        }, want, { timeout: 5000 }).catch(() => {});
        const drawn = await page.evaluate(() =>
          Number(document.querySelector(".canvas-host canvas.region-paint")?.dataset.captions ?? 0) + document.querySelectorAll(".canvas-host svg .region-caption").length);
        expect(drawn === want, `${drawn} regions drawn on the image, want ${want}`);
      }
      if (/<Text\b/.test(config) && result.some((r) => r.type === "labels")) {
        await page.getByRole("document", { name: new RegExp(`^Text [^:]+: ${want} spans`) }).waitFor();
      }
    });
  }
}
