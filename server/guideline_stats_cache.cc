#include "server/guideline_stats_cache.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/api/honeypot_score.h"
#include "server/cache_entries.h"
#include "server/cache_reads.h"
#include "tessera/config.h"

namespace tessera::server {

namespace {

// What one annotation (not ground truth) of a task contributed.
struct Part {
  int version = 0;
  Id author = 0;
  bool skipped = false;
  HoneypotScore honeypot = HoneypotScore::kNone;
};

struct VersionState {
  std::unique_ptr<AgreementBuilder> builder;
  int64_t annotations = 0, skipped = 0, tasks = 0;
  int64_t honeypot_answered = 0, honeypot_correct = 0;
  std::map<Id, int64_t> authors;  // submitted annotations per author
};

}  // namespace

struct GuidelineStatsCache::Entry {
  std::mutex mu;
  uint64_t used = 0;  // guarded by GuidelineStatsCache::mu_
  std::string config_xml;
  std::shared_ptr<const LabelingConfig> config;
  bool built = false;
  int64_t seq = 0;
  // What NeedsWholeRead reads without the entry's lock: set at the end of
  // each update.
  std::atomic<bool> published{false};
  std::atomic<size_t> published_config{0};  // hash of config_xml
  std::atomic<int64_t> published_seq{0};
  std::atomic<size_t> published_tasks{0};
  std::map<int, VersionState> versions;
  std::unordered_map<Id, std::vector<Part>> tasks;

  VersionState& Version(int version) {
    VersionState& v = versions[version];
    if (!v.builder) v.builder = std::make_unique<AgreementBuilder>(*config);
    return v;
  }

  void Clear() {
    built = false;
    published = false;
    versions.clear();
    tasks.clear();
  }

  // Takes back what the task contributed.
  void Remove(Id task_id) {
    auto it = tasks.find(task_id);
    if (it == tasks.end()) return;
    std::set<int> submitted_under;
    for (const Part& p : it->second) {
      VersionState& v = versions[p.version];
      if (p.skipped) {
        --v.skipped;
        continue;
      }
      --v.annotations;
      if (p.author > 0) {
        auto author = v.authors.find(p.author);
        if (--author->second == 0) v.authors.erase(author);
      }
      if (p.honeypot != HoneypotScore::kNone) {
        --v.honeypot_answered;
        v.honeypot_correct -= p.honeypot == HoneypotScore::kRight;
      }
      submitted_under.insert(p.version);
    }
    for (int version : submitted_under) {
      VersionState& v = versions[version];
      --v.tasks;
      v.builder->RemoveTask(task_id);
    }
    tasks.erase(it);
  }

  // Replaces what the task contributes with its current annotations: split
  // by the guideline version they were made under, each version's agreement
  // over its own annotations only; honeypot answers scored as the dashboard
  // cache scores them.
  void Set(Id task_id, const std::vector<Annotation>& annotations) {
    Remove(task_id);
    const std::vector<HoneypotScore> honeypots = ScoreHoneypotAnswers(annotations);
    std::map<int, TaskBundle> by_version;
    std::vector<Part> parts;
    for (size_t idx = 0; idx < annotations.size(); ++idx) {
      const Annotation& a = annotations[idx];
      if (a.ground_truth) continue;
      Part p;
      p.version = a.guideline_version;
      p.author = a.completed_by;
      p.skipped = a.was_cancelled;
      p.honeypot = honeypots.empty() ? HoneypotScore::kNone : honeypots[idx];
      VersionState& v = Version(p.version);
      parts.push_back(p);
      if (p.skipped) {
        ++v.skipped;
        continue;
      }
      ++v.annotations;
      if (p.author > 0) ++v.authors[p.author];
      if (p.honeypot != HoneypotScore::kNone) {
        ++v.honeypot_answered;
        v.honeypot_correct += p.honeypot == HoneypotScore::kRight;
      }
      TaskBundle& part = by_version[p.version];
      part.task.id = task_id;
      part.annotations.push_back(a);
    }
    for (auto& [version, part] : by_version) {
      VersionState& v = Version(version);
      ++v.tasks;
      v.builder->AddTask(part);
    }
    if (!parts.empty()) tasks[task_id] = std::move(parts);
  }

  std::map<int, GuidelineTally> Tallies() const {
    std::map<int, GuidelineTally> out;
    for (const auto& [version, v] : versions) {
      // A version whose last annotation went is not listed (a fresh count
      // would not have seen it); published versions are listed by the route.
      if (v.annotations == 0 && v.skipped == 0) continue;
      GuidelineTally& t = out[version];
      t.annotations = v.annotations;
      t.skipped = v.skipped;
      t.annotators = static_cast<int64_t>(v.authors.size());
      t.tasks = v.tasks;
      t.honeypot_answered = v.honeypot_answered;
      t.honeypot_correct = v.honeypot_correct;
      t.builder = v.builder.get();
    }
    return out;
  }
};

GuidelineStatsCache::~GuidelineStatsCache() = default;

std::shared_ptr<GuidelineStatsCache::Entry> GuidelineStatsCache::Acquire(Id project_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return AcquireEntry(entries_, project_id, capacity_, &clock_);
}

Status GuidelineStatsCache::With(
    Store& store, const Project& project,
    const GuidelineStatsFn& fn) {
  if (lane_ == nullptr) return Update(store, project, fn);
  return lane_->Run([&] { return Update(store, project, fn); });
}

Status GuidelineStatsCache::Update(
    Store& store, const Project& project,
    const GuidelineStatsFn& fn) {
  std::shared_ptr<Entry> entry = Acquire(project.id);
  std::lock_guard<std::mutex> lock(entry->mu);
  // The position first: whatever changes after it is read again next time,
  // and re-reading a task is idempotent.
  TESSERA_ASSIGN_OR_RETURN(TaskChanges changes, ChangesSince(store, project.id, entry->seq));
  if (!entry->built || entry->config_xml != project.label_config ||
      ReadWholeProject(changes, entry->tasks.size())) {
    entry->Clear();
    auto parsed = ParseLabelingConfig(project.label_config);
    if (!parsed.ok()) {
      return Status::FailedPrecondition(
          "the project's labeling config does not parse, so quality statistics cannot be "
          "computed: " + parsed.status().message());
    }
    entry->config = std::shared_ptr<const LabelingConfig>(std::move(*parsed));
    entry->config_xml = project.label_config;
    TESSERA_RETURN_IF_ERROR(ForEachAnnotatedSlice(
        store, project.id, kSliceAnnotations, [&](const std::vector<TaskBundle>& slice, size_t count) -> Status {
          if (lane_ != nullptr && lane_->stopping()) return Status::Unavailable("the server is stopping");
          for (size_t task_idx = 0; task_idx < count; ++task_idx) {
            entry->Set(slice[task_idx].task.id, slice[task_idx].annotations);
          }
          return Status::Ok();
        }));
    entry->built = true;
  } else {
    for (Id task_id : changes.task_ids) {
      auto annotations = store.ListAnnotations(task_id);
      if (!annotations.ok() && annotations.status().code() == Code::kNotFound) {
        entry->Remove(task_id);  // deleted
        continue;
      }
      TESSERA_RETURN_IF_ERROR(annotations.status());
      entry->Set(task_id, *annotations);
    }
  }
  entry->seq = changes.seq;
  entry->published_config = std::hash<std::string>()(entry->config_xml);
  entry->published_seq = entry->seq;
  entry->published_tasks = entry->tasks.size();
  entry->published = true;
  return fn(*entry->config, entry->Tallies(), entry->seq);
}

void GuidelineStatsCache::Forget(Id project_id) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(project_id);  // a request holding it keeps its copy until done
}

bool GuidelineStatsCache::NeedsWholeRead(Store& store, const Project& project) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = entries_.find(project.id);
    if (found == entries_.end()) return true;
    entry = found->second;
  }
  if (!entry->published || entry->published_config != std::hash<std::string>()(project.label_config)) return true;
  auto changes = ChangesSince(store, project.id, entry->published_seq);
  // An error is With's to report.
  return changes.ok() && ReadWholeProject(*changes, entry->published_tasks);
}

void GuidelineStatsCache::BuildSoon(Store& store, const Project& project) {
  if (lane_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!building_.insert(project.id).second) return;
  }
  lane_->Post([this, &store, project]() -> Status {
    // Errors (a config that does not parse, a stopping lane) are the next request's to report.
    (void)Update(store, project, [](const LabelingConfig&, const std::map<int, GuidelineTally>&, int64_t) {
      return Status::Ok();
    });
    std::lock_guard<std::mutex> lock(mu_);
    building_.erase(project.id);
    return Status::Ok();
  });
}

}  // namespace tessera::server
