// Reports (flags) and the review queue (docs/moderation.md, "Reports and the review queue").
// A member reports a post or a member; reports on one target gather in one review item of the
// target's space, weighted by the reporters' trust; moderators claim items and decide them once.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hearth/id.hpp"
#include "hearth/model.hpp"
#include "hearth/moderation/audit.hpp"

namespace hearth {

using ReportId = Id<struct ReportTag>;
using ReviewItemId = Id<struct ReviewItemTag>;

// Why a member reports. Stored values: new reasons are appended, none is renumbered.
enum class ReportReason : std::uint8_t {
  spam = 0,
  harassment,
  off_topic,
  inappropriate,
  other,  // needs a note
};
std::string_view to_string(ReportReason r) noexcept;
std::optional<ReportReason> report_reason_from_string(std::string_view s) noexcept;

// Where a report stands; the reporter learns it. Stored values, appended to like the reasons.
enum class ReportStatus : std::uint8_t {
  open = 0,
  upheld,     // the moderator acted on it: the content was hidden or removed, or the author banned
  rejected,   // the moderator found the content fine
  dismissed,  // closed without judging the content
};
std::string_view to_string(ReportStatus s) noexcept;
std::optional<ReportStatus> report_status_from_string(std::string_view s) noexcept;

struct Report {
  ReportId id;
  MemberId reporter;
  SpaceId space;           // the post's space, or where the member was reported
  MemberId target_member;  // the post's author, or the member reported
  PostId post;             // no id for a report about a member
  ReportReason reason = ReportReason::spam;
  std::string note;          // up to 500 code points; required for `other`
  std::uint32_t weight = 1;  // from the reporter's trust level (ReportOptions)
  ReviewItemId item;         // the review item it joined
  ReportStatus status = ReportStatus::open;
  Timestamp created_at = 0;
  Timestamp decided_at = 0;  // 0 while open
};

// What brought an item to the queue. Stored values.
enum class ReviewSource : std::uint8_t {
  reports = 0,      // members' reports
  auto_moderation,  // an auto-moderation rule or the classifier sent it (`flag` says which)
  first_post,       // a new member's first posts are reviewed
  appeal,           // the author appeals a moderation action (`appeal_of`, `flag`: their words)
};
std::string_view to_string(ReviewSource s) noexcept;

// A moderator's decision on an item. Stored values.
enum class ReviewAction : std::uint8_t {
  approve = 0,  // the content is fine: shown again if it was hidden; the reports are rejected
  hide,         // hidden from readers; its author keeps the reputation it earned
  remove,       // removed as a violation: the reputation it earned is withdrawn
  dismiss,      // the reports are closed without judging the content: shown again if hidden
};
std::string_view to_string(ReviewAction a) noexcept;
std::optional<ReviewAction> review_action_from_string(std::string_view s) noexcept;

struct ReviewItem {
  ReviewItemId id;
  SpaceId space;
  ReviewSource source = ReviewSource::reports;
  MemberId target_member;     // the post's author, or the member reported
  PostId post;                // no id for an item about a member
  std::uint32_t weight = 0;   // the sum of its reports' weights: its priority
  std::uint32_t reports = 0;  // how many reports joined it
  bool hidden = false;        // the reports hid the post pending review
  MemberId claimed_by;        // no id: unclaimed
  Timestamp claimed_until = 0;
  bool decided = false;
  ReviewAction decision = ReviewAction::approve;  // when decided
  MemberId decided_by;
  std::string reason;  // the decision's reason
  Timestamp created_at = 0;
  Timestamp decided_at = 0;
  // auto_moderation: the rule or classifier label that sent it, and the text it matched;
  // appeal: the author's statement. Empty otherwise.
  std::string flag;
  std::uint64_t appeal_of = 0;  // appeal: the audit entry of the action appealed; else 0
  MemberId acted_by;            // appeal: the moderator who took that action; else none
};

// A decision, as a moderator gives it.
struct ReviewDecision {
  ReviewAction action = ReviewAction::approve;
  std::string reason;  // required for hide and remove (1..500 code points), optional otherwise
  // Also sanctions the item's target member, in the decision's transaction and with its
  // reason: a warning or a timeout in the item's space, or a suspension or ban everywhere
  // (Engine::warn_member and the rest, with their authority and their expiry rules; expires_at
  // as they take it). Not with approve (invalid_argument).
  std::optional<SanctionKind> sanction;
  Timestamp sanction_expires_at = 0;
};

// An item with the reports that joined it, for the moderators deciding it.
struct ReviewItemDetail {
  ReviewItem item;
  std::vector<Report> reports;  // oldest first, reporters included
};

// A moderation action that concerns a member, as they see it (Engine::moderation_history).
struct ModerationRecord {
  // Who acted (a moderator's id, or a rule or classifier by name), what, on which post, why,
  // and what a rule matched. Never who reported.
  AuditEntry entry;
  bool appealable = false;           // appeal() would take it now
  std::optional<ReviewItem> appeal;  // the appeal filed against it, decided or not
};

// How reports weigh and when they hide a post (EngineOptions::reports).
struct ReportOptions {
  // A report's weight by its reporter's trust level (0..4).
  std::array<std::uint32_t, 5> weight_by_trust_level{1, 1, 2, 3, 4};
  // A post is hidden pending review once its open reports weigh this much (0: never hidden).
  std::uint32_t hide_threshold = 4;
  // How long a claim holds another moderator off (ms).
  Timestamp claim_ms = 10 * 60 * 1000;
};

}  // namespace hearth
