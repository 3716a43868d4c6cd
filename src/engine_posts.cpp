#include <algorithm>

#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using detail::TextKind;
using moderation::WordAction;
using Access = Engine::Impl::Access;

// The fields of a post event; `title` is added for a thread's first post when it is new or
// changed; `mentions`, the members it newly @mentions who may read it.
std::string post_payload(const Post& p, const std::vector<std::uint64_t>& mentions,
                         const std::string* title = nullptr) {
  auto payload = Payload()
                     .id("post", p.id.value)
                     .id("thread", p.thread.value)
                     .id("space", p.space.value)
                     .id("author", p.author.value)
                     .id("reply_to", p.reply_to.value)
                     .num("revision", p.revision);
  if (title) payload.str("title", *title);
  payload.ids("mentions", mentions);
  return payload.done();
}

std::string reaction_payload(const Post& p, MemberId member, std::string_view kind) {
  auto payload = Payload()
                     .id("post", p.id.value)
                     .id("thread", p.thread.value)
                     .id("author", p.author.value)
                     .id("member", member.value)
                     .str("kind", kind);
  return payload.done();
}

// A `mention` notification to each member `mentioned` names (mentions() chose them).
result<void> notify_mentions(Engine::Impl& engine, WriteContext& ctx, const Post& p,
                             const std::vector<std::uint64_t>& mentioned) {
  for (const std::uint64_t who : mentioned)
    HEARTH_CHECK(engine.notify(
        ctx, {{}, MemberId{who}, NotificationKind::mention, p.space, p.thread, p.id, p.author}));
  return {};
}

struct PostInThread {
  Post post;
  Thread thread;
};

// The post its author changes: theirs, with permission `p` (edit_own, delete_own) in its space
// (forbidden), not deleted, in a thread not deleted (gone) nor archived (conflict).
result<PostInThread> own_live_post(Engine::Impl& engine, Transaction& tx, MemberId actor, PostId id,
                                   Permission needed) {
  HEARTH_CHECK(engine.active_member(tx, actor));
  HEARTH_TRY(p, tx.get_post(id));
  HEARTH_TRY(t, tx.get_thread(p.thread));
  HEARTH_TRY(st, engine.access(tx, t.space, actor, Engine::Impl::Access::read));
  if (p.author != actor || !st.perms.has(needed)) return errc::forbidden;
  if (needed == Permission::edit_own)
    HEARTH_CHECK(Engine::Impl::not_timed_out(st, engine.clock->now()));
  if (p.deleted || p.removed || t.deleted) return errc::gone;
  if (t.archived) return errc::conflict;
  return PostInThread{std::move(p), std::move(t)};
}

// A deleted or removed post as readers see it: its place in the thread, not its text (which
// moderators still see in a removed post, to review it).
Post tombstone(Post p, bool moderator = false) {
  if (p.deleted || (p.removed && !moderator)) {
    p.body.clear();
    p.reactions.clear();
  }
  return p;
}

// A thread whose first post is deleted or removed leaves its space's listing (a removed one
// comes back on restore).
result<void> set_thread_hidden(WriteContext& ctx, Thread& t, bool hidden) {
  t.deleted = hidden;
  HEARTH_CHECK(ctx.tx.update_thread(t));
  HEARTH_TRY(s, ctx.tx.get_space(t.space));
  if (hidden && s.thread_count > 0) --s.thread_count;
  if (!hidden) ++s.thread_count;
  return ctx.tx.update_space(s);
}

}  // namespace

result<bool> Engine::Impl::held_for_review(Transaction& tx, const Standing& st, MemberId author) {
  const std::uint32_t reviewed = options.trust.first_posts_reviewed;
  if (reviewed == 0 || st.rank > builtin::member_rank) return false;
  HEARTH_TRY(a, activity_of(tx, author));
  return a.level == 0 && std::uint64_t{a.threads_created} + a.replies < reviewed;
}

result<void> Engine::Impl::publish(WriteContext& ctx, Post& p, Thread& t,
                                   std::vector<std::uint64_t> mentioned, Space* space,
                                   const Post* parent) {
  const MemberId author = p.author;
  if (t.first_post == p.id) {
    Space loaded;
    if (!space) {
      HEARTH_TRY(s, ctx.tx.get_space(p.space));
      loaded = std::move(s);
      space = &loaded;
    }
    ++space->thread_count;
    HEARTH_CHECK(ctx.tx.update_space(*space));
    HEARTH_CHECK(
        ctx.emit(EventType::thread_created, p.space, author, post_payload(p, mentioned, &t.title)));
    HEARTH_CHECK(notify_mentions(*this, ctx, p, mentioned));
    HEARTH_CHECK(note_activity(ctx, author, {}, author, 1));
    return {};
  }
  if (p.id > t.last_post) t.last_post = p.id;
  t.last_activity_at = ctx.now;
  ++t.reply_count;
  HEARTH_CHECK(ctx.tx.update_thread(t));
  HEARTH_CHECK(ctx.emit(EventType::reply_created, t.space, author, post_payload(p, mentioned)));
  Post loaded;
  if (!parent) {
    HEARTH_TRY(got, ctx.tx.get_post(p.reply_to));
    loaded = std::move(got);
    parent = &loaded;
  }
  if (!parent->deleted && !parent->removed) {
    HEARTH_TRY(notify_parent, may_notify(ctx.tx, t.space, parent->author, author));
    if (notify_parent) {
      HEARTH_CHECK(notify(
          ctx, {{}, parent->author, NotificationKind::reply, p.space, p.thread, p.id, author}));
      // The reply notification tells them already.
      std::erase(mentioned, parent->author.value);
    }
  }
  HEARTH_CHECK(notify_mentions(*this, ctx, p, mentioned));
  HEARTH_CHECK(note_activity(ctx, author, {.replies = 1}, author));
  return {};
}

result<Engine::NewThread> Engine::create_thread(MemberId actor, SpaceId space,
                                                std::string_view title, std::string_view body,
                                                ThreadKind kind,
                                                const std::vector<std::string>& tags) {
  const Limits& limits = impl_->options.limits;
  if (to_string(kind) == "unknown") return errc::invalid_argument;
  HEARTH_TRY(clean_title, detail::clean_text(title, limits.title_max, TextKind::line));
  HEARTH_TRY(clean_body, detail::clean_text(body, limits.body_max, TextKind::multiline));
  std::optional<Impl::Classified> classified;
  if (impl_->options.classifier) {
    // The classifier may take a while: it runs before the write, after a read that makes the
    // write's first checks (so a post refused anyway is not classified) and spares the owner.
    HEARTH_TRY(owner, impl_->read([&](Transaction& tx) -> result<bool> {
      HEARTH_CHECK(impl_->active_member(tx, actor));
      HEARTH_CHECK(tx.get_space(space));
      HEARTH_TRY(st, impl_->require(tx, space, actor, Permission::post_threads));
      HEARTH_CHECK(Impl::not_timed_out(st, impl_->clock->now()));
      return st.owner;
    }));
    if (!owner) classified = impl_->classify({space, actor, PostId{}, clean_title, clean_body});
  }
  return impl_->write([&](WriteContext& ctx) -> result<NewThread> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(s, ctx.tx.get_space(space));
    HEARTH_TRY(st, impl_->require(ctx.tx, space, actor, Permission::post_threads));
    HEARTH_CHECK(Impl::not_timed_out(st, ctx.now));
    if (kind == ThreadKind::announcement && !st.perms.has(Permission::announce))
      return errc::forbidden;
    HEARTH_CHECK(impl_->check_links(ctx.tx, st, actor, clean_title));
    HEARTH_CHECK(impl_->check_links(ctx.tx, st, actor, clean_body));
    HEARTH_TRY(mentioned, impl_->mentions(ctx.tx, space, actor, st.perms, clean_body));
    HEARTH_TRY(clean_tags, Impl::thread_tags(s, tags, impl_->options.limits.thread_tags_max));
    HEARTH_TRY(verdict, impl_->automod(ctx, space, actor, st, &clean_title, clean_body, true,
                                       classified ? &*classified : nullptr));
    if (verdict.action == WordAction::block) {
      HEARTH_CHECK(impl_->automod_blocked(ctx, verdict, space, actor, ThreadId{}, PostId{}));
      return NewThread{};
    }
    NewThread out;
    Thread& t = out.thread;
    Post& p = out.first_post;
    t.id = impl_->ids.next_as<ThreadId>();
    p.id = impl_->ids.next_as<PostId>();
    t.space = p.space = space;
    t.author = p.author = actor;
    t.title = std::move(clean_title);
    t.kind = kind;
    t.tags = std::move(clean_tags);
    t.first_post = t.last_post = p.id;
    t.created_at = t.last_activity_at = p.created_at = ctx.now;
    p.thread = t.id;
    p.body = std::move(clean_body);
    HEARTH_TRY(hold, impl_->hold_of(ctx.tx, st, actor, verdict));
    if (hold) {
      t.deleted = true;  // out of listings until approved
      p.removed = true;
      p.removal_reason = hold->reason;
    }
    HEARTH_CHECK(ctx.tx.insert_thread(t));
    HEARTH_CHECK(ctx.tx.insert_post(p));
    HEARTH_CHECK(index_post(ctx.tx, p, t.title));
    if (hold) {
      HEARTH_CHECK(impl_->hold_for_review(ctx, p, *hold));
    } else {
      HEARTH_CHECK(impl_->publish(ctx, p, t, std::move(mentioned), &s));
    }
    HEARTH_CHECK(impl_->automod_applied(ctx, verdict, p, hold.has_value()));
    impl_->automod_posted(ctx, verdict, actor, space);
    return out;
  });
}

result<Post> Engine::reply(MemberId actor, PostId reply_to, std::string_view body) {
  HEARTH_TRY(clean_body,
             detail::clean_text(body, impl_->options.limits.body_max, TextKind::multiline));
  std::optional<Impl::Classified> classified;
  if (impl_->options.classifier) {
    // As in create_thread: classified before the write, after the write's first checks.
    HEARTH_TRY(at, impl_->read([&](Transaction& tx) -> result<std::optional<SpaceId>> {
      HEARTH_CHECK(impl_->active_member(tx, actor));
      HEARTH_TRY(parent, tx.get_post(reply_to));
      HEARTH_TRY(t, tx.get_thread(parent.thread));
      HEARTH_TRY(st, impl_->access(tx, t.space, actor, Access::read));
      if (t.deleted) return errc::gone;
      if (!st.perms.has(Permission::reply)) return errc::forbidden;
      HEARTH_CHECK(Impl::not_timed_out(st, impl_->clock->now()));
      if (t.archived || (t.locked && !st.perms.has(Permission::lock))) return errc::conflict;
      if (st.owner) return std::optional<SpaceId>{};
      return std::optional{t.space};
    }));
    if (at) classified = impl_->classify({*at, actor, PostId{}, {}, clean_body});
  }
  return impl_->write([&](WriteContext& ctx) -> result<Post> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(parent, ctx.tx.get_post(reply_to));
    HEARTH_TRY(t, ctx.tx.get_thread(parent.thread));
    HEARTH_TRY(st, impl_->access(ctx.tx, t.space, actor, Access::read));
    if (t.deleted) return errc::gone;
    if (!st.perms.has(Permission::reply)) return errc::forbidden;
    HEARTH_CHECK(Impl::not_timed_out(st, ctx.now));
    if (t.archived || (t.locked && !st.perms.has(Permission::lock))) return errc::conflict;
    HEARTH_TRY(posted_before, ctx.tx.has_posted(t.id, actor));
    HEARTH_CHECK(impl_->check_links(ctx.tx, st, actor, clean_body));
    HEARTH_TRY(mentioned, impl_->mentions(ctx.tx, t.space, actor, st.perms, clean_body));
    HEARTH_TRY(verdict, impl_->automod(ctx, t.space, actor, st, nullptr, clean_body, true,
                                       classified ? &*classified : nullptr));
    if (verdict.action == WordAction::block) {
      HEARTH_CHECK(impl_->automod_blocked(ctx, verdict, t.space, actor, t.id, PostId{}));
      return Post{};
    }
    HEARTH_TRY(hold, impl_->hold_of(ctx.tx, st, actor, verdict));
    const bool held = hold.has_value();
    Post p;
    p.id = impl_->ids.next_as<PostId>();
    p.thread = t.id;
    p.space = t.space;
    p.author = actor;
    p.reply_to = reply_to;
    p.body = std::move(clean_body);
    p.created_at = ctx.now;
    if (held) {
      p.removed = true;
      p.removal_reason = hold->reason;
    }
    HEARTH_CHECK(ctx.tx.insert_post(p));
    HEARTH_CHECK(index_post(ctx.tx, p, {}));
    if (!posted_before) {
      ++t.participant_count;
      if (held) HEARTH_CHECK(ctx.tx.update_thread(t));
    }
    if (held) {
      HEARTH_CHECK(impl_->hold_for_review(ctx, p, *hold));
    } else {
      HEARTH_CHECK(impl_->publish(ctx, p, t, std::move(mentioned), nullptr, &parent));
    }
    HEARTH_CHECK(impl_->automod_applied(ctx, verdict, p, held));
    impl_->automod_posted(ctx, verdict, actor, t.space);
    return p;
  });
}

result<Thread> Engine::get_thread(MemberId viewer, ThreadId id) {
  return impl_->read([&](Transaction& tx) -> result<Thread> {
    HEARTH_TRY(t, tx.get_thread(id));
    HEARTH_CHECK(impl_->check_read(tx, t.space, viewer));
    return t;
  });
}

result<Post> Engine::get_post(MemberId viewer, PostId id) {
  return impl_->read([&](Transaction& tx) -> result<Post> {
    HEARTH_TRY(p, tx.get_post(id));
    HEARTH_TRY(st, impl_->access(tx, p.space, viewer, Access::read));
    return tombstone(std::move(p), st.perms.has(Permission::moderate_posts));
  });
}

result<Page<Post>> Engine::get_thread_page(MemberId viewer, ThreadId thread,
                                           const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor('p', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Post>> {
    HEARTH_TRY(t, tx.get_thread(thread));
    HEARTH_TRY(st, impl_->access(tx, t.space, viewer, Access::read));
    const bool moderator = st.perms.has(Permission::moderate_posts);
    HEARTH_TRY(posts, tx.list_posts(thread, PostId{after}, limit + 1));
    for (Post& p : posts)
      if (p.deleted || p.removed) p = tombstone(std::move(p), moderator);
    return make_page(std::move(posts), limit, 'p', [](const Post& p) { return p.id.value; });
  });
}

result<Page<Thread>> Engine::list_threads(MemberId viewer, SpaceId space, const PageRequest& page,
                                          const ThreadFilter& filter) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  std::string tag;
  if (!filter.tag.empty()) {
    HEARTH_TRY(clean, Impl::clean_tags({filter.tag}, 1));
    tag = std::move(clean.front());
  }
  // Two runs: the pinned threads ("n." cursors), then the others ("t." cursors).
  const bool in_pinned = page.cursor.empty() || page.cursor[0] == 'n';
  HEARTH_TRY(before, detail::decode_cursor(in_pinned ? 'n' : 't', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Thread>> {
    HEARTH_CHECK(impl_->check_read(tx, space, viewer));
    HEARTH_TRY(items, tx.list_threads(space, {filter.unanswered_only, tag},
                                      {in_pinned, PostId{before}}, limit + 1));
    Page<Thread> out;
    if (items.size() > limit) {
      items.resize(limit);
      const Thread& last = items.back();
      out.next_cursor = detail::encode_cursor(last.pinned ? 'n' : 't', last.last_post.value);
    }
    out.items = std::move(items);
    return out;
  });
}

result<Post> Engine::edit_post(MemberId actor, PostId post, std::string_view body,
                               std::optional<std::string_view> title) {
  const Limits& limits = impl_->options.limits;
  HEARTH_TRY(clean_body, detail::clean_text(body, limits.body_max, TextKind::multiline));
  std::optional<std::string> clean_title;
  if (title) {
    HEARTH_TRY(ct, detail::clean_text(*title, limits.title_max, TextKind::line));
    clean_title = std::move(ct);
  }
  std::optional<Impl::Classified> classified;
  if (impl_->options.classifier) {
    // As in create_thread: classified before the write, after the write's first checks; an
    // edit that changes nothing is not classified.
    using Input = moderation::ClassifierInput;
    HEARTH_TRY(input, impl_->read([&](Transaction& tx) -> result<std::optional<Input>> {
      HEARTH_TRY(target, own_live_post(*impl_, tx, actor, post, Permission::edit_own));
      auto& [p, t] = target;
      const std::int64_t window = impl_->options.edit_window_ms;
      if (window > 0 && impl_->clock->now() - p.created_at > window) return errc::forbidden;
      const bool first = t.first_post == p.id;
      if (clean_title && !first) return errc::invalid_argument;
      const bool title_changes = clean_title && *clean_title != t.title;
      if (!title_changes && clean_body == p.body) return std::optional<Input>{};
      HEARTH_TRY(st, impl_->standing(tx, p.space, actor));
      if (st.owner) return std::optional<Input>{};
      std::string heading = first ? (clean_title ? *clean_title : t.title) : std::string();
      return std::optional{Input{p.space, actor, p.id, std::move(heading), clean_body, true}};
    }));
    if (input) classified = impl_->classify(std::move(*input));
  }
  return impl_->write([&](WriteContext& ctx) -> result<Post> {
    HEARTH_TRY(target, own_live_post(*impl_, ctx.tx, actor, post, Permission::edit_own));
    auto& [p, t] = target;
    const std::int64_t window = impl_->options.edit_window_ms;
    if (window > 0 && ctx.now - p.created_at > window) return errc::forbidden;
    const bool first = t.first_post == p.id;
    if (clean_title && !first) return errc::invalid_argument;
    const bool title_changes = clean_title && *clean_title != t.title;
    if (!title_changes && clean_body == p.body) return tombstone(std::move(p));  // nothing to keep
    HEARTH_TRY(st, impl_->standing(ctx.tx, p.space, actor));
    if (clean_title) HEARTH_CHECK(impl_->check_links(ctx.tx, st, actor, *clean_title));
    HEARTH_CHECK(impl_->check_links(ctx.tx, st, actor, clean_body));
    HEARTH_TRY(mentioned, impl_->mentions(ctx.tx, p.space, actor, st.perms, clean_body, p.body));
    HEARTH_TRY(verdict,
               impl_->automod(ctx, p.space, actor, st, clean_title ? &*clean_title : nullptr,
                              clean_body, false, classified ? &*classified : nullptr));
    if (verdict.action == WordAction::block) {
      HEARTH_CHECK(impl_->automod_blocked(ctx, verdict, p.space, actor, t.id, p.id));
      return Post{};
    }
    Revision former{p.id,   p.revision, first ? t.title : std::string(),
                    p.body, p.author,   p.edited_at ? p.edited_at : p.created_at};
    HEARTH_CHECK(ctx.tx.insert_revision(former));
    HEARTH_CHECK(unindex_post(ctx.tx, p.id, former.title, former.body));
    p.body = std::move(clean_body);
    ++p.revision;
    p.edited_at = ctx.now;
    HEARTH_CHECK(ctx.tx.update_post(p));
    if (title_changes) {
      t.title = std::move(*clean_title);
      HEARTH_CHECK(ctx.tx.update_thread(t));
    }
    HEARTH_CHECK(index_post(ctx.tx, p, first ? std::string_view(t.title) : std::string_view()));
    HEARTH_CHECK(ctx.emit(EventType::post_edited, p.space, actor,
                          post_payload(p, mentioned, title_changes ? &t.title : nullptr)));
    if (verdict.action == WordAction::require_approval) {
      // The edited post waits for a moderator: hidden as reports hide it, and queued.
      const Impl::Hold hold = Impl::automod_hold(verdict);
      HEARTH_CHECK(impl_->take_down(ctx, p, t, MemberId{}, hold.reason, false));
      HEARTH_CHECK(impl_->hold_for_review(ctx, p, hold));
      HEARTH_CHECK(impl_->automod_applied(ctx, verdict, p, true));
      return tombstone(std::move(p));
    }
    HEARTH_CHECK(notify_mentions(*impl_, ctx, p, mentioned));
    HEARTH_CHECK(impl_->automod_applied(ctx, verdict, p, false));
    return p;
  });
}

result<std::vector<Revision>> Engine::list_revisions(MemberId viewer, PostId post) {
  return impl_->read([&](Transaction& tx) -> result<std::vector<Revision>> {
    HEARTH_TRY(p, tx.get_post(post));
    HEARTH_TRY(st, impl_->access(tx, p.space, viewer, Access::read));
    if (!viewer || (p.author != viewer && !st.perms.has(Permission::moderate_posts)))
      return errc::forbidden;
    return tx.list_revisions(post);
  });
}

result<void> Engine::delete_post(MemberId actor, PostId post) {
  return impl_->write([&](WriteContext& ctx) -> result<void> {
    HEARTH_TRY(target, own_live_post(*impl_, ctx.tx, actor, post, Permission::delete_own));
    auto& [p, t] = target;
    p.deleted = true;
    HEARTH_CHECK(ctx.tx.update_post(p));
    const bool first = t.first_post == p.id;
    if (first) HEARTH_CHECK(set_thread_hidden(ctx, t, true));
    auto payload = Payload()
                       .id("post", p.id.value)
                       .id("thread", p.thread.value)
                       .boolean("thread_deleted", first);
    HEARTH_CHECK(ctx.emit(EventType::post_deleted, p.space, actor, payload.done()));
    return impl_->reputation_withdrawn(ctx, p, t, actor, false);
  });
}

namespace {

// The post a member reacts to, if they may: active, holding react there, post and thread alive.
result<PostInThread> reaction_target(Engine::Impl& engine, Transaction& tx, MemberId actor,
                                     PostId post) {
  HEARTH_CHECK(engine.active_member(tx, actor));
  HEARTH_TRY(p, tx.get_post(post));
  HEARTH_TRY(t, tx.get_thread(p.thread));
  HEARTH_TRY(st, engine.access(tx, t.space, actor, Engine::Impl::Access::read));
  if (p.deleted || p.removed || t.deleted) return errc::gone;
  if (!st.perms.has(Permission::react)) return errc::forbidden;
  HEARTH_CHECK(Engine::Impl::not_timed_out(st, engine.clock->now()));
  if (t.archived) return errc::conflict;
  return PostInThread{std::move(p), std::move(t)};
}

}  // namespace

result<bool> Engine::react(MemberId actor, PostId post, std::string_view kind) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_TRY(target, reaction_target(*impl_, ctx.tx, actor, post));
    auto& [p, t] = target;
    HEARTH_TRY(rules, impl_->reaction_rules(ctx.tx, p.space));
    if (!rules->allows(kind)) return errc::invalid_argument;
    if (rules->own_forbidden(kind) && p.author == actor) return errc::forbidden;
    HEARTH_CHECK(impl_->check_reaction_points(ctx.tx, p.space, actor, kind));
    HEARTH_TRY(notify_author, impl_->may_notify(ctx.tx, p.space, p.author, actor));
    HEARTH_TRY(added, ctx.tx.add_reaction(post, actor, kind, ctx.now));
    if (!added) return false;
    ++t.reaction_count;
    HEARTH_CHECK(ctx.tx.update_thread(t));
    HEARTH_CHECK(
        ctx.emit(EventType::reaction_added, p.space, actor, reaction_payload(p, actor, kind)));
    if (notify_author)
      HEARTH_CHECK(impl_->notify(
          ctx, {{}, p.author, NotificationKind::reaction, p.space, p.thread, p.id, actor}, kind));
    HEARTH_CHECK(impl_->reputation_reacted(ctx, p, t, actor, kind));
    if (p.author != actor) {  // reactions to one's own posts build no trust
      HEARTH_CHECK(impl_->note_activity(ctx, actor, {.reactions_given = 1}, actor));
      HEARTH_CHECK(impl_->note_activity(ctx, p.author, {.reactions_received = 1}, actor));
    }
    HEARTH_CHECK(impl_->badges_reacted(ctx, p, t, actor, kind));
    return true;
  });
}

// A kind no longer in force can still be taken back: any well-formed kind is looked up.
result<bool> Engine::unreact(MemberId actor, PostId post, std::string_view kind) {
  if (!Impl::well_formed_reaction_kind(kind)) return errc::invalid_argument;
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_TRY(target, reaction_target(*impl_, ctx.tx, actor, post));
    auto& [p, t] = target;
    HEARTH_TRY(removed, ctx.tx.remove_reaction(post, actor, kind));
    if (!removed) return false;
    if (t.reaction_count > 0) --t.reaction_count;
    HEARTH_CHECK(ctx.tx.update_thread(t));
    HEARTH_CHECK(
        ctx.emit(EventType::reaction_removed, p.space, actor, reaction_payload(p, actor, kind)));
    HEARTH_CHECK(impl_->reputation_unreacted(ctx, p, actor, kind));
    return true;
  });
}

namespace {

// The checks remove_post and restore_post share: moderate_posts in the post's space, above the
// author's rank (one's own post aside), the thread not archived.
result<PostInThread> moderated_post(Engine::Impl& engine, Transaction& tx, MemberId actor,
                                    PostId id) {
  HEARTH_CHECK(engine.active_member(tx, actor));
  HEARTH_TRY(p, tx.get_post(id));
  HEARTH_TRY(t, tx.get_thread(p.thread));
  if (p.author == actor) {
    HEARTH_CHECK(engine.require(tx, t.space, actor, Permission::moderate_posts));
  } else {
    HEARTH_CHECK(engine.require_over(tx, t.space, actor, p.author, Permission::moderate_posts));
  }
  if (p.deleted) return errc::gone;
  if (t.archived) return errc::conflict;
  return PostInThread{std::move(p), std::move(t)};
}

}  // namespace

result<void> Engine::Impl::take_down(WriteContext& ctx, Post& p, Thread& t, MemberId by,
                                     std::string reason, bool withdraw) {
  p.removed = true;
  p.removal_reason = std::move(reason);
  p.removed_by = by;
  HEARTH_CHECK(ctx.tx.update_post(p));
  const bool first = t.first_post == p.id;
  if (first) HEARTH_CHECK(set_thread_hidden(ctx, t, true));
  auto payload = Payload()
                     .id("post", p.id.value)
                     .id("thread", p.thread.value)
                     .id("author", p.author.value)
                     .boolean("thread_removed", first);
  HEARTH_CHECK(ctx.emit(EventType::post_removed, p.space, by, payload.done()));
  if (withdraw) HEARTH_CHECK(reputation_withdrawn(ctx, p, t, by, true));
  return {};
}

result<void> Engine::Impl::put_back(WriteContext& ctx, Post& p, Thread& t, MemberId by) {
  p.removed = false;
  p.removal_reason.clear();
  p.removed_by = MemberId{};
  HEARTH_CHECK(ctx.tx.update_post(p));
  if (t.first_post == p.id) HEARTH_CHECK(set_thread_hidden(ctx, t, false));
  auto payload = Payload().id("post", p.id.value).id("thread", p.thread.value);
  HEARTH_CHECK(ctx.emit(EventType::post_restored, p.space, by, payload.done()));
  return reputation_restored(ctx, p, t, by);
}

result<bool> Engine::remove_post(MemberId actor, PostId post, std::string_view reason) {
  HEARTH_TRY(clean_reason, detail::clean_text(reason, 500, TextKind::multiline, false));
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_TRY(target, moderated_post(*impl_, ctx.tx, actor, post));
    auto& [p, t] = target;
    if (p.removed) return false;
    if (t.deleted && t.first_post != p.id) return errc::gone;
    HEARTH_CHECK(impl_->take_down(ctx, p, t, actor, std::move(clean_reason), true));
    HEARTH_CHECK(impl_->audit(ctx, {.space = p.space,
                                    .actor = actor,
                                    .action = AuditAction::post_removed,
                                    .target_member = p.author,
                                    .post = p.id,
                                    .thread = p.thread,
                                    .reason = p.removal_reason}));
    return true;
  });
}

result<bool> Engine::restore_post(MemberId actor, PostId post) {
  return impl_->write([&](WriteContext& ctx) -> result<bool> {
    HEARTH_TRY(target, moderated_post(*impl_, ctx.tx, actor, post));
    auto& [p, t] = target;
    if (!p.removed) return false;
    HEARTH_CHECK(impl_->put_back(ctx, p, t, actor));
    HEARTH_CHECK(impl_->audit(ctx, {.space = p.space,
                                    .actor = actor,
                                    .action = AuditAction::post_restored,
                                    .target_member = p.author,
                                    .post = p.id,
                                    .thread = p.thread}));
    return true;
  });
}

result<Page<Reaction>> Engine::list_reactions(MemberId viewer, PostId post, std::string_view kind,
                                              const PageRequest& page) {
  if (!Impl::well_formed_reaction_kind(kind)) return errc::invalid_argument;
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(after, detail::decode_cursor('r', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<Reaction>> {
    HEARTH_TRY(p, tx.get_post(post));
    HEARTH_CHECK(impl_->check_read(tx, p.space, viewer));
    if (p.deleted) return errc::gone;
    HEARTH_TRY(items, tx.list_reactions(post, kind, MemberId{after}, limit + 1));
    return make_page(std::move(items), limit, 'r',
                     [](const Reaction& r) { return r.member.value; });
  });
}

}  // namespace hearth
