"""Interactive explorers for the notebooks: sliders that re-run the simulator.

ipywidgets is imported only when an explorer is built. The figure is shown as an
``ipywidgets.Image`` and the headline figures as ``HTML``; both are updated by setting
``.value``, never by printing into an ``Output`` widget, so notebooks that show an explorer
still pass nbval (tag the cell ``nbval-ignore-output``: a live widget's picture is not text).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt

from csat.i18n import Namespace
from csat.sim import presets
from csat.sim.params import Params, with_changes
from csat.sim.run import Result, run

WORDS = Namespace("explorers")
"""The sliders' labels (``controls``, by dotted parameter name) and the headline figures'
(``headlines``, by summary key), in every language: ``WORDS[lang]["controls"][name]``."""


@dataclass(frozen=True)
class Control:
    """One slider: a dotted parameter name, its range and step; its label is in the catalogue."""

    name: str
    low: float
    high: float
    step: float

    def label(self, lang: str = "en") -> str:
        """The slider's label in ``lang``."""
        return WORDS[lang]["controls"][self.name]


CONTROLS: dict[str, Control] = {
    c.name: c
    for c in [
        Control("expectations.promise", 5.0, 10.0, 0.1),
        Control("complaints.front_line", 0.0, 1.0, 0.01),
        Control("recovery.resolution_rate", 0.0, 1.0, 0.05),
        Control("recovery.quick_share", 0.0, 1.0, 0.05),
        Control("wom.told_by_dissatisfied", 0.0, 30.0, 1.0),
        Control("wom.told_by_satisfied", 0.0, 30.0, 1.0),
        Control("wom.second_hop_negative", 0.0, 20.0, 1.0),
        Control("satisfaction.loss_aversion", 1.0, 3.0, 0.1),
        Control("recovery.paradox_loyalty", 0.0, 0.5, 0.01),
        Control("natural_churn", 0.0, 0.5, 0.01),
    ]
}

HEADLINES = {
    "customers_end": "{:,.0f}",
    "retention_per_year": "{:.1%}",
    "share_dissatisfied": "{:.1%}",
    "share_of_problems_voiced": "{:.0%}",
    "wom_positive_to_negative": "{:.1f} : 1",
    "profit": "{:,.0f}",
    "clv": "{:,.0f}",
}
"""The headline figures, by their key in :meth:`csat.sim.run.Result.summary`, each with its
number format; their labels are ``WORDS[lang]["headlines"]``."""


def _get(params: Params, dotted: str) -> float:
    obj: Any = params
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return float(obj)


def headline_html(result: Result, lang: str = "en") -> str:
    """The headline figures of a run as a small HTML table."""
    s = result.summary()
    labels = WORDS[lang]["headlines"]
    rows = []
    for key, fmt in HEADLINES.items():
        label = labels[key]
        value = html.escape(fmt.format(s[key]))
        rows.append(
            f"<tr><td style='padding:2px 12px 2px 0'>{html.escape(label)}</td>"
            f"<td style='text-align:right;font-weight:bold'>{value}</td></tr>"
        )
    return "<table class='sim-headlines' style='font-size:15px'>" + "".join(rows) + "</table>"


def figure_png(fig: plt.Figure, dpi: int = 80) -> bytes:
    """PNG bytes of a figure, which is then closed."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


class Explorer:
    """Sliders over a preset; moving one re-runs a year and redraws.

    Parameters
    ----------
    preset : str
        A name from :func:`csat.sim.presets.names`.
    controls : sequence of str
        Dotted parameter names from :data:`CONTROLS`.
    population, days, seed : int
        Size and length of each run, and its seed (the same seed for every run, so a change
        on screen is the parameter's effect, not luck).
    draw : callable, optional
        ``draw(result, lang) -> Figure``; default :func:`csat.lessons.plots.dashboard`.
    lang : a code of :data:`csat.i18n.LANGUAGES`

    Examples
    --------
    >>> ex = Explorer("hotel", controls=["recovery.quick_share"], population=2_000, days=60)
    >>> ex.sliders["recovery.quick_share"].value = 0.9
    >>> ex.result.params.recovery.quick_share
    0.9
    """

    def __init__(
        self,
        preset: str = "car_dealer",
        controls: Sequence[str] = ("complaints.front_line", "recovery.resolution_rate"),
        *,
        population: int = 10_000,
        days: int = 365,
        seed: int = 1,
        draw: Callable[[Result, str], plt.Figure] | None = None,
        lang: str = "en",
        **changes: Any,
    ) -> None:
        import ipywidgets as w

        unknown = [c for c in controls if c not in CONTROLS]
        if unknown:
            raise ValueError(f"Explorer: controls must be among {sorted(CONTROLS)}, got {unknown}")
        self.base = presets.get(preset, population=population, days=days, **changes)
        self.seed = seed
        self.lang = lang
        if draw is None:
            from csat.lessons.plots import dashboard

            def draw(result: Result, lang: str) -> plt.Figure:
                return dashboard(result, lang=lang)

        self._draw = draw
        self.sliders = {}
        for name in controls:
            c = CONTROLS[name]
            slider = w.FloatSlider(
                value=_get(self.base, name),
                min=c.low,
                max=c.high,
                step=c.step,
                description=c.label(lang),
                continuous_update=False,
                style={"description_width": "220px"},
                layout=w.Layout(width="520px"),
            )
            slider.observe(self._changed, names="value")
            self.sliders[name] = slider
        self.image = w.Image(format="png", layout=w.Layout(width="100%"))
        self.headlines = w.HTML()
        self.widget = w.VBox(
            [w.HBox([w.VBox(list(self.sliders.values())), self.headlines]), self.image]
        )
        self.result: Result = self._run()

    def _run(self) -> Result:
        changes = {name: s.value for name, s in self.sliders.items()}
        params = with_changes(self.base, **changes)
        result = run(params, rng=self.seed)
        self.headlines.value = headline_html(result, self.lang)
        self.image.value = figure_png(self._draw(result, self.lang))
        return result

    def _changed(self, _change: dict) -> None:
        try:
            self.result = self._run()
        except ValueError as exc:  # e.g. head office share above front-line share
            self.headlines.value = f"<p style='color:#b2182b'>{html.escape(str(exc))}</p>"

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
