#include "hearth/storage/wrapper.hpp"

namespace hearth {

result<void> TransactionWrapper::intercept(std::string_view method) {
  auto r = on_call(method);
  if (!r) spoilt_ = true;
  return r;
}

result<void> TransactionWrapper::commit() {
  HEARTH_CHECK(intercept("commit"));
  if (spoilt_) return errc::storage_error;  // an injected failure spoils like a real one
  return target_->commit();
}

bool TransactionWrapper::has_savepoints() const noexcept { return target_->has_savepoints(); }

result<void> TransactionWrapper::savepoint() {
  HEARTH_CHECK(intercept("savepoint"));
  return target_->savepoint();
}

result<void> TransactionWrapper::release_savepoint() {
  HEARTH_CHECK(intercept("release_savepoint"));
  return target_->release_savepoint();
}

result<void> TransactionWrapper::rollback_to_savepoint() {
  HEARTH_CHECK(intercept("rollback_to_savepoint"));
  return target_->rollback_to_savepoint();
}

result<void> TransactionWrapper::insert_member(const Member& m) {
  HEARTH_CHECK(intercept("insert_member"));
  return target_->insert_member(m);
}

result<void> TransactionWrapper::update_member(const Member& m) {
  HEARTH_CHECK(intercept("update_member"));
  return target_->update_member(m);
}

result<Member> TransactionWrapper::get_member(MemberId id) {
  HEARTH_CHECK(intercept("get_member"));
  return target_->get_member(id);
}

result<Member> TransactionWrapper::find_member_by_handle(std::string_view handle) {
  HEARTH_CHECK(intercept("find_member_by_handle"));
  return target_->find_member_by_handle(handle);
}

result<Member> TransactionWrapper::find_member_by_external_ref(std::string_view ref) {
  HEARTH_CHECK(intercept("find_member_by_external_ref"));
  return target_->find_member_by_external_ref(ref);
}

result<void> TransactionWrapper::insert_space(const Space& s) {
  HEARTH_CHECK(intercept("insert_space"));
  return target_->insert_space(s);
}

result<void> TransactionWrapper::update_space(const Space& s) {
  HEARTH_CHECK(intercept("update_space"));
  return target_->update_space(s);
}

result<Space> TransactionWrapper::get_space(SpaceId id) {
  HEARTH_CHECK(intercept("get_space"));
  return target_->get_space(id);
}

result<std::vector<Space>> TransactionWrapper::list_child_spaces(SpaceId parent, SpaceId after,
                                                                 std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_child_spaces"));
  return target_->list_child_spaces(parent, after, limit);
}

result<std::vector<SpaceHit>> TransactionWrapper::find_spaces(const SpaceQuery& q,
                                                              SpacePosition after,
                                                              std::uint32_t limit) {
  HEARTH_CHECK(intercept("find_spaces"));
  return target_->find_spaces(q, after, limit);
}

result<void> TransactionWrapper::insert_membership(const Membership& m) {
  HEARTH_CHECK(intercept("insert_membership"));
  return target_->insert_membership(m);
}

result<void> TransactionWrapper::delete_membership(SpaceId space, MemberId member) {
  HEARTH_CHECK(intercept("delete_membership"));
  return target_->delete_membership(space, member);
}

result<Membership> TransactionWrapper::get_membership(SpaceId space, MemberId member) {
  HEARTH_CHECK(intercept("get_membership"));
  return target_->get_membership(space, member);
}

result<std::vector<Membership>> TransactionWrapper::list_memberships(SpaceId space, MemberId after,
                                                                     std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_memberships"));
  return target_->list_memberships(space, after, limit);
}

result<void> TransactionWrapper::insert_role(const Role& r) {
  HEARTH_CHECK(intercept("insert_role"));
  return target_->insert_role(r);
}

result<void> TransactionWrapper::update_role(const Role& r) {
  HEARTH_CHECK(intercept("update_role"));
  return target_->update_role(r);
}

result<Role> TransactionWrapper::get_role(RoleId id) {
  HEARTH_CHECK(intercept("get_role"));
  return target_->get_role(id);
}

result<std::vector<Role>> TransactionWrapper::list_roles(SpaceId space) {
  HEARTH_CHECK(intercept("list_roles"));
  return target_->list_roles(space);
}

result<void> TransactionWrapper::delete_role(RoleId id) {
  HEARTH_CHECK(intercept("delete_role"));
  return target_->delete_role(id);
}

result<void> TransactionWrapper::insert_role_assignment(const RoleAssignment& a) {
  HEARTH_CHECK(intercept("insert_role_assignment"));
  return target_->insert_role_assignment(a);
}

result<void> TransactionWrapper::delete_role_assignment(SpaceId space, MemberId member,
                                                        RoleId role) {
  HEARTH_CHECK(intercept("delete_role_assignment"));
  return target_->delete_role_assignment(space, member, role);
}

result<std::vector<RoleAssignment>> TransactionWrapper::list_role_assignments(SpaceId space,
                                                                              MemberId member) {
  HEARTH_CHECK(intercept("list_role_assignments"));
  return target_->list_role_assignments(space, member);
}

result<void> TransactionWrapper::put_override(SpaceId space, const RoleOverride& o) {
  HEARTH_CHECK(intercept("put_override"));
  return target_->put_override(space, o);
}

result<void> TransactionWrapper::delete_override(SpaceId space, RoleId role) {
  HEARTH_CHECK(intercept("delete_override"));
  return target_->delete_override(space, role);
}

result<std::vector<RoleOverride>> TransactionWrapper::list_overrides(SpaceId space) {
  HEARTH_CHECK(intercept("list_overrides"));
  return target_->list_overrides(space);
}

result<void> TransactionWrapper::put_ban(const Ban& b) {
  HEARTH_CHECK(intercept("put_ban"));
  return target_->put_ban(b);
}

result<void> TransactionWrapper::delete_ban(SpaceId space, MemberId member) {
  HEARTH_CHECK(intercept("delete_ban"));
  return target_->delete_ban(space, member);
}

result<Ban> TransactionWrapper::get_ban(SpaceId space, MemberId member) {
  HEARTH_CHECK(intercept("get_ban"));
  return target_->get_ban(space, member);
}

result<std::vector<Ban>> TransactionWrapper::list_bans(SpaceId space, MemberId after,
                                                       std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_bans"));
  return target_->list_bans(space, after, limit);
}

result<void> TransactionWrapper::insert_sanction(const Sanction& s) {
  HEARTH_CHECK(intercept("insert_sanction"));
  return target_->insert_sanction(s);
}

result<void> TransactionWrapper::update_sanction(const Sanction& s) {
  HEARTH_CHECK(intercept("update_sanction"));
  return target_->update_sanction(s);
}

result<Sanction> TransactionWrapper::get_sanction(SanctionId id) {
  HEARTH_CHECK(intercept("get_sanction"));
  return target_->get_sanction(id);
}

result<std::vector<Sanction>> TransactionWrapper::list_sanctions(MemberId member, SanctionId after,
                                                                 std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_sanctions"));
  return target_->list_sanctions(member, after, limit);
}

result<std::vector<Sanction>> TransactionWrapper::list_sanctions_in_force(MemberId member,
                                                                          Timestamp now) {
  HEARTH_CHECK(intercept("list_sanctions_in_force"));
  return target_->list_sanctions_in_force(member, now);
}

result<void> TransactionWrapper::insert_invite(const Invite& i) {
  HEARTH_CHECK(intercept("insert_invite"));
  return target_->insert_invite(i);
}

result<void> TransactionWrapper::update_invite(const Invite& i) {
  HEARTH_CHECK(intercept("update_invite"));
  return target_->update_invite(i);
}

result<Invite> TransactionWrapper::get_invite(std::string_view code) {
  HEARTH_CHECK(intercept("get_invite"));
  return target_->get_invite(code);
}

result<std::vector<Invite>> TransactionWrapper::list_invites(SpaceId space, std::string_view after,
                                                             std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_invites"));
  return target_->list_invites(space, after, limit);
}

result<void> TransactionWrapper::insert_join_request(const JoinRequest& r) {
  HEARTH_CHECK(intercept("insert_join_request"));
  return target_->insert_join_request(r);
}

result<void> TransactionWrapper::delete_join_request(SpaceId space, MemberId member) {
  HEARTH_CHECK(intercept("delete_join_request"));
  return target_->delete_join_request(space, member);
}

result<JoinRequest> TransactionWrapper::get_join_request(SpaceId space, MemberId member) {
  HEARTH_CHECK(intercept("get_join_request"));
  return target_->get_join_request(space, member);
}

result<std::vector<JoinRequest>> TransactionWrapper::list_join_requests(SpaceId space,
                                                                        MemberId after,
                                                                        std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_join_requests"));
  return target_->list_join_requests(space, after, limit);
}

result<void> TransactionWrapper::insert_thread(const Thread& t) {
  HEARTH_CHECK(intercept("insert_thread"));
  return target_->insert_thread(t);
}

result<void> TransactionWrapper::update_thread(const Thread& t) {
  HEARTH_CHECK(intercept("update_thread"));
  return target_->update_thread(t);
}

result<Thread> TransactionWrapper::get_thread(ThreadId id) {
  HEARTH_CHECK(intercept("get_thread"));
  return target_->get_thread(id);
}

result<std::vector<Thread>> TransactionWrapper::list_threads(SpaceId space, const ThreadListing& q,
                                                             ThreadPosition after,
                                                             std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_threads"));
  return target_->list_threads(space, q, after, limit);
}

result<void> TransactionWrapper::move_posts(ThreadId thread, SpaceId space) {
  HEARTH_CHECK(intercept("move_posts"));
  return target_->move_posts(thread, space);
}

result<bool> TransactionWrapper::has_posted(ThreadId thread, MemberId member) {
  HEARTH_CHECK(intercept("has_posted"));
  return target_->has_posted(thread, member);
}

result<std::vector<Reaction>> TransactionWrapper::list_reactions(PostId post, std::string_view kind,
                                                                 MemberId after,
                                                                 std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_reactions"));
  return target_->list_reactions(post, kind, after, limit);
}

result<void> TransactionWrapper::insert_post(const Post& p) {
  HEARTH_CHECK(intercept("insert_post"));
  return target_->insert_post(p);
}

result<void> TransactionWrapper::update_post(const Post& p) {
  HEARTH_CHECK(intercept("update_post"));
  return target_->update_post(p);
}

result<Post> TransactionWrapper::get_post(PostId id) {
  HEARTH_CHECK(intercept("get_post"));
  return target_->get_post(id);
}

result<std::vector<Post>> TransactionWrapper::list_posts(ThreadId thread, PostId after,
                                                         std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_posts"));
  return target_->list_posts(thread, after, limit);
}

result<void> TransactionWrapper::insert_revision(const Revision& r) {
  HEARTH_CHECK(intercept("insert_revision"));
  return target_->insert_revision(r);
}

result<std::vector<Revision>> TransactionWrapper::list_revisions(PostId post) {
  HEARTH_CHECK(intercept("list_revisions"));
  return target_->list_revisions(post);
}

result<void> TransactionWrapper::index_post(PostId post, const SearchDoc& doc) {
  HEARTH_CHECK(intercept("index_post"));
  return target_->index_post(post, doc);
}

result<void> TransactionWrapper::unindex_post(PostId post, const SearchDoc& indexed) {
  HEARTH_CHECK(intercept("unindex_post"));
  return target_->unindex_post(post, indexed);
}

result<std::vector<ScoredPost>> TransactionWrapper::search_posts(const SearchQuery& q,
                                                                 std::uint32_t limit) {
  HEARTH_CHECK(intercept("search_posts"));
  return target_->search_posts(q, limit);
}

result<std::vector<Post>> TransactionWrapper::list_unindexed_posts(PostId after,
                                                                   std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_unindexed_posts"));
  return target_->list_unindexed_posts(after, limit);
}

result<bool> TransactionWrapper::add_reaction(PostId post, MemberId member, std::string_view kind,
                                              Timestamp at) {
  HEARTH_CHECK(intercept("add_reaction"));
  return target_->add_reaction(post, member, kind, at);
}

result<bool> TransactionWrapper::remove_reaction(PostId post, MemberId member,
                                                 std::string_view kind) {
  HEARTH_CHECK(intercept("remove_reaction"));
  return target_->remove_reaction(post, member, kind);
}

result<std::vector<Reaction>> TransactionWrapper::list_member_reactions(PostId post,
                                                                        MemberId member) {
  HEARTH_CHECK(intercept("list_member_reactions"));
  return target_->list_member_reactions(post, member);
}

result<void> TransactionWrapper::insert_notification(const Notification& n) {
  HEARTH_CHECK(intercept("insert_notification"));
  return target_->insert_notification(n);
}

result<void> TransactionWrapper::update_notification(NotificationId id, const Notification& n) {
  HEARTH_CHECK(intercept("update_notification"));
  return target_->update_notification(id, n);
}

result<Notification> TransactionWrapper::get_notification(MemberId recipient, NotificationId id) {
  HEARTH_CHECK(intercept("get_notification"));
  return target_->get_notification(recipient, id);
}

result<Notification> TransactionWrapper::find_reaction_notification(MemberId recipient,
                                                                    PostId post) {
  HEARTH_CHECK(intercept("find_reaction_notification"));
  return target_->find_reaction_notification(recipient, post);
}

result<std::vector<Notification>> TransactionWrapper::list_notifications(MemberId recipient,
                                                                         NotificationId before,
                                                                         bool unread_only,
                                                                         std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_notifications"));
  return target_->list_notifications(recipient, before, unread_only, limit);
}

result<std::uint32_t> TransactionWrapper::mark_notifications_read(MemberId recipient,
                                                                  NotificationId up_to) {
  HEARTH_CHECK(intercept("mark_notifications_read"));
  return target_->mark_notifications_read(recipient, up_to);
}

result<std::vector<std::pair<SpaceId, std::uint32_t>>>
TransactionWrapper::count_unread_notifications(MemberId recipient) {
  HEARTH_CHECK(intercept("count_unread_notifications"));
  return target_->count_unread_notifications(recipient);
}

result<void> TransactionWrapper::put_read_marker(const ReadMarker& m) {
  HEARTH_CHECK(intercept("put_read_marker"));
  return target_->put_read_marker(m);
}

result<ReadMarker> TransactionWrapper::get_read_marker(SpaceId space, MemberId member) {
  HEARTH_CHECK(intercept("get_read_marker"));
  return target_->get_read_marker(space, member);
}

result<std::vector<ReadMarker>> TransactionWrapper::list_read_markers(MemberId member) {
  HEARTH_CHECK(intercept("list_read_markers"));
  return target_->list_read_markers(member);
}

result<std::vector<Membership>> TransactionWrapper::list_member_spaces(MemberId member,
                                                                       SpaceId after,
                                                                       std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_member_spaces"));
  return target_->list_member_spaces(member, after, limit);
}

result<std::uint32_t> TransactionWrapper::count_posts_after(SpaceId space, PostId after,
                                                            MemberId except, std::uint32_t cap) {
  HEARTH_CHECK(intercept("count_posts_after"));
  return target_->count_posts_after(space, after, except, cap);
}

result<void> TransactionWrapper::insert_reputation_entry(const ReputationEntry& e) {
  HEARTH_CHECK(intercept("insert_reputation_entry"));
  return target_->insert_reputation_entry(e);
}

result<std::vector<ReputationEntry>> TransactionWrapper::list_reputation_entries(
    const LedgerQuery& q, ReputationEntryId after, std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_reputation_entries"));
  return target_->list_reputation_entries(q, after, limit);
}

result<ReputationTotal> TransactionWrapper::get_reputation_total(SpaceId scope,
                                                                 std::string_view window,
                                                                 MemberId member) {
  HEARTH_CHECK(intercept("get_reputation_total"));
  return target_->get_reputation_total(scope, window, member);
}

result<void> TransactionWrapper::put_reputation_total(const ReputationTotal& t) {
  HEARTH_CHECK(intercept("put_reputation_total"));
  return target_->put_reputation_total(t);
}

result<std::int64_t> TransactionWrapper::add_reputation_total(SpaceId scope,
                                                              std::string_view window,
                                                              MemberId member, std::int64_t delta) {
  HEARTH_CHECK(intercept("add_reputation_total"));
  return target_->add_reputation_total(scope, window, member, delta);
}

result<std::vector<ReputationTotal>> TransactionWrapper::list_reputation_totals(
    const ReputationTotalKey& after, std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_reputation_totals"));
  return target_->list_reputation_totals(after, limit);
}

result<MemberActivity> TransactionWrapper::get_member_activity(MemberId member) {
  HEARTH_CHECK(intercept("get_member_activity"));
  return target_->get_member_activity(member);
}

result<void> TransactionWrapper::put_member_activity(const MemberActivity& a) {
  HEARTH_CHECK(intercept("put_member_activity"));
  return target_->put_member_activity(a);
}

result<ActivityDay> TransactionWrapper::get_activity_day(MemberId member, std::int64_t day) {
  HEARTH_CHECK(intercept("get_activity_day"));
  return target_->get_activity_day(member, day);
}

result<void> TransactionWrapper::put_activity_day(const ActivityDay& d) {
  HEARTH_CHECK(intercept("put_activity_day"));
  return target_->put_activity_day(d);
}

result<ActivityCounts> TransactionWrapper::sum_activity_days(MemberId member, std::int64_t from_day,
                                                             std::int64_t to_day) {
  HEARTH_CHECK(intercept("sum_activity_days"));
  return target_->sum_activity_days(member, from_day, to_day);
}

result<bool> TransactionWrapper::insert_thread_entered(MemberId member, ThreadId thread) {
  HEARTH_CHECK(intercept("insert_thread_entered"));
  return target_->insert_thread_entered(member, thread);
}

result<bool> TransactionWrapper::insert_badge_grant(BadgeGrant& g) {
  HEARTH_CHECK(intercept("insert_badge_grant"));
  return target_->insert_badge_grant(g);
}

result<std::vector<BadgeGrant>> TransactionWrapper::list_badge_grants(MemberId member,
                                                                      std::uint64_t after,
                                                                      std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_badge_grants"));
  return target_->list_badge_grants(member, after, limit);
}

result<std::uint64_t> TransactionWrapper::count_badge_grants(MemberId member,
                                                             std::string_view badge) {
  HEARTH_CHECK(intercept("count_badge_grants"));
  return target_->count_badge_grants(member, badge);
}

result<std::int64_t> TransactionWrapper::add_badge_progress(MemberId member,
                                                            std::string_view counter,
                                                            std::int64_t delta) {
  HEARTH_CHECK(intercept("add_badge_progress"));
  return target_->add_badge_progress(member, counter, delta);
}

result<bool> TransactionWrapper::insert_helpful_reply(PostId post, std::string_view kind) {
  HEARTH_CHECK(intercept("insert_helpful_reply"));
  return target_->insert_helpful_reply(post, kind);
}

result<void> TransactionWrapper::insert_audit_entry(AuditEntry& e) {
  HEARTH_CHECK(intercept("insert_audit_entry"));
  return target_->insert_audit_entry(e);
}

result<std::vector<AuditEntry>> TransactionWrapper::list_audit_entries(const AuditQuery& q,
                                                                       std::uint64_t before_id,
                                                                       std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_audit_entries"));
  return target_->list_audit_entries(q, before_id, limit);
}

result<void> TransactionWrapper::insert_report(const Report& r) {
  HEARTH_CHECK(intercept("insert_report"));
  return target_->insert_report(r);
}

result<void> TransactionWrapper::update_report(const Report& r) {
  HEARTH_CHECK(intercept("update_report"));
  return target_->update_report(r);
}

result<std::optional<Report>> TransactionWrapper::find_open_report(MemberId reporter,
                                                                   MemberId target_member,
                                                                   PostId post) {
  HEARTH_CHECK(intercept("find_open_report"));
  return target_->find_open_report(reporter, target_member, post);
}

result<std::vector<Report>> TransactionWrapper::list_item_reports(ReviewItemId item) {
  HEARTH_CHECK(intercept("list_item_reports"));
  return target_->list_item_reports(item);
}

result<std::vector<Report>> TransactionWrapper::list_reports_by(MemberId reporter, ReportId before,
                                                                std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_reports_by"));
  return target_->list_reports_by(reporter, before, limit);
}

result<void> TransactionWrapper::insert_review_item(const ReviewItem& i) {
  HEARTH_CHECK(intercept("insert_review_item"));
  return target_->insert_review_item(i);
}

result<void> TransactionWrapper::update_review_item(const ReviewItem& i) {
  HEARTH_CHECK(intercept("update_review_item"));
  return target_->update_review_item(i);
}

result<std::optional<ReviewItem>> TransactionWrapper::get_review_item(ReviewItemId id) {
  HEARTH_CHECK(intercept("get_review_item"));
  return target_->get_review_item(id);
}

result<std::optional<ReviewItem>> TransactionWrapper::find_open_review_item(SpaceId space,
                                                                            MemberId target_member,
                                                                            PostId post) {
  HEARTH_CHECK(intercept("find_open_review_item"));
  return target_->find_open_review_item(space, target_member, post);
}

result<std::vector<ReviewItem>> TransactionWrapper::list_review_queue(SpaceId space,
                                                                      std::uint32_t after_weight,
                                                                      ReviewItemId after,
                                                                      std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_review_queue"));
  return target_->list_review_queue(space, after_weight, after, limit);
}

result<void> TransactionWrapper::insert_moderator_note(const ModeratorNote& n) {
  HEARTH_CHECK(intercept("insert_moderator_note"));
  return target_->insert_moderator_note(n);
}

result<ModeratorNote> TransactionWrapper::get_moderator_note(ModeratorNoteId id) {
  HEARTH_CHECK(intercept("get_moderator_note"));
  return target_->get_moderator_note(id);
}

result<void> TransactionWrapper::delete_moderator_note(ModeratorNoteId id) {
  HEARTH_CHECK(intercept("delete_moderator_note"));
  return target_->delete_moderator_note(id);
}

result<std::vector<ModeratorNote>> TransactionWrapper::list_moderator_notes(SpaceId space,
                                                                            MemberId member,
                                                                            ModeratorNoteId before,
                                                                            std::uint32_t limit) {
  HEARTH_CHECK(intercept("list_moderator_notes"));
  return target_->list_moderator_notes(space, member, before, limit);
}

result<std::optional<ReviewItem>> TransactionWrapper::find_appeal(std::uint64_t audit_entry) {
  HEARTH_CHECK(intercept("find_appeal"));
  return target_->find_appeal(audit_entry);
}

result<AutomodRecord> TransactionWrapper::get_automod_rules(SpaceId space) {
  HEARTH_CHECK(intercept("get_automod_rules"));
  return target_->get_automod_rules(space);
}

result<void> TransactionWrapper::put_automod_rules(const AutomodRecord& r) {
  HEARTH_CHECK(intercept("put_automod_rules"));
  return target_->put_automod_rules(r);
}

result<bool> TransactionWrapper::delete_automod_rules(SpaceId space) {
  HEARTH_CHECK(intercept("delete_automod_rules"));
  return target_->delete_automod_rules(space);
}

result<std::uint64_t> TransactionWrapper::append_event(const Event& e) {
  HEARTH_CHECK(intercept("append_event"));
  return target_->append_event(e);
}

result<std::vector<Event>> TransactionWrapper::read_events(std::uint64_t after,
                                                           std::uint32_t limit) {
  HEARTH_CHECK(intercept("read_events"));
  return target_->read_events(after, limit);
}

result<std::uint64_t> TransactionWrapper::last_event_seq() {
  HEARTH_CHECK(intercept("last_event_seq"));
  return target_->last_event_seq();
}

result<std::uint64_t> TransactionWrapper::redact_member_events(MemberId member,
                                                               std::string_view payload) {
  HEARTH_CHECK(intercept("redact_member_events"));
  return target_->redact_member_events(member, payload);
}

result<std::unique_ptr<Transaction>> StorageWrapper::begin(TxMode mode) {
  HEARTH_TRY(tx, target_->begin(mode));
  return wrap(std::move(tx), mode);
}

}  // namespace hearth
