#include "hearth/protocol/session.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "protocol/client.hpp"
#include "support.hpp"

namespace hearth::test {
namespace {

std::string s(std::uint64_t v) { return std::to_string(v); }

// A community over the wire: Ada owns the guild, Bo is in it, Cy is not.
struct Wire : Community {
  HandleAuthenticator auth;
  protocol::SessionOptions options;
  Wire() { options.allow_signup = true; }
  Client client(std::string_view handle = {}) {
    Client c(*engine, auth, options);
    c.hello(handle);
    return c;
  }
};

TEST_CASE("every method of the protocol answers over a session", "[protocol]") {
  Wire w;
  REQUIRE(w->update_profile(w.ada.id, w.ada.id, {}).has_value());
  Client ada = w.client("ada");
  Client bo = w.client("bo_2");
  Client cy = w.client("cy.3");
  std::set<std::string> called = {"hello"};

  ada.call("ping");
  {
    Client fresh(*w.engine, w.auth, w.options);
    auto hello = fresh.hello("ada");
    CHECK(str(hello.at("member"), "handle") == "ada");
    CHECK(hello.at("texts").at("title_max") == 200);
    CHECK(hello.at("reaction_kinds").as_array().size() == 5);
    CHECK(hello.at("limits").at("max_frame_bytes") == w.options.max_frame_bytes);
    CHECK(std::stoull(str(hello, "last_seq")) > 0);
  }
  CHECK(str(ada.call("get_member", {{"member", s(w.bo.id.value)}}), "handle") == "bo_2");
  CHECK(id_of(ada.call("find_member_by_handle", {{"handle", "cy.3"}})) == s(w.cy.id.value));
  ada.call("update_profile", {{"bio", "Raid leader"}});
  CHECK(str(ada.call("get_member", {{"member", s(w.ada.id.value)}}), "bio") == "Raid leader");

  // Sanctions, while the guild is the only root space (so Ada may act community-wide): a
  // warning and a timeout of Bo in the guild, a suspension and a ban everywhere of Eve. Each
  // refused call says until when; a suspended member cannot log in.
  {
    const Member eve = w->create_member("eve_5", "Eve").value();
    Client eve_session = w.client("eve_5");
    const std::string in_guild = s(w.guild.id.value), bo_id = s(w.bo.id.value),
                      eve_id = s(eve.id.value);
    const Timestamp until = w.clock->now() + 60'000;
    CHECK(str(ada.call("warn_member",
                       {{"space", in_guild}, {"member", bo_id}, {"reason", "language"}}),
              "kind") == "warn");
    auto timeout =
        ada.call("timeout_member", {{"space", in_guild}, {"member", bo_id}, {"expires_at", until}});
    CHECK(timeout.at("expires_at") == until);
    auto refused =
        bo.request("create_thread", {{"space", in_guild}, {"title", "t"}, {"body", "b"}});
    CHECK(refused.at("error").at("code") == "timed_out");
    CHECK(refused.at("error").at("until") == until);
    auto mine = bo.call("restriction", {{"space", in_guild}});
    CHECK(str(mine, "kind") == "timeout");
    CHECK(mine.at("until") == until);
    CHECK(str(mine, "sanction") == id_of(timeout));
    CHECK(bo.call("list_sanctions").at("items").as_array().size() == 2);
    CHECK(
        ada.call("revoke_sanction", {{"sanction", id_of(timeout)}, {"reason", "sorry"}}).as_bool());
    CHECK(bo.call("restriction").at("kind").is_null());
    // A suspension closes Eve's session; signing in again is refused, saying until when.
    auto suspension = ada.call("suspend_member", {{"member", eve_id}, {"reason", "cheating"}});
    CHECK(eve_session.output().closed() == "suspended");
    auto hello_eve = [&] {
      Client again(*w.engine, w.auth, w.options);
      auto frame = again.request("hello", {{"version", protocol::version}, {"handle", "eve_5"}});
      CHECK(frame.at("error").at("code") == "suspended");
      return frame.at("error").at("until");
    };
    CHECK(hello_eve().is_null());  // no end
    CHECK(ada.call("revoke_sanction", {{"sanction", id_of(suspension)}}).as_bool());
    auto ban = ada.call("ban_everywhere", {{"member", eve_id}, {"expires_at", until}});
    CHECK(hello_eve() == until);
    CHECK(ada.call("list_sanctions", {{"member", eve_id}}).at("items").as_array().size() == 2);
    CHECK(ada.call("revoke_sanction", {{"sanction", id_of(ban)}}).as_bool());
  }

  // Spaces.
  const std::string guild = s(w.guild.id.value);
  auto chat = ada.call("create_space", {{"parent", guild},
                                        {"kind", "channel"},
                                        {"name", "Raid chat"},
                                        {"tags", json::array{"raid", "loot"}}});
  const std::string chat_id = id_of(chat);
  CHECK(str(chat, "kind") == "channel");
  CHECK(chat.at("tags").as_array().size() == 2);
  CHECK(str(ada.call("get_space", {{"space", chat_id}}), "name") == "Raid chat");
  CHECK(ada.call("list_child_spaces", {{"parent", guild}}).at("items").as_array().size() == 1);
  auto found = ada.call("find_spaces", {{"text", "night"}, {"sort", "members"}});
  REQUIRE(found.at("items").as_array().size() == 1);
  CHECK(id_of(found.at("items").at(0).at("space")) == guild);
  CHECK(str(ada.call("update_space", {{"space", guild}, {"description", "We raid at night"}}),
            "description") == "We raid at night");
  auto open = ada.call("create_space", {{"name", "Town square"}});
  const std::string open_id = id_of(open);
  CHECK(bo.call("join_space", {{"space", open_id}}) == json::value(true));
  CHECK(bo.call("leave_space", {{"space", open_id}}) == json::value(true));
  CHECK(ada.call("add_member", {{"space", open_id}, {"member", s(w.cy.id.value)}}) ==
        json::value(true));
  CHECK(ada.call("list_space_members", {{"space", open_id}, {"limit", 10}})
            .at("items")
            .as_array()
            .size() == 2);
  CHECK(str(ada.call("transfer_ownership", {{"space", open_id}, {"new_owner", s(w.cy.id.value)}}),
            "owner") == s(w.cy.id.value));
  CHECK(cy.call("remove_member", {{"space", open_id}, {"member", s(w.ada.id.value)}}) ==
        json::value(true));

  // Roles.
  auto perms = bo.call("get_permissions", {{"space", guild}}).as_array();
  CHECK(std::find(perms.begin(), perms.end(), json::value("reply")) != perms.end());
  auto role = ada.call("create_role", {{"space", guild},
                                       {"name", "Raider"},
                                       {"permissions", json::array{"view", "pin"}},
                                       {"rank", 200}});
  const std::string role_id = id_of(role);
  CHECK(str(ada.call("update_role", {{"role", role_id}, {"name", "Raiders"}}), "name") ==
        "Raiders");
  CHECK(ada.call("list_roles", {{"space", guild}}).as_array().size() == 6);
  CHECK(ada.call("assign_role", {{"space", guild}, {"member", s(w.bo.id.value)}, {"role", role_id}})
            .as_bool());
  CHECK(ada.call("list_member_roles", {{"space", guild}, {"member", s(w.bo.id.value)}})
            .as_array()
            .size() == 2);
  CHECK(
      ada.call("unassign_role", {{"space", guild}, {"member", s(w.bo.id.value)}, {"role", role_id}})
          .as_bool());
  CHECK(ada.call("set_override", {{"space", chat_id},
                                  {"role", role_id},
                                  {"allow", json::array{"lock"}},
                                  {"deny", json::array{"pin"}}})
            .is_null());
  auto overrides = ada.call("list_overrides", {{"space", chat_id}}).as_array();
  REQUIRE(overrides.size() == 1);
  CHECK(overrides[0].at("allow") == json::array{"lock"});
  CHECK(ada.call("delete_role", {{"role", role_id}}).is_null());

  // Invites and join requests.
  auto invite = ada.call("create_invite", {{"space", guild}, {"max_uses", 5}});
  const std::string code = str(invite, "code");
  CHECK(ada.call("list_invites", {{"space", guild}}).at("items").as_array().size() == 1);
  CHECK(cy.call("join_with_invite", {{"code", code}}).as_bool());
  CHECK(ada.call("revoke_invite", {{"code", code}}).as_bool());
  auto club = ada.call("create_space", {{"name", "Officers"}, {"visibility", "private"}});
  const std::string club_id = id_of(club);
  CHECK(str(club, "join_policy") == "request");
  CHECK(bo.call("request_to_join", {{"space", club_id}, {"message", "me?"}}).as_bool());
  CHECK(bo.call("withdraw_join_request", {{"space", club_id}}).as_bool());
  CHECK(bo.call("request_to_join", {{"space", club_id}}).as_bool());
  auto requests = ada.call("list_join_requests", {{"space", club_id}}).at("items").as_array();
  REQUIRE(requests.size() == 1);
  CHECK(ada.call("decide_join_request",
                 {{"space", club_id}, {"member", s(w.bo.id.value)}, {"approve", true}})
            .is_null());

  // Bans.
  auto ban = ada.call("ban_member", {{"space", guild},
                                     {"member", s(w.cy.id.value)},
                                     {"reason", "spam"},
                                     {"expires_at", w.clock->now() + 60'000}});
  CHECK(str(ban, "reason") == "spam");
  CHECK(ada.call("list_bans", {{"space", guild}}).at("items").as_array().size() == 1);
  CHECK(ada.call("unban_member", {{"space", guild}, {"member", s(w.cy.id.value)}}).as_bool());
  CHECK_FALSE(
      ada.call("remove_member", {{"space", guild}, {"member", s(w.cy.id.value)}}).as_bool());

  // Threads and posts.
  auto asked = ada.call("create_thread", {{"space", chat_id},
                                          {"title", "Who has the raid key?"},
                                          {"body", "Need it for Friday @bo_2"},
                                          {"kind", "question"},
                                          {"tags", json::array{"raid"}}});
  const std::string thread = id_of(asked.at("thread"));
  const std::string first = id_of(asked.at("first_post"));
  CHECK(str(asked.at("thread"), "kind") == "question");
  auto answer = bo.call("reply", {{"reply_to", first}, {"body", "I do, see you there"}});
  const std::string answer_id = id_of(answer);
  CHECK(ada.call("get_thread", {{"thread", thread}}).at("reply_count") == 1);
  CHECK(str(ada.call("get_post", {{"post", answer_id}}), "body") == "I do, see you there");
  CHECK(ada.call("get_thread_page", {{"thread", thread}, {"limit", 1}})
            .at("next_cursor")
            .as_string()
            .size() > 0);
  CHECK(ada.call("list_threads", {{"space", chat_id}, {"unanswered_only", true}})
            .at("items")
            .as_array()
            .size() == 1);
  CHECK(
      ada.call("set_thread_tags", {{"thread", thread}, {"tags", json::array{"loot"}}}).at("tags") ==
      json::array{"loot"});
  CHECK(ada.call("pin_thread", {{"thread", thread}, {"pinned", true}}).at("pinned") == true);
  CHECK(ada.call("lock_thread", {{"thread", thread}, {"locked", true}}).at("locked") == true);
  CHECK(ada.call("archive_thread", {{"thread", thread}, {"archived", true}}).at("archived") ==
        true);
  ada.call("archive_thread", {{"thread", thread}, {"archived", false}});
  ada.call("lock_thread", {{"thread", thread}, {"locked", false}});
  CHECK(str(ada.call("accept_answer", {{"thread", thread}, {"post", answer_id}}),
            "accepted_answer") == answer_id);
  // Reputation: the default rules (qa) give the answerer 15 and the asker 2.
  const std::string bo_id = s(w.bo.id.value);
  CHECK(ada.call("reputation", {{"member", bo_id}}).at("points") == 15);
  CHECK(ada.call("reputation", {{"member", bo_id}, {"period", "week"}}).at("rank") == 1);
  CHECK(str(ada.call("leaderboard", {{"space", chat_id}}).at("items").at(0), "member") == bo_id);
  CHECK(str(ada.call("reputation_history", {{"member", bo_id}}).at("items").at(0), "reason") ==
        "answer_accepted");
  CHECK(ada.call("reputation_scope", {{"space", chat_id}}) == "0");
  CHECK(ada.call("award_reputation",
                 {{"space", guild}, {"member", bo_id}, {"points", 5}, {"reason", "raid"}})
            .at("delta") == 5);
  CHECK(bo.error("award_reputation",
                 {{"space", guild}, {"member", bo_id}, {"points", 5}, {"reason", "raid"}}) ==
        "forbidden");
  CHECK(ada.error("award_reputation", {{"space", guild}, {"member", bo_id}, {"reason", "raid"}}) ==
        "invalid_params");
  // Trust levels: the visit and the reading the host reports, and the public profile.
  CHECK(bo.call("record_visit").at("days_visited") == 1);
  CHECK(bo.call("record_reading", {{"thread", thread}, {"posts_read", 3}, {"read_ms", 60'000}})
            .at("threads_entered") == 1);
  CHECK(cy.call("trust_level", {{"member", bo_id}}).at("posts_read") == 3);
  CHECK(bo.error("record_reading", {{"thread", thread}, {"posts_read", 3}, {"read_ms", -1}}) ==
        "invalid_argument");
  // Badges (the standard rules): Bo's first reply and first accepted answer.
  auto bo_badges = cy.call("badges", {{"member", bo_id}, {"limit", 10}}).at("items").as_array();
  REQUIRE(bo_badges.size() == 2);
  CHECK(str(bo_badges[0], "badge") == "first-reply");
  CHECK(str(bo_badges[1], "badge") == "first-accepted");
  CHECK(str(bo_badges[1], "tier") == "bronze");
  CHECK(str(bo_badges[1], "post") == "0");
  CHECK(bo_badges[1].at("ordinal") == 1);
  CHECK(bo.error("badges", {}) == "invalid_params");
  CHECK(ada.call("react", {{"post", answer_id}, {"kind", "heart"}}).as_bool());
  CHECK(ada.call("get_post", {{"post", answer_id}}).at("reactions").at("heart") == 1);
  CHECK(bo.call("list_reactions", {{"post", answer_id}, {"kind", "heart"}})
            .at("items")
            .as_array()
            .size() == 1);
  CHECK(ada.call("unreact", {{"post", answer_id}, {"kind", "heart"}}).as_bool());
  CHECK(bo.call("edit_post", {{"post", answer_id}, {"body", "I do. See you Friday"}})
            .at("revision") == 2);
  CHECK(bo.call("list_revisions", {{"post", answer_id}}).as_array().size() == 1);
  CHECK(ada.call("remove_post", {{"post", answer_id}, {"reason", "off-topic"}}).as_bool());
  CHECK(ada.call("restore_post", {{"post", answer_id}}).as_bool());
  CHECK(str(ada.call("move_thread", {{"thread", thread}, {"to", guild}}), "space") == guild);
  // The audit log: the move is the guild's newest entry; the ban and unban are Cy's.
  auto audit = ada.call("audit_log", {{"space", guild}, {"limit", 1}});
  REQUIRE(audit.at("items").as_array().size() == 1);
  CHECK(str(audit.at("items").at(0), "action") == "thread_moved");
  CHECK(str(audit.at("items").at(0), "actor_kind") == "member");
  CHECK(str(audit.at("items").at(0), "actor") == s(w.ada.id.value));
  CHECK(str(audit.at("items").at(0), "thread") == thread);
  CHECK(audit.at("next_cursor").as_string().size() > 0);
  auto cys = ada.call("audit_log", {{"target", s(w.cy.id.value)}, {"space", guild}}).at("items");
  REQUIRE(cys.as_array().size() == 2);
  CHECK(str(cys.at(0), "action") == "member_unbanned");
  CHECK(str(cys.at(1), "action") == "member_banned");
  CHECK(str(cys.at(1), "reason") == "spam");
  CHECK(bo.error("audit_log", {{"space", guild}}) == "forbidden");
  CHECK(ada.error("audit_log", {{"from", 5}, {"to", 1}}) == "invalid_argument");
  // Reports and the review queue: Bo reports Ada's question and Ada; Ada reviews both.
  auto report =
      bo.call("report_post", {{"post", first}, {"reason", "off_topic"}, {"note", "wrong channel"}});
  CHECK(str(report, "status") == "open");
  CHECK(str(report, "reason") == "off_topic");
  CHECK(str(report, "note") == "wrong channel");
  const std::string item = str(report, "item");
  CHECK(bo.error("report_post", {{"post", first}, {"reason", "rude"}}) == "invalid_params");
  CHECK(bo.error("report_post", {{"post", first}}) == "invalid_params");
  CHECK(bo.error("report_post", {{"post", first}, {"reason", "spam"}}) == "already_exists");
  auto member_report = bo.call(
      "report_member", {{"space", guild}, {"member", s(w.ada.id.value)}, {"reason", "harassment"}});
  auto queue = ada.call("review_queue", {{"space", guild}}).at("items").as_array();
  REQUIRE(queue.size() == 2);
  CHECK(str(queue[0], "source") == "reports");
  CHECK(queue[0].at("decision").is_null());
  CHECK(bo.error("review_queue", {{"space", guild}}) == "forbidden");
  CHECK(ada.call("review_item", {{"item", item}}).at("reports").as_array().size() == 1);
  CHECK(str(ada.call("claim_review_item", {{"item", item}}), "claimed_by") == s(w.ada.id.value));
  CHECK(str(ada.call("decide_review_item", {{"item", item}, {"action", "dismiss"}}), "decision") ==
        "dismiss");
  CHECK(ada.error("decide_review_item", {{"item", item}, {"action", "ban"}}) == "invalid_params");
  CHECK(ada.error("decide_review_item",
                  {{"item", item}, {"action", "dismiss"}, {"sanction", "jail"}}) ==
        "invalid_params");
  auto bulk =
      ada.call("decide_review_items",
               {{"items", json::array{item, str(member_report, "item")}}, {"action", "approve"}})
          .at("results")
          .as_array();
  REQUIRE(bulk.size() == 2);
  CHECK(str(bulk[0], "error") == "conflict");
  CHECK(str(bulk[1].at("item"), "decision") == "approve");
  // Moderator notes: Ada writes one about Bo, reads it back and deletes it.
  auto note = ada.call("add_moderator_note",
                       {{"space", guild}, {"member", s(w.bo.id.value)}, {"body", "watch"}});
  CHECK(str(note, "body") == "watch");
  CHECK(ada.call("moderator_notes", {{"space", guild}, {"member", s(w.bo.id.value)}})
            .at("items")
            .as_array()
            .size() == 1);
  CHECK(bo.error("moderator_notes", {{"space", guild}, {"member", s(w.bo.id.value)}}) ==
        "forbidden");
  CHECK(ada.call("delete_moderator_note", {{"note", id_of(note)}}).is_null());
  CHECK(ada.error("delete_moderator_note", {{"note", id_of(note)}}) == "not_found");
  // Auto-moderation, explain and appeal: Ada blocks a word in the guild; Bo's post with it is
  // refused and his history says why; Ada removes a post of Bo's and Bo appeals it.
  {
    json::object word{{"pattern", "zonk"}, {"action", "block"}};
    CHECK(ada.call("set_automod_rules",
                   {{"space", guild}, {"rules", json::object{{"words", json::array{word}}}}})
              .is_null());
    CHECK(
        ada.error("set_automod_rules", {{"space", guild}, {"rules", json::object{{"wordz", 1}}}}) ==
        "invalid_argument");
    CHECK(ada.error("set_automod_rules", {{"space", guild}, {"rules", "zonk"}}) ==
          "invalid_params");
    CHECK(ada.call("automod_rules", {{"space", guild}}).at("words").as_array().size() == 1);
    CHECK(bo.error("automod_rules", {{"space", guild}}) == "forbidden");
    CHECK(bo.error("create_thread", {{"space", guild}, {"title", "t"}, {"body", "ZONK"}}) ==
          "blocked");
    auto history = bo.call("moderation_history").at("items").as_array();
    REQUIRE_FALSE(history.empty());
    CHECK(str(history[0].at("entry"), "action") == "post_blocked");
    CHECK(str(history[0].at("entry"), "matched") == "ZONK");
    CHECK_FALSE(history[0].at("appealable").as_bool());
    const std::string blocked_entry = id_of(history[0].at("entry"));
    CHECK(bo.error("appeal", {{"entry", blocked_entry}, {"statement", "why"}}) ==
          "invalid_argument");
    auto mine_now = bo.call("create_thread", {{"space", guild}, {"title", "Fine"}, {"body", "ok"}});
    const std::string post = id_of(mine_now.at("first_post"));
    CHECK(ada.call("remove_post", {{"post", post}, {"reason", "mistake"}}).as_bool());
    history = bo.call("moderation_history", {{"post", post}}).at("items").as_array();
    REQUIRE(history.size() == 1);
    CHECK(history[0].at("appealable").as_bool());
    auto appeal =
        bo.call("appeal", {{"entry", id_of(history[0].at("entry"))}, {"statement", "It was fine"}});
    CHECK(str(appeal, "source") == "appeal");
    CHECK(str(appeal, "flag") == "It was fine");
    CHECK(str(appeal, "acted_by") == s(w.ada.id.value));
    CHECK(ada.call("set_automod_rules", {{"space", guild}, {"rules", json::object{}}}).is_null());
  }
  auto mine = bo.call("my_reports").at("items").as_array();
  REQUIRE(mine.size() == 2);
  CHECK(str(mine[0], "status") == "rejected");
  CHECK(str(mine[1], "status") == "dismissed");
  auto hits = cy.call("search", {{"query", "friday"}, {"space", guild}, {"sort", "newest"}});
  CHECK(hits.at("items").as_array().size() == 2);
  CHECK(bo.call("delete_post", {{"post", answer_id}}).is_null());

  // Notifications and read markers.
  auto inbox = bo.call("list_notifications", {{"unread_only", true}}).at("items").as_array();
  REQUIRE(inbox.size() >= 2);
  CHECK(bo.call("mark_notification_read", {{"notification", id_of(inbox[0])}}).as_bool());
  CHECK(bo.call("mark_notifications_read").as_int64() >= 1);
  CHECK(bo.call("mark_space_read", {{"space", guild}}).is_bool());
  CHECK(bo.call("unread_counts").at("notifications") == 0);

  // Sign-up and leaving, on sessions of their own.
  Client anon = w.client();
  auto dee = anon.call("create_member",
                       {{"handle", "dee"}, {"display_name", "Dee"}, {"external_ref", "game:7"}});
  CHECK(id_of(ada.call("find_member_by_external_ref", {{"external_ref", "game:7"}})) == id_of(dee));
  Client dee_session = w.client("dee");
  CHECK(dee_session.call("deactivate_member").is_null());

  // Subscriptions.
  CHECK(ada.call("subscribe", {{"spaces", json::array{guild}}, {"notifications", true}})
            .at("spaces") == json::array{guild});
  CHECK(ada.call("unsubscribe", {{"spaces", json::array{guild}}}).at("spaces").as_array().empty());

  for (Client* c : {&ada, &bo, &cy, &anon, &dee_session})
    called.insert(c->called().begin(), c->called().end());
  const auto methods = protocol::Session::methods();
  CHECK(std::set<std::string>(methods.begin(), methods.end()) == called);
}

TEST_CASE("a bad frame gets a protocol error and the session goes on", "[protocol]") {
  Wire w;
  w.options.max_frame_bytes = 1'000;
  Client c(*w.engine, w.auth, w.options);
  auto code_of_frame = [&](std::string_view frame) {
    auto answers = c.raw(frame);
    REQUIRE(answers.size() == 1);
    INFO(json::serialize(answers[0]));
    REQUIRE(answers[0].at("error").at("message").as_string().size() > 0);
    return std::string(answers[0].at("error").at("code").as_string());
  };
  CHECK(code_of_frame(std::string(1'001, ' ')) == "frame_too_large");
  CHECK(code_of_frame("{\"id\":1,") == "bad_frame");
  CHECK(code_of_frame("[1,2]") == "bad_frame");
  CHECK(code_of_frame("{\"method\":\"ping\"}") == "bad_frame");
  CHECK(code_of_frame("{\"id\":{},\"method\":\"ping\"}") == "bad_frame");
  CHECK(code_of_frame("{\"id\":1.5,\"method\":\"ping\"}") == "bad_frame");
  CHECK(code_of_frame("{\"id\":1}") == "bad_frame");
  CHECK(code_of_frame("{\"id\":1,\"method\":\"ping\",\"params\":[]}") == "bad_frame");
  CHECK(code_of_frame("{\"id\":1,\"method\":\"ping\",\"extra\":1}") == "bad_frame");
  CHECK(code_of_frame("{\"id\":\"\xff\xfe\",\"method\":\"ping\"}") == "bad_frame");  // not UTF-8
  CHECK(code_of_frame(std::string(40, '[') + std::string(40, ']')) == "bad_frame");  // too deep
  CHECK(c.error("ping") == "hello_required");
  CHECK(c.error("get_space", {{"space", "1"}}) == "hello_required");
  CHECK(c.error("hello", {{"version", 2}}) == "unsupported_version");
  CHECK(c.error("hello") == "unsupported_version");
  CHECK(c.error("hello", {{"version", 1}, {"handle", "nobody"}}) == "unauthenticated");
  CHECK(c.error("hello", {{"version", 1}, {"handel", "ada"}}) == "invalid_params");
  c.hello("ada");
  CHECK(c.error("hello", {{"version", 1}}) == "bad_frame");
  CHECK(c.error("no_such_method") == "unknown_method");
  CHECK(c.error("read_events") == "unknown_method");  // the host's, not a client's
  CHECK(c.error("get_space") == "invalid_params");
  CHECK(c.error("get_space", {{"space", 5.5}}) == "invalid_params");
  CHECK(c.error("get_space", {{"space", "12x"}}) == "invalid_params");
  CHECK(c.error("get_space", {{"space", "0"}}) == "invalid_params");
  CHECK(c.error("get_space", {{"space", -1}}) == "invalid_params");
  CHECK(c.error("get_space", {{"space", "99999999999999999999999"}}) == "invalid_params");
  CHECK(c.error("get_space", {{"space", "1"}, {"spcae", "1"}}) == "invalid_params");
  CHECK(c.error("create_space", {{"name", "X"}, {"kind", "castle"}}) == "invalid_params");
  CHECK(c.error("create_role", {{"space", s(w.guild.id.value)},
                                {"name", "R"},
                                {"rank", 10},
                                {"permissions", json::array{"fly"}}}) == "invalid_params");
  CHECK(c.error("pin_thread", {{"thread", "1"}, {"pinned", "yes"}}) == "invalid_params");
  CHECK(c.error("list_threads", {{"space", s(w.guild.id.value)}, {"limit", -3}}) ==
        "invalid_params");
  // Engine errors carry the errc name.
  CHECK(c.error("get_space", {{"space", "12345"}}) == "not_found");
  CHECK(c.error("create_thread", {{"space", s(w.guild.id.value)}, {"title", " "}, {"body", "x"}}) ==
        "empty_field");
  CHECK(c.error("list_threads", {{"space", s(w.guild.id.value)}, {"limit", 100'000}}) ==
        "invalid_argument");
  CHECK(c.error("create_member", {{"handle", "eve"}, {"display_name", "Eve"}}) == "forbidden");
  // A request that failed wrote nothing: the guild still has no thread.
  CHECK(w->get_space(w.ada.id, w.guild.id)->thread_count == 0);
  // And the session still serves.
  c.call("ping");
}

TEST_CASE("every JSONTestSuite parsing case gets one well-formed answer", "[protocol]") {
  // nst/JSONTestSuite: y_ texts must parse, n_ texts must not, i_ either way (never a crash).
  const auto dir = std::filesystem::path(HEARTH_SOURCE_DIR) / ".." / "shared" / "data" /
                   "JSONTestSuite" / "test_parsing";
  if (!std::filesystem::is_directory(dir)) {
    WARN("skipped: JSONTestSuite is not at " << dir.string());
    return;
  }
  Wire w;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Client c(*w.engine, w.auth, w.options);
    auto answers = c.raw(text);
    INFO(name);
    REQUIRE(answers.size() == 1);
    const auto& error = answers[0].at("error");
    const std::string code = str(error, "code");
    const std::string message = str(error, "message");
    const bool unparsed = message.rfind("not a JSON text", 0) == 0;
    if (name[0] == 'n') CHECK((code == "bad_frame" && unparsed));
    if (name[0] == 'y') CHECK_FALSE(unparsed);
    ++files;
  }
  CHECK(files > 300);
}

TEST_CASE("a client over its request rate is refused until the rate allows", "[protocol]") {
  Wire w;
  w.options.request_burst = 3;
  w.options.requests_per_second = 10;
  Client c = w.client("ada");  // hello takes one
  c.call("ping");
  c.call("ping");
  CHECK(c.error("create_space", {{"name", "Spam"}}) == "rate_limited");
  CHECK(c.error("ping") == "rate_limited");
  w.clock->advance(100);  // one more request's worth
  c.call("ping");
  CHECK(c.error("ping") == "rate_limited");
  w.clock->advance(10'000);  // the bucket refills to its burst, no further
  c.call("ping");
  c.call("ping");
  c.call("ping");
  CHECK(c.error("ping") == "rate_limited");
  CHECK(w->find_spaces(w.ada.id, {.text = "spam"}, {})->items.empty());
}

TEST_CASE("events reach the sessions subscribed to their space, as each member may read them",
          "[protocol]") {
  Wire w;
  auto secret = *w->create_space(w.ada.id, {.name = "Officers", .visibility = Visibility::secret});
  Client ada = w.client("ada");
  Client bo = w.client("bo_2");
  Client cy = w.client("cy.3");
  Client anon = w.client();
  const std::string guild = s(w.guild.id.value);
  ada.call("subscribe", {{"all", true}});
  bo.call("subscribe", {{"spaces", json::array{guild}}});
  anon.call("subscribe", {{"spaces", json::array{guild}}});
  cy.call("subscribe", {{"all", true}});
  CHECK(bo.error("subscribe", {{"spaces", json::array{s(secret.id.value)}}}) == "not_found");
  CHECK(anon.error("subscribe", {{"notifications", true}}) == "forbidden");

  auto started = bo.call("create_thread", {{"space", guild}, {"title", "Hi"}, {"body", "Hello"}});
  ada.call("create_thread", {{"space", s(secret.id.value)}, {"title", "Plans"}, {"body", "Shh"}});

  auto types = [](const std::vector<json::object>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(std::string(e.at("type").as_string()));
    return out;
  };
  CHECK(types(bo.events()) == std::vector<std::string>{"thread_created"});
  auto anon_events = anon.events();
  REQUIRE(types(anon_events) == std::vector<std::string>{"thread_created"});
  CHECK(anon_events[0].at("payload").at("thread") == started.at("thread").at("id"));
  CHECK(anon_events[0].at("space") == json::value(guild));
  // Ada sees both threads; Cy, subscribed to all, never the secret space's. Both see the
  // community-wide first-thread badges (the standard badges), which name no post.
  CHECK(types(ada.events()) == std::vector<std::string>{"thread_created", "badge_awarded",
                                                        "thread_created", "badge_awarded"});
  CHECK(types(cy.events()) ==
        std::vector<std::string>{"thread_created", "badge_awarded", "badge_awarded"});

  // Notifications: only to their recipient, and only when asked for.
  ada.call("subscribe", {{"notifications", true}});
  bo.call("subscribe", {{"notifications", true}});
  ada.call("reply", {{"reply_to", id_of(started.at("first_post"))}, {"body", "Welcome!"}});
  CHECK(types(bo.events()) == std::vector<std::string>{"reply_created", "notification"});
  CHECK(types(ada.events()) == std::vector<std::string>{"reply_created", "badge_awarded"});
  CHECK(types(cy.events()) == std::vector<std::string>{"reply_created", "badge_awarded"});
}

TEST_CASE("a session resumes from the last seq it saw without gaps or duplicates", "[protocol]") {
  Wire w;
  w.options.max_replay_events = 50;
  const std::string guild = s(w.guild.id.value);
  Client bo = w.client("bo_2");
  bo.call("subscribe", {{"spaces", json::array{guild}}});
  auto t = *w->create_thread(w.ada.id, w.guild.id, "Raid", "Friday");
  auto seen = bo.events();
  REQUIRE(seen.size() == 1);
  const std::string last = str(seen.back(), "seq");
  bo.disconnect();

  // Missed while away: three replies and one post in a space Bo may not read.
  auto officers =
      *w->create_space(w.ada.id, {.name = "Officers", .visibility = Visibility::private_});
  for (int i = 0; i < 3; ++i)
    REQUIRE(w->reply(w.ada.id, t.first_post.id, "reply " + std::to_string(i)).has_value());
  REQUIRE(w->create_thread(w.ada.id, officers.id, "Loot", "Split").has_value());

  Client again = w.client("bo_2");
  auto answer = again.request("subscribe", {{"spaces", json::array{guild}}, {"after", last}});
  REQUIRE(answer.contains("result"));
  auto missed = again.events();
  REQUIRE(missed.size() == 3);
  std::uint64_t prev = std::stoull(last);
  for (const auto& e : missed) {
    CHECK(str(e, "type") == "reply_created");
    const auto seq = std::stoull(str(e, "seq"));
    CHECK(seq > prev);
    prev = seq;
  }
  // Live again, and nothing twice.
  REQUIRE(w->reply(w.ada.id, t.first_post.id, "live").has_value());
  auto live = again.events();
  REQUIRE(live.size() == 1);
  CHECK(std::stoull(str(live[0], "seq")) > prev);

  // Too far back, or ahead of the log: reload instead.
  for (int i = 0; i < 60; ++i) {
    auto changed = i % 2 == 0 ? w->react(w.bo.id, t.first_post.id, "heart")
                              : w->unreact(w.bo.id, t.first_post.id, "heart");
    REQUIRE(changed.has_value());
  }
  CHECK(again.error("subscribe", {{"after", last}}) == "conflict");
  CHECK(again.error("subscribe", {{"after", "999999999"}}) == "conflict");
}

TEST_CASE("a ban takes effect on an open session at once", "[protocol]") {
  Wire w;
  auto officers =
      *w->create_space(w.ada.id, {.name = "Officers", .visibility = Visibility::private_});
  REQUIRE(w->add_member(w.ada.id, officers.id, w.bo.id).has_value());
  Client bo = w.client("bo_2");
  const std::string space = s(officers.id.value);
  bo.call("subscribe", {{"spaces", json::array{space}}});
  auto t = bo.call("create_thread", {{"space", space}, {"title", "Loot"}, {"body", "Split"}});
  CHECK(bo.events().size() == 1);

  REQUIRE(w->ban_member(w.ada.id, officers.id, w.bo.id, "leaks").has_value());
  bo.events();  // the removal itself may still reach them
  REQUIRE(w->reply(w.ada.id, PostId{std::stoull(id_of(t.at("first_post")))}, "secret").has_value());
  CHECK(bo.events().empty());
  CHECK(bo.error("create_thread", {{"space", space}, {"title", "Again"}, {"body", "x"}}) ==
        "forbidden");
  CHECK(bo.error("get_thread_page", {{"thread", id_of(t.at("thread"))}}) == "forbidden");
}

TEST_CASE("deactivating a member closes their sessions with a reason", "[protocol]") {
  Wire w;
  Client bo = w.client("bo_2");
  Client bo_phone = w.client("bo_2");
  Client ada = w.client("ada");
  REQUIRE(w->deactivate_member(w.bo.id, w.bo.id).has_value());
  CHECK(bo.output().closed() == "deactivated");
  CHECK(bo_phone.output().closed() == "deactivated");
  CHECK(bo.session().closing());
  CHECK(ada.output().closes() == 0);
  // A closing session answers nothing more.
  CHECK(bo.raw(R"({"id":1,"method":"ping"})").empty());
  CHECK(bo.output().closes() == 1);
}

TEST_CASE("erasing a member closes their sessions with a reason", "[protocol]") {
  Wire w;
  Client bo = w.client("bo_2");
  Client ada = w.client("ada");
  CHECK(ada.call("get_member", {{"member", s(w.bo.id.value)}}).at("erased_at") == 0);
  REQUIRE(w->erase_member(w.bo.id).has_value());
  CHECK(bo.output().closed() == "erased");
  CHECK(bo.session().closing());
  CHECK(ada.output().closes() == 0);
  // Others see the member as erased, and when.
  const auto erased = ada.call("get_member", {{"member", s(w.bo.id.value)}});
  CHECK(erased.at("erased_at") == w.clock->now());
  CHECK(str(erased, "handle") == "erased-" + std::to_string(w.bo.id.value));
  // Their old handle no longer signs in: it is free, and no member has it.
  CHECK(test::code_of(w->find_member_by_handle("bo_2")) == errc::not_found);
}

TEST_CASE("suspending a member closes their sessions, a timeout does not", "[protocol]") {
  Wire w;
  Client bo = w.client("bo_2");
  Client cy = w.client("cy.3");
  Client ada = w.client("ada");
  REQUIRE(w->join_space(w.cy.id, w.guild.id).has_value());
  REQUIRE(w->timeout_member(w.ada.id, w.guild.id, w.cy.id, "cool off", w.clock->now() + 60'000)
              .has_value());
  CHECK(cy.output().closes() == 0);
  REQUIRE(w->suspend_member(w.ada.id, w.bo.id, "spam", 0).has_value());
  CHECK(bo.output().closed() == "suspended");
  CHECK(bo.session().closing());
  CHECK(ada.output().closes() == 0);
  CHECK(cy.output().closes() == 0);
  // They cannot sign in again while it holds.
  Client again(*w.engine, w.auth, w.options);
  CHECK(again.error("hello", {{"version", protocol::version}, {"handle", "bo_2"}}) == "suspended");
}

TEST_CASE("polled sessions receive events when the host polls", "[protocol]") {
  Wire w;
  w.options.delivery = Delivery::polled;
  Client bo = w.client("bo_2");
  bo.call("subscribe", {{"spaces", json::array{s(w.guild.id.value)}}});
  REQUIRE(w->create_thread(w.ada.id, w.guild.id, "Raid", "Friday").has_value());
  CHECK(bo.events().empty());
  CHECK(w->poll() >= 1);
  CHECK(bo.events().size() == 1);
}

TEST_CASE("sessions come and go while others write", "[protocol][threads]") {
  Wire w;
  std::atomic<bool> stop{false};
  std::atomic<int> failed{0};
  auto t = ok(w->create_thread(w.ada.id, w.guild.id, "Busy", "thread"));
  std::thread writer([&] {  // no Catch2 assertion off the main thread: it is not thread-safe
    while (!stop.load())
      if (!w->reply(w.ada.id, t.first_post.id, "more")) ++failed;
  });
  for (int i = 0; i < 200; ++i) {
    Client bo = w.client("bo_2");
    bo.call("subscribe", {{"spaces", json::array{s(w.guild.id.value)}}});
    bo.events();
  }
  stop = true;
  writer.join();
  CHECK(failed.load() == 0);
}

}  // namespace
}  // namespace hearth::test
