#include "server/quality_cache.h"

#include <algorithm>
#include <atomic>

#include "server/cache_entries.h"
#include "server/cache_reads.h"

namespace tessera::server {

namespace {
constexpr size_t kMaxMemos = 256;
}  // namespace

struct QualityCache::Entry {
  std::mutex mu;
  uint64_t used = 0;  // guarded by QualityCache::mu_
  std::string config_xml;
  std::shared_ptr<const LabelingConfig> config;
  std::unique_ptr<AgreementBuilder> builder;
  int64_t seq = 0;
  // Whether `builder` is set, readable without `mu` (which a rebuild holds
  // for the whole read of the project).
  std::atomic<bool> built{false};
  // Readable without `mu`: the position and task count of `builder`, the hash
  // of its config, and the hash of the last config that did not parse.
  std::atomic<int64_t> published_seq{0};
  std::atomic<size_t> published_tasks{0};
  std::atomic<size_t> config_hash{0};
  std::atomic<size_t> bad_config_hash{0};

  void Publish() {
    published_seq = seq;
    published_tasks = builder->task_count();
    config_hash = std::hash<std::string>()(config_xml);
    built = true;
  }
  // Whether bringing the entry up to date for `project` with `changes`
  // reads the project whole (the lock-free twin is QualityCache::NeedsWholeRead).
  bool WholeReadNeeded(const Project& project, const TaskChanges& changes) const {
    return !builder || config_xml != project.label_config || ReadWholeProject(changes, builder->task_count());
  }
  // The project's config for a new builder; when it does not parse, the
  // entry is left unbuilt and remembers that config as bad.
  Result<std::shared_ptr<const LabelingConfig>> ConfigFor(const Project& project) {
    auto parsed = ParseLabelingConfig(project.label_config);
    if (parsed.ok()) return std::shared_ptr<const LabelingConfig>(std::move(*parsed));
    built = false;
    builder.reset();
    bad_config_hash = std::hash<std::string>()(project.label_config);
    return Status::FailedPrecondition(
        "the project's labeling config does not parse, so quality statistics cannot be "
        "computed: " + parsed.status().message());
  }
};

std::shared_ptr<QualityCache::Entry> QualityCache::Acquire(const Key& key) {
  std::lock_guard<std::mutex> lock(mu_);
  return AcquireEntry(entries_, key, capacity_, &clock_);
}

Status QualityCache::With(Store& store, const Project& project, const AgreementOptions& options,
                          const std::function<Status(const QualitySnapshot&)>& fn) {
  if (lane_ == nullptr) return Update(store, project, options, fn);
  return lane_->Run([&] { return Update(store, project, options, fn); });
}

bool QualityCache::NeedsWholeRead(Store& store, const Project& project, const AgreementOptions& options) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = entries_.find({project.id, options.iou_threshold});
    if (found == entries_.end()) return true;
    entry = found->second;
  }
  const size_t config = std::hash<std::string>()(project.label_config);
  // A config that does not parse needs no read to be refused again.
  if (!entry->built) return entry->bad_config_hash != config;
  if (entry->config_hash != config) return true;
  auto changes = ChangesSince(store, project.id, entry->published_seq);
  // An error is With's to report.
  return changes.ok() && ReadWholeProject(*changes, entry->published_tasks);
}

bool QualityCache::Built(Id project_id, const AgreementOptions& options) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = entries_.find({project_id, options.iou_threshold});
    if (found == entries_.end()) return false;
    entry = found->second;
  }
  return entry->built.load();
}

// A whole-project read into one entry: a new builder under the project's
// current config, which replaces the entry's once every task is in.
class QualityCache::FullRead final : public FullReadSink {
 public:
  // `lock`, when it owns one, is the entry's, kept until the read is done.
  FullRead(std::shared_ptr<Entry> entry, std::unique_lock<std::mutex> lock,
           std::shared_ptr<const LabelingConfig> config, std::string config_xml, const AgreementOptions& options)
      : entry_(std::move(entry)),
        lock_(std::move(lock)),
        config_(std::move(config)),
        config_xml_(std::move(config_xml)),
        builder_(std::make_unique<AgreementBuilder>(*config_, options)) {
    entry_->built = false;
    entry_->builder.reset();
  }
  void StartSlice(size_t count) override { prepared_.resize(count); }
  void Prepare(const std::vector<TaskBundle>& slice, size_t begin, size_t end) override {
    for (size_t task_idx = begin; task_idx < end; ++task_idx) prepared_[task_idx] = builder_->Prepare(slice[task_idx]);
  }
  void Add(const std::vector<TaskBundle>& slice, size_t count) override {
    (void)slice;
    for (size_t task_idx = 0; task_idx < count; ++task_idx) builder_->Add(std::move(prepared_[task_idx]));
    tasks_ += count;
  }
  void Finish(int64_t seq) override {
    entry_->config = std::move(config_);
    entry_->config_xml = std::move(config_xml_);
    entry_->builder = std::move(builder_);
    entry_->seq = seq;
    entry_->Publish();
  }
  size_t tasks() const { return tasks_; }

 private:
  std::shared_ptr<Entry> entry_;
  std::unique_lock<std::mutex> lock_;
  std::shared_ptr<const LabelingConfig> config_;
  std::string config_xml_;
  std::unique_ptr<AgreementBuilder> builder_;  // refers to *config_
  std::vector<PreparedTask> prepared_;         // the slice's, between Prepare and Add
  size_t tasks_ = 0;
};

Result<std::unique_ptr<FullReadSink>> QualityCache::BeginFullRead(Store& store, const Project& project,
                                                                  const AgreementOptions& options) {
  std::shared_ptr<Entry> entry = Acquire({project.id, options.iou_threshold});
  std::unique_lock<std::mutex> lock(entry->mu);
  TESSERA_ASSIGN_OR_RETURN(TaskChanges changes, ChangesSince(store, project.id, entry->seq));
  if (!entry->WholeReadNeeded(project, changes)) return std::unique_ptr<FullReadSink>();
  TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<const LabelingConfig> config, entry->ConfigFor(project));
  return std::unique_ptr<FullReadSink>(std::make_unique<FullRead>(
      std::move(entry), std::move(lock), std::move(config), project.label_config, options));
}

Status QualityCache::Update(Store& store, const Project& project, const AgreementOptions& options,
                            const std::function<Status(const QualitySnapshot&)>& fn) {
  std::shared_ptr<Entry> entry = Acquire({project.id, options.iou_threshold});
  std::lock_guard<std::mutex> lock(entry->mu);
  // Read the position first: anything that changes after it is seen (again)
  // next time, and re-reading a task is idempotent.
  TESSERA_ASSIGN_OR_RETURN(TaskChanges changes, ChangesSince(store, project.id, entry->seq));
  const bool rebuild = entry->WholeReadNeeded(project, changes);
  size_t reloaded = 0;
  if (rebuild) {
    TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<const LabelingConfig> config, entry->ConfigFor(project));
    // Only tasks with an annotation have a share (AgreementBuilder keeps no
    // other): a 10M-task project 10% done reads 1M tasks.
    FullRead read(entry, std::unique_lock<std::mutex>(), std::move(config), project.label_config, options);
    TESSERA_RETURN_IF_ERROR(ReadWholeProjectInto(store, project.id, {&read}, lane_));
    reloaded = read.tasks();
  } else {
    for (Id task_id : changes.task_ids) {
      // The builder needs the task's id and annotations only; NotFound: the
      // task was deleted.
      auto annotations = store.ListAnnotations(task_id);
      if (!annotations.ok() && annotations.status().code() == Code::kNotFound) {
        entry->builder->RemoveTask(task_id);
        continue;
      }
      TESSERA_RETURN_IF_ERROR(annotations.status());
      TaskBundle bundle;
      bundle.task.id = task_id;
      bundle.annotations = std::move(*annotations);
      entry->builder->AddTask(bundle);
      ++reloaded;
    }
    entry->seq = changes.seq;
    entry->Publish();
  }
  return fn(QualitySnapshot{*entry->config, *entry->builder, entry->seq, rebuild, reloaded});
}

std::optional<nlohmann::json> QualityCache::Lookup(Id project_id, const std::string& key, int64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = memos_.find({project_id, key});
  if (it == memos_.end() || it->second.seq != seq) return std::nullopt;
  it->second.used = ++clock_;
  return it->second.value;
}

void QualityCache::Remember(Id project_id, const std::string& key, int64_t seq, nlohmann::json value) {
  std::lock_guard<std::mutex> lock(mu_);
  memos_[{project_id, key}] = {seq, std::move(value), ++clock_};
  if (memos_.size() > kMaxMemos) {
    auto oldest = std::min_element(memos_.begin(), memos_.end(), [](const auto& a, const auto& b) {
      return a.second.used < b.second.used;
    });
    memos_.erase(oldest);
  }
}

}  // namespace tessera::server
