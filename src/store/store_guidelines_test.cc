// Store contract tests for guidelines (migration 6): versions, examples,
// acknowledgements and the annotation's guideline_version. Part of the
// parameterized StoreTest suite, so they run on every Store implementation.
#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

GuidelineVersion Draft(Id project_id, const std::string& text, const std::string& note,
                       Id author) {
  GuidelineVersion g;
  g.project_id = project_id;
  g.text = text;
  g.note = note;
  g.author_id = author;
  return g;
}

TEST_P(StoreTest, GuidelineVersionsAreNumberedPerProjectAndListedNewestFirst) {
  Id owner = MakeUser("owner@example.com");
  Id p1 = MakeProject(owner);
  Id p2 = MakeProject(owner);
  GuidelineVersion a = Draft(p1, "# Cats\nBox every cat.", "first", owner);
  a.examples = R"([{"task":1,"kind":"correct","caption":"a cat"}])";
  ASSERT_OK(store_->PublishGuideline(&a));
  EXPECT_EQ(a.version, 1);
  EXPECT_GT(a.created_at, 0);
  GuidelineVersion b = Draft(p1, "# Cats\nBox every cat, tails too.", "tails", owner);
  ASSERT_OK(store_->PublishGuideline(&b));
  EXPECT_EQ(b.version, 2);
  GuidelineVersion other = Draft(p2, "<script>x</script>", "", owner);
  ASSERT_OK(store_->PublishGuideline(&other));
  EXPECT_EQ(other.version, 1);  // numbering is per project

  auto list = store_->ListGuidelines(p1);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].version, 2);
  EXPECT_EQ((*list)[0].note, "tails");
  EXPECT_EQ((*list)[1].version, 1);
  EXPECT_EQ((*list)[1].text, "# Cats\nBox every cat.");
  EXPECT_EQ((*list)[1].examples, R"([{"task":1,"kind":"correct","caption":"a cat"}])");
  EXPECT_EQ((*list)[1].author_id, owner);

  auto got = store_->GetGuideline(p2, 1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->text, "<script>x</script>");  // stored as given
  EXPECT_EQ(got->examples, "[]");
  EXPECT_EQ(store_->GetGuideline(p2, 2).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->ListGuidelines(p2 + 100).status().code(), Code::kNotFound);
  GuidelineVersion orphan = Draft(p2 + 100, "x", "", owner);
  EXPECT_EQ(store_->PublishGuideline(&orphan).code(), Code::kNotFound);

  if (persistent()) {
    Reopen();
    auto again = store_->GetGuideline(p1, 2);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->text, "# Cats\nBox every cat, tails too.");
  }
}

TEST_P(StoreTest, GuidelineAcknowledgementsAndStatus) {
  Id owner = MakeUser("owner@example.com");
  Id annotator = MakeUser("ann@example.com");
  Id project = MakeProject(owner);
  auto status = store_->GetGuidelineStatus(project, annotator);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->latest, 0);
  EXPECT_EQ(status->acknowledged, 0);
  EXPECT_EQ(store_->AcknowledgeGuideline(project, annotator, 1, 1000).code(),
            Code::kNotFound);

  GuidelineVersion v1 = Draft(project, "v1", "", owner);
  ASSERT_OK(store_->PublishGuideline(&v1));
  status = store_->GetGuidelineStatus(project, annotator);
  EXPECT_EQ(status->latest, 1);
  EXPECT_EQ(status->acknowledged, 0);
  ASSERT_OK(store_->AcknowledgeGuideline(project, annotator, 1, 1000));
  ASSERT_OK(store_->AcknowledgeGuideline(project, annotator, 1, 2000));  // idempotent
  status = store_->GetGuidelineStatus(project, annotator);
  EXPECT_EQ(status->acknowledged, 1);

  GuidelineVersion v2 = Draft(project, "v2", "changed", owner);
  ASSERT_OK(store_->PublishGuideline(&v2));
  status = store_->GetGuidelineStatus(project, annotator);
  EXPECT_EQ(status->latest, 2);
  EXPECT_EQ(status->acknowledged, 1);
  EXPECT_EQ(store_->GetGuidelineStatus(project, owner)->acknowledged, 0);  // per user
  EXPECT_EQ(store_->AcknowledgeGuideline(project, annotator + 100, 2, 3000).code(),
            Code::kNotFound);
}

TEST_P(StoreTest, AnnotationsKeepTheirGuidelineVersion) {
  Id owner = MakeUser("owner@example.com");
  Id project = MakeProject(owner);
  std::vector<Id> tasks = MakeTasks(project, 2);
  Annotation a;
  a.task_id = tasks[0];
  a.completed_by = owner;
  a.guideline_version = 3;
  ASSERT_OK(store_->CreateAnnotation(&a));
  auto got = store_->GetAnnotation(a.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->guideline_version, 3);
  Annotation plain = Annotate(tasks[1], owner);
  EXPECT_EQ(store_->GetAnnotation(plain.id)->guideline_version, 0);

  got->guideline_version = 4;
  got->result = R"([{"id":"b"}])";
  ASSERT_OK(store_->UpdateAnnotation(&*got));
  auto listed = store_->ListAnnotations(tasks[0]);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].guideline_version, 4);
  int seen = 0;
  ASSERT_OK(store_->ForEachTaskBundle(ProjectQuery(project), [&](const TaskBundle& bundle) {
    for (const Annotation& ann : bundle.annotations) {
      seen += ann.guideline_version;
    }
    return Status::Ok();
  }));
  EXPECT_EQ(seen, 4);
}

}  // namespace
}  // namespace tessera::testing
