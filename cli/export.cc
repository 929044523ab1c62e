// tessera export: write a project's annotations in a dataset format.
// --out ending in .zip gets a zip of the format's files; otherwise a
// single-file format (JSON, JSONL, JSON_MIN, CSV, TSV, CVAT, CVAT_VIDEO, CONLL2003, SPACY) goes to the file
// --out and a multi-file one (COCO, VOC, YOLO, ...) to the folder --out, laid
// out as the format lays it out.
#include <cstdio>
#include <cstdlib>

#include "cli/common.h"
#include "tessera/background_file.h"
#include "tessera/formats.h"
#include "tessera/util.h"

namespace tessera::cli {

namespace {

namespace fs = std::filesystem;

struct ExportCliOptions {
  DataOptions data;
  int64_t project = 0;
  std::string format = "JSON";
  std::string out;
  std::string annotations = "all";
  bool all_tasks = false;
  bool images = false;  // --images: LS's download_resources
  std::string split;  // "0.8,0.1,0.1"
  uint64_t seed = 0;
};

// Writes to `path + ".partial"` and renames on success, so a failed export
// leaves no half-written file behind.
Result<DatasetExportReport> ExportToFile(Store& store, const ExportCliOptions& o, const FormatInfo& format,
                                         const DatasetExportOptions& options, bool zip) {
  std::string tmp = o.out + ".partial";
  // write(2) on a second thread: the kernel's copying overlaps the export's.
  // The full buffers bypass the page cache (O_DIRECT) where the file system
  // allows it: the kernel's copy was a quarter of a JSON export's CPU time.
  BackgroundFileStream out(tmp, BackgroundFileStream::CacheMode::kDirect);
  if (!out) return out.Close();
  auto sink = zip ? NewZipSink(out) : NewSingleFileSink(out);
  auto report = ExportDataset(store, o.project, format.name, *sink, options);
  Status closed = out.Close();
  Status s = report.status();
  if (s.ok()) s = closed;
  if (!s.ok()) {
    std::remove(tmp.c_str());
    return s;
  }
  if (std::rename(tmp.c_str(), o.out.c_str()) != 0) return Status::IOError("cannot rename " + tmp + " to " + o.out);
  return report;
}

int RunExport(const ExportCliOptions& o) {
  const FormatInfo* format = FindFormat(o.format);
  if (!format) {
    std::string names;
    for (const FormatInfo& f : Formats()) names += (names.empty() ? "" : ", ") + f.name;
    return Fail(Status::InvalidArgument("--format " + o.format + " is not known; use one of " + names));
  }
  DatasetExportOptions options;
  auto selection = ParseAnnotationSelection(o.annotations);
  if (!selection.ok()) return Fail(selection.status());
  options.selection = *selection;
  options.download_all_tasks = o.all_tasks;
  options.include_images = o.images;
  options.split = o.split;
  options.seed = o.seed;
  options.media_root = fs::path(o.data.data_dir) / "media";  // uploads, for formats that embed images
  // An export reads the database once, in order: pages kept mapped
  // (PRAGMA mmap_size, 256 MiB by default) would only add to its resident
  // memory. 64 MiB keeps most of the map's saving over read(2) copies.
  setenv("TESSERA_SQLITE_MMAP_MB", "64", /*overwrite=*/0);
  auto store = OpenStore(o.data);
  if (!store.ok()) return Fail(store.status());
  auto project = (*store)->GetProject(o.project);
  if (!project.ok()) return Fail(project.status());
  if (StdoutIsTerminal()) {
    options.progress = [](int64_t done) {
      std::printf("\r%lld tasks", static_cast<long long>(done));
      std::fflush(stdout);
    };
  }
  Result<DatasetExportReport> report = Status::Internal("not run");
  const bool zip = EndsWith(ToLower(o.out), ".zip");
  if (!format->multi_file || zip) {
    report = ExportToFile(**store, o, *format, options, zip);
  } else {
    auto sink = NewFolderSink(o.out);
    report = ExportDataset(**store, o.project, format->name, *sink, options);
  }
  if (!report.ok()) return Fail(report.status());
  if (StdoutIsTerminal()) std::printf("\r");
  std::printf("wrote %s\n", o.out.c_str());
  for (const auto& [reason, count] : report->skipped) {
    std::printf("  not exported: %s (%lld)\n", reason.c_str(), static_cast<long long>(count));
  }
  return 0;
}

}  // namespace

void RegisterExport(CLI::App& app) {
  auto opts = std::make_shared<ExportCliOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Export a project");
  AddDataOption(cmd, &opts->data);
  cmd->add_option("--project", opts->project, "Project id")->required();
  std::string names;
  for (const FormatInfo& f : Formats()) names += (names.empty() ? "" : ", ") + f.name;
  cmd->add_option("--format", opts->format, "One of " + names)->capture_default_str();
  cmd->add_option("--out", opts->out, "Output file, .zip, or folder (multi-file formats)")->required();
  cmd->add_option("--annotations", opts->annotations, "Which annotations: all, latest, accepted (by review), ground_truth or consensus (merged by majority)")
      ->capture_default_str();
  cmd->add_flag("--all-tasks", opts->all_tasks, "Include tasks without annotations");
  cmd->add_flag("--images,--download-resources", opts->images,
                "Put the task images (uploads in the data folder) into the export (COCO: images/)");
  cmd->add_option("--split", opts->split,
                  "Train/val/test ratios, e.g. 0.8,0.1,0.1 (stratified by each task's first label)");
  cmd->add_option("--seed", opts->seed, "Seed of the --split assignment")->capture_default_str();
  cmd->callback([opts] { std::exit(RunExport(*opts)); });
}

}  // namespace tessera::cli
