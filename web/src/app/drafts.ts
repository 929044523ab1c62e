// Draft autosave: the editor's unsubmitted work goes to the server every few
// seconds while it changes, and at once when the page is hidden or left, so a
// reload or a crash loses nothing (the task comes back with its `drafts`).
//
// DraftSaver is the DOM-free part (unit-tested with a fake clock and sender);
// useDraftAutosave wires it to a timer, `pagehide`/`visibilitychange` and the
// component's unmount.
import { useEffect, useMemo, useState } from "preact/hooks";
import type { Draft, ResultEntry, Task } from "../model";
import { api } from "./api";

/** Autosave period while the annotation changes. */
export const AUTOSAVE_MS = 5000;

/** What a save sends (Label Studio's draft body). */
export interface DraftBody {
  readonly result: readonly ResultEntry[];
  readonly lead_time: number;
}

/** Sends one draft; `keepalive` when the page is going away. */
export type DraftSender = (body: DraftBody, keepalive: boolean) => Promise<Draft>;

/** The caller's draft of a new annotation (annotation = null) or of an edit of `annotation`. */
export function draftFor(task: Task, annotation: number | null): Draft | undefined {
  return task.drafts?.find((d) => (d.annotation ?? null) === annotation);
}

/**
 * Holds the latest unsaved result and sends it when asked. Lead time keeps
 * counting from the draft's: `initialLeadTime` plus the time since creation.
 * At most one save is in flight; changes made meanwhile go in the next one.
 */
export class DraftSaver {
  private pending: readonly ResultEntry[] | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;
  private readonly started: number;

  constructor(
    private readonly send: DraftSender,
    private readonly initialLeadTime: number,
    private readonly now: () => number = Date.now,
    private readonly onSaved: (draft: Draft) => void = () => undefined,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {
    this.started = now();
  }

  /** Seconds spent on the annotation, across reloads. */
  leadTime(): number {
    return this.initialLeadTime + (this.now() - this.started) / 1000;
  }

  /** The annotation changed (not saved yet). */
  changed(result: readonly ResultEntry[]): void {
    if (!this.stopped) this.pending = result;
  }

  get dirty(): boolean {
    return this.pending !== null;
  }

  /** Sends the pending change, if any (after the save in flight, if one is). */
  async flush(keepalive = false): Promise<void> {
    if (this.inFlight) {
      // The page is going away: send now, do not wait for the earlier reply.
      if (!keepalive) await this.inFlight;
    }
    const result = this.pending;
    if (result === null || this.stopped) return;
    this.pending = null;
    const body: DraftBody = { result, lead_time: Math.round(this.leadTime() * 1000) / 1000 };
    const run = this.send(body, keepalive).then(
      (draft) => this.onSaved(draft),
      (e: unknown) => {
        // Keep it for the next attempt unless something newer came in.
        if (this.pending === null && !this.stopped) this.pending = result;
        this.onError(e);
      },
    );
    this.inFlight = run;
    try {
      await run;
    } finally {
      if (this.inFlight === run) this.inFlight = null;
    }
  }

  /**
   * Ends autosaving before a submit or skip (the server deletes the draft
   * when the annotation is created, so a late save must not bring it back).
   * Waits for the save in flight.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending = null;
    if (this.inFlight) await this.inFlight;
  }

  /** Autosaving again (the submit failed and the user keeps working). */
  resume(): void {
    this.stopped = false;
  }
}

/** "Draft saved 14:03:27" (local time). */
export function savedText(at: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `Draft saved ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

/**
 * Autosave for one editor session of `task`: the draft of a new annotation, or
 * of an edit of `annotation`. Returns the saver (feed it the editor's changes;
 * stop it before submitting) and the status line to show. A new `session`
 * (e.g. the editor's key after a save reloads the task) starts a new saver.
 */
export function useDraftAutosave(task: Task | null | undefined, annotation: number | null, session = ""): {
  saver: DraftSaver | null;
  status: string;
} {
  const [status, setStatus] = useState("");
  const saver = useMemo(() => {
    if (!task) return null;
    const existing = draftFor(task, annotation);
    const send: DraftSender = (body, keepalive) =>
      annotation === null ? api.saveDraft(task.id, body, keepalive) : api.saveAnnotationDraft(annotation, body, keepalive);
    return new DraftSaver(send, existing?.lead_time ?? 0, Date.now,
      () => setStatus(savedText(new Date())),
      () => setStatus("Draft not saved (will retry)"));
  }, [task?.id, annotation, session]);

  useEffect(() => {
    setStatus("");
    if (!saver) return;
    const timer = window.setInterval(() => {
      if (saver.dirty) void saver.flush();
    }, AUTOSAVE_MS);
    const away = () => {
      if (saver.dirty) void saver.flush(true);
    };
    const onVisibility = () => {
      if (document.visibilityState === "hidden") away();
    };
    window.addEventListener("pagehide", away);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener("pagehide", away);
      document.removeEventListener("visibilitychange", onVisibility);
      away(); // navigating inside the app (another task, another page)
    };
  }, [saver]);

  return { saver, status };
}
