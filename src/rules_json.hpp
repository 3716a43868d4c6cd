// What the JSON readers of rule sets share (TrustRules, ReputationRules, BadgeRules; not
// installed).
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "hearth/error.hpp"

namespace hearth::detail {

// invalid_argument, with `message` (a sentence naming the field) in *why when it is given.
inline failure invalid(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return failure{errc::invalid_argument};
}

// A reaction kind as rules name it: 1..32 bytes of printable ASCII, no space.
inline bool well_formed_kind(std::string_view kind) noexcept {
  if (kind.empty() || kind.size() > 32) return false;
  for (char c : kind)
    if (c <= ' ' || c >= 0x7f) return false;
  return true;
}

// `text` as a JSON object nested at most `max_depth` deep: invalid_argument otherwise ("not
// JSON: ...", "expected a JSON object").
inline result<boost::json::object> parse_object(std::string_view text, std::size_t max_depth,
                                                std::string* why) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = max_depth;
  boost::json::value v = boost::json::parse(text, ec, {}, options);
  if (ec) return invalid(why, "not JSON: " + ec.message());
  if (!v.is_object()) return invalid(why, "expected a JSON object");
  return std::move(v.get_object());
}

}  // namespace hearth::detail
