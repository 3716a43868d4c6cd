// The storage conformance kit: every TEST_CASE here runs against the factory given to run().
#define CATCH_CONFIG_RUNNER
#include "hearth/conformance/kit.hpp"

#include <catch2/catch.hpp>
#include "kit_internal.hpp"
#include "result_string.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "hearth/engine.hpp"
#include "hearth/storage/wrapper.hpp"

namespace hearth::conformance {

using detail::begin;
using detail::code_of;
using detail::persists;

namespace {

StorageFactory g_factory;

std::shared_ptr<Storage> fresh_storage() {
  auto s = g_factory.create();
  REQUIRE(s.has_value());
  REQUIRE(*s != nullptr);
  return *s;
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
  CHECK(a.erased_at == b.erased_at);
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
  CHECK(a.join_policy == b.join_policy);
  CHECK(a.member_cap == b.member_cap);
  CHECK(a.tags == b.tags);
  CHECK(a.reaction_kinds == b.reaction_kinds);
  CHECK(a.no_self_reaction == b.no_self_reaction);
}

Role role(std::uint64_t id, std::uint64_t space_id, Rank rank = 300) {
  Role r;
  r.id = RoleId{id};
  r.space = SpaceId{space_id};
  r.name = "role " + std::to_string(id) + " \xE2\x9A\x94";
  r.permissions = Permissions{Permission::reply, Permission::pin, Permission::approve_joins};
  r.rank = rank;
  r.created_at = 1'700'000'000'000 + static_cast<Timestamp>(id);
  return r;
}

RoleAssignment assignment(std::uint64_t space_id, std::uint64_t member_id, std::uint64_t role_id,
                          std::uint64_t granted_by = 1) {
  return {SpaceId{space_id}, MemberId{member_id}, RoleId{role_id}, MemberId{granted_by},
          static_cast<Timestamp>(1'700'000'000'000 + space_id * 100 + member_id * 10 + role_id)};
}

Ban ban(std::uint64_t space_id, std::uint64_t member_id, std::string reason = "spam") {
  Ban b;
  b.space = SpaceId{space_id};
  b.member = MemberId{member_id};
  b.issuer = MemberId{1};
  b.reason = std::move(reason);
  b.created_at = 1'700'000'000'000 + static_cast<Timestamp>(member_id);
  b.expires_at = 1'700'086'400'000;
  return b;
}

Invite invite(std::string code, std::uint64_t space_id) {
  Invite i;
  i.code = std::move(code);
  i.space = SpaceId{space_id};
  i.creator = MemberId{2};
  i.created_at = 1'700'000'000'000;
  i.expires_at = 1'700'604'800'000;
  i.max_uses = 25;
  i.uses = 3;
  return i;
}

JoinRequest join_request(std::uint64_t space_id, std::uint64_t member_id,
                         std::string message = "let me in \xF0\x9F\x99\x8F \"please\"") {
  return {SpaceId{space_id}, MemberId{member_id}, std::move(message),
          1'700'000'000'000 + static_cast<Timestamp>(member_id)};
}

void require_same(const Role& a, const Role& b) {
  CHECK(a.id == b.id);
  CHECK(a.space == b.space);
  CHECK(a.name == b.name);
  CHECK(a.permissions.bits() == b.permissions.bits());
  CHECK(a.rank == b.rank);
  CHECK(a.created_at == b.created_at);
}

void require_same(const RoleAssignment& a, const RoleAssignment& b) {
  CHECK(a.space == b.space);
  CHECK(a.member == b.member);
  CHECK(a.role == b.role);
  CHECK(a.granted_by == b.granted_by);
  CHECK(a.granted_at == b.granted_at);
}

void require_same(const RoleOverride& a, const RoleOverride& b) {
  CHECK(a.role == b.role);
  CHECK(a.allow.bits() == b.allow.bits());
  CHECK(a.deny.bits() == b.deny.bits());
}

void require_same(const Ban& a, const Ban& b) {
  CHECK(a.space == b.space);
  CHECK(a.member == b.member);
  CHECK(a.issuer == b.issuer);
  CHECK(a.reason == b.reason);
  CHECK(a.created_at == b.created_at);
  CHECK(a.expires_at == b.expires_at);
}

void require_same(const Invite& a, const Invite& b) {
  CHECK(a.code == b.code);
  CHECK(a.space == b.space);
  CHECK(a.creator == b.creator);
  CHECK(a.created_at == b.created_at);
  CHECK(a.expires_at == b.expires_at);
  CHECK(a.max_uses == b.max_uses);
  CHECK(a.uses == b.uses);
  CHECK(a.revoked == b.revoked);
}

void require_same(const JoinRequest& a, const JoinRequest& b) {
  CHECK(a.space == b.space);
  CHECK(a.member == b.member);
  CHECK(a.message == b.message);
  CHECK(a.created_at == b.created_at);
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
  CHECK(a.kind == b.kind);
  CHECK(a.pinned == b.pinned);
  CHECK(a.locked == b.locked);
  CHECK(a.archived == b.archived);
  CHECK(a.accepted_answer == b.accepted_answer);
  CHECK(a.answered_by_peer == b.answered_by_peer);
  CHECK(a.participant_count == b.participant_count);
  CHECK(a.reaction_count == b.reaction_count);
  CHECK(a.tags == b.tags);
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
  CHECK(a.removed == b.removed);
  CHECK(a.removal_reason == b.removal_reason);
  CHECK(a.removed_by == b.removed_by);
}

// Each element of `got` is the same as the one at its position in `want`.
template <class T>
void require_same(const std::vector<T>& got, const std::vector<T>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    require_same(got[i], want[i]);
  }
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
using Codes = std::vector<std::string>;

Ids role_ids_of(const auto& items) {
  Ids out;
  for (const auto& i : items) out.push_back(i.role.value);
  return out;
}

Ids member_ids_of(const auto& items) {
  Ids out;
  for (const auto& i : items) out.push_back(i.member.value);
  return out;
}

Codes codes_of(const std::vector<Invite>& items) {
  Codes out;
  for (const auto& i : items) out.push_back(i.code);
  return out;
}

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
  changed.erased_at = 1'700'000'000'123;
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

TEST_CASE("update_space moves a space to another parent, or to the roots",
          "[conformance][spaces]") {
  auto s = fresh_storage();
  seed(*s);
  const auto children = [&](std::uint64_t parent) {
    auto tx = begin(*s, TxMode::read);
    auto got = tx->list_child_spaces(SpaceId{parent}, SpaceId{}, 10);
    REQUIRE(got);
    return ids_of(*got);
  };
  using Ids = std::vector<std::uint64_t>;
  const auto move = [&](std::uint64_t id, std::uint64_t parent) {
    Space moved = space(id, parent);
    moved.name = "moved " + std::to_string(parent);  // the other fields change with it
    {
      auto tx = begin(*s);
      REQUIRE(tx->update_space(moved));
      REQUIRE(tx->commit());
    }
    auto read = begin(*s, TxMode::read);
    auto got = read->get_space(SpaceId{id});
    REQUIRE(got);
    require_same(*got, moved);
  };
  move(12, 0);  // to the roots
  CHECK(children(10) == Ids{11});
  CHECK(children(0) == (Ids{10, 12}));
  move(12, 11);  // under a child
  CHECK(children(0) == Ids{10});
  CHECK(children(11) == Ids{12});
  move(12, 11);  // the same parent: nothing moves, the rest is written
  CHECK(children(11) == Ids{12});
  move(11, 0);
  CHECK(children(10).empty());
  CHECK(children(0) == (Ids{10, 11}));
  CHECK(children(11) == Ids{12});
}

TEST_CASE("memberships are unique per space and member and list in member order",
          "[conformance][spaces]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_membership({SpaceId{10}, MemberId{3}, 5}));
    REQUIRE(tx->insert_membership({SpaceId{10}, MemberId{1}, 6, PostId{1u << 30}}));
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
    CHECK(m->read_from == PostId{1u << 30});
    auto plain = tx->get_membership(SpaceId{11}, MemberId{2});
    REQUIRE(plain);
    CHECK(plain->read_from == PostId{});
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

TEST_CASE("spaces round-trip their join policy and member cap", "[conformance][spaces]") {
  auto s = fresh_storage();
  seed(*s);
  Space by_invite = space(20);
  by_invite.join_policy = JoinPolicy::invite;
  by_invite.member_cap = 500;
  Space by_request = space(21, 20);
  by_request.join_policy = JoinPolicy::request;
  by_request.member_cap = UINT32_MAX;
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_space(by_invite));
    REQUIRE(tx->insert_space(by_request));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto got = tx->get_space(SpaceId{20});
    REQUIRE(got);
    CHECK(got->join_policy == JoinPolicy::invite);
    CHECK(got->member_cap == 500);
    require_same(*got, by_invite);
    auto children = tx->list_child_spaces(SpaceId{20}, SpaceId{}, 10);
    REQUIRE(children);
    REQUIRE(children->size() == 1);
    CHECK((*children)[0].join_policy == JoinPolicy::request);
    CHECK((*children)[0].member_cap == UINT32_MAX);
    require_same((*children)[0], by_request);
    auto plain = tx->get_space(SpaceId{10});
    REQUIRE(plain);
    CHECK(plain->join_policy == JoinPolicy::open);
    CHECK(plain->member_cap == 0);
  }
  Space changed = by_invite;
  changed.join_policy = JoinPolicy::request;
  changed.member_cap = 0;
  Space opened = by_request;
  opened.join_policy = JoinPolicy::open;
  opened.member_cap = 12;
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_space(changed));
    REQUIRE(tx->update_space(opened));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto got = tx->get_space(SpaceId{20});
  REQUIRE(got);
  CHECK(got->join_policy == JoinPolicy::request);
  CHECK(got->member_cap == 0);
  auto child = tx->get_space(SpaceId{21});
  REQUIRE(child);
  CHECK(child->join_policy == JoinPolicy::open);
  CHECK(child->member_cap == 12);
}

TEST_CASE("spaces round-trip their tags byte for byte, and update_space replaces them",
          "[conformance][spaces]") {
  auto s = fresh_storage();
  seed(*s);  // spaces 10, 11, 12: no tags
  Space guild = space(20);
  guild.tags = {"pvp", "raid", "raids"};
  Space odd = space(21, 20);
  odd.tags = {"a,b",         "a\\,b",    "back\\slash",     "caf\xC3\xA9",
              "line\nbreak", "quote'\"", "\xF0\x9F\x94\xA5"};
  const Space untagged = space(22, 20);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_space(guild));
    REQUIRE(tx->insert_space(odd));
    REQUIRE(tx->insert_space(untagged));
    auto inside = tx->get_space(SpaceId{21});  // its own write, before commit
    REQUIRE(inside);
    require_same(*inside, odd);
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto got = tx->get_space(SpaceId{20});
    REQUIRE(got);
    require_same(*got, guild);
    auto children = tx->list_child_spaces(SpaceId{20}, SpaceId{}, 10);
    REQUIRE(children);
    require_same(*children, {odd, untagged});
    CHECK((*children)[1].tags.empty());
    auto plain = tx->get_space(SpaceId{10});
    REQUIRE(plain);
    CHECK(plain->tags.empty());
  }
  Space cleared = guild;
  cleared.tags.clear();
  Space other = odd;
  other.tags = {"\n", "raid"};
  Space now_tagged = untagged;
  now_tagged.tags = {"solo"};
  {
    auto tx = begin(*s);  // destroyed without commit
    REQUIRE(tx->update_space(cleared));
    REQUIRE(tx->update_space(other));
    auto inside = tx->get_space(SpaceId{20});
    REQUIRE(inside);
    CHECK(inside->tags.empty());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto children = tx->list_child_spaces(SpaceId{20}, SpaceId{}, 10);
    REQUIRE(children);
    require_same(*children, {odd, untagged});
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_space(cleared));
    REQUIRE(tx->update_space(other));
    REQUIRE(tx->update_space(now_tagged));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto roots = tx->list_child_spaces(SpaceId{}, SpaceId{}, 10);
  REQUIRE(roots);
  require_same(*roots, {space(10), cleared});
  auto children = tx->list_child_spaces(SpaceId{20}, SpaceId{21}, 10);
  REQUIRE(children);
  require_same(*children, {now_tagged});
  auto got = tx->get_space(SpaceId{21});
  REQUIRE(got);
  require_same(*got, other);
}

TEST_CASE("spaces round-trip their reaction rules, and update_space replaces them",
          "[conformance][spaces]") {
  auto s = fresh_storage();
  seed(*s);
  Space guild = space(20);
  guild.reaction_kinds = {"gg", "+1", "a,b\\c"};  // stored as given, order and bytes kept
  guild.no_self_reaction = {"+1"};
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_space(guild));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto got = tx->get_space(SpaceId{20});
    REQUIRE(got);
    require_same(*got, guild);
    auto plain = tx->get_space(SpaceId{10});
    REQUIRE(plain);
    CHECK(plain->reaction_kinds.empty());
    CHECK(plain->no_self_reaction.empty());
  }
  Space inherit = guild;
  inherit.reaction_kinds.clear();
  inherit.no_self_reaction.clear();
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_space(inherit));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto got = tx->get_space(SpaceId{20});
  REQUIRE(got);
  require_same(*got, inherit);
}

// --- roles ------------------------------------------------------------------------------

TEST_CASE("roles round-trip and list per space in id order", "[conformance][roles]") {
  auto s = fresh_storage();
  seed(*s);
  Role all = role(25, 11, builtin::admin_rank);
  all.permissions = Permissions::all();
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_role(role(30, 10)));
    REQUIRE(tx->insert_role(role(20, 10, 100)));
    REQUIRE(tx->insert_role(all));
    REQUIRE(tx->insert_role(role(22, 10, builtin::owner_rank)));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->insert_role(role(20, 12))) == errc::already_exists);
  }
  auto tx = begin(*s, TxMode::read);
  auto got = tx->get_role(RoleId{20});
  REQUIRE(got);
  require_same(*got, role(20, 10, 100));
  auto got_all = tx->get_role(RoleId{25});
  REQUIRE(got_all);
  require_same(*got_all, all);
  auto highest = tx->get_role(RoleId{22});
  REQUIRE(highest);
  CHECK(highest->rank == builtin::owner_rank);
  CHECK(code_of(tx->get_role(RoleId{99})) == errc::not_found);

  auto in_10 = tx->list_roles(SpaceId{10});
  REQUIRE(in_10);
  CHECK(ids_of(*in_10) == Ids{20, 22, 30});
  require_same(*in_10, {role(20, 10, 100), role(22, 10, builtin::owner_rank), role(30, 10)});
  auto in_11 = tx->list_roles(SpaceId{11});
  REQUIRE(in_11);
  CHECK(ids_of(*in_11) == Ids{25});
  auto in_12 = tx->list_roles(SpaceId{12});
  REQUIRE(in_12);
  CHECK(in_12->empty());
}

TEST_CASE("update_role changes name, permissions and rank only", "[conformance][roles]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_role(role(20, 10)));
    REQUIRE(tx->insert_role(role(21, 10)));
    REQUIRE(tx->commit());
  }
  Role changed = role(20, 10);
  changed.name = "Raid leads";
  changed.permissions = Permissions{Permission::lock};
  changed.rank = 450;
  changed.space = SpaceId{11};  // not stored
  changed.created_at = 7;       // not stored
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_role(changed));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto got = tx->get_role(RoleId{20});
    REQUIRE(got);
    CHECK(got->name == "Raid leads");
    CHECK(got->permissions.bits() == Permissions{Permission::lock}.bits());
    CHECK(got->rank == 450);
    CHECK(got->space == SpaceId{10});
    CHECK(got->created_at == role(20, 10).created_at);
    auto other = tx->get_role(RoleId{21});
    REQUIRE(other);
    require_same(*other, role(21, 10));
    auto in_10 = tx->list_roles(SpaceId{10});
    REQUIRE(in_10);
    CHECK(ids_of(*in_10) == Ids{20, 21});
    auto in_11 = tx->list_roles(SpaceId{11});
    REQUIRE(in_11);
    CHECK(in_11->empty());
  }
  auto tx = begin(*s);
  CHECK(code_of(tx->update_role(role(99, 10))) == errc::not_found);
}

TEST_CASE("role assignments are unique per space, member and role and list in role order",
          "[conformance][roles]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    for (std::uint64_t id : {20u, 21u, 22u}) REQUIRE(tx->insert_role(role(id, 10)));
    REQUIRE(tx->insert_role_assignment(assignment(10, 1, 22)));
    REQUIRE(tx->insert_role_assignment(assignment(10, 1, 20)));
    REQUIRE(tx->insert_role_assignment(assignment(10, 1, 21, 2)));
    // A built-in role is assigned like a custom one, though it is not stored.
    REQUIRE(tx->insert_role_assignment(assignment(10, 1, builtin::moderator_role.value)));
    REQUIRE(tx->insert_role_assignment(assignment(10, 2, 20)));
    REQUIRE(tx->insert_role_assignment(assignment(11, 1, 21)));
    REQUIRE(tx->insert_role_assignment(assignment(11, 3, 22, 0)));  // granted by no member
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->insert_role_assignment(assignment(10, 1, 20, 3))) == errc::already_exists);
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto held = tx->list_role_assignments(SpaceId{10}, MemberId{1});
    REQUIRE(held);
    CHECK(role_ids_of(*held) == Ids{3, 20, 21, 22});
    require_same(*held, {assignment(10, 1, 3), assignment(10, 1, 20), assignment(10, 1, 21, 2),
                         assignment(10, 1, 22)});
    auto other_member = tx->list_role_assignments(SpaceId{10}, MemberId{2});
    REQUIRE(other_member);
    require_same(*other_member, {assignment(10, 2, 20)});
    auto other_space = tx->list_role_assignments(SpaceId{11}, MemberId{1});
    REQUIRE(other_space);
    require_same(*other_space, {assignment(11, 1, 21)});
    auto by_nobody = tx->list_role_assignments(SpaceId{11}, MemberId{3});
    REQUIRE(by_nobody);
    REQUIRE(by_nobody->size() == 1);
    CHECK((*by_nobody)[0].granted_by == MemberId{});
    auto none = tx->list_role_assignments(SpaceId{12}, MemberId{1});
    REQUIRE(none);
    CHECK(none->empty());
    auto no_roles = tx->list_role_assignments(SpaceId{10}, MemberId{3});
    REQUIRE(no_roles);
    CHECK(no_roles->empty());
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->delete_role_assignment(SpaceId{10}, MemberId{1}, RoleId{21}));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto held = tx->list_role_assignments(SpaceId{10}, MemberId{1});
  REQUIRE(held);
  CHECK(role_ids_of(*held) == Ids{3, 20, 22});
  auto elsewhere = tx->list_role_assignments(SpaceId{11}, MemberId{1});
  REQUIRE(elsewhere);
  CHECK(role_ids_of(*elsewhere) == Ids{21});
  CHECK(code_of(tx->delete_role_assignment(SpaceId{10}, MemberId{1}, RoleId{21})) ==
        errc::not_found);
  tx.reset();  // the failed write spoilt it
  auto tx2 = begin(*s);
  CHECK(code_of(tx2->delete_role_assignment(SpaceId{10}, MemberId{3}, RoleId{20})) ==
        errc::not_found);
}

TEST_CASE("overrides are one per space and role, replaced by put_override",
          "[conformance][roles]") {
  auto s = fresh_storage();
  seed(*s);
  const RoleOverride pin_not_react{RoleId{21}, Permissions{Permission::pin},
                                   Permissions{Permission::react}};
  const RoleOverride quiet_everyone{builtin::everyone_role, Permissions{},
                                    Permissions{Permission::post_threads, Permission::reply}};
  const RoleOverride all_or_nothing{RoleId{20}, Permissions::all(), Permissions::all()};
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_role(role(20, 10)));
    REQUIRE(tx->insert_role(role(21, 10)));
    REQUIRE(tx->put_override(SpaceId{10}, pin_not_react));
    REQUIRE(tx->put_override(SpaceId{10}, quiet_everyone));
    REQUIRE(tx->put_override(SpaceId{10}, all_or_nothing));
    REQUIRE(tx->put_override(SpaceId{11}, pin_not_react));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto in_10 = tx->list_overrides(SpaceId{10});
    REQUIRE(in_10);
    CHECK(role_ids_of(*in_10) == Ids{1, 20, 21});
    require_same(*in_10, {quiet_everyone, all_or_nothing, pin_not_react});
    auto in_11 = tx->list_overrides(SpaceId{11});
    REQUIRE(in_11);
    require_same(*in_11, {pin_not_react});
    auto in_12 = tx->list_overrides(SpaceId{12});
    REQUIRE(in_12);
    CHECK(in_12->empty());
  }
  const RoleOverride lock_only{RoleId{21}, Permissions{Permission::lock}, Permissions{}};
  {
    auto tx = begin(*s);
    REQUIRE(tx->put_override(SpaceId{10}, lock_only));
    REQUIRE(tx->delete_override(SpaceId{10}, RoleId{20}));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto in_10 = tx->list_overrides(SpaceId{10});
  REQUIRE(in_10);
  require_same(*in_10, {quiet_everyone, lock_only});
  auto in_11 = tx->list_overrides(SpaceId{11});
  REQUIRE(in_11);
  require_same(*in_11, {pin_not_react});
  CHECK(code_of(tx->delete_override(SpaceId{10}, RoleId{20})) == errc::not_found);
  tx.reset();  // the failed write spoilt it
  auto tx2 = begin(*s);
  CHECK(code_of(tx2->delete_override(SpaceId{12}, RoleId{21})) == errc::not_found);
}

TEST_CASE("deleting a role deletes its assignments and overrides everywhere, and no others",
          "[conformance][roles]") {
  auto s = fresh_storage();
  seed(*s);
  const RoleOverride o20{RoleId{20}, Permissions{Permission::pin}, Permissions{}};
  const RoleOverride o21{RoleId{21}, Permissions{}, Permissions{Permission::react}};
  const RoleOverride o_everyone{builtin::everyone_role, Permissions{}, Permissions{}};
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_role(role(20, 10)));
    REQUIRE(tx->insert_role(role(21, 10)));
    REQUIRE(tx->insert_role(role(23, 11)));
    REQUIRE(tx->insert_role_assignment(assignment(10, 1, 20)));
    REQUIRE(tx->insert_role_assignment(assignment(10, 1, 21)));
    REQUIRE(tx->insert_role_assignment(assignment(10, 1, builtin::admin_role.value)));
    REQUIRE(tx->insert_role_assignment(assignment(10, 2, 20)));
    REQUIRE(tx->insert_role_assignment(assignment(11, 1, 20)));  // used below its space
    REQUIRE(tx->insert_role_assignment(assignment(11, 3, 23)));
    REQUIRE(tx->put_override(SpaceId{10}, o20));
    REQUIRE(tx->put_override(SpaceId{10}, o21));
    REQUIRE(tx->put_override(SpaceId{11}, o20));
    REQUIRE(tx->put_override(SpaceId{12}, o20));
    REQUIRE(tx->put_override(SpaceId{12}, o_everyone));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->delete_role(RoleId{20}));
    // Inside the transaction, the cascade is already visible.
    CHECK(code_of(tx->get_role(RoleId{20})) == errc::not_found);
    auto held = tx->list_role_assignments(SpaceId{11}, MemberId{1});
    REQUIRE(held);
    CHECK(held->empty());
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  CHECK(code_of(tx->get_role(RoleId{20})) == errc::not_found);
  auto roles = tx->list_roles(SpaceId{10});
  REQUIRE(roles);
  CHECK(ids_of(*roles) == Ids{21});
  auto other_space_roles = tx->list_roles(SpaceId{11});
  REQUIRE(other_space_roles);
  CHECK(ids_of(*other_space_roles) == Ids{23});

  auto a1 = tx->list_role_assignments(SpaceId{10}, MemberId{1});
  REQUIRE(a1);
  require_same(*a1, {assignment(10, 1, builtin::admin_role.value), assignment(10, 1, 21)});
  auto a2 = tx->list_role_assignments(SpaceId{10}, MemberId{2});
  REQUIRE(a2);
  CHECK(a2->empty());
  auto a3 = tx->list_role_assignments(SpaceId{11}, MemberId{1});
  REQUIRE(a3);
  CHECK(a3->empty());
  auto a4 = tx->list_role_assignments(SpaceId{11}, MemberId{3});
  REQUIRE(a4);
  require_same(*a4, {assignment(11, 3, 23)});

  auto o10 = tx->list_overrides(SpaceId{10});
  REQUIRE(o10);
  require_same(*o10, {o21});
  auto o11 = tx->list_overrides(SpaceId{11});
  REQUIRE(o11);
  CHECK(o11->empty());
  auto o12 = tx->list_overrides(SpaceId{12});
  REQUIRE(o12);
  require_same(*o12, {o_everyone});

  CHECK(code_of(tx->delete_role(RoleId{20})) == errc::not_found);
  tx.reset();  // the failed write spoilt it
  auto tx2 = begin(*s);
  CHECK(code_of(tx2->delete_role(RoleId{99})) == errc::not_found);
}

// --- bans, invites, join requests -------------------------------------------------------

TEST_CASE("bans are one per space and member, replaced by put_ban, and page in member order",
          "[conformance][bans]") {
  auto s = fresh_storage();
  seed(*s);
  Ban by_nobody = ban(10, 2, "automatic");
  by_nobody.issuer = MemberId{};
  by_nobody.expires_at = 0;
  {
    auto tx = begin(*s);
    REQUIRE(tx->put_ban(ban(10, 3)));
    REQUIRE(tx->put_ban(ban(10, 1)));
    REQUIRE(tx->put_ban(by_nobody));
    REQUIRE(tx->put_ban(ban(11, 1, "elsewhere")));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto got = tx->get_ban(SpaceId{10}, MemberId{1});
    REQUIRE(got);
    require_same(*got, ban(10, 1));
    auto unissued = tx->get_ban(SpaceId{10}, MemberId{2});
    REQUIRE(unissued);
    require_same(*unissued, by_nobody);
    CHECK(code_of(tx->get_ban(SpaceId{12}, MemberId{1})) == errc::not_found);
    CHECK(code_of(tx->get_ban(SpaceId{11}, MemberId{2})) == errc::not_found);

    auto all = tx->list_bans(SpaceId{10}, MemberId{}, 10);
    REQUIRE(all);
    CHECK(member_ids_of(*all) == Ids{1, 2, 3});
    require_same(*all, {ban(10, 1), by_nobody, ban(10, 3)});
    auto first = tx->list_bans(SpaceId{10}, MemberId{}, 2);
    REQUIRE(first);
    CHECK(member_ids_of(*first) == Ids{1, 2});
    auto next = tx->list_bans(SpaceId{10}, MemberId{2}, 2);
    REQUIRE(next);
    CHECK(member_ids_of(*next) == Ids{3});
    auto end = tx->list_bans(SpaceId{10}, MemberId{3}, 2);
    REQUIRE(end);
    CHECK(end->empty());
    auto other = tx->list_bans(SpaceId{11}, MemberId{}, 10);
    REQUIRE(other);
    require_same(*other, {ban(11, 1, "elsewhere")});
  }
  Ban replaced = ban(10, 1, "reconsidered: 1 day \xE2\x86\x92 1 week");
  replaced.issuer = MemberId{2};
  replaced.created_at = 1'700'000'500'000;
  replaced.expires_at = 1'700'604'800'000;
  {
    auto tx = begin(*s);
    REQUIRE(tx->put_ban(replaced));
    REQUIRE(tx->delete_ban(SpaceId{10}, MemberId{3}));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto got = tx->get_ban(SpaceId{10}, MemberId{1});
  REQUIRE(got);
  require_same(*got, replaced);
  CHECK(code_of(tx->get_ban(SpaceId{10}, MemberId{3})) == errc::not_found);
  auto all = tx->list_bans(SpaceId{10}, MemberId{}, 10);
  REQUIRE(all);
  require_same(*all, {replaced, by_nobody});
  CHECK(code_of(tx->delete_ban(SpaceId{10}, MemberId{3})) == errc::not_found);
}

TEST_CASE("invites are found by their exact code and page by code, byte for byte",
          "[conformance][invites]") {
  auto s = fresh_storage();
  seed(*s);
  // In byte order: "AbC" < "a-b" < "abc" < "b" < "\xC3\xA9t\xC3\xA9" (bytes above 0x7F last).
  const Codes in_10 = {"AbC", "a-b", "abc", "b", "\xC3\xA9t\xC3\xA9"};
  Invite unlimited = invite("b", 10);
  unlimited.creator = MemberId{};
  unlimited.expires_at = 0;
  unlimited.max_uses = 0;
  unlimited.uses = 0;
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_invite(invite("abc", 10)));
    REQUIRE(tx->insert_invite(invite("\xC3\xA9t\xC3\xA9", 10)));
    REQUIRE(tx->insert_invite(invite("AbC", 10)));  // another code than "abc"
    REQUIRE(tx->insert_invite(unlimited));
    REQUIRE(tx->insert_invite(invite("a-b", 10)));
    REQUIRE(tx->insert_invite(invite("ABC-11", 11)));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->insert_invite(invite("abc", 12))) == errc::already_exists);
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto lower = tx->get_invite("abc");
    REQUIRE(lower);
    require_same(*lower, invite("abc", 10));
    auto mixed = tx->get_invite("AbC");
    REQUIRE(mixed);
    CHECK(mixed->code == "AbC");
    auto utf8 = tx->get_invite("\xC3\xA9t\xC3\xA9");
    REQUIRE(utf8);
    CHECK(utf8->code == "\xC3\xA9t\xC3\xA9");
    auto unlimited_read = tx->get_invite("b");
    REQUIRE(unlimited_read);
    require_same(*unlimited_read, unlimited);
    CHECK(code_of(tx->get_invite("ABC")) == errc::not_found);
    CHECK(code_of(tx->get_invite("abc ")) == errc::not_found);
    CHECK(code_of(tx->get_invite("ab")) == errc::not_found);
    CHECK(code_of(tx->get_invite("")) == errc::not_found);

    auto all = tx->list_invites(SpaceId{10}, "", 10);
    REQUIRE(all);
    CHECK(codes_of(*all) == in_10);
    auto first = tx->list_invites(SpaceId{10}, "", 2);
    REQUIRE(first);
    CHECK(codes_of(*first) == Codes{"AbC", "a-b"});
    auto next = tx->list_invites(SpaceId{10}, "a-b", 2);
    REQUIRE(next);
    CHECK(codes_of(*next) == Codes{"abc", "b"});
    require_same(*next, {invite("abc", 10), unlimited});
    auto last = tx->list_invites(SpaceId{10}, "b", 2);
    REQUIRE(last);
    CHECK(codes_of(*last) == Codes{"\xC3\xA9t\xC3\xA9"});
    auto between = tx->list_invites(SpaceId{10}, "a", 10);  // not a stored code
    REQUIRE(between);
    CHECK(codes_of(*between) == Codes{"a-b", "abc", "b", "\xC3\xA9t\xC3\xA9"});
    auto end = tx->list_invites(SpaceId{10}, "\xC3\xA9t\xC3\xA9", 10);
    REQUIRE(end);
    CHECK(end->empty());
    auto other = tx->list_invites(SpaceId{11}, "", 10);
    REQUIRE(other);
    require_same(*other, {invite("ABC-11", 11)});
    auto none = tx->list_invites(SpaceId{12}, "", 10);
    REQUIRE(none);
    CHECK(none->empty());
  }
}

TEST_CASE("update_invite changes uses, max_uses, expires_at and revoked only",
          "[conformance][invites]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_invite(invite("abc", 10)));
    REQUIRE(tx->insert_invite(invite("AbC", 10)));
    REQUIRE(tx->commit());
  }
  Invite changed = invite("abc", 10);
  changed.uses = 4;
  changed.max_uses = 0;
  changed.expires_at = 0;
  changed.revoked = true;
  changed.space = SpaceId{11};         // not stored
  changed.creator = MemberId{3};       // not stored
  changed.created_at = 1'600'000'000;  // not stored
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_invite(changed));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto got = tx->get_invite("abc");
    REQUIRE(got);
    CHECK(got->uses == 4);
    CHECK(got->max_uses == 0);
    CHECK(got->expires_at == 0);
    CHECK(got->revoked);
    CHECK(got->space == SpaceId{10});
    CHECK(got->creator == MemberId{2});
    CHECK(got->created_at == invite("abc", 10).created_at);
    auto other = tx->get_invite("AbC");  // the same letters in another case: untouched
    REQUIRE(other);
    require_same(*other, invite("AbC", 10));
    auto listed = tx->list_invites(SpaceId{10}, "", 10);
    REQUIRE(listed);
    CHECK(codes_of(*listed) == Codes{"AbC", "abc"});
    auto moved = tx->list_invites(SpaceId{11}, "", 10);
    REQUIRE(moved);
    CHECK(moved->empty());
  }
  auto tx = begin(*s);
  CHECK(code_of(tx->update_invite(invite("ABC", 10))) == errc::not_found);
}

TEST_CASE("join requests are one per space and member and page in member order",
          "[conformance][joins]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_join_request(join_request(10, 2, "")));
    REQUIRE(tx->insert_join_request(join_request(10, 3)));
    REQUIRE(tx->insert_join_request(join_request(10, 1)));
    REQUIRE(tx->insert_join_request(join_request(11, 1, "other space")));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->insert_join_request(join_request(10, 1, "again"))) == errc::already_exists);
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto got = tx->get_join_request(SpaceId{10}, MemberId{1});
    REQUIRE(got);
    require_same(*got, join_request(10, 1));
    auto empty_message = tx->get_join_request(SpaceId{10}, MemberId{2});
    REQUIRE(empty_message);
    CHECK(empty_message->message.empty());
    CHECK(code_of(tx->get_join_request(SpaceId{12}, MemberId{1})) == errc::not_found);
    CHECK(code_of(tx->get_join_request(SpaceId{11}, MemberId{2})) == errc::not_found);

    auto all = tx->list_join_requests(SpaceId{10}, MemberId{}, 10);
    REQUIRE(all);
    require_same(*all, {join_request(10, 1), join_request(10, 2, ""), join_request(10, 3)});
    auto first = tx->list_join_requests(SpaceId{10}, MemberId{}, 1);
    REQUIRE(first);
    CHECK(member_ids_of(*first) == Ids{1});
    auto next = tx->list_join_requests(SpaceId{10}, MemberId{1}, 1);
    REQUIRE(next);
    CHECK(member_ids_of(*next) == Ids{2});
    auto rest = tx->list_join_requests(SpaceId{10}, MemberId{2}, 10);
    REQUIRE(rest);
    CHECK(member_ids_of(*rest) == Ids{3});
    auto end = tx->list_join_requests(SpaceId{10}, MemberId{3}, 10);
    REQUIRE(end);
    CHECK(end->empty());
    auto other = tx->list_join_requests(SpaceId{11}, MemberId{}, 10);
    REQUIRE(other);
    require_same(*other, {join_request(11, 1, "other space")});
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->delete_join_request(SpaceId{10}, MemberId{1}));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  CHECK(code_of(tx->get_join_request(SpaceId{10}, MemberId{1})) == errc::not_found);
  auto all = tx->list_join_requests(SpaceId{10}, MemberId{}, 10);
  REQUIRE(all);
  CHECK(member_ids_of(*all) == Ids{2, 3});
  auto other = tx->get_join_request(SpaceId{11}, MemberId{1});
  REQUIRE(other);
  CHECK(other->message == "other space");
  CHECK(code_of(tx->delete_join_request(SpaceId{10}, MemberId{1})) == errc::not_found);
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

  auto all = tx->list_threads(SpaceId{10}, ThreadListing{}, ThreadPosition{}, 10);
  REQUIRE(all);
  CHECK(ids_of(*all) == Ids{101, 105, 104, 102, 100});
  auto before = tx->list_threads(SpaceId{10}, ThreadListing{}, {false, PostId{1040}}, 2);
  REQUIRE(before);
  CHECK(ids_of(*before) == Ids{102, 100});
  auto other = tx->list_threads(SpaceId{11}, ThreadListing{}, ThreadPosition{}, 10);
  REQUIRE(other);
  CHECK(ids_of(*other) == Ids{106});
  require_same((*other)[0], thread(106, 11, 1060));
}

namespace {

// A thread whose every field differs from the defaults of Thread.
Thread full_thread(std::uint64_t id, std::uint64_t space_id, std::uint64_t first_post) {
  Thread t = thread(id, space_id, first_post);
  t.author = MemberId{2};
  t.last_post = PostId{first_post + 5};
  t.last_activity_at = 1'700'000'000'900;
  t.reply_count = 5;
  t.kind = ThreadKind::question;
  t.pinned = true;
  t.locked = true;
  t.archived = true;
  t.accepted_answer = PostId{first_post + 3};
  t.answered_by_peer = true;
  t.participant_count = 4;
  t.reaction_count = 17;
  t.tags = {"a,b", "caf\xC3\xA9", "line\nbreak", "raid"};
  return t;
}

// Thread `id` of `space_id` whose newest post is `last_post`.
Thread listed(std::uint64_t id, std::uint64_t space_id, std::uint64_t last_post,
              bool pinned = false, ThreadKind kind = ThreadKind::discussion,
              std::uint64_t accepted_answer = 0) {
  Thread t = thread(id, space_id, id * 10);
  t.last_post = PostId{last_post};
  t.pinned = pinned;
  t.kind = kind;
  t.accepted_answer = PostId{accepted_answer};
  return t;
}

// One run of a listing: the pinned threads, or the others.
struct Run {
  bool pinned = false;
  bool unanswered_only = false;
  std::string tag;
};

// The threads of one run, from `before` (no id: its start): a listing from the run's start
// position, cut where the next run begins (a listing from a pinned position goes on into the
// unpinned threads, which "pinned threads, then the others" checks).
result<std::vector<Thread>> list_run(Transaction& tx, SpaceId space, const Run& run, PostId before,
                                     std::uint32_t limit) {
  auto threads =
      tx.list_threads(space, {run.unanswered_only, run.tag}, {run.pinned, before}, limit);
  if (!threads) return threads;
  auto other = std::find_if(threads->begin(), threads->end(),
                            [&](const Thread& t) { return t.pinned != run.pinned; });
  for (auto it = other; it != threads->end(); ++it) CHECK(!it->pinned);  // pinned ones first
  threads->erase(other, threads->end());
  return threads;
}

Ids thread_ids(Transaction& tx, std::uint64_t space_id, const Run& q, std::uint64_t before = 0,
               std::uint32_t limit = 100) {
  auto threads = list_run(tx, SpaceId{space_id}, q, PostId{before}, limit);
  REQUIRE(threads);
  return ids_of(*threads);
}

const Run unpinned{};
const Run pinned{.pinned = true};
const Run unanswered{.unanswered_only = true};
const Run pinned_unanswered{.pinned = true, .unanswered_only = true};

// The listing of the threads carrying `tag`.
Run tagged(std::string tag, bool pinned_ones = false, bool unanswered_only = false) {
  return {.pinned = pinned_ones, .unanswered_only = unanswered_only, .tag = std::move(tag)};
}

// listed(), carrying `tags`.
Thread with_tags(Thread t, std::vector<std::string> tags) {
  t.tags = std::move(tags);
  return t;
}

}  // namespace

TEST_CASE("find_spaces filters, orders by activity or members, and pages by position",
          "[conformance][spaces][discovery]") {
  auto s = fresh_storage();
  auto make = [](std::uint64_t id, std::uint64_t parent, SpaceKind kind, std::string name,
                 std::string description, std::uint32_t members) {
    Space sp = space(id, parent);
    sp.kind = kind;
    sp.name = std::move(name);
    sp.description = std::move(description);
    sp.member_count = members;
    return sp;
  };
  Space raiders = make(10, 0, SpaceKind::guild, "Raiders of Dawn", "We RAID weekly", 5);
  raiders.tags = {"pvp", "raid"};
  Space chat = make(11, 10, SpaceKind::channel, "Dawn chat", "talk", 3);
  chat.join_policy = JoinPolicy::request;
  Space hidden = make(12, 0, SpaceKind::guild, "Raid secret", "raid", 9);
  hidden.visibility = Visibility::secret;
  hidden.join_policy = JoinPolicy::invite;
  Space builders = make(13, 0, SpaceKind::guild, "Builders", "crafting", 8);
  builders.member_cap = 8;  // full
  Space help = make(14, 0, SpaceKind::forum, "Help desk", "questions", 1);
  help.visibility = Visibility::private_;
  help.join_policy = JoinPolicy::request;
  help.tags = {"raid-help"};
  Space comma = make(15, 0, SpaceKind::guild, "Comma, raid", "caf\xC3\xA9", 3);
  comma.tags = {"a,raid"};  // its encoded form holds ",raid," too: the tag filter is exact
  {
    auto tx = begin(*s);
    for (const Space& sp : {raiders, chat, hidden, builders, help, comma})
      REQUIRE(tx->insert_space(sp));
    REQUIRE(tx->insert_thread(listed(100, 10, 500)));
    REQUIRE(tx->insert_thread(listed(101, 10, 700, true)));  // pinned, and the newest in 10
    REQUIRE(tx->insert_thread(listed(102, 11, 600)));
    REQUIRE(tx->insert_thread(listed(103, 13, 650)));
    Thread gone = listed(104, 13, 900);
    gone.deleted = true;  // not counted as activity
    REQUIRE(tx->insert_thread(gone));
    REQUIRE(tx->insert_thread(listed(105, 12, 950)));  // secret: never found
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto find = [&](const SpaceQuery& q, SpacePosition after = {}, std::uint32_t limit = 100) {
    auto r = tx->find_spaces(q, after, limit);
    REQUIRE(r);
    Ids ids;
    for (const SpaceHit& h : *r) ids.push_back(h.space.id.value);
    return ids;
  };
  auto all = tx->find_spaces({}, {}, 100);
  REQUIRE(all);
  REQUIRE(all->size() == 5);
  require_same((*all)[0].space, raiders);
  CHECK((*all)[0].last_post == PostId{700});
  CHECK((*all)[4].last_post == PostId{});
  CHECK((*all)[0].last_activity_at == 0);      // the engine fills it in
  CHECK(find({}) == Ids{10, 13, 11, 15, 14});  // spaces with no post last, by id descending

  // Keyset pages: strictly after (key, id).
  CHECK(find({}, {}, 2) == Ids{10, 13});
  CHECK(find({}, {650, SpaceId{13}}, 2) == Ids{11, 15});
  CHECK(find({}, {0, SpaceId{15}}, 2) == Ids{14});
  CHECK(find({}, {0, SpaceId{14}}, 2).empty());

  SpaceQuery by_members;
  by_members.sort = SpaceSort::members;
  CHECK(find(by_members) == Ids{13, 10, 15, 11, 14});
  CHECK(find(by_members, {5, SpaceId{10}}) == Ids{15, 11, 14});
  CHECK(find(by_members, {3, SpaceId{15}}) == Ids{11, 14});
  auto counted = tx->find_spaces(by_members, {}, 1);
  REQUIRE(counted);
  REQUIRE(counted->size() == 1);
  CHECK((*counted)[0].last_post == PostId{650});  // filled in whatever the order

  SpaceQuery text;
  text.text = "raid";  // case-folded ASCII, in the name or the description
  CHECK(find(text) == Ids{10, 15});
  text.text = "dawn";
  CHECK(find(text) == Ids{10, 11});
  text.text = "caf\xC3\xA9";
  CHECK(find(text) == Ids{15});
  text.text = "nothing like it";
  CHECK(find(text).empty());

  SpaceQuery tag;
  tag.tag = "raid";
  CHECK(find(tag) == Ids{10});
  tag.tag = "a,raid";
  CHECK(find(tag) == Ids{15});
  tag.tag = "raid-help";
  CHECK(find(tag) == Ids{14});

  SpaceQuery under;
  under.parent = SpaceId{10};
  CHECK(find(under) == Ids{11});
  under.parent = SpaceId{};  // the roots
  CHECK(find(under) == Ids{10, 13, 15, 14});

  SpaceQuery guilds;
  guilds.kind = SpaceKind::guild;
  CHECK(find(guilds) == Ids{10, 13, 15});
  SpaceQuery not_full;
  not_full.hide_full = true;
  CHECK(find(not_full) == Ids{10, 11, 15, 14});
  SpaceQuery open;
  open.open_only = true;
  CHECK(find(open) == Ids{10, 13, 15});
  SpaceQuery both = open;
  both.hide_full = true;
  both.text = "a";
  CHECK(find(both) == Ids{10, 15});
  CHECK(find(both, {}, 1) == Ids{10});
}

TEST_CASE("threads round-trip every field, and update_thread replaces them all, space included",
          "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);
  const Thread full = full_thread(101, 10, 1010);
  Thread announcement = thread(102, 11, 1020);
  announcement.kind = ThreadKind::announcement;
  announcement.participant_count = 0;
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_thread(full));
    REQUIRE(tx->insert_thread(announcement));
    auto inside = tx->get_thread(ThreadId{101});  // its own write, before commit
    REQUIRE(inside);
    require_same(*inside, full);
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto t = tx->get_thread(ThreadId{101});
    REQUIRE(t);
    require_same(*t, full);
    auto a = tx->get_thread(ThreadId{102});
    REQUIRE(a);
    require_same(*a, announcement);
    CHECK(a->kind == ThreadKind::announcement);
    CHECK(a->participant_count == 0);
    CHECK(a->accepted_answer == PostId{});
    auto listed_pinned = list_run(*tx, SpaceId{10}, pinned, PostId{}, 10);
    REQUIRE(listed_pinned);
    require_same(*listed_pinned, {full});
  }
  // Every field changes, the space too: back to the defaults, or to other values.
  Thread moved = thread(101, 11, 1011);
  moved.author = MemberId{3};
  moved.title = "moved \xE2\x9C\x88";
  moved.last_post = PostId{1019};
  moved.created_at = 1'700'000'000'001;
  moved.last_activity_at = 1'700'000'000'002;
  moved.reply_count = 9;
  moved.kind = ThreadKind::discussion;
  moved.participant_count = 3;
  moved.reaction_count = 1;
  Thread answered = announcement;
  answered.kind = ThreadKind::question;
  answered.locked = true;
  answered.accepted_answer = PostId{1024};
  answered.answered_by_peer = true;
  answered.participant_count = 6;
  answered.reaction_count = 4'000'000'000;
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_thread(moved));
    REQUIRE(tx->update_thread(answered));
    CHECK(code_of(tx->update_thread(full_thread(999, 10, 9990))) == errc::not_found);
    CHECK_FALSE(tx->commit());  // the failed update spoilt it
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto t = tx->get_thread(ThreadId{101});
    REQUIRE(t);
    require_same(*t, full);
    auto a = tx->get_thread(ThreadId{102});
    REQUIRE(a);
    require_same(*a, announcement);
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_thread(moved));
    REQUIRE(tx->update_thread(answered));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto t = tx->get_thread(ThreadId{101});
  REQUIRE(t);
  require_same(*t, moved);
  CHECK(t->space == SpaceId{11});
  CHECK_FALSE(t->pinned);
  CHECK(t->accepted_answer == PostId{});
  auto a = tx->get_thread(ThreadId{102});
  REQUIRE(a);
  require_same(*a, answered);
  CHECK(a->reaction_count == 4'000'000'000);
  // It lists under its new space only, with its new pin.
  CHECK(thread_ids(*tx, 10, unpinned) == Ids{100});
  CHECK(thread_ids(*tx, 10, pinned).empty());
  CHECK(thread_ids(*tx, 11, unpinned) == Ids{102, 101});
  CHECK(thread_ids(*tx, 11, pinned).empty());
  auto in11 = list_run(*tx, SpaceId{11}, unpinned, PostId{}, 10);
  REQUIRE(in11);
  require_same(*in11, {answered, moved});
  CHECK(code_of(tx->get_thread(ThreadId{999})) == errc::not_found);
}

TEST_CASE("a listing gives the pinned threads first, then the others, after a position",
          "[conformance][threads]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_thread(listed(201, 10, 900, true)));
    REQUIRE(tx->insert_thread(listed(202, 10, 700, true)));
    REQUIRE(tx->insert_thread(listed(203, 10, 800)));
    REQUIRE(tx->insert_thread(listed(204, 10, 600)));
    REQUIRE(tx->insert_thread(listed(205, 10, 500)));
    Thread gone = listed(206, 10, 950, true);
    gone.deleted = true;
    REQUIRE(tx->insert_thread(gone));
    REQUIRE(tx->insert_thread(listed(207, 11, 990, true)));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto ids = [&](ThreadPosition after, std::uint32_t limit = 100) {
    auto r = tx->list_threads(SpaceId{10}, ThreadListing{}, after, limit);
    REQUIRE(r);
    return ids_of(*r);
  };
  // Seed's thread 100 (last post 1000, not pinned) is the newest unpinned one.
  CHECK(ids({}) == Ids{201, 202, 100, 203, 204, 205});
  CHECK(ids({}, 2) == Ids{201, 202});
  CHECK(ids({true, PostId{700}}, 2) == Ids{100, 203});  // from the pinned run into the rest
  CHECK(ids({true, PostId{900}}, 3) == Ids{202, 100, 203});
  CHECK(ids({false, PostId{}}) == Ids{100, 203, 204, 205});
  CHECK(ids({false, PostId{600}}) == Ids{205});
  CHECK(ids({false, PostId{500}}).empty());
  CHECK(ids({}, 0).empty());
}

TEST_CASE("pinned and unpinned threads list apart, each by most recent activity",
          "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);  // thread 100 in space 10, unpinned, last post 1000
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_thread(listed(101, 10, 1010)));
    REQUIRE(tx->insert_thread(listed(102, 10, 1020, true)));
    REQUIRE(tx->insert_thread(listed(103, 10, 9000)));
    REQUIRE(tx->insert_thread(listed(104, 10, 9500, true)));
    REQUIRE(tx->insert_thread(listed(105, 10, 1050)));
    REQUIRE(tx->insert_thread(listed(106, 10, 1060, true)));
    REQUIRE(tx->insert_thread(listed(107, 10, 1070)));
    REQUIRE(tx->insert_thread(listed(108, 10, 1080, true)));
    Thread deleted_pinned = listed(109, 10, 9900, true);
    deleted_pinned.deleted = true;
    REQUIRE(tx->insert_thread(deleted_pinned));
    Thread deleted = listed(110, 10, 9901);
    deleted.deleted = true;
    REQUIRE(tx->insert_thread(deleted));
    REQUIRE(tx->insert_thread(listed(111, 11, 9990, true)));  // other spaces
    REQUIRE(tx->insert_thread(listed(112, 11, 9991)));
    REQUIRE(tx->insert_thread(listed(113, 12, 9992, true)));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    const Ids all_unpinned = thread_ids(*tx, 10, unpinned);
    const Ids all_pinned = thread_ids(*tx, 10, pinned);
    CHECK(all_unpinned == Ids{103, 107, 105, 101, 100});
    CHECK(all_pinned == Ids{104, 108, 106, 102});
    // Disjoint, and together every thread of the space that is not deleted.
    std::set<std::uint64_t> together(all_unpinned.begin(), all_unpinned.end());
    together.insert(all_pinned.begin(), all_pinned.end());
    CHECK(together.size() == all_unpinned.size() + all_pinned.size());
    CHECK(together == std::set<std::uint64_t>{100, 101, 102, 103, 104, 105, 106, 107, 108});

    // Paging with `before`: the last_post of the previous page's last thread, exclusive.
    CHECK(thread_ids(*tx, 10, unpinned, 0, 2) == Ids{103, 107});
    CHECK(thread_ids(*tx, 10, unpinned, 1070, 2) == Ids{105, 101});
    CHECK(thread_ids(*tx, 10, unpinned, 1010, 2) == Ids{100});
    CHECK(thread_ids(*tx, 10, unpinned, 1000, 2).empty());
    CHECK(thread_ids(*tx, 10, unpinned, 1071, 2) == Ids{107, 105});
    CHECK(thread_ids(*tx, 10, pinned, 0, 3) == Ids{104, 108, 106});
    CHECK(thread_ids(*tx, 10, pinned, 1060, 3) == Ids{102});
    CHECK(thread_ids(*tx, 10, pinned, 9000, 10) == Ids{108, 106, 102});
    CHECK(thread_ids(*tx, 10, pinned, 1020, 10).empty());
    CHECK(thread_ids(*tx, 10, pinned, 0, 0).empty());

    CHECK(thread_ids(*tx, 11, pinned) == Ids{111});
    CHECK(thread_ids(*tx, 11, unpinned) == Ids{112});
    CHECK(thread_ids(*tx, 12, pinned) == Ids{113});
    CHECK(thread_ids(*tx, 12, unpinned).empty());
    CHECK(thread_ids(*tx, 99, pinned).empty());
    auto t = list_run(*tx, SpaceId{10}, pinned, PostId{}, 1);
    REQUIRE(t);
    require_same(*t, {listed(104, 10, 9500, true)});
  }
  {
    // Pinning, unpinning, deleting and undeleting move threads between the listings.
    auto tx = begin(*s);
    REQUIRE(tx->update_thread(listed(104, 10, 9500)));        // unpinned
    REQUIRE(tx->update_thread(listed(101, 10, 1010, true)));  // pinned
    Thread deleted = listed(107, 10, 1070);
    deleted.deleted = true;
    REQUIRE(tx->update_thread(deleted));
    Thread deleted_pinned = listed(108, 10, 1080, true);
    deleted_pinned.deleted = true;
    REQUIRE(tx->update_thread(deleted_pinned));
    REQUIRE(tx->update_thread(listed(109, 10, 9900, true)));  // undeleted
    CHECK(thread_ids(*tx, 10, unpinned) == Ids{104, 103, 105, 100});
    CHECK(thread_ids(*tx, 10, pinned) == Ids{109, 106, 102, 101});
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(thread_ids(*tx, 10, unpinned) == Ids{104, 103, 105, 100});
  CHECK(thread_ids(*tx, 10, pinned) == Ids{109, 106, 102, 101});
  auto gone = tx->get_thread(ThreadId{107});
  REQUIRE(gone);
  CHECK(gone->deleted);
}

TEST_CASE("unanswered_only lists the questions with no accepted answer", "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);  // thread 100: a discussion
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_thread(listed(101, 10, 1010, false, ThreadKind::question)));
    REQUIRE(tx->insert_thread(listed(102, 10, 1020, false, ThreadKind::question, 1021)));
    REQUIRE(tx->insert_thread(listed(103, 10, 1030)));
    REQUIRE(tx->insert_thread(listed(104, 10, 9000, false, ThreadKind::announcement)));
    REQUIRE(tx->insert_thread(listed(105, 10, 1050, false, ThreadKind::question)));
    REQUIRE(tx->insert_thread(listed(106, 10, 1060, true, ThreadKind::question)));
    Thread deleted = listed(107, 10, 1070, false, ThreadKind::question);
    deleted.deleted = true;
    REQUIRE(tx->insert_thread(deleted));
    REQUIRE(tx->insert_thread(listed(108, 10, 1080, true, ThreadKind::question, 1081)));
    REQUIRE(tx->insert_thread(listed(109, 11, 1090, false, ThreadKind::question)));
    Thread peer = listed(110, 10, 1100, false, ThreadKind::discussion);
    peer.answered_by_peer = true;  // not a question: never unanswered
    REQUIRE(tx->insert_thread(peer));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    CHECK(thread_ids(*tx, 10, unanswered) == Ids{105, 101});
    CHECK(thread_ids(*tx, 10, pinned_unanswered) == Ids{106});
    CHECK(thread_ids(*tx, 10, unanswered, 0, 1) == Ids{105});  // past 110 and 104
    CHECK(thread_ids(*tx, 10, unanswered, 1050, 1) == Ids{101});
    CHECK(thread_ids(*tx, 10, unanswered, 1010, 10).empty());
    CHECK(thread_ids(*tx, 10, pinned_unanswered, 1060, 10).empty());
    CHECK(thread_ids(*tx, 11, unanswered) == Ids{109});
    CHECK(thread_ids(*tx, 11, pinned_unanswered).empty());
    // Without unanswered_only every kind lists.
    CHECK(thread_ids(*tx, 10, unpinned) == Ids{104, 110, 105, 103, 102, 101, 100});
    CHECK(thread_ids(*tx, 10, pinned) == Ids{108, 106});
    auto q = list_run(*tx, SpaceId{10}, unanswered, PostId{}, 1);
    REQUIRE(q);
    require_same(*q, {listed(105, 10, 1050, false, ThreadKind::question)});
  }
  {
    auto tx = begin(*s);
    // An accepted answer, or another kind, takes a question off; dropping the answer puts it
    // back.
    REQUIRE(tx->update_thread(listed(105, 10, 1050, false, ThreadKind::question, 1051)));
    CHECK(thread_ids(*tx, 10, unanswered) == Ids{101});
    REQUIRE(tx->update_thread(listed(101, 10, 1010)));
    REQUIRE(tx->update_thread(listed(102, 10, 1020, false, ThreadKind::question)));
    REQUIRE(tx->update_thread(listed(106, 10, 1060, true, ThreadKind::question, 1061)));
    REQUIRE(tx->update_thread(listed(103, 10, 1030, false, ThreadKind::question)));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(thread_ids(*tx, 10, unanswered) == Ids{103, 102});
  CHECK(thread_ids(*tx, 10, pinned_unanswered).empty());
  auto accepted = tx->get_thread(ThreadId{105});
  REQUIRE(accepted);
  CHECK(accepted->accepted_answer == PostId{1051});
  auto reopened = tx->get_thread(ThreadId{102});
  REQUIRE(reopened);
  CHECK(reopened->accepted_answer == PostId{});
}

TEST_CASE("threads round-trip their tags byte for byte, and update_thread replaces them",
          "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);  // thread 100: no tags
  const Thread odd = with_tags(
      listed(101, 10, 1010), {"a,b", "a\\,b", "back\\slash", "caf\xC3\xA9", "line\nbreak", "raid"});
  const Thread one = with_tags(listed(102, 10, 1020), {"raid"});
  const Thread none = listed(103, 10, 1030);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_thread(odd));
    REQUIRE(tx->insert_thread(one));
    REQUIRE(tx->insert_thread(none));
    auto inside = tx->get_thread(ThreadId{101});  // its own write, before commit
    REQUIRE(inside);
    require_same(*inside, odd);
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    for (const Thread& want : {odd, one, none}) {
      auto got = tx->get_thread(want.id);
      REQUIRE(got);
      require_same(*got, want);
    }
    auto all = list_run(*tx, SpaceId{10}, unpinned, PostId{}, 10);
    REQUIRE(all);
    require_same(*all, {none, one, odd, thread(100, 10, 1000)});
    auto raid = list_run(*tx, SpaceId{10}, tagged("raid"), PostId{}, 10);
    REQUIRE(raid);
    require_same(*raid, {one, odd});
  }
  // A reply (new last post, same tags), new tags, tags dropped, tags added.
  Thread replied = one;
  replied.last_post = PostId{1029};
  replied.reply_count = 1;
  const Thread retagged = with_tags(listed(101, 10, 1010), {"\n", "raids"});
  const Thread dropped = with_tags(listed(102, 10, 1029), {});
  const Thread added = with_tags(listed(103, 10, 1030), {"a,b", "raid"});
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_thread(replied));
    auto got = tx->get_thread(ThreadId{102});
    REQUIRE(got);
    require_same(*got, replied);
    CHECK(thread_ids(*tx, 10, tagged("raid")) == Ids{102, 101});
    REQUIRE(tx->update_thread(retagged));
    REQUIRE(tx->update_thread(dropped));
    REQUIRE(tx->update_thread(added));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  for (const Thread& want : {retagged, dropped, added}) {
    auto got = tx->get_thread(want.id);
    REQUIRE(got);
    require_same(*got, want);
  }
  auto raid = list_run(*tx, SpaceId{10}, tagged("raid"), PostId{}, 10);
  REQUIRE(raid);
  require_same(*raid, {added});
  CHECK(thread_ids(*tx, 10, tagged("a,b")) == Ids{103});
  CHECK(thread_ids(*tx, 10, tagged("raids")) == Ids{101});
  CHECK(thread_ids(*tx, 10, tagged("\n")) == Ids{101});
  CHECK(thread_ids(*tx, 10, tagged("line\nbreak")).empty());
  CHECK(thread_ids(*tx, 10, tagged("a\\,b")).empty());
}

TEST_CASE("a tag listing lists only the threads carrying the tag, byte for byte",
          "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);  // thread 100 in space 10, no tags, last post 1000
  const std::vector<std::string> raid{"raid"};
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_thread(with_tags(listed(101, 10, 1010), raid)));
    REQUIRE(tx->insert_thread(with_tags(listed(102, 10, 1020, true), {"pvp", "raid"})));
    REQUIRE(tx->insert_thread(with_tags(listed(103, 10, 9000), {"raids"})));
    REQUIRE(tx->insert_thread(with_tags(listed(104, 10, 9500), {"raid", "zzz"})));
    REQUIRE(tx->insert_thread(with_tags(listed(105, 10, 1050, false, ThreadKind::question), raid)));
    REQUIRE(tx->insert_thread(
        with_tags(listed(106, 10, 1060, false, ThreadKind::question, 1061), raid)));
    REQUIRE(tx->insert_thread(with_tags(listed(107, 10, 1070, true, ThreadKind::question), raid)));
    Thread deleted = with_tags(listed(108, 10, 9900), raid);
    deleted.deleted = true;
    REQUIRE(tx->insert_thread(deleted));
    REQUIRE(tx->insert_thread(with_tags(listed(109, 10, 1090), {"RAID", "Raid"})));
    REQUIRE(tx->insert_thread(with_tags(listed(110, 11, 9990), raid)));  // another space
    REQUIRE(tx->insert_thread(with_tags(listed(111, 10, 1110), {"ra"})));
    REQUIRE(tx->insert_thread(with_tags(listed(112, 10, 1120), {"a,b", "raid\n", "raid "})));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    CHECK(thread_ids(*tx, 10, tagged("raid")) == Ids{104, 106, 105, 101});
    CHECK(thread_ids(*tx, 10, tagged("raid", true)) == Ids{107, 102});
    CHECK(thread_ids(*tx, 10, tagged("raid", false, true)) == Ids{105});
    CHECK(thread_ids(*tx, 10, tagged("raid", true, true)) == Ids{107});
    CHECK(thread_ids(*tx, 10, tagged("pvp")).empty());
    CHECK(thread_ids(*tx, 10, tagged("pvp", true)) == Ids{102});
    // Neither a prefix, an extension nor another case matches.
    CHECK(thread_ids(*tx, 10, tagged("raids")) == Ids{103});
    CHECK(thread_ids(*tx, 10, tagged("ra")) == Ids{111});
    CHECK(thread_ids(*tx, 10, tagged("r")).empty());
    CHECK(thread_ids(*tx, 10, tagged("Raid")) == Ids{109});
    CHECK(thread_ids(*tx, 10, tagged("a,b")) == Ids{112});
    CHECK(thread_ids(*tx, 10, tagged("a")).empty());
    CHECK(thread_ids(*tx, 10, tagged("raid\n")) == Ids{112});
    CHECK(thread_ids(*tx, 10, tagged("raid ")) == Ids{112});
    CHECK(thread_ids(*tx, 10, tagged("zzz")) == Ids{104});
    CHECK(thread_ids(*tx, 10, tagged("nope")).empty());
    CHECK(thread_ids(*tx, 11, tagged("raid")) == Ids{110});
    CHECK(thread_ids(*tx, 12, tagged("raid")).empty());
    // Paging with `before` and `limit`, as without a tag.
    CHECK(thread_ids(*tx, 10, tagged("raid"), 0, 2) == Ids{104, 106});
    CHECK(thread_ids(*tx, 10, tagged("raid"), 1060, 2) == Ids{105, 101});
    CHECK(thread_ids(*tx, 10, tagged("raid"), 1010, 2).empty());
    CHECK(thread_ids(*tx, 10, tagged("raid"), 9500, 1) == Ids{106});
    CHECK(thread_ids(*tx, 10, tagged("raid"), 1051, 10) == Ids{105, 101});
    CHECK(thread_ids(*tx, 10, tagged("raid"), 0, 0).empty());
    CHECK(thread_ids(*tx, 10, tagged("raid", true), 1070, 10) == Ids{102});
    CHECK(thread_ids(*tx, 10, tagged("raid", false, true), 1050, 10).empty());
    // Without a tag every thread lists.
    CHECK(thread_ids(*tx, 10, unpinned) == Ids{104, 103, 112, 111, 109, 106, 105, 101, 100});
    auto first = list_run(*tx, SpaceId{10}, tagged("raid"), PostId{}, 1);
    REQUIRE(first);
    require_same(*first, {with_tags(listed(104, 10, 9500), {"raid", "zzz"})});
  }
  {
    // update_thread moves threads in and out of the tag listings.
    auto tx = begin(*s);
    REQUIRE(tx->update_thread(listed(101, 10, 1010)));                                // untagged
    REQUIRE(tx->update_thread(with_tags(listed(103, 10, 9000), {"raid", "raids"})));  // tagged
    REQUIRE(tx->update_thread(with_tags(listed(108, 10, 9900), raid)));               // undeleted
    REQUIRE(tx->update_thread(with_tags(listed(104, 10, 9500, true), {"raid", "zzz"})));  // pinned
    REQUIRE(tx->update_thread(with_tags(listed(102, 10, 1020, true), {"pvp"})));
    REQUIRE(tx->update_thread(
        with_tags(listed(105, 10, 1050, false, ThreadKind::question, 1051), raid)));  // answered
    REQUIRE(tx->update_thread(  // a reply: the same tags, the newest post
        with_tags(listed(106, 10, 9950, false, ThreadKind::question, 1061), raid)));
    Thread deleted = with_tags(listed(112, 10, 1120), {"a,b", "raid\n", "raid "});
    deleted.deleted = true;
    REQUIRE(tx->update_thread(deleted));
    CHECK(thread_ids(*tx, 10, tagged("raid")) == Ids{106, 108, 103, 105});
    CHECK(thread_ids(*tx, 10, tagged("raid", true)) == Ids{104, 107});
    CHECK(thread_ids(*tx, 10, tagged("raid", false, true)).empty());
    CHECK(thread_ids(*tx, 10, tagged("a,b")).empty());
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(thread_ids(*tx, 10, tagged("raid")) == Ids{106, 108, 103, 105});
  CHECK(thread_ids(*tx, 10, tagged("raid", true)) == Ids{104, 107});
  CHECK(thread_ids(*tx, 10, tagged("raid", true, true)) == Ids{107});
  CHECK(thread_ids(*tx, 10, tagged("raid", false, true)).empty());
  CHECK(thread_ids(*tx, 10, tagged("raids")) == Ids{103});
  CHECK(thread_ids(*tx, 10, tagged("pvp", true)) == Ids{102});
  CHECK(thread_ids(*tx, 10, tagged("zzz", true)) == Ids{104});
  CHECK(thread_ids(*tx, 10, tagged("zzz")).empty());
  CHECK(thread_ids(*tx, 10, tagged("raid\n")).empty());
  auto t101 = tx->get_thread(ThreadId{101});
  REQUIRE(t101);
  CHECK(t101->tags.empty());
  auto t103 = tx->get_thread(ThreadId{103});
  REQUIRE(t103);
  CHECK(t103->tags == std::vector<std::string>{"raid", "raids"});
}

TEST_CASE("move_posts sets the space of every post of the thread, and of no other",
          "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);  // thread 100 in space 10 with post 1000
  Post deleted = post(1001, 100, 10, 1000);
  deleted.deleted = true;
  deleted.revision = 3;
  deleted.edited_at = 77;
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_post(deleted));
    REQUIRE(tx->insert_post(post(1002, 100, 10, 1001)));
    REQUIRE(tx->insert_thread(thread(101, 10, 1010)));
    REQUIRE(tx->insert_post(post(1010, 101, 10)));
    REQUIRE(tx->insert_post(post(1011, 101, 10, 1010)));
    REQUIRE(tx->insert_thread(thread(102, 12, 1020)));  // no posts
    REQUIRE(tx->add_reaction(PostId{1002}, MemberId{2}, "heart", 5));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->move_posts(ThreadId{100}, SpaceId{11}));
    REQUIRE(tx->move_posts(ThreadId{102}, SpaceId{10}));  // nothing to move
    auto inside = tx->get_post(PostId{1000});
    REQUIRE(inside);
    CHECK(inside->space == SpaceId{11});
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto moved = tx->list_posts(ThreadId{100}, PostId{}, 10);
  REQUIRE(moved);
  Post p1000 = post(1000, 100, 11);
  Post p1001 = deleted;
  p1001.space = SpaceId{11};
  Post p1002 = post(1002, 100, 11, 1001);
  require_same(*moved, {p1000, p1001, p1002});
  CHECK((*moved)[2].reactions == std::vector<ReactionCount>{{"heart", 1}});
  auto one = tx->get_post(PostId{1001});
  REQUIRE(one);
  require_same(*one, p1001);
  auto others = tx->list_posts(ThreadId{101}, PostId{}, 10);
  REQUIRE(others);
  require_same(*others, {post(1010, 101, 10), post(1011, 101, 10, 1010)});
  // The threads themselves are left as they were.
  auto t = tx->get_thread(ThreadId{100});
  REQUIRE(t);
  require_same(*t, thread(100, 10, 1000));
  auto empty = tx->get_thread(ThreadId{102});
  REQUIRE(empty);
  require_same(*empty, thread(102, 12, 1020));
}

TEST_CASE("has_posted tells whether a member wrote a post in a thread, deleted or not",
          "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);  // thread 100 with post 1000 by member 1
  {
    auto tx = begin(*s);
    Post by2 = post(1001, 100, 10, 1000);
    by2.author = MemberId{2};
    by2.deleted = true;
    REQUIRE(tx->insert_post(by2));
    REQUIRE(tx->insert_thread(thread(101, 11, 1010)));
    Post by3 = post(1010, 101, 11);
    by3.author = MemberId{3};
    REQUIRE(tx->insert_post(by3));
    REQUIRE(tx->commit());
  }
  auto has = [](Transaction& tx, std::uint64_t thread_id, std::uint64_t member_id) {
    auto r = tx.has_posted(ThreadId{thread_id}, MemberId{member_id});
    REQUIRE(r);
    return *r;
  };
  {
    auto tx = begin(*s, TxMode::read);
    CHECK(has(*tx, 100, 1));
    CHECK(has(*tx, 100, 2));  // a deleted post counts
    CHECK_FALSE(has(*tx, 100, 3));
    CHECK(has(*tx, 101, 3));
    CHECK_FALSE(has(*tx, 101, 1));
    CHECK_FALSE(has(*tx, 101, 2));
    CHECK_FALSE(has(*tx, 999, 1));  // no such thread: false, not an error
    CHECK_FALSE(has(*tx, 100, 999));
  }
  auto tx = begin(*s);
  Post late = post(1011, 101, 11, 1010);
  late.author = MemberId{2};
  REQUIRE(tx->insert_post(late));
  CHECK(has(*tx, 101, 2));  // its own write
  CHECK_FALSE(has(*tx, 101, 1));
  CHECK_FALSE(has(*tx, 999, 2));  // a read that finds nothing spoils nothing
  REQUIRE(tx->commit());
  tx.reset();
  auto rtx = begin(*s, TxMode::read);
  CHECK(has(*rtx, 101, 2));
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

TEST_CASE("update_post changes body, edit time, revision, deleted and removal only",
          "[conformance][posts]") {
  auto s = fresh_storage();
  seed(*s);
  Post changed = post(1000, 100, 10);
  changed.body = "new body";
  changed.edited_at = 42;
  changed.revision = 2;
  changed.deleted = true;
  changed.removed = true;
  changed.removal_reason = "spam \"links\" \xC3\xA9";
  changed.removed_by = MemberId{2};
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
  CHECK(p->removed);
  CHECK(p->removal_reason == "spam \"links\" \xC3\xA9");
  CHECK(p->removed_by == MemberId{2});
  CHECK(p->author == MemberId{1});
  CHECK(p->created_at == post(1000, 100, 10).created_at);
  // Restored: the removal fields go back to empty.
  changed.removed = false;
  changed.removal_reason.clear();
  changed.removed_by = MemberId{};
  REQUIRE(tx->commit());
  tx.reset();  // a thread holding a transaction must not begin another
  tx = begin(*s);
  REQUIRE(tx->update_post(changed));
  auto restored = tx->get_post(PostId{1000});
  REQUIRE(restored);
  CHECK_FALSE(restored->removed);
  CHECK(restored->removal_reason.empty());
  CHECK_FALSE(restored->removed_by);
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

TEST_CASE("list_reactions lists who reacted with a kind, by member, with the time given",
          "[conformance][reactions]") {
  auto s = fresh_storage();
  seed(*s);  // members 1..3, post 1000
  const std::string fire = "\xF0\x9F\x94\xA5";
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_member(member(4, "member4")));
    REQUIRE(tx->insert_member(member(5, "member5")));
    REQUIRE(tx->insert_post(post(1001, 100, 10, 1000)));
    // Out of member order, with distinct times.
    for (std::uint64_t m : {5u, 2u, 4u, 1u})
      REQUIRE(
          tx->add_reaction(PostId{1000}, MemberId{m}, "heart", static_cast<Timestamp>(m * 100)));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "+1", 250));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{3}, fire, 350));
    REQUIRE(tx->add_reaction(PostId{1001}, MemberId{3}, "heart", 360));
    // Already stored: changes nothing, its time included.
    auto again = tx->add_reaction(PostId{1000}, MemberId{4}, "heart", 999);
    REQUIRE(again);
    CHECK_FALSE(*again);
    REQUIRE(tx->commit());
  }
  auto list = [](Transaction& tx, std::uint64_t post_id, std::string_view kind,
                 std::uint64_t after = 0, std::uint32_t limit = 100) {
    auto r = tx.list_reactions(PostId{post_id}, kind, MemberId{after}, limit);
    REQUIRE(r);
    return *r;
  };
  {
    auto tx = begin(*s, TxMode::read);
    auto hearts = list(*tx, 1000, "heart");
    CHECK(member_ids_of(hearts) == Ids{1, 2, 4, 5});
    for (const Reaction& r : hearts) {
      INFO("member " << r.member.value);
      CHECK(r.post == PostId{1000});
      CHECK(r.kind == "heart");
      CHECK(r.at == static_cast<Timestamp>(r.member.value * 100));
    }
    // Paged by member id.
    CHECK(member_ids_of(list(*tx, 1000, "heart", 0, 2)) == Ids{1, 2});
    CHECK(member_ids_of(list(*tx, 1000, "heart", 2, 2)) == Ids{4, 5});
    CHECK(member_ids_of(list(*tx, 1000, "heart", 3, 1)) == Ids{4});
    CHECK(list(*tx, 1000, "heart", 5, 2).empty());
    CHECK(list(*tx, 1000, "heart", 0, 0).empty());
    // Only that kind, of that post, byte for byte.
    auto plus = list(*tx, 1000, "+1");
    REQUIRE(plus.size() == 1);
    CHECK(plus[0].post == PostId{1000});
    CHECK(plus[0].member == MemberId{2});
    CHECK(plus[0].kind == "+1");
    CHECK(plus[0].at == 250);
    auto fires = list(*tx, 1000, fire);
    REQUIRE(fires.size() == 1);
    CHECK(fires[0].member == MemberId{3});
    CHECK(fires[0].kind == fire);
    CHECK(fires[0].at == 350);
    CHECK(list(*tx, 1000, "Heart").empty());
    CHECK(list(*tx, 1000, "hear").empty());
    CHECK(list(*tx, 1000, "laugh").empty());
    auto other = list(*tx, 1001, "heart");
    REQUIRE(other.size() == 1);
    CHECK(other[0].post == PostId{1001});
    CHECK(other[0].member == MemberId{3});
    CHECK(other[0].at == 360);
    CHECK(list(*tx, 1001, "+1").empty());
    CHECK(list(*tx, 999, "heart").empty());  // no such post: empty, not an error
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->remove_reaction(PostId{1000}, MemberId{2}, "heart"));
    REQUIRE(tx->remove_reaction(PostId{1000}, MemberId{2}, "+1"));
    CHECK(member_ids_of(list(*tx, 1000, "heart")) == Ids{1, 4, 5});  // its own writes
    // Reacting again records the new time.
    REQUIRE(tx->remove_reaction(PostId{1000}, MemberId{5}, "heart"));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{5}, "heart", 5000));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto hearts = list(*tx, 1000, "heart");
  CHECK(member_ids_of(hearts) == Ids{1, 4, 5});
  REQUIRE(hearts.size() == 3);
  CHECK(hearts[0].at == 100);
  CHECK(hearts[1].at == 400);
  CHECK(hearts[2].at == 5000);
  CHECK(list(*tx, 1000, "+1").empty());
  CHECK(member_ids_of(list(*tx, 1000, fire)) == Ids{3});
  auto p = tx->get_post(PostId{1000});
  REQUIRE(p);
  CHECK(p->reactions == std::vector<ReactionCount>{{"heart", 3}, {fire, 1}});
}

TEST_CASE("list_member_reactions lists one member's reactions to a post by kind",
          "[conformance][reactions]") {
  auto s = fresh_storage();
  seed(*s);  // members 1..3, post 1000
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_post(post(1001, 100, 10, 1000)));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "laugh", 30));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "+1", 10));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "heart", 20));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{1}, "heart", 40));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{3}, "heart", 50));
    REQUIRE(tx->add_reaction(PostId{1001}, MemberId{2}, "heart", 60));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto mine = tx->list_member_reactions(PostId{1000}, MemberId{2});
  REQUIRE(mine);
  REQUIRE(mine->size() == 3);
  CHECK((*mine)[0].kind == "+1");
  CHECK((*mine)[0].at == 10);
  CHECK((*mine)[1].kind == "heart");
  CHECK((*mine)[2].kind == "laugh");
  CHECK((*mine)[2].at == 30);
  for (const Reaction& r : *mine) {
    CHECK(r.post == PostId{1000});
    CHECK(r.member == MemberId{2});
  }
  auto none = tx->list_member_reactions(PostId{1001}, MemberId{3});
  REQUIRE(none);
  CHECK(none->empty());
}

// --- event log --------------------------------------------------------------------------

TEST_CASE("redact_member_events replaces the profile events of one member, and only those",
          "[conformance][events]") {
  auto s = fresh_storage();
  auto event = [](EventType type, std::uint64_t actor, std::string payload) {
    return Event{0, type, SpaceId{}, MemberId{actor}, 50, std::move(payload)};
  };
  {
    auto tx = begin(*s);
    REQUIRE(tx->append_event(event(EventType::member_created, 7, R"({"handle":"fen"})")));
    REQUIRE(tx->append_event(event(EventType::member_created, 8, R"({"handle":"gus"})")));
    REQUIRE(tx->append_event(event(EventType::member_updated, 7, R"({"handle":"fen2"})")));
    REQUIRE(tx->append_event(event(EventType::member_joined, 7, R"({"member":"7"})")));
    REQUIRE(tx->append_event(event(EventType::member_created, 0, R"({"handle":"host"})")));
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    auto n = tx->redact_member_events(MemberId{7}, R"({"handle":"erased-7"})");
    REQUIRE(n);
    CHECK(*n == 2);
  }  // rolled back: nothing changed
  {
    auto tx = begin(*s);
    auto none = tx->redact_member_events(MemberId{9}, "{}");
    REQUIRE(none);
    CHECK(*none == 0);
    auto host = tx->redact_member_events(MemberId{}, "{}");
    REQUIRE(host);
    CHECK(*host == 0);  // no actor names no member
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    auto all = tx->read_events(0, 10);
    REQUIRE(all);
    REQUIRE(all->size() == 5);
    CHECK((*all)[0].payload == R"({"handle":"fen"})");
    CHECK((*all)[2].payload == R"({"handle":"fen2"})");
    CHECK((*all)[4].payload == R"({"handle":"host"})");
  }
  {
    auto tx = begin(*s);
    auto n = tx->redact_member_events(MemberId{7}, R"({"handle":"erased-7"})");
    REQUIRE(n);
    CHECK(*n == 2);
    // Events appended later are not redacted by an earlier call.
    REQUIRE(tx->append_event(event(EventType::member_updated, 7, R"({"handle":"late"})")));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto all = tx->read_events(0, 10);
  REQUIRE(all);
  REQUIRE(all->size() == 6);
  const std::vector<std::string> payloads = {R"({"handle":"erased-7"})", R"({"handle":"gus"})",
                                             R"({"handle":"erased-7"})", R"({"member":"7"})",
                                             R"({"handle":"host"})",     R"({"handle":"late"})"};
  for (std::size_t i = 0; i < all->size(); ++i) {
    INFO("event " << i + 1);
    CHECK((*all)[i].seq == i + 1);
    CHECK((*all)[i].payload == payloads[i]);
    CHECK((*all)[i].at == 50);
  }
  CHECK((*all)[0].type == EventType::member_created);
  CHECK((*all)[0].actor == MemberId{7});
  CHECK((*all)[2].type == EventType::member_updated);
}

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
  auto threads = tx->list_threads(SpaceId{10}, ThreadListing{}, ThreadPosition{}, 10);
  REQUIRE(threads);
  CHECK(ids_of(*threads) == Ids{100});
  auto last = tx->last_event_seq();
  REQUIRE(last);
  CHECK(*last == 0);
}

TEST_CASE("a savepoint undoes its own writes alone, failed ones included, and commits the rest",
          "[conformance][atomicity][savepoints]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto probe = begin(*s);
    if (!probe->has_savepoints()) SUCCEED("this adapter has no savepoints: calls commit alone");
    if (!probe->has_savepoints()) return;
  }
  {
    auto tx = begin(*s);
    // The first call: kept.
    REQUIRE(tx->savepoint());
    REQUIRE(tx->insert_member(member(7, "kept")));
    REQUIRE(tx->append_event({0, EventType::member_created, {}, MemberId{7}, 1, "{}"}));
    REQUIRE(tx->release_savepoint());
    // The second: fails on a taken handle after writing, and is undone alone.
    REQUIRE(tx->savepoint());
    REQUIRE(tx->insert_member(member(8, "undone")));
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "+1", 1));
    REQUIRE(tx->append_event({0, EventType::member_created, {}, MemberId{8}, 1, "{}"}));
    CHECK(code_of(tx->insert_member(member(9, "KEPT"))) == errc::already_exists);
    REQUIRE(tx->rollback_to_savepoint());
    CHECK(code_of(tx->get_member(MemberId{8})) == errc::not_found);
    CHECK(tx->get_member(MemberId{7}));
    // The third: rolled back without a failure; then one more kept, numbered after the first.
    REQUIRE(tx->savepoint());
    REQUIRE(tx->insert_space(space(70)));
    REQUIRE(tx->rollback_to_savepoint());
    REQUIRE(tx->savepoint());
    REQUIRE(tx->insert_member(member(10, "later")));
    auto seq = tx->append_event({0, EventType::member_created, {}, MemberId{10}, 1, "{}"});
    REQUIRE(seq);
    CHECK(*seq == 2);  // the undone event left no gap
    REQUIRE(tx->release_savepoint());
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s, TxMode::read);
    CHECK(tx->get_member(MemberId{7}));
    CHECK(tx->get_member(MemberId{10}));
    CHECK(code_of(tx->get_member(MemberId{8})) == errc::not_found);
    CHECK(code_of(tx->find_member_by_handle("undone")) == errc::not_found);
    CHECK(code_of(tx->get_space(SpaceId{70})) == errc::not_found);
    auto p = tx->get_post(PostId{1000});
    REQUIRE(p);
    CHECK(p->reactions.empty());
    auto events = tx->read_events(0, 10);
    REQUIRE(events);
    REQUIRE(events->size() == 2);
    CHECK((*events)[0].actor == MemberId{7});
    CHECK((*events)[1].actor == MemberId{10});
  }
  // Misuse fails and spoils: no savepoint to release or roll back to, or two at once.
  {
    auto tx = begin(*s);
    CHECK_FALSE(tx->release_savepoint());
    CHECK_FALSE(tx->commit());
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->savepoint());
    CHECK_FALSE(tx->savepoint());
    CHECK_FALSE(tx->commit());
  }
  {
    auto tx = begin(*s);
    CHECK_FALSE(tx->rollback_to_savepoint());
    CHECK_FALSE(tx->commit());
  }
  // A write that failed outside any savepoint spoils for good: no savepoint opens after it.
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->insert_member(member(11, "kept"))) == errc::already_exists);
    CHECK_FALSE(tx->savepoint());
    CHECK_FALSE(tx->commit());
  }
  // A read transaction has none.
  auto tx = begin(*s, TxMode::read);
  CHECK_FALSE(tx->has_savepoints());
  CHECK_FALSE(tx->savepoint());
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

namespace {

// Commits, on top of seed(), one of each record of the permission and join tables:
// role 20 in space 10 held by member 1 there and overridden there, a ban of member 1 in 10,
// invite "keep" into 10, member 3's request to join 10 and member 1's to join 11; space 10
// joins by request, capped.
void seed_access(Storage& s) {
  auto tx = begin(s);
  Space gated = space(10);
  gated.join_policy = JoinPolicy::request;
  gated.member_cap = 50;
  REQUIRE(tx->update_space(gated));
  REQUIRE(tx->insert_role(role(20, 10)));
  REQUIRE(tx->insert_role_assignment(assignment(10, 1, 20)));
  REQUIRE(tx->put_override(SpaceId{10}, {RoleId{20}, Permissions{Permission::pin}, {}}));
  REQUIRE(tx->put_ban(ban(10, 1)));
  REQUIRE(tx->insert_invite(invite("keep", 10)));
  REQUIRE(tx->insert_join_request(join_request(10, 3)));
  REQUIRE(tx->insert_join_request(join_request(11, 1)));
  REQUIRE(tx->commit());
}

// Checks that the storage holds exactly what seed_access() committed.
void require_seeded_access(Transaction& tx) {
  auto sp = tx.get_space(SpaceId{10});
  REQUIRE(sp);
  CHECK(sp->join_policy == JoinPolicy::request);
  CHECK(sp->member_cap == 50);
  auto roles = tx.list_roles(SpaceId{10});
  REQUIRE(roles);
  require_same(*roles, {role(20, 10)});
  auto held = tx.list_role_assignments(SpaceId{10}, MemberId{1});
  REQUIRE(held);
  require_same(*held, {assignment(10, 1, 20)});
  auto held2 = tx.list_role_assignments(SpaceId{10}, MemberId{2});
  REQUIRE(held2);
  CHECK(held2->empty());
  auto overrides = tx.list_overrides(SpaceId{10});
  REQUIRE(overrides);
  require_same(*overrides, {RoleOverride{RoleId{20}, Permissions{Permission::pin}, {}}});
  auto bans = tx.list_bans(SpaceId{10}, MemberId{}, 10);
  REQUIRE(bans);
  require_same(*bans, {ban(10, 1)});
  auto invites = tx.list_invites(SpaceId{10}, "", 10);
  REQUIRE(invites);
  require_same(*invites, {invite("keep", 10)});
  auto requests = tx.list_join_requests(SpaceId{10}, MemberId{}, 10);
  REQUIRE(requests);
  require_same(*requests, {join_request(10, 3)});
  auto requests11 = tx.list_join_requests(SpaceId{11}, MemberId{}, 10);
  REQUIRE(requests11);
  require_same(*requests11, {join_request(11, 1)});
}

// One write that fails on top of seed_access(), with the error it must return.
struct FailingWrite {
  const char* name;
  result<void> (*call)(Transaction&);
  errc expected;
};

const FailingWrite failing_writes[] = {
    {"insert_role of a taken id", [](Transaction& tx) { return tx.insert_role(role(20, 11)); },
     errc::already_exists},
    {"update_role of an absent role", [](Transaction& tx) { return tx.update_role(role(99, 10)); },
     errc::not_found},
    {"delete_role of an absent role", [](Transaction& tx) { return tx.delete_role(RoleId{99}); },
     errc::not_found},
    {"insert_role_assignment already stored",
     [](Transaction& tx) { return tx.insert_role_assignment(assignment(10, 1, 20, 2)); },
     errc::already_exists},
    {"delete_role_assignment of an absent one",
     [](Transaction& tx) {
       return tx.delete_role_assignment(SpaceId{11}, MemberId{1}, RoleId{20});
     },
     errc::not_found},
    {"delete_override of an absent one",
     [](Transaction& tx) { return tx.delete_override(SpaceId{11}, RoleId{20}); }, errc::not_found},
    {"delete_ban of an absent ban",
     [](Transaction& tx) { return tx.delete_ban(SpaceId{11}, MemberId{2}); }, errc::not_found},
    {"insert_invite of a taken code",
     [](Transaction& tx) { return tx.insert_invite(invite("keep", 11)); }, errc::already_exists},
    {"update_invite of an absent code",
     [](Transaction& tx) { return tx.update_invite(invite("KEEP", 10)); }, errc::not_found},
    {"insert_join_request already stored",
     [](Transaction& tx) { return tx.insert_join_request(join_request(11, 1, "again")); },
     errc::already_exists},
    {"delete_join_request of an absent one",
     [](Transaction& tx) { return tx.delete_join_request(SpaceId{10}, MemberId{1}); },
     errc::not_found},
};
constexpr std::size_t failing_write_count = std::size(failing_writes);

// Writes, on top of seed_access(), a change to every table it filled; none may be kept.
void write_everything(Transaction& tx) {
  Space opened = space(10);
  opened.join_policy = JoinPolicy::invite;
  opened.member_cap = 7;
  REQUIRE(tx.update_space(opened));
  REQUIRE(tx.insert_role(role(21, 10)));
  Role renamed = role(20, 10);
  renamed.name = "renamed";
  renamed.rank = 1;
  REQUIRE(tx.update_role(renamed));
  REQUIRE(tx.insert_role_assignment(assignment(10, 2, 21)));
  REQUIRE(tx.insert_role_assignment(assignment(10, 2, 20)));
  REQUIRE(tx.put_override(SpaceId{10}, {RoleId{20}, {}, Permissions{Permission::view}}));
  REQUIRE(tx.put_override(SpaceId{10}, {RoleId{21}, Permissions{Permission::lock}, {}}));
  REQUIRE(tx.put_ban(ban(10, 1, "changed")));
  REQUIRE(tx.put_ban(ban(10, 2)));
  REQUIRE(tx.insert_invite(invite("ghost", 10)));
  Invite used = invite("keep", 10);
  used.uses = 25;
  used.revoked = true;
  REQUIRE(tx.update_invite(used));
  REQUIRE(tx.insert_join_request(join_request(10, 2)));
  REQUIRE(tx.delete_join_request(SpaceId{10}, MemberId{3}));
}

}  // namespace

namespace {

// Commits, on top of seed(): thread 101 in space 10, an unanswered question, with post 1010;
// member 2's "heart" on post 1000 at time 5.
void seed_threads(Storage& s) {
  auto tx = begin(s);
  REQUIRE(tx->insert_thread(listed(101, 10, 1010, false, ThreadKind::question)));
  REQUIRE(tx->insert_post(post(1010, 101, 10)));
  REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "heart", 5));
  REQUIRE(tx->commit());
}

// Checks that the storage holds exactly what seed() and seed_threads() committed.
void require_seeded_threads(Transaction& tx) {
  auto t100 = tx.get_thread(ThreadId{100});
  REQUIRE(t100);
  require_same(*t100, thread(100, 10, 1000));
  auto t101 = tx.get_thread(ThreadId{101});
  REQUIRE(t101);
  require_same(*t101, listed(101, 10, 1010, false, ThreadKind::question));
  CHECK(code_of(tx.get_thread(ThreadId{102})) == errc::not_found);
  CHECK(thread_ids(tx, 10, unpinned) == Ids{101, 100});
  CHECK(thread_ids(tx, 10, pinned).empty());
  CHECK(thread_ids(tx, 10, unanswered) == Ids{101});
  CHECK(thread_ids(tx, 11, unpinned).empty());
  CHECK(thread_ids(tx, 11, pinned).empty());
  CHECK(thread_ids(tx, 12, unpinned).empty());
  CHECK(thread_ids(tx, 11, tagged("raid", true)).empty());
  CHECK(thread_ids(tx, 10, tagged("raid")).empty());
  auto posts = tx.list_posts(ThreadId{101}, PostId{}, 10);
  REQUIRE(posts);
  require_same(*posts, {post(1010, 101, 10)});
  auto first = tx.get_post(PostId{1000});
  REQUIRE(first);
  require_same(*first, post(1000, 100, 10));
  CHECK(first->reactions == std::vector<ReactionCount>{{"heart", 1}});
  auto posted = tx.has_posted(ThreadId{101}, MemberId{3});
  REQUIRE(posted);
  CHECK_FALSE(*posted);
  auto hearts = tx.list_reactions(PostId{1000}, "heart", MemberId{}, 10);
  REQUIRE(hearts);
  REQUIRE(hearts->size() == 1);
  CHECK((*hearts)[0].member == MemberId{2});
  CHECK((*hearts)[0].at == 5);
}

// Writes, on top of seed_threads(), a change through every thread, post and reaction method
// that seed_threads() filled; none may be kept.
void write_threads(Transaction& tx) {
  Thread moved = full_thread(101, 11, 1010);
  moved.accepted_answer = PostId{1011};
  REQUIRE(tx.update_thread(moved));
  Post reply = post(1011, 101, 11, 1010);
  reply.author = MemberId{3};
  REQUIRE(tx.insert_post(reply));
  REQUIRE(tx.move_posts(ThreadId{101}, SpaceId{11}));
  Thread gone = thread(100, 10, 1000);
  gone.deleted = true;
  gone.pinned = true;
  REQUIRE(tx.update_thread(gone));
  REQUIRE(tx.insert_thread(listed(102, 12, 1020, true, ThreadKind::question)));
  REQUIRE(tx.add_reaction(PostId{1000}, MemberId{3}, "heart", 6));
  REQUIRE(tx.remove_reaction(PostId{1000}, MemberId{2}, "heart"));
}

const FailingWrite failing_thread_writes[] = {
    {"update_thread of an absent thread",
     [](Transaction& tx) { return tx.update_thread(thread(999, 10, 9990)); }, errc::not_found},
    {"insert_thread of a taken id",
     [](Transaction& tx) { return tx.insert_thread(thread(101, 12, 1010)); }, errc::already_exists},
    {"insert_post of a taken id",
     [](Transaction& tx) { return tx.insert_post(post(1010, 101, 10)); }, errc::already_exists},
};
constexpr std::size_t failing_thread_write_count = std::size(failing_thread_writes);

}  // namespace

TEST_CASE("a transaction destroyed without commit leaves threads, post spaces and reactions",
          "[conformance][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  seed_threads(*s);
  {
    auto tx = begin(*s);
    write_threads(*tx);
    // Its own writes are visible inside it.
    CHECK(thread_ids(*tx, 11, pinned) == Ids{101});
    CHECK(thread_ids(*tx, 10, unpinned).empty());
    CHECK(thread_ids(*tx, 10, unanswered).empty());
    CHECK(thread_ids(*tx, 12, pinned_unanswered) == Ids{102});
    CHECK(thread_ids(*tx, 11, tagged("raid", true)) == Ids{101});
    auto p = tx->get_post(PostId{1010});
    REQUIRE(p);
    CHECK(p->space == SpaceId{11});
    auto posted = tx->has_posted(ThreadId{101}, MemberId{3});
    REQUIRE(posted);
    CHECK(*posted);
    auto hearts = tx->list_reactions(PostId{1000}, "heart", MemberId{}, 10);
    REQUIRE(hearts);
    CHECK(member_ids_of(*hearts) == Ids{3});
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded_threads(*tx);
}

TEST_CASE("a tag change that is not committed leaves the old tags, in the listings too",
          "[conformance][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  const Thread t101 = with_tags(listed(101, 10, 1010), {"pvp", "raid"});
  const Thread t102 = with_tags(listed(102, 10, 1020), {"raid"});
  const Thread t103 = listed(103, 10, 1030);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_thread(t101));
    REQUIRE(tx->insert_thread(t102));
    REQUIRE(tx->insert_thread(t103));
    REQUIRE(tx->commit());
  }
  const bool spoilt = GENERATE(false, true);
  INFO((spoilt ? "a failed write makes commit fail" : "destroyed without commit"));
  {
    auto tx = begin(*s);
    REQUIRE(tx->update_thread(with_tags(listed(101, 10, 1010), {"pvp"})));
    REQUIRE(tx->update_thread(with_tags(listed(102, 10, 1029), {"raid", "solo"})));
    REQUIRE(tx->update_thread(with_tags(listed(103, 10, 1030), {"raid"})));
    REQUIRE(tx->insert_thread(with_tags(listed(104, 10, 1040), {"raid"})));
    CHECK(thread_ids(*tx, 10, tagged("raid")) == Ids{104, 103, 102});
    CHECK(thread_ids(*tx, 10, tagged("solo")) == Ids{102});
    if (spoilt) {
      CHECK(code_of(tx->update_thread(with_tags(listed(999, 10, 9990), {"raid"}))) ==
            errc::not_found);
      CHECK_FALSE(tx->commit());
    }
  }
  auto tx = begin(*s, TxMode::read);
  for (const Thread& want : {t101, t102, t103}) {
    auto got = tx->get_thread(want.id);
    REQUIRE(got);
    require_same(*got, want);
  }
  CHECK(code_of(tx->get_thread(ThreadId{104})) == errc::not_found);
  CHECK(thread_ids(*tx, 10, tagged("raid")) == Ids{102, 101});
  CHECK(thread_ids(*tx, 10, tagged("pvp")) == Ids{101});
  CHECK(thread_ids(*tx, 10, tagged("solo")).empty());
}

TEST_CASE("a failed thread or post write spoils the transaction", "[conformance][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  seed_threads(*s);
  const std::size_t which = GENERATE(range(std::size_t{0}, failing_thread_write_count));
  const bool after_writes = GENERATE(true, false);
  const FailingWrite& w = failing_thread_writes[which];
  INFO("failing with " << w.name << (after_writes ? ", after other writes" : ", alone"));
  {
    auto tx = begin(*s);
    if (after_writes) write_threads(*tx);
    CHECK(code_of(w.call(*tx)) == w.expected);
    CHECK_FALSE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded_threads(*tx);
}

TEST_CASE("a read transaction cannot update threads, move posts or react",
          "[conformance][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  seed_threads(*s);
  {
    auto tx = begin(*s, TxMode::read);
    CHECK_FALSE(tx->update_thread(full_thread(101, 11, 1010)));
    CHECK_FALSE(tx->move_posts(ThreadId{101}, SpaceId{11}));
    CHECK_FALSE(tx->add_reaction(PostId{1000}, MemberId{3}, "heart", 6));
    CHECK_FALSE(tx->remove_reaction(PostId{1000}, MemberId{2}, "heart"));
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded_threads(*tx);
}

TEST_CASE("a transaction destroyed without commit leaves no role, ban, invite or request",
          "[conformance][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  seed_access(*s);
  {
    auto tx = begin(*s);
    write_everything(*tx);
    // Its own writes are visible inside it, the cascade of a delete too.
    auto renamed = tx->get_role(RoleId{20});
    REQUIRE(renamed);
    CHECK(renamed->name == "renamed");
    auto ghost = tx->get_invite("ghost");
    REQUIRE(ghost);
    CHECK(ghost->space == SpaceId{10});
    REQUIRE(tx->delete_role(RoleId{20}));
    auto held = tx->list_role_assignments(SpaceId{10}, MemberId{1});
    REQUIRE(held);
    CHECK(held->empty());
    auto overrides = tx->list_overrides(SpaceId{10});
    REQUIRE(overrides);
    CHECK(role_ids_of(*overrides) == Ids{21});
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded_access(*tx);
  CHECK(code_of(tx->get_role(RoleId{21})) == errc::not_found);
  CHECK(code_of(tx->get_ban(SpaceId{10}, MemberId{2})) == errc::not_found);
  CHECK(code_of(tx->get_invite("ghost")) == errc::not_found);
  CHECK(code_of(tx->get_join_request(SpaceId{10}, MemberId{2})) == errc::not_found);
}

TEST_CASE("a failed write to the permission and join tables spoils the transaction",
          "[conformance][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  seed_access(*s);
  const std::size_t which = GENERATE(range(std::size_t{0}, failing_write_count));
  const FailingWrite& w = failing_writes[which];
  INFO("failing with " << w.name);
  {
    auto tx = begin(*s);
    write_everything(*tx);
    CHECK(code_of(w.call(*tx)) == w.expected);
    CHECK_FALSE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded_access(*tx);
  CHECK(code_of(tx->get_role(RoleId{21})) == errc::not_found);
  CHECK(code_of(tx->get_ban(SpaceId{10}, MemberId{2})) == errc::not_found);
  CHECK(code_of(tx->get_invite("ghost")) == errc::not_found);
  CHECK(code_of(tx->get_join_request(SpaceId{10}, MemberId{2})) == errc::not_found);
}

TEST_CASE("the same failed write alone also makes commit fail", "[conformance][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  seed_access(*s);
  const std::size_t which = GENERATE(range(std::size_t{0}, failing_write_count));
  const FailingWrite& w = failing_writes[which];
  INFO("failing with " << w.name);
  {
    auto tx = begin(*s);
    CHECK(code_of(w.call(*tx)) == w.expected);
    CHECK_FALSE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded_access(*tx);
}

TEST_CASE("reads of absent roles, bans, invites and requests spoil nothing",
          "[conformance][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    CHECK(code_of(tx->get_role(RoleId{20})) == errc::not_found);
    CHECK(code_of(tx->get_ban(SpaceId{10}, MemberId{1})) == errc::not_found);
    CHECK(code_of(tx->get_invite("keep")) == errc::not_found);
    CHECK(code_of(tx->get_join_request(SpaceId{10}, MemberId{3})) == errc::not_found);
    auto roles = tx->list_roles(SpaceId{10});
    REQUIRE(roles);
    CHECK(roles->empty());
    REQUIRE(tx->insert_role(role(20, 10)));
    REQUIRE(tx->put_ban(ban(10, 1)));
    REQUIRE(tx->insert_invite(invite("keep", 10)));
    REQUIRE(tx->insert_join_request(join_request(10, 3)));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto r = tx->get_role(RoleId{20});
  REQUIRE(r);
  require_same(*r, role(20, 10));
  auto b = tx->get_ban(SpaceId{10}, MemberId{1});
  REQUIRE(b);
  require_same(*b, ban(10, 1));
  auto i = tx->get_invite("keep");
  REQUIRE(i);
  require_same(*i, invite("keep", 10));
  auto j = tx->get_join_request(SpaceId{10}, MemberId{3});
  REQUIRE(j);
  require_same(*j, join_request(10, 3));
}

TEST_CASE("a read transaction cannot write roles, bans, invites or requests",
          "[conformance][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s, TxMode::read);
    CHECK_FALSE(tx->insert_role(role(20, 10)));
    CHECK_FALSE(tx->put_override(SpaceId{10}, {RoleId{20}, {}, {}}));
    CHECK_FALSE(tx->put_ban(ban(10, 1)));
    CHECK_FALSE(tx->insert_invite(invite("keep", 10)));
    CHECK_FALSE(tx->insert_join_request(join_request(10, 3)));
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(code_of(tx->get_role(RoleId{20})) == errc::not_found);
  auto overrides = tx->list_overrides(SpaceId{10});
  REQUIRE(overrides);
  CHECK(overrides->empty());
  CHECK(code_of(tx->get_ban(SpaceId{10}, MemberId{1})) == errc::not_found);
  CHECK(code_of(tx->get_invite("keep")) == errc::not_found);
  CHECK(code_of(tx->get_join_request(SpaceId{10}, MemberId{3})) == errc::not_found);
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
  if (!persists()) return;
  {
    auto s = fresh_storage();
    seed(*s);
    auto tx = begin(*s);
    REQUIRE(tx->add_reaction(PostId{1000}, MemberId{2}, "heart", 9));
    REQUIRE(tx->append_event({0, EventType::reaction_added, SpaceId{10}, MemberId{2}, 9, "{}"}));
    REQUIRE(tx->insert_thread(full_thread(101, 11, 1010)));
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
  auto threads = tx->list_threads(SpaceId{10}, ThreadListing{}, ThreadPosition{}, 10);
  REQUIRE(threads);
  CHECK(ids_of(*threads) == Ids{100});
  auto full = tx->get_thread(ThreadId{101});
  REQUIRE(full);
  require_same(*full, full_thread(101, 11, 1010));
  CHECK(thread_ids(*tx, 11, pinned) == Ids{101});
  CHECK(thread_ids(*tx, 11, tagged("line\nbreak", true)) == Ids{101});
  auto hearts = tx->list_reactions(PostId{1000}, "heart", MemberId{}, 10);
  REQUIRE(hearts);
  REQUIRE(hearts->size() == 1);
  CHECK((*hearts)[0].member == MemberId{2});
  CHECK((*hearts)[0].at == 9);
  auto events = tx->read_events(0, 10);
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].seq == 1);
}

TEST_CASE("roles, bans, invites and join requests survive closing and reopening the storage",
          "[conformance][persistence]") {
  if (!persists()) return;
  {
    auto s = fresh_storage();
    seed(*s);
    seed_access(*s);
    auto tx = begin(*s);
    REQUIRE(tx->insert_role_assignment(assignment(10, 2, builtin::moderator_role.value, 0)));
    REQUIRE(tx->put_override(SpaceId{11}, {builtin::everyone_role, {}, Permissions::all()}));
    REQUIRE(tx->insert_invite(invite("AbC", 10)));
    REQUIRE(tx->commit());
    tx.reset();
    auto uncommitted = begin(*s);
    write_everything(*uncommitted);
  }
  auto reopened = g_factory.reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened, TxMode::read);
  auto r = tx->get_role(RoleId{20});
  REQUIRE(r);
  require_same(*r, role(20, 10));
  auto sp = tx->get_space(SpaceId{10});
  REQUIRE(sp);
  CHECK(sp->join_policy == JoinPolicy::request);
  CHECK(sp->member_cap == 50);
  auto held = tx->list_role_assignments(SpaceId{10}, MemberId{2});
  REQUIRE(held);
  require_same(*held, {assignment(10, 2, builtin::moderator_role.value, 0)});
  auto o11 = tx->list_overrides(SpaceId{11});
  REQUIRE(o11);
  require_same(*o11, {RoleOverride{builtin::everyone_role, {}, Permissions::all()}});
  auto invites = tx->list_invites(SpaceId{10}, "", 10);
  REQUIRE(invites);
  require_same(*invites, {invite("AbC", 10), invite("keep", 10)});
  CHECK(code_of(tx->get_invite("ghost")) == errc::not_found);
  // The rest is as seed_access() committed it; the uncommitted writes are gone.
  auto held1 = tx->list_role_assignments(SpaceId{10}, MemberId{1});
  REQUIRE(held1);
  require_same(*held1, {assignment(10, 1, 20)});
  auto o10 = tx->list_overrides(SpaceId{10});
  REQUIRE(o10);
  require_same(*o10, {RoleOverride{RoleId{20}, Permissions{Permission::pin}, {}}});
  auto bans = tx->list_bans(SpaceId{10}, MemberId{}, 10);
  REQUIRE(bans);
  require_same(*bans, {ban(10, 1)});
  auto requests = tx->list_join_requests(SpaceId{10}, MemberId{}, 10);
  REQUIRE(requests);
  require_same(*requests, {join_request(10, 3)});
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

  const char* method =
      GENERATE("insert_post", "index_post", "update_space", "append_event", "commit");
  faulty->fail_method = method;
  INFO("failing " << method);
  auto t = engine->create_thread(ada->id, guild->id, "Title", "Body");
  CHECK_FALSE(t);
  faulty->fail_method.clear();

  auto listing = engine->list_threads(MemberId{}, guild->id, {"", 25});
  REQUIRE(listing);
  CHECK(listing->items.empty());
  auto found = engine->search(ada->id, "body", {}, {"", 25});
  REQUIRE(found);
  CHECK(found->items.empty());
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

// --- notifications and read markers ------------------------------------------------------

namespace {

Notification note(std::uint64_t id, std::uint64_t recipient,
                  NotificationKind kind = NotificationKind::reply, std::uint64_t space_id = 10,
                  std::uint64_t post_id = 1000) {
  Notification n;
  n.id = NotificationId{id};
  n.recipient = MemberId{recipient};
  n.kind = kind;
  n.space = SpaceId{space_id};
  n.thread = ThreadId{100};
  n.post = PostId{post_id};
  n.actor = MemberId{3};
  n.count = 2;
  n.created_at = 1'700'000'000'000 + static_cast<Timestamp>(id);
  n.updated_at = n.created_at + 5;
  return n;
}

void require_same(const Notification& a, const Notification& b) {
  CHECK(a.id == b.id);
  CHECK(a.recipient == b.recipient);
  CHECK(a.kind == b.kind);
  CHECK(a.space == b.space);
  CHECK(a.thread == b.thread);
  CHECK(a.post == b.post);
  CHECK(a.actor == b.actor);
  CHECK(a.count == b.count);
  CHECK(a.created_at == b.created_at);
  CHECK(a.updated_at == b.updated_at);
  CHECK(a.read == b.read);
}

Ids inbox(Transaction& tx, std::uint64_t recipient, std::uint64_t before = 0, bool unread = false,
          std::uint32_t limit = 100) {
  auto r = tx.list_notifications(MemberId{recipient}, NotificationId{before}, unread, limit);
  REQUIRE(r);
  return ids_of(*r);
}

using SpaceCounts = std::vector<std::pair<std::uint64_t, std::uint32_t>>;
SpaceCounts unread_per_space(Transaction& tx, std::uint64_t recipient) {
  auto r = tx.count_unread_notifications(MemberId{recipient});
  REQUIRE(r);
  SpaceCounts out;
  for (const auto& [space, count] : *r) out.emplace_back(space.value, count);
  return out;
}

// On top of seed(): member 1's notifications 1..6 (3 and 5 read; 4 about space 11, 6 a
// reaction about post 1000) and member 2's 7; member 1's marker in space 10.
void seed_inbox(Storage& s) {
  auto tx = begin(s);
  for (std::uint64_t id = 1; id <= 6; ++id) {
    Notification n = note(id, 1, id == 6 ? NotificationKind::reaction : NotificationKind::reply,
                          id == 4 ? 11 : 10);
    n.read = id == 3 || id == 5;
    REQUIRE(tx->insert_notification(n));
  }
  REQUIRE(tx->insert_notification(note(7, 2, NotificationKind::reaction)));
  REQUIRE(tx->put_read_marker({SpaceId{10}, MemberId{1}, PostId{1000}, 5}));
  REQUIRE(tx->commit());
}

void require_seeded_inbox(Transaction& tx) {
  CHECK(inbox(tx, 1) == Ids{6, 5, 4, 3, 2, 1});
  CHECK(inbox(tx, 1, 0, true) == Ids{6, 4, 2, 1});
  CHECK(inbox(tx, 2) == Ids{7});
  auto marker = tx.get_read_marker(SpaceId{10}, MemberId{1});
  REQUIRE(marker);
  CHECK(marker->last_read == PostId{1000});
  CHECK(code_of(tx.get_read_marker(SpaceId{11}, MemberId{1})) == errc::not_found);
}

}  // namespace

TEST_CASE("notifications round-trip and list newest first - by keyset - unread only on request",
          "[conformance][notifications]") {
  auto s = fresh_storage();
  seed(*s);
  seed_inbox(*s);
  auto tx = begin(*s, TxMode::read);
  for (std::uint64_t id = 1; id <= 7; ++id) {
    auto got = tx->get_notification(MemberId{id == 7 ? 2u : 1u}, NotificationId{id});
    REQUIRE(got);
    Notification want =
        note(id, id == 7 ? 2 : 1, id >= 6 ? NotificationKind::reaction : NotificationKind::reply,
             id == 4 ? 11 : 10);
    want.read = id == 3 || id == 5;
    require_same(*got, want);
  }
  CHECK(code_of(tx->get_notification(MemberId{1}, NotificationId{99})) == errc::not_found);
  // Found by recipient and id: another member's is not found.
  CHECK(code_of(tx->get_notification(MemberId{2}, NotificationId{1})) == errc::not_found);
  CHECK(code_of(tx->get_notification(MemberId{1}, NotificationId{7})) == errc::not_found);
  require_seeded_inbox(*tx);
  // Keyset paging: id < before, newest first.
  CHECK(inbox(*tx, 1, 0, false, 2) == Ids{6, 5});
  CHECK(inbox(*tx, 1, 5, false, 2) == Ids{4, 3});
  CHECK(inbox(*tx, 1, 3, false, 2) == Ids{2, 1});
  CHECK(inbox(*tx, 1, 1, false, 2).empty());
  CHECK(inbox(*tx, 1, 5, true, 2) == Ids{4, 2});
  CHECK(inbox(*tx, 1, 2, true, 2) == Ids{1});
  CHECK(inbox(*tx, 3).empty());
  // A bound above every id, even beyond the signed range, lists from the newest.
  CHECK(inbox(*tx, 1, UINT64_MAX, false, 1) == Ids{6});
}

TEST_CASE("update_notification replaces every field - the id included",
          "[conformance][notifications]") {
  auto s = fresh_storage();
  seed(*s);
  seed_inbox(*s);
  {
    auto tx = begin(*s);
    Notification read = note(2, 1);
    read.read = true;
    REQUIRE(tx->update_notification(NotificationId{2}, read));
    // A bumped aggregate: a new id, actor, count and time.
    Notification bumped = note(20, 1, NotificationKind::reaction);
    bumped.actor = MemberId{2};
    bumped.count = 3;
    REQUIRE(tx->update_notification(NotificationId{6}, bumped));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(code_of(tx->get_notification(MemberId{1}, NotificationId{6})) == errc::not_found);
  auto bumped = tx->get_notification(MemberId{1}, NotificationId{20});
  REQUIRE(bumped);
  CHECK(bumped->actor == MemberId{2});
  CHECK(bumped->count == 3);
  CHECK(inbox(*tx, 1) == Ids{20, 5, 4, 3, 2, 1});
  CHECK(inbox(*tx, 1, 0, true) == Ids{20, 4, 1});
  auto found_bumped = tx->find_reaction_notification(MemberId{1}, PostId{1000});
  REQUIRE(found_bumped);
  CHECK(found_bumped->id == NotificationId{20});
}

TEST_CASE("find_reaction_notification finds the unread reaction aggregate of a recipient and post",
          "[conformance][notifications]") {
  auto s = fresh_storage();
  seed(*s);
  seed_inbox(*s);
  {
    auto tx = begin(*s, TxMode::read);
    auto open = tx->find_reaction_notification(MemberId{1}, PostId{1000});
    REQUIRE(open);
    CHECK(open->id == NotificationId{6});
    auto theirs = tx->find_reaction_notification(MemberId{2}, PostId{1000});
    REQUIRE(theirs);
    CHECK(theirs->id == NotificationId{7});
    CHECK(code_of(tx->find_reaction_notification(MemberId{1}, PostId{1001})) == errc::not_found);
    CHECK(code_of(tx->find_reaction_notification(MemberId{3}, PostId{1000})) == errc::not_found);
    // A read transaction stays usable after a not_found.
    CHECK(tx->get_notification(MemberId{1}, NotificationId{1}));
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_notification(note(8, 1, NotificationKind::reaction, 10, 1001)));
    Notification read = note(9, 1, NotificationKind::reaction, 10, 1002);
    read.read = true;
    REQUIRE(tx->insert_notification(read));
    REQUIRE(tx->insert_notification(note(10, 1, NotificationKind::reaction, 10, 1000)));
    // Read, or not a reaction: not the aggregate.
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto newest = tx->find_reaction_notification(MemberId{1}, PostId{1000});
  REQUIRE(newest);
  CHECK(newest->id == NotificationId{10});
  auto other = tx->find_reaction_notification(MemberId{1}, PostId{1001});
  REQUIRE(other);
  CHECK(other->id == NotificationId{8});
  CHECK(code_of(tx->find_reaction_notification(MemberId{1}, PostId{1002})) == errc::not_found);
  auto marked = tx->mark_notifications_read(MemberId{1}, NotificationId{10});
  REQUIRE(marked);
  CHECK(code_of(tx->find_reaction_notification(MemberId{1}, PostId{1000})) == errc::not_found);
}

TEST_CASE("mark_notifications_read marks a recipient's unread ones up to an id - counted per space",
          "[conformance][notifications]") {
  auto s = fresh_storage();
  seed(*s);
  seed_inbox(*s);
  {
    auto tx = begin(*s, TxMode::read);
    CHECK(unread_per_space(*tx, 1) == SpaceCounts{{10, 3}, {11, 1}});
    CHECK(unread_per_space(*tx, 2) == SpaceCounts{{10, 1}});
    CHECK(unread_per_space(*tx, 3).empty());
  }
  {
    auto tx = begin(*s);
    auto first = tx->mark_notifications_read(MemberId{1}, NotificationId{4});
    REQUIRE(first);
    CHECK(*first == 3);  // 1, 2 and 4; 3 was read
    auto again = tx->mark_notifications_read(MemberId{1}, NotificationId{4});
    REQUIRE(again);
    CHECK(*again == 0);
    CHECK(inbox(*tx, 1, 0, true) == Ids{6});
    CHECK(unread_per_space(*tx, 1) == SpaceCounts{{10, 1}});
    REQUIRE(tx->commit());
  }
  {
    auto tx = begin(*s);
    auto all = tx->mark_notifications_read(MemberId{1}, NotificationId{UINT64_MAX});
    REQUIRE(all);
    CHECK(*all == 1);
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(inbox(*tx, 1, 0, true).empty());
  CHECK(inbox(*tx, 1) == Ids{6, 5, 4, 3, 2, 1});
  CHECK(unread_per_space(*tx, 1).empty());
  CHECK(inbox(*tx, 2, 0, true) == Ids{7});  // another recipient's are untouched
  auto n = tx->get_notification(MemberId{1}, NotificationId{2});
  REQUIRE(n);
  CHECK(n->read);
}

TEST_CASE("read markers are one per member and space - replaced by put_read_marker",
          "[conformance][notifications]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->put_read_marker({SpaceId{12}, MemberId{1}, PostId{5}, 1}));
    REQUIRE(tx->put_read_marker({SpaceId{10}, MemberId{1}, PostId{7}, 2}));
    REQUIRE(tx->put_read_marker({SpaceId{10}, MemberId{2}, PostId{8}, 3}));
    REQUIRE(tx->put_read_marker({SpaceId{12}, MemberId{1}, PostId{9}, 4}));  // replaces
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto mine = tx->list_read_markers(MemberId{1});
  REQUIRE(mine);
  REQUIRE(mine->size() == 2);
  CHECK((*mine)[0].space == SpaceId{10});
  CHECK((*mine)[0].member == MemberId{1});
  CHECK((*mine)[0].last_read == PostId{7});
  CHECK((*mine)[0].updated_at == 2);
  CHECK((*mine)[1].space == SpaceId{12});
  CHECK((*mine)[1].last_read == PostId{9});
  CHECK((*mine)[1].updated_at == 4);
  auto theirs = tx->get_read_marker(SpaceId{10}, MemberId{2});
  REQUIRE(theirs);
  CHECK(theirs->last_read == PostId{8});
  CHECK(code_of(tx->get_read_marker(SpaceId{11}, MemberId{2})) == errc::not_found);
  auto none = tx->list_read_markers(MemberId{3});
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("list_member_spaces lists a member's memberships by space - from a space id on",
          "[conformance][notifications]") {
  auto s = fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    for (std::uint64_t space_id : {12u, 10u, 11u})
      REQUIRE(tx->insert_membership({SpaceId{space_id}, MemberId{2}, 40 + Timestamp(space_id)}));
    REQUIRE(tx->insert_membership({SpaceId{11}, MemberId{3}, 1}));
    REQUIRE(tx->delete_membership(SpaceId{12}, MemberId{2}));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto spaces_of = [&](std::uint64_t member_id, std::uint64_t after, std::uint32_t limit) {
    auto r = tx->list_member_spaces(MemberId{member_id}, SpaceId{after}, limit);
    REQUIRE(r);
    Ids out;
    for (const Membership& m : *r) {
      CHECK(m.member == MemberId{member_id});
      out.push_back(m.space.value);
    }
    return out;
  };
  CHECK(spaces_of(2, 0, 10) == Ids{10, 11});
  CHECK(spaces_of(2, 0, 1) == Ids{10});
  CHECK(spaces_of(2, 10, 10) == Ids{11});
  CHECK(spaces_of(3, 0, 10) == Ids{11});
  CHECK(spaces_of(1, 0, 10).empty());
  auto first = tx->list_member_spaces(MemberId{2}, SpaceId{}, 1);
  REQUIRE(first);
  CHECK(first->front().joined_at == 50);
}

TEST_CASE("count_posts_after counts a space's live posts past an id - but one author's - to a cap",
          "[conformance][notifications]") {
  auto s = fresh_storage();
  seed(*s);  // post 1000 by member 1 in space 10
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_thread(thread(101, 11, 1100)));
    for (std::uint64_t id = 1001; id <= 1010; ++id) {
      Post p = post(id, 100, 10, 1000);
      p.author = MemberId{id % 2 == 0 ? 2u : 3u};
      p.deleted = id == 1004;
      p.removed = id == 1006;
      REQUIRE(tx->insert_post(p));
    }
    REQUIRE(tx->insert_post(post(1100, 101, 11)));
    REQUIRE(tx->commit());
  }
  auto count = [&](Transaction& tx, std::uint64_t space_id, std::uint64_t after,
                   std::uint64_t except, std::uint32_t cap) {
    auto r = tx.count_posts_after(SpaceId{space_id}, PostId{after}, MemberId{except}, cap);
    REQUIRE(r);
    return *r;
  };
  {
    auto tx = begin(*s, TxMode::read);
    // 1001..1010 less the deleted 1004 and the removed 1006; 1000 is not after 1000.
    CHECK(count(*tx, 10, 1000, 0, 100) == 8);
    CHECK(count(*tx, 10, 0, 0, 100) == 9);
    CHECK(count(*tx, 10, 1000, 2, 100) == 5);  // member 2 wrote 1002, 1008, 1010
    CHECK(count(*tx, 10, 1000, 3, 100) == 3);
    CHECK(count(*tx, 10, 1007, 0, 100) == 3);
    CHECK(count(*tx, 10, 1000, 0, 4) == 4);
    CHECK(count(*tx, 10, 1000, 0, 0) == 0);
    CHECK(count(*tx, 10, 1010, 0, 100) == 0);
    CHECK(count(*tx, 11, 0, 0, 100) == 1);
    CHECK(count(*tx, 12, 0, 0, 100) == 0);
    CHECK(count(*tx, 10, UINT64_MAX, 0, 100) == 0);
  }
  {
    auto tx = begin(*s);
    REQUIRE(tx->move_posts(ThreadId{100}, SpaceId{12}));
    Post restored = post(1006, 100, 12, 1000);
    restored.author = MemberId{2};
    REQUIRE(tx->update_post(restored));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  CHECK(count(*tx, 10, 0, 0, 100) == 0);
  CHECK(count(*tx, 12, 1000, 0, 100) == 9);
}

TEST_CASE("a transaction destroyed without commit leaves no notification or read marker",
          "[conformance][notifications][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  seed_inbox(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_notification(note(30, 1)));
    REQUIRE(tx->update_notification(NotificationId{6}, note(31, 1, NotificationKind::reaction)));
    REQUIRE(tx->mark_notifications_read(MemberId{1}, NotificationId{UINT64_MAX}));
    REQUIRE(tx->put_read_marker({SpaceId{10}, MemberId{1}, PostId{2000}, 9}));
    REQUIRE(tx->put_read_marker({SpaceId{11}, MemberId{1}, PostId{2000}, 9}));
    CHECK(inbox(*tx, 1, 0, true).empty());  // its own writes are visible inside it
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded_inbox(*tx);
  CHECK(code_of(tx->get_notification(MemberId{1}, NotificationId{30})) == errc::not_found);
}

TEST_CASE("a failed notification write spoils the transaction",
          "[conformance][notifications][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  seed_inbox(*s);
  const int which = GENERATE(0, 1, 2, 3);
  const bool after_writes = GENERATE(true, false);
  {
    auto tx = begin(*s);
    if (after_writes) {
      REQUIRE(tx->insert_notification(note(30, 1)));
      REQUIRE(tx->mark_notifications_read(MemberId{1}, NotificationId{UINT64_MAX}));
      REQUIRE(tx->put_read_marker({SpaceId{11}, MemberId{1}, PostId{2000}, 9}));
    }
    switch (which) {
      case 0:
        CHECK(code_of(tx->insert_notification(note(7, 2))) == errc::already_exists);
        break;
      case 3:  // stored under that id, but for another recipient
        CHECK(code_of(tx->update_notification(NotificationId{7}, note(7, 1))) == errc::not_found);
        break;
      case 1:
        CHECK(code_of(tx->update_notification(NotificationId{99}, note(99, 1))) == errc::not_found);
        break;
      default:
        CHECK(code_of(tx->update_notification(NotificationId{1}, note(2, 1))) ==
              errc::already_exists);
        break;
    }
    CHECK_FALSE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded_inbox(*tx);
}

TEST_CASE("a read transaction cannot write notifications or read markers",
          "[conformance][notifications][atomicity]") {
  auto s = fresh_storage();
  seed(*s);
  seed_inbox(*s);
  {
    auto tx = begin(*s, TxMode::read);
    CHECK_FALSE(tx->insert_notification(note(30, 1)));
    CHECK_FALSE(tx->update_notification(NotificationId{1}, note(1, 1)));
    CHECK_FALSE(tx->mark_notifications_read(MemberId{1}, NotificationId{UINT64_MAX}));
    CHECK_FALSE(tx->put_read_marker({SpaceId{11}, MemberId{1}, PostId{2000}, 9}));
  }
  auto tx = begin(*s, TxMode::read);
  require_seeded_inbox(*tx);
}

TEST_CASE("notifications and read markers survive closing and reopening the storage",
          "[conformance][notifications][persistence]") {
  if (!persists()) return;
  {
    auto s = fresh_storage();
    seed(*s);
    seed_inbox(*s);
    auto tx = begin(*s);
    REQUIRE(tx->insert_membership({SpaceId{11}, MemberId{2}, 77}));
    REQUIRE(tx->commit());
  }
  auto reopened = g_factory.reopen();
  REQUIRE(reopened);
  auto tx = begin(**reopened, TxMode::read);
  require_seeded_inbox(*tx);
  auto n = tx->get_notification(MemberId{1}, NotificationId{6});
  REQUIRE(n);
  require_same(*n, note(6, 1, NotificationKind::reaction));
  CHECK(unread_per_space(*tx, 1) == SpaceCounts{{10, 3}, {11, 1}});
  auto spaces = tx->list_member_spaces(MemberId{2}, SpaceId{}, 10);
  REQUIRE(spaces);
  REQUIRE(spaces->size() == 1);
  CHECK(spaces->front().joined_at == 77);
  auto posts = tx->count_posts_after(SpaceId{10}, PostId{}, MemberId{}, 10);
  REQUIRE(posts);
  CHECK(*posts == 1);
}

TEST_CASE("concurrent reactions to one member's post aggregate into one exact count",
          "[conformance][engine][notifications][concurrency]") {
  auto engine = open_engine(fresh_storage());
  auto ada = engine->create_member("ada", "Ada");
  REQUIRE(ada);
  auto guild = engine->create_space(ada->id, {{}, SpaceKind::guild, "Guild", ""});
  REQUIRE(guild);
  auto t = engine->create_thread(ada->id, guild->id, "Loot", "Look");
  REQUIRE(t);
  constexpr int threads = 4;
  constexpr int per_thread = 10;
  std::vector<MemberId> fans;
  for (int i = 0; i < threads * per_thread; ++i) {
    auto m = engine->create_member("fan" + std::to_string(i), "Fan");
    REQUIRE(m);
    REQUIRE(engine->join_space(m->id, guild->id));
    fans.push_back(m->id);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < per_thread; ++i) {
        const MemberId fan = fans[static_cast<std::size_t>(w * per_thread + i)];
        auto r = engine->react(fan, t->first_post.id, "heart");
        if (!r || !*r) ++failures;
        if (i % 3 == 0 && !engine->react(fan, t->first_post.id, "laugh")) ++failures;
        if (!engine->unread_counts(ada->id)) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  CHECK(failures == 0);
  auto inbox = engine->list_notifications(ada->id, {"", 10});
  REQUIRE(inbox);
  REQUIRE(inbox->items.size() == 1);
  CHECK(inbox->items[0].kind == NotificationKind::reaction);
  CHECK(inbox->items[0].count == threads * per_thread);
  auto unread = engine->unread_counts(ada->id);
  REQUIRE(unread);
  CHECK(unread->notifications == 1);
}

std::shared_ptr<Storage> detail::fresh_storage() { return conformance::fresh_storage(); }

const StorageFactory& detail::factory() { return g_factory; }

int run(StorageFactory factory, int argc, char** argv) {
  g_factory = std::move(factory);
  if (!g_factory.create) return 2;
  detail::link_security_matrix();
  detail::link_search_kit();
  detail::link_reputation_kit();
  detail::link_trust_kit();
  detail::link_badges_kit();
  detail::link_audit_kit();
  detail::link_reports_kit();
  detail::link_notes_kit();
  detail::link_automod_kit();
  detail::link_sanctions_kit();
  detail::link_group_commit_kit();
  Catch::Session session;
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  return session.run();
}

}  // namespace hearth::conformance
