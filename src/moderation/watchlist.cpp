#include "hearth/moderation/watchlist.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <new>
#include <tuple>
#include <utility>

#include "../text.hpp"

namespace hearth::moderation {
namespace {

// What a code point is to the normaliser. `ascii`: it folds to one ASCII character and is then
// treated as that character (fullwidth letters, Latin letters with diacritics, look-alikes).
enum Kind : std::uint8_t {
  letter = 0,
  digit = 1,
  leet = 2,  // '@', '$', '!': a letter inside a word that has one, punctuation elsewhere
  punct = 3,
  space = 4,
  ignore = 5,      // invisible: format characters, combining marks
  standalone = 6,  // a word by itself: CJK, Thai, ..., pictographs and other symbols
  ascii = 7,
};

struct FoldRecord {
  std::uint8_t kind;
  std::uint8_t len;  // 0: the code point stays as it is
  char bytes[9];     // UTF-8 of what it folds to
};

#include "watchlist_tables.inc"

struct AsciiFold {
  std::uint8_t kind = punct;
  char folded = 0;
  char leet = 0;  // the letter a digit or symbol stands for in leetspeak, 0 if none
};

constexpr std::array<AsciiFold, 128> make_ascii_folds() {
  std::array<AsciiFold, 128> t{};
  for (int c = 0; c < 128; ++c) t[static_cast<std::size_t>(c)].folded = static_cast<char>(c);
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)].kind = letter;
  for (int c = 'A'; c <= 'Z'; ++c)
    t[static_cast<std::size_t>(c)] = {letter, static_cast<char>(c - 'A' + 'a'), 0};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)].kind = digit;
  t['0'].leet = 'o';
  t['1'].leet = 'i';
  t['3'].leet = 'e';
  t['4'].leet = 'a';
  t['5'].leet = 's';
  t['7'].leet = 't';
  t['@'] = {leet, '@', 'a'};
  t['$'] = {leet, '$', 's'};
  t['!'] = {leet, '!', 'i'};
  for (const char c : {' ', '\t', '\n', '\v', '\f', '\r', '\x1c', '\x1d', '\x1e', '\x1f'})
    t[static_cast<std::size_t>(c)].kind = space;
  return t;
}
constexpr std::array<AsciiFold, 128> ascii_folds = make_ascii_folds();

// The lower-case letter of an ASCII letter byte, 0 for every other byte (the hot loop's test).
constexpr std::array<char, 256> make_letter_bytes() {
  std::array<char, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<char>(c + 32);
  return t;
}
constexpr std::array<char, 256> letter_bytes = make_letter_bytes();

// The ASCII fast path's view of a byte: 0 letter, 1 punctuation that is no leet letter, 2 white
// space, 3 anything else (digits, '@', '$', '!', control characters, bytes above 0x7F).
constexpr std::array<std::uint8_t, 256> make_fast_kinds() {
  std::array<std::uint8_t, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) {
    const std::uint8_t kind = c < 128 ? ascii_folds[c].kind : std::uint8_t{ascii};
    t[c] = kind == letter                              ? 0
           : kind == space                             ? 2
           : (kind == punct && c >= 0x20 && c != 0x7F) ? 1
                                                       : 3;
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> fast_kinds = make_fast_kinds();

const FoldRecord identity_standalone{standalone, 0, {}};
const FoldRecord identity_ignore{ignore, 0, {}};
const FoldRecord identity_punct{punct, 0, {}};

const FoldRecord& fold_record(char32_t cp) noexcept {
  if (cp < fold_table_end) return fold_records[fold_stage2[fold_stage1[cp >> 6] * 64u + (cp & 63)]];
  if (cp < 0x40000) return identity_standalone;               // CJK extensions B..H
  if (cp >= 0xE0000 && cp < 0xE1000) return identity_ignore;  // tags, variation selectors
  return identity_punct;                                      // unassigned, private use
}

using detail::decode_utf8;

// The normalised text: the bytes the automaton reads, where each came from, and the soft word
// boundaries (positions inside a run of bytes without ' ' where a word may begin or end).
// Its buffers are reused from one text to the next (see Scratch), so they only grow.
struct Normalized {
  std::unique_ptr<char[]> bytes;
  std::unique_ptr<std::size_t[]> origin;  // per byte: offset of the original code point
  std::unique_ptr<std::size_t[]> soft;    // soft_count positions, ascending
  std::size_t size = 0;                   // bytes in use
  std::size_t capacity = 0;               // of bytes, origin and soft
  std::size_t soft_count = 0;

  std::string_view view() const noexcept { return {bytes.get(), size}; }

  bool boundary(std::size_t p) const noexcept {
    if (p == 0 || p >= size || bytes[p - 1] == ' ' || bytes[p] == ' ') return true;
    return std::binary_search(soft.get(), soft.get() + soft_count, p);
  }
};

// One pass over the text; docs/moderation.md states the rules it implements. A word is a run
// of characters without white space; its letters are emitted as they come, but a digit or
// symbol whose reading (leet letter or not) depends on letters not yet seen waits in
// `pending_` with everything after it until the word has enough letters or ends.
class Normalizer {
 public:
  Normalizer(std::string_view text, Normalized& out) : text_(text), out_(out) {
    out_.size = 0;
    out_.soft_count = 0;
    if (out_.capacity < text.size() + 16) reserve(text.size() + 16);
  }

  void run() && {
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    const std::size_t n = text_.size();
    std::size_t i = 0;
    while (i < n) {
      const unsigned char b = p[i];
      if (b < 0x80) {
        if (prev_ == letter_class && !soft_pending_ && pending_.empty() && letter_bytes[b] &&
            i + 1 < n) {
          i = copy_letters(p, n, i);  // the common case: the rest of a word in plain ASCII
          continue;
        }
        on_ascii(ascii_folds[b], i);
        ++i;
        continue;
      }
      char32_t cp = 0;
      const std::size_t len = decode_utf8(p, n, i, cp);
      if (len == 0) {
        on_punct();
        ++i;
        continue;
      }
      const FoldRecord& r = fold_record(cp);
      const char* bytes = r.len ? r.bytes : text_.data() + i;
      const std::size_t size = r.len ? r.len : len;
      switch (r.kind) {
        case ascii:
          on_ascii(ascii_folds[static_cast<unsigned char>(r.bytes[0])], i);
          break;
        case letter:
          on_letter(bytes, size, letter_class, i);
          break;
        case standalone:
          on_letter(bytes, size, standalone_class, i);
          break;
        case digit:
          on_digit(bytes, size, 0, i);
          break;
        case space:
          on_space(i);
          break;
        case ignore:
          break;
        default:
          on_punct();
          break;
      }
      i += len;
    }
    if (in_word_) end_word();
    out_.size = len_;
  }

 private:
  enum Class : std::uint8_t { none, letter_class, leet_class, digit_class, standalone_class };

  struct Item {
    enum What : std::uint8_t { unit, digit_unit, symbol, soft } what = unit;
    Class cls = letter_class;
    std::uint8_t len = 0;
    char leet = 0;
    char bytes[9] = {};
    std::size_t origin = 0;
  };

  // Room for `more` bytes (and as many soft boundaries: there is at most one per byte).
  void ensure(std::size_t more) {
    if (len_ + more > out_.capacity) reserve(std::max(out_.capacity * 2, len_ + more + 64));
  }

  void reserve(std::size_t size) {
    auto bytes = std::make_unique_for_overwrite<char[]>(size);
    auto origin = std::make_unique_for_overwrite<std::size_t[]>(size);
    auto soft = std::make_unique_for_overwrite<std::size_t[]>(size);
    if (out_.origin) {
      std::copy_n(out_.bytes.get(), len_, bytes.get());
      std::copy_n(out_.origin.get(), len_, origin.get());
      std::copy_n(out_.soft.get(), out_.soft_count, soft.get());
    }
    out_.bytes = std::move(bytes);
    out_.origin = std::move(origin);
    out_.soft = std::move(soft);
    out_.capacity = size;
  }

  void push_soft(std::size_t at) { out_.soft[out_.soft_count++] = at; }

  // The common case, in plain ASCII: the rest of a word whose last unit was a letter, and the
  // words after it while every separator is ASCII punctuation or white space and every word
  // starts with two letters (so none is a single letter, and no rule but case folding, joining
  // and soft boundaries has anything to do). Without a branch that depends on the text but
  // for the exits: it stops where the general path must take over, in a state it shares.
  std::size_t copy_letters(const unsigned char* p, std::size_t n, std::size_t i) {
    ensure(n - i + 2);  // each byte adds at most one, and two are written ahead
    char* out = out_.bytes.get();
    std::size_t* origin = out_.origin.get();
    std::size_t* soft = out_.soft.get();
    std::size_t len = len_;
    std::size_t softs = out_.soft_count;
    unsigned sep = 0;  // since the last letter: 0 nothing, 1 punctuation, 2 white space too
    const std::size_t last = n - 1;  // the last byte is left to the general path
    for (; i < last; ++i) {
      const unsigned k = fast_kinds[p[i]];
      if (k == 3) break;
      const unsigned is_letter = k == 0;
      const unsigned word_start = is_letter & (sep == 2);
      // Perhaps a one-letter word: a word starts and the next byte is no letter. One test, so
      // that the compiler makes one branch (taken rarely), not one on the next byte's kind.
      if ((word_start << 2 | fast_kinds[p[i + 1]]) > 4) break;
      out[len] = ' ';
      origin[len] = i;
      len += word_start;
      soft[softs] = len;
      softs += is_letter & (sep == 1);
      out[len] = letter_bytes[p[i]];
      origin[len] = i;
      len += is_letter;
      sep = is_letter ? 0 : std::max(sep, k);
    }
    std::size_t run = 0;  // separator bytes since the last letter
    while (sep != 0 && fast_kinds[p[i - 1 - run]] != 0) ++run;
    len_ = len;
    out_.soft_count = softs;
    if (sep == 2) {  // the word ended (it had two letters or more)
      in_word_ = false;
      prev_ = none;
      soft_pending_ = false;
      chain_ = 0;
      run_spaces_ = run == 1 ? 1 : 2;
      run_other_ = 0;
      space_origin_ = i - 1;
      trail_punct_ = 0;
    } else {
      units_ = 2;
      letters_ = 2;
      soft_pending_ = sep == 1;
      trail_punct_ = run;
    }
    return i;
  }

  void emit(const char* bytes, std::size_t len, Class cls, std::size_t origin) {
    ensure(len + 1);
    if (prev_ == none) {
      if (len_ > 0) put(' ', space_origin_);
      word_start_ = len_;
    } else if (soft_pending_ || cls != prev_ || cls == standalone_class) {
      push_soft(len_);
    }
    soft_pending_ = false;
    for (std::size_t k = 0; k < len; ++k) put(bytes[k], origin);
    prev_ = cls;
  }

  void put(char c, std::size_t origin) {
    out_.bytes[len_] = c;
    out_.origin[len_] = origin;
    ++len_;
  }

  void start_word() {
    if (in_word_) return;
    in_word_ = true;
    sep_single_space_ = run_spaces_ == 1 && run_other_ == 0;
    units_ = 0;
    letters_ = 0;
    prev_ = none;
    soft_pending_ = false;
    trail_punct_ = 0;
  }

  void count_unit(bool is_letter) {
    if (units_ < 2) ++units_;
    if (is_letter && letters_ < 2) ++letters_;
    trail_punct_ = 0;
  }

  void push(const Item& item) { pending_.push_back(item); }

  static Item make_item(Item::What what, Class cls, const char* bytes, std::size_t len, char l,
                        std::size_t origin) {
    Item item;
    item.what = what;
    item.cls = cls;
    item.len = static_cast<std::uint8_t>(len);
    item.leet = l;
    std::copy(bytes, bytes + len, item.bytes);
    item.origin = origin;
    return item;
  }

  void on_ascii(const AsciiFold& a, std::size_t origin) {
    switch (a.kind) {
      case letter:
        on_letter(&a.folded, 1, letter_class, origin);
        break;
      case digit:
        on_digit(&a.folded, 1, a.leet, origin);
        break;
      case leet:
        on_symbol(a.leet, origin);
        break;
      case space:
        on_space(origin);
        break;
      default:
        on_punct();
        break;
    }
  }

  void on_letter(const char* bytes, std::size_t len, Class cls, std::size_t origin) {
    start_word();
    count_unit(true);
    if (!pending_.empty()) {
      if (letters_ < 2) {
        push(make_item(Item::unit, cls, bytes, len, 0, origin));
        return;
      }
      flush_pending();
    }
    emit(bytes, len, cls, origin);
  }

  // A digit; `l` is its leet letter (ASCII 0 1 3 4 5 7), 0 for the others.
  void on_digit(const char* bytes, std::size_t len, char l, std::size_t origin) {
    start_word();
    count_unit(false);
    if (pending_.empty() && (l == 0 || letters_ >= 2)) {
      if (l)
        emit(&l, 1, leet_class, origin);
      else
        emit(bytes, len, digit_class, origin);
      return;
    }
    push(make_item(Item::digit_unit, digit_class, bytes, len, l, origin));
  }

  void on_symbol(char l, std::size_t origin) {
    start_word();
    count_unit(false);
    if (pending_.empty() && letters_ >= 1) {
      emit(&l, 1, leet_class, origin);
      return;
    }
    push(make_item(Item::symbol, leet_class, &l, 1, l, origin));
  }

  void on_punct() {
    if (!in_word_) {
      ++run_other_;
      return;
    }
    ++trail_punct_;
    if (pending_.empty())
      soft_pending_ = true;
    else
      push(make_item(Item::soft, none, nullptr, 0, 0, 0));
  }

  void on_space(std::size_t origin) {
    if (in_word_) end_word();
    ++run_spaces_;
    space_origin_ = origin;
  }

  // The word's letters are all known now (or enough of them): read what waited.
  void flush_pending() {
    for (const Item& item : pending_) {
      switch (item.what) {
        case Item::unit:
          emit(item.bytes, item.len, item.cls, item.origin);
          break;
        case Item::digit_unit:
          if (item.leet && letters_ >= 2)
            emit(&item.leet, 1, leet_class, item.origin);
          else
            emit(item.bytes, item.len, digit_class, item.origin);
          break;
        case Item::symbol:
          if (letters_ >= 1)
            emit(&item.leet, 1, leet_class, item.origin);
          else if (prev_ != none)
            soft_pending_ = true;  // punctuation after all
          break;
        case Item::soft:
          if (prev_ != none) soft_pending_ = true;
          break;
      }
    }
    pending_.clear();
  }

  void end_word() {
    if (!pending_.empty()) flush_pending();
    const bool single = units_ == 1 && letters_ == 1 && prev_ == letter_class;
    if (single) {
      if (chain_ > 0 && sep_single_space_) {
        ++chain_;
      } else {
        chain_ = 1;
        chain_start_ = word_start_;
      }
      if (chain_ == 3)
        join(chain_start_);
      else if (chain_ > 3)
        join(word_start_ - 1);
    } else {
      chain_ = 0;
    }
    in_word_ = false;
    prev_ = none;
    soft_pending_ = false;
    run_spaces_ = 0;
    run_other_ = trail_punct_;
    trail_punct_ = 0;
  }

  // Spelled-out letters ("b a d"): drops the spaces from `from` on, leaving soft boundaries.
  void join(std::size_t from) {
    std::size_t w = from;
    for (std::size_t r = from; r < len_; ++r) {
      if (out_.bytes[r] == ' ') {
        push_soft(w);
        continue;
      }
      out_.bytes[w] = out_.bytes[r];
      out_.origin[w] = out_.origin[r];
      ++w;
    }
    len_ = w;
  }

  std::string_view text_;
  Normalized& out_;
  std::size_t len_ = 0;
  std::vector<Item> pending_;
  Class prev_ = none;  // class of the word's last emitted unit; none: nothing emitted yet
  bool in_word_ = false;
  bool soft_pending_ = false;
  bool sep_single_space_ = false;  // the word came after exactly one white-space character
  int units_ = 0;                  // characters in the word, counted up to 2
  int letters_ = 0;                // letters in the word, counted up to 2
  std::size_t trail_punct_ = 0;    // punctuation since the word's last character
  std::size_t run_spaces_ = 0;     // white space since the last word
  std::size_t run_other_ = 0;      // other separators since the last word
  std::size_t space_origin_ = 0;
  std::size_t word_start_ = 0;
  std::size_t chain_ = 0;  // single-letter words in a row, one space apart
  std::size_t chain_start_ = 0;
};

void normalize_into(std::string_view text, Normalized& out) { Normalizer(text, out).run(); }

std::string normalize_text(std::string_view text) {
  Normalized out;
  normalize_into(text, out);
  return std::string(out.view());
}

// The calling thread's normalised text, reused by find() and strongest(), whose scans call
// nothing that could normalise again. Buffers for more than `scratch_keep_bytes` of text are
// released after the call, so an idle thread holds about 1 MB at most (17 bytes per byte).
constexpr std::size_t scratch_keep_bytes = std::size_t{64} << 10;

class Scratch {
 public:
  explicit Scratch(std::string_view text) : t_(buffers()) { normalize_into(text, t_); }
  ~Scratch() {
    if (t_.capacity > scratch_keep_bytes) t_ = Normalized{};
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const Normalized& text() const noexcept { return t_; }

 private:
  static Normalized& buffers() {
    thread_local Normalized t;
    return t;
  }
  Normalized& t_;
};

// Where the original character at `at` ends, with the invisible ones that follow it (a
// combining accent belongs to the letter before it).
std::size_t original_end(std::string_view text, std::size_t at) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  char32_t cp = 0;
  std::size_t len = decode_utf8(p, text.size(), at, cp);
  std::size_t end = at + (len ? len : 1);
  while (end < text.size()) {
    len = decode_utf8(p, text.size(), end, cp);
    if (len == 0 || cp < 0x80 || fold_record(cp).kind != ignore) break;
    end += len;
  }
  return end;
}

constexpr std::uint32_t no_state = std::numeric_limits<std::uint32_t>::max();
// Dense rows cost classes * 4 bytes each; the shallowest states (where a scan spends nearly
// all its time) get them until this budget is spent, the deeper ones keep sparse edges.
constexpr std::size_t dense_budget_bytes = std::size_t{16} << 20;

}  // namespace

// The automaton: Aho-Corasick over the bytes of normalised text, with bytes mapped to classes
// (those in some pattern, and one for all others). States are numbered breadth-first; the
// first `dense_states` (the shallowest, where a scan spends nearly all its time) have a row of
// resolved transitions in `dense`, the deeper ones sparse edges and a failure link. A state is
// named in transitions by a handle: for a dense state, the offset of its row; for a sparse
// one, dense_limit plus its number past dense_states. Dense rows are laid out with the states
// that end no pattern first, so one comparison (handle >= quiet_limit) tells the scan that it
// must look closer: an output to report, or a sparse state to walk.
struct Watchlist::Automaton {
  std::vector<WatchedWord> entries;
  std::vector<std::uint32_t> key_length;  // per entry: bytes of its normalised pattern
  std::array<std::uint8_t, 256> byte_class{};
  std::uint32_t classes = 1;
  std::uint32_t max_key_length = 0;
  std::uint32_t dense_states = 0;
  std::uint32_t quiet_limit = 0;  // dense handles below it end no pattern
  std::uint32_t dense_limit = 0;  // handles below it are dense
  std::vector<std::uint32_t> dense;
  std::vector<std::uint32_t> dense_state;        // per dense row: its state number
  std::vector<std::uint32_t> dense_row;          // per dense state: its row
  std::vector<std::uint32_t> sparse_fail;        // per sparse state: a state number
  std::vector<std::uint32_t> sparse_edge_begin;  // per sparse state, and one past the last
  std::vector<std::uint8_t> edge_class;
  std::vector<std::uint32_t> edge_target;   // handles
  std::vector<std::uint32_t> output_begin;  // per state, and one past the last
  std::vector<std::uint32_t> output_entries;
  std::vector<std::uint32_t> dict_link;  // per state: the next state on its failure chain
                                         // that ends a pattern, or no_state
  // The hot table: for the first hot_rows quiet dense rows, 16-bit transitions on the first
  // hot_columns - 1 classes (the others, ' ', the letters, and the next few), so that the part
  // of a row that text uses is one cache line, not two. An entry is the next row when that row
  // is hot too, else hot_escape, and the scan takes the step again in `dense`. hot_class maps
  // a byte to its column (the last one, all hot_escape, for the other classes).
  std::vector<std::uint16_t> hot;  // hot_offset entries of padding, then the rows
  std::size_t hot_offset = 0;      // aligns the rows to a cache line
  std::uint32_t hot_rows = 0;
  std::uint32_t hot_limit = 0;  // hot_rows * classes: the handles of hot rows are below it
  std::array<std::uint8_t, 256> hot_class{};

  std::uint32_t state_of(std::uint32_t handle) const noexcept {
    return handle < dense_limit ? dense_state[handle / classes]
                                : dense_states + (handle - dense_limit);
  }
  std::uint32_t handle_of(std::uint32_t state, std::uint32_t row) const noexcept {
    return state < dense_states ? row * classes : dense_limit + (state - dense_states);
  }

  std::uint32_t sparse_step(std::uint32_t handle, std::uint32_t c) const noexcept {
    std::uint32_t s = dense_states + (handle - dense_limit);
    for (;;) {
      const std::uint32_t k = s - dense_states;
      for (std::uint32_t e = sparse_edge_begin[k]; e < sparse_edge_begin[k + 1]; ++e)
        if (edge_class[e] == c) return edge_target[e];
      s = sparse_fail[k];
      if (s < dense_states) return dense[dense_row[s] * classes + c];
    }
  }

  // One walk through the text: state handle, next byte, end, and the end a match must pass
  // to be reported.
  struct Cursor {
    std::uint32_t h = 0;
    std::size_t i = 0;
    std::size_t end = 0;
    std::size_t report_after = 0;
  };

  static constexpr std::uint32_t hot_columns = 32;
  static constexpr std::uint16_t hot_escape = 0xFFFF;
  static constexpr std::uint32_t max_hot_rows = 32768;  // 2 MB of hot rows at most

  const std::uint16_t* hot_table() const noexcept { return hot.data() + hot_offset; }

  // Calls visit(entry, begin, end) with normalised byte offsets for every match, until it
  // returns false; returns whether it ran to the end. A step of the automaton waits for the
  // load of the step before it, so a long text is read as two halves at once, the second
  // started max_key_length bytes early and reporting only matches that end in it.
  template <class Visit>
  bool scan(const Normalized& t, Visit&& visit) const {
    const std::size_t n = t.size;
    if (n < 4 * std::size_t{max_key_length} + 256) {
      Cursor c{0, 0, n, 0};
      return finish(t, c, visit);
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(t.bytes.get());
    const std::uint16_t* rows = hot_table();
    const std::uint8_t* column = hot_class.data();
    const std::uint32_t limit = hot_rows;
    const std::size_t half = n / 2;
    const std::size_t b_begin = half - max_key_length;
    // Hot rows, kept in registers; a Cursor (in memory) only on the way to leave_hot().
    std::uint32_t ra = 0, rb = 0;
    std::size_t ia = 0, ib = b_begin;
    while (ia < half && ib < n) {
      const std::uint32_t na = rows[ra * hot_columns + column[bytes[ia]]];
      const std::uint32_t nb = rows[rb * hot_columns + column[bytes[ib]]];
      if (na >= limit) [[unlikely]] {
        Cursor c{ra * classes, ia, half, 0};
        if (!leave_hot(t, c, visit)) return false;
        back_to_hot(c, ra, ia);
      } else {
        ra = na;
        ++ia;
      }
      if (nb >= limit) [[unlikely]] {
        Cursor c{rb * classes, ib, n, half};
        if (!leave_hot(t, c, visit)) return false;
        back_to_hot(c, rb, ib);
      } else {
        rb = nb;
        ++ib;
      }
    }
    Cursor a{ra * classes, ia, half, 0};
    Cursor b{rb * classes, ib, n, half};
    return finish(t, a, visit) && finish(t, b, visit);
  }

  // Back to the hot loop from a cursor that leave_hot() left in a hot row or at its end.
  void back_to_hot(const Cursor& c, std::uint32_t& row, std::size_t& i) const noexcept {
    row = c.i < c.end ? c.h / classes : 0;
    i = c.i;
  }

  // The hot table had no answer for the step from the cursor's (hot) row: steps with the full
  // tables, reporting what they find, until a hot row or the end.
  template <class Visit>
  bool leave_hot(const Normalized& t, Cursor& c, Visit& visit) const {
    const auto* bytes = reinterpret_cast<const unsigned char*>(t.bytes.get());
    do {
      c.h = dense[c.h + byte_class[bytes[c.i]]];
      ++c.i;
      if (c.h >= quiet_limit && !settle(t, c, visit)) return false;
    } while (c.h >= hot_limit && c.i < c.end);
    return true;
  }

  // From a hot row (its handle) to the cursor's end.
  template <class Visit>
  bool finish(const Normalized& t, Cursor& c, Visit& visit) const {
    const auto* bytes = reinterpret_cast<const unsigned char*>(t.bytes.get());
    const std::uint16_t* rows = hot_table();
    const std::uint8_t* column = hot_class.data();
    const std::uint32_t limit = hot_rows;
    std::uint32_t r = c.h / classes;
    for (std::size_t i = c.i; i < c.end;) {
      const std::uint32_t next = rows[r * hot_columns + column[bytes[i]]];
      if (next >= limit) [[unlikely]] {
        Cursor s{r * classes, i, c.end, c.report_after};
        if (!leave_hot(t, s, visit)) return false;
        back_to_hot(s, r, i);
      } else {
        r = next;
        ++i;
      }
    }
    return true;
  }

  // The cursor's state ends a pattern or is sparse: report, and walk sparse states until a
  // dense one.
  template <class Visit>
  bool settle(const Normalized& t, Cursor& c, Visit& visit) const {
    const auto* bytes = reinterpret_cast<const unsigned char*>(t.bytes.get());
    while (c.h >= dense_limit) {
      if (c.i > c.report_after && !report(t, c.h, c.i, visit)) return false;
      if (c.i == c.end) return true;
      c.h = sparse_step(c.h, byte_class[bytes[c.i]]);
      ++c.i;
    }
    if (c.h >= quiet_limit && c.i > c.report_after && !report(t, c.h, c.i, visit)) return false;
    return true;
  }

  template <class Visit>
  bool report(const Normalized& t, std::uint32_t handle, std::size_t end, Visit& visit) const {
    for (std::uint32_t s = state_of(handle); s != no_state; s = dict_link[s]) {
      for (std::uint32_t k = output_begin[s]; k < output_begin[s + 1]; ++k) {
        const std::uint32_t e = output_entries[k];
        const std::size_t begin = end - key_length[e];
        if (entries[e].whole_word && !(t.boundary(begin) && t.boundary(end))) continue;
        if (!visit(e, begin, end)) return false;
      }
    }
    return true;
  }

  std::size_t memory_bytes() const noexcept {
    auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
    std::size_t total = sizeof(*this) + bytes(key_length) + bytes(dense) + bytes(dense_state) +
                        bytes(sparse_fail) + bytes(sparse_edge_begin) + bytes(edge_class) +
                        bytes(edge_target) + bytes(output_begin) + bytes(output_entries) +
                        bytes(dict_link) + bytes(dense_row) + bytes(hot);
    for (const WatchedWord& w : entries) total += sizeof(w) + w.pattern.capacity();
    return total;
  }

  static result<std::shared_ptr<const Automaton>> compile(std::vector<WatchedWord> words);
};

result<std::shared_ptr<const Watchlist::Automaton>> Watchlist::Automaton::compile(
    std::vector<WatchedWord> words) {
  if (words.size() > watchlist_max_entries) return errc::invalid_argument;
  auto a = std::make_shared<Automaton>();
  std::vector<std::string> keys;
  keys.reserve(words.size());
  std::size_t total = 0;
  for (const WatchedWord& w : words) {
    if (w.pattern.empty() || w.pattern.size() > watchlist_max_pattern_bytes ||
        !detail::utf8_length(w.pattern))
      return errc::invalid_argument;
    std::string key = normalize_text(w.pattern);
    if (key.empty()) return errc::invalid_argument;
    total += key.size();
    if (total > watchlist_max_total_bytes) return errc::invalid_argument;
    a->key_length.push_back(static_cast<std::uint32_t>(key.size()));
    a->max_key_length = std::max(a->max_key_length, a->key_length.back());
    keys.push_back(std::move(key));
  }

  // The trie, children sorted by byte.
  struct Node {
    std::vector<std::pair<std::uint8_t, std::uint32_t>> next;
    std::vector<std::uint32_t> ends;  // entries whose key ends here
  };
  std::vector<Node> trie(1);
  auto child = [&](std::uint32_t s, std::uint8_t b) -> std::uint32_t {
    const auto& next = trie[s].next;
    const auto it = std::lower_bound(next.begin(), next.end(), std::make_pair(b, std::uint32_t{0}));
    return it != next.end() && it->first == b ? it->second : no_state;
  };
  std::array<bool, 256> used{};
  for (std::uint32_t e = 0; e < keys.size(); ++e) {
    std::uint32_t s = 0;
    for (const char ch : keys[e]) {
      const auto b = static_cast<std::uint8_t>(ch);
      used[b] = true;
      std::uint32_t t = child(s, b);
      if (t == no_state) {
        t = static_cast<std::uint32_t>(trie.size());
        auto& next = trie[s].next;
        next.insert(std::lower_bound(next.begin(), next.end(), std::make_pair(b, std::uint32_t{0})),
                    {b, t});
        trie.emplace_back();
      }
      s = t;
    }
    trie[s].ends.push_back(e);
  }
  // Keys are UTF-8 without control characters, so fewer than 255 byte values occur. ' ' and
  // the letters come first, so the part of a row that English text uses spans two cache lines,
  // and rows are a whole number of lines long.
  auto assign = [&](std::size_t b) {
    if (used[b] && a->byte_class[b] == 0)
      a->byte_class[b] = static_cast<std::uint8_t>(a->classes++);
  };
  assign(' ');
  for (std::size_t b = 'a'; b <= 'z'; ++b) assign(b);
  for (std::size_t b = 0; b < 256; ++b) assign(b);
  a->classes = (a->classes + 15) & ~15u;
  const std::uint32_t classes = a->classes;

  // Breadth-first numbering and failure links (in trie numbers).
  const auto states = static_cast<std::uint32_t>(trie.size());
  std::vector<std::uint32_t> order;  // breadth-first number -> trie number
  order.reserve(states);
  std::vector<std::uint32_t> number(states);  // trie number -> breadth-first number
  std::vector<std::uint32_t> fail(states, 0);
  order.push_back(0);
  for (std::size_t head = 0; head < order.size(); ++head) {
    const std::uint32_t u = order[head];
    number[u] = static_cast<std::uint32_t>(head);
    for (const auto& [b, v] : trie[u].next) {
      if (u != 0) {
        std::uint32_t f = fail[u];
        for (;;) {
          const std::uint32_t t = child(f, b);
          if (t != no_state) {
            fail[v] = t;
            break;
          }
          if (f == 0) {
            fail[v] = 0;
            break;
          }
          f = fail[f];
        }
      }
      order.push_back(v);
    }
  }

  // Outputs and dictionary links, in breadth-first numbers.
  a->output_begin.resize(states + 1);
  a->dict_link.assign(states, no_state);
  for (std::uint32_t s = 0; s < states; ++s) {
    const Node& node = trie[order[s]];
    a->output_begin[s] = static_cast<std::uint32_t>(a->output_entries.size());
    a->output_entries.insert(a->output_entries.end(), node.ends.begin(), node.ends.end());
    if (s > 0) {
      const std::uint32_t f = number[fail[order[s]]];
      a->dict_link[s] = trie[order[f]].ends.empty() ? a->dict_link[f] : f;
    }
  }
  a->output_begin[states] = static_cast<std::uint32_t>(a->output_entries.size());
  auto has_output = [&](std::uint32_t s) {
    return a->output_begin[s] != a->output_begin[s + 1] || a->dict_link[s] != no_state;
  };

  // Dense rows: the quiet states first, then those with outputs.
  const std::size_t budget_rows = std::max<std::size_t>(1, dense_budget_bytes / (4 * classes));
  const auto dense_states = static_cast<std::uint32_t>(std::min<std::size_t>(states, budget_rows));
  a->dense_states = dense_states;
  a->dense_limit = dense_states * classes;
  a->dense_row.resize(dense_states);
  a->dense_state.resize(dense_states);
  std::uint32_t quiet = 0;
  for (std::uint32_t s = 0; s < dense_states; ++s)
    if (!has_output(s)) a->dense_row[s] = quiet++;
  a->quiet_limit = quiet * classes;
  for (std::uint32_t s = 0, loud = quiet; s < dense_states; ++s)
    if (has_output(s)) a->dense_row[s] = loud++;
  for (std::uint32_t s = 0; s < dense_states; ++s) a->dense_state[a->dense_row[s]] = s;
  auto handle = [&](std::uint32_t s) {
    return a->handle_of(s, s < dense_states ? a->dense_row[s] : 0);
  };
  a->dense.resize(std::size_t{dense_states} * classes);
  for (std::uint32_t s = 0; s < dense_states; ++s) {  // breadth-first: fail(s) is done
    std::uint32_t* row = a->dense.data() + std::size_t{a->dense_row[s]} * classes;
    if (s == 0) {
      std::fill(row, row + classes, handle(0));
    } else {
      const std::uint32_t f = number[fail[order[s]]];
      std::copy_n(a->dense.data() + std::size_t{a->dense_row[f]} * classes, classes, row);
    }
    for (const auto& [b, v] : trie[order[s]].next) row[a->byte_class[b]] = handle(number[v]);
  }
  a->sparse_edge_begin.push_back(0);
  for (std::uint32_t s = dense_states; s < states; ++s) {
    std::vector<std::pair<std::uint8_t, std::uint32_t>> edges;
    for (const auto& [b, v] : trie[order[s]].next)
      edges.emplace_back(a->byte_class[b], handle(number[v]));
    std::sort(edges.begin(), edges.end());
    for (const auto& [c, h] : edges) {
      a->edge_class.push_back(c);
      a->edge_target.push_back(h);
    }
    a->sparse_edge_begin.push_back(static_cast<std::uint32_t>(a->edge_class.size()));
    a->sparse_fail.push_back(number[fail[order[s]]]);
  }

  // The hot table (quiet rows come first, and the root's row is row 0).
  a->hot_rows = std::min({quiet, max_hot_rows, std::uint32_t{hot_escape}});
  a->hot_limit = a->hot_rows * classes;
  for (std::size_t b = 0; b < 256; ++b)
    a->hot_class[b] =
        static_cast<std::uint8_t>(std::min(a->byte_class[b], std::uint8_t{hot_columns - 1}));
  a->hot.assign(std::size_t{a->hot_rows} * hot_columns + hot_columns, hot_escape);
  const auto misalign = reinterpret_cast<std::uintptr_t>(a->hot.data()) % 64;
  a->hot_offset = misalign == 0 ? 0 : (64 - misalign) / sizeof(std::uint16_t);
  std::uint16_t* hot = a->hot.data() + a->hot_offset;
  for (std::uint32_t r = 0; r < a->hot_rows; ++r)
    for (std::uint32_t c = 0; c + 1 < hot_columns && c < classes; ++c) {
      const std::uint32_t h = a->dense[std::size_t{r} * classes + c];
      if (h < a->hot_limit)
        hot[std::size_t{r} * hot_columns + c] = static_cast<std::uint16_t>(h / classes);
    }
  a->entries = std::move(words);
  return std::shared_ptr<const Automaton>(std::move(a));
}

result<Watchlist> Watchlist::build(std::vector<WatchedWord> words) noexcept {
  try {
    HEARTH_TRY(automaton, Automaton::compile(std::move(words)));
    Watchlist list;
    list.automaton_ = std::move(automaton);
    return list;
  } catch (const std::bad_alloc&) {
    return errc::internal;
  }
}

std::vector<WordMatch> Watchlist::find(std::string_view text) const {
  std::vector<WordMatch> out;
  if (!automaton_) return out;
  const Scratch scratch(text);
  const Normalized& t = scratch.text();
  automaton_->scan(t, [&](std::uint32_t entry, std::size_t begin, std::size_t end) {
    out.push_back({t.origin[begin], original_end(text, t.origin[end - 1]), entry});
    return true;
  });
  std::sort(out.begin(), out.end(), [](const WordMatch& x, const WordMatch& y) {
    return std::tie(x.begin, x.end, x.entry) < std::tie(y.begin, y.end, y.entry);
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<WordAction> Watchlist::strongest(std::string_view text) const {
  if (!automaton_) return std::nullopt;
  std::optional<WordAction> best;
  const Scratch scratch(text);
  automaton_->scan(scratch.text(), [&](std::uint32_t entry, std::size_t, std::size_t) {
    const WordAction action = automaton_->entries[entry].action;
    if (!best || action > *best) best = action;
    return action != WordAction::block;
  });
  return best;
}

std::string Watchlist::censor(std::string_view text, CensorScope scope) const {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (const WordMatch& m : find(text))
    if (scope == CensorScope::all_matches ||
        automaton_->entries[m.entry].action == WordAction::censor)
      ranges.emplace_back(m.begin, m.end);
  if (ranges.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  std::size_t masked_to = 0;  // end of the ranges begun so far (sorted by begin)
  auto next = ranges.begin();
  while (i < text.size()) {
    while (next != ranges.end() && next->first <= i)
      masked_to = std::max(masked_to, (next++)->second);
    if (i >= masked_to) {
      const std::size_t stop = next == ranges.end() ? text.size() : next->first;
      out.append(text.substr(i, stop - i));
      i = stop;
      continue;
    }
    char32_t cp = 0;
    const std::size_t len = decode_utf8(p, text.size(), i, cp);
    if (len == 0) {
      out += '*';
      ++i;
      continue;
    }
    const std::uint8_t kind = cp < 0x80 ? ascii_folds[cp].kind : fold_record(cp).kind;
    if (kind == space)
      out.append(text.substr(i, len));
    else if (kind != ignore)
      out += '*';
    i += len;
  }
  return out;
}

const std::vector<WatchedWord>& Watchlist::entries() const noexcept {
  static const std::vector<WatchedWord> none;
  return automaton_ ? automaton_->entries : none;
}

std::size_t Watchlist::memory_bytes() const noexcept {
  return automaton_ ? automaton_->memory_bytes() : 0;
}

std::string Watchlist::normalize(std::string_view text) { return normalize_text(text); }

}  // namespace hearth::moderation
