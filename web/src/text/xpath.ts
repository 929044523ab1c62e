// Label Studio's XPath positions inside a <HyperText> object's HTML: a path
// of steps from the object's root ("/div[1]/p[2]/text()[1]", 1-based, tag
// names lower case) and a character offset. Written at text-node level;
// read also at element level ("/p[2]" + an offset counted over the element's
// text), as older results have it.
import type { XPathSpanShape } from "../model";

/** The XPath of `node` relative to `root`, or null when it is not inside. */
export function xpathOf(root: Node, node: Node): string | null {
  const steps: string[] = [];
  let cur: Node | null = node;
  while (cur && cur !== root) {
    const parent: Node | null = cur.parentNode;
    if (!parent) return null;
    let index = 0;
    for (let sib = parent.firstChild; sib; sib = sib.nextSibling) {
      if (sameStep(sib, cur)) index++;
      if (sib === cur) break;
    }
    steps.unshift(`${stepName(cur)}[${index}]`);
    cur = parent;
  }
  return cur === root ? `/${steps.join("/")}` : null;
}

const stepName = (n: Node): string => (n.nodeType === Node.TEXT_NODE ? "text()" : n.nodeName.toLowerCase());
const sameStep = (a: Node, b: Node): boolean =>
  a.nodeType === b.nodeType && (a.nodeType === Node.TEXT_NODE || a.nodeName === b.nodeName);

/** The node an XPath names under `root`, or null. */
export function nodeAtXPath(root: Node, path: string): Node | null {
  let cur: Node = root;
  for (const step of path.split("/").filter((s) => s !== "")) {
    const m = /^([a-zA-Z][\w-]*|text\(\))(?:\[(\d+)\])?$/.exec(step);
    if (!m) return null;
    const name = (m[1] as string).toLowerCase();
    let want = Number(m[2] ?? "1");
    let found: Node | null = null;
    for (let sib = cur.firstChild; sib; sib = sib.nextSibling) {
      const matches = name === "text()" ? sib.nodeType === Node.TEXT_NODE : sib.nodeType === Node.ELEMENT_NODE && sib.nodeName.toLowerCase() === name;
      if (matches && --want === 0) {
        found = sib;
        break;
      }
    }
    if (!found) return null;
    cur = found;
  }
  return cur;
}

/** A DOM position (text node + offset) for an XPath and offset, or null when it does not resolve. */
export function positionAt(root: Node, path: string, offset: number): { node: Text; offset: number } | null {
  const node = nodeAtXPath(root, path);
  if (!node) return null;
  if (node.nodeType === Node.TEXT_NODE) {
    const t = node as Text;
    return offset >= 0 && offset <= t.length ? { node: t, offset } : null;
  }
  // Element level: count characters over its text nodes.
  const walker = (node.ownerDocument ?? document).createTreeWalker(node, NodeFilter.SHOW_TEXT);
  let left = offset;
  let last: Text | null = null;
  for (let t = walker.nextNode() as Text | null; t; t = walker.nextNode() as Text | null) {
    if (left <= t.length) return { node: t, offset: left };
    left -= t.length;
    last = t;
  }
  return left === 0 && last ? { node: last, offset: last.length } : null;
}

/** A DOM boundary point as a text node + offset: element boundaries move into the nearest text. */
export function textPoint(container: Node, offset: number, root: Node): { node: Text; offset: number } | null {
  if (container.nodeType === Node.TEXT_NODE) return { node: container as Text, offset };
  const doc = root.ownerDocument ?? document;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const child = container.childNodes[offset] ?? null;
  // The first text at or after the boundary; else the last text before it.
  let before: Text | null = null;
  for (let t = walker.nextNode() as Text | null; t; t = walker.nextNode() as Text | null) {
    const after = child ? child === t || (child.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0 || child.contains(t)
      : (container.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0 && !container.contains(t);
    if (after) return { node: t, offset: 0 };
    before = t;
  }
  return before ? { node: before, offset: before.length } : null;
}

/** The DOM range of a stored span, or null when its XPaths do not resolve in this HTML. */
export function spanRange(root: Node, s: XPathSpanShape): Range | null {
  const a = positionAt(root, s.start, s.startOffset);
  const b = positionAt(root, s.end, s.endOffset);
  if (!a || !b) return null;
  const r = (root.ownerDocument ?? document).createRange();
  try {
    r.setStart(a.node, a.offset);
    r.setEnd(b.node, b.offset);
  } catch {
    return null;
  }
  return r.collapsed ? null : r;
}
