// Watched words (docs/moderation.md): normalisation, evasions, word boundaries, actions,
// censoring, malformed input, build errors, and the real LDNOOBW list.
#include "hearth/moderation/watchlist.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace hearth;
using namespace hearth::moderation;

namespace {

Watchlist make(std::vector<WatchedWord> words) {
  auto built = Watchlist::build(std::move(words));
  REQUIRE(built.has_value());
  return std::move(*built);
}

Watchlist make(std::initializer_list<const char*> patterns) {
  std::vector<WatchedWord> words;
  for (const char* p : patterns) words.push_back({p});
  return make(std::move(words));
}

bool hits(const Watchlist& list, std::string_view text) { return !list.find(text).empty(); }

// The original text of each match, in order.
std::vector<std::string> matched(const Watchlist& list, std::string_view text) {
  std::vector<std::string> out;
  for (const WordMatch& m : list.find(text))
    out.emplace_back(text.substr(m.begin, m.end - m.begin));
  return out;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80         ? 1
                      : (c >> 5) == 6  ? 2
                      : (c >> 4) == 14 ? 3
                      : (c >> 3) == 30 ? 4
                                       : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

errc build_error(std::vector<WatchedWord> words) {
  auto built = Watchlist::build(std::move(words));
  REQUIRE_FALSE(built.has_value());
  return static_cast<errc>(built.error().value());
}

}  // namespace

TEST_CASE("a watched word matches in any case, at its exact byte range", "[moderation]") {
  const Watchlist list = make({"bad"});
  CHECK(list.find("this is bad stuff") == std::vector<WordMatch>{{8, 11, 0}});
  CHECK(matched(list, "BAD. Bad, bAd!") == std::vector<std::string>{"BAD", "Bad", "bAd"});
  CHECK_FALSE(hits(list, "this is fine"));
  CHECK_FALSE(hits(list, "bed bid bud"));
}

TEST_CASE("normalize shows the text as the matcher reads it", "[moderation]") {
  CHECK(Watchlist::normalize("Hello,   World") == "hello world");
  CHECK(Watchlist::normalize("  (Leading) and trailing...  ") == "leading and trailing");
  CHECK(Watchlist::normalize("ｆｕｌｌ ＷＩＤＴＨ") == "full width");
  CHECK(Watchlist::normalize("Crème brûlée, niño, Ærø, Łódź") == "creme brulee nino aero lodz");
  CHECK(Watchlist::normalize("straße STRASSE") == "strasse strasse");
  CHECK(Watchlist::normalize("ΣΟΦΙΑ σοφία") == Watchlist::normalize("σοφια ΣΟΦΊΑ"));
  CHECK(Watchlist::normalize("ДУРАК") == Watchlist::normalize("дурак"));
  CHECK(Watchlist::normalize("b.a.d b-a-d b_a_d") == "bad bad bad");
  CHECK(Watchlist::normalize("I am a b c person") == "i am abc person");
  CHECK(Watchlist::normalize("2023 1337 10am") == "2023 1337 ioam");
  CHECK(Watchlist::normalize("$100, $5 and !!!") == "100 5 and");
  CHECK(Watchlist::normalize("").empty());
}

TEST_CASE("fullwidth and other compatibility forms fold to ASCII", "[moderation]") {
  const Watchlist list = make({"bad"});
  CHECK(list.find("ｂａｄ") == std::vector<WordMatch>{{0, 9, 0}});
  CHECK(hits(list, "ＢＡＤ"));
  CHECK(hits(list, "𝐛𝐚𝐝"));                 // mathematical bold
  CHECK(hits(list, "ⓑⓐⓓ"));                 // circled
  CHECK(hits(list, "🇧🇦🇩"));                 // regional indicators
  CHECK(hits(list, "\u1D2E\u1D2C\u1D30"));  // modifier capitals ᴮᴬᴰ
  CHECK_FALSE(hits(list, "ｂｅｄ"));
}

TEST_CASE("diacritics on Latin letters are stripped", "[moderation]") {
  const Watchlist list = make({"bad", "nino"});
  CHECK(hits(list, "bád"));
  CHECK(hits(list, "BÀD"));
  CHECK(hits(list, "niño"));
  CHECK(list.find("ba\u0301d") == std::vector<WordMatch>{{0, 5, 0}});  // decomposed: a + U+0301
  CHECK(list.find("bad\u0301") == std::vector<WordMatch>{{0, 5, 0}});  // the mark is the d's
  CHECK(hits(list, "b\u0337a\u0335d\u0336"));                          // "Zalgo" strokes
  CHECK_FALSE(hits(list, "bíd"));
  // Patterns are folded the same way.
  CHECK(hits(make({"Niño"}), "NINO"));
}

TEST_CASE("Cyrillic and Greek look-alikes read as Latin letters", "[moderation]") {
  const Watchlist list = make({"bad", "pacey", "tok"});
  CHECK(hits(list, "b\u0430d"));                   // Cyrillic а
  CHECK(hits(list, "\u0412\u0410D"));              // Cyrillic В А
  CHECK(hits(list, "\u0392\u0391D"));              // Greek Β Α
  CHECK(hits(list, "\u0440\u0430\u0441\u0435y"));  // Cyrillic р а с е
  CHECK(hits(list, "\u03c4\u03bf\u03ba"));         // Greek τ ο κ
  CHECK_FALSE(hits(list, "\u0431ad"));             // б does not look like b
  CHECK_FALSE(hits(list, "\u0434\u043e\u043c"));   // дом
}

TEST_CASE("Unicode case folding covers Greek, Cyrillic and sharp s", "[moderation]") {
  CHECK(hits(make({"дурак"}), "ТЫ ДУРАК!"));
  CHECK(hits(make({"σοφία"}), "ΣΟΦΙΑ"));
  CHECK(hits(make({"ΣΟΦΙΑ"}), "η σοφία"));
  CHECK(hits(make({"straße"}), "STRASSE"));
  CHECK(hits(make({"strasse"}), "Straße"));
  CHECK_FALSE(hits(make({"дурак"}), "дураки"));
}

TEST_CASE("leetspeak inside words that have letters", "[moderation]") {
  const Watchlist list = make({"spam", "idiot", "test", "asshole"});
  for (const char* text :
       {"5pam", "sp4m", "$pam", "sp@m", "$P4M", "1d10t", "!diot", "te$t", "a55hole", "@$$hole"})
    CHECK(hits(list, text));
  // Digits stay digits in a word of fewer than two letters, symbols in one without letters.
  CHECK_FALSE(hits(make({"ass"}), "the A55 road"));
  CHECK_FALSE(hits(make({"ioi"}), "room 101"));
  CHECK_FALSE(hits(make({"leet"}), "1337"));
  CHECK_FALSE(hits(make({"ss"}), "$$"));
  // A leet character at the edge of a word can also be punctuation: "bad!" is "bad".
  CHECK(matched(make({"bad"}), "so bad!") == std::vector<std::string>{"bad"});
  CHECK(matched(make({"bad"}), "bad1") == std::vector<std::string>{"bad"});
  CHECK(matched(make({"hit"}), "$hit") == std::vector<std::string>{"hit"});
  CHECK(hits(make({"badi"}), "bad!"));
  CHECK(hits(make({"2g1c"}), "2G1C"));  // a listed pattern with digits matches itself
}

TEST_CASE("separators and invisible characters inside a word are skipped", "[moderation]") {
  const Watchlist list = make({"bad"});
  for (const char* text : {"b.a.d", "b-a-d", "b_a_d", "b*a*d", "b'a'd", "b..a--d", "b\u200Bad",
                           "b\u00ADad", "b\u200C\u200Da\u2060d", "b\u2022a\u00B7d"})
    CHECK(list.find(text) == std::vector<WordMatch>{{0, std::string_view(text).size(), 0}});
  CHECK(list.find("\uFEFFbad") == std::vector<WordMatch>{{3, 6, 0}});
  CHECK(matched(list, "see: b.a.d!") == std::vector<std::string>{"b.a.d"});
  CHECK(hits(list, "<p>bad</p>"));
  CHECK(hits(list, "this is bad.Really"));  // a joined word still ends where the dot was
  CHECK_FALSE(hits(list, "b. a. d."));      // words, not letters of one
}

TEST_CASE("three or more single letters one space apart are spelled out", "[moderation]") {
  const Watchlist list = make({"bad"});
  CHECK(matched(list, "this is b a d, ok") == std::vector<std::string>{"b a d"});
  CHECK(matched(list, "B A D") == std::vector<std::string>{"B A D"});
  CHECK(matched(list, "f o o b a d") == std::vector<std::string>{"b a d"});
  CHECK_FALSE(hits(list, "b  a  d"));  // two spaces: separate words
  CHECK_FALSE(hits(list, "b a"));      // two letters are not enough
  CHECK_FALSE(hits(list, "b a, d"));
  // Between the letters are soft boundaries: each letter, and each run of them, is a word too.
  CHECK(hits(make({"a"}), "b a d"));
  CHECK(matched(make({"ba"}), "b a d") == std::vector<std::string>{"b a"});
}

TEST_CASE("whole words do not match inside other words", "[moderation]") {
  const Watchlist list = make({"ass", "cunt", "sex", "cock", "rapist", "tit", "anal", "hell"});
  CHECK_FALSE(hits(list,
                   "The class from Scunthorpe and Essex met a therapist over a cocktail, then "
                   "went to assist with the analysis of grass in Sussex and Middlesex. Hello, "
                   "Titanic passengers! Shell, Cockburn and the bass player."));
  CHECK(hits(list, "you ass"));
  CHECK(hits(list, "ASS!"));
  CHECK(hits(list, "sex-ed"));  // hyphenated: a soft boundary
  CHECK(hits(list, "a.s.s"));
}

TEST_CASE("whole_word false matches inside words", "[moderation]") {
  const Watchlist list = make({WatchedWord{"ass", WordAction::block, false}});
  CHECK(list.find("class") == std::vector<WordMatch>{{2, 5, 0}});
  CHECK(hits(list, "CL4SS"));
  CHECK(hits(list, "ass"));
}

TEST_CASE("phrases match across any white space between their words", "[moderation]") {
  const Watchlist list = make({"bad word"});
  CHECK(matched(list, "a bad   word here") == std::vector<std::string>{"bad   word"});
  CHECK(hits(list, "bad\nword"));
  CHECK(hits(list, "Bad, word"));
  CHECK(hits(list, "ｂａｄ　ｗｏｒｄ"));  // ideographic space
  CHECK_FALSE(hits(list, "badword"));
  CHECK_FALSE(hits(list, "bad.word"));  // one joined word, not two
  CHECK_FALSE(hits(list, "bad words"));
}

TEST_CASE("overlapping matches are all reported, in order of position", "[moderation]") {
  const Watchlist inside = make({WatchedWord{"aa", WordAction::block, false}});
  CHECK(inside.find("aaa") == std::vector<WordMatch>{{0, 2, 0}, {1, 3, 0}});
  const Watchlist list = make({"word", "bad word", "bad", "bad"});
  CHECK(list.find("bad word") ==
        std::vector<WordMatch>{{0, 3, 2}, {0, 3, 3}, {0, 8, 1}, {4, 8, 0}});
}

TEST_CASE("scripts without spaces and pictographs match inside runs", "[moderation]") {
  CHECK(hits(make({"中文"}), "我爱中文字"));
  CHECK(hits(make({"🖕"}), "ok🖕ok"));
  CHECK(matched(make({"bad"}), "bad🙂") == std::vector<std::string>{"bad"});
  CHECK(hits(make({"ｱﾎ"}), "アホ"));  // halfwidth katakana fold to fullwidth
}

TEST_CASE("strongest takes the most severe action", "[moderation]") {
  const Watchlist list = make(
      {WatchedWord{"mild", WordAction::censor}, WatchedWord{"meh", WordAction::review},
       WatchedWord{"hold", WordAction::require_approval}, WatchedWord{"stop", WordAction::block}});
  CHECK(list.strongest("nothing here") == std::nullopt);
  CHECK(list.strongest("mild") == WordAction::censor);
  CHECK(list.strongest("mild meh") == WordAction::review);
  CHECK(list.strongest("meh hold mild") == WordAction::require_approval);
  CHECK(list.strongest("hold stop meh") == WordAction::block);
  CHECK(WordAction::block > WordAction::require_approval);
  CHECK(WordAction::require_approval > WordAction::review);
  CHECK(WordAction::review > WordAction::censor);
}

TEST_CASE("censor masks each character of a match, byte for byte", "[moderation]") {
  const Watchlist list =
      make({WatchedWord{"darn", WordAction::censor}, WatchedWord{"heck", WordAction::review},
            WatchedWord{"oh my", WordAction::censor}});
  CHECK(list.censor("darn it, heck") == "**** it, heck");
  CHECK(list.censor("darn it, heck", CensorScope::all_matches) == "**** it, ****");
  CHECK(list.censor("ｄａｒｎ!") == "****!");
  CHECK(list.censor("d.a.r.n") == "*******");
  CHECK(list.censor("da\u200Brn") == "****");            // the invisible character goes
  CHECK(list.censor("da\u0301rn") == "****");            // so does a combining accent
  CHECK(list.censor("OH   MY\ngod") == "**   **\ngod");  // white space stays
  CHECK(list.censor("d a r n") == "* * * *");
  CHECK(list.censor("nothing") == "nothing");
  CHECK(list.censor("") == "");
  const std::string censored = list.censor("Ünïcödé darn ünïcödé ｄａｒｎ");
  CHECK(censored == "Ünïcödé **** ünïcödé ****");
  CHECK(valid_utf8(censored));
}

TEST_CASE("malformed UTF-8 reads as punctuation and never breaks a scan", "[moderation]") {
  const Watchlist list = make({WatchedWord{"bad"}, WatchedWord{"ad", WordAction::censor, false}});
  CHECK(matched(list,
                "b\xFF"
                "ad") == std::vector<std::string>{"b\xFF"
                                                  "ad",
                                                  "ad"});
  for (const char* text : {"\xC3", "bad\xE2\x82",
                           "\xC0\xAF"
                           "bad",
                           "\xED\xA0\x80"
                           "bad",
                           "\xF4\x90\x80\x80", "\x80\x80\x80", "bad\xF0"})
    CHECK_NOTHROW(list.find(text));
  std::mt19937 rng(7);
  const std::string alphabet = "bad BAD!$4@.\n\x80\xC3\xA9\xE2\x80\x8B\xF0\x9F\x96\x95\xFF";
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const auto size = rng() % 48;
    for (std::uint32_t k = 0; k < size; ++k) text += alphabet[rng() % alphabet.size()];
    for (const WordMatch& m : list.find(text)) {
      CHECK(m.begin < m.end);
      CHECK(m.end <= text.size());
    }
    const std::string censored = list.censor(text, CensorScope::all_matches);
    if (valid_utf8(text)) CHECK(valid_utf8(censored));
  }
}

TEST_CASE("build rejects patterns it cannot match", "[moderation]") {
  CHECK(build_error({{""}}) == errc::invalid_argument);
  CHECK(build_error({{"..."}}) == errc::invalid_argument);
  CHECK(build_error({{"  "}}) == errc::invalid_argument);
  CHECK(build_error({{"\u200B"}}) == errc::invalid_argument);
  CHECK(build_error({{"ok"},
                     {"b\xFF"
                      "d"}}) == errc::invalid_argument);
  CHECK(build_error({{std::string(watchlist_max_pattern_bytes + 1, 'a')}}) ==
        errc::invalid_argument);
  CHECK(Watchlist::build({{std::string(watchlist_max_pattern_bytes, 'a')}}).has_value());
  CHECK(build_error(std::vector<WatchedWord>(watchlist_max_entries + 1, {"word"})) ==
        errc::invalid_argument);
}

TEST_CASE("an empty list matches nothing", "[moderation]") {
  const Watchlist none;
  CHECK(none.find("anything").empty());
  CHECK(none.strongest("anything") == std::nullopt);
  CHECK(none.censor("anything", CensorScope::all_matches) == "anything");
  CHECK(none.entries().empty());
  const Watchlist built = make(std::vector<WatchedWord>{});
  CHECK(built.find("anything").empty());
}

TEST_CASE("a long text is scanned to its end, matches at both ends included", "[moderation]") {
  const Watchlist list = make({"bad", "bad word"});
  std::string filler;
  for (int k = 0; k < 1000; ++k) filler += "filler text ";
  // Long enough to be read in two halves; the phrase straddles the middle.
  const std::string text = "bad " + filler + "bad word " + filler + "bad";
  const std::size_t middle = 4 + filler.size();
  REQUIRE(middle < text.size() / 2);
  REQUIRE(middle + 8 > text.size() / 2);
  CHECK(list.find(text) == std::vector<WordMatch>{{0, 3, 0},
                                                  {middle, middle + 3, 0},
                                                  {middle, middle + 8, 1},
                                                  {text.size() - 3, text.size(), 0}});
}

TEST_CASE("the LDNOOBW English list matches each entry in a sentence", "[moderation][data]") {
  const std::filesystem::path file = std::filesystem::path(HEARTH_SOURCE_DIR) / ".." / "shared" /
                                     "data" / "wordlists" / "ldnoobw" / "en";
  if (!std::filesystem::exists(file)) {
    WARN("no LDNOOBW list at " << file << ": skipped");
    return;
  }
  std::vector<WatchedWord> words;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) words.push_back({line});
  REQUIRE(words.size() > 300);
  const Watchlist list = make(words);
  for (std::uint32_t e = 0; e < words.size(); ++e) {
    const std::string sentence = "Some text, " + words[e].pattern + " and more.";
    bool found = false;
    for (const WordMatch& m : list.find(sentence)) found |= m.entry == e;
    INFO(words[e].pattern);
    CHECK(found);
  }
  // Disguised, the first entries still match; ordinary words with entries inside them do not.
  CHECK(hits(list, "２ｇ１ｃ"));
  CHECK_FALSE(hits(list,
                   "The class from Scunthorpe and Essex visited a therapist for a cocktail, "
                   "then went to assist with the analysis of grass in Sussex."));
}

TEST_CASE("every occurrence in the normalised text is found, in large lists and long texts",
          "[moderation]") {
  // The scan takes a fast table for the common steps and falls back to the full automaton for
  // the others (deep states, states that end a pattern, bytes outside the common ones). Against
  // a brute-force count: in texts where each normalised byte comes from its own original
  // character, each occurrence of an entry that may match inside words is one match.
  std::mt19937 rng(11);
  const std::string letters = "abcdeilmnorstu";
  auto word = [&](std::size_t min, std::size_t max) {
    std::string w;
    const std::size_t size = min + rng() % (max - min + 1);
    for (std::size_t k = 0; k < size; ++k) w += letters[rng() % letters.size()];
    return w;
  };
  std::vector<WatchedWord> words;
  std::set<std::string> seen;
  while (words.size() < 30'000) {
    std::string w = word(2, 9);
    if (!seen.insert(w).second) continue;
    words.push_back({w, WordAction::review, words.size() % 3 != 0});
  }
  words.push_back({"日本", WordAction::review, false});
  words.push_back({"ébc", WordAction::review, false});
  const Watchlist list = make(words);
  std::vector<std::string> keys;
  for (const WatchedWord& w : words) keys.push_back(Watchlist::normalize(w.pattern));
  const std::vector<std::string> separators = {" ", "  ",   ". ",   "\n",           "-", "", "", "",
                                               "é", "日本", "\xFF", "\xE2\x80\x8B", "4", "$"};
  for (int round = 0; round < 40; ++round) {
    std::string text;
    const std::size_t size = round < 20 ? rng() % 200 : 2000 + rng() % 6000;
    while (text.size() < size) {
      text += word(1, 8);
      text += separators[rng() % separators.size()];
    }
    const std::string normal = Watchlist::normalize(text);
    std::vector<std::size_t> found(words.size());
    for (const WordMatch& m : list.find(text)) {
      REQUIRE(m.entry < words.size());
      ++found[m.entry];
    }
    // One check a text, naming every entry found a wrong number of times (a message per entry
    // would copy the text 30,000 times a round).
    std::string wrong;
    for (std::uint32_t e = 0; e < words.size(); ++e) {
      std::size_t occurrences = 0;
      for (std::size_t at = normal.find(keys[e]); at != std::string::npos;
           at = normal.find(keys[e], at + 1))
        ++occurrences;
      const bool right = words[e].whole_word ? found[e] <= occurrences : found[e] == occurrences;
      if (!right) {
        wrong += words[e].pattern + ": found " + std::to_string(found[e]) + ", occurs " +
                 std::to_string(occurrences) + "; ";
      }
    }
    INFO("in " << text);
    CHECK(wrong == "");
  }
}

TEST_CASE("results do not depend on the texts scanned before, or on the thread", "[moderation]") {
  // find() reuses per-thread buffers from one call to the next.
  const Watchlist list = make({WatchedWord{"bad"}, WatchedWord{"bad word"},
                               WatchedWord{"ad", WordAction::censor, false}, WatchedWord{"日本"}});
  std::mt19937 rng(5);
  const std::vector<std::string> atoms = {"bad",  "b a d", "b4d", "word", "ad", " ", ". ",
                                          "日本", "\xFF",  "é",   "x",    "\n", "1", "$"};
  std::vector<std::string> texts;
  for (int k = 0; k < 60; ++k) {
    std::string text;
    const std::size_t size = k % 3 == 0 ? 100'000 + rng() % 1000 : rng() % 300;
    while (text.size() < size) text += atoms[rng() % atoms.size()];
    texts.push_back(std::move(text));
  }
  std::vector<std::vector<WordMatch>> first;
  for (const std::string& text : texts) first.push_back(list.find(text));
  for (std::size_t k = texts.size(); k-- > 0;) CHECK(list.find(texts[k]) == first[k]);
  std::vector<std::vector<WordMatch>> other(texts.size());
  std::thread([&] {
    for (std::size_t k = 0; k < texts.size(); ++k) other[k] = list.find(texts[k]);
  }).join();
  CHECK(other == first);
}
