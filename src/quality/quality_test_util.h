// Test helpers: load reliability data from tests/testdata/quality.
#ifndef TESSERA_SRC_QUALITY_QUALITY_TEST_UTIL_H_
#define TESSERA_SRC_QUALITY_QUALITY_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tessera/quality.h"

namespace tessera::quality::testing {

inline std::string TestDataPath(const std::string& name) {
  return "tests/testdata/quality/" + name;  // tests run from the repository root
}

// Comma-separated cells; lines starting with '#' are comments.
inline std::vector<std::vector<std::string>> ReadCsv(const std::string& name) {
  std::ifstream in(TestDataPath(name));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream stream(line);
    std::string cell;
    while (std::getline(stream, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

// A rating table; "." is a missing rating.
inline RatingTable LoadRatings(const std::string& name) {
  RatingTable table;
  for (const auto& cells : ReadCsv(name)) {
    std::vector<Rating> row;
    for (const auto& cell : cells) {
      row.push_back(cell == "." ? Rating() : Rating(std::stod(cell)));
    }
    table.push_back(row);
  }
  return table;
}

// Rows of per-category counts (category k is value k + 1) expanded into a
// table with as many annotator columns as the largest row total; short rows
// are padded with missing ratings. Rater identity does not matter to the
// multi-rater coefficients.
inline RatingTable TableFromCounts(const std::vector<std::vector<int>>& counts) {
  size_t width = 0;
  for (const auto& row : counts) {
    size_t total = 0;
    for (int count : row) total += static_cast<size_t>(count);
    width = std::max(width, total);
  }
  RatingTable table;
  for (const auto& row : counts) {
    std::vector<Rating> ratings;
    for (size_t cat = 0; cat < row.size(); ++cat) {
      for (int rep = 0; rep < row[cat]; ++rep) ratings.push_back(static_cast<double>(cat + 1));
    }
    ratings.resize(width);
    table.push_back(ratings);
  }
  return table;
}

inline std::vector<std::vector<int>> LoadCounts(const std::string& name) {
  std::vector<std::vector<int>> counts;
  for (const auto& cells : ReadCsv(name)) {
    std::vector<int> row;
    for (const auto& cell : cells) row.push_back(std::stoi(cell));
    counts.push_back(row);
  }
  return counts;
}

// A two-annotator table from a q x q contingency table (category k = k + 1).
inline RatingTable TableFromContingency(const std::vector<std::vector<int>>& table) {
  RatingTable out;
  for (size_t first = 0; first < table.size(); ++first) {
    for (size_t second = 0; second < table[first].size(); ++second) {
      for (int rep = 0; rep < table[first][second]; ++rep) {
        out.push_back({static_cast<double>(first + 1), static_cast<double>(second + 1)});
      }
    }
  }
  return out;
}

}  // namespace tessera::quality::testing

#endif  // TESSERA_SRC_QUALITY_QUALITY_TEST_UTIL_H_
