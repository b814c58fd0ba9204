import re
from datetime import date

import numpy as np
import pytest

from skmem.datasets import make_dates
from skmem.datasets._dates import _TEMPLATES

MONTHS = {  # month number of a few names and abbreviations, every language
    "march": 3, "mar": 3, "mars": 3, "märz": 3, "marzo": 3,
    "june": 6, "juin": 6, "juni": 6, "junio": 6, "jun": 6,
    "décembre": 12, "dezember": 12, "diciembre": 12, "dec": 12, "déc": 12, "dez": 12, "dic": 12,
}


def test_pairs_are_iso_dates_in_range_and_seeded():
    X, y = make_dates(500, random_state=0)
    assert len(X) == len(y) == 500
    assert all(isinstance(x, str) and x.strip() for x in X)
    for iso in y:
        when = date.fromisoformat(iso)
        assert date(1950, 1, 1) <= when <= date(2049, 12, 31)
    assert make_dates(500, random_state=0) == (X, y)
    assert make_dates(500, random_state=1) != (X, y)
    assert make_dates(5, random_state=np.random.RandomState(3))[0] != X[:5]


def test_global_rng_untouched():
    state = np.random.get_state()[1].copy()
    make_dates(10, random_state=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_every_string_names_one_date():
    """The task is fair: no string is written for two different dates."""
    X, y = make_dates(20000, random_state=0)
    seen = {}
    for x, iso in zip(X, y):
        assert seen.setdefault(x, iso) == iso, x


def test_many_formats_and_languages():
    X, y = make_dates(3000, random_state=0)
    shapes = {re.sub(r"\d", "9", re.sub(r"[^\W\d]+", "a", x)) for x in X}
    assert len(shapes) > 30  # orders, separators, padding
    lowered = " ".join(X).lower()
    for word in ("march", "mars", "märz", "marzo", "of", "de", "den", "le", "1er", "3rd",
                 "21st", "wednesday", "mercredi", "mittwoch", "miércoles"):
        assert word in lowered, word
    assert any(x.isupper() for x in X) and any(x.islower() and x[0].isalpha() for x in X)
    assert any(x == iso for x, iso in zip(X, y))  # ISO itself is one of the inputs
    assert sum(len(t) for t in _TEMPLATES.values()) == 50


def test_written_fields_agree_with_the_iso_date():
    X, y = make_dates(3000, random_state=0)
    checked = 0
    for x, iso in zip(X, y):
        when = date.fromisoformat(iso)
        text = x.lower()
        if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text):  # day first
            d, m, yr = map(int, text.split("."))
            assert (yr, m, d) == (when.year, when.month, when.day)
        elif re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}", text):  # month first, 50 pivot
            m, d, yy = map(int, text.split("/"))
            assert (m, d, yy + (1900 if yy >= 50 else 2000)) == (when.month, when.day, when.year)
        elif ordinal := re.fullmatch(r"(?:the )?(\d+)(?:st|nd|rd|th) of ([a-z]+),? (\d{4})", text):
            assert (int(ordinal[1]), MONTHS.get(ordinal[2], when.month), int(ordinal[3])) == (
                when.day, when.month, when.year)
        else:
            words = re.findall(r"[^\W\d]+", text)
            if words and words[0] == "mar":  # "mar." is also Tuesday (fr, es)
                words = words[1:]
            months = [MONTHS[w] for w in words if w in MONTHS]
            if not months:
                continue
            assert months == [when.month], x
        checked += 1
    assert checked > 300


def test_languages_parameter():
    X, _ = make_dates(400, languages=["de"], random_state=0)
    lowered = " ".join(X).lower()
    assert "märz" in lowered or "mai" in lowered
    assert not any(w in lowered for w in ("march", "mars ", "marzo", " of "))
    X, _ = make_dates(200, languages=(), random_state=0)
    assert all(re.fullmatch(r"[\d./-]+", x) for x in X)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n_samples=0), "n_samples must be a positive integer"),
        (dict(n_samples=2.5), "n_samples must be a positive integer"),
        (dict(n_samples=3, languages=["it"]), "Unknown languages"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_dates(**kwargs)
