// hearthd: the hearth engine on SQLite, served over WebSocket and HTTP (docs/hearthd.md).
//
//   hearthd --dev                         a demo community in ./hearth.db, at
//   http://127.0.0.1:8080/ hearthd --config hearthd.json         the same settings from a JSON
//   object hearthd --db /var/lib/hearth.db --secret-file /etc/hearth/secret --listen 0.0.0.0:443
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <pthread.h>

#include <boost/json.hpp>

#include "hearth/asio/server.hpp"
#include "hearth/hearth.hpp"
#include "hearth/sqlite/sqlite_storage.hpp"
#include "seed.hpp"

namespace {

namespace json = boost::json;

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string db = "hearth.db";
  std::string secret;
  std::string issuer;
  bool dev = false;
  bool seed = true;
  bool seed_only = false;
  bool allow_signup = false;
  std::string static_dir = HEARTHD_DEFAULT_STATIC_DIR;
  unsigned threads = 2;
  std::uint64_t max_frame_bytes = 256 * 1024;
  std::uint64_t requests_per_second = 50;
  std::uint64_t request_burst = 100;
  std::uint64_t send_queue_bytes = 4 * 1024 * 1024;
  std::uint64_t max_connections = 20'000;
  std::uint64_t idle_timeout_seconds = 60;
  std::uint64_t socket_send_buffer = 0;
  std::uint64_t mmap_mib = 1024;  // SqliteOptions::mmap_size, in MiB; 0: reads through read()
  bool exclusive = false;         // SqliteOptions::exclusive: no other process opens the db
  std::string reputation;         // a JSON file of reputation rules; empty: the engine's defaults
  std::string badges;             // a JSON file of badge rules; empty: the standard badges
  std::string automod;            // a JSON file: the community's auto-moderation rules
  bool demo_classifier = false;
};

constexpr const char* usage = R"(usage: hearthd [options]
  --config FILE             read settings from a JSON object (keys as below, without "--",
                            dashes as underscores: {"listen": "127.0.0.1:8080", "dev": true})
  --listen ADDR:PORT        where to listen (default 127.0.0.1:8080; port 0: any free port)
  --db FILE                 the SQLite database (default hearth.db; created and seeded if new)
  --secret TEXT             the HS256 token secret, at least 32 bytes (or HEARTH_SECRET)
  --secret-file FILE        the same, read from a file (trailing newline dropped)
  --issuer TEXT             the `iss` tokens must carry
  --dev                     accept plain handles instead of tokens: INSECURE, for development
  --no-seed                 do not build the demo community in a new database
  --seed-only               build the demo community in a new database, then exit
  --allow-signup            serve create_member to anonymous sessions
  --static DIR              the web page's folder ("" for none)
  --threads N               I/O threads (default 2)
  --max-frame-bytes N       --requests-per-second N  --request-burst N
  --send-queue-bytes N      --max-connections N      --idle-timeout-seconds N
  --socket-send-buffer N    (SO_SNDBUF per connection; 0: the system's default)
  --mmap-mib N              map this much of the database for reads (default 1024; 0: off,
                            for heavy writes or a memory bound: docs/storage-adapters.md)
  --exclusive               keep every other process out of the database while running
                            (faster: no file-lock system call per transaction)
  --reputation FILE         reputation rules: {"default": RULES, "by_kind": {"guild": RULES}}
                            (RULES as docs/reputation.md says, e.g. {"preset": "qa"})
  --badges FILE             badge rules: {"badges": [...]} as docs/badges.md says
  --automod FILE            the community's auto-moderation rules, as docs/moderation.md says
  --demo-classifier         a keyword classifier (toxicity, spam) in front of every post: a demo
)";

[[noreturn]] void die(const std::string& message) {
  std::cerr << "hearthd: " << message << "\n";
  std::exit(2);
}

std::uint64_t number(const std::string& key, const std::string& text) {
  try {
    std::size_t used = 0;
    const auto v = std::stoull(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    return v;
  } catch (const std::exception&) {
    die("--" + key + ": expected a number, got \"" + text + "\"");
  }
}

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die(what + ": cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One setting, from the command line or the config file (value as text; flags get "true").
void set(Config& c, std::string key, const std::string& value) {
  for (auto& ch : key)
    if (ch == '_') ch = '-';
  auto flag = [&] {
    if (value != "true" && value != "false") die("--" + key + ": expected true or false");
    return value == "true";
  };
  if (key == "listen")
    c.listen = value;
  else if (key == "db")
    c.db = value;
  else if (key == "secret")
    c.secret = value;
  else if (key == "secret-file") {
    c.secret = read_file(value, "--secret-file");
    while (!c.secret.empty() && (c.secret.back() == '\n' || c.secret.back() == '\r'))
      c.secret.pop_back();
  } else if (key == "issuer")
    c.issuer = value;
  else if (key == "dev")
    c.dev = flag();
  else if (key == "no-seed")
    c.seed = !flag();
  else if (key == "seed")
    c.seed = flag();
  else if (key == "seed-only")
    c.seed_only = flag();
  else if (key == "allow-signup")
    c.allow_signup = flag();
  else if (key == "static")
    c.static_dir = value;
  else if (key == "threads")
    c.threads = static_cast<unsigned>(number(key, value));
  else if (key == "max-frame-bytes")
    c.max_frame_bytes = number(key, value);
  else if (key == "requests-per-second")
    c.requests_per_second = number(key, value);
  else if (key == "request-burst")
    c.request_burst = number(key, value);
  else if (key == "send-queue-bytes")
    c.send_queue_bytes = number(key, value);
  else if (key == "max-connections")
    c.max_connections = number(key, value);
  else if (key == "idle-timeout-seconds")
    c.idle_timeout_seconds = number(key, value);
  else if (key == "socket-send-buffer")
    c.socket_send_buffer = number(key, value);
  else if (key == "mmap-mib") {
    c.mmap_mib = number(key, value);
    if (c.mmap_mib > 1'000'000) die("--mmap-mib: at most 1000000");
  } else if (key == "exclusive")
    c.exclusive = flag();
  else if (key == "reputation")
    c.reputation = value;
  else if (key == "badges")
    c.badges = value;
  else if (key == "automod")
    c.automod = value;
  else if (key == "demo-classifier")
    c.demo_classifier = flag();
  else
    die("unknown setting \"" + key + "\"\n" + usage);
}

bool is_flag(const std::string& key) {
  return key == "dev" || key == "no-seed" || key == "seed-only" || key == "allow-signup" ||
         key == "demo-classifier" || key == "exclusive";
}

void load_config_file(Config& c, const std::string& path) {
  boost::system::error_code ec;
  json::value v = json::parse(read_file(path, "--config"), ec);
  if (ec || !v.is_object()) die("--config " + path + ": not a JSON object");
  for (const auto& [key, value] : v.get_object()) {
    std::string text;
    if (value.is_string())
      text = value.get_string();
    else if (value.is_bool())
      text = value.get_bool() ? "true" : "false";
    else if (value.is_int64() || value.is_uint64())
      text = json::serialize(value);
    else
      die("--config " + path + ": \"" + std::string(key) + "\" is not a string, number or bool");
    set(c, std::string(key), text);
  }
}

Config parse(int argc, char** argv) {
  Config c;
  if (const char* s = std::getenv("HEARTH_SECRET")) c.secret = s;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << usage;
      std::exit(0);
    }
    if (arg.rfind("--", 0) != 0) die("unexpected argument \"" + arg + "\"\n" + usage);
    std::string key = arg.substr(2), value;
    if (auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key.resize(eq);
    } else if (is_flag(key)) {
      value = "true";
    } else {
      if (i + 1 >= argc) die("--" + key + " needs a value");
      value = argv[++i];
    }
    if (key == "config")
      load_config_file(c, value);
    else
      set(c, key, value);
  }
  return c;
}

// Reads --reputation: the community's rules and those of space kinds with scopes of their own.
void load_reputation(hearth::EngineOptions& options, const std::string& path) {
  boost::system::error_code ec;
  json::value v = json::parse(read_file(path, "--reputation"), ec);
  if (ec || !v.is_object()) die("--reputation " + path + ": not a JSON object");
  auto rules = [&](const json::value& r, const std::string& where) {
    std::string why;
    auto parsed = hearth::ReputationRules::from_json(json::serialize(r), &why);
    if (!parsed) die("--reputation " + path + ": " + where + ": " + why);
    return *parsed;
  };
  for (const auto& [key, value] : v.get_object()) {
    if (key == "default") {
      options.reputation = rules(value, "default");
    } else if (key == "by_kind" && value.is_object()) {
      for (const auto& [kind_name, r] : value.get_object()) {
        auto kind = hearth::space_kind_from_string(kind_name);
        if (!kind)
          die("--reputation " + path + ": by_kind." + std::string(kind_name) +
              ": not a space kind");
        options.reputation_by_kind.emplace_back(*kind,
                                                rules(r, "by_kind." + std::string(kind_name)));
      }
    } else {
      die("--reputation " + path + ": \"" + std::string(key) +
          "\" is not \"default\" or \"by_kind\" (an object)");
    }
  }
}

// Reads --badges: the community's badge rules.
void load_badges(hearth::EngineOptions& options, const std::string& path) {
  std::string why;
  auto parsed = hearth::BadgeRules::from_json(read_file(path, "--badges"), &why);
  if (!parsed) die("--badges " + path + ": " + why);
  options.badges = std::move(*parsed);
}

// Reads --automod: the community's auto-moderation rules (until the host stores others).
void load_automod(hearth::EngineOptions& options, const std::string& path) {
  std::string why;
  auto parsed = hearth::moderation::automod_rules_from_json(read_file(path, "--automod"), &why);
  if (!parsed) die("--automod " + path + ": " + why);
  options.automod = std::move(*parsed);
}

// --demo-classifier: the deterministic keyword classifier the tests use, with a policy that
// holds a toxic post for approval and sends a spammy one to review. Its failures send posts
// to review.
void demo_classifier(hearth::EngineOptions& options) {
  using hearth::moderation::KeywordClassifier;
  options.classifier = std::make_shared<KeywordClassifier>(
      std::vector<KeywordClassifier::Rule>{{"idiot", "toxicity", 0.95},
                                           {"stupid", "toxicity", 0.7},
                                           {"free gold", "spam", 0.95},
                                           {"click here", "spam", 0.65}},
      "demo-keywords");
  options.classifier_policy.labels = {
      {"toxicity", 0.9, 0.6, hearth::moderation::WordAction::require_approval},
      {"spam", 0.9, 0.6, hearth::moderation::WordAction::block}};
  options.classifier_policy.timeout_ms = 200;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const Config config = parse(argc, argv);

  // The address, split before anything is opened.
  const auto colon = config.listen.rfind(':');
  if (colon == std::string::npos) die("--listen: expected ADDRESS:PORT");
  std::string address = config.listen.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']')
    address = address.substr(1, address.size() - 2);
  const auto port = number("listen", config.listen.substr(colon + 1));
  if (port > 65535) die("--listen: the port is above 65535");

  const bool fresh = !fs::exists(config.db);
  auto storage =
      hearth::sqlite::open_storage({.path = config.db,
                                    .mmap_size = static_cast<std::int64_t>(config.mmap_mib) << 20,
                                    .exclusive = config.exclusive});
  if (!storage) die("cannot open " + config.db + ": " + storage.error().message());
  hearth::EngineOptions engine_options;
  engine_options.storage = *storage;
  if (!config.reputation.empty()) load_reputation(engine_options, config.reputation);
  if (!config.badges.empty()) load_badges(engine_options, config.badges);
  if (!config.automod.empty()) load_automod(engine_options, config.automod);
  if (config.demo_classifier) demo_classifier(engine_options);
  auto engine = hearth::Engine::open(std::move(engine_options));
  if (!engine) die("cannot open the engine: " + engine.error().message());

  if (fresh && (config.seed || config.seed_only)) {
    std::string step;
    if (auto r = hearthd::seed_demo(**engine, step); !r)
      die("seeding the demo community failed at \"" + step + "\": " + r.error().message());
    std::cout << "hearthd: built the demo community in " << config.db
              << " (members ada, bob, cyra, dmitri, eun)\n";
  }
  if (config.seed_only) return 0;

  std::unique_ptr<hearth::protocol::Authenticator> authenticator;
  if (config.dev) {
    authenticator = std::make_unique<hearth::protocol::DevAuthenticator>();
    std::cerr << "hearthd: *** DEV MODE: anyone may sign in as any member by handle, with no "
                 "proof. INSECURE: never expose this server. ***\n";
  } else {
    if (config.secret.empty())
      die("give a token secret (--secret, --secret-file or HEARTH_SECRET), or --dev");
    auto hs = hearth::protocol::Hs256Authenticator::create(
        {.secret = config.secret, .issuer = config.issuer});
    if (!hs) die("the token secret must have at least 32 bytes");
    authenticator = std::move(*hs);
  }

  std::string static_dir = config.static_dir;
  if (!static_dir.empty() && !fs::is_directory(static_dir)) {
    std::cerr << "hearthd: no web page at " << static_dir << "; serving the API only\n";
    static_dir.clear();
  }

  hearth::asio::ServerOptions options;
  options.address = address;
  options.port = static_cast<std::uint16_t>(port);
  options.threads = config.threads;
  options.static_dir = static_dir;
  options.max_connections = config.max_connections;
  options.send_queue_bytes = config.send_queue_bytes;
  options.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds);
  options.socket_send_buffer =
      static_cast<int>(std::min<std::uint64_t>(config.socket_send_buffer, 1u << 30));
  options.session.max_frame_bytes = config.max_frame_bytes;
  options.session.requests_per_second = static_cast<std::uint32_t>(config.requests_per_second);
  options.session.request_burst = static_cast<std::uint32_t>(config.request_burst);
  options.session.allow_signup = config.allow_signup;

  // SIGINT and SIGTERM are taken by this thread alone (sigwait), so the server's threads, started
  // after, never run a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = hearth::asio::Server::start(**engine, *authenticator, options);
  if (!server) die("cannot listen on " + config.listen + ": " + server.error().message());
  const std::string host = address.find(':') != std::string::npos ? "[" + address + "]" : address;
  std::cout << "hearthd: serving http://" << host << ":" << (*server)->port() << "/"
            << (config.dev ? " (dev mode: pick a demo member on the page)" : "") << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  std::cout << "hearthd: " << (received == SIGINT ? "SIGINT" : "SIGTERM") << ": closing connections"
            << std::endl;
  (*server)->stop();
  std::cout << "hearthd: stopped" << std::endl;
  return 0;
}
