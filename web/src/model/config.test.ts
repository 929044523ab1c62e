import { describe, expect, it } from "vitest";
import { parseLabelingConfig, type LabelingConfig } from "./config";
import { conformanceCases } from "./conformance";
import { parseXml } from "./xml";
import { assignHotkeys } from "./hotkeys";

const cases = conformanceCases();

function mustParse(xml: string): LabelingConfig {
  const r = parseLabelingConfig(xml);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

describe("conformance configs", () => {
  it("finds the shared files", () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });
  for (const c of cases) {
    it(`parses ${c.name}`, () => {
      const cfg = mustParse(c.config);
      expect(cfg.objects.length).toBeGreaterThan(0);
      expect(cfg.controls.length).toBeGreaterThan(0);
      for (const control of cfg.controls) {
        for (const to of control.toNames) expect(cfg.objects.map((o) => o.name).concat(cfg.controls.map((x) => x.name))).toContain(to);
      }
    });
  }
});

describe("schema details", () => {
  it("reads image_bbox", () => {
    const cfg = mustParse(cases.find((c) => c.name === "image_bbox")!.config);
    expect(cfg.objects).toMatchObject([{ name: "img", type: "Image", dataKey: "image", value: "$image" }]);
    const [tag] = cfg.controls;
    expect(tag).toMatchObject({ name: "tag", type: "RectangleLabels", toNames: ["img"], choice: "single" });
    expect(tag!.options.map((o) => [o.value, o.background])).toEqual([["Planet", ""], ["Moonwalker", "blue"]]);
    expect(tag!.attributes.get("fillopacity")).toBe("0.5");
    expect(cfg.dataKeys).toEqual(["image"]);
  });
  it("reads choice modes, perRegion and visibility from the enclosing View", () => {
    const cfg = mustParse(cases.find((c) => c.name === "audio_regions")!.config);
    const label = cfg.controls.find((c) => c.name === "label")!;
    expect(label.choice).toBe("multiple");
    const fragment = cfg.controls.find((c) => c.name === "fragment")!;
    expect(fragment.perRegion).toBe(true);
    expect(fragment.visibility?.visibleWhen).toBe("region-selected");
    expect(cfg.objects[0]!.type).toBe("Audio");
  });
  it("keeps the layout in document order", () => {
    const cfg = mustParse(cases.find((c) => c.name === "sentiment_analysis")!.config);
    expect(cfg.layout.kind).toBe("view");
    if (cfg.layout.kind !== "view") return;
    expect(cfg.layout.children.map((n) => n.kind)).toEqual(["header", "object", "control"]);
    const header = cfg.layout.children[0];
    expect(header).toEqual({ kind: "header", text: "Choose text sentiment:", dataKey: "" });
  });
  it("keeps <Style> text and header text content", () => {
    const cfg = mustParse(cases.find((c) => c.name === "transcribe_audio")!.config);
    if (cfg.layout.kind !== "view") throw new Error("root");
    expect(cfg.layout.children.some((n) => n.kind === "style" && n.css.includes("dataneedsupdate"))).toBe(true);
  });
  it("reads nested choices' paths and aliases", () => {
    const cfg = mustParse(`<View><Text name="t" value="$t"/><Taxonomy name="tx" toName="t">
      <Choice value="Animal"><Choice value="Cat" alias="c"/></Choice></Taxonomy></View>`);
    expect(cfg.controls[0]!.options.map((o) => o.path)).toEqual([["Animal"], ["Animal", "Cat"]]);
    expect(cfg.controls[0]!.options[1]!.alias).toBe("c");
  });
});

describe("config errors carry line numbers", () => {
  const errorsOf = (xml: string): readonly string[] => {
    const r = parseLabelingConfig(xml);
    return r.ok ? [] : r.errors;
  };
  it("reports a toName that names nothing", () => {
    expect(errorsOf(`<View>\n<Image name="img" value="$image"/>\n<RectangleLabels name="tag" toName="imgx"><Label value="a"/></RectangleLabels>\n</View>`)).toEqual([
      'line 3: <RectangleLabels name="tag">: toName="imgx" names no object tag; object tags here: img',
    ]);
  });
  it("reports malformed XML", () => {
    const [e] = errorsOf(`<View>\n<Image name="i" value="$i">\n</View>`);
    expect(e).toMatch(/^line 3: not well-formed XML: <\/View> closes <Image> opened on line 2/);
  });
  it("reports unknown tags, duplicate names, missing values and misplaced options", () => {
    const errs = errorsOf(`<View>
<Image name="a" value="$x"/>
<Imagez name="b"/>
<Text name="a" value="$t"/>
<Labels name="l" toName="a"><Label/></Labels>
<Choice value="x"/>
</View>`);
    expect(errs[0]).toMatch(/^line 3: <Imagez name="b">: unknown tag/);
    expect(errs[1]).toMatch(/^line 4: <Text name="a">: name="a" is already used on line 2/);
    expect(errs[2]).toMatch(/^line 5: <Label>: missing value/);
    expect(errs[3]).toMatch(/^line 6: <Choice value="x">: <Choice> belongs inside <Choices>, <Taxonomy>/);
  });
  it("requires a View root", () => {
    expect(errorsOf(`<Image name="a" value="$x"/>`)[0]).toMatch(/root tag must be <View>/);
  });
});

describe("xml reader", () => {
  it("decodes entities and CDATA and skips comments", () => {
    const el = parseXml(`<?xml version="1.0"?><!-- c --><View a="x &amp; &#65;&#x42;"><![CDATA[<b>]]></View>`);
    expect(el.attributes).toEqual([["a", "x & AB"]]);
    expect(el.children).toEqual([{ kind: "text", text: "<b>", line: 1 }]);
  });
  it("rejects unquoted attributes and duplicates", () => {
    expect(() => parseXml(`<View a=1/>`)).toThrow(/must be quoted/);
    expect(() => parseXml(`<View a="1" a="2"/>`)).toThrow(/repeats attribute a/);
  });
});

describe("hotkeys", () => {
  it("honours config hotkeys and fills digits in document order", () => {
    const cfg = mustParse(`<View><Image name="i" value="$i"/>
      <RectangleLabels name="r" toName="i"><Label value="Car" hotkey="c"/><Label value="Bus"/><Label value="Van" hotkey="1"/></RectangleLabels>
      <Choices name="q" toName="i"><Choice value="Day"/><Choice value="Night"/></Choices></View>`);
    expect(assignHotkeys(cfg).map((h) => `${h.key}=${h.control}/${h.value}`)).toEqual([
      "c=r/Car", "1=r/Van", "2=r/Bus", "3=q/Day", "4=q/Night",
    ]);
  });
  it("never hands out reserved keys", () => {
    const cfg = mustParse(`<View><Image name="i" value="$i"/><RectangleLabels name="r" toName="i"><Label value="A" hotkey="Delete"/></RectangleLabels></View>`);
    expect(assignHotkeys(cfg)).toEqual([{ key: "1", control: "r", value: "A", text: "A" }]);
  });
});
