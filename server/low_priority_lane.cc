#include "server/low_priority_lane.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <memory>
#include <string>

namespace tessera::server {

struct LowPriorityLane::Job {
  const std::function<Status()>* work = nullptr;
  Status result;
  bool done = false;
  // Posted work: the job owns it and is deleted once run (or dropped).
  std::function<Status()> owned;
  bool posted = false;
};

LowPriorityLane::LowPriorityLane(int nice_increment, int threads) {
  const int count = threads < 1 ? 1 : threads;
  for (int t = 0; t < count; ++t) threads_.emplace_back([this, nice_increment] { Loop(nice_increment); });
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait(lock, [&] { return started_ == count; });
}

LowPriorityLane::~LowPriorityLane() { Stop(); }

void LowPriorityLane::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    stopping_flag_ = true;
    // Posted work not started is dropped; Run() callers' jobs still run
    // (each caller is waiting for its result).
    for (auto it = queue_.begin(); it != queue_.end();) {
      if ((*it)->posted) {
        delete *it;
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
  }
  wake_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void LowPriorityLane::Post(std::function<Status()> work) {
  auto job = std::make_unique<Job>();
  job->owned = std::move(work);
  job->work = &job->owned;
  job->posted = true;
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  queue_.push_back(job.release());
  wake_.notify_all();
}

int LowPriorityLane::thread_nice() const {
  std::lock_guard<std::mutex> lock(mu_);
  return thread_nice_;
}

void LowPriorityLane::Loop(int nice_increment) {
  // On Linux a nice value belongs to a thread; raising it needs no
  // privilege (lowering it again would, so the lane keeps its own thread).
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  int nice_now = getpriority(PRIO_PROCESS, tid);
  if (nice_increment != 0 && setpriority(PRIO_PROCESS, tid, nice_now + nice_increment) == 0) {
    errno = 0;
    nice_now = getpriority(PRIO_PROCESS, tid);  // the kernel caps it at 19
  }
  std::unique_lock<std::mutex> lock(mu_);
  thread_nice_ = nice_now;
  ++started_;
  wake_.notify_all();
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    Job* job = queue_.front();
    queue_.pop_front();
    lock.unlock();
    Status result;
    try {
      result = (*job->work)();
    } catch (const std::exception& e) {  // keep the lane alive for the next job
      result = Status::Internal(std::string("background work failed: ") + e.what());
    }
    lock.lock();
    if (job->posted) {
      delete job;
      continue;
    }
    job->result = std::move(result);
    job->done = true;
    wake_.notify_all();
  }
}

Status LowPriorityLane::Run(const std::function<Status()>& work) {
  Job job;
  job.work = &work;
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) return Status::Unavailable("the server is shutting down");
  // Ahead of posted work: a request waits, warming does not.
  auto first_posted = std::find_if(queue_.begin(), queue_.end(), [](const Job* queued) { return queued->posted; });
  queue_.insert(first_posted, &job);
  wake_.notify_all();
  wake_.wait(lock, [&] { return job.done; });
  return job.result;
}

}  // namespace tessera::server
