// What the JSON readers of rule sets share (TrustRules, ReputationRules, BadgeRules; not
// installed).
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
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

// An integer field in lo..hi, with `path` naming it in the error ("<path>: expected an
// integer", "<path>: out of range lo..hi").
inline result<std::int64_t> read_int(const boost::json::value& v, const std::string& path,
                                     std::int64_t lo, std::int64_t hi, std::string* why) {
  std::int64_t n = 0;
  if (v.is_int64()) {
    n = v.get_int64();
  } else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(hi)) {
    n = static_cast<std::int64_t>(v.get_uint64());
  } else {
    return invalid(why, path + ": expected an integer");
  }
  if (n < lo || n > hi)
    return invalid(why, path + ": out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  return n;
}

// read_int into `out`, of an integer type that holds lo..hi.
template <class T>
result<void> read_number(const boost::json::value& v, const std::string& path, std::int64_t lo,
                         std::int64_t hi, T& out, std::string* why) {
  HEARTH_TRY(n, read_int(v, path, lo, hi, why));
  out = static_cast<T>(n);
  return {};
}

inline result<void> read_bool(const boost::json::value& v, const std::string& path, bool& out,
                              std::string* why) {
  if (!v.is_bool()) return invalid(why, path + ": expected true or false");
  out = v.get_bool();
  return {};
}

inline result<void> read_string(const boost::json::value& v, const std::string& path,
                                std::string& out, std::string* why) {
  if (!v.is_string()) return invalid(why, path + ": expected a string");
  out = std::string(v.get_string());
  return {};
}

}  // namespace hearth::detail
