"""The trainer's live view: the room's results so far, refreshed on demand during a debrief.

It reads the store (never writes), so it can run beside thirty trainees who are still playing:
scores so far (one row per trainee, one column per exercise), and for a chosen scenario how the
room chose at each decision point, as a table and a figure.

>>> from exercises.store import Store
>>> view = TrainerView(Store("sqlite://"))
>>> "No results yet" in view.scores.value
True
"""

from __future__ import annotations

import html
import io
from typing import Any

import pandas as pd

from exercises import report
from exercises import scenario as scenario_mod

TEXT = {
    "en": {
        "refresh": "Refresh",
        "scenario": "Scenario",
        "scores": "Scores so far ({policy} attempt counts)",
        "choices": "How the room chose",
        "empty": "No results yet: nobody has finished an exercise.",
        "no_choices": "Nobody has played this scenario yet.",
        "trainee": "Trainee",
        "attempts": "Attempts",
        "updated": "{n} trainees · {a} finished attempts",
        "step": "Decision point",
        "reply": "Reply",
        "chosen": "Chosen",
        "model": "model answer",
    },
    "zh": {
        "refresh": "刷新",
        "scenario": "情景",
        "scores": "目前成绩（按{policy}计）",
        "choices": "全班在每一步的选择",
        "empty": "还没有成绩：暂时没有人完成练习。",
        "no_choices": "还没有人做过这个情景。",
        "trainee": "学员",
        "attempts": "次数",
        "updated": "{n} 位学员 · 已完成 {a} 次",
        "step": "决策点",
        "reply": "回应",
        "chosen": "选择比例",
        "model": "参考答案",
    },
}
POLICY_NAMES = {
    "en": {"best": "best", "first": "first", "last": "last"},
    "zh": {"best": "最好成绩", "first": "第一次", "last": "最后一次"},
}


def scores_html(book: pd.DataFrame, lang: str = "en") -> str:
    """The gradebook as an HTML table with escaped names; scores rounded to whole points."""
    t = TEXT[lang]
    exercises = [c for c in book.columns if c not in ("trainee_id", "attempts")]
    if book.empty or not exercises:
        return f"<p>{html.escape(t['empty'])}</p>"
    head = "".join(f"<th style='padding:4px 10px'>{html.escape(e)}</th>" for e in exercises)
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


def choices_html(frame: pd.DataFrame, lang: str = "en") -> str:
    """The choice distribution as an HTML table: each step's replies with the share chosen."""
    t = TEXT[lang]
    if frame.empty or int(frame["count"].sum()) == 0:
        return f"<p>{html.escape(t['no_choices'])}</p>"
    rows = []
    for _, r in frame[frame["n_node"] > 0].iterrows():
        mark = f" <i>({html.escape(t['model'])})</i>" if r["model"] else ""
        width = round(200 * float(r["share"]))
        bar = (
            f"<div style='display:inline-block;height:12px;width:{width}px;"
            f"background:{'#1a9850' if r['model'] else '#4575b4'}'></div>"
        )
        rows.append(
            f"<tr><td style='padding:3px 8px'>{int(r['step'])}</td>"
            f"<td style='padding:3px 8px'>{html.escape(r['text'])}{mark}</td>"
            f"<td style='padding:3px 8px;white-space:nowrap'>{bar} {float(r['share']):.0%} "
            f"({int(r['count'])})</td></tr>"
        )
    return (
        "<table class='csat-live-choices' style='border-collapse:collapse;font-size:14px'>"
        f"<tr><th>{html.escape(t['step'])}</th><th>{html.escape(t['reply'])}</th>"
        f"<th>{html.escape(t['chosen'])}</th></tr>" + "".join(rows) + "</table>"
    )


def _busiest(store) -> str | None:
    """The shipped scenario with the most decisions so far (what the room is playing)."""
    made = store.decisions_frame()
    if made.empty:
        return None
    made = made[made["kind"] == "scenario"]
    counts = made["exercise_id"].value_counts()
    shipped = [s for s in counts.index if s in set(scenario_mod.library())]
    return shipped[0] if shipped else None


class TrainerView:
    """Scores so far and the choice distribution for one scenario, with a Refresh button."""

    def __init__(self, store, *, lang: str = "en", policy: str = "best"):
        import ipywidgets as w

        if lang not in TEXT:
            raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
        self.store, self.lang, self.policy = store, lang, policy
        t = TEXT[lang]
        self.refresh_button = w.Button(description=t["refresh"], icon="refresh")
        self.refresh_button.add_class("csat-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.scenario = w.Dropdown(
            options=[(scenario_mod.load(s).title(lang), s) for s in scenario_mod.library()],
            value=_busiest(store) or scenario_mod.library()[0],
            description=t["scenario"],
            layout=w.Layout(width="640px"),
        )
        self.scenario.add_class("csat-live-scenario")
        self.scenario.observe(lambda _c: self.refresh(), names="value")
        self.status = w.HTML()
        self.status.add_class("csat-live-status")
        self.scores = w.HTML()
        self.scores.add_class("csat-live-scores-box")
        self.choices = w.HTML()
        self.figure = w.Image(format="png", layout=w.Layout(max_width="1000px"))
        policy_name = POLICY_NAMES[lang].get(policy, policy)
        self.widget = w.VBox(
            [
                w.HBox([self.refresh_button, self.status]),
                w.HTML(f"<h3>{html.escape(t['scores'].format(policy=policy_name))}</h3>"),
                self.scores,
                w.HTML(f"<h3>{html.escape(t['choices'])}</h3>"),
                self.scenario,
                self.choices,
                self.figure,
            ]
        )
        self.widget.add_class("csat-live")
        self.refresh()

    def refresh(self) -> None:
        """Read the store again and redraw everything."""
        book = report.gradebook(self.store, policy=self.policy)
        self.scores.value = scores_html(book, self.lang)
        finished = int(book["attempts"].sum()) if not book.empty else 0
        self.status.value = html.escape(TEXT[self.lang]["updated"].format(n=len(book), a=finished))
        frame = report.choice_distribution(self.store, self.scenario.value, lang=self.lang)
        self.choices.value = choices_html(frame, self.lang)
        if int(frame["count"].sum()) > 0:
            fig = report.plot_choices(self.store, self.scenario.value, lang=self.lang)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
            self.figure.value = buf.getvalue()
            self.figure.layout.display = None
        else:
            self.figure.value = b""
            self.figure.layout.display = "none"  # no broken-image icon while empty

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
