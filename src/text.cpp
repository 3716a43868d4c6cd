#include "text.hpp"

#include <algorithm>
#include <charconv>

namespace hearth::detail {

result<std::size_t> utf8_length(std::string_view s) noexcept {
  std::size_t count = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned c = *p;
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++p;
      ++count;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return errc::invalid_utf8;
    }
    if (static_cast<std::size_t>(end - p) < len) return errc::invalid_utf8;
    for (std::size_t i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return errc::invalid_utf8;
      cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    const bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return errc::invalid_utf8;
    p += len;
    ++count;
  }
  return count;
}

namespace {
bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
}  // namespace

result<std::string> clean_text(std::string_view s, std::uint32_t max_code_points, TextKind kind,
                               bool required) {
  HEARTH_TRY(length, utf8_length(s));
  (void)length;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool line_break = c == '\n' || c == '\r';
    if ((c < 0x20 && c != '\t' && !(line_break && kind == TextKind::multiline)) || c == 0x7F)
      return errc::invalid_argument;
  }
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (s.empty() && required) return errc::empty_field;
  HEARTH_TRY(trimmed_length, utf8_length(s));
  if (trimmed_length > max_code_points) return errc::too_long;
  return std::string(s);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string encode_cursor(char tag, std::uint64_t key) {
  char buf[24];
  buf[0] = tag;
  buf[1] = '.';
  const auto r = std::to_chars(buf + 2, buf + sizeof buf, key, 16);
  return std::string(buf, r.ptr);
}

namespace {
bool handle_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}
}  // namespace

std::vector<std::string> mentioned_handles(std::string_view body, std::size_t min,
                                           std::size_t max) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '@' || (i > 0 && (handle_char(body[i - 1]) || body[i - 1] == '@'))) continue;
    std::size_t end = i + 1;
    while (end < body.size() && handle_char(body[end])) ++end;
    std::size_t last = end;
    while (last > i + 1 && (body[last - 1] == '.' || body[last - 1] == '-')) --last;
    const std::size_t length = last - (i + 1);
    if (length >= min && length <= max) {
      std::string handle = ascii_lower(body.substr(i + 1, length));
      if (std::find(out.begin(), out.end(), handle) == out.end()) out.push_back(std::move(handle));
    }
    i = end - 1;
  }
  return out;
}

result<std::uint64_t> decode_cursor(char tag, std::string_view cursor) noexcept {
  if (cursor.empty()) return std::uint64_t{0};
  if (cursor.size() < 3 || cursor.size() > 18 || cursor[0] != tag || cursor[1] != '.')
    return errc::invalid_cursor;
  std::uint64_t key = 0;
  const auto* first = cursor.data() + 2;
  const auto* last = cursor.data() + cursor.size();
  const auto r = std::from_chars(first, last, key, 16);
  if (r.ec != std::errc{} || r.ptr != last || key == 0) return errc::invalid_cursor;
  return key;
}

bool contains_folded(std::string_view haystack, std::string_view needle) noexcept {
  if (needle.empty()) return true;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && lower(haystack[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

std::string encode_cursor(char tag, std::uint64_t first, std::uint64_t second) {
  char buf[40];
  buf[0] = tag;
  buf[1] = '.';
  auto r = std::to_chars(buf + 2, buf + sizeof buf, first, 16);
  *r.ptr = '.';
  r = std::to_chars(r.ptr + 1, buf + sizeof buf, second, 16);
  return std::string(buf, r.ptr);
}

result<std::optional<std::pair<std::uint64_t, std::uint64_t>>> decode_cursor_pair(
    char tag, std::string_view cursor) noexcept {
  using Pair = std::pair<std::uint64_t, std::uint64_t>;
  if (cursor.empty()) return std::optional<Pair>{};
  if (cursor.size() < 5 || cursor.size() > 36 || cursor[0] != tag || cursor[1] != '.')
    return errc::invalid_cursor;
  Pair keys;
  const char* last = cursor.data() + cursor.size();
  auto r = std::from_chars(cursor.data() + 2, last, keys.first, 16);
  if (r.ec != std::errc{} || r.ptr == last || *r.ptr != '.') return errc::invalid_cursor;
  const char* second = r.ptr + 1;
  r = std::from_chars(second, last, keys.second, 16);
  if (r.ec != std::errc{} || r.ptr != last || r.ptr == second) return errc::invalid_cursor;
  return std::optional<Pair>{keys};
}

std::optional<LinkAt> find_link(std::string_view text, std::size_t from) noexcept {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  auto starts_here = [&](std::size_t i, std::string_view prefix) {
    if (text.size() - i < prefix.size()) return false;
    for (std::size_t k = 0; k < prefix.size(); ++k) {
      char c = text[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[k]) return false;
    }
    return true;
  };
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (c != 'h' && c != 'H' && c != 'w' && c != 'W') continue;
    if (i > 0 && alnum(text[i - 1])) continue;
    if (starts_here(i, "http://")) return LinkAt{i, i + 7};
    if (starts_here(i, "https://")) return LinkAt{i, i + 8};
    if (starts_here(i, "www.")) return LinkAt{i, i};
  }
  return std::nullopt;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace hearth::detail
