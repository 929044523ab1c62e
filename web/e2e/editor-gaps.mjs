// Editor scenarios for ellipses, box rotation (handle and keys), word
// snapping of NER spans, per-region answers, region visibility, zoom, the
// settings page's live config checking and preview, and previous/next.
// Called by run.mjs against the real server.
import { join } from "node:path";
import { makePng } from "./png.mjs";

const pngUrl = (w, h) => `data:image/png;base64,${makePng(w, h).toString("base64")}`;
const canon = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
const near = (a, b, eps) => Math.abs(a - b) <= eps;
const shot = async (page, name, fullPage = false) => {
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: join(process.env.E2E_SCREENSHOTS, name), fullPage });
};

export async function editorGapScenarios({ page, target, call, test, expect }) {
  const taskIdOnPage = async () => Number(/\d+/.exec(await page.locator(".task-title").textContent())[0]);
  const project = async (title, label_config, tasks) => {
    const p = await call("POST", "/api/projects", { title, label_config });
    const imported = await call("POST", `/api/projects/${p.id}/import?return_task_ids=1`, tasks);
    return { id: p.id, tasks: imported.task_ids };
  };
  // Drags on the canvas from/to fractions of its box.
  const drag = async (canvas, [x0, y0], [x1, y1]) => {
    const b = await canvas.boundingBox();
    await page.mouse.move(b.x + b.width * x0, b.y + b.height * y0);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width * ((x0 + x1) / 2), b.y + b.height * ((y0 + y1) / 2), { steps: 4 });
    await page.mouse.move(b.x + b.width * x1, b.y + b.height * y1, { steps: 4 });
    await page.mouse.up();
  };

  const SHAPES = `<View>\n  <Image name="img" value="$image"/>\n  <RectangleLabels name="tag" toName="img"><Label value="Car"/></RectangleLabels>\n  <EllipseLabels name="oval" toName="img"><Label value="Cell"/><Label value="Nucleus"/></EllipseLabels>\n</View>`;
  await test("ellipse: drag draws one, ] [ } turn it (5°, 1°); saved as LS ellipselabels", async () => {
    const p = await project("E2E ellipses", SHAPES, [{ data: { image: pngUrl(400, 300) } }]);
    await page.goto(`${target.url}/projects/${p.id}/label`);
    const canvas = page.getByRole("application", { name: /^Image img/ });
    await canvas.locator("svg").waitFor();
    // Labels are found by their own text.
    await page.getByRole("button", { name: "Cell" }).click();
    await page.locator(".tool-name").filter({ hasText: "Tool: ellipse" }).waitFor();
    await drag(canvas, [0.3, 0.3], [0.6, 0.7]);
    await page.getByRole("button", { name: /^Region 1: Cell \(ellipse\)/ }).waitFor();
    expect((await canvas.locator("svg ellipse").count()) === 1, "no <ellipse> drawn");
    await page.keyboard.press("]");
    await page.keyboard.press("]");
    await page.keyboard.press("[");
    await page.keyboard.press("}");
    await shot(page, "ellipse.png");
    await page.getByRole("button", { name: "Submit (Ctrl+Enter)" }).click();
    await page.getByText("Nothing left to label in this project.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${p.tasks[0]}/annotations`);
    const e = ann.result[0];
    expect(e?.type === "ellipselabels" && e.from_name === "oval" && JSON.stringify(e.value.ellipselabels) === '["Cell"]', `item ${JSON.stringify(e)}`);
    expect(e.original_width === 400 && e.original_height === 300, `original size ${JSON.stringify(e)}`);
    const v = e.value;
    expect(canon(Object.fromEntries(Object.keys(v).map((k) => [k, 0]))) === canon({ x: 0, y: 0, radiusX: 0, radiusY: 0, rotation: 0, ellipselabels: 0 }), `keys ${JSON.stringify(v)}`);
    expect(v.rotation === 6, `rotation ${v.rotation}, want 6 (5 + 5 - 5 + 1)`);
    // The drag went from 30%,30% to 60%,70% of the canvas; the image is fitted, so the
    // centre is near the middle of the picture and both radii are positive.
    expect(v.x > 30 && v.x < 70 && v.y > 30 && v.y < 70 && v.radiusX > 5 && v.radiusY > 5, `ellipse ${JSON.stringify(v)}`);
  });

  await test("rotation: drag the handle of a selected box; LS rotation around the top-left, centre kept", async () => {
    const p = await project("E2E rotation", SHAPES, [{ data: { image: pngUrl(400, 300) } }]);
    const stored = { id: "r1", from_name: "tag", to_name: "img", type: "rectanglelabels", original_width: 400, original_height: 300,
      value: { x: 25, y: 40, width: 50, height: 20, rotation: 0, rectanglelabels: ["Car"] } };
    await call("POST", `/api/tasks/${p.tasks[0]}/annotations`, { result: [stored] });
    await page.goto(`${target.url}/projects/${p.id}/tasks/${p.tasks[0]}`);
    const canvas = page.getByRole("application", { name: /^Image img: 1 regions/ });
    await canvas.locator("svg").waitFor();
    await page.getByRole("button", { name: /^Region 1: Car/ }).click();
    const handle = canvas.locator(".rotate-handle circle");
    await handle.waitFor();
    const hb = await handle.boundingBox();
    // The box's centre on screen: the middle of its polygon's bounding box.
    const pb = await canvas.locator("svg polygon").first().boundingBox();
    const cx = pb.x + pb.width / 2;
    const cy = pb.y + pb.height / 2;
    await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
    await page.mouse.down();
    await page.mouse.move(cx + 60, cy - 30, { steps: 4 });
    await page.mouse.move(cx + 120, cy + 1, { steps: 4 }); // straight right of the centre: 90° (snapped)
    await page.mouse.up();
    await shot(page, "rotation.png");
    await page.getByRole("button", { name: "Update (Ctrl+Enter)" }).click();
    await page.getByText("Saved.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${p.tasks[0]}/annotations`);
    const v = ann.result[0].value;
    expect(v.rotation === 90 && v.width === 50 && v.height === 20, `rotated box ${JSON.stringify(v)}`);
    // Centre in px before: (25+25)% of 400 = 200, (40+10)% of 300 = 150. After, LS's top-left
    // (x, y) plus the half-diagonal turned by 90°: (x - h/2, y + w/2) in px.
    const x = (v.x * 400) / 100;
    const y = (v.y * 300) / 100;
    const w = (v.width * 400) / 100;
    const h = (v.height * 300) / 100;
    expect(near(x - h / 2, 200, 1e-6) && near(y + w / 2, 150, 1e-6), `centre moved: top-left ${x},${y}`);
    expect(canon(ann.result[0]) === canon({ ...stored, value: v }), `other keys changed: ${JSON.stringify(ann.result[0])}`);
  });

  await test("keyboard only: Alt+N adds a region, arrows move it, Alt+arrows resize it, ] turns it, a digit picks the next label", async () => {
    const p = await project("E2E keyboard", SHAPES, [{ data: { image: pngUrl(400, 300) } }]);
    await page.goto(`${target.url}/projects/${p.id}/label`);
    await page.getByRole("application", { name: /^Image img/ }).locator("svg").waitFor();
    await page.waitForTimeout(200); // the image's natural size is known once it has loaded
    await page.keyboard.press("Alt+n"); // a Car box (the first label is active) in the middle
    await page.getByRole("button", { name: /^Region 1: Car \(rect\)/, pressed: true }).waitFor();
    await page.keyboard.press("ArrowRight"); // +0.2%
    await page.keyboard.press("Alt+Shift+ArrowRight"); // width +2%
    await page.keyboard.press("]"); // 5° around the centre
    await page.keyboard.press("2"); // Cell (an ellipse label) becomes active
    await page.keyboard.press("Alt+n");
    await page.getByRole("button", { name: /^Region 2: Cell \(ellipse\)/, pressed: true }).waitFor();
    await page.keyboard.press("Alt+ArrowDown"); // radiusY +0.1%
    await page.keyboard.press("Control+Enter");
    await page.getByText("Nothing left to label in this project.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${p.tasks[0]}/annotations`);
    const [box, oval] = ann.result;
    const b = box.value;
    expect(box.type === "rectanglelabels" && JSON.stringify(b.rectanglelabels) === '["Car"]' && box.original_width === 400, `box ${JSON.stringify(box)}`);
    expect(near(b.width, 22, 1e-9) && b.height === 20 && b.rotation === 5, `box size ${JSON.stringify(b)}`);
    // The centre stays where the move left it: (40.2 + 11)% x (40 + 10)% of 400x300 px.
    const rad = (5 * Math.PI) / 180;
    const [x, y, w, h] = [(b.x * 400) / 100, (b.y * 300) / 100, (b.width * 400) / 100, (b.height * 300) / 100];
    const cx = x + (w / 2) * Math.cos(rad) - (h / 2) * Math.sin(rad);
    const cy = y + (w / 2) * Math.sin(rad) + (h / 2) * Math.cos(rad);
    expect(near(cx, 204.8, 1e-6) && near(cy, 150, 1e-6), `centre ${cx},${cy}`);
    expect(oval.type === "ellipselabels" && canon(oval.value) === canon({ x: 50, y: 50, radiusX: 10, radiusY: 10.1, rotation: 0, ellipselabels: ["Cell"] }), `ellipse ${JSON.stringify(oval)}`);
  });

  const GEO = `<View>\n  <Image name="img" value="$image"/>\n  <PolygonLabels name="area" toName="img"><Label value="Lake"/></PolygonLabels>\n  <KeyPointLabels name="kp" toName="img"><Label value="Peak"/></KeyPointLabels>\n</View>`;
  await test("polygon by clicks (Enter closes), keypoint by a click, Alt+N square, wheel zoom and Space-drag pan", async () => {
    const p = await project("E2E polygon", GEO, [{ data: { image: pngUrl(400, 300) } }]);
    await page.goto(`${target.url}/projects/${p.id}/label`);
    const canvas = page.getByRole("application", { name: /^Image img/ });
    await canvas.locator("svg").waitFor();
    await page.waitForTimeout(200);
    const b = await canvas.boundingBox();
    const at = (fx, fy) => [b.x + b.width * fx, b.y + b.height * fy];
    for (const [fx, fy] of [[0.4, 0.3], [0.6, 0.35], [0.5, 0.6]]) await page.mouse.click(...at(fx, fy));
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: /^Region 1: Lake \(polygon\)/ }).waitFor();
    await page.keyboard.press("2"); // Peak: the next click places a point
    await page.locator(".tool-name").filter({ hasText: "Tool: keypoint" }).waitFor();
    await page.mouse.click(...at(0.8, 0.8));
    await page.getByRole("button", { name: /^Region 2: Peak \(keypoint\)/ }).waitFor();
    const level = async () => Number((await page.locator(".zoom-level").textContent()).replace("%", ""));
    const before = await level();
    await page.mouse.move(...at(0.5, 0.5));
    await page.mouse.wheel(0, -400);
    await page.waitForFunction((v) => Number(document.querySelector(".zoom-level").textContent.replace("%", "")) > v * 1.5, before);
    const transform = () => canvas.locator("svg").evaluate((el) => el.style.transform);
    const t0 = await transform();
    await canvas.focus();
    await page.keyboard.down(" ");
    await page.mouse.move(...at(0.5, 0.5));
    await page.mouse.down();
    await page.mouse.move(...at(0.3, 0.4), { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up(" ");
    expect((await transform()) !== t0, `Space-drag did not pan: ${t0}`);
    expect((await page.getByRole("heading", { name: "Regions (2)" }).count()) === 1, "the pan drew or changed a region");
    // Keyboard only: Lake active again, Alt+N adds a square, Alt+Shift+→ widens it by 2%.
    await page.keyboard.press("1");
    await page.keyboard.press("Alt+n");
    await page.getByRole("button", { name: /^Region 3: Lake \(polygon\)/, pressed: true }).waitFor();
    await page.keyboard.press("Alt+Shift+ArrowRight");
    await page.keyboard.press("Control+Enter");
    await page.getByText("Nothing left to label in this project.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${p.tasks[0]}/annotations`);
    const [poly, kp, square] = ann.result;
    const want = [[40, 40], [62, 40], [62, 60], [40, 60]];
    expect(square?.type === "polygonlabels" && square.value.points.every((pt, i) => near(pt[0], want[i][0], 1e-9) && near(pt[1], want[i][1], 1e-9)), `square ${JSON.stringify(square)}`);
    expect(poly.type === "polygonlabels" && poly.value.points.length === 3 && JSON.stringify(poly.value.polygonlabels) === '["Lake"]', `polygon ${JSON.stringify(poly)}`);
    expect(poly.value.points.every(([x, y]) => x > 0 && x < 100 && y > 0 && y < 100), `points ${JSON.stringify(poly.value.points)}`);
    expect(kp.type === "keypointlabels" && kp.value.x > poly.value.points[1][0] && kp.value.y > poly.value.points[2][1] && JSON.stringify(kp.value.keypointlabels) === '["Peak"]', `keypoint ${JSON.stringify(kp)}`);
  });

  const WORDS = `<View>\n  <Labels name="ner" toName="text"><Label value="Person"/></Labels>\n  <Text name="text" value="$text" granularity="word"/>\n</View>`;
  await test('granularity="word": a sloppy selection snaps to whole words', async () => {
    const p = await project("E2E words", WORDS, [{ data: { text: "Ada Lovelace worked with Babbage." } }]);
    await page.goto(`${target.url}/projects/${p.id}/label`);
    const view = page.getByRole("document", { name: /^Text text/ });
    await view.waitFor();
    await view.evaluate((el) => {
      const t = el.querySelector("[data-start]").firstChild;
      const r = document.createRange();
      r.setStart(t, 2); // "a Lov"
      r.setEnd(t, 7);
      getSelection().removeAllRanges();
      getSelection().addRange(r);
      el.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
    });
    await page.getByRole("button", { name: /^Region 1: Person/ }).waitFor();
    await page.keyboard.press("Control+Enter");
    await page.getByText("Nothing left to label in this project.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${p.tasks[0]}/annotations`);
    expect(canon(ann.result[0].value) === canon({ start: 0, end: 12, text: "Ada Lovelace", labels: ["Person"] }), `span ${JSON.stringify(ann.result[0])}`);
  });

  const PER_REGION = `<View>\n  <Image name="img" value="$image"/>\n  <RectangleLabels name="tag" toName="img"><Label value="Car"/></RectangleLabels>\n  <View visibleWhen="region-selected">\n    <Choices name="color" toName="img" perRegion="true"><Choice value="Red" hotkey="r"/><Choice value="Blue" hotkey="b"/></Choices>\n    <TextArea name="plate" toName="img" perRegion="true"/>\n    <Rating name="damage" toName="img" perRegion="true" maxRating="5"/>\n    <Number name="doors" toName="img" perRegion="true" min="0" max="9"/>\n  </View>\n  <Choices name="scene" toName="img"><Choice value="Street"/><Choice value="Parking"/></Choices>\n</View>`;
  let perRegion;
  await test("per-region Choices (hotkey), TextArea, Rating and Number follow the selected region; items share its id", async () => {
    const p = await project("E2E per-region", PER_REGION, [{ data: { image: pngUrl(400, 300) } }, { data: { image: pngUrl(400, 300) } }]);
    perRegion = p;
    const box = (id, x) => ({ id, from_name: "tag", to_name: "img", type: "rectanglelabels", original_width: 400, original_height: 300,
      value: { x, y: 20, width: 20, height: 30, rotation: 0, rectanglelabels: ["Car"] } });
    await call("POST", `/api/tasks/${p.tasks[0]}/annotations`, { result: [box("a1", 10), box("b2", 60)] });
    await page.goto(`${target.url}/projects/${p.id}/tasks/${p.tasks[0]}`);
    await page.getByRole("application", { name: /^Image img: 2 regions/ }).locator("svg").waitFor();
    expect((await page.getByRole("textbox", { name: "plate" }).count()) === 0, "per-region controls shown with no region selected");
    await page.getByRole("button", { name: /^Region 1: Car/ }).click();
    await page.keyboard.press("r"); // hotkey of the per-region choice Red
    await page.getByRole("radio", { name: /^Red/ }).and(page.locator(":checked")).waitFor();
    await page.getByRole("textbox", { name: "plate" }).fill("AB-123");
    await page.getByRole("button", { name: "Rate 4 of 5" }).click();
    await page.getByRole("spinbutton", { name: "doors" }).fill("4");
    await shot(page, "per-region.png", true);
    // Region 2: its own answers; region 1's are not shown for it.
    await page.getByRole("button", { name: /^Region 2: Car/ }).click();
    expect((await page.getByRole("textbox", { name: "plate" }).inputValue()) === "", "region 1's text shown for region 2");
    await page.keyboard.press("b");
    await page.getByRole("button", { name: /^Region 1: Car/ }).click();
    expect((await page.getByRole("textbox", { name: "plate" }).inputValue()) === "AB-123", "region 1's text lost");
    await page.keyboard.press("Escape");
    await page.getByRole("radio", { name: /^Parking/ }).click(); // a whole-image choice
    await page.getByRole("button", { name: "Update (Ctrl+Enter)" }).click();
    await page.getByText("Saved.").waitFor();
    const [ann] = await call("GET", `/api/tasks/${p.tasks[0]}/annotations`);
    const of = (id) => ann.result.filter((r) => r.id === id).map((r) => [r.from_name, r.type, JSON.stringify(r.value)]);
    expect(JSON.stringify(of("a1").slice(1)) === JSON.stringify([
      ["color", "choices", '{"choices":["Red"]}'], ["plate", "textarea", '{"text":["AB-123"]}'], ["damage", "rating", '{"rating":4}'], ["doors", "number", '{"number":4}'],
    ]), `region a1 items ${JSON.stringify(of("a1"))}`);
    expect(JSON.stringify(of("b2").slice(1)) === JSON.stringify([["color", "choices", '{"choices":["Blue"]}']]), `region b2 items ${JSON.stringify(of("b2"))}`);
    const scene = ann.result.find((r) => r.from_name === "scene");
    expect(scene && scene.id !== "a1" && scene.id !== "b2" && JSON.stringify(scene.value) === '{"choices":["Parking"]}', `scene ${JSON.stringify(scene)}`);
    expect(ann.result.every((r) => r.to_name === "img"), "to_name");
  });

  await test("region list: hide and show regions (button and Alt+H); hidden ones are still saved", async () => {
    await page.goto(`${target.url}/projects/${perRegion.id}/tasks/${perRegion.tasks[0]}`);
    await page.getByRole("application", { name: /^Image img: 2 regions/ }).locator("svg").waitFor();
    await page.getByRole("button", { name: "Hide region 1" }).click();
    await page.getByRole("application", { name: /^Image img: 1 regions/ }).waitFor();
    expect(await page.getByRole("button", { name: "Hide region 1", pressed: true }).isVisible(), "toggle not pressed");
    await page.getByRole("button", { name: /^Region 2: Car/ }).click();
    await page.keyboard.press("Alt+h");
    await page.getByRole("application", { name: /^Image img: 0 regions/ }).waitFor();
    await shot(page, "hidden-regions.png");
    await page.getByRole("button", { name: "Show all regions (Alt+Shift+H)" }).click();
    await page.getByRole("application", { name: /^Image img: 2 regions/ }).waitFor();
    await page.getByRole("button", { name: "Hide region 2" }).click();
    await page.getByRole("button", { name: "Update (Ctrl+Enter)" }).click();
    await page.getByText("Saved.").waitFor();
    const list = await call("GET", `/api/tasks/${perRegion.tasks[0]}/annotations`);
    expect(new Set(list[0].result.map((r) => r.id)).has("b2"), "a hidden region was dropped from the result");
  });

  await test("zoom: the + and − buttons and the = - Home keys change the zoom; Fit restores it", async () => {
    await page.goto(`${target.url}/projects/${perRegion.id}/tasks/${perRegion.tasks[0]}`);
    await page.getByRole("application", { name: /^Image img/ }).locator("svg").waitFor();
    await page.waitForTimeout(200); // the fit follows the image's size
    const level = page.locator(".zoom-level");
    const pct = async () => Number((await level.textContent()).replace("%", ""));
    const fit = await pct();
    await page.getByRole("button", { name: "Zoom in" }).click();
    expect(near(await pct(), fit * 1.25, 1), `zoom in: ${await pct()} from ${fit}`);
    await page.getByRole("application", { name: /^Image img/ }).focus();
    await page.keyboard.press("=");
    expect(near(await pct(), fit * 1.5625, 1), `= key: ${await pct()}`);
    await page.keyboard.press("-");
    await page.getByRole("button", { name: "Zoom out" }).click();
    expect(near(await pct(), fit, 1), `back: ${await pct()}`);
    await page.keyboard.press("=");
    await page.getByRole("button", { name: "Fit to view" }).click();
    expect((await pct()) === fit, `fit: ${await pct()} want ${fit}`);
  });

  await test("previous/next: the task page links its neighbours; the stream links the task submitted last", async () => {
    const [t1, t2] = perRegion.tasks;
    await page.goto(`${target.url}/projects/${perRegion.id}/tasks/${t1}`);
    await page.getByRole("link", { name: `Next task (task ${t2})` }).click();
    await page.waitForURL(new RegExp(`/tasks/${t2}$`));
    await page.getByRole("heading", { name: new RegExp(`^Task ${t2}`) }).waitFor();
    await page.getByRole("link", { name: `Previous task (task ${t1})` }).click();
    await page.waitForURL(new RegExp(`/tasks/${t1}$`));
    // The stream: task 2 is the one left; skip it, then Previous opens it for an update.
    await page.goto(`${target.url}/projects/${perRegion.id}/label`);
    await page.getByRole("heading", { name: `Task ${t2}` }).waitFor();
    await page.getByRole("button", { name: "Skip" }).click();
    await page.getByText("Nothing left to label in this project.").waitFor();
    await page.getByRole("link", { name: `Previous task (task ${t2}, submitted last)` }).click();
    await page.waitForURL(new RegExp(`/tasks/${t2}$`));
  });

  await test("task table: sort by annotations and filter by status, both kept in the URL", async () => {
    const p = await project("E2E table", SHAPES, [1, 2, 3].map(() => ({ data: { image: pngUrl(40, 30) } })));
    await call("POST", `/api/tasks/${p.tasks[1]}/annotations`, { result: [] });
    await page.goto(`${target.url}/projects/${p.id}`);
    const rows = page.getByRole("table").getByRole("row");
    await rows.nth(3).waitFor();
    await page.getByRole("button", { name: "Sort by annotations" }).click();
    await page.waitForURL(/ordering=total_annotations$/);
    await page.getByRole("button", { name: "Sort by annotations" }).click();
    await page.waitForURL(/ordering=-total_annotations$/);
    await page.locator('th[aria-sort="descending"]').getByRole("button", { name: "Sort by annotations" }).waitFor();
    await page.waitForFunction((t) => document.querySelector("table.tasks tbody tr td a")?.textContent === String(t), p.tasks[1]);
    await page.getByLabel("Status").selectOption("unlabeled");
    await page.waitForURL(/ordering=-total_annotations&status=unlabeled$/);
    await page.getByRole("table").getByText("2 open of 3").waitFor();
    expect((await rows.count()) === 3, `rows ${await rows.count()} (header + 2 open tasks)`);
    await page.getByLabel("Status").selectOption("labeled");
    await page.getByRole("table").getByText("1 labeled of 3").waitFor();
    // The URL alone brings the same table back.
    await page.goto(page.url());
    await page.getByRole("table").getByText("1 labeled of 3").waitFor();
    expect((await page.getByRole("table").getByRole("link").allTextContents()).join() === String(p.tasks[1]), "labeled filter rows");
  });

  await test("settings: the config is checked as you type, the server's messages marked at their lines; live preview", async () => {
    const p = await project("E2E settings", SHAPES, [{ data: { image: pngUrl(400, 300) } }]);
    await page.goto(`${target.url}/projects/${p.id}/settings`);
    const area = page.getByLabel("Labeling config (XML)");
    await area.waitFor();
    await page.getByRole("region", { name: "Preview" }).getByRole("application", { name: /^Image img/ }).locator("svg").waitFor();
    expect((await page.getByRole("heading", { name: `Preview on task ${p.tasks[0]}` }).count()) === 1, "preview heading");
    await page.getByRole("status").filter({ hasText: "The server accepts this config" }).waitFor();
    // Break line 4: toName names no object. No click: the server is asked as you type.
    const broken = SHAPES.replace('<EllipseLabels name="oval" toName="img">', '<EllipseLabels name="oval" toName="imgx">');
    await area.fill(broken);
    const server = page.getByRole("list", { name: "Problems reported by the server" });
    await server.waitFor();
    const text = await server.textContent();
    expect(/line 4/.test(text) && text.includes("imgx"), `server message: ${text}`);
    await page.locator(".config-gutter .bad").filter({ hasText: /^● 4$/ }).first().waitFor();
    // The message is a button that puts the caret on its line.
    await server.getByRole("button", { name: /^Go to line 4:/ }).click();
    const caret = await area.evaluate((el) => el.selectionStart);
    expect(caret === broken.split("\n").slice(0, 3).join("\n").length + 1, `caret at ${caret}`);
    // The preview keeps the last valid config and says so.
    await page.getByRole("heading", { name: /\(last valid config\)$/ }).waitFor();
    await shot(page, "settings-errors.png", true);
    // A new valid config is previewed: a Text object with its sample text.
    await area.fill(`<View>\n  <Text name="t" value="$text"/>\n  <Labels name="ner" toName="t"><Label value="Person"/></Labels>\n</View>`);
    await page.getByRole("region", { name: "Preview" }).getByRole("document", { name: /^Text t/ }).waitFor();
    await page.getByRole("status").filter({ hasText: "The server accepts this config" }).waitFor();
    expect((await server.count()) === 0, "old server messages still shown");
  });
}
