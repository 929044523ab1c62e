#include "server/page_snapshots.h"

#include <vector>

#include "server/request_log.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

std::string Kind(const std::string& page) { return "page:" + page; }

json Marked(json answer, TimeMs as_of) {
  answer["stale"] = true;
  answer["as_of"] = FormatIsoTime(as_of);
  return answer;
}

}  // namespace

json PageSnapshots::Keep(Id project_id, const std::string& page, const std::string& key, int64_t seq,
                         json answer) {
  const TimeMs now = NowMs();
  answer["stale"] = false;
  answer["as_of"] = FormatIsoTime(now);
  Kept copy;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto id = std::make_pair(project_id, page);
    auto found = kept_.find(id);
    if (found == kept_.end() && kept_.size() >= kRemembered) kept_.erase(kept_.begin());  // any will do
    Kept& kept = kept_[id];
    kept.key = key;
    kept.seq = seq;
    kept.as_of = now;
    kept.answer = answer;
    kept.dirty = kept.saved != 0 && now - kept.saved < kSaveEverySeconds * 1000;
    if (kept.dirty) return answer;
    kept.saved = now;
    copy = kept;
  }
  Save(project_id, page, copy);
  return answer;
}

void PageSnapshots::SaveAll() {
  std::vector<std::pair<std::pair<Id, std::string>, Kept>> dirty;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, kept] : kept_) {
      if (!kept.dirty) continue;
      kept.dirty = false;
      dirty.emplace_back(id, kept);
    }
  }
  for (const auto& [id, kept] : dirty) Save(id.first, id.second, kept);
}

void PageSnapshots::Save(Id project_id, const std::string& page, const Kept& kept) {
  CacheSnapshot snapshot;
  snapshot.seq = kept.seq;
  snapshot.saved_at = kept.as_of;
  snapshot.body = json{{"key", kept.key}, {"answer", kept.answer}}.dump();
  Status s = store_.SaveCacheSnapshot(project_id, Kind(page), snapshot);
  // Not saved: the next start computes the page live, nothing more.
  if (!s.ok() && s.code() != Code::kNotFound) {
    LogError("", "saving the " + page + " page of project " + std::to_string(project_id) + ": " + s.ToString());
  }
}

std::optional<json> PageSnapshots::Stale(Id project_id, const std::string& page, const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = kept_.find({project_id, page});
    if (found != kept_.end()) {
      if (found->second.key != key) return std::nullopt;
      return Marked(found->second.answer, found->second.as_of);
    }
  }
  auto saved = store_.GetCacheSnapshot(project_id, Kind(page));
  if (!saved.ok()) return std::nullopt;
  json body = json::parse(saved->body, nullptr, false);
  if (!body.is_object() || !body.contains("key") || body["key"] != key || !body.contains("answer") ||
      !body["answer"].is_object()) {
    return std::nullopt;  // another query or config, or unreadable: computed live
  }
  return Marked(std::move(body["answer"]), saved->saved_at);
}

}  // namespace tessera::server
