"""What every exercise widget shares: the languages, the fonts and style sheet, small HTML
pieces (mood meter, chat bubbles, bars, warnings) and the base of the role-play and the quiz
(language switch, name entry, the root box).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from csat import i18n
from csat.exercises import quiz as quiz_mod
from csat.exercises import rubric
from csat.exercises import scenario as scenario_mod
from csat.exercises.quiz import Quiz
from csat.exercises.scenario import Choice, Scenario
from csat.exercises.store import NotFound
from csat.i18n import Namespace
from csat.ui.identity import Identity, hub_user

log = logging.getLogger("csat.ui")

LANGS = tuple((name, code) for code, name in i18n.LANGUAGES.items())
"""The language buttons' options, ``(("English", "en"), ("中文", "zh"))``: from
:data:`csat.i18n.LANGUAGES`, the one list of languages."""
FIT = "calc(100% - 4px)"
"""A control's widest: its box plus ipywidgets' 2 px margin each side stays inside a phone's
screen, where 100% would cut its right edge off."""

MAX_NAME = 80
"""Longest display name accepted, in characters."""

FONT_STACK = (
    '-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", '
    '"Hiragino Sans GB", "Microsoft YaHei", "Noto Sans SC", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)
"""The page's fonts: the systems' own first, then the Chinese ones, among them Noto Sans SC
(the font the package ships for its figures), then the generic fallback."""

# ipywidgets keeps button and radio labels on one line (white-space: nowrap, fixed height);
# long replies, and Chinese ones especially, must wrap instead.
CSS = f"""<style>
.csat-root {{ font-family: {FONT_STACK}; font-size: 15px; line-height: 1.5; max-width: 900px; }}
.csat-root .widget-html-content {{ font-family: {FONT_STACK}; font-size: 15px; line-height: 1.5; }}
.csat-root .csat-choice {{
  white-space: normal !important; height: auto !important; min-height: 42px;
  text-align: left !important; line-height: 1.45 !important; padding: 8px 14px !important;
  overflow-wrap: anywhere; word-break: normal; font-size: 15px; font-family: {FONT_STACK};
  margin: 3px 0 !important; border-radius: 8px;
}}
.csat-root .widget-radio-box label {{
  white-space: normal !important; height: auto !important; line-height: 1.45 !important;
  display: flex; align-items: flex-start; gap: 8px; padding: 5px 0; overflow-wrap: anywhere;
}}
.csat-root .widget-radio-box input {{
  float: none !important; height: auto !important; flex: none; margin: 4px 0 0 1px !important;
  order: -1;  /* the circle before its answer, wherever ipywidgets puts it */
}}
.csat-root .widget-checkbox {{ height: auto !important; width: 100% !important; }}
.csat-root .widget-checkbox .widget-label-basic {{
  white-space: normal !important; line-height: 1.45 !important; display: flex;
  align-items: flex-start; gap: 8px; padding: 5px 0; overflow-wrap: anywhere;
}}
.csat-root .widget-checkbox input[type='checkbox'] {{ flex: none; margin-top: 4px !important; }}
.csat-root .csat-rating .widget-toggle-button {{ width: 44px; }}
</style>"""

UI = Namespace("widgets")
"""Every word the widgets show, punctuation included (a Chinese colon, comma and brackets are
full-width): ``UI[lang][key]``."""


class _Words(Mapping[str, tuple[str, ...]]):
    """A list of words of the ``widgets`` namespace, read as ``WORDS[lang][i]``."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __getitem__(self, lang: str) -> tuple[str, ...]:
        return tuple(UI[lang][self.key])

    def __iter__(self) -> Iterator[str]:
        return iter(i18n.LANGUAGES)

    def __len__(self) -> int:
        return len(i18n.LANGUAGES)


MOOD_WORDS = _Words("mood_words")
"""The mood meter's word for each fifth of 0–100, furious to pleased: ``MOOD_WORDS[lang]``."""
MOOD_COLOURS = ("#d73027", "#fc8d59", "#e6b400", "#91cf60", "#1a9850")
OUTCOME_COLOURS = {"stays": "#1a9850", "escalates": "#e08214", "leaves": "#d73027"}
SCALE_WORDS = _Words("scale_words")
"""The observer's scale, 1 (not shown) to 5 (a model for others): ``SCALE_WORDS[lang]``."""


def _t(lang: str, key: str, **kwargs: Any) -> str:
    text = UI[lang][key]
    return text.format(**kwargs) if kwargs else text


def _colon(lang: str) -> str:
    """What follows a label before its value."""
    return _t(lang, "colon")


def _paren(text: str, lang: str) -> str:
    """``text`` as an aside, in the language's brackets."""
    return _t(lang, "in_parens", text=text)


def _e(text: Any) -> str:
    return html.escape(str(text))


def _bar(value: float, colour: str, *, width: str = "100%") -> str:
    """A horizontal bar 0–100 drawn with two divs (no images, no script)."""
    pct = max(0.0, min(100.0, float(value)))
    return (
        f"<div style='display:inline-block;vertical-align:middle;width:{width};height:14px;"
        f"background:#e5e7eb;border-radius:7px;overflow:hidden'>"
        f"<div style='width:{pct:.0f}%;height:100%;background:{colour}'></div></div>"
    )


def mood_html(mood: int, lang: str = "en") -> str:
    """The mood meter: a coloured bar, the number out of 100 and a word for it."""
    band = min(4, max(0, int(mood) // 20))
    colour = MOOD_COLOURS[band]
    return (
        # Wraps, and the bar shrinks, on a phone-sized screen rather than running off its edge.
        f"<div class='csat-mood-meter' style='display:flex;flex-wrap:wrap;align-items:center;"
        f"gap:4px 10px'><span>{_e(_t(lang, 'mood'))}</span>"
        f"{_bar(mood, colour, width='min(260px, 45vw)')}"
        f"<b style='color:{colour}'>{int(mood)}/100</b>"
        f"<span style='color:#444'>{_e(MOOD_WORDS[lang][band])}</span></div>"
    )


def _bubble(text: str, *, who: str, mine: bool) -> str:
    side = "flex-end" if mine else "flex-start"
    background = "#dbeafe" if mine else "#f1f3f5"
    corners = "14px 14px 4px 14px" if mine else "14px 14px 14px 4px"
    cls = "csat-trainee-line" if mine else "csat-customer-line"
    return (
        f"<div class='csat-msg {cls}' style='align-self:{side};max-width:82%;"
        f"background:{background};border-radius:{corners};padding:8px 12px;"
        f"overflow-wrap:anywhere'>"
        f"<div style='font-size:12px;color:#555;margin-bottom:2px'>{_e(who)}</div>"
        f"{_e(text)}</div>"
    )


def _points_text(choice: Choice, lang: str) -> str:
    if not choice.points:
        return _t(lang, "no_points")
    return _t(lang, "list_separator").join(
        f"{rubric.name(k, lang)} {v:+d}" for k, v in choice.points.items()
    )


def _load_scenario(ref: str | Path | Scenario) -> Scenario:
    return ref if isinstance(ref, Scenario) else scenario_mod.load(ref)


def _load_quiz(ref: str | Path | Quiz) -> Quiz:
    return ref if isinstance(ref, Quiz) else quiz_mod.load(ref)


class _Exercise:
    """What the role-play and the quiz share: the language switch, the name entry and the root."""

    kind_class = "csat-exercise"

    def __init__(self, *, store, trainee: str | None, lang: str) -> None:
        import ipywidgets as w

        if lang not in UI:
            raise ValueError(f"lang must be one of {sorted(UI)}, got {lang!r}")
        self._w = w
        self.store = store
        self.trainee_name: str | None = None
        self.trainee_id: str | None = None
        self.lang = w.ToggleButtons(
            options=LANGS,
            value=lang,
            style={"button_width": "80px"},
            tooltips=list(i18n.LANGUAGES.values()),
        )
        self.lang.add_class("csat-lang")
        self.greeting = w.HTML()
        self.greeting.add_class("csat-greeting")
        self.message = w.HTML()
        self.message.add_class("csat-message")
        self.name = w.Text(layout=w.Layout(width="260px"))
        self.name.add_class("csat-name")
        self.start_button = w.Button(button_style="primary", icon="play")
        self.start_button.add_class("csat-start")
        self.start_button.on_click(self._start_clicked)
        self.name_label = w.HTML()
        self.entry_row = w.HBox(
            [self.name_label, self.name, self.start_button], layout=w.Layout(flex_flow="row wrap")
        )
        self.identity = None
        if store is not None:
            self.identity = Identity(store, lambda: self.language, self._identified)
            if hub_user() is not None:
                self.name.value, self.name.disabled = hub_user(), True
        parts = [self.entry_row] + ([self.identity.widget] if self.identity else [])
        self.entry = w.VBox(parts)
        self.entry.add_class("csat-entry")
        self.main = w.VBox()
        self.widget = w.VBox(
            [
                w.HTML(CSS),
                w.HBox([self.lang, self.greeting], layout=w.Layout(align_items="center")),
                self.main,
                self.message,
            ]
        )
        self.widget.add_class("csat-root")
        self.widget.add_class(self.kind_class)
        self.lang.observe(lambda _change: self.render(), names="value")
        self._initial_trainee = trainee

    def _open(self) -> None:
        """Show the name entry, or start straight away when no name is needed or one was given."""
        if self.store is not None and self._initial_trainee is None:
            self.main.children = self._entry_view()
            self.render()
        else:
            self.start(self._initial_trainee)

    def _entry_view(self) -> list:
        return [self.entry]

    @property
    def language(self) -> str:
        return self.lang.value

    def _start_clicked(self, _button=None) -> None:
        name = " ".join(self.name.value.split())
        lang = self.language
        if not name:
            self.message.value = _warn(_t(lang, "need_name"))
            return
        if len(name) > MAX_NAME:
            self.message.value = _warn(_t(lang, "name_too_long", n=MAX_NAME))
            return
        try:
            if self.store is not None:
                self.identity.ask(name)  # "Is this you?" when the name is taken
            else:
                self.start(name)
        except Exception as err:  # e.g. the store refuses the name or cannot be reached
            self.message.value = _not_saved(lang, err, "a trainee's name")
            return
        self.message.value = ""

    def _identified(self, name: str) -> None:
        self.name.value = name
        self.start(name)

    def start(self, trainee: str | None = None) -> None:
        """Begin (or resume) as ``trainee``; saved to the store when one is attached."""
        self.trainee_name = trainee
        if self.store is not None and trainee is not None:
            self.trainee_id = self.store.trainee(trainee)
        self._begin()
        self.render()

    def _begin(self) -> None:
        raise NotImplementedError

    def render(self) -> None:
        raise NotImplementedError

    def _render_entry(self) -> None:
        lang = self.language
        self.name_label.value = f"<b>{_e(_t(lang, 'name'))}</b>&nbsp;"
        self.name.placeholder = _t(lang, "name_hint")
        self.start_button.description = _t(lang, "start")

    def _greet(self, resumed: bool = False, key: str | None = None) -> None:
        if self.trainee_name is None:
            self.greeting.value = ""
            return
        key = key or ("resumed" if resumed else "welcome")
        text = _t(self.language, key, name=self.trainee_name)
        self.greeting.value = f"<span style='margin-left:16px'>{_e(text)}</span>"

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


def _warn(text: str) -> str:
    return f"<p style='color:#b2182b;font-weight:bold'>{_e(text)}</p>"


def _cleared(exercise: _Exercise, err: BaseException) -> bool:
    """When a save failed because the trainer reset the room's results while this page was
    open (the attempt or the trainee is gone), start the exercise again for the same name and
    say why; True if that was the reason. Anything else is left to :func:`_not_saved`."""
    if not isinstance(err, NotFound) or exercise.trainee_name is None:
        return False
    log.info("%s: cleared by a reset while open; starting again", exercise.trainee_name)
    try:
        exercise.start(exercise.trainee_name)
    except Exception as again:  # the store went away as well: the usual warning
        exercise.message.value = _not_saved(exercise.language, again, "a restart after a reset")
        return True
    exercise.message.value = _warn(_t(exercise.language, "cleared"))
    return True


def _not_saved(lang: str, err: BaseException, what: str) -> str:
    """The trainee's "could not save" warning, which names no database, host or user; the
    error itself goes to the trainer's terminal (:mod:`csat.log`)."""
    log.error("could not save %s: %s: %s", what, type(err).__name__, err)
    return _warn(_t(lang, "not_saved"))
