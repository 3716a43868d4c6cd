// The SQLite storage adapter: hearth::Storage on one SQLite database file.
//
// The file is opened in WAL mode. Write transactions run on a single writer connection, one at
// a time (BEGIN IMMEDIATE ... COMMIT); read transactions run on a pool of reader connections,
// each seeing one snapshot, and never wait for the writer. A thread of the storage's own copies
// the WAL back into the database file (SqliteOptions::background_checkpoint). The schema is
// plain and normalised (members, spaces, memberships, roles, role_assignments, overrides, bans,
// invites, join_requests, threads, thread_tags, posts, revisions, reactions, notifications,
// read_markers, events, reputation_ledger, reputation_totals, member_activity, activity_days,
// threads_entered), so the sqlite3 shell can query it; its version is kept in PRAGMA
// user_version.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hearth/error.hpp"
#include "hearth/storage/storage.hpp"

namespace hearth::sqlite {

// PRAGMA synchronous of the connections. In WAL mode `normal` loses no integrity on a crash,
// only the last transactions before a power loss; `full` syncs the WAL on every commit.
enum class Synchronous : std::uint8_t { off, normal, full };

struct SqliteOptions {
  std::string path;  // the database file; created if absent. ":memory:" and "" are refused.
  Synchronous synchronous = Synchronous::normal;
  unsigned readers = 4;        // max pooled read connections (opened lazily); 0 counts as 1
  int busy_timeout_ms = 5000;  // how long a connection waits for a lock held by another process
  // The WAL is copied back into the database file (a checkpoint, with its fsyncs) once it
  // holds this many pages. Larger means fewer syncs per write and a larger WAL file.
  int wal_autocheckpoint_pages = 8000;
  // true: checkpoints run on a thread of the storage's own, with a connection of their own, so
  // that no commit waits for the checkpoint's writes and syncs; a commit runs one itself only
  // when the WAL has grown to 4 times wal_autocheckpoint_pages (the thread falling behind, or
  // unable to open its connection). false: the committing call runs the checkpoint, as
  // SQLite's PRAGMA wal_autocheckpoint does. Durability is the same either way: a commit is in
  // the WAL, synced as `synchronous` says, before the call returns. The thread blocks every
  // signal, so a host's signal handling (sigwait on a thread of its own) is not disturbed.
  bool background_checkpoint = true;
  // PRAGMA mmap_size of every connection: reads map this much of the file instead of copying
  // pages through read() calls. With it, pages read from the WAL are copied from a map of the
  // WAL too, and the writer's map follows the file as checkpoints grow it. Mapped pages count
  // in the process's resident size (they are the OS's file cache, shared and reclaimable).
  // 0 turns it all off (for file systems where mmap is unreliable, or a memory bound).
  std::int64_t mmap_size = std::int64_t{1} << 30;
  // true: the writer gathers each commit's WAL frames and writes them with one write() call,
  // where SQLite makes two per page (a frame header and the page). Durability is the same
  // (`synchronous` as set); only the number of system calls changes. false: SQLite's own
  // writes, for comparison.
  bool batch_wal_writes = true;
  // true (with mmap_size > 0): a read connection keeps its map of the database file across
  // other connections' commits. SQLite drops the whole map at the first read after a commit,
  // and the pages a read touches must then be faulted in again, which under a steady writer is
  // most of a read's cost. The map is dropped only when the file's size changed (a checkpoint
  // grew or truncated it). What a read returns is the same either way. false: SQLite's own
  // behaviour, for comparison.
  bool keep_read_maps = true;
  // Posts are indexed for search in batches of this many: index_post keeps the text in a table
  // of its own (search_pending), and the commit that finds this many there moves them all into
  // the full-text index. FTS5 writes (and later merges) a segment per transaction that indexed
  // anything, which for one post costs more than the rest of its rows. search_posts matches
  // the waiting posts too, so results are the same either way. 0 or 1: each post is indexed
  // in its own transaction.
  std::uint32_t search_index_batch = 64;
  // true: this process has the database to itself while the storage is open. The first
  // connection takes an exclusive lock on the file and keeps it (SQLite's "unix-excl" VFS), so
  // other processes cannot read or write it (they get SQLITE_BUSY; open_storage in another
  // process fails with errc::unavailable); the storage's own connections then coordinate in
  // memory, without a file-lock system call per transaction, and the WAL index lives in heap
  // memory instead of a -shm file. Other connections this process opens itself still work.
  // false: any process may open the file beside this one (the sqlite3 shell, a backup tool).
  bool exclusive = false;
};

// Opens the database at options.path, creating the file and the schema or migrating an older
// schema to `schema_version`. Never throws: errc::storage_error when the file cannot be opened,
// is not a hearth database, or holds a schema newer than this build knows; errc::unavailable
// when another process keeps it locked past the busy timeout.
//
// The returned storage is thread-safe as Storage requires. A transaction keeps its connection
// until it is destroyed: a write transaction holds off the next writer until then, even after
// its commit(), so a caller can finish post-commit work in commit order. One thread MUST NOT
// hold a read transaction while beginning another when all `readers` connections may be in
// use: begin waits for a free reader connection.
result<std::shared_ptr<Storage>> open_storage(const SqliteOptions& options);

// The schema version this build writes (PRAGMA user_version of the database).
// 1: members, spaces, memberships, threads, posts, revisions, reactions, events.
// 2: spaces' join policy and member cap; roles and overrides; bans, invites, join requests.
// 3: threads' kind, pinned/locked/archived flags, accepted answer, participant and reaction
//    counts; listings by pinned and of unanswered questions.
// 4: spaces' reaction rules; post_search, the full-text index of posts (FTS5), in which posts
//    stored at 3 are indexed when an Engine first opens the upgraded file; notifications and
//    read markers; memberships by member, posts by space.
// 5: a post's reaction counts in its row (posts.reactions), reactions keyed by (post, kind,
//    member); fewer pages written per reaction.
// 6: reputation: the ledger (reputation_ledger, indexed by member, post, thread and
//    (source, member)) and the totals (reputation_totals).
// 7: trust levels: member_activity, activity_days by (member, day), threads_entered.
// 8: badges: badge_grants (unique (member, badge, post, ordinal), by (member, id)),
//    badge_progress by (member, counter), helpful_replies by (post, kind).
// 9: the moderation audit log: audit_log by (space, id), (target_member, id), (actor, id).
// 10: reports (the open ones unique by (reporter, target_member, post), by (item, id) and
//     (reporter, id)) and review_items (the undecided ones unique by (space, target_member,
//     post), and in queue order by (space, weight DESC, id)).
// 11: sanctions by (member, id), and those that can be in force by (member, id).
// 12: moderator_notes by (space, member, id).
// 13: automod_rules, one per space (0: the community's).
// 14: members.erased_at (member erasure), member_created and member_updated events by actor.
// 15: search_pending, the posts' search text waiting for the next batch into post_search.
// 16: reputation_totals keyed (scope, member, window), by (scope, window, member) in an index.
inline constexpr int schema_version = 16;

}  // namespace hearth::sqlite
