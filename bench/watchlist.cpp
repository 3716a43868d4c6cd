// Watched-words throughput (docs/moderation.md): a list of --entries watched words (the LDNOOBW
// lists under shared/data/wordlists, read at run time, padded with generated pseudo-words)
// scanned over post bodies (shared/data/stackexchange-*/Posts.xml, repeated to --mb megabytes)
// one post at a time with Watchlist::find. Then the same list as one std::regex alternation
// (ECMAScript, icase, \b around whole-word entries) over the first --regex-kb kilobytes of the
// same posts, and the matcher over that same sample. Prints one JSON line per measurement;
// MB is 10^6 bytes, mb_per_s is over this thread's CPU time (mb_per_s_wall over the wall clock,
// lower when other processes share the core).
//   hearth_bench_watchlist [--entries N] [--mb M] [--regex-kb K] [--data DIR]

// libstdc++ refuses a regex of more than 100,000 NFA states; 10,000 alternatives need more.
#define _GLIBCXX_REGEX_STATE_LIMIT 10'000'000
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "hearth/moderation/watchlist.hpp"
#include "text.hpp"  // append_utf8

namespace {

using namespace hearth::moderation;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of this thread: the figure that does not count time other processes took the core.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A small deterministic generator (xorshift64*), so runs compare.
struct Random {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

// English-looking pseudo-words: 2..4 syllables of consonant clusters and vowels.
std::string pseudo_word(Random& r) {
  static const char* const onsets[] = {"b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",
                                       "m",  "n",  "p",  "r",  "s",  "t",  "v",  "w",  "z",
                                       "br", "cl", "dr", "fl", "gr", "pl", "st", "th", "sh"};
  static const char* const vowels[] = {"a", "e", "i", "o", "u", "ea", "ou", "ai", "y"};
  static const char* const codas[] = {"", "", "", "n", "r", "s", "t", "l", "m", "ck", "nd"};
  std::string w;
  const std::size_t syllables = 2 + r.below(3);
  for (std::size_t k = 0; k < syllables; ++k) {
    w += onsets[r.below(std::size(onsets))];
    w += vowels[r.below(std::size(vowels))];
    w += codas[r.below(std::size(codas))];
  }
  return w;
}

// XML and HTML character references: the named ones posts use, and numeric ones.
std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::size_t semi = s.find(';', i);
    if (s[i] != '&' || semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    const std::string_view name = s.substr(i + 1, semi - i - 1);
    unsigned long cp = 0;
    if (name == "lt")
      cp = '<';
    else if (name == "gt")
      cp = '>';
    else if (name == "amp")
      cp = '&';
    else if (name == "quot")
      cp = '"';
    else if (name == "apos")
      cp = '\'';
    else if (name == "nbsp")
      cp = 0xA0;
    else if (name.size() > 1 && name[0] == '#')
      cp = name[1] == 'x' ? std::strtoul(std::string(name.substr(2)).c_str(), nullptr, 16)
                          : std::strtoul(std::string(name.substr(1)).c_str(), nullptr, 10);
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out += s[i];
      continue;
    }
    hearth::detail::append_utf8(out, static_cast<std::uint32_t>(cp));
    i = semi;
  }
  return out;
}

// The post bodies of a Stack Exchange dump, as text: attribute unescaped, HTML tags dropped.
std::vector<std::string> load_posts(const fs::path& file) {
  std::vector<std::string> posts;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    const std::size_t at = line.find(" Body=\"");
    if (at == std::string::npos) continue;
    const std::size_t begin = at + 7;
    const std::size_t end = line.find('"', begin);
    if (end == std::string::npos) continue;
    const std::string html = unescape(std::string_view(line).substr(begin, end - begin));
    std::string text;
    bool in_tag = false;
    for (const char c : html) {
      if (c == '<') in_tag = true;
      if (!in_tag) text += c;
      if (c == '>') {
        in_tag = false;
        text += ' ';
      }
    }
    text = unescape(text);
    if (!text.empty()) posts.push_back(std::move(text));
  }
  return posts;
}

std::vector<std::string> generated_posts(Random& r) {
  static const char* const common[] = {"the",   "of",    "and",   "to",   "in",   "is",   "that",
                                       "for",   "it",    "with",  "as",   "was",  "on",   "be",
                                       "by",    "this",  "are",   "or",   "from", "at",   "bike",
                                       "wheel", "chain", "brake", "ride", "tyre", "gear", "frame"};
  std::vector<std::string> posts;
  for (int p = 0; p < 2000; ++p) {
    std::string text;
    const std::size_t words = 40 + r.below(300);
    for (std::size_t w = 0; w < words; ++w) {
      if (w) text += (r.below(12) == 0) ? ". " : " ";
      text += r.below(5) == 0 ? pseudo_word(r) : common[r.below(std::size(common))];
    }
    posts.push_back(std::move(text) + ".");
  }
  return posts;
}

std::string regex_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (std::strchr("\\^$.|?*+()[]{}/", c) && c != '\0') out += '\\';
    out += c;
  }
  return out;
}

struct Scan {
  std::size_t bytes = 0;
  std::size_t matches = 0;
  double seconds = 0;      // wall clock
  double cpu_seconds = 0;  // this thread's CPU time
  double best_pass = 0;    // MB/s of the fastest pass over the posts (CPU time)
};

// Whole passes over `posts`, one find() per post, until `target` bytes are scanned (at least
// one pass, the last one cut short).
Scan scan_matcher(const Watchlist& list, const std::vector<std::string>& posts,
                  std::size_t target) {
  Scan s;
  const auto start = Clock::now();
  while (s.bytes < target) {
    const double cpu = cpu_seconds();
    std::size_t bytes = 0;
    for (std::size_t k = 0; k < posts.size() && s.bytes + bytes < target; ++k) {
      s.matches += list.find(posts[k]).size();
      bytes += posts[k].size();
    }
    const double spent = cpu_seconds() - cpu;
    s.cpu_seconds += spent;
    s.best_pass = std::max(s.best_pass, static_cast<double>(bytes) / 1e6 / spent);
    s.bytes += bytes;
  }
  s.seconds = seconds_since(start);
  return s;
}

void print(const char* bench, std::size_t entries, const Scan& s, const char* extra) {
  const auto mb = static_cast<double>(s.bytes) / 1e6;
  std::printf(
      "{\"bench\": \"%s\", \"entries\": %zu, \"bytes_scanned\": %zu, \"seconds\": %.6f, "
      "\"cpu_seconds\": %.6f, \"mb_per_s\": %.6g, \"mb_per_s_wall\": %.6g, "
      "\"mb_per_s_best_pass\": %.6g, \"matches\": %zu%s}\n",
      bench, entries, s.bytes, s.seconds, s.cpu_seconds, mb / s.cpu_seconds, mb / s.seconds,
      s.best_pass ? s.best_pass : mb / s.cpu_seconds, s.matches, extra);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t entries = 10'000;
  double mb = 24;
  double regex_kb = 64;
  fs::path data = fs::path(HEARTH_SOURCE_DIR) / ".." / "shared" / "data";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--entries")
      entries = std::strtoul(argv[i + 1], nullptr, 10);
    else if (flag == "--mb")
      mb = std::strtod(argv[i + 1], nullptr);
    else if (flag == "--regex-kb")
      regex_kb = std::strtod(argv[i + 1], nullptr);
    else if (flag == "--data")
      data = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  Random r;

  // The list: every LDNOOBW language, then pseudo-words up to `entries`.
  std::vector<WatchedWord> words;
  std::set<std::string> seen;
  const fs::path lists = data / "wordlists" / "ldnoobw";
  std::vector<fs::path> files;
  if (fs::is_directory(lists))
    for (const auto& f : fs::directory_iterator(lists))
      if (f.path().filename() != "LICENSE" && f.path().filename() != "README.md")
        files.push_back(f.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line) && words.size() < entries;) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line.empty() || line.size() > watchlist_max_pattern_bytes ||
          Watchlist::normalize(line).empty() || !seen.insert(line).second)
        continue;
      words.push_back({line, WordAction::block, true});
    }
  }
  const std::size_t from_lists = words.size();
  while (words.size() < entries) {
    std::string w = pseudo_word(r);
    if (!seen.insert(w).second) continue;
    // One in ten matches inside words too, as a list with stems would.
    const bool whole = words.size() % 10 != 0;
    words.push_back({std::move(w), WordAction::review, whole});
  }

  // The text: Stack Exchange post bodies, or generated ones.
  std::vector<std::string> posts;
  for (const char* site : {"stackexchange-bicycles-meta", "stackexchange-conlang-meta"}) {
    const fs::path file = data / site / "Posts.xml";
    if (!fs::exists(file)) continue;
    auto more = load_posts(file);
    posts.insert(posts.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
  }
  const bool real_posts = !posts.empty();
  if (!real_posts) posts = generated_posts(r);
  std::size_t distinct = 0;
  for (const std::string& p : posts) distinct += p.size();

  auto start = Clock::now();
  auto built = Watchlist::build(words);
  const double build_seconds = seconds_since(start);
  if (!built) {
    std::fprintf(stderr, "build failed: %s\n", built.error().message().c_str());
    return 1;
  }
  const Watchlist& list = *built;
  // The matcher must find what it was given, in a sentence and disguised.
  const std::string probe = "one " + words.front().pattern + " two";
  if (list.find(probe).empty() || list.find("x " + words.back().pattern + " y").empty()) {
    std::fprintf(stderr, "the matcher missed a listed word\n");
    return 1;
  }

  const auto target = static_cast<std::size_t>(mb * 1e6);
  scan_matcher(list, posts, std::min<std::size_t>(target, 2'000'000));  // warm up
  const Scan matcher = scan_matcher(list, posts, target);
  char extra[512];
  std::snprintf(extra, sizeof extra,
                ", \"entries_from_lists\": %zu, \"pseudo_words\": %zu, \"lists\": \"%s\", "
                "\"text\": \"%s\", \"distinct_text_bytes\": %zu, \"build_seconds\": %.3f, "
                "\"automaton_bytes\": %zu",
                from_lists, words.size() - from_lists,
                from_lists ? "ldnoobw (all languages)" : "absent: all entries generated",
                real_posts ? "stackexchange Posts.xml bodies" : "absent: generated posts", distinct,
                build_seconds, list.memory_bytes());
  print("watchlist_find", words.size(), matcher, extra);

  if (regex_kb <= 0) return 0;
  // std::regex: one alternation of the same list.
  std::string whole, inside;
  for (const WatchedWord& w : words) {
    std::string& alt = w.whole_word ? whole : inside;
    if (!alt.empty()) alt += '|';
    alt += regex_escape(w.pattern);
  }
  std::string pattern = "\\b(?:" + whole + ")\\b";
  if (!inside.empty()) pattern += "|(?:" + inside + ")";
  start = Clock::now();
  const std::regex re(pattern, std::regex::ECMAScript | std::regex::icase);
  const double regex_build = seconds_since(start);
  const auto regex_target = static_cast<std::size_t>(regex_kb * 1e3);
  Scan rx;
  start = Clock::now();
  const double cpu = cpu_seconds();
  for (std::size_t k = 0; rx.bytes < regex_target; k = (k + 1) % posts.size()) {
    const std::string& p = posts[k];
    rx.matches += static_cast<std::size_t>(
        std::distance(std::sregex_iterator(p.begin(), p.end(), re), std::sregex_iterator()));
    rx.bytes += p.size();
  }
  rx.cpu_seconds = cpu_seconds() - cpu;
  rx.seconds = seconds_since(start);
  std::snprintf(extra, sizeof extra,
                ", \"build_seconds\": %.3f, \"note\": \"libstdc++ NFA state limit raised from "
                "100000 to 10000000 to compile the list\"",
                regex_build);
  print("std_regex_alternation", words.size(), rx, extra);
  const Scan same = scan_matcher(list, posts, regex_target);
  std::snprintf(extra, sizeof extra, ", \"speedup_over_std_regex\": %.1f",
                (static_cast<double>(same.bytes) / same.cpu_seconds) /
                    (static_cast<double>(rx.bytes) / rx.cpu_seconds));
  print("watchlist_find_regex_sample", words.size(), same, extra);
  return 0;
}
