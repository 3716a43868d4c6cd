// Auto-moderation rules (docs/moderation.md, "Auto-moderation"): what the engine checks in every
// new post and edit before it commits, per space with inheritance. A rule set is data: built in
// code or read from JSON, validated with a reason for each refusal, stored per space
// (Transaction::put_automod_rules) and compiled once per change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hearth/clock.hpp"
#include "hearth/error.hpp"
#include "hearth/id.hpp"
#include "hearth/moderation/watchlist.hpp"
#include "hearth/permissions.hpp"

namespace hearth::moderation {

// A regular expression (docs/moderation.md, "Regular expressions": matched in time linear in the
// text, so a hostile pattern cannot hang the engine).
struct PatternRule {
  std::string name;   // 1..64 bytes of printable ASCII, distinct in its set; the audit log's actor
  std::string regex;  // at most 1,000 bytes; must not match the empty text
  WordAction action = WordAction::review;
  bool case_insensitive = true;
  friend bool operator==(const PatternRule&, const PatternRule&) = default;
};

// Links: "http://", "https://" and "www." links (a bare domain is no link). A domain covers its
// subdomains ("example.com" covers "cdn.example.com").
struct LinkRules {
  std::vector<std::string> allow;  // non-empty: a link to any other domain takes `action`
  std::vector<std::string> deny;   // a link to one of these takes `action`
  // A link from a member below this trust level takes `action` (0: any level may post links).
  std::uint8_t min_trust_level = 0;
  WordAction action = WordAction::block;  // review, require_approval or block
  friend bool operator==(const LinkRules&, const LinkRules&) = default;
};

// One space's rules. Every number is off at 0. The actions are those of watched words
// (WordAction); censor is only for words and patterns.
struct AutomodRules {
  // true: the rules in force above (the parent's, and at a root EngineOptions::automod) also
  // apply here; false: only these, here and in the spaces below that inherit.
  bool inherit = true;
  std::vector<WatchedWord> words;
  std::vector<PatternRule> patterns;
  LinkRules links;
  // Mention spam: a post naming more than this many distinct @handles takes mentions_action.
  std::uint32_t max_mentions = 0;
  WordAction mentions_action = WordAction::require_approval;
  // Duplicates: the same text (as the watched-word matcher normalises it) posted by one member
  // in another space within this window takes duplicate_action.
  std::int64_t duplicate_window_ms = 0;
  WordAction duplicate_action = WordAction::require_approval;
  // Slow mode: one post per member per this many ms here (rate_limited until then).
  std::int64_t slow_mode_ms = 0;
  // All members together may post at most this many posts per minute here (rate_limited).
  std::uint32_t space_posts_per_minute = 0;
  // A post by a member below this trust level waits for a moderator's approval (0: none do).
  std::uint8_t approval_below_trust_level = 0;
  // Members holding one of these roles (in the space where they post) are exempt from this
  // set's rules; rules set above still apply to them unless those list the role too.
  std::vector<hearth::RoleId> exempt_roles;

  // True when the set checks nothing and inherits (the same as no set at all).
  bool empty() const noexcept;
  friend bool operator==(const AutomodRules&, const AutomodRules&) = default;
};

// Limits on one set (validate() refuses more, with invalid_argument).
inline constexpr std::size_t automod_max_patterns = 100;
inline constexpr std::size_t automod_max_domains = 1'000;
inline constexpr std::size_t automod_max_exempt_roles = 64;
inline constexpr std::int64_t automod_max_window_ms = 7 * 24 * 3600 * 1000LL;  // a week
// The steps (Pattern::find) all the patterns in force may take over one post; past them, the
// patterns not yet run count as matched with action review, so that a costly pattern delays
// nobody and lets nothing through unseen.
inline constexpr std::uint64_t automod_pattern_steps = 8'000'000;

// invalid_argument, with one sentence naming the field in *why, when a field is out of range, a
// watched word or pattern does not compile, a domain is malformed, a name repeats, or censor is
// given where it means nothing. Compiles the words and patterns to check them, so it costs
// about what applying the set once costs.
result<void> validate(const AutomodRules& rules, std::string* why = nullptr);

// The set as JSON (docs/moderation.md shows the format), and back: unknown fields and
// malformed values are invalid_argument, with the reason in *why. from_json validates.
std::string to_json(const AutomodRules& rules);
result<AutomodRules> automod_rules_from_json(std::string_view json, std::string* why = nullptr);

// The domain of each link in `text` ("http://", "https://" and "www." links), lower-cased,
// without user, port or path, in order of appearance.
std::vector<std::string> link_domains(std::string_view text);

}  // namespace hearth::moderation

namespace hearth {

// A space's rule set as stored: JSON in the engine's format (moderation::to_json), kept by the
// storage byte for byte. `space` no id: the community-wide set.
struct AutomodRecord {
  SpaceId space;
  std::string rules;
  MemberId updated_by;  // no id: the host
  Timestamp updated_at = 0;
};

}  // namespace hearth
