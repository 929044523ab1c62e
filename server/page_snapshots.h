// PageSnapshots: the last answer of each agreement page (/quality's summary,
// /stats/guidelines) per project, kept in memory and saved in the store, so
// that while the page's cache reads the project whole (after a start, an
// import) the page answers at once from it, marked stale, instead of
// waiting seconds for the read; the read runs on the low-priority lane
// meanwhile. The dashboards do the same with their numbers
// (dashboard_snapshots.h).
//
// An answer is kept with the key of what it was computed for (the page's
// query and the labeling config), and only given for the same key: a changed
// config or another query waits for the live answer. Saved in the store
// (Store::SaveCacheSnapshot, kind "page:<page>", one per project and page:
// the last answer) at most every kSaveEverySeconds per project and page, and
// at a graceful stop (SaveAll).
//
// Thread-safety: safe for concurrent use.
#ifndef TESSERA_SERVER_PAGE_SNAPSHOTS_H_
#define TESSERA_SERVER_PAGE_SNAPSHOTS_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "tessera/store.h"

namespace tessera::server {

class PageSnapshots {
 public:
  static constexpr int kSaveEverySeconds = 30;
  static constexpr size_t kRemembered = 32;  // answers kept in memory

  explicit PageSnapshots(Store& store) : store_(store) {}

  // A live answer, just computed from the project as of change-log position
  // `seq`: marks it "stale": false with "as_of" (now), keeps it as the page's
  // last answer for `key`, and returns it.
  nlohmann::json Keep(Id project_id, const std::string& page, const std::string& key, int64_t seq,
                      nlohmann::json answer);
  // The last answer for `key` (this process's, else the saved one) with
  // "stale": true and "as_of" (ISO time it was computed); nullopt if there
  // is none for this key.
  std::optional<nlohmann::json> Stale(Id project_id, const std::string& page, const std::string& key);
  // Saves the answers kept since their page was last saved: at a graceful
  // stop (App's destructor), so that the next start shows the last ones.
  void SaveAll();

 private:
  struct Kept {
    std::string key;
    TimeMs as_of = 0;
    nlohmann::json answer;
    int64_t seq = 0;
    TimeMs saved = 0;    // when this process last saved the page's answer
    bool dirty = false;  // kept since
  };
  void Save(Id project_id, const std::string& page, const Kept& kept);
  Store& store_;
  std::mutex mu_;
  std::map<std::pair<Id, std::string>, Kept> kept_;  // guarded by mu_
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_PAGE_SNAPSHOTS_H_
