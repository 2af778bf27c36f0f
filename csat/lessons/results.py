"""The trainer's report as pictures: score distributions, the rubric dimensions, where trainees
go at each step of a role-play, and :func:`write`, which puts tables and figures in one folder.

The tables come from :mod:`csat.exercises.report`; the figures here are matplotlib
:class:`~matplotlib.figure.Figure` objects made without pyplot (so a loop that writes many does
not keep them open, and a notebook cell ending in one shows it once), sized and lettered to be
read on a projector, each titled with what it shows. Fonts come from :mod:`csat.lessons.style`,
set on every text of a finished figure, so trainee names in Chinese render in an English figure.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from csat.exercises import rubric
from csat.exercises import scenario as scenario_mod
from csat.exercises.engine import DEFAULT_POLICY
from csat.exercises.report import (
    FAIL_COLOUR,
    NEUTRAL,
    PASS_COLOUR,
    TEXT,
    _check_policy,
    _title,
    attempts,
    choice_distribution,
    counted_attempts,
    summary,
    write_tables,
)
from csat.exercises.scenario import Scenario
from csat.i18n import Namespace
from csat.lessons import style, typeset

LAYOUT = Namespace("results_words")
"""Per-language layout of the report's figures: wrap widths (in characters), the head of a
step's label, and whether the scenarios' ids (English words joined by hyphens) can stand as
labels in the language."""


def layout_width(key: str, lang: str) -> int:
    """A wrap width of the report's figures in ``lang``, from :data:`LAYOUT`."""
    return int(LAYOUT[lang][key])


def _ids_readable(lang: str) -> bool:
    return LAYOUT[lang]["ids_readable"] == "yes"


def _wrap(text: str, width: int, lang: str, lines: int = 2) -> str:
    """Wrap for a label: at spaces, or, in a language whose lines break between characters
    (Chinese has no spaces), by characters, preferably after punctuation."""
    if not typeset.breaks_at_spaces(lang):
        marks_after = typeset.break_after(lang)
        chunks, rest = [], text
        while rest:
            if len(rest) <= width:
                chunks.append(rest)
                break
            # Even lines at the end, and a break after punctuation near the target if any.
            target = width if len(rest) > 2 * width else -(-len(rest) // 2)
            marks = [
                i + 1
                for i, ch in enumerate(rest[:width])
                if ch in marks_after and abs(i + 1 - target) <= 4
            ]
            cut = min(marks, key=lambda m: abs(m - target)) if marks else target
            chunks.append(rest[:cut])
            rest = rest[cut:]
    else:
        chunks = textwrap.wrap(text, width) or [text]
    if len(chunks) > lines:
        chunks = chunks[:lines]
        chunks[-1] = chunks[-1][: max(1, width - 1)].rstrip() + "…"
    return "\n".join(chunks)


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip(" ,.;:—，。；：") + "…"


def blank(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def tidy_axes(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=14)
    ax.xaxis.label.set_size(15)
    ax.yaxis.label.set_size(15)


def heading(fig: Figure, ax, title: str, subtitle: str, lang: str) -> None:
    """The finding as the figure's title (wrapped to fit), what was counted underneath."""
    inches = fig.get_figwidth() - 0.5
    width = int(inches * 72 / (typeset.char_em(lang) * 19))  # characters at 19 pt
    lines = _wrap(title, width, lang, lines=3).split("\n")
    fig.suptitle("\n".join(lines), fontsize=19, fontweight=style.weight(lang, title))
    sub_width = layout_width("subtitle_width", lang)
    wrapped = [_wrap(part, sub_width, lang) for part in subtitle.split("\n")]
    ax.set_title("\n".join(wrapped), fontsize=13, color="#444")


def no_data(fig: Figure, ax, lang: str) -> Figure:
    ax.axis("off")
    ax.text(0.5, 0.5, TEXT[lang]["no_data"], ha="center", va="center", fontsize=22, color="#666")
    return fig


@style.lettered
def plot_scores(store, *, policy: str = DEFAULT_POLICY, lang: str = "en") -> Figure:
    """Score distribution per scenario: a box and every trainee's counted score as a dot,
    with each scenario's pass mark; the title names the hardest scenario."""
    lang = style.figure_lang(lang)
    t = TEXT[lang]
    frame = counted_attempts(store, policy=policy)
    groups = [(e, g) for e, g in frame.groupby("exercise_id")]
    groups.sort(key=lambda eg: (-eg[1]["total"].median(), eg[0]))  # the hardest on top
    height = 2.6 + 1.15 * max(len(groups), 1)
    fig = blank(13, height)
    ax = fig.subplots()
    if not groups:
        return no_data(fig, ax, lang)
    labels = []
    for y, (exercise, g) in enumerate(groups):
        sc = scenario_mod.survey().good.get(exercise)  # None: a quiz, or a file with problems
        title = sc.title(lang) if sc else exercise
        labels.append(_wrap(title, layout_width("label_width", lang), lang))
        totals = g["total"].to_numpy(dtype=float)
        passed = g["passed"].fillna(False).to_numpy(dtype=bool)
        ax.boxplot(
            totals,
            positions=[y],
            orientation="horizontal",
            widths=0.55,
            showfliers=False,
            patch_artist=True,
            boxprops={"facecolor": "#deebf7", "edgecolor": "#6b6b6b"},
            medianprops={"color": "#08306b", "linewidth": 2.5},
            whiskerprops={"color": "#6b6b6b"},
            capprops={"color": "#6b6b6b"},
        )
        # Even spread instead of random jitter: the same data draw the same picture.
        offsets = np.linspace(-0.18, 0.18, len(totals)) if len(totals) > 1 else np.zeros(1)
        ax.scatter(
            totals,
            y + offsets,
            s=70,
            c=np.where(passed, PASS_COLOUR, FAIL_COLOUR),
            edgecolors="white",
            linewidths=0.8,
            zorder=3,
        )
        threshold = sc.pass_threshold if sc else 60
        ax.plot([threshold, threshold], [y - 0.38, y + 0.38], ls="--", color="#b2182b", lw=2)
        ax.text(
            102,
            y,
            t["n_passed"].format(n=len(totals), passed=int(passed.sum())),
            va="center",
            fontsize=13,
            color=NEUTRAL,
        )
    ax.set_yticks(range(len(groups)), labels)
    ax.set_xlim(0, 122)  # room on the right for "n=…, … passed"
    ax.set_xticks(range(0, 101, 20))
    ax.spines["bottom"].set_bounds(0, 100)
    ax.set_ylim(-0.6, len(groups) - 0.4)
    ax.set_xlabel(t["score"])
    ax.grid(axis="x", color="#e0e0e0")
    ax.set_axisbelow(True)
    tidy_axes(ax)
    exercise, g = groups[-1]  # the lowest median, drawn on top
    fields = {
        "title": _title(exercise, lang),
        "median": g["total"].median(),
        "passed": int(g["passed"].fillna(False).sum()),
        "n": len(g),
    }
    title = (t["scores_title_one"] if len(groups) == 1 else t["scores_title"]).format(**fields)
    heading(fig, ax, title, t["counted"].format(policy=t["policy"][policy]), lang)
    return fig


@style.lettered
def plot_dimensions(store, *, policy: str = DEFAULT_POLICY, lang: str = "en") -> Figure:
    """Mean score per rubric dimension over every counted scenario attempt, weakest on top;
    the title names the weakest dimension."""
    lang = style.figure_lang(lang)
    t = TEXT[lang]
    frame = counted_attempts(store, policy=policy)
    stats = []
    for key in rubric.DIMENSIONS:
        col = f"score_{key}"
        values = frame[col].dropna() if col in frame else pd.Series(dtype=float)
        if len(values):
            stats.append((key, float(values.mean()), len(values)))
    fig = blank(13, 7)
    ax = fig.subplots()
    if not stats:
        return no_data(fig, ax, lang)
    stats.sort(key=lambda s: -s[1])  # barh draws the first at the bottom: weakest on top
    names = [rubric.name(k, lang) for k, _, _ in stats]
    means = [m for _, m, _ in stats]
    colours = [PASS_COLOUR if round(m) >= 60 else FAIL_COLOUR for m in means]  # as labelled
    ax.barh(names, means, color=colours, height=0.62)
    for y, (_, mean, n) in enumerate(stats):
        ax.text(mean + 1, y, f"{mean:.0f}  (n={n})", va="center", fontsize=14, color=NEUTRAL)
    ax.axvline(60, ls="--", color="#b2182b", lw=1.5)
    ax.set_xlim(0, 112)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(t["mean_score"])
    ax.grid(axis="x", color="#e0e0e0")
    ax.set_axisbelow(True)
    tidy_axes(ax)
    key, mean, _ = stats[-1]
    title = t["dims_title"].format(name=rubric.name(key, lang), mean=mean)
    heading(fig, ax, title, t["dims_sub"].format(policy=t["policy"][policy]), lang)
    return fig


def _choice_colour(points: int, model: bool) -> str:
    if model:
        return "#1a9850"
    if points > 0:
        return "#a6d96a"
    if points == 0:
        return "#bdbdbd"
    return "#f46d43" if points >= -2 else "#d73027"


def _choice_label(choice_id: str, text: str, lang: str) -> str:
    """A reply on its bar: its id where ids read as words in ``lang`` (short), else its text."""
    if _ids_readable(lang):
        return _wrap(choice_id.replace("-", " "), layout_width("choice_width", lang), lang)
    return _wrap(text, layout_width("choice_width", lang), lang)


def reply_bar(ax, y: float, replies: pd.DataFrame, lang: str) -> None:
    """One stacked bar at ``y``: the share of decisions for each reply at a decision point
    (rows of :func:`choice_distribution`), green for the model answer, red losing points."""
    left = 0.0
    for _, r in replies.iterrows():
        share = float(r["share"])
        if share <= 0:
            continue
        model, points = bool(r["model"]), int(r["points"])
        ax.barh(
            y, share, left=left, height=0.7, color=_choice_colour(points, model),
            edgecolor="white", linewidth=1.5,
        )  # fmt: skip
        if share >= 0.1:
            label = f"{_choice_label(r['choice'], r['text'], lang)}\n{share:.0%}"
        else:
            label = f"{share:.0%}" if share >= 0.04 else ""
        dark = model or points < -2
        ax.text(
            left + share / 2, y, label, ha="center", va="center", fontsize=11,
            color="white" if dark else "black",
        )  # fmt: skip
        left += share


def _steps(first: int, last: int) -> str:
    """'3', or '3–4' where trainees reach a decision point after more or fewer replies."""
    return str(first) if first == last else f"{first}–{last}"


def _step_label(step: str, node: str, line: str, n: int, lang: str) -> str:
    """'1 · at the stand (n=18)' over the start of what the customer says there."""
    spoken = re.sub(r"^\s*[(（][^)）]*[)）]\s*", "", line) or line  # drop a stage direction
    name = node.replace("-", " ") if _ids_readable(lang) else ""
    head = LAYOUT[lang]["step_label"].format(step=step, node=name, n=n)
    return f"{head}\n{short(spoken, layout_width('step_line_width', lang))}"


@style.lettered
def plot_choices(store, scenario_id: str | Scenario, *, lang: str = "en") -> Figure:
    """Where trainees go: at each decision point, the share of decisions for each reply, as
    one stacked bar per step; the title names the step most often answered off the model."""
    lang = style.figure_lang(lang)
    t = TEXT[lang]
    sc = scenario_id if isinstance(scenario_id, Scenario) else scenario_mod.load(scenario_id)
    dist = choice_distribution(store, sc, lang=lang)
    steps = list(dict.fromkeys(dist["node"]))
    fig = blank(15, 2.4 + 1.05 * len(steps))
    ax = fig.subplots()
    total = int(dist["count"].sum())
    if total == 0:
        return no_data(fig, ax, lang)
    ylabels = []
    worst = None  # (decisions off the model answer, their share, step, node)
    for y, node in enumerate(steps):
        rows = dist[dist["node"] == node]
        n = int(rows["n_node"].iloc[0])
        step = _steps(int(rows["step"].iloc[0]), int(rows["step_last"].iloc[0]))
        ylabels.append(_step_label(step, node, sc.nodes[node].customer(lang), n, lang))
        if n == 0:
            ax.text(0.01, y, t["not_reached"], va="center", fontsize=13, color="#888")
            continue
        reply_bar(ax, y, rows, lang)
        missed = 1.0 - float(rows.loc[rows["model"], "share"].sum())
        # The most frequent wrong turn: most decisions off the model answer, then the share.
        if missed > 0 and (worst is None or (round(missed * n), missed) > worst[:2]):
            worst = (round(missed * n), missed, step, node)
    ax.set_yticks(range(len(steps)), ylabels, fontsize=12)
    ax.invert_yaxis()  # step 1 at the top, like the conversation
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
    ax.set_xlabel(t["share"])
    tidy_axes(ax)
    ax.tick_params(axis="y", labelsize=12)
    if worst is None:
        title = t["choices_all_good"].format(n=total)
    else:
        _, missed, step, node = worst
        rows = dist[(dist["node"] == node) & ~dist["model"]].sort_values("count", ascending=False)
        top = rows.iloc[0]
        label = short(top["text"], layout_width("top_width", lang))
        title = t["choices_title"].format(step=step, share=missed, top=top["share"], label=label)
    sub = t["choices_sub"].format(title=sc.title(lang), version=sc.version)
    heading(fig, ax, title, sub, lang)
    return fig


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=100, facecolor="white")
    return path


def write(store, out: Path, *, policy: str = DEFAULT_POLICY, lang: str = "en") -> list[Path]:
    """Write the trainer's report into the folder ``out`` (created if needed).

    Files: the CSV tables of :func:`csat.exercises.report.write_tables`, ``summary.txt``, and
    once there are results ``scores.png``, ``dimensions.png`` and one ``choices-<scenario>.png``
    per scenario played. An empty store gives the CSV files with their headers and a summary
    saying there are no results yet. This is what ``csat report`` runs.

    Returns
    -------
    list of Path
        The files written, in that order.
    """
    _check_policy(policy)
    out = Path(out)
    written = write_tables(store, out, policy=policy, lang=lang)
    tried = attempts(store, policy=policy)
    figures: list[Path] = []
    if (tried["kind"] == "scenario").any() and tried["finished_at"].notna().any():
        figures.append(_save(plot_scores(store, policy=policy, lang=lang), out / "scores.png"))
        figures.append(
            _save(plot_dimensions(store, policy=policy, lang=lang), out / "dimensions.png")
        )
    played = set(tried.loc[tried["kind"] == "scenario", "exercise_id"])
    for sid in sorted(played & set(scenario_mod.survey().good)):  # a broken file is left out
        if choice_distribution(store, sid)["count"].sum():
            fig = plot_choices(store, sid, lang=lang)
            figures.append(_save(fig, out / f"choices-{sid}.png"))
    path = out / "summary.txt"
    text = summary(store, policy, [*written, path, *figures], lang)
    path.write_text(text, encoding="utf-8")
    return [*written, path, *figures]
