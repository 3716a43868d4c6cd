// The classifier hook of auto-moderation (docs/moderation.md, "The classifier hook"): a model or
// service the host plugs in (a toxicity model, a spam service). The engine passes it each new
// post and edit, reads back labels with confidences, and a policy maps them to an action. A
// classifier that fails or is too slow never blocks posting: the policy says whether the post
// then goes to review or through.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "hearth/error.hpp"
#include "hearth/id.hpp"
#include "hearth/moderation/watchlist.hpp"

namespace hearth::moderation {

// What the engine asks about: the text as it would be stored (cleaned, not yet censored).
struct ClassifierInput {
  SpaceId space;    // where the post goes
  MemberId author;  //
  PostId post;      // the edited post; no id for a new post
  // The thread's title: a new thread's, or the title an edit of a first post sets (or keeps).
  // Empty for a reply and for an edit of a reply.
  std::string title;
  std::string body;
  bool edit = false;
};

// One judgement of a classifier: a label of its own vocabulary ("toxicity", "spam") and how sure
// it is, from 0 to 1.
struct Label {
  std::string name;
  double confidence = 0;
  friend bool operator==(const Label&, const Label&) = default;
};

// The host's classifier, held by shared_ptr: a call that times out keeps its own reference
// until it returns, so the classifier may outlive the engine.
class Classifier {
 public:
  virtual ~Classifier() = default;
  // The audit log's actor_name for what this classifier decides. Called once per post, on the
  // posting thread; must not block.
  virtual std::string name() const = 0;
  // The labels `input` earns; labels the policy does not name are ignored, and an empty list
  // means nothing to report. May block (a network call): the engine waits at most
  // ClassifierPolicy::timeout_ms, then drops the late result. MUST be safe to call from several
  // threads at once, and MUST NOT call the engine. An error, or an exception (the engine catches
  // it), counts as a failure.
  virtual result<std::vector<Label>> classify(const ClassifierInput& input) = 0;
};

// What one label leads to. With c the label's confidence: act_at <= c: `action`;
// review_at <= c < act_at: review (published, and queued for a moderator); c < review_at:
// nothing.
struct LabelRule {
  std::string label;  // 1..64 bytes of printable ASCII, distinct in the policy
  double act_at = 0.9;
  double review_at = 0.6;                            // 0 < review_at <= act_at <= 1
  WordAction action = WordAction::require_approval;  // review, require_approval or block
  friend bool operator==(const LabelRule&, const LabelRule&) = default;
};

// What happens to a post when the classifier fails (an error, an exception, a timeout).
enum class ClassifierFailure : std::uint8_t {
  publish,  // as if it found nothing
  review,   // published, and queued for a moderator
};

inline constexpr std::size_t classifier_max_labels = 64;
inline constexpr std::int64_t classifier_max_timeout_ms = 60'000;

struct ClassifierPolicy {
  std::vector<LabelRule> labels;  // at most classifier_max_labels
  // How long a post waits for the classifier, in ms of wall time: 1..classifier_max_timeout_ms.
  std::int64_t timeout_ms = 500;
  ClassifierFailure on_failure = ClassifierFailure::review;
  friend bool operator==(const ClassifierPolicy&, const ClassifierPolicy&) = default;
};

// invalid_argument, with one sentence naming the field in *why, when a label is malformed or
// repeated, its thresholds are out of order or outside (0, 1], its action is censor, or the
// timeout or on_failure is out of range.
result<void> validate(const ClassifierPolicy& policy, std::string* why = nullptr);

// The deterministic classifier for tests and demos: each rule whose keyword occurs in the title
// or the body (ASCII case-insensitive, as a substring) gives its label its confidence; a label
// several rules give gets the highest. Optionally sleeps before answering, or fails
// (errc::unavailable). Thread-safe: the switches are atomics, the rules immutable.
class KeywordClassifier final : public Classifier {
 public:
  struct Rule {
    std::string keyword;
    std::string label;
    double confidence = 1;
  };
  explicit KeywordClassifier(std::vector<Rule> rules, std::string name = "keywords");

  std::string name() const override;
  result<std::vector<Label>> classify(const ClassifierInput& input) override;

  // Each classify() first sleeps this long (0: not at all).
  void set_delay_ms(std::int64_t ms) noexcept;
  // While on, classify() fails with errc::unavailable (after its delay).
  void set_failing(bool failing) noexcept;
  // How many classify() calls have returned, however they ended.
  std::uint64_t calls() const noexcept;

 private:
  std::vector<Rule> rules_;
  std::string name_;
  std::atomic<std::int64_t> delay_ms_{0};
  std::atomic<bool> failing_{false};
  std::atomic<std::uint64_t> calls_{0};
};

}  // namespace hearth::moderation
