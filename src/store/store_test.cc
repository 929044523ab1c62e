// Store contract tests, part 1: users, tokens, sessions, projects,
// membership, durability, migrations. Run against every factory below.
#include "src/store/postgres/pg_test_cluster.h"
#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

Result<std::unique_ptr<Store>> OpenSqliteFile(const std::filesystem::path& dir) {
  SqliteOptions options;
  options.path = (dir / "tessera.db").string();
  options.readers = 2;
  options.full_sync = false;
  return OpenSqliteStore(options);
}

Result<std::unique_ptr<Store>> OpenSqliteMemory(const std::filesystem::path&) {
  SqliteOptions options;
  options.path = ":memory:";
  return OpenSqliteStore(options);
}

INSTANTIATE_TEST_SUITE_P(
    Stores, StoreTest,
    ::testing::Values(StoreFactory{"SqliteFile", OpenSqliteFile, true, true, nullptr},
                      StoreFactory{"SqliteMemory", OpenSqliteMemory, false, false, nullptr},
                      StoreFactory{"Postgres", OpenTestPostgresStore, true, true,
                                   PostgresTestsUnavailable}),
    [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

// ---- users ----

TEST_P(StoreTest, CreateUserLowerCasesEmailAndRejectsDuplicates) {
  User user;
  user.email = "Ann@Example.COM";
  user.username = "ann";
  ASSERT_OK(store_->CreateUser(&user));
  EXPECT_GT(user.id, 0);
  EXPECT_EQ(user.email, "ann@example.com");

  auto by_email = store_->GetUserByEmail("ANN@example.com");
  ASSERT_TRUE(by_email.ok()) << by_email.status().ToString();
  EXPECT_EQ(by_email->id, user.id);
  EXPECT_EQ(by_email->username, "ann");

  User dup;
  dup.email = "ann@EXAMPLE.com";
  Status status = store_->CreateUser(&dup);
  EXPECT_EQ(status.code(), Code::kAlreadyExists);
  EXPECT_NE(status.message().find("ann@example.com"), std::string::npos) << status.message();
}

TEST_P(StoreTest, GetUpdateListUsers) {
  Id ann = MakeUser("ann@x.org");
  Id bob = MakeUser("bob@x.org", /*admin=*/true);
  auto got = store_->GetUser(bob);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->is_admin);
  EXPECT_TRUE(got->is_active);

  User changed = *got;
  changed.first_name = "Bob";
  changed.is_active = false;
  ASSERT_OK(store_->UpdateUser(changed));
  EXPECT_EQ(store_->GetUser(bob)->first_name, "Bob");
  EXPECT_FALSE(store_->GetUser(bob)->is_active);

  changed.email = "ANN@x.org";
  EXPECT_EQ(store_->UpdateUser(changed).code(), Code::kAlreadyExists);

  ASSERT_OK(store_->TouchUser(ann, 12345));
  EXPECT_EQ(store_->GetUser(ann)->last_activity, 12345);

  auto users = store_->ListUsers();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].id, ann);

  auto missing = store_->GetUser(999);
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "user 999 not found");
  EXPECT_EQ(store_->TouchUser(999, 1).code(), Code::kNotFound);
}

TEST_P(StoreTest, ApiTokensCanBeShownAgainAndLookedUp) {
  Id ann = MakeUser("ann@x.org");
  Id bob = MakeUser("bob@x.org");
  EXPECT_EQ(store_->GetApiToken(ann).status().code(), Code::kNotFound);
  ASSERT_OK(store_->SetApiToken(ann, "token-one"));
  EXPECT_EQ(*store_->GetApiToken(ann), "token-one");
  auto found = store_->FindUserByApiToken("token-one");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, ann);

  // Replacing the token invalidates the old one.
  ASSERT_OK(store_->SetApiToken(ann, "token-two"));
  EXPECT_EQ(store_->FindUserByApiToken("token-one").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->FindUserByApiToken("token-two")->id, ann);

  EXPECT_EQ(store_->SetApiToken(bob, "token-two").code(), Code::kAlreadyExists);
  EXPECT_EQ(store_->SetApiToken(999, "x").code(), Code::kNotFound);
  EXPECT_EQ(store_->FindUserByApiToken("").status().code(), Code::kNotFound);
}

TEST_P(StoreTest, Sessions) {
  Id ann = MakeUser("ann@x.org");
  Session session{Sha256Hex("cookie"), ann, "csrf", 100, 1000};
  ASSERT_OK(store_->CreateSession(session));
  EXPECT_EQ(store_->CreateSession(session).code(), Code::kAlreadyExists);
  auto got = store_->GetSession(session.token_hash);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->user_id, ann);
  EXPECT_EQ(got->csrf_token, "csrf");
  EXPECT_EQ(got->expires_at, 1000);

  Session other{Sha256Hex("other"), ann, "c2", 100, 5000};
  ASSERT_OK(store_->CreateSession(other));
  ASSERT_OK(store_->DeleteExpiredSessions(2000));
  EXPECT_EQ(store_->GetSession(session.token_hash).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->GetSession(other.token_hash).ok());
  ASSERT_OK(store_->DeleteSession(other.token_hash));
  EXPECT_EQ(store_->GetSession(other.token_hash).status().code(), Code::kNotFound);

  Session orphan{Sha256Hex("orphan"), 999, "c", 1, 2};
  EXPECT_EQ(store_->CreateSession(orphan).code(), Code::kNotFound);
}

// ---- projects and membership ----

TEST_P(StoreTest, ProjectCrudRoundTripsEveryField) {
  Id ann = MakeUser("ann@x.org");
  Project project;
  project.title = "Sentiment";
  project.description = "d";
  project.label_config = "<View/>";
  project.expert_instruction = "<b>be kind</b>";
  project.show_instruction = true;
  project.show_skip_button = false;
  project.enable_empty_annotation = false;
  project.show_annotation_history = true;
  project.show_collab_predictions = false;
  project.is_published = true;
  project.is_draft = true;
  project.maximum_annotations = 3;
  project.sampling = "Uniform sampling";
  project.color = "#FF0000";
  project.model_version = "v1";
  project.settings = "{\"a\":1}";
  project.created_by = ann;
  ASSERT_OK(store_->CreateProject(&project));
  ASSERT_GT(project.id, 0);

  auto got = store_->GetProject(project.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->title, "Sentiment");
  EXPECT_EQ(got->description, "d");
  EXPECT_EQ(got->label_config, "<View/>");
  EXPECT_EQ(got->expert_instruction, "<b>be kind</b>");
  EXPECT_TRUE(got->show_instruction);
  EXPECT_FALSE(got->show_skip_button);
  EXPECT_FALSE(got->enable_empty_annotation);
  EXPECT_TRUE(got->show_annotation_history);
  EXPECT_FALSE(got->show_collab_predictions);
  EXPECT_TRUE(got->is_published);
  EXPECT_TRUE(got->is_draft);
  EXPECT_EQ(got->maximum_annotations, 3);
  EXPECT_EQ(got->sampling, "Uniform sampling");
  EXPECT_EQ(got->color, "#FF0000");
  EXPECT_EQ(got->model_version, "v1");
  EXPECT_EQ(got->settings, "{\"a\":1}");
  EXPECT_EQ(got->created_by, ann);
  EXPECT_GT(got->created_at, 0);

  EXPECT_EQ(*store_->GetRole(project.id, ann), Role::kOwner);

  Project changed = *got;
  changed.title = "Renamed";
  ASSERT_OK(store_->UpdateProject(changed));
  EXPECT_EQ(store_->GetProject(project.id)->title, "Renamed");

  changed.maximum_annotations = 0;
  EXPECT_EQ(store_->UpdateProject(changed).code(), Code::kInvalidArgument);
  changed.id = 999;
  changed.maximum_annotations = 1;
  EXPECT_EQ(store_->UpdateProject(changed).code(), Code::kNotFound);

  ASSERT_OK(store_->DeleteProject(project.id));
  EXPECT_EQ(store_->GetProject(project.id).status().message(),
            "project " + std::to_string(project.id) + " not found");
  EXPECT_EQ(store_->DeleteProject(project.id).code(), Code::kNotFound);
}

TEST_P(StoreTest, ListProjectsHonoursMembershipNewestFirst) {
  Id admin = MakeUser("admin@x.org", /*admin=*/true);
  Id ann = MakeUser("ann@x.org");
  Id bob = MakeUser("bob@x.org");
  Id p1 = MakeProject(ann, 1, "one");
  Id p2 = MakeProject(bob, 1, "two");
  Id p3 = MakeProject(ann, 1, "three");
  ASSERT_OK(store_->SetMember(p2, ann, Role::kAnnotator));

  auto as_admin = store_->ListProjects(admin, true);
  ASSERT_TRUE(as_admin.ok());
  ASSERT_EQ(as_admin->size(), 3u);
  EXPECT_EQ((*as_admin)[0].id, p3);
  EXPECT_EQ((*as_admin)[2].id, p1);

  auto as_ann = store_->ListProjects(ann, false);
  ASSERT_EQ(as_ann->size(), 3u);
  auto as_bob = store_->ListProjects(bob, false);
  ASSERT_EQ(as_bob->size(), 1u);
  EXPECT_EQ((*as_bob)[0].id, p2);
  EXPECT_TRUE(store_->ListProjects(admin, false)->empty());

  ASSERT_OK(store_->RemoveMember(p2, ann));
  EXPECT_EQ(store_->ListProjects(ann, false)->size(), 2u);
  EXPECT_EQ(store_->RemoveMember(p2, ann).code(), Code::kNotFound);
}

TEST_P(StoreTest, Membership) {
  Id ann = MakeUser("ann@x.org");
  Id bob = MakeUser("bob@x.org");
  Id project = MakeProject(ann);
  EXPECT_FALSE(store_->GetRole(project, bob)->has_value());
  ASSERT_OK(store_->SetMember(project, bob, Role::kReviewer));
  EXPECT_EQ(*store_->GetRole(project, bob), Role::kReviewer);
  ASSERT_OK(store_->SetMember(project, bob, Role::kManager));  // replaces
  auto members = store_->ListMembers(project);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].user_id, ann);
  EXPECT_EQ((*members)[0].role, Role::kOwner);
  EXPECT_EQ((*members)[1].role, Role::kManager);

  EXPECT_EQ(store_->SetMember(project, 999, Role::kAnnotator).code(), Code::kNotFound);
  EXPECT_EQ(store_->SetMember(999, bob, Role::kAnnotator).code(), Code::kNotFound);
  EXPECT_EQ(store_->ListMembers(999).status().code(), Code::kNotFound);
}

// ---- durability ----

TEST_P(StoreTest, DataSurvivesReopen) {
  if (!persistent()) GTEST_SKIP() << "in-memory store";
  Id ann = MakeUser("ann@x.org");
  Id project = MakeProject(ann, 2, "durable");
  auto ids = MakeTasks(project, 3);
  Annotation a = Annotate(ids[1], ann);
  ASSERT_OK(store_->SetApiToken(ann, "tok"));
  Reopen();
  EXPECT_EQ(store_->GetProject(project)->title, "durable");
  EXPECT_EQ(store_->FindUserByApiToken("tok")->id, ann);
  auto task = store_->GetTask(ids[1]);
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(task->total_annotations, 1);
  EXPECT_EQ(task->inner_id, 2);
  EXPECT_EQ(store_->GetAnnotation(a.id)->result, a.result);
  // Inner ids continue after a reopen.
  auto more = MakeTasks(project, 1);
  EXPECT_EQ(store_->GetTask(more[0])->inner_id, 4);
}

}  // namespace
}  // namespace tessera::testing
