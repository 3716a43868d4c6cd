// Trust levels: the activity the engine counts, the levels it earns and loses, level 0's link
// restriction, the host's pinned levels, and the rules.
#include <vector>

#include "hearth/storage/memory.hpp"
#include "support.hpp"

namespace hearth {
namespace {

using test::code_of;
using test::Community;
using test::ok;

constexpr std::int64_t minute = 60 * 1000;
constexpr std::int64_t day = 24 * 60 * minute;

// Small rules, so that a test reaches each level in a few steps.
TrustRules small_rules() {
  TrustRules r;
  r.level1 = {.posts_read = 2};
  r.level2 = {.days_visited = 2,
              .posts_read = 2,
              .reactions_given = 1,
              .reactions_received = 1,
              .replies = 1};
  r.level3 = {.days_visited = 3, .replies = 2, .trailing_days = 10, .max_flags_against = 0};
  return r;
}

EngineOptions with_rules(TrustRules rules) {
  EngineOptions o;
  o.trust = std::move(rules);
  return o;
}

// Threads by Ada in the guild, for Bo to read.
std::vector<Engine::NewThread> threads(Community& c, int n) {
  std::vector<Engine::NewThread> out;
  for (int i = 0; i < n; ++i)
    out.push_back(
        ok(c->create_thread(c.ada.id, c.guild.id, "Thread " + std::to_string(i), "Read me")));
  return out;
}

// The trust_level_changed events in the log, as (member, level, previous) payloads.
std::vector<std::string> level_events(Engine& e) {
  std::vector<std::string> out;
  for (const Event& ev : ok(e.read_events(0, 200)))
    if (ev.type == EventType::trust_level_changed) {
      CHECK_FALSE(ev.space);
      out.push_back(ev.payload);
    }
  return out;
}

std::string level_payload(MemberId m, int level, int previous) {
  return "{\"member\":\"" + std::to_string(m.value) + "\",\"level\":" + std::to_string(level) +
         ",\"previous\":" + std::to_string(previous) + "}";
}

std::uint8_t level_of(Community& c, MemberId m) { return ok(c->trust_level(c.ada.id, m)).level; }

TEST_CASE("the default rules give level 1 exactly at 5 threads, 30 posts and 10 minutes",
          "[trust]") {
  Community c;
  auto ts = threads(c, 5);
  for (int i = 0; i < 4; ++i)
    CHECK(ok(c->record_reading(c.bo.id, ts[static_cast<std::size_t>(i)].thread.id, 6, 2 * minute))
              .level == 0);
  // 5 threads and 10 minutes, one post short.
  auto a = ok(c->record_reading(c.bo.id, ts[4].thread.id, 5, 2 * minute));
  CHECK(a.threads_entered == 5);
  CHECK(a.posts_read == 29);
  CHECK(a.read_ms == 10 * minute);
  CHECK(a.level == 0);
  // Reading a thread again counts its posts, not the thread.
  a = ok(c->record_reading(c.bo.id, ts[4].thread.id, 1, 0));
  CHECK(a.threads_entered == 5);
  CHECK(a.posts_read == 30);
  CHECK(a.level == 1);
  CHECK(level_of(c, c.bo.id) == 1);
  CHECK(level_events(*c.engine) == std::vector{level_payload(c.bo.id, 1, 0)});
}

TEST_CASE("level 2 comes exactly when the last requirement is met, and is kept", "[trust]") {
  Community c(with_rules(small_rules()));
  auto t = threads(c, 1)[0];
  CHECK(ok(c->record_reading(c.bo.id, t.thread.id, 2, minute)).level == 1);
  CHECK(ok(c->record_visit(c.bo.id)).level == 1);
  const Post reply = ok(c->reply(c.bo.id, t.first_post.id, "Hello"));
  CHECK(ok(c->react(c.bo.id, t.first_post.id, "heart")));
  // A reaction to one's own post counts neither as given nor as received.
  CHECK(ok(c->react(c.bo.id, reply.id, "heart")));
  auto a = ok(c->trust_level(c.cy.id, c.bo.id));
  CHECK(a.reactions_given == 1);
  CHECK(a.reactions_received == 0);
  CHECK(a.replies == 1);
  CHECK(ok(c->react(c.ada.id, reply.id, "heart")));
  a = ok(c->trust_level(c.cy.id, c.bo.id));
  CHECK(a.reactions_received == 1);
  CHECK(a.days_visited == 1);
  CHECK(a.level == 1);  // one day short
  CHECK(ok(c->trust_level(c.cy.id, c.ada.id)).reactions_given == 1);
  CHECK(ok(c->trust_level(c.cy.id, c.ada.id)).threads_created == 1);
  c.clock->advance(day);
  CHECK(ok(c->record_visit(c.bo.id)).level == 2);
  // Level 2 is never lost, however long Bo stays away.
  c.clock->advance(400 * day);
  CHECK(ok(c->record_visit(c.bo.id)).level == 2);
  CHECK(level_events(*c.engine) ==
        std::vector{level_payload(c.bo.id, 1, 0), level_payload(c.bo.id, 2, 1)});
}

TEST_CASE("level 3 is earned over the trailing window and lost on the first visit after it",
          "[trust]") {
  Community c(with_rules(small_rules()));
  auto t = threads(c, 1)[0];
  // Day 0: Bo reaches level 2 and replies twice.
  ok(c->record_reading(c.bo.id, t.thread.id, 2, minute));
  ok(c->record_visit(c.bo.id));
  ok(c->react(c.bo.id, t.first_post.id, "heart"));
  const Post reply = ok(c->reply(c.bo.id, t.first_post.id, "One"));
  ok(c->react(c.ada.id, reply.id, "heart"));
  c.clock->advance(day);
  CHECK(ok(c->record_visit(c.bo.id)).level == 2);  // day 1: level 2, one reply short of 3
  CHECK(ok(c->reply(c.bo.id, t.first_post.id, "Two")).id);
  CHECK(level_of(c, c.bo.id) == 2);  // two days visited in the window, one short
  c.clock->advance(day);
  CHECK(ok(c->record_visit(c.bo.id)).level == 3);  // day 2
  // Nothing re-evaluates while Bo is away: the level shows as it was last computed.
  c.clock->advance(8 * day);  // day 10: the window (days 1..10) has lost day 0's reply
  CHECK(level_of(c, c.bo.id) == 3);
  auto a = ok(c->record_visit(c.bo.id));
  CHECK(a.level == 2);
  CHECK(a.days_visited == 4);
  // Taking part again earns it back.
  ok(c->reply(c.bo.id, t.first_post.id, "Three"));
  CHECK(level_of(c, c.bo.id) == 3);
  CHECK(level_events(*c.engine) ==
        std::vector{level_payload(c.bo.id, 1, 0), level_payload(c.bo.id, 2, 1),
                    level_payload(c.bo.id, 3, 2), level_payload(c.bo.id, 2, 3),
                    level_payload(c.bo.id, 3, 2)});
}

TEST_CASE("flags against a member keep level 3 from them", "[trust]") {
  TrustRules rules = small_rules();
  rules.level3 = {.days_visited = 1, .trailing_days = 10, .max_flags_against = 0};
  auto storage = std::make_shared<MemoryStorage>();
  EngineOptions o = with_rules(rules);
  o.storage = storage;
  Community c(o);
  {
    auto tx = ok(storage->begin(TxMode::write));
    MemberActivity a;
    a.member = c.bo.id;
    a.level = 2;
    a.flags_against = 1;
    ok(tx->put_member_activity(a));
    ok(tx->commit());
  }
  CHECK(ok(c->record_visit(c.bo.id)).level == 2);
}

TEST_CASE("level 4 comes only by hand and stays, whatever the activity", "[trust]") {
  Community c(with_rules(small_rules()));
  auto t = threads(c, 1)[0];
  auto a = ok(c->set_trust_level(c.bo.id, 4));
  CHECK(a.level == 4);
  CHECK(a.level_by_hand);
  CHECK(ok(c->set_trust_level(c.bo.id, 4)).level == 4);  // no change: no event
  CHECK(ok(c->record_reading(c.bo.id, t.thread.id, 2, minute)).level == 4);
  c.clock->advance(400 * day);
  CHECK(ok(c->record_visit(c.bo.id)).level == 4);
  // A pinned level 0 is kept as well (a staff decision).
  CHECK(ok(c->set_trust_level(c.cy.id, 0)).level_by_hand);
  CHECK(ok(c->record_reading(c.cy.id, t.thread.id, 2, minute)).level == 0);
  // Unpinned, the level is computed afresh from the activity.
  a = ok(c->clear_trust_level(c.bo.id));
  CHECK_FALSE(a.level_by_hand);
  CHECK(a.level == 1);
  CHECK(ok(c->clear_trust_level(c.cy.id)).level == 1);
  CHECK(level_events(*c.engine) == std::vector{level_payload(c.bo.id, 4, 0),
                                               level_payload(c.bo.id, 1, 4),
                                               level_payload(c.cy.id, 1, 0)});
  CHECK(code_of(c->set_trust_level(c.bo.id, 5)) == errc::invalid_argument);
  CHECK(code_of(c->set_trust_level(MemberId{999}, 1)) == errc::not_found);
  CHECK(code_of(c->clear_trust_level(MemberId{999})) == errc::not_found);
}

TEST_CASE("level 0 members may not post links until level 1", "[trust]") {
  TrustRules rules = small_rules();
  rules.new_member_links = true;
  Community c(with_rules(rules));
  auto t = threads(c, 1)[0];
  const Post plain = ok(c->reply(c.bo.id, t.first_post.id, "No link here"));
  CHECK(code_of(c->reply(c.bo.id, t.first_post.id, "See https://example.com")) == errc::forbidden);
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "www.example.com", "x")) == errc::forbidden);
  CHECK(code_of(c->edit_post(c.bo.id, plain.id, "See http://example.com")) == errc::forbidden);
  // The owner, ranked above members, is not held back at level 0.
  CHECK(ok(c->reply(c.ada.id, t.first_post.id, "See https://example.com")).id);
  // Nor is a moderator.
  REQUIRE(ok(c->join_space(c.cy.id, c.guild.id)));
  REQUIRE(ok(c->assign_role(c.ada.id, c.guild.id, c.cy.id, builtin::moderator_role)));
  CHECK(ok(c->reply(c.cy.id, t.first_post.id, "See https://example.com")).id);
  // Level 1 lifts it.
  CHECK(ok(c->record_reading(c.bo.id, t.thread.id, 2, minute)).level == 1);
  CHECK(ok(c->reply(c.bo.id, t.first_post.id, "See https://example.com")).id);
  CHECK(ok(c->edit_post(c.bo.id, plain.id, "See http://example.com")).id == plain.id);
}

TEST_CASE("with new_member_links off (the default), level 0 posts links like anyone", "[trust]") {
  CHECK_FALSE(TrustRules{}.new_member_links);
  Community c(with_rules(small_rules()));
  auto t = threads(c, 1)[0];
  CHECK(ok(c->reply(c.bo.id, t.first_post.id, "See https://example.com")).id);
}

TEST_CASE("a day visited counts once per UTC day", "[trust]") {
  Community c;  // the clock starts at midnight UTC
  auto a = ok(c->record_visit(c.bo.id));
  CHECK(a.days_visited == 1);
  CHECK(a.last_visit == c.clock->now());
  c.clock->advance(day - 1);  // 23:59:59.999 the same day
  a = ok(c->record_visit(c.bo.id));
  CHECK(a.days_visited == 1);
  CHECK(a.last_visit == c.clock->now());
  c.clock->advance(1);  // midnight: the next day
  CHECK(ok(c->record_visit(c.bo.id)).days_visited == 2);
  CHECK(ok(c->record_visit(c.bo.id)).days_visited == 2);
  c.clock->advance(3 * day);
  CHECK(ok(c->record_visit(c.bo.id)).days_visited == 3);
  CHECK(ok(c->trust_level(MemberId{}, c.bo.id)).days_visited == 3);  // public, even anonymous
  CHECK(level_events(*c.engine).empty());
}

TEST_CASE("bad reports and callers are refused", "[trust]") {
  Community c;
  auto t = threads(c, 1)[0];
  const ThreadId th = t.thread.id;
  CHECK(code_of(c->record_reading(c.bo.id, th, 1, -1)) == errc::invalid_argument);
  CHECK(code_of(c->record_reading(c.bo.id, th, 1, 60 * minute + 1)) == errc::invalid_argument);
  CHECK(code_of(c->record_reading(c.bo.id, th, 1'001, 0)) == errc::invalid_argument);
  auto a = ok(c->record_reading(c.bo.id, th, 1'000, 60 * minute));  // the bounds themselves
  CHECK(a.posts_read == 1'000);
  CHECK(a.read_ms == 60 * minute);
  CHECK(code_of(c->record_reading(c.bo.id, ThreadId{999}, 1, 0)) == errc::not_found);
  CHECK(code_of(c->record_reading(MemberId{}, th, 1, 0)) == errc::forbidden);
  CHECK(code_of(c->record_visit(MemberId{})) == errc::forbidden);
  CHECK(code_of(c->record_visit(MemberId{999})) == errc::not_found);
  CHECK(code_of(c->trust_level(c.bo.id, MemberId{999})) == errc::not_found);
  // A private space's thread, to one who is not its member; a secret one's.
  const SpaceId staff =
      ok(c->create_space(c.ada.id, {{}, SpaceKind::forum, "Staff", "", Visibility::private_})).id;
  const SpaceId hidden =
      ok(c->create_space(c.ada.id, {{}, SpaceKind::forum, "Hidden", "", Visibility::secret})).id;
  const ThreadId staff_thread = ok(c->create_thread(c.ada.id, staff, "Staff", "x")).thread.id;
  const ThreadId hidden_thread = ok(c->create_thread(c.ada.id, hidden, "Hidden", "x")).thread.id;
  CHECK(code_of(c->record_reading(c.bo.id, staff_thread, 1, 0)) == errc::forbidden);
  CHECK(code_of(c->record_reading(c.bo.id, hidden_thread, 1, 0)) == errc::not_found);
  CHECK(ok(c->record_reading(c.ada.id, hidden_thread, 1, 0)).threads_entered == 1);
  // A deleted thread.
  ok(c->delete_post(c.ada.id, t.first_post.id));
  CHECK(code_of(c->record_reading(c.bo.id, th, 1, 0)) == errc::gone);
  // A deactivated member no longer records, but their level stays readable.
  ok(c->deactivate_member(c.bo.id, c.bo.id));
  CHECK(code_of(c->record_visit(c.bo.id)) == errc::forbidden);
  CHECK(ok(c->trust_level(c.ada.id, c.bo.id)).posts_read == 1'000);
  // Nothing was counted by the refused reports.
  CHECK(ok(c->trust_level(c.ada.id, c.bo.id)).threads_entered == 1);
}

TEST_CASE("trust rules load from JSON, round-trip, and name the field that is wrong", "[trust]") {
  auto r = ok(TrustRules::from_json(R"({"level1": {"posts_read": 10}, "new_member_links": false,
                                   "first_posts_reviewed": 3})"));
  CHECK(r.level1.posts_read == 10);
  CHECK(r.first_posts_reviewed == 3);
  CHECK(r.level1.threads_entered == TrustRules{}.level1.threads_entered);  // kept its default
  CHECK_FALSE(r.new_member_links);
  auto back = ok(TrustRules::from_json(r.to_json()));
  CHECK(back.to_json() == r.to_json());
  CHECK(ok(TrustRules::from_json(TrustRules{}.to_json())).to_json() == TrustRules{}.to_json());
  struct Bad {
    const char* json;
    const char* why;
  };
  for (const Bad& bad : {
           Bad{"[1]", "expected a JSON object"},
           Bad{"{", "not JSON"},
           Bad{R"({"level5": {}})", "level5: unknown field"},
           Bad{R"({"level1": 3})", "level1: expected an object"},
           Bad{R"({"level1": {"replys": 3}})", "level1.replys: unknown field"},
           Bad{R"({"level2": {"replies": -1}})", "level2.replies: out of range"},
           Bad{R"({"level2": {"replies": "3"}})", "level2.replies: expected an integer"},
           Bad{R"({"level2": {"read_ms": 3600000001}})", "level2.read_ms: out of range"},
           Bad{R"({"level1": {"trailing_days": 5}})", "level1.trailing_days: unknown field"},
           Bad{R"({"level3": {"trailing_days": 0}})", "level3.trailing_days: out of range"},
           Bad{R"({"level3": {"trailing_days": 366}})", "level3.trailing_days: out of range"},
           Bad{R"({"level2": {"posts_read": 1}})", "level2.posts_read: below level1's"},
           Bad{R"({"new_member_links": 1})", "new_member_links: expected true or false"},
           Bad{R"({"first_posts_reviewed": 1001})", "first_posts_reviewed: out of range"},
           Bad{R"({"first_posts_reviewed": true})", "first_posts_reviewed: expected an integer"},
       }) {
    INFO(bad.json);
    std::string why;
    CHECK(code_of(TrustRules::from_json(bad.json, &why)) == errc::invalid_argument);
    CHECK(why.rfind(bad.why, 0) == 0);
  }
  TrustRules invalid;
  invalid.level3.trailing_days = 0;
  std::string why;
  CHECK(code_of(invalid.validate(&why)) == errc::invalid_argument);
  CHECK(why == "level3.trailing_days: out of range 1..365");
  EngineOptions o;
  o.trust = invalid;
  CHECK(code_of(Engine::open(std::move(o))) == errc::invalid_argument);
}

}  // namespace
}  // namespace hearth
