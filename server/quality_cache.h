// QualityCache: per-project agreement state kept between requests and brought
// up to date from the store's task change log, so a quality request after a
// few submits re-reads only the tasks that changed.
//
// Each entry holds the project's parsed labeling config and an
// AgreementBuilder (include/tessera/agreement.h) with every task's share, and
// the change-log position it reflects. On use: a changed labeling config, a
// bulk change (import, delete all) or a position the log no longer covers
// rebuilds the entry from every task; otherwise the changed tasks are re-read
// and replaced (or removed, when deleted). Other results derived from the
// whole project (detection evaluation, ...) are memoised per position.
//
// Thread-safety: safe for concurrent use. Requests for the same project and
// options are serialised while the entry is updated; others run in parallel.
#ifndef TESSERA_SERVER_QUALITY_CACHE_H_
#define TESSERA_SERVER_QUALITY_CACHE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "server/cache_reads.h"
#include "server/low_priority_lane.h"
#include "tessera/agreement.h"
#include "tessera/store.h"

namespace tessera::server {

struct QualitySnapshot {
  const LabelingConfig& config;
  const AgreementBuilder& builder;
  int64_t seq = 0;             // change-log position the builder reflects
  bool full_rebuild = false;   // this call re-read the whole project
  size_t reloaded_tasks = 0;   // tasks this call re-read
};

class QualityCache {
 public:
  // Entries kept (least recently used dropped beyond it).
  // With a lane, the update and `fn` run on it (see low_priority_lane.h).
  explicit QualityCache(size_t capacity = 32, LowPriorityLane* lane = nullptr)
      : capacity_(capacity), lane_(lane) {}

  // Brings the entry for (project, options) up to date and calls fn with it
  // while holding the entry's lock. FailedPrecondition when the project's
  // labeling config does not parse.
  Status With(Store& store, const Project& project, const AgreementOptions& options,
              const std::function<Status(const QualitySnapshot&)>& fn);

  // Builds (or brings up to date) the entry for (project, options) and calls
  // fn with it, as With does, but on the calling thread: for work already on
  // the lane (DashboardSource's rebuilds).
  Status RefreshWith(Store& store, const Project& project, const AgreementOptions& options,
                     const std::function<Status(const QualitySnapshot&)>& fn) {
    return Update(store, project, options, fn);
  }
  // Whether an entry for (project, options) is built; never waits for an
  // update under way (DashboardSource asks before choosing a snapshot).
  bool Built(Id project_id, const AgreementOptions& options);

  // Whether bringing the entry up to date reads the whole project: it is not
  // built (unless its config did not parse: that needs no read), the
  // labeling config changed, or a bulk change or many changed tasks came
  // since (see StatsCache::NeedsWholeRead). Never waits for an update.
  bool NeedsWholeRead(Store& store, const Project& project, const AgreementOptions& options);
  // The entry for (project, options), locked and to be built by a
  // whole-project read shared with another cache (ReadWholeProjectInto); null
  // when it is built under the project's config and needs no whole read.
  // Holds the entry's lock until destroyed (see StatsCache::BeginFullRead).
  // FailedPrecondition when the labeling config does not parse.
  Result<std::unique_ptr<FullReadSink>> BeginFullRead(Store& store, const Project& project,
                                                     const AgreementOptions& options);

  // Memoised whole-project results, valid for one change-log position.
  std::optional<nlohmann::json> Lookup(Id project_id, const std::string& key, int64_t seq);
  void Remember(Id project_id, const std::string& key, int64_t seq, nlohmann::json value);

 private:
  struct Entry;
  class FullRead;
  using Key = std::pair<Id, double>;  // project, IoU threshold
  Status Update(Store& store, const Project& project, const AgreementOptions& options,
                const std::function<Status(const QualitySnapshot&)>& fn);
  std::shared_ptr<Entry> Acquire(const Key& key);

  const size_t capacity_;
  LowPriorityLane* const lane_;
  std::mutex mu_;
  uint64_t clock_ = 0;
  std::map<Key, std::shared_ptr<Entry>> entries_;
  struct Memo {
    int64_t seq = 0;
    nlohmann::json value;
    uint64_t used = 0;
  };
  std::map<std::pair<Id, std::string>, Memo> memos_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_QUALITY_CACHE_H_
