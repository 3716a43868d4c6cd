// The moderation audit log (docs/moderation.md, "Audit log"): one append-only entry per
// moderation action, human or automatic. The storage keeps it (Transaction::insert_audit_entry,
// list_audit_entries), the engine writes it in the transaction of each action and reads it for
// Engine::audit_log. Nothing edits or deletes an entry.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "hearth/id.hpp"
#include "hearth/model.hpp"
#include "hearth/permissions.hpp"

namespace hearth {

// What was done. The values are stored: new actions are appended at the end, and a value is
// never renumbered or reused.
enum class AuditAction : std::uint8_t {
  post_removed = 0,     // remove_post
  post_restored,        // restore_post
  thread_pinned,        // pin_thread(true)
  thread_unpinned,      // pin_thread(false)
  thread_locked,        // lock_thread(true)
  thread_unlocked,      // lock_thread(false)
  thread_archived,      // archive_thread(true)
  thread_unarchived,    // archive_thread(false)
  thread_moved,         // move_thread (space: where it went; detail: {"from":"<space>"})
  member_banned,        // ban_member (detail: {"until":<ms>} for a ban that expires)
  member_unbanned,      // unban_member
  member_removed,       // remove_member: taken out of a space
  member_deactivated,   // deactivate_member by someone other than the member
  role_created,         // create_role
  role_updated,         // update_role
  role_deleted,         // delete_role
  role_assigned,        // assign_role
  role_unassigned,      // unassign_role
  override_set,         // set_override (removing one included; detail: {"allow":..,"deny":..})
  join_approved,        // decide_join_request(approve)
  join_denied,          // decide_join_request(deny)
  reputation_awarded,   // award_reputation (detail: {"points":<n>})
  trust_level_set,      // set_trust_level (detail: {"level":<n>})
  trust_level_cleared,  // clear_trust_level
  badge_granted,        // grant_badge (detail: {"badge":"<name>"})
  post_hidden,          // members' reports hid a post pending review (actor: the rule "reports")
  review_decided,       // decide_review_item (detail: {"decision":..,"reports":n})
  // The sanctions (detail: {"sanction":"<id>"}, and "until":<ms> when it ends).
  member_warned,             // warn_member
  member_timed_out,          // timeout_member
  member_suspended,          // suspend_member
  member_banned_everywhere,  // ban_everywhere
  sanction_revoked,          // revoke_sanction (target: the member; detail: the sanction's)
  moderator_note_added,      // add_moderator_note (target: the member; detail: {"note":"<id>"})
  moderator_note_deleted,    // delete_moderator_note (target: the member; detail: {"note":"<id>"})
  // Auto-moderation (actor: a rule or the classifier, named by actor_name, with `matched`).
  automod_rules_set,  // set_automod_rules (space: whose set; none: the community's)
  post_blocked,       // a rule refused a post (post: none; detail: {"thread":..} for a reply)
  post_flagged,       // a rule published a post and sent it to review
  post_censored,      // a rule masked words in a post
  appeal_filed,       // appeal (target: the author; detail: {"appeal_of":"<entry>"})
};
inline constexpr unsigned audit_action_count = 39;

std::string_view to_string(AuditAction a) noexcept;
std::optional<AuditAction> audit_action_from_string(std::string_view s) noexcept;

// Who acted. Stored values, appended to like AuditAction.
enum class AuditActorKind : std::uint8_t {
  member = 0,  // a member, named by AuditEntry::actor
  host,        // the host application, through a call without an acting member
  rule,        // an auto-moderation rule, named by AuditEntry::actor_name
  classifier,  // a classifier, named by AuditEntry::actor_name
};

std::string_view to_string(AuditActorKind k) noexcept;
std::optional<AuditActorKind> audit_actor_kind_from_string(std::string_view s) noexcept;

struct AuditEntry {
  std::uint64_t id = 0;  // assigned by the storage: above every id given before
  SpaceId space;         // where it happened; no id: community-wide
  AuditActorKind actor_kind = AuditActorKind::member;
  MemberId actor;          // for actor_kind member; no id otherwise
  std::string actor_name;  // the rule's or classifier's name; empty otherwise
  AuditAction action = AuditAction::post_removed;
  MemberId target_member;  // the member affected (a post's author, the banned member); or none
  PostId post;
  ThreadId thread;
  RoleId role;
  std::string reason;   // as the actor gave it; may be empty
  std::string matched;  // the text a rule matched; empty otherwise
  std::string detail;   // a small JSON object of what changed ("" for nothing more)
  Timestamp at = 0;
};

// Which entries to list. Every set field must hold; entries come newest first (id descending).
// One of space, target_member and actor names the index a storage walks; from..to narrows.
struct AuditQuery {
  // None: every space and the community-wide entries. Set: only that space's entries (not
  // those of the spaces below it); SpaceId{} (no id): only the community-wide ones.
  std::optional<SpaceId> space;
  MemberId target_member;  // no id: any
  MemberId actor;          // a member who acted; no id: any actor, hosts and rules included
  Timestamp from = 0;      // at >= from
  Timestamp to = std::numeric_limits<Timestamp>::max();  // at <= to
};

// Whether `e` passes every filter of `q`.
bool matches(const AuditQuery& q, const AuditEntry& e) noexcept;

}  // namespace hearth
