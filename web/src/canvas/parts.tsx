// SVG parts of shapes that ImageCanvas draws: ellipses and the rotation
// handle of a selected box or ellipse. Sizes are in image pixels; `scale` is
// screen px per image px, so handles keep a constant size on screen.
import type { JSX } from "preact";
import { ELLIPSE_HANDLES, type Size, ellipseHandlePoint } from "../geometry";
import type { EllipseShape, RectShape } from "../model";
import { ROTATE_HANDLE_OFFSET, ellipseToPx, rotationHandle } from "./hit";

/** Screen px of a handle's tolerance; the canvas hit-tests with the same figure. */
export const HANDLE_SCREEN_PX = 8;

/** A line from the top edge to a round handle; dragging it turns the shape around its centre. */
export function RotateHandle(props: { shape: RectShape | EllipseShape; size: Size; color: string; scale: number }): JSX.Element {
  const offset = (ROTATE_HANDLE_OFFSET * HANDLE_SCREEN_PX) / props.scale;
  const { handle } = rotationHandle(props.shape, props.size, offset);
  const { handle: edge } = rotationHandle(props.shape, props.size, 0);
  return (
    <g class="rotate-handle">
      <line x1={edge.x} y1={edge.y} x2={handle.x} y2={handle.y} stroke={props.color} vector-effect="non-scaling-stroke" />
      <circle cx={handle.x} cy={handle.y} r={5 / props.scale} fill={props.color} stroke="#fff" vector-effect="non-scaling-stroke" />
    </g>
  );
}

export function EllipseView(props: {
  shape: EllipseShape; size: Size; color: string; selected: boolean; scale: number; caption: string;
  common: Record<string, string | number>; captionStyle: Record<string, string>;
}): JSX.Element {
  const { shape, size, color, selected, scale, caption } = props;
  const e = ellipseToPx(shape, size);
  return (
    <g>
      <ellipse cx={e.x} cy={e.y} rx={e.radiusX} ry={e.radiusY} transform={`rotate(${e.rotation} ${e.x} ${e.y})`} {...props.common} />
      {caption && <text x={e.x - e.radiusX} y={e.y - e.radiusY} dy="-0.2308em" style={props.captionStyle} fill={color} class="region-caption">{caption}</text>}
      {selected &&
        ELLIPSE_HANDLES.map((h) => {
          const p = ellipseHandlePoint(e, h);
          const s = 8 / scale;
          return <rect key={h} x={p.x - s / 2} y={p.y - s / 2} width={s} height={s} fill="#fff" stroke={color} vector-effect="non-scaling-stroke" />;
        })}
      {selected && <RotateHandle shape={shape} size={size} color={color} scale={scale} />}
    </g>
  );
}
