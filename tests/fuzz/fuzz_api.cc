// Fuzz target: whole requests through App::Handle — routing, authentication,
// JSON bodies into project/task/annotation fields, query parameters — as a
// site admin over an in-memory SQLite store that holds one project with a
// task and an annotation. Input: first line "METHOD target", optional header
// lines "Name: value" up to an empty line, then the body. The handler must
// answer (any status) and never crash; a 500 is a bug too (it means an
// exception escaped a handler), so it traps.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "server/app.h"
#include "server/net/url.h"
#include "tessera/store.h"
#include "tessera/util.h"

namespace {

using namespace tessera;

constexpr char kToken[] = "fuzz0123456789abcdef0123456789abcdef0123";
constexpr char kConfig[] = R"(<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="Cat"/><Label value="Dog"/></RectangleLabels>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/></Labels>
  <Choices name="mood" toName="text"><Choice value="Good"/><Choice value="Bad"/></Choices>
</View>)";

struct World {
  std::unique_ptr<Store> store;
  std::unique_ptr<server::App> app;
};

World& TheWorld() {
  static World* world = [] {
    auto* w = new World();
    auto store = OpenSqliteStore(SqliteOptions{":memory:", 1, false});
    if (!store.ok()) {
      std::fprintf(stderr, "fuzz_api: %s\n", store.status().ToString().c_str());
      std::abort();
    }
    w->store = std::move(*store);
    User admin;
    admin.email = "admin@example.com";
    admin.is_admin = true;
    if (!w->store->CreateUser(&admin).ok() || !w->store->SetApiToken(admin.id, kToken).ok()) std::abort();
    Project project;
    project.title = "fuzz";
    project.label_config = kConfig;
    project.created_by = admin.id;
    if (!w->store->CreateProject(&project).ok()) std::abort();
    (void)w->store->SetMember(project.id, admin.id, Role::kOwner);
    server::AppOptions options;
    options.data_dir = std::filesystem::temp_directory_path() / ("tessera-fuzz-api-" + RandomHex(6));
    w->app = std::make_unique<server::App>(*w->store, options);
    // One task and one annotation, through the API so they are well formed.
    server::HttpRequest req;
    req.method = "POST";
    req.target = req.path = "/api/projects/1/import";
    req.headers["authorization"] = std::string("Token ") + kToken;
    req.headers["content-type"] = "application/json";
    req.body = R"([{"data": {"image": "/data/upload/1/a.png", "text": "Ada at IBM"},
                    "annotations": [{"result": []}], "predictions": [{"result": []}]}])";
    (void)w->app->Handle(req);
    return w;
  }();
  return *world;
}

}  // namespace

// Stops the App's background work (imports with annotations post recounts
// to its lane) before the process exits (replay_main.cc).
extern "C" void TesseraFuzzShutdown() { TheWorld().app.reset(); }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& world = TheWorld();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto next_line = [&input]() {
    size_t eol = input.find('\n');
    std::string_view line = input.substr(0, eol);
    input = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  std::string_view request_line = next_line();
  size_t space = request_line.find(' ');
  if (space == std::string_view::npos) return 0;
  server::HttpRequest req;
  req.method = std::string(request_line.substr(0, space));
  req.target = std::string(request_line.substr(space + 1));
  if (req.target.empty() || req.target[0] != '/') return 0;  // Beast rejects these earlier
  server::SplitTarget(req.target, &req.path, &req.query);
  req.headers["authorization"] = std::string("Token ") + kToken;
  while (!input.empty()) {
    std::string_view line = next_line();
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    req.headers[ToLower(Trim(line.substr(0, colon)))] = std::string(Trim(line.substr(colon + 1)));
  }
  req.body = std::string(input);
  req.remote_address = "127.0.0.1";
  // Keep the world interesting: deleting the project or its tasks, or locking
  // the admin out (new token, deactivated account), makes every later input a
  // 404 or 401.
  const std::string& path = req.path;
  if ((req.method == "DELETE" && (path.starts_with("/api/projects") || path.find("/tasks") != std::string::npos)) ||
      path.find("reset-token") != std::string::npos || path.find("logout") != std::string::npos ||
      (req.method == "PATCH" && path.starts_with("/api/users"))) {
    return 0;
  }
  server::HttpResponse res = world.app->Handle(req);
  if (res.status >= 500) {
    std::fprintf(stderr, "fuzz_api: %d for %s %s: %s\n", res.status, req.method.c_str(),
                 req.target.c_str(), res.body.c_str());
    __builtin_trap();
  }
  return 0;
}
