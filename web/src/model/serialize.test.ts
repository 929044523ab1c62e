import { describe, expect, it } from "vitest";
import { conformanceCases } from "./conformance";
import { parseLabelingConfig } from "./config";
import type { ResultEntry } from "./contract";
import { docToResult, resultToDoc } from "./serialize";
import { regions } from "./annotation";
import { isObject } from "./json";

interface Found {
  readonly where: string;
  readonly result: readonly ResultEntry[];
}

/** Every result array in a conformance file: its annotations' and predictions'. */
function resultsOf(json: unknown, file: string): Found[] {
  if (!isObject(json)) return [];
  const out: Found[] = [];
  for (const key of ["annotations", "predictions"] as const) {
    const list = json[key];
    if (!Array.isArray(list)) continue;
    list.forEach((a: unknown, idx) => {
      if (isObject(a) && Array.isArray(a["result"])) out.push({ where: `${file} ${key}[${idx}]`, result: a["result"] as unknown as ResultEntry[] });
    });
  }
  return out;
}

const cases = conformanceCases();

describe("LS result JSON round trip (conformance files)", () => {
  let total = 0;
  for (const c of cases) {
    const parsed = parseLabelingConfig(c.config);
    for (const { file, json } of c.annotationFiles) {
      for (const found of resultsOf(json, file)) {
        total++;
        it(`${c.name}: ${found.where.split("/").slice(-3).join("/")}`, () => {
          const withConfig = resultToDoc(found.result, parsed.ok ? parsed.config : undefined);
          expect(docToResult(withConfig)).toEqual(found.result);
          const withoutConfig = resultToDoc(found.result);
          expect(docToResult(withoutConfig)).toEqual(found.result);
        });
      }
    }
  }
  it("covered at least one result per annotated config", () => {
    expect(total).toBeGreaterThanOrEqual(9);
  });
});

describe("what deserialization understands", () => {
  it("reads boxes, polygons, keypoints and spans as editable shapes", () => {
    const kinds = new Set<string>();
    for (const c of cases) {
      const parsed = parseLabelingConfig(c.config);
      for (const { file, json } of c.annotationFiles) {
        for (const f of resultsOf(json, file)) {
          for (const r of regions(resultToDoc(f.result, parsed.ok ? parsed.config : undefined))) kinds.add(`${c.name}:${r.shape.kind}`);
        }
      }
    }
    expect(kinds).toContain("image_bbox:rect");
    expect(kinds).toContain("image_polygons:polygon");
    expect(kinds).toContain("image_keypoints:keypoint");
    expect(kinds).toContain("named_entity:span");
    expect(kinds).toContain("audio_regions:opaque");
    expect(kinds).toContain("video_bboxes:opaque");
  });

  it("groups items sharing an id into one region and writes them back together", () => {
    const result: ResultEntry[] = [
      { id: "r1", from_name: "box", to_name: "img", type: "rectanglelabels", original_width: 800, original_height: 600, image_rotation: 0,
        value: { x: 10, y: 20, width: 30, height: 40, rotation: 0, rectanglelabels: ["Car"] } },
      { id: "r1", from_name: "note", to_name: "img", type: "textarea", original_width: 800, original_height: 600, value: { text: ["dented"] } },
      { id: "r2", from_name: "box", to_name: "img", type: "rectanglelabels", value: { x: 1, y: 2, width: 3, height: 4, rotation: 5, rectanglelabels: ["Bus"] } },
      { type: "relation", from_id: "r1", to_id: "r2", direction: "right", labels: ["follows"] },
    ];
    const doc = resultToDoc(result);
    expect(regions(doc)).toHaveLength(2);
    expect(regions(doc)[0]!.attached).toHaveLength(1);
    expect(regions(doc)[0]!.original).toEqual({ width: 800, height: 600 });
    expect(docToResult(doc)).toEqual(result);
  });
});

describe("HyperText spans", () => {
  it("reads LS's xpath spans as shapes and writes them back unchanged", () => {
    const item = {
      id: "h1", from_name: "ner", to_name: "page", type: "hypertextlabels",
      value: {
        start: "/div[1]/p[1]/b[1]/text()[1]", end: "/div[1]/p[1]/text()[2]", startOffset: 0, endOffset: 4,
        globalOffsets: { start: 6, end: 15 }, text: "brave new", hypertextlabels: ["Adjective"],
      },
    };
    const doc = resultToDoc([item]);
    const r = doc.entities[0];
    expect(r?.kind === "region" && r.shape).toEqual({
      kind: "xpath", start: "/div[1]/p[1]/b[1]/text()[1]", end: "/div[1]/p[1]/text()[2]", startOffset: 0, endOffset: 4, text: "brave new",
    });
    expect(r?.kind === "region" && r.labels).toEqual(["Adjective"]);
    expect(docToResult(doc)).toEqual([item]);
  });

  it("keeps a hypertextlabels item without offsets as an opaque region", () => {
    const item = { id: "h2", from_name: "ner", to_name: "page", type: "hypertextlabels", value: { start: "/p[1]", end: "/p[1]", hypertextlabels: ["X"] } };
    const doc = resultToDoc([item]);
    expect(doc.entities[0]?.kind === "region" && doc.entities[0].shape.kind).toBe("opaque");
    expect(docToResult(doc)).toEqual([item]);
  });
});
