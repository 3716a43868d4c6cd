#include "engine_impl.hpp"
#include "hearth/storage/memory.hpp"

namespace hearth {
namespace {

bool valid_reaction_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > 32) return false;
  for (const char c : kind)
    if (c <= 0x20 || c >= 0x7F) return false;
  return true;
}

}  // namespace

Engine::Impl::Impl(EngineOptions o)
    : options(std::move(o)),
      storage(options.storage),
      clock(options.clock),
      ids(*clock, options.node_id) {}

result<void> WriteContext::emit(EventType type, SpaceId space, MemberId actor,
                                std::string payload) {
  Event e{0, type, space, actor, now, std::move(payload)};
  HEARTH_TRY(seq, tx.append_event(e));
  e.seq = seq;
  events.push_back(std::move(e));
  return {};
}

result<Member> Engine::Impl::active_member(Transaction& tx, MemberId actor) {
  HEARTH_TRY(m, tx.get_member(actor));
  if (!m.active) return errc::forbidden;
  return m;
}

result<Membership> Engine::Impl::require_membership(Transaction& tx, SpaceId space,
                                                    MemberId actor) {
  auto m = tx.get_membership(space, actor);
  if (!m && is(m.error(), errc::not_found)) return errc::forbidden;
  return m;
}

void Engine::Impl::remember(const Space& s) {
  std::unique_lock lock(facts_mutex);
  facts.try_emplace(s.id.value, SpaceFacts{s.parent, s.visibility});
}

result<Engine::Impl::SpaceFacts> Engine::Impl::space_facts(Transaction& tx, SpaceId space) {
  {
    std::shared_lock lock(facts_mutex);
    if (auto it = facts.find(space.value); it != facts.end()) return it->second;
  }
  HEARTH_TRY(s, tx.get_space(space));
  remember(s);
  return SpaceFacts{s.parent, s.visibility};
}

result<void> Engine::Impl::walk_access(Transaction& tx, SpaceId space, SpaceFacts level,
                                       MemberId viewer, Access access) {
  bool forbidden = false;
  SpaceId id = space;
  for (int depth = 0;; ++depth) {
    if (level.visibility != Visibility::public_) {
      bool member = false;
      if (viewer) {
        auto m = tx.get_membership(id, viewer);
        if (!m && !is(m.error(), errc::not_found)) return failure{m.error()};
        member = m.has_value();
      }
      if (!member) {
        if (level.visibility == Visibility::secret) return errc::not_found;
        if (access == Access::read || id != space) forbidden = true;
      }
    }
    if (!level.parent) break;
    if (depth > 64) return errc::internal;  // a cycle in the tree: a bug, not a wait
    id = level.parent;
    HEARTH_TRY(parent, space_facts(tx, id));
    level = parent;
  }
  if (forbidden) return errc::forbidden;
  return {};
}

result<Space> Engine::Impl::check_access(Transaction& tx, SpaceId space, MemberId viewer,
                                         Access access) {
  HEARTH_TRY(target, tx.get_space(space));
  remember(target);
  HEARTH_CHECK(walk_access(tx, space, {target.parent, target.visibility}, viewer, access));
  return target;
}

result<void> Engine::Impl::check_read(Transaction& tx, SpaceId space, MemberId viewer) {
  HEARTH_TRY(facts_of_space, space_facts(tx, space));
  return walk_access(tx, space, facts_of_space, viewer, Access::read);
}

result<std::uint32_t> Engine::Impl::page_limit(const PageRequest& page) const {
  if (page.limit == 0 || page.limit > options.limits.max_page_size) return errc::invalid_argument;
  return page.limit;
}

result<std::unique_ptr<Engine>> Engine::open(EngineOptions options) {
  if (options.node_id > 1023 || options.limits.max_page_size == 0 ||
      options.limits.handle_min == 0 || options.limits.handle_min > options.limits.handle_max)
    return errc::invalid_argument;
  for (const auto& kind : options.reaction_kinds)
    if (!valid_reaction_kind(kind)) return errc::invalid_argument;
  if (!options.storage) options.storage = std::make_shared<MemoryStorage>();
  if (!options.clock) options.clock = std::make_shared<SystemClock>();
  return std::unique_ptr<Engine>(new Engine(std::make_unique<Impl>(std::move(options))));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

const EngineOptions& Engine::options() const noexcept { return impl_->options; }
const Clock& Engine::clock() const noexcept { return *impl_->clock; }

}  // namespace hearth
