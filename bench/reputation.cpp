// Leaderboard queries at scale: "top 100" and "my rank" through the public Engine calls, over a
// community of --members members (100,000 by default) with points drawn from a heavy-tailed
// distribution (many ties at the bottom, a few high scorers), on MemoryStorage and on SQLite.
// The members and their totals are written straight through the storage contract in large
// transactions (the setup is not what is measured); the engine then loads the board once
// ("load", timed) and answers every later query from it. Each answer is checked against a
// brute-force ranking of the seeded points. Prints one JSON line per measurement.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "hearth/engine.hpp"
#include "hearth/sqlite/sqlite_storage.hpp"
#include "hearth/storage/memory.hpp"
#include "must.hpp"

namespace {

using namespace hearth;
using Clock = std::chrono::steady_clock;

using hearth::bench::must;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "wrong answer: %s\n", what);
    std::exit(1);
  }
}

struct Seeded {
  std::vector<MemberId> members;
  std::vector<std::int64_t> points;  // by index in `members`
};

// Writes the members and their all-time totals in the community scope.
Seeded seed(Storage& storage, std::size_t n) {
  Seeded s;
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> tail(1.0 / 150.0);
  for (std::size_t done = 0; done < n;) {
    auto tx = must(storage.begin(TxMode::write), "begin");
    for (std::size_t k = 0; k < 10'000 && done < n; ++k, ++done) {
      Member m;
      m.id = MemberId{1'000'000 + done};
      m.handle = "member" + std::to_string(done);
      m.display_name = m.handle;
      must(tx->insert_member(m), "insert_member");
      // A third never earned anything; the rest follow a long tail, rounded to 5s (ties).
      const std::int64_t p = rng() % 3 == 0 ? 0 : static_cast<std::int64_t>(tail(rng) / 5) * 5 + 1;
      s.members.push_back(m.id);
      s.points.push_back(p);
      if (p != 0) must(tx->put_reputation_total({SpaceId{}, "all", m.id, p}), "put_total");
    }
    must(tx->commit(), "commit");
  }
  return s;
}

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

void run(const char* adapter, std::shared_ptr<Storage> storage, std::size_t n,
         std::size_t queries) {
  Seeded s = seed(*storage, n);
  EngineOptions options;
  options.storage = storage;
  auto engine = must(Engine::open(std::move(options)), "open");
  Engine& e = *engine;

  std::vector<std::int64_t> sorted = s.points;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  auto expected_rank = [&](std::int64_t p) {
    // 1 + how many have more: the first position not above p.
    return static_cast<std::uint64_t>(
               std::lower_bound(sorted.begin(), sorted.end(), p, std::greater<>()) -
               sorted.begin()) +
           1;
  };

  const auto load_start = Clock::now();
  auto first = must(e.leaderboard(MemberId{}, SpaceId{}, Period::all_time, "", {"", 100}), "top");
  const double load_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - load_start).count();
  check(first.items.size() == std::min<std::size_t>(100, n), "top 100 size");
  check(first.items[0].points == sorted[0], "top score");

  std::vector<double> top_us, rank_us;
  std::mt19937_64 rng(7);
  std::uint64_t checksum = 0;
  for (std::size_t i = 0; i < queries; ++i) {
    auto t0 = Clock::now();
    auto top = must(e.leaderboard(MemberId{}, SpaceId{}, Period::all_time, "", {"", 100}), "top");
    top_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    checksum += top.items.back().member.value;
    const std::size_t who = rng() % n;
    t0 = Clock::now();
    auto mine = must(e.reputation(MemberId{}, SpaceId{}, s.members[who]), "rank");
    rank_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    check(mine.points == s.points[who], "my points");
    check(mine.rank == expected_rank(s.points[who]), "my rank");
    checksum += mine.rank;
  }
  for (std::size_t k = 0; k < first.items.size(); ++k)
    check(first.items[k].points == sorted[k], "top 100 order");
  std::printf(
      "{\"bench\": \"leaderboard_%s\", \"members\": %zu, \"queries\": %zu, \"load_ms\": %.1f, "
      "\"top100_p50_us\": %.1f, \"top100_p99_us\": %.1f, \"my_rank_p50_us\": %.2f, "
      "\"my_rank_p99_us\": %.2f, \"checksum\": %llu}\n",
      adapter, n, queries, load_ms, percentile(top_us, 0.5), percentile(top_us, 0.99),
      percentile(rank_us, 0.5), percentile(rank_us, 0.99),
      static_cast<unsigned long long>(checksum));
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t members = 100'000, queries = 2'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--members") == 0) members = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--queries") == 0) queries = std::strtoull(argv[i + 1], nullptr, 10);
  }
  if (members == 0 || queries == 0) {
    std::fprintf(stderr, "usage: hearth_bench_reputation [--members N] [--queries Q]\n");
    return 2;
  }
  run("memory", std::make_shared<MemoryStorage>(), members, queries);
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("hearth-bench-reputation-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  run("sqlite", must(sqlite::open_storage({.path = (dir / "r.db").string()}), "sqlite"), members,
      queries);
  fs::remove_all(dir);
  return 0;
}
