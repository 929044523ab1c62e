// The public entry point of the parser.
#include "src/config/config_builder.h"

namespace tessera {

Result<std::shared_ptr<const LabelingConfig>> ParseLabelingConfig(std::string_view xml) {
  try {
    LabelingConfigBuilder builder(xml);
    return builder.Build();
  } catch (const std::exception& e) {  // only allocation failure can get here
    return Status::Internal(std::string("parsing the labeling config failed: ") + e.what());
  }
}

}  // namespace tessera
