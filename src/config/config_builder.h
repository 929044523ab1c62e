// LabelingConfigBuilder: walks a parsed XML tree, fills a LabelingConfig and
// collects every error it finds (not just the first). Internal to src/config;
// ParseLabelingConfig() is its only user. Not thread-safe; use once.
#ifndef TESSERA_SRC_CONFIG_CONFIG_BUILDER_H_
#define TESSERA_SRC_CONFIG_CONFIG_BUILDER_H_

#include <map>
#include <memory>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/config/tag_registry.h"
#include "tessera/config.h"

namespace tessera {

class LabelingConfigBuilder {
 public:
  explicit LabelingConfigBuilder(std::string_view xml);

  Result<std::shared_ptr<const LabelingConfig>> Build();

 private:
  // What encloses the node being walked.
  struct Scope {
    int control = -1;                      // index in config_.controls_, or -1
    std::string_view option_tag;           // option tag the enclosing control holds
    int object = -1;                       // index in config_.objects_, or -1
    std::vector<std::string> option_path;  // values of enclosing <Choice>s
    std::string repeater_flag;             // indexFlag of the enclosing <Repeater>
    Visibility visibility;                 // of the nearest enclosing <View visibleWhen>
  };
  // A tag that has a name=, for uniqueness and reference checks.
  struct NamedTag {
    std::string xml_tag;
    int line = 0;
  };
  // A reference to check once the whole tree is known.
  struct PendingReference {
    int line = 0;
    std::string where;  // "<View>", "<Filter name=\"f\">"
    std::string attribute;
    std::string target;
  };

  // A visibleWhen whose whenTagName/whenChoiceValue need checking.
  struct PendingVisibility {
    int line = 0;
    std::string where;
    Visibility visibility;
  };

  // parser.cc: the walk.
  void Walk(const pugi::xml_node& node, const Scope& scope, int depth);
  void WalkChildren(const pugi::xml_node& node, const Scope& scope, int depth);
  void AddObject(const pugi::xml_node& node, const config_internal::TagSpec& spec, const Scope& scope, int depth);
  void AddChannel(const pugi::xml_node& node, const Scope& scope);
  void AddControl(const pugi::xml_node& node, const config_internal::TagSpec& spec, const Scope& scope, int depth);
  void AddOption(const pugi::xml_node& node, const config_internal::TagSpec& spec, const Scope& scope, int depth);
  void AddLayout(const pugi::xml_node& node, const config_internal::TagSpec& spec, const Scope& scope, int depth);

  // control_attributes.cc: attribute checks for one tag.
  void ReadControlAttributes(const pugi::xml_node& node, ControlTag& control);
  void CheckOptionsOf(const pugi::xml_node& node, const ControlTag& control);
  Visibility ReadVisibility(const pugi::xml_node& node);
  void CheckPositiveInt(const pugi::xml_node& node, std::string_view attribute, const char* what);

  // references.cc: checks that need the whole tree.
  void CheckReferences();
  void RegisterName(const pugi::xml_node& node, const std::string& name);
  void AddDataKey(const std::string& key);

  // Error reporting: "line N: <Tag name="x">: message".
  int LineOf(const pugi::xml_node& node) const;
  int LineOfOffset(ptrdiff_t offset) const;
  static std::string Describe(const pugi::xml_node& node);
  void Error(const pugi::xml_node& node, const std::string& message);
  void Error(int line, const std::string& where, const std::string& message);

  std::string_view xml_;
  std::vector<size_t> line_starts_;  // byte offset where each line begins
  LabelingConfig config_;
  std::vector<std::pair<int, std::string>> errors_;  // (line, message)
  std::map<std::string, NamedTag> names_;
  std::vector<PendingReference> pending_;
  std::vector<PendingVisibility> pending_visibility_;
};

}  // namespace tessera

#endif  // TESSERA_SRC_CONFIG_CONFIG_BUILDER_H_
