#include "seed.hpp"

namespace hearthd {

using namespace hearth;

namespace {

// Runs the steps in order, remembering the name of the one that failed.
class Steps {
 public:
  explicit Steps(std::string& failed) : failed_(failed) {}
  template <class T>
  bool get(result<T> r, const char* step, T& out) {
    if (!r) return fail(r.error(), step);
    out = std::move(*r);
    return true;
  }
  template <class T>
  bool run(result<T> r, const char* step) {
    if (!r) return fail(r.error(), step);
    return true;
  }
  error_code error() const { return ec_; }

 private:
  bool fail(error_code ec, const char* step) {
    failed_ = step;
    ec_ = ec;
    return false;
  }
  std::string& failed_;
  error_code ec_;
};

}  // namespace

result<void> seed_demo(Engine& e, std::string& failed_step) {
  Steps s(failed_step);
  Member ada, bo, cyra, dmitri, eun;
  if (!s.get(e.create_member("ada", "Ada Lovelace", "demo:ada"), "member ada", ada) ||
      !s.get(e.create_member("bob", "Bob the Builder", "demo:bob"), "member bob", bo) ||
      !s.get(e.create_member("cyra", "Cyra", "demo:cyra"), "member cyra", cyra) ||
      !s.get(e.create_member("dmitri", "Dmitri", "demo:dmitri"), "member dmitri", dmitri) ||
      !s.get(e.create_member("eun", "Eun-ji", "demo:eun"), "member eun", eun))
    return failure{s.error()};
  s.run(e.update_profile(ada.id, ada.id, {.bio = "Runs the Commons. Ask me about raids."}),
        "ada's bio");

  Space commons, help, news, guild, raids, officers;
  if (!s.get(e.create_space(ada.id, {.kind = SpaceKind::community,
                                     .name = "Hearth Commons",
                                     .description = "Where players meet, ask and help."}),
             "community", commons) ||
      !s.get(e.create_space(ada.id, {.parent = commons.id,
                                     .kind = SpaceKind::forum,
                                     .name = "Help desk",
                                     .description = "Questions and answers, by players.",
                                     .tags = {"crafting", "quests", "pvp", "bugs"}}),
             "help desk", help) ||
      !s.get(e.create_space(ada.id, {.parent = commons.id,
                                     .kind = SpaceKind::forum,
                                     .name = "News",
                                     .description = "Patch notes and events."}),
             "news", news) ||
      !s.get(e.create_space(ada.id, {.kind = SpaceKind::guild,
                                     .name = "Night Owls",
                                     .description = "A guild that raids after dark.",
                                     .member_cap = 50,
                                     .tags = {"raid", "casual"}}),
             "guild", guild) ||
      !s.get(
          e.create_space(ada.id, {.parent = guild.id, .kind = SpaceKind::channel, .name = "raids"}),
          "raid channel", raids) ||
      !s.get(e.create_space(ada.id, {.parent = guild.id,
                                     .kind = SpaceKind::channel,
                                     .name = "officers",
                                     .visibility = Visibility::private_,
                                     .join_policy = JoinPolicy::invite}),
             "officers' channel", officers))
    return failure{s.error()};

  for (const Member* m : {&bo, &cyra, &dmitri, &eun})
    if (!s.run(e.join_space(m->id, commons.id), "joining the commons")) return failure{s.error()};
  for (const Member* m : {&bo, &cyra, &dmitri})
    if (!s.run(e.join_space(m->id, guild.id), "joining the guild")) return failure{s.error()};
  if (!s.run(e.assign_role(ada.id, guild.id, bo.id, builtin::moderator_role), "bo moderates") ||
      !s.run(e.assign_role(ada.id, commons.id, cyra.id, builtin::moderator_role),
             "cyra moderates") ||
      !s.run(e.add_member(ada.id, officers.id, bo.id), "bo in officers"))
    return failure{s.error()};

  Engine::NewThread q1, q2, plan, patch, loot;
  Post a1, a2, yes;
  if (!s.get(e.create_thread(eun.id, help.id, "How do I craft a lantern?",
                             "I have the glass and the oil but the bench says no. What am I "
                             "missing?",
                             ThreadKind::question, {"crafting"}),
             "question 1", q1) ||
      !s.get(e.reply(dmitri.id, q1.first_post.id,
                     "You need a tinder box too: the smith in the harbour sells them."),
             "answer 1", a1) ||
      !s.run(e.reply(eun.id, a1.id, "That was it, thank you!"), "thanks") ||
      !s.run(e.accept_answer(eun.id, q1.thread.id, a1.id), "accept") ||
      !s.run(e.react(eun.id, a1.id, "thanks"), "react thanks") ||
      !s.run(e.react(cyra.id, a1.id, "+1"), "react +1") ||
      !s.get(e.create_thread(bo.id, help.id, "Is the north bridge quest bugged?",
                             "The ferryman never shows up after the storm.", ThreadKind::question,
                             {"quests", "bugs"}),
             "question 2", q2) ||
      !s.get(e.reply(cyra.id, q2.first_post.id,
                     "Wait until nightfall in game: he only comes out at night."),
             "answer 2", a2) ||
      !s.run(e.react(bo.id, a2.id, "heart"), "react heart") ||
      !s.get(e.create_thread(ada.id, news.id, "Winter festival starts Friday",
                             "Lanterns, sledding and a snow golem boss. See you there!",
                             ThreadKind::announcement),
             "announcement", patch) ||
      !s.run(e.pin_thread(ada.id, patch.thread.id, true), "pin") ||
      !s.get(e.create_thread(ada.id, raids.id, "Friday raid", "Who's in for Friday at 21:00?",
                             ThreadKind::discussion),
             "raid thread", plan) ||
      !s.get(e.reply(bo.id, plan.first_post.id, "Count me in, I'll bring potions."), "reply",
             yes) ||
      !s.run(e.reply(ada.id, yes.id, "Great, thanks Bo!"), "reply to reply") ||
      !s.run(e.reply(dmitri.id, plan.first_post.id, "In. @cyra are you healing?"), "mention") ||
      !s.run(e.react(ada.id, yes.id, "thanks"), "react") ||
      !s.run(e.react(cyra.id, plan.first_post.id, "+1"), "react") ||
      !s.get(e.create_thread(bo.id, officers.id, "Loot rules", "Need before greed."),
             "officers' thread", loot))
    return failure{s.error()};
  return {};
}

}  // namespace hearthd
