// search_posts' matching rules on one post's stored text (hearth/storage/storage.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hearth/storage/storage.hpp"

namespace hearth {

std::vector<std::string> search_field_tokens(std::string_view field) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < field.size()) {
    std::size_t end = field.find(' ', i);
    if (end == std::string_view::npos) end = field.size();
    if (end > i) out.emplace_back(field.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

std::uint32_t search_occurrences(const std::vector<std::string>& tokens, const SearchTerm& term) {
  const std::size_t n = term.tokens.size();
  if (n == 0 || tokens.size() < n) return 0;
  std::uint32_t count = 0;
  for (std::size_t i = 0; i + n <= tokens.size(); ++i) {
    bool match = true;
    for (std::size_t k = 0; k < n && match; ++k) {
      const std::string& want = term.tokens[k];
      const std::string& have = tokens[i + k];
      if (k + 1 == n && term.prefix)
        match = have.compare(0, want.size(), want) == 0;
      else
        match = have == want;
    }
    if (match) ++count;
  }
  return count;
}

std::optional<std::uint32_t> search_score(const std::vector<std::string>& title,
                                          const std::vector<std::string>& body,
                                          const std::vector<SearchTerm>& terms) {
  std::uint32_t score = 0;
  for (const SearchTerm& term : terms) {
    const std::uint32_t in_title = search_occurrences(title, term);
    const std::uint32_t in_body = search_occurrences(body, term);
    const bool found = in_title + in_body > 0;
    if (term.exclude ? found : !found) return std::nullopt;
    if (!term.exclude) score += in_title * 4 + in_body;
  }
  return score;
}

bool search_past_keyset(const SearchQuery& q, std::uint32_t score, PostId post) noexcept {
  if (!q.after_post) return true;
  if (q.sort == SearchSort::newest || score == q.after_score)
    return post.value < q.after_post.value;
  return score < q.after_score;
}

}  // namespace hearth
