// Walks the security matrix (security_matrix.hpp) against the kit's storage: every call, every
// actor, every visibility, each write in a world of its own (built anew, or a copy of one built
// once when the factory can copy a storage).
#include "security_matrix.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <string>

#include "hearth/engine.hpp"
#include "kit_internal.hpp"
#include "result_string.hpp"

namespace hearth::conformance {
namespace {

using namespace matrix;

template <class T>
T must(result<T> r) {
  INFO((r ? std::string("ok") : std::string(error_name(r.error()))));
  REQUIRE(r.has_value());
  return std::move(*r);
}
inline void must(result<void> r) {
  INFO((r ? std::string("ok") : std::string(error_name(r.error()))));
  REQUIRE(r.has_value());
}

// What a world's calls name: the same in a copy of the world.
struct WorldIds {
  std::array<MemberId, actor_count> actors{};
  std::array<PostId, actor_count> own_post{};
  MemberId target, newbie, asker;
  SpaceId parent, space;
  RoleId helper, spare;
  ThreadId thread, question;
  PostId first_post, reply, answer, removed;
  SanctionId timeout;  // target's, in S
  NotificationId members_notification;
  ReviewItemId item;
  ModeratorNoteId note;
  std::uint64_t removal = 0;  // the audit entry of the owner's removal of target's reply
  std::string invite_join, invite_revoke;
};

struct World : WorldIds {
  std::shared_ptr<Storage> storage;
  std::unique_ptr<Engine> engine;

  Engine& operator*() { return *engine; }
  MemberId operator[](Actor a) const { return actors[static_cast<std::size_t>(a)]; }
  PostId own_or_members(Actor a) const {
    const PostId own = own_post[static_cast<std::size_t>(a)];
    return own ? own : first_post;
  }
};

World build_world(Visibility visibility) {
  World w;
  w.storage = detail::fresh_storage();
  EngineOptions options;
  options.storage = w.storage;
  w.engine = must(Engine::open(std::move(options)));
  Engine& e = *w.engine;
  auto create = [&](const char* handle) { return must(e.create_member(handle, handle)).id; };
  const MemberId ada = create("owner_ada"), adm = create("admin_al"), mod = create("mod_mo"),
                 mem = create("member_me"), den = create("denied_di"), ban = create("banned_bo"),
                 par = create("parent_pa"), out = create("outsider_ou");
  w.target = create("target_ta");
  w.newbie = create("newbie_ne");
  w.asker = create("asker_as");
  w.actors = {MemberId{}, out, par, mem, den, ban, mod, adm, ada};

  w.parent = must(e.create_space(ada, {{}, SpaceKind::guild, "Guild", ""})).id;
  for (MemberId m : {adm, mod, mem, den, ban, par, w.target, w.asker})
    REQUIRE(must(e.join_space(m, w.parent)));
  REQUIRE(must(e.assign_role(ada, w.parent, adm, builtin::admin_role)));
  REQUIRE(must(e.assign_role(ada, w.parent, mod, builtin::moderator_role)));
  const RoleId muted = must(e.create_role(ada, w.parent, {"muted", {}, 50})).id;
  REQUIRE(must(e.assign_role(ada, w.parent, den, muted)));

  NewSpace channel{w.parent, SpaceKind::channel, "Channel", "", visibility, {}, 0, {"raid"}};
  w.space = must(e.create_space(ada, channel)).id;
  for (MemberId m : {adm, mod, mem, den, ban, w.target})
    REQUIRE(must(e.add_member(ada, w.space, m)));

  auto first = must(e.create_thread(mem, w.space, "Hello", "the first post"));
  w.thread = first.thread.id;
  w.first_post = first.first_post.id;
  w.reply = must(e.reply(w.target, w.first_post, "a reply")).id;
  w.own_post[member] = w.first_post;
  auto asked = must(e.create_thread(mem, w.space, "How?", "a question", ThreadKind::question));
  w.question = asked.thread.id;
  w.answer = must(e.reply(w.target, asked.first_post.id, "like this")).id;
  w.removed = must(e.reply(w.target, w.first_post, "spam spam")).id;
  REQUIRE(must(e.remove_post(ada, w.removed, "spam")));
  w.removal = must(e.audit_log(ada, {.target_member = w.target}, {"", 1})).items.at(0).id;
  for (Actor a : {denied, banned, moderator, admin, owner})
    w.own_post[static_cast<std::size_t>(a)] =
        must(e.create_thread(w[a], w.space, "Mine", "my own post")).first_post.id;

  w.helper = must(e.create_role(ada, w.space, {"helper", {Permission::pin}, 200})).id;
  w.spare = must(e.create_role(ada, w.space, {"spare", {Permission::pin}, 150})).id;
  REQUIRE(must(e.assign_role(ada, w.space, w.target, w.helper)));
  w.invite_join = must(e.create_invite(ada, w.space, {})).code;
  w.invite_revoke = must(e.create_invite(ada, w.space, {})).code;
  if (visibility == Visibility::private_) REQUIRE(must(e.request_to_join(w.asker, w.space, "hi")));
  must(e.set_override(ada, w.space, muted, {},
                      {Permission::post_threads, Permission::reply, Permission::react}));
  must(e.ban_member(ada, w.space, ban, "spam"));
  w.item = must(e.report_post(w.target, w.first_post, ReportReason::spam, "")).item;
  w.note = must(e.add_moderator_note(mod, w.space, w.target, "watch them")).id;
  w.timeout = must(e.timeout_member(ada, w.space, w.target, "spam", e.clock().now() + 60'000)).id;
  auto inbox = must(e.list_notifications(mem, {}));
  REQUIRE_FALSE(inbox.items.empty());
  w.members_notification = inbox.items.front().id;
  return w;
}

// A world holding what `pristine` holds, through the factory's copy, with an engine of its own.
World copy_world(const World& pristine) {
  World w;
  static_cast<WorldIds&>(w) = pristine;
  auto copied = detail::factory().copy(*pristine.storage);
  REQUIRE(copied.has_value());
  w.storage = *copied;
  EngineOptions options;
  options.storage = w.storage;
  w.engine = must(Engine::open(std::move(options)));
  return w;
}

template <class T>
std::string outcome(const result<T>& r) {
  if (r) return "A";
  if (&r.error().category() != &hearth_category()) return "?" + r.error().message();
  switch (static_cast<errc>(r.error().value())) {
    case errc::forbidden:
      return "F";
    case errc::not_found:
      return "N";
    case errc::conflict:
      return "C";
    default:
      return "?" + std::string(error_name(r.error()));
  }
}

// A search of S (the cell's letter), checked against a search with no space filter: that one
// must succeed, hold S's posts exactly when S is readable, and never hold the removed reply.
std::string search_outcome(World& w, Actor a) {
  Engine& e = *w;
  SearchOptions in_space;
  in_space.space = w.space;
  auto filtered = e.search(w[a], "post spam", in_space, {"", 50});
  auto everywhere = e.search(w[a], "post", {}, {"", 50});
  auto spam = e.search(w[a], "spam", {}, {"", 50});
  if (!everywhere || !spam) return "?unfiltered search failed";
  bool in_s = false;
  for (const SearchHit& h : everywhere->items) in_s = in_s || h.post.space == w.space;
  if (in_s != filtered.has_value()) return filtered ? "?S missing" : "?S leaked";
  if (!spam->items.empty()) return "?removed post found";
  if (filtered && filtered->items.size() != 0) return "?filtered matched spam";
  auto filtered_post = e.search(w[a], "post", in_space, {"", 50});
  if (filtered && (!filtered_post || filtered_post->items.empty())) return "?S not searched";
  return outcome(filtered);
}

using Call = std::function<std::string(World&, Actor)>;

struct Cell {
  bool writes;  // needs a world of its own
  Call run;
};

#define READ(body)                 \
  Cell {                           \
    false, [](World& w, Actor a) { \
      const MemberId who = w[a];   \
      Engine& e = *w;              \
      return outcome(body);        \
    }                              \
  }
#define WRITE(body)               \
  Cell {                          \
    true, [](World& w, Actor a) { \
      const MemberId who = w[a];  \
      Engine& e = *w;             \
      return outcome(body);       \
    }                             \
  }

const std::map<std::string_view, Cell>& cells() {
  static const std::map<std::string_view, Cell> table{
      {"update_profile",
       WRITE(e.update_profile(who, who ? who : w[member], {std::string("New name"), {}}))},
      {"deactivate_member", WRITE(e.deactivate_member(who, who ? who : w[member]))},
      {"create_space", WRITE(e.create_space(who, {w.space, SpaceKind::channel, "Sub", ""}))},
      {"get_space", READ(e.get_space(who, w.space))},
      {"list_child_spaces", READ(e.list_child_spaces(who, w.space, {}))},
      {"find_spaces", Cell{false,
                           [](World& w, Actor a) -> std::string {
                             auto found = (*w).find_spaces(w[a], {}, {"", 200});
                             if (!found) return outcome(found);
                             for (const SpaceHit& h : found->items)
                               if (h.space.id == w.space) return "A";
                             return "X";
                           }}},
      {"join_space", WRITE(e.join_space(who, w.space))},
      {"add_member", WRITE(e.add_member(who, w.space, w.newbie))},
      {"leave_space", WRITE(e.leave_space(who, w.space))},
      {"list_space_members", READ(e.list_space_members(who, w.space, {}))},
      {"update_space", WRITE(e.update_space(who, w.space, {std::string("Renamed"), {}, {}, {}}))},
      {"transfer_ownership", WRITE(e.transfer_ownership(who, w.space, w[member]))},
      {"remove_member", WRITE(e.remove_member(who, w.space, w.target))},
      {"get_permissions", READ(e.get_permissions(who, w.space))},
      {"create_role", WRITE(e.create_role(who, w.space, {"new", {Permission::pin}, 300}))},
      {"update_role", WRITE(e.update_role(who, w.spare, {std::string("renamed"), {}, {}}))},
      {"delete_role", WRITE(e.delete_role(who, w.spare))},
      {"list_roles", READ(e.list_roles(who, w.space))},
      {"assign_role", WRITE(e.assign_role(who, w.space, w[member], w.helper))},
      {"unassign_role", WRITE(e.unassign_role(who, w.space, w.target, w.helper))},
      {"list_member_roles", READ(e.list_member_roles(who, w.space, w.target))},
      {"set_override", WRITE(e.set_override(who, w.space, w.helper, {Permission::pin}, {}))},
      {"list_overrides", READ(e.list_overrides(who, w.space))},
      {"ban_member", WRITE(e.ban_member(who, w.space, w.target, "rude"))},
      {"unban_member", WRITE(e.unban_member(who, w.space, w[banned]))},
      {"list_bans", READ(e.list_bans(who, w.space, {}))},
      {"warn_member", WRITE(e.warn_member(who, w.space, w.target, "rude"))},
      {"timeout_member",
       WRITE(e.timeout_member(who, w.space, w.target, "rude", e.clock().now() + 60'000))},
      {"suspend_member", WRITE(e.suspend_member(who, w.target, "rude"))},
      {"ban_everywhere", WRITE(e.ban_everywhere(who, w.target, "rude"))},
      {"revoke_sanction", WRITE(e.revoke_sanction(who, w.timeout, "appeal"))},
      {"list_sanctions", Cell{false,
                              [](World& w, Actor a) -> std::
                                                        string {
                                                          auto record = (*w).list_sanctions(
                                                              w[a], w.target, {});
                                                          if (!record) return outcome(record);
                                                          for (const Sanction& s : record->items)
                                                            if (s.id == w.timeout) return "A";
                                                          return "X";
                                                        }}},
      {"restriction", READ(e.restriction(who, w.target, w.space))},
      {"create_invite", WRITE(e.create_invite(who, w.space, {}))},
      {"join_with_invite", WRITE(e.join_with_invite(who, w.invite_join))},
      {"revoke_invite", WRITE(e.revoke_invite(who, w.invite_revoke))},
      {"list_invites", READ(e.list_invites(who, w.space, {}))},
      {"request_to_join", WRITE(e.request_to_join(who, w.space, "please"))},
      {"withdraw_join_request", WRITE(e.withdraw_join_request(who, w.space))},
      {"decide_join_request", WRITE(e.decide_join_request(who, w.space, w.asker, true))},
      {"list_join_requests", READ(e.list_join_requests(who, w.space, {}))},
      {"create_thread", WRITE(e.create_thread(who, w.space, "New", "a new thread"))},
      {"reply", WRITE(e.reply(who, w.first_post, "me too"))},
      {"get_thread", READ(e.get_thread(who, w.thread))},
      {"get_post", READ(e.get_post(who, w.first_post))},
      {"get_thread_page", READ(e.get_thread_page(who, w.thread, {}))},
      {"list_threads", READ(e.list_threads(who, w.space, {}))},
      {"pin_thread", WRITE(e.pin_thread(who, w.thread, true))},
      {"lock_thread", WRITE(e.lock_thread(who, w.thread, true))},
      {"archive_thread", WRITE(e.archive_thread(who, w.thread, true))},
      {"move_thread", WRITE(e.move_thread(who, w.thread, w.parent))},
      {"set_thread_tags", WRITE(e.set_thread_tags(who, w.thread, {"raid"}))},
      {"accept_answer", WRITE(e.accept_answer(who, w.question, w.answer))},
      {"remove_post", WRITE(e.remove_post(who, w.reply, "off topic"))},
      {"restore_post", WRITE(e.restore_post(who, w.removed))},
      {"list_reactions", READ(e.list_reactions(who, w.reply, "+1", {}))},
      {"edit_post", WRITE(e.edit_post(who, w.own_or_members(a), "edited"))},
      {"list_revisions", READ(e.list_revisions(who, w.own_or_members(a)))},
      {"delete_post", WRITE(e.delete_post(who, w.own_or_members(a)))},
      {"react", WRITE(e.react(who, w.reply, "+1"))},
      {"unreact", WRITE(e.unreact(who, w.reply, "+1"))},
      {"reputation_scope", READ(e.reputation_scope(who, w.space))},
      {"reputation", READ(e.reputation(who, w.space, w.target))},
      {"leaderboard", READ(e.leaderboard(who, w.space, Period::all_time, "", {}))},
      {"reputation_history", READ(e.reputation_history(who, w.target, {}))},
      {"award_reputation", WRITE(e.award_reputation(who, w.space, w.target, 10, "raid"))},
      {"record_visit", WRITE(e.record_visit(who))},
      {"record_reading", WRITE(e.record_reading(who, w.thread, 1, 1'000))},
      {"trust_level", READ(e.trust_level(who, w.target))},
      {"badges", READ(e.badges(who, w.target, {}))},
      {"audit_log", READ(e.audit_log(who, {.space = w.space}, {}))},
      {"add_moderator_note", WRITE(e.add_moderator_note(who, w.space, w.target, "noted"))},
      {"moderator_notes", READ(e.moderator_notes(who, w.space, w.target, {}))},
      {"delete_moderator_note", WRITE(e.delete_moderator_note(who, w.note))},
      {"set_automod_rules", WRITE(e.set_automod_rules(who, w.space, {.max_mentions = 20}))},
      {"automod_rules", READ(e.automod_rules(who, w.space))},
      {"moderation_history", READ(e.moderation_history(who, w.target, {}))},
      {"appeal", WRITE(e.appeal(who, w.removal, "it was not spam"))},
      {"report_post", WRITE(e.report_post(who, w.reply, ReportReason::spam, ""))},
      {"report_member",
       WRITE(e.report_member(who, w.space, w.target, ReportReason::harassment, ""))},
      {"my_reports", READ(e.my_reports(who, {}))},
      {"review_queue", READ(e.review_queue(who, w.space, {}))},
      {"review_item", READ(e.review_item(who, w.item))},
      {"claim_review_item", WRITE(e.claim_review_item(who, w.item))},
      {"decide_review_item", WRITE(e.decide_review_item(who, w.item, {ReviewAction::dismiss, ""}))},
      {"decide_review_items",
       Cell{true,
            [](World& w, Actor a)
                -> std::
                    string {
                      const ReviewItemId items[] = {w.item};
                      auto r = (*w).decide_review_items(w[a], items, {ReviewAction::dismiss, ""});
                      if (!r) return outcome(r);
                      return outcome(r->at(0));
                    }}},
      {"search", Cell{false, [](World& w, Actor a) { return search_outcome(w, a); }}},
      {"list_notifications", READ(e.list_notifications(who, {}))},
      {"mark_notifications_read", WRITE(e.mark_notifications_read(who))},
      {"mark_notification_read", WRITE(e.mark_notification_read(who, w.members_notification))},
      {"mark_space_read", WRITE(e.mark_space_read(who, w.space))},
      {"unread_counts", Cell{false,
                             [](World& w, Actor a) -> std::
                                                       string {
                                                         auto counts = (*w).unread_counts(w[a]);
                                                         if (!counts) return outcome(counts);
                                                         for (const SpaceUnread& s : counts->spaces)
                                                           if (s.space == w.space && s.posts > 0)
                                                             return "A";
                                                         return "X";
                                                       }}},
      {"subscribe_as", Cell{false,
                            [](World& w, Actor a) -> std::
                                                      string {
                                                        int seen = 0;
                                                        const SpaceId space = w.space;
                                                        auto sub = (*w).subscribe_as(
                                                            w[a], 0, [&](const Event& ev) {
                                                              if (ev.space == space) ++seen;
                                                            });
                                                        if (!sub) return outcome(sub);
                                                        (*w).unsubscribe(*sub);
                                                        return seen > 0 ? "A" : "X";
                                                      }}},
  };
  return table;
}

#undef READ
#undef WRITE

void walk(Visibility visibility, std::string_view Row::*column) {
  std::optional<World> shared;    // for the calls that only read
  std::optional<World> pristine;  // copied for each write, when the factory can copy
  for (const Row& row : rows) {
    auto it = cells().find(row.call);
    if (it == cells().end())
      FAIL("call " << row.call << " is in the matrix but the kit cannot run it");
    const std::string_view expected = row.*column;
    REQUIRE(expected.size() == actor_count);
    for (int a = 0; a < actor_count; ++a) {
      std::optional<World> own;
      World* w;
      if (it->second.writes && detail::factory().copy) {
        if (!pristine) pristine.emplace(build_world(visibility));
        own.emplace(copy_world(*pristine));
        w = &*own;
      } else if (it->second.writes) {
        own.emplace(build_world(visibility));
        w = &*own;
      } else {
        if (!shared) shared.emplace(build_world(visibility));
        w = &*shared;
      }
      const std::string got = it->second.run(*w, static_cast<Actor>(a));
      INFO(row.call << " (" << row.what << ") by " << actor_names[static_cast<std::size_t>(a)]
                    << " in a " << to_string(visibility) << " space");
      CHECK(got == std::string(1, expected[static_cast<std::size_t>(a)]));
    }
  }
}

TEST_CASE("security matrix: every call, every actor, in a public space", "[security]") {
  walk(Visibility::public_, &Row::public_);
}

TEST_CASE("security matrix: every call, every actor, in a private space", "[security]") {
  walk(Visibility::private_, &Row::private_);
}

TEST_CASE("security matrix: every call, every actor, in a secret space", "[security]") {
  walk(Visibility::secret, &Row::secret);
}

}  // namespace

void detail::link_security_matrix() {}

}  // namespace hearth::conformance
