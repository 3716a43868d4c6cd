// Thread states (pinned, locked, archived), moving threads, and accepted answers.
#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using Access = Engine::Impl::Access;

std::string state_payload(const Thread& t) {
  return Payload()
      .id("thread", t.id.value)
      .id("space", t.space.value)
      .boolean("pinned", t.pinned)
      .boolean("locked", t.locked)
      .boolean("archived", t.archived)
      .done();
}

enum class Flag : std::uint8_t { pinned, locked, archived };

AuditAction flag_action(Flag flag, bool on) {
  switch (flag) {
    case Flag::pinned:
      return on ? AuditAction::thread_pinned : AuditAction::thread_unpinned;
    case Flag::locked:
      return on ? AuditAction::thread_locked : AuditAction::thread_unlocked;
    case Flag::archived:
      break;
  }
  return on ? AuditAction::thread_archived : AuditAction::thread_unarchived;
}

// Sets one state flag of a thread, with `needed` in its space. Returns the thread; a no-op
// (already in that state) changes nothing and emits nothing.
result<Thread> set_flag(Engine::Impl& impl, MemberId actor, ThreadId thread, Flag flag, bool on,
                        Permission needed) {
  return impl.write([&](WriteContext& ctx) -> result<Thread> {
    HEARTH_CHECK(impl.active_member(ctx.tx, actor));
    HEARTH_TRY(t, ctx.tx.get_thread(thread));
    HEARTH_CHECK(impl.require(ctx.tx, t.space, actor, needed));
    if (t.deleted) return errc::gone;
    bool& field = flag == Flag::pinned ? t.pinned : flag == Flag::locked ? t.locked : t.archived;
    if (field == on) return t;
    field = on;
    HEARTH_CHECK(ctx.tx.update_thread(t));
    HEARTH_CHECK(ctx.emit(EventType::thread_updated, t.space, actor, state_payload(t)));
    HEARTH_CHECK(impl.audit(ctx, {.space = t.space,
                                  .actor = actor,
                                  .action = flag_action(flag, on),
                                  .target_member = t.author,
                                  .thread = t.id}));
    return t;
  });
}

}  // namespace

result<Thread> Engine::pin_thread(MemberId actor, ThreadId thread, bool pinned) {
  return set_flag(*impl_, actor, thread, Flag::pinned, pinned, Permission::pin);
}

result<Thread> Engine::lock_thread(MemberId actor, ThreadId thread, bool locked) {
  return set_flag(*impl_, actor, thread, Flag::locked, locked, Permission::lock);
}

result<Thread> Engine::archive_thread(MemberId actor, ThreadId thread, bool archived) {
  return set_flag(*impl_, actor, thread, Flag::archived, archived, Permission::lock);
}

result<Thread> Engine::set_thread_tags(MemberId actor, ThreadId thread,
                                       const std::vector<std::string>& tags) {
  return impl_->write([&](WriteContext& ctx) -> result<Thread> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(t, ctx.tx.get_thread(thread));
    HEARTH_TRY(st, impl_->access(ctx.tx, t.space, actor, Access::read));
    const bool author = t.author == actor && st.perms.has(Permission::edit_own);
    if (!author && !st.perms.has(Permission::moderate_posts)) return errc::forbidden;
    if (t.deleted) return errc::gone;
    if (t.archived) return errc::conflict;
    HEARTH_TRY(s, ctx.tx.get_space(t.space));
    HEARTH_TRY(clean, Impl::thread_tags(s, tags, impl_->options.limits.thread_tags_max));
    if (clean == t.tags) return t;
    t.tags = std::move(clean);
    HEARTH_CHECK(ctx.tx.update_thread(t));
    auto payload = Payload().id("thread", t.id.value).id("space", t.space.value);
    payload.strs("tags", t.tags);
    HEARTH_CHECK(ctx.emit(EventType::thread_tagged, t.space, actor, payload.done()));
    return t;
  });
}

result<Thread> Engine::move_thread(MemberId actor, ThreadId thread, SpaceId to) {
  return impl_->write([&](WriteContext& ctx) -> result<Thread> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(t, ctx.tx.get_thread(thread));
    HEARTH_CHECK(impl_->require(ctx.tx, t.space, actor, Permission::moderate_posts));
    HEARTH_TRY(target, ctx.tx.get_space(to));
    HEARTH_CHECK(impl_->require(ctx.tx, to, actor, Permission::moderate_posts));
    if (t.deleted) return errc::gone;
    if (t.space == to) return t;
    HEARTH_TRY(source, ctx.tx.get_space(t.space));
    const SpaceId from = t.space;
    t.space = to;
    HEARTH_CHECK(ctx.tx.update_thread(t));
    HEARTH_CHECK(ctx.tx.move_posts(t.id, to));
    if (source.thread_count > 0) --source.thread_count;
    ++target.thread_count;
    HEARTH_CHECK(ctx.tx.update_space(source));
    HEARTH_CHECK(ctx.tx.update_space(target));
    auto payload = Payload().id("thread", t.id.value).id("from", from.value).id("to", to.value);
    HEARTH_CHECK(ctx.emit(EventType::thread_moved, to, actor, payload.done()));
    HEARTH_CHECK(
        impl_->audit(ctx, {.space = to,
                           .actor = actor,
                           .action = AuditAction::thread_moved,
                           .target_member = t.author,
                           .thread = t.id,
                           .detail = Payload().id("from", from.value).id("to", to.value).done()}));
    return t;
  });
}

result<Thread> Engine::accept_answer(MemberId actor, ThreadId thread, PostId answer) {
  return impl_->write([&](WriteContext& ctx) -> result<Thread> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(t, ctx.tx.get_thread(thread));
    HEARTH_TRY(st, impl_->access(ctx.tx, t.space, actor, Access::read));
    if (t.author != actor && !st.perms.has(Permission::moderate_posts)) return errc::forbidden;
    if (t.kind != ThreadKind::question) return errc::invalid_argument;
    if (t.deleted) return errc::gone;
    if (t.archived) return errc::conflict;
    bool by_peer = false;
    bool notify_author = false;  // of the accepted reply
    MemberId answerer;
    std::optional<Post> accepted;
    if (answer) {
      HEARTH_TRY(p, ctx.tx.get_post(answer));
      accepted = p;
      if (p.thread != t.id || p.id == t.first_post) return errc::invalid_argument;
      if (p.deleted || p.removed) return errc::gone;
      // A peer: neither the asker nor staff (those who moderate posts there).
      HEARTH_TRY(author, impl_->standing(ctx.tx, t.space, p.author));
      by_peer = p.author != t.author && !author.perms.has(Permission::moderate_posts);
      answerer = p.author;
      if (p.author != t.author) {  // the asker's own reply, accepted by anyone, tells no one
        HEARTH_TRY(may, impl_->may_notify(ctx.tx, t.space, p.author, actor));
        notify_author = may;
      }
    }
    if (t.accepted_answer == answer) return t;
    const PostId previous = t.accepted_answer;
    t.accepted_answer = answer;
    t.answered_by_peer = by_peer;
    HEARTH_CHECK(ctx.tx.update_thread(t));
    auto payload = Payload()
                       .id("thread", t.id.value)
                       .id("post", answer.value)
                       .boolean("answered_by_peer", by_peer);
    HEARTH_CHECK(ctx.emit(EventType::answer_accepted, t.space, actor, payload.done()));
    if (notify_author)
      HEARTH_CHECK(impl_->notify(
          ctx, {{}, answerer, NotificationKind::answer_accepted, t.space, t.id, answer, actor}));
    HEARTH_CHECK(impl_->reputation_accepted(ctx, t, actor, accepted ? &*accepted : nullptr));
    HEARTH_CHECK(impl_->badges_accepted(ctx, t, previous, accepted ? &*accepted : nullptr, actor));
    return t;
  });
}

}  // namespace hearth
