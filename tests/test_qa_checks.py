"""The CAT-grade QA checks (URLs, e-mails, codes, brackets, doubled words, spaces, names, end
punctuation), consistency and low confidence: table-driven, zh and ru, hand-written expectations."""

from __future__ import annotations

import pytest

from translate_sum.config import QaSettings, load_config
from translate_sum.errors import ConfigError
from translate_sum.qa import (
    CHECKS,
    FLAG_TYPES,
    RunSegment,
    check_segment,
    check_settings,
    consistency_flags,
    low_confidence_flags,
)

NEW_CHECKS = (
    "urls",
    "emails",
    "alphanumeric",
    "brackets",
    "doubled_words",
    "double_space",
    "caps",
    "end_punctuation",
)

# (check, en, target, lang, flagged): each a case a translator would judge by hand.
CASES = [
    # URLs (translate-toolkit's check)
    ("urls", "Details at https://sco.int/news/7 today.", "详情见 https://sco.int/news/7 。", "zh", False),
    ("urls", "Details at https://sco.int/news/7 today.", "详情见 https://sco.int/news/8 。", "zh", True),
    ("urls", "Details at https://sco.int/news/7 today.", "Подробности на https://sco.int/news/7 сегодня.", "ru", False),
    ("urls", "Read https://sco.int/news/7.", "См. https://sco.int/news/7.", "ru", False),
    ("urls", "Details at https://sco.int/news/7 today.", "Подробности на сайте сегодня.", "ru", True),
    # e-mails: a Chinese full stop glued to the address must not break it
    ("emails", "Write to press@sco.int for details.", "详情请致函press@sco.int。", "zh", False),
    ("emails", "Write to press@sco.int for details.", "详情请致函press@sco.org。", "zh", True),
    ("emails", "Write to press@sco.int for details.", "Пишите на press@sco.int.", "ru", False),
    ("emails", "Write to press@sco.int for details.", "Пишите в пресс-службу.", "ru", True),
    # alphanumeric codes
    ("alphanumeric", "The A320neo is certified to ISO 9001.", "A320neo 获得 ISO 9001 认证。", "zh", False),
    ("alphanumeric", "The A320neo is certified to ISO 9001.", "A320 获得 ISO 9001 认证。", "zh", True),
    ("alphanumeric", "The G20 summit opened.", "二十国集团（G20）峰会开幕。", "zh", False),
    ("alphanumeric", "The G20 summit opened.", "20国集团峰会开幕。", "zh", False),
    ("alphanumeric", "The G20 summit opened.", "Саммит G-20 открылся.", "ru", False),
    ("alphanumeric", "The A320neo is certified to ISO 9001.", "A320neo сертифицирован по ISO 9000.", "ru", True),
    ("alphanumeric", "Among the world's top-500 companies, 3rd place.", "Среди 500 крупнейших компаний мира, 3 место.", "ru", False),
    # brackets and quotes
    ("brackets", "The forum (the first) was held.", "论坛（首届）举行。", "zh", False),
    ("brackets", "The forum (the first) was held.", "论坛（首届举行。", "zh", True),
    ("brackets", "He called it “a new era”.", "他称之为「新时代」。", "zh", False),
    ("brackets", "He called it “a new era”.", "他称之为《新时代。", "zh", True),
    ("brackets", "He called it “a new era”.", "Он назвал это «новой эрой».", "ru", False),
    ("brackets", "He called it “a new era”.", "Он назвал это „новой эрой“.", "ru", False),
    ("brackets", "He called it “a new era”.", "Он назвал это «новой эрой.", "ru", True),
    ("brackets", "He said “we will", "Он сказал «мы будем", "ru", False),  # the source runs on too
    # doubled words
    ("doubled_words", "The meeting was held in Beijing.", "Встреча прошла в Пекине.", "ru", False),
    ("doubled_words", "The meeting was held in Beijing.", "Встреча прошла прошла в Пекине.", "ru", True),
    ("doubled_words", "Thank you all.", "谢谢大家。", "zh", False),  # reduplication is Chinese
    ("doubled_words", "The SCO SCO meeting.", "上合组织会议。", "zh", False),
    ("doubled_words", "The WTO met.", "WTO WTO 开会了。", "zh", True),
    # double blanks
    ("double_space", "The meeting was held.", "Встреча прошла.", "ru", False),
    ("double_space", "The meeting was held.", "Встреча  прошла.", "ru", True),
    ("double_space", "The meeting was held.", "会议 举行了。", "zh", False),
    ("double_space", "The meeting was held.", "会议  举行了。", "zh", True),
    # CamelCase / ALL-CAPS names
    ("caps", "SCO and UN officials met.", "上合组织和联合国官员会面。", "zh", False),
    ("caps", "SCO and UN officials met.", "ШОС и ООН провели встречу.", "ru", False),
    ("caps", "SCO and UN officials met.", "Официальные лица встретились.", "ru", True),
    ("caps", "Users of WeChat grew.", "WeChat 用户增长。", "zh", False),
    ("caps", "Users of WeChat grew.", "WeChta 用户增长。", "zh", True),
    ("caps", "Users of WeChat grew.", "Число пользователей WeChat выросло.", "ru", False),
    ("caps", "Users of WeChat grew.", "Число пользователей WeChta выросло.", "ru", True),
    # end punctuation, CJK-aware
    ("end_punctuation", "The meeting was held.", "会议举行了。", "zh", False),
    ("end_punctuation", "The meeting was held.", "会议举行了", "zh", True),
    ("end_punctuation", "Was the meeting held?", "会议举行了吗？", "zh", False),
    ("end_punctuation", "The meeting was held.", "Встреча прошла.", "ru", False),
    ("end_punctuation", "Was the meeting held?", "Встреча прошла.", "ru", True),
    ("end_punctuation", "SCO Secretary-General meets the delegation", "Генсек ШОС встретился с делегацией", "ru", False),
]  # fmt: skip


@pytest.mark.parametrize(("name", "en", "target", "lang", "flagged"), CASES)
def test_each_check_on_hand_judged_cases(name, en, target, lang, flagged) -> None:
    flags = [f for f in check_segment(en, target, lang) if f.type == name]
    assert bool(flags) is flagged, flags
    for flag in flags:
        assert flag.lang == lang and len(flag.detail) > 15  # says what to look at


def test_every_new_check_has_positive_and_negative_cases_in_both_languages() -> None:
    covered = {(name, lang, flagged) for name, _, _, lang, flagged in CASES}
    for name in NEW_CHECKS:
        assert name in CHECKS and name in FLAG_TYPES
        for lang in ("zh", "ru"):
            assert (name, lang, False) in covered, (name, lang)
            if name != "doubled_words" or lang == "ru":  # zh doubling: only Latin words, tested once
                assert (name, lang, True) in covered or name == "double_space", (name, lang)


def test_flags_name_the_offending_text() -> None:
    [flag] = [
        f for f in check_segment("The A320neo flew.", "A321neo 飞了。", "zh") if f.type == "alphanumeric"
    ]
    assert "A320neo" in flag.detail
    [flag] = [f for f in check_segment("He said “yes”.", "Он сказал «да.", "ru") if f.type == "brackets"]
    assert "«" in flag.detail


def test_a_disabled_check_does_not_run() -> None:
    en, target = "The meeting was held.", "Встреча  прошла"
    assert {"double_space", "end_punctuation"} <= {f.type for f in check_segment(en, target, "ru")}
    settings = QaSettings(disable=("double_space", "end_punctuation"))
    assert check_segment(en, target, "ru", settings=settings) == []


def test_qa_table_in_models_toml(tmp_path) -> None:
    path = tmp_path / "models.toml"
    path.write_text('[qa]\ndisable = ["caps", "consistency"]\nlow_confidence_k = 2.5\n', encoding="utf-8")
    config = load_config(path)
    assert config.qa == QaSettings(disable=("caps", "consistency"), low_confidence_k=2.5)
    assert "qa" in config.fingerprint(("zh",))
    path.write_text('[qa]\ndisable = ["speling"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown check.*speling"):
        check_settings(load_config(path).qa, path)  # as every command's load() does
    path.write_text("[qa]\nlow_confidence_k = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="low_confidence_k"):
        load_config(path)


def test_same_source_translated_differently_flags_both_pointing_to_each_other() -> None:
    segments = [
        RunSegment("a p1s0", "The meeting was held in Beijing.", "会议在北京举行。"),
        RunSegment("b p4s2", "The meeting was  held in Beijing.", "会谈在北京举行。"),  # same once normalised
        RunSegment("b p5s0", "The forum closed on Friday.", "论坛于周五闭幕。"),
    ]
    flags = consistency_flags(segments, "zh")
    assert [len(f) for f in flags] == [1, 1, 0]
    assert "b p4s2" in flags[0][0].detail and "会谈在北京举行" in flags[0][0].detail
    assert "a p1s0" in flags[1][0].detail and "会议在北京举行" in flags[1][0].detail


def test_same_target_for_different_sources_in_the_run_and_against_the_memory() -> None:
    segments = [
        RunSegment("a p1s0", "The meeting was fruitful.", "Встреча была плодотворной."),
        RunSegment("a p2s0", "The talks were fruitful.", "Встреча была плодотворной."),
        RunSegment("a p3s0", "The visit ended on Friday.", "Визит завершился в пятницу."),
    ]
    memory = [("The trip ended on Friday.", "Визит завершился в пятницу.")]
    flags = consistency_flags(segments, "ru", memory)
    assert "a p2s0" in flags[0][0].detail and "a p1s0" in flags[1][0].detail
    assert "memory" in flags[2][0].detail and "The trip ended" in flags[2][0].detail
    same = consistency_flags(segments[:1] * 2, "ru")  # the same pair twice is consistent
    assert same == [[], []]


def test_low_confidence_marks_the_planted_outlier_only() -> None:
    confidences = [-0.50 + 0.01 * (i % 7) for i in range(30)] + [-2.4, None]
    flags = low_confidence_flags(confidences, "zh")
    assert [i for i, f in enumerate(flags) if f] == [30]
    assert "-2.40" in flags[30].detail and "median" in flags[30].detail
    assert all(f is None for f in low_confidence_flags(confidences[:10] + [-2.4], "zh"))  # too few to tell
    assert all(
        f is None for f in low_confidence_flags(confidences, "zh", QaSettings(disable=("low_confidence",)))
    )


def test_a_loop_is_not_also_a_doubled_word_nor_flagged_for_cosmetics() -> None:
    en = "The meeting was held."
    loop = "встреча встреча встреча встреча встреча"
    assert [f.type for f in check_segment(en, loop, "ru")] == ["repetition"]
    assert [f.type for f in check_segment(en, "Встреча встреча прошла.", "ru")] == ["doubled_words"]
