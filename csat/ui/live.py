"""The trainer's live view: the room's results so far, refreshed on demand during a debrief.

It reads the store (never writes), so it can run beside thirty trainees who are still playing:
scores so far (one row per trainee, one column per exercise), and for a chosen scenario how the
room chose at each decision point, as a table and a figure, in any language of the catalogues.

Each decision point is labelled with what the customer says there — the line trainees saw in
their chat — and with the step number their scorecards gave it ("seen as step 2"): a node can
be step 2 on one trainee's path and step 3 on another's, so no single number would match.

The trainer code: when ``CSAT_TRAINER_CODE`` is set (``make app`` sets it and prints it), the
view first shows only a code box, and reads no results from the store until the right code is
typed — nothing about the room reaches a trainee's browser who opens the page. The code is
checked here in the kernel, whatever the page sends, and wrong codes are counted in the store
for the whole room (:mod:`csat.exercises.gate`): after :data:`MAX_TRIES` in a row the box is
locked for a while in every kernel, and the trainer's terminal says so. Without a code (a
trainer running the notebook on their own laptop) the view opens directly.

>>> from csat.exercises.store import Store
>>> view = TrainerView(Store("sqlite://"), code=None)
>>> "No results yet" in view.scores.value
True
"""

from __future__ import annotations

import hmac  # noqa: F401 — the code is compared by csat.exercises.gate.code_matches
import html
import io
import logging
import math
import os
import re
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from csat import i18n
from csat.exercises import report
from csat.exercises import scenario as scenario_mod
from csat.exercises.engine import DEFAULT_POLICY, POLICIES
from csat.exercises.gate import FREE_TRIES, CodeGate, code_matches
from csat.exercises.scenario import Scenario
from csat.exercises.store import StoreError
from csat.i18n import Namespace
from csat.lessons import results, style
from csat.ui.widgets import FONT_STACK, LANGS

CODE_ENV = "CSAT_TRAINER_CODE"
"""The environment variable holding the trainer code (Voilà's kernels inherit it)."""

MAX_TRIES = FREE_TRIES + 1
"""Wrong codes in a row, in the whole room, that lock the box (for longer after each further
one: :func:`csat.exercises.gate.lock_seconds`)."""

log = logging.getLogger(__name__)

TEXT = Namespace("live")
"""The view's words and widths in every language, the names of the attempt policies among
them (``TEXT[lang]["policies"]``)."""

GATE = {
    part: " · ".join(TEXT[lang][f"gate_{part}"] for lang in i18n.LANGUAGES)
    for part in ("prompt", "hint", "open", "wrong")
}
"""The code gate's words: shown before anyone has chosen a language, so in every language."""
CSS = f"""<style>
.csat-live {{ font-family: {FONT_STACK}; }}
.csat-live .widget-html-content {{ font-family: {FONT_STACK}; }}
</style>"""

_STAGE = re.compile(r"^\s*([(（][^)）]*[)）])\s*")


class _FromEnvironment:
    def __repr__(self) -> str:
        return f"${CODE_ENV}"


FROM_ENVIRONMENT: Any = _FromEnvironment()
"""The default ``code``: whatever ``CSAT_TRAINER_CODE`` holds (unset or blank: no code)."""


def configured_code() -> str | None:
    """The trainer code from the environment, or None when none is set."""
    code = os.environ.get(CODE_ENV, "").strip()
    return code or None


def gate_text(part: str, **values: Any) -> str:
    """One of the code gate's messages, in every language."""
    return " · ".join(TEXT[lang][f"gate_{part}"].format(**values) for lang in i18n.LANGUAGES)


__all__ = ["TrainerView", "code_matches", "configured_code", "decision_points"]


# --------------------------------------------------------------------------------------------
# Decision points


def _split_line(line: str) -> tuple[str, str]:
    """A customer's line as (stage direction, what is said); either may be empty."""
    m = _STAGE.match(line)
    if not m or not line[m.end() :].strip():
        return "", line.strip()
    return m.group(1), line[m.end() :].strip()


def decision_points(store, scenario: str | Scenario, *, lang: str = "en") -> list[dict]:
    """The decision points somebody has reached, in :func:`csat.exercises.report.node_order`, each
    a dict: ``node``, ``line`` (the customer's whole line in ``lang``), ``stage`` and ``said`` (the
    line split into its stage direction and what is said), ``steps`` (the step numbers
    trainees' scorecards gave it, sorted), ``n`` (decisions made there), ``best`` (on the best
    path) and ``replies`` (its rows of :func:`csat.exercises.report.choice_distribution`)."""
    sc = scenario if isinstance(scenario, Scenario) else scenario_mod.load(scenario)
    dist = report.choice_distribution(store, sc, lang=lang)
    made = store.decisions_frame(exercise_id=sc.id)
    made = made[(made["kind"] == "scenario") & (made["exercise_version"] == sc.version)]
    # The scorecard numbers a trainee's replies 1, 2, … along their path: seq + 1.
    seen = {node: sorted({int(s) + 1 for s in g}) for node, g in made.groupby("node")["seq"]}
    on_best = {node for node, _ in sc.best_path()}
    points = []
    for node in report.node_order(sc):
        replies = dist[dist["node"] == node]
        n = int(replies["n_node"].iloc[0]) if len(replies) else 0
        if n == 0:
            continue
        line = sc.nodes[node].customer(lang)
        stage, said = _split_line(line)
        points.append(
            {
                "node": node,
                "line": line,
                "stage": stage,
                "said": said,
                "steps": seen.get(node, []),
                "n": n,
                "best": node in on_best,
                "replies": replies,
            }
        )
    return points


def _steps_text(steps: list[int], lang: str) -> str:
    """The step numbers as a list of the language: ``2, 3 or 4`` (``2、3、4`` in Chinese)."""
    t = TEXT[lang]
    words = [str(s) for s in steps]
    if len(words) <= 1:
        return "".join(words)
    return t["step_separator"].join(words[:-1]) + t["step_last_separator"] + words[-1]


def _width(key: str, lang: str) -> int:
    """A width of :data:`TEXT` in ``lang``, in characters."""
    return int(TEXT[lang][key])


def _quoted(text: str) -> str:
    """The line in quotation marks unless it starts with one or quotes someone itself."""
    if text[:1] in "'\"“‘「" or "“" in text or "「" in text:
        return text
    return f"“{text}”"


# --------------------------------------------------------------------------------------------
# HTML


def scores_html(book: pd.DataFrame, lang: str = "en") -> str:
    """The gradebook as an HTML table with escaped names, exercises by their titles in
    ``lang`` (the id on hover); scores rounded to whole points."""
    t = TEXT[lang]
    exercises = [c for c in book.columns if c not in ("trainee_id", "attempts")]
    if book.empty or not exercises:
        return f"<p>{html.escape(t['empty'])}</p>"

    def title(e: str) -> str:
        item = report.exercise(e)
        return item.title(lang) if item is not None else e

    head = "".join(
        f"<th style='padding:4px 10px' title='{html.escape(e, quote=True)}'>"
        f"{html.escape(title(e))}</th>"
        for e in exercises
    )
    rows = []
    for name, row in book.iterrows():
        cells = "".join(
            "<td style='padding:4px 10px;text-align:right'>"
            + ("–" if pd.isna(row[e]) else f"{row[e]:.0f}")
            + "</td>"
            for e in exercises
        )
        rows.append(
            f"<tr><td style='padding:4px 10px'>{html.escape(str(name))}</td>{cells}"
            f"<td style='padding:4px 10px;text-align:right'>{int(row['attempts'])}</td></tr>"
        )
    return (
        "<table class='csat-live-scores' style='border-collapse:collapse;font-size:15px'>"
        f"<tr><th style='padding:4px 10px'>{html.escape(t['trainee'])}</th>{head}"
        f"<th style='padding:4px 10px'>{html.escape(t['attempts'])}</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def room_html(book: pd.DataFrame, lang: str = "en") -> str:
    """The room without names, safe to project: per exercise (by its title), how many finished
    it, the median score and the share at or above its pass mark."""
    t = TEXT[lang]
    exercises = [c for c in book.columns if c not in ("trainee_id", "attempts")]
    if book.empty or not exercises:
        return f"<p>{html.escape(t['empty'])}</p>"
    rows = []
    for e in exercises:
        scores = book[e].dropna()
        if scores.empty:
            continue
        item = report.exercise(e)
        title = item.title(lang) if item is not None else e
        mark = item.pass_threshold if item is not None else 60
        rows.append(
            f"<tr><td style='padding:4px 10px'>{html.escape(title)}</td>"
            f"<td style='padding:4px 10px;text-align:right'>{len(scores)}</td>"
            f"<td style='padding:4px 10px;text-align:right'>{scores.median():.0f}</td>"
            f"<td style='padding:4px 10px;text-align:right'>{(scores >= mark).mean():.0%}</td>"
            "</tr>"
        )
    head = "".join(
        f"<th style='padding:4px 10px'>{html.escape(t[k])}</th>"
        for k in ("room_exercise", "room_finished", "room_median", "room_passed")
    )
    return (
        "<table class='csat-live-room' style='border-collapse:collapse;font-size:15px'>"
        f"<tr>{head}</tr>" + "".join(rows) + "</table>"
    )


def choices_html(points: list[dict], lang: str = "en") -> str:
    """How the room chose: each decision point headed by the customer's line (shortened; the
    whole line on hover) and the step trainees saw it as, then its replies with their share."""
    t = TEXT[lang]
    if not points:
        return f"<p>{html.escape(t['no_choices'])}</p>"
    said_width, stage_width = _width("said_width", lang), _width("stage_width", lang)
    rows = []
    for p in points:
        facts = [t["decision"] if p["n"] == 1 else t["decisions"].format(n=p["n"])]
        if p["steps"]:
            facts.insert(0, t["seen"].format(steps=_steps_text(p["steps"], lang)))
        if p["best"]:
            facts.append(t["best_path"])
        stage = (
            f"<div style='color:#666;font-style:italic;font-size:13px'>"
            f"{html.escape(results.short(p['stage'], stage_width))}</div>"
            if p["stage"]
            else ""
        )
        rows.append(
            f"<tr class='csat-live-point' title='{html.escape(p['line'], quote=True)}'>"
            f"<td colspan='2' style='padding:12px 8px 4px;border-top:1px solid #ccc'>{stage}"
            f"<b>{html.escape(_quoted(results.short(p['said'], said_width)))}</b>"
            f"<div style='color:#555;font-size:12px'>{html.escape(' · '.join(facts))}</div>"
            "</td></tr>"
        )
        for _, r in p["replies"].iterrows():
            mark = f"<i>{html.escape(t['model_mark'])}</i>" if r["model"] else ""
            width = round(200 * float(r["share"]))
            bar = (
                f"<div style='display:inline-block;height:12px;width:{width}px;"
                f"background:{'#1a9850' if r['model'] else '#4575b4'}'></div>"
            )
            note = str(r.get("trainer_note", "") or "")
            note_html = (
                f"<div class='csat-live-note' style='color:#666;font-size:12px'>"
                f"{html.escape(note)}</div>"
                if note
                else ""
            )
            rows.append(
                f"<tr class='csat-live-reply'>"
                f"<td style='padding:3px 8px 3px 24px'>{html.escape(r['text'])}{mark}{note_html}"
                "</td>"
                f"<td style='padding:3px 8px;white-space:nowrap'>{bar} "
                f"{float(r['share']):.0%} ({int(r['count'])})</td></tr>"
            )
    return (
        "<table class='csat-live-choices' "
        "style='border-collapse:collapse;font-size:14px;max-width:1000px'>"
        f"<tr style='text-align:left'><th style='padding:3px 8px'>{html.escape(t['point'])}</th>"
        f"<th style='padding:3px 8px'>{html.escape(t['chosen'])}</th></tr>"
        + "".join(rows)
        + "</table>"
    )


# --------------------------------------------------------------------------------------------
# Figure


@style.lettered
def plot_points(store, scenario: str | Scenario, *, lang: str = "en", points=None):
    """The room's choices as one stacked bar per decision point, labelled like the table (the
    customer's line and the step trainees saw it as); the title names the decision point most
    often answered off the model. ``points``: :func:`decision_points` already read in
    ``lang``, to save reading the store again."""
    sc = scenario if isinstance(scenario, Scenario) else scenario_mod.load(scenario)
    figure_lang = style.figure_lang(lang)  # Chinese needs a CJK font, else English
    if points is None or figure_lang != lang:
        points = decision_points(store, sc, lang=figure_lang)
    lang = figure_lang
    rt, t = report.TEXT[lang], TEXT[lang]
    fig = results.blank(15, 2.4 + 1.05 * max(len(points), 1))
    ax = fig.subplots()
    if not points:
        return results.no_data(fig, ax, lang)
    ylabels = []
    worst = None  # (decisions off the model answer, their share, point)
    for y, p in enumerate(points):
        said = results.short(p["said"], _width("figure_said_width", lang))
        steps = _steps_text(p["steps"], lang) or "?"
        ylabels.append(f"{said}\n{t['figure_step'].format(steps=steps, n=p['n'])}")
        results.reply_bar(ax, y, p["replies"], lang)
        replies = p["replies"]
        missed = 1.0 - float(replies.loc[replies["model"], "share"].sum())
        if missed > 0 and (worst is None or (round(missed * p["n"]), missed) > worst[:2]):
            worst = (round(missed * p["n"]), missed, p)
    ax.set_yticks(range(len(points)), ylabels, fontsize=12)
    ax.invert_yaxis()  # the start at the top, like the conversation
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
    ax.set_xlabel(rt["share"])
    results.tidy_axes(ax)
    ax.tick_params(axis="y", labelsize=12)
    if worst is None:
        title = rt["choices_all_good"].format(n=sum(p["n"] for p in points))
    else:
        _, missed, p = worst
        off = p["replies"][~p["replies"]["model"]].sort_values("count", ascending=False)
        top = off.iloc[0]
        top_width = results.layout_width("top_width", lang)  # as the report's own figure titles
        title = t["figure_title"].format(
            line=results.short(p["said"].strip("'\"“”‘’"), top_width),
            share=missed,
            top=top["share"],
            label=results.short(top["text"], top_width),
        )
    sub = rt["choices_sub"].format(title=sc.title(lang), version=sc.version)
    results.heading(fig, ax, title, sub, lang)
    return fig


# --------------------------------------------------------------------------------------------
# The view


def _close(widget) -> None:
    """Close a widget and everything inside it."""
    for child in getattr(widget, "children", ()):
        _close(child)
    widget.close()


def _busiest(store) -> str | None:
    """The shipped scenario with the most decisions so far (what the room is playing)."""
    made = store.decisions_frame()
    if made.empty:
        return None
    made = made[made["kind"] == "scenario"]
    counts = made["exercise_id"].value_counts()
    shipped = [s for s in counts.index if s in scenario_mod.survey().good]
    return shipped[0] if shipped else None


class TrainerView:
    """Scores so far and the choice distribution for one scenario, with a Refresh button and
    a language switch, behind the trainer code when one is configured.

    Parameters
    ----------
    store : exercises.store.Store
    lang : a code of :data:`csat.i18n.LANGUAGES`
    policy : which attempt counts in the scores at first ("first", the default, as for an
        assessment; "best" for practice; "last"): the trainer changes it in the view
    code : the trainer code to ask for; by default ``$CSAT_TRAINER_CODE``; None opens directly
    clock : the time now, in seconds since the epoch, for the lock (tests pass their own)

    Attributes
    ----------
    unlocked : bool — whether the live view is showing
    code_box : ipywidgets.Password ; unlock_button : ipywidgets.Button ; gate_message :
    ipywidgets.HTML — the code gate (None once unlocked, or when no code is configured)
    lang : ipywidgets.ToggleButtons ; refresh_button ; scenario : ipywidgets.Dropdown ;
    status, scores, choices : ipywidgets.HTML ; figure : ipywidgets.Image — the live view
    (None until unlocked: nothing is read from the store before)
    """

    def __init__(
        self,
        store,
        *,
        lang: str = "en",
        policy: str = DEFAULT_POLICY,
        code: Any = FROM_ENVIRONMENT,
        clock: Callable[[], float] = time.time,
    ):
        import ipywidgets as w

        i18n.check(lang)
        self._w = w
        self.store, self.policy, self._start_lang = store, policy, lang
        self._code = configured_code() if code is FROM_ENVIRONMENT else (code or None)
        self.unlocked = False
        self._gate = CodeGate(store, self._code, clock=clock) if self._code else None
        self._last_wrong: str | None = None
        self._rendering = False
        self.lang = self.refresh_button = self.scenario = None
        self.status = self.scores = self.choices = self.figure = None
        self.scores_heading = self.choices_heading = None
        self.code_box = self.unlock_button = self.gate_message = None
        self.body = w.VBox()
        self.widget = w.VBox([w.HTML(CSS), self.body])
        self.widget.add_class("csat-live")
        if self._code is None:
            self._open()
        else:
            self._show_gate()

    # -- the code gate ---------------------------------------------------------------------
    def _show_gate(self) -> None:
        w = self._w
        self.code_box = w.Password(
            placeholder="······",
            continuous_update=False,  # sent on Enter or when the box loses focus
            layout=w.Layout(width="200px"),
        )
        self.code_box.add_class("csat-code")
        self.code_box.observe(lambda _c: self.check_code(), names="value")
        self.unlock_button = w.Button(description=GATE["open"], button_style="primary")
        self.unlock_button.add_class("csat-unlock")
        self.unlock_button.on_click(lambda _b: self.check_code())
        self.gate_message = w.HTML()
        self.gate_message.add_class("csat-code-message")
        gate = w.VBox(
            [
                w.HTML(f"<b>{html.escape(GATE['prompt'])}</b>"),
                w.HTML(f"<span style='color:#555'>{html.escape(GATE['hint'])}</span>"),
                w.HBox([self.code_box, self.unlock_button]),
                self.gate_message,
            ]
        )
        gate.add_class("csat-code-gate")
        self.body.children = [gate]
        try:
            wait = self._gate.wait()
        except StoreError as err:
            log.error("trainer page: cannot read the code lock: %s", err)
            wait = 0.0
        if wait > 0:  # locked by wrong codes from another page or kernel
            self._say("locked", seconds=math.ceil(wait))

    def _say(self, part: str, **values: Any) -> None:
        text = html.escape(gate_text(part, **values))
        self.gate_message.value = f"<span style='color:#b2182b'>{text}</span>"

    def check_code(self) -> bool:
        """Open the view if the code box holds the trainer code; otherwise say so.

        The check is here in the kernel, whatever the page sent (a box it was told to disable
        included), and counted in the store for the whole room: after :data:`MAX_TRIES` wrong
        codes in a row every answer, even the right one, is refused until the lock passes
        (:mod:`csat.exercises.gate`). The same wrong code twice (Enter, then Open) counts once.
        """
        if self.unlocked or self.code_box is None:
            return self.unlocked
        typed = self.code_box.value
        if not isinstance(typed, str) or not typed.strip():
            return False
        if typed == self._last_wrong:
            return False
        try:
            verdict = self._gate.answer(typed)
        except StoreError as err:
            log.error("trainer page: the code cannot be checked: %s", err)
            self._say("unreachable")
            return False
        if verdict.opened:
            gate = self.body.children[0]
            self._open()
            _close(gate)  # the code box and its messages leave the page
            self.code_box = self.unlock_button = self.gate_message = None
            return True
        if verdict.counted:
            self._last_wrong = typed  # looked at and wrong: the same again is no new try
        if verdict.locked:
            self._say("locked", seconds=math.ceil(verdict.wait))
        else:
            self._say("wrong")
        return False

    # -- the live view ---------------------------------------------------------------------
    def _open(self) -> None:
        w = self._w
        self.unlocked = True
        self.lang = w.ToggleButtons(
            options=LANGS,
            value=self._start_lang,
            style={"button_width": "80px"},
            tooltips=[name for name, _code in LANGS],
        )
        self.lang.add_class("csat-lang")
        self.lang.observe(lambda _c: self.render(), names="value")
        self.refresh_button = w.Button(icon="refresh")
        self.refresh_button.add_class("csat-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        # Names only when the trainer asks: the view is made to be projected.
        self.show_names = w.ToggleButton(value=False, icon="user")
        self.show_names.add_class("csat-live-names")
        self.show_names.observe(lambda _c: self.refresh(), names="value")
        self.policy_choice = w.Dropdown(value=None, layout=w.Layout(width="320px"))
        self.policy_choice.add_class("csat-live-policy")
        self.scenario = w.Dropdown(layout=w.Layout(width="640px"))
        self.scenario.add_class("csat-live-scenario")
        self.status = w.HTML()
        self.status.add_class("csat-live-status")
        self.scores_heading = w.HTML()
        self.scores = w.HTML()
        self.scores.add_class("csat-live-scores-box")
        self.choices_heading = w.HTML()
        self.choices = w.HTML()
        self.choices.add_class("csat-live-choices-box")
        self.figure = w.Image(format="png", layout=w.Layout(max_width="1000px"))
        self.body.children = [
            w.HBox([self.lang, self.refresh_button, self.status]),
            self.scores_heading,
            w.HBox([self.policy_choice, self.show_names], layout=w.Layout(flex_flow="row wrap")),
            self.scores,
            self.choices_heading,
            self.scenario,
            self.choices,
            self.figure,
        ]
        try:
            busiest = _busiest(self.store)
        except StoreError:
            busiest = None  # refresh() below says so
        self._label(initial=busiest or next(iter(scenario_mod.survey().good), None))
        self.scenario.observe(lambda _c: self._rendering or self.refresh(), names="value")
        self.policy_choice.observe(self._policy_changed, names="value")
        self.refresh()

    def _policy_changed(self, change) -> None:
        if self._rendering or change["new"] is None:
            return
        self.policy = change["new"]
        self._label()
        self.refresh()

    @property
    def language(self) -> str:
        return self.lang.value if self.lang is not None else self._start_lang

    def _label(self, initial: str | None = None) -> None:
        """Put every fixed label in the current language."""
        lang = self.language
        t = TEXT[lang]
        self.refresh_button.description = t["refresh"]
        policy_name = t["policies"].get(self.policy, self.policy)
        self.scores_heading.value = (
            f"<h3>{html.escape(t['scores'].format(policy=policy_name))}</h3>"
        )
        library = scenario_mod.survey()  # a file with problems is left out, and named
        self.choices_heading.value = f"<h3>{html.escape(t['choices'])}</h3>" + "".join(
            f"<div class='csat-live-left-out' style='color:#b2182b;font-size:13px'>"
            f"{html.escape(line)}</div>"
            for line in library.left_out(lang)
        )
        keep = initial or self.scenario.value
        self._rendering = True  # relabelling the options must not refresh twice
        try:
            self.show_names.description = t["show_names"]
            self.policy_choice.description = t["policy_choice"]
            self.policy_choice.options = [(t["policy_options"][p], p) for p in POLICIES]
            self.policy_choice.value = self.policy
            self.scenario.description = t["scenario"]
            self.scenario.options = [(sc.title(lang), s) for s, sc in library.good.items()]
            self.scenario.value = keep
        finally:
            self._rendering = False

    def render(self) -> None:
        """Redraw in the language now chosen (reads the store again)."""
        if not self.unlocked:
            return
        self._label()
        self.refresh()

    def refresh(self) -> None:
        """Read the store again and redraw everything."""
        if not self.unlocked:
            return
        try:
            self._refresh()
        except StoreError as err:
            log.error("trainer page: cannot read the results: %s", err)
            text = TEXT[self.language]["unreachable"]
            self.status.value = f"<span style='color:#b2182b'>{html.escape(text)}</span>"

    def _refresh(self) -> None:
        lang = self.language
        book = report.gradebook(self.store, policy=self.policy)
        shown = scores_html if self.show_names.value else room_html
        self.scores.value = shown(book, lang)
        finished = int(book["attempts"].sum()) if not book.empty else 0
        self.status.value = html.escape(TEXT[lang]["updated"].format(n=len(book), a=finished))
        points = decision_points(self.store, self.scenario.value, lang=lang)
        self.choices.value = choices_html(points, lang)
        if points:
            fig = plot_points(self.store, self.scenario.value, lang=lang, points=points)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
            self.figure.value = buf.getvalue()
            self.figure.layout.display = None
        else:
            self.figure.value = b""
            self.figure.layout.display = "none"  # no broken-image icon while empty

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
