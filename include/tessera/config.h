// Label Studio labeling configs: parse the XML into a typed schema, and
// validate annotation/prediction results against it.
//
// Owned by src/config. See src/config/README or docs for the supported tags.
// Thread-safety: a parsed LabelingConfig is immutable and may be shared.
#ifndef TESSERA_CONFIG_H_
#define TESSERA_CONFIG_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/status.h"

namespace tessera {

class LabelingConfig;  // defined by src/config (full definition in this header once written)

}  // namespace tessera

#endif  // TESSERA_CONFIG_H_
