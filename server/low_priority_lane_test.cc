#include "server/low_priority_lane.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tessera::server {
namespace {

TEST(LowPriorityLaneTest, RunsWorkOnItsOwnLowerPriorityThread) {
  LowPriorityLane lane(10);
  const int process_nice = getpriority(PRIO_PROCESS, 0);
  EXPECT_EQ(lane.thread_nice(), std::min(process_nice + 10, 19));
  std::thread::id ran_on;
  Status s = lane.Run([&] {
    ran_on = std::this_thread::get_id();
    return Status::NotFound("from the lane");
  });
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "from the lane");
  EXPECT_NE(ran_on, std::this_thread::get_id());
  // The caller's own priority is untouched.
  EXPECT_EQ(getpriority(PRIO_PROCESS, 0), process_nice);
}

TEST(LowPriorityLaneTest, ConcurrentCallersEachGetTheirOwnResultOneJobAtATime) {
  LowPriorityLane lane(10, 1);
  std::atomic<int> running{0}, most{0}, done{0};
  std::vector<std::thread> callers;
  std::vector<Code> codes(8, Code::kOk);
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&, i] {
      Status s = lane.Run([&]() -> Status {
        int now = ++running;
        most = std::max(most.load(), now);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        --running;
        ++done;
        return i % 2 ? Status::InvalidArgument("odd") : Status::Ok();
      });
      codes[static_cast<size_t>(i)] = s.code();
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(done, 8);
  EXPECT_EQ(most, 1);  // one thread, one job at a time
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(codes[static_cast<size_t>(i)], i % 2 ? Code::kInvalidArgument : Code::kOk);
  }
}

TEST(LowPriorityLaneTest, AThrowingJobBecomesAnErrorAndTheLaneGoesOn) {
  LowPriorityLane lane;
  Status s = lane.Run([]() -> Status { throw std::runtime_error("boom"); });
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_NE(s.message().find("boom"), std::string::npos);
  EXPECT_TRUE(lane.Run([] { return Status::Ok(); }).ok());
}

TEST(LowPriorityLaneTest, PostedWorkRunsWithoutWaitingAndAfterWaitingRequests) {
  LowPriorityLane lane(10, 1);
  // Hold the only thread, so that what follows queues.
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool open = false, holding = false;
  std::vector<std::string> order;  // guarded by gate_mu
  lane.Post([&] {
    std::unique_lock<std::mutex> lock(gate_mu);
    holding = true;
    gate_cv.notify_all();
    gate_cv.wait(lock, [&] { return open; });
    order.push_back("first post");
    return Status::Ok();
  });
  {
    std::unique_lock<std::mutex> lock(gate_mu);
    gate_cv.wait(lock, [&] { return holding; });
  }
  lane.Post([&] {
    std::lock_guard<std::mutex> lock(gate_mu);
    order.push_back("second post");
    return Status::Ok();
  });
  std::thread request([&] {
    EXPECT_TRUE(lane.Run([&] {
                      std::lock_guard<std::mutex> lock(gate_mu);
                      order.push_back("request");
                      return Status::Ok();
                    }).ok());
  });
  // Let the request queue behind the held job, then release it.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  {
    std::lock_guard<std::mutex> lock(gate_mu);
    open = true;
  }
  gate_cv.notify_all();
  request.join();
  // The second post runs after the request, which was queued later.
  for (int wait_idx = 0; wait_idx < 200; ++wait_idx) {
    {
      std::lock_guard<std::mutex> lock(gate_mu);
      if (order.size() == 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard<std::mutex> lock(gate_mu);
  EXPECT_EQ(order, (std::vector<std::string>{"first post", "request", "second post"}));
}

TEST(LowPriorityLaneTest, StopDropsQueuedPostsAndRefusesNewWork) {
  LowPriorityLane lane(10, 1);
  std::atomic<bool> release{false}, started{false};
  std::atomic<int> ran{0};
  lane.Post([&] {
    started = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++ran;
    return Status::Ok();
  });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int post_idx = 0; post_idx < 5; ++post_idx) lane.Post([&] { ++ran; return Status::Ok(); });
  EXPECT_FALSE(lane.stopping());
  std::thread stopper([&] { lane.Stop(); });
  while (!lane.stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  release = true;  // the running job finishes; the queued ones never start
  stopper.join();
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(lane.Run([] { return Status::Ok(); }).code(), Code::kUnavailable);
  lane.Post([&] { ++ran; return Status::Ok(); });
  lane.Stop();  // a second Stop is harmless
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace tessera::server
