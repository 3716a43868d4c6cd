// Reports (flags) and the review queue (docs/moderation.md, "Reports and the review queue").
#include <algorithm>

#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using detail::TextKind;

constexpr std::uint32_t note_max = 500;
constexpr std::uint32_t reason_max = 500;
// The most spaces one review_queue call reads the queues of (the space and those below it).
constexpr std::size_t max_review_spaces = 1'000;
constexpr std::string_view hidden_reason = "hidden pending review: reported by members";

// Whether the post of `item` was held before anyone saw it (a new member's first post, or one
// an auto-moderation rule held at creation): approving it publishes it. An edit that a rule
// held was published before: approving it shows it again.
bool never_published(const ReviewItem& item, const Post& p) {
  return item.source == ReviewSource::first_post ||
         (item.source == ReviewSource::auto_moderation && p.revision == 0);
}

result<std::string> clean_note(ReportReason reason, std::string_view note) {
  if (to_string(reason) == "unknown") return errc::invalid_argument;
  return detail::clean_text(note, note_max, TextKind::multiline, reason == ReportReason::other);
}

ReportStatus outcome_of(ReviewAction a) {
  switch (a) {
    case ReviewAction::hide:
    case ReviewAction::remove:
      return ReportStatus::upheld;
    case ReviewAction::approve:
      return ReportStatus::rejected;
    case ReviewAction::dismiss:
      break;
  }
  return ReportStatus::dismissed;
}

}  // namespace

// Files `r` (its reporter, target, space, reason and note set): checks that the reporter has
// no open report on the target, weighs it, joins or opens the target's item, and hides the
// post (`p`, for a report about a post) once the item weighs enough.
result<Report> Engine::Impl::file_report(WriteContext& ctx, Report r, Post* p, Thread* t) {
  HEARTH_TRY(open, ctx.tx.find_open_report(r.reporter, r.target_member, r.post));
  if (open) return errc::already_exists;
  HEARTH_TRY(activity, activity_of(ctx.tx, r.reporter));
  const auto& weights = options.reports.weight_by_trust_level;
  r.weight = weights[std::min<std::size_t>(activity.level, weights.size() - 1)];
  r.status = ReportStatus::open;
  r.created_at = ctx.now;
  r.id = ids.next_as<ReportId>();

  HEARTH_TRY(existing, ctx.tx.find_open_review_item(r.space, r.target_member, r.post));
  ReviewItem item;
  if (existing) {
    item = std::move(*existing);
  } else {
    item.id = ids.next_as<ReviewItemId>();
    item.space = r.space;
    item.source = ReviewSource::reports;
    item.target_member = r.target_member;
    item.post = r.post;
    item.created_at = ctx.now;
  }
  r.item = item.id;
  item.weight = item.weight > UINT32_MAX - r.weight ? UINT32_MAX : item.weight + r.weight;
  ++item.reports;

  const std::uint32_t threshold = options.reports.hide_threshold;
  if (p && threshold != 0 && item.weight >= threshold && !item.hidden && !p->removed) {
    // A post by someone who reviews reports there is queued, never hidden by reports.
    HEARTH_TRY(author, standing(ctx.tx, r.space, p->author));
    if (!author.perms.has(Permission::review_reports)) {
      item.hidden = true;
      HEARTH_CHECK(take_down(ctx, *p, *t, MemberId{}, std::string(hidden_reason), false));
      HEARTH_CHECK(audit(
          ctx,
          {.space = r.space,
           .actor_kind = AuditActorKind::rule,
           .actor_name = "reports",
           .action = AuditAction::post_hidden,
           .target_member = p->author,
           .post = p->id,
           .thread = p->thread,
           .reason = std::string(hidden_reason),
           .detail = Payload().num("weight", item.weight).num("reports", item.reports).done()}));
    }
  }
  if (existing) {
    HEARTH_CHECK(ctx.tx.update_review_item(item));
  } else {
    HEARTH_CHECK(ctx.tx.insert_review_item(item));
  }
  HEARTH_CHECK(ctx.tx.insert_report(r));
  return r;
}

result<void> Engine::Impl::hold_for_review(WriteContext& ctx, const Post& p, const Hold& h) {
  ReviewItem item;
  item.id = ids.next_as<ReviewItemId>();
  item.space = p.space;
  item.source = h.source;
  if (h.source == ReviewSource::auto_moderation) item.flag = h.rule + ": " + h.matched;
  item.target_member = p.author;
  item.post = p.id;
  item.weight = 1;
  item.hidden = true;
  item.created_at = ctx.now;
  HEARTH_CHECK(ctx.tx.insert_review_item(item));
  return audit(ctx, {.space = p.space,
                     .actor_kind = h.actor_kind,
                     .actor_name = h.rule,
                     .action = AuditAction::post_hidden,
                     .target_member = p.author,
                     .post = p.id,
                     .thread = p.thread,
                     .reason = p.removal_reason,
                     .matched = h.matched});
}

result<Report> Engine::report_post(MemberId actor, PostId post, ReportReason reason,
                                   std::string_view note) {
  HEARTH_TRY(clean, clean_note(reason, note));
  return impl_->write([&](WriteContext& ctx) -> result<Report> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(p, ctx.tx.get_post(post));
    HEARTH_TRY(t, ctx.tx.get_thread(p.thread));
    HEARTH_CHECK(impl_->require(ctx.tx, p.space, actor, Permission::report));
    if (p.author == actor) return errc::forbidden;
    if (p.deleted || p.removed || (t.deleted && t.first_post != p.id)) return errc::gone;
    Report r;
    r.reporter = actor;
    r.space = p.space;
    r.target_member = p.author;
    r.post = p.id;
    r.reason = reason;
    r.note = std::move(clean);
    return impl_->file_report(ctx, std::move(r), &p, &t);
  });
}

result<Report> Engine::report_member(MemberId actor, SpaceId space, MemberId member,
                                     ReportReason reason, std::string_view note) {
  HEARTH_TRY(clean, clean_note(reason, note));
  return impl_->write([&](WriteContext& ctx) -> result<Report> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_CHECK(impl_->require(ctx.tx, space, actor, Permission::report));
    HEARTH_CHECK(ctx.tx.get_member(member));
    if (member == actor) return errc::forbidden;
    Report r;
    r.reporter = actor;
    r.space = space;
    r.target_member = member;
    r.reason = reason;
    r.note = std::move(clean);
    return impl_->file_report(ctx, std::move(r), nullptr, nullptr);
  });
}

result<Page<Report>> Engine::my_reports(MemberId actor, const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(before, detail::decode_cursor('f', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Report>> {
    HEARTH_CHECK(impl_->active_member(tx, actor));
    HEARTH_TRY(items, tx.list_reports_by(actor, ReportId{before}, limit + 1));
    return make_page(std::move(items), limit, 'f', [](const Report& r) { return r.id.value; });
  });
}

result<Page<ReviewItem>> Engine::review_queue(MemberId viewer, SpaceId space,
                                              const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor_pair('q', page.cursor));
  if (after && after->first > UINT32_MAX) return errc::invalid_cursor;
  return impl_->read([&](Transaction& tx) -> result<Page<ReviewItem>> {
    HEARTH_CHECK(impl_->active_member(tx, viewer));
    HEARTH_CHECK(impl_->require(tx, space, viewer, Permission::review_reports));
    // The space and those below it where the viewer reviews, each queue read from the cursor
    // on and merged in queue order.
    std::vector<SpaceId> spaces{space};
    for (std::size_t i = 0; i < spaces.size(); ++i) {
      HEARTH_TRY(children, tx.list_child_spaces(spaces[i], SpaceId{}, max_review_spaces));
      for (const Space& c : children) {
        if (spaces.size() >= max_review_spaces) break;
        auto st = impl_->require(tx, c.id, viewer, Permission::review_reports);
        if (st) {
          spaces.push_back(c.id);
        } else if (!is(st.error(), errc::forbidden) && !is(st.error(), errc::not_found)) {
          return failure{st.error()};
        }
      }
    }
    const auto after_weight = after ? static_cast<std::uint32_t>(after->first) : 0;
    const ReviewItemId after_id{after ? after->second : 0};
    std::vector<ReviewItem> items;
    for (SpaceId s : spaces) {
      HEARTH_TRY(batch, tx.list_review_queue(s, after_weight, after_id, limit + 1));
      for (ReviewItem& i : batch) items.push_back(std::move(i));
    }
    std::sort(items.begin(), items.end(), [](const ReviewItem& a, const ReviewItem& b) {
      return a.weight != b.weight ? a.weight > b.weight : a.id < b.id;
    });
    if (items.size() > limit + 1) items.resize(limit + 1);
    Page<ReviewItem> out;
    if (items.size() > limit) {
      items.resize(limit);
      out.next_cursor = detail::encode_cursor('q', items.back().weight, items.back().id.value);
    }
    out.items = std::move(items);
    return out;
  });
}

result<ReviewItemDetail> Engine::review_item(MemberId viewer, ReviewItemId id) {
  return impl_->read([&](Transaction& tx) -> result<ReviewItemDetail> {
    HEARTH_CHECK(impl_->active_member(tx, viewer));
    HEARTH_TRY(item, tx.get_review_item(id));
    if (!item) return errc::not_found;
    HEARTH_CHECK(impl_->require(tx, item->space, viewer, Permission::review_reports));
    HEARTH_TRY(reports, tx.list_item_reports(id));
    return ReviewItemDetail{std::move(*item), std::move(reports)};
  });
}

result<ReviewItem> Engine::claim_review_item(MemberId actor, ReviewItemId id) {
  return impl_->write([&](WriteContext& ctx) -> result<ReviewItem> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(item, ctx.tx.get_review_item(id));
    if (!item) return errc::not_found;
    HEARTH_CHECK(impl_->require(ctx.tx, item->space, actor, Permission::review_reports));
    if (item->decided) return errc::conflict;
    if (item->claimed_by && item->claimed_by != actor && item->claimed_until > ctx.now)
      return errc::conflict;
    item->claimed_by = actor;
    item->claimed_until = ctx.now + impl_->options.reports.claim_ms;
    HEARTH_CHECK(ctx.tx.update_review_item(*item));
    return std::move(*item);
  });
}

result<ReviewItem> Engine::Impl::decide(WriteContext& ctx, MemberId actor, ReviewItemId id,
                                        const ReviewDecision& d, const std::string& reason) {
  HEARTH_CHECK(active_member(ctx.tx, actor));
  HEARTH_TRY(found, ctx.tx.get_review_item(id));
  if (!found) return errc::not_found;
  ReviewItem item = std::move(*found);
  HEARTH_CHECK(require(ctx.tx, item.space, actor, Permission::review_reports));
  if (item.decided) return errc::conflict;
  if (item.claimed_by && item.claimed_by != actor && item.claimed_until > ctx.now)
    return errc::conflict;
  if (item.source == ReviewSource::appeal)
    return decide_appeal(ctx, actor, std::move(item), d, reason);
  const bool takes_down = d.action == ReviewAction::hide || d.action == ReviewAction::remove;
  if (takes_down && !item.post) return errc::invalid_argument;  // nothing to hide
  std::optional<NewSanction> sanction;
  if (d.sanction) {
    const bool in_space = *d.sanction == SanctionKind::warn || *d.sanction == SanctionKind::timeout;
    sanction = NewSanction{*d.sanction, item.target_member, in_space ? item.space : SpaceId{},
                           reason, d.sanction_expires_at};
  }

  if (item.post) {
    HEARTH_TRY(p, ctx.tx.get_post(item.post));
    HEARTH_TRY(t, ctx.tx.get_thread(p.thread));
    // Hidden by this item's reports, and not touched by anyone since.
    const bool hidden_here = item.hidden && p.removed && !p.removed_by;
    if (takes_down) {
      HEARTH_CHECK(require_over(ctx.tx, p.space, actor, p.author, Permission::moderate_posts));
    }
    if (!p.deleted) {
      if (takes_down && hidden_here) {
        // Already hidden: the moderator's decision and reason replace the reports'.
        p.removed_by = actor;
        p.removal_reason = reason;
        HEARTH_CHECK(ctx.tx.update_post(p));
        if (d.action == ReviewAction::remove)
          HEARTH_CHECK(reputation_withdrawn(ctx, p, t, actor, true));
      } else if (takes_down && !p.removed) {
        HEARTH_CHECK(take_down(ctx, p, t, actor, reason, d.action == ReviewAction::remove));
      } else if (!takes_down && hidden_here && never_published(item, p)) {
        // A held post is published now, as if it had just been written.
        p.removed = false;
        p.removal_reason.clear();
        HEARTH_CHECK(ctx.tx.update_post(p));
        if (t.first_post == p.id) {
          t.deleted = false;
          HEARTH_CHECK(ctx.tx.update_thread(t));
        }
        HEARTH_TRY(author, standing(ctx.tx, p.space, p.author));
        HEARTH_TRY(mentioned, mentions(ctx.tx, p.space, p.author, author.perms, p.body));
        HEARTH_CHECK(publish(ctx, p, t, std::move(mentioned)));
      } else if (!takes_down && hidden_here) {
        HEARTH_CHECK(put_back(ctx, p, t, actor));
      }
    }
  }

  // The reports end, and their reporters learn it.
  const ReportStatus outcome = outcome_of(d.action);
  HEARTH_TRY(reports, ctx.tx.list_item_reports(item.id));
  std::uint32_t closed = 0;
  for (Report& r : reports) {
    if (r.status != ReportStatus::open) continue;
    r.status = outcome;
    r.decided_at = ctx.now;
    HEARTH_CHECK(ctx.tx.update_report(r));
    ++closed;
    HEARTH_TRY(notify_them, may_notify(ctx.tx, item.space, r.reporter, actor));
    if (notify_them) {
      Notification n;
      n.recipient = r.reporter;
      n.kind = NotificationKind::report_decided;
      n.space = item.space;
      n.post = item.post;
      HEARTH_CHECK(notify(ctx, std::move(n)));
    }
  }
  if (outcome == ReportStatus::upheld) {
    // One flag against the author per upheld item (trust level 3 allows only so many).
    HEARTH_TRY(a, activity_of(ctx.tx, item.target_member));
    const std::uint8_t previous = a.level;
    a.member = item.target_member;
    ++a.flags_against;
    HEARTH_TRY(level, earned_level(ctx.tx, a, ctx.now));
    a.level = level;
    HEARTH_CHECK(store_trust(ctx, a, previous, actor));
  }

  if (sanction) {
    HEARTH_TRY(clean, check_sanction(*sanction));
    HEARTH_CHECK(impose_in(ctx, actor, *sanction, std::move(clean)));
  }

  item.decided = true;
  item.decision = d.action;
  item.decided_by = actor;
  item.decided_at = ctx.now;
  item.reason = reason;
  HEARTH_CHECK(ctx.tx.update_review_item(item));
  HEARTH_CHECK(audit(
      ctx,
      {.space = item.space,
       .actor = actor,
       .action = AuditAction::review_decided,
       .target_member = item.target_member,
       .post = item.post,
       .reason = reason,
       .detail = Payload().str("decision", to_string(d.action)).num("reports", closed).done()}));
  return item;
}

namespace {

result<std::string> decision_reason(const ReviewDecision& d) {
  if (to_string(d.action) == "unknown") return errc::invalid_argument;
  if (d.sanction && d.action == ReviewAction::approve) return errc::invalid_argument;
  const bool required = d.action == ReviewAction::hide || d.action == ReviewAction::remove;
  return detail::clean_text(d.reason, reason_max, TextKind::multiline, required);
}

}  // namespace

result<ReviewItem> Engine::decide_review_item(MemberId actor, ReviewItemId id,
                                              const ReviewDecision& d) {
  HEARTH_TRY(reason, decision_reason(d));
  return impl_->write([&](WriteContext& ctx) -> result<ReviewItem> {
    return impl_->decide(ctx, actor, id, d, reason);
  });
}

result<std::vector<result<ReviewItem>>> Engine::decide_review_items(
    MemberId actor, std::span<const ReviewItemId> items, const ReviewDecision& d) {
  if (items.size() > impl_->options.limits.max_page_size) return errc::invalid_argument;
  HEARTH_TRY(reason, decision_reason(d));
  std::vector<result<ReviewItem>> out;
  out.reserve(items.size());
  for (ReviewItemId id : items) {
    out.push_back(impl_->write([&](WriteContext& ctx) -> result<ReviewItem> {
      return impl_->decide(ctx, actor, id, d, reason);
    }));
  }
  return out;
}

}  // namespace hearth
