// The classifier hook (docs/moderation.md, "The classifier hook"): the policy and its
// validation, what each confidence band does, failures and timeouts that never block posting,
// edits, the owner's exemption, and the audit trail.
#include "hearth/moderation/classifier.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>

#include "hearth/moderation/automod.hpp"
#include "support.hpp"

namespace hearth::test {
namespace {

using moderation::Classifier;
using moderation::ClassifierFailure;
using moderation::ClassifierInput;
using moderation::ClassifierPolicy;
using moderation::KeywordClassifier;
using moderation::Label;
using moderation::LabelRule;
using moderation::WordAction;

std::shared_ptr<KeywordClassifier> keywords() {
  return std::make_shared<KeywordClassifier>(
      std::vector<KeywordClassifier::Rule>{{"idiot", "toxicity", 0.95},
                                           {"stupid", "toxicity", 0.7},
                                           {"meh", "toxicity", 0.3},
                                           {"free money", "spam", 0.99},
                                           {"obviously", "sarcasm", 1.0}},
      "toxmodel");
}

// toxicity: held at 0.9 and above, reviewed from 0.6; spam: blocked at 0.9, reviewed from 0.5.
ClassifierPolicy policy(ClassifierFailure on_failure = ClassifierFailure::review) {
  ClassifierPolicy p;
  p.labels = {{"toxicity", 0.9, 0.6, WordAction::require_approval},
              {"spam", 0.9, 0.5, WordAction::block}};
  p.on_failure = on_failure;
  return p;
}

EngineOptions with(std::shared_ptr<Classifier> classifier, ClassifierPolicy p = policy()) {
  EngineOptions o;
  o.classifier = std::move(classifier);
  o.classifier_policy = std::move(p);
  return o;
}

using Moderated = ModeratedGuild;

// A classifier whose model crashes.
class Throwing final : public Classifier {
 public:
  std::string name() const override { return "thrower"; }
  result<std::vector<Label>> classify(const ClassifierInput&) override {
    throw std::runtime_error("model crashed");
  }
};

// Waits (at most 10 s) until `c` has returned from `n` calls, so that no call outlives the test.
void settle(const KeywordClassifier& c, std::uint64_t n) {
  for (int i = 0; i < 1000 && c.calls() < n; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

TEST_CASE("a classifier policy validates with a reason for each refusal", "[classifier]") {
  CHECK(moderation::validate(ClassifierPolicy{}));
  CHECK(moderation::validate(policy()));
  const auto with_rule = [](LabelRule r) {
    ClassifierPolicy p;
    p.labels = {std::move(r)};
    return p;
  };
  ClassifierPolicy repeated = policy();
  repeated.labels.push_back({"spam", 0.8, 0.7, WordAction::review});
  ClassifierPolicy slow;
  slow.timeout_ms = 0;
  ClassifierPolicy slower;
  slower.timeout_ms = 60'001;
  ClassifierPolicy odd;
  odd.on_failure = static_cast<ClassifierFailure>(7);
  const std::pair<ClassifierPolicy, const char*> bad[] = {
      {with_rule({"", 0.9, 0.6}), "labels[0].label: expected 1..64 bytes"},
      {with_rule({"has space", 0.9, 0.6}), "labels[0].label: expected 1..64 bytes"},
      {with_rule({std::string(65, 'x'), 0.9, 0.6}), "labels[0].label: expected 1..64 bytes"},
      {repeated, "labels[2].label: repeated: spam"},
      {with_rule({"x", 0.9, 0.0}), "labels[0]: expected 0 < review_at <= act_at <= 1"},
      {with_rule({"x", 0.5, 0.6}), "labels[0]: expected 0 < review_at <= act_at <= 1"},
      {with_rule({"x", 1.5, 0.6}), "labels[0]: expected 0 < review_at <= act_at <= 1"},
      {with_rule({"x", std::nan(""), 0.6}), "labels[0]: expected 0 < review_at <= act_at <= 1"},
      {with_rule({"x", 0.9, 0.6, WordAction::censor}), "labels[0].action: censor is for words"},
      {slow, "timeout_ms: out of range 1..60000"},
      {slower, "timeout_ms: out of range 1..60000"},
      {odd, "on_failure: out of range"},
  };
  for (const auto& [p, reason] : bad) {
    std::string why;
    INFO(reason);
    CHECK(code_of(moderation::validate(p, &why)) == errc::invalid_argument);
    CHECK(why.find(reason) != std::string::npos);
  }
  CHECK(code_of(Engine::open(with(keywords(), slow))) == errc::invalid_argument);
}

TEST_CASE("the keyword classifier labels by case-insensitive substrings", "[classifier]") {
  auto c = keywords();
  CHECK(c->name() == "toxmodel");
  auto labels = ok(c->classify({{}, {}, {}, "FREE MONEY inside", "you Idiots, stupid"}));
  CHECK(labels == std::vector<Label>{{"toxicity", 0.95}, {"spam", 0.99}});
  CHECK(ok(c->classify({{}, {}, {}, "", "all fine"})).empty());
  c->set_failing(true);
  CHECK(code_of(c->classify({{}, {}, {}, "", "idiot"})) == errc::unavailable);
  CHECK(c->calls() == 3);
}

TEST_CASE("a label at or above act_at takes its rule's action, logged as the classifier",
          "[classifier]") {
  auto c = keywords();
  Moderated m(with(c));
  // block: refused, stored nowhere, one post_blocked entry.
  CHECK(code_of(m->create_thread(m.bo.id, m.guild.id, "Offer", "free money here")) ==
        errc::blocked);
  auto blocked = m.audit(AuditAction::post_blocked);
  REQUIRE(blocked.size() == 1);
  CHECK(blocked[0].actor_kind == AuditActorKind::classifier);
  CHECK(blocked[0].actor_name == "toxmodel");
  CHECK(blocked[0].matched == "spam 0.99");
  CHECK(blocked[0].target_member == m.bo.id);
  CHECK(ok(m->list_threads(m.dee.id, m.guild.id, {"", 50})).items.empty());
  // require_approval: held, and in the queue.
  const auto t = ok(m->create_thread(m.bo.id, m.guild.id, "Hey", "you idiot"));
  CHECK(t.first_post.removed);
  auto queue = m.queue();
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].post == t.first_post.id);
  CHECK(queue[0].source == ReviewSource::auto_moderation);
  CHECK(queue[0].flag == "toxmodel: toxicity 0.95");
  CHECK(ok(m->get_post(m.mo.id, t.first_post.id)).removal_reason ==
        "awaiting review: classifier (toxmodel)");
  auto hidden = m.audit(AuditAction::post_hidden);
  REQUIRE(hidden.size() == 1);
  CHECK(hidden[0].actor_kind == AuditActorKind::classifier);
  CHECK(hidden[0].actor_name == "toxmodel");
  CHECK(hidden[0].matched == "toxicity 0.95");
  // A reply is classified the same way.
  const auto fine = ok(m->create_thread(m.bo.id, m.guild.id, "Hello", "all fine"));
  CHECK(code_of(m->reply(m.dee.id, fine.first_post.id, "FREE MONEY")) == errc::blocked);
  CHECK(ok(m->reply(m.dee.id, fine.first_post.id, "idiot")).removed);
  CHECK(m.queue().size() == 2);
}

TEST_CASE("a label in the review band publishes the post and queues it, below it nothing",
          "[classifier]") {
  auto c = keywords();
  Moderated m(with(c));
  const auto t = ok(m->create_thread(m.bo.id, m.guild.id, "Hmm", "that is stupid"));
  CHECK_FALSE(t.first_post.removed);
  CHECK(ok(m->get_post(m.dee.id, t.first_post.id)).body == "that is stupid");
  auto queue = m.queue();
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].flag == "toxmodel: toxicity 0.70");
  CHECK_FALSE(queue[0].hidden);
  auto flagged = m.audit(AuditAction::post_flagged);
  REQUIRE(flagged.size() == 1);
  CHECK(flagged[0].actor_kind == AuditActorKind::classifier);
  CHECK(flagged[0].actor_name == "toxmodel");
  CHECK(flagged[0].matched == "toxicity 0.70");
  // Below review_at, and a label the policy does not name: nothing.
  CHECK_FALSE(ok(m->reply(m.dee.id, t.first_post.id, "meh")).removed);
  CHECK_FALSE(ok(m->reply(m.dee.id, t.first_post.id, "obviously great")).removed);
  CHECK(m.queue().size() == 1);
  CHECK(m.audit(AuditAction::post_flagged).size() == 1);
  CHECK(c->calls() == 3);
}

TEST_CASE("the strongest of the rules' and the classifier's findings wins", "[classifier]") {
  auto c = keywords();
  Moderated m(with(c));
  moderation::AutomodRules r;
  r.words = {{"offer", WordAction::review}};
  ok(m->set_automod_rules(m.ada.id, m.guild.id, r));
  CHECK(code_of(m->create_thread(m.bo.id, m.guild.id, "x", "offer: free money")) == errc::blocked);
  CHECK(m.audit(AuditAction::post_blocked).at(0).actor_kind == AuditActorKind::classifier);
  r.words = {{"offer", WordAction::block}};
  ok(m->set_automod_rules(m.ada.id, m.guild.id, r));
  CHECK(code_of(m->create_thread(m.bo.id, m.guild.id, "x", "offer: stupid")) == errc::blocked);
  const auto entry = m.audit(AuditAction::post_blocked).at(0);
  CHECK(entry.actor_kind == AuditActorKind::rule);
  CHECK(entry.actor_name == "words");
}

TEST_CASE("a failing classifier never blocks posting: review or publish, per policy",
          "[classifier]") {
  auto c = keywords();
  c->set_failing(true);
  SECTION("on_failure review: published and queued") {
    Moderated m(with(c, policy(ClassifierFailure::review)));
    const auto t = ok(m->create_thread(m.bo.id, m.guild.id, "x", "free money, idiot"));
    CHECK_FALSE(t.first_post.removed);
    auto queue = m.queue();
    REQUIRE(queue.size() == 1);
    CHECK(queue[0].flag == "toxmodel: (classifier failed: unavailable)");
    auto flagged = m.audit(AuditAction::post_flagged);
    REQUIRE(flagged.size() == 1);
    CHECK(flagged[0].actor_kind == AuditActorKind::classifier);
    CHECK(flagged[0].matched == "(classifier failed: unavailable)");
  }
  SECTION("on_failure publish: published and not queued") {
    Moderated m(with(c, policy(ClassifierFailure::publish)));
    const auto t = ok(m->create_thread(m.bo.id, m.guild.id, "x", "free money, idiot"));
    CHECK_FALSE(t.first_post.removed);
    CHECK(m.queue().empty());
    CHECK(m.audit(AuditAction::post_flagged).empty());
  }
}

TEST_CASE("a classifier that throws counts as a failure", "[classifier]") {
  Moderated m(with(std::make_shared<Throwing>()));
  const auto t = ok(m->create_thread(m.bo.id, m.guild.id, "x", "hello"));
  CHECK_FALSE(t.first_post.removed);
  auto queue = m.queue();
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].flag == "thrower: (classifier failed: exception: model crashed)");
  CHECK(m.audit(AuditAction::post_flagged).at(0).actor_kind == AuditActorKind::classifier);
}

TEST_CASE("a slow classifier times out and the post does not wait for it", "[classifier]") {
  auto c = keywords();
  c->set_delay_ms(300);
  ClassifierPolicy p = policy();
  p.timeout_ms = 50;
  {
    Moderated m(with(c, p));
    // "free money" would be blocked, had the answer come in time.
    const auto t = ok(m->create_thread(m.bo.id, m.guild.id, "x", "free money"));
    CHECK_FALSE(t.first_post.removed);
    auto queue = m.queue();
    REQUIRE(queue.size() == 1);
    CHECK(queue[0].flag == "toxmodel: (classifier failed: timeout)");
    // The late answer changes nothing, even once the engine is gone.
  }
  settle(*c, 1);
  REQUIRE(c->calls() == 1);
}

TEST_CASE("posts from several threads at once are each classified", "[classifier]") {
  auto c = keywords();
  c->set_delay_ms(5);
  Moderated m(with(c));
  const auto t = ok(m->create_thread(m.bo.id, m.guild.id, "Hello", "all fine"));
  const Member authors[] = {m.bo, m.dee, m.mo};
  std::vector<std::vector<result<Post>>> got(std::size(authors));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < std::size(authors); ++i)
    threads.emplace_back([&, i] {
      for (int n = 0; n < 4; ++n)
        got[i].push_back(m->reply(authors[i].id, t.first_post.id, n % 2 ? "stupid" : "fine"));
    });
  for (auto& th : threads) th.join();
  for (const auto& replies : got)
    for (std::size_t n = 0; n < replies.size(); ++n) {
      REQUIRE(replies[n]);
      CHECK_FALSE(replies[n]->removed);
    }
  CHECK(c->calls() == 13);
  CHECK(m.queue().size() == 6);
}

TEST_CASE("edits are classified too", "[classifier]") {
  auto c = keywords();
  Moderated m(with(c));
  const auto t = ok(m->create_thread(m.bo.id, m.guild.id, "Hello", "all fine"));
  const auto r = ok(m->reply(m.bo.id, t.first_post.id, "a fine reply"));
  CHECK(code_of(m->edit_post(m.bo.id, r.id, "free money")) == errc::blocked);
  CHECK(ok(m->get_post(m.dee.id, r.id)).body == "a fine reply");
  CHECK_FALSE(ok(m->edit_post(m.bo.id, r.id, "a stupid reply")).removed);
  CHECK(m.queue().at(0).flag == "toxmodel: toxicity 0.70");
  // An edit that changes nothing is not classified.
  const auto calls = c->calls();
  ok(m->edit_post(m.bo.id, r.id, "a stupid reply"));
  CHECK(c->calls() == calls);
  // The title of a first post is classified with its body.
  CHECK(ok(m->edit_post(m.bo.id, t.first_post.id, "all fine", "Idiot")).removed);
  CHECK(ok(m->list_threads(m.dee.id, m.guild.id, {"", 50})).items.empty());
  CHECK(m.audit(AuditAction::post_hidden).at(0).actor_kind == AuditActorKind::classifier);
}

TEST_CASE("the space's owner is not classified", "[classifier]") {
  auto c = keywords();
  Moderated m(with(c));
  const auto t = ok(m->create_thread(m.ada.id, m.guild.id, "Idiot", "free money"));
  CHECK_FALSE(t.first_post.removed);
  CHECK_FALSE(ok(m->reply(m.ada.id, t.first_post.id, "idiot")).removed);
  CHECK_FALSE(ok(m->edit_post(m.ada.id, t.first_post.id, "more free money")).removed);
  CHECK(c->calls() == 0);
  CHECK(m.queue().empty());
  CHECK(code_of(m->reply(m.bo.id, t.first_post.id, "free money")) == errc::blocked);
  CHECK(c->calls() == 1);
}

TEST_CASE("a post refused before the write is not classified", "[classifier]") {
  auto c = keywords();
  Moderated m(with(c));
  CHECK(code_of(m->create_thread(m.cy.id, m.guild.id, "x", "idiot")) == errc::forbidden);
  CHECK(code_of(m->reply(m.bo.id, PostId{999'999}, "idiot")) == errc::not_found);
  const auto t = ok(m->create_thread(m.ada.id, m.guild.id, "Closed", "no replies"));
  ok(m->lock_thread(m.ada.id, t.thread.id, true));
  CHECK(code_of(m->reply(m.bo.id, t.first_post.id, "idiot")) == errc::conflict);
  CHECK(c->calls() == 0);
}

}  // namespace
}  // namespace hearth::test
