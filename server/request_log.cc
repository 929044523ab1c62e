#include "server/request_log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <memory>

#include <nlohmann/json.hpp>

#include "tessera/util.h"

namespace tessera::server {
namespace {

std::atomic<bool> g_access_log{true};

spdlog::logger& Logger() {
  // stderr, unbuffered line by line; the message is the whole JSON object.
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto l = std::make_shared<spdlog::logger>("tessera", sink);
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    return l;
  }();
  return *logger;
}

bool SaneId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string RequestIdFor(std::string_view header) {
  if (SaneId(header)) return std::string(header);
  return RandomHex(8);
}

void LogRequest(const RequestLogEntry& e) {
  if (!g_access_log.load(std::memory_order_relaxed)) return;
  nlohmann::json line = {
      {"ts", FormatIsoTime(NowMs())},
      {"level", e.status >= 500 ? "warn" : "info"},
      {"msg", "request"},
      {"request_id", e.request_id},
      {"method", e.method},
      {"path", e.path},
      {"status", e.status},
      {"duration_ms", std::round(e.duration_ms * 1000) / 1000},
      {"bytes", e.response_bytes},
      {"remote", e.remote_address},
  };
  if (e.user_id != 0) line["user_id"] = e.user_id;
  Logger().info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void LogError(std::string_view request_id, std::string_view message) {
  nlohmann::json line = {
      {"ts", FormatIsoTime(NowMs())}, {"level", "error"}, {"request_id", request_id}, {"msg", message}};
  Logger().error(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void SetAccessLogEnabled(bool enabled) { g_access_log.store(enabled, std::memory_order_relaxed); }

}  // namespace tessera::server
