// The moderation audit log (docs/moderation.md, "Audit log"): every moderation call that
// changes something leaves exactly one entry, a no-op none; who may read which entries; each
// filter and paging; a storage failure leaves neither the action nor its entry.
#include "hearth/moderation/audit.hpp"

#include <catch2/catch.hpp>

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

EngineOptions with_storage(std::shared_ptr<Storage> storage = {}) {
  EngineOptions o;
  o.storage = std::move(storage);
  BadgeRule veteran;
  veteran.name = "raid-veteran";
  veteran.title = "Raid veteran";
  o.badges.badges.push_back(veteran);
  return o;
}

// Every entry `viewer` may read, newest first.
std::vector<AuditEntry> entries(Community& c, MemberId viewer, const AuditQuery& q = {}) {
  return ok(c->audit_log(viewer, q, {"", 200})).items;
}

// Runs `call` and checks that it left exactly one entry, which it returns.
template <class F>
AuditEntry one_entry(Community& c, F&& call) {
  const auto before = entries(c, c.ada.id).size();
  call();
  auto after = entries(c, c.ada.id);
  REQUIRE(after.size() == before + 1);
  return after.front();
}

// Runs `call` and checks that it left no entry.
template <class F>
void no_entry(Community& c, F&& call) {
  const auto before = entries(c, c.ada.id);
  call();
  const auto after = entries(c, c.ada.id);
  CHECK(after.size() == before.size());
  if (!after.empty() && !before.empty()) CHECK(after.front().id == before.front().id);
}

void check_by(const AuditEntry& e, MemberId actor, AuditAction action, MemberId target,
              SpaceId space) {
  CHECK(to_string(e.action) == to_string(action));
  CHECK(e.actor_kind == AuditActorKind::member);
  CHECK(e.actor == actor);
  CHECK(e.actor_name.empty());
  CHECK(e.target_member == target);
  CHECK(e.space == space);
  CHECK(e.matched.empty());
  CHECK(e.id > 0);
}

TEST_CASE("the audit action and actor names round-trip", "[audit]") {
  for (unsigned i = 0; i < audit_action_count; ++i) {
    const auto a = static_cast<AuditAction>(i);
    CHECK(to_string(a) != "unknown");
    CHECK(audit_action_from_string(to_string(a)) == a);
  }
  CHECK(to_string(AuditAction::badge_granted) == "badge_granted");
  CHECK_FALSE(audit_action_from_string("post_deleted"));
  CHECK(audit_actor_kind_from_string("classifier") == AuditActorKind::classifier);
  CHECK(to_string(AuditActorKind::host) == "host");
}

TEST_CASE("every moderation call leaves exactly one audit entry, and its no-op none", "[audit]") {
  Community c(with_storage());
  const SpaceId g = c.guild.id;
  const MemberId ada = c.ada.id, bo = c.bo.id, cy = c.cy.id;
  auto t = ok(c->create_thread(bo, g, "Raid", "Friday at nine"));
  const Post r = ok(c->reply(bo, t.first_post.id, "I will bring potions"));
  const Space channel = ok(c->create_space(ada, {g, SpaceKind::channel, "Loot", ""}));
  CHECK(entries(c, ada).empty());  // threads, replies and spaces are not moderation

  SECTION("posts") {
    auto e = one_entry(c, [&] { CHECK(ok(c->remove_post(ada, r.id, "spam, sorry"))); });
    check_by(e, ada, AuditAction::post_removed, bo, g);
    CHECK(e.post == r.id);
    CHECK(e.thread == t.thread.id);
    CHECK(e.reason == "spam, sorry");
    CHECK(e.at == c.clock->now());
    no_entry(c, [&] { CHECK_FALSE(ok(c->remove_post(ada, r.id, "again"))); });
    e = one_entry(c, [&] { CHECK(ok(c->restore_post(ada, r.id))); });
    check_by(e, ada, AuditAction::post_restored, bo, g);
    CHECK(e.post == r.id);
    no_entry(c, [&] { CHECK_FALSE(ok(c->restore_post(ada, r.id))); });
  }

  SECTION("thread states and moves") {
    const ThreadId id = t.thread.id;
    struct Step {
      std::function<void()> call;
      AuditAction action;
    };
    const std::vector<Step> steps = {
        {[&] { ok(c->pin_thread(ada, id, true)); }, AuditAction::thread_pinned},
        {[&] { ok(c->pin_thread(ada, id, false)); }, AuditAction::thread_unpinned},
        {[&] { ok(c->lock_thread(ada, id, true)); }, AuditAction::thread_locked},
        {[&] { ok(c->lock_thread(ada, id, false)); }, AuditAction::thread_unlocked},
        {[&] { ok(c->archive_thread(ada, id, true)); }, AuditAction::thread_archived},
        {[&] { ok(c->archive_thread(ada, id, false)); }, AuditAction::thread_unarchived},
    };
    for (const Step& s : steps) {
      auto e = one_entry(c, s.call);
      check_by(e, ada, s.action, bo, g);
      CHECK(e.thread == id);
      no_entry(c, s.call);  // the same state again
    }
    auto e = one_entry(c, [&] { ok(c->move_thread(ada, id, channel.id)); });
    check_by(e, ada, AuditAction::thread_moved, bo, channel.id);
    CHECK(e.thread == id);
    CHECK(e.detail == "{\"from\":\"" + std::to_string(g.value) + "\",\"to\":\"" +
                          std::to_string(channel.id.value) + "\"}");
    no_entry(c, [&] { ok(c->move_thread(ada, id, channel.id)); });
  }

  SECTION("bans and removals") {
    const Timestamp until = c.clock->now() + 60'000;
    auto e = one_entry(c, [&] { ok(c->ban_member(ada, g, bo, "rude", until)); });
    check_by(e, ada, AuditAction::member_banned, bo, g);
    CHECK(e.reason == "rude");
    CHECK(e.detail == "{\"until\":" + std::to_string(until) + "}");
    e = one_entry(c, [&] { CHECK(ok(c->unban_member(ada, g, bo))); });
    check_by(e, ada, AuditAction::member_unbanned, bo, g);
    no_entry(c, [&] { CHECK_FALSE(ok(c->unban_member(ada, g, bo))); });
    no_entry(c, [&] { CHECK(ok(c->join_space(bo, g))); });  // joining is the member's own
    e = one_entry(c, [&] { CHECK(ok(c->remove_member(ada, g, bo))); });
    check_by(e, ada, AuditAction::member_removed, bo, g);
    no_entry(c, [&] { CHECK_FALSE(ok(c->remove_member(ada, g, bo))); });
  }

  SECTION("roles, assignments and overrides") {
    Role role;
    auto e = one_entry(c, [&] { role = ok(c->create_role(ada, g, {"Raiders", {}, 200})); });
    check_by(e, ada, AuditAction::role_created, MemberId{}, g);
    CHECK(e.role == role.id);
    CHECK(e.detail == R"({"name":"Raiders","permissions":0,"rank":200})");
    e = one_entry(c, [&] {
      ok(c->update_role(ada, role.id, {std::string("Raid leads"), {}, {}}));
    });
    check_by(e, ada, AuditAction::role_updated, MemberId{}, g);
    CHECK(e.detail == R"({"name":"Raid leads","permissions":0,"rank":200})");
    no_entry(c, [&] { ok(c->update_role(ada, role.id, {std::string("Raid leads"), {}, {}})); });
    e = one_entry(c, [&] { CHECK(ok(c->assign_role(ada, g, bo, role.id))); });
    check_by(e, ada, AuditAction::role_assigned, bo, g);
    CHECK(e.role == role.id);
    no_entry(c, [&] { CHECK_FALSE(ok(c->assign_role(ada, g, bo, role.id))); });
    e = one_entry(c, [&] { CHECK(ok(c->unassign_role(ada, g, bo, role.id))); });
    check_by(e, ada, AuditAction::role_unassigned, bo, g);
    no_entry(c, [&] { CHECK_FALSE(ok(c->unassign_role(ada, g, bo, role.id))); });
    const Permissions deny{Permission::react};
    e = one_entry(c, [&] { ok(c->set_override(ada, g, builtin::member_role, {}, deny)); });
    check_by(e, ada, AuditAction::override_set, MemberId{}, g);
    CHECK(e.role == builtin::member_role);
    CHECK(e.detail == R"({"allow":0,"deny":8})");
    no_entry(c, [&] { ok(c->set_override(ada, g, builtin::member_role, {}, deny)); });
    e = one_entry(c, [&] { ok(c->set_override(ada, g, builtin::member_role, {}, {})); });
    CHECK(e.action == AuditAction::override_set);
    CHECK(e.detail == R"({"allow":0,"deny":0})");
    no_entry(c, [&] { ok(c->set_override(ada, g, builtin::member_role, {}, {})); });
    e = one_entry(c, [&] { ok(c->delete_role(ada, role.id)); });
    check_by(e, ada, AuditAction::role_deleted, MemberId{}, g);
    CHECK(e.role == role.id);
    no_entry(c, [&] { CHECK(code_of(c->delete_role(ada, role.id)) == errc::not_found); });
  }

  SECTION("join requests") {
    NewSpace hall{g, SpaceKind::channel, "Hall", ""};
    hall.join_policy = JoinPolicy::request;
    const Space h = ok(c->create_space(ada, hall));
    const Member dee = ok(c->create_member("dee", "Dee"));
    no_entry(c, [&] { CHECK(ok(c->request_to_join(cy, h.id, "me?"))); });
    CHECK(ok(c->request_to_join(dee.id, h.id, "me too")));
    auto e = one_entry(c, [&] { ok(c->decide_join_request(ada, h.id, cy, true)); });
    check_by(e, ada, AuditAction::join_approved, cy, h.id);
    e = one_entry(c, [&] { ok(c->decide_join_request(ada, h.id, dee.id, false)); });
    check_by(e, ada, AuditAction::join_denied, dee.id, h.id);
    no_entry(c, [&] {
      CHECK(code_of(c->decide_join_request(ada, h.id, dee.id, false)) == errc::not_found);
    });
  }

  SECTION("reputation, trust levels and badges") {
    auto e = one_entry(c, [&] { ok(c->award_reputation(ada, g, bo, 25, "Cleared the tower")); });
    check_by(e, ada, AuditAction::reputation_awarded, bo, g);
    CHECK(e.reason == "Cleared the tower");
    CHECK(e.detail == R"({"points":25})");
    // The host's calls: no acting member, community-wide.
    e = one_entry(c, [&] { ok(c->set_trust_level(bo, 3)); });
    CHECK(e.action == AuditAction::trust_level_set);
    CHECK(e.actor_kind == AuditActorKind::host);
    CHECK(e.actor == MemberId{});
    CHECK(e.target_member == bo);
    CHECK(e.space == SpaceId{});
    CHECK(e.detail == R"({"level":3})");
    no_entry(c, [&] { ok(c->set_trust_level(bo, 3)); });
    e = one_entry(c, [&] { ok(c->clear_trust_level(bo)); });
    CHECK(e.action == AuditAction::trust_level_cleared);
    CHECK(e.actor_kind == AuditActorKind::host);
    no_entry(c, [&] { ok(c->clear_trust_level(bo)); });
    e = one_entry(c, [&] { ok(c->grant_badge(bo, "raid-veteran")); });
    CHECK(e.action == AuditAction::badge_granted);
    CHECK(e.actor_kind == AuditActorKind::host);
    CHECK(e.target_member == bo);
    CHECK(e.detail == R"({"badge":"raid-veteran","ordinal":1})");
    no_entry(c,
             [&] { CHECK(code_of(c->grant_badge(bo, "raid-veteran")) == errc::already_exists); });
  }

  SECTION("members' own actions are not audited") {
    no_entry(c, [&] {
      ok(c->react(ada, r.id, "heart"));
      ok(c->delete_post(bo, r.id));
      ok(c->leave_space(bo, g));
      ok(c->deactivate_member(cy, cy));
    });
  }
}

// Two roots: the guild (Ada owns it; Mo moderates it, a channel below it inherits) and Cy's lair.
struct TwoRoots {
  Community c{with_storage()};
  Member mo;
  Space channel, lair;
  TwoRoots() {
    mo = ok(c->create_member("mo_mod", "Mo"));
    REQUIRE(ok(c->join_space(mo.id, c.guild.id)));
    REQUIRE(ok(c->assign_role(c.ada.id, c.guild.id, mo.id, builtin::moderator_role)));
    channel = ok(c->create_space(c.ada.id, {c.guild.id, SpaceKind::channel, "Loot", ""}));
    lair = ok(c->create_space(c.cy.id, {{}, SpaceKind::guild, "Lair", ""}));
    REQUIRE(ok(c->join_space(c.bo.id, lair.id)));
  }
};

TEST_CASE("a moderator reads the audit log of their spaces only", "[audit]") {
  TwoRoots w;
  Community& c = w.c;
  ok(c->ban_member(c.ada.id, c.guild.id, c.bo.id, "guild ban"));
  ok(c->ban_member(c.cy.id, w.lair.id, c.bo.id, "lair ban"));
  auto t = ok(c->create_thread(c.ada.id, w.channel.id, "Loot", "rules"));
  ok(c->pin_thread(c.ada.id, t.thread.id, true));
  ok(c->set_trust_level(c.bo.id, 2));  // community-wide

  // Mo: the guild's and the channel's (inherited), not the lair's nor the community's.
  auto seen = entries(c, w.mo.id);
  REQUIRE(seen.size() == 3);  // the pin, the guild ban, Mo's own role
  CHECK(seen[0].action == AuditAction::thread_pinned);
  CHECK(seen[0].space == w.channel.id);
  CHECK(seen[1].action == AuditAction::member_banned);
  CHECK(seen[1].reason == "guild ban");
  CHECK(seen[2].action == AuditAction::role_assigned);
  CHECK(seen[2].target_member == w.mo.id);
  CHECK(code_of(c->audit_log(w.mo.id, {.space = w.lair.id}, {})) == errc::forbidden);
  CHECK(code_of(c->audit_log(w.mo.id, {.space = SpaceId{}}, {})) == errc::forbidden);
  CHECK(entries(c, w.mo.id, {.space = w.channel.id}).size() == 1);
  // Cy owns the lair only; Ada the guild only: neither reads the community-wide entries.
  auto cys = entries(c, c.cy.id);
  REQUIRE(cys.size() == 1);
  CHECK(cys[0].reason == "lair ban");
  CHECK(entries(c, c.ada.id).size() == 3);
  CHECK(code_of(c->audit_log(c.ada.id, {.space = SpaceId{}}, {})) == errc::forbidden);
  // A member without view_audit_log: forbidden for a space, nothing at all without one.
  CHECK(code_of(c->audit_log(c.bo.id, {.space = c.guild.id}, {})) == errc::forbidden);
  CHECK(entries(c, c.bo.id).empty());
  CHECK(code_of(c->audit_log(MemberId{}, {}, {})) == errc::forbidden);
  // The permission is the moderator's and admin's, and can be denied by an override.
  ok(c->set_override(c.ada.id, w.channel.id, builtin::moderator_role, {},
                     {Permission::view_audit_log}));
  CHECK(code_of(c->audit_log(w.mo.id, {.space = w.channel.id}, {})) == errc::forbidden);
  CHECK(entries(c, w.mo.id).size() == 2);  // the channel's pin is gone from the listing
}

TEST_CASE("the community-wide entries are read by who holds view_audit_log in every root",
          "[audit]") {
  Community c(with_storage());
  ok(c->set_trust_level(c.bo.id, 4));
  auto community = entries(c, c.ada.id, {.space = SpaceId{}});
  REQUIRE(community.size() == 1);
  CHECK(community[0].action == AuditAction::trust_level_set);
  CHECK(code_of(c->audit_log(c.bo.id, {.space = SpaceId{}}, {})) == errc::forbidden);
}

TEST_CASE("the audit log filters by space, target, actor and period", "[audit]") {
  TwoRoots w;
  Community& c = w.c;
  c.clock->advance(1'000);  // after Mo's role_assigned
  const Timestamp t0 = c.clock->now();
  ok(c->ban_member(c.ada.id, c.guild.id, c.bo.id, "one"));  // t0
  c.clock->advance(1'000);
  ok(c->unban_member(w.mo.id, c.guild.id, c.bo.id));  // t0 + 1000
  c.clock->advance(1'000);
  ok(c->ban_member(w.mo.id, w.channel.id, c.cy.id, "two"));  // t0 + 2000
  c.clock->advance(1'000);
  ok(c->award_reputation(c.ada.id, c.guild.id, w.mo.id, 5, "three"));  // t0 + 3000

  auto actions = [&](const AuditQuery& q) {
    std::vector<std::string> out;
    for (const AuditEntry& e : entries(c, c.ada.id, q)) out.emplace_back(to_string(e.action));
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(actions({.space = w.channel.id}) == V{"member_banned"});
  CHECK(actions({.space = c.guild.id, .from = t0}) ==
        V{"reputation_awarded", "member_unbanned", "member_banned"});
  CHECK(actions({.target_member = c.bo.id}) == V{"member_unbanned", "member_banned"});
  CHECK(actions({.target_member = c.cy.id}) == V{"member_banned"});
  CHECK(actions({.actor = w.mo.id}) == V{"member_banned", "member_unbanned"});
  CHECK(actions({.actor = w.mo.id, .from = t0 + 2'000}) == V{"member_banned"});
  // Both bounds of a period are included.
  CHECK(actions({.from = t0 + 1'000, .to = t0 + 2'000}) == V{"member_banned", "member_unbanned"});
  CHECK(actions({.from = t0 + 3'000, .to = t0 + 3'000}) == V{"reputation_awarded"});
  CHECK(actions({.from = t0 + 3'001}).empty());
  CHECK(code_of(c->audit_log(c.ada.id, {.from = 2, .to = 1}, {})) == errc::invalid_argument);
  CHECK(code_of(c->audit_log(c.ada.id, {}, {"", 0})) == errc::invalid_argument);
  CHECK(code_of(c->audit_log(c.ada.id, {}, {"junk", 10})) == errc::invalid_cursor);
}

TEST_CASE("audit pages fill up past entries the viewer may not read, without gaps", "[audit]") {
  TwoRoots w;
  Community& c = w.c;
  // Interleaved: the guild's entries (Mo reads them) and the lair's (Mo does not).
  std::vector<std::string> want;
  for (int i = 0; i < 7; ++i) {
    const std::string reason = "guild " + std::to_string(i);
    ok(c->award_reputation(c.ada.id, c.guild.id, c.bo.id, 1, reason));
    want.insert(want.begin(), reason);
    ok(c->ban_member(c.cy.id, w.lair.id, c.bo.id, "lair " + std::to_string(i)));
  }
  want.push_back("");  // Mo's own role_assigned, the oldest
  std::vector<std::string> got;
  PageRequest page{"", 3};
  for (int pages = 0; pages < 10; ++pages) {
    auto p = ok(c->audit_log(w.mo.id, {}, page));
    CHECK(p.items.size() <= 3);
    for (const AuditEntry& e : p.items) got.push_back(e.reason);
    if (p.next_cursor.empty()) break;
    CHECK(p.items.size() == 3);
    page.cursor = p.next_cursor;
  }
  CHECK(got == want);
}

TEST_CASE("a viewer who may read little of a long log gets short pages that still reach it all",
          "[audit]") {
  TwoRoots w;
  Community& c = w.c;
  ok(c->award_reputation(c.ada.id, c.guild.id, c.bo.id, 1, "old guild award"));
  // More lair entries than one call looks at (2,000), none of them Mo's to read.
  auto t = ok(c->create_thread(c.cy.id, w.lair.id, "Hoard", "gold"));
  for (int i = 0; i < 1'250; ++i) {
    ok(c->pin_thread(c.cy.id, t.thread.id, true));
    ok(c->pin_thread(c.cy.id, t.thread.id, false));
  }
  // The first call looks at 2,000 lair entries and stops: an empty page, with a cursor.
  auto first = ok(c->audit_log(w.mo.id, {}, {"", 10}));
  CHECK(first.items.empty());
  REQUIRE_FALSE(first.next_cursor.empty());
  // The second goes on from there, past the other 500, to what Mo may read.
  auto second = ok(c->audit_log(w.mo.id, {}, {first.next_cursor, 10}));
  REQUIRE(second.items.size() == 2);
  CHECK(second.items[0].reason == "old guild award");
  CHECK(second.items[1].action == AuditAction::role_assigned);  // Mo's own, the oldest
  CHECK(second.next_cursor.empty());
}

TEST_CASE("a storage failure writing the audit entry leaves neither it nor the action", "[audit]") {
  auto storage = std::make_shared<test::FailingMethod>(std::make_shared<MemoryStorage>(),
                                                       "insert_audit_entry");
  Community c(with_storage(storage));
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Raid", "Friday"));
  const Post r = ok(c->reply(c.bo.id, t.first_post.id, "Buy gold"));
  const std::uint64_t seq = ok(c->last_event_seq());
  storage->fail_at = 0;
  CHECK(code_of(c->remove_post(c.ada.id, r.id, "spam")) == errc::storage_error);
  storage->fail_at = 0;
  CHECK(code_of(c->ban_member(c.ada.id, c.guild.id, c.bo.id, "rude")) == errc::storage_error);
  storage->fail_at = 0;
  CHECK(code_of(c->pin_thread(c.ada.id, t.thread.id, true)) == errc::storage_error);
  storage->fail_at = 0;
  CHECK(code_of(c->set_trust_level(c.bo.id, 4)) == errc::storage_error);
  CHECK_FALSE(ok(c->get_post(c.ada.id, r.id)).removed);
  CHECK_FALSE(ok(c->get_thread(c.ada.id, t.thread.id)).pinned);
  CHECK(ok(c->list_bans(c.ada.id, c.guild.id, {})).items.empty());
  CHECK_FALSE(ok(c->trust_level(c.ada.id, c.bo.id)).level_by_hand);
  CHECK(ok(c->last_event_seq()) == seq);
  CHECK(entries(c, c.ada.id).empty());
  // Without the failure the same calls go through, each with its entry.
  CHECK(ok(c->remove_post(c.ada.id, r.id, "spam")));
  CHECK(ok(c->pin_thread(c.ada.id, t.thread.id, true)).pinned);
  CHECK(entries(c, c.ada.id).size() == 2);
}

}  // namespace
}  // namespace hearth
