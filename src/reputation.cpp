#include "hearth/reputation.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstdlib>

#include "rules_json.hpp"

namespace hearth {

namespace {

namespace json = boost::json;

constexpr std::int64_t max_points = 1'000'000;
constexpr std::int64_t max_threshold = 1'000'000'000;
constexpr std::int64_t max_serial_window_ms = 30ll * 24 * 60 * 60 * 1000;
constexpr std::int64_t day_ms = 24ll * 60 * 60 * 1000;

using detail::invalid;
using detail::read_bool;
using detail::read_number;
using detail::read_string;
using detail::well_formed_kind;

bool well_formed_window_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

bool within(std::int64_t v) noexcept { return v >= -max_points && v <= max_points; }

constexpr std::array<std::pair<ReputationReason, std::string_view>, 7> reason_names{{
    {ReputationReason::reaction_received, "reaction_received"},
    {ReputationReason::reaction_given, "reaction_given"},
    {ReputationReason::answer_accepted, "answer_accepted"},
    {ReputationReason::accepted_answer, "accepted_answer"},
    {ReputationReason::award, "award"},
    {ReputationReason::reversal, "reversal"},
    {ReputationReason::sanction, "sanction"},
}};

result<ReactionPoints> read_reaction(const json::value& v, const std::string& path,
                                     std::string* why) {
  if (!v.is_object()) return invalid(why, path + ": expected an object");
  ReactionPoints rp;
  bool has_kind = false;
  for (const auto& [key, field] : v.get_object()) {
    const std::string at = path + "." + std::string(key);
    if (key == "kind") {
      HEARTH_CHECK(read_string(field, at, rp.kind, why));
      has_kind = true;
    } else if (key == "on_thread") {
      HEARTH_CHECK(read_number(field, at, -max_points, max_points, rp.on_thread, why));
    } else if (key == "on_reply") {
      HEARTH_CHECK(read_number(field, at, -max_points, max_points, rp.on_reply, why));
    } else if (key == "giver_thread") {
      HEARTH_CHECK(read_number(field, at, -max_points, max_points, rp.giver_thread, why));
    } else if (key == "giver_reply") {
      HEARTH_CHECK(read_number(field, at, -max_points, max_points, rp.giver_reply, why));
    } else if (key == "min_points") {
      HEARTH_CHECK(read_number(field, at, 0, max_threshold, rp.min_points, why));
    } else {
      return invalid(why, at + ": unknown field");
    }
  }
  if (!has_kind) return invalid(why, path + ".kind: missing");
  return rp;
}

result<ReputationWindow> read_window(const json::value& v, const std::string& path,
                                     std::string* why) {
  if (!v.is_object()) return invalid(why, path + ": expected an object");
  ReputationWindow w;
  bool has_name = false, has_from = false, has_to = false;
  for (const auto& [key, field] : v.get_object()) {
    const std::string at = path + "." + std::string(key);
    if (key == "name") {
      HEARTH_CHECK(read_string(field, at, w.name, why));
      has_name = true;
    } else if (key == "from") {
      HEARTH_CHECK(read_number(field, at, 0, INT64_MAX, w.from, why));
      has_from = true;
    } else if (key == "to") {
      HEARTH_CHECK(read_number(field, at, 0, INT64_MAX, w.to, why));
      has_to = true;
    } else {
      return invalid(why, at + ": unknown field");
    }
  }
  if (!has_name) return invalid(why, path + ".name: missing");
  if (!has_from) return invalid(why, path + ".from: missing");
  if (!has_to) return invalid(why, path + ".to: missing");
  return w;
}

result<Privilege> read_privilege(const json::value& v, const std::string& path, std::string* why) {
  if (!v.is_object()) return invalid(why, path + ": expected an object");
  Privilege p;
  bool has_points = false, has_permission = false;
  for (const auto& [key, field] : v.get_object()) {
    const std::string at = path + "." + std::string(key);
    if (key == "points") {
      HEARTH_CHECK(read_number(field, at, 1, max_threshold, p.points, why));
      has_points = true;
    } else if (key == "permission") {
      std::string name;
      HEARTH_CHECK(read_string(field, at, name, why));
      auto perm = permission_from_string(name);
      if (!perm) return invalid(why, at + ": not a permission docs/permissions.md lists");
      p.permission = *perm;
      has_permission = true;
    } else {
      return invalid(why, at + ": unknown field");
    }
  }
  if (!has_points) return invalid(why, path + ".points: missing");
  if (!has_permission) return invalid(why, path + ".permission: missing");
  return p;
}

}  // namespace

std::string_view to_string(ReputationReason r) noexcept {
  for (const auto& [value, name] : reason_names)
    if (value == r) return name;
  return "unknown";
}

std::optional<ReputationReason> reputation_reason_from_string(std::string_view s) noexcept {
  for (const auto& [value, name] : reason_names)
    if (name == s) return value;
  return std::nullopt;
}

std::string_view to_string(Period p) noexcept {
  switch (p) {
    case Period::all_time:
      return "all_time";
    case Period::week:
      return "week";
    case Period::month:
      return "month";
    case Period::custom:
      return "custom";
  }
  return "unknown";
}

std::optional<Period> period_from_string(std::string_view s) noexcept {
  for (Period p : {Period::all_time, Period::week, Period::month, Period::custom})
    if (to_string(p) == s) return p;
  return std::nullopt;
}

ReputationRules ReputationRules::qa_points() {
  ReputationRules r;
  r.reactions = {{"+1", 10, 10, 0, 0, 0}, {"-1", -2, -2, 0, -1, 0}};
  r.accepted_answerer = 15;
  r.accepted_asker = 2;
  r.daily_cap = 200;
  r.accepted_counts_to_cap = false;
  r.serial_votes = 10;
  r.serial_window_ms = day_ms;
  return r;
}

ReputationRules ReputationRules::qa() {
  ReputationRules r = qa_points();
  r.reactions[1].min_points = 125;
  r.privileges = {{50, Permission::attach_links}, {500, Permission::mention_many}};
  return r;
}

ReputationRules ReputationRules::forum() {
  ReputationRules r;
  r.reactions = {{"+1", 0, 0, 0, 0, 0}, {"heart", 0, 0, 0, 0, 0}, {"thanks", 0, 0, 0, 0, 0}};
  r.serial_votes = 20;
  r.serial_window_ms = day_ms;
  return r;
}

ReputationRules ReputationRules::guild() {
  ReputationRules r;
  r.awards = true;
  r.award_max = 10'000;
  return r;
}

result<ReputationRules> ReputationRules::preset(std::string_view name) {
  if (name == "qa") return qa();
  if (name == "forum") return forum();
  if (name == "guild") return guild();
  return errc::not_found;
}

const ReactionPoints* ReputationRules::points_for(std::string_view kind) const noexcept {
  for (const auto& rp : reactions)
    if (rp.kind == kind) return &rp;
  return nullptr;
}

Permissions ReputationRules::privileged() const noexcept {
  Permissions out;
  for (const auto& p : privileges) out = out | Permissions{p.permission};
  return out;
}

Permissions ReputationRules::earned(std::int64_t points) const noexcept {
  Permissions out;
  for (const auto& p : privileges)
    if (points >= p.points) out = out | Permissions{p.permission};
  return out;
}

result<void> ReputationRules::validate(std::string* why) const {
  for (std::size_t i = 0; i < reactions.size(); ++i) {
    const ReactionPoints& rp = reactions[i];
    const std::string at = "reactions[" + std::to_string(i) + "]";
    if (!well_formed_kind(rp.kind))
      return invalid(why, at + ".kind: 1..32 bytes of printable ASCII, no space");
    for (std::size_t j = 0; j < i; ++j)
      if (reactions[j].kind == rp.kind) return invalid(why, at + ".kind: repeated");
    if (!within(rp.on_thread) || !within(rp.on_reply) || !within(rp.giver_thread) ||
        !within(rp.giver_reply))
      return invalid(why, at + ": points beyond ±1000000");
    if (rp.min_points < 0 || rp.min_points > max_threshold)
      return invalid(why, at + ".min_points: out of range 0..1000000000");
  }
  for (std::size_t i = 0; i < privileges.size(); ++i) {
    const Privilege& p = privileges[i];
    const std::string at = "privileges[" + std::to_string(i) + "]";
    if (p.points < 1 || p.points > max_threshold)
      return invalid(why, at + ".points: out of range 1..1000000000");
    if (to_string(p.permission) == "unknown")
      return invalid(why, at + ".permission: not a permission");
    for (std::size_t j = 0; j < i; ++j)
      if (privileges[j].permission == p.permission)
        return invalid(why, at + ".permission: repeated");
  }
  if (!within(accepted_answerer)) return invalid(why, "accepted_answerer: beyond ±1000000");
  if (!within(accepted_asker)) return invalid(why, "accepted_asker: beyond ±1000000");
  if (daily_cap < 0 || daily_cap > max_points)
    return invalid(why, "daily_cap: out of range 0..1000000");
  if (award_max < 1 || award_max > max_points)
    return invalid(why, "award_max: out of range 1..1000000");
  if (!within(sanctions.warn) || !within(sanctions.timeout) || !within(sanctions.suspend) ||
      !within(sanctions.ban))
    return invalid(why, "sanctions: points beyond ±1000000");
  if (serial_window_ms < 1 || serial_window_ms > max_serial_window_ms)
    return invalid(why, "serial_window_ms: out of range 1..2592000000 (30 days)");
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const ReputationWindow& w = windows[i];
    const std::string at = "windows[" + std::to_string(i) + "]";
    if (!well_formed_window_name(w.name)) return invalid(why, at + ".name: 1..32 of [a-z0-9_.-]");
    for (std::size_t j = 0; j < i; ++j)
      if (windows[j].name == w.name) return invalid(why, at + ".name: repeated");
    if (w.from < 0 || w.to <= w.from) return invalid(why, at + ": to must come after from");
  }
  return {};
}

result<ReputationRules> ReputationRules::from_json(std::string_view text, std::string* why) {
  HEARTH_TRY(o, detail::parse_object(text, 8, why));
  ReputationRules r;
  if (const json::value* p = o.if_contains("preset")) {
    if (!p->is_string()) return invalid(why, "preset: expected a string");
    auto base = preset(std::string_view(p->get_string()));
    if (!base) return invalid(why, "preset: not one of qa, forum, guild");
    r = std::move(*base);
  }
  for (const auto& [key, field] : o) {
    const std::string at(key);
    if (key == "preset") continue;
    if (key == "reactions") {
      if (!field.is_array()) return invalid(why, at + ": expected an array");
      r.reactions.clear();
      for (std::size_t i = 0; i < field.get_array().size(); ++i) {
        HEARTH_TRY(
            rp, read_reaction(field.get_array()[i], "reactions[" + std::to_string(i) + "]", why));
        r.reactions.push_back(std::move(rp));
      }
    } else if (key == "windows") {
      if (!field.is_array()) return invalid(why, at + ": expected an array");
      r.windows.clear();
      for (std::size_t i = 0; i < field.get_array().size(); ++i) {
        HEARTH_TRY(w, read_window(field.get_array()[i], "windows[" + std::to_string(i) + "]", why));
        r.windows.push_back(std::move(w));
      }
    } else if (key == "privileges") {
      if (!field.is_array()) return invalid(why, at + ": expected an array");
      r.privileges.clear();
      for (std::size_t i = 0; i < field.get_array().size(); ++i) {
        HEARTH_TRY(
            p, read_privilege(field.get_array()[i], "privileges[" + std::to_string(i) + "]", why));
        r.privileges.push_back(p);
      }
    } else if (key == "accepted_answerer") {
      HEARTH_CHECK(read_number(field, at, -max_points, max_points, r.accepted_answerer, why));
    } else if (key == "accepted_asker") {
      HEARTH_CHECK(read_number(field, at, -max_points, max_points, r.accepted_asker, why));
    } else if (key == "daily_cap") {
      HEARTH_CHECK(read_number(field, at, 0, max_points, r.daily_cap, why));
    } else if (key == "accepted_counts_to_cap") {
      HEARTH_CHECK(read_bool(field, at, r.accepted_counts_to_cap, why));
    } else if (key == "awards") {
      HEARTH_CHECK(read_bool(field, at, r.awards, why));
    } else if (key == "award_max") {
      HEARTH_CHECK(read_number(field, at, 1, max_points, r.award_max, why));
    } else if (key == "serial_votes") {
      HEARTH_CHECK(read_number(field, at, 0, 1'000'000, r.serial_votes, why));
    } else if (key == "sanctions") {
      if (!field.is_object()) return invalid(why, at + ": expected an object");
      for (const auto& [kind, points] : field.get_object()) {
        const std::string where = at + "." + std::string(kind);
        std::int32_t* slot = kind == "warn"      ? &r.sanctions.warn
                             : kind == "timeout" ? &r.sanctions.timeout
                             : kind == "suspend" ? &r.sanctions.suspend
                             : kind == "ban"     ? &r.sanctions.ban
                                                 : nullptr;
        if (!slot) return invalid(why, where + ": unknown field");
        HEARTH_CHECK(read_number(points, where, -max_points, max_points, *slot, why));
      }
    } else if (key == "serial_window_ms") {
      HEARTH_CHECK(read_number(field, at, 1, max_serial_window_ms, r.serial_window_ms, why));
    } else {
      return invalid(why, at + ": unknown field");
    }
  }
  HEARTH_CHECK(r.validate(why));
  return r;
}

std::string ReputationRules::to_json() const {
  json::object o;
  json::array rs;
  for (const auto& rp : reactions)
    rs.push_back(json::object{{"kind", rp.kind},
                              {"on_thread", rp.on_thread},
                              {"on_reply", rp.on_reply},
                              {"giver_thread", rp.giver_thread},
                              {"giver_reply", rp.giver_reply},
                              {"min_points", rp.min_points}});
  o["reactions"] = std::move(rs);
  o["accepted_answerer"] = accepted_answerer;
  o["accepted_asker"] = accepted_asker;
  o["daily_cap"] = daily_cap;
  o["accepted_counts_to_cap"] = accepted_counts_to_cap;
  o["awards"] = awards;
  o["award_max"] = award_max;
  o["serial_votes"] = serial_votes;
  o["serial_window_ms"] = serial_window_ms;
  json::array ws;
  for (const auto& w : windows)
    ws.push_back(json::object{{"name", w.name}, {"from", w.from}, {"to", w.to}});
  o["windows"] = std::move(ws);
  json::array ps;
  for (const auto& p : privileges)
    ps.push_back(json::object{{"points", p.points}, {"permission", to_string(p.permission)}});
  o["privileges"] = std::move(ps);
  o["sanctions"] = json::object{{"warn", sanctions.warn},
                                {"timeout", sanctions.timeout},
                                {"suspend", sanctions.suspend},
                                {"ban", sanctions.ban}};
  return json::serialize(o);
}

}  // namespace hearth
