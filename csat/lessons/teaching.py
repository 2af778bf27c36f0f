"""Figures and tables for the teaching notebooks on expectations (S1) and loyalty (S4).

One import for the notebooks, ``from csat.lessons import teaching``, over three modules:

- :mod:`csat.lessons.expectation` — expectation and experience: :func:`visit_outcomes`,
  :func:`tolerance_zone`, :func:`outcome_shares`, :func:`outcome_zones_figure`,
  :func:`loss_aversion_figure`, :func:`quality_shift`, :func:`over_promising`,
  :func:`promise_quality_plans`, :func:`over_promising_figure`;
- :mod:`csat.lessons.loyalty` — loyalty and value: :func:`five_year_losses`,
  :func:`satisfaction_gain_test`, :func:`clv_table`, :func:`deck_clv_examples`,
  :func:`clv_growing`, :func:`growth_needed`, :func:`retention_gain_figure`,
  :func:`retention_test`, :func:`strategies`, :func:`why_customers_leave_figure`,
  :func:`customers_differ_table`, :func:`customers_differ_figure`;
- :mod:`csat.lessons.tables` — :func:`readable` (a table as a room reads it) and
  :func:`preset_label` (a business's short name, from the catalogue's ``business`` registry).

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` or a pandas
:class:`~pandas.DataFrame` and takes ``lang`` (a code of :data:`csat.i18n.LANGUAGES`) where it
shows words. The lessons' sliders are widgets, so they live in the UI layer's ``teaching``
module (``PromiseQualityExplorer``, ``RetentionGainSlider``), which builds on these.

>>> round(clv_growing(100, 0.8, 0.1, 0.0), 2)  # no growth: the usual m·r/(1+i−r)
266.67
"""

from __future__ import annotations

from csat.lessons.expectation import (
    OUTCOMES,
    TEXT,
    loss_aversion_figure,
    outcome_shares,
    outcome_zones_figure,
    over_promising,
    over_promising_figure,
    promise_quality_plans,
    quality_shift,
    tolerance_zone,
    visit_outcomes,
)
from csat.lessons.loyalty import (
    DECK_CLV,
    WHY_LEAVE,
    clv_growing,
    clv_table,
    customers_differ_figure,
    customers_differ_table,
    deck_clv_examples,
    five_year_losses,
    growth_needed,
    lifetime_value_check,
    retention_gain_figure,
    retention_test,
    satisfaction_gain_test,
    strategies,
    why_customers_leave_figure,
)
from csat.lessons.tables import COLUMNS, preset_label, readable

__all__ = [
    "COLUMNS",
    "DECK_CLV",
    "OUTCOMES",
    "TEXT",
    "WHY_LEAVE",
    "clv_growing",
    "clv_table",
    "customers_differ_figure",
    "customers_differ_table",
    "deck_clv_examples",
    "five_year_losses",
    "growth_needed",
    "lifetime_value_check",
    "loss_aversion_figure",
    "outcome_shares",
    "outcome_zones_figure",
    "over_promising",
    "over_promising_figure",
    "preset_label",
    "promise_quality_plans",
    "quality_shift",
    "readable",
    "retention_gain_figure",
    "retention_test",
    "satisfaction_gain_test",
    "strategies",
    "tolerance_zone",
    "visit_outcomes",
    "why_customers_leave_figure",
]
