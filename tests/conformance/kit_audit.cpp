// The audit-log part of the storage contract (Transaction::insert_audit_entry,
// list_audit_entries), run against the kit's storage: ids, every field read back, each filter,
// the period bounds (both inclusive), paging newest first, rollback and persistence.
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
using detail::fresh_storage;

// An id with its top bit clear but the next one set: stored as a large positive int64.
constexpr std::uint64_t big = std::uint64_t{1} << 62;

AuditEntry entry(std::uint64_t space, std::uint64_t actor, std::uint64_t target, Timestamp at,
                 AuditAction action = AuditAction::post_removed) {
  AuditEntry e;
  e.space = SpaceId{space};
  e.actor_kind = actor ? AuditActorKind::member : AuditActorKind::host;
  e.actor = MemberId{actor};
  e.action = action;
  e.target_member = MemberId{target};
  e.reason = "r" + std::to_string(at);
  e.at = at;
  return e;
}

std::uint64_t insert(Transaction& tx, AuditEntry e) {
  REQUIRE(tx.insert_audit_entry(e));
  REQUIRE(e.id > 0);
  return e.id;
}

// The `at` of each entry, in the order listed.
std::vector<Timestamp> times(const std::vector<AuditEntry>& entries) {
  std::vector<Timestamp> out;
  for (const auto& e : entries) out.push_back(e.at);
  return out;
}

std::vector<Timestamp> list(Transaction& tx, const AuditQuery& q, std::uint64_t before = 0,
                            std::uint32_t limit = 100) {
  auto r = tx.list_audit_entries(q, before, limit);
  REQUIRE(r);
  return times(*r);
}

// Space 10: at 1 (actor 1 on 5), 2 (actor 2 on 5), 4 (host on 6). Space 11: at 3 (actor 1 on 6).
// Community-wide: at 5 (host on 5), 6 (actor 2 on nobody).
void seed(Storage& s) {
  auto tx = begin(s);
  insert(*tx, entry(10, 1, 5, 1));
  insert(*tx, entry(10, 2, 5, 2));
  insert(*tx, entry(11, 1, 6, 3));
  insert(*tx, entry(10, 0, 6, 4));
  insert(*tx, entry(0, 0, 5, 5, AuditAction::trust_level_set));
  insert(*tx, entry(0, 2, 0, 6, AuditAction::member_deactivated));
  REQUIRE(tx->commit());
}

TEST_CASE("audit entries get ascending ids and every field is read back as stored",
          "[conformance][audit]") {
  auto s = fresh_storage();
  AuditEntry full;
  full.space = SpaceId{big + 1};
  full.actor_kind = AuditActorKind::rule;
  full.actor_name = "no-links \"strict\"";
  full.action = AuditAction::badge_granted;
  full.target_member = MemberId{big + 2};
  full.post = PostId{big + 3};
  full.thread = ThreadId{big + 4};
  full.role = RoleId{big + 5};
  full.reason = "spam, again\n\xE2\x9C\x93";
  full.matched = "buy now";
  full.detail = R"({"to":"123"})";
  full.at = 1'700'000'000'123;
  std::uint64_t first = 0;
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_audit_entry(full));
    first = full.id;
    CHECK(first > 0);
    CHECK(insert(*tx, entry(1, 1, 1, 1)) > first);
    CHECK(list(*tx, {}) == std::vector<Timestamp>{1, 1'700'000'000'123});  // its own writes
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto read = tx->list_audit_entries({.space = SpaceId{big + 1}}, 0, 10);
  REQUIRE(read);
  REQUIRE(read->size() == 1);
  const AuditEntry& e = read->front();
  CHECK(e.id == first);
  CHECK(e.space == full.space);
  CHECK(e.actor_kind == AuditActorKind::rule);
  CHECK(e.actor == MemberId{});
  CHECK(e.actor_name == full.actor_name);
  CHECK(e.action == AuditAction::badge_granted);
  CHECK(e.target_member == full.target_member);
  CHECK(e.post == full.post);
  CHECK(e.thread == full.thread);
  CHECK(e.role == full.role);
  CHECK(e.reason == full.reason);
  CHECK(e.matched == "buy now");
  CHECK(e.detail == R"({"to":"123"})");
  CHECK(e.at == 1'700'000'000'123);
  // Later transactions go on above every earlier id.
  CHECK(insert(*tx, entry(1, 1, 1, 2)) > first + 1);
}

TEST_CASE("audit entries are listed newest first by each filter", "[conformance][audit]") {
  auto s = fresh_storage();
  seed(*s);
  auto tx = begin(*s, TxMode::read);
  CHECK(list(*tx, {}) == std::vector<Timestamp>{6, 5, 4, 3, 2, 1});
  CHECK(list(*tx, {.space = SpaceId{10}}) == std::vector<Timestamp>{4, 2, 1});
  CHECK(list(*tx, {.space = SpaceId{11}}) == std::vector<Timestamp>{3});
  CHECK(list(*tx, {.space = SpaceId{}}) == std::vector<Timestamp>{6, 5});  // community-wide
  CHECK(list(*tx, {.space = SpaceId{12}}).empty());
  CHECK(list(*tx, {.target_member = MemberId{5}}) == std::vector<Timestamp>{5, 2, 1});
  CHECK(list(*tx, {.target_member = MemberId{6}}) == std::vector<Timestamp>{4, 3});
  CHECK(list(*tx, {.actor = MemberId{1}}) == std::vector<Timestamp>{3, 1});
  CHECK(list(*tx, {.actor = MemberId{2}}) == std::vector<Timestamp>{6, 2});
  CHECK(list(*tx, {.actor = MemberId{3}}).empty());
  // Filters combine.
  CHECK(list(*tx, {.space = SpaceId{10}, .target_member = MemberId{5}}) ==
        std::vector<Timestamp>{2, 1});
  CHECK(list(*tx, {.space = SpaceId{10}, .actor = MemberId{2}}) == std::vector<Timestamp>{2});
  CHECK(list(*tx, {.target_member = MemberId{6}, .actor = MemberId{1}}) ==
        std::vector<Timestamp>{3});
  CHECK(list(*tx, {.space = SpaceId{}, .target_member = MemberId{5}}) == std::vector<Timestamp>{5});
}

TEST_CASE("an audit period includes both of its bounds", "[conformance][audit]") {
  auto s = fresh_storage();
  seed(*s);
  auto tx = begin(*s, TxMode::read);
  CHECK(list(*tx, {.from = 2, .to = 4}) == std::vector<Timestamp>{4, 3, 2});
  CHECK(list(*tx, {.from = 3, .to = 3}) == std::vector<Timestamp>{3});
  CHECK(list(*tx, {.from = 5}) == std::vector<Timestamp>{6, 5});
  CHECK(list(*tx, {.to = 1}) == std::vector<Timestamp>{1});
  CHECK(list(*tx, {.from = 7}).empty());
  CHECK(list(*tx, {.space = SpaceId{10}, .from = 2, .to = 3}) == std::vector<Timestamp>{2});
  CHECK(list(*tx, {.target_member = MemberId{5}, .from = 2}) == std::vector<Timestamp>{5, 2});
  CHECK(list(*tx, {.actor = MemberId{1}, .to = 2}) == std::vector<Timestamp>{1});
}

TEST_CASE("audit entries page by id descending", "[conformance][audit]") {
  auto s = fresh_storage();
  seed(*s);
  auto tx = begin(*s, TxMode::read);
  for (const AuditQuery& q :
       {AuditQuery{}, AuditQuery{.space = SpaceId{10}}, AuditQuery{.target_member = MemberId{5}}}) {
    auto whole = tx->list_audit_entries(q, 0, 100);
    REQUIRE(whole);
    std::vector<AuditEntry> paged;
    std::uint64_t before = 0;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = tx->list_audit_entries(q, before, 2);
      REQUIRE(page);
      CHECK(page->size() <= 2);
      if (page->empty()) break;
      for (const auto& e : *page) {
        if (before != 0) CHECK(e.id < before);
        before = e.id;
        paged.push_back(e);
      }
    }
    CHECK(times(paged) == times(*whole));
  }
  CHECK(list(*tx, {}, 1).empty());  // nothing below the first id
  auto newest = tx->list_audit_entries({}, 0, 1);
  REQUIRE(newest);
  REQUIRE(newest->size() == 1);
  CHECK(list(*tx, {}, newest->front().id) == std::vector<Timestamp>{5, 4, 3, 2, 1});
  CHECK(list(*tx, {}, UINT64_MAX, 2) == std::vector<Timestamp>{6, 5});
}

TEST_CASE("a rolled-back transaction leaves no audit entry", "[conformance][audit][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  detail::commit_entry_to_take(*s);
  {
    auto tx = begin(*s);
    insert(*tx, entry(10, 1, 5, 7));
    CHECK(list(*tx, {.space = SpaceId{10}}).size() == 4);
  }  // destroyed without commit
  {
    // No audit write fails on a write transaction by the contract: another write fails here.
    auto tx = begin(*s);
    insert(*tx, entry(10, 1, 5, 8));
    detail::spoil_with_taken_id(*tx);
    CHECK_FALSE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    AuditEntry e = entry(10, 1, 5, 9);
    CHECK_FALSE(tx->insert_audit_entry(e));
  }
  auto tx = begin(*s);
  CHECK(list(*tx, {}) == std::vector<Timestamp>{6, 5, 4, 3, 2, 1});
  CHECK(list(*tx, {.actor = MemberId{1}}) == std::vector<Timestamp>{3, 1});
}

TEST_CASE("the audit log survives closing and reopening the storage",
          "[conformance][audit][persistence]") {
  if (!detail::persists()) return;
  const StorageFactory& factory = detail::factory();
  {
    auto s = fresh_storage();
    seed(*s);
    auto uncommitted = begin(*s);
    insert(*uncommitted, entry(10, 1, 5, 7));
  }
  auto reopened = factory.reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened);
  CHECK(list(*tx, {}) == std::vector<Timestamp>{6, 5, 4, 3, 2, 1});
  CHECK(list(*tx, {.actor = MemberId{2}}) == std::vector<Timestamp>{6, 2});
  auto newest = tx->list_audit_entries({}, 0, 1);
  REQUIRE(newest);
  REQUIRE(newest->size() == 1);
  CHECK(insert(*tx, entry(10, 1, 5, 8)) > newest->front().id);
}

}  // namespace

namespace detail {
void link_audit_kit() {}
}  // namespace detail

}  // namespace hearth::conformance
