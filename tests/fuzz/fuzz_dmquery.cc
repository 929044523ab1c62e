// Fuzz target: the data manager's query (server/api/dm_query.cc) from the
// text Label Studio sends to the end — parsed and checked, then compiled
// into the store's SQL and run. The input is one JSON text, used twice:
//   - as the `query=` parameter of GET /api/tasks (DmQueryFromRequest; odd-
//     sized inputs also name a saved view, so view and query are merged);
//   - as a request body ({"filters", "ordering", "search", "selectedItems"},
//     DmQueryFromBody and ParseSelectedItems), and as a view's data
//     (ValidateViewData, on the object and on its "data" when present).
// Bad input must come back as an error Status. A query that the parser
// accepts must also compile for both SQL dialects and run on SQLite (over
// an in-memory store with a few tasks, annotations that give agreement
// scores, and one saved view): a store error there would be a 4xx/5xx for a
// query the API said was fine, so it traps.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api/dm_query.h"
#include "server/api/selection.h"
#include "server/app.h"
#include "src/store/task_query_sql.h"
#include "tessera/store.h"
#include "tessera/util.h"

namespace {

using namespace tessera;
using nlohmann::json;

constexpr char kConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Choices name="mood" toName="text"><Choice value="Good"/><Choice value="Bad"/></Choices>
</View>)";

struct World {
  std::unique_ptr<Store> store;
  std::unique_ptr<server::App> app;
  User admin;
  Id project_id = 0;
  Id view_id = 0;
};

[[noreturn]] void Fail(const char* what, const Status& status) {
  std::fprintf(stderr, "fuzz_dmquery: %s: %s\n", what, status.ToString().c_str());
  std::abort();
}

Annotation Choice(Id user, const char* choice) {
  Annotation a;
  a.completed_by = user;
  a.result = json::array({{{"from_name", "mood"}, {"to_name", "text"}, {"type", "choices"},
                           {"value", {{"choices", json::array({choice})}}}}})
                 .dump();
  return a;
}

World& TheWorld() {
  static World* world = [] {
    auto* w = new World();
    auto store = OpenSqliteStore(SqliteOptions{":memory:", 1, false});
    if (!store.ok()) Fail("open store", store.status());
    w->store = std::move(*store);
    w->admin.email = "admin@example.com";
    w->admin.is_admin = true;
    if (Status s = w->store->CreateUser(&w->admin); !s.ok()) Fail("create user", s);
    User other;
    other.email = "other@example.com";
    if (Status s = w->store->CreateUser(&other); !s.ok()) Fail("create user", s);
    Project project;
    project.title = "fuzz";
    project.label_config = kConfig;
    project.created_by = w->admin.id;
    if (Status s = w->store->CreateProject(&project); !s.ok()) Fail("create project", s);
    w->project_id = project.id;
    // Tasks: text for search, numbers and nested keys for data.* filters,
    // two annotators agreeing (task 1) and disagreeing (task 2), a prediction.
    std::vector<NewTask> tasks(4);
    tasks[0].data = R"({"text": "alpha beta", "score": 3, "meta": {"source": "web"}})";
    tasks[0].annotations = {Choice(w->admin.id, "Good"), Choice(other.id, "Good")};
    tasks[1].data = R"({"text": "gamma", "score": "high", "meta": {"source": 7}})";
    tasks[1].annotations = {Choice(w->admin.id, "Good"), Choice(other.id, "Bad")};
    tasks[2].data = R"({"text": "alpha fox", "score": 1.5})";
    Prediction prediction;
    prediction.score = 0.75;
    tasks[2].predictions = {prediction};
    tasks[3].data = R"({"text": "", "score": null, "meta": []})";
    auto import_id = w->store->BeginImport(project.id, w->admin.id, "fuzz");
    if (!import_id.ok()) Fail("begin import", import_id.status());
    if (Status s = w->store->InsertTasks(project.id, *import_id, tasks, nullptr); !s.ok()) {
      Fail("insert tasks", s);
    }
    if (Status s = w->store->FinishImport(*import_id, 4, 4, 1); !s.ok()) Fail("finish import", s);
    DmView view;
    view.project_id = project.id;
    view.user_id = w->admin.id;
    view.data = R"({"title": "Scored", "ordering": ["-tasks:data.score"], "search": "alpha",
                    "filters": {"conjunction": "and", "items": [{"filter": "filter:tasks:total_annotations",
                    "operator": "greater_or_equal", "type": "Number", "value": 0}]}})";
    if (Status s = w->store->CreateDmView(&view); !s.ok()) Fail("create view", s);
    w->view_id = view.id;
    server::AppOptions options;
    options.data_dir = std::filesystem::temp_directory_path() / ("tessera-fuzz-dmquery-" + RandomHex(6));
    w->app = std::make_unique<server::App>(*w->store, options);
    return w;
  }();
  return *world;
}

// An accepted query must compile for both dialects and run.
void RunAccepted(server::RequestContext& ctx, server::DmQuery query, const char* how) {
  std::optional<std::map<Id, double>> agreements;
  auto ids = server::MatchingTaskIds(ctx, query, &agreements);  // resolves agreement items
  if (!ids.ok()) Fail(how, ids.status());
  for (SqlDialect dialect : {SqlDialect::kSqlite, SqlDialect::kPostgres}) {
    auto sql = BuildTaskQuerySql(query.task_query, dialect, 5);
    if (!sql.ok()) Fail(how, sql.status());
  }
  TaskQuery page = query.task_query;
  page.limit = 2;
  auto count = ctx.store().CountTasks(page);
  if (!count.ok()) Fail(how, count.status());
  if (*count != static_cast<int64_t>(ids->size())) {
    std::fprintf(stderr, "fuzz_dmquery: %s: CountTasks %lld but %zu ids\n", how,
                 static_cast<long long>(*count), ids->size());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& world = TheWorld();
  const std::string text(reinterpret_cast<const char*>(data), size);

  // As the query= parameter (and view= for odd sizes).
  server::HttpRequest get;
  get.method = "GET";
  get.target = get.path = "/api/tasks";
  get.query.emplace("project", std::to_string(world.project_id));
  get.query.emplace("query", text);
  if (size % 2) get.query.emplace("view", std::to_string(world.view_id));
  server::RequestContext get_ctx(*world.app, get, {});
  get_ctx.set_user(world.admin, false);
  if (auto q = server::DmQueryFromRequest(get_ctx, world.project_id); q.ok()) {
    RunAccepted(get_ctx, std::move(*q), "query=");
  }

  // As a body and a view's data.
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return 0;
  (void)server::ValidateViewData(body);
  if (auto inner = body.find("data"); inner != body.end()) (void)server::ValidateViewData(*inner);
  (void)server::ParseSelectedItems(body);
  server::HttpRequest post;
  post.method = "POST";
  post.target = post.path = "/api/dm/actions";
  post.body = text;
  server::RequestContext post_ctx(*world.app, post, {});
  post_ctx.set_user(world.admin, false);
  if (auto q = server::DmQueryFromBody(post_ctx, world.project_id, body); q.ok()) {
    RunAccepted(post_ctx, std::move(*q), "body");
  }
  return 0;
}
