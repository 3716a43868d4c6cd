#include "hearth/engine.hpp"  // first: the header stands alone

#include <algorithm>

#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

TEST_CASE("a member is created and found by id, handle and external reference", "[members]") {
  auto engine = ok(Engine::open({}));
  auto m = ok(engine->create_member("Ada_Lovelace", "  Ada L. ", "steam:76561"));
  CHECK(m.id);
  CHECK(m.handle == "Ada_Lovelace");
  CHECK(m.display_name == "Ada L.");
  CHECK(m.external_ref == "steam:76561");
  CHECK(m.active);
  CHECK(ok(engine->get_member(m.id)).handle == "Ada_Lovelace");
  CHECK(ok(engine->find_member_by_handle("ada_lovelace")).id == m.id);
  CHECK(ok(engine->find_member_by_external_ref("steam:76561")).id == m.id);
  CHECK(code_of(engine->get_member(MemberId{12345})) == errc::not_found);
  CHECK(code_of(engine->find_member_by_handle("nobody")) == errc::not_found);
  CHECK(code_of(engine->find_member_by_handle("")) == errc::not_found);
  CHECK(code_of(engine->find_member_by_external_ref("steam:1")) == errc::not_found);
}

TEST_CASE("handles and external references are unique", "[members]") {
  auto engine = ok(Engine::open({}));
  ok(engine->create_member("ada", "Ada", "ref"));
  CHECK(code_of(engine->create_member("ADA", "Other")) == errc::already_exists);
  CHECK(code_of(engine->create_member("bob", "Bo", "ref")) == errc::already_exists);
  CHECK(ok(engine->create_member("bob", "Bo")).handle == "bob");
}

TEST_CASE("bad member input is refused with a clear code", "[members]") {
  auto engine = ok(Engine::open({}));
  CHECK(code_of(engine->create_member("ab", "Too short")) == errc::invalid_argument);
  CHECK(code_of(engine->create_member(std::string(33, 'a'), "Too long")) == errc::invalid_argument);
  CHECK(code_of(engine->create_member("has space", "X")) == errc::invalid_argument);
  CHECK(code_of(engine->create_member("h\xC3\xA9llo", "X")) == errc::invalid_argument);
  CHECK(code_of(engine->create_member("valid", "   ")) == errc::empty_field);
  CHECK(code_of(engine->create_member("valid", std::string(65, 'x'))) == errc::too_long);
  CHECK(code_of(engine->create_member("valid", "bad \xFF")) == errc::invalid_utf8);
  CHECK(code_of(engine->create_member("valid", "X", "")) == errc::empty_field);
  CHECK(code_of(engine->create_member("valid", "X", " padded")) == errc::invalid_argument);
  CHECK(code_of(engine->create_member("valid", "X", std::string(201, 'r'))) == errc::too_long);
  // Nothing of the refused calls was stored.
  CHECK(code_of(engine->find_member_by_handle("valid")) == errc::not_found);
  auto events = ok(engine->read_events(0, 10));
  CHECK(events.empty());
}

TEST_CASE("a member updates their own profile only", "[members]") {
  Community c;
  ProfileUpdate update;
  update.display_name = "Ada the Great";
  update.bio = "Raid leader.\nLikes owls.";
  auto m = ok(c->update_profile(c.ada.id, c.ada.id, update));
  CHECK(m.display_name == "Ada the Great");
  CHECK(m.bio == "Raid leader.\nLikes owls.");
  CHECK(ok(c->get_member(c.ada.id)).bio == "Raid leader.\nLikes owls.");

  CHECK(code_of(c->update_profile(c.bo.id, c.ada.id, update)) == errc::forbidden);
  CHECK(code_of(c->update_profile(c.ada.id, MemberId{999}, update)) == errc::not_found);
  ProfileUpdate bad;
  bad.display_name = "";
  CHECK(code_of(c->update_profile(c.ada.id, c.ada.id, bad)) == errc::empty_field);
  bad.display_name.reset();
  bad.bio = std::string(2001, 'b');
  CHECK(code_of(c->update_profile(c.ada.id, c.ada.id, bad)) == errc::too_long);
  ProfileUpdate only_bio;
  only_bio.bio = "";
  auto cleared = ok(c->update_profile(c.ada.id, c.ada.id, only_bio));
  CHECK(cleared.bio.empty());
  CHECK(cleared.display_name == "Ada the Great");
}

TEST_CASE("a deactivated member is kept but can no longer act", "[members]") {
  Community c;
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Hello", "First post"));
  CHECK(code_of(c->deactivate_member(c.ada.id, c.bo.id)) == errc::forbidden);
  ok(c->deactivate_member(c.bo.id, c.bo.id));
  CHECK_FALSE(ok(c->get_member(c.bo.id)).active);
  CHECK(code_of(c->deactivate_member(c.bo.id, c.bo.id)) == errc::gone);
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "Again", "x")) == errc::forbidden);
  CHECK(code_of(c->reply(c.bo.id, t.first_post.id, "x")) == errc::forbidden);
  CHECK(code_of(c->react(c.bo.id, t.first_post.id, "+1")) == errc::forbidden);
  CHECK(code_of(c->join_space(c.bo.id, c.guild.id)) == errc::forbidden);
  ProfileUpdate update;
  update.bio = "back";
  CHECK(code_of(c->update_profile(c.bo.id, c.bo.id, update)) == errc::gone);
  // Their posts stay readable.
  auto page = ok(c->get_thread_page(MemberId{}, t.thread.id, {}));
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0].body == "First post");
}

TEST_CASE("an erased member keeps no personal data and leaves the spaces they do not own",
          "[members][erasure]") {
  Community c;
  ProfileUpdate update;
  update.bio = "Night raider";
  ok(c->update_profile(c.bo.id, c.bo.id, update));
  const Member ref = ok(c->create_member("fen", "Fen", std::string_view("steam:42")));
  const Space den = ok(c->create_space(ref.id, {{}, SpaceKind::guild, "Fen's den", ""}));
  REQUIRE(ok(c->join_space(c.bo.id, den.id)));
  const std::uint64_t before = ok(c->last_event_seq());
  c.clock->advance(5'000);

  ok(c->erase_member(ref.id));
  const Member erased = ok(c->get_member(ref.id));
  CHECK(erased.handle == "erased-" + std::to_string(ref.id.value));
  CHECK(erased.display_name.empty());
  CHECK(erased.bio.empty());
  CHECK_FALSE(erased.external_ref.has_value());
  CHECK_FALSE(erased.active);
  CHECK(erased.erased_at == c.clock->now());
  CHECK(code_of(c->find_member_by_handle("fen")) == errc::not_found);
  CHECK(code_of(c->find_member_by_external_ref("steam:42")) == errc::not_found);
  CHECK(ok(c->find_member_by_handle(erased.handle)).id == ref.id);
  // The log's earlier events name them by the placeholder too.
  for (const Event& e : ok(c->read_events(0, 100))) {
    INFO(e.payload);
    CHECK(e.payload.find("fen") == std::string::npos);
    CHECK(e.payload.find("Fen\"") == std::string::npos);
  }
  {
    auto created = ok(c->read_events(0, 100));
    auto it = std::find_if(created.begin(), created.end(), [&](const Event& e) {
      return e.type == EventType::member_created && e.actor == ref.id;
    });
    REQUIRE(it != created.end());
    CHECK(it->payload == R"({"member":")" + std::to_string(ref.id.value) + R"(","handle":")" +
                             erased.handle + R"(","display_name":""})");
  }
  // Their handle and external reference are free again; the placeholders are not handles.
  CHECK(ok(c->create_member("fen", "New Fen", std::string_view("steam:42"))).id != ref.id);
  CHECK(code_of(c->create_member("erased-999", "x")) == errc::invalid_argument);
  CHECK(code_of(c->create_member("Erased-Me", "x")) == errc::invalid_argument);
  CHECK(ok(c->create_member("erased", "just the word")).handle == "erased");

  // They own the den: it keeps its owner; the others still meet there.
  CHECK(ok(c->get_space(c.bo.id, den.id)).owner == ref.id);
  CHECK(ok(c->get_space(c.bo.id, den.id)).member_count == 2);
  // An erasure is for good: it cannot be repeated, and the member cannot act.
  CHECK(code_of(c->erase_member(ref.id)) == errc::gone);
  CHECK(code_of(c->erase_member(MemberId{987654})) == errc::not_found);
  CHECK(code_of(c->update_profile(ref.id, ref.id, update)) == errc::gone);
  CHECK(code_of(c->deactivate_member(ref.id, ref.id)) == errc::gone);
  CHECK(code_of(c->join_space(ref.id, c.guild.id)) == errc::forbidden);

  // The log says it happened, naming no more than the id.
  auto events = ok(c->read_events(before, 1));
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == EventType::member_erased);
  CHECK_FALSE(events[0].actor);
  CHECK(events[0].payload == R"({"member":")" + std::to_string(ref.id.value) + R"("})");
}

TEST_CASE("an erased member's posts stay under the placeholder and they leave their spaces",
          "[members][erasure]") {
  Community c;
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Loot", "Split evenly"));
  const std::uint64_t before = ok(c->last_event_seq());
  ok(c->erase_member(c.bo.id));
  // Bo left the guild: one member_left, by the host.
  auto events = ok(c->read_events(before, 100));
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == EventType::member_left);
  CHECK(events[0].space == c.guild.id);
  CHECK_FALSE(events[0].actor);
  auto members = ok(c->list_space_members(c.ada.id, c.guild.id, {}));
  REQUIRE(members.items.size() == 1);
  CHECK(members.items[0].member == c.ada.id);
  CHECK(ok(c->get_space(c.ada.id, c.guild.id)).member_count == 1);
  // The thread stays, by the same author id, whose profile is now the placeholder.
  auto page = ok(c->get_thread_page(MemberId{}, t.thread.id, {}));
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0].author == c.bo.id);
  CHECK(page.items[0].body == "Split evenly");
}
