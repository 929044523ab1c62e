#include "tessera/import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

namespace tessera {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Parsed {
  Status status;
  std::vector<NewTask> tasks;
  std::vector<size_t> batch_sizes;
  ParseStats stats;
};

Parsed Parse(std::string_view input, ImportFormat format, ParseOptions options = {}) {
  Parsed out;
  auto result = ParseTasks(ImportSource::Buffer(input, format), options,
                           [&](std::span<const NewTask> batch) {
                             out.batch_sizes.push_back(batch.size());
                             out.tasks.insert(out.tasks.end(), batch.begin(), batch.end());
                             return Status::Ok();
                           });
  out.status = result.status();
  if (result.ok()) out.stats = *result;
  return out;
}

std::vector<std::string> Datas(const Parsed& parsed) {
  std::vector<std::string> out;
  for (const NewTask& task : parsed.tasks) out.push_back(task.data);
  return out;
}

// ---- JSON ----

TEST(ImportJsonTest, ArrayOfFlatObjects) {
  auto p = Parse(R"([{"text": "a", "n": 1}, {"text": "b"}])", ImportFormat::kJson);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_THAT(Datas(p), ElementsAre(R"({"text":"a","n":1})", R"({"text":"b"})"));
  EXPECT_THAT(p.stats.data_columns, ElementsAre("text", "n"));
  EXPECT_EQ(p.stats.task_count, 2);
}

TEST(ImportJsonTest, SingleTaskObject) {
  auto p = Parse("\n  {\"data\": {\"image\": \"x.png\"}}  \n", ImportFormat::kJson);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_THAT(Datas(p), ElementsAre(R"({"image":"x.png"})"));
}

TEST(ImportJsonTest, TaskFormatWithAnnotationsPredictionsAndMeta) {
  auto p = Parse(R"([{
    "data": {"text": "hello"},
    "meta": {"source": "crawl"},
    "annotations": [{"result": [{"from_name": "s", "to_name": "t", "type": "choices",
                                  "value": {"choices": ["Positive"]}}],
                     "was_cancelled": false, "ground_truth": false, "lead_time": 2.5,
                     "completed_by": 7, "created_at": "2021-01-01T00:00:00Z", "id": "1001"}],
    "predictions": [{"result": [{"from_name": "s", "to_name": "t", "type": "choices",
                                  "value": {"choices": ["Negative"]}}],
                     "score": 0.25, "model_version": "v3"}]
  }])",
                 ImportFormat::kJson);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  ASSERT_EQ(p.tasks.size(), 1u);
  const NewTask& task = p.tasks[0];
  EXPECT_EQ(task.data, R"({"text":"hello"})");
  EXPECT_EQ(task.meta, R"({"source":"crawl"})");
  ASSERT_EQ(task.annotations.size(), 1u);
  EXPECT_EQ(task.annotations[0].result,
            R"([{"from_name":"s","to_name":"t","type":"choices","value":{"choices":["Positive"]}}])");
  EXPECT_FALSE(task.annotations[0].ground_truth);
  EXPECT_FALSE(task.annotations[0].was_cancelled);
  EXPECT_DOUBLE_EQ(task.annotations[0].lead_time, 2.5);
  EXPECT_EQ(task.annotations[0].completed_by, 7);
  ASSERT_EQ(task.predictions.size(), 1u);
  EXPECT_EQ(task.predictions[0].score, 0.25);
  EXPECT_EQ(task.predictions[0].model_version, "v3");
  EXPECT_EQ(p.stats.annotation_count, 1);
  EXPECT_EQ(p.stats.prediction_count, 1);
  EXPECT_THAT(p.stats.data_columns, ElementsAre("text"));
}

TEST(ImportJsonTest, LabelStudioDefaultsAndLegacyCompletions) {
  auto p = Parse(R"([{"data": {"t": 1}, "completions": [{"result": [], "completed_by": "bob"}],
                      "predictions": [{"result": [], "score": "0.5"}, {"result": [], "score": "high"}]}])",
                 ImportFormat::kJson);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  ASSERT_EQ(p.tasks[0].annotations.size(), 1u);
  EXPECT_TRUE(p.tasks[0].annotations[0].ground_truth);  // Label Studio's import default
  EXPECT_EQ(p.tasks[0].annotations[0].completed_by, 0);  // not an int: ignored
  EXPECT_EQ(p.tasks[0].predictions[0].score, 0.5);
  EXPECT_FALSE(p.tasks[0].predictions[1].score.has_value());
  EXPECT_EQ(p.tasks[0].predictions[0].model_version, "undefined");
}

TEST(ImportJsonTest, PredictionResultMustBeListOfRegions) {
  auto p = Parse(R"([{"data": {"t": 1}, "predictions": [{"result": "Positive"}]}])",
                 ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("line 1, task 1: prediction 1 \"result\" must be a list"));
  p = Parse(R"([{"data": {"t": 1}, "predictions": [{"result": [1]}]}])", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("item 1 must be an object"));
  p = Parse(R"([{"data": {"t": 1}, "annotations": [{"lead_time": 3}]}])", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("annotation 1 has no \"result\""));
}

TEST(ImportJsonTest, BracketsAndQuotesInsideStrings) {
  auto p = Parse(R"([{"text": "a ] , [ } { \" still \\"}, {"text": "\\\"]"}])", ImportFormat::kJson);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.tasks.size(), 2u);
}

TEST(ImportJsonTest, ErrorsNameLineAndTask) {
  auto p = Parse("[\n{\"a\": 1},\n{\"a\": 2},\n3\n]", ImportFormat::kJson);
  EXPECT_EQ(p.status.message(), "line 4, task 3: expected a JSON object (a task), got a number");
  p = Parse("[\n{\"a\": 1},\n{\"a\": }\n]", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("line 3, task 2: not valid JSON"));
  p = Parse("[{\"a\": 1},]", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("a comma follows the last task"));
  p = Parse("[{\"a\": 1},,{\"a\": 1}]", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("task 2: an empty item"));
  p = Parse("[{\"a\": 1}] x", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("after the closing ']'"));
  p = Parse("[{\"a\": 1}, {\"a\": \"", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("task 2: the input ends inside this task"));
  p = Parse("[{\"a\": 1}", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("task 1: the input ends inside this task"));
  p = Parse("[{\"a\": 1},", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("before the list of tasks is closed"));
  p = Parse("\"text\"", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("expected a JSON list of tasks"));
  p = Parse("[{\"data\": [1]}]", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("\"data\" must be an object"));
  p = Parse("[1 }]", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("extra '}'"));
  p = Parse("{\"a\": 1} {\"b\": 2}", ImportFormat::kJson);
  EXPECT_FALSE(p.status.ok());
}

TEST(ImportJsonTest, EmptyInputs) {
  for (std::string_view input : {"", "  \n\t", "[]", " [ ] "}) {
    auto p = Parse(input, ImportFormat::kJson);
    EXPECT_EQ(p.status.code(), Code::kInvalidArgument) << input;
    EXPECT_THAT(p.status.message(), ::testing::AnyOf(HasSubstr("empty"), HasSubstr("no tasks")));
  }
}

TEST(ImportJsonTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "[{\"data\": {\"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}}]";
  auto p = Parse(deep, ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("nested too deeply"));
  std::string open(1 << 20, '[');
  p = Parse(open, ImportFormat::kJson);
  EXPECT_FALSE(p.status.ok());
}

TEST(ImportJsonTest, NotUtf8) {
  auto p = Parse("[{\"text\": \"caf\xE9\"}]", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("line 1, task 1: not valid UTF-8"));
  p = Parse("\xFF\xFE[\0]", ImportFormat::kJson);
  EXPECT_THAT(p.status.message(), HasSubstr("UTF-16"));
}

TEST(ImportJsonTest, BomIsSkipped) {
  auto p = Parse("\xEF\xBB\xBF[{\"a\": 1}]", ImportFormat::kJson);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.tasks.size(), 1u);
}

TEST(ImportJsonTest, ItemLimit) {
  ParseOptions options;
  options.max_task_bytes = 100;
  auto p = Parse("[{\"text\": \"" + std::string(200, 'x') + "\"}]", ImportFormat::kJson, options);
  EXPECT_THAT(p.status.message(), HasSubstr("line 1, task 1: larger than 100 bytes"));
}

// A list much larger than one read chunk, with items straddling chunk edges.
TEST(ImportJsonTest, LargeArrayFromFileStreams) {
  std::string path = ::testing::TempDir() + "/tessera_large.json";
  {
    std::ofstream file(path, std::ios::binary);
    file << "[\n";
    for (int task_idx = 0; task_idx < 60000; ++task_idx) {
      if (task_idx > 0) file << ",\n";
      file << R"({"data": {"text": "task )" << task_idx << R"( with \"quotes\" and [brackets]"}})";
    }
    file << "\n]\n";
  }
  ParseOptions options;
  options.batch_size = 7000;
  int64_t count = 0;
  std::string last;
  auto result = ParseTasks(ImportSource::File(path, ImportFormat::kJson), options,
                           [&](std::span<const NewTask> batch) {
                             count += static_cast<int64_t>(batch.size());
                             last = batch.back().data;
                             return Status::Ok();
                           });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(count, 60000);
  EXPECT_EQ(last, R"({"text":"task 59999 with \"quotes\" and [brackets]"})");
  std::remove(path.c_str());
}

// ---- JSONL ----

TEST(ImportJsonlTest, BlankLinesCrlfAndBom) {
  auto p = Parse("\xEF\xBB\xBF{\"a\": 1}\r\n\r\n  \n{\"data\": {\"a\": 2}}\r\n", ImportFormat::kJsonl);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_THAT(Datas(p), ElementsAre(R"({"a":1})", R"({"a":2})"));
}

TEST(ImportJsonlTest, ErrorLine) {
  auto p = Parse("{\"a\": 1}\n\n3\n", ImportFormat::kJsonl);
  EXPECT_EQ(p.status.message(), "line 3: expected a JSON object (a task), got a number");
  p = Parse("{\"a\": 1}\n{\"a\": tru}\n", ImportFormat::kJsonl);
  EXPECT_THAT(p.status.message(), HasSubstr("line 2: not valid JSON"));
  p = Parse("{\"a\": 1}\n{\"a\": 2}{\"a\": 3}\n", ImportFormat::kJsonl);
  EXPECT_THAT(p.status.message(), HasSubstr("line 2: not valid JSON"));
  p = Parse("{\"a\": \"\xC3\"}\n", ImportFormat::kJsonl);
  EXPECT_THAT(p.status.message(), HasSubstr("line 1: not valid UTF-8"));
  p = Parse("\n\n", ImportFormat::kJsonl);
  EXPECT_THAT(p.status.message(), HasSubstr("no tasks"));
}

TEST(ImportJsonlTest, HugeLine) {
  std::string text(5 << 20, 'y');
  auto p = Parse("{\"a\": 1}\n{\"text\": \"" + text + "\"}\n{\"a\": 3}", ImportFormat::kJsonl);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  ASSERT_EQ(p.tasks.size(), 3u);
  EXPECT_EQ(p.tasks[1].data.size(), text.size() + 11);  // {"text":"..."}
  ParseOptions options;
  options.max_task_bytes = 1 << 20;
  p = Parse("{\"a\": 1}\n{\"text\": \"" + text + "\"}\n", ImportFormat::kJsonl, options);
  EXPECT_THAT(p.status.message(), HasSubstr("line 2: longer than 1048576 bytes"));
}

TEST(ImportJsonlTest, BatchesAndValidator) {
  std::string input;
  for (int task_idx = 0; task_idx < 10; ++task_idx) input += "{\"n\": " + std::to_string(task_idx) + "}\n";
  ParseOptions options;
  options.batch_size = 3;
  auto p = Parse(input, ImportFormat::kJsonl, options);
  ASSERT_TRUE(p.status.ok());
  EXPECT_THAT(p.batch_sizes, ElementsAre(3, 3, 3, 1));

  options.validator = [](const NewTask& task, int64_t) {
    return task.data == R"({"n":7})" ? Status::InvalidArgument("label \"X\" is not in the config")
                                     : Status::Ok();
  };
  p = Parse(input, ImportFormat::kJsonl, options);
  EXPECT_EQ(p.status.message(), "line 8: label \"X\" is not in the config");
}

// ---- CSV / TSV ----

TEST(ImportCsvTest, QuotingPerRfc4180) {
  auto p = Parse(
      "\xEF\xBB\xBFtext,label\r\n"
      "\"hello, world\",pos\r\n"
      "\r\n"
      "\"she said \"\"hi\"\"\",neg\r\n"
      "\"two\r\nlines\",\r\n"
      "plain \"inner\" quote,x\n",
      ImportFormat::kCsv);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_THAT(Datas(p), ElementsAre(R"({"text":"hello, world","label":"pos"})",
                                    R"({"text":"she said \"hi\"","label":"neg"})",
                                    R"({"text":"two\nlines","label":""})",
                                    R"({"text":"plain \"inner\" quote","label":"x"})"));
  EXPECT_THAT(p.stats.data_columns, ElementsAre("text", "label"));
}

TEST(ImportCsvTest, Errors) {
  auto p = Parse("a,b,c,d\n1,2,3,4\n\n\n\n\n1,2,3\n", ImportFormat::kCsv);
  EXPECT_EQ(p.status.message(),
            "line 7: column count 3 differs from the header's 4; quote values that contain commas");
  p = Parse("a,b\n1,\"open\n2,3\n", ImportFormat::kCsv);
  EXPECT_THAT(p.status.message(), HasSubstr("line 2: a quoted field is never closed"));
  p = Parse("a,b\n\"x\"y,1\n", ImportFormat::kCsv);
  EXPECT_THAT(p.status.message(), HasSubstr("line 2: text after a closing quote"));
  p = Parse("a,a\n1,2\n", ImportFormat::kCsv);
  EXPECT_THAT(p.status.message(), HasSubstr("column \"a\" twice"));
  p = Parse("a,,c\n1,2,3\n", ImportFormat::kCsv);
  EXPECT_THAT(p.status.message(), HasSubstr("column 2 of the header has no name"));
  p = Parse("a,b\n", ImportFormat::kCsv);
  EXPECT_THAT(p.status.message(), HasSubstr("header but no rows"));
  p = Parse("a,b\n1,2\n" + std::string(100000, ',') + "\n", ImportFormat::kCsv);
  EXPECT_THAT(p.status.message(), HasSubstr("line 3: column count 100001 differs from the header's 2"));
  p = Parse("a,b\n1,\xE9\n", ImportFormat::kCsv);
  EXPECT_THAT(p.status.message(), HasSubstr("line 2: not valid UTF-8"));
  p = Parse("", ImportFormat::kCsv);
  EXPECT_THAT(p.status.message(), HasSubstr("no tasks"));
}

TEST(ImportCsvTest, HugeQuotedField) {
  std::string big(3 << 20, 'z');
  auto p = Parse("text\n\"" + big + "\n" + big + "\"\n", ImportFormat::kCsv);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  ASSERT_EQ(p.tasks.size(), 1u);
  EXPECT_EQ(p.tasks[0].data.size(), 2 * big.size() + 2 + 11);  // each newline is escaped to 2 bytes
}

TEST(ImportTsvTest, Basic) {
  auto p = Parse("text\tn\nhello, world\t1\n\"a\tb\"\t2\n", ImportFormat::kTsv);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_THAT(Datas(p), ElementsAre(R"({"text":"hello, world","n":"1"})",
                                    R"({"text":"a\tb","n":"2"})"));
  p = Parse("a\tb\n1\n", ImportFormat::kTsv);
  EXPECT_THAT(p.status.message(), HasSubstr("line 2: column count 1 differs from the header's 2"));
}

// ---- TXT ----

TEST(ImportTxtTest, LinesBecomeTasks) {
  auto p = Parse("\xEF\xBB\xBF first line \r\n\r\n\tsecond \"q\"\nthird", ImportFormat::kTxt);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_THAT(Datas(p), ElementsAre(R"({"text":"first line"})", R"({"text":"second \"q\""})",
                                    R"({"text":"third"})"));
  ParseOptions options;
  options.data_keys = {"review"};
  p = Parse("one\n", ImportFormat::kTxt, options);
  EXPECT_THAT(Datas(p), ElementsAre(R"({"review":"one"})"));
  options.data_keys = {"a", "b"};
  p = Parse("one\n", ImportFormat::kTxt, options);
  EXPECT_THAT(Datas(p), ElementsAre(R"({"text":"one"})"));
  p = Parse("ok\nbad \xC0\xAF\n", ImportFormat::kTxt);
  EXPECT_THAT(p.status.message(), HasSubstr("line 2: not valid UTF-8"));
  p = Parse(" \n\n", ImportFormat::kTxt);
  EXPECT_THAT(p.status.message(), HasSubstr("no tasks"));
}

TEST(ImportTxtTest, ControlCharactersAreEscaped) {
  auto p = Parse(std::string("a\x01z\\b\n", 6), ImportFormat::kTxt);
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.tasks[0].data, R"({"text":"a\u0001z\\b"})");
}

// ---- misc ----

TEST(ImportFormatTest, FromFileName) {
  EXPECT_EQ(*FormatFromFileName("tasks.JSON"), ImportFormat::kJson);
  EXPECT_EQ(*FormatFromFileName("a.b.jsonl"), ImportFormat::kJsonl);
  EXPECT_EQ(*FormatFromFileName("x.ndjson"), ImportFormat::kJsonl);
  EXPECT_EQ(*FormatFromFileName("x.csv"), ImportFormat::kCsv);
  EXPECT_EQ(*FormatFromFileName("x.tsv"), ImportFormat::kTsv);
  EXPECT_EQ(*FormatFromFileName("x.txt"), ImportFormat::kTxt);
  auto bad = FormatFromFileName("photo.png");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr(".json, .jsonl, .ndjson, .csv, .tsv, .txt"));
}

TEST(ImportSourceTest, MissingFile) {
  auto result = ParseTasks(ImportSource::File("/nonexistent/x.json", ImportFormat::kJson), {},
                           [](std::span<const NewTask>) { return Status::Ok(); });
  EXPECT_EQ(result.status().code(), Code::kIOError);
}

TEST(ImportSinkTest, SinkErrorStopsTheParse) {
  ParseOptions options;
  options.batch_size = 1;
  int calls = 0;
  auto result = ParseTasks(ImportSource::Buffer("a\nb\nc\n", ImportFormat::kTxt), options,
                           [&](std::span<const NewTask>) {
                             return ++calls == 2 ? Status::IOError("full") : Status::Ok();
                           });
  EXPECT_EQ(result.status().code(), Code::kIOError);
  EXPECT_EQ(calls, 2);
}

// Random and mutated inputs: the parsers must return (OK or an error), never
// crash or hang. A fuzzer will do this properly; this is a smoke test.
TEST(ImportFuzzSmokeTest, RandomInputsDoNotCrash) {
  std::mt19937 rng(12345);
  const std::string seeds[] = {
      R"([{"data": {"text": "a\"b"}, "annotations": [{"result": []}]}, {"x": [1, {"y": null}]}])",
      "a,b\n\"1\",\"2\"\"x\"\n3,4\n",
      "{\"a\": 1}\n{\"b\": [true, false]}\n",
  };
  const std::string alphabet = "[]{}\",:\\ \n\r\tabn01\xEF\xBB\xBF\xFF";
  for (int round = 0; round < 3000; ++round) {
    std::string input = seeds[round % 3];
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int edit_idx = 0; edit_idx < edits; ++edit_idx) {
      size_t at = input.empty() ? 0 : rng() % input.size();
      char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: if (!input.empty()) input[at] = c; break;
        case 1: input.insert(input.begin() + static_cast<long>(at), c); break;
        default: if (!input.empty()) input.erase(at, 1); break;
      }
    }
    for (ImportFormat format : {ImportFormat::kJson, ImportFormat::kJsonl, ImportFormat::kCsv,
                                ImportFormat::kTsv, ImportFormat::kTxt}) {
      auto p = Parse(input, format);
      if (!p.status.ok()) {
        EXPECT_FALSE(p.status.message().empty());
      }
    }
  }
}

}  // namespace
}  // namespace tessera
