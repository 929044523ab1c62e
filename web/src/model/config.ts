// The labeling config as a typed schema: the browser's twin of the server's
// include/tessera/config.h. parseLabelingConfig() reads the XML and returns
// the object tags, control tags (with their options), and a layout tree the
// editor renders in document order. The server stays the authority on
// validity (POST /api/projects/validate); this parser reports the problems
// that would stop the editor from rendering, in the server's message shape:
//   line 4: <RectangleLabels name="tag">: toName="imgx" names no object tag; object tags here: img
import { type XmlElement, XmlError, parseXml, textContent } from "./xml";

export type ObjectType =
  | "Image" | "Text" | "HyperText" | "Audio" | "Video" | "Paragraphs"
  | "TimeSeries" | "Table" | "List" | "Pdf" | "Chat";

export type ControlType =
  | "Choices" | "Taxonomy" | "Labels" | "RectangleLabels" | "Rectangle" | "PolygonLabels" | "Polygon"
  | "KeyPointLabels" | "KeyPoint" | "EllipseLabels" | "Ellipse" | "BrushLabels" | "Brush" | "MagicWand"
  | "BitmaskLabels" | "Bitmask" | "TextArea" | "Rating" | "Number" | "DateTime" | "Relations"
  | "VideoRectangle" | "Pairwise" | "Ranker" | "HyperTextLabels" | "ParagraphLabels"
  | "TimeSeriesLabels" | "TimelineLabels";

type OptionTag = "Label" | "Choice" | "Relation" | "Bucket";
type LayoutTag =
  | "View" | "Header" | "Style" | "Repeater" | "Collapse" | "Panel" | "Filter" | "Shortcut" | "Markdown" | "Dialog";

const OBJECT_TAGS: Readonly<Record<string, ObjectType>> = {
  image: "Image", text: "Text", hypertext: "HyperText", audio: "Audio", audioplus: "Audio", video: "Video",
  paragraphs: "Paragraphs", timeseries: "TimeSeries", table: "Table", list: "List", pdf: "Pdf", chat: "Chat",
};

// Each control and the option tag it holds ("" = none).
const CONTROL_TAGS: Readonly<Record<string, readonly [ControlType, OptionTag | ""]>> = {
  choices: ["Choices", "Choice"], taxonomy: ["Taxonomy", "Choice"], labels: ["Labels", "Label"],
  rectanglelabels: ["RectangleLabels", "Label"], rectangle: ["Rectangle", ""],
  polygonlabels: ["PolygonLabels", "Label"], polygon: ["Polygon", ""],
  keypointlabels: ["KeyPointLabels", "Label"], keypoint: ["KeyPoint", ""],
  ellipselabels: ["EllipseLabels", "Label"], ellipse: ["Ellipse", ""],
  brushlabels: ["BrushLabels", "Label"], brush: ["Brush", ""], magicwand: ["MagicWand", ""],
  bitmasklabels: ["BitmaskLabels", "Label"], bitmask: ["Bitmask", ""],
  textarea: ["TextArea", ""], rating: ["Rating", ""], number: ["Number", ""], datetime: ["DateTime", ""],
  relations: ["Relations", "Relation"], videorectangle: ["VideoRectangle", ""], pairwise: ["Pairwise", ""],
  ranker: ["Ranker", "Bucket"], hypertextlabels: ["HyperTextLabels", "Label"],
  paragraphlabels: ["ParagraphLabels", "Label"], timeserieslabels: ["TimeSeriesLabels", "Label"],
  timelinelabels: ["TimelineLabels", "Label"],
};

const OPTION_TAGS: Readonly<Record<string, OptionTag>> = {
  label: "Label", choice: "Choice", relation: "Relation", bucket: "Bucket",
};

const LAYOUT_TAGS: Readonly<Record<string, LayoutTag>> = {
  view: "View", header: "Header", style: "Style", repeater: "Repeater", collapse: "Collapse", panel: "Panel",
  filter: "Filter", shortcut: "Shortcut", markdown: "Markdown", dialog: "Dialog",
};

/** The `type` a result item from this control carries. */
export function resultType(type: ControlType): string {
  return type === "Relations" ? "relation" : type.toLowerCase();
}

/** Attributes in document order; look-ups ignore case, as Label Studio's do. */
export class Attributes {
  constructor(readonly entries: readonly (readonly [string, string])[]) {}
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.entries.find(([n]) => n.toLowerCase() === lower)?.[1];
  }
  getBool(name: string, fallback = false): boolean {
    const v = this.get(name);
    return v === undefined ? fallback : v.trim().toLowerCase() === "true";
  }
}

export type ChoiceMode = "single" | "single-radio" | "multiple";

export interface Visibility {
  readonly visibleWhen: string;
  readonly whenTagName: string;
  readonly whenChoiceValue: string;
  readonly whenLabelValue: string;
}

export interface LabelOption {
  readonly tag: OptionTag;
  readonly value: string;
  readonly alias: string;
  readonly background: string;
  readonly hotkey: string;
  readonly path: readonly string[];
  readonly attributes: Attributes;
  readonly line: number;
}

/** What results call this option: the alias when set, else the value. */
export const resultValue = (o: LabelOption): string => o.alias || o.value;

export interface ObjectTag {
  readonly name: string;
  readonly type: ObjectType;
  readonly xmlTag: string;
  readonly value: string;
  /** "image" for value="$image"; "" for a literal value. */
  readonly dataKey: string;
  readonly attributes: Attributes;
  readonly line: number;
}

export interface ControlTag {
  readonly name: string;
  readonly type: ControlType;
  readonly xmlTag: string;
  readonly toNames: readonly string[];
  readonly options: readonly LabelOption[];
  readonly dynamicOptions: boolean;
  readonly choice: ChoiceMode;
  readonly required: boolean;
  readonly perRegion: boolean;
  readonly maxUsages: number | undefined;
  readonly maxRating: number;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly visibility: Visibility | undefined;
  readonly attributes: Attributes;
  readonly line: number;
}

/** The page as the config lays it out; the editor renders this tree. */
export type LayoutNode =
  | { readonly kind: "view"; readonly tag: LayoutTag; readonly attributes: Attributes;
      readonly visibility: Visibility | undefined; readonly children: readonly LayoutNode[] }
  | { readonly kind: "header"; readonly text: string; readonly dataKey: string }
  | { readonly kind: "style"; readonly css: string }
  | { readonly kind: "object"; readonly name: string }
  | { readonly kind: "control"; readonly name: string };

export interface LabelingConfig {
  readonly objects: readonly ObjectTag[];
  readonly controls: readonly ControlTag[];
  readonly layout: LayoutNode;
  readonly dataKeys: readonly string[];
}

export type ParseResult =
  | { readonly ok: true; readonly config: LabelingConfig }
  | { readonly ok: false; readonly errors: readonly string[] };

/** "image" for "$image", "images" for "$images[{{idx}}].url", "" otherwise. */
export function dataKeyOf(value: string): string {
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(value.trim());
  return m?.[1] ?? "";
}

const splitList = (s: string | undefined): string[] =>
  (s ?? "").split(",").map((x) => x.trim()).filter((x) => x !== "");

function describe(el: XmlElement): string {
  const attrs = new Attributes(el.attributes);
  const name = attrs.get("name");
  if (name !== undefined) return `<${el.tag} name="${name}">`;
  const value = attrs.get("value");
  if (value !== undefined && OPTION_TAGS[el.tag.toLowerCase()]) return `<${el.tag} value="${value}">`;
  return `<${el.tag}>`;
}

function readVisibility(attrs: Attributes): Visibility | undefined {
  const visibleWhen = attrs.get("visibleWhen") ?? "";
  if (visibleWhen === "") return undefined;
  return {
    visibleWhen,
    whenTagName: attrs.get("whenTagName") ?? "",
    whenChoiceValue: attrs.get("whenChoiceValue") ?? "",
    whenLabelValue: attrs.get("whenLabelValue") ?? "",
  };
}

const numberOr = (s: string | undefined): number | undefined => {
  if (s === undefined || s.trim() === "") return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

const MAX_DEPTH = 64;

/** Parses a labeling config. Never throws: XML and schema problems come back as messages. */
export function parseLabelingConfig(xml: string): ParseResult {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (e: unknown) {
    if (e instanceof XmlError) return { ok: false, errors: [`line ${e.line}: not well-formed XML: ${e.message.replace(/^line \d+: /, "")}`] };
    throw e;
  }
  const errors: string[] = [];
  const objects: ObjectTag[] = [];
  const controls: { c: ControlTag; options: LabelOption[] }[] = [];
  const dataKeys: string[] = [];
  const names = new Map<string, number>();
  const err = (el: XmlElement, msg: string) => errors.push(`line ${el.line}: ${describe(el)}: ${msg}`);
  const addKey = (k: string) => {
    if (k !== "" && !dataKeys.includes(k)) dataKeys.push(k);
  };
  const register = (el: XmlElement, name: string) => {
    const prev = names.get(name);
    if (prev !== undefined) err(el, `name="${name}" is already used on line ${prev}; names must be unique`);
    else names.set(name, el.line);
  };

  if (root.tag.toLowerCase() !== "view") {
    return { ok: false, errors: [`line ${root.line}: <${root.tag}>: the root tag must be <View>; wrap the config in <View>...</View>`] };
  }

  interface Scope {
    control: { c: ControlTag; options: LabelOption[] } | null;
    optionTag: OptionTag | "";
    path: readonly string[];
    visibility: Visibility | undefined;
  }

  const walk = (el: XmlElement, scope: Scope, depth: number): LayoutNode[] => {
    if (depth > MAX_DEPTH) {
      err(el, `tags are nested more than ${MAX_DEPTH} levels deep`);
      return [];
    }
    const out: LayoutNode[] = [];
    for (const child of el.children) {
      if (child.kind === "text") continue;
      const lower = child.tag.toLowerCase();
      const attrs = new Attributes(child.attributes);
      const objectType = OBJECT_TAGS[lower];
      const control = CONTROL_TAGS[lower];
      const optionTag = OPTION_TAGS[lower];
      const layoutTag = LAYOUT_TAGS[lower];
      if (objectType) {
        const name = attrs.get("name") ?? "";
        const value = attrs.get("value") ?? attrs.get("valueList") ?? "";
        if (name === "") err(child, 'missing name="..."; an object tag needs a name for controls to point at with toName');
        else register(child, name);
        if (value === "") err(child, 'missing value="..."; an object tag shows a task field, e.g. value="$image"');
        const dataKey = dataKeyOf(value);
        addKey(dataKey);
        objects.push({ name, type: objectType, xmlTag: child.tag, value, dataKey, attributes: attrs, line: child.line });
        out.push({ kind: "object", name });
        walk(child, scope, depth + 1);
      } else if (control) {
        const [type, holds] = control;
        const name = attrs.get("name") ?? "";
        if (name === "") {
          if (type !== "Relations") err(child, 'missing name="..."; every control needs a unique name that results refer to');
        } else register(child, name);
        const choiceAttr = (attrs.get("choice") ?? "single").trim().toLowerCase();
        let choice: ChoiceMode = "single";
        if (choiceAttr === "multiple" || choiceAttr === "single-radio") choice = choiceAttr;
        else if (choiceAttr !== "single") err(child, `choice="${choiceAttr}" is not valid; use single, single-radio or multiple`);
        const valueAttr = attrs.get("value") ?? "";
        const optionsKey = dataKeyOf(valueAttr);
        addKey(optionsKey);
        const entry = {
          c: {
            name, type, xmlTag: child.tag, toNames: splitList(attrs.get("toName")), options: [] as LabelOption[],
            dynamicOptions: optionsKey !== "" || attrs.get("apiUrl") !== undefined || type === "Taxonomy" && attrs.getBool("userLabels") || attrs.getBool("allowUserLabels"),
            choice, required: attrs.getBool("required"), perRegion: attrs.getBool("perRegion"),
            maxUsages: numberOr(attrs.get("maxUsages")), maxRating: numberOr(attrs.get("maxRating")) ?? 5,
            min: numberOr(attrs.get("min")), max: numberOr(attrs.get("max")),
            visibility: readVisibility(attrs) ?? scope.visibility, attributes: attrs, line: child.line,
          },
          options: [] as LabelOption[],
        };
        controls.push(entry);
        out.push({ kind: "control", name });
        walk(child, { control: entry, optionTag: holds, path: [], visibility: entry.c.visibility }, depth + 1);
      } else if (optionTag) {
        if (!scope.control || scope.optionTag !== optionTag) {
          const holders = Object.values(CONTROL_TAGS).filter(([, o]) => o === optionTag).map(([t]) => `<${t}>`);
          err(child, `<${optionTag}> belongs inside ${holders.join(", ")}`);
          continue;
        }
        const value = (optionTag === "Bucket" ? attrs.get("name") : attrs.get("value")) ?? "";
        if (value === "") err(child, `missing ${optionTag === "Bucket" ? "name" : "value"}="..."; each <${optionTag}> needs the value results will carry`);
        const path = [...scope.path, value];
        scope.control.options.push({
          tag: optionTag, value, alias: attrs.get("alias") ?? "", background: attrs.get("background") ?? "",
          hotkey: attrs.get("hotkey") ?? "", path, attributes: attrs, line: child.line,
        });
        walk(child, { ...scope, path }, depth + 1);
      } else if (layoutTag) {
        const name = attrs.get("name");
        if (name) register(child, name);
        if (layoutTag === "Header") {
          const value = attrs.get("value") ?? textContent(child).trim();
          addKey(dataKeyOf(value));
          out.push({ kind: "header", text: value, dataKey: dataKeyOf(value) });
        } else if (layoutTag === "Style") {
          out.push({ kind: "style", css: textContent(child) });
        } else {
          if (layoutTag === "Repeater") addKey(dataKeyOf(attrs.get("on") ?? ""));
          const visibility = readVisibility(attrs) ?? scope.visibility;
          const children = walk(child, { ...scope, visibility }, depth + 1);
          out.push({ kind: "view", tag: layoutTag, attributes: attrs, visibility: readVisibility(attrs), children });
        }
      } else if (lower === "channel") {
        addKey(dataKeyOf(attrs.get("column") ?? ""));
      } else {
        err(child, `unknown tag; supported tags: ${[...Object.values(OBJECT_TAGS), ...Object.values(CONTROL_TAGS).map(([t]) => t), ...Object.values(OPTION_TAGS), ...Object.values(LAYOUT_TAGS)].filter((t, i, a) => a.indexOf(t) === i).sort().join(", ")}`);
      }
    }
    return out;
  };

  const children = walk(root, { control: null, optionTag: "", path: [], visibility: undefined }, 1);
  const rootAttrs = new Attributes(root.attributes);
  const layout: LayoutNode = { kind: "view", tag: "View", attributes: rootAttrs, visibility: readVisibility(rootAttrs), children };

  const objectNames = objects.map((o) => o.name);
  for (const { c } of controls) {
    const el = { kind: "element", tag: c.xmlTag, attributes: c.attributes.entries, children: [], line: c.line } as const;
    if (c.type !== "Relations" && c.toNames.length === 0) err(el, 'missing toName="..."; a control names the object tag it labels');
    for (const to of c.toNames) {
      if (!objectNames.includes(to) && !names.has(to)) {
        err(el, `toName="${to}" names no object tag; object tags here: ${objectNames.join(", ") || "(none)"}`);
      }
    }
  }
  if (objects.length === 0 && errors.length === 0) {
    errors.push(`line ${root.line}: <View>: the config has no object tag (Image, Text, Audio, ...) to label`);
  }
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => lineOf(a) - lineOf(b)) };
  const finalControls: ControlTag[] = controls.map(({ c, options }) => ({ ...c, options }));
  return { ok: true, config: { objects, controls: finalControls, layout, dataKeys } };
}

const lineOf = (msg: string): number => Number(/^line (\d+)/.exec(msg)?.[1] ?? 0);

export const findControl = (cfg: LabelingConfig, name: string): ControlTag | undefined =>
  cfg.controls.find((c) => c.name === name);
export const findObject = (cfg: LabelingConfig, name: string): ObjectTag | undefined =>
  cfg.objects.find((o) => o.name === name);

/** True when a result item of `type` may come from this control ("rectangle" from RectangleLabels too). */
export function acceptsResultType(c: ControlTag, type: string): boolean {
  const t = type.toLowerCase();
  const own = resultType(c.type);
  if (t === own) return true;
  return own.endsWith("labels") && t === own.slice(0, -"labels".length);
}
