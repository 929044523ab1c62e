// WebhookDispatcher: delivers the webhook outbox in the background.
//
// One thread claims due deliveries from the Store (a lease, so servers that
// share a database never send a row twice while it lasts), POSTs each body
// with Content-Type application/json, the webhook's own headers and
// `X-Tessera-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the
// webhook's secret>` (http or https; see http_client.h for certificate
// checks), and records the attempt: a 2xx reply is delivered;
// anything else is retried after base_delay * 2^(attempts-1) (capped at
// max_delay) until max_attempts, then marked failed. Redirects are not
// followed. Request handlers only write outbox rows and call Wake(); they never
// wait for a delivery.
//
// Ownership: borrows the Store, which must outlive the dispatcher.
// Thread-safety: Start/Stop from one thread; Wake from any thread.
#ifndef TESSERA_SERVER_WEBHOOK_DISPATCHER_H_
#define TESSERA_SERVER_WEBHOOK_DISPATCHER_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "server/net/http_client.h"
#include "tessera/store.h"

namespace tessera::server {

struct WebhookDeliveryOptions {
  int64_t base_delay_ms = 1000;     // first retry after this; doubles each time
  int64_t max_delay_ms = 3600000;   // cap on the retry delay
  int max_attempts = 10;            // then the delivery is marked failed
  int timeout_ms = 10000;           // per attempt: connect, send, reply header
  int64_t poll_ms = 1000;           // how often to look for due rows when not woken
  int batch = 8;                    // rows claimed at a time
  std::string ca_file;              // extra CA certificates (PEM) for https receivers
};

// The signature header's value for `body`: "sha256=" + hex HMAC-SHA256.
std::string WebhookSignature(const std::string& secret, const std::string& body);

class WebhookDispatcher {
 public:
  using Poster = std::function<Result<OutgoingResponse>(const OutgoingRequest&)>;

  WebhookDispatcher(Store& store, WebhookDeliveryOptions options, Poster poster = PostOnce);
  ~WebhookDispatcher();  // Stop()
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void Start();
  // Finishes the attempt in flight (at most timeout_ms), then joins.
  void Stop();
  // Look for due rows now (new events were written).
  void Wake();

  // Claims and attempts one batch of due deliveries; returns how many it
  // attempted. The thread calls this in a loop; tests may call it directly.
  int RunOnce();

 private:
  void Loop();
  DeliveryAttempt Attempt(const WebhookDelivery& delivery, const Webhook& hook);

  Store& store_;
  WebhookDeliveryOptions options_;
  Poster poster_;
  std::string instance_;  // random prefix of this dispatcher's claim tokens
  int64_t claims_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_WEBHOOK_DISPATCHER_H_
