// File helpers for the config tests. Tests run from the repository root.
#ifndef TESSERA_SRC_CONFIG_TEST_FILES_H_
#define TESSERA_SRC_CONFIG_TEST_FILES_H_

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tessera::config_test {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Files in `dir` whose names end with `suffix`, sorted; empty if no such dir.
inline std::vector<std::filesystem::path> FilesIn(const std::filesystem::path& dir, const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// gtest parameter names allow only letters, digits and underscores.
inline std::string TestName(const std::filesystem::path& path) {
  std::string name = path.stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

}  // namespace tessera::config_test

#endif  // TESSERA_SRC_CONFIG_TEST_FILES_H_
