#include <algorithm>
#include <limits>
#include <map>

#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using Access = Engine::Impl::Access;

std::string notification_payload(const Notification& n, NotificationId replaces) {
  // `recipient` comes first: Engine::Impl::may_receive reads it from there.
  return Payload()
      .id("recipient", n.recipient.value)
      .id("notification", n.id.value)
      .str("kind", to_string(n.kind))
      .id("space", n.space.value)
      .id("thread", n.thread.value)
      .id("post", n.post.value)
      .id("actor", n.actor.value)
      .num("count", n.count)
      .id("replaces", replaces.value)
      .done();
}

// Where a membership stored without Membership::read_from starts reading: the first id of the
// millisecond it began, so that what came after it is new.
PostId marker_of_join(Timestamp joined_at) {
  if (joined_at <= id_epoch) return PostId{};
  return PostId{static_cast<std::uint64_t>(joined_at - id_epoch)
                << (id_node_bits + id_sequence_bits)};
}

}  // namespace

result<bool> Engine::Impl::can_read(Transaction& tx, SpaceId space, MemberId who) {
  auto r = access(tx, space, who, Access::read);
  if (r) return true;
  if (is(r.error(), errc::forbidden) || is(r.error(), errc::not_found)) return false;
  return failure{r.error()};
}

result<bool> Engine::Impl::may_notify(Transaction& tx, SpaceId space, MemberId recipient,
                                      MemberId actor) {
  if (!recipient || recipient == actor) return false;
  auto m = tx.get_member(recipient);
  HEARTH_TRY(exists, found(m));
  if (!exists || !m->active) return false;
  // When members can block each other, a recipient who blocked the actor is left out here.
  return can_read(tx, space, recipient);
}

result<void> Engine::Impl::notify(WriteContext& ctx, Notification n,
                                  std::string_view reaction_kind) {
  n.id = ids.next_as<NotificationId>();
  n.created_at = n.updated_at = ctx.now;
  n.count = 1;
  n.read = false;
  NotificationId replaces;
  if (n.kind == NotificationKind::reaction) {
    auto open = ctx.tx.find_reaction_notification(n.recipient, n.post);
    HEARTH_TRY(aggregate, found(open));
    if (aggregate) {
      // Counted already if they were its latest actor, or gave the post another kind of
      // reaction since it began.
      bool counted = open->actor == n.actor;
      if (!counted) {
        HEARTH_TRY(theirs, ctx.tx.list_member_reactions(n.post, n.actor));
        for (const Reaction& r : theirs)
          counted = counted || (r.kind != reaction_kind && r.at >= open->created_at);
      }
      replaces = open->id;
      Notification bumped = std::move(*open);
      bumped.id = n.id;
      bumped.actor = n.actor;
      bumped.updated_at = ctx.now;
      if (!counted) ++bumped.count;
      HEARTH_CHECK(ctx.tx.update_notification(replaces, bumped));
      n = std::move(bumped);
    }
  }
  if (!replaces) HEARTH_CHECK(ctx.tx.insert_notification(n));
  return ctx.emit(EventType::notification, n.space, n.actor, notification_payload(n, replaces));
}

result<Page<Notification>> Engine::list_notifications(MemberId actor, const PageRequest& page,
                                                      bool unread_only) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(before, detail::decode_cursor('i', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Notification>> {
    HEARTH_CHECK(impl_->active_member(tx, actor));
    std::vector<Notification> items;
    NotificationId from{before};
    // Those about spaces the actor cannot read are skipped: fetch on until the page is full.
    for (bool more = true; more && items.size() <= limit;) {
      const auto want = static_cast<std::uint32_t>(limit + 1 - items.size());
      HEARTH_TRY(batch, tx.list_notifications(actor, from, unread_only, want));
      more = batch.size() == want;
      for (Notification& n : batch) {
        from = n.id;
        HEARTH_TRY(readable, impl_->can_read(tx, n.space, actor));
        if (readable) items.push_back(std::move(n));
      }
    }
    return make_page(std::move(items), limit, 'i',
                     [](const Notification& n) { return n.id.value; });
  });
}

result<std::uint32_t> Engine::mark_notifications_read(MemberId actor, NotificationId up_to) {
  return impl_->write([&](WriteContext& ctx) -> result<std::uint32_t> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    const NotificationId bound =
        up_to ? up_to : NotificationId{std::numeric_limits<std::uint64_t>::max()};
    return ctx.tx.mark_notifications_read(actor, bound);
  });
}

result<bool> Engine::mark_notification_read(MemberId actor, NotificationId id) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    auto n = ctx.tx.get_notification(actor, id);
    HEARTH_TRY(exists, found(n));
    if (!exists) return errc::not_found;  // another's: not even that
    if (n->read) return false;
    n->read = true;
    HEARTH_CHECK(ctx.tx.update_notification(id, *n));
    return true;
  });
}

result<bool> Engine::mark_space_read(MemberId actor, SpaceId space, PostId up_to) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(st, impl_->access(ctx.tx, space, actor, Access::read));
    if (!st.member) return errc::forbidden;
    PostId mark = up_to;
    if (up_to) {
      auto p = ctx.tx.get_post(up_to);
      HEARTH_TRY(exists, found(p));
      if (!exists || p->space != space) return errc::invalid_argument;
    } else {
      mark = impl_->ids.next_as<PostId>();  // above every post committed so far
    }
    auto old = ctx.tx.get_read_marker(space, actor);
    HEARTH_TRY(had, found(old));
    if (had && old->last_read >= mark) return false;
    HEARTH_CHECK(ctx.tx.put_read_marker({space, actor, mark, ctx.now}));
    return true;
  });
}

result<UnreadCounts> Engine::unread_counts(MemberId actor) {
  const std::uint32_t cap = impl_->options.limits.unread_posts_cap;
  return impl_->read([&](Transaction& tx) -> result<UnreadCounts> {
    HEARTH_CHECK(impl_->active_member(tx, actor));
    HEARTH_TRY(markers, tx.list_read_markers(actor));
    std::map<std::uint64_t, PostId> marker_of;
    for (const ReadMarker& m : markers) marker_of[m.space.value] = m.last_read;
    std::map<std::uint64_t, SpaceUnread> spaces;
    constexpr std::uint32_t batch = 256;
    for (SpaceId after;;) {
      HEARTH_TRY(memberships, tx.list_member_spaces(actor, after, batch));
      for (const Membership& m : memberships) {
        after = m.space;
        HEARTH_TRY(readable, impl_->can_read(tx, m.space, actor));
        if (!readable) continue;
        auto it = marker_of.find(m.space.value);
        // A marker from an earlier membership (they left and came back) is older than the
        // time of joining again.
        const PostId joined = m.read_from ? m.read_from : marker_of_join(m.joined_at);
        const PostId since = it != marker_of.end() ? std::max(it->second, joined) : joined;
        // One past the cap tells "more" from "exactly the cap".
        const std::uint32_t probe =
            cap == std::numeric_limits<std::uint32_t>::max() ? cap : cap + 1;
        HEARTH_TRY(n, tx.count_posts_after(m.space, since, actor, probe));
        if (n == 0) continue;
        SpaceUnread& su = spaces[m.space.value];
        su.space = m.space;
        su.posts = n > cap ? cap : n;
        su.more_posts = n > cap;
      }
      if (memberships.size() < batch) break;
    }
    UnreadCounts out;
    HEARTH_TRY(notes, tx.count_unread_notifications(actor));
    for (const auto& [space, count] : notes) {
      HEARTH_TRY(readable, impl_->can_read(tx, space, actor));
      if (!readable) continue;
      SpaceUnread& su = spaces[space.value];
      su.space = space;
      su.notifications = count;
      out.notifications += count;
    }
    out.spaces.reserve(spaces.size());
    for (auto& [id, su] : spaces) out.spaces.push_back(su);
    return out;
  });
}

}  // namespace hearth
