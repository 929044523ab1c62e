// Fuzz target: ParseLabelingConfig over arbitrary bytes, then everything the
// server derives from a parsed config (parsed_label_config, data keys, name
// look-ups). Any input must give a config or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tessera/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto config = tessera::ParseLabelingConfig(xml);
  if (!config.ok()) return 0;
  const tessera::LabelingConfig& cfg = **config;
  // The server dumps with error_handler_t::replace (server/context.cc), since a
  // config may carry invalid UTF-8; do the same.
  (void)tessera::ParsedLabelConfig(cfg).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  (void)tessera::DataKeys(cfg);
  for (const auto& control : cfg.controls()) {
    (void)cfg.FindControl(control.name);
    for (const auto& to_name : control.to_names) (void)cfg.FindObject(to_name);
    for (const auto& option : control.options) (void)control.FindOption(option.ResultValue());
  }
  return 0;
}
