// Moderator notes (docs/moderation.md, "Moderator notes"): who writes, reads and deletes them,
// that a note stays in its space, paging, its audit entries, and bad input.
#include "hearth/moderation/notes.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "failing_storage.hpp"
#include "hearth/moderation/audit.hpp"
#include "hearth/storage/memory.hpp"
#include "support.hpp"

namespace hearth {
namespace {

using test::code_of;
using test::Community;
using test::ok;

// The community with a moderator of the guild (mo) and a channel below it.
struct Noted : Community {
  Member mo;
  Space channel;
  explicit Noted(EngineOptions o = {}) : Community(std::move(o)) {
    mo = ok(engine->create_member("mo_mod", "Mo"));
    REQUIRE(ok(engine->join_space(mo.id, guild.id)));
    REQUIRE(ok(engine->assign_role(ada.id, guild.id, mo.id, builtin::moderator_role)));
    channel = ok(engine->create_space(ada.id, {guild.id, SpaceKind::channel, "general", ""}));
  }
  std::vector<std::string> bodies(MemberId viewer, SpaceId space, MemberId member) {
    std::vector<std::string> out;
    for (const auto& n : ok(engine->moderator_notes(viewer, space, member, {"", 50})).items)
      out.push_back(n.body);
    return out;
  }
};

TEST_CASE("moderators write notes about a member that only they read, in that space only",
          "[notes]") {
  Noted c;
  const ModeratorNote first =
      ok(c->add_moderator_note(c.mo.id, c.guild.id, c.bo.id, "  warned in DMs\nabout spam  "));
  CHECK(first.body == "warned in DMs\nabout spam");
  CHECK(first.author == c.mo.id);
  CHECK(first.member == c.bo.id);
  CHECK(first.space == c.guild.id);
  CHECK(first.created_at == c.clock->now());
  c.clock->advance(1'000);
  ok(c->add_moderator_note(c.ada.id, c.guild.id, c.bo.id, "second chance given"));
  ok(c->add_moderator_note(c.mo.id, c.channel.id, c.bo.id, "in the channel"));

  CHECK(c.bodies(c.mo.id, c.guild.id, c.bo.id) ==
        std::vector<std::string>{"second chance given", "warned in DMs\nabout spam"});
  CHECK(c.bodies(c.mo.id, c.channel.id, c.bo.id) == std::vector<std::string>{"in the channel"});
  CHECK(c.bodies(c.mo.id, c.guild.id, c.cy.id).empty());

  // Paging, newest first.
  auto page = ok(c->moderator_notes(c.mo.id, c.guild.id, c.bo.id, {"", 1}));
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0].body == "second chance given");
  page = ok(c->moderator_notes(c.mo.id, c.guild.id, c.bo.id, {page.next_cursor, 1}));
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0].id == first.id);
  CHECK(page.next_cursor.empty());

  // Not the member, not other members, not anonymous readers.
  CHECK(code_of(c->moderator_notes(c.bo.id, c.guild.id, c.bo.id, {"", 10})) == errc::forbidden);
  CHECK(code_of(c->moderator_notes(MemberId{}, c.guild.id, c.bo.id, {"", 10})) == errc::forbidden);
  CHECK(code_of(c->add_moderator_note(c.bo.id, c.guild.id, c.cy.id, "x")) == errc::forbidden);
  // A moderator denied review in the channel reads none of its notes.
  ok(c->set_override(c.ada.id, c.channel.id, builtin::moderator_role, {},
                     Permissions{Permission::review_reports}));
  CHECK(code_of(c->moderator_notes(c.mo.id, c.channel.id, c.bo.id, {"", 10})) == errc::forbidden);
}

TEST_CASE("notes refuse bad input", "[notes]") {
  Noted c;
  CHECK(code_of(c->add_moderator_note(c.mo.id, c.guild.id, c.bo.id, " \n ")) == errc::empty_field);
  CHECK(code_of(c->add_moderator_note(c.mo.id, c.guild.id, c.bo.id, std::string(2'001, 'x'))) ==
        errc::too_long);
  CHECK(code_of(c->add_moderator_note(c.mo.id, c.guild.id, c.bo.id, "bad \xC3")) ==
        errc::invalid_utf8);
  CHECK(code_of(c->add_moderator_note(c.mo.id, c.guild.id, MemberId{999}, "who?")) ==
        errc::not_found);
  CHECK(code_of(c->add_moderator_note(c.mo.id, SpaceId{999}, c.bo.id, "where?")) ==
        errc::not_found);
  CHECK(code_of(c->moderator_notes(c.mo.id, c.guild.id, c.bo.id, {"x.1", 10})) ==
        errc::invalid_cursor);
  CHECK(code_of(c->delete_moderator_note(c.mo.id, ModeratorNoteId{12345})) == errc::not_found);
}

TEST_CASE("a note is deleted by its author or a moderator ranked above them, with its audit",
          "[notes]") {
  Noted c;
  const Member mo2 = ok(c->create_member("mo_two", "Mo Two"));
  REQUIRE(ok(c->join_space(mo2.id, c.guild.id)));
  REQUIRE(ok(c->assign_role(c.ada.id, c.guild.id, mo2.id, builtin::moderator_role)));
  const auto before = ok(c->audit_log(c.ada.id, {}, {"", 50})).items.size();  // the roles'
  const ModeratorNote by_mo = ok(c->add_moderator_note(c.mo.id, c.guild.id, c.bo.id, "one"));
  const ModeratorNote by_ada = ok(c->add_moderator_note(c.ada.id, c.guild.id, c.bo.id, "two"));
  const ModeratorNote by_mo2 = ok(c->add_moderator_note(mo2.id, c.guild.id, c.bo.id, "three"));

  auto entries = ok(c->audit_log(c.ada.id, {}, {"", 50})).items;
  REQUIRE(entries.size() == before + 3);
  CHECK(entries[0].action == AuditAction::moderator_note_added);
  CHECK(entries[0].actor == mo2.id);
  CHECK(entries[0].target_member == c.bo.id);
  CHECK(entries[0].detail == "{\"note\":\"" + std::to_string(by_mo2.id.value) + "\"}");
  CHECK(entries[0].reason.empty());  // the text stays in the note

  CHECK(code_of(c->delete_moderator_note(c.mo.id, by_ada.id)) == errc::forbidden);  // the owner
  CHECK(code_of(c->delete_moderator_note(c.mo.id, by_mo2.id)) == errc::forbidden);  // an equal
  CHECK(code_of(c->delete_moderator_note(c.bo.id, by_mo.id)) == errc::forbidden);
  ok(c->delete_moderator_note(c.mo.id, by_mo.id));
  ok(c->delete_moderator_note(c.ada.id, by_mo2.id));
  CHECK(code_of(c->delete_moderator_note(c.ada.id, by_mo2.id)) == errc::not_found);
  CHECK(c.bodies(c.mo.id, c.guild.id, c.bo.id) == std::vector<std::string>{"two"});

  entries = ok(c->audit_log(c.ada.id, {}, {"", 50})).items;
  REQUIRE(entries.size() == before + 5);
  CHECK(entries[0].action == AuditAction::moderator_note_deleted);
  CHECK(entries[0].actor == c.ada.id);
  CHECK(entries[1].action == AuditAction::moderator_note_deleted);
  CHECK(entries[1].actor == c.mo.id);
}

TEST_CASE("a storage failure leaves no note and no entry", "[notes]") {
  for (const char* method : {"insert_moderator_note", "insert_audit_entry"}) {
    DYNAMIC_SECTION(method) {
      auto storage =
          std::make_shared<test::FailingMethod>(std::make_shared<MemoryStorage>(), method);
      EngineOptions o;
      o.storage = storage;
      Noted c(std::move(o));
      const auto before = ok(c->audit_log(c.ada.id, {}, {"", 50})).items.size();
      storage->fail_at = 0;
      CHECK(code_of(c->add_moderator_note(c.mo.id, c.guild.id, c.bo.id, "x")) ==
            errc::storage_error);
      CHECK(c.bodies(c.mo.id, c.guild.id, c.bo.id).empty());
      CHECK(ok(c->audit_log(c.ada.id, {}, {"", 50})).items.size() == before);
    }
  }
}

}  // namespace
}  // namespace hearth
