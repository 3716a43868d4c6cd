// The thread model: kinds, pinned / locked / archived, moving, Q&A, counters, who reacted.
#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

namespace {

// Ada owns the guild; Bo and Cy are members; Mo moderates.
struct Forum : Community {
  Member mo;
  Forum() {
    mo = ok(engine->create_member("mo_mod", "Mo"));
    REQUIRE(ok(engine->join_space(cy.id, guild.id)));
    REQUIRE(ok(engine->join_space(mo.id, guild.id)));
    REQUIRE(ok(engine->assign_role(ada.id, guild.id, mo.id, builtin::moderator_role)));
  }
};

std::vector<std::string> titles(const Page<Thread>& page) {
  std::vector<std::string> out;
  for (const Thread& t : page.items) out.push_back(t.title);
  return out;
}

}  // namespace

TEST_CASE("thread kinds: announcements need the announce permission", "[threads]") {
  Forum f;
  CHECK(code_of(f->create_thread(f.bo.id, f.guild.id, "News", "b", ThreadKind::announcement)) ==
        errc::forbidden);
  auto news = ok(f->create_thread(f.mo.id, f.guild.id, "News", "b", ThreadKind::announcement));
  CHECK(news.thread.kind == ThreadKind::announcement);
  auto q = ok(f->create_thread(f.bo.id, f.guild.id, "How?", "b", ThreadKind::question));
  CHECK(ok(f->get_thread(MemberId{}, q.thread.id)).kind == ThreadKind::question);
  CHECK(code_of(f->create_thread(f.bo.id, f.guild.id, "x", "b", static_cast<ThreadKind>(7))) ==
        errc::invalid_argument);
}

TEST_CASE("pinned threads are listed first, and pages cross from pinned to the rest", "[threads]") {
  Forum f;
  std::vector<ThreadId> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(
        ok(f->create_thread(f.bo.id, f.guild.id, "t" + std::to_string(i), "b")).thread.id);
  CHECK(code_of(f->pin_thread(f.bo.id, ids[1], true)) == errc::forbidden);
  ok(f->pin_thread(f.mo.id, ids[1], true));
  ok(f->pin_thread(f.mo.id, ids[3], true));
  CHECK(ok(f->pin_thread(f.mo.id, ids[3], true)).pinned);  // again: no change
  auto all = ok(f->list_threads(MemberId{}, f.guild.id, {}));
  CHECK(titles(all) == std::vector<std::string>{"t3", "t1", "t4", "t2", "t0"});
  // Page by page, two at a time, across the boundary.
  std::vector<std::string> paged;
  PageRequest req{"", 2};
  for (;;) {
    auto page = ok(f->list_threads(MemberId{}, f.guild.id, req));
    for (auto& t : titles(page)) paged.push_back(t);
    if (page.next_cursor.empty()) break;
    req.cursor = page.next_cursor;
  }
  CHECK(paged == titles(all));
  ok(f->pin_thread(f.mo.id, ids[3], false));
  CHECK(titles(ok(f->list_threads(MemberId{}, f.guild.id, {}))) ==
        std::vector<std::string>{"t1", "t4", "t3", "t2", "t0"});
  CHECK(code_of(f->list_threads(MemberId{}, f.guild.id, {"x.12", 2})) == errc::invalid_cursor);
  // A cursor of another listing (a thread's posts) is not one of this listing's.
  REQUIRE(ok(f->reply(f.cy.id, ok(f->get_thread(MemberId{}, ids[0])).first_post, "r")).id);
  auto posts = ok(f->get_thread_page(MemberId{}, ids[0], {"", 1}));
  REQUIRE_FALSE(posts.next_cursor.empty());
  CHECK(code_of(f->list_threads(MemberId{}, f.guild.id, {posts.next_cursor, 2})) ==
        errc::invalid_cursor);
}

TEST_CASE("locked threads take no replies, archived ones nothing at all", "[threads]") {
  Forum f;
  auto t = ok(f->create_thread(f.bo.id, f.guild.id, "Raid", "Friday?"));
  auto r = ok(f->reply(f.cy.id, t.first_post.id, "yes"));
  CHECK(code_of(f->lock_thread(f.bo.id, t.thread.id, true)) == errc::forbidden);
  CHECK(ok(f->lock_thread(f.mo.id, t.thread.id, true)).locked);
  CHECK(code_of(f->reply(f.cy.id, t.first_post.id, "me too")) == errc::conflict);
  ok(f->reply(f.mo.id, t.first_post.id, "Locked: see the new thread."));  // may lock: may reply
  ok(f->react(f.cy.id, t.first_post.id, "heart"));  // reactions and edits go on
  ok(f->edit_post(f.cy.id, r.id, "yes!"));
  ok(f->lock_thread(f.mo.id, t.thread.id, false));
  ok(f->reply(f.cy.id, t.first_post.id, "open again"));
  ok(f->archive_thread(f.mo.id, t.thread.id, true));
  CHECK(code_of(f->reply(f.mo.id, t.first_post.id, "x")) == errc::conflict);
  CHECK(code_of(f->edit_post(f.cy.id, r.id, "changed")) == errc::conflict);
  CHECK(code_of(f->delete_post(f.cy.id, r.id)) == errc::conflict);
  CHECK(code_of(f->react(f.bo.id, r.id, "+1")) == errc::conflict);
  CHECK(code_of(f->unreact(f.cy.id, t.first_post.id, "heart")) == errc::conflict);
  ok(f->get_thread_page(MemberId{}, t.thread.id, {}));  // still readable
  auto events = ok(f->read_events(0, 200));
  CHECK(events.back().type == EventType::thread_updated);
  CHECK(events.back().payload.find("\"archived\":true") != std::string::npos);
}

TEST_CASE("moving a thread takes its posts and counts along", "[threads]") {
  Forum f;
  auto lounge = ok(f->create_space(f.ada.id, {f.guild.id, SpaceKind::channel, "lounge", ""}));
  auto t = ok(f->create_thread(f.bo.id, f.guild.id, "Off topic", "b"));
  auto r = ok(f->reply(f.cy.id, t.first_post.id, "r"));
  CHECK(code_of(f->move_thread(f.bo.id, t.thread.id, lounge.id)) == errc::forbidden);
  auto moved = ok(f->move_thread(f.mo.id, t.thread.id, lounge.id));
  CHECK(moved.space == lounge.id);
  CHECK(ok(f->get_post(MemberId{}, r.id)).space == lounge.id);
  CHECK(ok(f->get_post(MemberId{}, t.first_post.id)).space == lounge.id);
  CHECK(ok(f->list_threads(MemberId{}, f.guild.id, {})).items.empty());
  CHECK(ok(f->list_threads(MemberId{}, lounge.id, {})).items.size() == 1);
  CHECK(ok(f->get_space(MemberId{}, f.guild.id)).thread_count == 0);
  CHECK(ok(f->get_space(MemberId{}, lounge.id)).thread_count == 1);
  // Into a space where the mover does not moderate: forbidden; unknown: not_found.
  auto mine = ok(f->create_space(f.bo.id, {{}, SpaceKind::forum, "Bo's", ""}));
  CHECK(code_of(f->move_thread(f.mo.id, t.thread.id, mine.id)) == errc::forbidden);
  CHECK(code_of(f->move_thread(f.mo.id, t.thread.id, SpaceId{4242})) == errc::not_found);
}

TEST_CASE("Q&A: the asker accepts, changes and clears an answer, peers are recorded", "[threads]") {
  Forum f;
  auto q = ok(f->create_thread(f.bo.id, f.guild.id, "How do I craft?", "b", ThreadKind::question));
  auto by_cy = ok(f->reply(f.cy.id, q.first_post.id, "Use the bench."));
  auto by_mo = ok(f->reply(f.mo.id, q.first_post.id, "See the guide."));
  auto by_bo = ok(f->reply(f.bo.id, by_cy.id, "Found it myself."));
  auto other = ok(f->create_thread(f.cy.id, f.guild.id, "Other", "b", ThreadKind::question));
  auto stranger = ok(f->reply(f.bo.id, other.first_post.id, "elsewhere"));
  // Not the asker, not a moderator.
  CHECK(code_of(f->accept_answer(f.cy.id, q.thread.id, by_cy.id)) == errc::forbidden);
  // Bad targets.
  CHECK(code_of(f->accept_answer(f.bo.id, q.thread.id, stranger.id)) == errc::invalid_argument);
  CHECK(code_of(f->accept_answer(f.bo.id, q.thread.id, q.first_post.id)) == errc::invalid_argument);
  CHECK(code_of(f->accept_answer(f.bo.id, q.thread.id, PostId{4242})) == errc::not_found);
  auto chat = ok(f->create_thread(f.bo.id, f.guild.id, "Chat", "b"));
  auto chat_reply = ok(f->reply(f.cy.id, chat.first_post.id, "hi"));
  CHECK(code_of(f->accept_answer(f.bo.id, chat.thread.id, chat_reply.id)) ==
        errc::invalid_argument);
  // Unanswered questions are listed as such.
  auto unanswered = ok(f->list_threads(MemberId{}, f.guild.id, {}, {true}));
  CHECK(titles(unanswered) == std::vector<std::string>{"Other", "How do I craft?"});
  // A peer's answer.
  auto t = ok(f->accept_answer(f.bo.id, q.thread.id, by_cy.id));
  CHECK(t.accepted_answer == by_cy.id);
  CHECK(t.answered_by_peer);
  CHECK(titles(ok(f->list_threads(MemberId{}, f.guild.id, {}, {true}))) ==
        std::vector<std::string>{"Other"});
  // Staff's answer, accepted by a moderator: not a peer's.
  t = ok(f->accept_answer(f.mo.id, q.thread.id, by_mo.id));
  CHECK(t.accepted_answer == by_mo.id);
  CHECK_FALSE(t.answered_by_peer);
  // The asker's own: not a peer's either.
  t = ok(f->accept_answer(f.bo.id, q.thread.id, by_bo.id));
  CHECK_FALSE(t.answered_by_peer);
  // Cleared: unanswered again.
  t = ok(f->accept_answer(f.bo.id, q.thread.id, PostId{}));
  CHECK_FALSE(t.accepted_answer);
  CHECK(ok(f->list_threads(MemberId{}, f.guild.id, {}, {true})).items.size() == 2);
  // A deleted reply cannot be accepted.
  ok(f->delete_post(f.cy.id, by_cy.id));
  CHECK(code_of(f->accept_answer(f.bo.id, q.thread.id, by_cy.id)) == errc::gone);
  auto events = ok(f->read_events(0, 200));
  std::size_t accepted = 0;
  for (const Event& e : events) accepted += e.type == EventType::answer_accepted ? 1u : 0u;
  CHECK(accepted == 4);
}

TEST_CASE("thread counters: replies, participants and reactions", "[threads]") {
  Forum f;
  auto t = ok(f->create_thread(f.bo.id, f.guild.id, "Count", "b"));
  auto r1 = ok(f->reply(f.cy.id, t.first_post.id, "1"));
  ok(f->reply(f.cy.id, r1.id, "2"));
  ok(f->reply(f.bo.id, r1.id, "3"));
  ok(f->reply(f.mo.id, t.first_post.id, "4"));
  auto th = ok(f->get_thread(MemberId{}, t.thread.id));
  CHECK(th.reply_count == 4);
  CHECK(th.participant_count == 3);  // Bo, Cy, Mo
  ok(f->react(f.cy.id, t.first_post.id, "+1"));
  ok(f->react(f.mo.id, t.first_post.id, "heart"));
  ok(f->react(f.bo.id, r1.id, "thanks"));
  CHECK_FALSE(ok(f->react(f.bo.id, r1.id, "thanks")));
  CHECK(ok(f->get_thread(MemberId{}, t.thread.id)).reaction_count == 3);
  CHECK(ok(f->unreact(f.mo.id, t.first_post.id, "heart")));
  CHECK_FALSE(ok(f->unreact(f.mo.id, t.first_post.id, "heart")));
  CHECK(ok(f->get_thread(MemberId{}, t.thread.id)).reaction_count == 2);
}

TEST_CASE("reactions: not +1 or -1 on one's own post, who reacted, paged", "[threads]") {
  Forum f;
  auto t = ok(f->create_thread(f.bo.id, f.guild.id, "Mine", "b"));
  CHECK(code_of(f->react(f.bo.id, t.first_post.id, "+1")) == errc::forbidden);
  CHECK(code_of(f->react(f.bo.id, t.first_post.id, "-1")) == errc::forbidden);
  CHECK(ok(f->react(f.bo.id, t.first_post.id, "laugh")));
  std::vector<MemberId> fans;
  for (int i = 0; i < 5; ++i) {
    auto m = ok(f->create_member("fan_" + std::to_string(i), "Fan"));
    REQUIRE(ok(f->join_space(m.id, f.guild.id)));
    REQUIRE(ok(f->react(m.id, t.first_post.id, "+1")));
    fans.push_back(m.id);
  }
  std::vector<MemberId> seen;
  PageRequest req{"", 2};
  for (;;) {
    auto page = ok(f->list_reactions(MemberId{}, t.first_post.id, "+1", req));
    for (const Reaction& r : page.items) {
      CHECK(r.kind == "+1");
      CHECK(r.post == t.first_post.id);
      CHECK(r.at == f.clock->now());
      seen.push_back(r.member);
    }
    if (page.next_cursor.empty()) break;
    req.cursor = page.next_cursor;
  }
  CHECK(seen == fans);  // ids grow with creation: ascending
  auto laughs = ok(f->list_reactions(MemberId{}, t.first_post.id, "laugh", {}));
  REQUIRE(laughs.items.size() == 1);
  CHECK(laughs.items[0].member == f.bo.id);
  // A kind not in force may have been once: it lists (nothing here); a malformed one is refused.
  CHECK(ok(f->list_reactions(MemberId{}, t.first_post.id, "nope", {})).items.empty());
  CHECK(code_of(f->list_reactions(MemberId{}, t.first_post.id, "no pe", {})) ==
        errc::invalid_argument);
  CHECK(code_of(f->react(f.mo.id, t.first_post.id, "nope")) == errc::invalid_argument);
  // A community that allows self-votes.
  EngineOptions options;
  options.no_self_reaction = {};
  Community open(options);
  auto mine = ok(open->create_thread(open.bo.id, open.guild.id, "Mine", "b"));
  CHECK(ok(open->react(open.bo.id, mine.first_post.id, "+1")));
  EngineOptions bad;
  bad.no_self_reaction = {"has space"};
  CHECK(code_of(Engine::open(bad)) == errc::invalid_argument);
}

TEST_CASE("a community sets its own reaction kinds, inherited below it", "[threads]") {
  Forum f;
  auto raids = ok(f->create_space(f.ada.id, {f.guild.id, SpaceKind::channel, "raids", ""}));
  REQUIRE(ok(f->join_space(f.bo.id, raids.id)));
  REQUIRE(ok(f->join_space(f.mo.id, raids.id)));
  auto t = ok(f->create_thread(f.bo.id, raids.id, "Tonight", "b"));
  const PostId post = t.first_post.id;
  REQUIRE(ok(f->react(f.mo.id, post, "heart")));  // the engine's kinds, for now

  // The guild picks its own: "gg" and "mvp", and no "mvp" for oneself.
  SpaceUpdate rules;
  rules.reaction_kinds = std::vector<std::string>{"gg", "mvp"};
  rules.no_self_reaction = std::vector<std::string>{"mvp"};
  auto guild = ok(f->update_space(f.ada.id, f.guild.id, rules));
  CHECK(guild.reaction_kinds == std::vector<std::string>{"gg", "mvp"});
  CHECK(ok(f->get_space(MemberId{}, f.guild.id)).no_self_reaction ==
        std::vector<std::string>{"mvp"});
  CHECK(ok(f->react(f.mo.id, post, "gg")));  // in the channel below, inherited
  CHECK(code_of(f->react(f.mo.id, post, "+1")) == errc::invalid_argument);
  CHECK(code_of(f->react(f.bo.id, post, "mvp")) == errc::forbidden);  // his own post
  CHECK(ok(f->react(f.bo.id, post, "gg")));                           // allowed on his own
  // A kind no longer in force: still listed, and still taken back.
  CHECK(ok(f->list_reactions(MemberId{}, post, "heart", {})).items.size() == 1);
  CHECK(ok(f->unreact(f.mo.id, post, "heart")));
  CHECK(code_of(f->react(f.mo.id, post, "heart")) == errc::invalid_argument);

  // The channel overrides its parent; clearing it inherits again.
  SpaceUpdate own;
  own.reaction_kinds = std::vector<std::string>{"heart"};
  ok(f->update_space(f.ada.id, raids.id, own));
  CHECK(ok(f->react(f.mo.id, post, "heart")));
  CHECK(code_of(f->react(f.mo.id, post, "mvp")) == errc::invalid_argument);
  own.reaction_kinds = std::vector<std::string>{};
  ok(f->update_space(f.ada.id, raids.id, own));
  CHECK(ok(f->react(f.mo.id, post, "mvp")));

  // Set at creation too; bad rules are refused and change nothing.
  NewSpace spec{f.guild.id, SpaceKind::channel, "emotes", ""};
  spec.reaction_kinds = {"wave"};
  auto emotes = ok(f->create_space(f.ada.id, spec));
  CHECK(emotes.reaction_kinds == std::vector<std::string>{"wave"});
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"has space"}, {""}, {std::string(33, 'k')}, {"dup", "dup"}, {"\xC3\xA9"}}) {
    SpaceUpdate u;
    u.reaction_kinds = bad;
    CHECK(code_of(f->update_space(f.ada.id, f.guild.id, u)) == errc::invalid_argument);
  }
  SpaceUpdate orphan;  // not-own kinds with no kinds of its own
  orphan.no_self_reaction = std::vector<std::string>{"gg"};
  CHECK(code_of(f->update_space(f.ada.id, raids.id, orphan)) == errc::invalid_argument);
  NewSpace bad_spec{f.guild.id, SpaceKind::channel, "x", ""};
  bad_spec.no_self_reaction = {"gg"};
  CHECK(code_of(f->create_space(f.ada.id, bad_spec)) == errc::invalid_argument);
  CHECK(ok(f->get_space(MemberId{}, f.guild.id)).reaction_kinds ==
        std::vector<std::string>{"gg", "mvp"});
}

TEST_CASE("moderators remove posts with a reason, keep their text, and restore them", "[threads]") {
  Forum f;
  auto t = ok(f->create_thread(f.bo.id, f.guild.id, "Trade", "WTS sword"));
  auto spam = ok(f->reply(f.cy.id, t.first_post.id, "cheap gold at example.com"));
  CHECK(code_of(f->remove_post(f.bo.id, spam.id, "spam")) == errc::forbidden);
  CHECK(ok(f->remove_post(f.mo.id, spam.id, "spam")));
  CHECK_FALSE(ok(f->remove_post(f.mo.id, spam.id, "again")));
  // Readers see a tombstone with the reason; a moderator still reads the text.
  auto seen = ok(f->get_post(f.bo.id, spam.id));
  CHECK(seen.removed);
  CHECK(seen.body.empty());
  CHECK(seen.removal_reason == "spam");
  CHECK(seen.removed_by == f.mo.id);
  CHECK(ok(f->get_post(f.mo.id, spam.id)).body == "cheap gold at example.com");
  auto page = ok(f->get_thread_page(MemberId{}, t.thread.id, {}));
  REQUIRE(page.items.size() == 2);
  CHECK(page.items[1].body.empty());
  // Nobody edits, reacts to or accepts a removed post; the author cannot delete it away.
  CHECK(code_of(f->edit_post(f.cy.id, spam.id, "sorry")) == errc::gone);
  CHECK(code_of(f->react(f.bo.id, spam.id, "heart")) == errc::gone);
  CHECK(code_of(f->delete_post(f.cy.id, spam.id)) == errc::gone);
  // Restored: as it was.
  CHECK(ok(f->restore_post(f.mo.id, spam.id)));
  CHECK_FALSE(ok(f->restore_post(f.mo.id, spam.id)));
  auto back = ok(f->get_post(f.bo.id, spam.id));
  CHECK_FALSE(back.removed);
  CHECK(back.body == "cheap gold at example.com");
  CHECK(back.removal_reason.empty());
  // Removing the first post takes the thread out of the listing; restoring brings it back.
  ok(f->remove_post(f.mo.id, t.first_post.id, "duplicate"));
  CHECK(ok(f->list_threads(MemberId{}, f.guild.id, {})).items.empty());
  CHECK(ok(f->get_space(MemberId{}, f.guild.id)).thread_count == 0);
  ok(f->restore_post(f.mo.id, t.first_post.id));
  CHECK(ok(f->list_threads(MemberId{}, f.guild.id, {})).items.size() == 1);
  CHECK(ok(f->get_space(MemberId{}, f.guild.id)).thread_count == 1);
  // Rank order: a moderator cannot remove the owner's post.
  auto by_ada = ok(f->reply(f.ada.id, t.first_post.id, "Rules: no gold selling."));
  CHECK(code_of(f->remove_post(f.mo.id, by_ada.id, "")) == errc::forbidden);
  CHECK(code_of(f->remove_post(f.mo.id, PostId{4242}, "")) == errc::not_found);
}

TEST_CASE("the edit window closes editing, by the engine's clock", "[threads]") {
  EngineOptions options;
  options.edit_window_ms = 10 * 60'000;
  Community c(options);
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "T", "typo"));
  c.clock->advance(9 * 60'000);
  ok(c->edit_post(c.bo.id, t.first_post.id, "fixed"));
  c.clock->advance(2 * 60'000);
  CHECK(code_of(c->edit_post(c.bo.id, t.first_post.id, "late")) == errc::forbidden);
  CHECK(ok(c->get_post(MemberId{}, t.first_post.id)).body == "fixed");
}

TEST_CASE("mentions: who is named, who may read it, and how many one may name", "[threads]") {
  Forum f;
  auto officers = ok(f->create_space(
      f.ada.id, {f.guild.id, SpaceKind::channel, "officers", "", Visibility::private_, {}, 0}));
  REQUIRE(ok(f->add_member(f.ada.id, officers.id, f.bo.id)));
  auto last_mentions = [&] {
    auto events = ok(f->read_events(0, 200));
    while (events.back().type == EventType::notification ||
           events.back().type == EventType::badge_awarded)
      events.pop_back();  // those it caused
    const std::string& payload = events.back().payload;
    return payload.substr(payload.find("\"mentions\":"));
  };
  auto id = [](const Member& m) { return "\"" + std::to_string(m.id.value) + "\""; };
  // Cy is named but may not read the officers' channel: only Ada is passed on. Mo is named
  // twice, in another case; an e-mail address and an unknown handle are just text.
  auto t = ok(f->create_thread(f.bo.id, officers.id, "Plan",
                               "@ada and @cy.3, mail me at bo@example.com, ask @nobody."));
  CHECK(last_mentions() == "\"mentions\":[" + id(f.ada) + "]}");
  ok(f->reply(f.bo.id, t.first_post.id, "ping @MO_MOD and @mo_mod, also @bo_2 (me)."));
  CHECK(last_mentions() == "\"mentions\":[]}");  // Mo is not in the channel; naming oneself: no
  auto g = ok(f->create_thread(f.bo.id, f.guild.id, "Hi", "thanks @mo_mod."));
  CHECK(last_mentions() == "\"mentions\":[" + id(f.mo) + "]}");
  // An edit names only those it adds.
  ok(f->edit_post(f.bo.id, g.first_post.id, "thanks @mo_mod and @cy.3!"));
  CHECK(last_mentions() == "\"mentions\":[" + id(f.cy) + "]}");
  // More than mentions_max members: forbidden without mention_many.
  std::string crowd;
  for (int i = 0; i < 11; ++i) {
    auto m = ok(f->create_member("crowd_" + std::to_string(i), "C"));
    crowd += " @" + m.handle;
  }
  CHECK(code_of(f->create_thread(f.bo.id, f.guild.id, "All", crowd)) == errc::forbidden);
  ok(f->create_thread(f.mo.id, f.guild.id, "All", crowd));  // moderators may mention many
}

TEST_CASE("tags: a space's vocabulary, a few per thread, listings by tag", "[threads]") {
  Forum f;
  CHECK(code_of(f->update_space(f.ada.id, f.guild.id,
                                {{}, {}, {}, {}, std::vector<std::string>{"bad tag"}})) ==
        errc::invalid_argument);
  auto s = ok(f->update_space(
      f.ada.id, f.guild.id,
      {{}, {}, {}, {}, std::vector<std::string>{"Raid", "trade", "lfg", "raid", "pvp", "help"}}));
  CHECK(s.tags == std::vector<std::string>{"help", "lfg", "pvp", "raid", "trade"});
  auto a = ok(f->create_thread(f.bo.id, f.guild.id, "Friday", "b", ThreadKind::discussion,
                               {"raid", "LFG"}));
  CHECK(a.thread.tags == std::vector<std::string>{"lfg", "raid"});
  auto b =
      ok(f->create_thread(f.cy.id, f.guild.id, "Selling", "b", ThreadKind::discussion, {"trade"}));
  auto c = ok(f->create_thread(f.cy.id, f.guild.id, "Raid help?", "b", ThreadKind::question,
                               {"raid", "help"}));
  // Not in the vocabulary, too many, malformed: refused.
  CHECK(code_of(f->create_thread(f.bo.id, f.guild.id, "x", "b", ThreadKind::discussion,
                                 {"raids"})) == errc::invalid_argument);
  CHECK(code_of(f->create_thread(f.bo.id, f.guild.id, "x", "b", ThreadKind::discussion,
                                 {"raid", "lfg", "pvp", "help", "trade", "extra"})) ==
        errc::invalid_argument);
  auto by_tag = [&](const std::string& tag, bool unanswered = false) {
    std::vector<std::string> out;
    for (const Thread& t : ok(f->list_threads(MemberId{}, f.guild.id, {}, {unanswered, tag})).items)
      out.push_back(t.title);
    return out;
  };
  CHECK(by_tag("raid") == std::vector<std::string>{"Raid help?", "Friday"});
  CHECK(by_tag("RAID", true) == std::vector<std::string>{"Raid help?"});
  CHECK(by_tag("trade") == std::vector<std::string>{"Selling"});
  CHECK(by_tag("pvp").empty());
  CHECK(code_of(f->list_threads(MemberId{}, f.guild.id, {}, {false, "no good"})) ==
        errc::invalid_argument);
  // Retagging: the author or a moderator; others not.
  CHECK(code_of(f->set_thread_tags(f.cy.id, a.thread.id, {"pvp"})) == errc::forbidden);
  CHECK(ok(f->set_thread_tags(f.bo.id, a.thread.id, {"pvp"})).tags ==
        std::vector<std::string>{"pvp"});
  CHECK(ok(f->set_thread_tags(f.mo.id, b.thread.id, {})).tags.empty());
  CHECK(by_tag("raid") == std::vector<std::string>{"Raid help?"});
  CHECK(by_tag("pvp") == std::vector<std::string>{"Friday"});
  CHECK(by_tag("trade").empty());
  CHECK(ok(f->get_thread(MemberId{}, c.thread.id)).tags ==
        std::vector<std::string>{"help", "raid"});
  // A tag dropped from the vocabulary stays on the threads that carry it.
  ok(f->update_space(f.ada.id, f.guild.id, {{}, {}, {}, {}, std::vector<std::string>{"help"}}));
  CHECK(by_tag("raid") == std::vector<std::string>{"Raid help?"});
  CHECK(code_of(f->set_thread_tags(f.cy.id, c.thread.id, {"raid"})) == errc::invalid_argument);
}

TEST_CASE("pages stay whole while others post: no duplicate, no gap", "[threads][pagination]") {
  Forum f;
  auto t = ok(f->create_thread(f.bo.id, f.guild.id, "Busy", "first"));
  std::vector<PostId> before{t.first_post.id};
  for (int i = 0; i < 9; ++i)
    before.push_back(ok(f->reply(f.cy.id, t.first_post.id, "r" + std::to_string(i))).id);
  // Thread pages (by post id) while replies keep coming: every page after the first also sees
  // the new posts, at the end, once each.
  std::vector<PostId> seen;
  std::vector<PostId> added;
  PageRequest page{"", 3};
  do {
    auto p = ok(f->get_thread_page(MemberId{}, t.thread.id, page));
    for (const Post& post : p.items) seen.push_back(post.id);
    page.cursor = p.next_cursor;
    if (added.size() < 4) added.push_back(ok(f->reply(f.mo.id, t.first_post.id, "more")).id);
  } while (!page.cursor.empty());
  std::vector<PostId> want = before;
  want.insert(want.end(), added.begin(), added.end());
  CHECK(seen == want);

  // Thread listings (by activity): new threads while paging come before the cursor and are not
  // repeated; every thread that kept its place is listed once.
  std::vector<ThreadId> threads;
  for (int i = 0; i < 7; ++i)
    threads.insert(
        threads.begin(),
        ok(f->create_thread(f.bo.id, f.guild.id, "t" + std::to_string(i), "b")).thread.id);
  threads.push_back(t.thread.id);
  std::vector<ThreadId> listed;
  page = {"", 3};
  do {
    auto p = ok(f->list_threads(MemberId{}, f.guild.id, page));
    for (const Thread& th : p.items) listed.push_back(th.id);
    page.cursor = p.next_cursor;
    ok(f->create_thread(f.cy.id, f.guild.id, "late", "b"));
  } while (!page.cursor.empty());
  CHECK(listed == threads);
}
