// Store contract tests, data manager (issue 9): the filter SQL of every
// column/operator family, full-text search kept in step with task changes,
// ordering by data fields and computed columns, computed columns, bulk
// actions and saved views. Runs on every store (SQLite file and memory,
// PostgreSQL).
#include <algorithm>

#include "src/store/postgres/pg_test_cluster.h"
#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

class DataManagerTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ann_ = MakeUser("ann@x.org");
    bob_ = MakeUser("bob@x.org");
    project_ = MakeProject(ann_, /*maximum_annotations=*/2);
    std::vector<NewTask> tasks(4);
    tasks[0].data = R"({"text":"red apple pie","score":5,"meta":{"source":"web"}})";
    Annotation cat;
    cat.completed_by = ann_;
    cat.result = R"([{"from_name":"c","type":"choices","value":{"choices":["Cat"]}}])";
    cat.created_at = 1000;
    cat.guideline_version = 1;
    tasks[0].annotations = {cat};
    Prediction high;
    high.result = "[]";
    high.score = 0.9;
    tasks[0].predictions = {high};
    tasks[1].data = R"({"text":"green apple","score":10,"meta":{"source":"book"}})";
    Annotation skip;
    skip.completed_by = ann_;
    skip.was_cancelled = true;
    skip.created_at = 3000;
    Annotation dog;
    dog.completed_by = bob_;
    dog.result = R"([{"from_name":"c","type":"choices","value":{"choices":["Dog"]}}])";
    dog.created_at = 2000;
    dog.ground_truth = true;
    tasks[1].annotations = {skip, dog};
    tasks[2].data = R"({"text":"blue sky","score":"n/a"})";
    Prediction low = high;
    low.score = 0.2;
    tasks[2].predictions = {low};
    tasks[3].data = R"({"text":"grey stone","score":2.5})";
    ASSERT_OK(store_->InsertTasks(project_, 0, tasks, &ids_));
    ASSERT_EQ(ids_.size(), 4u);
    TaskFlag flag;
    flag.task_id = ids_[2];
    flag.reason = "duplicate";
    flag.created_at = 1;
    ASSERT_OK(store_->RecordPrefilter(project_, {}, std::span<const TaskFlag>(&flag, 1)));
  }

  // Task indexes (0..3) of the tasks a query returns, in its order; also
  // checks that CountTasks and ListTaskIds agree with ListTasks.
  std::vector<int> Run(TaskQuery query) {
    query.project_id = project_;
    query.limit = 100;
    auto tasks = store_->ListTasks(query);
    EXPECT_TRUE(tasks.ok()) << tasks.status().ToString();
    if (!tasks.ok()) return {-1};
    auto count = store_->CountTasks(query);
    EXPECT_TRUE(count.ok()) << count.status().ToString();
    EXPECT_EQ(count.ok() ? *count : -1, static_cast<int64_t>(tasks->size()));
    auto ids = store_->ListTaskIds(query);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    std::vector<int> out;
    std::vector<Id> listed;
    for (const Task& t : *tasks) {
      listed.push_back(t.id);
      out.push_back(static_cast<int>(std::find(ids_.begin(), ids_.end(), t.id) - ids_.begin()));
    }
    if (ids.ok()) {
      EXPECT_EQ(*ids, listed);
    }
    return out;
  }
  std::vector<int> Filter(TaskFilter f) {
    TaskQuery q;
    q.filters = {std::move(f)};
    return Run(q);
  }
  static TaskFilter F(std::string column, std::string op) {
    TaskFilter f;
    f.column = std::move(column);
    f.op = std::move(op);
    return f;
  }
  static TaskFilter Num(std::string column, std::string op, double value) {
    TaskFilter f = F(std::move(column), std::move(op));
    f.number = value;
    f.numeric = true;
    return f;
  }
  static TaskFilter Text(std::string column, std::string op, std::string value) {
    TaskFilter f = F(std::move(column), std::move(op));
    f.text = std::move(value);
    return f;
  }
  static TaskFilter Empty(std::string column, bool empty, bool numeric = false) {
    TaskFilter f = F(std::move(column), "empty");
    f.empty = empty;
    f.numeric = numeric;
    return f;
  }
  std::vector<int> Search(const std::string& text) {
    TaskQuery q;
    q.search = text;
    return Run(q);
  }
  std::vector<int> Order(const std::string& order) {
    TaskQuery q;
    q.order = order;
    return Run(q);
  }

  Id ann_ = 0, bob_ = 0, project_ = 0;
  std::vector<Id> ids_;
};

using V = std::vector<int>;

TEST_P(DataManagerTest, NumberColumns) {
  EXPECT_EQ(Filter(Num("id", "greater", static_cast<double>(ids_[1]))), (V{2, 3}));
  EXPECT_EQ(Filter(Num("id", "equal", static_cast<double>(ids_[2]))), (V{2}));
  EXPECT_EQ(Filter(Num("total_annotations", "equal", 1)), (V{0, 1}));
  EXPECT_EQ(Filter(Num("cancelled_annotations", "greater", 0)), (V{1}));
  EXPECT_EQ(Filter(Num("total_predictions", "less_or_equal", 0)), (V{1, 3}));
  EXPECT_EQ(Filter(Num("predictions_score", "greater", 0.5)), (V{0}));
  EXPECT_EQ(Filter(Empty("predictions_score", true)), (V{1, 3}));
  EXPECT_EQ(Filter(Num("guideline_version", "equal", 1)), (V{0}));
  EXPECT_EQ(Filter(Num("guideline_version", "not_equal", 1)), (V{1, 2, 3}));
  EXPECT_EQ(Filter(Empty("guideline_version", true)), (V{1, 2, 3}));
  EXPECT_EQ(Filter(Num("reviews_accepted", "greater", 0)), (V{}));
  TaskFilter range = F("total_predictions", "in");
  range.min = 1;
  range.max = 1;
  EXPECT_EQ(Filter(range), (V{0, 2}));
  range.op = "not_in";
  EXPECT_EQ(Filter(range), (V{1, 3}));
}

TEST_P(DataManagerTest, DatetimeColumn) {
  // The newest non-cancelled annotation: task 1's skip (3000) does not count.
  EXPECT_EQ(Filter(Num("completed_at", "greater", 1500)), (V{1}));
  EXPECT_EQ(Filter(Num("completed_at", "less_or_equal", 2000)), (V{0, 1}));
  EXPECT_EQ(Filter(Empty("completed_at", true)), (V{2, 3}));
  EXPECT_EQ(Filter(Empty("completed_at", false)), (V{0, 1}));
}

TEST_P(DataManagerTest, DataFields) {
  EXPECT_EQ(Filter(Num("data.score", "greater", 4)), (V{0, 1}));
  TaskFilter range = F("data.score", "in");
  range.numeric = true;
  range.min = 2;
  range.max = 6;
  EXPECT_EQ(Filter(range), (V{0, 3}));
  // "n/a" is not a number: empty for a Number comparison.
  EXPECT_EQ(Filter(Empty("data.score", true, /*numeric=*/true)), (V{2}));
  EXPECT_EQ(Filter(Text("data.meta.source", "equal", "web")), (V{0}));
  EXPECT_EQ(Filter(Text("data.meta.source", "not_equal", "web")), (V{1, 2, 3}));
  EXPECT_EQ(Filter(Empty("data.meta.source", true)), (V{2, 3}));
  EXPECT_EQ(Filter(Text("data.text", "contains", "APPLE")), (V{0, 1}));
  EXPECT_EQ(Filter(Text("data.text", "not_contains", "apple")), (V{2, 3}));
  // LIKE wildcards in the value are literal.
  EXPECT_EQ(Filter(Text("data.text", "contains", "%")), (V{}));
  EXPECT_EQ(Filter(Text("data.score", "equal", "10")), (V{1}));
  EXPECT_EQ(Filter(Text("data.score", "equal", "n/a")), (V{2}));
  // Key characters are checked (they name a JSON path).
  TaskQuery bad;
  bad.project_id = project_;
  bad.filters = {Text("data.a'b", "equal", "x")};
  EXPECT_EQ(store_->ListTasks(bad).status().code(), Code::kInvalidArgument);
}

TEST_P(DataManagerTest, AnnotationColumns) {
  TaskFilter by_bob = F("annotators", "contains");
  by_bob.number = static_cast<double>(bob_);
  EXPECT_EQ(Filter(by_bob), (V{1}));
  TaskFilter not_ann = F("annotators", "not_contains");
  not_ann.number = static_cast<double>(ann_);
  EXPECT_EQ(Filter(not_ann), (V{2, 3}));
  EXPECT_EQ(Filter(Empty("annotators", true)), (V{2, 3}));
  EXPECT_EQ(Filter(Text("annotations_results", "contains", "Dog")), (V{1}));
  EXPECT_EQ(Filter(Text("annotations_results", "contains", "Do")), (V{}));  // whole values only
  EXPECT_EQ(Filter(Text("annotations_results", "not_contains", "Cat")), (V{1, 2, 3}));
  TaskFilter gt = F("ground_truth", "equal");
  gt.number = 1;
  EXPECT_EQ(Filter(gt), (V{1}));
  gt.number = 0;
  EXPECT_EQ(Filter(gt), (V{0, 2, 3}));
  EXPECT_EQ(Filter(Text("prefilter_flag", "equal", "duplicate")), (V{2}));
  EXPECT_EQ(Filter(Text("prefilter_flag", "not_equal", "duplicate")), (V{0, 1, 3}));
  EXPECT_EQ(Filter(Empty("prefilter_flag", true)), (V{0, 1, 3}));
  EXPECT_EQ(Filter(Text("status", "equal", "unlabeled")), (V{0, 1, 2, 3}));
  EXPECT_EQ(Filter(Text("status", "equal", "labeled")), (V{}));
}

TEST_P(DataManagerTest, ConjunctionsAndIdSets) {
  TaskQuery q;
  q.filters = {Num("id", "equal", static_cast<double>(ids_[0])),
               Num("id", "equal", static_cast<double>(ids_[3]))};
  EXPECT_EQ(Run(q), (V{}));
  q.filters_any = true;
  EXPECT_EQ(Run(q), (V{0, 3}));
  TaskFilter in = F("id", "id_in");
  in.ids = {ids_[1], ids_[2], 999999};
  EXPECT_EQ(Filter(in), (V{1, 2}));
  in.op = "id_not_in";
  EXPECT_EQ(Filter(in), (V{0, 3}));
  in.ids.clear();
  EXPECT_EQ(Filter(in), (V{0, 1, 2, 3}));
  TaskQuery only;
  only.only_ids = std::vector<Id>{ids_[3], ids_[0]};
  EXPECT_EQ(Run(only), (V{0, 3}));
  // Exports honour only_ids.
  std::vector<Id> exported;
  only.project_id = project_;
  ASSERT_OK(store_->ForEachTaskBundle(only, [&](const TaskBundle& b) {
    exported.push_back(b.task.id);
    return Status::Ok();
  }));
  EXPECT_EQ(exported, (std::vector<Id>{ids_[0], ids_[3]}));
}

TEST_P(DataManagerTest, FullTextSearch) {
  EXPECT_EQ(Search("apple"), (V{0, 1}));
  EXPECT_EQ(Search("APP"), (V{0, 1}));  // the last word is a prefix
  EXPECT_EQ(Search("red pie"), (V{0}));  // words ANDed
  EXPECT_EQ(Search("pie red"), (V{0}));
  EXPECT_EQ(Search("red ap"), (V{0}));   // only the last word is a prefix...
  EXPECT_EQ(Search("ap pie"), (V{}));    // ...earlier ones are whole words
  EXPECT_EQ(Search("web"), (V{0}));      // nested string values
  EXPECT_EQ(Search("source"), (V{}));    // keys are not text
  EXPECT_EQ(Search("\"'*:&|!()"), (V{0, 1, 2, 3}));  // no words: no condition
  // Kept in step with updates and deletes.
  Task sky = *store_->GetTask(ids_[2]);
  sky.data = R"({"text":"blue ocean"})";
  ASSERT_OK(store_->UpdateTask(sky));
  EXPECT_EQ(Search("sky"), (V{}));
  EXPECT_EQ(Search("ocean"), (V{2}));
  ASSERT_OK(store_->DeleteTask(ids_[0]));
  EXPECT_EQ(Search("apple"), (V{1}));
  std::vector<Id> added;
  NewTask fresh;
  fresh.data = R"({"text":"apple crumble"})";
  ASSERT_OK(store_->InsertTasks(project_, 0, std::span<const NewTask>(&fresh, 1), &added));
  TaskQuery q;
  q.project_id = project_;
  q.search = "crumb";
  auto found = store_->ListTaskIds(q);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, added);
  // Tasks added, changed and deleted between searches (not yet indexed on
  // SQLite, which indexes before the next search) are found, or not, as they
  // are when the search runs.
  std::vector<NewTask> later(3);
  later[0].data = R"({"text":"quince jelly"})";
  later[1].data = R"({"text":"quince tart"})";
  later[2].data = R"({"text":"quince paste"})";
  std::vector<Id> later_ids;
  ASSERT_OK(store_->InsertTasks(project_, 0, later, &later_ids));
  ASSERT_OK(store_->DeleteTask(later_ids[0]));
  Task tart = *store_->GetTask(later_ids[1]);
  tart.data = R"({"text":"plum tart"})";
  ASSERT_OK(store_->UpdateTask(tart));
  q.search = "quince";
  found = store_->ListTaskIds(q);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, (std::vector<Id>{later_ids[2]}));
  q.search = "plum";
  EXPECT_EQ(*store_->ListTaskIds(q), (std::vector<Id>{later_ids[1]}));
  ASSERT_OK(store_->DeleteTask(later_ids[1]));  // indexed now: the trigger removes it
  EXPECT_EQ(*store_->CountTasks(q), 0);
  // Search combines with filters.
  q.search = "apple";
  q.filters = {Num("data.score", "greater", 1)};
  found = store_->ListTaskIds(q);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, (std::vector<Id>{ids_[1]}));
}

TEST_P(DataManagerTest, Ordering) {
  // Numbers by value, then other values; missing last either way.
  EXPECT_EQ(Order("data.score"), (V{3, 0, 1, 2}));
  EXPECT_EQ(Order("-data.score"), (V{1, 0, 3, 2}));
  EXPECT_EQ(Order("data.meta.source"), (V{1, 0, 2, 3}));
  EXPECT_EQ(Order("-completed_at"), (V{1, 0, 2, 3}));
  EXPECT_EQ(Order("predictions_score"), (V{2, 0, 1, 3}));
  EXPECT_EQ(Order("-id"), (V{3, 2, 1, 0}));
  EXPECT_EQ(Order("-ground_truth"), (V{1, 0, 2, 3}));
  TaskQuery paged;
  paged.project_id = project_;
  paged.order = "-data.score";
  paged.limit = 2;
  paged.offset = 1;
  auto page = store_->ListTaskIds(paged);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(*page, (std::vector<Id>{ids_[0], ids_[3]}));
  TaskQuery bad;
  bad.project_id = project_;
  bad.order = "annotators";
  EXPECT_EQ(store_->ListTasks(bad).status().code(), Code::kInvalidArgument);
}

TEST_P(DataManagerTest, ComputedColumns) {
  auto columns = store_->ListTaskColumns(std::vector<Id>{ids_[1], 999999, ids_[0], ids_[2]});
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  ASSERT_EQ(columns->size(), 3u);
  const TaskColumns& t1 = (*columns)[0];
  EXPECT_EQ(t1.task_id, ids_[1]);
  EXPECT_EQ(t1.annotators, (std::vector<Id>{std::min(ann_, bob_), std::max(ann_, bob_)}));
  EXPECT_EQ(t1.completed_at, std::optional<TimeMs>(2000));
  EXPECT_TRUE(t1.ground_truth);
  EXPECT_FALSE(t1.predictions_score.has_value());
  const TaskColumns& t0 = (*columns)[1];
  EXPECT_EQ(t0.guideline_versions, (std::vector<int>{1}));
  EXPECT_EQ(t0.predictions_score, std::optional<double>(0.9));
  EXPECT_FALSE(t0.ground_truth);
  EXPECT_TRUE(t0.prefilter_flags.empty());
  const TaskColumns& t2 = (*columns)[2];
  EXPECT_EQ(t2.prefilter_flags, (std::vector<std::string>{"duplicate"}));
  EXPECT_TRUE(t2.annotators.empty());
  EXPECT_FALSE(t2.completed_at.has_value());
}

TEST_P(DataManagerTest, BulkActions) {
  // Ground truth: the newest non-cancelled annotation.
  auto changed = store_->ApplyTaskAction(project_, TaskAction::kMarkGroundTruth,
                                         std::vector<Id>{ids_[0], ids_[2]});
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(*changed, 1);  // task 2 has no annotation
  EXPECT_TRUE((*store_->ListAnnotations(ids_[0]))[0].ground_truth);
  EXPECT_EQ(*store_->ApplyTaskAction(project_, TaskAction::kMarkGroundTruth,
                                     std::vector<Id>{ids_[0]}), 0);
  EXPECT_EQ(*store_->ApplyTaskAction(project_, TaskAction::kUnmarkGroundTruth,
                                     std::vector<Id>{ids_[0], ids_[1]}), 2);
  TaskFilter gt = F("ground_truth", "equal");
  gt.number = 1;
  EXPECT_EQ(Filter(gt), (V{}));

  // Send to review: an accepted annotation goes back to pending.
  Id cat = (*store_->ListAnnotations(ids_[0]))[0].id;
  Review review;
  review.annotation_id = cat;
  review.reviewer_id = bob_;
  review.action = ReviewState::kAccepted;
  ASSERT_OK(store_->ReviewAnnotation(&review, ""));
  EXPECT_EQ(Filter(Num("reviews_accepted", "equal", 1)), (V{0}));
  EXPECT_EQ(*store_->ApplyTaskAction(project_, TaskAction::kSendToReview,
                                     std::vector<Id>{ids_[0]}), 1);
  EXPECT_EQ(store_->GetReviewInfo(cat)->state, ReviewState::kPending);
  EXPECT_EQ(Filter(Num("reviews_accepted", "equal", 1)), (V{}));

  // Requeue: skips and locks go.
  auto locked = store_->NextTask(project_, bob_);
  ASSERT_TRUE(locked.ok()) << locked.status().ToString();
  EXPECT_EQ(store_->ListTaskLocks(project_, NowMs())->size(), 1u);
  EXPECT_EQ(*store_->ApplyTaskAction(project_, TaskAction::kRequeue,
                                     std::vector<Id>{ids_[1], locked->id}), locked->id == ids_[1] ? 1 : 2);
  EXPECT_TRUE(store_->ListTaskLocks(project_, NowMs())->empty());
  EXPECT_EQ(store_->GetTask(ids_[1])->cancelled_annotations, 0);
  EXPECT_EQ(store_->GetTask(ids_[1])->total_annotations, 1);

  // Deletions update the counters; other projects' tasks are left alone.
  Id other = MakeProject(ann_, 1, "other");
  std::vector<Id> foreign = MakeTasks(other, 1);
  EXPECT_EQ(*store_->ApplyTaskAction(project_, TaskAction::kDeletePredictions,
                                     std::vector<Id>{ids_[0], ids_[2]}), 2);
  EXPECT_EQ(store_->GetTask(ids_[0])->total_predictions, 0);
  EXPECT_EQ(*store_->ApplyTaskAction(project_, TaskAction::kDeleteAnnotations,
                                     std::vector<Id>{ids_[0], ids_[1]}), 2);
  EXPECT_EQ(store_->GetTask(ids_[1])->total_annotations, 0);
  EXPECT_TRUE(store_->ListAnnotations(ids_[0])->empty());
  EXPECT_EQ(*store_->ApplyTaskAction(project_, TaskAction::kDeleteTasks,
                                     std::vector<Id>{ids_[3], foreign[0], 999999}), 1);
  EXPECT_EQ(store_->GetTask(ids_[3]).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->GetTask(foreign[0]).ok());
  EXPECT_EQ(Search("stone"), (V{}));
  EXPECT_EQ(store_->ApplyTaskAction(999999, TaskAction::kDeleteTasks, std::vector<Id>{ids_[0]})
                .status().code(), Code::kNotFound);
}

TEST_P(DataManagerTest, SavedViews) {
  DmView first;
  first.project_id = project_;
  first.user_id = ann_;
  first.data = R"({"title":"Tab 1"})";
  ASSERT_OK(store_->CreateDmView(&first));
  EXPECT_GT(first.id, 0);
  EXPECT_EQ(first.order, 1);
  DmView second = first;
  second.id = 0;
  second.order = 0;
  second.data = R"({"title":"Tab 2"})";
  ASSERT_OK(store_->CreateDmView(&second));
  EXPECT_EQ(second.order, 2);
  second.order = -1;  // moved first
  second.data = R"({"title":"Renamed"})";
  ASSERT_OK(store_->UpdateDmView(second));
  auto views = store_->ListDmViews(project_);
  ASSERT_TRUE(views.ok());
  ASSERT_EQ(views->size(), 2u);
  EXPECT_EQ((*views)[0].id, second.id);
  EXPECT_EQ((*views)[0].data, R"({"title":"Renamed"})");
  EXPECT_EQ((*views)[1].user_id, ann_);
  auto got = store_->GetDmView(first.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->data, R"({"title":"Tab 1"})");
  EXPECT_EQ(got->project_id, project_);
  ASSERT_OK(store_->DeleteDmView(first.id));
  EXPECT_EQ(store_->DeleteDmView(first.id).code(), Code::kNotFound);
  EXPECT_EQ(store_->GetDmView(first.id).status().code(), Code::kNotFound);
  EXPECT_EQ(*store_->DeleteDmViews(project_), 1);
  EXPECT_TRUE(store_->ListDmViews(project_)->empty());
  DmView orphan;
  orphan.project_id = 999999;
  EXPECT_EQ(store_->CreateDmView(&orphan).code(), Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(
    Stores, DataManagerTest,
    ::testing::Values(StoreFactory{"SqliteFile",
                                   [](const std::filesystem::path& dir) {
                                     SqliteOptions o;
                                     o.path = (dir / "t.db").string();
                                     o.full_sync = false;
                                     return OpenSqliteStore(o);
                                   },
                                   true, true, nullptr},
                      StoreFactory{"SqliteMemory",
                                   [](const std::filesystem::path&) {
                                     SqliteOptions o;
                                     o.path = ":memory:";
                                     return OpenSqliteStore(o);
                                   },
                                   false, false, nullptr},
                      StoreFactory{"Postgres", OpenTestPostgresStore, true, true,
                                   PostgresTestsUnavailable}),
    [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

}  // namespace
}  // namespace tessera::testing
