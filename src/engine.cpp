#include <algorithm>
#include <limits>

#include "engine_impl.hpp"
#include "hearth/storage/memory.hpp"

namespace hearth {

bool Engine::Impl::well_formed_reaction_kind(std::string_view kind) noexcept {
  if (kind.empty() || kind.size() > 32) return false;
  for (const char c : kind)
    if (c <= 0x20 || c >= 0x7F) return false;
  return true;
}

Engine::Impl::Impl(EngineOptions o)
    : options(std::move(o)),
      storage(options.storage),
      clock(options.clock),
      ids(*clock, options.node_id),
      leaderboards(options.leaderboards_loaded) {
  default_reactions = std::make_shared<const ReactionRules>(
      ReactionRules{options.reaction_kinds, options.no_self_reaction});
  default_reputation = std::make_shared<const ReputationRules>(options.reputation);
  for (const auto& [kind, rules] : options.reputation_by_kind)
    kind_reputation.emplace_back(kind, std::make_shared<const ReputationRules>(rules));
}

result<void> WriteContext::emit(EventType type, SpaceId space, MemberId actor,
                                std::string payload) {
  Event e{0, type, space, actor, now, std::move(payload)};
  HEARTH_TRY(seq, tx.append_event(e));
  e.seq = seq;
  events.push_back(std::move(e));
  return {};
}

result<Member> Engine::Impl::active_member(Transaction& tx, MemberId actor) {
  if (!actor) return errc::forbidden;  // anonymous readers may read, never act
  HEARTH_TRY(m, tx.get_member(actor));
  if (!m.active) return errc::forbidden;
  HEARTH_CHECK(not_suspended(tx, actor));
  return m;
}

result<void> Engine::Impl::not_suspended(Transaction& tx, MemberId member) {
  HEARTH_TRY(sanctions, sanctions_in_force(tx, member));
  const Timestamp now = clock->now();
  for (const Sanction& x : *sanctions)
    if (x.in_force(now) && (x.kind == SanctionKind::suspend || x.kind == SanctionKind::ban))
      return errc::suspended;
  return {};
}

Engine::Impl::SpaceFacts Engine::Impl::facts_of(const Space& s) {
  SpaceFacts f{s.parent, s.visibility, s.owner, nullptr, s.kind};
  if (!s.reaction_kinds.empty())
    f.reactions =
        std::make_shared<const ReactionRules>(ReactionRules{s.reaction_kinds, s.no_self_reaction});
  return f;
}

void Engine::Impl::remember(const Space& s) {
  {
    std::shared_lock lock(facts_mutex);
    if (facts.count(s.id.value)) return;
  }
  SpaceFacts f = facts_of(s);
  std::unique_lock lock(facts_mutex);
  facts.try_emplace(s.id.value, std::move(f));
}

void Engine::Impl::replace_facts(const Space& s) {
  SpaceFacts f = facts_of(s);
  std::unique_lock lock(facts_mutex);
  facts.insert_or_assign(s.id.value, std::move(f));
}

result<void> Engine::Impl::check_reaction_rules(const std::vector<std::string>& kinds,
                                                const std::vector<std::string>& not_own) {
  if (kinds.size() > 32) return errc::invalid_argument;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (!Engine::Impl::well_formed_reaction_kind(kinds[i])) return errc::invalid_argument;
    if (std::find(kinds.begin(), kinds.begin() + static_cast<std::ptrdiff_t>(i), kinds[i]) !=
        kinds.begin() + static_cast<std::ptrdiff_t>(i))
      return errc::invalid_argument;
  }
  for (const auto& kind : not_own)
    if (!Engine::Impl::well_formed_reaction_kind(kind)) return errc::invalid_argument;
  return {};
}

result<std::shared_ptr<const Engine::Impl::ReactionRules>> Engine::Impl::reaction_rules(
    Transaction& tx, SpaceId space) {
  for (SpaceId at = space; at;) {
    HEARTH_TRY(f, space_facts(tx, at));
    if (f.reactions) return f.reactions;
    at = f.parent;
  }
  return default_reactions;
}

result<Engine::Impl::SpaceFacts> Engine::Impl::space_facts(Transaction& tx, SpaceId space) {
  {
    std::shared_lock lock(facts_mutex);
    if (auto it = facts.find(space.value); it != facts.end()) return it->second;
  }
  HEARTH_TRY(s, tx.get_space(space));
  remember(s);
  return facts_of(s);
}

namespace {

constexpr int max_depth = 64;  // deeper than any real tree: a cycle is a bug, not a wait

}  // namespace

namespace {
// policy_epoch and definitions_epoch when this thread's transaction began
thread_local std::uint64_t tx_epoch = 0;
thread_local std::uint64_t tx_definitions_epoch = 0;
}  // namespace

void Engine::Impl::note_tx_start() noexcept {
  tx_epoch = policy_epoch.load();
  tx_definitions_epoch = definitions_epoch.load();
}

std::uint64_t Engine::Impl::tx_policy_epoch() noexcept { return tx_epoch; }

bool Engine::Impl::tx_epoch_current() const noexcept { return tx_epoch == policy_epoch.load(); }

bool Engine::Impl::changes_definitions(EventType t) noexcept {
  return t == EventType::override_set || t == EventType::role_updated ||
         t == EventType::role_deleted;
}

result<std::shared_ptr<const std::vector<RoleOverride>>> Engine::Impl::overrides_at(Transaction& tx,
                                                                                    SpaceId space) {
  const bool caching = options.permission_cache_entries != 0;
  if (caching) {
    std::shared_lock lock(definitions_mutex);
    auto it = overrides_cache.find(space.value);
    if (it != overrides_cache.end() && it->second.epoch == definitions_epoch.load())
      return it->second.overrides;
  }
  HEARTH_TRY(list, tx.list_overrides(space));
  auto shared = std::make_shared<const std::vector<RoleOverride>>(std::move(list));
  if (caching && tx_definitions_epoch == definitions_epoch.load()) {
    std::unique_lock lock(definitions_mutex);
    if (overrides_cache.size() >= options.permission_cache_entries) overrides_cache.clear();
    overrides_cache.insert_or_assign(space.value, CachedOverrides{shared, tx_definitions_epoch});
  }
  return shared;
}

result<HeldRole> Engine::Impl::custom_role(Transaction& tx, RoleId id) {
  const bool caching = options.permission_cache_entries != 0;
  if (caching) {
    std::shared_lock lock(definitions_mutex);
    auto it = roles_cache.find(id.value);
    if (it != roles_cache.end() && it->second.epoch == definitions_epoch.load())
      return it->second.role;
  }
  HEARTH_TRY(role, tx.get_role(id));
  const HeldRole held{role.id, role.permissions, role.rank};
  if (caching && tx_definitions_epoch == definitions_epoch.load()) {
    std::unique_lock lock(definitions_mutex);
    if (roles_cache.size() >= options.permission_cache_entries) roles_cache.clear();
    roles_cache.insert_or_assign(id.value, CachedRole{held, tx_definitions_epoch});
  }
  return held;
}

bool Engine::Impl::changes_standing(EventType t) noexcept {
  switch (t) {
    case EventType::member_joined:
    case EventType::member_left:
    case EventType::member_removed:
    case EventType::member_banned:
    case EventType::member_unbanned:
    case EventType::role_updated:
    case EventType::role_deleted:
    case EventType::role_assigned:
    case EventType::role_unassigned:
    case EventType::override_set:
    case EventType::ownership_transferred:
    case EventType::member_sanctioned:
    case EventType::sanction_revoked:
      return true;
    default:
      return false;
  }
}

void Engine::Impl::after_commit(const std::vector<Event>& events) noexcept {
  bool standing_changed = false, definitions_changed = false;
  for (const Event& e : events) {
    standing_changed = standing_changed || changes_standing(e.type);
    definitions_changed = definitions_changed || changes_definitions(e.type);
  }
  if (definitions_changed) definitions_epoch.fetch_add(1);
  if (standing_changed) policy_epoch.fetch_add(1);
}

// --- group commit ---------------------------------------------------------------------------

bool Engine::Impl::shares_commit(const WriteRequest& r) noexcept {
  if (!r.on_commit.empty()) return false;
  // Only content: what a later body may read of it, it reads from the transaction itself.
  for (const Event& e : r.events) {
    switch (e.type) {
      case EventType::member_created:
      case EventType::thread_created:
      case EventType::reply_created:
      case EventType::post_edited:
      case EventType::post_deleted:
      case EventType::reaction_added:
      case EventType::reaction_removed:
      case EventType::answer_accepted:
      case EventType::notification:
      case EventType::reputation_changed:
      case EventType::badge_awarded:
        break;
      default:
        return false;
    }
  }
  return true;
}

void Engine::Impl::submit(WriteRequest& request) {
  // Reserved before queueing: taking a group below never allocates while it is marked running.
  std::vector<WriteRequest*> group;
  group.reserve(options.group_commit_max);
  std::unique_lock lock(group_mutex);
  group_queue.push_back(&request);
  while (!request.done) {
    if (group_running) {
      request.wake.wait(lock);
      continue;
    }
    group.clear();
    group_running = true;
    while (!group_queue.empty() && group.size() < options.group_commit_max) {
      group.push_back(group_queue.front());
      group_queue.pop_front();
    }
    lock.unlock();
    std::size_t taken = group.size();
#if defined(__cpp_exceptions)
    try {
      taken = run_group(group);
    } catch (...) {
      for (WriteRequest* r : group)
        if (!r->committed && !r->failed) r->failed = make_error_code(errc::internal);
    }
#else
    taken = run_group(group);
#endif
    lock.lock();
    for (std::size_t i = 0; i < taken; ++i) {
      group[i]->done = true;
      group[i]->wake.notify_one();
    }
    for (std::size_t i = group.size(); i > taken; --i) group_queue.push_front(group[i - 1]);
    group_running = false;
    // Whoever is first in line runs the next group (only one thread is woken for it).
    if (!group_queue.empty()) group_queue.front()->wake.notify_one();
  }
  lock.unlock();
  dispatcher.drain();
}

std::size_t Engine::Impl::run_group(const std::vector<WriteRequest*>& group) {
  note_tx_start();
  auto tx = storage->begin(TxMode::write);
  if (!tx) {
    for (WriteRequest* r : group) r->failed = tx.error();
    return group.size();
  }
  Transaction& t = **tx;
  const bool grouped = group.size() > 1 && t.has_savepoints();
  std::vector<WriteRequest*> committing;
  committing.reserve(group.size());
  std::size_t taken = 0;
  for (WriteRequest* r : group) {
    if (taken == 1 && !grouped) break;
    ++taken;
    if (grouped) {
      if (auto sp = t.savepoint(); !sp) {
        r->failed = sp.error();  // the transaction is spoilt: the commit below fails the rest
        break;
      }
    }
    WriteContext ctx{t, clock->now(), {}, {}, {}, {}};
    bool ok = false;
#if defined(__cpp_exceptions)
    try {
      ok = r->run(ctx);
    } catch (...) {
      r->failed = make_error_code(errc::internal);  // a body that threw: as if it had failed
    }
#else
    ok = r->run(ctx);
#endif
    if (!ok) {
      if (!grouped) break;                    // nothing to commit: the transaction rolls back
      if (!t.rollback_to_savepoint()) break;  // the storage lost it: the commit fails the rest
      continue;
    }
    if (grouped) {
      if (auto rel = t.release_savepoint(); !rel) {
        r->failed = rel.error();
        break;
      }
    }
    r->events = std::move(ctx.events);
    r->on_commit = std::move(ctx.on_commit);
    r->published = std::move(ctx.published);
    r->refusal = ctx.refusal;
    committing.push_back(r);
    if (!shares_commit(*r)) break;
  }
  if (committing.empty()) return taken;
  if (auto c = t.commit(); !c) {
    for (WriteRequest* r : committing) r->failed = c.error();
    return taken;
  }
  for (WriteRequest* r : committing) r->committed = true;
  for (WriteRequest* r : committing) {
    for (auto& action : r->on_commit) action();
    for (auto& action : r->published) action();
    after_commit(r->events);
    if (!r->events.empty()) dispatcher.enqueue(std::move(r->events));
  }
  tx->reset();  // releases the write lock, after the events are queued in commit order
  return taken;
}

std::optional<Engine::Impl::Standing> Engine::Impl::cached_standing(SpaceId space,
                                                                    MemberId member) {
  if (options.permission_cache_entries == 0) return std::nullopt;
  std::shared_lock lock(standings_mutex);
  auto it = standings.find({space.value, member.value});
  if (it == standings.end() || it->second.epoch != policy_epoch.load() ||
      it->second.valid_until <= clock->now())
    return std::nullopt;
  return it->second.standing;
}

void Engine::Impl::cache_standing(SpaceId space, MemberId member, const Standing& st,
                                  Timestamp valid_until) {
  if (options.permission_cache_entries == 0 || tx_epoch != policy_epoch.load()) return;
  Standing kept = st;
  kept.roles.clear();
  std::unique_lock lock(standings_mutex);
  if (standings.size() >= options.permission_cache_entries) standings.clear();
  standings.insert_or_assign({space.value, member.value},
                             CachedStanding{std::move(kept), tx_epoch, valid_until});
}

result<Engine::Impl::Standing> Engine::Impl::standing(Transaction& tx, SpaceId space,
                                                      MemberId member, bool with_roles) {
  if (!with_roles) {
    if (auto hit = cached_standing(space, member)) return std::move(*hit);
  }
  // The path from the root down to the space.
  struct Level {
    SpaceId id;
    SpaceFacts facts;
    std::shared_ptr<const std::vector<RoleOverride>> overrides;
  };
  std::vector<Level> path;
  for (SpaceId id = space; id;) {
    if (path.size() > max_depth) return errc::internal;
    HEARTH_TRY(f, space_facts(tx, id));
    path.push_back({id, f, {}});
    id = f.parent;
  }
  std::reverse(path.begin(), path.end());

  Standing st;
  const Timestamp now = clock->now();
  Timestamp valid_until = std::numeric_limits<Timestamp>::max();
  if (member) {
    // Sanctions: a community-wide ban, and the timeouts here, above or everywhere. (A
    // suspension is active_member's.)
    HEARTH_TRY(sanctions, sanctions_in_force(tx, member));
    for (const Sanction& x : *sanctions) {
      if (!x.in_force(now)) continue;
      const bool here = !x.space || std::any_of(path.begin(), path.end(),
                                                [&](const Level& l) { return l.id == x.space; });
      if (!here) continue;
      if (x.kind == SanctionKind::ban) {
        st.banned = true;
      } else if (x.kind == SanctionKind::timeout) {
        st.timed_out_until = std::max(st.timed_out_until, x.expires_at);
      } else {
        continue;
      }
      if (x.expires_at != 0) valid_until = std::min(valid_until, x.expires_at);
    }
    for (const Level& level : path) {
      auto ban = tx.get_ban(level.id, member);
      HEARTH_TRY(is_banned, found(ban));
      if (is_banned && (ban->expires_at == 0 || ban->expires_at > now)) {
        st.banned = true;
        if (ban->expires_at != 0) valid_until = std::min(valid_until, ban->expires_at);
      }
    }
  }

  // Membership, ownership and roles, level by level; a ban takes them all away.
  std::vector<HeldRole>& held = st.roles;
  bool member_anywhere = false;
  for (Level& level : path) {
    bool member_here = false;
    if (member && !st.banned) {
      if (level.facts.owner == member) st.owner = true;
      HEARTH_TRY(in, found(tx.get_membership(level.id, member)));
      member_here = in;
      member_anywhere = member_anywhere || in;
      HEARTH_TRY(assignments, tx.list_role_assignments(level.id, member));
      for (const RoleAssignment& a : assignments) {
        if (a.role == builtin::moderator_role) {
          held.push_back({a.role, builtin::moderator, builtin::moderator_rank});
        } else if (a.role == builtin::admin_role) {
          held.push_back({a.role, builtin::admin, builtin::admin_rank});
        } else {
          HEARTH_TRY(role, custom_role(tx, a.role));
          held.push_back(role);
        }
      }
    }
    // Visibility: a level that is not public is for its members (and the owners above).
    if (level.facts.visibility != Visibility::public_ && !member_here && !st.owner) {
      if (level.facts.visibility == Visibility::secret) {
        st.see = st.read = errc::not_found;
        cache_standing(space, member, st, valid_until);
        return st;
      }
      st.read = errc::forbidden;
      if (level.id != space) st.see = errc::forbidden;
    }
    if (level.id == space) st.member = member_here;
  }
  if (member_anywhere) {
    // Privileges (docs/reputation.md) change what the member role gives, by points earned.
    HEARTH_TRY(base, member_permissions(tx, space, member));
    held.push_back({builtin::member_role, base, builtin::member_rank});
  }
  if (st.owner) {
    held.push_back({builtin::owner_role, Permissions::all(), builtin::owner_rank});
    st.perms = Permissions::all();
    st.rank = builtin::owner_rank;
    cache_standing(space, member, st, valid_until);
    return st;
  }

  std::vector<std::span<const RoleOverride>> levels;
  levels.reserve(path.size());
  for (Level& level : path) {
    HEARTH_TRY(overrides, overrides_at(tx, level.id));
    level.overrides = std::move(overrides);
    levels.emplace_back(*level.overrides);
  }
  PermissionQuery q;
  q.everyone = builtin::everyone;
  q.everyone_role = builtin::everyone_role;
  q.roles = held;
  q.levels = levels;
  st.perms = resolve_permissions(q);
  st.rank = highest_rank(held);
  if (st.banned) st.perms = st.perms & Permissions{Permission::view};
  cache_standing(space, member, st, valid_until);
  return st;
}

result<Engine::Impl::Standing> Engine::Impl::access(Transaction& tx, SpaceId space, MemberId who,
                                                    Access access) {
  HEARTH_TRY(st, standing(tx, space, who));
  if (st.see != errc{}) return st.see;
  if (access == Access::read) {
    if (st.read != errc{}) return st.read;
    if (!st.perms.has(Permission::view)) return errc::forbidden;
  }
  return st;
}

result<Engine::Impl::Standing> Engine::Impl::require(Transaction& tx, SpaceId space, MemberId who,
                                                     Permission p) {
  HEARTH_TRY(st, access(tx, space, who, Access::read));
  if (!st.perms.has(p)) return errc::forbidden;
  return st;
}

result<Engine::Impl::Standing> Engine::Impl::require_over(Transaction& tx, SpaceId space,
                                                          MemberId actor, MemberId target,
                                                          Permission p) {
  HEARTH_TRY(st, require(tx, space, actor, p));
  HEARTH_CHECK(tx.get_member(target));
  HEARTH_TRY(theirs, standing(tx, space, target));
  if (!may_act_on(st.rank, theirs.rank)) return errc::forbidden;
  return st;
}

result<Space> Engine::Impl::check_access(Transaction& tx, SpaceId space, MemberId viewer,
                                         Access a) {
  HEARTH_TRY(target, tx.get_space(space));
  remember(target);
  HEARTH_CHECK(access(tx, space, viewer, a));
  return target;
}

result<void> Engine::Impl::check_read(Transaction& tx, SpaceId space, MemberId viewer) {
  HEARTH_CHECK(access(tx, space, viewer, Access::read));
  return {};
}

result<std::vector<std::uint64_t>> Engine::Impl::mentions(Transaction& tx, SpaceId space,
                                                          MemberId author, Permissions author_perms,
                                                          std::string_view body,
                                                          std::string_view previous) {
  const Limits& limits = options.limits;
  const auto handles = detail::mentioned_handles(body, limits.handle_min, limits.handle_max);
  std::vector<std::uint64_t> out;
  if (handles.empty()) return out;
  const auto before = detail::mentioned_handles(previous, limits.handle_min, limits.handle_max);
  std::vector<Member> named;
  for (const std::string& handle : handles) {
    auto m = tx.find_member_by_handle(handle);
    if (!m) {
      if (is(m.error(), errc::not_found)) continue;  // not a member: just text
      return failure{m.error()};
    }
    if (m->id == author || !m->active) continue;
    named.push_back(std::move(*m));
  }
  if (named.size() > limits.mentions_max && !author_perms.has(Permission::mention_many))
    return errc::forbidden;
  for (const Member& m : named) {
    if (std::find(before.begin(), before.end(), detail::ascii_lower(m.handle)) != before.end())
      continue;
    auto may_read = access(tx, space, m.id, Access::read);
    if (may_read) {
      out.push_back(m.id.value);
    } else if (!is(may_read.error(), errc::forbidden) && !is(may_read.error(), errc::not_found)) {
      return failure{may_read.error()};
    }
  }
  return out;
}

result<std::vector<std::string>> Engine::Impl::clean_tags(const std::vector<std::string>& tags,
                                                          std::size_t max) {
  std::vector<std::string> out;
  for (const std::string& tag : tags) {
    if (tag.empty() || tag.size() > 32) return errc::invalid_argument;
    std::string t = detail::ascii_lower(tag);
    for (const char c : t) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                      c == '+' || c == '-';
      if (!ok) return errc::invalid_argument;
    }
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > max) return errc::invalid_argument;
  return out;
}

result<std::vector<std::string>> Engine::Impl::thread_tags(const Space& s,
                                                           const std::vector<std::string>& tags,
                                                           std::size_t max) {
  HEARTH_TRY(clean, clean_tags(tags, max));
  for (const std::string& t : clean)
    if (!std::binary_search(s.tags.begin(), s.tags.end(), t)) return errc::invalid_argument;
  return clean;
}

result<std::uint32_t> Engine::Impl::page_limit(const PageRequest& page) const {
  if (page.limit == 0 || page.limit > options.limits.max_page_size) return errc::invalid_argument;
  return page.limit;
}

result<std::unique_ptr<Engine>> Engine::open(EngineOptions options) {
  if (options.node_id > 1023 || options.limits.max_page_size == 0 ||
      options.limits.handle_min == 0 || options.limits.handle_min > options.limits.handle_max)
    return errc::invalid_argument;
  for (const auto& kind : options.reaction_kinds)
    if (!Engine::Impl::well_formed_reaction_kind(kind)) return errc::invalid_argument;
  for (const auto& kind : options.no_self_reaction)
    if (!Engine::Impl::well_formed_reaction_kind(kind)) return errc::invalid_argument;
  if (!options.reputation.validate()) return errc::invalid_argument;
  for (const auto& [kind, rules] : options.reputation_by_kind)
    if (!rules.validate()) return errc::invalid_argument;
  if (options.leaderboards_loaded == 0 || options.group_commit_max == 0)
    return errc::invalid_argument;
  if (!options.trust.validate()) return errc::invalid_argument;
  if (!options.badges.validate()) return errc::invalid_argument;
  if (!moderation::validate(options.automod)) return errc::invalid_argument;
  if (!moderation::validate(options.classifier_policy)) return errc::invalid_argument;
  if (!options.storage) options.storage = std::make_shared<MemoryStorage>();
  if (!options.clock) options.clock = std::make_shared<SystemClock>();
  std::unique_ptr<Engine> engine(new Engine(std::make_unique<Impl>(std::move(options))));
  HEARTH_CHECK(engine->impl_->index_backlog());
  return engine;
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

const EngineOptions& Engine::options() const noexcept { return impl_->options; }
const Clock& Engine::clock() const noexcept { return *impl_->clock; }

}  // namespace hearth
