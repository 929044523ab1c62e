// tessera quality spans: entity-level precision, recall and F1 of one CoNLL
// IOB2 file against another (micro-averaged and per entity type).
#include <cstdio>
#include <map>
#include <sstream>

#include "cli/quality_commands.h"
#include "cli/quality_input.h"
#include "tessera/util.h"

namespace tessera::cli {

namespace {

using json = nlohmann::ordered_json;

// Sentences of a CoNLL file: per token its first column, its tag (last
// column) and its line.
struct ConllFile {
  struct Token {
    std::string text, tag;
    int64_t line = 0;
  };
  std::vector<std::vector<Token>> sentences;
  size_t tokens = 0;
};

bool IsIob2Tag(const std::string& tag) {
  if (tag == "O") return true;
  return tag.size() > 2 && (tag[0] == 'B' || tag[0] == 'I') && tag[1] == '-';
}

bool ReadConll(const std::string& path, const std::string& option, ConllFile* out, QualityError* error) {
  std::string text;
  if (!ReadInputFile(path, option, &text, error)) return false;
  std::istringstream lines(text);
  std::string line;
  int64_t line_no = 0;
  std::vector<ConllFile::Token> sentence;
  const auto close = [&] {
    if (!sentence.empty()) out->sentences.push_back(std::move(sentence));
    sentence.clear();
  };
  while (std::getline(lines, line)) {
    ++line_no;
    std::istringstream columns(line);
    std::vector<std::string> fields;
    for (std::string field; columns >> field;) fields.push_back(field);
    if (fields.empty() || fields.front() == "-DOCSTART-") {
      close();
      continue;
    }
    ConllFile::Token token{fields.size() > 1 ? fields.front() : "", fields.back(), line_no};
    if (!IsIob2Tag(token.tag)) {
      *error = DataError(path + ":" + std::to_string(line_no) + ": tag \"" + token.tag +
                         "\" (last column) is not an IOB2 tag; use O, B-TYPE or I-TYPE");
      return false;
    }
    sentence.push_back(std::move(token));
    ++out->tokens;
  }
  close();
  if (out->sentences.empty()) {
    *error = DataError(path + ": no tokens; expected one token per line with its tag in the last "
                              "column and blank lines between sentences");
    return false;
  }
  return true;
}

// The candidate must hold the reference's tokens, sentence by sentence.
bool CheckAligned(const QualitySpansArgs& args, const ConllFile& reference, const ConllFile& candidate,
                  QualityError* error) {
  const size_t shared = std::min(reference.sentences.size(), candidate.sentences.size());
  for (size_t sent_idx = 0; sent_idx < shared; ++sent_idx) {
    const auto& want = reference.sentences[sent_idx];
    const auto& got = candidate.sentences[sent_idx];
    for (size_t tok_idx = 0; tok_idx < std::min(want.size(), got.size()); ++tok_idx) {
      if (!want[tok_idx].text.empty() && !got[tok_idx].text.empty() &&
          want[tok_idx].text != got[tok_idx].text) {
        *error = DataError(args.candidate + ":" + std::to_string(got[tok_idx].line) + ": token \"" +
                           got[tok_idx].text + "\" but the reference has \"" + want[tok_idx].text +
                           "\" (" + args.reference + ":" + std::to_string(want[tok_idx].line) +
                           "); both files must hold the same tokens in the same order");
        return false;
      }
    }
    if (want.size() != got.size()) {
      *error = DataError(args.candidate + ":" + std::to_string(got.front().line) + ": sentence " +
                         std::to_string(sent_idx + 1) + " has " + std::to_string(got.size()) +
                         " tokens but the reference's (" + args.reference + ":" +
                         std::to_string(want.front().line) + ") has " + std::to_string(want.size()));
      return false;
    }
  }
  if (reference.sentences.size() != candidate.sentences.size()) {
    *error = DataError(args.candidate + ": " + std::to_string(candidate.sentences.size()) +
                       " sentences but the reference " + args.reference + " has " +
                       std::to_string(reference.sentences.size()));
    return false;
  }
  return true;
}

struct Counts {
  size_t true_positives = 0, reference = 0, candidate = 0;
};

json Scores(const Counts& counts) {
  const double tp = static_cast<double>(counts.true_positives);
  const double precision = counts.candidate ? tp / static_cast<double>(counts.candidate) : 0.0;
  const double recall = counts.reference ? tp / static_cast<double>(counts.reference) : 0.0;
  const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
  return {{"precision", precision}, {"recall", recall}, {"f1", f1}, {"support", counts.reference}};
}

std::vector<quality::Span> OfType(const std::vector<quality::Span>& spans, const std::string& type) {
  std::vector<quality::Span> out;
  for (const quality::Span& span : spans) {
    if (span.label == type) out.push_back(span);
  }
  return out;
}

void PrintRow(const std::string& name, const json& scores) {
  std::printf("%-16s %9s %9s %9s %8zu\n", name.c_str(), Format(scores["precision"].get<double>()).c_str(),
              Format(scores["recall"].get<double>()).c_str(), Format(scores["f1"].get<double>()).c_str(),
              scores["support"].get<size_t>());
}

}  // namespace

int RunQualitySpans(const QualitySpansArgs& args) {
  ConllFile reference, candidate;
  QualityError error;
  if (!ReadConll(args.reference, "--reference", &reference, &error)) return Report(error);
  if (!ReadConll(args.candidate, "--candidate", &candidate, &error)) return Report(error);
  if (!CheckAligned(args, reference, candidate, &error)) return Report(error);
  const quality::TagScheme scheme =
      args.mode == "lenient" ? quality::TagScheme::kConllLenient : quality::TagScheme::kStrictIob2;
  Counts micro;
  std::map<std::string, Counts> per_type;
  for (size_t sent_idx = 0; sent_idx < reference.sentences.size(); ++sent_idx) {
    std::vector<std::string> want_tags, got_tags;
    for (const auto& token : reference.sentences[sent_idx]) want_tags.push_back(token.tag);
    for (const auto& token : candidate.sentences[sent_idx]) got_tags.push_back(token.tag);
    const auto want = quality::SpansFromTags(want_tags, scheme);
    const auto got = quality::SpansFromTags(got_tags, scheme);
    for (const auto* spans : {&want, &got}) {
      for (const quality::Span& span : *spans) per_type[span.label];
    }
    for (auto& [type, counts] : per_type) {
      const auto score =
          quality::MatchSpans(OfType(want, type), OfType(got, type), quality::SpanMatchMode::kExact);
      counts.true_positives += score.true_positives;
      counts.reference += score.true_positives + score.false_negatives;
      counts.candidate += score.true_positives + score.false_positives;
    }
  }
  json types = json::object();
  for (const auto& [type, counts] : per_type) {
    micro.true_positives += counts.true_positives;
    micro.reference += counts.reference;
    micro.candidate += counts.candidate;
    types[type] = Scores(counts);
  }
  json report = {{"mode", args.mode},
                 {"micro", Scores(micro)},
                 {"per_type", std::move(types)},
                 {"sentences", reference.sentences.size()},
                 {"tokens", reference.tokens},
                 {"reference_entities", micro.reference},
                 {"candidate_entities", micro.candidate},
                 {"matched_entities", micro.true_positives}};
  if (args.json) {
    PrintJson(report);
    return 0;
  }
  std::printf("mode %s: %zu sentences, %zu tokens; %zu reference entities, %zu candidate, %zu matched\n",
              args.mode.c_str(), reference.sentences.size(), reference.tokens, micro.reference,
              micro.candidate, micro.true_positives);
  std::printf("%-16s %9s %9s %9s %8s\n", "type", "precision", "recall", "f1", "support");
  for (const auto& [type, scores] : report["per_type"].items()) PrintRow(type, scores);
  PrintRow("micro", report["micro"]);
  return 0;
}

}  // namespace tessera::cli
