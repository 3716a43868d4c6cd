// The auto-moderation part of the storage contract (Transaction::get_automod_rules and the rest
// of its section), run against the kit's storage: every field read back byte for byte, a
// replaced set, the community-wide set under no space, deletion, rollback and persistence.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "hearth/storage/storage.hpp"
#include "kit_internal.hpp"
#include "result_string.hpp"

namespace hearth::conformance {
namespace {

using detail::begin;
using detail::code_of;
using detail::fresh_storage;

AutomodRecord record(std::uint64_t space, std::string rules) {
  return {SpaceId{space}, std::move(rules), MemberId{9}, static_cast<Timestamp>(space) * 10};
}

TEST_CASE("automod rule sets read back as stored, one per space, replaced in place",
          "[conformance][automod]") {
  auto s = fresh_storage();
  constexpr std::uint64_t big = std::uint64_t{1} << 62;
  // JSON with quotes, a line break, non-ASCII text and a NUL-free but long body.
  const std::string long_rules = R"({"words":[{"pattern":")" + std::string(20'000, 'x') + R"("}]})";
  AutomodRecord full{SpaceId{big + 1},
                     "{\"words\":[{\"pattern\":\"caf\xC3\xA9\"}],\n\"x\":\"\\\"\"}",
                     MemberId{big + 2}, -5};
  {
    auto tx = begin(*s);
    REQUIRE(tx->put_automod_rules(full));
    REQUIRE(tx->put_automod_rules(record(0, "{}")));  // the community's
    REQUIRE(tx->put_automod_rules(record(10, long_rules)));
    REQUIRE(tx->put_automod_rules(record(11, "{\"inherit\":false}")));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    AutomodRecord replaced{SpaceId{11}, "{\"max_mentions\":3}", MemberId{}, 77};
    REQUIRE(tx->put_automod_rules(replaced));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto got = tx->get_automod_rules(full.space);
  REQUIRE(got);
  CHECK(got->space == full.space);
  CHECK(got->rules == full.rules);
  CHECK(got->updated_by == full.updated_by);
  CHECK(got->updated_at == -5);
  auto community = tx->get_automod_rules(SpaceId{});
  REQUIRE(community);
  CHECK(community->rules == "{}");
  CHECK(tx->get_automod_rules(SpaceId{10})->rules == long_rules);
  auto eleven = tx->get_automod_rules(SpaceId{11});
  REQUIRE(eleven);
  CHECK(eleven->rules == "{\"max_mentions\":3}");
  CHECK(!eleven->updated_by);
  CHECK(eleven->updated_at == 77);
  CHECK(code_of(tx->get_automod_rules(SpaceId{12})) == errc::not_found);
}

TEST_CASE("a deleted automod rule set is gone, and a rolled-back change never was",
          "[conformance][automod]") {
  auto s = fresh_storage();
  {
    auto tx = begin(*s);
    REQUIRE(tx->put_automod_rules(record(10, "{\"a\":1}")));
    REQUIRE(tx->put_automod_rules(record(11, "{\"b\":2}")));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    auto deleted = tx->delete_automod_rules(SpaceId{10});
    REQUIRE(deleted);
    CHECK(*deleted);
    REQUIRE(tx->put_automod_rules(record(11, "{\"b\":3}")));
    REQUIRE(tx->put_automod_rules(record(12, "{\"c\":4}")));
  }  // never committed
  {
    auto tx = begin(*s);
    CHECK(tx->get_automod_rules(SpaceId{10})->rules == "{\"a\":1}");
    CHECK(tx->get_automod_rules(SpaceId{11})->rules == "{\"b\":2}");
    CHECK(code_of(tx->get_automod_rules(SpaceId{12})) == errc::not_found);
    auto deleted = tx->delete_automod_rules(SpaceId{10});
    REQUIRE(deleted);
    CHECK(*deleted);
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto again = tx->delete_automod_rules(SpaceId{10});
  REQUIRE(again);
  CHECK_FALSE(*again);
  CHECK(code_of(tx->get_automod_rules(SpaceId{10})) == errc::not_found);
}

TEST_CASE("automod rule sets survive closing and reopening the storage",
          "[conformance][automod][persistence]") {
  if (!detail::persists()) return;
  {
    auto s = fresh_storage();
    auto tx = begin(*s);
    REQUIRE(tx->put_automod_rules(record(10, "{\"slow_mode_ms\":5000}")));
    REQUIRE(tx->commit());
  }
  auto reopened = detail::factory().reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened);
  CHECK(tx->get_automod_rules(SpaceId{10})->rules == "{\"slow_mode_ms\":5000}");
}

}  // namespace

namespace detail {
void link_automod_kit() {}
}  // namespace detail

}  // namespace hearth::conformance
