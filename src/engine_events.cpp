#include "engine_impl.hpp"

namespace hearth {

void Dispatcher::enqueue(std::vector<Event> events) {
  std::lock_guard lock(queue_mutex_);
  for (auto& e : events) pending_.push_back(std::move(e));
}

void Dispatcher::drain() {
  std::unique_lock lock(queue_mutex_);
  if (dispatching_) return;  // the thread delivering now takes ours too, in order
  dispatching_ = true;
  while (!pending_.empty()) {
    std::deque<Event> batch;
    batch.swap(pending_);
    lock.unlock();
    {
      std::lock_guard deliver_lock(deliver_mutex_);
      std::vector<std::shared_ptr<Subscription>> subs;
      {
        std::lock_guard subs_lock(subs_mutex_);
        subs.reserve(subs_.size());
        for (auto& [id, sub] : subs_) subs.push_back(sub);
      }
      for (const Event& e : batch)
        for (auto& sub : subs) deliver(*sub, e);
    }
    lock.lock();
  }
  dispatching_ = false;
}

void Dispatcher::call_handler(Subscription& sub, const Event& e) noexcept {
  try {
    sub.handler(e);
  } catch (...) {
    // No exception crosses the API, and a subscriber that missed an event must not go on as
    // if it had not: it is cancelled, and resumes with a new subscription from its last seq.
    sub.active = false;
  }
}

void Dispatcher::deliver(Subscription& sub, const Event& e) {
  if (e.seq <= sub.last_seq || !sub.active.load()) return;
  sub.last_seq = e.seq;
  if (sub.delivery == Delivery::immediate) {
    if (!sub.filter || sub.filter(e)) call_handler(sub, e);
  } else {
    std::lock_guard lock(sub.queue_mutex);
    sub.queue.push_back(e);
  }
}

result<SubscriptionId> Dispatcher::subscribe(Storage& storage, std::uint64_t after,
                                             std::function<void(const Event&)> handler,
                                             Delivery delivery,
                                             std::function<bool(const Event&)> filter) {
  if (!handler) return errc::invalid_argument;
  auto sub = std::make_shared<Subscription>();
  sub->handler = std::move(handler);
  sub->filter = std::move(filter);
  sub->delivery = delivery;
  sub->last_seq = after;
  // Catch up from the log while no live delivery runs, then join the live stream: what is
  // committed meanwhile is still pending and comes after, skipped if already caught up.
  std::lock_guard deliver_lock(deliver_mutex_);
  constexpr std::uint32_t batch = 512;
  for (;;) {
    auto tx = storage.begin(TxMode::read);
    if (!tx) return failure{tx.error()};
    auto events = (*tx)->read_events(sub->last_seq, batch);
    if (!events) return failure{events.error()};
    tx->reset();
    for (const Event& e : *events) deliver(*sub, e);
    if (events->size() < batch) break;
  }
  std::lock_guard subs_lock(subs_mutex_);
  sub->id = next_id_++;
  subs_.emplace(sub->id, sub);
  return sub->id;
}

void Dispatcher::unsubscribe(SubscriptionId id) {
  std::lock_guard lock(subs_mutex_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return;
  it->second->active = false;
  subs_.erase(it);
}

std::size_t Dispatcher::poll() {
  std::vector<std::shared_ptr<Subscription>> subs;
  {
    std::lock_guard lock(subs_mutex_);
    for (auto& [id, sub] : subs_)
      if (sub->delivery == Delivery::polled) subs.push_back(sub);
  }
  std::size_t delivered = 0;
  for (auto& sub : subs) {
    std::deque<Event> events;
    {
      std::lock_guard lock(sub->queue_mutex);
      events.swap(sub->queue);
    }
    for (const Event& e : events) {
      if (!sub->active.load()) break;
      if (sub->filter && !sub->filter(e)) continue;
      call_handler(*sub, e);
      ++delivered;
    }
  }
  return delivered;
}

result<SubscriptionId> Engine::subscribe(std::uint64_t after_seq,
                                         std::function<void(const Event&)> handler,
                                         Delivery delivery) {
  return impl_->dispatcher.subscribe(*impl_->storage, after_seq, std::move(handler), delivery);
}

result<SubscriptionId> Engine::subscribe_as(MemberId viewer, std::uint64_t after_seq,
                                            std::function<void(const Event&)> handler,
                                            Delivery delivery,
                                            std::function<bool(const Event&)> wants) {
  Impl* impl = impl_.get();
  return impl_->dispatcher.subscribe(*impl_->storage, after_seq, std::move(handler), delivery,
                                     [impl, viewer, wants = std::move(wants)](const Event& e) {
                                       return (!wants || wants(e)) && impl->may_receive(viewer, e);
                                     });
}

namespace {

// The member a payload names first, under `key`: the recipient of a `notification`
// (engine_notifications.cpp writes it there), the member of a sanction event
// (engine_sanctions.cpp). No id when the payload is not shaped so.
MemberId first_member(const Event& e, std::string_view key) {
  const std::string_view p = e.payload;
  if (p.size() < key.size() + 5 || p.substr(0, 2) != "{\"" || p.substr(2, key.size()) != key ||
      p.substr(2 + key.size(), 3) != "\":\"")
    return {};
  std::uint64_t id = 0;
  for (std::size_t i = key.size() + 5; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '"') return MemberId{id};
    if (c < '0' || c > '9' || id > (UINT64_MAX - 9) / 10) return {};
    id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return {};
}

// Whether a reputation_changed event is about a sanction's points (ReputationRules::sanctions)
// or their reversal: a penalty tells of the sanction, so it is the member's alone too. Texts in
// a payload are JSON strings, whose quotes are escaped: no note can forge these fields.
bool about_sanction(const Event& e) {
  const std::string_view p = e.payload;
  return p.find(R"("reason":"sanction")") != std::string_view::npos ||
         p.find(R"("note":"sanction_revoked")") != std::string_view::npos;
}

// The member a reputation_changed payload names (its "member" field).
MemberId member_field(const Event& e) {
  constexpr std::string_view key = R"("member":")";
  const std::string_view p = e.payload;
  const auto at = p.find(key);
  if (at == std::string_view::npos) return {};
  std::uint64_t id = 0;
  for (std::size_t i = at + key.size(); i < p.size(); ++i) {
    const char c = p[i];
    if (c == '"') return MemberId{id};
    if (c < '0' || c > '9' || id > (UINT64_MAX - 9) / 10) return {};
    id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return {};
}

}  // namespace

bool Engine::Impl::may_receive(MemberId viewer, const Event& e) {
  if (e.type == EventType::notification && (!viewer || first_member(e, "recipient") != viewer))
    return false;
  // A member's sanctions are theirs to learn of, not everyone's (moderators read the audit log).
  if ((e.type == EventType::member_sanctioned || e.type == EventType::sanction_revoked) &&
      (!viewer || first_member(e, "member") != viewer))
    return false;
  if (e.type == EventType::reputation_changed && about_sanction(e) &&
      (!viewer || member_field(e) != viewer))
    return false;
  if (!e.space) return true;
  auto r = read([&](Transaction& tx) { return access(tx, e.space, viewer, Access::read); });
  return r.has_value();
}

void Engine::unsubscribe(SubscriptionId id) { impl_->dispatcher.unsubscribe(id); }

std::size_t Engine::poll() { return impl_->dispatcher.poll(); }

result<std::vector<Event>> Engine::read_events(std::uint64_t after_seq, std::uint32_t limit) {
  HEARTH_TRY(checked, impl_->page_limit(PageRequest{{}, limit}));
  return impl_->read([&](Transaction& tx) { return tx.read_events(after_seq, checked); });
}

result<std::uint64_t> Engine::last_event_seq() {
  return impl_->read([&](Transaction& tx) { return tx.last_event_seq(); });
}

}  // namespace hearth
