// CoNLL-2003 (IOB2) and spaCy-style JSONL from text spans.
//
// Tokens are maximal runs of non-whitespace; offsets are counted in Unicode
// code points, as Label Studio counts them. A token overlapping a span gets
// B-<label> (the span's first token) or I-<label>; others get O. A span that
// starts or ends inside a token is widened to the whole token and counted.
// CoNLL lines are "<token> -X- _ <tag>", one blank line after each task, after
// a leading "-DOCSTART- -X- -X- O".
// Import: each blank-line separated sentence becomes a task whose text is its
// tokens joined by single spaces, with spans rebuilt from the tags (IOB1 runs
// of I- tags are accepted too).
#include <algorithm>

#include "src/formats/dataset_io.h"
#include "tessera/util.h"

namespace tessera::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Token {
  int64_t start = 0;  // code points
  int64_t end = 0;
  std::string text;
};

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::vector<Token> Tokenize(const std::string& text) {
  std::vector<Token> tokens;
  int64_t cp = 0;
  Token current;
  bool in_token = false;
  for (size_t byte = 0; byte < text.size(); ++byte) {
    unsigned char c = static_cast<unsigned char>(text[byte]);
    bool continuation = (c & 0xC0) == 0x80;
    if (!continuation && IsSpace(c)) {
      if (in_token) {
        current.end = cp;
        tokens.push_back(std::move(current));
        current = Token{};
        in_token = false;
      }
    } else {
      if (!in_token) {
        current.start = cp;
        in_token = true;
      }
      current.text.push_back(static_cast<char>(c));
    }
    if (!continuation) ++cp;
  }
  if (in_token) {
    current.end = cp;
    tokens.push_back(std::move(current));
  }
  return tokens;
}

// IOB2 tags for `tokens` from `spans` (earlier-starting spans win overlaps).
std::vector<std::string> Tags(const std::vector<Token>& tokens, std::vector<Span> spans, Tally& skipped) {
  std::vector<std::string> tags(tokens.size(), "O");
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
  for (const Span& span : spans) {
    bool first = true;
    for (size_t idx = 0; idx < tokens.size(); ++idx) {
      const Token& token = tokens[idx];
      if (token.end <= span.start || token.start >= span.end) continue;
      if (tags[idx] != "O") {
        skipped.Add("CoNLL: overlapping span");
        break;
      }
      if (token.start < span.start || token.end > span.end) skipped.Add("CoNLL: span boundary inside a token");
      tags[idx] = (first ? "B-" : "I-") + span.label;
      first = false;
    }
  }
  return tags;
}

class ConllWriter : public DatasetWriter {
 public:
  explicit ConllWriter(const WriterContext& ctx) : ctx_(ctx), file_(*ctx.sink) {}

  Status Add(const Item& item) override {
    if (!started_) TESSERA_RETURN_IF_ERROR(Start());
    std::vector<Token> tokens = Tokenize(item.text);
    if (tokens.empty()) return Status::Ok();
    std::vector<std::string> tags = Tags(tokens, item.spans, *ctx_.skipped);
    std::string out;
    for (size_t idx = 0; idx < tokens.size(); ++idx) out += tokens[idx].text + " -X- _ " + tags[idx] + "\n";
    return file_.Write(out + "\n");
  }

  Status Finish() override {
    if (!started_) TESSERA_RETURN_IF_ERROR(Start());
    return file_.Close();
  }

 private:
  Status Start() {
    started_ = true;
    TESSERA_RETURN_IF_ERROR(file_.Open("result.conll"));
    return file_.Write("-DOCSTART- -X- -X- O\n\n");
  }

  WriterContext ctx_;
  SinkFile file_;
  bool started_ = false;
};

class SpacyWriter : public DatasetWriter {
 public:
  explicit SpacyWriter(const WriterContext& ctx) : file_(*ctx.sink) {}

  Status Add(const Item& item) override {
    if (!started_) {
      started_ = true;
      TESSERA_RETURN_IF_ERROR(file_.Open("result.jsonl"));
    }
    json entities = json::array();
    std::vector<Span> spans = item.spans;
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
    for (const Span& span : spans) entities.push_back(json::array({span.start, span.end, span.label}));
    json line = {{"id", item.id}, {"text", item.text}, {"entities", std::move(entities)}};
    return file_.Write(line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
  }

  Status Finish() override {
    if (!started_) TESSERA_RETURN_IF_ERROR(file_.Open("result.jsonl"));
    return file_.Close();
  }

 private:
  SinkFile file_;
  bool started_ = false;
};

int64_t CodePoints(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

class SentenceBuilder {
 public:
  void AddToken(std::string_view token, std::string_view tag, Tally* problems) {
    if (!item_.text.empty()) {
      item_.text += ' ';
      ++cp_;
    }
    int64_t start = cp_;
    item_.text += token;
    cp_ += CodePoints(token);
    std::string label;
    bool begin = false;
    if (tag.size() > 2 && (tag.substr(0, 2) == "B-" || tag.substr(0, 2) == "I-")) {
      label = std::string(tag.substr(2));
      begin = tag[0] == 'B';
    } else if (tag != "O") {
      problems->Add("CoNLL: tag neither O nor B-/I-<label>");
    }
    if (label.empty() || begin || !open_ || item_.spans.back().label != label) {
      open_ = false;
      if (!label.empty()) {
        item_.spans.push_back(Span{start, cp_, label});
        open_ = true;
      }
    } else {
      item_.spans.back().end = cp_;
    }
  }
  bool empty() const { return item_.text.empty(); }
  Item Take() {
    Item item = std::move(item_);
    item_ = Item{};
    cp_ = 0;
    open_ = false;
    return item;
  }

 private:
  Item item_;
  int64_t cp_ = 0;
  bool open_ = false;
};

}  // namespace

std::unique_ptr<DatasetWriter> NewConllWriter(const WriterContext& ctx) { return std::make_unique<ConllWriter>(ctx); }
std::unique_ptr<DatasetWriter> NewSpacyWriter(const WriterContext& ctx) { return std::make_unique<SpacyWriter>(ctx); }

Status ReadConll(const fs::path& path, const ReadOptions& options, DatasetHeader* header, Tally* problems,
                 const ItemSink& sink) {
  fs::path file = path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    file.clear();
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".conll" || ext == ".txt" || ext == ".iob")) {
        if (file.empty() || entry.path() < file) file = entry.path();
      }
    }
    if (file.empty()) return Status::NotFound("no .conll file in " + path.string());
  }
  TESSERA_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(file, options.max_file_bytes));
  SentenceBuilder sentence;
  int64_t sentence_no = 0;
  std::vector<std::string> labels;
  auto flush = [&]() -> Status {
    if (sentence.empty()) return Status::Ok();
    Item item = sentence.Take();
    item.id = std::to_string(++sentence_no);
    for (const Span& span : item.spans) {
      if (std::find(labels.begin(), labels.end(), span.label) == labels.end()) {
        labels.push_back(span.label);
        header->categories.push_back(Category{span.label, {}, {}});
      }
    }
    return sink(std::move(item));
  };
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line = Trim(std::string_view(text).substr(start, end - start));
    start = end + 1;
    if (line.empty()) {
      TESSERA_RETURN_IF_ERROR(flush());
      continue;
    }
    if (StartsWith(line, "-DOCSTART-")) continue;
    size_t first_space = line.find_first_of(" \t");
    size_t last_space = line.find_last_of(" \t");
    if (first_space == std::string_view::npos) {
      problems->Add("CoNLL: line without a tag column");
      continue;
    }
    sentence.AddToken(line.substr(0, first_space), line.substr(last_space + 1), problems);
  }
  return flush();
}

}  // namespace tessera::formats
