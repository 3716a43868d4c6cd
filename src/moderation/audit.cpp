#include "hearth/moderation/audit.hpp"

#include <array>
#include <utility>

#include "../enum_names.hpp"

namespace hearth {
namespace {

constexpr std::array<std::pair<AuditAction, std::string_view>, audit_action_count> audit_actions{{
    {AuditAction::post_removed, "post_removed"},
    {AuditAction::post_restored, "post_restored"},
    {AuditAction::thread_pinned, "thread_pinned"},
    {AuditAction::thread_unpinned, "thread_unpinned"},
    {AuditAction::thread_locked, "thread_locked"},
    {AuditAction::thread_unlocked, "thread_unlocked"},
    {AuditAction::thread_archived, "thread_archived"},
    {AuditAction::thread_unarchived, "thread_unarchived"},
    {AuditAction::thread_moved, "thread_moved"},
    {AuditAction::member_banned, "member_banned"},
    {AuditAction::member_unbanned, "member_unbanned"},
    {AuditAction::member_removed, "member_removed"},
    {AuditAction::member_deactivated, "member_deactivated"},
    {AuditAction::role_created, "role_created"},
    {AuditAction::role_updated, "role_updated"},
    {AuditAction::role_deleted, "role_deleted"},
    {AuditAction::role_assigned, "role_assigned"},
    {AuditAction::role_unassigned, "role_unassigned"},
    {AuditAction::override_set, "override_set"},
    {AuditAction::join_approved, "join_approved"},
    {AuditAction::join_denied, "join_denied"},
    {AuditAction::reputation_awarded, "reputation_awarded"},
    {AuditAction::trust_level_set, "trust_level_set"},
    {AuditAction::trust_level_cleared, "trust_level_cleared"},
    {AuditAction::badge_granted, "badge_granted"},
    {AuditAction::post_hidden, "post_hidden"},
    {AuditAction::review_decided, "review_decided"},
    {AuditAction::member_warned, "member_warned"},
    {AuditAction::member_timed_out, "member_timed_out"},
    {AuditAction::member_suspended, "member_suspended"},
    {AuditAction::member_banned_everywhere, "member_banned_everywhere"},
    {AuditAction::sanction_revoked, "sanction_revoked"},
    {AuditAction::moderator_note_added, "moderator_note_added"},
    {AuditAction::moderator_note_deleted, "moderator_note_deleted"},
    {AuditAction::automod_rules_set, "automod_rules_set"},
    {AuditAction::post_blocked, "post_blocked"},
    {AuditAction::post_flagged, "post_flagged"},
    {AuditAction::post_censored, "post_censored"},
    {AuditAction::appeal_filed, "appeal_filed"},
}};

constexpr std::array<std::pair<AuditActorKind, std::string_view>, 4> actor_kinds{{
    {AuditActorKind::member, "member"},
    {AuditActorKind::host, "host"},
    {AuditActorKind::rule, "rule"},
    {AuditActorKind::classifier, "classifier"},
}};

}  // namespace

std::string_view to_string(AuditAction a) noexcept { return detail::name_of(audit_actions, a); }
std::optional<AuditAction> audit_action_from_string(std::string_view s) noexcept {
  return detail::value_of<AuditAction>(audit_actions, s);
}
std::string_view to_string(AuditActorKind k) noexcept { return detail::name_of(actor_kinds, k); }
std::optional<AuditActorKind> audit_actor_kind_from_string(std::string_view s) noexcept {
  return detail::value_of<AuditActorKind>(actor_kinds, s);
}

bool matches(const AuditQuery& q, const AuditEntry& e) noexcept {
  if (q.space && e.space != *q.space) return false;
  if (q.target_member && e.target_member != q.target_member) return false;
  if (q.actor && (e.actor_kind != AuditActorKind::member || e.actor != q.actor)) return false;
  return e.at >= q.from && e.at <= q.to;
}

}  // namespace hearth
