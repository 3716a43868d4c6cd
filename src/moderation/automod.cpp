#include "hearth/moderation/automod.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <set>
#include <utility>

#include "../rules_json.hpp"
#include "../text.hpp"
#include "hearth/moderation/pattern.hpp"

namespace hearth::moderation {
namespace {

namespace json = boost::json;
using detail::invalid;
using detail::read_bool;
using detail::read_number;
using detail::read_string;

constexpr std::array<std::string_view, 4> action_names = {"censor", "review", "require_approval",
                                                          "block"};

std::string_view action_name(WordAction a) noexcept {
  const auto i = static_cast<std::size_t>(a);
  return i < action_names.size() ? action_names[i] : "unknown";
}

result<void> read_action(const json::value& v, const std::string& path, WordAction& out,
                         std::string* why) {
  if (v.is_string())
    for (std::size_t i = 0; i < action_names.size(); ++i)
      if (v.get_string() == action_names[i]) {
        out = static_cast<WordAction>(i);
        return {};
      }
  return invalid(why, path + ": expected one of censor, review, require_approval, block");
}

bool printable_ascii(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// A domain as rules name it: labels of ASCII letters, digits and '-', joined by single dots,
// at most 253 bytes.
bool well_formed_domain(std::string_view d) noexcept {
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.back() == '.') return false;
  char prev = '.';
  for (const char c : d) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

result<void> check_domains(const std::vector<std::string>& domains, const std::string& path,
                           std::string* why) {
  if (domains.size() > automod_max_domains)
    return invalid(why, path + ": more than " + std::to_string(automod_max_domains) + " domains");
  for (const auto& d : domains)
    if (!well_formed_domain(d)) return invalid(why, path + ": not a domain: \"" + d + "\"");
  return {};
}

result<void> check_window(std::int64_t ms, const std::string& path, std::string* why) {
  if (ms < 0 || ms > automod_max_window_ms)
    return invalid(why,
                   path + ": out of range 0.." + std::to_string(automod_max_window_ms) + " (ms)");
  return {};
}

result<std::vector<std::string>> read_strings(const json::value& v, const std::string& path,
                                              std::string* why) {
  if (!v.is_array()) return invalid(why, path + ": expected an array of strings");
  std::vector<std::string> out;
  for (const auto& item : v.get_array()) {
    if (!item.is_string()) return invalid(why, path + ": expected an array of strings");
    out.emplace_back(item.get_string());
  }
  return out;
}

result<WatchedWord> read_word(const json::value& v, const std::string& path, std::string* why) {
  if (!v.is_object()) return invalid(why, path + ": expected an object");
  WatchedWord w;
  bool has_pattern = false;
  for (const auto& [key, field] : v.get_object()) {
    const std::string at = path + "." + std::string(key);
    if (key == "pattern") {
      HEARTH_CHECK(read_string(field, at, w.pattern, why));
      has_pattern = true;
    } else if (key == "action") {
      HEARTH_CHECK(read_action(field, at, w.action, why));
    } else if (key == "whole_word") {
      HEARTH_CHECK(read_bool(field, at, w.whole_word, why));
    } else {
      return invalid(why, at + ": unknown field");
    }
  }
  if (!has_pattern) return invalid(why, path + ".pattern: missing");
  return w;
}

result<PatternRule> read_pattern(const json::value& v, const std::string& path, std::string* why) {
  if (!v.is_object()) return invalid(why, path + ": expected an object");
  PatternRule p;
  bool has_regex = false;
  for (const auto& [key, field] : v.get_object()) {
    const std::string at = path + "." + std::string(key);
    if (key == "name") {
      HEARTH_CHECK(read_string(field, at, p.name, why));
    } else if (key == "regex") {
      HEARTH_CHECK(read_string(field, at, p.regex, why));
      has_regex = true;
    } else if (key == "action") {
      HEARTH_CHECK(read_action(field, at, p.action, why));
    } else if (key == "case_insensitive") {
      HEARTH_CHECK(read_bool(field, at, p.case_insensitive, why));
    } else {
      return invalid(why, at + ": unknown field");
    }
  }
  if (!has_regex) return invalid(why, path + ".regex: missing");
  return p;
}

result<LinkRules> read_links(const json::value& v, const std::string& path, std::string* why) {
  if (!v.is_object()) return invalid(why, path + ": expected an object");
  LinkRules l;
  for (const auto& [key, field] : v.get_object()) {
    const std::string at = path + "." + std::string(key);
    if (key == "allow") {
      HEARTH_TRY(list, read_strings(field, at, why));
      l.allow = std::move(list);
    } else if (key == "deny") {
      HEARTH_TRY(list, read_strings(field, at, why));
      l.deny = std::move(list);
    } else if (key == "min_trust_level") {
      HEARTH_CHECK(read_number(field, at, 0, 4, l.min_trust_level, why));
    } else if (key == "action") {
      HEARTH_CHECK(read_action(field, at, l.action, why));
    } else {
      return invalid(why, at + ": unknown field");
    }
  }
  return l;
}

json::array strings_json(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

bool host_char(unsigned char c) noexcept {
  return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '-' || c == '_' || c == '@' || c == ':' || c == '%' || c == '~' ||
         c == '+';
}

}  // namespace

bool AutomodRules::empty() const noexcept {
  return inherit && words.empty() && patterns.empty() && links.allow.empty() &&
         links.deny.empty() && links.min_trust_level == 0 && max_mentions == 0 &&
         duplicate_window_ms == 0 && slow_mode_ms == 0 && space_posts_per_minute == 0 &&
         approval_below_trust_level == 0;
}

result<void> validate(const AutomodRules& r, std::string* why) {
  if (!r.words.empty()) {
    auto list = Watchlist::build(r.words);
    if (!list) {
      if (list.error() != make_error_code(errc::invalid_argument)) return failure{list.error()};
      // Find the entry at fault, to name it.
      for (std::size_t i = 0; i < r.words.size(); ++i)
        if (!Watchlist::build({r.words[i]}))
          return invalid(why, "words[" + std::to_string(i) + "]: not a usable watched word");
      return invalid(why, "words: more entries or bytes than a list may hold");
    }
  }
  if (r.patterns.size() > automod_max_patterns)
    return invalid(why, "patterns: more than " + std::to_string(automod_max_patterns));
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < r.patterns.size(); ++i) {
    const PatternRule& p = r.patterns[i];
    const std::string at = "patterns[" + std::to_string(i) + "]";
    if (p.name.empty() || p.name.size() > 64 || !printable_ascii(p.name))
      return invalid(why, at + ".name: expected 1..64 bytes of printable ASCII");
    if (!names.insert(p.name).second) return invalid(why, at + ".name: repeated: " + p.name);
    std::string reason;
    if (!Pattern::compile(p.regex, p.case_insensitive, &reason))
      return invalid(why, at + ".regex: " + reason);
  }
  HEARTH_CHECK(check_domains(r.links.allow, "links.allow", why));
  HEARTH_CHECK(check_domains(r.links.deny, "links.deny", why));
  if (r.links.min_trust_level > 4) return invalid(why, "links.min_trust_level: out of range 0..4");
  if (r.links.action == WordAction::censor)
    return invalid(why, "links.action: censor is for words and patterns");
  if (r.max_mentions > 1000) return invalid(why, "max_mentions: out of range 0..1000");
  if (r.mentions_action == WordAction::censor)
    return invalid(why, "mentions_action: censor is for words and patterns");
  HEARTH_CHECK(check_window(r.duplicate_window_ms, "duplicate_window_ms", why));
  if (r.duplicate_action == WordAction::censor)
    return invalid(why, "duplicate_action: censor is for words and patterns");
  HEARTH_CHECK(check_window(r.slow_mode_ms, "slow_mode_ms", why));
  if (r.space_posts_per_minute > 100'000)
    return invalid(why, "space_posts_per_minute: out of range 0..100000");
  if (r.approval_below_trust_level > 4)
    return invalid(why, "approval_below_trust_level: out of range 0..4");
  if (r.exempt_roles.size() > automod_max_exempt_roles)
    return invalid(why, "exempt_roles: more than " + std::to_string(automod_max_exempt_roles));
  for (const RoleId role : r.exempt_roles)
    if (!role) return invalid(why, "exempt_roles: a role id is 0");
  return {};
}

std::string to_json(const AutomodRules& r) {
  json::object o;
  o["inherit"] = r.inherit;
  json::array words;
  for (const auto& w : r.words) {
    json::object e;
    e["pattern"] = w.pattern;
    e["action"] = action_name(w.action);
    e["whole_word"] = w.whole_word;
    words.emplace_back(std::move(e));
  }
  o["words"] = std::move(words);
  json::array patterns;
  for (const auto& p : r.patterns) {
    json::object e;
    e["name"] = p.name;
    e["regex"] = p.regex;
    e["action"] = action_name(p.action);
    e["case_insensitive"] = p.case_insensitive;
    patterns.emplace_back(std::move(e));
  }
  o["patterns"] = std::move(patterns);
  json::object links;
  links["allow"] = strings_json(r.links.allow);
  links["deny"] = strings_json(r.links.deny);
  links["min_trust_level"] = r.links.min_trust_level;
  links["action"] = action_name(r.links.action);
  o["links"] = std::move(links);
  o["max_mentions"] = r.max_mentions;
  o["mentions_action"] = action_name(r.mentions_action);
  o["duplicate_window_ms"] = r.duplicate_window_ms;
  o["duplicate_action"] = action_name(r.duplicate_action);
  o["slow_mode_ms"] = r.slow_mode_ms;
  o["space_posts_per_minute"] = r.space_posts_per_minute;
  o["approval_below_trust_level"] = r.approval_below_trust_level;
  json::array roles;
  for (const RoleId role : r.exempt_roles) roles.emplace_back(std::to_string(role.value));
  o["exempt_roles"] = std::move(roles);
  return json::serialize(o);
}

result<AutomodRules> automod_rules_from_json(std::string_view text, std::string* why) {
  HEARTH_TRY(o, detail::parse_object(text, 6, why));
  AutomodRules r;
  for (const auto& [key, field] : o) {
    const std::string at(key);
    if (key == "inherit") {
      HEARTH_CHECK(read_bool(field, at, r.inherit, why));
    } else if (key == "words") {
      if (!field.is_array()) return invalid(why, at + ": expected an array");
      const auto& a = field.get_array();
      if (a.size() > watchlist_max_entries)
        return invalid(why, at + ": more than " + std::to_string(watchlist_max_entries));
      for (std::size_t i = 0; i < a.size(); ++i) {
        HEARTH_TRY(w, read_word(a[i], at + "[" + std::to_string(i) + "]", why));
        r.words.push_back(std::move(w));
      }
    } else if (key == "patterns") {
      if (!field.is_array()) return invalid(why, at + ": expected an array");
      const auto& a = field.get_array();
      if (a.size() > automod_max_patterns)
        return invalid(why, at + ": more than " + std::to_string(automod_max_patterns));
      for (std::size_t i = 0; i < a.size(); ++i) {
        HEARTH_TRY(p, read_pattern(a[i], at + "[" + std::to_string(i) + "]", why));
        r.patterns.push_back(std::move(p));
      }
    } else if (key == "links") {
      HEARTH_TRY(l, read_links(field, at, why));
      r.links = std::move(l);
    } else if (key == "max_mentions") {
      HEARTH_CHECK(read_number(field, at, 0, 1000, r.max_mentions, why));
    } else if (key == "mentions_action") {
      HEARTH_CHECK(read_action(field, at, r.mentions_action, why));
    } else if (key == "duplicate_window_ms") {
      HEARTH_CHECK(read_number(field, at, 0, automod_max_window_ms, r.duplicate_window_ms, why));
    } else if (key == "duplicate_action") {
      HEARTH_CHECK(read_action(field, at, r.duplicate_action, why));
    } else if (key == "slow_mode_ms") {
      HEARTH_CHECK(read_number(field, at, 0, automod_max_window_ms, r.slow_mode_ms, why));
    } else if (key == "space_posts_per_minute") {
      HEARTH_CHECK(read_number(field, at, 0, 100'000, r.space_posts_per_minute, why));
    } else if (key == "approval_below_trust_level") {
      HEARTH_CHECK(read_number(field, at, 0, 4, r.approval_below_trust_level, why));
    } else if (key == "exempt_roles") {
      HEARTH_TRY(ids, read_strings(field, at, why));
      if (ids.size() > automod_max_exempt_roles)
        return invalid(why, at + ": more than " + std::to_string(automod_max_exempt_roles));
      for (const auto& id : ids) {
        std::uint64_t n = 0;
        const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
        if (ec != std::errc{} || end != id.data() + id.size() || n == 0)
          return invalid(why, at + ": not a role id: \"" + id + "\"");
        r.exempt_roles.push_back(RoleId{n});
      }
    } else {
      return invalid(why, at + ": unknown field");
    }
  }
  HEARTH_CHECK(validate(r, why));
  return r;
}

std::vector<std::string> link_domains(std::string_view text) {
  std::vector<std::string> out;
  std::size_t end = 0;
  for (auto link = detail::find_link(text); link; link = detail::find_link(text, end)) {
    end = link->host;
    while (end < text.size() && host_char(static_cast<unsigned char>(text[end]))) ++end;
    end = std::max(end, link->start + 1);
    std::string_view host = text.substr(link->host, end - link->host);
    if (const auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
    if (const auto colon = host.find(':'); colon != std::string_view::npos)
      host = host.substr(0, colon);
    while (!host.empty() && (host.back() == '.' || host.back() == '-')) host.remove_suffix(1);
    if (host.empty()) continue;
    std::string lower(host);
    for (char& h : lower)
      if (h >= 'A' && h <= 'Z') h = static_cast<char>(h - 'A' + 'a');
    out.push_back(std::move(lower));
  }
  return out;
}

}  // namespace hearth::moderation
