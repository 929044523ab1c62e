// PlanTables (src/store/migrate_plan.h): reads the source's tables and
// columns (sqlite_master, pragma_table_list, pragma_table_xinfo,
// pragma_foreign_key_list) and the target's (information_schema).
#include "src/store/migrate_plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <span>

#include "tessera/util.h"

namespace tessera::migrate {
namespace {

// Tables that are not copied, and why (shown in the report).
struct SkippedTable {
  std::string_view name;
  std::string_view why;
};
constexpr SkippedTable kSkippedTables[] = {
    {"schema_migrations", "schema versions are compared, not copied"},
    {"sessions", "sign-in sessions: people sign in again on the new database"},
    {"task_locks", "leases of `next` on the old server; they expire anyway"},
    {"task_changes", "change log of the statistics caches; the target starts its own"},
    {"task_search_state", "how far SQLite's full-text index has got; PostgreSQL keeps its own"},
    {"project_counters", "derived from the tasks: the target's triggers count them as they are copied"},
    {"cache_snapshots", "saved dashboard numbers at positions of the old change log; the target saves its own"},
};

// Columns that hold a user id without a FOREIGN KEY saying so.
constexpr std::string_view kUserColumns[] = {"user_id",     "created_by",  "updated_by", "completed_by",
                                             "assigned_by", "reviewer_id", "author_id"};
// Columns whose names contain one of these words, or end in "_by", might
// hold a user id; one that is neither in kUserColumns, nor a foreign key to
// users, nor in kNotUserColumns stops the migration (a new table's author
// must decide).
constexpr std::string_view kUserishWords[] = {"user", "owner", "author", "review", "assign"};
constexpr std::string_view kNotUserColumns[] = {"review_state"};

bool Contains(std::span<const std::string_view> list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

Result<Kind> KindOf(const std::string& pg_type, const std::string& table, const std::string& column) {
  if (pg_type == "bigint" || pg_type == "integer" || pg_type == "smallint") return Kind::kInt;
  if (pg_type == "double precision" || pg_type == "real" || pg_type == "numeric") return Kind::kDouble;
  if (pg_type == "boolean") return Kind::kBool;
  if (pg_type == "text" || pg_type == "character varying" || pg_type == "character") return Kind::kText;
  return Status::FailedPrecondition("column " + table + "." + column + " has PostgreSQL type " + pg_type +
                                    ", which migrate does not know how to copy (src/store/migrate_plan.cc)");
}

class Planner {
 public:
  Planner(sqlite::Connection* src, postgres::Connection* dst, const std::vector<Id>& project_ids,
          int schema_version)
      : src_(src), dst_(dst), project_ids_(project_ids), schema_version_(schema_version) {}

  std::string ProjectScope(const std::set<std::string>& columns, const std::string& table) const {
    const std::string list = IdList(project_ids_);
    if (table == "projects") return "id IN (" + list + ")";
    if (columns.count("project_id")) return "project_id IN (" + list + ")";
    if (columns.count("task_id")) return "task_id IN (SELECT id FROM tasks WHERE project_id IN (" + list + "))";
    if (columns.count("annotation_id")) {
      return "annotation_id IN (SELECT id FROM annotations WHERE project_id IN (" + list + "))";
    }
    if (columns.count("webhook_id")) {
      return "webhook_id IN (SELECT id FROM webhooks WHERE project_id IN (" + list + "))";
    }
    return "";
  }

  Status Plan(std::vector<TablePlan>* plans) {
    std::set<std::string> target_tables;
    {
      TESSERA_ASSIGN_OR_RETURN(postgres::Stmt st,
                               dst_->Prepare("SELECT table_name FROM information_schema.tables WHERE "
                                             "table_schema = current_schema() AND table_type = 'BASE TABLE'"));
      while (true) {
        TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        target_tables.insert(st.Text(0));
      }
    }
    std::vector<std::pair<std::string, std::string>> tables;  // name, type, in creation order
    {
      TESSERA_ASSIGN_OR_RETURN(
          sqlite::Stmt st,
          src_->Prepare("SELECT m.name, l.type FROM sqlite_master m JOIN pragma_table_list l "
                        "ON l.schema = 'main' AND l.name = m.name WHERE m.type = 'table' ORDER BY m.rowid"));
      while (true) {
        TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        tables.emplace_back(st.Text(0), st.Text(1));
      }
    }
    std::vector<TablePlan> skipped;
    for (const auto& [name, type] : tables) {
      if (name.rfind("sqlite_", 0) == 0) continue;  // SQLite's own bookkeeping
      TablePlan plan;
      plan.name = name;
      if (type == "virtual" || type == "shadow") {
        plan.skipped = "SQLite full-text index; PostgreSQL keeps its own";
      } else {
        for (const SkippedTable& known : kSkippedTables) {
          if (known.name == name) plan.skipped = known.why;
        }
      }
      if (!plan.skipped.empty()) {
        skipped.push_back(std::move(plan));
        continue;
      }
      if (!target_tables.count(name)) {
        return Status::FailedPrecondition("table " + name + " of the SQLite database is not in the PostgreSQL "
                                          "one although both are at schema version " +
                                          std::to_string(schema_version_) +
                                          "; migrate does not know how to handle it");
      }
      TESSERA_RETURN_IF_ERROR(PlanColumns(&plan));
      if (!plan.skipped.empty()) {
        skipped.push_back(std::move(plan));
      } else {
        plans->push_back(std::move(plan));
      }
    }
    for (TablePlan& plan : skipped) plans->push_back(std::move(plan));
    return Status::Ok();
  }

  Status PlanColumns(TablePlan* plan) {
    const std::string& table = plan->name;
    struct TargetColumn {
      std::string type;
      bool required = false;  // NOT NULL, no default, not generated
      bool generated = false;
      bool identity = false;
    };
    std::map<std::string, TargetColumn> target;
    {
      TESSERA_ASSIGN_OR_RETURN(
          postgres::Stmt st,
          dst_->Prepare("SELECT column_name, data_type, is_nullable = 'NO' AND column_default IS NULL "
                        "AND is_identity = 'NO' AND is_generated = 'NEVER', is_generated <> 'NEVER', "
                        "is_identity = 'YES' FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND table_name = ?1"));
      st.Bind(1, table);
      while (true) {
        TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        target[st.Text(0)] = {st.Text(1), st.Bool(2), st.Bool(3), st.Bool(4)};
      }
    }
    std::set<std::string> user_fks;
    {
      TESSERA_ASSIGN_OR_RETURN(
          sqlite::Stmt st, src_->Prepare("SELECT \"from\" FROM pragma_foreign_key_list(?1) WHERE \"table\" = 'users'"));
      st.Bind(1, table);
      while (true) {
        TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        user_fks.insert(st.Text(0));
      }
    }
    std::set<std::string> names;
    TESSERA_ASSIGN_OR_RETURN(sqlite::Stmt st,
                             src_->Prepare("SELECT name FROM pragma_table_xinfo(?1) WHERE hidden = 0 ORDER BY cid"));
    st.Bind(1, table);
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ColumnPlan column;
      column.name = st.Text(0);
      auto found = target.find(column.name);
      if (found == target.end() || found->second.generated) {
        return Status::FailedPrecondition("column " + table + "." + column.name + " of the SQLite database " +
                                          (found == target.end() ? "is missing from" : "is generated in") +
                                          " the PostgreSQL one; migrate does not know how to copy it");
      }
      TESSERA_ASSIGN_OR_RETURN(column.kind, KindOf(found->second.type, table, column.name));
      if (found->second.identity) plan->identity = column.name;
      if (table != "users") {
        column.user_ref = user_fks.count(column.name) > 0 || Contains(kUserColumns, column.name);
        if (!column.user_ref && !Contains(kNotUserColumns, column.name)) {
          bool userish = EndsWith(column.name, "_by");
          for (std::string_view word : kUserishWords) userish |= column.name.find(word) != std::string::npos;
          if (userish) {
            return Status::FailedPrecondition(
                "column " + table + "." + column.name + " may hold user ids (whose ids can change in the "
                "move); list it in kUserColumns or kNotUserColumns of src/store/migrate_plan.cc");
          }
        }
      }
      if (column.name == "object_type") plan->object_type_col = static_cast<int>(plan->columns.size());
      if (column.name == "object_id") plan->object_id_col = static_cast<int>(plan->columns.size());
      names.insert(column.name);
      plan->columns.push_back(std::move(column));
    }
    for (const auto& [name, column] : target) {
      if (column.required && !names.count(name)) {
        return Status::FailedPrecondition("column " + table + "." + name + " of the PostgreSQL database is "
                                          "required but not in the SQLite one");
      }
    }
    if (table == "users") return Status::Ok();
    const bool project_scoped = table == "projects" || !ProjectScopeFor(names, table).empty();
    if (!project_scoped && names.count("user_id")) {
      // Rows that belong to a user (API tokens): they come along with a user
      // that is copied; a user matched by email keeps the target's.
      for (size_t col = 0; col < plan->columns.size(); ++col) {
        if (plan->columns[col].name == "user_id") plan->owner_col = static_cast<int>(col);
      }
    } else if (!project_ids_.empty()) {
      plan->where = ProjectScope(names, table);
      if (plan->where.empty()) plan->skipped = "not part of a project: moved only without --project";
    }
    if (plan->object_type_col < 0) plan->object_id_col = -1;
    return Status::Ok();
  }

  // Whether the table can be tied to a project (independent of --project).
  std::string ProjectScopeFor(const std::set<std::string>& columns, const std::string& table) const {
    for (const char* column : {"project_id", "task_id", "annotation_id", "webhook_id"}) {
      if (columns.count(column)) return column;
    }
    return table == "projects" ? "id" : "";
  }

 private:
  sqlite::Connection* src_;
  postgres::Connection* dst_;
  const std::vector<Id>& project_ids_;
  int schema_version_;
};

}  // namespace

Result<std::vector<TablePlan>> PlanTables(sqlite::Connection* src, postgres::Connection* dst,
                                          const std::vector<Id>& project_ids, int schema_version) {
  std::vector<TablePlan> plans;
  TESSERA_RETURN_IF_ERROR(Planner(src, dst, project_ids, schema_version).Plan(&plans));
  return plans;
}

std::string Quote(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string IdList(const std::vector<Id>& ids) {
  std::string out;
  for (Id id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

}  // namespace tessera::migrate
