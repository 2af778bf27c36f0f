"""The teaching tables as a room reads them, and the short name of a business.

The tables of :mod:`csat.lessons.expectation` and :mod:`csat.lessons.loyalty` come back with
plain snake_case columns so they can be computed with; :func:`readable` turns one into what a
trainer projects: headers in the language asked for (catalogue namespace
``teaching_columns``), numbers formatted by :data:`COLUMNS` (percentages, thousands
separators), which no language changes. :func:`preset_label` reads the business registry
(catalogue namespace ``business``).

>>> preset_label("hotel", "zh")
'商务酒店'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from csat import i18n
from csat.sim import presets

COLUMNS: dict[str, str] = {
    "scenario": "{}",
    "preset": "{}",
    "promise": "{:.1f}",
    "quality_shift": "{:+.1f}",
    "loss_aversion": "{:.1f}",
    "natural_churn": "{:.0%}",
    "very_satisfied": "{:.1%}",
    "basically_satisfied": "{:.1%}",
    "dissatisfied": "{:.1%}",
    "satisfied": "{:.1%}",
    "mean_expectation": "{:.2f}",
    "retention_per_year": "{:.1%}",
    "kept_after_5_years": "{:.0%}",
    "lost_in_5_years": "{:.0%}",
    "customers_end": "{:,.0f}",
    "new_customers": "{:,.0f}",
    "profit": "{:,.0f}",
    "profit_change": "{:+.0%}",
    "margin_per_customer_year": "{:,.0f}",
    "clv": "{:,.0f}",
    "clv_q05": "{:,.0f}",
    "clv_q95": "{:,.0f}",
    "clv_change": "{:+.0%}",
    "lifetime_value": "{:,.0f}",
    "lifetime_value_change": "{:+.0%}",
    "customers": "{:,.0f}",
    "formula": "{:,.0f}",
    "realised": "{:,.0f}",
    "standard_error": "{:,.0f}",
    "closed_form": "{:,.0f}",
    "formula_gap": "{:+.1%}",
    "predicted_formula_gap": "{:+.1%}",
    "closed_form_gap": "{:+.1%}",
    "customer_value": "{:,.0f}",
    "business_value": "{:,.0f}",
    "business_value_change": "{:+,.0f}",
    "retention": "{:.0%}",
    "expected_years": "{:.1f}",
    "margin_multiple": "{:.2f}",
    "gain_vs_5_points_less": "{:+.0%}",
    "brand": "{}",
    "deck_figure_usd": "{:,.0f}",
    "years": "{:.0f}",
    "spend_per_year_usd": "{:,.0f}",
    "value_today_if_stays_usd": "{:,.0f}",
    "retention_for_that_tenure": "{:.1%}",
    "clv_usd": "{:,.0f}",
}
"""The number format of every column :func:`readable` knows; its header is the key of the same
name in catalogue namespace ``teaching_columns``."""


def preset_label(name: str, lang: str = "en") -> str:
    """A short name of the preset ``name`` for tables and figure titles, in ``lang``.

    Examples
    --------
    >>> preset_label("car_dealer", "zh")
    '4S店'
    """
    i18n.check(lang, where="lang")
    known = presets.names()
    if name not in known:
        raise ValueError(f"preset must be one of {sorted(known)}, got {name!r}")
    return i18n.t(f"business.{name}", lang)


def readable(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A teaching table as a room reads it: headers in ``lang``, numbers formatted.

    Known columns (and the index name) get their header from catalogue namespace
    ``teaching_columns`` and their number format from :data:`COLUMNS`; others are left as
    they are.

    Examples
    --------
    >>> t = pd.DataFrame({"retention": [0.8], "clv": [266.666]})
    >>> readable(t).to_dict("records")
    [{'Retention r': '80%', 'Lifetime value by the formula (¥)': '267'}]
    """
    heads = i18n.table("teaching_columns", i18n.check(lang, where="lang"))
    out = _with_intervals(table, lang)
    combined = {c for c in table.columns if f"{c}_clear" in table.columns}
    for col in out.columns:
        if col in COLUMNS and col not in combined:
            fmt = COLUMNS[col]
            out[col] = [fmt.format(v) if _is_value(v) else "–" for v in out[col]]
    out = out.rename(columns={c: heads[c] for c in out.columns if c in COLUMNS})
    name = out.index.name
    if name in COLUMNS:
        fmt = COLUMNS[name]
        out.index = pd.Index([fmt.format(v) for v in out.index], name=heads[name])
    return out


def _with_intervals(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A change with ``_lo``, ``_hi`` and ``_clear`` columns (a paired 90% interval, see
    :func:`csat.sim.ensemble.paired_difference`) as one text column: the change, its interval,
    and "within the noise" when the interval holds 0; a row without an interval (the first,
    the one compared with) keeps the change alone."""
    out = table.copy()
    words = i18n.table("teaching_noise", lang)
    for col in [c for c in table.columns if f"{c}_clear" in table.columns]:
        fmt = COLUMNS[col]
        cells = []
        for v, lo, hi, clear in zip(
            table[col], table[f"{col}_lo"], table[f"{col}_hi"], table[f"{col}_clear"], strict=True
        ):
            if not _is_value(lo):
                cells.append(fmt.format(v) if _is_value(v) else "–")
                continue
            text = words["interval"].format(d=fmt.format(v), lo=fmt.format(lo), hi=fmt.format(hi))
            cells.append(text if clear else f"{text} {words['within']}")
        out[col] = cells
        out = out.drop(columns=[f"{col}_lo", f"{col}_hi", f"{col}_clear"])
    return out


def _is_value(v: Any) -> bool:
    if isinstance(v, str):
        return True
    try:
        return bool(np.isfinite(float(v)))
    except (TypeError, ValueError):
        return False


__all__ = ["COLUMNS", "preset_label", "readable"]
