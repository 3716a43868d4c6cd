#include "hearth/engine.hpp"

#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

TEST_CASE("a member starts a thread and others reply, keeping reply-to links", "[posts]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, " Raid on Friday ", "Who is in?\n"));
  CHECK(t.thread.title == "Raid on Friday");
  CHECK(t.first_post.body == "Who is in?");
  CHECK(t.thread.first_post == t.first_post.id);
  CHECK(t.first_post.thread == t.thread.id);
  CHECK_FALSE(t.first_post.reply_to);
  c.clock->advance(1000);
  auto r1 = ok(c->reply(c.bo.id, t.first_post.id, "Me!"));
  auto r2 = ok(c->reply(c.ada.id, r1.id, "Great"));
  CHECK(r1.reply_to == t.first_post.id);
  CHECK(r2.reply_to == r1.id);
  auto thread = ok(c->get_thread(MemberId{}, t.thread.id));
  CHECK(thread.reply_count == 2);
  CHECK(thread.last_post == r2.id);
  CHECK(thread.last_activity_at == c.clock->now());
  CHECK(ok(c->get_space(MemberId{}, c.guild.id)).thread_count == 1);
  CHECK(ok(c->get_post(MemberId{}, r1.id)).body == "Me!");
  CHECK(code_of(c->get_post(MemberId{}, PostId{1})) == errc::not_found);
  CHECK(code_of(c->get_thread(MemberId{}, ThreadId{1})) == errc::not_found);
}

TEST_CASE("only members of a space post and react there", "[posts]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Hi", "Body"));
  CHECK(code_of(c->create_thread(c.cy.id, c.guild.id, "Hi", "Body")) == errc::forbidden);
  CHECK(code_of(c->reply(c.cy.id, t.first_post.id, "Body")) == errc::forbidden);
  CHECK(code_of(c->react(c.cy.id, t.first_post.id, "+1")) == errc::forbidden);
  CHECK(code_of(c->create_thread(c.ada.id, SpaceId{5}, "Hi", "Body")) == errc::not_found);
  CHECK(code_of(c->reply(c.ada.id, PostId{5}, "Body")) == errc::not_found);
  // Anyone reads a public space, signed in or not.
  CHECK(ok(c->get_thread_page(c.cy.id, t.thread.id, {})).items.size() == 1);
  CHECK(ok(c->get_thread_page(MemberId{}, t.thread.id, {})).items.size() == 1);
}

TEST_CASE("bad post input is refused and stores nothing", "[posts]") {
  EngineOptions options;
  options.limits.title_max = 10;
  options.limits.body_max = 20;
  Community c(options);
  CHECK(code_of(c->create_thread(c.ada.id, c.guild.id, "", "Body")) == errc::empty_field);
  CHECK(code_of(c->create_thread(c.ada.id, c.guild.id, "Title", " \n ")) == errc::empty_field);
  CHECK(code_of(c->create_thread(c.ada.id, c.guild.id, "Title is too long", "Body")) ==
        errc::too_long);
  CHECK(code_of(c->create_thread(c.ada.id, c.guild.id, "Title", std::string(21, 'b'))) ==
        errc::too_long);
  CHECK(code_of(c->create_thread(c.ada.id, c.guild.id, "T\xC3", "Body")) == errc::invalid_utf8);
  CHECK(code_of(c->create_thread(c.ada.id, c.guild.id, "Title", "B\xED\xA0\x80")) ==
        errc::invalid_utf8);
  CHECK(code_of(c->create_thread(c.ada.id, c.guild.id, "Two\nlines", "Body")) ==
        errc::invalid_argument);
  // The limits count code points, not bytes: 20 two-byte letters fit.
  std::string accents;
  for (int i = 0; i < 20; ++i) accents += "\xC3\xA9";
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Title", accents));
  CHECK(code_of(c->reply(c.bo.id, t.first_post.id, "")) == errc::empty_field);
  CHECK(ok(c->get_thread(MemberId{}, t.thread.id)).reply_count == 0);
  CHECK(ok(c->list_threads(MemberId{}, c.guild.id, {})).items.size() == 1);
}

TEST_CASE("a thread pages oldest first with cursors", "[posts]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Long", "post 0"));
  std::vector<PostId> expected{t.first_post.id};
  for (int i = 1; i < 23; ++i)
    expected.push_back(
        ok(c->reply(i % 2 ? c.bo.id : c.ada.id, t.first_post.id, "post " + std::to_string(i))).id);
  std::vector<PostId> seen;
  PageRequest req{"", 10};
  for (;;) {
    auto page = ok(c->get_thread_page(MemberId{}, t.thread.id, req));
    for (auto& p : page.items) seen.push_back(p.id);
    if (page.next_cursor.empty()) break;
    req.cursor = page.next_cursor;
  }
  CHECK(seen == expected);
  auto exact = ok(c->get_thread_page(MemberId{}, t.thread.id, {"", 23}));
  CHECK(exact.items.size() == 23);
  CHECK(exact.next_cursor.empty());
  CHECK(code_of(c->get_thread_page(MemberId{}, t.thread.id, {"t.10", 10})) == errc::invalid_cursor);
  CHECK(code_of(c->get_thread_page(MemberId{}, ThreadId{3}, {})) == errc::not_found);
}

TEST_CASE("a space lists its threads by most recent activity", "[posts]") {
  Community c;
  auto a = ok(c->create_thread(c.ada.id, c.guild.id, "A", "a"));
  auto b = ok(c->create_thread(c.ada.id, c.guild.id, "B", "b"));
  auto d = ok(c->create_thread(c.ada.id, c.guild.id, "D", "d"));
  ok(c->reply(c.bo.id, a.first_post.id, "bump"));  // A is now the most recent
  auto all = ok(c->list_threads(MemberId{}, c.guild.id, {}));
  REQUIRE(all.items.size() == 3);
  CHECK(all.items[0].id == a.thread.id);
  CHECK(all.items[1].id == d.thread.id);
  CHECK(all.items[2].id == b.thread.id);
  auto first = ok(c->list_threads(MemberId{}, c.guild.id, {"", 2}));
  REQUIRE(first.items.size() == 2);
  REQUIRE_FALSE(first.next_cursor.empty());
  auto rest = ok(c->list_threads(MemberId{}, c.guild.id, {first.next_cursor, 2}));
  REQUIRE(rest.items.size() == 1);
  CHECK(rest.items[0].id == b.thread.id);
  CHECK(rest.next_cursor.empty());
  CHECK(code_of(c->list_threads(MemberId{}, SpaceId{9}, {})) == errc::not_found);
}

TEST_CASE("edits keep the revision history", "[posts]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Old title", "v1"));
  c.clock->advance(60'000);
  auto e1 = ok(c->edit_post(c.ada.id, t.first_post.id, "v2", "New title"));
  CHECK(e1.body == "v2");
  CHECK(e1.revision == 2);
  CHECK(e1.edited_at == c.clock->now());
  CHECK(ok(c->get_thread(MemberId{}, t.thread.id)).title == "New title");
  c.clock->advance(60'000);
  ok(c->edit_post(c.ada.id, t.first_post.id, "v3"));
  auto same = ok(c->edit_post(c.ada.id, t.first_post.id, "v3"));  // no change, no revision
  CHECK(same.revision == 3);
  auto revs = ok(c->list_revisions(c.ada.id, t.first_post.id));
  REQUIRE(revs.size() == 2);
  CHECK(revs[0].number == 1);
  CHECK(revs[0].body == "v1");
  CHECK(revs[0].title == "Old title");
  CHECK(revs[0].written_at == t.first_post.created_at);
  CHECK(revs[1].number == 2);
  CHECK(revs[1].body == "v2");
  CHECK(revs[1].title == "New title");
  CHECK(ok(c->get_post(MemberId{}, t.first_post.id)).body == "v3");

  auto r = ok(c->reply(c.bo.id, t.first_post.id, "reply"));
  CHECK(code_of(c->edit_post(c.ada.id, r.id, "not mine")) == errc::forbidden);
  CHECK(code_of(c->edit_post(c.bo.id, r.id, "x", "Titles are for first posts")) ==
        errc::invalid_argument);
  CHECK(code_of(c->edit_post(c.bo.id, r.id, "")) == errc::empty_field);
  CHECK(code_of(c->list_revisions(c.bo.id, t.first_post.id)) == errc::forbidden);
  CHECK(code_of(c->edit_post(c.bo.id, PostId{77}, "x")) == errc::not_found);
}

TEST_CASE("deleting leaves a tombstone that keeps the thread's shape", "[posts]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Thread", "first"));
  auto r1 = ok(c->reply(c.bo.id, t.first_post.id, "to be deleted"));
  auto r2 = ok(c->reply(c.ada.id, r1.id, "answer to the deleted one"));
  ok(c->react(c.ada.id, r1.id, "+1"));
  CHECK(code_of(c->delete_post(c.ada.id, r1.id)) == errc::forbidden);
  ok(c->delete_post(c.bo.id, r1.id));
  CHECK(code_of(c->delete_post(c.bo.id, r1.id)) == errc::gone);
  CHECK(code_of(c->edit_post(c.bo.id, r1.id, "again")) == errc::gone);
  CHECK(code_of(c->react(c.ada.id, r1.id, "heart")) == errc::gone);
  auto page = ok(c->get_thread_page(MemberId{}, t.thread.id, {}));
  REQUIRE(page.items.size() == 3);
  CHECK(page.items[1].deleted);
  CHECK(page.items[1].body.empty());
  CHECK(page.items[1].reactions.empty());
  CHECK(page.items[2].reply_to == r1.id);
  auto tomb = ok(c->get_post(MemberId{}, r1.id));
  CHECK(tomb.deleted);
  CHECK(tomb.body.empty());
  // One may still reply to a tombstone, as to any post of a live thread.
  ok(c->reply(c.ada.id, r1.id, "still here"));
  (void)r2;
}

TEST_CASE("deleting a thread's first post deletes the thread", "[posts]") {
  Community c;
  auto keep = ok(c->create_thread(c.ada.id, c.guild.id, "Keep", "k"));
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Gone soon", "g"));
  auto r = ok(c->reply(c.ada.id, t.first_post.id, "reply"));
  ok(c->delete_post(c.bo.id, t.first_post.id));
  CHECK(ok(c->get_thread(MemberId{}, t.thread.id)).deleted);
  CHECK(code_of(c->reply(c.ada.id, t.first_post.id, "more")) == errc::gone);
  CHECK(code_of(c->reply(c.ada.id, r.id, "more")) == errc::gone);
  CHECK(code_of(c->react(c.bo.id, r.id, "+1")) == errc::gone);
  CHECK(code_of(c->delete_post(c.ada.id, r.id)) == errc::gone);
  auto listing = ok(c->list_threads(MemberId{}, c.guild.id, {}));
  REQUIRE(listing.items.size() == 1);
  CHECK(listing.items[0].id == keep.thread.id);
  CHECK(ok(c->get_space(MemberId{}, c.guild.id)).thread_count == 1);
  // The thread keeps its shape for those who hold a link.
  CHECK(ok(c->get_thread_page(MemberId{}, t.thread.id, {})).items.size() == 2);
}

TEST_CASE("reactions are one per member and kind, counted per kind", "[posts][reactions]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "React", "to me"));
  CHECK(ok(c->react(c.bo.id, t.first_post.id, "+1")));
  CHECK_FALSE(ok(c->react(c.bo.id, t.first_post.id, "+1")));
  CHECK(ok(c->react(c.bo.id, t.first_post.id, "heart")));
  CHECK(ok(c->react(c.ada.id, t.first_post.id, "heart")));
  auto p = ok(c->get_post(MemberId{}, t.first_post.id));
  CHECK(p.reactions == std::vector<ReactionCount>{{"+1", 1}, {"heart", 2}});
  CHECK(ok(c->unreact(c.bo.id, t.first_post.id, "heart")));
  CHECK_FALSE(ok(c->unreact(c.bo.id, t.first_post.id, "heart")));
  CHECK(ok(c->get_post(MemberId{}, t.first_post.id)).reactions ==
        std::vector<ReactionCount>{{"+1", 1}, {"heart", 1}});
  CHECK(code_of(c->react(c.bo.id, t.first_post.id, "angry")) == errc::invalid_argument);
  CHECK(code_of(c->react(c.bo.id, t.first_post.id, "")) == errc::invalid_argument);
  CHECK(code_of(c->react(c.bo.id, PostId{3}, "+1")) == errc::not_found);
}

TEST_CASE("engine options are validated", "[engine]") {
  EngineOptions bad_node;
  bad_node.node_id = 1024;
  CHECK(code_of(Engine::open(bad_node)) == errc::invalid_argument);
  EngineOptions bad_kind;
  bad_kind.reaction_kinds = {"ok", "has space"};
  CHECK(code_of(Engine::open(bad_kind)) == errc::invalid_argument);
  EngineOptions bad_page;
  bad_page.limits.max_page_size = 0;
  CHECK(code_of(Engine::open(bad_page)) == errc::invalid_argument);
  EngineOptions custom;
  custom.reaction_kinds = {"gg"};
  Community c(custom);
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "GG", "well played"));
  CHECK(ok(c->react(c.bo.id, t.first_post.id, "gg")));
  CHECK(code_of(c->react(c.bo.id, t.first_post.id, "+1")) == errc::invalid_argument);
}
