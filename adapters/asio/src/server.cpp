#include "hearth/asio/server.hpp"

#include <charconv>
#include <filesystem>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/serialize.hpp>

#include "hearth/protocol/json.hpp"
#include "internal.hpp"

namespace hearth::asio {

namespace detail {

namespace {

namespace json = boost::json;

std::string_view mime_type(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot);
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".txt" || ext == ".md") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

http::status status_of(const error_code& ec) {
  if (is(ec, errc::not_found)) return http::status::not_found;
  if (is(ec, errc::forbidden)) return http::status::forbidden;
  if (is(ec, errc::gone)) return http::status::gone;
  if (is(ec, errc::invalid_argument) || is(ec, errc::invalid_cursor))
    return http::status::bad_request;
  if (is(ec, errc::unavailable)) return http::status::service_unavailable;
  return http::status::internal_server_error;
}

// "/api/spaces/123/threads" → the id after `prefix` and the rest ("/threads"); 0 when malformed.
std::uint64_t id_in_path(std::string_view path, std::string_view prefix, std::string_view& rest) {
  if (path.substr(0, prefix.size()) != prefix) return 0;
  path.remove_prefix(prefix.size());
  std::uint64_t id = 0;
  const auto r = std::from_chars(path.data(), path.data() + path.size(), id);
  if (r.ec != std::errc{}) return 0;
  rest = path.substr(static_cast<std::size_t>(r.ptr - path.data()));
  return id;
}

// One HTTP connection: requests one after the other; an upgrade hands it to a WebSocketSession.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<SharedState> state)
      : count_(std::move(state)), stream_(std::move(socket)) {}

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(64 * 1024);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(count_.state().options.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    if (ec) return;
    if (websocket::is_upgrade(parser_->get())) {
      stream_.expires_never();
      std::make_shared<WebSocketSession>(stream_.release_socket(), count_.shared())
          ->run(parser_->release());
      return;
    }
    handle(parser_->release());
  }

  template <class Response>
  void write(Response&& res) {
    auto sp = std::make_shared<std::decay_t<Response>>(std::forward<Response>(res));
    sp->set(http::field::server, "hearth");
    sp->prepare_payload();
    http::async_write(stream_, *sp,
                      [self = shared_from_this(), sp](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (!sp->keep_alive()) {
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
                          return;
                        }
                        self->do_read();
                      });
  }

  void json_response(const http::request<http::string_body>& req, http::status status,
                     const json::value& body) {
    http::response<http::string_body> res{status, req.version()};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = json::serialize(body);
    write(std::move(res));
  }

  template <class T>
  void answer(const http::request<http::string_body>& req, const result<T>& r) {
    if (!r) {
      json::value err = {
          {"error", {{"code", error_name(r.error())}, {"message", r.error().message()}}}};
      return json_response(req, status_of(r.error()), err);
    }
    json_response(req, http::status::ok, json::value_from(*r));
  }

  void text(const http::request<http::string_body>& req, http::status status,
            std::string_view body) {
    http::response<http::string_body> res{status, req.version()};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.keep_alive(req.keep_alive());
    res.body() = std::string(body);
    write(std::move(res));
  }

  void handle(http::request<http::string_body> req) {
    if (req.method() != http::verb::get && req.method() != http::verb::head)
      return text(req, http::status::method_not_allowed, "GET only\n");
    std::string_view target = req.target();
    target = target.substr(0, target.find('?'));
    SharedState& state = count_.state();
    Engine& engine = state.engine;
    const MemberId anonymous;  // HTTP reads are anonymous: public spaces only
    if (target == "/health") {
      auto head = engine.last_event_seq();
      json::value body = {{"status", head ? "ok" : "storage_error"},
                          {"connections", state.connections.load()},
                          {"last_seq", std::to_string(head ? *head : 0)}};
      return json_response(req, head ? http::status::ok : http::status::service_unavailable, body);
    }
    if (target == "/api/spaces") return answer(req, engine.find_spaces(anonymous, {}, {}));
    std::string_view rest;
    if (auto space = id_in_path(target, "/api/spaces/", rest)) {
      if (rest.empty()) return answer(req, engine.get_space(anonymous, SpaceId{space}));
      if (rest == "/threads")
        return answer(req, engine.list_threads(anonymous, SpaceId{space}, {}));
    }
    if (auto thread = id_in_path(target, "/api/threads/", rest)) {
      if (rest.empty()) return answer(req, engine.get_thread(anonymous, ThreadId{thread}));
      if (rest == "/posts")
        return answer(req, engine.get_thread_page(anonymous, ThreadId{thread}, {}));
    }
    if (target.substr(0, 5) == "/api/") return text(req, http::status::not_found, "no such API\n");
    serve_file(req, target);
  }

  void serve_file(const http::request<http::string_body>& req, std::string_view target) {
    const std::string& root = count_.state().options.static_dir;
    if (root.empty() || target.empty() || target[0] != '/' ||
        target.find("..") != std::string_view::npos ||
        target.find('\\') != std::string_view::npos || target.find('\0') != std::string_view::npos)
      return text(req, http::status::not_found, "not found\n");
    std::string path = root + std::string(target);
    if (target.back() == '/') path += "index.html";
    beast::error_code ec;
    http::file_body::value_type body;
    body.open(path.c_str(), beast::file_mode::scan, ec);
    if (ec) return text(req, http::status::not_found, "not found\n");
    const auto size = body.size();
    if (req.method() == http::verb::head) {
      http::response<http::empty_body> res{http::status::ok, req.version()};
      res.set(http::field::content_type, mime_type(path));
      res.content_length(size);
      res.keep_alive(req.keep_alive());
      return write(std::move(res));
    }
    http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                        std::make_tuple(http::status::ok, req.version())};
    res.set(http::field::content_type, mime_type(path));
    res.set(http::field::cache_control, "no-cache");
    res.content_length(size);
    res.keep_alive(req.keep_alive());
    write(std::move(res));
  }

  ConnectionCount count_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

// Accepts connections, each on a strand of its own.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::acceptor&& acceptor, std::shared_ptr<SharedState> state)
      : ioc_(ioc), acceptor_(std::move(acceptor)), state_(std::move(state)) {}

  void run() { do_accept(); }
  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      if (state_->stopping.load() ||
          state_->connections.load() >= state_->options.max_connections) {
        socket.close(ec);  // over the limit: closed at once, before anything is read
      } else {
        if (state_->options.socket_send_buffer > 0)
          socket.set_option(net::socket_base::send_buffer_size(state_->options.socket_send_buffer),
                            ec);
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<HttpSession>(std::move(socket), state_)->run();
      }
    }
    do_accept();  // a failed accept (out of descriptors) does not stop the listener
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::shared_ptr<SharedState> state_;
};

}  // namespace

}  // namespace detail

struct Server::Impl {
  detail::net::io_context ioc;
  std::shared_ptr<detail::SharedState> state;
  std::shared_ptr<detail::Listener> listener;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::mutex stop_mutex;
  bool stopped = false;

  Impl(Engine& e, protocol::Authenticator& a, ServerOptions o, int hint)
      : ioc(hint), state(std::make_shared<detail::SharedState>(e, a, std::move(o))) {}
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

result<std::unique_ptr<Server>> Server::start(Engine& engine,
                                              protocol::Authenticator& authenticator,
                                              ServerOptions options) {
  namespace net = detail::net;
  using detail::tcp;
  if (options.threads == 0 || options.send_queue_bytes == 0) return errc::invalid_argument;
  boost::system::error_code ec;
  const auto address = net::ip::make_address(options.address, ec);
  if (ec) return errc::invalid_argument;
  const unsigned threads = options.threads;
  auto impl =
      std::make_unique<Impl>(engine, authenticator, std::move(options), static_cast<int>(threads));
  tcp::acceptor acceptor(net::make_strand(impl->ioc));
  const tcp::endpoint endpoint(address, impl->state->options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return errc::unavailable;
  impl->port = acceptor.local_endpoint(ec).port();
  impl->listener = std::make_shared<detail::Listener>(impl->ioc, std::move(acceptor), impl->state);
  impl->listener->run();
  Impl* raw = impl.get();
  for (unsigned i = 0; i < threads; ++i) impl->threads.emplace_back([raw] { raw->ioc.run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const noexcept { return impl_->port; }

std::size_t Server::connections() const noexcept { return impl_->state->connections.load(); }

void Server::stop() {
  std::lock_guard lock(impl_->stop_mutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->state->stopping = true;
  impl_->listener->stop();
  // Each close is queued behind what the connection's strand is doing: calls in flight finish
  // and are answered first.
  impl_->state->close_all("shutdown");
  const auto deadline = std::chrono::steady_clock::now() + impl_->state->options.shutdown_grace;
  while (impl_->state->connections.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl_->ioc.stop();  // what is left (idle HTTP keep-alives, clients that never close) is cut
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace hearth::asio
