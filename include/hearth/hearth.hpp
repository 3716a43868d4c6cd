// All of hearth's core public headers.
#pragma once

#include "hearth/clock.hpp"
#include "hearth/engine.hpp"
#include "hearth/error.hpp"
#include "hearth/event.hpp"
#include "hearth/id.hpp"
#include "hearth/model.hpp"
#include "hearth/moderation/audit.hpp"
#include "hearth/moderation/automod.hpp"
#include "hearth/moderation/classifier.hpp"
#include "hearth/moderation/pattern.hpp"
#include "hearth/moderation/reports.hpp"
#include "hearth/moderation/watchlist.hpp"
#include "hearth/permissions.hpp"
#include "hearth/storage/memory.hpp"
#include "hearth/storage/storage.hpp"
#include "hearth/storage/wrapper.hpp"
