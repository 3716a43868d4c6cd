// Badges: each metric at its threshold, repeats, posts' badges once, helpful replies once,
// self-reactions, the events, who sees which badges, the host's grants, the rules' JSON, and a
// storage failure midway.
#include "hearth/badges.hpp"

#include <set>
#include <string>
#include <vector>

#include "hearth/storage/memory.hpp"
#include "hearth/storage/wrapper.hpp"
#include "support.hpp"

namespace hearth {
namespace {

using test::code_of;
using test::Community;
using test::ok;

constexpr std::int64_t day = 24ll * 60 * 60 * 1000;

BadgeRule counter(std::string name, BadgeMetric metric, std::uint64_t threshold,
                  bool repeat = false, std::string kind = {}) {
  BadgeRule r;
  r.name = name;
  r.title = "The " + name;
  r.metric = metric;
  r.threshold = threshold;
  r.reaction_kind = std::move(kind);
  r.repeat = repeat;
  return r;
}

EngineOptions with_badges(std::vector<BadgeRule> rules,
                          std::shared_ptr<Storage> storage = nullptr) {
  EngineOptions o;
  o.badges.badges = std::move(rules);
  o.storage = std::move(storage);
  return o;
}

// The badges `m` holds as `viewer` sees them (no id: Ada, who reads every space of these tests):
// "name#ordinal", oldest first.
std::vector<std::string> held(Community& c, MemberId m, MemberId viewer = {}) {
  std::vector<std::string> out;
  const MemberId who = viewer ? viewer : c.ada.id;
  for (const Badge& b : ok(c->badges(who, m, {.limit = 200})).items)
    out.push_back(b.grant.badge + "#" + std::to_string(b.grant.ordinal));
  return out;
}

// The badge_awarded events in the log.
std::vector<Event> badge_events(Engine& e) {
  std::vector<Event> out;
  for (const Event& ev : ok(e.read_events(0, 200)))
    if (ev.type == EventType::badge_awarded) out.push_back(ev);
  return out;
}

// Members of the guild besides Ada and Bo, to react.
std::vector<Member> reactors(Community& c, int n) {
  std::vector<Member> out;
  for (int i = 0; i < n; ++i) {
    auto m = ok(c->create_member("fan" + std::to_string(i), "Fan"));
    REQUIRE(ok(c->join_space(m.id, c.guild.id)));
    out.push_back(m);
  }
  return out;
}

// --- rules -------------------------------------------------------------------------------------

TEST_CASE("the standard badges are valid and use the default reaction kinds", "[badges]") {
  const BadgeRules standard = BadgeRules::standard();
  std::string why;
  CHECK(standard.validate(&why));
  CHECK(why.empty());
  CHECK(standard.badges.size() >= 6);
  const EngineOptions defaults;
  CHECK(defaults.badges.to_json() == standard.to_json());
  std::set<BadgeMetric> metrics;
  for (const BadgeRule& r : standard.badges) {
    metrics.insert(r.metric);
    if (r.reaction_kind.empty()) continue;
    CHECK(std::find(defaults.reaction_kinds.begin(), defaults.reaction_kinds.end(),
                    r.reaction_kind) != defaults.reaction_kinds.end());
  }
  for (BadgeMetric m :
       {BadgeMetric::accepted_answers, BadgeMetric::helpful_replies, BadgeMetric::days_visited,
        BadgeMetric::post_reactions, BadgeMetric::threads_created, BadgeMetric::replies})
    CHECK(metrics.count(m) == 1);
  REQUIRE(standard.find("first-accepted"));
  CHECK(standard.find("first-accepted")->threshold == 1);
  CHECK(standard.find("helpful")->reaction_kind == "+1");
  CHECK(standard.find("nice-answer")->repeat);
  CHECK(standard.find("nope") == nullptr);
}

TEST_CASE("badge rules round-trip through JSON", "[badges]") {
  BadgeRules rules;
  rules.badges = {counter("raid-veteran", BadgeMetric::host, 0, true),
                  counter("cheered", BadgeMetric::post_reactions, 7, false, "heart")};
  rules.badges[0].description = "Took part in a raid \"Owls\".";
  rules.badges[1].tier = BadgeTier::gold;
  auto back = ok(BadgeRules::from_json(rules.to_json()));
  REQUIRE(back.badges.size() == 2);
  CHECK(back.badges[0].name == "raid-veteran");
  CHECK(back.badges[0].description == "Took part in a raid \"Owls\".");
  CHECK(back.badges[0].metric == BadgeMetric::host);
  CHECK(back.badges[0].repeat);
  CHECK(back.badges[1].tier == BadgeTier::gold);
  CHECK(back.badges[1].threshold == 7);
  CHECK(back.badges[1].reaction_kind == "heart");
  CHECK(back.to_json() == rules.to_json());
  auto standard = ok(BadgeRules::from_json(BadgeRules::standard().to_json()));
  CHECK(standard.to_json() == BadgeRules::standard().to_json());
  // Left-out fields keep their defaults; a host badge needs no threshold.
  auto minimal = ok(BadgeRules::from_json(
      R"({"badges":[{"name":"founder","title":"Founder","metric":"host"}]})"));
  REQUIRE(minimal.badges.size() == 1);
  CHECK(minimal.badges[0].tier == BadgeTier::bronze);
  CHECK_FALSE(minimal.badges[0].repeat);
  CHECK(ok(BadgeRules::from_json("{}")).badges.empty());
}

TEST_CASE("badge rules JSON errors name their field", "[badges]") {
  struct Case {
    std::string json;
    std::string why;
  };
  const std::string a = R"({"name":"a","title":"A","metric":"replies","threshold":1})";
  for (const Case& k : std::vector<Case>{
           {R"({"badges":[)" + a + "," + a + "]}", "badges[1].name: repeated"},
           {R"({"badges":[{"name":"Bad_Name","title":"A","metric":"replies","threshold":1}]})",
            "badges[0].name: 1..40 of [a-z0-9-]"},
           {R"({"badges":[{"name":"a","title":"A","metric":"nope","threshold":1}]})",
            "badges[0].metric: unknown metric 'nope'"},
           {R"({"badges":[{"name":"a","title":"A","metric":"replies","threshold":0}]})",
            "badges[0].threshold: out of range 1..1000000000"},
           {R"({"badges":[{"name":"a","title":"A","metric":"replies"}]})",
            "badges[0].threshold: missing"},
           {R"({"badges":[{"title":"A","metric":"replies","threshold":1}]})",
            "badges[0].name: missing"},
           {R"({"badges":[)" + a + R"(,{"name":"b","title":"","metric":"replies","threshold":1}]})",
            "badges[1].title: 1..100 bytes"},
           {R"({"badges":[{"name":"a","title":"A","metric":"post_reactions","threshold":3}]})",
            "badges[0].reaction_kind: 1..32 bytes of printable ASCII, needed by post_reactions"},
           {R"({"badges":[{"name":"a","title":"A","metric":"replies","threshold":1,)"
            R"("reaction_kind":"+1"}]})",
            "badges[0].reaction_kind: only for post_reactions and helpful_replies"},
           {R"({"badges":[{"name":"a","title":"A","metric":"replies","threshold":1,"colour":1}]})",
            "badges[0].colour: unknown field"},
           {R"({"badges":[{"name":"a","title":"A","metric":"replies","threshold":1,)"
            R"("tier":"platinum"}]})",
            "badges[0].tier: one of bronze, silver, gold"},
           {R"({"badges":[{"name":"a","title":"A","metric":"replies","threshold":1,)"
            R"("repeat":"yes"}]})",
            "badges[0].repeat: expected true or false"},
           {R"({"badges":{}})", "badges: expected an array"},
           {R"({"medals":[]})", "medals: unknown field"},
           {R"([])", "expected a JSON object"},
       }) {
    INFO(k.json);
    std::string why;
    auto r = BadgeRules::from_json(k.json, &why);
    CHECK(code_of(r) == errc::invalid_argument);
    CHECK(why == k.why);
  }
  std::string why;
  CHECK(code_of(BadgeRules::from_json("{", &why)) == errc::invalid_argument);
  CHECK(why.rfind("not JSON: ", 0) == 0);
}

TEST_CASE("an engine with invalid badge rules does not open", "[badges]") {
  EngineOptions o =
      with_badges({counter("a", BadgeMetric::replies, 1), counter("a", BadgeMetric::replies, 2)});
  CHECK(code_of(Engine::open(std::move(o))) == errc::invalid_argument);
  EngineOptions none = with_badges({});
  auto e = ok(Engine::open(std::move(none)));
  CHECK(e->badge_rules().badges.empty());
}

// --- counter metrics ---------------------------------------------------------------------------

TEST_CASE("each counter metric grants exactly at its threshold and not before", "[badges]") {
  Community c(with_badges({counter("threads-2", BadgeMetric::threads_created, 2),
                           counter("replies-2", BadgeMetric::replies, 2),
                           counter("given-2", BadgeMetric::reactions_given, 2),
                           counter("received-2", BadgeMetric::reactions_received, 2),
                           counter("days-2", BadgeMetric::days_visited, 2)}));
  auto t1 = ok(c->create_thread(c.ada.id, c.guild.id, "One", "first"));
  CHECK(held(c, c.ada.id).empty());
  auto t2 = ok(c->create_thread(c.ada.id, c.guild.id, "Two", "second"));
  CHECK(held(c, c.ada.id) == std::vector<std::string>{"threads-2#1"});

  ok(c->reply(c.bo.id, t1.first_post.id, "a"));
  CHECK(held(c, c.bo.id).empty());
  ok(c->reply(c.bo.id, t2.first_post.id, "b"));
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"replies-2#1"});
  ok(c->reply(c.bo.id, t2.first_post.id, "c"));  // past the threshold: nothing more
  CHECK(held(c, c.bo.id).size() == 1);

  CHECK(ok(c->react(c.bo.id, t1.first_post.id, "heart")));
  CHECK(held(c, c.ada.id).size() == 1);
  CHECK(ok(c->react(c.bo.id, t2.first_post.id, "heart")));
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"replies-2#1", "given-2#1"});
  CHECK(held(c, c.ada.id) == std::vector<std::string>{"threads-2#1", "received-2#1"});

  ok(c->record_visit(c.bo.id));
  ok(c->record_visit(c.bo.id));  // the same day counts once
  CHECK(held(c, c.bo.id).size() == 2);
  c.clock->advance(day);
  ok(c->record_visit(c.bo.id));
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"replies-2#1", "given-2#1", "days-2#1"});
  CHECK(badge_events(*c.engine).size() == 5);
}

TEST_CASE("a repeating counter badge is granted again at 2x and 3x its threshold", "[badges]") {
  Community c(with_badges({counter("chatty", BadgeMetric::replies, 2, true),
                           counter("once", BadgeMetric::replies, 2)}));
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Talk", "go"));
  std::vector<std::size_t> after;
  for (int i = 0; i < 7; ++i) {
    ok(c->reply(c.bo.id, t.first_post.id, "r" + std::to_string(i)));
    after.push_back(held(c, c.bo.id).size());
  }
  CHECK(after == std::vector<std::size_t>{0, 2, 2, 3, 3, 4, 4});
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"chatty#1", "once#1", "chatty#2", "chatty#3"});
}

TEST_CASE("accepted answers: granted at the threshold and kept when the answer is unaccepted",
          "[badges]") {
  Community c(with_badges({counter("first-accepted", BadgeMetric::accepted_answers, 1),
                           counter("two-accepted", BadgeMetric::accepted_answers, 2)}));
  auto q1 = ok(c->create_thread(c.ada.id, c.guild.id, "How?", "q", ThreadKind::question));
  auto q2 = ok(c->create_thread(c.ada.id, c.guild.id, "Why?", "q", ThreadKind::question));
  const Post a1 = ok(c->reply(c.bo.id, q1.first_post.id, "so"));
  const Post a2 = ok(c->reply(c.bo.id, q2.first_post.id, "because"));
  const Post own = ok(c->reply(c.ada.id, q2.first_post.id, "or this"));
  ok(c->accept_answer(c.ada.id, q1.thread.id, a1.id));
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"first-accepted#1"});
  // Unaccepted: kept. Accepted again: not granted twice.
  ok(c->accept_answer(c.ada.id, q1.thread.id, PostId{}));
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"first-accepted#1"});
  ok(c->accept_answer(c.ada.id, q1.thread.id, a1.id));
  CHECK(badge_events(*c.engine).size() == 1);
  // The asker's own answer earns nothing.
  ok(c->accept_answer(c.ada.id, q2.thread.id, own.id));
  CHECK(held(c, c.ada.id).empty());
  // Bo's answers accepted now: two.
  ok(c->accept_answer(c.ada.id, q2.thread.id, a2.id));
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"first-accepted#1", "two-accepted#1"});
}

TEST_CASE("reputation: granted when all-time community points reach the threshold", "[badges]") {
  Community c(with_badges({counter("rep-20", BadgeMetric::reputation, 20, true)}));
  auto fans = reactors(c, 4);
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Q", "q"));
  const Post r = ok(c->reply(c.bo.id, t.first_post.id, "answer"));
  CHECK(ok(c->react(fans[0].id, r.id, "+1")));  // 10 points
  CHECK(held(c, c.bo.id).empty());
  CHECK(ok(c->react(fans[1].id, r.id, "+1")));  // 20
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"rep-20#1"});
  CHECK(ok(c->unreact(fans[1].id, r.id, "+1")));  // 10: kept
  CHECK(ok(c->react(fans[1].id, r.id, "+1")));    // 20 again: not twice
  CHECK(ok(c->react(fans[2].id, r.id, "+1")));    // 30
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"rep-20#1"});
  CHECK(ok(c->react(fans[3].id, r.id, "+1")));  // 40
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"rep-20#1", "rep-20#2"});
  CHECK(ok(c->reputation(c.ada.id, {}, c.bo.id)).points == 40);
}

// --- posts' reactions and helpful replies ------------------------------------------------------

TEST_CASE("post_reactions: once per post with repeat, not again after retract and re-add",
          "[badges]") {
  Community c(with_badges({counter("nice", BadgeMetric::post_reactions, 2, true, "+1"),
                           counter("loved", BadgeMetric::post_reactions, 2, false, "heart")}));
  auto fans = reactors(c, 3);
  auto t1 = ok(c->create_thread(c.ada.id, c.guild.id, "One", "first"));
  auto t2 = ok(c->create_thread(c.ada.id, c.guild.id, "Two", "second"));
  const PostId p1 = t1.first_post.id, p2 = t2.first_post.id;
  CHECK(ok(c->react(fans[0].id, p1, "+1")));
  CHECK(held(c, c.ada.id).empty());
  CHECK(ok(c->react(fans[1].id, p1, "+1")));
  auto badges = ok(c->badges(c.ada.id, c.ada.id, {})).items;
  REQUIRE(badges.size() == 1);
  CHECK(badges[0].grant.badge == "nice");
  CHECK(badges[0].grant.post == p1);
  CHECK(badges[0].grant.ordinal == 1);
  CHECK(badges[0].title == "The nice");
  CHECK(ok(c->react(fans[2].id, p1, "+1")));  // past it
  CHECK(ok(c->unreact(fans[2].id, p1, "+1")));
  CHECK(ok(c->unreact(fans[1].id, p1, "+1")));  // below it
  CHECK(ok(c->react(fans[1].id, p1, "+1")));    // reaches it again: not twice
  CHECK(held(c, c.ada.id).size() == 1);
  // Another post earns it again.
  CHECK(ok(c->react(fans[0].id, p2, "+1")));
  CHECK(ok(c->react(fans[1].id, p2, "+1")));
  CHECK(held(c, c.ada.id) == std::vector<std::string>{"nice#1", "nice#1"});
  // A badge that does not repeat: its first post only.
  CHECK(ok(c->react(fans[0].id, p1, "heart")));
  CHECK(ok(c->react(fans[1].id, p1, "heart")));
  CHECK(ok(c->react(fans[0].id, p2, "heart")));
  CHECK(ok(c->react(fans[1].id, p2, "heart")));
  CHECK(held(c, c.ada.id) == std::vector<std::string>{"nice#1", "nice#1", "loved#1"});
  CHECK(badge_events(*c.engine).size() == 3);
}

TEST_CASE("self-reactions never count towards badges", "[badges]") {
  Community c(with_badges({counter("loved", BadgeMetric::post_reactions, 2, false, "heart"),
                           counter("giver", BadgeMetric::reactions_given, 1),
                           counter("receiver", BadgeMetric::reactions_received, 1),
                           counter("helpful", BadgeMetric::helpful_replies, 1, false, "heart")}));
  auto fans = reactors(c, 2);
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Mine", "mine"));
  const Post r = ok(c->reply(c.ada.id, t.first_post.id, "my own reply"));
  CHECK(ok(c->react(c.ada.id, t.first_post.id, "heart")));  // own post
  CHECK(ok(c->react(c.ada.id, r.id, "heart")));             // own reply
  CHECK(held(c, c.ada.id).empty());
  // One heart from someone else: the post's count is 2 with Ada's own, which does not count.
  CHECK(ok(c->react(fans[0].id, t.first_post.id, "heart")));
  CHECK(held(c, c.ada.id) == std::vector<std::string>{"receiver#1"});
  CHECK(ok(c->react(fans[1].id, t.first_post.id, "heart")));
  CHECK(held(c, c.ada.id) == std::vector<std::string>{"receiver#1", "loved#1"});
  // The reply: helpful once someone else gives it a heart.
  CHECK(ok(c->react(fans[0].id, r.id, "heart")));
  CHECK(held(c, c.ada.id) == std::vector<std::string>{"receiver#1", "loved#1", "helpful#1"});
  CHECK(held(c, fans[0].id) == std::vector<std::string>{"giver#1"});
}

TEST_CASE("a helpful reply counts once, ever, and first posts are not replies", "[badges]") {
  Community c(with_badges({counter("helpful", BadgeMetric::helpful_replies, 2, false, "+1"),
                           counter("thanked", BadgeMetric::helpful_replies, 1, true, "thanks")}));
  auto fans = reactors(c, 1);
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Q", "q"));
  auto own_thread = ok(c->create_thread(c.bo.id, c.guild.id, "Bo's", "first post"));
  const Post r1 = ok(c->reply(c.bo.id, t.first_post.id, "one"));
  const Post r2 = ok(c->reply(c.bo.id, t.first_post.id, "two"));
  CHECK(ok(c->react(c.ada.id, own_thread.first_post.id, "+1")));  // a first post
  CHECK(ok(c->react(c.ada.id, r1.id, "+1")));
  CHECK(ok(c->react(fans[0].id, r1.id, "+1")));  // the same reply again
  CHECK(ok(c->unreact(c.ada.id, r1.id, "+1")));
  CHECK(ok(c->unreact(fans[0].id, r1.id, "+1")));
  CHECK(ok(c->react(c.ada.id, r1.id, "+1")));  // taken back and given again: still once
  CHECK(held(c, c.bo.id).empty());
  CHECK(ok(c->react(fans[0].id, r2.id, "+1")));
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"helpful#1"});
  // Another kind counts on its own; a repeating rule grants at each multiple.
  CHECK(ok(c->react(c.ada.id, r1.id, "thanks")));
  CHECK(ok(c->react(c.ada.id, r2.id, "thanks")));
  CHECK(ok(c->unreact(c.ada.id, r2.id, "thanks")));
  CHECK(ok(c->react(c.ada.id, r2.id, "thanks")));
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"helpful#1", "thanked#1", "thanked#2"});
}

// --- events and visibility ---------------------------------------------------------------------

TEST_CASE("each grant emits one badge_awarded, in the post's space when earned by a post",
          "[badges]") {
  BadgeRule nice = counter("nice", BadgeMetric::post_reactions, 1, true, "+1");
  nice.tier = BadgeTier::silver;
  Community c(with_badges({counter("first-reply", BadgeMetric::replies, 1), nice}));
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Q", "q"));
  const Post r = ok(c->reply(c.bo.id, t.first_post.id, "a"));
  ok(c->reply(c.bo.id, t.first_post.id, "b"));
  CHECK(ok(c->react(c.ada.id, r.id, "+1")));
  CHECK(ok(c->unreact(c.ada.id, r.id, "+1")));
  CHECK(ok(c->react(c.ada.id, r.id, "+1")));
  auto events = badge_events(*c.engine);
  REQUIRE(events.size() == 2);
  const std::string bo = std::to_string(c.bo.id.value);
  CHECK_FALSE(events[0].space);  // community-wide
  CHECK(events[0].actor == c.bo.id);
  CHECK(events[0].payload == "{\"member\":\"" + bo +
                                 "\",\"badge\":\"first-reply\",\"title\":\"The first-reply\","
                                 "\"tier\":\"bronze\",\"post\":\"0\",\"ordinal\":1}");
  CHECK(events[1].space == c.guild.id);  // the post's
  CHECK(events[1].actor == c.ada.id);
  CHECK(events[1].payload == "{\"member\":\"" + bo +
                                 "\",\"badge\":\"nice\",\"title\":\"The nice\","
                                 "\"tier\":\"silver\",\"post\":\"" +
                                 std::to_string(r.id.value) + "\",\"ordinal\":1}");
  CHECK(to_string(EventType::badge_awarded) == "badge_awarded");
  CHECK(event_type_from_string("badge_awarded") == EventType::badge_awarded);
}

TEST_CASE("badges() hides a post's badge from a viewer who cannot read the post", "[badges]") {
  Community c(with_badges({counter("first-thread", BadgeMetric::threads_created, 1),
                           counter("nice", BadgeMetric::post_reactions, 1, true, "+1")}));
  const Space hideout =
      ok(c->create_space(c.ada.id, {{}, SpaceKind::guild, "Hideout", "", Visibility::private_}));
  REQUIRE(ok(c->add_member(c.ada.id, hideout.id, c.bo.id)));
  auto t = ok(c->create_thread(c.ada.id, hideout.id, "Secret plan", "shh"));
  CHECK(ok(c->react(c.bo.id, t.first_post.id, "+1")));
  CHECK(held(c, c.ada.id, c.bo.id) == std::vector<std::string>{"first-thread#1", "nice#1"});
  CHECK(held(c, c.ada.id, c.cy.id) == std::vector<std::string>{"first-thread#1"});
  // Anonymous readers too; paging skips the hidden one without losing the next.
  REQUIRE(ok(c->grant_badge(c.ada.id, "nice")).grant.ordinal == 2);
  auto first = ok(c->badges(MemberId{}, c.ada.id, {.limit = 1}));
  REQUIRE(first.items.size() == 1);
  CHECK(first.items[0].grant.badge == "first-thread");
  REQUIRE_FALSE(first.next_cursor.empty());
  auto second = ok(c->badges(MemberId{}, c.ada.id, {first.next_cursor, 1}));
  REQUIRE(second.items.size() == 1);
  CHECK(second.items[0].grant.badge == "nice");
  CHECK(second.items[0].grant.post == PostId{});
  CHECK(second.next_cursor.empty());
  // The event of the post's badge went to the hideout, which Cy may not read.
  auto events = badge_events(*c.engine);
  REQUIRE(events.size() == 3);
  CHECK(events[1].space == hideout.id);
  CHECK(code_of(c->badges(c.ada.id, MemberId{999'999}, {})) == errc::not_found);
  CHECK(code_of(c->badges(c.ada.id, c.ada.id, {.limit = 0})) == errc::invalid_argument);
  CHECK(code_of(c->badges(c.ada.id, c.ada.id, {"garbage", 10})) == errc::invalid_cursor);
}

TEST_CASE("badges() pages through a member's grants by cursor", "[badges]") {
  BadgeRule veteran = counter("raid-veteran", BadgeMetric::host, 0, true);
  Community c(with_badges({veteran}));
  for (int i = 0; i < 5; ++i) ok(c->grant_badge(c.bo.id, "raid-veteran"));
  ok(c->grant_badge(c.ada.id, "raid-veteran"));  // another member's: not listed
  std::vector<std::uint32_t> ordinals;
  PageRequest page{{}, 2};
  for (int pages = 0; pages < 10; ++pages) {
    auto p = ok(c->badges(c.cy.id, c.bo.id, page));
    CHECK(p.items.size() <= 2);
    for (const Badge& b : p.items) ordinals.push_back(b.grant.ordinal);
    if (p.next_cursor.empty()) break;
    page.cursor = p.next_cursor;
  }
  CHECK(ordinals == std::vector<std::uint32_t>{1, 2, 3, 4, 5});
}

// --- the host's grants -------------------------------------------------------------------------

TEST_CASE("grant_badge: unknown names are not_found, once unless the badge repeats", "[badges]") {
  BadgeRule founder = counter("founder", BadgeMetric::host, 0);
  founder.tier = BadgeTier::gold;
  founder.description = "Was there at the start.";
  Community c(with_badges({founder, counter("raid-veteran", BadgeMetric::host, 0, true),
                           counter("chatty", BadgeMetric::replies, 1, true)}));
  CHECK(code_of(c->grant_badge(c.bo.id, "nope")) == errc::not_found);
  CHECK(code_of(c->grant_badge(MemberId{999'999}, "founder")) == errc::not_found);
  const Badge b = ok(c->grant_badge(c.bo.id, "founder"));
  CHECK(b.grant.id > 0);
  CHECK(b.grant.member == c.bo.id);
  CHECK(b.grant.ordinal == 1);
  CHECK(b.grant.at == c.clock->now());
  CHECK(b.title == "The founder");
  CHECK(b.description == "Was there at the start.");
  CHECK(b.tier == BadgeTier::gold);
  CHECK(code_of(c->grant_badge(c.bo.id, "founder")) == errc::already_exists);
  CHECK(ok(c->grant_badge(c.bo.id, "raid-veteran")).grant.ordinal == 1);
  CHECK(ok(c->grant_badge(c.bo.id, "raid-veteran")).grant.ordinal == 2);
  // A counter's own badge, by hand: the next ordinal; the counter then skips the one taken.
  CHECK(ok(c->grant_badge(c.bo.id, "chatty")).grant.ordinal == 1);
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Q", "q"));
  ok(c->reply(c.bo.id, t.first_post.id, "a"));  // reaches 1: taken already
  ok(c->reply(c.bo.id, t.first_post.id, "b"));  // reaches 2
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"founder#1", "raid-veteran#1",
                                                     "raid-veteran#2", "chatty#1", "chatty#2"});
  auto events = badge_events(*c.engine);
  REQUIRE(events.size() == 5);
  CHECK_FALSE(events[0].actor);  // the host's
  CHECK_FALSE(events[0].space);
}

// --- cost and atomicity ------------------------------------------------------------------------

// Counts the badge methods its transactions call, and fails the n-th insert_badge_grant.
class BadgeCalls final : public StorageWrapper {
 public:
  using StorageWrapper::StorageWrapper;
  int calls = 0;
  int fail_grant_at = -1;

 protected:
  std::unique_ptr<Transaction> wrap(std::unique_ptr<Transaction> tx, TxMode) override {
    class Tx final : public TransactionWrapper {
     public:
      Tx(std::unique_ptr<Transaction> t, BadgeCalls& owner)
          : TransactionWrapper(std::move(t)), owner_(owner) {}
      result<void> on_call(std::string_view name) override {
        if (name.find("badge") != std::string_view::npos || name == "insert_helpful_reply")
          ++owner_.calls;
        if (name == "insert_badge_grant" && owner_.fail_grant_at >= 0 &&
            owner_.fail_grant_at-- == 0)
          return errc::storage_error;
        return {};
      }

     private:
      BadgeCalls& owner_;
    };
    return std::make_unique<Tx>(std::move(tx), *this);
  }
};

TEST_CASE("no badge storage is touched while no rule can fire", "[badges]") {
  auto storage = std::make_shared<BadgeCalls>(std::make_shared<MemoryStorage>());
  Community c(with_badges({counter("nice", BadgeMetric::post_reactions, 3, true, "+1"),
                           counter("helpful", BadgeMetric::helpful_replies, 5, false, "+1"),
                           counter("replies-10", BadgeMetric::replies, 10),
                           counter("given-10", BadgeMetric::reactions_given, 10),
                           counter("rep", BadgeMetric::reputation, 1000)},
                          storage));
  auto fans = reactors(c, 3);
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Q", "q"));
  const Post r = ok(c->reply(c.bo.id, t.first_post.id, "a"));
  CHECK(storage->calls == 0);
  // A reply's first reaction from someone else makes it helpful: marked and counted.
  CHECK(ok(c->react(fans[0].id, r.id, "+1")));
  CHECK(storage->calls == 2);  // the mark and the count
  const int after_first = storage->calls;
  CHECK(ok(c->react(fans[1].id, r.id, "+1")));  // 2 of 3: nothing can fire
  CHECK(ok(c->react(fans[1].id, r.id, "heart")));
  CHECK(ok(c->react(fans[0].id, t.first_post.id, "+1")));
  ok(c->reply(c.bo.id, t.first_post.id, "b"));
  CHECK(storage->calls == after_first);
  CHECK(ok(c->react(fans[2].id, r.id, "+1")));  // 3: the post's badge
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"nice#1"});
}

TEST_CASE("a storage failure while granting leaves neither the happening nor the grant",
          "[badges]") {
  auto storage = std::make_shared<BadgeCalls>(std::make_shared<MemoryStorage>());
  Community c(with_badges({counter("first-reply", BadgeMetric::replies, 1),
                           counter("nice", BadgeMetric::post_reactions, 1, false, "+1")},
                          storage));
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Q", "q"));
  const std::uint64_t seq = ok(c->last_event_seq());
  storage->fail_grant_at = 0;
  CHECK(code_of(c->reply(c.bo.id, t.first_post.id, "a")) == errc::storage_error);
  CHECK(ok(c->get_thread(c.bo.id, t.thread.id)).reply_count == 0);
  CHECK(ok(c->trust_level(c.bo.id, c.bo.id)).replies == 0);
  CHECK(ok(c->last_event_seq()) == seq);
  CHECK(held(c, c.bo.id).empty());
  storage->fail_grant_at = 0;
  CHECK(code_of(c->react(c.bo.id, t.first_post.id, "+1")) == errc::storage_error);
  auto p = ok(c->get_post(c.bo.id, t.first_post.id));
  CHECK(p.reactions.empty());
  CHECK(held(c, c.ada.id).empty());
  CHECK(ok(c->last_event_seq()) == seq);
  // Without the failure, both go through, each with its badge.
  const Post r = ok(c->reply(c.bo.id, t.first_post.id, "a"));
  CHECK(r.id);
  CHECK(ok(c->react(c.bo.id, t.first_post.id, "+1")));
  CHECK(held(c, c.bo.id) == std::vector<std::string>{"first-reply#1"});
  CHECK(held(c, c.ada.id) == std::vector<std::string>{"nice#1"});
}

}  // namespace
}  // namespace hearth
