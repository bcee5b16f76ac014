"""Table-driven tests for the per-segment QA flags in ``translate_sum.qa``."""

from __future__ import annotations

import pytest

from translate_sum.qa import FLAG_TYPES, LENGTH_BANDS, check_segment
from translate_sum.records import Flag

# Seed 001, last-but-one paragraph, with translations written by hand as a careful translator would.
SEED_EN = (
    "Its online platform has over two million registered users, more than 35,000 companies, and government "
    "and educational institutions, 330 of which are among the world's top-500 companies."
)
SEED_ZH = (
    "其在线平台拥有超过两百万注册用户、3.5万多家企业以及政府和教育机构，其中330家跻身世界500强企业之列。"
)
SEED_RU = (
    "Её онлайн-платформой пользуются более двух миллионов зарегистрированных пользователей, более 35 000 "
    "компаний, а также государственные и образовательные учреждения, 330 из которых входят в число 500 "
    "крупнейших компаний мира."
)
FOUNDED_EN = (
    "Weidong Cloud Education Group was founded in Qingdao, China, in 2012, and currently has branches in "
    "16 countries."
)
FOUNDED_ZH = "伟东云教育集团于2012年在中国青岛成立，目前在16个国家设有分支机构。"
FOUNDED_RU = (
    "Weidong Cloud Education Group была основана в Циндао (Китай) в 2012 году и в настоящее время имеет "
    "филиалы в 16 странах."
)
MEETING_EN = "On the afternoon of July 23, the Deputy Secretary-General visited the Qingdao headquarters."
MEETING_ZH = "7月23日下午，副秘书长访问了青岛总部。"
MEETING_RU = (
    "Во второй половине дня 23 июля заместитель генерального секретаря посетил штаб-квартиру в Циндао."
)
ATMOSPHERE_EN = "The meeting was held in a friendly and warm atmosphere."
KEEP = ["Weidong Cloud Education Group"]


def types(flags: list[Flag]) -> list[str]:
    return [f.type for f in flags]


@pytest.mark.parametrize(
    ("en", "target", "lang"),
    [
        (SEED_EN, SEED_ZH, "zh"),
        (SEED_EN, SEED_RU, "ru"),
        (FOUNDED_EN, FOUNDED_ZH, "zh"),
        (FOUNDED_EN, FOUNDED_RU, "ru"),
        (MEETING_EN, MEETING_ZH, "zh"),
        (MEETING_EN, MEETING_RU, "ru"),
        (ATMOSPHERE_EN, "会议在友好热烈的气氛中举行。", "zh"),
        (ATMOSPHERE_EN, "Встреча прошла в дружественной и тёплой атмосфере.", "ru"),
        ("Photo: Meeting scene", "图为会见现场", "zh"),
        ("SCO", "ШОС", "ru"),
        ("", "", "zh"),
    ],
)
def test_good_translations_raise_no_flag(en: str, target: str, lang: str) -> None:
    assert check_segment(en, target, lang, ignore=KEEP) == []


@pytest.mark.parametrize(
    ("en", "target", "lang", "detail_part"),
    [
        (SEED_EN, SEED_ZH.replace("330", "300"), "zh", "330"),  # changed
        (SEED_EN, SEED_RU.replace("35 000", "3 500"), "ru", "35,000"),
        (FOUNDED_EN, FOUNDED_ZH.replace("2012年", ""), "zh", "2012"),  # dropped year
        (MEETING_EN, MEETING_ZH.replace("23", "22"), "zh", "23"),
        ("Sales rose 3.5% to 2 million.", "Продажи выросли на 5% до 2 млн.", "ru", "3.5"),
        (
            "It has branches in 16 countries and 16 cities.",
            "它在16个国家和多个城市设有分支机构。",
            "zh",
            "16",
        ),
    ],
)
def test_numbers_flag_missing_or_changed(en: str, target: str, lang: str, detail_part: str) -> None:
    flags = check_segment(en, target, lang, ignore=KEEP)
    assert types(flags) == ["numbers"]
    assert flags[0].lang == lang and detail_part in flags[0].detail


@pytest.mark.parametrize(
    ("en", "target", "lang"),
    [
        ("More than 35,000 companies joined.", "超过35000家企业加入。", "zh"),
        ("More than 35,000 companies joined.", "超过3.5万家企业加入。", "zh"),
        ("More than 35,000 companies joined.", "Присоединились более 35\u00a0000 компаний.", "ru"),
        ("More than 35,000 companies joined.", "Присоединились более 35 тыс. компаний.", "ru"),
        ("Sales rose 3.5% to $2 million.", "销售额增长3.5%，达到200万美元。", "zh"),
        ("Sales rose 3.5% to $2 million.", "Продажи выросли на 3,5% до 2 млн долларов.", "ru"),
        ("The event is on 2020-07-24.", "活动于2020年7月24日举行。", "zh"),
        ("The fight against COVID-19 in China continues.", "中国抗击新冠肺炎疫情的斗争仍在继续。", "zh"),
        ("The G20 summit welcomed 5G networks.", "二十国集团峰会欢迎第五代移动通信网络。", "zh"),
        (
            "The 16 members hired 330 staff.",
            "16 330 сотрудников наняли члены.",
            "ru",
        ),  # "16 330" read both ways
    ],
)
def test_numbers_normalisation_accepts_equivalent_forms(en: str, target: str, lang: str) -> None:
    assert "numbers" not in types(check_segment(en, target, lang))


def test_numbers_ignore_list_drops_digits_inside_terms() -> None:
    en, zh = "Project 2030 Vision was launched.", "愿景项目启动。"
    assert types(check_segment(en, zh, "zh")) == ["numbers"]
    assert check_segment(en, zh, "zh", ignore=["Project 2030 Vision"]) == []


@pytest.mark.parametrize("target", ["", "   ", "\n\t"])
def test_empty_target(target: str) -> None:
    assert check_segment(ATMOSPHERE_EN, target, "ru") == [Flag("empty", "ru", "target is empty")]


@pytest.mark.parametrize(
    ("en", "target", "lang", "detail_part"),
    [
        (ATMOSPHERE_EN, ATMOSPHERE_EN, "zh", "identical"),
        (ATMOSPHERE_EN, ATMOSPHERE_EN, "ru", "identical"),
        (ATMOSPHERE_EN, "The meeting was held in a 友好 atmosphere.", "zh", "Latin"),
        (ATMOSPHERE_EN, "The meeting прошла in a friendly and warm atmosphere.", "ru", "Latin"),
        ("Photo: Meeting scene", "Photo: meeting scene", "ru", "no Cyrillic"),
        ("Photo: Meeting scene", "Photo: meeting", "zh", "no Chinese"),
    ],
)
def test_untranslated(en: str, target: str, lang: str, detail_part: str) -> None:
    flags = [f for f in check_segment(en, target, lang) if f.type == "untranslated"]
    assert len(flags) == 1 and detail_part in flags[0].detail


@pytest.mark.parametrize(
    ("en", "target", "lang", "ignore"),
    [
        (
            "Weidong Cloud Education Group",
            "Weidong Cloud Education Group",
            "ru",
            ["Weidong Cloud Education Group"],
        ),
        (FOUNDED_EN, FOUNDED_RU, "ru", ["Weidong Cloud Education Group"]),
        ("Weidong Rock City opened.", "Weidong Rock City 开业。", "zh", ["Weidong Rock City"]),
        ("UNESCO", "ЮНЕСКО", "ru", []),
        ("2020", "2020", "zh", []),
    ],
)
def test_names_kept_in_latin_are_not_untranslated(en: str, target: str, lang: str, ignore: list[str]) -> None:
    assert "untranslated" not in types(check_segment(en, target, lang, ignore=ignore))


@pytest.mark.parametrize(
    ("en", "target", "lang", "flagged"),
    [
        (ATMOSPHERE_EN, "会议。", "zh", True),  # 0.05: truncated
        (ATMOSPHERE_EN, "会议在友好热烈的气氛中举行。" * 5, "zh", True),  # 1.27
        (ATMOSPHERE_EN, "会议在友好热烈的气氛中举行。", "zh", False),  # 0.25: normal
        (ATMOSPHERE_EN, "Встреча.", "ru", True),  # 0.15
        (ATMOSPHERE_EN, "Встреча прошла в дружественной и тёплой атмосфере. " * 3, "ru", True),  # 2.8
        (ATMOSPHERE_EN, "Встреча прошла в дружественной и тёплой атмосфере.", "ru", False),  # 0.91
        ("Photo: Meeting scene", "图", "zh", False),  # too short to judge
        (ATMOSPHERE_EN, "Treffen.", "de", True),  # generic band
    ],
)
def test_length_ratio(en: str, target: str, lang: str, flagged: bool) -> None:
    assert ("length_ratio" in types(check_segment(en, target, lang))) is flagged


def test_length_bands_are_documented_for_both_pairs() -> None:
    assert set(LENGTH_BANDS) == {"zh", "ru"}
    assert all(low < high for low, high in LENGTH_BANDS.values())


@pytest.mark.parametrize(
    ("en", "target", "lang", "flagged"),
    [
        (ATMOSPHERE_EN, "会议在友好友好友好友好的气氛中举行。", "zh", True),  # 2-char loop
        (
            ATMOSPHERE_EN,
            "会议在友好热烈的气氛中举行，在友好热烈的气氛中举行，在友好热烈的气氛中举行，在友好热烈的气氛中举行。",
            "zh",
            True,
        ),  # a 10-character phrase, 4 times
        (ATMOSPHERE_EN, "会议会议会议会议在友好热烈的气氛中举行。", "zh", True),
        (ATMOSPHERE_EN, "Встреча прошла прошла прошла прошла в тёплой атмосфере.", "ru", True),
        (
            ATMOSPHERE_EN,
            "Встреча в тёплой атмосфере, в тёплой атмосфере, в тёплой атмосфере, в тёплой атмосфере.",
            "ru",
            True,
        ),  # 3-word loop
        (ATMOSPHERE_EN, "Встреча прошла прошла прошла в тёплой атмосфере.", "ru", False),  # only 3 times
        (ATMOSPHERE_EN, "Встреча на на встрече на встрече на встрече на встрече прошла тепло.", "ru", True),
        ("Revenue reached 1000000 yuan.", "收入达到1000000元。", "zh", False),  # digits are one token
        (
            "Go, go, go, go, team!",
            "Вперёд, вперёд, вперёд, вперёд, команда!",
            "ru",
            False,
        ),  # the source loops
    ],
)
def test_repetition(en: str, target: str, lang: str, flagged: bool) -> None:
    assert ("repetition" in types(check_segment(en, target, lang))) is flagged


def test_split_flag_is_added_only_when_asked() -> None:
    zh = "会议在友好热烈的气氛中举行。"
    assert check_segment(ATMOSPHERE_EN, zh, "zh") == []
    flags = check_segment(ATMOSPHERE_EN, zh, "zh", split=True)
    assert types(flags) == ["split"] and flags[0].lang == "zh"
    assert types(check_segment(ATMOSPHERE_EN, "", "zh", split=True)) == ["empty", "split"]


def test_several_flags_at_once() -> None:
    flags = check_segment(SEED_EN, "平台平台平台平台", "zh")
    assert set(types(flags)) == {"numbers", "length_ratio", "repetition"}
    assert all(f.lang == "zh" for f in flags)


def test_every_flag_type_has_a_description() -> None:
    produced = {"numbers", "untranslated", "empty", "length_ratio", "repetition", "split", "glossary"}
    assert produced <= set(FLAG_TYPES)
    assert all(desc.endswith(".") and len(desc) < 120 for desc in FLAG_TYPES.values())


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"])
def test_bidi_controls_in_a_target_are_flagged(control):
    en = "The forum opened in Qingdao."
    flags = check_segment(en, f"论坛在{control}青岛开幕。", "zh")
    [bidi] = [f for f in flags if f.type == "bidi"]
    assert bidi.lang == "zh" and f"U+{ord(control):04X}" in bidi.detail
    assert not [f for f in check_segment(en, "论坛在青岛开幕。", "zh") if f.type == "bidi"]
    # Arabic letters or Hebrew text alone are not controls: nothing to flag.
    assert not [f for f in check_segment(en, "Форум открылся в Циндао (שלום).", "ru") if f.type == "bidi"]
