// Label Studio JSON / JSONL export, streamed task by task.
//
// Each task is written straight into a text buffer in the shape (and key
// order) of Label Studio's export serializer, as ExportTaskJson below builds
// it. The stored JSON texts (task data and meta, results) are spliced in as
// they are, after simdjson has checked that they are valid JSON (a text that
// is not becomes null, as before); building a JSON tree of every task and
// printing it again cost about 90% of the export's time. The store is read
// on a second thread (bundle_read_ahead.h) while this one writes.
#include <simdjson.h>

#include <charconv>
#include <unordered_map>

#include "src/formats/bundle_read_ahead.h"
#include "tessera/export.h"
#include "tessera/ls_json.h"
#include "tessera/util.h"

namespace tessera {
namespace {

using nlohmann::json;

// Looks users up once each, for "completed_by".
class AuthorCache {
 public:
  explicit AuthorCache(Store& store) : store_(store) {}

  json Get(Id user_id) {
    if (user_id <= 0) return nullptr;
    auto found = cache_.find(user_id);
    if (found != cache_.end()) return found->second;
    json author = {{"id", user_id}, {"email", ""}, {"first_name", ""}, {"last_name", ""}};
    auto user = store_.GetUser(user_id);
    if (user.ok()) {
      author["email"] = user->email;
      author["first_name"] = user->first_name;
      author["last_name"] = user->last_name;
    }
    cache_.emplace(user_id, author);
    return author;
  }
  // The same, printed once.
  const std::string& Text(Id user_id) {
    auto found = text_.find(user_id);
    if (found != text_.end()) return found->second;
    return text_.emplace(user_id, Get(user_id).dump(-1, ' ', false, json::error_handler_t::replace))
        .first->second;
  }

 private:
  Store& store_;
  std::unordered_map<Id, json> cache_;
  std::unordered_map<Id, std::string> text_;
};

// The task as Label Studio's export serializer prints it, as a JSON tree
// (the reference for the fast writer below; the tests compare the two).
json ExportTaskJson(const TaskBundle& bundle, AuthorCache& authors) {
  json task = TaskBundleToJson(bundle);
  task.erase("overlap");
  task.erase("is_labeled");
  task["drafts"] = json::array();
  json& annotations = task["annotations"];
  for (size_t ann_idx = 0; ann_idx < annotations.size(); ++ann_idx) {
    json& annotation = annotations[ann_idx];
    annotation.erase("created_username");
    annotation["completed_by"] = authors.Get(bundle.annotations[ann_idx].completed_by);
    annotation["prediction"] = json::object();
    annotation["result_count"] =
        annotation["result"].is_array() ? annotation["result"].size() : size_t{0};
  }
  return task;
}

// Appends values in nlohmann's compact format, so that both writers agree
// byte for byte on everything that is not a spliced stored text.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void Int(int64_t v) {
    char buf[24];
    out_.append(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
  }
  void Bool(bool v) { out_ += v ? "true" : "false"; }
  void Null() { out_ += "null"; }
  void Double(double v) { out_ += json(v).dump(); }
  void IdOrNull(Id id) { id > 0 ? Int(id) : Null(); }
  void OptionalId(const std::optional<Id>& id) { id ? Int(*id) : Null(); }
  void TimeOrNull(TimeMs ms) {
    if (ms <= 0) return Null();
    out_ += '"';
    AppendIsoTime(out_, ms);  // digits and punctuation only: nothing to escape
    out_ += '"';
  }
  void String(std::string_view s) {
    bool plain = true;
    for (unsigned char c : s) plain &= c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
    if (plain) {
      out_ += '"';
      out_ += s;
      out_ += '"';
    } else {
      out_ += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }
  void Raw(std::string_view s) { out_ += s; }
  // A stored JSON text; null when it is not valid JSON. Returns the number of
  // elements when it is an array, else 0.
  size_t Stored(const std::string& text) {
    simdjson::dom::element root;
    // Parsed in place when the text has SIMDJSON_PADDING spare bytes after
    // it (ReadAheadOptions::json_padding), else from a padded copy.
    if (text.empty() || parser_.parse(text).get(root) != simdjson::SUCCESS) {
      Null();
      return 0;
    }
    // Raw line breaks can only be whitespace between tokens (inside strings
    // they are escaped); JSONL needs the task on one line.
    if (text.find('\n') == std::string::npos && text.find('\r') == std::string::npos) {
      out_ += text;
    } else {
      size_t at = out_.size();
      out_.resize(at + text.size());
      size_t len = 0;
      if (simdjson::minify(text.data(), text.size(), out_.data() + at, len) != simdjson::SUCCESS) {
        out_.resize(at);
        Null();
        return 0;
      }
      out_.resize(at + len);
    }
    simdjson::dom::array array;
    return root.get_array().get(array) == simdjson::SUCCESS ? array.size() : 0;
  }

 private:
  std::string& out_;
  static thread_local simdjson::dom::parser parser_;
};

thread_local simdjson::dom::parser Writer::parser_;

// Keys in sorted order, as nlohmann's std::map prints them. Each key and the
// constant values around it are one literal: one append instead of several.
void WriteAnnotation(Writer& w, const Annotation& a, AuthorCache& authors) {
  w.Raw("{\"bulk_created\":false,\"completed_by\":"), w.Raw(authors.Text(a.completed_by));
  w.Raw(",\"created_at\":"), w.TimeOrNull(a.created_at);
  w.Raw(",\"draft_created_at\":null,\"ground_truth\":"), w.Bool(a.ground_truth);
  w.Raw(",\"guideline_version\":"), a.guideline_version > 0 ? w.Int(a.guideline_version) : w.Null();
  w.Raw(",\"id\":"), w.Int(a.id);
  w.Raw(",\"import_id\":null,\"last_action\":"), a.last_action.empty() ? w.Null() : w.String(a.last_action);
  w.Raw(",\"last_created_by\":null,\"lead_time\":"), w.Double(a.lead_time);
  w.Raw(",\"parent_annotation\":"), w.OptionalId(a.parent_annotation);
  w.Raw(",\"parent_prediction\":"), w.OptionalId(a.parent_prediction);
  w.Raw(",\"prediction\":{},\"project\":"), w.Int(a.project_id);
  w.Raw(",\"result\":");
  size_t count = w.Stored(a.result);
  w.Raw(",\"result_count\":"), w.Int(static_cast<int64_t>(count));
  w.Raw(",\"task\":"), w.Int(a.task_id);
  w.Raw(",\"updated_at\":"), w.TimeOrNull(a.updated_at);
  w.Raw(",\"updated_by\":"), w.IdOrNull(a.updated_by);
  w.Raw(",\"version\":"), w.Int(a.version);
  w.Raw(",\"was_cancelled\":"), w.Bool(a.was_cancelled);
  w.Raw("}");
}

void WritePrediction(Writer& w, const Prediction& p) {
  w.Raw("{\"cluster\":null,\"created_at\":"), w.TimeOrNull(p.created_at);
  w.Raw(",\"id\":"), w.Int(p.id);
  w.Raw(",\"mislabeling\":"), w.Double(0.0);
  w.Raw(",\"model\":null,\"model_run\":null,\"model_version\":"), w.String(p.model_version);
  w.Raw(",\"neighbors\":null,\"project\":"), w.Int(p.project_id);
  w.Raw(",\"result\":"), w.Stored(p.result);
  w.Raw(",\"score\":"), p.score ? w.Double(*p.score) : w.Null();
  w.Raw(",\"task\":"), w.Int(p.task_id);
  w.Raw(",\"updated_at\":"), w.TimeOrNull(p.updated_at);
  w.Raw("}");
}

void WriteTask(Writer& w, const TaskBundle& bundle, AuthorCache& authors) {
  const Task& t = bundle.task;
  w.Raw("{\"annotations\":[");
  for (size_t i = 0; i < bundle.annotations.size(); ++i) {
    if (i > 0) w.Raw(",");
    WriteAnnotation(w, bundle.annotations[i], authors);
  }
  w.Raw("],\"cancelled_annotations\":"), w.Int(t.cancelled_annotations);
  w.Raw(",\"comment_authors\":[],\"comment_count\":0,\"created_at\":"), w.TimeOrNull(t.created_at);
  w.Raw(",\"data\":"), w.Stored(t.data);
  w.Raw(",\"drafts\":[],\"file_upload\":null,\"id\":"), w.Int(t.id);
  w.Raw(",\"inner_id\":"), w.Int(t.inner_id);
  w.Raw(",\"last_comment_updated_at\":null,\"meta\":"), w.Stored(t.meta);
  w.Raw(",\"predictions\":[");
  for (size_t i = 0; i < bundle.predictions.size(); ++i) {
    if (i > 0) w.Raw(",");
    WritePrediction(w, bundle.predictions[i]);
  }
  w.Raw("],\"project\":"), w.Int(t.project_id);
  w.Raw(",\"total_annotations\":"), w.Int(t.total_annotations);
  w.Raw(",\"total_predictions\":"), w.Int(t.total_predictions);
  w.Raw(",\"unresolved_comment_count\":0,\"updated_at\":"), w.TimeOrNull(t.updated_at);
  w.Raw(",\"updated_by\":null}");
}

}  // namespace

std::string ExportTaskText(Store& store, const TaskBundle& bundle, bool reference) {
  AuthorCache authors(store);
  if (reference) return ExportTaskJson(bundle, authors).dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  Writer w(out);
  WriteTask(w, bundle, authors);
  return out;
}

// The text buffer goes to `out` in pieces of about this size.
constexpr size_t kFlushBytes = size_t{1} << 18;

Status ExportLsJson(Store& store, Id project_id, std::ostream& out, const ExportOptions& options) {
  AuthorCache authors(store);
  TaskQuery query;
  query.project_id = project_id;
  query.limit = 1000;  // page size for the store's paging
  query.only_ids = options.task_ids;
  int64_t written = 0;
  const bool as_array = options.format == ExportFormat::kJson;
  if (as_array) out << '[';
  std::string buffer;
  Writer w(buffer);
  formats::ReadAheadOptions read_ahead;
  read_ahead.skip_unannotated = !options.download_all_tasks;
  read_ahead.json_padding = simdjson::SIMDJSON_PADDING;
  Status st = formats::ForEachTaskBundleReadAhead(store, query, read_ahead, [&](const TaskBundle& bundle) -> Status {
    if (as_array && written > 0) buffer += ',';
    if (as_array) buffer += '\n';
    WriteTask(w, bundle, authors);
    if (!as_array) buffer += '\n';
    ++written;
    if (buffer.size() >= kFlushBytes) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
    if (!out) return Status::IOError("writing the export failed (disk full or connection closed?)");
    if (options.progress && options.progress_every > 0 && written % options.progress_every == 0) {
      options.progress(written);
    }
    return Status::Ok();
  });
  TESSERA_RETURN_IF_ERROR(st);
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  if (as_array) out << (written > 0 ? "\n]\n" : "]\n");
  out.flush();
  if (!out) return Status::IOError("writing the export failed (disk full or connection closed?)");
  if (options.progress) options.progress(written);
  return Status::Ok();
}

}  // namespace tessera
