// Words for pre-filtering results (the import message, the settings page).
import type { PrefilterCounts, PrefilterReason } from "../model";

export const PREFILTER_REASONS: readonly PrefilterReason[] = ["duplicate", "near_duplicate", "blurry", "unreadable", "empty"];

export const PREFILTER_REASON_NAMES: { readonly [R in PrefilterReason]: string } = {
  duplicate: "duplicate",
  near_duplicate: "near-duplicate",
  blurry: "blurry",
  unreadable: "unreadable or too small",
  empty: "empty text",
};

/** "3 kept out of the queue: 1 duplicate, 2 unreadable or too small", or "" when none. */
export function filteredSummary(counts: PrefilterCounts | undefined): string {
  if (!counts) return "";
  const parts: string[] = [];
  let total = 0;
  for (const reason of PREFILTER_REASONS) {
    const n = counts[reason] ?? 0;
    if (n > 0) {
      parts.push(`${n} ${PREFILTER_REASON_NAMES[reason]}`);
      total += n;
    }
  }
  return total === 0 ? "" : `${total} kept out of the queue: ${parts.join(", ")}`;
}
