// tessera serve: run the HTTP server until SIGINT/SIGTERM.
#include <algorithm>
#include <cstdio>

#include "cli/common.h"
#include "server/app.h"
#include "server/net/http_client.h"
#include "server/net/http_server.h"
#include "server/request_log.h"

namespace tessera::cli {

namespace {

struct ServeOptions {
  DataOptions data;
  std::string host = "127.0.0.1";
  int port = 8080;
  // Handlers are synchronous: a dashboard whose cache is being built waits
  // on the low-priority lane and holds its thread meanwhile. With 4, two
  // such waits took half of the threads that serve next and submit.
  int threads = 8;
  std::string static_dir;
  bool secure_cookies = false;
  bool trust_proxy = false;
  int max_body_mb = 512;
  bool access_log = true;
  // Off by default: building a 10M-task project's caches cut labeling from
  // 1000 to ~600 requests/s for the ~45 s it took (docs/performance.md).
  bool warm_caches = false;
  // On by default: a project counted once costs later starts nothing.
  bool count_uncounted = true;
  server::WebhookDeliveryOptions webhooks;
};

int RunServe(const ServeOptions& o) {
  auto store = OpenStore(o.data);
  if (!store.ok()) return Fail(store.status());
  server::AppOptions app_options;
  app_options.data_dir = o.data.data_dir;
  app_options.static_dir = o.static_dir.empty() ? std::filesystem::path(TESSERA_WEB_DIST)
                                                : std::filesystem::path(o.static_dir);
  app_options.secure_cookies = o.secure_cookies;
  server::SetAccessLogEnabled(o.access_log);
  server::App app(**store, app_options);
  server::WebhookDeliveryOptions webhooks = o.webhooks;
  if (Status trust = server::CheckTlsTrust(webhooks.ca_file); !trust.ok()) return Fail(trust);
  webhooks.poll_ms = std::min<int64_t>(webhooks.poll_ms, webhooks.base_delay_ms);
  app.StartWebhookDelivery(webhooks);
  app.StartExportJobs(server::ExportRunnerOptions{});
  server::HttpServerOptions http;
  http.host = o.host;
  http.port = static_cast<uint16_t>(o.port);
  http.threads = o.threads;
  http.trust_proxy = o.trust_proxy;
  http.max_body_bytes = static_cast<uint64_t>(o.max_body_mb) << 20;
  server::HttpServer server(http, [&app](server::HttpRequest& req) { return app.Handle(req); });
  Status s = server.Start();
  if (!s.ok()) return Fail(s);
  // In the background, at low priority.
  if (o.warm_caches) {
    app.WarmCaches(server::App::WarmScope::kNewest);
  } else if (o.count_uncounted) {
    app.WarmCaches(server::App::WarmScope::kNeverCounted);
  }
  std::printf("tessera: serving http://%s:%u (data in %s); Ctrl-C stops\n", o.host.c_str(),
              server.port(), o.data.data_dir.c_str());
  std::fflush(stdout);
  server.RunUntilSignal();
  std::printf("tessera: stopped\n");
  return 0;
}

}  // namespace

void RegisterServe(CLI::App& app) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the web server and REST API");
  AddDataOption(cmd, &opts->data);
  cmd->add_option("--host", opts->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", opts->port, "Port (0 picks a free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Request threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--static-dir", opts->static_dir, "Built web app (default: web/dist)");
  cmd->add_flag("--warm-caches,!--no-warm-caches", opts->warm_caches,
                "Build the 16 newest projects' dashboard and agreement caches at start, in the background");
  cmd->add_flag("--count-uncounted,!--no-count-uncounted", opts->count_uncounted,
                "At start, count in the background the dashboards of projects never counted before (data "
                "another program wrote into the database), so that their first dashboard does not wait")
      ->capture_default_str();
  cmd->add_flag("--secure-cookies", opts->secure_cookies, "Always mark cookies Secure (TLS)");
  cmd->add_option("--max-body-mb", opts->max_body_mb, "Largest request body (uploads), MiB")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  cmd->add_flag("--trust-proxy", opts->trust_proxy,
                "Trust X-Forwarded-For/-Proto from a reverse proxy");
  cmd->add_flag("--access-log,!--no-access-log", opts->access_log,
                "Log every request as a JSON line on stderr (request id, method, path, status, "
                "duration, user); on by default")
      ->capture_default_str();
  cmd->add_option("--webhook-retry-ms", opts->webhooks.base_delay_ms,
                  "Delay before the first retry of a failed webhook delivery (doubles each time)")
      ->check(CLI::Range(int64_t{1}, int64_t{3600000}))
      ->capture_default_str();
  cmd->add_option("--webhook-attempts", opts->webhooks.max_attempts,
                  "Attempts per webhook delivery before it is marked failed")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--webhook-timeout-ms", opts->webhooks.timeout_ms,
                  "Time-out of one webhook delivery attempt")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  cmd->add_option("--webhook-ca-file", opts->webhooks.ca_file,
                  "PEM file of CA certificates to trust for https webhook receivers, besides "
                  "the system store (for receivers with a private CA); certificates are always "
                  "verified")
      ->envname("TESSERA_WEBHOOK_CA_FILE");
  cmd->callback([opts] { std::exit(RunServe(*opts)); });
}

}  // namespace tessera::cli
