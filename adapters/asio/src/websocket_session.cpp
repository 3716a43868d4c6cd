#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

#include "internal.hpp"

namespace hearth::asio::detail {

namespace {

// The protocol session's way out: frames and closes go to the connection's strand. It holds the
// connection weakly, and never drops the last reference itself (a frame posted carries it), so
// a connection is never destroyed on an engine thread that is delivering an event.
class Output final : public protocol::Output {
 public:
  explicit Output(std::weak_ptr<WebSocketSession> ws) : ws_(std::move(ws)) {}
  void send(std::string frame) override {
    if (auto ws = ws_.lock()) WebSocketSession::send(std::move(ws), std::move(frame));
  }
  void close(std::string_view reason) override {
    if (auto ws = ws_.lock()) WebSocketSession::close(std::move(ws), std::string(reason));
  }

 private:
  std::weak_ptr<WebSocketSession> ws_;
};

}  // namespace

void SharedState::join(const std::shared_ptr<WebSocketSession>& s) {
  std::lock_guard lock(mutex);
  sessions.emplace(s.get(), s);
}

void SharedState::leave(const WebSocketSession* s) {
  std::lock_guard lock(mutex);
  sessions.erase(s);
}

void SharedState::close_all(std::string_view reason) {
  std::vector<std::shared_ptr<WebSocketSession>> live;
  {
    std::lock_guard lock(mutex);
    for (auto& [key, weak] : sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) WebSocketSession::close(std::move(s), std::string(reason));
}

WebSocketSession::WebSocketSession(tcp::socket&& socket, std::shared_ptr<SharedState> state)
    : count_(std::move(state)), ws_(std::move(socket)) {}

WebSocketSession::~WebSocketSession() {
  session_.reset();  // stops the event stream before the connection's parts go
  count_.state().leave(this);
}

void WebSocketSession::run(http::request<http::string_body> request) {
  const ServerOptions& o = count_.state().options;
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = o.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "hearth"); }));
  // A frame over the protocol's limit is refused by Beast before it is read whole (close code
  // 1009, "message too big"): memory stays bounded whatever a client sends.
  ws_.read_message_max(o.session.max_frame_bytes);
  ws_.async_accept(request,
                   beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) return;
  SharedState& state = count_.state();
  session_ = std::make_unique<protocol::Session>(state.engine, state.authenticator,
                                                 std::make_shared<Output>(weak_from_this()),
                                                 state.options.session);
  state.join(shared_from_this());
  if (state.stopping.load()) {
    close(shared_from_this(), "shutdown");
    return;
  }
  do_read();
}

void WebSocketSession::do_read() {
  ws_.async_read(buffer_,
                 beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) return;  // closed, cut, timed out or refused: the connection ends here
  if (closing_) return;
  if (!ws_.got_text()) {
    send(shared_from_this(),
         R"({"id":null,"error":{"code":"bad_frame","message":"frames are text messages"}})");
  } else {
    // The call runs here, on the connection's strand: a connection's requests are answered in
    // order, one at a time.
    const std::string frame = beast::buffers_to_string(buffer_.data());
    session_->receive(frame);
  }
  buffer_.consume(buffer_.size());
  if (!closing_ && !session_->closing()) do_read();
}

void WebSocketSession::send(std::shared_ptr<WebSocketSession> self, std::string frame) {
  auto executor = self->ws_.get_executor();
  if (self->cut_.load()) {
    net::post(executor, [self = std::move(self)] {});  // let go of it there
    return;
  }
  const std::size_t size = frame.size();
  if (self->queued_bytes_.fetch_add(size) + size > self->count_.state().options.send_queue_bytes) {
    // Not reading: no close handshake either (it would wait behind the same full buffers).
    self->queued_bytes_ -= size;
    self->cut_ = true;
    net::post(executor, [self = std::move(self)] { self->cut(); });
    return;
  }
  auto shared = std::make_shared<const std::string>(std::move(frame));
  net::post(executor, [self = std::move(self), shared = std::move(shared)]() mutable {
    self->queue(std::move(shared));
  });
}

void WebSocketSession::queue(std::shared_ptr<const std::string> frame) {
  if (cut_.load() || close_sent_) {
    queued_bytes_ -= frame->size();
    return;
  }
  queue_.push_back(std::move(frame));
  if (!writing_) do_write();
}

void WebSocketSession::do_write() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(net::buffer(*queue_.front()),
                  beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  queued_bytes_ -= queue_.front()->size();
  queue_.pop_front();
  if (ec) return cut();
  if (!queue_.empty()) return do_write();
  if (closing_) start_close();
}

void WebSocketSession::close(std::shared_ptr<WebSocketSession> self, std::string reason) {
  auto executor = self->ws_.get_executor();
  net::post(executor, [self = std::move(self), reason = std::move(reason)] {
    if (self->closing_ || self->cut_.load()) return;
    self->closing_ = true;
    self->close_reason_ = reason;
    if (!self->writing_) self->start_close();
  });
}

void WebSocketSession::start_close() {
  if (close_sent_) return;
  close_sent_ = true;
  const auto code = close_reason_ == "shutdown" ? websocket::close_code::going_away
                                                : websocket::close_code::policy_error;
  ws_.async_close(websocket::close_reason(code, close_reason_),
                  [self = shared_from_this()](beast::error_code) { self->cut(); });
}

void WebSocketSession::cut() {
  cut_ = true;
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

}  // namespace hearth::asio::detail
