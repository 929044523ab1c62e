#include "src/store/task_query_sql.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace tessera {
namespace {

bool IsPostgres(SqlDialect dialect) { return dialect == SqlDialect::kPostgres; }

// Collects bound values and hands out their placeholders.
class Params {
 public:
  explicit Params(int first) : next_(first) {}
  std::string Int(int64_t v) {
    SqlArg a;
    a.kind = SqlArg::Kind::kInt;
    a.i = v;
    return Add(std::move(a));
  }
  std::string Double(double v) {
    SqlArg a;
    a.kind = SqlArg::Kind::kDouble;
    a.d = v;
    return Add(std::move(a));
  }
  std::string Text(std::string v) {
    SqlArg a;
    a.kind = SqlArg::Kind::kText;
    a.s = std::move(v);
    return Add(std::move(a));
  }
  std::vector<SqlArg> Take() { return std::move(args_); }

 private:
  std::string Add(SqlArg a) {
    args_.push_back(std::move(a));
    return "?" + std::to_string(next_++);
  }
  int next_;
  std::vector<SqlArg> args_;
};

Status Invalid(const std::string& message) { return Status::InvalidArgument(message); }

// "data.a.b" -> {"a", "b"}; empty when a key is empty or has other characters.
std::vector<std::string> DataPath(const std::string& column) {
  std::vector<std::string> keys;
  std::string key;
  for (size_t pos = 5; pos <= column.size(); ++pos) {
    if (pos == column.size() || column[pos] == '.') {
      if (key.empty()) return {};
      keys.push_back(key);
      key.clear();
      continue;
    }
    char c = column[pos];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return {};
    key += c;
  }
  return keys;
}

// The text value of a data field.
std::string DataText(SqlDialect dialect, const std::vector<std::string>& keys, Params& p) {
  if (IsPostgres(dialect)) {
    std::string path = "{";
    for (size_t i = 0; i < keys.size(); ++i) path += (i ? "," : "") + keys[i];
    path += "}";
    return "(CAST(t.data AS JSONB) #>> CAST(" + p.Text(path) + " AS TEXT[]))";
  }
  std::string path = "$";
  for (const std::string& key : keys) path += "." + key;
  return "CAST(json_extract(t.data, " + p.Text(path) + ") AS TEXT)";
}

// The value of a data field when it is a JSON number, else NULL.
std::string DataNumber(SqlDialect dialect, const std::vector<std::string>& keys, Params& p) {
  if (IsPostgres(dialect)) {
    std::string path = "{";
    for (size_t i = 0; i < keys.size(); ++i) path += (i ? "," : "") + keys[i];
    path += "}";
    return "(CASE WHEN jsonb_typeof(CAST(t.data AS JSONB) #> CAST(" + p.Text(path) +
           " AS TEXT[])) = 'number' THEN CAST(CAST(t.data AS JSONB) #>> CAST(" + p.Text(path) +
           " AS TEXT[]) AS DOUBLE PRECISION) END)";
  }
  std::string path = "$";
  for (const std::string& key : keys) path += "." + key;
  return "(CASE WHEN json_type(t.data, " + p.Text(path) +
         ") IN ('integer', 'real') THEN json_extract(t.data, " + p.Text(path) + ") END)";
}

std::string EscapeLike(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string Like(SqlDialect dialect) { return IsPostgres(dialect) ? " ILIKE " : " LIKE "; }

constexpr const char* kCompletedAt =
    "(SELECT MAX(a.created_at) FROM annotations a WHERE a.task_id = t.id AND NOT a.was_cancelled)";
constexpr const char* kPredictionsScore =
    "(SELECT MAX(p.score) FROM predictions p WHERE p.task_id = t.id)";
constexpr const char* kReviewsAccepted =
    "(SELECT COUNT(*) FROM annotations a WHERE a.task_id = t.id AND NOT a.was_cancelled "
    "AND a.review_state IN ('accepted', 'fixed'))";
constexpr const char* kReviewsRejected =
    "(SELECT COUNT(*) FROM annotations a WHERE a.task_id = t.id AND NOT a.was_cancelled "
    "AND a.review_state = 'rejected')";
constexpr const char* kGroundTruth =
    "(CASE WHEN EXISTS (SELECT 1 FROM annotations a WHERE a.task_id = t.id AND a.ground_truth) "
    "THEN 1 ELSE 0 END)";
constexpr const char* kFlagReason = "(SELECT f.reason FROM task_flags f WHERE f.task_id = t.id)";

// A single-valued numeric column; `counter` ones are never NULL.
bool NumericColumn(const std::string& column, std::string* expr, bool* counter) {
  *counter = false;
  if (column == "id") {
    *expr = "t.id";
    *counter = true;
  } else if (column == "total_annotations" || column == "cancelled_annotations" ||
             column == "total_predictions") {
    *expr = "t." + column;
    *counter = true;
  } else if (column == "completed_at") {
    *expr = kCompletedAt;
  } else if (column == "predictions_score") {
    *expr = kPredictionsScore;
  } else if (column == "reviews_accepted") {
    *expr = kReviewsAccepted;
    *counter = true;
  } else if (column == "reviews_rejected") {
    *expr = kReviewsRejected;
    *counter = true;
  } else {
    return false;
  }
  return true;
}

// A comparison of a scalar numeric expression.
Result<std::string> NumberCondition(const std::string& expr, const TaskFilter& f, bool counter,
                                    Params& p) {
  const std::string& op = f.op;
  if (op == "equal") return expr + " = " + p.Double(f.number);
  if (op == "not_equal") return "(" + expr + " IS NULL OR " + expr + " <> " + p.Double(f.number) + ")";
  if (op == "less") return expr + " < " + p.Double(f.number);
  if (op == "greater") return expr + " > " + p.Double(f.number);
  if (op == "less_or_equal") return expr + " <= " + p.Double(f.number);
  if (op == "greater_or_equal") return expr + " >= " + p.Double(f.number);
  if (op == "in") return "(" + expr + " BETWEEN " + p.Double(f.min) + " AND " + p.Double(f.max) + ")";
  if (op == "not_in") {
    return "NOT (" + expr + " BETWEEN " + p.Double(f.min) + " AND " + p.Double(f.max) + ")";
  }
  if (op == "empty") {
    if (counter) return expr + (f.empty ? " = 0" : " <> 0");
    return expr + (f.empty ? " IS NULL" : " IS NOT NULL");
  }
  return Invalid("operator " + op + " does not apply to column " + f.column);
}

Result<std::string> TextCondition(SqlDialect dialect, const std::string& expr, const TaskFilter& f,
                                  Params& p) {
  const std::string& op = f.op;
  if (op == "equal") return expr + " = " + p.Text(f.text);
  if (op == "not_equal") return "(" + expr + " IS NULL OR " + expr + " <> " + p.Text(f.text) + ")";
  if (op == "empty") {
    return f.empty ? "(" + expr + " IS NULL OR " + expr + " = '')"
                   : "(" + expr + " IS NOT NULL AND " + expr + " <> '')";
  }
  if (op == "contains" || op == "not_contains") {
    std::string like = Like(dialect) + p.Text("%" + EscapeLike(f.text) + "%") + " ESCAPE '\\'";
    if (op == "contains") return expr + like;
    return "(" + expr + " IS NULL OR NOT (" + expr + like + "))";
  }
  return Invalid("operator " + op + " does not apply to a String column (" + f.column + ")");
}

// `exists` for a positive operator, NOT `exists` for a negative one.
std::string Exists(bool negate, const std::string& subquery) {
  return std::string(negate ? "NOT " : "") + "EXISTS (" + subquery + ")";
}

// "t.id IN <the set>" with the set bound as one parameter.
std::string IdSet(SqlDialect dialect, const std::vector<Id>& ids, Params& p) {
  std::string list;
  for (Id id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  if (IsPostgres(dialect)) return "t.id = ANY(CAST(" + p.Text("{" + list + "}") + " AS BIGINT[]))";
  return "t.id IN (SELECT value FROM json_each(" + p.Text("[" + list + "]") + "))";
}

Result<std::string> FilterCondition(SqlDialect dialect, const TaskFilter& f, Params& p) {
  const std::string& c = f.column;
  const std::string& op = f.op;
  if (c == "id" && (op == "id_in" || op == "id_not_in")) {
    return std::string(op == "id_not_in" ? "NOT " : "") + "(" + IdSet(dialect, f.ids, p) + ")";
  }
  if (c == "completed_at" && op == "empty") {
    // Same rows as testing the subquery for NULL (total_annotations counts
    // the non-cancelled annotations), without a lookup per task.
    return std::string(f.empty ? "t.total_annotations = 0" : "t.total_annotations > 0");
  }
  std::string expr;
  bool counter = false;
  if (NumericColumn(c, &expr, &counter)) return NumberCondition(expr, f, counter, p);
  if (c.starts_with("data.")) {
    std::vector<std::string> keys = DataPath(c);
    if (keys.empty()) return Invalid("column " + c + ": data keys may hold only A-Z a-z 0-9 _ -");
    if (f.numeric) return NumberCondition(DataNumber(dialect, keys, p), f, false, p);
    return TextCondition(dialect, DataText(dialect, keys, p), f, p);
  }
  bool negative = op == "not_equal" || op == "not_contains" || op == "not_in";
  if (c == "annotators") {
    if (op == "empty") {
      return Exists(f.empty, "SELECT 1 FROM annotations a WHERE a.task_id = t.id AND "
                             "a.completed_by IS NOT NULL");
    }
    if (op != "contains" && op != "not_contains" && op != "equal" && op != "not_equal") {
      return Invalid("operator " + op + " does not apply to column annotators");
    }
    if (!(f.number >= 1 && f.number < 0x1p63)) {  // the cast below must not overflow
      return Invalid("column annotators takes a user id; got " + std::to_string(f.number));
    }
    return Exists(negative, "SELECT 1 FROM annotations a WHERE a.task_id = t.id AND "
                            "a.completed_by = " + p.Int(static_cast<int64_t>(f.number)));
  }
  if (c == "annotations_results") {
    if (op == "empty") {
      return Exists(f.empty, "SELECT 1 FROM annotations a WHERE a.task_id = t.id AND "
                             "NOT a.was_cancelled AND a.result <> '[]'");
    }
    if (op != "contains" && op != "not_contains" && op != "equal" && op != "not_equal") {
      return Invalid("operator " + op + " does not apply to column annotations_results");
    }
    // The value as a JSON string ("Cat" with its quotes): a whole label or
    // choice, not a piece of one.
    std::string quoted = "\"";
    for (char ch : f.text) {
      if (ch == '"' || ch == '\\') quoted += '\\';
      quoted += ch;
    }
    quoted += "\"";
    return Exists(negative, "SELECT 1 FROM annotations a WHERE a.task_id = t.id AND "
                            "NOT a.was_cancelled AND a.result" + Like(dialect) +
                                p.Text("%" + EscapeLike(quoted) + "%") + " ESCAPE '\\'");
  }
  if (c == "guideline_version") {
    std::string base = "SELECT 1 FROM annotations a WHERE a.task_id = t.id AND ";
    if (op == "empty") return Exists(f.empty, base + "a.guideline_version > 0");
    if (op == "in" || op == "not_in") {
      return Exists(negative, base + "a.guideline_version BETWEEN " + p.Double(f.min) + " AND " +
                                  p.Double(f.max));
    }
    const char* cmp = op == "equal" || op == "not_equal" ? " = "
                      : op == "less"                     ? " < "
                      : op == "greater"                  ? " > "
                      : op == "less_or_equal"            ? " <= "
                      : op == "greater_or_equal"         ? " >= "
                                                         : nullptr;
    if (cmp == nullptr) return Invalid("operator " + op + " does not apply to column guideline_version");
    return Exists(negative, base + "a.guideline_version" + cmp + p.Double(f.number));
  }
  if (c == "prefilter_flag") {
    if (op == "empty") return Exists(f.empty, "SELECT 1 FROM task_flags f WHERE f.task_id = t.id");
    if (op != "contains" && op != "not_contains" && op != "equal" && op != "not_equal") {
      return Invalid("operator " + op + " does not apply to column prefilter_flag");
    }
    return Exists(negative,
                  "SELECT 1 FROM task_flags f WHERE f.task_id = t.id AND f.reason = " + p.Text(f.text));
  }
  if (c == "ground_truth") {
    if (op != "equal" && op != "not_equal") {
      return Invalid("operator " + op + " does not apply to column ground_truth");
    }
    bool want = (f.number != 0) == (op == "equal");
    return Exists(!want, "SELECT 1 FROM annotations a WHERE a.task_id = t.id AND a.ground_truth");
  }
  if (c == "status") {
    if ((op != "equal" && op != "not_equal") || (f.text != "labeled" && f.text != "unlabeled")) {
      return Invalid("column status takes equal/not_equal with labeled or unlabeled");
    }
    bool labeled = (f.text == "labeled") == (op == "equal");
    return std::string(labeled ? "t.is_labeled" : "NOT t.is_labeled");
  }
  return Invalid("unknown filter column " + c);
}

// ORDER BY terms for one key ("-" prefix: descending).
Result<std::string> OrderTerms(SqlDialect dialect, const std::string& order, Params& p) {
  if (order.empty() || order == "id") return std::string("t.id");
  if (order == "-id") return std::string("t.id DESC");
  bool desc = order.starts_with("-");
  std::string column = desc ? order.substr(1) : order;
  std::string dir = desc ? " DESC NULLS LAST" : " NULLS LAST";
  std::string expr;
  bool counter = false;
  if (column == "updated_at") return "t.updated_at" + std::string(desc ? " DESC" : "") + ", t.id";
  if (NumericColumn(column, &expr, &counter)) return expr + dir + ", t.id";
  if (column.starts_with("data.")) {
    std::vector<std::string> keys = DataPath(column);
    if (keys.empty()) return Invalid("ordering " + order + ": data keys may hold only A-Z a-z 0-9 _ -");
    // Numbers by value first, then the other values as text.
    std::string number = DataNumber(dialect, keys, p);
    std::string text = DataText(dialect, keys, p);
    return number + dir + ", " + text + dir + ", t.id";
  }
  if (column == "ground_truth") return std::string(kGroundTruth) + (desc ? " DESC" : "") + ", t.id";
  if (column == "prefilter_flag") return std::string(kFlagReason) + dir + ", t.id";
  if (column == "guideline_version") {
    return "(SELECT MAX(a.guideline_version) FROM annotations a WHERE a.task_id = t.id)" + dir +
           ", t.id";
  }
  return Invalid("unknown task ordering \"" + order + "\"");
}

}  // namespace

Result<TaskQuerySql> BuildTaskQuerySql(const TaskQuery& query, SqlDialect dialect, int first_param) {
  Params p(first_param);
  TaskQuerySql out;
  if (query.status == "labeled") {
    out.where += " AND t.is_labeled";
  } else if (query.status == "unlabeled") {
    out.where += " AND NOT t.is_labeled";
  } else if (!query.status.empty()) {
    return Status::FieldInvalid("status", "unknown task status filter \"" + query.status +
                                              "\"; expected \"labeled\" or \"unlabeled\"");
  }
  if (!query.filters.empty()) {
    std::string joined;
    for (const TaskFilter& f : query.filters) {
      TESSERA_ASSIGN_OR_RETURN(std::string condition, FilterCondition(dialect, f, p));
      if (!joined.empty()) joined += query.filters_any ? " OR " : " AND ";
      joined += "(" + condition + ")";
    }
    out.where += " AND (" + joined + ")";
  }
  std::string search = SearchQueryText(query.search, dialect);
  if (!search.empty()) {
    if (IsPostgres(dialect)) {
      out.where += " AND to_tsvector('simple', CAST(t.data AS JSONB)) @@ to_tsquery('simple', " +
                   p.Text(search) + ")";
    } else {
      out.where += " AND t.id IN (SELECT rowid FROM task_search WHERE task_search MATCH " +
                   p.Text(search) + ")";
    }
  }
  if (query.only_ids) out.where += " AND " + IdSet(dialect, *query.only_ids, p);
  out.args = p.Take();
  // The ORDER BY's values come after the conditions' (a COUNT binds only those).
  Params order_params(first_param + static_cast<int>(out.args.size()));
  TESSERA_ASSIGN_OR_RETURN(out.order_by, OrderTerms(dialect, query.order, order_params));
  out.order_args = order_params.Take();
  return out;
}

std::string SearchQueryText(const std::string& search, SqlDialect dialect) {
  // Words: runs of ASCII letters and digits and of non-ASCII bytes (UTF-8
  // letters), as both engines' tokenizers see them; at most 16.
  std::vector<std::string> words;
  std::string word;
  for (size_t pos = 0; pos <= search.size(); ++pos) {
    unsigned char ch = pos < search.size() ? static_cast<unsigned char>(search[pos]) : ' ';
    if (std::isalnum(ch) || ch >= 0x80) {
      word += static_cast<char>(std::tolower(ch));
    } else if (!word.empty()) {
      if (words.size() < 16) words.push_back(word);
      word.clear();
    }
  }
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    bool last = i + 1 == words.size();
    if (IsPostgres(dialect)) {
      out += (i ? " & '" : "'") + words[i] + "'" + (last ? ":*" : "");
    } else {
      out += (i ? " \"" : "\"") + words[i] + "\"" + (last ? "*" : "");
    }
  }
  return out;
}

const std::string& TaskColumnsSql(SqlDialect dialect) {
  auto build = [](SqlDialect d) {
    std::string agg_users = IsPostgres(d)
                                ? "string_agg(DISTINCT CAST(a.completed_by AS TEXT), ',')"
                                : "group_concat(DISTINCT a.completed_by)";
    std::string agg_versions = IsPostgres(d)
                                   ? "string_agg(DISTINCT CAST(a.guideline_version AS TEXT), ',')"
                                   : "group_concat(DISTINCT a.guideline_version)";
    Params p(1);
    std::string ids = IdSet(d, {}, p);  // the SQL of an id set bound as ?1
    return std::string("SELECT t.id, ") + kCompletedAt + ", " + kPredictionsScore + ", " +
           kReviewsAccepted + ", " + kReviewsRejected + ", " + kGroundTruth + ", " + kFlagReason +
           ", (SELECT " + agg_users +
           " FROM annotations a WHERE a.task_id = t.id AND a.completed_by IS NOT NULL)"
           ", (SELECT " + agg_versions +
           " FROM annotations a WHERE a.task_id = t.id AND a.guideline_version > 0)"
           " FROM tasks t WHERE " + ids;
  };
  static const std::string kSqlite = build(SqlDialect::kSqlite);
  static const std::string kPostgres = build(SqlDialect::kPostgres);
  return IsPostgres(dialect) ? kPostgres : kSqlite;
}

std::string IdSetText(SqlDialect dialect, std::span<const Id> ids) {
  std::string list;
  for (Id id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  return IsPostgres(dialect) ? "{" + list + "}" : "[" + list + "]";
}

std::vector<int64_t> ParseIdList(const std::string& text) {
  std::vector<int64_t> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string part = text.substr(pos, comma - pos);
    if (!part.empty()) out.push_back(std::stoll(part));
    pos = comma + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

const std::vector<std::string>& TaskActionSql(TaskAction action) {
  // The newest non-cancelled annotation of the task.
  static const std::string kLatest =
      "(SELECT a.id FROM annotations a WHERE a.task_id = ?2 AND a.project_id = ?1 "
      "AND NOT a.was_cancelled ORDER BY a.created_at DESC, a.id DESC LIMIT 1)";
  static const std::vector<std::string> kDeleteTasks = {
      "DELETE FROM tasks WHERE id = ?2 AND project_id = ?1"};
  static const std::vector<std::string> kDeleteAnnotations = {
      "DELETE FROM annotations WHERE task_id = ?2 AND project_id = ?1"};
  static const std::vector<std::string> kDeletePredictions = {
      "DELETE FROM predictions WHERE task_id = ?2 AND project_id = ?1"};
  static const std::vector<std::string> kMark = {
      "UPDATE annotations SET ground_truth = TRUE WHERE NOT ground_truth AND id = " + kLatest};
  static const std::vector<std::string> kUnmark = {
      "UPDATE annotations SET ground_truth = FALSE WHERE task_id = ?2 AND project_id = ?1 "
      "AND ground_truth"};
  static const std::vector<std::string> kReview = {
      "UPDATE annotations SET review_state = 'pending' WHERE review_state <> 'pending' AND id = " +
      kLatest};
  static const std::vector<std::string> kRequeue = {
      "DELETE FROM task_locks WHERE task_id = ?2 AND project_id = ?1",
      "DELETE FROM annotations WHERE task_id = ?2 AND project_id = ?1 AND was_cancelled"};
  switch (action) {
    case TaskAction::kDeleteTasks: return kDeleteTasks;
    case TaskAction::kDeleteAnnotations: return kDeleteAnnotations;
    case TaskAction::kDeletePredictions: return kDeletePredictions;
    case TaskAction::kMarkGroundTruth: return kMark;
    case TaskAction::kUnmarkGroundTruth: return kUnmark;
    case TaskAction::kSendToReview: return kReview;
    case TaskAction::kRequeue: return kRequeue;
  }
  return kDeleteTasks;  // unreachable
}

}  // namespace tessera
