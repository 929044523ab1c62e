// Guideline scenarios (issue 9), real server only: a manager publishes a
// guideline with an XSS payload from the settings page; nothing in it runs,
// anywhere it is shown. An annotator's stream stops at the new version until
// it is acknowledged; the side panel searches and jumps to a label's section;
// the submitted annotation carries guideline_version. Called by run.mjs
// while the browser is signed in as the administrator.
import { signedInMember } from "./client.mjs";

const NER = `<View>\n  <Labels name="ner" toName="text"><Label value="Person"/><Label value="Org" hint="Organisations"/></Labels>\n  <Text name="text" value="$text"/>\n</View>`;
const GUIDE = [
  "Label every name.",
  "",
  "# Person",
  "Full names of people. <img src=x onerror=\"window.__xss = 'img'\"> Titles are not part of the name.",
  "",
  "<script>window.__xss = 'script'</script>",
  "",
  "# Organisations",
  "Companies and agencies, e.g. **IBM**.",
  "",
  "[a link](javascript:window.__xss='link')",
].join("\n");

export async function guidelineScenarios({ page, target, call, test, expect, signInAs, problems }) {
  const stamp = Date.now();
  const consoleBefore = problems.length;
  const gwen = { email: `gwen-${stamp}@e2e.local`, password: "gwen-password-123", first_name: "Gwen", last_name: "Hart" };
  let project;
  let taskIds;
  const noScriptRan = async (where) => {
    const ran = await page.evaluate(() => window.__xss ?? null);
    expect(ran === null, `${where}: the guideline's ${ran} payload ran`);
  };

  await test("guidelines: a manager publishes a version with examples from the settings page", async () => {
    project = await call("POST", "/api/projects", { title: "E2E guidelines", label_config: NER });
    taskIds = [];
    for (const text of ["Ada Lovelace met Charles Babbage.", "Grace Hopper joined the Navy."]) {
      taskIds.push((await call("POST", "/api/tasks", { project: project.id, data: { text } })).id);
    }
    await signedInMember(target.url, call, project.id, gwen);
    await page.goto(`${target.url}/projects/${project.id}/settings`);
    await page.getByRole("heading", { name: "Guidelines", exact: true }).waitFor();
    await page.getByText("No version published yet.").waitFor();
    const editor = page.getByLabel("Guideline (Markdown)");
    await editor.waitFor();
    await page.waitForFunction(() => !document.querySelector(".guidelines-settings textarea")?.disabled);
    await editor.fill(GUIDE);
    await page.getByLabel("Change note").fill("first version");
    const adder = page.getByRole("form", { name: "Add an example" });
    await adder.getByLabel("Task id").fill(String(taskIds[1]));
    await adder.getByLabel("Kind").selectOption("edge_case");
    await adder.getByLabel("Caption").fill("the Navy is an organisation");
    await adder.getByRole("button", { name: "Add example" }).click();
    await page.getByRole("button", { name: `Remove example 1 (task ${taskIds[1]})` }).waitFor();
    await page.getByRole("button", { name: "Preview" }).click();
    const preview = page.getByRole("region", { name: "Preview" });
    await preview.getByRole("heading", { name: "Organisations" }).waitFor();
    expect((await preview.locator("script, [onerror]").count()) === 0, "the preview kept a script or a handler");
    await page.getByRole("button", { name: "Publish new version" }).click();
    await page.getByText("Published version 1.", { exact: false }).waitFor();
    await page.getByRole("table", { name: "Guideline versions" }).getByRole("cell", { name: "first version" }).waitFor();
    const stored = await call("GET", `/api/projects/${project.id}/guidelines/1`);
    expect(stored.text === GUIDE, `stored text differs: ${JSON.stringify(stored.text)}`);
    expect(stored.examples.length === 1 && stored.examples[0].kind === "edge_case" && stored.examples[0].task === taskIds[1],
      `examples: ${JSON.stringify(stored.examples)}`);
    await noScriptRan("settings preview");
  });

  await test("guidelines: the annotator must acknowledge the new version; nothing in it runs", async () => {
    await signInAs(gwen.email, gwen.password);
    await page.goto(`${target.url}/projects/${project.id}/label`);
    const prompt = page.getByRole("region", { name: "Guideline version 1" });
    await prompt.getByRole("heading", { name: "The guideline changed: version 1" }).waitFor();
    await prompt.getByText("first version").waitFor();
    await prompt.getByRole("heading", { name: "Person" }).waitFor();
    const shown = await prompt.textContent();
    expect(shown.includes("Full names of people.") && shown.includes("Companies and agencies"), `prompt text: ${shown}`);
    expect((await prompt.locator("script, [onerror]").count()) === 0, "the prompt kept a script or an event handler");
    const link = prompt.getByRole("link", { name: "a link" });
    expect(!(await link.count()) || (await link.getAttribute("href")) === null, "a javascript: link kept its href");
    await prompt.getByText("Edge case").waitFor();
    await noScriptRan("acknowledgement prompt");
    await prompt.getByRole("button", { name: "Acknowledge version 1" }).click();
    await page.getByRole("heading", { name: /^Task \d+$/ }).waitFor();
    const status = await call("GET", `/api/projects/${project.id}/guidelines`);
    expect(status.latest === 1, `latest ${status.latest}`);
  });

  await test("guidelines: the side panel searches, jumps to a label's section, and the annotation carries the version", async () => {
    const panel = page.getByRole("complementary", { name: "Guideline" });
    await panel.getByRole("heading", { name: "Guideline v1" }).waitFor();
    expect((await panel.locator("script, [onerror]").count()) === 0, "the panel kept a script or an event handler");
    await noScriptRan("side panel");
    // Search: only the matching section stays, with the term marked.
    const search = panel.getByRole("searchbox", { name: "Search the guideline" });
    await search.fill("agencies");
    await panel.locator("mark", { hasText: "agencies" }).waitFor();
    expect((await panel.getByRole("region", { name: "Person" }).count()) === 0, "a section without the term stayed");
    await search.fill("");
    await panel.getByRole("region", { name: "Person" }).waitFor();
    // The label buttons of the panel, and the editor's label key: Org's hint names "Organisations".
    await panel.getByRole("button", { name: "Guideline section for label Org" }).waitFor();
    await page.locator(".task-title").click();
    await page.keyboard.press("2");
    await page.waitForFunction(() => document.getElementById("g-organisations")?.classList.contains("focused"));
    await page.keyboard.press("1");
    await page.waitForFunction(() => document.getElementById("g-person")?.classList.contains("focused"));
    // Label a span and submit.
    const view = page.getByRole("document", { name: /^Text text/ });
    await view.evaluate((el) => {
      const t = el.querySelector("[data-start]").firstChild;
      const r = document.createRange();
      r.setStart(t, 0);
      r.setEnd(t, 12);
      const s = getSelection();
      s.removeAllRanges();
      s.addRange(r);
      el.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
    });
    await page.getByRole("button", { name: /^Region 1: Person/ }).waitFor();
    const heading = await page.locator(".task-title").textContent();
    const taskId = Number(/\d+/.exec(heading)[0]);
    await page.getByRole("button", { name: "Submit (Ctrl+Enter)" }).click();
    let ann;
    for (let tries = 0; tries < 100 && !ann; ++tries) {
      [ann] = await call("GET", `/api/tasks/${taskId}/annotations`);
      if (!ann) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ann?.guideline_version === 1, `annotation: ${JSON.stringify(ann)}`);
    expect(ann.result[0]?.value.labels[0] === "Person", `result: ${JSON.stringify(ann.result)}`);
    await noScriptRan("labeling page");
    await signInAs(target.email, target.password);
  });

  // Chromium reports a CSP violation for each inline handler it meets while *parsing* the
  // guideline in DOMPurify's inert document (as for task HTML in editor-features.mjs); none ran
  // (window.__xss stayed unset) and none reached the page (no [onerror] in it), as checked above.
  const inert = /^Executing inline event handler violates/;
  const during = problems.splice(consoleBefore);
  problems.push(...during.filter((m) => !inert.test(m)));
}
