// End to end: hearthd started as a process on a free loopback port, driven by Beast clients.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

extern char** environ;

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// hearthd on a new database in a folder of its own, stopped with SIGTERM at the end.
class Hearthd {
 public:
  explicit Hearthd(std::vector<std::string> extra = {}) {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("hearthd-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::vector<std::string> args = {HEARTHD_PATH,  "--dev", "--listen",
                                     "127.0.0.1:0", "--db",  (dir_ / "test.db").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    REQUIRE(::pipe(out) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    REQUIRE(posix_spawn(&pid_, HEARTHD_PATH, &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    out_ = ::fdopen(out[0], "r");
    // "hearthd: serving http://127.0.0.1:PORT/ ..."
    char line[512];
    while (std::fgets(line, sizeof line, out_)) {
      output_ += line;
      const std::string l = line;
      const auto at = l.find("serving http://127.0.0.1:");
      if (at != std::string::npos) {
        port_ = static_cast<unsigned short>(std::stoi(l.substr(at + 25)));
        break;
      }
    }
    INFO(output_);
    REQUIRE(port_ != 0);
  }
  ~Hearthd() {
    if (pid_ > 0) stop();
    if (out_) std::fclose(out_);
    std::filesystem::remove_all(dir_);
  }
  void terminate() { ::kill(pid_, SIGTERM); }
  // SIGTERM; returns the exit status.
  int stop() {
    terminate();
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  unsigned short port() const { return port_; }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string output_;
  unsigned short port_ = 0;
};

// A WebSocket client speaking the protocol; every read has a deadline.
class Client {
 public:
  explicit Client(unsigned short port, int receive_buffer = 0) {
    tcp::socket& s = beast::get_lowest_layer(ws_).socket();
    s.open(tcp::v4());
    if (receive_buffer > 0) s.set_option(net::socket_base::receive_buffer_size(receive_buffer));
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    ws_.handshake("127.0.0.1", "/");
  }

  void send(const json::object& frame) { send_text(json::serialize(frame)); }
  void send_text(std::string_view text) {
    ws_.text(true);
    ws_.write(net::buffer(text));
  }
  void send_binary(std::string_view bytes) {
    ws_.binary(true);
    ws_.write(net::buffer(bytes));
  }

  // The next frame, or nothing when none comes within `timeout` or the connection ended.
  std::optional<json::object> read(std::chrono::milliseconds timeout = 5s) {
    if (ended_) return std::nullopt;
    beast::flat_buffer buffer;
    std::optional<beast::error_code> done;
    ws_.async_read(buffer, [&](beast::error_code ec, std::size_t) { done = ec; });
    ioc_.restart();
    ioc_.run_for(timeout);
    if (!done) {
      beast::get_lowest_layer(ws_).cancel();
      ioc_.restart();
      ioc_.run();
      ended_ = true;
      timed_out_ = true;
      return std::nullopt;
    }
    if (*done) {
      last_error_ = *done;
      ended_ = true;
      return std::nullopt;
    }
    auto v = json::parse(beast::buffers_to_string(buffer.data()));
    return v.as_object();
  }

  // Sends a request; returns its answer, keeping the events that came first.
  json::object request(std::string_view method, json::object params = {}) {
    const std::string id = std::to_string(++next_id_);
    send({{"id", id}, {"method", method}, {"params", std::move(params)}});
    for (;;) {
      auto frame = read();
      REQUIRE(frame);
      if (frame->contains("event")) {
        events_.push_back(frame->at("event").as_object());
        continue;
      }
      REQUIRE(frame->at("id") == json::value(id));
      return *frame;
    }
  }
  json::value call(std::string_view method, json::object params = {}) {
    auto answer = request(method, std::move(params));
    INFO(method << ": " << json::serialize(answer));
    REQUIRE(answer.contains("result"));
    return answer.at("result");
  }
  void hello(std::string_view handle) { call("hello", {{"version", 1}, {"handle", handle}}); }

  // The next event: one kept aside, or one read within `timeout`.
  std::optional<json::object> event(std::chrono::milliseconds timeout = 5s) {
    if (!events_.empty()) {
      auto e = events_.front();
      events_.erase(events_.begin());
      return e;
    }
    auto frame = read(timeout);
    if (!frame || !frame->contains("event")) return std::nullopt;  // (no assertion: any thread)
    return frame->at("event").as_object();
  }
  // Drops the TCP connection with no close handshake (a client that vanishes).
  void vanish() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    ended_ = true;
  }
  bool ended() const { return ended_; }
  bool timed_out() const { return timed_out_; }
  beast::error_code last_error() const { return last_error_; }
  websocket::close_reason close_reason() const { return ws_.reason(); }

 private:
  net::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_{ioc_};
  std::vector<json::object> events_;
  int next_id_ = 0;
  bool ended_ = false;
  bool timed_out_ = false;
  beast::error_code last_error_;
};

std::string str(const json::value& v, std::string_view key) {
  return std::string(v.at(key).as_string());
}

// The demo's #raids channel (in the guild), found through the API.
std::string raids_channel(Client& c) {
  auto found =
      c.call("find_spaces", {{"text", "raids"}, {"kind", "channel"}}).at("items").as_array();
  REQUIRE(found.size() == 1);
  return str(found[0].at("space"), "id");
}

std::pair<unsigned, std::string> http_get(unsigned short port, const std::string& target) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return {res.result_int(), res.body()};
}

TEST_CASE("a post in one connection reaches a subscriber on another", "[hearthd]") {
  Hearthd server;
  Client ada(server.port()), bo(server.port());
  ada.hello("ada");
  bo.hello("bob");
  const std::string raids = raids_channel(bo);
  bo.call("subscribe", {{"spaces", json::array{raids}}});
  auto started =
      ada.call("create_thread", {{"space", raids}, {"title", "Sunday raid"}, {"body", "Anyone?"}});
  auto e = bo.event();
  REQUIRE(e);
  CHECK(str(*e, "type") == "thread_created");
  CHECK(e->at("payload").at("thread") == started.at("thread").at("id"));
  // What the event names, Bo reads.
  auto post = bo.call("get_post", {{"post", started.at("first_post").at("id")}});
  CHECK(str(post, "body") == "Anyone?");
}

TEST_CASE("a client that reconnects and resumes loses nothing", "[hearthd]") {
  Hearthd server;
  Client ada(server.port());
  ada.hello("ada");
  const std::string raids = raids_channel(ada);
  std::string last_seq;
  std::string first_post;
  {
    Client bo(server.port());
    bo.hello("bob");
    bo.call("subscribe", {{"spaces", json::array{raids}}});
    auto started =
        ada.call("create_thread", {{"space", raids}, {"title", "Loot"}, {"body", "Split?"}});
    first_post = str(started.at("first_post"), "id");
    auto e = bo.event();
    REQUIRE(e);
    last_seq = str(*e, "seq");
  }  // Bo's connection drops
  std::vector<std::string> replies;
  for (int i = 0; i < 5; ++i)
    replies.push_back(
        str(ada.call("reply", {{"reply_to", first_post}, {"body", "reply " + std::to_string(i)}}),
            "id"));
  Client bo(server.port());
  bo.hello("bob");
  bo.call("subscribe", {{"spaces", json::array{raids}}, {"after", last_seq}});
  std::uint64_t prev = std::stoull(last_seq);
  for (const auto& reply : replies) {
    auto e = bo.event();
    REQUIRE(e);
    CHECK(str(*e, "type") == "reply_created");
    CHECK(str(e->at("payload"), "post") == reply);
    CHECK(std::stoull(str(*e, "seq")) == prev + 1);  // the replies' events, back to back
    prev = std::stoull(str(*e, "seq"));
  }
  // Then live, and nothing twice.
  ada.call("reply", {{"reply_to", first_post}, {"body", "live"}});
  auto live = bo.event();
  REQUIRE(live);
  CHECK(std::stoull(str(*live, "seq")) == prev + 1);
  CHECK_FALSE(bo.event(300ms));
}

TEST_CASE("a client that does not read is dropped while the others go on", "[hearthd]") {
  Hearthd server({"--send-queue-bytes", "16384", "--socket-send-buffer", "8192",
                  "--requests-per-second", "100000", "--request-burst", "100000"});
  Client ada(server.port());
  Client bo(server.port());
  Client slow(server.port(), 4096);
  ada.hello("ada");
  bo.hello("bob");
  slow.hello("cyra");
  const std::string raids = raids_channel(ada);
  bo.call("subscribe", {{"spaces", json::array{raids}}});
  slow.call("subscribe", {{"spaces", json::array{raids}}});  // and then never reads
  auto started = ada.call("create_thread", {{"space", raids}, {"title", "Flood"}, {"body", "x"}});
  const std::string first = str(started.at("first_post"), "id");
  constexpr int replies = 400;
  // Bo reads as the events come, on a thread of its own (no Catch2 assertion there).
  int seen = 0;
  std::thread reader([&] {
    while (seen < replies + 1 && bo.event(5s)) ++seen;
  });
  for (int i = 0; i < replies; ++i)
    ada.call("reply", {{"reply_to", first}, {"body", "message " + std::to_string(i)}});
  reader.join();
  CHECK(seen == replies + 1);  // the thread and every reply
  // The slow reader was cut: what it can still read ends well before the last event.
  int slow_got = 0;
  while (slow.read(2s)) ++slow_got;
  CHECK(slow.ended());
  CHECK_FALSE(slow.timed_out());  // the server closed it
  CHECK(slow_got < replies);
  // And the server still serves.
  CHECK(ada.call("ping").as_object().contains("now"));
}

TEST_CASE("hearthd serves health, read-only GET endpoints and the web page", "[hearthd]") {
  Hearthd server;
  auto [status, body] = http_get(server.port(), "/health");
  CHECK(status == 200);
  CHECK(json::parse(body).at("status") == "ok");
  auto [s2, spaces] = http_get(server.port(), "/api/spaces");
  CHECK(s2 == 200);
  auto items = json::parse(spaces).at("items").as_array();
  CHECK(items.size() >= 6);
  auto space_named = [&](std::string_view name) {
    for (const auto& hit : items)
      if (str(hit.at("space"), "name") == name) return str(hit.at("space"), "id");
    return std::string();
  };
  const std::string guild = space_named("Night Owls");
  const std::string officers = space_named("officers");  // private: found, not read
  REQUIRE(!guild.empty());
  REQUIRE(!officers.empty());
  CHECK(http_get(server.port(), "/api/spaces/" + officers + "/threads").first == 403);
  CHECK(http_get(server.port(), "/api/spaces/" + guild).first == 200);
  CHECK(http_get(server.port(), "/api/spaces/" + guild + "/threads").first == 200);
  CHECK(http_get(server.port(), "/api/spaces/123").first == 404);
  CHECK(http_get(server.port(), "/api/nothing").first == 404);
  auto [s3, page] = http_get(server.port(), "/");
  CHECK(s3 == 200);
  CHECK(page.find("<html") != std::string::npos);
  CHECK(http_get(server.port(), "/../CMakeLists.txt").first == 404);
  CHECK(http_get(server.port(), "/%2e%2e/CMakeLists.txt").first == 404);
}

TEST_CASE("bad frames get protocol errors and the connection goes on", "[hearthd]") {
  Hearthd server({"--max-frame-bytes", "4096"});
  Client c(server.port());
  c.send({{"id", 1}, {"method", "ping"}});
  auto a = c.read();
  REQUIRE(a);
  CHECK(a->at("error").at("code") == "hello_required");
  auto code = [&] {
    auto frame = c.read();
    REQUIRE(frame);
    return str(frame->at("error"), "code");
  };
  c.send_text("{\"id\":2,");
  CHECK(code() == "bad_frame");
  c.send_binary("{\"id\":3,\"method\":\"ping\"}");
  CHECK(code() == "bad_frame");
  c.hello("ada");
  CHECK(str(c.request("nope").at("error"), "code") == "unknown_method");
  // An oversized frame closes the connection (message too big); others are unaffected.
  Client other(server.port());
  other.hello("bob");
  c.send({{"id", 2}, {"method", "ping"}, {"params", {{"pad", std::string(8192, 'x')}}}});
  CHECK_FALSE(c.read(2s));
  CHECK(c.ended());
  CHECK_FALSE(c.timed_out());
  CHECK(other.call("ping").as_object().contains("now"));
}

TEST_CASE("clients that vanish mid-request leave no half-done write behind", "[hearthd]") {
  Hearthd server;
  Client ada(server.port());
  ada.hello("ada");
  const std::string raids = raids_channel(ada);
  for (int i = 0; i < 20; ++i) {
    Client gone(server.port());
    gone.hello("bob");
    gone.send({{"id", 1},
               {"method", "create_thread"},
               {"params",
                {{"space", raids}, {"title", "Vanishing " + std::to_string(i)}, {"body", "x"}}}});
    gone.vanish();
  }
  // Each thread is there whole (with its first post) or not at all; the server goes on.
  auto threads =
      ada.call("list_threads", {{"space", raids}, {"limit", 100}}).at("items").as_array();
  int vanished = 0;
  for (const auto& t : threads) {
    if (str(t, "title").rfind("Vanishing ", 0) != 0) continue;
    ++vanished;
    auto page = ada.call("get_thread_page", {{"thread", t.at("id")}});
    CHECK(page.at("items").as_array().size() == 1);
  }
  CHECK(vanished <= 20);
  CHECK(ada.call("ping").as_object().contains("now"));
}

// A JSON file in the temporary folder, removed at the end.
struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& text) {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("hearthd-rules-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  ~TempFile() { std::filesystem::remove(path); }
};

// What hearthd writes to stderr when it refuses to start with `flag` naming `file` (it must
// exit with status 2).
std::string refusal(const std::string& flag, const std::string& value) {
  static int counter = 0;
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("hearthd-refused-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  std::filesystem::create_directories(dir);
  const std::string err = (dir / "err.txt").string();
  const std::string command = std::string(HEARTHD_PATH) +
                              " --dev --no-seed --listen 127.0.0.1:0 --db " +
                              (dir / "x.db").string() + " " + flag + " " + value + " 2> " + err;
  const int status = std::system(command.c_str());
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  std::ifstream in(err);
  std::string message((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(dir);
  return message;
}

std::string refusal(const std::string& flag, const TempFile& file) {
  return refusal(flag, file.path.string());
}

// A thread posted through `server` and read back.
void post_and_read_back(Hearthd& server) {
  Client ada(server.port());
  ada.hello("ada");
  const std::string raids = raids_channel(ada);
  auto t = ada.call("create_thread", {{"space", raids}, {"title", "Raid"}, {"body", "Friday"}});
  auto page = ada.call("get_thread_page", {{"thread", t.at("thread").at("id")}});
  CHECK(str(page.at("items").as_array().at(0), "body") == "Friday");
}

TEST_CASE("hearthd reads with the database unmapped when told, and refuses a wrong size",
          "[hearthd]") {
  Hearthd server({"--mmap-mib", "0"});
  post_and_read_back(server);
  CHECK(refusal("--mmap-mib", "lots").find("expected a number") != std::string::npos);
  CHECK(refusal("--mmap-mib", "2000000").find("at most 1000000") != std::string::npos);
}

TEST_CASE("hearthd runs with the database to itself when told", "[hearthd]") {
  Hearthd server({"--exclusive"});
  post_and_read_back(server);
}

TEST_CASE("hearthd takes reputation rules from a file, and refuses a wrong one by name",
          "[hearthd]") {
  TempFile rules(R"({"default": {"preset": "qa", "daily_cap": 100},
                     "by_kind": {"guild": {"preset": "guild"}}})");
  Hearthd server({"--reputation", rules.path.string()});
  Client ada(server.port());
  ada.hello("ada");
  auto guilds = ada.call("find_spaces", {{"kind", "guild"}}).at("items").as_array();
  REQUIRE(guilds.size() == 1);
  const json::value guild = guilds[0].at("space").at("id");
  // The guild is a scope of its own; the rest of the community shares one.
  CHECK(ada.call("reputation_scope", {{"space", guild}}) == guild);
  auto desks = ada.call("find_spaces", {{"kind", "forum"}}).at("items").as_array();
  REQUIRE_FALSE(desks.empty());
  CHECK(ada.call("reputation_scope", {{"space", desks[0].at("space").at("id")}}) == "0");

  TempFile wrong(R"({"default": {"preset": "qa", "reactions": [{"kind": "+1"}, {"kind": "+1"}]}})");
  const std::string message = refusal("--reputation", wrong);
  INFO(message);
  CHECK(message.find("reactions[1].kind: repeated") != std::string::npos);
}

TEST_CASE("hearthd takes badge rules from a file, and refuses a wrong one by name", "[hearthd]") {
  TempFile rules(R"({"badges": [{"name": "raid-veteran", "title": "Raid veteran",
                                 "metric": "host", "tier": "gold", "repeat": true},
                                {"name": "first-word", "title": "First word",
                                 "metric": "replies", "threshold": 1}]})");
  Hearthd server({"--badges", rules.path.string()});
  Client ada(server.port());
  ada.hello("ada");
  const json::value space = ada.call("create_space", {{"name", "Badge hall"}}).at("id");
  auto t = ada.call("create_thread", {{"space", space}, {"title", "Hi"}, {"body", "hello"}});
  auto reply = ada.call("reply", {{"reply_to", t.at("first_post").at("id")}, {"body", "me"}});
  auto me = ada.call("find_member_by_handle", {{"handle", "ada"}}).at("id");
  auto badges = ada.call("badges", {{"member", me}, {"limit", 50}}).at("items").as_array();
  bool first_word = false;
  for (const auto& b : badges) {
    CHECK(b.at("badge") != "first-thread");  // not among these rules
    first_word = first_word || b.at("badge") == "first-word";
  }
  CHECK(first_word);

  TempFile wrong(R"({"badges": [{"name": "a", "title": "A", "metric": "replies", "threshold": 1},
                                {"name": "b", "title": "B", "metric": "replies", "threshold": 0}]})");
  const std::string message = refusal("--badges", wrong);
  INFO(message);
  CHECK(message.find("--badges " + wrong.path.string() + ": badges[1].threshold: out of range") !=
        std::string::npos);
}

TEST_CASE("hearthd takes auto-moderation rules and the demo classifier, and refuses wrong rules",
          "[hearthd]") {
  TempFile rules(R"({"words": [{"pattern": "zonk", "action": "block"}]})");
  Hearthd server({"--automod", rules.path.string(), "--demo-classifier"});
  Client ada(server.port());
  ada.hello("ada");
  Client bob(server.port());
  bob.hello("bob");
  const json::value space = ada.call("create_space", {{"name", "Moderated hall"}}).at("id");
  bob.call("join_space", {{"space", space}});
  auto code = [&](std::string_view body) {
    auto answer = bob.request("create_thread", {{"space", space}, {"title", "Hi"}, {"body", body}});
    return answer.contains("error") ? std::string(answer.at("error").at("code").as_string())
                                    : std::string("ok");
  };
  CHECK(code("zonk") == "blocked");             // the community's rule
  CHECK(code("free gold, here") == "blocked");  // the classifier: spam 0.95
  auto held = bob.call("create_thread", {{"space", space}, {"title", "Hi"}, {"body", "idiot"}});
  CHECK(held.at("first_post").at("removed").as_bool());  // toxicity 0.95: held for approval
  auto history = bob.call("moderation_history").at("items").as_array();
  REQUIRE(history.size() == 3);
  CHECK(history[0].at("entry").at("actor_kind") == "classifier");
  CHECK(history[0].at("entry").at("actor_name") == "demo-keywords");
  CHECK(history[2].at("entry").at("actor_name") == "words");

  TempFile wrong(R"({"words": [{"pattern": "x", "action": "shout"}]})");
  const std::string message = refusal("--automod", wrong);
  INFO(message);
  CHECK(message.find("words[0].action: expected one of") != std::string::npos);
}

TEST_CASE("SIGTERM closes every connection with a close frame and exits cleanly", "[hearthd]") {
  Hearthd server;
  Client ada(server.port());
  ada.hello("ada");
  server.terminate();
  CHECK_FALSE(ada.read(5s));  // the close frame: the read ends
  CHECK(ada.last_error() == websocket::error::closed);
  CHECK(ada.close_reason().reason == "shutdown");
  CHECK(server.stop() == 0);
}

}  // namespace
