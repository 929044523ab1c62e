// Two Tessera servers behind Debian's nginx (issue 7): both servers share one
// PostgreSQL database and one data folder, nginx balances round robin, and the
// team-workflow concurrency check (50 annotators, 200 tasks, overlap 3) runs
// through nginx. Same invariants as workflow_test's single-server check, plus:
// every acknowledged submit is stored exactly once, both servers served a fair
// share, and a session started through nginx works on either server directly.
//
// Runs as the ctest entry lb_test_postgres (fixture pg_cluster); skipped when
// PostgreSQL or /usr/sbin/nginx is missing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tessera/store.h"
#include "tessera/util.h"
#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using nlohmann::json;
using tcp = net::ip::tcp;

constexpr char kNginx[] = "/usr/sbin/nginx";

constexpr char kConfig[] = R"(<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text">
    <Choice value="Positive"/><Choice value="Negative"/>
  </Choices>
</View>)";

json Choice(const std::string& value) {
  return json::array({{{"from_name", "sentiment"},
                       {"to_name", "text"},
                       {"type", "choices"},
                       {"value", {{"choices", {value}}}}}});
}

std::string Path(Id project, const std::string& rest) {
  return "/api/projects/" + std::to_string(project) + rest;
}

// A free TCP port of 127.0.0.1 (closed again; nginx binds it right after).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool Answers(int port) {
  try {
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// nginx in the foreground (master_process off: one process, so stopping it
// leaves no worker behind) with every file it writes in its own temp folder.
class Nginx {
 public:
  Nginx() : dir_(fs::temp_directory_path() / ("tessera-lb-" + RandomHex(6))) {
    fs::create_directories(dir_);
  }
  ~Nginx() {
    Stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Writes nginx.conf balancing over `upstreams` and starts nginx; false (with
  // the error log in *why) when it does not answer within 10 s.
  bool Start(const std::vector<int>& upstreams, std::string* why) {
    port_ = FreePort();
    const std::string d = dir_.string();
    std::ofstream conf(dir_ / "nginx.conf");
    conf << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
         << "pid " << d << "/nginx.pid;\n"
         << "error_log " << d << "/error.log warn;\n"
         << "events { worker_connections 1024; }\n"
         << "http {\n"
         << "  log_format lb '$upstream_addr $status $request_method $request_uri';\n"
         << "  access_log " << d << "/access.log lb;\n"
         << "  client_body_temp_path " << d << "/client_body;\n"
         << "  proxy_temp_path " << d << "/proxy;\n"
         << "  fastcgi_temp_path " << d << "/fastcgi;\n"
         << "  uwsgi_temp_path " << d << "/uwsgi;\n"
         << "  scgi_temp_path " << d << "/scgi;\n"
         << "  client_max_body_size 64m;\n"
         << "  keepalive_requests 100000;\n"
         << "  upstream tessera {\n";
    for (int port : upstreams) conf << "    server 127.0.0.1:" << port << ";\n";
    conf << "    keepalive 32;\n  }\n"
         << "  server {\n    listen 127.0.0.1:" << port_ << ";\n"
         << "    location / {\n"
         << "      proxy_pass http://tessera;\n"
         << "      proxy_http_version 1.1;\n"
         << "      proxy_set_header Connection \"\";\n"
         << "      proxy_set_header Host $host;\n"
         << "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
         << "      proxy_set_header X-Forwarded-Proto $scheme;\n"
         << "    }\n  }\n}\n";
    conf.close();
    pid_ = fork();
    if (pid_ == 0) {
      // -e: the error log before the configuration is read (else nginx tries
      // /var/log/nginx/error.log).
      std::string conf_path = d + "/nginx.conf", error_log = d + "/error.log", prefix = d + "/";
      int null = open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, STDOUT_FILENO);
      execl(kNginx, kNginx, "-p", prefix.c_str(), "-c", conf_path.c_str(), "-e", error_log.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        *why = "nginx exited: " + ReadFile(dir_ / "error.log");
        return false;
      }
      if (Answers(port_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    *why = "nginx did not answer: " + ReadFile(dir_ / "error.log");
    return false;
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  int port() const { return port_; }
  std::string access_log() const { return ReadFile(dir_ / "access.log"); }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// One keep-alive connection per annotator (as a browser tab): reconnects only
// when the other side said Connection: close. Never retries a request: a
// failed request counts as a failure of the run.
class KeepAliveClient {
 public:
  KeepAliveClient(int port, std::string token) : port_(port), token_(std::move(token)) {}

  Reply Request(http::verb method, const std::string& target, const std::string& body = "") {
    if (!open_) {
      stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port_)));
      open_ = true;
      ++connects_;
    }
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Token " + token_);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    if (!res.keep_alive()) {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.close();
      open_ = false;
    }
    Reply reply;
    reply.status = res.result_int();
    reply.body = std::move(res.body());
    return reply;
  }
  int connects() const { return connects_; }

 private:
  int port_;
  std::string token_;
  net::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
  bool open_ = false;
  int connects_ = 0;
};

struct Account {
  Id id = 0;
  std::string token;
};

// What one annotator did, as acknowledged by the server.
struct AnnotatorRun {
  int submitted = 0, skipped = 0, failures = 0, connects = 0;
  std::set<Id> handed;
  bool handed_twice = false;
  std::vector<std::pair<Id, Id>> acknowledged;  // (task, annotation) of each 201 submit
  std::string first_failure;
};

// Like workflow_test's Annotate: `next` and submit until `next` answers 404
// five times in a row; every `skip_every`-th task is skipped.
AnnotatorRun Annotate(int port, const Account& who, Id project, int skip_every) {
  KeepAliveClient c(port, who.token);
  AnnotatorRun run;
  auto fail = [&run](const std::string& what) {
    if (run.failures++ == 0) run.first_failure = what;
  };
  try {
    int empty_in_a_row = 0;
    for (;;) {
      Reply next = c.Request(http::verb::get, Path(project, "/next"));
      if (next.status == 404) {
        if (!next.Json().contains("detail")) fail("404 without detail: " + next.body);
        // "Nothing for you now" can change while others hold locks they are
        // about to give back (a skip re-queues a task): like a real client,
        // keep looking for a while (3 s: one next + submit of another
        // annotator on a loaded CI machine can take more than the 0.5 s
        // this used to wait) before calling it a day.
        if (++empty_in_a_row >= 30) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      empty_in_a_row = 0;
      if (next.status != 200) {
        fail("next: " + std::to_string(next.status) + " " + next.body);
        break;
      }
      Id tid = next.Json()["id"];
      if (!run.handed.insert(tid).second) run.handed_twice = true;
      bool skip = skip_every > 0 && (run.submitted + run.skipped) % skip_every == skip_every - 1;
      json body = skip ? json{{"result", json::array()}, {"was_cancelled", true}}
                       : json{{"result", Choice("Positive")}, {"lead_time", 1.5}};
      Reply a = c.Request(http::verb::post, "/api/tasks/" + std::to_string(tid) + "/annotations",
                          body.dump());
      if (a.status != 201) {
        fail("submit: " + std::to_string(a.status) + " " + a.body);
        break;
      }
      run.acknowledged.emplace_back(tid, a.Json()["id"].get<Id>());
      (skip ? run.skipped : run.submitted)++;
    }
  } catch (const std::exception& e) {
    fail(std::string("connection: ") + e.what());
  }
  run.connects = c.connects();
  return run;
}

// "METHOD path" of each request line ("msg":"request") in a server's JSON log.
std::multiset<std::string> LoggedRequests(const fs::path& log) {
  std::multiset<std::string> out;
  std::istringstream lines(ReadFile(log));
  std::string line;
  while (std::getline(lines, line)) {
    json entry = json::parse(line, nullptr, false);
    if (entry.is_object() && entry.value("msg", "") == "request") {
      out.insert(entry.value("method", "") + " " + entry.value("path", ""));
    }
  }
  return out;
}

// "METHOD path" of each request nginx passed to `upstream` (log_format lb).
std::multiset<std::string> ProxiedRequests(const std::string& access_log, const std::string& upstream) {
  std::multiset<std::string> out;
  std::istringstream lines(access_log);
  std::string addr, status, method, uri;
  while (lines >> addr >> status >> method >> uri) {
    if (addr == upstream) out.insert(method + " " + uri.substr(0, uri.find('?')));
  }
  return out;
}

// What `a` has that `b` has not (for failure messages).
std::string Missing(const std::multiset<std::string>& a, const std::multiset<std::string>& b) {
  std::multiset<std::string> rest = a;
  for (const std::string& s : b) {
    auto it = rest.find(s);
    if (it != rest.end()) rest.erase(it);
  }
  std::string out;
  for (const std::string& s : rest) out += "\n  " + s;
  return out;
}

TEST(LoadBalancerTest, TwoServersBehindNginxFiftyAnnotatorsOverlapThree) {
  const char* database = std::getenv("TESSERA_TEST_DATABASE");
  if (database == nullptr || std::string(database) != "postgres") {
    GTEST_SKIP() << "needs TESSERA_TEST_DATABASE=postgres (run as ctest lb_test_postgres)";
  }
  if (access(kNginx, X_OK) != 0) GTEST_SKIP() << kNginx << " not installed (apt-get install nginx)";
  auto started = std::chrono::steady_clock::now();
  constexpr int kAnnotators = 50, kTasks = 200, kOverlap = 3;

  // Two servers on one schema and one data folder. Accounts are seeded
  // straight into the store (see workflow_test), except one with a password
  // for the session check.
  ServerProcess a;
  Account admin;
  std::vector<Account> users;
  {
    auto store = a.OpenStore();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto add = [&](const std::string& email, bool is_admin) {
      User user;
      user.email = email;
      user.username = email;
      user.is_admin = is_admin;
      EXPECT_TRUE((*store)->CreateUser(&user).ok());
      Account account{user.id, RandomHex(20)};
      EXPECT_TRUE((*store)->SetApiToken(user.id, account.token).ok());
      return account;
    };
    admin = add("admin@x.org", true);
    for (int idx = 0; idx < kAnnotators; ++idx) {
      users.push_back(add("annotator" + std::to_string(idx) + "@x.org", false));
    }
  }
  a.AddUser("lead@x.org", "lead password 1", false);
  a.Start({"--trust-proxy"});
  std::unique_ptr<ServerProcess> b = ServerProcess::SharingWith(a);
  b->Start({"--trust-proxy"});
  ASSERT_NE(a.port(), b->port());

  Nginx nginx;
  std::string why;
  ASSERT_TRUE(nginx.Start({a.port(), b->port()}, &why)) << why;
  const int lb = nginx.port();

  // A session started through nginx works on both servers directly, and
  // signing out on one ends it on the other.
  {
    HttpClient browser("127.0.0.1", lb);
    Reply login = browser.Request("POST", "/api/auth/login",
                                  json{{"email", "lead@x.org"}, {"password", "lead password 1"}}.dump(),
                                  {{"Content-Type", "application/json"}});
    ASSERT_EQ(login.status, 200) << login.body;
    std::string session = browser.Cookie("sessionid"), csrf = browser.Cookie("csrftoken");
    ASSERT_FALSE(session.empty()) << login.Header("set-cookie");
    auto direct = [&](int port) {
      HttpClient c("127.0.0.1", port);
      c.UseCookies(false);
      c.SetHeader("Cookie", "sessionid=" + session + "; csrftoken=" + csrf);
      c.SetHeader("X-CSRFToken", csrf);
      return c;
    };
    for (int port : {a.port(), b->port()}) {
      Reply who = direct(port).Get("/api/current-user/whoami");
      EXPECT_EQ(who.status, 200) << "port " << port << ": " << who.body;
      EXPECT_EQ(who.Json().value("email", ""), "lead@x.org") << who.body;
    }
    Reply out = direct(b->port()).PostJson("/api/auth/logout", json::object());
    EXPECT_EQ(out.status, 200) << out.body;
    EXPECT_EQ(direct(a.port()).Get("/api/current-user/whoami").status, 401);
    EXPECT_EQ(browser.Get("/api/current-user/whoami").status, 401);
  }

  // The project, through nginx.
  HttpClient admin_client("127.0.0.1", lb);
  admin_client.SetHeader("Authorization", "Token " + admin.token);
  Reply p = admin_client.PostJson("/api/projects", json{{"title", "Team"}, {"label_config", kConfig}});
  ASSERT_EQ(p.status, 201) << p.body;
  Id pid = p.Json().value("id", Id{0});
  json data = json::array();
  for (int idx = 0; idx < kTasks; ++idx) data.push_back({{"text", "item " + std::to_string(idx)}});
  Reply imp = admin_client.PostJson(Path(pid, "/import?return_task_ids=1"), data);
  ASSERT_EQ(imp.status, 201) << imp.body;
  std::vector<Id> task_ids = imp.Json()["task_ids"].get<std::vector<Id>>();
  ASSERT_EQ(task_ids.size(), static_cast<size_t>(kTasks));
  for (const Account& u : users) {
    Reply m = admin_client.PostJson(Path(pid, "/members"), json{{"user", u.id}, {"role", "annotator"}});
    ASSERT_EQ(m.status, 201) << m.body;
  }
  Reply w = admin_client.PatchJson(Path(pid, "/workflow"), json{{"maximum_annotations", kOverlap}});
  ASSERT_EQ(w.status, 200) << w.body;

  auto work_started = std::chrono::steady_clock::now();
  std::vector<AnnotatorRun> runs(kAnnotators);
  std::vector<std::thread> threads;
  for (int idx = 0; idx < kAnnotators; ++idx) {
    threads.emplace_back([&, idx] { runs[idx] = Annotate(lb, users[idx], pid, /*skip_every=*/7); });
  }
  for (auto& t : threads) t.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - work_started).count();

  int submitted = 0, skipped = 0, connects = 0;
  std::map<Id, std::set<Id>> acknowledged;  // task -> annotation ids acknowledged with 201
  for (int idx = 0; idx < kAnnotators; ++idx) {
    EXPECT_EQ(runs[idx].failures, 0) << "annotator " << idx << ": " << runs[idx].first_failure;
    EXPECT_FALSE(runs[idx].handed_twice) << "annotator " << idx << " got a task twice";
    submitted += runs[idx].submitted;
    skipped += runs[idx].skipped;
    connects += runs[idx].connects;
    for (const auto& [tid, aid] : runs[idx].acknowledged) {
      EXPECT_TRUE(acknowledged[tid].insert(aid).second) << "annotation id " << aid << " acknowledged twice";
    }
  }
  EXPECT_EQ(submitted, kTasks * kOverlap);

  // What is stored (read through nginx, so from both servers): per task
  // exactly `overlap` non-cancelled annotations by distinct users, and every
  // acknowledged annotation (skips included) present, nothing more.
  size_t stored_total = 0;
  for (Id tid : task_ids) {
    Reply t = admin_client.Get("/api/tasks/" + std::to_string(tid));
    ASSERT_EQ(t.status, 200) << t.body;
    std::vector<Id> authors;
    std::set<Id> stored;
    const json task = t.Json();
    for (const json& ann : task["annotations"]) {
      stored.insert(ann["id"].get<Id>());
      if (!ann["was_cancelled"].get<bool>()) authors.push_back(ann["completed_by"].get<Id>());
    }
    stored_total += stored.size();
    EXPECT_EQ(authors.size(), static_cast<size_t>(kOverlap)) << "task " << tid;
    EXPECT_EQ(std::set<Id>(authors.begin(), authors.end()).size(), authors.size())
        << "task " << tid << " annotated twice by one user";
    EXPECT_EQ(stored, acknowledged[tid]) << "task " << tid << ": stored != acknowledged";
  }
  EXPECT_EQ(stored_total, static_cast<size_t>(submitted + skipped));
  Reply locks = admin_client.Get(Path(pid, "/locks"));
  ASSERT_EQ(locks.status, 200);
  EXPECT_TRUE(locks.Json().empty()) << locks.body;
  Reply project = admin_client.Get(Path(pid, ""));
  EXPECT_EQ(project.Json()["finished_task_number"], kTasks);
  EXPECT_EQ(project.Json()["total_annotations_number"], kTasks * kOverlap);
  EXPECT_EQ(project.Json()["skipped_annotations_number"], skipped);

  // Both servers did a fair share (round robin: about half each), and every
  // request nginx passed on is in the log of the server it names (plus the
  // session check's direct requests: 2 to A, 2 to B). The servers' logs are
  // copied from their stderr by a thread: give the last lines a moment.
  // Both logs are written a moment after the reply (nginx's when it finalizes
  // the request, the servers' copied from stderr by a thread): look again for
  // up to 2 s.
  const std::string addr_a = "127.0.0.1:" + std::to_string(a.port());
  const std::string addr_b = "127.0.0.1:" + std::to_string(b->port());
  std::string access_log;
  std::multiset<std::string> proxied_a, proxied_b, logged_a, logged_b;
  for (int i = 0; i < 40; ++i) {
    access_log = nginx.access_log();
    proxied_a = ProxiedRequests(access_log, addr_a);
    proxied_b = ProxiedRequests(access_log, addr_b);
    proxied_a.insert({"GET /api/current-user/whoami", "GET /api/current-user/whoami"});
    proxied_b.insert({"GET /api/current-user/whoami", "POST /api/auth/logout"});
    logged_a = LoggedRequests(a.log_path());
    logged_b = LoggedRequests(b->log_path());
    if (logged_a == proxied_a && logged_b == proxied_b) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::set<std::string> upstreams;
  {
    std::istringstream lines(access_log);
    std::string line;
    while (std::getline(lines, line)) upstreams.insert(line.substr(0, line.find(' ')));
  }
  EXPECT_EQ(upstreams, (std::set<std::string>{addr_a, addr_b}));  // no retry, no error
  EXPECT_TRUE(logged_a == proxied_a) << "only in A's log:" << Missing(logged_a, proxied_a)
                                     << "\nonly in nginx's log for A:" << Missing(proxied_a, logged_a);
  EXPECT_TRUE(logged_b == proxied_b) << "only in B's log:" << Missing(logged_b, proxied_b)
                                     << "\nonly in nginx's log for B:" << Missing(proxied_b, logged_b);
  const int nginx_a = static_cast<int>(proxied_a.size()) - 2;
  const int nginx_b = static_cast<int>(proxied_b.size()) - 2;
  const int served_a = static_cast<int>(logged_a.size()), served_b = static_cast<int>(logged_b.size());
  int total = nginx_a + nginx_b;
  EXPECT_GT(nginx_a * 5, total * 2) << nginx_a << " of " << total << " on server A";
  EXPECT_GT(nginx_b * 5, total * 2) << nginx_b << " of " << total << " on server B";
  EXPECT_EQ(connects, kAnnotators) << "keep-alive connections were not reused";

  double whole = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "[ figures  ] via nginx: %d annotators, %d tasks, overlap %d: %d submits, %d skips in %.2f s; "
      "server A %d requests, server B %d (nginx log: %d / %d); %d client connections; test %.2f s\n",
      kAnnotators, kTasks, kOverlap, submitted, skipped, seconds, served_a, served_b, nginx_a, nginx_b,
      connects, whole);
}

}  // namespace
}  // namespace tessera::testing
