"""English metrics: the noun phrase a figure measures (rules/en/metrics.toml [phrase]).

The places an English sentence puts what a figure measures, tried in this order:

- a counted noun: 3 crore children, 40,000 seats (the noun itself);
- the noun after a rate: 100 per cent coverage;
- a noun phrase joined by `of` before the figure: an outlay of ₹ 500 crore, a
  draw of up to $2 billion (a change noun alone, `an increase of`, is no metric);
- a phrase after the figure: $200 of food vouchers, $500 in utility rebates, 70 per
  cent of the rural population (not a denominator: 4.8 per cent of GDP);
- the subject before the verb: the fiscal deficit is estimated at …, our economy
  grew by 3.6% (a parenthesis between dashes skipped);
- `A and B are X and Y respectively`: A to X, B to Y;
- else the metric of the figure before it in the sentence (from $500 to $700, or
  0.3% of GDP, an increase of 130 per cent).

A phrase is cut to its head: `X of Y` keeps Y when X is a quantity word (the
number of students, the Revised Estimate of the fiscal deficit), keeps all when X
is a generic measure (the total amount of the fund, the cost of projects), and
keeps X otherwise (economic growth in the region); determiners and a possessor
(India's) go.
"""

from __future__ import annotations

from functools import cache

import regex

from . import patterns
from .english import ONES, TENS, stop_words
from .english import tokens as spacy_tokens
from .model import Quantity, Sentence
from .rules import EnglishPhraseRules, Rules

WORD = patterns.compile(r"[A-Za-z][\w\-'’&]*|\d[\w.,\-]*")
PUNCTUATION = patterns.compile(r"[^\w\s()]")
DASHES = frozenset({"–", "—", "--"})


def attach_metrics_en(sentence: Sentence, quantities: list[Quantity], rules: Rules) -> list[str | None]:
    phrase: EnglishPhraseRules = rules.phrase  # type: ignore[assignment]
    text = sentence.text
    spans = [(q.start - sentence.start, q.end - sentence.start) for q in quantities]
    shared = _respectively(text, spans, phrase)
    metrics: list[str | None] = []
    for index, quantity in enumerate(quantities):
        metric = shared.get(index) or _metric(text, spans, index, quantity, phrase, rules)
        if metric is not None and (len(metric) > phrase.max_chars or phrase.anaphora.fullmatch(metric)):
            metric = None
        if metric is None and index:
            metric = next((m for m in reversed(metrics) if m), None)
        metrics.append(metric)
    return metrics


def _metric(
    text: str, spans: list[tuple[int, int]], index: int, quantity: Quantity, phrase: EnglishPhraseRules, rules: Rules
) -> str | None:
    start, end = spans[index]
    previous_end = spans[index - 1][1] if index else 0
    following = spans[index + 1][0] if index + 1 < len(spans) else len(text)
    before, after = text[:start], text[end:following]
    unit = quantity.unit
    of_before = phrase.of_before.search(before)
    if _counted(unit, rules):
        counted = _counted_metric(text[start:end], unit.surface, phrase, rules)
        if counted is not None and counted.lower() in phrase.people_heads and of_before is not None:
            # additional employment of 50 lakh persons: persons say who, not what
            owner = _shape(_phrase_before(_tokens(before[: of_before.start()]), phrase, noun=True), phrase)
            return owner or counted
        if counted is not None:
            return counted
    if index and phrase.appositive.search(text[previous_end:start]):
        return None  # , or 0.3% of GDP / , an increase of 130 per cent: the figure before
    if not _counted(unit, rules):
        # 100 per cent coverage, a $700 million Green Fund, a 600 MW solar plant
        noun = _noun_after(after, phrase)
        if noun is not None and noun.lower() not in phrase.empty_heads:
            return noun
    linked = _linked_after(after, unit.kind, phrase)
    if linked and unit.kind not in phrase.rate_kinds | {"money"} and regex.match(r"\s+of\s", after):
        return linked  # 100 GW of nuclear energy
    if of_before is not None:
        words = _phrase_before(_tokens(before[: of_before.start()]), phrase, noun=True)
        head = words[-1].lower() if words else ""
        if head in phrase.empty_heads:
            # up to a cap of $10,000: the figure before says what, else the subject
            return None if index else _subject(before, phrase)
        if head in phrase.transfer_heads:
            recipient = phrase.recipient.match(after)
            if recipient:
                return _shape(_forward(_tokens(after[recipient.end() :]), phrase), phrase)
        elif words and not (len(words) == 1 and head in phrase.change_nouns):
            return _shape(words, phrase)
        elif words:
            # a drop of 3 percent in energy consumption: what changes follows
            return linked or _linked_after(after, "money", phrase)
    if linked:
        return linked
    after_figure = index and _only_predicates(text[previous_end:start], phrase)
    if after_figure and not _linked_figure(text, spans[index - 1], phrase):
        return None  # increased 100 per cent from 65,000: the figure before says what
    # We will spend $5 billion on X, set aside $3 billion for Y: with no subject to
    # name it, what the money goes to does.
    return _subject(before, phrase) or _linked_after(after, "money", phrase, phrase.purpose_links)


def _only_predicates(between: str, phrase: EnglishPhraseRules) -> bool:
    """Whether only verbs, comparators, determiners and a time (in 2024, today) stand
    between two figures: the second then measures what the first does (will rise to
    9 per cent in 2024, from 8 per cent today)."""
    allowed = phrase.predicates | phrase.determiners | phrase.trailing | {",", "in", "this", "next", "last", "year"}
    return all(token.lower() in allowed or regex.fullmatch(r"(?:FY)?\d{4}", token) for token in _tokens(between))


def _linked_figure(text: str, span: tuple[int, int], phrase: EnglishPhraseRules) -> bool:
    """Whether a figure stands inside a noun phrase (the students in 20 colleges have …)."""
    tokens = _tokens(text[: span[0]])
    return bool(tokens) and tokens[-1].lower() in phrase.inner_words


def _counted(unit, rules: Rules) -> bool:
    return unit.kind in {"count", "people", "households"} and unit.surface.split()[-1] not in rules.units


def _counted_metric(figure: str, surface: str, phrase: EnglishPhraseRules, rules: Rules) -> str | None:
    """The counted noun as written, cut to its head and the few words before it:
    2 lakh UG and PG nursing college seats -> PG nursing college seats."""
    words = WORD.findall(figure)
    head = surface.split()[-1]
    if head not in words:
        return None  # a bare number that counts what `the number of X` names
    words = words[: len(words) - words[::-1].index(head)]
    while words and (words[0][0].isdigit() or _number_word(words[0], rules)):
        words.pop(0)
    if any(w.lower() in {"and", "or"} for w in words):
        last = max(i for i, w in enumerate(words) if w.lower() in {"and", "or"})
        words = words[last + 1 :]
    while words and (words[0].lower() in phrase.counted_skip or words[0].lower().endswith("ly")):
        words.pop(0)
    if len(words) > phrase.counted_words and not all(w[:1].isupper() for w in words):
        words = words[-phrase.counted_words :]
    if len(words) == 1 and words[0].lower() in phrase.empty_counts:
        return None
    return " ".join(words) or None


def _number_word(word: str, rules: Rules) -> bool:
    low = word.lower()
    return low in ONES or low in TENS or low in rules.scales or low == "hundred"


def _noun_after(after: str, phrase: EnglishPhraseRules) -> str | None:
    """100 per cent coverage: a noun right after a rate is what it measures."""
    tokens = _tokens(after)
    if not tokens or not tokens[0][:1].isalpha() or not after[:1].isspace():
        return None
    if tokens[0].lower() in stop_words(phrase.content_words) or tokens[0].lower() in phrase.links:
        return None
    words = _forward(tokens, phrase)
    return _shape(words, phrase) if words else None


def _linked_after(
    after: str, unit_kind: str, phrase: EnglishPhraseRules, links: frozenset[str] | None = None
) -> str | None:
    """$200 of food vouchers, $500 in utility rebates, 70 per cent of the rural
    population; a rate of a denominator (4.8 per cent of GDP) measures its subject."""
    if links is None:
        links = phrase.rate_links if unit_kind in phrase.rate_kinds else phrase.after_links
    # $2 billion over the next four years into clean energy: the time phrase is skipped.
    leading = phrase.leading_time.match(after)
    after = after[leading.end() :] if leading else after
    match = regex.match(r"\s+(\w+)\s+", after)
    if match is None or match.group(1).lower() not in links:
        return None
    words = _forward(_tokens(after[match.end() :]), phrase)
    if not words or " ".join(words).lower() in phrase.denominators or words[-1].lower() in phrase.denominators:
        return None
    return _shape(words, phrase)


def _subject(before: str, phrase: EnglishPhraseRules) -> str | None:
    """The noun phrase before the verb of the figure: the fiscal deficit is
    estimated to be …, the resident unemployment rate, at …"""
    tokens = _tokens(before)
    skipped = False
    while tokens:
        low = tokens[-1].lower()
        participle = low.endswith("ing") and low.isalpha() and not tokens[-1][:1].isupper()
        if participle and not _verb_skipped(before, tokens, phrase):
            # 9,000 claims involving over ₹ 2 lakh crore: the participle, then its noun
            skipped = True
            tokens.pop()
        elif low in phrase.predicates or low in phrase.determiners or _participle_or_adverb(tokens[-1]):
            # will be permanently raised to, capped at: a predicate, no part of the phrase
            skipped = True
            tokens.pop()
        elif low in phrase.relatives and skipped:
            tokens.pop()  # consumption taxes that range from …
        elif tokens[-1] == "," and skipped:
            # the rate, at 2.8%; income taxes, usually much higher than 30%: the phrase
            # before the comma; a parenthesis between commas (, excluding X,) is skipped.
            tokens.pop()
            tokens = _without_parenthesis(tokens, phrase)
        elif tokens[-1] in DASHES and tokens[:-1].count(tokens[-1]):
            # These enhancements – all of them – will cost: the parenthesis is skipped.
            tokens = tokens[: len(tokens) - 1 - tokens[-2::-1].index(tokens[-1]) - 1]
        else:
            break
    words = _phrase_before(_without_time(tokens, phrase), phrase)
    return _shape(words, phrase) if words else None


def _without_time(tokens: list[str], phrase: EnglishPhraseRules) -> list[str]:
    """The net tax receipts for 2025-26 are …, social spending in particular has …:
    a time adjunct or an adverbial phrase (metrics.toml `parenthetical`) is no part
    of the phrase."""
    text = " ".join(tokens)
    cut = phrase.time_adjunct.search(text) or _adverbial(phrase.parenthetical).search(text)
    return _tokens(text[: cut.start()]) if cut else tokens


@cache
def _adverbial(words: tuple[str, ...]) -> patterns.Pattern:
    multi = sorted((w for w in words if " " in w), key=len, reverse=True)
    if not multi:
        return patterns.compile("(?!)")
    return patterns.compile(r"(?i)\s+(?:" + "|".join(map(regex.escape, multi)) + r")$")




def _verb_skipped(before: str, tokens: list[str], phrase: EnglishPhraseRules) -> bool:
    """Whether words other than comparators stand between these tokens and the figure."""
    rest = _tokens(before)[len(tokens) :]
    return any(token.lower() not in phrase.comparator_words for token in rest)


def _without_parenthesis(tokens: list[str], phrase: EnglishPhraseRules) -> list[str]:
    """Government spending today, excluding X, stands at: drop `, excluding X`."""
    if "," not in tokens:
        return tokens
    comma = len(tokens) - 1 - tokens[::-1].index(",")
    opener = " ".join(tokens[comma + 1 : comma + 3]).lower()
    if any(opener == o or opener.startswith(o + " ") for o in phrase.parenthetical):
        return tokens[:comma]
    return tokens


def _joins_nouns(left: str, phrase: EnglishPhraseRules) -> bool:
    """Whether `and` after this word joins two nouns (imports and exports), not two
    clauses (we cut taxes and …)."""
    low = left.lower()
    noun_like = low not in phrase.verbs and low not in stop_words(phrase.content_words) and not low.endswith("ed")
    return left[:1].isalpha() and noun_like


def _participle_or_adverb(token: str) -> bool:
    """raised, capped, permanently: a phrase does not end in these (words of a name,
    capitalised, aside)."""
    low = token.lower()
    return token.isalpha() and not token[:1].isupper() and low.endswith(("ed", "ly")) and len(low) > 4


def _phrase_before(tokens: list[str], phrase: EnglishPhraseRules, noun: bool = False) -> list[str]:
    """The noun phrase that ends the tokens, read backwards: up to a determiner (not
    kept), a verb, a pronoun, a clause word or a punctuation mark. `noun`: the last
    word is a noun even if it can be a verb (a draw of, a fund of)."""
    stop = stop_words(phrase.content_words)
    words: list[str] = []
    for position in range(len(tokens) - 1, -1, -1):
        token = tokens[position]
        low = token.lower()
        previous = tokens[position - 1].lower() if position else ""
        after_adverb = previous.endswith("ly") and previous.isalpha()
        before_verb = previous in phrase.auxiliaries | phrase.pronouns or after_adverb
        if not words and low in phrase.verbs and not noun and before_verb:
            break  # it would allocate ¥2 trillion: a verb, not a phrase
        if not words and not token[:1].isalpha():
            break  # from the current ₹ 10 lakh: a figure is no phrase
        if words and low.endswith("ing") and words[0].lower() in phrase.links and previous in {",", ";", "–", "—"}:
            break  # …, leading to lower fees: a participle and its object
        if not words and low in phrase.links:
            break  # resulting in, depending on: no phrase ends in a preposition
        if low in phrase.determiners:
            if position and tokens[position - 1].lower() in phrase.inner_words and words:
                words.insert(0, token)  # the cost of the projects: the phrase goes on
                continue
            break
        if token == ")" and not words and "(" in tokens[:position]:
            # Core inflation (non-food, non-fuel) is …: the bracket is no part of it.
            opening = position - 1 - tokens[position - 1 :: -1].index("(")
            return _phrase_before(tokens[:opening], phrase, noun)
        if token in {"(", ")", "'s", "’s", "'", "’"}:
            words.insert(0, token)
            continue
        if token == "," and words and any(w.lower() in {"and", "or"} for w in words):
            words.insert(0, token)  # investments in research, innovation, and enterprise
            continue
        if noun and low == "for" and words:
            break  # … every year for annual interest subvention of: X of is the nearest phrase
        if low == "than" and position and tokens[position - 1].lower() == "other":
            words.insert(0, token)  # total receipts other than borrowings
            continue
        if low in {"and", "or"} and words and position and _joins_nouns(tokens[position - 1], phrase):
            words.insert(0, token)  # total imports and exports, research and development
            continue
        if PUNCTUATION.match(token) or low in phrase.boundaries:
            break
        if low in stop and low not in phrase.inner_words:
            break
        # of full-time employed residents: after a preposition, a participle modifies.
        after_link = any(w.lower() in phrase.inner_words for w in tokens[max(0, position - 2) : position])
        after_link = after_link or (bool(words) and words[0].lower() == "of")  # value added of
        if words and _verb_like(token, tokens[position - 1] if position else "", phrase) and not after_link:
            break
        if len(words) >= phrase.max_words:
            break
        if words and position and tokens[position - 1].lower() in phrase.pronouns:
            break  # they impose high taxes: the word after a pronoun is its verb
        words.insert(0, token)
    while words and words[0].lower() in phrase.inner_words | {"(", ")", "and", "or", ","}:
        words.pop(0)
    return words


def _verb_like(token: str, before: str, phrase: EnglishPhraseRules) -> bool:
    """A word of the verb list, or one ending in -ed/-ing that follows no determiner
    or preposition: UPI linked credit cards (a verb), the enhanced support, from
    of enhanced loans (modifiers)."""
    low = token.lower()
    if token[:1].isupper() or before.lower() in phrase.determiners:
        return False  # a word of a name (the Green Transition Fund), a noun (the increase)
    if low in phrase.verbs:
        return True
    if "-" in token:
        return False
    if low.endswith("ing"):
        # we are increasing taxes (a verb); public spending, existing schemes (nouns)
        return before.lower() in phrase.auxiliaries or before.lower() in phrase.boundaries
    modifier = before.lower() in phrase.determiners or before.lower() in phrase.links
    return low.endswith("ed") and not modifier


def _forward(tokens: list[str], phrase: EnglishPhraseRules) -> list[str]:
    """A noun phrase read forward: no leading determiner, up to a stop word (a link
    or `and` inside it aside), a number, a verb or a punctuation mark."""
    stop = stop_words(phrase.content_words)
    words: list[str] = []
    for token in tokens:
        low = token.lower()
        if not words and low in phrase.determiners:
            continue
        if token in {"(", ")", "'s", "’s", "'", "’"} and words:
            words.append(token)
            continue
        if not token[:1].isalpha() or PUNCTUATION.match(token) or regex.fullmatch(r"(?:FY)?\d{2,4}", token):
            break
        if (low in phrase.boundaries or low in stop) and low not in phrase.inner_words and low != "and":
            break
        if words and _verb_like(token, words[-1], phrase):
            break
        words.append(token)
        if len(words) >= phrase.max_words:
            break
    while words and words[-1].lower() in phrase.inner_words | {"and", "(", "'s", "’s"}:
        words.pop()
    return words


def _shape(words: list[str], phrase: EnglishPhraseRules) -> str | None:
    """A noun phrase cut to its head (see the module docstring)."""
    # A year or financial year is no part of a metric: the FY2022 draw, 2025 targets.
    words = [w for w in words if not regex.fullmatch(r"(?:FY\s?)?(?:19|20)\d\d(?:[-–/]\d{2,4})?", w)]
    possessor = [i for i, w in enumerate(words) if w in {"'s", "’s"} or w.endswith(("'s", "’s"))]
    if possessor:
        words = words[possessor[-1] + 1 :]  # India's rural population
    while words and words[0].lower() in phrase.determiners:
        words = words[1:]
    links = [i for i, w in enumerate(words) if i and w.lower() in phrase.links]
    if links:
        head, whole = words[: links[0]], words[links[0] + 1 :]
        tail = _cut(whole, phrase)
        last = head[-1].lower() if head else ""
        named = " ".join(head).lower()
        generic = last in phrase.generic_heads or named in phrase.generic_heads
        if (last in phrase.quantity_heads or named in phrase.quantity_heads) and tail:
            words = tail
        elif generic and tail and words[links[0]].lower() in {"of", "on"}:
            # the total amount of the Fund: the determiner inside stays.
            words = [*head, words[links[0]], *_cut(whole, phrase, keep_determiner=True)]
        else:
            words = head
    words = [w for w in words if w]
    while words and (words[0].lower() in phrase.determiners or not words[0][:1].isalpha()):
        words = words[1:]  # 9,000 claims: the number is no part of it
    while words and words[-1].lower() in phrase.trailing:
        words = words[:-1]  # public spending today
    if words and words[-1].lower() in phrase.time_heads:
        return None  # the current financial year: a time, not a metric
    if not words or not any(w[:1].isalpha() for w in words):
        return None
    if len(words) > phrase.head_words and not any(w in {"(", ")"} for w in words):
        words = words[-phrase.head_words :]
    words = _balanced(words)
    text = " ".join(words).replace("( ", "(").replace(" )", ")").replace(" '", "'").replace(" ’", "’")
    return text if regex.search(r"[A-Za-z]", text) else None


def _balanced(words: list[str]) -> list[str]:
    """Without a bracket that is not closed (subsidy (maximum) or not opened (MDI))."""
    if words.count("(") == words.count(")"):
        return words
    if "(" in words and ")" not in words:
        return words[: words.index("(")]
    return words[len(words) - words[::-1].index(")") :] if ")" in words and "(" not in words else words


def _cut(words: list[str], phrase: EnglishPhraseRules, keep_determiner: bool = False) -> list[str]:
    """The words before the next link, without a determiner unless asked to keep it."""
    cut = next((i for i, w in enumerate(words) if i and w.lower() in phrase.links), len(words))
    words = words[:cut]
    while words and words[0].lower() in phrase.determiners and not keep_determiner:
        words = words[1:]
    return words


def _respectively(text: str, spans: list[tuple[int, int]], phrase: EnglishPhraseRules) -> dict[int, str]:
    """A and B are estimated at X and Y respectively: A measures X, B measures Y; the
    gross and net borrowings … respectively: gross borrowings, net borrowings."""
    shared: dict[int, str] = {}
    runs: list[list[int]] = []
    for index in range(len(spans)):
        between = text[spans[index - 1][1] : spans[index][0]].strip() if index else ""
        if index and between in {",", "and", ", and"}:
            runs[-1].append(index)
        else:
            runs.append([index])
    for run in runs:
        if len(run) < 2 or not regex.match(r"\s+respectively\b", text[spans[run[-1]][1] :]):
            continue
        tokens = _tokens(text[: spans[run[0]][0]])
        while tokens and tokens[-1].lower() in phrase.predicates:
            tokens.pop()
        tokens = _without_time(tokens, phrase)
        parts = regex.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", " ".join(tokens))
        if len(parts) < len(run):
            continue
        metrics = [_shape(_phrase_before(_tokens(part), phrase), phrase) for part in parts[-len(run) :]]
        last = metrics[-1].split() if metrics[-1] else []
        # gross and net market borrowings: a lone modifier shares the last head.
        metrics = [
            f"{m} {' '.join(last[1:])}" if m and " " not in m and m.islower() and len(last) > 1 else m
            for m in metrics
        ]
        if all(metrics):
            shared.update({index: metric for index, metric in zip(run, metrics, strict=True) if metric})
    return shared


def _tokens(text: str) -> list[str]:
    """spaCy's tokens of `text`, without the white space ones."""
    return [token for token in spacy_tokens(text) if token.strip()]
