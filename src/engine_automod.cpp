// Auto-moderation (docs/moderation.md, "Auto-moderation"): the rule sets per space, compiled
// once per change, and what they decide for each new post and edit before it commits.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <exception>
#include <future>
#include <thread>

#include "engine_impl.hpp"
#include "hearth/moderation/pattern.hpp"

namespace hearth {

using moderation::AutomodRules;
using moderation::WordAction;

// A space's rule set, compiled. Immutable once built; shared by the threads that post.
struct Engine::Impl::AutomodSet {
  SpaceId space;  // no id: the community's
  AutomodRules rules;
  moderation::Watchlist words;
  std::vector<moderation::Pattern> patterns;
};

// What the rate rules and the duplicate rule remember between posts. In memory, per engine:
// several processes sharing one storage each count their own posts.
struct Engine::Impl::AutomodState {
  struct Recent {
    std::size_t hash = 0;
    SpaceId space;
    Timestamp at = 0;
  };
  static constexpr std::size_t recent_per_member = 16;
  std::mutex mutex;
  // (member, space whose set has slow mode) -> their last post there.
  std::map<std::pair<std::uint64_t, std::uint64_t>, Timestamp> last_post;
  // space whose set limits the space's rate -> its posts of the last minute.
  std::unordered_map<std::uint64_t, std::deque<Timestamp>> space_posts;
  // member -> the normalised texts of their latest posts (a ring of recent_per_member).
  std::unordered_map<std::uint64_t, std::deque<Recent>> recent;
  std::size_t swept_at = 0;  // size of last_post after the latest sweep
};

std::shared_ptr<Engine::Impl::AutomodState> Engine::Impl::make_automod_state() {
  return std::make_shared<AutomodState>();
}

namespace {

constexpr std::size_t matched_max = 200;

// At most matched_max bytes of `s`, cut at a code point boundary.
std::string clip(std::string_view s) {
  if (s.size() <= matched_max) return std::string(s);
  std::size_t n = matched_max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

// `text` with [begin, end) masked as Watchlist::censor masks: each code point a '*', white
// space kept.
void mask(std::string& text, std::size_t begin, std::size_t end) {
  std::string out = text.substr(0, begin);
  for (std::size_t i = begin; i < end;) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    len = std::min(len, end - i);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
      out += static_cast<char>(c);
    else
      out += '*';
    i += len;
  }
  out += text.substr(end);
  text = std::move(out);
}

bool covers(const std::vector<std::string>& domains, std::string_view host) {
  for (const auto& d : domains) {
    if (host.size() < d.size()) continue;
    const std::string_view tail = host.substr(host.size() - d.size());
    if (!std::equal(tail.begin(), tail.end(), d.begin(), d.end(),
                    [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b + 32 : b); }))
      continue;
    if (host.size() == d.size() || host[host.size() - d.size() - 1] == '.') return true;
  }
  return false;
}

struct Finding {
  WordAction action;
  std::string rule;
  std::string matched;
  SpaceId space;
  AuditActorKind actor_kind = AuditActorKind::rule;
};

// Keeps the strongest finding in `best`, and the first censor finding in `censor`.
void consider(std::optional<Finding>& best, std::optional<Finding>& censor, Finding f) {
  if (f.action == WordAction::censor && !censor) censor = f;
  if (!best || f.action > best->action) best = std::move(f);
}

// "toxicity 0.95": a label and its confidence, as the audit log and the review queue show it.
std::string label_text(const moderation::Label& l, double confidence) {
  char number[16];
  std::snprintf(number, sizeof number, "%.2f", confidence);
  return clip(l.name + " " + number);
}

// `s` with each byte outside printable ASCII as '?': an exception's message may hold anything.
std::string printable(std::string s) {
  for (char& c : s)
    if (c < ' ' || c > '~') c = '?';
  return s;
}

// The finding `c` makes under `policy` (none: nothing to act on): the strongest decision of its
// labels, or on failure a review when the policy says so.
std::optional<Finding> classifier_finding(const Engine::Impl::Classified& c,
                                          const moderation::ClassifierPolicy& policy,
                                          SpaceId space) {
  const std::string name = clip(c.name);
  if (c.failed) {
    if (policy.on_failure != moderation::ClassifierFailure::review) return std::nullopt;
    return Finding{WordAction::review, name,
                   clip("(classifier failed: " + printable(c.error) + ")"), space,
                   AuditActorKind::classifier};
  }
  std::optional<Finding> best;
  for (const auto& l : c.labels) {
    const auto rule =
        std::find_if(policy.labels.begin(), policy.labels.end(),
                     [&](const moderation::LabelRule& r) { return r.label == l.name; });
    if (rule == policy.labels.end()) continue;
    // A confidence outside 0..1 is taken at the nearest end; NaN as nothing.
    const double confidence = l.confidence >= 0 ? std::min(l.confidence, 1.0) : 0.0;
    WordAction action;
    if (confidence >= rule->act_at)
      action = rule->action;
    else if (confidence >= rule->review_at)
      action = WordAction::review;
    else
      continue;
    if (!best || action > best->action)
      best = Finding{action, name, label_text(l, confidence), space, AuditActorKind::classifier};
  }
  return best;
}

}  // namespace

Engine::Impl::Classified Engine::Impl::classify(moderation::ClassifierInput input) {
  std::shared_ptr<moderation::Classifier> classifier = options.classifier;
  Classified out;
  try {
    out.name = classifier->name();
  } catch (...) {
    out.name = "classifier";
  }
  std::promise<Classified> promise;
  std::future<Classified> answer = promise.get_future();
  try {
    // The thread owns what it touches: the classifier (shared), the input and the promise.
    std::thread([classifier, input = std::move(input), promise = std::move(promise)]() mutable {
      Classified c;
      try {
        auto labels = classifier->classify(input);
        if (labels) {
          c.labels = std::move(*labels);
        } else {
          c.failed = true;
          const error_code ec = labels.error();
          c.error = ec.category() == hearth_category() ? std::string(error_name(ec)) : ec.message();
        }
      } catch (const std::exception& e) {
        c.failed = true;
        c.error = std::string("exception: ") + e.what();
      } catch (...) {
        c.failed = true;
        c.error = "exception";
      }
      try {
        promise.set_value(std::move(c));
      } catch (...) {  // nothing to tell: the engine treats silence as a timeout
      }
    }).detach();
  } catch (const std::exception&) {  // no thread to be had
    out.failed = true;
    out.error = "no thread";
    return out;
  }
  if (answer.wait_for(std::chrono::milliseconds(options.classifier_policy.timeout_ms)) !=
      std::future_status::ready) {
    out.failed = true;
    out.error = "timeout";
    return out;
  }
  try {
    Classified got = answer.get();
    got.name = std::move(out.name);
    return got;
  } catch (const std::exception&) {  // the thread could not hand its answer over
    out.failed = true;
    out.error = "no answer";
    return out;
  }
}

result<Engine::Impl::AutomodSetPtr> Engine::Impl::automod_set(Transaction& tx, SpaceId space) {
  {
    std::lock_guard lock(automod_mutex);
    if (auto it = automod_sets.find(space.value); it != automod_sets.end()) return it->second;
  }
  AutomodRules rules;
  auto stored = tx.get_automod_rules(space);
  HEARTH_TRY(has, found(stored));
  if (has) {
    auto parsed = moderation::automod_rules_from_json(stored->rules);
    // What the engine stored it validated: a set that no longer reads is a broken invariant
    // (or a newer engine's format), and posting there must not pass unchecked.
    if (!parsed) return errc::internal;
    rules = std::move(*parsed);
  } else if (!space) {
    rules = options.automod;
  }
  AutomodSetPtr set;
  if (!rules.empty()) {
    auto compiled = std::make_shared<AutomodSet>();
    compiled->space = space;
    if (!rules.words.empty()) {
      HEARTH_TRY(words, moderation::Watchlist::build(rules.words));
      compiled->words = std::move(words);
    }
    for (const auto& p : rules.patterns) {
      HEARTH_TRY(pattern, moderation::Pattern::compile(p.regex, p.case_insensitive));
      compiled->patterns.push_back(std::move(pattern));
    }
    if (rules.duplicate_window_ms > 0) track_texts.store(true);
    compiled->rules = std::move(rules);
    set = std::move(compiled);
  }
  std::lock_guard lock(automod_mutex);
  automod_sets.try_emplace(space.value, set);
  return set;
}

result<std::vector<Engine::Impl::AutomodSetPtr>> Engine::Impl::automod_chain(Transaction& tx,
                                                                             SpaceId space) {
  std::vector<AutomodSetPtr> chain;
  for (SpaceId at = space; at;) {
    HEARTH_TRY(set, automod_set(tx, at));
    if (set) {
      chain.push_back(set);
      if (!set->rules.inherit) return chain;
    }
    HEARTH_TRY(f, space_facts(tx, at));
    at = f.parent;
  }
  HEARTH_TRY(community, automod_set(tx, SpaceId{}));
  if (community) chain.push_back(community);
  return chain;
}

result<Engine::Impl::AutomodVerdict> Engine::Impl::automod(WriteContext& ctx, SpaceId space,
                                                           MemberId author, const Standing& st,
                                                           std::string* title, std::string& body,
                                                           bool is_new,
                                                           const Classified* classified) {
  AutomodVerdict v;
  if (st.owner) return v;  // the owner sets the rules
  HEARTH_TRY(chain, automod_chain(ctx.tx, space));
  if (chain.empty() && !classified) return v;

  // What some rules need, read once.
  bool need_roles = false;
  bool need_level = false;
  for (const auto& set : chain) {
    need_roles = need_roles || !set->rules.exempt_roles.empty();
    need_level = need_level || set->rules.links.min_trust_level > 0 ||
                 set->rules.approval_below_trust_level > 0;
  }
  std::vector<RoleId> held;
  if (need_roles) {
    HEARTH_TRY(with_roles, standing(ctx.tx, space, author, true));
    for (const auto& r : with_roles.roles) held.push_back(r.role);
  }
  std::uint8_t level = 0;
  if (need_level) {
    HEARTH_TRY(a, activity_of(ctx.tx, author));
    level = a.level;
  }

  std::optional<Finding> best;
  std::optional<Finding> censor;
  std::uint64_t budget = moderation::automod_pattern_steps;
  std::size_t text_hash = 0;
  bool hashed = false;
  const Timestamp now = ctx.now;
  std::vector<std::string> domains;
  bool domains_read = false;
  for (const auto& set : chain) {
    const AutomodRules& r = set->rules;
    const bool exempt = std::any_of(r.exempt_roles.begin(), r.exempt_roles.end(), [&](RoleId id) {
      return std::find(held.begin(), held.end(), id) != held.end();
    });
    if (exempt) continue;
    const SpaceId at = set->space;

    // Rates first: a refusal there writes nothing.
    if (is_new && (r.slow_mode_ms > 0 || r.space_posts_per_minute > 0)) {
      std::lock_guard lock(automod_state->mutex);
      if (r.slow_mode_ms > 0) {
        auto it = automod_state->last_post.find({author.value, at.value});
        if (it != automod_state->last_post.end() && now - it->second < r.slow_mode_ms)
          return errc::rate_limited;
        v.slow_mode.push_back(at);
      }
      if (r.space_posts_per_minute > 0) {
        auto& q = automod_state->space_posts[at.value];
        while (!q.empty() && now - q.front() >= 60'000) q.pop_front();
        if (q.size() >= r.space_posts_per_minute) return errc::rate_limited;
        v.space_rate.push_back(at);
      }
    }

    // Words and patterns, in the title and the body.
    for (std::string* text : {title, &body}) {
      if (!text) continue;
      if (!r.words.empty()) {
        const auto matches = set->words.find(*text);
        for (const auto& m : matches) {
          const auto& entry = set->words.entries()[m.entry];
          consider(best, censor,
                   {entry.action, "words",
                    clip(std::string_view(*text).substr(m.begin, m.end - m.begin)), at});
        }
      }
      for (std::size_t i = 0; i < set->patterns.size(); ++i) {
        const std::string name = "pattern:" + r.patterns[i].name;
        if (budget == 0) {
          // Out of steps: nobody's post waits on a costly pattern, and none slips past it.
          consider(best, censor,
                   {WordAction::review, name, "(not checked: the step budget ran out)", at});
          break;
        }
        const auto [m, exhausted, steps] = set->patterns[i].find(*text, budget);
        budget = exhausted ? 0 : budget - std::min(budget, steps);
        if (exhausted && !m) {
          consider(best, censor,
                   {WordAction::review, name, "(not checked: the step budget ran out)", at});
          continue;
        }
        if (!m) continue;
        consider(best, censor,
                 {r.patterns[i].action, name,
                  clip(std::string_view(*text).substr(m->begin, m->end - m->begin)), at});
      }
    }

    // Links.
    const auto& links = r.links;
    if (!links.allow.empty() || !links.deny.empty() || links.min_trust_level > 0) {
      if (!domains_read) {
        domains = moderation::link_domains(body);
        if (title)
          for (auto& d : moderation::link_domains(*title)) domains.push_back(std::move(d));
        domains_read = true;
      }
      for (const auto& host : domains) {
        const bool refused = (!links.allow.empty() && !covers(links.allow, host)) ||
                             covers(links.deny, host) || level < links.min_trust_level;
        if (refused) {
          consider(best, censor, {links.action, "links", clip(host), at});
          break;
        }
      }
    }

    // Mentions.
    if (r.max_mentions > 0) {
      const auto handles =
          detail::mentioned_handles(body, options.limits.handle_min, options.limits.handle_max);
      if (handles.size() > r.max_mentions)
        consider(best, censor,
                 {r.mentions_action, "mentions",
                  std::to_string(handles.size()) + " members mentioned", at});
    }

    // Duplicates across spaces.
    if (is_new && r.duplicate_window_ms > 0) {
      if (!hashed) {
        text_hash = std::hash<std::string>{}(moderation::Watchlist::normalize(body));
        hashed = true;
      }
      std::lock_guard lock(automod_state->mutex);
      auto it = automod_state->recent.find(author.value);
      if (it != automod_state->recent.end())
        for (const auto& seen : it->second)
          if (seen.hash == text_hash && seen.space != space &&
              now - seen.at < r.duplicate_window_ms) {
            consider(best, censor, {r.duplicate_action, "duplicates", clip(body), at});
            break;
          }
    }

    // New members.
    if (is_new && r.approval_below_trust_level > 0 && level < r.approval_below_trust_level)
      consider(best, censor,
               {WordAction::require_approval, "trust_level", "trust level " + std::to_string(level),
                at});
  }

  if (classified)
    if (auto f = classifier_finding(*classified, options.classifier_policy, space))
      consider(best, censor, std::move(*f));

  if (is_new && track_texts.load()) {
    if (!hashed) text_hash = std::hash<std::string>{}(moderation::Watchlist::normalize(body));
    v.text_hash = text_hash;
    v.track_text = true;
  }
  if (!best) return v;
  v.action = best->action;
  v.actor_kind = best->actor_kind;
  v.rule = std::move(best->rule);
  v.matched = std::move(best->matched);
  v.rules_space = best->space;
  if (censor && best->action != WordAction::block) {
    v.censored = true;
    v.censor_rule = std::move(censor->rule);
    v.censor_matched = std::move(censor->matched);
    // Every censor rule of the chain masks what it matched.
    for (const auto& set : chain)
      for (std::string* text : {title, &body}) {
        if (!text) continue;
        if (!set->rules.words.empty()) *text = set->words.censor(*text);
        for (std::size_t i = 0; i < set->patterns.size(); ++i) {
          if (set->rules.patterns[i].action != WordAction::censor) continue;
          for (int guard = 0; guard < 1000; ++guard) {
            auto m = set->patterns[i].find(*text);
            if (!m) break;
            mask(*text, m->begin, m->end);
          }
        }
      }
  }
  return v;
}

void Engine::Impl::automod_posted(WriteContext& ctx, const AutomodVerdict& v, MemberId author,
                                  SpaceId space) {
  if (v.slow_mode.empty() && v.space_rate.empty() && !v.track_text) return;
  ctx.on_commit.push_back([this, v, author, space, now = ctx.now] {
    AutomodState& s = *automod_state;
    std::lock_guard lock(s.mutex);
    for (const SpaceId at : v.slow_mode) s.last_post[{author.value, at.value}] = now;
    for (const SpaceId at : v.space_rate) s.space_posts[at.value].push_back(now);
    if (v.track_text) {
      auto& ring = s.recent[author.value];
      ring.push_back({v.text_hash, space, now});
      if (ring.size() > AutomodState::recent_per_member) ring.pop_front();
    }
    // Sweep what no window can still see, once the map has doubled since the last sweep.
    if (s.last_post.size() > 2 * s.swept_at + 1024) {
      std::erase_if(s.last_post, [&](const auto& e) {
        return now - e.second >= moderation::automod_max_window_ms;
      });
      std::erase_if(s.recent, [&](const auto& e) {
        return e.second.empty() || now - e.second.back().at >= moderation::automod_max_window_ms;
      });
      s.swept_at = s.last_post.size();
    }
  });
}

result<void> Engine::Impl::automod_blocked(WriteContext& ctx, const AutomodVerdict& v,
                                           SpaceId space, MemberId author, ThreadId thread,
                                           PostId post) {
  HEARTH_CHECK(audit(ctx, {.space = space,
                           .actor_kind = v.actor_kind,
                           .actor_name = v.rule,
                           .action = AuditAction::post_blocked,
                           .target_member = author,
                           .post = post,
                           .thread = thread,
                           .matched = v.matched}));
  ctx.refusal = errc::blocked;
  return {};
}

Engine::Impl::Hold Engine::Impl::automod_hold(const AutomodVerdict& v) {
  const char* by = v.actor_kind == AuditActorKind::classifier ? "classifier" : "auto-moderation";
  return {"awaiting review: " + std::string(by) + " (" + v.rule + ")",
          ReviewSource::auto_moderation, v.rule, v.matched, v.actor_kind};
}

result<std::optional<Engine::Impl::Hold>> Engine::Impl::hold_of(Transaction& tx, const Standing& st,
                                                                MemberId author,
                                                                const AutomodVerdict& v) {
  if (v.action == WordAction::require_approval) return std::optional{automod_hold(v)};
  HEARTH_TRY(first, held_for_review(tx, st, author));
  if (!first) return std::optional<Hold>{};
  return std::optional{Hold{
      "awaiting review: a new member's first posts", ReviewSource::first_post, "first_posts", {}}};
}

result<void> Engine::Impl::automod_applied(WriteContext& ctx, const AutomodVerdict& v,
                                           const Post& p, bool held) {
  if (v.censored)
    HEARTH_CHECK(audit(ctx, {.space = p.space,
                             .actor_kind = AuditActorKind::rule,
                             .actor_name = v.censor_rule,
                             .action = AuditAction::post_censored,
                             .target_member = p.author,
                             .post = p.id,
                             .thread = p.thread,
                             .matched = v.censor_matched}));
  if (held || v.action != WordAction::review) return {};
  // Published, and put in front of a moderator: the post's open item gains the flag, or a new
  // one is queued.
  HEARTH_TRY(open, ctx.tx.find_open_review_item(p.space, p.author, p.id));
  ReviewItem item;
  if (open) {
    item = std::move(*open);
    ++item.weight;
    item.flag = v.rule + ": " + v.matched;
    HEARTH_CHECK(ctx.tx.update_review_item(item));
  } else {
    item.id = ids.next_as<ReviewItemId>();
    item.space = p.space;
    item.source = ReviewSource::auto_moderation;
    item.target_member = p.author;
    item.post = p.id;
    item.weight = 1;
    item.created_at = ctx.now;
    item.flag = v.rule + ": " + v.matched;
    HEARTH_CHECK(ctx.tx.insert_review_item(item));
  }
  return audit(ctx, {.space = p.space,
                     .actor_kind = v.actor_kind,
                     .actor_name = v.rule,
                     .action = AuditAction::post_flagged,
                     .target_member = p.author,
                     .post = p.id,
                     .thread = p.thread,
                     .matched = v.matched});
}

// --- the rule sets -------------------------------------------------------------------------

namespace {

std::string set_detail(SpaceId space) { return detail::Payload().id("space", space.value).done(); }

}  // namespace

result<void> Engine::Impl::store_automod(WriteContext& ctx, MemberId actor, SpaceId space,
                                         const AutomodRules& rules) {
  if (rules.empty()) {
    HEARTH_CHECK(ctx.tx.delete_automod_rules(space));
  } else {
    HEARTH_CHECK(ctx.tx.put_automod_rules({space, moderation::to_json(rules), actor, ctx.now}));
  }
  HEARTH_CHECK(audit(ctx, {.space = space,
                           .actor_kind = actor ? AuditActorKind::member : AuditActorKind::host,
                           .actor = actor,
                           .action = AuditAction::automod_rules_set,
                           .detail = set_detail(space)}));
  ctx.on_commit.push_back([this, space] {
    std::lock_guard lock(automod_mutex);
    automod_sets.erase(space.value);
  });
  return {};
}

result<void> Engine::set_automod_rules(MemberId actor, SpaceId space, const AutomodRules& rules) {
  if (!space) return errc::invalid_argument;
  HEARTH_CHECK(moderation::validate(rules));
  return impl_->write([&](WriteContext& ctx) -> result<void> {
    HEARTH_CHECK(impl_->active_member(ctx.tx, actor));
    HEARTH_CHECK(impl_->require(ctx.tx, space, actor, Permission::manage_space));
    return impl_->store_automod(ctx, actor, space, rules);
  });
}

result<void> Engine::set_community_automod_rules(const AutomodRules& rules) {
  HEARTH_CHECK(moderation::validate(rules));
  return impl_->write([&](WriteContext& ctx) -> result<void> {
    return impl_->store_automod(ctx, MemberId{}, SpaceId{}, rules);
  });
}

result<AutomodRules> Engine::automod_rules(MemberId viewer, SpaceId space) {
  return impl_->read([&](Transaction& tx) -> result<AutomodRules> {
    if (space) {
      HEARTH_CHECK(impl_->active_member(tx, viewer));
      HEARTH_TRY(st, impl_->access(tx, space, viewer, Impl::Access::read));
      if (!st.perms.has(Permission::manage_space) && !st.perms.has(Permission::review_reports))
        return errc::forbidden;
    } else if (viewer) {
      return errc::forbidden;  // the community's set is the host's to read
    }
    auto stored = tx.get_automod_rules(space);
    HEARTH_TRY(has, found(stored));
    if (!has) return space ? AutomodRules{} : impl_->options.automod;
    auto parsed = moderation::automod_rules_from_json(stored->rules);
    if (!parsed) return errc::internal;
    return std::move(*parsed);
  });
}

}  // namespace hearth
