// text: NER span selection over text objects.
export { TextView, type TextViewProps } from "./TextView";
export { runs, spanAt, trimSelection, type Run, type SpanLike } from "./segments";
