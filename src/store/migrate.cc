// MigrateSqliteToPostgres (see include/tessera/migrate.h): plans the copy from
// the two schemas, then moves users first (matched by email) and every other
// table in the order the source created them (so parents come before the
// rows that reference them), in batches of multi-row INSERTs inside one
// PostgreSQL transaction.
#include "tessera/migrate.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "src/store/migrate_plan.h"
#include "src/store/postgres/pg_connection.h"
#include "src/store/sqlite/connection.h"
#include "tessera/store.h"
#include "tessera/util.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using migrate::ColumnPlan;
using migrate::IdList;
using migrate::Kind;
using migrate::PlanTables;
using migrate::Quote;
using migrate::TablePlan;

// Rows per INSERT are limited by the parameter count (PostgreSQL allows 65535).
constexpr size_t kMaxParamsPerInsert = 16000;
constexpr size_t kMaxRowsPerInsert = 1000;

struct Cell {
  bool null = true;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

class Migrator {
 public:
  Migrator(sqlite::Connection* src, postgres::Connection* dst, const MigrateOptions& options,
           MigrateReport* report)
      : src_(src), dst_(dst), options_(options), report_(report) {}

  Status Run() {
    TESSERA_RETURN_IF_ERROR(CheckVersions());
    TESSERA_RETURN_IF_ERROR(CheckProjects());
    TESSERA_ASSIGN_OR_RETURN(plans_, PlanTables(src_, dst_, options_.project_ids, report_->schema_version));
    TESSERA_RETURN_IF_ERROR(LockAndCount());
    TESSERA_RETURN_IF_ERROR(CopyUsers());
    for (TablePlan& plan : plans_) {
      if (plan.skipped.empty() && plan.name != "users") TESSERA_RETURN_IF_ERROR(CopyTable(plan));
    }
    TESSERA_RETURN_IF_ERROR(AdvanceSequences());
    TESSERA_RETURN_IF_ERROR(CountGroundTruth());
    return Verify();
  }

 private:
  bool everything() const { return options_.project_ids.empty(); }

  Result<int64_t> SourceInt(const std::string& sql) {
    TESSERA_ASSIGN_OR_RETURN(sqlite::Stmt st, src_->Prepare(sql));
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : 0;
  }
  Result<int64_t> TargetInt(const std::string& sql) {
    TESSERA_ASSIGN_OR_RETURN(postgres::Stmt st, dst_->Prepare(sql));
    TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : 0;
  }

  Status CheckVersions() {
    const std::string sql = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
    TESSERA_ASSIGN_OR_RETURN(int64_t from, SourceInt(sql));
    TESSERA_ASSIGN_OR_RETURN(int64_t to, TargetInt(sql));
    if (from != to) {
      return Status::FailedPrecondition("the SQLite database is at schema version " + std::to_string(from) +
                                        " and the PostgreSQL one at " + std::to_string(to) +
                                        "; run this tessera's migrate with both at the same version");
    }
    report_->schema_version = static_cast<int>(from);
    return Status::Ok();
  }

  // Listed projects must exist in the source; no project to move may exist in
  // the target (ids are kept), which is the usual clash, so it gets a clear
  // message before anything is written.
  Status CheckProjects() {
    std::vector<Id> ids = options_.project_ids;
    if (everything()) {
      TESSERA_ASSIGN_OR_RETURN(sqlite::Stmt st, src_->Prepare("SELECT id FROM projects ORDER BY id"));
      while (true) {
        TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        ids.push_back(st.Int(0));
      }
    } else {
      for (Id id : ids) {
        TESSERA_ASSIGN_OR_RETURN(int64_t n, SourceInt("SELECT COUNT(*) FROM projects WHERE id = " +
                                                      std::to_string(id)));
        if (n == 0) return Status::NotFound("project " + std::to_string(id) + " is not in the SQLite database");
      }
    }
    moved_ = ids;
    if (ids.empty()) return Status::Ok();
    TESSERA_ASSIGN_OR_RETURN(postgres::Stmt st, dst_->Prepare("SELECT id, title FROM projects WHERE id IN (" +
                                                              IdList(ids) + ") ORDER BY id LIMIT 1"));
    TESSERA_ASSIGN_OR_RETURN(bool clash, st.Step());
    if (clash) {
      return Status::AlreadyExists(
          "the PostgreSQL database already has a project " + std::to_string(st.Int(0)) + " (\"" + st.Text(1) +
          "\"); migrate keeps ids (so exports, links and references stay valid) and therefore cannot "
          "merge into a database that holds the same ids: move into an empty database, or leave that "
          "project out with --project. Nothing was changed");
    }
    return Status::Ok();
  }

  std::string Where(const TablePlan& plan) const { return plan.where.empty() ? "" : " WHERE " + plan.where; }

  Status LockAndCount() {
    std::string tables;
    for (const TablePlan& plan : plans_) {
      if (plan.skipped.empty()) tables += (tables.empty() ? "" : ", ") + Quote(plan.name);
    }
    // Servers still running on the target wait (reads go on) until we commit,
    // so nothing they insert can take an id we are about to copy.
    TESSERA_RETURN_IF_ERROR(dst_->Exec("SET LOCAL lock_timeout = '30s'"));
    Status locked = dst_->Exec("LOCK TABLE " + tables + " IN EXCLUSIVE MODE");
    if (!locked.ok()) return locked.WithPrefix("locking the PostgreSQL tables (is a long transaction open?)");
    for (TablePlan& plan : plans_) {
      if (!plan.skipped.empty()) continue;
      TESSERA_ASSIGN_OR_RETURN(plan.target_before, TargetInt("SELECT COUNT(*) FROM " + Quote(plan.name) + Where(plan)));
    }
    return Status::Ok();
  }

  // Reads the current row of `st` (columns of `plan`, in order) into `row`.
  Status ReadRow(const sqlite::Stmt& st, const TablePlan& plan, int64_t row_number, std::vector<Cell>* row) {
    row->resize(plan.columns.size());
    for (size_t col = 0; col < plan.columns.size(); ++col) {
      Cell& cell = (*row)[col];
      const int type = st.Type(static_cast<int>(col));
      cell.null = type == SQLITE_NULL;
      if (cell.null) continue;
      const Kind kind = plan.columns[col].kind;
      const bool fits = kind == Kind::kText ? type != SQLITE_BLOB
                        : kind == Kind::kDouble ? type == SQLITE_INTEGER || type == SQLITE_FLOAT
                                                : type == SQLITE_INTEGER;
      if (!fits) {
        return Status::FailedPrecondition("table " + plan.name + ", row " + std::to_string(row_number) +
                                          ": column " + plan.columns[col].name + " holds a value of SQLite type " +
                                          std::to_string(type) + " that its PostgreSQL type cannot take");
      }
      if (kind == Kind::kText) {
        cell.s = st.Text(static_cast<int>(col));
      } else if (kind == Kind::kDouble) {
        cell.d = st.Double(static_cast<int>(col));
      } else {
        cell.i = st.Int(static_cast<int>(col));
      }
    }
    return Status::Ok();
  }

  // Maps the row's user ids to the target's. Ids of users the source does not
  // have (dangling references) are left as they are.
  void MapUsers(const TablePlan& plan, std::vector<Cell>* row) const {
    for (size_t col = 0; col < plan.columns.size(); ++col) {
      bool user = plan.columns[col].user_ref;
      if (static_cast<int>(col) == plan.object_id_col) {
        const Cell& type = (*row)[static_cast<size_t>(plan.object_type_col)];
        user = !type.null && type.s == "user";
      }
      Cell& cell = (*row)[col];
      if (!user || cell.null) continue;
      auto mapped = user_map_.find(cell.i);
      if (mapped != user_map_.end()) cell.i = mapped->second;
    }
  }

  // Inserts `rows` (whole rows of `plan`) with one multi-row INSERT.
  Status InsertRows(const TablePlan& plan, const std::vector<std::vector<Cell>>& rows) {
    if (rows.empty()) return Status::Ok();
    std::string sql = "INSERT INTO " + Quote(plan.name) + " (";
    for (size_t col = 0; col < plan.columns.size(); ++col) sql += (col ? ", " : "") + Quote(plan.columns[col].name);
    sql += ") VALUES ";
    int param = 0;
    for (size_t row_idx = 0; row_idx < rows.size(); ++row_idx) {
      sql += row_idx ? ", (" : "(";
      for (size_t col = 0; col < plan.columns.size(); ++col) sql += (col ? ", ?" : "?") + std::to_string(++param);
      sql += ")";
    }
    TESSERA_ASSIGN_OR_RETURN(postgres::Stmt st, dst_->Prepare(sql));
    param = 0;
    for (const std::vector<Cell>& row : rows) {
      for (size_t col = 0; col < plan.columns.size(); ++col) {
        const Cell& cell = row[col];
        ++param;
        if (cell.null) {
          st.BindNull(param);
          continue;
        }
        switch (plan.columns[col].kind) {
          case Kind::kInt: st.Bind(param, cell.i); break;
          case Kind::kDouble: st.Bind(param, cell.d); break;
          case Kind::kBool: st.Bind(param, cell.i != 0); break;
          case Kind::kText: st.Bind(param, std::string_view(cell.s)); break;
        }
      }
    }
    Status inserted = st.Run();
    if (inserted.code() == Code::kAlreadyExists) {
      return Status::AlreadyExists("table " + plan.name + ": the PostgreSQL database already holds a row with "
                                   "the same key (" + inserted.message() + "); migrate keeps ids, so it "
                                   "cannot merge into a database that holds the same ids. Nothing was changed");
    }
    if (!inserted.ok()) return inserted.WithPrefix("copying table " + plan.name);
    report_tables_[plan.name].copied += dst_->Changes();
    return Status::Ok();
  }

  size_t BatchRows(const TablePlan& plan) const {
    return std::max<size_t>(1, std::min(kMaxRowsPerInsert, kMaxParamsPerInsert / plan.columns.size()));
  }

  std::string SelectSql(const TablePlan& plan) const {
    std::string sql = "SELECT ";
    for (size_t col = 0; col < plan.columns.size(); ++col) sql += (col ? ", " : "") + Quote(plan.columns[col].name);
    return sql + " FROM " + Quote(plan.name) + Where(plan);
  }

  // With --project: the users that the moved rows name.
  Result<std::unordered_set<Id>> NeededUsers() {
    std::unordered_set<Id> needed;
    for (const TablePlan& plan : plans_) {
      if (!plan.skipped.empty() || plan.name == "users" || plan.owner_col >= 0) continue;
      for (size_t col = 0; col < plan.columns.size(); ++col) {
        std::string sql;
        const std::string name = Quote(plan.columns[col].name);
        if (plan.columns[col].user_ref) {
          sql = "SELECT DISTINCT " + name + " FROM " + Quote(plan.name) + Where(plan);
        } else if (static_cast<int>(col) == plan.object_id_col) {
          sql = "SELECT DISTINCT object_id FROM " + Quote(plan.name) + Where(plan) +
                (plan.where.empty() ? " WHERE " : " AND ") + "object_type = 'user'";
        } else {
          continue;
        }
        TESSERA_ASSIGN_OR_RETURN(sqlite::Stmt st, src_->Prepare(sql));
        while (true) {
          TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
          if (!row) break;
          if (!st.IsNull(0)) needed.insert(st.Int(0));
        }
      }
    }
    return needed;
  }

  Status CopyUsers() {
    auto users = std::find_if(plans_.begin(), plans_.end(), [](const TablePlan& p) { return p.name == "users"; });
    if (users == plans_.end() || !users->skipped.empty()) {
      return Status::FailedPrecondition("the SQLite database has no users table");
    }
    const TablePlan& plan = *users;
    int id_col = -1, email_col = -1;
    for (size_t col = 0; col < plan.columns.size(); ++col) {
      if (plan.columns[col].name == "id") id_col = static_cast<int>(col);
      if (plan.columns[col].name == "email") email_col = static_cast<int>(col);
    }
    if (id_col < 0 || email_col < 0) return Status::FailedPrecondition("the users table has no id or email");
    std::unordered_map<std::string, Id> target_by_email;
    std::unordered_set<Id> target_ids;
    {
      TESSERA_ASSIGN_OR_RETURN(postgres::Stmt st, dst_->Prepare("SELECT id, email FROM users"));
      while (true) {
        TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        target_ids.insert(st.Int(0));
        target_by_email[st.Text(1)] = st.Int(0);
      }
    }
    std::unordered_set<Id> needed;
    if (!everything()) {
      TESSERA_ASSIGN_OR_RETURN(needed, NeededUsers());
    }
    MigrateTableReport& counts = report_tables_[plan.name];
    std::vector<std::vector<Cell>> keep_id, new_id;
    TESSERA_ASSIGN_OR_RETURN(sqlite::Stmt st, src_->Prepare(SelectSql(plan) + " ORDER BY id"));
    std::vector<Cell> row;
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool more, st.Step());
      if (!more) break;
      TESSERA_RETURN_IF_ERROR(ReadRow(st, plan, counts.source_rows + 1, &row));
      const Id source_id = row[static_cast<size_t>(id_col)].i;
      if (!everything() && !needed.count(source_id)) continue;
      ++counts.source_rows;
      const std::string& email = row[static_cast<size_t>(email_col)].s;
      auto existing = target_by_email.find(email);
      if (existing != target_by_email.end()) {
        user_map_[source_id] = existing->second;
        report_->users.push_back({email, source_id, existing->second, true});
        ++counts.matched;
      } else if (!target_ids.count(source_id)) {
        user_map_[source_id] = source_id;
        copied_users_.insert(source_id);
        keep_id.push_back(row);
      } else {
        copied_users_.insert(source_id);
        new_id.push_back(row);
      }
    }
    for (size_t start = 0; start < keep_id.size(); start += BatchRows(plan)) {
      const size_t end = std::min(keep_id.size(), start + BatchRows(plan));
      TESSERA_RETURN_IF_ERROR(InsertRows(plan, {keep_id.begin() + static_cast<ptrdiff_t>(start),
                                                keep_id.begin() + static_cast<ptrdiff_t>(end)}));
    }
    // Users whose id the target already uses for someone else: a new id.
    // Inserted after the others so that the target's sequence cannot hand
    // out an id that a kept one is about to take.
    TablePlan without_id = plan;
    without_id.columns.erase(without_id.columns.begin() + id_col);
    if (!new_id.empty()) TESSERA_RETURN_IF_ERROR(AdvanceSequence(plan));
    for (std::vector<Cell>& user : new_id) {
      const Id source_id = user[static_cast<size_t>(id_col)].i;
      user.erase(user.begin() + id_col);
      std::string sql = "INSERT INTO users (";
      for (size_t col = 0; col < without_id.columns.size(); ++col) {
        sql += (col ? ", " : "") + Quote(without_id.columns[col].name);
      }
      TESSERA_RETURN_IF_ERROR(InsertRowsReturningId(without_id, user, sql));
      user_map_[source_id] = dst_->LastInsertId();
      report_->users.push_back({user[static_cast<size_t>(email_col > id_col ? email_col - 1 : email_col)].s,
                                source_id, dst_->LastInsertId(), false});
    }
    return Status::Ok();
  }

  Status InsertRowsReturningId(const TablePlan& plan, const std::vector<Cell>& row, std::string sql) {
    sql += ") VALUES (";
    for (size_t col = 0; col < plan.columns.size(); ++col) sql += (col ? ", ?" : "?") + std::to_string(col + 1);
    sql += ") RETURNING id";
    TESSERA_ASSIGN_OR_RETURN(postgres::Stmt st, dst_->Prepare(sql));
    for (size_t col = 0; col < plan.columns.size(); ++col) {
      const int param = static_cast<int>(col + 1);
      const Cell& cell = row[col];
      if (cell.null) {
        st.BindNull(param);
      } else if (plan.columns[col].kind == Kind::kText) {
        st.Bind(param, std::string_view(cell.s));
      } else if (plan.columns[col].kind == Kind::kDouble) {
        st.Bind(param, cell.d);
      } else if (plan.columns[col].kind == Kind::kBool) {
        st.Bind(param, cell.i != 0);
      } else {
        st.Bind(param, cell.i);
      }
    }
    TESSERA_RETURN_IF_ERROR(st.Run().WithPrefix("copying a user"));
    ++report_tables_[plan.name].copied;
    return Status::Ok();
  }

  Status CopyTable(const TablePlan& plan) {
    MigrateTableReport& counts = report_tables_[plan.name];
    TESSERA_ASSIGN_OR_RETURN(sqlite::Stmt st, src_->Prepare(SelectSql(plan)));
    std::vector<std::vector<Cell>> batch;
    const size_t batch_rows = BatchRows(plan);
    std::vector<Cell> row;
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool more, st.Step());
      if (!more) break;
      TESSERA_RETURN_IF_ERROR(ReadRow(st, plan, counts.source_rows + 1, &row));
      ++counts.source_rows;
      if (plan.owner_col >= 0) {
        const Cell& owner = row[static_cast<size_t>(plan.owner_col)];
        if (owner.null || !copied_users_.count(owner.i)) {
          // The user is not moved, or matched by email: the target's row stays.
          if (!owner.null && user_map_.count(owner.i)) ++counts.matched;
          else --counts.source_rows;
          continue;
        }
      }
      MapUsers(plan, &row);
      batch.push_back(row);
      if (batch.size() == batch_rows) {
        TESSERA_RETURN_IF_ERROR(InsertRows(plan, batch));
        batch.clear();
      }
    }
    return InsertRows(plan, batch);
  }

  // Moves the identity sequence of `plan`'s table past the largest id copied
  // and past the source's own sequence (SQLite never hands out the id of a
  // deleted row again; neither will the target).
  Status AdvanceSequence(const TablePlan& plan) {
    if (plan.identity.empty()) return Status::Ok();
    TESSERA_ASSIGN_OR_RETURN(int64_t source_seq,
                             SourceInt("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = '" +
                                       plan.name + "'"));
    TESSERA_ASSIGN_OR_RETURN(int64_t max_id, TargetInt("SELECT COALESCE(MAX(" + Quote(plan.identity) +
                                                       "), 0) FROM " + Quote(plan.name)));
    TESSERA_ASSIGN_OR_RETURN(postgres::Stmt seq, dst_->Prepare("SELECT pg_get_serial_sequence(?1, ?2)"));
    seq.Bind(1, Quote(plan.name)).Bind(2, plan.identity);
    TESSERA_ASSIGN_OR_RETURN(bool found, seq.Step());
    if (!found || seq.IsNull(0)) return Status::Ok();
    const std::string sequence = seq.Text(0);
    TESSERA_ASSIGN_OR_RETURN(postgres::Stmt last, dst_->Prepare("SELECT last_value, is_called FROM " + sequence));
    TESSERA_ASSIGN_OR_RETURN(bool row, last.Step());
    if (!row) return Status::Internal("sequence " + sequence + " has no row");
    const int64_t next = last.Bool(1) ? last.Int(0) + 1 : last.Int(0);
    const int64_t wanted = std::max(source_seq, max_id);
    if (wanted < next) return Status::Ok();
    TESSERA_ASSIGN_OR_RETURN(postgres::Stmt set, dst_->Prepare("SELECT setval(CAST(?1 AS regclass), ?2)"));
    set.Bind(1, sequence).Bind(2, wanted);
    return set.Run();
  }

  // The triggers counted the copied tasks into project_counters, but no
  // trigger counts inserted ground truth (migration 16): the moved projects
  // are new in the target, so their count is what was copied.
  Status CountGroundTruth() {
    if (moved_.empty()) return Status::Ok();
    TESSERA_ASSIGN_OR_RETURN(
        postgres::Stmt st,
        dst_->Prepare("UPDATE project_counters c SET ground_truth = (SELECT COUNT(*) FROM annotations a "
                      "WHERE a.project_id = c.project_id AND a.ground_truth) WHERE c.project_id IN (" +
                      IdList(moved_) + ")"));
    return st.Run();
  }

  Status AdvanceSequences() {
    for (const TablePlan& plan : plans_) {
      if (plan.skipped.empty()) TESSERA_RETURN_IF_ERROR(AdvanceSequence(plan));
    }
    return Status::Ok();
  }

  // Every copied table now holds exactly what it held plus what was copied.
  Status Verify() {
    for (const TablePlan& plan : plans_) {
      MigrateTableReport counts = report_tables_[plan.name];
      counts.table = plan.name;
      counts.skipped = plan.skipped;
      if (plan.skipped.empty()) {
        TESSERA_ASSIGN_OR_RETURN(counts.target_rows,
                                 TargetInt("SELECT COUNT(*) FROM " + Quote(plan.name) + Where(plan)));
        if (counts.copied + counts.matched != counts.source_rows ||
            counts.target_rows != plan.target_before + counts.copied) {
          return Status::Internal("table " + plan.name + ": " + std::to_string(counts.source_rows) +
                                  " rows to move, " + std::to_string(counts.copied) + " copied, " +
                                  std::to_string(counts.matched) + " matched, but the PostgreSQL database went "
                                  "from " + std::to_string(plan.target_before) + " to " +
                                  std::to_string(counts.target_rows) + " rows. Nothing was changed");
        }
      }
      report_->tables.push_back(std::move(counts));
    }
    return Status::Ok();
  }

  sqlite::Connection* src_;
  postgres::Connection* dst_;
  const MigrateOptions& options_;
  MigrateReport* report_;
  std::vector<TablePlan> plans_;  // copied tables in creation order, then skipped ones
  std::vector<Id> moved_;  // the projects copied (CheckProjects)
  std::map<std::string, MigrateTableReport> report_tables_;
  std::unordered_map<Id, Id> user_map_;    // source user id -> target user id
  std::unordered_set<Id> copied_users_;    // source ids of users inserted into the target
};

}  // namespace

std::string MigrateReport::Summary() const {
  std::string out = "schema version " + std::to_string(schema_version) + "; moved " +
                    (project_ids.empty() ? "everything" : "projects " + IdList(project_ids)) +
                    (committed ? "" : " (dry run: rolled back)") + "\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-22s %10s %10s %10s %10s\n", "table", "source", "copied", "matched", "target");
  out += line;
  for (const MigrateTableReport& t : tables) {
    if (!t.skipped.empty()) continue;
    std::snprintf(line, sizeof line, "%-22s %10lld %10lld %10lld %10lld\n", t.table.c_str(),
                  static_cast<long long>(t.source_rows), static_cast<long long>(t.copied),
                  static_cast<long long>(t.matched), static_cast<long long>(t.target_rows));
    out += line;
  }
  for (const MigrateTableReport& t : tables) {
    if (!t.skipped.empty()) out += "not copied: " + t.table + " (" + t.skipped + ")\n";
  }
  for (const MigrateUserMapping& u : users) {
    out += u.existing ? "user " + u.email + " (id " + std::to_string(u.source_id) +
                            ") already exists in the target as id " + std::to_string(u.target_id) +
                            ": their rows now belong to that user, who keeps the target's password and token\n"
                      : "user " + u.email + " (id " + std::to_string(u.source_id) + ") is id " +
                            std::to_string(u.target_id) + " in the target (the target used id " +
                            std::to_string(u.source_id) + " already)\n";
  }
  return out;
}

Result<MigrateReport> MigrateSqliteToPostgres(const MigrateOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(options.sqlite_path, ec)) {
    return Status::NotFound("no SQLite database at " + options.sqlite_path);
  }
  // Both at the latest schema version first (the stores migrate on open).
  {
    SqliteOptions so;
    so.path = options.sqlite_path;
    so.readers = 1;
    auto store = OpenSqliteStore(so);
    if (!store.ok()) return store.status().WithPrefix("the SQLite database");
  }
  {
    PostgresOptions po;
    po.url = options.postgres_url;
    po.connections = 1;
    auto store = OpenPostgresStore(po);
    if (!store.ok()) return store.status().WithPrefix("the PostgreSQL database");
  }
  sqlite::ConnectionOptions source_options;
  source_options.read_only = true;
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Connection> src,
                           sqlite::Connection::Open(options.sqlite_path, source_options));
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<postgres::Connection> dst,
                           postgres::Connection::Open(options.postgres_url));
  MigrateReport report;
  report.project_ids = options.project_ids;
  TESSERA_RETURN_IF_ERROR(src->Exec("BEGIN"));  // one snapshot from the first read on
  TESSERA_RETURN_IF_ERROR(dst->Begin());
  Migrator migrator(src.get(), dst.get(), options, &report);
  Status status = migrator.Run();
  (void)src->Exec("COMMIT");
  if (!status.ok()) {
    dst->Rollback();
    return status;
  }
  if (options.dry_run) {
    dst->Rollback();
  } else {
    TESSERA_RETURN_IF_ERROR(dst->Commit());
    report.committed = true;
  }
  return report;
}

}  // namespace tessera
