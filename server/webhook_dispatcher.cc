#include "server/webhook_dispatcher.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "server/request_log.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

std::string WebhookSignature(const std::string& secret, const std::string& body) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string("sha256=") + hex;
}

WebhookDispatcher::WebhookDispatcher(Store& store, WebhookDeliveryOptions options, Poster poster)
    : store_(store), options_(options), poster_(std::move(poster)), instance_(RandomHex(8)) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

void WebhookDispatcher::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookDispatcher::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void WebhookDispatcher::Loop() {
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      woken_ = false;
    }
    int attempted = RunOnce();
    std::unique_lock<std::mutex> lock(mu_);
    if (attempted >= options_.batch) continue;  // probably more due right away
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                 [this] { return stop_ || woken_; });
  }
}

int WebhookDispatcher::RunOnce() {
  const TimeMs now = NowMs();
  // The lease covers the whole batch, attempted one after another.
  const TimeMs lease = static_cast<TimeMs>(options_.batch) * (options_.timeout_ms + 1000) + 10000;
  std::string claim = instance_ + "-" + std::to_string(++claims_);
  auto claimed = store_.ClaimWebhookDeliveries(claim, now, lease, options_.batch);
  if (!claimed.ok()) {
    LogError("", "webhooks: claiming deliveries: " + claimed.status().ToString());
    return 0;
  }
  std::map<Id, Result<Webhook>> hooks;
  for (const WebhookDelivery& delivery : *claimed) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) break;  // unsent rows wait for the lease to run out, then go out again
    }
    auto it = hooks.find(delivery.webhook_id);
    if (it == hooks.end()) {
      it = hooks.emplace(delivery.webhook_id, store_.GetWebhook(delivery.webhook_id)).first;
    }
    if (!it->second.ok()) continue;  // deleted meanwhile: its rows went with it
    DeliveryAttempt attempt = Attempt(delivery, *it->second);
    attempt.claim = claim;
    Status s = store_.FinishWebhookDelivery(attempt);
    if (!s.ok() && s.code() != Code::kNotFound) {
      LogError("", "webhooks: recording delivery " + std::to_string(delivery.id) + ": " +
                       s.ToString());
    }
  }
  return static_cast<int>(claimed->size());
}

DeliveryAttempt WebhookDispatcher::Attempt(const WebhookDelivery& delivery, const Webhook& hook) {
  OutgoingRequest request;
  request.url = hook.url;
  request.body = delivery.payload;
  request.timeout_ms = options_.timeout_ms;
  request.ca_file = options_.ca_file;
  json custom = json::parse(hook.headers, nullptr, false);
  if (custom.is_object()) {
    for (const auto& [name, value] : custom.items()) {
      if (value.is_string()) request.headers.emplace_back(name, value.get<std::string>());
    }
  }
  // Ours last, so a custom header cannot replace them (the API refuses those
  // names anyway).
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("X-Tessera-Signature", WebhookSignature(hook.secret, delivery.payload));
  request.headers.emplace_back("X-Tessera-Delivery", std::to_string(delivery.id));

  auto reply = poster_(request);
  DeliveryAttempt attempt;
  attempt.delivery_id = delivery.id;
  attempt.now = NowMs();
  if (reply.ok()) {
    attempt.status_code = reply->status;
    if (reply->status >= 200 && reply->status < 300) {
      attempt.delivered = true;
      return attempt;
    }
    attempt.error = "HTTP " + std::to_string(reply->status);
    if (reply->status >= 300 && reply->status < 400) {
      attempt.error += ": redirect" + (reply->location.empty() ? "" : " to " + reply->location) +
                       " not followed";
    }
  } else {
    attempt.error = reply.status().message();
  }
  const int attempts = delivery.attempts + 1;  // including this one
  if (attempts >= options_.max_attempts) {
    attempt.give_up = true;
    return attempt;
  }
  int64_t delay = options_.base_delay_ms;
  for (int step = 1; step < attempts && delay < options_.max_delay_ms; ++step) delay *= 2;
  attempt.next_attempt_at = attempt.now + std::min(delay, options_.max_delay_ms);
  return attempt;
}

}  // namespace tessera::server
