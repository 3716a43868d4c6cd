#include "hearth/sqlite/sqlite_storage.hpp"  // first: the header stands alone

#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "conformance/result_string.hpp"
#include "hearth/engine.hpp"

namespace fs = std::filesystem;
using namespace hearth;

namespace {

struct TempDb {
  fs::path dir = fs::temp_directory_path() / ("hearth-sqlite-test-" + std::to_string(::getpid()));
  fs::path path = dir / "test.db";
  TempDb() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDb() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

errc code_of(const result<std::shared_ptr<Storage>>& r) {
  REQUIRE_FALSE(r);
  return static_cast<errc>(r.error().value());
}

}  // namespace

TEST_CASE("a new database gets the current schema, WAL mode and foreign keys", "[sqlite]") {
  TempDb db;
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
  }
  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == sqlite::schema_version);
  CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "wal");
  for (const char* table :
       {"members", "spaces", "memberships", "roles", "role_assignments", "overrides", "bans",
        "invites", "join_requests", "threads", "posts", "revisions", "reactions", "events",
        "reputation_ledger", "reputation_totals"})
    CHECK(raw.tableExists(table));
  CHECK_FALSE(raw.tableExists("reaction_counts"));  // in posts.reactions since version 5
}

namespace {

// The schema of version 1 as hearth 0.1 wrote it, frozen here: files of that version must open.
constexpr const char* schema_v1 = R"sql(
CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  handle TEXT NOT NULL COLLATE NOCASE UNIQUE,
  display_name TEXT NOT NULL,
  external_ref TEXT UNIQUE,
  bio TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  active INTEGER NOT NULL
);
CREATE TABLE spaces (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES spaces (id),
  kind INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  visibility INTEGER NOT NULL,
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
  first_post INTEGER NOT NULL,
  last_post INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  reply_count INTEGER NOT NULL,
  deleted INTEGER NOT NULL
);
CREATE INDEX threads_by_activity ON threads (space_id, last_post) WHERE deleted = 0;
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  thread_id INTEGER NOT NULL REFERENCES threads (id),
  space_id INTEGER NOT NULL,
  author_id INTEGER NOT NULL,
  reply_to INTEGER,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  edited_at INTEGER NOT NULL,
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
CREATE TABLE reaction_counts (
  post_id INTEGER NOT NULL REFERENCES posts (id),
  thread_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (post_id, kind)
) WITHOUT ROWID;
CREATE INDEX reaction_counts_by_thread ON reaction_counts (thread_id, post_id);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  type INTEGER NOT NULL,
  space_id INTEGER,
  actor_id INTEGER,
  at INTEGER NOT NULL,
  payload TEXT NOT NULL
);
)sql";

}  // namespace

TEST_CASE("a version 1 database is migrated and keeps its spaces and threads",
          "[sqlite][migration]") {
  TempDb db;
  {
    SQLite::Database raw(db.path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec(schema_v1);
    raw.exec("PRAGMA user_version = 1");
    raw.exec(
        "INSERT INTO spaces (id, parent_id, kind, name, description, visibility, owner_id, "
        "created_at, member_count, thread_count) "
        "VALUES (10, NULL, 3, 'Night Owls', 'raids at 9', 1, 7, 1700000000000, 4, 2)");
    raw.exec(
        "INSERT INTO spaces (id, parent_id, kind, name, description, visibility, owner_id, "
        "created_at, member_count, thread_count) "
        "VALUES (11, 10, 4, 'general', '', 0, 7, 1700000000001, 0, 0)");
    raw.exec(
        "INSERT INTO threads (id, space_id, author_id, title, first_post, last_post, created_at, "
        "last_activity_at, reply_count, deleted) "
        "VALUES (100, 10, 7, 'Raid plan', 1000, 1001, 1700000000100, 1700000000200, 1, 0)");
    raw.exec(
        "INSERT INTO posts (id, thread_id, space_id, author_id, reply_to, body, created_at, "
        "edited_at, revision, deleted) VALUES "
        "(1000, 100, 10, 7, NULL, 'Meet at the gate.', 1700000000100, 0, 1, 0), "
        "(1001, 100, 10, 8, 1000, 'Potions!', 1700000000200, 0, 1, 1)");
    // Counts move into posts.reactions at version 5, a kind with a comma and a backslash
    // escaped; a zero count is left out.
    raw.exec(
        "INSERT INTO members (id, handle, display_name, external_ref, bio, created_at, active) "
        "VALUES (7, 'ada', 'Ada', NULL, '', 1700000000000, 1), "
        "(8, 'bo', 'Bo', NULL, '', 1700000000000, 1)");
    raw.exec(
        "INSERT INTO reactions (post_id, member_id, kind, created_at) VALUES "
        "(1000, 8, '+1', 1700000000300), (1000, 7, '+1', 1700000000400), "
        "(1000, 8, 'a,b\\', 1700000000500)");
    raw.exec(
        "INSERT INTO reaction_counts (post_id, thread_id, kind, count) VALUES "
        "(1000, 100, '+1', 2), (1000, 100, 'a,b\\', 1), (1000, 100, 'laugh', 0)");
  }
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
    auto tx = (*storage)->begin(TxMode::read);
    REQUIRE(tx);
    auto s = (*tx)->get_space(SpaceId{10});
    REQUIRE(s);
    CHECK(s->name == "Night Owls");
    CHECK(s->description == "raids at 9");
    CHECK(s->kind == SpaceKind::guild);
    CHECK(s->visibility == Visibility::private_);
    CHECK(s->owner == MemberId{7});
    CHECK(s->created_at == 1'700'000'000'000);
    CHECK(s->member_count == 4);
    CHECK(s->thread_count == 2);
    CHECK(s->join_policy == JoinPolicy::open);
    CHECK(s->member_cap == 0);
    CHECK(s->tags.empty());
    auto children = (*tx)->list_child_spaces(SpaceId{10}, SpaceId{}, 10);
    REQUIRE(children);
    REQUIRE(children->size() == 1);
    CHECK((*children)[0].name == "general");
    CHECK((*children)[0].join_policy == JoinPolicy::open);
    CHECK((*children)[0].member_cap == 0);
    CHECK((*children)[0].tags.empty());

    // An old thread reads back with the defaults of the version 3 fields.
    auto t = (*tx)->get_thread(ThreadId{100});
    REQUIRE(t);
    CHECK(t->space == SpaceId{10});
    CHECK(t->author == MemberId{7});
    CHECK(t->title == "Raid plan");
    CHECK(t->first_post == PostId{1000});
    CHECK(t->last_post == PostId{1001});
    CHECK(t->created_at == 1'700'000'000'100);
    CHECK(t->last_activity_at == 1'700'000'000'200);
    CHECK(t->reply_count == 1);
    CHECK_FALSE(t->deleted);
    CHECK(t->kind == ThreadKind::discussion);
    CHECK_FALSE(t->pinned);
    CHECK_FALSE(t->locked);
    CHECK_FALSE(t->archived);
    CHECK(t->accepted_answer == PostId{});
    CHECK_FALSE(t->answered_by_peer);
    CHECK(t->participant_count == 1);
    CHECK(t->reaction_count == 0);
    CHECK(t->tags.empty());
    auto listed = (*tx)->list_threads(SpaceId{10}, ThreadListing{}, ThreadPosition{}, 10);
    REQUIRE(listed);
    REQUIRE(listed->size() == 1);
    CHECK((*listed)[0].id == ThreadId{100});
    CHECK_FALSE((*listed)[0].pinned);
    auto unanswered =
        (*tx)->list_threads(SpaceId{10}, ThreadListing{.unanswered_only = true}, {}, 10);
    REQUIRE(unanswered);
    CHECK(unanswered->empty());
    auto raids = (*tx)->list_threads(SpaceId{10}, ThreadListing{.tag = "raid"}, {}, 10);
    REQUIRE(raids);
    CHECK(raids->empty());
    auto posted = (*tx)->has_posted(ThreadId{100}, MemberId{8});  // a deleted post counts
    REQUIRE(posted);
    CHECK(*posted);
    auto not_posted = (*tx)->has_posted(ThreadId{100}, MemberId{9});
    REQUIRE(not_posted);
    CHECK_FALSE(*not_posted);
    auto reacted = (*tx)->get_post(PostId{1000});
    REQUIRE(reacted);
    CHECK(reacted->reactions == std::vector<ReactionCount>{{"+1", 2}, {"a,b\\", 1}});
    auto plus = (*tx)->list_reactions(PostId{1000}, "+1", MemberId{}, 10);
    REQUIRE(plus);
    REQUIRE(plus->size() == 2);
    CHECK((*plus)[0].member == MemberId{7});
    CHECK((*plus)[0].at == 1'700'000'000'400);
    CHECK((*plus)[1].member == MemberId{8});
    auto theirs = (*tx)->list_member_reactions(PostId{1000}, MemberId{8});
    REQUIRE(theirs);
    REQUIRE(theirs->size() == 2);
    CHECK((*theirs)[0].kind == "+1");
    CHECK((*theirs)[1].kind == "a,b\\");
    auto unreacted = (*tx)->get_post(PostId{1001});
    REQUIRE(unreacted);
    CHECK(unreacted->reactions.empty());
    tx->reset();

    // The new tables work on the migrated file.
    auto wtx = (*storage)->begin(TxMode::write);
    REQUIRE(wtx);
    Space gated = *s;
    gated.join_policy = JoinPolicy::invite;
    gated.member_cap = 100;
    gated.tags = {"pvp", "raid"};
    REQUIRE((*wtx)->update_space(gated));
    REQUIRE((*wtx)->insert_role(
        {RoleId{20}, SpaceId{10}, "Raid leads", Permissions{Permission::pin}, 400, 1}));
    REQUIRE((*wtx)->insert_invite({"AbC", SpaceId{10}, MemberId{7}, 1, 0, 0, 0, false}));
    // The new thread columns and indexes work on the migrated file.
    Thread question = *t;
    question.kind = ThreadKind::question;
    question.pinned = true;
    question.participant_count = 2;
    question.reaction_count = 3;
    question.tags = {"a,b", "raid"};
    REQUIRE((*wtx)->update_thread(question));
    auto asked = (*wtx)->list_threads(SpaceId{10}, {.unanswered_only = true}, {}, 10);
    REQUIRE(asked);
    REQUIRE(asked->size() == 1);
    CHECK((*asked)[0].kind == ThreadKind::question);
    CHECK((*asked)[0].participant_count == 2);
    CHECK((*asked)[0].reaction_count == 3);
    auto tagged =
        (*wtx)->list_threads(SpaceId{10}, {.unanswered_only = true, .tag = "a,b"}, {}, 10);
    REQUIRE(tagged);
    REQUIRE(tagged->size() == 1);
    CHECK((*tagged)[0].tags == std::vector<std::string>{"a,b", "raid"});
    auto space_tags = (*wtx)->get_space(SpaceId{10});
    REQUIRE(space_tags);
    CHECK(space_tags->tags == std::vector<std::string>{"pvp", "raid"});
    REQUIRE((*wtx)->move_posts(ThreadId{100}, SpaceId{11}));
    // The reputation tables (version 6) work on the migrated file.
    ReputationEntry received;
    received.id = ReputationEntryId{500};
    received.member = MemberId{7};
    received.scope = SpaceId{10};
    received.delta = 10;
    received.reason = ReputationReason::reaction_received;
    received.note = "+1";
    received.post = PostId{1000};
    received.thread = ThreadId{100};
    received.source = MemberId{8};
    received.at = received.counts_at = 1'700'000'000'300;
    received.capped = true;
    REQUIRE((*wtx)->insert_reputation_entry(received));
    ReputationEntry award = received;
    award.id = ReputationEntryId{501};
    award.delta = -3;
    award.reason = ReputationReason::award;
    award.note = "";
    award.post = PostId{};
    award.thread = ThreadId{};
    award.capped = false;
    REQUIRE((*wtx)->insert_reputation_entry(award));
    auto on_post = (*wtx)->list_reputation_entries({.post = PostId{1000}}, {}, 10);
    REQUIRE(on_post);
    REQUIRE(on_post->size() == 1);
    CHECK(on_post->front().id == ReputationEntryId{500});
    CHECK(on_post->front().note == "+1");
    auto by_source =
        (*wtx)->list_reputation_entries({.member = MemberId{7}, .source = MemberId{8}}, {}, 10);
    REQUIRE(by_source);
    CHECK(by_source->size() == 2);
    REQUIRE((*wtx)->put_reputation_total({SpaceId{10}, "all", MemberId{7}, 7}));
    REQUIRE((*wtx)->put_reputation_total({SpaceId{10}, "week:2026-11-23", MemberId{7}, 7}));
    auto totals = (*wtx)->list_reputation_totals({}, 10);
    REQUIRE(totals);
    REQUIRE(totals->size() == 2);
    CHECK((*totals)[0].window == "all");
    CHECK((*totals)[1].window == "week:2026-11-23");
    // The trust tables (version 7) work on the migrated file.
    MemberActivity activity{.member = MemberId{7}, .days_visited = 3, .posts_read = 40};
    activity.level = 1;
    REQUIRE((*wtx)->put_member_activity(activity));
    auto stored_activity = (*wtx)->get_member_activity(MemberId{7});
    REQUIRE(stored_activity);
    CHECK(stored_activity->posts_read == 40);
    CHECK(stored_activity->level == 1);
    REQUIRE((*wtx)->put_activity_day({MemberId{7}, 20'000, {.visited = 1, .replies = 2}}));
    REQUIRE((*wtx)->put_activity_day({MemberId{7}, 20'001, {.visited = 1, .replies = 1}}));
    auto summed = (*wtx)->sum_activity_days(MemberId{7}, 20'000, 20'001);
    REQUIRE(summed);
    CHECK(summed->visited == 2);
    CHECK(summed->replies == 3);
    CHECK((*wtx)->insert_thread_entered(MemberId{7}, ThreadId{100}).value());
    CHECK_FALSE((*wtx)->insert_thread_entered(MemberId{7}, ThreadId{100}).value());
    // The badge tables (version 8) work on the migrated file.
    BadgeGrant nice{0, MemberId{7}, "nice-answer", PostId{1000}, 1, 1'700'000'000'400};
    REQUIRE((*wtx)->insert_badge_grant(nice).value());
    CHECK(nice.id > 0);
    BadgeGrant again = nice;
    CHECK_FALSE((*wtx)->insert_badge_grant(again).value());
    CHECK((*wtx)->count_badge_grants(MemberId{7}, "nice-answer").value() == 1);
    CHECK((*wtx)->add_badge_progress(MemberId{7}, "accepted_answers", 2).value() == 2);
    CHECK((*wtx)->insert_helpful_reply(PostId{1000}, "+1").value());
    // The audit log (version 9) works on the migrated file.
    AuditEntry removed{.space = SpaceId{10},
                       .actor = MemberId{7},
                       .action = AuditAction::post_removed,
                       .target_member = MemberId{8},
                       .post = PostId{1001},
                       .reason = "spam",
                       .at = 1'700'000'000'500};
    REQUIRE((*wtx)->insert_audit_entry(removed));
    CHECK(removed.id > 0);
    auto audit = (*wtx)->list_audit_entries({.target_member = MemberId{8}}, 0, 10);
    REQUIRE(audit);
    REQUIRE(audit->size() == 1);
    CHECK(audit->front().reason == "spam");
    // Reports and the review queue (version 10) work on the migrated file.
    ReviewItem item{.id = ReviewItemId{900},
                    .space = SpaceId{10},
                    .target_member = MemberId{8},
                    .post = PostId{1001},
                    .weight = 2,
                    .reports = 1};
    REQUIRE((*wtx)->insert_review_item(item));
    REQUIRE((*wtx)->insert_report({.id = ReportId{901},
                                   .reporter = MemberId{7},
                                   .space = SpaceId{10},
                                   .target_member = MemberId{8},
                                   .post = PostId{1001},
                                   .weight = 2,
                                   .item = ReviewItemId{900}}));
    auto queue = (*wtx)->list_review_queue(SpaceId{10}, 0, ReviewItemId{}, 10);
    REQUIRE(queue);
    REQUIRE(queue->size() == 1);
    CHECK(queue->front().weight == 2);
    // The sanctions (version 11) work on the migrated file.
    Sanction timeout;
    timeout.id = SanctionId{900};
    timeout.kind = SanctionKind::timeout;
    timeout.member = MemberId{8};
    timeout.space = SpaceId{10};
    timeout.issuer = MemberId{7};
    timeout.reason = "cool off";
    timeout.created_at = 1'700'000'000'600;
    timeout.expires_at = 1'700'000'060'600;
    REQUIRE((*wtx)->insert_sanction(timeout));
    auto in_force = (*wtx)->list_sanctions_in_force(MemberId{8}, 1'700'000'000'700);
    REQUIRE(in_force);
    REQUIRE(in_force->size() == 1);
    CHECK(in_force->front().reason == "cool off");
    // Moderator notes (version 12) work on the migrated file.
    REQUIRE((*wtx)->insert_moderator_note(
        {ModeratorNoteId{950}, SpaceId{10}, MemberId{8}, MemberId{7}, "watch", 1'700'000'000'800}));
    auto notes = (*wtx)->list_moderator_notes(SpaceId{10}, MemberId{8}, ModeratorNoteId{}, 10);
    REQUIRE(notes);
    REQUIRE(notes->size() == 1);
    // Auto-moderation rule sets (version 13) work on the migrated file.
    REQUIRE((*wtx)->put_automod_rules({SpaceId{10}, R"({"max_mentions":5})", MemberId{7}, 9}));
    auto rules = (*wtx)->get_automod_rules(SpaceId{10});
    REQUIRE(rules);
    CHECK(rules->rules == R"({"max_mentions":5})");
    REQUIRE((*wtx)->commit());
  }
  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == sqlite::schema_version);
  CHECK(raw.execAndGet("SELECT join_policy FROM spaces WHERE id = 10").getInt() == 2);
  CHECK(raw.execAndGet("SELECT member_cap FROM spaces WHERE id = 10").getInt() == 100);
  CHECK(raw.execAndGet("SELECT join_policy FROM spaces WHERE id = 11").getInt() == 0);
  CHECK(raw.execAndGet("SELECT name FROM roles WHERE id = 20").getString() == "Raid leads");
  CHECK(raw.execAndGet("SELECT space_id FROM invites WHERE code = 'AbC'").getInt() == 10);
  CHECK(raw.execAndGet("SELECT count(*) FROM invites WHERE code = 'abc'").getInt() == 0);
  CHECK(raw.execAndGet("SELECT kind FROM threads WHERE id = 100").getInt() == 1);
  CHECK(raw.execAndGet("SELECT pinned FROM threads WHERE id = 100").getInt() == 1);
  CHECK(raw.execAndGet("SELECT accepted_answer IS NULL FROM threads WHERE id = 100").getInt() == 1);
  CHECK(raw.execAndGet("SELECT count(*) FROM posts WHERE space_id = 11").getInt() == 2);
  // Tags: one TEXT value per list, each tag ended by a comma, commas and backslashes escaped.
  CHECK(raw.execAndGet("SELECT tags FROM spaces WHERE id = 10").getString() == "pvp,raid,");
  CHECK(raw.execAndGet("SELECT tags FROM spaces WHERE id = 11").getString().empty());
  CHECK(raw.execAndGet("SELECT tags FROM threads WHERE id = 100").getString() == "a\\,b,raid,");
  CHECK(raw.execAndGet("SELECT group_concat(tag, '|') FROM (SELECT tag FROM thread_tags "
                       "WHERE thread_id = 100 ORDER BY tag)")
            .getString() == "a,b|raid");
  for (const char* index :
       {"threads_by_pin_activity", "threads_unanswered", "posts_by_author", "thread_tags_by_tag"})
    CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '" +
                         std::string(index) + "'")
              .getInt() == 1);
  CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = 'threads_by_activity'")
            .getInt() == 0);
  CHECK(raw.execAndGet("SELECT reactions FROM posts WHERE id = 1000").getString() ==
        "+1,2,a\\,b\\\\,1,");
  CHECK(raw.execAndGet("SELECT count(*) FROM reputation_ledger").getInt() == 2);
  CHECK(raw.execAndGet("SELECT post FROM reputation_ledger WHERE id = 501").getInt() == 0);
  CHECK(raw.execAndGet("SELECT points FROM reputation_totals WHERE scope = 10 AND "
                       "window = 'all' AND member = 7")
            .getInt() == 7);
  for (const char* index : {"reputation_ledger_by_member", "reputation_ledger_by_post",
                            "reputation_ledger_by_thread", "reputation_ledger_by_source"})
    CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '" +
                         std::string(index) + "' AND tbl_name = 'reputation_ledger'")
              .getInt() == 1);
  for (const char* gone : {"reaction_counts", "reaction_counts_by_thread", "reactions_by_kind"})
    CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = '" + std::string(gone) +
                         "'")
              .getInt() == 0);
  CHECK(raw.execAndGet("SELECT badge FROM badge_grants WHERE member = 7").getString() ==
        "nice-answer");
  CHECK(raw.execAndGet("SELECT value FROM badge_progress WHERE member = 7").getInt() == 2);
  CHECK(raw.execAndGet("SELECT count(*) FROM helpful_replies").getInt() == 1);
  for (const char* index : {"badge_grants_key", "badge_grants_by_member"})
    CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '" +
                         std::string(index) + "' AND tbl_name = 'badge_grants'")
              .getInt() == 1);
  CHECK(raw.execAndGet("SELECT reason FROM audit_log WHERE target_member = 8").getString() ==
        "spam");
  for (const char* index : {"audit_log_by_space", "audit_log_by_target", "audit_log_by_actor"})
    CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '" +
                         std::string(index) + "' AND tbl_name = 'audit_log'")
              .getInt() == 1);
  CHECK(raw.execAndGet("SELECT item FROM reports WHERE id = 901").getInt() == 900);
  for (const char* index : {"reports_open", "reports_by_item", "reports_by_reporter",
                            "review_items_open", "review_queue"})
    CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '" +
                         std::string(index) + "'")
              .getInt() == 1);
  CHECK(raw.execAndGet("SELECT reason FROM sanctions WHERE member = 8").getString() == "cool off");
  for (const char* index : {"sanctions_by_member", "sanctions_in_force"})
    CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '" +
                         std::string(index) + "' AND tbl_name = 'sanctions'")
              .getInt() == 1);
  CHECK(raw.execAndGet("SELECT body FROM moderator_notes WHERE member = 8").getString() == "watch");
  CHECK(raw.execAndGet("SELECT flag FROM review_items WHERE id = 900").getString().empty());
  CHECK(raw.execAndGet("SELECT appeal_of FROM review_items WHERE id = 900").getInt() == 0);
  CHECK(raw.execAndGet("SELECT rules FROM automod_rules WHERE space = 10").getString() ==
        R"({"max_mentions":5})");
  CHECK(raw.execAndGet("PRAGMA integrity_check").getString() == "ok");
}

namespace {

// The plan SQLite would run `sql` with on `db`, one step a line.
std::string query_plan(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement q(db, "EXPLAIN QUERY PLAN " + sql);
  std::string out;
  while (q.executeStep()) out += q.getColumn(3).getString() + "\n";
  return out;
}

// `sql` walks `index` (a part of its plan) in the index's order: no temporary sort.
void check_walks(SQLite::Database& db, const std::string& sql, std::string_view index) {
  const std::string p = query_plan(db, sql);
  INFO(sql << ": " << p);
  CHECK(p.find(index) != std::string::npos);
  CHECK(p.find("TEMP B-TREE") == std::string::npos);
}

}  // namespace

TEST_CASE("badge listings and counts walk their indexes (version 8)", "[sqlite]") {
  TempDb db;
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
  }
  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == sqlite::schema_version);
  // The plan of each statement the adapter runs, as SQLite would run it on this file.
  check_walks(raw,
              "SELECT id, member, badge, post, ordinal, at FROM badge_grants "
              "WHERE member = 1 AND id > 0 ORDER BY id LIMIT 10",
              "INDEX badge_grants_by_member");
  const std::string count =
      query_plan(raw, "SELECT count(*) FROM badge_grants WHERE member = 1 AND badge = 'nice'");
  INFO(count);
  CHECK(count.find("badge_grants_key") != std::string::npos);
  const std::string progress =
      query_plan(raw, "SELECT value FROM badge_progress WHERE member = 1 AND counter = 'x'");
  INFO(progress);
  CHECK(progress.find("PRIMARY KEY") != std::string::npos);
}

TEST_CASE("audit log listings walk their indexes newest first (version 9)", "[sqlite]") {
  TempDb db;
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
  }
  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  auto sql = [](const std::string& where) {
    return "SELECT id, space, actor_kind, actor, actor_name, action, target_member, post, "
           "thread, role, reason, matched, detail, at FROM audit_log " +
           where +
           " AND id < 100 AND (0 = 0 OR target_member = 0) AND (0 = 0 OR (actor = 0 AND "
           "actor_kind = 0)) AND at >= 0 AND at <= 10 ORDER BY id DESC LIMIT 10";
  };
  // The statements bind every value; these literals stand for them.
  const std::pair<const char*, const char*> paths[] = {
      {"WHERE space = 1", "INDEX audit_log_by_space"},
      {"WHERE target_member = 1", "INDEX audit_log_by_target"},
      {"WHERE actor = 1", "INDEX audit_log_by_actor"},
      {"WHERE 0 = 0", "audit_log"},
  };
  for (const auto& [where, index] : paths) check_walks(raw, sql(where), index);
}

TEST_CASE("reports and the review queue walk their partial indexes (version 10)", "[sqlite]") {
  TempDb db;
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
  }
  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  // The adapter's statements, with literals for the values they bind.
  const std::pair<std::string, const char*> paths[] = {
      {"SELECT id FROM reports WHERE reporter = 1 AND target_member = 2 AND post = 3 AND "
       "status = 0",
       "INDEX reports_open"},
      {"SELECT id FROM reports WHERE item = 1 ORDER BY id", "INDEX reports_by_item"},
      {"SELECT id FROM reports WHERE reporter = 1 AND id < 9 ORDER BY id DESC LIMIT 5",
       "INDEX reports_by_reporter"},
      {"SELECT id FROM review_items WHERE space = 1 AND target_member = 2 AND post = 3 AND "
       "decided = 0 AND appeal_of = 0",
       "INDEX review_items_open"},
      {"SELECT id FROM review_items WHERE appeal_of = 7 AND appeal_of <> 0",
       "INDEX review_items_appeals"},
      {"SELECT id FROM review_items WHERE space = 1 AND decided = 0 AND weight <= 4294967296 AND "
       "(weight < 4294967296 OR id > 0) ORDER BY weight DESC, id LIMIT 10",
       "INDEX review_queue"},
      {"SELECT id FROM moderator_notes WHERE space = 1 AND member = 2 AND id < 9 ORDER BY id "
       "DESC LIMIT 5",
       "INDEX moderator_notes_by_member"},
  };
  for (const auto& [sql, index] : paths) check_walks(raw, sql, index);
}

TEST_CASE("sanction listings walk their indexes (version 11)", "[sqlite]") {
  TempDb db;
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
  }
  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  auto sql = [](const std::string& where) {
    return "SELECT id, kind, member, space, issuer, reason, created_at, expires_at, revoked_at, "
           "revoked_by FROM sanctions " +
           where;
  };
  // The statements bind every value; these literals stand for them.
  const std::pair<const char*, const char*> paths[] = {
      {"WHERE member = 1 AND id > 0 ORDER BY id LIMIT 10", "INDEX sanctions_by_member"},
      {"WHERE member = 1 AND revoked_at = 0 AND kind <> 0 AND (expires_at = 0 OR expires_at > 5) "
       "ORDER BY id",
       "INDEX sanctions_in_force"},
      {"WHERE id = 1", "INTEGER PRIMARY KEY"},
  };
  for (const auto& [where, index] : paths) check_walks(raw, sql(where), index);
}

TEST_CASE("a member's reputation totals are keyed side by side, listed by window (version 16)",
          "[sqlite]") {
  TempDb db;
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
  }
  {
    // The file as version 15 left it: totals keyed (scope, window, member), with rows.
    SQLite::Database raw(db.path.string(), SQLite::OPEN_READWRITE);
    raw.exec(
        "DROP TABLE reputation_totals;"
        "CREATE TABLE reputation_totals (scope INTEGER NOT NULL, window TEXT NOT NULL COLLATE "
        "BINARY, member INTEGER NOT NULL, points INTEGER NOT NULL, PRIMARY KEY (scope, window, "
        "member)) WITHOUT ROWID;"
        "INSERT INTO reputation_totals VALUES (0, 'all', 8, 3), (0, 'all', 7, 5), "
        "(0, 'week:2026-11-23', 7, 2), (4, 'all', 7, 1), (0, 'day:2026-11-28', 7, 2);"
        "PRAGMA user_version = 15;");
  }
  auto storage = sqlite::open_storage({.path = db.path.string()});
  REQUIRE(storage);
  {
    auto tx = (*storage)->begin(TxMode::write);
    REQUIRE(tx);
    auto sum = (*tx)->add_reputation_total(SpaceId{}, "all", MemberId{7}, 10);
    REQUIRE(sum);
    CHECK(*sum == 15);
    auto day = (*tx)->get_reputation_total(SpaceId{}, "day:2026-11-28", MemberId{7});
    REQUIRE(day);
    CHECK(day->points == 2);
    REQUIRE((*tx)->add_reputation_total(SpaceId{}, "month:2026-11", MemberId{7}, 4));
    REQUIRE((*tx)->commit());
  }
  {
    // Listed in the contract's order, (scope, window, member), from any key on.
    auto tx = (*storage)->begin(TxMode::read);
    REQUIRE(tx);
    auto all = (*tx)->list_reputation_totals({}, 10);
    REQUIRE(all);
    std::vector<std::string> keys;
    for (const ReputationTotal& t : *all)
      keys.push_back(std::to_string(t.scope.value) + "/" + t.window + "/" +
                     std::to_string(t.member.value) + "=" + std::to_string(t.points));
    CHECK(keys == std::vector<std::string>{"0/all/7=15", "0/all/8=3", "0/day:2026-11-28/7=2",
                                           "0/month:2026-11/7=4", "0/week:2026-11-23/7=2",
                                           "4/all/7=1"});
    auto after = (*tx)->list_reputation_totals({SpaceId{}, "all", MemberId{8}}, 2);
    REQUIRE(after);
    REQUIRE(after->size() == 2);
    CHECK((*after)[0].window == "day:2026-11-28");
    CHECK((*after)[1].window == "month:2026-11");
  }
  storage->reset();
  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == sqlite::schema_version);
  // The key's order: a member's windows are neighbours, where a credit writes them.
  CHECK(raw.execAndGet("SELECT group_concat(name, ',') FROM (SELECT name FROM "
                       "pragma_table_info('reputation_totals') WHERE pk > 0 ORDER BY pk)")
            .getString() == "scope,member,window");
  const std::string get = query_plan(raw,
                                     "SELECT scope, window, member, points FROM reputation_totals "
                                     "WHERE scope = 0 AND window = 'all' AND member = 7");
  INFO(get);
  CHECK(get.find("PRIMARY KEY") != std::string::npos);
  check_walks(raw,
              "SELECT scope, window, member, points FROM reputation_totals "
              "WHERE (scope, window, member) > (0, 'all', 8) ORDER BY scope, window, member "
              "LIMIT 10",
              "INDEX reputation_totals_by_window");
}

TEST_CASE("what the engine writes can be read with plain SQL", "[sqlite]") {
  TempDb db;
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
    auto engine = Engine::open({.storage = *storage});
    REQUIRE(engine);
    auto& e = **engine;
    auto ada = e.create_member("ada", "Ada", "game:7");
    REQUIRE(ada);
    auto s = e.create_space(ada->id, {.kind = SpaceKind::guild, .name = "Owls"});
    REQUIRE(s);
    auto t = e.create_thread(ada->id, s->id, "Hello", "First \xF0\x9F\x94\xA5 post");
    REQUIRE(t);
    REQUIRE(e.react(ada->id, t->first_post.id, "heart"));
  }
  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT handle FROM members").getString() == "ada");
  CHECK(raw.execAndGet("SELECT external_ref FROM members").getString() == "game:7");
  CHECK(raw.execAndGet("SELECT body FROM posts").getString() == "First \xF0\x9F\x94\xA5 post");
  CHECK(raw.execAndGet("SELECT title FROM threads").getString() == "Hello");
  CHECK(raw.execAndGet("SELECT kind FROM reactions").getString() == "heart");
  // member_created, space_created, member_joined, thread_created, badge_awarded (the standard
  // first-thread), reaction_added: a reaction to one's own post earns nothing.
  CHECK(raw.execAndGet("SELECT count(*) FROM events").getInt() == 6);
  CHECK(raw.execAndGet("SELECT badge FROM badge_grants").getString() == "first-thread");
}

TEST_CASE("auto-moderation rules and appeals outlive the engine that stored them", "[sqlite]") {
  TempDb db;
  MemberId bo_id;
  SpaceId guild;
  std::uint64_t removal = 0;
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
    auto engine = Engine::open({.storage = *storage});
    REQUIRE(engine);
    auto& e = **engine;
    auto ada = e.create_member("ada", "Ada");
    auto bo = e.create_member("bo_2", "Bo");
    REQUIRE(ada);
    REQUIRE(bo);
    bo_id = bo->id;
    auto s = e.create_space(ada->id, {.kind = SpaceKind::guild, .name = "Owls"});
    REQUIRE(s);
    guild = s->id;
    REQUIRE(e.join_space(bo->id, guild));
    moderation::AutomodRules rules;
    rules.words = {{"zonk", moderation::WordAction::block}};
    rules.slow_mode_ms = 1;
    REQUIRE(e.set_automod_rules(ada->id, guild, rules));
    auto t = e.create_thread(bo->id, guild, "Fine", "fine words");
    REQUIRE(t);
    REQUIRE(e.remove_post(ada->id, t->first_post.id, "mistake"));
    auto history = e.moderation_history(bo->id, bo->id, {"", 10});
    REQUIRE(history);
    REQUIRE(history->items.size() == 1);
    removal = history->items[0].entry.id;
    REQUIRE(e.appeal(bo->id, removal, "it was fine"));
  }
  auto storage = sqlite::open_storage({.path = db.path.string()});
  REQUIRE(storage);
  auto engine = Engine::open({.storage = *storage});
  REQUIRE(engine);
  auto& e = **engine;
  auto blocked = e.create_thread(bo_id, guild, "x", "ZONK");
  REQUIRE_FALSE(blocked);
  CHECK(blocked.error() == make_error_code(errc::blocked));
  auto history = e.moderation_history(bo_id, bo_id, {"", 10});
  REQUIRE(history);
  REQUIRE(history->items.size() == 2);
  CHECK(history->items[0].entry.action == AuditAction::post_blocked);
  REQUIRE(history->items[1].appeal);
  CHECK(history->items[1].appeal->appeal_of == removal);
  auto again = e.appeal(bo_id, removal, "again");
  REQUIRE_FALSE(again);
  CHECK(again.error() == make_error_code(errc::already_exists));
}

TEST_CASE("a database written by a newer hearth is refused", "[sqlite]") {
  TempDb db;
  {
    SQLite::Database raw(db.path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("PRAGMA user_version = " + std::to_string(sqlite::schema_version + 1));
  }
  CHECK(code_of(sqlite::open_storage({.path = db.path.string()})) == errc::storage_error);
}

TEST_CASE("a file that is not a database is refused, not overwritten", "[sqlite]") {
  TempDb db;
  {
    std::ofstream out(db.path);
    out << "this is not an SQLite database, but it is somebody's file\n";
  }
  CHECK(code_of(sqlite::open_storage({.path = db.path.string()})) == errc::storage_error);
  std::ifstream in(db.path);
  std::string line;
  std::getline(in, line);
  CHECK(line == "this is not an SQLite database, but it is somebody's file");
}

TEST_CASE("unusable paths are refused with an error, not an exception", "[sqlite]") {
  CHECK(code_of(sqlite::open_storage({.path = ""})) == errc::storage_error);
  CHECK(code_of(sqlite::open_storage({.path = ":memory:"})) == errc::storage_error);
  CHECK(code_of(sqlite::open_storage({.path = "/nonexistent-dir/x/y.db"})) == errc::storage_error);
}

TEST_CASE("posts stored before version 4 become searchable when an engine opens the file",
          "[sqlite][migration][search]") {
  TempDb db;
  {
    SQLite::Database raw(db.path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec(schema_v1);
    raw.exec("PRAGMA user_version = 1");
    raw.exec(
        "INSERT INTO spaces (id, parent_id, kind, name, description, visibility, owner_id, "
        "created_at, member_count, thread_count) "
        "VALUES (10, NULL, 3, 'Night Owls', '', 0, 7, 1700000000000, 4, 1)");
    raw.exec(
        "INSERT INTO threads (id, space_id, author_id, title, first_post, last_post, created_at, "
        "last_activity_at, reply_count, deleted) "
        "VALUES (100, 10, 7, 'Raid plan', 1000, 1002, 1700000000100, 1700000000300, 2, 0)");
    raw.exec(
        "INSERT INTO posts (id, thread_id, space_id, author_id, reply_to, body, created_at, "
        "edited_at, revision, deleted) VALUES "
        "(1000, 100, 10, 7, NULL, 'Meet at the gate.', 1700000000100, 0, 1, 0), "
        "(1001, 100, 10, 8, 1000, 'Potions at the gate!', 1700000000200, 0, 1, 1), "
        "(1002, 100, 10, 8, 1000, 'Gate? Which GATE?', 1700000000300, 0, 1, 0)");
  }
  auto storage = sqlite::open_storage({.path = db.path.string(), .search_index_batch = 1});
  REQUIRE(storage);
  {
    auto tx = (*storage)->begin(TxMode::read);
    REQUIRE(tx);
    auto waiting = (*tx)->list_unindexed_posts(PostId{}, 10);
    REQUIRE(waiting);
    REQUIRE(waiting->size() == 2);  // the deleted post is not worth indexing
    CHECK((*waiting)[0].id == PostId{1000});
    CHECK((*waiting)[1].id == PostId{1002});
  }
  {
    // A backfill cut short: the first batch (1000) is committed; the second (1002) is listed
    // and never committed. The next engine goes on after 1000, whatever `after` it gives, so
    // that nothing is indexed twice (a contentless index would count it twice).
    auto tx = (*storage)->begin(TxMode::write);
    REQUIRE(tx);
    auto first = (*tx)->list_unindexed_posts(PostId{}, 1);
    REQUIRE(first);
    REQUIRE(first->size() == 1);
    CHECK((*first)[0].id == PostId{1000});
    REQUIRE((*tx)->index_post(PostId{1000}, {"raid plan", "meet at the gate"}));
    REQUIRE((*tx)->commit());
    tx->reset();  // a write transaction holds off the next writer until it is destroyed
    tx = (*storage)->begin(TxMode::write);
    REQUIRE(tx);
    auto second = (*tx)->list_unindexed_posts(PostId{1000}, 1);
    REQUIRE(second);
    REQUIRE(second->size() == 1);
    CHECK((*second)[0].id == PostId{1002});
    tx->reset();  // rolled back, as by a crash
    tx = (*storage)->begin(TxMode::read);
    REQUIRE(tx);
    auto left = (*tx)->list_unindexed_posts(PostId{}, 10);
    REQUIRE(left);
    REQUIRE(left->size() == 1);
    CHECK((*left)[0].id == PostId{1002});
  }
  auto engine = Engine::open({.storage = *storage});
  REQUIRE(engine);
  auto found = (*engine)->search(MemberId{}, "gate", {}, {"", 10});
  REQUIRE(found);
  REQUIRE(found->items.size() == 2);
  CHECK(found->items[0].post.id == PostId{1002});  // twice in the body
  CHECK(found->items[0].score == 2);
  CHECK(found->items[1].post.id == PostId{1000});
  auto by_title = (*engine)->search(MemberId{}, "raid plan", {}, {"", 10});
  REQUIRE(by_title);
  REQUIRE(by_title->items.size() == 1);
  CHECK(by_title->items[0].post.id == PostId{1000});
  CHECK(by_title->items[0].score == 8);
  engine->reset();
  storage->reset();

  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  // The index keeps no text (contentless): what it holds is seen through MATCH.
  CHECK(
      raw.execAndGet("SELECT count(*) FROM post_search WHERE post_search MATCH 'gate'").getInt() ==
      2);
  CHECK(raw.execAndGet("SELECT rowid FROM post_search WHERE post_search MATCH 'which'").getInt() ==
        1002);
  CHECK(raw.execAndGet("SELECT count(*) FROM post_search WHERE post_search MATCH 'potions'")
            .getInt() == 0);  // deleted: not indexed
  CHECK(raw.execAndGet("SELECT count(*) FROM search_backfill").getInt() == 0);  // done
}

TEST_CASE("posts wait for a batch before the index takes them, and are found meanwhile",
          "[sqlite][search]") {
  TempDb db;
  auto in_index = [&](const char* word) {
    SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
    return raw
        .execAndGet(std::string("SELECT count(*) FROM post_search WHERE post_search MATCH '") +
                    word + "'")
        .getInt();
  };
  auto waiting = [&] {
    SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
    return raw.execAndGet("SELECT count(*) FROM search_pending").getInt();
  };
  auto ids = [](const result<Page<SearchHit>>& page) {
    std::vector<std::uint64_t> out;
    if (page)
      for (const SearchHit& h : page->items) out.push_back(h.post.id.value);
    return out;
  };
  // An engine on the file, its posts indexed `batch` at a time.
  auto open_engine = [&](std::uint32_t batch) {
    auto storage = sqlite::open_storage({.path = db.path.string(), .search_index_batch = batch});
    REQUIRE(storage);
    auto engine = Engine::open({.storage = *storage});
    REQUIRE(engine);
    return std::move(*engine);
  };
  PostId first, second, third, fourth;
  {
    auto engine = open_engine(4);
    auto& e = *engine;
    auto ada = e.create_member("ada", "Ada");
    REQUIRE(ada);
    auto s = e.create_space(ada->id, {.kind = SpaceKind::guild, .name = "Owls"});
    REQUIRE(s);
    auto t = e.create_thread(ada->id, s->id, "Gate plan", "meet at the gate");
    REQUIRE(t);
    first = t->first_post.id;
    auto r1 = e.reply(ada->id, first, "the gate, the gate");
    auto r2 = e.reply(ada->id, first, "no gate here");
    REQUIRE(r1);
    REQUIRE(r2);
    second = r1->id;
    third = r2->id;
    // Three posts wait; the index holds none of them.
    CHECK(waiting() == 3);
    CHECK(in_index("gate") == 0);
    // Found all the same, scored and ordered as the index would: title 4, body 1 each.
    auto found = e.search(ada->id, "gate", {}, {"", 10});
    CHECK(ids(found) == std::vector<std::uint64_t>{first.value, second.value, third.value});
    REQUIRE(found);
    CHECK(found->items[0].score == 5);
    CHECK(found->items[1].score == 2);
    auto newest = e.search(ada->id, "gate", {.sort = SearchSort::newest}, {"", 2});
    CHECK(ids(newest) == std::vector<std::uint64_t>{third.value, second.value});
    REQUIRE(newest);
    auto rest = e.search(ada->id, "gate", {.sort = SearchSort::newest}, {newest->next_cursor, 2});
    CHECK(ids(rest) == std::vector<std::uint64_t>{first.value});
    CHECK(ids(e.search(ada->id, "gate -here", {.advanced = true}, {"", 10})) ==
          std::vector<std::uint64_t>{first.value, second.value});
    // An edit of a waiting post replaces its waiting text.
    REQUIRE(e.edit_post(ada->id, third, "no moat here"));
    CHECK(waiting() == 3);
    CHECK(ids(e.search(ada->id, "moat", {}, {"", 10})) == std::vector<std::uint64_t>{third.value});
    CHECK(ids(e.search(ada->id, "gate", {}, {"", 10})) ==
          std::vector<std::uint64_t>{first.value, second.value});
    // The fourth makes a batch: the commit indexes all four.
    auto r3 = e.reply(ada->id, first, "gate and moat");
    REQUIRE(r3);
    fourth = r3->id;
    CHECK(waiting() == 0);
    CHECK(in_index("gate") == 3);
    CHECK(in_index("moat") == 2);
    // A fifth waits again, and a search returns both kinds in one order (keyset pages too).
    REQUIRE(e.reply(ada->id, first, "gate gate gate"));
    CHECK(waiting() == 1);
    auto page1 = e.search(ada->id, "gate", {}, {"", 2});
    REQUIRE(page1);
    REQUIRE(page1->items.size() == 2);
    CHECK(page1->items[0].post.id == first);  // 5
    CHECK(page1->items[1].score == 3);        // the fifth, not yet indexed
    auto page2 = e.search(ada->id, "gate", {}, {page1->next_cursor, 2});
    CHECK(ids(page2) == std::vector<std::uint64_t>{second.value, fourth.value});
    // A deleted post is not found, waiting or not.
    REQUIRE(e.delete_post(ada->id, page1->items[1].post.id));
    REQUIRE(e.delete_post(ada->id, second));
    CHECK(ids(e.search(ada->id, "gate", {}, {"", 10})) ==
          std::vector<std::uint64_t>{first.value, fourth.value});
  }
  // Waiting text outlives the storage: reopened, the waiting posts are still there, and the
  // next batch takes them.
  {
    auto engine = open_engine(3);
    auto& e = *engine;
    auto ada = e.find_member_by_handle("ada");
    REQUIRE(ada);
    CHECK(waiting() == 1);  // the deleted fifth
    REQUIRE(e.reply(ada->id, first, "a quiet moat"));
    CHECK(waiting() == 2);
    CHECK(ids(e.search(ada->id, "quiet", {}, {"", 10})).size() == 1);
    REQUIRE(e.reply(ada->id, first, "a quiet gate"));
    CHECK(waiting() == 0);
    CHECK(in_index("quiet") == 2);
    REQUIRE(e.reply(ada->id, first, "quiet again"));
    CHECK(waiting() == 1);
  }
  // Reopened to index posts one by one: the next post indexed takes what waits along.
  {
    auto engine = open_engine(1);
    auto& e = *engine;
    auto ada = e.find_member_by_handle("ada");
    REQUIRE(ada);
    CHECK(ids(e.search(ada->id, "again", {}, {"", 10})).size() == 1);
    REQUIRE(e.reply(ada->id, first, "quiet at last"));
    CHECK(waiting() == 0);
    CHECK(in_index("quiet") == 4);
  }
}

namespace {

// Commits `count` members, one transaction each, with handles from `first` on.
void commit_members(Storage& storage, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    auto tx = storage.begin(TxMode::write);
    REQUIRE(tx);
    Member m;
    m.id = MemberId{static_cast<std::uint64_t>(i)};
    m.handle = "member" + std::to_string(i);
    m.display_name = "Member " + std::to_string(i) + std::string(200, 'x');
    REQUIRE((*tx)->insert_member(m));
    REQUIRE((*tx)->commit());
  }
}

std::uintmax_t size_or_zero(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

}  // namespace

TEST_CASE("checkpoints keep the WAL bounded, in the background or in the committing call",
          "[sqlite][concurrency]") {
  const bool background = GENERATE(true, false);
  CAPTURE(background);
  TempDb db;
  const fs::path wal = db.path.string() + "-wal";
  constexpr int threshold = 50;  // pages
  constexpr int members = 3000;  // each of about 3 pages: thousands of pages unchecked
  {
    auto storage = sqlite::open_storage({.path = db.path.string(),
                                         .wal_autocheckpoint_pages = threshold,
                                         .background_checkpoint = background});
    REQUIRE(storage);
    commit_members(**storage, 1, members);
    // Past 4 times the threshold a commit checkpoints itself; a WAL restarts from its start
    // once it is all copied, so it never holds much more than that. Without checkpoints it
    // would hold every page written: several MiB.
    CHECK(size_or_zero(wal) < 8 * threshold * (1024 + 24));
    // The pages reached the database file itself, not only the WAL.
    CHECK(size_or_zero(db.path) > members * 256);
  }
  auto reopened = sqlite::open_storage({.path = db.path.string()});
  REQUIRE(reopened);
  auto tx = (*reopened)->begin(TxMode::read);
  REQUIRE(tx);
  for (int i : {1, members / 2, members}) {
    auto m = (*tx)->get_member(MemberId{static_cast<std::uint64_t>(i)});
    REQUIRE(m);
    CHECK(m->handle == "member" + std::to_string(i));
  }
}

TEST_CASE("the background checkpoint copies the WAL into the database before any commit must",
          "[sqlite][concurrency]") {
  TempDb db;
  const fs::path wal = db.path.string() + "-wal";
  REQUIRE(sqlite::open_storage({.path = db.path.string()}));  // the schema, checkpointed on close
  REQUIRE(size_or_zero(wal) == 0);
  constexpr int threshold = 30;  // pages; a commit checkpoints itself past 4 times that
  auto storage =
      sqlite::open_storage({.path = db.path.string(), .wal_autocheckpoint_pages = threshold});
  REQUIRE(storage);
  const auto before = size_or_zero(db.path);
  // Commits until the WAL file holds 1.5 times the threshold: past it, short of twice it, where
  // a commit that finds the thread idle copies the rest itself. (The file never shrinks: a
  // restarted WAL is written over from its start, so with the thread at work this may stop at
  // the cap of commits instead.)
  int committed = 0;
  while (size_or_zero(wal) < 3 * threshold / 2 * (1024 + 24) && committed < 200)
    commit_members(**storage, ++committed, 1);
  REQUIRE(size_or_zero(wal) < 4 * threshold * (1024 + 24));
  // Only the checkpoint thread can have grown the database file, during the commits or after;
  // it gets 10 seconds.
  for (int i = 0; i < 1000 && size_or_zero(db.path) <= before; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(size_or_zero(db.path) > before);
}

TEST_CASE("readers and the background checkpoint run beside a writer", "[sqlite][concurrency]") {
  TempDb db;
  auto storage = sqlite::open_storage({.path = db.path.string(), .wal_autocheckpoint_pages = 20});
  REQUIRE(storage);
  std::atomic<bool> done{false};
  std::atomic<int> read_failures{0};
  std::atomic<std::uint64_t> last_seen{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto tx = (*storage)->begin(TxMode::read);
      if (!tx) {
        ++read_failures;
        continue;
      }
      // Members are committed in id order: whatever a snapshot holds, it holds all before.
      const std::uint64_t seen = last_seen.load();
      if (seen > 0 && !(*tx)->get_member(MemberId{seen})) ++read_failures;
      std::uint64_t probe = seen + 1;
      while ((*tx)->get_member(MemberId{probe})) ++probe;
      last_seen.store(probe - 1);
    }
  });
  commit_members(**storage, 1, 1500);
  done.store(true);
  reader.join();
  CHECK(read_failures.load() == 0);
  CHECK(last_seen.load() <= 1500);
}

namespace {

// Runs `child` in a forked process and returns its exit code: what it wrote must be in the
// files when it ends with _exit, which skips every destructor (nothing closed, nothing
// flushed: as if the process had died there).
int in_child(const std::function<int()>& child) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(child());
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

// Inserts members [first, first + count) in one write transaction; true when it committed.
bool insert_members_in_one(Storage& storage, int first, int count) {
  auto tx = storage.begin(TxMode::write);
  if (!tx) return false;
  for (int i = first; i < first + count; ++i) {
    Member m;
    m.id = MemberId{static_cast<std::uint64_t>(i)};
    m.handle = "member" + std::to_string(i);
    m.display_name = std::string(60, 'n');
    m.bio = std::string(1500, 'b');  // about two pages of 1 KiB each
    if (!(*tx)->insert_member(m)) return false;
  }
  return static_cast<bool>((*tx)->commit());
}

// Reads members [first, last] (as insert_members_in_one wrote them) in one transaction of
// `mode`; true when every one is there, whole.
bool read_members(Storage& storage, int first, int last, TxMode mode = TxMode::read) {
  auto tx = storage.begin(mode);
  if (!tx) return false;
  for (int i = first; i <= last; ++i) {
    auto m = (*tx)->get_member(MemberId{static_cast<std::uint64_t>(i)});
    if (!m || m->handle != "member" + std::to_string(i) || m->bio.size() != 1500) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("a commit is in the files when it returns, with the WAL writes batched or not",
          "[sqlite]") {
  const bool batch = GENERATE(true, false);
  const auto sync = GENERATE(sqlite::Synchronous::normal, sqlite::Synchronous::full);
  const bool exclusive = GENERATE(false, true);  // the WAL index in heap memory: lost with it
  CAPTURE(batch, static_cast<int>(sync), exclusive);
  TempDb db;
  const sqlite::SqliteOptions options{.path = db.path.string(),
                                      .synchronous = sync,
                                      .batch_wal_writes = batch,
                                      .exclusive = exclusive};
  // One commit per member, then one of 400 members (about 1,000 pages: more than the writer
  // gathers before it writes), then the process ends without closing anything.
  const int code = in_child([&] {
    auto storage = sqlite::open_storage(options);
    if (!storage) return 10;
    for (int i = 1; i <= 100; ++i)
      if (!insert_members_in_one(**storage, i, 1)) return 11;
    if (!insert_members_in_one(**storage, 101, 400)) return 12;
    return 0;
  });
  REQUIRE(code == 0);
  auto reopened = sqlite::open_storage({.path = db.path.string()});
  REQUIRE(reopened);
  CHECK(read_members(**reopened, 1, 500));
  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA integrity_check").getString() == "ok");
}

TEST_CASE("an exclusive storage keeps other processes out until it closes", "[sqlite]") {
  TempDb db;
  int ready[2];
  int done[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(done) == 0);
  // The child holds the storage (a process that opened none of the file itself is needed on
  // the other side: SQLite's lock bookkeeping is per process, and a fork copies it).
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    {
      auto storage = sqlite::open_storage({.path = db.path.string(), .exclusive = true});
      if (!storage) ::_exit(10);
      if (!insert_members_in_one(**storage, 1, 10)) ::_exit(11);
      // Its own connections share the WAL index in memory: there is no -shm file.
      if (fs::exists(db.path.string() + "-shm")) ::_exit(12);
      char byte = 1;
      if (::write(ready[1], &byte, 1) != 1 || ::read(done[0], &byte, 1) != 1) ::_exit(13);
      // Still its own, for its readers and writer.
      if (!read_members(**storage, 1, 10)) code = 14;
      if (!insert_members_in_one(**storage, 11, 5)) code = 15;
    }
    ::_exit(code);
  }
  // Only the child writes to `ready` and reads `done`: if it ends early, read sees the end.
  ::close(ready[1]);
  ::close(done[0]);
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  // Another process can neither read the file nor open a storage on it.
  CHECK_THROWS_AS(SQLite::Database(db.path.string(), SQLite::OPEN_READONLY)
                      .execAndGet("SELECT count(*) FROM members"),
                  SQLite::Exception);
  auto other = sqlite::open_storage({.path = db.path.string(), .busy_timeout_ms = 50});
  REQUIRE_FALSE(other);
  CHECK(is(other.error(), errc::unavailable));
  REQUIRE(::write(done[1], &byte, 1) == 1);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  ::close(ready[0]);
  ::close(done[1]);
  // Closed: anyone may open it, and everything is there.
  auto reopened = sqlite::open_storage({.path = db.path.string()});
  REQUIRE(reopened);
  CHECK(read_members(**reopened, 1, 15));
}

TEST_CASE("a commit whose WAL write fails fails, and leaves nothing of itself", "[sqlite]") {
  const bool batch = GENERATE(true, false);
  CAPTURE(batch);
  TempDb db;
  const sqlite::SqliteOptions options{.path = db.path.string(), .batch_wal_writes = batch};
  const fs::path wal = db.path.string() + "-wal";
  const int code = in_child([&] {
    auto storage = sqlite::open_storage(options);
    if (!storage) return 10;
    if (!insert_members_in_one(**storage, 1, 10)) return 11;
    // Writes past 16 KiB beyond the WAL's end now fail (EFBIG, the signal ignored).
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{};
    if (::getrlimit(RLIMIT_FSIZE, &limit) != 0) return 12;
    const rlimit saved = limit;
    limit.rlim_cur = static_cast<rlim_t>(size_or_zero(wal) + 16 * 1024);
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 13;
    if (insert_members_in_one(**storage, 11, 100)) return 14;  // ~250 pages: must fail
    if (::setrlimit(RLIMIT_FSIZE, &saved) != 0) return 15;
    // The storage goes on: the next commit succeeds.
    if (!insert_members_in_one(**storage, 500, 1)) return 16;
    return 0;
  });
  REQUIRE(code == 0);
  auto reopened = sqlite::open_storage({.path = db.path.string()});
  REQUIRE(reopened);
  auto tx = (*reopened)->begin(TxMode::read);
  REQUIRE(tx);
  for (int i = 1; i <= 10; ++i) CHECK((*tx)->get_member(MemberId{static_cast<std::uint64_t>(i)}));
  for (int i = 11; i <= 110; ++i) {
    auto m = (*tx)->get_member(MemberId{static_cast<std::uint64_t>(i)});
    REQUIRE_FALSE(m);
    CHECK(is(m.error(), errc::not_found));
  }
  CHECK((*tx)->get_member(MemberId{500}));
  SQLite::Database raw(db.path.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA integrity_check").getString() == "ok");
}

namespace {

// The minor page faults of the calling thread so far.
long thread_minor_faults() {
  rusage usage{};
  REQUIRE(::getrusage(RUSAGE_THREAD, &usage) == 0);
  return usage.ru_minflt;
}

}  // namespace

TEST_CASE("read connections keep their map of the database file across commits", "[sqlite]") {
  TempDb db;
  constexpr int members = 1200;  // about 2,400 pages of 1 KiB
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
    REQUIRE(insert_members_in_one(**storage, 1, members));
  }  // closing copies them all into the database file, which reads then map
  // The page faults of reading every member again after each of 10 commits (of one member, to
  // the WAL): SQLite drops a reader's map at the first read after a commit, and the read faults
  // every page it touches in again; a kept map has them.
  const auto faults_reading_after_commits = [&](bool keep, int first_new) {
    auto storage = sqlite::open_storage({.path = db.path.string(), .keep_read_maps = keep});
    REQUIRE(storage);
    REQUIRE(read_members(**storage, 1, members));  // maps the file, faults its pages in
    long faults = 0;
    for (int i = first_new; i < first_new + 10; ++i) {
      REQUIRE(insert_members_in_one(**storage, i, 1));
      const long before = thread_minor_faults();
      REQUIRE(read_members(**storage, 1, members));
      faults += thread_minor_faults() - before;
      REQUIRE(read_members(**storage, i, i));  // the read sees the commit
    }
    return faults;
  };
  const long kept = faults_reading_after_commits(true, 10'001);
  const long dropped = faults_reading_after_commits(false, 20'001);
  CAPTURE(kept, dropped);
  // Each read touches about 600 pages of 4 KiB, which the kernel maps 16 at a fault: 10 reads
  // of a dropped map take about 400 faults more than of a kept one (nothing else differs: the
  // other faults, of the heap, are the same in both and under ASan number thousands).
  CHECK(dropped - kept >= 150);
}

namespace {

// How many read system calls (read, pread64, ...) the calling thread has made; -1 where the
// kernel does not count them (no task I/O accounting).
long thread_read_calls() {
  std::ifstream io("/proc/thread-self/io");
  std::string key;
  long value = 0;
  while (io >> key >> value)
    if (key == "syscr:") return value;
  return -1;
}

// Whether thread_read_calls counts here; says why the test is skipped when it does not.
bool read_calls_counted() {
  if (thread_read_calls() >= 0) return true;
  WARN("skipped: this kernel does not count a thread's read system calls (/proc/thread-self/io)");
  return false;
}

}  // namespace

TEST_CASE("pages in the WAL are copied from a map of it, not read with a system call each",
          "[sqlite]") {
  if (!read_calls_counted()) return;
  const auto mode = GENERATE(TxMode::read, TxMode::write);  // a reader's, and the writer's
  CAPTURE(mode == TxMode::write);
  constexpr int members = 400;  // about 1,000 pages, more than a connection's cache of 1 MiB
  // Every page stays in the WAL (no checkpoint). The first members' pages are read from there by
  // a connection that has not cached them: a reader, or the writer, whose cache the next
  // members' pages took.
  const auto read_calls = [&](std::int64_t mmap_size) {
    TempDb db;
    auto storage = sqlite::open_storage({.path = db.path.string(),
                                         .wal_autocheckpoint_pages = 1'000'000,
                                         .background_checkpoint = false,
                                         .mmap_size = mmap_size});
    REQUIRE(storage);
    REQUIRE(insert_members_in_one(**storage, 1, members));
    REQUIRE(insert_members_in_one(**storage, members + 1, members));
    const long before = thread_read_calls();
    REQUIRE(read_members(**storage, 1, members, mode));
    return thread_read_calls() - before;
  };
  const long mapped = read_calls(std::int64_t{1} << 30);
  const long unmapped = read_calls(0);
  CAPTURE(mapped, unmapped);
  CHECK(unmapped >= members);  // a pread() for every page not cached
  CHECK(mapped < members / 10);
}

TEST_CASE("the writer maps the database file again as checkpoints grow it", "[sqlite]") {
  if (!read_calls_counted()) return;
  TempDb db;
  // The writer maps the file when it opens (migrating reads the schema): a few pages. The
  // checkpoint thread then grows the file while only the writer commits. Each commit is given
  // the time for the thread to copy it: a writer that reached twice the threshold would copy
  // the WAL itself, and SQLite maps a file again when its own checkpoint grows it.
  auto storage = sqlite::open_storage({.path = db.path.string(), .wal_autocheckpoint_pages = 100});
  REQUIRE(storage);
  const auto at_open = size_or_zero(db.path);
  constexpr int members = 600;  // about 1,500 pages, more than the writer's cache of 1 MiB
  for (int i = 1; i <= members; i += 10) {
    REQUIRE(insert_members_in_one(**storage, i, 10));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Until the checkpoint thread has stopped growing the file (200 ms unchanged; 10 s at most).
  auto size = size_or_zero(db.path);
  for (int still = 0, polls = 0; still < 20 && polls < 1000; ++polls) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const auto now = size_or_zero(db.path);
    still = now == size ? still + 1 : 0;
    size = now;
  }
  REQUIRE(size > 8 * at_open);
  // The next write transaction begins with the writer's map made again at the file's size, so
  // the first members' pages, long out of the writer's cache and copied into the file, are read
  // from the map: without it, each past the first map's end would cost a pread().
  REQUIRE(insert_members_in_one(**storage, members + 1, 1));
  const long before = thread_read_calls();
  REQUIRE(read_members(**storage, 1, members / 3, TxMode::write));
  const long calls = thread_read_calls() - before;
  CAPTURE(at_open, size, calls);
  CHECK(calls < members / 10);
}

TEST_CASE("a map of the WAL reads what another process wrote to it", "[sqlite]") {
  TempDb db;
  auto storage = sqlite::open_storage({.path = db.path.string(),
                                       .wal_autocheckpoint_pages = 1'000'000,
                                       .background_checkpoint = false});
  REQUIRE(storage);
  REQUIRE(insert_members_in_one(**storage, 1, 200));
  REQUIRE(read_members(**storage, 1, 200, TxMode::read));  // the reader's map, at its size
  REQUIRE(read_members(**storage, 1, 200, TxMode::write));
  // Another process appends frames past what this one's maps know the WAL holds.
  const int code = in_child([&] {
    auto other = sqlite::open_storage({.path = db.path.string(),
                                       .wal_autocheckpoint_pages = 1'000'000,
                                       .background_checkpoint = false});
    if (!other) return 10;
    return insert_members_in_one(**other, 201, 200) ? 0 : 11;
  });
  REQUIRE(code == 0);
  CHECK(read_members(**storage, 1, 400, TxMode::read));
  CHECK(read_members(**storage, 1, 400, TxMode::write));
  REQUIRE(insert_members_in_one(**storage, 401, 10));
  CHECK(read_members(**storage, 1, 410, TxMode::read));
}

TEST_CASE("a kept map reads what checkpoints add to the database file, past the map's end",
          "[sqlite]") {
  TempDb db;
  constexpr int members = 600;
  {
    auto storage = sqlite::open_storage({.path = db.path.string()});
    REQUIRE(storage);
    REQUIRE(insert_members_in_one(**storage, 1, members));
  }
  const auto before = size_or_zero(db.path);
  // Checkpoints in the committing call, every 20 pages: the file grows while the reader's map
  // is kept (by less than an eighth of it, so the map is not made again).
  auto storage = sqlite::open_storage(
      {.path = db.path.string(), .wal_autocheckpoint_pages = 20, .background_checkpoint = false});
  REQUIRE(storage);
  REQUIRE(read_members(**storage, 1, members));
  for (int i = members + 1; i <= members + 40; ++i) {
    REQUIRE(insert_members_in_one(**storage, i, 1));
    REQUIRE(read_members(**storage, i - 5 > members ? i - 5 : members + 1, i));
  }
  const auto after = size_or_zero(db.path);
  CHECK(after > before);
  CHECK(after - before < before / 8);
  CHECK(read_members(**storage, 1, members + 40));
}
