// How long resolving a member's permissions in a space takes: a guild member holding three
// roles, in a channel three levels deep with overrides at each level. Prints one JSON line.
#include <chrono>
#include <cstdio>
#include <vector>

#include "hearth/permissions.hpp"

int main() {
  using namespace hearth;
  using P = Permission;
  const RoleId everyone{1}, member{2}, raider{3}, officer{4};
  const std::vector<HeldRole> roles{{member, builtin::member, builtin::member_rank},
                                    {raider, Permissions{P::pin}, 150},
                                    {officer, Permissions{P::approve_joins, P::invite}, 300}};
  const std::vector<RoleOverride> guild{{everyone, {}, Permissions{P::react}},
                                        {member, Permissions{P::react}, {}}};
  const std::vector<RoleOverride> category{{raider, Permissions{P::lock}, {}},
                                           {officer, {}, Permissions{P::invite}}};
  const std::vector<RoleOverride> channel{{member, {}, Permissions{P::post_threads}},
                                          {raider, Permissions{P::post_threads}, {}},
                                          {everyone, {}, Permissions{P::attach_links}}};
  const std::vector<std::span<const RoleOverride>> levels{guild, category, channel};
  PermissionQuery q;
  q.everyone = builtin::everyone;
  q.everyone_role = everyone;
  q.roles = roles;
  q.levels = levels;

  constexpr long iterations = 20'000'000;
  std::uint64_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < iterations; ++i) {
    q.is_owner = (i & 0xFFFFF) == 0xFFFFF;  // an input the compiler cannot fold away
    sink += resolve_permissions(q).bits();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"bench\": \"resolve_permissions\", \"ops\": %ld, \"seconds\": %.6f, \"ns_per_op\": %.1f, "
      "\"checksum\": %llu}\n",
      iterations, seconds, seconds * 1e9 / static_cast<double>(iterations),
      static_cast<unsigned long long>(sink));
  return 0;
}
