// DashboardSource: the numbers behind the manager dashboards
// (server/api/stats.cc), from the caches when they are up to date, else the
// last numbers known while the caches are rebuilt.
//
// The dashboard cache (stats_cache.h) and the agreement cache
// (quality_cache.h) live in memory and follow the change log task by task.
// Some changes need a whole read of the project instead: the first build
// after a start, a bulk change (an import, a delete of all tasks), a new
// labeling config. On a 10M-task project with 3M annotations that read
// takes seconds (both caches are built from one read: BuildWhole). So each
// time the live numbers are computed, they are kept in memory and a copy is
// saved in the store (Store::SaveCacheSnapshot, kinds "dashboard" and
// "peer_agreement"; at most every kSaveEverySeconds per project and kind,
// always after a rebuild, and at a graceful stop).
// When a request finds that a cache needs a whole read, it answers with the
// last live numbers of this process, else the snapshot, marked stale with
// the time they were computed, and the whole read runs on the low-priority
// lane; the requests after it are live again. With neither (a project
// nobody has looked at yet), the request does the read itself, or waits for
// the one an import started (RecountSoon).
//
// Thread-safety: safe for concurrent use.
#ifndef TESSERA_SERVER_DASHBOARD_SNAPSHOTS_H_
#define TESSERA_SERVER_DASHBOARD_SNAPSHOTS_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "server/low_priority_lane.h"
#include "server/page_snapshots.h"
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

// Counts the project's dashboards (both caches, from one whole read) and
// saves their snapshots, on threads of its own: for a command that loaded
// data without a server (tessera import, tessera migrate), so that the first
// dashboard a server shows afterwards answers from the snapshot at once
// instead of waiting for that read. The quality page's default summary and,
// for a project with published guidelines, /stats/guidelines are kept as
// page snapshots too. A labeling config the agreement cannot read leaves
// only the dashboard counted.
Status CountDashboards(Store& store, const Project& project);

class DashboardSource {
 public:
  static constexpr int kSaveEverySeconds = 30;
  static constexpr size_t kRememberedProjects = 16;

  // With `pages`, each count of the agreement cache also keeps the quality
  // page's default summary there (KeepQualitySummaryPage), so that the first
  // /quality after a load or a start answers from it.
  DashboardSource(Store& store, StatsCache& stats, QualityCache& quality, LowPriorityLane& lane,
                  PageSnapshots* pages = nullptr)
      : store_(store), stats_(stats), quality_(quality), lane_(lane), pages_(pages) {}

  // The project's dashboard numbers; `with_agreement` adds each annotator's
  // agreement with peers (a config the agreement cannot read leaves it empty).
  Result<DashboardData> Get(const Project& project, bool with_agreement);

  // Brings the built caches of every project whose dashboards this process
  // served up to date and saves them, on the calling thread: for a graceful
  // stop (App's destructor, once the lane has stopped), so that the next
  // start shows the numbers as they were at the stop.
  void SaveAll();

  // Reads the project whole on the lane, for both caches, and saves their
  // snapshots (once at a time per project): after a bulk change such as an
  // import, before anyone asks.
  void RecountSoon(const Project& project) { RebuildSoon(project); }

  // Whether the project's dashboards were ever counted: a snapshot of them
  // that this version can read is saved (App::WarmCaches counts the others
  // at start).
  bool EverCounted(Id project_id);

  // Builds the project's caches and saves their snapshots, on the calling
  // thread (work already on the lane: App::WarmCaches).
  Status Warm(const Project& project) { return RefreshAndSave(project, /*build_agreement=*/true); }

 private:
  // `whole`: a cache needs a whole read of the project (NeedsWholeRead).
  Result<DashboardData> Live(const Project& project, bool with_agreement, bool whole);
  // The last live answer this process gave, else the saved snapshot; stale.
  std::optional<DashboardData> Remembered(Id project_id, bool with_agreement);
  std::optional<DashboardData> Saved(Id project_id, bool with_agreement);
  void Remember(Id project_id, const DashboardData& data, bool with_agreement);
  // Rebuilds both caches on the lane (once at a time per project), then saves.
  void RebuildSoon(const Project& project);
  // Rebuilds whichever of the two caches needs a whole read of the project
  // (not built, a bulk change, a config change) with one read shared by
  // both (StatsCache::BeginFullRead); on the lane's thread.
  Status BuildWhole(const Project& project);
  // Brings the project's dashboard cache up to date and saves it, then the
  // agreement cache (built if `build_agreement`, else only if it is already).
  Status RefreshAndSave(const Project& project, bool build_agreement);
  void Save(Id project_id, const std::string& kind, int64_t seq, const nlohmann::json& body, bool always);

  Store& store_;
  StatsCache& stats_;
  QualityCache& quality_;
  LowPriorityLane& lane_;
  PageSnapshots* const pages_;
  std::mutex mu_;
  std::set<Id> rebuilding_;                              // guarded by mu_
  std::map<std::pair<Id, std::string>, TimeMs> saved_;  // last save by this process; guarded by mu_
  // The last live answer per project (guarded by mu_), for stale answers
  // while a whole read runs.
  struct Last {
    std::shared_ptr<const DashboardStats> stats;
    TimeMs stats_as_of = 0;
    std::optional<std::map<Id, double>> agreement;
    TimeMs agreement_as_of = 0;
  };
  std::map<Id, Last> last_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_DASHBOARD_SNAPSHOTS_H_
