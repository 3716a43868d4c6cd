// The protocol's engine methods: one per public engine call (internal).
#pragma once

#include <span>
#include <string_view>

#include <boost/json/value.hpp>

#include "hearth/engine.hpp"
#include "hearth/protocol/session.hpp"
#include "params.hpp"

namespace hearth::protocol::detail {

// One request on its way to the engine: the session's member is the actor or viewer.
struct Call {
  Engine& engine;
  MemberId me;
  Params& params;
  const SessionOptions& options;
};

// What a method answers: a result value, or an engine error, or bad parameters (the message is
// in the Params).
struct Reply {
  boost::json::value value;
  error_code ec;
  bool bad_params = false;
  // For timed_out: the space the call acted in, whose restriction says until when.
  SpaceId where;
};

using Handler = Reply (*)(Call&);

struct Method {
  std::string_view name;
  Handler handler;
};

// Sorted by name.
std::span<const Method> engine_methods();
// Null for a name that is not an engine method.
const Method* find_engine_method(std::string_view name);

}  // namespace hearth::protocol::detail
