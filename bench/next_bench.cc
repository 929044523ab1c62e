// Task distribution under load: GET /api/projects/{id}/next against the real
// `tessera serve` binary over HTTP, with many annotators at once (issue 4,
// "Speed": 1M tasks, overlap 3, 200 concurrent annotators; goal p99 <= 10 ms
// and >= 5,000 requests/s).
//
// 1. Seeds a fresh data folder through the store library (as
//    tests/integration/workflow_test.cc does): an admin, N annotators with API
//    tokens, one project with maximum_annotations 3 and a Choices config, and
//    the tasks, inserted in batches of 10,000 under one import. With
//    --done D the first D tasks come already finished (3 annotations each,
//    by annotators in turn), as in a project that is under way: then every
//    annotator has a history of 3 D / N annotations.
// 2. Starts `tessera serve` on a free port.
// 3. Runs N simulated annotators, one keep-alive connection each, driven
//    asynchronously by a few client threads (so the load generator takes as
//    little of the shared CPU as it can), in two modes:
//      next    GET next in a loop: the first call reserves a task, every
//              later one gets the same task back with its lock refreshed;
//      submit  GET next -> POST an annotation for that task -> GET next ...
//    Each mode has a warm-up, then a measured window. Every request's latency
//    (write of the request to the last byte of the response) goes into a
//    log-linear histogram; requests/s, p50/p90/p99/p99.9/max and the errors
//    are printed, with the server's CPU time per request (from
//    /proc/<pid>/stat) so the figure can be judged apart from the client,
//    which shares the same cores.
// 4. Stops the server and checks the store: no task has more than 3
//    annotations, nobody annotated a task twice.
//
// Usage: next_bench [--tasks N] [--done D] [--annotators N] [--seconds S] [--warmup S]
//                   [--mode next|submit|both|none] [--server PATH] [--server-threads N] [--warm-caches]
//                   [--client-threads N] [--pages N] [--dir DIR] [--keep]
// Exit status 0 only when no request failed and the checks passed.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_process.h"
#include "bench/page_timing.h"
#include "tessera/store.h"
#include "tessera/util.h"

namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
using tessera::Id;
using tessera::bench::CpuCap;
using tessera::bench::Die;
using tessera::bench::LoadAverage;
using tessera::bench::MachineJiffies;
using tessera::bench::ProcessCpuSeconds;
using tessera::bench::ResidentKiB;
using tessera::bench::SelfCpuSeconds;
using tessera::bench::ServerProcess;


double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// ---------------------------------------------------------------- options

struct Options {
  int64_t tasks = 1000000;
  int64_t done = 0;
  int annotators = 200;
  double seconds = 20;
  double warmup = 3;
  std::string mode = "both";
  std::string server = "build/tessera";
  int server_threads = 4;
  std::string database;  // postgresql://...: seed and serve from PostgreSQL; empty: SQLite
  int servers = 1;       // servers sharing the database; annotator i talks to server i % servers
  double server_cpu = 0; // cores each server may use (a cgroup cpu quota); 0: no cap
  bool warm_caches = false;  // --warm-caches: the server builds its dashboard caches at start
  int client_threads = 1;
  double rate = 0;  // requests/s offered by all annotators together; 0 = as fast as possible
  double sample = 0;  // seconds between server RSS samples in the window; 0 = start and end only
  std::string dir = "/tmp";
  bool keep = false;
  int pages = 0;
  std::string reuse;  // a folder kept by an earlier run (--keep): skip seeding
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("option " + arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--tasks") o.tasks = std::stoll(value());
    else if (arg == "--done") o.done = std::stoll(value());
    else if (arg == "--annotators") o.annotators = std::stoi(value());
    else if (arg == "--seconds") o.seconds = std::stod(value());
    else if (arg == "--warmup") o.warmup = std::stod(value());
    else if (arg == "--mode") o.mode = value();
    else if (arg == "--server") o.server = value();
    else if (arg == "--server-threads") o.server_threads = std::stoi(value());
    else if (arg == "--database") o.database = value();
    else if (arg == "--servers") o.servers = std::stoi(value());
    else if (arg == "--server-cpu") o.server_cpu = std::stod(value());
    else if (arg == "--warm-caches") o.warm_caches = true;
    else if (arg == "--client-threads") o.client_threads = std::stoi(value());
    else if (arg == "--rate") o.rate = std::stod(value());
    else if (arg == "--sample") o.sample = std::stod(value());
    else if (arg == "--dir") o.dir = value();
    else if (arg == "--keep") o.keep = true;
    else if (arg == "--pages") o.pages = std::stoi(value());
    else if (arg == "--reuse") o.reuse = value();
    else if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: next_bench [--tasks N=1000000] [--done D=0] [--annotators N=200] [--seconds S=20]\n"
          "                  [--warmup S=3] [--mode next|submit|both|none] [--server PATH=build/tessera]\n"
          "                  [--server-threads N=4] [--warm-caches] [--client-threads N=1] [--rate R=0]\n"
          "                  [--sample S=0] [--pages N=0] [--dir DIR=/tmp] [--keep] [--reuse DIR]\n"
          "                  [--database postgresql://...] [--servers K=1] [--server-cpu C=0]\n"
          "--rate R: the annotators together send R requests/s, each on a fixed schedule, and\n"
          "latency counts from the scheduled time (no coordinated omission); 0: each sends its\n"
          "next request as soon as the previous one is answered (saturation).\n"
          "--sample S: print the server's resident memory every S seconds of the window (a soak).\n"
          "--pages N: afterwards, time N loads of each request the project pages make.\n"
          "--reuse DIR: run on a folder an earlier --keep run left (seeding 10M tasks takes minutes);\n"
          "             --tasks/--done/--annotators are then those of that run.\n"
          "--database URL: seed into and serve from this PostgreSQL database (it must be empty,\n"
          "             or the one a --keep run seeded, with --reuse).\n"
          "--servers K: start K servers on the same database and data folder; annotator i talks\n"
          "             to server i %% K directly (client-side balancing: no proxy on the cores).\n"
          "--server-cpu C: cap each server at C cores (a cgroup v1 cpu quota; needs root), so\n"
          "             that the servers, not the database or this client, are the bottleneck.\n");
      std::exit(0);
    } else {
      Die("unknown option " + arg + " (see --help)");
    }
  }
  if (o.tasks < 1 || o.annotators < 1 || o.seconds <= 0 || o.warmup < 0 || o.rate < 0 || o.sample < 0 ||
      o.server_threads < 1 || o.client_threads < 1 || o.servers < 1 || o.server_cpu < 0) {
    Die("option values must be positive");
  }
  if (o.done < 0 || o.done > o.tasks) Die("--done must be from 0 to --tasks");
  if (o.done > 0 && o.annotators < 3) Die("--done needs at least 3 annotators");
  if (o.servers > 1 && o.database.empty()) {
    Die("--servers above 1 needs --database postgresql://... (SQLite serves one process)");
  }
  if (o.mode != "next" && o.mode != "submit" && o.mode != "both" && o.mode != "none") {
    Die("--mode must be next, submit, both or none (only the --pages timings)");
  }
  return o;
}

// ---------------------------------------------------------------- histogram

// Log-linear histogram of nanoseconds: 64 sub-buckets per power of two, so a
// reported percentile is within 1.6% of the true value.
class Histogram {
 public:
  void Add(uint64_t ns) {
    ++counts_[Index(ns)];
    ++count_;
    max_ = std::max(max_, ns);
  }
  void Merge(const Histogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
  }
  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  // The value at quantile q (0..1): the midpoint of the bucket that holds it.
  uint64_t Quantile(double q) const {
    if (count_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(count_));
    if (rank >= count_) rank = count_ - 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen > rank) return std::min(Midpoint(i), max_);
    }
    return max_;
  }

 private:
  static constexpr int kSubBits = 6;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  static size_t Index(uint64_t v) {
    if (v < kSub) return static_cast<size_t>(v);
    int e = 63 - std::countl_zero(v);  // e >= kSubBits
    uint64_t top = v >> (e - kSubBits);  // in [kSub, 2 kSub)
    return static_cast<size_t>((e - kSubBits + 1) * kSub + (top - kSub));
  }
  static uint64_t Midpoint(size_t i) {
    if (i < kSub) return i;
    uint64_t k = i / kSub;                 // >= 1
    uint64_t top = kSub + i % kSub;
    uint64_t lower = top << (k - 1);
    uint64_t width = uint64_t{1} << (k - 1);
    return lower + width / 2;
  }
  std::array<uint64_t, (64 - kSubBits + 1) * kSub> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

// ---------------------------------------------------------------- seeding

constexpr char kResult[] =
    R"([{"from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":["Positive"]}}])";

constexpr char kConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text">
    <Choice value="Positive"/><Choice value="Negative"/>
  </Choices>
</View>)";

struct Seeded {
  Id project_id = 0;
  std::string admin_token;
  std::vector<std::pair<Id, std::string>> annotators;  // user id, API token
};

// The store the servers use: the SQLite file in the data folder, or the
// PostgreSQL database of --database. `seeding` opens SQLite without fsync.
std::unique_ptr<tessera::Store> OpenBenchStore(const fs::path& db, const Options& o, bool seeding) {
  tessera::Result<std::unique_ptr<tessera::Store>> opened = tessera::Status::Internal("unset");
  if (o.database.empty()) {
    tessera::SqliteOptions options;
    options.path = db.string();
    options.full_sync = !seeding;  // seeding only; the server opens it with its defaults
    opened = tessera::OpenSqliteStore(options);
  } else {
    tessera::PostgresOptions options;
    options.url = o.database;
    opened = tessera::OpenPostgresStore(options);
  }
  if (!opened.ok()) Die("open store: " + opened.status().ToString());
  return std::move(*opened);
}

Seeded Seed(const fs::path& db, const Options& o) {
  std::unique_ptr<tessera::Store> opened = OpenBenchStore(db, o, true);
  tessera::Store& store = *opened;
  auto check = [](const tessera::Status& s, const std::string& what) {
    if (!s.ok()) Die(what + ": " + s.ToString());
  };
  auto add_user = [&](const std::string& email, bool admin) {
    tessera::User user;
    user.email = email;
    user.username = email;
    user.is_admin = admin;
    check(store.CreateUser(&user), "create user " + email);
    std::string token = tessera::RandomHex(20);
    check(store.SetApiToken(user.id, token), "set token");
    return std::make_pair(user.id, token);
  };
  Seeded out;
  auto admin = add_user("admin@bench.org", true);
  out.admin_token = admin.second;
  tessera::Project project;
  project.title = "next bench";
  project.label_config = kConfig;
  project.maximum_annotations = 3;
  project.created_by = admin.first;
  check(store.CreateProject(&project), "create project");
  out.project_id = project.id;
  for (int i = 0; i < o.annotators; ++i) {
    auto account = add_user("annotator" + std::to_string(i) + "@bench.org", false);
    check(store.SetMember(project.id, account.first, tessera::Role::kAnnotator), "add member");
    out.annotators.push_back(account);
  }
  auto import_id = store.BeginImport(project.id, admin.first, "next_bench");
  if (!import_id.ok()) Die("begin import: " + import_id.status().ToString());
  constexpr int64_t kBatch = 10000;
  std::vector<tessera::NewTask> batch;
  for (int64_t start = 0; start < o.tasks; start += kBatch) {
    batch.clear();
    for (int64_t i = start; i < std::min(o.tasks, start + kBatch); ++i) {
      tessera::NewTask task;
      task.data = "{\"text\":\"Review number " + std::to_string(i) +
                  ": it was quite good, but the ending dragged.\"}";
      if (i < o.done) {  // finished: three annotations by annotators in turn
        for (int64_t k = 0; k < 3; ++k) {
          tessera::Annotation a;
          a.completed_by = out.annotators[static_cast<size_t>((3 * i + k) % o.annotators)].first;
          a.updated_by = a.completed_by;
          a.result = kResult;
          a.lead_time = 4.2;
          task.annotations.push_back(std::move(a));
        }
      }
      batch.push_back(std::move(task));
    }
    check(store.InsertTasks(project.id, *import_id, batch, nullptr), "insert tasks");
  }
  check(store.FinishImport(*import_id, o.tasks, 3 * o.done, 0), "finish import");
  return out;
}

// What a kept folder needs to be run again: the ids and tokens of the seed.
constexpr char kSeedFile[] = "next-bench-seed.json";

void SaveSeeded(const fs::path& data, const Seeded& seeded) {
  json annotators = json::array();
  for (const auto& [id, token] : seeded.annotators) annotators.push_back({id, token});
  std::ofstream((data / kSeedFile).string())
      << json{{"project_id", seeded.project_id}, {"admin_token", seeded.admin_token},
              {"annotators", annotators}}.dump();
}

Seeded LoadSeeded(const fs::path& data) {
  std::ifstream in((data / kSeedFile).string());
  if (!in) Die("--reuse: " + (data / kSeedFile).string() + " not found (was the folder kept by --keep?)");
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("annotators")) Die("--reuse: unreadable " + std::string(kSeedFile));
  Seeded seeded;
  seeded.project_id = j.value("project_id", Id{0});
  seeded.admin_token = j.value("admin_token", std::string());
  for (const json& a : j["annotators"]) seeded.annotators.emplace_back(a[0].get<Id>(), a[1].get<std::string>());
  return seeded;
}

// ---------------------------------------------------------------- client

enum class Phase { kWarmup, kMeasure, kStop };

// What one client thread measured.
struct Stats {
  Histogram next, submit;
  uint64_t errors = 0;     // transport errors, unexpected statuses, bad bodies
  uint64_t empty = 0;      // 404 "nothing left" from next (only possible with few tasks)
  uint64_t changed = 0;    // next mode: a different task than the held one
  uint64_t handed_twice = 0;  // submit mode: next returned a task the user already did
  std::vector<std::string> samples;  // the first few error descriptions
  void Error(std::string what) {
    ++errors;
    if (samples.size() < 5) samples.push_back(std::move(what));
  }
};

struct Shared {
  std::atomic<Phase> phase{Phase::kWarmup};
  bool submit = false;
  Clock::duration interval{0};  // per annotator between scheduled requests; 0 = unpaced
  std::string host = "127.0.0.1";
  std::string next_target;
  std::string submit_body;
};

// One annotator: a keep-alive connection and a request loop, all callbacks
// on one io_context (so on one client thread: no locking of its Stats).
class Annotator : public std::enable_shared_from_this<Annotator> {
 public:
  Annotator(net::io_context& ioc, const Shared& shared, Stats& stats, std::string token,
            std::set<Id>* done)
      : stream_(ioc), timer_(ioc), shared_(shared), stats_(stats),
        auth_("Token " + std::move(token)), done_(done) {}

  // `first` is when this annotator's paced schedule begins (unused unpaced).
  void Start(const tcp::endpoint& endpoint, Clock::time_point first) {
    due_ = first - shared_.interval;
    stream_.async_connect(endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Fail("connect: " + ec.message());
      self->stream_.socket().set_option(tcp::no_delay(true));
      self->Next();
    });
  }

 private:
  bool Stopping() const { return shared_.phase.load(std::memory_order_relaxed) == Phase::kStop; }
  bool Measuring() const {
    return shared_.phase.load(std::memory_order_relaxed) == Phase::kMeasure;
  }

  void Fail(const std::string& what) {
    if (!Stopping()) stats_.Error(what);
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  // Sends now (unpaced), or at this annotator's next scheduled time; the
  // latency then counts from the scheduled time even when the previous reply
  // came late, so a slow server cannot hide its backlog.
  void Send(http::verb verb, const std::string& target, const std::string* body,
            void (Annotator::*on_reply)()) {
    if (shared_.interval == Clock::duration::zero()) {
      started_ = Clock::now();
      return Transmit(verb, target, body, on_reply);
    }
    due_ += shared_.interval;
    started_ = due_;
    if (due_ <= Clock::now()) return Transmit(verb, target, body, on_reply);
    timer_.expires_at(due_);
    timer_.async_wait([self = shared_from_this(), verb, &target, body,
                       on_reply](beast::error_code ec) {
      if (ec) return self->Fail("timer: " + ec.message());
      self->Transmit(verb, target, body, on_reply);
    });
  }

  void Transmit(http::verb verb, const std::string& target, const std::string* body,
                void (Annotator::*on_reply)()) {
    req_ = {};
    req_.method(verb);
    req_.target(target);
    req_.version(11);
    req_.set(http::field::host, shared_.host);
    req_.set(http::field::authorization, auth_);
    if (body != nullptr) {
      req_.set(http::field::content_type, "application/json");
      req_.body() = *body;
    }
    req_.prepare_payload();
    http::async_write(stream_, req_,
                      [self = shared_from_this(), on_reply](beast::error_code ec, size_t) {
                        if (ec) return self->Fail("write: " + ec.message());
                        self->res_ = {};
                        http::async_read(self->stream_, self->buffer_, self->res_,
                                         [self, on_reply](beast::error_code ec2, size_t) {
                                           if (ec2) return self->Fail("read: " + ec2.message());
                                           ((*self).*on_reply)();
                                         });
                      });
  }

  uint64_t ElapsedNs() const {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started_).count());
  }

  void Next() {
    if (Stopping()) return Close();
    Send(http::verb::get, shared_.next_target, nullptr, &Annotator::OnNext);
  }

  void OnNext() {
    uint64_t ns = ElapsedNs();
    bool measuring = Measuring();
    if (measuring) stats_.next.Add(ns);
    if (res_.result_int() == 404 && res_.body().find("\"detail\"") != std::string::npos) {
      if (measuring) ++stats_.empty;
      return Close();  // nothing left for this annotator
    }
    if (res_.result_int() != 200) {
      return Fail("next: HTTP " + std::to_string(res_.result_int()) + " " +
                  res_.body().substr(0, 200));
    }
    json task = json::parse(res_.body(), nullptr, false);
    if (!task.is_object() || !task.contains("id") || !task["id"].is_number_integer()) {
      return Fail("next: no task id in " + res_.body().substr(0, 200));
    }
    Id task_id = task["id"].get<Id>();
    if (!shared_.submit) {
      if (held_ != 0 && held_ != task_id && measuring) ++stats_.changed;
      held_ = task_id;
      return Next();
    }
    if (!done_->insert(task_id).second) ++stats_.handed_twice;
    submit_target_ = "/api/tasks/" + std::to_string(task_id) + "/annotations";
    Send(http::verb::post, submit_target_, &shared_.submit_body, &Annotator::OnSubmit);
  }

  void OnSubmit() {
    uint64_t ns = ElapsedNs();
    if (Measuring()) stats_.submit.Add(ns);
    if (res_.result_int() != 201) {
      return Fail("submit: HTTP " + std::to_string(res_.result_int()) + " " +
                  res_.body().substr(0, 200));
    }
    Next();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  const Shared& shared_;
  Stats& stats_;
  std::string auth_;
  std::set<Id>* done_;  // tasks this user was handed in submit mode (across modes)
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  beast::flat_buffer buffer_;
  std::string submit_target_;
  Clock::time_point started_;  // when the request was sent, or was due (paced)
  Clock::time_point due_;
  Id held_ = 0;
};

struct ModeResult {
  Stats stats;
  double seconds = 0;      // the measured window
  double server_cpu = 0;   // seconds of server CPU in the window
  double client_cpu = 0;   // seconds of this process's CPU in the window
  double machine_busy = 0; // share of all cores busy in the window (0..1)
  double database_cpu = -1;  // seconds of PostgreSQL CPU in the window (-1: SQLite, in the server)
  int64_t rss_start_kib = 0, rss_end_kib = 0, rss_max_kib = 0;  // server, over the window
};

using Servers = std::vector<std::unique_ptr<ServerProcess>>;

// Summed over the servers.
double ServersCpuSeconds(const Servers& servers) {
  double sum = 0;
  for (const auto& server : servers) sum += ProcessCpuSeconds(server->pid());
  return sum;
}
// `field` of /proc/<pid>/status summed over the servers: VmRSS, or RssAnon
// (heap and stacks: what a leak grows; the rest is the binary and the
// database's memory-mapped pages, which grow with the file and are
// reclaimable).
int64_t ServersResidentKiB(const Servers& servers, const char* field = "VmRSS") {
  int64_t sum = 0;
  for (const auto& server : servers) sum += ResidentKiB(server->pid(), field);
  return sum;
}

ModeResult RunMode(bool submit, const Options& o, const Seeded& seeded, const Servers& servers,
                   std::vector<std::set<Id>>* done) {
  Shared shared;
  shared.submit = submit;
  shared.next_target = "/api/projects/" + std::to_string(seeded.project_id) + "/next";
  shared.submit_body = json{{"result", json::parse(kResult)}, {"lead_time", 4.2}}.dump();
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<Stats> stats(static_cast<size_t>(o.client_threads));
  for (int t = 0; t < o.client_threads; ++t) contexts.push_back(std::make_unique<net::io_context>(1));
  std::vector<tcp::endpoint> endpoints;
  for (const auto& server : servers) {
    endpoints.emplace_back(net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(server->port()));
  }
  size_t n = seeded.annotators.size();
  if (o.rate > 0) {
    shared.interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(n) / o.rate));
  }
  // Paced schedules start 50 ms from now (after the connects), spread evenly.
  Clock::time_point begin = Clock::now() + std::chrono::milliseconds(50);
  for (size_t i = 0; i < n; ++i) {
    size_t t = i % contexts.size();
    auto annotator = std::make_shared<Annotator>(*contexts[t], shared, stats[t],
                                                 seeded.annotators[i].second, &(*done)[i]);
    annotator->Start(endpoints[i % endpoints.size()], begin + shared.interval * static_cast<int64_t>(i) /
                                          static_cast<int64_t>(n));
  }
  std::vector<std::thread> threads;
  for (auto& ioc : contexts) threads.emplace_back([&ioc] { ioc->run(); });

  std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
  ModeResult result;
  double server_cpu0 = ServersCpuSeconds(servers);
  double database_cpu0 = o.database.empty() ? 0 : tessera::bench::CommandCpuSeconds("postgres");
  double client_cpu0 = SelfCpuSeconds();
  auto machine0 = MachineJiffies();
  Clock::time_point t0 = Clock::now();
  result.rss_start_kib = result.rss_max_kib = ServersResidentKiB(servers);
  shared.phase = Phase::kMeasure;
  if (o.sample > 0) {
    std::printf("  server RSS at 0 s: %.1f MiB (anonymous %.1f MiB)\n", static_cast<double>(result.rss_start_kib) / 1024,
                static_cast<double>(ServersResidentKiB(servers, "RssAnon")) / 1024);
    const Clock::time_point end = t0 + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(o.seconds));
    for (int step = 1;; ++step) {
      Clock::time_point at = t0 + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(o.sample * step));
      if (at >= end) break;
      std::this_thread::sleep_until(at);
      int64_t rss = ServersResidentKiB(servers);
      result.rss_max_kib = std::max(result.rss_max_kib, rss);
      std::printf("  server RSS at %.0f s: %.1f MiB (anonymous %.1f MiB); load %s\n", o.sample * step,
                  static_cast<double>(rss) / 1024, static_cast<double>(ServersResidentKiB(servers, "RssAnon")) / 1024,
                  LoadAverage().c_str());
      std::fflush(stdout);
    }
    std::this_thread::sleep_until(end);
  } else {
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  }
  result.rss_end_kib = ServersResidentKiB(servers);
  result.rss_max_kib = std::max(result.rss_max_kib, result.rss_end_kib);
  shared.phase = Phase::kStop;
  Clock::time_point t1 = Clock::now();
  result.server_cpu = ServersCpuSeconds(servers) - server_cpu0;
  if (!o.database.empty()) result.database_cpu = tessera::bench::CommandCpuSeconds("postgres") - database_cpu0;
  result.client_cpu = SelfCpuSeconds() - client_cpu0;
  auto machine1 = MachineJiffies();
  result.seconds = Seconds(t1 - t0);
  double total = machine1.second - machine0.second;
  result.machine_busy = total > 0 ? (machine1.first - machine0.first) / total : 0;
  for (auto& thread : threads) thread.join();  // each annotator finishes its request and stops
  for (const Stats& s : stats) {
    result.stats.next.Merge(s.next);
    result.stats.submit.Merge(s.submit);
    result.stats.errors += s.errors;
    result.stats.empty += s.empty;
    result.stats.changed += s.changed;
    result.stats.handed_twice += s.handed_twice;
    for (const auto& sample : s.samples) result.stats.samples.push_back(sample);
  }
  return result;
}

std::string Ms(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(ns) / 1e6);
  return buf;
}

void PrintLatency(const char* name, const Histogram& h, double seconds) {
  std::printf("  %-7s %9llu requests  %8.0f req/s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s ms\n",
              name, static_cast<unsigned long long>(h.count()),
              static_cast<double>(h.count()) / seconds, Ms(h.Quantile(0.50)).c_str(),
              Ms(h.Quantile(0.90)).c_str(), Ms(h.Quantile(0.99)).c_str(),
              Ms(h.Quantile(0.999)).c_str(), Ms(h.max()).c_str());
}

// Prints a mode's figures; returns false when a request failed.
bool Report(const char* title, const ModeResult& r) {
  const Stats& s = r.stats;
  Histogram all = s.next;
  all.Merge(s.submit);
  std::printf("%s\n", title);
  PrintLatency("next", s.next, r.seconds);
  if (s.submit.count() > 0) {
    PrintLatency("submit", s.submit, r.seconds);
    PrintLatency("all", all, r.seconds);
  }
  double requests = static_cast<double>(all.count());
  std::printf("  window %.2f s; errors %llu; server CPU %.2f s = %.0f us/request (%.2f cores); "
              "client CPU %.2f s = %.0f us/request; machine busy %.0f%%; load %s\n",
              r.seconds, static_cast<unsigned long long>(s.errors), r.server_cpu,
              requests > 0 ? r.server_cpu / requests * 1e6 : 0.0, r.server_cpu / r.seconds,
              r.client_cpu, requests > 0 ? r.client_cpu / requests * 1e6 : 0.0,
              r.machine_busy * 100, LoadAverage().c_str());
  // What neither the servers nor this client used: PostgreSQL (its own
  // processes) and whatever else shares the machine.
  double cores = static_cast<double>(std::thread::hardware_concurrency());
  double other = r.machine_busy * cores * r.seconds - r.server_cpu - r.client_cpu;
  if (r.database_cpu >= 0) {
    other -= r.database_cpu;
    std::printf("  PostgreSQL CPU %.2f s = %.0f us/request (%.2f cores); ", r.database_cpu,
                requests > 0 ? r.database_cpu / requests * 1e6 : 0.0, r.database_cpu / r.seconds);
  } else {
    std::printf("  ");
  }
  std::printf("other processes: %.2f cores\n", std::max(0.0, other) / r.seconds);
  std::printf("  server RSS: %.1f MiB at the start of the window, %.1f MiB at the end, %.1f MiB max\n",
              static_cast<double>(r.rss_start_kib) / 1024, static_cast<double>(r.rss_end_kib) / 1024,
              static_cast<double>(r.rss_max_kib) / 1024);
  if (s.empty > 0) {
    std::printf("  next answered 404 (nothing left) %llu times\n",
                static_cast<unsigned long long>(s.empty));
  }
  if (s.changed > 0) {
    std::printf("  next mode: %llu times a different task than the one held\n",
                static_cast<unsigned long long>(s.changed));
  }
  if (s.handed_twice > 0) {
    std::printf("  submit mode: %llu times a task the user had already been handed\n",
                static_cast<unsigned long long>(s.handed_twice));
  }
  for (const auto& sample : s.samples) std::printf("  error: %s\n", sample.c_str());
  std::fflush(stdout);
  return s.errors == 0 && s.changed == 0 && s.handed_twice == 0;
}

// No task above the overlap, nobody twice on a task (read from the store after
// the server stopped).
bool CheckStore(const fs::path& db, const Options& o, Id project_id) {
  std::unique_ptr<tessera::Store> opened = OpenBenchStore(db, o, false);
  std::map<Id, int> per_task;
  std::set<std::pair<Id, Id>> pairs;
  int64_t annotations = 0, twice = 0;
  tessera::Status s = opened->ForEachAnnotationFact(
      project_id, [&](const tessera::AnnotationFact& f) -> tessera::Status {
        ++annotations;
        if (!f.was_cancelled) ++per_task[f.task_id];
        if (!pairs.emplace(f.task_id, f.completed_by).second) ++twice;
        return tessera::Status::Ok();
      });
  if (!s.ok()) Die("reading annotations: " + s.ToString());
  int most = 0;
  int64_t over = 0, full = 0;
  for (const auto& [task, n] : per_task) {
    most = std::max(most, n);
    if (n > 3) ++over;
    if (n == 3) ++full;
  }
  std::printf("check: %lld annotations on %zu tasks (%lld with 3); most on one task %d; "
              "tasks over 3: %lld; user twice on a task: %lld -> %s\n",
              static_cast<long long>(annotations), per_task.size(), static_cast<long long>(full),
              most, static_cast<long long>(over), static_cast<long long>(twice),
              over == 0 && twice == 0 ? "OK" : "FAILED");
  return over == 0 && twice == 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseOptions(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  std::printf("next_bench: %lld tasks (%lld done), overlap 3, %d annotators, server threads %d, "
              "client threads %d, %.0f s warm-up + %.0f s per mode, %s\n",
              static_cast<long long>(o.tasks), static_cast<long long>(o.done), o.annotators,
              o.server_threads, o.client_threads, o.warmup, o.seconds,
              o.rate > 0 ? ("paced at " + std::to_string(static_cast<long long>(o.rate)) +
                            " requests/s in all")
                               .c_str()
                         : "unpaced (saturation)");
  std::printf("machine: %u cores, load %s (start)\n", std::thread::hardware_concurrency(),
              LoadAverage().c_str());

  fs::path data;
  Seeded seeded;
  if (!o.reuse.empty()) {
    data = o.reuse;
    seeded = LoadSeeded(data);
    std::printf("reusing %s\n", data.c_str());
  } else {
    data = fs::path(o.dir) / ("tessera-next-bench-" + tessera::RandomHex(4));
    fs::create_directories(data);
    Clock::time_point seed_start = Clock::now();
    seeded = Seed(data / "tessera.db", o);
    SaveSeeded(data, seeded);
    std::printf("seeded %s in %.1f s\n", data.c_str(), Seconds(Clock::now() - seed_start));
  }
  fs::path db = data / "tessera.db";
  std::fflush(stdout);

  bool ok = true;
  {
    // Declared before the servers, so removed after they stopped.
    std::vector<std::unique_ptr<CpuCap>> caps;
    Servers servers;
    for (int i = 0; i < o.servers; ++i) {
      if (o.server_cpu > 0) {
        caps.push_back(std::make_unique<CpuCap>(
            "tessera-bench-" + std::to_string(getpid()) + "-" + std::to_string(i), o.server_cpu));
      }
      tessera::bench::ServerSpec spec;
      spec.binary = o.server;
      spec.data = data;
      spec.database = o.database;
      spec.threads = o.server_threads;
      spec.warm_caches = o.warm_caches;
      if (i > 0) spec.log_name = "server" + std::to_string(i + 1) + ".log";
      servers.push_back(std::make_unique<ServerProcess>(spec, caps.empty() ? nullptr : caps.back().get()));
      std::printf("server %d: pid %d, port %d%s\n", i + 1, static_cast<int>(servers.back()->pid()),
                  servers.back()->port(),
                  o.server_cpu > 0 ? (", capped at " + std::to_string(o.server_cpu).substr(0, 4) + " cores").c_str()
                                   : "");
    }
    std::fflush(stdout);
    const ServerProcess& server = *servers.front();
    std::vector<std::set<Id>> done(seeded.annotators.size());
    if (o.mode == "next" || o.mode == "both") {
      ModeResult r = RunMode(false, o, seeded, servers, &done);
      ok &= Report("mode next (GET next again and again: the held task, lock refreshed)", r);
    }
    if (o.mode == "submit" || o.mode == "both") {
      ModeResult r = RunMode(true, o, seeded, servers, &done);
      ok &= Report("mode submit (GET next -> POST annotation -> GET next ...)", r);
    }
    if (o.pages > 0) {
      ok &= tessera::bench::TimeProjectPages(server.port(), seeded.admin_token, seeded.project_id,
                                             o.pages);
    }
    for (auto& each : servers) each->Stop();
    for (size_t i = 0; i < caps.size(); ++i) {
      std::printf("server %zu was held back by its CPU cap for %.1f s in all\n", i + 1,
                  caps[i]->ThrottledSeconds());
    }
  }
  if (o.mode == "submit" || o.mode == "both") ok &= CheckStore(db, o, seeded.project_id);
  if (!o.keep && o.reuse.empty()) {
    std::error_code ec;
    fs::remove_all(data, ec);
  } else {
    std::printf("kept %s\n", data.c_str());
  }
  std::printf("%s\n", ok ? "result: OK" : "result: FAILED");
  return ok ? 0 : 1;
}
