#include "hearth/engine.hpp"

#include <mutex>
#include <set>
#include <thread>

#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

namespace {

std::vector<Notification> inbox(Community& c, MemberId who, bool unread_only = false) {
  return ok(c->list_notifications(who, {"", 200}, unread_only)).items;
}

Notification only(Community& c, MemberId who) {
  auto items = inbox(c, who);
  REQUIRE(items.size() == 1);
  return items.front();
}

Member join(Community& c, std::string_view handle, SpaceId space) {
  Member m = ok(c->create_member(handle, handle));
  REQUIRE(ok(c->join_space(m.id, space)));
  return m;
}

const SpaceUnread* unread_in(const UnreadCounts& u, SpaceId space) {
  for (const SpaceUnread& s : u.spaces)
    if (s.space == space) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("a reply notifies the author of the post replied to - and not the replier",
          "[notifications]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Raid", "Who is in?"));
  auto r = ok(c->reply(c.bo.id, t.first_post.id, "Me, @ada"));
  Notification n = only(c, c.ada.id);
  CHECK(n.kind == NotificationKind::reply);  // not a mention as well
  CHECK(n.recipient == c.ada.id);
  CHECK(n.actor == c.bo.id);
  CHECK(n.post == r.id);
  CHECK(n.thread == t.thread.id);
  CHECK(n.space == c.guild.id);
  CHECK(n.count == 1);
  CHECK_FALSE(n.read);
  CHECK(n.created_at == c.clock->now());
  // Replying to one's own post tells no one; replying to bo's reply tells bo.
  ok(c->reply(c.ada.id, t.first_post.id, "Good"));
  CHECK(inbox(c, c.ada.id).size() == 1);
  ok(c->reply(c.ada.id, r.id, "Welcome"));
  CHECK(only(c, c.bo.id).kind == NotificationKind::reply);
  CHECK(inbox(c, c.ada.id).size() == 1);
}

TEST_CASE("a mention notifies each member named who may read the space - an edit only new ones",
          "[notifications]") {
  Community c;
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Hi", "Hello @ada and @cy.3 and @bo_2"));
  CHECK(only(c, c.ada.id).kind == NotificationKind::mention);
  CHECK(only(c, c.cy.id).post == t.first_post.id);  // the guild is public: cy reads it
  CHECK(inbox(c, c.bo.id).empty());                 // not for naming oneself
  Member dee = ok(c->create_member("dee", "Dee"));
  ok(c->edit_post(c.bo.id, t.first_post.id, "Hello @ada and @cy.3 and @dee"));
  CHECK(inbox(c, c.ada.id).size() == 1);
  CHECK(inbox(c, c.cy.id).size() == 1);
  Notification n = only(c, dee.id);
  CHECK(n.kind == NotificationKind::mention);
  CHECK(n.actor == c.bo.id);
}

TEST_CASE("accepting an answer notifies its author - unless the asker's own or cleared",
          "[notifications]") {
  Community c;
  auto q = ok(c->create_thread(c.ada.id, c.guild.id, "How?", "How do I?", ThreadKind::question));
  auto answer = ok(c->reply(c.bo.id, q.first_post.id, "Like this"));
  ok(c->accept_answer(c.ada.id, q.thread.id, answer.id));
  Notification n = only(c, c.bo.id);
  CHECK(n.kind == NotificationKind::answer_accepted);
  CHECK(n.post == answer.id);
  CHECK(n.actor == c.ada.id);
  ok(c->accept_answer(c.ada.id, q.thread.id, PostId{}));  // clearing tells no one
  auto own = ok(c->reply(c.ada.id, q.first_post.id, "Found it myself"));
  ok(c->accept_answer(c.ada.id, q.thread.id, own.id));
  CHECK(inbox(c, c.bo.id).size() == 1);
  CHECK(inbox(c, c.ada.id).size() == 1);  // bo's reply only
}

TEST_CASE("reactions aggregate while unread: 5 people reacted - after reading - a new one starts",
          "[notifications]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Loot", "Look what dropped"));
  const PostId post = t.first_post.id;
  std::vector<Member> fans;
  for (int i = 0; i < 5; ++i) fans.push_back(join(c, "fan" + std::to_string(i), c.guild.id));
  NotificationId previous;
  for (const Member& fan : fans) {
    c.clock->advance(10);
    REQUIRE(ok(c->react(fan.id, post, "heart")));
    Notification n = only(c, c.ada.id);
    CHECK(n.actor == fan.id);
    CHECK(n.updated_at == c.clock->now());
    CHECK(n.id > previous);  // a bumped aggregate moves to the top
    previous = n.id;
  }
  Notification five = only(c, c.ada.id);
  CHECK(five.kind == NotificationKind::reaction);
  CHECK(five.count == 5);
  CHECK(five.post == post);
  CHECK(five.created_at + 40 == five.updated_at);
  // The same people reacting again, with another kind, are not counted twice; nor is
  // taking a reaction back subtracted.
  REQUIRE(ok(c->react(fans[0].id, post, "laugh")));
  REQUIRE(ok(c->react(fans[4].id, post, "thanks")));
  REQUIRE(ok(c->unreact(fans[1].id, post, "heart")));
  CHECK(only(c, c.ada.id).count == 5);
  // Read: the next reaction starts a new aggregate.
  CHECK(ok(c->mark_notifications_read(c.ada.id)) == 1);
  REQUIRE(ok(c->react(c.bo.id, post, "heart")));
  auto items = inbox(c, c.ada.id);
  REQUIRE(items.size() == 2);
  CHECK(items[0].count == 1);
  CHECK(items[0].actor == c.bo.id);
  CHECK_FALSE(items[0].read);
  CHECK(items[1].count == 5);
  CHECK(items[1].read);
  // Reacting to one's own post tells no one.
  REQUIRE(ok(c->react(c.ada.id, post, "heart")));
  CHECK(inbox(c, c.ada.id).size() == 2);
}

TEST_CASE("no notification for one who cannot read the space - or is deactivated",
          "[notifications]") {
  Community c;
  // A private space bo posted in, then left.
  Space vault = ok(c->create_space(
      c.ada.id, {{}, SpaceKind::guild, "Vault", "", Visibility::private_, JoinPolicy::invite}));
  REQUIRE(ok(c->add_member(c.ada.id, vault.id, c.bo.id)));
  auto t = ok(c->create_thread(c.bo.id, vault.id, "Plans", "Secret plans"));
  REQUIRE(ok(c->leave_space(c.bo.id, vault.id)));
  ok(c->reply(c.ada.id, t.first_post.id, "Noted"));
  REQUIRE(ok(c->react(c.ada.id, t.first_post.id, "heart")));
  ok(c->create_thread(c.ada.id, vault.id, "More", "cc @bo_2"));
  CHECK(inbox(c, c.bo.id).empty());
  // Banned from it (a ban removes them), after being let back in.
  REQUIRE(ok(c->add_member(c.ada.id, vault.id, c.bo.id)));
  auto t2 = ok(c->create_thread(c.bo.id, vault.id, "Again", "Back"));
  ok(c->ban_member(c.ada.id, vault.id, c.bo.id, "leaks"));
  ok(c->reply(c.ada.id, t2.first_post.id, "Bye"));
  CHECK(inbox(c, c.bo.id).empty());
  // Deactivated.
  auto t3 = ok(c->create_thread(c.bo.id, c.guild.id, "Last", "My last post"));
  ok(c->deactivate_member(c.bo.id, c.bo.id));
  ok(c->reply(c.ada.id, t3.first_post.id, "Farewell"));
  REQUIRE(ok(c->react(c.ada.id, t3.first_post.id, "heart")));
  auto events = ok(c->read_events(0, 200));
  for (const Event& e : events) CHECK(e.type != EventType::notification);
}

TEST_CASE("a notification's event goes only to its recipient through subscribe_as",
          "[notifications][events]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Raid", "Who?"));
  std::mutex mutex;
  std::vector<Event> to_ada, to_cy, to_anonymous, to_host;
  auto collect = [&mutex](std::vector<Event>& into) {
    return [&mutex, to = &into](const Event& e) {
      std::lock_guard lock(mutex);
      if (e.type == EventType::notification) to->push_back(e);
    };
  };
  auto a = ok(c->subscribe_as(c.ada.id, 0, collect(to_ada)));
  auto b = ok(c->subscribe_as(c.cy.id, 0, collect(to_cy)));
  auto d = ok(c->subscribe_as(MemberId{}, 0, collect(to_anonymous)));
  auto h = ok(c->subscribe(0, collect(to_host)));
  auto r = ok(c->reply(c.bo.id, t.first_post.id, "Me"));
  REQUIRE(to_ada.size() == 1);
  CHECK(to_cy.empty());
  CHECK(to_anonymous.empty());
  REQUIRE(to_host.size() == 1);
  const Event& e = to_ada.front();
  CHECK(e.space == c.guild.id);
  CHECK(e.actor == c.bo.id);
  const Notification n = only(c, c.ada.id);
  const auto id = [](auto v) { return "\"" + std::to_string(v.value) + "\""; };
  CHECK(e.payload.find("\"recipient\":" + id(c.ada.id)) == 1);
  CHECK(e.payload.find("\"notification\":" + id(n.id)) != std::string::npos);
  CHECK(e.payload.find("\"kind\":\"reply\"") != std::string::npos);
  CHECK(e.payload.find("\"post\":" + id(r.id)) != std::string::npos);
  CHECK(e.payload.find("\"count\":1") != std::string::npos);
  for (auto s : {a, b, d, h}) c->unsubscribe(s);
  CHECK(to_string(EventType::notification) == "notification");
  CHECK(event_type_from_string("notification") == EventType::notification);
}

TEST_CASE("marking read acts on the actor's own inbox only", "[notifications]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "A", "a"));
  for (int i = 0; i < 3; ++i) ok(c->reply(c.bo.id, t.first_post.id, "reply"));
  auto items = inbox(c, c.ada.id);
  REQUIRE(items.size() == 3);
  CHECK(code_of(c->mark_notification_read(c.bo.id, items[0].id)) == errc::not_found);
  CHECK(code_of(c->mark_notification_read(c.ada.id, NotificationId{12345})) == errc::not_found);
  CHECK(code_of(c->mark_notification_read(MemberId{}, items[0].id)) == errc::forbidden);
  CHECK(code_of(c->list_notifications(MemberId{}, {})) == errc::forbidden);
  CHECK(ok(c->mark_notification_read(c.ada.id, items[0].id)));
  CHECK_FALSE(ok(c->mark_notification_read(c.ada.id, items[0].id)));
  CHECK(ok(c->mark_notifications_read(c.bo.id)) == 0);
  CHECK(inbox(c, c.ada.id, true).size() == 2);
  CHECK(ok(c->mark_notifications_read(c.ada.id, items[2].id)) == 1);  // the oldest only
  auto unread = inbox(c, c.ada.id, true);
  REQUIRE(unread.size() == 1);
  CHECK(unread[0].id == items[1].id);
  CHECK(ok(c->mark_notifications_read(c.ada.id)) == 1);
  CHECK(ok(c->unread_counts(c.ada.id)).notifications == 0);
}

TEST_CASE("unread counts: leaving and joining again starts from the new join", "[notifications]") {
  Community c;
  Space raids = ok(c->create_space(c.ada.id, {c.guild.id, SpaceKind::channel, "raids", ""}));
  auto t = ok(c->create_thread(c.ada.id, raids.id, "Friday", "Who is in?"));
  REQUIRE(ok(c->join_space(c.bo.id, raids.id)));
  auto first = ok(c->reply(c.ada.id, t.first_post.id, "one"));
  CHECK(ok(c->mark_space_read(c.bo.id, raids.id, first.id)));  // a marker from this membership
  REQUIRE(ok(c->leave_space(c.bo.id, raids.id)));
  ok(c->reply(c.ada.id, t.first_post.id, "while away"));
  ok(c->reply(c.ada.id, t.first_post.id, "also while away"));
  REQUIRE(ok(c->join_space(c.bo.id, raids.id)));
  CHECK(unread_in(ok(c->unread_counts(c.bo.id)), raids.id) == nullptr);  // same millisecond
  ok(c->reply(c.ada.id, t.first_post.id, "after coming back"));
  const UnreadCounts u = ok(c->unread_counts(c.bo.id));
  const SpaceUnread* r = unread_in(u, raids.id);
  REQUIRE(r != nullptr);
  CHECK(r->posts == 1);
}

TEST_CASE("unread counts: 3 new in #raids - cleared by a read marker - joining sets the marker",
          "[notifications]") {
  EngineOptions options;
  options.limits.unread_posts_cap = 5;
  Community c(options);
  Space raids = ok(c->create_space(c.ada.id, {c.guild.id, SpaceKind::channel, "raids", ""}));
  auto t = ok(c->create_thread(c.ada.id, raids.id, "Friday", "Who is in?"));
  REQUIRE(ok(c->join_space(c.bo.id, raids.id)));  // after the first post: not new to bo
  CHECK(unread_in(ok(c->unread_counts(c.bo.id)), raids.id) == nullptr);
  ok(c->reply(c.ada.id, t.first_post.id, "one"));
  auto second = ok(c->reply(c.ada.id, t.first_post.id, "two"));
  ok(c->create_thread(c.ada.id, raids.id, "Saturday", "three"));
  ok(c->reply(c.bo.id, t.first_post.id, "mine do not count"));
  auto gone = ok(c->reply(c.ada.id, t.first_post.id, "deleted ones neither"));
  ok(c->delete_post(c.ada.id, gone.id));
  UnreadCounts u = ok(c->unread_counts(c.bo.id));
  const SpaceUnread* r = unread_in(u, raids.id);
  REQUIRE(r != nullptr);
  CHECK(r->posts == 3);
  CHECK_FALSE(r->more_posts);
  CHECK(r->notifications == 0);
  CHECK(unread_in(u, c.guild.id) == nullptr);
  // Up to a post, then to now; the marker never moves back.
  CHECK(ok(c->mark_space_read(c.bo.id, raids.id, second.id)));
  CHECK(unread_in(ok(c->unread_counts(c.bo.id)), raids.id)->posts == 1);
  CHECK(ok(c->mark_space_read(c.bo.id, raids.id)));
  CHECK_FALSE(ok(c->mark_space_read(c.bo.id, raids.id, second.id)));
  CHECK(unread_in(ok(c->unread_counts(c.bo.id)), raids.id) == nullptr);
  CHECK(code_of(c->mark_space_read(c.bo.id, raids.id, PostId{42})) == errc::invalid_argument);
  CHECK(code_of(c->mark_space_read(c.cy.id, raids.id)) == errc::forbidden);  // not a member
  // The cap: "5+".
  for (int i = 0; i < 7; ++i) ok(c->reply(c.ada.id, t.first_post.id, "spam"));
  u = ok(c->unread_counts(c.bo.id));
  r = unread_in(u, raids.id);
  REQUIRE(r != nullptr);
  CHECK(r->posts == 5);
  CHECK(r->more_posts);
  // Notifications count in their space: ada's inbox has bo's reply.
  u = ok(c->unread_counts(c.ada.id));
  CHECK(u.notifications == 1);
  r = unread_in(u, raids.id);
  REQUIRE(r != nullptr);
  CHECK(r->notifications == 1);
  CHECK(r->posts == 1);  // bo's reply is new to ada too
}

TEST_CASE("a space the member can no longer read drops out of the unread counts and the inbox",
          "[notifications]") {
  Community c;
  Space vault = ok(c->create_space(
      c.ada.id, {{}, SpaceKind::guild, "Vault", "", Visibility::private_, JoinPolicy::invite}));
  REQUIRE(ok(c->add_member(c.ada.id, vault.id, c.bo.id)));
  auto t = ok(c->create_thread(c.bo.id, vault.id, "Plans", "plans"));
  ok(c->reply(c.ada.id, t.first_post.id, "ok"));
  UnreadCounts u = ok(c->unread_counts(c.bo.id));
  CHECK(u.notifications == 1);
  REQUIRE(unread_in(u, vault.id) != nullptr);
  CHECK(unread_in(u, vault.id)->posts == 1);
  ok(c->remove_member(c.ada.id, vault.id, c.bo.id));
  u = ok(c->unread_counts(c.bo.id));
  CHECK(u.notifications == 0);
  CHECK(unread_in(u, vault.id) == nullptr);
  CHECK(inbox(c, c.bo.id).empty());
  REQUIRE(ok(c->add_member(c.ada.id, vault.id, c.bo.id)));
  CHECK(inbox(c, c.bo.id).size() == 1);  // kept, shown again
}

TEST_CASE("the inbox pages newest first - stable while notifications arrive - bad cursors fail",
          "[notifications]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "A", "a"));
  for (int i = 0; i < 10; ++i) ok(c->reply(c.bo.id, t.first_post.id, "r" + std::to_string(i)));
  const auto all = inbox(c, c.ada.id);
  REQUIRE(all.size() == 10);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].id > all[i].id);
  std::vector<NotificationId> seen;
  PageRequest page{"", 3};
  for (int round = 0;; ++round) {
    auto p = ok(c->list_notifications(c.ada.id, page));
    for (const auto& n : p.items) seen.push_back(n.id);
    // Newer ones arrive between pages: they are above the cursor, not in the later pages.
    ok(c->reply(c.bo.id, t.first_post.id, "late " + std::to_string(round)));
    if (p.next_cursor.empty()) break;
    page.cursor = p.next_cursor;
  }
  REQUIRE(seen.size() == all.size());
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(seen[i] == all[i].id);
  for (const char* bad : {"garbage", "i.", "i.zz", "p.10", "i.0", "i.123456789abcdef01", "\xff"})
    CHECK(code_of(c->list_notifications(c.ada.id, {bad, 10})) == errc::invalid_cursor);
  CHECK(code_of(c->list_notifications(c.ada.id, {"", 0})) == errc::invalid_argument);
}
