#include "hearth/trust.hpp"

#include <array>
#include <boost/json.hpp>

#include "rules_json.hpp"

namespace hearth {

namespace {

namespace json = boost::json;

constexpr std::int64_t max_count = 1'000'000;
constexpr std::int64_t max_read_ms = 1'000ll * 60 * 60 * 1000;  // 1,000 hours
constexpr std::int64_t max_trailing_days = 365;
constexpr std::int64_t max_first_posts_reviewed = 1'000;

using detail::invalid;
using detail::read_int;

// The counts of a level, by name, for reading, writing and comparing them alike.
struct Count {
  std::string_view name;
  std::uint32_t TrustRequirements::*field;
};
constexpr std::array<Count, 6> counts{{
    {"days_visited", &TrustRequirements::days_visited},
    {"threads_entered", &TrustRequirements::threads_entered},
    {"posts_read", &TrustRequirements::posts_read},
    {"reactions_given", &TrustRequirements::reactions_given},
    {"reactions_received", &TrustRequirements::reactions_received},
    {"replies", &TrustRequirements::replies},
}};

// Reads a level's object over `r` (fields left out keep their values). Only level 3 has a
// trailing window and a flag limit.
result<void> read_level(const json::value& v, const std::string& path, bool windowed,
                        TrustRequirements& r, std::string* why) {
  if (!v.is_object()) return invalid(why, path + ": expected an object");
  for (const auto& [key, field] : v.get_object()) {
    const std::string at = path + "." + std::string(key);
    bool known = false;
    for (const Count& c : counts) {
      if (key != c.name) continue;
      HEARTH_TRY(n, read_int(field, at, 0, max_count, why));
      r.*c.field = static_cast<std::uint32_t>(n);
      known = true;
    }
    if (known) continue;
    if (key == "read_ms") {
      HEARTH_TRY(n, read_int(field, at, 0, max_read_ms, why));
      r.read_ms = n;
    } else if (windowed && key == "trailing_days") {
      HEARTH_TRY(n, read_int(field, at, 1, max_trailing_days, why));
      r.trailing_days = static_cast<std::uint32_t>(n);
    } else if (windowed && key == "max_flags_against") {
      HEARTH_TRY(n, read_int(field, at, 0, max_count, why));
      r.max_flags_against = static_cast<std::uint32_t>(n);
    } else {
      return invalid(why, at + ": unknown field");
    }
  }
  return {};
}

json::object level_json(const TrustRequirements& r, bool windowed) {
  json::object o;
  for (const Count& c : counts) o[c.name] = r.*c.field;
  o["read_ms"] = r.read_ms;
  if (windowed) {
    o["trailing_days"] = r.trailing_days;
    o["max_flags_against"] = r.max_flags_against;
  }
  return o;
}

}  // namespace

result<void> TrustRules::validate(std::string* why) const {
  const std::array<std::pair<const TrustRequirements*, std::string_view>, 3> levels{{
      {&level1, "level1"},
      {&level2, "level2"},
      {&level3, "level3"},
  }};
  for (const auto& [r, name] : levels) {
    const std::string at(name);
    for (const Count& c : counts)
      if (r->*c.field > max_count)
        return invalid(why, at + "." + std::string(c.name) + ": above 1000000");
    if (r->read_ms < 0 || r->read_ms > max_read_ms)
      return invalid(why, at + ".read_ms: out of range 0..3600000000 (1000 hours)");
  }
  if (level3.trailing_days < 1 || level3.trailing_days > max_trailing_days)
    return invalid(why, "level3.trailing_days: out of range 1..365");
  if (level3.max_flags_against > max_count)
    return invalid(why, "level3.max_flags_against: above 1000000");
  if (first_posts_reviewed > max_first_posts_reviewed)
    return invalid(why, "first_posts_reviewed: out of range 0..1000");
  // Level 2 is reached through level 1: it cannot ask for less.
  for (const Count& c : counts)
    if (level2.*c.field < level1.*c.field)
      return invalid(why, "level2." + std::string(c.name) + ": below level1's");
  if (level2.read_ms < level1.read_ms) return invalid(why, "level2.read_ms: below level1's");
  return {};
}

result<TrustRules> TrustRules::from_json(std::string_view text, std::string* why) {
  HEARTH_TRY(o, detail::parse_object(text, 4, why));
  TrustRules r;
  for (const auto& [key, field] : o) {
    const std::string at(key);
    if (key == "level1") {
      HEARTH_CHECK(read_level(field, at, false, r.level1, why));
    } else if (key == "level2") {
      HEARTH_CHECK(read_level(field, at, false, r.level2, why));
    } else if (key == "level3") {
      HEARTH_CHECK(read_level(field, at, true, r.level3, why));
    } else if (key == "new_member_links") {
      if (!field.is_bool()) return invalid(why, at + ": expected true or false");
      r.new_member_links = field.get_bool();
    } else if (key == "first_posts_reviewed") {
      HEARTH_TRY(n, read_int(field, at, 0, max_first_posts_reviewed, why));
      r.first_posts_reviewed = static_cast<std::uint32_t>(n);
    } else {
      return invalid(why, at + ": unknown field");
    }
  }
  HEARTH_CHECK(r.validate(why));
  return r;
}

std::string TrustRules::to_json() const {
  json::object o;
  o["level1"] = level_json(level1, false);
  o["level2"] = level_json(level2, false);
  o["level3"] = level_json(level3, true);
  o["new_member_links"] = new_member_links;
  o["first_posts_reviewed"] = first_posts_reviewed;
  return json::serialize(o);
}

}  // namespace hearth
