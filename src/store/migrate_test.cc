// MigrateSqliteToPostgres (include/tessera/migrate.h): a SQLite store filled
// through the Store API is moved to a fresh schema of the throw-away
// PostgreSQL cluster, then read back through the PostgreSQL store and
// compared field by field; then the designed behaviour on targets that are not
// empty: moving projects one run at a time, users matched by email under other
// ids, a clash that must leave the target untouched, a dry run.
#include <sodium.h>
#include <sqlite3.h>

#include <gmock/gmock.h>

#include "src/store/postgres/pg_test_cluster.h"
#include "src/store/store_test_util.h"
#include "tessera/migrate.h"

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;

std::string Hash(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  EXPECT_EQ(crypto_pwhash_str(out, password.c_str(), password.size(), crypto_pwhash_OPSLIMIT_MIN,
                              crypto_pwhash_MEMLIMIT_MIN),
            0);
  return out;
}

bool Verifies(const std::string& hash, const std::string& password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.c_str(), password.size()) == 0;
}

// Every field a reader sees, as text, so whole lists compare in one EXPECT_EQ.
std::string Str(const Annotation& a) {
  return std::to_string(a.id) + "|" + std::to_string(a.task_id) + "|" + std::to_string(a.completed_by) + "|" +
         a.result + "|" + std::to_string(a.was_cancelled) + std::to_string(a.ground_truth) + "|" +
         std::to_string(a.lead_time) + "|v" + std::to_string(a.version) + "|" + std::to_string(a.updated_by) +
         "|" + a.last_action + "|" + std::to_string(a.import_id) + "|" + std::to_string(a.created_at) + "|" +
         std::to_string(a.updated_at) + "|g" + std::to_string(a.guideline_version);
}
std::string Str(const TaskBundle& b) {
  const Task& t = b.task;
  std::string out = std::to_string(t.id) + "|" + std::to_string(t.project_id) + "|" + t.data + "|" + t.meta +
                    "|" + std::to_string(t.is_labeled) + "|" + std::to_string(t.inner_id) + "|" +
                    std::to_string(t.total_annotations) + "/" + std::to_string(t.cancelled_annotations) + "/" +
                    std::to_string(t.total_predictions) + "|" + std::to_string(t.import_id) + "|" +
                    std::to_string(t.created_at) + "\n";
  for (const Annotation& a : b.annotations) out += "  A " + Str(a) + "\n";
  for (const Prediction& p : b.predictions) {
    out += "  P " + std::to_string(p.id) + "|" + p.result + "|" + (p.score ? std::to_string(*p.score) : "-") +
           "|" + p.model_version + "\n";
  }
  return out;
}
std::string Str(const AnnotationVersion& v) {
  return std::to_string(v.version) + "|" + v.result + "|" + std::to_string(v.updated_by) + "|" + v.action + "|" +
         std::to_string(v.was_cancelled) + std::to_string(v.ground_truth) + "|" + std::to_string(v.created_at);
}
std::string Str(const Review& r) {
  return std::to_string(r.id) + "|" + std::to_string(r.reviewer_id) + "|" + ReviewStateName(r.action) + "|" +
         r.comment + "|v" + std::to_string(r.version);
}
std::string Str(const Webhook& w) {
  std::string actions;
  for (const std::string& action : w.actions) actions += action + ",";
  return std::to_string(w.id) + "|" + std::to_string(w.project_id) + "|" + w.url + "|" + actions + "|" +
         w.headers + "|" + w.secret + "|" + std::to_string(w.created_by) + "|" + std::to_string(w.is_active);
}
std::string Str(const AuditEntry& e) {
  return std::to_string(e.id) + "|" + std::to_string(e.user_id) + "|" + e.action + "|" + e.object_type + "|" +
         std::to_string(e.object_id) + "|" + e.detail;
}

template <typename T>
std::vector<std::string> Strs(const std::vector<T>& items) {
  std::vector<std::string> out;
  for (const T& item : items) out.push_back(Str(item));
  return out;
}

std::vector<std::string> Bundles(Store& store, Id project_id) {
  std::vector<std::string> out;
  Status status = store.ForEachTaskBundle(ProjectQuery(project_id), [&](const TaskBundle& bundle) {
    out.push_back(Str(bundle));
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

const MigrateTableReport* Table(const MigrateReport& report, const std::string& name) {
  for (const MigrateTableReport& table : report.tables) {
    if (table.table == name) return &table;
  }
  return nullptr;
}

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = PostgresTestsUnavailable();
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_GE(sodium_init(), 0);
    dir_ = fs::temp_directory_path() / ("tessera_migrate_test_" + RandomHex(6));
    fs::create_directories(dir_);
    SqliteOptions options;
    options.path = (dir_ / "tessera.db").string();
    auto opened = OpenSqliteStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    source_ = std::move(opened).value();
  }
  void TearDown() override {
    source_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // A fresh, empty schema of the test cluster.
  std::string NewTarget() {
    auto cluster = PgTestCluster::Get(TESSERA_PG_TEST_DIR);
    EXPECT_TRUE(cluster.ok()) << cluster.status().ToString();
    auto url = (*cluster)->SchemaUrl("mig_" + RandomHex(6));
    EXPECT_TRUE(url.ok()) << url.status().ToString();
    return *url;
  }
  std::unique_ptr<Store> Open(const std::string& url) {
    PostgresOptions options;
    options.url = url;
    options.connections = 2;
    auto store = OpenPostgresStore(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  Result<MigrateReport> Migrate(const std::string& url, std::vector<Id> projects = {}, bool dry_run = false) {
    MigrateOptions options;
    options.sqlite_path = (dir_ / "tessera.db").string();
    options.postgres_url = url;
    options.project_ids = std::move(projects);
    options.dry_run = dry_run;
    return MigrateSqliteToPostgres(options);
  }

  Id AddUser(const std::string& email, const std::string& password, bool admin = false) {
    User user;
    user.email = email;
    user.username = email.substr(0, email.find('@'));
    user.first_name = "First " + user.username;
    user.password_hash = Hash(password);
    user.is_admin = admin;
    EXPECT_OK(source_->CreateUser(&user));
    EXPECT_OK(source_->SetApiToken(user.id, "token-of-" + user.username));
    return user.id;
  }

  // Two projects with every kind of row the issue lists.
  void Seed() {
    Store& s = *source_;
    owner_ = AddUser("owner@x.org", "owner-password", true);
    annotator_ = AddUser("annotator@x.org", "annotator-password");
    reviewer_ = AddUser("reviewer@x.org", "reviewer-password");
    outsider_ = AddUser("outsider@x.org", "outsider-password");

    Project p;
    p.title = "Birds";
    p.description = "Which bird";
    p.label_config = "<View><Text name=\"t\" value=\"$text\"/></View>";
    p.expert_instruction = "Look closely";
    p.maximum_annotations = 2;
    p.settings = R"({"reveal_preannotations_interactively":true})";
    p.created_by = owner_;
    ASSERT_OK(s.CreateProject(&p));
    p.is_published = true;
    p.color = "#AA0000";
    ASSERT_OK(s.UpdateProject(p));
    p1_ = p.id;
    ASSERT_OK(s.SetMember(p1_, annotator_, Role::kAnnotator));
    ASSERT_OK(s.SetMember(p1_, reviewer_, Role::kReviewer));
    WorkflowSettings workflow;
    workflow.lock_timeout_ms = 120000;
    workflow.skip_queue = SkipQueue::kIgnoreSkipped;
    workflow.honeypot_rate = 0.25;
    workflow.blind = false;
    ASSERT_OK(s.SetWorkflowSettings(p1_, workflow));
    ASSERT_OK(s.SetPrefilterSettings(p1_, R"({"duplicates":{"enabled":true}})"));

    Webhook hook;
    hook.project_id = p1_;
    hook.url = "https://hooks.example/p1";
    hook.send_for_all_actions = false;
    hook.actions = {"ANNOTATION_CREATED"};
    hook.headers = R"({"X-Team":"birds"})";
    hook.secret = "s3cret";
    hook.created_by = owner_;
    ASSERT_OK(s.CreateWebhook(&hook));
    hook_ = hook.id;
    Webhook site;
    site.url = "https://hooks.example/all";
    site.secret = "site-secret";
    site.created_by = owner_;
    ASSERT_OK(s.CreateWebhook(&site));
    WebhookDelivery delivery;
    delivery.webhook_id = hook_;
    delivery.action = "ANNOTATION_CREATED";
    delivery.payload = R"({"action":"ANNOTATION_CREATED"})";
    ASSERT_OK(s.EnqueueWebhookDeliveries(std::span<WebhookDelivery>(&delivery, 1)));

    // An import with a nested annotation and prediction, then loose tasks.
    auto import = s.BeginImport(p1_, owner_, "birds.json");
    ASSERT_TRUE(import.ok()) << import.status().ToString();
    std::vector<NewTask> tasks(3);
    for (size_t idx = 0; idx < tasks.size(); ++idx) {
      tasks[idx].data = R"({"text":"bird )" + std::to_string(idx) + R"("})";
      tasks[idx].meta = R"({"source":"field"})";
    }
    Annotation imported;
    imported.completed_by = annotator_;
    imported.result = R"([{"id":"imp","type":"choices"}])";
    imported.last_action = "imported";
    tasks[0].annotations.push_back(imported);
    Prediction predicted;
    predicted.result = R"([{"id":"pred"}])";
    predicted.score = 0.5;
    predicted.model_version = "m1";
    tasks[0].predictions.push_back(predicted);
    std::vector<Id> ids;
    ASSERT_OK(s.InsertTasks(p1_, *import, tasks, &ids));
    ASSERT_OK(s.FinishImport(*import, 3, 1, 1));
    import_ = *import;
    std::vector<NewTask> loose(2);
    for (NewTask& task : loose) task.data = R"({"text":"loose"})";
    ASSERT_OK(s.InsertTasks(p1_, 0, loose, &ids));
    tasks_ = ids;

    // An annotation with three versions, reviewed twice.
    Annotation a;
    a.task_id = tasks_[1];
    a.completed_by = annotator_;
    a.result = R"([{"id":"r1","value":{"choices":["Crow"]}}])";
    a.lead_time = 4.5;
    a.last_action = "submitted";
    ASSERT_OK(s.CreateAnnotation(&a));
    a.result = R"([{"id":"r1","value":{"choices":["Raven"]}}])";
    a.updated_by = annotator_;
    a.last_action = "updated";
    ASSERT_OK(s.UpdateAnnotation(&a));
    annotation_ = a.id;
    Review rejected;
    rejected.annotation_id = a.id;
    rejected.reviewer_id = reviewer_;
    rejected.action = ReviewState::kRejected;
    rejected.comment = "look again";
    ASSERT_OK(s.ReviewAnnotation(&rejected, ""));
    Review fixed;
    fixed.annotation_id = a.id;
    fixed.reviewer_id = reviewer_;
    fixed.action = ReviewState::kFixed;
    ASSERT_OK(s.ReviewAnnotation(&fixed, R"([{"id":"r1","value":{"choices":["Rook"]}}])"));
    auto versions = s.ListAnnotationVersions(a.id);
    ASSERT_TRUE(versions.ok());
    ASSERT_EQ(versions->size(), 2u);  // versions 1 and 2 kept; 3 is current

    // A skip, a ground truth, a draft, a prediction, an assignment.
    Annotation skip;
    skip.task_id = tasks_[2];
    skip.completed_by = annotator_;
    skip.was_cancelled = true;
    ASSERT_OK(s.CreateAnnotation(&skip));
    Annotation truth;
    truth.task_id = tasks_[2];
    truth.completed_by = owner_;
    truth.ground_truth = true;
    truth.result = R"([{"id":"gt"}])";
    ASSERT_OK(s.CreateAnnotation(&truth));
    Draft draft;
    draft.task_id = tasks_[3];
    draft.user_id = annotator_;
    draft.result = R"([{"id":"draft"}])";
    draft.lead_time = 2;
    ASSERT_OK(s.SaveDraft(&draft));
    Prediction prediction;
    prediction.task_id = tasks_[3];
    prediction.result = R"([{"id":"p2"}])";
    prediction.score = 0.75;
    prediction.model_version = "m2";
    ASSERT_OK(s.CreatePrediction(&prediction));
    const Id assigned[] = {tasks_[4]};
    const Id assignees[] = {annotator_};
    ASSERT_TRUE(s.AssignTasks(p1_, assigned, assignees, AssignmentKind::kAnnotate, owner_).ok());

    // Guidelines, an acknowledgement, pre-filter hashes and flags, audit.
    for (int version = 1; version <= 2; ++version) {
      GuidelineVersion g;
      g.project_id = p1_;
      g.text = "# Birds v" + std::to_string(version);
      g.note = "v" + std::to_string(version);
      g.author_id = owner_;
      g.examples = R"([{"task":)" + std::to_string(tasks_[1]) + R"(,"kind":"correct","caption":"a raven"}])";
      ASSERT_OK(s.PublishGuideline(&g));
    }
    ASSERT_OK(s.AcknowledgeGuideline(p1_, annotator_, 1, NowMs()));
    TaskHash hash{tasks_[0], "content", 0xFEDCBA9876543210ULL};
    TaskFlag flag{tasks_[4], "duplicate", "duplicate of task " + std::to_string(tasks_[0]), NowMs()};
    ASSERT_OK(s.RecordPrefilter(p1_, std::span<const TaskHash>(&hash, 1), std::span<const TaskFlag>(&flag, 1)));
    AuditEntry entry;
    entry.user_id = owner_;
    entry.action = "member.set_role";
    entry.project_id = p1_;
    entry.object_type = "user";
    entry.object_id = annotator_;
    entry.detail = R"({"role":"annotator"})";
    ASSERT_OK(s.RecordAudit(&entry));
    AuditEntry site_entry;
    site_entry.user_id = owner_;
    site_entry.action = "user.create";
    site_entry.object_type = "user";
    site_entry.object_id = outsider_;
    ASSERT_OK(s.RecordAudit(&site_entry));

    // A second project; its last task is deleted, so the source's id
    // sequence is past every task id it still holds.
    Project cats;
    cats.title = "Cats";
    cats.created_by = owner_;
    ASSERT_OK(s.CreateProject(&cats));
    p2_ = cats.id;
    ASSERT_OK(s.SetMember(p2_, outsider_, Role::kAnnotator));
    std::vector<NewTask> cat_tasks(3);
    std::vector<Id> cat_ids;
    ASSERT_OK(s.InsertTasks(p2_, 0, cat_tasks, &cat_ids));
    Annotation cat;
    cat.task_id = cat_ids[0];
    cat.completed_by = outsider_;
    cat.result = R"([{"id":"cat"}])";
    ASSERT_OK(s.CreateAnnotation(&cat));
    ASSERT_OK(s.DeleteTask(cat_ids[2]));
    deleted_task_ = cat_ids[2];

    // Tables without Store methods used here, filled with SQL (later
    // migrations' tables must move too).
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "tessera.db").string().c_str(), &db), SQLITE_OK);
    const std::string sql =
        "INSERT INTO dm_views (project_id, user_id, ord, data, created_at) VALUES (" + std::to_string(p1_) +
        ", " + std::to_string(annotator_) + ", 1, '{\"title\":\"Tab\"}', 1);"
        "INSERT INTO export_jobs (project_id, created_by, format, created_at) VALUES (" +
        std::to_string(p1_) + ", " + std::to_string(owner_) + ", 'JSON', 1);";
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::unique_ptr<Store> source_;
  Id owner_ = 0, annotator_ = 0, reviewer_ = 0, outsider_ = 0;
  Id p1_ = 0, p2_ = 0, hook_ = 0, import_ = 0, annotation_ = 0, deleted_task_ = 0;
  std::vector<Id> tasks_;
};

TEST_F(MigrateTest, EverythingArrivesAndReadsBackTheSame) {
  Seed();
  Session session{"hash-of-cookie", owner_, "csrf", NowMs(), NowMs() + 3600000};
  ASSERT_OK(source_->CreateSession(session));
  const std::string url = NewTarget();
  auto report = Migrate(url);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->committed);
  EXPECT_TRUE(report->users.empty());
  for (const char* name : {"users", "api_tokens", "projects", "memberships", "imports", "tasks", "annotations",
                           "annotation_versions", "predictions", "annotation_drafts", "annotation_reviews",
                           "project_workflow", "task_assignments", "audit_log", "guideline_versions",
                           "guideline_acks", "webhooks", "webhook_deliveries", "prefilter_settings",
                           "task_hashes", "task_flags", "dm_views", "export_jobs"}) {
    const MigrateTableReport* table = Table(*report, name);
    ASSERT_NE(table, nullptr) << name;
    EXPECT_EQ(table->skipped, "") << name;
    EXPECT_GT(table->source_rows, 0) << name;
    EXPECT_EQ(table->copied, table->source_rows) << name;
    EXPECT_EQ(table->target_rows, table->source_rows) << name;
  }
  EXPECT_EQ(Table(*report, "annotation_versions")->copied, 2);
  EXPECT_EQ(Table(*report, "users")->copied, 4);
  for (const char* name : {"sessions", "task_locks", "task_changes", "schema_migrations", "task_search"}) {
    ASSERT_NE(Table(*report, name), nullptr) << name;
    EXPECT_NE(Table(*report, name)->skipped, "") << name;
  }
  EXPECT_THAT(report->Summary(), ::testing::HasSubstr("annotation_versions"));

  auto target = Open(url);
  ASSERT_NE(target, nullptr);
  Store& s = *source_;
  Store& t = *target;
  // Users keep ids, password hashes (the password still verifies) and tokens.
  for (const auto& [email, password] : std::vector<std::pair<std::string, std::string>>{
           {"owner@x.org", "owner-password"}, {"annotator@x.org", "annotator-password"}}) {
    auto before = s.GetUserByEmail(email);
    auto after = t.GetUserByEmail(email);
    ASSERT_TRUE(after.ok()) << email;
    EXPECT_EQ(after->id, before->id);
    EXPECT_EQ(after->first_name, before->first_name);
    EXPECT_EQ(after->is_admin, before->is_admin);
    EXPECT_EQ(after->created_at, before->created_at);
    EXPECT_TRUE(Verifies(after->password_hash, password)) << email;
    EXPECT_FALSE(Verifies(after->password_hash, "wrong-password"));
    auto by_token = t.FindUserByApiToken("token-of-" + before->username);
    ASSERT_TRUE(by_token.ok()) << by_token.status().ToString();
    EXPECT_EQ(by_token->email, email);
  }
  EXPECT_EQ(t.GetSession("hash-of-cookie").status().code(), Code::kNotFound);  // sign in again

  // Projects with their settings, members, workflow, pre-filter, webhooks.
  for (Id project : {p1_, p2_}) {
    auto before = s.GetProject(project);
    auto after = t.GetProject(project);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->title, before->title);
    EXPECT_EQ(after->label_config, before->label_config);
    EXPECT_EQ(after->expert_instruction, before->expert_instruction);
    EXPECT_EQ(after->settings, before->settings);
    EXPECT_EQ(after->maximum_annotations, before->maximum_annotations);
    EXPECT_EQ(after->is_published, before->is_published);
    EXPECT_EQ(after->color, before->color);
    EXPECT_EQ(after->created_by, before->created_by);
    EXPECT_EQ(after->updated_at, before->updated_at);
    EXPECT_EQ(Bundles(t, project), Bundles(s, project));
    auto stats_before = s.GetProjectStats(project);
    auto stats_after = t.GetProjectStats(project);
    EXPECT_EQ(stats_after->total_annotations_number, stats_before->total_annotations_number);
    EXPECT_EQ(stats_after->skipped_annotations_number, stats_before->skipped_annotations_number);
    EXPECT_EQ(stats_after->ground_truth_number, stats_before->ground_truth_number);
    EXPECT_EQ(stats_after->total_predictions_number, stats_before->total_predictions_number);
    auto members_before = s.ListMembers(project);
    auto members_after = t.ListMembers(project);
    ASSERT_EQ(members_after->size(), members_before->size());
    for (size_t idx = 0; idx < members_before->size(); ++idx) {
      EXPECT_EQ((*members_after)[idx].user_id, (*members_before)[idx].user_id);
      EXPECT_EQ((*members_after)[idx].role, (*members_before)[idx].role);
    }
  }
  EXPECT_EQ(Bundles(t, p1_).size(), 5u);
  auto workflow = t.GetWorkflowSettings(p1_);
  EXPECT_EQ(workflow->lock_timeout_ms, 120000);
  EXPECT_EQ(workflow->skip_queue, SkipQueue::kIgnoreSkipped);
  EXPECT_EQ(workflow->honeypot_rate, 0.25);
  EXPECT_FALSE(workflow->blind);
  EXPECT_EQ(*t.GetPrefilterSettings(p1_), *s.GetPrefilterSettings(p1_));
  WebhookQuery hooks;
  hooks.project_id = p1_;
  hooks.include_site_wide = true;
  EXPECT_EQ(Strs(*t.ListWebhooks(hooks)), Strs(*s.ListWebhooks(hooks)));
  EXPECT_EQ(t.ListWebhooks(hooks)->size(), 2u);
  auto deliveries = t.ListWebhookDeliveries(hook_, 10);
  ASSERT_EQ(deliveries->size(), 1u);
  EXPECT_EQ((*deliveries)[0].payload, R"({"action":"ANNOTATION_CREATED"})");
  EXPECT_EQ((*deliveries)[0].status, DeliveryStatus::kPending);

  // History: every version, every review, the review state.
  EXPECT_EQ(Strs(*t.ListAnnotationVersions(annotation_)), Strs(*s.ListAnnotationVersions(annotation_)));
  EXPECT_EQ(t.ListAnnotationVersions(annotation_)->size(), 2u);
  EXPECT_EQ(t.GetAnnotation(annotation_)->version, 3);
  EXPECT_EQ(Strs(*t.ListReviews(annotation_)), Strs(*s.ListReviews(annotation_)));
  EXPECT_EQ(t.GetReviewInfo(annotation_)->state, ReviewState::kFixed);
  // Drafts, assignments, guidelines and acknowledgements, hashes, flags, audit, imports.
  auto drafts = t.ListDrafts(tasks_[3], annotator_);
  ASSERT_EQ(drafts->size(), 1u);
  EXPECT_EQ((*drafts)[0].result, R"([{"id":"draft"}])");
  EXPECT_EQ((*drafts)[0].id, (*s.ListDrafts(tasks_[3], annotator_))[0].id);
  auto assignments = t.ListAssignments(tasks_[4]);
  ASSERT_EQ(assignments->size(), 1u);
  EXPECT_EQ((*assignments)[0].user_id, annotator_);
  EXPECT_EQ((*assignments)[0].assigned_by, owner_);
  auto guidelines = t.ListGuidelines(p1_);
  ASSERT_EQ(guidelines->size(), 2u);
  EXPECT_EQ((*guidelines)[0].text, "# Birds v2");
  EXPECT_EQ((*guidelines)[0].examples, (*s.ListGuidelines(p1_))[0].examples);
  EXPECT_EQ((*guidelines)[0].author_id, owner_);
  EXPECT_EQ(t.GetGuidelineStatus(p1_, annotator_)->acknowledged, 1);
  auto hashes = t.ListTaskHashes(p1_);
  ASSERT_EQ(hashes->size(), 1u);
  EXPECT_EQ((*hashes)[0].value, 0xFEDCBA9876543210ULL);
  auto flags = t.ListTaskFlags(p1_, "", 0, 10);
  ASSERT_EQ(flags->size(), 1u);
  EXPECT_EQ((*flags)[0].detail, "duplicate of task " + std::to_string(tasks_[0]));
  AuditQuery audit;
  EXPECT_EQ(Strs(*t.ListAudit(audit)), Strs(*s.ListAudit(audit)));
  EXPECT_EQ(t.ListAudit(audit)->size(), 2u);
  auto import = t.GetImport(import_);
  EXPECT_EQ(import->source, "birds.json");
  EXPECT_EQ(import->status, "completed");
  EXPECT_EQ(import->task_count, 3);

  // The target goes on from here: new ids come after the source's (even the
  // deleted task's), and `next` serves the annotator.
  std::vector<NewTask> more(1);
  std::vector<Id> new_ids;
  ASSERT_OK(t.InsertTasks(p2_, 0, more, &new_ids));
  EXPECT_GT(new_ids[0], deleted_task_);
  User newcomer;
  newcomer.email = "new@x.org";
  ASSERT_OK(t.CreateUser(&newcomer));
  EXPECT_GT(newcomer.id, outsider_);
  auto next = t.NextTask(p1_, annotator_);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->id, tasks_[4]);  // the assigned task comes first
}

TEST_F(MigrateTest, ProjectsMoveOneRunAtATimeAndARepeatIsRefused) {
  Seed();
  const std::string url = NewTarget();
  auto first = Migrate(url, {p1_});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // Only the users project 1's rows name, not its site-wide neighbours.
  EXPECT_EQ(Table(*first, "users")->copied, 3);
  EXPECT_EQ(Table(*first, "projects")->target_rows, 1);
  EXPECT_EQ(Table(*first, "webhooks")->copied, 1);
  EXPECT_EQ(Table(*first, "audit_log")->copied, 1);
  {
    auto target = Open(url);
    ASSERT_NE(target, nullptr);
    EXPECT_EQ(target->ListProjects(owner_, true)->size(), 1u);
    EXPECT_EQ(target->GetUserByEmail("outsider@x.org").status().code(), Code::kNotFound);
    EXPECT_EQ(Bundles(*target, p1_), Bundles(*source_, p1_));
  }

  auto second = Migrate(url, {p2_});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Table(*second, "users")->copied, 1);   // outsider
  EXPECT_EQ(Table(*second, "users")->matched, 1);  // owner, already there
  EXPECT_EQ(Table(*second, "api_tokens")->matched, 1);
  ASSERT_EQ(second->users.size(), 1u);
  EXPECT_EQ(second->users[0].email, "owner@x.org");
  EXPECT_TRUE(second->users[0].existing);
  EXPECT_EQ(second->users[0].target_id, owner_);
  EXPECT_THAT(second->Summary(), ::testing::HasSubstr("owner@x.org"));

  auto target = Open(url);
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(target->ListProjects(owner_, true)->size(), 2u);
  EXPECT_EQ(Bundles(*target, p2_), Bundles(*source_, p2_));
  const int64_t tasks_before = *target->CountTasks(ProjectQuery(p1_));

  auto again = Migrate(url, {p1_});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_THAT(again.status().message(), ::testing::HasSubstr("project " + std::to_string(p1_)));
  EXPECT_THAT(again.status().message(), ::testing::HasSubstr("Nothing was changed"));
  EXPECT_EQ(*target->CountTasks(ProjectQuery(p1_)), tasks_before);
  EXPECT_EQ(Migrate(url, {999}).status().code(), Code::kNotFound);
}

TEST_F(MigrateTest, UsersMatchByEmailAndTakeNewIdsWhenTheTargetUsesTheirs) {
  Seed();
  const std::string url = NewTarget();
  Id target_other = 0, target_reviewer = 0;
  {
    auto target = Open(url);
    ASSERT_NE(target, nullptr);
    User other;
    other.email = "other@x.org";
    ASSERT_OK(target->CreateUser(&other));
    User reviewer;
    reviewer.email = "reviewer@x.org";
    reviewer.password_hash = Hash("target-password");
    ASSERT_OK(target->CreateUser(&reviewer));
    target_other = other.id;
    target_reviewer = reviewer.id;
  }
  ASSERT_EQ(target_other, owner_);         // the ids the source's owner and
  ASSERT_EQ(target_reviewer, annotator_);  // annotator have are taken

  auto report = Migrate(url);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->users.size(), 3u);  // owner, annotator: new ids; reviewer: matched
  auto target = Open(url);
  ASSERT_NE(target, nullptr);
  const Id owner = target->GetUserByEmail("owner@x.org")->id;
  const Id annotator = target->GetUserByEmail("annotator@x.org")->id;
  EXPECT_NE(owner, owner_);
  EXPECT_NE(annotator, annotator_);
  EXPECT_NE(owner, annotator);
  EXPECT_EQ(target->GetUserByEmail("other@x.org")->id, target_other);
  // The matched reviewer keeps the target's password; the others bring theirs.
  EXPECT_TRUE(Verifies(target->GetUserByEmail("reviewer@x.org")->password_hash, "target-password"));
  EXPECT_TRUE(Verifies(target->GetUserByEmail("annotator@x.org")->password_hash, "annotator-password"));
  EXPECT_EQ(target->FindUserByApiToken("token-of-annotator")->id, annotator);
  EXPECT_FALSE(target->FindUserByApiToken("token-of-reviewer").ok());  // the target's user had none
  // Every reference follows its user.
  auto annotation = target->GetAnnotation(annotation_);
  EXPECT_EQ(annotation->completed_by, annotator);
  auto reviews = target->ListReviews(annotation_);
  ASSERT_EQ(reviews->size(), 2u);
  EXPECT_EQ((*reviews)[0].reviewer_id, target_reviewer);
  EXPECT_EQ(target->GetProject(p1_)->created_by, owner);
  EXPECT_EQ(**target->GetRole(p1_, annotator), Role::kAnnotator);
  EXPECT_EQ(**target->GetRole(p1_, target_reviewer), Role::kReviewer);
  EXPECT_FALSE(target->GetRole(p1_, target_other)->has_value());
  EXPECT_EQ((*target->ListAssignments(tasks_[4]))[0].user_id, annotator);
  EXPECT_EQ((*target->ListAssignments(tasks_[4]))[0].assigned_by, owner);
  EXPECT_EQ(target->GetGuidelineStatus(p1_, annotator)->acknowledged, 1);
  EXPECT_EQ((*target->ListGuidelines(p1_))[0].author_id, owner);
  AuditQuery audit;
  audit.project_id = p1_;
  auto entries = target->ListAudit(audit);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].user_id, owner);
  EXPECT_EQ((*entries)[0].object_id, annotator);  // object_type "user"
  EXPECT_EQ(target->ListDrafts(tasks_[3], annotator)->size(), 1u);
}

TEST_F(MigrateTest, AClashHalfwayLeavesTheTargetUntouched) {
  Seed();
  const std::string url = NewTarget();
  {
    // A site-wide webhook with the id of the source's project webhook: the
    // clash comes after users, projects and tasks were already inserted.
    auto target = Open(url);
    ASSERT_NE(target, nullptr);
    User admin;
    admin.email = "admin@target.org";
    ASSERT_OK(target->CreateUser(&admin));
    Webhook hook;
    hook.url = "https://target.example/hook";
    hook.secret = "x";
    ASSERT_OK(target->CreateWebhook(&hook));
    ASSERT_EQ(hook.id, hook_);
  }
  auto report = Migrate(url);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Code::kAlreadyExists);
  EXPECT_THAT(report.status().message(), ::testing::HasSubstr("webhooks"));
  EXPECT_THAT(report.status().message(), ::testing::HasSubstr("Nothing was changed"));
  auto target = Open(url);
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(target->ListUsers()->size(), 1u);
  EXPECT_EQ(target->ListProjects(0, true)->size(), 0u);
  EXPECT_EQ(target->GetTask(tasks_[0]).status().code(), Code::kNotFound);
}

TEST_F(MigrateTest, ADryRunCountsAndRollsBack) {
  Seed();
  const std::string url = NewTarget();
  auto report = Migrate(url, {}, /*dry_run=*/true);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->committed);
  EXPECT_EQ(Table(*report, "tasks")->target_rows, 7);  // 5 + 3 - 1 deleted
  EXPECT_THAT(report->Summary(), ::testing::HasSubstr("dry run"));
  auto target = Open(url);
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(target->ListUsers()->size(), 0u);
  EXPECT_EQ(target->ListProjects(0, true)->size(), 0u);
}

TEST_F(MigrateTest, AMissingSourceIsNotCreated) {
  MigrateOptions options;
  options.sqlite_path = (dir_ / "nope" / "tessera.db").string();
  options.postgres_url = "postgresql://127.0.0.1:1/x";
  EXPECT_EQ(MigrateSqliteToPostgres(options).status().code(), Code::kNotFound);
  EXPECT_FALSE(fs::exists(dir_ / "nope"));
}

}  // namespace
}  // namespace tessera::testing
