// Runs the storage conformance kit against the SQLite adapter, on files in a scratch folder.
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <exception>
#include <filesystem>
#include <map>
#include <string>

#include "hearth/conformance/kit.hpp"
#include "hearth/sqlite/sqlite_storage.hpp"

namespace fs = std::filesystem;

namespace {

struct ScratchDir {
  fs::path path =
      fs::temp_directory_path() / ("hearth-sqlite-conformance-" + std::to_string(::getpid()));
  ScratchDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

int main(int argc, char** argv) {
  ScratchDir scratch;
  int counter = 0;
  std::string last;
  // Where each storage the kit holds lives, for copy.
  std::map<const hearth::Storage*, std::string> paths;
  // Every other file is opened exclusive (SqliteOptions::exclusive), so that the kit covers
  // both ways of locking: the odd ones, where each case's first storage is.
  std::map<std::string, bool> exclusive;
  auto next_path = [&] {
    ++counter;
    const std::string path = (scratch.path / ("db" + std::to_string(counter) + ".sqlite")).string();
    exclusive[path] = counter % 2 == 1;
    return path;
  };
  // Search batches of 3: a kit case's posts are then some in the full-text index and some
  // waiting for the next batch, and every search covers both and their merge.
  auto options_at = [&](const std::string& path) {
    return hearth::sqlite::SqliteOptions{
        .path = path, .search_index_batch = 3, .exclusive = exclusive[path]};
  };
  auto open_at = [&](const std::string& path) {
    auto s = hearth::sqlite::open_storage(options_at(path));
    if (s) paths[s->get()] = path;
    return s;
  };
  hearth::conformance::StorageFactory factory;
  factory.name = "SqliteStorage";
  factory.create = [&]() {
    last = next_path();
    return open_at(last);
  };
  factory.reopen = [&]() { return hearth::sqlite::open_storage(options_at(last)); };
  // A copy through VACUUM INTO, which reads one snapshot of the file (its WAL included) from a
  // connection of its own while the storage stays open.
  factory.copy =
      [&](const hearth::Storage& from) -> hearth::result<std::shared_ptr<hearth::Storage>> {
    const auto source = paths.find(&from);
    if (source == paths.end()) return hearth::errc::invalid_argument;
    const std::string to = next_path();
    try {
      SQLite::Database db(source->second, SQLite::OPEN_READONLY);
      db.exec("PRAGMA synchronous = OFF");  // the copy is a scratch file: no fsync for it
      SQLite::Statement vacuum(db, "VACUUM INTO ?1");
      vacuum.bind(1, to);
      vacuum.exec();
    } catch (const std::exception&) {
      return hearth::errc::storage_error;
    }
    return open_at(to);
  };
  return hearth::conformance::run(std::move(factory), argc, argv);
}
