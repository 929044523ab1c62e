// Webhooks (issue 9): subscriptions to project, task, annotation and review
// events in Label Studio's shape, and the outbox of their deliveries.
//
// A Webhook belongs to one project, or to the whole site (project_id 0,
// "organization-wide" in Label Studio's terms). Emitting an event writes one
// WebhookDelivery row per matching webhook; a dispatcher claims due rows,
// POSTs them and records each attempt, so an event that was written is
// delivered even if the process stops first.
//
// Thread-safety: plain values.
#ifndef TESSERA_WEBHOOKS_H_
#define TESSERA_WEBHOOKS_H_

#include <string>
#include <vector>

#include "tessera/model.h"

namespace tessera {

struct Webhook {
  Id id = 0;
  Id project_id = 0;                 // 0: site-wide (every project)
  std::string url;                   // http(s) URL the events are POSTed to
  bool send_payload = true;          // false: the body is just {"action": ...}
  bool send_for_all_actions = true;  // false: only the actions listed in `actions`
  std::vector<std::string> actions;  // action names (WebhookAction* below)
  std::string headers = "{}";        // JSON object of extra request headers
  bool is_active = true;
  std::string secret;                // HMAC-SHA256 key for X-Tessera-Signature
  Id created_by = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

enum class DeliveryStatus { kPending, kDelivered, kFailed };
const char* DeliveryStatusName(DeliveryStatus status);  // "pending", "delivered", "failed"

// One event for one webhook, and what happened when it was sent.
struct WebhookDelivery {
  Id id = 0;
  Id webhook_id = 0;
  std::string action;            // e.g. "ANNOTATION_CREATED"
  std::string payload;           // the exact JSON body that is sent (and signed)
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;              // attempts made so far
  TimeMs next_attempt_at = 0;    // due time while pending
  int last_status_code = 0;      // HTTP status of the last attempt (0: no reply)
  std::string last_error;        // why the last attempt failed ("" when it did not)
  TimeMs created_at = 0;
  TimeMs delivered_at = 0;       // 0 until delivered
};

// Which webhooks ListWebhooks returns.
struct WebhookQuery {
  // 0: every webhook. Otherwise the project's webhooks, plus the site-wide
  // ones when `include_site_wide`.
  Id project_id = 0;
  bool include_site_wide = false;
  bool site_wide_only = false;   // only webhooks with project_id 0 (overrides project_id)
  bool active_only = false;
};

// The outcome of one delivery attempt, written back by the dispatcher.
struct DeliveryAttempt {
  Id delivery_id = 0;
  std::string claim;             // the claim token ClaimWebhookDeliveries handed out
  bool delivered = false;
  bool give_up = false;          // not delivered and no attempts left: mark failed
  int status_code = 0;
  std::string error;
  TimeMs next_attempt_at = 0;    // when not delivered and not given up
  TimeMs now = 0;
};

}  // namespace tessera

#endif  // TESSERA_WEBHOOKS_H_
