// Previous/next among a project's tasks (DOM-free): neighbours in id order,
// and the tasks submitted in this browser session from the labeling stream
// (kept in sessionStorage-like storage, newest last), so "Previous" in the
// stream reopens the last one submitted.
export interface Neighbours {
  readonly prev: number | null;
  readonly next: number | null;
  /** 1-based position of the task, 0 when it is not in `ids`. */
  readonly position: number;
}

/** The tasks before and after `id` in `ids` (any order; compared by id). */
export function neighbours(ids: readonly number[], id: number): Neighbours {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const at = sorted.indexOf(id);
  if (at < 0) {
    const next = sorted.find((x) => x > id) ?? null;
    const before = sorted.filter((x) => x < id);
    return { prev: before.length ? (before[before.length - 1] as number) : null, next, position: 0 };
  }
  return { prev: at > 0 ? (sorted[at - 1] as number) : null, next: at + 1 < sorted.length ? (sorted[at + 1] as number) : null, position: at + 1 };
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const LIMIT = 200;
const keyOf = (project: number) => `tessera.stream.${project}`;

export function submittedInSession(store: KeyValueStore, project: number): number[] {
  try {
    const v: unknown = JSON.parse(store.getItem(keyOf(project)) ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : [];
  } catch {
    return [];
  }
}

/** Records that `task` was submitted (or skipped) from the stream; newest last, no repeats. */
export function rememberSubmitted(store: KeyValueStore, project: number, task: number): void {
  const list = submittedInSession(store, project).filter((t) => t !== task);
  list.push(task);
  store.setItem(keyOf(project), JSON.stringify(list.slice(-LIMIT)));
}
