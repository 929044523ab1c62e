// GuidelineStatsCache: the numbers behind /stats/guidelines (quality per
// guideline version) kept between requests and brought up to date from the
// store's task change log, as QualityCache keeps the project's agreement.
//
// Each entry holds, per guideline version, an AgreementBuilder over the
// annotations made under that version (ground truth left out) and running
// counts (submitted, skipped, authors, tasks, honeypot answers), and per
// task what it contributed, so that a changed task is taken out and put
// back in, not the project read again. A changed labeling config, a bulk
// change or more changed tasks than ReadWholeProject allows read the
// project's annotated tasks again.
//
// Memory: the builders hold each annotated task's share once more than the
// agreement cache does (measured: +0.9 GB of RSS on a 10M-task project with
// 1M annotated tasks and 3.2M annotations); an entry is built only for a
// project whose guideline statistics are asked for, and App keeps two.
//
// Thread-safety: safe for concurrent use; requests for one project are
// serialised while its entry is updated.
#ifndef TESSERA_SERVER_GUIDELINE_STATS_CACHE_H_
#define TESSERA_SERVER_GUIDELINE_STATS_CACHE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "server/low_priority_lane.h"
#include "tessera/agreement.h"
#include "tessera/config.h"
#include "tessera/store.h"

namespace tessera::server {

// One guideline version's numbers. `builder` is valid during the callback.
struct GuidelineTally {
  int64_t annotations = 0;  // submitted (not skipped, not ground truth)
  int64_t skipped = 0;
  int64_t annotators = 0;   // authors of those submitted
  int64_t tasks = 0;        // tasks with one of them
  int64_t honeypot_answered = 0, honeypot_correct = 0;
  const AgreementBuilder* builder = nullptr;
};

// Called with the project's parsed labeling config, the tally of every
// guideline version that has an annotation (ascending), and the change-log
// position they reflect.
using GuidelineStatsFn =
    std::function<Status(const LabelingConfig& config, const std::map<int, GuidelineTally>& tallies, int64_t seq)>;

class GuidelineStatsCache {
 public:
  // With a lane, the update and `fn` run on it (see low_priority_lane.h).
  explicit GuidelineStatsCache(size_t capacity = 2, LowPriorityLane* lane = nullptr)
      : capacity_(capacity), lane_(lane) {}
  ~GuidelineStatsCache();

  // Brings the project's entry up to date and calls fn with it, holding the
  // entry's lock. FailedPrecondition when the project's labeling config does
  // not parse.
  Status With(Store& store, const Project& project,
              const GuidelineStatsFn& fn);

  // With, on the calling thread: for work already on the lane (counting the
  // page at a start, App::WarmCaches).
  Status RefreshWith(Store& store, const Project& project, const GuidelineStatsFn& fn) {
    return Update(store, project, fn);
  }
  // Drops the project's entry (its memory), if no request holds it.
  void Forget(Id project_id);

  // Whether bringing the project's entry up to date reads its annotated
  // tasks whole: not built, a changed labeling config, a bulk change or
  // many changed tasks since. Never waits for an update under way.
  bool NeedsWholeRead(Store& store, const Project& project);
  // Brings the project's entry up to date on the lane, without waiting
  // (once at a time per project): for a request answered from the page's
  // last answer meanwhile. Without a lane, does nothing.
  void BuildSoon(Store& store, const Project& project);

 private:
  struct Entry;
  std::shared_ptr<Entry> Acquire(Id project_id);
  Status Update(Store& store, const Project& project,
                const GuidelineStatsFn& fn);

  const size_t capacity_;
  LowPriorityLane* const lane_;
  std::mutex mu_;
  uint64_t clock_ = 0;
  std::map<Id, std::shared_ptr<Entry>> entries_;
  std::set<Id> building_;  // projects BuildSoon posted; guarded by mu_
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_GUIDELINE_STATS_CACHE_H_
