"""The one rubric every role-play is scored against, and the languages a report can speak.

The six dimensions are the handling steps the course teaches (course brief C6), written so
that each reply in a scenario can earn or lose points on several at once. The recovery
frameworks trainers know — HEARD (Disney Institute), LATTE (Starbucks), LAST — and the five
SERVQUAL dimensions are weight vectors over the same six, so one set of scores can be read
in any of those languages. Each dimension's name, and what an observer looks for on it, are
words of the catalogues (the ``rubric`` namespace), one set per language.

>>> list(DIMENSIONS)
['listen', 'empathise', 'ownership', 'solve', 'expectations', 'follow_up']
>>> translate({"listen": 80, "empathise": 60, "ownership": 40, "solve": 100,
...            "expectations": 50, "follow_up": 70}, "LAST")
{'Listen': 70.0, 'Apologise': 40.0, 'Solve': 75.0, 'Thank': 70.0}
>>> name("ownership", "zh")
'担当与道歉'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from csat import i18n
from csat.i18n import Namespace

WORDS = Namespace("rubric")
"""Each dimension's ``name`` and what an observer ``looks_for``, in every language:
``WORDS[lang][key]["name"]``."""


@dataclass(frozen=True)
class Dimension:
    """One rubric dimension: its key; its names and what an observer looks for come from the
    ``rubric`` namespace of the catalogues."""

    key: str

    def name(self, lang: str = "en") -> str:
        """The dimension's name in ``lang``."""
        return WORDS[lang][self.key]["name"]

    def looks_for(self, lang: str = "en") -> str:
        """What an observer looks for on this dimension, in ``lang``."""
        return WORDS[lang][self.key]["looks_for"]

    def __getattr__(self, attr: str) -> str:
        # ``dim.en``, ``dim.looks_for_zh``: the spelling of the time when each language was a
        # field, for any language of the list.
        lang = attr.removeprefix("looks_for_")
        if lang in i18n.LANGUAGES:
            return self.name(lang) if attr == lang else self.looks_for(lang)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {attr!r}")


DIMENSIONS: dict[str, Dimension] = {
    key: Dimension(key)
    for key in ("listen", "empathise", "ownership", "solve", "expectations", "follow_up")
}
"""The six dimensions, in the order the course teaches them."""

FRAMEWORKS: dict[str, dict[str, tuple[str, ...]]] = {
    # Disney Institute: Hear, Empathize, Apologize, Resolve, Diagnose.
    "HEARD": {
        "Hear": ("listen",),
        "Empathise": ("empathise",),
        "Apologise": ("ownership",),
        "Resolve": ("solve", "expectations"),
        "Diagnose": ("follow_up",),
    },
    # Starbucks: Listen, Acknowledge, Take action, Thank, Explain (what was done and why).
    "LATTE": {
        "Listen": ("listen",),
        "Acknowledge": ("empathise", "ownership"),
        "Take action": ("solve",),
        "Thank": ("follow_up",),
        "Explain": ("expectations",),
    },
    # Listen, Apologise, Solve, Thank.
    "LAST": {
        "Listen": ("listen", "empathise"),
        "Apologise": ("ownership",),
        "Solve": ("solve", "expectations"),
        "Thank": ("follow_up",),
    },
    # Which SERVQUAL dimension of the recovery each handling step mostly shows.
    "SERVQUAL": {
        "reliability": ("solve", "follow_up"),
        "responsiveness": ("solve", "expectations"),
        "assurance": ("ownership", "expectations"),
        "empathy": ("listen", "empathise"),
    },
    # The deck's service steps (course brief C6).
    "deck": {
        "set the atmosphere 营造气氛": ("empathise",),
        "act actively 积极办理": ("ownership",),
        "diagnose the problem 诊断问题": ("listen",),
        "reach agreement 达成一致": ("expectations",),
        "find the solution 寻求解决方案": ("solve", "follow_up"),
    },
}
"""Each framework step as the rubric dimensions it is read from (equal weights)."""


def name(key: str, lang: str = "en") -> str:
    """The display name of a rubric dimension in ``lang`` (a code of ``csat.i18n.LANGUAGES``)."""
    if key not in DIMENSIONS:
        raise KeyError(f"rubric dimension {key!r} is not one of {', '.join(DIMENSIONS)}")
    return DIMENSIONS[key].name(lang)


def translate(scores: Mapping[str, float | None], framework: str) -> dict[str, float | None]:
    """Per-dimension scores (0–100) read as the steps of ``framework``.

    Each step is the mean of the dimensions it maps to; dimensions a scenario did not assess
    (None) are left out, and a step with none of its dimensions assessed is None.
    """
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {', '.join(FRAMEWORKS)}, got {framework!r}")
    out: dict[str, float | None] = {}
    for step, keys in FRAMEWORKS[framework].items():
        values = [scores[k] for k in keys if scores.get(k) is not None]
        out[step] = round(sum(values) / len(values), 1) if values else None
    return out
