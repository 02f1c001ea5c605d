"""English reports: quantities, metric phrases and changes, with rules/en/.

The grammar is the Chinese one in English words:

    [comparator] [HK$|US$|RMB] NUMBER [scale] (UNIT | counted noun phrase) [or more]
    NUMBER [scale] [UNIT] (to|-|and) NUMBER [scale] UNIT        (a range)

Numbers are digits (1,537.28) or words (twelve, twenty-five). Things counted by
a noun (263 key projects, 12 million new urban jobs) take the noun's base unit:
person for people, household for households, count otherwise. Word boundaries
and metric phrases come from spaCy's blank English tokenizer.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import regex

from . import patterns
from .model import CONTEXT, Quantity, Sentence, Unit, text_before
from .rules import Rules

ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# A spelled-out number below a thousand: nine, twenty-five, twenty five, one hundred
# and fifty; a scale word after it (thousand, lakh) is read as a scale.
_BELOW_HUNDRED = rf"(?:(?:{'|'.join(TENS)})(?:[-\s](?:{'|'.join(list(ONES)[1:10])}))?|{'|'.join(ONES)})"
WORD = rf"{_BELOW_HUNDRED}(?:\s+hundred(?:\s+(?:and\s+)?{_BELOW_HUNDRED})?)?|hundred"
# Thousands grouped by commas (75,000) or by spaces (189 000, as Hansard prints them).
# Indian texts group by lakh and crore: 11,11,111 and 15,00,000.
DIGITS = (
    r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?(?![\d,]\d)|\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,]\d)"
    # An ordinary space groups thousands only before a word (189 000 units), never
    # between two cells of a table row (30 150).
    r"|\d{1,3}(?:\u00a0\d{3})+(?![\d.,]\d)|\d{1,3}(?:[ ]\d{3})+(?=[ ][A-Za-z%])(?![\d.,]\d)"
    r"|\d+(?:\.\d+)?(?![\d,]\d)"
)
NUMBER_BODY = rf"(?:{DIGITS})|(?i:\b{WORD}\b)"
# A number must not continue a word or a name (G20, COVID-19, 2.5.1); a currency
# sign before it is read as a prefix unit.
NUMBER_EN = patterns.compile(rf"(?<![\w.\-])(?<!\d,)(?:{NUMBER_BODY})")
NUMBER_AFTER_JOINER = patterns.compile(NUMBER_BODY)
WORDS = patterns.compile(r"[A-Za-z][A-Za-z\-']*|\d+[A-Za-z][A-Za-z\d]*")


@cache
def _sentencizer():
    # spaCy is imported for English text only: its import alone takes about a second.
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", ";"]})
    return nlp


def english_pieces(line: str, rules: Rules) -> list[tuple[int, int]]:
    """Sentences of an English line, from spaCy's rule-based sentencizer; a sentence
    that ends in an abbreviation (No. 1) goes on into the next."""
    pieces: list[tuple[int, int]] = []
    for sentence in _sentencizer()(line).sents:
        if not sentence.text.strip():
            continue
        if pieces and rules.abbreviation_end.search(line[pieces[-1][0] : pieces[-1][1]]):
            pieces[-1] = (pieces[-1][0], sentence.end_char)
        else:
            pieces.append((sentence.start_char, sentence.end_char))
    return pieces


@cache
def number_words() -> dict[str, int]:
    """Number words and their values (one … ninety)."""
    return {**ONES, **TENS}


def parse_english_number(text: str) -> Decimal:
    if text[0].isdigit():
        return Decimal(regex.sub(r"[,\s]", "", text))
    words = text.lower().replace("-", " ").split()
    value = 0
    for word in words:
        if word == "hundred":
            value = (value or 1) * 100
        elif word != "and":
            value += ONES.get(word, TENS.get(word, 0))
    return Decimal(value)


@cache
def stop_words(content_words: frozenset[str] = frozenset()) -> frozenset[str]:
    """spaCy's English stop words, without the content words among them (metrics.toml
    `content_words`: 500 top companies)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) - content_words


@cache
def _number_pattern(prefixes: tuple[str, ...]) -> patterns.Pattern:
    """NUMBER_EN, and also a number right after a currency that ends in a letter
    (RM2.5 billion, Rs500), which the guard against names (G20) would refuse."""
    lettered = sorted((p for p in prefixes if p[-1].isalpha() or p[-1] == "."), key=len, reverse=True)
    if not lettered:
        return NUMBER_EN
    after = "|".join(rf"(?<=(?<![A-Za-z]){regex.escape(p)})" for p in lettered)
    return patterns.compile(rf"(?:(?<![\w.\-])(?<!\d,)|{after})(?:{NUMBER_BODY})")


def find_quantities_en(sentence: Sentence, rules: Rules) -> list[Quantity]:
    text = sentence.text
    found: list[Quantity] = []
    consumed = 0
    for match in _number_pattern(tuple(p.surface for p in rules.prefix_units)).finditer(text):
        if match.start() < consumed:
            continue
        quantity = _quantity_at(text, match, rules)
        if quantity is None:
            continue
        consumed = quantity.end
        found.append(quantity)
    return [q._replace(start=q.start + sentence.start, end=q.end + sentence.start) for q in found]


def _quantity_at(text: str, match: regex.Match, rules: Rules) -> Quantity | None:
    number_text = match.group()
    value = parse_english_number(number_text)
    start, position = match.start(), match.end()
    prefix = _prefix_unit(text, start, rules)
    scale, position = _scale(text, position, rules)
    unit_start = position
    unit: Unit | None
    if prefix is not None:
        if not scale:
            scale, position = _currency_scale(text, position, rules)
        unit = _prefixed(prefix.unit, scale, rules)
        start = start - _prefix_length(text, start, prefix.surface)
    else:
        unit, position = _unit(text, position, scale, rules, value if scale or "." not in number_text else None)
    if unit is None and not _duration_follows(text, position, rules):
        unit = _number_of_unit(text_before(text, start, 3 * CONTEXT), scale, rules)
    if unit is None and prefix is None and not regex.fullmatch(r"(?:19|20)\d\d", number_text):
        unit = _shared_unit(text, position, rules)
    value_max = None
    second = _range_end(text, position, rules, value, unit)
    if second is not None:
        value_max, unit, position = second
    if unit is None or (unit.kind == "multiple" and not rules.multiple_context.search(text_before(text, start))):
        return None
    if _excluded(text, start, number_text, text[unit_start if prefix is None else position :], unit, rules):
        return None
    end, after = _after_comparator(text, position, rules)
    comparator = (
        "range" if value_max is not None else after or _before_comparator(text_before(text, start), rules) or "eq"
    )
    return Quantity(start=start, end=end, value=value, value_max=value_max, unit=unit, comparator=comparator)


SHARED = patterns.compile(rf"\s+(?:to|and)\s+(?:{DIGITS}|(?i:\b{WORD}\b))")


def _shared_unit(text: str, position: int, rules: Rules) -> Unit | None:
    """from 7.5 to 5 per cent, 0.02 and 0.1 per cent: the unit written once, after the
    second number, is the first's too (a unit of the catalogue only, not a counted noun)."""
    match = SHARED.match(text, position)
    if match is None:
        return None
    scale, after = _scale(text, match.end(), rules)
    rest = text[after:]
    spaced = regex.match(r"\s?", rest).end()
    unit = _catalogue_unit(rest[spaced:], rules)
    if unit is None or unit.kind == "multiple":
        return None
    factor = rules.scales.get(scale, Decimal(1))
    return Unit(f"{scale} {unit.surface}".strip(), unit.base, unit.factor * factor, unit.kind)


def _duration_follows(text: str, position: int, rules: Rules) -> bool:
    """10 years, five days: a word of time after a bare number (no count of anything)."""
    word = WORDS.match(text, position + len(text[position:]) - len(text[position:].lstrip()))
    return bool(word) and word.group().lower() in rules.counting.never


def _currency_scale(text: str, position: int, rules: Rules) -> tuple[str, int]:
    """£3m, $250k: a scale letter right after a currency's number."""
    letter = regex.match(r"([a-z])\b", text[position:])
    if letter and letter.group(1) in rules.currency_scales:
        return letter.group(1), position + 1
    return "", position


def _prefixed(unit: Unit, scale: str, rules: Rules) -> Unit:
    """A currency written before the number, with the scale word after it: $3.5 billion."""
    factor = rules.scales.get(scale) or rules.currency_scales.get(scale, Decimal(1))
    return Unit(unit.surface + (f" {scale}" if scale else ""), unit.base, factor, "money")


def _number_of_unit(before: str, scale: str, rules: Rules) -> Unit | None:
    """A bare number counts what `the number of X` names earlier in its sentence:
    the number of college graduates is expected to reach 11.79 million."""
    if rules.counting.people_before and rules.counting.people_before.search(before):
        return Unit(scale or "people", "person", rules.scales.get(scale, Decimal(1)), "people")
    match = regex.search(r"(?i)\bnumber of\s+([A-Za-z][\w\-' ]*)", before)
    if match is None:
        return None
    counted = _counted_phrase(" " + match.group(1), rules, Decimal(2))
    if counted is None:
        return None
    head, _, base, kind = counted
    return Unit(scale or head, base, rules.scales.get(scale, Decimal(1)), kind)


def _prefix_unit(text: str, start: int, rules: Rules):
    """The currency written before a number (S$, ₹, Rs, and the backquote that PDF
    text leaves for ₹); one that starts with a letter must start a word (Rs, not Mrs)."""
    before = text_before(text, start).rstrip(" \u00a0")
    for prefix in rules.prefix_units:
        if before.endswith(prefix.surface):
            head = before[: len(before) - len(prefix.surface)]
            if not (prefix.surface[0].isalpha() and head[-1:].isalpha()):
                return prefix
    return None


def _prefix_length(text: str, start: int, surface: str) -> int:
    before = text_before(text, start)
    return len(before) - len(before.rstrip(" \u00a0")) + len(surface)


@cache
def _scale_pattern(scales: tuple[str, ...]) -> patterns.Pattern:
    # Longest first: lakh crore before lakh. An abbreviation may follow without a
    # space ($3.5bn); a word needs one (5 millionaires is no 5 million).
    ordered = sorted(scales, key=len, reverse=True)
    words = "|".join(map(regex.escape, (s for s in ordered if len(s) > 2)))
    short = "|".join(map(regex.escape, (s for s in ordered if len(s) <= 2))) or "(?!)"
    return patterns.compile(rf"(?:\s+({words})|\s?({short}))\b")


def _scale(text: str, position: int, rules: Rules) -> tuple[str, int]:
    match = _scale_pattern(tuple(rules.scales)).match(text, position)
    return (match.group(1) or match.group(2), match.end()) if match else ("", position)


def _unit(text: str, position: int, scale: str, rules: Rules, value: Decimal | None) -> tuple[Unit | None, int]:
    """A unit from the catalogue, else the noun phrase of a counted thing; `value` is
    None for a number that counts nothing (2.0 is a version, not a count)."""
    factor = rules.scales.get(scale, Decimal(1))
    rest = text[position:]
    spaced = regex.match(r"\s?", rest).end()
    unit = _catalogue_unit(rest[spaced:], rules)
    if unit is not None:
        surface = f"{scale} {unit.surface}".strip() if scale else unit.surface
        return Unit(surface, unit.base, unit.factor * factor, unit.kind), position + spaced + len(unit.surface)
    counted = _counted_phrase(rest, rules, value * factor) if value is not None else None
    if counted is not None:
        head, length, base, kind = counted
        surface = f"{scale} {head}".strip()
        return Unit(surface, base, factor, kind), position + length
    return None, position


def _catalogue_unit(rest: str, rules: Rules) -> Unit | None:
    match = rules.unit_pattern.match(rest)
    if match is None or regex.match(r"[A-Za-z]", rest[match.end() : match.end() + 1]):
        return None
    return rules.units[match.group()]


def _counted_phrase(rest: str, rules: Rules, value: Decimal) -> tuple[str, int, str, str] | None:
    """(head noun, length, base unit, kind) of the noun phrase counted after a number:
    3 crore children, 4,000 more students, 5 locally built reactors. More
    than one of a thing is a plural (a 2.0 programme counts nothing); a word of
    time anywhere in it makes it a duration (two years later)."""
    counting = rules.counting
    stop = stop_words(rules.phrase.content_words)  # type: ignore[union-attr]
    words: list[str] = []
    ends: list[int] = []
    start = 0
    for match in WORDS.finditer(rest):
        last = ends[-1] if ends else start
        gap = rest[last : match.start()]
        word = match.group()
        low = word.lower()
        if gap.strip() or (words and gap == "") or len(words) >= counting.max_words:
            break
        if not words and low in counting.modifiers:
            start = match.end()  # 6,500 more students: more is no part of the noun
            continue
        if low in counting.never:
            return None
        joins = low in {"and", "or"} and words and not _plural(words[-1], counting)
        # 2 lakh UG and PG seats, 40 drought-hardy and high-value varieties:
        # modifiers joined before their noun; 1 crore women and mothers: two things.
        if not joins and (low in stop or _starts_predicate(word, words, counting)):
            break
        words.append(word)
        ends.append(match.end())
    if value != 1:
        # The counted noun is the last plural: in 23 colleges rose, colleges (rose is a verb).
        while words and (words[-1].lower() in {"and", "or"} or not _plural(words[-1], counting)):
            words.pop()
            ends.pop()
    while words and words[-1].lower() in {"and", "or"}:
        words.pop()
        ends.pop()
    if not words or not rest[:1].isspace():
        return None
    end = ends[-1]
    head = words[-1]
    low = head.lower().rsplit("-", 1)[-1]
    if low in counting.never or low in rules.scales or head in rules.units or low in rules.units:
        return None  # 3 billion Australian dollars: a unit is no counted thing
    if value != 1 and not _plural(head, counting):
        return None
    if low in counting.people or _demonym(head, rules):
        return head, end, "person", "people"
    if low in counting.households:
        return head, end, "household", "households"
    return head, end, "count", "count"


def _plural(word: str, counting) -> bool:
    low = word.lower().rsplit("-", 1)[-1]
    if low in counting.plurals:
        return True
    # SMEs, NGOs: an abbreviation's plural keeps its capitals.
    return low.endswith("s") and not low.endswith(("ss", "us", "is")) or word.endswith("s") and word[:-1].isupper()


def _demonym(word: str, rules: Rules) -> bool:
    """Singaporeans, Indians: the people of a government of the gazetteer."""
    return word.endswith("s") and word[:-1] in rules.gazetteer.people


def _starts_predicate(word: str, words: list[str], counting) -> bool:
    """A participle after a noun starts the predicate (263 projects completed, 30 lakh
    vendors giving them …); after an adverb it is a modifier (indigenously developed),
    and in a name it is a word of the name (Rural Training Centres)."""
    if not words or "-" in word or word[:1].isupper():
        return False
    # After a singular word it modifies the noun to come: food safety testing labs.
    return word.lower().endswith(("ed", "ing")) and _plural(words[-1], counting)


def _range_end(
    text: str, position: int, rules: Rules, first: Decimal, unit: Unit | None
) -> tuple[Decimal, Unit, int] | None:
    """The end of a range (0.5% to 2.5%, between $200 and $400, 5-6 per cent); its
    unit is shared when only the second number has one (between 5 and 10 per cent)."""
    for joiner in rules.range_joiners:
        if not text.startswith(joiner, position):
            continue
        before = text_before(text, position)
        if joiner.strip() == "and" and not regex.search(r"(?i)\bbetween\s+\S+(?:\s+\S+)?$", before):
            continue
        # from $500 to $700 is a change of level; range from 20% to 25% is a range.
        after_from = regex.search(r"(?i)(\b\w+\s+)?\bfrom\s+(?:\S+\s+){0,3}\S+$", before)
        ranging = after_from and (after_from.group(1) or "").strip().lower() in rules.ranging_verbs
        if joiner.strip() == "to" and after_from and not ranging:
            continue
        level = unit is not None and unit.kind not in rules.change.rate_kinds
        if joiner.strip() == "to" and level and regex.search(r"(?i)\bby\s+(?:\S+\s+){0,2}\S+$", before):
            continue  # rise by $50 to $150: a change and the level it reaches (grow by 3% to 5% is a range)
        at = position + len(joiner)
        prefix = None
        if unit is not None and unit.kind == "money":
            prefix = next((p for p in rules.prefix_units if text.startswith(p.surface, at)), None)
            if prefix is not None:
                at += len(prefix.surface) + len(text[at + len(prefix.surface) :]) - len(
                    text[at + len(prefix.surface) :].lstrip(" \u00a0")
                )
        match = NUMBER_AFTER_JOINER.match(text, at)
        if match is None:
            return None
        second = parse_english_number(match.group())
        scale, after = _scale(text, match.end(), rules)
        end_unit: Unit | None
        if prefix is not None:
            if prefix.unit.base != unit.base:
                return None
            end_unit, end = _prefixed(prefix.unit, scale, rules), after
        else:
            end_unit, end = _unit(text, after, scale, rules, second)
        if end_unit is None or (unit is not None and end_unit.base != unit.base):
            return None
        if second * end_unit.factor <= first * (unit.factor if unit is not None else end_unit.factor):
            return None
        return second, end_unit, end
    return None


def _after_comparator(text: str, position: int, rules: Rules) -> tuple[int, str | None]:
    for word, name in rules.after_comparators:
        match = regex.match(rf"\s+{regex.escape(word)}\b", text[position:])
        if match:
            return position + match.end(), name
    return position, None


def _before_comparator(before: str, rules: Rules) -> str | None:
    tail = before.rstrip().lower()
    for word, name in rules.before_comparators:
        if tail.endswith(word) and not tail[: -len(word)][-1:].isalpha():
            return name
    return next((name for pattern, name in rules.comparator_phrases if pattern.search(before)), None)


def _excluded(text: str, start: int, number_text: str, after: str, unit: Unit, rules: Rules) -> bool:
    before = text_before(text, start)
    after = after[:CONTEXT]
    for rule in rules.exclusions:
        if rule.unit_kinds and unit.kind not in rule.unit_kinds:
            continue
        checks = ((rule.before, before), (rule.number, number_text), (rule.after, after))
        if all(pattern is None or pattern.search(value) for pattern, value in checks):
            return True
    return False


# --- words -------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """spaCy's tokens, with hyphenated words put back together (ultra-long, non-working)."""
    words: list[str] = []
    glued = False
    for token in _tokenizer()(text):
        if (
            words
            and glued
            and (token.text == "-" or words[-1].endswith("-") or (token.text.isalnum() and words[-1][-1:].isalnum()))
        ):
            words[-1] += token.text
        else:
            words.append(token.text)
        glued = not token.whitespace_
    return words


@cache
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


# --- changes ------------------------------------------------------------------


def change_of_en(sentence: Sentence, quantity: Quantity, rules: Rules) -> str | None:
    at, end = quantity.start - sentence.start, quantity.end - sentence.start
    before = text_before(sentence.text, at)
    after = sentence.text[end : end + CONTEXT]
    if rules.after_increase is not None and rules.after_increase.match(after):
        return "increase"
    if rules.after_decrease is not None and rules.after_decrease.match(after):
        return "decrease"
    if quantity.unit.kind in rules.change.rate_kinds and rules.change.growth_at.search(before):
        return "increase"
    stripped = _strip_words_en(before, rules.change.filler)
    if _ends_with_word(stripped, rules.change.level_words):
        return None
    for word, direction in rules.change.words:
        if _ends_with_word(stripped, (word,)):
            rest = stripped[: len(stripped) - len(word)].rstrip().lower()
            if rest.rsplit(" ", 1)[-1] in rules.change.phrasal:
                return None  # set up 50 units, ramped up: a phrasal verb, no change
            return direction
    noun = _change_noun_of(before, rules)
    if noun is not None:
        return noun
    fillers = tuple(w for w in (*rules.change.filler, "between", "a further", "further") if w not in {"by", "of"})
    if _ends_with_word(_strip_words_en(before, tuple(sorted(fillers, key=len, reverse=True))), ("by",)):
        # ...and retail sales by 4 percent: the verb is shared with an earlier value.
        earlier = text_before(sentence.text, at, 3 * CONTEXT).lower()
        words = [*rules.change.words, *((w, "increase") for w in rules.change.by_verbs)]
        found = [(earlier.rfind(w), d) for w, d in words if regex.search(rf"\b{regex.escape(w)}\b", earlier)]
        return max(found)[1] if found else None
    return None


def _change_noun_of(before: str, rules: Rules) -> str | None:
    """economic growth in the region of 1% to 3%: the figure of a change noun."""
    match = regex.search(r"(?i)([^,;.]{0,40}?)\bof\s+(?:(?:about|around|nearly|between|up to)\s+)?$", before)
    if match is None:
        return None
    words = [w.lower() for w in regex.findall(r"[A-Za-z]+", match.group(1))]
    nouns = rules.phrase.change_nouns  # type: ignore[union-attr]
    changes = {w: d for w, d in rules.change.words if w in nouns}
    found = [changes[w] for w in words if w in changes]
    return found[-1] if found else None


def _ends_with_word(text: str, words: tuple[str, ...]) -> bool:
    """Whether `text` ends with one of `words` as a whole word (a top-up is no `up`)."""
    low = text.lower()
    return any(low.endswith(w) and not low[: -len(w)][-1:].isalpha() and low[: -len(w)][-1:] != "-" for w in words)


def _strip_words_en(text: str, words: tuple[str, ...]) -> str:
    text = text.rstrip()
    changed = True
    while changed:
        changed = False
        for word in words:
            if _ends_with_word(text, (word,)):
                text, changed = text[: -len(word)].rstrip(), True
                break
    return text
