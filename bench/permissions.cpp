// How long a permission check takes: a guild member holding three roles, in a channel three
// levels deep with overrides at each level. Prints one JSON line per measurement:
//  - resolve_permissions: the policy core alone (the inputs in memory);
//  - engine_check_<adapter>_warm: Engine::get_permissions, the public call that runs the
//    engine's whole check (visibility, membership, bans, roles, overrides), for the same member
//    and space again and again, answered by the permission cache, on MemoryStorage and SQLite;
//  - engine_check_<adapter>_uncached: the same with the cache off, every check read from the
//    storage in a read transaction (what a check costs the first time after a change).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hearth/engine.hpp"
#include "hearth/permissions.hpp"
#include "hearth/sqlite/sqlite_storage.hpp"
#include "must.hpp"

namespace {

using namespace hearth;

using hearth::bench::must;

// The same shape through the engine: guild > category > channel, three roles, overrides.
void engine_check(const char* name, std::shared_ptr<Storage> storage, long iterations,
                  bool cached) {
  using P = Permission;
  EngineOptions options;
  options.storage = std::move(storage);
  if (!cached) options.permission_cache_entries = 0;
  auto engine = must(Engine::open(std::move(options)), "open");
  Engine& e = *engine;
  const MemberId owner = must(e.create_member("owner", "Owner"), "member").id;
  const MemberId ann = must(e.create_member("ann", "Ann"), "member").id;
  const SpaceId guild = must(e.create_space(owner, {{}, SpaceKind::guild, "Guild", ""}), "s").id;
  const SpaceId category =
      must(e.create_space(owner, {guild, SpaceKind::category, "Raids", ""}), "s").id;
  const SpaceId channel =
      must(e.create_space(owner, {category, SpaceKind::channel, "Tonight", ""}), "s").id;
  must(e.join_space(ann, guild), "join");
  const RoleId raider = must(e.create_role(owner, guild, {"raider", {P::pin}, 150}), "role").id;
  const RoleId officer =
      must(e.create_role(owner, guild, {"officer", {P::approve_joins, P::invite}, 300}), "r").id;
  must(e.assign_role(owner, guild, ann, raider), "assign");
  must(e.assign_role(owner, guild, ann, officer), "assign");
  must(e.set_override(owner, guild, builtin::everyone_role, {}, {P::react}), "override");
  must(e.set_override(owner, guild, builtin::member_role, {P::react}, {}), "override");
  must(e.set_override(owner, category, raider, {P::lock}, {}), "override");
  must(e.set_override(owner, category, officer, {}, {P::invite}), "override");
  must(e.set_override(owner, channel, builtin::member_role, {}, {P::post_threads}), "override");
  must(e.set_override(owner, channel, raider, {P::post_threads}, {}), "override");
  must(e.set_override(owner, channel, builtin::everyone_role, {}, {P::attach_links}), "override");
  const Permissions expected = must(e.get_permissions(ann, channel), "check");
  if (!expected.has(P::post_threads) || expected.has(P::invite) || !expected.has(P::lock)) {
    std::fprintf(stderr, "unexpected permissions %llx\n",
                 static_cast<unsigned long long>(expected.bits()));
    std::exit(1);
  }
  std::uint64_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < iterations; ++i)
    sink += must(e.get_permissions(ann, channel), "check").bits();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"bench\": \"engine_check_%s_%s\", \"ops\": %ld, \"seconds\": %.6f, \"ns_per_op\": %.1f, "
      "\"checksum\": %llu}\n",
      name, cached ? "warm" : "uncached", iterations, seconds,
      seconds * 1e9 / static_cast<double>(iterations), static_cast<unsigned long long>(sink));
}

}  // namespace

int main() {
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

  engine_check("memory", nullptr, 1'000'000, true);
  engine_check("memory", nullptr, 200'000, false);
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("hearth-bench-permissions-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  engine_check("sqlite", must(sqlite::open_storage({.path = (dir / "w.db").string()}), "sqlite"),
               1'000'000, true);
  engine_check("sqlite", must(sqlite::open_storage({.path = (dir / "u.db").string()}), "sqlite"),
               50'000, false);
  fs::remove_all(dir);
  return 0;
}
