"""Figures, tables and small experiments for the complaint and word-of-mouth notebooks.

Each helper keeps a notebook cell short. They live in three modules, all read through this one
(``stories.X``):

- :mod:`~csat.lessons.stories.icebergs` — the complaint iceberg as the training decks draw it
  and as the research measured it, a side-by-side table of runs, unhappy customers behind each
  complaint, a picture of what each run's problems cost, and the ready-made pairs of runs;
- :mod:`~csat.lessons.stories.sweeps` — parameter sweeps, such as a bigger promise at the
  same quality;
- :mod:`~csat.lessons.stories.wom` — how far one story travels, small contact networks, Bass
  diffusion on networks, the "unhappy influencer" experiment and the three views of negative
  versus positive word of mouth.

Words come from the catalogues (:mod:`csat.i18n`) in any language of
:data:`csat.i18n.LANGUAGES` (``lang="en"``, ``lang="zh"``).

Examples
--------
>>> from csat import sim
>>> from csat.lessons import stories
>>> base = sim.presets.get("car_dealer", population=4_000, days=60)
>>> decks = sim.presets.folklore(base)
>>> runs = {"Research": sim.run(base, rng=3), "Decks": sim.run(decks, rng=3)}
>>> voiced = stories.compare_runs(runs, formatted=False).loc["complaints_front_line"]
>>> bool(voiced["Decks"] < voiced["Research"])
True
"""

from __future__ import annotations

from csat.lessons.stories.icebergs import (
    BAD_HANDLING,
    COMPARE_ROWS,
    GOOD_HANDLING,
    ICEBERGS,
    PANELS,
    band_edges,
    compare_runs,
    handling_compare,
    hidden_losses_figure,
    iceberg,
    iceberg_figure,
    per_complaint,
    research_vs_decks,
)
from csat.lessons.stories.sweeps import SWEEP_COLUMNS, promise_figure, sweep, sweep_table
from csat.lessons.stories.wom import (
    INFLUENCER_COLUMNS,
    WOM_VIEWS,
    bass_figure,
    bass_on_networks,
    influencer_experiment,
    influencer_figure,
    influencer_summary,
    network_gallery,
    reach_figure,
    reach_table,
    story_reach,
    wom_figure,
    wom_table,
    wom_views,
    years_to,
)
from csat.lessons.stories.words import LANGS, TEXT, text

__all__ = [
    "BAD_HANDLING",
    "COMPARE_ROWS",
    "GOOD_HANDLING",
    "ICEBERGS",
    "INFLUENCER_COLUMNS",
    "LANGS",
    "PANELS",
    "SWEEP_COLUMNS",
    "TEXT",
    "WOM_VIEWS",
    "band_edges",
    "bass_figure",
    "bass_on_networks",
    "compare_runs",
    "handling_compare",
    "hidden_losses_figure",
    "iceberg",
    "iceberg_figure",
    "influencer_experiment",
    "influencer_figure",
    "influencer_summary",
    "network_gallery",
    "per_complaint",
    "promise_figure",
    "reach_figure",
    "reach_table",
    "research_vs_decks",
    "story_reach",
    "sweep",
    "sweep_table",
    "text",
    "wom_figure",
    "wom_table",
    "wom_views",
    "years_to",
]
