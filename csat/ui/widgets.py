"""What trainees and observers click: the role-play, the quiz, the observer's sheet and a hub.

Each widget is a plain object holding its ipywidgets as attributes (so tests and browser tests
can drive them: ``rp.buttons[0].click()``, ``rp.lang.value = "zh"``) and shows itself through
``.widget``. Every update sets an ``HTML`` widget's ``.value`` or a box's ``.children`` — never
``with out:``, ``interact`` or ``clear_output`` — so a notebook that shows one still passes
nbval. Every text a trainee typed or a scenario supplies is escaped with :func:`html.escape`.

Stable CSS classes for browser tests: ``csat-roleplay``, ``csat-chat``, ``csat-mood``,
``csat-choice`` (plus ``csat-choice-<choice id>``), ``csat-feedback``, ``csat-scorecard``,
``csat-replay``, ``csat-lang``, ``csat-name``, ``csat-start``, ``csat-message``; ``csat-quiz``,
``csat-quiz-options``, ``csat-submit``, ``csat-next``, ``csat-explanation``, ``csat-score``;
``csat-observer``, ``csat-rating-<dimension>``, ``csat-save``; ``csat-hub``, ``csat-open``.

>>> rp = RolePlay("hotpot-queue", seed=1)
>>> rp.session.node, len(rp.buttons)
('at-the-stand', 4)
>>> for node, choice in rp.scenario.best_path():
...     rp.button_for(choice).click()
>>> rp.session.finished, "100/100" in rp.scorecard.value
(True, True)
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from csat.exercises import quiz as quiz_mod
from csat.exercises import rubric
from csat.exercises import scenario as scenario_mod
from csat.exercises.engine import Session, Step, model_answer
from csat.exercises.quiz import Quiz, QuizSession
from csat.exercises.scenario import Choice, Scenario
from csat.i18n import Namespace

LANGS = (("English", "en"), ("中文", "zh"))
MAX_NAME = 80
"""Longest display name accepted, in characters."""

FONT_STACK = (
    '-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", '
    '"Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
    '"WenQuanYi Micro Hei", sans-serif'
)

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

MOOD_WORDS = {
    "en": ("furious", "angry", "uneasy", "calm", "pleased"),
    "zh": ("非常愤怒", "生气", "不太满意", "平静", "满意"),
}
MOOD_COLOURS = ("#d73027", "#fc8d59", "#e6b400", "#91cf60", "#1a9850")
OUTCOME_COLOURS = {"stays": "#1a9850", "escalates": "#e08214", "leaves": "#d73027"}
SCALE_WORDS = {
    "en": ("not shown", "attempted", "adequate", "good", "a model for others"),
    "zh": ("没有做到", "有尝试", "基本做到", "做得好", "可作示范"),
}


def _t(lang: str, key: str, **kwargs: Any) -> str:
    text = UI[lang][key]
    return text.format(**kwargs) if kwargs else text


def _colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f"({text})"


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
    sep = "，" if lang == "zh" else ", "  # a Chinese list takes the full-width comma
    return sep.join(f"{rubric.name(k, lang)} {v:+d}" for k, v in choice.points.items())


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
            options=LANGS, value=lang, style={"button_width": "80px"}, tooltips=["English", "中文"]
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
        self.entry = w.HBox(
            [self.name_label, self.name, self.start_button], layout=w.Layout(flex_flow="row wrap")
        )
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
            self.start(name)
        except Exception as err:  # e.g. the store refuses the name or cannot be reached
            self.message.value = _warn(_t(lang, "not_saved", error=err))
            return
        self.message.value = ""

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


class RolePlay(_Exercise):
    """A role-play as a chat: the customer's lines, reply buttons, mood, feedback, scorecard.

    Parameters
    ----------
    scenario : str, Path or Scenario
        A scenario id from the library (``"hotpot-queue"``), a YAML path, or a loaded scenario.
    store : exercises.store.Store, optional
        Saves the attempt and every decision as made. Without ``trainee``, the widget first asks
        for the trainee's name.
    trainee : str, optional
        The trainee's display name. With a store, the trainee's latest attempt at this scenario
        comes back: an unfinished one resumes where it stopped, a finished one shows how it
        ended (with *Play again* for a new attempt).
    lang : {"en", "zh"}
        Language shown first; the switch at the top changes it at any time.
    seed : int
        Order the replies are shown in (the same seed shows the same order).

    Attributes
    ----------
    session : Session or None
        The attempt being played (None until a name is entered).
    buttons : list of ipywidgets.Button
        The reply buttons on screen, in the order shown.
    lang, replay_button, name, start_button : the controls; chat, mood, feedback, scorecard,
        header, message : the HTML widgets shown.
    """

    kind_class = "csat-roleplay"

    def __init__(
        self,
        scenario: str | Path | Scenario,
        *,
        store=None,
        trainee: str | None = None,
        lang: str = "en",
        seed: int = 1,
    ) -> None:
        super().__init__(store=store, trainee=trainee, lang=lang)
        w = self._w
        self.scenario = _load_scenario(scenario)
        self.seed = seed
        self.session: Session | None = None
        self.resumed = False
        self.header = w.HTML()
        self.header.add_class("csat-header")
        self.mood = w.HTML()
        self.mood.add_class("csat-mood")
        self.chat = w.HTML()
        self.chat.add_class("csat-chat")
        self.prompt = w.HTML()
        self._pool = []
        for i in range(4):
            b = w.Button(layout=w.Layout(width="100%", height="auto"))
            b.add_class("csat-choice")
            b.on_click(partial(self._clicked, i))
            self._pool.append(b)
        self._shown: list[Choice] = []
        self.choice_box = w.VBox(layout=w.Layout(width="100%"))
        self.choice_box.add_class("csat-choices")
        self.feedback = w.HTML()
        self.feedback.add_class("csat-feedback")
        self.scorecard = w.HTML()
        self.scorecard.add_class("csat-scorecard")
        self.replay_button = w.Button(button_style="info", icon="repeat")
        self.replay_button.add_class("csat-replay")
        self.replay_button.on_click(lambda _b: self.replay())
        self.body = w.VBox(
            [
                self.header,
                self.mood,
                self.chat,
                self.feedback,
                self.prompt,
                self.choice_box,
                self.scorecard,
                self.replay_button,
            ],
            layout=w.Layout(width="100%"),
        )
        self._open()

    # -- state ----------------------------------------------------------------------------
    def _entry_view(self) -> list:
        return [self.header, self.entry]

    def _begin(self) -> None:
        session = None
        if self.store is not None and self.trainee_id is not None:
            session = Session.resume(self.scenario, self.store, self.trainee_id, finished=True)
            self.resumed = session is not None
            if session is None:
                session = Session(
                    self.scenario,
                    seed=self.seed,
                    store=self.store,
                    trainee_id=self.trainee_id,
                    lang=self.language,
                )
        else:
            session = Session(self.scenario, seed=self.seed, lang=self.language)
        self.session = session
        self.main.children = [self.body]

    @property
    def buttons(self) -> list:
        """The reply buttons on screen, in the order shown (empty when the conversation ended)."""
        return list(self.choice_box.children)

    def button_for(self, choice_id: str):
        """The button that gives reply ``choice_id`` (KeyError when it is not on offer)."""
        for choice, button in zip(self._shown, self.buttons, strict=False):
            if choice.id == choice_id:
                return button
        offered = ", ".join(c.id for c in self._shown) or "none"
        raise KeyError(f"reply {choice_id!r} is not on offer here (offered: {offered})")

    def _clicked(self, index: int, _button=None) -> None:
        if self.session is None or self.session.finished or index >= len(self._shown):
            return
        try:
            self.session.choose(self._shown[index].id)
        except Exception as err:  # a store that cannot write must not freeze the exercise
            self.message.value = _warn(_t(self.language, "not_saved", error=err))
            return
        self.message.value = ""
        self.render()

    def replay(self) -> None:
        """Start a new attempt (new reply order; a new attempt in the store)."""
        if self.session is None:
            return
        self.session = self.session.replay()
        self.resumed = False
        self.render()

    # -- drawing --------------------------------------------------------------------------
    def render(self) -> None:
        """Redraw everything from the session, in the current language."""
        lang = self.language
        self._render_entry()
        self.replay_button.description = _t(lang, "replay")
        s = self.session
        if s is None:
            self.header.value = self._header_html(lang)
            return
        if self.resumed and s.finished:
            self._greet(key="last_result")
        else:
            self._greet(self.resumed and not s.finished and bool(s.steps))
        self.header.value = self._header_html(lang)
        self.mood.value = mood_html(s.mood, lang)
        self.chat.value = self._chat_html(lang)
        self.feedback.value = self._feedback_html(s.steps[-1], lang) if s.steps else ""
        self._shown = s.choices
        for button, choice in zip(self._pool, self._shown, strict=False):
            text = choice.text(lang)
            button.description = text
            button.tooltip = text
            button._dom_classes = ("csat-choice", f"csat-choice-{choice.id}")
        self.choice_box.children = self._pool[: len(self._shown)]
        self.prompt.value = "" if s.finished else f"<b>{_e(_t(lang, 'reply_prompt'))}</b>"
        self.scorecard.value = self._scorecard_html(lang) if s.finished else ""
        self.replay_button.layout.display = "" if s.finished else "none"

    def _header_html(self, lang: str) -> str:
        sc = self.scenario
        return (
            f"<div class='csat-scene'>"
            f"<h3 style='margin:4px 0 6px'>{_e(sc.title(lang))}</h3>"
            f"<p style='margin:0 0 6px;color:#333'>{_e(sc.context(lang))}</p>"
            f"<p style='margin:0;color:#555'><b>{_e(sc.persona.name(lang))}</b>{_colon(lang)}"
            f"{_e(sc.persona.description(lang))}</p></div>"
        )

    def _chat_html(self, lang: str) -> str:
        s = self.session
        who = self.scenario.persona.name(lang)
        me = self.trainee_name or _t(lang, "you")
        parts = []
        for step in s.steps:
            parts.append(
                _bubble(self.scenario.nodes[step.node].customer(lang), who=who, mine=False)
            )
            parts.append(_bubble(step.choice.text(lang), who=me, mine=True))
        if s.finished:
            parts.append(
                f"<div style='align-self:center;color:#666;font-style:italic'>"
                f"{_e(_t(lang, 'the_end'))}</div>"
            )
        else:
            parts.append(_bubble(s.line(lang), who=who, mine=False))
        return (
            "<div class='csat-chat-log' style='display:flex;flex-direction:column;gap:8px;"
            "margin:8px 0'>" + "".join(parts) + "</div>"
        )

    def _feedback_html(self, step: Step, lang: str) -> str:
        change = step.mood_after - step.mood_before
        colour = "#1a9850" if change > 0 else "#d73027" if change < 0 else "#666"
        facts = (
            f"<span style='color:{colour}'>"
            f"{_e(_t(lang, 'mood_change', before=step.mood_before, after=step.mood_after))}"
            f" {_paren(f'{change:+d}', lang)}</span> · {_e(_t(lang, 'points'))}{_colon(lang)}"
            f"{_e(_points_text(step.choice, lang))}"
        )
        return (
            f"<div class='csat-feedback-box' style='border-left:4px solid #4393c3;"
            f"background:#f4f8fb;padding:8px 12px;margin:4px 0'>"
            f"<b>{_e(_t(lang, 'coach'))}</b>{_colon(lang)}{_e(step.choice.feedback(lang))}"
            f"<div style='font-size:13px;margin-top:4px'>{facts}</div></div>"
        )

    def _scorecard_html(self, lang: str) -> str:
        s = self.session
        sc = self.scenario
        score = s.score()
        end = s.ending_info
        passed_colour = "#1a9850" if score.passed else "#d73027"
        badge = _t(lang, "passed" if score.passed else "not_passed")
        outcome_colour = OUTCOME_COLOURS[end.outcome]
        rows = []
        for key, value in score.dimensions.items():
            name = _e(rubric.name(key, lang))
            if value is None:
                rows.append(
                    f"<tr><td style='padding:2px 12px 2px 0'>{name}</td>"
                    f"<td colspan='2' style='color:#888'>{_e(_t(lang, 'not_assessed'))}</td></tr>"
                )
                continue
            colour = "#1a9850" if value >= sc.pass_threshold else "#d73027"
            rows.append(
                f"<tr><td style='padding:2px 12px 2px 0'>{name}</td>"
                f"<td style='width:260px'>{_bar(value, colour)}</td>"
                f"<td style='text-align:right;padding-left:8px'><b>{value:.0f}</b></td></tr>"
            )
        path_rows = []
        for i, step in enumerate(s.steps, 1):
            best = model_answer(sc, step.node)
            if best.id == step.choice.id:
                model = f"<span style='color:#1a9850'>{_e(_t(lang, 'same'))}</span>"
            else:
                model = (
                    f"{_e(best.text(lang))}<div style='font-size:12px;color:#555'>"
                    f"{_e(_points_text(best, lang))}</div>"
                )
            path_rows.append(
                f"<tr style='vertical-align:top;border-top:1px solid #ddd'>"
                f"<td style='padding:6px 8px 6px 0'>{i}</td>"
                f"<td style='padding:6px 8px'>{_e(step.choice.text(lang))}"
                f"<div style='font-size:12px;color:#555'>{_e(_points_text(step.choice, lang))}"
                f"</div><div style='font-size:13px;color:#333;margin-top:2px'>"
                f"{_e(step.choice.feedback(lang))}</div></td>"
                f"<td style='padding:6px 0 6px 8px'>{model}</td></tr>"
            )
        best_end = sc.endings[sc.best_ending()]
        best_note = (
            ""
            if s.ending == sc.best_ending()
            else f"<p style='color:#555'>{_e(_t(lang, 'best_ending', title=best_end.title(lang)))}"
            "</p>"
        )
        return (
            f"<div class='csat-scorecard-box' style='border:2px solid {passed_colour};"
            f"border-radius:10px;padding:12px 16px;margin-top:8px'>"
            f"<div class='csat-ending' style='margin-bottom:8px'>"
            f"<span style='background:{outcome_colour};color:white;border-radius:10px;"
            f"padding:2px 10px;font-size:13px'>{_e(_t(lang, end.outcome))}</span>"
            f"<h3 style='margin:6px 0 4px'>{_e(_t(lang, 'ending'))}{_colon(lang)}"
            f"{_e(end.title(lang))}</h3>"
            f"<p style='margin:0'>{_e(end.debrief(lang))}</p>{best_note}</div>"
            f"<div class='csat-total' style='font-size:22px;margin:8px 0'>"
            f"{_e(_t(lang, 'score'))}{_colon(lang)}<b>{score.total:.0f}/100</b> "
            f"<span style='color:{passed_colour};font-weight:bold'>{_e(badge)}</span> "
            f"<span style='font-size:14px;color:#555'>"
            f"{_e(_paren(_t(lang, 'pass_mark', t=score.threshold), lang))}</span></div>"
            f"<h4 style='margin:8px 0 4px'>{_e(_t(lang, 'by_dimension'))}</h4>"
            f"<table class='csat-dimensions'>{''.join(rows)}</table>"
            f"<p class='csat-scale-note' style='font-size:12px;color:#555;margin:4px 0'>"
            f"{_e(_t(lang, 'scale_note'))}</p>"
            f"<h4 style='margin:12px 0 4px'>{_e(_t(lang, 'path'))}</h4>"
            f"<table class='csat-path' style='border-collapse:collapse;width:100%'>"
            f"<tr style='text-align:left'><th>{_e(_t(lang, 'step'))}</th>"
            f"<th style='padding:0 8px'>{_e(_t(lang, 'your_reply'))}</th>"
            f"<th style='padding-left:8px'>{_e(_t(lang, 'model_answer'))}</th></tr>"
            f"{''.join(path_rows)}</table></div>"
        )

    def __repr__(self) -> str:
        return f"RolePlay({self.scenario.id!r}, {self.session!r})"


class QuizWidget(_Exercise):
    """A knowledge check, one question at a time: radio buttons for single-answer questions,
    tick boxes for multiple-answer ones, the explanation after each answer, the score at the end.

    Parameters
    ----------
    quiz : str, Path or Quiz
        A quiz id (``"servqual-quiz"``), a YAML path, or a loaded quiz.
    store, trainee, lang : as for :class:`RolePlay` (a quiz is not resumed; a new attempt starts).

    Attributes
    ----------
    session : QuizSession or None
    radio : ipywidgets.RadioButtons (single-answer questions)
    checks : list of ipywidgets.Checkbox (multiple-answer questions)
    submit_button, next_button, retake_button, lang : the controls
    question, explanation, score : the HTML widgets shown
    """

    kind_class = "csat-quiz"

    def __init__(
        self,
        quiz: str | Path | Quiz,
        *,
        store=None,
        trainee: str | None = None,
        lang: str = "en",
    ) -> None:
        super().__init__(store=store, trainee=trainee, lang=lang)
        w = self._w
        self.quiz = _load_quiz(quiz)
        self.session: QuizSession | None = None
        self.index = 0
        self.progress = w.HTML()
        self.question = w.HTML()
        self.question.add_class("csat-question")
        self.radio = w.RadioButtons(options=[], value=None, layout=w.Layout(width="100%"))
        self.checks: list = []
        self.options_box = w.VBox(layout=w.Layout(width="100%"))
        self.options_box.add_class("csat-quiz-options")
        self.submit_button = w.Button(button_style="primary")
        self.submit_button.add_class("csat-submit")
        self.submit_button.on_click(self._submit)
        self.next_button = w.Button(button_style="info")
        self.next_button.add_class("csat-next")
        self.next_button.on_click(self._next)
        self.retake_button = w.Button(button_style="info", icon="repeat")
        self.retake_button.add_class("csat-retake")
        self.retake_button.on_click(lambda _b: self.retake())
        self.explanation = w.HTML()
        self.explanation.add_class("csat-explanation")
        self.score = w.HTML()
        self.score.add_class("csat-score")
        self.body = w.VBox(
            [
                w.HTML(),  # title, set in render
                self.progress,
                self.question,
                self.options_box,
                w.HBox([self.submit_button, self.next_button]),
                self.explanation,
                self.score,
                self.retake_button,
            ],
            layout=w.Layout(width="100%"),
        )
        self._title = self.body.children[0]
        self._open()

    def _entry_view(self) -> list:
        return [self._title, self.entry]

    def _begin(self) -> None:
        self.session = QuizSession(
            self.quiz,
            store=self.store if self.trainee_id is not None else None,
            trainee_id=self.trainee_id,
            lang=self.language,
        )
        self.index = 0
        self.main.children = [self.body]
        self._build_options()

    @property
    def current(self) -> quiz_mod.Question | None:
        if self.session is None or self.index >= len(self.quiz.questions):
            return None
        return self.quiz.questions[self.index]

    @property
    def answered(self) -> bool:
        q = self.current
        return q is not None and q.id in self.session.answers

    def _build_options(self) -> None:
        """New inputs for the current question (radio buttons or tick boxes)."""
        w = self._w
        q = self.current
        if q is None:
            self.options_box.children = []
            return
        if q.kind == "single":
            self.radio.options = [(o.text(self.language), o.id) for o in q.options]
            self.radio.value = None
            self.radio.disabled = False
            self.checks = []
            self.options_box.children = [self.radio]
        else:
            self.checks = [
                w.Checkbox(value=False, indent=False, layout=w.Layout(width="100%"))
                for _ in q.options
            ]
            for box, option in zip(self.checks, q.options, strict=True):
                box.add_class(f"csat-option-{option.id}")
            self.options_box.children = self.checks

    def select(self, option_ids: str | list[str]) -> None:
        """Choose answers for the current question, as a trainee would by clicking."""
        q = self.current
        ids = [option_ids] if isinstance(option_ids, str) else list(option_ids)
        if q.kind == "single":
            self.radio.value = ids[0] if ids else None
        else:
            for box, option in zip(self.checks, q.options, strict=True):
                box.value = option.id in ids

    def chosen(self) -> list[str]:
        q = self.current
        if q is None:
            return []
        if q.kind == "single":
            return [] if self.radio.value is None else [self.radio.value]
        return [o.id for box, o in zip(self.checks, q.options, strict=True) if box.value]

    def _submit(self, _button=None) -> None:
        q = self.current
        if q is None or self.answered:
            return
        chosen = self.chosen()
        lang = self.language
        if not chosen:
            self.message.value = _warn(_t(lang, "pick_one" if q.kind == "single" else "pick_some"))
            return
        try:
            self.session.answer(q.id, chosen)
        except Exception as err:  # a store that cannot write must not freeze the quiz
            self.message.value = _warn(_t(lang, "not_saved", error=err))
            return
        self.message.value = ""
        self.render()

    def _next(self, _button=None) -> None:
        if not self.answered:
            return
        self.index += 1
        self._build_options()
        self.render()

    def retake(self) -> None:
        """Start the quiz again (a new attempt in the store)."""
        self._begin()
        self.render()

    def render(self) -> None:
        lang = self.language
        self._render_entry()
        self.submit_button.description = _t(lang, "submit")
        self.retake_button.description = _t(lang, "retake")
        self._title.value = f"<h3 style='margin:4px 0'>{_e(self.quiz.title(lang))}</h3>"
        if self.session is None:
            return
        self._greet()
        n = len(self.quiz.questions)
        q = self.current
        done = q is None
        self.retake_button.layout.display = "" if done else "none"
        if done:
            self.progress.value = ""
            self.question.value = ""
            self.explanation.value = ""
            self.submit_button.layout.display = "none"
            self.next_button.layout.display = "none"
            self.score.value = self._score_html(lang)
            return
        self.score.value = ""
        self.progress.value = (
            f"<span style='color:#555'>{_e(_t(lang, 'question_of', i=self.index + 1, n=n))}</span>"
        )
        hint = "" if q.kind == "single" else f"<div style='color:#555'>{_e(_t(lang, 'tick_all'))}"
        hint += "</div>" if hint else ""
        self.question.value = (
            f"<p style='font-size:17px;margin:4px 0'>{_e(q.prompt(lang))}</p>{hint}"
        )
        if q.kind == "single":
            keep = self.radio.value
            self.radio.options = [(o.text(lang), o.id) for o in q.options]
            self.radio.value = keep
        else:
            for box, option in zip(self.checks, q.options, strict=True):
                box.description = option.text(lang)
        answered = self.answered
        self.radio.disabled = answered
        for box in self.checks:
            box.disabled = answered
        self.submit_button.layout.display = "none" if answered else ""
        self.next_button.layout.display = "" if answered else "none"
        self.next_button.description = _t(lang, "see_score" if self.index + 1 == n else "next")
        self.explanation.value = self._explanation_html(q, lang) if answered else ""

    def _explanation_html(self, q: quiz_mod.Question, lang: str) -> str:
        a = self.session.answers[q.id]
        if a.correct:
            verdict = f"<b style='color:#1a9850'>{_e(_t(lang, 'correct'))}</b>"
        else:
            sep = "；" if lang == "zh" else "; "
            right = sep.join(o.text(lang) for o in q.options if o.correct)
            verdict = f"<b style='color:#d73027'>{_e(_t(lang, 'wrong', answer=right))}</b>"
        # Every option marked: green ✓ for a right one, red ✗ for a wrong one the trainee ticked.
        marks = []
        for o in q.options:
            if o.correct:
                mark, colour = "✓", "#1a9850"
            elif o.id in a.chosen:
                mark, colour = "✗", "#d73027"
            else:
                mark, colour = "·", "#888"
            marks.append(
                f"<li style='color:{colour};list-style:none'>{mark} {_e(o.text(lang))}</li>"
            )
        return (
            f"<div class='csat-explanation-box' style='border-left:4px solid #4393c3;"
            f"background:#f4f8fb;padding:8px 12px;margin:6px 0'>{verdict}"
            f"<ul style='margin:4px 0;padding-left:4px'>{''.join(marks)}</ul>"
            f"<p style='margin:4px 0 0'>{_e(q.explanation(lang))}</p></div>"
        )

    def _score_html(self, lang: str) -> str:
        s = self.session
        n = len(self.quiz.questions)
        right = sum(a.correct for a in s.answers.values())
        colour = "#1a9850" if s.passed else "#d73027"
        badge = _t(lang, "passed" if s.passed else "not_passed")
        items = "".join(
            f"<li style='color:{'#1a9850' if s.answers[q.id].correct else '#d73027'}'>"
            f"{'✓' if s.answers[q.id].correct else '✗'} {_e(q.prompt(lang))}</li>"
            for q in self.quiz.questions
        )
        return (
            f"<div style='border:2px solid {colour};border-radius:10px;padding:12px 16px'>"
            f"<div style='font-size:22px'>"
            f"{_e(_t(lang, 'quiz_score', score=s.score(), right=right, n=n))} "
            f"<span style='color:{colour};font-weight:bold'>{_e(badge)}</span> "
            f"<span style='font-size:14px;color:#555'>"
            f"{_e(_paren(_t(lang, 'pass_mark', t=self.quiz.pass_threshold) + '%', lang))}"
            "</span></div>"
            f"<ul style='margin:8px 0 0;padding-left:20px'>{items}</ul></div>"
        )

    def __repr__(self) -> str:
        return (
            f"QuizWidget({self.quiz.id!r}, question {self.index + 1} of {len(self.quiz.questions)})"
        )


class ObserverSheet:
    """The observer's scoresheet for a live pair role-play: the six rubric dimensions rated 1–5,
    each with what to look for, and a comment; saved to the store.

    Parameters
    ----------
    store : exercises.store.Store
    scenario : str or Scenario, optional
        The scenario played (preselected); the observer can pick another or "free role-play".
    lang : {"en", "zh"}

    Attributes
    ----------
    trainee, observer : ipywidgets.Combobox / Text — the names
    scenario : ipywidgets.Dropdown
    ratings : dict of dimension key -> ipywidgets.ToggleButtons (value None until rated)
    comment : ipywidgets.Textarea
    save_button, lang : the controls; message : the confirmation or what is missing
    """

    FREE = "free-role-play"

    def __init__(self, store, *, scenario: str | Scenario | None = None, lang: str = "en"):
        import ipywidgets as w

        if lang not in UI:
            raise ValueError(f"lang must be one of {sorted(UI)}, got {lang!r}")
        self.store = store
        self._scenarios = {sid: scenario_mod.load(sid) for sid in scenario_mod.library()}
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
            layout=w.Layout(width="420px"),
        )
        self.trainee.add_class("csat-trainee")
        self.observer = w.Text(style=wide, layout=w.Layout(width="420px"))
        self.observer.add_class("csat-observer-name")
        self.scenario = w.Dropdown(style=wide, layout=w.Layout(width="620px"))
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
            hint = w.HTML(layout=w.Layout(width="380px"))
            self.ratings[key] = toggle
            self.hints[key] = hint
            rows.append(w.HBox([hint, toggle], layout=w.Layout(align_items="center")))
        self.comment = w.Textarea(layout=w.Layout(width="620px", height="90px"), style=wide)
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
        self.scale.value = f"<p style='color:#555;margin:6px 0'>{_e(_t(lang, 'scale'))}</p>"
        keep = self.scenario.value
        self.scenario.options = [
            *((sc.title(lang), sid) for sid, sc in self._scenarios.items()),
            (_t(lang, "free"), self.FREE),
        ]
        self.scenario.value = keep if keep is not None else self.scenario.options[0][1]
        for key, dim in rubric.DIMENSIONS.items():
            looks_for = dim.looks_for_zh if lang == "zh" else dim.looks_for_en
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
            self.message.value = _warn(_t(lang, "not_saved", error=err))
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


class Hub:
    """One page for a workshop: the trainee types a name, picks a role-play, a quiz or the
    observer's sheet, and it opens below.

    Attributes
    ----------
    name : ipywidgets.Text ; picker : ipywidgets.Dropdown ; open_button : ipywidgets.Button
    current : RolePlay, QuizWidget, ObserverSheet or None — what is open
    """

    def __init__(self, store, *, lang: str = "en", seed: int = 1) -> None:
        import ipywidgets as w

        if lang not in UI:
            raise ValueError(f"lang must be one of {sorted(UI)}, got {lang!r}")
        self.store = store
        self.seed = seed
        self.current: RolePlay | QuizWidget | ObserverSheet | None = None
        self.lang = w.ToggleButtons(options=LANGS, value=lang, style={"button_width": "80px"})
        self.lang.add_class("csat-lang")
        # max_width and a wrapping row: on a phone-sized screen the controls shrink and stack.
        self.name = w.Text(
            layout=w.Layout(width="360px", max_width="100%"), style={"description_width": "110px"}
        )
        self.name.add_class("csat-name")
        self.picker = w.Dropdown(
            layout=w.Layout(width="620px", max_width="100%"), style={"description_width": "110px"}
        )
        self.picker.add_class("csat-picker")
        self.open_button = w.Button(button_style="primary", icon="play")
        self.open_button.add_class("csat-open")
        self.open_button.on_click(self._open)
        self.message = w.HTML()
        self.message.add_class("csat-message")
        self.body = w.VBox()
        self.widget = w.VBox(
            [
                w.HTML(CSS),
                self.lang,
                self.name,
                w.HBox([self.picker, self.open_button], layout=w.Layout(flex_flow="row wrap")),
                self.message,
                self.body,
            ]
        )
        self.widget.add_class("csat-root")
        self.widget.add_class("csat-hub")
        self.lang.observe(lambda _change: self._language_changed(), names="value")
        self.render()

    def _language_changed(self) -> None:
        self.render()
        if self.current is not None:
            self.current.lang.value = self.language

    def render(self) -> None:
        lang = self.language
        self.name.description = _t(lang, "name")
        self.name.placeholder = _t(lang, "name_hint")
        self.picker.description = _t(lang, "exercise")
        self.open_button.description = _t(lang, "open")
        keep = self.picker.value
        # A file with problems is left out (the trainer sees it in `python -m csat exercises
        # validate`); one broken file must not take the whole room's hub down.
        options, self.skipped = [], []
        colon = _colon(lang)
        for sid in scenario_mod.library():
            try:
                title = scenario_mod.load(sid).title(lang)
            except scenario_mod.ScenarioError:
                self.skipped.append(sid)
                continue
            options.append((f"{_t(lang, 'roleplay_label')}{colon}{title}", f"scenario:{sid}"))
        for qid in quiz_mod.library():
            try:
                title = quiz_mod.load(qid).title(lang)
            except quiz_mod.QuizError:
                self.skipped.append(qid)
                continue
            options.append((f"{_t(lang, 'quiz_label')}{colon}{title}", f"quiz:{qid}"))
        options.append((_t(lang, "observer_label"), "observer:"))
        self.picker.options = options
        # A new language relabels the same exercises; on first render, offer the first one.
        self.picker.value = keep if keep is not None else options[0][1]

    @property
    def language(self) -> str:
        return self.lang.value

    def _open(self, _button=None) -> None:
        lang = self.language
        kind, _, ref = self.picker.value.partition(":")
        name = " ".join(self.name.value.split())
        if kind != "observer" and not name:
            self.message.value = _warn(_t(lang, "need_name"))
            return
        if len(name) > MAX_NAME:
            self.message.value = _warn(_t(lang, "name_too_long", n=MAX_NAME))
            return
        self.message.value = ""
        makers: dict[str, Callable[[], Any]] = {
            "scenario": lambda: RolePlay(
                ref, store=self.store, trainee=name, lang=lang, seed=self.seed
            ),
            "quiz": lambda: QuizWidget(ref, store=self.store, trainee=name, lang=lang),
            "observer": lambda: ObserverSheet(self.store, lang=lang),
        }
        self.current = makers[kind]()
        if kind == "observer" and name:
            self.current.observer.value = name  # the person at this screen is the observer
        # One language switch for the page: the hub's drives the open exercise.
        self.current.lang.layout.display = "none"
        self.body.children = [self.current.widget]

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
