// Patterns: the bounded regular expressions of auto-moderation rules. docs/moderation.md,
// "Regular expressions", states the syntax, what is rejected, the limits and the case folding;
// this header states the calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hearth/error.hpp"

namespace hearth::moderation {

struct PatternMatch {
  std::size_t begin = 0;  // byte range in the text: [begin, end)
  std::size_t end = 0;    //

  friend bool operator==(const PatternMatch&, const PatternMatch&) = default;
};

// Limits on a pattern (compile() fails with invalid_argument past them).
inline constexpr std::size_t pattern_max_bytes = 1000;           // the source, as given
inline constexpr std::size_t pattern_max_instructions = 10'000;  // the compiled program
inline constexpr std::uint32_t pattern_max_repeat = 1000;        // m and n in {m,n}
inline constexpr std::size_t pattern_max_nesting = 100;          // groups inside groups

// An immutable, compiled regular expression. Matching simulates the pattern's automaton over
// the text (a Pike VM) and never backtracks: find() takes time proportional to the text's
// length times instructions(), and memory proportional to instructions(), whatever the pattern
// and the text. Copies share the compiled program, and every const call may run on any number
// of threads at once.
class Pattern {
 public:
  // Matches nothing.
  Pattern() = default;

  // Compiles `source` (UTF-8). invalid_argument for a syntax error, a feature that is not
  // supported (backreferences, lookaround, ...), a pattern that can match the empty text, and
  // any limit above exceeded; when `why` is given, it then receives one sentence saying why
  // ("backreferences are not supported"). `case_insensitive` folds the letters that
  // docs/moderation.md lists. Never throws (an allocation failure is reported as
  // errc::internal).
  static result<Pattern> compile(std::string_view source, bool case_insensitive = true,
                                 std::string* why = nullptr) noexcept;

  // The leftmost-longest match in `text`, if any: the match that begins first, and among the
  // matches that begin there, the one that ends last. Lazy quantifiers (`*?`) therefore match
  // like greedy ones. The text is read as UTF-8 code points; a byte that does not start or
  // continue a well-formed sequence is one code point of its own, which only `.` and negated
  // classes match (and nothing is read past the end of `text`).
  std::optional<PatternMatch> find(std::string_view text) const;

  // find() with a bound on the work: it gives up once it has taken more than `max_steps` steps
  // (a step is one instruction followed or one thread moved over one code point; a whole
  // find() takes at most about 2 × instructions() steps per code point). `exhausted` then says
  // so, and `match` holds the match found by then, if any (it may not be the leftmost-longest).
  struct Bounded {
    std::optional<PatternMatch> match;
    bool exhausted = false;
    std::uint64_t steps = 0;  // the steps taken
  };
  Bounded find(std::string_view text, std::uint64_t max_steps) const;
  // Whether `text` contains a match.
  bool matches(std::string_view text) const { return find(text).has_value(); }

  // The source as given to compile() (empty for a default-constructed pattern).
  const std::string& source() const noexcept;

  // The size of the compiled program (0 for a default-constructed pattern).
  std::size_t instructions() const noexcept;

 private:
  struct Program;  // src/moderation/pattern.cpp
  std::shared_ptr<const Program> program_;
};

}  // namespace hearth::moderation
