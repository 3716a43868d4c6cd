#include "hearth/id.hpp"  // first: the header stands alone

#include <catch2/catch.hpp>

#include <set>
#include <type_traits>

#include "hearth/clock.hpp"
#include "hearth/error.hpp"
#include "hearth/event.hpp"
#include "hearth/model.hpp"
#include "text.hpp"

using namespace hearth;

static_assert(!std::is_convertible_v<MemberId, SpaceId>, "ids of different kinds do not mix");
static_assert(!std::is_constructible_v<PostId, ThreadId>, "ids of different kinds do not mix");
static_assert(!std::is_convertible_v<std::uint64_t, MemberId>, "ids are made explicitly");
static_assert(sizeof(MemberId) == 8);

TEST_CASE("ids from one generator strictly increase and encode time and node", "[core][ids]") {
  ManualClock clock(id_epoch + 5'000);
  IdGenerator gen(clock, 7);
  std::uint64_t last = 0;
  // More than one millisecond's worth of sequence with the clock standing still.
  for (int i = 0; i < 10'000; ++i) {
    const auto id = gen.next();
    REQUIRE(id > last);
    last = id;
  }
  CHECK(id_node(last) == 7);
  clock.advance(60'000);
  const auto later = gen.next();
  CHECK(later > last);
  CHECK(id_time(later) == id_epoch + 65'000);
  clock.advance(-30'000);  // the clock steps back: ids still increase
  CHECK(gen.next() > later);
}

TEST_CASE("ids from different nodes never collide", "[core][ids]") {
  ManualClock clock;
  IdGenerator a(clock, 1), b(clock, 2);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 5'000; ++i) {
    REQUIRE(seen.insert(a.next()).second);
    REQUIRE(seen.insert(b.next()).second);
  }
}

TEST_CASE("errors carry the hearth category and stable names", "[core][errors]") {
  error_code ec = errc::not_found;
  CHECK(ec.category().name() == std::string("hearth"));
  CHECK(is(ec, errc::not_found));
  CHECK_FALSE(is(ec, errc::forbidden));
  CHECK(errc_name(errc::already_exists) == "already_exists");
  CHECK(errc_name(errc::invalid_utf8) == "invalid_utf8");
  CHECK(errc_name(static_cast<errc>(999)) == "unknown");
  CHECK(error_name(ec) == "not_found");
  CHECK(error_name(boost::system::error_code(5, boost::system::generic_category())) == "unknown");
  CHECK_FALSE(ec.message().empty());
  for (int v = 1; v <= static_cast<int>(errc::internal); ++v)
    CHECK(errc_name(static_cast<errc>(v)) != "unknown");
}

TEST_CASE("space kinds and event types have names both ways", "[core]") {
  for (auto k : {SpaceKind::community, SpaceKind::forum, SpaceKind::category, SpaceKind::guild,
                 SpaceKind::channel})
    CHECK(space_kind_from_string(to_string(k)) == k);
  CHECK_FALSE(space_kind_from_string("castle"));
  for (int v = 1; v <= static_cast<int>(EventType::thread_tagged); ++v) {
    const auto t = static_cast<EventType>(v);
    CHECK(event_type_from_string(to_string(t)) == t);
  }
}

TEST_CASE("the system clock reads wall time, the manual clock moves when told", "[core][clock]") {
  SystemClock sys;
  CHECK(sys.now() > 1'700'000'000'000);
  ManualClock manual(1000);
  CHECK(manual.now() == 1000);
  manual.advance(5);
  CHECK(manual.now() == 1005);
  manual.set(42);
  CHECK(manual.now() == 42);
}

TEST_CASE("UTF-8 validation rejects malformed input", "[core][text]") {
  using detail::utf8_length;
  CHECK(*utf8_length("") == 0);
  CHECK(*utf8_length("h\xC3\xA9llo") == 5);
  CHECK(*utf8_length("\xF0\x9F\x94\xA5") == 1);
  for (const char* bad : {"\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xFF", "\x80", "a\xE2\x82"})
    CHECK_FALSE(utf8_length(bad));
}

TEST_CASE("clean_text trims, validates and counts code points", "[core][text]") {
  using detail::clean_text;
  using detail::TextKind;
  CHECK(*clean_text("  hi \n", 10, TextKind::multiline) == "hi");
  CHECK(clean_text("   ", 10, TextKind::line).error() == errc::empty_field);
  CHECK(*clean_text("   ", 10, TextKind::line, false) == "");
  CHECK(*clean_text("\xC3\xA9\xC3\xA9\xC3\xA9", 3, TextKind::line) == "\xC3\xA9\xC3\xA9\xC3\xA9");
  CHECK(clean_text("abcd", 3, TextKind::line).error() == errc::too_long);
  CHECK(clean_text("a\nb", 10, TextKind::line).error() == errc::invalid_argument);
  CHECK(*clean_text("a\nb", 10, TextKind::multiline) == "a\nb");
  CHECK(clean_text(std::string("a\0b", 3), 10, TextKind::multiline).error() ==
        errc::invalid_argument);
  CHECK(clean_text("a\x7f", 10, TextKind::line).error() == errc::invalid_argument);
  CHECK(clean_text("\xC3(", 10, TextKind::line).error() == errc::invalid_utf8);
}

TEST_CASE("cursors round-trip and are tied to their listing", "[core][text]") {
  using detail::decode_cursor;
  using detail::encode_cursor;
  const auto c = encode_cursor('p', 0xDEADBEEFull);
  CHECK(*decode_cursor('p', c) == 0xDEADBEEFull);
  CHECK(*decode_cursor('p', "") == 0);
  CHECK(decode_cursor('t', c).error() == errc::invalid_cursor);
  for (const char* bad : {"p", "p.", "p.xyz", "p.0", "x.12", "p.1234567890abcdef0", "p.-1"})
    CHECK(decode_cursor('p', bad).error() == errc::invalid_cursor);
}

TEST_CASE("links are found at the start of a word, in any case", "[core]") {
  using hearth::detail::contains_link;
  CHECK(contains_link("see http://example.com"));
  CHECK(contains_link("HTTPS://EXAMPLE.COM"));
  CHECK(contains_link("(www.example.com)"));
  CHECK(contains_link("Www.example.com"));
  CHECK(contains_link("line one\nhttps://x"));
  CHECK_FALSE(contains_link("example.com"));
  CHECK_FALSE(contains_link("awww.example"));
  CHECK_FALSE(contains_link("xhttp://example.com"));
  CHECK_FALSE(contains_link("http:/example.com"));
  CHECK_FALSE(contains_link("www"));
  CHECK_FALSE(contains_link(""));
}
