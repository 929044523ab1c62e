// geometry: pure math shared by the model and the canvas. No DOM, no state.
export * from "./point";
export * from "./coords";
export * from "./rect";
export * from "./polygon";
export * from "./ellipse";
