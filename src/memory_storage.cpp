#include "hearth/storage/memory.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "text.hpp"

namespace hearth {

struct MemoryStorage::State {
  std::shared_mutex mutex;

  std::unordered_map<std::uint64_t, Member> members;
  std::unordered_map<std::string, std::uint64_t> member_by_handle;  // lowercased handle
  std::unordered_map<std::string, std::uint64_t> member_by_ref;
  std::map<std::uint64_t, Space> spaces;
  std::set<std::pair<std::uint64_t, std::uint64_t>> space_children;           // (parent, child)
  std::map<std::pair<std::uint64_t, std::uint64_t>, Membership> memberships;  // (space, member)
  std::map<std::uint64_t, Role> roles;
  std::set<std::pair<std::uint64_t, std::uint64_t>> space_roles;  // (space, role)
  // (space, member, role)
  std::map<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>, RoleAssignment> assignments;
  std::map<std::pair<std::uint64_t, std::uint64_t>, RoleOverride> overrides;  // (space, role)
  std::map<std::pair<std::uint64_t, std::uint64_t>, Ban> bans;                // (space, member)
  std::map<std::string, Invite> invites;                                      // by code
  // Sanctions by id, and the (member, id) index of each member's record.
  std::map<std::uint64_t, Sanction> sanctions;
  std::set<std::pair<std::uint64_t, std::uint64_t>> sanctions_by_member;
  std::set<std::tuple<std::uint64_t, std::string>> space_invites;  // (space, code)
  std::map<std::pair<std::uint64_t, std::uint64_t>, JoinRequest> join_requests;
  std::unordered_map<std::uint64_t, Thread> threads;
  // (space, pinned, last_post, thread) of threads that are not deleted.
  std::set<std::tuple<std::uint64_t, bool, std::uint64_t, std::uint64_t>> thread_activity;
  std::unordered_map<std::uint64_t, Post> posts;
  std::set<std::pair<std::uint64_t, std::uint64_t>> thread_posts;  // (thread, post)
  std::map<std::pair<std::uint64_t, std::uint32_t>, Revision> revisions;
  std::map<std::tuple<std::uint64_t, std::uint64_t, std::string>, Timestamp>
      reactions;  // (post, member, kind) -> when
  std::map<std::pair<std::uint64_t, std::string>, std::uint32_t> reaction_counts;  // (post, kind)
  std::vector<Event> events;
  // seqs of the member_created and member_updated events, by actor (redact_member_events)
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> profile_events;
  // Search: each indexed post's tokens (title, body), the postings (token, post) over both,
  // and the posts stored but not indexed yet (list_unindexed_posts).
  std::unordered_map<std::uint64_t, std::pair<std::vector<std::string>, std::vector<std::string>>>
      search_docs;
  std::set<std::pair<std::string, std::uint64_t>> postings;
  std::set<std::uint64_t> unindexed;
  std::map<std::uint64_t, Notification> notifications;
  std::set<std::pair<std::uint64_t, std::uint64_t>> inbox;   // (recipient, id)
  std::set<std::pair<std::uint64_t, std::uint64_t>> unread;  // (recipient, id) of unread ones
  // (recipient, post, id) of unread reaction notifications
  std::set<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>> open_reactions;
  std::map<std::pair<std::uint64_t, std::uint64_t>, ReadMarker> read_markers;  // (member, space)
  std::set<std::pair<std::uint64_t, std::uint64_t>> member_spaces;             // (member, space)
  std::set<std::pair<std::uint64_t, std::uint64_t>> space_posts;               // (space, post)
  // The reputation ledger by id, its indexes (key, id), and the totals by (scope, window, member).
  std::map<std::uint64_t, ReputationEntry> ledger;
  std::set<std::pair<std::uint64_t, std::uint64_t>> ledger_by_member;
  std::set<std::pair<std::uint64_t, std::uint64_t>> ledger_by_post;
  std::set<std::pair<std::uint64_t, std::uint64_t>> ledger_by_thread;
  std::set<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>> ledger_by_source;
  std::map<std::tuple<std::uint64_t, std::string, std::uint64_t>, std::int64_t> totals;
  // Trust: each member's activity, their day rows by (member, day), the threads entered.
  std::map<std::uint64_t, MemberActivity> activity;
  std::map<std::pair<std::uint64_t, std::int64_t>, ActivityDay> activity_days;
  std::set<std::pair<std::uint64_t, std::uint64_t>> threads_entered;  // (member, thread)
  // Badges: grants by id, their unique (member, badge, post, ordinal) keys, (member, id), the
  // progress counters by (member, counter), the helpful marks by (post, kind).
  std::map<std::uint64_t, BadgeGrant> badge_grants;
  std::set<std::tuple<std::uint64_t, std::string, std::uint64_t, std::uint32_t>> badge_keys;
  std::set<std::pair<std::uint64_t, std::uint64_t>> badge_by_member;
  std::map<std::pair<std::uint64_t, std::string>, std::int64_t> badge_progress;
  std::set<std::pair<std::uint64_t, std::string>> helpful_replies;
  // The audit log by id, and its (space, id), (target member, id), (acting member, id) indexes.
  std::map<std::uint64_t, AuditEntry> audit;
  std::set<std::pair<std::uint64_t, std::uint64_t>> audit_by_space;
  std::set<std::pair<std::uint64_t, std::uint64_t>> audit_by_target;
  std::set<std::pair<std::uint64_t, std::uint64_t>> audit_by_actor;
  // Reports by id; the open ones by (reporter, target member, post); (item, id); (reporter, id).
  std::map<std::uint64_t, Report> reports;
  std::map<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>, std::uint64_t> open_reports;
  std::set<std::pair<std::uint64_t, std::uint64_t>> reports_by_item;
  std::set<std::pair<std::uint64_t, std::uint64_t>> reports_by_reporter;
  // Review items by id; the undecided ones by (space, target member, post), and in queue order
  // by (space, UINT32_MAX - weight, id).
  std::map<std::uint64_t, ReviewItem> review_items;
  std::map<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>, std::uint64_t> open_items;
  std::set<std::tuple<std::uint64_t, std::uint32_t, std::uint64_t>> review_queue;
  std::map<std::uint64_t, std::uint64_t> appeals;  // appeal_of -> item
  // Moderator notes by id, and by (space, member, id).
  std::map<std::uint64_t, ModeratorNote> notes;
  std::set<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>> notes_by_member;
  // Auto-moderation rule sets by space (0: the community's).
  std::map<std::uint64_t, AutomodRecord> automod;
};

namespace {

using State = MemoryStorage::State;

// Fills in Post::reactions from the per-kind counts.
void attach_reactions(const State& s, Post& p) {
  p.reactions.clear();
  for (auto it = s.reaction_counts.lower_bound({p.id.value, std::string()});
       it != s.reaction_counts.end() && it->first.first == p.id.value; ++it)
    if (it->second > 0) p.reactions.push_back({it->first.second, it->second});
}

class MemoryTransaction final : public Transaction {
 public:
  MemoryTransaction(State& s, TxMode mode) : s_(s), mode_(mode) {
    if (mode == TxMode::write)
      write_lock_ = std::unique_lock(s.mutex);
    else
      read_lock_ = std::shared_lock(s.mutex);
  }

  ~MemoryTransaction() override {
    if (!committed_) rollback();
  }

  result<void> commit() override {
    if (committed_) return errc::internal;
    if (failed_) {
      rollback();
      return errc::storage_error;
    }
    committed_ = true;
    undo_.clear();
    return {};
  }

  bool has_savepoints() const noexcept override { return mode_ == TxMode::write; }

  result<void> savepoint() override {
    if (mode_ != TxMode::write || committed_ || failed_ || mark_) return fail(errc::internal);
    mark_ = undo_.size();
    return {};
  }

  result<void> release_savepoint() override {
    if (!mark_ || committed_) return fail(errc::internal);
    mark_.reset();
    return {};
  }

  result<void> rollback_to_savepoint() override {
    if (!mark_ || committed_) return fail(errc::internal);
    undo_to(*mark_);
    mark_.reset();
    failed_ = false;
    return {};
  }

  // --- members ---
  result<void> insert_member(const Member& m) override {
    HEARTH_CHECK(writable());
    const std::string key = detail::ascii_lower(m.handle);
    if (s_.members.count(m.id.value) || s_.member_by_handle.count(key) ||
        (m.external_ref && s_.member_by_ref.count(*m.external_ref)))
      return fail(errc::already_exists);
    put(s_.members, m.id.value, m);
    put(s_.member_by_handle, key, m.id.value);
    if (m.external_ref) put(s_.member_by_ref, *m.external_ref, m.id.value);
    return {};
  }

  result<void> update_member(const Member& m) override {
    HEARTH_CHECK(writable());
    auto it = s_.members.find(m.id.value);
    if (it == s_.members.end()) return fail(errc::not_found);
    const Member old = it->second;
    const std::string old_key = detail::ascii_lower(old.handle);
    const std::string new_key = detail::ascii_lower(m.handle);
    if (new_key != old_key && s_.member_by_handle.count(new_key)) return fail(errc::already_exists);
    if (m.external_ref && m.external_ref != old.external_ref &&
        s_.member_by_ref.count(*m.external_ref))
      return fail(errc::already_exists);
    if (new_key != old_key) {
      erase(s_.member_by_handle, old_key);
      put(s_.member_by_handle, new_key, m.id.value);
    }
    if (m.external_ref != old.external_ref) {
      if (old.external_ref) erase(s_.member_by_ref, *old.external_ref);
      if (m.external_ref) put(s_.member_by_ref, *m.external_ref, m.id.value);
    }
    put(s_.members, m.id.value, m);
    return {};
  }

  result<Member> get_member(MemberId id) override { return find(s_.members, id.value); }

  result<Member> find_member_by_handle(std::string_view handle) override {
    auto it = s_.member_by_handle.find(detail::ascii_lower(handle));
    if (it == s_.member_by_handle.end()) return errc::not_found;
    return find(s_.members, it->second);
  }

  result<Member> find_member_by_external_ref(std::string_view ref) override {
    auto it = s_.member_by_ref.find(std::string(ref));
    if (it == s_.member_by_ref.end()) return errc::not_found;
    return find(s_.members, it->second);
  }

  // --- spaces ---
  result<void> insert_space(const Space& sp) override {
    HEARTH_CHECK(writable());
    if (s_.spaces.count(sp.id.value)) return fail(errc::already_exists);
    if (sp.parent && !s_.spaces.count(sp.parent.value)) return fail(errc::not_found);
    put(s_.spaces, sp.id.value, sp);
    insert(s_.space_children, std::pair{sp.parent.value, sp.id.value});
    return {};
  }

  result<void> update_space(const Space& sp) override {
    HEARTH_CHECK(writable());
    auto it = s_.spaces.find(sp.id.value);
    if (it == s_.spaces.end()) return fail(errc::not_found);
    if (it->second.parent != sp.parent) {
      if (sp.parent && !s_.spaces.count(sp.parent.value)) return fail(errc::not_found);
      erase(s_.space_children, std::pair{it->second.parent.value, sp.id.value});
      insert(s_.space_children, std::pair{sp.parent.value, sp.id.value});
    }
    put(s_.spaces, sp.id.value, sp);
    return {};
  }

  result<Space> get_space(SpaceId id) override { return find(s_.spaces, id.value); }

  result<std::vector<Space>> list_child_spaces(SpaceId parent, SpaceId after,
                                               std::uint32_t limit) override {
    std::vector<Space> out;
    for (auto it = s_.space_children.upper_bound({parent.value, after.value});
         it != s_.space_children.end() && it->first == parent.value && out.size() < limit; ++it)
      out.push_back(s_.spaces.at(it->second));
    return out;
  }

  result<std::vector<SpaceHit>> find_spaces(const SpaceQuery& q, SpacePosition after,
                                            std::uint32_t limit) override {
    auto newest = [&](std::uint64_t space, bool pinned) -> std::uint64_t {
      auto it = s_.thread_activity.lower_bound({space, pinned, UINT64_MAX, 0});
      if (it == s_.thread_activity.begin()) return 0;
      --it;
      return std::get<0>(*it) == space && std::get<1>(*it) == pinned ? std::get<2>(*it) : 0;
    };
    std::vector<std::pair<std::uint64_t, const Space*>> found;  // (key, space)
    for (const auto& [id, sp] : s_.spaces) {
      if (sp.visibility == Visibility::secret || !matches(q, sp)) continue;
      const std::uint64_t key = q.sort == SpaceSort::members
                                    ? sp.member_count
                                    : std::max(newest(id, true), newest(id, false));
      if (std::pair{key, id} >= std::pair{after.key, after.id.value}) continue;
      found.emplace_back(key, &sp);
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return std::pair{a.first, a.second->id.value} > std::pair{b.first, b.second->id.value};
    });
    if (found.size() > limit) found.resize(limit);
    std::vector<SpaceHit> out;
    for (const auto& [key, sp] : found) {
      SpaceHit hit{*sp, PostId{}, 0};
      hit.last_post = PostId{q.sort == SpaceSort::members
                                 ? std::max(newest(sp->id.value, true), newest(sp->id.value, false))
                                 : key};
      out.push_back(std::move(hit));
    }
    return out;
  }

  // --- membership ---
  result<void> insert_membership(const Membership& m) override {
    HEARTH_CHECK(writable());
    const auto key = std::pair{m.space.value, m.member.value};
    if (s_.memberships.count(key)) return fail(errc::already_exists);
    if (!s_.spaces.count(m.space.value) || !s_.members.count(m.member.value))
      return fail(errc::not_found);
    put(s_.memberships, key, m);
    insert(s_.member_spaces, std::pair{m.member.value, m.space.value});
    return {};
  }

  result<void> delete_membership(SpaceId space, MemberId member) override {
    HEARTH_CHECK(writable());
    const auto key = std::pair{space.value, member.value};
    if (!s_.memberships.count(key)) return fail(errc::not_found);
    erase(s_.memberships, key);
    erase(s_.member_spaces, std::pair{member.value, space.value});
    return {};
  }

  result<Membership> get_membership(SpaceId space, MemberId member) override {
    return find(s_.memberships, std::pair{space.value, member.value});
  }

  result<std::vector<Membership>> list_memberships(SpaceId space, MemberId after,
                                                   std::uint32_t limit) override {
    std::vector<Membership> out;
    for (auto it = s_.memberships.upper_bound({space.value, after.value});
         it != s_.memberships.end() && it->first.first == space.value && out.size() < limit; ++it)
      out.push_back(it->second);
    return out;
  }

  // --- roles ---
  result<void> insert_role(const Role& r) override {
    HEARTH_CHECK(writable());
    if (s_.roles.count(r.id.value)) return fail(errc::already_exists);
    if (!s_.spaces.count(r.space.value)) return fail(errc::not_found);
    put(s_.roles, r.id.value, r);
    insert(s_.space_roles, std::pair{r.space.value, r.id.value});
    return {};
  }

  result<void> update_role(const Role& r) override {
    HEARTH_CHECK(writable());
    auto it = s_.roles.find(r.id.value);
    if (it == s_.roles.end()) return fail(errc::not_found);
    Role stored = it->second;
    stored.name = r.name;
    stored.permissions = r.permissions;
    stored.rank = r.rank;
    put(s_.roles, r.id.value, std::move(stored));
    return {};
  }

  result<Role> get_role(RoleId id) override { return find(s_.roles, id.value); }

  result<std::vector<Role>> list_roles(SpaceId space) override {
    std::vector<Role> out;
    for (auto it = s_.space_roles.lower_bound({space.value, 0});
         it != s_.space_roles.end() && it->first == space.value; ++it)
      out.push_back(s_.roles.at(it->second));
    return out;
  }

  result<void> delete_role(RoleId id) override {
    HEARTH_CHECK(writable());
    auto it = s_.roles.find(id.value);
    if (it == s_.roles.end()) return fail(errc::not_found);
    erase(s_.space_roles, std::pair{it->second.space.value, id.value});
    erase(s_.roles, id.value);
    std::vector<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>> held;
    for (const auto& [key, a] : s_.assignments)
      if (std::get<2>(key) == id.value) held.push_back(key);
    for (const auto& key : held) erase(s_.assignments, key);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> set;
    for (const auto& [key, o] : s_.overrides)
      if (key.second == id.value) set.push_back(key);
    for (const auto& key : set) erase(s_.overrides, key);
    return {};
  }

  result<void> insert_role_assignment(const RoleAssignment& a) override {
    HEARTH_CHECK(writable());
    const auto key = std::tuple{a.space.value, a.member.value, a.role.value};
    if (s_.assignments.count(key)) return fail(errc::already_exists);
    put(s_.assignments, key, a);
    return {};
  }

  result<void> delete_role_assignment(SpaceId space, MemberId member, RoleId role) override {
    HEARTH_CHECK(writable());
    const auto key = std::tuple{space.value, member.value, role.value};
    if (!s_.assignments.count(key)) return fail(errc::not_found);
    erase(s_.assignments, key);
    return {};
  }

  result<std::vector<RoleAssignment>> list_role_assignments(SpaceId space,
                                                            MemberId member) override {
    std::vector<RoleAssignment> out;
    for (auto it = s_.assignments.lower_bound({space.value, member.value, 0});
         it != s_.assignments.end() && std::get<0>(it->first) == space.value &&
         std::get<1>(it->first) == member.value;
         ++it)
      out.push_back(it->second);
    return out;
  }

  result<void> put_override(SpaceId space, const RoleOverride& o) override {
    HEARTH_CHECK(writable());
    put(s_.overrides, std::pair{space.value, o.role.value}, o);
    return {};
  }

  result<void> delete_override(SpaceId space, RoleId role) override {
    HEARTH_CHECK(writable());
    const auto key = std::pair{space.value, role.value};
    if (!s_.overrides.count(key)) return fail(errc::not_found);
    erase(s_.overrides, key);
    return {};
  }

  result<std::vector<RoleOverride>> list_overrides(SpaceId space) override {
    std::vector<RoleOverride> out;
    for (auto it = s_.overrides.lower_bound({space.value, 0});
         it != s_.overrides.end() && it->first.first == space.value; ++it)
      out.push_back(it->second);
    return out;
  }

  // --- bans, invites, join requests ---
  result<void> put_ban(const Ban& b) override {
    HEARTH_CHECK(writable());
    put(s_.bans, std::pair{b.space.value, b.member.value}, b);
    return {};
  }

  result<void> delete_ban(SpaceId space, MemberId member) override {
    HEARTH_CHECK(writable());
    const auto key = std::pair{space.value, member.value};
    if (!s_.bans.count(key)) return fail(errc::not_found);
    erase(s_.bans, key);
    return {};
  }

  result<Ban> get_ban(SpaceId space, MemberId member) override {
    return find(s_.bans, std::pair{space.value, member.value});
  }

  result<std::vector<Ban>> list_bans(SpaceId space, MemberId after, std::uint32_t limit) override {
    std::vector<Ban> out;
    for (auto it = s_.bans.upper_bound({space.value, after.value});
         it != s_.bans.end() && it->first.first == space.value && out.size() < limit; ++it)
      out.push_back(it->second);
    return out;
  }

  // --- sanctions ---
  result<void> insert_sanction(const Sanction& x) override {
    HEARTH_CHECK(writable());
    if (s_.sanctions.count(x.id.value)) return fail(errc::already_exists);
    put(s_.sanctions, x.id.value, x);
    insert(s_.sanctions_by_member, std::pair{x.member.value, x.id.value});
    return {};
  }

  result<void> update_sanction(const Sanction& x) override {
    HEARTH_CHECK(writable());
    auto it = s_.sanctions.find(x.id.value);
    if (it == s_.sanctions.end()) return fail(errc::not_found);
    Sanction updated = it->second;
    updated.revoked_at = x.revoked_at;
    updated.revoked_by = x.revoked_by;
    put(s_.sanctions, x.id.value, updated);
    return {};
  }

  result<Sanction> get_sanction(SanctionId id) override { return find(s_.sanctions, id.value); }

  result<std::vector<Sanction>> list_sanctions(MemberId member, SanctionId after,
                                               std::uint32_t limit) override {
    std::vector<Sanction> out;
    for (auto it = s_.sanctions_by_member.upper_bound({member.value, after.value});
         it != s_.sanctions_by_member.end() && it->first == member.value && out.size() < limit;
         ++it)
      out.push_back(s_.sanctions.at(it->second));
    return out;
  }

  result<std::vector<Sanction>> list_sanctions_in_force(MemberId member, Timestamp now) override {
    std::vector<Sanction> out;
    for (auto it = s_.sanctions_by_member.lower_bound({member.value, 0});
         it != s_.sanctions_by_member.end() && it->first == member.value; ++it) {
      const Sanction& x = s_.sanctions.at(it->second);
      if (x.in_force(now)) out.push_back(x);
    }
    return out;
  }

  result<void> insert_invite(const Invite& i) override {
    HEARTH_CHECK(writable());
    if (s_.invites.count(i.code)) return fail(errc::already_exists);
    put(s_.invites, i.code, i);
    insert(s_.space_invites, std::tuple{i.space.value, i.code});
    return {};
  }

  result<void> update_invite(const Invite& i) override {
    HEARTH_CHECK(writable());
    auto it = s_.invites.find(i.code);
    if (it == s_.invites.end()) return fail(errc::not_found);
    Invite stored = it->second;
    stored.uses = i.uses;
    stored.max_uses = i.max_uses;
    stored.expires_at = i.expires_at;
    stored.revoked = i.revoked;
    put(s_.invites, i.code, std::move(stored));
    return {};
  }

  result<Invite> get_invite(std::string_view code) override {
    return find(s_.invites, std::string(code));
  }

  result<std::vector<Invite>> list_invites(SpaceId space, std::string_view after,
                                           std::uint32_t limit) override {
    std::vector<Invite> out;
    for (auto it = s_.space_invites.upper_bound({space.value, std::string(after)});
         it != s_.space_invites.end() && std::get<0>(*it) == space.value && out.size() < limit;
         ++it)
      out.push_back(s_.invites.at(std::get<1>(*it)));
    return out;
  }

  result<void> insert_join_request(const JoinRequest& r) override {
    HEARTH_CHECK(writable());
    const auto key = std::pair{r.space.value, r.member.value};
    if (s_.join_requests.count(key)) return fail(errc::already_exists);
    put(s_.join_requests, key, r);
    return {};
  }

  result<void> delete_join_request(SpaceId space, MemberId member) override {
    HEARTH_CHECK(writable());
    const auto key = std::pair{space.value, member.value};
    if (!s_.join_requests.count(key)) return fail(errc::not_found);
    erase(s_.join_requests, key);
    return {};
  }

  result<JoinRequest> get_join_request(SpaceId space, MemberId member) override {
    return find(s_.join_requests, std::pair{space.value, member.value});
  }

  result<std::vector<JoinRequest>> list_join_requests(SpaceId space, MemberId after,
                                                      std::uint32_t limit) override {
    std::vector<JoinRequest> out;
    for (auto it = s_.join_requests.upper_bound({space.value, after.value});
         it != s_.join_requests.end() && it->first.first == space.value && out.size() < limit; ++it)
      out.push_back(it->second);
    return out;
  }

  // --- threads and posts ---
  result<void> insert_thread(const Thread& t) override {
    HEARTH_CHECK(writable());
    if (s_.threads.count(t.id.value)) return fail(errc::already_exists);
    if (!s_.spaces.count(t.space.value)) return fail(errc::not_found);
    put(s_.threads, t.id.value, t);
    if (!t.deleted) insert(s_.thread_activity, activity_key(t));
    return {};
  }

  result<void> update_thread(const Thread& t) override {
    HEARTH_CHECK(writable());
    auto it = s_.threads.find(t.id.value);
    if (it == s_.threads.end()) return fail(errc::not_found);
    if (!it->second.deleted) erase(s_.thread_activity, activity_key(it->second));
    if (!t.deleted) insert(s_.thread_activity, activity_key(t));
    put(s_.threads, t.id.value, t);
    return {};
  }

  result<Thread> get_thread(ThreadId id) override { return find(s_.threads, id.value); }

  result<std::vector<Thread>> list_threads(SpaceId space, const ThreadListing& q,
                                           ThreadPosition after, std::uint32_t limit) override {
    std::vector<Thread> out;
    const std::uint64_t bound = after.last_post ? after.last_post.value : UINT64_MAX;
    // (space, pinned, last_post, id) ascending: backwards from the position, the rest of its
    // run, then (from pinned) the unpinned run.
    auto it = s_.thread_activity.lower_bound({space.value, after.pinned, bound, 0});
    while (it != s_.thread_activity.begin() && out.size() < limit) {
      --it;
      if (std::get<0>(*it) != space.value) break;
      const Thread& t = s_.threads.at(std::get<3>(*it));
      if (q.unanswered_only && (t.kind != ThreadKind::question || t.accepted_answer)) continue;
      if (!q.tag.empty() && std::find(t.tags.begin(), t.tags.end(), q.tag) == t.tags.end())
        continue;
      out.push_back(t);
    }
    return out;
  }

  result<void> move_posts(ThreadId thread, SpaceId space) override {
    HEARTH_CHECK(writable());
    for (auto it = s_.thread_posts.upper_bound({thread.value, 0});
         it != s_.thread_posts.end() && it->first == thread.value; ++it) {
      Post p = s_.posts.at(it->second);
      erase(s_.space_posts, std::pair{p.space.value, p.id.value});
      insert(s_.space_posts, std::pair{space.value, p.id.value});
      p.space = space;
      put(s_.posts, p.id.value, std::move(p));
    }
    return {};
  }

  result<bool> has_posted(ThreadId thread, MemberId member) override {
    for (auto it = s_.thread_posts.upper_bound({thread.value, 0});
         it != s_.thread_posts.end() && it->first == thread.value; ++it)
      if (s_.posts.at(it->second).author == member) return true;
    return false;
  }

  result<void> insert_post(const Post& p) override {
    HEARTH_CHECK(writable());
    if (s_.posts.count(p.id.value)) return fail(errc::already_exists);
    if (!s_.threads.count(p.thread.value)) return fail(errc::not_found);
    Post stored = p;
    stored.reactions.clear();
    put(s_.posts, p.id.value, std::move(stored));
    insert(s_.thread_posts, std::pair{p.thread.value, p.id.value});
    insert(s_.unindexed, p.id.value);
    insert(s_.space_posts, std::pair{p.space.value, p.id.value});
    return {};
  }

  result<void> update_post(const Post& p) override {
    HEARTH_CHECK(writable());
    auto it = s_.posts.find(p.id.value);
    if (it == s_.posts.end()) return fail(errc::not_found);
    Post stored = it->second;
    stored.body = p.body;
    stored.edited_at = p.edited_at;
    stored.revision = p.revision;
    stored.deleted = p.deleted;
    stored.removed = p.removed;
    stored.removal_reason = p.removal_reason;
    stored.removed_by = p.removed_by;
    put(s_.posts, p.id.value, std::move(stored));
    return {};
  }

  result<Post> get_post(PostId id) override {
    HEARTH_TRY(p, find(s_.posts, id.value));
    attach_reactions(s_, p);
    return p;
  }

  result<std::vector<Post>> list_posts(ThreadId thread, PostId after,
                                       std::uint32_t limit) override {
    std::vector<Post> out;
    for (auto it = s_.thread_posts.upper_bound({thread.value, after.value});
         it != s_.thread_posts.end() && it->first == thread.value && out.size() < limit; ++it) {
      out.push_back(s_.posts.at(it->second));
      attach_reactions(s_, out.back());
    }
    return out;
  }

  result<void> insert_revision(const Revision& r) override {
    HEARTH_CHECK(writable());
    const auto key = std::pair{r.post.value, r.number};
    if (s_.revisions.count(key)) return fail(errc::already_exists);
    if (!s_.posts.count(r.post.value)) return fail(errc::not_found);
    put(s_.revisions, key, r);
    return {};
  }

  result<std::vector<Revision>> list_revisions(PostId post) override {
    std::vector<Revision> out;
    for (auto it = s_.revisions.lower_bound({post.value, 0});
         it != s_.revisions.end() && it->first.first == post.value; ++it)
      out.push_back(it->second);
    return out;
  }

  // --- search ---
  // Strict where the contract lets an adapter be: a second index_post, or an unindex_post with
  // another text than the one indexed, is refused, so that the engine's tests catch either.
  result<void> index_post(PostId post, const SearchDoc& doc) override {
    HEARTH_CHECK(writable());
    if (!s_.posts.count(post.value)) return fail(errc::not_found);
    if (s_.search_docs.count(post.value)) return fail(errc::already_exists);
    auto fields = std::pair{search_field_tokens(doc.title), search_field_tokens(doc.body)};
    for (const auto* field : {&fields.first, &fields.second})
      for (const std::string& token : *field) insert(s_.postings, std::pair{token, post.value});
    put(s_.search_docs, post.value, std::move(fields));
    erase(s_.unindexed, post.value);
    return {};
  }

  result<void> unindex_post(PostId post, const SearchDoc& indexed) override {
    HEARTH_CHECK(writable());
    auto it = s_.search_docs.find(post.value);
    if (it == s_.search_docs.end() || it->second.first != search_field_tokens(indexed.title) ||
        it->second.second != search_field_tokens(indexed.body))
      return fail(errc::invalid_argument);
    for (const auto* field : {&it->second.first, &it->second.second})
      for (const std::string& token : *field) erase(s_.postings, std::pair{token, post.value});
    erase(s_.search_docs, post.value);
    return {};
  }

  result<std::vector<ScoredPost>> search_posts(const SearchQuery& q, std::uint32_t limit) override {
    // Candidates: the posts holding the first token of the required term that has the fewest.
    std::optional<std::vector<std::uint64_t>> candidates;
    for (const SearchTerm& term : q.terms) {
      if (term.exclude || term.tokens.empty()) continue;
      const std::string& first = term.tokens.front();
      const bool prefix = term.prefix && term.tokens.size() == 1;
      std::vector<std::uint64_t> ids;
      for (auto it = s_.postings.lower_bound({first, 0});
           it != s_.postings.end() &&
           (prefix ? it->first.compare(0, first.size(), first) == 0 : it->first == first);
           ++it)
        ids.push_back(it->second);
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      if (!candidates || ids.size() < candidates->size()) candidates = std::move(ids);
    }
    std::vector<ScoredPost> out;
    if (!candidates) return out;
    const bool relevance = q.sort == SearchSort::relevance;
    std::unordered_set<std::uint64_t> spaces;
    for (const SpaceId id : q.spaces) spaces.insert(id.value);
    std::vector<std::pair<std::uint32_t, std::uint64_t>> hits;  // (score, post)
    for (const std::uint64_t id : *candidates) {
      const Post& p = s_.posts.at(id);
      if (p.deleted || p.removed) continue;
      if (!spaces.empty() && !spaces.count(p.space.value)) continue;
      if (q.author && p.author != q.author) continue;
      if (q.from && p.created_at < q.from) continue;
      if (q.to && p.created_at > q.to) continue;
      const Thread& t = s_.threads.at(p.thread.value);
      if (t.deleted) continue;
      if (!q.tag.empty() && std::find(t.tags.begin(), t.tags.end(), q.tag) == t.tags.end())
        continue;
      const auto& [title, body] = s_.search_docs.at(id);
      const std::optional<std::uint32_t> scored = search_score(title, body, q.terms);
      if (!scored) continue;
      const std::uint32_t score = *scored;
      if (!search_past_keyset(q, score, PostId{id})) continue;
      hits.emplace_back(score, id);
    }
    if (relevance)
      std::sort(hits.begin(), hits.end(), std::greater<>());
    else
      std::sort(hits.begin(), hits.end(),
                [](const auto& a, const auto& b) { return a.second > b.second; });
    if (hits.size() > limit) hits.resize(limit);
    for (const auto& [score, id] : hits) {
      Post p = s_.posts.at(id);
      attach_reactions(s_, p);
      out.push_back({std::move(p), score});
    }
    return out;
  }

  result<std::vector<Post>> list_unindexed_posts(PostId after, std::uint32_t limit) override {
    std::vector<Post> out;
    for (auto it = s_.unindexed.upper_bound(after.value);
         it != s_.unindexed.end() && out.size() < limit; ++it) {
      const Post& p = s_.posts.at(*it);
      if (!p.deleted) out.push_back(p);
    }
    return out;
  }

  // --- reactions ---
  result<bool> add_reaction(PostId post, MemberId member, std::string_view kind,
                            Timestamp at) override {
    HEARTH_CHECK(writable());
    if (!s_.posts.count(post.value) || !s_.members.count(member.value))
      return fail(errc::not_found);
    auto key = std::tuple{post.value, member.value, std::string(kind)};
    if (s_.reactions.count(key)) return false;
    put(s_.reactions, key, at);
    const auto count_key = std::pair{post.value, std::string(kind)};
    auto it = s_.reaction_counts.find(count_key);
    put(s_.reaction_counts, count_key, it == s_.reaction_counts.end() ? 1u : it->second + 1);
    return true;
  }

  result<bool> remove_reaction(PostId post, MemberId member, std::string_view kind) override {
    HEARTH_CHECK(writable());
    const auto key = std::tuple{post.value, member.value, std::string(kind)};
    if (!s_.reactions.count(key)) return false;
    erase(s_.reactions, key);
    const auto count_key = std::pair{post.value, std::string(kind)};
    const std::uint32_t count = s_.reaction_counts.at(count_key);
    if (count <= 1)
      erase(s_.reaction_counts, count_key);
    else
      put(s_.reaction_counts, count_key, count - 1);
    return true;
  }

  result<std::vector<Reaction>> list_reactions(PostId post, std::string_view kind, MemberId after,
                                               std::uint32_t limit) override {
    std::vector<Reaction> out;
    for (auto it = s_.reactions.upper_bound({post.value, after.value, std::string(kind)});
         it != s_.reactions.end() && std::get<0>(it->first) == post.value && out.size() < limit;
         ++it)
      if (std::get<2>(it->first) == kind)
        out.push_back({post, MemberId{std::get<1>(it->first)}, std::get<2>(it->first), it->second});
    return out;
  }

  result<std::vector<Reaction>> list_member_reactions(PostId post, MemberId member) override {
    std::vector<Reaction> out;
    for (auto it = s_.reactions.lower_bound({post.value, member.value, std::string()});
         it != s_.reactions.end() && std::get<0>(it->first) == post.value &&
         std::get<1>(it->first) == member.value;
         ++it)
      out.push_back({post, member, std::get<2>(it->first), it->second});
    return out;
  }

  // --- notifications ---
  result<void> insert_notification(const Notification& n) override {
    HEARTH_CHECK(writable());
    if (s_.notifications.count(n.id.value)) return fail(errc::already_exists);
    store(n);
    return {};
  }

  result<void> update_notification(NotificationId id, const Notification& n) override {
    HEARTH_CHECK(writable());
    auto it = s_.notifications.find(id.value);
    if (it == s_.notifications.end() || it->second.recipient != n.recipient)
      return fail(errc::not_found);
    if (n.id != id && s_.notifications.count(n.id.value)) return fail(errc::already_exists);
    unstore(it->second);
    store(n);
    return {};
  }

  result<Notification> get_notification(MemberId recipient, NotificationId id) override {
    auto it = s_.notifications.find(id.value);
    if (it == s_.notifications.end() || it->second.recipient != recipient) return errc::not_found;
    return it->second;
  }

  result<Notification> find_reaction_notification(MemberId recipient, PostId post) override {
    auto it = s_.open_reactions.upper_bound({recipient.value, post.value, UINT64_MAX});
    if (it == s_.open_reactions.begin()) return errc::not_found;
    --it;
    if (std::get<0>(*it) != recipient.value || std::get<1>(*it) != post.value)
      return errc::not_found;
    return s_.notifications.at(std::get<2>(*it));
  }

  result<std::vector<Notification>> list_notifications(MemberId recipient, NotificationId before,
                                                       bool unread_only,
                                                       std::uint32_t limit) override {
    const auto& index = unread_only ? s_.unread : s_.inbox;
    std::vector<Notification> out;
    const std::uint64_t bound = before ? before.value : UINT64_MAX;
    auto it = index.lower_bound({recipient.value, bound});
    while (it != index.begin() && out.size() < limit) {
      --it;
      if (it->first != recipient.value) break;
      out.push_back(s_.notifications.at(it->second));
    }
    return out;
  }

  result<std::uint32_t> mark_notifications_read(MemberId recipient, NotificationId up_to) override {
    HEARTH_CHECK(writable());
    std::vector<std::uint64_t> ids;
    for (auto it = s_.unread.lower_bound({recipient.value, 0});
         it != s_.unread.end() && it->first == recipient.value && it->second <= up_to.value; ++it)
      ids.push_back(it->second);
    for (const std::uint64_t id : ids) {
      Notification n = s_.notifications.at(id);
      unstore(n);
      n.read = true;
      store(n);
    }
    return static_cast<std::uint32_t>(ids.size());
  }

  result<std::vector<std::pair<SpaceId, std::uint32_t>>> count_unread_notifications(
      MemberId recipient) override {
    std::map<std::uint64_t, std::uint32_t> counts;
    for (auto it = s_.unread.lower_bound({recipient.value, 0});
         it != s_.unread.end() && it->first == recipient.value; ++it)
      ++counts[s_.notifications.at(it->second).space.value];
    std::vector<std::pair<SpaceId, std::uint32_t>> out;
    for (const auto& [space, count] : counts) out.emplace_back(SpaceId{space}, count);
    return out;
  }

  // --- read markers ---
  result<void> put_read_marker(const ReadMarker& m) override {
    HEARTH_CHECK(writable());
    put(s_.read_markers, std::pair{m.member.value, m.space.value}, m);
    return {};
  }

  result<ReadMarker> get_read_marker(SpaceId space, MemberId member) override {
    return find(s_.read_markers, std::pair{member.value, space.value});
  }

  result<std::vector<ReadMarker>> list_read_markers(MemberId member) override {
    std::vector<ReadMarker> out;
    for (auto it = s_.read_markers.lower_bound({member.value, 0});
         it != s_.read_markers.end() && it->first.first == member.value; ++it)
      out.push_back(it->second);
    return out;
  }

  result<std::vector<Membership>> list_member_spaces(MemberId member, SpaceId after,
                                                     std::uint32_t limit) override {
    std::vector<Membership> out;
    for (auto it = s_.member_spaces.upper_bound({member.value, after.value});
         it != s_.member_spaces.end() && it->first == member.value && out.size() < limit; ++it)
      out.push_back(s_.memberships.at({it->second, member.value}));
    return out;
  }

  result<std::uint32_t> count_posts_after(SpaceId space, PostId after, MemberId except,
                                          std::uint32_t cap) override {
    std::uint32_t count = 0;
    for (auto it = s_.space_posts.upper_bound({space.value, after.value});
         it != s_.space_posts.end() && it->first == space.value && count < cap; ++it) {
      const Post& p = s_.posts.at(it->second);
      if (!p.deleted && !p.removed && (!except || p.author != except)) ++count;
    }
    return count;
  }

  // --- reputation ---
  result<void> insert_reputation_entry(const ReputationEntry& e) override {
    HEARTH_CHECK(writable());
    if (s_.ledger.count(e.id.value)) return fail(errc::already_exists);
    put(s_.ledger, e.id.value, e);
    insert(s_.ledger_by_member, std::pair{e.member.value, e.id.value});
    if (e.post) insert(s_.ledger_by_post, std::pair{e.post.value, e.id.value});
    if (e.thread) insert(s_.ledger_by_thread, std::pair{e.thread.value, e.id.value});
    if (e.source)
      insert(s_.ledger_by_source, std::tuple{e.source.value, e.member.value, e.id.value});
    return {};
  }

  result<std::vector<ReputationEntry>> list_reputation_entries(const LedgerQuery& q,
                                                               ReputationEntryId after,
                                                               std::uint32_t limit) override {
    std::vector<ReputationEntry> out;
    auto matches = [&](const ReputationEntry& e) {
      return (!q.member || e.member == q.member) && (!q.post || e.post == q.post) &&
             (!q.thread || e.thread == q.thread) && (!q.source || e.source == q.source) &&
             e.counts_at >= q.since;
    };
    auto take = [&](std::uint64_t id) {
      const ReputationEntry& e = s_.ledger.at(id);
      if (matches(e)) out.push_back(e);
      return out.size() < limit;
    };
    // Walks the narrowest index the query names.
    auto walk = [&](const std::set<std::pair<std::uint64_t, std::uint64_t>>& index,
                    std::uint64_t key) {
      for (auto it = index.upper_bound({key, after.value});
           it != index.end() && it->first == key && take(it->second);)
        ++it;
    };
    if (limit == 0) return out;
    if (q.post) {
      walk(s_.ledger_by_post, q.post.value);
    } else if (q.thread) {
      walk(s_.ledger_by_thread, q.thread.value);
    } else if (q.source && q.member) {
      for (auto it = s_.ledger_by_source.upper_bound({q.source.value, q.member.value, after.value});
           it != s_.ledger_by_source.end() && std::get<0>(*it) == q.source.value &&
           std::get<1>(*it) == q.member.value && take(std::get<2>(*it));)
        ++it;
    } else if (q.source) {
      // The source's entries across members, then in id order.
      std::vector<std::uint64_t> ids;
      for (auto it = s_.ledger_by_source.lower_bound({q.source.value, 0, 0});
           it != s_.ledger_by_source.end() && std::get<0>(*it) == q.source.value; ++it)
        if (std::get<2>(*it) > after.value) ids.push_back(std::get<2>(*it));
      std::sort(ids.begin(), ids.end());
      for (const std::uint64_t id : ids)
        if (!take(id)) break;
    } else if (q.member) {
      walk(s_.ledger_by_member, q.member.value);
    } else {
      for (auto it = s_.ledger.upper_bound(after.value); it != s_.ledger.end() && take(it->first);)
        ++it;
    }
    return out;
  }

  result<ReputationTotal> get_reputation_total(SpaceId scope, std::string_view window,
                                               MemberId member) override {
    auto it = s_.totals.find({scope.value, std::string(window), member.value});
    if (it == s_.totals.end()) return errc::not_found;
    return ReputationTotal{scope, std::string(window), member, it->second};
  }

  result<void> put_reputation_total(const ReputationTotal& t) override {
    HEARTH_CHECK(writable());
    put(s_.totals, std::tuple{t.scope.value, t.window, t.member.value}, t.points);
    return {};
  }

  result<std::int64_t> add_reputation_total(SpaceId scope, std::string_view window, MemberId member,
                                            std::int64_t delta) override {
    HEARTH_CHECK(writable());
    const auto key = std::tuple{scope.value, std::string(window), member.value};
    auto it = s_.totals.find(key);
    const std::int64_t sum = (it == s_.totals.end() ? 0 : it->second) + delta;
    put(s_.totals, key, sum);
    return sum;
  }

  result<std::vector<ReputationTotal>> list_reputation_totals(const ReputationTotalKey& after,
                                                              std::uint32_t limit) override {
    std::vector<ReputationTotal> out;
    for (auto it = s_.totals.upper_bound({after.scope.value, after.window, after.member.value});
         it != s_.totals.end() && out.size() < limit; ++it) {
      const auto& [scope, window, member] = it->first;
      out.push_back({SpaceId{scope}, window, MemberId{member}, it->second});
    }
    return out;
  }

  // --- trust ---
  result<MemberActivity> get_member_activity(MemberId member) override {
    return find(s_.activity, member.value);
  }

  result<void> put_member_activity(const MemberActivity& a) override {
    HEARTH_CHECK(writable());
    put(s_.activity, a.member.value, a);
    return {};
  }

  result<ActivityDay> get_activity_day(MemberId member, std::int64_t day) override {
    return find(s_.activity_days, std::pair{member.value, day});
  }

  result<void> put_activity_day(const ActivityDay& d) override {
    HEARTH_CHECK(writable());
    put(s_.activity_days, std::pair{d.member.value, d.day}, d);
    return {};
  }

  result<ActivityCounts> sum_activity_days(MemberId member, std::int64_t from_day,
                                           std::int64_t to_day) override {
    ActivityCounts sum;
    for (auto it = s_.activity_days.lower_bound({member.value, from_day});
         it != s_.activity_days.end() && it->first.first == member.value &&
         it->first.second <= to_day;
         ++it) {
      const ActivityCounts& c = it->second.counts;
      sum.visited += c.visited;
      sum.threads_entered += c.threads_entered;
      sum.posts_read += c.posts_read;
      sum.read_ms += c.read_ms;
      sum.reactions_given += c.reactions_given;
      sum.reactions_received += c.reactions_received;
      sum.replies += c.replies;
    }
    return sum;
  }

  result<bool> insert_thread_entered(MemberId member, ThreadId thread) override {
    HEARTH_CHECK(writable());
    const auto key = std::pair{member.value, thread.value};
    if (s_.threads_entered.count(key)) return false;
    insert(s_.threads_entered, key);
    return true;
  }

  // --- audit log ---
  result<void> insert_audit_entry(AuditEntry& e) override {
    HEARTH_CHECK(writable());
    e.id = s_.audit.empty() ? 1 : s_.audit.rbegin()->first + 1;
    insert(s_.audit_by_space, std::pair{e.space.value, e.id});
    if (e.target_member) insert(s_.audit_by_target, std::pair{e.target_member.value, e.id});
    if (e.actor_kind == AuditActorKind::member && e.actor)
      insert(s_.audit_by_actor, std::pair{e.actor.value, e.id});
    put(s_.audit, e.id, e);
    return {};
  }

  result<std::vector<AuditEntry>> list_audit_entries(const AuditQuery& q, std::uint64_t before_id,
                                                     std::uint32_t limit) override {
    const std::uint64_t before = before_id == 0 ? UINT64_MAX : before_id;
    std::vector<AuditEntry> out;
    // Walks the ids below `before` of one key of `index`, newest first.
    auto walk = [&](const std::set<std::pair<std::uint64_t, std::uint64_t>>& index,
                    std::uint64_t key) {
      auto it = index.lower_bound({key, before});
      while (it != index.begin() && out.size() < limit) {
        --it;
        if (it->first != key) break;
        const AuditEntry& e = s_.audit.at(it->second);
        if (matches(q, e)) out.push_back(e);
      }
    };
    if (q.space) {
      walk(s_.audit_by_space, q.space->value);
    } else if (q.target_member) {
      walk(s_.audit_by_target, q.target_member.value);
    } else if (q.actor) {
      walk(s_.audit_by_actor, q.actor.value);
    } else {
      auto it = s_.audit.lower_bound(before);
      while (it != s_.audit.begin() && out.size() < limit) {
        --it;
        if (matches(q, it->second)) out.push_back(it->second);
      }
    }
    return out;
  }

  // --- reports and the review queue ---
  result<void> insert_report(const Report& r) override {
    HEARTH_CHECK(writable());
    if (s_.reports.count(r.id.value)) return errc::already_exists;
    index(r);
    put(s_.reports, r.id.value, r);
    return {};
  }

  result<void> update_report(const Report& r) override {
    HEARTH_CHECK(writable());
    auto it = s_.reports.find(r.id.value);
    if (it == s_.reports.end()) return errc::not_found;
    unindex(it->second);
    index(r);
    put(s_.reports, r.id.value, r);
    return {};
  }

  result<std::optional<Report>> find_open_report(MemberId reporter, MemberId target_member,
                                                 PostId post) override {
    auto it = s_.open_reports.find({reporter.value, target_member.value, post.value});
    if (it == s_.open_reports.end()) return std::optional<Report>{};
    return std::optional{s_.reports.at(it->second)};
  }

  result<std::vector<Report>> list_item_reports(ReviewItemId item) override {
    std::vector<Report> out;
    for (auto it = s_.reports_by_item.lower_bound({item.value, 0});
         it != s_.reports_by_item.end() && it->first == item.value; ++it)
      out.push_back(s_.reports.at(it->second));
    return out;
  }

  result<std::vector<Report>> list_reports_by(MemberId reporter, ReportId before,
                                              std::uint32_t limit) override {
    std::vector<Report> out;
    auto it =
        s_.reports_by_reporter.lower_bound({reporter.value, before ? before.value : UINT64_MAX});
    while (it != s_.reports_by_reporter.begin() && out.size() < limit) {
      --it;
      if (it->first != reporter.value) break;
      out.push_back(s_.reports.at(it->second));
    }
    return out;
  }

  result<void> insert_review_item(const ReviewItem& i) override {
    HEARTH_CHECK(writable());
    if (s_.review_items.count(i.id.value)) return errc::already_exists;
    if (i.appeal_of && s_.appeals.count(i.appeal_of)) return errc::already_exists;
    index(i);
    put(s_.review_items, i.id.value, i);
    return {};
  }

  result<void> update_review_item(const ReviewItem& i) override {
    HEARTH_CHECK(writable());
    auto it = s_.review_items.find(i.id.value);
    if (it == s_.review_items.end()) return errc::not_found;
    unindex(it->second);
    index(i);
    put(s_.review_items, i.id.value, i);
    return {};
  }

  result<std::optional<ReviewItem>> get_review_item(ReviewItemId id) override {
    auto it = s_.review_items.find(id.value);
    if (it == s_.review_items.end()) return std::optional<ReviewItem>{};
    return std::optional{it->second};
  }

  result<std::optional<ReviewItem>> find_open_review_item(SpaceId space, MemberId target_member,
                                                          PostId post) override {
    auto it = s_.open_items.find({space.value, target_member.value, post.value});
    if (it == s_.open_items.end()) return std::optional<ReviewItem>{};
    return std::optional{s_.review_items.at(it->second)};
  }

  result<std::optional<ReviewItem>> find_appeal(std::uint64_t audit_entry) override {
    auto it = s_.appeals.find(audit_entry);
    if (it == s_.appeals.end()) return std::optional<ReviewItem>{};
    return std::optional{s_.review_items.at(it->second)};
  }

  result<std::vector<ReviewItem>> list_review_queue(SpaceId space, std::uint32_t after_weight,
                                                    ReviewItemId after,
                                                    std::uint32_t limit) override {
    std::vector<ReviewItem> out;
    auto it =
        after ? s_.review_queue.upper_bound({space.value, UINT32_MAX - after_weight, after.value})
              : s_.review_queue.lower_bound({space.value, 0, 0});
    for (; it != s_.review_queue.end() && std::get<0>(*it) == space.value && out.size() < limit;
         ++it)
      out.push_back(s_.review_items.at(std::get<2>(*it)));
    return out;
  }

  // --- moderator notes ---
  result<void> insert_moderator_note(const ModeratorNote& n) override {
    HEARTH_CHECK(writable());
    if (s_.notes.count(n.id.value)) return errc::already_exists;
    insert(s_.notes_by_member, std::tuple{n.space.value, n.member.value, n.id.value});
    put(s_.notes, n.id.value, n);
    return {};
  }

  result<ModeratorNote> get_moderator_note(ModeratorNoteId id) override {
    return find(s_.notes, id.value);
  }

  result<void> delete_moderator_note(ModeratorNoteId id) override {
    HEARTH_CHECK(writable());
    auto it = s_.notes.find(id.value);
    if (it == s_.notes.end()) return errc::not_found;
    erase(s_.notes_by_member,
          std::tuple{it->second.space.value, it->second.member.value, id.value});
    erase(s_.notes, id.value);
    return {};
  }

  result<std::vector<ModeratorNote>> list_moderator_notes(SpaceId space, MemberId member,
                                                          ModeratorNoteId before,
                                                          std::uint32_t limit) override {
    std::vector<ModeratorNote> out;
    auto it = s_.notes_by_member.lower_bound(
        {space.value, member.value, before ? before.value : UINT64_MAX});
    while (it != s_.notes_by_member.begin() && out.size() < limit) {
      --it;
      if (std::get<0>(*it) != space.value || std::get<1>(*it) != member.value) break;
      out.push_back(s_.notes.at(std::get<2>(*it)));
    }
    return out;
  }

  // --- auto-moderation rules ---
  result<AutomodRecord> get_automod_rules(SpaceId space) override {
    return find(s_.automod, space.value);
  }

  result<void> put_automod_rules(const AutomodRecord& r) override {
    HEARTH_CHECK(writable());
    put(s_.automod, r.space.value, r);
    return {};
  }

  result<bool> delete_automod_rules(SpaceId space) override {
    HEARTH_CHECK(writable());
    if (!s_.automod.count(space.value)) return false;
    erase(s_.automod, space.value);
    return true;
  }

  // --- badges ---
  result<bool> insert_badge_grant(BadgeGrant& g) override {
    HEARTH_CHECK(writable());
    auto key = std::tuple{g.member.value, g.badge, g.post.value, g.ordinal};
    if (s_.badge_keys.count(key)) return false;
    g.id = s_.badge_grants.empty() ? 1 : s_.badge_grants.rbegin()->first + 1;
    insert(s_.badge_keys, std::move(key));
    insert(s_.badge_by_member, std::pair{g.member.value, g.id});
    put(s_.badge_grants, g.id, g);
    return true;
  }

  result<std::vector<BadgeGrant>> list_badge_grants(MemberId member, std::uint64_t after,
                                                    std::uint32_t limit) override {
    std::vector<BadgeGrant> out;
    for (auto it = s_.badge_by_member.upper_bound({member.value, after});
         it != s_.badge_by_member.end() && it->first == member.value && out.size() < limit; ++it)
      out.push_back(s_.badge_grants.at(it->second));
    return out;
  }

  result<std::uint64_t> count_badge_grants(MemberId member, std::string_view badge) override {
    std::uint64_t n = 0;
    for (auto it = s_.badge_keys.lower_bound({member.value, std::string(badge), 0, 0});
         it != s_.badge_keys.end() && std::get<0>(*it) == member.value && std::get<1>(*it) == badge;
         ++it)
      ++n;
    return n;
  }

  result<std::int64_t> add_badge_progress(MemberId member, std::string_view counter,
                                          std::int64_t delta) override {
    HEARTH_CHECK(writable());
    const auto key = std::pair{member.value, std::string(counter)};
    auto it = s_.badge_progress.find(key);
    const std::int64_t sum = (it == s_.badge_progress.end() ? 0 : it->second) + delta;
    put(s_.badge_progress, key, sum);
    return sum;
  }

  result<bool> insert_helpful_reply(PostId post, std::string_view kind) override {
    HEARTH_CHECK(writable());
    auto key = std::pair{post.value, std::string(kind)};
    if (s_.helpful_replies.count(key)) return false;
    insert(s_.helpful_replies, std::move(key));
    return true;
  }

  // --- events ---
  result<std::uint64_t> append_event(const Event& e) override {
    HEARTH_CHECK(writable());
    Event stored = e;
    stored.seq = s_.events.size() + 1;
    const bool profile =
        e.actor && (e.type == EventType::member_created || e.type == EventType::member_updated);
    if (profile) s_.profile_events[e.actor.value].push_back(stored.seq);
    s_.events.push_back(std::move(stored));
    undo_.push_back([this, profile, actor = e.actor.value] {
      s_.events.pop_back();
      if (profile) s_.profile_events[actor].pop_back();
    });
    return s_.events.back().seq;
  }

  result<std::uint64_t> redact_member_events(MemberId member, std::string_view payload) override {
    HEARTH_CHECK(writable());
    auto it = s_.profile_events.find(member.value);
    if (it == s_.profile_events.end()) return std::uint64_t{0};
    for (const std::uint64_t seq : it->second) {
      Event& e = s_.events[seq - 1];
      undo_.push_back([this, seq, old = std::move(e.payload)]() mutable {
        s_.events[seq - 1].payload = std::move(old);
      });
      e.payload = std::string(payload);
    }
    return std::uint64_t{it->second.size()};
  }

  result<std::vector<Event>> read_events(std::uint64_t after, std::uint32_t limit) override {
    std::vector<Event> out;
    for (std::uint64_t i = after; i < s_.events.size() && out.size() < limit; ++i)
      out.push_back(s_.events[i]);
    return out;
  }

  result<std::uint64_t> last_event_seq() override { return std::uint64_t{s_.events.size()}; }

 private:
  result<void> writable() {
    if (mode_ != TxMode::write || committed_) {
      failed_ = true;
      return errc::internal;
    }
    return {};
  }

  errc fail(errc e) {
    failed_ = true;
    return e;
  }

  // A notification with its index entries.
  void store(const Notification& n) {
    put(s_.notifications, n.id.value, n);
    insert(s_.inbox, std::pair{n.recipient.value, n.id.value});
    if (n.read) return;
    insert(s_.unread, std::pair{n.recipient.value, n.id.value});
    if (n.kind == NotificationKind::reaction)
      insert(s_.open_reactions, std::tuple{n.recipient.value, n.post.value, n.id.value});
  }
  void unstore(const Notification& n) {
    erase(s_.inbox, std::pair{n.recipient.value, n.id.value});
    erase(s_.unread, std::pair{n.recipient.value, n.id.value});
    erase(s_.open_reactions, std::tuple{n.recipient.value, n.post.value, n.id.value});
    const std::uint64_t id = n.id.value;  // n may be the stored value, which erase moves
    erase(s_.notifications, id);
  }

  void index(const Report& r) {
    if (r.status == ReportStatus::open)
      put(s_.open_reports, std::tuple{r.reporter.value, r.target_member.value, r.post.value},
          r.id.value);
    insert(s_.reports_by_item, std::pair{r.item.value, r.id.value});
    insert(s_.reports_by_reporter, std::pair{r.reporter.value, r.id.value});
  }
  void unindex(const Report& r) {
    if (r.status == ReportStatus::open)
      erase(s_.open_reports, std::tuple{r.reporter.value, r.target_member.value, r.post.value});
    erase(s_.reports_by_item, std::pair{r.item.value, r.id.value});
    erase(s_.reports_by_reporter, std::pair{r.reporter.value, r.id.value});
  }
  void index(const ReviewItem& i) {
    if (i.appeal_of) put(s_.appeals, i.appeal_of, i.id.value);
    if (i.decided) return;
    if (!i.appeal_of)
      put(s_.open_items, std::tuple{i.space.value, i.target_member.value, i.post.value},
          i.id.value);
    insert(s_.review_queue, std::tuple{i.space.value, UINT32_MAX - i.weight, i.id.value});
  }
  void unindex(const ReviewItem& i) {
    if (i.appeal_of) erase(s_.appeals, i.appeal_of);
    if (i.decided) return;
    if (!i.appeal_of)
      erase(s_.open_items, std::tuple{i.space.value, i.target_member.value, i.post.value});
    erase(s_.review_queue, std::tuple{i.space.value, UINT32_MAX - i.weight, i.id.value});
  }

  static std::tuple<std::uint64_t, bool, std::uint64_t, std::uint64_t> activity_key(
      const Thread& t) {
    return {t.space.value, t.pinned, t.last_post.value, t.id.value};
  }

  template <class Map, class Key>
  static result<typename Map::mapped_type> find(const Map& map, const Key& key) {
    auto it = map.find(key);
    if (it == map.end()) return errc::not_found;
    return it->second;
  }

  // Writes that remember how to undo themselves.
  template <class Map, class Key, class Value>
  void put(Map& map, const Key& key, Value&& value) {
    auto it = map.find(key);
    if (it == map.end()) {
      map.emplace(key, std::forward<Value>(value));
      undo_.push_back([&map, key] { map.erase(key); });
    } else {
      undo_.push_back(
          [&map, key, old = std::move(it->second)]() mutable { map[key] = std::move(old); });
      it->second = std::forward<Value>(value);
    }
  }
  template <class Map, class Key>
  void erase(Map& map, const Key& key) {
    auto it = map.find(key);
    if (it == map.end()) return;
    undo_.push_back(
        [&map, key, old = std::move(it->second)]() mutable { map.emplace(key, std::move(old)); });
    map.erase(it);
  }
  template <class Set, class Key>
  void insert(Set& set, Key&& key) {
    auto [it, inserted] = set.insert(std::forward<Key>(key));
    if (inserted) undo_.push_back([&set, k = *it] { set.erase(k); });
  }
  template <class Key, class... Rest>
  void erase(std::set<Key, Rest...>& set, const Key& key) {
    if (set.erase(key)) undo_.push_back([&set, key] { set.insert(key); });
  }

  void rollback() noexcept { undo_to(0); }

  // Undoes the writes after the first `mark`, newest first.
  void undo_to(std::size_t mark) noexcept {
    while (undo_.size() > mark) {
      undo_.back()();
      undo_.pop_back();
    }
  }

  State& s_;
  TxMode mode_;
  std::unique_lock<std::shared_mutex> write_lock_;
  std::shared_lock<std::shared_mutex> read_lock_;
  std::vector<std::function<void()>> undo_;
  bool committed_ = false;
  bool failed_ = false;
  std::optional<std::size_t> mark_;  // undo_'s size at the open savepoint
};

}  // namespace

MemoryStorage::MemoryStorage() : state_(std::make_unique<State>()) {}
MemoryStorage::~MemoryStorage() = default;

result<std::unique_ptr<Transaction>> MemoryStorage::begin(TxMode mode) {
  return std::unique_ptr<Transaction>(std::make_unique<MemoryTransaction>(*state_, mode));
}

}  // namespace hearth
