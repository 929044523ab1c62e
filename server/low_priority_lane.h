// LowPriorityLane: a few threads, at a lower CPU priority (nice +10), for
// the whole-project work of the server's caches: the first dashboard or
// quality request on a 10M-task project reads 1M annotated tasks, seconds of
// CPU, and every later one re-reads the changed tasks and sums the project.
// A request that needs such work hands it to the lane and waits. On a
// machine with few cores the labeling requests (next, submit) then keep the
// CPU they need: while two dashboards rebuilt on request threads, next and
// submit queued for seconds.
//
// Work run on the lane must not hand work to the lane itself.
// Thread-safety: Run may be called from any number of threads.
#ifndef TESSERA_SERVER_LOW_PRIORITY_LANE_H_
#define TESSERA_SERVER_LOW_PRIORITY_LANE_H_

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

  // The nice value the lane's threads run at.
  int thread_nice() const;

 private:
  struct Job;
  void Loop(int nice_increment);

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  int started_ = 0;
  int thread_nice_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_LOW_PRIORITY_LANE_H_
