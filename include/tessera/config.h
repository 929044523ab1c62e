// Label Studio labeling configs: parse the XML into a typed schema, and
// validate annotation/prediction results against it.
//
// A labeling config is an XML document rooted at <View>. It holds three kinds
// of tags:
//   - object tags show task data (<Image value="$image"/>, <Text>, <Audio>...);
//   - control tags produce results about objects (<RectangleLabels toName="img">,
//     <Choices>, <TextArea>...), each with the options (Label, Choice,
//     Relation, Bucket) nested inside it;
//   - layout tags arrange the page (<View>, <Header>, <Style>, <Repeater>...).
// ParseLabelingConfig() turns the XML into a LabelingConfig: the objects and
// controls in document order, each with its attributes. Layout tags are
// checked but not kept, except for the conditions they put on visibility.
//
// Ownership: ParseLabelingConfig() returns a shared_ptr to an immutable
// LabelingConfig; the pointers FindObject()/FindControl() return live as long
// as it does.
// Thread-safety: a parsed LabelingConfig is immutable and may be shared
// between threads without synchronization.
#ifndef TESSERA_CONFIG_H_
#define TESSERA_CONFIG_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/model.h"
#include "tessera/status.h"

namespace tessera {

// A tag's attributes in document order, as written. Look-ups ignore case,
// because Label Studio's editor lower-cases attribute names (`toname` works
// like `toName`).
class Attributes {
 public:
  using Entry = std::pair<std::string, std::string>;

  void Add(std::string name, std::string value) { entries_.emplace_back(std::move(name), std::move(value)); }
  // The value of `name` (case-insensitive), or nullptr when absent.
  const std::string* Find(std::string_view name) const;
  // The value of `name`, or `fallback` when absent.
  std::string Get(std::string_view name, std::string_view fallback = {}) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  // True when the attribute is "true" (any case); `fallback` when absent.
  bool GetBool(std::string_view name, bool fallback = false) const;

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

enum class ObjectType {
  kImage,
  kText,
  kHyperText,
  kAudio,  // also the legacy <AudioPlus>
  kVideo,
  kParagraphs,
  kTimeSeries,
  kTable,  // key/value view of a task field
  kList,   // the items a <Ranker> orders
  kPdf,
  kChat,  // a conversation; LS lets it be annotated message by message
};

enum class ControlType {
  kChoices,
  kLabels,
  kRectangleLabels,
  kRectangle,
  kPolygonLabels,
  kPolygon,
  kKeyPointLabels,
  kKeyPoint,
  kEllipseLabels,
  kEllipse,
  kBrushLabels,
  kBrush,
  kMagicWand,
  kBitmaskLabels,
  kBitmask,
  kTextArea,
  kRating,
  kNumber,
  kDateTime,
  kTaxonomy,
  kRelations,
  kVideoRectangle,
  kPairwise,
  kRanker,
  kHyperTextLabels,
  kParagraphLabels,
  kTimeSeriesLabels,
  kTimelineLabels,
};

// The tag name as Label Studio spells it: "Image", "RectangleLabels".
std::string_view TagName(ObjectType type);
std::string_view TagName(ControlType type);
// The `type` a result item from this control carries: "rectanglelabels",
// "choices", "relation" for Relations. Lower case.
std::string_view ResultType(ControlType type);

// How many options of a Choices/Labels control may be picked at once.
enum class ChoiceMode { kSingle, kSingleRadio, kMultiple };

// When a control (or the view around it) is shown: LS's visibleWhen and its
// companions whenTagName / whenChoiceValue / whenLabelValue. Empty = always.
struct Visibility {
  std::string visible_when;        // "region-selected", "choice-selected", ...
  std::string when_tag_name;       // control whose state is watched
  std::string when_choice_value;   // comma-separated choice values
  std::string when_label_value;    // comma-separated label values
  bool empty() const { return visible_when.empty(); }
};

// One option inside a control: <Label>, <Choice>, <Relation> or a Ranker's
// <Bucket> (whose `name` is kept as its value).
struct LabelOption {
  std::string tag;                 // "Label", "Choice", "Relation", "Bucket"
  std::string value;               // value= (for Bucket: name=)
  std::string alias;               // alias= ("" if none)
  std::string background;          // background= ("" if none)
  std::string hotkey;              // hotkey= ("" if none)
  // Values from the outermost enclosing option down to this one; size 1 for a
  // flat option, longer for nested <Choice> (Taxonomy, Choices allowNested).
  std::vector<std::string> path;
  Attributes attributes;           // every attribute as written
  int line = 0;

  // What a result names this option by: the alias when set, else the value.
  const std::string& ResultValue() const { return alias.empty() ? value : alias; }
};

// A <Channel> of a <TimeSeries>.
struct TimeSeriesChannel {
  std::string column;
  Attributes attributes;
  int line = 0;
};

struct ObjectTag {
  std::string name;
  ObjectType type = ObjectType::kText;
  std::string xml_tag;             // as written, e.g. "AudioPlus" or "image"
  std::string value;               // value= (or valueList= for image lists), e.g. "$image"
  // The task-data field the tag reads: "image" for value="$image", "images" for
  // value="$images[{{idx}}].url" inside a Repeater; "" for a literal value.
  std::string data_key;
  std::vector<TimeSeriesChannel> channels;  // TimeSeries only
  std::string repeater_index_flag;          // e.g. "{{idx}}" inside a <Repeater>, else ""
  Attributes attributes;
  int line = 0;
};

struct ControlTag {
  std::string name;                // "" only for a <Relations> without a name
  ControlType type = ControlType::kChoices;
  std::string xml_tag;             // as written
  std::vector<std::string> to_names;  // toName= split on commas
  std::vector<LabelOption> options;   // Label/Choice/Relation/Bucket children, document order
  // Options come from task data (value="$options"), an API (apiUrl=) or the
  // annotator (Taxonomy/Labels userLabels/allowUserLabels): results may carry
  // values not in `options`.
  bool dynamic_options = false;
  std::string options_data_key;    // "options" for value="$options", else ""
  ChoiceMode choice = ChoiceMode::kSingle;
  bool required = false;
  bool per_region = false;
  std::optional<int> max_usages;   // Labels family
  int max_rating = 5;              // Rating
  std::optional<double> min;       // Number
  std::optional<double> max;       // Number
  Visibility visibility;           // from the control itself, else its nearest <View>
  std::string repeater_index_flag; // e.g. "{{idx}}" inside a <Repeater>, else ""
  Attributes attributes;
  int line = 0;

  std::string_view result_type() const { return ResultType(type); }
  // True when a result item of `type` (any case) may come from this control;
  // e.g. a RectangleLabels control produces "rectanglelabels" or "rectangle".
  bool AcceptsResultType(std::string_view type) const;
  // The option a result value names (by value or alias), or nullptr.
  const LabelOption* FindOption(std::string_view value) const;
};

// A parsed labeling config. Immutable once built; see the file comment.
class LabelingConfig {
 public:
  const std::vector<ObjectTag>& objects() const { return objects_; }
  const std::vector<ControlTag>& controls() const { return controls_; }

  // By name. Names inside a <Repeater> are templates ("img_{{idx}}") and match
  // any index ("img_0", "img_12"). nullptr when nothing matches.
  const ObjectTag* FindObject(std::string_view name) const;
  const ControlTag* FindControl(std::string_view name) const;

  // The task-data fields the config reads, in document order, unique.
  const std::vector<std::string>& data_keys() const { return data_keys_; }

 private:
  friend class LabelingConfigBuilder;
  std::vector<ObjectTag> objects_;
  std::vector<ControlTag> controls_;
  std::vector<std::string> data_keys_;
};

// Parses LS labeling-config XML. On error: Status kInvalidArgument whose
// message is the first error, plus a field error {"label_config", msg} for
// every error found. Messages look like
//   line 4: <RectangleLabels name="tag">: toName="imgx" names no object tag; object tags here: img
Result<std::shared_ptr<const LabelingConfig>> ParseLabelingConfig(std::string_view xml);

// Validates one annotation/prediction `result` (a JSON array of result items)
// against the config. kInvalidArgument with a message naming the item index,
// from_name, what is wrong and what would be valid.
Status ValidateResult(const LabelingConfig& config, const nlohmann::json& result);

// Validates every annotation and prediction result of a task about to be
// imported; the message is prefixed "annotation N" / "prediction N" (1-based).
Status ValidateTaskResults(const LabelingConfig& config, const NewTask& task);

// LS's `parsed_label_config`: {from_name: {"type": "RectangleLabels",
// "to_name": [...], "inputs": [{"type": "Image", "value": "image"}],
// "labels": [...], "labels_attrs": {label: {attrs}}}}.
nlohmann::json ParsedLabelConfig(const LabelingConfig& config);

// Data keys the config reads from task data ("$image" -> "image"), in document
// order, unique. Same as config.data_keys().
std::vector<std::string> DataKeys(const LabelingConfig& config);

}  // namespace tessera

#endif  // TESSERA_CONFIG_H_
