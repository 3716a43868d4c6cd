#include "hearth/permissions.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace hearth {
namespace {

constexpr std::array<std::string_view, permission_count> permission_names{
    "view",
    "post_threads",
    "reply",
    "react",
    "edit_own",
    "delete_own",
    "mention_many",
    "attach_links",
    "pin",
    "lock",
    "moderate_posts",
    "review_reports",
    "sanction_members",
    "manage_roles",
    "manage_space",
    "invite",
    "approve_joins",
    "announce",
    "award_reputation",
    "view_audit_log",
    "report",
};

// The union of the overrides in `level` for `role`.
void overrides_of(std::span<const RoleOverride> level, RoleId role, Permissions& allow,
                  Permissions& deny) noexcept {
  for (const RoleOverride& o : level) {
    if (o.role != role) continue;
    allow = allow | o.allow;
    deny = deny | o.deny;
  }
}

// Applies one level: everyone's override first, then the member's roles from the lowest rank
// up (`order`), so that a higher role's override has the last word; roles of equal rank apply
// together, deny winning over allow.
template <class Order>
Permissions apply_level(const PermissionQuery& q, const Order& order,
                        std::span<const RoleOverride> level, Permissions perms) noexcept {
  if (level.empty()) return perms;
  Permissions allow, deny;
  overrides_of(level, q.everyone_role, allow, deny);
  perms = (perms | allow) - deny;
  for (std::size_t k = 0; k < q.roles.size();) {
    const Rank rank = q.roles[order[k]].rank;
    allow = deny = Permissions{};
    for (; k < q.roles.size() && q.roles[order[k]].rank == rank; ++k)
      overrides_of(level, q.roles[order[k]].role, allow, deny);
    perms = (perms | allow) - deny;
  }
  return perms;
}

// The indices of q.roles by rank ascending (insertion sort: a member holds a few roles).
template <class Order>
void rank_order(std::span<const HeldRole> roles, Order& order) {
  for (std::size_t i = 0; i < roles.size(); ++i) {
    std::size_t j = i;
    for (; j > 0 && roles[order[j - 1]].rank > roles[i].rank; --j) order[j] = order[j - 1];
    order[j] = i;
  }
}

}  // namespace

std::string_view to_string(Permission p) noexcept {
  const auto i = static_cast<std::size_t>(p);
  return i < permission_names.size() ? permission_names[i] : "unknown";
}

std::optional<Permission> permission_from_string(std::string_view s) noexcept {
  for (std::size_t i = 0; i < permission_names.size(); ++i)
    if (permission_names[i] == s) return static_cast<Permission>(i);
  return std::nullopt;
}

Permissions resolve_permissions(const PermissionQuery& q) noexcept {
  if (q.is_owner) return Permissions::all();
  Permissions perms = q.everyone;
  for (const HeldRole& r : q.roles) perms = perms | r.permissions;
  if (q.levels.empty()) return perms;
  constexpr std::size_t inline_roles = 16;
  if (q.roles.size() <= inline_roles) {
    std::array<std::size_t, inline_roles> order{};
    rank_order(q.roles, order);
    for (const auto& level : q.levels) perms = apply_level(q, order, level, perms);
  } else {
    std::vector<std::size_t> order(q.roles.size());
    rank_order(q.roles, order);
    for (const auto& level : q.levels) perms = apply_level(q, order, level, perms);
  }
  return perms;
}

Rank highest_rank(std::span<const HeldRole> roles) noexcept {
  Rank best = builtin::everyone_rank;
  for (const HeldRole& r : roles) best = std::max(best, r.rank);
  return best;
}

}  // namespace hearth
