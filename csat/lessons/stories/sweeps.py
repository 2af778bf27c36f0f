"""Expectation sweeps: one business run once per value of one parameter, same seed each time
(:func:`sweep`), as a table for a slide (:func:`sweep_table`) and as the picture of what a
bigger promise does at the same quality (:func:`promise_figure`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from csat.lessons import style
from csat.lessons.plots import COLOURS
from csat.lessons.stories.words import MORE, TEXT
from csat.lessons.stories.words import RC as _RC
from csat.lessons.stories.words import fmt as _fmt
from csat.lessons.stories.words import words as _words
from csat.sim import presets
from csat.sim.run import run

SWEEP_COLUMNS = (
    "share_dissatisfied",
    "problems",
    "complaints_front_line",
    "visits",
    "defections",
    "customers_end",
    "people_heard_bad_news",
)


def sweep(
    preset: str,
    name: str,
    values: Sequence[float],
    *,
    rng: int = 1,
    columns: Sequence[str] = SWEEP_COLUMNS,
    **changes: Any,
) -> pd.DataFrame:
    """Run ``preset`` once per value of one dotted parameter, same seed each time.

    Returns a tidy table: the parameter's value, then the chosen summary figures.

    Examples
    --------
    >>> df = sweep("hotel", "expectations.promise", [6.0, 9.0], population=3_000, days=60)
    >>> bool(df["share_dissatisfied"].iloc[1] > df["share_dissatisfied"].iloc[0])
    True
    """
    rows = []
    for v in values:
        s = run(presets.get(preset, **{name: v}, **changes), rng=rng).summary()
        rows.append({name: v, **{c: s[c] for c in columns}})
    return pd.DataFrame(rows)


def sweep_table(df: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """A :func:`sweep` as readable strings for a slide: one row per value of the parameter
    (two columns read differently here than in :func:`compare_runs`: ``sweep_labels`` of the
    ``stories_words`` catalogue namespace).

    Examples
    --------
    >>> df = pd.DataFrame({"expectations.promise": [7.0], "share_dissatisfied": [0.125]})
    >>> sweep_table(df).to_dict("records")
    [{'Visits that disappoint': '12.5%'}]
    """
    lang = _words(lang, figure=False)[1]
    t = {**TEXT[lang], **MORE[lang]["sweep_labels"]}
    name = df.columns[0]
    out = pd.DataFrame(
        {t.get(c, c): [_fmt(c, v) for v in df[c]] for c in df.columns[1:]},
        index=pd.Index([f"{v:g}" for v in df[name]], name=t.get(name, name)),
    )
    return out


def promise_figure(df: pd.DataFrame, *, today: float | None = None, lang: str = "en") -> Figure:
    """Disappointing visits and complaints per 100 visits against the promise, from a
    :func:`sweep` over ``expectations.promise``; ``today`` marks the business's own promise."""
    t, lang = _words(lang)
    x = df["expectations.promise"].to_numpy(float)
    visits = df["visits"].clip(lower=1).to_numpy(float)
    bad = 100 * df["problems"].to_numpy(float) / visits
    voiced = 100 * df["complaints_front_line"].to_numpy(float) / visits
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, ax = plt.subplots(figsize=(11, 6.2), layout="constrained")
        ax.plot(x, bad, "o-", color=COLOURS["dissatisfied"], lw=3, ms=10, label=t["bad_per_100"])
        ax.plot(
            x,
            voiced,
            "s--",
            color=COLOURS["front_line"],
            lw=2.5,
            ms=9,
            label=t["complaints_per_100"],
        )
        for xi, bi in zip(x, bad, strict=True):
            ax.annotate(
                f"{bi:.0f}",
                (xi, bi),
                textcoords="offset points",
                xytext=(-14, 10),
                fontsize=14,
                color=COLOURS["dissatisfied"],
            )
        if today is not None:
            ax.axvline(today, color="#525252", ls=":", lw=2)
            ax.text(today, 97, " " + t["today_promise"].format(p=today), va="top", fontsize=12)
        ax.set(xlabel=t["promise"], ylabel=t["per_100_visits"], title=t["sweep_title"])
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
        ax.legend(loc="center left", framealpha=0.95)
    return fig
