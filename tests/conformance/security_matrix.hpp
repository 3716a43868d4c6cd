// The security matrix: what every engine call answers to every kind of actor, in a space of
// each visibility. One table, read by a reviewer (docs/permissions.md points here) and walked
// in full by security_matrix.cpp against every storage adapter; tests/security_coverage_test.cpp
// fails when an engine call is in neither `rows` nor `exempt`.
//
// The world each cell runs in (security_matrix.cpp, build_world):
//  - a public guild P (open to join), owned by `owner`;
//  - a channel S below P with the column's visibility, also owned by `owner`; its join policy is
//    the default for its visibility (public: open, private: request, secret: invite);
//  - `moderator` and `admin` hold those built-in roles in P (so in S too), and are members of S;
//  - `member` and `denied` are members of P and S; `denied` holds a custom role "muted" in P,
//    with an override in S denying post_threads, reply and react;
//  - `banned` was a member of P and S, wrote a thread in S, and is banned from S;
//  - `parent` is a member of P only; `outsider` is a signed-in member of neither; `anonymous`
//    is no one (MemberId{});
//  - in S: a thread by `member`, a reply to it by another member (the target of reactions), a
//    question by `member` with a reply by that other member, a second reply by that member
//    which the owner removed,
//    thread by each of denied, banned, moderator, admin and owner (their "own post"), custom
//    roles "helper" (rank 200, held by a plain member `target`) and "spare" (rank 150), two
//    invites by the owner, and (private only) a join request by `asker`, a member of P.
//    member's inbox holds the notifications of target's replies (the "member's notification").
//    New posts in S by others than the actor are unread for each of its members.
// Calls that act on "own post" use the actor's own where they have one, else member's.
#pragma once

#include <array>
#include <string_view>

namespace hearth::conformance::matrix {

enum Actor : int {
  anonymous,
  outsider,
  parent,
  member,
  denied,
  banned,
  moderator,
  admin,
  owner,
};
inline constexpr int actor_count = 9;
inline constexpr std::array<std::string_view, actor_count> actor_names{
    "anonymous", "outsider", "parent", "member", "denied", "banned", "moderator", "admin", "owner"};

// One letter per actor, in Actor order:
//   A  allowed: the call succeeds (it may still answer "nothing changed", e.g. false)
//   F  errc::forbidden       N  errc::not_found       C  errc::conflict
//   X  (subscribe_as) the subscriber receives none of S's events; A: it receives them
//      (find_spaces) S is not among the spaces found; A: it is
//      (unread_counts) S is not in the actor's unread counts; A: it is, with its new posts
//      (list_sanctions) the record the actor is shown lacks target's timeout; A: it holds it
struct Row {
  std::string_view call;
  std::string_view what;  // what the cell does, in S
  std::string_view public_, private_, secret;
};

// clang-format off
inline constexpr Row rows[] = {
  //                                                                  anon outsider parent member denied banned mod admin owner
  // call                   what                                       public        private       secret
  {"update_profile",        "change own profile (anonymous: member's)", "FAAAAAAAA", "FAAAAAAAA", "FAAAAAAAA"},
  {"deactivate_member",     "deactivate self (anonymous: member)",      "FAAAAAAAA", "FAAAAAAAA", "FAAAAAAAA"},
  {"create_space",          "create a child of S",                      "FFFFFFFAA", "FFFFFFFAA", "FNNFFNFAA"},
  {"get_space",             "S",                                        "AAAAAAAAA", "AAAAAAAAA", "NNNAANAAA"},
  {"list_child_spaces",     "children of S",                            "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"find_spaces",           "discovery finds S",                        "AAAAAAAAA", "AAAAAAAAA", "XXXXXXXXX"},
  {"join_space",            "join S",                                   "FAAAAFAAA", "FFFAAFAAA", "FNNAANAAA"},
  {"add_member",            "add a newcomer to S",                      "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"leave_space",           "leave S",                                  "FAAAAAAAC", "FAAAAAAAC", "FNNAANAAC"},
  {"list_space_members",    "members of S",                             "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"update_space",          "rename S",                                 "FFFFFFFAA", "FFFFFFFAA", "FNNFFNFAA"},
  {"transfer_ownership",    "hand S to member",                         "FFFFFFFFA", "FFFFFFFFA", "FNNFFNFFA"},
  {"remove_member",         "remove target (rank 200) from S",          "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"get_permissions",       "own permissions in S",                     "AAAAAAAAA", "AAAAAAAAA", "NNNAANAAA"},
  {"create_role",           "a role of rank 300 with pin",              "FFFFFFFAA", "FFFFFFFAA", "FNNFFNFAA"},
  {"update_role",           "rename spare",                             "FFFFFFFAA", "FFFFFFFAA", "FNNFFNFAA"},
  {"delete_role",           "delete spare",                             "FFFFFFFAA", "FFFFFFFAA", "FNNFFNFAA"},
  {"list_roles",            "roles usable in S",                        "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"assign_role",           "give member helper",                       "FFFFFFFAA", "FFFFFFFAA", "FNNFFNFAA"},
  {"unassign_role",         "take helper from target",                  "FFFFFFFAA", "FFFFFFFAA", "FNNFFNFAA"},
  {"list_member_roles",     "target's roles",                           "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"set_override",          "allow pin to helper in S",                 "FFFFFFFAA", "FFFFFFFAA", "FNNFFNFAA"},
  {"list_overrides",        "overrides set in S",                       "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"ban_member",            "ban target from S",                        "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"unban_member",          "lift banned's ban",                        "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"list_bans",             "bans in S",                                "FFFFFFAAA", "FFFFFFAAA", "NNNFFNAAA"},
  // Sanctions: target (rank 200 in S, a plain member of P) holds a timeout in S.
  {"warn_member",          "warn target in S",                         "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"timeout_member",       "time target out in S for a minute",        "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"suspend_member",       "suspend target (P is the only root)",      "FFFFFFAAA", "FFFFFFAAA", "FFFFFFAAA"},
  {"ban_everywhere",       "ban target everywhere",                    "FFFFFFAAA", "FFFFFFAAA", "FFFFFFAAA"},
  {"revoke_sanction",      "revoke target's timeout in S",             "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"list_sanctions",       "target's record shows their timeout in S", "FXXXXXAAA", "FXXXXXAAA", "FXXXXXAAA"},
  {"restriction",          "target's restriction in S",                "FFFFFFAAA", "FFFFFFAAA", "NNNFFNAAA"},
  {"create_invite",         "an invite to S",                           "FFAAAFAAA", "FFFAAFAAA", "FNNAANAAA"},
  {"join_with_invite",      "use the owner's invite",                   "FAAAAFAAA", "FAAAAFAAA", "FAAAAFAAA"},
  {"revoke_invite",         "revoke the owner's invite",                "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"list_invites",          "invites of S",                             "FFFFFFAAA", "FFFFFFAAA", "NNNFFNAAA"},
  {"request_to_join",       "ask to join S",                            "FFFAAFAAA", "FAAAAFAAA", "FNNAANAAA"},
  {"withdraw_join_request", "withdraw own request (none)",              "FAAAAAAAA", "FAAAAAAAA", "FNNAANAAA"},
  // Approvers get not_found in public and secret S: no request exists (only private S takes them).
  {"decide_join_request",   "approve asker",                            "FFFFFFNNN", "FFFFFFAAA", "FNNFFNNNN"},
  {"list_join_requests",    "requests to join S",                       "FFFFFFAAA", "FFFFFFAAA", "NNNFFNAAA"},
  {"create_thread",         "start a thread in S",                      "FFAAFFAAA", "FFFAFFAAA", "FNNAFNAAA"},
  {"reply",                 "reply to member's thread",                 "FFAAFFAAA", "FFFAFFAAA", "FNNAFNAAA"},
  {"get_thread",            "member's thread",                          "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"get_post",              "its first post",                           "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"get_thread_page",       "its posts",                                "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"list_threads",          "threads of S",                             "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"pin_thread",            "pin member's thread",                      "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"lock_thread",           "lock member's thread",                     "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"archive_thread",        "archive member's thread",                  "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"move_thread",           "move member's thread to P",                "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"set_thread_tags",       "tag member's thread \"raid\"",              "FFFAFFAAA", "FFFAFFAAA", "FNNAFNAAA"},
  {"accept_answer",         "accept a reply to member's question",      "FFFAFFAAA", "FFFAFFAAA", "FNNAFNAAA"},
  {"list_reactions",        "who gave the reply +1",                    "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"remove_post",           "remove target's reply",                    "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"restore_post",          "restore target's removed reply",           "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"edit_post",             "edit own post",                            "FFFAAFAAA", "FFFAAFAAA", "FNNAANAAA"},
  {"list_revisions",        "own post's revisions",                     "FFFAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"delete_post",           "delete own post",                          "FFFAAFAAA", "FFFAAFAAA", "FNNAANAAA"},
  {"react",                 "react +1 to the reply",                    "FFAAFFAAA", "FFFAFFAAA", "FNNAFNAAA"},
  {"unreact",               "take the +1 back",                         "FFAAFFAAA", "FFFAFFAAA", "FNNAFNAAA"},
  {"subscribe_as",          "receive S's events",                       "AAAAAAAAA", "XXXAAXAAA", "XXXAAXAAA"},
  // The cell also searches with no space filter, which never fails: it must show S's posts
  // exactly when the filtered search is allowed, and never the removed reply.
  {"search",                "search S (and everywhere) for \"post\"",    "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"list_notifications",    "own inbox",                                "FAAAAAAAA", "FAAAAAAAA", "FAAAAAAAA"},
  {"mark_notifications_read", "mark own inbox read",                    "FAAAAAAAA", "FAAAAAAAA", "FAAAAAAAA"},
  // Only its recipient may touch a notification: for anyone else it does not exist.
  {"mark_notification_read", "mark member's notification read",         "FNNANNNNN", "FNNANNNNN", "FNNANNNNN"},
  {"mark_space_read",       "move own read marker in S to now",         "FFFAAFAAA", "FFFAAFAAA", "FNNAANAAA"},
  {"unread_counts",         "S among own unread counts",                "FXXAAXAAA", "FXXAAXAAA", "FXXAAXAAA"},
  {"reputation_scope",      "the reputation scope in force in S",       "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"reputation",            "target's points and rank in S's scope",    "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  {"leaderboard",           "S's scope's leaderboard",                  "AAAAAAAAA", "FFFAAFAAA", "NNNAANAAA"},
  // The ledger is public; entries of scopes the viewer may not read are left out (S's scope
  // here is the community's).
  {"reputation_history",    "target's ledger",                          "AAAAAAAAA", "AAAAAAAAA", "AAAAAAAAA"},
  {"award_reputation",      "award target 10 points in S",              "FFFFFFFAA", "FFFFFFFAA", "FNNFFNFAA"},
  // A visit names no space: any signed-in, active member records their own (the row pins that
  // anonymous is refused and a ban from S changes nothing).
  {"record_visit",          "record own visit (names no space)",        "FAAAAAAAA", "FAAAAAAAA", "FAAAAAAAA"},
  {"record_reading",        "report reading member's thread",           "FAAAAAAAA", "FFFAAFAAA", "FNNAANAAA"},
  // Trust levels are public profile data.
  {"trust_level",           "target's trust level",                     "AAAAAAAAA", "AAAAAAAAA", "AAAAAAAAA"},
  // Badges are public profile data; those earned by a post in a space the viewer may not read
  // are left out (tests/badges_test.cpp).
  {"badges",                "target's badges",                          "AAAAAAAAA", "AAAAAAAAA", "AAAAAAAAA"},
  // The audit log of S (view_audit_log: the moderator and admin roles, and the owner).
  {"audit_log",             "audit log of S",                           "FFFFFFAAA", "FFFFFFAAA", "NNNFFNAAA"},
  // Reports (the report permission: members' role) and the review queue (review_reports: the
  // moderator and admin roles, and the owner). The item is target's report of member's thread.
  {"report_post",           "report target's reply",                    "FFAAAFAAA", "FFFAAFAAA", "FNNAANAAA"},
  {"report_member",         "report target in S",                       "FFAAAFAAA", "FFFAAFAAA", "FNNAANAAA"},
  {"my_reports",            "own reports (names no space)",             "FAAAAAAAA", "FAAAAAAAA", "FAAAAAAAA"},
  {"review_queue",          "review queue of S",                        "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"review_item",           "the item and its reports",                 "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"claim_review_item",     "claim the item",                           "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"decide_review_item",    "dismiss the item",                         "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"decide_review_items",   "dismiss the item, in bulk",                "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  // Moderator notes (review_reports); the note is the moderator's, about target.
  {"add_moderator_note",    "a note about target in S",                 "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"moderator_notes",       "the notes about target in S",              "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"delete_moderator_note", "delete the moderator's note",              "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"set_automod_rules",     "set S's auto-moderation rules",            "FFFFFFFAA", "FFFFFFFAA", "FNNFFNFAA"},
  {"automod_rules",         "S's auto-moderation rules",                "FFFFFFAAA", "FFFFFFAAA", "FNNFFNAAA"},
  {"moderation_history",    "target's moderation history",              "FFFFFFFFF", "FFFFFFFFF", "FFFFFFFFF"},
  {"appeal",                "appeal the removal of target's reply",     "FNNNNNNNN", "FNNNNNNNN", "FNNNNNNNN"},
};
// clang-format on

// Engine calls outside the matrix: none of them acts in a space for an actor.
struct Exempt {
  std::string_view call;
  std::string_view why;
};
inline constexpr Exempt exempt[] = {
    {"open", "creates the engine"},
    {"create_member", "the host signs members up; there is no actor yet"},
    {"erase_member", "the host's own: it decides who may ask for an erasure"},
    {"get_member", "profiles are public: the member directory"},
    {"find_member_by_handle", "profiles are public: the member directory"},
    {"find_member_by_external_ref", "profiles are public: the host's own key"},
    {"subscribe", "the host's own code receives every event (transports use subscribe_as)"},
    {"unsubscribe", "ends a subscription the caller holds"},
    {"poll", "runs the caller's own polled handlers"},
    {"read_events", "the host's own reader of the log"},
    {"last_event_seq", "the host's own: the number of the newest event, no content"},
    {"rebuild_reputation", "the host's own maintenance: recomputes totals, no actor"},
    {"set_trust_level", "the host's own: staff decisions are the host's"},
    {"clear_trust_level", "the host's own: staff decisions are the host's"},
    {"grant_badge", "the host's own: a game's awards are the host's decisions"},
    {"impose_sanction", "the host's own: staff decisions are the host's"},
    {"lift_sanction", "the host's own: staff decisions are the host's"},
    {"set_community_automod_rules", "the host's own: the community-wide rules are the host's"},
    {"badge_rules", "the engine's configuration"},
    {"options", "the engine's configuration"},
    {"clock", "the engine's clock"},
};

}  // namespace hearth::conformance::matrix
