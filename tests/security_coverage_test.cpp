// Every public call of Engine is in the security matrix or named as exempt, with a reason: a new
// call that is in neither fails here until its row is written.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "conformance/security_matrix.hpp"

namespace {

// The names of the public member functions declared in `class Engine` of engine.hpp.
std::set<std::string> engine_calls() {
  std::ifstream in(HEARTH_SOURCE_DIR "/include/hearth/engine.hpp");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  const auto begin = all.find("\nclass Engine {");
  REQUIRE(begin != std::string::npos);
  const auto end = all.find("\n private:", begin);
  REQUIRE(end != std::string::npos);
  const std::string body = all.substr(begin, end - begin);
  // A declaration: a return type, then name( at the start of a line (comments are skipped).
  const std::regex decl(R"(^\s+(?:static\s+)?(?:const\s+)?[\w:<>,]+(?:\s*[&*])?\s+(\w+)\()");
  std::set<std::string> names;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("//") != std::string::npos && line.find("//") < line.find('(')) continue;
    std::smatch m;
    if (std::regex_search(line, m, decl)) names.insert(m[1]);
  }
  return names;
}

}  // namespace

TEST_CASE("every engine call is in the security matrix or exempt with a reason", "[security]") {
  namespace matrix = hearth::conformance::matrix;
  const std::set<std::string> calls = engine_calls();
  REQUIRE(calls.size() > 40);  // the parser found the class, not a fragment of it
  std::set<std::string> covered;
  for (const auto& row : matrix::rows) covered.insert(std::string(row.call));
  for (const auto& e : matrix::exempt) {
    CHECK_FALSE(e.why.empty());
    covered.insert(std::string(e.call));
  }
  for (const std::string& call : calls) {
    INFO("Engine::" << call << " is neither a row of tests/conformance/security_matrix.hpp nor "
                    << "exempt there");
    CHECK(covered.count(call) == 1);
  }
  for (const std::string& name : covered) {
    INFO(name << " is in the security matrix but not an Engine call");
    CHECK(calls.count(name) == 1);
  }
}

TEST_CASE("docs/permissions.md shows the security matrix as it is", "[security]") {
  std::ifstream in(HEARTH_SOURCE_DIR "/docs/permissions.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (const auto& row : hearth::conformance::matrix::rows) {
    std::string line = "| `" + std::string(row.call) + "` | " + std::string(row.what) + " | `" +
                       std::string(row.public_) + "` | `" + std::string(row.private_) + "` | `" +
                       std::string(row.secret) + "` |";
    INFO("docs/permissions.md lacks, or shows differently, the row: " << line);
    CHECK(doc.find(line) != std::string::npos);
  }
}
