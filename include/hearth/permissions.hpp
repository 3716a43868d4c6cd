// Permissions as bitflags on roles, and how a member's permissions in a space are resolved:
// roles combine, overrides down the space tree refine them, the owner is above all.
// (The model is described in docs/permissions.md. Storage of roles and overrides and the
// engine's enforcement come with the permissions issue; this header is its policy core.)
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

#include "hearth/id.hpp"

namespace hearth {

// One thing a role may allow. The values are bit positions, stable across versions (they are
// stored).
enum class Permission : std::uint8_t {
  view = 0,          // read the space's threads, posts and member list
  post_threads,      // start threads
  reply,             // reply in threads
  react,             // react to posts
  edit_own,          // edit one's own posts
  delete_own,        // delete one's own posts
  mention_many,      // mention more members in one post than the community's limit
  attach_links,      // post links
  pin,               // pin and unpin threads
  lock,              // lock and unlock threads
  moderate_posts,    // hide and remove others' posts, restore them
  review_reports,    // see and decide the space's review queue
  sanction_members,  // warn, time out and ban members (of lower rank)
  manage_roles,      // create, change and assign roles (below one's own rank)
  manage_space,      // change the space's settings and children
  invite,            // create invite codes
  approve_joins,     // approve or deny join requests
  announce,          // start announcement threads
  award_reputation,  // award reputation points on the host's behalf (docs/reputation.md)
  view_audit_log,    // read the space's moderation audit log (docs/moderation.md)
  report,            // report posts and members to the moderators (docs/moderation.md)
};
inline constexpr unsigned permission_count = 21;

std::string_view to_string(Permission p) noexcept;
std::optional<Permission> permission_from_string(std::string_view s) noexcept;

// A set of permissions.
class Permissions {
 public:
  constexpr Permissions() noexcept = default;
  constexpr Permissions(std::initializer_list<Permission> ps) noexcept {
    for (Permission p : ps) bits_ |= bit(p);
  }
  static constexpr Permissions from_bits(std::uint64_t bits) noexcept {
    Permissions s;
    s.bits_ = bits & all_bits;
    return s;
  }
  static constexpr Permissions all() noexcept { return from_bits(all_bits); }

  constexpr std::uint64_t bits() const noexcept { return bits_; }
  constexpr bool has(Permission p) const noexcept { return (bits_ & bit(p)) != 0; }
  // True when every permission of `other` is in this set.
  constexpr bool contains(Permissions other) const noexcept { return (other.bits_ & ~bits_) == 0; }
  constexpr bool empty() const noexcept { return bits_ == 0; }

  friend constexpr Permissions operator|(Permissions a, Permissions b) noexcept {
    return from_bits(a.bits_ | b.bits_);
  }
  friend constexpr Permissions operator&(Permissions a, Permissions b) noexcept {
    return from_bits(a.bits_ & b.bits_);
  }
  // The permissions of `a` that are not in `b`.
  friend constexpr Permissions operator-(Permissions a, Permissions b) noexcept {
    return from_bits(a.bits_ & ~b.bits_);
  }
  friend constexpr bool operator==(Permissions, Permissions) noexcept = default;

 private:
  static constexpr std::uint64_t bit(Permission p) noexcept {
    return std::uint64_t{1} << static_cast<unsigned>(p);
  }
  static constexpr std::uint64_t all_bits = (std::uint64_t{1} << permission_count) - 1;
  std::uint64_t bits_ = 0;
};

using RoleId = Id<struct RoleTag>;

// Ranks order roles: a member acts on members, and assigns roles, strictly below their own
// highest rank. The owner is above every rank.
using Rank = std::uint32_t;

// The built-in roles every space has, with their ranks and default permissions.
namespace builtin {
inline constexpr Rank everyone_rank = 0;  // anyone, members or not, signed in or not
inline constexpr Rank member_rank = 100;
inline constexpr Rank moderator_rank = 500;
inline constexpr Rank admin_rank = 900;
inline constexpr Rank owner_rank = UINT32_MAX;

// The built-in roles' ids: small numbers that generated ids (time-ordered) never take. Every
// space has them; they are not stored. Members hold `member` in a space by being its members
// (or members of a space above it), `owner` by owning it (or a space above it); `moderator` and
// `admin` are assigned like custom roles.
inline constexpr RoleId everyone_role{1};
inline constexpr RoleId member_role{2};
inline constexpr RoleId moderator_role{3};
inline constexpr RoleId admin_role{4};
inline constexpr RoleId owner_role{5};
constexpr bool is_builtin(RoleId r) noexcept { return r.value >= 1 && r.value <= 5; }

inline constexpr Permissions everyone{Permission::view};
inline constexpr Permissions member{
    Permission::view,         Permission::post_threads, Permission::reply,
    Permission::react,        Permission::edit_own,     Permission::delete_own,
    Permission::attach_links, Permission::invite,       Permission::report};
inline constexpr Permissions moderator =
    member | Permissions{Permission::mention_many,   Permission::pin,
                         Permission::lock,           Permission::moderate_posts,
                         Permission::review_reports, Permission::sanction_members,
                         Permission::approve_joins,  Permission::announce,
                         Permission::view_audit_log};
inline constexpr Permissions admin =
    moderator |
    Permissions{Permission::manage_roles, Permission::manage_space, Permission::award_reputation};
}  // namespace builtin

// A role a member holds in a space, as resolution needs it.
struct HeldRole {
  RoleId role;
  Permissions permissions;
  Rank rank = 0;
};

// A per-role refinement at one level of the space tree: `allow` adds, `deny` removes. For one
// role deny wins over allow; at one level a higher-ranked role's override wins over a lower
// one's (everyone's is lowest); a deeper level (a channel below its guild) wins over its parent.
struct RoleOverride {
  RoleId role;
  Permissions allow;
  Permissions deny;
};

// What resolution needs about a member in a space.
struct PermissionQuery {
  bool is_owner = false;            // the owner of the space or of an ancestor: everything
  Permissions everyone;             // the "everyone" role's permissions (applies to all)
  RoleId everyone_role;             // its id, for overrides that name it
  std::span<const HeldRole> roles;  // the roles the member holds (none for non-members)
  // Overrides from the root space down to the space asked about, one span per level.
  std::span<const std::span<const RoleOverride>> levels;
};

// The member's effective permissions in the space: the union of everyone's and their roles'
// permissions; then, level by level from the root down, the overrides of everyone and of the
// roles they hold, applied from the lowest rank up as (perms | allow) - deny (roles of one rank
// together). The owner has every permission.
Permissions resolve_permissions(const PermissionQuery& q) noexcept;

// The highest rank among `roles` (everyone_rank when none).
Rank highest_rank(std::span<const HeldRole> roles) noexcept;

// Rank order: may an actor of `actor_rank` act on (moderate, sanction, change the roles of) a
// member of `target_rank`? Only strictly above; the owner acts on everyone but the owner.
constexpr bool may_act_on(Rank actor_rank, Rank target_rank) noexcept {
  return actor_rank > target_rank;
}
// May an actor with `actor` permissions and `actor_rank` create or assign a role with
// `role_permissions` and `role_rank`? Not above or at their own rank, and nothing they do not
// hold themselves.
constexpr bool may_grant(Permissions actor, Rank actor_rank, Permissions role_permissions,
                         Rank role_rank) noexcept {
  return role_rank < actor_rank && actor.contains(role_permissions);
}

}  // namespace hearth
