// A small XML reader for labeling configs. The browser has DOMParser but
// Node (where the model's tests run) does not, and configs are tiny, so the
// model parses them itself. It keeps attributes in document order and the
// line of every element, so messages can say where a problem is.
//
// Supported: elements, attributes ('…' or "…"), text, comments, CDATA, <?…?>
// and <!DOCTYPE …> (skipped), the five named entities and numeric ones.
// Not supported (not needed by configs): namespaces, DTD entity definitions.

export interface XmlElement {
  readonly kind: "element";
  readonly tag: string;
  readonly attributes: readonly (readonly [string, string])[];
  readonly children: readonly XmlNode[];
  readonly line: number;
}

export interface XmlText {
  readonly kind: "text";
  readonly text: string;
  readonly line: number;
}

export type XmlNode = XmlElement | XmlText;

export class XmlError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "XmlError";
  }
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function decodeEntities(s: string, line = 0): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);?/g, (whole, body: string) => {
    if (body.startsWith("#x")) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith("#")) return String.fromCodePoint(parseInt(body.slice(1), 10));
    const named = NAMED_ENTITIES[body];
    if (named === undefined) throw new XmlError(`unknown entity ${whole}`, line);
    return named;
  });
}

interface Open {
  tag: string;
  attributes: (readonly [string, string])[];
  children: XmlNode[];
  line: number;
}

const NAME_RE = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

/** Parses `xml` and returns its root element. Throws XmlError. */
export function parseXml(xml: string): XmlElement {
  let pos = 0;
  let line = 1;
  const stack: Open[] = [];
  let root: XmlElement | null = null;

  const advance = (to: number): void => {
    for (let i = pos; i < to; i++) if (xml.charCodeAt(i) === 10) line++;
    pos = to;
  };
  const expectEnd = (marker: string, what: string): number => {
    const end = xml.indexOf(marker, pos);
    if (end < 0) throw new XmlError(`unterminated ${what}`, line);
    return end;
  };
  const append = (node: XmlNode): void => {
    const top = stack[stack.length - 1];
    if (top) top.children.push(node);
    else if (node.kind === "element") {
      if (root) throw new XmlError(`a second root element <${node.tag}>; a config has one <View> at the top`, node.line);
      root = node;
    } else if (node.text.trim() !== "") throw new XmlError("text outside the root element", node.line);
  };

  while (pos < xml.length) {
    const lt = xml.indexOf("<", pos);
    if (lt < 0 || lt > pos) {
      const end = lt < 0 ? xml.length : lt;
      const startLine = line;
      const raw = xml.slice(pos, end);
      advance(end);
      append({ kind: "text", text: decodeEntities(raw, startLine), line: startLine });
      continue;
    }
    if (xml.startsWith("<!--", pos)) {
      advance(expectEnd("-->", "comment") + 3);
    } else if (xml.startsWith("<![CDATA[", pos)) {
      const end = expectEnd("]]>", "CDATA section");
      const startLine = line;
      const text = xml.slice(pos + 9, end);
      advance(end + 3);
      append({ kind: "text", text, line: startLine });
    } else if (xml.startsWith("<?", pos)) {
      advance(expectEnd("?>", "processing instruction") + 2);
    } else if (xml.startsWith("<!", pos)) {
      advance(expectEnd(">", "declaration") + 1);
    } else if (xml.startsWith("</", pos)) {
      NAME_RE.lastIndex = pos + 2;
      const m = NAME_RE.exec(xml);
      if (!m) throw new XmlError("a closing tag without a name", line);
      const tag = m[0];
      const close = xml.indexOf(">", pos);
      if (close < 0) throw new XmlError(`unterminated </${tag}>`, line);
      const top = stack.pop();
      if (!top) throw new XmlError(`</${tag}> closes nothing`, line);
      if (top.tag !== tag) throw new XmlError(`</${tag}> closes <${top.tag}> opened on line ${top.line}`, line);
      advance(close + 1);
      append({ kind: "element", tag: top.tag, attributes: top.attributes, children: top.children, line: top.line });
    } else {
      const startLine = line;
      NAME_RE.lastIndex = pos + 1;
      const m = NAME_RE.exec(xml);
      if (!m) throw new XmlError("'<' not followed by a tag name (write &lt; for a literal '<')", line);
      const tag = m[0];
      advance(pos + 1 + tag.length);
      const attributes: (readonly [string, string])[] = [];
      for (;;) {
        const ws = /\s*/y;
        ws.lastIndex = pos;
        ws.exec(xml);
        advance(ws.lastIndex);
        if (pos >= xml.length) throw new XmlError(`unterminated <${tag}>`, startLine);
        if (xml.startsWith("/>", pos)) {
          advance(pos + 2);
          append({ kind: "element", tag, attributes, children: [], line: startLine });
          break;
        }
        if (xml[pos] === ">") {
          advance(pos + 1);
          stack.push({ tag, attributes, children: [], line: startLine });
          break;
        }
        NAME_RE.lastIndex = pos;
        const an = NAME_RE.exec(xml);
        if (!an) throw new XmlError(`unexpected '${xml[pos] ?? ""}' in <${tag}>`, line);
        const name = an[0];
        advance(pos + name.length);
        const eq = /\s*=\s*/y;
        eq.lastIndex = pos;
        if (!eq.exec(xml)) throw new XmlError(`attribute ${name} of <${tag}> has no value`, line);
        advance(eq.lastIndex);
        const quote = xml[pos];
        if (quote !== '"' && quote !== "'") throw new XmlError(`the value of ${name} in <${tag}> must be quoted`, line);
        const close = xml.indexOf(quote, pos + 1);
        if (close < 0) throw new XmlError(`unterminated value of ${name} in <${tag}>`, line);
        const valueLine = line;
        const value = decodeEntities(xml.slice(pos + 1, close), valueLine);
        advance(close + 1);
        if (attributes.some(([n]) => n === name)) throw new XmlError(`<${tag}> repeats attribute ${name}`, valueLine);
        attributes.push([name, value]);
      }
    }
  }
  const open = stack[stack.length - 1];
  if (open) throw new XmlError(`<${open.tag}> is never closed`, open.line);
  if (!root) throw new XmlError("no root element; a config starts with <View>", line);
  return root;
}

/** The text inside an element, its descendants included. */
export function textContent(el: XmlElement): string {
  return el.children.map((c) => (c.kind === "text" ? c.text : textContent(c))).join("");
}
