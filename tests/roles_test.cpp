// Roles, rank order, overrides down the tree, and ownership.
#include <atomic>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

namespace {

// Ada owns the guild; Bo is a member; Cy joins it too; Dee is an admin, Mo a moderator.
struct Guild : Community {
  Member dee, mo;
  Guild() {
    dee = ok(engine->create_member("dee", "Dee"));
    mo = ok(engine->create_member("mo_mod", "Mo"));
    for (MemberId m : {dee.id, mo.id, cy.id}) REQUIRE(ok(engine->join_space(m, guild.id)));
    REQUIRE(ok(engine->assign_role(ada.id, guild.id, dee.id, builtin::admin_role)));
    REQUIRE(ok(engine->assign_role(ada.id, guild.id, mo.id, builtin::moderator_role)));
  }
};

}  // namespace

TEST_CASE("rank order: nobody acts on an equal or higher rank", "[roles]") {
  Guild g;
  // A moderator cannot ban, remove or re-role an admin, nor another moderator.
  CHECK(code_of(g->ban_member(g.mo.id, g.guild.id, g.dee.id, "")) == errc::forbidden);
  CHECK(code_of(g->remove_member(g.mo.id, g.guild.id, g.dee.id)) == errc::forbidden);
  auto mo2 = ok(g->create_member("mo_two", "Mo 2"));
  REQUIRE(ok(g->join_space(mo2.id, g.guild.id)));
  REQUIRE(ok(g->assign_role(g.ada.id, g.guild.id, mo2.id, builtin::moderator_role)));
  CHECK(code_of(g->ban_member(g.mo.id, g.guild.id, mo2.id, "")) == errc::forbidden);
  // ... but bans a member below them.
  ok(g->ban_member(g.mo.id, g.guild.id, g.bo.id, "spam"));
  // An admin cannot touch the owner, nor another admin; the owner acts on everyone else.
  CHECK(code_of(g->ban_member(g.dee.id, g.guild.id, g.ada.id, "")) == errc::forbidden);
  REQUIRE(ok(g->assign_role(g.ada.id, g.guild.id, g.cy.id, builtin::admin_role)));
  CHECK(code_of(g->unassign_role(g.dee.id, g.guild.id, g.cy.id, builtin::admin_role)) ==
        errc::forbidden);
  CHECK(ok(g->unassign_role(g.ada.id, g.guild.id, g.cy.id, builtin::admin_role)));
  ok(g->ban_member(g.ada.id, g.guild.id, g.dee.id, "coup"));
  CHECK(code_of(g->ban_member(g.ada.id, g.guild.id, g.ada.id, "")) == errc::forbidden);
}

TEST_CASE("rank order: nobody creates or grants a role at or above their own rank", "[roles]") {
  Guild g;
  // The admin (rank 900) creates roles below 900 with permissions they hold.
  auto raid_lead = ok(g->create_role(g.dee.id, g.guild.id,
                                     {"raid lead", {Permission::pin, Permission::lock}, 600}));
  CHECK(raid_lead.space == g.guild.id);
  CHECK(code_of(g->create_role(g.dee.id, g.guild.id, {"peer", {}, builtin::admin_rank})) ==
        errc::forbidden);
  CHECK(code_of(g->create_role(g.dee.id, g.guild.id, {"boss", {}, 950})) == errc::forbidden);
  // An admin holds every flag, so any set goes, below their rank.
  CHECK(g->create_role(g.dee.id, g.guild.id, {"all of it", builtin::admin, 800}).has_value());
  // A moderator has no manage_roles at all.
  CHECK(code_of(g->create_role(g.mo.id, g.guild.id, {"x", {}, 10})) == errc::forbidden);
  // Raising a role to the admin's own rank, or giving it what the admin lacks, is refused, and
  // the role is unchanged.
  CHECK(code_of(g->update_role(g.dee.id, raid_lead.id, {{}, {}, builtin::admin_rank})) ==
        errc::forbidden);
  auto roles = ok(g->list_roles(g.dee.id, g.guild.id));
  REQUIRE(roles.size() == 5 + 2);
  CHECK(roles[5].rank == 600);
  // A member with manage_roles through a custom role of rank 300 cannot assign the moderator
  // role (rank 500) nor a role of their own rank.
  auto keeper = ok(g->create_role(g.ada.id, g.guild.id,
                                  {"keeper", {Permission::manage_roles, Permission::pin}, 300}));
  REQUIRE(ok(g->assign_role(g.ada.id, g.guild.id, g.bo.id, keeper.id)));
  CHECK(code_of(g->assign_role(g.bo.id, g.guild.id, g.cy.id, builtin::moderator_role)) ==
        errc::forbidden);
  CHECK(code_of(g->assign_role(g.bo.id, g.guild.id, g.cy.id, keeper.id)) == errc::forbidden);
  auto pinner = ok(g->create_role(g.bo.id, g.guild.id, {"pinner", {Permission::pin}, 200}));
  CHECK(ok(g->assign_role(g.bo.id, g.guild.id, g.cy.id, pinner.id)));
  CHECK_FALSE(ok(g->assign_role(g.bo.id, g.guild.id, g.cy.id, pinner.id)));  // held already
  // Cannot create a role with a permission Bo lacks (lock).
  CHECK(code_of(g->create_role(g.bo.id, g.guild.id, {"locker", {Permission::lock}, 100})) ==
        errc::forbidden);
  // Bad input.
  CHECK(code_of(g->create_role(g.ada.id, g.guild.id, {"", {}, 10})) == errc::empty_field);
  CHECK(code_of(g->create_role(g.ada.id, g.guild.id, {"zero", {}, 0})) == errc::invalid_argument);
  CHECK(code_of(g->create_role(g.ada.id, g.guild.id, {"top", {}, builtin::owner_rank})) ==
        errc::invalid_argument);
  CHECK(code_of(g->assign_role(g.ada.id, g.guild.id, g.cy.id, builtin::member_role)) ==
        errc::invalid_argument);
  CHECK(code_of(g->assign_role(g.ada.id, g.guild.id, g.cy.id, RoleId{987654321})) ==
        errc::not_found);
  CHECK(code_of(g->update_role(g.ada.id, builtin::admin_role, {std::string("x"), {}, {}})) ==
        errc::invalid_argument);
}

TEST_CASE("roles combine, and a member's roles are listed with the inherited ones", "[roles]") {
  Guild g;
  auto pinner = ok(g->create_role(g.ada.id, g.guild.id, {"pinner", {Permission::pin}, 200}));
  auto locker = ok(g->create_role(g.ada.id, g.guild.id, {"locker", {Permission::lock}, 210}));
  REQUIRE(ok(g->assign_role(g.ada.id, g.guild.id, g.bo.id, pinner.id)));
  REQUIRE(ok(g->assign_role(g.ada.id, g.guild.id, g.bo.id, locker.id)));
  auto perms = ok(g->get_permissions(g.bo.id, g.guild.id));
  CHECK(perms == (builtin::member | Permissions{Permission::pin, Permission::lock}));
  auto held = ok(g->list_member_roles(g.cy.id, g.guild.id, g.bo.id));
  REQUIRE(held.size() == 3);
  CHECK(held[0].id == pinner.id);
  CHECK(held[1].id == locker.id);
  CHECK(held[2].id == builtin::member_role);
  // A child channel: Bo is not its member but holds the guild's roles there.
  auto raids = ok(g->create_space(g.ada.id, {g.guild.id, SpaceKind::channel, "raids", ""}));
  CHECK(ok(g->get_permissions(g.bo.id, raids.id)) == perms);
  CHECK(ok(g->get_permissions(g.ada.id, raids.id)) == Permissions::all());
  CHECK(ok(g->get_permissions(MemberId{}, raids.id)) == builtin::everyone);
  // Deleting a role takes it from everyone who held it.
  ok(g->delete_role(g.ada.id, locker.id));
  CHECK(ok(g->get_permissions(g.bo.id, g.guild.id)) ==
        (builtin::member | Permissions{Permission::pin}));
  CHECK(code_of(g->delete_role(g.ada.id, locker.id)) == errc::not_found);
  // Roles are for members: Cy leaves, and cannot be given one.
  REQUIRE(ok(g->leave_space(g.cy.id, g.guild.id)));
  CHECK(code_of(g->assign_role(g.ada.id, g.guild.id, g.cy.id, pinner.id)) == errc::conflict);
  // Leaving drops the roles held there.
  REQUIRE(ok(g->leave_space(g.bo.id, g.guild.id)));
  REQUIRE(ok(g->join_space(g.bo.id, g.guild.id)));
  CHECK(ok(g->get_permissions(g.bo.id, g.guild.id)) == builtin::member);
}

TEST_CASE("overrides in the engine: deny wins at one level, the deeper level wins", "[roles]") {
  Guild g;
  auto lobby = ok(g->create_space(g.ada.id, {g.guild.id, SpaceKind::channel, "lobby", ""}));
  auto news = ok(g->create_space(g.ada.id, {lobby.id, SpaceKind::channel, "news", ""}));
  // Members may not post threads anywhere under the lobby...
  ok(g->set_override(g.ada.id, lobby.id, builtin::member_role, {}, {Permission::post_threads}));
  CHECK(code_of(g->create_thread(g.bo.id, lobby.id, "t", "b")) == errc::forbidden);
  CHECK(code_of(g->create_thread(g.bo.id, news.id, "t", "b")) == errc::forbidden);
  ok(g->create_thread(g.bo.id, g.guild.id, "t", "b"));  // the guild itself is untouched
  // ... except in news, where a deeper allow wins.
  ok(g->set_override(g.ada.id, news.id, builtin::member_role, {Permission::post_threads}, {}));
  ok(g->create_thread(g.bo.id, news.id, "t", "b"));
  // At one level, for one role, deny wins over allow.
  ok(g->set_override(g.ada.id, news.id, builtin::member_role, {Permission::react},
                     {Permission::react}));
  auto t = ok(g->create_thread(g.ada.id, news.id, "t", "b"));
  CHECK(code_of(g->react(g.bo.id, t.first_post.id, "+1")) == errc::forbidden);
  // A higher role's allow at the same level beats a lower role's deny.
  auto trusted = ok(g->create_role(g.ada.id, g.guild.id, {"trusted", {}, 150}));
  REQUIRE(ok(g->assign_role(g.ada.id, g.guild.id, g.bo.id, trusted.id)));
  ok(g->set_override(g.ada.id, news.id, trusted.id, {Permission::react}, {}));
  CHECK(ok(g->react(g.bo.id, t.first_post.id, "+1")));
  // The "everyone" role: deny view in the lobby hides it from non-members, not from members
  // whose role allows it back.
  ok(g->set_override(g.ada.id, lobby.id, builtin::everyone_role, {}, {Permission::view}));
  CHECK(code_of(g->list_threads(MemberId{}, lobby.id, {})) == errc::forbidden);
  CHECK(code_of(g->list_threads(g.bo.id, lobby.id, {})) == errc::forbidden);
  ok(g->set_override(g.ada.id, lobby.id, builtin::member_role, {Permission::view},
                     {Permission::post_threads}));
  ok(g->list_threads(g.bo.id, lobby.id, {}));
  auto overrides = ok(g->list_overrides(g.bo.id, lobby.id));
  REQUIRE(overrides.size() == 2);
  CHECK(overrides[0].role == builtin::everyone_role);
  CHECK(overrides[1].role == builtin::member_role);
  // Empty allow and deny remove an override.
  ok(g->set_override(g.ada.id, lobby.id, builtin::everyone_role, {}, {}));
  ok(g->set_override(g.ada.id, lobby.id, builtin::everyone_role, {}, {}));  // already gone
  CHECK(ok(g->list_overrides(g.bo.id, lobby.id)).size() == 1);
  ok(g->list_threads(MemberId{}, lobby.id, {}));
  // Only what the actor holds, only on roles below them.
  CHECK(code_of(g->set_override(g.dee.id, lobby.id, builtin::admin_role, {Permission::pin}, {})) ==
        errc::forbidden);
  CHECK(code_of(g->set_override(g.ada.id, lobby.id, builtin::owner_role, {}, {})) ==
        errc::invalid_argument);
}

TEST_CASE("ownership transfers explicitly, to a member", "[roles]") {
  Guild g;
  CHECK(code_of(g->transfer_ownership(g.dee.id, g.guild.id, g.dee.id)) == errc::forbidden);
  CHECK(code_of(g->transfer_ownership(g.ada.id, g.guild.id, MemberId{4242})) == errc::not_found);
  auto outsider = ok(g->create_member("out_side", "Out"));
  CHECK(code_of(g->transfer_ownership(g.ada.id, g.guild.id, outsider.id)) == errc::conflict);
  auto s = ok(g->transfer_ownership(g.ada.id, g.guild.id, g.bo.id));
  CHECK(s.owner == g.bo.id);
  CHECK(ok(g->get_space(MemberId{}, g.guild.id)).owner == g.bo.id);
  // The former owner is now a plain member: Bo may ban her, and she can leave.
  CHECK(ok(g->get_permissions(g.ada.id, g.guild.id)) == builtin::member);
  CHECK(code_of(g->leave_space(g.bo.id, g.guild.id)) == errc::conflict);
  CHECK(ok(g->leave_space(g.ada.id, g.guild.id)));
  auto events = ok(g->read_events(0, 200));
  bool transferred = false;
  for (const Event& e : events)
    transferred = transferred || e.type == EventType::ownership_transferred;
  CHECK(transferred);
}

TEST_CASE("a removed member loses their roles and may join again", "[roles]") {
  Guild g;
  CHECK(ok(g->remove_member(g.mo.id, g.guild.id, g.bo.id)));
  CHECK_FALSE(ok(g->remove_member(g.mo.id, g.guild.id, g.bo.id)));
  CHECK(code_of(g->create_thread(g.bo.id, g.guild.id, "t", "b")) == errc::forbidden);
  CHECK(ok(g->join_space(g.bo.id, g.guild.id)));
  REQUIRE(ok(g->remove_member(g.ada.id, g.guild.id, g.mo.id)));
  REQUIRE(ok(g->join_space(g.mo.id, g.guild.id)));
  CHECK(ok(g->get_permissions(g.mo.id, g.guild.id)) == builtin::member);
  CHECK(ok(g->get_space(MemberId{}, g.guild.id)).member_count == 5);
}

TEST_CASE("the permission cache never outlives a change, even with readers racing writers",
          "[roles][concurrency]") {
  Guild g;
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i)
    readers.emplace_back([&] {
      while (!stop.load()) {
        (void)g->get_permissions(g.bo.id, g.guild.id);
        (void)g->list_threads(g.bo.id, g.guild.id, {});
      }
    });
  for (int round = 0; round < 50; ++round) {
    ok(g->ban_member(g.mo.id, g.guild.id, g.bo.id, "spam"));
    CHECK(ok(g->get_permissions(g.bo.id, g.guild.id)) == Permissions{Permission::view});
    REQUIRE(ok(g->unban_member(g.mo.id, g.guild.id, g.bo.id)));
    REQUIRE(ok(g->join_space(g.bo.id, g.guild.id)));
    CHECK(ok(g->get_permissions(g.bo.id, g.guild.id)) == builtin::member);
  }
  ok(g->ban_member(g.mo.id, g.guild.id, g.bo.id, "for good"));
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(ok(g->get_permissions(g.bo.id, g.guild.id)) == Permissions{Permission::view});
  CHECK(code_of(g->create_thread(g.bo.id, g.guild.id, "t", "b")) == errc::forbidden);
}

TEST_CASE("with the permission cache off, the engine answers the same", "[roles]") {
  EngineOptions options;
  options.permission_cache_entries = 0;
  Community c(options);
  CHECK(ok(c->get_permissions(c.bo.id, c.guild.id)) == builtin::member);
  ok(c->ban_member(c.ada.id, c.guild.id, c.bo.id, "", c.clock->now() + 1000));
  CHECK(ok(c->get_permissions(c.bo.id, c.guild.id)) == Permissions{Permission::view});
  c.clock->advance(1000);
  CHECK(ok(c->get_permissions(c.bo.id, c.guild.id)) == builtin::everyone);
  CHECK(ok(c->join_space(c.bo.id, c.guild.id)));
}
