#include "server/api/dm_query.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "server/app.h"
#include "server/quality_cache.h"

// GCC 12 at -O2 reports false -Warray-bounds / -Wstringop-overflow errors on
// std::string building once inlined (GCC bugs 105329 and 105651; see selection.cc).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

namespace tessera::server {

using nlohmann::json;

namespace {

enum class ColType { kNumber, kDatetime, kString, kList, kBoolean };

const char* TypeName(ColType t) {
  switch (t) {
    case ColType::kNumber: return "Number";
    case ColType::kDatetime: return "Datetime";
    case ColType::kString: return "String";
    case ColType::kList: return "List";
    case ColType::kBoolean: return "Boolean";
  }
  return "";
}

const std::vector<std::string>& NumberOps() {
  static const std::vector<std::string> kOps = {"equal", "not_equal", "less", "greater",
                                                "less_or_equal", "greater_or_equal", "in",
                                                "not_in", "empty"};
  return kOps;
}

struct ColumnSpec {
  std::string name;
  ColType type;
  std::vector<std::string> ops;
  bool orderable;
};

const std::vector<ColumnSpec>& Columns() {
  static const std::vector<ColumnSpec> kColumns = {
      {"id", ColType::kNumber, NumberOps(), true},
      {"completed_at", ColType::kDatetime, NumberOps(), true},
      {"total_annotations", ColType::kNumber, NumberOps(), true},
      {"cancelled_annotations", ColType::kNumber, NumberOps(), true},
      {"total_predictions", ColType::kNumber, NumberOps(), true},
      {"annotators", ColType::kList, {"contains", "not_contains", "empty"}, false},
      {"annotations_results", ColType::kString, {"contains", "not_contains", "empty"}, false},
      {"agreement", ColType::kNumber, NumberOps(), true},
      {"predictions_score", ColType::kNumber, NumberOps(), true},
      {"guideline_version", ColType::kNumber, NumberOps(), true},
      {"prefilter_flag", ColType::kString, {"equal", "not_equal", "empty"}, true},
      {"ground_truth", ColType::kBoolean, {"equal", "not_equal"}, true},
      {"reviews_accepted", ColType::kNumber, NumberOps(), true},
      {"reviews_rejected", ColType::kNumber, NumberOps(), true},
      {"status", ColType::kString, {"equal", "not_equal"}, false},
  };
  return kColumns;
}

const char* const kFlagReasons[] = {"duplicate", "near_duplicate", "blurry", "unreadable", "empty"};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string ColumnNames(bool orderable_only) {
  std::string out;
  for (const ColumnSpec& c : Columns()) {
    if (orderable_only && !c.orderable) continue;
    out += c.name + ", ";
  }
  return out + "data.<key>";
}

bool ValidDataKey(const std::string& column) {
  if (column.size() <= 5) return false;
  bool segment_empty = true;
  for (size_t pos = 5; pos < column.size(); ++pos) {
    char c = column[pos];
    if (c == '.') {
      if (segment_empty) return false;
      segment_empty = true;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') {
      segment_empty = false;
    } else {
      return false;
    }
  }
  return !segment_empty;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "YYYY-MM-DD[(T| )HH:MM[:SS[.fff...]]][Z|+HH:MM|-HH:MM]" -> Unix ms.
std::optional<int64_t> ParseIsoMs(const std::string& s) {
  auto num = [&](size_t pos, size_t len, int* out) {
    if (pos + len > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!num(0, 4, &year) || s.size() < 10 || s[4] != '-' || !num(5, 2, &month) || s[7] != '-' ||
      !num(8, 2, &day) || month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  size_t pos = 10;
  double fraction = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    if (!num(pos + 1, 2, &hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !num(pos + 4, 2, &minute) || hour > 23 || minute > 59) {
      return std::nullopt;
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!num(pos + 1, 2, &second) || second > 60) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        double scale = 0.1;
        ++pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
          fraction += scale * (s[pos] - '0');
          scale /= 10;
          ++pos;
        }
      }
    }
  }
  int64_t offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      ++pos;
    } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
      int oh = 0, om = 0;
      if (!num(pos + 1, 2, &oh) || !num(pos + 4, 2, &om)) return std::nullopt;
      offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
      pos = s.size();
    } else {
      return std::nullopt;
    }
  }
  int64_t seconds = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
                        86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  return seconds * 1000 + static_cast<int64_t>(std::llround(fraction * 1000));
}

std::optional<double> NumberValue(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (*end == '\0' && std::isfinite(d)) return d;
  }
  return std::nullopt;
}

Status ItemError(size_t index, const std::string& message) {
  return Status::FieldInvalid("filters", "filters.items[" + std::to_string(index) + "]: " + message);
}

// One scalar value of a Number/Datetime item.
Result<double> ScalarValue(size_t index, ColType type, const json& v, const char* what) {
  if (type == ColType::kDatetime) {
    if (v.is_string()) {
      if (auto ms = ParseIsoMs(v.get<std::string>())) return static_cast<double>(*ms);
    }
    return ItemError(index, std::string(what) + " must be an ISO-8601 date-time string such as "
                                                "\"2024-05-01T12:00:00Z\"; got " + v.dump());
  }
  if (auto d = NumberValue(v)) return *d;
  return ItemError(index, std::string(what) + " must be a number; got " + v.dump());
}

Result<TaskFilter> ParseItem(size_t index, const json& item) {
  if (!item.is_object()) {
    return ItemError(index, "each item must be an object {\"filter\": \"filter:tasks:<column>\", "
                            "\"operator\", \"type\", \"value\"}");
  }
  auto filter = item.find("filter");
  if (filter == item.end() || !filter->is_string() ||
      !filter->get_ref<const std::string&>().starts_with("filter:tasks:")) {
    return ItemError(index, "\"filter\" must be \"filter:tasks:<column>\" with column one of: " +
                                ColumnNames(false));
  }
  TaskFilter f;
  f.column = filter->get<std::string>().substr(13);
  auto op = item.find("operator");
  if (op == item.end() || !op->is_string()) {
    return ItemError(index, "\"operator\" is required (a string)");
  }
  f.op = op->get<std::string>();
  std::string type = item.contains("type") && item["type"].is_string() ? item["type"].get<std::string>() : "";
  ColType col_type = ColType::kString;
  std::vector<std::string> ops;
  if (f.column.starts_with("data.")) {
    if (!ValidDataKey(f.column)) {
      return ItemError(index, "column '" + f.column +
                                  "': data keys may hold only letters, digits, _ and -, "
                                  "separated by dots (data.meta.source)");
    }
    f.numeric = type == "Number";
    col_type = f.numeric ? ColType::kNumber : ColType::kString;
    ops = f.numeric ? NumberOps()
                    : std::vector<std::string>{"equal", "not_equal", "contains", "not_contains", "empty"};
  } else {
    auto spec = std::find_if(Columns().begin(), Columns().end(),
                             [&](const ColumnSpec& c) { return c.name == f.column; });
    if (spec == Columns().end()) {
      return ItemError(index, "unknown column '" + f.column + "'; allowed: " + ColumnNames(false));
    }
    col_type = spec->type;
    ops = spec->ops;
    if (!type.empty() && type != TypeName(col_type)) {
      return ItemError(index, "column '" + f.column + "' has type " + TypeName(col_type) +
                                  ", not '" + type + "'");
    }
  }
  if (std::find(ops.begin(), ops.end(), f.op) == ops.end()) {
    return ItemError(index, "operator '" + f.op + "' does not apply to column '" + f.column + "' (" +
                                TypeName(col_type) + "); allowed: " + Join(ops));
  }
  auto value_it = item.find("value");
  json value = value_it == item.end() ? json() : *value_it;
  if (f.op == "empty") {
    if (value.is_boolean()) {
      f.empty = value.get<bool>();
    } else if (value.is_string() && (value == "true" || value == "false")) {
      f.empty = value == "true";
    } else {
      return ItemError(index, "operator 'empty' takes value true or false; got " + value.dump());
    }
    return f;
  }
  if (f.op == "in" || f.op == "not_in") {
    if (!value.is_object() || !value.contains("min") || !value.contains("max")) {
      return ItemError(index, "operator '" + f.op + "' takes value {\"min\": a, \"max\": b}; got " +
                                  value.dump());
    }
    TESSERA_ASSIGN_OR_RETURN(f.min, ScalarValue(index, col_type, value["min"], "value.min"));
    TESSERA_ASSIGN_OR_RETURN(f.max, ScalarValue(index, col_type, value["max"], "value.max"));
    return f;
  }
  switch (col_type) {
    case ColType::kNumber:
    case ColType::kDatetime: {
      TESSERA_ASSIGN_OR_RETURN(f.number, ScalarValue(index, col_type, value, "value"));
      return f;
    }
    case ColType::kList: {
      auto d = NumberValue(value);
      // Ids above 2^53 - 1 are not exact as doubles (and 1e300 is no id).
      if (!d || *d < 1 || *d > 9007199254740991.0 || std::floor(*d) != *d) {
        return ItemError(index, "column 'annotators' takes a user id as value; got " + value.dump());
      }
      f.number = *d;
      return f;
    }
    case ColType::kBoolean: {
      if (!value.is_boolean()) {
        return ItemError(index, "column '" + f.column + "' takes value true or false; got " +
                                    value.dump());
      }
      f.number = value.get<bool>() ? 1 : 0;
      return f;
    }
    case ColType::kString: {
      if (value.is_string()) {
        f.text = value.get<std::string>();
      } else if (value.is_number()) {
        f.text = value.dump();
      } else {
        return ItemError(index, "column '" + f.column + "' takes a string value; got " + value.dump());
      }
      if (f.column == "prefilter_flag" &&
          std::find(std::begin(kFlagReasons), std::end(kFlagReasons), f.text) == std::end(kFlagReasons)) {
        return ItemError(index, "prefilter_flag value '" + f.text +
                                    "' is not one of: duplicate, near_duplicate, blurry, unreadable, empty");
      }
      if (f.column == "status" && f.text != "labeled" && f.text != "unlabeled") {
        return ItemError(index, "status value '" + f.text + "' is not one of: labeled, unlabeled");
      }
      return f;
    }
  }
  return f;
}

// "tasks:data.x" / "-tasks:agreement" / "id" -> "data.x" / "-agreement" / "id".
Result<std::string> ParseOrdering(const std::string& raw) {
  std::string o = raw;
  bool desc = false;
  if (o.starts_with("-")) {
    desc = true;
    o = o.substr(1);
  }
  if (o.starts_with("tasks:")) o = o.substr(6);
  bool known = o == "updated_at";
  if (o.starts_with("data.")) {
    known = ValidDataKey(o);
  } else {
    for (const ColumnSpec& c : Columns()) known |= c.orderable && c.name == o;
  }
  if (!known) {
    return Status::FieldInvalid("ordering", "ordering '" + raw + "' is not a sortable column; use "
                                            "[-]tasks:<column> with column one of: updated_at, " +
                                                ColumnNames(true));
  }
  return (desc ? "-" : "") + o;
}

void ApplyOrdering(DmQuery* q, const std::string& order) {
  bool desc = order.starts_with("-");
  std::string column = desc ? order.substr(1) : order;
  if (column == "agreement") {
    q->order_by_agreement = true;
    q->agreement_descending = desc;
    q->task_query.order = "id";
  } else {
    q->order_by_agreement = false;
    q->task_query.order = order;
  }
}

Result<json> ParseJsonParam(const std::string& text, const char* name) {
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status::FieldInvalid(name, std::string(name) + " must be a JSON object "
                                      "{\"filters\": {\"conjunction\": \"and\", \"items\": [...]}, "
                                      "\"ordering\": [\"-tasks:id\"], \"search\": \"text\"}");
  }
  return parsed;
}

// The saved view's data, checked against the project.
Result<json> ViewData(RequestContext& ctx, Id project_id, Id view_id) {
  auto view = ctx.store().GetDmView(view_id);
  if (!view.ok() || view->project_id != project_id) {
    return Status::NotFound("view " + std::to_string(view_id) + " not found in project " +
                            std::to_string(project_id));
  }
  json data = json::parse(view->data, nullptr, false);
  if (!data.is_object()) data = json::object();
  return data;
}

}  // namespace

Result<DmQuery> ParseDmQuery(const json& query, Id project_id) {
  DmQuery out;
  out.task_query.project_id = project_id;
  if (!query.is_object()) return Status::FieldInvalid("query", "query must be a JSON object");
  if (auto filters = query.find("filters"); filters != query.end() && !filters->is_null()) {
    if (!filters->is_object()) {
      return Status::FieldInvalid("filters", "filters must be {\"conjunction\": \"and\"|\"or\", "
                                             "\"items\": [...]}");
    }
    if (auto conj = filters->find("conjunction"); conj != filters->end()) {
      if (*conj != "and" && *conj != "or") {
        return Status::FieldInvalid("filters", "filters.conjunction must be \"and\" or \"or\"; got " +
                                                   conj->dump());
      }
      out.task_query.filters_any = *conj == "or";
    }
    if (auto items = filters->find("items"); items != filters->end()) {
      if (!items->is_array()) return Status::FieldInvalid("filters", "filters.items must be a list");
      if (items->size() > 100) {
        return Status::FieldInvalid("filters", "filters.items may hold at most 100 items");
      }
      for (size_t index = 0; index < items->size(); ++index) {
        TESSERA_ASSIGN_OR_RETURN(TaskFilter f, ParseItem(index, (*items)[index]));
        out.task_query.filters.push_back(std::move(f));
      }
    }
  }
  if (auto ordering = query.find("ordering"); ordering != query.end() && !ordering->is_null()) {
    std::string first;
    if (ordering->is_string()) {
      first = ordering->get<std::string>();
    } else if (ordering->is_array() && (ordering->empty() || (*ordering)[0].is_string())) {
      if (!ordering->empty()) first = (*ordering)[0].get<std::string>();
    } else {
      return Status::FieldInvalid("ordering", "ordering must be a list of column names such as "
                                              "[\"-tasks:data.score\"]");
    }
    if (!first.empty()) {
      TESSERA_ASSIGN_OR_RETURN(std::string order, ParseOrdering(first));
      ApplyOrdering(&out, order);
    }
  }
  if (auto search = query.find("search"); search != query.end() && !search->is_null()) {
    if (!search->is_string()) return Status::FieldInvalid("search", "search must be a string");
    out.task_query.search = search->get<std::string>();
    if (out.task_query.search.size() > 1000) {
      return Status::FieldInvalid("search", "search may be at most 1000 characters");
    }
  }
  return out;
}

Status ValidateViewData(const json& data) {
  if (!data.is_object()) {
    return Status::FieldInvalid("data", "data must be an object {\"title\", \"filters\", "
                                        "\"ordering\", \"hiddenColumns\", \"search\"}");
  }
  if (auto title = data.find("title"); title != data.end() && !title->is_string()) {
    return Status::FieldInvalid("data", "data.title must be a string");
  }
  return ParseDmQuery(data, 0).status();
}

Result<DmQuery> DmQueryFromRequest(RequestContext& ctx, Id project_id) {
  const HttpRequest& req = ctx.request();
  json merged = json::object();
  auto view = QueryInt(req, "view", 0, 0, INT64_MAX);
  if (!view.ok()) return view.status();
  if (*view > 0) {
    TESSERA_ASSIGN_OR_RETURN(json data, ViewData(ctx, project_id, *view));
    for (const char* key : {"filters", "ordering", "search"}) {
      if (data.contains(key)) merged[key] = data[key];
    }
  }
  if (auto raw = req.Query("query"); raw && !raw->empty()) {
    TESSERA_ASSIGN_OR_RETURN(json q, ParseJsonParam(*raw, "query"));
    for (const char* key : {"filters", "ordering", "search"}) {
      if (q.contains(key)) merged[key] = q[key];
    }
  }
  if (auto search = req.Query("search")) merged["search"] = *search;
  if (auto ordering = req.Query("ordering"); ordering && !ordering->empty()) {
    merged["ordering"] = json::array({*ordering});
  }
  TESSERA_ASSIGN_OR_RETURN(DmQuery q, ParseDmQuery(merged, project_id));
  if (auto status = req.Query("status")) {
    if (*status != "labeled" && *status != "unlabeled" && !status->empty()) {
      return Status::FieldInvalid("status", "status '" + *status + "' is not one of: labeled, unlabeled");
    }
    q.task_query.status = *status;
  }
  return q;
}

Result<DmQuery> DmQueryFromBody(RequestContext& ctx, Id project_id, const json& body) {
  json merged = json::object();
  auto view = QueryInt(ctx.request(), "view", 0, 0, INT64_MAX);
  if (!view.ok()) return view.status();
  if (*view > 0) {
    TESSERA_ASSIGN_OR_RETURN(json data, ViewData(ctx, project_id, *view));
    for (const char* key : {"filters", "ordering", "search"}) {
      if (data.contains(key)) merged[key] = data[key];
    }
  }
  for (const char* key : {"filters", "ordering", "search"}) {
    if (body.contains(key)) merged[key] = body[key];
  }
  return ParseDmQuery(merged, project_id);
}

Result<std::map<Id, double>> TaskAgreements(RequestContext& ctx, Id project_id) {
  TESSERA_ASSIGN_OR_RETURN(Project project, ctx.store().GetProject(project_id));
  std::map<Id, double> scores;
  TESSERA_RETURN_IF_ERROR(ctx.app().quality_cache().With(
      ctx.store(), project, AgreementOptions{}, [&](const QualitySnapshot& snap) -> Status {
        TESSERA_ASSIGN_OR_RETURN(AgreementReport report, snap.builder.Finish());
        for (const TaskAgreement& t : report.tasks) {
          if (t.score) scores[t.task_id] = *t.score * 100.0;
        }
        return Status::Ok();
      }));
  return scores;
}

Result<std::map<Id, double>> PageAgreements(RequestContext& ctx, Id project_id,
                                            const std::vector<Id>& task_ids) {
  std::map<Id, double> scores;
  if (task_ids.empty()) return scores;
  TESSERA_ASSIGN_OR_RETURN(Project project, ctx.store().GetProject(project_id));
  auto config = ParseLabelingConfig(project.label_config);
  if (!config.ok()) return scores;  // no usable config: no agreement
  AgreementBuilder builder(**config);
  TaskQuery q;
  q.project_id = project_id;
  q.only_ids = task_ids;
  TESSERA_RETURN_IF_ERROR(ctx.store().ForEachTaskBundle(q, [&](const TaskBundle& bundle) {
    builder.AddTask(bundle);
    return Status::Ok();
  }));
  TESSERA_ASSIGN_OR_RETURN(AgreementReport report, builder.Finish());
  for (const TaskAgreement& t : report.tasks) {
    if (t.score) scores[t.task_id] = *t.score * 100.0;
  }
  return scores;
}

bool UsesAgreement(const DmQuery& query) {
  bool uses = query.order_by_agreement;
  for (const TaskFilter& f : query.task_query.filters) uses |= f.column == "agreement";
  return uses;
}

Status ResolveDmQuery(RequestContext& ctx, DmQuery* query,
                      std::optional<std::map<Id, double>>* agreements) {
  if (!UsesAgreement(*query)) return Status::Ok();
  if (!agreements->has_value()) {
    auto scores = TaskAgreements(ctx, query->task_query.project_id);
    if (!scores.ok()) {
      // A project whose labeling config does not parse has no agreement.
      if (scores.status().code() != Code::kFailedPrecondition) return scores.status();
      *agreements = std::map<Id, double>();
    } else {
      *agreements = std::move(*scores);
    }
  }
  const std::map<Id, double>& scores = **agreements;
  for (TaskFilter& f : query->task_query.filters) {
    if (f.column != "agreement") continue;
    std::vector<Id> ids;
    std::string op = "id_in";
    if (f.op == "empty") {
      for (const auto& [task_id, score] : scores) ids.push_back(task_id);
      op = f.empty ? "id_not_in" : "id_in";
    } else {
      for (const auto& [task_id, score] : scores) {
        bool keep = f.op == "equal"              ? std::fabs(score - f.number) < 1e-9
                    : f.op == "not_equal"        ? std::fabs(score - f.number) >= 1e-9
                    : f.op == "less"             ? score < f.number
                    : f.op == "greater"          ? score > f.number
                    : f.op == "less_or_equal"    ? score <= f.number
                    : f.op == "greater_or_equal" ? score >= f.number
                    : f.op == "in"               ? score >= f.min && score <= f.max
                    : f.op == "not_in"           ? score < f.min || score > f.max
                                                 : false;
        if (keep) ids.push_back(task_id);
      }
    }
    f.column = "id";
    f.op = op;
    f.ids = std::move(ids);
  }
  return Status::Ok();
}

Result<std::vector<Id>> MatchingTaskIds(RequestContext& ctx, DmQuery& query,
                                        std::optional<std::map<Id, double>>* agreements) {
  TESSERA_RETURN_IF_ERROR(ResolveDmQuery(ctx, &query, agreements));
  TaskQuery q = query.task_query;
  q.offset = 0;
  q.limit = 0;
  TESSERA_ASSIGN_OR_RETURN(std::vector<Id> ids, ctx.store().ListTaskIds(q));
  if (query.order_by_agreement && agreements->has_value()) {
    const std::map<Id, double>& scores = **agreements;
    bool desc = query.agreement_descending;
    std::stable_sort(ids.begin(), ids.end(), [&](Id a, Id b) {
      auto sa = scores.find(a), sb = scores.find(b);
      bool has_a = sa != scores.end(), has_b = sb != scores.end();
      if (has_a != has_b) return has_a;  // tasks without agreement last
      if (!has_a) return false;
      return desc ? sa->second > sb->second : sa->second < sb->second;
    });
  }
  return ids;
}

}  // namespace tessera::server
