// Watched words: the word and phrase matcher of auto-moderation. docs/moderation.md, "Watched
// words", states the normalisation and boundary rules precisely; this header states the calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hearth/error.hpp"

namespace hearth::moderation {

// What a match asks for, declared from the mildest to the most severe, so that a larger value
// is a stronger action: censor (publish with the words masked) < review (publish, and put in
// front of a moderator) < require_approval (hold until a moderator approves) < block (refuse).
enum class WordAction : std::uint8_t { censor, review, require_approval, block };

struct WatchedWord {
  std::string pattern;  // a word or a phrase, UTF-8; normalised like the text it is matched in
  WordAction action = WordAction::block;
  // true: the match must begin and end at word boundaries ("ass" does not match "class");
  // false: it may begin or end inside a word.
  bool whole_word = true;
  friend bool operator==(const WatchedWord&, const WatchedWord&) = default;
};

struct WordMatch {
  std::size_t begin = 0;    // byte range in the original text: [begin, end)
  std::size_t end = 0;      //
  std::uint32_t entry = 0;  // index of the WatchedWord in the list given to build()

  friend bool operator==(const WordMatch&, const WordMatch&) = default;
};

// Which matches censor() masks.
enum class CensorScope : std::uint8_t {
  censor_entries,  // only entries whose action is censor
  all_matches,     // every match, whatever its action
};

// Limits on a list (build() fails with invalid_argument past them).
inline constexpr std::size_t watchlist_max_entries = 100'000;
inline constexpr std::size_t watchlist_max_pattern_bytes = 256;     // one pattern, as given
inline constexpr std::size_t watchlist_max_total_bytes = 8u << 20;  // all normalised patterns

// An immutable matcher for one list of watched words. Built once per change of the list (the
// automaton is compiled in build()); copies share the compiled automaton, and every const
// call may run on any number of threads at once.
class Watchlist {
 public:
  // An empty list: matches nothing.
  Watchlist() = default;

  // Compiles `words`. invalid_argument when there are more than watchlist_max_entries words, a
  // pattern is empty, longer than watchlist_max_pattern_bytes, not well-formed UTF-8, or has no
  // letter or digit left after normalisation ("...", "  "), or when the normalised patterns add
  // up to more than watchlist_max_total_bytes. Never throws (an allocation failure included:
  // it is reported as errc::internal).
  static result<Watchlist> build(std::vector<WatchedWord> words) noexcept;

  // Every match in `text`, sorted by (begin, end, entry); overlapping matches, and matches of
  // different entries over the same range, are all reported. `text` should be UTF-8: a byte
  // that does not start or continue a well-formed sequence counts as punctuation (and is never
  // read past the end of `text`).
  std::vector<WordMatch> find(std::string_view text) const;

  // The strongest action among the matches in `text` (see WordAction), if any. Stops at the
  // first block.
  std::optional<WordAction> strongest(std::string_view text) const;

  // `text` with the matches of `scope` masked: in the union of their byte ranges, every code
  // point becomes one '*', except white space, which is kept, and the invisible ones (format
  // characters such as U+200B, combining marks), which are dropped; a byte that is not valid
  // UTF-8 becomes one '*'. Everything outside those ranges is copied unchanged, so valid UTF-8
  // stays valid.
  std::string censor(std::string_view text, CensorScope scope = CensorScope::censor_entries) const;

  // The list as given to build().
  const std::vector<WatchedWord>& entries() const noexcept;

  // Bytes the compiled automaton holds (for hosts that budget memory per list).
  std::size_t memory_bytes() const noexcept;

  // `text` as the matcher sees it: folded, look-alikes and leetspeak resolved, separators and
  // invisible characters inside words dropped, and single spaces between words (for tests,
  // and to show a moderator why something matched). Soft word boundaries do not show.
  static std::string normalize(std::string_view text);

 private:
  struct Automaton;  // src/moderation/watchlist.cpp
  std::shared_ptr<const Automaton> automaton_;
};

}  // namespace hearth::moderation
