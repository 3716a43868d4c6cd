// hearth's records as JSON (Boost.JSON customization points): what the protocol sends.
//
// boost::json::value_from(x) works for every record below, for Id<> (a string of decimal
// digits: a 64-bit id does not fit a number JavaScript reads exactly), Permissions (the names of
// its permissions) and Page<T> ({"items": [...], "next_cursor": "..."}). Timestamps are numbers
// of Unix milliseconds. The field names are the C++ member names; docs/protocol.md lists them.
// Requests are read field by field (src/protocol/params.hpp), not converted from JSON wholesale,
// so that each bad field gets its own message.
#pragma once

#include <string>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include "hearth/engine.hpp"
#include "hearth/event.hpp"
#include "hearth/model.hpp"
#include "hearth/permissions.hpp"

namespace hearth {

template <class Tag>
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, Id<Tag> id) {
  jv = std::to_string(id.value);
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, Permissions p);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Member& m);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Space& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const SpaceHit& h);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Membership& m);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Role& r);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const RoleOverride& o);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Ban& b);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Sanction& x);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Restriction& r);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Invite& i);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const JoinRequest& r);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Thread& t);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Post& p);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const Engine::NewThread& t);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Reaction& r);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Revision& r);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const SearchHit& h);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Notification& n);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const UnreadCounts& u);
// An event: {"seq": "17", "type": "reply_created", "space": "…", "actor": "…", "at": ms,
// "payload": {…}} (the payload parsed, as docs/events.md describes it).
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Event& e);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const ReputationEntry& e);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const LeaderboardEntry& e);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const MemberActivity& a);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Badge& b);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const AuditEntry& e);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Report& r);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const ModeratorNote& n);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const ReviewItem& i);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const ModerationRecord& r);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const ReviewItemDetail& d);

template <class T>
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Page<T>& page) {
  boost::json::object o;
  o["items"] = boost::json::value_from(page.items);
  o["next_cursor"] = page.next_cursor;
  jv = std::move(o);
}

namespace moderation {
// The rule set in its JSON format (moderation::to_json; docs/moderation.md, "Auto-moderation").
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const AutomodRules& r);
}  // namespace moderation

}  // namespace hearth
