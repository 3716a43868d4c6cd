#include "hearth/engine.hpp"

#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

TEST_CASE("the creator of a space owns it and is its first member", "[spaces]") {
  Community c;
  auto s = ok(
      c->create_space(c.cy.id, {{}, SpaceKind::forum, " Help desk ", "Ask anything.\nBe kind."}));
  CHECK(s.name == "Help desk");
  CHECK(s.description == "Ask anything.\nBe kind.");
  CHECK(s.kind == SpaceKind::forum);
  CHECK(s.owner == c.cy.id);
  CHECK(s.member_count == 1);
  auto got = ok(c->get_space(MemberId{}, s.id));
  CHECK(got.name == "Help desk");
  auto members = ok(c->list_space_members(MemberId{}, s.id, {}));
  REQUIRE(members.items.size() == 1);
  CHECK(members.items[0].member == c.cy.id);
  CHECK(code_of(c->get_space(MemberId{}, SpaceId{4242})) == errc::not_found);
}

TEST_CASE("spaces form a tree, a child needs manage_space in the parent", "[spaces]") {
  Community c;
  // bo is a plain member: members do not manage the space. An admin does.
  CHECK(code_of(c->create_space(c.bo.id, {c.guild.id, SpaceKind::channel, "x", ""})) ==
        errc::forbidden);
  ok(c->assign_role(c.ada.id, c.guild.id, c.bo.id, builtin::admin_role));
  auto raids = ok(c->create_space(c.bo.id, {c.guild.id, SpaceKind::channel, "raids", ""}));
  CHECK(raids.parent == c.guild.id);
  ok(c->create_space(c.ada.id, {c.guild.id, SpaceKind::channel, "trade", ""}));
  CHECK(code_of(c->create_space(c.cy.id, {c.guild.id, SpaceKind::channel, "x", ""})) ==
        errc::forbidden);
  CHECK(code_of(c->create_space(c.ada.id, {SpaceId{777}, SpaceKind::channel, "x", ""})) ==
        errc::not_found);
  auto children = ok(c->list_child_spaces(MemberId{}, c.guild.id, {}));
  REQUIRE(children.items.size() == 2);
  CHECK(children.items[0].name == "raids");
  CHECK(children.items[1].name == "trade");
  auto roots = ok(c->list_child_spaces(MemberId{}, SpaceId{}, {}));
  REQUIRE(roots.items.size() == 1);
  CHECK(roots.items[0].id == c.guild.id);
  CHECK(code_of(c->list_child_spaces(MemberId{}, SpaceId{777}, {})) == errc::not_found);
}

TEST_CASE("bad space input is refused", "[spaces]") {
  Community c;
  CHECK(code_of(c->create_space(c.ada.id, {{}, SpaceKind::guild, "", ""})) == errc::empty_field);
  CHECK(code_of(c->create_space(c.ada.id, {{}, SpaceKind::guild, std::string(101, 'n'), ""})) ==
        errc::too_long);
  CHECK(code_of(c->create_space(c.ada.id, {{}, SpaceKind::guild, "ok", std::string(2001, 'd')})) ==
        errc::too_long);
  CHECK(code_of(c->create_space(c.ada.id, {{}, static_cast<SpaceKind>(42), "ok", ""})) ==
        errc::invalid_argument);
  CHECK(code_of(c->create_space(c.ada.id, {{}, SpaceKind::guild, "a\nb", ""})) ==
        errc::invalid_argument);
  CHECK(code_of(c->create_space(MemberId{999}, {{}, SpaceKind::guild, "ok", ""})) ==
        errc::not_found);
}

TEST_CASE("joining and leaving are idempotent and counted", "[spaces]") {
  Community c;
  CHECK(ok(c->join_space(c.cy.id, c.guild.id)));
  CHECK_FALSE(ok(c->join_space(c.cy.id, c.guild.id)));
  CHECK(ok(c->get_space(MemberId{}, c.guild.id)).member_count == 3);
  CHECK(ok(c->leave_space(c.cy.id, c.guild.id)));
  CHECK_FALSE(ok(c->leave_space(c.cy.id, c.guild.id)));
  CHECK(ok(c->get_space(MemberId{}, c.guild.id)).member_count == 2);
  CHECK(code_of(c->leave_space(c.ada.id, c.guild.id)) == errc::conflict);  // the owner stays
  CHECK(code_of(c->join_space(c.cy.id, SpaceId{999})) == errc::not_found);
  CHECK(code_of(c->join_space(MemberId{999}, c.guild.id)) == errc::not_found);
  CHECK(code_of(c->leave_space(c.cy.id, SpaceId{999})) == errc::not_found);
}

TEST_CASE("space members page with cursors", "[spaces]") {
  Community c;
  std::vector<MemberId> expected{c.ada.id, c.bo.id};
  for (int i = 0; i < 7; ++i) {
    auto m = ok(c->create_member("member" + std::to_string(i), "M"));
    ok(c->join_space(m.id, c.guild.id));
    expected.push_back(m.id);
  }
  std::vector<MemberId> seen;
  PageRequest req{"", 4};
  int pages = 0;
  for (;;) {
    auto page = ok(c->list_space_members(MemberId{}, c.guild.id, req));
    ++pages;
    for (auto& m : page.items) seen.push_back(m.member);
    if (page.next_cursor.empty()) break;
    req.cursor = page.next_cursor;
  }
  CHECK(pages == 3);
  std::sort(expected.begin(), expected.end());
  CHECK(seen == expected);
  CHECK(code_of(c->list_space_members(MemberId{}, c.guild.id, {"garbage", 4})) ==
        errc::invalid_cursor);
  CHECK(code_of(c->list_space_members(MemberId{}, c.guild.id, {"", 0})) == errc::invalid_argument);
  CHECK(code_of(c->list_space_members(MemberId{}, c.guild.id, {"", 201})) ==
        errc::invalid_argument);
  auto threads_cursor = ok(c->list_threads(MemberId{}, c.guild.id, {"", 1})).next_cursor;
  CHECK(threads_cursor.empty());  // no threads yet
}
