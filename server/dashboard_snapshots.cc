#include "server/dashboard_snapshots.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>

#include "server/api/guideline_page.h"
#include "server/api/quality_page.h"
#include "server/request_log.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

constexpr char kDashboardKind[] = "dashboard";
constexpr char kAgreementKind[] = "peer_agreement";

json DaysToJson(const std::map<std::string, DayCounts>& days) {
  json out = json::object();
  for (const auto& [day, c] : days) out[day] = json::array({c.submitted, c.skipped});
  return out;
}

std::map<std::string, DayCounts> DaysFromJson(const json& j) {
  std::map<std::string, DayCounts> out;
  for (const auto& [day, c] : j.items()) out[day] = DayCounts{c.at(0).get<int64_t>(), c.at(1).get<int64_t>()};
  return out;
}

// A user id written as an object key; nullopt unless the whole key is a number.
std::optional<Id> IdKey(const std::string& key) {
  char* end = nullptr;
  const long long id = std::strtoll(key.c_str(), &end, 10);
  if (end == key.c_str() || *end != '\0') return std::nullopt;
  return static_cast<Id>(id);
}

json AgreementToJson(const std::map<Id, double>& agreement) {
  json out = json::object();
  for (const auto& [user, value] : agreement) out[std::to_string(user)] = value;
  return out;
}

}  // namespace

json DashboardStatsToJson(const DashboardStats& s) {
  json labels = json::array();
  for (const auto& [control, counts] : s.labels) {
    labels.push_back(json::array({control.first, control.second, counts}));
  }
  json annotators = json::object();
  for (const auto& [user, a] : s.annotators) {
    annotators[std::to_string(user)] = json{{"submitted", a.submitted},
                                            {"skipped", a.skipped},
                                            {"ground_truth", a.ground_truth},
                                            {"lead_time_median", a.lead_time_median},
                                            {"lead_hours", a.lead_hours},
                                            {"per_day", DaysToJson(a.per_day)},
                                            {"honeypot", json{{"answered", a.honeypot_answered},
                                                              {"correct", a.honeypot_correct}}}};
  }
  return json{{"seq", s.seq},
              {"submitted", s.submitted},
              {"skipped", s.skipped},
              {"ground_truth", s.ground_truth},
              {"per_day", DaysToJson(s.per_day)},
              {"authored_per_day", DaysToJson(s.authored_per_day)},
              {"labels", std::move(labels)},
              {"annotators", std::move(annotators)}};
}

Result<DashboardStats> DashboardStatsFromJson(const json& j) {
  try {
    DashboardStats s;
    s.seq = j.at("seq").get<int64_t>();
    s.submitted = j.at("submitted").get<int64_t>();
    s.skipped = j.at("skipped").get<int64_t>();
    s.ground_truth = j.at("ground_truth").get<int64_t>();
    s.per_day = DaysFromJson(j.at("per_day"));
    s.authored_per_day = DaysFromJson(j.at("authored_per_day"));
    for (const json& l : j.at("labels")) {
      auto& counts = s.labels[{l.at(0).get<std::string>(), l.at(1).get<std::string>()}];
      for (const auto& [value, n] : l.at(2).items()) counts[value] = n.get<int64_t>();
    }
    for (const auto& [user, a] : j.at("annotators").items()) {
      std::optional<Id> id = IdKey(user);
      if (!id) return Status::InvalidArgument("dashboard snapshot: annotator key '" + user + "' is not a user id");
      DashboardStats::Annotator& t = s.annotators[*id];
      t.submitted = a.at("submitted").get<int64_t>();
      t.skipped = a.at("skipped").get<int64_t>();
      t.ground_truth = a.at("ground_truth").get<int64_t>();
      t.lead_time_median = a.at("lead_time_median").get<double>();
      t.lead_hours = a.at("lead_hours").get<double>();
      t.per_day = DaysFromJson(a.at("per_day"));
      // Snapshots saved before honeypots were counted lack this; they are
      // refused, and the dashboards counted live once.
      t.honeypot_answered = a.at("honeypot").at("answered").get<int64_t>();
      t.honeypot_correct = a.at("honeypot").at("correct").get<int64_t>();
    }
    return s;
  } catch (const std::exception& e) {  // nlohmann's out_of_range / type_error
    return Status::InvalidArgument(std::string("dashboard snapshot: ") + e.what());
  }
}

Status CountDashboards(Store& store, const Project& project) {
  // The command's own process: no labeling requests to give way to.
  LowPriorityLane lane(/*nice_increment=*/0);
  StatsCache stats(1, &lane);
  QualityCache quality(1, &lane);
  PageSnapshots pages(store);
  DashboardSource source(store, stats, quality, lane, &pages);
  Status s = lane.Run([&] { return source.Warm(project); });
  if (s.ok()) {
    GuidelineStatsCache guidelines(1);  // no lane of its own: it runs on this one
    s = lane.Run([&] { return CountGuidelinePage(store, guidelines, pages, project); });
  }
  lane.Stop();
  return s;
}

bool DashboardSource::EverCounted(Id project_id) {
  // One saved by an older version that this one cannot read counts as none.
  return Saved(project_id, /*with_agreement=*/false).has_value();
}

Result<DashboardData> DashboardSource::Get(const Project& project, bool with_agreement) {
  const bool whole = stats_.NeedsWholeRead(store_, project.id) ||
                     (with_agreement && quality_.NeedsWholeRead(store_, project, AgreementOptions{}));
  if (whole) {
    // After a start, a bulk change (an import), a config change or while a
    // rebuild runs: the last numbers at once, the rebuild on the lane.
    std::optional<DashboardData> last = Remembered(project.id, with_agreement);
    if (!last) last = Saved(project.id, with_agreement);
    if (last) {
      RebuildSoon(project);
      return std::move(*last);
    }
  }
  return Live(project, with_agreement, whole);
}

Result<DashboardData> DashboardSource::Live(const Project& project, bool with_agreement, bool whole) {
  // Whatever needs a whole read is built from one read of the project:
  // after a start, the dashboard page asks for both caches.
  if (whole) TESSERA_RETURN_IF_ERROR(lane_.Run([&] { return BuildWhole(project); }));
  DashboardData out;
  out.as_of = NowMs();
  if (with_agreement) {
    // From the builder's running per-pair totals: no pass over the tasks.
    Status s = quality_.With(store_, project, AgreementOptions{}, [&](const QualitySnapshot& snap) -> Status {
      out.peer_agreement = snap.builder.PeerAgreementByAnnotator();
      return Status::Ok();
    });
    // A config that does not parse leaves agreement unknown, not the page broken.
    if (!s.ok() && s.code() != Code::kFailedPrecondition) return s;
  }
  TESSERA_ASSIGN_OR_RETURN(out.stats, stats_.Get(store_, project.id));
  Save(project.id, kDashboardKind, out.stats->seq, DashboardStatsToJson(*out.stats), /*always=*/false);
  if (with_agreement) {
    Save(project.id, kAgreementKind, out.stats->seq, AgreementToJson(out.peer_agreement), /*always=*/false);
  }
  Remember(project.id, out, with_agreement);
  return out;
}

void DashboardSource::Remember(Id project_id, const DashboardData& data, bool with_agreement) {
  std::lock_guard<std::mutex> lock(mu_);
  // As many projects as the dashboard cache holds (App: 16); which one goes does not matter much.
  if (last_.size() >= kRememberedProjects && !last_.count(project_id)) last_.erase(last_.begin());
  Last& last = last_[project_id];
  last.stats = data.stats;
  last.stats_as_of = data.as_of;
  if (with_agreement) {
    last.agreement = data.peer_agreement;
    last.agreement_as_of = data.as_of;
  }
}

std::optional<DashboardData> DashboardSource::Remembered(Id project_id, bool with_agreement) {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = last_.find(project_id);
  if (found == last_.end() || !found->second.stats) return std::nullopt;
  const Last& last = found->second;
  if (with_agreement && !last.agreement) return std::nullopt;
  DashboardData out;
  out.stale = true;
  out.stats = last.stats;
  out.as_of = last.stats_as_of;
  if (with_agreement) {
    out.peer_agreement = *last.agreement;
    out.as_of = std::min(out.as_of, last.agreement_as_of);
  }
  return out;
}

std::optional<DashboardData> DashboardSource::Saved(Id project_id, bool with_agreement) {
  auto stats = store_.GetCacheSnapshot(project_id, kDashboardKind);
  if (!stats.ok()) return std::nullopt;
  DashboardData out;
  out.stale = true;
  out.as_of = stats->saved_at;
  auto parsed = DashboardStatsFromJson(json::parse(stats->body, nullptr, false));
  if (!parsed.ok()) return std::nullopt;  // unreadable: compute it live
  out.stats = std::make_shared<const DashboardStats>(std::move(*parsed));
  if (with_agreement) {
    auto agreement = store_.GetCacheSnapshot(project_id, kAgreementKind);
    if (!agreement.ok()) return std::nullopt;
    json j = json::parse(agreement->body, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    for (const auto& [user, value] : j.items()) {
      std::optional<Id> id = IdKey(user);
      if (!id || !value.is_number()) return std::nullopt;
      out.peer_agreement[*id] = value.get<double>();
    }
    out.as_of = std::min(out.as_of, agreement->saved_at);
  }
  return out;
}

void DashboardSource::RebuildSoon(const Project& project) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!rebuilding_.insert(project.id).second) return;
  }
  lane_.Post([this, project]() -> Status {
    Status s = RefreshAndSave(project, /*build_agreement=*/true);
    if (!s.ok() && !lane_.stopping()) {
      LogError("", "rebuilding the dashboards of project " + std::to_string(project.id) + ": " + s.ToString());
    }
    std::lock_guard<std::mutex> lock(mu_);
    rebuilding_.erase(project.id);
    return Status::Ok();
  });
}

void DashboardSource::SaveAll() {
  std::set<Id> projects;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, when] : saved_) projects.insert(key.first);
  }
  for (Id project_id : projects) {
    if (!stats_.Built(project_id)) continue;
    auto project = store_.GetProject(project_id);
    // Only the tasks changed since the last request are read (a whole-project
    // read gives up at once: the lane is stopping).
    if (project.ok()) (void)RefreshAndSave(*project, /*build_agreement=*/false);  // best effort, at exit
  }
}

Status DashboardSource::BuildWhole(const Project& project) {
  // Stats first, then agreement: the order every holder of both locks takes.
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<FullReadSink> stats, stats_.BeginFullRead(store_, project.id));
  auto agreement = quality_.BeginFullRead(store_, project, AgreementOptions{});
  // A config the agreement cannot read leaves only the dashboard to build.
  if (!agreement.ok() && agreement.status().code() != Code::kFailedPrecondition) return agreement.status();
  std::vector<FullReadSink*> sinks;
  if (stats) sinks.push_back(stats.get());
  if (agreement.ok() && *agreement) sinks.push_back(agreement->get());
  if (sinks.empty()) return Status::Ok();
  return ReadWholeProjectInto(store_, project.id, sinks, &lane_);
}

Status DashboardSource::RefreshAndSave(const Project& project, bool build_agreement) {
  if (build_agreement) TESSERA_RETURN_IF_ERROR(BuildWhole(project));
  TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<const DashboardStats> stats, stats_.RefreshAndGet(store_, project.id));
  Save(project.id, kDashboardKind, stats->seq, DashboardStatsToJson(*stats), /*always=*/true);
  if (!build_agreement && !quality_.Built(project.id, AgreementOptions{})) return Status::Ok();
  std::map<Id, double> agreement;
  Status s = quality_.RefreshWith(store_, project, AgreementOptions{}, [&](const QualitySnapshot& snap) {
    agreement = snap.builder.PeerAgreementByAnnotator();
    if (pages_ != nullptr) KeepQualitySummaryPage(store_, *pages_, project, snap);
    return Status::Ok();
  });
  if (s.code() == Code::kFailedPrecondition) return Status::Ok();  // a config the agreement cannot read
  TESSERA_RETURN_IF_ERROR(s);
  Save(project.id, kAgreementKind, stats->seq, AgreementToJson(agreement), /*always=*/true);
  return Status::Ok();
}

void DashboardSource::Save(Id project_id, const std::string& kind, int64_t seq, const json& body, bool always) {
  const TimeMs now = NowMs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, first] = saved_.try_emplace({project_id, kind}, now);
    if (!first && !always && now - it->second < kSaveEverySeconds * 1000) return;
    it->second = now;
  }
  CacheSnapshot snapshot;
  snapshot.seq = seq;
  snapshot.saved_at = now;
  snapshot.body = body.dump();
  Status s = store_.SaveCacheSnapshot(project_id, kind, snapshot);
  // A snapshot that could not be saved costs the next start a rebuild, nothing more.
  if (!s.ok() && s.code() != Code::kNotFound) {
    LogError("", "saving the " + kind + " snapshot of project " + std::to_string(project_id) + ": " + s.ToString());
  }
}

}  // namespace tessera::server
