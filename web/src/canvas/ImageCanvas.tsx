// The image canvas: shows one <Image> object's picture and its regions, and
// runs the drawing tools. It owns only view state (pan/zoom, the draft being
// drawn); regions come in as props and every change goes out as an Intent.
// See README.md for its modes, keys and events.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { Component, type JSX } from "preact";
import {
  type Point, type Size, type Viewport, HANDLES, IDENTITY_VIEWPORT, fitViewport, handlePoint, panBy, percentToPixel,
  pixelToPercent, rectCorners, screenToImage, zoomAt,
} from "../geometry";
import type { Region, RegionId, Shape } from "../model";
import { boxTool } from "./box";
import { ellipseToPx, rectToPx } from "./hit";
import { ellipseTool } from "./ellipse";
import { keypointTool } from "./keypoint";
import { EllipseView, RotateHandle } from "./parts";
import { closePolygon, dropLastVertex, polygonTool } from "./polygon";
import { selectTool } from "./select";
import { type Box, captionArea, captioned, inside, shapeBounds, viewBox } from "./cull";
import { type PaintItem, paintRegions } from "./paint";
import type { Draft, Intent, Pointer, Tool, ToolEnv, ToolName } from "./types";

const TOOLS: Readonly<Record<ToolName, Tool>> = { select: selectTool, rect: boxTool, polygon: polygonTool, ellipse: ellipseTool, keypoint: keypointTool };
const HIT_SCREEN_PX = 8;
/** A wheel zoom is drawn by scaling the rendered layer until the wheel has been still this long. */
const ZOOM_SETTLE_MS = 150;
/** The region canvas reaches this fraction of the view beyond each edge, so a pan seldom needs a redraw. */
const PAINT_MARGIN = 0.25;

export interface ImageCanvasProps {
  readonly name: string;
  readonly src: string;
  readonly regions: readonly Region[];
  readonly selected: RegionId | null;
  /** The selected polygon's active vertex (keyboard vertex editing), drawn larger. */
  readonly activeVertex?: number | null;
  readonly tool: ToolName;
  readonly colorOf: (r: Region) => string;
  readonly captionOf: (r: Region) => string;
  readonly onSize: (size: Size) => void;
  readonly onIntent: (i: Intent) => void;
  /** Drawn above the regions in image pixels (e.g. relation arrows); `scale` is screen px per image px. */
  readonly overlay?: (size: Size, scale: number) => JSX.Element | null;
}

function draftShape(d: Draft | null): Shape | null {
  if (!d) return null;
  switch (d.kind) {
    case "drawRect":
    case "drawEllipse":
      return d.shape;
    case "drawPolygon":
      return { kind: "polygon", points: [...d.points, d.cursor] };
    default:
      return null;
  }
}

/** The region a draft is changing (moving, resizing, turning, a vertex), if any. */
function editedId(d: Draft | null): RegionId | null {
  return d && (d.kind === "move" || d.kind === "resize" || d.kind === "resizeEllipse" || d.kind === "rotate" || d.kind === "vertex") ? d.id : null;
}

function editedShape(r: Region, d: Draft | null): Shape {
  if (d && (d.kind === "move" || d.kind === "resize" || d.kind === "resizeEllipse" || d.kind === "rotate" || d.kind === "vertex") && d.id === r.id) return d.shape;
  return r.shape;
}

// Sizes that stay constant on screen (captions, handles, points) are divided
// by `scale`, the layer's scale. Only the shapes that have such parts get the
// real scale (the others get 1), so a new zoom level re-renders those alone;
// strokes keep their width through vector-effect. Caption offsets are in em of
// their font size (3 px = 3/13 em): a CSS transform per caption would make each
// its own paint chunk, which Chrome re-layerizes on every frame of a pan.
const captionFont = (scale: number) => ({ fontSize: `${13 / scale}px` });

/** `scale`: screen px per image px, for handles, points and captions; `caption` "" draws none. */
function ShapeView(props: { shape: Shape; size: Size; color: string; selected: boolean; scale: number; caption: string; vertex?: number | null }): JSX.Element | null {
  const { shape, size, color, selected, scale, caption } = props;
  const captionStyle = captionFont(scale);
  const stroke = selected ? 3 : 2;
  const common = { stroke: color, "stroke-width": stroke, "vector-effect": "non-scaling-stroke", fill: color, "fill-opacity": selected ? 0.25 : 0.12 };
  if (shape.kind === "rect") {
    const r = rectToPx(shape, size);
    const pts = rectCorners(r).map((p) => `${p.x},${p.y}`).join(" ");
    return (
      <g>
        <polygon points={pts} {...common} />
        {caption && <text x={r.x} y={r.y} dy="-0.2308em" style={captionStyle} fill={color} class="region-caption">{caption}</text>}
        {selected &&
          HANDLES.map((h) => {
            const p = handlePoint(r, h);
            const s = 8 / scale;
            return <rect key={h} x={p.x - s / 2} y={p.y - s / 2} width={s} height={s} fill="#fff" stroke={color} vector-effect="non-scaling-stroke" />;
          })}
        {selected && <RotateHandle shape={shape} size={size} color={color} scale={scale} />}
      </g>
    );
  }
  if (shape.kind === "ellipse") return <EllipseView {...props} shape={shape} common={common} captionStyle={captionStyle} />;
  if (shape.kind === "polygon") {
    const pts = shape.points.map((p) => percentToPixel(p, size));
    const first = pts[0];
    return (
      <g>
        <polygon points={pts.map((p) => `${p.x},${p.y}`).join(" ")} {...common} />
        {first && caption && <text x={first.x} y={first.y} dy="-0.2308em" style={captionStyle} fill={color} class="region-caption">{caption}</text>}
        {selected &&
          pts.map((p, i) =>
            i === props.vertex ? (
              <circle key={i} class="active-vertex" cx={p.x} cy={p.y} r={7 / scale} fill={color} stroke="#fff" stroke-width={2} vector-effect="non-scaling-stroke" />
            ) : (
              <circle key={i} cx={p.x} cy={p.y} r={5 / scale} fill="#fff" stroke={color} vector-effect="non-scaling-stroke" />
            ))}
      </g>
    );
  }
  if (shape.kind === "keypoint") {
    const p = percentToPixel(shape, size);
    return (
      <g>
        {selected ? (
          <circle cx={p.x} cy={p.y} r={7 / scale} fill={color} stroke="#fff" stroke-width={1.5} vector-effect="non-scaling-stroke" />
        ) : (
          <circle cx={p.x} cy={p.y} r={5 / scale} fill={color} stroke="#fff" stroke-width={1.5} vector-effect="non-scaling-stroke" />
        )}
        {caption && <text x={p.x} y={p.y} dx="0.6154em" dy="-0.4615em" style={captionStyle} fill={color} class="region-caption">{caption}</text>}
      </g>
    );
  }
  return null;
}

type ShapeProps = Parameters<typeof ShapeView>[0];

/** One region's shape, re-rendered only when its own props change: drawing or
 *  selecting then touches one region, not all of them. */
class RegionShape extends Component<ShapeProps> {
  override shouldComponentUpdate(next: ShapeProps): boolean {
    const p = this.props;
    return next.shape !== p.shape || next.size !== p.size || next.color !== p.color || next.selected !== p.selected || next.scale !== p.scale || next.caption !== p.caption || next.vertex !== p.vertex;
  }
  override render(): JSX.Element | null {
    return <ShapeView {...this.props} />;
  }
}

const sameView = (a: Viewport, b: Viewport): boolean => a.scale === b.scale && a.offsetX === b.offsetX && a.offsetY === b.offsetY;

/**
 * Whether a region canvas drawn for `drawn` (reaching mx, my beyond a host of
 * `box`) still covers the part of the picture (`size`) that `view` shows.
 */
function covers(drawn: Viewport, view: Viewport, size: Size, box: Size, mx: number, my: number): boolean {
  const k = view.scale / drawn.scale;
  // The canvas's edges on screen now.
  const x0 = view.offsetX - k * (drawn.offsetX + mx);
  const y0 = view.offsetY - k * (drawn.offsetY + my);
  const x1 = x0 + k * (box.width + 2 * mx);
  const y1 = y0 + k * (box.height + 2 * my);
  // The picture's part of the screen.
  const px0 = Math.max(0, view.offsetX);
  const py0 = Math.max(0, view.offsetY);
  const px1 = Math.min(box.width, view.offsetX + size.width * view.scale);
  const py1 = Math.min(box.height, view.offsetY + size.height * view.scale);
  return px0 >= px1 || py0 >= py1 || (x0 <= px0 && y0 <= py0 && x1 >= px1 && y1 >= py1);
}

export function ImageCanvas(props: ImageCanvasProps): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<Size | null>(null);
  const [box, setBox] = useState<Size>({ width: 800, height: 500 });
  const [view, setView] = useState<Viewport>(IDENTITY_VIEWPORT);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string>("");
  // The scale the regions are laid out at while a wheel zoom is under way
  // (null otherwise): the browser scales that picture instead of redrawing
  // every region and caption on each wheel step.
  const [gestureScale, setGestureScale] = useState<number | null>(null);
  const settleTimer = useRef(0);
  useEffect(() => () => window.clearTimeout(settleTimer.current), []);
  const pan = useRef<{ last: Point } | null>(null);
  // Whether a pan is under way (the region canvas is redrawn when it ends).
  const [panning, setPanning] = useState(false);
  const spaceDown = useRef(false);
  const tool = TOOLS[props.tool];

  // Load the image to learn its natural size. Layout effects (this one and the
  // two below): a picture that is already cached is drawn, fitted, in the
  // first frame.
  useLayoutEffect(() => {
    setSize(null);
    setError("");
    const img = new Image();
    img.onload = () => {
      const s = { width: img.naturalWidth, height: img.naturalHeight };
      setSize(s);
      props.onSize(s);
    };
    img.onerror = () => setError(`The image could not be loaded: ${props.src}`);
    img.src = props.src;
    // A picture already in the page's memory cache (the stream prefetches the
    // next task's) is complete at once: draw it in this frame, not after onload.
    if (img.complete && img.naturalWidth > 0) {
      img.onload = null;
      const s = { width: img.naturalWidth, height: img.naturalHeight };
      setSize(s);
      props.onSize(s);
    }
  }, [props.src]);

  // Track the host's size and fit the image when either changes.
  useLayoutEffect(() => {
    const el = host.current;
    if (!el) return;
    const measure = () => setBox({ width: el.clientWidth || 800, height: el.clientHeight || 500 });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useLayoutEffect(() => {
    if (size) setView(fitViewport(size, box));
  }, [size, box.width, box.height]);
  // A layout effect: a passive one could run after the next press and drop the draft it starts.
  useLayoutEffect(() => setDraft(null), [props.tool]);

  const env = useMemo<ToolEnv | null>(
    () => (size ? { size, regions: props.regions, selected: props.selected, tolerancePx: HIT_SCREEN_PX / view.scale } : null),
    [size, props.regions, props.selected, view.scale],
  );

  const pointerOf = (e: PointerEvent | WheelEvent): { screen: Point; p: Pointer | null } => {
    const rect = (host.current as HTMLDivElement).getBoundingClientRect();
    const screen = { x: e.clientX - rect.left, y: e.clientY - rect.top };
    if (!size) return { screen, p: null };
    const px = screenToImage(screen, view);
    return { screen, p: { px, pct: pixelToPercent(px, size) } };
  };

  const emit = (intents: readonly Intent[]) => intents.forEach((i) => props.onIntent(i));

  const onPointerDown = (e: PointerEvent) => {
    (host.current as HTMLDivElement).focus();
    const { screen, p } = pointerOf(e);
    if (e.button === 1 || (e.button === 0 && spaceDown.current)) {
      pan.current = { last: screen };
      setPanning(true);
      (e.currentTarget as Element).setPointerCapture(e.pointerId);
      return;
    }
    if (e.button !== 0 || !env || !p) return;
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
    const step = tool.down(env, p, draft);
    setDraft(step.draft);
    emit(step.intents);
  };
  const onPointerMove = (e: PointerEvent) => {
    const { screen, p } = pointerOf(e);
    if (pan.current) {
      setView((v) => panBy(v, screen.x - pan.current!.last.x, screen.y - pan.current!.last.y));
      pan.current = { last: screen };
      return;
    }
    if (draft && env && p) setDraft(tool.move(env, draft, p));
  };
  const onPointerUp = (e: PointerEvent) => {
    if (pan.current) {
      pan.current = null;
      setPanning(false);
      return;
    }
    const { p } = pointerOf(e);
    if (!draft || !env || !p) return;
    const step = tool.up(env, draft, p);
    setDraft(step.draft);
    emit(step.intents);
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const { screen } = pointerOf(e);
    setGestureScale((g) => g ?? view.scale);
    window.clearTimeout(settleTimer.current);
    settleTimer.current = window.setTimeout(() => setGestureScale(null), ZOOM_SETTLE_MS);
    setView((v) => zoomAt(v, Math.exp(-e.deltaY * 0.0015), screen));
  };
  const zoom = (factor: number) => setView((v) => zoomAt(v, factor, { x: box.width / 2, y: box.height / 2 }));
  const fit = () => size && setView(fitViewport(size, box));

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === " ") {
      spaceDown.current = true;
      e.preventDefault();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    let handled = true;
    if (e.key === "=" || e.key === "+") zoom(1.25);
    else if (e.key === "-") zoom(0.8);
    else if (e.key === "Home") fit();
    else if (draft?.kind === "drawPolygon" && e.key === "Enter") {
      const step = closePolygon(draft);
      setDraft(step.draft);
      emit(step.intents);
    } else if (draft?.kind === "drawPolygon" && e.key === "Backspace") setDraft(dropLastVertex(draft));
    else if (draft && e.key === "Escape") setDraft(null);
    else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };
  const onKeyUp = (e: KeyboardEvent) => {
    if (e.key === " ") spaceDown.current = false;
  };

  const preview = draftShape(draft);
  // The selected (or edited) region, its caption, the draft and the overlay are
  // drawn at `layoutScale` into an <svg> of the image's size at that scale
  // plus a margin of one host size on each side (for captions and drafts
  // beyond the image's edge), and the view's offset (and, during a wheel zoom,
  // the rest of the scale) is a CSS transform of that <svg>: panning moves an
  // already painted layer and re-renders nothing. Its paint containment bounds
  // the layer. The other regions are painted on the canvas below it.
  const layoutScale = gestureScale ?? view.scale;
  const k = view.scale / layoutScale;
  const marginX = box.width;
  const marginY = box.height;
  // Captions go to the regions in the caption area (cull.ts), which is kept
  // while a pan stays inside it and renewed at each new zoom level; the
  // canvas draws them with the shapes.
  const area = useRef<{ scale: number; seen: Box; box: Box } | null>(null);
  if (gestureScale === null && (area.current?.scale !== view.scale || !inside(viewBox(view, box), area.current.box))) {
    area.current = { scale: view.scale, seen: viewBox(view, box), box: captionArea(view, box, null) };
  }
  const captionsAt = area.current;
  const boundsOf = useMemo(() => new WeakMap<Shape, Box | null>(), [size]);
  const withCaption = useMemo(() => {
    if (!size || !captionsAt) return props.regions.map(() => false);
    const bounds = props.regions.map((r) => {
      let b = boundsOf.get(r.shape);
      if (b === undefined) boundsOf.set(r.shape, (b = shapeBounds(r.shape, size)));
      return b;
    });
    return captioned(bounds, captionsAt.box, captionsAt.seen);
  }, [size, props.regions, captionsAt, boundsOf]);
  // The selected region and the one being edited are SVG (with handles, and
  // the selected one always with its caption).
  const edited = editedId(draft);
  const layer = useMemo(() => {
    if (!size) return null;
    return props.regions.map((r, i) => {
      const selected = r.id === props.selected;
      if (!selected && r.id !== edited) return null;
      const caption = selected || withCaption[i] ? props.captionOf(r) : "";
      return <RegionShape key={r.id} shape={editedShape(r, draft)} size={size} color={props.colorOf(r)} selected={selected} scale={layoutScale} caption={caption}
        vertex={selected ? props.activeVertex ?? null : null} />;
    });
  }, [size, props.regions, props.selected, props.activeVertex, draft, edited, layoutScale, props.colorOf, props.captionOf, withCaption]);

  // The region canvas: every region but the selected and the edited one, with
  // the captions of those in the caption area. It
  // covers the view plus PAINT_MARGIN on each side and is drawn for `drawn`
  // (a viewport); a CSS transform maps that to the current view. At rest it is
  // drawn for the exact view; during a pan or a wheel zoom it is only redrawn
  // when the part of the picture in view is no longer covered, and once more
  // when the gesture ends.
  const painted = useMemo<readonly PaintItem[]>(() => {
    const items: PaintItem[] = [];
    props.regions.forEach((r, i) => {
      if (r.id !== props.selected && r.id !== edited) items.push({ shape: r.shape, color: props.colorOf(r), caption: withCaption[i] ? props.captionOf(r) : "" });
    });
    return items;
  }, [props.regions, props.selected, edited, props.colorOf, props.captionOf, withCaption]);
  const paintCanvas = useRef<HTMLCanvasElement>(null);
  const drawn = useRef<{ view: Viewport; items: readonly PaintItem[]; size: Size; box: Size } | null>(null);
  const mx = Math.round(box.width * PAINT_MARGIN);
  const my = Math.round(box.height * PAINT_MARGIN);
  const cw = box.width + 2 * mx;
  const ch = box.height + 2 * my;
  const moving = gestureScale !== null || panning;
  const last = drawn.current;
  const fresh =
    last !== null && size !== null && last.items === painted && last.size === size && last.box === box &&
    (moving ? covers(last.view, view, size, box, mx, my) : sameView(last.view, view));
  const paintView = fresh && last ? last.view : view;
  useLayoutEffect(() => {
    const c = paintCanvas.current;
    if (!c) drawn.current = null;  // none (nothing to paint): a new one starts blank
    if (!c || !size || fresh) return;
    const ctx = c.getContext("2d");
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const at = { scale: paintView.scale, offsetX: paintView.offsetX + mx, offsetY: paintView.offsetY + my };
    const n = paintRegions(ctx, painted, size, at, cw, ch, dpr);
    c.dataset.regions = String(n.regions);
    c.dataset.captions = String(n.captions);
    drawn.current = { view: paintView, items: painted, size, box };
  });
  const kp = view.scale / paintView.scale;
  const paintStyle = {
    position: "absolute", left: 0, top: 0, width: `${cw}px`, height: `${ch}px`, transformOrigin: "0 0", willChange: "transform", pointerEvents: "none",
    transform: `translate(${view.offsetX - kp * (paintView.offsetX + mx)}px, ${view.offsetY - kp * (paintView.offsetY + my)}px) scale(${kp})`,
  };
  const dprNow = typeof window === "undefined" ? 1 : window.devicePixelRatio || 1;
  const pictureStyle = {
    position: "absolute", left: 0, top: 0, transformOrigin: "0 0", willChange: "transform", maxWidth: "none",
    transform: `translate(${view.offsetX}px, ${view.offsetY}px) scale(${view.scale})`,
  };
  const layerStyle = {
    position: "absolute", left: 0, top: 0, contain: "paint", transformOrigin: "0 0", willChange: "transform",
    transform: `translate(${view.offsetX - k * marginX}px, ${view.offsetY - k * marginY}px) scale(${k})`,
  };
  const selectedRegion = props.regions.find((r) => r.id === props.selected);
  return (
    <div class="image-canvas">
      <div class="canvas-toolbar" role="toolbar" aria-label={`View of ${props.name}`}>
        <button type="button" onClick={() => zoom(1.25)} aria-label="Zoom in" title="Zoom in (=)">+ <kbd>=</kbd></button>
        <button type="button" onClick={() => zoom(0.8)} aria-label="Zoom out" title="Zoom out (-)">− <kbd>-</kbd></button>
        <button type="button" onClick={fit} aria-label="Fit to view" title="Fit (Home)">Fit <kbd>Home</kbd></button>
        <span class="zoom-level" aria-live="polite">{Math.round(view.scale * 100)}%</span>
        <span class="tool-name">Tool: {props.tool}</span>
      </div>
      <div
        ref={host}
        class={`canvas-host tool-${props.tool}`}
        tabIndex={0}
        role="application"
        aria-label={`Image ${props.name}: ${props.regions.length} regions${selectedRegion ? `, selected: ${props.captionOf(selectedRegion)}` : ""}${
          selectedRegion?.shape.kind === "polygon" && props.activeVertex != null ? `, vertex ${props.activeVertex + 1} of ${selectedRegion.shape.points.length}` : ""}`}
        data-testid={`canvas-${props.name}`}
        onKeyDown={onKeyDown}
        onKeyUp={onKeyUp}
      >
        {error && <p class="error" role="alert">{error}</p>}
        {size && <img class="canvas-picture" src={props.src} width={size.width} height={size.height} alt="" aria-hidden="true" draggable={false} style={pictureStyle} />}
        {/* Only when there is something to paint: a new task without regions
            then allocates no bitmap (a canvas costs its first commit). */}
        {size && painted.length > 0 && <canvas ref={paintCanvas} class="region-paint" width={Math.round(cw * dprNow)} height={Math.round(ch * dprNow)} aria-hidden="true" style={paintStyle} />}
        {size && (
          <svg width={size.width * layoutScale + 2 * marginX} height={size.height * layoutScale + 2 * marginY} aria-hidden="true" style={layerStyle}>
            <g transform={`translate(${marginX} ${marginY}) scale(${layoutScale})`}>
              {layer}
              {props.overlay?.(size, layoutScale)}
              {preview && <ShapeView shape={preview} size={size} color="#ff9800" selected={false} scale={layoutScale} caption="" />}
            </g>
          </svg>
        )}
        {/* Pointer and wheel input land on this sheet over the picture. With the
            wheel listener and touch-action on an ancestor of the <svg> instead,
            Chrome records a hit-test rectangle for every shape and redoes them
            all on every frame of a pan (190 ms a frame with 5,000 boxes). */}
        <div class="canvas-input" onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onWheel={onWheel} />
      </div>
    </div>
  );
}
