#include "hearth/error.hpp"

#include <string>

namespace hearth {
namespace {

class HearthCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "hearth"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::invalid_argument:
        return "invalid argument";
      case errc::empty_field:
        return "a required text is empty";
      case errc::too_long:
        return "a text is over its limit";
      case errc::invalid_utf8:
        return "a text is not valid UTF-8";
      case errc::invalid_cursor:
        return "the pagination cursor is not valid for this listing";
      case errc::not_found:
        return "not found";
      case errc::already_exists:
        return "already exists";
      case errc::gone:
        return "the target was deleted";
      case errc::forbidden:
        return "forbidden";
      case errc::conflict:
        return "the current state does not allow this";
      case errc::rate_limited:
        return "rate limited";
      case errc::unavailable:
        return "temporarily unavailable";
      case errc::storage_error:
        return "storage error";
      case errc::internal:
        return "internal error";
      case errc::full:
        return "the space is at its member cap";
      case errc::suspended:
        return "the member is suspended";
      case errc::timed_out:
        return "the member is timed out";
      case errc::blocked:
        return "an auto-moderation rule refused the post";
    }
    return "unknown hearth error";
  }
};

}  // namespace

std::string_view errc_name(errc e) noexcept {
  switch (e) {
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::empty_field:
      return "empty_field";
    case errc::too_long:
      return "too_long";
    case errc::invalid_utf8:
      return "invalid_utf8";
    case errc::invalid_cursor:
      return "invalid_cursor";
    case errc::not_found:
      return "not_found";
    case errc::already_exists:
      return "already_exists";
    case errc::gone:
      return "gone";
    case errc::forbidden:
      return "forbidden";
    case errc::conflict:
      return "conflict";
    case errc::rate_limited:
      return "rate_limited";
    case errc::unavailable:
      return "unavailable";
    case errc::storage_error:
      return "storage_error";
    case errc::internal:
      return "internal";
    case errc::full:
      return "full";
    case errc::suspended:
      return "suspended";
    case errc::timed_out:
      return "timed_out";
    case errc::blocked:
      return "blocked";
  }
  return "unknown";
}

std::string_view error_name(const boost::system::error_code& ec) noexcept {
  if (ec.category() != hearth_category()) return "unknown";
  return errc_name(static_cast<errc>(ec.value()));
}

const boost::system::error_category& hearth_category() noexcept {
  static const HearthCategory category;
  return category;
}

}  // namespace hearth
