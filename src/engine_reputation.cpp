// Reputation: the ledger, its totals, the rules and the leaderboards (docs/reputation.md).
#include <chrono>
#include <cstdio>
#include <set>
#include <unordered_set>

#include "engine_impl.hpp"

namespace hearth {

using detail::Payload;
using detail::TextKind;

namespace {

constexpr std::int64_t day_ms = 24ll * 60 * 60 * 1000;
constexpr std::uint32_t ledger_batch = 256;

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// "YYYY-MM-DD" of a day count since 1970-01-01, or "YYYY-MM" without the day.
std::string civil(std::int64_t days, bool with_day) {
  namespace chr = std::chrono;
  const chr::year_month_day ymd{chr::sys_days{chr::days{days}}};
  char buf[16];
  if (with_day)
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  else
    std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()));
  return buf;
}

std::string day_window(Timestamp at) { return "day:" + civil(floor_div(at, day_ms), true); }
std::string week_window(Timestamp at) {
  const std::int64_t days = floor_div(at, day_ms);
  const std::int64_t monday = days - (days + 3) % 7;  // 1970-01-01 was a Thursday
  return "week:" + civil(monday, true);
}
std::string month_window(Timestamp at) { return "month:" + civil(floor_div(at, day_ms), false); }

// The windows an entry counting at `at` moves.
std::vector<std::string> windows_of(const ReputationRules& rules, Timestamp at, bool capped) {
  std::vector<std::string> out{"all", week_window(at), month_window(at)};
  if (capped) out.push_back(day_window(at));
  for (const auto& w : rules.windows)
    if (at >= w.from && at < w.to) out.push_back("custom:" + w.name);
  return out;
}

// Every entry matching `q`.
result<std::vector<ReputationEntry>> ledger(Transaction& tx, const LedgerQuery& q) {
  std::vector<ReputationEntry> out;
  ReputationEntryId after;
  for (;;) {
    HEARTH_TRY(batch, tx.list_reputation_entries(q, after, ledger_batch));
    if (batch.empty()) break;
    after = batch.back().id;
    const bool more = batch.size() == ledger_batch;
    out.insert(out.end(), std::make_move_iterator(batch.begin()),
               std::make_move_iterator(batch.end()));
    if (!more) break;
  }
  return out;
}

bool is_credit(const ReputationEntry& e) noexcept { return e.reason != ReputationReason::reversal; }

// The credits of `entries` that no reversal among them cancels, and the reversals that no
// restoration among them undoes. Reversals and restorations carry the post, thread, member
// and source of what they name, so a query that finds an entry finds them too.
struct LedgerState {
  std::vector<const ReputationEntry*> live_credits;
  std::vector<const ReputationEntry*> live_reversals;
};
LedgerState state_of(const std::vector<ReputationEntry>& entries) {
  std::unordered_set<std::uint64_t> reversed, undone;
  for (const auto& e : entries) {
    if (!e.reverses) continue;
    (is_credit(e) ? undone : reversed).insert(e.reverses.value);
  }
  LedgerState s;
  for (const auto& e : entries) {
    if (is_credit(e) && !reversed.count(e.id.value)) s.live_credits.push_back(&e);
    if (!is_credit(e) && !undone.count(e.id.value)) s.live_reversals.push_back(&e);
  }
  return s;
}

std::string reputation_payload(const ReputationEntry& e, std::int64_t total) {
  return Payload()
      .id("entry", e.id.value)
      .id("member", e.member.value)
      .id("scope", e.scope.value)
      .num("delta", e.delta)
      .num("points", total)
      .str("reason", to_string(e.reason))
      .str("note", e.note)
      .id("post", e.post.value)
      .done();
}

}  // namespace

// --- scopes and rules ----------------------------------------------------------------------

result<Engine::Impl::ReputationScope> Engine::Impl::reputation_scope(Transaction& tx,
                                                                     SpaceId space) {
  for (SpaceId at = space; at;) {
    HEARTH_TRY(f, space_facts(tx, at));
    for (const auto& [kind, rules] : kind_reputation)
      if (kind == f.kind) return ReputationScope{at, rules};
    at = f.parent;
  }
  return ReputationScope{SpaceId{}, default_reputation};
}

result<std::shared_ptr<const ReputationRules>> Engine::Impl::scope_rules(Transaction& tx,
                                                                         SpaceId scope) {
  if (!scope) return default_reputation;
  HEARTH_TRY(f, space_facts(tx, scope));
  for (const auto& [kind, rules] : kind_reputation)
    if (kind == f.kind) return rules;
  return default_reputation;  // the kind has no rules of its own any more
}

// --- privileges ----------------------------------------------------------------------------

result<Permissions> Engine::Impl::member_permissions(Transaction& tx, SpaceId space,
                                                     MemberId member) {
  HEARTH_TRY(scope, reputation_scope(tx, space));
  if (scope.rules->privileges.empty()) return builtin::member;
  auto total = tx.get_reputation_total(scope.scope, "all", member);
  HEARTH_TRY(has_total, found(total));
  const std::int64_t points = has_total ? total->points : 0;
  return (builtin::member - scope.rules->privileged()) | scope.rules->earned(points);
}

result<void> Engine::Impl::check_reaction_points(Transaction& tx, SpaceId space, MemberId actor,
                                                 std::string_view kind) {
  HEARTH_TRY(scope, reputation_scope(tx, space));
  const ReactionPoints* rp = scope.rules->points_for(kind);
  if (!rp || rp->min_points == 0) return {};
  HEARTH_TRY(st, standing(tx, space, actor));
  if (st.rank > builtin::member_rank) return {};
  auto total = tx.get_reputation_total(scope.scope, "all", actor);
  HEARTH_TRY(has_total, found(total));
  if ((has_total ? total->points : 0) < rp->min_points) return errc::forbidden;
  return {};
}

result<void> Engine::Impl::check_links(Transaction& tx, const Standing& st, MemberId author,
                                       std::string_view text) {
  if (!detail::contains_link(text)) return {};
  if (!st.perms.has(Permission::attach_links)) return errc::forbidden;
  if (!options.trust.new_member_links || st.rank > builtin::member_rank) return {};
  HEARTH_TRY(a, activity_of(tx, author));
  if (a.level == 0) return errc::forbidden;
  return {};
}

// --- the ledger ----------------------------------------------------------------------------

result<ReputationEntry> Engine::Impl::record(WriteContext& ctx, ReputationEntry e,
                                             const ReputationRules& rules, MemberId actor) {
  e.id = ids.next_as<ReputationEntryId>();
  e.at = ctx.now;
  if (e.counts_at == 0) e.counts_at = ctx.now;
  HEARTH_CHECK(ctx.tx.insert_reputation_entry(e));
  if (e.delta == 0) return e;
  std::vector<ReputationTotal> moved;
  std::int64_t all_time = 0;
  for (auto& window : windows_of(rules, e.counts_at, e.capped)) {
    HEARTH_TRY(sum, ctx.tx.add_reputation_total(e.scope, window, e.member, e.delta));
    ReputationTotal t{e.scope, std::move(window), e.member, sum};
    if (t.window == "all") {
      all_time = t.points;
      // Crossing a privilege's threshold changes the member's permissions: the standings
      // cached before this commit are stale after it.
      const std::int64_t before = t.points - e.delta;
      if (rules.earned(before) != rules.earned(t.points))
        ctx.on_commit.push_back([this] { policy_epoch.fetch_add(1); });
    }
    moved.push_back(std::move(t));
  }
  ctx.published.push_back([this, moved = std::move(moved)] {
    for (const auto& t : moved) leaderboards.apply(t);
  });
  HEARTH_CHECK(
      ctx.emit(EventType::reputation_changed, e.scope, actor, reputation_payload(e, all_time)));
  if (!e.scope) HEARTH_CHECK(badges_reputation(ctx, e.member, all_time - e.delta, all_time, actor));
  return e;
}

namespace {

// The reversal of `credit`, for `note`.
ReputationEntry reversal_of(const ReputationEntry& credit, std::string_view note) {
  ReputationEntry r = credit;
  r.delta = -credit.delta;
  r.reason = ReputationReason::reversal;
  r.note = std::string(note);
  r.counts_at = credit.counts_at;
  r.reverses = credit.id;
  return r;
}

}  // namespace

namespace {

// `gain`, cut to the room the member has left today under the rules' daily cap in the scope.
result<std::int64_t> capped(WriteContext& ctx, const ReputationRules& rules, SpaceId scope,
                            MemberId member, std::int64_t gain) {
  if (gain <= 0 || rules.daily_cap == 0) return gain;
  auto used = ctx.tx.get_reputation_total(scope, day_window(ctx.now), member);
  HEARTH_TRY(has_used, found(used));
  return std::clamp<std::int64_t>(rules.daily_cap - (has_used ? used->points : 0), 0, gain);
}

}  // namespace

result<void> Engine::Impl::reputation_reacted(WriteContext& ctx, const Post& p, const Thread& t,
                                              MemberId giver, std::string_view kind) {
  if (giver == p.author) return {};  // self-reactions never count
  HEARTH_TRY(scope, reputation_scope(ctx.tx, p.space));
  const ReputationRules& rules = *scope.rules;
  const ReactionPoints* rp = rules.points_for(kind);
  if (!rp) return {};
  const bool first = t.first_post == p.id;
  const std::int64_t to_author = first ? rp->on_thread : rp->on_reply;
  const std::int64_t to_giver = first ? rp->giver_thread : rp->giver_reply;
  if (to_author == 0 && to_giver == 0) return {};

  bool serial = false;
  if (rules.serial_votes > 0) {
    const Timestamp since = ctx.now - rules.serial_window_ms;
    HEARTH_TRY(received, ledger(ctx.tx, {p.author, {}, {}, giver, since}));
    std::uint32_t votes = 1;  // this one
    for (const auto& e : received)
      if (e.reason == ReputationReason::reaction_received && !e.reverses && e.scope == scope.scope)
        ++votes;
    if (votes >= rules.serial_votes) {
      serial = true;
      HEARTH_TRY(given, ledger(ctx.tx, {giver, {}, {}, p.author, since}));
      for (const auto* list : {&received, &given}) {
        for (const ReputationEntry* c : state_of(*list).live_credits) {
          const bool vote = c->reason == ReputationReason::reaction_received ||
                            c->reason == ReputationReason::reaction_given;
          if (!vote || c->delta == 0 || c->scope != scope.scope) continue;
          HEARTH_CHECK(record(ctx, reversal_of(*c, "serial_voting"), rules, giver));
        }
      }
    }
  }

  ReputationEntry base;
  base.scope = scope.scope;
  base.note = std::string(kind);
  base.post = p.id;
  base.thread = p.thread;
  if (to_author != 0) {
    ReputationEntry e = base;
    e.member = p.author;
    e.reason = ReputationReason::reaction_received;
    e.source = giver;
    e.capped = to_author > 0;
    HEARTH_TRY(delta, capped(ctx, rules, scope.scope, p.author, serial ? 0 : to_author));
    e.delta = delta;
    HEARTH_CHECK(record(ctx, std::move(e), rules, giver));
  }
  if (to_giver != 0) {
    ReputationEntry e = base;
    e.member = giver;
    e.reason = ReputationReason::reaction_given;
    e.source = p.author;
    e.delta = serial ? 0 : to_giver;
    HEARTH_CHECK(record(ctx, std::move(e), rules, giver));
  }
  return {};
}

result<void> Engine::Impl::reputation_unreacted(WriteContext& ctx, const Post& p, MemberId giver,
                                                std::string_view kind) {
  HEARTH_TRY(entries, ledger(ctx.tx, {{}, p.id, {}, {}, 0}));
  for (const ReputationEntry* c : state_of(entries).live_credits) {
    const bool mine = (c->reason == ReputationReason::reaction_received && c->source == giver) ||
                      (c->reason == ReputationReason::reaction_given && c->member == giver);
    if (!mine || c->note != kind || c->delta == 0) continue;
    HEARTH_TRY(rules, scope_rules(ctx.tx, c->scope));
    HEARTH_CHECK(record(ctx, reversal_of(*c, "unreacted"), *rules, giver));
  }
  return {};
}

result<void> Engine::Impl::reputation_accepted(WriteContext& ctx, const Thread& t, MemberId actor,
                                               const Post* answer) {
  HEARTH_TRY(entries, ledger(ctx.tx, {{}, {}, t.id, {}, 0}));
  for (const ReputationEntry* c : state_of(entries).live_credits) {
    if (c->reason != ReputationReason::answer_accepted &&
        c->reason != ReputationReason::accepted_answer)
      continue;
    if (c->delta == 0) continue;
    HEARTH_TRY(rules, scope_rules(ctx.tx, c->scope));
    HEARTH_CHECK(record(ctx, reversal_of(*c, "answer_changed"), *rules, actor));
  }
  if (!answer || answer->author == t.author) return {};  // one's own answer earns nothing
  HEARTH_TRY(scope, reputation_scope(ctx.tx, t.space));
  const ReputationRules& rules = *scope.rules;
  ReputationEntry base;
  base.scope = scope.scope;
  base.post = answer->id;
  base.thread = t.id;
  if (rules.accepted_answerer != 0) {
    ReputationEntry e = base;
    e.member = answer->author;
    e.reason = ReputationReason::answer_accepted;
    e.source = t.author;
    e.capped = rules.accepted_counts_to_cap && rules.accepted_answerer > 0;
    if (e.capped) {
      HEARTH_TRY(delta, capped(ctx, rules, scope.scope, e.member, rules.accepted_answerer));
      e.delta = delta;
    } else {
      e.delta = rules.accepted_answerer;
    }
    HEARTH_CHECK(record(ctx, std::move(e), rules, actor));
  }
  if (rules.accepted_asker != 0) {
    ReputationEntry e = base;
    e.member = t.author;
    e.reason = ReputationReason::accepted_answer;
    e.source = answer->author;
    e.delta = rules.accepted_asker;
    HEARTH_CHECK(record(ctx, std::move(e), rules, actor));
  }
  return {};
}

namespace {

// The entries a post takes with it when it goes: a thread's first post takes the whole thread's.
LedgerQuery entries_of(const Post& p, const Thread& t) {
  LedgerQuery q;
  if (t.first_post == p.id)
    q.thread = t.id;
  else
    q.post = p.id;
  return q;
}

}  // namespace

result<void> Engine::Impl::reputation_withdrawn(WriteContext& ctx, const Post& p, const Thread& t,
                                                MemberId actor, bool removed) {
  const bool whole_thread = t.first_post == p.id;
  const char* note = whole_thread ? (removed ? "thread_removed" : "thread_deleted")
                                  : (removed ? "post_removed" : "post_deleted");
  HEARTH_TRY(entries, ledger(ctx.tx, entries_of(p, t)));
  for (const ReputationEntry* c : state_of(entries).live_credits) {
    if (c->delta == 0 || c->reason == ReputationReason::award) continue;
    HEARTH_TRY(rules, scope_rules(ctx.tx, c->scope));
    HEARTH_CHECK(record(ctx, reversal_of(*c, note), *rules, actor));
  }
  return {};
}

result<void> Engine::Impl::reputation_restored(WriteContext& ctx, const Post& p, const Thread& t,
                                               MemberId actor) {
  const std::string_view note = t.first_post == p.id ? "thread_removed" : "post_removed";
  HEARTH_TRY(entries, ledger(ctx.tx, entries_of(p, t)));
  std::unordered_map<std::uint64_t, const ReputationEntry*> by_id;
  for (const auto& e : entries) by_id.emplace(e.id.value, &e);
  for (const ReputationEntry* r : state_of(entries).live_reversals) {
    if (r->note != note) continue;
    auto credit = by_id.find(r->reverses.value);
    if (credit == by_id.end()) return errc::internal;  // a reversal carries its credit's keys
    ReputationEntry back = *credit->second;
    back.reverses = r->id;
    back.counts_at = credit->second->counts_at;
    HEARTH_TRY(rules, scope_rules(ctx.tx, back.scope));
    HEARTH_CHECK(record(ctx, std::move(back), *rules, actor));
  }
  return {};
}

result<void> Engine::Impl::reputation_erased(WriteContext& ctx, MemberId member) {
  HEARTH_TRY(own, ledger(ctx.tx, {member, {}, {}, {}, 0}));
  HEARTH_TRY(given, ledger(ctx.tx, {{}, {}, {}, member, 0}));
  std::vector<const ReputationEntry*> undo = state_of(own).live_credits;
  for (const ReputationEntry* c : state_of(given).live_credits)
    if (c->reason == ReputationReason::reaction_received && c->member != member)
      undo.push_back(c);  // what their votes gave others; acceptances stand with the content
  for (const ReputationEntry* c : undo) {
    if (c->delta == 0) continue;
    HEARTH_TRY(rules, scope_rules(ctx.tx, c->scope));
    HEARTH_CHECK(record(ctx, reversal_of(*c, "member_erased"), *rules, MemberId{}));
  }
  return {};
}

// --- leaderboards --------------------------------------------------------------------------

result<std::shared_ptr<detail::Leaderboard>> Engine::Impl::board(SpaceId scope,
                                                                 const std::string& window) {
  if (auto b = leaderboards.find(scope, window)) return b;
  return write([&](WriteContext& ctx) -> result<std::shared_ptr<detail::Leaderboard>> {
    if (auto b = leaderboards.find(scope, window)) return b;  // loaded while this one waited
    auto b = std::make_shared<detail::Leaderboard>();
    ReputationTotalKey after{scope, window, MemberId{}};
    for (bool more = true; more;) {
      HEARTH_TRY(batch, ctx.tx.list_reputation_totals(after, 1024));
      more = batch.size() == 1024;
      for (const auto& t : batch) {
        if (t.scope != scope || t.window != window) {
          more = false;
          break;
        }
        b->set(t.member, t.points);
        after.member = t.member;
      }
    }
    leaderboards.insert(scope, window, b);  // under the write lock: no commit falls between
    return b;
  });
}

namespace {

// The window a period names, for the rules of a scope, now.
result<std::string> window_key(const ReputationRules& rules, Period period, std::string_view name,
                               Timestamp now) {
  switch (period) {
    case Period::all_time:
      return std::string("all");
    case Period::week:
      return week_window(now);
    case Period::month:
      return month_window(now);
    case Period::custom:
      for (const auto& w : rules.windows)
        if (w.name == name) return "custom:" + w.name;
      return errc::not_found;
  }
  return errc::invalid_argument;
}

}  // namespace

// --- the public calls ----------------------------------------------------------------------

result<SpaceId> Engine::reputation_scope(MemberId viewer, SpaceId space) {
  return impl_->read([&](Transaction& tx) -> result<SpaceId> {
    if (space) HEARTH_CHECK(impl_->check_read(tx, space, viewer));
    HEARTH_TRY(scope, impl_->reputation_scope(tx, space));
    return scope.scope;
  });
}

namespace {

// The scope and window a leaderboard call names, after checking that the viewer may read it.
struct BoardRef {
  SpaceId scope;
  std::string window;
};
result<BoardRef> board_ref(Engine::Impl& impl, Transaction& tx, MemberId viewer, SpaceId space,
                           Period period, std::string_view name) {
  if (space) HEARTH_CHECK(impl.check_read(tx, space, viewer));
  HEARTH_TRY(scope, impl.reputation_scope(tx, space));
  HEARTH_TRY(window, window_key(*scope.rules, period, name, impl.clock->now()));
  return BoardRef{scope.scope, std::move(window)};
}

}  // namespace

result<LeaderboardEntry> Engine::reputation(MemberId viewer, SpaceId space, MemberId member,
                                            Period period, std::string_view window) {
  HEARTH_TRY(ref, impl_->read([&](Transaction& tx) -> result<BoardRef> {
    HEARTH_CHECK(tx.get_member(member));
    return board_ref(*impl_, tx, viewer, space, period, window);
  }));
  HEARTH_TRY(b, impl_->board(ref.scope, ref.window));
  return b->rank_of(member);
}

result<Page<LeaderboardEntry>> Engine::leaderboard(MemberId viewer, SpaceId space, Period period,
                                                   std::string_view window,
                                                   const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor_pair('l', page.cursor));
  HEARTH_TRY(ref, impl_->read([&](Transaction& tx) {
    return board_ref(*impl_, tx, viewer, space, period, window);
  }));
  HEARTH_TRY(b, impl_->board(ref.scope, ref.window));
  auto items = after ? b->after(false, static_cast<std::int64_t>(after->first),
                                MemberId{after->second}, limit + 1)
                     : b->after(true, 0, MemberId{}, limit + 1);
  Page<LeaderboardEntry> out;
  if (items.size() > limit) {
    items.resize(limit);
    out.next_cursor = detail::encode_cursor('l', static_cast<std::uint64_t>(items.back().points),
                                            items.back().member.value);
  }
  out.items = std::move(items);
  return out;
}

result<Page<ReputationEntry>> Engine::reputation_history(MemberId viewer, MemberId member,
                                                         const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor('h', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<ReputationEntry>> {
    HEARTH_CHECK(tx.get_member(member));
    std::vector<ReputationEntry> items;
    std::unordered_map<std::uint64_t, bool> readable;  // by scope
    ReputationEntryId from{after};
    for (bool more = true; more && items.size() <= limit;) {
      HEARTH_TRY(batch, tx.list_reputation_entries({member, {}, {}, {}, 0}, from, limit + 1));
      more = batch.size() == limit + 1;
      for (auto& e : batch) {
        from = e.id;
        bool visible = true;
        if (e.scope) {
          auto it = readable.find(e.scope.value);
          if (it == readable.end()) {
            HEARTH_TRY(may, impl_->can_read(tx, e.scope, viewer));
            it = readable.emplace(e.scope.value, may).first;
          }
          visible = it->second;
        }
        if (visible) items.push_back(std::move(e));
        if (items.size() > limit) break;
      }
    }
    return make_page(std::move(items), limit, 'h',
                     [](const ReputationEntry& e) { return e.id.value; });
  });
}

result<ReputationEntry> Engine::award_reputation(MemberId actor, SpaceId space, MemberId member,
                                                 std::int64_t points, std::string_view reason) {
  HEARTH_TRY(clean_reason, detail::clean_text(reason, 200, TextKind::line, true));
  if (points == 0) return errc::invalid_argument;
  return impl_->write([&](WriteContext& ctx) -> result<ReputationEntry> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_CHECK(impl_->require(ctx.tx, space, actor, Permission::award_reputation));
    HEARTH_CHECK(ctx.tx.get_member(member));
    HEARTH_TRY(is_member, found(ctx.tx.get_membership(space, member)));
    HEARTH_TRY(scope, impl_->reputation_scope(ctx.tx, space));
    const ReputationRules& rules = *scope.rules;
    if (!rules.awards) return errc::forbidden;
    if (points > rules.award_max || points < -static_cast<std::int64_t>(rules.award_max))
      return errc::invalid_argument;
    if (!is_member) return errc::conflict;
    ReputationEntry e;
    e.member = member;
    e.scope = scope.scope;
    e.delta = points;
    e.reason = ReputationReason::award;
    e.note = std::move(clean_reason);
    e.source = actor;
    HEARTH_TRY(recorded, impl_->record(ctx, std::move(e), rules, actor));
    HEARTH_CHECK(impl_->audit(ctx, {.space = space,
                                    .actor = actor,
                                    .action = AuditAction::reputation_awarded,
                                    .target_member = member,
                                    .reason = recorded.note,
                                    .detail = detail::Payload().num("points", points).done()}));
    return recorded;
  });
}

result<std::uint64_t> Engine::rebuild_reputation() {
  return impl_->write([&](WriteContext& ctx) -> result<std::uint64_t> {
    // (scope, window, member) -> points, from the ledger under the rules of now.
    std::map<std::tuple<std::uint64_t, std::string, std::uint64_t>, std::int64_t> want;
    std::unordered_map<std::uint64_t, std::shared_ptr<const ReputationRules>> rules_by_scope;
    ReputationEntryId after;
    for (bool more = true; more;) {
      HEARTH_TRY(batch, ctx.tx.list_reputation_entries({}, after, 1024));
      more = batch.size() == 1024;
      for (const auto& e : batch) {
        after = e.id;
        if (e.delta == 0) continue;
        auto it = rules_by_scope.find(e.scope.value);
        if (it == rules_by_scope.end()) {
          HEARTH_TRY(rules, impl_->scope_rules(ctx.tx, e.scope));
          it = rules_by_scope.emplace(e.scope.value, std::move(rules)).first;
        }
        for (auto& w : windows_of(*it->second, e.counts_at, e.capped))
          want[{e.scope.value, std::move(w), e.member.value}] += e.delta;
      }
    }
    std::uint64_t written = 0;
    // Stored totals the ledger does not explain go to 0; those that differ are replaced.
    ReputationTotalKey key{};
    for (bool more = true; more;) {
      HEARTH_TRY(batch, ctx.tx.list_reputation_totals(key, 1024));
      more = batch.size() == 1024;
      for (auto& t : batch) {
        key = {t.scope, t.window, t.member};
        auto it = want.find({t.scope.value, t.window, t.member.value});
        const std::int64_t expected = it == want.end() ? 0 : it->second;
        if (it != want.end()) want.erase(it);
        if (t.points == expected) continue;
        t.points = expected;
        HEARTH_CHECK(ctx.tx.put_reputation_total(t));
        ++written;
      }
    }
    for (const auto& [k, points] : want) {
      if (points == 0) continue;  // a total never stored counts 0 already
      const auto& [scope, window, member] = k;
      HEARTH_CHECK(ctx.tx.put_reputation_total({SpaceId{scope}, window, MemberId{member}, points}));
      ++written;
    }
    ctx.on_commit.push_back([this] { impl_->leaderboards.clear(); });
    return written;
  });
}

}  // namespace hearth
