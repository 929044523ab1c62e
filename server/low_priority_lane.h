// LowPriorityLane: a few threads, at a lower CPU priority (nice +10), for
// the whole-project work of the server's caches: the first dashboard or
// quality request on a 10M-task project reads 1M annotated tasks, seconds of
// CPU, and every later one re-reads the changed tasks and sums the project.
// A request that needs such work hands it to the lane and waits. On a
// machine with few cores the labeling requests (next, submit) then keep the
// CPU they need: while two dashboards rebuilt on request threads, next and
// submit queued for seconds.
//
// Requests wait for their work (Run); work posted without waiting (Post,
// warming the caches at start) runs after every waiting request's.
//
// Work run on the lane must not hand work to the lane itself.
// Thread-safety: Run may be called from any number of threads.
#ifndef TESSERA_SERVER_LOW_PRIORITY_LANE_H_
#define TESSERA_SERVER_LOW_PRIORITY_LANE_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "tessera/status.h"

namespace tessera::server {

class LowPriorityLane {
 public:
  // nice_increment: added to the threads' nice value (0 keeps the process's).
  explicit LowPriorityLane(int nice_increment = 10, int threads = 2);
  ~LowPriorityLane();
  LowPriorityLane(const LowPriorityLane&) = delete;
  LowPriorityLane& operator=(const LowPriorityLane&) = delete;

  // Runs `work` on the lane's thread and returns its status once done.
  Status Run(const std::function<Status()>& work);

  // Queues `work` without waiting for it (warming caches at start). Its
  // status is dropped. Work still queued when Stop() is called never runs.
  void Post(std::function<Status()> work);

  // Drops the posted work not started yet, waits for the running jobs and
  // ends the threads. Later Run() calls return Unavailable; Post() drops.
  // The owner calls it before what posted work refers to is destroyed.
  void Stop();

  // The nice value the lane's threads run at.
  int thread_nice() const;

  // True once Stop() has begun: long work checks it between steps and gives
  // up (returns Unavailable), so that stopping does not wait for it.
  bool stopping() const { return stopping_flag_.load(std::memory_order_relaxed); }

 private:
  struct Job;
  void Loop(int nice_increment);

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::atomic<bool> stopping_flag_{false};  // stopping_, readable without mu_
  int started_ = 0;
  int thread_nice_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_LOW_PRIORITY_LANE_H_
