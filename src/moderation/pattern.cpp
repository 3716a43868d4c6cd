#include "hearth/moderation/pattern.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "../text.hpp"

namespace hearth::moderation {
namespace {

// The code point a byte of the text that is not well-formed UTF-8 reads as: above Unicode, so
// that only the sets built by complement (`.`, negated classes, \D \W \S) contain it.
constexpr char32_t invalid_cp = 0x110000;

// The code point of the text at i (an invalid byte is invalid_cp, of length 1).
inline std::size_t text_cp(const unsigned char* p, std::size_t n, std::size_t i,
                           char32_t& cp) noexcept {
  if (p[i] < 0x80) {
    cp = p[i];
    return 1;
  }
  const std::size_t len = detail::decode_utf8(p, n, i, cp);
  if (len != 0) return len;
  cp = invalid_cp;
  return 1;
}

// A word character for \b and \B: an ASCII letter, digit or underscore, or a non-ASCII code
// point outside the blocks of punctuation, symbols and spaces listed in docs/moderation.md.
bool is_word(char32_t cp) noexcept {
  if (cp < 0x80)
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           cp == '_';
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
  if (cp == 0xD7 || cp == 0xF7 || cp == 0x1680 || cp == 0xFEFF || cp >= invalid_cp) return false;
  if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x2E00 && cp <= 0x2E7F) ||
      (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
      (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
      (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
      (cp >= 0x1F000 && cp <= 0x1FAFF))
    return false;
  return true;
}

// The other cases of `cp` under the simple folding docs/moderation.md lists (at most two).
std::size_t case_partners(char32_t cp, std::array<char32_t, 2>& out) noexcept {
  auto one = [&](char32_t other) {
    out[0] = other;
    return std::size_t{1};
  };
  if (cp >= 'A' && cp <= 'Z') return one(cp + 32);
  if (cp >= 'a' && cp <= 'z') return one(cp - 32);
  if (cp < 0xC0) return 0;
  if (cp <= 0xDE) return cp == 0xD7 ? 0 : one(cp + 32);
  if (cp == 0xDF || cp == 0xF7) return 0;
  if (cp <= 0xFE) return one(cp - 32);
  if (cp == 0xFF) return one(0x178);
  if (cp == 0x178) return one(0xFF);
  if (cp < 0x180) {  // Latin Extended-A: alternating capital and small letters
    const bool even_capital = (cp >= 0x100 && cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) ||
                              (cp >= 0x14A && cp <= 0x177);
    const bool odd_capital = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (even_capital) return one(cp % 2 == 0 ? cp + 1 : cp - 1);
    if (odd_capital) return one(cp % 2 == 1 ? cp + 1 : cp - 1);
    return 0;
  }
  if (cp == 0x3A3 || cp == 0x3C2 || cp == 0x3C3) {  // Σ σ ς
    std::size_t k = 0;
    for (const char32_t sigma : {char32_t{0x3A3}, char32_t{0x3C2}, char32_t{0x3C3}})
      if (sigma != cp) out[k++] = sigma;
    return k;
  }
  if (cp >= 0x391 && cp <= 0x3A9) return cp == 0x3A2 ? 0 : one(cp + 32);
  if (cp >= 0x3B1 && cp <= 0x3C9) return one(cp - 32);
  if (cp == 0x386) return one(0x3AC);
  if (cp == 0x3AC) return one(0x386);
  if (cp >= 0x388 && cp <= 0x38A) return one(cp + 37);
  if (cp >= 0x3AD && cp <= 0x3AF) return one(cp - 37);
  if (cp == 0x38C) return one(0x3CC);
  if (cp == 0x3CC) return one(0x38C);
  if (cp == 0x38E || cp == 0x38F) return one(cp + 63);
  if (cp == 0x3CD || cp == 0x3CE) return one(cp - 63);
  if (cp >= 0x400 && cp <= 0x40F) return one(cp + 80);
  if (cp >= 0x410 && cp <= 0x42F) return one(cp + 32);
  if (cp >= 0x430 && cp <= 0x44F) return one(cp - 32);
  if (cp >= 0x450 && cp <= 0x45F) return one(cp - 80);
  return 0;
}
constexpr char32_t fold_first = 'A';   // case_partners() is empty below this
constexpr char32_t fold_last = 0x45F;  // and above this

struct Range {
  char32_t lo;
  char32_t hi;
};
using Ranges = std::vector<Range>;

// Sorts and merges `r` into disjoint, non-adjacent ranges.
void normalize(Ranges& r) {
  std::sort(r.begin(), r.end(), [](const Range& a, const Range& b) { return a.lo < b.lo; });
  std::size_t out = 0;
  for (const Range& x : r) {
    if (out > 0 && x.lo <= r[out - 1].hi + 1)
      r[out - 1].hi = std::max(r[out - 1].hi, x.hi);
    else
      r[out++] = x;
  }
  r.resize(out);
}

// The complement of normalised `r` within [0, invalid_cp].
Ranges complement(const Ranges& r) {
  Ranges out;
  char32_t next = 0;
  for (const Range& x : r) {
    if (x.lo > next) out.push_back({next, x.lo - 1});
    next = x.hi + 1;
  }
  if (next <= invalid_cp) out.push_back({next, invalid_cp});
  return out;
}

void add_case_partners(Ranges& r) {
  const std::size_t given = r.size();
  for (std::size_t i = 0; i < given; ++i) {
    // Partners stay inside [fold_first, fold_last]: a range covering it has them all.
    if (r[i].lo <= fold_first && r[i].hi >= fold_last) continue;
    const char32_t lo = std::max(r[i].lo, fold_first);
    const char32_t hi = std::min(r[i].hi, fold_last);
    for (char32_t cp = lo; cp <= hi; ++cp) {
      std::array<char32_t, 2> partners{};
      const std::size_t k = case_partners(cp, partners);
      for (std::size_t j = 0; j < k; ++j) r.push_back({partners[j], partners[j]});
    }
  }
  normalize(r);
}

Ranges digit_ranges() { return {{'0', '9'}}; }
Ranges word_ranges() { return {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}; }
Ranges space_ranges() {
  return {{0x09, 0x0D},     {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680}, {0x2000, 0x200A},
          {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
}

enum class Op : std::uint8_t {
  ch,     // consumes the code point x
  set,    // consumes a code point of sets[x]
  split,  // continues at x and at y
  jmp,    // continues at x
  begin,  // ^
  end,    // $
  word_boundary,
  not_word_boundary,
  match,
};

struct Inst {
  Op op = Op::match;
  std::uint32_t x = 0;
  std::uint32_t y = 0;
};

// A set of code points: ASCII as a bitmap, the rest as sorted disjoint ranges.
struct CharSet {
  std::array<std::uint64_t, 2> ascii{};
  std::uint32_t first = 0;  // in Program::ranges
  std::uint32_t count = 0;
};

// The parsed pattern. A repeat's max is `unbounded` for * + and {m,}.
enum class Kind : std::uint8_t { ch, set, assertion, concat, alt, repeat };
constexpr std::uint32_t unbounded = std::numeric_limits<std::uint32_t>::max();
struct Node {
  Kind kind = Kind::concat;
  std::uint32_t value = 0;              // ch: the code point; set: its index; assertion: its Op
  std::uint32_t min = 0;                // repeat
  std::uint32_t max = 0;                //
  std::vector<std::uint32_t> children;  // concat, alt; repeat: the one repeated
};

constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

// Recursive descent over the code points of the source. Recursion is one level per group, and
// groups may nest pattern_max_nesting deep, so the depth is bounded whatever the source.
class Parser {
 public:
  Parser(std::u32string source, bool case_insensitive)
      : s_(std::move(source)), case_insensitive_(case_insensitive) {}

  // The root node, or none with error() set.
  std::uint32_t parse() {
    const std::uint32_t root = alternation();
    if (root == none) return none;
    if (i_ < s_.size()) return fail("a ')' has no matching '('");
    return root;
  }

  const char* error() const noexcept { return error_; }
  std::vector<Node>& nodes() noexcept { return nodes_; }
  std::vector<Ranges>& sets() noexcept { return sets_; }

 private:
  std::uint32_t fail(const char* reason) {
    if (error_ == nullptr) error_ = reason;
    return none;
  }
  bool at_end() const noexcept { return i_ >= s_.size(); }
  char32_t peek(std::size_t ahead = 0) const noexcept {
    return i_ + ahead < s_.size() ? s_[i_ + ahead] : char32_t{0xFFFFFFFF};
  }

  std::uint32_t add(Node node) {
    nodes_.push_back(std::move(node));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  std::uint32_t add_set(Ranges r, bool negate) {
    if (case_insensitive_) add_case_partners(r);
    normalize(r);
    if (negate) r = complement(r);
    sets_.push_back(std::move(r));
    return add({Kind::set, static_cast<std::uint32_t>(sets_.size() - 1)});
  }
  std::uint32_t add_char(char32_t cp) {
    std::array<char32_t, 2> partners{};
    if (case_insensitive_ && case_partners(cp, partners) > 0) return add_set({{cp, cp}}, false);
    return add({Kind::ch, static_cast<std::uint32_t>(cp)});
  }

  std::uint32_t alternation() {
    std::vector<std::uint32_t> branches;
    for (;;) {
      const std::uint32_t branch = concatenation();
      if (branch == none) return none;
      branches.push_back(branch);
      if (peek() != '|') break;
      ++i_;
    }
    if (branches.size() == 1) return branches[0];
    return add({Kind::alt, 0, 0, 0, std::move(branches)});
  }

  std::uint32_t concatenation() {
    std::vector<std::uint32_t> items;
    while (!at_end() && peek() != '|' && peek() != ')') {
      std::uint32_t item = atom();
      if (item == none) return none;
      item = quantified(item);
      if (item == none) return none;
      items.push_back(item);
    }
    if (items.size() == 1) return items[0];
    return add({Kind::concat, 0, 0, 0, std::move(items)});
  }

  static bool is_quantifier(char32_t c) noexcept {
    return c == '*' || c == '+' || c == '?' || c == '{';
  }

  std::uint32_t quantified(std::uint32_t item) {
    if (!is_quantifier(peek())) return item;
    std::uint32_t min = 0;
    std::uint32_t max = unbounded;
    const char32_t q = s_[i_++];
    if (q == '+') {
      min = 1;
    } else if (q == '?') {
      max = 1;
    } else if (q == '{') {
      if (!count(min)) return none;
      max = min;
      if (peek() == ',') {
        ++i_;
        max = unbounded;
        if (peek() != '}' && !count(max)) return none;
      }
      if (peek() != '}') return fail("a '{' must begin a count such as {2}, {2,} or {2,5}");
      ++i_;
      if (max != unbounded && min > max) return fail("the counts in {m,n} are out of order");
    }
    if (nodes_[item].kind == Kind::assertion) return fail("an anchor cannot be repeated");
    if (peek() == '?') {
      ++i_;  // lazy: the same span under leftmost-longest matching
    } else if (peek() == '+') {
      return fail("possessive quantifiers are not supported");
    }
    if (is_quantifier(peek())) return fail("a quantifier follows nothing it could repeat");
    return add({Kind::repeat, 0, min, max, {item}});
  }

  // Decimal digits into `out`; fails past pattern_max_repeat.
  bool count(std::uint32_t& out) {
    if (!(peek() >= '0' && peek() <= '9')) {
      fail("a '{' must begin a count such as {2}, {2,} or {2,5}");
      return false;
    }
    std::uint32_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      v = v * 10 + static_cast<std::uint32_t>(s_[i_++] - '0');
      if (v > pattern_max_repeat) {
        fail("a count in {m,n} is over 1000");
        return false;
      }
    }
    out = v;
    return true;
  }

  std::uint32_t atom() {
    const char32_t c = s_[i_++];
    switch (c) {
      case '(':
        return group();
      case '[':
        return char_class();
      case '.':
        return add_set({{0, '\n' - 1}, {'\n' + 1, invalid_cp}}, false);
      case '^':
        return add({Kind::assertion, static_cast<std::uint32_t>(Op::begin)});
      case '$':
        return add({Kind::assertion, static_cast<std::uint32_t>(Op::end)});
      case '\\':
        return escape_atom();
      case '*':
      case '+':
      case '?':
      case '{':
        return fail("a quantifier follows nothing it could repeat");
      case ']':
        return fail("a ']' has no matching '[' (write \\] for the character)");
      case '}':
        return fail("a '}' has no matching '{' (write \\} for the character)");
      default:
        return add_char(c);
    }
  }

  std::uint32_t group() {
    if (peek() == '?') {
      const char32_t kind = peek(1);
      if (kind == '=' || kind == '!' || (kind == '<' && (peek(2) == '=' || peek(2) == '!')))
        return fail("lookahead and lookbehind are not supported");
      if (kind == '<' || kind == 'P' || kind == '\'') return fail("named groups are not supported");
      if (kind == '>') return fail("atomic groups are not supported");
      if (kind != ':') return fail("inline flags and other (? groups are not supported");
      i_ += 2;
    }
    if (++depth_ > pattern_max_nesting) return fail("groups are nested more than 100 deep");
    const std::uint32_t inner = alternation();
    --depth_;
    if (inner == none) return none;
    if (peek() != ')') return fail("a '(' is not closed");
    ++i_;
    return inner;
  }

  // An escape outside a class: a code point, a class (\d ...) or an assertion (\b \B).
  std::uint32_t escape_atom() {
    if (peek() == 'b' || peek() == 'B') {
      const Op op = s_[i_++] == 'b' ? Op::word_boundary : Op::not_word_boundary;
      return add({Kind::assertion, static_cast<std::uint32_t>(op)});
    }
    Ranges set;
    bool negate = false;
    char32_t cp = 0;
    if (!escape(cp, set, negate)) return none;
    if (set.empty()) return add_char(cp);
    return add_set(std::move(set), negate);
  }

  // The escape after a '\': either a code point into `cp`, or a class escape into `set`
  // (with `negate` for \D \W \S).
  bool escape(char32_t& cp, Ranges& set, bool& negate) {
    if (at_end()) {
      fail("the pattern ends with a lone backslash");
      return false;
    }
    const char32_t c = s_[i_++];
    switch (c) {
      case '\\':
      case '.':
      case '*':
      case '+':
      case '?':
      case '(':
      case ')':
      case '[':
      case ']':
      case '{':
      case '}':
      case '|':
      case '^':
      case '$':
      case '/':
      case '-':
        cp = c;
        return true;
      case 'n':
        cp = '\n';
        return true;
      case 't':
        cp = '\t';
        return true;
      case 'r':
        cp = '\r';
        return true;
      case 'f':
        cp = '\f';
        return true;
      case 'v':
        cp = '\v';
        return true;
      case 'x':
        return hex(2, cp);
      case 'u':
        if (peek() == '{') {
          ++i_;
          const std::size_t digits_begin = i_;
          while (i_ < s_.size() && s_[i_] != '}' && i_ - digits_begin < 6) ++i_;
          const std::size_t digits = i_ - digits_begin;
          if (digits == 0 || peek() != '}') return bad_hex();
          i_ = digits_begin;
          if (!hex(digits, cp)) return false;
          ++i_;
        } else if (!hex(4, cp)) {
          return false;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          fail("a \\u escape names a surrogate or no code point");
          return false;
        }
        return true;
      case 'd':
      case 'D':
        set = digit_ranges();
        negate = c == 'D';
        return true;
      case 'w':
      case 'W':
        set = word_ranges();
        negate = c == 'W';
        return true;
      case 's':
      case 'S':
        set = space_ranges();
        negate = c == 'S';
        return true;
      case 'k':
        fail("backreferences are not supported");
        return false;
      case 'p':
      case 'P':
        fail("Unicode property escapes are not supported");
        return false;
      default:
        if (c >= '1' && c <= '9')
          fail("backreferences are not supported");
        else
          fail(
              "an unknown escape (only \\ before punctuation of the syntax, n t r f v x u d D "
              "w W s S b B is allowed)");
        return false;
    }
  }

  bool bad_hex() {
    fail("\\x needs two hex digits, \\u four (or one to six in braces)");
    return false;
  }

  bool hex(std::size_t digits, char32_t& cp) {
    char32_t v = 0;
    for (std::size_t k = 0; k < digits; ++k) {
      const char32_t d = peek();
      std::uint32_t x = 0;
      if (d >= '0' && d <= '9')
        x = d - '0';
      else if (d >= 'a' && d <= 'f')
        x = d - 'a' + 10;
      else if (d >= 'A' && d <= 'F')
        x = d - 'A' + 10;
      else
        return bad_hex();
      v = v * 16 + x;
      ++i_;
    }
    cp = v;
    return true;
  }

  // After the '['.
  std::uint32_t char_class() {
    const bool negate = peek() == '^';
    if (negate) ++i_;
    Ranges set;
    if (peek() == ']') {
      ++i_;
      if (!negate) return fail("an empty class [] matches nothing");
      return add_set({}, true);  // [^]: any code point
    }
    while (!at_end() && peek() != ']') {
      char32_t lo = 0;
      Ranges escaped;
      bool escaped_negate = false;
      if (!class_atom(lo, escaped, escaped_negate)) return none;
      if (!escaped.empty()) {
        if (peek() == '-' && peek(1) != ']' && i_ + 1 < s_.size())
          return fail("a class escape such as \\d cannot bound a range");
        if (escaped_negate) escaped = complement(escaped);
        set.insert(set.end(), escaped.begin(), escaped.end());
        continue;
      }
      if (peek() == '-' && peek(1) != ']' && i_ + 1 < s_.size()) {
        ++i_;
        char32_t hi = 0;
        if (!class_atom(hi, escaped, escaped_negate)) return none;
        if (!escaped.empty()) return fail("a class escape such as \\d cannot bound a range");
        if (hi < lo) return fail("a range in a class is out of order");
        set.push_back({lo, hi});
      } else {
        set.push_back({lo, lo});
      }
    }
    if (at_end()) return fail("a '[' is not closed");
    ++i_;
    return add_set(std::move(set), negate);
  }

  bool class_atom(char32_t& cp, Ranges& set, bool& negate) {
    const char32_t c = s_[i_++];
    if (c != '\\') {
      cp = c;
      return true;
    }
    if (peek() == 'b' || peek() == 'B') {
      fail("a word boundary cannot be inside a class");
      return false;
    }
    return escape(cp, set, negate);
  }

  std::u32string s_;
  bool case_insensitive_;
  std::size_t i_ = 0;
  std::size_t depth_ = 0;
  const char* error_ = nullptr;
  std::vector<Node> nodes_;
  std::vector<Ranges> sets_;
};

// Program size of each node, capped just above the limit so that products cannot overflow.
constexpr std::uint64_t size_cap = pattern_max_instructions + 1;

std::uint64_t program_size(const std::vector<Node>& nodes, std::vector<std::uint64_t>& sizes,
                           std::uint32_t n) {
  const Node& node = nodes[n];
  std::uint64_t size = 0;
  switch (node.kind) {
    case Kind::ch:
    case Kind::set:
    case Kind::assertion:
      size = 1;
      break;
    case Kind::concat:
      for (const std::uint32_t child : node.children) size += program_size(nodes, sizes, child);
      break;
    case Kind::alt:
      for (const std::uint32_t child : node.children) size += program_size(nodes, sizes, child);
      size += 2 * (node.children.size() - 1);  // a split and a jump per extra branch
      break;
    case Kind::repeat: {
      const std::uint64_t s = program_size(nodes, sizes, node.children[0]);
      if (node.max == unbounded)
        size = node.min == 0 ? s + 2 : node.min * s + 1;  // L: split; e; jmp L | e...; split
      else
        size = node.min * s + (node.max - node.min) * (s + 1);  // e...; (split; e)...
      break;
    }
  }
  size = std::min(size, size_cap);
  sizes[n] = size;
  return size;
}

bool nullable(const std::vector<Node>& nodes, std::uint32_t n) {
  const Node& node = nodes[n];
  switch (node.kind) {
    case Kind::ch:
    case Kind::set:
      return false;
    case Kind::assertion:
      return true;
    case Kind::concat:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&](std::uint32_t c) { return nullable(nodes, c); });
    case Kind::alt:
      return std::any_of(node.children.begin(), node.children.end(),
                         [&](std::uint32_t c) { return nullable(nodes, c); });
    case Kind::repeat:
      return node.min == 0 || nullable(nodes, node.children[0]);
  }
  return true;
}

// Emits the program; sizes[] were checked against the limit first, so it stays within it.
// A node of size 0 emits nothing and is skipped, so the work is bounded by the program size.
class Emitter {
 public:
  Emitter(const std::vector<Node>& nodes, const std::vector<std::uint64_t>& sizes,
          std::vector<Inst>& out)
      : nodes_(nodes), sizes_(sizes), out_(out) {}

  void emit(std::uint32_t n) {
    if (sizes_[n] == 0) return;
    const Node& node = nodes_[n];
    switch (node.kind) {
      case Kind::ch:
        push({Op::ch, node.value});
        return;
      case Kind::set:
        push({Op::set, node.value});
        return;
      case Kind::assertion:
        push({static_cast<Op>(node.value)});
        return;
      case Kind::concat:
        for (const std::uint32_t child : node.children) emit(child);
        return;
      case Kind::alt: {
        std::vector<std::uint32_t> jumps;
        for (std::size_t k = 0; k < node.children.size(); ++k) {
          const bool last = k + 1 == node.children.size();
          const std::uint32_t split = last ? none : push({Op::split});
          if (!last) out_[split].x = here();
          emit(node.children[k]);
          if (!last) {
            jumps.push_back(push({Op::jmp}));
            out_[split].y = here();
          }
        }
        for (const std::uint32_t j : jumps) out_[j].x = here();
        return;
      }
      case Kind::repeat:
        repeat(node);
        return;
    }
  }

 private:
  std::uint32_t here() const noexcept { return static_cast<std::uint32_t>(out_.size()); }
  std::uint32_t push(Inst inst) {
    out_.push_back(inst);
    return here() - 1;
  }

  void repeat(const Node& node) {
    const std::uint32_t child = node.children[0];
    const bool empty_child = sizes_[child] == 0;
    if (node.max == unbounded) {
      if (node.min == 0) {
        const std::uint32_t loop = push({Op::split});
        out_[loop].x = here();
        emit(child);
        push({Op::jmp, loop});
        out_[loop].y = here();
        return;
      }
      if (!empty_child)
        for (std::uint32_t k = 0; k + 1 < node.min; ++k) emit(child);
      const std::uint32_t body = here();
      emit(child);
      push({Op::split, body, here() + 1});
      return;
    }
    if (!empty_child)
      for (std::uint32_t k = 0; k < node.min; ++k) emit(child);
    std::vector<std::uint32_t> skips;
    for (std::uint32_t k = node.min; k < node.max; ++k) {
      skips.push_back(push({Op::split}));
      out_[skips.back()].x = here();
      emit(child);
    }
    for (const std::uint32_t s : skips) out_[s].y = here();
  }

  const std::vector<Node>& nodes_;
  const std::vector<std::uint64_t>& sizes_;
  std::vector<Inst>& out_;
};

// Well-formed UTF-8 into code points; false otherwise.
bool decode_source(std::string_view source, std::u32string& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(source.data());
  for (std::size_t i = 0; i < source.size();) {
    char32_t cp = 0;
    const std::size_t len = detail::decode_utf8(p, source.size(), i, cp);
    if (len == 0) return false;
    out.push_back(cp);
    i += len;
  }
  return true;
}

// The first byte of the UTF-8 encoding of cp (valid code points only).
std::uint8_t lead_byte(char32_t cp) noexcept {
  if (cp < 0x80) return static_cast<std::uint8_t>(cp);
  if (cp < 0x800) return static_cast<std::uint8_t>(0xC0 | (cp >> 6));
  if (cp < 0x10000) return static_cast<std::uint8_t>(0xE0 | (cp >> 12));
  return static_cast<std::uint8_t>(0xF0 | (cp >> 18));
}

}  // namespace

struct Pattern::Program {
  std::string source;
  std::vector<Inst> insts;
  std::vector<CharSet> sets;
  std::vector<Range> ranges;  // of the sets, at or above 0x80
  // The bytes a match can begin with (a superset): where the scan may resume when no thread
  // is alive.
  std::array<bool, 256> first_bytes{};
  bool anchored = false;  // every match begins at the start of the text

  bool contains(const CharSet& set, char32_t cp) const noexcept {
    if (cp < 0x80) return (set.ascii[cp >> 6] >> (cp & 63)) & 1u;
    const Range* lo = ranges.data() + set.first;
    const Range* hi = lo + set.count;
    const Range* it =
        std::upper_bound(lo, hi, cp, [](char32_t c, const Range& r) { return c < r.lo; });
    return it != lo && cp <= (it - 1)->hi;
  }

  bool accepts(const Inst& inst, char32_t cp) const noexcept {
    return inst.op == Op::ch ? cp == inst.x : contains(sets[inst.x], cp);
  }

  void add_set(const Ranges& r) {
    CharSet set;
    set.first = static_cast<std::uint32_t>(ranges.size());
    for (const Range& x : r) {
      for (char32_t cp = x.lo; cp <= x.hi && cp < 0x80; ++cp)
        set.ascii[cp >> 6] |= 1ull << (cp & 63);
      if (x.hi >= 0x80) ranges.push_back({std::max(x.lo, char32_t{0x80}), x.hi});
    }
    set.count = static_cast<std::uint32_t>(ranges.size()) - set.first;
    sets.push_back(set);
  }

  // first_bytes and anchored, from the consuming instructions the start reaches without
  // consuming anything.
  void analyse_start() {
    std::vector<char> seen(insts.size(), 0);
    std::vector<std::pair<std::uint32_t, bool>> stack{{0, false}};  // pc, behind a ^
    std::vector<char> seen_behind(insts.size(), 0);
    anchored = true;
    while (!stack.empty()) {
      const auto [pc, behind_begin] = stack.back();
      stack.pop_back();
      std::vector<char>& marks = behind_begin ? seen_behind : seen;
      if (marks[pc]) continue;
      marks[pc] = 1;
      const Inst& inst = insts[pc];
      switch (inst.op) {
        case Op::split:
          stack.push_back({inst.y, behind_begin});
          stack.push_back({inst.x, behind_begin});
          break;
        case Op::jmp:
          stack.push_back({inst.x, behind_begin});
          break;
        case Op::begin:
          stack.push_back({pc + 1, true});
          break;
        case Op::end:
        case Op::word_boundary:
        case Op::not_word_boundary:
          stack.push_back({pc + 1, behind_begin});
          break;
        case Op::match:
          break;  // unreachable without consuming: compile() rejects nullable patterns
        case Op::ch:
          if (!behind_begin) anchored = false;
          first_bytes[lead_byte(inst.x)] = true;
          break;
        case Op::set: {
          if (!behind_begin) anchored = false;
          const CharSet& set = sets[inst.x];
          for (char32_t cp = 0; cp < 0x80; ++cp)
            if ((set.ascii[cp >> 6] >> (cp & 63)) & 1u) first_bytes[cp] = true;
          for (std::uint32_t k = 0; k < set.count; ++k) {
            const Range& r = ranges[set.first + k];
            if (r.hi >= invalid_cp) {  // an invalid byte can be any byte from 0x80
              for (std::size_t b = 0x80; b < 256; ++b) first_bytes[b] = true;
            }
            const char32_t hi = std::min(r.hi, char32_t{0x10FFFF});
            if (r.lo > hi) continue;
            for (std::size_t b = lead_byte(r.lo); b <= lead_byte(hi); ++b) first_bytes[b] = true;
          }
          break;
        }
      }
    }
  }
};

result<Pattern> Pattern::compile(std::string_view source, bool case_insensitive,
                                 std::string* why) noexcept {
  try {
    auto reject = [&](const char* reason) -> result<Pattern> {
      if (why != nullptr) *why = reason;
      return errc::invalid_argument;
    };
    if (source.empty()) return reject("the pattern is empty");
    if (source.size() > pattern_max_bytes) return reject("the pattern is longer than 1000 bytes");
    std::u32string code_points;
    if (!decode_source(source, code_points)) return reject("the pattern is not valid UTF-8");
    Parser parser(std::move(code_points), case_insensitive);
    const std::uint32_t root = parser.parse();
    if (root == none) return reject(parser.error() != nullptr ? parser.error() : "syntax error");
    std::vector<Node>& nodes = parser.nodes();
    std::vector<std::uint64_t> sizes(nodes.size(), 0);
    if (program_size(nodes, sizes, root) + 1 > pattern_max_instructions)
      return reject("the pattern compiles to more than 10000 instructions");
    if (nullable(nodes, root)) return reject("the pattern matches the empty text");

    auto program = std::make_shared<Program>();
    program->source = std::string(source);
    for (const Ranges& r : parser.sets()) program->add_set(r);
    program->insts.reserve(static_cast<std::size_t>(sizes[root]) + 1);
    Emitter(nodes, sizes, program->insts).emit(root);
    program->insts.push_back({Op::match});
    program->analyse_start();

    Pattern pattern;
    pattern.program_ = std::move(program);
    return pattern;
  } catch (const std::exception&) {
    return errc::internal;
  }
}

namespace {

struct Thread {
  std::uint32_t pc;
  std::size_t start;  // byte offset where its match would begin
};

// The threads at one position of the text: a sparse set of the instructions visited while
// following ε-edges (so each is visited once), and the consuming ones, in order of start.
class ThreadList {
 public:
  explicit ThreadList(std::size_t program_size)
      : sparse_(program_size, 0), dense_(program_size, 0) {
    threads_.reserve(program_size);
  }
  bool insert(std::uint32_t pc) noexcept {
    const std::uint32_t k = sparse_[pc];
    if (k < size_ && dense_[k] == pc) return false;
    sparse_[pc] = size_;
    dense_[size_++] = pc;
    return true;
  }
  void clear() noexcept {
    size_ = 0;
    threads_.clear();
  }
  std::vector<Thread>& threads() noexcept { return threads_; }

 private:
  std::vector<std::uint32_t> sparse_;
  std::vector<std::uint32_t> dense_;
  std::uint32_t size_ = 0;
  std::vector<Thread> threads_;
};

// What the assertions see at a position.
struct Context {
  std::size_t pos;
  bool at_end;
  bool prev_word;
  bool next_word;
};

}  // namespace

std::optional<PatternMatch> Pattern::find(std::string_view text) const {
  return find(text, std::numeric_limits<std::uint64_t>::max()).match;
}

Pattern::Bounded Pattern::find(std::string_view text, std::uint64_t max_steps) const {
  if (!program_) return {};
  std::uint64_t steps = 0;
  const Program& prog = *program_;
  const std::vector<Inst>& insts = prog.insts;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();

  ThreadList lists[2] = {ThreadList(insts.size()), ThreadList(insts.size())};
  ThreadList* current = &lists[0];
  ThreadList* next = &lists[1];
  std::vector<std::uint32_t> stack;
  stack.reserve(2 * insts.size() + 1);
  std::optional<PatternMatch> best;

  // Adds the thread at `pc` and every thread it reaches without consuming, at ctx.pos.
  auto add = [&](ThreadList& list, std::uint32_t first_pc, std::size_t start, const Context& ctx) {
    stack.push_back(first_pc);
    while (!stack.empty()) {
      std::uint32_t pc = stack.back();
      stack.pop_back();
      // Follows one path (the first branch of each split) until it consumes, fails or ends.
      for (bool follow = true; follow && list.insert(pc);) {
        ++steps;
        const Inst& inst = insts[pc];
        follow = false;
        switch (inst.op) {
          case Op::ch:
          case Op::set:
            list.threads().push_back({pc, start});
            break;
          case Op::split:
            stack.push_back(inst.y);
            pc = inst.x;
            follow = true;
            break;
          case Op::jmp:
            pc = inst.x;
            follow = true;
            break;
          case Op::begin:
            follow = ctx.pos == 0;
            break;
          case Op::end:
            follow = ctx.at_end;
            break;
          case Op::word_boundary:
            follow = ctx.prev_word != ctx.next_word;
            break;
          case Op::not_word_boundary:
            follow = ctx.prev_word == ctx.next_word;
            break;
          case Op::match:
            // Threads are added in order of start, and positions only grow, so this keeps the
            // earliest start and, for it, the latest end.
            if (!best || start < best->begin || (start == best->begin && ctx.pos > best->end))
              best = PatternMatch{start, ctx.pos};
            break;
        }
        if (follow && inst.op != Op::split && inst.op != Op::jmp) ++pc;  // a passed assertion
      }
    }
  };

  std::size_t pos = 0;
  bool prev_word = false;
  char32_t cp = 0;
  std::size_t len = n > 0 ? text_cp(p, n, 0, cp) : 0;
  for (;;) {
    if (!best && current->threads().empty()) {
      if (prog.anchored && pos > 0) break;
      current->clear();  // its visited instructions may be of another position after a skip
      // Nothing alive: skip to the next code point a match can begin with.
      if (pos < n && !prog.first_bytes[p[pos]]) {
        char32_t last = cp;
        do {
          last = cp;
          pos += len;
          if (pos < n) len = text_cp(p, n, pos, cp);
        } while (pos < n && !prog.first_bytes[p[pos]]);
        prev_word = is_word(last);
      }
      if (pos >= n) break;
    }
    const Context here{pos, pos == n, prev_word, pos < n && is_word(cp)};
    if (!best && (!prog.anchored || pos == 0)) add(*current, 0, pos, here);
    if (pos >= n || (best && current->threads().empty())) break;
    if (current->threads().empty()) {  // nothing begins here: on to the next code point
      prev_word = here.next_word;
      pos += len;
      if (pos < n) len = text_cp(p, n, pos, cp);
      continue;
    }

    const std::size_t after = pos + len;
    char32_t next_cp = 0;
    const std::size_t next_len = after < n ? text_cp(p, n, after, next_cp) : 0;
    const bool word = is_word(cp);
    const Context there{after, after == n, word, after < n && is_word(next_cp)};
    if (steps > max_steps) return {best, true, steps};
    steps += current->threads().size();
    next->clear();
    for (const Thread& t : current->threads()) {
      if (best && t.start > best->begin) break;  // later starts lose to the match found
      if (prog.accepts(insts[t.pc], cp)) add(*next, t.pc + 1, t.start, there);
    }
    std::swap(current, next);
    pos = after;
    cp = next_cp;
    len = next_len;
    prev_word = word;
  }
  return {best, steps > max_steps, steps};
}

const std::string& Pattern::source() const noexcept {
  static const std::string none_source;
  return program_ ? program_->source : none_source;
}

std::size_t Pattern::instructions() const noexcept { return program_ ? program_->insts.size() : 0; }

}  // namespace hearth::moderation
