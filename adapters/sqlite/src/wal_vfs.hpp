// The SQLite adapter's VFS wrappers: for the writer connection, one that writes each commit's
// WAL frames in one write() call (one per 64 KiB); for read connections, one that keeps the
// database file's memory map across other connections' commits. Both can read the WAL through
// a memory map.
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
//
// exclusive: over SQLite's "unix-excl" VFS instead, which takes an exclusive lock on the database
// file at the first lock and keeps it, so that other processes cannot open the database; the
// connections of this process then coordinate in memory, and the WAL index is kept in heap
// memory, not in a -shm file (SqliteOptions::exclusive). Every connection to one database MUST
// then use an exclusive VFS (these, or "unix-excl" itself).
//
// map_reads: the WAL file's reads (pages not in the connection's cache whose newest version is
// in the WAL; a checkpoint's copying) are copied from a shared, read-only map of the file
// instead of costing a pread() each. For connections with PRAGMA mmap_size > 0: the map's pages
// count in the process's resident memory as the database file's do.
const char* wal_batching_vfs(WalSync sync, bool exclusive, bool map_reads) noexcept;

// The name of a VFS (registered on first use, never the default) for read connections with
// PRAGMA mmap_size > 0. It wraps SQLite's default one. When a read transaction begins after
// another connection's commit, SQLite drops its whole map of the database file, and every page
// the transaction then touches is faulted in again. A database file opened through this VFS
// keeps its map unless the file shrank or grew by more than an eighth: the map is of the file,
// shared with the OS's cache, so it shows every change to the file's pages, and pages past its
// end are read through xRead. WAL files opened through it read as wal_batching_vfs's with
// map_reads do, and write straight to the file. Returns nullptr if registering failed.
// exclusive as for wal_batching_vfs.
const char* kept_map_vfs(bool exclusive) noexcept;

}  // namespace hearth::sqlite::detail
