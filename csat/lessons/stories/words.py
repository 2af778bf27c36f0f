"""The words of the story modules, and how their numbers read: shared by
:mod:`~csat.lessons.stories.icebergs`, :mod:`~csat.lessons.stories.sweeps` and
:mod:`~csat.lessons.stories.wom`.

The words live in the catalogues (namespace ``stories``, plus ``stories_words`` for the
labels of a sweep table and the widths a label wraps at in each language; how lines join is
:mod:`csat.lessons.typeset`), so a new language is a new catalogue file and nothing here
changes.
"""

from __future__ import annotations

from csat import i18n
from csat.i18n import Namespace
from csat.lessons import style

LANGS = i18n.codes()
"""The languages the stories speak: every language of :data:`csat.i18n.LANGUAGES`."""

TEXT = Namespace("stories")
"""The words of the stories in every language, read as ``TEXT[lang][key]``."""

MORE = Namespace("stories_words")
"""Sweep-table labels and the per-language wrap widths of the stories."""

RC = {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13, "legend.fontsize": 12}
"""Font sizes of every story figure (the fonts themselves come from :mod:`csat.lessons.style`)."""

_SHARES = {"share_of_problems_voiced", "share_dissatisfied", "retention_per_year"}
_MONEY = {"profit", "clv", "revenue"}


def words(lang: str, *, figure: bool = True) -> tuple[dict[str, str], str]:
    """The words for ``lang`` and the language actually used: a figure is in English when no
    Chinese font exists; a table (``figure=False``) needs no font and keeps ``lang``."""
    i18n.check(lang, where="lang")
    if figure:
        lang = style.figure_lang(lang)
    return TEXT[lang], lang


def layout(key: str, lang: str) -> int:
    """A per-language layout number of the stories (a wrap width in characters), from the
    catalogue: Chinese packs more meaning into a character, so its labels wrap sooner."""
    return int(MORE[lang][key])


def text(lang: str = "en") -> dict[str, str]:
    """The words of the stories in ``lang``.

    Examples
    --------
    >>> text("en")["deck_tip"]
    '4% complain'
    """
    return words(lang, figure=False)[0]


def fmt(key: str, value: float) -> str:
    """One figure of :meth:`csat.sim.Result.summary` as it reads on a slide."""
    if key in _SHARES:
        return f"{value:.1%}"
    if key == "wom_positive_to_negative":
        return f"{value:.3g} : 1" if value >= 1 else f"1 : {1 / value:.3g}" if value else "–"
    if key in _MONEY:
        return f"¥{value:,.0f}"
    return f"{value:,.0f}"
