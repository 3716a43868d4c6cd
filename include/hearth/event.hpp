// The event log: every state change appends one event, in the same transaction as the change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hearth/clock.hpp"
#include "hearth/id.hpp"

namespace hearth {

enum class EventType : std::uint16_t {
  member_created = 1,
  member_updated,
  member_deactivated,
  space_created,
  member_joined,
  member_left,
  thread_created,
  reply_created,
  post_edited,
  post_deleted,
  reaction_added,
  reaction_removed,
  space_updated,
  ownership_transferred,
  member_removed,
  member_banned,
  member_unbanned,
  role_created,
  role_updated,
  role_deleted,
  role_assigned,
  role_unassigned,
  override_set,
  invite_created,
  invite_revoked,
  join_requested,
  join_request_withdrawn,
  join_request_decided,
  thread_updated,
  thread_moved,
  answer_accepted,
  post_removed,
  post_restored,
  thread_tagged,
  notification,         // a member's inbox got (or updated) a notification: for them only
  reputation_changed,   // a ledger entry moved a member's points (docs/reputation.md)
  trust_level_changed,  // a member's trust level moved (docs/trust.md)
  badge_awarded,        // a member was granted a badge (docs/badges.md)
  member_sanctioned,    // a member was warned, timed out, suspended or banned everywhere: for them
                        // only
  sanction_revoked,     // a sanction of a member was revoked: for them only
  member_erased,        // a member was erased (Engine::erase_member)
};
std::string_view to_string(EventType t) noexcept;
std::optional<EventType> event_type_from_string(std::string_view s) noexcept;

struct Event {
  std::uint64_t seq = 0;  // assigned by the storage: 1, 2, 3, ... in commit order, no gaps
  EventType type = EventType::member_created;
  SpaceId space;   // the space it happened in; no id for community-wide events
  MemberId actor;  // who caused it
  Timestamp at = 0;
  std::string payload;  // a JSON object with the ids and fields of the change (docs/events.md)
};

}  // namespace hearth
