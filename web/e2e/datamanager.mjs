// Data-manager scenarios (issue 9), real server only: a manager imports text
// tasks through the project page, filters by a data field, searches the
// text, saves the filters as a view and opens it again by its URL, then
// selects rows and runs bulk actions (mark ground truth, delete tasks) from
// the Actions menu and exports a selection; each step checks the table and
// the server's state. Called by run.mjs.
import { choice } from "./client.mjs";

const TEXT = `<View>\n  <Text name="text" value="$text"/>\n  <Choices name="mood" toName="text"><Choice value="Good"/><Choice value="Bad"/></Choices>\n</View>`;
const TASKS = [
  { text: "A tabby cat sleeps on the warm mat.", source: "web" },
  { text: "The dog barks at the mailman.", source: "forum" },
  { text: "Cats and dogs get along fine.", source: "web" },
  { text: "Nothing to see in this sentence.", source: "book" },
];

export async function dataManagerScenarios({ page, target, call, test, expect, signInAs }) {
  let project;
  let ids; // task ids in TASKS order
  let viewId;
  const rows = () => page.getByRole("table").locator("tbody tr");
  const rowIds = async () => (await page.getByRole("table").locator("tbody tr td a").allTextContents()).map(Number);
  /** Waits until the table lists exactly `want` (task ids, any order). */
  const tableShows = async (want, what) => {
    const key = [...want].sort((a, b) => a - b).join();
    try {
      await page.waitForFunction((k) => {
        const got = [...document.querySelectorAll("table.tasks tbody tr td a")].map((a) => Number(a.textContent)).sort((a, b) => a - b);
        return got.join() === k;
      }, key, { timeout: 10000 });
    } catch {
      throw new Error(`${what}: the table shows tasks ${(await rowIds()).join() || "(none)"}, want ${key}`);
    }
  };
  const serverIds = async (query) => {
    const r = await call("GET", `/api/tasks?project=${project.id}&page_size=100&query=${encodeURIComponent(JSON.stringify(query))}`);
    return r.tasks.map((t) => t.id).sort((a, b) => a - b);
  };

  await test("data manager: import text tasks, filter by a data field and search the text, all in the URL", async () => {
    const me = await page.evaluate(() => fetch("/api/current-user/whoami").then((r) => (r.ok ? r.json() : null)));
    if (me?.email !== target.email) await signInAs(target.email, target.password);
    project = await call("POST", "/api/projects", { title: "E2E data manager", label_config: TEXT });
    await page.goto(`${target.url}/projects/${project.id}`);
    await page.locator('input[type="file"]').setInputFiles({ name: "tasks.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(TASKS)) });
    await page.getByText("Imported 4 tasks.").waitFor();
    const all = await call("GET", `/api/tasks?project=${project.id}&page_size=100`);
    ids = TASKS.map((t) => all.tasks.find((x) => x.data.text === t.text).id);
    await tableShows(ids, "after the import");
    // The data columns come from the config's $text and the first task's keys.
    await page.getByRole("button", { name: "Sort by source" }).waitFor();

    const filters = page.getByRole("form", { name: "Filter tasks" });
    await filters.getByRole("button", { name: "Add filter" }).click();
    await filters.getByLabel("Filter 1 column").selectOption("data.source");
    await filters.getByLabel("Filter 1 operator").selectOption("equal");
    await filters.getByLabel("Filter 1 value").fill("web");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/[?&]f=data\.source%3Aequal%3Aweb(&|$)/);
    await tableShows([ids[0], ids[2]], "source is web");
    await page.getByRole("table").getByText("(2 matching, of 4)").waitFor();

    await filters.getByLabel("Search task text").fill("tabby");
    await filters.getByLabel("Search task text").press("Enter");
    await page.waitForURL(/[?&]search=tabby(&|$)/);
    await tableShows([ids[0]], "source is web, search tabby");
    const same = await serverIds({ filters: { conjunction: "and", items: [{ filter: "filter:tasks:data.source", operator: "equal", type: "String", value: "web" }] }, search: "tabby" });
    expect(same.join() === String(ids[0]), `the server's own answer: ${same}`);

    // Sorting by a data column keeps the filters.
    await page.getByRole("button", { name: "Sort by text" }).click();
    await page.waitForURL(/[?&]ordering=data\.text(&|$)/);
    await tableShows([ids[0]], "sorted");
    // The URL alone brings the same table (and the filter row) back.
    await page.goto(page.url());
    await tableShows([ids[0]], "reloaded from the URL");
    expect((await filters.getByLabel("Filter 1 value").inputValue()) === "web", "the filter row was not restored from the URL");
    expect((await filters.getByLabel("Search task text").inputValue()) === "tabby", "the search box was not restored from the URL");
  });

  await test("data manager: save the filters as a view, rename it, reopen it by URL, save a change", async () => {
    await page.getByRole("button", { name: "New view" }).click();
    await page.waitForURL(/[?&]view=\d+/);
    viewId = Number(new URL(page.url()).searchParams.get("view"));
    let views = await call("GET", `/api/dm/views?project=${project.id}`);
    const made = views.find((v) => v.id === viewId);
    expect(made, `view ${viewId} not on the server: ${JSON.stringify(views)}`);
    const items = made.data.filters?.items ?? [];
    expect(items.length === 1 && items[0].filter === "filter:tasks:data.source" && items[0].value === "web" && made.data.search === "tabby",
      `stored view data: ${JSON.stringify(made.data)}`);

    await page.getByRole("button", { name: "Rename view" }).click();
    await page.getByLabel("View name").fill("Web tabbies");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByRole("tab", { name: "Web tabbies", selected: true }).waitFor();

    // "All tasks" drops the filters; the view's own URL brings them back.
    await page.getByRole("tab", { name: "All tasks" }).click();
    await tableShows(ids, "all tasks");
    await page.goto(`${target.url}/projects/${project.id}?view=${viewId}`);
    await page.getByRole("tab", { name: "Web tabbies", selected: true }).waitFor();
    await tableShows([ids[0]], "the view opened by its URL");

    // Clear the search, save the view: the server keeps the change.
    const filters = page.getByRole("form", { name: "Filter tasks" });
    await filters.getByLabel("Search task text").fill("");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await tableShows([ids[0], ids[2]], "the view without its search");
    await page.getByRole("button", { name: "Save view" }).click();
    await page.getByText("Saved the filters in Web tabbies.").waitFor();
    views = await call("GET", `/api/dm/views?project=${project.id}`);
    const saved = views.find((v) => v.id === viewId);
    expect(!saved.data.search && saved.data.title === "Web tabbies" && saved.data.filters.items.length === 1, `after save: ${JSON.stringify(saved.data)}`);
    await page.goto(`${target.url}/projects/${project.id}?view=${viewId}`);
    await tableShows([ids[0], ids[2]], "the saved view reopened");
  });

  await test("data manager: select rows, mark ground truth from the Actions menu, then delete them after a confirmation", async () => {
    for (const id of [ids[0], ids[2]]) await call("POST", `/api/tasks/${id}/annotations`, { result: [choice("mood", "text", "Good")] });
    await page.goto(`${target.url}/projects/${project.id}?view=${viewId}`);
    await tableShows([ids[0], ids[2]], "the view");
    await page.getByRole("checkbox", { name: `Select task ${ids[0]}` }).check();
    await page.getByRole("checkbox", { name: `Select task ${ids[2]}` }).check();
    await page.getByText("2 tasks selected").waitFor();
    // The menu works from the keyboard: ArrowDown opens it on the first item.
    const menuButton = page.getByRole("button", { name: /^Actions/ });
    await menuButton.focus();
    await page.keyboard.press("ArrowDown");
    const menu = page.getByRole("menu", { name: "Actions" });
    await menu.waitFor();
    const titles = await menu.getByRole("menuitem").allTextContents();
    expect(titles.some((t) => /delete tasks/i.test(t)) && titles.some((t) => /^mark .*ground truth/i.test(t)), `actions: ${titles.join(" | ")}`);
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    await menuButton.click();
    await menu.getByRole("menuitem", { name: /^Mark .*ground truth/i }).click();
    await page.getByRole("status").filter({ hasText: /2 tasks processed/ }).waitFor();
    for (const id of [ids[0], ids[2]]) {
      const anns = await call("GET", `/api/tasks/${id}/annotations`);
      expect(anns.some((a) => a.ground_truth === true), `task ${id} has no ground-truth annotation: ${JSON.stringify(anns.map((a) => a.ground_truth))}`);
    }
    await rows().filter({ hasText: "ground truth" }).nth(1).waitFor();
    expect((await rows().filter({ hasText: "ground truth" }).count()) === 2, "the table does not show the two ground-truth tasks");

    // A ground-truth filter on "All tasks" finds the same two.
    await page.getByRole("tab", { name: "All tasks" }).click();
    await tableShows(ids, "all tasks");
    const filters = page.getByRole("form", { name: "Filter tasks" });
    await filters.getByRole("button", { name: "Add filter" }).click();
    await filters.getByLabel("Filter 1 column").selectOption("ground_truth");
    await filters.getByLabel("Filter 1 value").selectOption("true");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await tableShows([ids[0], ids[2]], "ground truth is yes");

    // Select all matching, then delete: a confirmation first; cancel keeps them.
    await page.getByRole("checkbox", { name: "Select all tasks on this page" }).check();
    await page.getByText("2 tasks selected").waitFor();
    await page.getByRole("button", { name: /^Actions/ }).click();
    await page.getByRole("menu", { name: "Actions" }).getByRole("menuitem", { name: /^Delete tasks/i }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/for 2 tasks\? This cannot be undone\./).waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect((await call("GET", `/api/tasks?project=${project.id}&page_size=100`)).total === 4, "cancel deleted tasks");
    await page.getByRole("button", { name: /^Actions/ }).click();
    await page.getByRole("menu", { name: "Actions" }).getByRole("menuitem", { name: /^Delete tasks/i }).click();
    await dialog.getByRole("button", { name: /\(2 tasks\)$/ }).click();
    await page.getByRole("status").filter({ hasText: /2 tasks processed/ }).waitFor();
    await page.getByText("No tasks match these filters.").waitFor();
    const left = await call("GET", `/api/tasks?project=${project.id}&page_size=100`);
    expect(left.tasks.map((t) => t.id).sort((a, b) => a - b).join() === [ids[1], ids[3]].join(), `tasks left: ${JSON.stringify(left.tasks.map((t) => t.id))}`);
  });

  await test("data manager: export the selection as a link with the picked ids", async () => {
    await page.goto(`${target.url}/projects/${project.id}`);
    await tableShows([ids[1], ids[3]], "after the deletion");
    await page.getByRole("checkbox", { name: `Select task ${ids[3]}` }).check();
    await page.getByRole("button", { name: "Export selection" }).click();
    const form = page.getByRole("form", { name: "Export selection" });
    await form.getByLabel("Format").selectOption("JSON");
    const link = form.getByRole("link", { name: "Download 1 task" });
    let href = await link.getAttribute("href");
    expect(href === `/api/projects/${project.id}/export?exportType=JSON&ids=${ids[3]}`, `export link ${href}`);
    // Like Label Studio's, the export leaves out tasks without annotations unless asked.
    expect((await call("GET", href)).length === 0, "an unlabeled task was exported by default");
    await form.getByLabel("Include tasks without annotations").check();
    href = await link.getAttribute("href");
    expect(href.endsWith("&download_all_tasks=true"), `export link ${href}`);
    const exported = await call("GET", href);
    expect(Array.isArray(exported) && exported.length === 1 && exported[0].id === ids[3], `exported ${JSON.stringify(exported).slice(0, 200)}`);
    // JSON always carries every annotation, so the annotations picker is off for it; other formats take it.
    expect(await form.getByRole("combobox", { name: "Annotations" }).isDisabled(), "the annotations picker is on for JSON");
    await form.getByLabel("Format").selectOption("JSON_MIN");
    await form.getByRole("combobox", { name: "Annotations" }).selectOption("consensus");
    href = await link.getAttribute("href");
    expect(href.endsWith("&download_all_tasks=true&annotations=consensus"), `export link ${href}`);
    const merged = await call("GET", href);
    expect(Array.isArray(merged) && merged.length === 1 && merged[0].id === ids[3], `exported ${JSON.stringify(merged).slice(0, 200)}`);
  });

  await test("data manager: all matching tasks but one, across pages: the action sends the filters and the excluded id", async () => {
    const many = await call("POST", "/api/projects", { title: "E2E data manager, many", label_config: TEXT });
    const imported = await call("POST", `/api/projects/${many.id}/import?return_task_ids=1`,
      Array.from({ length: 36 }, (_, i) => ({ data: { text: `sentence number ${i + 1}`, source: i < 33 ? "web" : "book" } })));
    const t = imported.task_ids;
    const f = encodeURIComponent("data.source:equal:web");
    await page.goto(`${target.url}/projects/${many.id}?f=${f}`);
    await page.getByRole("table").getByText("(33 matching, of 36)").waitFor();
    await page.getByRole("checkbox", { name: "Select all tasks on this page" }).check();
    await page.getByText("30 tasks selected").waitFor();
    await page.getByRole("button", { name: "Select all 33 tasks" }).click();
    await page.getByText("All 33 tasks selected").waitFor();
    await page.getByRole("checkbox", { name: `Select task ${t[1]}` }).uncheck();
    await page.getByText("All but 1: 32 of 33 tasks selected").waitFor();
    await page.getByRole("button", { name: /^Actions/ }).click();
    await page.getByRole("menu", { name: "Actions" }).getByRole("menuitem", { name: /^Delete tasks/i }).click();
    const sent = page.waitForRequest((r) => r.url().includes("/api/dm/actions?") && r.method() === "POST");
    await page.getByRole("dialog").getByRole("button", { name: /\(32 tasks\)$/ }).click();
    const body = JSON.parse((await sent).postData());
    expect(JSON.stringify(body.selectedItems) === JSON.stringify({ all: true, excluded: [t[1]] }), `selectedItems ${JSON.stringify(body.selectedItems)}`);
    expect(body.filters?.items?.[0]?.filter === "filter:tasks:data.source" && body.filters.items[0].value === "web", `filters ${JSON.stringify(body.filters)}`);
    await page.getByRole("status").filter({ hasText: /32 tasks processed/ }).waitFor();
    await page.getByRole("table").getByText("(1 matching, of 4)").waitFor();
    const left = await call("GET", `/api/tasks?project=${many.id}&page_size=100`);
    const want = [t[1], t[33], t[34], t[35]].join();
    expect(left.tasks.map((x) => x.id).sort((a, b) => a - b).join() === want, `tasks left: ${left.tasks.map((x) => x.id)}, want ${want}`);
  });
}
