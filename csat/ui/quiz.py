"""The quiz widget: a knowledge check one question at a time, with explanations and a score."""

from __future__ import annotations

from pathlib import Path

from csat.exercises import quiz as quiz_mod
from csat.exercises.quiz import Quiz, QuizSession
from csat.ui.common import (
    _cleared,
    _e,
    _Exercise,
    _load_quiz,
    _not_saved,
    _paren,
    _t,
    _warn,
)


class QuizWidget(_Exercise):
    """A knowledge check, one question at a time: radio buttons for single-answer questions,
    tick boxes for multiple-answer ones, the explanation after each answer, the score at the end.

    Parameters
    ----------
    quiz : str, Path or Quiz
        A quiz id (``"servqual-quiz"``), a YAML path, or a loaded quiz.
    store, trainee, lang : as for :class:`RolePlay`. With a store, an unfinished attempt comes
        back at the first question not yet answered, its options in the attempt's order.

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
        self.resumed = False
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

    def _begin(self, *, resume: bool = True) -> None:
        saving = self.store is not None and self.trainee_id is not None
        session = None
        if saving and resume:
            # A reload comes back to the question the trainee was on, options in their order.
            session = QuizSession.resume(self.quiz, self.store, self.trainee_id)
        self.resumed = session is not None and bool(session.answers)
        self.session = session or QuizSession(
            self.quiz,
            store=self.store if saving else None,
            trainee_id=self.trainee_id,
            lang=self.language,
        )
        nxt = self.session.next_question
        self.index = len(self.quiz.questions) if nxt is None else self.quiz.questions.index(nxt)
        self.main.children = [self.body]
        self._build_options()

    def _options(self, q: quiz_mod.Question) -> list[quiz_mod.Option]:
        return self.session.options(q)

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
            self.radio.options = [(o.text(self.language), o.id) for o in self._options(q)]
            self.radio.value = None
            self.radio.disabled = False
            self.checks = []
            self.options_box.children = [self.radio]
        else:
            self.checks = [
                w.Checkbox(value=False, indent=False, layout=w.Layout(width="100%"))
                for _ in q.options
            ]
            for box, option in zip(self.checks, self._options(q), strict=True):
                box.add_class(f"csat-option-{option.id}")
            self.options_box.children = self.checks

    def select(self, option_ids: str | list[str]) -> None:
        """Choose answers for the current question, as a trainee would by clicking."""
        q = self.current
        ids = [option_ids] if isinstance(option_ids, str) else list(option_ids)
        if q.kind == "single":
            self.radio.value = ids[0] if ids else None
        else:
            for box, option in zip(self.checks, self._options(q), strict=True):
                box.value = option.id in ids

    def chosen(self) -> list[str]:
        q = self.current
        if q is None:
            return []
        if q.kind == "single":
            return [] if self.radio.value is None else [self.radio.value]
        return [o.id for box, o in zip(self.checks, self._options(q), strict=True) if box.value]

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
            if not _cleared(self, err):
                self.message.value = _not_saved(lang, err, "a quiz answer")
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
        self._begin(resume=False)
        self.render()

    def render(self) -> None:
        lang = self.language
        self._render_entry()
        self.submit_button.description = _t(lang, "submit")
        self.retake_button.description = _t(lang, "retake")
        self._title.value = f"<h3 style='margin:4px 0'>{_e(self.quiz.title(lang))}</h3>"
        if self.session is None:
            return
        self._greet(self.resumed and not self.session.finished)
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
            self.radio.options = [(o.text(lang), o.id) for o in self._options(q)]
            self.radio.value = keep
        else:
            for box, option in zip(self.checks, self._options(q), strict=True):
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
            right = _t(lang, "answer_separator").join(o.text(lang) for o in q.options if o.correct)
            verdict = f"<b style='color:#d73027'>{_e(_t(lang, 'wrong', answer=right))}</b>"
        # Every option marked: green ✓ for a right one, red ✗ for a wrong one the trainee ticked.
        marks = []
        for o in self._options(q):
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
