#include "payload.hpp"

#include <charconv>

namespace hearth::detail {

namespace {

// Appends `s` as a JSON string literal (quotes included) to `out`. `s` is valid UTF-8.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

void Payload::key(std::string_view k) {
  if (out_.size() > 1) out_.push_back(',');
  append_json_string(out_, k);
  out_.push_back(':');
}

Payload& Payload::id(std::string_view k, std::uint64_t value) {
  key(k);
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out_.push_back('"');
  out_.append(buf, r.ptr);
  out_.push_back('"');
  return *this;
}

Payload& Payload::str(std::string_view k, std::string_view value) {
  key(k);
  append_json_string(out_, value);
  return *this;
}

Payload& Payload::num(std::string_view k, std::int64_t value) {
  key(k);
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, r.ptr);
  return *this;
}

Payload& Payload::boolean(std::string_view k, bool value) {
  key(k);
  out_ += value ? "true" : "false";
  return *this;
}

Payload& Payload::ids(std::string_view k, const std::vector<std::uint64_t>& values) {
  key(k);
  out_.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out_.push_back(',');
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, values[i]);
    out_.push_back('"');
    out_.append(buf, r.ptr);
    out_.push_back('"');
  }
  out_.push_back(']');
  return *this;
}

Payload& Payload::strs(std::string_view k, const std::vector<std::string>& values) {
  key(k);
  out_.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out_.push_back(',');
    append_json_string(out_, values[i]);
  }
  out_.push_back(']');
  return *this;
}

std::string Payload::done() {
  out_.push_back('}');
  return std::move(out_);
}

}  // namespace hearth::detail
