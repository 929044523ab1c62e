// tessera agreement: inter-annotator agreement of any Label Studio JSON/JSONL
// export (ours or Label Studio's), without a server or a database.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/common.h"
#include "tessera/agreement.h"
#include "tessera/import.h"

namespace tessera::cli {

namespace {

struct AgreementCliOptions {
  std::string config_path;
  std::string export_path;
  std::string out;
  double iou = 0.5;
};

int RunAgreement(const AgreementCliOptions& o) {
  std::ifstream in(o.config_path, std::ios::binary);
  if (!in) return Fail(Status::IOError("cannot read --config " + o.config_path));
  std::stringstream ss;
  ss << in.rdbuf();
  auto cfg = ParseLabelingConfig(ss.str());
  if (!cfg.ok()) return Fail(cfg.status().WithPrefix(o.config_path));
  auto format = FormatFromFileName(o.export_path);
  if (!format.ok()) return Fail(format.status().WithPrefix(o.export_path));
  AgreementOptions options;
  options.iou_threshold = o.iou;
  AgreementBuilder builder(**cfg, options);
  Id next_task = 1;
  Id next_annotation = 1;
  ParseOptions parse;
  auto stats = ParseTasks(ImportSource::File(o.export_path, *format), parse,
                          [&](std::span<const NewTask> batch) {
                            for (const NewTask& t : batch) {
                              // Tasks are numbered by their position in the file.
                              TaskBundle bundle;
                              bundle.task.id = next_task++;
                              bundle.annotations = t.annotations;
                              for (Annotation& a : bundle.annotations) a.id = next_annotation++;
                              builder.AddTask(bundle);
                            }
                            return Status::Ok();
                          });
  if (!stats.ok()) return Fail(stats.status().WithPrefix(o.export_path));
  auto report = builder.Finish();
  if (!report.ok()) return Fail(report.status());
  std::string text = AgreementReportToJson(*report).dump(2);
  if (o.out.empty()) {
    std::printf("%s\n", text.c_str());
  } else {
    std::ofstream out(o.out, std::ios::binary);
    out << text << "\n";
    if (!out) return Fail(Status::IOError("cannot write " + o.out));
  }
  return 0;
}

}  // namespace

void RegisterAgreement(CLI::App& app) {
  auto opts = std::make_shared<AgreementCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "agreement", "Inter-annotator agreement of a Label Studio JSON/JSONL export (prints JSON)");
  cmd->add_option("--config", opts->config_path, "The project's labeling config XML")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--export", opts->export_path, "Export file (.json or .jsonl)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--iou", opts->iou, "IoU threshold for matching regions")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--out", opts->out, "Write the report here instead of stdout");
  cmd->callback([opts] { std::exit(RunAgreement(*opts)); });
}

}  // namespace tessera::cli
