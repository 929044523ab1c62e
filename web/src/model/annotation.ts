// The annotation being edited, as immutable data. An AnnotationDoc is an
// ordered list of entities; each serializes to one or more LS result items:
//   Region         — something drawn or marked on an object (box, polygon,
//                    ellipse, keypoint, text span, or a kind the editor shows but cannot
//                    reshape: "opaque"). Per-region answers (perRegion Choices,
//                    TextArea...) ride along in `attached` and share its id.
//   Classification — an answer about a whole object (Choices, TextArea, ...).
//   Relation       — an arrow between two regions.
// Every entity carries a `version` bumped on each change; the doc's `version`
// is bumped by every command. Unknown keys of result items are kept in
// `extra` / `valueExtra`, so loading and saving never loses data.
import type { Point, Size } from "../geometry";
import type { RegionId } from "./ids";
import type { JsonObject } from "./json";

export interface RectShape {
  readonly kind: "rect";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly rotation: number;
}
export interface PolygonShape {
  readonly kind: "polygon";
  readonly points: readonly Point[];
}
/** Centre (x, y) and half-axes in percent of the image; `rotation` (degrees) turns it around the centre. */
export interface EllipseShape {
  readonly kind: "ellipse";
  readonly x: number;
  readonly y: number;
  readonly radiusX: number;
  readonly radiusY: number;
  readonly rotation: number;
}
export interface KeyPointShape {
  readonly kind: "keypoint";
  readonly x: number;
  readonly y: number;
}
/** Character offsets [start, end) into the text of a <Text> object. */
export interface SpanShape {
  readonly kind: "span";
  readonly start: number;
  readonly end: number;
  readonly text: string | undefined;
}
/**
 * A span of a <HyperText> object's HTML, as Label Studio writes it: XPaths of
 * the start and end nodes relative to the object's root (e.g. "/div[1]/p[2]/text()[1]")
 * and character offsets into them.
 */
export interface XPathSpanShape {
  readonly kind: "xpath";
  readonly start: string;
  readonly end: string;
  readonly startOffset: number;
  readonly endOffset: number;
  readonly text: string | undefined;
}
/** A region the editor keeps but cannot reshape (audio, video...). */
export interface OpaqueShape {
  readonly kind: "opaque";
}
export type Shape = RectShape | PolygonShape | EllipseShape | KeyPointShape | SpanShape | XPathSpanShape | OpaqueShape;
export type ShapeKind = Shape["kind"];

/** A result item kept as written: per-region answers and anything else tied to a region. */
export interface AttachedItem {
  readonly fromName: string;
  readonly toName: string;
  readonly type: string;
  readonly value: JsonObject;
  readonly extra: JsonObject;
}

export interface Region {
  readonly kind: "region";
  readonly id: RegionId;
  readonly version: number;
  readonly fromName: string;
  readonly toName: string;
  /** The result type, e.g. "rectanglelabels" or "rectangle". */
  readonly type: string;
  readonly shape: Shape;
  /** value[type] when the type carries labels ("rectanglelabels"), else undefined. */
  readonly labels: readonly string[] | undefined;
  /** The image's natural size when known (written as original_width/height). */
  readonly original: Size | undefined;
  readonly valueExtra: JsonObject;
  readonly extra: JsonObject;
  readonly attached: readonly AttachedItem[];
}

export interface Classification {
  readonly kind: "classification";
  readonly id: RegionId;
  readonly version: number;
  readonly fromName: string;
  readonly toName: string;
  readonly type: string;
  readonly value: JsonObject;
  readonly extra: JsonObject;
}

export type Direction = "right" | "left" | "bi";
export interface Relation {
  readonly kind: "relation";
  readonly fromId: RegionId;
  readonly toId: RegionId;
  readonly version: number;
  readonly direction: Direction;
  readonly labels: readonly string[] | undefined;
  readonly extra: JsonObject;
}

export type Entity = Region | Classification | Relation;

export interface AnnotationDoc {
  readonly version: number;
  readonly entities: readonly Entity[];
}

export const EMPTY_DOC: AnnotationDoc = { version: 0, entities: [] };

export const regions = (doc: AnnotationDoc): readonly Region[] =>
  doc.entities.filter((e): e is Region => e.kind === "region");

export const findRegion = (doc: AnnotationDoc, id: RegionId): Region | undefined =>
  doc.entities.find((e): e is Region => e.kind === "region" && e.id === id);

export const classificationOf = (doc: AnnotationDoc, fromName: string): Classification | undefined =>
  doc.entities.find((e): e is Classification => e.kind === "classification" && e.fromName === fromName);

/** Replaces the region `id` with `f(region)`; bumps both versions. Same doc when absent. */
export function updateRegion(doc: AnnotationDoc, id: RegionId, f: (r: Region) => Region): AnnotationDoc {
  let changed = false;
  const entities = doc.entities.map((e) => {
    if (e.kind !== "region" || e.id !== id) return e;
    changed = true;
    return { ...f(e), version: e.version + 1 };
  });
  return changed ? { version: doc.version + 1, entities } : doc;
}

/** Removes a region with the relations that point at it. */
export function removeRegion(doc: AnnotationDoc, id: RegionId): AnnotationDoc {
  const entities = doc.entities.filter(
    (e) => !(e.kind === "region" && e.id === id) && !(e.kind === "relation" && (e.fromId === id || e.toId === id)),
  );
  return entities.length === doc.entities.length ? doc : { version: doc.version + 1, entities };
}

export const appendEntity = (doc: AnnotationDoc, e: Entity): AnnotationDoc => ({
  version: doc.version + 1,
  entities: [...doc.entities, e],
});

/** The key under which `type`'s labels sit in value, or undefined when it has none. */
export function labelsKey(type: string): string | undefined {
  const t = type.toLowerCase();
  return t.endsWith("labels") ? t : undefined;
}
