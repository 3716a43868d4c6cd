// The records hearth stores and returns: plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hearth/clock.hpp"
#include "hearth/id.hpp"
#include "hearth/permissions.hpp"

namespace hearth {

struct Member {
  MemberId id;
  std::string handle;  // unique, case-insensitively; [A-Za-z0-9_.-], 3..32 bytes
  std::string display_name;
  std::optional<std::string> external_ref;  // the host's own key (a game account id); unique
  std::string bio;
  Timestamp created_at = 0;
  bool active = true;  // false once deactivated: kept for history, can no longer act
  // When the member was erased (Engine::erase_member), 0 if not. An erased member is inactive,
  // and their handle, display name, bio and external reference are gone.
  Timestamp erased_at = 0;
};

enum class SpaceKind : std::uint8_t { community, forum, category, guild, channel };
std::string_view to_string(SpaceKind k) noexcept;
std::optional<SpaceKind> space_kind_from_string(std::string_view s) noexcept;

// Who can see a space and read what is in it. Visibility applies down the tree: what is in a
// child is readable only by those who may read every ancestor.
enum class Visibility : std::uint8_t {
  public_ = 0,   // anyone finds it and reads it, members or not, signed in or not
  private_ = 1,  // anyone finds it (name, description, counts); only its members read it
  secret = 2,    // only its members know it exists: for anyone else it is not found, not listed
};
std::string_view to_string(Visibility v) noexcept;
std::optional<Visibility> visibility_from_string(std::string_view s) noexcept;

// How members get into a space.
enum class JoinPolicy : std::uint8_t {
  open = 0,     // anyone who can see it joins (public spaces only)
  request = 1,  // members ask; a member with approve_joins approves or denies (not secret)
  invite = 2,   // only with an invite code (or added by someone with approve_joins)
};
std::string_view to_string(JoinPolicy p) noexcept;
std::optional<JoinPolicy> join_policy_from_string(std::string_view s) noexcept;

struct Space {
  SpaceId id;
  SpaceId parent;  // no id for a root
  SpaceKind kind = SpaceKind::community;
  std::string name;
  std::string description;
  Visibility visibility = Visibility::public_;
  MemberId owner;
  Timestamp created_at = 0;
  std::uint32_t member_count = 0;
  std::uint32_t thread_count = 0;
  JoinPolicy join_policy = JoinPolicy::open;
  std::uint32_t member_cap = 0;   // the most members it may have; 0: no cap
  std::vector<std::string> tags;  // the tags its threads may carry, sorted, distinct
  // The reaction kinds members may use here and below (each 1..32 printable ASCII bytes); empty:
  // those of the parent (for a root, EngineOptions::reaction_kinds).
  std::vector<std::string> reaction_kinds;
  // With reaction_kinds: the kinds a member may not give their own posts here and below.
  std::vector<std::string> no_self_reaction;
};

// How space discovery orders what it finds.
enum class SpaceSort : std::uint8_t {
  activity = 0,  // most recent post first (spaces with no post last)
  members = 1,   // most members first
};

// What space discovery asks the storage for. The engine fills it in from a SpaceSearch and
// leaves out, on top, the spaces the searcher may not see.
struct SpaceQuery {
  // A substring of the name or of the description, compared with ASCII letters folded to lower
  // case (other bytes exactly); given lower-cased. Empty: any.
  std::string text;
  std::string tag;                // in the space's vocabulary, byte for byte; empty: any
  std::optional<SpaceId> parent;  // only the children of this space (no id: the roots)
  std::optional<SpaceKind> kind;  // only spaces of this kind
  bool hide_full = false;         // leave out the spaces at their member cap
  bool open_only = false;         // only the spaces whose join policy is open
  SpaceSort sort = SpaceSort::activity;
};

// Whether `s` passes every filter of `q` (its visibility aside): the one statement of the
// rules, which adapters may use.
bool matches(const SpaceQuery& q, const Space& s) noexcept;

// A space that discovery found.
struct SpaceHit {
  Space space;
  // Its newest post in a thread that is not deleted (no id: none): the activity order.
  PostId last_post;
  Timestamp last_activity_at = 0;  // when that post was written (0: never); set by the engine
};

// A place in a discovery listing. Hits come by (key, space id) descending, the key being
// last_post (SpaceSort::activity) or member_count (SpaceSort::members); a listing continues
// with the hits strictly after a position. The default position is before the first hit.
struct SpacePosition {
  std::uint64_t key = UINT64_MAX;
  SpaceId id{UINT64_MAX};
};

struct Membership {
  SpaceId space;
  MemberId member;
  Timestamp joined_at = 0;
  // Posts with an id up to this one were there before the member joined: not new to them
  // (Engine::unread_counts). No id: from the first id of the millisecond of joined_at.
  PostId read_from;
};

// A custom role, defined in a space and usable there and in all the spaces below it. The
// built-in roles (builtin_roles) are not stored.
struct Role {
  RoleId id;
  SpaceId space;
  std::string name;
  Permissions permissions;
  Rank rank = 0;
  Timestamp created_at = 0;
};

// A role a member holds in a space (and in every space below it).
struct RoleAssignment {
  SpaceId space;
  MemberId member;
  RoleId role;
  MemberId granted_by;
  Timestamp granted_at = 0;
};

// A member banned from a space (and every space below it).
struct Ban {
  SpaceId space;
  MemberId member;
  MemberId issuer;
  std::string reason;
  Timestamp created_at = 0;
  Timestamp expires_at = 0;  // 0: until lifted
};

// What a sanction does (docs/moderation.md, "Sanctions"). The values are stored: new kinds are
// appended at the end, and a value is never renumbered or reused.
enum class SanctionKind : std::uint8_t {
  warn = 0,  // a message on the member's record; restricts nothing
  timeout,   // no threads, replies, edits or reactions in the space and below (or everywhere)
  suspend,   // community-wide: every call acting as the member fails (they cannot log in)
  ban,       // community-wide: as suspend, and what is not public is closed to them
};
std::string_view to_string(SanctionKind k) noexcept;
std::optional<SanctionKind> sanction_kind_from_string(std::string_view s) noexcept;

// A sanction on a member's record. A per-space ban (ban_member) is a Ban, not a Sanction.
struct Sanction {
  SanctionId id;
  SanctionKind kind = SanctionKind::warn;
  MemberId member;
  SpaceId space;    // where it holds, and below; no id: community-wide
  MemberId issuer;  // no id: the host
  std::string reason;
  Timestamp created_at = 0;
  Timestamp expires_at = 0;  // 0: never (a warn has none; a timeout always has one)
  Timestamp revoked_at = 0;  // 0: not revoked
  MemberId revoked_by;       // no id: the host (when revoked_at is set)

  // Whether it restricts the member at `now`: not a warn, not revoked, not expired.
  bool in_force(Timestamp now) const noexcept {
    return kind != SanctionKind::warn && revoked_at == 0 && (expires_at == 0 || expires_at > now);
  }
};

// What restricts a member in one place now (Engine::restriction).
struct Restriction {
  // none: nothing; else the strongest in force (ban, suspend, then timeout).
  std::optional<SanctionKind> kind;
  SanctionId sanction;  // the sanction that says so
  Timestamp until = 0;  // when it ends; 0: never (or, with no kind, nothing to end)
};

// An invite code into a space.
struct Invite {
  std::string code;
  SpaceId space;
  MemberId creator;
  Timestamp created_at = 0;
  Timestamp expires_at = 0;    // 0: never expires
  std::uint32_t max_uses = 0;  // 0: unlimited
  std::uint32_t uses = 0;
  bool revoked = false;
};

// A pending request to join a space whose policy is JoinPolicy::request.
struct JoinRequest {
  SpaceId space;
  MemberId member;
  std::string message;
  Timestamp created_at = 0;
};

enum class ThreadKind : std::uint8_t {
  discussion = 0,
  question = 1,      // Q&A: the asker (or a moderator) accepts one reply as the answer
  announcement = 2,  // started only with the announce permission
};
std::string_view to_string(ThreadKind k) noexcept;
std::optional<ThreadKind> thread_kind_from_string(std::string_view s) noexcept;

struct Thread {
  ThreadId id;
  SpaceId space;
  MemberId author;
  std::string title;
  PostId first_post;
  PostId last_post;  // the newest post: listings order threads by it (most recent activity first)
  Timestamp created_at = 0;
  Timestamp last_activity_at = 0;
  std::uint32_t reply_count = 0;  // posts in the thread besides the first
  bool deleted = false;           // the first post was deleted: no more replies, not listed
  ThreadKind kind = ThreadKind::discussion;
  bool pinned = false;            // listed before the others
  bool locked = false;            // no new replies (but from those who may lock)
  bool archived = false;          // read-only: no replies, edits, deletions or reactions
  PostId accepted_answer;         // question threads: the accepted reply, if any
  bool answered_by_peer = false;  // the accepted reply's author is neither the asker nor staff
  std::uint32_t participant_count = 1;  // distinct members who posted in it
  std::uint32_t reaction_count = 0;     // reactions on all its posts
  std::vector<std::string> tags;        // sorted, distinct
};

// Which threads of a space a listing wants.
struct ThreadListing {
  bool unanswered_only = false;  // only questions with no accepted answer
  std::string tag;               // only threads carrying this tag; empty: any
};

// A place in a thread listing, which gives the pinned threads first, then the others, each run
// by last_post descending: a listing continues with the threads strictly after it. No
// last_post: the start of that run (so the default position is before every thread).
struct ThreadPosition {
  bool pinned = true;
  PostId last_post;
};

// One member's reaction to a post.
struct Reaction {
  PostId post;
  MemberId member;
  std::string kind;
  Timestamp at = 0;
};

struct ReactionCount {
  std::string kind;
  std::uint32_t count = 0;
  friend bool operator==(const ReactionCount&, const ReactionCount&) = default;
};

struct Post {
  PostId id;
  ThreadId thread;
  SpaceId space;
  MemberId author;
  PostId reply_to;   // no id for the first post of a thread
  std::string body;  // empty in a tombstone returned by the engine
  Timestamp created_at = 0;
  Timestamp edited_at = 0;     // 0 when never edited
  std::uint32_t revision = 1;  // 1 for the original text, +1 per edit
  bool deleted = false;        // deleted by its author
  // Removed by a moderator: hidden from readers (a tombstone with the reason), kept for review,
  // the audit log and appeals, and restorable.
  bool removed = false;
  std::string removal_reason;
  MemberId removed_by;
  std::vector<ReactionCount> reactions;  // per kind, only kinds with a count above 0, by kind
};

// A former text of a post, kept when the post is edited.
struct Revision {
  PostId post;
  std::uint32_t number = 0;  // the revision this text was (1 = the original)
  std::string title;         // the thread title at that revision (first posts only)
  std::string body;
  MemberId editor;  // who wrote this text
  Timestamp written_at = 0;
};

// The search text of a post, tokenised by the engine (src/search_text.cpp): each field is its
// tokens joined by single ASCII spaces, each token 1..64 bytes of ASCII lower-case letters and
// digits and of non-ASCII UTF-8 (no ASCII space, punctuation or control byte in a token). The
// title is the thread's title for a thread's first post, empty for a reply.
struct SearchDoc {
  std::string title;
  std::string body;
};

// How search results are ordered.
enum class SearchSort : std::uint8_t {
  relevance = 0,  // score descending, then post id descending (newest first among equals)
  newest = 1,     // post id descending
};

// One term of a search: a phrase of tokens (as in SearchDoc) that must occur consecutively in
// one field. `prefix`: its last token matches any token starting with it, byte for byte.
// `exclude`: a post containing the phrase does not match.
struct SearchTerm {
  std::vector<std::string> tokens;  // at least one
  bool prefix = false;
  bool exclude = false;
};

// A search of the index, as the engine hands it to the storage.
struct SearchQuery {
  std::vector<SearchTerm> terms;  // at least one term that is not excluded
  std::vector<SpaceId> spaces;    // only posts in these spaces; empty: in any space
  MemberId author;                // only posts by this member; no id: by anyone
  std::string tag;                // only posts of threads carrying this tag; empty: any
  Timestamp from = 0;             // only posts with created_at >= from; 0: no lower bound
  Timestamp to = 0;               // only posts with created_at <= to; 0: no upper bound
  SearchSort sort = SearchSort::relevance;
  // Where the previous page ended (keyset): no id starts from the first result. relevance:
  // results after (after_score, after_post) in (score desc, id desc) order; newest: ids below
  // after_post.
  std::uint32_t after_score = 0;
  PostId after_post;
};

// A post found by a search, with its score: over the terms that are not excluded, the
// phrase's occurrences in the title times 4 plus its occurrences in the body.
struct ScoredPost {
  Post post;
  std::uint32_t score = 0;
};

// What a notification tells its recipient (docs/posts.md, "Notifications").
enum class NotificationKind : std::uint8_t {
  reply = 1,            // someone replied to their post
  mention = 2,          // someone @mentioned them in a post
  answer_accepted = 3,  // their reply was accepted as the answer to a question
  reaction = 4,         // people reacted to their post (aggregated while unread)
  report_decided = 5,   // a moderator decided what they reported (Engine::my_reports says how)
  appeal_decided = 6,   // a moderator decided their appeal (Engine::moderation_history says how)
};
std::string_view to_string(NotificationKind k) noexcept;
std::optional<NotificationKind> notification_kind_from_string(std::string_view s) noexcept;

// One entry of a member's inbox. Its id orders the inbox (newest first); a reaction aggregate
// that is bumped takes a new id, so it moves to the top.
struct Notification {
  NotificationId id;
  MemberId recipient;
  NotificationKind kind = NotificationKind::reply;
  SpaceId space;  // where the post was when the notification was written
  ThreadId thread;
  PostId post;     // the reply, the mentioning post, the accepted reply, the reacted-to post
  MemberId actor;  // who did it (the latest of them, for an aggregate)
  std::uint32_t count = 1;  // distinct members aggregated (reactions); 1 for the other kinds
  Timestamp created_at = 0;
  Timestamp updated_at = 0;  // the latest change (a bump of an aggregate); created_at at first
  bool read = false;
};

// How far a member has read a space: the posts with ids up to `last_read` are not new to them.
struct ReadMarker {
  SpaceId space;
  MemberId member;
  PostId last_read;
  Timestamp updated_at = 0;
};

// What is new to a member in one space.
struct SpaceUnread {
  SpaceId space;
  std::uint32_t posts = 0;          // new posts since the read marker, at most the cap
  bool more_posts = false;          // there are more than `posts` ("99+")
  std::uint32_t notifications = 0;  // unread notifications about posts in it
};

struct UnreadCounts {
  std::uint32_t notifications = 0;  // unread notifications, in every space they may read
  std::vector<SpaceUnread> spaces;  // the spaces with something new, by space id
};

// A slice of a listing. `next_cursor` is opaque; empty when there is nothing after this page.
template <class T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;
};

// What to read of a listing: pass the previous page's next_cursor to continue.
struct PageRequest {
  std::string cursor;        // empty: from the start
  std::uint32_t limit = 50;  // 1..max_page_size
};

}  // namespace hearth
