// Group commit through the engine, on the kit's storage: write calls from many threads share
// transactions and commits (where the adapter has savepoints), and each call still learns its
// own outcome: what returned success is stored and logged once, what failed left nothing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hearth/engine.hpp"
#include "hearth/storage/wrapper.hpp"
#include "kit_internal.hpp"
#include "result_string.hpp"

namespace hearth::conformance {
namespace {

using detail::fresh_storage;

// Counts commits and makes each take a little longer, so that calls pile up behind it; fails
// the commit numbered `fail_commit` (from 1; 0: none).
class SlowCommits final : public StorageWrapper {
 public:
  explicit SlowCommits(std::shared_ptr<Storage> target) : StorageWrapper(std::move(target)) {}
  std::atomic<int> commits{0};
  int fail_commit = 0;

 protected:
  std::unique_ptr<Transaction> wrap(std::unique_ptr<Transaction> tx, TxMode) override {
    class Tx final : public TransactionWrapper {
     public:
      Tx(std::unique_ptr<Transaction> t, SlowCommits& owner)
          : TransactionWrapper(std::move(t)), owner_(owner) {}
      result<void> on_call(std::string_view name) override {
        if (name != "commit") return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (++owner_.commits == owner_.fail_commit) return errc::storage_error;
        return {};
      }

     private:
      SlowCommits& owner_;
    };
    return std::make_unique<Tx>(std::move(tx), *this);
  }
};

bool has_savepoints(Storage& s) {
  auto tx = s.begin(TxMode::write);
  return tx && (*tx)->has_savepoints();
}

// Eight members of an open guild; `closed` is a private space of the keeper's, which none of
// them belongs to.
struct Writers {
  std::shared_ptr<SlowCommits> storage = std::make_shared<SlowCommits>(fresh_storage());
  std::unique_ptr<Engine> engine;
  std::vector<MemberId> members;
  MemberId keeper;
  SpaceId guild, closed;

  Writers() {
    EngineOptions options;
    options.storage = storage;
    auto e = Engine::open(std::move(options));
    REQUIRE(e.has_value());
    engine = std::move(*e);
    for (int i = 0; i < 8; ++i) {
      auto m = engine->create_member("writer" + std::to_string(i), "W");
      REQUIRE(m.has_value());
      members.push_back(m->id);
    }
    auto k = engine->create_member("keeper", "K");
    REQUIRE(k.has_value());
    keeper = k->id;
    auto g = engine->create_space(members[0], {{}, SpaceKind::guild, "Guild", ""});
    auto c =
        engine->create_space(keeper, {{}, SpaceKind::forum, "Closed", "", Visibility::private_});
    REQUIRE(g.has_value());
    REQUIRE(c.has_value());
    guild = g->id;
    closed = c->id;
    for (std::size_t i = 1; i < members.size(); ++i)
      REQUIRE(engine->join_space(members[i], guild).has_value());
  }

  // Every thread of `space` its owner sees, by title.
  std::vector<std::string> titles(SpaceId space) {
    const MemberId owner = space == closed ? keeper : members[0];
    std::vector<std::string> out;
    PageRequest page{"", 100};
    for (;;) {
      auto p = engine->list_threads(owner, space, page);
      REQUIRE(p.has_value());
      for (const auto& t : p->items) out.push_back(t.title);
      if (p->next_cursor.empty()) break;
      page.cursor = p->next_cursor;
    }
    return out;
  }

  std::vector<Event> log() {
    std::vector<Event> out;
    for (std::uint64_t after = 0;;) {
      auto batch = engine->read_events(after, 100);
      REQUIRE(batch.has_value());
      if (batch->empty()) break;
      after = batch->back().seq;
      out.insert(out.end(), batch->begin(), batch->end());
    }
    return out;
  }
};

struct Outcome {
  std::string title;
  bool should_succeed = false;
  error_code error;  // none: succeeded
};

}  // namespace

TEST_CASE("concurrent writes share commits, and each call learns its own outcome",
          "[conformance][group_commit][concurrency]") {
  Writers w;
  const int commits_before = w.storage->commits.load();
  const std::uint64_t seq_before = w.log().back().seq;
  std::vector<std::uint64_t> delivered;  // by the subscriber, in order
  std::mutex delivered_mutex;
  auto sub = w.engine->subscribe(seq_before, [&](const Event& e) {
    std::lock_guard lock(delivered_mutex);
    delivered.push_back(e.seq);
  });
  REQUIRE(sub.has_value());

  constexpr int per_thread = 40;
  std::vector<std::vector<Outcome>> outcomes(w.members.size());
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < w.members.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        Outcome o;
        o.title = "t" + std::to_string(t) + "-" + std::to_string(i);
        // One call in four goes where its author may not post: it fails alone.
        o.should_succeed = i % 4 != 3;
        auto r = w.engine->create_thread(w.members[t], o.should_succeed ? w.guild : w.closed,
                                         o.title, "body");
        if (!r) o.error = r.error();
        outcomes[t].push_back(std::move(o));
      }
    });
  }
  for (auto& th : threads) th.join();

  std::size_t succeeded = 0;
  for (const auto& list : outcomes)
    for (const auto& o : list) {
      INFO(o.title);
      if (o.should_succeed) {
        CHECK_FALSE(o.error);
        ++succeeded;
      } else {
        CHECK(o.error == make_error_code(errc::forbidden));
      }
    }
  auto stored = w.titles(w.guild);
  CHECK(stored.size() == succeeded);
  CHECK(w.titles(w.closed).empty());

  // The log holds each successful call's event once, numbered without a gap, and the
  // subscriber got them all, once each, in order.
  auto events = w.log();
  std::size_t created = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].seq == i + 1);
    if (events[i].seq > seq_before && events[i].type == EventType::thread_created) ++created;
  }
  CHECK(created == succeeded);
  w.engine->unsubscribe(*sub);
  std::vector<std::uint64_t> expected;
  for (std::uint64_t s = seq_before + 1; s <= events.back().seq; ++s) expected.push_back(s);
  CHECK(delivered == expected);

  const int commits = w.storage->commits.load() - commits_before;
  CAPTURE(commits, succeeded);
  if (has_savepoints(*w.storage))
    CHECK(static_cast<std::size_t>(commits) < succeeded);  // calls shared commits
  else
    CHECK(static_cast<std::size_t>(commits) == succeeded);
}

TEST_CASE("a commit that fails fails only the calls it carried, and stores none of them",
          "[conformance][group_commit][concurrency]") {
  Writers w;
  w.storage->fail_commit = w.storage->commits.load() + 3;  // the third commit from here
  std::vector<std::vector<Outcome>> outcomes(w.members.size());
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < w.members.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        Outcome o;
        o.title = "f" + std::to_string(t) + "-" + std::to_string(i);
        auto r = w.engine->create_thread(w.members[t], w.guild, o.title, "body");
        if (!r) o.error = r.error();
        outcomes[t].push_back(std::move(o));
      }
    });
  }
  for (auto& th : threads) th.join();
  auto stored = w.titles(w.guild);
  std::size_t failed = 0;
  for (const auto& list : outcomes)
    for (const auto& o : list) {
      INFO(o.title);
      const bool is_stored = std::find(stored.begin(), stored.end(), o.title) != stored.end();
      if (o.error) {
        ++failed;
        CHECK(o.error == make_error_code(errc::storage_error));
        CHECK_FALSE(is_stored);
      } else {
        CHECK(is_stored);
      }
    }
  CHECK(failed >= 1);
  CHECK(stored.size() == 80 - failed);
  std::size_t created = 0;
  for (const auto& e : w.log()) created += e.type == EventType::thread_created ? 1 : 0;
  CHECK(created == stored.size());
}

namespace detail {
void link_group_commit_kit() {}
}  // namespace detail

}  // namespace hearth::conformance
