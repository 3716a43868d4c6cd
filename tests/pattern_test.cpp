// Patterns (docs/moderation.md, "Regular expressions"): syntax, case folding, UTF-8, match
// spans, rejections and limits, and hostile patterns that must stay linear.
#include "hearth/moderation/pattern.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace hearth;
using namespace hearth::moderation;

namespace {

Pattern make(std::string_view source, bool case_insensitive = true) {
  std::string why;
  auto compiled = Pattern::compile(source, case_insensitive, &why);
  INFO("pattern " << source << ": " << why);
  REQUIRE(compiled.has_value());
  return std::move(*compiled);
}

// The matched text, if any.
std::optional<std::string> found(const Pattern& pattern, std::string_view text) {
  const auto m = pattern.find(text);
  if (!m) return std::nullopt;
  REQUIRE(m->begin < m->end);
  REQUIRE(m->end <= text.size());
  return std::string(text.substr(m->begin, m->end - m->begin));
}

bool hits(std::string_view source, std::string_view text, bool case_insensitive = true) {
  return make(source, case_insensitive).matches(text);
}

// The reason compile() gives for rejecting `source` with invalid_argument.
std::string rejection(std::string_view source) {
  std::string why;
  auto compiled = Pattern::compile(source, true, &why);
  INFO("pattern " << source);
  REQUIRE_FALSE(compiled.has_value());
  CHECK(is(compiled.error(), errc::invalid_argument));
  CHECK_FALSE(why.empty());
  return why;
}

}  // namespace

TEST_CASE("a literal pattern matches at its byte range", "[pattern]") {
  const Pattern p = make("bad");
  CHECK(p.find("this is bad stuff") == PatternMatch{8, 11});
  CHECK(p.matches("bad"));
  CHECK_FALSE(p.matches("bed bid ba d"));
  CHECK_FALSE(p.matches(""));
  CHECK(p.source() == "bad");
  CHECK(p.instructions() == 4);  // three letters and the match
}

TEST_CASE("a default pattern matches nothing", "[pattern]") {
  const Pattern p;
  CHECK_FALSE(p.matches("anything"));
  CHECK_FALSE(p.find("").has_value());
  CHECK(p.source().empty());
  CHECK(p.instructions() == 0);
}

TEST_CASE("escapes stand for the character they name", "[pattern]") {
  CHECK(hits(R"(a\.b)", "a.b"));
  CHECK_FALSE(hits(R"(a\.b)", "axb"));
  CHECK(hits(R"(\\)", R"(back\slash)"));
  CHECK(hits(R"(a\*b\+c\?)", "a*b+c?"));
  CHECK_FALSE(hits(R"(a\*b)", "aab"));
  CHECK(hits(R"(\(x\)\[y\]\{z\})", "(x)[y]{z}"));
  CHECK(hits(R"(a\|b)", "a|b"));
  CHECK_FALSE(hits(R"(a\|b)", "a"));
  CHECK(hits(R"(\^\$)", "^$"));
  CHECK(hits(R"(\/\-)", "/-"));
  CHECK(hits(R"(a\nb)", "a\nb"));
  CHECK(hits(R"(a\tb\rc)", "a\tb\rc"));
  CHECK_FALSE(hits(R"(a\nb)", "anb"));
  CHECK(hits(R"(\x41\x62)", "Ab"));
  CHECK_FALSE(hits(R"(\x41\x62)", "Ac"));
  CHECK(make(R"(caf\u00e9)").find("un café") == PatternMatch{3, 8});
  CHECK(hits(R"(\u{1F600})", "smile \xF0\x9F\x98\x80"));
  CHECK_FALSE(hits(R"(\u{1F600})", "smile \xF0\x9F\x98\x81"));
}

TEST_CASE("dot matches any code point but a line feed", "[pattern]") {
  const Pattern p = make("a.c");
  CHECK(found(p, "xabcx") == "abc");
  CHECK(found(p,
              "a\xE2\x82\xAC"
              "c") ==
        "a\xE2\x82\xAC"
        "c");  // a€c: one code point, 3 bytes
  CHECK(found(p, "a\tc") == "a\tc");
  CHECK_FALSE(p.matches("a\nc"));
  CHECK_FALSE(p.matches("ac"));
  CHECK_FALSE(
      p.matches("a\xC3\xA9\xC3\xA9"
                "c"));  // two code points
}

TEST_CASE("classes, ranges and negated classes", "[pattern]") {
  CHECK(hits("gr[ae]y", "grey"));
  CHECK(hits("gr[ae]y", "gray"));
  CHECK_FALSE(hits("gr[ae]y", "groy"));
  CHECK(hits("x[0-9]x", "x5x"));
  CHECK_FALSE(hits("x[0-9]x", "xax"));
  CHECK(hits("x[^0-9]x", "xax"));
  CHECK_FALSE(hits("x[^0-9]x", "x5x"));
  CHECK(hits("x[^a]x", "x\nx"));  // a negated class matches a line feed, unlike '.'
  CHECK(hits("[.]", "."));
  CHECK_FALSE(hits("[.]", "a"));
  CHECK(hits("[-a]b", "-b"));
  CHECK(hits("[a-]b", "-b"));
  CHECK_FALSE(hits("[a-]b", "cb"));
  CHECK(hits(R"([\]\\]x)", "]x"));
  CHECK(hits(R"([\]\\]x)", "\\x"));
  CHECK(hits(R"([\d_]+!)", "4_2!"));
  CHECK_FALSE(hits(R"([\d_]+!)", "a!"));
  CHECK(hits(R"([\s]x)", " x"));
  CHECK(hits(R"([\w-]+@)", "a-b_c@"));
  CHECK(hits(R"([^\d]x)", "ax"));
  CHECK_FALSE(hits(R"([^\d]x)", "1x"));
  CHECK(hits(R"([\x41-\x43]x)", "Bx"));
  CHECK(hits("[α-ω]+", "λόγος"));
  CHECK_FALSE(hits("[α-ω]", "abc"));
  CHECK(hits("x[^]y", "x\ny"));
}

TEST_CASE("class escapes digit, word and space, and their negations", "[pattern]") {
  CHECK(found(make(R"(\d+)"), "order 66 now") == "66");
  CHECK_FALSE(hits(R"(\d)", "no digits"));
  CHECK_FALSE(hits(R"(\d)", "\xD9\xA3"));  // ARABIC-INDIC DIGIT THREE: \d is ASCII
  CHECK(found(make(R"(\D+)"), "12ab34") == "ab");
  CHECK(found(make(R"(\w+)"), "  hello_42 world") == "hello_42");
  CHECK_FALSE(hits(R"(\w)", "é !"));  // \w is ASCII
  CHECK(found(make(R"(\W+)"), "ab, cd") == ", ");
  CHECK(hits(R"(a\sb)", "a b"));
  CHECK(hits(R"(a\sb)", "a\tb"));
  CHECK(hits(R"(a\sb)",
             "a\xC2\xA0"
             "b"));  // no-break space
  CHECK(hits(R"(a\sb)",
             "a\xE3\x80\x80"
             "b"));  // ideographic space
  CHECK_FALSE(hits(R"(a\sb)", "a_b"));
  CHECK(hits(R"(a\Sb)", "a_b"));
  CHECK_FALSE(hits(R"(a\Sb)", "a b"));
}

TEST_CASE("anchors match at the start and end of the whole text", "[pattern]") {
  CHECK(make("^bad").find("bad news") == PatternMatch{0, 3});
  CHECK_FALSE(hits("^bad", "not bad"));
  CHECK(make("bad$").find("not bad") == PatternMatch{4, 7});
  CHECK_FALSE(hits("bad$", "bad news"));
  CHECK(hits("^bad$", "bad"));
  CHECK_FALSE(hits("^bad$", "bad\n"));
  // No multiline mode: a line break is no text start or end.
  CHECK_FALSE(hits("^b", "a\nb"));
  CHECK_FALSE(hits("a$", "a\nb"));
  CHECK(hits("x|^b", "b"));
  CHECK(make("(?:^|,)b").find("a,b") == PatternMatch{1, 3});
}

TEST_CASE("word boundaries", "[pattern]") {
  const Pattern ass = make(R"(\bass\b)");
  CHECK(ass.find("you ass!") == PatternMatch{4, 7});
  CHECK(ass.matches("ass"));
  CHECK_FALSE(ass.matches("class"));
  CHECK_FALSE(ass.matches("assist"));
  CHECK_FALSE(ass.matches("ass_"));
  const Pattern inside = make(R"(\Bass)");
  CHECK(inside.find("class") == PatternMatch{2, 5});
  CHECK_FALSE(inside.matches("ass"));
  CHECK_FALSE(inside.matches("an ass"));
  // Non-ASCII letters are word characters for \b, punctuation and spaces are not.
  const Pattern cat = make(R"(\bкот\b)");
  CHECK(cat.matches("это кот."));
  CHECK(cat.matches("«кот»"));
  CHECK_FALSE(cat.matches("котик"));
  CHECK_FALSE(cat.matches("скот"));
  // A position where a match may begin but does not: the scan goes on from the next one.
  CHECK(make(R"(\bab)").find("cab ab") == PatternMatch{4, 6});
  CHECK_FALSE(make(R"(\bcafe\b)").matches("écafe"));
  CHECK(make(R"(\bcafe\b)")
            .matches("\xE2\x80\x9C"
                     "cafe\xE2\x80\x9D"));  // “cafe”
  CHECK(make(R"(\bcafe\b)")
            .matches("\xF0\x9F\x98\x80"
                     "cafe"));  // after an emoji
}

TEST_CASE("groups and alternation", "[pattern]") {
  CHECK(hits("(?:foo|bar)baz", "xbarbaz"));
  CHECK_FALSE(hits("(?:foo|bar)baz", "bazbar"));
  CHECK(hits("gr(a|e)y", "grey"));
  CHECK_FALSE(hits("gr(a|e)y", "gry"));
  CHECK(found(make("cat|dog|bird"), "a dog and a cat") == "dog");
  CHECK(hits("((a|b)(c|d))+x", "acbdx"));
  CHECK_FALSE(hits("((a|b)(c|d))+x", "acbx"));
  CHECK(hits("a(|b)c", "ac"));  // an empty alternative inside a group is fine
  CHECK(hits("a(|b)c", "abc"));
  CHECK(hits("a()b", "ab"));
}

TEST_CASE("quantifiers", "[pattern]") {
  CHECK(found(make("ab*c"), "xacx") == "ac");
  CHECK(found(make("ab*c"), "abbbc") == "abbbc");
  CHECK_FALSE(hits("ab+c", "ac"));
  CHECK(found(make("ab+c"), "abbc") == "abbc");
  CHECK(hits("colou?r", "color"));
  CHECK(hits("colou?r", "colour"));
  CHECK_FALSE(hits("colou?r", "colouur"));
  CHECK_FALSE(hits("^a{3}$", "aa"));
  CHECK(hits("^a{3}$", "aaa"));
  CHECK_FALSE(hits("^a{3}$", "aaaa"));
  CHECK_FALSE(hits("^a{2,}$", "a"));
  CHECK(hits("^a{2,}$", "aaaaaaa"));
  CHECK(make("a{2,3}").find("aaaa") == PatternMatch{0, 3});
  CHECK_FALSE(hits("^a{2,3}$", "a"));
  CHECK(hits("x{0}y", "y"));
  CHECK(hits("x{0,1}y", "xy"));
  CHECK(found(make("(?:ab){2}"), "abababab") == "abab");
  CHECK(hits("(a*)*b", "aaab"));
  CHECK(hits("(a*)*b", "b"));
  CHECK(make("(a*)+b").find("xaab") == PatternMatch{1, 4});
}

TEST_CASE("the match is leftmost, then longest, and lazy quantifiers do not change it",
          "[pattern]") {
  CHECK(make("bad").find("xxbadxxbad") == PatternMatch{2, 5});
  CHECK(make("abcd|bc").find("abcd") == PatternMatch{0, 4});  // an earlier start wins
  CHECK(make("bc|abcd").find("abcd") == PatternMatch{0, 4});
  CHECK(make("a|ab").find("ab") == PatternMatch{0, 2});  // longest at that start
  CHECK(make("a+?").find("baaa") == PatternMatch{1, 4});
  CHECK(make("a*?b").find("aab") == PatternMatch{0, 3});
  CHECK(make("a{2,4}?").find("aaaaa") == PatternMatch{0, 4});
  CHECK(make("<.+?>").find("<b>x</b>") == PatternMatch{0, 8});
  CHECK(make("x+").find("axxbxxx") == PatternMatch{1, 3});  // the first run, not the longest
}

TEST_CASE("case-insensitive matching folds ASCII, Latin-1, Greek and Cyrillic letters",
          "[pattern]") {
  CHECK(hits("BAD", "bad"));
  CHECK(hits("bad", "BaD"));
  CHECK(hits("[a-c]+d", "ABCD"));
  CHECK(hits("[^a]", "b"));
  CHECK_FALSE(hits("^[^a]$", "A"));  // folded before it is negated
  CHECK(hits("\\x41", "a"));
  CHECK(hits("crème", "CRÈME"));
  CHECK(hits("ÉTÉ", "été"));
  CHECK(hits("ÿ", "\xC5\xB8"));            // Ÿ (U+0178)
  CHECK(hits("łódź", "ŁÓDŹ"));             // Latin Extended-A
  CHECK(hits("дурак", "ТЫ ДУРАК!"));       // Cyrillic
  CHECK(hits("ёж", "ЁЖ"));                 // U+0451 / U+0401
  CHECK(hits("[а-я]+", "ЖУК"));            // a range folds too
  CHECK(hits("σοφία", "ΣΟΦΊΑ"));           // Greek, with tonos
  CHECK(hits("ΛΌΓΟΣ", "λόγος"));           // final sigma
  CHECK(hits("λόγοσ", "λόγος"));           // σ and ς are one letter
  CHECK_FALSE(hits("straße", "STRASSE"));  // no multi-character folds
  CHECK_FALSE(hits("ı", "I"));             // nor Turkish dotless i
  CHECK_FALSE(hits("×", "÷"));             // Latin-1 signs are not letters
  // Case-sensitive mode folds nothing.
  CHECK_FALSE(hits("bad", "BAD", false));
  CHECK(hits("bad", "bad", false));
  CHECK_FALSE(hits("дурак", "ДУРАК", false));
  CHECK_FALSE(hits("[a-z]", "Q", false));
  CHECK(hits("[^a-z]", "Q", false));
}

TEST_CASE("patterns and texts are UTF-8 code points", "[pattern]") {
  const Pattern p = make("ca.é");
  CHECK(p.find("le caxé") == PatternMatch{3, 8});
  CHECK(p.matches("caüé"));
  CHECK_FALSE(p.matches("caé"));
  CHECK(make("é+").find("xééy") == PatternMatch{1, 5});
  CHECK(make("\xF0\x9F\x92\xA9{2}").find("a\xF0\x9F\x92\xA9\xF0\x9F\x92\xA9") ==
        PatternMatch{1, 9});  // a 4-byte code point repeated as one unit
  CHECK_FALSE(make("\xF0\x9F\x92\xA9{2}").matches("\xF0\x9F\x92\xA9\xA9"));
  CHECK(found(make("[ёа-я]+"), "hi привет!") == "привет");
}

TEST_CASE(
    "an invalid byte in the text is one code point that only dot and negated classes "
    "match",
    "[pattern]") {
  CHECK(make("a.b").find("a\xFF"
                         "b") == PatternMatch{0, 3});
  CHECK(hits("a[^x]b",
             "a\xFF"
             "b"));
  CHECK(hits(R"(a\Wb)",
             "a\x80"
             "b"));
  CHECK(hits(R"(a\Sb)",
             "a\x80"
             "b"));
  CHECK(hits(R"(a\Db)",
             "a\x80"
             "b"));
  CHECK_FALSE(hits(R"(a\wb)",
                   "a\xFF"
                   "b"));
  CHECK_FALSE(hits("a[\\x00-\\u{10FFFF}]b",
                   "a\xFF"
                   "b"));
  CHECK_FALSE(hits("é", "\xC3"));  // a cut sequence
  CHECK_FALSE(hits("é",
                   "\xC3"
                   "a\xA9"));                                    // split by another byte
  CHECK_FALSE(hits("\\u00e9", "\xC1\xA9"));                      // an overlong form
  CHECK(make("b..$").find("ab\xE2\x82") == PatternMatch{1, 4});  // each byte of a cut sequence
  CHECK(make("x.{3}y").find("x\xED\xA0\x80y") == PatternMatch{0, 5});  // a surrogate: 3 bytes
  CHECK(make("é").find("\xC3\xC3\xA9") == PatternMatch{1, 3});
  CHECK(make(R"(\bab)").find("\xFF"
                             "ab") == PatternMatch{1, 3});  // not a word character
  CHECK_FALSE(hits("a", std::string("\xF0\x9F", 2)));       // and nothing read past it
}

TEST_CASE("syntax errors and unsupported features are rejected with a reason", "[pattern]") {
  CHECK(rejection(R"((a)\1)") == "backreferences are not supported");
  CHECK(rejection(R"((?<n>a)\k<n>)") == "named groups are not supported");
  CHECK(rejection(R"(a\k<n>)") == "backreferences are not supported");
  CHECK(rejection("a(?=b)") == "lookahead and lookbehind are not supported");
  CHECK(rejection("a(?!b)") == "lookahead and lookbehind are not supported");
  CHECK(rejection("(?<=a)b") == "lookahead and lookbehind are not supported");
  CHECK(rejection("(?<!a)b") == "lookahead and lookbehind are not supported");
  CHECK(rejection("(?>ab)") == "atomic groups are not supported");
  CHECK(rejection("a++") == "possessive quantifiers are not supported");
  CHECK(rejection("a*+") == "possessive quantifiers are not supported");
  CHECK(rejection("(?i)a") == "inline flags and other (? groups are not supported");
  CHECK(rejection(R"(\q)").find("unknown escape") != std::string::npos);
  CHECK(rejection(R"(\p{L})") == "Unicode property escapes are not supported");
  CHECK(rejection(R"(\0)").find("unknown escape") != std::string::npos);
  CHECK(rejection(R"(\A)").find("unknown escape") != std::string::npos);
  CHECK(rejection(R"(a\)") == "the pattern ends with a lone backslash");
  CHECK(rejection("(ab") == "a '(' is not closed");
  CHECK(rejection("ab)") == "a ')' has no matching '('");
  CHECK(rejection("[ab") == "a '[' is not closed");
  CHECK(rejection("ab]").find("']'") != std::string::npos);
  CHECK(rejection("a}").find("'}'") != std::string::npos);
  CHECK(rejection("[]") == "an empty class [] matches nothing");
  CHECK(rejection("[z-a]") == "a range in a class is out of order");
  CHECK(rejection(R"([\d-z])") == "a class escape such as \\d cannot bound a range");
  CHECK(rejection(R"([\b])") == "a word boundary cannot be inside a class");
  CHECK(rejection("*a") == "a quantifier follows nothing it could repeat");
  CHECK(rejection("a|*") == "a quantifier follows nothing it could repeat");
  CHECK(rejection("a**") == "a quantifier follows nothing it could repeat");
  CHECK(rejection("a{2}{3}") == "a quantifier follows nothing it could repeat");
  CHECK(rejection("^*a") == "an anchor cannot be repeated");
  CHECK(rejection("a(?:$)+") == "an anchor cannot be repeated");
  CHECK(rejection("a{3,2}") == "the counts in {m,n} are out of order");
  CHECK(rejection("a{1001}") == "a count in {m,n} is over 1000");
  CHECK(rejection("a{1,1001}") == "a count in {m,n} is over 1000");
  CHECK(rejection("a{99999999999999999999}") == "a count in {m,n} is over 1000");
  CHECK(rejection("a{,3}").find("count") != std::string::npos);
  CHECK(rejection("a{x}").find("count") != std::string::npos);
  CHECK(rejection("a{2").find("count") != std::string::npos);
  CHECK(rejection(R"(\xZZ)").find("hex") != std::string::npos);
  CHECK(rejection(R"(\u12)").find("hex") != std::string::npos);
  CHECK(rejection(R"(\u{110000})") == "a \\u escape names a surrogate or no code point");
  CHECK(rejection(R"(\uD800)") == "a \\u escape names a surrogate or no code point");
  CHECK(rejection("a\xFF") == "the pattern is not valid UTF-8");
  CHECK(rejection("a\xC3") == "the pattern is not valid UTF-8");
  CHECK(rejection("") == "the pattern is empty");
  // Without `why`, the same error.
  CHECK(is(Pattern::compile("(?=a)").error(), errc::invalid_argument));
}

TEST_CASE("a pattern that can match the empty text is rejected", "[pattern]") {
  for (const char* source : {"a*", "a?", "(?:)", "()", "a|", "|a", "^", "$", "^$", R"(\b)",
                             "(a|b)*", "a{0}", "x{0,3}", "(?:a*|b)c?", R"(\b(?:x?)\B)"}) {
    CHECK(rejection(source) == "the pattern matches the empty text");
  }
  CHECK(make("a*b").matches("b"));  // one character is enough
}

TEST_CASE("the limits on source size, nesting and program size", "[pattern]") {
  CHECK(make(std::string(pattern_max_bytes, 'a')).matches(std::string(1000, 'a')));
  CHECK(rejection(std::string(pattern_max_bytes + 1, 'a')) ==
        "the pattern is longer than 1000 bytes");

  const std::string deep =
      std::string(pattern_max_nesting, '(') + "a" + std::string(pattern_max_nesting, ')');
  CHECK(make(deep).matches("a"));
  CHECK(rejection("(" + deep + ")") == "groups are nested more than 100 deep");
  CHECK(rejection(std::string(pattern_max_bytes, '(')) == "groups are nested more than 100 deep");

  CHECK(make("a{1000}").instructions() == 1001);
  CHECK(make("(?:a{99}){100}").instructions() == 9901);
  const std::string too_big = "the pattern compiles to more than 10000 instructions";
  CHECK(rejection("(?:a{100}){100}") == too_big);
  CHECK(rejection("(a{1000}){1000}") == too_big);  // refused before it is expanded
  CHECK(rejection("((((a{1000}){1000}){1000}){1000}){1000}") == too_big);
  CHECK(rejection("(?:(?:(?:a|b|c|d){1,1000}){1,1000}){1,1000}") == too_big);
  // Empty groups repeated compile to nothing, and quickly.
  CHECK(make("((((){1000}){1000}){1000}){1000}a").instructions() == 2);
  CHECK(make("((((){999,1000}){1000}){9}){1}a").instructions() == 9002);
}

TEST_CASE("hostile patterns run in linear time", "[pattern]") {
  const std::string as(50'000, 'a');
  const std::string text = as + "!";
  CHECK_FALSE(make("(a+)+$").matches(text));
  CHECK(make("(a+)+$").find(as) == PatternMatch{0, as.size()});
  CHECK_FALSE(make("(a|a)*b").matches(text));
  CHECK_FALSE(make("(a|aa)+c").matches(text));
  CHECK(make("(.*a){20}").find(text) == PatternMatch{0, as.size()});
  CHECK_FALSE(make("(.*a){20}b").matches(text));
  CHECK_FALSE(make("^(a|a?)+b$").matches(text));
  CHECK_FALSE(make("(x+x+)+y").matches(std::string(50'000, 'x')));
  CHECK_FALSE(make("(?:a*)*(?:a*)*[^a]{2}").matches(text));
  CHECK(make("a{100}!").find(text) == PatternMatch{as.size() - 100, text.size()});
  CHECK_FALSE(make(R"((\w+\s?)+$)").matches(text + " "));
  CHECK(make(R"(\b(?:[a-z]+,?)+!)").find(text) == PatternMatch{0, text.size()});
}

TEST_CASE("a bounded find gives up past its steps, and says so", "[pattern]") {
  auto p = Pattern::compile("a{1,1000}b");
  REQUIRE(p.has_value());
  const std::string text(20'000, 'a');
  const auto cut = p->find(text, 1'000'000);
  CHECK(cut.exhausted);
  CHECK_FALSE(cut.match);
  CHECK(cut.steps > 1'000'000);
  CHECK(cut.steps < 1'100'000);  // it stops within about one position's work of the bound
  // With room enough it finishes, and answers as find() does.
  const auto whole = p->find(text + "b", std::numeric_limits<std::uint64_t>::max());
  CHECK_FALSE(whole.exhausted);
  REQUIRE(whole.match);
  CHECK(*whole.match == *p->find(text + "b"));
  CHECK(whole.match->end == text.size() + 1);
  // A cheap pattern over the same text takes few steps.
  auto cheap = Pattern::compile("xyz");
  REQUIRE(cheap.has_value());
  const auto quick = cheap->find(text, 1'000'000);
  CHECK_FALSE(quick.exhausted);
  CHECK(quick.steps < 100);
}

TEST_CASE("fifty patterns over a 64 KB post", "[pattern]") {
  std::string post;
  const std::string sentence = "The quick brown fox jumps over the lazy dog, 1234 times. ";
  while (post.size() + sentence.size() <= 65'536 - 64) post += sentence;
  const std::size_t hidden_at = post.size() / 2;
  post.insert(hidden_at, " buy ch3ap p1lls at spam.example ");
  post += "Ending: визит ÆSIR";

  std::vector<Pattern> patterns;
  for (int k = 0; k < 40; ++k) patterns.push_back(make("needle" + std::to_string(k) + R"(\d+)"));
  for (const char* source :
       {R"(ch[e3]a?p\s+p[i1l]+s)", R"(\bspam\.example\b)", R"(визит\s+æsir$)", R"(fox\s+jumps)",
        R"(\d{5,})", R"(^the)", R"(dog\.)", R"((lazy|sleepy)\s+cat)", R"([xyz]{4})", R"(q.{1,3}k)"})
    patterns.push_back(make(source));
  REQUIRE(patterns.size() == 50);

  std::vector<bool> hit;
  for (const Pattern& p : patterns) hit.push_back(p.matches(post));
  for (std::size_t k = 0; k < 40; ++k) CHECK_FALSE(hit[k]);
  CHECK(patterns[40].find(post)->begin == hidden_at + 5);
  CHECK(hit[41]);
  CHECK(hit[42]);
  CHECK(patterns[43].find(post) == PatternMatch{16, 25});
  CHECK_FALSE(hit[44]);
  CHECK(hit[45]);
  CHECK_FALSE(hit[46]);
  CHECK_FALSE(hit[47]);
  CHECK_FALSE(hit[48]);
  CHECK(patterns[49].find(post) == PatternMatch{4, 9});
}

TEST_CASE("copies share the program and const calls run on many threads", "[pattern]") {
  const Pattern original = make(R"(\bb[a@]d\b)");
  const Pattern copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  CHECK(copy.source() == original.source());
  CHECK(copy.instructions() == original.instructions());
  std::vector<int> counts(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < counts.size(); ++t)
    threads.emplace_back([&, t] {
      const Pattern& p = t % 2 == 0 ? original : copy;
      for (int k = 0; k < 200; ++k)
        counts[t] += p.matches(k % 2 == 0 ? "so b@d" : "so bed") ? 1 : 0;
    });
  for (std::thread& thread : threads) thread.join();
  for (const int c : counts) CHECK(c == 100);
}
