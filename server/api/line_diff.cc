#include "server/api/line_diff.h"

#include <algorithm>
#include <cstdint>

namespace tessera::server {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<DiffLine> DiffLines(std::string_view from, std::string_view to) {
  std::vector<std::string_view> a = SplitLines(from);
  std::vector<std::string_view> b = SplitLines(to);
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  std::vector<DiffLine> out;
  for (size_t line_idx = 0; line_idx < prefix; ++line_idx) {
    out.push_back({DiffOp::kSame, std::string(a[line_idx])});
  }
  // The middle parts: a[prefix, a_end) and b[prefix, b_end).
  size_t n = a.size() - prefix - suffix;
  size_t m = b.size() - prefix - suffix;
  if (n > 0 && m > 0 && n * m <= kMaxDiffCells) {
    // lcs[i][j]: LCS length of a-middle[i..] and b-middle[j..].
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        at(i, j) = a[prefix + i] == b[prefix + j] ? at(i + 1, j + 1) + 1
                                                  : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    size_t i = 0, j = 0;
    std::vector<DiffLine> added;  // held back so removals come first in a run
    auto flush = [&] {
      for (DiffLine& line : added) out.push_back(std::move(line));
      added.clear();
    };
    while (i < n || j < m) {
      if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
        flush();
        out.push_back({DiffOp::kSame, std::string(a[prefix + i])});
        ++i, ++j;
      } else if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
        added.push_back({DiffOp::kAdded, std::string(b[prefix + j])});
        ++j;
      } else {
        out.push_back({DiffOp::kRemoved, std::string(a[prefix + i])});
        ++i;
      }
    }
    flush();
  } else {
    for (size_t line_idx = 0; line_idx < n; ++line_idx) {
      out.push_back({DiffOp::kRemoved, std::string(a[prefix + line_idx])});
    }
    for (size_t line_idx = 0; line_idx < m; ++line_idx) {
      out.push_back({DiffOp::kAdded, std::string(b[prefix + line_idx])});
    }
  }
  for (size_t line_idx = a.size() - suffix; line_idx < a.size(); ++line_idx) {
    out.push_back({DiffOp::kSame, std::string(a[line_idx])});
  }
  return out;
}

}  // namespace tessera::server
