#include "server/quality_cache.h"

#include <algorithm>
#include <atomic>

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
};

std::shared_ptr<QualityCache::Entry> QualityCache::Acquire(const Key& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = entries_[key];
  if (!slot) slot = std::make_shared<Entry>();
  slot->used = ++clock_;
  if (entries_.size() > capacity_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second->used < b.second->used;
    });
    if (oldest->first != key) entries_.erase(oldest);  // in-flight users keep their shared_ptr
  }
  return slot;
}

Status QualityCache::With(Store& store, const Project& project, const AgreementOptions& options,
                          const std::function<Status(const QualitySnapshot&)>& fn) {
  if (lane_ == nullptr) return Update(store, project, options, fn);
  return lane_->Run([&] { return Update(store, project, options, fn); });
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

Status QualityCache::Update(Store& store, const Project& project, const AgreementOptions& options,
                            const std::function<Status(const QualitySnapshot&)>& fn) {
  std::shared_ptr<Entry> entry = Acquire({project.id, options.iou_threshold});
  std::lock_guard<std::mutex> lock(entry->mu);
  // Read the position first: anything that changes after it is seen (again)
  // next time, and re-reading a task is idempotent.
  TESSERA_ASSIGN_OR_RETURN(TaskChanges changes, store.TaskChangesSince(project.id, entry->seq));
  bool rebuild = !entry->builder || entry->config_xml != project.label_config ||
                 ReadWholeProject(changes, entry->builder->task_count());
  size_t reloaded = 0;
  if (rebuild) {
    auto parsed = ParseLabelingConfig(project.label_config);
    if (!parsed.ok()) {
      entry->built = false;
      entry->builder.reset();
      return Status::FailedPrecondition(
          "the project's labeling config does not parse, so quality statistics cannot be "
          "computed: " + parsed.status().message());
    }
    entry->built = false;
    entry->builder.reset();
    entry->config = std::move(*parsed);
    entry->config_xml = project.label_config;
    auto builder = std::make_unique<AgreementBuilder>(*entry->config, options);
    // Only tasks with an annotation have a share (AgreementBuilder keeps no
    // other): a 10M-task project 10% done reads 1M tasks.
    TaskQuery query;
    query.project_id = project.id;
    TaskFilter annotated;
    annotated.column = "total_annotations";
    annotated.op = "greater";
    annotated.number = 0;
    query.filters.push_back(annotated);
    TESSERA_RETURN_IF_ERROR(ForEachTaskBundleSliced(store, query, kSliceTasks, [&](const TaskBundle& bundle) {
      if (lane_ != nullptr && lane_->stopping()) return Status::Unavailable("the server is stopping");
      builder->AddTask(bundle);
      ++reloaded;
      return Status::Ok();
    }));
    entry->builder = std::move(builder);
    entry->built = true;
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
  }
  entry->seq = changes.seq;
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
