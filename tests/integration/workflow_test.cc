// The team workflow against the real server over HTTP: many annotators at
// once with overlap (the issue's correctness check), abandoned locks that
// expire, assignment, honeypots, blind mode, the review cycle, history and
// throughput statistics.
//
// Accounts are seeded straight into the data folder's store before the server
// starts: creating 50 users through the CLI would hash 50 passwords (about
// 0.2 s each). Everything after that goes over HTTP.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tessera/store.h"
#include "tessera/util.h"
#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

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

struct Account {
  Id id = 0;
  std::string token;
};

class WorkflowTest : public ::testing::Test {
 protected:
  // Seeds `count` accounts named <prefix><n>@x.org (plus the admin) and starts
  // the server.
  void StartWith(int count, const std::string& prefix = "annotator") {
    {
      auto store = server_.OpenStore();
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      auto add = [&](const std::string& email, bool admin) {
        User user;
        user.email = email;
        user.username = email;
        user.is_admin = admin;
        EXPECT_TRUE((*store)->CreateUser(&user).ok());
        Account account{user.id, RandomHex(20)};
        EXPECT_TRUE((*store)->SetApiToken(user.id, account.token).ok());
        return account;
      };
      admin_ = add("admin@x.org", true);
      for (int idx = 0; idx < count; ++idx) {
        users_.push_back(add(prefix + std::to_string(idx) + "@x.org", false));
      }
    }
    server_.Start();
  }
  HttpClient As(const Account& account) {
    HttpClient c("127.0.0.1", server_.port());
    c.SetHeader("Authorization", "Token " + account.token);
    return c;
  }
  // A project with `tasks` tasks; every seeded user joins with `role`.
  Id MakeProject(int tasks, const std::string& role = "annotator") {
    HttpClient admin = As(admin_);
    Reply p = admin.PostJson("/api/projects", json{{"title", "Team"}, {"label_config", kConfig}});
    EXPECT_EQ(p.status, 201) << p.body;
    Id pid = p.Json().value("id", Id{0});
    json data = json::array();
    for (int idx = 0; idx < tasks; ++idx) data.push_back({{"text", "item " + std::to_string(idx)}});
    Reply imp = admin.PostJson(Path(pid, "/import?return_task_ids=1"), data);
    EXPECT_EQ(imp.status, 201) << imp.body;
    json imported = imp.Json();
    for (Id tid : imported["task_ids"]) task_ids_.push_back(tid);
    EXPECT_EQ(task_ids_.size(), static_cast<size_t>(tasks)) << imp.body;
    for (const Account& u : users_) {
      Reply m = admin.PostJson(Path(pid, "/members"), json{{"user", u.id}, {"role", role}});
      EXPECT_EQ(m.status, 201) << m.body;
    }
    return pid;
  }
  static std::string Path(Id project, const std::string& rest) {
    return "/api/projects/" + std::to_string(project) + rest;
  }
  // Per task: the authors of non-cancelled annotations (admin view).
  std::map<Id, std::vector<Id>> Authors(Id project) {
    HttpClient admin = As(admin_);
    std::map<Id, std::vector<Id>> out;
    for (Id tid : task_ids_) {
      Reply t = admin.Get("/api/tasks/" + std::to_string(tid));
      EXPECT_EQ(t.status, 200);
      auto& authors = out[tid];
      json task = t.Json();
      for (const json& a : task["annotations"]) {
        if (!a["was_cancelled"].get<bool>()) authors.push_back(a["completed_by"].get<Id>());
      }
    }
    (void)project;
    return out;
  }

  // Runs one annotator until `next` answers 404. Skips every `skip_every`-th
  // task (0: never). Returns false on any unexpected reply.
  struct Run {
    int submitted = 0, skipped = 0, failures = 0;
    std::set<Id> done;
    bool handed_twice = false;
  };
  // `patience`: how many 404s in a row, 100 ms apart, before giving up.
  Run Annotate(const Account& who, Id project, int skip_every, int max_tasks = 1 << 30, int patience = 5) {
    HttpClient c = As(who);
    Run run;
    int empty_in_a_row = 0;
    while (run.submitted + run.skipped < max_tasks) {
      Reply next = c.Get(Path(project, "/next"));
      if (next.status == 404) {
        if (!next.Json().contains("detail")) ++run.failures;
        // "Nothing for you now" can change while others hold locks they are
        // about to give back (a skip re-queues a task): like a real client,
        // look again a few times before calling it a day.
        if (++empty_in_a_row >= patience) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      empty_in_a_row = 0;
      if (next.status != 200) {
        ++run.failures;
        break;
      }
      Id tid = next.Json()["id"];
      if (!run.done.insert(tid).second) run.handed_twice = true;
      bool skip = skip_every > 0 && (run.submitted + run.skipped) % skip_every == skip_every - 1;
      json body = skip ? json{{"result", json::array()}, {"was_cancelled", true}}
                       : json{{"result", Choice("Positive")}, {"lead_time", 1.5}};
      Reply a = c.PostJson("/api/tasks/" + std::to_string(tid) + "/annotations", body);
      if (a.status != 201) {
        ++run.failures;
        break;
      }
      (skip ? run.skipped : run.submitted)++;
    }
    return run;
  }

  ServerProcess server_;
  Account admin_;
  std::vector<Account> users_;
  std::vector<Id> task_ids_;
};

// The issue's "done when": 50 annotators, overlap 3, 200 tasks, some skips.
TEST_F(WorkflowTest, FiftyConcurrentAnnotatorsWithOverlapThree) {
  constexpr int kAnnotators = 50, kTasks = 200, kOverlap = 3;
  StartWith(kAnnotators);
  Id pid = MakeProject(kTasks);
  HttpClient admin = As(admin_);
  Reply w = admin.PatchJson(Path(pid, "/workflow"), json{{"maximum_annotations", kOverlap}});
  ASSERT_EQ(w.status, 200) << w.body;

  auto started = std::chrono::steady_clock::now();
  std::vector<Run> runs(kAnnotators);
  std::vector<std::thread> threads;
  for (int idx = 0; idx < kAnnotators; ++idx) {
    // Patient (3 s): when the last holder of a task skips it, it goes back to
    // the queue, and on a loaded CI machine one next + submit of another
    // annotator can take longer than half a second.
    threads.emplace_back([&, idx] {
      runs[idx] = Annotate(users_[idx], pid, /*skip_every=*/7, /*max_tasks=*/1 << 30, /*patience=*/30);
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int submitted = 0, skipped = 0;
  for (int idx = 0; idx < kAnnotators; ++idx) {
    EXPECT_EQ(runs[idx].failures, 0) << "annotator " << idx;
    EXPECT_FALSE(runs[idx].handed_twice) << "annotator " << idx << " got a task twice";
    submitted += runs[idx].submitted;
    skipped += runs[idx].skipped;
  }
  EXPECT_EQ(submitted, kTasks * kOverlap);
  std::printf("[ figures  ] %d annotators, %d tasks, overlap %d: %d submits, %d skips in %.2f s\n",
              kAnnotators, kTasks, kOverlap, submitted, skipped, seconds);

  for (const auto& [tid, authors] : Authors(pid)) {
    EXPECT_EQ(authors.size(), static_cast<size_t>(kOverlap)) << "task " << tid;
    EXPECT_EQ(std::set<Id>(authors.begin(), authors.end()).size(), authors.size())
        << "task " << tid << " annotated twice by one user";
  }
  Reply locks = admin.Get(Path(pid, "/locks"));
  ASSERT_EQ(locks.status, 200);
  EXPECT_TRUE(locks.Json().empty()) << locks.body;  // no lock left behind
  Reply project = admin.Get(Path(pid, ""));
  EXPECT_EQ(project.Json()["finished_task_number"], kTasks);
  EXPECT_EQ(project.Json()["total_annotations_number"], kTasks * kOverlap);
  EXPECT_EQ(project.Json()["skipped_annotations_number"], skipped);
}

// Annotators who walk away: their locks expire and the tasks get done anyway.
TEST_F(WorkflowTest, AbandonedLocksExpire) {
  constexpr int kWorkers = 6, kQuitters = 4, kTasks = 30, kOverlap = 2;
  StartWith(kWorkers + kQuitters);
  Id pid = MakeProject(kTasks);
  HttpClient admin = As(admin_);
  // Long enough for the first round below to end before the quitters' locks
  // expire, also on a loaded PostgreSQL run (1.5 s was not, now and then).
  Reply w = admin.PatchJson(Path(pid, "/workflow"),
                            json{{"maximum_annotations", kOverlap}, {"lock_timeout_seconds", 5}});
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(w.Json()["lock_timeout_seconds"], 5);

  // The quitters each take a task and leave; reloading gives the same task.
  const auto taken = std::chrono::steady_clock::now();
  std::set<Id> abandoned;
  for (int idx = kWorkers; idx < kWorkers + kQuitters; ++idx) {
    HttpClient c = As(users_[idx]);
    Reply first = c.Get(Path(pid, "/next"));
    ASSERT_EQ(first.status, 200);
    EXPECT_EQ(c.Get(Path(pid, "/next")).Json()["id"], first.Json()["id"]);
    abandoned.insert(first.Json()["id"].get<Id>());
  }
  EXPECT_EQ(admin.Get(Path(pid, "/locks")).Json().size(), static_cast<size_t>(kQuitters));

  auto work = [&] {
    std::vector<std::thread> threads;
    std::vector<Run> runs(kWorkers);
    for (int idx = 0; idx < kWorkers; ++idx) {
      threads.emplace_back([&, idx] { runs[idx] = Annotate(users_[idx], pid, 0); });
    }
    for (auto& t : threads) t.join();
    for (const Run& run : runs) {
      EXPECT_EQ(run.failures, 0);
      EXPECT_FALSE(run.handed_twice);
    }
  };
  work();  // everything but the slots the quitters hold
  size_t incomplete = 0;
  for (const auto& [tid, authors] : Authors(pid)) {
    if (authors.size() < static_cast<size_t>(kOverlap)) {
      ++incomplete;
      EXPECT_TRUE(abandoned.count(tid)) << "task " << tid << " left incomplete but not locked";
    }
  }
  EXPECT_EQ(incomplete, abandoned.size());

  // The locks expire 5 s after the quitters took them (a little later here).
  std::this_thread::sleep_for(std::chrono::milliseconds(5300) -
                              (std::chrono::steady_clock::now() - taken));
  work();
  for (const auto& [tid, authors] : Authors(pid)) {
    EXPECT_EQ(authors.size(), static_cast<size_t>(kOverlap)) << "task " << tid;
  }
  EXPECT_TRUE(admin.Get(Path(pid, "/locks")).Json().empty());
}

// DELETE /api/tasks/{id}/lock gives back the caller's own reservation (the
// stream sends it for its prefetched task when the page closes): someone
// else gets the task at once; another user's release leaves the lock alone.
TEST_F(WorkflowTest, ReleasingOwnLockHandsTheTaskOn) {
  StartWith(3);
  Id pid = MakeProject(2);
  ASSERT_EQ(task_ids_.size(), 2u);
  HttpClient admin = As(admin_);
  ASSERT_EQ(admin.PatchJson(Path(pid, "/workflow"),
                            json{{"maximum_annotations", 1}, {"lock_timeout_seconds", 600}}).status, 200);
  HttpClient c0 = As(users_[0]), c1 = As(users_[1]), c2 = As(users_[2]);
  auto id_of = [](const Reply& r) { return r.status == 200 ? r.Json()["id"].get<Id>() : Id{0}; };
  auto release = [&](HttpClient& c, Id task) {
    return c.Request("DELETE", "/api/tasks/" + std::to_string(task) + "/lock").status;
  };
  EXPECT_EQ(id_of(c0.Get(Path(pid, "/next"))), task_ids_[0]);
  EXPECT_EQ(id_of(c1.Get(Path(pid, "/next"))), task_ids_[1]);
  EXPECT_EQ(c2.Get(Path(pid, "/next")).status, 404);  // both held, overlap 1

  EXPECT_EQ(release(c1, task_ids_[0]), 204);  // not c1's lock: nothing changes
  EXPECT_EQ(admin.Get(Path(pid, "/locks")).Json().size(), 2u);
  EXPECT_EQ(c2.Get(Path(pid, "/next")).status, 404);

  EXPECT_EQ(release(c0, task_ids_[0]), 204);
  json locks = admin.Get(Path(pid, "/locks")).Json();
  ASSERT_EQ(locks.size(), 1u) << locks.dump();
  EXPECT_EQ(locks[0]["task"], task_ids_[1]);
  EXPECT_EQ(id_of(c2.Get(Path(pid, "/next"))), task_ids_[0]);  // handed on at once
  EXPECT_EQ(release(c0, task_ids_[0]), 204);                    // none held: still 204
  EXPECT_EQ(release(c0, 999999), 404);
}

// The labeling stream's prefetch: `next?exclude=<task on screen>` reserves
// the following task too; a reload still gives the older one, the submit
// hands out the prefetched one, nobody else gets either beyond the overlap,
// and both locks expire when the annotator leaves.
TEST_F(WorkflowTest, PrefetchNextWithExclude) {
  StartWith(2);
  Id pid = MakeProject(4);
  ASSERT_EQ(task_ids_.size(), 4u);
  HttpClient admin = As(admin_);
  Reply w = admin.PatchJson(Path(pid, "/workflow"),
                            json{{"maximum_annotations", 1}, {"lock_timeout_seconds", 3}});
  ASSERT_EQ(w.status, 200) << w.body;
  HttpClient c0 = As(users_[0]), c1 = As(users_[1]);
  auto id_of = [](const Reply& r) { return r.status == 200 ? r.Json()["id"].get<Id>() : Id{0}; };
  auto next = [&](HttpClient& c, Id exclude) {
    return c.Get(Path(pid, exclude ? "/next?exclude=" + std::to_string(exclude) : "/next"));
  };

  EXPECT_EQ(id_of(next(c0, 0)), task_ids_[0]);
  Reply ahead = next(c0, task_ids_[0]);
  ASSERT_EQ(ahead.status, 200) << ahead.body;
  EXPECT_EQ(id_of(ahead), task_ids_[1]);
  EXPECT_TRUE(ahead.Json().contains("drafts"));  // the same body as a plain `next`
  EXPECT_EQ(id_of(next(c0, 0)), task_ids_[0]);               // a reload: the older lock
  EXPECT_EQ(id_of(next(c0, task_ids_[0])), task_ids_[1]);    // asked twice: no third lock
  EXPECT_EQ(admin.Get(Path(pid, "/locks")).Json().size(), 2u);
  // Overlap 1: the other annotator gets neither reserved task.
  EXPECT_EQ(id_of(next(c1, 0)), task_ids_[2]);
  EXPECT_EQ(id_of(next(c1, task_ids_[2])), task_ids_[3]);
  // Leaving out t1 gives c0's other held task, t0; t2 and t3 are c1's.
  EXPECT_EQ(id_of(next(c0, task_ids_[1])), task_ids_[0]);

  // Submit: the prefetched task comes next, in order.
  ASSERT_EQ(c0.PostJson("/api/tasks/" + std::to_string(task_ids_[0]) + "/annotations",
                        json{{"result", Choice("Positive")}, {"lead_time", 1}}).status, 201);
  EXPECT_EQ(id_of(next(c0, 0)), task_ids_[1]);
  EXPECT_EQ(admin.Get(Path(pid, "/locks")).Json().size(), 3u);  // t1 (c0), t2 and t3 (c1)

  // Input errors name the field.
  for (const char* bad : {"abc", "0", "-3", "1.5"}) {
    Reply r = c0.Get(Path(pid, std::string("/next?exclude=") + bad));
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("exclude"), std::string::npos) << r.body;
  }

  // Everyone walks away: every lock, prefetched ones included, expires and
  // the tasks are handed out again.
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  EXPECT_TRUE(admin.Get(Path(pid, "/locks")).Json().empty());
  EXPECT_EQ(id_of(next(c1, task_ids_[2])), task_ids_[1]);
  EXPECT_EQ(id_of(next(c0, 0)), task_ids_[2]);
}

// Assignment, honeypots, blind mode, review (reject, resubmit, fix), history,
// statistics, permissions and input errors, on one small project.
TEST_F(WorkflowTest, AssignHoneypotBlindReviewHistoryStats) {
  StartWith(3);
  Id pid = MakeProject(4);
  ASSERT_EQ(task_ids_.size(), 4u);
  HttpClient admin = As(admin_);
  const Account& ann1 = users_[0];
  const Account& ann2 = users_[1];
  const Account& reviewer = users_[2];
  HttpClient c1 = As(ann1), c2 = As(ann2), rc = As(reviewer);
  ASSERT_EQ(admin.PostJson(Path(pid, "/members"), json{{"user", reviewer.id}, {"role", "reviewer"}})
                .status, 201);

  // Ground truth on the last task; every `next` is a honeypot while one is left.
  Id honeypot = task_ids_[3];
  Reply gt = admin.PostJson("/api/tasks/" + std::to_string(honeypot) + "/annotations",
                            json{{"result", Choice("Positive")}, {"ground_truth", true}});
  ASSERT_EQ(gt.status, 201) << gt.body;
  Reply w = admin.PatchJson(Path(pid, "/workflow"), json{{"honeypot_rate", 1.0}});
  ASSERT_EQ(w.status, 200) << w.body;

  // Task 3 assigned to ann2: it comes first for ann2 and never goes to ann1.
  Reply assign = admin.PostJson(
      Path(pid, "/tasks/assignees"),
      json{{"type", "AN"}, {"users", {ann2.id}},
           {"selectedItems", {{"all", false}, {"included", {task_ids_[2]}}}}});
  ASSERT_EQ(assign.status, 201) << assign.body;
  Reply assignees = admin.Get("/api/tasks/" + std::to_string(task_ids_[2]) + "/assignees");
  ASSERT_EQ(assignees.status, 200) << assignees.body;
  const json who = assignees.Json();
  ASSERT_EQ(who.size(), 1u) << assignees.body;
  EXPECT_EQ(who[0]["user"], ann2.id);
  EXPECT_EQ(who[0]["type"], "AN");
  EXPECT_EQ(c1.Get("/api/tasks/" + std::to_string(task_ids_[2]) + "/assignees").status, 403);
  Reply n2 = c2.Get(Path(pid, "/next"));
  EXPECT_EQ(n2.Json()["id"], task_ids_[2]);

  Reply n1 = c1.Get(Path(pid, "/next"));
  ASSERT_EQ(n1.status, 200);
  EXPECT_EQ(n1.Json()["id"], honeypot);
  EXPECT_TRUE(n1.Json()["annotations"].empty());  // the ground truth is not shown
  EXPECT_EQ(n1.Json()["total_annotations"], 0);
  Reply wrong = c1.PostJson("/api/tasks/" + std::to_string(honeypot) + "/annotations",
                            json{{"result", Choice("Negative")}, {"lead_time", 4}});
  ASSERT_EQ(wrong.status, 201);
  Id wrong_id = wrong.Json()["id"];
  std::set<Id> ann1_tasks;
  for (int step = 0; step < 2; ++step) {
    Reply n = c1.Get(Path(pid, "/next"));
    ASSERT_EQ(n.status, 200) << n.body;
    ann1_tasks.insert(n.Json()["id"].get<Id>());
    ASSERT_EQ(c1.PostJson("/api/tasks/" + std::to_string(n.Json()["id"].get<Id>()) + "/annotations",
                          json{{"result", Choice("Positive")}, {"lead_time", 2}})
                  .status, 201);
  }
  EXPECT_EQ(ann1_tasks, (std::set<Id>{task_ids_[0], task_ids_[1]}));
  Reply none = c1.Get(Path(pid, "/next"));
  EXPECT_EQ(none.status, 404);
  EXPECT_TRUE(none.Json()["detail"].is_string());
  Reply a2 = c2.PostJson("/api/tasks/" + std::to_string(task_ids_[2]) + "/annotations",
                         json{{"result", Choice("Negative")}, {"lead_time", 3}});
  ASSERT_EQ(a2.status, 201);
  Id a2_id = a2.Json()["id"];

  // Blind mode: annotators see only their own annotations; reviewers see all.
  Reply t1 = c2.Get("/api/tasks/" + std::to_string(honeypot));
  ASSERT_EQ(t1.status, 200);
  EXPECT_TRUE(t1.Json()["annotations"].empty());
  EXPECT_EQ(c2.Get("/api/annotations/" + std::to_string(wrong_id)).status, 404);
  EXPECT_EQ(c2.Get("/api/tasks/" + std::to_string(honeypot) + "/annotations").Json().size(), 0u);
  EXPECT_EQ(c1.Get("/api/tasks/" + std::to_string(honeypot) + "/annotations").Json().size(), 1u);
  EXPECT_EQ(rc.Get("/api/tasks/" + std::to_string(honeypot)).Json()["annotations"].size(), 2u);

  // Review queue: completed, non-ground-truth annotations, filterable.
  Reply queue = rc.Get(Path(pid, "/review/queue"));
  ASSERT_EQ(queue.status, 200) << queue.body;
  EXPECT_EQ(queue.Json()["count"], 4);
  EXPECT_EQ(rc.Get(Path(pid, "/review/queue?annotator=" + std::to_string(ann2.id))).Json()["count"], 1);
  EXPECT_EQ(rc.Get(Path(pid, "/review/queue?label=Negative")).Json()["count"], 2);
  EXPECT_EQ(rc.Get(Path(pid, "/review/queue?state=bogus")).status, 400);
  EXPECT_EQ(c1.Get(Path(pid, "/review/queue")).status, 403);

  // Reject with a comment: the task comes back to its annotator with the comment.
  EXPECT_EQ(rc.PostJson("/api/annotations/" + std::to_string(wrong_id) + "/reviews",
                        json{{"accepted", false}}).status, 400);  // a rejection needs a comment
  Reply reject = rc.PostJson("/api/annotations/" + std::to_string(wrong_id) + "/reviews",
                             json{{"accepted", false}, {"comment", "it is positive"}});
  ASSERT_EQ(reject.status, 201) << reject.body;
  EXPECT_EQ(c1.PostJson("/api/annotations/" + std::to_string(a2_id) + "/reviews",
                        json{{"accepted", true}}).status, 403);  // annotators do not review
  Reply back = c1.Get(Path(pid, "/next"));
  ASSERT_EQ(back.status, 200);
  EXPECT_EQ(back.Json()["id"], honeypot);
  ASSERT_EQ(back.Json()["annotations"].size(), 1u);
  EXPECT_EQ(back.Json()["annotations"][0]["review_state"], "rejected");
  EXPECT_EQ(back.Json()["annotations"][0]["review"]["comment"], "it is positive");
  Reply redo = c1.PatchJson("/api/annotations/" + std::to_string(wrong_id),
                            json{{"result", Choice("Positive")}});
  ASSERT_EQ(redo.status, 200);
  EXPECT_EQ(redo.Json()["review_state"], "pending");
  EXPECT_EQ(c1.Get(Path(pid, "/next")).status, 404);

  // Fix and accept: the reviewer's result is a new version; the original stays.
  Reply fix = rc.PostJson("/api/annotations/" + std::to_string(a2_id) + "/reviews",
                          json{{"accepted", true}, {"result", Choice("Positive")}});
  ASSERT_EQ(fix.status, 201) << fix.body;
  EXPECT_EQ(fix.Json()["action"], "fixed");
  Reply versions = c2.Get("/api/annotations/" + std::to_string(a2_id) + "/versions");
  ASSERT_EQ(versions.status, 200);
  ASSERT_EQ(versions.Json().size(), 2u);
  EXPECT_EQ(versions.Json()[0]["result"][0]["value"]["choices"][0], "Negative");
  EXPECT_EQ(versions.Json()[0]["user"]["id"], ann2.id);
  EXPECT_EQ(versions.Json()[1]["action"], "fixed");
  EXPECT_EQ(versions.Json()[1]["user"]["id"], reviewer.id);
  EXPECT_EQ(versions.Json()[1]["result"][0]["value"]["choices"][0], "Positive");
  Reply history = c2.Get("/api/annotations/" + std::to_string(a2_id) + "/history");
  ASSERT_EQ(history.status, 200);
  json events = history.Json()["events"];
  ASSERT_EQ(events.size(), 3u) << history.body;
  EXPECT_EQ(events[2]["type"], "review");
  EXPECT_EQ(events[2]["action"], "fixed");
  Reply csv = c2.Get("/api/annotations/" + std::to_string(a2_id) + "/history?format=csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("review,2,\"fixed\""), std::string::npos) << csv.body;

  // Statistics: throughput and honeypot accuracy per annotator.
  EXPECT_EQ(c1.Get(Path(pid, "/stats/annotators")).status, 403);
  Reply stats = admin.Get(Path(pid, "/stats/annotators"));
  ASSERT_EQ(stats.status, 200) << stats.body;
  bool saw_ann1 = false;
  json annotator_rows = stats.Json()["annotators"];
  for (const json& row : annotator_rows) {
    if (row["user"]["id"] != ann1.id) continue;
    saw_ann1 = true;
    EXPECT_EQ(row["submitted"], 3);
    EXPECT_EQ(row["honeypot"]["answered"], 1);
    EXPECT_EQ(row["honeypot"]["correct"], 1);  // corrected after the rejection
    EXPECT_EQ(row["lead_time_median"], 2.0);
    EXPECT_EQ(row["per_day"].size(), 1u);
  }
  EXPECT_TRUE(saw_ann1);

  // Settings: managers only; bad values name the field and the valid ones.
  EXPECT_EQ(c1.PatchJson(Path(pid, "/workflow"), json{{"honeypot_rate", 0}}).status, 403);
  Reply bad = admin.PatchJson(Path(pid, "/workflow"), json{{"skip_queue", "later"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(bad.Json()["validation_errors"].contains("skip_queue")) << bad.body;
  EXPECT_EQ(admin.PatchJson(Path(pid, "/workflow"), json{{"lock_timeout_seconds", -1}}).status, 400);
  Reply bad_assign = admin.PostJson(Path(pid, "/tasks/assignees"),
                                    json{{"type", "XX"}, {"users", {ann1.id}},
                                         {"selectedItems", {{"all", false}, {"included", {1}}}}});
  EXPECT_EQ(bad_assign.status, 400);
  EXPECT_TRUE(bad_assign.Json()["validation_errors"].contains("type"));
  Reply outsider = admin.PostJson(Path(pid, "/tasks/assignees"),
                                  json{{"users", {admin_.id + 999}},
                                       {"selectedItems", {{"all", false}, {"included", {task_ids_[0]}}}}});
  EXPECT_EQ(outsider.status, 400) << outsider.body;
}

// selectedItems {"all": true, "excluded": [...]}: every task of the project
// except the excluded ones, for POST (assign) and DELETE (unassign).
TEST_F(WorkflowTest, AssignAllTasksExceptExcluded) {
  StartWith(2);
  Id pid = MakeProject(5);
  ASSERT_EQ(task_ids_.size(), 5u);
  HttpClient admin = As(admin_);
  const Account& ann1 = users_[0];
  const Account& ann2 = users_[1];
  auto unassign = [&](const json& body) {
    return admin.Request("DELETE", Path(pid, "/tasks/assignees"), body.dump(),
                         {{"Content-Type", "application/json"}});
  };

  // Everything but tasks 2 and 4 to ann1.
  Reply some = admin.PostJson(
      Path(pid, "/tasks/assignees"),
      json{{"type", "AN"}, {"users", {ann1.id}},
           {"selectedItems", {{"all", true}, {"excluded", {task_ids_[1], task_ids_[3]}}}}});
  ASSERT_EQ(some.status, 201) << some.body;
  EXPECT_EQ(some.Json(), (json{{"assignments", 3}, {"tasks", 3}, {"users", 1}, {"type", "AN"}}));
  // ann2 is not given ann1's tasks: the first free one is task 2 (excluded).
  EXPECT_EQ(As(ann2).Get(Path(pid, "/next")).Json()["id"], task_ids_[1]);
  EXPECT_EQ(As(ann1).Get(Path(pid, "/next")).Json()["id"], task_ids_[0]);

  // Without "excluded": every task (idempotent for the ones already assigned).
  Reply all = admin.PostJson(Path(pid, "/tasks/assignees"),
                             json{{"users", {ann1.id, ann2.id}}, {"selectedItems", {{"all", true}}}});
  ASSERT_EQ(all.status, 201) << all.body;
  EXPECT_EQ(all.Json()["tasks"], 5);
  EXPECT_EQ(all.Json()["assignments"], 7);  // 2 new for ann1, 5 for ann2

  // Unassign everyone from all but task 5, then from everything.
  Reply removed = unassign(json{{"type", "AN"},
                                {"selectedItems", {{"all", true}, {"excluded", {task_ids_[4]}}}}});
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(removed.Json(), (json{{"removed", 8}, {"tasks", 4}}));
  removed = unassign(json{{"selectedItems", {{"all", true}, {"excluded", json::array()}}}});
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(removed.Json(), (json{{"removed", 2}, {"tasks", 5}}));

  // Bad selections: 400 naming selectedItems, saying what is allowed.
  for (const json& bad : {json{{"all", true}, {"included", {task_ids_[0]}}},
                          json{{"all", false}, {"excluded", {task_ids_[0]}}},
                          json{{"all", "yes"}},
                          json{{"all", false}},
                          json{{"all", true}, {"excluded", {"x"}}},
                          json{{"all", true}, {"excluded", 3}}}) {
    Reply r = admin.PostJson(Path(pid, "/tasks/assignees"),
                             json{{"users", {ann1.id}}, {"selectedItems", bad}});
    EXPECT_EQ(r.status, 400) << bad.dump() << " " << r.body;
    EXPECT_TRUE(r.Json()["validation_errors"].contains("selectedItems")) << r.body;
    EXPECT_NE(r.Json()["detail"].get<std::string>().find("selectedItems"), std::string::npos) << r.body;
  }
  Reply outsider = admin.PostJson(Path(pid, "/tasks/assignees"),
                                  json{{"users", {admin_.id + 999}}, {"selectedItems", {{"all", true}}}});
  EXPECT_EQ(outsider.status, 400) << outsider.body;
  EXPECT_TRUE(outsider.Json()["validation_errors"].contains("users")) << outsider.body;
  EXPECT_EQ(As(ann1).PostJson(Path(pid, "/tasks/assignees"),
                              json{{"users", {ann1.id}}, {"selectedItems", {{"all", true}}}}).status,
            403);
}

// GET /api/projects/{id}/history/export: every version and review of every
// annotation as JSON lines, in order, with the actions.
TEST_F(WorkflowTest, ProjectHistoryExport) {
  StartWith(2);
  Id pid = MakeProject(2);
  HttpClient admin = As(admin_);
  const Account& ann = users_[0];
  const Account& reviewer = users_[1];
  ASSERT_EQ(admin.PostJson(Path(pid, "/members"), json{{"user", reviewer.id}, {"role", "reviewer"}})
                .status, 201);
  HttpClient ac = As(ann), rc = As(reviewer);
  // Create, update, reject, fix-and-accept; a second, untouched annotation.
  Reply created = ac.PostJson("/api/tasks/" + std::to_string(task_ids_[0]) + "/annotations",
                              json{{"result", Choice("Positive")}});
  ASSERT_EQ(created.status, 201);
  Id aid = created.Json()["id"];
  std::string a_path = "/api/annotations/" + std::to_string(aid);
  ASSERT_EQ(ac.PatchJson(a_path, json{{"result", Choice("Negative")}}).status, 200);
  ASSERT_EQ(rc.PostJson(a_path + "/reviews", json{{"accepted", false}, {"comment", "look again"}}).status, 201);
  ASSERT_EQ(rc.PostJson(a_path + "/reviews", json{{"accepted", true}, {"result", Choice("Positive")}}).status, 201);
  Reply other = ac.PostJson("/api/tasks/" + std::to_string(task_ids_[1]) + "/annotations",
                            json{{"result", Choice("Negative")}, {"was_cancelled", false}});
  ASSERT_EQ(other.status, 201);

  std::string path = Path(pid, "/history/export");
  EXPECT_EQ(ac.Get(path).status, 403);
  EXPECT_EQ(rc.Get(path).status, 403);
  Reply reply = admin.Get(path);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Header("content-type"), "application/x-ndjson");
  EXPECT_EQ(reply.Header("content-disposition"),
            "attachment; filename=\"project-" + std::to_string(pid) + "-history.jsonl\"");
  std::vector<json> lines;
  size_t start = 0;
  for (size_t end; (end = reply.body.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(json::parse(reply.body.substr(start, end - start)));
  }
  EXPECT_EQ(start, reply.body.size()) << "the last line ends with a newline";
  ASSERT_EQ(lines.size(), 6u) << reply.body;
  struct Expected {
    const char* type;
    int version;
    const char* action;
    Id by;
  };
  const Expected expected[] = {{"version", 1, "submitted", ann.id},
                               {"version", 2, "updated", ann.id},
                               {"review", 2, "rejected", reviewer.id},
                               {"version", 3, "fixed", reviewer.id},
                               {"review", 3, "fixed", reviewer.id},
                               {"version", 1, "submitted", ann.id}};
  for (size_t idx = 0; idx < lines.size(); ++idx) {
    const json& line = lines[idx];
    SCOPED_TRACE("line " + std::to_string(idx) + ": " + line.dump());
    EXPECT_EQ(line["type"], expected[idx].type);
    EXPECT_EQ(line["version"], expected[idx].version);
    EXPECT_EQ(line["action"], expected[idx].action);
    EXPECT_EQ(line["updated_by"], expected[idx].by);
    EXPECT_EQ(line["user"]["id"], expected[idx].by);
    EXPECT_EQ(line["annotation"], idx < 5 ? aid : other.Json()["id"].get<Id>());
    EXPECT_EQ(line["task"], idx < 5 ? task_ids_[0] : task_ids_[1]);
    EXPECT_EQ(line["completed_by"], ann.id);
    EXPECT_TRUE(line["created_at"].is_string());
    if (idx > 0 && idx < 5) {
      EXPECT_GE(line["created_at"], lines[idx - 1]["created_at"]);
    }
    EXPECT_EQ(line.contains("result"), line["type"] == "version");
  }
  EXPECT_EQ(lines[0]["result"], Choice("Positive"));
  EXPECT_EQ(lines[1]["result"], Choice("Negative"));
  EXPECT_EQ(lines[2]["comment"], "look again");
  EXPECT_EQ(lines[3]["result"], Choice("Positive"));
  EXPECT_EQ(lines[3]["current"], true);
  EXPECT_FALSE(lines[0].contains("current"));
  EXPECT_EQ(lines[0]["was_cancelled"], false);
  EXPECT_EQ(lines[0]["ground_truth"], false);
  // The same events, in the same shape, as the annotation's own history.
  json events = admin.Get(a_path + "/history").Json()["events"];
  ASSERT_EQ(events.size(), 5u);
  for (size_t idx = 0; idx < 5; ++idx) {
    json line = lines[idx];
    line.erase("annotation");
    line.erase("task");
    line.erase("completed_by");
    EXPECT_EQ(line, events[idx]);
  }
  EXPECT_EQ(admin.Get("/api/projects/999999/history/export").status, 404);
}

}  // namespace
}  // namespace tessera::testing
