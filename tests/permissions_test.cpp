#include "hearth/permissions.hpp"  // first: the header stands alone

#include <catch2/catch.hpp>
#include <vector>

using namespace hearth;
using P = Permission;

namespace {

const RoleId everyone_role{1}, member_role{2}, moderator_role{3}, admin_role{4}, raider_role{5};

// A member's query in a space with the given levels of overrides (root first).
struct Query {
  std::vector<HeldRole> roles;
  std::vector<std::vector<RoleOverride>> levels;
  std::vector<std::span<const RoleOverride>> spans;
  bool owner = false;

  Permissions resolve() {
    spans.assign(levels.begin(), levels.end());
    PermissionQuery q;
    q.is_owner = owner;
    q.everyone = builtin::everyone;
    q.everyone_role = everyone_role;
    q.roles = roles;
    q.levels = spans;
    return resolve_permissions(q);
  }
};

HeldRole member() { return {member_role, builtin::member, builtin::member_rank}; }
HeldRole moderator() { return {moderator_role, builtin::moderator, builtin::moderator_rank}; }

}  // namespace

TEST_CASE("every permission has a stable name", "[permissions]") {
  for (unsigned i = 0; i < permission_count; ++i) {
    const auto p = static_cast<Permission>(i);
    CHECK(to_string(p) != "unknown");
    CHECK(permission_from_string(to_string(p)) == p);
  }
  CHECK(to_string(P::sanction_members) == "sanction_members");
  CHECK_FALSE(permission_from_string("fly"));
  CHECK(Permissions::all().bits() == (std::uint64_t{1} << permission_count) - 1);
  CHECK(Permissions::from_bits(~std::uint64_t{0}) == Permissions::all());
}

TEST_CASE("built-in roles nest: everyone, member, moderator, admin", "[permissions]") {
  CHECK(builtin::everyone == Permissions{P::view});
  CHECK(builtin::member.contains(builtin::everyone));
  CHECK(builtin::moderator.contains(builtin::member));
  CHECK(builtin::admin.contains(builtin::moderator));
  CHECK(builtin::member.has(P::post_threads));
  CHECK_FALSE(builtin::member.has(P::moderate_posts));
  CHECK(builtin::moderator.has(P::sanction_members));
  CHECK_FALSE(builtin::moderator.has(P::manage_roles));
  CHECK(builtin::admin.has(P::manage_space));
  CHECK(builtin::everyone_rank < builtin::member_rank);
  CHECK(builtin::member_rank < builtin::moderator_rank);
  CHECK(builtin::moderator_rank < builtin::admin_rank);
  CHECK(builtin::admin_rank < builtin::owner_rank);
}

TEST_CASE("roles combine, non-members get everyone's, the owner gets all", "[permissions]") {
  Query q;
  CHECK(q.resolve() == builtin::everyone);
  q.roles = {member(), {raider_role, Permissions{P::pin}, 150}};
  CHECK(q.resolve() == (builtin::member | Permissions{P::pin}));
  Query owner;
  owner.owner = true;
  owner.levels = {{{everyone_role, {}, Permissions::all()}}};  // even a deny-all override
  CHECK(owner.resolve() == Permissions::all());
}

TEST_CASE("overrides: deny wins at one level, the deeper level wins over its parent",
          "[permissions]") {
  Query q;
  q.roles = {member()};
  SECTION("deny wins over allow at the same level") {
    q.levels = {{{member_role, Permissions{P::pin}, Permissions{P::pin}}}};
    CHECK_FALSE(q.resolve().has(P::pin));
  }
  SECTION("a channel allows what its guild denies") {
    q.levels = {{{member_role, {}, Permissions{P::post_threads}}},
                {{member_role, Permissions{P::post_threads}, {}}}};
    CHECK(q.resolve().has(P::post_threads));
  }
  SECTION("a channel denies what its guild allows") {
    q.levels = {{{member_role, Permissions{P::pin}, {}}}, {{member_role, {}, Permissions{P::pin}}}};
    CHECK_FALSE(q.resolve().has(P::pin));
    CHECK(q.resolve().has(P::reply));
  }
  SECTION("overrides of roles the member does not hold are ignored") {
    q.levels = {{{moderator_role, {}, Permissions{P::reply}}}};
    CHECK(q.resolve().has(P::reply));
  }
  SECTION("an override of everyone applies to members too") {
    q.levels = {{{everyone_role, {}, Permissions{P::react}}}};
    CHECK_FALSE(q.resolve().has(P::react));
    CHECK(q.resolve().has(P::view));
  }
  SECTION("a higher role's override wins over a lower one's; equal ranks: deny wins") {
    q.roles = {member(), {raider_role, Permissions{}, 150}, {RoleId{6}, Permissions{}, 150}};
    q.levels = {{{member_role, Permissions{P::pin}, {}}, {raider_role, {}, Permissions{P::pin}}}};
    CHECK_FALSE(q.resolve().has(P::pin));  // raider (150) has the last word over member (100)
    q.levels = {{{raider_role, Permissions{P::lock}, {}}, {RoleId{6}, {}, Permissions{P::lock}}}};
    CHECK_FALSE(q.resolve().has(P::lock));  // two roles of rank 150 disagree: deny wins
  }
  SECTION("many roles resolve the same way") {
    for (std::uint64_t i = 0; i < 20; ++i)
      q.roles.push_back({RoleId{100 + i}, Permissions{}, static_cast<Rank>(200 - i)});
    q.levels = {{{RoleId{119}, Permissions{P::pin}, {}}, {RoleId{100}, {}, Permissions{P::pin}}}};
    CHECK_FALSE(q.resolve().has(P::pin));  // role 100 has rank 200, above role 119's 181
    q.levels = {{{RoleId{119}, {}, Permissions{P::pin}}, {RoleId{100}, Permissions{P::pin}, {}}}};
    CHECK(q.resolve().has(P::pin));
  }
  SECTION("a read-only announcements channel: members view, moderators post") {
    q.roles = {member(), moderator()};
    q.levels = {{},
                {{member_role, {}, Permissions{P::post_threads, P::reply}},
                 {moderator_role, Permissions{P::post_threads, P::reply}, {}}}};
    CHECK(q.resolve().has(P::post_threads));
    Query plain;
    plain.roles = {member()};
    plain.levels = q.levels;
    CHECK_FALSE(plain.resolve().has(P::post_threads));
    CHECK(plain.resolve().has(P::view));
  }
}

TEST_CASE("rank order: nobody acts on an equal or higher rank, or grants above themselves",
          "[permissions]") {
  CHECK(may_act_on(builtin::moderator_rank, builtin::member_rank));
  CHECK_FALSE(may_act_on(builtin::moderator_rank, builtin::admin_rank));  // a moderator vs an admin
  CHECK_FALSE(may_act_on(builtin::moderator_rank, builtin::moderator_rank));
  CHECK(may_act_on(builtin::owner_rank, builtin::admin_rank));
  CHECK_FALSE(may_act_on(builtin::owner_rank, builtin::owner_rank));
  // An admin cannot create a role at or above their own rank...
  CHECK_FALSE(may_grant(builtin::admin, builtin::admin_rank, builtin::member, builtin::admin_rank));
  CHECK_FALSE(
      may_grant(builtin::admin, builtin::admin_rank, builtin::member, builtin::admin_rank + 1));
  CHECK(
      may_grant(builtin::admin, builtin::admin_rank, builtin::moderator, builtin::admin_rank - 1));
  // ...nor grant a permission they do not hold.
  CHECK_FALSE(may_grant(builtin::moderator, builtin::moderator_rank, Permissions{P::manage_roles},
                        builtin::member_rank));
  std::vector<HeldRole> roles{member(), moderator()};
  CHECK(highest_rank(roles) == builtin::moderator_rank);
  CHECK(highest_rank({}) == builtin::everyone_rank);
}
