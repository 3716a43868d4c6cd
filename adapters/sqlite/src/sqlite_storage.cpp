#include "hearth/sqlite/sqlite_storage.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "wal_vfs.hpp"

namespace hearth::sqlite {
namespace {

// --- schema ------------------------------------------------------------------------------
// Ids are stored as INTEGER: they stay below 2^63 (42-bit millisecond timestamps on top), so
// the int64 cast is lossless and keeps their order. "No id" (0) is NULL where a column may be
// empty (spaces.parent_id, posts.reply_to, events.space_id, events.actor_id,
// role_assignments.granted_by, bans.issuer_id, invites.creator_id, threads.accepted_answer).
// Enums are stored as their numeric values, Permissions as their bits. The comments below are
// kept by SQLite in sqlite_schema.sql.

constexpr const char* schema_v1 = R"sql(
CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  handle TEXT NOT NULL COLLATE NOCASE UNIQUE,  -- unique ASCII case-insensitively
  display_name TEXT NOT NULL,
  external_ref TEXT UNIQUE,                    -- NULL when the host has no key for it
  bio TEXT NOT NULL,
  created_at INTEGER NOT NULL,                 -- Unix ms
  active INTEGER NOT NULL                      -- 0 once deactivated
);

CREATE TABLE spaces (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES spaces (id),    -- NULL for a root
  kind INTEGER NOT NULL,                 -- 0 community 1 forum 2 category 3 guild 4 channel
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  visibility INTEGER NOT NULL,                 -- 0 public, 1 private, 2 secret
  owner_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  member_count INTEGER NOT NULL,
  thread_count INTEGER NOT NULL
);
CREATE INDEX spaces_by_parent ON spaces (parent_id, id);

CREATE TABLE memberships (
  space_id INTEGER NOT NULL REFERENCES spaces (id),
  member_id INTEGER NOT NULL REFERENCES members (id),
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (space_id, member_id)
) WITHOUT ROWID;

CREATE TABLE threads (
  id INTEGER PRIMARY KEY,
  space_id INTEGER NOT NULL REFERENCES spaces (id),
  author_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  first_post INTEGER NOT NULL,                 -- no FK: the thread is stored before its first post
  last_post INTEGER NOT NULL,                  -- the newest post: listings order by it
  created_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  reply_count INTEGER NOT NULL,
  deleted INTEGER NOT NULL
);
-- Scanned backwards for "most recent activity first" (ties by id, descending).
CREATE INDEX threads_by_activity ON threads (space_id, last_post) WHERE deleted = 0;

CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  thread_id INTEGER NOT NULL REFERENCES threads (id),
  space_id INTEGER NOT NULL,
  author_id INTEGER NOT NULL,
  reply_to INTEGER,                            -- NULL for the first post of a thread
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  edited_at INTEGER NOT NULL,                  -- 0 when never edited
  revision INTEGER NOT NULL,
  deleted INTEGER NOT NULL
);
CREATE INDEX posts_by_thread ON posts (thread_id, id);

CREATE TABLE revisions (
  post_id INTEGER NOT NULL REFERENCES posts (id),
  number INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  editor_id INTEGER NOT NULL,
  written_at INTEGER NOT NULL,
  PRIMARY KEY (post_id, number)
) WITHOUT ROWID;

CREATE TABLE reactions (
  post_id INTEGER NOT NULL REFERENCES posts (id),
  member_id INTEGER NOT NULL REFERENCES members (id),
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (post_id, member_id, kind)
) WITHOUT ROWID;

-- One row per (post, kind) with at least one reaction; thread_id lets a thread page read the
-- counts of a range of its posts in one query.
CREATE TABLE reaction_counts (
  post_id INTEGER NOT NULL REFERENCES posts (id),
  thread_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (post_id, kind)
) WITHOUT ROWID;
CREATE INDEX reaction_counts_by_thread ON reaction_counts (thread_id, post_id);

-- The event log. seq is the rowid, assigned as MAX(seq) + 1 (no AUTOINCREMENT), so a
-- rolled-back append leaves no gap.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  type INTEGER NOT NULL,                       -- hearth::EventType value
  space_id INTEGER,                            -- NULL for community-wide events
  actor_id INTEGER,
  at INTEGER NOT NULL,
  payload TEXT NOT NULL                        -- JSON object
);
)sql";

// Version 2: spaces get a join policy and a member cap; roles, their assignments and
// overrides; bans, invites and join requests. Role ids in role_assignments and overrides have
// no foreign key: the built-in roles (ids 1..5) are assigned and overridden but not stored.
// The space and member columns of the new tables have none either, as the contract checks
// nothing there (only roles.space_id, as insert_role's space must exist).
constexpr const char* schema_v2 = R"sql(
ALTER TABLE spaces ADD COLUMN join_policy INTEGER NOT NULL DEFAULT 0;  -- 0 open 1 request 2 invite
ALTER TABLE spaces ADD COLUMN member_cap INTEGER NOT NULL DEFAULT 0;   -- 0: no cap

CREATE TABLE roles (
  id INTEGER PRIMARY KEY,
  space_id INTEGER NOT NULL REFERENCES spaces (id),  -- where it is defined
  name TEXT NOT NULL,
  permissions INTEGER NOT NULL,                -- hearth::Permissions bits
  rank INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX roles_by_space ON roles (space_id, id);

CREATE TABLE role_assignments (
  space_id INTEGER NOT NULL,
  member_id INTEGER NOT NULL,
  role_id INTEGER NOT NULL,                    -- a custom or a built-in role: no FK
  granted_by INTEGER,                          -- NULL when no member granted it
  granted_at INTEGER NOT NULL,
  PRIMARY KEY (space_id, member_id, role_id)
) WITHOUT ROWID;
CREATE INDEX role_assignments_by_role ON role_assignments (role_id);  -- delete_role's cascade

CREATE TABLE overrides (
  space_id INTEGER NOT NULL,
  role_id INTEGER NOT NULL,                    -- a custom or a built-in role: no FK
  allow INTEGER NOT NULL,                      -- hearth::Permissions bits
  deny INTEGER NOT NULL,
  PRIMARY KEY (space_id, role_id)
) WITHOUT ROWID;
CREATE INDEX overrides_by_role ON overrides (role_id);  -- delete_role's cascade

CREATE TABLE bans (
  space_id INTEGER NOT NULL,
  member_id INTEGER NOT NULL,
  issuer_id INTEGER,                           -- NULL when no member issued it
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,                 -- 0: until lifted
  PRIMARY KEY (space_id, member_id)
) WITHOUT ROWID;

CREATE TABLE invites (
  code TEXT NOT NULL COLLATE BINARY PRIMARY KEY,  -- compared and ordered byte for byte
  space_id INTEGER NOT NULL,
  creator_id INTEGER,                          -- NULL when no member created it
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,                 -- 0: never expires
  max_uses INTEGER NOT NULL,                   -- 0: unlimited
  uses INTEGER NOT NULL,
  revoked INTEGER NOT NULL                     -- 1 once revoked
) WITHOUT ROWID;
CREATE INDEX invites_by_space ON invites (space_id, code);

CREATE TABLE join_requests (
  space_id INTEGER NOT NULL,
  member_id INTEGER NOT NULL,
  message TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (space_id, member_id)
) WITHOUT ROWID;
)sql";

// Version 3: threads get a kind, pin/lock/archive flags, an accepted answer and their
// participant and reaction counters. Listings split pinned threads from the others (and may
// want only the unanswered questions), so the activity index leads with (space_id, pinned);
// a second, smaller partial index holds only the unanswered questions. posts_by_author answers
// has_posted without reading the posts of the thread.
//
// Spaces and threads get their tags, a sorted list kept in one TEXT column (see encode_tags):
// each tag followed by a comma, with every comma and backslash inside a tag escaped by a
// backslash. The empty list is ''; ['pvp', 'raid'] is 'pvp,raid,'; [''] is ','; ['a,b'] is
// 'a\,b,'. Any bytes round-trip. thread_tags holds one row per (thread, tag) for the tag
// listings, kept in step with threads.tags by insert_thread and update_thread.
constexpr const char* schema_v3 = R"sql(
ALTER TABLE threads ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;      -- hearth::ThreadKind value
ALTER TABLE threads ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;    -- 1: listed apart, first
ALTER TABLE threads ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;    -- 1: no new replies
ALTER TABLE threads ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;  -- 1: read-only
ALTER TABLE threads ADD COLUMN accepted_answer INTEGER;  -- NULL when none; no FK, as first_post
ALTER TABLE threads ADD COLUMN answered_by_peer INTEGER NOT NULL DEFAULT 0;   -- 1: by a peer
ALTER TABLE threads ADD COLUMN participant_count INTEGER NOT NULL DEFAULT 1;  -- distinct posters
ALTER TABLE threads ADD COLUMN reaction_count INTEGER NOT NULL DEFAULT 0;     -- on all its posts

DROP INDEX threads_by_activity;
-- Scanned backwards for "most recent activity first" (ties by id, descending), the pinned
-- threads apart from the others.
CREATE INDEX threads_by_pin_activity ON threads (space_id, pinned, last_post) WHERE deleted = 0;
-- The same for the questions with no accepted answer only.
CREATE INDEX threads_unanswered ON threads (space_id, pinned, last_post)
  WHERE deleted = 0 AND kind = 1 AND accepted_answer IS NULL;

CREATE INDEX posts_by_author ON posts (thread_id, author_id);  -- has_posted

ALTER TABLE posts ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;  -- 1: removed by a moderator
ALTER TABLE posts ADD COLUMN removal_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN removed_by INTEGER;                  -- NULL when not removed

-- list_reactions: who reacted to a post with one kind, by member.
CREATE INDEX reactions_by_kind ON reactions (post_id, kind, member_id);

ALTER TABLE spaces ADD COLUMN tags TEXT NOT NULL DEFAULT '';   -- the tag vocabulary, encoded
ALTER TABLE threads ADD COLUMN tags TEXT NOT NULL DEFAULT '';  -- its tags, encoded

-- A thread's tags, one row each (deleted threads included), compared byte for byte.
CREATE TABLE thread_tags (
  thread_id INTEGER NOT NULL REFERENCES threads (id),
  tag TEXT NOT NULL COLLATE BINARY,
  PRIMARY KEY (thread_id, tag)
) WITHOUT ROWID;
CREATE INDEX thread_tags_by_tag ON thread_tags (tag, thread_id);  -- the tag listings
)sql";

// Version 4. Each feature adds its own block (search, reactions, the inbox).
//
// [search] Full-text search over posts. post_search holds one row per indexed post, its rowid
// the post id: the engine's tokens of the thread title (first posts only) and of the body,
// joined by single spaces (hearth::SearchDoc). The ascii tokenizer splits them exactly there
// (a token holds only ASCII letters and digits, lower-cased, and non-ASCII bytes), so the
// index sees the engine's tokens unchanged and both adapters find the same posts. Post state,
// space, author, time and the thread's tags and deletion are joined from posts and threads at
// query time, so only a change of the text rewrites a row. Posts stored at v3 have no row:
// the migration leaves a marker in search_backfill, list_unindexed_posts then lists them (the
// engine indexes them when it opens), and the first write transaction that finds none left
// clears the marker, after which the list is empty at no cost.
constexpr const char* schema_v4 = R"sql(
-- [search] begin
-- columnsize = 0: no per-row size table (hearth_score needs none); pgsz 1000: FTS5 leaves fit
-- the 1 KiB database pages. Both cut the pages each post's commit writes (W1 posts +9%).
CREATE VIRTUAL TABLE post_search USING fts5 (title, body, tokenize = 'ascii', columnsize = 0);
INSERT INTO post_search (post_search, rank) VALUES ('pgsz', 1000);
CREATE TABLE search_backfill (pending INTEGER NOT NULL);  -- one row while v3 posts wait
INSERT INTO search_backfill (pending) SELECT 1 WHERE EXISTS (SELECT 1 FROM posts);
-- [search] end

-- [reactions] Spaces get their reaction rules (Space::reaction_kinds, no_self_reaction),
-- encoded as tags are; '' inherits.
ALTER TABLE spaces ADD COLUMN reaction_kinds TEXT NOT NULL DEFAULT '';
ALTER TABLE spaces ADD COLUMN no_self_reaction TEXT NOT NULL DEFAULT '';

-- === notifications and read markers (the inbox) ===================================
-- A member's inbox. Ids are the engine's time-ordered ids, so id order is recency: a bumped
-- reaction aggregate is rewritten under a new id. No foreign keys: the contract stores
-- notifications as given.
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  recipient_id INTEGER NOT NULL,
  kind INTEGER NOT NULL,                       -- hearth::NotificationKind value (4: reaction)
  space_id INTEGER NOT NULL,
  thread_id INTEGER NOT NULL,
  post_id INTEGER NOT NULL,
  actor_id INTEGER,                            -- NULL when no member
  count INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  is_read INTEGER NOT NULL                     -- 1 once read
);
-- The inbox, newest first.
CREATE INDEX notifications_by_recipient ON notifications (recipient_id, id);
-- The unread part: the unread-only listing, marking read, and the counts per space.
CREATE INDEX notifications_unread ON notifications (recipient_id, id, space_id) WHERE is_read = 0;
-- The open reaction aggregate of (recipient, post).
CREATE INDEX notifications_open_reactions ON notifications (recipient_id, post_id, id)
  WHERE is_read = 0 AND kind = 4;

-- How far each member has read each space: posts with id <= last_read are not new to them.
CREATE TABLE read_markers (
  member_id INTEGER NOT NULL,
  space_id INTEGER NOT NULL,
  last_read INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (member_id, space_id)
) WITHOUT ROWID;

-- list_member_spaces: the spaces of one member.
CREATE INDEX memberships_by_member ON memberships (member_id, space_id);
-- count_posts_after: a range of one space's posts, the filtered columns included so that the
-- count reads the index only.
CREATE INDEX posts_by_space ON posts (space_id, id, author_id, deleted, removed);
-- === end of notifications and read markers =========================================
)sql";

// Version 5 writes fewer pages per reaction and per join (W1).
//
// [reactions] A post's counts per kind move into its row (posts.reactions: kind, count, kind,
// count, ... encoded as tags are, by kind), where a thread page reads them with the posts; the
// reaction_counts table and its index go. reactions is keyed (post_id, kind, member_id), the
// order list_reactions reads, which makes reactions_by_kind redundant.
constexpr const char* schema_v5 = R"sql(
-- [reactions] begin
ALTER TABLE posts ADD COLUMN reactions TEXT NOT NULL DEFAULT '';
UPDATE posts SET reactions = (
  SELECT group_concat(entry, '') FROM (
    SELECT replace(replace(kind, '\', '\\'), ',', '\,') || ',' || count || ',' AS entry
    FROM reaction_counts WHERE post_id = posts.id AND count > 0 ORDER BY kind))
WHERE id IN (SELECT post_id FROM reaction_counts WHERE count > 0);
DROP TABLE reaction_counts;

CREATE TABLE reactions_v5 (
  post_id INTEGER NOT NULL REFERENCES posts (id),
  kind TEXT NOT NULL,
  member_id INTEGER NOT NULL REFERENCES members (id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (post_id, kind, member_id)
) WITHOUT ROWID;
INSERT INTO reactions_v5 (post_id, kind, member_id, created_at)
  SELECT post_id, kind, member_id, created_at FROM reactions;
DROP TABLE reactions;
ALTER TABLE reactions_v5 RENAME TO reactions;
-- [reactions] end

-- [search] The index keeps no copy of the text (content = ''): a post's row in post_search was
-- a second copy of its tokens, a page written per post. Without it a row can no longer be read
-- back, so unindex_post is given the text to remove, and list_unindexed_posts cannot ask the
-- index what it holds: search_backfill now says up to which post (through) the posts stored
-- before the table was made wait, and up to which (done) they are indexed. The v4 table is
-- dropped, and every post is indexed again when an engine opens the file. pgsz 960: a leaf fits
-- a 1 KiB page whole (at 1000 it spilled into an overflow page).
DROP TABLE post_search;
CREATE VIRTUAL TABLE post_search USING fts5 (
  title, body, tokenize = 'ascii', columnsize = 0, content = '');
INSERT INTO post_search (post_search, rank) VALUES ('pgsz', 960);
DROP TABLE search_backfill;
CREATE TABLE search_backfill (
  through INTEGER NOT NULL,                    -- the newest post stored before: the last to index
  done INTEGER NOT NULL                        -- every live post with id <= done is indexed
);
INSERT INTO search_backfill (through, done) SELECT MAX(id), 0 FROM posts HAVING COUNT(*) > 0;

-- [inbox] Each member's inbox is kept together: notifications is keyed (recipient_id, id), which
-- is also the inbox's order, so notifications_by_recipient goes, and a bumped reaction
-- aggregate (deleted and written again under a new id) stays within its recipient's pages.
CREATE TABLE notifications_v5 (
  recipient_id INTEGER NOT NULL,
  id INTEGER NOT NULL,
  kind INTEGER NOT NULL,                       -- hearth::NotificationKind value (4: reaction)
  space_id INTEGER NOT NULL,
  thread_id INTEGER NOT NULL,
  post_id INTEGER NOT NULL,
  actor_id INTEGER,                            -- NULL when no member
  count INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  is_read INTEGER NOT NULL,                    -- 1 once read
  PRIMARY KEY (recipient_id, id)
) WITHOUT ROWID;
INSERT INTO notifications_v5 (recipient_id, id, kind, space_id, thread_id, post_id, actor_id,
                              count, created_at, updated_at, is_read)
  SELECT recipient_id, id, kind, space_id, thread_id, post_id, actor_id, count, created_at,
         updated_at, is_read FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_v5 RENAME TO notifications;
-- The unread part: the unread-only listing, marking read, and the counts per space.
CREATE INDEX notifications_unread ON notifications (recipient_id, id, space_id) WHERE is_read = 0;
-- The open reaction aggregate of (recipient, post); the key's id follows.
CREATE INDEX notifications_open_reactions ON notifications (recipient_id, post_id)
  WHERE is_read = 0 AND kind = 4;

-- [inbox] A membership carries where its reading starts (Membership::read_from), so that
-- joining writes no read marker; NULL: from the time of joining.
ALTER TABLE memberships ADD COLUMN read_from INTEGER;
)sql";

// Version 6: reputation (docs/reputation.md). The ledger is append-only; its ids are the
// engine's time-ordered ids, so id order is the order entries were written. "No id" is 0 here,
// not NULL: no column has a foreign key (the contract stores entries and totals as given), and
// every listing names a key by equality. Each listing walks one index, as
// list_reputation_entries picks it: the post's entries, else the thread's, else those of
// (source, member), else the member's, else the whole ledger by id.
constexpr const char* schema_v6 = R"sql(
CREATE TABLE reputation_ledger (
  id INTEGER PRIMARY KEY,
  member INTEGER NOT NULL,                     -- whose points move
  scope INTEGER NOT NULL,                      -- the space whose rules applied; 0: community
  delta INTEGER NOT NULL,
  reason INTEGER NOT NULL,                     -- hearth::ReputationReason value
  note TEXT NOT NULL,
  post INTEGER NOT NULL,                       -- 0 when about no post
  thread INTEGER NOT NULL,                     -- 0 when about no thread
  source INTEGER NOT NULL,                     -- who caused it; 0 when no member
  at INTEGER NOT NULL,                         -- Unix ms
  counts_at INTEGER NOT NULL,                  -- the time whose windows it counts in
  reverses INTEGER NOT NULL,                   -- the entry reversed or restored; 0 when none
  capped INTEGER NOT NULL                      -- 1: counts towards the daily cap
);
CREATE INDEX reputation_ledger_by_member ON reputation_ledger (member, id);
-- Awards are about no post: they are left out (a listing by post names post != 0).
CREATE INDEX reputation_ledger_by_post ON reputation_ledger (post, id) WHERE post != 0;
CREATE INDEX reputation_ledger_by_thread ON reputation_ledger (thread, id);
CREATE INDEX reputation_ledger_by_source ON reputation_ledger (source, member, id);

-- A member's total in one scope and one window ("all", "week:2026-11-23", ...), as the engine
-- projects it from the ledger. Leaderboards page through it in key order, windows compared
-- byte for byte.
CREATE TABLE reputation_totals (
  scope INTEGER NOT NULL,                      -- 0: the whole community
  window TEXT NOT NULL COLLATE BINARY,
  member INTEGER NOT NULL,
  points INTEGER NOT NULL,
  PRIMARY KEY (scope, window, member)
) WITHOUT ROWID;
)sql";

// Version 7: trust levels (docs/trust.md). A member's activity is one row; the day rows are
// keyed (member, day) so that level 3's trailing window sums a range of the key; threads
// entered are a set. Counts are stored as given: the engine keeps them in step.
constexpr const char* schema_v7 = R"sql(
CREATE TABLE member_activity (
  member INTEGER PRIMARY KEY,
  days_visited INTEGER NOT NULL,
  last_visit INTEGER NOT NULL,                 -- Unix ms; 0: never
  threads_entered INTEGER NOT NULL,
  posts_read INTEGER NOT NULL,
  read_ms INTEGER NOT NULL,
  reactions_given INTEGER NOT NULL,
  reactions_received INTEGER NOT NULL,
  replies INTEGER NOT NULL,
  threads_created INTEGER NOT NULL,
  flags_against INTEGER NOT NULL,
  level INTEGER NOT NULL,                      -- 0..4
  level_by_hand INTEGER NOT NULL               -- 1: pinned by the host
);

CREATE TABLE activity_days (
  member INTEGER NOT NULL,
  day INTEGER NOT NULL,                        -- days since 1970-01-01, UTC
  visited INTEGER NOT NULL,
  threads_entered INTEGER NOT NULL,
  posts_read INTEGER NOT NULL,
  read_ms INTEGER NOT NULL,
  reactions_given INTEGER NOT NULL,
  reactions_received INTEGER NOT NULL,
  replies INTEGER NOT NULL,
  PRIMARY KEY (member, day)
) WITHOUT ROWID;

CREATE TABLE threads_entered (
  member INTEGER NOT NULL,
  thread INTEGER NOT NULL,
  PRIMARY KEY (member, thread)
) WITHOUT ROWID;
)sql";

// Version 8: badges (docs/badges.md). Grants take their ids from the rowid, in insertion order
// (no row is ever deleted, so a new id is above every earlier one). The unique index is the
// contract's key and also serves the count of one member's grants of one badge; a member's
// listing walks badge_grants_by_member. Progress counters and helpful marks are keyed sets.
constexpr const char* schema_v8 = R"sql(
CREATE TABLE badge_grants (
  id INTEGER PRIMARY KEY,
  member INTEGER NOT NULL,
  badge TEXT NOT NULL COLLATE BINARY,          -- the rule's name
  post INTEGER NOT NULL,                       -- 0: about no post
  ordinal INTEGER NOT NULL,                    -- 1, 2, ... for repeats
  at INTEGER NOT NULL                          -- Unix ms
);
CREATE UNIQUE INDEX badge_grants_key ON badge_grants (member, badge, post, ordinal);
CREATE INDEX badge_grants_by_member ON badge_grants (member, id);

CREATE TABLE badge_progress (
  member INTEGER NOT NULL,
  counter TEXT NOT NULL COLLATE BINARY,        -- "accepted_answers", "helpful_replies:+1"
  value INTEGER NOT NULL,
  PRIMARY KEY (member, counter)
) WITHOUT ROWID;

CREATE TABLE helpful_replies (
  post INTEGER NOT NULL,
  kind TEXT NOT NULL COLLATE BINARY,           -- the reaction kind that made it helpful
  PRIMARY KEY (post, kind)
) WITHOUT ROWID;
)sql";

// Version 9: the moderation audit log (docs/moderation.md, "Audit log"). Append-only: the
// adapter has no statement that updates or deletes a row. Ids come from the rowid (no row is
// ever deleted, so a new id is above every earlier one). Each query path is one index walked by
// id descending: a space's entries, a target member's, an acting member's; the period and the
// other filters are checked on the rows walked, and a listing by period alone walks the rowid.
constexpr const char* schema_v9 = R"sql(
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  space INTEGER NOT NULL,                      -- 0: community-wide
  actor_kind INTEGER NOT NULL,                 -- AuditActorKind
  actor INTEGER NOT NULL,                      -- the acting member; 0 for host, rule, classifier
  actor_name TEXT NOT NULL,                    -- the rule's or classifier's name
  action INTEGER NOT NULL,                     -- AuditAction
  target_member INTEGER NOT NULL,              -- 0: none
  post INTEGER NOT NULL,
  thread INTEGER NOT NULL,
  role INTEGER NOT NULL,
  reason TEXT NOT NULL,
  matched TEXT NOT NULL,
  detail TEXT NOT NULL,
  at INTEGER NOT NULL                          -- Unix ms
);
CREATE INDEX audit_log_by_space ON audit_log (space, id);
CREATE INDEX audit_log_by_target ON audit_log (target_member, id);
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
)sql";

// Version 10: reports and the review queue (docs/moderation.md, "Reports and the review
// queue"). Ids come from the engine. Partial indexes keep only what is open: a reporter's open
// report per target (unique), and the undecided items, one per target and space (unique) and in
// queue order, so the queue costs its page, not the space's history.
constexpr const char* schema_v10 = R"sql(
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  reporter INTEGER NOT NULL,
  space INTEGER NOT NULL,
  target_member INTEGER NOT NULL,
  post INTEGER NOT NULL,                       -- 0: a report about the member
  reason INTEGER NOT NULL,                     -- ReportReason
  note TEXT NOT NULL,
  weight INTEGER NOT NULL,
  item INTEGER NOT NULL,
  status INTEGER NOT NULL,                     -- ReportStatus; 0: open
  created_at INTEGER NOT NULL,
  decided_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX reports_open ON reports (reporter, target_member, post) WHERE status = 0;
CREATE INDEX reports_by_item ON reports (item, id);
CREATE INDEX reports_by_reporter ON reports (reporter, id);

CREATE TABLE review_items (
  id INTEGER PRIMARY KEY,
  space INTEGER NOT NULL,
  source INTEGER NOT NULL,                     -- ReviewSource
  target_member INTEGER NOT NULL,
  post INTEGER NOT NULL,                       -- 0: an item about the member
  weight INTEGER NOT NULL,
  reports INTEGER NOT NULL,
  hidden INTEGER NOT NULL,
  claimed_by INTEGER NOT NULL,
  claimed_until INTEGER NOT NULL,
  decided INTEGER NOT NULL,
  decision INTEGER NOT NULL,                   -- ReviewAction
  decided_by INTEGER NOT NULL,
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  decided_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX review_items_open ON review_items (space, target_member, post)
  WHERE decided = 0;
CREATE INDEX review_queue ON review_items (space, weight DESC, id) WHERE decided = 0;
)sql";

// Version 11: sanctions (docs/moderation.md, "Sanctions"): warnings, timeouts, suspensions and
// community-wide bans, kept for the member's record (a revocation sets revoked_at/revoked_by; no
// row is deleted). Ids are the engine's. A member's record is walked by (member, id); the
// sanctions in force by a partial index over those that can be (not revoked, not a warn), which
// the standing of every member who acts reads.
constexpr const char* schema_v11 = R"sql(
CREATE TABLE sanctions (
  id INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,                       -- SanctionKind
  member INTEGER NOT NULL,
  space INTEGER NOT NULL,                      -- 0: community-wide
  issuer INTEGER NOT NULL,                     -- 0: the host
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL,                 -- Unix ms
  expires_at INTEGER NOT NULL,                 -- 0: never
  revoked_at INTEGER NOT NULL,                 -- 0: not revoked
  revoked_by INTEGER NOT NULL                  -- 0: the host (when revoked)
);
CREATE INDEX sanctions_by_member ON sanctions (member, id);
CREATE INDEX sanctions_in_force ON sanctions (member, id) WHERE revoked_at = 0 AND kind <> 0;
)sql";

// Version 12: moderator notes (docs/moderation.md, "Moderator notes"), by (space, member, id).
// Ids are the engine's; a deleted note is deleted for good.
constexpr const char* schema_v12 = R"sql(
CREATE TABLE moderator_notes (
  id INTEGER PRIMARY KEY,
  space INTEGER NOT NULL,
  member INTEGER NOT NULL,
  author INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL                  -- Unix ms
);
CREATE INDEX moderator_notes_by_member ON moderator_notes (space, member, id);
)sql";

// Version 13: auto-moderation rule sets (docs/moderation.md, "Auto-moderation"), one per space
// (0: the community's), JSON kept verbatim; review items learn what flagged them and appeals
// (docs/moderation.md, "Explain and appeal"): one item per appealed audit entry, and appeals are
// left out of the one-open-item-per-target index.
constexpr const char* schema_v13 = R"sql(
ALTER TABLE review_items ADD COLUMN flag TEXT NOT NULL DEFAULT '';
ALTER TABLE review_items ADD COLUMN appeal_of INTEGER NOT NULL DEFAULT 0;   -- audit entry id
ALTER TABLE review_items ADD COLUMN acted_by INTEGER NOT NULL DEFAULT 0;
DROP INDEX review_items_open;
CREATE UNIQUE INDEX review_items_open ON review_items (space, target_member, post)
  WHERE decided = 0 AND appeal_of = 0;
CREATE UNIQUE INDEX review_items_appeals ON review_items (appeal_of) WHERE appeal_of <> 0;
CREATE TABLE automod_rules (
  space INTEGER PRIMARY KEY,                   -- 0: community-wide
  rules TEXT NOT NULL,
  updated_by INTEGER NOT NULL,                 -- 0: the host
  updated_at INTEGER NOT NULL                  -- Unix ms
);
)sql";

// Version 14: member erasure (docs/privacy.md, "Erasure"): when the member was erased (0 if
// not), and the events that carry a member's profile, by actor.
constexpr const char* schema_v14 = R"sql(
ALTER TABLE members ADD COLUMN erased_at INTEGER NOT NULL DEFAULT 0;  -- Unix ms, 0: not erased
-- The events that carry a member's profile (member_created 1, member_updated 2), by actor: an
-- erasure redacts them.
CREATE INDEX events_member_profile ON events (actor_id) WHERE type IN (1, 2);
)sql";

// Version 15: the posts whose search text waits for the next batch into post_search
// (SqliteOptions::search_index_batch). FTS5 writes a segment of its index at every transaction
// that indexed something, and merges segments as they pile up: for one post per transaction
// that costs more than all the post's other rows. A batch of posts costs one segment.
constexpr const char* schema_v15 = R"sql(
CREATE TABLE search_pending (
  post INTEGER PRIMARY KEY,                    -- post_search's rowid to be; no FK, as there
  title TEXT NOT NULL,                         -- the SearchDoc index_post was given
  body TEXT NOT NULL
);
)sql";

// Version 16: a member's totals side by side. reputation_totals is keyed (scope, member,
// window), so the windows one credit moves (all time, week, month, the day's cap) share a leaf
// page, where under (scope, window, member) each had one of its own: 0.69 pages of totals
// written per reaction in W1 instead of 2.30. The leaderboards' key order (scope, window,
// member) is an index of its own, which a change of points leaves alone (points is not in it):
// only a member's first total in a window writes it.
constexpr const char* schema_v16 = R"sql(
CREATE TABLE reputation_totals_v16 (
  scope INTEGER NOT NULL,                      -- 0: the whole community
  window TEXT NOT NULL COLLATE BINARY,
  member INTEGER NOT NULL,
  points INTEGER NOT NULL,
  PRIMARY KEY (scope, member, window)
) WITHOUT ROWID;
INSERT INTO reputation_totals_v16 (scope, window, member, points)
  SELECT scope, window, member, points FROM reputation_totals;
DROP TABLE reputation_totals;
ALTER TABLE reputation_totals_v16 RENAME TO reputation_totals;
CREATE INDEX reputation_totals_by_window ON reputation_totals (scope, window, member);
)sql";

// Migration i brings a database from version i to version i + 1, inside the opening
// transaction (so a step cannot toggle PRAGMA foreign_keys; a table rebuild must keep them
// satisfied). A new schema version is one more entry here; a released one is never edited, so
// that existing files upgrade.
constexpr std::array<const char*, 16> migrations = {
    schema_v1, schema_v2,  schema_v3,  schema_v4,  schema_v5,  schema_v6,  schema_v7,  schema_v8,
    schema_v9, schema_v10, schema_v11, schema_v12, schema_v13, schema_v14, schema_v15, schema_v16};
static_assert(migrations.size() == static_cast<std::size_t>(schema_version));

// --- prepared statements -----------------------------------------------------------------

enum class Q : std::uint8_t {
  begin_read,
  begin_write,
  commit,
  rollback,
  savepoint,
  release_savepoint,
  rollback_to_savepoint,
  member_insert,
  member_update,
  member_get,
  member_by_handle,
  member_by_ref,
  space_insert,
  space_update,
  space_update_parent,
  space_parent_get,
  space_get,
  space_children,
  space_find,
  membership_insert,
  membership_delete,
  membership_get,
  membership_list,
  role_insert,
  role_update,
  role_get,
  role_list,
  role_delete,
  role_delete_assignments,
  role_delete_overrides,
  assignment_insert,
  assignment_delete,
  assignment_list,
  override_put,
  override_delete,
  override_list,
  ban_put,
  ban_delete,
  ban_get,
  ban_list,
  sanction_insert,
  sanction_update,
  sanction_get,
  sanction_list,
  sanction_in_force,
  invite_insert,
  invite_update,
  invite_get,
  invite_list,
  join_request_insert,
  join_request_delete,
  join_request_get,
  join_request_list,
  thread_insert,
  thread_update,
  thread_update_keys,
  thread_get,
  thread_list,
  thread_list_unanswered,
  thread_list_tag,
  thread_list_tag_unanswered,
  thread_tags_get,
  thread_tags_clear,
  thread_tag_insert,
  thread_move_posts,
  thread_has_posted,
  post_insert,
  post_update,
  post_get,
  post_list,
  post_reactions_get,
  post_reactions_set,
  revision_insert,
  revision_list,
  reaction_insert,
  reaction_delete,
  reaction_list,
  reaction_get,
  notification_insert,
  notification_update,
  notification_update_id,
  notification_get,
  notification_find_reaction,
  notification_list,
  notification_list_unread,
  notification_mark_read,
  notification_count_unread,
  marker_put,
  marker_get,
  marker_list,
  member_spaces,
  posts_count_after,
  event_insert,
  event_read,
  event_last,
  event_redact,
  search_insert,
  search_relevance,
  search_newest,
  search_unindexed,
  search_backfill_clear,
  search_backfill_done,
  search_pending_insert,
  search_pending_delete,
  search_pending_count,
  search_pending_index,
  search_pending_clear,
  search_pending_find,
  search_unindex,
  ledger_insert,
  ledger_by_post,
  ledger_by_thread,
  ledger_by_source,
  ledger_by_source_only,
  ledger_by_member,
  ledger_all,
  total_get,
  total_put,
  total_list,
  activity_get,
  activity_put,
  activity_day_get,
  activity_day_put,
  activity_day_sum,
  thread_entered_insert,
  badge_insert,
  badge_list,
  badge_count,
  badge_progress_get,
  badge_progress_put,
  helpful_insert,
  audit_insert,
  audit_by_space,
  audit_by_target,
  audit_by_actor,
  audit_all,
  report_insert,
  report_update,
  report_find_open,
  report_by_item,
  report_by_reporter,
  review_insert,
  review_update,
  review_get,
  review_find_open,
  review_find_appeal,
  review_queue,
  note_insert,
  note_get,
  note_delete,
  note_list,
  automod_get,
  automod_put,
  automod_delete,
  count_,
};
constexpr std::size_t query_count = static_cast<std::size_t>(Q::count_);

#define HEARTH_MEMBER_COLS \
  "id, handle, display_name, external_ref, bio, created_at, active, erased_at"
#define HEARTH_SPACE_COLS                                                                    \
  "id, parent_id, kind, name, description, visibility, owner_id, created_at, member_count, " \
  "thread_count, join_policy, member_cap, tags, reaction_kinds, no_self_reaction"
#define HEARTH_ROLE_COLS "id, space_id, name, permissions, rank, created_at"
#define HEARTH_ASSIGNMENT_COLS "space_id, member_id, role_id, granted_by, granted_at"
#define HEARTH_BAN_COLS "space_id, member_id, issuer_id, reason, created_at, expires_at"
#define HEARTH_INVITE_COLS \
  "code, space_id, creator_id, created_at, expires_at, max_uses, uses, revoked"
#define HEARTH_JOIN_REQUEST_COLS "space_id, member_id, message, created_at"
#define HEARTH_THREAD_COLS                                                                    \
  "id, space_id, author_id, title, first_post, last_post, created_at, last_activity_at, "     \
  "reply_count, deleted, kind, pinned, locked, archived, accepted_answer, answered_by_peer, " \
  "participant_count, reaction_count, tags"
#define HEARTH_THREAD_COLS_OF_T                                                            \
  "t.id, t.space_id, t.author_id, t.title, t.first_post, t.last_post, t.created_at, "      \
  "t.last_activity_at, t.reply_count, t.deleted, t.kind, t.pinned, t.locked, t.archived, " \
  "t.accepted_answer, t.answered_by_peer, t.participant_count, t.reaction_count, t.tags"
#define HEARTH_NOTIFICATION_COLS                                                        \
  "id, recipient_id, kind, space_id, thread_id, post_id, actor_id, count, created_at, " \
  "updated_at, is_read"
#define HEARTH_POST_INSERT_COLS                                                                    \
  "id, thread_id, space_id, author_id, reply_to, body, created_at, edited_at, revision, deleted, " \
  "removed, removal_reason, removed_by"
#define HEARTH_POST_COLS HEARTH_POST_INSERT_COLS ", reactions"
#define HEARTH_ACTIVITY_COLS                                                                  \
  "member, days_visited, last_visit, threads_entered, posts_read, read_ms, reactions_given, " \
  "reactions_received, replies, threads_created, flags_against, level, level_by_hand"
#define HEARTH_ACTIVITY_DAY_COLS                                                  \
  "member, day, visited, threads_entered, posts_read, read_ms, reactions_given, " \
  "reactions_received, replies"
#define HEARTH_LEDGER_COLS \
  "id, member, scope, delta, reason, note, post, thread, source, at, counts_at, reverses, capped"
// The ledger listings share their parameters: ?1 member, ?2 post, ?3 thread, ?4 source (each
// NULL when not set), ?5 since, ?6 after, ?7 the limit. Each names its index's key by equality
// and checks the other fields with terms no index can serve, so that it walks that index alone.
#define HEARTH_LEDGER_LIST(key)                                                          \
  "SELECT " HEARTH_LEDGER_COLS " FROM reputation_ledger WHERE " key                      \
  " AND id > ?6 AND (?1 IS NULL OR member = ?1) AND (?2 IS NULL OR post = ?2) "          \
  "AND (?3 IS NULL OR thread = ?3) AND (?4 IS NULL OR source = ?4) AND counts_at >= ?5 " \
  "ORDER BY id LIMIT ?7"

#define HEARTH_SEARCH_COLS_OF_P                                                                 \
  "p.id, p.thread_id, p.space_id, p.author_id, p.reply_to, p.body, p.created_at, p.edited_at, " \
  "p.revision, p.deleted, p.removed, p.removal_reason, p.removed_by, p.reactions"
// The filters of a search, on posts p of threads t: ?2 to ?6 as said at Q::search_relevance.
#define HEARTH_SEARCH_FILTERS                                                               \
  "p.deleted = 0 AND p.removed = 0 AND t.deleted = 0 "                                      \
  "AND (?2 IS NULL OR p.space_id IN (SELECT value FROM json_each(?2))) "                    \
  "AND (?3 IS NULL OR p.author_id = ?3) "                                                   \
  "AND (?4 IS NULL OR EXISTS (SELECT 1 FROM thread_tags AS g WHERE g.thread_id = t.id AND " \
  "g.tag = ?4)) "                                                                           \
  "AND (?5 IS NULL OR p.created_at >= ?5) AND (?6 IS NULL OR p.created_at <= ?6)"
#define HEARTH_SEARCH_FROM_WHERE                                  \
  "FROM post_search JOIN posts AS p ON p.id = post_search.rowid " \
  "JOIN threads AS t ON t.id = p.thread_id "                      \
  "WHERE post_search MATCH ?1 AND " HEARTH_SEARCH_FILTERS

const char* sql_of(Q q) noexcept {
  switch (q) {
    case Q::begin_read:
      return "BEGIN";
    case Q::begin_write:
      return "BEGIN IMMEDIATE";
    case Q::commit:
      return "COMMIT";
    case Q::rollback:
      return "ROLLBACK";
    case Q::savepoint:
      return "SAVEPOINT hearth_call";
    case Q::release_savepoint:
      return "RELEASE hearth_call";
    case Q::rollback_to_savepoint:
      return "ROLLBACK TO hearth_call";
    case Q::member_insert:
      return "INSERT INTO members (" HEARTH_MEMBER_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    case Q::member_update:
      return "UPDATE members SET handle = ?2, display_name = ?3, external_ref = ?4, bio = ?5, "
             "created_at = ?6, active = ?7, erased_at = ?8 WHERE id = ?1";
    case Q::member_get:
      return "SELECT " HEARTH_MEMBER_COLS " FROM members WHERE id = ?1";
    case Q::member_by_handle:  // the column's NOCASE collation applies
      return "SELECT " HEARTH_MEMBER_COLS " FROM members WHERE handle = ?1";
    case Q::member_by_ref:
      return "SELECT " HEARTH_MEMBER_COLS " FROM members WHERE external_ref = ?1";
    case Q::space_insert:
      return "INSERT INTO spaces (" HEARTH_SPACE_COLS
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
    // An UPDATE that names an indexed column rewrites that index's entry even when the value
    // stays, so the columns an index holds are set apart, and only when they change: a counter
    // bump then writes the row's page alone.
    case Q::space_update:  // all but parent_id (spaces_by_parent); ?2 unused
      return "UPDATE spaces SET kind = ?3, name = ?4, description = ?5, "
             "visibility = ?6, owner_id = ?7, created_at = ?8, member_count = ?9, "
             "thread_count = ?10, join_policy = ?11, member_cap = ?12, tags = ?13, "
             "reaction_kinds = ?14, no_self_reaction = ?15 WHERE id = ?1";
    case Q::space_parent_get:
      return "SELECT parent_id FROM spaces WHERE id = ?1";
    case Q::space_update_parent:
      return "UPDATE spaces SET parent_id = ?2 WHERE id = ?1 AND parent_id IS NOT ?2";
    case Q::space_get:
      return "SELECT " HEARTH_SPACE_COLS " FROM spaces WHERE id = ?1";
    case Q::space_children:  // ?1 is NULL for the roots
      return "SELECT " HEARTH_SPACE_COLS
             " FROM spaces WHERE parent_id IS ?1 AND id > ?2 ORDER BY id LIMIT ?3";
    // Discovery: the cheap filters here, text and tag in find_spaces. A space's newest post is
    // the larger of two seeks in threads_by_pin_activity (one per pinned value). ?7 picks the
    // sort key: 0 the newest post, 1 member_count.
    case Q::space_find:
      return "SELECT * FROM (SELECT " HEARTH_SPACE_COLS
             ", max(coalesce((SELECT max(last_post) FROM threads AS t WHERE t.space_id = s.id "
             "AND t.pinned = 0 AND t.deleted = 0), 0), coalesce((SELECT max(last_post) FROM "
             "threads AS t WHERE t.space_id = s.id AND t.pinned = 1 AND t.deleted = 0), 0)) "
             "AS newest FROM spaces AS s WHERE s.visibility != 2 AND (?1 = 0 OR s.parent_id IS ?2) "
             "AND (?3 < 0 OR s.kind = ?3) "
             "AND (?4 = 0 OR s.member_cap = 0 OR s.member_count < s.member_cap) "
             "AND (?5 = 0 OR s.join_policy = 0)) "
             "WHERE (CASE ?7 WHEN 0 THEN newest ELSE member_count END, id) < (?8, ?9) "
             "ORDER BY CASE ?7 WHEN 0 THEN newest ELSE member_count END DESC, id DESC";
    case Q::membership_insert:
      return "INSERT INTO memberships (space_id, member_id, joined_at, read_from) "
             "VALUES (?1, ?2, ?3, ?4)";
    case Q::membership_delete:
      return "DELETE FROM memberships WHERE space_id = ?1 AND member_id = ?2";
    case Q::membership_get:
      return "SELECT space_id, member_id, joined_at, read_from FROM memberships "
             "WHERE space_id = ?1 AND member_id = ?2";
    case Q::membership_list:
      return "SELECT space_id, member_id, joined_at, read_from FROM memberships "
             "WHERE space_id = ?1 AND member_id > ?2 ORDER BY member_id LIMIT ?3";
    case Q::role_insert:
      return "INSERT INTO roles (" HEARTH_ROLE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    case Q::role_update:
      return "UPDATE roles SET name = ?2, permissions = ?3, rank = ?4 WHERE id = ?1";
    case Q::role_get:
      return "SELECT " HEARTH_ROLE_COLS " FROM roles WHERE id = ?1";
    case Q::role_list:
      return "SELECT " HEARTH_ROLE_COLS " FROM roles WHERE space_id = ?1 ORDER BY id";
    case Q::role_delete:
      return "DELETE FROM roles WHERE id = ?1";
    case Q::role_delete_assignments:
      return "DELETE FROM role_assignments WHERE role_id = ?1";
    case Q::role_delete_overrides:
      return "DELETE FROM overrides WHERE role_id = ?1";
    case Q::assignment_insert:
      return "INSERT INTO role_assignments (" HEARTH_ASSIGNMENT_COLS
             ") VALUES (?1, ?2, ?3, ?4, ?5)";
    case Q::assignment_delete:
      return "DELETE FROM role_assignments WHERE space_id = ?1 AND member_id = ?2 AND "
             "role_id = ?3";
    case Q::assignment_list:
      return "SELECT " HEARTH_ASSIGNMENT_COLS
             " FROM role_assignments WHERE space_id = ?1 AND member_id = ?2 ORDER BY role_id";
    case Q::override_put:
      return "INSERT INTO overrides (space_id, role_id, allow, deny) VALUES (?1, ?2, ?3, ?4) "
             "ON CONFLICT (space_id, role_id) DO UPDATE SET allow = excluded.allow, "
             "deny = excluded.deny";
    case Q::override_delete:
      return "DELETE FROM overrides WHERE space_id = ?1 AND role_id = ?2";
    case Q::override_list:
      return "SELECT role_id, allow, deny FROM overrides WHERE space_id = ?1 ORDER BY role_id";
    case Q::ban_put:
      return "INSERT INTO bans (" HEARTH_BAN_COLS
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
             "ON CONFLICT (space_id, member_id) DO UPDATE SET issuer_id = excluded.issuer_id, "
             "reason = excluded.reason, created_at = excluded.created_at, "
             "expires_at = excluded.expires_at";
    case Q::ban_delete:
      return "DELETE FROM bans WHERE space_id = ?1 AND member_id = ?2";
    case Q::ban_get:
      return "SELECT " HEARTH_BAN_COLS " FROM bans WHERE space_id = ?1 AND member_id = ?2";
    case Q::ban_list:
      return "SELECT " HEARTH_BAN_COLS
             " FROM bans WHERE space_id = ?1 AND member_id > ?2 ORDER BY member_id LIMIT ?3";
#define HEARTH_SANCTION_COLS \
  "id, kind, member, space, issuer, reason, created_at, expires_at, revoked_at, revoked_by"
    case Q::sanction_insert:
      return "INSERT INTO sanctions (" HEARTH_SANCTION_COLS
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    case Q::sanction_update:
      return "UPDATE sanctions SET revoked_at = ?2, revoked_by = ?3 WHERE id = ?1";
    case Q::sanction_get:
      return "SELECT " HEARTH_SANCTION_COLS " FROM sanctions WHERE id = ?1";
    case Q::sanction_list:  // sanctions_by_member
      return "SELECT " HEARTH_SANCTION_COLS
             " FROM sanctions WHERE member = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
    case Q::sanction_in_force:  // sanctions_in_force
      return "SELECT " HEARTH_SANCTION_COLS
             " FROM sanctions WHERE member = ?1 AND revoked_at = 0 AND kind <> 0 AND "
             "(expires_at = 0 OR expires_at > ?2) ORDER BY id";
#undef HEARTH_SANCTION_COLS
    case Q::invite_insert:
      return "INSERT INTO invites (" HEARTH_INVITE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    case Q::invite_update:
      return "UPDATE invites SET expires_at = ?2, max_uses = ?3, uses = ?4, revoked = ?5 "
             "WHERE code = ?1";
    case Q::invite_get:  // the column's BINARY collation: byte for byte
      return "SELECT " HEARTH_INVITE_COLS " FROM invites WHERE code = ?1";
    case Q::invite_list:
      return "SELECT " HEARTH_INVITE_COLS
             " FROM invites WHERE space_id = ?1 AND code > ?2 ORDER BY code LIMIT ?3";
    case Q::join_request_insert:
      return "INSERT INTO join_requests (" HEARTH_JOIN_REQUEST_COLS ") VALUES (?1, ?2, ?3, ?4)";
    case Q::join_request_delete:
      return "DELETE FROM join_requests WHERE space_id = ?1 AND member_id = ?2";
    case Q::join_request_get:
      return "SELECT " HEARTH_JOIN_REQUEST_COLS
             " FROM join_requests WHERE space_id = ?1 AND member_id = ?2";
    case Q::join_request_list:
      return "SELECT " HEARTH_JOIN_REQUEST_COLS
             " FROM join_requests WHERE space_id = ?1 AND member_id > ?2 ORDER BY member_id "
             "LIMIT ?3";
    case Q::thread_insert:
      return "INSERT INTO threads (" HEARTH_THREAD_COLS
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
             "?17, ?18, ?19)";
    // As spaces: the columns of threads_by_pin_activity and threads_unanswered (their keys and
    // their WHERE clauses) are set by thread_update_keys, only when one changes.
    case Q::thread_update:
      return "UPDATE threads SET author_id = ?3, title = ?4, first_post = ?5, "
             "created_at = ?7, last_activity_at = ?8, reply_count = ?9, "
             "locked = ?13, archived = ?14, answered_by_peer = ?16, participant_count = ?17, "
             "reaction_count = ?18, tags = ?19 WHERE id = ?1";
    case Q::thread_update_keys:
      return "UPDATE threads SET space_id = ?2, last_post = ?6, deleted = ?10, kind = ?11, "
             "pinned = ?12, accepted_answer = ?15 WHERE id = ?1 AND (space_id IS NOT ?2 OR "
             "last_post IS NOT ?6 OR deleted IS NOT ?10 OR kind IS NOT ?11 OR "
             "pinned IS NOT ?12 OR accepted_answer IS NOT ?15)";
    case Q::thread_get:
      return "SELECT " HEARTH_THREAD_COLS " FROM threads WHERE id = ?1";
    case Q::thread_list:  // "deleted = 0" selects the partial index threads_by_pin_activity
      return "SELECT " HEARTH_THREAD_COLS
             " FROM threads WHERE space_id = ?1 AND deleted = 0 "
             "AND (pinned, last_post) < (?2, ?3) ORDER BY pinned DESC, last_post DESC LIMIT ?4";
    case Q::thread_list_unanswered:  // the literal terms select the partial threads_unanswered
      return "SELECT " HEARTH_THREAD_COLS
             " FROM threads WHERE space_id = ?1 AND deleted = 0 AND kind = 1 "
             "AND accepted_answer IS NULL AND (pinned, last_post) < (?2, ?3) "
             "ORDER BY pinned DESC, last_post DESC LIMIT ?4";
    // The tag listings: the same, for the threads with a thread_tags row (tag = ?5). Without
    // statistics SQLite walks the activity index backwards, probing thread_tags' primary key
    // (no sort, stops at the limit); thread_tags_by_tag is there for when it starts from the tag.
    case Q::thread_list_tag:
      return "SELECT " HEARTH_THREAD_COLS_OF_T
             " FROM thread_tags AS g JOIN threads AS t ON t.id = g.thread_id "
             "WHERE g.tag = ?5 AND t.space_id = ?1 AND t.deleted = 0 "
             "AND (t.pinned, t.last_post) < (?2, ?3) ORDER BY t.pinned DESC, t.last_post DESC "
             "LIMIT ?4";
    case Q::thread_list_tag_unanswered:
      return "SELECT " HEARTH_THREAD_COLS_OF_T
             " FROM thread_tags AS g JOIN threads AS t ON t.id = g.thread_id "
             "WHERE g.tag = ?5 AND t.space_id = ?1 AND t.deleted = 0 "
             "AND t.kind = 1 AND t.accepted_answer IS NULL AND (t.pinned, t.last_post) < (?2, ?3) "
             "ORDER BY t.pinned DESC, t.last_post DESC LIMIT ?4";
    case Q::thread_tags_get:
      return "SELECT tags FROM threads WHERE id = ?1";
    case Q::thread_tags_clear:
      return "DELETE FROM thread_tags WHERE thread_id = ?1";
    case Q::thread_tag_insert:  // a repeated tag (the contract wants none) is stored once
      return "INSERT INTO thread_tags (thread_id, tag) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
    case Q::thread_move_posts:
      return "UPDATE posts SET space_id = ?2 WHERE thread_id = ?1";
    case Q::thread_has_posted:  // posts_by_author covers it
      return "SELECT EXISTS (SELECT 1 FROM posts WHERE thread_id = ?1 AND author_id = ?2)";
    case Q::post_insert:
      return "INSERT INTO posts (" HEARTH_POST_INSERT_COLS
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
    case Q::post_update:
      return "UPDATE posts SET body = ?2, edited_at = ?3, revision = ?4, deleted = ?5, "
             "removed = ?6, removal_reason = ?7, removed_by = ?8 WHERE id = ?1";
    case Q::post_get:
      return "SELECT " HEARTH_POST_COLS " FROM posts WHERE id = ?1";
    case Q::post_list:
      return "SELECT " HEARTH_POST_COLS
             " FROM posts WHERE thread_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
    case Q::post_reactions_get:
      return "SELECT reactions FROM posts WHERE id = ?1";
    case Q::post_reactions_set:
      return "UPDATE posts SET reactions = ?2 WHERE id = ?1";
    case Q::revision_insert:
      return "INSERT INTO revisions (post_id, number, title, body, editor_id, written_at) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    case Q::revision_list:
      return "SELECT post_id, number, title, body, editor_id, written_at FROM revisions "
             "WHERE post_id = ?1 ORDER BY number";
    case Q::reaction_insert:
      return "INSERT INTO reactions (post_id, member_id, kind, created_at) "
             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";
    case Q::reaction_delete:
      return "DELETE FROM reactions WHERE post_id = ?1 AND member_id = ?2 AND kind = ?3";
    case Q::reaction_list:  // the primary key: the post and kind, past `after`
      return "SELECT post_id, member_id, kind, created_at FROM reactions "
             "WHERE post_id = ?1 AND kind = ?2 AND member_id > ?3 ORDER BY member_id LIMIT ?4";
    case Q::notification_insert:
      return "INSERT INTO notifications (" HEARTH_NOTIFICATION_COLS
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    // ?12: the id it was stored under, for recipient ?2. Naming a key column moves the row
    // (a delete and an insert), so the id is set only when it changes.
    case Q::notification_update:
      return "UPDATE notifications SET kind = ?3, space_id = ?4, "
             "thread_id = ?5, post_id = ?6, actor_id = ?7, count = ?8, created_at = ?9, "
             "updated_at = ?10, is_read = ?11 WHERE recipient_id = ?2 AND id = ?12";
    case Q::notification_update_id:
      return "UPDATE notifications SET id = ?1, kind = ?3, space_id = ?4, "
             "thread_id = ?5, post_id = ?6, actor_id = ?7, count = ?8, created_at = ?9, "
             "updated_at = ?10, is_read = ?11 WHERE recipient_id = ?2 AND id = ?12";
    case Q::notification_get:
      return "SELECT " HEARTH_NOTIFICATION_COLS
             " FROM notifications WHERE recipient_id = ?1 AND id = ?2";
    case Q::notification_find_reaction:  // the literal terms select notifications_open_reactions
      return "SELECT " HEARTH_NOTIFICATION_COLS
             " FROM notifications WHERE recipient_id = ?1 AND post_id = ?2 AND is_read = 0 "
             "AND kind = 4 ORDER BY id DESC LIMIT 1";
    case Q::notification_list:
      return "SELECT " HEARTH_NOTIFICATION_COLS
             " FROM notifications WHERE recipient_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3";
    case Q::notification_list_unread:  // notifications_unread
      return "SELECT " HEARTH_NOTIFICATION_COLS
             " FROM notifications WHERE recipient_id = ?1 AND is_read = 0 AND id < ?2 "
             "ORDER BY id DESC LIMIT ?3";
    case Q::notification_mark_read:
      return "UPDATE notifications SET is_read = 1 WHERE recipient_id = ?1 AND is_read = 0 "
             "AND id <= ?2";
    // Left to itself, SQLite 3.40 reads every notification of the recipient through
    // notifications_by_recipient; the unread ones alone are what is counted.
    case Q::notification_count_unread:
      return "SELECT space_id, COUNT(*) FROM notifications INDEXED BY notifications_unread "
             "WHERE recipient_id = ?1 AND is_read = 0 GROUP BY space_id ORDER BY space_id";
    case Q::marker_put:
      return "INSERT INTO read_markers (member_id, space_id, last_read, updated_at) "
             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (member_id, space_id) DO UPDATE SET "
             "last_read = excluded.last_read, updated_at = excluded.updated_at";
    case Q::marker_get:
      return "SELECT member_id, space_id, last_read, updated_at FROM read_markers "
             "WHERE member_id = ?1 AND space_id = ?2";
    case Q::marker_list:
      return "SELECT member_id, space_id, last_read, updated_at FROM read_markers "
             "WHERE member_id = ?1 ORDER BY space_id";
    case Q::member_spaces:  // memberships_by_member
      return "SELECT space_id, member_id, joined_at, read_from FROM memberships "
             "WHERE member_id = ?1 AND space_id > ?2 ORDER BY space_id LIMIT ?3";
    case Q::posts_count_after:  // posts_by_space, index only; ?3 NULL: no author excluded
      return "SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE space_id = ?1 AND id > ?2 "
             "AND author_id IS NOT ?3 AND deleted = 0 AND removed = 0 LIMIT ?4)";
    case Q::reaction_get:  // one kind of the post's (list_member_reactions asks each)
      return "SELECT post_id, member_id, kind, created_at FROM reactions "
             "WHERE post_id = ?1 AND kind = ?3 AND member_id = ?2";
    case Q::event_insert:  // seq NULL: the rowid, MAX(seq) + 1
      return "INSERT INTO events (type, space_id, actor_id, at, payload) "
             "VALUES (?1, ?2, ?3, ?4, ?5)";
    case Q::event_read:
      return "SELECT seq, type, space_id, actor_id, at, payload FROM events "
             "WHERE seq > ?1 ORDER BY seq LIMIT ?2";
    case Q::event_last:
      return "SELECT MAX(seq) FROM events";
    case Q::event_redact:  // events_member_profile: its condition, term for term
      return "UPDATE events SET payload = ?2 WHERE actor_id = ?1 AND type IN (1, 2)";
    case Q::search_unindex:  // a contentless table is given the text it indexed to remove it
      return "INSERT INTO post_search (post_search, rowid, title, body) "
             "VALUES ('delete', ?1, ?2, ?3)";
    case Q::search_insert:
      return "INSERT INTO post_search (rowid, title, body) VALUES (?1, ?2, ?3)";
    // ?1 the MATCH expression (build_match); filters, each NULL when not set: ?2 a JSON array
    // of space ids, ?3 the author, ?4 the tag, ?5 and ?6 the creation time bounds; ?7 the
    // keyset score and ?8 the keyset post id (relevance: NULL from the start; newest: the
    // largest id from the start); ?9 the limit.
    case Q::search_relevance:
      return "SELECT " HEARTH_SEARCH_COLS_OF_P ", score FROM (SELECT " HEARTH_SEARCH_COLS_OF_P
             ", hearth_score(post_search) AS score " HEARTH_SEARCH_FROM_WHERE
             ") AS p WHERE ?8 IS NULL OR score < ?7 OR (score = ?7 AND p.id < ?8) "
             "ORDER BY score DESC, p.id DESC LIMIT ?9";
    case Q::search_newest:
      return "SELECT " HEARTH_SEARCH_COLS_OF_P
             ", hearth_score(post_search) " HEARTH_SEARCH_FROM_WHERE
             " AND post_search.rowid < ?8 "
             "ORDER BY post_search.rowid DESC LIMIT ?9";
    case Q::search_unindexed:  // the backfill's posts past ?1 and past those done
      return "SELECT " HEARTH_SEARCH_COLS_OF_P
             " FROM search_backfill AS b JOIN posts AS p ON p.id > max(?1, b.done) "
             "AND p.id <= b.through WHERE p.deleted = 0 ORDER BY p.id LIMIT ?2";
    case Q::search_backfill_done:
      return "UPDATE search_backfill SET done = ?1 WHERE done < ?1";
    case Q::search_backfill_clear:
      return "DELETE FROM search_backfill";
    case Q::search_pending_insert:
      return "INSERT INTO search_pending (post, title, body) VALUES (?1, ?2, ?3)";
    case Q::search_pending_delete:
      return "DELETE FROM search_pending WHERE post = ?1";
    case Q::search_pending_count:
      return "SELECT count(*) FROM search_pending";
    case Q::search_pending_index:  // in rowid order: FTS5 appends to its segment
      return "INSERT INTO post_search (rowid, title, body) "
             "SELECT post, title, body FROM search_pending ORDER BY post";
    case Q::search_pending_clear:
      return "DELETE FROM search_pending";
    // The posts of search_pending that pass the filters (?2 to ?6 as for search_relevance;
    // no ?1 nor ?7), with ids below ?8, and their text, to be matched by search_score.
    case Q::search_pending_find:
      return "SELECT " HEARTH_SEARCH_COLS_OF_P
             ", sp.title, sp.body "
             "FROM search_pending AS sp JOIN posts AS p ON p.id = sp.post "
             "JOIN threads AS t ON t.id = p.thread_id WHERE " HEARTH_SEARCH_FILTERS
             " AND p.id < ?8";
    case Q::ledger_insert:
      return "INSERT INTO reputation_ledger (" HEARTH_LEDGER_COLS
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
    case Q::ledger_by_post:  // "post != 0" selects the partial reputation_ledger_by_post
      return HEARTH_LEDGER_LIST("post = ?2 AND post != 0");
    case Q::ledger_by_thread:  // reputation_ledger_by_thread
      return HEARTH_LEDGER_LIST("thread = ?3");
    case Q::ledger_by_source:  // reputation_ledger_by_source
      return HEARTH_LEDGER_LIST("source = ?4 AND member = ?1");
    case Q::ledger_by_source_only:  // a prefix of reputation_ledger_by_source, then sorted
      return HEARTH_LEDGER_LIST("source = ?4 AND source != 0");
    case Q::ledger_by_member:  // reputation_ledger_by_member
      return HEARTH_LEDGER_LIST("member = ?1");
    case Q::ledger_all:  // the rowid, from `after` on
      return HEARTH_LEDGER_LIST("1");
    case Q::total_get:  // the column's BINARY collation: windows byte for byte
      return "SELECT scope, window, member, points FROM reputation_totals "
             "WHERE scope = ?1 AND window = ?2 AND member = ?3";
    case Q::total_put:
      return "INSERT INTO reputation_totals (scope, window, member, points) "
             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (scope, member, window) DO UPDATE SET "
             "points = excluded.points";
    case Q::total_list:  // reputation_totals_by_window, strictly after the row value
      return "SELECT scope, window, member, points FROM reputation_totals "
             "WHERE (scope, window, member) > (?1, ?2, ?3) ORDER BY scope, window, member "
             "LIMIT ?4";
    case Q::activity_get:
      return "SELECT " HEARTH_ACTIVITY_COLS " FROM member_activity WHERE member = ?1";
    case Q::activity_put:
      return "INSERT OR REPLACE INTO member_activity (" HEARTH_ACTIVITY_COLS
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
    case Q::activity_day_get:
      return "SELECT " HEARTH_ACTIVITY_DAY_COLS
             " FROM activity_days WHERE member = ?1 AND day = ?2";
    case Q::activity_day_put:
      return "INSERT OR REPLACE INTO activity_days (" HEARTH_ACTIVITY_DAY_COLS
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    case Q::activity_day_sum:  // a range of the primary key
      return "SELECT ?1, 0, coalesce(sum(visited), 0), coalesce(sum(threads_entered), 0), "
             "coalesce(sum(posts_read), 0), coalesce(sum(read_ms), 0), "
             "coalesce(sum(reactions_given), 0), coalesce(sum(reactions_received), 0), "
             "coalesce(sum(replies), 0) "
             "FROM activity_days WHERE member = ?1 AND day >= ?2 AND day <= ?3";
    case Q::thread_entered_insert:
      return "INSERT OR IGNORE INTO threads_entered (member, thread) VALUES (?1, ?2)";
    case Q::badge_insert:
      return "INSERT INTO badge_grants (member, badge, post, ordinal, at) "
             "VALUES (?1, ?2, ?3, ?4, ?5) "
             "ON CONFLICT (member, badge, post, ordinal) DO NOTHING";
    case Q::badge_list:  // badge_grants_by_member
      return "SELECT id, member, badge, post, ordinal, at FROM badge_grants "
             "WHERE member = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
    case Q::badge_count:  // a prefix of badge_grants_key
      return "SELECT count(*) FROM badge_grants WHERE member = ?1 AND badge = ?2";
    case Q::badge_progress_get:
      return "SELECT value FROM badge_progress WHERE member = ?1 AND counter = ?2";
    case Q::badge_progress_put:  // not RETURNING: SQLite gathers that in a temporary table
      return "INSERT INTO badge_progress (member, counter, value) VALUES (?1, ?2, ?3) "
             "ON CONFLICT (member, counter) DO UPDATE SET value = excluded.value";
    case Q::helpful_insert:
      return "INSERT OR IGNORE INTO helpful_replies (post, kind) VALUES (?1, ?2)";
    case Q::audit_insert:
      return "INSERT INTO audit_log (space, actor_kind, actor, actor_name, action, "
             "target_member, post, thread, role, reason, matched, detail, at) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
      // ?1 the index's key, ?2 before id, ?3 target (0: any), ?4 acting member (0: any), ?5..?6
      // the period, ?7 the limit.
#define HEARTH_AUDIT_SELECT                                                                \
  "SELECT id, space, actor_kind, actor, actor_name, action, target_member, post, thread, " \
  "role, reason, matched, detail, at FROM audit_log "
#define HEARTH_AUDIT_FILTER                                                         \
  " AND id < ?2 AND (?3 = 0 OR target_member = ?3) AND (?4 = 0 OR (actor = ?4 AND " \
  "actor_kind = 0)) AND at >= ?5 AND at <= ?6 ORDER BY id DESC LIMIT ?7"
    case Q::audit_by_space:  // audit_log_by_space
      return HEARTH_AUDIT_SELECT "WHERE space = ?1" HEARTH_AUDIT_FILTER;
    case Q::audit_by_target:  // audit_log_by_target
      return HEARTH_AUDIT_SELECT "WHERE target_member = ?1" HEARTH_AUDIT_FILTER;
    case Q::audit_by_actor:  // audit_log_by_actor
      return HEARTH_AUDIT_SELECT "WHERE actor = ?1" HEARTH_AUDIT_FILTER;
    case Q::audit_all:  // the rowid, newest first
      return HEARTH_AUDIT_SELECT "WHERE ?1 = 0" HEARTH_AUDIT_FILTER;
#undef HEARTH_AUDIT_SELECT
#undef HEARTH_AUDIT_FILTER
#define HEARTH_REPORT_SELECT                                                              \
  "SELECT id, reporter, space, target_member, post, reason, note, weight, item, status, " \
  "created_at, decided_at FROM reports "
    case Q::report_insert:
      return "INSERT INTO reports (id, reporter, space, target_member, post, reason, note, "
             "weight, item, status, created_at, decided_at) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
    case Q::report_update:
      return "UPDATE reports SET reporter = ?2, space = ?3, target_member = ?4, post = ?5, "
             "reason = ?6, note = ?7, weight = ?8, item = ?9, status = ?10, created_at = ?11, "
             "decided_at = ?12 WHERE id = ?1";
    case Q::report_find_open:  // reports_open
      return HEARTH_REPORT_SELECT
          "WHERE reporter = ?1 AND target_member = ?2 AND post = ?3 AND status = 0";
    case Q::report_by_item:  // reports_by_item
      return HEARTH_REPORT_SELECT "WHERE item = ?1 ORDER BY id";
    case Q::report_by_reporter:  // reports_by_reporter
      return HEARTH_REPORT_SELECT "WHERE reporter = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3";
#undef HEARTH_REPORT_SELECT
#define HEARTH_REVIEW_SELECT                                                             \
  "SELECT id, space, source, target_member, post, weight, reports, hidden, claimed_by, " \
  "claimed_until, decided, decision, decided_by, reason, created_at, decided_at, flag, " \
  "appeal_of, acted_by FROM review_items "
    case Q::review_insert:
      return "INSERT INTO review_items (id, space, source, target_member, post, weight, "
             "reports, hidden, claimed_by, claimed_until, decided, decision, decided_by, reason, "
             "created_at, decided_at, flag, appeal_of, acted_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
             "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
    case Q::review_update:
      return "UPDATE review_items SET space = ?2, source = ?3, target_member = ?4, post = ?5, "
             "weight = ?6, reports = ?7, hidden = ?8, claimed_by = ?9, claimed_until = ?10, "
             "decided = ?11, decision = ?12, decided_by = ?13, reason = ?14, created_at = ?15, "
             "decided_at = ?16, flag = ?17, appeal_of = ?18, acted_by = ?19 WHERE id = ?1";
    case Q::review_get:
      return HEARTH_REVIEW_SELECT "WHERE id = ?1";
    case Q::review_find_open:  // review_items_open
      return HEARTH_REVIEW_SELECT
          "WHERE space = ?1 AND target_member = ?2 AND post = ?3 AND decided = 0 AND appeal_of = 0";
    case Q::review_find_appeal:  // review_items_appeals
      return HEARTH_REVIEW_SELECT "WHERE appeal_of = ?1 AND appeal_of <> 0";
    case Q::review_queue:  // review_queue, from (?2, ?3) on: weight descending, then id
      return HEARTH_REVIEW_SELECT
          "WHERE space = ?1 AND decided = 0 AND weight <= ?2 AND (weight < ?2 OR id > ?3) "
          "ORDER BY weight DESC, id LIMIT ?4";
#undef HEARTH_REVIEW_SELECT
    case Q::note_insert:
      return "INSERT INTO moderator_notes (id, space, member, author, body, created_at) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    case Q::note_get:
      return "SELECT id, space, member, author, body, created_at FROM moderator_notes "
             "WHERE id = ?1";
    case Q::note_delete:
      return "DELETE FROM moderator_notes WHERE id = ?1";
    case Q::note_list:  // moderator_notes_by_member
      return "SELECT id, space, member, author, body, created_at FROM moderator_notes "
             "WHERE space = ?1 AND member = ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4";
    case Q::automod_get:
      return "SELECT space, rules, updated_by, updated_at FROM automod_rules WHERE space = ?1";
    case Q::automod_put:
      return "INSERT INTO automod_rules (space, rules, updated_by, updated_at) "
             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (space) DO UPDATE SET rules = excluded.rules, "
             "updated_by = excluded.updated_by, updated_at = excluded.updated_at";
    case Q::automod_delete:
      return "DELETE FROM automod_rules WHERE space = ?1";
    case Q::count_:
      break;
  }
  return "";
}

#undef HEARTH_MEMBER_COLS
#undef HEARTH_SPACE_COLS
#undef HEARTH_ROLE_COLS
#undef HEARTH_ASSIGNMENT_COLS
#undef HEARTH_BAN_COLS
#undef HEARTH_INVITE_COLS
#undef HEARTH_JOIN_REQUEST_COLS
#undef HEARTH_THREAD_COLS
#undef HEARTH_THREAD_COLS_OF_T
#undef HEARTH_POST_COLS
#undef HEARTH_SEARCH_COLS_OF_P
#undef HEARTH_SEARCH_FROM_WHERE
#undef HEARTH_NOTIFICATION_COLS
#undef HEARTH_LEDGER_COLS
#undef HEARTH_LEDGER_LIST
#undef HEARTH_ACTIVITY_COLS
#undef HEARTH_ACTIVITY_DAY_COLS

// One SQLite connection with its statements, each prepared on first use and kept.
// A prepared statement that also holds SQLite's own handle of it, so that rows are read with
// sqlite3_column_*: SQLiteCpp's getColumn copies a shared pointer (two atomic operations) for
// every column read, which was a quarter of a thread listing's time. SQLiteCpp does not give
// the handle out; a statement just prepared is the first of its connection's statements
// (sqlite3_next_stmt: SQLite puts each new one first), and its SQL text must match. When it
// does not (another SQLite), the handle stays null and columns are read through SQLiteCpp.
class Stmt : public SQLite::Statement {
 public:
  Stmt(SQLite::Database& db, const char* sql)
      : SQLite::Statement(db, sql), raw_(just_prepared(db.getHandle(), sql)) {}

  sqlite3_stmt* raw() const noexcept { return raw_; }

 private:
  static sqlite3_stmt* just_prepared(sqlite3* db, const char* sql) noexcept {
    sqlite3_stmt* first = sqlite3_next_stmt(db, nullptr);
    const char* text = first != nullptr ? sqlite3_sql(first) : nullptr;
    return text != nullptr && std::strcmp(text, sql) == 0 ? first : nullptr;
  }

  sqlite3_stmt* const raw_;
};

class Connection {
 public:
  Connection(const std::string& path, int flags, int busy_timeout_ms, const char* vfs = nullptr)
      : db_(path, flags, busy_timeout_ms, vfs != nullptr ? vfs : "") {}

  SQLite::Database& db() noexcept { return db_; }

  Stmt& statement(Q q) {
    auto& slot = statements_[static_cast<std::size_t>(q)];
    if (!slot) slot.emplace(db_, sql_of(q));
    return *slot;
  }

  bool in_transaction() const noexcept { return sqlite3_get_autocommit(db_.getHandle()) == 0; }

  // Ends whatever transaction is open; true when the connection is then idle.
  bool rollback() noexcept {
    if (!in_transaction()) return true;
    try {
      auto& s = statement(Q::rollback);
      s.tryExecuteStep();
      s.tryReset();
    } catch (...) {
    }
    return !in_transaction();
  }

 private:
  SQLite::Database db_;  // declared first: outlives the statements
  std::array<std::optional<Stmt>, query_count> statements_;
};

// A cached statement in use: reset and unbound when the use ends, however it ends, so that no
// statement stays active past the call and no binding points at a caller's string.
class Use {
 public:
  Use(Connection& c, Q q) : s_(c.statement(q)) {}
  ~Use() {
    s_.tryReset();
    try {
      s_.clearBindings();
    } catch (...) {
    }
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

  Stmt* operator->() const noexcept { return &s_; }
  Stmt& operator*() const noexcept { return s_; }

 private:
  Stmt& s_;
};

// --- value mapping -----------------------------------------------------------------------

std::int64_t to_db(std::uint64_t v) noexcept { return static_cast<std::int64_t>(v); }

// A lower bound of an "after" or "before" cursor, clamped so that a value above the int64
// range stays a bound rather than wrapping to a negative number.
std::int64_t to_db_bound(std::uint64_t v) noexcept {
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(v > max ? max : v);
}

void bind_id(SQLite::Statement& s, int i, std::uint64_t v) { s.bind(i, to_db(v)); }

void bind_id_or_null(SQLite::Statement& s, int i, std::uint64_t v) {
  if (v == 0)
    s.bind(i);
  else
    s.bind(i, to_db(v));
}

void bind_bool(SQLite::Statement& s, int i, bool v) { s.bind(i, static_cast<std::int32_t>(v)); }

// The string outlives the statement's step: no copy.
void bind_text(SQLite::Statement& s, int i, const std::string& v) { s.bindNoCopy(i, v); }
// Bound without a copy: the string must outlive the statement's execution.
void bind_text(SQLite::Statement& s, int i, std::string&& v) = delete;

// Column i of the row `s` stands on; NULL reads as 0 and as "".
std::int64_t col_i64(const Stmt& s, int i) {
  return s.raw() != nullptr ? sqlite3_column_int64(s.raw(), i) : s.getColumn(i).getInt64();
}
std::uint64_t col_u64(const Stmt& s, int i) { return static_cast<std::uint64_t>(col_i64(s, i)); }
std::uint32_t col_u32(const Stmt& s, int i) { return static_cast<std::uint32_t>(col_i64(s, i)); }
bool col_bool(const Stmt& s, int i) { return col_i64(s, i) != 0; }
std::string col_text(const Stmt& s, int i) {
  if (s.raw() == nullptr) return s.getColumn(i).getString();
  // The blob first, then its size: the order SQLite asks for.
  const auto* data = static_cast<const char*>(sqlite3_column_blob(s.raw(), i));
  const int bytes = sqlite3_column_bytes(s.raw(), i);
  return data != nullptr ? std::string(data, static_cast<std::size_t>(bytes)) : std::string();
}

// A list of tags as one TEXT value (see schema_v3): each tag followed by a comma, with every
// comma and backslash inside it preceded by a backslash.
std::string encode_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const std::string& tag : tags) {
    for (const char ch : tag) {
      if (ch == ',' || ch == '\\') out += '\\';
      out += ch;
    }
    out += ',';
  }
  return out;
}

// The inverse of encode_tags; throws (a storage_error) for a value it could not have written.
std::vector<std::string> decode_tags(const std::string& text) {
  std::vector<std::string> out;
  std::string tag;
  bool open = false;  // bytes of an unterminated tag were read
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == ',') {
      out.push_back(std::move(tag));
      tag.clear();
      open = false;
      continue;
    }
    if (ch == '\\') {
      if (++i == text.size()) throw std::runtime_error("hearth: malformed tags column");
      ch = text[i];
    }
    tag += ch;
    open = true;
  }
  if (open) throw std::runtime_error("hearth: malformed tags column");  // no final comma
  return out;
}

Member read_member(const Stmt& s) {
  Member m;
  m.id = MemberId{col_u64(s, 0)};
  m.handle = col_text(s, 1);
  m.display_name = col_text(s, 2);
  if (!s.isColumnNull(3)) m.external_ref = col_text(s, 3);
  m.bio = col_text(s, 4);
  m.created_at = col_i64(s, 5);
  m.active = col_bool(s, 6);
  m.erased_at = col_i64(s, 7);
  return m;
}

void bind_member(SQLite::Statement& s, const Member& m) {
  bind_id(s, 1, m.id.value);
  bind_text(s, 2, m.handle);
  bind_text(s, 3, m.display_name);
  if (m.external_ref)
    bind_text(s, 4, *m.external_ref);
  else
    s.bind(4);
  bind_text(s, 5, m.bio);
  s.bind(6, m.created_at);
  bind_bool(s, 7, m.active);
  s.bind(8, m.erased_at);
}

Space read_space(const Stmt& s) {
  Space sp;
  sp.id = SpaceId{col_u64(s, 0)};
  sp.parent = SpaceId{col_u64(s, 1)};
  sp.kind = static_cast<SpaceKind>(col_i64(s, 2));
  sp.name = col_text(s, 3);
  sp.description = col_text(s, 4);
  sp.visibility = static_cast<Visibility>(col_i64(s, 5));
  sp.owner = MemberId{col_u64(s, 6)};
  sp.created_at = col_i64(s, 7);
  sp.member_count = col_u32(s, 8);
  sp.thread_count = col_u32(s, 9);
  sp.join_policy = static_cast<JoinPolicy>(col_i64(s, 10));
  sp.member_cap = col_u32(s, 11);
  sp.tags = decode_tags(col_text(s, 12));
  sp.reaction_kinds = decode_tags(col_text(s, 13));
  sp.no_self_reaction = decode_tags(col_text(s, 14));
  return sp;
}

// The encoded lists of a space (encode_tags), kept alive while its statement runs.
struct SpaceLists {
  std::string tags, reaction_kinds, no_self_reaction;
  explicit SpaceLists(const Space& sp)
      : tags(encode_tags(sp.tags)),
        reaction_kinds(encode_tags(sp.reaction_kinds)),
        no_self_reaction(encode_tags(sp.no_self_reaction)) {}
};

void bind_space(SQLite::Statement& s, const Space& sp, const SpaceLists& lists) {
  bind_id(s, 1, sp.id.value);
  bind_id_or_null(s, 2, sp.parent.value);
  s.bind(3, static_cast<std::int32_t>(sp.kind));
  bind_text(s, 4, sp.name);
  bind_text(s, 5, sp.description);
  s.bind(6, static_cast<std::int32_t>(sp.visibility));
  bind_id(s, 7, sp.owner.value);
  s.bind(8, sp.created_at);
  s.bind(9, sp.member_count);
  s.bind(10, sp.thread_count);
  s.bind(11, static_cast<std::int32_t>(sp.join_policy));
  s.bind(12, sp.member_cap);
  bind_text(s, 13, lists.tags);
  bind_text(s, 14, lists.reaction_kinds);
  bind_text(s, 15, lists.no_self_reaction);
}

Membership read_membership(const Stmt& s) {
  Membership m;
  m.space = SpaceId{col_u64(s, 0)};
  m.member = MemberId{col_u64(s, 1)};
  m.joined_at = col_i64(s, 2);
  m.read_from = PostId{col_u64(s, 3)};
  return m;
}

void bind_permissions(SQLite::Statement& s, int i, Permissions p) { s.bind(i, to_db(p.bits())); }
Permissions col_permissions(const Stmt& s, int i) { return Permissions::from_bits(col_u64(s, i)); }

Role read_role(const Stmt& s) {
  Role r;
  r.id = RoleId{col_u64(s, 0)};
  r.space = SpaceId{col_u64(s, 1)};
  r.name = col_text(s, 2);
  r.permissions = col_permissions(s, 3);
  r.rank = col_u32(s, 4);
  r.created_at = col_i64(s, 5);
  return r;
}

void bind_role(SQLite::Statement& s, const Role& r) {
  bind_id(s, 1, r.id.value);
  bind_id(s, 2, r.space.value);
  bind_text(s, 3, r.name);
  bind_permissions(s, 4, r.permissions);
  s.bind(5, r.rank);
  s.bind(6, r.created_at);
}

RoleAssignment read_assignment(const Stmt& s) {
  RoleAssignment a;
  a.space = SpaceId{col_u64(s, 0)};
  a.member = MemberId{col_u64(s, 1)};
  a.role = RoleId{col_u64(s, 2)};
  a.granted_by = MemberId{col_u64(s, 3)};
  a.granted_at = col_i64(s, 4);
  return a;
}

RoleOverride read_override(const Stmt& s) {
  RoleOverride o;
  o.role = RoleId{col_u64(s, 0)};
  o.allow = col_permissions(s, 1);
  o.deny = col_permissions(s, 2);
  return o;
}

Ban read_ban(const Stmt& s) {
  Ban b;
  b.space = SpaceId{col_u64(s, 0)};
  b.member = MemberId{col_u64(s, 1)};
  b.issuer = MemberId{col_u64(s, 2)};
  b.reason = col_text(s, 3);
  b.created_at = col_i64(s, 4);
  b.expires_at = col_i64(s, 5);
  return b;
}

Report read_report(const Stmt& s) {
  Report r;
  r.id = ReportId{col_u64(s, 0)};
  r.reporter = MemberId{col_u64(s, 1)};
  r.space = SpaceId{col_u64(s, 2)};
  r.target_member = MemberId{col_u64(s, 3)};
  r.post = PostId{col_u64(s, 4)};
  r.reason = static_cast<ReportReason>(col_u32(s, 5));
  r.note = col_text(s, 6);
  r.weight = col_u32(s, 7);
  r.item = ReviewItemId{col_u64(s, 8)};
  r.status = static_cast<ReportStatus>(col_u32(s, 9));
  r.created_at = col_i64(s, 10);
  r.decided_at = col_i64(s, 11);
  return r;
}

void bind_report(SQLite::Statement& s, const Report& r) {
  bind_id(s, 1, r.id.value);
  bind_id(s, 2, r.reporter.value);
  bind_id(s, 3, r.space.value);
  bind_id(s, 4, r.target_member.value);
  bind_id(s, 5, r.post.value);
  s.bind(6, static_cast<std::int32_t>(r.reason));
  bind_text(s, 7, r.note);
  s.bind(8, r.weight);
  bind_id(s, 9, r.item.value);
  s.bind(10, static_cast<std::int32_t>(r.status));
  s.bind(11, r.created_at);
  s.bind(12, r.decided_at);
}

ReviewItem read_review_item(const Stmt& s) {
  ReviewItem i;
  i.id = ReviewItemId{col_u64(s, 0)};
  i.space = SpaceId{col_u64(s, 1)};
  i.source = static_cast<ReviewSource>(col_u32(s, 2));
  i.target_member = MemberId{col_u64(s, 3)};
  i.post = PostId{col_u64(s, 4)};
  i.weight = col_u32(s, 5);
  i.reports = col_u32(s, 6);
  i.hidden = col_bool(s, 7);
  i.claimed_by = MemberId{col_u64(s, 8)};
  i.claimed_until = col_i64(s, 9);
  i.decided = col_bool(s, 10);
  i.decision = static_cast<ReviewAction>(col_u32(s, 11));
  i.decided_by = MemberId{col_u64(s, 12)};
  i.reason = col_text(s, 13);
  i.created_at = col_i64(s, 14);
  i.decided_at = col_i64(s, 15);
  i.flag = col_text(s, 16);
  i.appeal_of = col_u64(s, 17);
  i.acted_by = MemberId{col_u64(s, 18)};
  return i;
}

void bind_review_item(SQLite::Statement& s, const ReviewItem& i) {
  bind_id(s, 1, i.id.value);
  bind_id(s, 2, i.space.value);
  s.bind(3, static_cast<std::int32_t>(i.source));
  bind_id(s, 4, i.target_member.value);
  bind_id(s, 5, i.post.value);
  s.bind(6, i.weight);
  s.bind(7, i.reports);
  bind_bool(s, 8, i.hidden);
  bind_id(s, 9, i.claimed_by.value);
  s.bind(10, i.claimed_until);
  bind_bool(s, 11, i.decided);
  s.bind(12, static_cast<std::int32_t>(i.decision));
  bind_id(s, 13, i.decided_by.value);
  bind_text(s, 14, i.reason);
  s.bind(15, i.created_at);
  s.bind(16, i.decided_at);
  bind_text(s, 17, i.flag);
  bind_id(s, 18, i.appeal_of);
  bind_id(s, 19, i.acted_by.value);
}

ModeratorNote read_note(const Stmt& s) {
  ModeratorNote n;
  n.id = ModeratorNoteId{col_u64(s, 0)};
  n.space = SpaceId{col_u64(s, 1)};
  n.member = MemberId{col_u64(s, 2)};
  n.author = MemberId{col_u64(s, 3)};
  n.body = col_text(s, 4);
  n.created_at = col_i64(s, 5);
  return n;
}

Sanction read_sanction(const Stmt& s) {
  Sanction x;
  x.id = SanctionId{col_u64(s, 0)};
  x.kind = static_cast<SanctionKind>(col_u32(s, 1));
  x.member = MemberId{col_u64(s, 2)};
  x.space = SpaceId{col_u64(s, 3)};
  x.issuer = MemberId{col_u64(s, 4)};
  x.reason = col_text(s, 5);
  x.created_at = col_i64(s, 6);
  x.expires_at = col_i64(s, 7);
  x.revoked_at = col_i64(s, 8);
  x.revoked_by = MemberId{col_u64(s, 9)};
  return x;
}

Invite read_invite(const Stmt& s) {
  Invite i;
  i.code = col_text(s, 0);
  i.space = SpaceId{col_u64(s, 1)};
  i.creator = MemberId{col_u64(s, 2)};
  i.created_at = col_i64(s, 3);
  i.expires_at = col_i64(s, 4);
  i.max_uses = col_u32(s, 5);
  i.uses = col_u32(s, 6);
  i.revoked = col_bool(s, 7);
  return i;
}

JoinRequest read_join_request(const Stmt& s) {
  JoinRequest r;
  r.space = SpaceId{col_u64(s, 0)};
  r.member = MemberId{col_u64(s, 1)};
  r.message = col_text(s, 2);
  r.created_at = col_i64(s, 3);
  return r;
}

Thread read_thread(const Stmt& s) {
  Thread t;
  t.id = ThreadId{col_u64(s, 0)};
  t.space = SpaceId{col_u64(s, 1)};
  t.author = MemberId{col_u64(s, 2)};
  t.title = col_text(s, 3);
  t.first_post = PostId{col_u64(s, 4)};
  t.last_post = PostId{col_u64(s, 5)};
  t.created_at = col_i64(s, 6);
  t.last_activity_at = col_i64(s, 7);
  t.reply_count = col_u32(s, 8);
  t.deleted = col_bool(s, 9);
  t.kind = static_cast<ThreadKind>(col_i64(s, 10));
  t.pinned = col_bool(s, 11);
  t.locked = col_bool(s, 12);
  t.archived = col_bool(s, 13);
  t.accepted_answer = PostId{col_u64(s, 14)};  // NULL reads as no id
  t.answered_by_peer = col_bool(s, 15);
  t.participant_count = col_u32(s, 16);
  t.reaction_count = col_u32(s, 17);
  t.tags = decode_tags(col_text(s, 18));
  return t;
}

// `tags` is the encoded t.tags: it outlives the statement's step.
void bind_thread(SQLite::Statement& s, const Thread& t, const std::string& tags) {
  bind_id(s, 1, t.id.value);
  bind_id(s, 2, t.space.value);
  bind_id(s, 3, t.author.value);
  bind_text(s, 4, t.title);
  bind_id(s, 5, t.first_post.value);
  bind_id(s, 6, t.last_post.value);
  s.bind(7, t.created_at);
  s.bind(8, t.last_activity_at);
  s.bind(9, t.reply_count);
  bind_bool(s, 10, t.deleted);
  s.bind(11, static_cast<std::int32_t>(t.kind));
  bind_bool(s, 12, t.pinned);
  bind_bool(s, 13, t.locked);
  bind_bool(s, 14, t.archived);
  bind_id_or_null(s, 15, t.accepted_answer.value);
  bind_bool(s, 16, t.answered_by_peer);
  s.bind(17, t.participant_count);
  s.bind(18, t.reaction_count);
  bind_text(s, 19, tags);
}

// The parameters of Q::thread_update_keys, numbered as bind_thread numbers them.
void bind_thread_keys(SQLite::Statement& s, const Thread& t) {
  bind_id(s, 1, t.id.value);
  bind_id(s, 2, t.space.value);
  bind_id(s, 6, t.last_post.value);
  bind_bool(s, 10, t.deleted);
  s.bind(11, static_cast<std::int32_t>(t.kind));
  bind_bool(s, 12, t.pinned);
  bind_id_or_null(s, 15, t.accepted_answer.value);
}

// A post's reaction counts as posts.reactions holds them: kind, count, kind, count, ... encoded
// by encode_tags, by kind.
std::string encode_reactions(const std::vector<ReactionCount>& counts) {
  std::vector<std::string> fields;
  fields.reserve(counts.size() * 2);
  for (const ReactionCount& rc : counts) {
    fields.push_back(rc.kind);
    fields.push_back(std::to_string(rc.count));
  }
  return encode_tags(fields);
}

// The inverse of encode_reactions; throws (a storage_error) for a value it could not have
// written.
std::vector<ReactionCount> decode_reactions(const std::string& text) {
  std::vector<ReactionCount> out;
  if (text.empty()) return out;
  const std::vector<std::string> fields = decode_tags(text);
  if (fields.size() % 2 != 0) throw std::runtime_error("hearth: malformed posts.reactions");
  out.reserve(fields.size() / 2);
  for (std::size_t i = 0; i < fields.size(); i += 2) {
    std::uint32_t count = 0;
    const std::string& n = fields[i + 1];
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), count);
    if (ec != std::errc{} || end != n.data() + n.size() || count == 0)
      throw std::runtime_error("hearth: malformed posts.reactions");
    out.push_back({fields[i], count});
  }
  return out;
}

Post read_post(const Stmt& s) {
  Post p;
  p.id = PostId{col_u64(s, 0)};
  p.thread = ThreadId{col_u64(s, 1)};
  p.space = SpaceId{col_u64(s, 2)};
  p.author = MemberId{col_u64(s, 3)};
  p.reply_to = PostId{col_u64(s, 4)};
  p.body = col_text(s, 5);
  p.created_at = col_i64(s, 6);
  p.edited_at = col_i64(s, 7);
  p.revision = col_u32(s, 8);
  p.deleted = col_bool(s, 9);
  p.removed = col_bool(s, 10);
  p.removal_reason = col_text(s, 11);
  p.removed_by = MemberId{col_u64(s, 12)};
  p.reactions = decode_reactions(col_text(s, 13));
  return p;
}

Reaction read_reaction(const Stmt& s) {
  Reaction r;
  r.post = PostId{col_u64(s, 0)};
  r.member = MemberId{col_u64(s, 1)};
  r.kind = col_text(s, 2);
  r.at = col_i64(s, 3);
  return r;
}

Revision read_revision(const Stmt& s) {
  Revision r;
  r.post = PostId{col_u64(s, 0)};
  r.number = col_u32(s, 1);
  r.title = col_text(s, 2);
  r.body = col_text(s, 3);
  r.editor = MemberId{col_u64(s, 4)};
  r.written_at = col_i64(s, 5);
  return r;
}

Notification read_notification(const Stmt& s) {
  Notification n;
  n.id = NotificationId{col_u64(s, 0)};
  n.recipient = MemberId{col_u64(s, 1)};
  n.kind = static_cast<NotificationKind>(col_i64(s, 2));
  n.space = SpaceId{col_u64(s, 3)};
  n.thread = ThreadId{col_u64(s, 4)};
  n.post = PostId{col_u64(s, 5)};
  n.actor = MemberId{col_u64(s, 6)};
  n.count = col_u32(s, 7);
  n.created_at = col_i64(s, 8);
  n.updated_at = col_i64(s, 9);
  n.read = col_bool(s, 10);
  return n;
}

void bind_notification(SQLite::Statement& s, const Notification& n) {
  bind_id(s, 1, n.id.value);
  bind_id(s, 2, n.recipient.value);
  s.bind(3, static_cast<std::int32_t>(n.kind));
  bind_id(s, 4, n.space.value);
  bind_id(s, 5, n.thread.value);
  bind_id(s, 6, n.post.value);
  bind_id_or_null(s, 7, n.actor.value);
  s.bind(8, n.count);
  s.bind(9, n.created_at);
  s.bind(10, n.updated_at);
  bind_bool(s, 11, n.read);
}

ReadMarker read_marker(const Stmt& s) {
  ReadMarker m;
  m.member = MemberId{col_u64(s, 0)};
  m.space = SpaceId{col_u64(s, 1)};
  m.last_read = PostId{col_u64(s, 2)};
  m.updated_at = col_i64(s, 3);
  return m;
}

Event read_event(const Stmt& s) {
  Event e;
  e.seq = col_u64(s, 0);
  e.type = static_cast<EventType>(static_cast<std::uint16_t>(col_i64(s, 1)));
  e.space = SpaceId{col_u64(s, 2)};
  e.actor = MemberId{col_u64(s, 3)};
  e.at = col_i64(s, 4);
  e.payload = col_text(s, 5);
  return e;
}

ReputationEntry read_reputation_entry(const Stmt& s) {
  ReputationEntry e;
  e.id = ReputationEntryId{col_u64(s, 0)};
  e.member = MemberId{col_u64(s, 1)};
  e.scope = SpaceId{col_u64(s, 2)};
  e.delta = col_i64(s, 3);
  e.reason = static_cast<ReputationReason>(col_i64(s, 4));
  e.note = col_text(s, 5);
  e.post = PostId{col_u64(s, 6)};
  e.thread = ThreadId{col_u64(s, 7)};
  e.source = MemberId{col_u64(s, 8)};
  e.at = col_i64(s, 9);
  e.counts_at = col_i64(s, 10);
  e.reverses = ReputationEntryId{col_u64(s, 11)};
  e.capped = col_bool(s, 12);
  return e;
}

void bind_reputation_entry(SQLite::Statement& s, const ReputationEntry& e) {
  bind_id(s, 1, e.id.value);
  bind_id(s, 2, e.member.value);
  bind_id(s, 3, e.scope.value);
  s.bind(4, e.delta);
  s.bind(5, static_cast<std::int32_t>(e.reason));
  bind_text(s, 6, e.note);
  bind_id(s, 7, e.post.value);
  bind_id(s, 8, e.thread.value);
  bind_id(s, 9, e.source.value);
  s.bind(10, e.at);
  s.bind(11, e.counts_at);
  bind_id(s, 12, e.reverses.value);
  bind_bool(s, 13, e.capped);
}

ReputationTotal read_reputation_total(const Stmt& s) {
  ReputationTotal t;
  t.scope = SpaceId{col_u64(s, 0)};
  t.window = col_text(s, 1);
  t.member = MemberId{col_u64(s, 2)};
  t.points = col_i64(s, 3);
  return t;
}

MemberActivity read_member_activity(const Stmt& s) {
  MemberActivity a;
  a.member = MemberId{col_u64(s, 0)};
  a.days_visited = col_u32(s, 1);
  a.last_visit = col_i64(s, 2);
  a.threads_entered = col_u32(s, 3);
  a.posts_read = col_u64(s, 4);
  a.read_ms = col_i64(s, 5);
  a.reactions_given = col_u32(s, 6);
  a.reactions_received = col_u32(s, 7);
  a.replies = col_u32(s, 8);
  a.threads_created = col_u32(s, 9);
  a.flags_against = col_u32(s, 10);
  a.level = static_cast<std::uint8_t>(col_u32(s, 11));
  a.level_by_hand = col_bool(s, 12);
  return a;
}

// A day row, or (from activity_day_sum) the counts summed.
ActivityDay read_activity_day(const Stmt& s) {
  ActivityDay d;
  d.member = MemberId{col_u64(s, 0)};
  d.day = col_i64(s, 1);
  d.counts.visited = col_u32(s, 2);
  d.counts.threads_entered = col_u32(s, 3);
  d.counts.posts_read = col_u64(s, 4);
  d.counts.read_ms = col_i64(s, 5);
  d.counts.reactions_given = col_u32(s, 6);
  d.counts.reactions_received = col_u32(s, 7);
  d.counts.replies = col_u32(s, 8);
  return d;
}

// --- search ------------------------------------------------------------------------------

// One term as an FTS5 phrase: its tokens in double quotes (a quote inside doubled, though the
// engine's tokens hold none), then '*' for a prefix. No text of a query reaches FTS5 unquoted.
void append_phrase(std::string& out, const SearchTerm& term) {
  out += '"';
  for (std::size_t i = 0; i < term.tokens.size(); ++i) {
    if (i > 0) out += ' ';
    for (const char ch : term.tokens[i]) {
      if (ch == '"') out += '"';
      out += ch;
    }
  }
  out += '"';
  if (term.prefix) out += '*';
}

// The MATCH expression of a query: (required AND ...) NOT (excluded OR ...).
std::string build_match(const SearchQuery& q) {
  std::string required;
  std::string excluded;
  for (const SearchTerm& term : q.terms) {
    std::string& out = term.exclude ? excluded : required;
    if (!out.empty()) out += term.exclude ? " OR " : " AND ";
    append_phrase(out, term);
  }
  std::string match = "(" + required + ")";
  if (!excluded.empty()) match += " NOT (" + excluded + ")";
  return match;
}

// hearth_score(post_search): the occurrences of the query's phrases in the row, 4 per
// occurrence in the title (column 0), 1 in the body. Excluded phrases have none in a row that
// matches. It depends on the row alone, not on the rest of the index (as bm25 would), so a
// post's score does not move while others are written and keyset pages stay stable.
void hearth_score(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int /*argc*/,
                  sqlite3_value** /*argv*/) {
  int count = 0;
  if (int rc = api->xInstCount(fts, &count); rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  std::int64_t score = 0;
  for (int i = 0; i < count; ++i) {
    int phrase = 0;
    int column = 0;
    int offset = 0;
    if (int rc = api->xInst(fts, i, &phrase, &column, &offset); rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
    score += column == 0 ? 4 : 1;
  }
  sqlite3_result_int64(ctx, score);
}

// Registers hearth_score on a connection (auxiliary functions are per connection).
void register_search_functions(SQLite::Database& db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.getHandle(), "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK)
    throw std::runtime_error("hearth: FTS5 is not available");
  sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (api == nullptr || api->iVersion < 2 ||
      api->xCreateFunction(api, "hearth_score", nullptr, hearth_score, nullptr) != SQLITE_OK)
    throw std::runtime_error("hearth: FTS5 is not available");
}

// --- errors ------------------------------------------------------------------------------

error_code map_sqlite_code(int code, int extended) noexcept {
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      switch (extended) {
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_ROWID:
          return errc::already_exists;
        case SQLITE_CONSTRAINT_FOREIGNKEY:  // the space, thread, post or member named is absent
          return errc::not_found;
        default:
          return errc::storage_error;
      }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return errc::unavailable;
    default:
      return errc::storage_error;
  }
}

error_code map_exception(const SQLite::Exception& e) noexcept {
  return map_sqlite_code(e.getErrorCode(), e.getExtendedErrorCode());
}

// A failed R (explicitly: result<bool> does not convert from an error_code).
template <class R>
R failure(error_code ec) noexcept {
  return R(boost::system::in_place_error, ec);
}

// Runs `f`, turning every exception into an error code.
template <class F>
auto no_throw(F&& f) noexcept -> decltype(f()) {
  using R = decltype(f());
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    return failure<R>(map_exception(e));
  } catch (...) {
    return failure<R>(errc::storage_error);
  }
}

// --- storage -----------------------------------------------------------------------------

// The VFS of a connection that needs none of the adapter's wrappers: SQLite's default, or with
// SqliteOptions::exclusive its "unix-excl" (wal_vfs.hpp).
const char* base_vfs(bool exclusive) noexcept { return exclusive ? "unix-excl" : nullptr; }

const char* synchronous_pragma(Synchronous s) noexcept {
  switch (s) {
    case Synchronous::off:
      return "PRAGMA synchronous = OFF";
    case Synchronous::full:
      return "PRAGMA synchronous = FULL";
    case Synchronous::normal:
      break;
  }
  return "PRAGMA synchronous = NORMAL";
}

class SqliteStorage;

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(std::shared_ptr<SqliteStorage> owner, TxMode mode, Connection& conn,
                    std::unique_lock<std::mutex> write_lock, std::uint32_t search_batch) noexcept
      : owner_(std::move(owner)),
        mode_(mode),
        conn_(&conn),
        write_lock_(std::move(write_lock)),
        search_batch_(search_batch) {}
  ~SqliteTransaction() override { finish(); }
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  // BEGIN (deferred or immediate). On failure the transaction is unusable.
  result<void> start() noexcept {
    return no_throw([&]() -> result<void> {
      Use s(*conn_, mode_ == TxMode::write ? Q::begin_write : Q::begin_read);
      s->exec();
      return {};
    });
  }

  // Ends the SQL transaction. The connection (and, for a write transaction, the writer lock)
  // stays held until the transaction is destroyed, as with MemoryStorage: the engine queues
  // the committed events for dispatch before letting the next writer in.
  result<void> commit() override {
    if (ended_) return errc::internal;
    ended_ = true;
    if (failed_) {
      conn_->rollback();
      return errc::storage_error;
    }
    auto r = no_throw([&]() -> result<void> {
      if (indexed_) index_pending(*conn_);
      Use s(*conn_, Q::commit);
      s->exec();
      return {};
    });
    if (!r) conn_->rollback();  // in case the failed COMMIT left the transaction open
    return r;
  }

  bool has_savepoints() const noexcept override { return mode_ == TxMode::write; }

  result<void> savepoint() override {
    if (ended_ || mode_ != TxMode::write || failed_ || in_savepoint_) return spoil(errc::internal);
    HEARTH_CHECK(exec_or_spoil(Q::savepoint));
    in_savepoint_ = true;
    return {};
  }

  result<void> release_savepoint() override {
    if (ended_ || !in_savepoint_) return spoil(errc::internal);
    in_savepoint_ = false;
    return exec_or_spoil(Q::release_savepoint);
  }

  // ROLLBACK TO keeps the savepoint open: RELEASE closes it. Where the backend lost the
  // transaction (it rolled it back on an I/O error), both fail and the transaction stays spoilt.
  result<void> rollback_to_savepoint() override {
    if (ended_ || !in_savepoint_) return spoil(errc::internal);
    in_savepoint_ = false;
    HEARTH_CHECK(exec_or_spoil(Q::rollback_to_savepoint));
    HEARTH_CHECK(exec_or_spoil(Q::release_savepoint));
    failed_ = false;
    return {};
  }

  // --- members ---
  result<void> insert_member(const Member& m) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::member_insert);
      bind_member(*s, m);
      s->exec();
      return {};
    });
  }

  result<void> update_member(const Member& m) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::member_update);
      bind_member(*s, m);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<Member> get_member(MemberId id) override {
    return read([&](Connection& c) -> result<Member> {
      Use s(c, Q::member_get);
      bind_id(*s, 1, id.value);
      if (!s->executeStep()) return errc::not_found;
      return read_member(*s);
    });
  }

  result<Member> find_member_by_handle(std::string_view handle) override {
    return read([&](Connection& c) -> result<Member> {
      Use s(c, Q::member_by_handle);
      s->bind(1, std::string(handle));
      if (!s->executeStep()) return errc::not_found;
      return read_member(*s);
    });
  }

  result<Member> find_member_by_external_ref(std::string_view ref) override {
    return read([&](Connection& c) -> result<Member> {
      Use s(c, Q::member_by_ref);
      s->bind(1, std::string(ref));
      if (!s->executeStep()) return errc::not_found;
      return read_member(*s);
    });
  }

  // --- spaces ---
  result<void> insert_space(const Space& sp) override {
    return write([&](Connection& c) -> result<void> {
      const SpaceLists lists(sp);
      Use s(c, Q::space_insert);
      bind_space(*s, sp, lists);
      s->exec();
      return {};
    });
  }

  result<void> update_space(const Space& sp) override {
    return write([&](Connection& c) -> result<void> {
      const SpaceLists lists(sp);
      {
        Use s(c, Q::space_update);
        bind_space(*s, sp, lists);
        if (s->exec() == 0) return errc::not_found;
      }
      {
        Use s(c, Q::space_parent_get);
        bind_id(*s, 1, sp.id.value);
        if (s->executeStep() && col_u64(*s, 0) == sp.parent.value) return {};
      }
      Use s(c, Q::space_update_parent);
      bind_id(*s, 1, sp.id.value);
      bind_id_or_null(*s, 2, sp.parent.value);
      s->exec();
      return {};
    });
  }

  result<Space> get_space(SpaceId id) override {
    return read([&](Connection& c) -> result<Space> {
      Use s(c, Q::space_get);
      bind_id(*s, 1, id.value);
      if (!s->executeStep()) return errc::not_found;
      return read_space(*s);
    });
  }

  result<std::vector<Space>> list_child_spaces(SpaceId parent, SpaceId after,
                                               std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Space>> {
      Use s(c, Q::space_children);
      bind_id_or_null(*s, 1, parent.value);
      s->bind(2, to_db_bound(after.value));
      s->bind(3, limit);
      std::vector<Space> out;
      while (s->executeStep()) out.push_back(read_space(*s));
      return out;
    });
  }

  result<std::vector<SpaceHit>> find_spaces(const SpaceQuery& q, SpacePosition after,
                                            std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<SpaceHit>> {
      Use s(c, Q::space_find);
      bind_bool(*s, 1, q.parent.has_value());
      bind_id_or_null(*s, 2, q.parent ? q.parent->value : 0);
      s->bind(3, q.kind ? static_cast<int>(*q.kind) : -1);
      bind_bool(*s, 4, q.hide_full);
      bind_bool(*s, 5, q.open_only);
      s->bind(7, q.sort == SpaceSort::members ? 1 : 0);
      s->bind(8, to_db_bound(after.key));
      s->bind(9, to_db_bound(after.id.value));
      std::vector<SpaceHit> out;
      while (out.size() < limit && s->executeStep()) {
        SpaceHit hit{read_space(*s), PostId{col_u64(*s, 15)}, 0};
        if (!matches(q, hit.space)) continue;  // the text and the tag
        out.push_back(std::move(hit));
      }
      return out;
    });
  }

  // --- membership ---
  result<void> insert_membership(const Membership& m) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::membership_insert);
      bind_id(*s, 1, m.space.value);
      bind_id(*s, 2, m.member.value);
      s->bind(3, m.joined_at);
      bind_id_or_null(*s, 4, m.read_from.value);
      s->exec();
      return {};
    });
  }

  result<void> delete_membership(SpaceId space, MemberId member) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::membership_delete);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, member.value);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<Membership> get_membership(SpaceId space, MemberId member) override {
    return read([&](Connection& c) -> result<Membership> {
      Use s(c, Q::membership_get);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, member.value);
      if (!s->executeStep()) return errc::not_found;
      return read_membership(*s);
    });
  }

  result<std::vector<Membership>> list_memberships(SpaceId space, MemberId after,
                                                   std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Membership>> {
      Use s(c, Q::membership_list);
      bind_id(*s, 1, space.value);
      s->bind(2, to_db_bound(after.value));
      s->bind(3, limit);
      std::vector<Membership> out;
      while (s->executeStep()) out.push_back(read_membership(*s));
      return out;
    });
  }

  // --- roles ---
  result<void> insert_role(const Role& r) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::role_insert);
      bind_role(*s, r);
      s->exec();  // the FK on space_id: not_found for an absent space
      return {};
    });
  }

  result<void> update_role(const Role& r) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::role_update);
      bind_id(*s, 1, r.id.value);
      bind_text(*s, 2, r.name);
      bind_permissions(*s, 3, r.permissions);
      s->bind(4, r.rank);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<Role> get_role(RoleId id) override {
    return read([&](Connection& c) -> result<Role> {
      Use s(c, Q::role_get);
      bind_id(*s, 1, id.value);
      if (!s->executeStep()) return errc::not_found;
      return read_role(*s);
    });
  }

  result<std::vector<Role>> list_roles(SpaceId space) override {
    return read([&](Connection& c) -> result<std::vector<Role>> {
      Use s(c, Q::role_list);
      bind_id(*s, 1, space.value);
      std::vector<Role> out;
      while (s->executeStep()) out.push_back(read_role(*s));
      return out;
    });
  }

  result<void> delete_role(RoleId id) override {
    return write([&](Connection& c) -> result<void> {
      {
        Use s(c, Q::role_delete);
        bind_id(*s, 1, id.value);
        if (s->exec() == 0) return errc::not_found;
      }
      {
        Use s(c, Q::role_delete_assignments);
        bind_id(*s, 1, id.value);
        s->exec();
      }
      Use s(c, Q::role_delete_overrides);
      bind_id(*s, 1, id.value);
      s->exec();
      return {};
    });
  }

  result<void> insert_role_assignment(const RoleAssignment& a) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::assignment_insert);
      bind_id(*s, 1, a.space.value);
      bind_id(*s, 2, a.member.value);
      bind_id(*s, 3, a.role.value);
      bind_id_or_null(*s, 4, a.granted_by.value);
      s->bind(5, a.granted_at);
      s->exec();
      return {};
    });
  }

  result<void> delete_role_assignment(SpaceId space, MemberId member, RoleId role) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::assignment_delete);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, member.value);
      bind_id(*s, 3, role.value);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<std::vector<RoleAssignment>> list_role_assignments(SpaceId space,
                                                            MemberId member) override {
    return read([&](Connection& c) -> result<std::vector<RoleAssignment>> {
      Use s(c, Q::assignment_list);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, member.value);
      std::vector<RoleAssignment> out;
      while (s->executeStep()) out.push_back(read_assignment(*s));
      return out;
    });
  }

  result<void> put_override(SpaceId space, const RoleOverride& o) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::override_put);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, o.role.value);
      bind_permissions(*s, 3, o.allow);
      bind_permissions(*s, 4, o.deny);
      s->exec();
      return {};
    });
  }

  result<void> delete_override(SpaceId space, RoleId role) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::override_delete);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, role.value);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<std::vector<RoleOverride>> list_overrides(SpaceId space) override {
    return read([&](Connection& c) -> result<std::vector<RoleOverride>> {
      Use s(c, Q::override_list);
      bind_id(*s, 1, space.value);
      std::vector<RoleOverride> out;
      while (s->executeStep()) out.push_back(read_override(*s));
      return out;
    });
  }

  // --- bans, invites, join requests ---
  result<void> put_ban(const Ban& b) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::ban_put);
      bind_id(*s, 1, b.space.value);
      bind_id(*s, 2, b.member.value);
      bind_id_or_null(*s, 3, b.issuer.value);
      bind_text(*s, 4, b.reason);
      s->bind(5, b.created_at);
      s->bind(6, b.expires_at);
      s->exec();
      return {};
    });
  }

  result<void> delete_ban(SpaceId space, MemberId member) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::ban_delete);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, member.value);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<Ban> get_ban(SpaceId space, MemberId member) override {
    return read([&](Connection& c) -> result<Ban> {
      Use s(c, Q::ban_get);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, member.value);
      if (!s->executeStep()) return errc::not_found;
      return read_ban(*s);
    });
  }

  result<std::vector<Ban>> list_bans(SpaceId space, MemberId after, std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Ban>> {
      Use s(c, Q::ban_list);
      bind_id(*s, 1, space.value);
      s->bind(2, to_db_bound(after.value));
      s->bind(3, limit);
      std::vector<Ban> out;
      while (s->executeStep()) out.push_back(read_ban(*s));
      return out;
    });
  }

  // --- sanctions ---
  result<void> insert_sanction(const Sanction& x) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::sanction_insert);
      bind_id(*s, 1, x.id.value);
      s->bind(2, static_cast<std::int32_t>(x.kind));
      bind_id(*s, 3, x.member.value);
      bind_id(*s, 4, x.space.value);
      bind_id(*s, 5, x.issuer.value);
      bind_text(*s, 6, x.reason);
      s->bind(7, x.created_at);
      s->bind(8, x.expires_at);
      s->bind(9, x.revoked_at);
      bind_id(*s, 10, x.revoked_by.value);
      s->exec();
      return {};
    });
  }

  result<void> update_sanction(const Sanction& x) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::sanction_update);
      bind_id(*s, 1, x.id.value);
      s->bind(2, x.revoked_at);
      bind_id(*s, 3, x.revoked_by.value);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<Sanction> get_sanction(SanctionId id) override {
    return read([&](Connection& c) -> result<Sanction> {
      Use s(c, Q::sanction_get);
      bind_id(*s, 1, id.value);
      if (!s->executeStep()) return errc::not_found;
      return read_sanction(*s);
    });
  }

  result<std::vector<Sanction>> list_sanctions(MemberId member, SanctionId after,
                                               std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Sanction>> {
      Use s(c, Q::sanction_list);
      bind_id(*s, 1, member.value);
      s->bind(2, to_db_bound(after.value));
      s->bind(3, limit);
      std::vector<Sanction> out;
      while (s->executeStep()) out.push_back(read_sanction(*s));
      return out;
    });
  }

  result<std::vector<Sanction>> list_sanctions_in_force(MemberId member, Timestamp now) override {
    return read([&](Connection& c) -> result<std::vector<Sanction>> {
      Use s(c, Q::sanction_in_force);
      bind_id(*s, 1, member.value);
      s->bind(2, now);
      std::vector<Sanction> out;
      while (s->executeStep()) out.push_back(read_sanction(*s));
      return out;
    });
  }

  result<void> insert_invite(const Invite& i) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::invite_insert);
      bind_text(*s, 1, i.code);
      bind_id(*s, 2, i.space.value);
      bind_id_or_null(*s, 3, i.creator.value);
      s->bind(4, i.created_at);
      s->bind(5, i.expires_at);
      s->bind(6, i.max_uses);
      s->bind(7, i.uses);
      bind_bool(*s, 8, i.revoked);
      s->exec();
      return {};
    });
  }

  result<void> update_invite(const Invite& i) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::invite_update);
      bind_text(*s, 1, i.code);
      s->bind(2, i.expires_at);
      s->bind(3, i.max_uses);
      s->bind(4, i.uses);
      bind_bool(*s, 5, i.revoked);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<Invite> get_invite(std::string_view code) override {
    return read([&](Connection& c) -> result<Invite> {
      const std::string k(code);
      Use s(c, Q::invite_get);
      bind_text(*s, 1, k);
      if (!s->executeStep()) return errc::not_found;
      return read_invite(*s);
    });
  }

  result<std::vector<Invite>> list_invites(SpaceId space, std::string_view after,
                                           std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Invite>> {
      const std::string k(after);
      Use s(c, Q::invite_list);
      bind_id(*s, 1, space.value);
      bind_text(*s, 2, k);
      s->bind(3, limit);
      std::vector<Invite> out;
      while (s->executeStep()) out.push_back(read_invite(*s));
      return out;
    });
  }

  result<void> insert_join_request(const JoinRequest& r) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::join_request_insert);
      bind_id(*s, 1, r.space.value);
      bind_id(*s, 2, r.member.value);
      bind_text(*s, 3, r.message);
      s->bind(4, r.created_at);
      s->exec();
      return {};
    });
  }

  result<void> delete_join_request(SpaceId space, MemberId member) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::join_request_delete);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, member.value);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<JoinRequest> get_join_request(SpaceId space, MemberId member) override {
    return read([&](Connection& c) -> result<JoinRequest> {
      Use s(c, Q::join_request_get);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, member.value);
      if (!s->executeStep()) return errc::not_found;
      return read_join_request(*s);
    });
  }

  result<std::vector<JoinRequest>> list_join_requests(SpaceId space, MemberId after,
                                                      std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<JoinRequest>> {
      Use s(c, Q::join_request_list);
      bind_id(*s, 1, space.value);
      s->bind(2, to_db_bound(after.value));
      s->bind(3, limit);
      std::vector<JoinRequest> out;
      while (s->executeStep()) out.push_back(read_join_request(*s));
      return out;
    });
  }

  // --- threads and posts ---
  result<void> insert_thread(const Thread& t) override {
    return write([&](Connection& c) -> result<void> {
      const std::string tags = encode_tags(t.tags);
      {
        Use s(c, Q::thread_insert);
        bind_thread(*s, t, tags);
        s->exec();
      }
      insert_thread_tags(c, t);
      return {};
    });
  }

  // Called on every reply: thread_tags is rewritten only when the tags changed, which costs
  // one read of the stored tags otherwise.
  result<void> update_thread(const Thread& t) override {
    return write([&](Connection& c) -> result<void> {
      const std::string tags = encode_tags(t.tags);
      bool same_tags = false;
      {
        Use s(c, Q::thread_tags_get);
        bind_id(*s, 1, t.id.value);
        if (!s->executeStep()) return errc::not_found;
        same_tags = col_text(*s, 0) == tags;
      }
      {
        Use s(c, Q::thread_update);
        bind_thread(*s, t, tags);
        if (s->exec() == 0) return errc::not_found;
      }
      {
        Use s(c, Q::thread_update_keys);
        bind_thread_keys(*s, t);
        s->exec();
      }
      if (same_tags) return {};
      {
        Use s(c, Q::thread_tags_clear);
        bind_id(*s, 1, t.id.value);
        s->exec();
      }
      insert_thread_tags(c, t);
      return {};
    });
  }

  result<Thread> get_thread(ThreadId id) override {
    return read([&](Connection& c) -> result<Thread> {
      Use s(c, Q::thread_get);
      bind_id(*s, 1, id.value);
      if (!s->executeStep()) return errc::not_found;
      return read_thread(*s);
    });
  }

  result<std::vector<Thread>> list_threads(SpaceId space, const ThreadListing& q,
                                           ThreadPosition after, std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Thread>> {
      const bool tagged = !q.tag.empty();
      Use s(c, tagged ? (q.unanswered_only ? Q::thread_list_tag_unanswered : Q::thread_list_tag)
                      : (q.unanswered_only ? Q::thread_list_unanswered : Q::thread_list));
      bind_id(*s, 1, space.value);
      bind_bool(*s, 2, after.pinned);
      s->bind(3, after.last_post ? to_db_bound(after.last_post.value)
                                 : std::numeric_limits<std::int64_t>::max());
      s->bind(4, limit);
      if (tagged) bind_text(*s, 5, q.tag);
      std::vector<Thread> out;
      while (s->executeStep()) out.push_back(read_thread(*s));
      return out;
    });
  }

  result<void> move_posts(ThreadId thread, SpaceId space) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::thread_move_posts);
      bind_id(*s, 1, thread.value);
      bind_id(*s, 2, space.value);
      s->exec();  // a thread with no posts (or no thread) has nothing to move
      return {};
    });
  }

  result<bool> has_posted(ThreadId thread, MemberId member) override {
    return read([&](Connection& c) -> result<bool> {
      Use s(c, Q::thread_has_posted);
      bind_id(*s, 1, thread.value);
      bind_id(*s, 2, member.value);
      if (!s->executeStep()) return false;
      return col_bool(*s, 0);
    });
  }

  result<void> insert_post(const Post& p) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::post_insert);
      bind_id(*s, 1, p.id.value);
      bind_id(*s, 2, p.thread.value);
      bind_id(*s, 3, p.space.value);
      bind_id(*s, 4, p.author.value);
      bind_id_or_null(*s, 5, p.reply_to.value);
      bind_text(*s, 6, p.body);
      s->bind(7, p.created_at);
      s->bind(8, p.edited_at);
      s->bind(9, p.revision);
      bind_bool(*s, 10, p.deleted);
      bind_bool(*s, 11, p.removed);
      bind_text(*s, 12, p.removal_reason);
      bind_id_or_null(*s, 13, p.removed_by.value);
      s->exec();
      return {};
    });
  }

  result<void> update_post(const Post& p) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::post_update);
      bind_id(*s, 1, p.id.value);
      bind_text(*s, 2, p.body);
      s->bind(3, p.edited_at);
      s->bind(4, p.revision);
      bind_bool(*s, 5, p.deleted);
      bind_bool(*s, 6, p.removed);
      bind_text(*s, 7, p.removal_reason);
      bind_id_or_null(*s, 8, p.removed_by.value);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<Post> get_post(PostId id) override {
    return read([&](Connection& c) -> result<Post> {
      Post p;
      {
        Use s(c, Q::post_get);
        bind_id(*s, 1, id.value);
        if (!s->executeStep()) return errc::not_found;
        p = read_post(*s);
      }
      return p;
    });
  }

  result<std::vector<Post>> list_posts(ThreadId thread, PostId after,
                                       std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Post>> {
      std::vector<Post> out;
      {
        Use s(c, Q::post_list);
        bind_id(*s, 1, thread.value);
        s->bind(2, to_db_bound(after.value));
        s->bind(3, limit);
        while (s->executeStep()) out.push_back(read_post(*s));
      }
      return out;
    });
  }

  result<void> insert_revision(const Revision& r) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::revision_insert);
      bind_id(*s, 1, r.post.value);
      s->bind(2, r.number);
      bind_text(*s, 3, r.title);
      bind_text(*s, 4, r.body);
      bind_id(*s, 5, r.editor.value);
      s->bind(6, r.written_at);
      s->exec();
      return {};
    });
  }

  result<std::vector<Revision>> list_revisions(PostId post) override {
    return read([&](Connection& c) -> result<std::vector<Revision>> {
      Use s(c, Q::revision_list);
      bind_id(*s, 1, post.value);
      std::vector<Revision> out;
      while (s->executeStep()) out.push_back(read_revision(*s));
      return out;
    });
  }

  // --- search ---
  // With search_index_batch > 1 the text waits in search_pending, which search_posts matches
  // too, until a commit finds a batch there (index_pending). A post's text is in one place or
  // the other, never both.
  result<void> index_post(PostId post, const SearchDoc& doc) override {
    return write([&](Connection& c) -> result<void> {
      const bool batched = search_batch_ > 1;
      Use s(c, batched ? Q::search_pending_insert : Q::search_insert);
      bind_id(*s, 1, post.value);
      bind_text(*s, 2, doc.title);
      bind_text(*s, 3, doc.body);
      s->exec();
      indexed_ = true;
      return {};
    });
  }

  result<void> unindex_post(PostId post, const SearchDoc& indexed) override {
    return write([&](Connection& c) -> result<void> {
      {
        Use s(c, Q::search_pending_delete);
        bind_id(*s, 1, post.value);
        if (s->exec() > 0) return {};
      }
      Use s(c, Q::search_unindex);
      bind_id(*s, 1, post.value);
      bind_text(*s, 2, indexed.title);
      bind_text(*s, 3, indexed.body);
      s->exec();
      return {};
    });
  }

  result<std::vector<ScoredPost>> search_posts(const SearchQuery& q, std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<ScoredPost>> {
      const std::string match = build_match(q);
      std::string spaces;
      if (!q.spaces.empty()) {
        spaces = "[";
        for (const SpaceId id : q.spaces) {
          if (spaces.size() > 1) spaces += ',';
          spaces += std::to_string(to_db(id.value));
        }
        spaces += ']';
      }
      const bool newest = q.sort == SearchSort::newest;
      auto bind_filters = [&](SQLite::Statement& s) {
        if (!q.spaces.empty()) bind_text(s, 2, spaces);
        if (q.author) bind_id(s, 3, q.author.value);
        if (!q.tag.empty()) bind_text(s, 4, q.tag);
        if (q.from) s.bind(5, q.from);
        if (q.to) s.bind(6, q.to);
      };
      std::vector<ScoredPost> out;
      {
        Use s(c, newest ? Q::search_newest : Q::search_relevance);
        bind_text(*s, 1, match);
        bind_filters(*s);
        if (q.after_post) {
          s->bind(7, static_cast<std::int64_t>(q.after_score));
          s->bind(8, to_db_bound(q.after_post.value));
        } else if (newest) {  // a bound FTS5 can use, not an OR
          s->bind(8, std::numeric_limits<std::int64_t>::max());
        }
        s->bind(9, limit);
        while (s->executeStep()) out.push_back({read_post(*s), col_u32(*s, 14)});
      }
      // The posts waiting for the next batch, matched here: each list holds its first
      // `limit` results, so the first `limit` of both together are the page.
      const std::size_t indexed = out.size();
      {
        Use s(c, Q::search_pending_find);
        bind_filters(*s);
        s->bind(8, newest && q.after_post ? to_db_bound(q.after_post.value)
                                          : std::numeric_limits<std::int64_t>::max());
        while (s->executeStep()) {
          const auto score = search_score(search_field_tokens(col_text(*s, 14)),
                                          search_field_tokens(col_text(*s, 15)), q.terms);
          if (!score) continue;
          Post p = read_post(*s);
          if (!search_past_keyset(q, *score, p.id)) continue;
          out.push_back({std::move(p), *score});
        }
      }
      if (out.size() == indexed) return out;
      auto before = [newest](const ScoredPost& a, const ScoredPost& b) {
        if (!newest && a.score != b.score) return a.score > b.score;
        return a.post.id.value > b.post.id.value;
      };
      std::sort(out.begin(), out.end(), before);
      if (out.size() > limit) out.resize(limit);
      return out;
    });
  }

  result<std::vector<Post>> list_unindexed_posts(PostId after, std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Post>> {
      std::vector<Post> out;
      {
        Use s(c, Q::search_unindexed);
        s->bind(1, to_db_bound(after.value));
        s->bind(2, limit);
        while (s->executeStep()) out.push_back(read_post(*s));
      }
      if (mode_ != TxMode::write) return out;
      if (out.size() < limit) {
        // The last of them: the marker goes with this transaction, so later calls cost nothing
        // (a rollback keeps it).
        Use s(c, Q::search_backfill_clear);
        s->exec();
      } else if (!out.empty()) {
        // The engine indexes what it is given in this transaction: once it commits they are
        // done, and an engine opening the file again goes on after them.
        Use s(c, Q::search_backfill_done);
        bind_id(*s, 1, out.back().id.value);
        s->exec();
      }
      return out;
    });
  }

  // --- reactions ---
  // The post's counts; nothing when there is no such post.
  static std::optional<std::vector<ReactionCount>> post_reactions(Connection& c, PostId post) {
    Use s(c, Q::post_reactions_get);
    bind_id(*s, 1, post.value);
    if (!s->executeStep()) return std::nullopt;
    return decode_reactions(col_text(*s, 0));
  }

  static void set_post_reactions(Connection& c, PostId post,
                                 const std::vector<ReactionCount>& counts) {
    const std::string text = encode_reactions(counts);  // bound without a copy
    Use s(c, Q::post_reactions_set);
    bind_id(*s, 1, post.value);
    bind_text(*s, 2, text);
    s->exec();
  }

  result<bool> add_reaction(PostId post, MemberId member, std::string_view kind,
                            Timestamp at) override {
    return write([&](Connection& c) -> result<bool> {
      const std::string k(kind);
      {
        Use s(c, Q::reaction_insert);
        bind_id(*s, 1, post.value);
        bind_id(*s, 2, member.value);
        bind_text(*s, 3, k);
        s->bind(4, at);
        if (s->exec() == 0) return false;  // already stored
      }
      auto stored = post_reactions(c, post);
      if (!stored) return errc::not_found;  // unreachable: the FK found the post
      std::vector<ReactionCount>& counts = *stored;
      auto it = std::lower_bound(
          counts.begin(), counts.end(), k,
          [](const ReactionCount& rc, const std::string& x) { return rc.kind < x; });
      if (it != counts.end() && it->kind == k)
        ++it->count;
      else
        counts.insert(it, ReactionCount{k, 1});
      set_post_reactions(c, post, counts);
      return true;
    });
  }

  result<bool> remove_reaction(PostId post, MemberId member, std::string_view kind) override {
    return write([&](Connection& c) -> result<bool> {
      const std::string k(kind);
      {
        Use s(c, Q::reaction_delete);
        bind_id(*s, 1, post.value);
        bind_id(*s, 2, member.value);
        bind_text(*s, 3, k);
        if (s->exec() == 0) return false;
      }
      auto stored = post_reactions(c, post);
      if (!stored) return true;  // unreachable: the FK kept the post
      std::vector<ReactionCount>& counts = *stored;
      auto it = std::find_if(counts.begin(), counts.end(),
                             [&](const ReactionCount& rc) { return rc.kind == k; });
      if (it != counts.end() && --it->count == 0) counts.erase(it);
      set_post_reactions(c, post, counts);
      return true;
    });
  }

  result<std::vector<Reaction>> list_reactions(PostId post, std::string_view kind, MemberId after,
                                               std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Reaction>> {
      const std::string k(kind);
      Use s(c, Q::reaction_list);
      bind_id(*s, 1, post.value);
      bind_text(*s, 2, k);
      s->bind(3, to_db_bound(after.value));
      s->bind(4, limit);
      std::vector<Reaction> out;
      while (s->executeStep()) out.push_back(read_reaction(*s));
      return out;
    });
  }

  result<std::vector<Reaction>> list_member_reactions(PostId post, MemberId member) override {
    return read([&](Connection& c) -> result<std::vector<Reaction>> {
      // One look-up per kind the post has: the key leads with (post_id, kind).
      std::vector<Reaction> out;
      for (const ReactionCount& rc :
           post_reactions(c, post).value_or(std::vector<ReactionCount>{})) {
        Use s(c, Q::reaction_get);
        bind_id(*s, 1, post.value);
        bind_id(*s, 2, member.value);
        bind_text(*s, 3, rc.kind);
        if (s->executeStep()) out.push_back(read_reaction(*s));
      }
      return out;
    });
  }

  // --- notifications ---
  result<void> insert_notification(const Notification& n) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::notification_insert);
      bind_notification(*s, n);
      s->exec();
      return {};
    });
  }

  result<void> update_notification(NotificationId id, const Notification& n) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, n.id == id ? Q::notification_update : Q::notification_update_id);
      bind_notification(*s, n);
      bind_id(*s, 12, id.value);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<Notification> get_notification(MemberId recipient, NotificationId id) override {
    return read([&](Connection& c) -> result<Notification> {
      Use s(c, Q::notification_get);
      bind_id(*s, 1, recipient.value);
      bind_id(*s, 2, id.value);
      if (!s->executeStep()) return errc::not_found;
      return read_notification(*s);
    });
  }

  result<Notification> find_reaction_notification(MemberId recipient, PostId post) override {
    return read([&](Connection& c) -> result<Notification> {
      Use s(c, Q::notification_find_reaction);
      bind_id(*s, 1, recipient.value);
      bind_id(*s, 2, post.value);
      if (!s->executeStep()) return errc::not_found;
      return read_notification(*s);
    });
  }

  result<std::vector<Notification>> list_notifications(MemberId recipient, NotificationId before,
                                                       bool unread_only,
                                                       std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Notification>> {
      Use s(c, unread_only ? Q::notification_list_unread : Q::notification_list);
      bind_id(*s, 1, recipient.value);
      s->bind(2, to_db_bound(before ? before.value : std::numeric_limits<std::uint64_t>::max()));
      s->bind(3, limit);
      std::vector<Notification> out;
      while (s->executeStep()) out.push_back(read_notification(*s));
      return out;
    });
  }

  result<std::uint32_t> mark_notifications_read(MemberId recipient, NotificationId up_to) override {
    return write([&](Connection& c) -> result<std::uint32_t> {
      Use s(c, Q::notification_mark_read);
      bind_id(*s, 1, recipient.value);
      s->bind(2, to_db_bound(up_to.value));
      return static_cast<std::uint32_t>(s->exec());
    });
  }

  result<std::vector<std::pair<SpaceId, std::uint32_t>>> count_unread_notifications(
      MemberId recipient) override {
    return read([&](Connection& c) -> result<std::vector<std::pair<SpaceId, std::uint32_t>>> {
      Use s(c, Q::notification_count_unread);
      bind_id(*s, 1, recipient.value);
      std::vector<std::pair<SpaceId, std::uint32_t>> out;
      while (s->executeStep()) out.emplace_back(SpaceId{col_u64(*s, 0)}, col_u32(*s, 1));
      return out;
    });
  }

  // --- read markers ---
  result<void> put_read_marker(const ReadMarker& m) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::marker_put);
      bind_id(*s, 1, m.member.value);
      bind_id(*s, 2, m.space.value);
      bind_id(*s, 3, m.last_read.value);
      s->bind(4, m.updated_at);
      s->exec();
      return {};
    });
  }

  result<ReadMarker> get_read_marker(SpaceId space, MemberId member) override {
    return read([&](Connection& c) -> result<ReadMarker> {
      Use s(c, Q::marker_get);
      bind_id(*s, 1, member.value);
      bind_id(*s, 2, space.value);
      if (!s->executeStep()) return errc::not_found;
      return read_marker(*s);
    });
  }

  result<std::vector<ReadMarker>> list_read_markers(MemberId member) override {
    return read([&](Connection& c) -> result<std::vector<ReadMarker>> {
      Use s(c, Q::marker_list);
      bind_id(*s, 1, member.value);
      std::vector<ReadMarker> out;
      while (s->executeStep()) out.push_back(read_marker(*s));
      return out;
    });
  }

  result<std::vector<Membership>> list_member_spaces(MemberId member, SpaceId after,
                                                     std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Membership>> {
      Use s(c, Q::member_spaces);
      bind_id(*s, 1, member.value);
      s->bind(2, to_db_bound(after.value));
      s->bind(3, limit);
      std::vector<Membership> out;
      while (s->executeStep()) out.push_back(read_membership(*s));
      return out;
    });
  }

  result<std::uint32_t> count_posts_after(SpaceId space, PostId after, MemberId except,
                                          std::uint32_t cap) override {
    return read([&](Connection& c) -> result<std::uint32_t> {
      Use s(c, Q::posts_count_after);
      bind_id(*s, 1, space.value);
      s->bind(2, to_db_bound(after.value));
      bind_id_or_null(*s, 3, except.value);
      s->bind(4, cap);
      if (!s->executeStep()) return std::uint32_t{0};
      return col_u32(*s, 0);
    });
  }

  // --- reputation ---
  result<void> insert_reputation_entry(const ReputationEntry& e) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::ledger_insert);
      bind_reputation_entry(*s, e);
      s->exec();  // the primary key: already_exists for a taken id
      return {};
    });
  }

  // Walks the narrowest index the query names, as MemoryStorage does: the post, else the
  // thread, else (source, member), else the source, else the member, else the whole ledger.
  result<std::vector<ReputationEntry>> list_reputation_entries(const LedgerQuery& q,
                                                               ReputationEntryId after,
                                                               std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<ReputationEntry>> {
      const Q path = q.post                 ? Q::ledger_by_post
                     : q.thread             ? Q::ledger_by_thread
                     : q.source && q.member ? Q::ledger_by_source
                     : q.source             ? Q::ledger_by_source_only
                     : q.member             ? Q::ledger_by_member
                                            : Q::ledger_all;
      Use s(c, path);
      bind_id_or_null(*s, 1, q.member.value);
      bind_id_or_null(*s, 2, q.post.value);
      bind_id_or_null(*s, 3, q.thread.value);
      bind_id_or_null(*s, 4, q.source.value);
      s->bind(5, q.since);
      s->bind(6, to_db_bound(after.value));
      s->bind(7, limit);
      std::vector<ReputationEntry> out;
      while (s->executeStep()) out.push_back(read_reputation_entry(*s));
      return out;
    });
  }

  result<ReputationTotal> get_reputation_total(SpaceId scope, std::string_view window,
                                               MemberId member) override {
    return read([&](Connection& c) -> result<ReputationTotal> {
      const std::string w(window);
      Use s(c, Q::total_get);
      bind_id(*s, 1, scope.value);
      bind_text(*s, 2, w);
      bind_id(*s, 3, member.value);
      if (!s->executeStep()) return errc::not_found;
      return read_reputation_total(*s);
    });
  }

  result<void> put_reputation_total(const ReputationTotal& t) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::total_put);
      bind_id(*s, 1, t.scope.value);
      bind_text(*s, 2, t.window);
      bind_id(*s, 3, t.member.value);
      s->bind(4, t.points);
      s->exec();
      return {};
    });
  }

  // A read and an upsert: an upsert with RETURNING costs more than both (SQLite gathers the
  // returned rows in a temporary table first), about 17 against 8 microseconds.
  result<std::int64_t> add_reputation_total(SpaceId scope, std::string_view window, MemberId member,
                                            std::int64_t delta) override {
    return write([&](Connection& c) -> result<std::int64_t> {
      const std::string w(window);
      std::int64_t sum = delta;
      {
        Use s(c, Q::total_get);
        bind_id(*s, 1, scope.value);
        bind_text(*s, 2, w);
        bind_id(*s, 3, member.value);
        if (s->executeStep()) sum += col_i64(*s, 3);
      }
      Use s(c, Q::total_put);
      bind_id(*s, 1, scope.value);
      bind_text(*s, 2, w);
      bind_id(*s, 3, member.value);
      s->bind(4, sum);
      s->exec();
      return sum;
    });
  }

  result<std::vector<ReputationTotal>> list_reputation_totals(const ReputationTotalKey& after,
                                                              std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<ReputationTotal>> {
      Use s(c, Q::total_list);
      s->bind(1, to_db_bound(after.scope.value));
      bind_text(*s, 2, after.window);
      s->bind(3, to_db_bound(after.member.value));
      s->bind(4, limit);
      std::vector<ReputationTotal> out;
      while (s->executeStep()) out.push_back(read_reputation_total(*s));
      return out;
    });
  }

  // --- trust ---
  result<MemberActivity> get_member_activity(MemberId member) override {
    return read([&](Connection& c) -> result<MemberActivity> {
      Use s(c, Q::activity_get);
      bind_id(*s, 1, member.value);
      if (!s->executeStep()) return errc::not_found;
      return read_member_activity(*s);
    });
  }

  result<void> put_member_activity(const MemberActivity& a) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::activity_put);
      bind_id(*s, 1, a.member.value);
      s->bind(2, a.days_visited);
      s->bind(3, a.last_visit);
      s->bind(4, a.threads_entered);
      s->bind(5, static_cast<std::int64_t>(a.posts_read));
      s->bind(6, a.read_ms);
      s->bind(7, a.reactions_given);
      s->bind(8, a.reactions_received);
      s->bind(9, a.replies);
      s->bind(10, a.threads_created);
      s->bind(11, a.flags_against);
      s->bind(12, static_cast<std::uint32_t>(a.level));
      bind_bool(*s, 13, a.level_by_hand);
      s->exec();
      return {};
    });
  }

  result<ActivityDay> get_activity_day(MemberId member, std::int64_t day) override {
    return read([&](Connection& c) -> result<ActivityDay> {
      Use s(c, Q::activity_day_get);
      bind_id(*s, 1, member.value);
      s->bind(2, day);
      if (!s->executeStep()) return errc::not_found;
      return read_activity_day(*s);
    });
  }

  result<void> put_activity_day(const ActivityDay& d) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::activity_day_put);
      bind_id(*s, 1, d.member.value);
      s->bind(2, d.day);
      s->bind(3, d.counts.visited);
      s->bind(4, d.counts.threads_entered);
      s->bind(5, static_cast<std::int64_t>(d.counts.posts_read));
      s->bind(6, d.counts.read_ms);
      s->bind(7, d.counts.reactions_given);
      s->bind(8, d.counts.reactions_received);
      s->bind(9, d.counts.replies);
      s->exec();
      return {};
    });
  }

  result<ActivityCounts> sum_activity_days(MemberId member, std::int64_t from_day,
                                           std::int64_t to_day) override {
    return read([&](Connection& c) -> result<ActivityCounts> {
      Use s(c, Q::activity_day_sum);
      bind_id(*s, 1, member.value);
      s->bind(2, from_day);
      s->bind(3, to_day);
      if (!s->executeStep()) return ActivityCounts{};  // an aggregate has a row
      return read_activity_day(*s).counts;
    });
  }

  result<bool> insert_thread_entered(MemberId member, ThreadId thread) override {
    return write([&](Connection& c) -> result<bool> {
      Use s(c, Q::thread_entered_insert);
      bind_id(*s, 1, member.value);
      bind_id(*s, 2, thread.value);
      return s->exec() != 0;  // 0: already stored
    });
  }

  // --- moderator notes ---
  result<void> insert_moderator_note(const ModeratorNote& n) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::note_insert);
      bind_id(*s, 1, n.id.value);
      bind_id(*s, 2, n.space.value);
      bind_id(*s, 3, n.member.value);
      bind_id(*s, 4, n.author.value);
      bind_text(*s, 5, n.body);
      s->bind(6, n.created_at);
      s->exec();  // the primary key: already_exists for a taken id
      return {};
    });
  }

  result<ModeratorNote> get_moderator_note(ModeratorNoteId id) override {
    return read([&](Connection& c) -> result<ModeratorNote> {
      Use s(c, Q::note_get);
      bind_id(*s, 1, id.value);
      if (!s->executeStep()) return errc::not_found;
      return read_note(*s);
    });
  }

  result<void> delete_moderator_note(ModeratorNoteId id) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::note_delete);
      bind_id(*s, 1, id.value);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<std::vector<ModeratorNote>> list_moderator_notes(SpaceId space, MemberId member,
                                                          ModeratorNoteId before,
                                                          std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<ModeratorNote>> {
      Use s(c, Q::note_list);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, member.value);
      s->bind(3, before ? to_db_bound(before.value) : std::numeric_limits<std::int64_t>::max());
      s->bind(4, limit);
      std::vector<ModeratorNote> out;
      while (s->executeStep()) out.push_back(read_note(*s));
      return out;
    });
  }

  // --- auto-moderation rules ---
  result<AutomodRecord> get_automod_rules(SpaceId space) override {
    return read([&](Connection& c) -> result<AutomodRecord> {
      Use s(c, Q::automod_get);
      bind_id(*s, 1, space.value);
      if (!s->executeStep()) return errc::not_found;
      AutomodRecord r;
      r.space = SpaceId{col_u64(*s, 0)};
      r.rules = col_text(*s, 1);
      r.updated_by = MemberId{col_u64(*s, 2)};
      r.updated_at = col_i64(*s, 3);
      return r;
    });
  }

  result<void> put_automod_rules(const AutomodRecord& r) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::automod_put);
      bind_id(*s, 1, r.space.value);
      bind_text(*s, 2, r.rules);
      bind_id(*s, 3, r.updated_by.value);
      s->bind(4, r.updated_at);
      s->exec();
      return {};
    });
  }

  result<bool> delete_automod_rules(SpaceId space) override {
    return write([&](Connection& c) -> result<bool> {
      Use s(c, Q::automod_delete);
      bind_id(*s, 1, space.value);
      return s->exec() > 0;
    });
  }

  // --- reports and the review queue ---
  result<void> insert_report(const Report& r) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::report_insert);
      bind_report(*s, r);
      s->exec();  // the primary key: already_exists for a taken id
      return {};
    });
  }

  result<void> update_report(const Report& r) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::report_update);
      bind_report(*s, r);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<std::optional<Report>> find_open_report(MemberId reporter, MemberId target_member,
                                                 PostId post) override {
    return read([&](Connection& c) -> result<std::optional<Report>> {
      Use s(c, Q::report_find_open);
      bind_id(*s, 1, reporter.value);
      bind_id(*s, 2, target_member.value);
      bind_id(*s, 3, post.value);
      if (!s->executeStep()) return std::optional<Report>{};
      return std::optional{read_report(*s)};
    });
  }

  result<std::vector<Report>> list_item_reports(ReviewItemId item) override {
    return read([&](Connection& c) -> result<std::vector<Report>> {
      Use s(c, Q::report_by_item);
      bind_id(*s, 1, item.value);
      std::vector<Report> out;
      while (s->executeStep()) out.push_back(read_report(*s));
      return out;
    });
  }

  result<std::vector<Report>> list_reports_by(MemberId reporter, ReportId before,
                                              std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Report>> {
      Use s(c, Q::report_by_reporter);
      bind_id(*s, 1, reporter.value);
      s->bind(2, before ? to_db_bound(before.value) : std::numeric_limits<std::int64_t>::max());
      s->bind(3, limit);
      std::vector<Report> out;
      while (s->executeStep()) out.push_back(read_report(*s));
      return out;
    });
  }

  result<void> insert_review_item(const ReviewItem& i) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::review_insert);
      bind_review_item(*s, i);
      s->exec();  // the primary key: already_exists for a taken id
      return {};
    });
  }

  result<void> update_review_item(const ReviewItem& i) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::review_update);
      bind_review_item(*s, i);
      if (s->exec() == 0) return errc::not_found;
      return {};
    });
  }

  result<std::optional<ReviewItem>> get_review_item(ReviewItemId id) override {
    return read([&](Connection& c) -> result<std::optional<ReviewItem>> {
      Use s(c, Q::review_get);
      bind_id(*s, 1, id.value);
      if (!s->executeStep()) return std::optional<ReviewItem>{};
      return std::optional{read_review_item(*s)};
    });
  }

  result<std::optional<ReviewItem>> find_open_review_item(SpaceId space, MemberId target_member,
                                                          PostId post) override {
    return read([&](Connection& c) -> result<std::optional<ReviewItem>> {
      Use s(c, Q::review_find_open);
      bind_id(*s, 1, space.value);
      bind_id(*s, 2, target_member.value);
      bind_id(*s, 3, post.value);
      if (!s->executeStep()) return std::optional<ReviewItem>{};
      return std::optional{read_review_item(*s)};
    });
  }

  result<std::optional<ReviewItem>> find_appeal(std::uint64_t audit_entry) override {
    return read([&](Connection& c) -> result<std::optional<ReviewItem>> {
      Use s(c, Q::review_find_appeal);
      bind_id(*s, 1, audit_entry);
      if (!s->executeStep()) return std::optional<ReviewItem>{};
      return std::optional{read_review_item(*s)};
    });
  }

  result<std::vector<ReviewItem>> list_review_queue(SpaceId space, std::uint32_t after_weight,
                                                    ReviewItemId after,
                                                    std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<ReviewItem>> {
      Use s(c, Q::review_queue);
      bind_id(*s, 1, space.value);
      // The first page starts above every weight.
      s->bind(2, after ? static_cast<std::int64_t>(after_weight)
                       : static_cast<std::int64_t>(UINT32_MAX) + 1);
      s->bind(3, to_db_bound(after.value));
      s->bind(4, limit);
      std::vector<ReviewItem> out;
      while (s->executeStep()) out.push_back(read_review_item(*s));
      return out;
    });
  }

  // --- audit log ---
  result<void> insert_audit_entry(AuditEntry& e) override {
    return write([&](Connection& c) -> result<void> {
      Use s(c, Q::audit_insert);
      bind_id(*s, 1, e.space.value);
      s->bind(2, static_cast<std::int32_t>(e.actor_kind));
      bind_id(*s, 3, e.actor.value);
      bind_text(*s, 4, e.actor_name);
      s->bind(5, static_cast<std::int32_t>(e.action));
      bind_id(*s, 6, e.target_member.value);
      bind_id(*s, 7, e.post.value);
      bind_id(*s, 8, e.thread.value);
      bind_id(*s, 9, e.role.value);
      bind_text(*s, 10, e.reason);
      bind_text(*s, 11, e.matched);
      bind_text(*s, 12, e.detail);
      s->bind(13, e.at);
      s->exec();
      e.id = static_cast<std::uint64_t>(c.db().getLastInsertRowid());
      return {};
    });
  }

  result<std::vector<AuditEntry>> list_audit_entries(const AuditQuery& q, std::uint64_t before_id,
                                                     std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<AuditEntry>> {
      Q which = Q::audit_all;
      std::uint64_t key = 0;
      if (q.space) {
        which = Q::audit_by_space;
        key = q.space->value;
      } else if (q.target_member) {
        which = Q::audit_by_target;
        key = q.target_member.value;
      } else if (q.actor) {
        which = Q::audit_by_actor;
        key = q.actor.value;
      }
      Use s(c, which);
      bind_id(*s, 1, key);
      s->bind(2,
              before_id == 0 ? std::numeric_limits<std::int64_t>::max() : to_db_bound(before_id));
      bind_id(*s, 3, q.target_member.value);
      bind_id(*s, 4, q.actor.value);
      s->bind(5, q.from);
      s->bind(6, q.to);
      s->bind(7, limit);
      std::vector<AuditEntry> out;
      while (s->executeStep()) {
        AuditEntry e;
        e.id = col_u64(*s, 0);
        e.space = SpaceId{col_u64(*s, 1)};
        e.actor_kind = static_cast<AuditActorKind>(col_u32(*s, 2));
        e.actor = MemberId{col_u64(*s, 3)};
        e.actor_name = col_text(*s, 4);
        e.action = static_cast<AuditAction>(col_u32(*s, 5));
        e.target_member = MemberId{col_u64(*s, 6)};
        e.post = PostId{col_u64(*s, 7)};
        e.thread = ThreadId{col_u64(*s, 8)};
        e.role = RoleId{col_u64(*s, 9)};
        e.reason = col_text(*s, 10);
        e.matched = col_text(*s, 11);
        e.detail = col_text(*s, 12);
        e.at = col_i64(*s, 13);
        out.push_back(std::move(e));
      }
      return out;
    });
  }

  // --- badges ---
  result<bool> insert_badge_grant(BadgeGrant& g) override {
    return write([&](Connection& c) -> result<bool> {
      Use s(c, Q::badge_insert);
      bind_id(*s, 1, g.member.value);
      bind_text(*s, 2, g.badge);
      bind_id(*s, 3, g.post.value);
      s->bind(4, g.ordinal);
      s->bind(5, g.at);
      if (s->exec() == 0) return false;  // the key is taken
      g.id = static_cast<std::uint64_t>(c.db().getLastInsertRowid());
      return true;
    });
  }

  result<std::vector<BadgeGrant>> list_badge_grants(MemberId member, std::uint64_t after,
                                                    std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<BadgeGrant>> {
      Use s(c, Q::badge_list);
      bind_id(*s, 1, member.value);
      s->bind(2, to_db_bound(after));
      s->bind(3, limit);
      std::vector<BadgeGrant> out;
      while (s->executeStep())
        out.push_back({col_u64(*s, 0), MemberId{col_u64(*s, 1)}, col_text(*s, 2),
                       PostId{col_u64(*s, 3)}, col_u32(*s, 4), col_i64(*s, 5)});
      return out;
    });
  }

  result<std::uint64_t> count_badge_grants(MemberId member, std::string_view badge) override {
    return read([&](Connection& c) -> result<std::uint64_t> {
      const std::string b(badge);
      Use s(c, Q::badge_count);
      bind_id(*s, 1, member.value);
      bind_text(*s, 2, b);
      if (!s->executeStep()) return std::uint64_t{0};
      return col_u64(*s, 0);
    });
  }

  result<std::int64_t> add_badge_progress(MemberId member, std::string_view counter,
                                          std::int64_t delta) override {
    return write([&](Connection& c) -> result<std::int64_t> {
      const std::string name(counter);
      std::int64_t sum = delta;
      {
        Use s(c, Q::badge_progress_get);
        bind_id(*s, 1, member.value);
        bind_text(*s, 2, name);
        if (s->executeStep()) sum += col_i64(*s, 0);
      }
      Use s(c, Q::badge_progress_put);
      bind_id(*s, 1, member.value);
      bind_text(*s, 2, name);
      s->bind(3, sum);
      s->exec();
      return sum;
    });
  }

  result<bool> insert_helpful_reply(PostId post, std::string_view kind) override {
    return write([&](Connection& c) -> result<bool> {
      const std::string k(kind);
      Use s(c, Q::helpful_insert);
      bind_id(*s, 1, post.value);
      bind_text(*s, 2, k);
      return s->exec() != 0;  // 0: already marked
    });
  }

  // --- event log ---
  result<std::uint64_t> append_event(const Event& e) override {
    return write([&](Connection& c) -> result<std::uint64_t> {
      Use s(c, Q::event_insert);
      s->bind(1, static_cast<std::int32_t>(e.type));
      bind_id_or_null(*s, 2, e.space.value);
      bind_id_or_null(*s, 3, e.actor.value);
      s->bind(4, e.at);
      bind_text(*s, 5, e.payload);
      s->exec();
      return static_cast<std::uint64_t>(c.db().getLastInsertRowid());
    });
  }

  result<std::vector<Event>> read_events(std::uint64_t after, std::uint32_t limit) override {
    return read([&](Connection& c) -> result<std::vector<Event>> {
      Use s(c, Q::event_read);
      s->bind(1, to_db_bound(after));
      s->bind(2, limit);
      std::vector<Event> out;
      while (s->executeStep()) out.push_back(read_event(*s));
      return out;
    });
  }

  result<std::uint64_t> last_event_seq() override {
    return read([&](Connection& c) -> result<std::uint64_t> {
      Use s(c, Q::event_last);
      if (!s->executeStep()) return std::uint64_t{0};
      return col_u64(*s, 0);  // MAX of no rows is NULL: 0
    });
  }

  result<std::uint64_t> redact_member_events(MemberId member, std::string_view payload) override {
    static_assert(static_cast<int>(EventType::member_created) == 1 &&
                  static_cast<int>(EventType::member_updated) == 2);
    return write([&](Connection& c) -> result<std::uint64_t> {
      if (!member) return std::uint64_t{0};  // no actor is NULL: nothing to match
      Use s(c, Q::event_redact);
      bind_id(*s, 1, member.value);
      s->bind(2, std::string(payload));
      return static_cast<std::uint64_t>(s->exec());
    });
  }

 private:
  // One thread_tags row per tag of `t`.
  static void insert_thread_tags(Connection& c, const Thread& t) {
    for (const std::string& tag : t.tags) {
      Use s(c, Q::thread_tag_insert);
      bind_id(*s, 1, t.id.value);
      bind_text(*s, 2, tag);
      s->exec();
    }
  }

  // A write method: errc::internal in a read transaction; any failure spoils the transaction.
  template <class F>
  auto write(F&& body) noexcept -> decltype(body(std::declval<Connection&>())) {
    using R = decltype(body(std::declval<Connection&>()));
    if (ended_ || mode_ != TxMode::write) return failure<R>(spoil(errc::internal));
    auto r = no_throw([&] { return body(*conn_); });
    if (!r) failed_ = true;
    return r;
  }

  // A read method: a row that is not there (not_found) leaves the transaction usable; a
  // failure of the database spoils it.
  template <class F>
  auto read(F&& body) noexcept -> decltype(body(std::declval<Connection&>())) {
    using R = decltype(body(std::declval<Connection&>()));
    if (ended_) return failure<R>(spoil(errc::internal));
    auto r = no_throw([&] { return body(*conn_); });
    if (!r && !is(r.error(), errc::not_found)) failed_ = true;
    return r;
  }

  error_code spoil(errc e) noexcept {
    failed_ = true;
    return e;
  }

  // Runs a statement without parameters or rows; a failure spoils the transaction.
  result<void> exec_or_spoil(Q q) noexcept {
    auto r = no_throw([&]() -> result<void> {
      Use s(*conn_, q);
      s->exec();
      return {};
    });
    if (!r) failed_ = true;
    return r;
  }

  // Rolls back what is still open and gives the connection (and the writer lock) back.
  void finish() noexcept;

  // At the commit of a transaction that indexed posts, when search_pending holds a batch
  // (or anything, where posts are indexed one by one: text left by a run with batches): it
  // goes into post_search, in this transaction. Throws on failure, which fails the commit.
  void index_pending(Connection& c) const {
    std::int64_t waiting = 0;
    {
      Use s(c, Q::search_pending_count);
      if (s->executeStep()) waiting = col_i64(*s, 0);
    }
    if (waiting == 0 || waiting < static_cast<std::int64_t>(search_batch_)) return;
    {
      Use s(c, Q::search_pending_index);
      s->exec();
    }
    Use s(c, Q::search_pending_clear);
    s->exec();
  }

  std::shared_ptr<SqliteStorage> owner_;
  TxMode mode_;
  Connection* conn_;                         // null once finished
  std::unique_lock<std::mutex> write_lock_;  // held by a write transaction
  bool ended_ = false;                       // commit() was called
  bool failed_ = false;                      // a method failed: commit() must fail
  bool in_savepoint_ = false;                // a savepoint is open
  const std::uint32_t search_batch_;         // SqliteOptions::search_index_batch
  bool indexed_ = false;                     // index_post was called
};

// Copies the WAL back into the database file (PASSIVE checkpoints) on a thread of its own,
// with a connection of its own, when a commit reports that the WAL has reached the threshold:
// the committing call does not wait for the bulk of the checkpoint's writes and fsyncs. It
// stands in for SQLite's automatic checkpoint, which runs in the committing call. A passive
// checkpoint takes no lock that writers or readers wait for; it copies what no reader still
// needs, and the next one goes on from there.
//
// The WAL starts over from its beginning only when a write transaction begins with all of it
// copied, which a writer that keeps committing while the thread copies never sees. So once
// the WAL has reached twice the threshold, a commit that finds the thread idle copies the rest
// itself (what came in during the thread's pass), and the next transaction starts the WAL over.
// At four times the threshold a commit waits for the thread's pass to end and then does so: the
// WAL stays bounded whatever the load.
class Checkpointer {
 public:
  // vfs: the connection's, as base_vfs gives it.
  Checkpointer(std::string path, int threshold_pages, const char* vfs)
      : path_(std::move(path)), threshold_(threshold_pages < 1 ? 1 : threshold_pages), vfs_(vfs) {
    // The thread starts with every signal blocked, so that signals the host handles on threads
    // of its own (sigwait in hearthd) are never delivered here.
    sigset_t all;
    sigset_t before;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &before);
    try {
      thread_ = std::thread([this] { run(); });
    } catch (...) {
      pthread_sigmask(SIG_SETMASK, &before, nullptr);
      throw;
    }
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
  }
  ~Checkpointer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Installs the commit hook on the writer connection. The writer must be closed before this
  // is destroyed.
  void watch(sqlite3* writer) noexcept { sqlite3_wal_hook(writer, &Checkpointer::committed, this); }

  // The database file's size in bytes after the last checkpoint pass; 0 before the first.
  sqlite3_int64 file_size() const noexcept { return file_size_.load(std::memory_order_acquire); }

 private:
  // SQLite's WAL hook: runs in the committing call, after the commit, with the WAL's size in
  // pages. Returns SQLITE_OK whatever happens: the commit has succeeded.
  static int committed(void* self_ptr, sqlite3* db, const char* name, int wal_pages) {
    auto* self = static_cast<Checkpointer*>(self_ptr);
    if (wal_pages < self->threshold_) return SQLITE_OK;
    bool inline_checkpoint = false;
    bool wake = false;
    bool broken = false;
    {
      std::unique_lock lock(self->mutex_);
      broken = self->broken_;
      if (broken) {
        inline_checkpoint = true;  // no connection to work with: as SQLite would
      } else if (wal_pages >= 2 * self->threshold_) {
        if (wal_pages >= 4 * self->threshold_)
          self->cv_.wait(lock, [&] { return !self->running_; });
        inline_checkpoint = !self->running_;
        self->running_ = self->running_ || inline_checkpoint;
      }
      if (!inline_checkpoint && !self->pending_) {
        self->pending_ = true;
        wake = true;
      }
    }
    if (wake) self->cv_.notify_all();
    if (inline_checkpoint) {
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      self->note_file_size(db);
      if (!broken) {
        {
          std::lock_guard lock(self->mutex_);
          self->running_ = false;
        }
        self->cv_.notify_all();
      }
    }
    return SQLITE_OK;
  }

  // Records the database file's size after a pass, as `db` (any connection to it) finds it.
  void note_file_size(sqlite3* db) noexcept {
    sqlite3_file* file = nullptr;
    sqlite3_int64 size = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK &&
        file != nullptr && file->pMethods != nullptr &&
        file->pMethods->xFileSize(file, &size) == SQLITE_OK)
      file_size_.store(size, std::memory_order_release);
  }

  void run() noexcept {
    sqlite3* db = nullptr;
    // A connection learns that the file is in WAL mode, and opens the WAL, when it first reads
    // the database: until then a checkpoint through it does nothing (its log size is -1).
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, vfs_) !=
            SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      std::lock_guard lock(mutex_);
      broken_ = true;
      return;
    }
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return (pending_ && !running_) || stopping_; });
      if (stopping_) break;
      pending_ = false;
      running_ = true;
      lock.unlock();
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      note_file_size(db);
      lock.lock();
      running_ = false;
      cv_.notify_all();  // a commit at four times the threshold waits for this
    }
    lock.unlock();
    sqlite3_close(db);
  }

  const std::string path_;
  const int threshold_;
  const char* const vfs_;  // a registered VFS's name, or nullptr: the default
  std::mutex mutex_;
  std::condition_variable cv_;
  bool pending_ = false;  // a commit found the WAL at the threshold since the last pass began
  bool running_ = false;  // a checkpoint is copying: the thread's, or a commit's own
  bool stopping_ = false;
  bool broken_ = false;  // the thread could not open its connection
  std::atomic<sqlite3_int64> file_size_{0};
  std::thread thread_;  // last: started once the rest is built
};

class SqliteStorage final : public Storage, public std::enable_shared_from_this<SqliteStorage> {
 public:
  SqliteStorage(const SqliteOptions& options, std::unique_ptr<Connection> writer)
      : options_(options), max_readers_(options.readers == 0 ? 1 : options.readers) {
    idle_.reserve(max_readers_);  // release_reader never allocates
    if (options.background_checkpoint) {
      // With maps, the checkpoints' copying reads the WAL through the read connections' VFS's
      // map of it, not a pread() per frame.
      const char* vfs = options.mmap_size > 0 ? detail::kept_map_vfs(options.exclusive) : nullptr;
      checkpointer_ =
          std::make_unique<Checkpointer>(options.path, options.wal_autocheckpoint_pages,
                                         vfs != nullptr ? vfs : base_vfs(options.exclusive));
      checkpointer_->watch(writer->db().getHandle());
    }
    writer_ = std::move(writer);
  }

  result<std::unique_ptr<Transaction>> begin(TxMode mode) override {
    return no_throw([&]() -> result<std::unique_ptr<Transaction>> {
      std::unique_ptr<SqliteTransaction> tx;
      if (mode == TxMode::write) {
        std::unique_lock lock(writer_mutex_);
        writer_->rollback();  // in case a failed ROLLBACK left one open
        remap_writer();
        tx = std::make_unique<SqliteTransaction>(shared_from_this(), mode, *writer_,
                                                 std::move(lock), options_.search_index_batch);
      } else {
        HEARTH_TRY(reader, acquire_reader());
        try {
          tx = std::make_unique<SqliteTransaction>(shared_from_this(), mode, *reader,
                                                   std::unique_lock<std::mutex>(),
                                                   options_.search_index_batch);
        } catch (...) {
          release_reader(reader);
          throw;
        }
      }
      HEARTH_CHECK(tx->start());  // a failure destroys tx, which hands the connection back
      return std::unique_ptr<Transaction>(std::move(tx));
    });
  }

  // Takes back a reader connection, idle again; closes it when it could not be made idle.
  void release_reader(Connection* c) noexcept {
    const bool idle = c->rollback();
    std::unique_lock lock(pool_mutex_);
    if (idle) {
      idle_.emplace_back(c);
    } else {
      delete c;
      --open_readers_;
    }
    lock.unlock();
    pool_cv_.notify_one();
  }

 private:
  // SQLite maps a connection's database file at the size it has when first mapped, and maps it
  // again only when a read transaction finds another connection's commit, which the writer,
  // the only one committing, never does. The file grows as checkpoints copy the WAL into it, and
  // the writer would read every page past the map's end with a pread(). So once the file has
  // grown by more than an eighth past the writer's map (as the checkpointer last found it), the
  // writer's map is made again at the file's size, before its next transaction (no mapped page
  // is held then): SQLite does that when the file's map limit changes, which is set to mmap_size
  // and one byte less in turn. A new map's pages are faulted in again, so not at every pass.
  // Called with writer_mutex_ held.
  void remap_writer() noexcept {
    if (!checkpointer_ || options_.mmap_size <= 0 || writer_mapped_ >= options_.mmap_size) return;
    const sqlite3_int64 size = checkpointer_->file_size();
    if (size <= writer_mapped_ + writer_mapped_ / 8) return;
    writer_mapped_ = size;
    writer_map_flip_ = !writer_map_flip_;
    sqlite3_int64 limit = options_.mmap_size - (writer_map_flip_ ? 1 : 0);
    sqlite3_file_control(writer_->db().getHandle(), "main", SQLITE_FCNTL_MMAP_SIZE, &limit);
  }

  result<Connection*> acquire_reader() {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [&] { return !idle_.empty() || open_readers_ < max_readers_; });
    if (!idle_.empty()) {
      Connection* c = idle_.back().release();
      idle_.pop_back();
      return c;
    }
    ++open_readers_;
    lock.unlock();
    auto r = no_throw([&]() -> result<Connection*> {
      const char* vfs = options_.keep_read_maps && options_.mmap_size > 0
                            ? detail::kept_map_vfs(options_.exclusive)
                            : base_vfs(options_.exclusive);
      auto c =
          std::make_unique<Connection>(options_.path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX,
                                       options_.busy_timeout_ms, vfs);
      c->db().exec("PRAGMA query_only = ON");
      register_search_functions(c->db());
      c->db().exec("PRAGMA cache_size = -1024");
      c->db().exec("PRAGMA mmap_size = " + std::to_string(options_.mmap_size));
      return c.release();
    });
    if (!r) {
      lock.lock();
      --open_readers_;
      lock.unlock();
      pool_cv_.notify_one();
    }
    return r;
  }

  const SqliteOptions options_;
  const unsigned max_readers_;

  // Declared before the writer, so destroyed after it: the writer's hook points at it.
  std::unique_ptr<Checkpointer> checkpointer_;
  sqlite3_int64 writer_mapped_ = 0;  // the file's size when the writer's map was last made
  bool writer_map_flip_ = false;     // its limit is mmap_size - 1 (true) or mmap_size
  std::mutex writer_mutex_;          // held for the life of a write transaction
  std::unique_ptr<Connection> writer_;

  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  unsigned open_readers_ = 0;  // idle or lent out
};

void SqliteTransaction::finish() noexcept {
  if (conn_ == nullptr) return;
  if (mode_ == TxMode::write) {
    conn_->rollback();
    write_lock_.unlock();
  } else {
    owner_->release_reader(conn_);
  }
  conn_ = nullptr;
}

// Brings the schema to schema_version in one transaction.
result<void> migrate(SQLite::Database& db) {
  db.exec("BEGIN IMMEDIATE");
  try {
    const int found = db.execAndGet("PRAGMA user_version").getInt();
    if (found < 0 || found > schema_version) {
      db.exec("ROLLBACK");
      return errc::storage_error;  // written by a newer hearth: refuse rather than misread it
    }
    for (int v = found; v < schema_version; ++v) {
      db.exec(migrations[static_cast<std::size_t>(v)]);
      db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    }
    db.exec("COMMIT");
  } catch (...) {
    db.tryExec("ROLLBACK");
    throw;
  }
  return {};
}

}  // namespace

result<std::shared_ptr<Storage>> open_storage(const SqliteOptions& options) {
  // Every connection must see the same database: a private in-memory or temporary one would
  // give each reader its own.
  if (options.path.empty() || options.path == ":memory:") return errc::storage_error;
  return no_throw([&]() -> result<std::shared_ptr<Storage>> {
    // The writer writes each commit's WAL frames in one call (wal_vfs.hpp), which needs a sync
    // at every commit to write them at: synchronous = FULL, its fsync left out for NORMAL.
    const char* batching = nullptr;
    if (options.batch_wal_writes && options.synchronous != Synchronous::off)
      batching = detail::wal_batching_vfs(options.synchronous == Synchronous::full
                                              ? detail::WalSync::full
                                              : detail::WalSync::normal,
                                          options.exclusive, options.mmap_size > 0);
    auto writer = std::make_unique<Connection>(
        options.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
        options.busy_timeout_ms, batching != nullptr ? batching : base_vfs(options.exclusive));
    auto& db = writer->db();
    db.exec("PRAGMA page_size = 1024");  // takes effect only on a new, empty database
    if (db.execAndGet("PRAGMA journal_mode = WAL").getString() != "wal") return errc::storage_error;
    db.exec(batching != nullptr ? synchronous_pragma(Synchronous::full)
                                : synchronous_pragma(options.synchronous));
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA cache_size = -1024");
    // With background checkpoints, the Checkpointer's hook replaces SQLite's own.
    db.exec("PRAGMA wal_autocheckpoint = " +
            std::to_string(options.background_checkpoint ? 0 : options.wal_autocheckpoint_pages));
    db.exec("PRAGMA mmap_size = " + std::to_string(options.mmap_size));
    HEARTH_CHECK(migrate(db));
    register_search_functions(db);
    return std::shared_ptr<Storage>(std::make_shared<SqliteStorage>(options, std::move(writer)));
  });
}

}  // namespace hearth::sqlite
