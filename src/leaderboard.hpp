// Leaderboards kept in memory as order-statistic trees: "top N" and "my rank" in O(log n)
// whatever the storage (not installed; docs/reputation.md, "Leaderboards").
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "hearth/reputation.hpp"

namespace hearth::detail {

// One scope's totals in one window, ordered by points descending, then member id ascending.
// Thread-safe.
class Leaderboard {
 public:
  Leaderboard();
  ~Leaderboard();
  Leaderboard(const Leaderboard&) = delete;
  Leaderboard& operator=(const Leaderboard&) = delete;

  // Sets a member's points. A member at 0 (or never set) is not listed, and ranks as 0 does.
  void set(MemberId member, std::int64_t points);
  // The member's points and rank: 1 + the number of members with more points.
  LeaderboardEntry rank_of(MemberId member) const;
  // Up to `limit` entries in board order strictly after (points, member); from the top when
  // `from_top`.
  std::vector<LeaderboardEntry> after(bool from_top, std::int64_t points, MemberId member,
                                      std::uint32_t limit) const;
  std::size_t size() const;

 private:
  struct Tree;
  mutable std::shared_mutex mutex_;
  std::unique_ptr<Tree> tree_;
  std::unordered_map<std::uint64_t, std::int64_t> points_;
  std::uint64_t rank_locked(std::int64_t points) const;
};

// The boards loaded so far, by (scope, window), the least recently used dropped beyond
// `capacity`. Thread-safe.
class Leaderboards {
 public:
  explicit Leaderboards(std::size_t capacity) : capacity_(capacity) {}
  std::shared_ptr<Leaderboard> find(SpaceId scope, const std::string& window);
  void insert(SpaceId scope, const std::string& window, std::shared_ptr<Leaderboard> board);
  // Applies a committed total to its board, if that board is loaded.
  void apply(const ReputationTotal& t);
  void clear();

 private:
  struct Slot {
    std::shared_ptr<Leaderboard> board;
    std::uint64_t used = 0;
  };
  std::size_t capacity_;
  std::mutex mutex_;
  std::uint64_t clock_ = 0;
  std::map<std::pair<std::uint64_t, std::string>, Slot> boards_;
};

}  // namespace hearth::detail
