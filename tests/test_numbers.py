from decimal import Decimal

import pytest

from extract.numbers import parse_number


@pytest.mark.parametrize(
    "text, value",
    [
        ("1900", "1900"),
        ("224.2", "224.2"),
        ("1,537.28", "1537.28"),
        ("两", "2"),
        ("十", "10"),
        ("十二", "12"),
        ("三千五百", "3500"),
        ("三千五", "3500"),
        ("两万五", "25000"),
        ("一千九百", "1900"),
        ("一千零五", "1005"),
        ("一亿二千万", "120000000"),
        ("三点五", "3.5"),
        ("十二点零五", "12.05"),
        ("壹佰贰拾", "120"),
        ("二〇二五", "2025"),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == Decimal(value)


def test_parse_number_rejects_words():
    with pytest.raises(ValueError):
        parse_number("一流")
