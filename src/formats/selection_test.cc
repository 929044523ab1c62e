// annotations=consensus: the merged annotation's rules, one kind of result
// at a time, then through the exporters on a real store.
#include "src/formats/selection.h"

#include <gtest/gtest.h>

#include <sstream>

#include "src/formats/dataset_io.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/import.h"

namespace tessera::formats {
namespace {

using nlohmann::json;

json Choice(const json& values) {
  return {{"id", "c"}, {"from_name", "mood"}, {"to_name", "text"}, {"type", "choices"}, {"value", {{"choices", values}}}};
}

json BoxItem(const std::string& id, double x, double y, double w, double h, const std::string& label) {
  return {{"id", id}, {"from_name", "box"}, {"to_name", "image"}, {"type", "rectanglelabels"},
          {"original_width", 200}, {"original_height", 100},
          {"value", {{"x", x}, {"y", y}, {"width", w}, {"height", h}, {"rotation", 0},
                     {"rectanglelabels", {label}}}}};
}

json SpanItem(int start, int end, const std::string& text, const std::string& label) {
  return {{"id", "s" + std::to_string(start)}, {"from_name", "ner"}, {"to_name", "text"}, {"type", "labels"},
          {"value", {{"start", start}, {"end", end}, {"text", text}, {"labels", {label}}}}};
}

// A task whose annotations have these results, made by users 1, 2, 3...
TaskBundle Bundle(const std::vector<json>& results) {
  TaskBundle bundle;
  bundle.task.id = 7;
  bundle.task.project_id = 3;
  for (size_t i = 0; i < results.size(); ++i) {
    Annotation a;
    a.id = static_cast<Id>(100 + i);
    a.task_id = 7;
    a.project_id = 3;
    a.completed_by = static_cast<Id>(i + 1);
    a.result = results[i].dump();
    a.lead_time = 2.5;
    a.created_at = static_cast<TimeMs>(1000 + i);
    a.updated_at = static_cast<TimeMs>(2000 + i);
    bundle.annotations.push_back(a);
  }
  return bundle;
}

json ResultOf(const std::optional<Annotation>& a) {
  EXPECT_TRUE(a.has_value());
  return a ? json::parse(a->result) : json();
}

int64_t Count(const Tally& tally, const std::string& reason) {
  for (const auto& [r, n] : tally.Sorted()) {
    if (r == reason) return n;
  }
  return 0;
}

TEST(ConsensusTest, ChoicesNeedAStrictMajorityAndCompareAsSets) {
  Tally skipped;
  json two_of_three = ResultOf(ConsensusAnnotation(
      Bundle({json::array({Choice({"Good"})}), json::array({Choice({"Bad"})}), json::array({Choice({"Good"})})}),
      skipped));
  ASSERT_EQ(two_of_three.size(), 1u);
  EXPECT_EQ(two_of_three[0]["value"]["choices"], json::array({"Good"}));
  EXPECT_TRUE(skipped.empty());

  // One each: no majority, nothing written, and it is counted.
  json split = ResultOf(ConsensusAnnotation(Bundle({json::array({Choice({"Good"})}), json::array({Choice({"Bad"})})}),
                                            skipped));
  EXPECT_TRUE(split.empty());
  EXPECT_EQ(Count(skipped, "consensus: no majority on \"mood\""), 1);

  // Multiple choice: the same set in another order is the same answer.
  Tally none;
  json sets = ResultOf(ConsensusAnnotation(Bundle({json::array({Choice({"A", "B"})}), json::array({Choice({"B", "A"})}),
                                                   json::array({Choice({"A"})})}),
                                           none));
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0]["value"]["choices"], json::array({"A", "B"}));
}

TEST(ConsensusTest, BoxesAreAveragedWhenAMajorityDrewThem) {
  Tally skipped;
  auto consensus = ConsensusAnnotation(Bundle({json::array({BoxItem("a", 10, 10, 20, 20, "cat")}),
                                               json::array({BoxItem("b", 12, 10, 20, 22, "cat"),
                                                            BoxItem("c", 70, 70, 10, 10, "dog")}),
                                               json::array({BoxItem("d", 60, 0, 5, 5, "cat")})}),
                                       skipped);
  json result = ResultOf(consensus);
  ASSERT_EQ(result.size(), 1u);
  const json& box = result[0];
  EXPECT_EQ(box["type"], "rectanglelabels");
  EXPECT_EQ(box["from_name"], "box");
  EXPECT_EQ(box["original_width"], 200);
  EXPECT_EQ(box["value"]["rectanglelabels"], json::array({"cat"}));
  EXPECT_DOUBLE_EQ(box["value"]["x"].get<double>(), 11);
  EXPECT_DOUBLE_EQ(box["value"]["y"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(box["value"]["width"].get<double>(), 20);
  EXPECT_DOUBLE_EQ(box["value"]["height"].get<double>(), 21);
  // The lone dog and the far-away cat: drawn by one annotator of three.
  EXPECT_EQ(Count(skipped, "consensus: box drawn by too few annotators"), 2);
  // A box of another label never merges with the cat, however close.
  Tally other;
  json labels = ResultOf(ConsensusAnnotation(
      Bundle({json::array({BoxItem("a", 10, 10, 20, 20, "cat")}), json::array({BoxItem("b", 10, 10, 20, 20, "dog")})}),
      other));
  EXPECT_TRUE(labels.empty());
}

TEST(ConsensusTest, SpansTakeTheMedianBoundaries) {
  Tally skipped;
  json result = ResultOf(ConsensusAnnotation(Bundle({json::array({SpanItem(0, 5, "Alice", "PER")}),
                                                     json::array({SpanItem(0, 5, "Alice", "PER")}),
                                                     json::array({SpanItem(0, 6, "Alice ", "PER")})}),
                                             skipped));
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0]["value"]["start"], 0);
  EXPECT_EQ(result[0]["value"]["end"], 5);
  EXPECT_EQ(result[0]["value"]["text"], "Alice");
  EXPECT_EQ(result[0]["value"]["labels"], json::array({"PER"}));
  EXPECT_TRUE(skipped.empty());
  // Offsets that are not character offsets are counted, not merged.
  Tally odd;
  json huge = SpanItem(0, 1, "x", "PER");
  huge["value"]["end"] = 1e300;
  json reversed = SpanItem(5, 2, "x", "PER");
  EXPECT_TRUE(ResultOf(ConsensusAnnotation(Bundle({json::array({huge}), json::array({reversed})}), odd)).empty());
  EXPECT_EQ(Count(odd, "consensus: span without numeric start and end (HyperText spans are not merged yet)"), 2);
}

json PolygonItem(const std::string& id, double x, double y, const std::string& label) {
  return {{"id", id}, {"from_name", "poly"}, {"to_name", "image"}, {"type", "polygonlabels"},
          {"original_width", 200}, {"original_height", 100},
          {"value", {{"points", {{x, y}, {x + 10, y}, {x + 10, y + 10}, {x, y + 10}}}, {"polygonlabels", {label}}}}};
}

// A per-region classification of the region `id`.
json PerRegion(const std::string& id, const std::string& from_name, const json& value) {
  return {{"id", id}, {"from_name", from_name}, {"to_name", "image"}, {"type", "choices"}, {"value", value}};
}

TEST(ConsensusTest, PolygonsGiveTheirMedoidAndRegionsTheirMajoritysAttributes) {
  Tally skipped;
  json result = ResultOf(ConsensusAnnotation(
      Bundle({json::array({PolygonItem("p1", 11, 0, "tree"), PerRegion("p1", "kind", {{"choices", {"oak"}}})}),
              json::array({PolygonItem("p2", 10, 0, "tree"), PerRegion("p2", "kind", {{"choices", {"pine"}}}),
                           PerRegion("p2", "note", {{"choices", {"x"}}})}),
              json::array({PolygonItem("p3", 10, 0, "tree"), PerRegion("p3", "kind", {{"choices", {"oak"}}})})}),
      skipped));
  ASSERT_EQ(result.size(), 2u) << result.dump();
  // The medoid: the second voter's square, which the third one repeats.
  EXPECT_EQ(result[0]["type"], "polygonlabels");
  EXPECT_EQ(result[0]["value"]["points"][0], json::array({10, 0}));
  EXPECT_EQ(result[0]["id"], "consensus1");
  // Two of three said oak; the attribute follows its region's new id.
  EXPECT_EQ(result[1]["from_name"], "kind");
  EXPECT_EQ(result[1]["value"]["choices"], json::array({"oak"}));
  EXPECT_EQ(result[1]["id"], "consensus1");
  EXPECT_EQ(Count(skipped, "consensus: no majority on per-region \"note\""), 1);

  // Boxes carry their per-region classifications the same way.
  Tally boxes;
  json merged = ResultOf(ConsensusAnnotation(
      Bundle({json::array({BoxItem("a", 10, 10, 20, 20, "cat"), PerRegion("a", "mood", {{"choices", {"Good"}}})}),
              json::array({BoxItem("b", 10, 10, 20, 20, "cat"), PerRegion("b", "mood", {{"choices", {"Good"}}})})}),
      boxes));
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[1]["id"], merged[0]["id"]);
  EXPECT_EQ(merged[1]["value"]["choices"], json::array({"Good"}));
  EXPECT_TRUE(boxes.empty());
}

TEST(ConsensusTest, WhatCannotBeMergedIsCountedAndOneAnnotationIsItsOwnConsensus) {
  json point = {{"id", "k"}, {"from_name", "kp"}, {"to_name", "image"}, {"type", "keypointlabels"},
                {"value", {{"x", 1}, {"y", 1}, {"keypointlabels", {"nose"}}}}};
  json relation = {{"from_id", "a"}, {"to_id", "b"}, {"type", "relation"}, {"direction", "right"}};
  json open_line = PolygonItem("o", 1, 1, "tree");
  open_line["value"]["closed"] = false;
  Tally skipped;
  json result = ResultOf(ConsensusAnnotation(
      Bundle({json::array({point, BoxItem("a", 10, 10, 20, 20, "cat"), relation, open_line}),
              json::array({point, BoxItem("b", 10, 10, 20, 20, "cat")})}),
      skipped));
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0]["type"], "rectanglelabels");
  EXPECT_EQ(Count(skipped, "consensus: keypointlabels result (not merged yet)"), 2);
  EXPECT_EQ(Count(skipped, "consensus: relation result (not merged yet)"), 1);
  EXPECT_EQ(Count(skipped, "consensus: polygon without 3 or more [x, y] points, or an open polyline"), 1);

  json polygon = PolygonItem("p", 1, 1, "tree");
  // One annotation (the others skipped): taken whole, polygon and all.
  TaskBundle bundle = Bundle({json::array({polygon}), json::array({Choice({"Bad"})})});
  bundle.annotations[1].was_cancelled = true;
  Tally none;
  auto single = ConsensusAnnotation(bundle, none);
  ASSERT_TRUE(single.has_value());
  EXPECT_EQ(json::parse(single->result), json::array({polygon}));
  EXPECT_EQ(single->id, 0);
  EXPECT_EQ(single->completed_by, 0);
  EXPECT_EQ(single->last_action, "consensus");
  EXPECT_EQ(single->task_id, 7);
  EXPECT_TRUE(none.empty());

  bundle.annotations[0].was_cancelled = true;
  EXPECT_FALSE(ConsensusAnnotation(bundle, none).has_value());
}

TEST(ConsensusTest, MetadataSumsTheWorkAndSpansTheTimes) {
  Tally skipped;
  auto consensus = ConsensusAnnotation(
      Bundle({json::array({Choice({"Good"})}), json::array({Choice({"Good"})}), json::array({Choice({"Good"})})}),
      skipped);
  ASSERT_TRUE(consensus.has_value());
  EXPECT_DOUBLE_EQ(consensus->lead_time, 7.5);
  EXPECT_EQ(consensus->created_at, 1000);
  EXPECT_EQ(consensus->updated_at, 2002);
  EXPECT_FALSE(consensus->ground_truth);
}

class ConsensusExportTest : public SqliteStoreTest {
 protected:
  ConsensusExportTest() : SqliteStoreTest("consensus") {}

  Id ProjectWith(const std::string& config, const json& tasks) { return ImportedProject("consensus", config, tasks.dump()); }

  Result<std::pair<std::string, DatasetExportReport>> Export(Id project, const std::string& format) {
    std::ostringstream out;
    auto sink = NewSingleFileSink(out);
    DatasetExportOptions options;
    options.selection = AnnotationSelection::kConsensus;
    TESSERA_ASSIGN_OR_RETURN(DatasetExportReport report, ExportDataset(*store_, project, format, *sink, options));
    return std::make_pair(out.str(), report);
  }
};

TEST_F(ConsensusExportTest, CocoAndJsonMinWriteTheMergedAnnotation) {
  const char* config = R"(<View><Image name="image" value="$image"/>
    <RectangleLabels name="box" toName="image"><Label value="cat"/><Label value="dog"/></RectangleLabels>
    <Choices name="mood" toName="image"><Choice value="Good"/><Choice value="Bad"/></Choices></View>)";
  auto annotation = [](double x, const std::string& label, const std::string& mood) {
    json mood_item = Choice({mood});
    mood_item["to_name"] = "image";
    return json{{"result", json::array({BoxItem("r" + label, x, 10, 20, 20, label), mood_item})}};
  };
  json tasks = json::array(
      {{{"data", {{"image", "/data/upload/1/a.jpg"}}},
        {"annotations", json::array({annotation(10, "cat", "Good"), annotation(14, "cat", "Good"),
                                     annotation(50, "dog", "Bad")})}}});
  const Id project = ProjectWith(config, tasks);

  auto coco = Export(project, "COCO");
  ASSERT_TRUE(coco.ok()) << coco.status().ToString();
  json doc = json::parse(coco->first);
  ASSERT_EQ(doc["annotations"].size(), 1u);  // the two cats merged; the dog alone
  const json& bbox = doc["annotations"][0]["bbox"];
  EXPECT_NEAR(bbox[0].get<double>(), 24, 1e-9);  // mean x 12% of 200 px
  EXPECT_NEAR(bbox[2].get<double>(), 40, 1e-9);
  EXPECT_EQ(coco->second.regions, 1);
  bool counted = false;
  for (const auto& [reason, n] : coco->second.skipped) {
    if (reason == "consensus: box drawn by too few annotators") counted = n == 1;
  }
  EXPECT_TRUE(counted);

  auto min = Export(project, "JSON_MIN");
  ASSERT_TRUE(min.ok()) << min.status().ToString();
  json records = json::parse(min->first);
  ASSERT_EQ(records.size(), 1u);  // one record: the consensus, not three
  EXPECT_EQ(records[0]["mood"], "Good");
  EXPECT_TRUE(records[0]["annotation_id"].is_null());
  EXPECT_TRUE(records[0]["annotator"].is_null());
  EXPECT_EQ(ParseAnnotationSelection("Consensus").value(), AnnotationSelection::kConsensus);
}

}  // namespace
}  // namespace tessera::formats
