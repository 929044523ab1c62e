// JSON_MIN, CSV and TSV: Label Studio's record-per-annotation shapes, checked
// on the sentiment and image examples in ../shared/conformance/label-studio
// and on hand-made tasks with characters CSV must quote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "src/formats/dataset_io.h"
#include "tessera/import.h"
#include "src/formats/sqlite_fixture_for_test.h"
#include "tessera/store.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::ElementsAre;

const fs::path kLabelStudio = "../shared/conformance/label-studio";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// RFC 4180 reader: rows of fields; `line_end` is what ends a record.
std::vector<std::vector<std::string>> ParseDelimited(const std::string& text, char sep, const std::string& line_end) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool quoted = false;
  while (i < text.size()) {
    if (quoted) {
      if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        i += 2;
      } else if (text[i] == '"') {
        quoted = false;
        ++i;
      } else {
        field.push_back(text[i++]);
      }
    } else if (text[i] == '"' && field.empty()) {
      quoted = true;
      ++i;
    } else if (text[i] == sep) {
      row.push_back(field);
      field.clear();
      ++i;
    } else if (text.compare(i, line_end.size(), line_end) == 0) {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      i += line_end.size();
    } else {
      EXPECT_NE(text[i], '\n') << "bare newline outside quotes at " << i;
      field.push_back(text[i++]);
    }
  }
  EXPECT_FALSE(quoted);
  EXPECT_TRUE(row.empty() && field.empty()) << "the last record has no line end";
  return rows;
}

class TabularTest : public SqliteStoreTest {
 protected:
  TabularTest() : SqliteStoreTest("ann") {}

  Id ProjectWith(const std::string& config, const json& tasks) { return ImportedProject("tabular", config, tasks.dump()); }

  std::string Export(Id project, const std::string& format, DatasetExportOptions options = {}) {
    std::ostringstream out;
    auto sink = NewSingleFileSink(out);
    auto report = ExportDataset(*store_, project, format, *sink, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return out.str();
  }
};

TEST_F(TabularTest, SentimentExampleAsJsonMinCsvTsv) {
  const fs::path dir = kLabelStudio / "sentiment_analysis";
  json tasks = json::array();
  std::vector<json> originals;
  for (const auto& entry : fs::directory_iterator(dir / "annotations")) originals.push_back(json::parse(ReadAll(entry.path())));
  std::sort(originals.begin(), originals.end(), [](const json& a, const json& b) { return a["id"] < b["id"]; });
  for (json task : originals) {
    task.erase("id");
    task.erase("task_path");
    for (json& annotation : task["annotations"]) annotation["completed_by"] = user_id_;
    tasks.push_back(task);
  }
  Id project = ProjectWith(ReadAll(dir / "config.xml"), tasks);

  json min = json::parse(Export(project, "JSON_MIN"));
  ASSERT_EQ(min.size(), originals.size());
  for (size_t idx = 0; idx < originals.size(); ++idx) {
    const json& record = min[idx];
    const json& original = originals[idx];
    // Every data field, as is (lists stay lists), then the annotation's fields.
    for (const auto& [key, value] : original["data"].items()) EXPECT_EQ(record[key], value) << key;
    EXPECT_EQ(record["sentiment"], original["annotations"][0]["result"][0]["value"]["choices"][0]);
    EXPECT_TRUE(record["id"].is_number_integer());
    EXPECT_TRUE(record["annotation_id"].is_number_integer());
    EXPECT_EQ(record["annotator"], "ann@example.com");
    EXPECT_TRUE(record["created_at"].is_string());
    EXPECT_TRUE(record.contains("lead_time"));
  }

  std::string csv = Export(project, "CSV");
  auto rows = ParseDelimited(csv, ',', "\r\n");
  ASSERT_EQ(rows.size(), originals.size() + 1);
  const std::vector<std::string>& header = rows[0];
  auto col = [&](const std::string& name) {
    auto found = std::find(header.begin(), header.end(), name);
    EXPECT_NE(found, header.end()) << name;
    return static_cast<size_t>(found - header.begin());
  };
  // Data fields first (in the task's order), then id, the control, the annotation fields.
  EXPECT_EQ(header.back(), "lead_time");
  EXPECT_LT(col("reviewText"), col("id"));
  EXPECT_LT(col("id"), col("sentiment"));
  EXPECT_LT(col("sentiment"), col("annotator"));
  for (size_t idx = 0; idx < originals.size(); ++idx) {
    const std::vector<std::string>& row = rows[idx + 1];
    ASSERT_EQ(row.size(), header.size());
    EXPECT_EQ(row[col("reviewText")], originals[idx]["data"]["reviewText"]);
    EXPECT_EQ(row[col("reviewerName")], originals[idx]["data"]["reviewerName"]);  // has quotes and commas
    EXPECT_EQ(json::parse(row[col("helpful")]), originals[idx]["data"]["helpful"]);
    EXPECT_EQ(row[col("overall")], originals[idx]["data"]["overall"].dump());
    EXPECT_EQ(row[col("sentiment")], originals[idx]["annotations"][0]["result"][0]["value"]["choices"][0]);
    EXPECT_EQ(row[col("annotator")], "ann@example.com");
  }
  std::string tsv = Export(project, "TSV");
  auto tsv_rows = ParseDelimited(tsv, '\t', "\n");
  ASSERT_EQ(tsv_rows.size(), rows.size());
  EXPECT_EQ(tsv_rows, rows);
}

TEST_F(TabularTest, ChoicesRegionsQuotingAndNewestAnnotationFirst) {
  const char* config = R"(<View><Image name="img" value="$image"/>
    <RectangleLabels name="tag" toName="img"><Label value="Planet"/></RectangleLabels>
    <Choices name="kind" toName="img" choice="multiple"><Choice value="Space"/><Choice value="Ground"/></Choices>
    <TextArea name="note" toName="img"/></View>)";
  json box = {{"from_name", "tag"}, {"to_name", "img"}, {"type", "rectanglelabels"},
              {"original_width", 800}, {"original_height", 600},
              {"value", {{"x", 10}, {"y", 20}, {"width", 30}, {"height", 40}, {"rectanglelabels", {"Planet"}}}}};
  json two = {{"from_name", "kind"}, {"to_name", "img"}, {"type", "choices"}, {"value", {{"choices", {"Space", "Ground"}}}}};
  json one = {{"from_name", "kind"}, {"to_name", "img"}, {"type", "choices"}, {"value", {{"choices", {"Space"}}}}};
  json note = {{"from_name", "note"}, {"to_name", "img"}, {"type", "textarea"},
               {"value", {{"text", {"says \"hi\",\nthen\tleaves"}}}}};
  json tasks = json::array({
      {{"data", {{"image", "a,\"b\".jpg"}, {"meta", {{"k", 1}}}}}},
      {{"data", {{"image", "empty.jpg"}}}},
  });
  Id project = ProjectWith(config, tasks);
  TaskQuery query;
  query.project_id = project;
  std::vector<Id> task_ids;
  ASSERT_TRUE(store_->ForEachTaskBundle(query, [&](const TaskBundle& b) {
    task_ids.push_back(b.task.id);
    return Status::Ok();
  }).ok());
  ASSERT_EQ(task_ids.size(), 2u);
  // Older (written first), newer, and a skip that is newest of all.
  int64_t when = 1700000000000;
  for (const json& result : {json::array({box, two, note}), json::array({one}), json::array({one})}) {
    Annotation annotation;
    annotation.task_id = task_ids[0];
    annotation.project_id = project;
    annotation.completed_by = user_id_;
    annotation.result = result.dump();
    annotation.created_at = when += 1000;
    annotation.was_cancelled = when == 1700000003000;
    ASSERT_TRUE(store_->CreateAnnotation(&annotation).ok());
  }
  json min = json::parse(Export(project, "JSON_MIN"));
  ASSERT_EQ(min.size(), 2u);  // the skip and the task without annotations are left out
  EXPECT_EQ(min[0]["kind"], "Space");  // newest first; one choice -> the string
  EXPECT_FALSE(min[0].contains("tag"));
  EXPECT_EQ(min[1]["kind"], json::parse(R"({"choices": ["Space", "Ground"]})"));
  EXPECT_EQ(min[1]["note"], "says \"hi\",\nthen\tleaves");
  ASSERT_TRUE(min[1]["tag"].is_array());
  EXPECT_EQ(min[1]["tag"][0]["x"], 10);
  EXPECT_EQ(min[1]["tag"][0]["rectanglelabels"], json::array({"Planet"}));
  EXPECT_EQ(min[1]["tag"][0]["original_width"], 800);
  EXPECT_EQ(min[1]["meta"], json::parse(R"({"k": 1})"));

  // With download_all_tasks the task without annotations gets a record with nulls.
  DatasetExportOptions all;
  all.download_all_tasks = true;
  json with_empty = json::parse(Export(project, "JSON_MIN", all));
  ASSERT_EQ(with_empty.size(), 3u);
  EXPECT_EQ(with_empty[2]["image"], "empty.jpg");
  EXPECT_TRUE(with_empty[2]["annotator"].is_null());

  for (auto [format, sep, line_end] : {std::tuple{"CSV", ',', "\r\n"}, std::tuple{"TSV", '\t', "\n"}}) {
    SCOPED_TRACE(format);
    auto rows = ParseDelimited(Export(project, format), sep, line_end);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_THAT(rows[0], ElementsAre("image", "meta", "id", "tag", "kind", "note", "annotator", "annotation_id",
                                     "created_at", "updated_at", "lead_time"));
    EXPECT_EQ(rows[1][0], "a,\"b\".jpg");
    EXPECT_EQ(json::parse(rows[1][1]), json::parse(R"({"k": 1})"));
    EXPECT_EQ(rows[1][3], "");  // no regions in the newest annotation
    EXPECT_EQ(rows[1][4], "Space");
    EXPECT_EQ(rows[2][4], R"({"choices":["Space","Ground"]})");
    EXPECT_EQ(rows[2][5], "says \"hi\",\nthen\tleaves");
    json regions = json::parse(rows[2][3]);
    ASSERT_EQ(regions.size(), 1u);
    EXPECT_EQ(regions[0]["height"], 40);
    EXPECT_EQ(rows[2][8].substr(0, 11), "2023-11-14T");  // created_at of the older one, an ISO time
  }
}

// Rows wait in a spill file as escaped (name, cell) pairs until the columns
// are known: backslashes, newlines and the two separator bytes in names and
// values must come back as they were.
TEST_F(TabularTest, SpilledRowsKeepEveryByte) {
  const char* config = R"(<View><Text name="text" value="$text"/>
    <Choices name="mood" toName="text"><Choice value="Good"/></Choices></View>)";
  const std::string odd_key = "we\\ird\x1e key\x1f";
  const std::string odd_value = "back\\slash \\n not a newline\nreal newline \x1e\x1f end\\";
  json choice = {{"from_name", "mood"}, {"to_name", "text"}, {"type", "choices"}, {"value", {{"choices", {"Good"}}}}};
  json tasks = json::array({
      {{"data", {{"text", odd_value}, {odd_key, "\\\\"}}}, {"annotations", json::array({{{"result", json::array({choice})}}})}},
      {{"data", {{"text", "plain"}}}, {"annotations", json::array({{{"result", json::array({choice})}}})}},
  });
  Id project = ProjectWith(config, tasks);
  auto rows = ParseDelimited(Export(project, "CSV"), ',', "\r\n");
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_GE(rows[0].size(), 3u);
  EXPECT_EQ(rows[0][0], "text");
  EXPECT_EQ(rows[0][1], odd_key);
  EXPECT_EQ(rows[0][2], "id");
  EXPECT_EQ(rows[1][0], odd_value);
  EXPECT_EQ(rows[1][1], "\\\\");
  EXPECT_EQ(rows[1][3], "Good");
  EXPECT_EQ(rows[2][0], "plain");
  EXPECT_EQ(rows[2][1], "");  // the second task has no such key
}

// annotations=accepted: only what a reviewer accepted, or fixed (the fix).
TEST_F(TabularTest, AcceptedSelectionFollowsTheReviews) {
  const char* config = R"(<View><Text name="text" value="$text"/>
    <Choices name="mood" toName="text"><Choice value="Good"/><Choice value="Bad"/><Choice value="Meh"/></Choices></View>)";
  auto choice = [](const char* value) {
    return json::array({{{"from_name", "mood"}, {"to_name", "text"}, {"type", "choices"},
                         {"value", {{"choices", {value}}}}}});
  };
  json tasks = json::array({{{"data", {{"text", "one"}}},
                             {"annotations", json::array({{{"result", choice("Good")}},
                                                          {{"result", choice("Bad")}},
                                                          {{"result", choice("Meh")}},
                                                          {{"result", choice("Good")}}})}}});
  Id project = ProjectWith(config, tasks);
  TaskQuery query;
  query.project_id = project;
  Id task_id = 0;
  ASSERT_TRUE(store_->ForEachTaskBundle(query, [&](const TaskBundle& b) {
    task_id = b.task.id;
    return Status::Ok();
  }).ok());
  auto annotations = store_->ListAnnotations(task_id);
  ASSERT_TRUE(annotations.ok());
  ASSERT_EQ(annotations->size(), 4u);
  EXPECT_EQ((*annotations)[0].review_state, "pending");
  const ReviewState verdicts[] = {ReviewState::kAccepted, ReviewState::kFixed, ReviewState::kRejected};
  for (size_t i = 0; i < 3; ++i) {
    Review review;
    review.annotation_id = (*annotations)[i].id;
    review.reviewer_id = user_id_;
    review.action = verdicts[i];
    ASSERT_TRUE(store_->ReviewAnnotation(&review, verdicts[i] == ReviewState::kFixed ? choice("Meh").dump() : "").ok());
  }
  auto reviewed = store_->ListAnnotations(task_id);
  ASSERT_TRUE(reviewed.ok());
  EXPECT_EQ((*reviewed)[0].review_state, "accepted");
  EXPECT_EQ((*reviewed)[1].review_state, "fixed");
  EXPECT_EQ((*reviewed)[2].review_state, "rejected");
  EXPECT_EQ((*reviewed)[3].review_state, "pending");

  DatasetExportOptions accepted;
  accepted.selection = AnnotationSelection::kAccepted;
  json min = json::parse(Export(project, "JSON_MIN", accepted));
  ASSERT_EQ(min.size(), 2u);
  std::set<Id> ids;
  for (const json& record : min) ids.insert(record["annotation_id"].get<Id>());
  EXPECT_EQ(ids, (std::set<Id>{(*annotations)[0].id, (*annotations)[1].id}));
  for (const json& record : min) {
    EXPECT_EQ(record["mood"], record["annotation_id"] == (*annotations)[0].id ? "Good" : "Meh");
  }
  EXPECT_EQ(json::parse(Export(project, "JSON_MIN")).size(), 4u);
  EXPECT_EQ(ParseAnnotationSelection("Reviewed").value(), AnnotationSelection::kAccepted);
  auto bad = ParseAnnotationSelection("approved");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("accepted"), std::string::npos);
}

TEST(TabularRegistryTest, NamesAsLabelStudio) {
  for (const char* name : {"JSON_MIN", "CSV", "TSV"}) {
    const FormatInfo* format = FindFormat(name);
    ASSERT_NE(format, nullptr) << name;
    EXPECT_EQ(format->name, name);
    EXPECT_FALSE(format->multi_file);
    EXPECT_EQ(format->fit, FormatFit::kAny);
  }
  EXPECT_EQ(FindFormat("json-min")->name, "JSON_MIN");
}

}  // namespace
}  // namespace tessera::formats
