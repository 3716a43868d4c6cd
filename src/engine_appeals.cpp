// Explain and appeal (docs/moderation.md, "Explain and appeal"): a member sees what moderation
// did to their posts and standing, and who or what did it; they may appeal a moderator's action
// once, into the review queue, for another moderator to decide.
#include <boost/json.hpp>
#include <charconv>

#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using detail::TextKind;

constexpr std::uint32_t statement_max = 1'000;
// How many audit entries one moderation_history call looks at, at most.
constexpr std::size_t history_scan_budget = 2'000;

// The actions that concern the member they target, as the member sees them.
bool concerns_member(AuditAction a) noexcept {
  switch (a) {
    case AuditAction::post_removed:
    case AuditAction::post_restored:
    case AuditAction::member_banned:
    case AuditAction::member_unbanned:
    case AuditAction::member_removed:
    case AuditAction::member_deactivated:
    case AuditAction::post_hidden:
    case AuditAction::review_decided:
    case AuditAction::member_warned:
    case AuditAction::member_timed_out:
    case AuditAction::member_suspended:
    case AuditAction::member_banned_everywhere:
    case AuditAction::sanction_revoked:
    case AuditAction::post_blocked:
    case AuditAction::post_flagged:
    case AuditAction::post_censored:
      return true;
    default:
      return false;
  }
}

// A string field of an entry's detail ("" when absent or not JSON).
std::string detail_field(const AuditEntry& e, std::string_view key) {
  if (e.detail.empty()) return {};
  boost::system::error_code ec;
  const auto v = boost::json::parse(e.detail, ec);
  if (ec || !v.is_object()) return {};
  const auto* f = v.get_object().if_contains(key);
  if (!f || !f->is_string()) return {};
  return std::string(f->get_string());
}

std::uint64_t to_id(const std::string& s) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return ec == std::errc{} && end == s.data() + s.size() ? n : 0;
}

// The entry `id` about `member`, if it is one.
result<std::optional<AuditEntry>> entry_about(Transaction& tx, MemberId member, std::uint64_t id) {
  if (id == 0 || id == UINT64_MAX) return std::optional<AuditEntry>{};
  HEARTH_TRY(got, tx.list_audit_entries({.target_member = member}, id + 1, 1));
  if (got.empty() || got.front().id != id) return std::optional<AuditEntry>{};
  return std::optional{std::move(got.front())};
}

}  // namespace

result<void> Engine::Impl::appealable(Transaction& tx, const AuditEntry& e, Timestamp now) {
  if (e.actor_kind != AuditActorKind::member || !e.space) return errc::invalid_argument;
  switch (e.action) {
    case AuditAction::review_decided: {
      const std::string decision = detail_field(e, "decision");
      if (!e.post || (decision != "hide" && decision != "remove")) return errc::invalid_argument;
      [[fallthrough]];
    }
    case AuditAction::post_removed: {
      HEARTH_TRY(p, tx.get_post(e.post));
      if (p.deleted) return errc::gone;
      if (!p.removed || p.removed_by != e.actor) return errc::conflict;  // undone, or redone
      return {};
    }
    case AuditAction::member_warned:
    case AuditAction::member_timed_out: {
      auto x = tx.get_sanction(SanctionId{to_id(detail_field(e, "sanction"))});
      if (!x) return is(x.error(), errc::not_found) ? failure{errc::conflict} : failure{x.error()};
      if (x->revoked_at != 0 || (x->expires_at != 0 && x->expires_at <= now)) return errc::conflict;
      return {};
    }
    case AuditAction::member_banned: {
      auto ban = tx.get_ban(e.space, e.target_member);
      if (!ban)
        return is(ban.error(), errc::not_found) ? failure{errc::conflict} : failure{ban.error()};
      if (ban->expires_at != 0 && ban->expires_at <= now) return errc::conflict;
      return {};
    }
    default:
      return errc::invalid_argument;
  }
}

result<Page<ModerationRecord>> Engine::moderation_history(MemberId viewer, MemberId member,
                                                          const PageRequest& page, PostId post) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(before, detail::decode_cursor('e', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<ModerationRecord>> {
    HEARTH_CHECK(impl_->active_member(tx, viewer));
    if (viewer != member) return errc::forbidden;  // moderators read the audit log
    const Timestamp now = impl_->clock->now();
    std::vector<ModerationRecord> items;
    std::uint64_t from = before;
    bool more = true;
    std::size_t scanned = 0;
    while (more && items.size() <= limit && scanned < history_scan_budget) {
      const auto want = static_cast<std::uint32_t>(limit + 1 - items.size());
      HEARTH_TRY(batch, tx.list_audit_entries({.target_member = member}, from, want));
      more = batch.size() == want;
      scanned += batch.size();
      for (AuditEntry& e : batch) {
        from = e.id;
        if (!concerns_member(e.action) || (post && e.post != post)) continue;
        ModerationRecord r;
        HEARTH_TRY(appeal, tx.find_appeal(e.id));
        r.appeal = std::move(appeal);
        r.appealable = !r.appeal && impl_->appealable(tx, e, now).has_value();
        r.entry = std::move(e);
        items.push_back(std::move(r));
      }
    }
    if (more && items.size() <= limit) {  // the scan budget ran out first
      Page<ModerationRecord> out;
      out.items = std::move(items);
      out.next_cursor = detail::encode_cursor('e', from);
      return out;
    }
    return make_page(std::move(items), limit, 'e',
                     [](const ModerationRecord& r) { return r.entry.id; });
  });
}

result<ReviewItem> Engine::appeal(MemberId actor, std::uint64_t audit_entry,
                                  std::string_view statement) {
  HEARTH_TRY(clean, detail::clean_text(statement, statement_max, TextKind::multiline));
  return impl_->write([&](WriteContext& ctx) -> result<ReviewItem> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(found, entry_about(ctx.tx, actor, audit_entry));
    if (!found) return errc::not_found;  // none, or not about the appellant
    const AuditEntry& e = *found;
    HEARTH_TRY(earlier, ctx.tx.find_appeal(e.id));
    if (earlier) return errc::already_exists;  // once per action
    HEARTH_CHECK(impl_->appealable(ctx.tx, e, ctx.now));
    ReviewItem item;
    item.id = impl_->ids.next_as<ReviewItemId>();
    item.space = e.space;
    item.source = ReviewSource::appeal;
    item.target_member = actor;
    item.post = e.post;
    item.weight = 1;
    item.created_at = ctx.now;
    item.flag = std::move(clean);
    item.appeal_of = e.id;
    item.acted_by = e.actor;
    HEARTH_CHECK(ctx.tx.insert_review_item(item));
    HEARTH_CHECK(impl_->audit(ctx, {.space = e.space,
                                    .actor = actor,
                                    .action = AuditAction::appeal_filed,
                                    .target_member = actor,
                                    .post = e.post,
                                    .thread = e.thread,
                                    .detail = Payload().id("appeal_of", e.id).done()}));
    return item;
  });
}

result<ReviewItem> Engine::Impl::decide_appeal(WriteContext& ctx, MemberId actor, ReviewItem item,
                                               const ReviewDecision& d, const std::string& reason) {
  if (d.sanction || (d.action != ReviewAction::approve && d.action != ReviewAction::dismiss))
    return errc::invalid_argument;
  if (item.acted_by == actor) {
    // Another moderator decides, unless nobody ranks above the one who acted.
    HEARTH_TRY(st, standing(ctx.tx, item.space, actor));
    if (!st.owner) return errc::forbidden;
  }
  HEARTH_TRY(found, entry_about(ctx.tx, item.target_member, item.appeal_of));
  if (!found) return errc::internal;  // an appeal names an entry about its appellant
  const AuditEntry& e = *found;
  bool undone = false;
  if (d.action == ReviewAction::approve && appealable(ctx.tx, e, ctx.now)) {
    switch (e.action) {
      case AuditAction::post_removed:
      case AuditAction::review_decided: {
        HEARTH_CHECK(require_over(ctx.tx, item.space, actor, item.target_member,
                                  Permission::moderate_posts));
        HEARTH_TRY(p, ctx.tx.get_post(e.post));
        HEARTH_TRY(t, ctx.tx.get_thread(p.thread));
        HEARTH_CHECK(put_back(ctx, p, t, actor));
        undone = true;
        break;
      }
      case AuditAction::member_warned:
      case AuditAction::member_timed_out: {
        HEARTH_TRY(x, ctx.tx.get_sanction(SanctionId{to_id(detail_field(e, "sanction"))}));
        HEARTH_CHECK(may_sanction(ctx.tx, actor, x.space, x.member));
        HEARTH_TRY(revoked, revoke_in(ctx, actor, std::move(x), "appeal upheld"));
        undone = revoked;
        break;
      }
      case AuditAction::member_banned: {
        HEARTH_CHECK(
            require_over(ctx.tx, e.space, actor, e.target_member, Permission::sanction_members));
        HEARTH_CHECK(ctx.tx.delete_ban(e.space, e.target_member));
        HEARTH_CHECK(ctx.emit(EventType::member_unbanned, e.space, actor,
                              membership_payload(e.space, e.target_member)));
        undone = true;
        break;
      }
      default:
        break;
    }
  }
  item.decided = true;
  item.decision = d.action;
  item.decided_by = actor;
  item.reason = reason;
  item.decided_at = ctx.now;
  HEARTH_CHECK(ctx.tx.update_review_item(item));
  Notification n;
  n.recipient = item.target_member;
  n.kind = NotificationKind::appeal_decided;
  n.space = item.space;
  n.post = item.post;
  HEARTH_CHECK(notify(ctx, std::move(n)));
  HEARTH_CHECK(audit(ctx, {.space = item.space,
                           .actor = actor,
                           .action = AuditAction::review_decided,
                           .target_member = item.target_member,
                           .post = item.post,
                           .reason = reason,
                           .detail = Payload()
                                         .str("decision", to_string(d.action))
                                         .id("appeal_of", item.appeal_of)
                                         .boolean("undone", undone)
                                         .done()}));
  return item;
}

}  // namespace hearth
