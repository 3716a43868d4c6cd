// The sanctions part of the storage contract (Transaction::insert_sanction, update_sanction,
// get_sanction, list_sanctions, list_sanctions_in_force), run against the kit's storage: every
// field read back, taken ids, what a revocation changes, paging, what is in force when,
// rollback, a spoilt transaction and persistence.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "hearth/storage/storage.hpp"
#include "kit_internal.hpp"
#include "result_string.hpp"

namespace hearth::conformance {
namespace {

using detail::begin;
using detail::code_of;
using detail::fresh_storage;

// An id with its top bit clear but the next one set: stored as a large positive int64.
constexpr std::uint64_t big = std::uint64_t{1} << 62;

Sanction sanction(std::uint64_t id, std::uint64_t member, SanctionKind kind,
                  Timestamp expires_at = 0, std::uint64_t space = 0) {
  Sanction x;
  x.id = SanctionId{id};
  x.kind = kind;
  x.member = MemberId{member};
  x.space = SpaceId{space};
  x.issuer = MemberId{9};
  x.reason = "r" + std::to_string(id);
  x.created_at = 100;
  x.expires_at = expires_at;
  return x;
}

std::vector<std::uint64_t> ids(const std::vector<Sanction>& list) {
  std::vector<std::uint64_t> out;
  for (const Sanction& x : list) out.push_back(x.id.value);
  return out;
}

// Member 5: a warn (1), a timeout in space 10 until 500 (2), a suspension with no end (3), a
// ban until 300 (4), a timeout revoked at 150 (6). Member 7: a timeout (5).
void seed(Storage& s) {
  auto tx = begin(s);
  REQUIRE(tx->insert_sanction(sanction(1, 5, SanctionKind::warn)));
  REQUIRE(tx->insert_sanction(sanction(2, 5, SanctionKind::timeout, 500, 10)));
  REQUIRE(tx->insert_sanction(sanction(3, 5, SanctionKind::suspend)));
  REQUIRE(tx->insert_sanction(sanction(4, 5, SanctionKind::ban, 300)));
  REQUIRE(tx->insert_sanction(sanction(5, 7, SanctionKind::timeout, 500)));
  Sanction revoked = sanction(6, 5, SanctionKind::timeout, 900);
  REQUIRE(tx->insert_sanction(revoked));
  revoked.revoked_at = 150;
  revoked.revoked_by = MemberId{8};
  REQUIRE(tx->update_sanction(revoked));
  REQUIRE(tx->commit());
}

TEST_CASE("a sanction is read back as stored, and its id is unique", "[conformance][sanctions]") {
  auto s = fresh_storage();
  Sanction full = sanction(big + 1, big + 2, SanctionKind::ban, big, big + 3);
  full.issuer = MemberId{};  // the host
  full.reason = "spam \"again\"\nand again";
  full.created_at = 1'700'000'000'000;
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_sanction(full));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto got = tx->get_sanction(full.id);
  REQUIRE(got);
  CHECK(got->id == full.id);
  CHECK(got->kind == SanctionKind::ban);
  CHECK(got->member == full.member);
  CHECK(got->space == full.space);
  CHECK_FALSE(got->issuer);
  CHECK(got->reason == full.reason);
  CHECK(got->created_at == full.created_at);
  CHECK(got->expires_at == full.expires_at);
  CHECK(got->revoked_at == 0);
  CHECK_FALSE(got->revoked_by);
  CHECK(code_of(tx->get_sanction(SanctionId{big + 9})) == errc::not_found);
  CHECK(code_of(tx->insert_sanction(full)) == errc::already_exists);
  CHECK_FALSE(tx->commit());  // the failed insert spoilt it
}

TEST_CASE("update_sanction changes the revocation only", "[conformance][sanctions]") {
  auto s = fresh_storage();
  seed(*s);
  auto tx = begin(*s);
  Sanction changed = sanction(2, 5, SanctionKind::timeout, 500, 10);
  changed.reason = "rewritten";
  changed.expires_at = 999;
  changed.kind = SanctionKind::warn;
  changed.revoked_at = 200;
  changed.revoked_by = MemberId{big};
  REQUIRE(tx->update_sanction(changed));
  auto got = tx->get_sanction(SanctionId{2});
  REQUIRE(got);
  CHECK(got->revoked_at == 200);
  CHECK(got->revoked_by == MemberId{big});
  CHECK(got->reason == "r2");
  CHECK(got->expires_at == 500);
  CHECK(got->kind == SanctionKind::timeout);
  CHECK(code_of(tx->update_sanction(sanction(77, 5, SanctionKind::warn))) == errc::not_found);
  CHECK_FALSE(tx->commit());
}

TEST_CASE("a member's sanctions are listed by id, in pages", "[conformance][sanctions]") {
  auto s = fresh_storage();
  seed(*s);
  auto tx = begin(*s, TxMode::read);
  auto all = tx->list_sanctions(MemberId{5}, SanctionId{}, 100);
  REQUIRE(all);
  CHECK(ids(*all) == std::vector<std::uint64_t>{1, 2, 3, 4, 6});
  auto first = tx->list_sanctions(MemberId{5}, SanctionId{}, 2);
  REQUIRE(first);
  CHECK(ids(*first) == std::vector<std::uint64_t>{1, 2});
  auto next = tx->list_sanctions(MemberId{5}, SanctionId{2}, 2);
  REQUIRE(next);
  CHECK(ids(*next) == std::vector<std::uint64_t>{3, 4});
  auto other = tx->list_sanctions(MemberId{7}, SanctionId{}, 100);
  REQUIRE(other);
  CHECK(ids(*other) == std::vector<std::uint64_t>{5});
  auto none = tx->list_sanctions(MemberId{6}, SanctionId{}, 100);
  REQUIRE(none);
  CHECK(none->empty());
  auto after_all = tx->list_sanctions(MemberId{5}, SanctionId{big}, 100);
  REQUIRE(after_all);
  CHECK(after_all->empty());
}

TEST_CASE("the sanctions in force are those not warnings, not revoked and not expired",
          "[conformance][sanctions]") {
  auto s = fresh_storage();
  seed(*s);
  auto tx = begin(*s, TxMode::read);
  auto at = [&](Timestamp now) {
    auto r = tx->list_sanctions_in_force(MemberId{5}, now);
    REQUIRE(r);
    return ids(*r);
  };
  CHECK(at(100) == std::vector<std::uint64_t>{2, 3, 4});
  CHECK(at(299) == std::vector<std::uint64_t>{2, 3, 4});
  CHECK(at(300) == std::vector<std::uint64_t>{2, 3});  // expires_at is the first moment out
  CHECK(at(500) == std::vector<std::uint64_t>{3});
  CHECK(at(big) == std::vector<std::uint64_t>{3});  // 0: never ends
  auto other = tx->list_sanctions_in_force(MemberId{7}, 100);
  REQUIRE(other);
  CHECK(ids(*other) == std::vector<std::uint64_t>{5});
}

TEST_CASE("sanctions of a rolled-back transaction are not stored", "[conformance][sanctions]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_sanction(sanction(20, 5, SanctionKind::suspend)));
    Sanction revoked = sanction(3, 5, SanctionKind::suspend);
    revoked.revoked_at = 400;
    REQUIRE(tx->update_sanction(revoked));
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(code_of(tx->get_sanction(SanctionId{20})) == errc::not_found);
  auto kept = tx->get_sanction(SanctionId{3});
  REQUIRE(kept);
  CHECK(kept->revoked_at == 0);
}

TEST_CASE("sanctions survive closing and reopening the storage",
          "[conformance][sanctions][persistence]") {
  if (!detail::persists()) return;
  const StorageFactory& factory = detail::factory();
  {
    auto s = fresh_storage();
    seed(*s);
  }
  auto reopened = factory.reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened, TxMode::read);
  auto all = tx->list_sanctions(MemberId{5}, SanctionId{}, 100);
  REQUIRE(all);
  CHECK(ids(*all) == std::vector<std::uint64_t>{1, 2, 3, 4, 6});
  auto in_force = tx->list_sanctions_in_force(MemberId{5}, 100);
  REQUIRE(in_force);
  CHECK(ids(*in_force) == std::vector<std::uint64_t>{2, 3, 4});
  auto revoked = tx->get_sanction(SanctionId{6});
  REQUIRE(revoked);
  CHECK(revoked->revoked_by == MemberId{8});
}

}  // namespace

namespace detail {
void link_sanctions_kit() {}
}  // namespace detail

}  // namespace hearth::conformance
