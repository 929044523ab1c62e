import { describe, expect, it } from "vitest";
import type { Prediction, Task } from "./contract";
import { resultToDoc } from "./serialize";
import { describePrediction, keepsPrediction, parentPrediction, preAnnotationFor, topPrediction } from "./predictions";

const box = (id: string) => ({ id, from_name: "tag", to_name: "img", type: "rectanglelabels", value: { x: 1, y: 2, width: 3, height: 4, rotation: 0, rectanglelabels: ["Car"] } });

describe("predictions as pre-annotations", () => {
  it("takes the highest score, the first on a tie, and skips empty results", () => {
    const preds: Prediction[] = [
      { id: 1, result: [box("a")], score: 0.4, model_version: "v1" },
      { id: 2, result: [], score: 0.99, model_version: "empty" },
      { id: 3, result: [box("b")], score: 0.8, model_version: "v2" },
      { id: 4, result: [box("c")], score: 0.8, model_version: "v3" },
    ];
    const top = topPrediction(preds);
    expect(top?.prediction.id).toBe(3);
    expect(top?.index).toBe(2);
    expect(topPrediction([{ id: 5, result: [box("d")] }, { id: 6, result: [box("e")], score: 0.1 }])?.prediction.id).toBe(6);
    expect(topPrediction([{ id: 7, result: [box("f")] }, { id: 8, result: [box("g")] }])?.prediction.id).toBe(7);
    expect(topPrediction(undefined)).toBeNull();
    expect(topPrediction([{ id: 9, result: [] }])).toBeNull();
  });

  it("applies only when the caller brings no annotation or draft", () => {
    const task: Task = { id: 1, data: {}, predictions: [{ id: 1, result: [box("a")], score: 0.5, model_version: "yolo" }] };
    expect(preAnnotationFor(task, [])?.prediction.id).toBe(1);
    expect(preAnnotationFor(task, [box("mine")])).toBeNull();
    expect(preAnnotationFor({ id: 2, data: {} }, [])).toBeNull();
  });

  it("describes score and model version", () => {
    expect(describePrediction({ result: [], score: 0.876, model_version: "yolo-v8" })).toBe("score 0.88 · model yolo-v8");
    expect(describePrediction({ result: [] })).toBe("unnamed model");
  });
});

describe("parent_prediction", () => {
  it("names the prediction while the annotation keeps any of its items", () => {
    const pre = topPrediction([{ id: 42, result: [box("a"), box("b")], score: 0.9 }]);
    expect(parentPrediction(resultToDoc([box("a"), box("b")]), pre)).toBe(42);
    expect(parentPrediction(resultToDoc([box("b"), box("mine")]), pre)).toBe(42);
    expect(parentPrediction(resultToDoc([box("mine")]), pre)).toBeUndefined();
    expect(parentPrediction(resultToDoc([]), pre)).toBeUndefined();
    expect(parentPrediction(resultToDoc([box("a")]), null)).toBeUndefined();
    const noId = topPrediction([{ result: [box("a")] }]);
    expect(keepsPrediction(resultToDoc([box("a")]), noId)).toBe(true);
    expect(parentPrediction(resultToDoc([box("a")]), noId)).toBeUndefined();
  });
});
