"""The one rubric every role-play is scored against, and the languages a report can speak.

The six dimensions are the handling steps the course teaches (course brief C6), written so
that each reply in a scenario can earn or lose points on several at once. The recovery
frameworks trainers know — HEARD (Disney Institute), LATTE (Starbucks), LAST — and the five
SERVQUAL dimensions are weight vectors over the same six, so one set of scores can be read
in any of those languages.

>>> list(DIMENSIONS)
['listen', 'empathise', 'ownership', 'solve', 'expectations', 'follow_up']
>>> translate({"listen": 80, "empathise": 60, "ownership": 40, "solve": 100,
...            "expectations": 50, "follow_up": 70}, "LAST")
{'Listen': 70.0, 'Apologise': 40.0, 'Solve': 75.0, 'Thank': 70.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Dimension:
    """One rubric dimension, with its names and what an observer looks for."""

    key: str
    en: str
    zh: str
    looks_for_en: str
    looks_for_zh: str

    def name(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension(
            "listen",
            "Listen",
            "倾听",
            "Lets the customer finish, asks a clarifying question, restates the problem.",
            "让顾客把话说完，追问关键细节，复述问题。",
        ),
        Dimension(
            "empathise",
            "Empathise",
            "共情",
            "Names and validates the customer's feeling; stays calm, does not argue.",
            "说出并认可顾客的情绪；自己保持冷静，不争辩。",
        ),
        Dimension(
            "ownership",
            "Take ownership / apologise",
            "担当与道歉",
            "Apologises sincerely for the impact, owns it, blames no colleague or department.",
            "为给顾客造成的影响真诚道歉，主动担当，不把责任推给同事或部门。",
        ),
        Dimension(
            "solve",
            "Solve",
            "解决问题",
            "Offers a concrete remedy within their authority, fast; escalates beyond it.",
            "在自己权限内迅速给出具体办法；超出权限时及时上报。",
        ),
        Dimension(
            "expectations",
            "Manage expectations",
            "管理期望",
            "Says what happens next and when; promises only what can be kept.",
            "讲清下一步做什么、什么时候做；只承诺做得到的事。",
        ),
        Dimension(
            "follow_up",
            "Follow up",
            "跟进回访",
            "Confirms the result with the customer, asks what else, records the root cause.",
            "与顾客确认结果，询问还有什么不满意，记录根本原因。",
        ),
    )
}

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
    """The display name of a rubric dimension in ``lang`` ('en' or 'zh')."""
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
