// Label Studio result JSON <-> AnnotationDoc. Loading then saving gives back
// the same items (unknown keys included) with two documented exceptions:
// a rectangle or ellipse always gets `rotation`, and per-region items are written right
// after their region even if the input listed them elsewhere.
import type {
  AnnotationDoc, AttachedItem, Classification, Direction, Entity, Region, Relation, Shape,
} from "./annotation";
import { labelsKey } from "./annotation";
import type { LabelingConfig } from "./config";
import { type RelationItem, type ResultEntry, type ResultItem, isRelationItem } from "./contract";
import { regionId } from "./ids";
import { type Json, type JsonObject, isNumber, isObject, isStringArray, omit } from "./json";

const ITEM_KEYS = ["id", "from_name", "to_name", "type", "value", "original_width", "original_height"];
const RELATION_KEYS = ["type", "from_id", "to_id", "direction", "labels"];

/** Result types that make a region (geometry); everything else is a classification. */
const REGION_TYPES = new Set([
  "rectangle", "rectanglelabels", "polygon", "polygonlabels", "keypoint", "keypointlabels", "ellipse",
  "ellipselabels", "brush", "brushlabels", "bitmask", "bitmasklabels", "magicwand", "labels",
  "hypertextlabels", "paragraphlabels", "timeserieslabels", "timelinelabels", "videorectangle",
]);

export const isRegionType = (type: string): boolean => REGION_TYPES.has(type.toLowerCase());

function shapeOf(type: string, value: JsonObject, objectType: string | undefined): [Shape, readonly string[]] {
  const t = type.toLowerCase();
  const { x, y, width, height, rotation, points, start, end, text, startOffset, endOffset, radiusX, radiusY } = value;
  if ((t === "rectangle" || t === "rectanglelabels") && isNumber(x) && isNumber(y) && isNumber(width) && isNumber(height)) {
    return [{ kind: "rect", x, y, width, height, rotation: isNumber(rotation) ? rotation : 0 }, ["x", "y", "width", "height", "rotation"]];
  }
  if ((t === "polygon" || t === "polygonlabels") && Array.isArray(points)) {
    const pts = points.filter((p): p is readonly number[] => Array.isArray(p) && p.length >= 2 && p.every(isNumber));
    if (pts.length === points.length) {
      return [{ kind: "polygon", points: pts.map((p) => ({ x: p[0] ?? 0, y: p[1] ?? 0 })) }, ["points"]];
    }
  }
  if ((t === "ellipse" || t === "ellipselabels") && isNumber(x) && isNumber(y) && isNumber(radiusX) && isNumber(radiusY)) {
    return [{ kind: "ellipse", x, y, radiusX, radiusY, rotation: isNumber(rotation) ? rotation : 0 }, ["x", "y", "radiusX", "radiusY", "rotation"]];
  }
  if ((t === "keypoint" || t === "keypointlabels") && isNumber(x) && isNumber(y)) {
    return [{ kind: "keypoint", x, y }, ["x", "y"]];
  }
  if (t === "hypertextlabels" && typeof start === "string" && typeof end === "string" && isNumber(startOffset) && isNumber(endOffset)) {
    const shape: Shape = { kind: "xpath", start, end, startOffset, endOffset, text: typeof text === "string" ? text : undefined };
    return [shape, ["start", "end", "startOffset", "endOffset", "text"]];
  }
  const textLike = objectType === undefined ? typeof text === "string" : objectType === "Text";
  if (t === "labels" && textLike && isNumber(start) && isNumber(end)) {
    return [{ kind: "span", start, end, text: typeof text === "string" ? text : undefined }, ["start", "end", "text"]];
  }
  return [{ kind: "opaque" }, []];
}

function shapeValue(shape: Shape): Record<string, Json> {
  switch (shape.kind) {
    case "rect":
      return { x: shape.x, y: shape.y, width: shape.width, height: shape.height, rotation: shape.rotation };
    case "polygon":
      return { points: shape.points.map((p) => [p.x, p.y]) };
    case "ellipse":
      return { x: shape.x, y: shape.y, radiusX: shape.radiusX, radiusY: shape.radiusY, rotation: shape.rotation };
    case "keypoint":
      return { x: shape.x, y: shape.y };
    case "span":
      return shape.text === undefined ? { start: shape.start, end: shape.end } : { start: shape.start, end: shape.end, text: shape.text };
    case "xpath": {
      const v: Record<string, Json> = { start: shape.start, end: shape.end, startOffset: shape.startOffset, endOffset: shape.endOffset };
      if (shape.text !== undefined) v["text"] = shape.text;
      return v;
    }
    case "opaque":
      return {};
  }
}

const extraOf = (item: ResultEntry, keys: readonly string[]): JsonObject => {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(item)) if (!keys.includes(k) && v !== undefined) out[k] = v;
  return out;
};

function direction(v: Json | undefined): Direction {
  return v === "left" || v === "bi" ? v : "right";
}

/**
 * Loads LS result items. `config` (optional) tells text spans from audio
 * segments when both use type "labels"; without it a "labels" item with a
 * `text` value is taken as a text span.
 */
export function resultToDoc(entries: readonly ResultEntry[], config?: LabelingConfig): AnnotationDoc {
  const relations = new Map<number, RelationItem>();
  const items: ResultItem[] = [];
  entries.forEach((e, idx) => {
    if (isRelationItem(e)) relations.set(idx, e);
    // Keep indexes aligned; the placeholder is never read as an item.
    items.push(isRelationItem(e) ? { from_name: "", to_name: "", type: "relation", value: {} } : (e as ResultItem));
  });
  const entities: Entity[] = [];
  const regionAt = new Map<string, number>();
  const objectTypeOf = (toName: string): string | undefined => config?.objects.find((o) => o.name === toName)?.type;

  // Pass 1: regions, so attached items can find them wherever they appear.
  items.forEach((item) => {
    if (!isRegionType(item.type) || item.id === undefined || regionAt.has(item.id)) return;
    const value = isObject(item.value) ? item.value : {};
    const [shape, used] = shapeOf(item.type, value, objectTypeOf(item.to_name));
    const key = labelsKey(item.type);
    const labels = key !== undefined && isStringArray(value[key]) ? value[key] : undefined;
    const ow = item.original_width;
    const oh = item.original_height;
    const region: Region = {
      kind: "region", id: regionId(item.id), version: 0, fromName: item.from_name, toName: item.to_name, type: item.type,
      shape, labels, original: isNumber(ow) && isNumber(oh) ? { width: ow, height: oh } : undefined,
      valueExtra: omit(value, labels !== undefined && key !== undefined ? [...used, key] : used),
      extra: extraOf(item, ITEM_KEYS), attached: [],
    };
    regionAt.set(item.id, entities.length);
    entities.push(region);
  });

  const ordered: Entity[] = [];
  const placed = new Set<number>();
  const seen = new Set<string>();
  items.forEach((item, idx) => {
    const id = item.id;
    const relItem = relations.get(idx);
    if (relItem) {
      const rel: Relation = {
        kind: "relation", fromId: regionId(relItem.from_id), toId: regionId(relItem.to_id),
        version: 0, direction: direction(relItem.direction),
        labels: isStringArray(relItem.labels) ? relItem.labels : undefined, extra: extraOf(relItem, RELATION_KEYS),
      };
      ordered.push(rel);
      return;
    }
    const at = id === undefined ? undefined : regionAt.get(id);
    if (at !== undefined && id !== undefined) {
      if (!seen.has(id)) {
        seen.add(id);
        placed.add(at);
        ordered.push(entities[at] as Region);
        return;
      }
      // A second item with a region's id: a per-region answer.
      const region = entities[at] as Region;
      const attached: AttachedItem = {
        fromName: item.from_name, toName: item.to_name, type: item.type,
        value: isObject(item.value) ? item.value : {}, extra: extraOf(item, ITEM_KEYS.filter((k) => k !== "original_width" && k !== "original_height")),
      };
      const updated: Region = { ...region, attached: [...region.attached, attached] };
      entities[at] = updated;
      const pos = ordered.indexOf(region);
      if (pos >= 0) ordered[pos] = updated;
      return;
    }
    const cls: Classification = {
      kind: "classification", id: regionId(id ?? `item${idx}`), version: 0, fromName: item.from_name, toName: item.to_name,
      type: item.type, value: isObject(item.value) ? item.value : {},
      extra: extraOf(item, ITEM_KEYS.filter((k) => k !== "original_width" && k !== "original_height")),
    };
    ordered.push(cls);
  });
  // Attached items listed before their region: fix up the region objects in `ordered`.
  const final = ordered.map((e) => (e.kind === "region" ? (entities[regionAt.get(e.id) ?? -1] as Region | undefined) ?? e : e));
  return { version: 0, entities: final };
}

function regionItems(r: Region): ResultItem[] {
  const key = labelsKey(r.type);
  const value: Record<string, Json> = { ...r.valueExtra, ...shapeValue(r.shape) };
  if (key !== undefined && r.labels !== undefined) value[key] = r.labels;
  const main: ResultItem = {
    id: r.id, from_name: r.fromName, to_name: r.toName, type: r.type, value,
    ...(r.original ? { original_width: r.original.width, original_height: r.original.height } : {}),
    ...r.extra,
  };
  const attached = r.attached.map(
    (a): ResultItem => ({ id: r.id, from_name: a.fromName, to_name: a.toName, type: a.type, value: a.value, ...a.extra }),
  );
  return [main, ...attached];
}

/** Writes the doc as LS result items. */
export function docToResult(doc: AnnotationDoc): ResultEntry[] {
  const out: ResultEntry[] = [];
  for (const e of doc.entities) {
    if (e.kind === "region") out.push(...regionItems(e));
    else if (e.kind === "classification") {
      out.push({ id: e.id, from_name: e.fromName, to_name: e.toName, type: e.type, value: e.value, ...e.extra });
    } else {
      const rel: RelationItem = {
        from_id: e.fromId, to_id: e.toId, type: "relation", direction: e.direction,
        ...(e.labels ? { labels: e.labels } : {}), ...e.extra,
      };
      out.push(rel);
    }
  }
  return out;
}

