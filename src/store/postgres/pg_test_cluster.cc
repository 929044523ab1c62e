#include "src/store/postgres/pg_test_cluster.h"

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "src/store/postgres/pg_connection.h"

namespace tessera::testing {
namespace fs = std::filesystem;
namespace {

// The bin folder of the newest PostgreSQL that Debian installed; "" if none.
std::string FindBinDir() {
  std::error_code ec;
  std::string best;
  int best_version = -1;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb", ec) || !fs::exists(bin / "pg_ctl", ec)) continue;
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version) {
      best_version = version;
      best = bin.string();
    }
  }
  return best;
}

std::string Quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool IsRoot() { return geteuid() == 0; }

// Runs a PostgreSQL program (as `postgres` when we are root), its output
// appended to DIR/commands.log. True on exit status 0.
bool RunPg(const std::string& dir, const std::string& program, const std::string& args) {
  std::string command = IsRoot() ? "runuser -u postgres -- " : "";
  command += Quote(program) + " " + args + " >>" + Quote(dir + "/commands.log") + " 2>&1";
  return std::system(command.c_str()) == 0;
}

// A port that was free a moment ago (the kernel picks it).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string LogTail(const std::string& dir) {
  std::ifstream in(dir + "/commands.log");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.size() > 1500 ? all.substr(all.size() - 1500) : all;
}

// The process's private cluster, stopped and removed at exit.
struct PrivateCluster {
  std::unique_ptr<PgTestCluster> cluster;
  ~PrivateCluster() {
    if (cluster != nullptr) PgTestCluster::Stop(cluster->dir());
  }
};

}  // namespace

std::string PgTestCluster::url() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

Result<PgTestCluster> PgTestCluster::Start(const std::string& dir) {
  const std::string bin = FindBinDir();
  if (bin.empty()) {
    return Status::FailedPrecondition(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
        "scripts/install-deps.sh installs Debian's postgresql");
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  if (IsRoot()) {
    const passwd* pg = getpwnam("postgres");
    if (pg == nullptr) return Status::FailedPrecondition("running as root but there is no postgres user");
    if (chown(dir.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
      return Status::IOError("cannot chown " + dir + " to postgres");
    }
  }
  const std::string data = dir + "/data";
  if (!RunPg(dir, bin + "/initdb",
             "-D " + Quote(data) + " -U postgres --auth=trust --no-sync -E UTF8 --locale=C")) {
    return Status::Internal("initdb failed: " + LogTail(dir));
  }
  // A port picked by the kernel can be taken before the server binds it: retry.
  for (int attempt = 0; attempt < 5; ++attempt) {
    int port = FreePort();
    if (port == 0) continue;
    std::string options = "-p " + std::to_string(port) + " -k " + dir +
                          " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                          " -c full_page_writes=off -c max_connections=300";
    if (RunPg(dir, bin + "/pg_ctl",
              "-D " + Quote(data) + " -l " + Quote(dir + "/server.log") + " -w -t 60 -o " +
                  Quote(options) + " start")) {
      std::ofstream(dir + "/port") << port << "\n";
      return PgTestCluster(dir, port);
    }
  }
  return Status::Internal("pg_ctl start failed: " + LogTail(dir));
}

void PgTestCluster::Stop(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  const std::string bin = FindBinDir();
  if (!bin.empty() && fs::exists(dir + "/data/postmaster.pid", ec)) {
    RunPg(dir, bin + "/pg_ctl", "-D " + Quote(dir + "/data") + " -m immediate -w stop");
  }
  fs::remove_all(dir, ec);
}

Result<PgTestCluster> PgTestCluster::Find(const std::string& dir) {
  std::ifstream in(dir + "/port");
  int port = 0;
  if (!(in >> port) || port <= 0) return Status::NotFound("no test cluster in " + dir);
  PgTestCluster cluster(dir, port);
  TESSERA_RETURN_IF_ERROR(postgres::Connection::Open(cluster.url()).status());
  return cluster;
}

Result<const PgTestCluster*> PgTestCluster::Get(const std::string& shared_dir) {
  static std::mutex mu;
  static PrivateCluster private_cluster;
  static std::unique_ptr<PgTestCluster> shared;
  std::lock_guard<std::mutex> lock(mu);
  if (shared != nullptr) return shared.get();
  if (private_cluster.cluster != nullptr) return private_cluster.cluster.get();
  if (!shared_dir.empty()) {
    Result<PgTestCluster> found = Find(shared_dir);
    if (found.ok()) {
      shared = std::make_unique<PgTestCluster>(std::move(found).value());
      return shared.get();
    }
  }
  std::random_device rd;
  const std::string dir = (fs::temp_directory_path() /
                           ("tessera-pg-" + std::to_string(getpid()) + "-" + std::to_string(rd())))
                              .string();
  Result<PgTestCluster> started = Start(dir);
  if (!started.ok()) {
    Stop(dir);
    return started.status();
  }
  private_cluster.cluster = std::make_unique<PgTestCluster>(std::move(started).value());
  return private_cluster.cluster.get();
}

Result<std::string> PgTestCluster::SchemaUrl(const std::string& schema) const {
  for (char c : schema) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return Status::InvalidArgument("bad schema name " + schema);
    }
  }
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<postgres::Connection> conn,
                           postgres::Connection::Open(url()));
  // CREATE SCHEMA IF NOT EXISTS is not safe against itself: two sessions
  // creating the same schema at once can both pass the "not exists" check and
  // one fails on pg_namespace's unique index. Tests open several stores on one
  // schema at once (PgServersTest), so creations are serialised.
  TESSERA_RETURN_IF_ERROR(conn->Begin());
  Status created = conn->Exec("SELECT pg_advisory_xact_lock(7242018); CREATE SCHEMA IF NOT EXISTS " +
                              schema);
  if (!created.ok()) {
    conn->Rollback();
    return created;
  }
  TESSERA_RETURN_IF_ERROR(conn->Commit());
  return url() + "?options=-csearch_path%3D" + schema;
}

namespace {

const char* SharedDir() {
#ifdef TESSERA_PG_TEST_DIR
  return TESSERA_PG_TEST_DIR;
#else
  return "";
#endif
}

}  // namespace

std::string PostgresTestsUnavailable() {
  Result<const PgTestCluster*> cluster = PgTestCluster::Get(SharedDir());
  return cluster.ok() ? std::string() : cluster.status().ToString();
}

Result<std::string> TestPostgresUrl() {
  TESSERA_ASSIGN_OR_RETURN(const PgTestCluster* cluster, PgTestCluster::Get(SharedDir()));
  return cluster->url();
}

Result<std::unique_ptr<Store>> OpenTestPostgresStore(const std::filesystem::path& dir) {
  TESSERA_ASSIGN_OR_RETURN(const PgTestCluster* cluster, PgTestCluster::Get(SharedDir()));
  char schema[32];
  std::snprintf(schema, sizeof(schema), "t_%016zx", std::hash<std::string>{}(dir.string()));
  PostgresOptions options;
  TESSERA_ASSIGN_OR_RETURN(options.url, cluster->SchemaUrl(schema));
  options.connections = 8;
  return OpenPostgresStore(options);
}

}  // namespace tessera::testing
