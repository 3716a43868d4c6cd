#include "hearth/protocol/session.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hearth/protocol/json.hpp"
#include "methods.hpp"
#include "params.hpp"

namespace hearth::protocol {

namespace json = boost::json;
using detail::Params;
using detail::Reply;

namespace {

// The protocol's own methods, besides the engine's.
constexpr std::string_view session_methods[] = {"hello", "ping", "subscribe", "unsubscribe"};

// A string field of an event's payload ({"member":"123"}), or empty.
std::string payload_field(const Event& e, std::string_view key) {
  boost::system::error_code ec;
  json::value v = json::parse(e.payload, ec);
  if (ec || !v.is_object()) return {};
  const json::value* m = v.get_object().if_contains(key);
  if (!m || !m->is_string()) return {};
  return std::string(m->get_string());
}

// The member named by a member_deactivated, member_erased or member_sanctioned payload.
MemberId payload_member(const Event& e) {
  std::uint64_t id = 0;
  const std::string digits = payload_field(e, "member");
  if (digits.empty()) return {};
  for (char c : digits) {
    if (c < '0' || c > '9' || id > (UINT64_MAX - 9) / 10) return {};
    id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return MemberId{id};
}

// Whether `e` suspends or bans everywhere the session's member: they may not stay signed in.
bool shuts_out(const Event& e, MemberId member) {
  if (e.type != EventType::member_sanctioned || !member || payload_member(e) != member)
    return false;
  const std::string kind = payload_field(e, "kind");
  return kind == "suspend" || kind == "ban";
}

// `until`, when not absent (a kind-less value), is added to the error object: suspended and
// timed_out say until when (Unix ms, or null for no end).
std::string error_frame(const json::value& id, std::string_view code, std::string_view message,
                        const std::optional<json::value>& until = std::nullopt) {
  json::object o;
  o["id"] = id;
  json::object error{{"code", code}, {"message", message}};
  if (until) error["until"] = *until;
  o["error"] = std::move(error);
  return json::serialize(o);
}

// The "until" of an error for `who`'s restriction in `space`: null when it never ends.
json::value until_of(Engine& engine, MemberId who, SpaceId space) {
  auto r = engine.restriction(who, who, space);
  if (!r || !r->kind || r->until == 0) return nullptr;
  return r->until;
}

}  // namespace

// What the session shares with its event handler, which runs on whichever thread committed.
struct Session::State {
  std::shared_ptr<Output> out;
  std::mutex mutex;  // guards all below; never held while calling the engine
  bool stopped = false;
  MemberId member;
  bool all = false;
  bool notifications = false;
  std::unordered_set<std::uint64_t> spaces;
  std::atomic<bool> closing{false};

  void close(std::string_view reason) {
    if (!closing.exchange(true)) out->close(reason);
  }

  // Whether the subscriptions cover `e`. REQUIRES: mutex held.
  bool subscribed_to(const Event& e) const {
    return e.type == EventType::notification ? notifications
           : e.space                         ? all || spaces.contains(e.space.value)
                                             : all;
  }

  // Whether the session has a use for `e`: the engine asks before it checks visibility.
  bool wants(const Event& e) {
    std::lock_guard lock(mutex);
    if (stopped || closing.load()) return false;
    const bool may_close = e.type == EventType::member_deactivated ||
                           e.type == EventType::member_erased ||
                           e.type == EventType::member_sanctioned;
    return (may_close && member && payload_member(e) == member) || subscribed_to(e);
  }

  void on_event(const Event& e) {
    std::lock_guard lock(mutex);
    if (stopped || closing.load()) return;
    if ((e.type == EventType::member_deactivated || e.type == EventType::member_erased) && member &&
        payload_member(e) == member) {
      close(e.type == EventType::member_erased ? "erased" : "deactivated");
      return;
    }
    if (shuts_out(e, member)) {
      close("suspended");
      return;
    }
    if (!subscribed_to(e)) return;
    json::object o;
    o["event"] = json::value_from(e);
    out->send(json::serialize(o));
  }
};

struct Session::Impl {
  Engine& engine;
  Authenticator& authenticator;
  SessionOptions options;
  std::shared_ptr<State> state = std::make_shared<State>();
  bool said_hello = false;
  MemberId member;  // a copy of state->member for this thread's use
  std::optional<SubscriptionId> subscription;
  double tokens;
  Timestamp refilled_at;

  Impl(Engine& e, Authenticator& a, std::shared_ptr<Output> out, SessionOptions o)
      : engine(e),
        authenticator(a),
        options(o),
        tokens(static_cast<double>(o.request_burst)),
        refilled_at(e.clock().now()) {
    state->out = std::move(out);
  }

  ~Impl() {
    if (subscription) engine.unsubscribe(*subscription);
    std::lock_guard lock(state->mutex);
    state->stopped = true;
  }

  void send(std::string frame) { state->out->send(std::move(frame)); }

  void answer(const json::value& id, json::value result) {
    json::object o;
    o["id"] = id;
    o["result"] = std::move(result);
    send(json::serialize(o));
  }
  void fail(const json::value& id, std::string_view code, std::string_view message,
            const std::optional<json::value>& until = std::nullopt) {
    send(error_frame(id, code, message, until));
  }

  bool take_token() {
    const Timestamp now = engine.clock().now();
    if (now > refilled_at) {
      tokens = std::min(
          static_cast<double>(options.request_burst),
          tokens + static_cast<double>(now - refilled_at) * options.requests_per_second / 1000.0);
      refilled_at = now;
    }
    if (tokens < 1.0) return false;
    tokens -= 1.0;
    return true;
  }

  // (Re)starts the event stream after `after`; events go through the filter in State.
  error_code listen(std::uint64_t after) {
    if (subscription) {
      engine.unsubscribe(*subscription);
      subscription.reset();
    }
    std::shared_ptr<State> s = state;
    auto sub = engine.subscribe_as(
        member, after, [s](const Event& e) { s->on_event(e); }, options.delivery,
        [s](const Event& e) { return s->wants(e); });
    if (!sub) return sub.error();
    subscription = *sub;
    return {};
  }

  void receive(std::string_view frame);
  void dispatch(const json::value& id, std::string_view method, const json::object* params);
  void hello(const json::value& id, Params& p);
  void subscribe(const json::value& id, Params& p);
  void unsubscribe(const json::value& id, Params& p);
  json::object subscriptions();
};

void Session::Impl::receive(std::string_view frame) {
  if (state->closing.load()) return;
  const json::value no_id;
  if (frame.size() > options.max_frame_bytes) {
    fail(no_id, "frame_too_large",
         "a frame may have at most " + std::to_string(options.max_frame_bytes) + " bytes");
    return;
  }
  boost::system::error_code ec;
  json::parse_options po;
  po.max_depth = 32;
  json::value v = json::parse(frame, ec, {}, po);
  if (ec) {
    fail(no_id, "bad_frame", "not a JSON text: " + ec.message());
    return;
  }
  if (!v.is_object()) {
    fail(no_id, "bad_frame", "a request is a JSON object");
    return;
  }
  const json::object& request = v.get_object();
  const json::value* id = request.if_contains("id");
  if (!id || !(id->is_string() || id->is_int64() || id->is_uint64())) {
    fail(no_id, "bad_frame", "a request needs an \"id\": a string or an integer");
    return;
  }
  if (!take_token()) {
    fail(*id, "rate_limited",
         "more than " + std::to_string(options.requests_per_second) +
             " requests per second; this one was not done");
    return;
  }
  const json::value* method = request.if_contains("method");
  if (!method || !method->is_string()) {
    fail(*id, "bad_frame", "a request needs a \"method\": a string");
    return;
  }
  const json::value* params = request.if_contains("params");
  if (params && !params->is_null() && !params->is_object()) {
    fail(*id, "bad_frame", "\"params\" is an object");
    return;
  }
  for (const auto& [key, value] : request) {
    if (key != "id" && key != "method" && key != "params") {
      fail(*id, "bad_frame", "unknown field \"" + std::string(key) + "\" in the request");
      return;
    }
  }
  dispatch(*id, method->get_string(),
           params && params->is_object() ? &params->get_object() : nullptr);
}

void Session::Impl::dispatch(const json::value& id, std::string_view method,
                             const json::object* params) {
  Params p(params);
  if (method == "hello") return hello(id, p);
  if (!said_hello) {
    fail(id, "hello_required", "the first request of a session is hello");
    return;
  }
  if (method == "ping") {
    if (!p.done()) return fail(id, "invalid_params", p.message());
    return answer(id, {{"now", engine.clock().now()}});
  }
  if (method == "subscribe") return subscribe(id, p);
  if (method == "unsubscribe") return unsubscribe(id, p);
  const detail::Method* m = detail::find_engine_method(method);
  if (!m) {
    fail(id, "unknown_method", "no method \"" + std::string(method) + "\" (docs/protocol.md)");
    return;
  }
  detail::Call call{engine, member, p, options};
  Reply reply = m->handler(call);
  if (reply.bad_params) return fail(id, "invalid_params", p.message());
  if (reply.ec) {
    std::optional<json::value> until;
    if (reply.ec == make_error_code(errc::suspended)) until = until_of(engine, member, {});
    if (reply.ec == make_error_code(errc::timed_out)) until = until_of(engine, member, reply.where);
    return fail(id, error_name(reply.ec), std::string(method) + ": " + reply.ec.message(), until);
  }
  answer(id, std::move(reply.value));
}

void Session::Impl::hello(const json::value& id, Params& p) {
  const auto asked_version = p.opt_u32("version");
  Credentials credentials;
  credentials.token = p.str_or("token", "");
  credentials.handle = p.str_or("handle", "");
  if (!p.done()) return fail(id, "invalid_params", p.message());
  if (said_hello) return fail(id, "bad_frame", "hello comes once per session");
  if (asked_version != protocol::version) {
    return fail(id, "unsupported_version",
                "this server speaks version " + std::to_string(protocol::version));
  }
  MemberId who;
  if (!credentials.token.empty() || !credentials.handle.empty()) {
    std::string why;
    auto r = authenticator.authenticate(engine, credentials, why);
    if (!r) {
      return fail(
          id, "unauthenticated",
          std::string(error_name(r.error())) + ": " + (why.empty() ? r.error().message() : why));
    }
    who = *r;
    // A suspended member (or one banned everywhere) cannot log in.
    auto restricted = engine.restriction(who, who, {});
    if (!restricted) {
      return fail(id, error_name(restricted.error()), "hello: " + restricted.error().message());
    }
    if (restricted->kind == SanctionKind::suspend || restricted->kind == SanctionKind::ban) {
      return fail(id, "suspended", "hello: the member is suspended", until_of(engine, who, {}));
    }
  }
  json::value member_json = nullptr;
  if (who) {
    auto m = engine.get_member(who);
    if (!m) return fail(id, error_name(m.error()), "hello: " + m.error().message());
    member_json = json::value_from(*m);
  }
  auto head = engine.last_event_seq();
  if (!head) return fail(id, error_name(head.error()), "hello: " + head.error().message());
  member = who;
  {
    std::lock_guard lock(state->mutex);
    state->member = who;
  }
  if (auto ec = listen(*head)) {
    member = {};
    std::lock_guard lock(state->mutex);
    state->member = {};
    return fail(id, error_name(ec), "hello: " + ec.message());
  }
  said_hello = true;
  const EngineOptions& eo = engine.options();
  const Limits& l = eo.limits;
  json::array kinds, no_self;
  for (const auto& k : eo.reaction_kinds) kinds.emplace_back(k);
  for (const auto& k : eo.no_self_reaction) no_self.emplace_back(k);
  answer(id, {{"version", protocol::version},
              {"server", "hearth"},
              {"member", std::move(member_json)},
              {"insecure", authenticator.insecure()},
              {"last_seq", std::to_string(*head)},
              {"limits",
               {{"max_frame_bytes", options.max_frame_bytes},
                {"requests_per_second", options.requests_per_second},
                {"request_burst", options.request_burst},
                {"max_subscribed_spaces", options.max_subscribed_spaces},
                {"max_replay_events", options.max_replay_events}}},
              {"texts",
               {{"handle_min", l.handle_min},
                {"handle_max", l.handle_max},
                {"display_name_max", l.display_name_max},
                {"bio_max", l.bio_max},
                {"space_name_max", l.space_name_max},
                {"space_description_max", l.space_description_max},
                {"title_max", l.title_max},
                {"body_max", l.body_max},
                {"max_page_size", l.max_page_size},
                {"mentions_max", l.mentions_max},
                {"thread_tags_max", l.thread_tags_max}}},
              {"reaction_kinds", std::move(kinds)},
              {"no_self_reaction", std::move(no_self)}});
}

json::object Session::Impl::subscriptions() {
  std::lock_guard lock(state->mutex);
  std::vector<std::uint64_t> ids(state->spaces.begin(), state->spaces.end());
  std::sort(ids.begin(), ids.end());
  json::array spaces;
  for (auto s : ids) spaces.emplace_back(std::to_string(s));
  return {
      {"spaces", std::move(spaces)}, {"all", state->all}, {"notifications", state->notifications}};
}

void Session::Impl::subscribe(const json::value& id, Params& p) {
  const auto spaces = p.ids("spaces");
  const bool all = p.bool_or("all", false);
  const bool notifications = p.bool_or("notifications", false);
  const bool resume = p.has("after");
  const std::uint64_t after = p.opt_id<Id<struct SeqTag>>("after").value;
  if (!p.done()) return fail(id, "invalid_params", p.message());
  if (notifications && !member) {
    return fail(id, "forbidden", "subscribe: notifications need a member (hello with credentials)");
  }
  for (auto s : spaces) {
    // Only spaces the member may know of; what they may read is checked at each delivery.
    auto space = engine.get_space(member, SpaceId{s});
    if (!space) {
      return fail(id, error_name(space.error()),
                  "subscribe: space " + std::to_string(s) + ": " + space.error().message());
    }
  }
  {
    std::lock_guard lock(state->mutex);
    std::size_t count = state->spaces.size();
    for (auto s : spaces) count += state->spaces.contains(s) ? 0u : 1u;
    if (count > options.max_subscribed_spaces) {
      return fail(id, "invalid_argument",
                  "subscribe: at most " + std::to_string(options.max_subscribed_spaces) +
                      " spaces per session");
    }
  }
  std::uint64_t head = 0;
  if (resume) {
    auto h = engine.last_event_seq();
    if (!h) return fail(id, error_name(h.error()), "subscribe: " + h.error().message());
    head = *h;
    if (after > head || head - after > options.max_replay_events) {
      return fail(id, "conflict",
                  "subscribe: `after` is not within the last " +
                      std::to_string(options.max_replay_events) +
                      " events of the log; reload, then subscribe without it");
    }
  }
  {
    std::lock_guard lock(state->mutex);
    state->spaces.insert(spaces.begin(), spaces.end());
    state->all = state->all || all;
    state->notifications = state->notifications || notifications;
  }
  if (resume) {
    // The replay goes out through the handler before this answer.
    if (auto ec = listen(after)) {
      return fail(id, error_name(ec), "subscribe: " + ec.message());
    }
  }
  answer(id, subscriptions());
}

void Session::Impl::unsubscribe(const json::value& id, Params& p) {
  const auto spaces = p.ids("spaces");
  const bool all = p.bool_or("all", false);
  const bool notifications = p.bool_or("notifications", false);
  if (!p.done()) return fail(id, "invalid_params", p.message());
  {
    std::lock_guard lock(state->mutex);
    for (auto s : spaces) state->spaces.erase(s);
    if (all) state->all = false;
    if (notifications) state->notifications = false;
  }
  answer(id, subscriptions());
}

Session::Session(Engine& engine, Authenticator& authenticator, std::shared_ptr<Output> output,
                 SessionOptions options)
    : impl_(std::make_unique<Impl>(engine, authenticator, std::move(output), options)) {}

Session::~Session() = default;

void Session::receive(std::string_view frame) {
  try {
    impl_->receive(frame);
  } catch (const std::exception& e) {
    // Out of memory while building an answer, or a bug: the session says so and goes on.
    impl_->fail(json::value(), "internal", e.what());
  }
}

MemberId Session::member() const noexcept { return impl_->member; }

bool Session::closing() const noexcept { return impl_->state->closing.load(); }

std::vector<std::string_view> Session::methods() {
  std::vector<std::string_view> out(std::begin(session_methods), std::end(session_methods));
  for (const auto& m : detail::engine_methods()) out.push_back(m.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hearth::protocol
