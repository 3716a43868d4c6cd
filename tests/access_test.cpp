// Getting in and being kept out: join policies, invites, join requests, member caps, bans, and
// the events a member receives as their access changes.
#include <vector>

#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

TEST_CASE("join policies follow visibility and are checked", "[access]") {
  Community c;
  NewSpace spec{{}, SpaceKind::guild, "Officers", "", Visibility::private_, {}, 0};
  CHECK(ok(c->create_space(c.ada.id, spec)).join_policy == JoinPolicy::request);
  spec.visibility = Visibility::secret;
  CHECK(ok(c->create_space(c.ada.id, spec)).join_policy == JoinPolicy::invite);
  spec.join_policy = JoinPolicy::request;  // nobody outside knows a secret space: no requests
  CHECK(code_of(c->create_space(c.ada.id, spec)) == errc::invalid_argument);
  spec.visibility = Visibility::private_;
  spec.join_policy = JoinPolicy::open;
  CHECK(code_of(c->create_space(c.ada.id, spec)) == errc::invalid_argument);
  spec.join_policy = static_cast<JoinPolicy>(9);
  CHECK(code_of(c->create_space(c.ada.id, spec)) == errc::invalid_argument);
  // A public guild that takes members by invite only.
  auto closed = ok(c->update_space(c.ada.id, c.guild.id, {{}, {}, JoinPolicy::invite, {}}));
  CHECK(closed.join_policy == JoinPolicy::invite);
  CHECK(code_of(c->join_space(c.cy.id, c.guild.id)) == errc::forbidden);
  CHECK(code_of(c->request_to_join(c.cy.id, c.guild.id, "")) == errc::forbidden);
  ok(c->list_threads(c.cy.id, c.guild.id, {}));  // still public to read
}

TEST_CASE("member caps: a full space refuses joins, invites and approvals", "[access]") {
  Community c;  // ada and bo: 2 members
  CHECK(code_of(c->update_space(c.ada.id, c.guild.id, {{}, {}, {}, 1u})) == errc::conflict);
  auto s = ok(c->update_space(c.ada.id, c.guild.id, {{}, {}, {}, 2u}));
  CHECK(s.member_cap == 2);
  CHECK(code_of(c->join_space(c.cy.id, c.guild.id)) == errc::full);
  auto dee = ok(c->create_member("dee", "Dee"));
  CHECK(code_of(c->add_member(c.ada.id, c.guild.id, dee.id)) == errc::full);
  auto invite = ok(c->create_invite(c.ada.id, c.guild.id, {}));
  CHECK(code_of(c->join_with_invite(c.cy.id, invite.code)) == errc::full);
  ok(c->update_space(c.ada.id, c.guild.id, {{}, {}, JoinPolicy::request, {}}));
  CHECK(ok(c->request_to_join(c.cy.id, c.guild.id, "room for one more?")));
  CHECK(code_of(c->decide_join_request(c.ada.id, c.guild.id, c.cy.id, true)) == errc::full);
  // Nothing was half-done: the request waits, the invite was not used, the count is exact.
  CHECK(ok(c->list_join_requests(c.ada.id, c.guild.id, {})).items.size() == 1);
  CHECK(ok(c->list_invites(c.ada.id, c.guild.id, {})).items.at(0).uses == 0);
  CHECK(ok(c->get_space(MemberId{}, c.guild.id)).member_count == 2);
  // Someone leaves: there is room again.
  REQUIRE(ok(c->leave_space(c.bo.id, c.guild.id)));
  ok(c->decide_join_request(c.ada.id, c.guild.id, c.cy.id, true));
  CHECK(ok(c->get_space(MemberId{}, c.guild.id)).member_count == 2);
  ok(c->update_space(c.ada.id, c.guild.id, {{}, {}, {}, 0u}));  // no cap
  CHECK(ok(c->add_member(c.ada.id, c.guild.id, dee.id)));
}

TEST_CASE("invites: expiry, use limit, revocation", "[access]") {
  Community c;
  auto vault =
      ok(c->create_space(c.ada.id, {{}, SpaceKind::guild, "Vault", "", Visibility::secret, {}, 0}));
  CHECK(code_of(c->create_invite(c.bo.id, vault.id, {})) == errc::not_found);
  auto once = ok(c->create_invite(c.ada.id, vault.id, {0, 1}));
  CHECK(once.code.size() == 20);
  CHECK(once.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567") == std::string::npos);
  auto other = ok(c->create_invite(c.ada.id, vault.id, {}));
  CHECK(other.code != once.code);
  CHECK(ok(c->join_with_invite(c.bo.id, once.code)));
  ok(c->get_space(c.bo.id, vault.id));                                    // Bo now knows the vault
  CHECK_FALSE(ok(c->join_with_invite(c.bo.id, once.code)));               // already in: not a use
  CHECK(code_of(c->join_with_invite(c.cy.id, once.code)) == errc::gone);  // used up
  // Expiry, by the engine's clock.
  auto soon = ok(c->create_invite(c.ada.id, vault.id, {c.clock->now() + 60'000, 0}));
  CHECK(code_of(c->create_invite(c.ada.id, vault.id, {c.clock->now(), 0})) ==
        errc::invalid_argument);
  c.clock->advance(2 * 60'000);
  CHECK(code_of(c->join_with_invite(c.cy.id, soon.code)) == errc::gone);
  // Revocation: by the creator or someone with approve_joins; Bo (a member with invite) may
  // revoke his own but not Ada's.
  auto bos = ok(c->create_invite(c.bo.id, vault.id, {}));
  CHECK(code_of(c->revoke_invite(c.bo.id, other.code)) == errc::forbidden);
  CHECK(ok(c->revoke_invite(c.bo.id, bos.code)));
  CHECK_FALSE(ok(c->revoke_invite(c.ada.id, bos.code)));
  CHECK(code_of(c->join_with_invite(c.cy.id, bos.code)) == errc::gone);
  CHECK(code_of(c->join_with_invite(c.cy.id, "nosuchcode")) == errc::not_found);
  CHECK(code_of(c->join_with_invite(c.cy.id, "")) == errc::not_found);
  CHECK(ok(c->join_with_invite(c.cy.id, other.code)));
  // Listing, paged by code.
  auto page = ok(c->list_invites(c.ada.id, vault.id, {"", 2}));
  REQUIRE(page.items.size() == 2);
  CHECK(page.items[0].code < page.items[1].code);
  auto rest = ok(c->list_invites(c.ada.id, vault.id, {page.next_cursor, 10}));
  CHECK(rest.items.size() == 2);
  CHECK(rest.next_cursor.empty());
  CHECK(code_of(c->list_invites(c.ada.id, vault.id, {"NOT-OURS", 10})) == errc::invalid_cursor);
  CHECK(code_of(c->list_invites(c.bo.id, vault.id, {})) == errc::forbidden);
  // Invite events never carry the code.
  for (const Event& e : ok(c->read_events(0, 200)))
    CHECK(e.payload.find(once.code) == std::string::npos);
}

TEST_CASE("join requests: ask, withdraw, approve, deny", "[access]") {
  Community c;
  auto club = ok(
      c->create_space(c.ada.id, {{}, SpaceKind::guild, "Club", "", Visibility::private_, {}, 0}));
  auto dee = ok(c->create_member("dee", "Dee"));
  CHECK(code_of(c->join_space(c.cy.id, club.id)) == errc::forbidden);
  CHECK(ok(c->request_to_join(c.cy.id, club.id, "I play support")));
  CHECK_FALSE(ok(c->request_to_join(c.cy.id, club.id, "again")));
  CHECK(ok(c->request_to_join(dee.id, club.id, "")));
  CHECK(ok(c->request_to_join(c.bo.id, club.id, "")));
  CHECK(ok(c->withdraw_join_request(c.bo.id, club.id)));
  CHECK_FALSE(ok(c->withdraw_join_request(c.bo.id, club.id)));
  auto pending = ok(c->list_join_requests(c.ada.id, club.id, {"", 1}));
  REQUIRE(pending.items.size() == 1);
  CHECK(pending.items[0].member == c.cy.id);
  CHECK(pending.items[0].message == "I play support");
  auto more = ok(c->list_join_requests(c.ada.id, club.id, {pending.next_cursor, 10}));
  REQUIRE(more.items.size() == 1);
  CHECK(more.items[0].member == dee.id);
  ok(c->decide_join_request(c.ada.id, club.id, c.cy.id, true));
  ok(c->decide_join_request(c.ada.id, club.id, dee.id, false));
  CHECK(code_of(c->decide_join_request(c.ada.id, club.id, dee.id, true)) == errc::not_found);
  ok(c->list_threads(c.cy.id, club.id, {}));
  CHECK(code_of(c->list_threads(dee.id, club.id, {})) == errc::forbidden);
  CHECK(ok(c->list_join_requests(c.ada.id, club.id, {})).items.empty());
  CHECK_FALSE(ok(c->request_to_join(c.cy.id, club.id, "")));  // a member already
  // A member without approve_joins cannot decide or list.
  CHECK(ok(c->request_to_join(dee.id, club.id, "please")));
  CHECK(code_of(c->decide_join_request(c.cy.id, club.id, dee.id, true)) == errc::forbidden);
  CHECK(code_of(c->list_join_requests(c.cy.id, club.id, {})) == errc::forbidden);
  CHECK(code_of(c->request_to_join(c.cy.id, club.id, std::string(501, 'x'))) == errc::too_long);
}

TEST_CASE("bans: out, kept out, until lifted or expired", "[access]") {
  Community c;
  auto officers = ok(c->create_space(
      c.ada.id, {c.guild.id, SpaceKind::channel, "officers", "", Visibility::private_, {}, 0}));
  REQUIRE(ok(c->add_member(c.ada.id, officers.id, c.bo.id)));
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Raid", "Tonight"));
  ok(c->react(c.bo.id, t.first_post.id, "heart"));
  // Banned from the guild: out of it, and of what is below it.
  auto ban = ok(c->ban_member(c.ada.id, c.guild.id, c.bo.id, "griefing", 0));
  CHECK(ban.reason == "griefing");
  CHECK(ban.issuer == c.ada.id);
  CHECK(code_of(c->join_space(c.bo.id, c.guild.id)) == errc::forbidden);
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "t", "b")) == errc::forbidden);
  CHECK(code_of(c->reply(c.bo.id, t.first_post.id, "b")) == errc::forbidden);
  CHECK(code_of(c->react(c.bo.id, t.first_post.id, "+1")) == errc::forbidden);
  CHECK(code_of(c->list_threads(c.bo.id, officers.id, {})) == errc::forbidden);
  ok(c->list_threads(c.bo.id, c.guild.id, {}));  // public content stays public
  auto invite = ok(c->create_invite(c.ada.id, c.guild.id, {}));
  CHECK(code_of(c->join_with_invite(c.bo.id, invite.code)) == errc::forbidden);
  CHECK(code_of(c->add_member(c.ada.id, c.guild.id, c.bo.id)) == errc::forbidden);
  CHECK(ok(c->get_space(MemberId{}, c.guild.id)).member_count == 1);
  auto bans = ok(c->list_bans(c.ada.id, c.guild.id, {}));
  REQUIRE(bans.items.size() == 1);
  CHECK(bans.items[0].member == c.bo.id);
  // Lifted: Bo may join again (his channel membership went with the ban of its parent? no:
  // only the guild's; the officers channel keeps him, readable again once he is back).
  CHECK(ok(c->unban_member(c.ada.id, c.guild.id, c.bo.id)));
  CHECK_FALSE(ok(c->unban_member(c.ada.id, c.guild.id, c.bo.id)));
  CHECK(ok(c->join_space(c.bo.id, c.guild.id)));
  ok(c->list_threads(c.bo.id, officers.id, {}));
  // A ban with an expiry lifts itself by the engine's clock.
  CHECK(code_of(c->ban_member(c.ada.id, c.guild.id, c.bo.id, "", c.clock->now())) ==
        errc::invalid_argument);
  ok(c->ban_member(c.ada.id, c.guild.id, c.bo.id, "cool off", c.clock->now() + 3'600'000));
  CHECK(code_of(c->join_space(c.bo.id, c.guild.id)) == errc::forbidden);
  c.clock->advance(61 * 60'000);
  CHECK(ok(c->join_space(c.bo.id, c.guild.id)));
  // A pending join request is dropped by a ban.
  auto club = ok(
      c->create_space(c.ada.id, {{}, SpaceKind::guild, "Club", "", Visibility::private_, {}, 0}));
  REQUIRE(ok(c->request_to_join(c.cy.id, club.id, "")));
  ok(c->ban_member(c.ada.id, club.id, c.cy.id, "alt account"));
  CHECK(ok(c->list_join_requests(c.ada.id, club.id, {})).items.empty());
  CHECK(code_of(c->request_to_join(c.cy.id, club.id, "")) == errc::forbidden);
}

TEST_CASE("events: a subscriber's wants is asked before the visibility check, and holds back",
          "[access][events]") {
  Community c;
  auto vault =
      ok(c->create_space(c.ada.id, {{}, SpaceKind::guild, "vault", "", Visibility::secret, {}, 0}));
  std::vector<Event> asked, delivered;
  auto sub = ok(c->subscribe_as(
      c.cy.id, 0, [&](const Event& e) { delivered.push_back(e); }, Delivery::immediate,
      [&](const Event& e) {
        asked.push_back(e);
        return e.space != c.guild.id;  // Cy follows everything but the guild
      }));
  asked.clear();
  delivered.clear();
  ok(c->create_thread(c.ada.id, vault.id, "Loot", "gold"));
  ok(c->create_thread(c.ada.id, c.guild.id, "Hello", "all"));
  // Both spaces' events were asked about, the secret one's included: wants comes first.
  auto count_in = [](const std::vector<Event>& events, SpaceId space) {
    std::size_t n = 0;
    for (const Event& e : events) n += e.space == space ? 1u : 0u;
    return n;
  };
  CHECK(count_in(asked, vault.id) > 0);
  CHECK(count_in(asked, c.guild.id) > 0);
  // Neither reached Cy: the vault's by visibility, the guild's by wants.
  CHECK(count_in(delivered, vault.id) == 0);
  CHECK(count_in(delivered, c.guild.id) == 0);
  // Without wants, the guild's next event reaches Cy.
  std::vector<Event> all;
  auto plain = ok(c->subscribe_as(c.cy.id, 0, [&](const Event& e) { all.push_back(e); }));
  all.clear();
  ok(c->create_thread(c.ada.id, c.guild.id, "Again", "all"));
  CHECK(count_in(all, c.guild.id) > 0);
  CHECK(count_in(delivered, c.guild.id) == 0);
  c->unsubscribe(plain);
  c->unsubscribe(sub);
}

TEST_CASE("events: a subscriber receives only what it may read, at delivery time",
          "[access][events]") {
  Community c;
  auto officers = ok(c->create_space(
      c.ada.id, {c.guild.id, SpaceKind::channel, "officers", "", Visibility::private_, {}, 0}));
  auto vault =
      ok(c->create_space(c.ada.id, {{}, SpaceKind::guild, "vault", "", Visibility::secret, {}, 0}));
  REQUIRE(ok(c->add_member(c.ada.id, officers.id, c.bo.id)));
  std::vector<Event> to_bo, to_cy, to_anon, polled_bo;
  auto sub_bo = ok(c->subscribe_as(c.bo.id, 0, [&](const Event& e) { to_bo.push_back(e); }));
  auto sub_cy = ok(c->subscribe_as(c.cy.id, 0, [&](const Event& e) { to_cy.push_back(e); }));
  auto sub_anon = ok(c->subscribe_as(MemberId{}, 0, [&](const Event& e) { to_anon.push_back(e); }));
  auto sub_polled = ok(c->subscribe_as(
      c.bo.id, 0, [&](const Event& e) { polled_bo.push_back(e); }, Delivery::polled));
  auto count_in = [](const std::vector<Event>& events, SpaceId space) {
    std::size_t n = 0;
    for (const Event& e : events)
      if (e.space == space) ++n;
    return n;
  };
  ok(c->create_thread(c.ada.id, officers.id, "Plans", "secret plans"));
  ok(c->create_thread(c.ada.id, vault.id, "Loot", "gold"));
  ok(c->create_thread(c.ada.id, c.guild.id, "Hello", "all"));
  CHECK(count_in(to_bo, officers.id) == 4);  // created, Ada joined, Bo added, the thread
  CHECK(count_in(to_cy, officers.id) == 0);
  CHECK(count_in(to_anon, officers.id) == 0);
  for (const auto* events : {&to_bo, &to_cy, &to_anon}) {
    CHECK(count_in(*events, vault.id) == 0);
    CHECK(count_in(*events, c.guild.id) > 0);
  }
  // Bo is removed from the officers: what happens there next no longer reaches him, neither
  // live nor through a poll made after the change (polled events are filtered when polled).
  REQUIRE(ok(c->remove_member(c.ada.id, officers.id, c.bo.id)));
  ok(c->create_thread(c.ada.id, officers.id, "Plans 2", "more plans"));
  const std::size_t before_poll = polled_bo.size();
  c->poll();
  CHECK(count_in(to_bo, officers.id) == 4);  // the thread before; not the removal or after
  CHECK(count_in(polled_bo, officers.id) == 0);
  CHECK(polled_bo.size() > before_poll);  // guild events still arrive
  // Banned from the guild: its events stop too (it is public: they keep reading it as anyone).
  ok(c->update_space(c.ada.id, c.guild.id, {{}, {}, JoinPolicy::invite, {}}));
  ok(c->set_override(c.ada.id, c.guild.id, builtin::everyone_role, {}, {Permission::view}));
  const std::size_t guild_before = count_in(to_bo, c.guild.id);
  ok(c->ban_member(c.ada.id, c.guild.id, c.bo.id, "spam"));
  ok(c->create_thread(c.ada.id, c.guild.id, "After", "the ban"));
  CHECK(count_in(to_bo, c.guild.id) == guild_before);
  CHECK(count_in(to_cy, c.guild.id) > 0);
  for (auto id : {sub_bo, sub_cy, sub_anon, sub_polled}) c->unsubscribe(id);
}
