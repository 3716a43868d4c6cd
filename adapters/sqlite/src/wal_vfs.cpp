// The writer connection's VFS: WAL frames gathered into one write() per commit (wal_vfs.hpp).
//
// SQLite writes a commit's frames one at a time, each as two write() calls (the 24-byte frame
// header, then the page). A reaction in hearth commits about 26 pages: 52 system calls, which
// on a virtual machine are most of the commit's cost. This VFS wraps the default one; files
// other than WAL files are the default VFS's own (opened straight into the memory SQLite gives,
// with its methods), so only the WAL file pays for the wrapper. A WAL file keeps contiguous
// writes in a buffer of 256 KiB and writes it out (in one call per 64 KiB) before anything
// that must see the file: a sync, a read, its size, a truncation, a file control, its close, a
// write elsewhere, or a full buffer. The writer runs with synchronous = FULL, so every commit ends
// with a sync of the WAL, before SQLite publishes the commit in the wal-index: the frames are in
// the file (the OS's cache) when readers can see them and when the commit returns, and a failed
// write fails the commit. For synchronous = NORMAL the fsync of that commit sync is then skipped;
// every other sync (the WAL header's on a restart, the checkpoints') runs, as NORMAL has them.
#include "wal_vfs.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace hearth::sqlite::detail {
namespace {

constexpr int buffer_bytes = 256 * 1024;
// The most one write() call is given: SQLite's own writes are at most a 64 KiB page, and its
// unix VFS cuts a larger write to 17 bits of length (then reports the disk full).
constexpr int write_bytes = 64 * 1024;

// The read map's length: a multiple of this, at least the bytes known to be in the file.
constexpr sqlite3_int64 map_step = sqlite3_int64{64} << 20;

// A file's reads copied from a shared, read-only map of it instead of costing a pread() each:
// only of the bytes the file is known to hold, from what was written through this handle, the
// sizes asked for, and a size asked for when a read goes past them (one fstat(), which then
// covers everything written so far). SQLite reads only pages and frames that it knows were
// written, and a file shrinks (a checkpoint truncating the WAL, or the database after a vacuum)
// only when no connection can still ask for what lay past the new end, so a read within the
// known size stays within the file while it is copied. A read past it goes to the file, which
// fills a short read as SQLite expects.
// For WAL files only: SQLite holds no POSIX lock on a WAL file, so the second descriptor's close
// cannot drop one (closing any descriptor of a file drops all of the process's locks on it).
struct ReadMap {
  bool on;                   // false: off, or a map or an open failed (reads go to the file)
  int fd;                    // the file opened again, read-only, for the map; -1: not yet
  const unsigned char* map;  // nullptr: none yet
  sqlite3_int64 len;         // the map's length, which may run past the file's end
  sqlite3_int64 known;       // bytes the file is known to hold (never more than it holds)
  const char* path;          // the file's name (SQLite keeps it until xClose)
};

void init(ReadMap& m, bool on, const char* path) noexcept {
  m = ReadMap{on && path != nullptr, -1, nullptr, 0, 0, path};
}

void unmap(ReadMap& m) noexcept {
  if (m.map != nullptr) munmap(const_cast<unsigned char*>(m.map), static_cast<size_t>(m.len));
  m.map = nullptr;
  m.len = 0;
}

void close_map(ReadMap& m) noexcept {
  unmap(m);
  if (m.fd >= 0) ::close(m.fd);
  m.fd = -1;
  m.on = false;
}

void wrote(ReadMap& m, sqlite3_int64 end) noexcept {
  if (end > m.known) m.known = end;
}

// Maps the file so that the map covers `end` bytes; false if it cannot (and never tries again).
bool map_through(ReadMap& m, sqlite3_int64 end) noexcept {
  if (m.map != nullptr && end <= m.len) return true;
  if (m.fd < 0) m.fd = ::open(m.path, O_RDONLY | O_CLOEXEC);
  if (m.fd >= 0) {
    unmap(m);
    const sqlite3_int64 len = (end + map_step - 1) / map_step * map_step;
    void* p = mmap(nullptr, static_cast<size_t>(len), PROT_READ, MAP_SHARED, m.fd, 0);
    if (p != MAP_FAILED) {
      m.map = static_cast<const unsigned char*>(p);
      m.len = len;
      return true;
    }
  }
  close_map(m);
  return false;
}

// Reads through the map if it can; false: the caller reads from the file.
bool read_mapped(ReadMap& m, sqlite3_file* real, void* out, int amount,
                 sqlite3_int64 offset) noexcept {
  if (!m.on || offset < 0) return false;
  const sqlite3_int64 end = offset + amount;
  if (end > m.known) {
    sqlite3_int64 size = 0;
    if (real->pMethods->xFileSize(real, &size) != SQLITE_OK) return false;
    m.known = size;
    if (end > size) return false;
  }
  if (!map_through(m, end)) return false;
  std::memcpy(out, m.map + offset, static_cast<std::size_t>(amount));
  return true;
}

struct WalFile {
  sqlite3_file base;    // pMethods: wal_methods
  sqlite3_file* real;   // the default VFS's file, in the same allocation, after this struct
  unsigned char* data;  // buffered bytes, nullptr until the first write
  sqlite3_int64 start;  // the file offset of data[0]
  int len;              // bytes buffered
  bool buffer_writes;   // false: every write goes straight to the file (read connections)
  bool fsync_commits;   // WalSync::full
  ReadMap reads;        // on with map_reads
};

constexpr std::size_t real_offset = (sizeof(WalFile) + 15) & ~std::size_t{15};

WalFile* wal(sqlite3_file* f) noexcept { return reinterpret_cast<WalFile*>(f); }

// Writes straight to the file; what was written is then known to be in it.
int write_through(WalFile* f, const void* in, int amount, sqlite3_int64 offset) noexcept {
  const int rc = f->real->pMethods->xWrite(f->real, in, amount, offset);
  if (rc == SQLITE_OK) wrote(f->reads, offset + amount);
  return rc;
}

int flush(WalFile* f) noexcept {
  const int n = f->len;
  f->len = 0;
  for (int done = 0; done < n;) {
    const int amount = n - done < write_bytes ? n - done : write_bytes;
    const int rc = write_through(f, f->data + done, amount, f->start + done);
    if (rc != SQLITE_OK) return rc;
    done += amount;
  }
  return SQLITE_OK;
}

int wal_close(sqlite3_file* file) noexcept {
  WalFile* f = wal(file);
  const int flushed = flush(f);
  const int closed = f->real->pMethods->xClose(f->real);
  close_map(f->reads);
  std::free(f->data);
  f->data = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int wal_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) noexcept {
  WalFile* f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  if (read_mapped(f->reads, f->real, out, amount, offset)) return SQLITE_OK;
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int wal_write(sqlite3_file* file, const void* in, int amount, sqlite3_int64 offset) noexcept {
  WalFile* f = wal(file);
  if (f->len > 0 && offset == f->start + f->len && amount <= buffer_bytes - f->len) {
    std::memcpy(f->data + f->len, in, static_cast<std::size_t>(amount));
    f->len += amount;
    return SQLITE_OK;
  }
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  if (!f->buffer_writes || amount > write_bytes) return write_through(f, in, amount, offset);
  if (f->data == nullptr) {
    f->data = static_cast<unsigned char*>(std::malloc(buffer_bytes));
    if (f->data == nullptr) return write_through(f, in, amount, offset);
  }
  std::memcpy(f->data, in, static_cast<std::size_t>(amount));
  f->start = offset;
  f->len = amount;
  return SQLITE_OK;
}

int wal_truncate(sqlite3_file* file, sqlite3_int64 size) noexcept {
  WalFile* f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  if (size < f->reads.known) f->reads.known = size;  // before: a failure may have cut some
  return f->real->pMethods->xTruncate(f->real, size);
}

int wal_sync(sqlite3_file* file, int flags) noexcept {
  WalFile* f = wal(file);
  // Frames written since the last sync, not starting with the WAL header: a commit's sync,
  // which synchronous = NORMAL would not make.
  const bool commit = f->len > 0 && f->start != 0;
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  if (commit && !f->fsync_commits) return SQLITE_OK;
  return f->real->pMethods->xSync(f->real, flags);
}

int wal_file_size(sqlite3_file* file, sqlite3_int64* size) noexcept {
  WalFile* f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  const int rc = f->real->pMethods->xFileSize(f->real, size);
  if (rc == SQLITE_OK) f->reads.known = *size;  // another process may have truncated it
  return rc;
}

int wal_lock(sqlite3_file* file, int level) noexcept {
  WalFile* f = wal(file);
  return f->real->pMethods->xLock(f->real, level);
}

int wal_unlock(sqlite3_file* file, int level) noexcept {
  WalFile* f = wal(file);
  return f->real->pMethods->xUnlock(f->real, level);
}

int wal_check_reserved_lock(sqlite3_file* file, int* out) noexcept {
  WalFile* f = wal(file);
  return f->real->pMethods->xCheckReservedLock(f->real, out);
}

int wal_file_control(sqlite3_file* file, int op, void* arg) noexcept {
  WalFile* f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileControl(f->real, op, arg);
}

int wal_sector_size(sqlite3_file* file) noexcept {
  WalFile* f = wal(file);
  return f->real->pMethods->xSectorSize(f->real);
}

int wal_device_characteristics(sqlite3_file* file) noexcept {
  WalFile* f = wal(file);
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}

// Version 1: SQLite asks a WAL file for nothing of the shared-memory or mmap methods.
const sqlite3_io_methods wal_methods = {
    1,
    wal_close,
    wal_read,
    wal_write,
    wal_truncate,
    wal_sync,
    wal_file_size,
    wal_lock,
    wal_unlock,
    wal_check_reserved_lock,
    wal_file_control,
    wal_sector_size,
    wal_device_characteristics,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

sqlite3_vfs* real_vfs(sqlite3_vfs* vfs) noexcept {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}

struct Batching {
  sqlite3_vfs vfs;
  bool buffer_writes;  // false: the read connections' VFS (their WAL files only get the map)
  bool fsync_commits;
  bool map_reads;
};

// Opens the default VFS's file in the memory SQLite gave for `outer`, `offset` bytes in (*inner),
// for a wrapper to forward to. The outer file stays unopened (no methods) until its opener sets
// them; on a failure whatever the default VFS left open is closed.
int open_inner(sqlite3_vfs* real, const char* name, sqlite3_file* outer, std::size_t offset,
               int flags, int* out_flags, sqlite3_file** inner) noexcept {
  outer->pMethods = nullptr;
  *inner = reinterpret_cast<sqlite3_file*>(reinterpret_cast<unsigned char*>(outer) + offset);
  const int rc = real->xOpen(real, name, *inner, flags, out_flags);
  if (rc != SQLITE_OK && (*inner)->pMethods != nullptr) (*inner)->pMethods->xClose(*inner);
  return rc;
}

// Opens a WAL file as the wrapper `vfs` says (its Batching).
int open_wal(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
             int* out_flags) noexcept {
  const auto& b = *reinterpret_cast<Batching*>(vfs);
  WalFile* f = wal(file);
  f->data = nullptr;
  f->start = 0;
  f->len = 0;
  f->buffer_writes = b.buffer_writes;
  f->fsync_commits = b.fsync_commits;
  init(f->reads, b.map_reads, name);
  if (const int rc = open_inner(real_vfs(vfs), name, file, real_offset, flags, out_flags, &f->real);
      rc != SQLITE_OK)
    return rc;
  f->base.pMethods = &wal_methods;
  return SQLITE_OK;
}

int batching_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
                  int* out_flags) noexcept {
  sqlite3_vfs* real = real_vfs(vfs);
  if ((flags & SQLITE_OPEN_WAL) == 0) return real->xOpen(real, name, file, flags, out_flags);
  return open_wal(vfs, name, file, flags, out_flags);
}

int batching_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) noexcept {
  return real_vfs(vfs)->xDelete(real_vfs(vfs), name, sync_dir);
}
int batching_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) noexcept {
  return real_vfs(vfs)->xAccess(real_vfs(vfs), name, flags, out);
}
int batching_full_pathname(sqlite3_vfs* vfs, const char* name, int n, char* out) noexcept {
  return real_vfs(vfs)->xFullPathname(real_vfs(vfs), name, n, out);
}
void* batching_dl_open(sqlite3_vfs* vfs, const char* name) noexcept {
  return real_vfs(vfs)->xDlOpen(real_vfs(vfs), name);
}
void batching_dl_error(sqlite3_vfs* vfs, int n, char* out) noexcept {
  real_vfs(vfs)->xDlError(real_vfs(vfs), n, out);
}
void (*batching_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return real_vfs(vfs)->xDlSym(real_vfs(vfs), handle, symbol);
}
void batching_dl_close(sqlite3_vfs* vfs, void* handle) noexcept {
  real_vfs(vfs)->xDlClose(real_vfs(vfs), handle);
}
int batching_randomness(sqlite3_vfs* vfs, int n, char* out) noexcept {
  return real_vfs(vfs)->xRandomness(real_vfs(vfs), n, out);
}
int batching_sleep(sqlite3_vfs* vfs, int us) noexcept {
  return real_vfs(vfs)->xSleep(real_vfs(vfs), us);
}
int batching_current_time(sqlite3_vfs* vfs, double* out) noexcept {
  return real_vfs(vfs)->xCurrentTime(real_vfs(vfs), out);
}
int batching_get_last_error(sqlite3_vfs* vfs, int n, char* out) noexcept {
  return real_vfs(vfs)->xGetLastError(real_vfs(vfs), n, out);
}
int batching_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) noexcept {
  return real_vfs(vfs)->xCurrentTimeInt64(real_vfs(vfs), out);
}

// --- Read connections: the database file's map kept across commits -------------------------

struct MappedFile {
  sqlite3_file base;         // pMethods: mapped_methods
  sqlite3_file* real;        // the default VFS's file, in the same allocation, after this struct
  sqlite3_int64 map_extent;  // the file's size when its map was last dropped; -1 before
};

constexpr std::size_t mapped_real_offset = (sizeof(MappedFile) + 15) & ~std::size_t{15};

sqlite3_file* real_of(sqlite3_file* f) noexcept { return reinterpret_cast<MappedFile*>(f)->real; }

// SQLite asks for the whole map to be dropped (offset 0, no page) when a read transaction finds
// that another connection committed, and on an error's reset. The map is of the file itself,
// shared with the OS's cache, so it shows every change to the file's pages: only a change of
// the file's size (a checkpoint grew it, or truncated it) can call for a new one. It is dropped
// when the file shrank, or grew by more than an eighth since it was last dropped: checkpoints
// grow the file a page at a time, and pages past the map's end are read through xRead, as
// SQLite reads past mmap_size. Otherwise the map, with its pages already faulted in, is kept.
// A page given out (p set) is always handed back.
int mapped_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) noexcept {
  auto* f = reinterpret_cast<MappedFile*>(file);
  sqlite3_file* real = f->real;
  if (p == nullptr) {
    sqlite3_int64 size = -1;
    if (real->pMethods->xFileSize(real, &size) == SQLITE_OK && f->map_extent >= 0 &&
        size >= f->map_extent && size - f->map_extent <= f->map_extent / 8) {
      return SQLITE_OK;
    }
    f->map_extent = size;  // the next fetch maps the file at (at least) this size
  }
  return real->pMethods->xUnfetch(real, offset, p);
}

int mapped_close(sqlite3_file* file) noexcept {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xClose(real);
}
int mapped_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) noexcept {
  return real_of(file)->pMethods->xRead(real_of(file), out, amount, offset);
}
int mapped_write(sqlite3_file* file, const void* in, int amount, sqlite3_int64 offset) noexcept {
  return real_of(file)->pMethods->xWrite(real_of(file), in, amount, offset);
}
int mapped_truncate(sqlite3_file* file, sqlite3_int64 size) noexcept {
  return real_of(file)->pMethods->xTruncate(real_of(file), size);
}
int mapped_sync(sqlite3_file* file, int flags) noexcept {
  return real_of(file)->pMethods->xSync(real_of(file), flags);
}
int mapped_file_size(sqlite3_file* file, sqlite3_int64* size) noexcept {
  return real_of(file)->pMethods->xFileSize(real_of(file), size);
}
int mapped_lock(sqlite3_file* file, int level) noexcept {
  return real_of(file)->pMethods->xLock(real_of(file), level);
}
int mapped_unlock(sqlite3_file* file, int level) noexcept {
  return real_of(file)->pMethods->xUnlock(real_of(file), level);
}
int mapped_check_reserved_lock(sqlite3_file* file, int* out) noexcept {
  return real_of(file)->pMethods->xCheckReservedLock(real_of(file), out);
}
int mapped_file_control(sqlite3_file* file, int op, void* arg) noexcept {
  return real_of(file)->pMethods->xFileControl(real_of(file), op, arg);
}
int mapped_sector_size(sqlite3_file* file) noexcept {
  return real_of(file)->pMethods->xSectorSize(real_of(file));
}
int mapped_device_characteristics(sqlite3_file* file) noexcept {
  return real_of(file)->pMethods->xDeviceCharacteristics(real_of(file));
}
int mapped_shm_map(sqlite3_file* file, int region, int size, int extend,
                   void volatile** out) noexcept {
  return real_of(file)->pMethods->xShmMap(real_of(file), region, size, extend, out);
}
int mapped_shm_lock(sqlite3_file* file, int offset, int n, int flags) noexcept {
  return real_of(file)->pMethods->xShmLock(real_of(file), offset, n, flags);
}
void mapped_shm_barrier(sqlite3_file* file) noexcept {
  real_of(file)->pMethods->xShmBarrier(real_of(file));
}
int mapped_shm_unmap(sqlite3_file* file, int delete_flag) noexcept {
  return real_of(file)->pMethods->xShmUnmap(real_of(file), delete_flag);
}
int mapped_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) noexcept {
  return real_of(file)->pMethods->xFetch(real_of(file), offset, amount, out);
}

// Version 3, as the default VFS's database files are: shared memory (WAL) and the map.
const sqlite3_io_methods mapped_methods = {
    3,
    mapped_close,
    mapped_read,
    mapped_write,
    mapped_truncate,
    mapped_sync,
    mapped_file_size,
    mapped_lock,
    mapped_unlock,
    mapped_check_reserved_lock,
    mapped_file_control,
    mapped_sector_size,
    mapped_device_characteristics,
    mapped_shm_map,
    mapped_shm_lock,
    mapped_shm_barrier,
    mapped_shm_unmap,
    mapped_fetch,
    mapped_unfetch,
};

int mapped_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
                int* out_flags) noexcept {
  sqlite3_vfs* real = real_vfs(vfs);
  if ((flags & SQLITE_OPEN_WAL) != 0) return open_wal(vfs, name, file, flags, out_flags);
  if ((flags & SQLITE_OPEN_MAIN_DB) == 0) return real->xOpen(real, name, file, flags, out_flags);
  auto* f = reinterpret_cast<MappedFile*>(file);
  f->map_extent = -1;
  if (const int rc = open_inner(real, name, file, mapped_real_offset, flags, out_flags, &f->real);
      rc != SQLITE_OK)
    return rc;
  // Methods without the map or shared memory (never the unix VFS's): the default VFS's file is
  // opened again, straight into the memory SQLite gave, and used as it is.
  if (f->real->pMethods->iVersion < 3) {
    f->real->pMethods->xClose(f->real);
    return real->xOpen(real, name, file, flags, out_flags);
  }
  f->base.pMethods = &mapped_methods;
  return SQLITE_OK;
}

using OpenFn = int (*)(sqlite3_vfs*, const char*, sqlite3_file*, int, int*) noexcept;

struct Behaviour {
  bool buffer_writes, fsync_commits, map_reads;
};

void fill(Batching& b, sqlite3_vfs* real, const char* name, OpenFn open, int file_bytes,
          Behaviour behaviour) noexcept {
  sqlite3_vfs& v = b.vfs;
  // Up to xCurrentTimeInt64 at most: no system-call overrides through this one.
  v.iVersion = real->iVersion >= 2 ? 2 : 1;
  v.szOsFile = file_bytes + real->szOsFile;
  v.mxPathname = real->mxPathname;
  v.zName = name;
  v.pAppData = real;
  v.xOpen = open;
  v.xDelete = batching_delete;
  v.xAccess = batching_access;
  v.xFullPathname = batching_full_pathname;
  v.xDlOpen = batching_dl_open;
  v.xDlError = batching_dl_error;
  v.xDlSym = batching_dl_sym;
  v.xDlClose = batching_dl_close;
  v.xRandomness = batching_randomness;
  v.xSleep = batching_sleep;
  v.xCurrentTime = batching_current_time;
  v.xGetLastError = batching_get_last_error;
  v.xCurrentTimeInt64 = real->iVersion >= 2 ? batching_current_time_int64 : nullptr;
  b.buffer_writes = behaviour.buffer_writes;
  b.fsync_commits = behaviour.fsync_commits;
  b.map_reads = behaviour.map_reads;
}

// Each wrapper twice: over the default VFS, and over "unix-excl" (exclusive = true). The
// writer's: [map_reads][fsync_commits].
struct Wrappers {
  Batching writer[2][2]{}, mapped{};
  bool registered = false;
};
Wrappers wrappers[2];

// The wrappers' names, by [exclusive]: the writer's by [map_reads][fsync_commits], and the
// read connections'.
constexpr const char* writer_names[2][2][2] = {
    {{"hearth-wal-batching", "hearth-wal-batching-full"},
     {"hearth-wal-batching-mapped", "hearth-wal-batching-full-mapped"}},
    {{"hearth-wal-batching-excl", "hearth-wal-batching-full-excl"},
     {"hearth-wal-batching-mapped-excl", "hearth-wal-batching-full-mapped-excl"}}};
constexpr const char* mapped_names[2] = {"hearth-kept-map", "hearth-kept-map-excl"};

// Registers both sets, once. A set whose base VFS is missing stays unregistered.
void register_wrappers() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    for (const int exclusive : {0, 1}) {
      sqlite3_vfs* real = sqlite3_vfs_find(exclusive != 0 ? "unix-excl" : nullptr);
      if (real == nullptr || real->iVersion < 1) continue;
      Wrappers& w = wrappers[exclusive];
      bool ok = true;
      for (const int map_reads : {0, 1}) {
        for (const int full : {0, 1}) {
          Batching& b = w.writer[map_reads][full];
          fill(b, real, writer_names[exclusive][map_reads][full], batching_open,
               static_cast<int>(real_offset), {true, full != 0, map_reads != 0});
          ok = ok && sqlite3_vfs_register(&b.vfs, 0) == SQLITE_OK;
        }
      }
      // Its files: a database file (MappedFile) or a WAL file (WalFile), whichever is larger.
      constexpr std::size_t file_bytes =
          mapped_real_offset > real_offset ? mapped_real_offset : real_offset;
      fill(w.mapped, real, mapped_names[exclusive], mapped_open, static_cast<int>(file_bytes),
           {false, false, true});
      w.registered = ok && sqlite3_vfs_register(&w.mapped.vfs, 0) == SQLITE_OK;
    }
  });
}

}  // namespace

const char* wal_batching_vfs(WalSync sync, bool exclusive, bool map_reads) noexcept {
  register_wrappers();
  const Wrappers& w = wrappers[exclusive ? 1 : 0];
  if (!w.registered) return nullptr;
  return w.writer[map_reads ? 1 : 0][sync == WalSync::full ? 1 : 0].vfs.zName;
}

const char* kept_map_vfs(bool exclusive) noexcept {
  register_wrappers();
  const Wrappers& w = wrappers[exclusive ? 1 : 0];
  return w.registered ? w.mapped.vfs.zName : nullptr;
}

}  // namespace hearth::sqlite::detail
