"""Load the rule data in rules/<lang>/*.toml into one typed, compiled object.

The rules are data: adding a unit or a comparator word touches a TOML file only.
This module validates them (a bad rule file fails loudly, naming the file) and
compiles their patterns once. TOML is read with tomli, the library the standard
library's tomllib was taken from, same parser and errors: its wheels are compiled
(mypyc), and reading the rules is then a ninth of every start of extract, not a fifth.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import regex
import tomli

from . import patterns
from .model import Unit

T = TypeVar("T")

RULE_FILES = (
    "units",
    "scales",
    "comparators",
    "changes",
    "exclusions",
    "time",
    "document",
    "metrics",
    "noise",
    "dictionary",
    "glossary",
    "indicators",
)
# Rule files read by one stage only, also checked for their examples: the names of
# governments (document facts) and how `extract track` pairs figures.
OPTIONAL_RULE_FILES = ("gazetteer", "track")


class RuleError(ValueError):
    """A rule file is malformed."""


def rules_root() -> Path:
    """Where rules/ lives: $EXTRACT_RULES, the copy inside a wheel, or the repo."""
    if env := os.environ.get("EXTRACT_RULES"):
        return Path(env)
    packaged = Path(__file__).with_name("rules")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


@dataclass(frozen=True)
class Exclusion:
    name: str
    before: patterns.Pattern | None
    number: patterns.Pattern | None
    after: patterns.Pattern | None
    unit_kinds: frozenset[str]
    unit_surfaces: frozenset[str]
    chinese_only: bool


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: patterns.Pattern
    kind: str
    year: str
    running: bool
    at_start: bool
    whole_sentence: bool = False
    # scope "clause": holds from the cue to the next clause end only (预计, 有望).
    clause: bool = False
    # A sentence cue that also governs the figures before it when no cue stands
    # before them (a year span in brackets after the figure).
    reach_back: bool = True


@dataclass(frozen=True)
class ChangeRules:
    # Every change word with its direction, longest first.
    words: tuple[tuple[str, str], ...]
    filler: tuple[str, ...]
    # Words that make any amount a difference (减少1200人, 增长20亿元).
    difference: frozenset[str]
    # Decrease verbs that may open a clause before their object (压减一般性支出2.3亿元).
    verb_object_decrease: tuple[str, ...]
    # 到/至/为 after a verb: the value is a level (降至3%).
    level_words: tuple[str, ...]
    comparison: tuple[patterns.Pattern, ...]
    rate_kinds: frozenset[str]
    # Between two values: the second restates the first as a hope (、力争达到).
    continued: patterns.Pattern
    # Words before a change word that make a phrasal verb of it (set up, ramp up).
    phrasal: frozenset[str] = frozenset()
    # A growth verb or noun before `at` makes a rate a change: grow at 2% to 3%.
    growth_at: patterns.Pattern | None = None
    # Verbs that make a change of a later `by N` only (raise the rate by 1.5 points).
    by_verbs: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlaceComparison:
    """A figure compared with another place or an average (高于全国0.9个百分点).
    `pattern` matches the words right before the figure (zh) or right after it
    (`after`, en); its group `place` is what the figure is compared with, and
    group `higher` or `lower` says which way."""

    pattern: patterns.Pattern
    after: bool


@dataclass(frozen=True)
class PhraseRules:
    max_before: int
    max_after: int
    stop_words: frozenset[str]
    stop_after: frozenset[str]
    predicates_after: frozenset[str]
    stop_tags_after: frozenset[str]
    skip_before: frozenset[str]
    strip_left: frozenset[str]
    modal_left: frozenset[str]
    # Both lists together: every word that may be stripped off a metric's left end.
    left_words: frozenset[str]
    strip_left_tags: frozenset[str]
    keep: frozenset[str]
    # Any of metrics.toml's anaphora patterns, as one.
    anaphora: patterns.Pattern
    verb_tags: frozenset[str]
    noun_tags: frozenset[str]
    modifier_tags: frozenset[str]
    joined_levels: patterns.Pattern
    distributed: patterns.Pattern
    list_separators: tuple[str, ...]
    # Splits a list at its separators.
    list_pattern: patterns.Pattern
    bound_suffixes: tuple[str, ...]
    share_words: tuple[str, ...]
    adverbial: frozenset[str]
    # Tags of words that modify a noun inside a subject (脱贫人口) and are not stripped there.
    modifying_tags: frozenset[str]
    # Tags of verbs used as nouns (建设, 投资): after the verb of an object, they stay.
    noun_verb_tags: frozenset[str]
    # A verb before one noun this short makes a compound with it (签约金额).
    compound_noun_max: int
    # Tags of time words, and the characters a real time word has (上半年, 当前).
    time_tags: frozenset[str]
    time_characters: str
    # Words that join a figure to the thing it measures after it (76%的财力).
    of_words: tuple[str, ...]
    # Tags of words dropped at the left end of a phrase cut by length (以上).
    cut_tags: frozenset[str]
    # Verbs of completion that stand between a subject and its count (已开工74个), and
    # the adverbs before them, longest first.
    trailing_predicates: tuple[str, ...]
    trailing_adverbs: tuple[str, ...]
    # Words that close a list before its count (首店、旗舰店等50家), longest first.
    list_closers: tuple[str, ...]
    # Verbs that count what comes before into the category after (纳入, 入选).
    membership_verbs: frozenset[str]
    membership_links: frozenset[str]
    # Tags of one-character words that end the noun before them (边贸 + 点).
    suffix_tags: frozenset[str]
    # A phrase ending in one of these is a modifier without its noun (历史性): no metric.
    modifier_endings: tuple[str, ...]


@dataclass(frozen=True)
class EnglishPhraseRules:
    """How an English metric phrase is found and cut (rules/en/metrics.toml [phrase])."""

    max_words: int
    max_chars: int
    head_words: int
    counted_words: int
    determiners: frozenset[str]
    predicates: frozenset[str]
    boundaries: frozenset[str]
    inner_words: frozenset[str]
    verbs: frozenset[str]
    links: frozenset[str]
    after_links: frozenset[str]
    rate_links: frozenset[str]
    rate_kinds: frozenset[str]
    quantity_heads: frozenset[str]
    generic_heads: frozenset[str]
    change_nouns: frozenset[str]
    empty_heads: frozenset[str]
    empty_counts: frozenset[str]
    counted_skip: frozenset[str]
    transfer_heads: frozenset[str]
    denominators: frozenset[str]
    anaphora: patterns.Pattern
    appositive: patterns.Pattern
    of_before: patterns.Pattern
    recipient: patterns.Pattern
    # What stands between the figures of one list (canonical.py shares a head over it).
    list_separators: tuple[str, ...]
    # Words that open a parenthesis between commas: , excluding X,
    parenthetical: tuple[str, ...] = ()
    # Words of time or distribution that end no metric (public spending today).
    trailing: frozenset[str] = frozenset()
    # Heads that make a phrase a time (the current financial year): no metric.
    time_heads: frozenset[str] = frozenset()
    # Counted nouns that say who, not what (50 lakh persons): an `of` phrase before wins.
    people_heads: frozenset[str] = frozenset()
    # Words before a verb (will, can, to) and subject pronouns: what follows them is a verb.
    auxiliaries: frozenset[str] = frozenset()
    pronouns: frozenset[str] = frozenset()
    # Comparator words that may stand between a participle and its figure (involving over).
    comparator_words: frozenset[str] = frozenset()
    # Links to what money goes to (spend $X on Y), read when nothing else names it.
    purpose_links: frozenset[str] = frozenset()
    content_words: frozenset[str] = frozenset()
    relatives: frozenset[str] = frozenset()
    leading_time: patterns.Pattern = patterns.compile("(?!)")
    time_adjunct: patterns.Pattern = patterns.compile("(?!)")


@dataclass(frozen=True)
class When:
    """A time phrase inside an English sentence (rules/en/time.toml [[when]])."""

    name: str
    pattern: patterns.Pattern
    year: str
    kind: str | None


@dataclass(frozen=True)
class TenseRules:
    """How an English clause tells a target, an actual and an estimate (time.toml [tense])."""

    estimate: patterns.Pattern
    future: patterns.Pattern
    past: patterns.Pattern
    past_regular: patterns.Pattern
    present: patterns.Pattern
    not_subjects: frozenset[str]
    background: patterns.Pattern
    # Other countries in a clause's subject: a figure of theirs is background (other).
    foreign: patterns.Pattern
    foreign_places: tuple[str, ...]
    change_from: patterns.Pattern
    change_to: patterns.Pattern
    level_before: patterns.Pattern
    clause_break: patterns.Pattern
    # Opens a relative clause: its time phrases are its own.
    relative: patterns.Pattern
    whens: tuple[When, ...]


@dataclass(frozen=True)
class CountingRules:
    """English things counted by a noun (12 million urban jobs)."""

    max_words: int
    people: frozenset[str]
    households: frozenset[str]
    never: frozenset[str]
    people_before: patterns.Pattern | None = None
    # Nouns that count in the plural without an -s (children, youth, personnel).
    plurals: frozenset[str] = frozenset()
    # Words between a number and the noun it counts that are no part of the noun (more).
    modifiers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LineJoinRules:
    sentence_ends: str
    min_chars_without_sentence_end: int
    ends_inside: patterns.Pattern
    continues: patterns.Pattern
    # What a removed line break leaves: "" (Chinese) or " " (English).
    joiner: str
    # A line at least this long (0: no such rule) goes on into the next line that
    # `continues_wide` matches, if no blank line stands between.
    wide_line_chars: int
    continues_wide: patterns.Pattern
    # Hard-wrapped text (the lines of a PDF page): when at least this share of the
    # text lines are as wide as the widest common width (0: no such rule), a line
    # of that width that ends inside a sentence goes on into the next line.
    wrapped_share: float = 0.0


@dataclass(frozen=True)
class Canonical:
    """A standard indicator (rules/<lang>/indicators.toml): a stable code, its English
    name, and the unit kinds its figures may have (empty: any)."""

    code: str
    english: str
    unit_kinds: frozenset[str]


@dataclass(frozen=True)
class IndicatorRules:
    # Every name (casefolded) -> its indicator.
    by_name: dict[str, Canonical]
    # Scope words taken off a metric's left end, longest first.
    scope_prefixes: tuple[str, ...]
    # A word that names two things at once (城乡) -> its parts, in the order a list gives them.
    paired: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Words that mark a share written after its amount (占): such a figure takes no
    # indicator of its amount.
    share_markers: tuple[str, ...] = ()
    # Patterns of scope words (全疆): tried after the listed prefixes.
    prefix_patterns: tuple[patterns.Pattern, ...] = ()
    # The names as written (not casefolded) by their first character, with their code.
    names_by_first: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Gazetteer:
    """Names of administrative divisions (rules/zh/gazetteer.toml), for the region of a
    report that names itself only in passing."""

    # A short name (广西, 江宁) -> the full names it stands for (广西壮族自治区; 江宁区).
    full_by_short: dict[str, tuple[str, ...]]
    # A name mentioned fewer times than this is not taken as the report's own.
    min_mentions: int
    # English (rules/en/gazetteer.toml): a government -> the words that name it
    # (Singapore, Singaporean), and its currency.
    governments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    currencies: dict[str, str] = field(default_factory=dict)
    # The words that name a people (Singaporean): with an -s they count persons.
    people: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PrefixUnit:
    """A unit written before its number (百分之五) or between two (三分之一)."""

    surface: str
    unit: Unit


@dataclass(frozen=True)
class Rules:
    """Everything the pipeline knows of one language, compiled from rules/<lang>/."""

    units: dict[str, Unit]
    unit_pattern: patterns.Pattern
    prefix_units: tuple[PrefixUnit, ...]
    fraction: PrefixUnit
    spaces: str
    scales: dict[str, Decimal]
    scale_pattern: patterns.Pattern
    # scales.toml [currency_scale]: scale letters read right after a currency's number (£3m).
    currency_scales: dict[str, Decimal]
    bare_scale_after: tuple[str, ...]
    before_comparators: tuple[tuple[str, str], ...]
    # comparators.toml `phrase`: a bound named by a noun phrase before the figure
    # (English: the maximum quantum will be raised to), with its comparator.
    comparator_phrases: tuple[tuple[patterns.Pattern, str], ...]
    before_comparator_words: tuple[str, ...]
    between_comparators: dict[str, str]
    after_comparators: tuple[tuple[str, str], ...]
    range_joiners: tuple[str, ...]
    # comparators.toml [range] ranging_verbs: after these `from X to Y` is a range.
    ranging_verbs: frozenset[str]
    # noise.toml [sentences]: abbreviations after which a sentence goes on (No. 1).
    abbreviation_end: patterns.Pattern
    change: ChangeRules
    exclusions: tuple[Exclusion, ...]
    # The exclusions that can apply to a unit of each kind, in their order.
    exclusions_by_kind: dict[str, tuple[Exclusion, ...]]
    report_year_patterns: tuple[tuple[patterns.Pattern, int], ...]
    cues: tuple[Cue, ...]
    # Matches wherever one of the cues that are searched for (not at_start) matches,
    # and maybe elsewhere: a sentence it does not match has none of them.
    cue_filter: patterns.Pattern | None
    # Matches at the start of a sentence wherever one of the at_start cues does.
    start_cue_filter: patterns.Pattern | None
    heading_max_chars: int
    # A short line ending in one of these is a sentence, not a heading (English `.`).
    heading_not_ending: str
    # noise.toml [script] han: the text may be in traditional script, converted by OpenCC.
    han_script: bool
    region_patterns: tuple[patterns.Pattern, ...]
    admin_suffixes: tuple[str, ...]
    # Words of party and state organs that no place name holds (市委, 人大).
    organ_words: tuple[str, ...]
    local_currency: dict[str, str]
    # Currencies that a plain `$` or `dollars` names in a text of their government.
    local_dollars: frozenset[str]
    pinyin: patterns.Pattern
    # noise.toml [inline]: noise inside a line, removed (Hansard's [Applause.]).
    inline_noise: tuple[patterns.Pattern, ...]
    # Any of noise.toml's boilerplate patterns, joined: one search per line.
    boilerplate: patterns.Pattern | None
    line_join: LineJoinRules
    phrase: PhraseRules | EnglishPhraseRules
    dictionary: tuple[str, ...]
    # Words that jieba tags as verbs or adjectives but that are nouns in a metric.
    nouns: frozenset[str]
    glossary_terms: dict[str, str]
    # Head words and their gloss, longest first.
    glossary_heads: tuple[tuple[str, str], ...]
    glossary_head_words: frozenset[str]
    # Terms by their first character: the ones a metric can contain.
    glossary_by_first: dict[str, tuple[tuple[str, str], ...]]
    # Terms and modifiers (glossary.toml [modifiers]) by first character, for glossing
    # the words before a head word.
    glossary_parts_by_first: dict[str, tuple[tuple[str, str], ...]]
    # Words that may stand between a metric and its number (verbs, comparator and
    # change words), longest first.
    predicate_words: tuple[str, ...]
    predicate_word_set: frozenset[str]
    gazetteer: Gazetteer = field(default_factory=lambda: Gazetteer({}, 0))
    indicators: IndicatorRules = field(default_factory=lambda: IndicatorRules({}, ()))
    language: str = "zh"
    counting: CountingRules | None = None
    # English: a change written after the value (300 billion yuan more than last year).
    after_increase: patterns.Pattern | None = None
    after_decrease: patterns.Pattern | None = None
    # English names of governments -> the contract's region (State Council -> 国务院).
    region_names: dict[str, str] = field(default_factory=dict)
    # English: what must stand before a multiple (grew 1.5 times, not met three times).
    multiple_context: patterns.Pattern | None = None
    # changes.toml [place_comparison]: figures compared with another place.
    place_comparison: PlaceComparison | None = None
    # time.toml [tense] and [[when]] (English): kind and year inside a sentence.
    tense: TenseRules | None = None


def _read(root: Path, lang: str, name: str) -> dict[str, Any]:
    path = root / lang / f"{name}.toml"
    try:
        return tomli.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomli.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: {exc}") from exc


def _compile(pattern: str, where: str, currencies: tuple[str, ...] = ()) -> patterns.Pattern:
    """Compile a rule's pattern. `(?&currency)` in it calls a group of the currencies
    written before a number (units.toml [[prefix_unit]]): a currency is named there only."""
    if "(?&currency)" in pattern:
        ordered = sorted(currencies, key=len, reverse=True)
        alternatives = "|".join(map(regex.escape, ordered)) or "(?!)"
        pattern += f"(?(DEFINE)(?P<currency>{alternatives}))"
    try:
        return patterns.compile(pattern)
    except regex.error as exc:
        raise RuleError(f"{where}: bad pattern {pattern!r}: {exc}") from exc


def _by_first_character(words: dict[str, str]) -> dict[str, tuple[tuple[str, str], ...]]:
    index: dict[str, list[tuple[str, str]]] = {}
    for word, english in words.items():
        if word:
            index.setdefault(word[0], []).append((word, english))
    return {first: tuple(entries) for first, entries in index.items()}


def any_of(each: list[patterns.Pattern]) -> patterns.Pattern | None:
    """One pattern that matches where any of `each` does (None for none)."""
    return patterns.compile("|".join(f"(?:{p.pattern})" for p in each)) if each else None


# What `built_once` has built, by the identity of its owner and a key.
_BUILT: dict[tuple[int, Any], tuple[object, Any]] = {}


def built_once(owner: object, key: Any, build: Callable[..., T], *args: Any) -> T:
    """`build(*args)`, made once for `owner` (rules, a word list of them, the
    gazetteer) and `key`. Found by the owner's identity: hashing a tuple of hundreds
    of words, or the rules, on every lookup would cost more than the lookup. The
    owner is kept with what was built, so that another object later given the same
    id is not handed it."""
    entry = _BUILT.get((id(owner), key))
    if entry is None or entry[0] is not owner:
        entry = owner, build(*args)
        _BUILT[(id(owner), key)] = entry
    return entry[1]


def _alternation(words: list[str]) -> patterns.Pattern:
    """One pattern matching any of the words, longest first (so 个百分点 beats 个)."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return patterns.compile("|".join(regex.escape(w) for w in ordered))


def _units(data: dict[str, Any]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for entry in data["unit"]:
        for surface in entry["surface"]:
            if surface in units:
                raise RuleError(f"units.toml: surface {surface!r} defined twice")
            units[surface] = Unit(surface, entry["base"], Decimal(entry["factor"]), entry["kind"])
    return units


def _comparators(data: dict[str, Any]) -> tuple[list, dict, list]:
    before, between, after = [], {}, []
    for entry in data["comparator"]:
        name = entry["name"]
        before += [(w, name) for w in entry.get("before", [])]
        after += [(w, name) for w in entry.get("after", [])]
        between.update({w: name for w in entry.get("between", [])})
    # Longest first, so that 不超过 is tried before 超过 and 及以上 before 以上.
    before.sort(key=lambda pair: -len(pair[0]))
    after.sort(key=lambda pair: -len(pair[0]))
    return before, between, after


def _indicators(data: dict[str, Any]) -> IndicatorRules:
    by_name: dict[str, Canonical] = {}
    codes: set[str] = set()
    for entry in data.get("indicator", []):
        if entry["code"] in codes:
            raise RuleError(f"indicators.toml: code {entry['code']!r} defined twice")
        codes.add(entry["code"])
        canonical = Canonical(entry["code"], entry["en"], frozenset(entry.get("kinds", [])))
        for name in entry["names"]:
            key = name.casefold()
            if key in by_name:
                raise RuleError(f"indicators.toml: name {name!r} belongs to two indicators")
            by_name[key] = canonical
    prefixes = data.get("scope", {}).get("prefixes", [])
    paired = {
        word: tuple(parts)
        for word, parts in data["paired"].items()
        if word not in {"examples", "negatives"} and all(isinstance(p, str) for p in parts)
    }
    names = {name: entry["code"] for entry in data.get("indicator", []) for name in entry["names"]}
    ordered = tuple(sorted((p.casefold() for p in prefixes), key=len, reverse=True))
    markers = tuple(data["share"]["markers"])
    scope = tuple(_compile(p, "indicators.toml scope") for p in data["scope"]["prefix_patterns"])
    return IndicatorRules(by_name, ordered, paired, markers, scope, _by_first_character(names))


def _gazetteer(root: Path, lang: str, document: dict[str, Any], suffixes: list[str]) -> Gazetteer:
    path = root / lang / "gazetteer.toml"
    if not path.exists():
        return Gazetteer({}, 0)
    data = _read(root, lang, "gazetteer")
    if "government" in data:
        return Gazetteer(
            full_by_short={},
            min_mentions=data["min_mentions"],
            governments={g["name"]: tuple(g["mentions"]) for g in data["government"]},
            currencies={g["name"]: g["currency"] for g in data["government"]},
            people=frozenset(m for g in data["government"] for m in g["mentions"] if " " not in m),
        )
    # Longest first: 巴音郭楞蒙古自治州 loses 自治州, then 蒙古.
    named = {p for people in data["peoples"] for p in (people, people.removesuffix("族"))}
    peoples = tuple(sorted(named, key=len, reverse=True))
    ordered = tuple(sorted(suffixes, key=len, reverse=True))
    shorts: dict[str, set[str]] = {}
    for name in data["names"]:
        suffix = next((x for x in ordered if name.endswith(x)), "")
        short = name.removesuffix(suffix)
        if suffix.startswith("自治") and short.endswith(peoples):
            # Only an autonomous division has a people in its name.
            short = short.removesuffix(next((p for p in peoples if short.endswith(p) and len(short) > len(p)), ""))
        if len(short) >= 2:
            shorts.setdefault(short, set()).add(name)
    return Gazetteer(
        full_by_short={short: tuple(sorted(full)) for short, full in shorts.items()},
        min_mentions=document["named_in_passing"]["min_mentions"],
    )


def _exclusion(entry: dict[str, Any], currencies: tuple[str, ...] = ()) -> Exclusion:
    where = f"exclusions.toml [{entry['name']}]"

    def pattern(key: str) -> patterns.Pattern | None:
        return _compile(entry[key], where, currencies) if key in entry else None

    return Exclusion(
        name=entry["name"],
        before=pattern("before"),
        number=pattern("number"),
        after=pattern("after"),
        unit_kinds=frozenset(entry.get("units", [])),
        unit_surfaces=frozenset(entry.get("unit_surfaces", [])),
        chinese_only=entry.get("script") == "chinese",
    )


def _cue(entry: dict[str, Any]) -> Cue:
    if entry["kind"] not in {"target", "actual", "estimate", "by_year", "other"}:
        raise RuleError(f"time.toml [{entry['name']}]: unknown kind {entry['kind']!r}")
    if entry["scope"] not in {"running", "sentence", "clause"}:
        raise RuleError(f"time.toml [{entry['name']}]: unknown scope {entry['scope']!r}")
    return Cue(
        name=entry["name"],
        pattern=_compile(entry["pattern"], f"time.toml [{entry['name']}]"),
        kind=entry["kind"],
        year=entry["year"],
        running=entry["scope"] == "running",
        at_start=entry.get("at_start", False),
        whole_sentence=entry.get("whole_sentence", False),
        clause=entry["scope"] == "clause",
        reach_back=entry.get("reach_back", entry["scope"] != "clause"),
    )


WHEN_YEARS = patterns.compile(r"captured|financial_year|report|report[+-]\d+|next_years|past_years|in_years")
# The named groups a [[when]] pattern needs for its year.
WHEN_GROUPS = {"captured": "year", "financial_year": "year", "next_years": "count", "past_years": "count"}


def _when(entry: dict[str, Any]) -> When:
    where = f"time.toml when {entry['name']}"
    pattern = _compile(entry["pattern"], where)
    year = entry["year"]
    if not WHEN_YEARS.fullmatch(year):
        raise RuleError(f"{where}: unknown year {year!r}")
    group = WHEN_GROUPS.get(year, "count" if year == "in_years" else None)
    if group and group not in pattern.groupindex:
        raise RuleError(f"{where}: year {year!r} needs a group named {group!r}")
    if entry.get("kind") not in {None, "target", "actual", "estimate", "other"}:
        raise RuleError(f"{where}: unknown kind {entry['kind']!r}")
    return When(entry["name"], pattern, year, entry.get("kind"))


def _tense(data: dict[str, Any], currencies: tuple[str, ...] = ()) -> TenseRules | None:
    tense = data.get("tense", {})
    if "estimate" not in tense:
        return None

    def pattern(key: str) -> patterns.Pattern:
        return _compile(tense[key], f"time.toml tense {key}", currencies)

    whens = tuple(_when(w) for w in data.get("when", []))
    return TenseRules(
        estimate=pattern("estimate"),
        future=pattern("future"),
        past=pattern("past"),
        past_regular=pattern("past_regular"),
        present=pattern("present"),
        not_subjects=frozenset(tense["not_subjects"]),
        background=pattern("background"),
        foreign=pattern("foreign"),
        foreign_places=tuple(tense["foreign_places"]),
        change_from=pattern("change_from"),
        change_to=pattern("change_to"),
        level_before=pattern("level_before"),
        clause_break=pattern("clause_break"),
        relative=pattern("relative"),
        whens=whens,
    )


def _place_comparison(data: dict[str, Any] | None) -> PlaceComparison | None:
    """One pattern from the word lists of changes.toml [place_comparison], right before
    the figure (zh): `higher`/`lower` + a place (+ an average), `neutral` + a place + an
    average, or `than` + the place (+ an average) + `higher_after`/`lower_after`, then
    any `filler`. For `position = "after"` (en): the direction word, then the place,
    right after the figure."""
    if not data:
        return None

    def words(key: str) -> str:
        return "|".join(regex.escape(w) for w in sorted(set(data.get(key, [])), key=lambda w: (-len(w), w)))

    def direction(higher: str, lower: str) -> str:
        return f"(?:(?P<higher>{words(higher)})|(?P<lower>{words(lower)}))"

    def place(average: str) -> str:
        return f"(?P<place>(?:{words('places')}){average})"

    average = rf"\s*(?:{words('averages')})" if data.get("averages") else ""
    where = "changes.toml place_comparison"
    if data.get("position") == "after":
        return PlaceComparison(_compile(rf"^\s*{direction('higher', 'lower')}\s+{place(average)}\b", where), True)
    optional = f"(?:{average})?" if average else ""
    forms = [direction("higher", "lower") + place(optional)]
    if data.get("neutral") and average:
        forms.append(f"(?P<neutral>{words('neutral')}){place(average)}")
    if data.get("than"):
        forms.append(f"(?:{words('than')}){place(optional)}{direction('higher_after', 'lower_after')}")
    filler = f"(?:{words('filler')})*" if data.get("filler") else ""
    return PlaceComparison(_compile(rf"(?:{'|'.join(forms)}){filler}\s*$", where), False)


def _phrase(data: dict[str, Any]) -> PhraseRules:
    p = data["phrase"]
    return PhraseRules(
        max_before=p["max_before"],
        max_after=p["max_after"],
        stop_words=frozenset(p["stop_words"]),
        stop_after=frozenset(p["stop_after"]),
        predicates_after=frozenset(p["predicates_after"]),
        stop_tags_after=frozenset(p["stop_tags_after"]),
        skip_before=frozenset(p["skip_before"]),
        strip_left=frozenset(p["strip_left"]),
        modal_left=frozenset(p["modal_left"]),
        left_words=frozenset(p["strip_left"]) | frozenset(p["modal_left"]),
        strip_left_tags=frozenset(p["strip_left_tags"]),
        keep=frozenset(p["keep"]),
        anaphora=_compile("|".join(f"(?:{a})" for a in p["anaphora"]) or "(?!)", "metrics.toml anaphora"),
        verb_tags=frozenset(p["verb_tags"]),
        noun_tags=frozenset(p["noun_tags"]),
        modifier_tags=frozenset(p["modifier_tags"]),
        joined_levels=_compile(p["joined_levels"], "metrics.toml joined_levels"),
        distributed=_compile(p["distributed"], "metrics.toml distributed"),
        list_separators=tuple(p["list_separators"]),
        list_pattern=_alternation(p["list_separators"]),
        bound_suffixes=tuple(p["bound_suffixes"]),
        share_words=tuple(p["share_words"]),
        adverbial=frozenset(p["adverbial"]),
        modifying_tags=frozenset(p["modifying_tags"]),
        noun_verb_tags=frozenset(p["noun_verb_tags"]),
        compound_noun_max=p["compound_noun_max"],
        modifier_endings=tuple(p["modifier_endings"]),
        membership_verbs=frozenset(p["membership_verbs"]),
        membership_links=frozenset(p["membership_links"]),
        trailing_predicates=tuple(sorted(p["trailing_predicates"], key=len, reverse=True)),
        trailing_adverbs=tuple(sorted(p["trailing_adverbs"], key=len, reverse=True)),
        list_closers=tuple(sorted(p["list_closers"], key=len, reverse=True)),
        time_tags=frozenset(p["time_tags"]),
        time_characters=p["time_characters"],
        cut_tags=frozenset(p["cut_tags"]),
        of_words=tuple(p["of_words"]),
        suffix_tags=frozenset(p["suffix_tags"]),
    )


def _english_phrase(data: dict[str, Any]) -> EnglishPhraseRules:
    p = data["phrase"]

    def words(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in p[key])

    def pattern(key: str) -> patterns.Pattern:
        return _compile(p[key], f"metrics.toml {key}")

    return EnglishPhraseRules(
        max_words=p["max_words"],
        max_chars=p["max_chars"],
        head_words=p["head_words"],
        counted_words=p["counted_words"],
        determiners=words("determiners"),
        predicates=words("predicates"),
        boundaries=words("boundaries"),
        inner_words=words("inner_words"),
        verbs=words("verbs"),
        links=words("links"),
        after_links=words("after_links"),
        rate_links=words("rate_links"),
        rate_kinds=words("rate_kinds"),
        quantity_heads=words("quantity_heads"),
        generic_heads=words("generic_heads"),
        change_nouns=words("change_nouns"),
        empty_heads=words("empty_heads"),
        empty_counts=words("empty_counts"),
        counted_skip=words("counted_skip"),
        transfer_heads=words("transfer_heads"),
        denominators=words("denominators"),
        anaphora=pattern("anaphora"),
        appositive=pattern("appositive"),
        of_before=pattern("of_before"),
        recipient=pattern("recipient"),
        list_separators=tuple(p["list_separators"]),
        parenthetical=tuple(w.lower() for w in p["parenthetical"]),
        trailing=words("trailing"),
        time_heads=words("time_heads"),
        people_heads=words("people_heads"),
        auxiliaries=words("auxiliaries"),
        pronouns=words("pronouns"),
        comparator_words=words("comparator_words"),
        purpose_links=words("purpose_links"),
        content_words=words("content_words"),
        relatives=words("relatives"),
        leading_time=pattern("leading_time"),
        time_adjunct=pattern("time_adjunct"),
    )


def _abbreviation_end(words: list[str]) -> patterns.Pattern:
    if not words:
        return patterns.compile("(?!)")
    return patterns.compile(r"(?i)\b(?:" + "|".join(map(regex.escape, words)) + r")\.$")


# metrics.toml [phrase] grammar -> how its table is read.
PHRASE_SCHEMAS = {"segmented": _phrase, "tokens": _english_phrase}


@cache
def load_rules(lang: str = "zh", root: Path | None = None) -> Rules:
    """Read and compile the rules of one language (once per process and root)."""
    root = root or rules_root()
    d = {name: _read(root, lang, name) for name in RULE_FILES}
    surfaces = [p["surface"] for p in d["units"]["prefix_unit"]]
    currencies = tuple(s for surface in surfaces for s in ([surface] if isinstance(surface, str) else surface))
    units = _units(d["units"])
    scales = {s["surface"]: Decimal(s["factor"]) for s in d["scales"]["scale"]}
    before, between, after = _comparators(d["comparators"])
    ch = d["changes"]["change"]
    grammar = d["metrics"]["phrase"]["grammar"]
    if grammar not in PHRASE_SCHEMAS:
        raise RuleError(f"metrics.toml: unknown grammar {grammar!r}")
    phrase = PHRASE_SCHEMAS[grammar](d["metrics"])
    counting = d["units"].get("counting")
    predicate_words = {
        *(phrase.skip_before if isinstance(phrase, PhraseRules) else phrase.predicates),
        *ch["increase"],
        *ch["decrease"],
        *ch["filler"],
        *ch["level_after_verb"],
        *(w for w, _ in before),
        # A change verb with its level word is one predicate (下降至, 增加到): stripped
        # whole, so that no half of it (下) stays on the metric.
        *(verb + level for verb in [*ch["increase"], *ch["decrease"]] for level in ch["level_after_verb"]),
    }
    noise = d["noise"]
    join = noise["line_join"]
    cues = tuple(_cue(e) for e in d["time"]["cue"])
    exclusions = tuple(_exclusion(e, currencies) for e in d["exclusions"]["exclusion"])
    gazetteer = _gazetteer(root, lang, d["document"], d["document"].get("admin", {}).get("suffixes", []))
    return Rules(
        units=units,
        unit_pattern=_alternation(list(units)),
        # Longest first: S$ before $.
        prefix_units=tuple(
            sorted(
                (
                    PrefixUnit(s, Unit(p["unit"], p["base"], Decimal(1), d["units"]["prefix_kind"]))
                    for p in d["units"]["prefix_unit"]
                    for s in ([p["surface"]] if isinstance(p["surface"], str) else p["surface"])
                ),
                key=lambda prefix: -len(prefix.surface),
            )
        ),
        fraction=PrefixUnit(
            d["units"]["fraction"]["surface"],
            Unit(d["units"]["fraction"]["unit"], d["units"]["fraction"]["base"], Decimal(1), "share"),
        ),
        spaces="".join(d["units"]["spacing"]["between_number_and_unit"]),
        scales=scales,
        scale_pattern=_alternation(list(scales)),
        currency_scales={
            k: Decimal(v) for k, v in d["scales"]["currency_scale"].items() if k not in {"examples", "negatives"}
        },
        bare_scale_after=tuple(sorted(d["scales"]["bare_scale"]["after"], key=len, reverse=True)),
        before_comparators=tuple(before),
        comparator_phrases=tuple(
            (_compile(e["phrase"], "comparators.toml phrase"), e["name"])
            for e in d["comparators"]["comparator"]
            if e.get("phrase")
        ),
        before_comparator_words=tuple(word for word, _ in before),
        between_comparators=between,
        after_comparators=tuple(after),
        range_joiners=tuple(d["comparators"]["range"]["joiners"]),
        ranging_verbs=frozenset(d["comparators"]["range"]["ranging_verbs"]),
        abbreviation_end=_abbreviation_end(noise["sentences"]["abbreviations"]),
        change=ChangeRules(
            words=tuple(
                sorted(
                    [(w, "increase") for w in ch["increase"]] + [(w, "decrease") for w in ch["decrease"]],
                    key=lambda pair: -len(pair[0]),
                )
            ),
            filler=tuple(sorted(ch["filler"], key=len, reverse=True)),
            difference=frozenset(ch["difference"]),
            verb_object_decrease=tuple(ch["verb_object_decrease"]),
            level_words=tuple(ch["level_after_verb"]),
            comparison=tuple(_compile(c, "changes.toml comparison") for c in ch["comparison"]),
            rate_kinds=frozenset(ch["rate_kinds"]),
            continued=_compile(ch["continued"], "changes.toml continued"),
            phrasal=frozenset(ch["phrasal"]),
            growth_at=_compile(ch["growth_at"], "changes.toml growth_at"),
            by_verbs=tuple(ch["by_verbs"]),
        ),
        exclusions=exclusions,
        exclusions_by_kind={
            kind: tuple(e for e in exclusions if not e.unit_kinds or kind in e.unit_kinds)
            for kind in {u.kind for u in units.values()}
        },
        report_year_patterns=tuple(
            (_compile(e["pattern"], "time.toml report_year"), e["offset"]) for e in d["time"]["report_year"]
        ),
        cues=cues,
        cue_filter=any_of([c.pattern for c in cues if not c.at_start]),
        start_cue_filter=any_of([c.pattern for c in cues if c.at_start]),
        heading_max_chars=d["time"]["heading"]["max_chars"],
        heading_not_ending=d["time"]["heading"]["not_ending"],
        han_script=noise["script"]["han"],
        region_patterns=tuple(_compile(e["pattern"], "document.toml") for e in d["document"]["region"]),
        admin_suffixes=tuple(d["document"]["admin"]["suffixes"]),
        organ_words=tuple(d["document"]["admin"]["organ_words"]),
        local_currency={
            **gazetteer.currencies,
            **{k: v for k, v in d["document"]["local_currency"].items() if isinstance(v, str)},
        },
        local_dollars=frozenset(d["document"]["local_dollar"]["currencies"]),
        pinyin=_compile(noise["pinyin"]["pattern"], "noise.toml pinyin"),
        boilerplate=any_of([_compile(p, "noise.toml boilerplate") for p in noise["boilerplate"]["patterns"]]),
        line_join=LineJoinRules(
            sentence_ends=join["sentence_ends"],
            min_chars_without_sentence_end=join["min_chars_without_sentence_end"],
            ends_inside=_compile(join["ends_inside"], "noise.toml line_join"),
            continues=_compile(join["continues"], "noise.toml line_join"),
            joiner=join["joiner"],
            wide_line_chars=join["wide_line_chars"],
            continues_wide=_compile(join["continues_wide"], "noise.toml line_join"),
            wrapped_share=join.get("wrapped_share", 0.0),
        ),
        inline_noise=tuple(_compile(p, "noise.toml inline") for p in noise["inline"]["patterns"]),
        phrase=phrase,
        dictionary=tuple(d["dictionary"]["words"]),
        nouns=frozenset(d["dictionary"]["nouns"]),
        glossary_terms=dict(d["glossary"]["terms"]),
        glossary_heads=tuple(sorted(d["glossary"]["heads"].items(), key=lambda item: -len(item[0]))),
        glossary_head_words=frozenset(d["glossary"]["heads"]),
        glossary_by_first=_by_first_character(d["glossary"]["terms"]),
        glossary_parts_by_first=_by_first_character(
            {**d["glossary"]["modifiers"], **d["glossary"]["terms"]}
        ),
        predicate_words=tuple(sorted(predicate_words, key=len, reverse=True)),
        predicate_word_set=frozenset(predicate_words),
        indicators=_indicators(d["indicators"]),
        gazetteer=gazetteer,
        language=lang,
        counting=CountingRules(
            counting["max_words"],
            frozenset(counting["people"]),
            frozenset(counting["households"]),
            frozenset(counting["never"]),
            _compile(counting["people_before"], "units.toml counting"),
            frozenset(counting["plurals"]),
            frozenset(counting["modifiers"]),
        )
        if counting
        else None,
        after_increase=_compile(ch["after_increase"], "changes.toml") if "after_increase" in ch else None,
        after_decrease=_compile(ch["after_decrease"], "changes.toml") if "after_decrease" in ch else None,
        region_names=dict(d["document"].get("names", {})),
        multiple_context=_compile(d["units"]["multiple"]["requires_before"], "units.toml multiple")
        if "multiple" in d["units"]
        else None,
        place_comparison=_place_comparison(d["changes"].get("place_comparison")),
        tense=_tense(d["time"], currencies),
    )


@dataclass(frozen=True)
class RuleCase:
    """One example or counter-example written in a rule file."""

    file: str
    entry: str
    positive: bool
    case: dict[str, Any]
    number: int

    @property
    def id(self) -> str:
        return f"{self.file}-{'ex' if self.positive else 'neg'}-{self.number}"


def rule_cases(lang: str = "zh", root: Path | None = None) -> Iterator[RuleCase]:
    """Every example and counter-example in the rule files of a language."""
    root = root or rules_root()
    optional = [name for name in OPTIONAL_RULE_FILES if (root / lang / f"{name}.toml").exists()]
    for name in (*RULE_FILES, *optional):
        for number, case in enumerate(_cases_in(name, _read(root, lang, name)), 1):
            yield RuleCase(case.file, case.entry, case.positive, case.case, number)


def _cases_in(file: str, node: Any, entry: str = "") -> Iterator[RuleCase]:
    if isinstance(node, list):
        for item in node:
            yield from _cases_in(file, item, entry)
        return
    if not isinstance(node, dict):
        return
    label = str(node.get("name") or node.get("surface") or entry or file)
    for case in node.get("examples", []):
        yield RuleCase(file, label, True, case, 0)
    for case in node.get("negatives", []):
        yield RuleCase(file, label, False, case if isinstance(case, dict) else {"text": case}, 0)
    for key, value in node.items():
        if key not in {"examples", "negatives"} and isinstance(value, (dict, list)):
            yield from _cases_in(file, value, label)
