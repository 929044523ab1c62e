// Which rows of a long, fixed-row-height list to put in the DOM (list
// virtualization): the rows in the scrolled viewport plus `overscan` rows on
// each side. Pure, so RegionList's arithmetic is unit-tested.

export interface RowWindow {
  /** First row drawn (inclusive). */
  readonly first: number;
  /** One past the last row drawn. */
  readonly last: number;
}

export function rowWindow(scrollTop: number, viewportPx: number, rowPx: number, count: number, overscan: number): RowWindow {
  if (count <= 0 || rowPx <= 0) return { first: 0, last: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.max(0, Math.min(count - 1, Math.floor(top / rowPx) - overscan));
  const last = Math.min(count, Math.ceil((top + Math.max(0, viewportPx)) / rowPx) + overscan);
  return { first, last: Math.max(first + 1, last) };
}
