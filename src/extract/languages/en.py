"""English: spaCy's rule-based sentencizer and tokenizer, the grammar of english.py."""

from __future__ import annotations

from ..english import change_of_en, english_pieces, find_quantities_en, tokens
from ..english_metric import attach_metrics_en
from ..english_time import refine_frames
from ..rules import Canonical, Rules
from . import Language


def _warm_up(rules: Rules) -> None:
    """Load spaCy's blank English pipeline now (about a second), before a worker's
    first report rather than inside it."""
    english_pieces("Warm up.", rules)
    tokens("Warm up.")


def language(rules: Rules, timings: dict[str, float] | None = None) -> Language:
    def glosses(metrics: list[str | None], canonicals: list[Canonical | None]) -> list[str | None]:
        # An English metric is English already: it is its own gloss.
        return list(metrics)

    return Language(
        code="en",
        rules=rules,
        sentence_pieces=lambda line: english_pieces(line, rules),
        quantities=lambda sentence: find_quantities_en(sentence, rules),
        metrics=lambda sentence, found, compared: attach_metrics_en(sentence, found, rules),
        changes=lambda sentence, found: [change_of_en(sentence, q, rules) for q in found],
        glosses=glosses,
        frames=lambda sentence, found, frames, year, region: refine_frames(
            sentence, found, frames, year, region, rules
        ),
        warm_up=lambda: _warm_up(rules),
    )
