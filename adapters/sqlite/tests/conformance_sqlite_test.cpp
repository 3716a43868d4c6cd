// Runs the storage conformance kit against the SQLite adapter, on files in a scratch folder.
#include <unistd.h>

#include <filesystem>
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
  hearth::conformance::StorageFactory factory;
  factory.name = "SqliteStorage";
  factory.create = [&]() {
    last = (scratch.path / ("db" + std::to_string(++counter) + ".sqlite")).string();
    return hearth::sqlite::open_storage({.path = last});
  };
  factory.reopen = [&]() { return hearth::sqlite::open_storage({.path = last}); };
  return hearth::conformance::run(std::move(factory), argc, argv);
}
