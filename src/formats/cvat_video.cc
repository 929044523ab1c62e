// CVAT for video 1.1, reading: <track> elements of <box> rows become Label
// Studio videorectangle regions, one task per CVAT task (one video).
//
// What the two tools mean by their flags:
//   CVAT: rows with keyframe="1" are what the annotator set (CVAT's importer
//     keeps only those; the others are its export's interpolation). A box
//     visible at keyframe A is interpolated towards the next keyframe B, even
//     when B is outside="1"; from an outside keyframe on nothing shows until
//     the next keyframe that is not outside.
//   LS: a keyframe with enabled=true is interpolated to the next keyframe (or
//     shown to the end of the video when it is the last); with enabled=false
//     the box shows on that frame only.
// So a visible CVAT keyframe followed by an outside one at the next frame of
// the task's grid (frame_filter step=N) is an LS keyframe with enabled=false;
// when the outside keyframe is further away, the box CVAT would show on the
// grid frame before it is added as an LS keyframe with enabled=false. CVAT's
// frame numbers are the video's (0-based), LS's are 1-based: frame + 1.
//
// Boxes turn around their centre in CVAT and around their top-left corner in
// LS (as in cvat_xml.cc); occluded="1" and <attribute> children are kept on
// each keyframe ("occluded", "attributes"), which LS ignores and the CVAT
// export writes back.
#include <cmath>
#include <pugixml.hpp>

#include "src/formats/dataset_io.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// One keyframe row of a CVAT box track, in CVAT's terms.
struct CvatRow {
  int64_t frame = 0;
  bool outside = false;
  VideoKeyframe box;  // frame and enabled unused
};

// Per CVAT task: the clip being filled and its frame step.
struct TaskInfo {
  std::string id;
  bool declared = false;  // in <meta>; the stand-in for a file without one is not
  VideoClip clip;
  int64_t step = 1;
};

int64_t ParseCount(pugi::xml_node node, int64_t fallback) {
  std::string text(Trim(node.text().get()));
  if (text.empty()) return fallback;
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  return *end == '\0' && value >= 0 ? value : fallback;
}

// "step=3" (CVAT's frame_filter) -> 3; 1 otherwise.
int64_t FrameStep(std::string_view filter) {
  size_t at = filter.find("step=");
  if (at == std::string_view::npos) return 1;
  int64_t step = 0;
  for (size_t idx = at + 5; idx < filter.size() && std::isdigit(static_cast<unsigned char>(filter[idx])); ++idx) {
    step = step * 10 + (filter[idx] - '0');
    if (step > 1'000'000) return 1;
  }
  return step > 0 ? step : 1;
}

TaskInfo ReadTaskInfo(pugi::xml_node task, pugi::xml_node source) {
  TaskInfo info;
  info.declared = !task.empty();
  info.id = std::string(Trim(task.child("id").text().get()));
  info.clip.video = std::string(Trim(source.text().get()));
  if (info.clip.video.empty()) info.clip.video = std::string(Trim(task.child("source").text().get()));
  if (info.clip.video.empty()) info.clip.video = std::string(Trim(task.child("name").text().get()));
  if (info.clip.video.empty()) info.clip.video = "video" + (info.id.empty() ? "" : "_" + info.id);
  info.clip.width = ParseCount(task.child("original_size").child("width"), 0);
  info.clip.height = ParseCount(task.child("original_size").child("height"), 0);
  int64_t stop = ParseCount(task.child("stop_frame"), -1);
  if (stop >= 0 && stop < (int64_t{1} << 40)) info.clip.frames_count = stop + 1;
  info.step = FrameStep(task.child("frame_filter").text().get());
  return info;
}

bool ReadNumber(pugi::xml_node node, const char* key, double* out) {
  pugi::xml_attribute attr = node.attribute(key);
  char* end = nullptr;
  *out = std::strtod(attr.value(), &end);
  return attr && *attr.value() && *end == '\0' && std::isfinite(*out);
}

// A <box> row; false when malformed.
bool ReadRow(pugi::xml_node node, CvatRow* row) {
  double frame = 0, v[4];
  if (!ReadNumber(node, "frame", &frame) || frame < 0 || frame > 1e12 || frame != std::floor(frame)) return false;
  const char* keys[] = {"xtl", "ytl", "xbr", "ybr"};
  for (int idx = 0; idx < 4; ++idx) {
    if (!ReadNumber(node, keys[idx], &v[idx])) return false;
  }
  row->frame = static_cast<int64_t>(frame);
  row->outside = node.attribute("outside").as_int(0) == 1;
  VideoKeyframe& box = row->box;
  box.width = v[2] - v[0];
  box.height = v[3] - v[1];
  double rotation = 0;
  if (!ReadNumber(node, "rotation", &rotation)) rotation = 0;
  box.rotation = rotation;
  box.x = v[0];
  box.y = v[1];
  if (rotation != 0) {
    // From CVAT's centre rotation to LS's top-left one.
    double rad = rotation * M_PI / 180.0, c = std::cos(rad), s = std::sin(rad);
    double cx = v[0] + box.width / 2, cy = v[1] + box.height / 2;
    box.x = cx - (box.width / 2) * c + (box.height / 2) * s;
    box.y = cy - (box.width / 2) * s - (box.height / 2) * c;
  }
  box.occluded = node.attribute("occluded").as_int(0) == 1;
  for (pugi::xml_node attr : node.children("attribute")) box.attributes[attr.attribute("name").value()] = attr.text().get();
  return true;
}

// The box CVAT shows at `frame` between rows a (visible) and b: corners and
// angle moved linearly, as CVAT interpolates.
VideoKeyframe Between(const CvatRow& a, const CvatRow& b, int64_t frame) {
  double t = static_cast<double>(frame - a.frame) / static_cast<double>(b.frame - a.frame);
  VideoKeyframe box = a.box;
  box.x += (b.box.x - a.box.x) * t;
  box.y += (b.box.y - a.box.y) * t;
  box.width += (b.box.width - a.box.width) * t;
  box.height += (b.box.height - a.box.height) * t;
  box.rotation += (b.box.rotation - a.box.rotation) * t;
  return box;
}

// CVAT keyframe rows (sorted, one per frame) as LS keyframes (see the file comment).
std::vector<VideoKeyframe> LsKeyframes(const std::vector<CvatRow>& rows, int64_t step) {
  std::vector<VideoKeyframe> out;
  for (size_t row_idx = 0; row_idx < rows.size(); ++row_idx) {
    const CvatRow& row = rows[row_idx];
    if (row.outside) continue;
    VideoKeyframe keyframe = row.box;
    keyframe.frame = row.frame + 1;
    keyframe.enabled = true;
    const CvatRow* next = row_idx + 1 < rows.size() ? &rows[row_idx + 1] : nullptr;
    if (!next || !next->outside) {
      out.push_back(std::move(keyframe));
      continue;
    }
    int64_t last_shown = next->frame - step;
    if (last_shown <= row.frame) {
      keyframe.enabled = false;
      out.push_back(std::move(keyframe));
      continue;
    }
    out.push_back(std::move(keyframe));
    VideoKeyframe last = Between(row, *next, last_shown);
    last.frame = last_shown + 1;
    last.enabled = false;
    out.push_back(std::move(last));
  }
  return out;
}

class VideoFileReader {
 public:
  VideoFileReader(DatasetHeader* header, Tally* problems) : header_(header), problems_(problems) {}

  Status Read(const pugi::xml_node annotations, const VideoClipSink& sink) {
    ReadMeta(annotations.child("meta"));
    if (annotations.child("image")) {
      int64_t images = std::distance(annotations.children("image").begin(), annotations.children("image").end());
      problems_->Add("CVAT: <image> not imported into a video (CVAT for images)", images);
    }
    for (pugi::xml_node track : annotations.children("track")) ReadTrack(track);
    for (TaskInfo& task : tasks_) {
      if (task.clip.tracks.empty() && !task.declared) continue;
      TESSERA_RETURN_IF_ERROR(sink(std::move(task.clip)));
    }
    return Status::Ok();
  }

 private:
  void ReadMeta(pugi::xml_node meta) {
    pugi::xml_node labels = meta.child("task").child("labels");
    if (!labels) labels = meta.child("project").child("labels");
    for (pugi::xml_node label : labels.children("label")) {
      std::string name = label.child("name").text().get();
      if (!label.child("parent").text().empty() || name.empty()) continue;  // a skeleton's point
      if (std::none_of(header_->categories.begin(), header_->categories.end(),
                       [&](const Category& c) { return c.name == name; })) {
        header_->categories.push_back(Category{name, {}, {}});
      }
    }
    if (meta.child("task")) tasks_.push_back(ReadTaskInfo(meta.child("task"), meta.child("source")));
    for (pugi::xml_node task : meta.child("project").child("tasks").children("task")) {
      tasks_.push_back(ReadTaskInfo(task, pugi::xml_node()));
    }
    if (tasks_.empty()) tasks_.push_back(ReadTaskInfo(pugi::xml_node(), pugi::xml_node()));
  }

  TaskInfo* FindTask(std::string_view id) {
    if (id.empty()) return &tasks_.front();
    for (TaskInfo& task : tasks_) {
      if (task.id == id) return &task;
    }
    return nullptr;
  }

  void ReadTrack(pugi::xml_node node) {
    TaskInfo* task = FindTask(node.attribute("task_id").value());
    if (!task) {
      problems_->Add("CVAT: track of a task_id not in <meta>");
      return;
    }
    VideoTrack track;
    track.label = node.attribute("label").value();
    if (track.label.empty()) {
      problems_->Add("CVAT: track without a label");
      return;
    }
    std::vector<CvatRow> rows;
    bool any_box = false;
    std::string other;
    for (pugi::xml_node row_node : node.children()) {
      std::string tag = row_node.name();
      if (tag == "box") {
        any_box = true;
        CvatRow row;
        if (!ReadRow(row_node, &row)) {
          problems_->Add("CVAT: malformed box in a track");
          continue;
        }
        // Rows without keyframe= are taken as set by hand.
        if (std::string_view(row_node.attribute("keyframe").as_string("1")) != "0") rows.push_back(std::move(row));
      } else if (!tag.empty() && tag != "track" && other.empty()) {
        other = tag;  // polygon, polyline, points, skeleton, ellipse, cuboid, mask
      }
    }
    if (!other.empty()) {
      problems_->Add("CVAT: " + other + " track not imported (Label Studio's video tracks are boxes)");
    }
    if (!any_box) {
      if (other.empty()) problems_->Add("CVAT: track without shapes");
      return;
    }
    std::stable_sort(rows.begin(), rows.end(), [](const CvatRow& a, const CvatRow& b) { return a.frame < b.frame; });
    // One row per frame: the last one given.
    std::vector<CvatRow> unique;
    for (CvatRow& row : rows) {
      if (!unique.empty() && unique.back().frame == row.frame) unique.back() = std::move(row);
      else unique.push_back(std::move(row));
    }
    track.keyframes = LsKeyframes(unique, task->step);
    if (track.keyframes.empty()) {
      problems_->Add("CVAT: box track without a visible keyframe");
      return;
    }
    task->clip.tracks.push_back(std::move(track));
  }

  DatasetHeader* header_;
  Tally* problems_;
  std::vector<TaskInfo> tasks_;
};

}  // namespace

Status ReadCvatVideo(const fs::path& path, const ReadOptions& options, DatasetHeader* header, Tally* problems,
                     const VideoClipSink& sink) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<fs::path> files, CvatXmlFiles(path));
  for (const fs::path& file : files) {
    pugi::xml_document doc;
    pugi::xml_node annotations;
    TESSERA_RETURN_IF_ERROR(LoadCvatXml(file, options, &doc, &annotations));
    TESSERA_RETURN_IF_ERROR(VideoFileReader(header, problems).Read(annotations, sink));
  }
  return Status::Ok();
}

bool IsCvatVideo(const fs::path& path, const ReadOptions& options) {
  auto files = CvatXmlFiles(path);
  if (!files.ok()) return false;
  pugi::xml_document doc;
  pugi::xml_node annotations;
  if (!LoadCvatXml(files->front(), options, &doc, &annotations).ok()) return false;
  return annotations.child("track") && !annotations.child("image");
}

json VideoResultFromClip(const VideoClip& clip, const LsMapping& mapping, Tally& unmatched) {
  json result = json::array();
  const int64_t tracks = static_cast<int64_t>(clip.tracks.size());
  if (tracks == 0) return result;
  if (!mapping.video || !mapping.video_boxes) {
    unmatched.Add("video track: the labeling config has no <VideoRectangle> on a <Video>", tracks);
    return result;
  }
  if (clip.width <= 0 || clip.height <= 0) {
    unmatched.Add("video track: the frame size is unknown (no <original_size> in the CVAT <meta>)", tracks);
    return result;
  }
  const double w = static_cast<double>(clip.width), h = static_cast<double>(clip.height);
  int64_t next_id = 0;
  for (const VideoTrack& track : clip.tracks) {
    const ControlTag* labels = mapping.video_labels;
    if (!labels) {
      unmatched.Add("video track: the labeling config has no <Labels> on the video for its label");
      continue;
    }
    if (!labels->dynamic_options && !labels->FindOption(track.label)) {
      unmatched.Add("video track label \"" + track.label + "\" is not in <" + labels->xml_tag + " name=\"" +
                    labels->name + "\">");
      continue;
    }
    json sequence = json::array();
    for (const VideoKeyframe& keyframe : track.keyframes) {
      json entry = {{"frame", keyframe.frame},         {"enabled", keyframe.enabled},
                    {"rotation", keyframe.rotation},   {"x", keyframe.x * 100 / w},
                    {"y", keyframe.y * 100 / h},       {"width", keyframe.width * 100 / w},
                    {"height", keyframe.height * 100 / h}};
      if (keyframe.occluded) entry["occluded"] = true;
      if (!keyframe.attributes.empty()) entry["attributes"] = keyframe.attributes;
      sequence.push_back(std::move(entry));
    }
    json value = {{"sequence", std::move(sequence)}, {"labels", json::array({track.label})}};
    if (clip.frames_count > 0) value["framesCount"] = clip.frames_count;
    result.push_back({{"id", "t" + std::to_string(++next_id)},
                      {"from_name", mapping.video_boxes->name},
                      {"to_name", mapping.video->name},
                      {"type", "videorectangle"},
                      {"origin", "manual"},
                      {"original_width", clip.width},
                      {"original_height", clip.height},
                      {"value", std::move(value)}});
  }
  return result;
}

}  // namespace tessera::formats
