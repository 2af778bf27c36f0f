"""The sliders of the teaching notebooks: the promise-and-quality explorer (S1) and the
retention-gain slider (S4).

They are widgets, so they live in the UI layer; the numbers they show come from the lessons
(:func:`csat.lessons.expectation.quality_shift`, :func:`csat.lessons.loyalty.clv_growing`) and
their words from catalogue namespace ``teaching``. Both update by setting ``.value`` (an
``Image``, an ``HTML``), never by printing, so a notebook showing one passes nbval (tag the
cell ``nbval-ignore-output``: a live widget's picture is not text).
"""

from __future__ import annotations

from typing import Any

from csat import i18n
from csat.lessons.expectation import quality_shift
from csat.lessons.loyalty import clv_growing
from csat.sim.params import with_changes
from csat.sim.run import Result, run
from csat.ui.explorers import Explorer, figure_png, headline_html

TEXT = i18n.Namespace("teaching")


class PromiseQualityExplorer(Explorer):
    """The simulator's :class:`~csat.ui.explorers.Explorer` with a third slider for quality.

    Sliders: the promise, loss aversion λ, and a quality change in points added to every
    SERVQUAL dimension (:func:`csat.lessons.expectation.quality_shift`). Each change re-runs
    the same seeded year and redraws the dashboard and the headline figures.

    Examples
    --------
    >>> from csat.sim import presets
    >>> ex = PromiseQualityExplorer("hotel", population=2_000, days=30)
    >>> ex.quality.value = 0.5
    >>> round(ex.result.params.service.quality[0] - presets.get("hotel").service.quality[0], 6)
    0.5
    """

    def __init__(self, preset: str = "hotel", *, lang: str = "en", **kwargs: Any) -> None:
        import ipywidgets as w

        i18n.check(lang, where="lang")
        self.quality = w.FloatSlider(
            value=0.0,
            min=-1.5,
            max=1.5,
            step=0.1,
            description=TEXT[lang]["quality_slider"],
            continuous_update=False,
            style={"description_width": "220px"},
            layout=w.Layout(width="520px"),
        )
        super().__init__(
            preset,
            controls=("expectations.promise", "satisfaction.loss_aversion"),
            lang=lang,
            **kwargs,
        )
        self.quality.observe(self._changed, names="value")
        self.widget = w.VBox(
            [
                w.HBox([w.VBox([*self.sliders.values(), self.quality]), self.headlines]),
                self.image,
            ]
        )

    def _run(self) -> Result:
        changes = {name: s.value for name, s in self.sliders.items()}
        params = quality_shift(with_changes(self.base, **changes), self.quality.value)
        result = run(params, rng=self.seed)
        self.headlines.value = headline_html(result, self.lang)
        self.image.value = figure_png(self._draw(result, self.lang))
        return result


class RetentionGainSlider:
    """Two sliders — retention today and margin growth per year — and one sentence: how much
    five more points of retention raise lifetime value
    (:func:`csat.lessons.loyalty.clv_growing`), beside
    Reichheld & Sasser's 25–85%.

    Updates by setting ``HTML.value``, so a notebook showing it passes nbval (tag the cell
    ``nbval-ignore-output``).

    Examples
    --------
    >>> s = RetentionGainSlider()
    >>> s.growth.value = 0.0
    >>> "+28%" in s.text.value
    True
    """

    def __init__(self, *, discount: float = 0.10, lang: str = "en") -> None:
        import ipywidgets as w

        i18n.check(lang, where="lang")
        self.discount = discount
        self.lang = lang
        t = TEXT[lang]
        style = {"description_width": "200px"}
        layout = w.Layout(width="520px")
        self.retention = w.FloatSlider(
            value=0.80,
            min=0.50,
            max=0.90,
            step=0.01,
            description=t["slider_r"],
            readout_format=".2f",
            continuous_update=False,
            style=style,
            layout=layout,
        )
        self.growth = w.FloatSlider(
            value=0.0,
            min=0.0,
            max=0.30,
            step=0.01,
            description=t["slider_g"],
            readout_format=".2f",
            continuous_update=False,
            style=style,
            layout=layout,
        )
        self.text = w.HTML()
        for slider in (self.retention, self.growth):
            slider.observe(self._update, names="value")
        self.widget = w.VBox([self.retention, self.growth, self.text])
        self._update()

    def _update(self, _change: dict | None = None) -> None:
        t = TEXT[self.lang]
        r, g, i = self.retention.value, self.growth.value, self.discount
        try:
            c1 = clv_growing(100.0, r, i, g)
            c2 = clv_growing(100.0, r + 0.05, i, g)
        except ValueError:
            self.text.value = f"<p style='font-size:16px'>{t['slider_bad'].format(r=r, g=g)}</p>"
            return
        line = t["slider_out"].format(r=r, r2=r + 0.05, g=g, c1=c1, c2=c2, gain=c2 / c1 - 1)
        self.text.value = f"<p style='font-size:16px'>{line}</p>"

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


__all__ = ["PromiseQualityExplorer", "RetentionGainSlider"]
