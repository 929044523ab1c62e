// The labeling stream: GET /next, submit or skip, and move on. Once a task is
// on screen the one after it is prefetched (GET /next?exclude=<on screen>:
// the server reserves it for this user, like any task it hands out) and its
// pictures are loaded and decoded (prefetch.ts). After the submit, a plain
// GET /next gives that reserved task (the server's answer decides: the lock
// may have expired meanwhile), and the canvas finds its picture in the memory
// cache. When the page closes or the user leaves the stream, the prefetched
// task's reservation is given back (DELETE /api/tasks/{id}/lock) so someone
// else can have it at once; the task on screen keeps its lock, so a reload
// comes back to it. Work in progress is autosaved as a draft (drafts.ts) and
// comes back after a reload.
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import { type GuidelineAckRequired, type LabelingConfig, type ResultEntry, type Task, parseLabelingConfig } from "../../model";
import { draftFor, useDraftAutosave } from "../drafts";
import { Editor } from "../editor/Editor";
import { ErrorBox, errorText, useLoad } from "./common";
import { rememberSubmitted } from "../taskNav";
import { StreamNav } from "./TaskNav";
import { AcknowledgePrompt, GuidelinePanel } from "../guidelineView";
import { mediaUrls, preloadImages } from "../prefetch";

/** What /next gave: a task, nothing left (null), or a guideline version to acknowledge first (428). */
type Next = Task | null | { readonly acknowledge: number };

async function nextTask(project: number, exclude?: number): Promise<Next> {
  try {
    return await api.next(project, exclude);
  } catch (e: unknown) {
    if (e instanceof ApiFailure && e.status === 404) return null;
    if (e instanceof ApiFailure && e.status === 428) {
      const version = (e.body as Partial<GuidelineAckRequired>).guideline_version;
      if (typeof version === "number") return { acknowledge: version };
    }
    throw e;
  }
}

export function useConfig(projectId: number): [LabelingConfig | undefined, string, boolean] {
  const [project, error] = useLoad(() => api.project(projectId), [projectId]);
  if (error) return [undefined, error, false];
  if (!project) return [undefined, "", false];
  const parsed = parseLabelingConfig(project.label_config);
  return parsed.ok ? [parsed.config, "", project.show_skip_button !== false] : [undefined, parsed.errors.join("\n"), false];
}

export function LabelPage(props: { id: number }): JSX.Element {
  const [config, configError, canSkip] = useConfig(props.id);
  const [task, setTask] = useState<Task | null | undefined>(undefined);
  const [acknowledge, setAcknowledge] = useState<number | null>(null);
  const [activeLabel, setActiveLabel] = useState<{ readonly control: string; readonly value: string } | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(0);
  const preloaded = useRef<Promise<Next> | null>(null);
  // The prefetched next task's pictures, kept alive (so decoded and cached)
  // until the task after it is prefetched.
  const ahead = useRef<{ after: number; images: HTMLImageElement[]; task?: number } | null>(null);
  const onScreen = useRef<number | null>(null);
  onScreen.current = task ? task.id : null;
  const { saver, status: draftStatus } = useDraftAutosave(task, null);
  const draft = task ? draftFor(task, null) : undefined;

  const advance = async () => {
    setError("");
    try {
      const t = await (preloaded.current ?? nextTask(props.id));
      preloaded.current = null;
      if (t !== null && "acknowledge" in t) {
        setTask(undefined);
        setAcknowledge(t.acknowledge);
      } else {
        setAcknowledge(null);
        setTask(t);
      }
    } catch (e: unknown) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    void advance();
  }, [props.id]);
  // Prefetch once a task is on screen (effects run after its first paint).
  // `config` is parsed anew on each render: read it through a ref.
  const configNow = useRef(config);
  configNow.current = config;
  useEffect(() => {
    const config = configNow.current;
    if (!task || !config) return;
    const entry: { after: number; images: HTMLImageElement[]; task?: number } = { after: task.id, images: [] };
    const previous = ahead.current;
    ahead.current = entry;
    nextTask(props.id, task.id)
      .then((t) => {
        if (ahead.current !== entry || t === null || "acknowledge" in t) return;
        entry.task = t.id;
        entry.images = preloadImages(mediaUrls(config, t));
        if (previous) previous.images = [];  // on screen by now: the canvas holds them
      })
      .catch(() => undefined);  // a failed prefetch only costs the speed-up
  }, [task?.id, config !== undefined, props.id]);
  // Leaving (closing the page or going elsewhere in the app): give back the
  // prefetched task unless it is the one on screen by now.
  useEffect(() => {
    const giveBack = () => {
      const reserved = ahead.current?.task;
      if (reserved === undefined || reserved === onScreen.current) return;
      ahead.current = null;
      api.releaseLock(reserved).catch(() => undefined);  // it expires on its own otherwise
    };
    window.addEventListener("pagehide", giveBack);
    return () => {
      window.removeEventListener("pagehide", giveBack);
      giveBack();
    };
  }, [props.id]);

  const send = async (result: readonly ResultEntry[], opts: { was_cancelled?: boolean; lead_time?: number; parent_prediction?: number }) => {
    if (!task) return;
    setBusy(true);
    setError("");
    // Creating the annotation deletes the draft: no autosave may follow it.
    await saver?.stop();
    try {
      await api.submit(task.id, result, opts);
      rememberSubmitted(sessionStorage, props.id, task.id);
      setDone((d) => d + 1);
      // Ask for the next one now that this one is saved, and show it.
      preloaded.current = nextTask(props.id);
      await advance();
    } catch (e: unknown) {
      setError(errorText(e));
      saver?.resume();
      if (!opts.was_cancelled) saver?.changed(result);  // keep the work safe while the user retries
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="label-page">
      <nav class="subnav" aria-label="Project"><a href={`/projects/${props.id}`}>Back to tasks</a> <StreamNav project={props.id} done={done} /> <span>{done} submitted this session</span>
        <span class="draft-status" role="status" aria-live="polite">{draftStatus}</span></nav>
      <ErrorBox error={configError || error} />
      {task === null && <p role="status" class="empty-stream">Nothing left to label in this project.</p>}
      {acknowledge !== null && <AcknowledgePrompt project={props.id} version={acknowledge} onDone={() => void advance()} />}
      {config && task && (
        <div class="with-guideline">
        <section aria-label={`Task ${task.id}`}>
          <h1 class="task-title">Task {task.id}</h1>
          <Editor
            key={task.id}
            config={config}
            task={task}
            initial={draft?.result ?? []}
            initialLeadTime={draft?.lead_time}
            onChange={(result) => saver?.changed(result)}
            busy={busy}
            submitText="Submit"
            onSubmit={(result, lead, extra) => void send(result, { lead_time: lead, ...extra })}
            onSkip={canSkip ? () => void send([], { was_cancelled: true }) : undefined}
            onActiveLabel={setActiveLabel}
          />
        </section>
        <GuidelinePanel project={props.id} config={config} activeLabel={activeLabel} />
        </div>
      )}
    </main>
  );
}
