// A modal confirmation (the native <dialog>: focus moves into it, Escape
// cancels, the page behind is inert). Mounted only while a confirmation is open.
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function ConfirmDialog(props: {
  title: string;
  text: string;
  confirm: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} class="confirm panel" aria-label={props.title} onCancel={(e) => {
      e.preventDefault();
      props.onCancel();
    }}>
      <h2>{props.title}</h2>
      <p>{props.text}</p>
      <div class="row">
        <button type="button" onClick={props.onCancel}>Cancel</button>
        <button type="button" class={props.danger ? "danger" : "primary"} disabled={props.busy} onClick={props.onConfirm}>{props.confirm}</button>
      </div>
    </dialog>
  );
}
