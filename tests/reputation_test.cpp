// Reputation: rules, the ledger, anti-abuse, windows, leaderboards and the rebuild.
#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "failing_storage.hpp"
#include "hearth/storage/memory.hpp"
#include "support.hpp"

namespace hearth {
namespace {

using test::code_of;
using test::ok;

constexpr Timestamp wednesday_noon = 1'795'608'000'000;  // 2026-11-25T12:00:00Z
constexpr std::int64_t hour = 60 * 60 * 1000;
constexpr std::int64_t day = 24 * hour;

// A Q&A community: asker Ada, answerers Bo and Eve, voters Cy and Dee, moderator Mo (the help
// desk's owner); a public help desk everyone joined. The rules are the `qa` preset's points
// without its privileges (what an engine given no rules has) unless a test gives others.
struct QA {
  std::shared_ptr<MemoryStorage> storage = std::make_shared<MemoryStorage>();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(wednesday_noon);
  std::unique_ptr<Engine> engine;
  MemberId ada, bo, cy, dee, eve, mo;
  SpaceId desk;

  explicit QA(ReputationRules rules = ReputationRules::qa_points(), EngineOptions options = {}) {
    options.clock = clock;
    if (!options.storage) options.storage = storage;
    options.reputation = std::move(rules);
    options.reaction_kinds = {"+1", "-1", "heart"};
    engine = ok(Engine::open(std::move(options)));
    ada = ok(engine->create_member("ada", "Ada")).id;
    bo = ok(engine->create_member("bo_2", "Bo")).id;
    cy = ok(engine->create_member("cy_3", "Cy")).id;
    dee = ok(engine->create_member("dee", "Dee")).id;
    eve = ok(engine->create_member("eve", "Eve")).id;
    mo = ok(engine->create_member("mod", "Mo")).id;
    desk = ok(engine->create_space(mo, {{}, SpaceKind::forum, "Help desk", ""})).id;
    for (MemberId m : {ada, bo, cy, dee, eve}) REQUIRE(ok(engine->join_space(m, desk)));
  }
  Engine* operator->() { return engine.get(); }

  std::int64_t points(MemberId m, Period p = Period::all_time, std::string_view window = {}) {
    return ok(engine->reputation(m, desk, m, p, window)).points;
  }
  Engine::NewThread question(MemberId asker, const char* title = "How do I tame a griffin?") {
    return ok(
        engine->create_thread(asker, desk, title, "Asking for a friend.", ThreadKind::question));
  }
  PostId answer(MemberId who, PostId to, const char* body = "Bring apples.") {
    return ok(engine->reply(who, to, body)).id;
  }
  std::uint64_t rebuild() { return ok(engine->rebuild_reputation()); }

  // Ada's question with Bo's answer `a` (accepted) and Eve's `b`: Cy upvotes the question and
  // `a`, Dee downvotes `a`, `b_voter` upvotes `b`. Ada 12, Bo 23, Dee -1, Eve 10.
  struct Voted {
    Engine::NewThread q;
    PostId a, b;
  };
  Voted voted_question(MemberId b_voter) {
    auto q = question(ada);
    const PostId a = answer(bo, q.first_post.id);
    const PostId b = answer(eve, q.first_post.id, "Bring pears.");
    REQUIRE(ok(engine->react(cy, q.first_post.id, "+1")));  // Ada +10
    REQUIRE(ok(engine->react(cy, a, "+1")));                // Bo +10
    REQUIRE(ok(engine->react(dee, a, "-1")));               // Bo -2, Dee -1
    REQUIRE(ok(engine->react(b_voter, b, "+1")));           // Eve +10
    ok(engine->accept_answer(ada, q.thread.id, a));         // Bo +15, Ada +2
    REQUIRE(points(bo) == 23);
    return {std::move(q), a, b};
  }
};

TEST_CASE("the qa preset's points are those Stack Exchange gives, entry by entry", "[reputation]") {
  QA qa;
  auto q = qa.question(qa.ada);
  const PostId a = qa.answer(qa.bo, q.first_post.id);
  REQUIRE(ok(qa->react(qa.cy, q.first_post.id, "+1")));  // question upvoted: Ada +10
  REQUIRE(ok(qa->react(qa.cy, a, "+1")));                // answer upvoted: Bo +10
  REQUIRE(ok(qa->react(qa.dee, a, "-1")));               // answer downvoted: Bo -2, Dee -1
  ok(qa->accept_answer(qa.ada, q.thread.id, a));         // Bo +15, Ada +2
  CHECK(qa.points(qa.ada) == 12);
  CHECK(qa.points(qa.bo) == 23);
  CHECK(qa.points(qa.cy) == 0);
  CHECK(qa.points(qa.dee) == -1);

  // A downvote on a question costs its voter nothing.
  REQUIRE(ok(qa->react(qa.dee, q.first_post.id, "-1")));
  CHECK(qa.points(qa.ada) == 10);
  CHECK(qa.points(qa.dee) == -1);

  // Taking a vote back reverses exactly its entries.
  REQUIRE(ok(qa->unreact(qa.dee, a, "-1")));
  CHECK(qa.points(qa.bo) == 25);
  CHECK(qa.points(qa.dee) == 0);

  // A reaction kind the rules do not list moves nothing.
  REQUIRE(ok(qa->react(qa.cy, a, "heart")));
  CHECK(qa.points(qa.bo) == 25);

  // Bo's ledger tells the story: +10, -2, +15, then the reversal of the -2.
  auto history = ok(qa->reputation_history(qa.eve, qa.bo, {}));
  REQUIRE(history.items.size() == 4);
  CHECK(history.items[0].reason == ReputationReason::reaction_received);
  CHECK(history.items[0].delta == 10);
  CHECK(history.items[0].source == qa.cy);
  CHECK(history.items[0].note == "+1");
  CHECK(history.items[1].delta == -2);
  CHECK(history.items[2].reason == ReputationReason::answer_accepted);
  CHECK(history.items[2].delta == 15);
  CHECK(history.items[3].reason == ReputationReason::reversal);
  CHECK(history.items[3].note == "unreacted");
  CHECK(history.items[3].reverses == history.items[1].id);
  CHECK(history.items[3].delta == 2);
  CHECK(qa.rebuild() == 0);
}

TEST_CASE("self-reactions never count", "[reputation]") {
  auto rules = ReputationRules::qa_points();
  rules.reactions.push_back({"heart", 5, 5, 0, 0});
  QA qa(rules);
  auto q = qa.question(qa.ada);
  REQUIRE(ok(qa->react(qa.ada, q.first_post.id, "heart")));  // allowed, but earns nothing
  CHECK(qa.points(qa.ada) == 0);
  CHECK(ok(qa->reputation_history(qa.ada, qa.ada, {})).items.empty());
  REQUIRE(ok(qa->react(qa.bo, q.first_post.id, "heart")));
  CHECK(qa.points(qa.ada) == 5);
}

TEST_CASE("the daily cap limits gains from votes, not accepted answers nor losses",
          "[reputation]") {
  auto rules = ReputationRules::qa_points();
  rules.daily_cap = 25;
  QA qa(rules);
  const MemberId fay = ok(qa->create_member("fay", "Fay")).id;
  REQUIRE(ok(qa->join_space(fay, qa.desk)));
  auto q = qa.question(qa.ada);
  const PostId a = qa.answer(qa.bo, q.first_post.id);
  REQUIRE(ok(qa->react(qa.cy, a, "+1")));   // +10
  REQUIRE(ok(qa->react(qa.dee, a, "+1")));  // +10
  REQUIRE(ok(qa->react(qa.eve, a, "+1")));  // +5: the cap
  REQUIRE(ok(qa->react(fay, a, "+1")));     // +0
  CHECK(qa.points(qa.bo) == 25);
  ok(qa->accept_answer(qa.ada, q.thread.id, a));  // +15, exempt
  CHECK(qa.points(qa.bo) == 40);
  REQUIRE(ok(qa->react(qa.mo, a, "-1")));  // -2: losses are not capped
  CHECK(qa.points(qa.bo) == 38);
  // Taking back the vote that was cut to +5 takes back 5, and frees that room today.
  REQUIRE(ok(qa->unreact(qa.eve, a, "+1")));
  CHECK(qa.points(qa.bo) == 33);
  REQUIRE(ok(qa->react(qa.eve, a, "+1")));
  CHECK(qa.points(qa.bo) == 38);
  // The next UTC day has room again.
  qa.clock->advance(day);
  REQUIRE(ok(qa->unreact(fay, a, "+1")));  // its entry moved nothing: nothing to reverse
  REQUIRE(ok(qa->react(fay, a, "+1")));
  CHECK(qa.points(qa.bo) == 48);
  CHECK(qa.rebuild() == 0);
}

TEST_CASE("serial voting is reversed, logged, and voids further votes in the window",
          "[reputation]") {
  auto rules = ReputationRules::qa_points();
  rules.serial_votes = 3;
  rules.serial_window_ms = hour;
  QA qa(rules);
  std::vector<PostId> answers;
  for (int i = 0; i < 5; ++i) {
    auto q = qa.question(qa.ada, "Question");
    answers.push_back(qa.answer(qa.bo, q.first_post.id));
  }
  std::vector<Event> events;
  ok(qa->subscribe(ok(qa->last_event_seq()), [&](const Event& e) {
    if (e.type == EventType::reputation_changed) events.push_back(e);
  }));
  REQUIRE(ok(qa->react(qa.cy, answers[0], "+1")));
  REQUIRE(ok(qa->react(qa.cy, answers[1], "-1")));  // -2 to Bo, -1 to Cy
  CHECK(qa.points(qa.bo) == 8);
  CHECK(qa.points(qa.cy) == -1);
  REQUIRE(ok(qa->react(qa.cy, answers[2], "+1")));  // the third in the hour: all reversed
  CHECK(qa.points(qa.bo) == 0);
  CHECK(qa.points(qa.cy) == 0);
  REQUIRE(ok(qa->react(qa.cy, answers[3], "+1")));  // still in the window: void
  CHECK(qa.points(qa.bo) == 0);
  // Each reversal is in the ledger with its reason, and pushed as an event.
  auto history = ok(qa->reputation_history(qa.bo, qa.bo, {}));
  int serial = 0;
  for (const auto& e : history.items)
    if (e.reason == ReputationReason::reversal && e.note == "serial_voting") ++serial;
  CHECK(serial == 2);
  CHECK(events.size() == 2 + 1 + 3);  // +10; -2 and -1; three reversals
  // Another member's votes are not affected.
  REQUIRE(ok(qa->react(qa.dee, answers[4], "+1")));
  CHECK(qa.points(qa.bo) == 10);
  // Once the window has passed, Cy's votes count again.
  qa.clock->advance(2 * hour);
  REQUIRE(ok(qa->react(qa.cy, answers[4], "+1")));
  CHECK(qa.points(qa.bo) == 20);
  CHECK(qa.rebuild() == 0);
}

TEST_CASE("removing or deleting a post reverses its entries, restoring gives them back",
          "[reputation]") {
  QA qa;
  const auto [q, a, b] = qa.voted_question(qa.dee);

  // The moderator removes Bo's answer: its votes and its acceptance are reversed, the
  // downvoter's cost too.
  REQUIRE(ok(qa->remove_post(qa.mo, a, "spam")));
  CHECK(qa.points(qa.bo) == 0);
  CHECK(qa.points(qa.ada) == 10);
  CHECK(qa.points(qa.dee) == 0);
  REQUIRE(ok(qa->restore_post(qa.mo, a)));
  CHECK(qa.points(qa.bo) == 23);
  CHECK(qa.points(qa.ada) == 12);
  CHECK(qa.points(qa.dee) == -1);
  // A vote taken back after a restoration reverses the restored entry.
  REQUIRE(ok(qa->unreact(qa.cy, a, "+1")));
  CHECK(qa.points(qa.bo) == 13);

  // Eve deletes her answer: for good.
  ok(qa->delete_post(qa.eve, b));
  CHECK(qa.points(qa.eve) == 0);

  // Removing the question takes the whole thread's entries; restoring it brings back only
  // what its removal took.
  REQUIRE(ok(qa->remove_post(qa.mo, q.first_post.id, "duplicate")));
  CHECK(qa.points(qa.ada) == 0);
  CHECK(qa.points(qa.bo) == 0);
  CHECK(qa.points(qa.dee) == 0);
  REQUIRE(ok(qa->restore_post(qa.mo, q.first_post.id)));
  CHECK(qa.points(qa.ada) == 12);
  CHECK(qa.points(qa.bo) == 13);
  CHECK(qa.points(qa.eve) == 0);  // her deleted answer's entries stay reversed
  CHECK(qa.rebuild() == 0);
}

TEST_CASE("erasing a member reverses their points and what their votes gave, never rewriting",
          "[reputation][erasure]") {
  QA qa;
  const auto [q, a, b] = qa.voted_question(qa.cy);
  CHECK(ok(qa->leaderboard(MemberId{}, qa.desk, Period::all_time, "", {})).items.size() == 4);

  // Cy, who only voted, is erased: the points their votes gave are reversed, one entry each.
  ok(qa->erase_member(qa.cy));
  CHECK(qa.points(qa.ada) == 2);
  CHECK(qa.points(qa.bo) == 13);
  CHECK(qa.points(qa.eve) == 0);
  CHECK(qa.points(qa.dee) == -1);  // Dee's own downvote cost is Dee's
  auto bo_history = ok(qa->reputation_history(qa.ada, qa.bo, {}));
  REQUIRE(bo_history.items.size() == 4);  // +10, -2, +15 and the reversal of the +10
  CHECK(bo_history.items[3].reason == ReputationReason::reversal);
  CHECK(bo_history.items[3].note == "member_erased");
  CHECK(bo_history.items[3].reverses == bo_history.items[0].id);
  CHECK(bo_history.items[3].source == qa.cy);
  CHECK(bo_history.items[3].delta == -10);
  // The reactions themselves stay, counted, under the erased placeholder.
  CHECK(ok(qa->get_post(qa.ada, a)).reactions.size() == 2);

  // Bo, who earned, is erased: every live entry of theirs is reversed, so Bo leaves the boards;
  // the acceptance Ada got stays with the content, and so does Dee's cost.
  ok(qa->erase_member(qa.bo));
  CHECK(qa.points(qa.bo) == 0);
  CHECK(qa.points(qa.bo, Period::week) == 0);
  CHECK(qa.points(qa.ada) == 2);
  CHECK(qa.points(qa.dee) == -1);
  auto board = ok(qa->leaderboard(MemberId{}, qa.desk, Period::all_time, "", {})).items;
  REQUIRE(board.size() == 2);
  CHECK(board[0].member == qa.ada);
  CHECK(board[1].member == qa.dee);
  CHECK(ok(qa->leaderboard(MemberId{}, qa.desk, Period::week, "", {})).items.size() == 2);
  CHECK(ok(qa->reputation(MemberId{}, qa.desk, qa.bo)).rank == 2);  // 0 ranks after Ada
  CHECK(qa.rebuild() == 0);

  // Removing and restoring the answer afterwards brings back only what the removal took.
  REQUIRE(ok(qa->remove_post(qa.mo, a, "spam")));
  CHECK(qa.points(qa.ada) == 0);
  CHECK(qa.points(qa.dee) == 0);
  REQUIRE(ok(qa->restore_post(qa.mo, a)));
  CHECK(qa.points(qa.ada) == 2);
  CHECK(qa.points(qa.dee) == -1);
  CHECK(qa.points(qa.bo) == 0);
  CHECK(qa.rebuild() == 0);
  // Nothing was rewritten: Bo's three credits and the three reversals are all there.
  CHECK(ok(qa->reputation_history(qa.ada, qa.bo, {})).items.size() == 6);
}

TEST_CASE("a failed erasure leaves the member, their points and their spaces as they were",
          "[reputation][erasure]") {
  auto failing =
      std::make_shared<test::FailingMethod>(std::make_shared<MemoryStorage>(), "update_member");
  EngineOptions options;
  options.storage = failing;
  QA qa(ReputationRules::qa_points(), options);
  auto q = qa.question(qa.ada);
  REQUIRE(ok(qa->react(qa.cy, q.first_post.id, "+1")));
  failing->fail_at = 0;  // the erasure's last write
  CHECK(code_of(qa->erase_member(qa.cy)) == errc::storage_error);
  CHECK(qa.points(qa.ada) == 10);
  const Member cy = ok(qa->get_member(qa.cy));
  CHECK(cy.handle == "cy_3");
  CHECK(cy.active);
  CHECK(cy.erased_at == 0);
  CHECK(ok(qa->get_space(qa.cy, qa.desk)).member_count == 6);
  CHECK(ok(qa->reputation_history(qa.ada, qa.ada, {})).items.size() == 1);
  ok(qa->erase_member(qa.cy));
  CHECK(qa.points(qa.ada) == 0);
  CHECK(ok(qa->get_space(qa.ada, qa.desk)).member_count == 5);
}

TEST_CASE("changing the accepted answer moves its points", "[reputation]") {
  QA qa;
  auto q = qa.question(qa.ada);
  const PostId a = qa.answer(qa.bo, q.first_post.id);
  const PostId b = qa.answer(qa.eve, q.first_post.id, "Bring pears.");
  const PostId own = qa.answer(qa.ada, q.first_post.id, "Solved it myself.");
  ok(qa->accept_answer(qa.ada, q.thread.id, a));
  CHECK(qa.points(qa.bo) == 15);
  CHECK(qa.points(qa.ada) == 2);
  ok(qa->accept_answer(qa.ada, q.thread.id, b));
  CHECK(qa.points(qa.bo) == 0);
  CHECK(qa.points(qa.eve) == 15);
  CHECK(qa.points(qa.ada) == 2);
  ok(qa->accept_answer(qa.ada, q.thread.id, own));  // one's own answer earns nothing
  CHECK(qa.points(qa.eve) == 0);
  CHECK(qa.points(qa.ada) == 0);
  ok(qa->accept_answer(qa.ada, q.thread.id, b));
  ok(qa->accept_answer(qa.ada, q.thread.id, PostId{}));
  CHECK(qa.points(qa.eve) == 0);
  CHECK(qa.points(qa.ada) == 0);
  CHECK(qa.rebuild() == 0);
}

TEST_CASE("guilds keep scopes of their own, with host awards and a season window", "[reputation]") {
  auto guild_rules = ReputationRules::guild();
  guild_rules.windows.push_back({"s1", wednesday_noon - day, wednesday_noon + 7 * day});
  EngineOptions options;
  options.reputation_by_kind = {{SpaceKind::guild, guild_rules}};
  QA qa(ReputationRules::qa_points(), options);
  const SpaceId guild = ok(qa->create_space(qa.mo, {{}, SpaceKind::guild, "Night Owls", ""})).id;
  const SpaceId raids = ok(qa->create_space(qa.mo, {guild, SpaceKind::channel, "Raids", ""})).id;
  for (MemberId m : {qa.bo, qa.cy, qa.dee}) REQUIRE(ok(qa->join_space(m, guild)));
  REQUIRE(ok(qa->join_space(qa.bo, raids)));
  CHECK(ok(qa->reputation_scope(qa.bo, raids)) == guild);
  CHECK(ok(qa->reputation_scope(qa.bo, qa.desk)) == SpaceId{});

  auto e = ok(qa->award_reputation(qa.mo, raids, qa.bo, 120, "Cleared the Owl Tower"));
  CHECK(e.scope == guild);
  CHECK(e.reason == ReputationReason::award);
  CHECK(e.note == "Cleared the Owl Tower");
  ok(qa->award_reputation(qa.mo, guild, qa.cy, 80, "Crafted 10 potions"));
  ok(qa->award_reputation(qa.mo, guild, qa.dee, 120, "Cleared the Owl Tower"));
  ok(qa->award_reputation(qa.mo, guild, qa.dee, -20, "Left mid-raid"));

  // The guild's board, the community's untouched.
  auto board = ok(qa->leaderboard(qa.cy, raids, Period::all_time, "", {}));
  REQUIRE(board.items.size() == 3);
  CHECK(board.items[0].member == qa.bo);
  CHECK(board.items[0].points == 120);
  CHECK(board.items[1].member == qa.dee);
  CHECK(board.items[1].points == 100);
  CHECK(board.items[2].rank == 3);
  CHECK(ok(qa->leaderboard(qa.cy, qa.desk, Period::all_time, "", {})).items.empty());
  CHECK(ok(qa->reputation(qa.cy, guild, qa.bo, Period::custom, "s1")).points == 120);
  CHECK(code_of(qa->reputation(qa.cy, guild, qa.bo, Period::custom, "s2")) == errc::not_found);

  // Awards need the permission, a member, a non-zero amount within the rules' bound.
  CHECK(code_of(qa->award_reputation(qa.bo, guild, qa.cy, 5, "x")) == errc::forbidden);
  CHECK(code_of(qa->award_reputation(qa.mo, guild, qa.eve, 5, "x")) == errc::conflict);
  CHECK(code_of(qa->award_reputation(qa.mo, guild, qa.cy, 0, "x")) == errc::invalid_argument);
  CHECK(code_of(qa->award_reputation(qa.mo, guild, qa.cy, 10'001, "x")) == errc::invalid_argument);
  CHECK(code_of(qa->award_reputation(qa.mo, guild, qa.cy, 5, "")) == errc::empty_field);
  CHECK(code_of(qa->award_reputation(qa.mo, guild, qa.cy, 5, "a\nb")) == errc::invalid_argument);

  // After the season, its board stays as it was and new awards land outside it.
  qa.clock->advance(8 * day);
  ok(qa->award_reputation(qa.mo, guild, qa.cy, 500, "Season two opener"));
  CHECK(ok(qa->reputation(qa.cy, guild, qa.cy, Period::custom, "s1")).points == 80);
  CHECK(ok(qa->reputation(qa.cy, guild, qa.cy)).points == 580);
  CHECK(ok(qa->reputation(qa.cy, guild, qa.cy)).rank == 1);
  CHECK(qa.rebuild() == 0);

  // A rule set that allows no awards refuses them.
  auto no_awards = ReputationRules::qa_points();
  no_awards.awards = false;
  QA plain(no_awards);
  CHECK(code_of(plain->award_reputation(plain.mo, plain.desk, plain.bo, 5, "x")) ==
        errc::forbidden);
}

TEST_CASE("weekly and monthly boards start afresh, all-time keeps everything", "[reputation]") {
  QA qa;
  auto q = qa.question(qa.ada);
  const PostId a = qa.answer(qa.bo, q.first_post.id);
  REQUIRE(ok(qa->react(qa.cy, a, "+1")));
  CHECK(qa.points(qa.bo, Period::week) == 10);
  CHECK(qa.points(qa.bo, Period::month) == 10);
  // Monday 2026-11-30 00:00 UTC: a new week and, since it is still November, the same month.
  qa.clock->set(1'795'996'800'000);
  CHECK(qa.points(qa.bo, Period::week) == 0);
  CHECK(qa.points(qa.bo, Period::month) == 10);
  REQUIRE(ok(qa->react(qa.dee, a, "+1")));
  CHECK(qa.points(qa.bo, Period::week) == 10);
  CHECK(qa.points(qa.bo, Period::month) == 20);
  // The vote of last week taken back this week comes off last week's board, not this one.
  REQUIRE(ok(qa->unreact(qa.cy, a, "+1")));
  CHECK(qa.points(qa.bo, Period::week) == 10);
  CHECK(qa.points(qa.bo) == 10);
  qa.clock->advance(2 * day);  // December
  CHECK(qa.points(qa.bo, Period::month) == 0);
  CHECK(qa.points(qa.bo) == 10);
  CHECK(qa.rebuild() == 0);
}

TEST_CASE("leaderboards rank ties together and page without gaps", "[reputation]") {
  QA qa(ReputationRules::guild());
  std::vector<MemberId> members;
  for (int i = 0; i < 30; ++i) {
    const MemberId m = ok(qa->create_member("mem" + std::to_string(i), "M")).id;
    REQUIRE(ok(qa->join_space(m, qa.desk)));
    ok(qa->award_reputation(qa.mo, qa.desk, m, 100 - (i / 3) * 10, "points"));
    members.push_back(m);
  }
  // Three members per score: ranks 1, 1, 1, 4, 4, 4, 7, ...
  std::vector<LeaderboardEntry> all;
  PageRequest page{"", 7};
  for (;;) {
    auto p = ok(qa->leaderboard(MemberId{}, qa.desk, Period::all_time, "", page));
    all.insert(all.end(), p.items.begin(), p.items.end());
    if (p.next_cursor.empty()) break;
    page.cursor = p.next_cursor;
  }
  REQUIRE(all.size() == 30);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].member == members[i]);  // ids ascend within a score
    CHECK(all[i].rank == (i / 3) * 3 + 1);
    CHECK(all[i].points == 100 - static_cast<std::int64_t>(i / 3) * 10);
  }
  CHECK(ok(qa->reputation(MemberId{}, qa.desk, members[10])).rank == 10);
  // A member without an entry has 0 points, ranked after everyone with more.
  CHECK(ok(qa->reputation(MemberId{}, qa.desk, qa.ada)).points == 0);
  CHECK(ok(qa->reputation(MemberId{}, qa.desk, qa.ada)).rank == 31);
  CHECK(code_of(qa->leaderboard(MemberId{}, qa.desk, Period::all_time, "", {"l.zz", 5})) ==
        errc::invalid_cursor);
  CHECK(code_of(qa->reputation(MemberId{}, qa.desk, MemberId{424242})) == errc::not_found);
}

TEST_CASE("a private space's scope and ledger lines stay with those who may read it",
          "[reputation]") {
  EngineOptions options;
  options.reputation_by_kind = {{SpaceKind::guild, ReputationRules::guild()}};
  QA qa(ReputationRules::qa_points(), options);
  NewSpace secret{{}, SpaceKind::guild, "Hidden", ""};
  secret.visibility = Visibility::secret;
  const SpaceId hidden = ok(qa->create_space(qa.mo, secret)).id;
  ok(qa->award_reputation(qa.mo, hidden, qa.mo, 50, "founder"));
  CHECK(code_of(qa->leaderboard(qa.bo, hidden, Period::all_time, "", {})) == errc::not_found);
  CHECK(ok(qa->reputation_history(qa.bo, qa.mo, {})).items.empty());
  CHECK(ok(qa->reputation_history(qa.mo, qa.mo, {})).items.size() == 1);
}

TEST_CASE("rebuild recomputes totals from the ledger and repairs what differs", "[reputation]") {
  QA qa;
  auto q = qa.question(qa.ada);
  const PostId a = qa.answer(qa.bo, q.first_post.id);
  REQUIRE(ok(qa->react(qa.cy, a, "+1")));
  CHECK(qa.points(qa.bo) == 10);  // loads the board
  {
    auto tx = ok(qa.storage->begin(TxMode::write));
    ok(tx->put_reputation_total({SpaceId{}, "all", qa.bo, 999}));
    ok(tx->put_reputation_total({SpaceId{}, "all", qa.eve, 5}));  // explained by nothing
    ok(tx->commit());
  }
  CHECK(qa.rebuild() == 2);
  CHECK(qa.points(qa.bo) == 10);
  CHECK(qa.points(qa.eve) == 0);
  CHECK(qa.rebuild() == 0);
}

TEST_CASE("a failure while writing the ledger leaves neither the reaction nor any points",
          "[reputation]") {
  auto failing = std::make_shared<test::FailingMethod>(std::make_shared<MemoryStorage>(),
                                                       "add_reputation_total");
  EngineOptions options;
  options.storage = failing;
  QA qa(ReputationRules::qa_points(), options);
  auto q = qa.question(qa.ada);
  const PostId a = qa.answer(qa.bo, q.first_post.id);
  failing->fail_at = 1;  // the second total of the entry (its week)
  CHECK(code_of(qa->react(qa.cy, a, "+1")) == errc::storage_error);
  CHECK(ok(qa->get_post(qa.cy, a)).reactions.empty());
  CHECK(qa.points(qa.bo) == 0);
  CHECK(ok(qa->reputation_history(qa.bo, qa.bo, {})).items.empty());
  REQUIRE(ok(qa->react(qa.cy, a, "+1")));
  CHECK(qa.points(qa.bo) == 10);
  CHECK(qa.rebuild() == 0);
}

TEST_CASE("a random history of votes, removals and acceptances rebuilds to the live totals",
          "[reputation]") {
  auto rules = ReputationRules::qa_points();
  rules.daily_cap = 100;
  rules.serial_votes = 4;
  QA qa(rules);
  std::vector<MemberId> people{qa.ada, qa.bo, qa.cy, qa.dee, qa.eve};
  for (int i = 0; i < 15; ++i) {
    const MemberId m = ok(qa->create_member("per" + std::to_string(i), "P")).id;
    REQUIRE(ok(qa->join_space(m, qa.desk)));
    people.push_back(m);
  }
  std::mt19937 rng(20261127);
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  struct Q {
    ThreadId thread;
    PostId first;
    MemberId asker;
    std::vector<std::pair<PostId, MemberId>> answers;
  };
  std::vector<Q> questions;
  std::vector<PostId> bos;  // what Bo's fan votes for
  for (int i = 0; i < 100; ++i) bos.push_back(qa.question(qa.bo, "Bo asks").first_post.id);
  std::map<std::string, int> done;
  std::vector<std::tuple<MemberId, PostId, std::string>> given;
  for (int step = 0; step < 3000; ++step) {
    qa.clock->advance(static_cast<std::int64_t>(pick(hour)));
    const MemberId who = people[pick(people.size())];
    const std::size_t op = pick(11);
    if (op == 10) {  // a fan of Bo's votes for three of his answers at once: serial voting
      for (int k = 0; k < 3; ++k) {
        auto r = qa->react(people[6], bos[pick(bos.size())], "+1");
        if (r && *r) ++done["fan"];
      }
      continue;
    }
    if (questions.empty() || op == 0) {
      auto t = qa.question(who, "Q");
      questions.push_back({t.thread.id, t.first_post.id, who, {}});
      continue;
    }
    Q& q = questions[pick(questions.size())];
    if (op == 1) {
      auto r = qa->reply(who, q.first, "A");
      if (r) q.answers.emplace_back(r->id, who);
      continue;
    }
    std::vector<PostId> posts{q.first};
    for (auto& [p, m] : q.answers) posts.push_back(p);
    const PostId target = posts[pick(posts.size())];
    if (op <= 5) {
      const std::string kind = pick(4) == 0 ? "-1" : "+1";
      auto r = qa->react(who, target, kind);
      if (r && *r) {
        ++done["react"];
        given.emplace_back(who, target, kind);
      }
    } else if (op == 6 && !given.empty()) {
      const auto& [giver, post, kind] = given[pick(given.size())];
      auto r = qa->unreact(giver, post, kind);
      if (r && *r) ++done["unreact"];
    } else if (op == 7 && !q.answers.empty()) {
      if (qa->accept_answer(q.asker, q.thread, q.answers[pick(q.answers.size())].first))
        ++done["accept"];
    } else if (op == 8) {
      auto r = pick(2) ? qa->remove_post(qa.mo, target, "r") : qa->restore_post(qa.mo, target);
      if (r && *r) ++done["remove or restore"];
    } else {
      for (auto& [p, m] : q.answers)
        if (p == target && pick(2) == 0 && qa->delete_post(m, p)) ++done["delete"];
    }
  }
  INFO("fan votes: " << done["fan"]);
  // The history did exercise every path.
  for (const char* what : {"react", "unreact", "accept", "remove or restore", "delete"}) {
    INFO(what);
    CHECK(done[what] >= 10);
  }
  std::map<std::string, int> notes;
  for (MemberId m : people)
    for (PageRequest page{"", 200};;) {
      auto h = ok(qa->reputation_history(MemberId{}, m, page));
      for (const auto& e : h.items)
        ++notes[e.reason == ReputationReason::reversal ? e.note : "credit"];
      if (h.next_cursor.empty()) break;
      page.cursor = h.next_cursor;
    }
  for (const char* note : {"credit", "unreacted", "post_removed", "thread_removed", "post_deleted",
                           "answer_changed", "serial_voting"}) {
    INFO(note);
    CHECK(notes[note] > 0);
  }
  CHECK(qa.rebuild() == 0);
  // The board agrees with the totals, member by member, and with ranks from a full sort.
  std::vector<std::pair<std::int64_t, MemberId>> sorted;
  for (MemberId m : people) sorted.emplace_back(qa.points(m), m);
  std::sort(sorted.begin(), sorted.end(), [](auto& x, auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    std::uint64_t rank = 1;
    for (auto& [p, m] : sorted)
      if (p > sorted[i].first) ++rank;
    CHECK(ok(qa->reputation(MemberId{}, qa.desk, sorted[i].second)).rank == rank);
  }
}

TEST_CASE("privileges come with points and go when the points do", "[reputation]") {
  QA qa(ReputationRules::qa());
  auto q = qa.question(qa.ada);
  const PostId a = qa.answer(qa.bo, q.first_post.id);
  // Below 50 points Bo may not post links; below 125 he may not downvote.
  CHECK_FALSE(ok(qa->get_permissions(qa.bo, qa.desk)).has(Permission::attach_links));
  CHECK(code_of(qa->reply(qa.bo, q.first_post.id, "See https://example.com")) == errc::forbidden);
  CHECK(code_of(qa->create_thread(qa.bo, qa.desk, "www.example.com", "x")) == errc::forbidden);
  CHECK(code_of(qa->edit_post(qa.bo, a, "See http://example.com")) == errc::forbidden);
  CHECK(ok(qa->reply(qa.bo, q.first_post.id, "A bare example.com is no link")).id);
  CHECK(code_of(qa->react(qa.bo, q.first_post.id, "-1")) == errc::forbidden);
  // The owner needs no points for either.
  CHECK(ok(qa->reply(qa.mo, q.first_post.id, "See https://example.com")).id);
  REQUIRE(ok(qa->react(qa.mo, q.first_post.id, "-1")));

  for (MemberId voter : {qa.ada, qa.cy, qa.dee, qa.eve}) REQUIRE(ok(qa->react(voter, a, "+1")));
  CHECK(qa.points(qa.bo) == 40);
  CHECK(code_of(qa->reply(qa.bo, q.first_post.id, "https://example.com")) == errc::forbidden);
  ok(qa->accept_answer(qa.ada, q.thread.id, a));  // 55
  CHECK(ok(qa->get_permissions(qa.bo, qa.desk)).has(Permission::attach_links));
  CHECK(ok(qa->reply(qa.bo, q.first_post.id, "See https://example.com")).id);
  CHECK(ok(qa->edit_post(qa.bo, a, "Bring apples: http://example.com/apples")).id == a);
  // Falling below the threshold takes the privilege away at once.
  REQUIRE(ok(qa->unreact(qa.cy, a, "+1")));  // 45
  CHECK_FALSE(ok(qa->get_permissions(qa.bo, qa.desk)).has(Permission::attach_links));
  CHECK(code_of(qa->reply(qa.bo, q.first_post.id, "https://example.com")) == errc::forbidden);

  // A privilege changes the member role only: a deny override still closes a channel to it.
  REQUIRE(ok(qa->react(qa.cy, a, "+1")));  // 55 again
  const SpaceId news =
      ok(qa->create_space(qa.mo, {qa.desk, SpaceKind::channel, "No links here", ""})).id;
  REQUIRE(ok(qa->join_space(qa.bo, news)));
  ok(qa->set_override(qa.mo, news, builtin::member_role, {}, {Permission::attach_links}));
  CHECK(ok(qa->get_permissions(qa.bo, qa.desk)).has(Permission::attach_links));
  CHECK_FALSE(ok(qa->get_permissions(qa.bo, news)).has(Permission::attach_links));
  CHECK(code_of(qa->create_thread(qa.bo, news, "Links", "https://example.com")) == errc::forbidden);
}

TEST_CASE("leaderboards follow writers racing readers and stay equal to the totals",
          "[reputation][concurrency]") {
  QA qa(ReputationRules::guild());
  std::vector<MemberId> people;
  for (int i = 0; i < 8; ++i) {
    const MemberId m = ok(qa->create_member("racer" + std::to_string(i), "R")).id;
    REQUIRE(ok(qa->join_space(m, qa.desk)));
    people.push_back(m);
  }
  ok(qa->award_reputation(qa.mo, qa.desk, people[0], 1, "load the board"));
  REQUIRE(ok(qa->leaderboard(MemberId{}, qa.desk, Period::all_time, "", {})).items.size() == 1);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w)
    threads.emplace_back([&, w] {
      for (int i = 0; i < 200; ++i)
        if (!qa->award_reputation(qa.mo, qa.desk, people[static_cast<std::size_t>((i + w) % 8)],
                                  (i % 7) - 2 == 0 ? 1 : (i % 7) - 2, "race"))
          ++failures;
    });
  for (int r = 0; r < 2; ++r)
    threads.emplace_back([&] {
      while (!stop.load()) {
        auto board = qa->leaderboard(MemberId{}, qa.desk, Period::week, "", {"", 50});
        auto mine = qa->reputation(MemberId{}, qa.desk, people[3]);
        if (!board || !mine) ++failures;
      }
    });
  threads[0].join();
  threads[1].join();
  stop = true;
  for (std::size_t i = 2; i < threads.size(); ++i) threads[i].join();
  CHECK(failures.load() == 0);
  // The boards the readers loaded while the writers ran hold what the ledger says (checked
  // before the rebuild, which reloads them).
  for (Period p : {Period::all_time, Period::week}) {
    auto board = ok(qa->leaderboard(MemberId{}, qa.desk, p, "", {"", 50}));
    for (const auto& e : board.items) {
      std::int64_t sum = 0;
      for (PageRequest page{"", 200};;) {
        auto h = ok(qa->reputation_history(MemberId{}, e.member, page));
        for (const auto& entry : h.items) sum += entry.delta;
        if (h.next_cursor.empty()) break;
        page.cursor = h.next_cursor;
      }
      CHECK(e.points == sum);
    }
  }
  CHECK(qa.rebuild() == 0);
}

TEST_CASE("rules load from JSON, start from a preset, and name the field that is wrong",
          "[reputation]") {
  for (auto& preset : {ReputationRules::qa(), ReputationRules::qa_points(),
                       ReputationRules::forum(), ReputationRules::guild()}) {
    REQUIRE(preset.validate());
    auto back = ok(ReputationRules::from_json(preset.to_json()));
    CHECK(back.to_json() == preset.to_json());
  }
  auto r = ok(ReputationRules::from_json(
      R"({"preset": "qa", "daily_cap": 50, "windows": [{"name": "s1", "from": 0, "to": 10}]})"));
  CHECK(r.daily_cap == 50);
  CHECK(r.accepted_answerer == 15);
  REQUIRE(r.windows.size() == 1);
  CHECK(r.windows[0].name == "s1");
  auto custom = ok(ReputationRules::from_json(
      R"({"reactions": [{"kind": "gg", "on_reply": 3, "giver_reply": -1, "min_points": 7}],
          "awards": false, "privileges": [{"points": 20, "permission": "attach_links"}]})"));
  CHECK(custom.points_for("gg")->min_points == 7);
  REQUIRE(custom.privileges.size() == 1);
  CHECK(custom.privileges[0].points == 20);
  CHECK(custom.earned(19).empty());
  CHECK(custom.earned(20) == Permissions{Permission::attach_links});
  REQUIRE(custom.reactions.size() == 1);
  CHECK(custom.points_for("gg")->on_reply == 3);
  CHECK(custom.points_for("gg")->giver_reply == -1);
  CHECK(custom.points_for("+1") == nullptr);
  CHECK_FALSE(custom.awards);

  const std::pair<const char*, const char*> bad[] = {
      {"[1]", "expected a JSON object"},
      {"{", "not JSON"},
      {R"({"preset": "chess"})", "preset"},
      {R"({"daily_cap": -1})", "daily_cap"},
      {R"({"daily_cap": "200"})", "daily_cap"},
      {R"({"dailycap": 200})", "dailycap: unknown field"},
      {R"({"reactions": [{"kind": "+1"}, {"kind": "+1"}]})", "reactions[1].kind: repeated"},
      {R"({"reactions": [{"on_reply": 3}]})", "reactions[0].kind: missing"},
      {R"({"reactions": [{"kind": "a b"}]})", "reactions[0].kind"},
      {R"({"reactions": [{"kind": "x", "on_reply": 2000000}]})", "reactions[0].on_reply"},
      {R"({"windows": [{"name": "S1", "from": 0, "to": 1}]})", "windows[0].name"},
      {R"({"windows": [{"name": "s", "from": 5, "to": 5}]})", "windows[0]"},
      {R"({"serial_window_ms": 0})", "serial_window_ms"},
      {R"({"award_max": 0})", "award_max"},
      {R"({"privileges": [{"points": 5, "permission": "fly"}]})", "privileges[0].permission"},
      {R"({"privileges": [{"points": 0, "permission": "pin"}]})", "privileges[0].points"},
      {R"({"privileges": [{"points": 5, "permission": "pin"}, {"points": 9, "permission": "pin"}]})",
       "privileges[1].permission: repeated"},
      {R"({"reactions": [{"kind": "x", "min_points": -1}]})", "reactions[0].min_points"},
  };
  for (auto [text, field] : bad) {
    std::string why;
    auto parsed = ReputationRules::from_json(text, &why);
    INFO(text << " -> " << why);
    CHECK(code_of(parsed) == errc::invalid_argument);
    CHECK(why.find(field) != std::string::npos);
  }
  EngineOptions options;
  options.reputation.daily_cap = -5;
  CHECK(code_of(Engine::open(options)) == errc::invalid_argument);
  EngineOptions by_kind;
  by_kind.reputation_by_kind = {{SpaceKind::guild, ReputationRules{}}};
  by_kind.reputation_by_kind[0].second.award_max = 0;
  CHECK(code_of(Engine::open(by_kind)) == errc::invalid_argument);
}

}  // namespace
}  // namespace hearth
