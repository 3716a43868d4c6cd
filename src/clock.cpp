#include "hearth/clock.hpp"

#include <chrono>

namespace hearth {

Timestamp SystemClock::now() const noexcept {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace hearth
