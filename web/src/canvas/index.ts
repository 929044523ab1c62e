// canvas: the image canvas component and its tools (one file per tool).
export { ImageCanvas, type ImageCanvasProps } from "./ImageCanvas";
export type { Intent, ToolName, Draft, ToolEnv, Pointer } from "./types";
export { boxTool } from "./box";
export { polygonTool, closePolygon, dropLastVertex } from "./polygon";
export { keypointTool } from "./keypoint";
export { ellipseTool } from "./ellipse";
export { selectTool, rotatedTo } from "./select";
export { regionAt, rotationHandle, ellipseToPx } from "./hit";
export { RelationArrows, shapeCenter, arrowHead, type RelationArrowsProps } from "./RelationArrows";
