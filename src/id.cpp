#include "hearth/id.hpp"

#include <algorithm>

namespace hearth {

std::uint64_t IdGenerator::next() noexcept {
  constexpr std::uint32_t max_sequence = (1u << id_sequence_bits) - 1;
  std::lock_guard lock(mutex_);
  const std::int64_t now = std::max<std::int64_t>(clock_.now() - id_epoch, 0);
  if (now > last_ms_) {
    last_ms_ = now;
    sequence_ = 0;
  } else if (sequence_ < max_sequence) {
    ++sequence_;
  } else {
    // The millisecond is used up (or the clock stepped back): borrow the next one.
    ++last_ms_;
    sequence_ = 0;
  }
  return (static_cast<std::uint64_t>(last_ms_) << (id_node_bits + id_sequence_bits)) |
         (static_cast<std::uint64_t>(node_) << id_sequence_bits) | sequence_;
}

}  // namespace hearth
