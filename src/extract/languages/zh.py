"""Chinese: jieba words for metrics, the grammar of quantities.py and attach.py."""

from __future__ import annotations

from ..attach import attach_changes, attach_metrics, gloss
from ..quantities import find_quantities
from ..rules import Canonical, Rules
from ..sentences import chinese_pieces
from ..tokenize import Tokenizer
from . import Language


def language(rules: Rules, timings: dict[str, float] | None = None) -> Language:
    tokenizer = Tokenizer(rules, timings)

    def glosses(metrics: list[str | None], canonicals: list[Canonical | None]) -> list[str | None]:
        # A standard indicator's English name beats a gloss put together word by word.
        return [c.english if c else gloss(m, rules) for m, c in zip(metrics, canonicals, strict=True)]

    return Language(
        code="zh",
        rules=rules,
        sentence_pieces=chinese_pieces,
        quantities=lambda sentence: find_quantities(sentence, rules),
        metrics=lambda sentence, found, compared: attach_metrics(sentence, found, tokenizer, rules, compared),
        changes=lambda sentence, found: attach_changes(sentence, found, rules),
        glosses=glosses,
        # Chinese marks time with the running cues of timeframe.py only.
        frames=lambda sentence, found, frames, report_year, region: frames,
        warm_up=tokenizer.load,
        segmenter=tokenizer,
    )
