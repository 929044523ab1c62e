// DashboardSource: the numbers behind the manager dashboards
// (server/api/stats.cc), from the caches when they are built, else from the
// last snapshot saved in the store while the caches are rebuilt.
//
// The dashboard cache (stats_cache.h) and the agreement cache
// (quality_cache.h) live in memory. After a start, building them reads every
// annotated task: 14-15 s on a 10M-task project with 3M annotations. So each
// time the live numbers are computed, a copy is saved in the store
// (Store::SaveCacheSnapshot, kinds "dashboard" and "peer_agreement"; at most
// every kSaveEverySeconds per project and kind, always after a rebuild, and
// at a graceful stop).
// When a request finds a cache not built and a snapshot saved, it answers
// with the snapshot, marked stale with the time it was saved, and the
// caches are rebuilt on the low-priority lane; the requests after that are
// live again. With no snapshot (a project nobody has looked at yet), the
// request builds the caches itself, as before.
//
// Thread-safety: safe for concurrent use.
#ifndef TESSERA_SERVER_DASHBOARD_SNAPSHOTS_H_
#define TESSERA_SERVER_DASHBOARD_SNAPSHOTS_H_

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "server/low_priority_lane.h"
#include "server/quality_cache.h"
#include "server/stats_cache.h"
#include "tessera/store.h"

namespace tessera::server {

struct DashboardData {
  std::shared_ptr<const DashboardStats> stats;
  std::map<Id, double> peer_agreement;  // only when asked for
  bool stale = false;                   // from a snapshot; the live numbers are being rebuilt
  TimeMs as_of = 0;                     // when these numbers were computed
};

// DashboardStats <-> JSON (the "dashboard" snapshot's body).
nlohmann::json DashboardStatsToJson(const DashboardStats& stats);
Result<DashboardStats> DashboardStatsFromJson(const nlohmann::json& j);

class DashboardSource {
 public:
  static constexpr int kSaveEverySeconds = 30;

  DashboardSource(Store& store, StatsCache& stats, QualityCache& quality, LowPriorityLane& lane)
      : store_(store), stats_(stats), quality_(quality), lane_(lane) {}

  // The project's dashboard numbers; `with_agreement` adds each annotator's
  // agreement with peers (a config the agreement cannot read leaves it empty).
  Result<DashboardData> Get(const Project& project, bool with_agreement);

  // Brings the built caches of every project whose dashboards this process
  // served up to date and saves them, on the calling thread: for a graceful
  // stop (App's destructor, once the lane has stopped), so that the next
  // start shows the numbers as they were at the stop.
  void SaveAll();

 private:
  Result<DashboardData> Live(const Project& project, bool with_agreement);
  std::optional<DashboardData> Saved(Id project_id, bool with_agreement);
  // Rebuilds both caches on the lane (once at a time per project), then saves.
  void RebuildSoon(const Project& project);
  // Brings the project's dashboard cache up to date and saves it, then the
  // agreement cache (built if `build_agreement`, else only if it is already).
  Status RefreshAndSave(const Project& project, bool build_agreement);
  void Save(Id project_id, const std::string& kind, int64_t seq, const nlohmann::json& body, bool always);

  Store& store_;
  StatsCache& stats_;
  QualityCache& quality_;
  LowPriorityLane& lane_;
  std::mutex mu_;
  std::set<Id> rebuilding_;                              // guarded by mu_
  std::map<std::pair<Id, std::string>, TimeMs> saved_;  // last save by this process; guarded by mu_
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_DASHBOARD_SNAPSHOTS_H_
