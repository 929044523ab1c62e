// What the HTTP benchmarks need around the server they drive: start
// `tessera serve` as a child process and learn its port, cap its CPU, and read
// the CPU time and memory of processes and of the machine from /proc.
// Failures end the benchmark (exit status 2) with a message on stderr.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

namespace tessera::bench {

[[noreturn]] void Die(const std::string& what);

// utime + stime of a process, in seconds.
double ProcessCpuSeconds(pid_t pid);
// utime + stime summed over the running processes named `comm` (e.g.
// "postgres": the postmaster and its backends), in seconds.
double CommandCpuSeconds(const std::string& comm);
// CPU time of this process so far, in seconds.
double SelfCpuSeconds();
// Busy and total jiffies of the whole machine (all cores).
std::pair<double, double> MachineJiffies();
// Resident set size in KiB (VmRSS, or another field of /proc/<pid>/status
// such as RssAnon); 0 when unknown.
int64_t ResidentKiB(pid_t pid, const char* field = "VmRSS");
// "1.02 1.78 1.90" from /proc/loadavg.
std::string LoadAverage();

// A control group (cgroup v1 "cpu" controller) that lets the processes put
// into it use `cores` of CPU time at most (cfs quota per 100 ms period).
// Used to make the server tier the bottleneck on a machine too small to give
// each server its own cores. Removed when destroyed.
class CpuCap {
 public:
  CpuCap(const std::string& name, double cores);
  ~CpuCap();
  CpuCap(const CpuCap&) = delete;
  CpuCap& operator=(const CpuCap&) = delete;
  void Add(pid_t pid) const;
  double cores() const { return cores_; }
  // Seconds the group was held back by its quota (cpu.stat throttled_time).
  double ThrottledSeconds() const;

 private:
  std::filesystem::path dir_;
  double cores_;
};

struct ServerSpec {
  std::string binary;
  std::filesystem::path data;
  std::string database;  // --database URL; empty: the SQLite file in `data`
  int threads = 4;
  bool warm_caches = false;
  std::string log_name = "server.log";  // in `data`: the access log (stderr)
};

// `tessera serve --port 0` as a child; the constructor returns once it listens.
class ServerProcess {
 public:
  explicit ServerProcess(const ServerSpec& spec, const CpuCap* cap = nullptr);
  ~ServerProcess() { Stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  void Stop();
  pid_t pid() const { return pid_; }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace tessera::bench
