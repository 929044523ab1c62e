#include "server/stats_cache.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "server/api/honeypot_score.h"
#include "server/cache_entries.h"
#include "server/cache_reads.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

constexpr int64_t kDayMs = 86'400'000;

enum class Kind : uint8_t { kSubmitted, kSkipped, kGroundTruth };

// One annotation as the dashboards count it.
struct Record {
  Id user = 0;               // completed_by; 0 when imported without an author
  int32_t day = 0;           // UTC days since 1970-01-01 of created_at
  Kind kind = Kind::kSubmitted;
  HoneypotScore honeypot = HoneypotScore::kNone;  // as an answer on a honeypot task
  uint16_t label_count = 0;  // label ids at labels_[label_begin ...]
  uint32_t label_begin = 0;
  double lead_time = 0;
};

static_assert(sizeof(Record) == 32, "a record per annotation: keep it small");

int32_t DayOf(TimeMs ms) {
  int64_t day = ms / kDayMs;
  if (ms % kDayMs < 0) --day;
  return static_cast<int32_t>(day);
}

std::string DayName(int32_t day) { return FormatIsoTime(static_cast<TimeMs>(day) * kDayMs).substr(0, 10); }

// The label values one result item contributes to the distribution: choices
// (each chosen value), taxonomy (each path, joined by " / "), any *labels
// type (each region label) and rating (the number, written as JSON writes
// it). `type` is lower case.
void ResultItemLabels(simdjson::dom::object value, const std::string& type, std::vector<std::string>* out) {
  auto strings = [&](std::string_view key) {
    simdjson::dom::array list;
    if (value.at_key(key).get_array().get(list) != simdjson::SUCCESS) return;
    for (simdjson::dom::element v : list) {
      std::string_view text;
      if (v.get_string().get(text) == simdjson::SUCCESS) out->emplace_back(text);
    }
  };
  if (type == "choices") {
    strings("choices");
  } else if (type == "taxonomy") {
    simdjson::dom::array paths;
    if (value.at_key("taxonomy").get_array().get(paths) != simdjson::SUCCESS) return;
    for (simdjson::dom::element path : paths) {
      simdjson::dom::array parts;
      if (path.get_array().get(parts) != simdjson::SUCCESS) continue;
      std::string joined;
      for (simdjson::dom::element part : parts) {
        std::string_view text;
        if (part.get_string().get(text) != simdjson::SUCCESS) continue;
        if (!joined.empty()) joined += " / ";
        joined += text;
      }
      if (!joined.empty()) out->push_back(std::move(joined));
    }
  } else if (type == "rating") {
    simdjson::dom::element rating;
    if (value.at_key("rating").get(rating) != simdjson::SUCCESS) return;
    int64_t whole = 0;
    uint64_t big = 0;
    double real = 0;
    if (rating.get_int64().get(whole) == simdjson::SUCCESS) {
      out->push_back(std::to_string(whole));
    } else if (rating.get_uint64().get(big) == simdjson::SUCCESS) {
      out->push_back(std::to_string(big));
    } else if (rating.get_double().get(real) == simdjson::SUCCESS) {
      out->push_back(json(real).dump());  // the shortest form that reads back the same
    }
  } else if (type.size() >= 6 && type.compare(type.size() - 6, 6, "labels") == 0) {
    simdjson::dom::element own;
    strings(value.at_key(type).get(own) == simdjson::SUCCESS ? std::string_view(type) : "labels");
  }
}

// Every label value of one annotation's result (a JSON array of result
// items) as (from_name, lower-case type, value), handed to `fn`. A result
// that is not valid JSON contributes none. simdjson: parsing the results is
// most of a full read of the project (3M of them on a 10M-task project).
template <typename Fn>
void ForEachResultLabel(const std::string& result, Fn&& fn) {
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::array items;
  if (parser.parse(result).get_array().get(items) != simdjson::SUCCESS) return;
  std::string type_name;
  std::vector<std::string> values;
  for (simdjson::dom::element item : items) {
    simdjson::dom::object object, value;
    std::string_view from, type;
    if (item.get_object().get(object) != simdjson::SUCCESS ||
        object.at_key("from_name").get_string().get(from) != simdjson::SUCCESS ||
        object.at_key("type").get_string().get(type) != simdjson::SUCCESS ||
        object.at_key("value").get_object().get(value) != simdjson::SUCCESS) {
      continue;
    }
    type_name.assign(type);
    for (char& c : type_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    values.clear();
    ResultItemLabels(value, type_name, &values);
    for (const std::string& v : values) fn(from, type_name, v);
  }
}

// Seconds as whole microseconds: sums that are exact, so the totals kept
// up to date change by change equal those of a fresh count.
int64_t Micros(double seconds) { return std::llround(seconds * 1e6); }

// One annotator's running totals. Lead times of submitted annotations are
// kept sorted (the median is read off the middle).
struct PersonTally {
  int64_t records = 0;  // every record of theirs; the entry goes at 0
  int64_t submitted = 0, skipped = 0, ground_truth = 0;
  int64_t lead_micros = 0;
  std::vector<double> lead_times;
  std::map<int32_t, DayCounts> days;
  int64_t honeypot_answered = 0, honeypot_correct = 0;
};

// Adds `delta` (+1 or -1) to a day's count; a day left with nothing is
// dropped, as a fresh count would never have made it.
void AddDay(std::map<int32_t, DayCounts>& days, int32_t day, bool skipped, int delta) {
  DayCounts& c = days[day];
  (skipped ? c.skipped : c.submitted) += delta;
  if (c.submitted == 0 && c.skipped == 0) days.erase(day);
}

}  // namespace

struct StatsCache::Entry {
  std::mutex mu;
  uint64_t used = 0;  // guarded by StatsCache::mu_
  int64_t seq = 0;
  // Per task: its records, at records[begin, begin + count). Replaced tasks
  // leave their old records behind as garbage until the next compaction.
  std::unordered_map<Id, std::pair<size_t, uint32_t>> tasks;
  std::vector<Record> records;
  std::vector<uint32_t> labels;  // label ids, referenced by records
  size_t live_records = 0, live_labels = 0;
  // Label id -> (from_name, type, value).
  std::vector<std::tuple<std::string, std::string, std::string>> label_names;
  std::map<std::tuple<std::string, std::string, std::string>, uint32_t, std::less<>> label_ids;
  // The totals at `seq`; null until a full read has completed (the entry
  // then holds nothing to update).
  std::shared_ptr<const DashboardStats> totals;
  // Whether `totals` is set, readable without `mu` (which a full read of the
  // project holds throughout).
  std::atomic<bool> built{false};
  // `seq` and the number of tasks held as of `totals`, readable without `mu`.
  std::atomic<int64_t> published_seq{0};
  std::atomic<size_t> published_tasks{0};
  // Running totals of the live records. During a full read they are left
  // alone (`counting` false) and made in one pass at its end; after that,
  // every record that comes or goes is added or taken away, so a change
  // costs its own records, not a pass over the project's.
  bool counting = false;
  int64_t submitted = 0, skipped = 0, ground_truth = 0;
  std::map<int32_t, DayCounts> days, authored_days;
  std::vector<int64_t> label_counts;  // by label id
  std::unordered_map<Id, PersonTally> people;

  void Clear() {
    tasks.clear();
    records.clear();
    labels.clear();
    live_records = live_labels = 0;
    totals.reset();
    built = false;
    counting = false;
    submitted = skipped = ground_truth = 0;
    days.clear();
    authored_days.clear();
    label_counts.clear();
    people.clear();
  }

  // Adds (delta +1) or takes away (-1) one record. Lead times are inserted in
  // order only when `sorted`; the full count sorts them once at its end.
  void Count(const Record& rec, int delta, bool sorted) {
    PersonTally* who = nullptr;
    if (rec.user > 0) {
      who = &people[rec.user];
      who->records += delta;
    }
    switch (rec.kind) {
      case Kind::kGroundTruth:
        ground_truth += delta;
        if (who) who->ground_truth += delta;
        break;
      case Kind::kSkipped:
      case Kind::kSubmitted: {
        const bool skip = rec.kind == Kind::kSkipped;
        (skip ? skipped : submitted) += delta;
        AddDay(days, rec.day, skip, delta);
        if (!who) break;
        (skip ? who->skipped : who->submitted) += delta;
        AddDay(who->days, rec.day, skip, delta);
        AddDay(authored_days, rec.day, skip, delta);
        if (skip) break;
        who->lead_micros += delta * Micros(rec.lead_time);
        std::vector<double>& v = who->lead_times;
        if (delta > 0) {
          v.insert(sorted ? std::upper_bound(v.begin(), v.end(), rec.lead_time) : v.end(), rec.lead_time);
        } else {
          auto at = std::lower_bound(v.begin(), v.end(), rec.lead_time);
          if (at != v.end() && *at == rec.lead_time) v.erase(at);
        }
        break;
      }
    }
    if (who && rec.honeypot != HoneypotScore::kNone) {
      who->honeypot_answered += delta;
      if (rec.honeypot == HoneypotScore::kRight) who->honeypot_correct += delta;
    }
    if (who && who->records == 0) people.erase(rec.user);
    if (label_counts.size() < label_names.size()) label_counts.resize(label_names.size(), 0);
    for (uint32_t l = rec.label_begin; l < rec.label_begin + rec.label_count; ++l) label_counts[labels[l]] += delta;
  }

  // The running totals from scratch, once a full read has set every task.
  void CountAll() {
    for (const auto& [task_id, span] : tasks) {
      for (size_t r = span.first; r < span.first + span.second; ++r) Count(records[r], +1, /*sorted=*/false);
    }
    for (auto& [user, who] : people) std::sort(who.lead_times.begin(), who.lead_times.end());
    counting = true;
  }

  uint32_t LabelId(std::string_view from_name, const std::string& type, const std::string& value) {
    auto found = label_ids.find(std::make_tuple(from_name, std::string_view(type), std::string_view(value)));
    if (found != label_ids.end()) return found->second;
    auto key = std::make_tuple(std::string(from_name), type, value);
    const uint32_t id = static_cast<uint32_t>(label_names.size());
    label_ids.emplace(key, id);
    label_names.push_back(std::move(key));
    return id;
  }

  void RemoveTask(Id task_id) {
    auto it = tasks.find(task_id);
    if (it == tasks.end()) return;
    for (size_t r = it->second.first; r < it->second.first + it->second.second; ++r) {
      live_labels -= records[r].label_count;
      if (counting) Count(records[r], -1, /*sorted=*/true);
    }
    live_records -= it->second.second;
    tasks.erase(it);
  }

  // Replaces what the task contributes with its current annotations.
  void SetTask(Id task_id, const std::vector<Annotation>& annotations) {
    RemoveTask(task_id);
    if (annotations.empty()) return;
    const size_t begin = records.size();
    const std::vector<HoneypotScore> honeypots = ScoreHoneypotAnswers(annotations);
    for (size_t idx = 0; idx < annotations.size(); ++idx) {
      const Annotation& a = annotations[idx];
      Record rec;
      rec.user = a.completed_by;
      rec.day = DayOf(a.created_at);
      rec.kind = a.ground_truth ? Kind::kGroundTruth : a.was_cancelled ? Kind::kSkipped : Kind::kSubmitted;
      rec.honeypot = honeypots.empty() ? HoneypotScore::kNone : honeypots[idx];
      rec.lead_time = a.lead_time;
      rec.label_begin = static_cast<uint32_t>(labels.size());
      if (!a.was_cancelled) {
        ForEachResultLabel(a.result, [&](std::string_view from, const std::string& type, const std::string& v) {
          labels.push_back(LabelId(from, type, v));
        });
      }
      rec.label_count = static_cast<uint16_t>(
          std::min<size_t>(labels.size() - rec.label_begin, UINT16_MAX));
      labels.resize(rec.label_begin + rec.label_count);
      live_labels += rec.label_count;
      records.push_back(rec);
      if (counting) Count(rec, +1, /*sorted=*/true);
    }
    tasks[task_id] = {begin, static_cast<uint32_t>(annotations.size())};
    live_records += annotations.size();
  }

  // Drops the garbage replaced tasks left once it outweighs the live records.
  void Compact() {
    if (records.size() < 1024 || records.size() < 2 * live_records) return;
    std::vector<Record> kept;
    std::vector<uint32_t> kept_labels;
    kept.reserve(live_records);
    kept_labels.reserve(live_labels);
    for (auto& [task_id, span] : tasks) {
      const size_t begin = kept.size();
      for (size_t r = span.first; r < span.first + span.second; ++r) {
        Record rec = records[r];
        const uint32_t label_begin = static_cast<uint32_t>(kept_labels.size());
        kept_labels.insert(kept_labels.end(), labels.begin() + rec.label_begin,
                           labels.begin() + rec.label_begin + rec.label_count);
        rec.label_begin = label_begin;
        kept.push_back(rec);
      }
      span.first = begin;
    }
    records = std::move(kept);
    labels = std::move(kept_labels);
  }

  // Whether bringing the entry up to date with `changes` reads the project
  // whole (the lock-free twin is StatsCache::NeedsWholeRead).
  bool WholeReadNeeded(const TaskChanges& changes) const {
    return !totals || ReadWholeProject(changes, tasks.size());
  }

  // Makes the totals at change-log position `seq` the ones requests share.
  void Publish(int64_t seq_now, bool full_rebuild, size_t reloaded) {
    seq = seq_now;
    std::shared_ptr<DashboardStats> out = Sum();
    out->seq = seq_now;
    out->full_rebuild = full_rebuild;
    out->reloaded_tasks = reloaded;
    totals = std::move(out);
    published_seq = seq_now;
    published_tasks = tasks.size();
    built = true;
  }

  // The totals as the dashboards read them, from the running totals: a pass
  // over days, labels and annotators, not over the records.
  std::shared_ptr<DashboardStats> Sum() const {
    auto out = std::make_shared<DashboardStats>();
    out->submitted = submitted;
    out->skipped = skipped;
    out->ground_truth = ground_truth;
    for (const auto& [day, counts] : days) out->per_day[DayName(day)] = counts;
    for (const auto& [day, counts] : authored_days) out->authored_per_day[DayName(day)] = counts;
    for (size_t l = 0; l < label_counts.size(); ++l) {
      if (label_counts[l] == 0) continue;
      const auto& [from_name, type, value] = label_names[l];
      out->labels[{from_name, type}][value] = label_counts[l];
    }
    for (const auto& [user, who] : people) {
      DashboardStats::Annotator& a = out->annotators[user];
      a.submitted = who.submitted;
      a.skipped = who.skipped;
      a.ground_truth = who.ground_truth;
      a.honeypot_answered = who.honeypot_answered;
      a.honeypot_correct = who.honeypot_correct;
      a.lead_hours = static_cast<double>(who.lead_micros) / 3.6e9;
      const std::vector<double>& v = who.lead_times;
      if (!v.empty()) {
        const size_t mid = v.size() / 2;
        a.lead_time_median = v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
      }
      for (const auto& [day, counts] : who.days) a.per_day[DayName(day)] = counts;
    }
    return out;
  }
};

StatsCache::~StatsCache() = default;

std::shared_ptr<StatsCache::Entry> StatsCache::Acquire(Id project_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return AcquireEntry(entries_, project_id, capacity_, &clock_);
}

Result<std::shared_ptr<const DashboardStats>> StatsCache::Get(Store& store, Id project_id) {
  if (lane_ == nullptr) return Update(store, project_id);
  Result<std::shared_ptr<const DashboardStats>> out = Status::Internal("not run");
  Status s = lane_->Run([&]() -> Status {
    out = Update(store, project_id);
    return out.status();
  });
  if (!s.ok()) return s;
  return out;
}

bool StatsCache::Built(Id project_id) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = entries_.find(project_id);
    if (found == entries_.end()) return false;
    entry = found->second;
  }
  return entry->built.load();
}

// A whole-project read into one entry: every task's records, then the
// running totals counted once.
class StatsCache::FullRead final : public FullReadSink {
 public:
  // `lock`, when it owns one, is the entry's, kept until the read is done.
  FullRead(std::shared_ptr<Entry> entry, std::unique_lock<std::mutex> lock)
      : entry_(std::move(entry)), lock_(std::move(lock)) {
    entry_->Clear();
  }
  void Add(const std::vector<TaskBundle>& slice, size_t count) override {
    for (size_t task_idx = 0; task_idx < count; ++task_idx) {
      entry_->SetTask(slice[task_idx].task.id, slice[task_idx].annotations);
    }
    tasks_ += count;
  }
  void Finish(int64_t seq) override {
    entry_->CountAll();
    entry_->Publish(seq, /*full_rebuild=*/true, tasks_);
  }

 private:
  std::shared_ptr<Entry> entry_;
  std::unique_lock<std::mutex> lock_;
  size_t tasks_ = 0;
};

Result<std::unique_ptr<FullReadSink>> StatsCache::BeginFullRead(Store& store, Id project_id) {
  std::shared_ptr<Entry> entry = Acquire(project_id);
  std::unique_lock<std::mutex> lock(entry->mu);
  TESSERA_ASSIGN_OR_RETURN(TaskChanges changes, ChangesSince(store, project_id, entry->seq));
  if (!entry->WholeReadNeeded(changes)) return std::unique_ptr<FullReadSink>();
  return std::unique_ptr<FullReadSink>(std::make_unique<FullRead>(std::move(entry), std::move(lock)));
}

bool StatsCache::NeedsWholeRead(Store& store, Id project_id) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = entries_.find(project_id);
    if (found == entries_.end()) return true;
    entry = found->second;
  }
  if (!entry->built) return true;
  auto changes = ChangesSince(store, project_id, entry->published_seq);
  // An error is Get's to report.
  return changes.ok() && ReadWholeProject(*changes, entry->published_tasks);
}

Result<std::shared_ptr<const DashboardStats>> StatsCache::Update(Store& store, Id project_id) {
  std::shared_ptr<Entry> entry = Acquire(project_id);
  std::lock_guard<std::mutex> lock(entry->mu);
  // The position first: whatever changes after it is read again next time,
  // and re-reading a task is idempotent.
  TESSERA_ASSIGN_OR_RETURN(TaskChanges changes, ChangesSince(store, project_id, entry->seq));
  if (entry->WholeReadNeeded(changes)) {
    FullRead read(entry, std::unique_lock<std::mutex>());  // the lock above is held
    TESSERA_RETURN_IF_ERROR(ReadWholeProjectInto(store, project_id, {&read}, lane_));
    return entry->totals;
  }
  if (changes.task_ids.empty()) return entry->totals;
  size_t reloaded = 0;
  for (Id task_id : changes.task_ids) {
    auto annotations = store.ListAnnotations(task_id);
    if (!annotations.ok() && annotations.status().code() == Code::kNotFound) {
      entry->RemoveTask(task_id);
      continue;
    }
    TESSERA_RETURN_IF_ERROR(annotations.status());
    entry->SetTask(task_id, *annotations);
    ++reloaded;
  }
  entry->Compact();
  entry->Publish(changes.seq, /*full_rebuild=*/false, reloaded);
  return entry->totals;
}

}  // namespace tessera::server
