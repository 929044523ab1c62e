#include "tests/integration/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "src/store/postgres/pg_test_cluster.h"
#include "tessera/util.h"

namespace tessera::testing {

namespace fs = std::filesystem;

std::string TesseraBinary() {
  // The build tree this test was built in (so build-asan tests the ASan
  // server); TESSERA_BINARY_DIR overrides it.
  const char* dir = std::getenv("TESSERA_BINARY_DIR");
  return std::string(dir ? dir : TESSERA_DEFAULT_BINARY_DIR) + "/tessera";
}

fs::path SourceDir() {
  const char* dir = std::getenv("TESSERA_SOURCE_DIR");
  return dir ? fs::path(dir) : fs::current_path();
}

namespace {

// Runs a child with stdout/stderr to pipes; returns pid and read fds.
pid_t Spawn(const std::vector<std::string>& args, int* out_fd, int* err_fd) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    close(out_pipe[0]);
    close(err_pipe[0]);
    std::vector<char*> argv;
    std::string bin = TesseraBinary();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  *out_fd = out_pipe[0];
  *err_fd = err_pipe[0];
  return pid;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

}  // namespace

int RunTessera(const std::vector<std::string>& args, std::string* out, std::string* err) {
  int out_fd, err_fd;
  pid_t pid = Spawn(args, &out_fd, &err_fd);
  std::string o = ReadAll(out_fd), e = ReadAll(err_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (out) *out = o;
  if (err) *err = e;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

ServerProcess::ServerProcess() {
  data_dir_ = fs::temp_directory_path() / ("tessera-it-" + RandomHex(6));
  fs::create_directories(data_dir_);
  log_path_ = data_dir_.parent_path() / (data_dir_.filename().string() + ".log");
  const char* database = std::getenv("TESSERA_TEST_DATABASE");
  if (database != nullptr && std::string(database) == "postgres") {
    auto cluster = PgTestCluster::Get(TESSERA_PG_TEST_DIR);
    if (!cluster.ok()) throw std::runtime_error(cluster.status().ToString());
    auto url = (*cluster)->SchemaUrl("it_" + RandomHex(8));
    if (!url.ok()) throw std::runtime_error(url.status().ToString());
    database_url_ = *url;
  }
}

std::unique_ptr<ServerProcess> ServerProcess::SharingWith(const ServerProcess& first) {
  auto second = std::make_unique<ServerProcess>();
  std::error_code ec;
  fs::remove_all(second->data_dir_, ec);
  second->data_dir_ = first.data_dir_;
  second->owns_data_dir_ = false;
  second->log_path_ = first.log_path_.parent_path() /
                      (first.data_dir_.filename().string() + "-" + RandomHex(4) + ".log");
  second->database_url_ = first.database_url_;
  return second;
}

std::vector<std::string> ServerProcess::DatabaseArgs() const {
  if (database_url_.empty()) return {};
  return {"--database", database_url_};
}

Result<std::unique_ptr<Store>> ServerProcess::OpenStore() const {
  if (!database_url_.empty()) {
    PostgresOptions options;
    options.url = database_url_;
    options.connections = 2;
    return OpenPostgresStore(options);
  }
  SqliteOptions options;
  options.path = (data_dir_ / "tessera.db").string();
  options.full_sync = false;
  return OpenSqliteStore(options);
}

ServerProcess::~ServerProcess() {
  Stop();
  std::error_code ec;
  if (owns_data_dir_) fs::remove_all(data_dir_, ec);
  fs::remove(log_path_, ec);
}

void ServerProcess::Start(const std::vector<std::string>& extra_args) {
  int out_fd, err_fd;
  std::vector<std::string> args = {"serve", "--data", data_dir_.string(), "--port", "0",
                                   "--threads", "4"};
  for (const std::string& arg : DatabaseArgs()) args.push_back(arg);
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = Spawn(args, &out_fd, &err_fd);
  // The server prints "serving http://127.0.0.1:PORT ..." once it listens.
  std::string line;
  char c;
  while (read(out_fd, &c, 1) == 1) {
    if (c == '\n') {
      size_t at = line.find("http://127.0.0.1:");
      if (at != std::string::npos) {
        port_ = std::atoi(line.c_str() + at + 17);
        break;
      }
      line.clear();
    } else {
      line += c;
    }
  }
  // Keep draining the pipes so the server never blocks on a full pipe.
  std::thread([out_fd] { ReadAll(out_fd); }).detach();
  // stderr (the JSON access log) is copied to log_path() as it arrives.
  std::thread([err_fd, path = log_path()] {
    FILE* log = std::fopen(path.c_str(), "ab");
    char buf[4096];
    ssize_t n;
    while ((n = read(err_fd, buf, sizeof buf)) > 0) {
      if (log) {
        std::fwrite(buf, 1, static_cast<size_t>(n), log);
        std::fflush(log);
      }
    }
    if (log) std::fclose(log);
    close(err_fd);
  }).detach();
  if (port_ == 0) throw std::runtime_error("tessera serve did not report its port");
}

void ServerProcess::Stop() {
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

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServerProcess::AddUser(const std::string& email, const std::string& password,
                                   bool admin) {
  std::vector<std::string> args = {"user", "add", "--data", data_dir_.string(), "--email", email,
                                   "--password", password, "--print-token"};
  if (admin) args.push_back("--admin");
  for (const std::string& arg : DatabaseArgs()) args.push_back(arg);
  std::string out, err;
  int rc = RunTessera(args, &out, &err);
  if (rc != 0) throw std::runtime_error("user add failed: " + err);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace tessera::testing
