// Badges: rule-based awards for what members do (first accepted answer, ten helpful replies,
// a hundred days visited...), granted once or repeatedly (docs/badges.md). Rules are data,
// like TrustRules and ReputationRules: build them in code or load them from JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hearth/clock.hpp"
#include "hearth/error.hpp"
#include "hearth/id.hpp"

namespace hearth {

// What a badge counts. Counter metrics (all but post_reactions and host) grant when the
// member's count reaches the threshold.
enum class BadgeMetric : std::uint8_t {
  accepted_answers,    // the member's replies accepted as answers to others' questions, now
  helpful_replies,     // replies (not first posts) that got a reaction_kind from someone else
  replies,             // replies written (the trust activity's count)
  threads_created,     // threads started
  days_visited,        // distinct UTC days with a visit (Engine::record_visit)
  reactions_given,     // reactions given to others' posts
  reactions_received,  // reactions received from others
  reputation,          // all-time points in the community-wide scope
  post_reactions,      // one post of the member's got `threshold` reactions of reaction_kind
  host,                // granted by the host only (Engine::grant_badge)
};
std::string_view to_string(BadgeMetric m) noexcept;
std::optional<BadgeMetric> badge_metric_from_string(std::string_view s) noexcept;

enum class BadgeTier : std::uint8_t { bronze, silver, gold };
std::string_view to_string(BadgeTier t) noexcept;
std::optional<BadgeTier> badge_tier_from_string(std::string_view s) noexcept;

// One badge and when it is granted.
struct BadgeRule {
  std::string name;         // 1..40 of [a-z0-9-], unique among the rules: the badge's key
  std::string title;        // 1..100 bytes, shown to members
  std::string description;  // 0..500 bytes
  BadgeTier tier = BadgeTier::bronze;
  BadgeMetric metric = BadgeMetric::host;
  // Counter metrics: the count that grants it (1..1,000,000,000). post_reactions: the reactions
  // one post needs. host: unused (0).
  std::uint64_t threshold = 0;
  // post_reactions and helpful_replies only (and required there): the reaction kind counted.
  std::string reaction_kind;
  // Counter metrics: granted again at 2x, 3x... the threshold, each with the next ordinal.
  // post_reactions: once per post (else once ever). host: the host may grant it again.
  bool repeat = false;
};

// The badges of a community.
struct BadgeRules {
  std::vector<BadgeRule> badges;

  // The rule named `name`, or null.
  const BadgeRule* find(std::string_view name) const noexcept;

  // invalid_argument when a rule is malformed: a name that is not 1..40 of [a-z0-9-] or that
  // repeats, a title empty or above 100 bytes, a description above 500 bytes, a threshold
  // outside 1..1,000,000,000 for a metric other than host, a reaction_kind missing (or not
  // 1..32 bytes of printable ASCII) for post_reactions and helpful_replies or given for
  // another metric, more than 200 rules. When `why` is given, it receives a sentence naming
  // the field ("badges[2].name: repeated").
  result<void> validate(std::string* why = nullptr) const;
  // Reads rules from a JSON object {"badges": [...]} (docs/badges.md): a rule's name, title,
  // metric and (but for host) threshold are required, its other fields default as above.
  // Malformed JSON, unknown fields, wrong types and invalid values are invalid_argument, with
  // `why` as for validate().
  static result<BadgeRules> from_json(std::string_view json, std::string* why = nullptr);
  // The rules as a JSON object that from_json reads back to the same rules.
  std::string to_json() const;
  // A sensible set for a community with the default reaction kinds (docs/badges.md).
  static BadgeRules standard();
};

// One badge granted to one member.
struct BadgeGrant {
  std::uint64_t id = 0;  // assigned by the storage: ascending in insertion order
  MemberId member;
  std::string badge;          // the rule's name
  PostId post;                // the post it was granted for; no id: none
  std::uint32_t ordinal = 1;  // 1 for the first grant; 2, 3... for repeats
  Timestamp at = 0;
};

// A grant as Engine::badges lists it, with the rule's words (a grant whose rule is gone keeps
// its name as title, and tier bronze).
struct Badge {
  BadgeGrant grant;
  std::string title;
  std::string description;
  BadgeTier tier = BadgeTier::bronze;
};

}  // namespace hearth
