import { describe, expect, it } from "vitest";
import { parseLabelingConfig } from "../model";
import { lineStart, previewTask, problemLines } from "./configEditor";

describe("config editor helpers", () => {
  it("groups messages by the line they name", () => {
    const m = problemLines([
      'line 4: <RectangleLabels name="tag">: toName="imgx" names no object tag',
      "line 2: <Image>: missing name",
      "LINE 4: second problem",
      "the config is empty",
    ]);
    expect([...m.keys()].sort()).toEqual([0, 2, 4]);
    expect(m.get(4)).toHaveLength(2);
    expect(m.get(0)).toEqual(["the config is empty"]);
  });
  it("finds where a line starts", () => {
    const t = "<View>\n  <Image/>\n</View>";
    expect(lineStart(t, 1)).toBe(0);
    expect(lineStart(t, 2)).toBe(7);
    expect(t.slice(lineStart(t, 3))).toBe("</View>");
    expect(lineStart(t, 9)).toBe(t.length);
  });
  it("fills the fields the config needs, keeps the sample task's own, drops its annotations", () => {
    const r = parseLabelingConfig(`<View><Image name="img" value="$image"/><Text name="t" value="$text"/>
      <RectangleLabels name="tag" toName="img"><Label value="A"/></RectangleLabels></View>`);
    if (!r.ok) throw new Error(r.errors.join("\n"));
    const none = previewTask(r.config, undefined);
    expect(String(none.data["image"])).toMatch(/^data:image\/svg\+xml/);
    expect(typeof none.data["text"]).toBe("string");
    const own = previewTask(r.config, { id: 7, data: { text: "mine", extra: 1 }, annotations: [] });
    expect(own).toEqual({ id: 7, data: { text: "mine", extra: 1, image: none.data["image"] } });
  });
});
