// W1 through hearth's public API on the SQLite adapter, sequential variant: every write is one
// engine call, committed before the next starts; a ManualClock moves 1 ms per operation.
// Every result is checked against what the generator expects; a failed call ends the run with
// exit code 1.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
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
using hearth::bench::Tally;
using hearth::bench::Workload;

class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(std::string_view what, std::uint64_t op) {
  throw Failure(std::string(what) + " (operation " + std::to_string(op) + ")");
}

// The value of a successful call; a failed one ends the run.
template <class T>
T check(hearth::result<T> r, std::string_view call, std::uint64_t op) {
  if (!r) {
    fail(std::string(call) + " failed: " + r.error().message() + " [" +
             std::string(hearth::error_name(r.error())) + "]",
         op);
  }
  return std::move(*r);
}

int run(const Config& config, const std::string& path) {
  auto clock = std::make_shared<hearth::ManualClock>(hearth::bench::clock_start_ms);
  auto storage = check(hearth::sqlite::open_storage(hearth::bench::sqlite_options_of(config, path)),
                       "sqlite::open_storage", 0);
  hearth::EngineOptions options;
  options.storage = std::move(storage);
  options.clock = clock;
  auto engine = check(hearth::Engine::open(std::move(options)), "Engine::open", 0);

  Workload workload(config);
  Tally tally;
  std::uint64_t op = 0;
  const hearth::MemberId anonymous;

  std::vector<hearth::MemberId> members(config.members);
  std::vector<hearth::SpaceId> spaces(config.spaces);
  std::unordered_map<std::uint64_t, hearth::MemberId> owner_of;  // by space id
  std::vector<hearth::ThreadId> threads;
  std::vector<hearth::PostId> posts;
  threads.reserve(config.posts);
  posts.reserve(config.posts);

  {
    Stopwatch watch;
    for (std::uint32_t i = 0; i < config.members; ++i, ++op) {
      clock->advance(1);
      members[i] = check(engine->create_member(Workload::handle(i), Workload::display_name(i)),
                         "create_member", op)
                       .id;
    }
    hearth::bench::report_phase("members", config.members, watch.seconds());
  }
  {
    Stopwatch watch;
    for (std::uint32_t s = 0; s < config.spaces; ++s, ++op) {
      clock->advance(1);
      const auto space = workload.next_space();
      hearth::NewSpace fields;
      fields.name = space.name;
      fields.description = space.description;
      spaces[space.space] =
          check(engine->create_space(members[space.owner], fields), "create_space", op).id;
      owner_of[spaces[space.space].value] = members[space.owner];
    }
    for (std::uint32_t j = 0; j < workload.join_count(); ++j, ++op) {
      clock->advance(1);
      const auto join = workload.next_join();
      const bool joined =
          check(engine->join_space(members[join.member], spaces[join.space]), "join_space", op);
      if (joined != join.joins) fail("join_space: unexpected result", op);
      ++(joined ? tally.joins : tally.repeated_joins);
    }
    hearth::bench::report_phase("spaces_and_joins", config.spaces + workload.join_count(),
                                watch.seconds());
  }
  {
    Stopwatch watch;
    Workload::PostOp post;
    for (std::uint32_t p = 0; p < config.posts; ++p, ++op) {
      clock->advance(1);
      workload.next_post(post);
      if (post.new_thread) {
        auto created = check(
            engine->create_thread(members[post.author], spaces[post.space], post.title, post.body),
            "create_thread", op);
        threads.push_back(created.thread.id);
        posts.push_back(created.first_post.id);
        ++tally.threads;
      } else {
        posts.push_back(
            check(engine->reply(members[post.author], posts[post.reply_to], post.body), "reply", op)
                .id);
        ++tally.replies;
      }
    }
    hearth::bench::report_phase("posts", config.posts, watch.seconds());
  }
  {
    Stopwatch watch;
    for (std::uint32_t r = 0; r < config.reactions; ++r, ++op) {
      clock->advance(1);
      const auto reaction = workload.next_reaction();
      const bool added =
          check(engine->react(members[reaction.member], posts[reaction.post], "+1"), "react", op);
      if (added != reaction.adds) fail("react: unexpected result", op);
      ++(added ? tally.reactions : tally.repeated_reactions);
    }
    hearth::bench::report_phase("reactions", config.reactions, watch.seconds());
  }
  {
    Stopwatch watch;
    hearth::PageRequest request;
    request.limit = config.thread_page_size;
    for (std::uint32_t i = 0; i < config.thread_pages; ++i, ++op) {
      clock->advance(1);
      const auto read = workload.next_thread_page();
      const auto page = check(engine->get_thread_page(anonymous, threads[read.thread], request),
                              "get_thread_page", op);
      if (page.items.empty() || page.items.size() != read.expected ||
          page.items.front().id != posts[read.first_post] || page.items.front().body.empty()) {
        fail("get_thread_page: unexpected result", op);
      }
      tally.posts_read += page.items.size();
    }
    hearth::bench::report_phase("thread_pages", config.thread_pages, watch.seconds());
  }
  {
    Stopwatch watch;
    hearth::PageRequest request;
    request.limit = config.listing_size;
    for (std::uint32_t i = 0; i < config.space_listings; ++i, ++op) {
      clock->advance(1);
      const auto read = workload.next_listing();
      const auto listing =
          check(engine->list_threads(anonymous, spaces[read.space], request), "list_threads", op);
      if (listing.items.size() != read.expected ||
          (read.expected > 0 && listing.items.front().id != threads[read.latest])) {
        fail("list_threads: unexpected result", op);
      }
      tally.threads_listed += listing.items.size();
    }
    hearth::bench::report_phase("space_listings", config.space_listings, watch.seconds());
  }
  tally.print("hearth_w1");
  {
    // Not part of W1: one post in 100 removed by its space's owner and one in 100 deleted by
    // its author, then the reputation totals rebuilt from the ledger must need no repair.
    Stopwatch watch;
    std::uint64_t changed = 0;
    for (std::size_t i = 0; i < posts.size(); ++i, ++op) {
      if (i % 100 != 0 && i % 100 != 50) continue;
      clock->advance(1);
      const auto p = check(engine->get_post(anonymous, posts[i]), "get_post", op);
      if (p.deleted || p.removed) continue;  // its thread went before it
      // gone: the post's thread was deleted before it, which its tombstone does not show.
      hearth::result<bool> r = false;
      if (i % 100 == 0) {
        r = engine->remove_post(owner_of.at(p.space.value), p.id, "bench");
      } else if (auto deleted = engine->delete_post(p.author, p.id); deleted) {
        r = true;
      } else {
        r = hearth::failure{deleted.error()};
      }
      if (!r && !hearth::is(r.error(), hearth::errc::gone)) fail("remove or delete", op);
      if (r && *r) ++changed;
    }
    hearth::bench::report_phase("removals", changed, watch.seconds());
    Stopwatch rebuild_watch;
    const std::uint64_t repaired = check(engine->rebuild_reputation(), "rebuild_reputation", op);
    std::printf("{\"phase\": \"reputation_rebuild\", \"repaired\": %llu, \"seconds\": %.6f}\n",
                static_cast<unsigned long long>(repaired), rebuild_watch.seconds());
    if (repaired != 0) fail("rebuild_reputation: the totals differed from the ledger", op);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return hearth::bench::run_program("hearth_w1", argc, argv, run); }
