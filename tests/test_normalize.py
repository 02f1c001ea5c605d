from hypothesis import given, settings
from hypothesis import strategies as st

import extract.normalize
from extract.normalize import _line_blocks, detect_script, fold_width, normalize, to_simplified
from extract.rules import load_rules

RULES = load_rules("zh")


def test_pinyin_removed_and_offsets_map_back():
    original = "統(tǒng)籌推進263個重點項目"
    norm = normalize(original, RULES)
    assert norm.text == "统筹推进263个重点项目"
    start = norm.text.index("263")
    span = norm.offsets.span_to_original(start, start + 4)
    assert original[span[0] : span[1]] == "263個"


def test_lost_character_keeps_its_place_but_not_its_pinyin():
    norm = normalize("金家?guī)X金融聚集區", RULES)
    assert "(" not in norm.text and "?" in norm.text


def test_english_in_brackets_is_not_pinyin():
    assert "(CBD)" in normalize("中央商务区(CBD)建设。", RULES).text


def test_page_break_inside_a_sentence_is_joined():
    original = "支持企业发展；全区规模以\n\n上工业增加值增长8%以上。\n\n标题一行\n\n正文。"
    norm = normalize(original, RULES)
    assert "全区规模以上工业增加值增长8%以上。" in norm.text
    assert "\n\n标题一行\n\n" in norm.text
    start = norm.text.index("上工业")
    assert original[norm.offsets.to_original(start)] == "上"


def test_heading_lines_are_not_joined():
    original = "释放内需潜力、稳定经济增长\n\n一头连着经济发展。"
    assert normalize(original, RULES).text == original


def test_boilerplate_notice_is_dropped():
    original = "新增就业2万人。\n特别声明:以上内容为用户上传。\nNotice: The content above is uploaded by a user."
    norm = normalize(original, RULES)
    assert "声明" not in norm.text and "Notice" not in norm.text


def test_width_folding_keeps_length():
    assert fold_width("１２３．５％，（一）　") == "123.5%,(一) "


def test_t2s_keeps_every_offset():
    text = "嶗山區生產總值增長5%以上，著力提升覆蓋率"
    assert len(to_simplified(text)) == len(text)
    assert to_simplified("嶗山區") == "崂山区"


def test_script_detection():
    assert detect_script("崂山区生产总值增长5%以上，新引进项目。") == "simplified"
    assert detect_script("嶗山區生產總值增長5%以上，新引進項目。") == "traditional"
    assert detect_script("GDP grew 5 percent.") == "simplified"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="發展經濟\n 1a", max_size=400), st.integers(min_value=1, max_value=50))
def test_line_blocks_cover_the_text_and_cut_after_line_breaks(text, size):
    blocks = list(_line_blocks(text, size))
    assert "".join(blocks) == text
    for block in blocks[:-1]:
        assert block.endswith("\n") or len(block) == size


def test_conversion_in_blocks_equals_conversion_whole(monkeypatch):
    text = "\n".join(["國務院發佈經濟發展報告，穩增長、擴內需。"] * 50)
    whole = to_simplified(text)
    monkeypatch.setattr(extract.normalize, "CONVERT_BLOCK", 64)
    assert to_simplified(text) == whole
    assert "国务院发布经济发展报告" in whole
