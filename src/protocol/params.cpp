#include "params.hpp"

#include <algorithm>
#include <charconv>

namespace hearth::protocol::detail {

namespace json = boost::json;

const json::value* Params::find(std::string_view key) {
  read_.push_back(key);
  if (!params_) return nullptr;
  const json::value* v = params_->if_contains(key);
  // null is the same as absent: clients that build objects with optional fields send it.
  return v && !v->is_null() ? v : nullptr;
}

void Params::fail(std::string_view key, std::string_view why) {
  if (!message_.empty()) return;
  message_ = "params.";
  message_ += key;
  message_ += ": ";
  message_ += why;
}

namespace {

std::optional<std::uint64_t> parse_id(const json::value& v) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64()) {
    if (v.get_int64() < 0) return std::nullopt;
    return static_cast<std::uint64_t>(v.get_int64());
  }
  if (!v.is_string()) return std::nullopt;
  const json::string& s = v.get_string();
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t out = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
  return out;
}

}  // namespace

std::uint64_t Params::raw_id(std::string_view key, bool required) {
  const json::value* v = find(key);
  if (!v) {
    if (required) fail(key, "required (an id)");
    return 0;
  }
  auto id = parse_id(*v);
  if (!id) {
    fail(key, "expected an id (a string of decimal digits)");
    return 0;
  }
  if (required && *id == 0) fail(key, "required (an id, not \"0\")");
  return *id;
}

std::vector<std::uint64_t> Params::ids(std::string_view key) {
  std::vector<std::uint64_t> out;
  const json::value* v = find(key);
  if (!v) return out;
  if (!v->is_array()) {
    fail(key, "expected an array of ids");
    return out;
  }
  out.reserve(v->get_array().size());
  for (const auto& item : v->get_array()) {
    auto id = parse_id(item);
    if (!id || *id == 0) {
      fail(key, "expected an array of ids (strings of decimal digits)");
      return {};
    }
    out.push_back(*id);
  }
  return out;
}

std::optional<std::string> Params::opt_str(std::string_view key) {
  const json::value* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    fail(key, "expected a string");
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::string Params::str(std::string_view key) {
  const bool present = find(key) != nullptr;
  read_.pop_back();
  if (!present) {
    fail(key, "required (a string)");
    return {};
  }
  return opt_str(key).value_or(std::string{});
}

std::string Params::str_or(std::string_view key, std::string_view fallback) {
  auto s = opt_str(key);
  return s ? std::move(*s) : std::string(fallback);
}

std::optional<bool> Params::opt_bool(std::string_view key) {
  const json::value* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    fail(key, "expected true or false");
    return std::nullopt;
  }
  return v->get_bool();
}

bool Params::boolean(std::string_view key) {
  auto b = opt_bool(key);
  if (!b) fail(key, "required (true or false)");
  return b.value_or(false);
}

std::optional<std::int64_t> Params::opt_i64(std::string_view key) {
  const json::value* v = find(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->get_uint64());
  fail(key, "expected an integer");
  return std::nullopt;
}

std::optional<std::uint32_t> Params::opt_u32(std::string_view key) {
  const json::value* v = find(key);
  if (!v) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= 0 && v->get_int64() <= UINT32_MAX)
    return static_cast<std::uint32_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= UINT32_MAX)
    return static_cast<std::uint32_t>(v->get_uint64());
  fail(key, "expected an integer from 0 to 4294967295");
  return std::nullopt;
}

std::int64_t Params::i64(std::string_view key) {
  const bool present = find(key) != nullptr;
  read_.pop_back();
  if (!present) {
    fail(key, "required (an integer)");
    return 0;
  }
  return opt_i64(key).value_or(0);
}

std::uint32_t Params::u32(std::string_view key) {
  const bool present = find(key) != nullptr;
  read_.pop_back();
  if (!present) {
    fail(key, "required (an integer)");
    return 0;
  }
  return opt_u32(key).value_or(0);
}

const json::object* Params::object(std::string_view key) {
  const json::value* v = find(key);
  if (!v || !v->is_object()) {
    fail(key, "expected an object");
    return nullptr;
  }
  return &v->get_object();
}

std::optional<std::vector<std::string>> Params::opt_strs(std::string_view key) {
  const json::value* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    fail(key, "expected an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(v->get_array().size());
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) {
      fail(key, "expected an array of strings");
      return std::nullopt;
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

std::optional<Permissions> Params::opt_permissions(std::string_view key) {
  auto names = opt_strs(key);
  if (!names) return std::nullopt;
  Permissions out;
  for (const auto& n : *names) {
    auto p = permission_from_string(n);
    if (!p) {
      fail(key, "not a permission name (docs/permissions.md)");
      return std::nullopt;
    }
    out = out | Permissions{*p};
  }
  return out;
}

PageRequest Params::page() {
  PageRequest page;
  page.cursor = str_or("cursor", "");
  if (auto limit = opt_u32("limit")) page.limit = *limit;
  return page;
}

bool Params::done() {
  if (!message_.empty()) return false;
  if (!params_) return true;
  for (const auto& [key, value] : *params_) {
    if (std::find(read_.begin(), read_.end(), std::string_view(key)) == read_.end()) {
      fail(key, "unknown parameter");
      return false;
    }
  }
  return true;
}

}  // namespace hearth::protocol::detail
