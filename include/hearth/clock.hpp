// Time in hearth: milliseconds since the Unix epoch, read from an injected Clock.
#pragma once

#include <atomic>
#include <cstdint>

namespace hearth {

// Milliseconds since 1970-01-01T00:00:00Z (UTC).
using Timestamp = std::int64_t;

// Where the engine reads "now". Implementations MUST be safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const noexcept = 0;
};

// Wall-clock time (std::chrono::system_clock).
class SystemClock final : public Clock {
 public:
  Timestamp now() const noexcept override;
};

// A clock that moves only when told to: for tests, replays and games running on server ticks.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start = 1'767'225'600'000 /* 2026-01-01 */) noexcept
      : now_(start) {}
  Timestamp now() const noexcept override { return now_.load(std::memory_order_relaxed); }
  void set(Timestamp t) noexcept { now_.store(t, std::memory_order_relaxed); }
  void advance(std::int64_t ms) noexcept { now_.fetch_add(ms, std::memory_order_relaxed); }

 private:
  std::atomic<Timestamp> now_;
};

}  // namespace hearth
