// Reads a request's parameters field by field (internal to the protocol). The first problem is
// kept with a message naming the field; done() also rejects parameters nobody read (typos).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "hearth/id.hpp"
#include "hearth/model.hpp"
#include "hearth/permissions.hpp"

namespace hearth::protocol::detail {

class Params {
 public:
  // `params`: the request's "params" object; null for none (every field absent).
  explicit Params(const boost::json::object* params) : params_(params) {}

  // An id: a string of decimal digits (or a non-negative integer), "0" for no id.
  template <class IdT>
  IdT id(std::string_view key) {
    return IdT{raw_id(key, true)};
  }
  template <class IdT>
  IdT opt_id(std::string_view key) {
    return IdT{raw_id(key, false)};
  }
  std::vector<std::uint64_t> ids(std::string_view key);  // optional; absent: empty
  // Whether the field is there (and not null).
  bool has(std::string_view key) { return find(key) != nullptr; }

  std::string str(std::string_view key);  // required
  std::optional<std::string> opt_str(std::string_view key);
  std::string str_or(std::string_view key, std::string_view fallback);

  std::optional<bool> opt_bool(std::string_view key);
  bool bool_or(std::string_view key, bool fallback) { return opt_bool(key).value_or(fallback); }
  bool boolean(std::string_view key);  // required

  std::optional<std::uint32_t> opt_u32(std::string_view key);
  std::uint32_t u32(std::string_view key);  // required
  std::optional<std::int64_t> opt_i64(std::string_view key);
  std::int64_t i64(std::string_view key);  // required

  std::optional<std::vector<std::string>> opt_strs(std::string_view key);
  // A JSON object, required; null (and the failure noted) when absent or not an object.
  const boost::json::object* object(std::string_view key);
  std::optional<Permissions> opt_permissions(std::string_view key);  // ["view", "react"]

  // An enumeration by name, with the model's from_string (e.g. space_kind_from_string).
  template <class E>
  std::optional<E> opt_enum(std::string_view key, std::optional<E> (*parse)(std::string_view)) {
    auto s = opt_str(key);
    if (!s) return std::nullopt;
    auto e = parse(*s);
    if (!e) fail(key, "not one of the names docs/protocol.md lists");
    return e;
  }

  // "cursor" (default empty) and "limit" (default 50).
  PageRequest page();

  // Whether every field read was well-formed and no field was left unread. After a false, the
  // message says which field and why ("params.space: expected an id").
  bool done();
  const std::string& message() const noexcept { return message_; }

 private:
  const boost::json::value* find(std::string_view key);
  std::uint64_t raw_id(std::string_view key, bool required);
  void fail(std::string_view key, std::string_view why);

  const boost::json::object* params_;
  std::vector<std::string_view> read_;  // the keys looked up
  std::string message_;
};

}  // namespace hearth::protocol::detail
