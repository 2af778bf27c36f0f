"""How text is set in each language: where a line may break, how the lines of a label join
into one, how wide a character is. Read from the ``typeset`` namespace of the catalogues, so a
new language brings its own settings in its catalogue file and no code asks which language it
is.

>>> breaks_at_spaces("en"), breaks_at_spaces("zh")
(True, False)
>>> one_line("Front stage\\n(staff, seen)", "en")
'Front stage (staff, seen)'
"""

from __future__ import annotations

from csat import i18n
from csat.i18n import Namespace

TYPESET = Namespace("typeset")
"""Per-language settings: ``line_breaks`` (``spaces``: a line breaks between words;
``characters``: between any two characters, as in Chinese), ``join_lines`` (what joins the
lines of a label set on one line), ``break_after`` (punctuation a line should rather end
with, when it breaks between characters) and ``char_em`` (the mean width of a character, in
ems of the font size)."""


def setting(key: str, lang: str) -> str:
    """One setting of :data:`TYPESET` for ``lang``."""
    return TYPESET[i18n.check(lang, where="lang")][key]


def breaks_at_spaces(lang: str) -> bool:
    """Whether a line of ``lang`` breaks between words (else between characters)."""
    return setting("line_breaks", lang) == "spaces"


def one_line(label: str, lang: str) -> str:
    """A label written over several lines, on one line: its lines joined the way ``lang``
    joins them (a space in English, nothing in Chinese)."""
    return label.replace("\n", setting("join_lines", lang))


def break_after(lang: str) -> str:
    """The punctuation after which a line of ``lang`` should rather break."""
    return setting("break_after", lang)


def char_em(lang: str) -> float:
    """The mean width of a character of ``lang``, in ems (to fit a line to a width)."""
    return float(setting("char_em", lang))
