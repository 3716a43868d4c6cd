#include "hearth/moderation/classifier.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <string_view>
#include <thread>
#include <utility>

#include "../rules_json.hpp"

namespace hearth::moderation {
namespace {

using detail::invalid;

bool printable_ascii(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool contains(std::string_view text, std::string_view keyword) noexcept {
  if (keyword.empty()) return false;
  return std::search(text.begin(), text.end(), keyword.begin(), keyword.end(),
                     [](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

}  // namespace

result<void> validate(const ClassifierPolicy& policy, std::string* why) {
  if (policy.labels.size() > classifier_max_labels)
    return invalid(why, "labels: more than " + std::to_string(classifier_max_labels));
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < policy.labels.size(); ++i) {
    const LabelRule& r = policy.labels[i];
    const std::string at = "labels[" + std::to_string(i) + "]";
    if (r.label.empty() || r.label.size() > 64 || !printable_ascii(r.label))
      return invalid(why, at + ".label: expected 1..64 bytes of printable ASCII");
    if (!names.insert(r.label).second) return invalid(why, at + ".label: repeated: " + r.label);
    // Written to refuse NaN too.
    if (!(r.review_at > 0 && r.review_at <= r.act_at && r.act_at <= 1))
      return invalid(why, at + ": expected 0 < review_at <= act_at <= 1");
    if (r.action > WordAction::block) return invalid(why, at + ".action: out of range");
    if (r.action == WordAction::censor)
      return invalid(why, at + ".action: censor is for words and patterns");
  }
  if (policy.timeout_ms < 1 || policy.timeout_ms > classifier_max_timeout_ms)
    return invalid(why, "timeout_ms: out of range 1.." + std::to_string(classifier_max_timeout_ms));
  if (policy.on_failure != ClassifierFailure::publish &&
      policy.on_failure != ClassifierFailure::review)
    return invalid(why, "on_failure: out of range");
  return {};
}

KeywordClassifier::KeywordClassifier(std::vector<Rule> rules, std::string name)
    : rules_(std::move(rules)), name_(std::move(name)) {}

std::string KeywordClassifier::name() const { return name_; }

result<std::vector<Label>> KeywordClassifier::classify(const ClassifierInput& input) {
  struct Count {  // counts the call however it returns
    std::atomic<std::uint64_t>& n;
    ~Count() { n.fetch_add(1); }
  } count{calls_};
  if (const std::int64_t ms = delay_ms_.load(); ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  if (failing_.load()) return errc::unavailable;
  std::vector<Label> out;
  for (const Rule& r : rules_) {
    if (!contains(input.title, r.keyword) && !contains(input.body, r.keyword)) continue;
    auto it =
        std::find_if(out.begin(), out.end(), [&](const Label& l) { return l.name == r.label; });
    if (it == out.end())
      out.push_back({r.label, r.confidence});
    else
      it->confidence = std::max(it->confidence, r.confidence);
  }
  return out;
}

void KeywordClassifier::set_delay_ms(std::int64_t ms) noexcept { delay_ms_.store(ms); }
void KeywordClassifier::set_failing(bool failing) noexcept { failing_.store(failing); }
std::uint64_t KeywordClassifier::calls() const noexcept { return calls_.load(); }

}  // namespace hearth::moderation
