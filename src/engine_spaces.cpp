#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using detail::TextKind;
using Access = Engine::Impl::Access;

std::string membership_payload(SpaceId space, MemberId member) {
  return Payload().id("space", space.value).id("member", member.value).done();
}

}  // namespace

result<Space> Engine::create_space(MemberId actor, const NewSpace& spec) {
  const Limits& limits = impl_->options.limits;
  HEARTH_TRY(name, detail::clean_text(spec.name, limits.space_name_max, TextKind::line));
  HEARTH_TRY(description, detail::clean_text(spec.description, limits.space_description_max,
                                             TextKind::multiline, false));
  if (to_string(spec.kind) == "unknown" || to_string(spec.visibility) == "unknown")
    return errc::invalid_argument;
  return impl_->write([&](WriteContext& ctx) -> result<Space> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    if (spec.parent) {
      HEARTH_CHECK(impl_->check_read(ctx.tx, spec.parent, actor));
      HEARTH_CHECK(impl_->require_membership(ctx.tx, spec.parent, actor));
    }
    Space s;
    s.id = impl_->ids.next_as<SpaceId>();
    s.parent = spec.parent;
    s.kind = spec.kind;
    s.name = std::move(name);
    s.description = std::move(description);
    s.visibility = spec.visibility;
    s.owner = actor;
    s.created_at = ctx.now;
    s.member_count = 1;
    HEARTH_CHECK(ctx.tx.insert_space(s));
    HEARTH_CHECK(ctx.tx.insert_membership({s.id, actor, ctx.now}));
    auto payload = Payload()
                       .id("space", s.id.value)
                       .id("parent", s.parent.value)
                       .str("kind", to_string(s.kind))
                       .str("visibility", to_string(s.visibility))
                       .str("name", s.name)
                       .id("owner", actor.value);
    HEARTH_CHECK(ctx.emit(EventType::space_created, s.id, actor, payload.done()));
    HEARTH_CHECK(ctx.emit(EventType::member_joined, s.id, actor, membership_payload(s.id, actor)));
    return s;
  });
}

result<Space> Engine::get_space(MemberId viewer, SpaceId id) {
  return impl_->read(
      [&](Transaction& tx) { return impl_->check_access(tx, id, viewer, Access::see); });
}

result<Page<Space>> Engine::list_child_spaces(MemberId viewer, SpaceId parent,
                                              const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor('s', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Space>> {
    if (parent) HEARTH_CHECK(impl_->check_read(tx, parent, viewer));
    // Secret children are left out for those who are not their members: scan on until the
    // page is full of children the viewer may see.
    std::vector<Space> visible;
    SpaceId from{after};
    for (;;) {
      HEARTH_TRY(batch, tx.list_child_spaces(parent, from, limit + 1));
      for (Space& child : batch) {
        from = child.id;
        bool shown = child.visibility != Visibility::secret;
        if (!shown && viewer) {
          auto m = tx.get_membership(child.id, viewer);
          if (!m && !is(m.error(), errc::not_found)) return failure{m.error()};
          shown = m.has_value();
        }
        if (shown) visible.push_back(std::move(child));
        if (visible.size() > limit) break;
      }
      if (visible.size() > limit || batch.size() <= limit) break;
    }
    return make_page(std::move(visible), limit, 's', [](const Space& s) { return s.id.value; });
  });
}

namespace {

// Whether `member` is in `space`.
result<bool> is_member(Transaction& tx, SpaceId space, MemberId member) {
  auto existing = tx.get_membership(space, member);
  if (existing) return true;
  if (!is(existing.error(), errc::not_found)) return failure{existing.error()};
  return false;
}

// Adds `member`, known not to be in it, to `s` (already read).
result<bool> add_membership(WriteContext& ctx, Space& s, MemberId member, MemberId actor) {
  HEARTH_CHECK(ctx.tx.insert_membership({s.id, member, ctx.now}));
  ++s.member_count;
  HEARTH_CHECK(ctx.tx.update_space(s));
  HEARTH_CHECK(ctx.emit(EventType::member_joined, s.id, actor, membership_payload(s.id, member)));
  return true;
}

}  // namespace

result<bool> Engine::join_space(MemberId actor, SpaceId space) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, impl_->check_access(ctx.tx, space, actor, Access::see));
    HEARTH_TRY(member, is_member(ctx.tx, space, actor));
    if (member) return false;
    // Only public spaces are open, and under readable ancestors (for a public root, seeing it
    // is reading it).
    if (s.visibility != Visibility::public_) return errc::forbidden;
    if (s.parent) HEARTH_CHECK(impl_->check_read(ctx.tx, space, actor));
    return add_membership(ctx, s, actor, actor);
  });
}

result<bool> Engine::add_member(MemberId actor, SpaceId space, MemberId member) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, impl_->check_access(ctx.tx, space, actor, Access::see));
    if (s.owner != actor) return errc::forbidden;
    HEARTH_TRY(m, ctx.tx.get_member(member));
    if (!m.active) return errc::gone;
    HEARTH_TRY(already, is_member(ctx.tx, space, member));
    if (already) return false;
    return add_membership(ctx, s, member, actor);
  });
}

result<bool> Engine::leave_space(MemberId actor, SpaceId space) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(ctx.tx.get_member(actor));
    HEARTH_TRY(s, ctx.tx.get_space(space));
    auto existing = ctx.tx.get_membership(space, actor);
    if (!existing) {
      if (!is(existing.error(), errc::not_found)) return failure{existing.error()};
      // Not a member: nothing to leave, unless they may not even know the space exists.
      auto seen = impl_->check_access(ctx.tx, space, actor, Access::see);
      if (!seen && is(seen.error(), errc::not_found)) return errc::not_found;
      return false;
    }
    if (s.owner == actor) return errc::conflict;
    HEARTH_CHECK(ctx.tx.delete_membership(space, actor));
    --s.member_count;
    HEARTH_CHECK(ctx.tx.update_space(s));
    HEARTH_CHECK(ctx.emit(EventType::member_left, space, actor, membership_payload(space, actor)));
    return true;
  });
}

result<Page<Membership>> Engine::list_space_members(MemberId viewer, SpaceId space,
                                                    const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor('m', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Membership>> {
    HEARTH_CHECK(impl_->check_read(tx, space, viewer));
    HEARTH_TRY(items, tx.list_memberships(space, MemberId{after}, limit + 1));
    return make_page(std::move(items), limit, 'm',
                     [](const Membership& m) { return m.member.value; });
  });
}

}  // namespace hearth
