#include <gtest/gtest.h>

#include <map>

#include "tessera/agreement.h"

namespace tessera {
namespace {

constexpr char kConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="A"/><Choice value="B"/></Choices>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
</View>)";

Annotation Choice(Id id, Id who, const char* value) {
  Annotation a;
  a.id = id;
  a.completed_by = who;
  a.result = std::string(R"([{"from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":[")") +
             value + R"("]}}])";
  return a;
}

TaskBundle Task(Id id, std::vector<Annotation> annotations) {
  TaskBundle b;
  b.task.id = id;
  b.annotations = std::move(annotations);
  return b;
}

TEST(ProjectAgreementTest, ChoicesMatchHandComputedValues) {
  auto cfg = ParseLabelingConfig(kConfig);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  AgreementBuilder builder(**cfg);
  // T1: A A B   T2: B B   T3: A B   T4: A (one annotator: no score)
  builder.AddTask(Task(1, {Choice(1, 1, "A"), Choice(2, 2, "A"), Choice(3, 3, "B")}));
  builder.AddTask(Task(2, {Choice(4, 1, "B"), Choice(5, 2, "B")}));
  builder.AddTask(Task(3, {Choice(6, 1, "A"), Choice(7, 2, "B")}));
  builder.AddTask(Task(4, {Choice(8, 1, "A")}));
  auto report = builder.Finish();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->annotators, (std::vector<Id>{1, 2, 3}));
  const ControlAgreement* sentiment = nullptr;
  for (const auto& c : report->controls)
    if (c.from_name == "sentiment") sentiment = &c;
  ASSERT_NE(sentiment, nullptr);
  EXPECT_EQ(sentiment->tasks, 3u);
  // Percent agreement: mean of agreeing-pair shares (1/3 + 1 + 0) / 3.
  EXPECT_NEAR(*sentiment->percent_agreement, 4.0 / 9.0, 1e-12);
  // Krippendorff's nominal alpha by hand: coincidences o_AA=1, o_AB=o_BA=2,
  // o_BB=2; n_A=3, n_B=4, n=7. D_o = 4/7, D_e = 2*3*4/(7*6) = 4/7, alpha = 0.
  EXPECT_NEAR(*sentiment->krippendorff_alpha, 0.0, 1e-12);
  ASSERT_EQ(report->tasks.size(), 4u);
  EXPECT_NEAR(*report->tasks[0].score, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(*report->tasks[1].score, 1.0, 1e-12);
  EXPECT_NEAR(*report->tasks[2].score, 0.0, 1e-12);
  EXPECT_FALSE(report->tasks[3].score.has_value());
  // Annotators 1 and 2 agree on 2 of the 3 tasks they share.
  EXPECT_TRUE(sentiment->pairwise[0][1].has_value());
}

TEST(ProjectAgreementTest, SpansUseOptimalMatchingF1AndSkipsAreIgnored) {
  auto cfg = ParseLabelingConfig(kConfig);
  ASSERT_TRUE(cfg.ok());
  auto span = [](Id id, Id who, int start, int end, const char* label) {
    Annotation a;
    a.id = id;
    a.completed_by = who;
    a.result = "[{\"from_name\":\"ner\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":" +
               std::to_string(start) + ",\"end\":" + std::to_string(end) + ",\"labels\":[\"" +
               label + "\"]}}]";
    return a;
  };
  Annotation skipped = span(4, 3, 0, 3, "PER");
  skipped.was_cancelled = true;
  AgreementBuilder builder(**cfg);
  builder.AddTask(Task(1, {span(1, 1, 0, 3, "PER"), span(2, 2, 0, 3, "PER"), skipped}));
  builder.AddTask(Task(2, {span(5, 1, 0, 3, "PER"), span(6, 2, 0, 3, "ORG")}));
  auto report = builder.Finish();
  ASSERT_TRUE(report.ok());
  const ControlAgreement* ner = nullptr;
  for (const auto& c : report->controls)
    if (c.from_name == "ner") ner = &c;
  ASSERT_NE(ner, nullptr);
  EXPECT_EQ(ner->tasks, 2u);
  EXPECT_NEAR(*ner->mean_pairwise, 0.5, 1e-12);  // F1 1 on task 1, 0 on task 2
  EXPECT_EQ(report->tasks[0].annotators, 2);     // the skip does not count
}

TEST(ProjectAgreementTest, ReplacingAndRemovingTasksEqualsBuildingAfresh) {
  auto cfg = ParseLabelingConfig(kConfig);
  ASSERT_TRUE(cfg.ok());
  AgreementBuilder incremental(**cfg);
  incremental.AddTask(Task(1, {Choice(1, 1, "A"), Choice(2, 2, "B")}));
  incremental.AddTask(Task(2, {Choice(3, 1, "B"), Choice(4, 2, "B")}));
  incremental.AddTask(Task(3, {Choice(5, 1, "A"), Choice(6, 3, "A")}));
  // Annotator 2 changes their mind on task 1; task 3 is deleted.
  incremental.AddTask(Task(1, {Choice(1, 1, "A"), Choice(2, 2, "A")}));
  incremental.RemoveTask(3);
  incremental.RemoveTask(99);  // unknown: no effect
  EXPECT_EQ(incremental.task_count(), 2u);

  AgreementBuilder fresh(**cfg);
  fresh.AddTask(Task(1, {Choice(1, 1, "A"), Choice(2, 2, "A")}));
  fresh.AddTask(Task(2, {Choice(3, 1, "B"), Choice(4, 2, "B")}));
  auto a = incremental.Finish();
  auto b = fresh.Finish();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(AgreementReportToJson(*a).dump(), AgreementReportToJson(*b).dump());
  EXPECT_EQ(a->annotators, (std::vector<Id>{1, 2}));  // annotator 3 left with task 3
  EXPECT_NEAR(*a->mean_task_score, 1.0, 1e-12);
}

TEST(ProjectAgreementTest, TableUsesConfigOrderForCategoryCodes) {
  auto cfg = ParseLabelingConfig(kConfig);
  ASSERT_TRUE(cfg.ok());
  AgreementBuilder builder(**cfg);
  builder.AddTask(Task(7, {Choice(1, 5, "B"), Choice(2, 9, "A")}));
  builder.AddTask(Task(8, {Choice(3, 9, "Z")}));  // not in the config: after its options
  builder.AddTask(Task(9, {}));                    // no ratings: no row
  auto table = builder.Table("sentiment");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->method, "categorical");
  EXPECT_EQ(table->categories, (std::vector<std::string>{"A", "B", "Z"}));
  EXPECT_EQ(table->annotators, (std::vector<Id>{5, 9}));
  EXPECT_EQ(table->task_ids, (std::vector<Id>{7, 8}));
  const quality::RatingTable dense = quality::ToDense(table->ratings);
  ASSERT_EQ(dense.size(), 2u);
  EXPECT_EQ(dense[0][0], 1.0);  // annotator 5 said B
  EXPECT_EQ(dense[0][1], 0.0);  // annotator 9 said A
  EXPECT_FALSE(dense[1][0].has_value());
  EXPECT_EQ(dense[1][1], 2.0);
  EXPECT_EQ(table->ratings.ratings(), 3u);  // only the ratings given are stored
  EXPECT_EQ(builder.Table("ner").status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(builder.Table("nope").status().code(), Code::kNotFound);
}

// An annotation with a sentiment answer and, for some, one NER span (so the
// region control has pairwise scores as well).
Annotation Mixed(Id id, Id who, const char* value, int span_start) {
  Annotation a = Choice(id, who, value);
  if (span_start >= 0) {
    a.result = std::string(R"([{"from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":[")") +
               value + R"("]}},{"id":"s","from_name":"ner","to_name":"text","type":"labels","value":{"start":)" +
               std::to_string(span_start) + R"(,"end":)" + std::to_string(span_start + 3) +
               R"(,"labels":["PER"]}}])";
  }
  return a;
}

TEST(ProjectAgreementTest, RunningPeerAgreementEqualsTheReportsAfterEveryChange) {
  auto cfg = ParseLabelingConfig(kConfig);
  ASSERT_TRUE(cfg.ok());
  AgreementBuilder builder(**cfg);
  uint64_t state = 12345;
  auto next = [&](uint64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % bound;
  };
  Id annotation_id = 0;
  for (int step = 0; step < 400; ++step) {
    const Id task_id = static_cast<Id>(1 + next(40));
    if (next(6) == 0) {
      builder.RemoveTask(task_id);
    } else {
      std::vector<Annotation> annotations;
      for (Id who = 1; who <= 6; ++who) {
        if (next(3) != 0) continue;
        const char* value = next(3) == 0 ? "B" : "A";
        int span = next(2) == 0 ? -1 : static_cast<int>(next(3)) * 4;
        annotations.push_back(Mixed(++annotation_id, who, value, span));
      }
      builder.AddTask(Task(task_id, std::move(annotations)));
    }
    if (step % 20 != 19) continue;
    auto report = builder.Finish();
    ASSERT_TRUE(report.ok());
    std::map<Id, double> expected;
    auto peer = PeerAgreement(*report);
    for (size_t a = 0; a < peer.size(); ++a)
      if (peer[a]) expected[report->annotators[a]] = *peer[a];
    std::map<Id, double> running = builder.PeerAgreementByAnnotator();
    ASSERT_EQ(running.size(), expected.size()) << "step " << step;
    ASSERT_FALSE(expected.empty());
    for (const auto& [who, value] : expected) {
      ASSERT_TRUE(running.count(who)) << who;
      EXPECT_NEAR(running[who], value, 1e-9) << "annotator " << who << " at step " << step;
    }
  }
}

// What the results are read with must not change what counts as equal: span
// offsets are equal by value (5 and 5.0), a missing end equals a null one,
// answers that are not text (taxonomy paths) are keyed as JSON writes them,
// and a result that does not parse leaves the annotator's earlier one.
TEST(ProjectAgreementTest, ValuesCompareAsJsonValues) {
  auto cfg = ParseLabelingConfig(R"(<View>
  <Text name="text" value="$text"/>
  <Taxonomy name="topic" toName="text"><Choice value="A"><Choice value="A1"/></Choice><Choice value="B"/></Taxonomy>
  <Labels name="ner" toName="text"><Label value="PER"/></Labels>
</View>)");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  auto span = [](Id id, Id who, const char* value) {
    Annotation a;
    a.id = id;
    a.completed_by = who;
    a.result = std::string(R"([{"from_name":"ner","to_name":"text","type":"labels","value":)") + value + "}]";
    return a;
  };
  AgreementBuilder builder(**cfg);
  builder.AddTask(Task(1, {span(1, 1, R"({"start":5,"end":9,"labels":["PER"]})"),
                           span(2, 2, R"({"start":5.0,"end":9.0,"labels":["PER"]})")}));
  builder.AddTask(Task(2, {span(3, 1, R"({"start":5,"labels":["PER"]})"),
                           span(4, 2, R"({"start":5,"end":null,"labels":["PER"]})")}));
  builder.AddTask(Task(3, {span(5, 1, R"({"start":5,"end":9,"labels":["PER"]})"),
                           span(6, 2, R"({"start":5,"labels":["PER"]})")}));
  // Annotator 2's newer result does not parse: their earlier one counts.
  Annotation broken = span(9, 2, R"({"start":1)");
  builder.AddTask(Task(4, {span(7, 1, R"({"start":"a","end":[1,{"k":true}],"labels":["PER"]})"),
                           span(8, 2, R"({"end":[1,{"k":true}],"start":"a","labels":["PER"]})"), broken}));
  Annotation path;
  path.id = 10;
  path.completed_by = 1;
  path.result = R"([{"from_name":"topic","to_name":"text","type":"taxonomy","value":{"taxonomy":[["A","A1"]]}}])";
  Annotation other = path;
  other.id = 11;
  other.completed_by = 2;
  other.result = R"([{"from_name":"topic","to_name":"text","type":"taxonomy","value":{"taxonomy":[["B"]]}}])";
  builder.AddTask(Task(5, {path, other}));
  auto report = builder.Finish();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->tasks.size(), 5u);
  EXPECT_NEAR(*report->tasks[0].score, 1.0, 1e-12);
  EXPECT_NEAR(*report->tasks[1].score, 1.0, 1e-12);
  EXPECT_NEAR(*report->tasks[2].score, 0.0, 1e-12);
  EXPECT_NEAR(*report->tasks[3].score, 1.0, 1e-12);
  auto table = builder.Table("topic");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  // The config's options, then the observed answers that are not options.
  EXPECT_EQ(table->categories,
            (std::vector<std::string>{"A", "A1", "B", R"(["A","A1"])", R"(["B"])"}));
}

}  // namespace
}  // namespace tessera
