"""How tests/gold/gwr-20*-en.jsonl were made, kept for review.

Mechanical fields (anchor, a unique ctx, values and units) come from the
extractor's output; the semantic ones are judged by hand, row by row: CORES are
written here, not copied, and OVERRIDES record where the judgement differs from
the output. Every row was read against the text. Run from the repo root only to
rebuild after the corpus text changes, and review the diff like code.
"""

import json
import pathlib
import subprocess

CORES = {
    "gwr-2025-en": [
        "GDP",
        "GDP",
        "Grain output",
        "Consumer prices",
        "foreign exchange reserves",
        "urban jobs",
        "unemployment rate",
        "disposable income",
        "people",
        "research and development",
        "new energy vehicles",
        "value added of high-tech manufacturing",
        "core industries",
        "retail sales",
        "Investment in equipment upgrades",
        "special treasury bonds",
        "special-purpose bonds",
        "imports and exports",
        "imports and exports",
        "foreign investment",
        "foreign-invested enterprises",
        "old-age benefits",
        "residential compounds",
        "government-subsidized housing",
        "Energy consumption",
        "air quality",
        "GDP",
        "unemployment rate",
        "urban jobs",
        "CPI",
        "grain output",
        "energy consumption",
        "deficit-to-GDP ratio",
        "deficit-to-GDP ratio",
        "deficit",
        "deficit",
        "special treasury bonds",
        "special treasury bonds",
        "special treasury bonds",
        "special-purpose bonds",
        "special-purpose bonds",
        "government debt",
        "government debt",
        "budget expenditures",
        "budget expenditures",
        "special treasury bonds",
        "investment",
        "college graduates",
        "vocational skills training",
        "old-age benefits",
        "subsidies",
        "childcare places",
        "solar power capacity",
        "non-fossil energy",
    ],
    "gwr-2024-en": [
        "GDP",
        "GDP",
        "global average",
        "urban jobs",
        "unemployment rate",
        "Consumer prices",
        "Grain output",
        "Energy consumption",
        "tax refunds and deferrals",
        "treasury bonds",
        "value added of high-tech manufacturing",
        "new energy vehicles",
        "new energy vehicles",
        "penetration rate",
        "high-standard cropland",
        "disposable income",
        "people",
        "old-age benefits",
        "residential compounds",
        "households",
        "GDP",
        "urban jobs",
        "unemployment rate",
        "CPI",
        "grain output",
        "energy consumption",
        "deficit-to-GDP ratio",
        "government deficit",
        "government deficit",
        "special-purpose bonds",
        "special-purpose bonds",
        "investment",
        "special treasury bonds",
        "railway network",
        "rural roads",
        "college graduates",
        "vocational skills training",
        "childcare places",
        "government subsidies",
        "urbanization rate",
    ],
}
# Judgements that differ from or add to what the extractor says: (row, field, value)
OVERRIDES = {
    "gwr-2025-en": [(43, "comparator", "gt")],
    "gwr-2024-en": [(2, "kind", "other"), (2, "optional", True), (2, "change", None), (33, "change", "increase")],
}
for doc, cores in CORES.items():
    text = pathlib.Path(f"corpus/{doc}.txt").read_text(encoding="utf-8")
    out = subprocess.run(
        [".venv/bin/extract", "run", f"corpus/{doc}.txt", "-q"], capture_output=True, text=True, check=True
    ).stdout
    inds = json.loads(out)["indicators"]
    assert len(inds) == len(cores), (doc, len(inds), len(cores))
    rows = []
    for n, (ind, core) in enumerate(zip(inds, cores, strict=True)):
        s, e = ind["span"]
        anchor = text[s:e]
        lo, hi = s, e
        while text.count(text[lo:hi]) != 1:
            lo, hi = max(0, lo - 6), min(len(text), hi + 6)
        q = ind["quantity"]
        row = {
            "anchor": anchor,
            "ctx": text[lo:hi],
            "value": ind["value"],
            "value_max": ind["value_max"],
            "unit": ind["unit"],
            "qvalue": float(q["value"]),
            "qvalue_max": q["value_max"],
            "qunit": q["unit"],
            "comparator": ind["comparator"],
            "change": ind["change"],
            "kind": ind["kind"],
            "year": ind["year"],
            "metric": core,
        }
        for index, key, value in OVERRIDES.get(doc, []):
            if index == n:
                row[key] = value
        rows.append(row)
    with open(f"tests/gold/{doc}.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(doc, len(rows))
