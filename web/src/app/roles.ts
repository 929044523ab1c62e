// Who may see which team page (no DOM). The server enforces every rule; these
// only decide which links and controls to offer. Tested in team.test.ts.
import type { Member, Role, User, UserBrief } from "../model";

/** The caller's role in a project: "admin" for site admins, undefined when unknown
 *  (the member list is missing, or the caller is not in it). */
export function projectRole(user: Pick<User, "id" | "is_superuser">, members: readonly Member[] | undefined): Role | "admin" | undefined {
  if (user.is_superuser) return "admin";
  return members?.find((m) => m.user.id === user.id)?.role;
}

const RANK: Readonly<Record<Role | "admin", number>> = { annotator: 0, reviewer: 1, manager: 2, owner: 3, admin: 4 };

/** Whether the caller holds at least `min`; an unknown role is given the benefit of
 *  the doubt (the page then shows the server's 403, explained). */
export function hasRole(user: Pick<User, "id" | "is_superuser">, members: readonly Member[] | undefined, min: Role): boolean {
  const role = projectRole(user, members);
  return role === undefined || RANK[role] >= RANK[min];
}

/** The review queue: reviewers, managers, owners and admins. */
export const mayReview = (user: Pick<User, "id" | "is_superuser">, members: readonly Member[] | undefined): boolean =>
  hasRole(user, members, "reviewer");

/** Assignment and the team dashboard: managers, owners and admins. */
export const mayManage = (user: Pick<User, "id" | "is_superuser">, members: readonly Member[] | undefined): boolean =>
  hasRole(user, members, "manager");

/** "Ann Lee", else the email, else "user 7". */
export function personName(u: UserBrief | null | undefined): string {
  if (!u) return "unknown";
  const name = `${u.first_name ?? ""} ${u.last_name ?? ""}`.trim();
  return name || u.email || `user ${u.id}`;
}
