import { describe, expect, it } from "vitest";
import { type Task, parseLabelingConfig } from "../model";
import { mediaUrls } from "./prefetch";

const config = (xml: string) => {
  const parsed = parseLabelingConfig(xml);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return parsed.config;
};
const task = (data: Record<string, unknown>) => ({ id: 1, data }) as unknown as Task;

describe("prefetch: the media of the next task", () => {
  it("lists each Image object's picture once, from the task's data", () => {
    const c = config(`<View>
  <Image name="a" value="$image"/>
  <Image name="b" value="$other"/>
  <Image name="c" value="$image"/>
  <RectangleLabels name="tag" toName="a,b,c"><Label value="Car"/></RectangleLabels>
</View>`);
    expect(mediaUrls(c, task({ image: "/data/upload/1/x.png", other: "http://h/y.jpg" }))).toEqual(["/data/upload/1/x.png", "http://h/y.jpg"]);
    // Missing or non-string values are left to the editor, which reports them.
    expect(mediaUrls(c, task({ image: 3, other: "" }))).toEqual([]);
  });
  it("loads nothing for text-only configs", () => {
    const c = config(`<View><Labels name="ner" toName="text"><Label value="Person"/></Labels><Text name="text" value="$text"/></View>`);
    expect(mediaUrls(c, task({ text: "/not/an/image.png" }))).toEqual([]);
  });
});
