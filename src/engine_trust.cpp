// Trust levels: the activity the engine counts and the levels it earns (docs/trust.md).
#include "engine_impl.hpp"

namespace hearth {

using detail::Payload;
using Access = Engine::Impl::Access;

namespace {

constexpr std::int64_t day_ms = 24ll * 60 * 60 * 1000;
constexpr std::int64_t max_read_ms_per_report = 60ll * 60 * 1000;  // an hour
constexpr std::uint32_t max_posts_per_report = 1'000;
constexpr std::uint8_t max_level = 4;

std::int64_t day_of(Timestamp at) noexcept { return at / day_ms - ((at % day_ms) < 0); }

// Whether counts reach a level's requirements.
bool meets(std::uint32_t days_visited, std::uint32_t threads_entered, std::uint64_t posts_read,
           std::int64_t read_ms, std::uint32_t reactions_given, std::uint32_t reactions_received,
           std::uint32_t replies, const TrustRequirements& r) noexcept {
  return days_visited >= r.days_visited && threads_entered >= r.threads_entered &&
         posts_read >= r.posts_read && read_ms >= r.read_ms &&
         reactions_given >= r.reactions_given && reactions_received >= r.reactions_received &&
         replies >= r.replies;
}

bool meets(const MemberActivity& a, const TrustRequirements& r) noexcept {
  return meets(a.days_visited, a.threads_entered, a.posts_read, a.read_ms, a.reactions_given,
               a.reactions_received, a.replies, r);
}

bool meets(const ActivityCounts& c, const TrustRequirements& r) noexcept {
  return meets(c.visited, c.threads_entered, c.posts_read, c.read_ms, c.reactions_given,
               c.reactions_received, c.replies, r);
}

void add(ActivityCounts& to, const ActivityCounts& delta) noexcept {
  to.threads_entered += delta.threads_entered;
  to.posts_read += delta.posts_read;
  to.read_ms += delta.read_ms;
  to.reactions_given += delta.reactions_given;
  to.reactions_received += delta.reactions_received;
  to.replies += delta.replies;
}

bool any(const ActivityCounts& c) noexcept {
  return c.visited || c.threads_entered || c.posts_read || c.read_ms || c.reactions_given ||
         c.reactions_received || c.replies;
}

}  // namespace

result<MemberActivity> Engine::Impl::activity_of(Transaction& tx, MemberId member) {
  auto stored = tx.get_member_activity(member);
  HEARTH_TRY(exists, found(stored));
  if (exists) return std::move(*stored);
  MemberActivity a;
  a.member = member;
  return a;
}

result<std::uint8_t> Engine::Impl::earned_level(Transaction& tx, const MemberActivity& a,
                                                Timestamp now) {
  if (a.level_by_hand) return a.level;
  const TrustRules& rules = options.trust;
  std::uint8_t level = std::min<std::uint8_t>(a.level, 2);  // 1 and 2 are kept once earned
  if (level < 1 && meets(a, rules.level1)) level = 1;
  if (level < 2 && level >= 1 && meets(a, rules.level2)) level = 2;
  if (level < 2 || a.flags_against > rules.level3.max_flags_against) return level;
  const std::int64_t today = day_of(now);
  HEARTH_TRY(window, tx.sum_activity_days(a.member, today - rules.level3.trailing_days + 1, today));
  return meets(window, rules.level3) ? std::uint8_t{3} : level;
}

result<void> Engine::Impl::store_trust(WriteContext& ctx, const MemberActivity& a,
                                       std::uint8_t previous, MemberId actor) {
  HEARTH_CHECK(ctx.tx.put_member_activity(a));
  if (a.level == previous) return {};
  return ctx.emit(EventType::trust_level_changed, SpaceId{}, actor,
                  Payload()
                      .id("member", a.member.value)
                      .num("level", a.level)
                      .num("previous", previous)
                      .done());
}

result<MemberActivity> Engine::Impl::note_activity(WriteContext& ctx, MemberId member,
                                                   const ActivityCounts& delta, MemberId actor,
                                                   std::uint32_t threads_created) {
  HEARTH_TRY(a, activity_of(ctx.tx, member));
  const MemberActivity before = a;  // for the badges
  const std::uint8_t previous = a.level;
  const std::int64_t today = day_of(ctx.now);
  auto stored_day = ctx.tx.get_activity_day(member, today);
  HEARTH_TRY(has_day, found(stored_day));
  ActivityDay day = has_day ? std::move(*stored_day) : ActivityDay{member, today, {}};
  ActivityCounts counted = delta;
  counted.visited = 0;
  bool day_changed = any(counted);
  if (delta.visited) {
    a.last_visit = ctx.now;
    if (!day.counts.visited) {  // the first visit of the day
      day.counts.visited = 1;
      ++a.days_visited;
      day_changed = true;
    }
  }
  add(day.counts, delta);
  a.threads_entered += delta.threads_entered;
  a.posts_read += delta.posts_read;
  a.read_ms += delta.read_ms;
  a.reactions_given += delta.reactions_given;
  a.reactions_received += delta.reactions_received;
  a.replies += delta.replies;
  a.threads_created += threads_created;
  if (day_changed) HEARTH_CHECK(ctx.tx.put_activity_day(day));
  HEARTH_TRY(level, earned_level(ctx.tx, a, ctx.now));
  a.level = level;
  HEARTH_CHECK(store_trust(ctx, a, previous, actor));
  HEARTH_CHECK(badges_activity(ctx, before, a, actor));
  return a;
}

result<MemberActivity> Engine::record_visit(MemberId actor) {
  return impl_->write([&](WriteContext& ctx) -> result<MemberActivity> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    return impl_->note_activity(ctx, actor, {.visited = 1}, actor);
  });
}

result<MemberActivity> Engine::record_reading(MemberId actor, ThreadId thread,
                                              std::uint32_t posts_read, std::int64_t read_ms) {
  if (read_ms < 0 || read_ms > max_read_ms_per_report || posts_read > max_posts_per_report)
    return errc::invalid_argument;
  return impl_->write([&](WriteContext& ctx) -> result<MemberActivity> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(t, ctx.tx.get_thread(thread));
    HEARTH_CHECK(impl_->access(ctx.tx, t.space, actor, Access::read));
    if (t.deleted) return errc::gone;
    HEARTH_TRY(entered, ctx.tx.insert_thread_entered(actor, thread));
    ActivityCounts delta;
    delta.threads_entered = entered ? 1 : 0;
    delta.posts_read = posts_read;
    delta.read_ms = read_ms;
    return impl_->note_activity(ctx, actor, delta, actor);
  });
}

result<MemberActivity> Engine::trust_level(MemberId viewer, MemberId member) {
  (void)viewer;  // public, like a profile
  return impl_->read([&](Transaction& tx) -> result<MemberActivity> {
    HEARTH_CHECK(tx.get_member(member));
    return Impl::activity_of(tx, member);
  });
}

result<MemberActivity> Engine::set_trust_level(MemberId member, std::uint8_t level) {
  if (level > max_level) return errc::invalid_argument;
  return impl_->write([&](WriteContext& ctx) -> result<MemberActivity> {
    HEARTH_CHECK(ctx.tx.get_member(member));
    HEARTH_TRY(a, Impl::activity_of(ctx.tx, member));
    const std::uint8_t previous = a.level;
    const bool pinned_already = a.level_by_hand && previous == level;
    a.level = level;
    a.level_by_hand = true;
    HEARTH_CHECK(impl_->store_trust(ctx, a, previous, MemberId{}));
    if (!pinned_already)
      HEARTH_CHECK(impl_->audit(ctx, {.action = AuditAction::trust_level_set,
                                      .target_member = member,
                                      .detail = detail::Payload().num("level", level).done()}));
    return a;
  });
}

result<MemberActivity> Engine::clear_trust_level(MemberId member) {
  return impl_->write([&](WriteContext& ctx) -> result<MemberActivity> {
    HEARTH_CHECK(ctx.tx.get_member(member));
    HEARTH_TRY(a, Impl::activity_of(ctx.tx, member));
    if (!a.level_by_hand) return a;
    const std::uint8_t previous = a.level;
    a.level_by_hand = false;
    a.level = 0;  // computed afresh
    HEARTH_TRY(level, impl_->earned_level(ctx.tx, a, ctx.now));
    a.level = level;
    HEARTH_CHECK(impl_->store_trust(ctx, a, previous, MemberId{}));
    HEARTH_CHECK(
        impl_->audit(ctx, {.action = AuditAction::trust_level_cleared, .target_member = member}));
    return a;
  });
}

}  // namespace hearth
