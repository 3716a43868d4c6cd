#include "hearth/sqlite/sqlite_storage.hpp"  // first: the header stands alone

#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

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
  for (const char* table : {"members", "spaces", "memberships", "threads", "posts", "revisions",
                            "reactions", "reaction_counts", "events"})
    CHECK(raw.tableExists(table));
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
  CHECK(raw.execAndGet("SELECT count(*) FROM events").getInt() == 5);
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
