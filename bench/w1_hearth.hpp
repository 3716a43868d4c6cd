// What the W1 programs that run hearth share (the reference program runs without it).
#pragma once

#include <cstdint>
#include <string>

#include "hearth/sqlite/sqlite_storage.hpp"
#include "w1_common.hpp"

namespace hearth::bench {

// The SQLite adapter's options for a W1 run on `path`: synchronous = NORMAL as W1 says, the
// rest the adapter's defaults unless the command line set them.
inline sqlite::SqliteOptions sqlite_options_of(const Config& config, const std::string& path) {
  sqlite::SqliteOptions o{.path = path, .synchronous = sqlite::Synchronous::normal};
  if (config.mmap_mib >= 0) o.mmap_size = config.mmap_mib << 20;
  o.batch_wal_writes = config.wal_batching;
  o.keep_read_maps = config.keep_maps;
  o.exclusive = config.exclusive;
  if (config.search_batch >= 0)
    o.search_index_batch = static_cast<std::uint32_t>(config.search_batch);
  return o;
}

}  // namespace hearth::bench
