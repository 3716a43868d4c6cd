// Trust levels: how far the community trusts a member, earned by taking part, Discourse-like
// (docs/trust.md). Levels 1 and 2 are earned once and kept; level 3 is earned and lost over a
// trailing window; level 4 is given by hand only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hearth/clock.hpp"
#include "hearth/error.hpp"
#include "hearth/id.hpp"

namespace hearth {

// What a member needs for one level. Every count is "at least"; 0: not required.
struct TrustRequirements {
  std::uint32_t days_visited = 0;        // distinct UTC days with a visit
  std::uint32_t threads_entered = 0;     // distinct threads read (for level 3: first read then)
  std::uint32_t posts_read = 0;          // as the host reports them
  std::int64_t read_ms = 0;              // time spent reading, as the host reports it
  std::uint32_t reactions_given = 0;     // to others' posts
  std::uint32_t reactions_received = 0;  // from others
  std::uint32_t replies = 0;             // replies written (not first posts)
  // Level 3 only: the counts above are taken over the last `trailing_days` UTC days (today
  // included), and the member may have at most `max_flags_against` flags against them.
  std::uint32_t trailing_days = 100;
  std::uint32_t max_flags_against = 5;
};

// How a community grants trust levels. Rules are data, like ReputationRules: build them in
// code, or load them from JSON (from_json); validate() says what is wrong with a set.
struct TrustRules {
  // Level 1 ("basic"): has read a little.
  TrustRequirements level1{.threads_entered = 5, .posts_read = 30, .read_ms = 10 * 60 * 1000};
  // Level 2 ("member"): has come back and taken part.
  TrustRequirements level2{.days_visited = 15,
                           .threads_entered = 20,
                           .posts_read = 100,
                           .read_ms = 60 * 60 * 1000,
                           .reactions_given = 3,
                           .reactions_received = 1,
                           .replies = 3};
  // Level 3 ("regular"): takes part steadily, over the last 100 days.
  TrustRequirements level3{.days_visited = 50,
                           .threads_entered = 100,
                           .posts_read = 500,
                           .read_ms = 10 * 60 * 60 * 1000,
                           .reactions_given = 25,
                           .reactions_received = 10,
                           .replies = 10,
                           .trailing_days = 100,
                           .max_flags_against = 5};
  // With this on, level 0 members may not post links, whatever attach_links their roles give,
  // unless they are ranked above the built-in member role where they post. Off by default:
  // level 1 needs reading the host reports (Engine::record_reading), and a host that reports
  // none would keep every member from posting links for ever.
  bool new_member_links = false;
  // With this above 0, a level 0 member's first posts (threads and replies, counted once
  // published) wait in the review queue (ReviewSource::first_post) before anyone sees them,
  // unless they are ranked above the built-in member role where they post. 0..1,000; 0 (the
  // default) turns it off.
  std::uint32_t first_posts_reviewed = 0;

  // invalid_argument when a field is out of range: a count beyond 1,000,000, read_ms beyond
  // 1,000 hours or negative, trailing_days outside 1..365, or a level asking less than the one
  // below it in some count (level 3's counts aside: they are over a window). When `why` is
  // given, it receives a sentence naming the field ("level2.replies: above 1000000").
  result<void> validate(std::string* why = nullptr) const;
  // Reads rules from a JSON object (docs/trust.md): fields left out keep their defaults;
  // malformed JSON, unknown fields, wrong types and invalid values are invalid_argument, with
  // `why` as for validate().
  static result<TrustRules> from_json(std::string_view json, std::string* why = nullptr);
  // The rules as a JSON object that from_json reads back to the same rules.
  std::string to_json() const;
};

// What the engine knows of a member's taking part, and the level it gives them. Community-wide.
struct MemberActivity {
  MemberId member;
  std::uint32_t days_visited = 0;
  Timestamp last_visit = 0;  // 0: never
  std::uint32_t threads_entered = 0;
  std::uint64_t posts_read = 0;
  std::int64_t read_ms = 0;
  std::uint32_t reactions_given = 0;
  std::uint32_t reactions_received = 0;
  std::uint32_t replies = 0;
  std::uint32_t threads_created = 0;
  std::uint32_t flags_against = 0;  // written by moderation; none yet
  std::uint8_t level = 0;           // 0..4
  bool level_by_hand = false;       // pinned by the host (Engine::set_trust_level)
};

// One member's counts on one UTC day (or summed over several): what level 3's window reads.
struct ActivityCounts {
  std::uint32_t visited = 0;  // on one day 0 or 1; summed: days visited
  std::uint32_t threads_entered = 0;
  std::uint64_t posts_read = 0;
  std::int64_t read_ms = 0;
  std::uint32_t reactions_given = 0;
  std::uint32_t reactions_received = 0;
  std::uint32_t replies = 0;
};

struct ActivityDay {
  MemberId member;
  std::int64_t day = 0;  // days since 1970-01-01, UTC
  ActivityCounts counts;
};

}  // namespace hearth
