// What the image canvas and its tools exchange. Tools are pure functions of
// (environment, draft, pointer); the ImageCanvas component owns the draft and
// turns the intents they return into callbacks.
import type { Point, Size } from "../geometry";
import type { Region, RegionId, Shape, RectShape, PolygonShape, EllipseShape } from "../model";
import type { EllipseHandle, Handle } from "../geometry";

export type ToolName = "select" | "rect" | "polygon" | "ellipse" | "keypoint";

export interface Pointer {
  /** Percent of the image. */
  readonly pct: Point;
  /** Pixels of the image at natural size. */
  readonly px: Point;
}

export interface ToolEnv {
  readonly size: Size;
  readonly regions: readonly Region[];
  readonly selected: RegionId | null;
  /** How near (image px) a pointer must be to grab a handle or vertex. */
  readonly tolerancePx: number;
}

export type Draft =
  | { readonly kind: "drawRect"; readonly start: Point; readonly shape: RectShape }
  | { readonly kind: "drawPolygon"; readonly points: readonly Point[]; readonly cursor: Point }
  | { readonly kind: "move"; readonly id: RegionId; readonly start: Point; readonly orig: Shape; readonly shape: Shape; readonly moved: boolean }
  | { readonly kind: "resize"; readonly id: RegionId; readonly handle: Handle; readonly orig: RectShape; readonly shape: RectShape }
  | { readonly kind: "drawEllipse"; readonly start: Point; readonly shape: EllipseShape }
  | { readonly kind: "resizeEllipse"; readonly id: RegionId; readonly handle: EllipseHandle; readonly orig: EllipseShape; readonly shape: EllipseShape }
  | { readonly kind: "rotate"; readonly id: RegionId; readonly orig: RectShape | EllipseShape; readonly shape: RectShape | EllipseShape }
  | { readonly kind: "vertex"; readonly id: RegionId; readonly index: number; readonly shape: PolygonShape }
  | { readonly kind: "click"; readonly start: Point };

export type Intent =
  | { readonly type: "select"; readonly id: RegionId | null }
  | { readonly type: "create"; readonly shape: Shape }
  | { readonly type: "setShape"; readonly id: RegionId; readonly shape: Shape };

export interface Step {
  readonly draft: Draft | null;
  readonly intents: readonly Intent[];
}

export interface Tool {
  readonly name: ToolName;
  /** Pointer pressed on empty space (or anywhere, for tools that always draw). */
  down(env: ToolEnv, p: Pointer, draft: Draft | null): Step;
  move(env: ToolEnv, draft: Draft, p: Pointer): Draft;
  up(env: ToolEnv, draft: Draft, p: Pointer): Step;
}
