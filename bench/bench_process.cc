#include "bench/bench_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <thread>
#include <vector>

namespace tessera::bench {

namespace fs = std::filesystem;

void Die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(2);
}

namespace {
double ClockTick() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }
}  // namespace

// Fields 14 and 15 of /proc/<pid>/stat.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  // Field 3 (state) is the first after the ")"; utime is field 14.
  double utime = 0, stime = 0;
  for (int index = 3; index <= 15 && (fields >> field); ++index) {
    if (index == 14) utime = std::stod(field);
    if (index == 15) stime = std::stod(field);
  }
  return (utime + stime) / ClockTick();
}

double CommandCpuSeconds(const std::string& comm) {
  double sum = 0;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "comm");
    std::string line;
    if (!std::getline(in, line) || line != comm) continue;
    sum += ProcessCpuSeconds(static_cast<pid_t>(std::stol(name)));
  }
  return sum;
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

// The first line of /proc/stat.
std::pair<double, double> MachineJiffies() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  double total = 0, idle = 0, v = 0;
  for (int i = 0; i < 8 && (in >> v); ++i) {
    total += v;
    if (i == 3 || i == 4) idle += v;  // idle, iowait
  }
  return {total - idle, total};
}

// VmRSS (or another field) in /proc/<pid>/status.
int64_t ResidentKiB(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  const std::string wanted = std::string(field) + ":";
  while (in >> key) {
    if (key == wanted) {
      int64_t kib = 0;
      in >> kib;
      return kib;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// ---------------------------------------------------------------- CpuCap

namespace {
constexpr char kCpuRoot[] = "/sys/fs/cgroup/cpu";
constexpr int64_t kPeriodUs = 100000;

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.flush();
  if (!out) Die("cannot write " + path.string() + ": " + std::strerror(errno));
}
}  // namespace

CpuCap::CpuCap(const std::string& name, double cores) : dir_(fs::path(kCpuRoot) / name), cores_(cores) {
  if (!fs::exists(fs::path(kCpuRoot) / "cpu.cfs_quota_us")) {
    Die(std::string("--server-cpu needs the cgroup v1 cpu controller at ") + kCpuRoot +
        " (not mounted here)");
  }
  std::error_code ec;
  fs::create_directory(dir_, ec);
  if (ec) Die("cannot create the cgroup " + dir_.string() + ": " + ec.message() + " (run as root)");
  WriteFile(dir_ / "cpu.cfs_period_us", std::to_string(kPeriodUs));
  WriteFile(dir_ / "cpu.cfs_quota_us",
            std::to_string(static_cast<int64_t>(std::llround(cores * static_cast<double>(kPeriodUs)))));
}

CpuCap::~CpuCap() {
  // The group can only go once its processes have left (or exited).
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (rmdir(dir_.c_str()) == 0 || errno == ENOENT) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fprintf(stderr, "bench: could not remove %s\n", dir_.c_str());
}

void CpuCap::Add(pid_t pid) const { WriteFile(dir_ / "cgroup.procs", std::to_string(pid)); }

double CpuCap::ThrottledSeconds() const {
  std::ifstream in(dir_ / "cpu.stat");
  std::string key;
  int64_t value = 0;
  while (in >> key >> value) {
    if (key == "throttled_time") return static_cast<double>(value) / 1e9;
  }
  return 0;
}

// ---------------------------------------------------------------- ServerProcess

ServerProcess::ServerProcess(const ServerSpec& spec, const CpuCap* cap) {
  if (access(spec.binary.c_str(), X_OK) != 0) Die("server binary " + spec.binary + " is not executable");
  int out_pipe[2];
  if (pipe(out_pipe) != 0) Die("pipe failed");
  std::vector<std::string> args = {spec.binary, "serve", "--data", spec.data.string(), "--port", "0",
                                   "--threads", std::to_string(spec.threads)};
  if (!spec.database.empty()) {
    args.push_back("--database");
    args.push_back(spec.database);
  }
  if (spec.warm_caches) args.push_back("--warm-caches");
  pid_ = fork();
  if (pid_ < 0) Die("fork failed");
  if (pid_ == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    close(out_pipe[0]);
    close(out_pipe[1]);
    // The access log (one JSON line per request on stderr) goes to a file,
    // as it would in production: it is part of what a request costs.
    std::string log = (spec.data / spec.log_name).string();
    int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(spec.binary.c_str(), argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  // Moving the whole thread group later is fine too, but the server starts
  // its threads at once: put it in the group before it gets far.
  if (cap != nullptr) cap->Add(pid_);
  // "tessera: serving http://127.0.0.1:PORT ..." once it listens.
  std::string line;
  char c;
  while (port_ == 0 && read(out_pipe[0], &c, 1) == 1) {
    if (c != '\n') {
      line += c;
      continue;
    }
    size_t at = line.find("http://127.0.0.1:");
    if (at != std::string::npos) port_ = std::atoi(line.c_str() + at + 17);
    line.clear();
  }
  if (port_ == 0) Die("the server did not report its port (see " + (spec.data / spec.log_name).string() + ")");
  int fd = out_pipe[0];
  std::thread([fd] {
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    close(fd);
  }).detach();
}

void ServerProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace tessera::bench
