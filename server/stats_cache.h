// StatsCache: the numbers behind the project dashboards (/stats/project and
// /stats/annotators), kept between requests and brought up to date from the
// store's task change log, as QualityCache keeps agreement.
//
// Each entry holds, for every task with an annotation, a compact record per
// annotation (author, UTC day, kind, lead time, its honeypot score, the
// label values it contributes): 32 bytes per record plus 4 per label, and the task index
// (about 220 MB for 3M annotations on 1M tasks, measured), and running totals
// of those records (per day, label and annotator, with each annotator's lead
// times sorted: 8 bytes per submitted annotation). On use: a bulk change
// (import, delete all) or a position the log no longer covers re-reads the
// project's annotated tasks and counts the totals in one pass; otherwise only
// the changed tasks are re-read, and their old records are taken from the
// totals and their new ones added. The totals for a change-log position are
// then copied out once (a pass over days, labels and annotators) and shared
// by every request at that position.
//
// Thread-safety: safe for concurrent use; requests for one project are
// serialised while its entry is updated.
#ifndef TESSERA_SERVER_STATS_CACHE_H_
#define TESSERA_SERVER_STATS_CACHE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "server/cache_reads.h"
#include "server/low_priority_lane.h"
#include "tessera/store.h"

namespace tessera::server {

struct DayCounts {
  int64_t submitted = 0, skipped = 0;
};

// Totals over the project's annotations at one change-log position. Days are
// UTC dates "YYYY-MM-DD". Ground truth is counted apart; skipped =
// cancelled; submitted = the rest.
struct DashboardStats {
  int64_t seq = 0;
  int64_t submitted = 0, skipped = 0, ground_truth = 0;
  std::map<std::string, DayCounts> per_day;           // every annotation
  std::map<std::string, DayCounts> authored_per_day;  // annotations with an author
  // (from_name, type) -> label value -> count, over the current state of
  // every non-cancelled annotation (ground truth included).
  std::map<std::pair<std::string, std::string>, std::map<std::string, int64_t>> labels;
  struct Annotator {
    int64_t submitted = 0, skipped = 0, ground_truth = 0;
    double lead_time_median = 0;  // seconds, over submitted annotations
    double lead_hours = 0;        // summed lead time of submitted annotations
    std::map<std::string, DayCounts> per_day;
    // Their answers on honeypot tasks (tasks with ground truth), scored
    // against the ground truth (server/api/honeypot_score.h).
    int64_t honeypot_answered = 0, honeypot_correct = 0;
  };
  std::map<Id, Annotator> annotators;  // authors (user id > 0) only
  // How the entry was brought up to date for these totals.
  bool full_rebuild = false;
  size_t reloaded_tasks = 0;
};

class StatsCache {
 public:
  // With a lane, the update and the sums run on it (see low_priority_lane.h).
  explicit StatsCache(size_t capacity = 16, LowPriorityLane* lane = nullptr)
      : capacity_(capacity), lane_(lane) {}
  ~StatsCache();

  // The project's totals, brought up to date with the change log.
  Result<std::shared_ptr<const DashboardStats>> Get(Store& store, Id project_id);

  // Builds (or brings up to date) the project's entry on the calling
  // thread, for work already on the lane (DashboardSource's rebuilds).
  Result<std::shared_ptr<const DashboardStats>> RefreshAndGet(Store& store, Id project_id) {
    return Update(store, project_id);
  }
  // Whether the project's entry is built; never waits for an update under
  // way (DashboardSource asks before choosing a snapshot).
  bool Built(Id project_id);

  // Whether bringing the project's entry up to date reads the whole project:
  // it is not built (or a whole read is under way), or a bulk change or more
  // changed tasks than ReadWholeProject allows came since. Never waits for an
  // update under way; reads the change log.
  bool NeedsWholeRead(Store& store, Id project_id);
  // The project's entry, locked and emptied, to be built by a whole-project
  // read shared with another cache (ReadWholeProjectInto); null when the
  // entry is built and needs no whole read (Get brings it up to date more
  // cheaply). Holds the entry's lock until destroyed: call on the lane, and
  // take this cache's sink before QualityCache's.
  Result<std::unique_ptr<FullReadSink>> BeginFullRead(Store& store, Id project_id);

 private:
  struct Entry;
  class FullRead;
  std::shared_ptr<Entry> Acquire(Id project_id);
  Result<std::shared_ptr<const DashboardStats>> Update(Store& store, Id project_id);

  const size_t capacity_;
  LowPriorityLane* const lane_;
  std::mutex mu_;
  uint64_t clock_ = 0;
  std::map<Id, std::shared_ptr<Entry>> entries_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_STATS_CACHE_H_
