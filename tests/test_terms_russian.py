"""Russian forms of glossary terms: inflection, the case a context asks for, and agreement checks."""

from __future__ import annotations

import pytest
from glossary_entries import zh_ru

from translate_sum.terms import russian

# (nominative, genitive, dative, accusative, instrumental, prepositional), written by hand.
DECLENSIONS = [
    (
        "Шанхайская организация сотрудничества",
        "Шанхайской организации сотрудничества",
        "Шанхайской организации сотрудничества",
        "Шанхайскую организацию сотрудничества",
        "Шанхайской организацией сотрудничества",
        "Шанхайской организации сотрудничества",
    ),
    (
        "старший эксперт",
        "старшего эксперта",
        "старшему эксперту",
        "старшего эксперта",
        "старшим экспертом",
        "старшем эксперте",
    ),
    (
        "Владимир Норов",
        "Владимира Норова",
        "Владимиру Норову",
        "Владимира Норова",
        "Владимиром Норовым",
        "Владимире Норове",
    ),
    (
        "Генеральный секретарь ШОС",
        "Генерального секретаря ШОС",
        "Генеральному секретарю ШОС",
        "Генерального секретаря ШОС",
        "Генеральным секретарём ШОС",
        "Генеральном секретаре ШОС",
    ),
    (
        "правительство города Циндао",
        "правительства города Циндао",
        "правительству города Циндао",
        "правительство города Циндао",
        "правительством города Циндао",
        "правительстве города Циндао",
    ),
    (
        "Торгово-промышленная палата Гонконга",
        "Торгово-промышленной палаты Гонконга",
        "Торгово-промышленной палате Гонконга",
        "Торгово-промышленную палату Гонконга",
        "Торгово-промышленной палатой Гонконга",
        "Торгово-промышленной палате Гонконга",
    ),
    ("ШОС",) * 6,
    ("«Вэйдун Клауд Эдьюкейшн Груп»",) * 6,
    ("Циндао",) * 6,
    ("COVID-19",) * 6,
]


@pytest.mark.parametrize("forms", DECLENSIONS, ids=[d[0] for d in DECLENSIONS])
def test_inflect(forms):
    assert tuple(russian.inflect(forms[0], case) for case in russian.CASES) == forms


@pytest.mark.parametrize("phrase", ["Ван Дуаньжуй", "Шерали Джонон", "Муратек Акимбакиев"])
def test_names_it_cannot_decline_are_left_to_the_glossary(phrase):
    assert russian.inflect(phrase, "gent") is None
    assert russian.form_for(zh_ru("x", "x", phrase), "gent") is None


CONTEXTS = [
    ("", "nomn"),
    ("Он приехал. ", "nomn"),
    ("Подарок для ", "gent"),
    ("Письмо к ", "datv"),
    ("Путь через ", "accs"),
    ("Рассказ про ", "accs"),
    ("Он стоял перед ", "ablt"),
    ("Речь о ", "loct"),
    ("При ", "loct"),
    ("Встреча с ", "ablt"),
    ("По ", None),  # по takes three cases: nothing here settles which
    ("Визит в ", "accs"),
    ("Он работает в ", "loct"),
    ("Спасибо за ", "accs"),
    ("Мы в ", None),
    ("Он поблагодарил ", None),
    ("Директор и ", None),
    ("Циндао, ", None),
]


@pytest.mark.parametrize(("before", "case"), CONTEXTS)
def test_context_case(before, case):
    assert russian.context_case(before)[0] == case


FOUND = [
    # (nominative, text, the spans' texts)
    ("старший эксперт", "для старшего эксперта", ["старшего эксперта"]),
    ("старший эксперт", "для старшего эксперт", []),
    ("старший эксперт", "со старшими экспертами", ["старшими экспертами"]),
    ("Владимир Норов", "с Владимиром Норовым", ["Владимиром Норовым"]),
    ("Владимир Норов", "с Владимиром Норовом", []),
    ("Генеральный секретарь", "для Генеральный секретарь", []),  # для takes the genitive
    ("Генеральный секретарь", "заместитель Генерального секретаря", ["Генерального секретаря"]),
    ("президент", "вице-президент и президент", ["президент"]),
    ("C++", "C# и C+++ и C++", ["C++"]),
    ("«Вэйдун»", "компании Вэйдун и «Вэйдун»", ["Вэйдун", "«Вэйдун»"]),
]


@pytest.mark.parametrize(("phrase", "text", "expected"), FOUND)
def test_spans(phrase, text, expected):
    spans = russian.spans(zh_ru("x", "x", phrase), text)
    assert sorted({text[s:e] for s, e in spans}) == sorted(expected)
