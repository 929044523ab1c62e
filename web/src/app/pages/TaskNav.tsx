// Previous/next links: on a task page, the neighbours in the project's task
// table (id order); in the labeling stream, the task submitted last from it
// in this session (opened in the task page, where it can be updated).
import type { JSX } from "preact";
import { api } from "../api";
import { neighbours, submittedInSession } from "../taskNav";
import { useLoad } from "./common";

export function TaskNav(props: { project: number; task: number }): JSX.Element | null {
  const [list] = useLoad(() => api.taskList(props.project), [props.project]);
  if (!list) return null;
  const n = neighbours(list.tasks.map((t) => t.id), props.task);
  const link = (id: number | null, text: string, label: string) =>
    id === null ? <span class="nav-disabled" aria-disabled="true">{text}</span> : <a href={`/projects/${props.project}/tasks/${id}`} aria-label={`${label} (task ${id})`}>{text}</a>;
  return (
    <span class="task-nav" role="navigation" aria-label="Tasks">
      {link(n.prev, "← Previous", "Previous task")}
      {n.position > 0 && <span> {n.position} of {list.total} </span>}
      {link(n.next, "Next →", "Next task")}
      <a href={`/projects/${props.project}/label`}>Label stream</a>
    </span>
  );
}

export function StreamNav(props: { project: number; done: number }): JSX.Element | null {
  const last = submittedInSession(sessionStorage, props.project).at(-1);
  if (last === undefined) return null;
  return (
    <a class="task-nav" href={`/projects/${props.project}/tasks/${last}`} aria-label={`Previous task (task ${last}, submitted last)`}>← Previous</a>
  );
}
