// One import item -> NewTask, following Label Studio's task import rules, and
// the batcher that hands tasks to the sink.
#include <algorithm>
#include <cstdlib>

#include "src/formats/import_internal.h"

namespace tessera::import_internal {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr size_t kMaxColumns = 1000;

Status Invalid(std::string message) { return Status::InvalidArgument(std::move(message)); }

// Finds `key` in `obj`; false when absent.
bool Field(simdjson::dom::object obj, std::string_view key, element* out) {
  return obj.at_key(key).get(*out) == simdjson::SUCCESS;
}

Status ReadBool(simdjson::dom::object obj, std::string_view key, const std::string& what,
                bool* out) {
  element value;
  if (!Field(obj, key, &value) || value.is_null()) return Status::Ok();
  if (!value.is_bool()) {
    return Invalid(what + " \"" + std::string(key) + "\" must be true or false, got " +
                   DescribeType(value.type()));
  }
  *out = value.get_bool().value_unsafe();
  return Status::Ok();
}

bool AsDouble(element value, double* out) {
  switch (value.type()) {
    case element_type::INT64: *out = static_cast<double>(value.get_int64().value_unsafe()); return true;
    case element_type::UINT64: *out = static_cast<double>(value.get_uint64().value_unsafe()); return true;
    case element_type::DOUBLE: *out = value.get_double().value_unsafe(); return true;
    default: return false;
  }
}

// The "result" of an annotation or prediction: required, a JSON array.
Status ReadResult(simdjson::dom::object obj, const std::string& what, bool items_must_be_objects,
                  std::string* out) {
  element result;
  if (!Field(obj, "result", &result)) {
    return Invalid(what + " has no \"result\"; add \"result\": [...] (a list of regions)");
  }
  if (!result.is_array()) {
    return Invalid(what + " \"result\" must be a list of regions, got " +
                   DescribeType(result.type()) +
                   " (the shorthand of a bare label needs the labeling config; write the "
                   "full region objects instead)");
  }
  if (items_must_be_objects) {
    int64_t item_no = 0;
    simdjson::dom::array items = result.get_array().value_unsafe();
    for (element item : items) {
      ++item_no;
      if (!item.is_object()) {
        return Invalid(what + " \"result\" item " + std::to_string(item_no) +
                       " must be an object (a region), got " + DescribeType(item.type()));
      }
    }
  }
  *out = simdjson::minify(result);
  return Status::Ok();
}

Status ReadAnnotation(element item, const std::string& what, Annotation* annotation) {
  if (!item.is_object()) {
    return Invalid(what + " must be an object with a \"result\", got " +
                   DescribeType(item.type()));
  }
  simdjson::dom::object obj = item.get_object().value_unsafe();
  TESSERA_RETURN_IF_ERROR(ReadResult(obj, what, false, &annotation->result));
  TESSERA_RETURN_IF_ERROR(ReadBool(obj, "was_cancelled", what, &annotation->was_cancelled));
  annotation->ground_truth = true;  // Label Studio's default for imported annotations
  TESSERA_RETURN_IF_ERROR(ReadBool(obj, "ground_truth", what, &annotation->ground_truth));
  element value;
  if (Field(obj, "lead_time", &value) && !value.is_null() &&
      !AsDouble(value, &annotation->lead_time)) {
    return Invalid(what + " \"lead_time\" must be a number of seconds, got " +
                   DescribeType(value.type()));
  }
  if (Field(obj, "completed_by", &value)) {
    // An id, or (Label Studio's and our JSON export) an object with an "id".
    element id;
    if (value.is_object() && Field(value.get_object().value_unsafe(), "id", &id)) value = id;
    if (value.is_int64() && value.get_int64().value_unsafe() > 0) {
      annotation->completed_by = value.get_int64().value_unsafe();
    }
  }
  annotation->last_action = "imported";
  return Status::Ok();
}

Status ReadPrediction(element item, const std::string& what, Prediction* prediction) {
  if (!item.is_object()) {
    return Invalid(what + " must be an object with a \"result\", got " +
                   DescribeType(item.type()));
  }
  simdjson::dom::object obj = item.get_object().value_unsafe();
  TESSERA_RETURN_IF_ERROR(ReadResult(obj, what, true, &prediction->result));
  element value;
  if (Field(obj, "score", &value)) {
    double score = 0;
    if (AsDouble(value, &score)) {
      prediction->score = score;
    } else if (value.is_string()) {
      // Label Studio converts a numeric string with float() and drops anything else.
      std::string text(value.get_string().value_unsafe());
      char* end = nullptr;
      double parsed = std::strtod(text.c_str(), &end);
      if (!text.empty() && end == text.c_str() + text.size()) prediction->score = parsed;
    }
  }
  prediction->model_version = "undefined";  // Label Studio's default
  if (Field(obj, "model_version", &value) && !value.is_null()) {
    prediction->model_version =
        value.is_string() ? std::string(value.get_string().value_unsafe()) : simdjson::minify(value);
  }
  return Status::Ok();
}

Status ReadList(simdjson::dom::object obj, std::string_view key, element* list, bool* present) {
  *present = Field(obj, key, list) && !list->is_null();
  if (*present && !list->is_array()) {
    return Invalid("\"" + std::string(key) + "\" must be a list, got " +
                   DescribeType(list->type()));
  }
  return Status::Ok();
}

void NoteColumns(simdjson::dom::object data, Batcher* batcher) {
  for (auto field : data) batcher->NoteColumn(field.key);
}

// Minifies the raw text of a value simdjson has already validated (a plain
// byte pass that drops whitespace outside strings, much cheaper than
// re-serializing the parsed value).
bool MinifyRaw(std::string_view raw, std::string* out) {
  out->resize(raw.size() + simdjson::SIMDJSON_PADDING);
  size_t len = 0;
  if (simdjson::minify(raw.data(), raw.size(), out->data(), len) != simdjson::SUCCESS) return false;
  out->resize(len);
  return true;
}

}  // namespace

Status BuildTask(element item, std::string_view raw, Batcher* batcher, NewTask* task) {
  if (!item.is_object()) {
    return Invalid(std::string("expected a JSON object (a task), got ") +
                   DescribeType(item.type()));
  }
  simdjson::dom::object obj = item.get_object().value_unsafe();
  element data;
  if (!Field(obj, "data", &data)) {
    // A flat item: the whole object is the task's data.
    NoteColumns(obj, batcher);
    if (raw.empty() || !MinifyRaw(raw, &task->data)) task->data = simdjson::minify(obj);
    return Status::Ok();
  }
  if (!data.is_object()) {
    return Invalid(std::string("\"data\" must be an object of the task's fields, got ") +
                   DescribeType(data.type()));
  }
  NoteColumns(data.get_object().value_unsafe(), batcher);
  task->data = simdjson::minify(data);

  element meta;
  if (Field(obj, "meta", &meta) && !meta.is_null()) {
    if (!meta.is_object()) {
      return Invalid(std::string("\"meta\" must be an object, got ") + DescribeType(meta.type()));
    }
    task->meta = simdjson::minify(meta);
  }

  element list;
  bool present = false;
  std::string_view key = "annotations";
  TESSERA_RETURN_IF_ERROR(ReadList(obj, key, &list, &present));
  if (!present) {
    key = "completions";  // Label Studio's legacy name
    TESSERA_RETURN_IF_ERROR(ReadList(obj, key, &list, &present));
  }
  if (present) {
    int64_t ann_no = 0;
    simdjson::dom::array annotations = list.get_array().value_unsafe();
    for (element ann : annotations) {
      ++ann_no;
      Annotation annotation;
      TESSERA_RETURN_IF_ERROR(ReadAnnotation(
          ann, std::string(key == "annotations" ? "annotation " : "completion ") +
                   std::to_string(ann_no),
          &annotation));
      task->annotations.push_back(std::move(annotation));
    }
  }

  TESSERA_RETURN_IF_ERROR(ReadList(obj, "predictions", &list, &present));
  if (present) {
    int64_t pred_no = 0;
    simdjson::dom::array predictions = list.get_array().value_unsafe();
    for (element pred : predictions) {
      ++pred_no;
      Prediction prediction;
      TESSERA_RETURN_IF_ERROR(
          ReadPrediction(pred, "prediction " + std::to_string(pred_no), &prediction));
      task->predictions.push_back(std::move(prediction));
    }
  }
  return Status::Ok();
}

Batcher::Batcher(const ParseOptions& options, const TaskSink& sink)
    : options_(options), sink_(sink) {
  batch_.reserve(std::clamp<size_t>(options_.batch_size, 1, 10000));
}

void Batcher::NoteColumn(std::string_view key) {
  if (stats_.data_columns.size() >= kMaxColumns) return;
  // Most tasks repeat columns already seen: look up without building a string.
  if (seen_columns_.find(key) != seen_columns_.end()) return;
  seen_columns_.emplace(key);
  stats_.data_columns.emplace_back(key);
}

Status Batcher::Add(NewTask task, int64_t line) {
  if (options_.validator) {
    Status st = options_.validator(task, line);
    if (!st.ok()) return st.WithPrefix("line " + std::to_string(line));
  }
  ++stats_.task_count;
  stats_.annotation_count += static_cast<int64_t>(task.annotations.size());
  stats_.prediction_count += static_cast<int64_t>(task.predictions.size());
  batch_.push_back(std::move(task));
  if (batch_.size() >= std::max<size_t>(1, options_.batch_size)) {
    Status st = sink_(std::span<const NewTask>(batch_));
    batch_.clear();
    return st;
  }
  return Status::Ok();
}

Status Batcher::Finish() {
  if (batch_.empty()) return Status::Ok();
  Status st = sink_(std::span<const NewTask>(batch_));
  batch_.clear();
  return st;
}

}  // namespace tessera::import_internal
