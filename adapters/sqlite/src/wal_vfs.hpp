// A VFS for the writer connection that writes each commit's WAL frames in one write() call
// (one per 64 KiB).
// Internal to the SQLite adapter; see wal_vfs.cpp and docs/storage-adapters.md.
#pragma once

namespace hearth::sqlite::detail {

// How the writer connection's commits reach the disk.
enum class WalSync : unsigned char {
  normal,  // as PRAGMA synchronous = NORMAL: in the OS when the commit returns, not fsynced
  full,    // as PRAGMA synchronous = FULL: fsynced before the commit returns
};

// The name of a VFS (registered on first use, never the default) that wraps SQLite's default
// one. WAL files opened through it gather the frames SQLite writes one by one (a header and a
// page each, two write() calls per page) and write them as one block when SQLite syncs the WAL.
// The connection using it MUST run with PRAGMA synchronous = FULL, so that every commit syncs
// the WAL: that sync is where the block is written, before the commit is published to other
// connections and before it returns. With WalSync::normal the fsync of a commit is then left
// out, which gives exactly synchronous = NORMAL's durability; the WAL header's sync when the
// WAL restarts and the checkpoints' syncs stay. Returns nullptr if registering failed.
const char* wal_batching_vfs(WalSync sync) noexcept;

}  // namespace hearth::sqlite::detail
