// tessera import: stream task files into a project.
#include <cstdio>

#include "cli/common.h"
#include "tessera/config.h"
#include "tessera/formats.h"
#include "tessera/import.h"
#include "tessera/util.h"

namespace tessera::cli {

namespace {

struct ImportCliOptions {
  DataOptions data;
  int64_t project = 0;
  std::vector<std::string> files;
  bool no_validate = false;
  std::string format;          // a dataset format (COCO, VOC, YOLO, YOLO_OBB, CVAT, CVAT_VIDEO, CONLL2003, TFRECORD)
  bool as_predictions = false;
  bool to_existing_tasks = false;
  std::string image_prefix;
};

int RunDatasetImport(const ImportCliOptions& o, Store& store, const Project& project) {
  DatasetImportOptions options;
  options.as_predictions = o.as_predictions;
  options.image_prefix = o.image_prefix;
  options.to_existing_tasks = o.to_existing_tasks;
  int64_t regions = 0;
  for (const std::string& path : o.files) {
    auto report = ImportDataset(store, o.project, 0, o.format, path, options);
    if (!report.ok()) return Fail(report.status().WithPrefix(path));
    std::printf("%s: %s%lld tasks, %lld regions (%s)\n", path.c_str(),
                o.to_existing_tasks ? "added to " : "", static_cast<long long>(report->tasks),
                static_cast<long long>(report->regions), o.as_predictions ? "predictions" : "annotations");
    for (const std::string& line : report->unmatched) std::printf("  not imported: %s\n", line.c_str());
    regions += report->regions;
  }
  if (regions > 0 && !o.as_predictions) CountDashboards(store, project);
  return 0;
}

int RunImport(const ImportCliOptions& o) {
  auto store = OpenStore(o.data);
  if (!store.ok()) return Fail(store.status());
  auto project = (*store)->GetProject(o.project);
  if (!project.ok()) return Fail(project.status());
  if (!o.format.empty()) return RunDatasetImport(o, **store, *project);
  if (o.to_existing_tasks) {
    return Fail(Status::InvalidArgument(
        "--to-existing-tasks works with --format (COCO, VOC, YOLO, CVAT, TFRECORD): task files (.json, .jsonl, "
        ".csv) always create tasks"));
  }
  std::shared_ptr<const LabelingConfig> cfg;
  if (auto parsed = ParseLabelingConfig(project->label_config); parsed.ok()) cfg = *parsed;
  ImportOptions options;
  if (cfg) {
    options.parse.data_keys = cfg->data_keys();
    if (!o.no_validate) {
      options.parse.validator = [cfg](const NewTask& task, int64_t) {
        return ValidateTaskResults(*cfg, task);
      };
    }
  }
  bool tty = StdoutIsTerminal();
  int64_t annotations = 0;
  for (const std::string& file : o.files) {
    auto format = FormatFromFileName(file);
    if (!format.ok()) return Fail(format.status().WithPrefix(file));
    ImportOptions per_file = options;
    if (tty) {
      per_file.progress = [&file](int64_t done) {
        std::printf("\r%s: %lld tasks", file.c_str(), static_cast<long long>(done));
        std::fflush(stdout);
      };
    }
    auto report = ImportTasks(**store, o.project, 0, ImportSource::File(file, *format), per_file);
    if (tty) std::printf("\r");
    if (!report.ok()) return Fail(report.status().WithPrefix(file));
    std::printf("%s: %lld tasks, %lld annotations, %lld predictions in %.2f s\n", file.c_str(),
                static_cast<long long>(report->task_count),
                static_cast<long long>(report->annotation_count),
                static_cast<long long>(report->prediction_count), report->duration);
    annotations += report->annotation_count;
  }
  if (annotations > 0) CountDashboards(**store, *project);
  return 0;
}

}  // namespace

void RegisterImport(CLI::App& app) {
  auto opts = std::make_shared<ImportCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Import task files (.json .jsonl .csv .tsv .txt; format from the extension)");
  AddDataOption(cmd, &opts->data);
  cmd->add_option("--project", opts->project, "Project id")->required();
  cmd->add_option("files", opts->files,
                  "Files (with --format: dataset folders or files, or a .zip of either) to import")
      ->required()
      ->check(CLI::ExistingPath);
  cmd->add_option("--format", opts->format,
                  "Import a dataset in this format (COCO, VOC, YOLO, YOLO_OBB, CVAT, CVAT_VIDEO, CONLL2003, TFRECORD) "
                  "instead of Label Studio task files; CVAT into a project with <Video> and <VideoRectangle> "
                  "reads CVAT for video tracks");
  cmd->add_flag("--as-predictions", opts->as_predictions,
                "With --format: store the regions as predictions, not annotations");
  cmd->add_flag("--to-existing-tasks", opts->to_existing_tasks,
                "With --format: add the regions to the project's tasks whose image has the same file name "
                "(e.g. predictions for uploaded images) instead of creating tasks; unmatched images are listed");
  cmd->add_option("--image-prefix", opts->image_prefix,
                  "With --format: prefix for image paths in task data (e.g. /data/upload/3/)");
  cmd->add_flag("--no-validate", opts->no_validate,
                "Skip checking annotation results against the labeling config");
  cmd->callback([opts] { std::exit(RunImport(*opts)); });
}

}  // namespace tessera::cli
