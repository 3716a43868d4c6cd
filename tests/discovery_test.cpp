// Space discovery: the guild finder and the forum browser (Engine::find_spaces).
#include <set>

#include "hearth/engine.hpp"

#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

namespace {

std::vector<std::string> names(const Page<SpaceHit>& page) {
  std::vector<std::string> out;
  for (const SpaceHit& h : page.items) out.push_back(h.space.name);
  return out;
}

using Names = std::vector<std::string>;

// Night Owls (ada's public guild, tag pvp, bo a member); Dawn Raiders (public, capped at 2 and
// full); Officers (private, below Night Owls) with Logs (public, below Officers); Vault
// (secret); Crafters (public, invite only). Posts make the activity order Crafters, Dawn
// Raiders, Night Owls.
struct Finder : Community {
  Space raiders, officers, logs, vault, crafters;
  Finder() {
    clock->set(1'800'000'000'000);
    ok(engine->update_space(ada.id, guild.id, {{}, {}, {}, {}, std::vector<std::string>{"PvP"}}));
    NewSpace r{{}, SpaceKind::guild, "Dawn Raiders", "We RAID on weekends", Visibility::public_};
    r.member_cap = 2;
    raiders = ok(engine->create_space(bo.id, r));
    REQUIRE(ok(engine->join_space(ada.id, raiders.id)));  // now full
    officers = ok(engine->create_space(
        ada.id, {guild.id, SpaceKind::channel, "Officers", "", Visibility::private_}));
    logs = ok(engine->create_space(
        ada.id, {officers.id, SpaceKind::channel, "Logs", "", Visibility::public_}));
    vault = ok(engine->create_space(
        ada.id, {{}, SpaceKind::guild, "Vault", "raid loot", Visibility::secret}));
    NewSpace c{{}, SpaceKind::forum, "Crafters", "crafting talk", Visibility::public_};
    c.join_policy = JoinPolicy::invite;
    crafters = ok(engine->create_space(cy.id, c));
    clock->advance(10);
    ok(engine->create_thread(ada.id, guild.id, "Night", "owls"));
    clock->advance(10);
    ok(engine->create_thread(bo.id, raiders.id, "Raid", "tonight"));
    clock->advance(10);
    ok(engine->create_thread(cy.id, crafters.id, "Craft", "things"));
  }
};

}  // namespace

TEST_CASE("discovery lists what the searcher may see, by activity", "[discovery]") {
  Finder f;
  // Vault is secret: never found, not even by its owner. Logs sits below a private space.
  auto anonymous = ok(f->find_spaces(MemberId{}, {}, {}));
  CHECK(names(anonymous) == Names{"Crafters", "Dawn Raiders", "Night Owls", "Officers"});
  CHECK(anonymous.next_cursor.empty());
  CHECK(anonymous.items[0].last_activity_at == 1'800'000'000'030);
  CHECK(anonymous.items[2].last_activity_at == 1'800'000'000'010);
  CHECK(anonymous.items[3].last_activity_at == 0);  // no post yet
  CHECK(anonymous.items[3].last_post == PostId{});
  // Ada is a member of Officers: Logs is hers to see.
  CHECK(names(ok(f->find_spaces(f.ada.id, {}, {}))) ==
        Names{"Crafters", "Dawn Raiders", "Night Owls", "Logs", "Officers"});  // newer first

  // A reply moves a space up.
  auto t = ok(f->list_threads(MemberId{}, f.guild.id, {})).items.at(0);
  f.clock->advance(10);
  ok(f->reply(f.bo.id, t.first_post, "hoot"));
  CHECK(names(ok(f->find_spaces(MemberId{}, {}, {}))).front() == "Night Owls");
}

TEST_CASE("discovery filters by text, tag, parent, kind, fullness and join policy", "[discovery]") {
  Finder f;
  auto find = [&](SpaceSearch s, MemberId who = MemberId{}) {
    return names(ok(f->find_spaces(who, s, {})));
  };
  CHECK(find({.text = "  RAID "}) == Names{"Dawn Raiders"});  // not Vault, secret
  CHECK(find({.text = "owl"}) == Names{"Night Owls"});
  CHECK(find({.text = "(\"*OR-"}).empty());  // plain text, nothing special
  CHECK(find({.tag = "PVP"}) == Names{"Night Owls"});
  CHECK(find({.parent = f.guild.id}) == Names{"Officers"});
  CHECK(find({.parent = SpaceId{}}) == Names{"Crafters", "Dawn Raiders", "Night Owls"});
  CHECK(find({.parent = f.officers.id}, f.ada.id) == Names{"Logs"});
  CHECK(find({.kind = SpaceKind::forum}) == Names{"Crafters"});
  CHECK(find({.hide_full = true}) == Names{"Crafters", "Night Owls", "Officers"});
  CHECK(find({.open_only = true}) == Names{"Dawn Raiders", "Night Owls"});
  CHECK(find({.hide_full = true, .open_only = true}) == Names{"Night Owls"});
  CHECK(find({.sort = SpaceSort::members}) ==
        Names{"Dawn Raiders", "Night Owls", "Crafters", "Officers"});  // 2, 2, 1, 1: newer first

  // A full space that makes room is found again.
  REQUIRE(ok(f->leave_space(f.ada.id, f.raiders.id)));
  CHECK(find({.hide_full = true, .open_only = true}) == Names{"Dawn Raiders", "Night Owls"});
}

TEST_CASE("discovery pages without duplicates or gaps, and refuses bad input", "[discovery]") {
  Finder f;
  for (const SpaceSort sort : {SpaceSort::activity, SpaceSort::members}) {
    const std::string late = "Latecomers " + std::to_string(static_cast<int>(sort));
    const Names all = names(ok(f->find_spaces(f.ada.id, {.sort = sort}, {})));
    Names paged;
    PageRequest page{"", 2};
    int pages = 0;
    do {
      auto p = ok(f->find_spaces(f.ada.id, {.sort = sort}, page));
      CHECK(p.items.size() <= 2);
      for (const SpaceHit& h : p.items) paged.push_back(h.space.name);
      page.cursor = p.next_cursor;
      // A new space between pages is no duplicate and makes no gap in what was there.
      if (pages++ == 0) ok(f->create_space(f.cy.id, {{}, SpaceKind::guild, late, ""}));
    } while (!page.cursor.empty());
    Names without_new;
    for (const auto& n : paged)
      if (n != late) without_new.push_back(n);
    CHECK(without_new == all);
    CHECK(std::set<std::string>(paged.begin(), paged.end()).size() == paged.size());
  }

  CHECK(code_of(f->find_spaces(MemberId{}, {}, {"x.1", 2})) == errc::invalid_cursor);
  CHECK(code_of(f->find_spaces(MemberId{}, {}, {"d.1", 2})) == errc::invalid_cursor);
  CHECK(code_of(f->find_spaces(MemberId{}, {}, {"d.1.", 2})) == errc::invalid_cursor);
  CHECK(code_of(f->find_spaces(MemberId{}, {}, {"d.zz.1", 2})) == errc::invalid_cursor);
  CHECK(code_of(f->find_spaces(MemberId{}, {}, {"", 0})) == errc::invalid_argument);
  CHECK(code_of(f->find_spaces(MemberId{}, {.text = std::string(201, 'a')}, {})) == errc::too_long);
  CHECK(code_of(f->find_spaces(MemberId{}, {.text = "\xC3"}, {})) == errc::invalid_utf8);
  CHECK(code_of(f->find_spaces(MemberId{}, {.tag = "no spaces"}, {})) == errc::invalid_argument);
  CHECK(code_of(f->find_spaces(MemberId{}, {.kind = static_cast<SpaceKind>(9)}, {})) ==
        errc::invalid_argument);
  CHECK(code_of(f->find_spaces(MemberId{}, {.sort = static_cast<SpaceSort>(9)}, {})) ==
        errc::invalid_argument);
  // The children of a space one may not know of: as if it did not exist.
  CHECK(code_of(f->find_spaces(f.bo.id, {.parent = f.vault.id}, {})) == errc::not_found);
  CHECK(code_of(f->find_spaces(f.bo.id, {.parent = SpaceId{4242}}, {})) == errc::not_found);
}
