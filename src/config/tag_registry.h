// The table of tags a labeling config may use: what each one is (object,
// control, option, layout) and the facts the parser needs about it.
// Internal to src/config.
#ifndef TESSERA_SRC_CONFIG_TAG_REGISTRY_H_
#define TESSERA_SRC_CONFIG_TAG_REGISTRY_H_

#include <string>
#include <string_view>

#include "tessera/config.h"

namespace tessera::config_internal {

enum class TagRole {
  kObject,   // shows task data; has name and value
  kControl,  // produces results; has name and toName
  kOption,   // an option inside a control: Label, Choice, Relation, Bucket
  kChannel,  // <Channel> inside <TimeSeries>
  kLayout,   // arranges the page; produces nothing
};

// How an object tag's value= must look.
enum class ValueRule {
  kDataOrLiteral,  // "$field" reads task data; anything else is shown as is
  kData,           // must be "$field": the tag needs structured data
};

struct TagSpec {
  std::string_view name;  // canonical spelling
  TagRole role;
  ObjectType object_type = ObjectType::kText;     // kObject only
  ControlType control_type = ControlType::kChoices;  // kControl only
  ValueRule value_rule = ValueRule::kDataOrLiteral;  // kObject only
  // kControl: the option tag it holds ("Label", "Choice", "Relation",
  // "Bucket") or "" for none.
  std::string_view option_tag = {};
};

// Looks a tag up by name, ignoring case as LS's editor does. nullptr if the
// tag is not supported.
const TagSpec* FindTagSpec(std::string_view name);

// "Audio, AudioPlus, Bitmask, ..." — every supported tag, sorted, for error
// messages.
const std::string& SupportedTagList();

// "Choices or Taxonomy" — the controls that hold `option_tag`.
std::string ControlsHolding(std::string_view option_tag);

}  // namespace tessera::config_internal

#endif  // TESSERA_SRC_CONFIG_TAG_REGISTRY_H_
