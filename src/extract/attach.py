"""Attach to each quantity what it measures (metric), whether it is a change,
and the English gloss of the metric. Words and limits come from rules/.

Metric: the noun phrase right after the unit when one follows (263个重点项目),
else the phrase before the number (生产总值增长5%), else the metric of the
quantity before it in the same sentence (收入完成224.2亿元，增长1.7%).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import regex

from . import patterns
from .model import Quantity, Sentence, text_before
from .rules import Rules, built_once
from .tokenize import Token, Tokenizer

QUOTED_NAME = patterns.compile(r"[“‘「『][^“”‘’「」『』，,。；;]{1,10}[”’」』]")
PUNCTUATION = patterns.compile(r"^[\p{P}\p{S}\s]+$")
QUOTES = set("“”‘’\"'()（）《》「」『』")
NUMBER_TOKEN = patterns.compile(r"^[\d.,%]+$")
# A date or year right before a metric is not part of it (2023年本地生产总值).
# A number glued to a Latin letter (PM2.5, 5G) is a name and stays.
LAST_NUMBER = patterns.compile(
    r"^.*(?<![A-Za-z\d.])\d+(?:\.\d+)?(?![\dA-Za-z.])(?:周年|岁(?:以下|以上|及以上)?|[年月日号期])?", regex.S
)
TRAILING_NOTE = patterns.compile(r"[(（][^()（）]{1,6}[)）]$")
BRACKETED = patterns.compile(r"[(（][^()（）]*[)）]")
WINDOW = 32
CLAUSE_BREAK = patterns.compile(r"[，,；;。]")
CLAUSE_OR_COLON = patterns.compile(r"[，,；;。：:]")
PHRASE_BREAK = patterns.compile(r"[，,；;。、：:]")
COUNTED_KINDS = {"count", "people", "households"}
W = TypeVar("W", str, tuple[str, str])


def attach_metrics(
    sentence: Sentence,
    quantities: list[Quantity],
    tokenizer: Tokenizer,
    rules: Rules,
    comparisons: list[Comparison | None] | None = None,
) -> list[str | None]:
    """The metric of every quantity of one sentence, in order; `comparisons` are the
    quantities' place comparisons when the caller has them (place_comparison)."""
    if comparisons is None:
        comparisons = [place_comparison(sentence, q, rules) for q in quantities]
    metrics: list[str | None] = []
    distributed = _distributed_metrics(sentence, quantities, tokenizer, rules)
    for index, quantity in enumerate(quantities):
        if index in distributed:
            metrics.append(distributed[index])
            continue
        left = quantities[index - 1].end if index else sentence.start
        right = quantities[index + 1].start if index + 1 < len(quantities) else sentence.end
        # The next value's comparator word (近万家) is not part of this metric.
        after = _strip_words(
            sentence.text[quantity.end - sentence.start : right - sentence.start], rules.before_comparator_words
        )
        before = sentence.text[left - sentence.start : quantity.start - sentence.start]
        compared = comparisons[index]
        if compared and not rules.place_comparison.after:
            # 增速高于全国0.6个百分点: the metric is what is compared, before the comparison.
            before = before[: max(0, compared.start - (left - sentence.start))]
        own = _after_phrase(after, quantity.unit.kind, tokenizer, rules)
        if own is None or _is_anaphora(own, rules):
            # 迈上5万亿元新台阶: what follows names a landmark, not what is measured.
            own = _before_phrase(before, tokenizer, rules, unit_kind=quantity.unit.kind) or own
        if (own is None or _is_anaphora(own, rules)) and after.startswith(rules.phrase.of_words):
            # 76%的财力用于民生, 总规模1亿元的种子基金: the thing is named after 的.
            of = next(w for w in rules.phrase.of_words if after.startswith(w))
            own = _after_phrase(after[len(of) :], quantity.unit.kind, tokenizer, rules) or own
        metric = own
        if metric is None or _is_anaphora(metric, rules):
            # 总数达211家 points back at the metric before it; with none, it stays.
            metric = next((m for m in reversed(metrics) if m), None) or own
        if metric is None:
            metric = _topic(sentence.text[: quantity.start - sentence.start], rules)
        metrics.append(metric)
    return metrics


OWN_CLAUSE_TERM = 4


def _topic(text: str, rules: Rules) -> str | None:
    """The standard term (a glossary term or an indicator's name) that the sentence
    opened with, or else the first one of the figure's own clause, when the figure
    names none itself (固定资产投资再破千亿大关，…，增长27.6%; 实现进出口总额正增长、突破
    5300亿元)."""
    clauses = CLAUSE_BREAK.split(text)
    for clause in clauses:
        clause = _strip_left_words(clause.strip(), rules.phrase.modal_left)
        if term := _term_at(clause, 0, rules):
            return term
    # Within the clause only a long term is taken: a short one (光伏) is likely a modifier.
    own = clauses[-1]
    terms = (_term_at(own, i, rules) for i in range(len(own)))
    return next((term for term in terms if term and len(term) >= OWN_CLAUSE_TERM), None)


def _term_at(text: str, position: int, rules: Rules) -> str | None:
    first = text[position : position + 1]
    candidates = [*rules.glossary_by_first.get(first, ()), *rules.indicators.names_by_first.get(first, ())]
    found = [word for word, _ in candidates if text.startswith(word, position)]
    return max(found, key=len) if found else None


def list_runs(sentence: Sentence, quantities: list[Quantity], rules: Rules) -> list[list[int]]:
    """Indices of quantities written as one list (40万吨、10万吨), in runs."""
    runs: list[list[int]] = []
    for index, quantity in enumerate(quantities):
        if index and _between(sentence, quantities[index - 1], quantity) in rules.phrase.list_separators:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _between(sentence: Sentence, first: Quantity, second: Quantity) -> str:
    return sentence.text[first.end - sentence.start : second.start - sentence.start]


def _distributed_metrics(
    sentence: Sentence, quantities: list[Quantity], tokenizer: Tokenizer, rules: Rules
) -> dict[int, str | None]:
    """A、B分别突破X、Y, and A、B增长X、Y: the n-th metric of a list of as many metrics
    as values goes with the n-th value."""
    result: dict[int, str | None] = {}
    previous: list[int] = []
    for run in list_runs(sentence, quantities, rules):
        if len(run) < 2:
            continue
        listed, names = _listed_names(sentence, quantities[run[0]], rules)
        if not any(c.isalnum() for c in listed) and len(previous) == len(run) and all(i in result for i in previous):
            # A、B分别达到X、Y，分别增长P、Q: a list naming nothing takes the names of
            # the list of as many values before it.
            result.update({index: result[earlier] for index, earlier in zip(run, previous, strict=True)})
            previous = run
            continue
        if len(names) != len(run):
            continue
        previous = run
        phrases = [_before_phrase(name, tokenizer, rules, subject=True) for name in names]
        if any(p is not None and len(p) == 1 for p in phrases[:-1]) and phrases[0] and phrases[-1]:
            # 一、二、三产增加值分别增长…: one-character items name nothing alone; every
            # figure takes the whole list (its indicator tells them apart).
            whole = listed[listed.find(phrases[0]) :].strip()
            phrases = [whole] * len(run)
        for index, phrase in zip(run, phrases, strict=True):
            result[index] = phrase
    return result


def _listed_names(sentence: Sentence, head: Quantity, rules: Rules) -> tuple[str, list[str]]:
    """The list written before the first value of a run (A、B分别增长…, A、B增长…), and its items."""
    before = text_before(sentence.text, head.start - sentence.start)
    match = rules.phrase.distributed.search(before)
    listed = match.group(1) if match else _strip_predicate(CLAUSE_OR_COLON.split(before)[-1], rules)
    return listed, [n for n in rules.phrase.list_pattern.split(listed) if n]


def _after_phrase(segment: str, unit_kind: str, tokenizer: Tokenizer, rules: Rules) -> str | None:
    """The noun phrase that starts right after the unit, or None. A category it is
    counted into takes its place (52个项目纳入省市重点项目: 省市重点项目)."""
    phrase = rules.phrase
    levels = phrase.joined_levels.match(segment)
    taken = levels.end() if levels else 0
    # A quoted name right after the unit is part of the phrase (216个“两重”项目).
    quoted = QUOTED_NAME.match(segment, taken)
    start = quoted.end() if quoted else taken
    # What opens with a comma or a stop (增长5%，…) has no phrase: the segmenter would
    # give that mark as a word of its own, which ends the phrase before it starts.
    opening = segment[start : start + 1]
    tokens = [] if _lone_mark(opening) else tokenizer.tokens(segment[start : start + WINDOW])
    taken = start
    index = 0
    for index, token in enumerate(tokens):
        word = token.word
        if word in QUOTES:
            taken += len(word)
            continue
        if taken + len(word) > phrase.max_after:
            break
        if index and word in phrase.membership_verbs:
            break
        opens_predicate = index and _ends_with_predicate(word, phrase.predicates_after)
        if opens_predicate and not _head_follows(tokens, index + 1, rules):
            # 危房改造: a word that ends in a predicate opens the predicate (not 改造项目).
            break
        if _ends_phrase_after(tokens, index, rules) and not _counted_noun(index, word, unit_kind, rules):
            break
        taken += len(word)
    else:
        index = len(tokens)
    text = _balanced(segment[:taken].rstrip("“‘(（《「『"))
    # 44项民生实事全部完成: an adverb before the predicate is not part of the noun.
    text = _strip_words(text, phrase.trailing_adverbs) or text
    if not any(c.isalnum() for c in text):
        return None
    return _category(tokens[index:], text, tokenizer, rules) or text


# Marks jieba reads inside a run of letters and digits (5.5%, C++, R&D), not alone.
GLUED_MARKS = frozenset("+#&._%-")


def _lone_mark(character: str) -> bool:
    """Whether `character` is a mark the segmenter gives as a word of its own, which
    ends a phrase (not a quote or bracket, which a phrase reads through), or no
    character at all: a phrase can neither start nor end there."""
    if not character:
        return True
    return bool(PUNCTUATION.match(character)) and character not in QUOTES and character not in GLUED_MARKS


def _category(rest: list[Token], counted: str, tokenizer: Tokenizer, rules: Rules) -> str | None:
    """纳入/入选 + a noun phrase that ends in the counted noun: the figure counts members
    of that category (1087家企业入选专精特新中小企业)."""
    if not rest or rest[0].word not in rules.phrase.membership_verbs:
        return None
    words: list[str] = []
    # 认定为, 评为: the linking 为 is no part of the category.
    after = rest[2:] if len(rest) > 1 and rest[1].word in rules.phrase.membership_links else rest[1:]
    for token in after:
        if PUNCTUATION.match(token.word) or token.tag in rules.phrase.verb_tags:
            break
        words.append(token.word)
    category = _strip_left_words("".join(words), rules.phrase.modal_left)
    return category if len(category) > len(counted) and category.endswith(counted) else None


def _head_follows(tokens: list[Token], index: int, rules: Rules) -> bool:
    """Whether the next word is a head noun of the glossary (项目, 工程, 中心), not a
    verbal noun that a predicate takes as its object (完成投资)."""
    if index >= len(tokens):
        return False
    token = tokens[index]
    return token.word in rules.glossary_head_words and token.tag not in rules.phrase.noun_verb_tags


def _counted_noun(index: int, word: str, unit_kind: str, rules: Rules) -> bool:
    """A counting classifier is followed by a noun whatever jieba's tag says (1.6万名选手)."""
    phrase = rules.phrase
    return (
        index == 0
        and unit_kind in COUNTED_KINDS
        and _is_han(word)
        and word not in phrase.predicates_after
        and word not in phrase.stop_words
        and word not in phrase.stop_after
        # 5.87张增至6.17张, 两条已通过: a predicate or an adverb is no counted noun.
        and word not in phrase.modal_left
        and word not in rules.predicate_word_set
    )


def _ends_with_predicate(word: str, predicates: frozenset[str]) -> bool:
    ordered = _longest_first(predicates)
    return word.endswith(ordered) and any(len(word) > len(p) and word.endswith(p) for p in ordered)


def _ends_phrase_after(tokens: list[Token], index: int, rules: Rules) -> bool:
    phrase, token = rules.phrase, tokens[index]
    word = token.word
    if PUNCTUATION.match(word) or NUMBER_TOKEN.match(word):
        return True
    if word in phrase.keep:
        return False
    if word in phrase.adverbial and _noun_follows(tokens, index + 1, rules):
        # 12所高水平大学: a manner word before a noun is its adjective.
        return False
    suffix = index and token.tag in phrase.suffix_tags and len(word) == 1 and _is_han(word)
    if suffix and tokens[index - 1].tag in phrase.noun_tags:
        # 14个边贸点: one character after a noun ends that noun.
        return False
    if word in phrase.predicates_after and _head_follows(tokens, index + 1, rules):
        # 120万吨乙烯改造项目: a predicate before a head noun names a kind of it.
        return False
    if word in phrase.stop_words or word in phrase.stop_after or word in phrase.predicates_after:
        return True
    if token.tag in phrase.verb_tags:
        return not _noun_follows(tokens, index + 1, rules)
    return token.tag in phrase.stop_tags_after


def _noun_follows(tokens: list[Token], index: int, rules: Rules) -> bool:
    """Whether a noun comes next, past further verbs (示范试点村, 阅读新空间)."""
    phrase = rules.phrase
    for token in tokens[index:]:
        if token.word in phrase.predicates_after or token.word in phrase.stop_words:
            return False
        if token.tag in phrase.verb_tags or token.tag in phrase.modifier_tags:
            continue
        return token.tag in phrase.noun_tags or (token.tag is None and _is_han(token.word))
    return False


def _is_han(word: str) -> bool:
    return bool(word) and all("\u4e00" <= c <= "\u9fff" for c in word)


def _before_phrase(
    segment: str, tokenizer: Tokenizer, rules: Rules, subject: bool = False, unit_kind: str | None = None
) -> str | None:
    """The phrase that ends right before the number, without its predicate.

    A phrase with a predicate between it and the number (生产总值增长5%) is the
    figure's subject: verbs in it modify its noun (脱贫人口, 死亡人数) and stay.
    Otherwise it is the object of a verb that opens it (新增建设用地32.8万亩), and that
    verb goes."""
    segment = LAST_NUMBER.sub("", segment).rstrip()
    bare = _strip_predicate(segment, rules)
    subject = subject or bare != _strip_words(segment, rules.before_comparator_words)
    done = _strip_words(bare, rules.phrase.trailing_predicates)
    if done != bare and len(done) >= 2:
        # 86个重大项目已开工74个, 班列开行2619列: what stands before the verb is its subject.
        bare, subject = done, True
    # 民生实事全部完成, 接待游客力争突破: an adverb before the predicate goes with it.
    while (trimmed := _strip_predicate(_strip_words(bare, rules.phrase.trailing_adverbs), rules)) != bare:
        bare = trimmed
    # 首店、旗舰店等50家: a list closed by 等 is counted whole.
    listed = _strip_words(bare, rules.phrase.list_closers)
    closed, bare = listed != bare, listed
    if _lone_mark(bare[-1:]):
        # Nothing, or a comma or a stop, right before the figure: the segmenter would
        # end the phrase at once (…，增长5%).
        return None
    tokens = tokenizer.tokens(bare[-WINDOW:])
    if tokens and tokens[-1].word in rules.phrase.list_separators:
        # 3处城市书房和2处…: what stands before 和 belongs to the value before it.
        return None
    kept = _phrase_tokens(tokens, bare, closed, unit_kind in COUNTED_KINDS, rules)
    raw = "".join(t.word for t in kept)
    if any(p.match(raw) for p in rules.change.comparison) or raw.startswith("占"):
        # 比上年年初预算增加1800亿元, 占规上工业比重达到17.8%: a comparison or a share
        # whose subject was left out; the metric is the one before it.
        return None
    verbal = rules.phrase.verb_tags | rules.phrase.noun_verb_tags
    after_mark = 0 < len(kept) < len(tokens) and tokens[-len(kept) - 1].word in rules.phrase.list_separators
    if after_mark and all(t.tag in verbal for t in kept) and raw not in rules.glossary_terms:
        # 筹集住房3.05万套、供应2.06万套 (、供应分配5010套): verbs after the list mark share
        # the object before.
        return None
    kept = _strip_left(kept, rules, subject)
    if all(t.tag in rules.phrase.verb_tags for t in kept) and "".join(t.word for t in kept) not in rules.glossary_terms:
        # 筹集住房3.05万套、供应2.06万套: a verb alone is no metric; the figure takes the one before.
        return None
    text = _balanced("".join(t.word for t in kept).lstrip("”’)）》」』"))
    return text if any(c.isalnum() for c in text) and not text.endswith(rules.phrase.modifier_endings) else None


def _phrase_tokens(tokens: list[Token], bare: str, closed: bool, counted: bool, rules: Rules) -> list[Token]:
    """The words that end the phrase, read leftwards to punctuation, a stop word or
    the length limit. A share (X占Y的比重) keeps its 的; a list of things counted
    together (首店、旗舰店、新概念店50家, or any list closed by 等) keeps its 、, up to
    the verb before it."""
    phrase = rules.phrase
    share = bare.endswith(phrase.share_words)
    limit = phrase.max_before * (2 if share else 1)
    kept: list[Token] = []
    length = 0
    in_list = False
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        word = token.word
        joins = word == "、" and kept and index > 0 and (closed or counted)
        noun_list = joins and _nominal(kept, tokens[index - 1], rules)
        stop = (PUNCTUATION.match(word) and word not in QUOTES and not noun_list) or (
            word in phrase.stop_words and not (share and word == "的")
        )
        if stop or (in_list and _verb_like(token, rules)):
            break
        in_list = in_list or bool(noun_list)
        if length + len(word) > limit:
            # Cut by length: a locative word left at the cut (…及 | 以上城市) opens nothing.
            while kept and kept[0].tag in phrase.cut_tags:
                kept.pop(0)
            break
        kept.insert(0, token)
        length += len(word)
    while kept and kept[0].word in phrase.list_separators:
        kept.pop(0)  # a list cut by the length limit
    return kept


def _nominal(kept: list[Token], left: Token, rules: Rules) -> bool:
    """Whether the words after a 、 and the word before it are nouns, so that the 、
    joins two names of things counted together (首店、旗舰店)."""
    counted = left.word in rules.units or any(c.isdigit() for c in left.word)
    verbal = _verb_like(left, rules) or any(_verb_like(t, rules) for t in kept)
    return _is_han(left.word) and not counted and not verbal


def _verb_like(token: Token, rules: Rules) -> bool:
    # jieba tags some names verbs (旗舰店): a verb here is a short one or a listed one.
    phrase = rules.phrase
    listed = token.word in phrase.strip_left or token.word in phrase.modal_left
    return listed or (token.tag in phrase.verb_tags and len(token.word) <= 2)


def _strip_predicate(segment: str, rules: Rules) -> str:
    """Drop verbs, comparator and linking words, and notes such as (下同), standing
    right before the number."""
    while (stripped := _strip_words(_without_note(segment), rules.predicate_words)) != segment:
        segment = stripped
    return segment


def _without_note(text: str) -> str:
    # A note ends in a closing bracket: a text that does not is not searched.
    return TRAILING_NOTE.sub("", text) if text.endswith((")", "）")) else text


def _strip_left(tokens: list[Token], rules: Rules, subject: bool) -> list[Token]:
    """Drop leading verbs, adverbs, time and scope words, but never the whole phrase.

    Of a subject, the listed words go and the tags that never modify a noun. Of an
    object, what stands before the verb that governs it and that verb go, nothing
    verbal after it (新增建设用地 keeps 建设用地). An unlisted verb with one noun after
    it makes a compound with it (签约金额, 受益群众) and stays."""
    phrase = rules.phrase
    governed = False
    while tokens:
        first, rest = tokens[0], tokens[1:]
        modal = first.word in phrase.modal_left
        listed = modal or first.word in phrase.strip_left or first.word in rules.change.verb_object_decrease
        verbal = first.tag in phrase.modifying_tags or first.tag in phrase.noun_verb_tags
        # After the governing verb, only a second listed verb before a phrase goes
        # (开工建设高标准产业用房); one before a short noun is a compound (新增建设用地).
        if governed and verbal and not (listed and not _compound_head(rest, phrase)):
            break
        manner = (
            first.word in phrase.adverbial
            and bool(rest)
            and (rest[0].tag in phrase.verb_tags or rest[0].word in phrase.strip_left)
        )
        verb = first.tag in phrase.verb_tags
        by_tag = first.tag in phrase.strip_left_tags and not (
            # A word jieba tags as time but with no time in it (过夜游客, 现代服务业) stays.
            first.tag in phrase.time_tags and not any(c in phrase.time_characters for c in first.word)
        ) and not (
            first.tag in phrase.modifying_tags and (subject or (verb and _compound_head(rest, phrase)))
        )
        bound = bool(rest) and rest[0].word.startswith(phrase.bound_suffixes)
        strippable = first.word not in phrase.keep and not bound and (listed or manner or by_tag)
        # 新增就业 keeps 新增: what would remain is a lone verb, not a metric.
        lone_verb = len(rest) == 1 and rest[0].tag in phrase.verb_tags and rest[0].word not in rules.glossary_terms
        if not strippable or lone_verb:
            break
        governed = not subject and not modal and (verb or listed)
        tokens = rest
    return tokens


def _compound_head(rest: list[Token], phrase) -> bool:
    """Whether a verb and the one short noun after it are one compound (死亡人数)."""
    return len(rest) == 1 and len(rest[0].word) <= phrase.compound_noun_max


PAIRS = {"“": "”", "‘": "’", "(": ")", "（": "）", "《": "》", "「": "」", "『": "』"}
PAIRED = patterns.compile("[" + regex.escape("".join(PAIRS) + "".join(PAIRS.values())) + "]")


def _balanced(text: str) -> str:
    """Drop a dangling quote or bracket at either end of a phrase."""
    if not PAIRED.search(text):
        return text.strip()
    for opening, closing in PAIRS.items():
        if text.count(opening) > text.count(closing) and text.endswith(opening):
            text = text[:-1]
        if text.count(closing) > text.count(opening) and text.startswith(closing):
            text = text[1:]
        if text.count(opening) > text.count(closing) and text.startswith(opening):
            text = text[1:]
        if text.count(closing) > text.count(opening) and text.endswith(closing):
            text = text[:-1]
    return text.strip()


def _is_anaphora(metric: str, rules: Rules) -> bool:
    return rules.phrase.anaphora.search(metric) is not None


def attach_changes(sentence: Sentence, quantities: list[Quantity], rules: Rules) -> list[str | None]:
    """The change of every quantity of a sentence; later values of a list share the
    change verb written before the first (分别增长5.2%、6.1%)."""
    changes = [change_of(sentence, q, rules) for q in quantities]
    for run in list_runs(sentence, quantities, rules):
        head = run[0]
        for index in run[1:]:
            if changes[index] is None and quantities[index].unit.kind == quantities[head].unit.kind:
                changes[index] = changes[head]
        if len(run) > 1:
            # 失业率、居民消费价格涨幅分别控制在5%和3%以内: an item that names a rate of
            # change (涨幅, 增速) makes its value a change.
            _, names = _listed_names(sentence, quantities[head], rules)
            for index, name in zip(run, names if len(names) == len(run) else [], strict=False):
                if changes[index] is None and quantities[index].unit.kind in rules.change.rate_kinds:
                    changes[index] = next((d for w, d in rules.change.words if name.endswith(w) and len(w) > 1), None)
    for index in range(1, len(quantities)):
        previous, quantity = quantities[index - 1], quantities[index]
        restated = rules.change.continued.match(_between(sentence, previous, quantity))
        if changes[index] is None and quantity.unit.kind == previous.unit.kind and restated:
            # 增长7%以上、力争达到8%: the hoped-for value is the same rate of change.
            changes[index] = changes[index - 1]
    return changes


def change_of(sentence: Sentence, quantity: Quantity, rules: Rules) -> str | None:
    """'increase' / 'decrease' when the value is a difference, else None (a level)."""
    at = quantity.start - sentence.start
    before = text_before(sentence.text, at).rstrip()
    stripped = _strip_words(before, rules.change.filler)
    # The first change word of the list that ends the text, found by its suffixes.
    ending = _first_ending(stripped, rules.change.words)
    if ending is None:
        return _verb_object_change(before, stripped, rules)
    word, direction = ending
    if quantity.unit.kind in rules.change.rate_kinds or word in rules.change.difference:
        return direction
    clause = CLAUSE_BREAK.split(before)[-1]
    return direction if any(p.search(clause) for p in rules.change.comparison) else None


def _verb_object_change(before: str, stripped: str, rules: Rules) -> str | None:
    """压减一般性支出2.3亿元: a decrease verb opening the clause, before its object."""
    if stripped.endswith(rules.change.level_words):
        return None
    clause = PHRASE_BREAK.split(before)[-1]
    opening = _strip_left_words(clause, rules.phrase.left_words)
    return "decrease" if opening.startswith(rules.change.verb_object_decrease) else None


def _strip_left_words(text: str, words: frozenset[str]) -> str:
    """Drop leading scope and time words (全年, 力争) one by one, longest first."""
    # A lookup per length of word, not a test per word (startswith of a tuple of
    # hundreds of words cost 10,000 instructions a call); never the whole text.
    by_length = _prefix_index(words)
    while size := next((n for n, same in by_length if len(text) > n and text[:n] in same), 0):
        text = text[size:]
    return text


@cache
def _prefix_index(words: frozenset[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """The words of each length, longest first."""
    lengths = sorted({len(w) for w in words if w}, reverse=True)
    return tuple((n, frozenset(w for w in words if len(w) == n)) for n in lengths)


@cache
def _longest_first(words: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


def _strip_words(text: str, words: tuple[str, ...]) -> str:
    """Remove any of `words` from the end of `text`, again and again; where several
    end it, the first of `words` goes."""
    # endswith(tuple) runs in C, a test per word: most texts end in none of the
    # words. Past a few dozen words the suffix index alone is faster.
    while len(words) > LONG_WORD_LIST or text.endswith(words):
        word = _first_ending(text, words)
        if word is None:
            break
        text = text[: -len(word)]
    return text


LONG_WORD_LIST = 64


def _first_ending(text: str, words: tuple[W, ...]) -> W | None:
    """The first of `words` (words, or pairs with the word first) that `text` ends
    with: a lookup per length of word, not a test per word."""
    places, lengths = _suffix_index(words)
    found = [places[ending] for size in lengths if (ending := text[-size:]) in places and len(text) >= size]
    return words[min(found)] if found else None


def _suffix_index(items: tuple) -> tuple[dict[str, int], tuple[int, ...]]:
    """Each word's first place in `items` (words, or pairs with the word first), and
    the lengths of the words, longest first; made once per word tuple of the rules."""
    return built_once(items, "suffix index", _make_suffix_index, items)


def _make_suffix_index(items: tuple) -> tuple[dict[str, int], tuple[int, ...]]:
    places: dict[str, int] = {}
    for place, item in enumerate(items):
        word = item if isinstance(item, str) else item[0]
        if word:
            places.setdefault(word, place)
    return places, tuple(sorted({len(word) for word in places}, reverse=True))


def _glossary_head(metric: str, heads: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """The longest glossary head that `metric` ends with, and its English."""
    places, lengths = _suffix_index(heads)
    for size in lengths:
        place = places.get(metric[-size:]) if len(metric) >= size else None
        if place is not None:
            return heads[place]
    return None


def gloss(metric: str | None, rules: Rules) -> str | None:
    """English for a metric: the glossary term at its end (新建社区食堂 -> community
    canteens), or its head word with the terms that fill the words before it (新兴产业
    企业 -> emerging industries enterprises), or the term that ends right before the
    head. A bare head word would stand for too many things (企业 for 85 kinds of
    enterprises): a metric nothing more of which is known has no gloss. A note in
    brackets does not count: 老旧小区(楼院)."""
    if not metric:
        return None
    metric = BRACKETED.sub("", metric) or metric
    terms = _occurring(metric, rules.glossary_by_first)
    at_end = [match for match in terms if match[0] >= len(metric) - 1]
    if at_end:
        end, length, english = max(at_end)
        head: tuple[str, str] | None = (metric[end - length : end], english)
    else:
        head = _glossary_head(metric, rules.glossary_heads)
    if head is None:
        return None
    modifier = metric[: metric.rfind(head[0])]
    if not _strip_left_words(modifier + head[0], rules.phrase.left_words)[: -len(head[0])].strip():
        return head[1]
    words = _covering(modifier, rules) or _covering(_ending_term(modifier, terms), rules)
    if words:
        return f"{' '.join(words)} {head[1]}"
    # A term of its own (老旧小区, 技术合同成交额) says enough; one that a head word
    # also says (项目, 增加值, 航线 -> routes) does not.
    generic = len(head[0]) <= GENERIC_TERM or any(w == head[0] or e == head[1] for w, e in rules.glossary_heads)
    return head[1] if at_end and not generic else None


# A term this short says little alone (产量 -> output, 航线 -> routes).
GENERIC_TERM = 2


def _ending_term(text: str, terms: list[tuple[int, int, str]]) -> str:
    """The longest glossary term that ends where `text` ends, as Chinese."""
    ending = [(length, end) for end, length, _ in terms if end == len(text)]
    if not ending:
        return ""
    length, end = max(ending)
    return text[end - length : end]


def _covering(text: str, rules: Rules) -> list[str]:
    """English of glossary terms and modifiers that together make up `text` (scope
    words aside), longest first from the left; empty when some part is neither."""
    text = _strip_left_words(text, rules.phrase.left_words)
    words: list[str] = []
    while text:
        parts = [(t, english) for t, english in rules.glossary_parts_by_first.get(text[0], ()) if text.startswith(t)]
        if not parts:
            return []
        term, english = max(parts, key=lambda part: len(part[0]))
        words.append(english)
        text = text[len(term) :]
    return words


def _occurring(metric: str, by_first: dict[str, tuple[tuple[str, str], ...]]) -> list[tuple[int, int, str]]:
    """(end of its last occurrence, length, English) of every word that occurs in `metric`."""
    found = []
    for first in set(metric):
        for word, english in by_first.get(first, ()):
            if word in metric:
                found.append((metric.rfind(word) + len(word), len(word), english))
    return found


# How far before a figure a comparison with another place may begin.
COMPARISON_WINDOW = 24


@dataclass(frozen=True)
class Comparison:
    """A figure compared with another place or an average, not the region's own result."""

    place: str
    # Where the comparison starts in the sentence's text (the metric ends before it).
    start: int
    # increase (高于, 快于) or decrease (低于, 慢于) for a rate or points, else None.
    change: str | None


def place_comparison(sentence: Sentence, quantity: Quantity, rules: Rules) -> Comparison | None:
    """高于全国0.9个百分点 -> (全国, increase); 比全市平均水平低1.2个百分点 -> (全市平均水平,
    decrease); English "0.9 points higher than the national average" likewise."""
    comparison = rules.place_comparison
    if comparison is None:
        return None
    if comparison.after:
        end = quantity.end - sentence.start
        match = comparison.pattern.match(sentence.text[end : end + COMPARISON_WINDOW * 3])
        start = end
    else:
        at = quantity.start - sentence.start
        window = text_before(sentence.text, at, COMPARISON_WINDOW)
        match = comparison.pattern.search(window)
        start = at - len(window) + match.start() if match else at
    if not match:
        return None
    change = None
    if quantity.unit.kind in rules.change.rate_kinds and (match.group("higher") or match.group("lower")):
        change = "increase" if match.group("higher") else "decrease"
    return Comparison(match.group("place"), start, change)
