// Workload W1, shared by hearth_w1 (through hearth's public API) and hearth_w1_reference (plain
// SQLite): the deterministic sequence of operations, their parameters, and the reporting.
//
// Entities are named by their index in creation order (member i, space s, thread t, post p); each
// program maps indices to its own ids. The generator never asks the database anything: it tracks
// the memberships, the threads of each space and their recency itself, so that both programs run
// exactly the same operations and can check each result against what it must be.
//
// Header-only and free of hearth headers, so the reference program does not link hearth.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <vector>

#include <unistd.h>

namespace hearth::bench {

// --- random numbers ------------------------------------------------------------------------
// xoshiro256** seeded through splitmix64: the same sequence with every standard library
// (std::uniform_int_distribution is implementation-defined, so it is not used).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept {
    for (auto& word : state_) word = splitmix64(seed);
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n). REQUIRES: n > 0. Rejection keeps it unbiased.
  std::uint32_t below(std::uint32_t n) noexcept {
    const std::uint64_t bound = n;
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod n
    for (;;) {
      const std::uint64_t r = next();
      if (r >= threshold) return static_cast<std::uint32_t>(r % bound);
    }
  }

  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  std::uint32_t between(std::uint32_t lo, std::uint32_t hi) noexcept {
    return lo + below(hi - lo + 1);
  }

 private:
  static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

  std::array<std::uint64_t, 4> state_{};
};

// --- parameters ----------------------------------------------------------------------------
struct Config {
  std::uint32_t members = 2'000;
  std::uint32_t spaces = 50;
  std::uint32_t joins_per_member = 5;
  std::uint32_t posts = 100'000;
  std::uint32_t reactions = 200'000;
  std::uint32_t thread_pages = 10'000;
  std::uint32_t space_listings = 10'000;
  std::uint32_t thread_page_size = 50;
  std::uint32_t listing_size = 25;
  std::uint32_t one_thread_in = 5;    // a post starts a thread one time in this many
  std::uint32_t recent_threads = 50;  // replies go to one of the space's most recent threads
  std::uint64_t seed = 0x4845415254485731ULL;  // "HEARTHW1"
  std::string db_path;                         // empty: a file in the temporary directory
  // PRAGMA mmap_size in MiB for every connection; -1: each program's default (hearth's
  // adapter maps 1 GiB, plain SQLite nothing).
  std::int64_t mmap_mib = -1;
  // SqliteOptions::batch_wal_writes (hearth only): each commit's WAL frames in one write() call.
  bool wal_batching = true;
  // SqliteOptions::keep_read_maps (hearth only): readers keep their map across commits.
  bool keep_maps = true;
  // SqliteOptions::search_index_batch (hearth only); -1: the adapter's default.
  std::int64_t search_batch = -1;
  // SqliteOptions::exclusive (hearth only): no other process may open the database.
  bool exclusive = false;
};

inline void usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s [--scale N] [--posts N] [--reactions N] [--seed N] [--db PATH]\n"
               "          [--mmap-mib N] [--wal-batching 0|1] [--keep-maps 0|1]\n"
               "          [--search-batch N] [--exclusive 0|1]\n"
               "  --scale N      multiply every count of W1 by N (default 1: 2,000 members,\n"
               "                 50 spaces, 100,000 posts, 200,000 reactions, 10,000 thread\n"
               "                 pages, 10,000 space listings)\n"
               "  --posts N      override the number of posts (after scaling)\n"
               "  --reactions N  override the number of reactions (after scaling)\n"
               "  --seed N       the generator's seed\n"
               "  --db PATH      the database file (deleted first; default: a temporary file,\n"
               "                 deleted at the end)\n"
               "  --mmap-mib N   map this much of the database file for reads (PRAGMA mmap_size,\n"
               "                 in MiB; 0: read through read(); default: hearth's adapter's\n"
               "                 1024, plain SQLite's 0)\n"
               "  --wal-batching 0|1  hearth: write each commit's WAL frames in one call (1, the\n"
               "                 default) or as SQLite does, two calls a page (0)\n"
               "  --keep-maps 0|1  hearth: read connections keep their map of the file across\n"
               "                 commits (1, the default) or drop it at each, as SQLite does (0)\n"
               "  --search-batch N  hearth: index posts for search N at a time (default: the\n"
               "                 adapter's; 1: each in its own transaction)\n"
               "  --exclusive 0|1  hearth: keep other processes out of the database (1), or not\n"
               "                 (0, the default, as the adapter's)\n",
               program);
}

inline std::uint64_t parse_count(const char* program, std::string_view flag, const char* text) {
  std::uint64_t value = 0;
  const std::string_view s = text;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) {
    std::fprintf(stderr, "%s: %.*s wants a non-negative integer, got '%s'\n", program,
                 static_cast<int>(flag.size()), flag.data(), text);
    std::exit(2);
  }
  return value;
}

inline std::uint64_t parse_at_most(const char* program, std::string_view flag, const char* text,
                                   std::uint64_t max) {
  const std::uint64_t value = parse_count(program, flag, text);
  if (value > max) {
    std::fprintf(stderr, "%s: %.*s must be 0..%llu\n", program, static_cast<int>(flag.size()),
                 flag.data(), static_cast<unsigned long long>(max));
    std::exit(2);
  }
  return value;
}

inline bool parse_switch(const char* program, std::string_view flag, const char* text) {
  const std::uint64_t on = parse_count(program, flag, text);
  if (on > 1) {
    std::fprintf(stderr, "%s: %.*s must be 0 or 1\n", program, static_cast<int>(flag.size()),
                 flag.data());
    std::exit(2);
  }
  return on == 1;
}

// Parses the command line; prints the usage and exits on a bad one.
inline Config parse_args(int argc, char** argv) {
  Config config;
  const char* program = argc > 0 ? argv[0] : "w1";
  std::uint64_t scale = 1;
  std::int64_t posts = -1;
  std::int64_t reactions = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      usage(program);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      usage(program);
      std::exit(2);
    }
    const char* value = argv[++i];
    if (flag == "--scale") {
      scale = parse_count(program, flag, value);
    } else if (flag == "--posts") {
      posts = static_cast<std::int64_t>(parse_count(program, flag, value));
    } else if (flag == "--reactions") {
      reactions = static_cast<std::int64_t>(parse_count(program, flag, value));
    } else if (flag == "--seed") {
      config.seed = parse_count(program, flag, value);
    } else if (flag == "--db") {
      config.db_path = value;
    } else if (flag == "--wal-batching") {
      config.wal_batching = parse_switch(program, flag, value);
    } else if (flag == "--keep-maps") {
      config.keep_maps = parse_switch(program, flag, value);
    } else if (flag == "--exclusive") {
      config.exclusive = parse_switch(program, flag, value);
    } else if (flag == "--search-batch") {
      config.search_batch =
          static_cast<std::int64_t>(parse_at_most(program, flag, value, 1'000'000));
    } else if (flag == "--mmap-mib") {
      config.mmap_mib = static_cast<std::int64_t>(parse_at_most(program, flag, value, 1'000'000));
    } else {
      usage(program);
      std::exit(2);
    }
  }
  if (scale < 1 || scale > 1'000) {
    std::fprintf(stderr, "%s: --scale must be 1..1000\n", program);
    std::exit(2);
  }
  const auto scaled = [&](std::uint32_t n) { return static_cast<std::uint32_t>(n * scale); };
  config.members = scaled(config.members);
  config.spaces = scaled(config.spaces);
  config.posts = scaled(config.posts);
  config.reactions = scaled(config.reactions);
  config.thread_pages = scaled(config.thread_pages);
  config.space_listings = scaled(config.space_listings);
  if (posts >= 0) config.posts = static_cast<std::uint32_t>(posts);
  if (reactions >= 0) config.reactions = static_cast<std::uint32_t>(reactions);
  if (config.posts == 0) {
    // Reactions and reads need something to land on.
    std::fprintf(stderr, "%s: --posts must be at least 1\n", program);
    std::exit(2);
  }
  return config;
}

// Removes a database file and its -wal, -shm and -journal companions, if any.
inline void remove_db_files(const std::filesystem::path& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path.string() + suffix, ignored);
  }
}

// The database file to use, with its -wal and -shm companions removed. Sets `temporary` when
// the path was chosen here (the caller removes it at the end).
inline std::filesystem::path prepare_db_path(const Config& config, bool& temporary) {
  std::filesystem::path path;
  temporary = config.db_path.empty();
  if (temporary) {
    path = std::filesystem::temp_directory_path() /
           ("hearth_w1_" + std::to_string(::getpid()) + ".db");
  } else {
    path = config.db_path;
  }
  remove_db_files(path);
  return path;
}

// --- text ----------------------------------------------------------------------------------
inline constexpr std::array<std::string_view, 64> words = {
    "hearth", "guild",  "raid",   "quest",  "loot",   "dragon", "castle", "forest",
    "map",    "season", "patch",  "build",  "server", "lag",    "team",   "match",
    "ranked", "healer", "tank",   "mage",   "archer", "potion", "sword",  "shield",
    "armor",  "craft",  "trade",  "market", "gold",   "event",  "boss",   "dungeon",
    "level",  "skill",  "talent", "guide",  "tips",   "bug",    "report", "feature",
    "idea",   "story",  "lore",   "fan",    "art",    "music",  "stream", "clip",
    "the",    "a",      "and",    "of",     "to",     "in",     "with",   "for",
    "new",    "best",   "first",  "last",   "great",  "small",  "fast",   "quiet",
};

// Appends random words separated by single spaces until `out` holds exactly `length` bytes;
// the text never starts or ends with a space (the engine trims those).
inline void make_text(Rng& rng, std::uint32_t length, std::string& out) {
  out.clear();
  while (out.size() < length) {
    if (!out.empty()) out.push_back(' ');
    out.append(words[rng.below(static_cast<std::uint32_t>(words.size()))]);
  }
  out.resize(length);
  if (out.back() == ' ') out.back() = '.';
}

// --- the sequence of operations --------------------------------------------------------------
class Workload {
 public:
  explicit Workload(const Config& config)
      : config_(config),
        rng_(config.seed),
        is_member_(static_cast<std::size_t>(config.members) * config.spaces, false),
        members_of_(config.spaces),
        threads_in_(config.spaces, 0),
        recent_(config.spaces) {}

  const Config& config() const noexcept { return config_; }

  // members: member i has a unique handle and a display name.
  static std::string handle(std::uint32_t member) { return "member_" + std::to_string(member); }
  static std::string display_name(std::uint32_t member) {
    return "Member " + std::to_string(member);
  }

  // spaces_and_joins, first part: space `space` (created in index order) and its owner, who
  // becomes its first member.
  struct SpaceOp {
    std::uint32_t space;
    std::uint32_t owner;
    std::string name;
    std::string description;
  };
  SpaceOp next_space() {
    SpaceOp op;
    op.space = spaces_created_++;
    op.owner = rng_.below(config_.members);
    op.name = "Space " + std::to_string(op.space);
    make_text(rng_, rng_.between(20, 60), op.description);
    add_member(op.space, op.owner);
    return op;
  }

  // spaces_and_joins, second part: members in index order each pick joins_per_member spaces.
  // `joins` is false for a repeated pick (or the member's own space): the call must be a no-op.
  struct JoinOp {
    std::uint32_t member;
    std::uint32_t space;
    bool joins;
  };
  JoinOp next_join() {
    JoinOp op;
    op.member = joins_done_ / config_.joins_per_member;
    op.space = rng_.below(config_.spaces);
    op.joins = add_member(op.space, op.member);
    ++joins_done_;
    return op;
  }
  std::uint32_t join_count() const noexcept { return config_.members * config_.joins_per_member; }

  // posts: a member of a random space posts there. A new thread (its first post is post
  // `post`, the thread is thread `thread`) one time in one_thread_in, or when the space has no
  // thread yet; otherwise a reply (post `post`) to the first post of one of the space's
  // recent_threads threads with the most recent activity. Either way the thread becomes the
  // space's most recent. `title` is empty for a reply.
  struct PostOp {
    std::uint32_t space;
    std::uint32_t author;
    bool new_thread;
    std::uint32_t thread;
    std::uint32_t post;
    std::uint32_t reply_to;  // the thread's first post (replies only)
    std::string title;
    std::string body;
  };
  // Fills `op` (reusing its buffers).
  void next_post(PostOp& op) {
    op.space = rng_.below(config_.spaces);
    const auto& members = members_of_[op.space];
    op.author = members[rng_.below(static_cast<std::uint32_t>(members.size()))];
    auto& recent = recent_[op.space];
    op.new_thread = rng_.below(config_.one_thread_in) == 0 || recent.empty();
    op.post = post_count_++;
    std::size_t position = 0;
    if (op.new_thread) {
      op.thread = static_cast<std::uint32_t>(threads_.size());
      threads_.push_back({op.space, op.post, 1});
      ++threads_in_[op.space];
      make_text(rng_, rng_.between(20, 60), op.title);
      recent.insert(recent.begin(), op.thread);
      if (recent.size() > config_.recent_threads) recent.pop_back();
    } else {
      position = rng_.below(static_cast<std::uint32_t>(recent.size()));
      op.thread = recent[position];
      auto& thread = threads_[op.thread];
      op.reply_to = thread.first_post;
      ++thread.posts;
      op.title.clear();
      // Move to the front: the reply is the space's latest activity.
      std::rotate(recent.begin(), recent.begin() + static_cast<std::ptrdiff_t>(position),
                  recent.begin() + static_cast<std::ptrdiff_t>(position) + 1);
    }
    post_space_.push_back(op.space);
    post_author_.push_back(op.author);
    make_text(rng_, rng_.between(200, 600), op.body);
  }
  std::uint32_t post_count() const noexcept { return post_count_; }
  std::uint32_t thread_count() const noexcept {
    return static_cast<std::uint32_t>(threads_.size());
  }

  // reactions: a random post gets "+1" from a random member of its space other than its
  // author (hearth lets only members of a space react there, and by default nobody "+1"s their
  // own post). `adds` is false for a repeated (member, post): the call must be a no-op.
  struct ReactionOp {
    std::uint32_t member;
    std::uint32_t post;
    bool adds;
  };
  ReactionOp next_reaction() {
    ReactionOp op;
    const std::vector<std::uint32_t>* members = nullptr;
    do {  // a space whose only member is the author has nobody else to react
      op.post = rng_.below(post_count_);
      members = &members_of_[post_space_[op.post]];
    } while (members->size() < 2);
    do {
      op.member = (*members)[rng_.below(static_cast<std::uint32_t>(members->size()))];
    } while (op.member == post_author_[op.post]);
    op.adds = reacted_.insert((std::uint64_t{op.post} << 32) | op.member).second;
    return op;
  }

  // thread_pages: the first thread_page_size posts of a random thread, oldest first. The page
  // must hold `expected` posts, the first being the thread's first post.
  struct ThreadPageOp {
    std::uint32_t thread;
    std::uint32_t first_post;
    std::uint32_t expected;
  };
  ThreadPageOp next_thread_page() {
    ThreadPageOp op;
    op.thread = rng_.below(thread_count());
    const auto& thread = threads_[op.thread];
    op.first_post = thread.first_post;
    op.expected = std::min(thread.posts, config_.thread_page_size);
    return op;
  }

  // space_listings: a random space's listing_size threads with the most recent activity. The
  // listing must hold `expected` threads; `latest` is the first one (when expected > 0).
  struct ListingOp {
    std::uint32_t space;
    std::uint32_t expected;
    std::uint32_t latest;
  };
  ListingOp next_listing() {
    ListingOp op;
    op.space = rng_.below(config_.spaces);
    op.expected = std::min(threads_in_[op.space], config_.listing_size);
    op.latest = recent_[op.space].empty() ? 0 : recent_[op.space].front();
    return op;
  }

 private:
  struct ThreadState {
    std::uint32_t space;
    std::uint32_t first_post;
    std::uint32_t posts;  // including the first
  };

  // False if `member` already belongs to `space`.
  bool add_member(std::uint32_t space, std::uint32_t member) {
    const std::size_t slot = static_cast<std::size_t>(member) * config_.spaces + space;
    if (is_member_[slot]) return false;
    is_member_[slot] = true;
    members_of_[space].push_back(member);
    return true;
  }

  Config config_;
  Rng rng_;
  std::uint32_t spaces_created_ = 0;
  std::uint32_t joins_done_ = 0;
  std::uint32_t post_count_ = 0;
  std::vector<bool> is_member_;                         // [member * spaces + space]
  std::vector<std::vector<std::uint32_t>> members_of_;  // per space, in joining order
  std::vector<ThreadState> threads_;
  std::vector<std::uint32_t> post_space_;
  std::vector<std::uint32_t> post_author_;          // per post
  std::vector<std::uint32_t> threads_in_;           // per space
  std::vector<std::vector<std::uint32_t>> recent_;  // per space, most recent activity first
  std::unordered_set<std::uint64_t> reacted_;       // post << 32 | member
};

// --- reporting ----------------------------------------------------------------------------
class Stopwatch {
 public:
  Stopwatch() noexcept : start_(std::chrono::steady_clock::now()) {}
  double seconds() const noexcept {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

inline void report_phase(std::string_view phase, std::uint64_t ops, double seconds) {
  const double rate = seconds > 0 ? static_cast<double>(ops) / seconds : 0.0;
  std::printf("{\"phase\": \"%.*s\", \"ops\": %llu, \"seconds\": %.6f, \"ops_per_s\": %.1f}\n",
              static_cast<int>(phase.size()), phase.data(), static_cast<unsigned long long>(ops),
              seconds, rate);
  std::fflush(stdout);
}

inline void report_peak_rss() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  // ru_maxrss is in KiB on Linux.
  std::printf("{\"phase\": \"peak_rss\", \"kib\": %ld}\n", usage.ru_maxrss);
  std::fflush(stdout);
}

// What the run did besides the timed figures, on stderr so stdout stays JSON lines.
struct Tally {
  std::uint64_t joins = 0, repeated_joins = 0;
  std::uint64_t threads = 0, replies = 0;
  std::uint64_t reactions = 0, repeated_reactions = 0;
  std::uint64_t posts_read = 0, threads_listed = 0;

  void print(std::string_view program) const {
    std::fprintf(
        stderr,
        "%.*s: joins %llu (+%llu no-op), threads %llu, replies %llu, reactions %llu "
        "(+%llu no-op), posts read %llu, threads listed %llu\n",
        static_cast<int>(program.size()), program.data(), static_cast<unsigned long long>(joins),
        static_cast<unsigned long long>(repeated_joins), static_cast<unsigned long long>(threads),
        static_cast<unsigned long long>(replies), static_cast<unsigned long long>(reactions),
        static_cast<unsigned long long>(repeated_reactions),
        static_cast<unsigned long long>(posts_read),
        static_cast<unsigned long long>(threads_listed));
  }
};

// The ManualClock's start in hearth (2026-01-01T00:00:00Z); the reference uses it too.
inline constexpr std::int64_t clock_start_ms = 1'767'225'600'000;

// The main() of both programs: parses the options, prepares the database file, runs, cleans
// up a temporary file, and reports the peak resident size of a run that succeeded.
template <class Run>
int run_program(const char* name, int argc, char** argv, Run run) {
  const Config config = parse_args(argc, argv);
  bool temporary = false;
  const auto path = prepare_db_path(config, temporary);
  int status = 1;
  try {
    status = run(config, path.string());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    status = 1;
  }
  if (temporary) remove_db_files(path);
  if (status == 0) report_peak_rss();
  return status;
}

}  // namespace hearth::bench
