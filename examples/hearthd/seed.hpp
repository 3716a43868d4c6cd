// The demo community hearthd builds in a new database.
#pragma once

#include <string>

#include "hearth/engine.hpp"

namespace hearthd {

// Builds a small community through the public API: five members (handles ada, bob, cyra,
// dmitri, eun; external references "demo:<handle>"), a community with a Q&A help desk, a guild
// with a raid channel and a private officers' channel, a game-news announcement space, threads,
// replies, reactions and an accepted answer. Fails with the first error, naming the step.
hearth::result<void> seed_demo(hearth::Engine& engine, std::string& failed_step);

}  // namespace hearthd
