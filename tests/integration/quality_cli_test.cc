// `tessera quality`: the real binary on small files whose answers are known
// independently (published worked examples, or computed by hand below), and
// its error reporting (one line naming the file, line and field; exit code 2
// for usage errors, 1 for data errors).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "src/quality/quality_test_util.h"
#include "tessera/quality.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Outcome {
  int code = -1;
  std::string out, err;
};

Outcome Quality(std::vector<std::string> args) {
  args.insert(args.begin(), "quality");
  Outcome outcome;
  outcome.code = RunTessera(args, &outcome.out, &outcome.err);
  return outcome;
}

std::string Data(const std::string& name) {
  return (SourceDir() / "tests/testdata/quality/cli" / name).string();
}

// Runs with --json, expects success, returns the parsed report.
json Report(std::vector<std::string> args) {
  args.push_back("--json");
  Outcome outcome = Quality(args);
  EXPECT_EQ(outcome.code, 0) << outcome.err;
  return json::parse(outcome.out, nullptr, false);
}

// A usage or data error: the exit code, nothing on stdout, and one line on
// stderr that contains every `needles`.
void ExpectError(const std::vector<std::string>& args, int code,
                 const std::vector<std::string>& needles) {
  Outcome outcome = Quality(args);
  EXPECT_EQ(outcome.code, code) << outcome.err;
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  for (const std::string& needle : needles) {
    EXPECT_NE(outcome.err.find(needle), std::string::npos) << "missing '" << needle << "' in " << outcome.err;
  }
}

class QualityCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("tessera-quality-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

// ---------------------------------------------------------------- agreement

TEST_F(QualityCliTest, FleissWikipediaExample) {
  // Wikipedia "Fleiss' kappa" worked example (14 raters, 10 subjects):
  // P-bar = 0.378, kappa = 0.210; statsmodels fleiss_kappa 0.20993070442195522,
  // and with method="randolph" (Brennan–Prediger) 0.2225274725274725.
  json fleiss = Report({"agreement", "--input", Data("fleiss_wikipedia.csv"), "--metric", "fleiss"});
  EXPECT_EQ(fleiss["metric"], "fleiss");
  EXPECT_NEAR(fleiss["value"].get<double>(), 0.20993070442195522, 1e-12);
  EXPECT_EQ(fleiss["items"], 10);
  EXPECT_EQ(fleiss["annotators"], 14);
  EXPECT_NEAR(Report({"agreement", "--input", Data("fleiss_wikipedia.csv"), "--metric", "percent"})["value"]
                  .get<double>(),
              0.378, 5e-4);
  EXPECT_NEAR(Report({"agreement", "--input", Data("fleiss_wikipedia.csv"), "--metric", "brennan-prediger"})
                  ["value"].get<double>(),
              0.2225274725274725, 1e-12);
}

TEST_F(QualityCliTest, KrippendorffPublishedExampleWithQuotedCsv) {
  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
  // section E: nominal .743, ordinal .815, interval .849, ratio .797
  // (irrCAC: nominal 0.74342, interval 0.84911). The file quotes annotator
  // names with commas and doubled quotes and has an extra column.
  const std::string input = Data("krippendorff_2011.csv");
  auto alpha = [&](const std::string& level) {
    return Report({"agreement", "--input", input, "--metric", "krippendorff", "--level", level})["value"]
        .get<double>();
  };
  EXPECT_NEAR(alpha("nominal"), 0.74342, 5e-6);
  EXPECT_NEAR(alpha("ordinal"), 0.815, 5e-4);
  EXPECT_NEAR(alpha("interval"), 0.84911, 5e-6);
  EXPECT_NEAR(alpha("ratio"), 0.797, 5e-4);
  json report = Report({"agreement", "--input", input, "--metric", "krippendorff"});
  EXPECT_EQ(report["level"], "nominal");
  EXPECT_EQ(report["items"], 12);
  EXPECT_EQ(report["annotators"], 4);
  // irrCAC on the same data (cac.raw4raters): percent 0.8181818, Fleiss
  // 0.76117, Gwet's AC1 0.77544.
  EXPECT_NEAR(Report({"agreement", "--input", input, "--metric", "percent"})["value"].get<double>(), 0.8181818,
              5e-7);
  EXPECT_NEAR(Report({"agreement", "--input", input, "--metric", "fleiss"})["value"].get<double>(), 0.76117, 5e-6);
  EXPECT_NEAR(Report({"agreement", "--input", input, "--metric", "gwet"})["value"].get<double>(), 0.77544, 5e-6);
}

TEST_F(QualityCliTest, TwoRaterCoefficientsAndBootstrap) {
  // irrCAC's cont3x3abstractors (100 subjects, 2 raters): Cohen 0.7964094,
  // quadratic 0.8921569; Scott 0.7962397; Gwet AC1 0.8493305;
  // Brennan–Prediger 0.835; percent agreement 0.89.
  const std::string input = Data("abstractors.csv");
  auto value = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"agreement", "--input", input};
    args.insert(args.end(), extra.begin(), extra.end());
    return Report(args)["value"].get<double>();
  };
  EXPECT_NEAR(value({"--metric", "cohen"}), 0.7964094, 5e-7);
  EXPECT_NEAR(value({"--metric", "cohen", "--weights", "quadratic"}), 0.8921569, 5e-7);
  EXPECT_NEAR(value({"--metric", "scott"}), 0.7962397, 5e-7);
  EXPECT_NEAR(value({"--metric", "gwet"}), 0.8493305, 5e-7);
  EXPECT_NEAR(value({"--metric", "brennan-prediger"}), 0.835, 1e-12);
  EXPECT_NEAR(value({"--metric", "percent"}), 0.89, 1e-12);
  // --ci is quality::BootstrapCI with its defaults on the same table.
  json report = Report({"agreement", "--input", input, "--metric", "cohen", "--ci"});
  auto expected = quality::BootstrapCI(
      quality::testing::TableFromContingency({{13, 0, 0}, {0, 20, 7}, {0, 4, 56}}),
      [](const quality::RatingTable& t) -> Result<double> {
        TESSERA_ASSIGN_OR_RETURN(quality::Coefficient kappa, quality::CohenKappa(t));
        return kappa.value;
      });
  ASSERT_TRUE(expected.ok());
  ASSERT_TRUE(report["ci95"].is_array());
  EXPECT_DOUBLE_EQ(report["ci95"][0].get<double>(), expected->lower);
  EXPECT_DOUBLE_EQ(report["ci95"][1].get<double>(), expected->upper);
  EXPECT_LT(report["ci95"][0].get<double>(), 0.7964094);
  EXPECT_GT(report["ci95"][1].get<double>(), 0.7964094);
  // The human-readable form says the same.
  Outcome human = Quality({"agreement", "--input", input, "--metric", "cohen"});
  EXPECT_EQ(human.code, 0);
  EXPECT_NE(human.out.find("cohen: 0.7964"), std::string::npos) << human.out;
}

TEST_F(QualityCliTest, LabelStudioExportPerControl) {
  // ls_export.json, by hand. "sentiment" (choices), two annotators (user 1 and
  // bob@example.com; user 3's annotation is cancelled; on task 4 user 1's
  // latest annotation, id 12, says Positive):
  //   task 1 P/P, task 2 N/P, task 3 Neu/Neu, task 4 P/P -> percent 3/4.
  //   Cohen: p_o = .75; marginals (.5, .25, .25) and (.75, 0, .25):
  //   p_e = .375 + .0625 = .4375; kappa = .3125 / .5625 = 5/9.
  // "stars" (rating): 4/4, 2/3, 5/5 -> percent 2/3. Interval alpha: values
  //   2,3,4,4,5,5; D_o = 2/6; D_e = 2 * 41 / 30; alpha = 1 - 10/82 = 36/41.
  // The per-region choices and the labels result are not item labels.
  for (const char* file : {"ls_export.json", "ls_export.jsonl"}) {
    SCOPED_TRACE(file);
    json all = Report({"agreement", "--input", Data(file), "--metric", "percent"});
    ASSERT_EQ(all["controls"].size(), 2u) << all.dump();
    for (const json& control : all["controls"]) {
      if (control["control"] == "sentiment") {
        EXPECT_NEAR(control["value"].get<double>(), 0.75, 1e-12);
        EXPECT_EQ(control["items"], 4);
        EXPECT_EQ(control["annotators"], 2);
      } else {
        EXPECT_EQ(control["control"], "stars");
        EXPECT_NEAR(control["value"].get<double>(), 2.0 / 3, 1e-12);
        EXPECT_EQ(control["items"], 3);
      }
    }
    json cohen = Report({"agreement", "--input", Data(file), "--metric", "cohen", "--control", "sentiment"});
    EXPECT_EQ(cohen["control"], "sentiment");
    EXPECT_NEAR(cohen["value"].get<double>(), 5.0 / 9, 1e-12);
    json alpha = Report({"agreement", "--input", Data(file), "--metric", "krippendorff", "--level", "interval",
                         "--control", "stars"});
    EXPECT_NEAR(alpha["value"].get<double>(), 36.0 / 41, 1e-12);
  }
  ExpectError({"agreement", "--input", Data("ls_export.json"), "--metric", "percent", "--control", "mood"}, 2,
              {"--control mood", "sentiment, stars"});
}

// ------------------------------------------------- aggregate and annotators

// aggregate.csv: A and B always agree; C agrees on items 1-2 only.
//   item1 cat/cat/cat, item2 dog/dog/dog, item3 cat/cat/dog, item4 dog/dog/cat
TEST_F(QualityCliTest, MajorityVote) {
  json report = Report({"aggregate", "--input", Data("aggregate.csv"), "--method", "majority"});
  const std::vector<std::string> labels = {"cat", "dog", "cat", "dog"};
  ASSERT_EQ(report["items"].size(), 4u);
  for (size_t idx = 0; idx < 4; ++idx) EXPECT_EQ(report["items"][idx]["label"], labels[idx]);
  EXPECT_NEAR(report["items"][2]["posterior"]["cat"].get<double>(), 2.0 / 3, 1e-12);
  EXPECT_NEAR(report["items"][2]["posterior"]["dog"].get<double>(), 1.0 / 3, 1e-12);
  // Agreement with the majority: A and B 4/4, C 2/4.
  EXPECT_EQ(report["annotators"][0]["annotator"], "A");
  EXPECT_NEAR(report["annotators"][0]["agreement_with_majority"].get<double>(), 1.0, 1e-12);
  EXPECT_NEAR(report["annotators"][2]["agreement_with_majority"].get<double>(), 0.5, 1e-12);
  // Priors = mean vote shares: cat (1 + 0 + 2/3 + 1/3) / 4 = 1/2.
  EXPECT_NEAR(report["class_priors"]["cat"].get<double>(), 0.5, 1e-12);
  EXPECT_FALSE(report.contains("log_likelihood"));
  // A tie gives no label.
  json tie = Report({"aggregate", "--input", Write("tie.csv", "item,annotator,label\nx,A,cat\nx,B,dog\n"),
                     "--method", "majority"});
  EXPECT_TRUE(tie["items"][0]["label"].is_null());
  EXPECT_NEAR(tie["items"][0]["posterior"]["dog"].get<double>(), 0.5, 1e-12);
}

TEST_F(QualityCliTest, DawidSkene) {
  // EM settles where A and B are (almost, with 0.01 smoothing) perfect and C
  // is right half the time: accuracy ~1 for A, ~1/2 for C (see
  // RankAnnotatorsTest.HandComputedCase for the fixed point).
  json report = Report({"aggregate", "--input", Data("aggregate.csv"), "--method", "dawid-skene"});
  const std::vector<std::string> labels = {"cat", "dog", "cat", "dog"};
  for (size_t idx = 0; idx < 4; ++idx) EXPECT_EQ(report["items"][idx]["label"], labels[idx]);
  EXPECT_EQ(report["annotators"][2]["annotator"], "C");
  EXPECT_GT(report["annotators"][0]["accuracy"].get<double>(), 0.95);
  EXPECT_NEAR(report["annotators"][2]["accuracy"].get<double>(), 0.5, 0.05);
  EXPECT_NEAR(report["annotators"][2]["confusion"]["cat"]["cat"].get<double>(), 0.5, 0.05);
  EXPECT_NEAR(report["class_priors"]["dog"].get<double>(), 0.5, 0.05);
  EXPECT_TRUE(report["log_likelihood"].is_number());
}

TEST_F(QualityCliTest, AnnotatorRanking) {
  // Leave-one-out agreement by hand: A and B 0.75, C 0.5 (see
  // src/quality/label_quality_test.cc); C ranks last.
  json report = Report({"annotators", "--input", Data("aggregate.csv")});
  ASSERT_EQ(report["annotators"].size(), 3u);
  EXPECT_EQ(report["annotators"][0]["annotator"], "A");
  EXPECT_EQ(report["annotators"][1]["annotator"], "B");
  EXPECT_EQ(report["annotators"][2]["annotator"], "C");
  EXPECT_EQ(report["annotators"][2]["rank"], 3);
  EXPECT_NEAR(report["annotators"][0]["loo_agreement"].get<double>(), 0.75, 1e-12);
  EXPECT_NEAR(report["annotators"][2]["loo_agreement"].get<double>(), 0.5, 1e-12);
  EXPECT_EQ(report["annotators"][2]["ratings"], 4);
  EXPECT_LT(report["annotators"][2]["ds_accuracy"].get<double>(), report["annotators"][0]["ds_accuracy"].get<double>());
}

// ---------------------------------------------------------------- spans

TEST_F(QualityCliTest, ConllSpansStrictAndLenient) {
  // Reference (4 columns, -DOCSTART-): ORG EU, MISC German, MISC British,
  // PER Peter Blackburn, LOC BRUSSELS = 5 entities. Candidate: British is
  // LOC, PER covers only "Peter", BRUSSELS is tagged I-LOC.
  // Strict IOB2: candidate entities ORG, MISC German, LOC British, PER Peter
  //   (a stray I-LOC opens nothing) = 4; matched ORG, MISC German = 2.
  //   P = 2/4, R = 2/5, F1 = 4/9. MISC: P 1, R 1/2, F1 2/3, support 2.
  // Lenient (conlleval): I-LOC opens BRUSSELS, so 5 candidates, 3 matched:
  //   P = R = F1 = 3/5; LOC: P 1/2, R 1, F1 2/3.
  json strict = Report({"spans", "--reference", Data("conll_reference.txt"), "--candidate",
                        Data("conll_candidate.txt")});
  EXPECT_EQ(strict["mode"], "strict");
  EXPECT_NEAR(strict["micro"]["precision"].get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(strict["micro"]["recall"].get<double>(), 0.4, 1e-12);
  EXPECT_NEAR(strict["micro"]["f1"].get<double>(), 4.0 / 9, 1e-12);
  EXPECT_EQ(strict["micro"]["support"], 5);
  EXPECT_NEAR(strict["per_type"]["MISC"]["precision"].get<double>(), 1.0, 1e-12);
  EXPECT_NEAR(strict["per_type"]["MISC"]["recall"].get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(strict["per_type"]["MISC"]["f1"].get<double>(), 2.0 / 3, 1e-12);
  EXPECT_EQ(strict["per_type"]["MISC"]["support"], 2);
  EXPECT_NEAR(strict["per_type"]["ORG"]["f1"].get<double>(), 1.0, 1e-12);
  EXPECT_NEAR(strict["per_type"]["PER"]["f1"].get<double>(), 0.0, 1e-12);
  EXPECT_NEAR(strict["per_type"]["LOC"]["f1"].get<double>(), 0.0, 1e-12);
  EXPECT_EQ(strict["sentences"], 3);
  json lenient = Report({"spans", "--reference", Data("conll_reference.txt"), "--candidate",
                         Data("conll_candidate.txt"), "--mode", "lenient"});
  EXPECT_NEAR(lenient["micro"]["precision"].get<double>(), 0.6, 1e-12);
  EXPECT_NEAR(lenient["micro"]["recall"].get<double>(), 0.6, 1e-12);
  EXPECT_NEAR(lenient["micro"]["f1"].get<double>(), 0.6, 1e-12);
  EXPECT_NEAR(lenient["per_type"]["LOC"]["precision"].get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(lenient["per_type"]["LOC"]["recall"].get<double>(), 1.0, 1e-12);
  // The same file against itself is perfect.
  json self = Report({"spans", "--reference", Data("conll_reference.txt"), "--candidate",
                      Data("conll_reference.txt")});
  EXPECT_NEAR(self["micro"]["f1"].get<double>(), 1.0, 1e-12);
}

// ---------------------------------------------------------------- detection

TEST_F(QualityCliTest, CocoPerfectDetectionsOnDatumaroSample) {
  // Datumaro's COCO sample (image 40): category 1 has one 1x2 box (small),
  // category 2 only a crowd region (ignored), category 4 nothing. Detecting
  // the category-1 box exactly gives AP = AR = 1 wherever ground truth
  // exists and -1 elsewhere (pycocotools' convention).
  json report =
      Report({"detection", "--gt", "../shared/conformance/datumaro/coco_dataset/coco_instances/annotations/instances_val.json",
              "--dt", Data("coco_datumaro_val_dt.json")});
  for (const char* name : {"AP", "AP50", "AP75", "AP_small", "AR1", "AR10", "AR100", "AR_small"}) {
    EXPECT_NEAR(report[name].get<double>(), 1.0, 1e-12) << name;
  }
  for (const char* name : {"AP_medium", "AP_large", "AR_medium", "AR_large"}) {
    EXPECT_EQ(report[name].get<double>(), -1.0) << name;
  }
  ASSERT_FALSE(report["per_class"].empty());
  EXPECT_EQ(report["per_class"][0]["category_id"], 1);
  EXPECT_EQ(report["per_class"][0]["name"], "a");
  EXPECT_NEAR(report["per_class"][0]["AP"].get<double>(), 1.0, 1e-12);
}

TEST_F(QualityCliTest, CocoPartialDetections) {
  // One image, two 100x100 car boxes (large). Detections: an exact hit
  // (score .9) and a miss elsewhere (.8). At every IoU threshold the ranked
  // list is TP, FP: recall .5 at precision 1, then .5 at .5. pycocotools'
  // 101-point interpolation: recall thresholds 0, .01, ..., .50 (51 points)
  // get precision 1, the other 50 get 0 -> AP = 51/101 at every threshold.
  // Recall is 1/2 with 1, 10 or 100 detections.
  json report = Report({"detection", "--gt", Data("coco_partial_gt.json"), "--dt", Data("coco_partial_dt.json")});
  for (const char* name : {"AP", "AP50", "AP75", "AP_large"}) {
    EXPECT_NEAR(report[name].get<double>(), 51.0 / 101, 1e-12) << name;
  }
  for (const char* name : {"AR1", "AR10", "AR100", "AR_large"}) {
    EXPECT_NEAR(report[name].get<double>(), 0.5, 1e-12) << name;
  }
  EXPECT_EQ(report["AP_small"].get<double>(), -1.0);
  EXPECT_EQ(report["per_class"][0]["name"], "car");
  EXPECT_NEAR(report["per_class"][0]["AR100"].get<double>(), 0.5, 1e-12);
}

// ------------------------------------------------------------- label issues

TEST_F(QualityCliTest, LabelIssues) {
  // The hand-worked example of src/quality/confident_learning_test.cc:
  // example 2 (labelled 0, p = (.2, .8)) is the one issue. With two classes
  // the normalized margin (p - (1 - p) + 1) / 2 equals p, so both are 0.2.
  // Self-confidences .9 .8 .2 .7 .9 .6: mean 4.1/6, median (.7 + .8)/2, min .2.
  json report = Report({"label-issues", "--labels", Data("labels.txt"), "--pred-probs", Data("pred_probs.csv")});
  ASSERT_EQ(report["issues"].size(), 1u);
  const json& issue = report["issues"][0];
  EXPECT_EQ(issue["index"], 2);
  EXPECT_EQ(issue["given_label"], 0);
  EXPECT_EQ(issue["suggested_label"], 1);
  EXPECT_NEAR(issue["self_confidence"].get<double>(), 0.2, 1e-12);
  EXPECT_NEAR(issue["normalized_margin"].get<double>(), 0.2, 1e-12);
  const json& summary = report["label_quality"];
  EXPECT_EQ(summary["examples"], 6);
  EXPECT_NEAR(summary["self_confidence"]["mean"].get<double>(), 4.1 / 6, 1e-12);
  EXPECT_NEAR(summary["self_confidence"]["median"].get<double>(), 0.75, 1e-12);
  EXPECT_NEAR(summary["normalized_margin"]["min"].get<double>(), 0.2, 1e-12);
}

// ---------------------------------------------------------------- errors

TEST_F(QualityCliTest, UsageErrorsExitWithTwo) {
  const std::string input = Data("abstractors.csv");
  ExpectError({"agreement", "--input", input, "--metric", "kappa"}, 2,
              {"--metric", "kappa", "krippendorff", "brennan-prediger"});
  ExpectError({"agreement", "--metric", "fleiss"}, 2, {"--input"});
  ExpectError({}, 2, {"a command is required", "label-issues"});
  ExpectError({"frobnicate"}, 2, {"frobnicate"});
  ExpectError({"agreement", "--input", input, "--metric", "fleiss", "--bogus"}, 2, {"--bogus"});
  ExpectError({"agreement", "--input", input, "--metric", "fleiss", "--level", "ordinal"}, 2,
              {"--level", "krippendorff"});
  ExpectError({"agreement", "--input", input, "--metric", "krippendorff", "--weights", "linear"}, 2,
              {"--weights"});
  ExpectError({"agreement", "--input", Data("no_such_file.csv"), "--metric", "fleiss"}, 2,
              {"no_such_file.csv", "cannot open"});
  ExpectError({"spans", "--reference", Data("conll_reference.txt"), "--candidate", Data("conll_candidate.txt"),
               "--mode", "loose"},
              2, {"--mode", "strict", "lenient"});
  Outcome help = Quality({"agreement", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--metric"), std::string::npos);
  Outcome group_help = Quality({"--help"});
  EXPECT_EQ(group_help.code, 0);
  EXPECT_NE(group_help.out.find("label-issues"), std::string::npos);
}

TEST_F(QualityCliTest, DataErrorsNameFileLineAndField) {
  auto agreement = [](const std::string& path) {
    return std::vector<std::string>{"agreement", "--input", path, "--metric", "fleiss"};
  };
  const std::string missing = Write("missing.csv", "item,rater,label\n1,a,x\n");
  ExpectError(agreement(missing), 1, {missing + ":1:", "\"annotator\"", "item, annotator and label"});
  const std::string ragged = Write("ragged.csv", "item,annotator,label\n1,a,x\n1,b,x,extra\n");
  ExpectError(agreement(ragged), 1, {ragged + ":3:", "4 fields", "header has 3"});
  const std::string open_quote = Write("quote.csv", "item,annotator,label\n1,a,x\n2,\"b,x\n");
  ExpectError(agreement(open_quote), 1, {open_quote + ":3:", "never closed"});
  const std::string empty_label = Write("empty.csv", "item,annotator,label\n1,a,\n");
  ExpectError(agreement(empty_label), 1, {empty_label + ":2:", "\"label\"", "empty"});
  const std::string twice = Write("twice.csv", "item,annotator,label\n1,a,x\n1,a,y\n");
  ExpectError(agreement(twice), 1, {twice + ":3:", "already labelled", "line 2"});
  const std::string bad_json = Write("bad.json", "[\n  {\"id\": 1, \"annotations\": [}\n]\n");
  ExpectError(agreement(bad_json), 1, {bad_json, "not valid JSON", "line 2"});
  const std::string bad_jsonl = Write("bad.jsonl", "{\"id\": 1}\n{\"id\": 2,\n");
  ExpectError(agreement(bad_jsonl), 1, {bad_jsonl + ":2:", "not valid JSON"});
  const std::string bad_choice = Write(
      "choice.json", R"([{"id": 1, "annotations": [{"completed_by": 1, "result": [{"from_name": "s",
      "type": "choices", "value": {"choices": "Positive"}}]}]}])");
  ExpectError(agreement(bad_choice), 1, {bad_choice, "task 1, annotation 1", "control \"s\"", "value.choices"});
  ExpectError({"agreement", "--input", Data("fleiss_wikipedia.csv"), "--metric", "cohen"}, 1,
              {"fleiss_wikipedia.csv", "exactly 2 annotators", "has 14"});

  const std::string labels = Data("labels.txt");
  const std::string sums = Write("sums.csv", "0.9,0.1\n0.5,0.3\n0.5,0.5\n0.5,0.5\n0.5,0.5\n0.5,0.5\n");
  ExpectError({"label-issues", "--labels", labels, "--pred-probs", sums}, 1, {sums + ":2:", "sum to 0.8"});
  const std::string short_probs = Write("short.csv", "0.9,0.1\n0.5,0.5\n");
  ExpectError({"label-issues", "--labels", labels, "--pred-probs", short_probs}, 1, {"6 labels", "2 rows"});
  const std::string ragged_probs = Write("ragged_probs.csv", "0.9,0.1\n0.5,0.25,0.25\n");
  ExpectError({"label-issues", "--labels", labels, "--pred-probs", ragged_probs}, 1,
              {ragged_probs + ":2:", "3 values", "first row has 2"});
  const std::string word = Write("word.txt", "0\ncat\n");
  ExpectError({"label-issues", "--labels", word, "--pred-probs", Data("pred_probs.csv")}, 1,
              {word + ":2:", "\"cat\"", "class index"});
  const std::string big = Write("big.txt", "0\n0\n0\n1\n1\n7\n");
  ExpectError({"label-issues", "--labels", big, "--pred-probs", Data("pred_probs.csv")}, 1,
              {big + ":6:", "label 7", "2 classes"});

  const std::string iobes = Write("iobes.txt", "EU S-ORG\n");
  ExpectError({"spans", "--reference", Data("conll_reference.txt"), "--candidate", iobes}, 1,
              {iobes + ":1:", "S-ORG", "B-TYPE"});
  const std::string other = Write("other.txt", "EU B-ORG\naccepts O\n");
  ExpectError({"spans", "--reference", Data("conll_reference.txt"), "--candidate", other}, 1,
              {other + ":2:", "\"accepts\"", "\"rejects\""});

  const std::string gt = Write("gt.json", R"({"images": [{"id": 1}], "categories": [{"id": 1}],
      "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10]}]})");
  ExpectError({"detection", "--gt", gt, "--dt", Data("coco_partial_dt.json")}, 1,
              {gt, "annotations[0].bbox", "[x, y, width, height]"});
  const std::string dt = Write("dt.json", R"([{"image_id": 9, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1}])");
  ExpectError({"detection", "--gt", Data("coco_partial_gt.json"), "--dt", dt}, 1, {dt, "[0].image_id", "9"});
  const std::string not_list = Write("notlist.json", R"({"annotations": []})");
  ExpectError({"detection", "--gt", Data("coco_partial_gt.json"), "--dt", not_list}, 1,
              {not_list, "JSON array of detections"});
}

}  // namespace
}  // namespace tessera::testing
