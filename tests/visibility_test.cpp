// Who sees and reads what, by space visibility: a table walked for every reading call and the
// calls that write into a space.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

namespace {

// One space of each kind of visibility, and public children under the private and the secret
// one. Ada owns them all; Bo is a member of all; Cy of none.
struct World : Community {
  std::map<std::string, Space> spaces;
  std::map<std::string, Engine::NewThread> threads;

  World() {
    auto make = [&](const std::string& name, Visibility v, SpaceId parent) {
      auto s = ok(engine->create_space(ada.id, {parent, SpaceKind::forum, name, "", v}));
      REQUIRE(ok(engine->add_member(ada.id, s.id, bo.id)));
      threads[name] = ok(engine->create_thread(ada.id, s.id, "In " + name, "Hello"));
      spaces[name] = s;
    };
    make("public", Visibility::public_, {});
    make("private", Visibility::private_, {});
    make("secret", Visibility::secret, {});
    make("under_private", Visibility::public_, spaces["private"].id);
    make("under_secret", Visibility::public_, spaces["secret"].id);
  }
};

// The expected outcome for someone who is not a member: nullopt means allowed.
struct Row {
  std::string space;
  std::optional<errc> see;   // get_space
  std::optional<errc> read;  // the reading calls
};
const std::vector<Row> outsider_table{
    {"public", std::nullopt, std::nullopt},
    {"private", std::nullopt, errc::forbidden},
    {"secret", errc::not_found, errc::not_found},
    {"under_private", errc::forbidden, errc::forbidden},
    {"under_secret", errc::not_found, errc::not_found},
};

template <class T>
std::optional<errc> outcome(const result<T>& r) {
  if (r) return std::nullopt;
  REQUIRE(&r.error().category() == &hearth_category());
  return static_cast<errc>(r.error().value());
}

}  // namespace

TEST_CASE("visibility: what members, outsiders and anonymous readers may see and read",
          "[visibility][permissions]") {
  World w;
  const std::vector<std::pair<std::string, MemberId>> outsiders{{"anonymous", MemberId{}},
                                                                {"non-member", w.cy.id}};
  using Read = std::function<std::optional<errc>(MemberId, const Space&, const Engine::NewThread&)>;
  const std::vector<std::pair<std::string, Read>> reads{
      {"list_threads",
       [&](MemberId v, const Space& s, const Engine::NewThread&) {
         return outcome(w->list_threads(v, s.id, {}));
       }},
      {"get_thread_page",
       [&](MemberId v, const Space&, const Engine::NewThread& t) {
         return outcome(w->get_thread_page(v, t.thread.id, {}));
       }},
      {"get_thread",
       [&](MemberId v, const Space&, const Engine::NewThread& t) {
         return outcome(w->get_thread(v, t.thread.id));
       }},
      {"get_post",
       [&](MemberId v, const Space&, const Engine::NewThread& t) {
         return outcome(w->get_post(v, t.first_post.id));
       }},
      {"list_space_members",
       [&](MemberId v, const Space& s, const Engine::NewThread&) {
         return outcome(w->list_space_members(v, s.id, {}));
       }},
      {"list_child_spaces",
       [&](MemberId v, const Space& s, const Engine::NewThread&) {
         return outcome(w->list_child_spaces(v, s.id, {}));
       }},
  };
  for (const Row& row : outsider_table) {
    const Space& s = w.spaces.at(row.space);
    const auto& t = w.threads.at(row.space);
    for (const auto& [who, viewer] : outsiders) {
      INFO(who << " in " << row.space);
      CHECK(outcome(w->get_space(viewer, s.id)) == row.see);
      for (const auto& [call, read] : reads) {
        INFO(call);
        CHECK(read(viewer, s, t) == row.read);
      }
    }
    // Members and the owner read everything.
    for (MemberId member : {w.bo.id, w.ada.id}) {
      INFO("member " << member.value << " in " << row.space);
      CHECK_FALSE(outcome(w->get_space(member, s.id)));
      for (const auto& [call, read] : reads) {
        INFO(call);
        CHECK_FALSE(read(member, s, t));
      }
    }
  }
}

TEST_CASE("visibility: outsiders cannot write into spaces they cannot read",
          "[visibility][permissions]") {
  World w;
  // Cy is an active member of the engine but of none of these spaces.
  const std::map<std::string, std::optional<errc>> join{
      {"public", std::nullopt},          {"private", errc::forbidden},
      {"secret", errc::not_found},       {"under_private", errc::forbidden},
      {"under_secret", errc::not_found},
  };
  for (const Row& row : outsider_table) {
    INFO(row.space);
    const Space& s = w.spaces.at(row.space);
    const auto& t = w.threads.at(row.space);
    const errc write_refusal = row.read.value_or(errc::forbidden);  // readable: not a member yet
    CHECK(outcome(w->create_thread(w.cy.id, s.id, "T", "B")) == write_refusal);
    CHECK(outcome(w->reply(w.cy.id, t.first_post.id, "B")) == write_refusal);
    CHECK(outcome(w->react(w.cy.id, t.first_post.id, "+1")) == write_refusal);
    CHECK(outcome(w->edit_post(w.cy.id, t.first_post.id, "B")) == write_refusal);
    CHECK(outcome(w->delete_post(w.cy.id, t.first_post.id)) == write_refusal);
    CHECK(outcome(w->create_space(w.cy.id, {s.id, SpaceKind::channel, "x", ""})) == write_refusal);
    CHECK(outcome(w->join_space(w.cy.id, s.id)) == join.at(row.space));
    const auto leave = outcome(w->leave_space(w.cy.id, s.id));
    CHECK(leave ==
          (row.see == errc::not_found ? std::optional<errc>(errc::not_found) : std::nullopt));
  }
}

TEST_CASE("visibility: secret children are listed to their members only", "[visibility]") {
  World w;
  auto names = [&](MemberId viewer) {
    std::vector<std::string> out;
    PageRequest req{"", 1};  // one per page: the filter must not lose or repeat any
    for (;;) {
      auto page = ok(w->list_child_spaces(viewer, SpaceId{}, req));
      for (auto& s : page.items)
        if (s.name != "Night Owls") out.push_back(s.name);
      if (page.next_cursor.empty()) break;
      req.cursor = page.next_cursor;
    }
    return out;
  };
  CHECK(names(MemberId{}) == std::vector<std::string>{"public", "private"});
  CHECK(names(w.cy.id) == std::vector<std::string>{"public", "private"});
  CHECK(names(w.bo.id) == std::vector<std::string>{"public", "private", "secret"});
}

TEST_CASE("the owner adds members to a space, nobody else does", "[visibility][spaces]") {
  World w;
  const Space& priv = w.spaces.at("private");
  CHECK(outcome(w->add_member(w.bo.id, priv.id, w.cy.id)) == errc::forbidden);
  CHECK(ok(w->add_member(w.ada.id, priv.id, w.cy.id)));
  CHECK_FALSE(ok(w->add_member(w.ada.id, priv.id, w.cy.id)));
  CHECK_FALSE(outcome(w->list_threads(w.cy.id, priv.id, {})));  // Cy reads it now
  CHECK(ok(w->get_space(MemberId{}, priv.id)).member_count == 3);
  CHECK(outcome(w->add_member(w.ada.id, priv.id, MemberId{99})) == errc::not_found);
  auto dan = ok(w->create_member("dan", "Dan"));
  ok(w->deactivate_member(dan.id, dan.id));
  CHECK(outcome(w->add_member(w.ada.id, priv.id, dan.id)) == errc::gone);
  CHECK(outcome(w->add_member(w.cy.id, w.spaces.at("secret").id, w.cy.id)) == errc::not_found);
  CHECK(outcome(w->create_space(w.ada.id,
                                {{}, SpaceKind::guild, "x", "", static_cast<Visibility>(9)})) ==
        errc::invalid_argument);
}
