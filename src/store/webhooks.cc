// Names of the webhook enums, and the default (unsupported) implementations
// of the optional webhook Store methods.
#include "tessera/store.h"
#include "tessera/webhooks.h"

namespace tessera {

const char* DeliveryStatusName(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::kPending: return "pending";
    case DeliveryStatus::kDelivered: return "delivered";
    case DeliveryStatus::kFailed: return "failed";
  }
  return "pending";
}

namespace {
Status Unsupported() { return Status::FailedPrecondition("this store does not support webhooks"); }
}  // namespace

Status Store::CreateWebhook(Webhook*) { return Unsupported(); }
Result<Webhook> Store::GetWebhook(Id) { return Unsupported(); }
Result<std::vector<Webhook>> Store::ListWebhooks(const WebhookQuery&) { return Unsupported(); }
Status Store::UpdateWebhook(Webhook*) { return Unsupported(); }
Status Store::DeleteWebhook(Id) { return Unsupported(); }
Status Store::EnqueueWebhookDeliveries(std::span<WebhookDelivery>) { return Unsupported(); }
Result<std::vector<WebhookDelivery>> Store::ClaimWebhookDeliveries(const std::string&, TimeMs,
                                                                   TimeMs, int) {
  return Unsupported();
}
Status Store::FinishWebhookDelivery(const DeliveryAttempt&) { return Unsupported(); }
Result<std::vector<WebhookDelivery>> Store::ListWebhookDeliveries(Id, int) { return Unsupported(); }

}  // namespace tessera
