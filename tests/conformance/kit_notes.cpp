// The moderator-notes part of the storage contract (Transaction::insert_moderator_note and the
// rest of its section), run against the kit's storage: every field read back, taken ids, the
// listing per (space, member) newest first with paging, deletion, rollback and persistence.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "hearth/storage/storage.hpp"
#include "kit_internal.hpp"
#include "result_string.hpp"

namespace hearth::conformance {
namespace {

using detail::begin;
using detail::code_of;
using detail::fresh_storage;

ModeratorNote note(std::uint64_t id, std::uint64_t space, std::uint64_t member) {
  return {ModeratorNoteId{id},
          SpaceId{space},
          MemberId{member},
          MemberId{9},
          "note " + std::to_string(id),
          static_cast<Timestamp>(id) * 10};
}

std::vector<std::uint64_t> listed(Transaction& tx, std::uint64_t space, std::uint64_t member,
                                  std::uint64_t before = 0, std::uint32_t limit = 100) {
  auto r =
      tx.list_moderator_notes(SpaceId{space}, MemberId{member}, ModeratorNoteId{before}, limit);
  REQUIRE(r);
  std::vector<std::uint64_t> out;
  for (const auto& n : *r) out.push_back(n.id.value);
  return out;
}

TEST_CASE("moderator notes read back as stored, listed per space and member newest first",
          "[conformance][notes]") {
  auto s = fresh_storage();
  constexpr std::uint64_t big = std::uint64_t{1} << 62;
  ModeratorNote full{ModeratorNoteId{big + 1},
                     SpaceId{big + 2},
                     MemberId{big + 3},
                     MemberId{big + 4},
                     "line one\nline \"two\" \xC3\xA9",
                     -7};
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_moderator_note(full));
    for (auto [id, space, member] :
         {std::tuple{1, 10, 5}, std::tuple{2, 10, 5}, std::tuple{3, 11, 5}, std::tuple{4, 10, 6},
          std::tuple{5, 10, 5}})
      REQUIRE(tx->insert_moderator_note(note(static_cast<std::uint64_t>(id),
                                             static_cast<std::uint64_t>(space),
                                             static_cast<std::uint64_t>(member))));
    REQUIRE(tx->commit());
  }
  CHECK(code_of(begin(*s)->insert_moderator_note(note(2, 12, 7))) == errc::already_exists);
  auto tx = begin(*s);
  auto got = tx->get_moderator_note(full.id);
  REQUIRE(got);
  CHECK(got->space == full.space);
  CHECK(got->member == full.member);
  CHECK(got->author == full.author);
  CHECK(got->body == full.body);
  CHECK(got->created_at == -7);
  CHECK(code_of(tx->get_moderator_note(ModeratorNoteId{77})) == errc::not_found);

  CHECK(listed(*tx, 10, 5) == std::vector<std::uint64_t>{5, 2, 1});
  CHECK(listed(*tx, 11, 5) == std::vector<std::uint64_t>{3});
  CHECK(listed(*tx, 10, 6) == std::vector<std::uint64_t>{4});
  CHECK(listed(*tx, 12, 5).empty());
  CHECK(listed(*tx, 10, 5, 0, 2) == std::vector<std::uint64_t>{5, 2});
  CHECK(listed(*tx, 10, 5, 2, 2) == std::vector<std::uint64_t>{1});
  CHECK(listed(*tx, big + 2, big + 3) == std::vector<std::uint64_t>{big + 1});
}

TEST_CASE("a deleted moderator note is gone, and a rolled-back one never was",
          "[conformance][notes]") {
  auto s = fresh_storage();
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_moderator_note(note(1, 10, 5)));
    REQUIRE(tx->insert_moderator_note(note(2, 10, 5)));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->delete_moderator_note(ModeratorNoteId{1}));
    REQUIRE(tx->insert_moderator_note(note(3, 10, 5)));
  }  // never committed
  {
    auto tx = begin(*s);
    CHECK(listed(*tx, 10, 5) == std::vector<std::uint64_t>{2, 1});
    REQUIRE(tx->delete_moderator_note(ModeratorNoteId{1}));
    REQUIRE(tx->commit());
  }
  CHECK(code_of(begin(*s)->delete_moderator_note(ModeratorNoteId{1})) == errc::not_found);
  auto tx = begin(*s);
  CHECK(listed(*tx, 10, 5) == std::vector<std::uint64_t>{2});
  CHECK(code_of(tx->get_moderator_note(ModeratorNoteId{1})) == errc::not_found);
}

TEST_CASE("moderator notes survive closing and reopening the storage",
          "[conformance][notes][persistence]") {
  if (!detail::persists()) return;
  {
    auto s = fresh_storage();
    auto tx = begin(*s);
    REQUIRE(tx->insert_moderator_note(note(1, 10, 5)));
    REQUIRE(tx->commit());
  }
  auto reopened = detail::factory().reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened);
  CHECK(listed(*tx, 10, 5) == std::vector<std::uint64_t>{1});
  CHECK(tx->get_moderator_note(ModeratorNoteId{1})->body == "note 1");
}

}  // namespace

namespace detail {
void link_notes_kit() {}
}  // namespace detail

}  // namespace hearth::conformance
