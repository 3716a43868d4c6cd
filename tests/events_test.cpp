#include "hearth/event.hpp"

#include <stdexcept>
#include <thread>

#include "failing_storage.hpp"
#include "hearth/storage/memory.hpp"
#include "payload.hpp"
#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

namespace {

// No badges: the sequence numbers below count the events of the calls alone.
EngineOptions no_badges() {
  EngineOptions o;
  o.badges = {};
  return o;
}

}  // namespace

TEST_CASE("every change appends one event, in the same order as the changes", "[events]") {
  Community c;  // member_created x3, space_created, member_joined x2
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "T", "B"));
  auto r = ok(c->reply(c.bo.id, t.first_post.id, "R"));
  ok(c->react(c.ada.id, r.id, "+1"));
  CHECK_FALSE(ok(c->react(c.ada.id, r.id, "+1")));  // a no-op changes nothing: no event
  ok(c->unreact(c.ada.id, r.id, "+1"));
  ok(c->edit_post(c.bo.id, r.id, "R2"));
  ok(c->delete_post(c.bo.id, r.id));
  ok(c->leave_space(c.bo.id, c.guild.id));
  ProfileUpdate u;
  u.bio = "hi";
  ok(c->update_profile(c.cy.id, c.cy.id, u));
  ok(c->deactivate_member(c.cy.id, c.cy.id));
  auto events = ok(c->read_events(0, 100));
  std::vector<EventType> types;
  for (auto& e : events) types.push_back(e.type);
  using E = EventType;
  CHECK(types == std::vector<E>{E::member_created,     E::member_created,    E::member_created,
                                E::space_created,      E::member_joined,     E::member_joined,
                                E::thread_created,
                                E::badge_awarded,  // ada: first-thread (the standard badges)
                                E::reply_created,
                                E::notification,   // to ada: bo replied
                                E::badge_awarded,  // bo: first-reply
                                E::reaction_added,
                                E::notification,        // to bo: ada reacted
                                E::reputation_changed,  // bo +10 (the default rules, qa)
                                E::badge_awarded,       // ada: supporter
                                E::reaction_removed,
                                E::reputation_changed,  // and back
                                E::post_edited,        E::post_deleted,      E::member_left,
                                E::member_updated,     E::member_deactivated});
  for (std::size_t i = 0; i < events.size(); ++i) CHECK(events[i].seq == i + 1);
  const Event& created = events[6];
  CHECK(created.space == c.guild.id);
  CHECK(created.actor == c.ada.id);
  CHECK(created.at == c.clock->now());
  CHECK(created.payload.find("\"title\":\"T\"") != std::string::npos);
  CHECK(created.payload.find("\"thread\":\"" + std::to_string(t.thread.id.value) + "\"") !=
        std::string::npos);
  CHECK(code_of(c->read_events(0, 0)) == errc::invalid_argument);
}

TEST_CASE("event payloads are JSON with escaped text and ids as strings", "[events]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Say \"hi\" \\ tab\there", "Body text"));
  auto events = ok(c->read_events(6, 1));
  REQUIRE(events.size() == 1);
  CHECK(events[0].payload.find(R"("title":"Say \"hi\" \\ tab\there")") != std::string::npos);
  CHECK(events[0].payload.find("\"author\":\"" + std::to_string(c.ada.id.value) + "\"") !=
        std::string::npos);
  // The log is not a second copy of what members wrote: bodies stay in the posts.
  CHECK(events[0].payload.find("Body text") == std::string::npos);
  std::string escaped = detail::Payload().str("k", std::string("a\nb\x01\"c\\", 7)).done();
  CHECK(escaped == R"({"k":"a\nb\u0001\"c\\"})");
  (void)t;
}

TEST_CASE("subscribers get each committed event once, in order, after the commit", "[events]") {
  Community c(no_badges());
  std::vector<Event> got;
  auto sub = ok(c->subscribe(0, [&](const Event& e) { got.push_back(e); }));
  CHECK(got.size() == 6);  // caught up from the log
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "T", "B"));
  REQUIRE(got.size() == 7);
  CHECK(got.back().type == EventType::thread_created);
  // A failed call dispatches nothing.
  CHECK_FALSE(c->create_thread(c.cy.id, c.guild.id, "T", "B"));
  CHECK(got.size() == 7);
  c->unsubscribe(sub);
  ok(c->reply(c.bo.id, t.first_post.id, "R"));
  CHECK(got.size() == 7);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i].seq == i + 1);
}

TEST_CASE("a subscriber resumes after the last sequence it saw", "[events]") {
  Community c;
  std::vector<std::uint64_t> seqs;
  auto sub = ok(c->subscribe(4, [&](const Event& e) { seqs.push_back(e.seq); }));
  CHECK(seqs == std::vector<std::uint64_t>{5, 6});
  c->unsubscribe(sub);
  CHECK(code_of(c->subscribe(0, nullptr)) == errc::invalid_argument);
}

TEST_CASE("polled subscribers receive events on the thread that polls", "[events]") {
  Community c(no_badges());
  std::vector<std::uint64_t> seqs;
  std::thread::id where;
  auto sub = ok(c->subscribe(
      6,
      [&](const Event& e) {
        seqs.push_back(e.seq);
        where = std::this_thread::get_id();
      },
      Delivery::polled));
  std::thread writer([&] { ok(c->create_thread(c.ada.id, c.guild.id, "T", "B")); });
  writer.join();
  CHECK(seqs.empty());  // nothing runs until the host polls
  CHECK(c->poll() == 1);
  CHECK(seqs == std::vector<std::uint64_t>{7});
  CHECK(where == std::this_thread::get_id());
  CHECK(c->poll() == 0);
  c->unsubscribe(sub);
}

TEST_CASE("a handler may call the engine, its events follow in order", "[events]") {
  Community c(no_badges());
  std::vector<std::uint64_t> seqs;
  bool replied = false;
  auto sub = ok(c->subscribe(6, [&](const Event& e) {
    seqs.push_back(e.seq);
    if (e.type == EventType::thread_created && !replied) {
      replied = true;
      auto page = c->get_thread_page(MemberId{}, ThreadId{}, {});
      (void)page;
      auto events = c->read_events(0, 200);
      REQUIRE(events);
      auto t = events->back();
      (void)t;
    }
  }));
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "T", "B"));
  auto sub2 = ok(c->subscribe(7, [&](const Event& e) {
    if (e.type == EventType::reply_created) {
      auto r = c->react(c.ada.id, t.first_post.id, "heart");  // a write from inside a handler
      CHECK(r);
    }
  }));
  ok(c->reply(c.bo.id, t.first_post.id, "R"));  // 8, and 9 the notification to ada
  CHECK(seqs == std::vector<std::uint64_t>{7, 8, 9, 10});
  c->unsubscribe(sub);
  c->unsubscribe(sub2);
}

TEST_CASE("a handler that throws is cancelled, the exception does not reach the caller",
          "[events]") {
  Community c(no_badges());
  std::vector<std::uint64_t> seqs;
  auto sub = ok(c->subscribe(6, [&](const Event& e) {
    if (e.type == EventType::reply_created) throw std::runtime_error("subscriber bug");
    seqs.push_back(e.seq);
  }));
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "T", "B"));  // seq 7
  auto r = c->reply(c.bo.id, t.first_post.id, "R");  // seq 8 (the handler throws), 9 notifies ada
  CHECK(r);                                          // the call itself committed
  ok(c->react(c.ada.id, t.first_post.id, "heart"));  // seq 10: not delivered
  CHECK(seqs == std::vector<std::uint64_t>{7});
  c->unsubscribe(sub);
  // Resuming from the last seq handled replays what the cancelled subscriber missed.
  std::vector<std::uint64_t> resumed;
  auto again = ok(c->subscribe(7, [&](const Event& e) { resumed.push_back(e.seq); }));
  CHECK(resumed == std::vector<std::uint64_t>{8, 9, 10});
  c->unsubscribe(again);
}

TEST_CASE("a write whose commit throws fails alone, and the engine goes on writing",
          "[events][group_commit]") {
  auto storage = std::make_shared<FailingMethod>(std::make_shared<MemoryStorage>(), "commit");
  storage->throws = true;
  EngineOptions options;
  options.storage = storage;
  Community c(std::move(options));
  const std::uint64_t seq = ok(c->last_event_seq());
  storage->fail_at = 0;
  CHECK(code_of(c->create_thread(c.bo.id, c.guild.id, "Raid", "Friday")) == errc::internal);
  CHECK(ok(c->last_event_seq()) == seq);  // nothing of it was logged
  // The next call runs (it would wait forever if the group were still marked running), from
  // this thread and from another.
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Raid", "Saturday"));
  CHECK(ok(c->get_thread(c.bo.id, t.thread.id)).title == "Raid");
  std::thread other([&] { (void)c->create_thread(c.ada.id, c.guild.id, "Loot", "later"); });
  other.join();
  CHECK(ok(c->list_threads(c.bo.id, c.guild.id, {})).items.size() == 2);
}
