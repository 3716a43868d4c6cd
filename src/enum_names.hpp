// An enum's protocol-visible names, from a table of (value, name) pairs (not installed).
#pragma once

#include <optional>
#include <string_view>

namespace hearth::detail {

// The name of `value` in `table`, "unknown" for a value it does not hold.
template <class Table, class Enum>
constexpr std::string_view name_of(const Table& table, Enum value) noexcept {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "unknown";
}

// The value named `name` in `table`, if any.
template <class Enum, class Table>
constexpr std::optional<Enum> value_of(const Table& table, std::string_view name) noexcept {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return std::nullopt;
}

}  // namespace hearth::detail
