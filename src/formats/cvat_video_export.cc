// CVAT for video 1.1, writing: each videorectangle region of a task becomes a
// <track id label source="manual" task_id> whose <box> rows are written the
// way CVAT's own export writes them: every frame from a keyframe to the next
// (keyframe="0" for the interpolated ones), and outside="1" on the frame after
// a keyframe with enabled=false. CVAT reads back only the keyframe rows; the
// others are for tools that read frame by frame (Datumaro).
//
// Pixels: Label Studio's video results carry no frame size of their own; the
// region's original_width/original_height (written by our CVAT import, or by
// whoever made the result) give it, and regions without them are skipped and
// counted. Frames: CVAT's frame = LS's frame - 1, step 1 (every video frame).
//
// <meta>: one task (<meta><task> with <original_size> and <source>) when one
// video is exported, else <meta><project> with one <tasks><task> per video.
// Tracks are spilled to a temporary file, since the meta comes first.
#include <cmath>
#include <map>

#include "src/formats/dataset_io.h"
#include "src/formats/selection.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

using nlohmann::json;

// Interpolated rows one track may have (2.7 hours at 30 frames a second);
// a gap that would go over gets its keyframes only (all CVAT reads), so a
// hostile frame number cannot make the export endless.
constexpr int64_t kMaxInterpolatedRows = 300'000;
// Frame numbers (and framesCount) above this are not LS video frames.
constexpr int64_t kMaxFrame = int64_t{1} << 40;

struct TaskMeta {
  Id id = 0;
  std::string name;
  int64_t width = 0;
  int64_t height = 0;
  int64_t frames = 0;  // the largest framesCount seen; 0 unknown
};

// An LS keyframe in percent.
struct LsBox {
  int64_t frame = 1;
  bool enabled = false;
  double x = 0, y = 0, width = 0, height = 0, rotation = 0;
  const json* entry = nullptr;  // for occluded / attributes
};

bool ReadLsBox(const json& entry, LsBox* box) {
  if (!entry.is_object()) return false;
  auto frame = entry.find("frame");
  if (frame == entry.end() || !frame->is_number_integer() || frame->get<int64_t>() < 1 ||
      frame->get<int64_t>() > kMaxFrame) {
    return false;
  }
  box->frame = frame->get<int64_t>();
  double* fields[] = {&box->x, &box->y, &box->width, &box->height};
  const char* keys[] = {"x", "y", "width", "height"};
  for (int idx = 0; idx < 4; ++idx) {
    auto found = entry.find(keys[idx]);
    if (found == entry.end() || !found->is_number() || !std::isfinite(found->get<double>())) return false;
    *fields[idx] = found->get<double>();
  }
  auto rotation = entry.find("rotation");
  box->rotation = rotation != entry.end() && rotation->is_number() && std::isfinite(rotation->get<double>())
                      ? rotation->get<double>()
                      : 0;
  auto enabled = entry.find("enabled");
  box->enabled = enabled != entry.end() && enabled->is_boolean() && enabled->get<bool>();  // LS: absent = off
  box->entry = &entry;
  return true;
}

LsBox Interpolate(const LsBox& a, const LsBox& b, int64_t frame) {
  double t = static_cast<double>(frame - a.frame) / static_cast<double>(b.frame - a.frame);
  LsBox box = a;
  box.frame = frame;
  box.x += (b.x - a.x) * t;
  box.y += (b.y - a.y) * t;
  box.width += (b.width - a.width) * t;
  box.height += (b.height - a.height) * t;
  box.rotation += (b.rotation - a.rotation) * t;
  return box;
}

std::string AttributeText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return FormatNumber(value.get<double>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

class TrackWriter {
 public:
  explicit TrackWriter(Tally& skipped) : skipped_(skipped) {}

  // Appends the track of one result item to `xml`; false when it is skipped.
  // Names of the <attribute> children written, per label (for <meta>).
  const std::map<std::string, std::vector<std::string>>& attribute_names() const { return attribute_names_; }

  bool Write(const json& item, TaskMeta& task, int64_t track_id, std::string* label_out, std::string* xml) {
    const json& value = item.contains("value") && item["value"].is_object() ? item["value"] : kEmpty;
    std::string label = FirstLabel(value);
    if (label.empty()) {
      skipped_.Add("CVAT_VIDEO: video rectangle without a label");
      return false;
    }
    auto ow = item.find("original_width");
    auto oh = item.find("original_height");
    if (ow == item.end() || oh == item.end() || !ow->is_number() || !oh->is_number() || !(ow->get<double>() > 0) ||
        !(oh->get<double>() > 0) || ow->get<double>() > 1e9 || oh->get<double>() > 1e9) {
      skipped_.Add("CVAT_VIDEO: video rectangle without original_width/original_height (the frame size is unknown)");
      return false;
    }
    w_ = ow->get<double>();
    h_ = oh->get<double>();
    if (task.width == 0) {
      task.width = std::llround(w_);
      task.height = std::llround(h_);
    }
    if (auto frames = value.find("framesCount");
        frames != value.end() && frames->is_number_integer() && frames->get<int64_t>() <= kMaxFrame) {
      task.frames = std::max(task.frames, frames->get<int64_t>());
    }
    std::vector<LsBox> boxes;
    if (auto sequence = value.find("sequence"); sequence != value.end() && sequence->is_array()) {
      for (const json& entry : *sequence) {
        LsBox box;
        if (ReadLsBox(entry, &box)) boxes.push_back(box);
        else skipped_.Add("CVAT_VIDEO: malformed keyframe");
      }
    }
    std::stable_sort(boxes.begin(), boxes.end(), [](const LsBox& a, const LsBox& b) { return a.frame < b.frame; });
    std::vector<LsBox> keyframes;  // one per frame: the last one given
    for (const LsBox& box : boxes) {
      if (!keyframes.empty() && keyframes.back().frame == box.frame) keyframes.back() = box;
      else keyframes.push_back(box);
    }
    if (keyframes.empty()) {
      skipped_.Add("CVAT_VIDEO: video rectangle without keyframes");
      return false;
    }
    std::vector<std::string>& names = attribute_names_[label];
    for (const LsBox& keyframe : keyframes) {
      auto attrs = keyframe.entry->find("attributes");
      if (attrs == keyframe.entry->end() || !attrs->is_object()) continue;
      for (const auto& [name, attr] : attrs->items()) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
    *xml += "  <track id=\"" + std::to_string(track_id) + "\" label=\"" + XmlEscape(label) +
            "\" source=\"manual\" task_id=\"" + std::to_string(task.id) + "\">\n";
    int64_t budget = kMaxInterpolatedRows;
    for (size_t kf_idx = 0; kf_idx < keyframes.size(); ++kf_idx) {
      const LsBox& keyframe = keyframes[kf_idx];
      const LsBox* next = kf_idx + 1 < keyframes.size() ? &keyframes[kf_idx + 1] : nullptr;
      *xml += Row(keyframe, keyframe.frame, true, false);
      if (keyframe.enabled) {
        // Interpolated rows up to the next keyframe, or to the video's end.
        int64_t end = next ? next->frame : (task.frames > 0 ? task.frames + 1 : keyframe.frame + 1);
        if (end - keyframe.frame - 1 > budget) {
          skipped_.Add("CVAT_VIDEO: interpolated frames not written past 300000 in one track (keyframes only)");
          continue;
        }
        budget -= std::max<int64_t>(0, end - keyframe.frame - 1);
        for (int64_t frame = keyframe.frame + 1; frame < end; ++frame) {
          *xml += Row(next ? Interpolate(keyframe, *next, frame) : keyframe, frame, false, false);
        }
      } else if ((!next || next->frame > keyframe.frame + 1) && (task.frames == 0 || keyframe.frame < task.frames)) {
        *xml += Row(keyframe, keyframe.frame + 1, true, true);  // gone from the next frame on
      }
    }
    *xml += "  </track>\n";
    *label_out = label;
    return true;
  }

 private:
  static inline const json kEmpty = json::object();

  static std::string FirstLabel(const json& value) {
    for (const auto& [key, labels] : value.items()) {
      if (key.size() < 6 || key.compare(key.size() - 6, 6, "labels") != 0 || !labels.is_array()) continue;
      if (!labels.empty() && labels[0].is_string()) return labels[0].get<std::string>();
    }
    return "";
  }

  // One <box> row at LS frame `frame` (CVAT frame - 1).
  std::string Row(const LsBox& box, int64_t frame, bool keyframe, bool outside) const {
    double x = box.x * w_ / 100, y = box.y * h_ / 100, w = box.width * w_ / 100, h = box.height * h_ / 100;
    double xtl = x, ytl = y;
    if (box.rotation != 0) {
      // LS turns around the top-left corner, CVAT around the centre.
      double rad = box.rotation * M_PI / 180.0, c = std::cos(rad), s = std::sin(rad);
      xtl = x + (w / 2) * c - (h / 2) * s - w / 2;
      ytl = y + (w / 2) * s + (h / 2) * c - h / 2;
    }
    bool occluded = false;
    const json* attributes = nullptr;
    if (box.entry) {
      auto found = box.entry->find("occluded");
      occluded = found != box.entry->end() && found->is_boolean() && found->get<bool>();
      auto attrs = box.entry->find("attributes");
      if (attrs != box.entry->end() && attrs->is_object() && !attrs->empty()) attributes = &*attrs;
    }
    std::string row = "    <box frame=\"" + std::to_string(frame - 1) + "\" keyframe=\"" + (keyframe ? "1" : "0") +
                      "\" outside=\"" + (outside ? "1" : "0") + "\" occluded=\"" + (occluded ? "1" : "0") +
                      "\" xtl=\"" + FormatNumber(xtl) + "\" ytl=\"" + FormatNumber(ytl) + "\" xbr=\"" +
                      FormatNumber(xtl + w) + "\" ybr=\"" + FormatNumber(ytl + h) + "\"";
    if (box.rotation != 0) row += " rotation=\"" + FormatNumber(box.rotation) + "\"";
    row += " z_order=\"0\"";
    if (!attributes) return row + "/>\n";
    row += ">\n";
    for (const auto& [name, attr] : attributes->items()) {
      row += "      <attribute name=\"" + XmlEscape(name) + "\">" + XmlEscape(AttributeText(attr)) + "</attribute>\n";
    }
    return row + "    </box>\n";
  }

  Tally& skipped_;
  std::map<std::string, std::vector<std::string>> attribute_names_;
  double w_ = 0, h_ = 0;
};

// Each label with the attributes its boxes carry (free text, changing per frame).
std::string LabelsXml(const std::vector<std::string>& labels,
                      const std::map<std::string, std::vector<std::string>>& attributes, const std::string& indent) {
  std::string xml = indent + "<labels>\n";
  for (const std::string& label : labels) {
    xml += indent + "  <label>\n" + indent + "    <name>" + XmlEscape(label) + "</name>\n" + indent +
           "    <type>rectangle</type>\n" + indent + "    <attributes>\n";
    if (auto found = attributes.find(label); found != attributes.end()) {
      for (const std::string& name : found->second) {
        xml += indent + "      <attribute>\n" + indent + "        <name>" + XmlEscape(name) + "</name>\n" + indent +
               "        <mutable>True</mutable>\n" + indent + "        <input_type>text</input_type>\n" + indent +
               "        <default_value></default_value>\n" + indent + "        <values></values>\n" + indent +
               "      </attribute>\n";
      }
    }
    xml += indent + "    </attributes>\n" + indent + "  </label>\n";
  }
  return xml + indent + "</labels>\n";
}

// The fields of one <task> in <meta> (without its labels).
std::string TaskFieldsXml(const TaskMeta& task, const std::string& indent) {
  std::string xml = indent + "<id>" + std::to_string(task.id) + "</id>\n" + indent + "<name>" + XmlEscape(task.name) +
                    "</name>\n";
  if (task.frames > 0) xml += indent + "<size>" + std::to_string(task.frames) + "</size>\n";
  xml += indent + "<mode>interpolation</mode>\n" + indent + "<overlap>0</overlap>\n" + indent +
         "<start_frame>0</start_frame>\n";
  if (task.frames > 0) xml += indent + "<stop_frame>" + std::to_string(task.frames - 1) + "</stop_frame>\n";
  xml += indent + "<frame_filter></frame_filter>\n";
  return xml;
}

std::string OriginalSizeXml(const TaskMeta& task, const std::string& indent) {
  if (task.width <= 0 || task.height <= 0) return "";  // no video box to tell
  return indent + "<original_size>\n" + indent + "  <width>" + std::to_string(task.width) + "</width>\n" + indent +
         "  <height>" + std::to_string(task.height) + "</height>\n" + indent + "</original_size>\n";
}

std::string MetaXml(const std::vector<TaskMeta>& tasks, const std::vector<std::string>& label_names,
                    const std::map<std::string, std::vector<std::string>>& attributes) {
  auto labels = [&](const std::string& indent) { return LabelsXml(label_names, attributes, indent); };
  std::string xml = "  <meta>\n";
  if (tasks.size() == 1) {
    xml += "    <task>\n" + TaskFieldsXml(tasks[0], "      ") + labels("      ") +
           OriginalSizeXml(tasks[0], "      ") + "    </task>\n    <source>" + XmlEscape(tasks[0].name) +
           "</source>\n";
  } else {
    xml += "    <project>\n" + labels("      ") + "      <tasks>\n";
    for (const TaskMeta& task : tasks) {
      xml += "        <task>\n" + TaskFieldsXml(task, "          ") + OriginalSizeXml(task, "          ") +
             "          <source>" + XmlEscape(task.name) + "</source>\n        </task>\n";
    }
    xml += "      </tasks>\n    </project>\n";
  }
  return xml + "  </meta>\n";
}

// item[key] when it is a string, else "" (json::value throws on other types).
std::string StringField(const json& item, const char* key) {
  auto found = item.find(key);
  return found != item.end() && found->is_string() ? found->get<std::string>() : "";
}

std::string VideoName(const TaskBundle& bundle, const LsMapping& mapping) {
  json data = json::parse(bundle.task.data, nullptr, false);
  const std::string& key = mapping.video->data_key;
  if (data.is_object() && !key.empty() && data.contains(key) && data[key].is_string()) {
    std::string name = BaseName(data[key].get<std::string>());
    if (!name.empty()) return name;
  }
  return "task_" + std::to_string(bundle.task.id);
}

}  // namespace

Status ExportCvatVideo(Store& store, Id project_id, const LsMapping& mapping, OutputSink& sink,
                       const DatasetExportOptions& options, DatasetExportReport* report) {
  if (!mapping.video) return Status::FailedPrecondition("CVAT_VIDEO needs a <Video> in the labeling config");
  Tally skipped;
  Spill tracks;
  std::vector<TaskMeta> tasks;
  std::vector<std::string> labels = mapping.VideoLabels();
  TrackWriter writer(skipped);
  int64_t next_track = 0;
  TaskQuery query;
  query.project_id = project_id;
  query.only_ids = options.task_ids;
  std::optional<Annotation> consensus;
  Status s = store.ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
    auto annotations = SelectAnnotations(bundle, options.selection, consensus, skipped);
    if (annotations.empty() && !options.download_all_tasks) return Status::Ok();
    TaskMeta task{bundle.task.id, VideoName(bundle, mapping), 0, 0, 0};
    std::string xml;
    for (const Annotation* annotation : annotations) {
      json result = json::parse(annotation->result, nullptr, false);
      if (!result.is_array()) continue;
      for (const json& item : result) {
        if (!item.is_object() || StringField(item, "to_name") != mapping.video->name) continue;
        std::string type = ToLower(StringField(item, "type"));
        if (type != "videorectangle") {
          skipped.Add("CVAT_VIDEO: " + (type.empty() ? std::string("untyped") : type) + " result on the video");
          continue;
        }
        std::string label;
        if (!writer.Write(item, task, next_track, &label, &xml)) continue;
        TESSERA_RETURN_IF_ERROR(tracks.Append(xml));  // one track in memory at a time
        xml.clear();
        ++next_track;
        ++report->regions;
        if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
      }
    }
    tasks.push_back(std::move(task));
    ++report->tasks;
    if (options.progress && options.progress_every > 0 && report->tasks % options.progress_every == 0) {
      options.progress(report->tasks);
    }
    return Status::Ok();
  });
  TESSERA_RETURN_IF_ERROR(s);
  SinkFile file(sink);
  TESSERA_RETURN_IF_ERROR(file.Open("annotations.xml"));
  TESSERA_RETURN_IF_ERROR(
      file.Write("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotations>\n  <version>1.1</version>\n"));
  TESSERA_RETURN_IF_ERROR(file.Write(MetaXml(tasks, labels, writer.attribute_names())));
  TESSERA_RETURN_IF_ERROR(tracks.CopyTo(file));
  TESSERA_RETURN_IF_ERROR(file.Write("</annotations>\n"));
  TESSERA_RETURN_IF_ERROR(file.Close());
  TESSERA_RETURN_IF_ERROR(sink.Finish());
  if (options.progress) options.progress(report->tasks);
  report->skipped = skipped.Sorted();
  return Status::Ok();
}

}  // namespace tessera::formats
