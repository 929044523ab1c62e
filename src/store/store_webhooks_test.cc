// Store contract tests for webhooks and their delivery outbox (migration 7).
// Part of the parameterized StoreTest suite, so they run on every Store.
#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "src/store/store_test_util.h"

namespace tessera::testing {
namespace {

Webhook MakeHook(Id project_id, const std::string& url) {
  Webhook w;
  w.project_id = project_id;
  w.url = url;
  w.secret = "s3cret";
  return w;
}

DeliveryAttempt Attempt(Id delivery_id, const std::string& claim, bool delivered, bool give_up,
                        int status_code, const std::string& error, TimeMs next, TimeMs now) {
  DeliveryAttempt a;
  a.delivery_id = delivery_id;
  a.claim = claim;
  a.delivered = delivered;
  a.give_up = give_up;
  a.status_code = status_code;
  a.error = error;
  a.next_attempt_at = next;
  a.now = now;
  return a;
}

WebhookDelivery Event(Id webhook_id, const std::string& action, TimeMs due = 0) {
  WebhookDelivery d;
  d.webhook_id = webhook_id;
  d.action = action;
  d.payload = "{\"action\":\"" + action + "\"}";
  d.next_attempt_at = due;
  return d;
}

TEST_P(StoreTest, WebhooksAreCreatedListedUpdatedAndDeleted) {
  Id owner = MakeUser("owner@example.com");
  Id p1 = MakeProject(owner);
  Id p2 = MakeProject(owner);
  Webhook a = MakeHook(p1, "http://a.example/hook");
  a.send_for_all_actions = false;
  a.actions = {"ANNOTATION_CREATED", "TASKS_CREATED"};
  a.headers = R"({"X-Key":"v"})";
  a.created_by = owner;
  ASSERT_OK(store_->CreateWebhook(&a));
  EXPECT_GT(a.id, 0);
  EXPECT_GT(a.created_at, 0);
  Webhook b = MakeHook(p2, "http://b.example/hook");
  ASSERT_OK(store_->CreateWebhook(&b));
  Webhook site = MakeHook(0, "https://site.example/hook");
  ASSERT_OK(store_->CreateWebhook(&site));
  Webhook orphan = MakeHook(p2 + 100, "http://x.example/");
  EXPECT_EQ(store_->CreateWebhook(&orphan).code(), Code::kNotFound);

  auto got = store_->GetWebhook(a.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->project_id, p1);
  EXPECT_EQ(got->url, "http://a.example/hook");
  EXPECT_FALSE(got->send_for_all_actions);
  EXPECT_EQ(got->actions, (std::vector<std::string>{"ANNOTATION_CREATED", "TASKS_CREATED"}));
  EXPECT_EQ(got->headers, R"({"X-Key":"v"})");
  EXPECT_EQ(got->secret, "s3cret");
  EXPECT_EQ(got->created_by, owner);
  EXPECT_EQ(store_->GetWebhook(site.id)->project_id, 0);
  EXPECT_EQ(store_->GetWebhook(site.id + 100).status().code(), Code::kNotFound);

  auto ids = [&](const WebhookQuery& q) {
    std::vector<Id> out;
    auto list = store_->ListWebhooks(q);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (list.ok()) for (const Webhook& w : *list) out.push_back(w.id);
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<Id>{a.id, b.id, site.id}));
  EXPECT_EQ(ids({.project_id = p1}), (std::vector<Id>{a.id}));
  EXPECT_EQ(ids({.project_id = p1, .include_site_wide = true}), (std::vector<Id>{a.id, site.id}));
  EXPECT_EQ(ids({.site_wide_only = true}), (std::vector<Id>{site.id}));

  Webhook change = *got;
  change.url = "http://a.example/v2";
  change.actions = {"PROJECT_UPDATED"};
  change.is_active = false;
  change.secret = "ignored";
  change.project_id = p2;  // ignored: a webhook stays with its project
  ASSERT_OK(store_->UpdateWebhook(&change));
  got = store_->GetWebhook(a.id);
  EXPECT_EQ(got->url, "http://a.example/v2");
  EXPECT_EQ(got->actions, std::vector<std::string>{"PROJECT_UPDATED"});
  EXPECT_FALSE(got->is_active);
  EXPECT_EQ(got->secret, "s3cret");
  EXPECT_EQ(got->project_id, p1);
  EXPECT_EQ(ids({.project_id = p1, .include_site_wide = true, .active_only = true}),
            std::vector<Id>{site.id});

  ASSERT_OK(store_->DeleteWebhook(b.id));
  EXPECT_EQ(store_->DeleteWebhook(b.id).code(), Code::kNotFound);
  // Deleting the project deletes its webhooks; site-wide ones stay.
  ASSERT_OK(store_->DeleteProject(p1));
  EXPECT_EQ(ids({}), std::vector<Id>{site.id});
}

TEST_P(StoreTest, DeliveriesAreClaimedOnceRetriedAndLogged) {
  Id owner = MakeUser("owner@example.com");
  Id project = MakeProject(owner);
  Webhook hook = MakeHook(project, "http://h.example/");
  ASSERT_OK(store_->CreateWebhook(&hook));
  Webhook off = MakeHook(project, "http://off.example/");
  off.is_active = false;
  ASSERT_OK(store_->CreateWebhook(&off));

  std::vector<WebhookDelivery> events = {Event(hook.id, "A"), Event(hook.id, "B"),
                                         Event(hook.id, "C"), Event(off.id, "D"),
                                         Event(hook.id, "LATER", NowMs() + 60000)};
  ASSERT_OK(store_->EnqueueWebhookDeliveries(events));
  for (const WebhookDelivery& d : events) EXPECT_GT(d.id, 0);
  // After the enqueue, which makes A-D due at its own clock reading: taken
  // before it, a millisecond tick in between left them not yet due (a flaky
  // failure under a loaded parallel ctest).
  const TimeMs now = NowMs();

  auto first = store_->ClaimWebhookDeliveries("one", now, 30000, 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].action, "A");
  EXPECT_EQ((*first)[1].action, "B");
  EXPECT_EQ((*first)[0].payload, "{\"action\":\"A\"}");
  auto second = store_->ClaimWebhookDeliveries("two", now, 30000, 10);
  ASSERT_EQ(second->size(), 1u);  // C only: A/B are claimed, D's hook is off, LATER not due
  EXPECT_EQ((*second)[0].action, "C");
  EXPECT_TRUE(store_->ClaimWebhookDeliveries("three", now, 30000, 10)->empty());

  // A delivered; B fails and is retried later; C's claim runs out and another
  // dispatcher takes it over, so the first holder can no longer finish it.
  DeliveryAttempt ok = Attempt((*first)[0].id, "one", true, false, 200, "", 0, now + 5);
  ASSERT_OK(store_->FinishWebhookDelivery(ok));
  EXPECT_EQ(store_->FinishWebhookDelivery(ok).code(), Code::kNotFound);  // not twice
  DeliveryAttempt retry =
      Attempt((*first)[1].id, "one", false, false, 500, "HTTP 500", now + 1000, now + 5);
  EXPECT_EQ(store_->FinishWebhookDelivery(Attempt(retry.delivery_id, "two", false, false, 500, "",
                                                  now + 1000, now))
                .code(),
            Code::kNotFound);  // someone else's claim
  ASSERT_OK(store_->FinishWebhookDelivery(retry));
  EXPECT_TRUE(store_->ClaimWebhookDeliveries("four", now + 999, 30000, 10)->empty());
  auto taken_over = store_->ClaimWebhookDeliveries("five", now + 30000, 30000, 10);
  ASSERT_EQ(taken_over->size(), 2u);  // C (lease expired) and B (due again), by due time
  EXPECT_EQ((*taken_over)[0].action, "C");
  EXPECT_EQ((*taken_over)[1].action, "B");
  EXPECT_EQ((*taken_over)[1].attempts, 1);
  EXPECT_EQ(store_->FinishWebhookDelivery(Attempt((*second)[0].id, "two", true, false, 200, "", 0,
                                                  now))
                .code(),
            Code::kNotFound);
  ASSERT_OK(store_->FinishWebhookDelivery(Attempt((*taken_over)[1].id, "five", false, true, 0,
                                                  "connection refused", 0, now + 30001)));

  auto log = store_->ListWebhookDeliveries(hook.id, 10);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 4u);  // newest first: LATER, C, B, A
  EXPECT_EQ((*log)[0].action, "LATER");
  EXPECT_EQ((*log)[0].status, DeliveryStatus::kPending);
  EXPECT_EQ((*log)[1].action, "C");
  EXPECT_EQ((*log)[1].status, DeliveryStatus::kPending);
  EXPECT_EQ((*log)[1].attempts, 0);
  EXPECT_EQ((*log)[2].action, "B");
  EXPECT_EQ((*log)[2].status, DeliveryStatus::kFailed);
  EXPECT_EQ((*log)[2].attempts, 2);
  EXPECT_EQ((*log)[2].last_error, "connection refused");
  EXPECT_EQ((*log)[2].delivered_at, 0);
  EXPECT_EQ((*log)[3].action, "A");
  EXPECT_EQ((*log)[3].status, DeliveryStatus::kDelivered);
  EXPECT_EQ((*log)[3].attempts, 1);
  EXPECT_EQ((*log)[3].last_status_code, 200);
  EXPECT_EQ((*log)[3].delivered_at, now + 5);
  EXPECT_EQ(store_->ListWebhookDeliveries(hook.id, 1)->size(), 1u);

  // Pending rows survive a restart.
  if (persistent()) {
    Reopen();
    auto again = store_->ClaimWebhookDeliveries("six", now + 120000, 30000, 10);
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again->size(), 2u);  // C (the lease of "five" ran out) and LATER
  }
  // Deleting the webhook deletes its log.
  ASSERT_OK(store_->DeleteWebhook(hook.id));
  EXPECT_TRUE(store_->ListWebhookDeliveries(hook.id, 10)->empty());
}

// Two dispatchers claiming from one database at once never get the same row.
TEST_P(StoreTest, ConcurrentClaimsNeverOverlap) {
  Id owner = MakeUser("owner@example.com");
  Id project = MakeProject(owner);
  Webhook hook = MakeHook(project, "http://h.example/");
  ASSERT_OK(store_->CreateWebhook(&hook));
  std::vector<WebhookDelivery> events;
  for (int event_idx = 0; event_idx < 300; ++event_idx) {
    events.push_back(Event(hook.id, "E" + std::to_string(event_idx)));
  }
  ASSERT_OK(store_->EnqueueWebhookDeliveries(events));
  const TimeMs now = NowMs() + 1000;
  std::mutex mu;
  std::vector<Id> claimed;
  auto worker = [&](const std::string& token) {
    for (int round = 0; round < 200; ++round) {
      auto got = store_->ClaimWebhookDeliveries(token + std::to_string(round), now, 60000, 7);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      if (got->empty()) return;
      std::lock_guard<std::mutex> lock(mu);
      for (const WebhookDelivery& d : *got) claimed.push_back(d.id);
    }
  };
  std::thread t1(worker, "x"), t2(worker, "y");
  t1.join();
  t2.join();
  std::set<Id> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), 300u);
  EXPECT_EQ(unique.size(), 300u);
}

}  // namespace
}  // namespace tessera::testing
