// The storage conformance kit: every TEST_CASE here runs against the factory given to run().
#define CATCH_CONFIG_RUNNER
#include "hearth/conformance/kit.hpp"

#include <catch2/catch.hpp>
#include "result_string.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "hearth/engine.hpp"
#include "hearth/storage/wrapper.hpp"

namespace hearth::conformance {
namespace {

StorageFactory g_factory;

std::shared_ptr<Storage> fresh_storage() {
  auto s = g_factory.create();
  REQUIRE(s.has_value());
  REQUIRE(*s != nullptr);
  return *s;
}

std::unique_ptr<Transaction> begin(Storage& s, TxMode mode = TxMode::write) {
  auto tx = s.begin(mode);
  REQUIRE(tx.has_value());
  return std::move(*tx);
}

template <class T>
errc code_of(const result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  REQUIRE(&r.error().category() == &hearth_category());
  return static_cast<errc>(r.error().value());
}

Member member(std::uint64_t id, std::string handle, std::optional<std::string> ref = {}) {
  Member m;
  m.id = MemberId{id};
  m.handle = std::move(handle);
  m.display_name = "Name of " + m.handle;
  m.external_ref = std::move(ref);
  m.bio = "bio \"quoted\" \xC3\xA9\xE2\x82\xAC";
  m.created_at = 1'700'000'000'000 + static_cast<Timestamp>(id);
  return m;
}

Space space(std::uint64_t id, std::uint64_t parent = 0, std::uint64_t owner = 1) {
  Space s;
  s.id = SpaceId{id};
  s.parent = SpaceId{parent};
  s.kind = parent ? SpaceKind::channel : SpaceKind::guild;
  s.name = "space " + std::to_string(id);
  s.description = "about it";
  s.owner = MemberId{owner};
  s.created_at = 1'700'000'000'000;
  s.member_count = 3;
  s.thread_count = 2;
  return s;
}

Thread thread(std::uint64_t id, std::uint64_t space_id, std::uint64_t first_post) {
  Thread t;
  t.id = ThreadId{id};
  t.space = SpaceId{space_id};
  t.author = MemberId{1};
  t.title = "title " + std::to_string(id);
  t.first_post = t.last_post = PostId{first_post};
  t.created_at = t.last_activity_at = 1'700'000'000'000;
  return t;
}

Post post(std::uint64_t id, std::uint64_t thread_id, std::uint64_t space_id,
          std::uint64_t reply_to = 0) {
  Post p;
  p.id = PostId{id};
  p.thread = ThreadId{thread_id};
  p.space = SpaceId{space_id};
  p.author = MemberId{1};
  p.reply_to = PostId{reply_to};
  p.body = "body of " + std::to_string(id) + " \xF0\x9F\x94\xA5 'single' \"double\" \\ back";
  p.created_at = 1'700'000'000'000 + static_cast<Timestamp>(id);
  return p;
}

void require_same(const Member& a, const Member& b) {
  CHECK(a.id == b.id);
  CHECK(a.handle == b.handle);
  CHECK(a.display_name == b.display_name);
  CHECK(a.external_ref == b.external_ref);
  CHECK(a.bio == b.bio);
  CHECK(a.created_at == b.created_at);
  CHECK(a.active == b.active);
}

void require_same(const Space& a, const Space& b) {
  CHECK(a.id == b.id);
  CHECK(a.parent == b.parent);
  CHECK(a.kind == b.kind);
  CHECK(a.name == b.name);
  CHECK(a.description == b.description);
  CHECK(a.visibility == b.visibility);
  CHECK(a.owner == b.owner);
  CHECK(a.created_at == b.created_at);
  CHECK(a.member_count == b.member_count);
  CHECK(a.thread_count == b.thread_count);
}

void require_same(const Thread& a, const Thread& b) {
  CHECK(a.id == b.id);
  CHECK(a.space == b.space);
  CHECK(a.author == b.author);
  CHECK(a.title == b.title);
  CHECK(a.first_post == b.first_post);
  CHECK(a.last_post == b.last_post);
  CHECK(a.created_at == b.created_at);
  CHECK(a.last_activity_at == b.last_activity_at);
  CHECK(a.reply_count == b.reply_count);
  CHECK(a.deleted == b.deleted);
}

void require_same(const Post& a, const Post& b) {
  CHECK(a.id == b.id);
  CHECK(a.thread == b.thread);
  CHECK(a.space == b.space);
  CHECK(a.author == b.author);
  CHECK(a.reply_to == b.reply_to);
  CHECK(a.body == b.body);
  CHECK(a.created_at == b.created_at);
  CHECK(a.edited_at == b.edited_at);
  CHECK(a.revision == b.revision);
  CHECK(a.deleted == b.deleted);
}

// Members 1..3, space 10 (root) with children 11, 12, thread 100 with posts 1000..
void seed(Storage& s) {
  auto tx = begin(s);
  for (std::uint64_t i = 1; i <= 3; ++i)
    REQUIRE(tx->insert_member(member(i, "member" + std::to_string(i))));
  REQUIRE(tx->insert_space(space(10)));
  REQUIRE(tx->insert_space(space(11, 10)));
  REQUIRE(tx->insert_space(space(12, 10)));
  REQUIRE(tx->insert_thread(thread(100, 10, 1000)));
  REQUIRE(tx->insert_post(post(1000, 100, 10)));
  REQUIRE(tx->commit());
}

std::vector<std::uint64_t> ids_of(const auto& items) {
  std::vector<std::uint64_t> out;
  for (const auto& i : items) out.push_back(i.id.value);
  return out;
}

using Ids = std::vector<std::uint64_t>;

}  // namespace

// --- members ----------------------------------------------------------------------------

TEST_CASE("members round-trip and are found by id, handle and external reference",
          "[conformance][members]") {
  auto s = fresh_storage();
  const Member alice = member(1, "Alice", "steam:42");
  const Member bob = member(2, "bob");
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_member(alice));
    REQUIRE(tx->insert_member(bob));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto by_id = tx->get_member(alice.id);
  REQUIRE(by_id);
  require_same(*by_id, alice);
  auto by_handle = tx->find_member_by_handle("aLiCe");
  REQUIRE(by_handle);
  require_same(*by_handle, alice);
  auto by_ref = tx->find_member_by_external_ref("steam:42");
  REQUIRE(by_ref);
  require_same(*by_ref, alice);
  auto bob_read = tx->get_member(bob.id);
  REQUIRE(bob_read);
  CHECK_FALSE(bob_read->external_ref.has_value());

  CHECK(code_of(tx->get_member(MemberId{99})) == errc::not_found);
  CHECK(code_of(tx->find_member_by_handle("carol")) == errc::not_found);
  CHECK(code_of(tx->find_member_by_external_ref("steam:43")) == errc::not_found);
  CHECK(code_of(tx->find_member_by_external_ref("STEAM:42")) == errc::not_found);
}

TEST_CASE("member handles and external references are unique", "[conformance][members]") {
  auto s = fresh_storage();
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_member(member(1, "alice", "ref-1")));
    REQUIRE(tx->commit());
  }
  SECTION("same id") {
    auto tx = begin(*s);
    CHECK(code_of(tx->insert_member(member(1, "other"))) == errc::already_exists);
  }
  SECTION("same handle, other case") {
    auto tx = begin(*s);
    CHECK(code_of(tx->insert_member(member(2, "ALICE"))) == errc::already_exists);
  }
  SECTION("same external reference") {
    auto tx = begin(*s);
    CHECK(code_of(tx->insert_member(member(2, "bob", "ref-1"))) == errc::already_exists);
  }
  SECTION("a failed insert spoils the transaction: commit fails and stores nothing") {
    auto tx = begin(*s);
    REQUIRE(tx->insert_member(member(3, "carol")));
    REQUIRE_FALSE(tx->insert_member(member(4, "Alice")));
    CHECK_FALSE(tx->commit());
    tx.reset();
    auto rtx = begin(*s, TxMode::read);
    CHECK(code_of(rtx->get_member(MemberId{3})) == errc::not_found);
  }
  SECTION("many members without an external reference") {
    auto tx = begin(*s);
    REQUIRE(tx->insert_member(member(2, "bob")));
    REQUIRE(tx->insert_member(member(3, "carol")));
    REQUIRE(tx->commit());
  }
}

TEST_CASE("members are updated in place, keeping uniqueness", "[conformance][members]") {
  auto s = fresh_storage();
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_member(member(1, "alice", "a")));
    REQUIRE(tx->insert_member(member(2, "bob", "b")));
    REQUIRE(tx->commit());
  }
  Member changed = member(1, "alicia", "a2");
  changed.display_name = "Alicia";
  changed.active = false;
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_member(changed));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto m = tx->get_member(MemberId{1});
    REQUIRE(m);
    require_same(*m, changed);
    CHECK(code_of(tx->find_member_by_handle("alice")) == errc::not_found);
    CHECK(code_of(tx->find_member_by_external_ref("a")) == errc::not_found);
    CHECK(tx->find_member_by_handle("ALICIA"));
    CHECK(tx->find_member_by_external_ref("a2"));
  }
  auto tx = begin(*s);
  CHECK(code_of(tx->update_member(member(1, "BOB"))) == errc::already_exists);
  auto tx2 = std::move(tx);
  tx2.reset();
  auto tx3 = begin(*s);
  CHECK(code_of(tx3->update_member(member(9, "nobody"))) == errc::not_found);
}

// --- spaces and membership --------------------------------------------------------------

TEST_CASE("spaces round-trip and list their children in id order", "[conformance][spaces]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_space(space(15, 10)));
    REQUIRE(tx->insert_space(space(13, 10)));
    REQUIRE(tx->insert_space(space(20)));
    CHECK(code_of(tx->insert_space(space(10))) == errc::already_exists);
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_space(space(15, 10)));
    REQUIRE(tx->insert_space(space(13, 10)));
    REQUIRE(tx->insert_space(space(20)));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto got = tx->get_space(SpaceId{11});
  REQUIRE(got);
  require_same(*got, space(11, 10));
  CHECK(code_of(tx->get_space(SpaceId{99})) == errc::not_found);

  auto all = tx->list_child_spaces(SpaceId{10}, SpaceId{}, 10);
  REQUIRE(all);
  CHECK(ids_of(*all) == Ids{11, 12, 13, 15});
  auto after = tx->list_child_spaces(SpaceId{10}, SpaceId{12}, 1);
  REQUIRE(after);
  CHECK(ids_of(*after) == Ids{13});
  auto roots = tx->list_child_spaces(SpaceId{}, SpaceId{}, 10);
  REQUIRE(roots);
  CHECK(ids_of(*roots) == Ids{10, 20});
  auto none = tx->list_child_spaces(SpaceId{11}, SpaceId{}, 10);
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("spaces are updated in place", "[conformance][spaces]") {
  auto s = fresh_storage();
  seed(*s);
  Space changed = space(11, 10);
  changed.name = "renamed";
  changed.visibility = Visibility::secret;
  changed.member_count = 7;
  changed.thread_count = 0;
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_space(changed));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto got = tx->get_space(SpaceId{11});
  REQUIRE(got);
  require_same(*got, changed);
  CHECK(code_of(tx->update_space(space(99))) == errc::not_found);
}

TEST_CASE("memberships are unique per space and member and list in member order",
          "[conformance][spaces]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_membership({SpaceId{10}, MemberId{3}, 5}));
    REQUIRE(tx->insert_membership({SpaceId{10}, MemberId{1}, 6}));
    REQUIRE(tx->insert_membership({SpaceId{11}, MemberId{2}, 7}));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->insert_membership({SpaceId{10}, MemberId{3}, 9})) == errc::already_exists);
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto m = tx->get_membership(SpaceId{10}, MemberId{1});
    REQUIRE(m);
    CHECK(m->joined_at == 6);
    CHECK(code_of(tx->get_membership(SpaceId{11}, MemberId{1})) == errc::not_found);
    auto list = tx->list_memberships(SpaceId{10}, MemberId{}, 10);
    REQUIRE(list);
    REQUIRE(list->size() == 2);
    CHECK((*list)[0].member == MemberId{1});
    CHECK((*list)[1].member == MemberId{3});
    auto page = tx->list_memberships(SpaceId{10}, MemberId{1}, 1);
    REQUIRE(page);
    REQUIRE(page->size() == 1);
    CHECK((*page)[0].member == MemberId{3});
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->delete_membership(SpaceId{10}, MemberId{1}));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  CHECK(code_of(tx->get_membership(SpaceId{10}, MemberId{1})) == errc::not_found);
  CHECK(code_of(tx->delete_membership(SpaceId{10}, MemberId{1})) == errc::not_found);
}

// --- threads and posts ------------------------------------------------------------------

TEST_CASE("threads round-trip and list by most recent activity", "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    for (std::uint64_t i = 101; i <= 105; ++i) {
      REQUIRE(tx->insert_thread(thread(i, 10, i * 10)));
      REQUIRE(tx->insert_post(post(i * 10, i, 10)));
    }
    REQUIRE(tx->insert_thread(thread(106, 11, 1060)));  // another space
    REQUIRE(tx->insert_post(post(1060, 106, 11)));
    // Thread 101 gets the newest post; thread 103 is deleted.
    Thread t101 = thread(101, 10, 1010);
    t101.last_post = PostId{5000};
    t101.reply_count = 1;
    t101.last_activity_at = 1'700'000'000'500;
    REQUIRE(tx->insert_post(post(5000, 101, 10, 1010)));
    REQUIRE(tx->update_thread(t101));
    Thread t103 = thread(103, 10, 1030);
    t103.deleted = true;
    REQUIRE(tx->update_thread(t103));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto t = tx->get_thread(ThreadId{101});
  REQUIRE(t);
  CHECK(t->last_post == PostId{5000});
  CHECK(t->reply_count == 1);
  CHECK(t->last_activity_at == 1'700'000'000'500);
  auto deleted = tx->get_thread(ThreadId{103});
  REQUIRE(deleted);
  CHECK(deleted->deleted);
  CHECK(code_of(tx->get_thread(ThreadId{999})) == errc::not_found);

  auto all = tx->list_threads(SpaceId{10}, PostId{}, 10);
  REQUIRE(all);
  CHECK(ids_of(*all) == Ids{101, 105, 104, 102, 100});
  auto before = tx->list_threads(SpaceId{10}, PostId{1040}, 2);
  REQUIRE(before);
  CHECK(ids_of(*before) == Ids{102, 100});
  auto other = tx->list_threads(SpaceId{11}, PostId{}, 10);
  REQUIRE(other);
  CHECK(ids_of(*other) == Ids{106});
  require_same((*other)[0], thread(106, 11, 1060));
}

TEST_CASE("posts round-trip byte for byte and page in id order", "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    for (std::uint64_t i = 1001; i <= 1010; ++i) REQUIRE(tx->insert_post(post(i, 100, 10, 1000)));
    CHECK(code_of(tx->insert_post(post(1005, 100, 10))) == errc::already_exists);
  }
  {
    auto tx = begin(*s);
    for (std::uint64_t i = 1001; i <= 1010; ++i) REQUIRE(tx->insert_post(post(i, 100, 10, 1000)));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto p = tx->get_post(PostId{1003});
  REQUIRE(p);
  require_same(*p, post(1003, 100, 10, 1000));
  CHECK(p->reactions.empty());
  CHECK(code_of(tx->get_post(PostId{1})) == errc::not_found);

  auto first = tx->list_posts(ThreadId{100}, PostId{}, 4);
  REQUIRE(first);
  CHECK(ids_of(*first) == Ids{1000, 1001, 1002, 1003});
  auto next = tx->list_posts(ThreadId{100}, PostId{1003}, 100);
  REQUIRE(next);
  CHECK(ids_of(*next) == Ids{1004, 1005, 1006, 1007, 1008, 1009, 1010});
  require_same(next->back(), post(1010, 100, 10, 1000));
  auto empty = tx->list_posts(ThreadId{999}, PostId{}, 10);
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("update_post changes body, edit time, revision and deleted only",
          "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);
  Post changed = post(1000, 100, 10);
  changed.body = "new body";
  changed.edited_at = 42;
  changed.revision = 2;
  changed.deleted = true;
  changed.author = MemberId{3};  // not stored
  changed.created_at = 7;        // not stored
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_post(changed));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto p = tx->get_post(PostId{1000});
  REQUIRE(p);
  CHECK(p->body == "new body");
  CHECK(p->edited_at == 42);
  CHECK(p->revision == 2);
  CHECK(p->deleted);
  CHECK(p->author == MemberId{1});
  CHECK(p->created_at == post(1000, 100, 10).created_at);
  CHECK(code_of(tx->update_post(post(4242, 100, 10))) == errc::not_found);
}

TEST_CASE("revisions are kept per post in number order", "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_revision({PostId{1000}, 2, "t2", "second", MemberId{1}, 20}));
    REQUIRE(tx->insert_revision({PostId{1000}, 1, "t1", "first", MemberId{1}, 10}));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto revs = tx->list_revisions(PostId{1000});
  REQUIRE(revs);
  REQUIRE(revs->size() == 2);
  CHECK((*revs)[0].number == 1);
  CHECK((*revs)[0].title == "t1");
  CHECK((*revs)[0].body == "first");
  CHECK((*revs)[0].written_at == 10);
  CHECK((*revs)[1].number == 2);
  CHECK((*revs)[1].editor == MemberId{1});
  auto none = tx->list_revisions(PostId{999});
  REQUIRE(none);
  CHECK(none->empty());
  CHECK(code_of(tx->insert_revision({PostId{1000}, 1, "", "dup", MemberId{1}, 30})) ==
        errc::already_exists);
}

// --- reactions --------------------------------------------------------------------------

TEST_CASE("reactions are one per member, kind and post, and counted per kind",
          "[conformance][reactions]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_post(post(1001, 100, 10, 1000)));
    auto a = tx->add_reaction(PostId{1000}, MemberId{1}, "heart", 1);
    REQUIRE(a);
    CHECK(*a);
    auto again = tx->add_reaction(PostId{1000}, MemberId{1}, "heart", 2);
    REQUIRE(again);
    CHECK_FALSE(*again);
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "heart", 3));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "+1", 3));
    REQUIRE(tx->add_reaction(PostId{1001}, MemberId{3}, "laugh", 3));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto p = tx->get_post(PostId{1000});
    REQUIRE(p);
    CHECK(p->reactions == std::vector<ReactionCount>{{"+1", 1}, {"heart", 2}});
    auto page = tx->list_posts(ThreadId{100}, PostId{}, 10);
    REQUIRE(page);
    REQUIRE(page->size() == 2);
    CHECK((*page)[0].reactions == std::vector<ReactionCount>{{"+1", 1}, {"heart", 2}});
    CHECK((*page)[1].reactions == std::vector<ReactionCount>{{"laugh", 1}});
  }
  {
    auto tx = begin(*s);
    auto removed = tx->remove_reaction(PostId{1000}, MemberId{2}, "+1");
    REQUIRE(removed);
    CHECK(*removed);
    auto absent = tx->remove_reaction(PostId{1000}, MemberId{2}, "+1");
    REQUIRE(absent);
    CHECK_FALSE(*absent);
    REQUIRE(tx->remove_reaction(PostId{1000}, MemberId{1}, "heart"));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto p = tx->get_post(PostId{1000});
  REQUIRE(p);
  CHECK(p->reactions == std::vector<ReactionCount>{{"heart", 1}});
}

// --- event log --------------------------------------------------------------------------

TEST_CASE("the event log numbers events 1, 2, 3... with no gap after a rollback",
          "[conformance][events]") {
  auto s = fresh_storage();
  auto make = [](std::string payload) {
    return Event{0, EventType::thread_created, SpaceId{10}, MemberId{1}, 77, std::move(payload)};
  };
  {
    auto tx = begin(*s);
    auto e0 = tx->last_event_seq();
    REQUIRE(e0);
    CHECK(*e0 == 0);
    auto a = tx->append_event(make("{\"n\":1}"));
    REQUIRE(a);
    CHECK(*a == 1);
    auto b = tx->append_event(make("{\"n\":2}"));
    REQUIRE(b);
    CHECK(*b == 2);
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    auto c = tx->append_event(make("{\"rolled\":\"back\"}"));
    REQUIRE(c);
    CHECK(*c == 3);
  }  // rolled back
  {
    auto tx = begin(*s);
    auto c = tx->append_event(make("{\"n\":3}"));
    REQUIRE(c);
    CHECK(*c == 3);
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto last = tx->last_event_seq();
  REQUIRE(last);
  CHECK(*last == 3);
  auto all = tx->read_events(0, 100);
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK((*all)[i].seq == i + 1);
    CHECK((*all)[i].type == EventType::thread_created);
    CHECK((*all)[i].space == SpaceId{10});
    CHECK((*all)[i].actor == MemberId{1});
    CHECK((*all)[i].at == 77);
    CHECK((*all)[i].payload == "{\"n\":" + std::to_string(i + 1) + "}");
  }
  auto tail = tx->read_events(1, 1);
  REQUIRE(tail);
  REQUIRE(tail->size() == 1);
  CHECK((*tail)[0].seq == 2);
  auto none = tx->read_events(3, 10);
  REQUIRE(none);
  CHECK(none->empty());
}

// --- transactions -----------------------------------------------------------------------

TEST_CASE("a transaction destroyed without commit leaves nothing behind",
          "[conformance][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_member(member(7, "ghost", "ghost-ref")));
    REQUIRE(tx->insert_space(space(70)));
    REQUIRE(tx->insert_membership({SpaceId{10}, MemberId{7}, 1}));
    REQUIRE(tx->insert_thread(thread(700, 10, 7000)));
    REQUIRE(tx->insert_post(post(7000, 700, 10)));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "+1", 1));
    Member renamed = member(1, "renamed");
    REQUIRE(tx->update_member(renamed));
    REQUIRE(tx->append_event({0, EventType::member_created, {}, MemberId{7}, 1, "{}"}));
    // Its own writes are visible inside it.
    CHECK(tx->get_member(MemberId{7}));
    CHECK(tx->find_member_by_handle("renamed"));
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(code_of(tx->get_member(MemberId{7})) == errc::not_found);
  CHECK(code_of(tx->find_member_by_external_ref("ghost-ref")) == errc::not_found);
  CHECK(code_of(tx->get_space(SpaceId{70})) == errc::not_found);
  CHECK(code_of(tx->get_membership(SpaceId{10}, MemberId{7})) == errc::not_found);
  CHECK(code_of(tx->get_thread(ThreadId{700})) == errc::not_found);
  CHECK(code_of(tx->get_post(PostId{7000})) == errc::not_found);
  CHECK(code_of(tx->find_member_by_handle("renamed")) == errc::not_found);
  CHECK(tx->find_member_by_handle("member1"));
  auto p = tx->get_post(PostId{1000});
  REQUIRE(p);
  CHECK(p->reactions.empty());
  auto threads = tx->list_threads(SpaceId{10}, PostId{}, 10);
  REQUIRE(threads);
  CHECK(ids_of(*threads) == Ids{100});
  auto last = tx->last_event_seq();
  REQUIRE(last);
  CHECK(*last == 0);
}

TEST_CASE("a read transaction cannot write", "[conformance][atomicity]") {
  auto s = fresh_storage();
  {
    auto tx = begin(*s, TxMode::read);
    CHECK_FALSE(tx->insert_member(member(1, "alice")));
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(code_of(tx->get_member(MemberId{1})) == errc::not_found);
}

TEST_CASE("concurrent writers are serialised and lose nothing", "[conformance][concurrency]") {
  auto s = fresh_storage();
  constexpr int threads = 4;
  constexpr int per_thread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const auto id = static_cast<std::uint64_t>(t * 1000 + i + 1);
        auto tx = s->begin(TxMode::write);
        if (!tx || !(*tx)->insert_member(member(id, "m" + std::to_string(id))) ||
            !(*tx)->append_event({0, EventType::member_created, {}, MemberId{id}, 1, "{}"}) ||
            !(*tx)->commit())
          ++failures;
      }
    });
  }
  // Readers run beside the writers and always see a consistent log.
  std::thread reader([&] {
    for (int i = 0; i < 50; ++i) {
      auto tx = s->begin(TxMode::read);
      if (!tx) {
        ++failures;
        continue;
      }
      auto events = (*tx)->read_events(0, 10'000);
      if (!events) {
        ++failures;
        continue;
      }
      for (std::size_t k = 0; k < events->size(); ++k)
        if ((*events)[k].seq != k + 1) ++failures;
    }
  });
  for (auto& w : workers) w.join();
  reader.join();
  CHECK(failures == 0);
  auto tx = begin(*s, TxMode::read);
  auto events = tx->read_events(0, 10'000);
  REQUIRE(events);
  CHECK(events->size() == threads * per_thread);
  std::set<std::uint64_t> actors;
  for (const auto& e : *events) actors.insert(e.actor.value);
  CHECK(actors.size() == threads * per_thread);
}

TEST_CASE("committed state survives closing and reopening the storage",
          "[conformance][persistence]") {
  if (!g_factory.reopen) {
    WARN(g_factory.name + " does not persist: nothing to check across a reopen");
    return;
  }
  {
    auto s = fresh_storage();
    seed(*s);
    auto tx = begin(*s);
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "heart", 9));
    REQUIRE(tx->append_event({0, EventType::reaction_added, SpaceId{10}, MemberId{2}, 9, "{}"}));
    REQUIRE(tx->commit());
    tx.reset();
    auto uncommitted = begin(*s);
    REQUIRE(uncommitted->insert_member(member(8, "uncommitted")));
  }
  auto reopened = g_factory.reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened, TxMode::read);
  auto m = tx->get_member(MemberId{2});
  REQUIRE(m);
  require_same(*m, member(2, "member2"));
  CHECK(code_of(tx->get_member(MemberId{8})) == errc::not_found);
  auto p = tx->get_post(PostId{1000});
  REQUIRE(p);
  require_same(*p, post(1000, 100, 10));
  CHECK(p->reactions == std::vector<ReactionCount>{{"heart", 1}});
  auto threads = tx->list_threads(SpaceId{10}, PostId{}, 10);
  REQUIRE(threads);
  CHECK(ids_of(*threads) == Ids{100});
  auto events = tx->read_events(0, 10);
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].seq == 1);
}

// --- the engine over this storage -------------------------------------------------------

namespace {

// Fails one named method of every write transaction once armed.
class FaultyStorage final : public StorageWrapper {
 public:
  using StorageWrapper::StorageWrapper;
  std::string fail_method;

 protected:
  std::unique_ptr<Transaction> wrap(std::unique_ptr<Transaction> tx, TxMode mode) override {
    if (mode != TxMode::write) return tx;
    return std::make_unique<Faulty>(std::move(tx), fail_method);
  }

 private:
  class Faulty final : public TransactionWrapper {
   public:
    Faulty(std::unique_ptr<Transaction> tx, std::string method)
        : TransactionWrapper(std::move(tx)), method_(std::move(method)) {}

   protected:
    result<void> on_call(std::string_view method) override {
      if (method == method_) return errc::storage_error;
      return {};
    }

   private:
    std::string method_;
  };
};

std::unique_ptr<Engine> open_engine(std::shared_ptr<Storage> storage) {
  EngineOptions options;
  options.storage = std::move(storage);
  options.clock = std::make_shared<ManualClock>();
  auto engine = Engine::open(std::move(options));
  REQUIRE(engine);
  return std::move(*engine);
}

}  // namespace

TEST_CASE("the engine runs a small community on this storage", "[conformance][engine]") {
  auto engine = open_engine(fresh_storage());
  auto ada = engine->create_member("ada", "Ada", "game:1");
  auto bo = engine->create_member("bob", "Bo");
  REQUIRE(ada);
  REQUIRE(bo);
  auto guild = engine->create_space(ada->id, {{}, SpaceKind::guild, "Night Owls", "raids at 9"});
  REQUIRE(guild);
  auto joined = engine->join_space(bo->id, guild->id);
  REQUIRE(joined);
  CHECK(*joined);
  auto t = engine->create_thread(ada->id, guild->id, "Raid plan", "Meet at the gate.");
  REQUIRE(t);
  auto r1 = engine->reply(bo->id, t->first_post.id, "I'll bring potions.");
  REQUIRE(r1);
  auto r2 = engine->reply(ada->id, r1->id, "Thanks!");
  REQUIRE(r2);
  REQUIRE(engine->react(ada->id, r1->id, "thanks"));
  REQUIRE(engine->edit_post(bo->id, r1->id, "I'll bring potions and food."));
  REQUIRE(engine->delete_post(ada->id, r2->id));

  auto page = engine->get_thread_page(MemberId{}, t->thread.id, {"", 50});
  REQUIRE(page);
  REQUIRE(page->items.size() == 3);
  CHECK(page->items[1].body == "I'll bring potions and food.");
  CHECK(page->items[1].revision == 2);
  CHECK(page->items[1].reactions == std::vector<ReactionCount>{{"thanks", 1}});
  CHECK(page->items[2].deleted);
  CHECK(page->items[2].body.empty());
  CHECK(page->items[2].reply_to == r1->id);

  auto listing = engine->list_threads(MemberId{}, guild->id, {"", 25});
  REQUIRE(listing);
  REQUIRE(listing->items.size() == 1);
  CHECK(listing->items[0].reply_count == 2);
  CHECK(listing->items[0].last_post == r2->id);
  auto space_now = engine->get_space(MemberId{}, guild->id);
  REQUIRE(space_now);
  CHECK(space_now->member_count == 2);
  CHECK(space_now->thread_count == 1);
  auto by_ref = engine->find_member_by_external_ref("game:1");
  REQUIRE(by_ref);
  CHECK(by_ref->id == ada->id);
}

TEST_CASE("a failure midway through an engine call leaves nothing behind",
          "[conformance][engine][atomicity]") {
  auto faulty = std::make_shared<FaultyStorage>(fresh_storage());
  auto engine = open_engine(faulty);
  auto ada = engine->create_member("ada", "Ada");
  REQUIRE(ada);
  auto guild = engine->create_space(ada->id, {{}, SpaceKind::guild, "Guild", ""});
  REQUIRE(guild);
  auto seen = engine->read_events(0, 100);
  REQUIRE(seen);
  const auto events_before = seen->size();

  const char* method = GENERATE("insert_post", "update_space", "append_event", "commit");
  faulty->fail_method = method;
  INFO("failing " << method);
  auto t = engine->create_thread(ada->id, guild->id, "Title", "Body");
  CHECK_FALSE(t);
  faulty->fail_method.clear();

  auto listing = engine->list_threads(MemberId{}, guild->id, {"", 25});
  REQUIRE(listing);
  CHECK(listing->items.empty());
  auto space_now = engine->get_space(MemberId{}, guild->id);
  REQUIRE(space_now);
  CHECK(space_now->thread_count == 0);
  auto after = engine->read_events(0, 100);
  REQUIRE(after);
  CHECK(after->size() == events_before);
  // And the engine still works.
  CHECK(engine->create_thread(ada->id, guild->id, "Title", "Body"));
}

TEST_CASE("a late subscriber resuming from 0 sees every event once, in order",
          "[conformance][engine][events]") {
  auto engine = open_engine(fresh_storage());
  auto ada = engine->create_member("ada", "Ada");
  REQUIRE(ada);
  auto guild = engine->create_space(ada->id, {{}, SpaceKind::guild, "Guild", ""});
  REQUIRE(guild);
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 40; ++i) {
        auto m = engine->create_member("w" + std::to_string(w) + "m" + std::to_string(i), "M");
        if (!m || !engine->join_space(m->id, guild->id)) ++failures;
      }
    });
  }
  std::mutex mutex;
  std::vector<std::uint64_t> seqs;
  auto sub = engine->subscribe(0, [&](const Event& e) {
    std::lock_guard lock(mutex);
    seqs.push_back(e.seq);
  });
  REQUIRE(sub);
  for (auto& w : writers) w.join();
  CHECK(failures == 0);
  std::uint64_t last = 0;
  for (;;) {
    auto batch = engine->read_events(last, 100);
    REQUIRE(batch);
    if (batch->empty()) break;
    last = batch->back().seq;
  }
  // ada, the space and its owner joining; then each new member and their join.
  CHECK(last == 3 + 3 * 40 * 2);
  std::lock_guard lock(mutex);
  REQUIRE(seqs.size() == last);
  for (std::size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i] == i + 1);
  engine->unsubscribe(*sub);
}

int run(StorageFactory factory, int argc, char** argv) {
  g_factory = std::move(factory);
  if (!g_factory.create) return 2;
  Catch::Session session;
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  return session.run();
}

}  // namespace hearth::conformance
