// hearth_demo: builds a small community on the embedded SQLite storage and says what it did.
// Usage: hearth_demo [database file]   (default: ./hearth-demo.db, recreated on every run)
#include <cstdio>
#include <filesystem>
#include <string>

#include "hearth/hearth.hpp"
#include "hearth/sqlite/sqlite_storage.hpp"

namespace {

template <class T>
T must(hearth::result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "demo: %s failed: %s\n", what, r.error().message().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path path = fs::absolute(argc > 1 ? argv[1] : "hearth-demo.db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);

  auto storage =
      must(hearth::sqlite::open_storage({.path = path.string()}), "opening the database");
  auto engine = must(hearth::Engine::open({.storage = storage}), "opening the engine");
  auto& e = *engine;

  auto ada = must(e.create_member("ada", "Ada", "game:1001"), "create member ada");
  auto bo = must(e.create_member("bo_builder", "Bo"), "create member bo");
  auto cy = must(e.create_member("cyra", "Cyra"), "create member cy");
  std::printf("members:  @%s, @%s, @%s\n", ada.handle.c_str(), bo.handle.c_str(),
              cy.handle.c_str());

  auto guild = must(e.create_space(ada.id, {.kind = hearth::SpaceKind::guild,
                                            .name = "Night Owls",
                                            .description = "A guild that raids after dark."}),
                    "create guild");
  auto raids =
      must(e.create_space(
               ada.id, {.parent = guild.id, .kind = hearth::SpaceKind::channel, .name = "raids"}),
           "create channel");
  must(e.join_space(bo.id, guild.id), "bo joins");
  must(e.join_space(cy.id, guild.id), "cy joins");
  must(e.join_space(bo.id, raids.id), "bo joins raids");
  std::printf("spaces:   guild \"%s\" with channel #%s; 3 members in the guild\n",
              guild.name.c_str(), raids.name.c_str());

  auto plan =
      must(e.create_thread(ada.id, raids.id, "Friday raid", "Who's in for Friday at 21:00?"),
           "start thread");
  auto yes = must(e.reply(bo.id, plan.first_post.id, "Count me in, I'll bring potions."), "reply");
  must(e.reply(ada.id, yes.id, "Great, thanks Bo!"), "reply to reply");
  must(e.react(ada.id, yes.id, "thanks"), "react");
  must(e.react(bo.id, plan.first_post.id, "+1"), "react");
  must(e.edit_post(bo.id, yes.id, "Count me in, I'll bring potions and food."), "edit");
  auto hello =
      must(e.create_thread(cy.id, guild.id, "Hello!", "New here, glad to join."), "thread");
  must(e.react(ada.id, hello.first_post.id, "heart"), "react");

  auto page = must(e.get_thread_page(hearth::MemberId{}, plan.thread.id, {}), "read thread");
  std::printf("thread:   \"%s\" in #%s\n", plan.thread.title.c_str(), raids.name.c_str());
  for (const auto& p : page.items) {
    auto author = must(e.get_member(p.author), "author");
    std::string reactions;
    for (const auto& r : p.reactions)
      reactions += " [" + r.kind + " " + std::to_string(r.count) + "]";
    std::printf("  @%-11s %s%s%s\n", author.handle.c_str(), p.body.c_str(),
                p.revision > 1 ? " (edited)" : "", reactions.c_str());
  }
  // Roles and a private channel: Bo becomes a moderator, the officers' channel is private and
  // takes members by invite; Cy, an outsider to it, reads nothing there.
  must(e.assign_role(ada.id, guild.id, bo.id, hearth::builtin::moderator_role), "moderator");
  auto officers = must(e.create_space(ada.id, {.parent = guild.id,
                                               .kind = hearth::SpaceKind::channel,
                                               .name = "officers",
                                               .visibility = hearth::Visibility::private_,
                                               .join_policy = hearth::JoinPolicy::invite}),
                       "create private channel");
  auto invite = must(e.create_invite(ada.id, officers.id, {.max_uses = 1}), "invite");
  must(e.join_with_invite(bo.id, invite.code), "bo uses the invite");
  must(e.create_thread(bo.id, officers.id, "Loot rules", "Need before greed."), "officers thread");
  const bool cy_reads = e.list_threads(cy.id, officers.id, {}).has_value();
  std::printf("roles:    @%s moderates; #%s is private (invite only), @%s %s read it\n",
              bo.handle.c_str(), officers.name.c_str(), cy.handle.c_str(),
              cy_reads ? "can" : "cannot");
  if (cy_reads) return 1;

  auto events = must(e.read_events(0, 200), "read events");
  std::printf("events:   %zu in the log (member_created ... reaction_added)\n", events.size());
  std::printf("database: %s\n", path.string().c_str());
  std::printf("          try: sqlite3 %s 'SELECT handle, display_name FROM members'\n",
              path.string().c_str());
  return 0;
}
