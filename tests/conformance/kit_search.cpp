// The search part of the storage contract (Transaction::index_post, search_posts,
// list_unindexed_posts), run against the kit's storage. Every expectation is exact: both
// adapters must find the same posts, with the same scores, in the same order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "hearth/engine.hpp"
#include "kit_internal.hpp"
#include "result_string.hpp"

namespace hearth::conformance {
namespace {

using Hits = std::vector<std::pair<std::uint64_t, std::uint32_t>>;  // (post, score)

std::unique_ptr<Transaction> begin(Storage& s, TxMode mode = TxMode::write) {
  auto tx = s.begin(mode);
  REQUIRE(tx.has_value());
  return std::move(*tx);
}

Member member(std::uint64_t id, std::string handle) {
  Member m;
  m.id = MemberId{id};
  m.handle = std::move(handle);
  m.display_name = m.handle;
  return m;
}

Space space(std::uint64_t id, std::uint64_t parent = 0) {
  Space s;
  s.id = SpaceId{id};
  s.parent = SpaceId{parent};
  s.name = "space " + std::to_string(id);
  s.owner = MemberId{1};
  return s;
}

Thread thread(std::uint64_t id, std::uint64_t space_id, std::uint64_t first_post,
              std::vector<std::string> tags = {}) {
  Thread t;
  t.id = ThreadId{id};
  t.space = SpaceId{space_id};
  t.author = MemberId{1};
  t.title = "title " + std::to_string(id);
  t.first_post = t.last_post = PostId{first_post};
  t.tags = std::move(tags);
  return t;
}

Post post(std::uint64_t id, std::uint64_t thread_id, std::uint64_t space_id, std::uint64_t author,
          Timestamp at) {
  Post p;
  p.id = PostId{id};
  p.thread = ThreadId{thread_id};
  p.space = SpaceId{space_id};
  p.author = MemberId{author};
  p.body = "stored body " + std::to_string(id);
  p.created_at = at;
  return p;
}

SearchTerm term(std::vector<std::string> tokens, bool prefix = false, bool exclude = false) {
  return SearchTerm{std::move(tokens), prefix, exclude};
}

SearchQuery query(std::vector<SearchTerm> terms) {
  SearchQuery q;
  q.terms = std::move(terms);
  return q;
}

SearchQuery words(std::initializer_list<const char*> ws) {
  SearchQuery q;
  for (const char* w : ws) q.terms.push_back(term({w}));
  return q;
}

Hits search(Storage& s, const SearchQuery& q, std::uint32_t limit = 100) {
  auto tx = begin(s, TxMode::read);
  auto found = tx->search_posts(q, limit);
  REQUIRE(found);
  Hits out;
  for (const ScoredPost& h : *found) out.emplace_back(h.post.id.value, h.score);
  return out;
}

std::vector<std::uint64_t> ids(const Hits& hits) {
  std::vector<std::uint64_t> out;
  for (const auto& h : hits) out.push_back(h.first);
  return out;
}

// Two members; spaces 10 (with child 11) and 20; threads and posts with search texts:
//   T100 in 10, tags raid: 1000 "raid night" / "bring potions to the raid raid" (member 1, t=1000)
//                          1001 reply "the raid was fun" (member 2, t=2000)
//   T200 in 11:            2000 "crafting guide" / "potions and elixirs" (member 2, t=3000)
//                          2001 reply "elixir of life raid" (member 1, t=4000)
//   T300 in 20, tags misc: 3000 "off topic" / "nothing to see here ünïcode ελληνικά" (member 1,
//   t=5000)
void seed(Storage& s) {
  auto tx = begin(s);
  REQUIRE(tx->insert_member(member(1, "member1")));
  REQUIRE(tx->insert_member(member(2, "member2")));
  REQUIRE(tx->insert_space(space(10)));
  REQUIRE(tx->insert_space(space(11, 10)));
  REQUIRE(tx->insert_space(space(20)));
  REQUIRE(tx->insert_thread(thread(100, 10, 1000, {"raid"})));
  REQUIRE(tx->insert_thread(thread(200, 11, 2000)));
  REQUIRE(tx->insert_thread(thread(300, 20, 3000, {"misc"})));
  struct Row {
    Post p;
    SearchDoc doc;
  };
  const Row rows[] = {
      {post(1000, 100, 10, 1, 1000), {"raid night", "bring potions to the raid raid"}},
      {post(1001, 100, 10, 2, 2000), {"", "the raid was fun"}},
      {post(2000, 200, 11, 2, 3000), {"crafting guide", "potions and elixirs"}},
      {post(2001, 200, 11, 1, 4000), {"", "elixir of life raid"}},
      {post(3000, 300, 20, 1, 5000),
       {"off topic",
        "nothing to see here \xC3\xBCn\xC3\xAF"
        "code \xCE\xB5\xCE\xBB\xCE\xBB\xCE\xB7\xCE\xBD"
        "\xCE\xB9\xCE\xBA\xCE\xAC"}},
  };
  for (const Row& r : rows) {
    REQUIRE(tx->insert_post(r.p));
    REQUIRE(tx->index_post(r.p.id, r.doc));
  }
  REQUIRE(tx->commit());
}

TEST_CASE("search finds the posts holding every term, scored 4 per title and 1 per body match",
          "[conformance][search]") {
  auto s = detail::fresh_storage();
  seed(*s);
  // raid: 1000 has it once in the title and twice in the body.
  CHECK(search(*s, words({"raid"})) == Hits{{1000, 6}, {2001, 1}, {1001, 1}});
  CHECK(search(*s, words({"potions"})) == Hits{{2000, 1}, {1000, 1}});
  CHECK(search(*s, words({"potions", "raid"})) == Hits{{1000, 7}});
  CHECK(search(*s, words({"guide"})) == Hits{{2000, 4}});
  CHECK(search(*s, words({"absent"})).empty());
  CHECK(search(*s, words({"raid", "absent"})).empty());
  // Tokens compare byte for byte: no stemming, no folding in the storage.
  CHECK(search(*s, words({"elixir"})) == Hits{{2001, 1}});
  CHECK(search(*s, words({"elixirs"})) == Hits{{2000, 1}});
  CHECK(search(*s, words({"\xC3\xBCn\xC3\xAF"
                          "code"})) == Hits{{3000, 1}});
  CHECK(search(*s, words({"\xCE\xB5\xCE\xBB\xCE\xBB\xCE\xB7\xCE\xBD\xCE\xB9\xCE\xBA\xCE\xAC"})) ==
        Hits{{3000, 1}});
  // The stored body is not what is searched: the indexed text is.
  CHECK(search(*s, words({"stored"})).empty());
  // Reaction counts come with the post.
  {
    auto tx = begin(*s);
    REQUIRE(tx->add_reaction(PostId{1001}, MemberId{1}, "heart", 1));
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s, TxMode::read);
  auto found = tx->search_posts(words({"fun"}), 10);
  REQUIRE(found);
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].post.reactions == std::vector<ReactionCount>{{"heart", 1}});
  CHECK((*found)[0].post.body == "stored body 1001");
  CHECK((*found)[0].post.author == MemberId{2});
}

TEST_CASE("search matches phrases within one field, prefixes, and leaves out excluded terms",
          "[conformance][search]") {
  auto s = detail::fresh_storage();
  seed(*s);
  CHECK(search(*s, query({term({"raid", "raid"})})) == Hits{{1000, 1}});
  CHECK(search(*s, query({term({"the", "raid"})})) == Hits{{1001, 1}, {1000, 1}});
  CHECK(search(*s, query({term({"raid", "the"})})).empty());
  // A phrase never spans the title and the body ("raid night" + "bring").
  CHECK(search(*s, query({term({"night", "bring"})})).empty());
  CHECK(search(*s, query({term({"elix"}, true)})) == Hits{{2001, 1}, {2000, 1}});
  CHECK(search(*s, query({term({"elix"})})).empty());
  CHECK(search(*s, query({term({"potions", "and", "elix"}, true)})) == Hits{{2000, 1}});
  CHECK(search(*s, query({term({"r"}, true)})) ==
        Hits{{1000, 6}, {2001, 1}, {1001, 1}});  // "raid" only: nothing else starts with r
  CHECK(search(*s, query({term({"raid"}), term({"fun"}, false, true)})) ==
        Hits{{1000, 6}, {2001, 1}});
  CHECK(search(*s, query({term({"raid"}), term({"raid", "raid"}, false, true),
                          term({"eli"}, true, true)})) == Hits{{1001, 1}});
  CHECK(search(*s, query({term({"potions"}), term({"the", "raid"}, false, true)})) ==
        Hits{{2000, 1}});
}

TEST_CASE("a phrase is counted at every position it starts, overlaps included",
          "[conformance][search]") {
  auto s = detail::fresh_storage();
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_member(member(1, "member1")));
    REQUIRE(tx->insert_space(space(10)));
    REQUIRE(tx->insert_thread(thread(100, 10, 1000)));
    REQUIRE(tx->insert_post(post(1000, 100, 10, 1, 1)));
    REQUIRE(tx->index_post(PostId{1000}, {"go go", "go go go gone"}));
    REQUIRE(tx->commit());
  }
  CHECK(search(*s, words({"go"})) == Hits{{1000, 4 * 2 + 3}});
  CHECK(search(*s, query({term({"go", "go"})})) == Hits{{1000, 4 + 2}});
  CHECK(search(*s, query({term({"go"}, true)})) == Hits{{1000, 4 * 2 + 4}});
  CHECK(search(*s, query({term({"go", "go"}), term({"go", "go", "go"})})) ==
        Hits{{1000, 4 + 2 + 1}});
}

TEST_CASE("search filters by spaces, author, tag and creation time", "[conformance][search]") {
  auto s = detail::fresh_storage();
  seed(*s);
  SearchQuery q = words({"raid"});
  q.spaces = {SpaceId{10}};
  CHECK(ids(search(*s, q)) == std::vector<std::uint64_t>{1000, 1001});
  q.spaces = {SpaceId{11}, SpaceId{20}};
  CHECK(ids(search(*s, q)) == std::vector<std::uint64_t>{2001});
  q.spaces = {SpaceId{10}, SpaceId{11}};
  CHECK(ids(search(*s, q)) == std::vector<std::uint64_t>{1000, 2001, 1001});
  q.spaces.clear();
  q.author = MemberId{1};
  CHECK(ids(search(*s, q)) == std::vector<std::uint64_t>{1000, 2001});
  q.author = MemberId{};
  q.tag = "raid";
  CHECK(ids(search(*s, q)) == std::vector<std::uint64_t>{1000, 1001});
  q.tag = "rai";
  CHECK(search(*s, q).empty());
  q.tag.clear();
  q.from = 2000;
  CHECK(ids(search(*s, q)) == std::vector<std::uint64_t>{2001, 1001});
  q.to = 3999;
  CHECK(ids(search(*s, q)) == std::vector<std::uint64_t>{1001});
  q.from = 0;
  CHECK(ids(search(*s, q)) == std::vector<std::uint64_t>{1000, 1001});
  q.from = 2001;
  CHECK(search(*s, q).empty());
  SearchQuery all = words({"raid"});
  all.spaces = {SpaceId{10}, SpaceId{11}};
  all.author = MemberId{1};
  all.tag = "raid";
  all.from = 1000;
  all.to = 1000;
  CHECK(ids(search(*s, all)) == std::vector<std::uint64_t>{1000});
}

TEST_CASE("deleted and removed posts and the posts of deleted threads are never found",
          "[conformance][search]") {
  auto s = detail::fresh_storage();
  seed(*s);
  auto update = [&](std::uint64_t id, auto change) {
    auto tx = begin(*s);
    auto p = tx->get_post(PostId{id});
    REQUIRE(p);
    change(*p);
    REQUIRE(tx->update_post(*p));
    REQUIRE(tx->commit());
  };
  update(1001, [](Post& p) { p.deleted = true; });
  CHECK(ids(search(*s, words({"raid"}))) == std::vector<std::uint64_t>{1000, 2001});
  update(2001, [](Post& p) { p.removed = true; });
  CHECK(ids(search(*s, words({"raid"}))) == std::vector<std::uint64_t>{1000});
  update(2001, [](Post& p) { p.removed = false; });
  CHECK(ids(search(*s, words({"raid"}))) == std::vector<std::uint64_t>{1000, 2001});
  {
    auto tx = begin(*s);
    auto t = tx->get_thread(ThreadId{200});
    REQUIRE(t);
    t->deleted = true;
    REQUIRE(tx->update_thread(*t));
    REQUIRE(tx->commit());
  }
  CHECK(ids(search(*s, words({"raid"}))) == std::vector<std::uint64_t>{1000});
  CHECK(search(*s, words({"elixirs"})).empty());
}

TEST_CASE(
    "unindex_post then index_post replace a post's text - a moved thread's posts are found "
    "in its new space",
    "[conformance][search]") {
  auto s = detail::fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->unindex_post(PostId{1000}, {"raid night", "bring potions to the raid raid"}));
    auto inside = tx->search_posts(words({"potions"}), 10);  // gone inside the transaction
    REQUIRE(inside);
    CHECK(inside->size() == 1);
    REQUIRE(tx->index_post(PostId{1000}, {"raid night", "bring food"}));
    REQUIRE(tx->commit());
  }
  CHECK(search(*s, words({"raid"})) == Hits{{1000, 4}, {2001, 1}, {1001, 1}});
  CHECK(ids(search(*s, words({"potions"}))) == std::vector<std::uint64_t>{2000});
  CHECK(ids(search(*s, words({"food"}))) == std::vector<std::uint64_t>{1000});
  {
    auto tx = begin(*s);
    REQUIRE(tx->unindex_post(PostId{1000}, {"raid night", "bring food"}));
    REQUIRE(tx->index_post(PostId{1000}, {"", ""}));
    REQUIRE(tx->commit());
  }
  CHECK(ids(search(*s, words({"raid"}))) == std::vector<std::uint64_t>{2001, 1001});
  CHECK(search(*s, words({"food"})).empty());
  {
    auto tx = begin(*s);  // unindexed and not indexed again: found by nothing
    REQUIRE(tx->unindex_post(PostId{2000}, {"crafting guide", "potions and elixirs"}));
    REQUIRE(tx->commit());
  }
  CHECK(search(*s, words({"potions"})).empty());
  CHECK(search(*s, words({"crafting"})).empty());
  {
    auto tx = begin(*s);
    auto t = tx->get_thread(ThreadId{200});
    REQUIRE(t);
    t->space = SpaceId{20};
    REQUIRE(tx->update_thread(*t));
    REQUIRE(tx->move_posts(ThreadId{200}, SpaceId{20}));
    REQUIRE(tx->commit());
  }
  SearchQuery q = words({"raid"});
  q.spaces = {SpaceId{20}};
  CHECK(ids(search(*s, q)) == std::vector<std::uint64_t>{2001});
  q.spaces = {SpaceId{11}};
  CHECK(search(*s, q).empty());
}

TEST_CASE("an index write that is not committed leaves the index as it was",
          "[conformance][search][atomicity]") {
  auto s = detail::fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    REQUIRE(tx->unindex_post(PostId{1000}, {"raid night", "bring potions to the raid raid"}));
    REQUIRE(tx->index_post(PostId{1000}, {"", "replaced"}));
    REQUIRE(tx->insert_post(post(1002, 100, 10, 1, 6000)));
    REQUIRE(tx->index_post(PostId{1002}, {"", "raid replaced"}));
    auto inside = tx->search_posts(words({"replaced"}), 10);  // a transaction sees its writes
    REQUIRE(inside);
    CHECK(inside->size() == 2);
  }
  CHECK(search(*s, words({"replaced"})).empty());
  CHECK(search(*s, words({"raid"})) == Hits{{1000, 6}, {2001, 1}, {1001, 1}});
  auto tx = begin(*s, TxMode::read);
  CHECK_FALSE(tx->index_post(PostId{1000}, {"", "read only"}));
  CHECK_FALSE(tx->unindex_post(PostId{1000}, {"raid night", "bring potions to the raid raid"}));
}

TEST_CASE("search orders by score then id, or by id, and continues after a keyset position",
          "[conformance][search]") {
  auto s = detail::fresh_storage();
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_member(member(1, "member1")));
    REQUIRE(tx->insert_space(space(10)));
    REQUIRE(tx->insert_thread(thread(100, 10, 1000)));
    for (std::uint64_t i = 0; i < 40; ++i) {
      const std::uint64_t id = 1000 + i;
      REQUIRE(tx->insert_post(post(id, 100, 10, 1, static_cast<Timestamp>(id))));
      std::string body = "filler";
      for (std::uint64_t k = 0; k <= i % 4; ++k) body += " word";
      REQUIRE(tx->index_post(PostId{id}, {i % 10 == 0 ? "word" : "", body}));
    }
    REQUIRE(tx->commit());
  }
  auto score_of = [](std::uint64_t i) {
    return static_cast<std::uint32_t>((i % 10 == 0 ? 4 : 0) + i % 4 + 1);
  };
  Hits expected;
  for (std::uint64_t i = 0; i < 40; ++i) expected.emplace_back(1000 + i, score_of(i));
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
    return std::pair{a.second, a.first} > std::pair{b.second, b.first};
  });
  CHECK(search(*s, words({"word"})) == expected);

  // Pages of 7 by keyset cover the same list.
  Hits paged;
  SearchQuery q = words({"word"});
  for (;;) {
    Hits page = search(*s, q, 7);
    paged.insert(paged.end(), page.begin(), page.end());
    if (page.size() < 7) break;
    q.after_score = page.back().second;
    q.after_post = PostId{page.back().first};
  }
  CHECK(paged == expected);

  SearchQuery newest = words({"word"});
  newest.sort = SearchSort::newest;
  Hits by_id = search(*s, newest);
  REQUIRE(by_id.size() == 40);
  for (std::size_t i = 0; i < by_id.size(); ++i) {
    CHECK(by_id[i].first == 1039 - i);
    CHECK(by_id[i].second == score_of(39 - i));
  }
  newest.after_post = PostId{1010};
  CHECK(ids(search(*s, newest, 3)) == std::vector<std::uint64_t>{1009, 1008, 1007});
}

TEST_CASE("keyset pages stay stable while posts are written between them",
          "[conformance][search][concurrency]") {
  auto s = detail::fresh_storage();
  std::uint64_t next = 1000;
  auto add = [&](Transaction& tx, std::uint32_t times) {
    const std::uint64_t id = next++;
    REQUIRE(tx.insert_post(post(id, 100, 10, 1, static_cast<Timestamp>(id))));
    std::string body = "x";
    for (std::uint32_t k = 0; k < times; ++k) body += " alpha";
    REQUIRE(tx.index_post(PostId{id}, {"", body}));
    return id;
  };
  std::set<std::uint64_t> before;
  {
    auto tx = begin(*s);
    REQUIRE(tx->insert_member(member(1, "member1")));
    REQUIRE(tx->insert_space(space(10)));
    REQUIRE(tx->insert_thread(thread(100, 10, 1000)));
    for (std::uint32_t i = 0; i < 50; ++i) before.insert(add(*tx, i % 5 + 1));
    REQUIRE(tx->commit());
  }
  for (const SearchSort sort : {SearchSort::relevance, SearchSort::newest}) {
    INFO("sort " << static_cast<int>(sort));
    SearchQuery q = words({"alpha"});
    q.sort = sort;
    std::vector<std::uint64_t> seen;
    std::pair<std::uint32_t, std::uint64_t> last{UINT32_MAX, UINT64_MAX};
    for (int round = 0;; ++round) {
      Hits page = search(*s, q, 6);
      for (const auto& [id, score] : page) {
        const std::pair key{sort == SearchSort::relevance ? score : 0u, id};
        CHECK(key < last);  // strictly after everything before: no duplicate, no step back
        last = key;
        seen.push_back(id);
      }
      if (page.size() < 6) break;
      q.after_score = page.back().second;
      q.after_post = PostId{page.back().first};
      auto tx = begin(*s);  // new posts, with every score, between the pages
      for (std::uint32_t k = 1; k <= 6; ++k) add(*tx, k);
      REQUIRE(tx->commit());
      REQUIRE(round < 100);
    }
    for (const std::uint64_t id : before) CHECK(std::count(seen.begin(), seen.end(), id) == 1);
  }
}

TEST_CASE("list_unindexed_posts never lists an indexed or a deleted post",
          "[conformance][search]") {
  auto s = detail::fresh_storage();
  seed(*s);
  {
    auto tx = begin(*s);
    auto p = post(1002, 100, 10, 1, 6000);
    p.deleted = true;
    REQUIRE(tx->insert_post(p));
    REQUIRE(tx->insert_post(post(1003, 100, 10, 1, 7000)));  // stored without a search text
    REQUIRE(tx->commit());
  }
  auto tx = begin(*s);
  auto listed = tx->list_unindexed_posts(PostId{}, 100);
  REQUIRE(listed);
  for (const Post& p : *listed) {
    // An adapter may list only the posts it stored before it kept an index, so 1003 may or
    // may not be here; nothing else may.
    CHECK(p.id == PostId{1003});
  }
  REQUIRE(tx->index_post(PostId{1003}, {"", "late"}));
  auto after = tx->list_unindexed_posts(PostId{}, 100);
  REQUIRE(after);
  CHECK(after->empty());
  REQUIRE(tx->commit());
  tx.reset();
  CHECK(ids(search(*s, words({"late"}))) == std::vector<std::uint64_t>{1003});
}

TEST_CASE("the engine searches this storage: visible posts only, re-indexed on every change",
          "[conformance][search][engine]") {
  EngineOptions options;
  options.storage = detail::fresh_storage();
  auto opened = Engine::open(std::move(options));
  REQUIRE(opened);
  Engine& e = **opened;
  auto ada = e.create_member("ada", "Ada");
  auto bo = e.create_member("bob", "Bo");
  REQUIRE(ada);
  REQUIRE(bo);
  auto guild = e.create_space(ada->id, {{}, SpaceKind::guild, "Guild", ""});
  REQUIRE(guild);
  auto hidden =
      e.create_space(ada->id, {guild->id, SpaceKind::channel, "Officers", "", Visibility::secret});
  REQUIRE(hidden);
  REQUIRE(e.join_space(bo->id, guild->id));
  auto t = e.create_thread(ada->id, guild->id, "Raid Night", "Bring POTIONS, and \"food\".");
  REQUIRE(t);
  auto r = e.reply(bo->id, t->first_post.id, "Potions? I'll craft them.");
  REQUIRE(r);
  auto secret = e.create_thread(ada->id, hidden->id, "Officer potions", "potions (secret)");
  REQUIRE(secret);

  auto find = [&](MemberId viewer, std::string_view text) {
    auto page = e.search(viewer, text, {}, {"", 50});
    REQUIRE(page);
    std::vector<PostId> out;
    for (const SearchHit& h : page->items) out.push_back(h.post.id);
    return out;
  };
  CHECK(find(bo->id, "potions") == std::vector<PostId>{r->id, t->first_post.id});
  CHECK(find(ada->id, "potions") ==
        std::vector<PostId>{secret->first_post.id, r->id, t->first_post.id});
  CHECK(find(MemberId{}, "raid night") == std::vector<PostId>{t->first_post.id});
  CHECK(find(bo->id, "\"food\" OR (") == std::vector<PostId>{});
  CHECK(find(bo->id, "\"food\"") == std::vector<PostId>{t->first_post.id});

  REQUIRE(e.edit_post(ada->id, t->first_post.id, "Bring elixirs.", std::string_view("Raid Day")));
  CHECK(find(bo->id, "potions") == std::vector<PostId>{r->id});
  CHECK(find(bo->id, "elixirs day") == std::vector<PostId>{t->first_post.id});
  CHECK(find(bo->id, "night").empty());
  REQUIRE(e.remove_post(ada->id, r->id, "spoiler"));
  CHECK(find(bo->id, "craft").empty());
  REQUIRE(e.restore_post(ada->id, r->id));
  CHECK(find(bo->id, "craft") == std::vector<PostId>{r->id});
  REQUIRE(e.delete_post(ada->id, t->first_post.id));
  CHECK(find(bo->id, "craft").empty());
  CHECK(find(bo->id, "elixirs").empty());
}

}  // namespace

void detail::link_search_kit() {}

}  // namespace hearth::conformance
