"""Human-written dates paired with ISO dates: a seeded translation task.

Every string names exactly one date: numeric formats whose field order is
told apart by their separator (``03.04.2021`` is always day first, ``04/03/2021``
always month first, a four-digit field first is always the year), and
two-digit years that map to 1950-2049 (``50``-``99`` to the 1900s, ``00``-``49``
to the 2000s), so a perfect translator exists; the task is learning the
many surface forms (orders, separators, padding, ordinals, month and weekday
names in English, French, German and Spanish, letter case).
"""

import numbers
from datetime import date

from sklearn.utils import check_random_state

__all__ = ["DATE_LANGUAGES", "make_dates"]

_FIRST, _LAST = date(1950, 1, 1).toordinal(), date(2049, 12, 31).toordinal()

_NAMES = {
    "en": dict(
        months="January February March April May June July August September October "
               "November December".split(),
        abbr="Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
        weekdays="Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
        weekday_abbr="Mon Tue Wed Thu Fri Sat Sun".split(),
    ),
    "fr": dict(
        months="janvier février mars avril mai juin juillet août septembre octobre "
               "novembre décembre".split(),
        abbr="janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split(),
        weekdays="lundi mardi mercredi jeudi vendredi samedi dimanche".split(),
        weekday_abbr="lun. mar. mer. jeu. ven. sam. dim.".split(),
    ),
    "de": dict(
        months="Januar Februar März April Mai Juni Juli August September Oktober "
               "November Dezember".split(),
        abbr="Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez.".split(),
        weekdays="Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag".split(),
        weekday_abbr="Mo. Di. Mi. Do. Fr. Sa. So.".split(),
    ),
    "es": dict(
        months="enero febrero marzo abril mayo junio julio agosto septiembre octubre "
               "noviembre diciembre".split(),
        abbr="ene. feb. mar. abr. may. jun. jul. ago. sept. oct. nov. dic.".split(),
        weekdays="lunes martes miércoles jueves viernes sábado domingo".split(),
        weekday_abbr="lun. mar. mié. jue. vie. sáb. dom.".split(),
    ),
}

# Fields: {d} day, {dd} zero-padded day, {o} ordinal day, {m} / {mm} month
# number, {M} month name, {b} its abbreviation, {y} two-digit year, {Y} year,
# {W} weekday name, {a} its abbreviation. A template is drawn uniformly within
# its group, a group with the probability below.
_TEMPLATES = {
    "numeric": [
        "{Y}-{mm}-{dd}", "{Y}/{mm}/{dd}", "{Y}.{mm}.{dd}", "{Y}{mm}{dd}",
        "{dd}.{mm}.{Y}", "{d}.{m}.{Y}", "{dd}.{mm}.{y}", "{d}.{m}.{y}", "{dd}-{mm}-{Y}",
        "{mm}/{dd}/{Y}", "{m}/{d}/{Y}", "{m}/{d}/{y}", "{mm}/{dd}/{y}",
    ],
    "en": [
        "{M} {d}, {Y}", "{b} {d}, {Y}", "{b} {d}, {y}", "{b} {d} {Y}", "{M} {o}, {Y}",
        "{d} {M} {Y}", "{d} {b} {Y}", "{o} {M} {Y}", "{o} of {M} {Y}", "the {o} of {M}, {Y}",
        "{W}, {M} {d}, {Y}", "{a}, {b} {d}, {Y}", "{W} {o} {M} {Y}", "{a} {d} {b} {Y}",
        "{dd}-{b}-{Y}", "{d} {b} '{y}",
    ],
    "fr": [
        "{o} {M} {Y}", "le {o} {M} {Y}", "{W} {o} {M} {Y}", "{W} {d} {b} {Y}",
        "{d} {b} {Y}", "{a} {d} {b} {Y}", "{d} {M} {y}",
    ],
    "de": [
        "{d}. {M} {Y}", "am {d}. {M} {Y}", "{W}, {d}. {M} {Y}", "{W}, den {d}. {M} {Y}",
        "{d}. {b} {Y}", "{a}, {d}. {b} {Y}", "{dd}. {b} {y}",
    ],
    "es": [
        "{d} de {M} de {Y}", "{W}, {d} de {M} de {Y}", "{W} {d} de {M} del {Y}",
        "{d} {b} {Y}", "{a} {d} {b} {Y}", "{d}-{b}-{Y}", "{d} de {M} {y}",
    ],
}
_GROUP_WEIGHTS = {"numeric": 0.3, "en": 0.34, "fr": 0.12, "de": 0.12, "es": 0.12}

DATE_LANGUAGES = tuple(_NAMES)
"""Languages whose month and weekday names :func:`make_dates` writes."""


def _ordinal(day, language):
    if language == "en":
        suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        return f"{day}{suffix}"
    if language == "fr":
        return "1er" if day == 1 else str(day)
    return str(day)


def _write(template, when, language):
    names = _NAMES.get(language, _NAMES["en"])
    return template.format(
        d=when.day, dd=f"{when.day:02d}", o=_ordinal(when.day, language),
        m=when.month, mm=f"{when.month:02d}",
        M=names["months"][when.month - 1], b=names["abbr"][when.month - 1],
        y=f"{when.year % 100:02d}", Y=when.year,
        W=names["weekdays"][when.weekday()], a=names["weekday_abbr"][when.weekday()],
    )


def make_dates(n_samples, *, languages=DATE_LANGUAGES, random_state=None):
    """Generate human-written dates and their ISO 8601 translations.

    Dates are drawn uniformly from 1950-01-01 to 2049-12-31 and written in
    one of 50 formats: 13 numeric ones (``2021-03-03``, ``20210303``,
    ``03.03.2021``, ``3.3.21``, ``03/03/2021``, ``3/3/21``, ...) and 37
    with the month (full or abbreviated), the day (as a number or an
    ordinal) and optionally the weekday written out in English (``3rd of
    March 2021``, ``Mar 3, 21``, ``Wednesday, March 3, 2021``), French
    (``le 1er mars 2021``), German (``Mittwoch, den 3. März 2021``)
    or Spanish (``3 de marzo de 2021``). Numeric dates make 30% of the
    pairs, English ones 34%, each other language 12% (with all four
    languages). A written-out date is lowercased with probability 0.1 and
    uppercased with probability 0.05.

    Every string determines its date: in numeric formats the separator fixes
    the field order (``.`` and ``-`` day first, ``/`` month first, unless the
    year comes first with four digits) and two-digit years ``50``-``99``
    mean 1950-1999, ``00``-``49`` mean 2000-2049.

    Parameters
    ----------
    n_samples : int
        Number of pairs.
    languages : sequence of str, default=("en", "fr", "de", "es")
        Languages of the written-out dates, any of "en", "fr", "de", "es";
        numeric dates are always included (the group weights above are
        renormalised). An empty sequence gives numeric dates only.
    random_state : int, RandomState instance or None, default=None
        Seeds the dates and the formats; the global RNG is left unchanged.

    Returns
    -------
    X : list of str
        The human-written dates.
    y : list of str
        The same dates as ``YYYY-MM-DD``.

    See Also
    --------
    skmem.Seq2SeqTranslator : Learns the translation.
    load_sentence_pairs : Reads translation pairs from a file.

    Examples
    --------
    >>> from skmem.datasets import make_dates
    >>> X, y = make_dates(3, random_state=0)
    >>> len(X), len(y)
    (3, 3)
    >>> all(len(iso) == 10 and iso[4] == iso[7] == "-" for iso in y)
    True
    >>> make_dates(3, random_state=0) == (X, y)
    True
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    if isinstance(languages, str):
        languages = (languages,)
    unknown = sorted(set(languages) - set(DATE_LANGUAGES))
    if unknown:
        raise ValueError(
            f"Unknown languages {unknown}; choose from {list(DATE_LANGUAGES)}."
        )
    rng = check_random_state(random_state)
    groups = ["numeric", *[g for g in DATE_LANGUAGES if g in set(languages)]]
    weights = [_GROUP_WEIGHTS[g] for g in groups]
    total = sum(weights)
    days = rng.randint(_FIRST, _LAST + 1, size=n_samples)
    group = rng.choice(len(groups), size=n_samples, p=[w / total for w in weights])
    pick = rng.random_sample(n_samples)  # which template of the group
    case = rng.random_sample(n_samples)
    X, y = [], []
    for ordinal, g, u, c in zip(days.tolist(), group.tolist(), pick.tolist(), case.tolist()):
        when, name = date.fromordinal(ordinal), groups[g]
        templates = _TEMPLATES[name]
        text = _write(templates[int(u * len(templates))], when, name)
        if name != "numeric":
            text = text.lower() if c < 0.1 else text.upper() if c < 0.15 else text
        X.append(text)
        y.append(when.isoformat())
    return X, y
