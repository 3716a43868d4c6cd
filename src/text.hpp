// Text validation shared by the engine's services (internal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hearth/error.hpp"

namespace hearth::detail {

// Counts the code points of well-formed UTF-8 (no overlong forms, no surrogates, nothing above
// U+10FFFF); returns errc::invalid_utf8 otherwise.
result<std::size_t> utf8_length(std::string_view s) noexcept;

enum class TextKind : std::uint8_t { line, multiline };

// The length of the well-formed UTF-8 sequence at p[i] (i < n) and its code point; 0 when p[i]
// does not start one (a stray continuation byte, an overlong form, a surrogate, a value above
// U+10FFFF, a sequence cut by the end). Inline: the matchers call it once per code point.
inline std::size_t decode_utf8(const unsigned char* p, std::size_t n, std::size_t i,
                               char32_t& cp) noexcept {
  const unsigned c = p[i];
  std::size_t len = 0;
  char32_t v = 0;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    v = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    v = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    v = c & 0x07u;
  } else {
    return 0;
  }
  if (n - i < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned b = p[i + k];
    if ((b & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b & 0x3Fu);
  }
  if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10FFFF ||
      (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  cp = v;
  return len;
}

// Validates and trims a text field: well-formed UTF-8 (invalid_utf8), no control characters
// except tab, and line breaks for multiline texts (invalid_argument), not empty after trimming
// ASCII white space unless `required` is false (empty_field), at most `max_code_points`
// (too_long). Returns the trimmed text.
result<std::string> clean_text(std::string_view s, std::uint32_t max_code_points, TextKind kind,
                               bool required = true);

std::string ascii_lower(std::string_view s);
// Whether `needle` (already lower-cased) occurs in `haystack` with its ASCII letters folded to
// lower case (other bytes compared exactly). An empty needle occurs everywhere.
bool contains_folded(std::string_view haystack, std::string_view needle) noexcept;

// The distinct handles written as "@handle" in `body`, lowercased, in order of first use: an
// '@' at the start or after a character that cannot be in a handle (so "a@b.c" is no
// mention), then min..max handle characters ([A-Za-z0-9_.-]), trailing '.' and '-' dropped
// ("thanks @ada." names "ada").
std::vector<std::string> mentioned_handles(std::string_view body, std::size_t min, std::size_t max);

// Appends code point `cp` (at most 0x10FFFF, not a surrogate) to `out`, UTF-8 encoded.
void append_utf8(std::string& out, std::uint32_t cp);

// A link in a text: where it starts ("http://", "https://" or "www.", ASCII letters in any
// case, at the start of a word: at the start or after a character that is not an ASCII letter
// or digit), and where its host begins (after the scheme; at "www." for a bare one).
struct LinkAt {
  std::size_t start = 0;
  std::size_t host = 0;
};
// The first link starting at or after `from`, if any. A bare domain ("example.com") is not
// taken for a link.
std::optional<LinkAt> find_link(std::string_view text, std::size_t from = 0) noexcept;

// Whether `text` holds a link (find_link).
inline bool contains_link(std::string_view text) noexcept { return find_link(text).has_value(); }

// Pagination cursors: "<tag>.<hex>", tied to one kind of listing by the tag.
std::string encode_cursor(char tag, std::uint64_t key);
// An empty cursor decodes to 0 (start); anything not issued for `tag` is invalid_cursor.
result<std::uint64_t> decode_cursor(char tag, std::string_view cursor) noexcept;
// Two-key cursors: "<tag>.<hex>.<hex>".
std::string encode_cursor(char tag, std::uint64_t first, std::uint64_t second);
// Empty: nullopt (start). Anything not issued for `tag` is invalid_cursor.
result<std::optional<std::pair<std::uint64_t, std::uint64_t>>> decode_cursor_pair(
    char tag, std::string_view cursor) noexcept;

}  // namespace hearth::detail
