"""Pictures of a run, legible when projected: large fonts, labelled axes, titles that say
what the picture shows.

Chinese labels need a CJK font. :func:`cjk_font` finds one (Noto Sans CJK, WenQuanYi, or a
file named by ``CSAT_CJK_FONT``), registers it with matplotlib, and otherwise warns once and
returns None, in which case figures fall back to English labels.
"""

from __future__ import annotations

import os
import warnings
from functools import cache
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from csat.sim.run import Result
from csat.sim.state import CAUSES

_FONT_FILES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
_FONT_NAMES = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei"]

COLOURS = {
    "very_satisfied": "#1a9850",
    "basically_satisfied": "#fee08b",
    "dissatisfied": "#d73027",
    "customers": "#2166ac",
    "positive": "#1a9850",
    "negative": "#d73027",
    "front_line": "#4393c3",
    "head_office": "#053061",
    "silent": "#bdbdbd",
}

LABELS = {
    "en": {
        "customers": "Customers",
        "day": "Day",
        "week": "Week",
        "people": "People",
        "share_visits": "Share of visits",
        "very_satisfied": "Very satisfied",
        "basically_satisfied": "Basically satisfied",
        "dissatisfied": "Dissatisfied",
        "mix": "Satisfaction mix (weekly)",
        "complaints": "Problems: voiced or silent (weekly)",
        "front_line": "Complained to front line",
        "head_office": "…and escalated to head office",
        "silent": "Said nothing",
        "problems_per_week": "Problems per week",
        "defections": "Why customers left",
        "wom": "Word of mouth (messages, cumulative)",
        "positive": "Good news",
        "negative": "Bad news",
        "messages": "Messages",
        "money": "Money (cumulative)",
        "revenue": "Revenue",
        "profit": "Profit",
        "yuan": "¥ million",
        "count": "Customers lost",
        "natural": "Ordinary churn",
        "silent_cause": "Silent problem",
        "unresolved": "Complaint unresolved",
        "resolved": "Resolved, still left",
        "resolved_quickly": "Resolved quickly, still left",
        "negative_wom": "Heard bad news",
        "title": "{customers_end:,} customers after {days} days ({change:+.0%}); "
        "{voiced:.0%} of problems voiced, {silent_share:.0%} of losses after silent problems",
    },
    "zh": {
        "customers": "客户数",
        "day": "天",
        "week": "周",
        "people": "人数",
        "share_visits": "到店占比",
        "very_satisfied": "很满意",
        "basically_satisfied": "基本满意",
        "dissatisfied": "不满意",
        "mix": "满意度构成（按周）",
        "complaints": "问题：说出来还是沉默（按周）",
        "front_line": "向一线投诉",
        "head_office": "……并升级到总部",
        "silent": "沉默不语",
        "problems_per_week": "每周问题数",
        "defections": "客户为什么流失",
        "wom": "口碑（累计条数）",
        "positive": "好口碑",
        "negative": "坏口碑",
        "messages": "条数",
        "money": "收入与利润（累计）",
        "revenue": "收入",
        "profit": "利润",
        "yuan": "百万元",
        "count": "流失客户数",
        "natural": "正常流失",
        "silent_cause": "沉默的问题",
        "unresolved": "投诉未解决",
        "resolved": "已解决仍流失",
        "resolved_quickly": "快速解决仍流失",
        "negative_wom": "听到坏口碑",
        "title": "{days}天后客户{customers_end:,}人（{change:+.0%}）；"
        "{voiced:.0%}的问题被说出来，{silent_share:.0%}的流失来自沉默的问题",
    },
}


@cache
def _installed_cjk() -> str | None:
    """Register the first Chinese font found and return its family name (no warning)."""
    candidates = [os.environ.get("CSAT_CJK_FONT", ""), *_FONT_FILES]
    for path in filter(None, candidates):
        if Path(path).is_file():
            font_manager.fontManager.addfont(path)
            names = {f.name for f in font_manager.fontManager.ttflist}
            for name in _FONT_NAMES:
                if name in names:
                    return name
            return font_manager.FontProperties(fname=path).get_name()
    return None


@cache
def cjk_font() -> str | None:
    """Register a Chinese font with matplotlib and return its family name, or None.

    Looks at ``CSAT_CJK_FONT`` (a font file) first, then the usual Debian font files. Warns
    once when none is found.
    """
    family = _installed_cjk()
    if family is not None:
        return family
    warnings.warn(
        "No Chinese (CJK) font found: figures use English labels. Install Debian's "
        "fonts-noto-cjk or fonts-wqy-microhei, or set CSAT_CJK_FONT to a font file.",
        stacklevel=2,
    )
    return None


def labels(lang: str = "en") -> dict[str, str]:
    """Axis and legend labels in ``lang`` ("en" or "zh"), falling back to English without a
    CJK font."""
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {sorted(LABELS)}, got {lang!r}")
    if lang == "zh":
        family = cjk_font()
        if family is None:
            return LABELS["en"]
        plt.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
        plt.rcParams["axes.unicode_minus"] = False
    return LABELS[lang]


def figure_lang(lang: str) -> str:
    """The language a figure can be drawn in: ``lang`` ('en' or 'zh'), or 'en' when no Chinese
    font is installed (with the one warning :func:`cjk_font` gives)."""
    return "zh" if labels(lang) is LABELS["zh"] else "en"


def has_cjk(text: str | None) -> bool:
    """Whether ``text`` holds Chinese characters (which need the CJK font)."""
    return bool(text) and any(
        "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text
    )


def font_rc(lang: str = "en", *, text: str | None = None) -> dict:
    """Font settings for ``plt.rc_context`` so a figure carries its own font.

    A Chinese figure puts the CJK family first; an English one puts DejaVu Sans first, so a
    Chinese figure drawn earlier in the session never leaks its font (which has no bold) into
    an English one.
    """
    family = cjk_font() if lang == "zh" else None
    # Concrete family names (not the generic "sans-serif"): a figure's texts keep them, so the
    # font is still right when the figure is drawn later, outside the rc_context.
    if family:
        return {"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}
    # An English figure that must show a Chinese name (a team, a trainee: ``text``) falls back
    # to the Chinese font for those glyphs. Only then: the fallback has no bold face.
    fallback = _installed_cjk() if has_cjk(text) else None
    return {"font.family": ["DejaVu Sans", *([fallback] if fallback else [])]}


def _weekly(values: np.ndarray) -> np.ndarray:
    n = len(values) // 7 * 7
    if n == 0:
        return np.asarray([values.sum()], float)
    return values[:n].reshape(-1, 7).sum(axis=1)


def dashboard(result: Result, *, lang: str = "en", title: str | None = None) -> Figure:
    """One figure of a run: customers, satisfaction mix, voiced vs silent problems, why
    customers left, word of mouth and money.

    Examples
    --------
    >>> from csat import sim
    >>> fig = dashboard(sim.run(sim.Params(population=2_000, days=60), rng=0))
    >>> len(fig.axes)
    6
    """
    t = labels(lang)
    d = result.daily
    s = result.summary()
    rc = {**font_rc(lang if t is LABELS.get("zh") else "en", text=title), "font.size": 13}
    with plt.rc_context({**rc, "axes.titlesize": 15, "axes.labelsize": 13}):
        fig, axes = plt.subplots(2, 3, figsize=(18, 9.5), layout="constrained")
        day = d["day"].to_numpy()

        ax = axes[0, 0]
        ax.plot(day, d["customers"], color=COLOURS["customers"], lw=2.5)
        ax.set(title=t["customers"], xlabel=t["day"], ylabel=t["people"])
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))

        ax = axes[0, 1]
        keys = ["very_satisfied", "basically_satisfied", "dissatisfied"]
        weekly = np.array([_weekly(d[k].to_numpy()) for k in keys], float)
        total = weekly.sum(axis=0)
        shares = np.divide(weekly, total, out=np.zeros_like(weekly), where=total > 0)
        weeks = np.arange(1, shares.shape[1] + 1)
        ax.stackplot(weeks, shares, labels=[t[k] for k in keys], colors=[COLOURS[k] for k in keys])
        ax.set(title=t["mix"], xlabel=t["week"], ylabel=t["share_visits"], ylim=(0, 1))
        ax.legend(loc="lower left", fontsize=11, framealpha=0.9)

        ax = axes[0, 2]
        front = _weekly(d["complaints_front_line"].to_numpy())
        head = _weekly(d["complaints_head_office"].to_numpy())
        silent = _weekly(d["silent_problems"].to_numpy())
        ax.bar(weeks, silent, color=COLOURS["silent"], label=t["silent"])
        ax.bar(
            weeks, front - head, bottom=silent, color=COLOURS["front_line"], label=t["front_line"]
        )
        ax.bar(
            weeks,
            head,
            bottom=silent + front - head,
            color=COLOURS["head_office"],
            label=t["head_office"],
        )
        ax.set(title=t["complaints"], xlabel=t["week"], ylabel=t["problems_per_week"])
        ax.set_ylim(0, max(float((silent + front).max()), 1.0) * 1.45)
        ax.legend(loc="upper right", fontsize=11, framealpha=0.9)

        ax = axes[1, 0]
        counts = [int(s[f"defections_{c}"]) for c in CAUSES]
        names = [t["silent_cause"] if c == "silent" else t[c] for c in CAUSES]
        order = np.argsort(counts)
        ax.barh([names[i] for i in order], [counts[i] for i in order], color="#762a83")
        for y, i in enumerate(order):
            ax.text(counts[i], y, f" {counts[i]:,}", va="center", fontsize=12)
        ax.set(title=t["defections"], xlabel=t["count"])
        ax.set_xlim(0, max(max(counts), 1) * 1.2)

        ax = axes[1, 1]
        ax.plot(
            day, d["wom_positive"].cumsum(), color=COLOURS["positive"], lw=2.5, label=t["positive"]
        )
        ax.plot(
            day, d["wom_negative"].cumsum(), color=COLOURS["negative"], lw=2.5, label=t["negative"]
        )
        ax.set(title=t["wom"], xlabel=t["day"], ylabel=t["messages"])
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.legend(loc="upper left", fontsize=11)

        ax = axes[1, 2]
        ax.plot(day, d["revenue"].cumsum() / 1e6, color="#35978f", lw=2.5, label=t["revenue"])
        ax.plot(day, d["profit"].cumsum() / 1e6, color="#8c510a", lw=2.5, label=t["profit"])
        ax.axhline(0, color="black", lw=0.8)
        ax.set(title=t["money"], xlabel=t["day"], ylabel=t["yuan"])
        ax.legend(loc="upper left", fontsize=11)

        start = max(int(s["customers_start"]), 1)
        lost = max(int(s["defections"]), 1)
        heading = title or t["title"].format(
            customers_end=int(s["customers_end"]),
            days=int(s["days"]),
            change=int(s["customers_end"]) / start - 1,
            voiced=float(np.nan_to_num(s["share_of_problems_voiced"])),
            silent_share=int(s["defections_silent"]) / lost,
        )
        # CJK fonts here have no bold face; asking for one makes matplotlib warn on stderr.
        plain = lang == "zh" or has_cjk(heading)
        fig.suptitle(heading, fontsize=17, fontweight="normal" if plain else "bold")
    return fig
