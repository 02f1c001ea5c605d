"""The tokenizer: jieba's tags are parsed once, then read from a cache."""

from __future__ import annotations

from extract import tokenize


def test_jieba_tag_table_is_built_once_then_read_from_its_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(tokenize.tempfile, "gettempdir", lambda: str(tmp_path))
    table = {"增长": "v", "生产总值": "n"}
    assert tokenize._tag_table(lambda: table) == table
    assert len(list(tmp_path.glob("extract-jieba-tags.*.marshal"))) == 1

    def must_not_build():
        raise AssertionError("the cached table should have been read")

    assert tokenize._tag_table(must_not_build) == table
