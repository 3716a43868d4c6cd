// Engine::search: tokens, query syntax, visibility, filters, re-indexing and pages.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hearth/storage/memory.hpp"
#include "search_text.hpp"
#include "support.hpp"

using namespace hearth;
using namespace hearth::test;

namespace {

std::vector<PostId> ids(const Page<SearchHit>& page) {
  std::vector<PostId> out;
  for (const SearchHit& h : page.items) out.push_back(h.post.id);
  return out;
}

std::vector<PostId> search_ids(Engine& e, MemberId viewer, std::string_view query,
                               const SearchOptions& filter = {}) {
  return ids(ok(e.search(viewer, query, filter, {"", 200})));
}

errc search_error(Engine& e, std::string_view query, const SearchOptions& filter = {},
                  PageRequest page = {"", 20}) {
  return code_of(e.search(MemberId{}, query, filter, page));
}

}  // namespace

TEST_CASE("the tokeniser splits on punctuation, folds case and cuts long words", "[search]") {
  using detail::search_text;
  CHECK(search_text("Hello, World! C++ e-mail foo_bar x=1") == "hello world c e mail foo bar x 1");
  CHECK(search_text("  ") == "");
  CHECK(search_text("\"NEAR(a OR b)*\" -c ^d: e") == "near a or b c d e");
  // Latin-1, Greek and Cyrillic capitals fold; punctuation outside ASCII separates.
  CHECK(
      search_text(
          "\xC3\x89T\xC3\x89 \xCE\xA3\xCE\x9F\xCE\xA6\xCE\x99\xCE\x91 \xD0\x9C\xD0\x98\xD0\xA0") ==
      "\xC3\xA9t\xC3\xA9 \xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1 \xD0\xBC\xD0\xB8\xD1\x80");
  CHECK(search_text("a\xE2\x80\x94"
                    "b \xE2\x80\x9C"
                    "c\xE2\x80\x9D d\xC2\xA0"
                    "e") == "a b c d e");
  CHECK(search_text("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x80\x82") ==
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");  // a CJK run is one token
  CHECK(search_text("fire\xF0\x9F\x94\xA5"
                    "ball") == "fire ball");
  const std::string long_word(100, 'x');
  CHECK(search_text(long_word + " y") == std::string(64, 'x') + " y");
  // A cut never splits a character: 32 two-byte characters fit, the 33rd does not.
  std::string greek;
  for (int i = 0; i < 40; ++i) greek += "\xCE\xB1";
  CHECK(detail::search_tokens(greek).front().size() == 64);
  CHECK(detail::search_tokens(greek + "a").front().size() == 64);
  CHECK(detail::search_tokens("a b c d", 2) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("plain queries take every character as text, advanced ones have syntax", "[search]") {
  auto plain = [](std::string_view q) { return ok(detail::parse_search_query(q, false)); };
  auto advanced = [](std::string_view q) { return ok(detail::parse_search_query(q, true)); };
  auto bad = [](std::string_view q, bool adv) {
    return code_of(detail::parse_search_query(q, adv));
  };
  auto terms = plain("\"raid night\" -potions elix* OR NEAR(x) raid");
  REQUIRE(terms.size() == 7);  // raid night potions elix or near x (raid again counts once)
  for (const SearchTerm& t : terms) {
    CHECK(t.tokens.size() == 1);
    CHECK_FALSE(t.prefix);
    CHECK_FALSE(t.exclude);
  }
  CHECK(terms[5].tokens.front() == "near");

  terms = advanced("\"Raid Night\" -potions elix* -\"big boss\" e-mail ( & OR");
  REQUIRE(terms.size() == 6);
  CHECK(terms[0].tokens == std::vector<std::string>{"raid", "night"});
  CHECK((terms[1].exclude && terms[1].tokens == std::vector<std::string>{"potions"}));
  CHECK((terms[2].prefix && terms[2].tokens == std::vector<std::string>{"elix"}));
  CHECK((terms[3].exclude && terms[3].tokens == std::vector<std::string>{"big", "boss"}));
  CHECK(terms[4].tokens == std::vector<std::string>{"e", "mail"});
  CHECK(terms[5].tokens == std::vector<std::string>{"or"});
  CHECK((advanced("\"big bo\"*")[0].prefix));

  for (const char* q : {"\"open", "a\"b", "a*b", "*", "-", "- a", "-*", "\"\"", "\"(\"", "-(", "-a",
                        "-a -b", "a \"b\"c"}) {
    INFO(q);
    CHECK(bad(q, true) == errc::invalid_argument);
  }
  for (const char* q : {"", "   ", "(\"*)", "-a"}) {
    INFO(q);
    if (std::string_view(q) == "-a")
      CHECK(plain(q).size() == 1);  // just the word "a"
    else
      CHECK(bad(q, false) == errc::invalid_argument);
  }
  CHECK(bad(std::string(1001, 'a'), false) == errc::invalid_argument);
  std::string many;
  for (int i = 0; i < 33; ++i) many += "w" + std::to_string(i) + " ";
  CHECK(bad(many, false) == errc::invalid_argument);
  CHECK(bad(many, true) == errc::invalid_argument);
  CHECK(bad("a\x01", false) == errc::invalid_argument);
  CHECK(bad("\xC3", false) == errc::invalid_utf8);
}

TEST_CASE("search finds titles and bodies, ranked, and keeps up with edits", "[search]") {
  Community c;
  auto t = ok(c->create_thread(c.ada.id, c.guild.id, "Raid Night", "Bring potions."));
  auto r1 = ok(c->reply(c.bo.id, t.first_post.id, "Potions? Potions! I'll bring POTIONS."));
  auto r2 = ok(c->reply(c.ada.id, r1.id, "Raid starts at nine."));
  Engine& e = *c.engine;

  auto page = ok(e.search(c.bo.id, "potions", {}, {"", 20}));
  REQUIRE(page.items.size() == 2);
  CHECK(page.items[0].post.id == r1.id);
  CHECK(page.items[0].score == 3);
  CHECK(page.items[0].thread.id == t.thread.id);
  CHECK(page.items[0].thread.title == "Raid Night");
  CHECK(page.items[0].post.body == "Potions? Potions! I'll bring POTIONS.");
  CHECK(page.items[1].post.id == t.first_post.id);
  CHECK(page.next_cursor.empty());
  CHECK(search_ids(e, c.bo.id, "raid") == std::vector<PostId>{t.first_post.id, r2.id});  // 4 > 1
  CHECK(search_ids(e, c.bo.id, "night raid") == std::vector<PostId>{t.first_post.id});

  ok(c->edit_post(c.ada.id, t.first_post.id, "Bring elixirs.", std::string_view("Raid Day")));
  CHECK(search_ids(e, c.bo.id, "night").empty());
  CHECK(search_ids(e, c.bo.id, "day elixirs") == std::vector<PostId>{t.first_post.id});
  CHECK(search_ids(e, c.bo.id, "potions") == std::vector<PostId>{r1.id});
  ok(c->edit_post(c.bo.id, r1.id, "Never mind."));
  CHECK(search_ids(e, c.bo.id, "potions").empty());
  CHECK(search_ids(e, c.bo.id, "mind") == std::vector<PostId>{r1.id});

  // Reactions come with the hit.
  REQUIRE(ok(c->react(c.bo.id, r2.id, "heart")));
  page = ok(e.search(c.bo.id, "nine", {}, {"", 20}));
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0].post.reactions == std::vector<ReactionCount>{{"heart", 1}});
}

TEST_CASE("removed and deleted posts leave search, a restored one comes back", "[search]") {
  Community c;
  auto t = ok(c->create_thread(c.bo.id, c.guild.id, "Trading", "selling swords"));
  auto r = ok(c->reply(c.bo.id, t.first_post.id, "more swords here"));
  Engine& e = *c.engine;
  CHECK(search_ids(e, c.cy.id, "swords").size() == 2);
  REQUIRE(ok(c->remove_post(c.ada.id, r.id, "spam")));
  CHECK(search_ids(e, c.cy.id, "swords") == std::vector<PostId>{t.first_post.id});
  CHECK(search_ids(e, c.ada.id, "swords") ==
        std::vector<PostId>{t.first_post.id});  // moderators too
  REQUIRE(ok(c->restore_post(c.ada.id, r.id)));
  CHECK(search_ids(e, c.cy.id, "swords").size() == 2);
  // Removing the first post hides the thread, replies included; restoring shows them again.
  REQUIRE(ok(c->remove_post(c.ada.id, t.first_post.id, "spam")));
  CHECK(search_ids(e, c.cy.id, "swords").empty());
  REQUIRE(ok(c->restore_post(c.ada.id, t.first_post.id)));
  CHECK(search_ids(e, c.cy.id, "swords").size() == 2);
  ok(c->delete_post(c.bo.id, r.id));
  CHECK(search_ids(e, c.cy.id, "swords") == std::vector<PostId>{t.first_post.id});
  ok(c->delete_post(c.bo.id, t.first_post.id));
  CHECK(search_ids(e, c.cy.id, "swords").empty());
  CHECK(search_ids(e, c.cy.id, "trading").empty());
}

TEST_CASE("search never shows a post from a space the viewer cannot read", "[search]") {
  Community c;
  Engine& e = *c.engine;
  auto space = [&](const char* name, Visibility v, SpaceId parent) {
    return ok(e.create_space(c.ada.id, {parent, SpaceKind::forum, name, "", v})).id;
  };
  const SpaceId priv = space("private", Visibility::private_, {});
  const SpaceId secret = space("secret", Visibility::secret, {});
  const SpaceId under_private = space("under private", Visibility::public_, priv);
  const SpaceId under_secret = space("under secret", Visibility::public_, secret);
  const SpaceId child = space("child", Visibility::public_, c.guild.id);
  const SpaceId hidden_child = space("hidden child", Visibility::secret, c.guild.id);
  std::map<SpaceId, PostId> post_in;
  for (SpaceId s : {c.guild.id, priv, secret, under_private, under_secret, child, hidden_child})
    post_in[s] = ok(e.create_thread(c.ada.id, s, "Loot", "loot table")).first_post.id;
  REQUIRE(ok(e.add_member(c.ada.id, priv, c.bo.id)));
  const Member dan = ok(e.create_member("dan", "Dan"));
  REQUIRE(ok(e.join_space(dan.id, c.guild.id)));
  ok(e.ban_member(c.ada.id, c.guild.id, dan.id, "rude"));

  auto seen = [&](MemberId viewer, const SearchOptions& filter = {}) {
    std::set<SpaceId> out;
    for (const SearchHit& h : ok(e.search(viewer, "loot", filter, {"", 200})).items)
      out.insert(h.post.space);
    return out;
  };
  const std::set<SpaceId> open{c.guild.id, child};
  CHECK(seen(MemberId{}) == open);
  CHECK(seen(c.cy.id) == open);
  CHECK(seen(dan.id) == open);  // the guild is public: a ban keeps its posts readable
  CHECK(seen(c.bo.id) == std::set<SpaceId>{c.guild.id, child, priv, under_private});
  CHECK(seen(c.ada.id).size() == 7);

  // A space filter searches the space and the readable spaces below it.
  SearchOptions in_guild;
  in_guild.space = c.guild.id;
  CHECK(seen(c.cy.id, in_guild) == open);
  CHECK(seen(c.ada.id, in_guild) == std::set<SpaceId>{c.guild.id, child, hidden_child});
  SearchOptions in_private;
  in_private.space = priv;
  CHECK(seen(c.bo.id, in_private) == std::set<SpaceId>{priv, under_private});
  CHECK(code_of(e.search(c.cy.id, "loot", in_private, {"", 20})) == errc::forbidden);
  SearchOptions in_secret;
  in_secret.space = secret;
  CHECK(code_of(e.search(c.bo.id, "loot", in_secret, {"", 20})) == errc::not_found);
  CHECK(code_of(e.search(MemberId{}, "loot", in_secret, {"", 20})) == errc::not_found);

  // A private space's posts go with a ban from it, and with a view permission denied.
  ok(e.ban_member(c.ada.id, priv, c.bo.id, "rude"));
  CHECK(seen(c.bo.id) == open);
  ok(e.unban_member(c.ada.id, priv, c.bo.id));
  REQUIRE(ok(e.add_member(c.ada.id, priv, c.bo.id)));
  CHECK(seen(c.bo.id).count(priv) == 1);
  ok(e.set_override(c.ada.id, priv, builtin::member_role, {}, {Permission::view}));
  CHECK(seen(c.bo.id).count(priv) == 0);
}

TEST_CASE("pages are full until the end even when hits of unreadable spaces are dropped",
          "[search]") {
  Community c;
  Engine& e = *c.engine;
  const SpaceId secret =
      ok(e.create_space(c.ada.id, {{}, SpaceKind::forum, "Vault", "", Visibility::secret})).id;
  std::vector<PostId> visible;
  for (int i = 0; i < 60; ++i) {
    // Runs of hidden posts between the visible ones, longer than a page.
    const bool hidden = (i / 7) % 2 == 1;
    auto t = ok(e.create_thread(c.ada.id, hidden ? secret : c.guild.id, "Gem",
                                "gem number " + std::to_string(i)));
    if (!hidden) visible.push_back(t.first_post.id);
  }
  std::reverse(visible.begin(), visible.end());  // equal scores: newest first
  for (const SearchSort sort : {SearchSort::relevance, SearchSort::newest}) {
    SearchOptions filter;
    filter.sort = sort;
    // Every score is equal: both orders are newest first. The late posts of the first round
    // lead the second.
    const std::vector<PostId> expected = search_ids(e, c.bo.id, "gem", filter);
    if (sort == SearchSort::relevance) CHECK(expected == visible);
    std::vector<PostId> got;
    PageRequest page{"", 5};
    for (;;) {
      auto p = ok(e.search(c.bo.id, "gem", filter, page));
      for (const SearchHit& h : p.items) got.push_back(h.post.id);
      if (p.next_cursor.empty()) break;
      CHECK(p.items.size() == 5);
      // A new post between pages does not disturb the pages after.
      ok(e.create_thread(c.ada.id, c.guild.id, "Gem", "late gem"));
      page.cursor = p.next_cursor;
    }
    CHECK(got == expected);
  }
}

TEST_CASE("search filters by space, author, tag and time", "[search]") {
  Community c;
  Engine& e = *c.engine;
  ok(e.update_space(c.ada.id, c.guild.id, {{}, {}, {}, {}, std::vector<std::string>{"raid"}}));
  c.clock->set(1'000'000);
  auto a = ok(e.create_thread(c.ada.id, c.guild.id, "Plan", "boss fight", ThreadKind::discussion,
                              {"raid"}));
  c.clock->set(2'000'000);
  auto b = ok(e.reply(c.bo.id, a.first_post.id, "boss down"));
  c.clock->set(3'000'000);
  auto other = ok(e.create_thread(c.bo.id, c.guild.id, "Chat", "boss music"));
  SearchOptions f;
  f.author = c.bo.id;
  CHECK(search_ids(e, c.cy.id, "boss", f) == std::vector<PostId>{other.first_post.id, b.id});
  f = {};
  f.tag = "RAID";  // tags are lower-cased like everywhere else
  CHECK(search_ids(e, c.cy.id, "boss", f) == std::vector<PostId>{b.id, a.first_post.id});
  f.tag = "no such tag!";
  CHECK(search_error(e, "boss", f) == errc::invalid_argument);
  f = {};
  f.from = 2'000'000;
  CHECK(search_ids(e, c.cy.id, "boss", f) == std::vector<PostId>{other.first_post.id, b.id});
  f.to = 2'500'000;
  CHECK(search_ids(e, c.cy.id, "boss", f) == std::vector<PostId>{b.id});
  f.from = 3'000'000;
  CHECK(search_error(e, "boss", f) == errc::invalid_argument);  // from after to

  // A moved thread is found in its new space.
  const SpaceId elsewhere = ok(e.create_space(c.ada.id, {{}, SpaceKind::forum, "Else", ""})).id;
  ok(e.move_thread(c.ada.id, a.thread.id, elsewhere));
  f = {};
  f.space = elsewhere;
  CHECK(search_ids(e, c.cy.id, "boss", f) == std::vector<PostId>{b.id, a.first_post.id});
  f.space = c.guild.id;
  CHECK(search_ids(e, c.cy.id, "boss", f) == std::vector<PostId>{other.first_post.id});
}

TEST_CASE("FTS syntax characters are text in plain queries", "[search]") {
  Community c;
  Engine& e = *c.engine;
  auto t = ok(e.create_thread(c.ada.id, c.guild.id, "Syntax",
                              "use \"quotes\", stars*, a-b, NEAR(x y), this OR that, (paren) ^up"));
  const std::vector<PostId> hit{t.first_post.id};
  for (const char* q : {"\"quotes", "stars*", "*", "a-b", "-b", "NEAR(x", "NEAR(x y)", "OR",
                        "this OR that", "(paren", "^up", "paren)", "\"\"quotes\"\"", "x:y",
                        "'quotes'", "quotes;--", "AND NOT quotes"}) {
    INFO(q);
    auto r = e.search(c.bo.id, q, {}, {"", 20});
    if (!r) {
      // Only a query with no word at all may fail, and only as invalid_argument.
      CHECK(code_of(r) == errc::invalid_argument);
      CHECK(detail::search_tokens(q).empty());
      continue;
    }
    const bool all_words_in_post = std::string_view(q) != "AND NOT quotes";
    CHECK(ids(*r) == (all_words_in_post ? hit : std::vector<PostId>{}));
  }
  // The same in advanced mode: quotes and stars are syntax, the rest is text.
  SearchOptions adv;
  adv.advanced = true;
  CHECK(search_ids(e, c.bo.id, "\"this or that\"", adv) == hit);
  CHECK(search_ids(e, c.bo.id, "\"this that\"", adv).empty());
  CHECK(search_ids(e, c.bo.id, "sta*", adv) == hit);
  CHECK(search_ids(e, c.bo.id, "sta", adv).empty());
  CHECK(search_ids(e, c.bo.id, "NEAR(x syntax -\"or that\"", adv).empty());
  CHECK(search_ids(e, c.bo.id, "NEAR(x syntax -\"or thus\"", adv) == hit);
  CHECK(search_error(e, "\"open", adv) == errc::invalid_argument);
  CHECK(search_error(e, "-syntax", adv) == errc::invalid_argument);
}

TEST_CASE("malformed cursors and bad queries are refused, never crash", "[search]") {
  Community c;
  Engine& e = *c.engine;
  for (int i = 0; i < 5; ++i) ok(e.create_thread(c.ada.id, c.guild.id, "Ore", "iron ore"));
  auto first = ok(e.search(c.bo.id, "ore", {}, {"", 2}));
  REQUIRE_FALSE(first.next_cursor.empty());
  CHECK(first.next_cursor[0] == 'q');
  SearchOptions newest;
  newest.sort = SearchSort::newest;
  // A relevance cursor is not a newest one, nor the other way round.
  CHECK(code_of(e.search(c.bo.id, "ore", newest, {first.next_cursor, 2})) == errc::invalid_cursor);
  auto by_id = ok(e.search(c.bo.id, "ore", newest, {"", 2}));
  CHECK(code_of(e.search(c.bo.id, "ore", {}, {by_id.next_cursor, 2})) == errc::invalid_cursor);
  for (const char* cursor : {"q",
                             "q.",
                             "q..",
                             "q.1",
                             "q.1.",
                             "q..1",
                             "q.1.0",
                             "q.x.1",
                             "q.1.x",
                             "q.-1.1",
                             "q.1.-1",
                             "q.123456789.1",
                             "q.1.12345678901234567",
                             "p.1",
                             "t.1",
                             "q.1.1.1",
                             "q.1.1 ",
                             " q.1.1",
                             "q.+1.1",
                             "w.1",
                             "\xFF\xFE",
                             "q.1.\xC3\xA9"}) {
    INFO(cursor);
    CHECK(code_of(e.search(c.bo.id, "ore", {}, {cursor, 2})) == errc::invalid_cursor);
  }
  CHECK(code_of(e.search(c.bo.id, "ore", newest, {"q.1.1", 2})) == errc::invalid_cursor);
  CHECK(code_of(e.search(c.bo.id, "ore", newest, {"w.0", 2})) == errc::invalid_cursor);
  // A forged but well-formed cursor is only a position.
  CHECK(ok(e.search(c.bo.id, "ore", {}, {"q.ffffffff.7fffffffffffffff", 2})).items.size() == 2);
  CHECK(ok(e.search(c.bo.id, "ore", {}, {"q.0.1", 2})).items.empty());

  CHECK(search_error(e, "") == errc::invalid_argument);
  CHECK(search_error(e, " \t ") == errc::invalid_argument);
  CHECK(search_error(e, "?!") == errc::invalid_argument);
  CHECK(search_error(e, std::string(1001, 'x')) == errc::invalid_argument);
  CHECK(search_error(e, "ore", {}, {"", 0}) == errc::invalid_argument);
  CHECK(search_error(e, "ore", {}, {"", 201}) == errc::invalid_argument);
  SearchOptions weird;
  weird.sort = static_cast<SearchSort>(7);
  CHECK(search_error(e, "ore", weird) == errc::invalid_argument);
}

TEST_CASE("an engine opened over an unindexed storage indexes what it finds", "[search]") {
  // Posts written to the storage without a search text, as an older schema would hold them.
  auto storage = std::make_shared<MemoryStorage>();
  {
    auto tx = ok(storage->begin(TxMode::write));
    Member m;
    m.id = MemberId{1};
    m.handle = "old";
    m.display_name = "Old";
    ok(tx->insert_member(m));
    Space s;
    s.id = SpaceId{2};
    s.name = "Old space";
    s.owner = m.id;
    ok(tx->insert_space(s));
    Thread t;
    t.id = ThreadId{3};
    t.space = s.id;
    t.author = m.id;
    t.title = "Ancient Scrolls";
    t.first_post = t.last_post = PostId{4};
    ok(tx->insert_thread(t));
    for (std::uint64_t id = 4; id < 4 + 600; ++id) {
      Post p;
      p.id = PostId{id};
      p.thread = t.id;
      p.space = s.id;
      p.author = m.id;
      p.body = id == 4 ? "the scroll of fire" : "reply " + std::to_string(id);
      ok(tx->insert_post(p));
    }
    ok(tx->commit());
  }
  EngineOptions options;
  options.storage = storage;
  auto e = ok(Engine::open(options));
  CHECK(search_ids(*e, MemberId{}, "ancient fire") == std::vector<PostId>{PostId{4}});
  CHECK(search_ids(*e, MemberId{}, "reply 603") == std::vector<PostId>{PostId{603}});
  auto tx = ok(storage->begin(TxMode::read));
  CHECK(ok(tx->list_unindexed_posts(PostId{}, 10)).empty());
}

namespace {

// The text between <tag attr="..."> quotes: enough of an XML attribute reader for the dumps.
std::string attribute(const std::string& line, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const auto at = line.find(key);
  if (at == std::string::npos) return {};
  const auto from = at + key.size();
  const auto to = line.find('"', from);
  std::string raw = line.substr(from, to - from);
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    const auto semi = raw.find(';', i);
    const std::string entity = raw.substr(i + 1, semi - i - 1);
    if (entity == "lt")
      out += '<';
    else if (entity == "gt")
      out += '>';
    else if (entity == "amp")
      out += '&';
    else if (entity == "quot")
      out += '"';
    else if (entity == "apos")
      out += '\'';
    else if (entity == "#xA" || entity == "#10")
      out += '\n';
    else if (entity == "#xD" || entity == "#13")
      out += ' ';
    else
      out += ' ';
    i = semi;
  }
  return out;
}

}  // namespace

TEST_CASE("search over a real forum dump agrees with a brute-force scan", "[search][data]") {
  const std::filesystem::path dump = "/work/shared/data/stackexchange-conlang-meta/Posts.xml";
  if (!std::filesystem::exists(dump)) {
    WARN("no Stack Exchange dump at " << dump << ": skipped");
    return;
  }
  Community c;
  Engine& e = *c.engine;
  std::ifstream in(dump);
  std::map<PostId, std::string> texts;  // what each post holds: title + body
  int loaded = 0;
  for (std::string line; std::getline(in, line) && loaded < 300;) {
    if (line.find("<row ") == std::string::npos) continue;
    std::string title = attribute(line, "Title");
    std::string body = attribute(line, "Body");
    std::string clean;
    bool in_tag = false;
    for (const char ch : body) {  // the bodies are HTML: keep the text
      if (ch == '<') in_tag = true;
      if (!in_tag) clean += (static_cast<unsigned char>(ch) < 0x20 && ch != '\n') ? ' ' : ch;
      if (ch == '>') in_tag = false;
    }
    if (title.empty()) title = "untitled";
    if (clean.find_first_not_of(" \n") == std::string::npos) clean = "empty";
    if (title.size() > 150) title.resize(150);
    if (clean.size() > 30'000) clean.resize(30'000);
    auto made = e.create_thread(c.ada.id, c.guild.id, title, clean);
    if (!made) continue;  // a text the engine refuses (cut inside a character)
    texts[made->first_post.id] = detail::search_text(made->thread.title) + " | " +
                                 detail::search_text(made->first_post.body);
    ++loaded;
  }
  REQUIRE(loaded > 50);
  for (const char* word : {"language", "question", "conlang", "tag", "meta", "the"}) {
    INFO(word);
    std::vector<PostId> expected;
    for (const auto& [id, text] : texts) {
      const std::string padded = " " + text + " ";
      if (padded.find(" " + std::string(word) + " ") != std::string::npos) expected.push_back(id);
    }
    std::vector<PostId> got;
    PageRequest page{"", 50};
    for (;;) {
      auto p = ok(e.search(c.bo.id, word, {}, page));
      for (const SearchHit& h : p.items) got.push_back(h.post.id);
      if (p.next_cursor.empty()) break;
      page.cursor = p.next_cursor;
    }
    std::sort(got.begin(), got.end());
    CHECK(got == expected);
  }
}
