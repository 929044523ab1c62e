#include "server/api/line_diff.h"

#include <gtest/gtest.h>

namespace tessera::server {
namespace {

// The diff as "=line", "+line", "-line" strings, for compact expectations.
std::vector<std::string> Script(std::string_view from, std::string_view to) {
  std::vector<std::string> out;
  for (const DiffLine& line : DiffLines(from, to)) {
    char op = line.op == DiffOp::kSame ? '=' : line.op == DiffOp::kAdded ? '+' : '-';
    out.push_back(op + line.text);
  }
  return out;
}

TEST(LineDiff, SplitLinesDropsCarriageReturnsAndTheFinalBreak) {
  auto lines = SplitLines("a\r\nb\n\nc\n");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "a");
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "c");
  EXPECT_TRUE(SplitLines("").empty());
}

TEST(LineDiff, MinimalScriptWithRemovalsBeforeAdditions) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Script("a\nb\nc", "a\nb\nc"), (V{"=a", "=b", "=c"}));
  EXPECT_EQ(Script("a\nb\nc", "a\nx\nc"), (V{"=a", "-b", "+x", "=c"}));
  EXPECT_EQ(Script("", "new"), (V{"+new"}));
  EXPECT_EQ(Script("old\n", ""), (V{"-old"}));
  EXPECT_EQ(Script("a\nb\nc\nd", "b\nc\ne\nd"), (V{"-a", "=b", "=c", "+e", "=d"}));
  // A moved line is one removal and one addition; the rest stays.
  EXPECT_EQ(Script("x\na\nb", "a\nb\nx"), (V{"-x", "=a", "=b", "+x"}));
}

TEST(LineDiff, HugeChangesFallBackToRemoveThenAdd) {
  std::string from, to;
  for (int line_idx = 0; line_idx < 2100; ++line_idx) {
    from += "a" + std::to_string(line_idx) + "\n";
    to += "b" + std::to_string(line_idx) + "\n";
  }
  auto script = DiffLines("head\n" + from, "head\n" + to);
  ASSERT_EQ(script.size(), 1u + 2100 + 2100);
  EXPECT_EQ(script[0].op, DiffOp::kSame);
  EXPECT_EQ(script[1].op, DiffOp::kRemoved);
  EXPECT_EQ(script[2100].op, DiffOp::kRemoved);
  EXPECT_EQ(script[2101].op, DiffOp::kAdded);
  EXPECT_EQ(script[2101].text, "b0");
}

}  // namespace
}  // namespace tessera::server
