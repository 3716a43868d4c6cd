// What the kit's source files share (not installed).
#pragma once

#include <memory>

#include "hearth/storage/storage.hpp"

namespace hearth::conformance::detail {

// A new, empty storage from the factory given to run().
std::shared_ptr<Storage> fresh_storage();

// Does nothing; run() calls it so that the linker keeps security_matrix.cpp's test cases (they
// would otherwise be dropped from the static library, nothing referring to them).
void link_security_matrix();
// The same for kit_search.cpp.
void link_search_kit();

}  // namespace hearth::conformance::detail
