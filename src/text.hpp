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

// Whether `text` holds a link: "http://", "https://" or "www." (ASCII letters in any case) at
// the start of a word (at the start or after a character that is not an ASCII letter or digit).
// A bare domain ("example.com") is not taken for a link.
bool contains_link(std::string_view text) noexcept;

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
