"""Release end matter (kind ``end_matter``) and wire datelines (``Article.place``), in every format."""

from __future__ import annotations

import pytest

from translate_sum.ingest import load_article
from translate_sum.ingest.endmatter import split_dateline

BODY = (
    "The company opened a new plant in the north of the country on Tuesday. It will employ 300 people.\n\n"
    "The plant will make parts for electric buses and trams sold across the region.\n\n"
)


def _txt(tmp_path, text: str, title: str = "Company opens a new plant"):
    path = tmp_path / "a.txt"
    path.write_text(f"{title}\n\n{text}", encoding="utf-8")
    return load_article(path)


def _kinds(article):
    return [(p.kind, p.text) for p in article.paragraphs[1:]]


@pytest.mark.parametrize(
    ("line", "place", "date", "rest"),
    [
        (
            "BEIJING, March 3, 2021 /PRNewswire/ -- Acme today announced",
            "BEIJING",
            "2021-03-03",
            "Acme today announced",
        ),
        (
            "MOSCOW, March 3. /TASS/. The Russian government said",
            "MOSCOW",
            None,
            "The Russian government said",
        ),
        ("BEIJING, Jan. 6 (Xinhua) -- China's railway", "BEIJING", None, "China's railway"),
        ("SAN FRANCISCO--(BUSINESS WIRE)--Acme Corp. said", "SAN FRANCISCO", None, "Acme Corp. said"),
        ("LONDON (Reuters) - Britain said", "LONDON", None, "Britain said"),
        ("NEW YORK, March 03, 2021 (GLOBE NEWSWIRE) -- Acme", "NEW YORK", "2021-03-03", "Acme"),
        ("GENEVA, 3 March 2021 – The agency said", "GENEVA", "2021-03-03", "The agency said"),
        (
            "WASHINGTON, D.C., June 1, 2022 /PRNewswire/ -- The group",
            "WASHINGTON, D.C.",
            "2022-06-01",
            "The group",
        ),
        ("Brussels, 3 March 2021", "Brussels", "2021-03-03", ""),
    ],
)
def test_wire_datelines(line, place, date, rest):
    found = split_dateline(line)
    assert found is not None and (found.place, found.date, found.rest) == (place, date, rest)


@pytest.mark.parametrize(
    "line",
    [
        "On 10 April, SCO Secretary-General Vladimir Norov met the president.",
        "On the afternoon of July 23, the Deputy Secretary-General visited.",
        "NATO, the alliance, said on Monday that it would meet.",
        "In Beijing, March is the driest month of the year.",
    ],
)
def test_ordinary_first_sentences_have_no_dateline(line):
    assert split_dateline(line) is None


def test_dateline_leaves_the_first_sentence_and_gives_place_and_date(tmp_path):
    article = _txt(tmp_path, "BEIJING, March 3, 2021 /PRNewswire/ -- " + BODY)
    assert (article.place, article.date) == ("BEIJING", "2021-03-03")
    assert article.paragraphs[1].text.startswith("The company opened a new plant")


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        (
            "###\n\nAbout Acme\n\nAcme makes parts for buses.",
            ["###", "About Acme", "Acme makes parts for buses."],
        ),
        ("-30-", ["-30-"]),
        ("SOURCE Acme Corporation", ["SOURCE Acme Corporation"]),
        (
            "Photo - https://mma.example.com/1.jpg\n\nLogo - https://mma.example.com/2.jpg",
            ["Photo - https://mma.example.com/1.jpg", "Logo - https://mma.example.com/2.jpg"],
        ),
        ("IP/21/1011", ["IP/21/1011"]),
        ("Media contacts:\n\nJane Roe, +44 20 7946 0000", ["Media contacts:", "Jane Roe, +44 20 7946 0000"]),
        ("Jane Roe\njane.roe@acme.example", ["Jane Roe jane.roe@acme.example"]),
        (
            "Notes to editors\n\nAcme was founded in 1990 and has 4,000 staff.",
            ["Notes to editors", "Acme was founded in 1990 and has 4,000 staff."],
        ),
        (
            "For more information\n\nhttps://acme.example/plant",
            ["For more information", "https://acme.example/plant"],
        ),
        (
            "About Acme\n\nAcme makes parts.\n\nAbout Beta\n\nBeta sells them.\n\nContact: press@acme.example",
            [
                "About Acme",
                "Acme makes parts.",
                "About Beta",
                "Beta sells them.",
                "Contact: press@acme.example",
            ],
        ),
    ],
)
def test_end_matter_forms(tmp_path, tail, expected):
    article = _txt(tmp_path, BODY + tail)
    assert [t for k, t in _kinds(article) if k == "end_matter"] == expected
    assert [k for k, _ in _kinds(article)][:2] == ["body", "body"]


def test_an_about_section_mid_story_and_company_facts_without_a_heading_are_body(tmp_path):
    text = (
        BODY
        + "## About the programme\n\nThe programme trains 500 welders a year.\n\n## Next steps\n\nThe plant opens in May."
    )
    assert all(k != "end_matter" for k, _ in _kinds(_txt(tmp_path, text)))
    facts = BODY + "Acme was founded in 1990. It has 4,000 employees in 12 countries."
    assert all(k != "end_matter" for k, _ in _kinds(_txt(tmp_path, facts)))


def test_end_matter_in_markdown_with_a_marker_run_on(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(
        "# Company opens a new plant\n\n" + BODY + "The plant opens in May. Enditem\n", encoding="utf-8"
    )
    kinds = _kinds(load_article(path))
    assert kinds[-2:] == [("body", "The plant opens in May."), ("end_matter", "Enditem")]


def _run(tmp_path, config, name: str):
    import json

    from click.testing import CliRunner

    from translate_sum.cli import cli

    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(
        "Company opens a new plant\n\nBEIJING, March 3, 2021 /PRNewswire/ -- "
        + BODY
        + "About Acme\n\nAcme makes parts for buses.\n\nSOURCE Acme Corporation\n",
        encoding="utf-8",
    )
    out = tmp_path / name
    args = ["all", "--input", str(folder), "--output", str(out), "--config", str(config)]
    result = CliRunner().invoke(cli, [*args, "--summarizer", "extractive", "--only", "ru", "--quiet"])
    assert result.exit_code == 0, result.output
    (folder_out,) = [p for p in out.iterdir() if p.is_dir()]
    records = [json.loads(line) for line in (folder_out / "aligned.jsonl").read_text().splitlines()]
    manifest = json.loads((folder_out / "manifest.json").read_text())
    return folder_out, records, manifest


def test_end_matter_is_kept_untranslated_by_default_and_translated_on_request(tmp_path, tiny_config):
    folder, records, manifest = _run(tmp_path, tiny_config, "keep")
    end = [r for r in records if r["kind"] == "end_matter"]
    assert [r["en"] for r in end] == ["About Acme", "Acme makes parts for buses.", "SOURCE Acme Corporation"]
    assert all("ru" not in r for r in end) and all("ru" in r for r in records if r["kind"] != "end_matter")
    assert manifest["counts"]["end_matter"] == 3 and manifest["article"]["place"] == "BEIJING"
    summary_support = {s["id"] for r in records if r["kind"] == "summary" for s in r["support"]}
    assert not summary_support & {r["id"] for r in end}
    # Kept in every output as the English source, after the translated body.
    markdown = (folder / "article.ru.md").read_text()
    assert markdown.rstrip().endswith("SOURCE Acme Corporation") and "Acme makes parts for buses." in markdown
    assert "Acme makes parts for buses." in (folder / "review.html").read_text()

    translating = tmp_path / "models.toml"
    translating.write_text(tiny_config.read_text() + '\n[ingest]\nend_matter = "translate"\n')
    _, records, manifest = _run(tmp_path, translating, "translate")
    end = [r for r in records if r["kind"] == "end_matter"]
    assert len(end) == 3 and all(r.get("ru") for r in end)
    assert manifest["counts"]["end_matter"] == 3


def test_the_end_matter_setting_is_checked(tmp_path):
    from translate_sum.config import load_config
    from translate_sum.errors import ConfigError

    path = tmp_path / "models.toml"
    path.write_text('[ingest]\nend_matter = "summarize"\n')
    with pytest.raises(ConfigError, match=r"\[ingest\] end_matter must be one of keep, translate"):
        load_config(path)
    path.write_text('[ingest]\nend_matter = "translate"\n')
    config = load_config(path)
    assert config.end_matter == "translate" and config.fingerprint(("zh",))["end_matter"] == "translate"
    assert "end_matter" not in load_config(None).fingerprint(("zh",))
