"""Dates and metadata lines to ISO 8601; never a date out of a sentence."""

from __future__ import annotations

import pytest

from translate_sum.ingest.dates import Metadata, iso_date, metadata_line


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2020-07-24", "2020-07-24"),
        ("2021-03-02T10:00:00+08:00", "2021-03-02"),
        ("28 August 2020", "2020-08-28"),
        ("August 28, 2020", "2020-08-28"),
        ("28.08.2020", "2020-08-28"),
        ("02/03/2021", "2021-03-02"),
        ("Tue, 02 Mar 2021 10:00:00 GMT", "2021-03-02"),
        ("today", None),
        ("March 2021", None),
        ("Weidong Cloud Education", None),
        ("2020-13-40", None),
    ],
)
def test_iso_date(text, iso):
    assert iso_date(text) == iso


@pytest.mark.parametrize(
    ("line", "meta"),
    [
        (
            "Publish Time:2020-07-24     Article Source:Weidong Cloud Education",
            Metadata("2020-07-24", "Weidong Cloud Education"),
        ),
        ("Publish Time:2020-07-24 Article Source:Weidong", Metadata("2020-07-24", "Weidong")),
        (
            "Published: 2019-08-27 · Source: Ministry of Foreign Affairs",
            Metadata("2019-08-27", "Ministry of Foreign Affairs"),
        ),
        ("*Published 28 August 2020 · Source: SCO Secretariat*", Metadata("2020-08-28", "SCO Secretariat")),
        ("By Jane Doe | 28 August 2020", Metadata("2020-08-28", None, "Jane Doe")),
        ("Updated: 2021-01-01 | Published: 2020-12-30", Metadata("2020-12-30")),
        ("Source: Xinhua", Metadata(None, "Xinhua")),
        ("Date: 28.08.2020", Metadata("2020-08-28")),
        # Sentences that mention a date are text, not metadata.
        ("On 28 August 2020 the delegation met the minister.", None),
        ("By the end of 2020 the group had grown.", None),
        ("Published: never", None),
        ("Photo: Meeting scene", None),
    ],
)
def test_metadata_line(line, meta):
    assert metadata_line(line) == meta
