// What the server's per-project caches (StatsCache, QualityCache,
// GuidelineStatsCache) share about keeping their entries: a map of shared
// entries, the least recently used dropped beyond a capacity.
#ifndef TESSERA_SERVER_CACHE_ENTRIES_H_
#define TESSERA_SERVER_CACHE_ENTRIES_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>

namespace tessera::server {

// The entry for `key` in `entries` (made when missing), marked as the most
// recently used (`Entry::used`, from `*clock`); beyond `capacity` entries
// the least recently used other one is dropped (whoever still holds it keeps
// it until done). Call with the lock that guards `entries` held.
template <typename Key, typename Entry>
std::shared_ptr<Entry> AcquireEntry(std::map<Key, std::shared_ptr<Entry>>& entries, const Key& key,
                                    size_t capacity, uint64_t* clock) {
  std::shared_ptr<Entry>& slot = entries[key];
  if (!slot) slot = std::make_shared<Entry>();
  slot->used = ++*clock;
  std::shared_ptr<Entry> out = slot;
  if (entries.size() > capacity) {
    auto oldest = std::min_element(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.second->used < b.second->used;
    });
    if (oldest->first != key) entries.erase(oldest);
  }
  return out;
}

}  // namespace tessera::server

#endif  // TESSERA_SERVER_CACHE_ENTRIES_H_
