// Explain and appeal (docs/moderation.md, "Explain and appeal"): a member's moderation history,
// one appeal per action, decided by another moderator, and what an upheld appeal undoes.
#include <string>

#include "support.hpp"

namespace hearth::test {
namespace {

using moderation::AutomodRules;
using moderation::WordAction;

// A guild where Mo and Max moderate; Bo and Dee are members; Ada owns it.
struct Moderated : Community {
  Member mo, max, dee;
  Moderated() {
    mo = ok(engine->create_member("mo_mod", "Mo"));
    max = ok(engine->create_member("max", "Max"));
    dee = ok(engine->create_member("dee", "Dee"));
    for (const Member& m : {mo, max, dee}) REQUIRE(ok(engine->join_space(m.id, guild.id)));
    for (const Member& m : {mo, max})
      REQUIRE(ok(engine->assign_role(ada.id, guild.id, m.id, builtin::moderator_role)));
  }
  std::vector<ModerationRecord> history(const Member& m, PostId post = {}) {
    return ok(engine->moderation_history(m.id, m.id, {"", 50}, post)).items;
  }
  std::int64_t points(const Member& m) { return ok(engine->reputation(m.id, {}, m.id)).points; }
};

TEST_CASE("an upheld appeal shows the post again and gives its reputation back", "[appeals]") {
  Moderated c;
  const auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Guide", "how to raid"));
  REQUIRE(ok(c->react(c.dee.id, t.first_post.id, "+1")));
  const auto earned = c.points(c.bo);
  CHECK(earned > 0);
  REQUIRE(ok(c->remove_post(c.mo.id, t.first_post.id, "looks like spam")));
  CHECK(c.points(c.bo) < earned);

  // Bo sees who removed it and why, and that it can be appealed.
  auto history = c.history(c.bo);
  REQUIRE(history.size() == 1);
  const AuditEntry& removal = history[0].entry;
  CHECK(removal.action == AuditAction::post_removed);
  CHECK(removal.actor == c.mo.id);
  CHECK(removal.reason == "looks like spam");
  CHECK(history[0].appealable);
  CHECK_FALSE(history[0].appeal);

  const auto item = ok(c->appeal(c.bo.id, removal.id, "It is a guide, not spam."));
  CHECK(item.source == ReviewSource::appeal);
  CHECK(item.flag == "It is a guide, not spam.");
  CHECK(item.acted_by == c.mo.id);
  CHECK(item.post == t.first_post.id);
  CHECK(code_of(c->appeal(c.bo.id, removal.id, "again")) == errc::already_exists);
  history = c.history(c.bo);
  CHECK_FALSE(history[0].appealable);
  REQUIRE(history[0].appeal);
  CHECK(history[0].appeal->id == item.id);

  // It is in the queue; the moderator who acted may not decide it, another one may.
  auto queue = ok(c->review_queue(c.max.id, c.guild.id, {"", 50})).items;
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].id == item.id);
  CHECK(code_of(c->decide_review_item(c.mo.id, item.id, {ReviewAction::approve, ""})) ==
        errc::forbidden);
  CHECK(code_of(c->decide_review_item(c.max.id, item.id, {ReviewAction::remove, "no"})) ==
        errc::invalid_argument);
  ok(c->decide_review_item(c.max.id, item.id, {ReviewAction::approve, "a fair guide"}));

  const auto shown = ok(c->get_post(c.dee.id, t.first_post.id));
  CHECK_FALSE(shown.removed);
  CHECK(shown.body == "how to raid");
  CHECK(c.points(c.bo) == earned);
  history = c.history(c.bo);
  REQUIRE(history.size() >= 2);
  CHECK(history.back().appeal->decided);
  CHECK(history.back().appeal->decision == ReviewAction::approve);
  const auto inbox = ok(c->list_notifications(c.bo.id, {"", 50})).items;
  CHECK(std::any_of(inbox.begin(), inbox.end(), [](const Notification& n) {
    return n.kind == NotificationKind::appeal_decided;
  }));
}

TEST_CASE("a dismissed appeal leaves the action in place", "[appeals]") {
  Moderated c;
  const auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Rant", "angry words"));
  REQUIRE(ok(c->remove_post(c.mo.id, t.first_post.id, "rude")));
  const auto removal = c.history(c.bo).at(0).entry.id;
  const auto item = ok(c->appeal(c.bo.id, removal, "I was upset"));
  ok(c->decide_review_item(c.max.id, item.id, {ReviewAction::dismiss, "it was rude"}));
  CHECK(ok(c->get_post(c.dee.id, t.first_post.id)).removed);
  CHECK(code_of(c->appeal(c.bo.id, removal, "please")) == errc::already_exists);
}

TEST_CASE("a timeout can be appealed, and upholding it lifts the timeout", "[appeals]") {
  Moderated c;
  const auto x =
      ok(c->timeout_member(c.mo.id, c.guild.id, c.bo.id, "cool off", c.clock->now() + 3'600'000));
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "x", "y")) == errc::timed_out);
  const auto history = c.history(c.bo);
  REQUIRE(history.size() == 1);
  CHECK(history[0].entry.action == AuditAction::member_timed_out);
  REQUIRE(history[0].appealable);
  const auto item = ok(c->appeal(c.bo.id, history[0].entry.id, "It was a misunderstanding"));
  ok(c->decide_review_item(c.max.id, item.id, {ReviewAction::approve, ""}));
  CHECK(ok(c->create_thread(c.bo.id, c.guild.id, "x", "y")).thread.id);
  const auto record = ok(c->list_sanctions(c.max.id, c.bo.id, {"", 10})).items;
  REQUIRE(record.size() == 1);
  CHECK(record[0].id == x.id);
  CHECK(record[0].revoked_at != 0);
}

TEST_CASE("automatic actions are explained, with the rule and what it matched, not appealed",
          "[appeals]") {
  Moderated c;
  AutomodRules r;
  r.words = {{"casino", WordAction::block}};
  ok(c->set_automod_rules(c.ada.id, c.guild.id, r));
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "x", "visit my CASINO")) == errc::blocked);
  const auto history = c.history(c.bo);
  REQUIRE(history.size() == 1);
  const AuditEntry& e = history[0].entry;
  CHECK(e.action == AuditAction::post_blocked);
  CHECK(e.actor_kind == AuditActorKind::rule);
  CHECK(e.actor_name == "words");
  CHECK(e.matched == "CASINO");
  CHECK_FALSE(history[0].appealable);
  CHECK(code_of(c->appeal(c.bo.id, e.id, "it was a joke")) == errc::invalid_argument);
}

TEST_CASE("the history names no reporter, and is the member's own", "[appeals]") {
  Moderated c;
  const auto t = ok(c->create_thread(c.bo.id, c.guild.id, "x", "questionable"));
  ok(c->report_post(c.dee.id, t.first_post.id, ReportReason::spam, ""));
  ok(c->report_post(c.mo.id, t.first_post.id, ReportReason::spam, ""));
  const auto queue = ok(c->review_queue(c.max.id, c.guild.id, {"", 5})).items;
  REQUIRE(queue.size() == 1);
  ok(c->decide_review_item(c.max.id, queue[0].id, {ReviewAction::remove, "spam"}));
  const auto history = c.history(c.bo, t.first_post.id);
  REQUIRE_FALSE(history.empty());
  for (const auto& r : history) {
    CHECK(r.entry.actor != c.dee.id);  // a reporter who is no moderator never shows
    CHECK(r.entry.post == t.first_post.id);
  }
  CHECK(history[0].entry.action == AuditAction::review_decided);
  CHECK(history[0].entry.actor == c.max.id);
  CHECK(history[0].appealable);
  // Nobody reads another's history or appeals another's action.
  CHECK(code_of(c->moderation_history(c.dee.id, c.bo.id, {"", 5})) == errc::forbidden);
  CHECK(code_of(c->appeal(c.dee.id, history[0].entry.id, "not mine")) == errc::not_found);
  CHECK(code_of(c->appeal(c.bo.id, history[0].entry.id, "")) == errc::empty_field);
}

TEST_CASE("an action undone before the appeal cannot be appealed", "[appeals]") {
  Moderated c;
  const auto t = ok(c->create_thread(c.bo.id, c.guild.id, "x", "fine"));
  REQUIRE(ok(c->remove_post(c.mo.id, t.first_post.id, "oops")));
  REQUIRE(ok(c->restore_post(c.mo.id, t.first_post.id)));
  const auto history = c.history(c.bo);
  REQUIRE(history.size() == 2);
  CHECK(history[0].entry.action == AuditAction::post_restored);
  CHECK_FALSE(history[1].appealable);
  CHECK(code_of(c->appeal(c.bo.id, history[1].entry.id, "why")) == errc::conflict);
}

}  // namespace
}  // namespace hearth::test
