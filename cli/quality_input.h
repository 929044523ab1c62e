// Inputs of `tessera quality`: reading files, reporting errors with the exit
// codes the command group promises, and turning judgement files (CSV
// item,annotator,label or a Label Studio JSON/JSONL export) into the quality
// library's rating tables.
//
// Thread-safety: pure functions (apart from printing in Fail*).
#ifndef TESSERA_CLI_QUALITY_INPUT_H_
#define TESSERA_CLI_QUALITY_INPUT_H_

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tessera/quality.h"
#include "tessera/status.h"

namespace tessera::cli {

// Exit codes of `tessera quality`.
inline constexpr int kExitDataError = 1;   // the input files are wrong
inline constexpr int kExitUsageError = 2;  // the command line is wrong

// An error to print as one line "tessera quality: <message>" and exit with.
struct QualityError {
  int exit_code = kExitDataError;
  std::string message;
};
QualityError UsageError(std::string message);
QualityError DataError(std::string message);
// Prints the error; returns its exit code.
int Report(const QualityError& error);

// Reads the whole file into *text; a usage error when it cannot be read
// (`option` names the command-line option, e.g. "--input").
bool ReadInputFile(const std::string& path, const std::string& option, std::string* text,
                   QualityError* error);

// Parses JSON; on failure a data error "PATH: not valid JSON: at line L,
// column C: ...".
bool ParseJsonText(const std::string& path, const std::string& text, nlohmann::json* out,
                   QualityError* error);

// One table of categorical judgements: every (item, annotator, label).
struct Judgements {
  std::string control;  // Label Studio control name; empty for CSV input
  std::vector<std::string> items;       // first-seen order
  std::vector<std::string> annotators;  // first-seen order
  struct Entry {
    size_t item = 0, annotator = 0;
    std::string label;
  };
  std::vector<Entry> entries;
};

// Reads FILE as CSV (header item,annotator,label, any order, other columns
// ignored) or, when its first non-blank byte is '[' or '{', as a Label Studio
// JSON array, JSONL or single-task export. For an export, one Judgements per
// classification control (choices, rating, number, taxonomy results without
// a region), or only `control` when it is not empty. Errors name the file and
// the line.
bool LoadJudgements(const std::string& path, const std::string& control,
                    std::vector<Judgements>* out, QualityError* error);

// LoadJudgements for a Label Studio export whose text is `text`.
bool LoadExportJudgements(const std::string& path, const std::string& text,
                          const std::string& control, std::vector<Judgements>* out,
                          QualityError* error);

// nlohmann's parse error without its "[json.exception...] " prefix; empty
// when `text` is valid JSON (then *out holds it).
std::string TryParseJson(const std::string& text, nlohmann::json* out);

// Category codes for label strings. If every label parses as a number, a
// label's code is its value (so "1" and "1.0" are one category); otherwise
// codes are ranks 0, 1, ... in byte-wise sorted label order. `names[k]` is
// the label text of the k-th category in ascending code order.
struct LabelCodes {
  bool numeric = false;
  std::vector<double> codes;        // ascending
  std::vector<std::string> names;   // parallel to codes
  std::map<std::string, double> code_of;  // every label text seen
  // The label text of a code (which must be one of `codes`).
  const std::string& NameOf(double code) const;
};
LabelCodes MakeLabelCodes(const Judgements& judgements);
quality::RatingTable MakeTable(const Judgements& judgements, const LabelCodes& codes);

// Prints `value` as indented JSON and a newline; invalid UTF-8 in strings
// (labels, names) is replaced by U+FFFD rather than failing.
void PrintJson(const nlohmann::ordered_json& value);

// Prints one report per judgement table: with --json one object, or
// {"controls": [...]} when `grouped` (a Label Studio export read without
// --control); otherwise `print_human` for each, separated by blank lines.
void EmitReports(const nlohmann::ordered_json& reports, bool grouped, bool as_json,
                 const std::function<void(const nlohmann::ordered_json&)>& print_human);

// A double for JSON output (reports keep their keys in insertion order): NaN
// and infinities become null.
nlohmann::ordered_json Number(double value);
// A number for people: up to 4 decimals, or "undefined" for NaN.
std::string Format(double value);

}  // namespace tessera::cli

#endif  // TESSERA_CLI_QUALITY_INPUT_H_
