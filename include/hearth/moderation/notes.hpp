// Moderator notes (docs/moderation.md, "Moderator notes"): what the moderators of a space
// write down about a member, for each other, visible to them only.
#pragma once

#include <string>

#include "hearth/id.hpp"
#include "hearth/model.hpp"

namespace hearth {

using ModeratorNoteId = Id<struct ModeratorNoteTag>;

struct ModeratorNote {
  ModeratorNoteId id;
  SpaceId space;    // the notes of a space are for its moderators only
  MemberId member;  // whom it is about
  MemberId author;
  std::string body;  // 1..2,000 code points, line breaks kept
  Timestamp created_at = 0;
};

}  // namespace hearth
