// The permission matrix: every route in api/openapi.yaml × every role, with
// the status each role must get, run against the real server.
//
// Roles: anonymous (no credentials), outsider (annotator of another project),
// annotator, reviewer, manager and owner of the project under test, and a site
// admin who is not a member of it. Handlers hide a project from non-members
// (404), so an outsider must never see 403 — that would confirm the project
// exists.
//
// Adding a route? PermissionMatrixCoverage fails until kRows (below) has a row
// for it: give the method, the pattern exactly as in api/openapi.yaml, the
// request to send (built from the fixture's ids; create a fresh resource when
// the call destroys it) and one expected status per role.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

enum RoleIdx { kAnon, kOutsider, kAnnotator, kReviewer, kManager, kOwner, kAdmin, kRoleCount };
constexpr const char* kRoleNames[kRoleCount] = {"anonymous", "outsider", "annotator", "reviewer",
                                                "manager",   "owner",    "admin"};
using Expect = std::array<int, kRoleCount>;

// Shorthands for the common shapes of a row.
constexpr Expect kEveryone(int s) { return {s, s, s, s, s, s, s}; }
constexpr Expect kSignedIn(int s) { return {401, s, s, s, s, s, s}; }
constexpr Expect kAdminOnly(int s, int others) { return {401, others, others, others, others, others, s}; }
// A project route needing at least `min_role` (kAnnotator..kOwner); members
// below it get 403, non-members 404.
constexpr Expect kProject(RoleIdx min_role, int s) {
  Expect e{401, 404, 403, 403, 403, 403, s};
  for (int role = kAnnotator; role <= kOwner; ++role) e[role] = role >= min_role ? s : 403;
  return e;
}

constexpr char kConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Choices name="mood" toName="text"><Choice value="Good"/><Choice value="Bad"/></Choices>
</View>)";
const json kResult = json::parse(
    R"([{"from_name": "mood", "to_name": "text", "type": "choices", "value": {"choices": ["Good"]}}])");

struct Call {
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;
};

class PermissionMatrixTest;
struct Row {
  std::string method;
  std::string pattern;  // as in api/openapi.yaml
  Expect expect;
  std::function<Call(PermissionMatrixTest&, RoleIdx)> make;
};

std::string S(int64_t v) { return std::to_string(v); }
Call JsonCall(std::string target, const json& body) {
  return {std::move(target), body.dump(), {{"Content-Type", "application/json"}}};
}

// "METHOD /pattern" for every operation under `paths:` in api/openapi.yaml.
std::set<std::string> SpecRoutes() {
  std::ifstream in(SourceDir() / "api/openapi.yaml");
  std::set<std::string> out;
  std::string line, path;
  std::regex path_re("^  (/[^:]*):\\s*$");
  std::regex method_re("^    (get|post|put|patch|delete):");
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line == "paths:") in_paths = true;
    if (!in_paths) continue;
    std::smatch m;
    if (std::regex_match(line, m, path_re)) {
      path = m[1];
    } else if (std::regex_search(line, m, method_re)) {
      std::string method = m[1];
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(method + " " + path);
    }
  }
  return out;
}

class PermissionMatrixTest : public ::testing::Test {
 public:
  // Fixture ids, shared by the rows (the project "P" that the roles belong to).
  static inline int64_t project_ = 0, task_ = 0, annotation_ = 0, prediction_ = 0, import_ = 0;
  static inline int64_t victim_ = 0;  // a user who is no one's business but admins'
  static inline std::array<int64_t, kRoleCount> user_ids_{};
  static inline int counter_ = 0;

  static HttpClient As(RoleIdx role) {
    HttpClient c("127.0.0.1", server_->port());
    c.UseCookies(false);
    if (role != kAnon) c.SetHeader("Authorization", "Token " + tokens_[role]);
    return c;
  }
  static int Unique() { return ++counter_; }

  // A project owned by the owner, with the manager, reviewer and annotator as
  // members, and `tasks` tasks. For rows whose call destroys the project.
  static int64_t FreshProject(int tasks = 1) {
    HttpClient owner = As(kOwner);
    Reply r = owner.PostJson("/api/projects", json{{"title", "p" + S(Unique())}, {"label_config", kConfig}});
    EXPECT_EQ(r.status, 201) << r.body;
    int64_t id = r.Json().value("id", int64_t{0});
    for (auto [role, name] : {std::pair{kManager, "manager"}, std::pair{kReviewer, "reviewer"},
                              std::pair{kAnnotator, "annotator"}}) {
      Reply m = owner.PostJson("/api/projects/" + S(id) + "/members",
                               json{{"user", user_ids_[role]}, {"role", name}});
      EXPECT_EQ(m.status, 201) << m.body;
    }
    if (tasks > 0) {
      json list = json::array();
      for (int idx = 0; idx < tasks; ++idx) list.push_back({{"text", "Ada at IBM " + S(idx)}});
      Reply imp = owner.PostJson("/api/projects/" + S(id) + "/import?return_task_ids=1", list);
      EXPECT_EQ(imp.status, 201) << imp.body;
    }
    return id;
  }
  static int64_t FreshTask() {
    Reply r = As(kOwner).PostJson("/api/tasks", json{{"project", project_}, {"data", {{"text", "x"}}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  static int64_t FreshAnnotation() {
    Reply r = As(kOwner).PostJson("/api/tasks/" + S(task_) + "/annotations", json{{"result", kResult}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  static int64_t FreshPrediction() {
    Reply r = As(kOwner).PostJson("/api/predictions",
                                  json{{"task", task_}, {"result", kResult}, {"model_version", "m"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  // A project (made once) with guideline versions 1 and 2, so that
  // publishing never holds /next of the fixture project.
  static int64_t GuidelineProject() {
    static int64_t id = 0;
    if (id != 0) return id;
    id = FreshProject(1);
    for (const char* text : {"# Rules\nv1", "# Rules\nv2"}) {
      Reply r = As(kOwner).PostJson("/api/projects/" + S(id) + "/guidelines", json{{"text", text}});
      EXPECT_EQ(r.status, 201) << r.body;
    }
    return id;
  }
  // The owner's draft of the fixture task (saving again returns the same one
  // until it is deleted).
  static int64_t FreshDraft() {
    Reply r = As(kOwner).PostJson("/api/tasks/" + S(task_) + "/drafts", json{{"result", kResult}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  // An inactive webhook of the fixture project (inactive: nothing is sent).
  static int64_t FreshWebhook() {
    Reply r = As(kOwner).PostJson("/api/webhooks", json{{"project", project_},
                                                         {"url", "http://127.0.0.1:9/hook"},
                                                         {"is_active", false}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  static int64_t FixtureWebhook() {
    static int64_t id = 0;
    if (id == 0) id = FreshWebhook();
    return id;
  }
  // A JSON export job of the fixture project, waited for until completed
  // (the server's export thread runs it).
  static int64_t FreshExport() {
    std::string base = "/api/projects/" + S(project_) + "/exports";
    Reply r = As(kOwner).PostJson(base, json{{"exportType", "JSON"}});
    EXPECT_EQ(r.status, 201) << r.body;
    int64_t id = r.Json().value("id", int64_t{0});
    for (int attempt = 0; attempt < 200; ++attempt) {
      if (As(kOwner).Get(base + "/" + S(id)).Json().value("status", "") == "completed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return id;
  }
  static int64_t FixtureExport() {
    static int64_t id = 0;
    if (id == 0) id = FreshExport();
    return id;
  }
  // A saved data-manager view of the fixture project.
  static int64_t FreshView() {
    Reply r = As(kOwner).PostJson("/api/dm/views", json{{"project", project_},
                                                         {"data", {{"title", "v" + S(Unique())}}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  static int64_t FixtureView() {
    static int64_t id = 0;
    if (id == 0) id = FreshView();
    return id;
  }
  static void SetToken(RoleIdx role, const std::string& token) { tokens_[role] = token; }

 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    const char* emails[kRoleCount] = {"", "outsider@example.com", "annotator@example.com",
                                      "reviewer@example.com", "manager@example.com",
                                      "owner@example.com", "admin@example.com"};
    for (int role = kOutsider; role < kRoleCount; ++role) {
      tokens_[role] = server_->AddUser(emails[role], "correct horse battery", role == kAdmin);
    }
    server_->AddUser("login@example.com", "correct horse battery", false);
    server_->AddUser("victim@example.com", "correct horse battery", false);
    server_->Start();
    for (int role = kOutsider; role < kRoleCount; ++role) {
      user_ids_[role] = As(static_cast<RoleIdx>(role)).Get("/api/current-user/whoami").Json().value("id", int64_t{0});
    }
    HttpClient admin = As(kAdmin);
    for (const User& u : admin.Get("/api/users").Json().get<std::vector<User>>()) {
      if (u.email == "victim@example.com") victim_ = u.id;
    }
    // The outsider annotates in a project of their own.
    Reply other = admin.PostJson("/api/projects", json{{"title", "other"}, {"label_config", kConfig}});
    int64_t other_id = other.Json().value("id", int64_t{0});
    admin.PostJson("/api/projects/" + S(other_id) + "/members",
                   json{{"user", user_ids_[kOutsider]}, {"role", "annotator"}});

    project_ = FreshProject(0);
    // Ten tasks, so that /next still has work for everyone after the owner's annotation.
    json list = json::array();
    for (int idx = 0; idx < 10; ++idx) list.push_back({{"text", "Grace at Navy " + S(idx)}});
    Reply imp = As(kOwner).PostJson("/api/projects/" + S(project_) + "/import?return_task_ids=1", list);
    task_ = imp.Json()["task_ids"].at(0).get<int64_t>();
    import_ = imp.Json()["import_ids"].at(0).get<int64_t>();
    annotation_ = FreshAnnotation();
    prediction_ = FreshPrediction();
    // A media file, as an upload would leave it.
    auto dir = server_->data_dir() / "media" / "upload" / S(project_);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "pic.png") << "\x89PNG\r\n\x1a\n not really";
    ASSERT_GT(victim_, 0);
    ASSERT_GT(annotation_, 0);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

 private:
  struct User {
    int64_t id = 0;
    std::string email;
    friend void from_json(const json& j, User& u) {
      u.id = j.value("id", int64_t{0});
      u.email = j.value("email", "");
    }
  };
  static inline ServerProcess* server_ = nullptr;
  static inline std::array<std::string, kRoleCount> tokens_{};
};

using M = PermissionMatrixTest;

Call Plain(std::string target) { return {std::move(target), "", {}}; }

// Every route × role. Patterns must match api/openapi.yaml exactly.
const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      // ---- public ----
      {"GET", "/", kEveryone(200), [](M&, RoleIdx) { return Plain("/"); }},
      {"GET", "/health", kEveryone(200), [](M&, RoleIdx) { return Plain("/health"); }},
      {"GET", "/api/health", kEveryone(200), [](M&, RoleIdx) { return Plain("/api/health"); }},
      {"GET", "/api/version", kEveryone(200), [](M&, RoleIdx) { return Plain("/api/version"); }},
      {"GET", "/api/openapi.yaml", kEveryone(200), [](M&, RoleIdx) { return Plain("/api/openapi.yaml"); }},
      {"GET", "/user/login", kEveryone(200), [](M&, RoleIdx) { return Plain("/user/login"); }},
      {"POST", "/user/login", kEveryone(302),
       [](M&, RoleIdx) {
         return Call{"/user/login",
                     "csrfmiddlewaretoken=abc123&email=login%40example.com&password=correct+horse+battery",
                     {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "csrftoken=abc123"}}};
       }},
      {"POST", "/api/auth/login", kEveryone(200),
       [](M&, RoleIdx) {
         return JsonCall("/api/auth/login", {{"email", "login@example.com"}, {"password", "correct horse battery"}});
       }},
      // ---- the signed-in user ----
      {"POST", "/api/auth/logout", kSignedIn(200), [](M&, RoleIdx) { return Plain("/api/auth/logout"); }},
      {"GET", "/user/logout", kSignedIn(200), [](M&, RoleIdx) { return Plain("/user/logout"); }},
      {"GET", "/api/current-user/whoami", kSignedIn(200), [](M&, RoleIdx) { return Plain("/api/current-user/whoami"); }},
      {"GET", "/api/current-user/token", kSignedIn(200), [](M&, RoleIdx) { return Plain("/api/current-user/token"); }},
      // Rotates the caller's token; the runner picks up the new one.
      {"POST", "/api/current-user/reset-token", kSignedIn(201), [](M&, RoleIdx) { return Plain("/api/current-user/reset-token"); }},
      // ---- users ----
      {"GET", "/api/users", kSignedIn(200), [](M&, RoleIdx) { return Plain("/api/users"); }},
      {"GET", "/api/audit", kAdminOnly(200, 403), [](M&, RoleIdx) { return Plain("/api/audit"); }},
      // ---- webhooks (project ones for managers; lists are filtered, not refused) ----
      {"GET", "/api/webhooks", kSignedIn(200), [](M&, RoleIdx) { return Plain("/api/webhooks"); }},
      {"POST", "/api/webhooks", kProject(kManager, 201),
       [](M&, RoleIdx) {
         return JsonCall("/api/webhooks", {{"project", M::project_}, {"url", "http://127.0.0.1:9/h"},
                                           {"is_active", false}});
       }},
      {"GET", "/api/webhooks/info", kSignedIn(200), [](M&, RoleIdx) { return Plain("/api/webhooks/info"); }},
      {"GET", "/api/webhooks/{id}", kProject(kManager, 200),
       [](M& t, RoleIdx) { return Plain("/api/webhooks/" + S(t.FixtureWebhook())); }},
      {"PATCH", "/api/webhooks/{id}", kProject(kManager, 200),
       [](M& t, RoleIdx) { return JsonCall("/api/webhooks/" + S(t.FixtureWebhook()), {{"is_active", false}}); }},
      {"DELETE", "/api/webhooks/{id}", kProject(kManager, 204),
       [](M& t, RoleIdx) { return Plain("/api/webhooks/" + S(t.FreshWebhook())); }},
      {"GET", "/api/webhooks/{id}/deliveries", kProject(kManager, 200),
       [](M& t, RoleIdx) { return Plain("/api/webhooks/" + S(t.FixtureWebhook()) + "/deliveries"); }},
      {"POST", "/api/users", kAdminOnly(201, 403),
       [](M&, RoleIdx) { return JsonCall("/api/users", {{"email", "new" + S(M::Unique()) + "@example.com"}}); }},
      {"GET", "/api/users/{id}", kAdminOnly(200, 404), [](M&, RoleIdx) { return Plain("/api/users/" + S(M::victim_)); }},
      {"PATCH", "/api/users/{id}", kAdminOnly(200, 404),
       [](M&, RoleIdx) { return JsonCall("/api/users/" + S(M::victim_), {{"first_name", "V"}}); }},
      // ---- projects ----
      {"GET", "/api/projects", kSignedIn(200), [](M&, RoleIdx) { return Plain("/api/projects"); }},
      {"POST", "/api/projects", kSignedIn(201),
       [](M&, RoleIdx) { return JsonCall("/api/projects", {{"title", "new"}, {"label_config", kConfig}}); }},
      {"POST", "/api/projects/validate", kSignedIn(200),
       [](M&, RoleIdx) { return JsonCall("/api/projects/validate", {{"label_config", kConfig}}); }},
      {"GET", "/api/projects/{id}", kProject(kAnnotator, 200), [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_)); }},
      {"PATCH", "/api/projects/{id}", kProject(kManager, 200),
       [](M&, RoleIdx) { return JsonCall("/api/projects/" + S(M::project_), {{"description", "d"}}); }},
      {"DELETE", "/api/projects/{id}", kProject(kOwner, 204),
       [](M& t, RoleIdx) { return Plain("/api/projects/" + S(t.FreshProject(0))); }},
      {"POST", "/api/projects/{id}/validate", kProject(kAnnotator, 200),
       [](M&, RoleIdx) { return JsonCall("/api/projects/" + S(M::project_) + "/validate", {{"label_config", kConfig}}); }},
      {"GET", "/api/projects/{id}/members", kProject(kAnnotator, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/members"); }},
      {"POST", "/api/projects/{id}/members", kProject(kManager, 201),
       [](M&, RoleIdx) {
         return JsonCall("/api/projects/" + S(M::project_) + "/members", {{"user", M::victim_}, {"role", "annotator"}});
       }},
      {"DELETE", "/api/projects/{id}/members/{user_id}", kProject(kManager, 204),
       [](M& t, RoleIdx) {
         int64_t p = t.FreshProject(0);
         t.As(kOwner).PostJson("/api/projects/" + S(p) + "/members", json{{"user", M::victim_}, {"role", "annotator"}});
         return Plain("/api/projects/" + S(p) + "/members/" + S(M::victim_));
       }},
      {"POST", "/api/projects/{id}/import", kProject(kManager, 201),
       [](M&, RoleIdx) { return JsonCall("/api/projects/" + S(M::project_) + "/import", json::array({{{"text", "t"}}})); }},
      {"GET", "/api/projects/{id}/imports/{import_id}", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/imports/" + S(M::import_)); }},
      {"POST", "/api/projects/{id}/import/predictions", kProject(kManager, 201),
       [](M&, RoleIdx) {
         return JsonCall("/api/projects/" + S(M::project_) + "/import/predictions",
                         json::array({{{"task", M::task_}, {"result", kResult}}}));
       }},
      {"GET", "/api/projects/{id}/export", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/export?exportType=JSON"); }},
      {"GET", "/api/projects/{id}/next", kProject(kAnnotator, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/next"); }},
      {"DELETE", "/api/projects/{id}/tasks", kProject(kManager, 204),
       [](M& t, RoleIdx) { return Plain("/api/projects/" + S(t.FreshProject(2)) + "/tasks"); }},
      // ---- tasks ----
      {"GET", "/api/tasks", kProject(kAnnotator, 200), [](M&, RoleIdx) { return Plain("/api/tasks?project=" + S(M::project_)); }},
      {"POST", "/api/tasks", kProject(kManager, 201),
       [](M&, RoleIdx) { return JsonCall("/api/tasks", {{"project", M::project_}, {"data", {{"text", "new"}}}}); }},
      {"GET", "/api/tasks/{id}", kProject(kAnnotator, 200), [](M&, RoleIdx) { return Plain("/api/tasks/" + S(M::task_)); }},
      {"GET", "/api/tasks/{id}/assignees", kProject(kManager, 200), [](M&, RoleIdx) { return Plain("/api/tasks/" + S(M::task_) + "/assignees"); }},
      // Gives back only the caller's own reservation (204 with none held).
      {"DELETE", "/api/tasks/{id}/lock", kProject(kAnnotator, 204),
       [](M&, RoleIdx) { return Plain("/api/tasks/" + S(M::task_) + "/lock"); }},
      {"PATCH", "/api/tasks/{id}", kProject(kManager, 200),
       [](M&, RoleIdx) { return JsonCall("/api/tasks/" + S(M::task_), {{"meta", {{"k", 1}}}}); }},
      {"DELETE", "/api/tasks/{id}", kProject(kManager, 204), [](M& t, RoleIdx) { return Plain("/api/tasks/" + S(t.FreshTask())); }},
      // ---- annotations (the fixture's annotation is the owner's) ----
      {"GET", "/api/tasks/{id}/annotations", kProject(kAnnotator, 200),
       [](M&, RoleIdx) { return Plain("/api/tasks/" + S(M::task_) + "/annotations"); }},
      {"POST", "/api/tasks/{id}/annotations", kProject(kAnnotator, 201),
       [](M&, RoleIdx) { return JsonCall("/api/tasks/" + S(M::task_) + "/annotations", {{"result", kResult}}); }},
      // Annotators work blind: another's annotation does not exist for them.
      {"GET", "/api/annotations/{id}", {401, 404, 404, 200, 200, 200, 200},
       [](M&, RoleIdx) { return Plain("/api/annotations/" + S(M::annotation_)); }},
      // Someone else's annotation: reviewers and up may correct it.
      {"PATCH", "/api/annotations/{id}", {401, 404, 404, 200, 200, 200, 200},
       [](M&, RoleIdx) { return JsonCall("/api/annotations/" + S(M::annotation_), {{"result", kResult}}); }},
      {"DELETE", "/api/annotations/{id}", {401, 404, 404, 403, 204, 204, 204},
       [](M& t, RoleIdx) { return Plain("/api/annotations/" + S(t.FreshAnnotation())); }},
      {"GET", "/api/annotations/{id}/versions", {401, 404, 404, 200, 200, 200, 200},
       [](M&, RoleIdx) { return Plain("/api/annotations/" + S(M::annotation_) + "/versions"); }},
      // ---- drafts: private to their author (the fixture's are the owner's) ----
      {"GET", "/api/tasks/{id}/drafts", kProject(kAnnotator, 200),
       [](M&, RoleIdx) { return Plain("/api/tasks/" + S(M::task_) + "/drafts"); }},
      {"POST", "/api/tasks/{id}/drafts", kProject(kAnnotator, 201),
       [](M&, RoleIdx) { return JsonCall("/api/tasks/" + S(M::task_) + "/drafts", {{"result", kResult}}); }},
      // Only the annotation's author: hidden from blind annotators, 403 for those who see it.
      {"POST", "/api/annotations/{id}/drafts", {401, 404, 404, 403, 403, 201, 403},
       [](M&, RoleIdx) { return JsonCall("/api/annotations/" + S(M::annotation_) + "/drafts", {{"result", kResult}}); }},
      {"GET", "/api/drafts/{id}", {401, 404, 404, 404, 404, 200, 404},
       [](M& t, RoleIdx) { return Plain("/api/drafts/" + S(t.FreshDraft())); }},
      {"PATCH", "/api/drafts/{id}", {401, 404, 404, 404, 404, 200, 404},
       [](M& t, RoleIdx) { return JsonCall("/api/drafts/" + S(t.FreshDraft()), {{"lead_time", 3}}); }},
      {"DELETE", "/api/drafts/{id}", {401, 404, 404, 404, 404, 204, 404},
       [](M& t, RoleIdx) { return Plain("/api/drafts/" + S(t.FreshDraft())); }},
      // ---- predictions ----
      {"GET", "/api/predictions", kProject(kAnnotator, 200), [](M&, RoleIdx) { return Plain("/api/predictions?task=" + S(M::task_)); }},
      {"POST", "/api/predictions", kProject(kManager, 201),
       [](M&, RoleIdx) { return JsonCall("/api/predictions", {{"task", M::task_}, {"result", kResult}}); }},
      {"GET", "/api/predictions/{id}", kProject(kAnnotator, 200), [](M&, RoleIdx) { return Plain("/api/predictions/" + S(M::prediction_)); }},
      {"DELETE", "/api/predictions/{id}", kProject(kManager, 204),
       [](M& t, RoleIdx) { return Plain("/api/predictions/" + S(t.FreshPrediction())); }},
      // ---- workflow: distribution, review, statistics ----
      // ---- data manager: saved views and bulk actions ----
      {"GET", "/api/dm/views", kProject(kAnnotator, 200),
       [](M&, RoleIdx) { return Plain("/api/dm/views?project=" + S(M::project_)); }},
      {"POST", "/api/dm/views", kProject(kManager, 201),
       [](M&, RoleIdx) {
         return JsonCall("/api/dm/views", {{"project", M::project_}, {"data", {{"title", "tab"}}}});
       }},
      {"DELETE", "/api/dm/views/reset", kProject(kManager, 204),
       [](M& t, RoleIdx) { return Plain("/api/dm/views/reset?project=" + S(t.FreshProject(0))); }},
      {"GET", "/api/dm/views/{id}", kProject(kAnnotator, 200),
       [](M& t, RoleIdx) { return Plain("/api/dm/views/" + S(t.FixtureView())); }},
      {"PATCH", "/api/dm/views/{id}", kProject(kManager, 200),
       [](M& t, RoleIdx) { return JsonCall("/api/dm/views/" + S(t.FixtureView()), {{"data", {{"title", "t2"}}}}); }},
      {"PUT", "/api/dm/views/{id}", kProject(kManager, 200),
       [](M& t, RoleIdx) { return JsonCall("/api/dm/views/" + S(t.FixtureView()), {{"data", {{"title", "t3"}}}}); }},
      {"DELETE", "/api/dm/views/{id}", kProject(kManager, 204),
       [](M& t, RoleIdx) { return Plain("/api/dm/views/" + S(t.FreshView())); }},
      {"GET", "/api/dm/actions", kProject(kAnnotator, 200),
       [](M&, RoleIdx) { return Plain("/api/dm/actions?project=" + S(M::project_)); }},
      {"POST", "/api/dm/actions", kProject(kManager, 200),
       [](M&, RoleIdx) {
         return JsonCall("/api/dm/actions?id=send_to_review&project=" + S(M::project_),
                         {{"selectedItems", {{"all", false}, {"included", {M::task_}}}}});
       }},
      // ---- pre-filtering ----
      {"GET", "/api/projects/{id}/prefilter", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/prefilter"); }},
      {"PATCH", "/api/projects/{id}/prefilter", kProject(kManager, 200),
       [](M&, RoleIdx) {
         return JsonCall("/api/projects/" + S(M::project_) + "/prefilter", {{"min_width", 16}});
       }},
      {"GET", "/api/projects/{id}/prefilter/tasks", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/prefilter/tasks"); }},
      {"POST", "/api/projects/{id}/prefilter/release", kProject(kManager, 200),
       [](M&, RoleIdx) {
         return JsonCall("/api/projects/" + S(M::project_) + "/prefilter/release",
                         {{"selectedItems", {{"all", true}}}});
       }},
      // The fixture project has pre-filtering off: a manager is told to turn it on.
      {"POST", "/api/projects/{id}/prefilter/run", kProject(kManager, 400),
       [](M&, RoleIdx) {
         return JsonCall("/api/projects/" + S(M::project_) + "/prefilter/run", json::object());
       }},
      {"GET", "/api/projects/{id}/workflow", kProject(kAnnotator, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/workflow"); }},
      {"PATCH", "/api/projects/{id}/workflow", kProject(kManager, 200),
       [](M&, RoleIdx) {
         return JsonCall("/api/projects/" + S(M::project_) + "/workflow", {{"lock_timeout_seconds", 600}});
       }},
      {"POST", "/api/projects/{id}/tasks/assignees", kProject(kManager, 201),
       [](M&, RoleIdx) {
         return JsonCall("/api/projects/" + S(M::project_) + "/tasks/assignees",
                         {{"type", "AN"}, {"users", {M::user_ids_[kAnnotator]}},
                          {"selectedItems", {{"all", false}, {"included", {M::task_}}}}});
       }},
      {"DELETE", "/api/projects/{id}/tasks/assignees", kProject(kManager, 200),
       [](M&, RoleIdx) {
         return Call{"/api/projects/" + S(M::project_) + "/tasks/assignees",
                     json{{"type", "AN"}, {"selectedItems", {{"all", false}, {"included", {M::task_}}}}}.dump(),
                     {{"Content-Type", "application/json"}}};
       }},
      {"GET", "/api/projects/{id}/locks", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/locks"); }},
      {"POST", "/api/projects/{id}/tasks/priorities", kProject(kManager, 200),
       [](M&, RoleIdx) {
         return JsonCall("/api/projects/" + S(M::project_) + "/tasks/priorities",
                         {{"priorities", json::array({{{"task", M::task_}, {"priority", 0.5}}})}});
       }},
      {"GET", "/api/projects/{id}/review/queue", kProject(kReviewer, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/review/queue"); }},
      {"POST", "/api/annotations/{id}/reviews", kProject(kReviewer, 201),
       [](M&, RoleIdx) { return JsonCall("/api/annotations/" + S(M::annotation_) + "/reviews", {{"accepted", true}}); }},
      {"GET", "/api/annotations/{id}/reviews", {401, 404, 404, 200, 200, 200, 200},
       [](M&, RoleIdx) { return Plain("/api/annotations/" + S(M::annotation_) + "/reviews"); }},
      {"GET", "/api/annotations/{id}/history", {401, 404, 404, 200, 200, 200, 200},
       [](M&, RoleIdx) { return Plain("/api/annotations/" + S(M::annotation_) + "/history"); }},
      {"GET", "/api/projects/{id}/stats/annotators", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/stats/annotators"); }},
      {"GET", "/api/projects/{id}/stats/project", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/stats/project"); }},
      // ---- guidelines ----
      {"GET", "/api/projects/{id}/guidelines", kProject(kAnnotator, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/guidelines"); }},
      {"POST", "/api/projects/{id}/guidelines", kProject(kManager, 201),
       [](M& t, RoleIdx) {
         return JsonCall("/api/projects/" + S(t.FreshProject(0)) + "/guidelines",
                         {{"text", "# Rules"}, {"note", "first"}});
       }},
      {"GET", "/api/projects/{id}/guidelines/{version}", kProject(kAnnotator, 200),
       [](M& t, RoleIdx) { return Plain("/api/projects/" + S(t.GuidelineProject()) + "/guidelines/1"); }},
      {"GET", "/api/projects/{id}/guidelines/{version}/diff", kProject(kAnnotator, 200),
       [](M& t, RoleIdx) {
         return Plain("/api/projects/" + S(t.GuidelineProject()) + "/guidelines/2/diff?against=1");
       }},
      {"POST", "/api/projects/{id}/guidelines/{version}/acknowledge", kProject(kAnnotator, 200),
       [](M& t, RoleIdx) {
         return Plain("/api/projects/" + S(t.GuidelineProject()) + "/guidelines/2/acknowledge");
       }},
      {"GET", "/api/projects/{id}/stats/guidelines", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/stats/guidelines"); }},
      {"GET", "/api/projects/{id}/history/export", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/history/export"); }},
      // ---- quality and formats ----
      {"GET", "/api/projects/{id}/agreement", kProject(kReviewer, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/agreement"); }},
      {"GET", "/api/projects/{id}/quality", kProject(kReviewer, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/quality"); }},
      {"GET", "/api/projects/{id}/quality/tasks", kProject(kReviewer, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/quality/tasks"); }},
      {"GET", "/api/projects/{id}/quality/agreement", kProject(kReviewer, 400),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/quality/agreement?control=label"); }},
      {"GET", "/api/projects/{id}/quality/aggregate", kProject(kReviewer, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/quality/aggregate?method=majority"); }},
      {"GET", "/api/projects/{id}/quality/annotators", kProject(kReviewer, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/quality/annotators"); }},
      {"GET", "/api/projects/{id}/quality/label-issues", kProject(kReviewer, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/quality/label-issues"); }},
      {"GET", "/api/projects/{id}/quality/detection", kProject(kReviewer, 400),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/quality/detection"); }},
      {"GET", "/api/projects/{id}/export/formats", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/export/formats"); }},
      // ---- export jobs (issue 6) ----
      {"POST", "/api/projects/{id}/exports", kProject(kManager, 201),
       [](M&, RoleIdx) { return JsonCall("/api/projects/" + S(M::project_) + "/exports", {{"exportType", "CSV"}}); }},
      {"GET", "/api/projects/{id}/exports", kProject(kManager, 200),
       [](M&, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/exports"); }},
      {"GET", "/api/projects/{id}/exports/{export_pk}", kProject(kManager, 200),
       [](M& t, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/exports/" + S(t.FixtureExport())); }},
      {"DELETE", "/api/projects/{id}/exports/{export_pk}", kProject(kManager, 204),
       [](M& t, RoleIdx) { return Plain("/api/projects/" + S(M::project_) + "/exports/" + S(t.FreshExport())); }},
      {"GET", "/api/projects/{id}/exports/{export_pk}/download", kProject(kManager, 200),
       [](M& t, RoleIdx) {
         return Plain("/api/projects/" + S(M::project_) + "/exports/" + S(t.FixtureExport()) + "/download?exportType=JSON");
       }},
      // ---- media ----
      {"GET", "/data/upload/{project}/{file}", kProject(kAnnotator, 200),
       [](M&, RoleIdx) { return Plain("/data/upload/" + S(M::project_) + "/pic.png"); }},
  };
  return rows;
}

std::string RoleList() {
  std::string out;
  for (const char* name : kRoleNames) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

// No server needed: fails when a route in api/openapi.yaml has no row (the
// router and the spec are kept equal by server/openapi_test.cc).
TEST(PermissionMatrixCoverage, EveryRouteHasARow) {
  std::set<std::string> spec = SpecRoutes();
  ASSERT_FALSE(spec.empty()) << "could not read api/openapi.yaml paths";
  std::set<std::string> rows;
  for (const Row& row : Rows()) {
    EXPECT_TRUE(rows.insert(row.method + " " + row.pattern).second) << "duplicate row " << row.method << " " << row.pattern;
  }
  for (const auto& route : spec) {
    EXPECT_TRUE(rows.count(route))
        << "route " << route << " is in api/openapi.yaml but has no row in the permission matrix: "
        << "add one to Rows() in tests/integration/permission_matrix_test.cc with the expected status "
        << "for each role (" << RoleList() << ")";
  }
  for (const auto& row : rows) {
    EXPECT_TRUE(spec.count(row)) << "permission matrix row " << row
                                 << " is not a route in api/openapi.yaml; rename or remove it";
  }
}

TEST_F(PermissionMatrixTest, EveryRouteAndRole) {
  int cells = 0;
  std::ostringstream failures;
  for (const Row& row : Rows()) {
    for (int role = 0; role < kRoleCount; ++role) {
      RoleIdx r = static_cast<RoleIdx>(role);
      Call call = row.make(*this, r);
      HttpClient client = As(r);
      Reply reply = client.Request(row.method, call.target, call.body, call.headers);
      ++cells;
      if (row.pattern == "/api/current-user/reset-token" && reply.status == 201) {
        SetToken(r, reply.Json().value("token", ""));
      }
      if (reply.status != row.expect[role]) {
        failures << "  " << row.method << " " << row.pattern << " as " << kRoleNames[role] << ": expected "
                 << row.expect[role] << ", got " << reply.status << " (" << call.target << ") "
                 << reply.body.substr(0, 160) << "\n";
      }
    }
  }
  EXPECT_EQ(failures.str(), "") << "permission matrix mismatches (" << cells << " cells):\n" << failures.str();
  std::printf("permission matrix: %zu routes x %d roles = %d cells\n", Rows().size(), kRoleCount, cells);
}

}  // namespace
}  // namespace tessera::testing
