// tessera project create: a project from a labeling-config file.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/common.h"
#include "tessera/config.h"
#include "tessera/util.h"

namespace tessera::cli {

namespace {

struct ProjectCreateOptions {
  DataOptions data;
  std::string title;
  std::string config_path;
  std::string description;
  std::string owner;
  int overlap = 1;
};

int RunProjectCreate(const ProjectCreateOptions& o) {
  std::ifstream in(o.config_path, std::ios::binary);
  if (!in) return Fail(Status::IOError("cannot read --config " + o.config_path));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string xml = ss.str();
  auto cfg = ParseLabelingConfig(xml);
  if (!cfg.ok()) return Fail(cfg.status().WithPrefix(o.config_path));
  auto store = OpenStore(o.data);
  if (!store.ok()) return Fail(store.status());
  Project p;
  p.title = o.title;
  p.description = o.description;
  p.label_config = xml;
  p.maximum_annotations = o.overlap;
  p.settings = "{}";
  p.created_at = p.updated_at = NowMs();
  if (!o.owner.empty()) {
    auto owner = (*store)->GetUserByEmail(ToLower(o.owner));
    if (!owner.ok()) return Fail(Status::NotFound("--owner " + o.owner + ": no such user"));
    p.created_by = owner->id;
  } else {
    // Default owner: the first admin, so the project shows up for them.
    auto users = (*store)->ListUsers();
    if (users.ok()) {
      for (const User& u : *users) {
        if (u.is_admin) {
          p.created_by = u.id;
          break;
        }
      }
    }
  }
  Status s = (*store)->CreateProject(&p);
  if (!s.ok()) return Fail(s);
  std::printf("%lld\n", static_cast<long long>(p.id));
  return 0;
}

}  // namespace

void RegisterProject(CLI::App& app) {
  CLI::App* project = app.add_subcommand("project", "Manage projects");
  project->require_subcommand(1);
  auto opts = std::make_shared<ProjectCreateOptions>();
  CLI::App* create = project->add_subcommand("create", "Create a project; prints its id");
  AddDataOption(create, &opts->data);
  create->add_option("--title", opts->title, "Title")->required();
  create->add_option("--config", opts->config_path, "Labeling config XML file")
      ->required()
      ->check(CLI::ExistingFile);
  create->add_option("--description", opts->description, "Description");
  create->add_option("--owner", opts->owner, "Owner's email (default: the first admin)");
  create->add_option("--overlap", opts->overlap, "Annotations wanted per task")
      ->check(CLI::Range(1, 1000));
  create->callback([opts] { std::exit(RunProjectCreate(*opts)); });
}

}  // namespace tessera::cli
