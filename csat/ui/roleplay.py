"""The role-play widget: a scenario played as a chat, with mood, feedback and a scorecard.

>>> rp = RolePlay("hotpot-queue", seed=1)
>>> rp.session.node, len(rp.buttons)
('at-the-stand', 4)
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from csat.exercises import rubric
from csat.exercises.engine import Session, Step, model_answer
from csat.exercises.scenario import Choice, Scenario
from csat.ui.common import (
    OUTCOME_COLOURS,
    _bar,
    _bubble,
    _cleared,
    _colon,
    _e,
    _Exercise,
    _load_scenario,
    _not_saved,
    _paren,
    _points_text,
    _t,
    mood_html,
)


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
    lang : a code of :data:`csat.i18n.LANGUAGES`
        Language shown first; the switch at the top changes it at any time.
    seed : int, optional
        Order the replies are shown in (the same seed shows the same order). By default each
        attempt draws its own, kept with the attempt, so trainees side by side see different
        orders and a resumed attempt shows the one it had.

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
        seed: int | None = None,
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
        # Two sets of reply buttons, one per step in turn: a second click of a double-click
        # reaches the kernel from the step's old buttons, after the next step is drawn on the
        # other set, and is ignored instead of answering a line the trainee has not read.
        self._pools = [
            [w.Button(layout=w.Layout(width="100%", height="auto")) for _ in range(4)]
            for _ in range(2)
        ]
        for p, pool in enumerate(self._pools):
            for i, b in enumerate(pool):
                b.add_class("csat-choice")
                b.on_click(partial(self._clicked, p, i))
        self._turn = 0  # the set on screen
        self._at: str | None = None  # the node the buttons on screen answer
        self._taken = False  # a reply was taken at _at: further clicks wait for the next step
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
    def _pool(self) -> list:
        return self._pools[self._turn]

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

    def _clicked(self, pool: int, index: int, _button=None) -> None:
        s = self.session
        if s is None or s.finished or index >= len(self._shown):
            return
        node = self._at
        if pool != self._turn or self._taken or node != s.node:
            return  # a click on the buttons of a step already answered
        self._taken = True
        for b in self._pool:
            b.disabled = True
        try:
            s.choose(self._shown[index].id, at=node)
        except Exception as err:  # a store that cannot write must not freeze the exercise
            self._taken = False
            for b in self._pool:
                b.disabled = False
            if not _cleared(self, err):
                self.message.value = _not_saved(self.language, err, "a role-play reply")
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
        here = None if s.finished else s.node
        if here != self._at or (here is not None and self._taken):
            # A new step (or a new attempt at the same one) gets the other set of buttons.
            self._turn, self._at, self._taken = 1 - self._turn, here, False
        for button, choice in zip(self._pool, self._shown, strict=False):
            button.disabled = False
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
        # No celebration above a fail: a good ending reached with a failing score is shown in
        # grey and says why; a pass that lost the customer says so too.
        why = ""
        if end.outcome == "stays" and not score.passed:
            outcome_colour = "#777"
            why = _t(lang, "ending_not_passed", score=score.total, threshold=score.threshold)
        elif end.outcome != "stays" and score.passed:
            why = _t(lang, "passed_but_lost", score=score.total)
        why_html = (
            f"<p class='csat-ending-why' style='margin:6px 0 0;font-weight:bold'>{_e(why)}</p>"
            if why
            else ""
        )
        rows = []
        for key, value in score.dimensions.items():
            name = _e(rubric.name(key, lang))
            if value is None:
                rows.append(
                    f"<tr><td style='padding:2px 12px 2px 0;white-space:nowrap'>{name}</td>"
                    f"<td colspan='2' style='color:#888'>{_e(_t(lang, 'not_assessed'))}</td></tr>"
                )
                continue
            colour = "#1a9850" if value >= sc.pass_threshold else "#d73027"
            rows.append(
                f"<tr><td style='padding:2px 12px 2px 0;white-space:nowrap'>{name}</td>"
                # The bar takes what the name leaves: 260 px on a laptop, less on a phone.
                f"<td style='width:260px;max-width:45vw'>{_bar(value, colour)}</td>"
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
            f"<p style='margin:0'>{_e(end.debrief(lang))}</p>{why_html}{best_note}</div>"
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
            f"<tr style='text-align:left'>"
            f"<th style='white-space:nowrap'>{_e(_t(lang, 'step'))}</th>"
            f"<th style='padding:0 8px'>{_e(_t(lang, 'your_reply'))}</th>"
            f"<th style='padding-left:8px'>{_e(_t(lang, 'model_answer'))}</th></tr>"
            f"{''.join(path_rows)}</table></div>"
        )

    def __repr__(self) -> str:
        return f"RolePlay({self.scenario.id!r}, {self.session!r})"
