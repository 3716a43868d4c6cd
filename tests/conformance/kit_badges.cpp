// The badges part of the storage contract (Transaction::insert_badge_grant, list_badge_grants,
// count_badge_grants, add_badge_progress, insert_helpful_reply), run against the kit's storage:
// ids, duplicates refused, paging, counters, isolation between members, rollback, spoilt
// transactions and persistence.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "hearth/engine.hpp"
#include "kit_internal.hpp"
#include "result_string.hpp"

namespace hearth::conformance {
namespace {

using detail::begin;
using detail::code_of;
using detail::fresh_storage;

// An id with its top bit clear but the next one set: stored as a large positive int64.
constexpr std::uint64_t big = std::uint64_t{1} << 62;

BadgeGrant grant(std::uint64_t member, std::string badge, std::uint64_t post = 0,
                 std::uint32_t ordinal = 1) {
  return BadgeGrant{0,
                    MemberId{member},
                    std::move(badge),
                    PostId{post},
                    ordinal,
                    1'700'000'000'000 + static_cast<Timestamp>(ordinal)};
}

// Inserts `g`, which must be new; returns its id.
std::uint64_t insert_new(Transaction& tx, BadgeGrant g) {
  auto added = tx.insert_badge_grant(g);
  REQUIRE(added);
  REQUIRE(*added);
  REQUIRE(g.id > 0);
  return g.id;
}

// "badge/post/ordinal" of each grant, in order.
std::vector<std::string> keys(const std::vector<BadgeGrant>& grants) {
  std::vector<std::string> out;
  for (const auto& g : grants)
    out.push_back(g.badge + "/" + std::to_string(g.post.value) + "/" + std::to_string(g.ordinal));
  return out;
}

// Member 1: nice (post 10), nice (post 11), chatty 1 and 2; member 2: nice (post 10).
void seed(Storage& s) {
  auto tx = begin(s);
  insert_new(*tx, grant(1, "nice", 10));
  insert_new(*tx, grant(1, "nice", 11));
  insert_new(*tx, grant(1, "chatty", 0, 1));
  insert_new(*tx, grant(2, "nice", 10));
  insert_new(*tx, grant(1, "chatty", 0, 2));
  REQUIRE(tx->add_badge_progress(MemberId{1}, "accepted_answers", 3).value() == 3);
  REQUIRE(tx->insert_helpful_reply(PostId{10}, "+1").value());
  REQUIRE(tx->commit());
}

void require_seeded(Transaction& tx) {
  auto one = tx.list_badge_grants(MemberId{1}, 0, 100);
  REQUIRE(one);
  CHECK(keys(*one) ==
        std::vector<std::string>{"nice/10/1", "nice/11/1", "chatty/0/1", "chatty/0/2"});
  auto two = tx.list_badge_grants(MemberId{2}, 0, 100);
  REQUIRE(two);
  CHECK(keys(*two) == std::vector<std::string>{"nice/10/1"});
}

TEST_CASE("badge grants get ascending ids and are read back as stored", "[conformance][badges]") {
  auto s = fresh_storage();
  std::uint64_t first = 0, second = 0;
  {
    auto tx = begin(*s);
    first = insert_new(*tx, grant(big + 1, "raid-veteran", big + 2, 7));
    second = insert_new(*tx, grant(1, "first-reply"));
    CHECK(second > first);
    auto own = tx->list_badge_grants(MemberId{big + 1}, 0, 10);  // its own write
    REQUIRE(own);
    REQUIRE(own->size() == 1);
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto listed = tx->list_badge_grants(MemberId{big + 1}, 0, 10);
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  const BadgeGrant& g = listed->front();
  CHECK(g.id == first);
  CHECK(g.member == MemberId{big + 1});
  CHECK(g.badge == "raid-veteran");
  CHECK(g.post == PostId{big + 2});
  CHECK(g.ordinal == 7);
  CHECK(g.at == 1'700'000'000'007);
  // Later transactions go on above every earlier id.
  CHECK(insert_new(*tx, grant(1, "later")) > second);
}

TEST_CASE("a duplicate badge grant is refused and writes nothing", "[conformance][badges]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    BadgeGrant again = grant(1, "nice", 10);
    again.id = 12345;
    auto added = tx->insert_badge_grant(again);
    REQUIRE(added);
    CHECK_FALSE(*added);
    CHECK(again.id == 12345);  // left as it was
    // Each part of the key makes another grant.
    insert_new(*tx, grant(1, "nice", 12));
    insert_new(*tx, grant(1, "chatty", 0, 3));
    insert_new(*tx, grant(3, "nice", 10));
    insert_new(*tx, grant(1, "nicer", 10));
    BadgeGrant twice = grant(1, "nice", 12);  // its own write
    CHECK_FALSE(tx->insert_badge_grant(twice).value());
    // "false" is not a failure: the transaction still commits.
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto one = tx->list_badge_grants(MemberId{1}, 0, 100);
  REQUIRE(one);
  CHECK(one->size() == 7);
  CHECK(tx->count_badge_grants(MemberId{1}, "nice").value() == 3);
  CHECK(tx->count_badge_grants(MemberId{1}, "chatty").value() == 3);
  CHECK(tx->count_badge_grants(MemberId{1}, "nicer").value() == 1);
  CHECK(tx->count_badge_grants(MemberId{1}, "nic").value() == 0);
  CHECK(tx->count_badge_grants(MemberId{2}, "nice").value() == 1);
  CHECK(tx->count_badge_grants(MemberId{4}, "nice").value() == 0);
}

TEST_CASE("badge grants page by id, one member's only", "[conformance][badges]") {
  auto s = fresh_storage();
  seed(*s);
  auto tx = begin(*s, TxMode::read);
  require_seeded(*tx);
  std::vector<BadgeGrant> all;
  std::uint64_t after = 0;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = tx->list_badge_grants(MemberId{1}, after, 3);
    REQUIRE(page);
    CHECK(page->size() <= 3);
    if (page->empty()) break;
    for (const auto& g : *page) {
      CHECK(g.member == MemberId{1});
      CHECK(g.id > after);
      after = g.id;
      all.push_back(g);
    }
  }
  CHECK(keys(all) ==
        std::vector<std::string>{"nice/10/1", "nice/11/1", "chatty/0/1", "chatty/0/2"});
  auto none = tx->list_badge_grants(MemberId{3}, 0, 10);
  REQUIRE(none);
  CHECK(none->empty());
  auto past = tx->list_badge_grants(MemberId{1}, UINT64_MAX, 10);
  REQUIRE(past);
  CHECK(past->empty());
}

TEST_CASE("badge progress counters add up per member and counter", "[conformance][badges]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    CHECK(tx->add_badge_progress(MemberId{1}, "accepted_answers", 1).value() == 4);
    CHECK(tx->add_badge_progress(MemberId{1}, "accepted_answers", -2).value() == 2);
    CHECK(tx->add_badge_progress(MemberId{1}, "helpful_replies:+1", 1).value() == 1);
    CHECK(tx->add_badge_progress(MemberId{2}, "accepted_answers", 0).value() == 0);
    CHECK(tx->add_badge_progress(MemberId{3}, "accepted_answers", -1).value() == -1);
    CHECK(tx->add_badge_progress(MemberId{big}, "x", std::int64_t{1} << 40).value() ==
          std::int64_t{1} << 40);
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  CHECK(tx->add_badge_progress(MemberId{1}, "accepted_answers", 0).value() == 2);
  CHECK(tx->add_badge_progress(MemberId{1}, "helpful_replies:+1", 0).value() == 1);
  CHECK(tx->add_badge_progress(MemberId{2}, "helpful_replies:+1", 0).value() == 0);
  CHECK(tx->add_badge_progress(MemberId{3}, "accepted_answers", 0).value() == -1);
}

TEST_CASE("helpful replies are a set of (post, kind): inserting again returns false",
          "[conformance][badges]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    CHECK_FALSE(tx->insert_helpful_reply(PostId{10}, "+1").value());
    CHECK(tx->insert_helpful_reply(PostId{10}, "thanks").value());
    CHECK(tx->insert_helpful_reply(PostId{11}, "+1").value());
    CHECK_FALSE(tx->insert_helpful_reply(PostId{11}, "+1").value());  // its own write
    CHECK(tx->insert_helpful_reply(PostId{big}, "+1").value());
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  CHECK_FALSE(tx->insert_helpful_reply(PostId{10}, "thanks").value());
  CHECK_FALSE(tx->insert_helpful_reply(PostId{big}, "+1").value());
  CHECK(tx->insert_helpful_reply(PostId{big}, "+1 ").value());  // bytes, as given
}

TEST_CASE("a transaction destroyed without commit leaves no badges",
          "[conformance][badges][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    insert_new(*tx, grant(1, "gone", 0));
    insert_new(*tx, grant(5, "gone", 0));
    REQUIRE(tx->add_badge_progress(MemberId{1}, "accepted_answers", 10));
    REQUIRE(tx->insert_helpful_reply(PostId{99}, "+1").value());
  }
  auto tx = begin(*s);
  require_seeded(*tx);
  CHECK(tx->count_badge_grants(MemberId{5}, "gone").value() == 0);
  CHECK(tx->add_badge_progress(MemberId{1}, "accepted_answers", 0).value() == 3);
  CHECK(tx->insert_helpful_reply(PostId{99}, "+1").value());
  // The rolled-back grant's key is free again.
  insert_new(*tx, grant(1, "gone", 0));
}

TEST_CASE("badge writes before a failed write are not stored: the transaction is spoilt",
          "[conformance][badges][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  detail::commit_entry_to_take(*s);
  {
    // No badge write fails on a write transaction by the contract: another write fails here.
    auto tx = begin(*s);
    insert_new(*tx, grant(1, "spoilt"));
    REQUIRE(tx->add_badge_progress(MemberId{1}, "accepted_answers", 10));
    REQUIRE(tx->insert_helpful_reply(PostId{99}, "+1").value());
    detail::spoil_with_taken_id(*tx);
    CHECK_FALSE(tx->commit());
  }
  auto tx = begin(*s);
  require_seeded(*tx);
  CHECK(tx->count_badge_grants(MemberId{1}, "spoilt").value() == 0);
  CHECK(tx->add_badge_progress(MemberId{1}, "accepted_answers", 0).value() == 3);
  CHECK(tx->insert_helpful_reply(PostId{99}, "+1").value());
}

TEST_CASE("a read transaction cannot write badges", "[conformance][badges][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s, TxMode::read);
    BadgeGrant g = grant(1, "read-only");
    CHECK_FALSE(tx->insert_badge_grant(g));
    CHECK_FALSE(tx->add_badge_progress(MemberId{1}, "accepted_answers", 1));
    CHECK_FALSE(tx->insert_helpful_reply(PostId{99}, "+1"));
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded(*tx);
  CHECK(tx->count_badge_grants(MemberId{1}, "read-only").value() == 0);
}

TEST_CASE("badges survive closing and reopening the storage",
          "[conformance][badges][persistence]") {
  if (!detail::persists()) return;
  const StorageFactory& factory = detail::factory();
  {
    auto s = fresh_storage();
    seed(*s);
    auto uncommitted = begin(*s);
    insert_new(*uncommitted, grant(1, "uncommitted"));
  }
  auto reopened = factory.reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened);
  require_seeded(*tx);
  CHECK(tx->count_badge_grants(MemberId{1}, "uncommitted").value() == 0);
  CHECK(tx->add_badge_progress(MemberId{1}, "accepted_answers", 0).value() == 3);
  CHECK_FALSE(tx->insert_helpful_reply(PostId{10}, "+1").value());
  BadgeGrant again = grant(1, "nice", 10);
  CHECK_FALSE(tx->insert_badge_grant(again).value());
  // New ids stay above the reopened ones.
  auto listed = tx->list_badge_grants(MemberId{1}, 0, 10);
  REQUIRE(listed);
  REQUIRE_FALSE(listed->empty());
  CHECK(insert_new(*tx, grant(1, "after-reopen")) > listed->back().id);
}

// --- the engine on this storage ------------------------------------------------------------

template <class T>
T must_ok(result<T> r) {
  INFO((r ? std::string("ok") : r.error().message()));
  REQUIRE(r.has_value());
  return std::move(*r);
}

std::vector<std::string> badge_names(Engine& e, MemberId member) {
  std::vector<std::string> out;
  for (const Badge& b : must_ok(e.badges(MemberId{}, member, {})).items)
    out.push_back(b.grant.badge);
  return out;
}

TEST_CASE("the engine grants and lists badges on this storage, across a reopen",
          "[conformance][badges][engine]") {
  auto clock = std::make_shared<ManualClock>();
  auto open = [&](std::shared_ptr<Storage> storage) {
    EngineOptions o;
    o.storage = std::move(storage);
    o.clock = clock;
    return must_ok(Engine::open(std::move(o)));  // the standard badges
  };
  MemberId ada, bo;
  {
    auto e = open(fresh_storage());
    ada = must_ok(e->create_member("ada", "Ada")).id;
    bo = must_ok(e->create_member("bo_2", "Bo")).id;
    const SpaceId guild = must_ok(e->create_space(ada, {{}, SpaceKind::guild, "Owls", ""})).id;
    CHECK(must_ok(e->join_space(bo, guild)));
    auto q = must_ok(e->create_thread(ada, guild, "How?", "q", ThreadKind::question));
    const Post r = must_ok(e->reply(bo, q.first_post.id, "Like this"));
    must_ok(e->accept_answer(ada, q.thread.id, r.id));
    CHECK(must_ok(e->react(ada, r.id, "+1")));
    CHECK(badge_names(*e, bo) == std::vector<std::string>{"first-reply", "first-accepted"});
    CHECK(badge_names(*e, ada) == std::vector<std::string>{"first-thread", "supporter"});
  }
  if (!detail::persists("the reopened engine is not checked")) return;
  const StorageFactory& factory = detail::factory();
  auto again = open(must_ok(factory.reopen()));
  CHECK(badge_names(*again, bo) == std::vector<std::string>{"first-reply", "first-accepted"});
  auto adas = must_ok(again->badges(MemberId{}, ada, {}));
  REQUIRE(adas.items.size() == 2);
  CHECK(adas.items[0].grant.badge == "first-thread");
  CHECK(adas.items[1].grant.badge == "supporter");
  CHECK(adas.items[1].title == "Supporter");
  // Held already: the reopened engine does not grant them again.
  CHECK(code_of(again->grant_badge(bo, "first-reply")) == errc::already_exists);
}

}  // namespace

void detail::link_badges_kit() {}

}  // namespace hearth::conformance
