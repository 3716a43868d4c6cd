#include "hearth/badges.hpp"

#include <array>
#include <boost/json.hpp>
#include <utility>

#include "enum_names.hpp"
#include "rules_json.hpp"

namespace hearth {

namespace {

namespace json = boost::json;

constexpr std::size_t max_rules = 200;
constexpr std::size_t max_name = 40;
constexpr std::size_t max_title = 100;
constexpr std::size_t max_description = 500;
constexpr std::uint64_t max_threshold = 1'000'000'000;

constexpr std::array<std::pair<BadgeMetric, std::string_view>, 10> metrics{{
    {BadgeMetric::accepted_answers, "accepted_answers"},
    {BadgeMetric::helpful_replies, "helpful_replies"},
    {BadgeMetric::replies, "replies"},
    {BadgeMetric::threads_created, "threads_created"},
    {BadgeMetric::days_visited, "days_visited"},
    {BadgeMetric::reactions_given, "reactions_given"},
    {BadgeMetric::reactions_received, "reactions_received"},
    {BadgeMetric::reputation, "reputation"},
    {BadgeMetric::post_reactions, "post_reactions"},
    {BadgeMetric::host, "host"},
}};

constexpr std::array<std::pair<BadgeTier, std::string_view>, 3> tiers{{
    {BadgeTier::bronze, "bronze"},
    {BadgeTier::silver, "silver"},
    {BadgeTier::gold, "gold"},
}};

using detail::invalid;
using detail::name_of;
using detail::value_of;
using detail::well_formed_kind;

bool well_formed_name(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_name) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

bool uses_kind(BadgeMetric m) noexcept {
  return m == BadgeMetric::post_reactions || m == BadgeMetric::helpful_replies;
}

result<void> validate_rule(const BadgeRule& r, const std::string& at, std::string* why) {
  if (!well_formed_name(r.name)) return invalid(why, at + ".name: 1..40 of [a-z0-9-]");
  if (r.title.empty() || r.title.size() > max_title)
    return invalid(why, at + ".title: 1..100 bytes");
  if (r.description.size() > max_description)
    return invalid(why, at + ".description: above 500 bytes");
  if (name_of(metrics, r.metric) == "unknown") return invalid(why, at + ".metric: unknown");
  if (name_of(tiers, r.tier) == "unknown") return invalid(why, at + ".tier: unknown");
  if (r.metric != BadgeMetric::host && (r.threshold < 1 || r.threshold > max_threshold))
    return invalid(why, at + ".threshold: out of range 1..1000000000");
  if (uses_kind(r.metric) && !well_formed_kind(r.reaction_kind))
    return invalid(why, at + ".reaction_kind: 1..32 bytes of printable ASCII, needed by " +
                            std::string(to_string(r.metric)));
  if (!uses_kind(r.metric) && !r.reaction_kind.empty())
    return invalid(why, at + ".reaction_kind: only for post_reactions and helpful_replies");
  return {};
}

result<std::string> read_string(const json::value& v, const std::string& at, std::string* why) {
  if (!v.is_string()) return invalid(why, at + ": expected a string");
  return std::string(v.get_string());
}

result<BadgeRule> read_rule(const json::value& v, const std::string& at, std::string* why) {
  if (!v.is_object()) return invalid(why, at + ": expected an object");
  BadgeRule r;
  bool has_name = false, has_title = false, has_metric = false, has_threshold = false;
  for (const auto& [key, field] : v.get_object()) {
    const std::string path = at + "." + std::string(key);
    if (key == "name") {
      HEARTH_TRY(s, read_string(field, path, why));
      r.name = std::move(s);
      has_name = true;
    } else if (key == "title") {
      HEARTH_TRY(s, read_string(field, path, why));
      r.title = std::move(s);
      has_title = true;
    } else if (key == "description") {
      HEARTH_TRY(s, read_string(field, path, why));
      r.description = std::move(s);
    } else if (key == "reaction_kind") {
      HEARTH_TRY(s, read_string(field, path, why));
      r.reaction_kind = std::move(s);
    } else if (key == "tier") {
      HEARTH_TRY(s, read_string(field, path, why));
      auto tier = badge_tier_from_string(s);
      if (!tier) return invalid(why, path + ": one of bronze, silver, gold");
      r.tier = *tier;
    } else if (key == "metric") {
      HEARTH_TRY(s, read_string(field, path, why));
      auto metric = badge_metric_from_string(s);
      if (!metric) return invalid(why, path + ": unknown metric '" + s + "'");
      r.metric = *metric;
      has_metric = true;
    } else if (key == "threshold") {
      if (field.is_int64() && field.get_int64() >= 0)
        r.threshold = static_cast<std::uint64_t>(field.get_int64());
      else if (field.is_uint64())
        r.threshold = field.get_uint64();
      else
        return invalid(why, path + ": expected a non-negative integer");
      has_threshold = true;
    } else if (key == "repeat") {
      if (!field.is_bool()) return invalid(why, path + ": expected true or false");
      r.repeat = field.get_bool();
    } else {
      return invalid(why, path + ": unknown field");
    }
  }
  if (!has_name) return invalid(why, at + ".name: missing");
  if (!has_title) return invalid(why, at + ".title: missing");
  if (!has_metric) return invalid(why, at + ".metric: missing");
  if (!has_threshold && r.metric != BadgeMetric::host)
    return invalid(why, at + ".threshold: missing");
  return r;
}

BadgeRule rule(std::string name, std::string title, std::string description, BadgeTier tier,
               BadgeMetric metric, std::uint64_t threshold, std::string kind = {},
               bool repeat = false) {
  return BadgeRule{std::move(name), std::move(title), std::move(description), tier,
                   metric,          threshold,        std::move(kind),        repeat};
}

}  // namespace

std::string_view to_string(BadgeMetric m) noexcept { return name_of(metrics, m); }
std::optional<BadgeMetric> badge_metric_from_string(std::string_view s) noexcept {
  return value_of<BadgeMetric>(metrics, s);
}
std::string_view to_string(BadgeTier t) noexcept { return name_of(tiers, t); }
std::optional<BadgeTier> badge_tier_from_string(std::string_view s) noexcept {
  return value_of<BadgeTier>(tiers, s);
}

const BadgeRule* BadgeRules::find(std::string_view name) const noexcept {
  for (const BadgeRule& r : badges)
    if (r.name == name) return &r;
  return nullptr;
}

result<void> BadgeRules::validate(std::string* why) const {
  if (badges.size() > max_rules) return invalid(why, "badges: more than 200 rules");
  for (std::size_t i = 0; i < badges.size(); ++i) {
    const std::string at = "badges[" + std::to_string(i) + "]";
    HEARTH_CHECK(validate_rule(badges[i], at, why));
    for (std::size_t j = 0; j < i; ++j)
      if (badges[j].name == badges[i].name) return invalid(why, at + ".name: repeated");
  }
  return {};
}

result<BadgeRules> BadgeRules::from_json(std::string_view text, std::string* why) {
  HEARTH_TRY(o, detail::parse_object(text, 4, why));
  BadgeRules r;
  for (const auto& [key, field] : o) {
    if (key != "badges") return invalid(why, std::string(key) + ": unknown field");
    if (!field.is_array()) return invalid(why, "badges: expected an array");
    const json::array& list = field.get_array();
    if (list.size() > max_rules) return invalid(why, "badges: more than 200 rules");
    for (std::size_t i = 0; i < list.size(); ++i) {
      HEARTH_TRY(rule, read_rule(list[i], "badges[" + std::to_string(i) + "]", why));
      r.badges.push_back(std::move(rule));
    }
  }
  HEARTH_CHECK(r.validate(why));
  return r;
}

std::string BadgeRules::to_json() const {
  json::array list;
  for (const BadgeRule& r : badges) {
    json::object o;
    o["name"] = r.name;
    o["title"] = r.title;
    o["description"] = r.description;
    o["tier"] = to_string(r.tier);
    o["metric"] = to_string(r.metric);
    o["threshold"] = r.threshold;
    o["reaction_kind"] = r.reaction_kind;
    o["repeat"] = r.repeat;
    list.push_back(std::move(o));
  }
  json::object out;
  out["badges"] = std::move(list);
  return json::serialize(out);
}

BadgeRules BadgeRules::standard() {
  using enum BadgeTier;
  using M = BadgeMetric;
  BadgeRules r;
  r.badges = {
      rule("first-thread", "First thread", "Started a thread.", bronze, M::threads_created, 1),
      rule("first-reply", "First reply", "Replied to a thread.", bronze, M::replies, 1),
      rule("supporter", "Supporter", "Gave a reaction to someone's post.", bronze,
           M::reactions_given, 1),
      rule("first-accepted", "First accepted answer", "Wrote an answer the asker accepted.", bronze,
           M::accepted_answers, 1),
      rule("nice-answer", "Nice answer", "A post of theirs got 10 +1 reactions.", bronze,
           M::post_reactions, 10, "+1", true),
      rule("good-answer", "Good answer", "A post of theirs got 25 +1 reactions.", silver,
           M::post_reactions, 25, "+1", true),
      rule("great-answer", "Great answer", "A post of theirs got 100 +1 reactions.", gold,
           M::post_reactions, 100, "+1", true),
      rule("helpful", "Helpful", "10 replies that others gave a +1.", silver, M::helpful_replies,
           10, "+1"),
      rule("thanked", "Thanked", "Replies thanked by others, 25 at a time.", bronze,
           M::helpful_replies, 25, "thanks", true),
      rule("expert", "Expert", "25 answers accepted.", gold, M::accepted_answers, 25),
      rule("regular", "Regular", "Visited on 100 different days.", silver, M::days_visited, 100),
      rule("devoted", "Devoted", "Visited on 365 different days.", gold, M::days_visited, 365),
      rule("conversationalist", "Conversationalist", "Wrote 100 replies.", silver, M::replies, 100),
      rule("appreciated", "Appreciated", "Received 100 reactions from others.", silver,
           M::reactions_received, 100),
      rule("respected", "Respected", "Earned 1,000 points.", gold, M::reputation, 1000),
  };
  return r;
}

}  // namespace hearth
