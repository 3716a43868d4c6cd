// Badges: the rules' hooks on what members do, the grants and their listing (docs/badges.md).
#include <limits>

#include "engine_impl.hpp"

namespace hearth {

using detail::Payload;

namespace {

// A change that crosses more multiples of a repeating threshold than this (a large award of
// points) grants this many; the next change grants the rest it crosses.
constexpr std::uint64_t max_grants_per_change = 100;

constexpr std::size_t index_of(BadgeMetric m) noexcept { return static_cast<std::size_t>(m); }

// The ordinals a count moving from `before` to `after` reaches under `rule`: every k >= 1
// with before < k * threshold <= after (only k = 1 unless the rule repeats).
struct Crossing {
  std::uint64_t first = 1;
  std::uint64_t last = 0;  // below first: none
};
Crossing crossing(const BadgeRule& rule, std::int64_t before, std::int64_t after) noexcept {
  const auto t = static_cast<std::int64_t>(rule.threshold);
  if (after <= before || t <= 0 || after < t) return {};
  const std::int64_t lo = before < t ? 1 : before / t + 1;
  std::int64_t hi = after / t;
  if (!rule.repeat) hi = std::min<std::int64_t>(hi, 1);
  if (lo > hi) return {};
  const auto first = static_cast<std::uint64_t>(lo);
  const std::uint64_t last =
      std::min<std::uint64_t>({static_cast<std::uint64_t>(hi), first + max_grants_per_change - 1,
                               std::uint64_t{std::numeric_limits<std::uint32_t>::max()}});
  return {first, last};
}

// The progress counter of a rule's metric (accepted answers, helpful replies of a kind).
std::string counter_of(BadgeMetric m, std::string_view kind = {}) {
  std::string name(to_string(m));
  if (!kind.empty()) name.append(":").append(kind);
  return name;
}

Badge describe(const BadgeRules& rules, BadgeGrant g) {
  Badge b;
  if (const BadgeRule* r = rules.find(g.badge)) {
    b.title = r->title;
    b.description = r->description;
    b.tier = r->tier;
  } else {
    b.title = g.badge;
  }
  b.grant = std::move(g);
  return b;
}

}  // namespace

std::array<std::vector<std::size_t>, 10> Engine::Impl::index_badges(const BadgeRules& rules) {
  std::array<std::vector<std::size_t>, 10> out;
  for (std::size_t i = 0; i < rules.badges.size(); ++i) {
    const std::size_t m = index_of(rules.badges[i].metric);
    if (m < out.size()) out[m].push_back(i);
  }
  return out;
}

result<std::optional<BadgeGrant>> Engine::Impl::grant(WriteContext& ctx, const BadgeRule& rule,
                                                      MemberId member, PostId post, SpaceId space,
                                                      std::uint32_t ordinal, MemberId actor) {
  BadgeGrant g{0, member, rule.name, post, ordinal, ctx.now};
  HEARTH_TRY(added, ctx.tx.insert_badge_grant(g));
  if (!added) return std::optional<BadgeGrant>{};
  HEARTH_CHECK(ctx.emit(EventType::badge_awarded, space, actor,
                        Payload()
                            .id("member", member.value)
                            .str("badge", rule.name)
                            .str("title", rule.title)
                            .str("tier", to_string(rule.tier))
                            .id("post", post.value)
                            .num("ordinal", ordinal)
                            .done()));
  return std::optional<BadgeGrant>{std::move(g)};
}

namespace {

// Grants the community-wide badges of `metric` whose thresholds `member`'s count crossed
// going from `before` to `after` (those of one reaction kind only, when `kind` is given).
result<void> grant_crossed(Engine::Impl& impl, WriteContext& ctx, BadgeMetric metric,
                           MemberId member, std::int64_t before, std::int64_t after, MemberId actor,
                           std::string_view kind = {}) {
  if (after <= before) return {};
  for (const std::size_t i : impl.badge_rules_of[index_of(metric)]) {
    const BadgeRule& rule = impl.options.badges.badges[i];
    if (!kind.empty() && rule.reaction_kind != kind) continue;
    const Crossing c = crossing(rule, before, after);
    for (std::uint64_t k = c.first; k <= c.last; ++k)
      HEARTH_CHECK(
          impl.grant(ctx, rule, member, PostId{}, SpaceId{}, static_cast<std::uint32_t>(k), actor));
  }
  return {};
}

}  // namespace

result<void> Engine::Impl::badges_activity(WriteContext& ctx, const MemberActivity& before,
                                           const MemberActivity& after, MemberId actor) {
  const std::array<std::pair<BadgeMetric, std::uint32_t MemberActivity::*>, 5> counted{{
      {BadgeMetric::replies, &MemberActivity::replies},
      {BadgeMetric::threads_created, &MemberActivity::threads_created},
      {BadgeMetric::days_visited, &MemberActivity::days_visited},
      {BadgeMetric::reactions_given, &MemberActivity::reactions_given},
      {BadgeMetric::reactions_received, &MemberActivity::reactions_received},
  }};
  for (const auto& [metric, field] : counted)
    if (after.*field != before.*field)
      HEARTH_CHECK(
          grant_crossed(*this, ctx, metric, after.member, before.*field, after.*field, actor));
  return {};
}

result<void> Engine::Impl::badges_reacted(WriteContext& ctx, const Post& p, const Thread& t,
                                          MemberId giver, std::string_view kind) {
  if (giver == p.author) return {};  // self-reactions never count
  const auto& by_post = badge_rules_of[index_of(BadgeMetric::post_reactions)];
  const auto& helpful = badge_rules_of[index_of(BadgeMetric::helpful_replies)];
  if (by_post.empty() && helpful.empty()) return {};
  // The post's count of `kind` now, as `p` was read before this reaction, plus this one. It
  // may hold the author's own reaction: that is looked up only at a threshold.
  std::uint64_t count = 1;
  for (const ReactionCount& rc : p.reactions)
    if (rc.kind == kind) count = std::uint64_t{rc.count} + 1;
  std::optional<std::uint64_t> from_others;
  auto others = [&]() -> result<std::uint64_t> {
    if (!from_others) {
      HEARTH_TRY(own, ctx.tx.list_member_reactions(p.id, p.author));
      bool self = false;
      for (const Reaction& r : own) self = self || r.kind == kind;
      from_others = count - (self ? 1 : 0);
    }
    return *from_others;
  };

  for (const std::size_t i : by_post) {
    const BadgeRule& rule = options.badges.badges[i];
    if (rule.reaction_kind != kind || (count != rule.threshold && count != rule.threshold + 1))
      continue;
    HEARTH_TRY(n, others());
    if (n != rule.threshold) continue;
    if (!rule.repeat) {
      HEARTH_TRY(held, ctx.tx.count_badge_grants(p.author, rule.name));
      if (held) continue;
    }
    HEARTH_CHECK(grant(ctx, rule, p.author, p.id, p.space, 1, giver));
  }

  if (t.first_post == p.id || count > 2) return {};  // helpful: a reply's first reaction
  bool counts = false;
  for (const std::size_t i : helpful)
    counts = counts || options.badges.badges[i].reaction_kind == kind;
  if (!counts) return {};
  HEARTH_TRY(n, others());
  if (n != 1) return {};
  HEARTH_TRY(first, ctx.tx.insert_helpful_reply(p.id, kind));
  if (!first) return {};
  HEARTH_TRY(helpful_count, ctx.tx.add_badge_progress(
                                p.author, counter_of(BadgeMetric::helpful_replies, kind), 1));
  return grant_crossed(*this, ctx, BadgeMetric::helpful_replies, p.author, helpful_count - 1,
                       helpful_count, giver, kind);
}

result<void> Engine::Impl::badges_accepted(WriteContext& ctx, const Thread& t, PostId previous,
                                           const Post* answer, MemberId actor) {
  if (badge_rules_of[index_of(BadgeMetric::accepted_answers)].empty()) return {};
  const std::string counter = counter_of(BadgeMetric::accepted_answers);
  if (previous) {  // its badges are kept; the count is of answers accepted now
    HEARTH_TRY(old, ctx.tx.get_post(previous));
    if (old.author != t.author) HEARTH_CHECK(ctx.tx.add_badge_progress(old.author, counter, -1));
  }
  if (!answer || answer->author == t.author) return {};  // one's own answer earns nothing
  HEARTH_TRY(n, ctx.tx.add_badge_progress(answer->author, counter, 1));
  return grant_crossed(*this, ctx, BadgeMetric::accepted_answers, answer->author, n - 1, n, actor);
}

result<void> Engine::Impl::badges_reputation(WriteContext& ctx, MemberId member,
                                             std::int64_t before, std::int64_t after,
                                             MemberId actor) {
  return grant_crossed(*this, ctx, BadgeMetric::reputation, member, before, after, actor);
}

// --- the public calls ----------------------------------------------------------------------

const BadgeRules& Engine::badge_rules() const noexcept { return impl_->options.badges; }

result<Page<Badge>> Engine::badges(MemberId viewer, MemberId member, const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor('g', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Badge>> {
    HEARTH_CHECK(tx.get_member(member));
    std::vector<Badge> items;
    std::unordered_map<std::uint64_t, bool> readable;  // by space
    std::uint64_t from = after;
    for (bool more = true; more && items.size() <= limit;) {
      HEARTH_TRY(batch, tx.list_badge_grants(member, from, limit + 1));
      more = batch.size() == limit + 1;
      for (auto& g : batch) {
        from = g.id;
        if (g.post) {  // shown only to those who may read the post
          auto p = tx.get_post(g.post);
          HEARTH_TRY(exists, found(p));
          if (!exists) continue;
          auto it = readable.find(p->space.value);
          if (it == readable.end()) {
            HEARTH_TRY(may, impl_->can_read(tx, p->space, viewer));
            it = readable.emplace(p->space.value, may).first;
          }
          if (!it->second) continue;
        }
        items.push_back(describe(impl_->options.badges, std::move(g)));
        if (items.size() > limit) break;
      }
    }
    return make_page(std::move(items), limit, 'g', [](const Badge& b) { return b.grant.id; });
  });
}

result<Badge> Engine::grant_badge(MemberId member, std::string_view badge) {
  const BadgeRule* rule = impl_->options.badges.find(badge);
  if (!rule) return errc::not_found;
  return impl_->write([&](WriteContext& ctx) -> result<Badge> {
    HEARTH_CHECK(ctx.tx.get_member(member));
    HEARTH_TRY(held, ctx.tx.count_badge_grants(member, rule->name));
    if (held > 0 && !rule->repeat) return errc::already_exists;
    // The next ordinal not taken (a counter may have reached some already).
    for (std::uint64_t k = held + 1; k <= std::numeric_limits<std::uint32_t>::max(); ++k) {
      HEARTH_TRY(g, impl_->grant(ctx, *rule, member, PostId{}, SpaceId{},
                                 static_cast<std::uint32_t>(k), MemberId{}));
      if (!g) continue;
      HEARTH_CHECK(impl_->audit(
          ctx, {.action = AuditAction::badge_granted,
                .target_member = member,
                .detail =
                    detail::Payload().str("badge", rule->name).num("ordinal", g->ordinal).done()}));
      return describe(impl_->options.badges, std::move(*g));
    }
    return errc::conflict;
  });
}

}  // namespace hearth
