// Moderator notes (docs/moderation.md, "Moderator notes").
#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using detail::TextKind;

constexpr std::uint32_t note_max = 2'000;

std::string note_detail(ModeratorNoteId id) { return Payload().id("note", id.value).done(); }

}  // namespace

result<ModeratorNote> Engine::add_moderator_note(MemberId actor, SpaceId space, MemberId member,
                                                 std::string_view body) {
  HEARTH_TRY(clean, detail::clean_text(body, note_max, TextKind::multiline));
  return impl_->write([&](WriteContext& ctx) -> result<ModeratorNote> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_CHECK(impl_->require(ctx.tx, space, actor, Permission::review_reports));
    HEARTH_CHECK(ctx.tx.get_member(member));
    ModeratorNote n;
    n.id = impl_->ids.next_as<ModeratorNoteId>();
    n.space = space;
    n.member = member;
    n.author = actor;
    n.body = std::move(clean);
    n.created_at = ctx.now;
    HEARTH_CHECK(ctx.tx.insert_moderator_note(n));
    HEARTH_CHECK(impl_->audit(ctx, {.space = space,
                                    .actor = actor,
                                    .action = AuditAction::moderator_note_added,
                                    .target_member = member,
                                    .detail = note_detail(n.id)}));
    return n;
  });
}

result<Page<ModeratorNote>> Engine::moderator_notes(MemberId viewer, SpaceId space, MemberId member,
                                                    const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(before, detail::decode_cursor('o', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<ModeratorNote>> {
    HEARTH_CHECK(impl_->active_member(tx, viewer));
    HEARTH_CHECK(impl_->require(tx, space, viewer, Permission::review_reports));
    HEARTH_TRY(items, tx.list_moderator_notes(space, member, ModeratorNoteId{before}, limit + 1));
    return make_page(std::move(items), limit, 'o',
                     [](const ModeratorNote& n) { return n.id.value; });
  });
}

result<void> Engine::delete_moderator_note(MemberId actor, ModeratorNoteId note) {
  return impl_->write([&](WriteContext& ctx) -> result<void> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_TRY(n, ctx.tx.get_moderator_note(note));
    if (n.author == actor) {
      HEARTH_CHECK(impl_->require(ctx.tx, n.space, actor, Permission::review_reports));
    } else {
      HEARTH_CHECK(
          impl_->require_over(ctx.tx, n.space, actor, n.author, Permission::review_reports));
    }
    HEARTH_CHECK(ctx.tx.delete_moderator_note(note));
    return impl_->audit(ctx, {.space = n.space,
                              .actor = actor,
                              .action = AuditAction::moderator_note_deleted,
                              .target_member = n.member,
                              .detail = note_detail(note)});
  });
}

}  // namespace hearth
