// W1's concurrent variant (../shared/W1.md, docs/benchmarks.md) through hearth's public API on
// the SQLite adapter: the posts and reactions phases run from `--writers` threads at once (8 by
// default), each call committed before it returns. Then thread-page reads run alone from
// `--readers` threads (2). The writers then make W1's first half of reactions alone, and the
// second half while the readers read again: the readers' rate under writes against their idle
// rate is the "reads under writes" figure.
//
// The operations are W1's, generated in W1's order with W1's seed; writer threads take them in
// that order from a shared counter. A reply waits until the thread it answers has been created
// (by whichever writer took that operation). Every result is checked: each call must succeed,
// and as many reactions must add as the generator expects (of two equal ones, whichever commits
// first adds). A failed check ends the run with exit code 1.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hearth/clock.hpp"
#include "hearth/engine.hpp"
#include "hearth/error.hpp"
#include "hearth/model.hpp"
#include "hearth/sqlite/sqlite_storage.hpp"
#include "w1_common.hpp"
#include "w1_hearth.hpp"

namespace {

using hearth::bench::Config;
using hearth::bench::Stopwatch;
using hearth::bench::Workload;

// Runs `body(thread index)` on `count` threads and joins them; the first exception any of them
// threw is rethrown here, after the others have stopped (they watch `stop`).
template <class Body>
void on_threads(unsigned count, std::atomic<bool>& stop, Body body) {
  std::mutex mutex;
  std::exception_ptr first;
  std::vector<std::thread> threads;
  threads.reserve(count);
  for (unsigned i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      try {
        body(i);
      } catch (...) {
        stop.store(true);
        std::lock_guard lock(mutex);
        if (!first) first = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  if (first) std::rethrow_exception(first);
}

template <class T>
T check(hearth::result<T> r, std::string_view call) {
  if (!r) {
    throw std::runtime_error(std::string(call) + " failed: " + r.error().message() + " [" +
                             std::string(hearth::error_name(r.error())) + "]");
  }
  return std::move(*r);
}

struct Options {
  unsigned writers = 8;
  unsigned readers = 2;
  unsigned group_commit = 64;  // EngineOptions::group_commit_max; 1: each call commits alone
};

// Takes --writers N, --readers N and --group-commit N out of argv, leaving W1's own flags.
Options take_options(int& argc, char** argv) {
  Options o;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if ((flag == "--writers" || flag == "--readers" || flag == "--group-commit") && i + 1 < argc) {
      const auto n = static_cast<unsigned>(hearth::bench::parse_count(argv[0], flag, argv[i + 1]));
      if (n < 1 || n > 64) {
        std::fprintf(stderr, "%s: %s must be 1 to 64\n", argv[0], argv[i]);
        std::exit(2);
      }
      (flag == "--writers" ? o.writers : flag == "--readers" ? o.readers : o.group_commit) = n;
      ++i;
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  return o;
}

Options options;

int run(const Config& config, const std::string& path) {
  auto clock = std::make_shared<hearth::ManualClock>(hearth::bench::clock_start_ms);
  auto storage = check(hearth::sqlite::open_storage(hearth::bench::sqlite_options_of(config, path)),
                       "sqlite::open_storage");
  hearth::EngineOptions engine_options;
  engine_options.storage = std::move(storage);
  engine_options.clock = clock;
  engine_options.group_commit_max = options.group_commit;
  auto engine = check(hearth::Engine::open(std::move(engine_options)), "Engine::open");
  Workload workload(config);
  const hearth::MemberId anonymous;

  // Members, spaces and joins: sequential, as in W1 (not a figure of this variant).
  std::vector<hearth::MemberId> members(config.members);
  std::vector<hearth::SpaceId> spaces(config.spaces);
  for (std::uint32_t i = 0; i < config.members; ++i) {
    clock->advance(1);
    members[i] = check(engine->create_member(Workload::handle(i), Workload::display_name(i)),
                       "create_member")
                     .id;
  }
  for (std::uint32_t s = 0; s < config.spaces; ++s) {
    clock->advance(1);
    const auto space = workload.next_space();
    hearth::NewSpace fields;
    fields.name = space.name;
    fields.description = space.description;
    spaces[space.space] =
        check(engine->create_space(members[space.owner], fields), "create_space").id;
  }
  for (std::uint32_t j = 0; j < workload.join_count(); ++j) {
    clock->advance(1);
    const auto join = workload.next_join();
    if (check(engine->join_space(members[join.member], spaces[join.space]), "join_space") !=
        join.joins)
      throw std::runtime_error("join_space: unexpected result");
  }

  // The operations, in W1's order.
  std::vector<Workload::PostOp> post_ops(config.posts);
  for (auto& op : post_ops) workload.next_post(op);
  std::vector<Workload::ReactionOp> reaction_ops;
  reaction_ops.reserve(config.reactions);
  std::uint64_t expected_adds = 0;
  for (std::uint32_t r = 0; r < config.reactions; ++r) {
    reaction_ops.push_back(workload.next_reaction());
    if (reaction_ops.back().adds) ++expected_adds;
  }
  std::vector<Workload::ThreadPageOp> read_ops;
  read_ops.reserve(config.thread_pages);
  for (std::uint32_t i = 0; i < config.thread_pages; ++i)
    read_ops.push_back(workload.next_thread_page());

  std::atomic<bool> stop{false};

  // Posts: ids by post index, 0 until created; threads by thread index.
  std::vector<std::atomic<std::uint64_t>> post_ids(config.posts);
  std::vector<std::atomic<std::uint64_t>> thread_ids(workload.thread_count());
  {
    std::atomic<std::uint32_t> next{0};
    Stopwatch watch;
    on_threads(options.writers, stop, [&](unsigned) {
      for (std::uint32_t i; !stop.load() && (i = next.fetch_add(1)) < config.posts;) {
        const auto& op = post_ops[i];
        clock->advance(1);
        if (op.new_thread) {
          auto created =
              check(engine->create_thread(members[op.author], spaces[op.space], op.title, op.body),
                    "create_thread");
          thread_ids[op.thread].store(created.thread.id.value);
          post_ids[op.post].store(created.first_post.id.value);
        } else {
          std::uint64_t parent = 0;
          while ((parent = post_ids[op.reply_to].load()) == 0) {
            if (stop.load()) return;
            std::this_thread::yield();  // taken by another writer, not yet committed
          }
          post_ids[op.post].store(
              check(engine->reply(members[op.author], hearth::PostId{parent}, op.body), "reply")
                  .id.value);
        }
      }
    });
    hearth::bench::report_phase("posts_concurrent", config.posts, watch.seconds());
  }

  // Thread pages from the reader threads; returns how many were read before `until` said stop.
  std::atomic<std::uint32_t> next_read{0};
  auto read_pages = [&](const std::atomic<bool>& until) {
    hearth::PageRequest request;
    request.limit = config.thread_page_size;
    std::uint64_t done = 0;
    while (!until.load() && !stop.load()) {
      const auto& op = read_ops[next_read.fetch_add(1) % read_ops.size()];
      const auto page =
          check(engine->get_thread_page(anonymous, hearth::ThreadId{thread_ids[op.thread].load()},
                                        request),
                "get_thread_page");
      if (page.items.size() != op.expected ||
          page.items.front().id.value != post_ids[op.first_post].load() ||
          page.items.front().body.empty())
        throw std::runtime_error("get_thread_page: unexpected result");
      ++done;
    }
    return done;
  };

  // Idle reads: the readers alone for about as many pages as W1's thread-pages phase.
  double idle_rate = 0;
  {
    std::atomic<bool> enough{false};
    std::atomic<std::uint64_t> pages{0};
    Stopwatch watch;
    std::thread timer([&] {
      while (!stop.load() && next_read.load() < config.thread_pages)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      enough.store(true);
    });
    on_threads(options.readers, stop, [&](unsigned) { pages += read_pages(enough); });
    timer.join();
    idle_rate = static_cast<double>(pages.load()) / watch.seconds();
    hearth::bench::report_phase("thread_pages_idle", pages.load(), watch.seconds());
  }

  // Reactions from the writers: W1's first half alone (target 2's rate), the second half while
  // the readers read thread pages (target 3's: the readers' rate against their idle one).
  std::atomic<std::uint32_t> next_reaction{0};
  std::atomic<std::uint64_t> adds{0};
  auto react_until = [&](std::uint32_t end) {
    on_threads(options.writers, stop, [&](unsigned) {
      for (std::uint32_t i; !stop.load() && (i = next_reaction.fetch_add(1)) < end;) {
        const auto& op = reaction_ops[i];
        clock->advance(1);
        if (check(engine->react(members[op.member], hearth::PostId{post_ids[op.post].load()}, "+1"),
                  "react"))
          ++adds;
      }
    });
    next_reaction.store(end);  // each writer overshot by one
  };
  const std::uint32_t alone = config.reactions / 2;
  {
    Stopwatch watch;
    react_until(alone);
    hearth::bench::report_phase("reactions_concurrent", alone, watch.seconds());
  }
  {
    std::atomic<bool> writers_done{false};
    std::atomic<std::uint64_t> pages{0};
    Stopwatch watch;
    std::exception_ptr reader_failure;
    std::thread readers([&] {
      try {
        on_threads(options.readers, stop, [&](unsigned) { pages += read_pages(writers_done); });
      } catch (...) {
        reader_failure = std::current_exception();
      }
    });
    try {
      react_until(config.reactions);
    } catch (...) {
      writers_done.store(true);
      readers.join();
      throw;
    }
    const double seconds = watch.seconds();
    writers_done.store(true);
    readers.join();
    if (reader_failure) std::rethrow_exception(reader_failure);
    hearth::bench::report_phase("reactions_under_reads", config.reactions - alone, seconds);
    hearth::bench::report_phase("thread_pages_under_writes", pages.load(), seconds);
    if (adds.load() != expected_adds)
      throw std::runtime_error("react: " + std::to_string(adds.load()) + " reactions added, " +
                               std::to_string(expected_adds) + " expected");
    const double under = static_cast<double>(pages.load()) / seconds;
    std::printf(
        "{\"phase\": \"reads_under_writes\", \"idle_ops_per_s\": %.1f, "
        "\"under_writes_ops_per_s\": %.1f, \"ratio\": %.3f}\n",
        idle_rate, under, idle_rate > 0 ? under / idle_rate : 0.0);
  }
  std::printf("{\"phase\": \"threads\", \"writers\": %u, \"readers\": %u, \"group_commit\": %u}\n",
              options.writers, options.readers, options.group_commit);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  options = take_options(argc, argv);
  return hearth::bench::run_program("hearth_w1_concurrent", argc, argv, run);
}
