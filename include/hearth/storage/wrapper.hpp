// Forwarding storage: the base for fault injection in tests and for hosts that add metrics or
// tracing around an adapter (in the spirit of leveldb's EnvWrapper).
#pragma once

#include <memory>
#include <string_view>

#include "hearth/storage/storage.hpp"

namespace hearth {

// Forwards every call to `target`. Before forwarding, each method calls on_call(name) with its
// own name ("insert_post", "commit", ...); when that returns an error, the call returns it
// without reaching the target, and the transaction is spoilt: commit() then fails with
// storage_error and stores nothing, as after a real failure.
class TransactionWrapper : public Transaction {
 public:
  explicit TransactionWrapper(std::unique_ptr<Transaction> target) noexcept
      : target_(std::move(target)) {}

  result<void> commit() override;
  bool has_savepoints() const noexcept override;
  result<void> savepoint() override;
  result<void> release_savepoint() override;
  result<void> rollback_to_savepoint() override;
  result<void> insert_member(const Member& m) override;
  result<void> update_member(const Member& m) override;
  result<Member> get_member(MemberId id) override;
  result<Member> find_member_by_handle(std::string_view handle) override;
  result<Member> find_member_by_external_ref(std::string_view ref) override;
  result<void> insert_space(const Space& s) override;
  result<void> update_space(const Space& s) override;
  result<Space> get_space(SpaceId id) override;
  result<std::vector<Space>> list_child_spaces(SpaceId parent, SpaceId after,
                                               std::uint32_t limit) override;
  result<std::vector<SpaceHit>> find_spaces(const SpaceQuery& q, SpacePosition after,
                                            std::uint32_t limit) override;
  result<void> insert_membership(const Membership& m) override;
  result<void> delete_membership(SpaceId space, MemberId member) override;
  result<Membership> get_membership(SpaceId space, MemberId member) override;
  result<std::vector<Membership>> list_memberships(SpaceId space, MemberId after,
                                                   std::uint32_t limit) override;
  result<void> insert_role(const Role& r) override;
  result<void> update_role(const Role& r) override;
  result<Role> get_role(RoleId id) override;
  result<std::vector<Role>> list_roles(SpaceId space) override;
  result<void> delete_role(RoleId id) override;
  result<void> insert_role_assignment(const RoleAssignment& a) override;
  result<void> delete_role_assignment(SpaceId space, MemberId member, RoleId role) override;
  result<std::vector<RoleAssignment>> list_role_assignments(SpaceId space,
                                                            MemberId member) override;
  result<void> put_override(SpaceId space, const RoleOverride& o) override;
  result<void> delete_override(SpaceId space, RoleId role) override;
  result<std::vector<RoleOverride>> list_overrides(SpaceId space) override;
  result<void> put_ban(const Ban& b) override;
  result<void> delete_ban(SpaceId space, MemberId member) override;
  result<Ban> get_ban(SpaceId space, MemberId member) override;
  result<std::vector<Ban>> list_bans(SpaceId space, MemberId after, std::uint32_t limit) override;
  result<void> insert_sanction(const Sanction& s) override;
  result<void> update_sanction(const Sanction& s) override;
  result<Sanction> get_sanction(SanctionId id) override;
  result<std::vector<Sanction>> list_sanctions(MemberId member, SanctionId after,
                                               std::uint32_t limit) override;
  result<std::vector<Sanction>> list_sanctions_in_force(MemberId member, Timestamp now) override;
  result<void> insert_invite(const Invite& i) override;
  result<void> update_invite(const Invite& i) override;
  result<Invite> get_invite(std::string_view code) override;
  result<std::vector<Invite>> list_invites(SpaceId space, std::string_view after,
                                           std::uint32_t limit) override;
  result<void> insert_join_request(const JoinRequest& r) override;
  result<void> delete_join_request(SpaceId space, MemberId member) override;
  result<JoinRequest> get_join_request(SpaceId space, MemberId member) override;
  result<std::vector<JoinRequest>> list_join_requests(SpaceId space, MemberId after,
                                                      std::uint32_t limit) override;
  result<void> insert_thread(const Thread& t) override;
  result<void> update_thread(const Thread& t) override;
  result<Thread> get_thread(ThreadId id) override;
  result<std::vector<Thread>> list_threads(SpaceId space, const ThreadListing& q,
                                           ThreadPosition after, std::uint32_t limit) override;
  result<void> move_posts(ThreadId thread, SpaceId space) override;
  result<bool> has_posted(ThreadId thread, MemberId member) override;
  result<std::vector<Reaction>> list_reactions(PostId post, std::string_view kind, MemberId after,
                                               std::uint32_t limit) override;
  result<void> insert_post(const Post& p) override;
  result<void> update_post(const Post& p) override;
  result<Post> get_post(PostId id) override;
  result<std::vector<Post>> list_posts(ThreadId thread, PostId after, std::uint32_t limit) override;
  result<void> insert_revision(const Revision& r) override;
  result<std::vector<Revision>> list_revisions(PostId post) override;
  result<void> index_post(PostId post, const SearchDoc& doc) override;
  result<void> unindex_post(PostId post, const SearchDoc& indexed) override;
  result<std::vector<ScoredPost>> search_posts(const SearchQuery& q, std::uint32_t limit) override;
  result<std::vector<Post>> list_unindexed_posts(PostId after, std::uint32_t limit) override;
  result<bool> add_reaction(PostId post, MemberId member, std::string_view kind,
                            Timestamp at) override;
  result<bool> remove_reaction(PostId post, MemberId member, std::string_view kind) override;
  result<std::vector<Reaction>> list_member_reactions(PostId post, MemberId member) override;
  result<void> insert_notification(const Notification& n) override;
  result<void> update_notification(NotificationId id, const Notification& n) override;
  result<Notification> get_notification(MemberId recipient, NotificationId id) override;
  result<Notification> find_reaction_notification(MemberId recipient, PostId post) override;
  result<std::vector<Notification>> list_notifications(MemberId recipient, NotificationId before,
                                                       bool unread_only,
                                                       std::uint32_t limit) override;
  result<std::uint32_t> mark_notifications_read(MemberId recipient, NotificationId up_to) override;
  result<std::vector<std::pair<SpaceId, std::uint32_t>>> count_unread_notifications(
      MemberId recipient) override;
  result<void> put_read_marker(const ReadMarker& m) override;
  result<ReadMarker> get_read_marker(SpaceId space, MemberId member) override;
  result<std::vector<ReadMarker>> list_read_markers(MemberId member) override;
  result<std::vector<Membership>> list_member_spaces(MemberId member, SpaceId after,
                                                     std::uint32_t limit) override;
  result<std::uint32_t> count_posts_after(SpaceId space, PostId after, MemberId except,
                                          std::uint32_t cap) override;
  result<void> insert_reputation_entry(const ReputationEntry& e) override;
  result<std::vector<ReputationEntry>> list_reputation_entries(const LedgerQuery& q,
                                                               ReputationEntryId after,
                                                               std::uint32_t limit) override;
  result<ReputationTotal> get_reputation_total(SpaceId scope, std::string_view window,
                                               MemberId member) override;
  result<void> put_reputation_total(const ReputationTotal& t) override;
  result<std::int64_t> add_reputation_total(SpaceId scope, std::string_view window, MemberId member,
                                            std::int64_t delta) override;
  result<std::vector<ReputationTotal>> list_reputation_totals(const ReputationTotalKey& after,
                                                              std::uint32_t limit) override;
  result<MemberActivity> get_member_activity(MemberId member) override;
  result<void> put_member_activity(const MemberActivity& a) override;
  result<ActivityDay> get_activity_day(MemberId member, std::int64_t day) override;
  result<void> put_activity_day(const ActivityDay& d) override;
  result<ActivityCounts> sum_activity_days(MemberId member, std::int64_t from_day,
                                           std::int64_t to_day) override;
  result<bool> insert_thread_entered(MemberId member, ThreadId thread) override;
  result<bool> insert_badge_grant(BadgeGrant& g) override;
  result<std::vector<BadgeGrant>> list_badge_grants(MemberId member, std::uint64_t after,
                                                    std::uint32_t limit) override;
  result<std::uint64_t> count_badge_grants(MemberId member, std::string_view badge) override;
  result<std::int64_t> add_badge_progress(MemberId member, std::string_view counter,
                                          std::int64_t delta) override;
  result<bool> insert_helpful_reply(PostId post, std::string_view kind) override;
  result<void> insert_audit_entry(AuditEntry& e) override;
  result<std::vector<AuditEntry>> list_audit_entries(const AuditQuery& q, std::uint64_t before_id,
                                                     std::uint32_t limit) override;
  result<void> insert_report(const Report& r) override;
  result<void> update_report(const Report& r) override;
  result<std::optional<Report>> find_open_report(MemberId reporter, MemberId target_member,
                                                 PostId post) override;
  result<std::vector<Report>> list_item_reports(ReviewItemId item) override;
  result<std::vector<Report>> list_reports_by(MemberId reporter, ReportId before,
                                              std::uint32_t limit) override;
  result<void> insert_review_item(const ReviewItem& i) override;
  result<void> update_review_item(const ReviewItem& i) override;
  result<std::optional<ReviewItem>> get_review_item(ReviewItemId id) override;
  result<std::optional<ReviewItem>> find_open_review_item(SpaceId space, MemberId target_member,
                                                          PostId post) override;
  result<std::optional<ReviewItem>> find_appeal(std::uint64_t audit_entry) override;
  result<std::vector<ReviewItem>> list_review_queue(SpaceId space, std::uint32_t after_weight,
                                                    ReviewItemId after,
                                                    std::uint32_t limit) override;
  result<void> insert_moderator_note(const ModeratorNote& n) override;
  result<ModeratorNote> get_moderator_note(ModeratorNoteId id) override;
  result<void> delete_moderator_note(ModeratorNoteId id) override;
  result<std::vector<ModeratorNote>> list_moderator_notes(SpaceId space, MemberId member,
                                                          ModeratorNoteId before,
                                                          std::uint32_t limit) override;
  result<AutomodRecord> get_automod_rules(SpaceId space) override;
  result<void> put_automod_rules(const AutomodRecord& r) override;
  result<bool> delete_automod_rules(SpaceId space) override;
  result<std::uint64_t> append_event(const Event& e) override;
  result<std::vector<Event>> read_events(std::uint64_t after, std::uint32_t limit) override;
  result<std::uint64_t> last_event_seq() override;
  result<std::uint64_t> redact_member_events(MemberId member, std::string_view payload) override;

 protected:
  // Called first by every method with the method's name. Default: allow.
  virtual result<void> on_call(std::string_view /*method*/) { return {}; }
  Transaction& target() noexcept { return *target_; }

 private:
  result<void> intercept(std::string_view method);
  std::unique_ptr<Transaction> target_;
  bool spoilt_ = false;
};

// Forwards begin() to `target`. Override wrap() to put a TransactionWrapper around each
// transaction the target begins.
class StorageWrapper : public Storage {
 public:
  explicit StorageWrapper(std::shared_ptr<Storage> target) noexcept : target_(std::move(target)) {}

  result<std::unique_ptr<Transaction>> begin(TxMode mode) override;

 protected:
  virtual std::unique_ptr<Transaction> wrap(std::unique_ptr<Transaction> tx, TxMode /*mode*/) {
    return tx;
  }
  Storage& target() noexcept { return *target_; }

 private:
  std::shared_ptr<Storage> target_;
};

}  // namespace hearth
