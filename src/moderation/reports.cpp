#include "hearth/moderation/reports.hpp"

#include <array>
#include <utility>

#include "../enum_names.hpp"

namespace hearth {
namespace {

constexpr std::array<std::pair<ReportReason, std::string_view>, 5> reasons{{
    {ReportReason::spam, "spam"},
    {ReportReason::harassment, "harassment"},
    {ReportReason::off_topic, "off_topic"},
    {ReportReason::inappropriate, "inappropriate"},
    {ReportReason::other, "other"},
}};

constexpr std::array<std::pair<ReportStatus, std::string_view>, 4> statuses{{
    {ReportStatus::open, "open"},
    {ReportStatus::upheld, "upheld"},
    {ReportStatus::rejected, "rejected"},
    {ReportStatus::dismissed, "dismissed"},
}};

constexpr std::array<std::pair<ReviewSource, std::string_view>, 4> sources{{
    {ReviewSource::reports, "reports"},
    {ReviewSource::auto_moderation, "auto_moderation"},
    {ReviewSource::first_post, "first_post"},
    {ReviewSource::appeal, "appeal"},
}};

constexpr std::array<std::pair<ReviewAction, std::string_view>, 4> actions{{
    {ReviewAction::approve, "approve"},
    {ReviewAction::hide, "hide"},
    {ReviewAction::remove, "remove"},
    {ReviewAction::dismiss, "dismiss"},
}};

}  // namespace

std::string_view to_string(ReportReason r) noexcept { return detail::name_of(reasons, r); }
std::optional<ReportReason> report_reason_from_string(std::string_view s) noexcept {
  return detail::value_of<ReportReason>(reasons, s);
}
std::string_view to_string(ReportStatus s) noexcept { return detail::name_of(statuses, s); }
std::optional<ReportStatus> report_status_from_string(std::string_view s) noexcept {
  return detail::value_of<ReportStatus>(statuses, s);
}
std::string_view to_string(ReviewSource s) noexcept { return detail::name_of(sources, s); }
std::string_view to_string(ReviewAction a) noexcept { return detail::name_of(actions, a); }
std::optional<ReviewAction> review_action_from_string(std::string_view s) noexcept {
  return detail::value_of<ReviewAction>(actions, s);
}

}  // namespace hearth
