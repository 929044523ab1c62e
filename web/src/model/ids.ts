// Branded ids: a RegionId cannot be passed where a task id is expected.
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type RegionId = Brand<string, "RegionId">;
export type TaskId = Brand<number, "TaskId">;
export type ProjectId = Brand<number, "ProjectId">;

export const regionId = (s: string): RegionId => s as RegionId;
export const taskId = (n: number): TaskId => n as TaskId;
export const projectId = (n: number): ProjectId => n as ProjectId;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/** A 10-character id like Label Studio's. `random` returns [0, 1); injected so tests are deterministic. */
export function newRegionId(random: () => number = Math.random): RegionId {
  let s = "";
  for (let i = 0; i < 10; i++) s += ALPHABET[Math.floor(random() * ALPHABET.length)] ?? "A";
  return regionId(s);
}
