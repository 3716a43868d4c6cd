// The storage conformance kit: the storage contract (hearth/storage/storage.hpp) as Catch2 test
// cases. An integrator links hearth::conformance into a test program whose main() calls run()
// with a factory for their adapter; every case then runs against it. See
// docs/storage-adapters.md.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "hearth/storage/storage.hpp"

namespace hearth::conformance {

struct StorageFactory {
  // Shown in the test output.
  std::string name;
  // A new, empty storage. Called once or more per test case.
  std::function<result<std::shared_ptr<Storage>>()> create;
  // Opens again the storage that the last create() made, after the test dropped every
  // reference to it. Leave empty for a storage that does not persist (the persistence cases
  // are then skipped, saying so).
  std::function<result<std::shared_ptr<Storage>>()> reopen;
  // Optional, for speed only: a new storage holding what `from` (one that create() made, still
  // open) holds now. The security matrix then builds its world once and checks each write on a
  // copy, instead of building the world again for each. Leave empty to have it built each time.
  std::function<result<std::shared_ptr<Storage>>(const Storage& from)> copy;
};

// Runs every case of the kit against `factory` and returns the exit code to return from
// main(): 0 when all passed. argc/argv are Catch2's command line (test filters, reporters).
int run(StorageFactory factory, int argc, char** argv);

}  // namespace hearth::conformance
