// The format registry: every export/import format, what it writes and what
// labeling config it fits. Adding a format = one row here plus its file.
#include <algorithm>

#include "src/formats/ls_regions.h"
#include "tessera/formats.h"
#include "tessera/util.h"

namespace tessera {

const std::vector<FormatInfo>& Formats() {
  static const std::vector<FormatInfo> kFormats = {
      {"JSON", "JSON", "Label Studio JSON: tasks with annotations and predictions.", "json", false, true,
       FormatFit::kAny, {}},
      {"JSONL", "JSONL", "Label Studio JSON, one task per line.", "jsonl", false, true, FormatFit::kAny, {}},
      {"JSON_MIN", "JSON-MIN",
       "One record per annotation: the task's data, id, one field per control tag, annotator and times.", "json",
       false, false, FormatFit::kAny, {}},
      {"CSV", "CSV", "JSON-MIN's records as comma-separated values (RFC 4180), one row per annotation.", "csv",
       false, false, FormatFit::kAny, {}},
      {"TSV", "TSV", "JSON-MIN's records as tab-separated values, one row per annotation.", "tsv", false, false,
       FormatFit::kAny, {}},
      {"COCO", "COCO",
       "COCO JSON: boxes, polygons as segmentation, keypoints, brush masks as RLE; categories from the config's "
       "labels.",
       "zip", true, true, FormatFit::kImageShapesMasks, {"image segmentation", "object detection", "keypoints"}},
      {"BRUSH_TO_PNG", "Brush labels to PNG",
       "One grayscale PNG per brush region (its alpha channel), named by task, annotation and label.", "zip", true,
       false, FormatFit::kImageMasks, {"image segmentation"}},
      {"SEMANTIC_PNG", "Semantic segmentation PNG",
       "One PNG per image whose pixels are class indexes (brushes, polygons and boxes filled), and classes.txt.",
       "zip", true, false, FormatFit::kImageAreas, {"semantic segmentation"}},
      {"VOC", "Pascal VOC XML", "One Pascal VOC XML file per image with its boxes.", "zip", true, true,
       FormatFit::kImageBoxes, {"object detection"}},
      {"YOLO", "YOLO (Darknet)", "obj.names, obj.data, train.txt and one label file per image (boxes).", "zip",
       true, true, FormatFit::kImageShapes, {"object detection"}},
      {"YOLOV8", "YOLO (Ultralytics)", "data.yaml and labels/<split>/ files (boxes).", "zip", true, true,
       FormatFit::kImageShapes, {"object detection"}},
      {"YOLOV8_SEG", "YOLO segmentation (Ultralytics)",
       "data.yaml and labels/<split>/ files with polygons (boxes as 4-point polygons).", "zip", true, false,
       FormatFit::kImageShapes, {"image segmentation"}},
      // Label Studio's name (label-studio-sdk's converter Format.YOLO_OBB, titled "YOLOv8 OBB").
      {"YOLO_OBB", "YOLOv8 OBB (Ultralytics oriented boxes)",
       "data.yaml and labels/<split>/ files with each rectangle's four corners, so rotated boxes keep their "
       "rotation.",
       "zip", true, true, FormatFit::kImageBoxes, {"object detection"}},
      {"CVAT", "CVAT for images 1.1", "CVAT XML: boxes, polygons, polylines, points, skeletons and brush masks.",
       "xml", false, true, FormatFit::kImageShapesMasks, {"image segmentation", "object detection", "keypoints"}},
      {"CVAT_VIDEO", "CVAT for video 1.1",
       "CVAT XML with one <track> per video rectangle: keyframes and the interpolated boxes between them, "
       "outside=\"1\" where a box ends.",
       "xml", false, true, FormatFit::kVideoBoxes, {"video object tracking"}},
      {"CONLL2003", "CoNLL 2003", "Whitespace tokens with IOB2 tags from text spans.", "conll", false, true,
       FormatFit::kTextSpans, {"sequence labeling", "text tagging", "named entity recognition"}},
      {"SPACY", "spaCy JSONL", "{\"text\", \"entities\": [[start, end, label]]} per task (character offsets).",
       "jsonl", false, false, FormatFit::kTextSpans, {"named entity recognition"}},
      {"HF_JSONL", "Hugging Face datasets (text)",
       "data/<split>.jsonl with text, label (Choices) and spans (Labels), and a README.md dataset card.", "zip",
       true, false, FormatFit::kText, {"text classification", "named entity recognition"}},
      {"HF_IMAGEFOLDER", "Hugging Face ImageFolder",
       "images/<split>/ with the images and metadata.jsonl (objects: bbox, category), and a README.md dataset card.",
       "zip", true, false, FormatFit::kImage, {"object detection", "image classification"}},
      {"TFRECORD", "TFRecord (TF Object Detection API)",
       "<split>.tfrecord files of tf.train.Example records with the Object Detection API keys, and "
       "label_map.pbtxt (boxes).",
       "zip", true, true, FormatFit::kImageBoxes, {"object detection"}},
  };
  return kFormats;
}

const FormatInfo* FindFormat(std::string_view name) {
  std::string wanted = ToLower(name);
  // Names other tools use for the same thing.
  if (wanted == "conll" || wanted == "conll2003_iob2") wanted = "conll2003";
  if (wanted == "cvat_xml" || wanted == "cvat_images") wanted = "cvat";
  if (wanted == "cvat_for_video" || wanted == "cvat_video_1.1") wanted = "cvat_video";
  if (wanted == "ultralytics" || wanted == "yolo_ultralytics") wanted = "yolov8";
  if (wanted == "yolov8_obb" || wanted == "ultralytics_obb") wanted = "yolo_obb";
  if (wanted == "pascal_voc") wanted = "voc";
  if (wanted == "json-min") wanted = "json_min";
  if (wanted == "huggingface" || wanted == "hf_text") wanted = "hf_jsonl";
  if (wanted == "imagefolder" || wanted == "hf_images") wanted = "hf_imagefolder";
  if (wanted == "tf_detection_api" || wanted == "tf_record") wanted = "tfrecord";
  if (wanted == "png_masks" || wanted == "brush_png") wanted = "brush_to_png";
  if (wanted == "segmentation_png" || wanted == "semantic_segmentation") wanted = "semantic_png";
  for (const FormatInfo& format : Formats()) {
    if (ToLower(format.name) == wanted) return &format;
  }
  return nullptr;
}

namespace {

bool Fits(FormatFit fit, const formats::LsMapping& m) {
  switch (fit) {
    case FormatFit::kAny: return true;
    case FormatFit::kImageShapes: return m.image && (m.boxes || m.polygons || m.keypoints);
    case FormatFit::kImageBoxes: return m.image && m.boxes;
    case FormatFit::kTextSpans: return m.text && m.spans;
    case FormatFit::kText: return m.text && (m.spans || m.choices);
    case FormatFit::kImage: return m.image && (m.boxes || m.polygons || m.keypoints || m.choices);
    case FormatFit::kImageShapesMasks: return m.image && (m.boxes || m.polygons || m.keypoints || m.brushes);
    case FormatFit::kImageMasks: return m.image && m.brushes;
    case FormatFit::kImageAreas: return m.image && (m.brushes || m.polygons || m.boxes);
    case FormatFit::kVideoBoxes: return m.video && m.video_boxes;
  }
  return false;
}

const char* FitText(FormatFit fit) {
  switch (fit) {
    case FormatFit::kAny: return "any labeling config";
    case FormatFit::kImageShapes: return "an <Image> with RectangleLabels, PolygonLabels or KeyPointLabels";
    case FormatFit::kImageBoxes: return "an <Image> with RectangleLabels";
    case FormatFit::kTextSpans: return "a <Text> with <Labels>";
    case FormatFit::kText: return "a <Text> with <Labels> or <Choices>";
    case FormatFit::kImage: return "an <Image> with RectangleLabels, PolygonLabels, KeyPointLabels or <Choices>";
    case FormatFit::kImageShapesMasks:
      return "an <Image> with RectangleLabels, PolygonLabels, KeyPointLabels or BrushLabels";
    case FormatFit::kImageMasks: return "an <Image> with BrushLabels";
    case FormatFit::kImageAreas: return "an <Image> with BrushLabels, PolygonLabels or RectangleLabels";
    case FormatFit::kVideoBoxes: return "a <Video> with <VideoRectangle>";
  }
  return "";
}

}  // namespace

bool FormatFits(const FormatInfo& format, const LabelingConfig& config) {
  return Fits(format.fit, formats::LsMapping::FromParsed(config));
}

Status CheckFormatFits(const FormatInfo& format, const LabelingConfig& config) {
  if (FormatFits(format, config)) return Status::Ok();
  std::string fitting;
  for (const FormatInfo& other : Formats()) {
    if (!FormatFits(other, config)) continue;
    if (!fitting.empty()) fitting += ", ";
    fitting += other.name;
  }
  return Status::FailedPrecondition(format.name + " needs " + FitText(format.fit) +
                                    " in the labeling config; formats that fit this project: " + fitting);
}

Result<AnnotationSelection> ParseAnnotationSelection(std::string_view name) {
  std::string lower = ToLower(name);
  if (lower == "all" || lower.empty()) return AnnotationSelection::kAll;
  if (lower == "latest") return AnnotationSelection::kLatest;
  if (lower == "ground_truth" || lower == "ground-truth") return AnnotationSelection::kGroundTruth;
  if (lower == "accepted" || lower == "reviewed") return AnnotationSelection::kAccepted;
  if (lower == "consensus") return AnnotationSelection::kConsensus;
  return Status::FieldInvalid("annotations", "annotations \"" + std::string(name) +
                                                 "\" is not known; use all, latest, accepted, ground_truth or consensus");
}

}  // namespace tessera
