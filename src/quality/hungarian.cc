// Minimum-cost rectangular assignment: the Hungarian method in its
// shortest-augmenting-path form with row/column potentials (Kuhn 1955,
// Munkres 1957; the O(n^2 m) formulation popularised by Jonker & Volgenant).
// Rows are added one at a time; each addition grows a Dijkstra-like tree of
// reduced costs until it reaches a free column, then flips the path.
#include <cmath>
#include <limits>
#include <string>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

// Requires rows <= cols. Returns the column of each row.
std::vector<int> AssignRowsToColumns(const std::vector<std::vector<double>>& cost) {
  const size_t rows = cost.size(), cols = cost.front().size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // 1-based: column 0 is a virtual column holding the row being inserted.
  std::vector<double> row_potential(rows + 1, 0.0), col_potential(cols + 1, 0.0);
  std::vector<size_t> row_of_col(cols + 1, 0);  // 0 = free
  std::vector<size_t> previous_col(cols + 1, 0);
  for (size_t row = 1; row <= rows; ++row) {
    row_of_col[0] = row;
    size_t col = 0;
    std::vector<double> slack(cols + 1, kInf);
    std::vector<bool> in_tree(cols + 1, false);
    do {
      in_tree[col] = true;
      const size_t tree_row = row_of_col[col];
      double delta = kInf;
      size_t next_col = 0;
      for (size_t cand = 1; cand <= cols; ++cand) {
        if (in_tree[cand]) continue;
        const double reduced =
            cost[tree_row - 1][cand - 1] - row_potential[tree_row] - col_potential[cand];
        if (reduced < slack[cand]) {
          slack[cand] = reduced;
          previous_col[cand] = col;
        }
        if (slack[cand] < delta) {
          delta = slack[cand];
          next_col = cand;
        }
      }
      for (size_t cand = 0; cand <= cols; ++cand) {
        if (in_tree[cand]) {
          row_potential[row_of_col[cand]] += delta;
          col_potential[cand] -= delta;
        } else {
          slack[cand] -= delta;
        }
      }
      col = next_col;
    } while (row_of_col[col] != 0);
    // Flip the augmenting path back to the virtual column.
    do {
      const size_t prev = previous_col[col];
      row_of_col[col] = row_of_col[prev];
      col = prev;
    } while (col != 0);
  }
  std::vector<int> assignment(rows, -1);
  for (size_t col_idx = 1; col_idx <= cols; ++col_idx) {
    if (row_of_col[col_idx] != 0) assignment[row_of_col[col_idx] - 1] = static_cast<int>(col_idx - 1);
  }
  return assignment;
}

}  // namespace

Result<std::vector<int>> SolveAssignment(const std::vector<std::vector<double>>& cost) {
  if (cost.empty()) return std::vector<int>{};
  const size_t cols = cost.front().size();
  for (size_t row = 0; row < cost.size(); ++row) {
    if (cost[row].size() != cols) {
      return Status::InvalidArgument("cost matrix row " + std::to_string(row) +
                                     " has a different length from row 0");
    }
    for (double value : cost[row]) {
      if (!std::isfinite(value)) return Status::InvalidArgument("cost matrix holds a non-finite value");
    }
  }
  if (cols == 0) return std::vector<int>(cost.size(), -1);
  if (cost.size() <= cols) return AssignRowsToColumns(cost);
  // More rows than columns: solve the transpose and invert it.
  std::vector<std::vector<double>> transposed(cols, std::vector<double>(cost.size()));
  for (size_t row = 0; row < cost.size(); ++row) {
    for (size_t col = 0; col < cols; ++col) transposed[col][row] = cost[row][col];
  }
  const std::vector<int> row_of_col = AssignRowsToColumns(transposed);
  std::vector<int> assignment(cost.size(), -1);
  for (size_t col = 0; col < cols; ++col) assignment[static_cast<size_t>(row_of_col[col])] = static_cast<int>(col);
  return assignment;
}

}  // namespace tessera::quality
