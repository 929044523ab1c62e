import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api } from "../api";
import { navigate } from "../router";
import { ErrorBox, errorText, useLoad } from "./common";

export function ProjectsPage(): JSX.Element {
  const [page, error, reload] = useLoad(() => api.projects(), []);
  const [title, setTitle] = useState("");
  const [createError, setCreateError] = useState("");
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const p = await api.createProject({ title });
      navigate(`/projects/${p.id}/settings`);
    } catch (err: unknown) {
      setCreateError(errorText(err));
      reload();
    }
  };
  return (
    <main>
      <h1>Projects</h1>
      <ErrorBox error={error} />
      {page && page.results.length === 0 && <p>No projects yet.</p>}
      <ul class="project-list">
        {page?.results.map((p) => {
          const total = p.task_number ?? 0;
          const done = p.finished_task_number ?? 0;
          return (
            <li key={p.id}>
              <a href={`/projects/${p.id}`}>{p.title || `Project ${p.id}`}</a>
              <progress max={Math.max(total, 1)} value={done} aria-label={`${p.title}: ${done} of ${total} tasks done`} />
              <span>{done} / {total} tasks</span>
              <a href={`/projects/${p.id}/label`} class="button">Label</a>
            </li>
          );
        })}
      </ul>
      <form class="inline-form" onSubmit={create}>
        <label>New project title <input value={title} required onInput={(e) => setTitle(e.currentTarget.value)} /></label>
        <button type="submit">Create project</button>
      </form>
      <ErrorBox error={createError} />
    </main>
  );
}
