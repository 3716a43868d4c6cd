// Shared set-up for the engine's unit tests.
#pragma once

#include <catch2/catch.hpp>
#include <vector>

#include "conformance/result_string.hpp"

#include "hearth/engine.hpp"

namespace hearth::test {

template <class T>
errc code_of(const result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  REQUIRE(&r.error().category() == &hearth_category());
  return static_cast<errc>(r.error().value());
}

template <class T>
T ok(result<T> r) {
  INFO((r ? std::string("ok") : r.error().message()));
  REQUIRE(r.has_value());
  return std::move(*r);
}
inline void ok(result<void> r) {
  INFO((r ? std::string("ok") : r.error().message()));
  REQUIRE(r.has_value());
}

// An engine on MemoryStorage with a manual clock, two members and a guild Ada owns and Bo joined.
struct Community {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::unique_ptr<Engine> engine;
  Member ada, bo, cy;  // cy is not a member of the guild
  Space guild;

  explicit Community(EngineOptions options = {}) {
    options.clock = clock;
    engine = ok(Engine::open(std::move(options)));
    ada = ok(engine->create_member("ada", "Ada"));
    bo = ok(engine->create_member("bo_2", "Bo"));
    cy = ok(engine->create_member("cy.3", "Cy"));
    guild = ok(engine->create_space(ada.id, {{}, SpaceKind::guild, "Night Owls", ""}));
    REQUIRE(ok(engine->join_space(bo.id, guild.id)));
  }
  Engine* operator->() { return engine.get(); }
};

// The community, with Mo moderating the guild and Dee a member of it (auto-moderation tests).
struct ModeratedGuild : Community {
  Member mo, dee;
  explicit ModeratedGuild(EngineOptions options = {}) : Community(std::move(options)) {
    mo = ok(engine->create_member("mo_mod", "Mo"));
    dee = ok(engine->create_member("dee", "Dee"));
    for (const Member& m : {mo, dee}) REQUIRE(ok(engine->join_space(m.id, guild.id)));
    REQUIRE(ok(engine->assign_role(ada.id, guild.id, mo.id, builtin::moderator_role)));
  }
  // The audit entries of `action`, newest first.
  std::vector<AuditEntry> audit(AuditAction action) {
    std::vector<AuditEntry> out;
    for (auto& e : ok(engine->audit_log(ada.id, {}, {"", 200})).items)
      if (e.action == action) out.push_back(std::move(e));
    return out;
  }
  // The guild's review queue, as Mo sees it.
  std::vector<ReviewItem> queue() {
    return ok(engine->review_queue(mo.id, guild.id, {"", 50})).items;
  }
};

}  // namespace hearth::test
