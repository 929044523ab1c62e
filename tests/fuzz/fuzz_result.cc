// Fuzz target: ValidateResult with fixed labeling configs (every valid config
// in tests/testdata/configs/valid and the Label Studio conformance examples)
// against fuzzed result JSON. The input may be a result array, an annotation
// ({"result": [...]}) or a task with "annotations"/"predictions", so the
// conformance files work as seeds unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "tessera/config.h"

namespace {

using nlohmann::json;

const std::vector<std::shared_ptr<const tessera::LabelingConfig>>& Configs() {
  static const auto* configs = [] {
    auto* out = new std::vector<std::shared_ptr<const tessera::LabelingConfig>>();
    namespace fs = std::filesystem;
    const fs::path root(TESSERA_SOURCE_DIR);
    std::vector<fs::path> files;
    std::error_code ec;
    for (const fs::path& dir : {root / "tests/testdata/configs/valid",
                               root / "../shared/conformance/label-studio"}) {
      for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".xml") files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      auto config = tessera::ParseLabelingConfig(text.str());
      if (config.ok()) out->push_back(*config);
    }
    return out;
  }();
  return *configs;
}

void ValidateAll(const json& result) {
  for (const auto& config : Configs()) (void)tessera::ValidateResult(*config, result);
}

// Finds result arrays in the shapes the seeds use.
void Visit(const json& value, int depth) {
  if (depth > 4) return;
  if (value.is_array()) {
    ValidateAll(value);
    for (const auto& item : value) {
      if (item.is_object()) Visit(item, depth + 1);
    }
  } else if (value.is_object()) {
    for (const char* key : {"result", "annotations", "completions", "predictions", "cases"}) {
      auto it = value.find(key);
      if (it != value.end()) Visit(*it, depth + 1);
    }
    if (!value.contains("result")) ValidateAll(value);  // a non-array must be rejected cleanly
  } else {
    ValidateAll(value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  json value = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return 0;
  Visit(value, 0);
  return 0;
}
