#!/usr/bin/env python3
"""Generates src/moderation/watchlist_tables.inc: the per-code-point folding table of the
watched-words matcher (docs/moderation.md, "Normalisation"), from Python's unicodedata.

    python3 scripts/gen_watchlist_tables.py > src/moderation/watchlist_tables.inc

For every code point U+0080..U+1FFFF the table gives a kind and, when the code point is not
kept as it is, the UTF-8 of what it folds to. ASCII and the planes above are handled in
watchlist.cpp. The steps, in order: NFKC, full case folding, NFKC again; Latin and Greek
letters lose their diacritics (NFD, marks dropped); a few letters without a decomposition are
given their base letter (MANUAL); Cyrillic and Greek letters that look like Latin ones become
those (LOOKALIKE).
"""
import sys
import unicodedata as ud

# Kinds, as in watchlist.cpp.
LETTER, DIGIT, PUNCT, SPACE, IGNORE, STANDALONE, ASCII = 0, 1, 3, 4, 5, 6, 7
TABLE_END = 0x20000
MAX_OUT_BYTES = 9

# Letters with a stroke, ligatures and small capitals: no decomposition gives their base letter.
MANUAL = {
    'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ł': 'l', 'ŧ': 't', 'ı': 'i', 'ĸ': 'k', 'ŋ': 'n', 'ð': 'd',
    'æ': 'ae', 'œ': 'oe', 'ƀ': 'b', 'ƒ': 'f', 'ɑ': 'a', 'ɡ': 'g', 'ɨ': 'i', 'ʉ': 'u', 'ƶ': 'z',
    'ɇ': 'e', 'ȼ': 'c', 'ɍ': 'r', 'ɏ': 'y', 'ƈ': 'c', 'ɗ': 'd', 'ƙ': 'k', 'ƥ': 'p', 'ʠ': 'q',
    'ƭ': 't', 'ɓ': 'b', 'ɦ': 'h', 'ɲ': 'n', 'ɵ': 'o', 'ȿ': 's', 'ɀ': 'z', 'ȥ': 'z', 'ɋ': 'q',
    'ɉ': 'j', 'ȷ': 'j', 'ɩ': 'i',
    'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ꜰ': 'f', 'ɢ': 'g', 'ʜ': 'h', 'ɪ': 'i',
    'ᴊ': 'j', 'ᴋ': 'k', 'ʟ': 'l', 'ᴍ': 'm', 'ɴ': 'n', 'ᴏ': 'o', 'ᴘ': 'p', 'ʀ': 'r', 'ꜱ': 's',
    'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z',
}

# Lower-case Cyrillic and Greek letters that look like Latin ones (applied after case folding,
# so capitals fold through their lower case: Η -> η -> n).
LOOKALIKE = {
    # Cyrillic
    'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
    'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ԁ': 'd',
    'һ': 'h', 'ӏ': 'l', 'ԛ': 'q', 'ԝ': 'w', 'ү': 'y', 'ѵ': 'v',
    # Greek
    'α': 'a', 'β': 'b', 'γ': 'y', 'ε': 'e', 'ζ': 'z', 'η': 'n', 'ι': 'i', 'κ': 'k', 'μ': 'u',
    'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w', 'ϲ': 'c', 'ϳ': 'j',
    # Armenian
    'օ': 'o', 'ս': 'u',
}

# Symbols drawn as Latin capitals that NFKC leaves alone: regional indicators, negative circled
# and negative squared letters.
LETTER_SYMBOLS = [(0x1F1E6, 0x1F1FF), (0x1F150, 0x1F169), (0x1F170, 0x1F189)]

# Combining marks that decorate letters (dropped everywhere: "Zalgo" text, decomposed accents).
STRIP_MARKS = [(0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
               (0xFE20, 0xFE2F), (0xFE00, 0xFE0F)]

# Scripts written without spaces between words, and pictographs: each character is a word.
UNSPACED = [(0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x2E80, 0x2FDF),
              (0x3005, 0x3007), (0x3021, 0x3029), (0x3038, 0x303C), (0x3040, 0x30FF),
              (0x3100, 0x312F), (0x3190, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
              (0xF900, 0xFAFF)]


def in_ranges(cp, ranges):
    return any(lo <= cp <= hi for lo, hi in ranges)


def latin_or_greek(ch):
    name = ud.name(ch, '')
    return name.startswith('LATIN') or name.startswith('GREEK')


def fold_string(s):
    s = ud.normalize('NFKC', ud.normalize('NFKC', s).casefold())
    out = []
    for ch in s:
        ch = MANUAL.get(ch, ch)
        for c in ch:
            if latin_or_greek(c):
                c = ''.join(x for x in ud.normalize('NFD', c) if ud.category(x) not in ('Mn', 'Me'))
            for x in c:
                out.append(LOOKALIKE.get(x, x))
    return ''.join(out)


def word_char(ch):
    cat = ud.category(ch)
    return cat[0] in 'LMN' and not in_ranges(ord(ch), STRIP_MARKS)


def classify(cp):
    """(kind, output string or None for 'as it is')."""
    ch = chr(cp)
    cat = ud.category(ch)
    if 0xD800 <= cp <= 0xDFFF:
        return PUNCT, None
    if in_ranges(cp, STRIP_MARKS) or cat == 'Cf':
        return IGNORE, None
    if cat in ('Zs', 'Zl', 'Zp') or cp == 0x85:
        return SPACE, None
    if cat[0] == 'C':  # other controls, private use, unassigned
        return PUNCT, None
    for lo, hi in LETTER_SYMBOLS:
        if lo <= cp <= hi:
            return ASCII, chr(ord('a') + cp - lo)
    nfkc = ud.normalize('NFKC', ch)
    if cat[0] in 'PS' or cat == 'Nd' or cat == 'No':
        folded = fold_string(ch)
        if len(folded) == 1 and ord(folded) < 0x80 and (folded.isalnum() or cat[0] == 'P'
                                                         or cat == 'Sc'):
            return ASCII, folded
        if cat == 'Nd':
            return DIGIT, None
        if cat == 'No' and nfkc.isascii() and nfkc.isdigit():
            return DIGIT, nfkc
        if cat == 'So':
            return STANDALONE, None
        return PUNCT, None
    # Letters, marks that are part of words, letter numbers.
    if cat == 'Lm' and 0x02B9 <= cp <= 0x02FF and not fold_string(ch).isascii():
        return PUNCT, None  # modifier apostrophes, primes and tone letters
    folded = fold_string(ch)
    if folded == '':
        return IGNORE, None
    if not all(word_char(x) for x in folded) or len(folded.encode()) > MAX_OUT_BYTES:
        folded = ch
    if len(folded) == 1 and ord(folded) < 0x80:
        return ASCII, folded
    kind = STANDALONE if in_ranges(ord(folded[0]), UNSPACED) else LETTER
    return kind, None if folded == ch else folded


def main():
    records = {}   # (kind, bytes or None) -> index
    record_list = []
    def record(kind, out):
        key = (kind, out)
        if key not in records:
            records[key] = len(record_list)
            record_list.append(key)
        return records[key]
    for kind in range(8):
        record(kind, None)
    cells = [0] * TABLE_END
    for cp in range(0x80, TABLE_END):
        kind, out = classify(cp)
        cells[cp] = record(kind, out.encode() if out is not None else None)
    blocks = {}
    block_list = []
    stage1 = []
    for base in range(0, TABLE_END, 64):
        block = tuple(cells[base:base + 64])
        if block not in blocks:
            blocks[block] = len(block_list)
            block_list.append(block)
        stage1.append(blocks[block])
    assert len(record_list) < 65536 and len(block_list) < 65536
    w = sys.stdout.write
    w('// Generated by scripts/gen_watchlist_tables.py from Python\'s unicodedata (Unicode %s).\n'
      '// Do not edit: change the script and run it again.\n' % ud.unidata_version)
    w('// clang-format off\n')
    w('inline constexpr char32_t fold_table_end = 0x%X;\n' % TABLE_END)
    w('inline constexpr FoldRecord fold_records[%d] = {\n' % len(record_list))
    for kind, out in record_list:
        if out is None:
            w('  {%d, 0, {}},\n' % kind)
        else:
            w('  {%d, %d, {%s}},\n' % (kind, len(out), ', '.join('\'\\x%02x\'' % b for b in out)))
    w('};\n')
    w('inline constexpr std::uint16_t fold_stage1[%d] = {\n' % len(stage1))
    for i in range(0, len(stage1), 16):
        w('  ' + ', '.join(str(x) for x in stage1[i:i + 16]) + ',\n')
    w('};\n')
    w('inline constexpr std::uint16_t fold_stage2[%d] = {\n' % (len(block_list) * 64))
    for block in block_list:
        for i in range(0, 64, 16):
            w('  ' + ', '.join(str(x) for x in block[i:i + 16]) + ',\n')
    w('};\n')
    w('// clang-format on\n')
    sys.stderr.write('%d records, %d blocks\n' % (len(record_list), len(block_list)))


if __name__ == '__main__':
    main()
