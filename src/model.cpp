#include "hearth/model.hpp"
#include "hearth/event.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "enum_names.hpp"
#include "text.hpp"

namespace hearth {
namespace {

constexpr std::array<std::pair<SpaceKind, std::string_view>, 5> space_kinds{{
    {SpaceKind::community, "community"},
    {SpaceKind::forum, "forum"},
    {SpaceKind::category, "category"},
    {SpaceKind::guild, "guild"},
    {SpaceKind::channel, "channel"},
}};

constexpr std::array<std::pair<Visibility, std::string_view>, 3> visibilities{{
    {Visibility::public_, "public"},
    {Visibility::private_, "private"},
    {Visibility::secret, "secret"},
}};

constexpr std::array<std::pair<JoinPolicy, std::string_view>, 3> join_policies{{
    {JoinPolicy::open, "open"},
    {JoinPolicy::request, "request"},
    {JoinPolicy::invite, "invite"},
}};

constexpr std::array<std::pair<ThreadKind, std::string_view>, 3> thread_kinds{{
    {ThreadKind::discussion, "discussion"},
    {ThreadKind::question, "question"},
    {ThreadKind::announcement, "announcement"},
}};

constexpr std::array<std::pair<EventType, std::string_view>, 41> event_types{{
    {EventType::member_created, "member_created"},
    {EventType::member_updated, "member_updated"},
    {EventType::member_deactivated, "member_deactivated"},
    {EventType::space_created, "space_created"},
    {EventType::member_joined, "member_joined"},
    {EventType::member_left, "member_left"},
    {EventType::thread_created, "thread_created"},
    {EventType::reply_created, "reply_created"},
    {EventType::post_edited, "post_edited"},
    {EventType::post_deleted, "post_deleted"},
    {EventType::reaction_added, "reaction_added"},
    {EventType::reaction_removed, "reaction_removed"},
    {EventType::space_updated, "space_updated"},
    {EventType::ownership_transferred, "ownership_transferred"},
    {EventType::member_removed, "member_removed"},
    {EventType::member_banned, "member_banned"},
    {EventType::member_unbanned, "member_unbanned"},
    {EventType::role_created, "role_created"},
    {EventType::role_updated, "role_updated"},
    {EventType::role_deleted, "role_deleted"},
    {EventType::role_assigned, "role_assigned"},
    {EventType::role_unassigned, "role_unassigned"},
    {EventType::override_set, "override_set"},
    {EventType::invite_created, "invite_created"},
    {EventType::invite_revoked, "invite_revoked"},
    {EventType::join_requested, "join_requested"},
    {EventType::join_request_withdrawn, "join_request_withdrawn"},
    {EventType::join_request_decided, "join_request_decided"},
    {EventType::thread_updated, "thread_updated"},
    {EventType::thread_moved, "thread_moved"},
    {EventType::answer_accepted, "answer_accepted"},
    {EventType::post_removed, "post_removed"},
    {EventType::post_restored, "post_restored"},
    {EventType::thread_tagged, "thread_tagged"},
    {EventType::notification, "notification"},
    {EventType::reputation_changed, "reputation_changed"},
    {EventType::trust_level_changed, "trust_level_changed"},
    {EventType::badge_awarded, "badge_awarded"},
    {EventType::member_sanctioned, "member_sanctioned"},
    {EventType::sanction_revoked, "sanction_revoked"},
    {EventType::member_erased, "member_erased"},
}};

constexpr std::array<std::pair<NotificationKind, std::string_view>, 6> notification_kinds{{
    {NotificationKind::reply, "reply"},
    {NotificationKind::mention, "mention"},
    {NotificationKind::answer_accepted, "answer_accepted"},
    {NotificationKind::reaction, "reaction"},
    {NotificationKind::report_decided, "report_decided"},
    {NotificationKind::appeal_decided, "appeal_decided"},
}};

constexpr std::array<std::pair<SanctionKind, std::string_view>, 4> sanction_kinds{{
    {SanctionKind::warn, "warn"},
    {SanctionKind::timeout, "timeout"},
    {SanctionKind::suspend, "suspend"},
    {SanctionKind::ban, "ban"},
}};

using detail::name_of;
using detail::value_of;

}  // namespace

std::string_view to_string(SpaceKind k) noexcept { return name_of(space_kinds, k); }
std::optional<SpaceKind> space_kind_from_string(std::string_view s) noexcept {
  return value_of<SpaceKind>(space_kinds, s);
}
std::string_view to_string(ThreadKind k) noexcept { return name_of(thread_kinds, k); }
std::optional<ThreadKind> thread_kind_from_string(std::string_view s) noexcept {
  return value_of<ThreadKind>(thread_kinds, s);
}
std::string_view to_string(JoinPolicy p) noexcept { return name_of(join_policies, p); }
std::optional<JoinPolicy> join_policy_from_string(std::string_view s) noexcept {
  return value_of<JoinPolicy>(join_policies, s);
}
std::string_view to_string(Visibility v) noexcept { return name_of(visibilities, v); }
std::optional<Visibility> visibility_from_string(std::string_view s) noexcept {
  return value_of<Visibility>(visibilities, s);
}
std::string_view to_string(NotificationKind k) noexcept { return name_of(notification_kinds, k); }
std::optional<NotificationKind> notification_kind_from_string(std::string_view s) noexcept {
  return value_of<NotificationKind>(notification_kinds, s);
}
std::string_view to_string(SanctionKind k) noexcept { return name_of(sanction_kinds, k); }
std::optional<SanctionKind> sanction_kind_from_string(std::string_view s) noexcept {
  return value_of<SanctionKind>(sanction_kinds, s);
}
std::string_view to_string(EventType t) noexcept { return name_of(event_types, t); }
std::optional<EventType> event_type_from_string(std::string_view s) noexcept {
  return value_of<EventType>(event_types, s);
}

bool matches(const SpaceQuery& q, const Space& s) noexcept {
  if (q.parent && s.parent != *q.parent) return false;
  if (q.kind && s.kind != *q.kind) return false;
  if (q.hide_full && s.member_cap != 0 && s.member_count >= s.member_cap) return false;
  if (q.open_only && s.join_policy != JoinPolicy::open) return false;
  if (!q.tag.empty() && std::find(s.tags.begin(), s.tags.end(), q.tag) == s.tags.end())
    return false;
  return detail::contains_folded(s.name, q.text) || detail::contains_folded(s.description, q.text);
}

}  // namespace hearth
