// What the small benchmarks share: a failed call ends the run, saying which.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "hearth/error.hpp"

namespace hearth::bench {

template <class T>
T must(result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "%s failed: %s\n", what, r.error().message().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

inline void must(result<void> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "%s failed: %s\n", what, r.error().message().c_str());
    std::exit(1);
  }
}

}  // namespace hearth::bench
