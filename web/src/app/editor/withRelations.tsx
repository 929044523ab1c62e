// Text-like objects with relation arcs laid over them: the object's view and
// a TextRelations overlay share a positioned wrapper.
import type { JSX } from "preact";
import { useRef } from "preact/hooks";
import type { Region, Relation } from "../../model";
import { HyperTextView, type HyperTextViewProps, TextRelations, TextView, type TextViewProps, spanRange } from "../../text";

export function TextWithRelations(props: TextViewProps & { readonly relations: readonly Relation[] }): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const { relations: rels, ...view } = props;
  return (
    <div class="text-with-relations" ref={host}>
      <TextView {...view} />
      <TextRelations host={host} relations={rels} regions={props.regions} />
    </div>
  );
}

/** The first line box of a HyperText span; the HyperTextView is the wrapper's first child. */
function xpathAnchor(host: HTMLElement, r: Region): DOMRect | null {
  const root = host.firstElementChild;
  if (!root || r.shape.kind !== "xpath") return null;
  return spanRange(root, r.shape)?.getClientRects()[0] ?? null;
}

export function HyperTextWithRelations(props: HyperTextViewProps & { readonly relations: readonly Relation[] }): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const { relations: rels, ...view } = props;
  return (
    <div class="text-with-relations" ref={host}>
      <HyperTextView {...view} />
      <TextRelations host={host} relations={rels} regions={props.regions ?? []} anchorOf={xpathAnchor} />
    </div>
  );
}
