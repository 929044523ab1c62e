// Bulk actions of the data manager (no DOM): which ones ask for a
// confirmation, what the dialog and the result say, and the request body
// (the selection plus the table's filters, so "all matching" means the same
// tasks on the server). Tested in dmActions.test.ts.
import type { DmAction, DmActionReply, DmActionRequest, DmQuery, SelectedItems } from "../model";

/** Actions that destroy data: always confirmed, even when the server sends no dialog. */
const DESTRUCTIVE: readonly string[] = ["delete_tasks", "delete_tasks_annotations", "delete_tasks_predictions"];

export const isDestructive = (a: Pick<DmAction, "id">): boolean => DESTRUCTIVE.includes(a.id);

/** Whether running `a` asks first. */
export const needsConfirm = (a: DmAction): boolean => a.dialog !== undefined || isDestructive(a);

const tasks = (n: number) => `${n} ${n === 1 ? "task" : "tasks"}`;

/** The confirmation's text: the server's, and how many tasks it touches. */
export function confirmText(a: DmAction, count: number): string {
  const said = a.dialog?.text?.trim();
  return `${said ? `${said} ` : ""}${a.title} for ${tasks(count)}?${isDestructive(a) ? " This cannot be undone." : ""}`;
}

/** The menu's order: by `order`, then title. */
export const sortActions = (list: readonly DmAction[]): DmAction[] =>
  [...list].sort((x, y) => x.order - y.order || x.title.localeCompare(y.title));

/** POST /api/dm/actions's body. */
export function actionRequest(selected: SelectedItems, query: DmQuery, extra: Pick<DmActionRequest, "type" | "users"> = {}): DmActionRequest {
  return { selectedItems: selected, ...query, ...extra };
}

/** "Mark ground truth: 2 tasks processed." plus the server's detail. */
export function resultText(a: Pick<DmAction, "title">, reply: DmActionReply): string {
  const detail = reply.detail?.trim();
  return `${a.title}: ${tasks(reply.processed_items)} processed.${detail ? ` ${detail}` : ""}`;
}
