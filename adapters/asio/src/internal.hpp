// The pieces of the Asio transport (internal), after Beast's chat-multi example: a listener
// accepts, an HttpSession serves HTTP and hands upgrades to a WebSocketSession, SharedState
// knows every live WebSocketSession.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "hearth/asio/server.hpp"

namespace hearth::asio::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class WebSocketSession;

struct SharedState {
  Engine& engine;
  protocol::Authenticator& authenticator;
  ServerOptions options;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};

  std::mutex mutex;
  std::unordered_map<const WebSocketSession*, std::weak_ptr<WebSocketSession>> sessions;

  SharedState(Engine& e, protocol::Authenticator& a, ServerOptions o)
      : engine(e), authenticator(a), options(std::move(o)) {}
  void join(const std::shared_ptr<WebSocketSession>& s);
  void leave(const WebSocketSession* s);
  // Asks every WebSocket to close with `reason`.
  void close_all(std::string_view reason);
};

// Counts a connection for as long as it lives.
class ConnectionCount {
 public:
  explicit ConnectionCount(std::shared_ptr<SharedState> state) : state_(std::move(state)) {
    ++state_->connections;
  }
  ~ConnectionCount() { --state_->connections; }
  ConnectionCount(const ConnectionCount&) = delete;
  ConnectionCount& operator=(const ConnectionCount&) = delete;
  SharedState& state() const { return *state_; }
  const std::shared_ptr<SharedState>& shared() const { return state_; }

 private:
  std::shared_ptr<SharedState> state_;
};

// One WebSocket connection carrying a protocol::Session.
class WebSocketSession : public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(tcp::socket&& socket, std::shared_ptr<SharedState> state);
  ~WebSocketSession();

  // Accepts the upgrade `request`, then reads frames until the connection ends.
  void run(http::request<http::string_body> request);
  // A frame for the client; from any thread. Closes a client that is not reading. Takes a
  // reference to the connection and hands it to the connection's strand, so that the caller
  // (an engine thread delivering an event) never destroys the connection.
  static void send(std::shared_ptr<WebSocketSession> self, std::string frame);
  // Closes after the frames queued (a close frame with `reason`); from any thread.
  static void close(std::shared_ptr<WebSocketSession> self, std::string reason);

 private:
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void queue(std::shared_ptr<const std::string> frame);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void start_close();
  void cut();  // closes the socket at once: pending operations end

  ConnectionCount count_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::unique_ptr<protocol::Session> session_;
  // On the connection's strand only:
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  std::string close_reason_;
  // From any thread:
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<bool> cut_{false};
};

}  // namespace hearth::asio::detail
