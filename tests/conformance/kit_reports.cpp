// The reports and review-queue part of the storage contract (Transaction::insert_report and the
// rest of its section), run against the kit's storage: every field read back, the open report
// per (reporter, target), an item's reports, a reporter's reports newest first, the undecided
// item per target and the queue's order and paging, rollback and persistence.
#include <catch2/catch.hpp>

#include <cstdint>
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

Report report(std::uint64_t id, std::uint64_t reporter, std::uint64_t target, std::uint64_t post,
              std::uint64_t item) {
  Report r;
  r.id = ReportId{id};
  r.reporter = MemberId{reporter};
  r.space = SpaceId{10};
  r.target_member = MemberId{target};
  r.post = PostId{post};
  r.item = ReviewItemId{item};
  r.created_at = static_cast<Timestamp>(id);
  return r;
}

ReviewItem item(std::uint64_t id, std::uint64_t space, std::uint32_t weight,
                std::uint64_t target = 5, std::uint64_t post = 0) {
  ReviewItem i;
  i.id = ReviewItemId{id};
  i.space = SpaceId{space};
  i.target_member = MemberId{target};
  i.post = PostId{post ? post : id};
  i.weight = weight;
  i.reports = 1;
  i.created_at = static_cast<Timestamp>(id);
  return i;
}

std::vector<std::uint64_t> ids(const std::vector<ReviewItem>& items) {
  std::vector<std::uint64_t> out;
  for (const auto& i : items) out.push_back(i.id.value);
  return out;
}

std::vector<std::uint64_t> ids(const std::vector<Report>& reports) {
  std::vector<std::uint64_t> out;
  for (const auto& r : reports) out.push_back(r.id.value);
  return out;
}

// The queue of `space` from (after_weight, after) on, `limit` at a time, as ids.
std::vector<std::uint64_t> queue(Transaction& tx, std::uint64_t space,
                                 std::uint32_t after_weight = 0, std::uint64_t after = 0,
                                 std::uint32_t limit = 100) {
  auto r = tx.list_review_queue(SpaceId{space}, after_weight, ReviewItemId{after}, limit);
  REQUIRE(r);
  return ids(*r);
}

TEST_CASE("reports and review items read back every field as stored", "[conformance][reports]") {
  auto s = fresh_storage();
  Report r = report(big + 1, big + 2, big + 3, big + 4, big + 5);
  r.space = SpaceId{big + 6};
  r.reason = ReportReason::other;
  r.note = "line one\nline \"two\" \xC3\xA9";
  r.weight = 4'000'000'000u;
  r.status = ReportStatus::open;
  r.created_at = -5;
  ReviewItem i = item(big + 5, big + 6, 4'000'000'000u, big + 3, big + 4);
  i.source = ReviewSource::first_post;
  i.reports = 7;
  i.hidden = true;
  i.claimed_by = MemberId{big + 7};
  i.claimed_until = 123;
  i.flag = "words: \"spÃ¤m\"\nline two";
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_report(r));
    REQUIRE(tx->insert_review_item(i));
    REQUIRE(tx->commit());
  }
  {
    // A failed call spoils its transaction (the kit's rollback cases): each on its own.
    CHECK(code_of(begin(*s)->insert_report(r)) == errc::already_exists);
    CHECK(code_of(begin(*s)->insert_review_item(i)) == errc::already_exists);
  }
  auto tx = begin(*s);
  auto open = tx->find_open_report(r.reporter, r.target_member, r.post);
  REQUIRE(open);
  REQUIRE(*open);
  const Report& got = **open;
  CHECK(got.id == r.id);
  CHECK(got.reporter == r.reporter);
  CHECK(got.space == r.space);
  CHECK(got.target_member == r.target_member);
  CHECK(got.post == r.post);
  CHECK(got.reason == r.reason);
  CHECK(got.note == r.note);
  CHECK(got.weight == r.weight);
  CHECK(got.item == r.item);
  CHECK(got.status == r.status);
  CHECK(got.created_at == r.created_at);
  CHECK(got.decided_at == 0);

  auto stored = tx->get_review_item(i.id);
  REQUIRE(stored);
  REQUIRE(*stored);
  const ReviewItem& gi = **stored;
  CHECK(gi.space == i.space);
  CHECK(gi.source == i.source);
  CHECK(gi.target_member == i.target_member);
  CHECK(gi.post == i.post);
  CHECK(gi.weight == i.weight);
  CHECK(gi.reports == 7);
  CHECK(gi.hidden);
  CHECK(gi.claimed_by == i.claimed_by);
  CHECK(gi.claimed_until == 123);
  CHECK_FALSE(gi.decided);
  CHECK(gi.created_at == i.created_at);
  CHECK(gi.flag == i.flag);
  CHECK(gi.appeal_of == 0);
  CHECK(!gi.acted_by);

  auto none = tx->get_review_item(ReviewItemId{1});
  REQUIRE(none);
  CHECK_FALSE(*none);
  CHECK(code_of(tx->update_review_item(item(1, 10, 1))) == errc::not_found);
  CHECK(code_of(tx->update_report(report(1, 1, 1, 1, 1))) == errc::not_found);
}

TEST_CASE("a reporter's open report is found by its target until it is decided",
          "[conformance][reports]") {
  auto s = fresh_storage();
  auto tx = begin(*s);
  REQUIRE(tx->insert_report(report(1, 2, 5, 7, 100)));  // member 2 on post 7 by 5
  REQUIRE(tx->insert_report(report(2, 2, 5, 0, 101)));  // member 2 on member 5
  REQUIRE(tx->insert_report(report(3, 3, 5, 7, 100)));  // member 3 on post 7
  auto found = tx->find_open_report(MemberId{2}, MemberId{5}, PostId{7});
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->id == ReportId{1});
  found = tx->find_open_report(MemberId{2}, MemberId{5}, PostId{});
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->id == ReportId{2});
  found = tx->find_open_report(MemberId{4}, MemberId{5}, PostId{7});
  REQUIRE(found);
  CHECK_FALSE(*found);

  Report decided = report(1, 2, 5, 7, 100);
  decided.status = ReportStatus::upheld;
  decided.decided_at = 50;
  REQUIRE(tx->update_report(decided));
  found = tx->find_open_report(MemberId{2}, MemberId{5}, PostId{7});
  REQUIRE(found);
  CHECK_FALSE(*found);
  // A new report on the same target is open beside the decided one.
  REQUIRE(tx->insert_report(report(4, 2, 5, 7, 102)));
  found = tx->find_open_report(MemberId{2}, MemberId{5}, PostId{7});
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->id == ReportId{4});

  auto of_item = tx->list_item_reports(ReviewItemId{100});
  REQUIRE(of_item);
  CHECK(ids(*of_item) == std::vector<std::uint64_t>{1, 3});
  CHECK(of_item->front().status == ReportStatus::upheld);
  CHECK(of_item->front().decided_at == 50);

  auto by = tx->list_reports_by(MemberId{2}, ReportId{}, 100);
  REQUIRE(by);
  CHECK(ids(*by) == std::vector<std::uint64_t>{4, 2, 1});
  by = tx->list_reports_by(MemberId{2}, ReportId{4}, 1);
  REQUIRE(by);
  CHECK(ids(*by) == std::vector<std::uint64_t>{2});
  by = tx->list_reports_by(MemberId{9}, ReportId{}, 100);
  REQUIRE(by);
  CHECK(by->empty());
}

TEST_CASE("the review queue is by weight descending then id, undecided items only",
          "[conformance][reports]") {
  auto s = fresh_storage();
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_review_item(item(1, 10, 2)));
    REQUIRE(tx->insert_review_item(item(2, 10, 5)));
    REQUIRE(tx->insert_review_item(item(3, 10, 2)));
    REQUIRE(tx->insert_review_item(item(4, 11, 9)));
    REQUIRE(tx->insert_review_item(item(5, 10, 1)));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  CHECK(queue(*tx, 10) == std::vector<std::uint64_t>{2, 1, 3, 5});
  CHECK(queue(*tx, 11) == std::vector<std::uint64_t>{4});
  CHECK(queue(*tx, 12).empty());
  // Paging from (weight, id), exclusive.
  CHECK(queue(*tx, 10, 0, 0, 2) == std::vector<std::uint64_t>{2, 1});
  CHECK(queue(*tx, 10, 2, 1, 2) == std::vector<std::uint64_t>{3, 5});
  CHECK(queue(*tx, 10, 5, 2) == std::vector<std::uint64_t>{1, 3, 5});
  CHECK(queue(*tx, 10, 1, 5).empty());

  // A heavier item moves up; a decided one leaves the queue and its target's slot.
  ReviewItem heavier = item(5, 10, 7);
  REQUIRE(tx->update_review_item(heavier));
  CHECK(queue(*tx, 10) == std::vector<std::uint64_t>{5, 2, 1, 3});
  auto open = tx->find_open_review_item(SpaceId{10}, MemberId{5}, PostId{2});
  REQUIRE(open);
  REQUIRE(*open);
  CHECK((*open)->id == ReviewItemId{2});
  ReviewItem decided = item(2, 10, 5);
  decided.decided = true;
  decided.decision = ReviewAction::remove;
  decided.decided_by = MemberId{8};
  decided.reason = "spam";
  decided.decided_at = 99;
  REQUIRE(tx->update_review_item(decided));
  CHECK(queue(*tx, 10) == std::vector<std::uint64_t>{5, 1, 3});
  open = tx->find_open_review_item(SpaceId{10}, MemberId{5}, PostId{2});
  REQUIRE(open);
  CHECK_FALSE(*open);
  auto got = tx->get_review_item(ReviewItemId{2});
  REQUIRE(got);
  REQUIRE(*got);
  CHECK((*got)->decided);
  CHECK((*got)->decision == ReviewAction::remove);
  CHECK((*got)->decided_by == MemberId{8});
  CHECK((*got)->reason == "spam");
  CHECK((*got)->decided_at == 99);
  // The same target's next item is open beside the decided one.
  REQUIRE(tx->insert_review_item(item(6, 10, 1, 5, 2)));
  open = tx->find_open_review_item(SpaceId{10}, MemberId{5}, PostId{2});
  REQUIRE(open);
  REQUIRE(*open);
  CHECK((*open)->id == ReviewItemId{6});
  // Another space's item on the same target is its own.
  open = tx->find_open_review_item(SpaceId{11}, MemberId{5}, PostId{2});
  REQUIRE(open);
  CHECK_FALSE(*open);
}

TEST_CASE("an appeal is found by the audit entry it appeals, and only one may exist",
          "[conformance][reports]") {
  auto s = fresh_storage();
  ReviewItem appeal = item(1, 10, 1, 5, 2);
  appeal.source = ReviewSource::appeal;
  appeal.appeal_of = big + 9;
  appeal.acted_by = MemberId{big + 8};
  appeal.flag = "I was quoting the rules";
  {
    auto tx = begin(*s);
    // An open item about the same post does not stop an appeal, nor the reverse.
    REQUIRE(tx->insert_review_item(item(2, 10, 3, 5, 2)));
    REQUIRE(tx->insert_review_item(appeal));
    REQUIRE(tx->commit());
  }
  {
    ReviewItem again = item(3, 11, 1, 5, 7);
    again.source = ReviewSource::appeal;
    again.appeal_of = big + 9;
    CHECK(code_of(begin(*s)->insert_review_item(again)) == errc::already_exists);
  }
  auto tx = begin(*s);
  auto found = tx->find_appeal(big + 9);
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->id == ReviewItemId{1});
  CHECK((*found)->appeal_of == big + 9);
  CHECK((*found)->acted_by == MemberId{big + 8});
  CHECK((*found)->flag == "I was quoting the rules");
  auto open = tx->find_open_review_item(SpaceId{10}, MemberId{5}, PostId{2});
  REQUIRE(open);
  REQUIRE(*open);
  CHECK((*open)->id == ReviewItemId{2});
  // Both are in the queue; a decided appeal is still found.
  CHECK(queue(*tx, 10) == std::vector<std::uint64_t>{2, 1});
  ReviewItem decided = **found;
  decided.decided = true;
  REQUIRE(tx->update_review_item(decided));
  found = tx->find_appeal(big + 9);
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->decided);
  CHECK(queue(*tx, 10) == std::vector<std::uint64_t>{2});
  auto none = tx->find_appeal(big + 10);
  REQUIRE(none);
  CHECK_FALSE(*none);
}

TEST_CASE("reports and review items roll back with their transaction", "[conformance][reports]") {
  auto s = fresh_storage();
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_review_item(item(1, 10, 2)));
    REQUIRE(tx->insert_report(report(1, 2, 5, 1, 1)));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_review_item(item(2, 10, 3)));
    REQUIRE(tx->insert_report(report(2, 3, 5, 1, 1)));
    ReviewItem changed = item(1, 10, 9);
    changed.decided = true;
    REQUIRE(tx->update_review_item(changed));
    Report closed = report(1, 2, 5, 1, 1);
    closed.status = ReportStatus::dismissed;
    REQUIRE(tx->update_report(closed));
  }  // never committed
  auto tx = begin(*s);
  CHECK(queue(*tx, 10) == std::vector<std::uint64_t>{1});
  auto r = tx->list_item_reports(ReviewItemId{1});
  REQUIRE(r);
  CHECK(ids(*r) == std::vector<std::uint64_t>{1});
  CHECK(r->front().status == ReportStatus::open);
  auto open = tx->find_open_report(MemberId{2}, MemberId{5}, PostId{1});
  REQUIRE(open);
  CHECK(*open);
}

TEST_CASE("reports and review items survive closing and reopening the storage",
          "[conformance][reports][persistence]") {
  if (!detail::persists()) return;
  const StorageFactory& factory = detail::factory();
  {
    auto s = fresh_storage();
    auto tx = begin(*s);
    REQUIRE(tx->insert_review_item(item(1, 10, 2)));
    REQUIRE(tx->insert_report(report(1, 2, 5, 1, 1)));
    REQUIRE(tx->commit());
  }
  auto reopened = factory.reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened);
  CHECK(queue(*tx, 10) == std::vector<std::uint64_t>{1});
  auto open = tx->find_open_report(MemberId{2}, MemberId{5}, PostId{1});
  REQUIRE(open);
  REQUIRE(*open);
  CHECK((*open)->item == ReviewItemId{1});
}

}  // namespace

namespace detail {
void link_reports_kit() {}
}  // namespace detail

}  // namespace hearth::conformance
