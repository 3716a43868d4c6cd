// hearth error model: every public call returns hearth::result<T>; no exception crosses the API.
#pragma once

#include <string_view>
#include <system_error>
#include <type_traits>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace hearth {

// The error codes of the public API. Each maps 1:1 to a protocol error name (errc_name).
// Value 0 is reserved for success, as for every error_code category.
enum class errc : int {
  invalid_argument = 1,  // malformed input: bad handle, unknown reaction kind, bad limit
  empty_field,           // a required text (title, body, name) is empty after trimming
  too_long,              // a text is over its configured limit
  invalid_utf8,          // a text is not well-formed UTF-8
  invalid_cursor,        // a pagination cursor that this engine did not issue for this listing
  not_found,             // the id, handle or external reference names nothing
  already_exists,        // a unique key is taken (handle, external reference)
  gone,           // the target was deleted (a soft-deleted thread or post, a deactivated member)
  forbidden,      // the actor may not do this (not a member of the space, ...)
  conflict,       // the state does not allow it (e.g. leaving a space one owns)
  rate_limited,   // too many calls; retry later
  unavailable,    // the storage or a dependency is temporarily unavailable (busy, locked)
  storage_error,  // the storage failed (I/O, corruption, an adapter exception)
  internal,       // a broken invariant inside hearth: a bug
  full,           // the space is at its member cap
  suspended,      // the actor is suspended or banned community-wide (Engine::restriction: until)
  timed_out,      // the actor is timed out here: no posts, replies, edits or reactions (until)
  blocked,        // an auto-moderation rule refused the post (Engine::moderation_history: why)
};

// The stable, protocol-visible name of a code ("not_found"). "unknown" for values outside errc.
std::string_view errc_name(errc e) noexcept;

// The protocol-visible name of any error a hearth call returned: errc_name for hearth codes,
// "unknown" for codes of other categories (hearth calls return only hearth codes).
std::string_view error_name(const boost::system::error_code& ec) noexcept;

// The category of hearth::errc; its name() is "hearth".
const boost::system::error_category& hearth_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), hearth_category()};
}

using error_code = boost::system::error_code;

template <class T>
using result = boost::system::result<T, error_code>;

// An error on its way out of a function returning any result<T> (even result<bool>, which an
// error_code does not convert to implicitly).
struct failure {
  error_code ec;
  template <class T>
  operator result<T>() const {  // NOLINT(google-explicit-constructor): that is its purpose
    return result<T>(boost::system::in_place_error, ec);
  }
};

// True when `ec` is the hearth code `e`.
inline bool is(const error_code& ec, errc e) noexcept { return ec == make_error_code(e); }

}  // namespace hearth

namespace boost::system {
template <>
struct is_error_code_enum<hearth::errc> : std::true_type {};
}  // namespace boost::system

// Propagates an error out of a function returning result<U>: `HEARTH_TRY(x, expr);` declares x.
#define HEARTH_CONCAT_INNER(a, b) a##b
#define HEARTH_CONCAT(a, b) HEARTH_CONCAT_INNER(a, b)
#define HEARTH_TRY(var, expr)                                               \
  auto HEARTH_CONCAT(hearth_try_, __LINE__) = (expr);                       \
  if (!HEARTH_CONCAT(hearth_try_, __LINE__))                                \
    return ::hearth::failure{HEARTH_CONCAT(hearth_try_, __LINE__).error()}; \
  auto var = std::move(*HEARTH_CONCAT(hearth_try_, __LINE__))
// The same for result<void> (nothing to bind).
#define HEARTH_CHECK(expr)                                                 \
  do {                                                                     \
    auto hearth_check_r = (expr);                                          \
    if (!hearth_check_r) return ::hearth::failure{hearth_check_r.error()}; \
  } while (0)
