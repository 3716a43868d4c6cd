// The reputation part of the storage contract (Transaction::insert_reputation_entry,
// list_reputation_entries, get_reputation_total, put_reputation_total, list_reputation_totals),
// run against the kit's storage: the ledger stored byte for byte and listed by id, every
// LedgerQuery filter, the totals in key order with windows compared byte for byte, rollback,
// spoilt transactions and persistence.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "hearth/engine.hpp"
#include "kit_internal.hpp"
#include "result_string.hpp"

namespace hearth::conformance {
namespace {

using detail::begin;
using detail::code_of;
using detail::fresh_storage;

using Ids = std::vector<std::uint64_t>;

constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();
// An id with its top bit clear but the next one set: stored as a large positive int64.
constexpr std::uint64_t big = std::uint64_t{1} << 62;

// A reaction received: `member` gets `delta` for a reaction of `source` to post `post` in
// thread `thread`, in scope 7, counted at `counts_at`.
ReputationEntry entry(std::uint64_t id, std::uint64_t member, std::uint64_t post,
                      std::uint64_t thread, std::uint64_t source, Timestamp counts_at,
                      std::int64_t delta = 10) {
  ReputationEntry e;
  e.id = ReputationEntryId{id};
  e.member = MemberId{member};
  e.scope = SpaceId{7};
  e.delta = delta;
  e.reason = ReputationReason::reaction_received;
  e.note = "+1";
  e.post = PostId{post};
  e.thread = ThreadId{thread};
  e.source = MemberId{source};
  e.at = counts_at + 5;
  e.counts_at = counts_at;
  e.capped = true;
  return e;
}

void require_same(const ReputationEntry& a, const ReputationEntry& b) {
  CHECK(a.id == b.id);
  CHECK(a.member == b.member);
  CHECK(a.scope == b.scope);
  CHECK(a.delta == b.delta);
  CHECK(a.reason == b.reason);
  CHECK(a.note == b.note);
  CHECK(a.post == b.post);
  CHECK(a.thread == b.thread);
  CHECK(a.source == b.source);
  CHECK(a.at == b.at);
  CHECK(a.counts_at == b.counts_at);
  CHECK(a.reverses == b.reverses);
  CHECK(a.capped == b.capped);
}

void require_same(const std::vector<ReputationEntry>& got,
                  const std::vector<ReputationEntry>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("entry " << i);
    require_same(got[i], want[i]);
  }
}

// A note with a NUL byte inside.
std::string award_note() {
  std::string note = "raid \xF0\x9F\x94\xA5 cleared";
  note += '\0';
  note += "twice";
  return note;
}

// Entries of every kind, with every field set to something its neighbours do not share: notes
// in UTF-8, with quotes, a backslash, a comma and a NUL byte, and an empty one; deltas at the
// int64 limits; no scope, post, thread or source; a reversal and a restoration.
std::vector<ReputationEntry> varied_entries() {
  std::vector<ReputationEntry> out;
  ReputationEntry received = entry(big + 1, big + 11, big + 21, big + 31, big + 41, 1'000);
  received.note = "heart \xE2\x9D\xA4 \"quoted\" 'single' \\ back, comma";
  out.push_back(received);

  ReputationEntry given = entry(big + 2, big + 41, big + 21, big + 31, big + 11, 1'000, -1);
  given.reason = ReputationReason::reaction_given;
  given.note = "-1";
  given.capped = false;
  out.push_back(given);

  ReputationEntry accepted = entry(big + 3, big + 12, big + 22, big + 31, big + 11, 2'000, 15);
  accepted.reason = ReputationReason::answer_accepted;
  accepted.note.clear();
  accepted.capped = false;
  out.push_back(accepted);

  ReputationEntry asker = entry(big + 4, big + 11, big + 22, big + 31, big + 12, 2'000, 2);
  asker.reason = ReputationReason::accepted_answer;
  asker.note.clear();
  out.push_back(asker);

  // An award of the host program: community-wide, about no post, with the largest delta.
  ReputationEntry award = entry(big + 5, big + 12, 0, 0, big + 11, 3'000, i64_max);
  award.scope = SpaceId{};
  award.reason = ReputationReason::award;
  award.note = award_note();
  award.capped = false;
  out.push_back(award);

  // Its reversal counts where the award counted, later: the smallest delta, no source.
  ReputationEntry reversal = entry(big + 6, big + 12, 0, 0, 0, 3'000, i64_min);
  reversal.scope = SpaceId{};
  reversal.reason = ReputationReason::reversal;
  reversal.note = "serial_voting";
  reversal.at = 9'000;
  reversal.reverses = ReputationEntryId{big + 5};
  reversal.capped = false;
  out.push_back(reversal);

  // A restoration: a credit that names the reversal it undoes.
  ReputationEntry restored = entry(big + 7, big + 12, 0, 0, 0, 3'000, -42);
  restored.reason = ReputationReason::award;
  restored.note = "\xCE\xB5\xCE\xBB\xCE\xBB\xCE\xB7\xCE\xBD\xCE\xB9\xCE\xBA\xCE\xAC";
  restored.at = 9'500;
  restored.reverses = ReputationEntryId{big + 6};
  out.push_back(restored);
  return out;
}

std::vector<ReputationEntry> list(Transaction& tx, const LedgerQuery& q, std::uint64_t after = 0,
                                  std::uint32_t limit = 1'000) {
  auto got = tx.list_reputation_entries(q, ReputationEntryId{after}, limit);
  REQUIRE(got);
  return *got;
}

Ids ids(const std::vector<ReputationEntry>& entries) {
  Ids out;
  for (const ReputationEntry& e : entries) out.push_back(e.id.value);
  return out;
}

Ids list_ids(Transaction& tx, const LedgerQuery& q, std::uint64_t after = 0,
             std::uint32_t limit = 1'000) {
  return ids(list(tx, q, after, limit));
}

LedgerQuery query(std::uint64_t member, std::uint64_t post = 0, std::uint64_t thread = 0,
                  std::uint64_t source = 0, Timestamp since = 0) {
  return {MemberId{member}, PostId{post}, ThreadId{thread}, MemberId{source}, since};
}

// The ledger the listing cases read. Members 1..3; posts 500 and 501 in thread 50, post 600 in
// thread 60; awards (no post, no thread) from 9 and from no one. Inserted out of id order.
//
//   id  member post thread source counts_at
//   10  1      500  50     2      1000
//   11  2      500  50     1      1000
//   12  1      501  50     3      2000
//   13  1      -    -      9      2500
//   14  3      600  60     2      3000
//   15  1      500  50     2      1000    the reversal of 10, written later
//   16  1      600  60     2      4000
//   17  2      501  50     3      5000
//   18  1      -    -      -      6000
//   19  1      501  50     2      7000
std::vector<ReputationEntry> ledger() {
  std::vector<ReputationEntry> out = {
      entry(14, 3, 600, 60, 2, 3'000),  entry(10, 1, 500, 50, 2, 1'000),
      entry(19, 1, 501, 50, 2, 7'000),  entry(12, 1, 501, 50, 3, 2'000),
      entry(11, 2, 500, 50, 1, 1'000),  entry(18, 1, 0, 0, 0, 6'000, 50),
      entry(13, 1, 0, 0, 9, 2'500, -5), entry(16, 1, 600, 60, 2, 4'000),
      entry(15, 1, 500, 50, 2, 1'000),  entry(17, 2, 501, 50, 3, 5'000),
  };
  for (ReputationEntry& e : out) {
    if (e.id.value == 13 || e.id.value == 18) {
      e.reason = ReputationReason::award;
      e.note = "award " + std::to_string(e.id.value);
      e.capped = false;
    }
    if (e.id.value == 15) {
      e.reason = ReputationReason::reversal;
      e.delta = -10;
      e.note = "unreacted";
      e.at = 8'000;
      e.reverses = ReputationEntryId{10};
      e.capped = false;
    }
  }
  return out;
}

void seed_ledger(Storage& s) {
  auto tx = begin(s);
  for (const ReputationEntry& e : ledger()) REQUIRE(tx->insert_reputation_entry(e));
  REQUIRE(tx->commit());
}

// What list_reputation_entries must return for the ledger above, computed the plain way.
Ids expected(const LedgerQuery& q, std::uint64_t after, std::uint32_t limit) {
  std::vector<ReputationEntry> all = ledger();
  std::sort(all.begin(), all.end(),
            [](const ReputationEntry& a, const ReputationEntry& b) { return a.id < b.id; });
  Ids out;
  for (const ReputationEntry& e : all) {
    if (out.size() >= limit) break;
    if (e.id.value <= after) continue;
    if (q.member && e.member != q.member) continue;
    if (q.post && e.post != q.post) continue;
    if (q.thread && e.thread != q.thread) continue;
    if (q.source && e.source != q.source) continue;
    if (e.counts_at < q.since) continue;
    out.push_back(e.id.value);
  }
  return out;
}

ReputationTotal total(std::uint64_t scope, std::string window, std::uint64_t member,
                      std::int64_t points) {
  return {SpaceId{scope}, std::move(window), MemberId{member}, points};
}

using TotalRow = std::tuple<std::uint64_t, std::string, std::uint64_t, std::int64_t>;
using TotalRows = std::vector<TotalRow>;

TotalRows rows(const std::vector<ReputationTotal>& totals) {
  TotalRows out;
  for (const ReputationTotal& t : totals)
    out.emplace_back(t.scope.value, t.window, t.member.value, t.points);
  return out;
}

TotalRows list_totals(Transaction& tx, const ReputationTotalKey& after, std::uint32_t limit) {
  auto got = tx.list_reputation_totals(after, limit);
  REQUIRE(got);
  return rows(*got);
}

// The totals the listing cases read: scopes 0 (the community), 7 and 8; windows of every
// kind; members 1, 2 and 30. Put in no particular order.
std::vector<ReputationTotal> totals() {
  return {
      total(7, "week:2026-11-23", 2, 40),
      total(7, "all", 30, 7),
      total(8, "all", 1, 3),
      total(7, "month:2026-11", 1, 12),
      total(7, "custom:s1", 1, -4),
      total(0, "all", 2, 100),
      total(7, "day:2026-11-27", 1, 200),
      total(7, "all", 1, 1'000),
      total(7, "custom:\xC3\xA9t\xC3\xA9", 2, 9),  // "custom:été": 0xC3 sorts after 's'
      total(7, "week:2026-11-30", 1, 1),
      total(7, "all", 2, -7),
      total(0, "week:2026-11-23", 1, 5),
      total(7, "week:2026-11-23", 1, 41),
      total(8, "custom:s1", 30, i64_min),
      total(0, "all", 1, i64_max),
  };
}

// totals() in the order they list: by scope, then window byte for byte, then member.
const TotalRows all_totals_in_order = {
    {0, "all", 1, i64_max},
    {0, "all", 2, 100},
    {0, "week:2026-11-23", 1, 5},
    {7, "all", 1, 1'000},
    {7, "all", 2, -7},
    {7, "all", 30, 7},
    {7, "custom:s1", 1, -4},
    {7, "custom:\xC3\xA9t\xC3\xA9", 2, 9},
    {7, "day:2026-11-27", 1, 200},
    {7, "month:2026-11", 1, 12},
    {7, "week:2026-11-23", 1, 41},
    {7, "week:2026-11-23", 2, 40},
    {7, "week:2026-11-30", 1, 1},
    {8, "all", 1, 3},
    {8, "custom:s1", 30, i64_min},
};

void seed_totals(Storage& s) {
  auto tx = begin(s);
  for (const ReputationTotal& t : totals()) REQUIRE(tx->put_reputation_total(t));
  REQUIRE(tx->commit());
}

// The state seed_ledger and seed_totals leave, read through `tx`.
void require_seeded(Transaction& tx) {
  std::vector<ReputationEntry> want = ledger();
  std::sort(want.begin(), want.end(),
            [](const ReputationEntry& a, const ReputationEntry& b) { return a.id < b.id; });
  require_same(list(tx, LedgerQuery{}), want);
  CHECK(list_totals(tx, {}, 100) == all_totals_in_order);
}

}  // namespace

// --- the ledger -------------------------------------------------------------------------

TEST_CASE("reputation entries are stored and listed back byte for byte",
          "[conformance][reputation]") {
  auto s = fresh_storage();
  const std::vector<ReputationEntry> want = varied_entries();
  {
    auto tx = begin(*s);
    for (const ReputationEntry& e : want) REQUIRE(tx->insert_reputation_entry(e));
    require_same(list(*tx, LedgerQuery{}), want);  // its own writes, inside the transaction
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  require_same(list(*tx, LedgerQuery{}), want);
  // Each read back alone, through the index of its member.
  for (const ReputationEntry& e : want) {
    INFO("entry " << e.id.value);
    auto mine = list(*tx, query(e.member.value), e.id.value - 1, 1);
    REQUIRE(mine.size() == 1);
    require_same(mine[0], e);
  }
  auto award = list(*tx, query(big + 12, 0, 0, big + 11), 0, 10);
  REQUIRE(award.size() == 2);  // the acceptance and the award
  CHECK(award[1].note.size() == 23);
  CHECK(award[1].note == award_note());
  CHECK(award[1].delta == i64_max);
}

TEST_CASE("a reputation entry id is taken once", "[conformance][reputation]") {
  auto s = fresh_storage();
  seed_ledger(*s);
  {
    auto tx = begin(*s);
    // Another entry under a stored id, every other field different.
    ReputationEntry other = entry(12, 3, 600, 60, 1, 9'000, -3);
    other.note = "other";
    CHECK(code_of(tx->insert_reputation_entry(other)) == errc::already_exists);
  }
  {
    auto tx = begin(*s);
    ReputationEntry first = entry(20, 1, 500, 50, 2, 9'000);
    REQUIRE(tx->insert_reputation_entry(first));
    CHECK(code_of(tx->insert_reputation_entry(entry(20, 2, 501, 50, 3, 9'001))) ==
          errc::already_exists);
  }
  auto tx = begin(*s, TxMode::read);
  require_same(list(*tx, query(1), 11, 1), {ledger()[3]});  // entry 12 as first stored
  CHECK(list_ids(*tx, LedgerQuery{}) == Ids{10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
}

TEST_CASE("list_reputation_entries filters by each field of the query alone, by id ascending",
          "[conformance][reputation]") {
  auto s = fresh_storage();
  seed_ledger(*s);
  auto tx = begin(*s, TxMode::read);
  CHECK(list_ids(*tx, LedgerQuery{}) == Ids{10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
  // member
  CHECK(list_ids(*tx, query(1)) == Ids{10, 12, 13, 15, 16, 18, 19});
  CHECK(list_ids(*tx, query(2)) == Ids{11, 17});
  CHECK(list_ids(*tx, query(3)) == Ids{14});
  CHECK(list_ids(*tx, query(4)).empty());
  // post
  CHECK(list_ids(*tx, query(0, 500)) == Ids{10, 11, 15});
  CHECK(list_ids(*tx, query(0, 501)) == Ids{12, 17, 19});
  CHECK(list_ids(*tx, query(0, 600)) == Ids{14, 16});
  CHECK(list_ids(*tx, query(0, 502)).empty());
  // thread
  CHECK(list_ids(*tx, query(0, 0, 50)) == Ids{10, 11, 12, 15, 17, 19});
  CHECK(list_ids(*tx, query(0, 0, 60)) == Ids{14, 16});
  CHECK(list_ids(*tx, query(0, 0, 51)).empty());
  // source alone: across members, by id
  CHECK(list_ids(*tx, query(0, 0, 0, 2)) == Ids{10, 14, 15, 16, 19});
  CHECK(list_ids(*tx, query(0, 0, 0, 3)) == Ids{12, 17});
  CHECK(list_ids(*tx, query(0, 0, 0, 9)) == Ids{13});
  CHECK(list_ids(*tx, query(0, 0, 0, 4)).empty());
  // since: counts_at >= since, the bound included; a reversal counts where its entry did
  CHECK(list_ids(*tx, query(0, 0, 0, 0, 1'000)) == Ids{10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
  CHECK(list_ids(*tx, query(0, 0, 0, 0, 1'001)) == Ids{12, 13, 14, 16, 17, 18, 19});
  CHECK(list_ids(*tx, query(0, 0, 0, 0, 2'500)) == Ids{13, 14, 16, 17, 18, 19});
  CHECK(list_ids(*tx, query(0, 0, 0, 0, 7'000)) == Ids{19});
  CHECK(list_ids(*tx, query(0, 0, 0, 0, 7'001)).empty());
}

TEST_CASE("list_reputation_entries combines the fields of the query", "[conformance][reputation]") {
  auto s = fresh_storage();
  seed_ledger(*s);
  auto tx = begin(*s, TxMode::read);
  // (source, member)
  CHECK(list_ids(*tx, query(1, 0, 0, 2)) == Ids{10, 15, 16, 19});
  CHECK(list_ids(*tx, query(1, 0, 0, 3)) == Ids{12});
  CHECK(list_ids(*tx, query(2, 0, 0, 3)) == Ids{17});
  CHECK(list_ids(*tx, query(3, 0, 0, 2)) == Ids{14});
  CHECK(list_ids(*tx, query(2, 0, 0, 2)).empty());
  CHECK(list_ids(*tx, query(1, 0, 0, 9)) == Ids{13});
  // member and post, member and thread
  CHECK(list_ids(*tx, query(1, 500)) == Ids{10, 15});
  CHECK(list_ids(*tx, query(2, 500)) == Ids{11});
  CHECK(list_ids(*tx, query(3, 500)).empty());
  CHECK(list_ids(*tx, query(1, 0, 50)) == Ids{10, 12, 15, 19});
  CHECK(list_ids(*tx, query(1, 0, 60)) == Ids{16});
  // post and thread: a post of another thread matches nothing
  CHECK(list_ids(*tx, query(0, 501, 50)) == Ids{12, 17, 19});
  CHECK(list_ids(*tx, query(0, 501, 60)).empty());
  // post and source, thread and source
  CHECK(list_ids(*tx, query(0, 501, 0, 3)) == Ids{12, 17});
  CHECK(list_ids(*tx, query(0, 0, 50, 2)) == Ids{10, 15, 19});
  CHECK(list_ids(*tx, query(0, 0, 60, 1)).empty());
  // with since
  CHECK(list_ids(*tx, query(1, 0, 0, 0, 2'000)) == Ids{12, 13, 16, 18, 19});
  CHECK(list_ids(*tx, query(1, 0, 0, 2, 1'500)) == Ids{16, 19});
  CHECK(list_ids(*tx, query(0, 500, 0, 0, 1'001)).empty());
  CHECK(list_ids(*tx, query(0, 0, 50, 0, 5'000)) == Ids{17, 19});
  // everything at once
  CHECK(list_ids(*tx, query(1, 501, 50, 2, 7'000)) == Ids{19});
  CHECK(list_ids(*tx, query(1, 501, 50, 2, 7'001)).empty());
  CHECK(list_ids(*tx, query(1, 501, 50, 3, 0)) == Ids{12});
  CHECK(list_ids(*tx, query(2, 501, 50, 3, 0)) == Ids{17});

  // Every combination of values, present and absent, against the plain reading of the query.
  const Ids members = {0, 1, 2, 4};
  const Ids posts = {0, 500, 501, 600};
  const Ids threads = {0, 50, 60};
  const Ids sources = {0, 2, 3, 9};
  const std::vector<Timestamp> times = {0, 1'000, 2'500, 6'000};
  for (const std::uint64_t member : members)
    for (const std::uint64_t post : posts)
      for (const std::uint64_t thread : threads)
        for (const std::uint64_t source : sources)
          for (const Timestamp since : times) {
            const LedgerQuery q = query(member, post, thread, source, since);
            INFO("member " << member << " post " << post << " thread " << thread << " source "
                           << source << " since " << since);
            CHECK(list_ids(*tx, q) == expected(q, 0, 1'000));
          }
}

TEST_CASE("list_reputation_entries pages by id with after and limit", "[conformance][reputation]") {
  auto s = fresh_storage();
  seed_ledger(*s);
  auto tx = begin(*s, TxMode::read);
  // limit 0 lists nothing, whatever the query.
  CHECK(list_ids(*tx, LedgerQuery{}, 0, 0).empty());
  CHECK(list_ids(*tx, query(1), 0, 0).empty());
  CHECK(list_ids(*tx, query(0, 500), 0, 0).empty());
  CHECK(list_ids(*tx, query(0, 0, 50), 0, 0).empty());
  CHECK(list_ids(*tx, query(1, 0, 0, 2), 0, 0).empty());
  // A limit cuts a page; after starts past an id, listed or not, matching or not.
  CHECK(list_ids(*tx, LedgerQuery{}, 0, 3) == Ids{10, 11, 12});
  CHECK(list_ids(*tx, LedgerQuery{}, 12, 3) == Ids{13, 14, 15});
  CHECK(list_ids(*tx, LedgerQuery{}, 18, 3) == Ids{19});
  CHECK(list_ids(*tx, LedgerQuery{}, 19, 3).empty());
  CHECK(list_ids(*tx, LedgerQuery{}, 5, 1) == Ids{10});
  CHECK(list_ids(*tx, query(1), 0, 2) == Ids{10, 12});
  CHECK(list_ids(*tx, query(1), 12, 2) == Ids{13, 15});
  CHECK(list_ids(*tx, query(1), 11, 2) == Ids{12, 13});  // 11 is member 2's
  CHECK(list_ids(*tx, query(1), 15, 100) == Ids{16, 18, 19});
  CHECK(list_ids(*tx, query(0, 500), 10, 1) == Ids{11});
  CHECK(list_ids(*tx, query(0, 500), 11, 5) == Ids{15});
  CHECK(list_ids(*tx, query(0, 0, 50), 12, 2) == Ids{15, 17});
  CHECK(list_ids(*tx, query(0, 0, 50), 17, 2) == Ids{19});
  CHECK(list_ids(*tx, query(1, 0, 0, 2), 10, 2) == Ids{15, 16});
  CHECK(list_ids(*tx, query(1, 0, 0, 2), 16, 2) == Ids{19});
  CHECK(list_ids(*tx, query(0, 0, 0, 2), 14, 2) == Ids{15, 16});
  CHECK(list_ids(*tx, query(1, 0, 0, 0, 2'000), 12, 2) == Ids{13, 16});
  CHECK(list_ids(*tx, LedgerQuery{}, std::numeric_limits<std::uint64_t>::max(), 10).empty());

  // Walking every listing page by page gives it whole, in order, for any page size.
  const LedgerQuery queries[] = {LedgerQuery{},           query(1),          query(0, 500),
                                 query(0, 0, 50),         query(1, 0, 0, 2), query(0, 0, 0, 2),
                                 query(1, 0, 0, 0, 2'000)};
  for (const LedgerQuery& q : queries) {
    for (const std::uint32_t page : {1u, 2u, 3u, 7u}) {
      INFO("member " << q.member.value << " post " << q.post.value << " thread " << q.thread.value
                     << " source " << q.source.value << " since " << q.since << " page " << page);
      Ids walked;
      std::uint64_t after = 0;
      for (int guard = 0; guard < 20; ++guard) {
        const Ids got = list_ids(*tx, q, after, page);
        CHECK(got == expected(q, after, page));
        CHECK(got.size() <= page);
        walked.insert(walked.end(), got.begin(), got.end());
        if (got.size() < page) break;
        after = got.back();
      }
      CHECK(walked == expected(q, 0, 1'000));
    }
  }
}

// --- totals -----------------------------------------------------------------------------

TEST_CASE("add_reputation_total creates, adds, and is undone with its transaction",
          "[conformance][reputation]") {
  auto s = fresh_storage();
  {
    auto tx = begin(*s);
    auto first = tx->add_reputation_total(SpaceId{7}, "week:2026-11-23", MemberId{1}, 10);
    REQUIRE(first);
    CHECK(*first == 10);  // created at the delta
    auto second = tx->add_reputation_total(SpaceId{7}, "week:2026-11-23", MemberId{1}, -25);
    REQUIRE(second);
    CHECK(*second == -15);
    auto zero = tx->add_reputation_total(SpaceId{}, "all", MemberId{2}, 0);
    REQUIRE(zero);
    CHECK(*zero == 0);
    // The window is compared byte for byte: another case is another total.
    auto other = tx->add_reputation_total(SpaceId{7}, "WEEK:2026-11-23", MemberId{1}, 3);
    REQUIRE(other);
    CHECK(*other == 3);
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->put_reputation_total(total(7, "all", 1, 100)));
    auto added = tx->add_reputation_total(SpaceId{7}, "all", MemberId{1}, 5);
    REQUIRE(added);
    CHECK(*added == 105);
    auto again = tx->add_reputation_total(SpaceId{7}, "week:2026-11-23", MemberId{1}, 1);
    REQUIRE(again);
    CHECK(*again == -14);
    // Dropped without commit: neither addition stays.
  }
  auto tx = begin(*s, TxMode::read);
  auto week = tx->get_reputation_total(SpaceId{7}, "week:2026-11-23", MemberId{1});
  REQUIRE(week);
  CHECK(week->points == -15);
  auto zero = tx->get_reputation_total(SpaceId{}, "all", MemberId{2});
  REQUIRE(zero);
  CHECK(zero->points == 0);
  CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "all", MemberId{1})) == errc::not_found);
  CHECK_FALSE(tx->add_reputation_total(SpaceId{7}, "all", MemberId{1}, 1));  // a read transaction
}

TEST_CASE("reputation totals are not_found until put, and put replaces them",
          "[conformance][reputation]") {
  auto s = fresh_storage();
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "all", MemberId{1})) == errc::not_found);
    REQUIRE(tx->put_reputation_total(total(7, "all", 1, 10)));
    REQUIRE(tx->put_reputation_total(total(7, "all", 1, -25)));  // replaces, inside it too
    auto inside = tx->get_reputation_total(SpaceId{7}, "all", MemberId{1});
    REQUIRE(inside);
    CHECK(inside->points == -25);
    REQUIRE(tx->put_reputation_total(total(0, "week:2026-11-23", 2, 0)));
    REQUIRE(tx->put_reputation_total(total(big, "custom:s\xC3\xA9", big + 1, i64_min)));
    REQUIRE(tx->commit());  // a read that found nothing spoiled nothing
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->put_reputation_total(total(7, "all", 1, i64_max)));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto all = tx->get_reputation_total(SpaceId{7}, "all", MemberId{1});
  REQUIRE(all);
  CHECK(all->scope == SpaceId{7});
  CHECK(all->window == "all");
  CHECK(all->member == MemberId{1});
  CHECK(all->points == i64_max);
  auto zero = tx->get_reputation_total(SpaceId{}, "week:2026-11-23", MemberId{2});
  REQUIRE(zero);
  CHECK(zero->scope == SpaceId{});
  CHECK(zero->window == "week:2026-11-23");
  CHECK(zero->member == MemberId{2});
  CHECK(zero->points == 0);  // a total of 0 is stored, not dropped
  auto far = tx->get_reputation_total(SpaceId{big}, "custom:s\xC3\xA9", MemberId{big + 1});
  REQUIRE(far);
  CHECK(far->window == "custom:s\xC3\xA9");
  CHECK(far->points == i64_min);
  // One row per (scope, window, member): the replaced value is gone.
  CHECK(list_totals(*tx, {}, 100) == TotalRows{{0, "week:2026-11-23", 2, 0},
                                               {7, "all", 1, i64_max},
                                               {big, "custom:s\xC3\xA9", big + 1, i64_min}});
  // Each part of the key counts, and windows are compared byte for byte.
  CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "all", MemberId{2})) == errc::not_found);
  CHECK(code_of(tx->get_reputation_total(SpaceId{8}, "all", MemberId{1})) == errc::not_found);
  CHECK(code_of(tx->get_reputation_total(SpaceId{}, "all", MemberId{1})) == errc::not_found);
  CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "ALL", MemberId{1})) == errc::not_found);
  CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "all ", MemberId{1})) == errc::not_found);
  CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "al", MemberId{1})) == errc::not_found);
  CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "", MemberId{1})) == errc::not_found);
  CHECK(code_of(tx->get_reputation_total(SpaceId{big}, "custom:s\xC3\x89", MemberId{big + 1})) ==
        errc::not_found);  // É, not é
}

TEST_CASE("list_reputation_totals lists by scope, window byte for byte and member",
          "[conformance][reputation]") {
  auto s = fresh_storage();
  seed_totals(*s);
  auto tx = begin(*s, TxMode::read);
  // From the smallest key: everything.
  CHECK(list_totals(*tx, {SpaceId{}, "", MemberId{}}, 100) == all_totals_in_order);
  CHECK(list_totals(*tx, {}, 15) == all_totals_in_order);
  // Strictly after a stored key: that key is left out.
  auto from = [&](std::size_t i) {
    return TotalRows(all_totals_in_order.begin() + static_cast<std::ptrdiff_t>(i),
                     all_totals_in_order.end());
  };
  CHECK(list_totals(*tx, {SpaceId{7}, "all", MemberId{2}}, 100) == from(5));
  CHECK(list_totals(*tx, {SpaceId{7}, "custom:s1", MemberId{1}}, 100) == from(7));
  CHECK(list_totals(*tx, {SpaceId{7}, "week:2026-11-30", MemberId{1}}, 100) == from(13));
  CHECK(list_totals(*tx, {SpaceId{8}, "custom:s1", MemberId{30}}, 100).empty());
  // After keys that are not stored: from the next one up.
  CHECK(list_totals(*tx, {SpaceId{7}, "all", MemberId{3}}, 100) == from(5));
  CHECK(list_totals(*tx, {SpaceId{7}, "all", MemberId{big}}, 100) == from(6));
  CHECK(list_totals(*tx, {SpaceId{7}, "week", MemberId{}}, 100) == from(10));
  CHECK(list_totals(*tx, {SpaceId{7}, "week:2026-11-23", MemberId{}}, 100) == from(10));
  CHECK(list_totals(*tx, {SpaceId{7}, "custom:s2", MemberId{}}, 100) == from(7));  // 's2' < é
  CHECK(list_totals(*tx, {SpaceId{7}, "custom:\xC3\xA9", MemberId{99}}, 100) == from(7));
  CHECK(list_totals(*tx, {SpaceId{7}, "custom:\xFF", MemberId{}}, 100) == from(8));
  CHECK(list_totals(*tx, {SpaceId{7}, "\xFF", MemberId{}}, 100) == from(13));
  CHECK(list_totals(*tx, {SpaceId{6}, "\xFF", MemberId{big}}, 100) == from(3));
  CHECK(list_totals(*tx, {SpaceId{}, "zzz", MemberId{}}, 100) == from(3));
  CHECK(list_totals(*tx, {SpaceId{9}, "", MemberId{}}, 100).empty());
  // Upper-case sorts before lower-case, byte for byte.
  CHECK(list_totals(*tx, {SpaceId{7}, "ALL", MemberId{big}}, 100) == from(3));
  CHECK(list_totals(*tx, {SpaceId{7}, "Week", MemberId{big}}, 100) == from(3));
  // A limit cuts the page; 0 lists nothing.
  CHECK(list_totals(*tx, {}, 0).empty());
  CHECK(list_totals(*tx, {SpaceId{7}, "all", MemberId{1}}, 0).empty());
  CHECK(list_totals(*tx, {}, 2) ==
        TotalRows(all_totals_in_order.begin(), all_totals_in_order.begin() + 2));
  CHECK(list_totals(*tx, {SpaceId{7}, "custom:s1", MemberId{1}}, 3) ==
        TotalRows(all_totals_in_order.begin() + 7, all_totals_in_order.begin() + 10));
  // Paging from each page's last key walks all of them, for any page size.
  for (const std::uint32_t page : {1u, 2u, 4u, 14u, 15u, 16u}) {
    INFO("page " << page);
    TotalRows walked;
    ReputationTotalKey after;
    for (int guard = 0; guard < 20; ++guard) {
      const TotalRows got = list_totals(*tx, after, page);
      CHECK(got.size() <= page);
      walked.insert(walked.end(), got.begin(), got.end());
      if (got.size() < page) break;
      after = {SpaceId{std::get<0>(got.back())}, std::get<1>(got.back()),
               MemberId{std::get<2>(got.back())}};
    }
    CHECK(walked == all_totals_in_order);
  }
}

// --- transactions -----------------------------------------------------------------------

TEST_CASE("a transaction destroyed without commit leaves no reputation entry or total",
          "[conformance][reputation][atomicity]") {
  auto s = fresh_storage();
  seed_ledger(*s);
  seed_totals(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_reputation_entry(entry(9, 1, 500, 50, 2, 1'000)));  // before them all
    REQUIRE(tx->insert_reputation_entry(entry(20, 1, 500, 50, 2, 9'000)));
    REQUIRE(tx->insert_reputation_entry(entry(21, 4, 0, 0, 0, 9'000)));
    REQUIRE(tx->put_reputation_total(total(7, "all", 1, 5)));  // replaces 1000
    REQUIRE(tx->put_reputation_total(total(7, "all", 4, 10)));
    REQUIRE(tx->put_reputation_total(total(9, "day:2026-11-27", 4, 10)));
    // Its own writes are visible inside it.
    CHECK(list_ids(*tx, query(1, 500)) == Ids{9, 10, 15, 20});
    CHECK(list_ids(*tx, query(4)) == Ids{21});
    auto replaced = tx->get_reputation_total(SpaceId{7}, "all", MemberId{1});
    REQUIRE(replaced);
    CHECK(replaced->points == 5);
    CHECK(list_totals(*tx, {SpaceId{7}, "all", MemberId{2}}, 2) ==
          TotalRows{{7, "all", 4, 10}, {7, "all", 30, 7}});
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded(*tx);
  CHECK(list_ids(*tx, query(4)).empty());
  CHECK(list_ids(*tx, query(1, 500)) == Ids{10, 15});
  auto kept = tx->get_reputation_total(SpaceId{7}, "all", MemberId{1});
  REQUIRE(kept);
  CHECK(kept->points == 1'000);
  CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "all", MemberId{4})) == errc::not_found);
  CHECK(code_of(tx->get_reputation_total(SpaceId{9}, "day:2026-11-27", MemberId{4})) ==
        errc::not_found);
}

TEST_CASE("a failed reputation write spoils the transaction",
          "[conformance][reputation][atomicity]") {
  auto s = fresh_storage();
  seed_ledger(*s);
  seed_totals(*s);
  const bool after_writes = GENERATE(true, false);
  INFO("after other writes: " << after_writes);
  {
    auto tx = begin(*s);
    if (after_writes) {
      REQUIRE(tx->insert_reputation_entry(entry(20, 1, 500, 50, 2, 9'000)));
      REQUIRE(tx->put_reputation_total(total(7, "all", 1, 5)));
      REQUIRE(tx->put_reputation_total(total(7, "all", 4, 10)));
    }
    CHECK(code_of(tx->insert_reputation_entry(entry(15, 4, 0, 0, 0, 9'000))) ==
          errc::already_exists);
    CHECK_FALSE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded(*tx);
  CHECK(list_ids(*tx, query(4)).empty());
  CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "all", MemberId{4})) == errc::not_found);
}

TEST_CASE("reads of absent totals spoil nothing, and a read transaction cannot write reputation",
          "[conformance][reputation][atomicity]") {
  auto s = fresh_storage();
  seed_ledger(*s);
  seed_totals(*s);
  {
    auto tx = begin(*s, TxMode::read);
    CHECK_FALSE(tx->insert_reputation_entry(entry(20, 4, 0, 0, 0, 9'000)));
    CHECK_FALSE(tx->put_reputation_total(total(7, "all", 4, 10)));
  }
  {
    auto tx = begin(*s, TxMode::read);
    require_seeded(*tx);
    CHECK(list_ids(*tx, query(4)).empty());
  }
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "all", MemberId{4})) == errc::not_found);
    CHECK(list_ids(*tx, query(4)).empty());
    REQUIRE(tx->insert_reputation_entry(entry(20, 4, 0, 0, 0, 9'000)));
    REQUIRE(tx->put_reputation_total(total(7, "all", 4, 10)));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(list_ids(*tx, query(4)) == Ids{20});
  auto t = tx->get_reputation_total(SpaceId{7}, "all", MemberId{4});
  REQUIRE(t);
  CHECK(t->points == 10);
}

// --- persistence ------------------------------------------------------------------------

TEST_CASE("reputation entries and totals survive closing and reopening the storage",
          "[conformance][reputation][persistence]") {
  if (!detail::persists()) return;
  const StorageFactory& factory = detail::factory();
  const std::vector<ReputationEntry> varied = varied_entries();
  {
    auto s = fresh_storage();
    seed_ledger(*s);
    seed_totals(*s);
    {
      auto tx = begin(*s);
      for (const ReputationEntry& e : varied) REQUIRE(tx->insert_reputation_entry(e));
      REQUIRE(tx->put_reputation_total(total(7, "all", 1, 1'001)));
      REQUIRE(tx->commit());
    }
    auto uncommitted = begin(*s);
    REQUIRE(uncommitted->insert_reputation_entry(entry(20, 4, 0, 0, 0, 9'000)));
    REQUIRE(uncommitted->put_reputation_total(total(7, "all", 4, 10)));
  }
  auto reopened = factory.reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened, TxMode::read);
  std::vector<ReputationEntry> want = ledger();
  std::sort(want.begin(), want.end(),
            [](const ReputationEntry& a, const ReputationEntry& b) { return a.id < b.id; });
  want.insert(want.end(), varied.begin(), varied.end());
  require_same(list(*tx, LedgerQuery{}), want);
  // The indexes came back with the rows.
  CHECK(list_ids(*tx, query(0, 500)) == Ids{10, 11, 15});
  CHECK(list_ids(*tx, query(0, 0, 60)) == Ids{14, 16});
  CHECK(list_ids(*tx, query(1, 0, 0, 2), 10, 2) == Ids{15, 16});
  CHECK(list_ids(*tx, query(big + 12)) == Ids{big + 3, big + 5, big + 6, big + 7});
  CHECK(list_ids(*tx, query(4)).empty());
  TotalRows totals_now = all_totals_in_order;
  std::get<3>(totals_now[3]) = 1'001;
  CHECK(list_totals(*tx, {}, 100) == totals_now);
  auto t = tx->get_reputation_total(SpaceId{7}, "custom:\xC3\xA9t\xC3\xA9", MemberId{2});
  REQUIRE(t);
  CHECK(t->points == 9);
  CHECK(code_of(tx->get_reputation_total(SpaceId{7}, "all", MemberId{4})) == errc::not_found);
}

// --- the engine on this storage ------------------------------------------------------------

template <class T>
T must_ok(result<T> r) {
  INFO((r ? std::string("ok") : r.error().message()));
  REQUIRE(r.has_value());
  return std::move(*r);
}

TEST_CASE("the engine keeps its ledger, windows and leaderboards on this storage",
          "[conformance][reputation][engine]") {
  const StorageFactory& factory = detail::factory();
  auto clock = std::make_shared<ManualClock>(1'795'608'000'000);  // Wed 2026-11-25 12:00 UTC
  auto rules = ReputationRules::qa();
  rules.daily_cap = 25;
  rules.windows.push_back({"season", 1'795'608'000'000 - 1, 1'795'608'000'000 + 3'600'000});
  auto open = [&](std::shared_ptr<Storage> s) {
    EngineOptions options;
    options.storage = std::move(s);
    options.clock = clock;
    options.reputation = rules;
    return must_ok(Engine::open(std::move(options)));
  };
  auto engine = open(fresh_storage());
  Engine& e = *engine;
  std::vector<MemberId> m;
  for (const char* h : {"asker", "answerer", "voter1", "voter2", "voter3", "moderator"})
    m.push_back(must_ok(e.create_member(h, h)).id);
  const SpaceId desk = must_ok(e.create_space(m[5], {{}, SpaceKind::forum, "Desk", ""})).id;
  for (int i = 0; i < 5; ++i) REQUIRE(must_ok(e.join_space(m[static_cast<std::size_t>(i)], desk)));
  auto q = must_ok(e.create_thread(m[0], desk, "Q", "?", ThreadKind::question));
  const PostId a = must_ok(e.reply(m[1], q.first_post.id, "A")).id;
  REQUIRE(must_ok(e.react(m[2], q.first_post.id, "+1")));  // asker +10
  REQUIRE(must_ok(e.react(m[2], a, "+1")));                // answerer +10
  REQUIRE(must_ok(e.react(m[3], a, "+1")));                // +10
  REQUIRE(must_ok(e.react(m[4], a, "+1")));                // +5: the daily cap
  must_ok(e.accept_answer(m[0], q.thread.id, a));          // answerer +15, asker +2
  auto points = [&](Engine& en, MemberId who, Period p = Period::all_time,
                    std::string_view w = {}) {
    return must_ok(en.reputation(who, desk, who, p, w));
  };
  CHECK(points(e, m[1]).points == 40);
  CHECK(points(e, m[0]).points == 12);
  REQUIRE(must_ok(e.remove_post(m[5], a, "spam")));
  CHECK(points(e, m[1]).points == 0);
  REQUIRE(must_ok(e.restore_post(m[5], a)));
  CHECK(points(e, m[1]).points == 40);
  CHECK(points(e, m[1], Period::custom, "season").points == 40);
  // Next week: the weekly board starts afresh, the vote taken back comes off last week's.
  clock->advance(7 * 24 * 3'600'000);
  REQUIRE(must_ok(e.unreact(m[3], a, "+1")));
  CHECK(points(e, m[1]).points == 30);
  CHECK(points(e, m[1], Period::week).points == 0);
  CHECK(points(e, m[1], Period::custom, "season").points == 30);
  auto board = must_ok(e.leaderboard(MemberId{}, desk, Period::all_time, "", {"", 1}));
  REQUIRE(board.items.size() == 1);
  CHECK(board.items[0].member == m[1]);
  CHECK(board.items[0].rank == 1);
  auto rest =
      must_ok(e.leaderboard(MemberId{}, desk, Period::all_time, "", {board.next_cursor, 10}));
  REQUIRE(rest.items.size() == 1);
  CHECK(rest.items[0].member == m[0]);
  CHECK(rest.items[0].rank == 2);
  CHECK(must_ok(e.rebuild_reputation()) == 0);

  if (!detail::persists("the reopened engine is not checked")) return;
  engine.reset();
  auto again = open(must_ok(factory.reopen()));
  CHECK(points(*again, m[1]).points == 30);
  CHECK(points(*again, m[0]).points == 12);
  CHECK(points(*again, m[1], Period::custom, "season").points == 30);
  CHECK(must_ok(again->rebuild_reputation()) == 0);
}

void detail::link_reputation_kit() {}

}  // namespace hearth::conformance
