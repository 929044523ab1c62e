#include "server/low_priority_lane.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
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

}  // namespace
}  // namespace tessera::server
