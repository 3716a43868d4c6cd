// Bans, invites and join requests: who gets into a space, and who is kept out.
#include <random>

#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using detail::TextKind;
using Access = Engine::Impl::Access;

constexpr std::uint32_t reason_max = 500;
constexpr std::uint32_t request_message_max = 500;
constexpr std::size_t invite_code_length = 20;  // 100 bits

// Whether the invite may still be used at `now`.
bool usable(const Invite& i, Timestamp now) {
  return !i.revoked && (i.expires_at == 0 || i.expires_at > now) &&
         (i.max_uses == 0 || i.uses < i.max_uses);
}

// The invite codes of a space are in its events by their creator only: a code is a key.
std::string invite_payload(const Invite& i) {
  return Payload()
      .id("space", i.space.value)
      .id("creator", i.creator.value)
      .num("expires_at", i.expires_at)
      .num("max_uses", i.max_uses)
      .done();
}

}  // namespace

// --- bans ----------------------------------------------------------------------------------

result<Ban> Engine::ban_member(MemberId actor, SpaceId space, MemberId member,
                               std::string_view reason, Timestamp expires_at) {
  HEARTH_TRY(clean_reason, detail::clean_text(reason, reason_max, TextKind::multiline, false));
  if (expires_at < 0) return errc::invalid_argument;
  return impl_->write([&](WriteContext& ctx) -> result<Ban> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, ctx.tx.get_space(space));
    HEARTH_CHECK(impl_->require_over(ctx.tx, space, actor, member, Permission::sanction_members));
    if (expires_at != 0 && expires_at <= ctx.now) return errc::invalid_argument;
    Ban b{space, member, actor, std::move(clean_reason), ctx.now, expires_at};
    HEARTH_CHECK(ctx.tx.put_ban(b));
    HEARTH_CHECK(impl_->expel(ctx, s, member, actor, EventType::member_removed));
    HEARTH_CHECK(drop_join_request(ctx.tx, space, member));
    auto payload =
        Payload().id("space", space.value).id("member", member.value).num("expires_at", expires_at);
    HEARTH_CHECK(ctx.emit(EventType::member_banned, space, actor, payload.done()));
    HEARTH_CHECK(impl_->audit(
        ctx, {.space = space,
              .actor = actor,
              .action = AuditAction::member_banned,
              .target_member = member,
              .reason = b.reason,
              .detail = expires_at ? Payload().num("until", expires_at).done() : std::string()}));
    return b;
  });
}

result<bool> Engine::unban_member(MemberId actor, SpaceId space, MemberId member) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_CHECK(impl_->require(ctx.tx, space, actor, Permission::sanction_members));
    auto ban = ctx.tx.get_ban(space, member);
    if (!ban) {
      if (is(ban.error(), errc::not_found)) return false;
      return failure{ban.error()};
    }
    HEARTH_CHECK(ctx.tx.delete_ban(space, member));
    HEARTH_CHECK(
        ctx.emit(EventType::member_unbanned, space, actor, membership_payload(space, member)));
    HEARTH_CHECK(impl_->audit(ctx, {.space = space,
                                    .actor = actor,
                                    .action = AuditAction::member_unbanned,
                                    .target_member = member}));
    return true;
  });
}

result<Page<Ban>> Engine::list_bans(MemberId viewer, SpaceId space, const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor('b', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Ban>> {
    HEARTH_CHECK(impl_->require(tx, space, viewer, Permission::sanction_members));
    HEARTH_TRY(items, tx.list_bans(space, MemberId{after}, limit + 1));
    return make_page(std::move(items), limit, 'b', [](const Ban& b) { return b.member.value; });
  });
}

// --- invites -------------------------------------------------------------------------------

result<Invite> Engine::create_invite(MemberId actor, SpaceId space, const NewInvite& spec) {
  if (spec.expires_at < 0) return errc::invalid_argument;
  std::string code;
  try {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::random_device device;
    std::uniform_int_distribution<int> pick(0, 31);
    for (std::size_t i = 0; i < invite_code_length; ++i) code.push_back(alphabet[pick(device)]);
  } catch (...) {
    return errc::unavailable;  // no source of randomness
  }
  return impl_->write([&](WriteContext& ctx) -> result<Invite> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_CHECK(impl_->require(ctx.tx, space, actor, Permission::invite));
    if (spec.expires_at != 0 && spec.expires_at <= ctx.now) return errc::invalid_argument;
    Invite i{code, space, actor, ctx.now, spec.expires_at, spec.max_uses, 0, false};
    HEARTH_CHECK(ctx.tx.insert_invite(i));
    HEARTH_CHECK(ctx.emit(EventType::invite_created, space, actor, invite_payload(i)));
    return i;
  });
}

result<bool> Engine::join_with_invite(MemberId actor, std::string_view code) {
  if (code.empty() || code.size() > 64) return errc::not_found;
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(invite, ctx.tx.get_invite(code));
    HEARTH_TRY(s, ctx.tx.get_space(invite.space));
    // An invite reveals its space, but not what is above it: that must be readable.
    if (s.parent) HEARTH_CHECK(impl_->check_read(ctx.tx, s.parent, actor));
    HEARTH_TRY(st, impl_->standing(ctx.tx, s.id, actor));
    if (st.banned) return errc::forbidden;
    if (st.member) return false;
    if (!usable(invite, ctx.now)) return errc::gone;
    HEARTH_TRY(joined, impl_->admit(ctx, s, actor, actor, &st));
    ++invite.uses;
    HEARTH_CHECK(ctx.tx.update_invite(invite));
    return joined;
  });
}

result<bool> Engine::revoke_invite(MemberId actor, std::string_view code) {
  if (code.empty() || code.size() > 64) return errc::not_found;
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(invite, ctx.tx.get_invite(code));
    HEARTH_TRY(st, impl_->access(ctx.tx, invite.space, actor, Access::read));
    if (invite.creator != actor && !st.perms.has(Permission::approve_joins)) return errc::forbidden;
    if (invite.revoked) return false;
    invite.revoked = true;
    HEARTH_CHECK(ctx.tx.update_invite(invite));
    HEARTH_CHECK(ctx.emit(EventType::invite_revoked, invite.space, actor, invite_payload(invite)));
    return true;
  });
}

result<Page<Invite>> Engine::list_invites(MemberId viewer, SpaceId space, const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  // The cursor is the last code listed, which is [a-z2-7]; anything else was not ours.
  std::string after = page.cursor;
  for (const char c : after)
    if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) return errc::invalid_cursor;
  if (after.size() > 64) return errc::invalid_cursor;
  return impl_->read([&](Transaction& tx) -> result<Page<Invite>> {
    HEARTH_CHECK(impl_->require(tx, space, viewer, Permission::approve_joins));
    HEARTH_TRY(items, tx.list_invites(space, after, limit + 1));
    Page<Invite> out;
    if (items.size() > limit) {
      items.resize(limit);
      out.next_cursor = items.back().code;
    }
    out.items = std::move(items);
    return out;
  });
}

// --- join requests -------------------------------------------------------------------------

result<bool> Engine::request_to_join(MemberId actor, SpaceId space, std::string_view message) {
  HEARTH_TRY(clean_message,
             detail::clean_text(message, request_message_max, TextKind::multiline, false));
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, impl_->check_access(ctx.tx, space, actor, Access::see));
    HEARTH_TRY(st, impl_->standing(ctx.tx, space, actor));
    if (st.member) return false;
    if (st.banned || s.join_policy != JoinPolicy::request) return errc::forbidden;
    auto existing = ctx.tx.get_join_request(space, actor);
    if (existing) return false;
    if (!is(existing.error(), errc::not_found)) return failure{existing.error()};
    HEARTH_CHECK(ctx.tx.insert_join_request({space, actor, std::move(clean_message), ctx.now}));
    HEARTH_CHECK(
        ctx.emit(EventType::join_requested, space, actor, membership_payload(space, actor)));
    return true;
  });
}

result<bool> Engine::withdraw_join_request(MemberId actor, SpaceId space) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_CHECK(impl_->check_access(ctx.tx, space, actor, Access::see));
    auto existing = ctx.tx.get_join_request(space, actor);
    if (!existing) {
      if (is(existing.error(), errc::not_found)) return false;
      return failure{existing.error()};
    }
    HEARTH_CHECK(ctx.tx.delete_join_request(space, actor));
    HEARTH_CHECK(ctx.emit(EventType::join_request_withdrawn, space, actor,
                          membership_payload(space, actor)));
    return true;
  });
}

result<void> Engine::decide_join_request(MemberId actor, SpaceId space, MemberId member,
                                         bool approve) {
  return impl_->write([&](WriteContext& ctx) -> result<void> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, ctx.tx.get_space(space));
    HEARTH_CHECK(impl_->require(ctx.tx, space, actor, Permission::approve_joins));
    HEARTH_CHECK(ctx.tx.get_join_request(space, member));
    auto payload =
        Payload().id("space", space.value).id("member", member.value).boolean("approved", approve);
    if (approve) {
      HEARTH_TRY(m, ctx.tx.get_member(member));
      if (!m.active) return errc::gone;
      HEARTH_CHECK(impl_->admit(ctx, s, member, actor));  // answers the request too
    } else {
      HEARTH_CHECK(ctx.tx.delete_join_request(space, member));
    }
    HEARTH_CHECK(ctx.emit(EventType::join_request_decided, space, actor, payload.done()));
    return impl_->audit(ctx,
                        {.space = space,
                         .actor = actor,
                         .action = approve ? AuditAction::join_approved : AuditAction::join_denied,
                         .target_member = member});
  });
}

result<Page<JoinRequest>> Engine::list_join_requests(MemberId viewer, SpaceId space,
                                                     const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor('j', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<JoinRequest>> {
    HEARTH_CHECK(impl_->require(tx, space, viewer, Permission::approve_joins));
    HEARTH_TRY(items, tx.list_join_requests(space, MemberId{after}, limit + 1));
    return make_page(std::move(items), limit, 'j',
                     [](const JoinRequest& r) { return r.member.value; });
  });
}

}  // namespace hearth
