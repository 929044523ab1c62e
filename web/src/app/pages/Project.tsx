// A project's task table (paged) and import by file picker or drag-and-drop.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import { navigate } from "../router";
import type { TaskPage, User } from "../../model";
import { mayViewQuality } from "../quality";
import { ErrorBox, errorText, useLoad } from "./common";

const PAGE_SIZE = 30;

async function loadPage(project: number, page: number): Promise<TaskPage> {
  try {
    return await api.tasks(project, page, PAGE_SIZE);
  } catch (e: unknown) {
    // The server answers 404 past the last page: show an empty page.
    if (e instanceof ApiFailure && e.status === 404) return { tasks: [], total: 0 };
    throw e;
  }
}

export function ProjectPage(props: { id: number; pageNo: number; user: User }): JSX.Element {
  const [project, projectError, reloadProject] = useLoad(() => api.project(props.id), [props.id]);
  // The quality dashboard is for reviewers and above: hide its link from
  // annotators once the role is known (the page itself explains a 403).
  const [members, membersError] = useLoad(() => api.members(props.id), [props.id]);
  const roleKnown = members !== undefined || membersError !== "";
  const showQuality = roleKnown && mayViewQuality(props.user, members);
  const [page, error, reload] = useLoad(() => loadPage(props.id, props.pageNo), [props.id, props.pageNo]);
  const [importMsg, setImportMsg] = useState("");
  const [importError, setImportError] = useState("");
  const [dragging, setDragging] = useState(false);

  const upload = async (files: readonly File[]) => {
    if (files.length === 0) return;
    setImportMsg("Importing…");
    setImportError("");
    try {
      const r = await api.importFiles(props.id, files);
      setImportMsg(`Imported ${r.task_count ?? 0} tasks.`);
      reload();
      reloadProject();
    } catch (e: unknown) {
      setImportMsg("");
      setImportError(errorText(e));
    }
  };
  const total = project?.task_number ?? page?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const go = (n: number) => navigate(`/projects/${props.id}?page=${n}`);
  return (
    <main
      class={dragging ? "dropping" : ""}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void upload(Array.from(e.dataTransfer?.files ?? []));
      }}
    >
      <h1>{project?.title ?? `Project ${props.id}`}</h1>
      <nav class="subnav" aria-label="Project">
        <a href={`/projects/${props.id}/label`} class="button primary">Label tasks</a>
        <a href={`/projects/${props.id}/settings`}>Settings</a>
        {showQuality && <a href={`/projects/${props.id}/quality`}>Quality</a>}
      </nav>
      <ErrorBox error={projectError || error} />
      <section class="import" aria-label="Import tasks">
        <label class="button">
          Import files (JSON, CSV, TSV, TXT, images…)
          <input type="file" multiple class="visually-hidden" aria-label="Import files"
            onChange={(e) => void upload(Array.from(e.currentTarget.files ?? []))} />
        </label>
        <span class="hint">or drop files anywhere on this page</span>
        <p aria-live="polite">{importMsg}</p>
        <ErrorBox error={importError} />
      </section>
      <table class="tasks">
        <caption>Tasks {total ? `(${total})` : ""}</caption>
        <thead><tr><th scope="col">ID</th><th scope="col">Data</th><th scope="col">Annotations</th><th scope="col">Status</th></tr></thead>
        <tbody>
          {page?.tasks.map((t) => (
            <tr key={t.id}>
              <td><a href={`/projects/${props.id}/tasks/${t.id}`}>{t.id}</a></td>
              <td class="data-cell">{JSON.stringify(t.data).slice(0, 120)}</td>
              <td>{t.total_annotations ?? 0}{t.cancelled_annotations ? ` (+${t.cancelled_annotations} skipped)` : ""}</td>
              <td>{t.is_labeled ? "labeled" : "open"}</td>
            </tr>
          ))}
          {page && page.tasks.length === 0 && <tr><td colSpan={4}>No tasks on this page.</td></tr>}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={props.pageNo <= 1} onClick={() => go(props.pageNo - 1)}>Previous page</button>
        <span>Page {props.pageNo} of {pages}</span>
        <button type="button" disabled={props.pageNo >= pages} onClick={() => go(props.pageNo + 1)}>Next page</button>
      </nav>
    </main>
  );
}
