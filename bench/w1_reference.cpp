// W1's reference: the same operations as hearth_w1, in plain SQLite through SQLiteCpp, doing only
// the inserts, updates and selects each operation needs. Prepared statements, one transaction
// per write operation, WAL with synchronous=NORMAL.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "w1_common.hpp"

namespace {

using hearth::bench::Config;
using hearth::bench::Stopwatch;
using hearth::bench::Tally;
using hearth::bench::Workload;

constexpr const char* schema = R"sql(
CREATE TABLE members(
  id INTEGER PRIMARY KEY,
  handle TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  reputation INTEGER NOT NULL DEFAULT 0);
CREATE TABLE spaces(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL);
CREATE TABLE memberships(
  space INTEGER NOT NULL,
  member INTEGER NOT NULL,
  PRIMARY KEY(space, member)) WITHOUT ROWID;
CREATE TABLE threads(
  id INTEGER PRIMARY KEY,
  space INTEGER NOT NULL,
  title TEXT NOT NULL,
  last_activity INTEGER NOT NULL,
  reply_count INTEGER NOT NULL DEFAULT 0);
CREATE INDEX threads_by_activity ON threads(space, last_activity);
CREATE TABLE posts(
  id INTEGER PRIMARY KEY,
  thread INTEGER NOT NULL,
  author INTEGER NOT NULL,
  body TEXT NOT NULL,
  score INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL);
CREATE INDEX posts_by_thread ON posts(thread);
CREATE TABLE reactions(
  post INTEGER NOT NULL,
  member INTEGER NOT NULL,
  kind TEXT NOT NULL,
  PRIMARY KEY(post, member, kind)) WITHOUT ROWID;
)sql";

// What a read returns: complete records, bodies copied out of SQLite.
struct PostRow {
  std::int64_t id;
  std::int64_t author;
  std::string body;
  std::int64_t score;
  std::int64_t created;
};
struct ThreadRow {
  std::int64_t id;
  std::string title;
  std::int64_t last_activity;
  std::int64_t reply_count;
};

[[noreturn]] void fail(const char* what, std::uint64_t op) {
  throw std::runtime_error(std::string(what) + " (operation " + std::to_string(op) + ")");
}

class Reference {
 public:
  Reference(const std::string& path, std::int64_t mmap_mib)
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE),
        setup_(db_, mmap_mib),
        insert_member_(db_, "INSERT INTO members(handle, name) VALUES(?1, ?2)"),
        insert_space_(db_, "INSERT INTO spaces(name) VALUES(?1)"),
        join_(db_, "INSERT OR IGNORE INTO memberships(space, member) VALUES(?1, ?2)"),
        insert_thread_(db_, "INSERT INTO threads(space, title, last_activity) VALUES(?1, ?2, ?3)"),
        insert_post_(db_,
                     "INSERT INTO posts(thread, author, body, created) VALUES(?1, ?2, ?3, ?4)"),
        touch_thread_(db_,
                      "UPDATE threads SET last_activity = ?2, reply_count = reply_count + 1 "
                      "WHERE id = ?1"),
        react_(db_, "INSERT OR IGNORE INTO reactions(post, member, kind) VALUES(?1, ?2, '+1')"),
        score_(db_, "UPDATE posts SET score = score + 1 WHERE id = ?1 RETURNING author"),
        reputation_(db_, "UPDATE members SET reputation = reputation + 1 WHERE id = ?1"),
        thread_page_(db_,
                     "SELECT id, author, body, score, created FROM posts WHERE thread = ?1 "
                     "ORDER BY id LIMIT ?2"),
        listing_(db_,
                 "SELECT id, title, last_activity, reply_count FROM threads WHERE space = ?1 "
                 "ORDER BY last_activity DESC LIMIT ?2") {}

  std::int64_t create_member(const std::string& handle, const std::string& name) {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    insert_member_.bind(1, handle);
    insert_member_.bind(2, name);
    insert_member_.exec();
    insert_member_.reset();
    const auto id = db_.getLastInsertRowid();
    tx.commit();
    return id;
  }

  // The owner becomes the space's first member.
  std::int64_t create_space(const std::string& name, std::int64_t owner) {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    insert_space_.bind(1, name);
    insert_space_.exec();
    insert_space_.reset();
    const auto id = db_.getLastInsertRowid();
    join_.bind(1, id);
    join_.bind(2, owner);
    join_.exec();
    join_.reset();
    tx.commit();
    return id;
  }

  bool join(std::int64_t space, std::int64_t member) {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    join_.bind(1, space);
    join_.bind(2, member);
    const bool joined = join_.exec() == 1;
    join_.reset();
    tx.commit();
    return joined;
  }

  struct Created {
    std::int64_t thread;
    std::int64_t post;
  };
  Created create_thread(std::int64_t space, std::int64_t author, const std::string& title,
                        const std::string& body, std::int64_t now) {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    insert_thread_.bind(1, space);
    insert_thread_.bind(2, title);
    insert_thread_.bind(3, now);
    insert_thread_.exec();
    insert_thread_.reset();
    const auto thread = db_.getLastInsertRowid();
    const auto post = insert_post(thread, author, body, now);
    tx.commit();
    return {thread, post};
  }

  std::int64_t reply(std::int64_t thread, std::int64_t author, const std::string& body,
                     std::int64_t now) {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    const auto post = insert_post(thread, author, body, now);
    touch_thread_.bind(1, thread);
    touch_thread_.bind(2, now);
    touch_thread_.exec();
    touch_thread_.reset();
    tx.commit();
    return post;
  }

  // A new reaction raises the post's score and its author's reputation.
  bool react(std::int64_t post, std::int64_t member) {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    react_.bind(1, post);
    react_.bind(2, member);
    const bool added = react_.exec() == 1;
    react_.reset();
    if (added) {
      score_.bind(1, post);
      if (!score_.executeStep()) throw SQLite::Exception("reacted to a missing post");
      const std::int64_t author = score_.getColumn(0).getInt64();
      score_.reset();
      reputation_.bind(1, author);
      reputation_.exec();
      reputation_.reset();
    }
    tx.commit();
    return added;
  }

  void thread_page(std::int64_t thread, std::uint32_t limit, std::vector<PostRow>& out) {
    out.clear();
    thread_page_.bind(1, thread);
    thread_page_.bind(2, limit);
    while (thread_page_.executeStep()) {
      out.push_back({thread_page_.getColumn(0).getInt64(), thread_page_.getColumn(1).getInt64(),
                     thread_page_.getColumn(2).getString(), thread_page_.getColumn(3).getInt64(),
                     thread_page_.getColumn(4).getInt64()});
    }
    thread_page_.reset();
  }

  void listing(std::int64_t space, std::uint32_t limit, std::vector<ThreadRow>& out) {
    out.clear();
    listing_.bind(1, space);
    listing_.bind(2, limit);
    while (listing_.executeStep()) {
      out.push_back({listing_.getColumn(0).getInt64(), listing_.getColumn(1).getString(),
                     listing_.getColumn(2).getInt64(), listing_.getColumn(3).getInt64()});
    }
    listing_.reset();
  }

 private:
  struct Setup {
    Setup(SQLite::Database& db, std::int64_t mmap_mib) {
      db.exec("PRAGMA journal_mode=WAL");
      db.exec("PRAGMA synchronous=NORMAL");
      if (mmap_mib >= 0) db.exec("PRAGMA mmap_size=" + std::to_string(mmap_mib << 20));
      db.exec(schema);
    }
  };

  std::int64_t insert_post(std::int64_t thread, std::int64_t author, const std::string& body,
                           std::int64_t now) {
    insert_post_.bind(1, thread);
    insert_post_.bind(2, author);
    insert_post_.bind(3, body);
    insert_post_.bind(4, now);
    insert_post_.exec();
    insert_post_.reset();
    return db_.getLastInsertRowid();
  }

  SQLite::Database db_;
  Setup setup_;
  SQLite::Statement insert_member_, insert_space_, join_, insert_thread_, insert_post_,
      touch_thread_, react_, score_, reputation_, thread_page_, listing_;
};

int run(const Config& config, const std::string& path) {
  Reference db(path, config.mmap_mib);
  Workload workload(config);
  Tally tally;
  std::int64_t now = hearth::bench::clock_start_ms;
  std::uint64_t op = 0;

  std::vector<std::int64_t> members(config.members);
  std::vector<std::int64_t> spaces(config.spaces);
  std::vector<std::int64_t> threads;
  std::vector<std::int64_t> posts;
  threads.reserve(config.posts);
  posts.reserve(config.posts);

  {
    Stopwatch watch;
    for (std::uint32_t i = 0; i < config.members; ++i, ++op) {
      ++now;
      members[i] = db.create_member(Workload::handle(i), Workload::display_name(i));
    }
    hearth::bench::report_phase("members", config.members, watch.seconds());
  }
  {
    Stopwatch watch;
    for (std::uint32_t s = 0; s < config.spaces; ++s, ++op) {
      ++now;
      const auto space = workload.next_space();
      spaces[space.space] = db.create_space(space.name, members[space.owner]);
    }
    for (std::uint32_t j = 0; j < workload.join_count(); ++j, ++op) {
      ++now;
      const auto join = workload.next_join();
      const bool joined = db.join(spaces[join.space], members[join.member]);
      if (joined != join.joins) fail("join_space: unexpected result", op);
      ++(joined ? tally.joins : tally.repeated_joins);
    }
    hearth::bench::report_phase("spaces_and_joins", config.spaces + workload.join_count(),
                                watch.seconds());
  }
  {
    Stopwatch watch;
    Workload::PostOp post;
    for (std::uint32_t p = 0; p < config.posts; ++p, ++op) {
      ++now;
      workload.next_post(post);
      if (post.new_thread) {
        const auto created =
            db.create_thread(spaces[post.space], members[post.author], post.title, post.body, now);
        threads.push_back(created.thread);
        posts.push_back(created.post);
        ++tally.threads;
      } else {
        posts.push_back(db.reply(threads[post.thread], members[post.author], post.body, now));
        ++tally.replies;
      }
    }
    hearth::bench::report_phase("posts", config.posts, watch.seconds());
  }
  {
    Stopwatch watch;
    for (std::uint32_t r = 0; r < config.reactions; ++r, ++op) {
      ++now;
      const auto reaction = workload.next_reaction();
      const bool added = db.react(posts[reaction.post], members[reaction.member]);
      if (added != reaction.adds) fail("react: unexpected result", op);
      ++(added ? tally.reactions : tally.repeated_reactions);
    }
    hearth::bench::report_phase("reactions", config.reactions, watch.seconds());
  }
  {
    Stopwatch watch;
    std::vector<PostRow> page;
    for (std::uint32_t i = 0; i < config.thread_pages; ++i, ++op) {
      ++now;
      const auto read = workload.next_thread_page();
      db.thread_page(threads[read.thread], config.thread_page_size, page);
      if (page.empty() || page.size() != read.expected ||
          page.front().id != posts[read.first_post] || page.front().body.empty()) {
        fail("thread page: unexpected result", op);
      }
      tally.posts_read += page.size();
    }
    hearth::bench::report_phase("thread_pages", config.thread_pages, watch.seconds());
  }
  {
    Stopwatch watch;
    std::vector<ThreadRow> listing;
    for (std::uint32_t i = 0; i < config.space_listings; ++i, ++op) {
      ++now;
      const auto read = workload.next_listing();
      db.listing(spaces[read.space], config.listing_size, listing);
      if (listing.size() != read.expected ||
          (read.expected > 0 && listing.front().id != threads[read.latest])) {
        fail("space listing: unexpected result", op);
      }
      tally.threads_listed += listing.size();
    }
    hearth::bench::report_phase("space_listings", config.space_listings, watch.seconds());
  }
  tally.print("hearth_w1_reference");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return hearth::bench::run_program("hearth_w1_reference", argc, argv, run);
}
