#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using detail::TextKind;
using Access = Engine::Impl::Access;

std::string space_payload(const Space& s) {
  return Payload()
      .id("space", s.id.value)
      .id("parent", s.parent.value)
      .str("kind", to_string(s.kind))
      .str("visibility", to_string(s.visibility))
      .str("name", s.name)
      .id("owner", s.owner.value)
      .str("join_policy", to_string(s.join_policy))
      .num("member_cap", s.member_cap)
      .strs("tags", s.tags)
      .strs("reaction_kinds", s.reaction_kinds)
      .strs("no_self_reaction", s.no_self_reaction)
      .done();
}

// Whether `policy` suits `visibility`: only public spaces are open, and a secret space takes
// no requests (nobody outside knows it exists).
bool policy_fits(Visibility visibility, JoinPolicy policy) {
  if (to_string(policy) == "unknown") return false;
  if (policy == JoinPolicy::open) return visibility == Visibility::public_;
  if (policy == JoinPolicy::request) return visibility != Visibility::secret;
  return true;
}

JoinPolicy default_policy(Visibility visibility) {
  switch (visibility) {
    case Visibility::public_:
      return JoinPolicy::open;
    case Visibility::private_:
      return JoinPolicy::request;
    case Visibility::secret:
      break;
  }
  return JoinPolicy::invite;
}

// Whether `member` is in `space`.
result<bool> is_member(Transaction& tx, SpaceId space, MemberId member) {
  return found(tx.get_membership(space, member));
}

}  // namespace

result<bool> Engine::Impl::admit(WriteContext& ctx, Space& s, MemberId member, MemberId actor,
                                 const Standing* known) {
  if (!known) {
    HEARTH_TRY(st, standing(ctx.tx, s.id, member));
    return admit(ctx, s, member, actor, &st);
  }
  if (known->member) return false;
  if (known->banned) return errc::forbidden;
  if (s.member_cap != 0 && s.member_count >= s.member_cap) return errc::full;
  // What was posted before they joined is not new to them. Ids are made in the write
  // transaction, which is serialised, so every post committed so far has a smaller one. The
  // membership carries it (one row written rather than a read marker too).
  HEARTH_CHECK(ctx.tx.insert_membership({s.id, member, ctx.now, ids.next_as<PostId>()}));
  ++s.member_count;
  HEARTH_CHECK(ctx.tx.update_space(s));
  // A pending request is answered by joining, however it happened.
  HEARTH_CHECK(drop_join_request(ctx.tx, s.id, member));
  HEARTH_CHECK(ctx.emit(EventType::member_joined, s.id, actor, membership_payload(s.id, member)));
  return true;
}

result<bool> Engine::Impl::expel(WriteContext& ctx, Space& s, MemberId member, MemberId actor,
                                 std::optional<EventType> type) {
  HEARTH_TRY(in, is_member(ctx.tx, s.id, member));
  if (!in) return false;
  HEARTH_CHECK(ctx.tx.delete_membership(s.id, member));
  HEARTH_TRY(assignments, ctx.tx.list_role_assignments(s.id, member));
  for (const RoleAssignment& a : assignments)
    HEARTH_CHECK(ctx.tx.delete_role_assignment(s.id, member, a.role));
  --s.member_count;
  HEARTH_CHECK(ctx.tx.update_space(s));
  if (type) HEARTH_CHECK(ctx.emit(*type, s.id, actor, membership_payload(s.id, member)));
  return true;
}

result<Space> Engine::create_space(MemberId actor, const NewSpace& spec) {
  const Limits& limits = impl_->options.limits;
  HEARTH_TRY(name, detail::clean_text(spec.name, limits.space_name_max, TextKind::line));
  HEARTH_TRY(description, detail::clean_text(spec.description, limits.space_description_max,
                                             TextKind::multiline, false));
  if (to_string(spec.kind) == "unknown" || to_string(spec.visibility) == "unknown")
    return errc::invalid_argument;
  const JoinPolicy policy = spec.join_policy.value_or(default_policy(spec.visibility));
  if (!policy_fits(spec.visibility, policy)) return errc::invalid_argument;
  HEARTH_TRY(tags, Impl::clean_tags(spec.tags, limits.space_tags_max));
  HEARTH_CHECK(Impl::check_reaction_rules(spec.reaction_kinds, spec.no_self_reaction));
  if (spec.reaction_kinds.empty() && !spec.no_self_reaction.empty()) return errc::invalid_argument;
  return impl_->write([&](WriteContext& ctx) -> result<Space> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    if (spec.parent)
      HEARTH_CHECK(impl_->require(ctx.tx, spec.parent, actor, Permission::manage_space));
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
    s.join_policy = policy;
    s.member_cap = spec.member_cap;
    s.tags = std::move(tags);
    s.reaction_kinds = spec.reaction_kinds;
    s.no_self_reaction = spec.no_self_reaction;
    HEARTH_CHECK(ctx.tx.insert_space(s));
    HEARTH_CHECK(ctx.tx.insert_membership({s.id, actor, ctx.now}));
    HEARTH_CHECK(ctx.emit(EventType::space_created, s.id, actor, space_payload(s)));
    HEARTH_CHECK(ctx.emit(EventType::member_joined, s.id, actor, membership_payload(s.id, actor)));
    return s;
  });
}

result<Space> Engine::get_space(MemberId viewer, SpaceId id) {
  return impl_->read(
      [&](Transaction& tx) { return impl_->check_access(tx, id, viewer, Access::see); });
}

result<Page<SpaceHit>> Engine::find_spaces(MemberId viewer, const SpaceSearch& search,
                                           const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(from, detail::decode_cursor_pair('d', page.cursor));
  SpaceQuery q;
  HEARTH_TRY(text, detail::clean_text(search.text, 200, detail::TextKind::line, false));
  q.text = detail::ascii_lower(text);
  if (!search.tag.empty()) {
    HEARTH_TRY(tag, Impl::clean_tags({search.tag}, 1));
    q.tag = std::move(tag.front());
  }
  if (search.kind && to_string(*search.kind) == "unknown") return errc::invalid_argument;
  if (search.sort != SpaceSort::activity && search.sort != SpaceSort::members)
    return errc::invalid_argument;
  q.parent = search.parent;
  q.kind = search.kind;
  q.hide_full = search.hide_full;
  q.open_only = search.open_only;
  q.sort = search.sort;
  auto key = [&](const SpaceHit& h) {
    return q.sort == SpaceSort::members ? std::uint64_t{h.space.member_count} : h.last_post.value;
  };
  return impl_->read([&](Transaction& tx) -> result<Page<SpaceHit>> {
    if (q.parent && *q.parent) {
      HEARTH_CHECK(impl_->check_access(tx, *q.parent, viewer, Impl::Access::see));
    }
    // The storage leaves out secret spaces; those below a space the viewer may not read are
    // left out here: scan on until the page is full of spaces the viewer may see.
    SpacePosition at;
    if (from) at = {from->first, SpaceId{from->second}};
    std::vector<SpaceHit> visible;
    for (;;) {
      HEARTH_TRY(batch, tx.find_spaces(q, at, limit + 1));
      for (SpaceHit& hit : batch) {
        at = {key(hit), hit.space.id};
        impl_->remember(hit.space);
        HEARTH_TRY(st, impl_->standing(tx, hit.space.id, viewer));
        if (st.see != errc{}) continue;
        if (hit.last_post) hit.last_activity_at = id_time(hit.last_post.value);
        visible.push_back(std::move(hit));
        if (visible.size() > limit) break;
      }
      if (visible.size() > limit || batch.size() <= limit) break;
    }
    Page<SpaceHit> out;
    if (visible.size() > limit) {
      visible.resize(limit);
      out.next_cursor =
          detail::encode_cursor('d', key(visible.back()), visible.back().space.id.value);
    }
    out.items = std::move(visible);
    return out;
  });
}

result<Page<Space>> Engine::list_child_spaces(MemberId viewer, SpaceId parent,
                                              const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor('s', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Space>> {
    if (parent) HEARTH_CHECK(impl_->check_read(tx, parent, viewer));
    // Secret children are left out for those who may not see them: scan on until the page is
    // full of children the viewer may see.
    std::vector<Space> visible;
    SpaceId from{after};
    for (;;) {
      HEARTH_TRY(batch, tx.list_child_spaces(parent, from, limit + 1));
      for (Space& child : batch) {
        from = child.id;
        impl_->remember(child);
        bool shown = child.visibility != Visibility::secret;
        if (!shown && viewer) {
          HEARTH_TRY(st, impl_->standing(tx, child.id, viewer));
          shown = st.see == errc{};
        }
        if (shown) visible.push_back(std::move(child));
        if (visible.size() > limit) break;
      }
      if (visible.size() > limit || batch.size() <= limit) break;
    }
    return make_page(std::move(visible), limit, 's', [](const Space& s) { return s.id.value; });
  });
}

result<bool> Engine::join_space(MemberId actor, SpaceId space) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, ctx.tx.get_space(space));
    HEARTH_TRY(st, impl_->access(ctx.tx, space, actor, Access::see));
    if (st.member) return false;
    if (s.join_policy != JoinPolicy::open) return errc::forbidden;
    // Open spaces are public; what is above them must be readable too.
    if (s.parent) HEARTH_CHECK(impl_->check_read(ctx.tx, s.parent, actor));
    return impl_->admit(ctx, s, actor, actor, &st);
  });
}

result<bool> Engine::add_member(MemberId actor, SpaceId space, MemberId member) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, impl_->check_access(ctx.tx, space, actor, Access::see));
    HEARTH_CHECK(impl_->require(ctx.tx, space, actor, Permission::approve_joins));
    HEARTH_TRY(m, ctx.tx.get_member(member));
    if (!m.active) return errc::gone;
    return impl_->admit(ctx, s, member, actor);
  });
}

result<bool> Engine::leave_space(MemberId actor, SpaceId space) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    if (!actor) return errc::forbidden;
    HEARTH_CHECK(ctx.tx.get_member(actor));
    HEARTH_CHECK(impl_->not_suspended(ctx.tx, actor));
    HEARTH_TRY(s, ctx.tx.get_space(space));
    HEARTH_TRY(member, is_member(ctx.tx, space, actor));
    if (!member) {
      // Nothing to leave, unless they may not even know the space exists.
      auto seen = impl_->check_access(ctx.tx, space, actor, Access::see);
      if (!seen && is(seen.error(), errc::not_found)) return errc::not_found;
      return false;
    }
    if (s.owner == actor) return errc::conflict;
    return impl_->expel(ctx, s, actor, actor, EventType::member_left);
  });
}

result<bool> Engine::remove_member(MemberId actor, SpaceId space, MemberId member) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, ctx.tx.get_space(space));
    HEARTH_CHECK(impl_->require_over(ctx.tx, space, actor, member, Permission::sanction_members));
    HEARTH_TRY(removed, impl_->expel(ctx, s, member, actor, EventType::member_removed));
    if (removed)
      HEARTH_CHECK(impl_->audit(ctx, {.space = space,
                                      .actor = actor,
                                      .action = AuditAction::member_removed,
                                      .target_member = member}));
    return removed;
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

result<Space> Engine::update_space(MemberId actor, SpaceId space, const SpaceUpdate& update) {
  const Limits& limits = impl_->options.limits;
  std::optional<std::string> name, description;
  if (update.name) {
    HEARTH_TRY(n, detail::clean_text(*update.name, limits.space_name_max, TextKind::line));
    name = std::move(n);
  }
  if (update.description) {
    HEARTH_TRY(d, detail::clean_text(*update.description, limits.space_description_max,
                                     TextKind::multiline, false));
    description = std::move(d);
  }
  std::optional<std::vector<std::string>> tags;
  if (update.tags) {
    HEARTH_TRY(t, Impl::clean_tags(*update.tags, limits.space_tags_max));
    tags = std::move(t);
  }
  if (update.reaction_kinds || update.no_self_reaction) {
    static const std::vector<std::string> none;
    HEARTH_CHECK(Impl::check_reaction_rules(update.reaction_kinds.value_or(none),
                                            update.no_self_reaction.value_or(none)));
  }
  return impl_->write([&](WriteContext& ctx) -> result<Space> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, ctx.tx.get_space(space));
    HEARTH_CHECK(impl_->require(ctx.tx, space, actor, Permission::manage_space));
    if (name) s.name = std::move(*name);
    if (tags) s.tags = std::move(*tags);
    if (description) s.description = std::move(*description);
    if (update.join_policy) {
      if (!policy_fits(s.visibility, *update.join_policy)) return errc::invalid_argument;
      s.join_policy = *update.join_policy;
    }
    if (update.member_cap) {
      if (*update.member_cap != 0 && *update.member_cap < s.member_count) return errc::conflict;
      s.member_cap = *update.member_cap;
    }
    if (update.reaction_kinds) s.reaction_kinds = *update.reaction_kinds;
    if (update.no_self_reaction) s.no_self_reaction = *update.no_self_reaction;
    if (s.reaction_kinds.empty() && !s.no_self_reaction.empty()) return errc::invalid_argument;
    HEARTH_CHECK(ctx.tx.update_space(s));
    ctx.on_commit.push_back([impl = impl_.get(), s] { impl->replace_facts(s); });
    HEARTH_CHECK(ctx.emit(EventType::space_updated, s.id, actor, space_payload(s)));
    return s;
  });
}

result<Space> Engine::transfer_ownership(MemberId actor, SpaceId space, MemberId new_owner) {
  return impl_->write([&](WriteContext& ctx) -> result<Space> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, ctx.tx.get_space(space));
    HEARTH_TRY(st, impl_->access(ctx.tx, space, actor, Access::see));
    if (!st.owner) return errc::forbidden;
    HEARTH_TRY(m, ctx.tx.get_member(new_owner));
    if (!m.active) return errc::gone;
    HEARTH_TRY(target, impl_->standing(ctx.tx, space, new_owner));
    if (!target.member || target.banned) return errc::conflict;
    if (s.owner == new_owner) return s;
    const MemberId former = s.owner;
    s.owner = new_owner;
    HEARTH_CHECK(ctx.tx.update_space(s));
    auto payload =
        Payload().id("space", s.id.value).id("owner", new_owner.value).id("former", former.value);
    HEARTH_CHECK(ctx.emit(EventType::ownership_transferred, s.id, actor, payload.done()));
    // After the commit (no reader can then put the former owner back in the cache) and before
    // the standing cache moves on (no standing computed from then on sees the former owner).
    ctx.on_commit.push_back([impl = impl_.get(), s] { impl->replace_facts(s); });
    return s;
  });
}

}  // namespace hearth
