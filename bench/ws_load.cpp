// hearth_ws_load: connections on hearthd (docs/benchmarks.md, "Connections (hearthd)").
//
// Opens `--connections` WebSocket connections to a hearthd on loopback (at most
// `--connect-concurrency` handshakes at a time, so the listen backlog is not overrun), says
// `hello` on each, subscribes `--subscribers` of them to one public space, and then has
// `--posters` members reply in that space at `--rate` posts per second for `--duration` seconds.
// Every connection keeps a read pending from its handshake to the end, so hearthd's idle pings
// are answered and its frames are drained.
//
// hearthd must run with `--dev --allow-signup` (the run script starts it so): the generator
// signs its posters up on an anonymous connection (`create_member`), says `hello` as them by
// handle, creates the space, and gives each poster a thread of its own to reply in.
//
// Latency is measured for each delivered `reply_created` event of a post, at each subscriber:
// the time the frame was read (the wall clock, `std::chrono::system_clock`) minus the event's
// `at`. hearthd's engine clock is the same wall clock in milliseconds, and `at` is taken when the
// write's transaction starts, before its commit; so the figure overstates the time from commit
// to receipt by the transaction's length and up to 1 ms of truncation, never understates it. The
// time from the poster's request being written is reported beside it (`from_send_*`).
//
// Checks: every subscriber must receive every answered post's event exactly once, events in
// increasing `seq`; no connection may be lost, no post refused. A failed check: exit 1; a run
// stopped by `--timeout`: exit 3; bad options or an address that is not loopback: exit 2.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr const char* program = "hearth_ws_load";

constexpr const char* usage = R"(usage: hearth_ws_load --port N [options]
  --host ADDR               hearthd's address: loopback only (127.0.0.0/8 or ::1; default 127.0.0.1)
  --port N                  hearthd's port (required)
  --connections N           WebSocket connections in all, posters included (default 10000)
  --subscribers N           of them, subscribed to the one space (default 1000)
  --posters N               of them, members posting (default: one per 40 posts/s of --rate,
                            under hearthd's default request rate of 50/s per connection)
  --rate R                  posts per second, all posters together (default 20)
  --duration S              seconds of posting (default 10)
  --drain S                 seconds to wait for missing events after the last answer (default 5)
  --connect-concurrency N   handshakes in flight at once (default 200)
  --threads N               threads running the generator's io_context (default 1)
  --timeout S               the whole run's limit: past it the run stops, exit 3 (default 300)
hearthd must run with --dev --allow-signup. Output: JSON lines on stdout.
)";

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", program, message.c_str());
  std::exit(2);
}

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::uint32_t connections = 10'000;
  std::uint32_t subscribers = 1'000;
  std::uint32_t posters = 0;  // 0: from the rate
  double rate = 20;
  double duration = 10;
  double drain = 5;
  std::uint32_t connect_concurrency = 200;
  unsigned threads = 1;
  double timeout = 300;
};

double number(std::string_view flag, const char* text, double min, double max) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(v) || v < min || v > max)
    die(std::string(flag) + ": expected a number from " + std::to_string(min) + " to " +
        std::to_string(max) + ", got \"" + text + "\"");
  return v;
}

std::uint32_t count(std::string_view flag, const char* text, std::uint32_t min, std::uint32_t max) {
  const double v = number(flag, text, min, max);
  if (v != std::floor(v))
    die(std::string(flag) + ": expected a whole number, got \"" + text + "\"");
  return static_cast<std::uint32_t>(v);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) die(std::string(flag) + ": needs a value\n" + usage);
    const char* value = argv[++i];
    if (flag == "--host")
      o.host = value;
    else if (flag == "--port")
      o.port = static_cast<std::uint16_t>(count(flag, value, 1, 65535));
    else if (flag == "--connections")
      o.connections = count(flag, value, 2, 1'000'000);
    else if (flag == "--subscribers")
      o.subscribers = count(flag, value, 1, 1'000'000);
    else if (flag == "--posters")
      o.posters = count(flag, value, 1, 64);
    else if (flag == "--rate")
      o.rate = number(flag, value, 0.1, 100'000);
    else if (flag == "--duration")
      o.duration = number(flag, value, 0.1, 3600);
    else if (flag == "--drain")
      o.drain = number(flag, value, 0, 600);
    else if (flag == "--connect-concurrency")
      o.connect_concurrency = count(flag, value, 1, 100'000);
    else if (flag == "--threads")
      o.threads = count(flag, value, 1, 64);
    else if (flag == "--timeout")
      o.timeout = number(flag, value, 1, 86'400);
    else
      die("unknown option \"" + std::string(flag) + "\"\n" + usage);
  }
  if (o.port == 0) die(std::string("--port is required\n") + usage);
  if (o.posters == 0) o.posters = std::min(64u, static_cast<std::uint32_t>(std::ceil(o.rate / 40)));
  // One anonymous connection signs the posters up; the rest listen or idle.
  if (std::uint64_t{o.subscribers} + o.posters + 1 > o.connections)
    die("--connections must hold the subscribers, the posters and one more");
  return o;
}

// Loopback only: the generator opens thousands of connections and must never aim them elsewhere.
tcp::endpoint loopback_endpoint(const Options& o) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(o.host, ec);
  if (!ec && address.is_v6() && address.to_v6().is_v4_mapped())
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  if (ec || !address.is_loopback()) {
    std::fprintf(stderr,
                 "%s: refusing --host \"%s\": only a loopback address (127.0.0.0/8 or ::1) may "
                 "be loaded\n",
                 program, o.host.c_str());
    std::exit(2);
  }
  return {address, o.port};
}

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t id_value(const json::value& v) {
  if (!v.is_string()) return 0;
  const auto& s = v.get_string();
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

// One post (a reply), written on its poster's strand and read once the run is over.
struct Post {
  std::uint64_t id = 0;  // 0: not answered, or refused
  std::int64_t sent_ns = 0;
};

// One `*_created` event of a post, as a subscriber read it.
struct Delivery {
  std::uint64_t post = 0;
  std::int64_t at_ms = 0;
  std::int64_t received_ns = 0;
};

class Run;

// One WebSocket connection. Its handlers run on its own strand; `request` may be called from
// anywhere. From the handshake to `close`, a read is always pending.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Answer = std::function<void(const json::object& frame)>;  // with "result" or "error"

  Connection(Run& run, net::io_context& ioc, bool subscriber)
      : run_(run), ws_(net::make_strand(ioc)), subscriber_(subscriber) {}

  // Connects and shakes hands; `opened(true)` then runs on the strand, or `opened(false)`.
  void open(std::function<void(bool)> opened);
  void request(std::string method, json::object params, Answer answer);
  void close();

  bool subscriber() const { return subscriber_; }
  // Read once the run is over.
  const std::vector<Delivery>& deliveries() const { return deliveries_; }
  std::uint64_t out_of_order() const { return out_of_order_; }
  std::uint64_t other_events() const { return other_events_; }

 private:
  // Calls and lets go of `opened_` (it may hold this connection).
  void opened(bool ok) { std::exchange(opened_, nullptr)(ok); }
  void on_connect(beast::error_code ec);
  void on_handshake(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t);
  void handle(std::string_view text, std::int64_t received_ns);
  void write(std::string frame);
  void do_write();
  void on_write(beast::error_code ec, std::size_t);
  void lost(std::string_view what, beast::error_code ec);

  Run& run_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::function<void(bool)> opened_;
  std::deque<std::string> out_;
  bool writing_ = false;
  bool closed_ = false;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, Answer> pending_;
  const bool subscriber_;
  std::uint64_t last_seq_ = 0;
  std::uint64_t out_of_order_ = 0;
  std::uint64_t other_events_ = 0;
  std::vector<Delivery> deliveries_;
};

// The run: setup, connections, posting, drain; its steps run on `control_`.
class Run {
 public:
  Run(const Options& o, tcp::endpoint endpoint, net::io_context& ioc)
      : options_(o),
        endpoint_(std::move(endpoint)),
        ioc_(ioc),
        control_(net::make_strand(ioc)),
        ticker_(control_),
        deadline_(control_),
        posts_(static_cast<std::size_t>(std::llround(o.rate * o.duration))) {
    if (posts_.empty()) posts_.resize(1);
  }

  void start() {
    net::post(control_, [this] {
      deadline_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(options_.timeout)));
      deadline_.async_wait([this](beast::error_code ec) {
        if (ec || finished_) return;
        std::fprintf(stderr, "%s: --timeout %.0f s reached; stopping\n", program, options_.timeout);
        timed_out_ = true;
        finish();
      });
      sign_up();
    });
  }

  // Prints the figures; returns the exit code.
  int report();

  const tcp::endpoint& endpoint() const { return endpoint_; }
  std::string host_header() const {
    return endpoint_.address().is_v6()
               ? "[" + endpoint_.address().to_string() + "]:" + std::to_string(endpoint_.port())
               : endpoint_.address().to_string() + ":" + std::to_string(endpoint_.port());
  }
  // A connection's own failure after it opened (closed by hearthd, a bad frame): on any thread.
  void connection_lost(std::string_view what) {
    if (lost_.fetch_add(1) < 5)
      std::fprintf(stderr, "%s: a connection was lost: %.*s\n", program,
                   static_cast<int>(what.size()), what.data());
  }
  void delivered() { delivered_.fetch_add(1, std::memory_order_relaxed); }
  bool stopping() const { return stopping_.load(); }

 private:
  // An answer that must be a result; otherwise the run fails here.
  bool ok(const json::object& frame, std::string_view what) {
    if (frame.contains("result")) return true;
    std::fprintf(stderr, "%s: %.*s failed: %s\n", program, static_cast<int>(what.size()),
                 what.data(), json::serialize(frame).c_str());
    setup_failed_ = true;
    finish();
    return false;
  }
  template <class F>
  void on_control(F f) {
    net::post(control_, std::move(f));
  }

  // Step 1: an anonymous connection signs the posters up (hearthd --allow-signup).
  void sign_up() {
    auto c = add(false);
    c->open([this, c](bool opened) {
      on_control([this, c, opened] {
        if (!opened) return fail_setup("the first connection did not open");
        ++opened_;
        c->request("hello", {{"version", 1}}, [this, c](const json::object& f) {
          on_control([this, c, f] {
            if (ok(f, "hello")) create_member(c, 0);
          });
        });
      });
    });
  }
  std::string poster_handle(std::uint32_t i) const {
    return "wl" + std::to_string(::getpid()) + "-" + std::to_string(i);
  }
  void create_member(const std::shared_ptr<Connection>& c, std::uint32_t i) {
    if (i == options_.posters) return open_posters();
    c->request(
        "create_member",
        {{"handle", poster_handle(i)}, {"display_name", "ws_load poster " + std::to_string(i)}},
        [this, c, i](const json::object& f) {
          on_control([this, c, i, f] {
            if (ok(f, "create_member")) create_member(c, i + 1);
          });
        });
  }

  // Step 2: the posters say hello; the first creates the space, the others join it; each
  // creates the thread it will reply in.
  void open_posters() {
    for (std::uint32_t i = 0; i < options_.posters; ++i) {
      auto c = add(false);
      posters_.push_back(c);
      first_posts_.emplace_back();
      c->open([this, c, i](bool opened) {
        on_control([this, c, i, opened] {
          if (!opened) return fail_setup("a poster's connection did not open");
          ++opened_;
          c->request("hello", {{"version", 1}, {"handle", poster_handle(i)}},
                     [this, i](const json::object& f) {
                       on_control([this, i, f] {
                         if (!ok(f, "hello as a poster")) return;
                         if (++posters_hello_ == options_.posters) create_space();
                       });
                     });
        });
      });
    }
  }
  void create_space() {
    json::object params{{"name", "ws_load " + std::to_string(::getpid())},
                        {"visibility", "public"},
                        {"join_policy", "open"}};
    posters_[0]->request("create_space", std::move(params), [this](const json::object& f) {
      on_control([this, f] {
        if (!ok(f, "create_space")) return;
        space_ = std::string(f.at("result").at("id").as_string());
        for (std::uint32_t i = 0; i < options_.posters; ++i) {
          if (i == 0) {
            create_thread(i);
            continue;
          }
          posters_[i]->request("join_space", {{"space", space_}},
                               [this, i](const json::object& joined) {
                                 on_control([this, i, joined] {
                                   if (ok(joined, "join_space")) create_thread(i);
                                 });
                               });
        }
      });
    });
  }
  void create_thread(std::uint32_t i) {
    json::object params{{"space", space_},
                        {"title", "ws_load thread " + std::to_string(i)},
                        {"body", "The posts of ws_load's poster " + std::to_string(i) + "."}};
    posters_[i]->request("create_thread", std::move(params), [this, i](const json::object& f) {
      on_control([this, i, f] {
        if (!ok(f, "create_thread")) return;
        first_posts_[i] = std::string(f.at("result").at("first_post").at("id").as_string());
        if (++threads_ == options_.posters) open_all();
      });
    });
  }

  // Step 3: every other connection opens and says hello; subscribers subscribe.
  void open_all() {
    connect_started_ = std::chrono::steady_clock::now();
    next_ = opened_;  // the ones open already count
    launch();
  }
  void launch() {
    while (!finished_ && in_flight_ < options_.connect_concurrency &&
           next_ < options_.connections) {
      const std::uint32_t index = next_++;
      // The subscribers come first after the posters, then the idle ones.
      const bool subscriber = index - (options_.posters + 1) < options_.subscribers;
      ++in_flight_;
      auto c = add(subscriber);
      c->open([this, c](bool opened) {
        if (!opened) return on_control([this] { opened_one(false); });
        c->request("hello", {{"version", 1}}, [this, c](const json::object& f) {
          if (!f.contains("result") || !c->subscriber())
            return on_control([this, good = f.contains("result")] { opened_one(good); });
          c->request(
              "subscribe", {{"spaces", json::array{json::string(space_)}}},
              [this](const json::object& subscribed) {
                on_control([this, good = subscribed.contains("result")] { opened_one(good); });
              });
        });
      });
    }
  }
  void opened_one(bool good) {
    --in_flight_;
    if (good)
      ++opened_;
    else if (++connect_failures_ <= 5)
      std::fprintf(stderr, "%s: a connection failed to open, say hello or subscribe\n", program);
    if (finished_) return;
    if (opened_ + connect_failures_ == options_.connections) {
      connect_seconds_ = seconds_since(connect_started_);
      return start_posting();
    }
    launch();
  }

  // Step 4: post i is due at i / rate seconds; each goes to poster i % posters.
  void start_posting() {
    posting_started_ = std::chrono::steady_clock::now();
    posting_started_ns_ = wall_ns();
    tick();
  }
  void tick() {
    if (finished_) return;
    const double elapsed = seconds_since(posting_started_);
    while (next_post_ < posts_.size() && static_cast<double>(next_post_) / options_.rate <= elapsed)
      send_post(next_post_++);
    if (next_post_ == posts_.size()) return;
    const auto due =
        posting_started_ +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(static_cast<double>(next_post_) / options_.rate));
    ticker_.expires_at(due);
    ticker_.async_wait([this](beast::error_code ec) {
      if (!ec) tick();
    });
  }
  void send_post(std::size_t i) {
    const auto p = static_cast<std::uint32_t>(i % options_.posters);
    Post& post = posts_[i];
    post.sent_ns = wall_ns();
    posters_[p]->request(
        "reply", {{"reply_to", first_posts_[p]}, {"body", "ws_load post " + std::to_string(i)}},
        [this, &post](const json::object& f) {
          // On the poster's strand: the slot is this post's alone.
          if (f.contains("result")) {
            post.id = id_value(f.at("result").at("id"));
          } else {
            if (post_errors_.fetch_add(1) < 5)
              std::fprintf(stderr, "%s: a post was refused: %s\n", program,
                           json::serialize(f).c_str());
          }
          on_control([this] { answered(); });
        });
  }
  void answered() {
    if (++answered_ < posts_.size()) return;
    answered_at_ = std::chrono::steady_clock::now();
    drain();
  }

  // Step 5: wait until every subscriber has every answered post's event, or --drain is over.
  void drain() {
    if (finished_) return;
    std::uint64_t good = 0;
    for (const Post& p : posts_)
      if (p.id != 0) ++good;
    // Read on the control strand: the posts' slots were written before their answers were
    // counted here (each answer is posted to this strand after the write).
    if (delivered_.load() >= good * options_.subscribers ||
        seconds_since(answered_at_) >= options_.drain)
      return finish();
    ticker_.expires_after(10ms);
    ticker_.async_wait([this](beast::error_code ec) {
      if (!ec) drain();
    });
  }

  void fail_setup(const char* why) {
    std::fprintf(stderr, "%s: %s\n", program, why);
    setup_failed_ = true;
    finish();
  }
  void finish() {
    if (finished_) return;
    finished_ = true;
    stopping_ = true;
    if (posting_started_ns_ != 0) posting_seconds_ = seconds_since(posting_started_);
    ticker_.cancel();
    deadline_.cancel();
    for (auto& c : connections_) c->close();
  }

  std::shared_ptr<Connection> add(bool subscriber) {
    connections_.push_back(std::make_shared<Connection>(*this, ioc_, subscriber));
    return connections_.back();
  }
  static double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  }

  const Options options_;
  const tcp::endpoint endpoint_;
  net::io_context& ioc_;
  net::strand<net::io_context::executor_type> control_;
  net::steady_timer ticker_;
  net::steady_timer deadline_;

  // On the control strand.
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<std::shared_ptr<Connection>> posters_;
  std::vector<std::string> first_posts_;
  std::uint32_t posters_hello_ = 0, threads_ = 0;
  std::string space_;
  std::uint32_t next_ = 0, in_flight_ = 0, opened_ = 0, connect_failures_ = 0;
  std::chrono::steady_clock::time_point connect_started_, posting_started_, answered_at_;
  double connect_seconds_ = 0, posting_seconds_ = 0;
  std::int64_t posting_started_ns_ = 0;
  std::size_t next_post_ = 0, answered_ = 0;
  bool finished_ = false, setup_failed_ = false, timed_out_ = false;

  std::vector<Post> posts_;  // each slot: its poster's strand; all of them once the run is over
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint32_t> lost_{0}, post_errors_{0};
  std::atomic<bool> stopping_{false};
};

void Connection::open(std::function<void(bool)> opened) {
  opened_ = std::move(opened);
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->closed_) return self->opened(false);
    beast::get_lowest_layer(self->ws_).expires_after(30s);
    beast::get_lowest_layer(self->ws_).async_connect(
        self->run_.endpoint(), beast::bind_front_handler(&Connection::on_connect, self));
  });
}

void Connection::on_connect(beast::error_code ec) {
  if (ec || closed_) return opened(false);
  beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ec);
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws_.async_handshake(run_.host_header(), "/",
                      beast::bind_front_handler(&Connection::on_handshake, shared_from_this()));
}

void Connection::on_handshake(beast::error_code ec) {
  if (ec || closed_) return opened(false);
  ws_.text(true);
  do_read();
  opened(true);
}

void Connection::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&Connection::on_read, shared_from_this()));
}

void Connection::on_read(beast::error_code ec, std::size_t) {
  const std::int64_t received_ns = wall_ns();
  if (ec) return lost("read", ec);
  const auto data = buffer_.cdata();
  try {
    handle(std::string_view(static_cast<const char*>(data.data()), data.size()), received_ns);
  } catch (const std::exception& e) {  // a field missing or of the wrong type
    run_.connection_lost(std::string("a malformed frame: ") + e.what());
  }
  buffer_.consume(buffer_.size());
  if (!closed_) do_read();
}

void Connection::handle(std::string_view text, std::int64_t received_ns) {
  // Events are small: parsed into a buffer on the stack, with no allocation.
  unsigned char scratch[4096];
  json::monotonic_resource memory(scratch, sizeof scratch);
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec, &memory);
  if (ec || !v.is_object()) return run_.connection_lost("a frame that is not a JSON object");
  const json::object& frame = v.get_object();
  if (const auto* event = frame.if_contains("event")) {
    const json::object& e = event->as_object();
    const std::uint64_t seq = id_value(e.at("seq"));
    if (seq <= last_seq_) ++out_of_order_;
    last_seq_ = seq;
    const std::string_view type = e.at("type").as_string();
    const json::value* post = nullptr;
    if (const auto* payload = e.if_contains("payload"); payload && payload->is_object())
      post = payload->get_object().if_contains("post");
    if (type.ends_with("_created") && post) {
      deliveries_.push_back({id_value(*post), e.at("at").to_number<std::int64_t>(), received_ns});
      run_.delivered();
    } else {
      ++other_events_;
    }
    return;
  }
  const json::value* id = frame.if_contains("id");
  if (!id || !id->is_int64()) return run_.connection_lost("an answer without our id");
  const auto it = pending_.find(static_cast<std::uint64_t>(id->get_int64()));
  if (it == pending_.end()) return run_.connection_lost("an answer to no request");
  Answer answer = std::move(it->second);
  pending_.erase(it);
  // The frame lives in `memory`: the handler gets a copy of its own.
  answer(json::object(frame, json::storage_ptr()));
}

void Connection::request(std::string method, json::object params, Answer answer) {
  net::post(ws_.get_executor(), [self = shared_from_this(), method = std::move(method),
                                 params = std::move(params), answer = std::move(answer)]() mutable {
    if (self->closed_) return;
    const std::uint64_t id = ++self->next_id_;
    self->pending_.emplace(id, std::move(answer));
    self->write(json::serialize(
        json::object{{"id", id}, {"method", std::move(method)}, {"params", std::move(params)}}));
  });
}

void Connection::write(std::string frame) {
  out_.push_back(std::move(frame));
  if (!writing_) do_write();
}

void Connection::do_write() {
  writing_ = true;
  ws_.async_write(net::buffer(out_.front()),
                  beast::bind_front_handler(&Connection::on_write, shared_from_this()));
}

void Connection::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  out_.pop_front();
  if (ec) return lost("write", ec);
  if (!out_.empty() && !closed_) do_write();
}

void Connection::lost(std::string_view what, beast::error_code ec) {
  if (closed_ || run_.stopping()) return;  // our own close
  closed_ = true;
  run_.connection_lost(std::string(what) + ": " + ec.message());
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  // Whoever waits for an answer hears that none will come.
  const json::object error{{"error", {{"code", "connection_lost"}, {"message", what}}}};
  for (auto& [id, answer] : std::exchange(pending_, {})) answer(error);
}

void Connection::close() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->closed_) return;
    self->closed_ = true;
    self->pending_.clear();
    beast::get_lowest_layer(self->ws_).cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().close(ignored);
  });
}

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

int Run::report() {
  const std::uint32_t failures =
      connect_failures_ + (opened_ + connect_failures_ < options_.connections
                               ? options_.connections - opened_ - connect_failures_
                               : 0);
  std::printf(
      "{\"phase\": \"connect\", \"connections\": %u, \"opened\": %u, \"failures\": %u, "
      "\"seconds\": %.3f, \"per_s\": %.1f}\n",
      options_.connections, opened_, failures, connect_seconds_,
      connect_seconds_ > 0 ? opened_ / connect_seconds_ : 0.0);

  // The answered posts, by id.
  std::unordered_map<std::uint64_t, std::size_t> index;
  for (std::size_t i = 0; i < posts_.size(); ++i)
    if (posts_[i].id != 0) index.emplace(posts_[i].id, i);
  const std::uint64_t good = index.size();

  std::vector<double> from_at, from_send;
  std::vector<std::uint64_t> per_second(
      static_cast<std::size_t>(std::ceil(options_.duration + options_.drain)) + 2, 0);
  std::uint64_t delivered = 0, duplicates = 0, unexpected = 0, out_of_order = 0, other = 0;
  std::uint64_t expected = 0, missing = 0;
  std::int64_t last_received_ns = posting_started_ns_;
  std::vector<bool> seen;
  for (const auto& c : connections_) {
    if (!c->subscriber()) continue;
    expected += good;
    out_of_order += c->out_of_order();
    other += c->other_events();
    seen.assign(posts_.size(), false);
    std::uint64_t mine = 0;
    for (const Delivery& d : c->deliveries()) {
      const auto it = index.find(d.post);
      if (it == index.end()) {
        ++unexpected;
        continue;
      }
      if (seen[it->second]) {
        ++duplicates;
        continue;
      }
      seen[it->second] = true;
      ++mine;
      from_at.push_back(static_cast<double>(d.received_ns) / 1e6 - static_cast<double>(d.at_ms));
      from_send.push_back(static_cast<double>(d.received_ns - posts_[it->second].sent_ns) / 1e6);
      last_received_ns = std::max(last_received_ns, d.received_ns);
      const auto second = static_cast<std::size_t>(
          std::max<std::int64_t>(0, d.received_ns - posting_started_ns_) / 1'000'000'000);
      if (second < per_second.size()) ++per_second[second];
    }
    delivered += mine;
    missing += good - mine;
  }
  std::sort(from_at.begin(), from_at.end());
  std::sort(from_send.begin(), from_send.end());
  std::printf(
      "{\"phase\": \"delivery\", \"posts\": %zu, \"answered\": %llu, \"rate\": %.1f, "
      "\"posters\": %u, \"subscribers\": %u, \"expected\": %llu, \"delivered\": %llu, "
      "\"missing\": %llu, \"duplicates\": %llu, \"out_of_order\": %llu, \"unexpected\": %llu, "
      "\"other_events\": %llu, \"latency_from\": \"event_at\", \"p50_ms\": %.2f, "
      "\"p90_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f, \"from_send_p50_ms\": %.2f, "
      "\"from_send_p99_ms\": %.2f, \"from_send_max_ms\": %.2f}\n",
      next_post_, static_cast<unsigned long long>(good), options_.rate, options_.posters,
      options_.subscribers, static_cast<unsigned long long>(expected),
      static_cast<unsigned long long>(delivered), static_cast<unsigned long long>(missing),
      static_cast<unsigned long long>(duplicates), static_cast<unsigned long long>(out_of_order),
      static_cast<unsigned long long>(unexpected), static_cast<unsigned long long>(other),
      percentile(from_at, 0.5), percentile(from_at, 0.9), percentile(from_at, 0.99),
      percentile(from_at, 1.0), percentile(from_send, 0.5), percentile(from_send, 0.99),
      percentile(from_send, 1.0));

  // Throughput: over the window from the first post to the last event received, and per whole
  // second of the posting (the slowest of them is the sustained rate).
  const double window = static_cast<double>(last_received_ns - posting_started_ns_) / 1e9;
  const auto whole_seconds = static_cast<std::size_t>(std::floor(options_.duration));
  std::uint64_t slowest = 0, fastest = 0;
  for (std::size_t s = 0; s < whole_seconds && s < per_second.size(); ++s) {
    slowest = s == 0 ? per_second[s] : std::min(slowest, per_second[s]);
    fastest = std::max(fastest, per_second[s]);
  }
  std::printf(
      "{\"phase\": \"throughput\", \"seconds\": %.3f, \"events_per_s\": %.1f, "
      "\"whole_seconds\": %zu, \"slowest_second_events\": %llu, "
      "\"fastest_second_events\": %llu, \"posting_seconds\": %.3f}\n",
      window, window > 0 ? static_cast<double>(delivered) / window : 0.0, whole_seconds,
      static_cast<unsigned long long>(slowest), static_cast<unsigned long long>(fastest),
      posting_seconds_);

  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  const double cpu = static_cast<double>(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
                     static_cast<double>(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
  const bool complete = !timed_out_ && !setup_failed_ && failures == 0 && lost_.load() == 0 &&
                        post_errors_.load() == 0 && good == posts_.size();
  const bool correct = missing == 0 && duplicates == 0 && out_of_order == 0 && unexpected == 0;
  std::printf(
      "{\"phase\": \"run\", \"complete\": %s, \"correct\": %s, \"timed_out\": %s, "
      "\"lost_connections\": %u, \"post_errors\": %u, \"threads\": %u, \"cpu_seconds\": %.2f}\n",
      complete ? "true" : "false", correct ? "true" : "false", timed_out_ ? "true" : "false",
      lost_.load(), post_errors_.load(), options_.threads, cpu);
  // ru_maxrss is in KiB on Linux.
  std::printf("{\"phase\": \"peak_rss\", \"kib\": %ld}\n", self.ru_maxrss);
  std::fflush(stdout);
  if (timed_out_) return 3;
  return complete && correct ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const tcp::endpoint endpoint = loopback_endpoint(options);

  // The last resort behind --timeout: should stopping itself hang, the process ends anyway.
  std::mutex mutex;
  std::condition_variable done_changed;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    const auto limit = std::chrono::duration<double>(options.timeout + 15);
    if (!done_changed.wait_for(lock, limit, [&] { return done; })) {
      std::fprintf(stderr, "%s: did not stop within --timeout + 15 s; exiting\n", program);
      std::_Exit(3);
    }
  });

  int status = 0;
  {
    net::io_context ioc(static_cast<int>(options.threads));
    Run run(options, endpoint, ioc);
    run.start();
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < options.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
    status = run.report();
  }
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  done_changed.notify_one();
  watchdog.join();
  return status;
}
