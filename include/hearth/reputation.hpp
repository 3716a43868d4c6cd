// Reputation: the ledger of points members earn by helping others, the rules that turn
// happenings into points, and the leaderboards read from it (docs/reputation.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hearth/clock.hpp"
#include "hearth/error.hpp"
#include "hearth/id.hpp"
#include "hearth/permissions.hpp"

namespace hearth {

using ReputationEntryId = Id<struct ReputationEntryTag>;

// What points a reaction of one kind moves: to the author of the post reacted to, and to the
// one who reacts (a negative number is a cost, as a downvote costs its voter on Stack Exchange).
struct ReactionPoints {
  std::string kind;               // a reaction kind, as in EngineOptions::reaction_kinds
  std::int32_t on_thread = 0;     // to the author, when the post is a thread's first post
  std::int32_t on_reply = 0;      // to the author, when the post is a reply
  std::int32_t giver_thread = 0;  // to the giver, on a thread's first post
  std::int32_t giver_reply = 0;   // to the giver, on a reply
  // The points a member needs in the scope to give this kind at all (a downvote at 125 on
  // Stack Exchange); 0: anyone. Members ranked above the built-in member role (moderators,
  // admins, owners, custom roles ranked higher) need none.
  std::int64_t min_points = 0;
};

// A permission earned with points: members of a space in the scope hold it once their
// all-time points there reach `points`, and do not below it, whatever their member role
// says. It changes the built-in member role only: a role ranked above it keeps its own
// permissions, and a deny override still applies (an announcements channel stays closed).
struct Privilege {
  std::int64_t points = 0;  // 1..1,000,000,000
  Permission permission = Permission::view;
};

// A period a leaderboard can be asked for besides all time, this week and this month: a
// game's season, a contest. [from, to) in Unix ms.
struct ReputationWindow {
  std::string name;  // 1..32 of [a-z0-9_.-]
  Timestamp from = 0;
  Timestamp to = 0;
};

// What a sanction (docs/moderation.md, "Sanctions") moves the sanctioned member's points by, per
// kind, in the scope in force where it is imposed (community-wide: the community's scope): a
// negative number is a penalty. Written when the sanction is imposed, reversed when it is
// revoked (not when it expires: the penalty is for having been sanctioned). 0: nothing.
struct SanctionPoints {
  std::int32_t warn = 0;
  std::int32_t timeout = 0;
  std::int32_t suspend = 0;
  std::int32_t ban = 0;
};

// How a community turns happenings into points. Rules are data: build them in code, take a
// preset, or load them from JSON (from_json); validate() says what is wrong with a set.
struct ReputationRules {
  std::vector<ReactionPoints> reactions;  // kinds not listed move nothing
  std::int32_t accepted_answerer = 0;     // to the author of the answer a question accepts
  std::int32_t accepted_asker = 0;        // to the asker, for accepting another's answer
  // The most a member gains in a scope per UTC day from reactions received; 0: no cap.
  // Losses are never capped. With accepted_counts_to_cap, accepted answers count too.
  std::int32_t daily_cap = 0;
  bool accepted_counts_to_cap = false;
  // Whether the host program may award points here (Engine::award_reputation), and the most
  // one award may give or take.
  bool awards = true;
  std::int32_t award_max = 1'000'000;
  // Serial voting: when one member's reactions to one author's posts in `serial_window_ms`
  // reach `serial_votes`, the points of all of them are reversed and further ones in the
  // window count nothing. 0: not checked.
  std::uint32_t serial_votes = 0;
  std::int64_t serial_window_ms = 24 * 60 * 60 * 1000;
  std::vector<ReputationWindow> windows;  // custom leaderboard windows
  std::vector<Privilege> privileges;      // each permission at most once
  SanctionPoints sanctions;               // none in any preset

  // Stack Exchange-like Q&A: a +1 on a question or an answer gives its author 10, a -1 takes 2
  // from the author and, on an answer, 1 from the voter; an accepted answer gives the answerer
  // 15 and the asker 2; votes earn at most 200 a day (accepted answers are exempt); 10 votes
  // from one member to one author within a day are serial voting. Privileges: links at 50,
  // mentioning many members at 500, the -1 at 125.
  static ReputationRules qa();
  // The rules of an engine that is given none (EngineOptions::reputation): qa's points, caps
  // and serial-voting check without its privileges, so that nothing a member could do before
  // reputation existed needs points.
  static ReputationRules qa_points();
  // A discussion forum: likes ("+1", "heart", "thanks") earn 1 point and no one loses any;
  // what they mostly feed is trust, not a score. No cap, no serial-voting check below 20 a day.
  static ReputationRules forum();
  // A guild: contribution points come from the host program's awards (raids completed, items
  // crafted) and reactions earn nothing. Weekly and monthly boards come with every rule set; a
  // season is a custom window.
  static ReputationRules guild();
  // The preset named "qa", "forum" or "guild" (not_found otherwise).
  static result<ReputationRules> preset(std::string_view name);

  // invalid_argument when a field is out of range: a malformed or repeated kind, points beyond
  // ±1,000,000, a negative cap, award_max outside 1..1,000,000, a serial window outside 1 ms..30
  // days, a malformed or repeated window name, a window that ends before it starts. When `why`
  // is given, it receives a sentence naming the field ("reactions[1].kind: repeated").
  result<void> validate(std::string* why = nullptr) const;
  // Reads a rule set from a JSON object (docs/reputation.md, "Writing rules"). It starts from
  // the preset its "preset" field names, or from an empty set, and its other fields replace
  // the preset's. Malformed JSON, unknown fields, wrong types and invalid values are
  // invalid_argument, with `why` as for validate().
  static result<ReputationRules> from_json(std::string_view json, std::string* why = nullptr);
  // The rules as a JSON object that from_json reads back to the same rules.
  std::string to_json() const;

  // The points of reaction `kind`, if the rules list it.
  const ReactionPoints* points_for(std::string_view kind) const noexcept;
  // The permissions the privileges name, and those of them earned with `points`.
  Permissions privileged() const noexcept;
  Permissions earned(std::int64_t points) const noexcept;
};

// Why a ledger entry moved points.
enum class ReputationReason : std::uint8_t {
  reaction_received = 1,  // `source` reacted to the member's post (note: the kind)
  reaction_given,         // the member reacted to `source`'s post (note: the kind)
  answer_accepted,        // the member's answer was accepted by `source`
  accepted_answer,        // the member (the asker) accepted `source`'s answer
  award,                  // `source` awarded points on behalf of the host (note: why)
  reversal,               // cancels entry `reverses` (note: why, see below)
  sanction,               // the member was sanctioned by `source` (no id: the host); note: the
                          // sanction's id (ReputationRules::sanctions)
};
std::string_view to_string(ReputationReason r) noexcept;
std::optional<ReputationReason> reputation_reason_from_string(std::string_view s) noexcept;

// One line of the ledger. Entries are only ever appended: a reversal is a new entry with the
// opposite delta that names the entry it cancels, and its note says why (unreacted,
// post_removed, thread_removed, post_deleted, thread_deleted, answer_changed, serial_voting,
// sanction_revoked). When
// a removed post is restored, each reversal its removal wrote is undone by a new entry with the
// reason and note of the entry the reversal cancelled, naming the reversal in `reverses`.
struct ReputationEntry {
  ReputationEntryId id;
  MemberId member;  // whose points move
  SpaceId scope;    // the space whose rules applied; no id: the whole community
  std::int64_t delta = 0;
  ReputationReason reason = ReputationReason::award;
  std::string note;
  PostId post;       // the post it is about, if any
  ThreadId thread;   // that post's thread
  MemberId source;   // who caused it: the reactor, the acceptor, the awarder
  Timestamp at = 0;  // when it was written
  // The time whose windows (day, week, month, custom) it counts in: `at`, except for
  // reversals and restorations, which count where the entry they cancel or restore counted.
  Timestamp counts_at = 0;
  ReputationEntryId reverses;  // the entry a reversal cancels, or the reversal a restoration undoes
  bool capped = false;         // counts towards the daily cap
};

// A member's total in one scope and one window: a projection of the ledger. Windows are named
// "all", "week:YYYY-MM-DD" (the Monday a week starts, UTC), "month:YYYY-MM", "day:YYYY-MM-DD"
// (only what counts towards the daily cap) and "custom:<name>".
struct ReputationTotal {
  SpaceId scope;
  std::string window;
  MemberId member;
  std::int64_t points = 0;
};

// The order totals are listed in: by scope, then window (bytewise), then member.
struct ReputationTotalKey {
  SpaceId scope;
  std::string window;
  MemberId member;
};

// Which ledger entries a listing wants; unset fields match any.
struct LedgerQuery {
  MemberId member;
  PostId post;
  ThreadId thread;
  MemberId source;
  Timestamp since = 0;  // counts_at >= since
};

// One place on a leaderboard.
struct LeaderboardEntry {
  MemberId member;
  std::int64_t points = 0;
  // 1 + the number of members with more points: members with equal points share a rank.
  std::uint64_t rank = 0;
};

// The leaderboard windows a caller names.
enum class Period : std::uint8_t { all_time, week, month, custom };
std::string_view to_string(Period p) noexcept;  // "all_time", "week", "month", "custom"
std::optional<Period> period_from_string(std::string_view s) noexcept;

}  // namespace hearth
