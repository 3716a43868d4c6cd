// Engine internals shared by the engine's source files (not installed).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "hearth/engine.hpp"
#include "hearth/id.hpp"
#include "leaderboard.hpp"
#include "payload.hpp"
#include "search_text.hpp"
#include "text.hpp"

namespace hearth {

// What a write call's body works with: the open transaction, "now", and the events it emits.
struct WriteContext {
  Transaction& tx;
  Timestamp now;
  std::vector<Event> events;
  // Run after the commit, before the caches learn of it (for in-process state that must be
  // current by the time a reader may trust the change, like the space facts). A call that has
  // any ends its commit group: the next call's body runs after these.
  std::vector<std::function<void()>> on_commit;
  // Run after the commit too, for in-process state that no write reads back (leaderboards): a
  // call whose only actions are these may share its commit with calls after it.
  std::vector<std::function<void()>> published;
  // Set by a body that must commit what it wrote (an audit entry) and still fail: write()
  // commits, then returns this error instead of the body's value.
  std::optional<errc> refusal;

  // Appends an event to the log in this transaction; it is dispatched after the commit.
  result<void> emit(EventType type, SpaceId space, MemberId actor, std::string payload);
};

// Delivers committed events to subscribers, in commit order, exactly once each.
class Dispatcher {
 public:
  // Queues events of a transaction that just committed. REQUIRES: called while that
  // transaction still holds the storage's write lock, so the queue is in commit order.
  void enqueue(std::vector<Event> events);
  // Delivers what is queued, unless this or another thread is already delivering (it then
  // delivers these too, in order).
  void drain();

  // `filter`, when set, is asked at delivery time whether the subscriber receives an event.
  result<SubscriptionId> subscribe(Storage& storage, std::uint64_t after,
                                   std::function<void(const Event&)> handler, Delivery delivery,
                                   std::function<bool(const Event&)> filter = {});
  void unsubscribe(SubscriptionId id);
  std::size_t poll();

 private:
  struct Subscription {
    SubscriptionId id = 0;
    std::function<void(const Event&)> handler;
    std::function<bool(const Event&)> filter;
    Delivery delivery = Delivery::immediate;
    std::uint64_t last_seq = 0;  // guarded by deliver_mutex_
    std::atomic<bool> active{true};
    std::mutex queue_mutex;
    std::deque<Event> queue;  // polled delivery
  };
  void deliver(Subscription& sub, const Event& e);
  static void call_handler(Subscription& sub, const Event& e) noexcept;

  std::mutex queue_mutex_;  // guards pending_ and dispatching_
  std::deque<Event> pending_;
  bool dispatching_ = false;

  std::mutex deliver_mutex_;  // held while events go out and while a subscriber catches up
  std::mutex subs_mutex_;     // guards subs_ and next_id_
  std::map<SubscriptionId, std::shared_ptr<Subscription>> subs_;
  SubscriptionId next_id_ = 1;
};

class Engine::Impl {
 public:
  explicit Impl(EngineOptions o);

  // The one write path of the engine: runs `body(ctx)` (which checks, writes state and emits
  // events) in a write transaction, commits, then dispatches the events. When the body or the
  // commit fails, its writes roll back and nothing of it is dispatched. Calls that arrive while
  // another commits wait and then share one transaction and one commit (group commit: each
  // body in a savepoint of its own, in arrival order; see run_group).
  template <class F>
  std::invoke_result_t<F, WriteContext&> write(F&& body) {
    using R = std::invoke_result_t<F, WriteContext&>;
    std::optional<R> out;
    WriteRequest request;
    request.run = [&](WriteContext& ctx) {
      out.emplace(body(ctx));
      return out->has_value();
    };
    submit(request);
    if (request.failed) return failure{request.failed};
    if (!out) return failure{make_error_code(errc::internal)};
    if (!*out) return failure{out->error()};
    if (request.refusal) return failure{*request.refusal};
    return std::move(*out);
  }

  // A write call waiting for its commit. Filled in by the thread that runs its group; read by
  // its own thread once `done` (both under group_mutex).
  struct WriteRequest {
    std::function<bool(WriteContext&)> run;  // the body; false when it failed
    std::vector<Event> events;
    std::vector<std::function<void()>> on_commit, published;
    std::optional<errc> refusal;
    error_code failed;       // the transaction failed it: begin, savepoint or commit
    bool committed = false;  // its transaction committed (run_group sets it)
    bool done = false;
    // Woken when done, or when first in the queue with no group running (then it runs one).
    std::condition_variable wake;
  };
  // Queues `request` and returns once it is done: this thread runs groups (its own and others')
  // while no other thread does, and otherwise waits. Then delivers what is queued. If running
  // a group throws (out of memory in its own bookkeeping, an adapter that throws), the calls
  // of that group that had not committed fail with errc::internal and the next group runs.
  void submit(WriteRequest& request);
  // Runs the first calls of `group` in one transaction and commits them; returns how many it
  // took (the rest wait for the next group). A call with on_commit actions, or events that
  // change what is cached, ends the group.
  std::size_t run_group(const std::vector<WriteRequest*>& group);
  static bool shares_commit(const WriteRequest& r) noexcept;
  std::mutex group_mutex;
  std::deque<WriteRequest*> group_queue;  // guarded by group_mutex
  bool group_running = false;             // guarded by group_mutex

  // Runs `body(tx)` in a read transaction.
  template <class F>
  std::invoke_result_t<F, Transaction&> read(F&& body) {
    note_tx_start();
    auto tx = storage->begin(TxMode::read);
    if (!tx) return failure{tx.error()};
    return body(**tx);
  }

  // The actor as a member who may act: forbidden for no id (anonymous) or once deactivated,
  // not_found if unknown, suspended while suspended or banned everywhere.
  result<Member> active_member(Transaction& tx, MemberId actor);
  // suspended while `member` is suspended or banned everywhere (from the sanctions cache).
  result<void> not_suspended(Transaction& tx, MemberId member);
  enum class Access : std::uint8_t {
    see,   // know that it exists: its name, description and counts
    read,  // what is in it: threads, posts, members
  };

  // Who a member (or, for no id, an anonymous reader) is in a space: what every check needs,
  // read in one walk down the tree from the root (docs/permissions.md).
  struct Standing {
    Permissions perms;                   // effective permissions in the space
    Rank rank = builtin::everyone_rank;  // highest rank held (owner_rank for an owner)
    bool owner = false;                  // owns the space or a space above it
    bool member = false;                 // a member of the space itself
    bool banned = false;                 // banned from it or from a space above it (while in force)
    // When the latest timeout in force here (in it, above it or everywhere) ends; 0: none.
    Timestamp timed_out_until = 0;
    // Visibility: errc{} when readable; forbidden when only its name may be seen (a private
    // space they are not in) or not even that (under such a space); not_found when secret.
    errc see = errc{};
    errc read = errc{};
    std::vector<HeldRole> roles;  // held, from the root down (member and owner included)
  };
  // Served from the standing cache when it holds a current entry (roles are then not filled
  // in; pass with_roles for them). In a write transaction, call it before the transaction's
  // own writes: what it computes may be cached for others.
  result<Standing> standing(Transaction& tx, SpaceId space, MemberId member,
                            bool with_roles = false);

  // The standing cache. A standing depends on memberships, role assignments, roles, overrides,
  // bans and owners; every committed write that changes one of them emits an event of a type
  // listed in changes_standing(), and after_commit() then moves policy_epoch on, which makes
  // every entry stale. An entry carries the epoch read before its transaction began (so one
  // computed from a snapshot older than a change is never current) and, for a ban that
  // expires, the time it stops being true.
  struct CachedStanding {
    Standing standing;
    std::uint64_t epoch = 0;
    Timestamp valid_until = 0;
  };
  std::optional<Standing> cached_standing(SpaceId space, MemberId member);
  void cache_standing(SpaceId space, MemberId member, const Standing& st, Timestamp valid_until);
  static bool changes_standing(EventType t) noexcept;
  // Records the epoch before a transaction begins (per thread: a thread has one open at most).
  void note_tx_start() noexcept;
  // The policy_epoch this thread's transaction began under, and whether it is still current
  // (what that transaction reads may then be cached under it).
  static std::uint64_t tx_policy_epoch() noexcept;
  bool tx_epoch_current() const noexcept;
  void after_commit(const std::vector<Event>& events) noexcept;

  // The definitions every standing reads, cached under their own epoch, which only changes
  // of overrides and custom roles move on (not joins): a space's overrides, a role's
  // permissions and rank.
  result<std::shared_ptr<const std::vector<RoleOverride>>> overrides_at(Transaction& tx,
                                                                        SpaceId space);
  result<HeldRole> custom_role(Transaction& tx, RoleId id);
  static bool changes_definitions(EventType t) noexcept;
  struct CachedOverrides {
    std::shared_ptr<const std::vector<RoleOverride>> overrides;
    std::uint64_t epoch = 0;
  };
  struct CachedRole {
    HeldRole role;
    std::uint64_t epoch = 0;
  };
  std::atomic<std::uint64_t> definitions_epoch{1};
  std::shared_mutex definitions_mutex;
  std::unordered_map<std::uint64_t, CachedOverrides> overrides_cache;  // by space
  std::unordered_map<std::uint64_t, CachedRole> roles_cache;           // by role id

  struct PairHash {
    std::size_t operator()(const std::pair<std::uint64_t, std::uint64_t>& k) const noexcept {
      return std::hash<std::uint64_t>{}(k.first * 0x9E3779B97F4A7C15ull ^ k.second);
    }
  };
  std::atomic<std::uint64_t> policy_epoch{1};
  std::shared_mutex standings_mutex;
  std::unordered_map<std::pair<std::uint64_t, std::uint64_t>, CachedStanding, PairHash>
      standings;  // (space, member)
  // The standing, if `who` has `access` to the space: not_found when the space, or an
  // ancestor, is secret and they are not its member (exactly as if it did not exist);
  // forbidden when they may see it but not read it (a private space or ancestor they are not
  // a member of, a view permission denied). The one place where visibility is decided.
  result<Standing> access(Transaction& tx, SpaceId space, MemberId who, Access access);
  // access(read) and permission `p`, else forbidden.
  result<Standing> require(Transaction& tx, SpaceId space, MemberId who, Permission p);
  // require(p), and `target` a member ranked below the actor there (rank order), else
  // forbidden; not_found for an unknown target.
  result<Standing> require_over(Transaction& tx, SpaceId space, MemberId actor, MemberId target,
                                Permission p);
  // The space record, if `viewer` has `access` to it.
  result<Space> check_access(Transaction& tx, SpaceId space, MemberId viewer, Access access);
  result<void> check_read(Transaction& tx, SpaceId space, MemberId viewer);
  // Whether `who` may read the space now: access(read), with forbidden and not_found as false.
  result<bool> can_read(Transaction& tx, SpaceId space, MemberId who);
  // Whether `recipient` is to be notified of what `actor` did in `space`: someone other than
  // the actor, an active member, who may read the space now. Call it before the transaction's
  // writes (it reads standings).
  result<bool> may_notify(Transaction& tx, SpaceId space, MemberId recipient, MemberId actor);
  // Writes `n` (recipient, kind, space, thread, post and actor filled in) to its recipient's
  // inbox and emits its `notification` event. A reaction (of kind `reaction_kind`) bumps the
  // recipient's unread aggregate about the post when there is one: a new id, the new actor,
  // one more in count unless that actor was counted already.
  result<void> notify(WriteContext& ctx, Notification n, std::string_view reaction_kind = {});

  // Whether `viewer` may receive `e` now: community-wide events go to everyone, an event of a
  // space to those who may read it, a `notification` only to its recipient (and only while
  // they may read its space). A storage failure answers no.
  bool may_receive(MemberId viewer, const Event& e);
  result<std::uint32_t> page_limit(const PageRequest& page) const;

  // The members `body` @mentions who may read `space`, the author aside, as ids for the
  // event: those already mentioned in `previous` (the text an edit replaces) are not named
  // again. forbidden when it mentions more than limits.mentions_max members and `author`
  // lacks mention_many. Call it before the transaction's writes (it reads standings).
  result<std::vector<std::uint64_t>> mentions(Transaction& tx, SpaceId space, MemberId author,
                                              Permissions author_perms, std::string_view body,
                                              std::string_view previous = {});

  // Tags checked and normalised: lowercased, sorted, distinct, each 1..32 of [a-z0-9_.+-]
  // (invalid_argument), at most `max` (invalid_argument).
  static result<std::vector<std::string>> clean_tags(const std::vector<std::string>& tags,
                                                     std::size_t max);
  // clean_tags, and every tag in the space's vocabulary (invalid_argument).
  static result<std::vector<std::string>> thread_tags(const Space& s,
                                                      const std::vector<std::string>& tags,
                                                      std::size_t max);

  // Indexes posts stored without a search text (an upgraded storage), in batches of write
  // transactions; Engine::open calls it.
  result<void> index_backlog();

  // Membership changes shared by joins, invites, requests, removals and bans. `s` is the
  // space as read in this transaction; its member_count is kept in step.
  // Adds `member` (full at the cap; forbidden when banned there or above). Returns false if
  // they were a member already. `known`: their standing in `s`, when the caller has it.
  result<bool> admit(WriteContext& ctx, Space& s, MemberId member, MemberId actor,
                     const Standing* known = nullptr);
  // Removes `member` and their role assignments in `s`, emitting `type` (member_left,
  // member_removed) unless it is none. Returns false if they were not a member.
  result<bool> expel(WriteContext& ctx, Space& s, MemberId member, MemberId actor,
                     std::optional<EventType> type);

  // What checks need of a space's place in the tree. Parent and visibility never change once
  // the space exists (no call moves a space or changes its visibility, and spaces are not
  // deleted); the owner changes only by transfer_ownership and the reaction rules only by
  // update_space, which replace the entry after their commit. So these are cached for the engine's
  // life. Where several processes share one storage, an ownership transfer in one is seen by the
  // others only once they reopen. The reaction kinds of a space and those not given to one's own
  // posts.
  struct ReactionRules {
    std::vector<std::string> kinds;
    std::vector<std::string> not_own;
    bool allows(std::string_view kind) const noexcept {
      return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
    }
    bool own_forbidden(std::string_view kind) const noexcept {
      return std::find(not_own.begin(), not_own.end(), kind) != not_own.end();
    }
  };
  // Checked reaction rules: kinds well formed, distinct, at most 32; not_own well formed
  // (invalid_argument). Not-own kinds without kinds of their own are the caller's to refuse.
  static result<void> check_reaction_rules(const std::vector<std::string>& kinds,
                                           const std::vector<std::string>& not_own);
  // 1..32 bytes of printable ASCII, no space.
  static bool well_formed_reaction_kind(std::string_view kind) noexcept;
  // The rules in force in `space`: its own, else its nearest ancestor's, else the engine's.
  result<std::shared_ptr<const ReactionRules>> reaction_rules(Transaction& tx, SpaceId space);
  std::shared_ptr<const ReactionRules> default_reactions;

  struct SpaceFacts {
    SpaceId parent;
    Visibility visibility = Visibility::public_;
    MemberId owner;
    std::shared_ptr<const ReactionRules> reactions;  // null: as the parent
    SpaceKind kind = SpaceKind::community;
  };
  static SpaceFacts facts_of(const Space& s);
  result<SpaceFacts> space_facts(Transaction& tx, SpaceId space);
  void remember(const Space& s);
  void replace_facts(const Space& s);

  std::shared_mutex facts_mutex;
  std::unordered_map<std::uint64_t, SpaceFacts> facts;

  EngineOptions options;
  std::shared_ptr<Storage> storage;
  std::shared_ptr<Clock> clock;
  IdGenerator ids;
  Dispatcher dispatcher;

  // --- reputation (engine_reputation.cpp, docs/reputation.md) --------------------------------
  struct ReputationScope {
    SpaceId scope;  // no id: the community
    std::shared_ptr<const ReputationRules> rules;
  };
  // The scope in force in `space` (no id: the community's).
  result<ReputationScope> reputation_scope(Transaction& tx, SpaceId space);
  // The rules of a scope, as they are now.
  result<std::shared_ptr<const ReputationRules>> scope_rules(Transaction& tx, SpaceId scope);
  // The ledger effects of what happens to posts, each in the transaction of the change. Call
  // them after the change is written. `actor` is who caused it.
  result<void> reputation_reacted(WriteContext& ctx, const Post& p, const Thread& t, MemberId giver,
                                  std::string_view kind);
  result<void> reputation_unreacted(WriteContext& ctx, const Post& p, MemberId giver,
                                    std::string_view kind);
  // The accepted answer of `t` became `answer` (null: none).
  result<void> reputation_accepted(WriteContext& ctx, const Thread& t, MemberId actor,
                                   const Post* answer);
  // A post taken away: removed by a moderator (restorable) or deleted by its author. A
  // thread's first post takes the whole thread's entries with it.
  result<void> reputation_withdrawn(WriteContext& ctx, const Post& p, const Thread& t,
                                    MemberId actor, bool removed);
  result<void> reputation_restored(WriteContext& ctx, const Post& p, const Thread& t,
                                   MemberId actor);
  // A member erased: their own credits, and what their reactions gave others, are reversed.
  result<void> reputation_erased(WriteContext& ctx, MemberId member);
  // Appends `e` (id, at and, when unset, counts_at filled in), moves its totals and emits
  // reputation_changed. An entry that moves nothing is appended without an event.
  result<ReputationEntry> record(WriteContext& ctx, ReputationEntry e, const ReputationRules& rules,
                                 MemberId actor);
  // What the built-in member role gives `member` in `space`: builtin::member, less the
  // permissions the scope's privileges name, plus those the member's points have earned.
  result<Permissions> member_permissions(Transaction& tx, SpaceId space, MemberId member);
  // forbidden when the rules in force in `space` want more points to give `kind` than
  // `actor` has (and the actor's rank there is not above the member role). Call it before
  // the transaction's writes (it reads standings).
  result<void> check_reaction_points(Transaction& tx, SpaceId space, MemberId actor,
                                     std::string_view kind);
  // forbidden when `text` holds a link and `st.perms` lacks attach_links, or when `author` is
  // at trust level 0, the trust rules keep links from level 0 (new_member_links) and their rank
  // there (`st`) is not above the built-in member role.
  result<void> check_links(Transaction& tx, const Standing& st, MemberId author,
                           std::string_view text);
  // A loaded leaderboard, loaded first when it is not (in a write transaction, so that no
  // commit falls between the load and the board's entry in the cache).
  result<std::shared_ptr<detail::Leaderboard>> board(SpaceId scope, const std::string& window);
  std::shared_ptr<const ReputationRules> default_reputation;
  std::vector<std::pair<SpaceKind, std::shared_ptr<const ReputationRules>>> kind_reputation;
  detail::Leaderboards leaderboards;

  // --- trust levels (engine_trust.cpp, docs/trust.md) ------------------------------------------
  // Adds `delta` to `member`'s activity and to their row of today (UTC, of ctx.now): a visit
  // (delta.visited) counts once a day and sets last_visit; `threads_created` more threads
  // started. Then evaluates the level again (store_trust). Call it in the transaction of the
  // change it counts; `actor` is who caused it.
  result<MemberActivity> note_activity(WriteContext& ctx, MemberId member,
                                       const ActivityCounts& delta, MemberId actor,
                                       std::uint32_t threads_created = 0);
  // `member`'s activity as stored, or zeros when none is.
  static result<MemberActivity> activity_of(Transaction& tx, MemberId member);
  // The level `a` earns now: its pinned level when pinned by hand; else at least the 1 or 2
  // it holds, 1 and 2 when their requirements are met, 3 while level 3's are met over the
  // trailing window ending today.
  result<std::uint8_t> earned_level(Transaction& tx, const MemberActivity& a, Timestamp now);
  // Stores `a` and, when its level differs from `previous`, emits trust_level_changed.
  result<void> store_trust(WriteContext& ctx, const MemberActivity& a, std::uint8_t previous,
                           MemberId actor);

  // --- reports and the review queue (engine_reports.cpp, docs/moderation.md) ------------------
  // Files `r` (reporter, space, target, reason and note set) into its target's review item;
  // `p` and `t` are the reported post and its thread, or null for a report about a member.
  result<Report> file_report(WriteContext& ctx, Report r, Post* p, Thread* t);
  // --- appeals (engine_appeals.cpp, docs/moderation.md, "Explain and appeal") ---------------
  // Decides the appeal `item` (approve: upheld, the action undone; dismiss: rejected).
  result<ReviewItem> decide_appeal(WriteContext& ctx, MemberId actor, ReviewItem item,
                                   const ReviewDecision& d, const std::string& reason);
  // Whether `e` (an audit entry about its target member) can be appealed now: a removal or a
  // moderator's hide of a post still taken down, a warning or timeout in a space still in force,
  // a per-space ban still standing. conflict when it no longer holds; invalid_argument for an
  // action nobody appeals.
  result<void> appealable(Transaction& tx, const AuditEntry& e, Timestamp now);
  // Decides item `id` for decide_review_item, `reason` already cleaned.
  result<ReviewItem> decide(WriteContext& ctx, MemberId actor, ReviewItemId id,
                            const ReviewDecision& d, const std::string& reason);
  // Takes `p` from readers (a tombstone with `reason`, the thread out of listings for a first
  // post) and emits post_removed; `withdraw` also takes back the reputation it earned. `by`:
  // the moderator, or no id when members' reports hid it. The caller writes the audit entry.
  result<void> take_down(WriteContext& ctx, Post& p, Thread& t, MemberId by, std::string reason,
                         bool withdraw);
  // Shows `p` again, gives back what a removal withdrew, and emits post_restored.
  result<void> put_back(WriteContext& ctx, Post& p, Thread& t, MemberId by);
  // Whether a new post by `author` (standing `st` where it goes) waits for review: while
  // TrustRules::first_posts_reviewed is on, a level 0 member's first posts do, unless they are
  // ranked above the member role there.
  result<bool> held_for_review(Transaction& tx, const Standing& st, MemberId author);
  struct Hold;  // (auto-moderation, below)
  // Queues the held post `p` (stored removed, its thread hidden when it is the first post) for
  // review as `h` says, with its audit entry (post_hidden by the rule h.rule).
  result<void> hold_for_review(WriteContext& ctx, const Post& p, const Hold& h);
  // Makes `p` known: counts it in its thread (or its thread in its space: `space`, when the
  // caller holds it), emits its event, notifies the parent's author (`parent`, when the caller
  // holds it) and the members it mentions, and counts it in its author's activity. At creation,
  // or when a held post is approved.
  result<void> publish(WriteContext& ctx, Post& p, Thread& t, std::vector<std::uint64_t> mentioned,
                       Space* space = nullptr, const Post* parent = nullptr);

  // --- audit log (engine_audit.cpp, docs/moderation.md)
  // ------------------------------------------- Appends `e` to the audit log in this transaction,
  // at ctx.now; an entry with no acting member and no rule or classifier is the host's. Call it
  // once per moderation call, only after the call has changed something.
  result<void> audit(WriteContext& ctx, AuditEntry e);
  // Whether `viewer` may read the audit entries of `space` (no id: the community-wide ones).
  result<bool> may_read_audit(Transaction& tx, SpaceId space, MemberId viewer);

  // --- sanctions (engine_sanctions.cpp, docs/moderation.md) -----------------------------------
  // `member`'s sanctions that may be in force, as of a read at most as old as the last change
  // of standings (the sanction events are in changes_standing) and no older than the first of
  // them to expire: every acting call reads them, so they are cached like standings (and
  // filtered by Sanction::in_force at each use).
  using SanctionList = std::shared_ptr<const std::vector<Sanction>>;
  result<SanctionList> sanctions_in_force(Transaction& tx, MemberId member);
  struct CachedSanctions {
    SanctionList sanctions;
    std::uint64_t epoch = 0;
    Timestamp valid_until = 0;
  };
  std::shared_mutex sanctions_mutex;
  std::unordered_map<std::uint64_t, CachedSanctions> sanctions_cache;  // by member
  // timed_out while `st` says a timeout is in force at `now`.
  static result<void> not_timed_out(const Standing& st, Timestamp now);
  // The root spaces, by id.
  static result<std::vector<SpaceId>> root_spaces(Transaction& tx);
  // Whether `viewer` holds `p` in `space` (no id: in every root space, and there is one);
  // forbidden and not_found answer false.
  result<bool> holds(Transaction& tx, SpaceId space, MemberId viewer, Permission p);
  // Whether `actor` (no id: the host) may sanction `member` in `space` (no id: community-wide),
  // else forbidden (not_found for an unknown member or space).
  result<void> may_sanction(Transaction& tx, MemberId actor, SpaceId space, MemberId member);
  result<Sanction> impose(MemberId actor, const NewSanction& spec);
  // What impose checks before its transaction: the kind, space and expiry fit together;
  // returns the cleaned reason.
  result<std::string> check_sanction(const NewSanction& spec);
  // impose's transaction body, for callers with one of their own (a review decision).
  result<Sanction> impose_in(WriteContext& ctx, MemberId actor, const NewSanction& spec,
                             std::string clean_reason);
  // The ledger side of a sanction (ReputationRules::sanctions), in its transaction: the points
  // its kind moves in the scope in force where it holds, and their reversal on revocation.
  result<void> sanction_points(WriteContext& ctx, const Sanction& x);
  result<void> sanction_points_reversed(WriteContext& ctx, const Sanction& x, MemberId actor);
  result<bool> revoke(MemberId actor, SanctionId id, std::string_view reason);
  // Revokes `x` (its authority checked by the caller) in this transaction: false when it is no
  // longer in force.
  result<bool> revoke_in(WriteContext& ctx, MemberId actor, Sanction x, std::string reason);

  // --- badges (engine_badges.cpp, docs/badges.md) ----------------------------------------------
  // Each hook runs in the transaction of the happening, after it is written, and decides in
  // memory whether a rule can fire: storage is touched only when a count crosses a threshold.
  // The rules of options.badges by metric (indexes into options.badges.badges).
  std::array<std::vector<std::size_t>, 10> badge_rules_of = index_badges(options.badges);
  static std::array<std::vector<std::size_t>, 10> index_badges(const BadgeRules& rules);
  // The counter metrics of the trust activity went from `before` to `after`.
  result<void> badges_activity(WriteContext& ctx, const MemberActivity& before,
                               const MemberActivity& after, MemberId actor);
  // `giver` reacted with `kind` to `p` (as read before the reaction was added) in thread `t`.
  result<void> badges_reacted(WriteContext& ctx, const Post& p, const Thread& t, MemberId giver,
                              std::string_view kind);
  // The accepted answer of `t` went from `previous` (no id: none) to `answer` (null: none).
  result<void> badges_accepted(WriteContext& ctx, const Thread& t, PostId previous,
                               const Post* answer, MemberId actor);
  // `member`'s all-time points in the community scope went from `before` to `after`.
  result<void> badges_reputation(WriteContext& ctx, MemberId member, std::int64_t before,
                                 std::int64_t after, MemberId actor);
  // Grants `rule` to `member` (for `post` in `space`, when about a post) with `ordinal`, and
  // emits badge_awarded. Nothing, emitting nothing, when that grant is stored already.
  result<std::optional<BadgeGrant>> grant(WriteContext& ctx, const BadgeRule& rule, MemberId member,
                                          PostId post, SpaceId space, std::uint32_t ordinal,
                                          MemberId actor);

  // --- auto-moderation (engine_automod.cpp, docs/moderation.md, "Auto-moderation") ---------
  struct AutomodSet;    // a space's rule set, compiled
  struct AutomodState;  // what rate limits and duplicates remember between posts
  using AutomodSetPtr = std::shared_ptr<const AutomodSet>;
  // What the rules in force where a post goes decide for it.
  struct AutomodVerdict {
    std::optional<moderation::WordAction> action;  // the strongest finding's; none: nothing
    // Its audit actor_kind: rule, or classifier for the classifier's finding.
    AuditActorKind actor_kind = AuditActorKind::rule;
    // Its audit actor_name: "words", "pattern:<name>", "links", ..., or the classifier's name.
    std::string rule;
    std::string matched;  // what it matched (at most 200 bytes): for a classifier, "toxicity 0.95"
    SpaceId rules_space;  // whose set it was (no id: the community's)
    // For automod_posted: the sets whose slow mode and space rate the post counts in, and the
    // hash of its normalised text when duplicates are watched anywhere.
    std::vector<SpaceId> slow_mode;
    std::vector<SpaceId> space_rate;
    std::size_t text_hash = 0;
    bool track_text = false;
    // A censor rule masked the title or the body: which, and what it matched first.
    bool censored = false;
    std::string censor_rule;
    std::string censor_matched;
  };
  // Why a new post waits for review.
  struct Hold {
    std::string reason;  // the post's removal_reason meanwhile
    ReviewSource source = ReviewSource::first_post;
    std::string rule;  // the audit entry's actor_name
    std::string matched;
    AuditActorKind actor_kind = AuditActorKind::rule;  // the audit entry's
  };
  static Hold automod_hold(const AutomodVerdict& v);
  // Whether a new post by `author` (standing `st` where it goes) is held: for `v`'s
  // require_approval, else for held_for_review.
  result<std::optional<Hold>> hold_of(Transaction& tx, const Standing& st, MemberId author,
                                      const AutomodVerdict& v);
  // What the classifier said about a post, read before the write transaction.
  struct Classified {
    std::string name;  // Classifier::name()
    bool failed = false;
    std::string error;  // why it failed: "timeout", an error's name, "exception: ..."
    std::vector<moderation::Label> labels;
  };
  // Runs options.classifier over `input` on a thread of its own and waits for it at most
  // options.classifier_policy.timeout_ms; a late answer is dropped (the thread holds only the
  // classifier's shared_ptr and its own copy of the input, and touches nothing else). Never
  // fails: a failure is an outcome. Requires options.classifier.
  Classified classify(moderation::ClassifierInput input);
  // Runs the rules in force in `space` (its set, those above while they inherit, the
  // community's) over a post by `author` (standing `st` there, as read before any write):
  // `title` (null for a reply or an edit that keeps it) and `body`. `is_new`: a new post, which
  // the rate and duplicate rules and the trust-level rule also see. A censor finding masks
  // `title` and `body` in place. rate_limited when slow mode or the space's rate refuses it.
  // `classified`, when given, is one more finding, as options.classifier_policy maps it.
  // The space's owner is never checked. Call it before the transaction's writes.
  result<AutomodVerdict> automod(WriteContext& ctx, SpaceId space, MemberId author,
                                 const Standing& st, std::string* title, std::string& body,
                                 bool is_new, const Classified* classified = nullptr);
  // After a new post's commit, the rate and duplicate rules count it.
  void automod_posted(WriteContext& ctx, const AutomodVerdict& v, MemberId author, SpaceId space);
  // A block: writes its audit entry and makes the call fail with `blocked` after the commit.
  result<void> automod_blocked(WriteContext& ctx, const AutomodVerdict& v, SpaceId space,
                               MemberId author, ThreadId thread, PostId post);
  // After `p` is stored: the audit entry of a censor, and unless `held` (hold_for_review queued
  // it), the review item and the audit entry of a review.
  result<void> automod_applied(WriteContext& ctx, const AutomodVerdict& v, const Post& p,
                               bool held);
  // Stores `rules` as the set of `space` (empty: deletes it), with its audit entry.
  result<void> store_automod(WriteContext& ctx, MemberId actor, SpaceId space,
                             const moderation::AutomodRules& rules);
  result<std::vector<AutomodSetPtr>> automod_chain(Transaction& tx, SpaceId space);
  // The compiled set of `space` (null: it has none), compiled on first use.
  result<AutomodSetPtr> automod_set(Transaction& tx, SpaceId space);
  std::mutex automod_mutex;
  std::unordered_map<std::uint64_t, AutomodSetPtr> automod_sets;
  std::shared_ptr<AutomodState> automod_state = make_automod_state();
  static std::shared_ptr<AutomodState> make_automod_state();
  std::atomic<bool> track_texts{false};  // some set watches duplicates
};

// Whether a read that may find nothing (not_found) found something; other errors pass on.
template <class T>
result<bool> found(const result<T>& r) {
  if (r) return true;
  if (is(r.error(), errc::not_found)) return false;
  return failure{r.error()};
}

// The payload of the events about one member in one space (joined, left, banned, ...).
inline std::string membership_payload(SpaceId space, MemberId member) {
  return detail::Payload().id("space", space.value).id("member", member.value).done();
}

// Deletes `member`'s pending request to join `space`, if there is one (checking first: a
// failed delete would spoil the transaction).
inline result<void> drop_join_request(Transaction& tx, SpaceId space, MemberId member) {
  HEARTH_TRY(pending, found(tx.get_join_request(space, member)));
  if (pending) HEARTH_CHECK(tx.delete_join_request(space, member));
  return {};
}

// Stores the search text of `p` (its thread's `title` for a first post, empty for a reply).
inline result<void> index_post(Transaction& tx, const Post& p, std::string_view title) {
  return tx.index_post(p.id, detail::search_doc(title, p.body));
}

// Removes the search text of post `post`, given the title and body it was indexed with.
inline result<void> unindex_post(Transaction& tx, PostId post, std::string_view title,
                                 std::string_view body) {
  return tx.unindex_post(post, detail::search_doc(title, body));
}

// Splits a fetched list of limit+1 items into a page: the extra item says there is more.
template <class T, class KeyFn>
Page<T> make_page(std::vector<T> items, std::uint32_t limit, char tag, KeyFn key) {
  Page<T> page;
  if (items.size() > limit) {
    items.resize(limit);
    page.next_cursor = detail::encode_cursor(tag, key(items.back()));
  }
  page.items = std::move(items);
  return page;
}

}  // namespace hearth
