// Webhooks and their delivery outbox (migration 7).
#include <string>
#include <vector>

#include "src/store/sqlite/sqlite_store.h"
#include "tessera/util.h"

namespace tessera::sqlite {

namespace {

// `actions` is stored as a JSON array of strings. The store has no JSON
// library, and action names are plain identifiers, so a small codec does:
// it escapes '"' and '\' on the way in and undoes that on the way out.
std::string EncodeActions(const std::vector<std::string>& actions) {
  std::string out = "[";
  for (size_t action_idx = 0; action_idx < actions.size(); ++action_idx) {
    if (action_idx > 0) out += ',';
    out += '"';
    for (char ch : actions[action_idx]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "]";
}

std::vector<std::string> DecodeActions(const std::string& text) {
  std::vector<std::string> out;
  bool in_string = false;
  std::string current;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    char ch = text[pos];
    if (!in_string) {
      if (ch == '"') {
        in_string = true;
        current.clear();
      }
      continue;
    }
    if (ch == '\\' && pos + 1 < text.size()) {
      current += text[++pos];
    } else if (ch == '"') {
      in_string = false;
      out.push_back(current);
    } else {
      current += ch;
    }
  }
  return out;
}

constexpr char kWebhookColumns[] =
    "id, COALESCE(project_id, 0), url, send_payload, send_for_all_actions, actions, headers, "
    "is_active, secret, COALESCE(created_by, 0), created_at, updated_at";

Webhook ReadWebhook(const Stmt& st) {
  Webhook w;
  w.id = st.Int(0);
  w.project_id = st.Int(1);
  w.url = st.Text(2);
  w.send_payload = st.Bool(3);
  w.send_for_all_actions = st.Bool(4);
  w.actions = DecodeActions(st.Text(5));
  w.headers = st.Text(6);
  w.is_active = st.Bool(7);
  w.secret = st.Text(8);
  w.created_by = st.Int(9);
  w.created_at = st.Int(10);
  w.updated_at = st.Int(11);
  return w;
}

constexpr char kDeliveryColumns[] =
    "id, webhook_id, action, payload, status, attempts, next_attempt_at, last_status_code, "
    "last_error, created_at, delivered_at";

DeliveryStatus ParseDeliveryStatus(const std::string& name) {
  if (name == "delivered") return DeliveryStatus::kDelivered;
  if (name == "failed") return DeliveryStatus::kFailed;
  return DeliveryStatus::kPending;
}

WebhookDelivery ReadDelivery(const Stmt& st) {
  WebhookDelivery d;
  d.id = st.Int(0);
  d.webhook_id = st.Int(1);
  d.action = st.Text(2);
  d.payload = st.Text(3);
  d.status = ParseDeliveryStatus(st.Text(4));
  d.attempts = st.Int32(5);
  d.next_attempt_at = st.Int(6);
  d.last_status_code = st.Int32(7);
  d.last_error = st.Text(8);
  d.created_at = st.Int(9);
  d.delivered_at = st.Int(10);
  return d;
}

Status NoWebhook(Id id) { return Status::NotFound("webhook " + std::to_string(id) + " not found"); }

}  // namespace

Status SqliteStore::CreateWebhook(Webhook* webhook) {
  TimeMs now = NowMs();
  if (webhook->headers.empty()) webhook->headers = "{}";
  return WriteTxn([&](Connection& conn) -> Status {
    if (webhook->project_id != 0) TESSERA_RETURN_IF_ERROR(RequireProject(conn, webhook->project_id));
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO webhooks (project_id, url, send_payload, "
                              "send_for_all_actions, actions, headers, is_active, secret, "
                              "created_by, created_at, updated_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"));
    TESSERA_RETURN_IF_ERROR(st.BindId(1, webhook->project_id)
                                .Bind(2, webhook->url)
                                .Bind(3, webhook->send_payload)
                                .Bind(4, webhook->send_for_all_actions)
                                .Bind(5, EncodeActions(webhook->actions))
                                .Bind(6, webhook->headers)
                                .Bind(7, webhook->is_active)
                                .Bind(8, webhook->secret)
                                .BindId(9, webhook->created_by)
                                .Bind(10, now)
                                .Run());
    webhook->id = conn.LastInsertId();
    webhook->created_at = webhook->updated_at = now;
    return Status::Ok();
  });
}

Result<Webhook> SqliteStore::GetWebhook(Id id) {
  Webhook out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(std::string("SELECT ") + kWebhookColumns +
                                                   " FROM webhooks WHERE id = ?1"));
    st.Bind(1, id);
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return NoWebhook(id);
    out = ReadWebhook(st);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Webhook>> SqliteStore::ListWebhooks(const WebhookQuery& query) {
  std::vector<Webhook> out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    // ?1 site_wide_only, ?2 project (0: any), ?3 include_site_wide, ?4 active_only.
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare(std::string("SELECT ") + kWebhookColumns +
                              " FROM webhooks WHERE "
                              "(CASE WHEN ?1 THEN project_id IS NULL "
                              " WHEN ?2 = 0 THEN 1 = 1 "
                              " ELSE (project_id = ?2 OR (?3 AND project_id IS NULL)) END) "
                              "AND (NOT ?4 OR is_active) ORDER BY id"));
    st.Bind(1, query.site_wide_only)
        .Bind(2, query.project_id)
        .Bind(3, query.include_site_wide)
        .Bind(4, query.active_only);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back(ReadWebhook(st));
    }
    return Status::Ok();
  }));
  return out;
}

Status SqliteStore::UpdateWebhook(Webhook* webhook) {
  TimeMs now = NowMs();
  if (webhook->headers.empty()) webhook->headers = "{}";
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE webhooks SET url = ?2, send_payload = ?3, "
                              "send_for_all_actions = ?4, actions = ?5, headers = ?6, "
                              "is_active = ?7, updated_at = ?8 WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, webhook->id)
                                .Bind(2, webhook->url)
                                .Bind(3, webhook->send_payload)
                                .Bind(4, webhook->send_for_all_actions)
                                .Bind(5, EncodeActions(webhook->actions))
                                .Bind(6, webhook->headers)
                                .Bind(7, webhook->is_active)
                                .Bind(8, now)
                                .Run());
    if (conn.Changes() == 0) return NoWebhook(webhook->id);
    webhook->updated_at = now;
    return Status::Ok();
  });
}

Status SqliteStore::DeleteWebhook(Id id) {
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare("DELETE FROM webhooks WHERE id = ?1"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, id).Run());
    if (conn.Changes() == 0) return NoWebhook(id);
    return Status::Ok();
  });
}

Status SqliteStore::EnqueueWebhookDeliveries(std::span<WebhookDelivery> deliveries) {
  if (deliveries.empty()) return Status::Ok();
  TimeMs now = NowMs();
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("INSERT INTO webhook_deliveries (webhook_id, action, payload, "
                              "status, attempts, next_attempt_at, created_at) "
                              "VALUES (?1, ?2, ?3, 'pending', 0, ?4, ?5)"));
    for (WebhookDelivery& d : deliveries) {
      st.Reset();
      TESSERA_RETURN_IF_ERROR(st.Bind(1, d.webhook_id)
                                  .Bind(2, d.action)
                                  .Bind(3, d.payload)
                                  .Bind(4, d.next_attempt_at == 0 ? now : d.next_attempt_at)
                                  .Bind(5, now)
                                  .Run());
      d.id = conn.LastInsertId();
      d.created_at = now;
      d.status = DeliveryStatus::kPending;
      if (d.next_attempt_at == 0) d.next_attempt_at = now;
    }
    return Status::Ok();
  });
}

Result<std::vector<WebhookDelivery>> SqliteStore::ClaimWebhookDeliveries(const std::string& claim,
                                                                         TimeMs now,
                                                                         TimeMs lease_ms,
                                                                         int limit) {
  if (claim.empty()) return Status::InvalidArgument("a delivery claim needs a token");
  std::vector<WebhookDelivery> out;
  TESSERA_RETURN_IF_ERROR(WriteTxn([&](Connection& conn) -> Status {
    // The outer WHERE repeats the due/unclaimed test, so an engine that
    // re-checks rows under concurrent updates (PostgreSQL) skips rows another
    // server claimed first. Rows whose webhook is inactive are not sent.
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st,
        conn.Prepare("UPDATE webhook_deliveries SET claim = ?1, claimed_until = ?2 + ?3 "
                     "WHERE status = 'pending' AND next_attempt_at <= ?2 AND claimed_until <= ?2 "
                     "AND id IN (SELECT d.id FROM webhook_deliveries d "
                     "JOIN webhooks w ON w.id = d.webhook_id "
                     "WHERE d.status = 'pending' AND d.next_attempt_at <= ?2 "
                     "AND d.claimed_until <= ?2 AND w.is_active "
                     "ORDER BY d.next_attempt_at, d.id LIMIT ?4)"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, claim).Bind(2, now).Bind(3, lease_ms).Bind(4, limit).Run());
    TESSERA_ASSIGN_OR_RETURN(
        Stmt read, conn.Prepare(std::string("SELECT ") + kDeliveryColumns +
                                " FROM webhook_deliveries WHERE claim = ?1 AND claimed_until > ?2 "
                                "AND status = 'pending' ORDER BY next_attempt_at, id"));
    read.Bind(1, claim).Bind(2, now);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, read.Step());
      if (!row) break;
      out.push_back(ReadDelivery(read));
    }
    return Status::Ok();
  }));
  return out;
}

Status SqliteStore::FinishWebhookDelivery(const DeliveryAttempt& attempt) {
  const char* status = attempt.delivered ? "delivered" : attempt.give_up ? "failed" : "pending";
  return WriteTxn([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        Stmt st, conn.Prepare("UPDATE webhook_deliveries SET status = ?3, attempts = attempts + 1, "
                              "last_status_code = ?4, last_error = ?5, next_attempt_at = ?6, "
                              "delivered_at = ?7, claim = '', claimed_until = 0 "
                              "WHERE id = ?1 AND claim = ?2 AND status = 'pending'"));
    TESSERA_RETURN_IF_ERROR(st.Bind(1, attempt.delivery_id)
                                .Bind(2, attempt.claim)
                                .Bind(3, std::string_view(status))
                                .Bind(4, attempt.status_code)
                                .Bind(5, attempt.error)
                                .Bind(6, attempt.next_attempt_at)
                                .Bind(7, attempt.delivered ? attempt.now : int64_t{0})
                                .Run());
    if (conn.Changes() == 0) {
      return Status::NotFound("delivery " + std::to_string(attempt.delivery_id) +
                              " is gone or no longer claimed by this dispatcher");
    }
    return Status::Ok();
  });
}

Result<std::vector<WebhookDelivery>> SqliteStore::ListWebhookDeliveries(Id webhook_id, int limit) {
  std::vector<WebhookDelivery> out;
  TESSERA_RETURN_IF_ERROR(Read([&](Connection& conn) -> Status {
    TESSERA_ASSIGN_OR_RETURN(Stmt st, conn.Prepare(std::string("SELECT ") + kDeliveryColumns +
                                                   " FROM webhook_deliveries WHERE webhook_id = ?1 "
                                                   "ORDER BY id DESC LIMIT ?2"));
    st.Bind(1, webhook_id).Bind(2, limit);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back(ReadDelivery(st));
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace tessera::sqlite
