// Agreement on single values: choice sets, numbers and free text.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// Code points of UTF-8 text; a byte that does not start a valid sequence
// becomes its own symbol (offset past the Unicode range so it never equals
// a real code point).
std::vector<uint32_t> CodePoints(std::string_view text) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                                    : (lead >> 3) == 0x1E ? 4 : 0;
    bool valid = length > 0 && pos + length <= text.size();
    uint32_t code = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
    for (size_t extra = 1; valid && extra < length; ++extra) {
      const auto next = static_cast<unsigned char>(text[pos + extra]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    if (!valid) {
      out.push_back(0x110000u + lead);
      pos += 1;
    } else {
      out.push_back(code);
      pos += length;
    }
  }
  return out;
}

std::string Normalize(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

size_t Levenshtein(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t col = 0; col <= b.size(); ++col) row[col] = col;
  for (size_t a_idx = 1; a_idx <= a.size(); ++a_idx) {
    size_t diagonal = row[0];
    row[0] = a_idx;
    for (size_t b_idx = 1; b_idx <= b.size(); ++b_idx) {
      const size_t above = row[b_idx];
      const size_t substitute = diagonal + (a[a_idx - 1] == b[b_idx - 1] ? 0 : 1);
      row[b_idx] = std::min({above + 1, row[b_idx - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

double ChoicesExactMatch(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::set<std::string>(a.begin(), a.end()) == std::set<std::string>(b.begin(), b.end())
             ? 1.0
             : 0.0;
}

double ChoicesJaccard(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::set<std::string> left(a.begin(), a.end()), right(b.begin(), b.end());
  std::vector<std::string> common;
  std::set_intersection(left.begin(), left.end(), right.begin(), right.end(),
                        std::back_inserter(common));
  const size_t united = left.size() + right.size() - common.size();
  return united == 0 ? 1.0 : static_cast<double>(common.size()) / static_cast<double>(united);
}

double NumberDifference(double a, double b) { return std::abs(a - b); }

size_t EditDistance(std::string_view a, std::string_view b) {
  return Levenshtein(CodePoints(a), CodePoints(b));
}

double TextSimilarity(std::string_view a, std::string_view b, bool normalize) {
  const std::vector<uint32_t> left = normalize ? CodePoints(Normalize(a)) : CodePoints(a);
  const std::vector<uint32_t> right = normalize ? CodePoints(Normalize(b)) : CodePoints(b);
  const size_t longest = std::max(left.size(), right.size());
  if (longest == 0) return 1.0;
  return 1.0 - static_cast<double>(Levenshtein(left, right)) / static_cast<double>(longest);
}

}  // namespace tessera::quality
