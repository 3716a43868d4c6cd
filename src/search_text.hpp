// Search text: the tokeniser both storage adapters rely on, query parsing and search cursors
// (internal). docs/posts.md, "Search", states the rules for users.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hearth/error.hpp"
#include "hearth/model.hpp"

namespace hearth::detail {

inline constexpr std::size_t search_token_max_bytes = 64;  // longer words are cut (at a character)
inline constexpr std::size_t search_field_max_tokens = 10'000;  // per title or body
inline constexpr std::size_t search_query_max_bytes = 1'000;
inline constexpr std::size_t search_query_max_terms = 32;

// The tokens of `text` (well-formed UTF-8): maximal runs of word characters (ASCII letters and
// digits, and every other code point but the punctuation, symbols and spaces listed in
// search_text.cpp), case-folded (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic), each cut
// to search_token_max_bytes at a character boundary, at most `max_tokens` of them.
std::vector<std::string> search_tokens(std::string_view text,
                                       std::size_t max_tokens = search_field_max_tokens);

// The same tokens joined by single spaces, as stored (SearchDoc).
std::string search_text(std::string_view text);

// The search text of a post: `title` is its thread's title for a first post, empty otherwise.
SearchDoc search_doc(std::string_view title, std::string_view body);

// A user's query as terms. Plain: every token is a required term, whatever characters
// surround it. Advanced: "a phrase", word* (prefix), -word and -"a phrase" (exclusion); an
// unbalanced quote, a quote inside a word, a '*' elsewhere than at the end of a word or phrase,
// a '-' or '*' with no word, an empty phrase: invalid_argument. Both: invalid_utf8 for
// malformed UTF-8; invalid_argument for control characters, more than search_query_max_bytes,
// no term that is not excluded, or more than search_query_max_terms terms. Repeated terms
// count once.
result<std::vector<SearchTerm>> parse_search_query(std::string_view text, bool advanced);

// Search cursors: "q.<score hex>.<post id hex>" (relevance) and "w.<post id hex>" (newest).
std::string encode_search_cursor(SearchSort sort, std::uint32_t score, PostId post);
// Fills q.after_score and q.after_post; empty: from the start. invalid_cursor for anything not
// issued for q.sort.
result<void> decode_search_cursor(std::string_view cursor, SearchQuery& q) noexcept;

}  // namespace hearth::detail
