// Full-text search over posts: the query and filters become a SearchQuery for the storage, and
// visibility is decided here, as for every read.
#include <unordered_map>

#include "engine_impl.hpp"

namespace hearth {
namespace {

// The largest batch asked of the storage when hits of unreadable spaces are dropped.
constexpr std::uint32_t max_batch = 1'000;
// Child spaces read per call while collecting the spaces under a space filter.
constexpr std::uint32_t children_per_call = 200;

}  // namespace

result<Page<SearchHit>> Engine::search(MemberId viewer, std::string_view query,
                                       const SearchOptions& filter, const PageRequest& page) {
  HEARTH_TRY(limit, impl_->page_limit(page));
  if (filter.sort != SearchSort::relevance && filter.sort != SearchSort::newest)
    return errc::invalid_argument;
  if (filter.from && filter.to && filter.from > filter.to) return errc::invalid_argument;
  HEARTH_TRY(terms, detail::parse_search_query(query, filter.advanced));
  SearchQuery q;
  q.terms = std::move(terms);
  q.author = filter.author;
  q.from = filter.from;
  q.to = filter.to;
  q.sort = filter.sort;
  if (!filter.tag.empty()) {
    HEARTH_TRY(clean, Impl::clean_tags({filter.tag}, 1));
    q.tag = std::move(clean.front());
  }
  HEARTH_CHECK(detail::decode_search_cursor(page.cursor, q));

  return impl_->read([&](Transaction& tx) -> result<Page<SearchHit>> {
    // Whether the viewer may read a space, asked once per space per search.
    std::unordered_map<std::uint64_t, bool> readable;
    auto may_read = [&](SpaceId space) -> result<bool> {
      if (auto it = readable.find(space.value); it != readable.end()) return it->second;
      auto r = impl_->check_read(tx, space, viewer);
      if (!r && !is(r.error(), errc::forbidden) && !is(r.error(), errc::not_found))
        return failure{r.error()};
      readable.emplace(space.value, r.has_value());
      return r.has_value();
    };

    if (filter.space) {
      // The space, as list_threads checks it, and every space below it the viewer may read
      // (what is under an unreadable space is unreadable too, so its subtree is skipped).
      HEARTH_CHECK(impl_->check_read(tx, filter.space, viewer));
      readable.emplace(filter.space.value, true);
      q.spaces.push_back(filter.space);
      for (std::size_t i = 0; i < q.spaces.size(); ++i) {
        SpaceId after;
        for (;;) {
          HEARTH_TRY(children, tx.list_child_spaces(q.spaces[i], after, children_per_call));
          for (const Space& child : children) {
            HEARTH_TRY(ok, may_read(child.id));
            if (ok) q.spaces.push_back(child.id);
          }
          if (children.size() < children_per_call) break;
          after = children.back().id;
        }
      }
    }

    // Batches from the storage, hits of spaces the viewer cannot read dropped, until the page
    // (and one more hit, which says there is a next page) is full or the index has no more.
    std::vector<ScoredPost> found;
    std::uint32_t batch = limit + 1;
    for (;;) {
      HEARTH_TRY(hits, tx.search_posts(q, batch));
      for (ScoredPost& hit : hits) {
        q.after_score = hit.score;
        q.after_post = hit.post.id;
        if (hit.post.deleted || hit.post.removed) continue;  // the storage's duty; kept twice
        HEARTH_TRY(ok, may_read(hit.post.space));
        if (!ok) continue;
        found.push_back(std::move(hit));
        if (found.size() > limit) break;
      }
      if (found.size() > limit || hits.size() < batch) break;
      batch = std::max(batch, std::min(batch * 2, max_batch));
    }

    Page<SearchHit> out;
    if (found.size() > limit) {
      found.resize(limit);
      out.next_cursor =
          detail::encode_search_cursor(q.sort, found.back().score, found.back().post.id);
    }
    std::unordered_map<std::uint64_t, Thread> threads;
    out.items.reserve(found.size());
    for (ScoredPost& hit : found) {
      auto it = threads.find(hit.post.thread.value);
      if (it == threads.end()) {
        HEARTH_TRY(t, tx.get_thread(hit.post.thread));
        it = threads.emplace(hit.post.thread.value, std::move(t)).first;
      }
      out.items.push_back(SearchHit{std::move(hit.post), it->second, hit.score});
    }
    return out;
  });
}

result<void> Engine::Impl::index_backlog() {
  constexpr std::uint32_t batch = 256;
  PostId after;
  for (;;) {
    HEARTH_TRY(
        more, write([&](WriteContext& ctx) -> result<bool> {
          HEARTH_TRY(posts, ctx.tx.list_unindexed_posts(after, batch));
          for (const Post& p : posts) {
            HEARTH_TRY(t, ctx.tx.get_thread(p.thread));
            HEARTH_CHECK(index_post(
                ctx.tx, p, t.first_post == p.id ? std::string_view(t.title) : std::string_view()));
            after = p.id;
          }
          return posts.size() == batch;
        }));
    if (!more) return {};
  }
}

}  // namespace hearth
