#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using detail::TextKind;
using Access = Engine::Impl::Access;

constexpr std::uint32_t role_name_max = 64;

// The built-in roles as records (not stored; no space).
const std::array<Role, 5>& builtin_roles() {
  static const std::array<Role, 5> roles{{
      {builtin::everyone_role, {}, "everyone", builtin::everyone, builtin::everyone_rank, 0},
      {builtin::member_role, {}, "member", builtin::member, builtin::member_rank, 0},
      {builtin::moderator_role, {}, "moderator", builtin::moderator, builtin::moderator_rank, 0},
      {builtin::admin_role, {}, "admin", builtin::admin, builtin::admin_rank, 0},
      {builtin::owner_role, {}, "owner", Permissions::all(), builtin::owner_rank, 0},
  }};
  return roles;
}

result<Role> role_record(Transaction& tx, RoleId id) {
  if (builtin::is_builtin(id)) return builtin_roles()[id.value - 1];
  return tx.get_role(id);
}

std::string role_payload(const Role& r) {
  return Payload()
      .id("role", r.id.value)
      .id("space", r.space.value)
      .str("name", r.name)
      .num("permissions", static_cast<std::int64_t>(r.permissions.bits()))
      .num("rank", r.rank)
      .done();
}

// What an audit entry keeps of a role as it is after the change.
std::string role_detail(const Role& r) {
  return Payload()
      .str("name", r.name)
      .num("permissions", static_cast<std::int64_t>(r.permissions.bits()))
      .num("rank", r.rank)
      .done();
}

std::string assignment_payload(SpaceId space, MemberId member, RoleId role) {
  return Payload()
      .id("space", space.value)
      .id("member", member.value)
      .id("role", role.value)
      .done();
}

bool valid_rank(Rank r) { return r > builtin::everyone_rank && r < builtin::owner_rank; }

// Whether `role` may be used in `space`: a custom role defined there or above, or a built-in
// one. The role record, else not_found.
result<Role> usable_role(Engine::Impl& impl, Transaction& tx, SpaceId space, RoleId id) {
  HEARTH_TRY(role, role_record(tx, id));
  if (builtin::is_builtin(id)) return role;
  for (SpaceId at = space; at;) {
    if (at == role.space) return role;
    HEARTH_TRY(f, impl.space_facts(tx, at));
    at = f.parent;
  }
  return errc::not_found;
}

}  // namespace

result<Permissions> Engine::get_permissions(MemberId viewer, SpaceId space) {
  // A current cached standing answers without a transaction.
  if (auto st = impl_->cached_standing(space, viewer)) {
    if (st->see != errc{}) return st->see;
    return st->read != errc{} ? Permissions{} : st->perms;
  }
  return impl_->read([&](Transaction& tx) -> result<Permissions> {
    HEARTH_TRY(st, impl_->access(tx, space, viewer, Access::see));
    if (st.read != errc{}) return Permissions{};
    return st.perms;
  });
}

result<Role> Engine::create_role(MemberId actor, SpaceId space, const NewRole& spec) {
  HEARTH_TRY(name, detail::clean_text(spec.name, role_name_max, TextKind::line));
  if (!valid_rank(spec.rank)) return errc::invalid_argument;
  return impl_->write([&](WriteContext& ctx) -> result<Role> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(st, impl_->require(ctx.tx, space, actor, Permission::manage_roles));
    if (!may_grant(st.perms, st.rank, spec.permissions, spec.rank)) return errc::forbidden;
    Role r{
        impl_->ids.next_as<RoleId>(), space, std::move(name), spec.permissions, spec.rank, ctx.now};
    HEARTH_CHECK(ctx.tx.insert_role(r));
    HEARTH_CHECK(ctx.emit(EventType::role_created, space, actor, role_payload(r)));
    HEARTH_CHECK(impl_->audit(ctx, {.space = space,
                                    .actor = actor,
                                    .action = AuditAction::role_created,
                                    .role = r.id,
                                    .detail = role_detail(r)}));
    return r;
  });
}

result<Role> Engine::update_role(MemberId actor, RoleId role, const RoleUpdate& update) {
  std::optional<std::string> name;
  if (update.name) {
    HEARTH_TRY(n, detail::clean_text(*update.name, role_name_max, TextKind::line));
    name = std::move(n);
  }
  if (update.rank && !valid_rank(*update.rank)) return errc::invalid_argument;
  if (builtin::is_builtin(role)) return errc::invalid_argument;  // change them by overrides
  return impl_->write([&](WriteContext& ctx) -> result<Role> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(r, ctx.tx.get_role(role));
    HEARTH_TRY(st, impl_->require(ctx.tx, r.space, actor, Permission::manage_roles));
    if (!may_grant(st.perms, st.rank, r.permissions, r.rank)) return errc::forbidden;
    const Role before = r;
    if (name) r.name = std::move(*name);
    if (update.permissions) r.permissions = *update.permissions;
    if (update.rank) r.rank = *update.rank;
    if (!may_grant(st.perms, st.rank, r.permissions, r.rank)) return errc::forbidden;
    HEARTH_CHECK(ctx.tx.update_role(r));
    HEARTH_CHECK(ctx.emit(EventType::role_updated, r.space, actor, role_payload(r)));
    if (r.name != before.name || r.permissions != before.permissions || r.rank != before.rank)
      HEARTH_CHECK(impl_->audit(ctx, {.space = r.space,
                                      .actor = actor,
                                      .action = AuditAction::role_updated,
                                      .role = r.id,
                                      .detail = role_detail(r)}));
    return r;
  });
}

result<void> Engine::delete_role(MemberId actor, RoleId role) {
  if (builtin::is_builtin(role)) return errc::invalid_argument;
  return impl_->write([&](WriteContext& ctx) -> result<void> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(r, ctx.tx.get_role(role));
    HEARTH_TRY(st, impl_->require(ctx.tx, r.space, actor, Permission::manage_roles));
    if (!may_grant(st.perms, st.rank, r.permissions, r.rank)) return errc::forbidden;
    HEARTH_CHECK(ctx.tx.delete_role(role));
    HEARTH_CHECK(ctx.emit(EventType::role_deleted, r.space, actor, role_payload(r)));
    return impl_->audit(ctx, {.space = r.space,
                              .actor = actor,
                              .action = AuditAction::role_deleted,
                              .role = r.id,
                              .detail = role_detail(r)});
  });
}

result<std::vector<Role>> Engine::list_roles(MemberId viewer, SpaceId space) {
  return impl_->read([&](Transaction& tx) -> result<std::vector<Role>> {
    HEARTH_CHECK(impl_->check_read(tx, space, viewer));
    std::vector<Role> out(builtin_roles().begin(), builtin_roles().end());
    std::vector<SpaceId> path;
    for (SpaceId at = space; at;) {
      path.push_back(at);
      HEARTH_TRY(f, impl_->space_facts(tx, at));
      at = f.parent;
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      HEARTH_TRY(roles, tx.list_roles(*it));
      for (Role& r : roles) out.push_back(std::move(r));
    }
    return out;
  });
}

namespace {

// The checks assign_role and unassign_role share: manage_roles in the space, the role usable
// there and assignable, the actor above both the role and the member, holding all it grants.
struct RoleChange {
  Engine::Impl& impl;
  WriteContext& ctx;
  MemberId actor;
  SpaceId space;
  MemberId member;
  RoleId role;

  result<void> check() {
    HEARTH_CHECK(impl.active_member(ctx.tx, actor));
    if (role == builtin::everyone_role || role == builtin::member_role ||
        role == builtin::owner_role)
      return errc::invalid_argument;  // held by being there, a member, the owner
    HEARTH_TRY(st, impl.require_over(ctx.tx, space, actor, member, Permission::manage_roles));
    HEARTH_TRY(r, usable_role(impl, ctx.tx, space, role));
    if (!may_grant(st.perms, st.rank, r.permissions, r.rank)) return errc::forbidden;
    HEARTH_TRY(in, found(ctx.tx.get_membership(space, member)));
    if (!in) return errc::conflict;  // roles are for members
    return {};
  }
};

}  // namespace

result<bool> Engine::assign_role(MemberId actor, SpaceId space, MemberId member, RoleId role) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    RoleChange change{*impl_, ctx, actor, space, member, role};
    HEARTH_CHECK(change.check());
    HEARTH_TRY(held, ctx.tx.list_role_assignments(space, member));
    for (const RoleAssignment& a : held)
      if (a.role == role) return false;
    HEARTH_CHECK(ctx.tx.insert_role_assignment({space, member, role, actor, ctx.now}));
    HEARTH_CHECK(
        ctx.emit(EventType::role_assigned, space, actor, assignment_payload(space, member, role)));
    HEARTH_CHECK(impl_->audit(ctx, {.space = space,
                                    .actor = actor,
                                    .action = AuditAction::role_assigned,
                                    .target_member = member,
                                    .role = role}));
    return true;
  });
}

result<bool> Engine::unassign_role(MemberId actor, SpaceId space, MemberId member, RoleId role) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    RoleChange change{*impl_, ctx, actor, space, member, role};
    HEARTH_CHECK(change.check());
    HEARTH_TRY(held, ctx.tx.list_role_assignments(space, member));
    bool holds = false;
    for (const RoleAssignment& a : held) holds = holds || a.role == role;
    if (!holds) return false;
    HEARTH_CHECK(ctx.tx.delete_role_assignment(space, member, role));
    HEARTH_CHECK(ctx.emit(EventType::role_unassigned, space, actor,
                          assignment_payload(space, member, role)));
    HEARTH_CHECK(impl_->audit(ctx, {.space = space,
                                    .actor = actor,
                                    .action = AuditAction::role_unassigned,
                                    .target_member = member,
                                    .role = role}));
    return true;
  });
}

result<std::vector<Role>> Engine::list_member_roles(MemberId viewer, SpaceId space,
                                                    MemberId member) {
  return impl_->read([&](Transaction& tx) -> result<std::vector<Role>> {
    HEARTH_CHECK(impl_->check_read(tx, space, viewer));
    HEARTH_CHECK(tx.get_member(member));
    HEARTH_TRY(st, impl_->standing(tx, space, member, true));
    std::vector<Role> out;
    for (const HeldRole& h : st.roles) {
      HEARTH_TRY(r, role_record(tx, h.role));
      bool seen = false;
      for (const Role& o : out) seen = seen || o.id == r.id;
      if (!seen) out.push_back(std::move(r));
    }
    return out;
  });
}

result<void> Engine::set_override(MemberId actor, SpaceId space, RoleId role, Permissions allow,
                                  Permissions deny) {
  if (role == builtin::owner_role) return errc::invalid_argument;  // the owner has everything
  return impl_->write([&](WriteContext& ctx) -> result<void> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(st, impl_->require(ctx.tx, space, actor, Permission::manage_roles));
    HEARTH_TRY(r, usable_role(*impl_, ctx.tx, space, role));
    if (!may_act_on(st.rank, r.rank) || !st.perms.contains(allow | deny)) return errc::forbidden;
    HEARTH_TRY(existing, ctx.tx.list_overrides(space));
    std::optional<RoleOverride> present;
    for (const RoleOverride& o : existing)
      if (o.role == role) present = o;
    if (allow.empty() && deny.empty()) {
      if (!present) return {};  // nothing to remove, nothing changes
      HEARTH_CHECK(ctx.tx.delete_override(space, role));
    } else {
      HEARTH_CHECK(ctx.tx.put_override(space, {role, allow, deny}));
    }
    // Setting the override it has already is written again, but changes nothing to audit.
    const bool changed = !present || present->allow != allow || present->deny != deny;
    auto payload = Payload()
                       .id("space", space.value)
                       .id("role", role.value)
                       .num("allow", static_cast<std::int64_t>(allow.bits()))
                       .num("deny", static_cast<std::int64_t>(deny.bits()));
    HEARTH_CHECK(ctx.emit(EventType::override_set, space, actor, payload.done()));
    if (!changed) return {};
    return impl_->audit(ctx, {.space = space,
                              .actor = actor,
                              .action = AuditAction::override_set,
                              .role = role,
                              .detail = Payload()
                                            .num("allow", static_cast<std::int64_t>(allow.bits()))
                                            .num("deny", static_cast<std::int64_t>(deny.bits()))
                                            .done()});
  });
}

result<std::vector<RoleOverride>> Engine::list_overrides(MemberId viewer, SpaceId space) {
  return impl_->read([&](Transaction& tx) -> result<std::vector<RoleOverride>> {
    HEARTH_CHECK(impl_->check_read(tx, space, viewer));
    return tx.list_overrides(space);
  });
}

}  // namespace hearth
