// text: NER span selection over text objects.
export { TextView, type TextViewProps } from "./TextView";
export { runs, snapToWords, spanAt, trimSelection, type Run, type SpanLike } from "./segments";
export { TextRelations, type TextRelationsProps } from "./TextRelations";
export { HyperTextView, type HyperTextViewProps } from "./HyperTextView";
export { sanitizeHtml } from "./sanitize";
export { nodeAtXPath, positionAt, spanRange, textPoint, xpathOf } from "./xpath";
