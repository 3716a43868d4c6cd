// A program outside the hearth tree, built against the installed package.
#include <hearth/hearth.hpp>
#include <hearth/sqlite/sqlite_storage.hpp>

#include <cstdio>
#include <filesystem>

int main() {
  const auto path = std::filesystem::temp_directory_path() / "hearth-consumer-test.db";
  std::filesystem::remove(path);
  auto storage = hearth::sqlite::open_storage({.path = path.string()});
  if (!storage) return 1;
  auto engine = hearth::Engine::open({.storage = *storage});
  if (!engine) return 2;
  auto ada = (*engine)->create_member("ada", "Ada");
  if (!ada) return 3;
  auto guild = (*engine)->create_space(ada->id, {.kind = hearth::SpaceKind::guild, .name = "Owls"});
  if (!guild) return 4;
  std::printf("installed hearth works: space %llu\n",
              static_cast<unsigned long long>(guild->id.value));
  engine->reset();
  std::filesystem::remove(path);
  return 0;
}
