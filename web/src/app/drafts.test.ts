import { describe, expect, it } from "vitest";
import type { Draft, ResultEntry, Task } from "../model";
import { type DraftBody, DraftSaver, draftFor, savedText } from "./drafts";

const box = (x: number): ResultEntry => ({
  id: "r1", from_name: "box", to_name: "image", type: "rectanglelabels",
  value: { x, y: 1, width: 2, height: 3, rectanglelabels: ["Cat"] },
});

/** A sender that records its calls and answers when told to. */
function fakeSender() {
  const calls: { body: DraftBody; keepalive: boolean; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const send = (body: DraftBody, keepalive: boolean) =>
    new Promise<Draft>((resolve, reject) => {
      calls.push({
        body, keepalive,
        resolve: () => resolve({ id: 1, task: 7, annotation: null, result: body.result, lead_time: body.lead_time }),
        reject,
      });
    });
  return { calls, send };
}

describe("DraftSaver", () => {
  it("sends only when changed, the latest result, with the lead time counting on from the draft's", async () => {
    let now = 1000;
    const { calls, send } = fakeSender();
    const saved: number[] = [];
    const saver = new DraftSaver(send, 12.5, () => now, (d) => saved.push(d.lead_time));
    await saver.flush();
    expect(calls).toHaveLength(0);
    saver.changed([box(1)]);
    saver.changed([box(2)]);
    expect(saver.dirty).toBe(true);
    now += 4000;
    const done = saver.flush();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toEqual({ result: [box(2)], lead_time: 16.5 });
    expect(calls[0]?.keepalive).toBe(false);
    expect(saver.dirty).toBe(false);
    calls[0]?.resolve();
    await done;
    expect(saved).toEqual([16.5]);
    await saver.flush();
    expect(calls).toHaveLength(1); // nothing new
  });

  it("waits for the save in flight, but not when the page is going away", async () => {
    const { calls, send } = fakeSender();
    const saver = new DraftSaver(send, 0, () => 0);
    saver.changed([box(1)]);
    const first = saver.flush();
    saver.changed([box(2)]);
    const second = saver.flush();
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    calls[0]?.resolve();
    await first;
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.body.result).toEqual([box(2)]);
    calls[1]?.resolve();
    await second;

    saver.changed([box(3)]);
    void saver.flush();
    saver.changed([box(4)]);
    void saver.flush(true);
    expect(calls).toHaveLength(4);
    expect(calls[3]?.keepalive).toBe(true);
    expect(calls[3]?.body.result).toEqual([box(4)]);
  });

  it("keeps a result that failed to save for the next attempt", async () => {
    const { calls, send } = fakeSender();
    const errors: unknown[] = [];
    const saver = new DraftSaver(send, 0, () => 0, () => undefined, (e) => errors.push(e));
    saver.changed([box(1)]);
    const done = saver.flush();
    calls[0]?.reject(new Error("offline"));
    await done;
    expect(errors).toHaveLength(1);
    expect(saver.dirty).toBe(true);
    void saver.flush();
    expect(calls[1]?.body.result).toEqual([box(1)]);
  });

  it("sends nothing after stop (a submit deletes the draft) until resumed", async () => {
    const { calls, send } = fakeSender();
    const saver = new DraftSaver(send, 0, () => 0);
    saver.changed([box(1)]);
    const inFlight = saver.flush();
    saver.changed([box(2)]);
    let stopped = false;
    const stopping = saver.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false); // waits for the save in flight
    calls[0]?.resolve();
    await inFlight;
    await stopping;
    expect(stopped).toBe(true);
    saver.changed([box(3)]);
    await saver.flush(true);
    expect(calls).toHaveLength(1);
    saver.resume();
    saver.changed([box(4)]);
    void saver.flush();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.body.result).toEqual([box(4)]);
  });
});

describe("draftFor", () => {
  const draft = (id: number, annotation: number | null): Draft => ({ id, task: 7, annotation, result: [], lead_time: 0 });
  const task: Task = { id: 7, data: {}, drafts: [draft(1, 40), draft(2, null)] };
  it("picks the draft of a new annotation or of the given one", () => {
    expect(draftFor(task, null)?.id).toBe(2);
    expect(draftFor(task, 40)?.id).toBe(1);
    expect(draftFor(task, 41)).toBeUndefined();
    expect(draftFor({ id: 8, data: {} }, null)).toBeUndefined();
  });
});

describe("savedText", () => {
  it("shows the local time with seconds", () => {
    expect(savedText(new Date(2026, 0, 2, 9, 5, 7))).toBe("Draft saved 09:05:07");
  });
});
