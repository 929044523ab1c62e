// tessera export: write a project's annotations to a file.
#include <cstdio>
#include <fstream>

#include "cli/common.h"
#include "tessera/export.h"

namespace tessera::cli {

namespace {

struct ExportCliOptions {
  DataOptions data;
  int64_t project = 0;
  std::string format = "JSON";
  std::string out;
  bool all_tasks = false;
};

int RunExport(const ExportCliOptions& o) {
  ExportOptions options;
  if (o.format == "JSON") {
    options.format = ExportFormat::kJson;
  } else if (o.format == "JSONL") {
    options.format = ExportFormat::kJsonl;
  } else {
    return Fail(Status::InvalidArgument("--format " + o.format +
                                        " is not supported yet; supported: JSON, JSONL"));
  }
  options.download_all_tasks = o.all_tasks;
  auto store = OpenStore(o.data);
  if (!store.ok()) return Fail(store.status());
  auto project = (*store)->GetProject(o.project);
  if (!project.ok()) return Fail(project.status());
  std::string tmp = o.out + ".partial";
  std::ofstream out(tmp, std::ios::binary);
  if (!out) return Fail(Status::IOError("cannot write " + tmp));
  if (StdoutIsTerminal()) {
    options.progress = [](int64_t done) {
      std::printf("\r%lld tasks", static_cast<long long>(done));
      std::fflush(stdout);
    };
  }
  Status s = ExportLsJson(**store, o.project, out, options);
  out.close();
  if (s.ok() && !out) s = Status::IOError("writing " + tmp + " failed");
  if (!s.ok()) {
    std::remove(tmp.c_str());
    return Fail(s);
  }
  if (std::rename(tmp.c_str(), o.out.c_str()) != 0) {
    return Fail(Status::IOError("cannot rename " + tmp + " to " + o.out));
  }
  if (StdoutIsTerminal()) std::printf("\r");
  std::printf("wrote %s\n", o.out.c_str());
  return 0;
}

}  // namespace

void RegisterExport(CLI::App& app) {
  auto opts = std::make_shared<ExportCliOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Export a project");
  AddDataOption(cmd, &opts->data);
  cmd->add_option("--project", opts->project, "Project id")->required();
  cmd->add_option("--format", opts->format, "JSON or JSONL")->capture_default_str();
  cmd->add_option("--out", opts->out, "Output file")->required();
  cmd->add_flag("--all-tasks", opts->all_tasks, "Include tasks without annotations");
  cmd->callback([opts] { std::exit(RunExport(*opts)); });
}

}  // namespace tessera::cli
