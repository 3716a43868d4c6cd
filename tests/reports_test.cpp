// Reports and the review queue (docs/moderation.md, "Reports and the review queue"): filing,
// weighing and hiding; the queue's order, scope and paging; claims; each decision's effect on
// the post, the reports, the reporters, the author's trust and the audit log; two moderators
// racing; bulk decisions; a storage failure leaving nothing.
#include "hearth/moderation/reports.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "failing_storage.hpp"
#include "hearth/moderation/audit.hpp"
#include "hearth/storage/memory.hpp"
#include "support.hpp"

namespace hearth {
namespace {

using test::code_of;
using test::Community;
using test::ok;

EngineOptions options(std::uint32_t hide_threshold = 0, std::shared_ptr<Storage> storage = {}) {
  EngineOptions o;
  o.storage = std::move(storage);
  o.reports.hide_threshold = hide_threshold;
  return o;
}

// The community with a moderator (mo) and more members of the guild (dee, eve).
struct Moderated : Community {
  Member mo, dee, eve;
  explicit Moderated(EngineOptions o = options()) : Community(std::move(o)) {
    mo = ok(engine->create_member("mo_mod", "Mo"));
    dee = ok(engine->create_member("dee", "Dee"));
    eve = ok(engine->create_member("eve", "Eve"));
    for (const Member& m : {mo, dee, eve}) REQUIRE(ok(engine->join_space(m.id, guild.id)));
    REQUIRE(ok(engine->assign_role(ada.id, guild.id, mo.id, builtin::moderator_role)));
  }
  // A second moderator of the guild.
  Member another_moderator() {
    const Member m = ok(engine->create_member("mo_two", "Mo Two"));
    REQUIRE(ok(engine->join_space(m.id, guild.id)));
    REQUIRE(ok(engine->assign_role(ada.id, guild.id, m.id, builtin::moderator_role)));
    return m;
  }
};

std::vector<AuditEntry> audit_entries(Community& c) {
  return ok(c->audit_log(c.ada.id, {}, {"", 200})).items;
}

TEST_CASE("report reasons, statuses and review actions have stable names", "[reports]") {
  for (unsigned i = 0; i < 5; ++i) {
    const auto r = static_cast<ReportReason>(i);
    CHECK(report_reason_from_string(to_string(r)) == r);
  }
  for (unsigned i = 0; i < 4; ++i) {
    const auto s = static_cast<ReportStatus>(i);
    CHECK(report_status_from_string(to_string(s)) == s);
    const auto a = static_cast<ReviewAction>(i);
    CHECK(review_action_from_string(to_string(a)) == a);
  }
  CHECK(to_string(ReportReason::off_topic) == "off_topic");
  CHECK(to_string(ReviewSource::reports) == "reports");
  CHECK(to_string(ReviewSource::auto_moderation) == "auto_moderation");
  CHECK(to_string(ReviewSource::first_post) == "first_post");
  CHECK(to_string(ReviewSource::appeal) == "appeal");
  CHECK(to_string(static_cast<ReviewSource>(4)) == "unknown");
  CHECK_FALSE(report_reason_from_string("rude"));
  CHECK(to_string(static_cast<ReviewAction>(9)) == "unknown");
}

TEST_CASE("a report joins its post's item, weighed by the reporter's trust level", "[reports]") {
  Moderated c;
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Cheap gold", "buy now"));
  const PostId post = t.first_post.id;

  const Report first = ok(c->report_post(c.dee.id, post, ReportReason::spam, ""));
  CHECK(first.reporter == c.dee.id);
  CHECK(first.target_member == c.bo.id);
  CHECK(first.space == c.guild.id);
  CHECK(first.status == ReportStatus::open);
  CHECK(first.weight == 1);  // level 0

  ok(c->set_trust_level(c.eve.id, 3));
  const Report second = ok(c->report_post(c.eve.id, post, ReportReason::other, "  a scam  "));
  CHECK(second.weight == 3);
  CHECK(second.note == "a scam");
  CHECK(second.item == first.item);

  const ReviewItemDetail d = ok(c->review_item(c.mo.id, first.item));
  CHECK(d.item.weight == 4);
  CHECK(d.item.reports == 2);
  CHECK(d.item.post == post);
  CHECK(d.item.target_member == c.bo.id);
  CHECK_FALSE(d.item.hidden);  // no threshold in these options
  REQUIRE(d.reports.size() == 2);
  CHECK(d.reports[0].id == first.id);
  CHECK(d.reports[1].reporter == c.eve.id);

  // A report about the member goes to an item of its own.
  const Report about = ok(
      c->report_member(c.dee.id, c.guild.id, c.bo.id, ReportReason::harassment, "insults in chat"));
  CHECK(about.item != first.item);
  CHECK_FALSE(about.post);
}

TEST_CASE("reports refuse what they must", "[reports]") {
  Moderated c;
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Raid", "Friday"));
  const PostId post = t.first_post.id;
  ok(c->report_post(c.dee.id, post, ReportReason::spam, ""));
  CHECK(code_of(c->report_post(c.dee.id, post, ReportReason::off_topic, "")) ==
        errc::already_exists);
  CHECK(code_of(c->report_post(c.bo.id, post, ReportReason::spam, "")) == errc::forbidden);
  CHECK(code_of(c->report_post(c.cy.id, post, ReportReason::spam, "")) == errc::forbidden);
  CHECK(code_of(c->report_post(c.eve.id, post, ReportReason::other, "  ")) == errc::empty_field);
  CHECK(code_of(c->report_post(c.eve.id, post, static_cast<ReportReason>(7), "")) ==
        errc::invalid_argument);
  CHECK(code_of(c->report_post(c.eve.id, post, ReportReason::spam, std::string(501, 'x'))) ==
        errc::too_long);
  CHECK(code_of(c->report_post(c.eve.id, PostId{999}, ReportReason::spam, "")) == errc::not_found);
  CHECK(code_of(c->report_post(MemberId{}, post, ReportReason::spam, "")) == errc::forbidden);
  CHECK(code_of(c->report_member(c.dee.id, c.guild.id, c.dee.id, ReportReason::spam, "")) ==
        errc::forbidden);
  CHECK(code_of(c->report_member(c.dee.id, c.guild.id, MemberId{999}, ReportReason::spam, "")) ==
        errc::not_found);
  const Post gone = ok(c->reply(c.bo.id, post, "oops"));
  ok(c->delete_post(c.bo.id, gone.id));
  CHECK(code_of(c->report_post(c.eve.id, gone.id, ReportReason::spam, "")) == errc::gone);

  // The report permission can be taken away like any other.
  ok(c->set_override(c.ada.id, c.guild.id, builtin::member_role, {},
                     Permissions{Permission::report}));
  CHECK(code_of(c->report_post(c.eve.id, post, ReportReason::spam, "")) == errc::forbidden);
}

TEST_CASE("reports that weigh enough hide the post pending review, once", "[reports]") {
  Moderated c(options(2));
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Cheap gold", "buy now"));
  const Post reply = ok(c->reply(c.bo.id, t.first_post.id, "visit my shop"));
  const auto entries_before = audit_entries(c).size();

  const Report r1 = ok(c->report_post(c.dee.id, reply.id, ReportReason::spam, ""));
  CHECK_FALSE(ok(c->get_post(c.eve.id, reply.id)).removed);
  ok(c->report_post(c.eve.id, reply.id, ReportReason::spam, ""));
  const Post hidden = ok(c->get_post(c.eve.id, reply.id));
  CHECK(hidden.removed);
  CHECK(hidden.body.empty());
  CHECK(hidden.removal_reason == "hidden pending review: reported by members");
  CHECK(ok(c->review_item(c.mo.id, r1.item)).item.hidden);

  auto entries = audit_entries(c);
  REQUIRE(entries.size() == entries_before + 1);
  CHECK(entries.front().action == AuditAction::post_hidden);
  CHECK(entries.front().actor_kind == AuditActorKind::rule);
  CHECK(entries.front().actor_name == "reports");
  CHECK(entries.front().post == reply.id);
  CHECK(entries.front().target_member == c.bo.id);

  // Hidden, it takes no more reports until a moderator decides.
  CHECK(code_of(c->report_post(c.ada.id, reply.id, ReportReason::spam, "")) == errc::gone);
  CHECK(audit_entries(c).size() == entries_before + 1);

  // A moderator's post is queued, never hidden by reports.
  auto mine = ok(c->create_thread(c.mo.id, c.guild.id, "Rules", "be kind"));
  ok(c->report_post(c.dee.id, mine.first_post.id, ReportReason::inappropriate, ""));
  ok(c->report_post(c.eve.id, mine.first_post.id, ReportReason::inappropriate, ""));
  CHECK_FALSE(ok(c->get_post(c.eve.id, mine.first_post.id)).removed);
}

TEST_CASE("the queue is by weight then age, over the spaces below that the viewer reviews",
          "[reports]") {
  Moderated c;
  const Space channel =
      ok(c->create_space(c.ada.id, {c.guild.id, SpaceKind::channel, "general", ""}));
  auto a = ok(c->create_thread(c.bo.id, c.guild.id, "A", "a"));
  auto b = ok(c->create_thread(c.bo.id, c.guild.id, "B", "b"));
  auto d = ok(c->create_thread(c.bo.id, channel.id, "D", "d"));
  ok(c->set_trust_level(c.eve.id, 4));
  const ReviewItemId ia =
      ok(c->report_post(c.dee.id, a.first_post.id, ReportReason::spam, "")).item;
  const ReviewItemId ib =
      ok(c->report_post(c.eve.id, b.first_post.id, ReportReason::spam, "")).item;
  const ReviewItemId id =
      ok(c->report_post(c.dee.id, d.first_post.id, ReportReason::spam, "")).item;
  const ReviewItemId im =
      ok(c->report_member(c.dee.id, c.guild.id, c.bo.id, ReportReason::spam, "")).item;

  auto queue = ok(c->review_queue(c.mo.id, c.guild.id, {"", 50})).items;
  REQUIRE(queue.size() == 4);
  CHECK(queue[0].id == ib);  // weight 4
  CHECK(queue[1].id == ia);  // weight 1, oldest first
  CHECK(queue[2].id == id);
  CHECK(queue[3].id == im);
  CHECK(queue[2].space == channel.id);

  // Pages of one continue without gaps or repeats.
  std::vector<ReviewItemId> paged;
  std::string cursor;
  do {
    auto page = ok(c->review_queue(c.mo.id, c.guild.id, {cursor, 1}));
    for (const auto& i : page.items) paged.push_back(i.id);
    cursor = page.next_cursor;
  } while (!cursor.empty());
  CHECK(paged == std::vector<ReviewItemId>{ib, ia, id, im});

  // The channel's queue alone; a channel the moderator is denied review in is left out.
  CHECK(ok(c->review_queue(c.mo.id, channel.id, {"", 50})).items.size() == 1);
  ok(c->set_override(c.ada.id, channel.id, builtin::moderator_role, {},
                     Permissions{Permission::review_reports}));
  CHECK(ok(c->review_queue(c.mo.id, c.guild.id, {"", 50})).items.size() == 3);
  CHECK(code_of(c->review_queue(c.mo.id, channel.id, {"", 50})) == errc::forbidden);

  CHECK(code_of(c->review_queue(c.dee.id, c.guild.id, {"", 50})) == errc::forbidden);
  CHECK(code_of(c->review_item(c.dee.id, ia)) == errc::forbidden);
  CHECK(code_of(c->review_item(c.mo.id, ReviewItemId{12345})) == errc::not_found);
  CHECK(code_of(c->review_queue(c.mo.id, c.guild.id, {"q.zz", 50})) == errc::invalid_cursor);
}

TEST_CASE("a claim holds other moderators off until it lapses", "[reports]") {
  Moderated c;
  const Member mo2 = c.another_moderator();
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "A", "a"));
  const ReviewItemId item =
      ok(c->report_post(c.dee.id, t.first_post.id, ReportReason::spam, "")).item;

  const ReviewItem claimed = ok(c->claim_review_item(c.mo.id, item));
  CHECK(claimed.claimed_by == c.mo.id);
  CHECK(claimed.claimed_until == c.clock->now() + c->options().reports.claim_ms);
  CHECK(code_of(c->claim_review_item(mo2.id, item)) == errc::conflict);
  CHECK(code_of(c->decide_review_item(mo2.id, item, {ReviewAction::dismiss, ""})) ==
        errc::conflict);
  CHECK(code_of(c->claim_review_item(c.dee.id, item)) == errc::forbidden);
  ok(c->claim_review_item(c.mo.id, item));  // renewed

  c.clock->advance(c->options().reports.claim_ms);
  CHECK(ok(c->claim_review_item(mo2.id, item)).claimed_by == mo2.id);
  ok(c->decide_review_item(mo2.id, item, {ReviewAction::dismiss, ""}));
  CHECK(code_of(c->claim_review_item(mo2.id, item)) == errc::conflict);
}

TEST_CASE("approving a hidden post shows it again and rejects the reports", "[reports]") {
  Moderated c(options(2));
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Honest", "question"));
  const PostId post = t.first_post.id;
  const ReviewItemId item = ok(c->report_post(c.dee.id, post, ReportReason::spam, "")).item;
  ok(c->report_post(c.eve.id, post, ReportReason::spam, ""));
  REQUIRE(ok(c->get_post(c.eve.id, post)).removed);
  REQUIRE(ok(c->get_thread(c.eve.id, t.thread.id)).deleted);

  const ReviewItem decided = ok(c->decide_review_item(c.mo.id, item, {ReviewAction::approve, ""}));
  CHECK(decided.decided);
  CHECK(decided.decision == ReviewAction::approve);
  CHECK(decided.decided_by == c.mo.id);
  const Post back = ok(c->get_post(c.eve.id, post));
  CHECK_FALSE(back.removed);
  CHECK(back.body == "question");
  CHECK_FALSE(ok(c->get_thread(c.eve.id, t.thread.id)).deleted);

  // The reporters learn it: a notification, and the outcome in their own list.
  for (const Member& m : {c.dee, c.eve}) {
    auto mine = ok(c->my_reports(m.id, {"", 10})).items;
    REQUIRE(mine.size() == 1);
    CHECK(mine[0].status == ReportStatus::rejected);
    CHECK(mine[0].decided_at == c.clock->now());
    auto inbox = ok(c->list_notifications(m.id, {"", 10}, false)).items;
    REQUIRE_FALSE(inbox.empty());
    CHECK(inbox.front().kind == NotificationKind::report_decided);
    CHECK(inbox.front().post == post);
    CHECK_FALSE(inbox.front().actor);  // the moderator is not named
  }
  CHECK(ok(c->trust_level(c.bo.id, c.bo.id)).flags_against == 0);
  CHECK(ok(c->review_queue(c.mo.id, c.guild.id, {"", 10})).items.empty());
  CHECK(code_of(c->decide_review_item(c.mo.id, item, {ReviewAction::remove, "spam"})) ==
        errc::conflict);

  // A new report after the decision opens a new item.
  const Member fay = ok(c->create_member("fay", "Fay"));
  REQUIRE(ok(c->join_space(fay.id, c.guild.id)));
  CHECK(ok(c->report_post(fay.id, post, ReportReason::spam, "")).item != item);
}

TEST_CASE("remove withdraws the post's reputation, hide keeps it, both uphold the reports",
          "[reports]") {
  Moderated c;
  auto t =
      ok(c->create_thread(c.ada.id, c.guild.id, "How do I raid?", "details", ThreadKind::question));
  const Post a1 = ok(c->reply(c.bo.id, t.first_post.id, "like this"));
  const Post a2 = ok(c->reply(c.bo.id, t.first_post.id, "or like that"));
  ok(c->react(c.dee.id, a1.id, "+1"));
  ok(c->react(c.dee.id, a2.id, "+1"));
  const auto points = [&] { return ok(c->reputation(c.bo.id, c.guild.id, c.bo.id)).points; };
  REQUIRE(points() == 20);

  const ReviewItemId i1 = ok(c->report_post(c.eve.id, a1.id, ReportReason::off_topic, "")).item;
  const ReviewItemId i2 = ok(c->report_post(c.eve.id, a2.id, ReportReason::spam, "")).item;
  const auto entries_before = audit_entries(c).size();

  CHECK(code_of(c->decide_review_item(c.mo.id, i1, {ReviewAction::hide, ""})) == errc::empty_field);
  const ReviewItem hid = ok(c->decide_review_item(c.mo.id, i1, {ReviewAction::hide, "off topic"}));
  CHECK(hid.reason == "off topic");
  const Post p1 = ok(c->get_post(c.dee.id, a1.id));
  CHECK(p1.removed);
  CHECK(p1.removal_reason == "off topic");
  CHECK(p1.removed_by == c.mo.id);
  CHECK(points() == 20);

  ok(c->decide_review_item(c.mo.id, i2, {ReviewAction::remove, "spam"}));
  CHECK(ok(c->get_post(c.dee.id, a2.id)).removed);
  CHECK(points() == 10);

  auto mine = ok(c->my_reports(c.eve.id, {"", 10})).items;
  REQUIRE(mine.size() == 2);
  CHECK(mine[0].status == ReportStatus::upheld);
  CHECK(mine[1].status == ReportStatus::upheld);
  CHECK(ok(c->trust_level(c.bo.id, c.bo.id)).flags_against == 2);

  // One entry per decision, naming it.
  auto entries = audit_entries(c);
  REQUIRE(entries.size() == entries_before + 2);
  CHECK(entries[0].action == AuditAction::review_decided);
  CHECK(entries[0].detail == R"({"decision":"remove","reports":1})");
  CHECK(entries[0].post == a2.id);
  CHECK(entries[0].actor == c.mo.id);
  CHECK(entries[0].reason == "spam");
  CHECK(entries[1].detail == R"({"decision":"hide","reports":1})");

  // Restoring the removed post gives the points back.
  REQUIRE(ok(c->restore_post(c.mo.id, a2.id)));
  CHECK(points() == 20);
}

TEST_CASE("a decision can sanction the author in its own transaction", "[reports]") {
  Moderated c;
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Cheap gold", "buy now"));
  const ReviewItemId item =
      ok(c->report_post(c.dee.id, t.first_post.id, ReportReason::spam, "")).item;
  const Timestamp until = c.clock->now() + 3'600'000;
  ReviewDecision d{ReviewAction::remove, "spam", SanctionKind::timeout, until};
  CHECK(code_of(c->decide_review_item(c.mo.id, item,
                                      {ReviewAction::approve, "", SanctionKind::warn, 0})) ==
        errc::invalid_argument);
  // A sanction that fails takes the decision down with it.
  CHECK(code_of(c->decide_review_item(c.mo.id, item,
                                      {ReviewAction::remove, "spam", SanctionKind::timeout, 0})) ==
        errc::invalid_argument);
  CHECK_FALSE(ok(c->review_item(c.mo.id, item)).item.decided);
  CHECK_FALSE(ok(c->get_post(c.mo.id, t.first_post.id)).removed);

  const auto entries_before = audit_entries(c).size();
  ok(c->decide_review_item(c.mo.id, item, d));
  CHECK(ok(c->get_post(c.mo.id, t.first_post.id)).removed);
  const Restriction r = ok(c->restriction(c.bo.id, c.bo.id, c.guild.id));
  REQUIRE(r.kind);
  CHECK(*r.kind == SanctionKind::timeout);
  CHECK(r.until == until);
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "More", "gold")) == errc::timed_out);
  auto entries = audit_entries(c);
  REQUIRE(entries.size() == entries_before + 2);  // the decision and the timeout
  CHECK(entries[0].action == AuditAction::review_decided);
  CHECK(entries[1].action == AuditAction::member_timed_out);
  CHECK(entries[1].reason == "spam");

  // The sanction keeps its own authority: not over an admin.
  auto admins = ok(c->create_thread(c.ada.id, c.guild.id, "Owner", "x"));
  const ReviewItemId on_owner =
      ok(c->report_post(c.dee.id, admins.first_post.id, ReportReason::spam, "")).item;
  CHECK(code_of(c->decide_review_item(c.mo.id, on_owner,
                                      {ReviewAction::dismiss, "", SanctionKind::warn, 0})) ==
        errc::forbidden);
}

TEST_CASE("decisions keep rank order, and an item about a member cannot be hidden", "[reports]") {
  Moderated c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Owner's post", "x"));
  const ReviewItemId on_owner =
      ok(c->report_post(c.dee.id, t.first_post.id, ReportReason::spam, "")).item;
  CHECK(code_of(c->decide_review_item(c.mo.id, on_owner, {ReviewAction::remove, "no"})) ==
        errc::forbidden);
  // Dismissing needs no rank over the author.
  ok(c->decide_review_item(c.mo.id, on_owner, {ReviewAction::dismiss, ""}));
  CHECK(ok(c->my_reports(c.dee.id, {"", 10})).items[0].status == ReportStatus::dismissed);

  const ReviewItemId on_member =
      ok(c->report_member(c.dee.id, c.guild.id, c.bo.id, ReportReason::harassment, "")).item;
  CHECK(code_of(c->decide_review_item(c.mo.id, on_member, {ReviewAction::hide, "x"})) ==
        errc::invalid_argument);
  CHECK(code_of(c->decide_review_item(c.mo.id, on_member, {static_cast<ReviewAction>(8), ""})) ==
        errc::invalid_argument);
  CHECK(code_of(c->decide_review_item(c.dee.id, on_member, {ReviewAction::dismiss, ""})) ==
        errc::forbidden);
  CHECK(code_of(c->decide_review_item(c.mo.id, ReviewItemId{777}, {ReviewAction::dismiss, ""})) ==
        errc::not_found);
  ok(c->decide_review_item(c.mo.id, on_member, {ReviewAction::approve, ""}));
}

TEST_CASE("two moderators racing decide an item once", "[reports][concurrency]") {
  for (int round = 0; round < 20; ++round) {
    Moderated c;
    const Member mo2 = c.another_moderator();
    auto t = ok(c->create_thread(c.bo.id, c.guild.id, "A", "a"));
    const ReviewItemId item =
        ok(c->report_post(c.dee.id, t.first_post.id, ReportReason::spam, "")).item;
    const auto entries_before = audit_entries(c).size();

    std::atomic<int> ready{0};
    std::vector<errc> codes(2);
    auto run = [&](int who, MemberId mod, ReviewAction action) {
      ++ready;
      while (ready.load() < 2) {
      }
      auto r = c->decide_review_item(mod, item, {action, "spam"});
      codes[static_cast<std::size_t>(who)] = r ? errc{} : static_cast<errc>(r.error().value());
    };
    std::thread one(run, 0, c.mo.id, ReviewAction::remove);
    std::thread two(run, 1, mo2.id, ReviewAction::approve);
    one.join();
    two.join();
    const int won = (codes[0] == errc{}) + (codes[1] == errc{});
    CHECK(won == 1);
    CHECK((codes[0] == errc::conflict || codes[1] == errc::conflict));
    CHECK(audit_entries(c).size() == entries_before + 1);
    const ReviewItem decided = ok(c->review_item(c.ada.id, item)).item;
    CHECK(decided.decided_by == (codes[0] == errc{} ? c.mo.id : mo2.id));
    CHECK(ok(c->get_post(c.ada.id, t.first_post.id)).removed == (codes[0] == errc{}));
  }
}

TEST_CASE("bulk decisions decide each item on its own", "[reports]") {
  Moderated c;
  std::vector<ReviewItemId> items;
  for (const char* title : {"one", "two", "three"}) {
    auto t = ok(c->create_thread(c.bo.id, c.guild.id, title, "x"));
    items.push_back(ok(c->report_post(c.dee.id, t.first_post.id, ReportReason::spam, "")).item);
  }
  ok(c->decide_review_item(c.mo.id, items[1], {ReviewAction::approve, ""}));
  auto results = ok(c->decide_review_items(c.mo.id, items, {ReviewAction::remove, "spam"}));
  REQUIRE(results.size() == 3);
  CHECK(results[0].has_value());
  CHECK(code_of(results[1]) == errc::conflict);
  CHECK(results[2].has_value());
  CHECK(ok(c->review_queue(c.mo.id, c.guild.id, {"", 10})).items.empty());
  CHECK(ok(c->decide_review_items(c.mo.id, {}, {ReviewAction::remove, "spam"})).empty());
  CHECK(code_of(c->decide_review_items(c.mo.id, items, {ReviewAction::remove, ""})) ==
        errc::empty_field);
  std::vector<ReviewItemId> too_many(201, items[0]);
  CHECK(code_of(c->decide_review_items(c.mo.id, too_many, {ReviewAction::dismiss, ""})) ==
        errc::invalid_argument);
}

EngineOptions first_posts_reviewed(std::uint32_t n) {
  EngineOptions o;
  o.trust.first_posts_reviewed = n;
  return o;
}

TEST_CASE("a new member's first posts wait for review, and approval publishes them", "[reports]") {
  Moderated c(first_posts_reviewed(2));
  ok(c->set_trust_level(c.bo.id, 1));
  auto raid = ok(c->create_thread(c.bo.id, c.guild.id, "Raid", "Friday"));
  REQUIRE_FALSE(raid.first_post.removed);
  const std::uint64_t seq = ok(c->last_event_seq());
  const auto entries_before = audit_entries(c).size();

  auto held = ok(c->create_thread(c.dee.id, c.guild.id, "Hi all", "new here, @eve says hi"));
  CHECK(held.first_post.removed);
  CHECK(held.first_post.removal_reason == "awaiting review: a new member's first posts");
  CHECK(ok(c->last_event_seq()) == seq);  // nobody hears of it yet
  CHECK(ok(c->list_threads(c.eve.id, c.guild.id, {"", 50})).items.size() == 1);  // the raid
  const Post seen = ok(c->get_post(c.eve.id, held.first_post.id));
  CHECK(seen.removed);
  CHECK(seen.body.empty());
  auto entries = audit_entries(c);
  REQUIRE(entries.size() == entries_before + 1);
  CHECK(entries.front().action == AuditAction::post_hidden);
  CHECK(entries.front().actor_kind == AuditActorKind::rule);
  CHECK(entries.front().actor_name == "first_posts");

  auto queue = ok(c->review_queue(c.mo.id, c.guild.id, {"", 50})).items;
  REQUIRE(queue.size() == 1);
  const ReviewItem& item = queue[0];
  CHECK(item.post == held.first_post.id);
  CHECK(item.source == ReviewSource::first_post);
  CHECK(item.hidden);
  CHECK(item.target_member == c.dee.id);

  // Moderators' and trusted members' posts are not held.
  CHECK_FALSE(ok(c->create_thread(c.mo.id, c.guild.id, "Rules", "be kind")).first_post.removed);
  ok(c->set_trust_level(c.eve.id, 1));
  CHECK_FALSE(ok(c->create_thread(c.eve.id, c.guild.id, "Eve", "here")).first_post.removed);

  // Approval publishes it as if just written: listed, its event, the mention, the activity.
  const std::uint64_t before_approval = ok(c->last_event_seq());
  ok(c->decide_review_item(c.mo.id, item.id, {ReviewAction::approve, ""}));
  const Post published = ok(c->get_post(c.eve.id, held.first_post.id));
  CHECK_FALSE(published.removed);
  CHECK(published.body == "new here, @eve says hi");
  bool listed = false;
  for (const Thread& t : ok(c->list_threads(c.eve.id, c.guild.id, {"", 50})).items)
    listed = listed || t.id == held.thread.id;
  CHECK(listed);
  auto events = ok(c->read_events(before_approval, 50));
  bool created = false;
  for (const Event& e : events) created = created || e.type == EventType::thread_created;
  CHECK(created);
  auto inbox = ok(c->list_notifications(c.eve.id, {"", 10}, false)).items;
  REQUIRE_FALSE(inbox.empty());
  CHECK(inbox.front().kind == NotificationKind::mention);
  CHECK(inbox.front().post == held.first_post.id);
  CHECK(ok(c->trust_level(c.dee.id, c.dee.id)).threads_created == 1);

  // The second post is held too; once two are published, the third goes straight out.
  const Post reply = ok(c->reply(c.dee.id, raid.first_post.id, "count me in"));
  CHECK(reply.removed);
  auto thread_before = ok(c->get_thread(c.mo.id, raid.thread.id));
  CHECK(thread_before.reply_count == 0);
  const ReviewItemId reply_item = ok(c->review_queue(c.mo.id, c.guild.id, {"", 50})).items[0].id;
  ok(c->decide_review_item(c.mo.id, reply_item, {ReviewAction::dismiss, ""}));
  auto thread_after = ok(c->get_thread(c.mo.id, raid.thread.id));
  CHECK(thread_after.reply_count == 1);
  CHECK(thread_after.last_post == reply.id);
  CHECK_FALSE(ok(c->reply(c.dee.id, raid.first_post.id, "and me again")).removed);
  CHECK(ok(c->trust_level(c.dee.id, c.dee.id)).replies == 2);
}

TEST_CASE("a held post that is removed is never published", "[reports]") {
  Moderated c(first_posts_reviewed(1));
  auto held = ok(c->create_thread(c.dee.id, c.guild.id, "Cheap gold", "visit my shop"));
  REQUIRE(held.first_post.removed);
  const ReviewItemId item = ok(c->review_queue(c.mo.id, c.guild.id, {"", 50})).items.at(0).id;
  const std::uint64_t seq = ok(c->last_event_seq());
  ok(c->decide_review_item(c.mo.id, item, {ReviewAction::remove, "spam"}));
  const Post gone = ok(c->get_post(c.mo.id, held.first_post.id));
  CHECK(gone.removed);
  CHECK(gone.removal_reason == "spam");
  CHECK(gone.removed_by == c.mo.id);
  CHECK(ok(c->list_threads(c.eve.id, c.guild.id, {"", 50})).items.empty());
  for (const Event& e : ok(c->read_events(seq, 50))) CHECK(e.type != EventType::thread_created);
  CHECK(ok(c->trust_level(c.dee.id, c.dee.id)).threads_created == 0);
  CHECK(ok(c->trust_level(c.dee.id, c.dee.id)).flags_against == 1);
  // Still a new member with nothing published: the next post waits too.
  CHECK(
      ok(c->create_thread(c.dee.id, c.guild.id, "Sorry", "won't happen again")).first_post.removed);
}

TEST_CASE("a storage failure leaves no report, item, hiding or decision half-written",
          "[reports]") {
  for (const char* method : {"insert_report", "update_review_item", "insert_audit_entry",
                             "update_report", "update_post"}) {
    DYNAMIC_SECTION(method) {
      auto storage =
          std::make_shared<test::FailingMethod>(std::make_shared<MemoryStorage>(), method);
      Moderated c(options(2, storage));
      auto t = ok(c->create_thread(c.bo.id, c.guild.id, "A", "a"));
      const PostId post = t.first_post.id;
      const ReviewItemId item = ok(c->report_post(c.dee.id, post, ReportReason::spam, "")).item;
      const std::uint64_t seq = ok(c->last_event_seq());
      const auto entries = audit_entries(c).size();

      storage->fail_at = 0;
      const auto filed = c->report_post(c.eve.id, post, ReportReason::spam, "");
      if (!filed) {
        CHECK(code_of(filed) == errc::storage_error);
        CHECK_FALSE(ok(c->get_post(c.eve.id, post)).removed);
        CHECK(ok(c->my_reports(c.eve.id, {"", 10})).items.empty());
        CHECK(ok(c->review_item(c.mo.id, item)).item.reports == 1);
        CHECK(audit_entries(c).size() == entries);
        CHECK(ok(c->last_event_seq()) == seq);
        ok(c->report_post(c.eve.id, post, ReportReason::spam, ""));
      }
      REQUIRE(ok(c->get_post(c.eve.id, post)).removed);

      storage->fail_at = 0;
      const auto before = audit_entries(c).size();
      const auto decided = c->decide_review_item(c.mo.id, item, {ReviewAction::approve, ""});
      if (!decided) {
        CHECK(code_of(decided) == errc::storage_error);
        CHECK(ok(c->get_post(c.eve.id, post)).removed);
        CHECK_FALSE(ok(c->review_item(c.mo.id, item)).item.decided);
        CHECK(ok(c->my_reports(c.dee.id, {"", 10})).items[0].status == ReportStatus::open);
        CHECK(audit_entries(c).size() == before);
        ok(c->decide_review_item(c.mo.id, item, {ReviewAction::approve, ""}));
      }
      CHECK_FALSE(ok(c->get_post(c.eve.id, post)).removed);
    }
  }
}

}  // namespace
}  // namespace hearth
