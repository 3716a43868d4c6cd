// protocol::Session: one client connection's protocol state, fed frames and emitting frames
// (docs/protocol.md). It knows nothing of sockets: the Asio transport (adapters/asio) carries it
// over WebSocket, a game can carry it over its own netcode, a test drives it with strings.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hearth/engine.hpp"
#include "hearth/protocol/auth.hpp"

namespace hearth::protocol {

// The protocol version this build speaks (the `version` of hello).
inline constexpr std::uint32_t version = 1;

// Limits and switches of a session; docs/protocol.md states the defaults.
struct SessionOptions {
  // The largest frame accepted, in bytes; a larger one is answered with frame_too_large.
  std::size_t max_frame_bytes = 256 * 1024;
  // Requests a session may make: `request_burst` at once, refilled at `requests_per_second`.
  // Beyond it each request is answered with rate_limited, and nothing is done.
  std::uint32_t requests_per_second = 50;
  std::uint32_t request_burst = 100;
  // The most spaces one session may subscribe to by id.
  std::uint32_t max_subscribed_spaces = 1'000;
  // How far back `subscribe` with `after` may resume: at most this many events behind the log's
  // end (older cursors get conflict: reload, then subscribe from now).
  std::uint64_t max_replay_events = 10'000;
  // Whether create_member (sign-up) is served. Off: a host makes members itself.
  bool allow_signup = false;
  // How events reach the session: immediate (on the committing thread; the Output must be
  // thread-safe) or polled (when the host calls Engine::poll(), e.g. in a game's tick).
  Delivery delivery = Delivery::immediate;
};

// Where a session's frames go; the transport implements it.
class Output {
 public:
  virtual ~Output() = default;
  // One text frame for the client. MUST be safe to call from any thread, concurrently with the
  // session's receive(), and after the connection is gone (then it drops the frame). MUST NOT
  // call back into the session.
  virtual void send(std::string frame) = 0;
  // The session asks for the connection to be closed after the frames already sent, saying why
  // (e.g. "deactivated"): a protocol close, as a WebSocket close frame with the reason. Same
  // thread rules as send(); called at most once per session.
  virtual void close(std::string_view reason) = 0;
};

// One connection's protocol state: who it speaks for, what it subscribed to, where its event
// stream stands. receive() MUST NOT be called concurrently for one session (a transport reads a
// connection's frames in order); sessions are independent of each other.
class Session {
 public:
  // `engine` and `authenticator` MUST outlive the session.
  Session(Engine& engine, Authenticator& authenticator, std::shared_ptr<Output> output,
          SessionOptions options = {});
  ~Session();  // stops the session's event stream: no frame is sent after it returns
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Handles one frame from the client: answers it through the Output (the answer, and any events
  // it causes, may come in either order). Never throws.
  void receive(std::string_view frame);

  // The member the session speaks for (no id: anonymous, or before hello).
  MemberId member() const noexcept;
  // Whether the session asked for its connection to be closed.
  bool closing() const noexcept;

  // The methods a session serves, sorted: those of the protocol (hello, subscribe, ...) and one
  // per public engine call (docs/protocol.md).
  static std::vector<std::string_view> methods();

  struct State;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hearth::protocol
