// The storage contract. An adapter implements Storage and Transaction; the conformance kit
// (hearth/conformance/kit.hpp) is this contract's executable form.
//
// General rules, for every method below:
//  - A method never throws. Failures are returned: errc::not_found when a looked-up key names
//    nothing, errc::already_exists when an insert hits a unique key, errc::unavailable when the
//    backend is busy and the call may succeed later, errc::storage_error for any other failure.
//  - The storage applies no policy: it does not validate texts, check permissions or keep
//    counters on its own. It stores what it is given and returns it unchanged, byte for byte.
//  - After a write method (insert_*, update_*, put_*, delete_*, add_*, remove_*, append_*,
//    mark_*) fails, the transaction is spoilt: commit() MUST then fail and store nothing. A read
//    that finds nothing (not_found) spoils nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hearth/badges.hpp"
#include "hearth/error.hpp"
#include "hearth/event.hpp"
#include "hearth/model.hpp"
#include "hearth/moderation/audit.hpp"
#include "hearth/moderation/automod.hpp"
#include "hearth/moderation/notes.hpp"
#include "hearth/moderation/reports.hpp"
#include "hearth/reputation.hpp"
#include "hearth/trust.hpp"

namespace hearth {

enum class TxMode : std::uint8_t {
  read,   // only read methods may be called (others MAY fail with errc::internal)
  write,  // read and write; write transactions are serialised by the storage
};

// One unit of work. Sees a consistent snapshot plus its own writes. Not thread-safe: one thread
// at a time uses a transaction. Destroying it without a successful commit() rolls it back, and
// then nothing it wrote is visible to anyone, ever.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // Makes every write of this transaction durable and visible, atomically. REQUIRES: called at
  // most once. On failure nothing of this transaction is stored.
  virtual result<void> commit() = 0;

  // --- savepoints (optional: the engine's group commit) ------------------------------------
  // A write transaction with savepoints lets the engine run several calls in it and commit them
  // at once, each call undoing its own writes alone when it fails. savepoint() opens one (at
  // most one is open; not in a spoilt transaction), release_savepoint() keeps what was written
  // since (still subject to commit()), rollback_to_savepoint() undoes it: the transaction is
  // then as it was at savepoint(), no longer spoilt by a write that failed since. A misuse, or
  // a backend that lost the transaction, fails and spoils it. An adapter without savepoints
  // keeps these defaults, and the engine commits each call alone.
  virtual bool has_savepoints() const noexcept { return false; }
  virtual result<void> savepoint() { return errc::internal; }
  virtual result<void> release_savepoint() { return errc::internal; }
  virtual result<void> rollback_to_savepoint() { return errc::internal; }

  // --- members ---------------------------------------------------------------------------
  // Stores a new member. already_exists when the id, the handle (compared ASCII
  // case-insensitively) or the external_ref (when set) is taken.
  virtual result<void> insert_member(const Member& m) = 0;
  // Replaces the stored member with the same id (not_found if none). The handle and the
  // external_ref keep their uniqueness (already_exists).
  virtual result<void> update_member(const Member& m) = 0;
  virtual result<Member> get_member(MemberId id) = 0;
  // By handle, ASCII case-insensitively.
  virtual result<Member> find_member_by_handle(std::string_view handle) = 0;
  virtual result<Member> find_member_by_external_ref(std::string_view ref) = 0;

  // --- spaces ----------------------------------------------------------------------------
  // already_exists when the id is taken. The parent, if set, MAY be checked (not_found).
  virtual result<void> insert_space(const Space& s) = 0;
  virtual result<void> update_space(const Space& s) = 0;  // not_found if absent
  virtual result<Space> get_space(SpaceId id) = 0;
  // The children of `parent` (or the roots, for no id), by id ascending, with id > after.
  virtual result<std::vector<Space>> list_child_spaces(SpaceId parent, SpaceId after,
                                                       std::uint32_t limit) = 0;

  // Discovery: the spaces that are not secret and match `q`, by (key, id) descending (see
  // SpacePosition), strictly after `after`, at most `limit`; last_post filled in,
  // last_activity_at left 0. It MAY scan every space (it is for browse screens, not hot paths).
  virtual result<std::vector<SpaceHit>> find_spaces(const SpaceQuery& q, SpacePosition after,
                                                    std::uint32_t limit) = 0;

  // --- membership ------------------------------------------------------------------------
  // already_exists when (space, member) is already stored.
  virtual result<void> insert_membership(const Membership& m) = 0;
  virtual result<void> delete_membership(SpaceId space, MemberId member) = 0;     // not_found
  virtual result<Membership> get_membership(SpaceId space, MemberId member) = 0;  // not_found
  // Members of `space` by member id ascending, with member id > after.
  virtual result<std::vector<Membership>> list_memberships(SpaceId space, MemberId after,
                                                           std::uint32_t limit) = 0;

  // --- roles -------------------------------------------------------------------------------
  // Custom roles only: the built-in roles (ids 1..5, builtin::is_builtin) are never stored, but
  // assignments and overrides name them like any other role. Assignments, overrides, bans,
  // invites and join requests are stored without checking that their space, member or role
  // exists (the engine does); insert_role MAY check its space (not_found).
  virtual result<void> insert_role(const Role& r) = 0;  // already_exists for a taken id
  virtual result<void> update_role(const Role& r) = 0;  // name, permissions, rank; not_found
  virtual result<Role> get_role(RoleId id) = 0;
  // The roles defined in `space`, by id ascending.
  virtual result<std::vector<Role>> list_roles(SpaceId space) = 0;
  // Deletes the role together with its assignments and overrides, everywhere (not_found).
  virtual result<void> delete_role(RoleId id) = 0;

  // already_exists when (space, member, role) is stored.
  virtual result<void> insert_role_assignment(const RoleAssignment& a) = 0;
  virtual result<void> delete_role_assignment(SpaceId space, MemberId member,
                                              RoleId role) = 0;  // not_found
  // The roles `member` holds in `space` (not those of spaces above it), by role id ascending.
  virtual result<std::vector<RoleAssignment>> list_role_assignments(SpaceId space,
                                                                    MemberId member) = 0;

  // Stores the override of `o.role` in `space`, replacing any earlier one.
  virtual result<void> put_override(SpaceId space, const RoleOverride& o) = 0;
  virtual result<void> delete_override(SpaceId space, RoleId role) = 0;  // not_found
  // The overrides set in `space`, by role id ascending.
  virtual result<std::vector<RoleOverride>> list_overrides(SpaceId space) = 0;

  // --- bans, invites, join requests ------------------------------------------------------
  // Stores the ban of (b.space, b.member), replacing any earlier one.
  virtual result<void> put_ban(const Ban& b) = 0;
  virtual result<void> delete_ban(SpaceId space, MemberId member) = 0;  // not_found
  virtual result<Ban> get_ban(SpaceId space, MemberId member) = 0;      // not_found
  // Bans in `space` by member id ascending, with member id > after.
  virtual result<std::vector<Ban>> list_bans(SpaceId space, MemberId after,
                                             std::uint32_t limit) = 0;

  // --- sanctions (docs/moderation.md, "Sanctions") ------------------------------------------
  // Stored as given: the storage checks no member, space or text.
  //
  // already_exists when s.id is taken.
  virtual result<void> insert_sanction(const Sanction& s) = 0;
  // Replaces revoked_at and revoked_by of the sanction with s.id (not_found); nothing else of a
  // stored sanction ever changes.
  virtual result<void> update_sanction(const Sanction& s) = 0;
  virtual result<Sanction> get_sanction(SanctionId id) = 0;  // not_found
  // `member`'s sanctions by id ascending, with id > after, at most `limit`. SHOULD cost about
  // `limit` index entries, not all of the member's.
  virtual result<std::vector<Sanction>> list_sanctions(MemberId member, SanctionId after,
                                                       std::uint32_t limit) = 0;
  // `member`'s sanctions in force at `now` (Sanction::in_force: not a warn, not revoked,
  // expires_at 0 or after `now`), by id ascending. SHOULD cost about those, not the member's
  // whole record.
  virtual result<std::vector<Sanction>> list_sanctions_in_force(MemberId member, Timestamp now) = 0;

  virtual result<void> insert_invite(const Invite& i) = 0;  // already_exists for a taken code
  // Replaces uses, max_uses, expires_at and revoked of the invite with i.code (not_found).
  virtual result<void> update_invite(const Invite& i) = 0;
  virtual result<Invite> get_invite(std::string_view code) = 0;  // exact, byte for byte
  // Invites of `space` by code ascending (bytewise), with code > after.
  virtual result<std::vector<Invite>> list_invites(SpaceId space, std::string_view after,
                                                   std::uint32_t limit) = 0;

  // already_exists when (space, member) has a request stored.
  virtual result<void> insert_join_request(const JoinRequest& r) = 0;
  virtual result<void> delete_join_request(SpaceId space, MemberId member) = 0;  // not_found
  virtual result<JoinRequest> get_join_request(SpaceId space, MemberId member) = 0;
  // Requests to join `space` by member id ascending, with member id > after.
  virtual result<std::vector<JoinRequest>> list_join_requests(SpaceId space, MemberId after,
                                                              std::uint32_t limit) = 0;

  // --- threads and posts -----------------------------------------------------------------
  virtual result<void> insert_thread(const Thread& t) = 0;  // already_exists
  // Replaces every field of the stored thread with the same id, its space included (not_found).
  virtual result<void> update_thread(const Thread& t) = 0;
  virtual result<Thread> get_thread(ThreadId id) = 0;
  // Threads of `space` that are not deleted (and, when q.unanswered_only, of kind question with
  // no accepted answer; when q.tag is set, whose tags include it, compared byte for byte): the
  // pinned ones, then the others, each by last_post descending, strictly after `after` (see
  // ThreadPosition), at most `limit`.
  virtual result<std::vector<Thread>> list_threads(SpaceId space, const ThreadListing& q,
                                                   ThreadPosition after, std::uint32_t limit) = 0;
  // Sets the space of every post of `thread` (a thread moved to another space).
  virtual result<void> move_posts(ThreadId thread, SpaceId space) = 0;
  // Whether `member` wrote a post (deleted or not) in `thread`.
  virtual result<bool> has_posted(ThreadId thread, MemberId member) = 0;

  // Stores the post; its `reactions` field is ignored (counts live in the reaction methods).
  virtual result<void> insert_post(const Post& p) = 0;  // already_exists
  // Replaces body, edited_at, revision, deleted, removed, removal_reason and removed_by of the
  // stored post (not_found).
  virtual result<void> update_post(const Post& p) = 0;
  // The post with its reaction counts filled in.
  virtual result<Post> get_post(PostId id) = 0;
  // Posts of `thread` by id ascending, with id > after, reaction counts filled in. Deleted
  // posts are returned as stored (the engine makes tombstones of them).
  virtual result<std::vector<Post>> list_posts(ThreadId thread, PostId after,
                                               std::uint32_t limit) = 0;

  // Keeps a former text of a post. already_exists for a (post, number) already stored.
  virtual result<void> insert_revision(const Revision& r) = 0;
  // The kept revisions of a post, by number ascending.
  virtual result<std::vector<Revision>> list_revisions(PostId post) = 0;

  // --- search ----------------------------------------------------------------------------
  // Stores the search text of post `post`. The engine calls it in the transaction that writes
  // the post, and, after unindex_post, whenever the text or its thread's title changes.
  // REQUIRES: the post has no search text stored (an adapter MAY answer already_exists; one
  // that keeps no copy of the text, as SQLite's, cannot tell). The post MAY be checked
  // (not_found).
  virtual result<void> index_post(PostId post, const SearchDoc& doc) = 0;
  // Removes the search text of post `post`, which the caller gives as it was indexed: an
  // adapter that keeps no copy of it needs it to find the entries. REQUIRES: `indexed` is the
  // text last given to index_post for the post, and not removed since (an adapter MAY answer
  // invalid_argument when it is not; one that keeps no copy cannot tell).
  virtual result<void> unindex_post(PostId post, const SearchDoc& indexed) = 0;
  // The posts whose search text matches every term of `q` that is not excluded and none that
  // is, and every filter of `q`, in q.sort order after q's keyset position, at most `limit`,
  // reaction counts filled in. A term matches where its tokens occur consecutively within the
  // title or within the body (a phrase never spans the two); tokens compare byte for byte.
  // Never returned: deleted posts, removed posts, and posts of a deleted thread. A post's
  // space, author, creation time, state and its thread's tags are read as they are stored now
  // (a moved thread's posts are found in their new space), its text as last indexed.
  // REQUIRES: q.terms holds at least one term that is not excluded, every term a token or more.
  virtual result<std::vector<ScoredPost>> search_posts(const SearchQuery& q,
                                                       std::uint32_t limit) = 0;
  // Posts, deleted ones aside, that have no search text stored (written before the storage
  // kept an index: an adapter upgraded from an older schema), by id ascending, with id > after.
  // The engine indexes them when it opens, a batch per write transaction: every post a call in
  // a write transaction returns is indexed in it, so once it commits an adapter MAY count them
  // done and leave them out from then on, whatever `after` a later call gives. An adapter that
  // indexed from the start returns none.
  virtual result<std::vector<Post>> list_unindexed_posts(PostId after, std::uint32_t limit) = 0;

  // --- reactions -------------------------------------------------------------------------
  // Records that `member` reacted with `kind` to `post` and adds 1 to that kind's count.
  // Returns false, and changes nothing, when that reaction is already stored.
  virtual result<bool> add_reaction(PostId post, MemberId member, std::string_view kind,
                                    Timestamp at) = 0;
  // Removes it and subtracts 1 from the count. Returns false, changing nothing, when absent.
  virtual result<bool> remove_reaction(PostId post, MemberId member, std::string_view kind) = 0;
  // Who reacted to `post` with `kind`, by member id ascending, with member id > after; `at` is
  // the time given to add_reaction.
  virtual result<std::vector<Reaction>> list_reactions(PostId post, std::string_view kind,
                                                       MemberId after, std::uint32_t limit) = 0;

  // The reactions `member` gave `post`, by kind (bytewise).
  virtual result<std::vector<Reaction>> list_member_reactions(PostId post, MemberId member) = 0;

  // --- notifications (docs/posts.md, "Notifications") ------------------------------------
  // A notification is found by its recipient and its id: an adapter may keep each member's
  // inbox together (the SQLite adapter keys it so). Ids are the engine's, unique.
  //
  // Stored as given: the storage checks neither the recipient nor the post. already_exists when
  // the recipient has one with that id (an adapter MAY also refuse an id another recipient has).
  virtual result<void> insert_notification(const Notification& n) = 0;
  // Replaces n.recipient's notification stored under `id` with `n`, every field included, the
  // id too (a bumped reaction aggregate takes a new id and so moves to the top of the inbox).
  // not_found when the recipient has none with `id`; already_exists when n.id differs from `id`
  // and the recipient has it (an adapter MAY also refuse one another recipient has).
  virtual result<void> update_notification(NotificationId id, const Notification& n) = 0;
  // not_found when `recipient` has none with `id`.
  virtual result<Notification> get_notification(MemberId recipient, NotificationId id) = 0;
  // The unread notification of kind reaction about `post` in `recipient`'s inbox (the one with
  // the highest id, should there be several); not_found when there is none.
  virtual result<Notification> find_reaction_notification(MemberId recipient, PostId post) = 0;
  // `recipient`'s notifications by id descending, with id < before (no id: from the newest),
  // only the unread ones when `unread_only`.
  virtual result<std::vector<Notification>> list_notifications(MemberId recipient,
                                                               NotificationId before,
                                                               bool unread_only,
                                                               std::uint32_t limit) = 0;
  // Marks read every unread notification of `recipient` with id <= up_to; returns how many.
  virtual result<std::uint32_t> mark_notifications_read(MemberId recipient,
                                                        NotificationId up_to) = 0;
  // `recipient`'s unread notifications counted per space (Notification::space), by space id
  // ascending; spaces with none are left out.
  virtual result<std::vector<std::pair<SpaceId, std::uint32_t>>> count_unread_notifications(
      MemberId recipient) = 0;

  // --- read markers ------------------------------------------------------------------------
  // Stores the marker of (m.space, m.member), replacing any earlier one. Neither is checked.
  virtual result<void> put_read_marker(const ReadMarker& m) = 0;
  virtual result<ReadMarker> get_read_marker(SpaceId space, MemberId member) = 0;  // not_found
  // `member`'s markers by space id ascending.
  virtual result<std::vector<ReadMarker>> list_read_markers(MemberId member) = 0;
  // The memberships of `member`, by space id ascending, with space id > after.
  virtual result<std::vector<Membership>> list_member_spaces(MemberId member, SpaceId after,
                                                             std::uint32_t limit) = 0;
  // How many posts now in `space` have an id above `after`, are neither deleted nor removed and
  // are not by `except` (no id: by anyone), counting no further than `cap`: min(count, cap).
  // SHOULD cost about cap + (posts by `except` in that range) index entries, not the whole range.
  virtual result<std::uint32_t> count_posts_after(SpaceId space, PostId after, MemberId except,
                                                  std::uint32_t cap) = 0;

  // --- reputation (docs/reputation.md) ----------------------------------------------------
  // The ledger is append-only: there is no method to change or delete an entry. Totals are the
  // engine's projections of it, stored as given (the storage does not sum the ledger).
  //
  // Appends an entry, stored as given. already_exists for a taken id.
  virtual result<void> insert_reputation_entry(const ReputationEntry& e) = 0;
  // The entries matching every set field of `q`, by id ascending, with id > after, at most
  // `limit`. SHOULD cost about the entries of the member, post, thread, (source, member) or
  // source named, not the whole ledger, when one of those is set.
  virtual result<std::vector<ReputationEntry>> list_reputation_entries(const LedgerQuery& q,
                                                                       ReputationEntryId after,
                                                                       std::uint32_t limit) = 0;
  // not_found when no total was ever put for (scope, window, member).
  virtual result<ReputationTotal> get_reputation_total(SpaceId scope, std::string_view window,
                                                       MemberId member) = 0;
  // Stores the total, replacing any earlier one with its (scope, window, member).
  virtual result<void> put_reputation_total(const ReputationTotal& t) = 0;
  // Adds `delta` to the total of (scope, window, member), storing `delta` when there is none,
  // and returns the sum: get and put in one step (one statement on SQL adapters). Adding 0 to
  // an absent total stores a total of 0.
  virtual result<std::int64_t> add_reputation_total(SpaceId scope, std::string_view window,
                                                    MemberId member, std::int64_t delta) = 0;
  // Totals by (scope, window bytewise, member) ascending, strictly after `after`, at most
  // `limit`. SHOULD cost about `limit` index entries: leaderboards are loaded this way.
  virtual result<std::vector<ReputationTotal>> list_reputation_totals(
      const ReputationTotalKey& after, std::uint32_t limit) = 0;

  // --- trust (docs/trust.md) ---------------------------------------------------------------
  // Activity is stored as given: the storage does not add the day rows into the member's
  // record, nor check that the member or thread exists.
  //
  // not_found when no activity was ever put for `member`.
  virtual result<MemberActivity> get_member_activity(MemberId member) = 0;
  // Stores it, replacing any earlier one of a.member.
  virtual result<void> put_member_activity(const MemberActivity& a) = 0;
  // not_found when no row was ever put for (member, day).
  virtual result<ActivityDay> get_activity_day(MemberId member, std::int64_t day) = 0;
  // Stores the row, replacing any earlier one with its (member, day).
  virtual result<void> put_activity_day(const ActivityDay& d) = 0;
  // The counts of `member`'s rows with from_day <= day <= to_day, added up field by field (all
  // 0 when there are none). SHOULD cost about the rows in the range, not all of the member's.
  virtual result<ActivityCounts> sum_activity_days(MemberId member, std::int64_t from_day,
                                                   std::int64_t to_day) = 0;
  // Records that `member` entered `thread`. Returns false, changing nothing, when it is
  // recorded already.
  virtual result<bool> insert_thread_entered(MemberId member, ThreadId thread) = 0;

  // --- badges (docs/badges.md) -----------------------------------------------------------
  // Grants, progress counters and helpful-reply marks are stored as given: the storage does
  // not check that members, posts or badge names exist.
  //
  // Stores `g` with a new id (written into g.id: above every id given before, in this storage)
  // unless a grant with its (member, badge, post, ordinal) is stored: then returns false and
  // writes nothing (g.id is left as it was).
  virtual result<bool> insert_badge_grant(BadgeGrant& g) = 0;
  // `member`'s grants by id ascending, with id > after, at most `limit`. SHOULD cost about
  // `limit` index entries, not all of the member's grants.
  virtual result<std::vector<BadgeGrant>> list_badge_grants(MemberId member, std::uint64_t after,
                                                            std::uint32_t limit) = 0;
  // How many grants of badge `badge` `member` holds (0 when none).
  virtual result<std::uint64_t> count_badge_grants(MemberId member, std::string_view badge) = 0;
  // Adds `delta` to `member`'s counter named `counter` (0 when never added to) and returns the
  // sum, in one step. The counter may go below 0.
  virtual result<std::int64_t> add_badge_progress(MemberId member, std::string_view counter,
                                                  std::int64_t delta) = 0;
  // Marks `post` helpful for reaction kind `kind`. Returns false, changing nothing, when it
  // is marked already: a reply counts once, ever.
  virtual result<bool> insert_helpful_reply(PostId post, std::string_view kind) = 0;

  // --- audit log (docs/moderation.md, "Audit log") -----------------------------------------
  // Append-only: there is no method to change or delete an entry, and an adapter MUST NOT
  // offer one. Entries are stored as given: the storage checks no space, member or text.
  //
  // Stores `e` with a new id (written into e.id: above every id given before, in this
  // storage). A rolled-back transaction leaves no entry (its ids MAY be given again).
  virtual result<void> insert_audit_entry(AuditEntry& e) = 0;
  // The entries matching every filter of `q` (see AuditQuery; from and to both inclusive), by id
  // descending, with id < before_id (0: from the newest), at most `limit`. SHOULD cost about
  // the entries of the space, target or actor named (that order of preference), when one is,
  // not the whole log.
  virtual result<std::vector<AuditEntry>> list_audit_entries(const AuditQuery& q,
                                                             std::uint64_t before_id,
                                                             std::uint32_t limit) = 0;

  // --- reports and the review queue (docs/moderation.md, "Reports and the review queue") ---
  // Stored as given, ids included (the engine assigns them): the storage checks no member,
  // space or post.
  //
  // already_exists when a report or item with its id is stored.
  virtual result<void> insert_report(const Report& r) = 0;
  // Replaces the stored report with r.id (not_found when there is none).
  virtual result<void> update_report(const Report& r) = 0;
  // `reporter`'s open report about (target_member, post) (post: no id for one about the
  // member), if any.
  virtual result<std::optional<Report>> find_open_report(MemberId reporter, MemberId target_member,
                                                         PostId post) = 0;
  // The reports that joined `item`, by id ascending.
  virtual result<std::vector<Report>> list_item_reports(ReviewItemId item) = 0;
  // `reporter`'s reports by id descending, with id < before (no id: from the newest), at most
  // `limit`. SHOULD cost about `limit` index entries.
  virtual result<std::vector<Report>> list_reports_by(MemberId reporter, ReportId before,
                                                      std::uint32_t limit) = 0;
  // already_exists when an item with its id is stored.
  virtual result<void> insert_review_item(const ReviewItem& i) = 0;
  // Replaces the stored item with i.id (not_found when there is none).
  virtual result<void> update_review_item(const ReviewItem& i) = 0;
  virtual result<std::optional<ReviewItem>> get_review_item(ReviewItemId id) = 0;
  // The undecided item of `space` about (target_member, post), if any; appeals (appeal_of set)
  // are not counted: they are found by find_appeal.
  virtual result<std::optional<ReviewItem>> find_open_review_item(SpaceId space,
                                                                  MemberId target_member,
                                                                  PostId post) = 0;
  // The item, decided or not, whose appeal_of is `audit_entry` (at most one exists), if any.
  virtual result<std::optional<ReviewItem>> find_appeal(std::uint64_t audit_entry) = 0;
  // The undecided items of `space` in queue order: weight descending, then id ascending;
  // those after (after_weight, after) in that order (after no id: from the first), at most
  // `limit`. SHOULD cost about `limit` index entries, not all of the space's items.
  virtual result<std::vector<ReviewItem>> list_review_queue(SpaceId space,
                                                            std::uint32_t after_weight,
                                                            ReviewItemId after,
                                                            std::uint32_t limit) = 0;

  // --- moderator notes (docs/moderation.md, "Moderator notes") ------------------------------
  // Stored as given, ids included (the engine assigns them). already_exists for a taken id.
  virtual result<void> insert_moderator_note(const ModeratorNote& n) = 0;
  virtual result<ModeratorNote> get_moderator_note(ModeratorNoteId id) = 0;  // not_found
  // Deletes it for good (not_found when there is none).
  virtual result<void> delete_moderator_note(ModeratorNoteId id) = 0;
  // The notes of `space` about `member`, by id descending, with id < before (no id: from the
  // newest), at most `limit`. SHOULD cost about `limit` index entries.
  virtual result<std::vector<ModeratorNote>> list_moderator_notes(SpaceId space, MemberId member,
                                                                  ModeratorNoteId before,
                                                                  std::uint32_t limit) = 0;

  // --- auto-moderation rules (docs/moderation.md, "Auto-moderation") ----------------------
  // The rule set stored for `space` (no id: the community-wide one); not_found when none is.
  virtual result<AutomodRecord> get_automod_rules(SpaceId space) = 0;
  // Stores `r` as the set of r.space, replacing the one stored before.
  virtual result<void> put_automod_rules(const AutomodRecord& r) = 0;
  // Deletes the set of `space`; false when it had none.
  virtual result<bool> delete_automod_rules(SpaceId space) = 0;

  // --- event log -------------------------------------------------------------------------
  // Appends `e` with the next sequence number, which is returned (1 for the first event ever,
  // then +1 per event of committed transactions: a rolled-back append leaves no gap).
  virtual result<std::uint64_t> append_event(const Event& e) = 0;
  // Committed events with seq > after, ascending, at most `limit`.
  virtual result<std::vector<Event>> read_events(std::uint64_t after, std::uint32_t limit) = 0;
  // The highest sequence number this transaction sees (0 for an empty log).
  virtual result<std::uint64_t> last_event_seq() = 0;
  // Replaces the payload of each member_created and member_updated event whose actor is
  // `member` with `payload`, keeping everything else of those events, and returns how many it
  // replaced: the one change to stored events there is, for an erasure (docs/privacy.md).
  // SHOULD cost about those events, not the whole log.
  virtual result<std::uint64_t> redact_member_events(MemberId member, std::string_view payload) = 0;
};

// A store of hearth state. Thread-safe: any thread may begin transactions. Write transactions
// are serialised: begin(TxMode::write) waits while another write transaction exists, and the
// write lock is released only when the transaction object is destroyed, even after commit() (the
// engine queues the committed events for dispatch in that window, which keeps dispatch in commit
// order). Read transactions may run beside the writer (SQLite) or wait for it (MemoryStorage).
// A thread that holds an open transaction MUST NOT begin another one: it may wait forever.
class Storage {
 public:
  virtual ~Storage() = default;
  virtual result<std::unique_ptr<Transaction>> begin(TxMode mode) = 0;
};

// --- matching search text without an index ------------------------------------------------
// search_posts' rules applied to one post's stored text, for an adapter that holds some text
// outside its index (MemoryStorage holds all of it; the SQLite adapter, the posts of a batch it
// has not indexed yet).

// The tokens of one SearchDoc field (split at its single spaces).
std::vector<std::string> search_field_tokens(std::string_view field);
// How often `term` occurs in a field's tokens, counting at each position (overlaps count).
std::uint32_t search_occurrences(const std::vector<std::string>& tokens, const SearchTerm& term);
// The post's score for `terms` (ScoredPost), or nothing when the post does not match: a term
// that is not excluded occurs in neither field, or an excluded one occurs in either.
std::optional<std::uint32_t> search_score(const std::vector<std::string>& title,
                                          const std::vector<std::string>& body,
                                          const std::vector<SearchTerm>& terms);
// Whether a hit with this score and post comes strictly after q's keyset position in q's order
// (always, when q has none).
bool search_past_keyset(const SearchQuery& q, std::uint32_t score, PostId post) noexcept;

}  // namespace hearth
