// canvas: the image canvas component and its tools (one file per tool).
export { ImageCanvas, type ImageCanvasProps } from "./ImageCanvas";
export type { Intent, ToolName, Draft, ToolEnv, Pointer } from "./types";
export { boxTool } from "./box";
export { polygonTool, closePolygon, dropLastVertex } from "./polygon";
export { keypointTool } from "./keypoint";
export { selectTool } from "./select";
export { regionAt } from "./hit";
