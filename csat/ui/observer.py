"""The observer's sheet: rate a live pair role-play on the rubric, with a comment, for the store."""

from __future__ import annotations

from typing import Any

from csat.exercises import rubric
from csat.exercises import scenario as scenario_mod
from csat.exercises.scenario import Scenario
from csat.ui.common import (
    CSS,
    FIT,
    LANGS,
    MAX_NAME,
    SCALE_WORDS,
    UI,
    _e,
    _load_scenario,
    _not_saved,
    _t,
    _warn,
)


class ObserverSheet:
    """The observer's scoresheet for a live pair role-play: the six rubric dimensions rated 1–5,
    each with what to look for, and a comment; saved to the store.

    Parameters
    ----------
    store : exercises.store.Store
    scenario : str or Scenario, optional
        The scenario played (preselected); the observer can pick another or "free role-play".
    lang : a code of :data:`csat.i18n.LANGUAGES`
    list_names : offer the names of everyone who has played as the trainee's name (the
        default, for a trainer's own notebook). The hub, open to every trainee of the room,
        passes False: there the observer types the partner's name and nobody sees the list.

    Attributes
    ----------
    trainee, observer : ipywidgets.Combobox / Text — the names
    scenario : ipywidgets.Dropdown
    ratings : dict of dimension key -> ipywidgets.ToggleButtons (value None until rated)
    comment : ipywidgets.Textarea
    save_button, lang : the controls; message : the confirmation or what is missing
    """

    FREE = "free-role-play"

    def __init__(
        self,
        store,
        *,
        scenario: str | Scenario | None = None,
        lang: str = "en",
        list_names: bool = True,
    ):
        import ipywidgets as w

        if lang not in UI:
            raise ValueError(f"lang must be one of {sorted(UI)}, got {lang!r}")
        self.store, self.list_names = store, list_names
        library = scenario_mod.survey()  # a file with problems is left out, and named
        self._scenarios = dict(library.good)
        self.left_out = library.broken
        chosen = None
        if isinstance(scenario, Scenario):
            self._scenarios.setdefault(scenario.id, scenario)
            chosen = scenario.id
        elif scenario is not None:
            chosen = _load_scenario(scenario).id
            self._scenarios.setdefault(chosen, _load_scenario(scenario))
        self.lang = w.ToggleButtons(options=LANGS, value=lang, style={"button_width": "80px"})
        self.lang.add_class("csat-lang")
        wide = {"description_width": "110px"}
        self.trainee = w.Combobox(
            options=self._known_names(),
            ensure_option=False,
            style=wide,
            layout=w.Layout(width="420px", max_width=FIT),
        )
        self.trainee.add_class("csat-trainee")
        self.observer = w.Text(style=wide, layout=w.Layout(width="420px", max_width=FIT))
        self.observer.add_class("csat-observer-name")
        self.scenario = w.Dropdown(style=wide, layout=w.Layout(width="620px", max_width=FIT))
        self.scenario.add_class("csat-scenario")
        self.scale = w.HTML()
        self.ratings: dict[str, Any] = {}
        self.hints: dict[str, Any] = {}
        rows = []
        for key in rubric.DIMENSIONS:
            toggle = w.ToggleButtons(
                options=[(str(i), i) for i in range(1, 6)],
                value=None,
                style={"button_width": "44px"},
            )
            toggle.add_class("csat-rating")
            toggle.add_class(f"csat-rating-{key}")
            hint = w.HTML(layout=w.Layout(width="380px", max_width=FIT))
            self.ratings[key] = toggle
            self.hints[key] = hint
            # On a phone the buttons go under the dimension's name instead of off the screen.
            rows.append(
                w.HBox([hint, toggle], layout=w.Layout(align_items="center", flex_flow="row wrap"))
            )
        self.comment = w.Textarea(
            layout=w.Layout(width="620px", max_width=FIT, height="90px"), style=wide
        )
        self.comment.add_class("csat-comment")
        self.save_button = w.Button(button_style="primary", icon="save")
        self.save_button.add_class("csat-save")
        self.save_button.on_click(self._save)
        self.message = w.HTML()
        self.message.add_class("csat-message")
        self.title = w.HTML()
        self.widget = w.VBox(
            [
                w.HTML(CSS),
                self.lang,
                self.title,
                self.trainee,
                self.observer,
                self.scenario,
                self.scale,
                *rows,
                self.comment,
                self.save_button,
                self.message,
            ]
        )
        self.widget.add_class("csat-root")
        self.widget.add_class("csat-observer")
        self.lang.observe(lambda _change: self.render(), names="value")
        self.render()
        if chosen is not None:
            self.scenario.value = chosen

    def _known_names(self) -> list[str]:
        if not self.list_names:
            return []
        try:
            names = self.store.trainees()["display_name"].tolist()
        except Exception:  # a fresh or unreachable store: typing a name still works
            return []
        return sorted(set(names))

    @property
    def language(self) -> str:
        return self.lang.value

    def render(self) -> None:
        lang = self.language
        self.title.value = f"<h3 style='margin:4px 0'>{_e(_t(lang, 'observer_label'))}</h3>"
        self.trainee.description = _t(lang, "trainee")
        self.observer.description = _t(lang, "observer")
        self.scenario.description = _t(lang, "scenario")
        self.comment.description = _t(lang, "comment")
        self.comment.placeholder = _t(lang, "comment_hint")
        self.save_button.description = _t(lang, "save")
        self.scale.value = f"<p style='color:#555;margin:6px 0'>{_e(_t(lang, 'scale'))}</p>" + (
            f"<p style='color:#b2182b;font-size:13px'>{_e(_t(lang, 'broken_files'))} "
            f"{_e(' · '.join(p[0] for p in self.left_out.values()))}</p>"
            if self.left_out
            else ""
        )
        keep = self.scenario.value
        self.scenario.options = [
            *((sc.title(lang), sid) for sid, sc in self._scenarios.items()),
            (_t(lang, "free"), self.FREE),
        ]
        self.scenario.value = keep if keep is not None else self.scenario.options[0][1]
        for key, dim in rubric.DIMENSIONS.items():
            looks_for = dim.looks_for(lang)
            self.hints[key].value = (
                f"<b>{_e(dim.name(lang))}</b><br>"
                f"<span style='font-size:13px;color:#555'>{_e(looks_for)}</span>"
            )
            self.ratings[key].tooltips = list(SCALE_WORDS[lang])

    def _save(self, _button=None) -> None:
        lang = self.language
        trainee = " ".join(self.trainee.value.split())
        observer = " ".join(self.observer.value.split())
        ratings = {k: t.value for k, t in self.ratings.items() if t.value is not None}
        problems = []
        if not trainee:
            problems.append(_t(lang, "need_trainee"))
        if not observer:
            problems.append(_t(lang, "need_observer"))
        if not ratings:
            problems.append(_t(lang, "need_rating"))
        if len(trainee) > MAX_NAME or len(observer) > MAX_NAME:
            problems.append(_t(lang, "name_too_long", n=MAX_NAME))
        if problems:
            self.message.value = "".join(_warn(p) for p in problems)
            return
        try:
            trainee_id = self.store.trainee(trainee)
            sheet = self.store.record_observer(
                trainee_id=trainee_id,
                observer=observer,
                exercise_id=self.scenario.value,
                ratings=ratings,
                comment=self.comment.value.strip(),
            )
        except Exception as err:  # shown, not raised: the observer can retry
            self.message.value = _not_saved(lang, err, "an observer sheet")
            return
        mean = sum(ratings.values()) / len(ratings)
        text = _t(
            lang,
            "saved",
            id=sheet,
            trainee=trainee,
            n=len(ratings),
            total=len(rubric.DIMENSIONS),
            mean=mean,
        )
        self.message.value = f"<p style='color:#1a9850;font-weight:bold'>{_e(text)}</p>"
        for toggle in self.ratings.values():
            toggle.value = None
        self.comment.value = ""
        self.trainee.options = self._known_names()

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
