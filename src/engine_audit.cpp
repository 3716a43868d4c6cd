// The moderation audit log: the helper every moderation call appends with, and Engine::audit_log.
#include <map>

#include "engine_impl.hpp"

namespace hearth {

namespace {

// How many entries one audit_log call looks at, at most, to fill its page.
constexpr std::size_t audit_scan_budget = 2'000;

}  // namespace

result<void> Engine::Impl::audit(WriteContext& ctx, AuditEntry e) {
  if (e.actor_kind == AuditActorKind::member && !e.actor) e.actor_kind = AuditActorKind::host;
  e.at = ctx.now;
  return ctx.tx.insert_audit_entry(e);
}

result<std::vector<SpaceId>> Engine::Impl::root_spaces(Transaction& tx) {
  std::vector<SpaceId> out;
  for (SpaceId after;;) {
    HEARTH_TRY(roots, tx.list_child_spaces(SpaceId{}, after, 100));
    for (const Space& root : roots) out.push_back(after = root.id);
    if (roots.size() < 100) break;
  }
  return out;
}

result<bool> Engine::Impl::holds(Transaction& tx, SpaceId space, MemberId viewer, Permission p) {
  auto holds_in = [&](SpaceId s) -> result<bool> {
    auto r = require(tx, s, viewer, p);
    if (r) return true;
    if (is(r.error(), errc::forbidden) || is(r.error(), errc::not_found)) return false;
    return failure{r.error()};
  };
  if (space) return holds_in(space);
  // Community-wide: in every root space.
  HEARTH_TRY(roots, root_spaces(tx));
  for (SpaceId root : roots) {
    HEARTH_TRY(held, holds_in(root));
    if (!held) return false;
  }
  return !roots.empty();
}

result<bool> Engine::Impl::may_read_audit(Transaction& tx, SpaceId space, MemberId viewer) {
  return holds(tx, space, viewer, Permission::view_audit_log);
}

result<Page<AuditEntry>> Engine::audit_log(MemberId viewer, const AuditQuery& q,
                                           const PageRequest& page) {
  if (q.from > q.to) return errc::invalid_argument;
  HEARTH_TRY(limit, impl_->page_limit(page));
  HEARTH_TRY(before, detail::decode_cursor('a', page.cursor));
  return impl_->read([&](Transaction& tx) -> result<Page<AuditEntry>> {
    // The named space first: a secret one is not_found to anyone outside it, anonymous too.
    if (q.space && *q.space)
      HEARTH_CHECK(impl_->require(tx, *q.space, viewer, Permission::view_audit_log));
    HEARTH_CHECK(impl_->active_member(tx, viewer));
    if (q.space && !*q.space) {
      HEARTH_TRY(community, impl_->may_read_audit(tx, SpaceId{}, viewer));
      if (!community) return errc::forbidden;
    }
    std::map<std::uint64_t, bool> readable;  // by space, decided once per call
    std::vector<AuditEntry> items;
    std::uint64_t from = before;
    // Entries of spaces the viewer may not read are skipped: fetch on until the page is full,
    // or until audit_scan_budget entries have been looked at. A page cut short by the budget
    // ends with a cursor at the last entry looked at, so that a viewer who may read little of
    // a large log costs a bounded amount per call and still reaches every entry they may read.
    bool more = true;
    std::size_t scanned = 0;
    while (more && items.size() <= limit && scanned < audit_scan_budget) {
      const auto want = static_cast<std::uint32_t>(limit + 1 - items.size());
      HEARTH_TRY(batch, tx.list_audit_entries(q, from, want));
      more = batch.size() == want;
      scanned += batch.size();
      for (AuditEntry& e : batch) {
        from = e.id;
        auto known = readable.find(e.space.value);
        if (known == readable.end()) {
          HEARTH_TRY(may, impl_->may_read_audit(tx, e.space, viewer));
          known = readable.emplace(e.space.value, may).first;
        }
        if (known->second) items.push_back(std::move(e));
      }
    }
    if (more && items.size() <= limit) {  // the budget ran out first
      Page<AuditEntry> out;
      out.items = std::move(items);
      out.next_cursor = detail::encode_cursor('a', from);
      return out;
    }
    return make_page(std::move(items), limit, 'a', [](const AuditEntry& e) { return e.id; });
  });
}

}  // namespace hearth
