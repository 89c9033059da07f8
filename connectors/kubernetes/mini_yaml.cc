#include "connectors/kubernetes/mini_yaml.h"

#include <string>
#include <vector>

namespace timelined::connectors::kubernetes {
namespace {

using nlohmann::json;

struct Line {
  size_t number = 0;  // 1-based
  size_t indent = 0;
  std::string text;  // without indentation, comment and trailing spaces
};

auto Bad(size_t line, std::string why) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_yaml",
                   "line " + std::to_string(line) + ": " + std::move(why));
}

// Removes a comment ('#' at the start or after whitespace, outside quotes).
std::string StripComment(std::string_view s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
      return std::string(s.substr(0, i));
    }
  }
  return std::string(s);
}

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  size_t number = 0;
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string s = StripComment(text.substr(pos, end - pos));
    pos = end + 1;
    ++number;
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
    const size_t indent = s.find_first_not_of(' ');
    if (indent == std::string::npos || s == "---" || s == "...") continue;
    lines.push_back({number, indent, s.substr(indent)});
  }
  return lines;
}

Result<json> Scalar(std::string_view s, size_t line) {
  if (s.empty() || s == "null" || s == "~") return json(nullptr);
  if (s == "true" || s == "True") return json(true);
  if (s == "false" || s == "False") return json(false);
  if (s == "{}") return json::object();
  if (s == "[]") return json::array();
  if (s.front() == '"') {
    auto j = json::parse(s, nullptr, false);  // YAML double quotes ~ JSON strings
    if (j.is_discarded() || !j.is_string()) return Bad(line, "bad double-quoted scalar");
    return j;
  }
  if (s.front() == '\'') {
    if (s.size() < 2 || s.back() != '\'') return Bad(line, "bad single-quoted scalar");
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      out.push_back(s[i]);
      if (s[i] == '\'' && s[i + 1] == '\'') ++i;
    }
    return json(out);
  }
  const char c = s.front();
  if (c == '|' || c == '>' || c == '&' || c == '*' || c == '!' || c == '{' || c == '[') {
    return Bad(line, "unsupported YAML construct");
  }
  return json(std::string(s));
}

// Offset of the ':' separating key and value (": " or ':' at the end), outside quotes.
size_t KeySeparator(std::string_view s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (quote != 0) {
      if (s[i] == quote) quote = 0;
    } else if (i == 0 && (s[i] == '"' || s[i] == '\'')) {
      quote = s[i];
    } else if (s[i] == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) {
      return i;
    }
  }
  return std::string_view::npos;
}

bool IsItem(const Line& l) { return l.text == "-" || l.text.starts_with("- "); }

class Parser {
 public:
  explicit Parser(std::vector<Line> lines) : lines_(std::move(lines)) {}

  Result<json> Document() {
    if (lines_.empty()) return json::object();
    auto node = Node(lines_[0].indent);
    if (!node) return node;
    if (i_ < lines_.size()) return Bad(lines_[i_].number, "unexpected indentation");
    return node;
  }

 private:
  Result<json> Node(size_t indent) {
    return IsItem(lines_[i_]) ? Sequence(indent) : Mapping(indent);
  }

  Result<json> Mapping(size_t indent) {
    json out = json::object();
    while (i_ < lines_.size() && lines_[i_].indent == indent && !IsItem(lines_[i_])) {
      const Line& l = lines_[i_];
      const size_t sep = KeySeparator(l.text);
      if (sep == std::string::npos) return Bad(l.number, "expected key: value");
      auto key = Scalar(l.text.substr(0, sep), l.number);
      if (!key || !key->is_string()) return Bad(l.number, "bad key");
      const std::string rest = sep + 1 < l.text.size() ? l.text.substr(sep + 2) : "";
      ++i_;
      auto value = rest.empty() ? Child(indent) : Scalar(rest, l.number);
      if (!value) return value;
      out[key->get<std::string>()] = std::move(*value);
    }
    return out;
  }

  // The value of a key with nothing after the colon: a deeper block, a sequence at the
  // same indentation (kubectl style), or null.
  Result<json> Child(size_t indent) {
    if (i_ >= lines_.size()) return json(nullptr);
    const Line& next = lines_[i_];
    if (next.indent > indent) return Node(next.indent);
    if (next.indent == indent && IsItem(next)) return Sequence(indent);
    return json(nullptr);
  }

  Result<json> Sequence(size_t indent) {
    json out = json::array();
    while (i_ < lines_.size() && lines_[i_].indent == indent && IsItem(lines_[i_])) {
      Line& l = lines_[i_];
      if (l.text == "-") {
        ++i_;
        auto v = Child(indent);
        if (!v) return v;
        out.push_back(std::move(*v));
        continue;
      }
      // "- key: value" opens a mapping whose column is that of "key".
      const size_t content = l.text.find_first_not_of(' ', 1);
      l.indent += content;
      l.text = l.text.substr(content);
      if (KeySeparator(l.text) == std::string::npos && !IsItem(l)) {
        auto v = Scalar(l.text, l.number);
        if (!v) return v;
        ++i_;
        out.push_back(std::move(*v));
        continue;
      }
      auto v = Node(l.indent);
      if (!v) return v;
      out.push_back(std::move(*v));
    }
    return out;
  }

  std::vector<Line> lines_;
  size_t i_ = 0;
};

}  // namespace

Result<json> ParseMiniYaml(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return Bad(1, "invalid JSON");
    return j;
  }
  return Parser(SplitLines(text)).Document();
}

}  // namespace timelined::connectors::kubernetes
