#include "methods.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "hearth/protocol/json.hpp"

namespace hearth::protocol::detail {

namespace json = boost::json;

namespace {

template <class T>
Reply out(result<T> r) {
  if (!r) return {nullptr, r.error()};
  return {json::value_from(*r), {}};
}

Reply out(result<void> r) {
  if (!r) return {nullptr, r.error()};
  return {nullptr, {}};
}

Reply bad() { return {nullptr, {}, true}; }

// `r`, which names the space `post` is in when the call failed for a timeout (the session then
// says until when).
Reply in_post_space(Call& c, Reply r, PostId post) {
  if (r.ec == make_error_code(errc::timed_out)) {
    if (auto p = c.engine.get_post(c.me, post)) r.where = p->space;
  }
  return r;
}

std::optional<SpaceSort> space_sort_from_string(std::string_view s) {
  if (s == "activity") return SpaceSort::activity;
  if (s == "members") return SpaceSort::members;
  return std::nullopt;
}

std::optional<SearchSort> search_sort_from_string(std::string_view s) {
  if (s == "relevance") return SearchSort::relevance;
  if (s == "newest") return SearchSort::newest;
  return std::nullopt;
}

// --- members ---------------------------------------------------------------------------------

Reply create_member(Call& c) {
  auto handle = c.params.str("handle");
  auto display_name = c.params.str("display_name");
  auto external_ref = c.params.opt_str("external_ref");
  if (!c.params.done()) return bad();
  // Sign-up: only where the host allows it, and only before speaking for a member.
  if (!c.options.allow_signup || c.me) return {nullptr, make_error_code(errc::forbidden)};
  std::optional<std::string_view> ref;
  if (external_ref) ref = *external_ref;
  return out(c.engine.create_member(handle, display_name, ref));
}

Reply get_member(Call& c) {
  auto member = c.params.id<MemberId>("member");
  if (!c.params.done()) return bad();
  return out(c.engine.get_member(member));
}

Reply find_member_by_handle(Call& c) {
  auto handle = c.params.str("handle");
  if (!c.params.done()) return bad();
  return out(c.engine.find_member_by_handle(handle));
}

Reply find_member_by_external_ref(Call& c) {
  auto ref = c.params.str("external_ref");
  if (!c.params.done()) return bad();
  return out(c.engine.find_member_by_external_ref(ref));
}

Reply update_profile(Call& c) {
  auto member = c.params.opt_id<MemberId>("member");
  ProfileUpdate update;
  update.display_name = c.params.opt_str("display_name");
  update.bio = c.params.opt_str("bio");
  if (!c.params.done()) return bad();
  return out(c.engine.update_profile(c.me, member ? member : c.me, update));
}

Reply deactivate_member(Call& c) {
  auto member = c.params.opt_id<MemberId>("member");
  if (!c.params.done()) return bad();
  return out(c.engine.deactivate_member(c.me, member ? member : c.me));
}

// --- spaces ----------------------------------------------------------------------------------

Reply create_space(Call& c) {
  NewSpace s;
  s.parent = c.params.opt_id<SpaceId>("parent");
  s.kind = c.params.opt_enum("kind", &space_kind_from_string).value_or(SpaceKind::community);
  s.name = c.params.str("name");
  s.description = c.params.str_or("description", "");
  s.visibility =
      c.params.opt_enum("visibility", &visibility_from_string).value_or(Visibility::public_);
  s.join_policy = c.params.opt_enum("join_policy", &join_policy_from_string);
  s.member_cap = c.params.opt_u32("member_cap").value_or(0);
  s.tags = c.params.opt_strs("tags").value_or(std::vector<std::string>{});
  s.reaction_kinds = c.params.opt_strs("reaction_kinds").value_or(std::vector<std::string>{});
  s.no_self_reaction = c.params.opt_strs("no_self_reaction").value_or(std::vector<std::string>{});
  if (!c.params.done()) return bad();
  return out(c.engine.create_space(c.me, s));
}

Reply get_space(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  if (!c.params.done()) return bad();
  return out(c.engine.get_space(c.me, space));
}

Reply list_child_spaces(Call& c) {
  auto parent = c.params.opt_id<SpaceId>("parent");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.list_child_spaces(c.me, parent, page));
}

Reply join_space(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  if (!c.params.done()) return bad();
  return out(c.engine.join_space(c.me, space));
}

Reply add_member(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  if (!c.params.done()) return bad();
  return out(c.engine.add_member(c.me, space, member));
}

Reply leave_space(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  if (!c.params.done()) return bad();
  return out(c.engine.leave_space(c.me, space));
}

Reply list_space_members(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.list_space_members(c.me, space, page));
}

Reply find_spaces(Call& c) {
  SpaceSearch s;
  s.text = c.params.str_or("text", "");
  s.tag = c.params.str_or("tag", "");
  if (c.params.has("parent")) s.parent = c.params.opt_id<SpaceId>("parent");
  s.kind = c.params.opt_enum("kind", &space_kind_from_string);
  s.hide_full = c.params.bool_or("hide_full", false);
  s.open_only = c.params.bool_or("open_only", false);
  s.sort = c.params.opt_enum("sort", &space_sort_from_string).value_or(SpaceSort::activity);
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.find_spaces(c.me, s, page));
}

Reply update_space(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  SpaceUpdate u;
  u.name = c.params.opt_str("name");
  u.description = c.params.opt_str("description");
  u.join_policy = c.params.opt_enum("join_policy", &join_policy_from_string);
  u.member_cap = c.params.opt_u32("member_cap");
  u.tags = c.params.opt_strs("tags");
  u.reaction_kinds = c.params.opt_strs("reaction_kinds");
  u.no_self_reaction = c.params.opt_strs("no_self_reaction");
  if (!c.params.done()) return bad();
  return out(c.engine.update_space(c.me, space, u));
}

Reply transfer_ownership(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto owner = c.params.id<MemberId>("new_owner");
  if (!c.params.done()) return bad();
  return out(c.engine.transfer_ownership(c.me, space, owner));
}

Reply remove_member(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  if (!c.params.done()) return bad();
  return out(c.engine.remove_member(c.me, space, member));
}

// --- roles and permissions -------------------------------------------------------------------

Reply get_permissions(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  if (!c.params.done()) return bad();
  return out(c.engine.get_permissions(c.me, space));
}

Reply create_role(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  NewRole r;
  r.name = c.params.str("name");
  r.permissions = c.params.opt_permissions("permissions").value_or(Permissions{});
  r.rank = c.params.u32("rank");
  if (!c.params.done()) return bad();
  return out(c.engine.create_role(c.me, space, r));
}

Reply update_role(Call& c) {
  auto role = c.params.id<RoleId>("role");
  RoleUpdate u;
  u.name = c.params.opt_str("name");
  u.permissions = c.params.opt_permissions("permissions");
  u.rank = c.params.opt_u32("rank");
  if (!c.params.done()) return bad();
  return out(c.engine.update_role(c.me, role, u));
}

Reply delete_role(Call& c) {
  auto role = c.params.id<RoleId>("role");
  if (!c.params.done()) return bad();
  return out(c.engine.delete_role(c.me, role));
}

Reply list_roles(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  if (!c.params.done()) return bad();
  return out(c.engine.list_roles(c.me, space));
}

Reply assign_role(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto role = c.params.id<RoleId>("role");
  if (!c.params.done()) return bad();
  return out(c.engine.assign_role(c.me, space, member, role));
}

Reply unassign_role(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto role = c.params.id<RoleId>("role");
  if (!c.params.done()) return bad();
  return out(c.engine.unassign_role(c.me, space, member, role));
}

Reply list_member_roles(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  if (!c.params.done()) return bad();
  return out(c.engine.list_member_roles(c.me, space, member));
}

Reply set_override(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto role = c.params.id<RoleId>("role");
  auto allow = c.params.opt_permissions("allow").value_or(Permissions{});
  auto deny = c.params.opt_permissions("deny").value_or(Permissions{});
  if (!c.params.done()) return bad();
  return out(c.engine.set_override(c.me, space, role, allow, deny));
}

Reply list_overrides(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  if (!c.params.done()) return bad();
  return out(c.engine.list_overrides(c.me, space));
}

// --- bans, invites, join requests ------------------------------------------------------------

Reply ban_member(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto reason = c.params.str_or("reason", "");
  auto expires_at = c.params.opt_i64("expires_at").value_or(0);
  if (!c.params.done()) return bad();
  return out(c.engine.ban_member(c.me, space, member, reason, expires_at));
}

Reply unban_member(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  if (!c.params.done()) return bad();
  return out(c.engine.unban_member(c.me, space, member));
}

Reply list_bans(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.list_bans(c.me, space, page));
}

// --- sanctions -------------------------------------------------------------------------------

Reply warn_member(Call& c) {
  auto space = c.params.opt_id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto reason = c.params.str_or("reason", "");
  if (!c.params.done()) return bad();
  return out(c.engine.warn_member(c.me, space, member, reason));
}

Reply timeout_member(Call& c) {
  auto space = c.params.opt_id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto reason = c.params.str_or("reason", "");
  auto expires_at = c.params.i64("expires_at");
  if (!c.params.done()) return bad();
  return out(c.engine.timeout_member(c.me, space, member, reason, expires_at));
}

Reply suspend_member(Call& c) {
  auto member = c.params.id<MemberId>("member");
  auto reason = c.params.str_or("reason", "");
  auto expires_at = c.params.opt_i64("expires_at").value_or(0);
  if (!c.params.done()) return bad();
  return out(c.engine.suspend_member(c.me, member, reason, expires_at));
}

Reply ban_everywhere(Call& c) {
  auto member = c.params.id<MemberId>("member");
  auto reason = c.params.str_or("reason", "");
  auto expires_at = c.params.opt_i64("expires_at").value_or(0);
  if (!c.params.done()) return bad();
  return out(c.engine.ban_everywhere(c.me, member, reason, expires_at));
}

Reply revoke_sanction(Call& c) {
  auto sanction = c.params.id<SanctionId>("sanction");
  auto reason = c.params.str_or("reason", "");
  if (!c.params.done()) return bad();
  return out(c.engine.revoke_sanction(c.me, sanction, reason));
}

Reply list_sanctions(Call& c) {
  auto member = c.params.opt_id<MemberId>("member");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.list_sanctions(c.me, member ? member : c.me, page));
}

Reply restriction(Call& c) {
  auto member = c.params.opt_id<MemberId>("member");
  auto space = c.params.opt_id<SpaceId>("space");
  if (!c.params.done()) return bad();
  return out(c.engine.restriction(c.me, member ? member : c.me, space));
}

Reply create_invite(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  NewInvite i;
  i.expires_at = c.params.opt_i64("expires_at").value_or(0);
  i.max_uses = c.params.opt_u32("max_uses").value_or(0);
  if (!c.params.done()) return bad();
  return out(c.engine.create_invite(c.me, space, i));
}

Reply join_with_invite(Call& c) {
  auto code = c.params.str("code");
  if (!c.params.done()) return bad();
  return out(c.engine.join_with_invite(c.me, code));
}

Reply revoke_invite(Call& c) {
  auto code = c.params.str("code");
  if (!c.params.done()) return bad();
  return out(c.engine.revoke_invite(c.me, code));
}

Reply list_invites(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.list_invites(c.me, space, page));
}

Reply request_to_join(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto message = c.params.str_or("message", "");
  if (!c.params.done()) return bad();
  return out(c.engine.request_to_join(c.me, space, message));
}

Reply withdraw_join_request(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  if (!c.params.done()) return bad();
  return out(c.engine.withdraw_join_request(c.me, space));
}

Reply decide_join_request(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto approve = c.params.boolean("approve");
  if (!c.params.done()) return bad();
  return out(c.engine.decide_join_request(c.me, space, member, approve));
}

Reply list_join_requests(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.list_join_requests(c.me, space, page));
}

// --- threads and posts -----------------------------------------------------------------------

Reply create_thread(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto title = c.params.str("title");
  auto body = c.params.str("body");
  auto kind = c.params.opt_enum("kind", &thread_kind_from_string).value_or(ThreadKind::discussion);
  auto tags = c.params.opt_strs("tags").value_or(std::vector<std::string>{});
  if (!c.params.done()) return bad();
  Reply r = out(c.engine.create_thread(c.me, space, title, body, kind, tags));
  r.where = space;
  return r;
}

Reply set_thread_tags(Call& c) {
  auto thread = c.params.id<ThreadId>("thread");
  auto tags = c.params.opt_strs("tags").value_or(std::vector<std::string>{});
  if (!c.params.done()) return bad();
  return out(c.engine.set_thread_tags(c.me, thread, tags));
}

Reply reply(Call& c) {
  auto reply_to = c.params.id<PostId>("reply_to");
  auto body = c.params.str("body");
  if (!c.params.done()) return bad();
  return in_post_space(c, out(c.engine.reply(c.me, reply_to, body)), reply_to);
}

Reply get_thread(Call& c) {
  auto thread = c.params.id<ThreadId>("thread");
  if (!c.params.done()) return bad();
  return out(c.engine.get_thread(c.me, thread));
}

Reply get_post(Call& c) {
  auto post = c.params.id<PostId>("post");
  if (!c.params.done()) return bad();
  return out(c.engine.get_post(c.me, post));
}

Reply get_thread_page(Call& c) {
  auto thread = c.params.id<ThreadId>("thread");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.get_thread_page(c.me, thread, page));
}

Reply list_threads(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto page = c.params.page();
  ThreadFilter filter;
  filter.unanswered_only = c.params.bool_or("unanswered_only", false);
  filter.tag = c.params.str_or("tag", "");
  if (!c.params.done()) return bad();
  return out(c.engine.list_threads(c.me, space, page, filter));
}

Reply pin_thread(Call& c) {
  auto thread = c.params.id<ThreadId>("thread");
  auto on = c.params.boolean("pinned");
  if (!c.params.done()) return bad();
  return out(c.engine.pin_thread(c.me, thread, on));
}

Reply lock_thread(Call& c) {
  auto thread = c.params.id<ThreadId>("thread");
  auto on = c.params.boolean("locked");
  if (!c.params.done()) return bad();
  return out(c.engine.lock_thread(c.me, thread, on));
}

Reply archive_thread(Call& c) {
  auto thread = c.params.id<ThreadId>("thread");
  auto on = c.params.boolean("archived");
  if (!c.params.done()) return bad();
  return out(c.engine.archive_thread(c.me, thread, on));
}

Reply move_thread(Call& c) {
  auto thread = c.params.id<ThreadId>("thread");
  auto to = c.params.id<SpaceId>("to");
  if (!c.params.done()) return bad();
  return out(c.engine.move_thread(c.me, thread, to));
}

Reply accept_answer(Call& c) {
  auto thread = c.params.id<ThreadId>("thread");
  auto post = c.params.opt_id<PostId>("post");
  if (!c.params.done()) return bad();
  return out(c.engine.accept_answer(c.me, thread, post));
}

Reply list_reactions(Call& c) {
  auto post = c.params.id<PostId>("post");
  auto kind = c.params.str("kind");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.list_reactions(c.me, post, kind, page));
}

Reply edit_post(Call& c) {
  auto post = c.params.id<PostId>("post");
  auto body = c.params.str("body");
  auto title = c.params.opt_str("title");
  if (!c.params.done()) return bad();
  std::optional<std::string_view> t;
  if (title) t = *title;
  return in_post_space(c, out(c.engine.edit_post(c.me, post, body, t)), post);
}

Reply list_revisions(Call& c) {
  auto post = c.params.id<PostId>("post");
  if (!c.params.done()) return bad();
  return out(c.engine.list_revisions(c.me, post));
}

Reply delete_post(Call& c) {
  auto post = c.params.id<PostId>("post");
  if (!c.params.done()) return bad();
  return out(c.engine.delete_post(c.me, post));
}

Reply remove_post(Call& c) {
  auto post = c.params.id<PostId>("post");
  auto reason = c.params.str_or("reason", "");
  if (!c.params.done()) return bad();
  return out(c.engine.remove_post(c.me, post, reason));
}

Reply restore_post(Call& c) {
  auto post = c.params.id<PostId>("post");
  if (!c.params.done()) return bad();
  return out(c.engine.restore_post(c.me, post));
}

Reply react(Call& c) {
  auto post = c.params.id<PostId>("post");
  auto kind = c.params.str("kind");
  if (!c.params.done()) return bad();
  return in_post_space(c, out(c.engine.react(c.me, post, kind)), post);
}

Reply unreact(Call& c) {
  auto post = c.params.id<PostId>("post");
  auto kind = c.params.str("kind");
  if (!c.params.done()) return bad();
  return in_post_space(c, out(c.engine.unreact(c.me, post, kind)), post);
}

// --- search, notifications -------------------------------------------------------------------

Reply search(Call& c) {
  auto query = c.params.str("query");
  SearchOptions o;
  o.space = c.params.opt_id<SpaceId>("space");
  o.author = c.params.opt_id<MemberId>("author");
  o.tag = c.params.str_or("tag", "");
  o.from = c.params.opt_i64("from").value_or(0);
  o.to = c.params.opt_i64("to").value_or(0);
  o.sort = c.params.opt_enum("sort", &search_sort_from_string).value_or(SearchSort::relevance);
  o.advanced = c.params.bool_or("advanced", false);
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.search(c.me, query, o, page));
}

Reply list_notifications(Call& c) {
  auto page = c.params.page();
  auto unread_only = c.params.bool_or("unread_only", false);
  if (!c.params.done()) return bad();
  return out(c.engine.list_notifications(c.me, page, unread_only));
}

Reply mark_notifications_read(Call& c) {
  auto up_to = c.params.opt_id<NotificationId>("up_to");
  if (!c.params.done()) return bad();
  return out(c.engine.mark_notifications_read(c.me, up_to));
}

Reply mark_notification_read(Call& c) {
  auto id = c.params.id<NotificationId>("notification");
  if (!c.params.done()) return bad();
  return out(c.engine.mark_notification_read(c.me, id));
}

Reply mark_space_read(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto up_to = c.params.opt_id<PostId>("up_to");
  if (!c.params.done()) return bad();
  return out(c.engine.mark_space_read(c.me, space, up_to));
}

// --- reputation ---

Reply reputation_scope(Call& c) {
  auto space = c.params.opt_id<SpaceId>("space");
  if (!c.params.done()) return bad();
  return out(c.engine.reputation_scope(c.me, space));
}

Reply reputation(Call& c) {
  auto space = c.params.opt_id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto period = c.params.opt_enum("period", &period_from_string).value_or(Period::all_time);
  auto window = c.params.str_or("window", "");
  if (!c.params.done()) return bad();
  return out(c.engine.reputation(c.me, space, member, period, window));
}

Reply leaderboard(Call& c) {
  auto space = c.params.opt_id<SpaceId>("space");
  auto period = c.params.opt_enum("period", &period_from_string).value_or(Period::all_time);
  auto window = c.params.str_or("window", "");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.leaderboard(c.me, space, period, window, page));
}

Reply reputation_history(Call& c) {
  auto member = c.params.id<MemberId>("member");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.reputation_history(c.me, member, page));
}

Reply award_reputation(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto points = c.params.i64("points");
  auto reason = c.params.str("reason");
  if (!c.params.done()) return bad();
  return out(c.engine.award_reputation(c.me, space, member, points, reason));
}

// --- trust levels ---

Reply record_visit(Call& c) {
  if (!c.params.done()) return bad();
  return out(c.engine.record_visit(c.me));
}

Reply record_reading(Call& c) {
  auto thread = c.params.id<ThreadId>("thread");
  auto posts_read = c.params.u32("posts_read");
  auto read_ms = c.params.i64("read_ms");
  if (!c.params.done()) return bad();
  return out(c.engine.record_reading(c.me, thread, posts_read, read_ms));
}

Reply trust_level(Call& c) {
  auto member = c.params.id<MemberId>("member");
  if (!c.params.done()) return bad();
  return out(c.engine.trust_level(c.me, member));
}

// --- badges ---

Reply badges(Call& c) {
  auto member = c.params.id<MemberId>("member");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.badges(c.me, member, page));
}

// --- moderation audit log ---

Reply audit_log(Call& c) {
  AuditQuery q;
  if (c.params.has("space")) q.space = c.params.opt_id<SpaceId>("space");  // "0": community-wide
  q.target_member = c.params.opt_id<MemberId>("target");
  q.actor = c.params.opt_id<MemberId>("actor");
  q.from = c.params.opt_i64("from").value_or(q.from);
  q.to = c.params.opt_i64("to").value_or(q.to);
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.audit_log(c.me, q, page));
}

// --- moderator notes ---

Reply add_moderator_note(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto body = c.params.str("body");
  if (!c.params.done()) return bad();
  return out(c.engine.add_moderator_note(c.me, space, member, body));
}

Reply moderator_notes(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.moderator_notes(c.me, space, member, page));
}

Reply delete_moderator_note(Call& c) {
  auto note = c.params.id<ModeratorNoteId>("note");
  if (!c.params.done()) return bad();
  return out(c.engine.delete_moderator_note(c.me, note));
}

// --- auto-moderation, explain and appeal ---

Reply set_automod_rules(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  const json::object* rules = c.params.object("rules");
  if (!c.params.done()) return bad();
  auto parsed = moderation::automod_rules_from_json(json::serialize(*rules));
  if (!parsed) return {nullptr, parsed.error()};
  return out(c.engine.set_automod_rules(c.me, space, *parsed));
}

Reply automod_rules(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  if (!c.params.done()) return bad();
  return out(c.engine.automod_rules(c.me, space));
}

Reply moderation_history(Call& c) {
  auto post = c.params.opt_id<PostId>("post");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.moderation_history(c.me, c.me, page, post));
}

Reply appeal(Call& c) {
  auto entry = c.params.id<Id<struct AuditEntryTag>>("entry");
  auto statement = c.params.str("statement");
  if (!c.params.done()) return bad();
  return out(c.engine.appeal(c.me, entry.value, statement));
}

// --- reports and the review queue ---

std::optional<ReportReason> reason_param(Call& c) {
  auto reason = c.params.opt_enum("reason", &report_reason_from_string);
  if (!reason && !c.params.has("reason")) c.params.str("reason");  // required: names it missing
  return reason;
}

Reply report_post(Call& c) {
  auto post = c.params.id<PostId>("post");
  auto reason = reason_param(c);
  auto note = c.params.str_or("note", "");
  if (!c.params.done()) return bad();
  return out(c.engine.report_post(c.me, post, *reason, note));
}

Reply report_member(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto member = c.params.id<MemberId>("member");
  auto reason = reason_param(c);
  auto note = c.params.str_or("note", "");
  if (!c.params.done()) return bad();
  return out(c.engine.report_member(c.me, space, member, *reason, note));
}

Reply my_reports(Call& c) {
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.my_reports(c.me, page));
}

Reply review_queue(Call& c) {
  auto space = c.params.id<SpaceId>("space");
  auto page = c.params.page();
  if (!c.params.done()) return bad();
  return out(c.engine.review_queue(c.me, space, page));
}

Reply review_item(Call& c) {
  auto item = c.params.id<ReviewItemId>("item");
  if (!c.params.done()) return bad();
  return out(c.engine.review_item(c.me, item));
}

Reply claim_review_item(Call& c) {
  auto item = c.params.id<ReviewItemId>("item");
  if (!c.params.done()) return bad();
  return out(c.engine.claim_review_item(c.me, item));
}

std::optional<ReviewDecision> decision_param(Call& c) {
  auto action = c.params.opt_enum("action", &review_action_from_string);
  if (!action && !c.params.has("action")) c.params.str("action");  // required: names it missing
  auto reason = c.params.str_or("reason", "");
  auto sanction = c.params.opt_enum("sanction", &sanction_kind_from_string);
  auto expires_at = c.params.opt_i64("sanction_expires_at").value_or(0);
  if (!action) return std::nullopt;
  return ReviewDecision{*action, std::move(reason), sanction, expires_at};
}

Reply decide_review_item(Call& c) {
  auto item = c.params.id<ReviewItemId>("item");
  auto decision = decision_param(c);
  if (!c.params.done()) return bad();
  return out(c.engine.decide_review_item(c.me, item, *decision));
}

// {"results": [{"item": {...}} or {"error": "<code>"}, ...]}, one per item, in order.
Reply decide_review_items(Call& c) {
  std::vector<ReviewItemId> items;
  for (std::uint64_t v : c.params.ids("items")) items.emplace_back(v);
  auto decision = decision_param(c);
  if (!c.params.done()) return bad();
  auto r = c.engine.decide_review_items(c.me, items, *decision);
  if (!r) return {nullptr, r.error()};
  json::array results;
  for (const auto& one : *r) {
    if (one) {
      results.push_back(json::object{{"item", json::value_from(*one)}});
    } else {
      results.push_back(json::object{{"error", error_name(one.error())}});
    }
  }
  return {json::object{{"results", std::move(results)}}, {}};
}

Reply unread_counts(Call& c) {
  if (!c.params.done()) return bad();
  return out(c.engine.unread_counts(c.me));
}

constexpr std::array methods{
    Method{"accept_answer", &accept_answer},
    Method{"add_member", &add_member},
    Method{"add_moderator_note", &add_moderator_note},
    Method{"appeal", &appeal},
    Method{"archive_thread", &archive_thread},
    Method{"assign_role", &assign_role},
    Method{"audit_log", &audit_log},
    Method{"automod_rules", &automod_rules},
    Method{"award_reputation", &award_reputation},
    Method{"badges", &badges},
    Method{"ban_everywhere", &ban_everywhere},
    Method{"ban_member", &ban_member},
    Method{"claim_review_item", &claim_review_item},
    Method{"create_invite", &create_invite},
    Method{"create_member", &create_member},
    Method{"create_role", &create_role},
    Method{"create_space", &create_space},
    Method{"create_thread", &create_thread},
    Method{"deactivate_member", &deactivate_member},
    Method{"decide_join_request", &decide_join_request},
    Method{"decide_review_item", &decide_review_item},
    Method{"decide_review_items", &decide_review_items},
    Method{"delete_moderator_note", &delete_moderator_note},
    Method{"delete_post", &delete_post},
    Method{"delete_role", &delete_role},
    Method{"edit_post", &edit_post},
    Method{"find_member_by_external_ref", &find_member_by_external_ref},
    Method{"find_member_by_handle", &find_member_by_handle},
    Method{"find_spaces", &find_spaces},
    Method{"get_member", &get_member},
    Method{"get_permissions", &get_permissions},
    Method{"get_post", &get_post},
    Method{"get_space", &get_space},
    Method{"get_thread", &get_thread},
    Method{"get_thread_page", &get_thread_page},
    Method{"join_space", &join_space},
    Method{"join_with_invite", &join_with_invite},
    Method{"leaderboard", &leaderboard},
    Method{"leave_space", &leave_space},
    Method{"list_bans", &list_bans},
    Method{"list_child_spaces", &list_child_spaces},
    Method{"list_invites", &list_invites},
    Method{"list_join_requests", &list_join_requests},
    Method{"list_member_roles", &list_member_roles},
    Method{"list_notifications", &list_notifications},
    Method{"list_overrides", &list_overrides},
    Method{"list_reactions", &list_reactions},
    Method{"list_revisions", &list_revisions},
    Method{"list_roles", &list_roles},
    Method{"list_sanctions", &list_sanctions},
    Method{"list_space_members", &list_space_members},
    Method{"list_threads", &list_threads},
    Method{"lock_thread", &lock_thread},
    Method{"mark_notification_read", &mark_notification_read},
    Method{"mark_notifications_read", &mark_notifications_read},
    Method{"mark_space_read", &mark_space_read},
    Method{"moderation_history", &moderation_history},
    Method{"moderator_notes", &moderator_notes},
    Method{"move_thread", &move_thread},
    Method{"my_reports", &my_reports},
    Method{"pin_thread", &pin_thread},
    Method{"react", &react},
    Method{"record_reading", &record_reading},
    Method{"record_visit", &record_visit},
    Method{"remove_member", &remove_member},
    Method{"remove_post", &remove_post},
    Method{"reply", &reply},
    Method{"report_member", &report_member},
    Method{"report_post", &report_post},
    Method{"reputation", &reputation},
    Method{"reputation_history", &reputation_history},
    Method{"reputation_scope", &reputation_scope},
    Method{"request_to_join", &request_to_join},
    Method{"restore_post", &restore_post},
    Method{"restriction", &restriction},
    Method{"review_item", &review_item},
    Method{"review_queue", &review_queue},
    Method{"revoke_invite", &revoke_invite},
    Method{"revoke_sanction", &revoke_sanction},
    Method{"search", &search},
    Method{"set_automod_rules", &set_automod_rules},
    Method{"set_override", &set_override},
    Method{"set_thread_tags", &set_thread_tags},
    Method{"suspend_member", &suspend_member},
    Method{"timeout_member", &timeout_member},
    Method{"transfer_ownership", &transfer_ownership},
    Method{"trust_level", &trust_level},
    Method{"unassign_role", &unassign_role},
    Method{"unban_member", &unban_member},
    Method{"unreact", &unreact},
    Method{"unread_counts", &unread_counts},
    Method{"update_profile", &update_profile},
    Method{"update_role", &update_role},
    Method{"update_space", &update_space},
    Method{"warn_member", &warn_member},
    Method{"withdraw_join_request", &withdraw_join_request},
};

constexpr bool sorted() {
  for (std::size_t i = 1; i < methods.size(); ++i)
    if (!(methods[i - 1].name < methods[i].name)) return false;
  return true;
}
static_assert(sorted(), "keep the method table sorted by name");

}  // namespace

std::span<const Method> engine_methods() { return methods; }

const Method* find_engine_method(std::string_view name) {
  auto it = std::lower_bound(methods.begin(), methods.end(), name,
                             [](const Method& m, std::string_view n) { return m.name < n; });
  return it != methods.end() && it->name == name ? &*it : nullptr;
}

}  // namespace hearth::protocol::detail
