// The trust part of the storage contract (Transaction::get_member_activity,
// put_member_activity, get_activity_day, put_activity_day, sum_activity_days,
// insert_thread_entered), run against the kit's storage: round trips, not_found until put,
// replacement, sums over day ranges, set semantics, rollback, spoilt transactions and
// persistence.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>

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

MemberActivity activity(std::uint64_t member, std::uint32_t n) {
  MemberActivity a;
  a.member = MemberId{member};
  a.days_visited = n;
  a.last_visit = 1'700'000'000'000 + n;
  a.threads_entered = n + 1;
  a.posts_read = std::uint64_t{5'000'000'000} + n;  // beyond 32 bits
  a.read_ms = std::int64_t{1} << 40;
  a.reactions_given = n + 2;
  a.reactions_received = n + 3;
  a.replies = n + 4;
  a.threads_created = n + 5;
  a.flags_against = n + 6;
  a.level = 3;
  a.level_by_hand = true;
  return a;
}

void require_same(const MemberActivity& a, const MemberActivity& b) {
  CHECK(a.member == b.member);
  CHECK(a.days_visited == b.days_visited);
  CHECK(a.last_visit == b.last_visit);
  CHECK(a.threads_entered == b.threads_entered);
  CHECK(a.posts_read == b.posts_read);
  CHECK(a.read_ms == b.read_ms);
  CHECK(a.reactions_given == b.reactions_given);
  CHECK(a.reactions_received == b.reactions_received);
  CHECK(a.replies == b.replies);
  CHECK(a.threads_created == b.threads_created);
  CHECK(a.flags_against == b.flags_against);
  CHECK(a.level == b.level);
  CHECK(a.level_by_hand == b.level_by_hand);
}

// A day row whose every count derives from `n`.
ActivityDay day_row(std::uint64_t member, std::int64_t day, std::uint32_t n) {
  return ActivityDay{MemberId{member}, day,
                     ActivityCounts{.visited = 1,
                                    .threads_entered = n,
                                    .posts_read = std::uint64_t{10} * n,
                                    .read_ms = std::int64_t{1'000} * n,
                                    .reactions_given = n + 1,
                                    .reactions_received = n + 2,
                                    .replies = n + 3}};
}

void require_same(const ActivityCounts& a, const ActivityCounts& b) {
  CHECK(a.visited == b.visited);
  CHECK(a.threads_entered == b.threads_entered);
  CHECK(a.posts_read == b.posts_read);
  CHECK(a.read_ms == b.read_ms);
  CHECK(a.reactions_given == b.reactions_given);
  CHECK(a.reactions_received == b.reactions_received);
  CHECK(a.replies == b.replies);
}

// Rows of member 1 on days 10..14 (n = day - 9), of member 2 on day 12, and member 1's
// activity.
void seed(Storage& s) {
  auto tx = begin(s);
  for (std::int64_t day = 10; day <= 14; ++day)
    REQUIRE(tx->put_activity_day(day_row(1, day, static_cast<std::uint32_t>(day - 9))));
  REQUIRE(tx->put_activity_day(day_row(2, 12, 100)));
  REQUIRE(tx->put_member_activity(activity(1, 7)));
  REQUIRE(tx->insert_thread_entered(MemberId{1}, ThreadId{50}).value());
  REQUIRE(tx->commit());
}

// The sum of day_row(member 1, d, d - 9) over from..to within 10..14.
ActivityCounts expected_sum(std::int64_t from, std::int64_t to) {
  ActivityCounts c;
  for (std::int64_t day = std::max<std::int64_t>(from, 10); day <= std::min<std::int64_t>(to, 14);
       ++day) {
    const auto n = static_cast<std::uint32_t>(day - 9);
    c.visited += 1;
    c.threads_entered += n;
    c.posts_read += std::uint64_t{10} * n;
    c.read_ms += std::int64_t{1'000} * n;
    c.reactions_given += n + 1;
    c.reactions_received += n + 2;
    c.replies += n + 3;
  }
  return c;
}

void require_seeded(Transaction& tx) {
  auto a = tx.get_member_activity(MemberId{1});
  REQUIRE(a);
  require_same(*a, activity(1, 7));
  auto sum = tx.sum_activity_days(MemberId{1}, 0, 100);
  REQUIRE(sum);
  require_same(*sum, expected_sum(0, 100));
}

TEST_CASE("member activity is not_found until put, then read back as stored and replaced",
          "[conformance][trust]") {
  auto s = fresh_storage();
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->get_member_activity(MemberId{1})) == errc::not_found);
    REQUIRE(tx->put_member_activity(activity(1, 7)));
    REQUIRE(tx->put_member_activity(activity(big + 1, 0)));
    auto own = tx->get_member_activity(MemberId{1});  // its own write, before commit
    REQUIRE(own);
    require_same(*own, activity(1, 7));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    auto a = tx->get_member_activity(MemberId{1});
    REQUIRE(a);
    require_same(*a, activity(1, 7));
    auto b = tx->get_member_activity(MemberId{big + 1});
    REQUIRE(b);
    require_same(*b, activity(big + 1, 0));
    MemberActivity changed = activity(1, 8);
    changed.level = 0;
    changed.level_by_hand = false;
    changed.last_visit = 0;
    REQUIRE(tx->put_member_activity(changed));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto a = tx->get_member_activity(MemberId{1});
  REQUIRE(a);
  MemberActivity want = activity(1, 8);
  want.level = 0;
  want.level_by_hand = false;
  want.last_visit = 0;
  require_same(*a, want);
  CHECK(code_of(tx->get_member_activity(MemberId{2})) == errc::not_found);
}

TEST_CASE("activity days are not_found until put, read back as stored and replaced",
          "[conformance][trust]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->get_activity_day(MemberId{1}, 9)) == errc::not_found);
    CHECK(code_of(tx->get_activity_day(MemberId{3}, 12)) == errc::not_found);
    auto d = tx->get_activity_day(MemberId{1}, 12);
    REQUIRE(d);
    CHECK(d->member == MemberId{1});
    CHECK(d->day == 12);
    require_same(d->counts, day_row(1, 12, 3).counts);
    REQUIRE(tx->put_activity_day(day_row(1, 12, 40)));
    d = tx->get_activity_day(MemberId{1}, 12);
    REQUIRE(d);
    require_same(d->counts, day_row(1, 12, 40).counts);
    // Days before 1970 and far ahead are days like any other.
    REQUIRE(tx->put_activity_day(day_row(big, -5, 1)));
    REQUIRE(tx->put_activity_day(day_row(big, 3'000'000, 2)));
    REQUIRE(tx->commit());
  }
  auto rtx = begin(*s, TxMode::read);
  auto before = rtx->get_activity_day(MemberId{big}, -5);
  REQUIRE(before);
  require_same(before->counts, day_row(big, -5, 1).counts);
  auto sum = rtx->sum_activity_days(MemberId{big}, -10, 3'000'000);
  REQUIRE(sum);
  CHECK(sum->visited == 2);
  CHECK(sum->threads_entered == 3);
}

TEST_CASE("sum_activity_days adds up the member's rows in the range, ends included",
          "[conformance][trust]") {
  auto s = fresh_storage();
  seed(*s);
  auto tx = begin(*s, TxMode::read);
  struct Range {
    std::int64_t from, to;
  };
  for (Range r : {Range{0, 100}, Range{10, 14}, Range{11, 13}, Range{12, 12}, Range{14, 20},
                  Range{0, 10}, Range{15, 30}, Range{0, 9}, Range{13, 11},
                  Range{std::numeric_limits<std::int64_t>::min(),
                        std::numeric_limits<std::int64_t>::max()}}) {
    INFO("from " << r.from << " to " << r.to);
    auto sum = tx->sum_activity_days(MemberId{1}, r.from, r.to);
    REQUIRE(sum);
    require_same(*sum, expected_sum(r.from, r.to));
  }
  // Another member's rows are not added; a member with none sums to zero.
  auto other = tx->sum_activity_days(MemberId{2}, 0, 100);
  REQUIRE(other);
  require_same(*other, day_row(2, 12, 100).counts);
  auto none = tx->sum_activity_days(MemberId{3}, 0, 100);
  REQUIRE(none);
  require_same(*none, ActivityCounts{});
}

TEST_CASE("threads entered are a set: inserting again returns false", "[conformance][trust]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    auto again = tx->insert_thread_entered(MemberId{1}, ThreadId{50});
    REQUIRE(again);
    CHECK_FALSE(*again);
    auto other_thread = tx->insert_thread_entered(MemberId{1}, ThreadId{51});
    REQUIRE(other_thread);
    CHECK(*other_thread);
    auto other_member = tx->insert_thread_entered(MemberId{2}, ThreadId{50});
    REQUIRE(other_member);
    CHECK(*other_member);
    auto twice = tx->insert_thread_entered(MemberId{2}, ThreadId{50});  // its own write
    REQUIRE(twice);
    CHECK_FALSE(*twice);
    auto large = tx->insert_thread_entered(MemberId{big}, ThreadId{big + 1});
    REQUIRE(large);
    CHECK(*large);
    // "false" is not a failure: the transaction still commits.
    REQUIRE(tx->commit());
  }
  auto tx2 = begin(*s);
  CHECK_FALSE(tx2->insert_thread_entered(MemberId{1}, ThreadId{51}).value());
  CHECK_FALSE(tx2->insert_thread_entered(MemberId{big}, ThreadId{big + 1}).value());
  CHECK(tx2->insert_thread_entered(MemberId{big}, ThreadId{big}).value());
}

TEST_CASE("a transaction destroyed without commit leaves no trust activity",
          "[conformance][trust][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->put_member_activity(activity(1, 99)));
    REQUIRE(tx->put_member_activity(activity(2, 1)));
    REQUIRE(tx->put_activity_day(day_row(1, 12, 77)));
    REQUIRE(tx->put_activity_day(day_row(1, 20, 1)));
    REQUIRE(tx->insert_thread_entered(MemberId{1}, ThreadId{60}).value());
  }
  auto tx = begin(*s);
  require_seeded(*tx);
  CHECK(code_of(tx->get_member_activity(MemberId{2})) == errc::not_found);
  CHECK(code_of(tx->get_activity_day(MemberId{1}, 20)) == errc::not_found);
  CHECK(tx->insert_thread_entered(MemberId{1}, ThreadId{60}).value());
}

TEST_CASE("trust writes before a failed write are not stored: the transaction is spoilt",
          "[conformance][trust][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  detail::commit_entry_to_take(*s);
  {
    // No trust write fails on a write transaction by the contract: another write fails here.
    auto tx = begin(*s);
    REQUIRE(tx->put_member_activity(activity(1, 99)));
    REQUIRE(tx->put_member_activity(activity(2, 1)));
    REQUIRE(tx->put_activity_day(day_row(1, 20, 1)));
    REQUIRE(tx->insert_thread_entered(MemberId{1}, ThreadId{60}).value());
    detail::spoil_with_taken_id(*tx);
    CHECK_FALSE(tx->commit());
  }
  auto tx = begin(*s);
  require_seeded(*tx);
  CHECK(code_of(tx->get_member_activity(MemberId{2})) == errc::not_found);
  CHECK(code_of(tx->get_activity_day(MemberId{1}, 20)) == errc::not_found);
  CHECK(tx->insert_thread_entered(MemberId{1}, ThreadId{60}).value());
}

TEST_CASE(
    "a read transaction cannot write trust activity, and reads that find nothing spoil "
    "nothing",
    "[conformance][trust][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  {
    // A read transaction cannot write; the writes fail.
    auto tx = begin(*s, TxMode::read);
    CHECK_FALSE(tx->put_member_activity(activity(1, 99)));
    CHECK_FALSE(tx->put_activity_day(day_row(1, 12, 77)));
    CHECK_FALSE(tx->insert_thread_entered(MemberId{1}, ThreadId{60}));
  }
  {
    // Reads that find nothing, then writes: the transaction commits.
    auto tx = begin(*s);
    CHECK(code_of(tx->get_member_activity(MemberId{2})) == errc::not_found);
    CHECK(code_of(tx->get_activity_day(MemberId{2}, 1)) == errc::not_found);
    REQUIRE(tx->put_member_activity(activity(2, 1)));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded(*tx);
  auto a = tx->get_member_activity(MemberId{2});
  REQUIRE(a);
  require_same(*a, activity(2, 1));
  CHECK(code_of(tx->get_activity_day(MemberId{1}, 20)) == errc::not_found);
}

TEST_CASE("trust activity survives closing and reopening the storage",
          "[conformance][trust][persistence]") {
  if (!detail::persists()) return;
  const StorageFactory& factory = detail::factory();
  {
    auto s = fresh_storage();
    seed(*s);
    auto uncommitted = begin(*s);
    REQUIRE(uncommitted->put_member_activity(activity(1, 99)));
    REQUIRE(uncommitted->put_activity_day(day_row(1, 20, 1)));
    REQUIRE(uncommitted->insert_thread_entered(MemberId{1}, ThreadId{60}).value());
  }
  auto reopened = factory.reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened);
  require_seeded(*tx);
  auto d = tx->get_activity_day(MemberId{2}, 12);
  REQUIRE(d);
  require_same(d->counts, day_row(2, 12, 100).counts);
  CHECK(code_of(tx->get_activity_day(MemberId{1}, 20)) == errc::not_found);
  CHECK_FALSE(tx->insert_thread_entered(MemberId{1}, ThreadId{50}).value());
  CHECK(tx->insert_thread_entered(MemberId{1}, ThreadId{60}).value());
}

// --- the engine on this storage ------------------------------------------------------------

template <class T>
T must_ok(result<T> r) {
  INFO((r ? std::string("ok") : r.error().message()));
  REQUIRE(r.has_value());
  return std::move(*r);
}

TEST_CASE("the engine counts trust activity and levels on this storage, across a reopen",
          "[conformance][trust][engine]") {
  auto clock = std::make_shared<ManualClock>();
  auto open = [&](std::shared_ptr<Storage> storage) {
    EngineOptions o;
    o.storage = std::move(storage);
    o.clock = clock;
    o.trust.level1 = {.posts_read = 2};
    return must_ok(Engine::open(std::move(o)));
  };
  MemberId ada, bo;
  {
    auto e = open(fresh_storage());
    ada = must_ok(e->create_member("ada", "Ada")).id;
    bo = must_ok(e->create_member("bo_2", "Bo")).id;
    const SpaceId guild = must_ok(e->create_space(ada, {{}, SpaceKind::guild, "Owls", ""})).id;
    CHECK(must_ok(e->join_space(bo, guild)));
    auto t = must_ok(e->create_thread(ada, guild, "Raid", "At nine"));
    must_ok(e->record_visit(bo));
    clock->advance(24ll * 60 * 60 * 1000);
    must_ok(e->record_visit(bo));
    const Post r = must_ok(e->reply(bo, t.first_post.id, "Coming"));
    CHECK(must_ok(e->react(ada, r.id, "thanks")));
    auto a = must_ok(e->record_reading(bo, t.thread.id, 2, 60'000));
    CHECK(a.level == 1);
    CHECK(a.days_visited == 2);
    CHECK(a.replies == 1);
    CHECK(a.reactions_received == 1);
    CHECK(a.threads_entered == 1);
  }
  if (!detail::persists("the reopened engine is not checked")) return;
  const StorageFactory& factory = detail::factory();
  auto again = open(must_ok(factory.reopen()));
  auto a = must_ok(again->trust_level(MemberId{}, bo));
  CHECK(a.level == 1);
  CHECK(a.days_visited == 2);
  CHECK(a.posts_read == 2);
  CHECK(a.read_ms == 60'000);
  auto given = must_ok(again->trust_level(MemberId{}, ada));
  CHECK(given.reactions_given == 1);
  CHECK(given.threads_created == 1);
  // The day rows came back: the same day's visit is not counted twice.
  CHECK(must_ok(again->record_visit(bo)).days_visited == 2);
}

}  // namespace

void detail::link_trust_kit() {}

}  // namespace hearth::conformance
