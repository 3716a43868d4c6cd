// hearth over the network: the protocol (docs/protocol.md) on WebSocket, and plain HTTP for
// health, static files and a few read-only GET endpoints, on Boost.Asio + Boost.Beast.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "hearth/engine.hpp"
#include "hearth/protocol/auth.hpp"
#include "hearth/protocol/session.hpp"

namespace hearth::asio {

struct ServerOptions {
  std::string address = "127.0.0.1";  // where to listen: loopback unless told otherwise
  std::uint16_t port = 0;             // 0: any free port (Server::port() says which)
  unsigned threads = 2;               // the I/O threads; calls run on them
  // Files served to GET requests (index.html for "/"); empty: none.
  std::string static_dir;
  // The most connections at once (HTTP and WebSocket); beyond it new ones are closed at once.
  std::size_t max_connections = 20'000;
  // Frames waiting to be written to one client, in bytes. A client that lets more pile up is
  // not reading: its connection is closed (reason "slow_reader"), so memory stays bounded.
  std::size_t send_queue_bytes = 4 * 1024 * 1024;
  // The kernel's send buffer of each connection, in bytes (SO_SNDBUF); 0: the system's
  // default, which grows to megabytes per connection. With many connections, a small buffer
  // bounds kernel memory too; a slow reader is then noticed sooner.
  int socket_send_buffer = 0;
  // A WebSocket connection silent this long is pinged; one that does not answer is closed
  // (half-open connections). HTTP requests must arrive within it too.
  std::chrono::seconds idle_timeout{60};
  // How long stop() waits for connections to close before cutting them.
  std::chrono::seconds shutdown_grace{5};
  protocol::SessionOptions session;
};

// A running server. Thread-safe.
class Server {
 public:
  // Binds and starts serving on options.threads threads. invalid_argument for a malformed
  // address or zero threads; unavailable when the address cannot be bound (in use, no such
  // interface). `engine` and `authenticator` MUST outlive the server.
  static result<std::unique_ptr<Server>> start(Engine& engine,
                                               protocol::Authenticator& authenticator,
                                               ServerOptions options);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const noexcept;
  // Open connections, HTTP and WebSocket.
  std::size_t connections() const noexcept;
  // Stops gracefully: no new connection is accepted; calls in flight finish and are answered;
  // every WebSocket gets a close frame with the reason "shutdown"; after shutdown_grace what is
  // left is cut; then the threads are joined. Idempotent. MUST NOT be called from a handler
  // running on the server's own threads.
  void stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hearth::asio
