"""What trainees and observers click: the role-play, the quiz, the observer's sheet and the hub
(:mod:`csat.ui.hub`).

Each widget is a plain object holding its ipywidgets as attributes (so tests and browser tests
can drive them: ``rp.buttons[0].click()``, ``rp.lang.value = "zh"``) and shows itself through
``.widget``. Every update sets an ``HTML`` widget's ``.value`` or a box's ``.children`` — never
``with out:``, ``interact`` or ``clear_output`` — so a notebook that shows one still passes
nbval. Every text a trainee typed or a scenario supplies is escaped with :func:`html.escape`.

Stable CSS classes for browser tests: ``csat-roleplay``, ``csat-chat``, ``csat-mood``,
``csat-choice`` (plus ``csat-choice-<choice id>``), ``csat-feedback``, ``csat-scorecard``,
``csat-replay``, ``csat-lang``, ``csat-name``, ``csat-start``, ``csat-message``; ``csat-quiz``,
``csat-quiz-options``, ``csat-submit``, ``csat-next``, ``csat-explanation``, ``csat-score``;
``csat-observer``, ``csat-rating-<dimension>``, ``csat-save``; ``csat-hub``, ``csat-picker``,
``csat-open``, ``csat-not-you``, ``csat-agenda-problem``.

>>> rp = RolePlay("hotpot-queue", seed=1)
>>> rp.session.node, len(rp.buttons)
('at-the-stand', 4)
>>> for node, choice in rp.scenario.best_path():
...     rp.button_for(choice).click()
>>> rp.session.finished, "100/100" in rp.scorecard.value
(True, True)
"""

from __future__ import annotations

from csat.exercises.engine import model_answer
from csat.ui.common import (
    CSS,
    FONT_STACK,
    LANGS,
    MAX_NAME,
    MOOD_COLOURS,
    MOOD_WORDS,
    OUTCOME_COLOURS,
    SCALE_WORDS,
    mood_html,
)
from csat.ui.hub import Hub
from csat.ui.observer import ObserverSheet
from csat.ui.quiz import QuizWidget
from csat.ui.roleplay import RolePlay

__all__ = [
    "CSS",
    "FONT_STACK",
    "LANGS",
    "MAX_NAME",
    "MOOD_COLOURS",
    "MOOD_WORDS",
    "OUTCOME_COLOURS",
    "SCALE_WORDS",
    "Hub",
    "ObserverSheet",
    "QuizWidget",
    "RolePlay",
    "model_answer",
    "mood_html",
]
