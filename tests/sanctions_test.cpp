// Sanctions (docs/moderation.md, "Sanctions"): what each kind stops and for how long, by the
// engine's clock; revocation; who may sanction whom; the record and the status query; one
// audit entry per change; events for the member alone; nothing left by a storage failure.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "failing_storage.hpp"
#include "hearth/storage/memory.hpp"
#include "support.hpp"

namespace hearth {
namespace {

using test::code_of;
using test::Community;
using test::ok;

constexpr std::int64_t minute = 60'000;

// Every audit entry `viewer` (by default Ada, the owner of the guild) may read, newest first.
std::vector<AuditEntry> entries(Community& c, MemberId viewer = {}) {
  return ok(c->audit_log(viewer ? viewer : c.ada.id, {}, {"", 200})).items;
}

// The types of the events `viewer` receives from `after` on, as subscribe_as delivers them.
std::vector<std::string> received(Community& c, MemberId viewer, std::uint64_t after) {
  std::vector<std::string> out;
  auto sub = ok(
      c->subscribe_as(viewer, after, [&](const Event& e) { out.emplace_back(to_string(e.type)); }));
  c->unsubscribe(sub);
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST_CASE("sanction kinds, their audit actions, events and errors have names", "[sanctions]") {
  for (SanctionKind k :
       {SanctionKind::warn, SanctionKind::timeout, SanctionKind::suspend, SanctionKind::ban}) {
    CHECK(to_string(k) != "unknown");
    CHECK(sanction_kind_from_string(to_string(k)) == k);
  }
  CHECK(to_string(AuditAction::member_timed_out) == "member_timed_out");
  CHECK(to_string(AuditAction::sanction_revoked) == "sanction_revoked");
  CHECK(to_string(EventType::member_sanctioned) == "member_sanctioned");
  CHECK(event_type_from_string("sanction_revoked") == EventType::sanction_revoked);
  CHECK(errc_name(errc::suspended) == "suspended");
  CHECK(errc_name(errc::timed_out) == "timed_out");
  // Appended: the values before them are unchanged.
  CHECK(static_cast<int>(errc::suspended) == static_cast<int>(errc::full) + 1);
  CHECK(static_cast<int>(errc::timed_out) == static_cast<int>(errc::full) + 2);
}

TEST_CASE("a warning restricts nothing, is on the record and reaches the member alone",
          "[sanctions]") {
  Community c;
  const std::uint64_t seq = ok(c->last_event_seq());
  const Sanction w = ok(c->warn_member(c.ada.id, c.guild.id, c.bo.id, "mind the language"));
  CHECK(w.kind == SanctionKind::warn);
  CHECK(w.member == c.bo.id);
  CHECK(w.space == c.guild.id);
  CHECK(w.issuer == c.ada.id);
  CHECK(w.reason == "mind the language");
  CHECK(w.created_at == c.clock->now());
  CHECK(w.expires_at == 0);
  ok(c->create_thread(c.bo.id, c.guild.id, "Still here", "posting as usual"));
  CHECK_FALSE(ok(c->restriction(c.bo.id, c.bo.id, c.guild.id)).kind);
  auto record = ok(c->list_sanctions(c.bo.id, c.bo.id, {}));
  REQUIRE(record.items.size() == 1);
  CHECK(record.items.front().id == w.id);
  // The warned member receives it; another reader of the guild does not; the host does.
  CHECK(contains(received(c, c.bo.id, seq), "member_sanctioned"));
  CHECK_FALSE(contains(received(c, c.cy.id, seq), "member_sanctioned"));
  CHECK_FALSE(contains(received(c, MemberId{}, seq), "member_sanctioned"));
  auto all = ok(c->read_events(seq, 100));
  REQUIRE_FALSE(all.empty());
  CHECK(all.front().type == EventType::member_sanctioned);
  CHECK(all.front().payload.find("\"reason\":\"mind the language\"") != std::string::npos);
}

TEST_CASE("a timeout stops threads, replies, edits and reactions until its end by the clock",
          "[sanctions]") {
  Community c;
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Raid", "Friday"));
  const Timestamp until = c.clock->now() + 10 * minute;
  const Sanction s = ok(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "cool off", until));
  CHECK(s.expires_at == until);
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "Again", "x")) == errc::timed_out);
  CHECK(code_of(c->reply(c.bo.id, t.first_post.id, "x")) == errc::timed_out);
  CHECK(code_of(c->edit_post(c.bo.id, t.first_post.id, "edited")) == errc::timed_out);
  CHECK(code_of(c->react(c.bo.id, t.first_post.id, "heart")) == errc::timed_out);
  // Reading still works, and so do calls that are not posting.
  ok(c->get_thread(c.bo.id, t.thread.id));
  ok(c->list_threads(c.bo.id, c.guild.id, {}));
  ok(c->record_visit(c.bo.id));
  // The member learns until when.
  const Restriction r = ok(c->restriction(c.bo.id, c.bo.id, c.guild.id));
  REQUIRE(r.kind);
  CHECK(*r.kind == SanctionKind::timeout);
  CHECK(r.sanction == s.id);
  CHECK(r.until == until);
  CHECK_FALSE(ok(c->restriction(c.bo.id, c.bo.id, {})).kind);  // not community-wide
  // Others are not affected.
  ok(c->reply(c.ada.id, t.first_post.id, "see you"));
  c.clock->set(until - 1);
  CHECK(code_of(c->reply(c.bo.id, t.first_post.id, "x")) == errc::timed_out);
  c.clock->set(until);  // expires_at is the first moment it no longer holds
  ok(c->reply(c.bo.id, t.first_post.id, "back"));
  ok(c->edit_post(c.bo.id, t.first_post.id, "edited"));
  CHECK(ok(c->react(c.bo.id, t.first_post.id, "heart")));
  CHECK_FALSE(ok(c->restriction(c.bo.id, c.bo.id, c.guild.id)).kind);
}

TEST_CASE("a timeout holds in its space and below, a community-wide one everywhere",
          "[sanctions]") {
  Community c;
  const Space child = ok(c->create_space(c.ada.id, {c.guild.id, SpaceKind::channel, "Chat", ""}));
  const Space other = ok(c->create_space(c.ada.id, {{}, SpaceKind::guild, "Larks", ""}));
  CHECK(ok(c->join_space(c.bo.id, child.id)));
  CHECK(ok(c->join_space(c.bo.id, other.id)));
  const Timestamp until = c.clock->now() + minute;
  const Sanction here = ok(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "", until));
  CHECK(code_of(c->create_thread(c.bo.id, child.id, "a", "b")) == errc::timed_out);
  ok(c->create_thread(c.bo.id, other.id, "a", "b"));
  CHECK(ok(c->revoke_sanction(c.ada.id, here.id, "")));
  ok(c->create_thread(c.bo.id, child.id, "a", "b"));
  ok(c->timeout_member(c.ada.id, {}, c.bo.id, "everywhere", until));
  CHECK(code_of(c->create_thread(c.bo.id, other.id, "a", "b")) == errc::timed_out);
  CHECK(code_of(c->create_thread(c.bo.id, child.id, "a", "b")) == errc::timed_out);
  const Restriction r = ok(c->restriction(c.bo.id, c.bo.id, {}));
  REQUIRE(r.kind);
  CHECK(*r.kind == SanctionKind::timeout);
  CHECK(r.until == until);
}

TEST_CASE("revoking ends a sanction at once, and revoking again or after its end changes nothing",
          "[sanctions]") {
  Community c;
  const Timestamp until = c.clock->now() + minute;
  const Sanction s = ok(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "", until));
  const auto before = entries(c).size();
  CHECK(ok(c->revoke_sanction(c.ada.id, s.id, "my mistake")));
  ok(c->create_thread(c.bo.id, c.guild.id, "Free", "again"));
  CHECK_FALSE(ok(c->revoke_sanction(c.ada.id, s.id, "")));
  auto after = entries(c);
  REQUIRE(after.size() == before + 1);
  CHECK(after.front().action == AuditAction::sanction_revoked);
  CHECK(after.front().reason == "my mistake");
  CHECK(after.front().target_member == c.bo.id);
  const Sanction stored = ok(c->list_sanctions(c.bo.id, c.bo.id, {})).items.front();
  CHECK(stored.revoked_at == c.clock->now());
  CHECK(stored.revoked_by == c.ada.id);
  // An expired one is over already.
  const Sanction t = ok(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "", until));
  c.clock->set(until);
  CHECK_FALSE(ok(c->revoke_sanction(c.ada.id, t.id, "")));
  CHECK(entries(c).size() == before + 2);
  CHECK(code_of(c->revoke_sanction(c.ada.id, SanctionId{12345}, "")) == errc::not_found);
  CHECK(code_of(c->revoke_sanction(MemberId{}, s.id, "")) == errc::forbidden);
}

TEST_CASE("a suspended member's every call fails with suspended until it ends", "[sanctions]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Raid", "Friday"));
  const Timestamp until = c.clock->now() + 60 * minute;
  const Sanction s = ok(c->suspend_member(c.ada.id, c.bo.id, "cheating", until));
  CHECK_FALSE(s.space);
  CHECK(code_of(c->reply(c.bo.id, t.first_post.id, "x")) == errc::suspended);
  CHECK(code_of(c->record_visit(c.bo.id)) == errc::suspended);
  CHECK(code_of(c->update_profile(c.bo.id, c.bo.id, {std::string("B"), {}})) == errc::suspended);
  CHECK(code_of(c->leave_space(c.bo.id, c.guild.id)) == errc::suspended);
  CHECK(code_of(c->list_notifications(c.bo.id, {})) == errc::suspended);
  // They may still learn why and until when.
  const Restriction r = ok(c->restriction(c.bo.id, c.bo.id, {}));
  REQUIRE(r.kind);
  CHECK(*r.kind == SanctionKind::suspend);
  CHECK(r.until == until);
  CHECK(ok(c->restriction(c.bo.id, c.bo.id, c.guild.id)).kind == SanctionKind::suspend);
  CHECK(ok(c->list_sanctions(c.bo.id, c.bo.id, {})).items.size() == 1);
  c.clock->set(until);
  ok(c->reply(c.bo.id, t.first_post.id, "back"));
  // With no end it holds until revoked.
  const Sanction forever = ok(c->suspend_member(c.ada.id, c.bo.id, "again"));
  c.clock->advance(1'000 * 24 * 60 * minute);
  CHECK(code_of(c->record_visit(c.bo.id)) == errc::suspended);
  const Restriction indefinite = ok(c->restriction(c.bo.id, c.bo.id, {}));
  CHECK(indefinite.kind == SanctionKind::suspend);
  CHECK(indefinite.until == 0);
  CHECK(ok(c->revoke_sanction(c.ada.id, forever.id, "")));
  ok(c->record_visit(c.bo.id));
}

TEST_CASE("a community-wide ban stops every call and closes what is not public until lifted",
          "[sanctions]") {
  Community c;
  NewSpace inner{c.guild.id, SpaceKind::channel, "Officers", ""};
  inner.visibility = Visibility::private_;
  const Space officers = ok(c->create_space(c.ada.id, inner));
  CHECK(ok(c->add_member(c.ada.id, officers.id, c.bo.id)));
  ok(c->list_threads(c.bo.id, officers.id, {}));
  const Sanction b = ok(c->ban_everywhere(c.ada.id, c.bo.id, "raiding", 0));
  CHECK(b.kind == SanctionKind::ban);
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "a", "b")) == errc::suspended);
  CHECK(code_of(c->list_threads(c.bo.id, officers.id, {})) == errc::forbidden);
  ok(c->list_threads(c.bo.id, c.guild.id, {}));  // public: as to anyone
  CHECK(ok(c->restriction(c.bo.id, c.bo.id, {})).kind == SanctionKind::ban);
  CHECK(ok(c->lift_sanction(b.id, "appeal granted")));
  ok(c->list_threads(c.bo.id, officers.id, {}));  // the membership was kept
  ok(c->create_thread(c.bo.id, c.guild.id, "a", "b"));
  // One that ends lifts itself at exactly its end.
  const Timestamp until = c.clock->now() + minute;
  ok(c->ban_everywhere(c.ada.id, c.bo.id, "again", until));
  CHECK(code_of(c->list_threads(c.bo.id, officers.id, {})) == errc::forbidden);
  c.clock->set(until);
  ok(c->list_threads(c.bo.id, officers.id, {}));
  ok(c->create_thread(c.bo.id, c.guild.id, "a", "b"));
}

TEST_CASE("rank order: no one sanctions an equal, a higher rank, the owner or themselves",
          "[sanctions]") {
  Community c;
  const Member dee = ok(c->create_member("dee", "Dee"));
  const Member eve = ok(c->create_member("eve", "Eve"));
  for (MemberId m : {dee.id, eve.id, c.cy.id}) CHECK(ok(c->join_space(m, c.guild.id)));
  CHECK(ok(c->assign_role(c.ada.id, c.guild.id, c.bo.id, builtin::moderator_role)));
  CHECK(ok(c->assign_role(c.ada.id, c.guild.id, eve.id, builtin::moderator_role)));
  CHECK(ok(c->assign_role(c.ada.id, c.guild.id, dee.id, builtin::admin_role)));
  const auto before = entries(c).size();
  CHECK(code_of(c->warn_member(c.bo.id, c.guild.id, dee.id, "")) == errc::forbidden);
  CHECK(code_of(c->warn_member(c.bo.id, c.guild.id, eve.id, "")) == errc::forbidden);
  CHECK(code_of(c->warn_member(c.bo.id, c.guild.id, c.ada.id, "")) == errc::forbidden);
  CHECK(code_of(c->warn_member(c.bo.id, c.guild.id, c.bo.id, "")) == errc::forbidden);
  CHECK(code_of(c->warn_member(c.ada.id, c.guild.id, c.ada.id, "")) == errc::forbidden);
  CHECK(code_of(c->suspend_member(dee.id, c.ada.id, "")) == errc::forbidden);
  CHECK(code_of(c->warn_member(c.cy.id, c.guild.id, c.bo.id, "")) == errc::forbidden);
  CHECK(code_of(c->impose_sanction({SanctionKind::suspend, c.ada.id, {}, "", 0})) ==
        errc::forbidden);
  // No id is an anonymous caller, not the host.
  CHECK(code_of(c->warn_member(MemberId{}, c.guild.id, c.cy.id, "")) == errc::forbidden);
  CHECK(code_of(c->timeout_member(MemberId{}, c.guild.id, c.cy.id, "", c.clock->now() + minute)) ==
        errc::forbidden);
  CHECK(code_of(c->suspend_member(MemberId{}, c.cy.id, "")) == errc::forbidden);
  CHECK(code_of(c->ban_everywhere(MemberId{}, c.cy.id, "")) == errc::forbidden);
  CHECK(entries(c).size() == before);
  ok(c->warn_member(c.bo.id, c.guild.id, c.cy.id, "first"));
  ok(c->timeout_member(dee.id, c.guild.id, c.bo.id, "", c.clock->now() + minute));
  // Revoking needs the same authority: a moderator cannot lift what they could not impose.
  const Sanction on_eve =
      ok(c->timeout_member(dee.id, c.guild.id, eve.id, "", c.clock->now() + minute));
  CHECK(code_of(c->revoke_sanction(c.cy.id, on_eve.id, "")) == errc::forbidden);
  CHECK(ok(c->revoke_sanction(dee.id, on_eve.id, "")));
  // The host acts with no member, and is audited so.
  const Sanction by_host = ok(c->impose_sanction({SanctionKind::warn, eve.id, {}, "host", 0}));
  CHECK_FALSE(by_host.issuer);
  CHECK(entries(c).front().actor_kind == AuditActorKind::host);
}

TEST_CASE("a community-wide sanction needs sanction_members in every root space", "[sanctions]") {
  Community c;
  const Space larks = ok(c->create_space(c.cy.id, {{}, SpaceKind::guild, "Larks", ""}));
  const Member fay = ok(c->create_member("fay", "Fay"));
  CHECK(ok(c->join_space(fay.id, c.guild.id)));
  CHECK(ok(c->join_space(fay.id, larks.id)));
  CHECK(ok(c->join_space(c.bo.id, larks.id)));
  CHECK(ok(c->assign_role(c.ada.id, c.guild.id, c.bo.id, builtin::moderator_role)));
  CHECK(code_of(c->suspend_member(c.bo.id, fay.id, "")) == errc::forbidden);
  CHECK(code_of(c->suspend_member(c.ada.id, fay.id, "")) == errc::forbidden);  // not in Larks
  CHECK(code_of(c->warn_member(c.bo.id, {}, fay.id, "")) == errc::forbidden);
  ok(c->warn_member(c.bo.id, c.guild.id, fay.id, "in one root: fine"));
  CHECK(ok(c->assign_role(c.cy.id, larks.id, c.bo.id, builtin::moderator_role)));
  const Sanction s = ok(c->suspend_member(c.bo.id, fay.id, "everywhere"));
  CHECK(entries(c, c.bo.id).front().action == AuditAction::member_suspended);
  CHECK_FALSE(entries(c, c.bo.id).front().space);
  // The record: Fay sees all of it; a moderator of the guild only, the guild's entry; Bo, a
  // moderator of every root, all of it; Cy, Larks' owner, the community-wide one only.
  CHECK(ok(c->list_sanctions(fay.id, fay.id, {})).items.size() == 2);
  CHECK(ok(c->list_sanctions(c.bo.id, fay.id, {})).items.size() == 2);
  auto by_ada = ok(c->list_sanctions(c.ada.id, fay.id, {})).items;
  REQUIRE(by_ada.size() == 1);
  CHECK(by_ada.front().kind == SanctionKind::warn);
  auto by_cy = ok(c->list_sanctions(c.cy.id, fay.id, {})).items;
  CHECK(by_cy.empty());  // Cy holds it in Larks only, not in the guild
  CHECK(code_of(c->list_sanctions(MemberId{}, fay.id, {})) == errc::forbidden);
  CHECK(code_of(c->restriction(c.cy.id, fay.id, {})) == errc::forbidden);
  CHECK(ok(c->restriction(c.bo.id, fay.id, {})).sanction == s.id);
  CHECK(ok(c->restriction(c.cy.id, fay.id, larks.id)).kind == SanctionKind::suspend);
}

TEST_CASE("a member's record pages oldest first", "[sanctions]") {
  Community c;
  std::vector<SanctionId> made;
  for (int i = 0; i < 5; ++i)
    made.push_back(ok(c->warn_member(c.ada.id, c.guild.id, c.bo.id, std::to_string(i))).id);
  std::vector<SanctionId> seen;
  PageRequest page{"", 2};
  for (int guard = 0; guard < 10; ++guard) {
    auto p = ok(c->list_sanctions(c.ada.id, c.bo.id, page));
    for (const Sanction& s : p.items) seen.push_back(s.id);
    if (p.next_cursor.empty()) break;
    page.cursor = p.next_cursor;
  }
  CHECK(seen == made);
  CHECK(code_of(c->list_sanctions(c.ada.id, c.bo.id, {"nonsense", 2})) == errc::invalid_cursor);
  // A cursor of another listing is not one of this listing's.
  for (int i = 0; i < 3; ++i)
    ok(c->create_space(c.ada.id, {c.guild.id, SpaceKind::channel, "ch" + std::to_string(i), ""}));
  auto spaces = ok(c->list_child_spaces(c.ada.id, c.guild.id, {"", 1}));
  REQUIRE_FALSE(spaces.next_cursor.empty());
  CHECK(code_of(c->list_sanctions(c.ada.id, c.bo.id, {spaces.next_cursor, 2})) ==
        errc::invalid_cursor);
}

TEST_CASE("bad input is refused and leaves nothing", "[sanctions]") {
  Community c;
  const auto before = entries(c).size();
  const Timestamp now = c.clock->now();
  CHECK(code_of(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "", now)) ==
        errc::invalid_argument);
  CHECK(code_of(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "", 0)) == errc::invalid_argument);
  const std::int64_t max = c->options().limits.timeout_max_ms;
  CHECK(code_of(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "", now + max + 1)) ==
        errc::invalid_argument);
  CHECK(code_of(c->suspend_member(c.ada.id, c.bo.id, "", now - 1)) == errc::invalid_argument);
  CHECK(code_of(c->impose_sanction({SanctionKind::ban, c.bo.id, c.guild.id, "", 0})) ==
        errc::invalid_argument);
  CHECK(code_of(c->impose_sanction({SanctionKind::warn, c.bo.id, {}, "", now + 1})) ==
        errc::invalid_argument);
  CHECK(code_of(c->warn_member(c.ada.id, c.guild.id, c.bo.id, std::string(501, 'x'))) ==
        errc::too_long);
  CHECK(code_of(c->warn_member(c.ada.id, c.guild.id, MemberId{424242}, "")) == errc::not_found);
  CHECK(code_of(c->warn_member(c.ada.id, SpaceId{424242}, c.bo.id, "")) == errc::not_found);
  CHECK(entries(c).size() == before);
  ok(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "", now + max));
}

TEST_CASE("each sanction call leaves one audit entry with its until", "[sanctions]") {
  Community c;
  const Timestamp until = c.clock->now() + minute;
  struct Case {
    std::function<result<Sanction>()> call;
    AuditAction action;
    bool has_until;
  };
  const std::vector<Case> cases = {
      {[&] { return c->warn_member(c.ada.id, c.guild.id, c.bo.id, "w"); },
       AuditAction::member_warned, false},
      {[&] { return c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "t", until); },
       AuditAction::member_timed_out, true},
      {[&] { return c->suspend_member(c.ada.id, c.bo.id, "s", until); },
       AuditAction::member_suspended, true},
      {[&] { return c->ban_everywhere(c.ada.id, c.bo.id, "b"); },
       AuditAction::member_banned_everywhere, false},
  };
  for (const Case& k : cases) {
    const auto before = entries(c).size();
    const Sanction s = ok(k.call());
    auto after = entries(c);
    REQUIRE(after.size() == before + 1);
    const AuditEntry& e = after.front();
    CHECK(e.action == k.action);
    CHECK(e.actor == c.ada.id);
    CHECK(e.target_member == c.bo.id);
    CHECK(e.space == s.space);
    CHECK(e.reason == s.reason);
    CHECK(e.detail.find("\"sanction\":\"" + std::to_string(s.id.value) + "\"") !=
          std::string::npos);
    CHECK((e.detail.find("\"until\":" + std::to_string(until)) != std::string::npos) ==
          k.has_until);
  }
}

TEST_CASE("the member receives their sanction's revocation, others do not", "[sanctions]") {
  Community c;
  const Sanction s = ok(c->suspend_member(c.ada.id, c.bo.id, "", 0));
  const std::uint64_t seq = ok(c->last_event_seq());
  CHECK(ok(c->revoke_sanction(c.ada.id, s.id, "")));
  CHECK(received(c, c.bo.id, seq) == std::vector<std::string>{"sanction_revoked"});
  CHECK(received(c, c.cy.id, seq).empty());
  CHECK(received(c, c.ada.id, seq).empty());
}

TEST_CASE("a storage failure leaves neither the sanction, its entry nor its event", "[sanctions]") {
  for (const char* method : {"insert_sanction", "insert_audit_entry", "append_event"}) {
    INFO(method);
    auto storage = std::make_shared<test::FailingMethod>(std::make_shared<MemoryStorage>(), method);
    EngineOptions o;
    o.storage = storage;
    Community c(o);
    const std::uint64_t seq = ok(c->last_event_seq());
    storage->fail_at = 0;
    CHECK(code_of(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "", c.clock->now() + minute)) ==
          errc::storage_error);
    CHECK(ok(c->list_sanctions(c.bo.id, c.bo.id, {})).items.empty());
    CHECK_FALSE(ok(c->restriction(c.bo.id, c.bo.id, c.guild.id)).kind);
    CHECK(ok(c->last_event_seq()) == seq);
    CHECK(entries(c).empty());
    ok(c->create_thread(c.bo.id, c.guild.id, "a", "b"));
  }
  for (const char* method : {"update_sanction", "insert_audit_entry"}) {
    INFO(method);
    auto storage = std::make_shared<test::FailingMethod>(std::make_shared<MemoryStorage>(), method);
    EngineOptions o;
    o.storage = storage;
    Community c(o);
    const Sanction s = ok(c->suspend_member(c.ada.id, c.bo.id, "", 0));
    const auto audited = entries(c).size();
    storage->fail_at = 0;
    CHECK(code_of(c->revoke_sanction(c.ada.id, s.id, "")) == errc::storage_error);
    CHECK(code_of(c->record_visit(c.bo.id)) == errc::suspended);
    CHECK(entries(c).size() == audited);
    CHECK(ok(c->revoke_sanction(c.ada.id, s.id, "")));
    ok(c->record_visit(c.bo.id));
  }
}

TEST_CASE("sanction points go to the ledger with the sanction and are reversed on revocation",
          "[sanctions][reputation]") {
  EngineOptions o;
  o.reputation.sanctions = {.warn = -5, .timeout = -20, .suspend = -50, .ban = 0};
  Community c(o);
  auto points = [&] { return ok(c->reputation(c.ada.id, {}, c.bo.id)).points; };
  auto ledger = [&] { return ok(c->reputation_history(c.ada.id, c.bo.id, {})).items; };
  const Sanction w = ok(c->warn_member(c.ada.id, c.guild.id, c.bo.id, "language"));
  CHECK(points() == -5);
  auto history = ledger();
  REQUIRE(history.size() == 1);
  CHECK(history[0].reason == ReputationReason::sanction);
  CHECK(history[0].note == std::to_string(w.id.value));
  CHECK(history[0].source == c.ada.id);
  CHECK(history[0].delta == -5);
  CHECK_FALSE(history[0].scope);  // the guild is in the community's scope
  // The points change tells of the sanction: among members, only Bo receives it.
  CHECK(contains(received(c, c.bo.id, 0), "reputation_changed"));
  CHECK_FALSE(contains(received(c, c.cy.id, 0), "reputation_changed"));
  const Timestamp until = c.clock->now() + minute;
  const Sanction t = ok(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "", until));
  CHECK(points() == -25);
  CHECK(ok(c->revoke_sanction(c.ada.id, t.id, "")));
  CHECK(points() == -5);
  history = ledger();
  REQUIRE(history.size() == 3);
  CHECK(history[2].reason == ReputationReason::reversal);
  CHECK(history[2].reverses == history[1].id);
  CHECK(history[2].note == "sanction_revoked");
  CHECK(history[2].delta == 20);
  // An expired sanction keeps its penalty; a kind worth 0 writes nothing; the host's is its own.
  ok(c->timeout_member(c.ada.id, {}, c.bo.id, "", until));
  c.clock->set(until);
  CHECK(points() == -25);
  ok(c->ban_everywhere(c.ada.id, c.bo.id, "", until + minute));
  CHECK(ledger().size() == 4);
  c.clock->set(until + minute);
  const Sanction by_host = ok(c->impose_sanction({SanctionKind::suspend, c.bo.id, {}, "", 0}));
  CHECK(points() == -75);
  CHECK_FALSE(ledger().back().source);
  CHECK(ok(c->lift_sanction(by_host.id, "")));
  CHECK(points() == -25);
  // A warning revoked: its penalty goes too.
  CHECK(ok(c->revoke_sanction(c.ada.id, w.id, "")));
  CHECK(points() == -20);
}

TEST_CASE("sanction points load from JSON and are checked", "[sanctions][reputation]") {
  auto r =
      ok(ReputationRules::from_json(R"({"preset": "qa", "sanctions": {"warn": -5, "ban": -100}})"));
  CHECK(r.sanctions.warn == -5);
  CHECK(r.sanctions.timeout == 0);
  CHECK(r.sanctions.ban == -100);
  CHECK(ok(ReputationRules::from_json(r.to_json())).to_json() == r.to_json());
  std::string why;
  CHECK(code_of(ReputationRules::from_json(R"({"sanctions": {"mute": -1}})", &why)) ==
        errc::invalid_argument);
  CHECK(why.find("sanctions.mute") != std::string::npos);
  CHECK(code_of(ReputationRules::from_json(R"({"sanctions": {"warn": -2000000}})", &why)) ==
        errc::invalid_argument);
  CHECK(why.find("sanctions.warn") != std::string::npos);
  CHECK(code_of(ReputationRules::from_json(R"({"sanctions": [1]})", &why)) ==
        errc::invalid_argument);
  ReputationRules bad;
  bad.sanctions.suspend = 1'000'001;
  CHECK_FALSE(bad.validate());
}

TEST_CASE("sanctions hold without the permission cache too", "[sanctions]") {
  EngineOptions o;
  o.permission_cache_entries = 0;
  Community c(o);
  const Timestamp until = c.clock->now() + minute;
  ok(c->timeout_member(c.ada.id, c.guild.id, c.bo.id, "", until));
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "a", "b")) == errc::timed_out);
  c.clock->set(until);
  ok(c->create_thread(c.bo.id, c.guild.id, "a", "b"));
}

}  // namespace
}  // namespace hearth
