// WebhookDispatcher with a fake poster: the request it builds (headers,
// signature, body) and the retry schedule (doubling, capped, then failed).
#include "server/webhook_dispatcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "tessera/util.h"

namespace tessera::server {
namespace {

class WebhookDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    auto opened = OpenSqliteStore(SqliteOptions{":memory:", 1, false});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    User user;
    user.email = "o@example.com";
    ASSERT_TRUE(store_->CreateUser(&user).ok());
    Project project;
    project.created_by = user.id;
    ASSERT_TRUE(store_->CreateProject(&project).ok());
    hook_.project_id = project.id;
    hook_.url = "http://receiver.example/hook";
    hook_.headers = R"({"X-Team":"blue"})";
    hook_.secret = "topsecret";
    ASSERT_TRUE(store_->CreateWebhook(&hook_).ok());
    std::vector<WebhookDelivery> rows(1);
    rows[0].webhook_id = hook_.id;
    rows[0].action = "ANNOTATION_CREATED";
    rows[0].payload = R"({"action":"ANNOTATION_CREATED","annotation":{"id":7}})";
    ASSERT_TRUE(store_->EnqueueWebhookDeliveries(rows).ok());
  }
  WebhookDelivery Log() {
    auto log = store_->ListWebhookDeliveries(hook_.id, 10);
    EXPECT_TRUE(log.ok() && log->size() == 1u);
    return log.ok() && !log->empty() ? log->front() : WebhookDelivery{};
  }

  std::unique_ptr<Store> store_;
  Webhook hook_;
};

TEST_F(WebhookDispatcherTest, SignsTheBodyAndSendsCustomHeaders) {
  std::vector<OutgoingRequest> seen;
  WebhookDispatcher dispatcher(*store_, WebhookDeliveryOptions{}, [&](const OutgoingRequest& r) {
    seen.push_back(r);
    return Result<OutgoingResponse>(OutgoingResponse{204, ""});
  });
  EXPECT_EQ(dispatcher.RunOnce(), 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].url, "http://receiver.example/hook");
  EXPECT_EQ(seen[0].body, R"({"action":"ANNOTATION_CREATED","annotation":{"id":7}})");
  std::map<std::string, std::string> headers(seen[0].headers.begin(), seen[0].headers.end());
  EXPECT_EQ(headers["Content-Type"], "application/json");
  EXPECT_EQ(headers["X-Team"], "blue");
  EXPECT_EQ(headers["X-Tessera-Signature"], WebhookSignature("topsecret", seen[0].body));
  // RFC 4231 test case 2: HMAC-SHA256(key "Jefe", "what do ya want for nothing?").
  EXPECT_EQ(WebhookSignature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Log().status, DeliveryStatus::kDelivered);
  EXPECT_EQ(Log().last_status_code, 204);
  EXPECT_EQ(dispatcher.RunOnce(), 0);  // nothing left
}

TEST_F(WebhookDispatcherTest, RetriesWithDoublingCappedDelaysThenFails) {
  WebhookDeliveryOptions options;
  options.base_delay_ms = 40;
  options.max_delay_ms = 100;
  options.max_attempts = 4;
  int calls = 0;
  WebhookDispatcher dispatcher(*store_, options, [&](const OutgoingRequest&) -> Result<OutgoingResponse> {
    ++calls;
    if (calls == 2) return Status::Unavailable("connecting: Connection refused");
    return OutgoingResponse{calls == 3 ? 302 : 500, calls == 3 ? "http://elsewhere.example/" : ""};
  });
  const int64_t expected_delay[] = {40, 80, 100};  // 160 capped at 100
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const TimeMs before = NowMs();
    ASSERT_EQ(dispatcher.RunOnce(), 1) << "attempt " << attempt;
    const TimeMs after = NowMs();
    WebhookDelivery d = Log();
    EXPECT_EQ(d.status, DeliveryStatus::kPending);
    EXPECT_EQ(d.attempts, attempt);
    EXPECT_GE(d.next_attempt_at, before + expected_delay[attempt - 1]);
    EXPECT_LE(d.next_attempt_at, after + expected_delay[attempt - 1]);
    EXPECT_EQ(dispatcher.RunOnce(), 0);  // not due yet
    std::this_thread::sleep_for(std::chrono::milliseconds(d.next_attempt_at - NowMs() + 5));
    const char* expected_error[] = {"HTTP 500", "connecting: Connection refused",
                                    "HTTP 302: redirect to http://elsewhere.example/ not followed"};
    EXPECT_EQ(d.last_error, expected_error[attempt - 1]);
  }
  ASSERT_EQ(dispatcher.RunOnce(), 1);
  WebhookDelivery d = Log();
  EXPECT_EQ(d.status, DeliveryStatus::kFailed);
  EXPECT_EQ(d.attempts, 4);
  EXPECT_EQ(d.last_status_code, 500);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(dispatcher.RunOnce(), 0);
}

TEST(ParseHttpUrlTest, AcceptsHttpUrlsWithHostsAndRefusesTheRest) {
  auto plain = ParseHttpUrl("http://hooks.example");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->host, "hooks.example");
  EXPECT_EQ(plain->port, "80");
  EXPECT_EQ(plain->target, "/");
  auto full = ParseHttpUrl("HTTPS://hooks.example:8443/in/box?x=1#frag");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->scheme, "https");
  EXPECT_EQ(full->port, "8443");
  EXPECT_EQ(full->target, "/in/box?x=1");
  auto v6 = ParseHttpUrl("http://[::1]:9000?q");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "9000");
  EXPECT_EQ(v6->target, "/?q");
  for (const char* bad : {"ftp://h/", "http://", "http:///x", "hooks.example/x", "http://u:p@h/",
                          "http://h:0/", "http://h:70000/", "http://h:8x/", "http://h /x",
                          "http://[::1/"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace tessera::server
