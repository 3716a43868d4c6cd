#include "hearth/protocol/json.hpp"

#include <boost/json/parse.hpp>

namespace hearth {

namespace json = boost::json;

namespace {

json::value id(std::uint64_t v) { return json::value(std::to_string(v)); }

template <class Tag>
json::value id(Id<Tag> v) {
  return id(v.value);
}

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

void tag_invoke(const json::value_from_tag&, json::value& jv, Permissions p) {
  json::array a;
  for (unsigned i = 0; i < permission_count; ++i) {
    const auto perm = static_cast<Permission>(i);
    if (p.has(perm)) a.emplace_back(to_string(perm));
  }
  jv = std::move(a);
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Member& m) {
  jv = {{"id", id(m.id)},
        {"handle", m.handle},
        {"display_name", m.display_name},
        {"external_ref", m.external_ref ? json::value(*m.external_ref) : json::value(nullptr)},
        {"bio", m.bio},
        {"created_at", m.created_at},
        {"active", m.active},
        {"erased_at", m.erased_at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Space& s) {
  jv = {{"id", id(s.id)},
        {"parent", id(s.parent)},
        {"kind", to_string(s.kind)},
        {"name", s.name},
        {"description", s.description},
        {"visibility", to_string(s.visibility)},
        {"owner", id(s.owner)},
        {"created_at", s.created_at},
        {"member_count", s.member_count},
        {"thread_count", s.thread_count},
        {"join_policy", to_string(s.join_policy)},
        {"member_cap", s.member_cap},
        {"tags", strings(s.tags)},
        {"reaction_kinds", strings(s.reaction_kinds)},
        {"no_self_reaction", strings(s.no_self_reaction)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const SpaceHit& h) {
  jv = {{"space", json::value_from(h.space)},
        {"last_post", id(h.last_post)},
        {"last_activity_at", h.last_activity_at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Membership& m) {
  jv = {{"space", id(m.space)}, {"member", id(m.member)}, {"joined_at", m.joined_at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Role& r) {
  jv = {{"id", id(r.id)}, {"space", id(r.space)},
        {"name", r.name}, {"permissions", json::value_from(r.permissions)},
        {"rank", r.rank}, {"created_at", r.created_at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const RoleOverride& o) {
  jv = {{"role", id(o.role)},
        {"allow", json::value_from(o.allow)},
        {"deny", json::value_from(o.deny)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Ban& b) {
  jv = {{"space", id(b.space)}, {"member", id(b.member)},     {"issuer", id(b.issuer)},
        {"reason", b.reason},   {"created_at", b.created_at}, {"expires_at", b.expires_at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Sanction& x) {
  jv = {{"id", id(x.id)},
        {"kind", to_string(x.kind)},
        {"member", id(x.member)},
        {"space", id(x.space)},
        {"issuer", id(x.issuer)},
        {"reason", x.reason},
        {"created_at", x.created_at},
        {"expires_at", x.expires_at},
        {"revoked_at", x.revoked_at},
        {"revoked_by", id(x.revoked_by)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Restriction& r) {
  json::value until = nullptr;
  if (r.kind && r.until != 0) until = r.until;
  jv = {{"kind", r.kind ? json::value(to_string(*r.kind)) : json::value(nullptr)},
        {"sanction", id(r.sanction)},
        {"until", std::move(until)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const ReputationEntry& e) {
  jv = {{"id", id(e.id)},     {"member", id(e.member)},        {"scope", id(e.scope)},
        {"delta", e.delta},   {"reason", to_string(e.reason)}, {"note", e.note},
        {"post", id(e.post)}, {"thread", id(e.thread)},        {"source", id(e.source)},
        {"at", e.at},         {"counts_at", e.counts_at},      {"reverses", id(e.reverses)},
        {"capped", e.capped}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const LeaderboardEntry& e) {
  jv = {{"member", id(e.member)}, {"points", e.points}, {"rank", e.rank}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const MemberActivity& a) {
  jv = {{"member", id(a.member)},
        {"level", a.level},
        {"level_by_hand", a.level_by_hand},
        {"days_visited", a.days_visited},
        {"last_visit", a.last_visit},
        {"threads_entered", a.threads_entered},
        {"posts_read", a.posts_read},
        {"read_ms", a.read_ms},
        {"reactions_given", a.reactions_given},
        {"reactions_received", a.reactions_received},
        {"replies", a.replies},
        {"threads_created", a.threads_created},
        {"flags_against", a.flags_against}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Badge& b) {
  jv = {{"id", id(b.grant.id)},     {"member", id(b.grant.member)}, {"badge", b.grant.badge},
        {"title", b.title},         {"description", b.description}, {"tier", to_string(b.tier)},
        {"post", id(b.grant.post)}, {"ordinal", b.grant.ordinal},   {"at", b.grant.at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const AuditEntry& e) {
  jv = {{"id", id(e.id)},
        {"space", id(e.space)},
        {"actor_kind", to_string(e.actor_kind)},
        {"actor", id(e.actor)},
        {"actor_name", e.actor_name},
        {"action", to_string(e.action)},
        {"target", id(e.target_member)},
        {"post", id(e.post)},
        {"thread", id(e.thread)},
        {"role", id(e.role)},
        {"reason", e.reason},
        {"matched", e.matched},
        {"detail", e.detail},
        {"at", e.at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const ModeratorNote& n) {
  jv = {{"id", id(n.id)},         {"space", id(n.space)}, {"member", id(n.member)},
        {"author", id(n.author)}, {"body", n.body},       {"created_at", n.created_at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Report& r) {
  jv = {{"id", id(r.id)},
        {"reporter", id(r.reporter)},
        {"space", id(r.space)},
        {"target", id(r.target_member)},
        {"post", id(r.post)},
        {"reason", to_string(r.reason)},
        {"note", r.note},
        {"weight", r.weight},
        {"item", id(r.item)},
        {"status", to_string(r.status)},
        {"created_at", r.created_at},
        {"decided_at", r.decided_at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const ReviewItem& i) {
  json::object o{{"id", id(i.id)},
                 {"space", id(i.space)},
                 {"source", to_string(i.source)},
                 {"target", id(i.target_member)},
                 {"post", id(i.post)},
                 {"weight", i.weight},
                 {"reports", i.reports},
                 {"hidden", i.hidden},
                 {"claimed_by", id(i.claimed_by)},
                 {"claimed_until", i.claimed_until},
                 {"decided", i.decided},
                 {"decision", nullptr},
                 {"decided_by", id(i.decided_by)},
                 {"reason", i.reason},
                 {"created_at", i.created_at},
                 {"decided_at", i.decided_at},
                 {"flag", i.flag},
                 {"appeal_of", id(i.appeal_of)},
                 {"acted_by", id(i.acted_by)}};
  if (i.decided) o["decision"] = to_string(i.decision);
  jv = std::move(o);
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const ModerationRecord& r) {
  json::object o{
      {"entry", json::value_from(r.entry)}, {"appealable", r.appealable}, {"appeal", nullptr}};
  if (r.appeal) o["appeal"] = json::value_from(*r.appeal);
  jv = std::move(o);
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const ReviewItemDetail& d) {
  jv = {{"item", json::value_from(d.item)}, {"reports", json::value_from(d.reports)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Invite& i) {
  jv = {{"code", i.code},
        {"space", id(i.space)},
        {"creator", id(i.creator)},
        {"created_at", i.created_at},
        {"expires_at", i.expires_at},
        {"max_uses", i.max_uses},
        {"uses", i.uses},
        {"revoked", i.revoked}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const JoinRequest& r) {
  jv = {{"space", id(r.space)},
        {"member", id(r.member)},
        {"message", r.message},
        {"created_at", r.created_at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Thread& t) {
  jv = {{"id", id(t.id)},
        {"space", id(t.space)},
        {"author", id(t.author)},
        {"title", t.title},
        {"first_post", id(t.first_post)},
        {"last_post", id(t.last_post)},
        {"created_at", t.created_at},
        {"last_activity_at", t.last_activity_at},
        {"reply_count", t.reply_count},
        {"deleted", t.deleted},
        {"kind", to_string(t.kind)},
        {"pinned", t.pinned},
        {"locked", t.locked},
        {"archived", t.archived},
        {"accepted_answer", id(t.accepted_answer)},
        {"answered_by_peer", t.answered_by_peer},
        {"participant_count", t.participant_count},
        {"reaction_count", t.reaction_count},
        {"tags", strings(t.tags)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Post& p) {
  json::object reactions;
  for (const auto& r : p.reactions) reactions[r.kind] = r.count;
  jv = {{"id", id(p.id)},
        {"thread", id(p.thread)},
        {"space", id(p.space)},
        {"author", id(p.author)},
        {"reply_to", id(p.reply_to)},
        {"body", p.body},
        {"created_at", p.created_at},
        {"edited_at", p.edited_at},
        {"revision", p.revision},
        {"deleted", p.deleted},
        {"removed", p.removed},
        {"removal_reason", p.removal_reason},
        {"removed_by", id(p.removed_by)},
        {"reactions", std::move(reactions)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Engine::NewThread& t) {
  jv = {{"thread", json::value_from(t.thread)}, {"first_post", json::value_from(t.first_post)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Reaction& r) {
  jv = {{"post", id(r.post)}, {"member", id(r.member)}, {"kind", r.kind}, {"at", r.at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Revision& r) {
  jv = {{"post", id(r.post)}, {"number", r.number},     {"title", r.title},
        {"body", r.body},     {"editor", id(r.editor)}, {"written_at", r.written_at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const SearchHit& h) {
  jv = {{"post", json::value_from(h.post)},
        {"thread", json::value_from(h.thread)},
        {"score", h.score}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Notification& n) {
  jv = {{"id", id(n.id)},
        {"recipient", id(n.recipient)},
        {"kind", to_string(n.kind)},
        {"space", id(n.space)},
        {"thread", id(n.thread)},
        {"post", id(n.post)},
        {"actor", id(n.actor)},
        {"count", n.count},
        {"created_at", n.created_at},
        {"updated_at", n.updated_at},
        {"read", n.read}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const UnreadCounts& u) {
  json::array spaces;
  spaces.reserve(u.spaces.size());
  for (const auto& s : u.spaces)
    spaces.push_back({{"space", id(s.space)},
                      {"posts", s.posts},
                      {"more_posts", s.more_posts},
                      {"notifications", s.notifications}});
  jv = {{"notifications", u.notifications}, {"spaces", std::move(spaces)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Event& e) {
  // The engine writes every payload as a JSON object; should one ever not parse, the client
  // still gets the event, with the payload as a string rather than a frame that cannot be read.
  boost::system::error_code ec;
  json::value payload = json::parse(e.payload, ec);
  if (ec) payload = json::value(e.payload);
  jv = {{"seq", id(e.seq)},     {"type", to_string(e.type)},
        {"space", id(e.space)}, {"actor", id(e.actor)},
        {"at", e.at},           {"payload", std::move(payload)}};
}

namespace moderation {
void tag_invoke(const json::value_from_tag&, json::value& jv, const AutomodRules& r) {
  jv = json::parse(to_json(r));
}
}  // namespace moderation

}  // namespace hearth
