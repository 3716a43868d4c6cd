// Sanctions: warnings, timeouts, suspensions and community-wide bans (docs/moderation.md,
// "Sanctions").
#include <limits>
#include <map>

#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using detail::TextKind;

constexpr std::uint32_t reason_max = 500;
// How many sanctions one list_sanctions call looks at, at most, to fill its page.
constexpr std::size_t sanction_scan_budget = 2'000;

AuditAction audit_action_of(SanctionKind k) noexcept {
  switch (k) {
    case SanctionKind::warn:
      return AuditAction::member_warned;
    case SanctionKind::timeout:
      return AuditAction::member_timed_out;
    case SanctionKind::suspend:
      return AuditAction::member_suspended;
    case SanctionKind::ban:
      return AuditAction::member_banned_everywhere;
  }
  return AuditAction::member_warned;
}

// The payload of member_sanctioned and sanction_revoked. The member comes first: may_receive
// delivers the event to them alone.
std::string sanction_payload(const Sanction& x) {
  Payload p;
  p.id("member", x.member.value)
      .id("sanction", x.id.value)
      .str("kind", to_string(x.kind))
      .id("space", x.space.value)
      .id("issuer", x.issuer.value)
      .str("reason", x.reason)
      .num("created_at", x.created_at)
      .num("expires_at", x.expires_at);
  if (x.revoked_at) p.num("revoked_at", x.revoked_at).id("revoked_by", x.revoked_by.value);
  return p.done();
}

std::string audit_detail(const Sanction& x) {
  Payload p;
  p.id("sanction", x.id.value);
  if (x.expires_at) p.num("until", x.expires_at);
  return p.done();
}

// Which of two restrictions says more: a ban over a suspension over a timeout; of one kind,
// the one that ends last (0: never).
int severity(SanctionKind k) noexcept {
  switch (k) {
    case SanctionKind::ban:
      return 3;
    case SanctionKind::suspend:
      return 2;
    case SanctionKind::timeout:
      return 1;
    case SanctionKind::warn:
      break;
  }
  return 0;
}

bool outweighs(SanctionKind kind, Timestamp until, const Restriction& r) noexcept {
  if (!r.kind) return true;
  if (severity(kind) != severity(*r.kind)) return severity(kind) > severity(*r.kind);
  if (r.until == 0) return false;
  return until == 0 || until > r.until;
}

std::int32_t points_of(const SanctionPoints& p, SanctionKind k) noexcept {
  switch (k) {
    case SanctionKind::warn:
      return p.warn;
    case SanctionKind::timeout:
      return p.timeout;
    case SanctionKind::suspend:
      return p.suspend;
    case SanctionKind::ban:
      return p.ban;
  }
  return 0;
}

}  // namespace

// --- the engine's side ---------------------------------------------------------------------

result<Engine::Impl::SanctionList> Engine::Impl::sanctions_in_force(Transaction& tx,
                                                                    MemberId member) {
  const bool caching = options.permission_cache_entries != 0;
  const Timestamp now = clock->now();
  if (caching) {
    std::shared_lock lock(sanctions_mutex);
    auto it = sanctions_cache.find(member.value);
    if (it != sanctions_cache.end() && it->second.epoch == policy_epoch.load() &&
        it->second.valid_until > now)
      return it->second.sanctions;
  }
  HEARTH_TRY(list, tx.list_sanctions_in_force(member, now));
  Timestamp valid_until = std::numeric_limits<Timestamp>::max();
  for (const Sanction& x : list)
    if (x.expires_at != 0) valid_until = std::min(valid_until, x.expires_at);
  auto shared = std::make_shared<const std::vector<Sanction>>(std::move(list));
  if (caching && tx_epoch_current()) {
    std::unique_lock lock(sanctions_mutex);
    if (sanctions_cache.size() >= options.permission_cache_entries) sanctions_cache.clear();
    sanctions_cache.insert_or_assign(member.value,
                                     CachedSanctions{shared, tx_policy_epoch(), valid_until});
  }
  return shared;
}

result<void> Engine::Impl::not_timed_out(const Standing& st, Timestamp now) {
  if (st.timed_out_until > now) return errc::timed_out;
  return {};
}

result<void> Engine::Impl::may_sanction(Transaction& tx, MemberId actor, SpaceId space,
                                        MemberId member) {
  HEARTH_CHECK(tx.get_member(member));
  if (actor == member) return errc::forbidden;
  auto over = [&](SpaceId s) -> result<void> {
    if (actor) {
      HEARTH_CHECK(require_over(tx, s, actor, member, Permission::sanction_members));
      return {};
    }
    HEARTH_TRY(theirs, standing(tx, s, member));
    if (theirs.owner) return errc::forbidden;
    return {};
  };
  if (space) {
    HEARTH_CHECK(tx.get_space(space));
    return over(space);
  }
  HEARTH_TRY(roots, root_spaces(tx));
  if (roots.empty() && actor) return errc::forbidden;
  for (SpaceId root : roots) {
    auto r = over(root);
    // A root the actor cannot see is one they hold nothing in: forbidden, as for the others.
    if (!r) return is(r.error(), errc::not_found) ? failure{errc::forbidden} : failure{r.error()};
  }
  return {};
}

result<std::string> Engine::Impl::check_sanction(const NewSanction& spec) {
  HEARTH_TRY(clean_reason, detail::clean_text(spec.reason, reason_max, TextKind::multiline, false));
  if (to_string(spec.kind) == "unknown" || spec.expires_at < 0) return errc::invalid_argument;
  const bool community_only = spec.kind == SanctionKind::suspend || spec.kind == SanctionKind::ban;
  if (community_only && spec.space) return errc::invalid_argument;
  if (spec.kind == SanctionKind::warn && spec.expires_at != 0) return errc::invalid_argument;
  if (spec.kind == SanctionKind::timeout && spec.expires_at == 0) return errc::invalid_argument;
  return clean_reason;
}

result<Sanction> Engine::Impl::impose_in(WriteContext& ctx, MemberId actor, const NewSanction& spec,
                                         std::string clean_reason) {
  HEARTH_CHECK(may_sanction(ctx.tx, actor, spec.space, spec.member));
  if (spec.expires_at != 0 && spec.expires_at <= ctx.now) return errc::invalid_argument;
  if (spec.kind == SanctionKind::timeout &&
      spec.expires_at - ctx.now > options.limits.timeout_max_ms)
    return errc::invalid_argument;
  Sanction x;
  x.id = ids.next_as<SanctionId>();
  x.kind = spec.kind;
  x.member = spec.member;
  x.space = spec.space;
  x.issuer = actor;
  x.reason = std::move(clean_reason);
  x.created_at = ctx.now;
  x.expires_at = spec.expires_at;
  HEARTH_CHECK(ctx.tx.insert_sanction(x));
  HEARTH_CHECK(sanction_points(ctx, x));
  HEARTH_CHECK(ctx.emit(EventType::member_sanctioned, x.space, actor, sanction_payload(x)));
  HEARTH_CHECK(audit(ctx, {.space = x.space,
                           .actor = actor,
                           .action = audit_action_of(x.kind),
                           .target_member = x.member,
                           .reason = x.reason,
                           .detail = audit_detail(x)}));
  return x;
}

result<Sanction> Engine::Impl::impose(MemberId actor, const NewSanction& spec) {
  HEARTH_TRY(clean_reason, check_sanction(spec));
  return write([&](WriteContext& ctx) -> result<Sanction> {
    if (actor) HEARTH_CHECK(active_member(ctx.tx, actor));
    return impose_in(ctx, actor, spec, clean_reason);
  });
}

result<bool> Engine::Impl::revoke(MemberId actor, SanctionId id, std::string_view reason) {
  HEARTH_TRY(clean_reason, detail::clean_text(reason, reason_max, TextKind::multiline, false));
  return write([&](WriteContext& ctx) -> result<bool> {
    if (actor) HEARTH_CHECK(active_member(ctx.tx, actor));
    HEARTH_TRY(x, ctx.tx.get_sanction(id));
    HEARTH_CHECK(may_sanction(ctx.tx, actor, x.space, x.member));
    return revoke_in(ctx, actor, std::move(x), std::move(clean_reason));
  });
}

result<bool> Engine::Impl::revoke_in(WriteContext& ctx, MemberId actor, Sanction x,
                                     std::string reason) {
  if (x.revoked_at != 0 || (x.expires_at != 0 && x.expires_at <= ctx.now)) return false;
  x.revoked_at = ctx.now;
  x.revoked_by = actor;
  HEARTH_CHECK(ctx.tx.update_sanction(x));
  HEARTH_CHECK(sanction_points_reversed(ctx, x, actor));
  HEARTH_CHECK(ctx.emit(EventType::sanction_revoked, x.space, actor, sanction_payload(x)));
  HEARTH_CHECK(audit(ctx, {.space = x.space,
                           .actor = actor,
                           .action = AuditAction::sanction_revoked,
                           .target_member = x.member,
                           .reason = std::move(reason),
                           .detail = audit_detail(x)}));
  return true;
}

result<void> Engine::Impl::sanction_points(WriteContext& ctx, const Sanction& x) {
  HEARTH_TRY(scope, reputation_scope(ctx.tx, x.space));
  const std::int32_t points = points_of(scope.rules->sanctions, x.kind);
  if (points == 0) return {};
  ReputationEntry e;
  e.member = x.member;
  e.scope = scope.scope;
  e.delta = points;
  e.reason = ReputationReason::sanction;
  e.note = std::to_string(x.id.value);
  e.source = x.issuer;
  HEARTH_CHECK(record(ctx, std::move(e), *scope.rules, x.issuer));
  return {};
}

result<void> Engine::Impl::sanction_points_reversed(WriteContext& ctx, const Sanction& x,
                                                    MemberId actor) {
  // The entry was written in the sanction's transaction, after its id was taken: it is among
  // the member's entries from the issuer after that id (the rules may have changed since, so
  // the ledger, not the rules, says whether there is one).
  const std::string note = std::to_string(x.id.value);
  LedgerQuery q;
  q.member = x.member;
  q.source = x.issuer;
  q.since = x.created_at;
  for (ReputationEntryId after{x.id.value};;) {
    HEARTH_TRY(batch, ctx.tx.list_reputation_entries(q, after, 100));
    for (const ReputationEntry& e : batch) {
      after = e.id;
      if (e.reason != ReputationReason::sanction || e.note != note) continue;
      HEARTH_TRY(rules, scope_rules(ctx.tx, e.scope));
      ReputationEntry r = e;
      r.delta = -e.delta;
      r.reason = ReputationReason::reversal;
      r.note = "sanction_revoked";
      r.counts_at = e.counts_at;
      r.reverses = e.id;
      HEARTH_CHECK(record(ctx, std::move(r), *rules, actor));
      return {};
    }
    if (batch.size() < 100) return {};
  }
}

// --- the calls -----------------------------------------------------------------------------

// The member calls: no id is an anonymous caller, never the host (impose_sanction is the
// host's).
result<Sanction> Engine::warn_member(MemberId actor, SpaceId space, MemberId member,
                                     std::string_view reason) {
  if (!actor) return errc::forbidden;
  return impl_->impose(actor, {SanctionKind::warn, member, space, std::string(reason), 0});
}

result<Sanction> Engine::timeout_member(MemberId actor, SpaceId space, MemberId member,
                                        std::string_view reason, Timestamp expires_at) {
  if (!actor) return errc::forbidden;
  return impl_->impose(actor,
                       {SanctionKind::timeout, member, space, std::string(reason), expires_at});
}

result<Sanction> Engine::suspend_member(MemberId actor, MemberId member, std::string_view reason,
                                        Timestamp expires_at) {
  if (!actor) return errc::forbidden;
  return impl_->impose(actor, {SanctionKind::suspend, member, {}, std::string(reason), expires_at});
}

result<Sanction> Engine::ban_everywhere(MemberId actor, MemberId member, std::string_view reason,
                                        Timestamp expires_at) {
  if (!actor) return errc::forbidden;
  return impl_->impose(actor, {SanctionKind::ban, member, {}, std::string(reason), expires_at});
}

result<Sanction> Engine::impose_sanction(const NewSanction& sanction) {
  return impl_->impose(MemberId{}, sanction);
}

result<bool> Engine::revoke_sanction(MemberId actor, SanctionId sanction, std::string_view reason) {
  if (!actor) return errc::forbidden;  // no id is the host, who calls lift_sanction
  return impl_->revoke(actor, sanction, reason);
}

result<bool> Engine::lift_sanction(SanctionId sanction, std::string_view reason) {
  return impl_->revoke(MemberId{}, sanction, reason);
}

result<Page<Sanction>> Engine::list_sanctions(MemberId viewer, MemberId member,
                                              const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor('x', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Sanction>> {
    const bool own = viewer && viewer == member;
    if (own) {
      HEARTH_CHECK(tx.get_member(member));  // suspended or not: it is their record
    } else {
      HEARTH_CHECK(impl_->active_member(tx, viewer));
      HEARTH_CHECK(tx.get_member(member));
    }
    std::map<std::uint64_t, bool> readable;  // by space, decided once per call
    std::vector<Sanction> items;
    std::uint64_t from = after;
    bool more = true;
    std::size_t scanned = 0;
    // As audit_log: a page cut short by the budget ends with a cursor where it stopped.
    while (more && items.size() <= limit && scanned < sanction_scan_budget) {
      const auto want = static_cast<std::uint32_t>(limit + 1 - items.size());
      HEARTH_TRY(batch, tx.list_sanctions(member, SanctionId{from}, want));
      more = batch.size() == want;
      scanned += batch.size();
      for (Sanction& x : batch) {
        from = x.id.value;
        if (!own) {
          auto known = readable.find(x.space.value);
          if (known == readable.end()) {
            HEARTH_TRY(may, impl_->holds(tx, x.space, viewer, Permission::sanction_members));
            known = readable.emplace(x.space.value, may).first;
          }
          if (!known->second) continue;
        }
        items.push_back(std::move(x));
      }
    }
    if (more && items.size() <= limit) {
      Page<Sanction> out;
      out.items = std::move(items);
      out.next_cursor = detail::encode_cursor('x', from);
      return out;
    }
    return make_page(std::move(items), limit, 'x', [](const Sanction& x) { return x.id.value; });
  });
}

result<Restriction> Engine::restriction(MemberId viewer, MemberId member, SpaceId space) {
  return impl_->read([&](Transaction& tx) -> result<Restriction> {
    if (viewer && viewer == member) {
      HEARTH_CHECK(tx.get_member(member));
      if (space) HEARTH_CHECK(impl_->check_access(tx, space, member, Impl::Access::see));
    } else if (space) {
      HEARTH_CHECK(impl_->require(tx, space, viewer, Permission::sanction_members));
      HEARTH_CHECK(impl_->active_member(tx, viewer));
      HEARTH_CHECK(tx.get_member(member));
    } else {
      HEARTH_CHECK(impl_->active_member(tx, viewer));
      HEARTH_TRY(held, impl_->holds(tx, SpaceId{}, viewer, Permission::sanction_members));
      if (!held) return errc::forbidden;
      HEARTH_CHECK(tx.get_member(member));
    }
    const Timestamp now = impl_->clock->now();
    // The space and those above it.
    std::vector<SpaceId> path;
    for (SpaceId at = space; at;) {
      HEARTH_TRY(f, impl_->space_facts(tx, at));
      path.push_back(at);
      at = f.parent;
    }
    Restriction out;
    for (SpaceId at : path) {
      auto ban = tx.get_ban(at, member);
      HEARTH_TRY(banned, found(ban));
      if (banned && (ban->expires_at == 0 || ban->expires_at > now) &&
          outweighs(SanctionKind::ban, ban->expires_at, out)) {
        out.kind = SanctionKind::ban;
        out.sanction = {};
        out.until = ban->expires_at;
      }
    }
    HEARTH_TRY(sanctions, tx.list_sanctions_in_force(member, now));
    for (const Sanction& x : sanctions) {
      if (!x.in_force(now)) continue;
      if (x.space && std::find(path.begin(), path.end(), x.space) == path.end()) continue;
      if (!outweighs(x.kind, x.expires_at, out)) continue;
      out.kind = x.kind;
      out.sanction = x.id;
      out.until = x.expires_at;
    }
    return out;
  });
}

}  // namespace hearth
