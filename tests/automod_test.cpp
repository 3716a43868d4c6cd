// Auto-moderation (docs/moderation.md, "Auto-moderation"): the rule format, each rule type with
// its actions, inheritance down the space tree, exemptions, and the audit entry of each action.
#include <algorithm>
#include <string>

#include "hearth/moderation/automod.hpp"
#include "support.hpp"

namespace hearth::test {
namespace {

using moderation::AutomodRules;
using moderation::PatternRule;
using moderation::WatchedWord;
using moderation::WordAction;

// The moderated guild, where Ada (its owner) sets the rules.
struct Moderated : ModeratedGuild {
  using ModeratedGuild::ModeratedGuild;
  void rules(const AutomodRules& r, SpaceId space = {}) {
    ok(engine->set_automod_rules(ada.id, space ? space : guild.id, r));
  }
};

AutomodRules words(std::vector<WatchedWord> w) {
  AutomodRules r;
  r.words = std::move(w);
  return r;
}

TEST_CASE("automod rules read from JSON, validate with a reason, and write back the same",
          "[automod]") {
  const std::string text = R"json({
    "inherit": false,
    "words": [{"pattern": "spam", "action": "review"}, {"pattern": "darn", "action": "censor",
               "whole_word": false}],
    "patterns": [{"name": "crypto", "regex": "free\\s+(btc|eth)", "action": "block"}],
    "links": {"deny": ["bad.example"], "min_trust_level": 1, "action": "require_approval"},
    "max_mentions": 5, "mentions_action": "review",
    "duplicate_window_ms": 60000, "slow_mode_ms": 10000, "space_posts_per_minute": 30,
    "approval_below_trust_level": 1, "exempt_roles": ["42"]})json";
  std::string why;
  auto r = moderation::automod_rules_from_json(text, &why);
  INFO(why);
  REQUIRE(r);
  CHECK_FALSE(r->inherit);
  REQUIRE(r->words.size() == 2);
  CHECK(r->words[1].action == WordAction::censor);
  CHECK_FALSE(r->words[1].whole_word);
  REQUIRE(r->patterns.size() == 1);
  CHECK(r->patterns[0].action == WordAction::block);
  CHECK(r->links.deny == std::vector<std::string>{"bad.example"});
  CHECK(r->links.action == WordAction::require_approval);
  CHECK(r->max_mentions == 5);
  CHECK(r->slow_mode_ms == 10'000);
  CHECK(r->exempt_roles == std::vector<RoleId>{RoleId{42}});
  auto again = moderation::automod_rules_from_json(moderation::to_json(*r));
  REQUIRE(again);
  CHECK(*again == *r);

  const std::pair<const char*, const char*> bad[] = {
      {R"({"wordz": []})", "wordz: unknown field"},
      {R"({"words": [{"action": "block"}]})", "words[0].pattern: missing"},
      {R"({"words": [{"pattern": "..."}]})", "words[0]: not a usable watched word"},
      {R"({"words": [{"pattern": "x", "action": "shout"}]})", "words[0].action: expected one of"},
      {R"({"patterns": [{"name": "p", "regex": "(a"}]})", "patterns[0].regex: "},
      {R"({"patterns": [{"name": "p", "regex": "(a)\\1"}]})", "patterns[0].regex: "},
      {R"({"patterns": [{"name": "p", "regex": "a*"}]})", "patterns[0].regex: "},
      {R"({"patterns": [{"name": "p", "regex": "a"}, {"name": "p", "regex": "b"}]})",
       "patterns[1].name: repeated"},
      {R"({"links": {"deny": ["not a domain"]}})", "links.deny: not a domain"},
      {R"({"links": {"action": "censor"}})", "links.action: censor is for words"},
      {R"({"slow_mode_ms": -1})", "slow_mode_ms: out of range"},
      {R"({"approval_below_trust_level": 5})", "approval_below_trust_level: out of range"},
      {R"({"exempt_roles": ["x"]})", "exempt_roles: not a role id"},
      {R"([1])", "expected a JSON object"},
  };
  for (const auto& [json, reason] : bad) {
    std::string got;
    INFO(json);
    CHECK(code_of(moderation::automod_rules_from_json(json, &got)) == errc::invalid_argument);
    CHECK(got.find(reason) != std::string::npos);
  }
}

TEST_CASE("link domains are read from the links in a text", "[automod]") {
  CHECK(moderation::link_domains("see https://User@Cdn.Example.COM:8080/x?y and www.foo.org.") ==
        std::vector<std::string>{"cdn.example.com", "www.foo.org"});
  CHECK(moderation::link_domains("example.com is no link; xhttp://a.b neither").empty());
}

TEST_CASE("a blocked post is refused with blocked, stores nothing, and leaves one audit entry",
          "[automod]") {
  Moderated c;
  c.rules(words({{"buy followers", WordAction::block}}));
  const auto before = ok(c->get_space(c.bo.id, c.guild.id)).thread_count;
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "Hi", "Buy   FOLLOWERS here")) ==
        errc::blocked);
  CHECK(ok(c->get_space(c.bo.id, c.guild.id)).thread_count == before);
  auto blocked = c.audit(AuditAction::post_blocked);
  REQUIRE(blocked.size() == 1);
  CHECK(blocked[0].actor_kind == AuditActorKind::rule);
  CHECK(blocked[0].actor_name == "words");
  CHECK(blocked[0].matched == "Buy   FOLLOWERS");
  CHECK(blocked[0].target_member == c.bo.id);
  CHECK(!blocked[0].post);
  // A reply and an edit are refused the same way; the edit leaves the post as it was.
  const auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Hello", "fine words"));
  CHECK(code_of(c->reply(c.dee.id, t.first_post.id, "b.u.y followers")) == errc::blocked);
  CHECK(code_of(c->edit_post(c.bo.id, t.first_post.id, "buy followers")) == errc::blocked);
  CHECK(ok(c->get_post(c.bo.id, t.first_post.id)).body == "fine words");
  CHECK(c.audit(AuditAction::post_blocked).size() == 3);
  // Word boundaries hold: no false positive inside other words.
  c.rules(words({{"ass", WordAction::block}}));
  CHECK(ok(c->create_thread(c.bo.id, c.guild.id, "Class", "Classic assessment in Scunthorpe"))
            .thread.id);
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "x", "you a$$")) == errc::blocked);
}

TEST_CASE("require_approval holds a new post until a moderator approves it", "[automod]") {
  Moderated c;
  c.rules(words({{"casino", WordAction::require_approval}}));
  const auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Games", "best ｃａｓｉｎｏ in town"));
  CHECK(t.first_post.removed);
  CHECK(ok(c->get_post(c.dee.id, t.first_post.id)).body.empty());  // a tombstone to others
  CHECK(ok(c->list_threads(c.dee.id, c.guild.id, {"", 50})).items.empty());
  auto queue = c.queue();
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].source == ReviewSource::auto_moderation);
  CHECK(queue[0].flag == "words: ｃａｓｉｎｏ");
  auto hidden = c.audit(AuditAction::post_hidden);
  REQUIRE(hidden.size() == 1);
  CHECK(hidden[0].actor_name == "words");
  CHECK(hidden[0].matched == "ｃａｓｉｎｏ");
  ok(c->decide_review_item(c.mo.id, queue[0].id, {ReviewAction::approve, ""}));
  CHECK_FALSE(ok(c->get_post(c.dee.id, t.first_post.id)).removed);
  CHECK(ok(c->list_threads(c.dee.id, c.guild.id, {"", 50})).items.size() == 1);
}

TEST_CASE("review publishes the post and queues it, censor masks the words", "[automod]") {
  Moderated c;
  c.rules(words({{"spam", WordAction::review}, {"darn", WordAction::censor}}));
  const auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Darn it", "this is spam, darn"));
  CHECK_FALSE(t.first_post.removed);
  CHECK(t.thread.title == "**** it");
  CHECK(t.first_post.body == "this is spam, ****");
  CHECK(ok(c->get_post(c.dee.id, t.first_post.id)).body == "this is spam, ****");
  auto queue = c.queue();
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].post == t.first_post.id);
  CHECK(queue[0].flag == "words: spam");
  REQUIRE(c.audit(AuditAction::post_flagged).size() == 1);
  auto censored = c.audit(AuditAction::post_censored);
  REQUIRE(censored.size() == 1);
  CHECK(censored[0].matched == "Darn");
  // A censored reply alone is not queued.
  ok(c->reply(c.dee.id, t.first_post.id, "DARN"));
  CHECK(c.queue().size() == 1);
  CHECK(c.audit(AuditAction::post_censored).size() == 2);
}

TEST_CASE("rules inherit down the tree until a space stops inheriting", "[automod]") {
  EngineOptions o;
  o.automod.words = {{"forbidden", WordAction::block}};
  Moderated c(o);
  const auto channel =
      ok(c->create_space(c.ada.id, {c.guild.id, SpaceKind::channel, "general", ""}));
  REQUIRE(ok(c->join_space(c.bo.id, channel.id)));
  // The engine's default applies everywhere.
  CHECK(code_of(c->create_thread(c.bo.id, channel.id, "x", "forbidden")) == errc::blocked);
  // The guild's set adds to it, and the channel inherits both.
  c.rules(words({{"guildword", WordAction::block}}));
  CHECK(code_of(c->create_thread(c.bo.id, channel.id, "x", "guildword")) == errc::blocked);
  CHECK(code_of(c->create_thread(c.bo.id, channel.id, "x", "forbidden")) == errc::blocked);
  // A channel that stops inheriting is exempt from what is above.
  AutomodRules exempt;
  exempt.inherit = false;
  c.rules(exempt, channel.id);
  CHECK(ok(c->create_thread(c.bo.id, channel.id, "x", "forbidden guildword")).thread.id);
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "x", "guildword")) == errc::blocked);
  CHECK_FALSE(ok(c->automod_rules(c.mo.id, channel.id)).inherit);
  // The host's community-wide set replaces the engine's default.
  ok(c->set_community_automod_rules(words({{"hostword", WordAction::block}})));
  CHECK(ok(c->create_thread(c.bo.id, c.guild.id, "x", "forbidden")).thread.id);
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "x", "hostword")) == errc::blocked);
  CHECK(ok(c->automod_rules({}, {})).words.at(0).pattern == "hostword");
  // Clearing the guild's set (an empty one) removes it.
  c.rules({});
  CHECK(ok(c->create_thread(c.bo.id, c.guild.id, "x", "guildword")).thread.id);
  CHECK(c.audit(AuditAction::automod_rules_set).size() == 4);
}

TEST_CASE("exempt roles and the owner are not checked", "[automod]") {
  Moderated c;
  const auto trusted =
      ok(c->create_role(c.ada.id, c.guild.id, {"trusted", builtin::member | Permissions{}, 50}));
  REQUIRE(ok(c->assign_role(c.ada.id, c.guild.id, c.dee.id, trusted.id)));
  AutomodRules r = words({{"secret", WordAction::block}});
  r.exempt_roles = {trusted.id};
  c.rules(r);
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "x", "secret")) == errc::blocked);
  CHECK(ok(c->create_thread(c.dee.id, c.guild.id, "x", "secret")).thread.id);
  CHECK(ok(c->create_thread(c.ada.id, c.guild.id, "x", "secret")).thread.id);
}

TEST_CASE("regular expressions act, and a costly pattern is bounded by the step budget",
          "[automod]") {
  Moderated c;
  AutomodRules r;
  r.patterns = {{"crypto", R"(free\s+(btc|eth)\b)", WordAction::block}};
  c.rules(r);
  auto blocked = c->create_thread(c.bo.id, c.guild.id, "Offer", "FREE   BTC now");
  CHECK(code_of(blocked) == errc::blocked);
  CHECK(c.audit(AuditAction::post_blocked).at(0).actor_name == "pattern:crypto");
  CHECK(c.audit(AuditAction::post_blocked).at(0).matched == "FREE   BTC");
  CHECK(ok(c->create_thread(c.bo.id, c.guild.id, "Offer", "free btcoin")).thread.id);
  // Hostile patterns finish over a long post; one too costly for the budget sends the post to
  // review rather than hanging it or letting it through.
  r.patterns = {{"nested", "(a|aa)+c", WordAction::block},
                {"wide", "a{1,1000}b", WordAction::block}};
  c.rules(r);
  const std::string long_body(30'000, 'a');
  const auto t = ok(c->create_thread(c.bo.id, c.guild.id, "aaa", long_body));
  CHECK_FALSE(t.first_post.removed);
  auto flagged = c.audit(AuditAction::post_flagged);
  REQUIRE(flagged.size() == 1);
  CHECK(flagged[0].actor_name == "pattern:wide");
  CHECK(flagged[0].matched == "(not checked: the step budget ran out)");
}

TEST_CASE("link rules: denied domains, an allow list, and a trust level", "[automod]") {
  Moderated c;
  AutomodRules r;
  r.links.deny = {"bad.example"};
  r.links.action = WordAction::block;
  c.rules(r);
  CHECK(code_of(c->create_thread(c.mo.id, c.guild.id, "x", "see https://cdn.BAD.example/x")) ==
        errc::blocked);
  CHECK(c.audit(AuditAction::post_blocked).at(0).matched == "cdn.bad.example");
  CHECK(ok(c->create_thread(c.mo.id, c.guild.id, "x", "see https://notbad.example/x")).thread.id);
  r.links = {{"docs.example"}, {}, 0, WordAction::require_approval};
  c.rules(r);
  CHECK(
      ok(c->create_thread(c.mo.id, c.guild.id, "x", "https://docs.example/a")).first_post.removed ==
      false);
  CHECK(ok(c->create_thread(c.mo.id, c.guild.id, "x", "www.elsewhere.org")).first_post.removed);
  r.links = {{}, {}, 2, WordAction::review};
  c.rules(r);
  const auto t = ok(c->create_thread(c.mo.id, c.guild.id, "x", "https://any.example"));
  CHECK_FALSE(t.first_post.removed);
  CHECK(c.audit(AuditAction::post_flagged).at(0).actor_name == "links");
}

TEST_CASE("mention spam goes to its action", "[automod]") {
  Moderated c;
  AutomodRules r;
  r.max_mentions = 2;
  c.rules(r);
  CHECK_FALSE(ok(c->create_thread(c.bo.id, c.guild.id, "x", "@ada @dee hi")).first_post.removed);
  CHECK(ok(c->create_thread(c.bo.id, c.guild.id, "x", "@ada @dee @mo_mod hi")).first_post.removed);
  CHECK(c.audit(AuditAction::post_hidden).at(0).actor_name == "mentions");
}

TEST_CASE("the same text across spaces within the window is a duplicate", "[automod]") {
  Moderated c;
  const auto other = ok(c->create_space(c.ada.id, {{}, SpaceKind::guild, "Other", ""}));
  REQUIRE(ok(c->join_space(c.bo.id, other.id)));
  AutomodRules r;
  r.duplicate_window_ms = 60'000;
  r.duplicate_action = WordAction::block;
  c.rules(r);
  ok(c->set_community_automod_rules(r));
  ok(c->create_thread(c.bo.id, other.id, "x", "Join my server, now"));
  // The same words, however spaced and cased, in another space.
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "x", "join MY server   now")) ==
        errc::blocked);
  CHECK(c.audit(AuditAction::post_blocked).at(0).actor_name == "duplicates");
  // In the same space it is no cross-posting; after the window it is allowed.
  CHECK(ok(c->create_thread(c.bo.id, other.id, "x", "Join my server, now")).thread.id);
  c.clock->advance(60'000);
  CHECK(ok(c->create_thread(c.bo.id, c.guild.id, "x", "Join my server, now")).thread.id);
}

TEST_CASE("slow mode and the space's rate refuse with rate_limited until time passes",
          "[automod]") {
  Moderated c;
  AutomodRules r;
  r.slow_mode_ms = 10'000;
  c.rules(r);
  const auto t = ok(c->create_thread(c.bo.id, c.guild.id, "x", "first"));
  CHECK(code_of(c->reply(c.bo.id, t.first_post.id, "second")) == errc::rate_limited);
  ok(c->reply(c.dee.id, t.first_post.id, "someone else"));  // per member
  ok(c->edit_post(c.bo.id, t.first_post.id, "edits are not posts"));
  c.clock->advance(10'000);
  ok(c->reply(c.bo.id, t.first_post.id, "second"));
  CHECK(c.audit(AuditAction::post_blocked).empty());  // refusals by rate are not logged

  r.slow_mode_ms = 0;
  r.space_posts_per_minute = 2;
  c.rules(r);
  ok(c->reply(c.bo.id, t.first_post.id, "one"));
  ok(c->reply(c.dee.id, t.first_post.id, "two"));
  CHECK(code_of(c->reply(c.mo.id, t.first_post.id, "three")) == errc::rate_limited);
  c.clock->advance(60'000);
  ok(c->reply(c.mo.id, t.first_post.id, "three"));
}

TEST_CASE("new members' posts wait for approval below a trust level", "[automod]") {
  Moderated c;
  AutomodRules r;
  r.approval_below_trust_level = 1;
  c.rules(r);
  CHECK(ok(c->create_thread(c.bo.id, c.guild.id, "x", "hello")).first_post.removed);
  ok(c->set_trust_level(c.bo.id, 1));
  CHECK_FALSE(ok(c->create_thread(c.bo.id, c.guild.id, "x", "hello")).first_post.removed);
}

TEST_CASE("an edit a rule holds is hidden until approved, then shown again", "[automod]") {
  Moderated c;
  const auto t = ok(c->create_thread(c.bo.id, c.guild.id, "x", "harmless"));
  c.rules(words({{"casino", WordAction::require_approval}}));
  const auto edited = ok(c->edit_post(c.bo.id, t.first_post.id, "now a casino ad"));
  CHECK(edited.removed);
  CHECK(ok(c->list_threads(c.dee.id, c.guild.id, {"", 50})).items.empty());
  auto queue = c.queue();
  REQUIRE(queue.size() == 1);
  ok(c->decide_review_item(c.mo.id, queue[0].id, {ReviewAction::approve, ""}));
  const auto shown = ok(c->get_post(c.dee.id, t.first_post.id));
  CHECK_FALSE(shown.removed);
  CHECK(shown.body == "now a casino ad");
}

TEST_CASE("only those who manage the space set its rules, and moderators read them", "[automod]") {
  Moderated c;
  CHECK(code_of(c->set_automod_rules(c.mo.id, c.guild.id, words({{"x1", WordAction::block}}))) ==
        errc::forbidden);
  CHECK(code_of(c->set_automod_rules(c.ada.id, c.guild.id, words({{"...", WordAction::block}}))) ==
        errc::invalid_argument);
  CHECK(code_of(c->set_automod_rules(c.ada.id, SpaceId{}, {})) == errc::invalid_argument);
  c.rules(words({{"x1", WordAction::block}}));
  CHECK(ok(c->automod_rules(c.mo.id, c.guild.id)).words.size() == 1);
  CHECK(code_of(c->automod_rules(c.bo.id, c.guild.id)) == errc::forbidden);
  CHECK(code_of(c->automod_rules(c.bo.id, SpaceId{})) == errc::forbidden);
  EngineOptions bad;
  bad.automod.max_mentions = 5'000;
  CHECK(code_of(Engine::open(bad)) == errc::invalid_argument);
}

}  // namespace
}  // namespace hearth::test
