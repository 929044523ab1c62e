// A line-based diff of two texts (for comparing guideline versions): the
// longest common subsequence of lines after trimming the common prefix and
// suffix. When the part that differs is too large for the quadratic table
// (more than kMaxDiffCells line pairs), it is reported as all removed, then
// all added: still a correct diff, just not a minimal one.
//
// Thread-safety: pure function.
#ifndef TESSERA_SERVER_API_LINE_DIFF_H_
#define TESSERA_SERVER_API_LINE_DIFF_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::server {

enum class DiffOp { kSame, kAdded, kRemoved };

struct DiffLine {
  DiffOp op = DiffOp::kSame;
  std::string text;  // without the line break
};

inline constexpr size_t kMaxDiffCells = 4'000'000;

// Lines of `text` split at '\n' (a '\r' before it is dropped); a text ending
// in a line break has no empty last line.
std::vector<std::string_view> SplitLines(std::string_view text);

// The edit script that turns `from` into `to`, in order: every line of `from`
// appears once as kSame or kRemoved, every line of `to` once as kSame or
// kAdded. Removals come before additions within a changed run.
std::vector<DiffLine> DiffLines(std::string_view from, std::string_view to);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_LINE_DIFF_H_
