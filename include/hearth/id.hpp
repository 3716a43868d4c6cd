// Typed, 64-bit, time-ordered identifiers.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <mutex>

#include "hearth/clock.hpp"

namespace hearth {

// An id of one kind of entity. Ids of different kinds do not convert into each other, so a
// MemberId cannot be passed where a SpaceId is expected. The value 0 means "no id".
template <class Tag>
struct Id {
  std::uint64_t value = 0;

  constexpr Id() noexcept = default;
  constexpr explicit Id(std::uint64_t v) noexcept : value(v) {}
  constexpr explicit operator bool() const noexcept { return value != 0; }
  friend constexpr auto operator<=>(Id, Id) noexcept = default;
};

using MemberId = Id<struct MemberTag>;
using SpaceId = Id<struct SpaceTag>;
using ThreadId = Id<struct ThreadTag>;
using PostId = Id<struct PostTag>;
using NotificationId = Id<struct NotificationTag>;
using SanctionId = Id<struct SanctionTag>;

// Layout of an id, most significant bits first:
//   42 bits  milliseconds since id_epoch (2020-01-01T00:00:00Z; good until year 2159)
//   10 bits  node id (0..1023), so nodes never collide without coordinating
//   12 bits  sequence within the millisecond
// Ids from one generator strictly increase, even when the clock stands still or steps back:
// the generator then borrows from the next millisecond.
inline constexpr Timestamp id_epoch = 1'577'836'800'000;
inline constexpr unsigned id_node_bits = 10;
inline constexpr unsigned id_sequence_bits = 12;

// The millisecond encoded in an id (Unix ms).
constexpr Timestamp id_time(std::uint64_t id) noexcept {
  return static_cast<Timestamp>(id >> (id_node_bits + id_sequence_bits)) + id_epoch;
}
constexpr unsigned id_node(std::uint64_t id) noexcept {
  return static_cast<unsigned>((id >> id_sequence_bits) & ((1u << id_node_bits) - 1));
}

// Makes ids. Thread-safe.
class IdGenerator {
 public:
  // REQUIRES: node < 1024.
  IdGenerator(const Clock& clock, unsigned node) noexcept : clock_(clock), node_(node & 1023u) {}

  std::uint64_t next() noexcept;
  template <class IdT>
  IdT next_as() noexcept {
    return IdT{next()};
  }

 private:
  const Clock& clock_;
  unsigned node_;
  std::mutex mutex_;
  std::int64_t last_ms_ = -1;
  std::uint32_t sequence_ = 0;
};

}  // namespace hearth

template <class Tag>
struct std::hash<hearth::Id<Tag>> {
  std::size_t operator()(hearth::Id<Tag> id) const noexcept {
    return std::hash<std::uint64_t>{}(id.value);
  }
};
