// Pre-filtering scenarios (issue 9): a manager turns pre-filtering on in the
// project settings, imports duplicate texts through the task page and sees
// the count in the import message, then finds the flagged task listed with
// its reason in the settings and releases it. Called by run.mjs against the
// real server.
export async function prefilterScenarios({ page, target, call, test, expect, signInAs }) {
  const TEXT = `<View>\n  <Text name="text" value="$text"/>\n  <Choices name="mood" toName="text"><Choice value="Good"/><Choice value="Bad"/></Choices>\n</View>`;
  const project = await call("POST", "/api/projects", { title: "E2E pre-filter", label_config: TEXT });

  await test("pre-filtering: turned on in the settings, it flags a duplicate import and releases it", async () => {
    // Earlier scenarios may have left another user signed in.
    const me = await page.evaluate(() => fetch("/api/current-user/whoami").then((r) => (r.ok ? r.json() : null)));
    if (me?.email !== target.email) await signInAs(target.email, target.password);
    await page.goto(`${target.url}/projects/${project.id}/settings`);
    const section = page.getByRole("region", { name: "Pre-filtering" });
    await section.getByLabel("Pre-filter imports").check();
    await section.getByRole("button", { name: "Save pre-filtering" }).click();
    await section.getByText("Saved.").waitFor();
    const state = await call("GET", `/api/projects/${project.id}/prefilter`);
    expect(state.settings.enabled === true, `enabled was not saved: ${JSON.stringify(state.settings)}`);

    // Import through the task page's file picker: two identical texts and an empty one.
    await page.goto(`${target.url}/projects/${project.id}`);
    const tasks = JSON.stringify([{ text: "The same review twice." }, { text: "The same review twice." }, { text: "   " }]);
    await page.locator('input[type="file"]').setInputFiles({ name: "tasks.json", mimeType: "application/json", buffer: Buffer.from(tasks) });
    await page.getByText(/Imported 3 tasks\. Pre-filtering: 2 kept out of the queue: 1 duplicate, 1 empty text\./).waitFor();

    await page.goto(`${target.url}/projects/${project.id}/settings`);
    const table = page.getByRole("table", { name: "Flagged tasks" });
    await table.getByRole("row").nth(2).waitFor();
    expect((await table.getByRole("row").count()) === 3, "expected a header row and two flagged tasks");
    await table.getByText(/duplicate of task \d+/).waitFor();
    const flagged = await call("GET", `/api/projects/${project.id}/prefilter/tasks?reason=empty`);
    expect(flagged.tasks.length === 1, `expected one empty task: ${JSON.stringify(flagged)}`);
    await page.getByRole("button", { name: `Release task ${flagged.tasks[0].task}` }).click();
    await page.getByText("Returned 1 task to the queue.").waitFor();
    const after = await call("GET", `/api/projects/${project.id}/prefilter`);
    expect(after.flagged_total === 1 && after.flagged.duplicate === 1, `after release: ${JSON.stringify(after)}`);
  });
}
