// Engine internals shared by the engine's source files (not installed).
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "hearth/engine.hpp"
#include "hearth/id.hpp"
#include "payload.hpp"
#include "text.hpp"

namespace hearth {

// What a write call's body works with: the open transaction, "now", and the events it emits.
struct WriteContext {
  Transaction& tx;
  Timestamp now;
  std::vector<Event> events;

  // Appends an event to the log in this transaction; it is dispatched after the commit.
  result<void> emit(EventType type, SpaceId space, MemberId actor, std::string payload);
};

// Delivers committed events to subscribers, in commit order, exactly once each.
class Dispatcher {
 public:
  // Queues events of a transaction that just committed. REQUIRES: called while that
  // transaction still holds the storage's write lock, so the queue is in commit order.
  void enqueue(std::vector<Event> events);
  // Delivers what is queued, unless this or another thread is already delivering (it then
  // delivers these too, in order).
  void drain();

  result<SubscriptionId> subscribe(Storage& storage, std::uint64_t after,
                                   std::function<void(const Event&)> handler, Delivery delivery);
  void unsubscribe(SubscriptionId id);
  std::size_t poll();

 private:
  struct Subscription {
    SubscriptionId id = 0;
    std::function<void(const Event&)> handler;
    Delivery delivery = Delivery::immediate;
    std::uint64_t last_seq = 0;  // guarded by deliver_mutex_
    std::atomic<bool> active{true};
    std::mutex queue_mutex;
    std::deque<Event> queue;  // polled delivery
  };
  void deliver(Subscription& sub, const Event& e);
  static void call_handler(Subscription& sub, const Event& e) noexcept;

  std::mutex queue_mutex_;  // guards pending_ and dispatching_
  std::deque<Event> pending_;
  bool dispatching_ = false;

  std::mutex deliver_mutex_;  // held while events go out and while a subscriber catches up
  std::mutex subs_mutex_;     // guards subs_ and next_id_
  std::map<SubscriptionId, std::shared_ptr<Subscription>> subs_;
  SubscriptionId next_id_ = 1;
};

class Engine::Impl {
 public:
  explicit Impl(EngineOptions o);

  // The one write path of the engine: opens a write transaction, runs `body(ctx)` (which
  // checks, writes state and emits events), commits, then dispatches the events. When the
  // body or the commit fails, the transaction rolls back and nothing is dispatched.
  template <class F>
  std::invoke_result_t<F, WriteContext&> write(F&& body) {
    auto tx = storage->begin(TxMode::write);
    if (!tx) return failure{tx.error()};
    WriteContext ctx{**tx, clock->now(), {}};
    auto r = body(ctx);
    if (!r) return failure{r.error()};
    if (auto c = (*tx)->commit(); !c) return failure{c.error()};
    if (!ctx.events.empty()) dispatcher.enqueue(std::move(ctx.events));
    tx->reset();  // releases the write lock, after the events are queued in commit order
    dispatcher.drain();
    return r;
  }

  // Runs `body(tx)` in a read transaction.
  template <class F>
  std::invoke_result_t<F, Transaction&> read(F&& body) {
    auto tx = storage->begin(TxMode::read);
    if (!tx) return failure{tx.error()};
    return body(**tx);
  }

  // The actor as a member who may act: not_found if unknown, forbidden once deactivated.
  result<Member> active_member(Transaction& tx, MemberId actor);
  // forbidden unless `actor` is a member of `space`.
  result<Membership> require_membership(Transaction& tx, SpaceId space, MemberId actor);
  enum class Access : std::uint8_t {
    see,   // know that it exists: its name, description and counts
    read,  // what is in it: threads, posts, members
  };
  // The space, if `viewer` has `access` to it: not_found when the space, or an ancestor, is
  // secret and the viewer is not its member (exactly as if it did not exist), forbidden when
  // they may see it but not read it (a private space or ancestor they are not a member of).
  // The one place where visibility is decided; every call that touches a space's content
  // comes through here.
  result<Space> check_access(Transaction& tx, SpaceId space, MemberId viewer, Access access);
  // The same as check_access(..., Access::read) when the caller needs no Space record: served
  // from the cache of space facts, so a read of a public space costs no lookup of it.
  result<void> check_read(Transaction& tx, SpaceId space, MemberId viewer);
  result<std::uint32_t> page_limit(const PageRequest& page) const;

  // What visibility checks need of a space. Both never change once the space exists (no call
  // moves a space or changes its visibility, and spaces are not deleted), so they are cached
  // for the engine's life. A call that changes either must invalidate this cache, and, where
  // several processes share one storage, tell the others.
  struct SpaceFacts {
    SpaceId parent;
    Visibility visibility = Visibility::public_;
  };
  result<SpaceFacts> space_facts(Transaction& tx, SpaceId space);
  void remember(const Space& s);
  result<void> walk_access(Transaction& tx, SpaceId space, SpaceFacts facts, MemberId viewer,
                           Access access);

  std::shared_mutex facts_mutex;
  std::unordered_map<std::uint64_t, SpaceFacts> facts;

  EngineOptions options;
  std::shared_ptr<Storage> storage;
  std::shared_ptr<Clock> clock;
  IdGenerator ids;
  Dispatcher dispatcher;
};

// Splits a fetched list of limit+1 items into a page: the extra item says there is more.
template <class T, class KeyFn>
Page<T> make_page(std::vector<T> items, std::uint32_t limit, char tag, KeyFn key) {
  Page<T> page;
  if (items.size() > limit) {
    items.resize(limit);
    page.next_cursor = detail::encode_cursor(tag, key(items.back()));
  }
  page.items = std::move(items);
  return page;
}

}  // namespace hearth
