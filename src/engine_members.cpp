#include "engine_impl.hpp"

namespace hearth {
namespace {

using detail::Payload;
using detail::TextKind;

constexpr std::string_view erased_prefix = "erased-";

result<void> check_handle(std::string_view handle, const Limits& limits) {
  if (handle.size() < limits.handle_min || handle.size() > limits.handle_max)
    return errc::invalid_argument;
  for (const char c : handle) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return errc::invalid_argument;
  }
  if (detail::ascii_lower(handle.substr(0, erased_prefix.size())) == erased_prefix)
    return errc::invalid_argument;  // the placeholders of erased members
  return {};
}

result<std::string> check_external_ref(std::string_view ref, const Limits& limits) {
  if (ref.size() > limits.external_ref_max) return errc::too_long;
  HEARTH_TRY(clean, detail::clean_text(ref, limits.external_ref_max, TextKind::line));
  if (clean.size() != ref.size()) return errc::invalid_argument;  // no surrounding white space
  return clean;
}

std::string member_payload(const Member& m) {
  auto p = Payload()
               .id("member", m.id.value)
               .str("handle", m.handle)
               .str("display_name", m.display_name);
  return p.done();
}

}  // namespace

result<Member> Engine::create_member(std::string_view handle, std::string_view display_name,
                                     std::optional<std::string_view> external_ref) {
  const Limits& limits = impl_->options.limits;
  HEARTH_CHECK(check_handle(handle, limits));
  HEARTH_TRY(name, detail::clean_text(display_name, limits.display_name_max, TextKind::line));
  Member m;
  m.handle = std::string(handle);
  m.display_name = std::move(name);
  if (external_ref) {
    HEARTH_TRY(ref, check_external_ref(*external_ref, limits));
    m.external_ref = std::move(ref);
  }
  return impl_->write([&](WriteContext& ctx) -> result<Member> {
    m.id = impl_->ids.next_as<MemberId>();
    m.created_at = ctx.now;
    HEARTH_CHECK(ctx.tx.insert_member(m));
    HEARTH_CHECK(ctx.emit(EventType::member_created, {}, m.id, member_payload(m)));
    return m;
  });
}

result<Member> Engine::get_member(MemberId id) {
  return impl_->read([&](Transaction& tx) { return tx.get_member(id); });
}

result<Member> Engine::find_member_by_handle(std::string_view handle) {
  if (handle.empty() || handle.size() > impl_->options.limits.handle_max) return errc::not_found;
  return impl_->read([&](Transaction& tx) { return tx.find_member_by_handle(handle); });
}

result<Member> Engine::find_member_by_external_ref(std::string_view external_ref) {
  if (external_ref.empty() || external_ref.size() > impl_->options.limits.external_ref_max)
    return errc::not_found;
  return impl_->read([&](Transaction& tx) { return tx.find_member_by_external_ref(external_ref); });
}

result<Member> Engine::update_profile(MemberId actor, MemberId member,
                                      const ProfileUpdate& update) {
  const Limits& limits = impl_->options.limits;
  std::optional<std::string> name, bio;
  if (update.display_name) {
    HEARTH_TRY(n,
               detail::clean_text(*update.display_name, limits.display_name_max, TextKind::line));
    name = std::move(n);
  }
  if (update.bio) {
    HEARTH_TRY(b, detail::clean_text(*update.bio, limits.bio_max, TextKind::multiline, false));
    bio = std::move(b);
  }
  return impl_->write([&](WriteContext& ctx) -> result<Member> {
    HEARTH_TRY(m, ctx.tx.get_member(member));
    if (actor != member) return errc::forbidden;
    if (!m.active) return errc::gone;
    HEARTH_CHECK(impl_->not_suspended(ctx.tx, actor));
    if (name) m.display_name = std::move(*name);
    if (bio) m.bio = std::move(*bio);
    HEARTH_CHECK(ctx.tx.update_member(m));
    HEARTH_CHECK(ctx.emit(EventType::member_updated, {}, actor, member_payload(m)));
    return m;
  });
}

result<void> Engine::deactivate_member(MemberId actor, MemberId member) {
  return impl_->write([&](WriteContext& ctx) -> result<void> {
    HEARTH_TRY(m, ctx.tx.get_member(member));
    if (actor != member) return errc::forbidden;
    if (!m.active) return errc::gone;
    m.active = false;
    HEARTH_CHECK(ctx.tx.update_member(m));
    return ctx.emit(EventType::member_deactivated, {}, actor,
                    Payload().id("member", m.id.value).done());
  });
}

result<void> Engine::erase_member(MemberId member) {
  return impl_->write([&](WriteContext& ctx) -> result<void> {
    HEARTH_TRY(m, ctx.tx.get_member(member));
    if (m.erased_at != 0) return errc::gone;
    HEARTH_CHECK(impl_->reputation_erased(ctx, member));
    // They leave every space they do not own; an owner's space keeps its owner (its admins run
    // it) until the host moves it on.
    std::vector<Membership> memberships;
    for (SpaceId after;;) {
      HEARTH_TRY(batch, ctx.tx.list_member_spaces(member, after, 256));
      if (batch.empty()) break;
      after = batch.back().space;
      memberships.insert(memberships.end(), batch.begin(), batch.end());
    }
    for (const Membership& ms : memberships) {
      HEARTH_TRY(s, ctx.tx.get_space(ms.space));
      if (s.owner == member) continue;
      HEARTH_CHECK(impl_->expel(ctx, s, member, MemberId{}, EventType::member_left));
    }
    m.handle = std::string(erased_prefix) + std::to_string(member.value);
    m.display_name.clear();
    m.bio.clear();
    m.external_ref.reset();
    m.active = false;
    m.erased_at = ctx.now;
    HEARTH_CHECK(ctx.tx.update_member(m));
    // The log's earlier member_created and member_updated events show the placeholder too.
    HEARTH_CHECK(ctx.tx.redact_member_events(member, member_payload(m)));
    return ctx.emit(EventType::member_erased, {}, MemberId{},
                    Payload().id("member", member.value).done());
  });
}

}  // namespace hearth
