#include "search_text.hpp"

#include <algorithm>
#include <charconv>

#include "text.hpp"

namespace hearth::detail {
namespace {

// Non-ASCII code points that separate words: spaces, punctuation and symbols. Everything else
// above U+007F is a word character (CJK runs, having no spaces, become one token each).
bool separator(std::uint32_t cp) noexcept {
  if (cp < 0xC0) return cp != 0xAA && cp != 0xB5 && cp != 0xBA;  // Latin-1 punctuation, NBSP
  if (cp == 0xD7 || cp == 0xF7) return true;                     // × ÷
  if (cp < 0x1680) return false;
  return cp == 0x1680 || cp == 0x180E ||    // Ogham space, Mongolian vowel separator
         (cp >= 0x2000 && cp <= 0x2BFF) ||  // general punctuation to misc. symbols, arrows
         (cp >= 0x2E00 && cp <= 0x2E7F) ||  // supplemental punctuation
         (cp >= 0x3000 && cp <= 0x303F) ||  // CJK symbols and punctuation
         (cp >= 0xFE00 && cp <= 0xFE0F) ||  // variation selectors
         (cp >= 0xFE10 && cp <= 0xFE1F) ||  // vertical forms
         (cp >= 0xFE30 && cp <= 0xFE6F) ||  // CJK compatibility and small forms
         cp == 0xFEFF ||                    // byte order mark
         (cp >= 0xFF01 && cp <= 0xFF0F) ||  // fullwidth punctuation
         (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
         (cp >= 0xFF5B && cp <= 0xFF65) ||    //
         (cp >= 0x1F000 && cp <= 0x1FAFF) ||  // emoji and pictographs
         (cp >= 0xE0000 && cp <= 0xE007F);    // tags
}

// Simple one-to-one case folding of the scripts most forums write in.
std::uint32_t fold(std::uint32_t cp) noexcept {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 0x20 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;  // À..Þ
  if (cp >= 0x100 && cp <= 0x17F) {                              // Latin Extended-A
    if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F) return cp;
    if (cp == 0x178) return 0xFF;  // Ÿ
    const bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (odd_upper) return (cp & 1) ? cp + 1 : cp;
    return (cp & 1) ? cp : cp + 1;
  }
  if (cp >= 0x386 && cp <= 0x3A9) {  // Greek capitals
    if (cp == 0x386) return 0x3AC;
    if (cp >= 0x388 && cp <= 0x38A) return cp + 0x25;
    if (cp == 0x38C) return 0x3CC;
    if (cp == 0x38E || cp == 0x38F) return cp + 0x3F;
    if (cp >= 0x391 && cp != 0x3A2) return cp + 0x20;
    return cp;
  }
  if (cp == 0x3C2) return 0x3C3;                     // final sigma
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;  // Cyrillic А..Я
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;  // Ѐ..Џ
  return cp;
}

// Decodes the code point at s[i] and moves i past it. The text is well-formed UTF-8 (checked
// by the caller); a stray byte is taken as a separator rather than read past the end.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = 1;
  std::uint32_t cp = c;
  if (c >= 0xF0) {
    len = 4;
    cp = c & 0x07u;
  } else if (c >= 0xE0) {
    len = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xC0) {
    len = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0x80) {
    ++i;
    return 0x80;  // a continuation byte alone: a separator
  }
  if (len > s.size() - i) {
    i = s.size();
    return 0x80;
  }
  for (std::size_t k = 1; k < len; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  i += len;
  return cp;
}

bool word_char(std::uint32_t cp) noexcept {
  if (cp < 0x80)
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  return !separator(cp);
}

// Calls emit(token) for each token of `text`, until it returns false.
template <class F>
void tokenize(std::string_view text, F&& emit) {
  std::string token;
  bool cut = false;  // the token reached its length: the rest of the word is dropped
  std::size_t i = 0;
  auto flush = [&]() -> bool {
    cut = false;
    if (token.empty()) return true;
    const bool more = emit(std::move(token));
    token.clear();
    return more;
  };
  while (i < text.size()) {
    const std::uint32_t cp = next_code_point(text, i);
    if (!word_char(cp)) {
      if (!flush()) return;
      continue;
    }
    if (cut) continue;
    const std::size_t before = token.size();
    append_utf8(token, fold(cp));
    if (token.size() > search_token_max_bytes) {
      token.resize(before);
      cut = true;
    }
  }
  flush();
}

bool ascii_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::vector<std::string> search_tokens(std::string_view text, std::size_t max_tokens) {
  std::vector<std::string> out;
  if (max_tokens == 0) return out;
  tokenize(text, [&](std::string&& t) {
    out.push_back(std::move(t));
    return out.size() < max_tokens;
  });
  return out;
}

std::string search_text(std::string_view text) {
  std::string out;
  std::size_t count = 0;
  tokenize(text, [&](std::string&& t) {
    if (!out.empty()) out += ' ';
    out += t;
    return ++count < search_field_max_tokens;
  });
  return out;
}

SearchDoc search_doc(std::string_view title, std::string_view body) {
  return SearchDoc{search_text(title), search_text(body)};
}

result<std::vector<SearchTerm>> parse_search_query(std::string_view text, bool advanced) {
  HEARTH_TRY(length, utf8_length(text));
  (void)length;
  if (text.size() > search_query_max_bytes) return errc::invalid_argument;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && !ascii_space(ch)) || c == 0x7F) return errc::invalid_argument;
  }
  std::vector<SearchTerm> terms;
  auto add = [&](SearchTerm term) {
    if (std::none_of(terms.begin(), terms.end(), [&](const SearchTerm& t) {
          return t.tokens == term.tokens && t.prefix == term.prefix && t.exclude == term.exclude;
        }))
      terms.push_back(std::move(term));
  };
  if (!advanced) {
    for (std::string& token : search_tokens(text))
      add(SearchTerm{{std::move(token)}, false, false});
  } else {
    std::size_t i = 0;
    while (i < text.size()) {
      if (ascii_space(text[i])) {
        ++i;
        continue;
      }
      SearchTerm term;
      if (text[i] == '-') {
        term.exclude = true;
        ++i;
        if (i == text.size() || ascii_space(text[i])) return errc::invalid_argument;
      }
      std::string_view words;
      if (text[i] == '"') {
        const std::size_t close = text.find('"', i + 1);
        if (close == std::string_view::npos) return errc::invalid_argument;
        words = text.substr(i + 1, close - i - 1);
        i = close + 1;
        if (i < text.size() && text[i] == '*') {
          term.prefix = true;
          ++i;
        }
        if (i < text.size() && !ascii_space(text[i])) return errc::invalid_argument;
        term.tokens = search_tokens(words);
        if (term.tokens.empty()) return errc::invalid_argument;
      } else {
        std::size_t end = i;
        while (end < text.size() && !ascii_space(text[end])) ++end;
        words = text.substr(i, end - i);
        i = end;
        if (words.back() == '*') {
          term.prefix = true;
          words.remove_suffix(1);
        }
        if (words.find_first_of("\"*") != std::string_view::npos) return errc::invalid_argument;
        term.tokens = search_tokens(words);
        if (term.tokens.empty()) {
          if (term.prefix || term.exclude) return errc::invalid_argument;
          continue;  // punctuation alone, like "(" or "&": nothing to find
        }
      }
      add(std::move(term));
      if (terms.size() > search_query_max_terms) return errc::invalid_argument;
    }
  }
  if (terms.size() > search_query_max_terms) return errc::invalid_argument;
  if (std::all_of(terms.begin(), terms.end(), [](const SearchTerm& t) { return t.exclude; }))
    return errc::invalid_argument;
  return terms;
}

std::string encode_search_cursor(SearchSort sort, std::uint32_t score, PostId post) {
  if (sort == SearchSort::newest) return encode_cursor('w', post.value);
  char buf[40];
  char* p = buf;
  *p++ = 'q';
  *p++ = '.';
  p = std::to_chars(p, buf + sizeof buf, score, 16).ptr;
  *p++ = '.';
  p = std::to_chars(p, buf + sizeof buf, post.value, 16).ptr;
  return std::string(buf, p);
}

result<void> decode_search_cursor(std::string_view cursor, SearchQuery& q) noexcept {
  q.after_score = 0;
  q.after_post = PostId{};
  if (cursor.empty()) return {};
  if (q.sort == SearchSort::newest) {
    HEARTH_TRY(id, decode_cursor('w', cursor));
    q.after_post = PostId{id};
    return {};
  }
  if (cursor.size() < 5 || cursor.size() > 2 + 8 + 1 + 16 || cursor[0] != 'q' || cursor[1] != '.')
    return errc::invalid_cursor;
  const char* first = cursor.data() + 2;
  const char* last = cursor.data() + cursor.size();
  std::uint32_t score = 0;
  const auto a = std::from_chars(first, last, score, 16);
  if (a.ec != std::errc{} || a.ptr == last || *a.ptr != '.' || a.ptr - first > 8)
    return errc::invalid_cursor;
  std::uint64_t id = 0;
  const auto b = std::from_chars(a.ptr + 1, last, id, 16);
  if (b.ec != std::errc{} || b.ptr != last || id == 0 || last - (a.ptr + 1) > 16)
    return errc::invalid_cursor;
  q.after_score = score;
  q.after_post = PostId{id};
  return {};
}

}  // namespace hearth::detail
