#include "leaderboard.hpp"

// libstdc++'s policy-based red-black tree with subtree sizes (order_of_key, find_by_order).
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

namespace hearth::detail {

namespace {
// (-points, member): ascending order is the board's order.
using Key = std::pair<std::int64_t, std::uint64_t>;
std::int64_t negate(std::int64_t points) noexcept {
  return points == INT64_MIN ? INT64_MAX : -points;
}
}  // namespace

struct Leaderboard::Tree {
  __gnu_pbds::tree<Key, __gnu_pbds::null_type, std::less<Key>, __gnu_pbds::rb_tree_tag,
                   __gnu_pbds::tree_order_statistics_node_update>
      keys;
};

Leaderboard::Leaderboard() : tree_(std::make_unique<Tree>()) {}
Leaderboard::~Leaderboard() = default;

void Leaderboard::set(MemberId member, std::int64_t points) {
  std::unique_lock lock(mutex_);
  auto it = points_.find(member.value);
  if (it != points_.end()) {
    if (it->second == points) return;
    tree_->keys.erase(Key{negate(it->second), member.value});
    if (points == 0) {
      points_.erase(it);  // 0 is where everyone starts: not listed
      return;
    }
    it->second = points;
  } else if (points == 0) {
    return;
  } else {
    points_.emplace(member.value, points);
  }
  tree_->keys.insert(Key{negate(points), member.value});
}

std::uint64_t Leaderboard::rank_locked(std::int64_t points) const {
  return tree_->keys.order_of_key(Key{negate(points), 0}) + 1;
}

LeaderboardEntry Leaderboard::rank_of(MemberId member) const {
  std::shared_lock lock(mutex_);
  auto it = points_.find(member.value);
  const std::int64_t points = it == points_.end() ? 0 : it->second;
  return {member, points, rank_locked(points)};
}

std::vector<LeaderboardEntry> Leaderboard::after(bool from_top, std::int64_t points,
                                                 MemberId member, std::uint32_t limit) const {
  std::shared_lock lock(mutex_);
  std::vector<LeaderboardEntry> out;
  auto it =
      from_top ? tree_->keys.begin() : tree_->keys.upper_bound(Key{negate(points), member.value});
  if (it == tree_->keys.end()) return out;
  std::uint64_t position = tree_->keys.order_of_key(*it);  // 0-based
  std::uint64_t rank = rank_locked(negate(it->first));
  for (; it != tree_->keys.end() && out.size() < limit; ++it, ++position) {
    const std::int64_t p = negate(it->first);
    if (!out.empty() && out.back().points != p) rank = position + 1;
    out.push_back({MemberId{it->second}, p, rank});
  }
  return out;
}

std::size_t Leaderboard::size() const {
  std::shared_lock lock(mutex_);
  return points_.size();
}

std::shared_ptr<Leaderboard> Leaderboards::find(SpaceId scope, const std::string& window) {
  std::lock_guard lock(mutex_);
  auto it = boards_.find({scope.value, window});
  if (it == boards_.end()) return nullptr;
  it->second.used = ++clock_;
  return it->second.board;
}

void Leaderboards::insert(SpaceId scope, const std::string& window,
                          std::shared_ptr<Leaderboard> board) {
  std::lock_guard lock(mutex_);
  boards_[{scope.value, window}] = {std::move(board), ++clock_};
  while (boards_.size() > capacity_) {
    auto oldest = boards_.begin();
    for (auto it = boards_.begin(); it != boards_.end(); ++it)
      if (it->second.used < oldest->second.used) oldest = it;
    boards_.erase(oldest);
  }
}

void Leaderboards::apply(const ReputationTotal& t) {
  std::shared_ptr<Leaderboard> board;
  {
    std::lock_guard lock(mutex_);
    auto it = boards_.find({t.scope.value, t.window});
    if (it == boards_.end()) return;
    board = it->second.board;
  }
  board->set(t.member, t.points);
}

void Leaderboards::clear() {
  std::lock_guard lock(mutex_);
  boards_.clear();
}

}  // namespace hearth::detail
