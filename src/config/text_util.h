// Small string helpers shared by the config parser and result validator.
// Internal to src/config.
#ifndef TESSERA_SRC_CONFIG_TEXT_UTIL_H_
#define TESSERA_SRC_CONFIG_TEXT_UTIL_H_

#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::config_internal {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

inline std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// A whole-string integer ("12", " 3 "); nullopt for "", "1.5", "ten".
inline std::optional<long long> ParseInt(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A whole-string decimal number ("0.5", "-3", "1e3").
inline std::optional<double> ParseNumber(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "a, b,,c" -> {"a", "b", "c"}: trimmed, empty pieces dropped.
inline std::vector<std::string> SplitList(std::string_view text, char separator = ',') {
  std::vector<std::string> out;
  while (true) {
    size_t at = text.find(separator);
    std::string_view piece = Trim(text.substr(0, at));
    if (!piece.empty()) out.emplace_back(piece);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

// {"a", "b"} -> "a, b"; `none` when empty.
inline std::string JoinList(const std::vector<std::string>& items, std::string_view none = "none") {
  if (items.empty()) return std::string(none);
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// The task field a "$field" reference reads: "$image" -> "image",
// "$images[{{idx}}].url" -> "images" (a Repeater item). "" when `value` is a
// literal rather than a reference.
inline std::string DataKeyOf(std::string_view value) {
  if (value.size() < 2 || value.front() != '$') return "";
  std::string_view key = value.substr(1);
  key = key.substr(0, key.find('['));
  return std::string(Trim(key));
}

// A name inside a <Repeater> is a template: each `flag` in it stands for an
// index (one or more digits). "img_{{idx}}" matches "img_0" and "img_12".
inline bool MatchesTemplate(std::string_view pattern, std::string_view flag, std::string_view name) {
  if (pattern == name) return true;
  if (flag.empty() || pattern.find(flag) == std::string_view::npos) return false;
  size_t pos = 0;  // in name
  while (true) {
    size_t flag_at = pattern.find(flag);
    std::string_view literal = pattern.substr(0, flag_at);
    if (name.substr(pos, literal.size()) != literal) return false;
    pos += literal.size();
    if (flag_at == std::string_view::npos) return pos == name.size();
    size_t digits = 0;
    while (pos + digits < name.size() && std::isdigit(static_cast<unsigned char>(name[pos + digits]))) ++digits;
    if (digits == 0) return false;
    pos += digits;
    pattern = pattern.substr(flag_at + flag.size());
  }
}

}  // namespace tessera::config_internal

#endif  // TESSERA_SRC_CONFIG_TEXT_UTIL_H_
