// Label Studio's JSON_MIN, CSV and TSV exports (label-studio-converter's
// convert_to_json_min / convert_to_csv): one record per annotation with
//   the task's data fields, "id" (task id), one field per control tag that
//   the annotation has results for, "annotator" (the author's email, else
//   their id), "annotation_id", "created_at", "updated_at", "lead_time".
// A control's field holds its results' values (each with original_width /
// original_height when the result has them): a Choices result with one
// choice is the choice itself ("Positive"), with several {"choices": [...]};
// a TextArea result with one text is that text; a lone Choices/TextArea
// result is the value itself, anything else (regions) a list of values.
// A task's annotations are written newest first; cancelled ones never. A task
// without annotations, exported with download_all_tasks, gets one record with
// null annotation fields. With annotations=consensus a task has one record,
// the merged annotation's, whose annotator and annotation_id are null.
//
// CSV/TSV: a cell holds a string as is and anything else as compact JSON;
// fields are quoted per RFC 4180 (when they hold the separator, a quote, CR
// or LF; quotes doubled), CSV lines end in CRLF, TSV lines in LF. The header
// is the data fields in first-seen order, "id", every named control in config
// order, then the annotation fields; rows are spilled to a temporary file
// while the header is gathered, so memory stays constant.
#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "src/formats/dataset_io.h"
#include "src/formats/selection.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

using ojson = nlohmann::ordered_json;

class Annotators {
 public:
  explicit Annotators(Store& store) : store_(store) {}
  // Email when known, else the id (a number for JSON_MIN, text for CSV); null for none.
  ojson Get(Id user_id, bool int_id) {
    if (user_id <= 0) return nullptr;
    auto found = emails_.find(user_id);
    if (found == emails_.end()) {
      auto user = store_.GetUser(user_id);
      found = emails_.emplace(user_id, user.ok() ? user->email : "").first;
    }
    if (!found->second.empty()) return found->second;
    return int_id ? ojson(user_id) : ojson(std::to_string(user_id));
  }

 private:
  Store& store_;
  std::unordered_map<Id, std::string> emails_;
};

ojson TimeOrNull(TimeMs ms) { return ms > 0 ? ojson(FormatIsoTime(ms)) : ojson(nullptr); }

// One control's results as the converter's _prettify prints them.
ojson Prettify(const ControlTag& control, std::vector<ojson>& values) {
  const bool choices = control.type == ControlType::kChoices;
  const bool textarea = control.type == ControlType::kTextArea;
  std::vector<ojson> out;
  for (ojson& value : values) {
    const char* key = choices ? "choices" : textarea ? "text" : nullptr;
    if (key && value.contains(key) && value[key].is_array() && value[key].size() == 1) {
      out.push_back(value[key][0]);
    } else {
      out.push_back(std::move(value));
    }
  }
  if ((choices || textarea) && out.size() == 1) return std::move(out[0]);
  return ojson(std::move(out));
}

// The task's records, newest annotation first.
std::vector<ojson> Records(const TaskBundle& bundle, const LabelingConfig& config, const DatasetExportOptions& options,
                           Annotators& annotators, bool int_id, int64_t* results, std::optional<Annotation>& consensus,
                           Tally& skipped) {
  std::vector<ojson> records;
  ojson data = ojson::parse(bundle.task.data, nullptr, false);
  if (!data.is_object()) data = ojson::object();
  std::vector<const Annotation*> annotations = SelectAnnotations(bundle, options.selection, consensus, skipped);
  if (annotations.empty()) {
    if (!bundle.annotations.empty() || !options.download_all_tasks) return records;
    ojson record = data;
    record["id"] = bundle.task.id;
    for (const char* key : {"annotator", "annotation_id", "created_at", "updated_at", "lead_time"}) {
      record[key] = nullptr;
    }
    records.push_back(std::move(record));
    return records;
  }
  std::stable_sort(annotations.begin(), annotations.end(),
                   [](const Annotation* a, const Annotation* b) { return a->created_at > b->created_at; });
  for (const Annotation* annotation : annotations) {
    ojson record = data;
    record["id"] = bundle.task.id;
    ojson result = ojson::parse(annotation->result, nullptr, false);
    std::vector<std::pair<const ControlTag*, std::vector<ojson>>> outputs;
    if (result.is_array()) {
      for (ojson& item : result) {
        if (!item.is_object() || !item.contains("from_name") || !item["from_name"].is_string()) continue;
        const ControlTag* control = config.FindControl(item["from_name"].get<std::string>());
        if (!control || !item.contains("value") || !item["value"].is_object()) continue;
        ojson value = std::move(item["value"]);
        for (const char* size_key : {"original_width", "original_height"}) {
          if (item.contains(size_key)) value[size_key] = item[size_key];
        }
        const std::string name = item["from_name"].get<std::string>();
        auto found = std::find_if(outputs.begin(), outputs.end(), [&](const auto& o) { return o.first->name == name; });
        if (found == outputs.end()) {
          outputs.push_back({control, {}});
          found = outputs.end() - 1;
        }
        found->second.push_back(std::move(value));
        ++*results;
      }
    }
    for (auto& [control, values] : outputs) record[control->name] = Prettify(*control, values);
    record["annotator"] = annotators.Get(annotation->completed_by, int_id);
    record["annotation_id"] = annotation->id ? ojson(annotation->id) : ojson(nullptr);  // 0: a consensus
    record["created_at"] = TimeOrNull(annotation->created_at);
    record["updated_at"] = TimeOrNull(annotation->updated_at);
    record["lead_time"] = annotation->lead_time;
    records.push_back(std::move(record));
  }
  return records;
}

std::string Dump(const ojson& value) { return value.dump(-1, ' ', false, ojson::error_handler_t::replace); }

std::string Cell(const ojson& value, char separator) {
  std::string text = value.is_null() ? "" : value.is_string() ? value.get<std::string>() : Dump(value);
  if (text.find_first_of(std::string{separator, '"', '\r', '\n'}) == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  return quoted + "\"";
}

// CSV/TSV rows wait in a spill file until every data column is known. Each
// row is one line of (column name, finished cell) pairs, so reading it back
// costs no JSON parsing: names and cells have '\\', '\n', '\x1e' and
// '\x1f' escaped with a backslash, a name ends with '\x1e' and a cell
// with '\x1f'.
void AppendEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\x1e': *out += "\\a"; break;
      case '\x1f': *out += "\\b"; break;
      default: out->push_back(c);
    }
  }
}

// Reads the pairs of one spilled row back; `fn(name, cell)` for each.
template <typename Fn>
void ForEachSpilledCell(std::string_view line, std::string* name, std::string* cell, Fn&& fn) {
  std::string* into = name;
  name->clear();
  cell->clear();
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size()) {
      char e = line[++i];
      into->push_back(e == 'n' ? '\n' : e == 'a' ? '\x1e' : e == 'b' ? '\x1f' : e);
    } else if (c == '\x1e') {
      into = cell;
    } else if (c == '\x1f') {
      fn(*name, *cell);
      name->clear();
      cell->clear();
      into = name;
    } else {
      into->push_back(c);
    }
  }
}

}  // namespace

Status ExportTabular(Store& store, Id project_id, const LabelingConfig& config, TabularKind kind, OutputSink& sink,
                     const DatasetExportOptions& options, DatasetExportReport* report) {
  Annotators annotators(store);
  SinkFile file(sink);
  const bool json_min = kind == TabularKind::kJsonMin;
  const char separator = kind == TabularKind::kTsv ? '\t' : ',';
  Spill rows;
  std::vector<std::string> data_columns;
  std::unordered_set<std::string> seen_columns;
  int64_t records_written = 0, results = 0;
  if (json_min) TESSERA_RETURN_IF_ERROR(file.Open("result.json"));
  if (json_min) TESSERA_RETURN_IF_ERROR(file.Write("["));
  TaskQuery query;
  query.project_id = project_id;
  query.only_ids = options.task_ids;
  std::string line;
  std::optional<Annotation> consensus;
  Tally skipped;
  Status s = store.ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
    std::vector<ojson> records =
        Records(bundle, config, options, annotators, json_min, &results, consensus, skipped);
    if (records.empty()) return Status::Ok();
    if (!json_min) {
      ojson task_data = ojson::parse(bundle.task.data, nullptr, false);
      if (task_data.is_object()) {
        for (const auto& [key, value] : task_data.items()) {
          if (seen_columns.insert(key).second) data_columns.push_back(key);
        }
      }
    }
    for (const ojson& record : records) {
      if (json_min) {
        TESSERA_RETURN_IF_ERROR(file.Write(records_written ? ",\n" : "\n"));
        TESSERA_RETURN_IF_ERROR(file.Write(Dump(record)));
      } else {
        line.clear();
        for (const auto& [key, value] : record.items()) {
          AppendEscaped(key, &line);
          line.push_back('\x1e');
          AppendEscaped(Cell(value, separator), &line);
          line.push_back('\x1f');
        }
        line.push_back('\n');
        TESSERA_RETURN_IF_ERROR(rows.Append(line));
      }
      ++records_written;
    }
    ++report->tasks;
    if (options.progress && options.progress_every > 0 && report->tasks % options.progress_every == 0) {
      options.progress(report->tasks);
    }
    return Status::Ok();
  });
  TESSERA_RETURN_IF_ERROR(s);
  report->regions = results;
  report->skipped = skipped.Sorted();
  if (json_min) {
    TESSERA_RETURN_IF_ERROR(file.Write(records_written ? "\n]\n" : "]\n"));
    TESSERA_RETURN_IF_ERROR(file.Close());
    return sink.Finish();
  }
  // Header: data fields, id, the controls, the annotation fields.
  std::vector<std::string> columns = data_columns;
  auto add = [&](const std::string& name) {
    if (!name.empty() && std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
  };
  add("id");
  for (const ControlTag& control : config.controls()) add(control.name);
  for (const char* key : {"annotator", "annotation_id", "created_at", "updated_at", "lead_time"}) add(key);
  const std::string line_end = kind == TabularKind::kCsv ? "\r\n" : "\n";
  TESSERA_RETURN_IF_ERROR(file.Open(kind == TabularKind::kCsv ? "result.csv" : "result.tsv"));
  std::string header;
  for (size_t col = 0; col < columns.size(); ++col) {
    if (col) header.push_back(separator);
    header += Cell(columns[col], separator);
  }
  TESSERA_RETURN_IF_ERROR(file.Write(header + line_end));
  // Rows back from the spill, their cells put in the columns' order.
  std::unordered_map<std::string, size_t> column_of;
  for (size_t col = 0; col < columns.size(); ++col) column_of.emplace(columns[col], col);
  std::vector<std::string> cells(columns.size());
  std::string name, cell, out;
  TESSERA_RETURN_IF_ERROR(rows.ForEachLine([&](std::string_view spilled) -> Status {
    for (std::string& c : cells) c.clear();
    ForEachSpilledCell(spilled, &name, &cell, [&](const std::string& n, const std::string& c) {
      auto found = column_of.find(n);
      if (found != column_of.end()) cells[found->second] = c;
    });
    out.clear();
    for (size_t col = 0; col < columns.size(); ++col) {
      if (col) out.push_back(separator);
      out += cells[col];
    }
    out += line_end;
    return file.Write(out);
  }));
  TESSERA_RETURN_IF_ERROR(file.Close());
  return sink.Finish();
}

}  // namespace tessera::formats
