"""Numbers as written -> exact Decimal values.

Arabic numbers may carry thousands separators and decimals (1,537.28). Chinese
numerals may be ordinary or 大写 (三千五百, 两千, 一千九百, 壹佰, 三点五), with 万/亿
inside (一亿二千万). Values stay Decimal, so 224.2 x 1e8 has no float noise.
"""

from __future__ import annotations

from decimal import Decimal

from . import patterns

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "壹": 1,
    "贰": 2,
    "叁": 3,
    "肆": 4,
    "伍": 5,
    "陆": 6,
    "柒": 7,
    "捌": 8,
    "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
LARGE_UNITS = {"万": 10**4, "亿": 10**8}

ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
CHINESE_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(LARGE_UNITS)
CHINESE = rf"[{CHINESE_CHARS}]+(?:点[{''.join(DIGITS)}]+)?"
# Arabic numbers must not continue a word of letters or digits (5G, IO500, 7+4).
NUMBER = patterns.compile(rf"(?<![\dA-Za-z.])(?:{ARABIC})|{CHINESE}")


def is_chinese(text: str) -> bool:
    return not text[0].isdigit()


def has_digit(text: str) -> bool:
    """A Chinese numeral needs a digit or 十/百/千; 万 or 亿 alone is a scale word."""
    return any(c in DIGITS or c in SMALL_UNITS for c in text)


def parse_number(text: str) -> Decimal:
    """Value of an Arabic or Chinese numeral; ValueError if it is neither."""
    if text[0].isdigit():
        return Decimal(text.replace(",", ""))
    return parse_chinese(text)


def parse_chinese(text: str) -> Decimal:
    if "点" in text:
        whole, _, fraction = text.partition("点")
        digits = "".join(str(DIGITS[c]) for c in fraction)
        return (parse_chinese(whole) if whole else Decimal(0)) + Decimal("0." + digits)
    if not all(c in DIGITS or c in SMALL_UNITS or c in LARGE_UNITS for c in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if all(c in DIGITS for c in text) and len(text) > 1:
        # Digit by digit, as in 二〇二五.
        return Decimal("".join(str(DIGITS[c]) for c in text))
    total, section, digit = 0, 0, 0
    last_unit = 0
    for char in text:
        if char in DIGITS:
            digit = DIGITS[char]
        elif char in SMALL_UNITS:
            last_unit = SMALL_UNITS[char]
            section += (digit or 1) * last_unit
            digit = 0
        else:
            unit = LARGE_UNITS[char]
            section += digit
            if unit > 10**4:
                total = (total + section) * unit
            else:
                total += section * unit
            section, digit, last_unit = 0, 0, unit
    if digit and last_unit >= 100 and text[-2] in SMALL_UNITS | LARGE_UNITS:
        # Colloquial abbreviation: 三千五 = 3500, 两万五 = 25000.
        digit *= last_unit // 10
    return Decimal(total + section + digit)
