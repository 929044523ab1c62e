// model: the labeling config, the annotation and its commands. No DOM.
export * from "./json";
export * from "./ids";
export * from "./xml";
export * from "./config";
export * from "./contract";
export * from "./annotation";
export * from "./serialize";
export * from "./keys";
export * from "./hotkeys";
export * from "./commands";
export * from "./vertex";
export * from "./history";
export * from "./region";
export * from "./relations";
export * from "./predictions";
export * from "./datetime";
