// The one entry point of hearth: open an Engine, then call it from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hearth/badges.hpp"
#include "hearth/clock.hpp"
#include "hearth/error.hpp"
#include "hearth/event.hpp"
#include "hearth/model.hpp"
#include "hearth/moderation/classifier.hpp"
#include "hearth/moderation/notes.hpp"
#include "hearth/moderation/reports.hpp"
#include "hearth/reputation.hpp"
#include "hearth/storage/storage.hpp"
#include "hearth/trust.hpp"

namespace hearth {

// Text limits, counted in Unicode code points after trimming ASCII white space at both ends.
struct Limits {
  std::uint32_t handle_min = 3;  // bytes, [A-Za-z0-9_.-]
  std::uint32_t handle_max = 32;
  std::uint32_t display_name_max = 64;
  std::uint32_t bio_max = 2'000;
  std::uint32_t space_name_max = 100;
  std::uint32_t space_description_max = 2'000;
  std::uint32_t title_max = 200;
  std::uint32_t body_max = 40'000;
  std::uint32_t external_ref_max = 200;  // bytes
  std::uint32_t max_page_size = 200;     // the largest PageRequest::limit accepted
  std::uint32_t mentions_max = 10;       // members one post may @mention without mention_many
  std::uint32_t space_tags_max = 100;    // tags in one space's vocabulary
  std::uint32_t thread_tags_max = 5;     // tags on one thread
  std::uint32_t unread_posts_cap = 99;   // unread_counts counts new posts up to this ("99+")
  std::int64_t timeout_max_ms = 28LL * 24 * 3'600'000;  // the longest timeout (timeout_member)
};

struct EngineOptions {
  // Where state lives. None: a fresh MemoryStorage.
  std::shared_ptr<Storage> storage;
  // Where "now" comes from. None: SystemClock.
  std::shared_ptr<Clock> clock;
  // This process's node number (0..1023) in the ids it makes; distinct per process that writes
  // to one shared storage.
  unsigned node_id = 0;
  Limits limits;
  // How many (member, space) permission checks the engine keeps computed (docs/permissions.md).
  // The cache follows every change this engine makes; where several processes write to one
  // storage, set 0 so that none of them acts on another's stale view.
  std::size_t permission_cache_entries = 16'384;
  // The reaction kinds members may use: each 1..32 bytes of printable ASCII.
  std::vector<std::string> reaction_kinds = {"+1", "-1", "heart", "laugh", "thanks"};
  // How long after writing a post its author may edit it, in ms; 0: always.
  std::int64_t edit_window_ms = 0;
  // The kinds a member may not give to their own posts (kinds not in reaction_kinds are
  // ignored, so the default suits a community with kinds of its own).
  std::vector<std::string> no_self_reaction = {"+1", "-1"};
  // How members earn reputation (docs/reputation.md): these rules hold in the whole community,
  // whose points form one scope...
  ReputationRules reputation = ReputationRules::qa_points();
  // ...except at and below a space of one of these kinds: each such space is a scope of its
  // own, with its own ledger totals and leaderboards, under the rules given for its kind (every
  // guild its own contribution board). The nearest such space above a post wins.
  std::vector<std::pair<SpaceKind, ReputationRules>> reputation_by_kind;
  // How many leaderboards (scope, window) the engine keeps loaded in memory. Like the
  // permission cache, a board follows this engine's writes only: where several processes write
  // to one storage, boards show another's points once this engine loads them again.
  std::size_t leaderboards_loaded = 64;
  // Group commit (docs/architecture.md, "Group commit"): how many write calls, arriving from
  // other threads while a commit is in flight, may share the next transaction and its commit.
  // Each call still returns only once its own writes are committed, and one that fails undoes
  // its own writes alone. 1: every call commits alone. Storages without savepoints always
  // commit each call alone. 0 is invalid_argument.
  std::size_t group_commit_max = 64;
  // How members earn trust levels, and what level 0 may not do (docs/trust.md).
  TrustRules trust;
  // The badges members earn (docs/badges.md). Validated by Engine::open (invalid_argument).
  BadgeRules badges = BadgeRules::standard();
  // How members' reports weigh and when they hide a post (docs/moderation.md).
  ReportOptions reports;
  // The community-wide auto-moderation rules until the host stores a set of its own
  // (set_community_automod_rules); every space inherits them unless its set says otherwise
  // (docs/moderation.md, "Auto-moderation"). Validated by Engine::open (invalid_argument).
  moderation::AutomodRules automod;
  // The host's classifier (docs/moderation.md, "The classifier hook"): run over every new post
  // and edit, outside the write transaction, before the rules decide; none: no classifier.
  // Posts by a space's owner are not classified.
  std::shared_ptr<moderation::Classifier> classifier;
  // What its labels lead to, how long a post waits for it, and what its failure means.
  // Validated by Engine::open (invalid_argument), with or without a classifier.
  moderation::ClassifierPolicy classifier_policy;
};

// How a subscriber receives events.
enum class Delivery : std::uint8_t {
  immediate,  // on the thread that committed the change, right after the commit
  polled,     // queued until the host calls Engine::poll() (e.g. from a game's tick)
};

using SubscriptionId = std::uint64_t;

struct ProfileUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> bio;
};

struct NewSpace {
  SpaceId parent;  // no id: a root space
  SpaceKind kind = SpaceKind::community;
  std::string name;
  std::string description;
  Visibility visibility = Visibility::public_;
  // None: open for a public space, request for a private one, invite for a secret one. A
  // private or secret space cannot be open, and a secret one cannot take requests (nobody
  // outside knows it exists): invalid_argument.
  std::optional<JoinPolicy> join_policy;
  std::uint32_t member_cap = 0;  // 0: no cap
  // The tags its threads may carry: each 1..32 of [a-z0-9_.+-] (ASCII letters are lowered);
  // kept sorted, duplicates dropped; at most Limits::space_tags_max.
  std::vector<std::string> tags;
  // The community's own reaction kinds, here and below (each 1..32 bytes of printable ASCII,
  // distinct, at most 32); empty: those of the parent (for a root: EngineOptions).
  std::vector<std::string> reaction_kinds;
  // With reaction_kinds: the kinds a member may not give their own posts here and below.
  std::vector<std::string> no_self_reaction;
};

// A change of a space's settings; fields left empty stay as they are.
struct SpaceUpdate {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<JoinPolicy> join_policy;
  std::optional<std::uint32_t> member_cap;  // 0: no cap; below the current count: conflict
  // A new vocabulary. Threads keep the tags they carry; new ones must come from it.
  std::optional<std::vector<std::string>> tags;
  // New reaction rules (see NewSpace; an empty reaction_kinds inherits again). Reactions
  // already given stay, and can still be taken back.
  std::optional<std::vector<std::string>> reaction_kinds;
  std::optional<std::vector<std::string>> no_self_reaction;
};

// What a member looks for in space discovery: the "guild finder" and "browse forums" screens.
struct SpaceSearch {
  // Found in the name or the description, ASCII letters compared case-insensitively (other
  // bytes exactly); trimmed; up to 200 code points. Empty: any.
  std::string text;
  std::string tag;                // in the space's vocabulary (normalised as tags are)
  std::optional<SpaceId> parent;  // only the children of this space (no id: the roots)
  std::optional<SpaceKind> kind;  // e.g. only guilds
  bool hide_full = false;         // leave out the spaces at their member cap
  bool open_only = false;         // only the spaces anyone may join (join policy open)
  SpaceSort sort = SpaceSort::activity;
};

// What a thread listing leaves out.
struct ThreadFilter {
  bool unanswered_only = false;  // only questions with no accepted answer
  std::string tag;               // only threads carrying this tag
};

// What a search wants besides its words (Engine::search).
struct SearchOptions {
  SpaceId space;       // only in this space and the spaces below it; no id: everywhere
  MemberId author;     // only posts by this member; no id: by anyone
  std::string tag;     // only posts of threads carrying this tag; empty: any
  Timestamp from = 0;  // only posts written at or after this time; 0: no bound
  Timestamp to = 0;    // only posts written at or before this time; 0: no bound
  SearchSort sort = SearchSort::relevance;
  // false: every word of the query is just a word. true: "exact phrase", prefix* and
  // -word / -"phrase" (exclusion) are syntax, and malformed syntax is invalid_argument.
  bool advanced = false;
};

// A post a search found.
struct SearchHit {
  Post post;                // as get_post returns it, reaction counts filled in (never a tombstone)
  Thread thread;            // its thread: title, space, tags
  std::uint32_t score = 0;  // over the query's words: 4 per occurrence in the title, 1 in the body
};

struct NewRole {
  std::string name;  // 1..64 code points, one line
  Permissions permissions;
  Rank rank = 0;  // 1..owner_rank-1
};

struct RoleUpdate {
  std::optional<std::string> name;
  std::optional<Permissions> permissions;
  std::optional<Rank> rank;
};

// A sanction the host imposes (Engine::impose_sanction); see the sanctions calls.
struct NewSanction {
  SanctionKind kind = SanctionKind::warn;
  MemberId member;
  SpaceId space;  // warn, timeout: where (no id: community-wide); suspend, ban: none
  std::string reason;
  Timestamp expires_at = 0;  // as the member calls take it
};

struct NewInvite {
  Timestamp expires_at = 0;    // 0: never
  std::uint32_t max_uses = 0;  // 0: unlimited
};

// Engine is thread-safe. Every mutating call names its actor, validates its input, checks that
// the actor may act, writes the change and one event per change in a single storage
// transaction, commits, and only then dispatches the events. A call that fails leaves nothing
// behind. Reads take a `viewer`: no id means an anonymous reader.
//
// Visibility (Visibility, docs/permissions.md): every call that reads or writes what is in a
// space checks that its actor or viewer may read the space and all its ancestors. Where a
// secret space is involved and they are not its member, the answer is not_found, exactly as if
// it did not exist; where they may know the space but not read it, forbidden.
class Engine {
 public:
  // Opens an engine over options.storage (or a new MemoryStorage). Fails with invalid_argument
  // on bad options (node_id above 1023, a malformed reaction kind, a zero page size).
  static result<std::unique_ptr<Engine>> open(EngineOptions options);

  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- members ---------------------------------------------------------------------------
  // A new, active member. already_exists for a taken handle or external_ref.
  result<Member> create_member(std::string_view handle, std::string_view display_name,
                               std::optional<std::string_view> external_ref = std::nullopt);
  result<Member> get_member(MemberId id);
  result<Member> find_member_by_handle(std::string_view handle);
  result<Member> find_member_by_external_ref(std::string_view external_ref);
  // A member changes their own profile (forbidden for anyone else; gone once deactivated).
  result<Member> update_profile(MemberId actor, MemberId member, const ProfileUpdate& update);
  // A member deactivates their own account. Their posts stay; they can no longer act.
  result<void> deactivate_member(MemberId actor, MemberId member);
  // Erases a member, at the host's call (a privacy request, an account closed for good: the
  // host decides who may ask; docs/privacy.md, "Erasure"). In one transaction: the reputation
  // they hold, and what their reactions gave others, is reversed in the ledger; they leave
  // every space they do not own; their handle becomes "erased-<id>", their display name, bio
  // and external reference are cleared, and they are deactivated for good. Their posts stay,
  // under that placeholder. not_found for no such member, gone when already erased.
  result<void> erase_member(MemberId member);

  // --- spaces ----------------------------------------------------------------------------
  // The actor creates a space and becomes its owner and first member. A child space needs
  // manage_space in the parent.
  result<Space> create_space(MemberId actor, const NewSpace& space);
  // not_found for a secret space (or one under a secret space) the viewer is not a member of.
  result<Space> get_space(MemberId viewer, SpaceId id);
  // Child spaces of `parent` (no id: the roots), oldest first; secret ones only to members.
  result<Page<Space>> list_child_spaces(MemberId viewer, SpaceId parent, const PageRequest& page);
  // Returns true if the actor joined, false if they were already a member. Only spaces whose
  // policy is open may be joined this way (forbidden for the others, not_found for secret
  // ones); forbidden when banned; full at the member cap.
  result<bool> join_space(MemberId actor, SpaceId space);
  // A member with approve_joins adds `member` (a game server placing a player in a guild).
  // Returns false if they were already a member. forbidden when `member` is banned there.
  result<bool> add_member(MemberId actor, SpaceId space, MemberId member);
  // Returns true if the actor left, false if they were not a member. The owner cannot leave
  // (conflict).
  result<bool> leave_space(MemberId actor, SpaceId space);
  // Members of a space, by member id.
  result<Page<Membership>> list_space_members(MemberId viewer, SpaceId space,
                                              const PageRequest& page);
  // Space discovery: the spaces matching `search` that the viewer may see — never a secret
  // one, nor one below a space they may not read — by most recent activity or by member
  // count (see SpaceSearch). With a parent filter, not_found/forbidden as get_space for that
  // parent.
  result<Page<SpaceHit>> find_spaces(MemberId viewer, const SpaceSearch& search,
                                     const PageRequest& page);
  // Changes a space's settings (manage_space).
  result<Space> update_space(MemberId actor, SpaceId space, const SpaceUpdate& update);
  // Hands the space to `new_owner`, a member of it (only its owner, or an owner above it).
  // The former owner stays a member.
  result<Space> transfer_ownership(MemberId actor, SpaceId space, MemberId new_owner);
  // Removes `member` from the space and its roles there (sanction_members, above their rank).
  // Returns false if they were not a member. They may join again; ban them to prevent it.
  result<bool> remove_member(MemberId actor, SpaceId space, MemberId member);

  // --- roles and permissions (docs/permissions.md) -----------------------------------------
  // The actor's (or, for no id, an anonymous reader's) effective permissions in the space.
  result<Permissions> get_permissions(MemberId viewer, SpaceId space);
  // A custom role defined in `space`, usable there and below (manage_roles; nothing the actor
  // does not hold, ranked below the actor).
  result<Role> create_role(MemberId actor, SpaceId space, const NewRole& role);
  result<Role> update_role(MemberId actor, RoleId role, const RoleUpdate& update);
  // Deletes a custom role with its assignments and overrides.
  result<void> delete_role(MemberId actor, RoleId role);
  // The roles usable in `space`: the built-in ones, then custom roles from the root down.
  result<std::vector<Role>> list_roles(MemberId viewer, SpaceId space);
  // Gives `member`, a member of `space`, a role (custom roles defined at or above `space`, or
  // builtin::moderator_role / admin_role). manage_roles; the role and the member both below
  // the actor's rank, the role's permissions all held by the actor. Returns false if held.
  result<bool> assign_role(MemberId actor, SpaceId space, MemberId member, RoleId role);
  // Returns false if the member did not hold it there.
  result<bool> unassign_role(MemberId actor, SpaceId space, MemberId member, RoleId role);
  // The roles `member` holds in `space`, from its own assignments and those above it (the
  // built-in member and owner roles included).
  result<std::vector<Role>> list_member_roles(MemberId viewer, SpaceId space, MemberId member);
  // Sets the allow/deny override of `role` in `space` (both empty: removes it). manage_roles;
  // the role ranked below the actor; only permissions the actor holds.
  result<void> set_override(MemberId actor, SpaceId space, RoleId role, Permissions allow,
                            Permissions deny);
  result<std::vector<RoleOverride>> list_overrides(MemberId viewer, SpaceId space);

  // --- bans --------------------------------------------------------------------------------
  // Bans `member` from the space and those below it: removed from it, they cannot rejoin,
  // post, react or read what is not public there until unbanned or `expires_at` (0: never)
  // passes. sanction_members, above their rank. Banning again replaces the ban.
  result<Ban> ban_member(MemberId actor, SpaceId space, MemberId member, std::string_view reason,
                         Timestamp expires_at = 0);
  // Returns false if they were not banned there.
  result<bool> unban_member(MemberId actor, SpaceId space, MemberId member);
  // sanction_members.
  result<Page<Ban>> list_bans(MemberId viewer, SpaceId space, const PageRequest& page);

  // --- sanctions (docs/moderation.md, "Sanctions") -------------------------------------------
  // Warnings, timeouts, suspensions and community-wide bans: kept on the member's record with
  // reason, issuer, start and expiry. One ends by itself once its expires_at passes by the
  // engine's clock, or early when revoked. Authority: sanction_members in the space and a rank
  // above the member's there, as for ban_member; for a community-wide sanction, that in every
  // root space (forbidden otherwise). Nobody sanctions themselves or an owner (forbidden).
  // `reason`: up to 500 code points (invalid_argument). Each call that changes something
  // appends one audit entry and emits member_sanctioned or sanction_revoked, which among
  // members only the sanctioned one receives (subscribe_as). Per-space bans stay ban_member's:
  // they are not on this record.
  //
  // A warning in `space` (no id: community-wide): a message to the member; restricts nothing.
  result<Sanction> warn_member(MemberId actor, SpaceId space, MemberId member,
                               std::string_view reason);
  // A timeout in `space` and the spaces below it (no id: everywhere) until `expires_at`, which
  // must be after now and at most Limits::timeout_max_ms ahead (invalid_argument): there the
  // member's create_thread, reply, edit_post, react and unreact fail with timed_out; they
  // still read.
  result<Sanction> timeout_member(MemberId actor, SpaceId space, MemberId member,
                                  std::string_view reason, Timestamp expires_at);
  // Community-wide, until `expires_at` (0: until revoked; else after now, invalid_argument):
  // every call acting as the member fails with suspended (they cannot log in).
  result<Sanction> suspend_member(MemberId actor, MemberId member, std::string_view reason,
                                  Timestamp expires_at = 0);
  // As suspend_member, and what is not public is closed to them, as to a member banned from
  // every space (their memberships stay, for when it ends).
  result<Sanction> ban_everywhere(MemberId actor, MemberId member, std::string_view reason,
                                  Timestamp expires_at = 0);
  // For the host: any of the four, with no acting member (audited as the host's); the
  // owner of the space (for a community-wide one: of any root space) is still out of reach.
  result<Sanction> impose_sanction(const NewSanction& sanction);
  // Ends a sanction now (a warning: withdraws it), with the authority its imposing needs.
  // Returns false when it was revoked already or has expired. not_found for an unknown id.
  result<bool> revoke_sanction(MemberId actor, SanctionId sanction, std::string_view reason);
  // The host's revoke_sanction.
  result<bool> lift_sanction(SanctionId sanction, std::string_view reason);
  // `member`'s record, oldest first: all of it to the member (even suspended); to others,
  // the sanctions of spaces where they hold sanction_members and the community-wide ones if
  // they hold it in every root space. forbidden for no id or a deactivated viewer.
  result<Page<Sanction>> list_sanctions(MemberId viewer, MemberId member, const PageRequest& page);
  // What restricts `member` in `space` now (no id: community-wide only): a ban (this engine's
  // per-space ban, from the space or one above it, or a community-wide one), else a suspension,
  // else a timeout there or everywhere; the one that ends last when several do. To the member
  // themselves (even suspended: it says until when) and to holders of sanction_members in the
  // space (in every root space for no id); a host asks as the member.
  result<Restriction> restriction(MemberId viewer, MemberId member, SpaceId space);

  // --- invites and join requests ------------------------------------------------------------
  // A new invite code (invite permission). The code is 20 characters of [a-z2-7], random.
  result<Invite> create_invite(MemberId actor, SpaceId space, const NewInvite& invite);
  // Joins the invite's space. Returns false if already a member (the use is not counted).
  // not_found for an unknown code, gone for a revoked, expired or used-up one, forbidden when
  // banned, full when the space is at its cap.
  result<bool> join_with_invite(MemberId actor, std::string_view code);
  // Its creator, or a member with approve_joins. Returns false if already revoked.
  result<bool> revoke_invite(MemberId actor, std::string_view code);
  // approve_joins: every invite of the space, by code.
  result<Page<Invite>> list_invites(MemberId viewer, SpaceId space, const PageRequest& page);
  // Asks to join a space whose policy is request. Returns false if already a member or
  // already asking. forbidden when banned or when the space takes no requests.
  result<bool> request_to_join(MemberId actor, SpaceId space, std::string_view message);
  // The asker withdraws. Returns false if there was no request.
  result<bool> withdraw_join_request(MemberId actor, SpaceId space);
  // approve_joins: approve (the asker becomes a member; full at the cap) or deny.
  // not_found when `member` has no pending request.
  result<void> decide_join_request(MemberId actor, SpaceId space, MemberId member, bool approve);
  result<Page<JoinRequest>> list_join_requests(MemberId viewer, SpaceId space,
                                               const PageRequest& page);

  // --- threads and posts -----------------------------------------------------------------
  struct NewThread {
    Thread thread;
    Post first_post;
  };
  // A member with post_threads in `space` starts a thread with a title and the body of its
  // first post. An announcement also needs the announce permission.
  // `tags` come from the space's vocabulary (invalid_argument otherwise, or for more than
  // Limits::thread_tags_max).
  result<NewThread> create_thread(MemberId actor, SpaceId space, std::string_view title,
                                  std::string_view body, ThreadKind kind = ThreadKind::discussion,
                                  const std::vector<std::string>& tags = {});
  // Replaces a thread's tags (its author with edit_own, or a member with moderate_posts).
  result<Thread> set_thread_tags(MemberId actor, ThreadId thread,
                                 const std::vector<std::string>& tags);
  // A member with reply in the thread's space replies to `reply_to`, a post of that thread
  // (gone if the thread is deleted; the replied-to post may itself be a tombstone). conflict
  // when the thread is archived, or locked (unless the actor may lock threads).
  result<Post> reply(MemberId actor, PostId reply_to, std::string_view body);
  result<Thread> get_thread(MemberId viewer, ThreadId id);
  result<Post> get_post(MemberId viewer, PostId id);
  // The posts of a thread, oldest first. Deleted and removed posts appear as tombstones
  // (deleted or removed = true, empty body; a removed post keeps its text for viewers with
  // moderate_posts) so the thread keeps its shape.
  result<Page<Post>> get_thread_page(MemberId viewer, ThreadId thread, const PageRequest& page);
  // The threads of a space: the pinned ones first, then the others, each by most recent
  // activity; deleted threads are not listed.
  result<Page<Thread>> list_threads(MemberId viewer, SpaceId space, const PageRequest& page,
                                    const ThreadFilter& filter = {});
  // Pin (pin permission), lock (lock) or archive (lock) a thread, or undo it. Archived threads
  // are read-only: no replies, edits, deletions, reactions or answers.
  result<Thread> pin_thread(MemberId actor, ThreadId thread, bool pinned);
  result<Thread> lock_thread(MemberId actor, ThreadId thread, bool locked);
  result<Thread> archive_thread(MemberId actor, ThreadId thread, bool archived);
  // Moves a thread, its posts with it, to another space (moderate_posts in both).
  result<Thread> move_thread(MemberId actor, ThreadId thread, SpaceId to);
  // On a question thread, its asker or a member with moderate_posts accepts `answer`, a reply
  // in that thread, as the answer (replacing any earlier one); no id clears it.
  // invalid_argument for a thread that is not a question or a post that is not one of its
  // replies; gone for a deleted reply.
  result<Thread> accept_answer(MemberId actor, ThreadId thread, PostId answer);
  // Who reacted to a post with `kind`, by member id.
  result<Page<Reaction>> list_reactions(MemberId viewer, PostId post, std::string_view kind,
                                        const PageRequest& page);
  // The author edits a post (edit_own; forbidden once EngineOptions::edit_window_ms has passed);
  // the former text is kept as a revision. For a thread's first post `title` may change the
  // thread's title too.
  result<Post> edit_post(MemberId actor, PostId post, std::string_view body,
                         std::optional<std::string_view> title = std::nullopt);
  // Former texts of a post, oldest first (the author's own only, for now).
  result<std::vector<Revision>> list_revisions(MemberId viewer, PostId post);
  // The author deletes a post: it becomes a tombstone. Deleting a thread's first post deletes
  // the thread. Deleting twice is gone.
  result<void> delete_post(MemberId actor, PostId post);
  // A member with moderate_posts, above the author's rank, removes a post: readers see a
  // tombstone with `reason`; its text is kept (moderate_posts holders still read it) and it can
  // be restored. Removing a thread's first post takes the thread out of listings. Returns
  // false if it was removed already; gone for a post its author deleted.
  result<bool> remove_post(MemberId actor, PostId post, std::string_view reason);
  // Undoes remove_post (the same permission and rank). Returns false if it was not removed.
  result<bool> restore_post(MemberId actor, PostId post);
  // Returns true if added, false if the actor already reacted with that kind. forbidden for a
  // kind in no_self_reaction on one's own post.
  result<bool> react(MemberId actor, PostId post, std::string_view kind);
  // Returns true if removed, false if there was no such reaction.
  result<bool> unreact(MemberId actor, PostId post, std::string_view kind);

  // --- search (docs/posts.md, "Search") -----------------------------------------------------
  // The posts matching `query` (every word; see SearchOptions::advanced) and the filters, that
  // `viewer` (no id: anonymous) may read: never one of a space they cannot read, nor a deleted
  // or removed post, nor a post of a deleted thread. Ordered by score, then newest first (or
  // newest first only); pages continue from next_cursor without duplicates or gaps, even while
  // others post. With a space filter, the space must be readable (as list_threads: forbidden,
  // or not_found when secret) and the spaces below it that the viewer may read are searched
  // too. invalid_argument for a query with no word, over 1,000 bytes or over 32 terms;
  // invalid_cursor for a cursor this search did not issue.
  result<Page<SearchHit>> search(MemberId viewer, std::string_view query,
                                 const SearchOptions& filter, const PageRequest& page);

  // --- notifications and read markers (docs/posts.md, "Notifications") ---------------------
  // The actor's own inbox, newest first (a bumped reaction aggregate counts as new); only the
  // unread notifications when `unread_only`. Notifications about spaces the actor can no longer
  // read are left out (kept, and listed again should they regain access). forbidden for no id
  // or a deactivated member.
  result<Page<Notification>> list_notifications(MemberId actor, const PageRequest& page,
                                                bool unread_only = false);
  // Marks read the actor's notifications with id <= up_to (no id: all of them). Returns how
  // many were unread.
  result<std::uint32_t> mark_notifications_read(MemberId actor, NotificationId up_to = {});
  // Marks one of the actor's notifications read. Returns false if it was read already;
  // not_found if it is not theirs (whether or not it exists).
  result<bool> mark_notification_read(MemberId actor, NotificationId id);
  // Moves the actor's read marker in `space`, of which they are a member (forbidden
  // otherwise), forward to `up_to`, a post in that space (invalid_argument otherwise), or with
  // no id to now. Returns false when the marker was there already or further on. Joining a
  // space sets the marker to the moment of joining.
  result<bool> mark_space_read(MemberId actor, SpaceId space, PostId up_to = {});
  // What is new to the actor: per space they may read, the posts since their read marker (in
  // the spaces they are a member of; not their own, deleted or removed ones; counted up to
  // Limits::unread_posts_cap) and their unread notifications about it.
  result<UnreadCounts> unread_counts(MemberId actor);

  // --- reputation (docs/reputation.md) ------------------------------------------------------
  // Reactions, accepted answers and awards write ledger entries under the rules of the scope in
  // force where they happen; removals, deletions, retracted reactions and serial voting write
  // reversals. A scope is named here by any space in it (no id: the community's scope); the
  // viewer must be able to read that space.
  //
  // The space whose rules are in force in `space` (no id: the community scope).
  result<SpaceId> reputation_scope(MemberId viewer, SpaceId space);
  // `member`'s points and rank in the scope of `space` for the period: all time, this week
  // (from Monday 00:00 UTC), this month (UTC), or the custom window named `window` of the
  // scope's rules (not_found for a name they do not define). A member with no points has 0.
  result<LeaderboardEntry> reputation(MemberId viewer, SpaceId space, MemberId member,
                                      Period period = Period::all_time,
                                      std::string_view window = {});
  // The scope's leaderboard for the period, most points first (equal points by member id);
  // members with equal points share a rank. Only members with a ledger entry are listed.
  result<Page<LeaderboardEntry>> leaderboard(MemberId viewer, SpaceId space, Period period,
                                             std::string_view window, const PageRequest& page);
  // `member`'s ledger entries, oldest first: every change of their points, in every scope
  // whose space the viewer may read (the community scope to anyone).
  result<Page<ReputationEntry>> reputation_history(MemberId viewer, MemberId member,
                                                   const PageRequest& page);
  // Awards `points` (negative: takes them) to `member`, a member of `space`, in its scope, for
  // `reason` (1..200 code points, one line): a game reporting "completed a guild raid". Needs
  // award_reputation in `space`; forbidden when the scope's rules allow no awards;
  // invalid_argument for 0 or beyond the rules' award_max; conflict when `member` is not a
  // member of `space`.
  result<ReputationEntry> award_reputation(MemberId actor, SpaceId space, MemberId member,
                                           std::int64_t points, std::string_view reason);
  // For the host: recomputes every total from the ledger, under the rules in force now (a
  // custom window defined after its entries were written gets them), writes those that
  // differ, and reloads the leaderboards. Returns how many totals it wrote.
  result<std::uint64_t> rebuild_reputation();

  // --- trust levels (docs/trust.md) ------------------------------------------------------
  // Levels 0..4, community-wide, computed from what members do under EngineOptions::trust: the
  // engine counts replies, threads started and reactions given and received (not to one's own
  // posts) in the transaction of each, and what the host reports below. After each change the
  // level is evaluated again: levels 1 and 2 are only ever gained, level 3 is gained and lost
  // over its trailing window, level 4 is given by hand only. A change emits
  // trust_level_changed (community-wide).
  //
  // The actor visited the community: counts a day visited once per UTC day (by the engine's
  // clock) and evaluates the level (so level 3 lapses on the first visit after it is no longer
  // earned). Returns the actor's activity after it.
  result<MemberActivity> record_visit(MemberId actor);
  // The host reports that the actor read `posts_read` posts of `thread` for `read_ms`: the
  // first report about a thread counts it entered. The actor must be able to read the thread's
  // space (forbidden, or not_found when secret); gone for a deleted thread; invalid_argument
  // for read_ms outside 0..3,600,000 (an hour) or posts_read above 1,000 in one report.
  result<MemberActivity> record_reading(MemberId actor, ThreadId thread, std::uint32_t posts_read,
                                        std::int64_t read_ms);
  // `member`'s activity and level: public, like a profile (a member with none has zeros).
  // not_found for an unknown member.
  result<MemberActivity> trust_level(MemberId viewer, MemberId member);
  // For the host (staff decisions are its own): pins `member` at `level` (0..4, else
  // invalid_argument) until clear_trust_level; activity no longer moves it.
  result<MemberActivity> set_trust_level(MemberId member, std::uint8_t level);
  // Unpins `member`: the level is computed afresh from their activity (a pinned level 1 or 2
  // is not kept unless earned).
  result<MemberActivity> clear_trust_level(MemberId member);

  // --- badges (docs/badges.md) -----------------------------------------------------------
  // Granted under EngineOptions::badges in the transaction of what earns them (a reply, a
  // reaction, an accepted answer, a visit, a change of points), each grant once: a badge is
  // kept when its cause is undone (a retracted reaction, an unaccepted answer). Each grant
  // emits badge_awarded: community-wide, or in the post's space for a badge earned by a post.
  //
  // The rules in force.
  const BadgeRules& badge_rules() const noexcept;
  // `member`'s badges, oldest first, with their rules' titles and tiers; a badge earned by a
  // post is listed only if the viewer may read the post's space. not_found for an unknown
  // member.
  result<Page<Badge>> badges(MemberId viewer, MemberId member, const PageRequest& page);
  // For the host (a game's "raid veteran"): grants the badge named `badge`, of any metric,
  // to `member`. not_found for an unknown member or badge name; already_exists when `member`
  // holds it and it does not repeat (a repeating one is granted with the next ordinal).
  result<Badge> grant_badge(MemberId member, std::string_view badge);

  // --- reports and the review queue (docs/moderation.md, "Reports and the review queue") ---
  // Reports `post` for `reason`, with `note` (up to 500 code points; required for
  // ReportReason::other: empty_field). Needs the report permission in the post's space.
  // forbidden for one's own post; gone for a deleted or removed post; already_exists while the
  // actor's earlier report on it is open. The report joins the post's undecided review item (a
  // new one when there is none) and adds its weight (EngineOptions::reports, by the actor's
  // trust level); once the item weighs hide_threshold, the post is hidden pending review,
  // unless its author may review reports there.
  result<Report> report_post(MemberId actor, PostId post, ReportReason reason,
                             std::string_view note);
  // Reports `member` in `space` (report permission there): the same, for a member; nothing is
  // hidden. forbidden for oneself; not_found for an unknown member.
  result<Report> report_member(MemberId actor, SpaceId space, MemberId member, ReportReason reason,
                               std::string_view note);
  // The actor's own reports, newest first, each with how it ended (status). Reporters see
  // nothing of other reporters.
  result<Page<Report>> my_reports(MemberId actor, const PageRequest& page);
  // The undecided items of `space` and of the spaces below it where the viewer holds
  // review_reports, heaviest first, then oldest first. forbidden without review_reports in
  // `space` itself.
  result<Page<ReviewItem>> review_queue(MemberId viewer, SpaceId space, const PageRequest& page);
  // An item and its reports, reporters included (review_reports in the item's space).
  result<ReviewItemDetail> review_item(MemberId viewer, ReviewItemId id);
  // Claims an undecided item for ReportOptions::claim_ms, or renews one's claim: others may
  // not decide it meanwhile. conflict while another moderator's claim holds, or once decided.
  result<ReviewItem> claim_review_item(MemberId actor, ReviewItemId id);
  // Decides an item, once: conflict when it is decided already (of two moderators deciding
  // together, one wins and the other gets conflict) or claimed by another moderator whose
  // claim holds. review_reports in the item's space, and for hide and remove the rights of
  // remove_post over the author (moderate_posts, above their rank). The reports end upheld
  // (hide, remove), rejected (approve) or dismissed (dismiss), and each reporter is notified;
  // an upheld item counts one flag against the author (trust level 3 reads it).
  result<ReviewItem> decide_review_item(MemberId actor, ReviewItemId id, const ReviewDecision& d);
  // decide_review_item for each of `items` (at most max_page_size), each in its own
  // transaction: one result per item, in order; one failing leaves the others decided.
  result<std::vector<result<ReviewItem>>> decide_review_items(MemberId actor,
                                                              std::span<const ReviewItemId> items,
                                                              const ReviewDecision& d);

  // --- explain and appeal (docs/moderation.md, "Explain and appeal") ------------------------
  // What moderation did that concerns `member` (the viewer themselves: forbidden otherwise),
  // newest first: the removals, hides, blocks, flags, censoring, bans and sanctions about them
  // or their posts, each with who acted (a moderator, or a rule or classifier by name), why,
  // what a rule matched, whether it can be appealed, and the appeal filed against it. Never who
  // reported. `post`: only the actions on that post. One call looks at 2,000 entries at most:
  // a page cut short by that ends with a cursor to go on.
  result<Page<ModerationRecord>> moderation_history(MemberId viewer, MemberId member,
                                                    const PageRequest& page, PostId post = {});
  // Appeals the action of audit entry `audit_entry` (one of the actor's own history) with a
  // statement (1..1,000 code points): a moderator's removal or hide of a post still taken
  // down, a warning or timeout in a space still in force, or a per-space ban still standing
  // (invalid_argument for other actions: automatic ones are reviewed already, community-wide
  // sanctions are the host's; conflict once undone or over). Once per action
  // (already_exists). The appeal is an item of the space's review queue (source appeal),
  // which the moderator who acted may not decide unless they own the space: approve upholds
  // it and undoes the action (the post shown again with its reputation, the sanction revoked,
  // the ban lifted), dismiss rejects it. The appellant is notified (appeal_decided).
  result<ReviewItem> appeal(MemberId actor, std::uint64_t audit_entry, std::string_view statement);

  // --- moderator notes (docs/moderation.md, "Moderator notes") ------------------------------
  // What the moderators of a space (review_reports there) write about a member for each
  // other. A note stays in its space: it is not shown in the spaces above or below.
  //
  // A note about `member` in `space`: `body` 1..2,000 code points, line breaks kept (empty_field,
  // too_long). not_found for an unknown member.
  result<ModeratorNote> add_moderator_note(MemberId actor, SpaceId space, MemberId member,
                                           std::string_view body);
  // The notes of `space` about `member`, newest first.
  result<Page<ModeratorNote>> moderator_notes(MemberId viewer, SpaceId space, MemberId member,
                                              const PageRequest& page);
  // Deletes a note for good: its author, or a moderator of its space ranked above its author.
  // not_found for an unknown (or deleted) note.
  result<void> delete_moderator_note(MemberId actor, ModeratorNoteId note);

  // --- auto-moderation (docs/moderation.md, "Auto-moderation") -------------------------------
  // Stores `rules` as the set of `space` (an empty set removes it): manage_space there.
  // invalid_argument for a set moderation::validate refuses, or for no space. The next post
  // there runs under it. One automod_rules_set audit entry.
  result<void> set_automod_rules(MemberId actor, SpaceId space,
                                 const moderation::AutomodRules& rules);
  // The host's: the community-wide set, which replaces EngineOptions::automod.
  result<void> set_community_automod_rules(const moderation::AutomodRules& rules);
  // The set stored for `space` (empty when it has none): to those holding manage_space or
  // review_reports there. No space: the community's set, to the host (viewer no id) only.
  result<moderation::AutomodRules> automod_rules(MemberId viewer, SpaceId space);

  // --- moderation audit log (docs/moderation.md, "Audit log") ------------------------------
  // Every moderation call above (removing and restoring posts; pinning, locking, archiving and
  // moving threads; bans, removals and deactivations of others; roles, assignments and
  // overrides; join decisions; awards; sanctions; the host's trust levels and badges) that changes
  // something appends one AuditEntry in its own transaction; a call that changes nothing
  // appends none. No call edits or deletes an entry.
  //
  // The entries matching `q`, newest first, that `viewer` may read: those of a space where they
  // hold view_audit_log, and the community-wide ones (no space) if they hold it in every root
  // space. With q.space set, forbidden (not_found for a secret space they are not in) unless
  // they may read that space's entries; forbidden for no id or a deactivated member;
  // invalid_argument when q.from > q.to.
  result<Page<AuditEntry>> audit_log(MemberId viewer, const AuditQuery& q, const PageRequest& page);

  // --- events ----------------------------------------------------------------------------
  // Calls `handler` with every event after `after_seq`, exactly once each, in sequence order:
  // first those already in the log, then each new one after its commit. A handler MUST NOT
  // call subscribe/unsubscribe/poll; it may call the rest of the engine. A handler that throws
  // is cancelled at that event (the exception goes no further); the event it threw on counts
  // as not delivered, so a new subscription resumes from the seq before it.
  result<SubscriptionId> subscribe(std::uint64_t after_seq,
                                   std::function<void(const Event&)> handler,
                                   Delivery delivery = Delivery::immediate);
  // The same for a member (or, for no id, an anonymous reader), as a transport forwards events
  // to them: at delivery time (for polled delivery, when poll() runs), an event of a space is
  // passed to the handler only if `viewer` may read that space then; community-wide events
  // always are. Events held back still count as delivered: a resumed subscription does not
  // see them again. `wants`, when set, is asked first, and an event it declines is held back
  // without the visibility check (which reads the storage): a transport whose session follows
  // a few spaces then pays nothing for the events of the others.
  result<SubscriptionId> subscribe_as(MemberId viewer, std::uint64_t after_seq,
                                      std::function<void(const Event&)> handler,
                                      Delivery delivery = Delivery::immediate,
                                      std::function<bool(const Event&)> wants = {});
  void unsubscribe(SubscriptionId id);
  // Runs the handlers of polled subscriptions for what they have queued, on this thread.
  // Returns how many events were delivered.
  std::size_t poll();
  // Committed events after `after_seq`, at most `limit` (1..max_page_size).
  result<std::vector<Event>> read_events(std::uint64_t after_seq, std::uint32_t limit);
  // The seq of the newest committed event (0: none yet): subscribe after it for "from now on".
  result<std::uint64_t> last_event_seq();

  const EngineOptions& options() const noexcept;
  const Clock& clock() const noexcept;

  class Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hearth
