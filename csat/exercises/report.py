"""The trainer's report: gradebook, attempts, where trainees go wrong, score distributions.

Tables are pandas DataFrames read from a :class:`~csat.exercises.store.Store`; figures are
matplotlib :class:`~matplotlib.figure.Figure` objects made without pyplot (so a loop that
writes many does not keep them open, and a notebook cell ending in one shows it once), sized
and lettered to be read on a projector, each titled with what it shows. :func:`write` puts
everything in one folder — CSV files Excel opens with Chinese names intact, PNG figures and a
short ``summary.txt`` — and is what ``python -m csat exercises report`` runs.

Which attempt counts when a trainee played an exercise more than once is the attempt policy
(``"best"``, ``"first"`` or ``"last"``; :func:`csat.exercises.engine.counted_score`).

>>> from csat.exercises.store import Store
>>> with Store("sqlite://") as store:
...     gradebook(store).shape
(0, 2)
"""

from __future__ import annotations

import csv
import re
import textwrap
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from csat.exercises import quiz as quiz_mod
from csat.exercises import rubric
from csat.exercises import scenario as scenario_mod
from csat.exercises.engine import POLICIES, counted_score, model_answer
from csat.exercises.scenario import Scenario

CSV_OPTIONS = {"encoding": "utf-8-sig", "quoting": csv.QUOTE_NONNUMERIC, "lineterminator": "\r\n"}
"""How every CSV is written: UTF-8 with a byte-order mark, so Excel shows Chinese names
correctly; every text field quoted, so commas, quotes and line breaks inside names and
comments stay in their cell; CRLF line ends, as RFC 4180 and Excel expect."""

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
"""Timestamps in the CSV files: UTC, in a form Excel recognises as a date and time."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PASS_COLOUR, FAIL_COLOUR, NEUTRAL = "#1a9850", "#d73027", "#4d4d4d"

TEXT = {
    "en": {
        "score": "Score (0 = worst path, 100 = best path)",
        "mean_score": "Mean score (0–100)",
        "pass_mark": "pass mark",
        "counted": "One counted attempt per trainee ({policy}); dashed line: pass mark",
        "n_passed": "n={n} · {passed} passed",
        "scores_title_one": "{title}: median {median:.0f}/100, {passed} of {n} passed",
        "scores_title": "Hardest: {title} (median {median:.0f}/100, {passed} of {n} passed)",
        "dims_title": "Weakest dimension: {name} (mean {mean:.0f}/100)",
        "dims_sub": "Mean over each trainee's counted attempt at every scenario ({policy}); "
        "n = attempts assessing the dimension",
        "choices_title": "Step {step}: {share:.0%} did not give the model answer; "
        "{top:.0%} chose '{label}'",
        "choices_all_good": "Every decision matched the model answer ({n} decisions)",
        "choices_sub": "{title} (version {version})\nShare of the decisions at each step; "
        "dark green = the model answer, red = loses points",
        "share": "Share of the decisions made at this step",
        "not_reached": "not reached yet",
        "no_data": "No results yet",
        "policy": {
            "best": "best attempt",
            "first": "first attempt",
            "last": "last attempt",
        },
    },
    "zh": {
        "score": "得分（0 = 最差路线，100 = 最佳路线）",
        "mean_score": "平均分（0–100）",
        "pass_mark": "及格线",
        "counted": "每位学员计一次成绩（{policy}）；虚线为及格线",
        "n_passed": "{n}人 · {passed}人通过",
        "scores_title_one": "{title}：中位数{median:.0f}分，{n}人中{passed}人通过",
        "scores_title": "最难的情景：{title}（中位数{median:.0f}分，{n}人中{passed}人通过）",
        "dims_title": "最弱的一项：{name}（平均{mean:.0f}分）",
        "dims_sub": "每位学员每个情景计一次成绩（{policy}）后求平均；n = 考查该项的次数",
        "choices_title": "第{step}步：{share:.0%}的人没有选参考答案，{top:.0%}选了“{label}”",
        "choices_all_good": "所有选择都与参考答案一致（共{n}次选择）",
        "choices_sub": "{title}（第{version}版）\n"
        "每一步各选项所占比例；深绿 = 参考答案，红色 = 扣分",
        "share": "在这一步所做选择中的占比",
        "not_reached": "还没有人走到这里",
        "no_data": "还没有成绩",
        "policy": {"best": "取最好成绩", "first": "取第一次", "last": "取最后一次"},
    },
}


# --------------------------------------------------------------------------------------------
# Tables


def _check_policy(policy: str) -> None:
    if policy not in POLICIES:
        raise ValueError(f"attempt policy must be one of {', '.join(POLICIES)}, got {policy!r}")


def _counted_index(finished: pd.DataFrame, policy: str) -> list[int]:
    """Row labels of the attempt that counts per trainee and exercise (finished attempts, in
    the order they were made; the earliest wins a tie for best)."""
    chosen = []
    for _, group in finished.sort_values("attempt_no").groupby(
        ["trainee_id", "exercise_id"], sort=False
    ):
        totals = group["total"].to_numpy(dtype=float)
        if policy == "first":
            chosen.append(group.index[0])
        elif policy == "last":
            chosen.append(group.index[-1])
        elif np.isnan(totals).all():
            chosen.append(group.index[0])
        else:
            chosen.append(group.index[int(np.nanargmax(totals))])
    return chosen


def attempts(store, *, policy: str = "best") -> pd.DataFrame:
    """Every attempt, one row each (long format), oldest first, with a ``counted`` column.

    The columns are those of :meth:`Store.attempts <exercises.store.Store.attempts>`
    (``display_name``, ``exercise_id``, ``attempt_no``, ``total``, ``passed``, one
    ``score_<dimension>`` per dimension…) plus ``counted``: True for the one finished
    attempt per trainee and exercise that the attempt ``policy`` counts.
    """
    _check_policy(policy)
    frame = store.attempts()
    frame["counted"] = False
    finished = frame[frame["finished_at"].notna()]
    if len(finished):
        frame.loc[_counted_index(finished, policy), "counted"] = True
    return frame


def counted_attempts(store, *, policy: str = "best", kind: str | None = "scenario") -> pd.DataFrame:
    """The attempts that count, one per trainee and exercise (``kind`` None for all kinds)."""
    frame = attempts(store, policy=policy)
    frame = frame[frame["counted"]]
    if kind is not None:
        frame = frame[frame["kind"] == kind]
    return frame.reset_index(drop=True)


def gradebook(store, *, policy: str = "best") -> pd.DataFrame:
    """One row per trainee (index ``display_name``, sorted), one column per exercise.

    Each exercise column holds the counted score (0–100) of the trainee's finished attempts,
    :func:`~csat.exercises.engine.counted_score` under ``policy``; NaN where the trainee has not
    finished it. ``trainee_id`` comes first (the pseudonym, for joining), ``attempts`` last
    (finished attempts, all exercises).
    """
    _check_policy(policy)
    people = store.trainees()
    every = store.attempts()
    # Capstone teams are stored as trainees but score business value, not 0–100: they have
    # their own table (capstone.csv), not a row here.
    games = every["kind"] == "capstone"
    teams = set(every.loc[games, "display_name"]) - set(every.loc[~games, "display_name"])
    people = people[~people["display_name"].isin(teams)]
    frame = store.attempts(finished_only=True)
    frame = frame[frame["kind"] != "capstone"]
    exercises = sorted(frame["exercise_id"].unique())
    book = pd.DataFrame(
        index=pd.Index(sorted(people["display_name"]), name="display_name"),
        columns=["trainee_id", *exercises, "attempts"],
    )
    book["trainee_id"] = people.set_index("display_name")["trainee_id"]
    for (name, exercise), group in frame.sort_values("attempt_no").groupby(
        ["display_name", "exercise_id"]
    ):
        book.loc[name, exercise] = counted_score(group["total"].tolist(), policy)
    book["attempts"] = frame.groupby("display_name").size().reindex(book.index, fill_value=0)
    for exercise in exercises:
        book[exercise] = book[exercise].astype("float64")
    book["attempts"] = book["attempts"].astype("int64")
    book["trainee_id"] = book["trainee_id"].astype(object)
    return book


def _depths(scenario: Scenario) -> dict[str, int]:
    """Each node's distance from the start (fewest replies), breadth first in file order."""
    depth, queue = {scenario.start: 0}, [scenario.start]
    while queue:
        node = queue.pop(0)
        for c in scenario.nodes[node].choices:
            if c.next in scenario.nodes and c.next not in depth:
                depth[c.next] = depth[node] + 1
                queue.append(c.next)
    return depth


def _longest(scenario: Scenario) -> dict[str, int]:
    """Each node's distance from the start along the longest way there (the graph has no
    cycles): with :func:`_depths`, the range of step numbers trainees see it at."""
    depth = _depths(scenario)
    into = {n: 0 for n in depth}
    for node in depth:
        for c in scenario.nodes[node].choices:
            if c.next in into:
                into[c.next] += 1
    longest, ready = dict.fromkeys(depth, 0), [scenario.start]
    while ready:  # Kahn's order: a node once every way into it is counted
        node = ready.pop()
        for c in scenario.nodes[node].choices:
            if c.next in into:
                longest[c.next] = max(longest[c.next], longest[node] + 1)
                into[c.next] -= 1
                if into[c.next] == 0:
                    ready.append(c.next)
    return longest


def node_order(scenario: Scenario) -> list[str]:
    """Decision points in the order a trainer walks them: the best path from the start, each
    other node placed by its depth from the start (after the best-path node at that depth).

    >>> s = scenario_mod.load("hotpot-queue")
    >>> print(*(node for node, _ in s.best_path()))
    at-the-stand real-time the-wait seated goodbye
    >>> print(*node_order(s))
    at-the-stand real-time heated second-broken the-wait cramped seated goodbye
    """
    depth = _depths(scenario)
    found = list(depth)  # breadth first, replies in file order
    best = {node: i for i, (node, _) in enumerate(scenario.best_path())}
    return sorted(found, key=lambda n: (best.get(n, depth[n]), n not in best, found.index(n)))


def choice_distribution(store, scenario_id: str | Scenario, *, lang: str = "en") -> pd.DataFrame:
    """How often each reply was chosen at each decision point ("40% blamed the workshop here").

    Counts every decision made on the scenario's current version, in every attempt (finished
    or not). One row per reply the scenario offers, nodes in conversation order.

    Returns
    -------
    pandas.DataFrame
        ``step`` (the step a trainee reaching it soonest sees on the scorecard: 1 at the
        start, 2 one reply later, …; rows in :func:`node_order`), ``step_last`` (the step
        along the longest way there), ``node``, ``choice`` (id),
        ``text`` (in ``lang``), ``points`` (the reply's total rubric points), ``model`` (True
        for the reply that starts the best way on from this node), ``count``, ``n_node``
        (decisions at this node) and ``share`` (``count / n_node``; NaN where nobody reached
        the node).
    """
    sc = scenario_id if isinstance(scenario_id, Scenario) else scenario_mod.load(scenario_id)
    made = store.decisions_frame(exercise_id=sc.id)
    made = made[(made["kind"] == "scenario") & (made["exercise_version"] == sc.version)]
    counts = made.groupby(["node", "choice"]).size()
    rows = []
    depth, longest = _depths(sc), _longest(sc)
    for node in node_order(sc):
        step = depth[node] + 1
        model = model_answer(sc, node).id
        for c in sc.nodes[node].choices:
            rows.append(
                {
                    "step": step,
                    "step_last": longest[node] + 1,
                    "node": node,
                    "choice": c.id,
                    "text": c.text(lang),
                    "points": sum(c.points.values()),
                    "model": c.id == model,
                    "count": int(counts.get((node, c.id), 0)),
                }
            )
    frame = pd.DataFrame(
        rows,
        columns=["step", "step_last", "node", "choice", "text", "points", "model", "count"],
    )
    frame["n_node"] = frame.groupby("node")["count"].transform("sum").astype("int64")
    frame["share"] = (frame["count"] / frame["n_node"].where(frame["n_node"] > 0)).astype("float64")
    return frame


def score_distribution(store, *, policy: str = "best") -> pd.DataFrame:
    """Summary of counted scenario scores, per scenario and per dimension (long format).

    One row per (scenario, dimension), ``dimension`` being ``"total"`` or a rubric key:
    ``exercise_id``, ``title``, ``dimension``, ``n``, ``mean``, ``median``, ``min``,
    ``max``, ``std``, and ``pass_rate`` (on the ``total`` rows; NaN on the others).
    Dimensions a scenario does not assess are left out.
    """
    frame = counted_attempts(store, policy=policy)
    rows = []
    for exercise, group in frame.groupby("exercise_id"):
        title = _title(exercise, "en")
        for dim in ["total", *rubric.DIMENSIONS]:
            col = "total" if dim == "total" else f"score_{dim}"
            if col not in group:
                continue
            values = group[col].dropna().astype(float)
            if values.empty:
                continue
            rows.append(
                {
                    "exercise_id": exercise,
                    "title": title,
                    "dimension": dim,
                    "n": len(values),
                    "mean": values.mean(),
                    "median": values.median(),
                    "min": values.min(),
                    "max": values.max(),
                    "std": values.std(ddof=1) if len(values) > 1 else np.nan,
                    "pass_rate": group["passed"].astype(float).mean() if dim == "total" else np.nan,
                }
            )
    columns = ["exercise_id", "title", "dimension", "n", "mean", "median", "min", "max", "std"]
    return pd.DataFrame(rows, columns=[*columns, "pass_rate"])


def framework_view(store, framework: str, *, policy: str = "best") -> pd.DataFrame:
    """Each counted scenario attempt's dimension scores read as the steps of ``framework``
    (HEARD, LATTE, LAST, SERVQUAL or deck): ``display_name``, ``exercise_id``, one column
    per step (0–100; NaN for a step the scenario does not assess)."""
    if framework not in rubric.FRAMEWORKS:
        raise ValueError(
            f"framework must be one of {', '.join(rubric.FRAMEWORKS)}, got {framework!r}"
        )
    frame = counted_attempts(store, policy=policy)
    steps = list(rubric.FRAMEWORKS[framework])
    rows = []
    for _, row in frame.iterrows():
        scores = {
            k: (None if pd.isna(row.get(f"score_{k}")) else float(row[f"score_{k}"]))
            for k in rubric.DIMENSIONS
        }
        read = rubric.translate(scores, framework)
        rows.append(
            {"display_name": row["display_name"], "exercise_id": row["exercise_id"], **read}
        )
    out = pd.DataFrame(rows, columns=["display_name", "exercise_id", *steps])
    out[steps] = out[steps].astype("float64")
    return out


def decisions(store, *, lang: str = "en") -> pd.DataFrame:
    """Every decision (:meth:`Store.decisions_frame <exercises.store.Store.decisions_frame>`)
    with ``choice_text``: the reply, or the quiz options chosen, in ``lang`` (empty when the
    exercise or its version is no longer in the library)."""
    frame = store.decisions_frame()
    texts = _ChoiceTexts(lang)
    frame.insert(
        frame.columns.get_loc("choice") + 1,
        "choice_text",
        [
            texts(k, e, v, n, c)
            for k, e, v, n, c in zip(
                frame["kind"],
                frame["exercise_id"],
                frame["exercise_version"],
                frame["node"],
                frame["choice"],
                strict=True,
            )
        ],
    )
    return frame


class _ChoiceTexts:
    """Reply texts looked up in the library, each exercise loaded once."""

    def __init__(self, lang: str):
        self.lang = lang
        self.loaded: dict[tuple[str, str], object] = {}

    def _get(self, kind: str, exercise: str):
        key = (kind, exercise)
        if key not in self.loaded:
            try:
                loader = scenario_mod.load if kind == "scenario" else quiz_mod.load
                self.loaded[key] = loader(exercise)
            except (ValueError, OSError):
                self.loaded[key] = None
        return self.loaded[key]

    def __call__(self, kind: str, exercise: str, version: int, node: str, choice: str) -> str:
        item = self._get(kind, exercise)
        if item is None or item.version != version:
            return ""
        try:
            if kind == "scenario":
                return item.choice(node, choice).text(self.lang)
            options = {o.id: o for o in item.question(node).options}
            return "; ".join(options[c].text(self.lang) for c in choice.split(","))
        except KeyError:
            return ""


def _title(exercise_id: str, lang: str) -> str:
    for loader in (scenario_mod.load, quiz_mod.load):
        try:
            return loader(exercise_id).title(lang)
        except (ValueError, OSError):
            continue
    return exercise_id


# --------------------------------------------------------------------------------------------
# Figures


def _lang(lang: str) -> str:
    """The language figures can be lettered in: 'zh' needs a CJK font (else English)."""
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {sorted(TEXT)}, got {lang!r}")
    if lang == "zh":
        from csat.lessons import plots

        # Registers the CJK font and puts it first in font.sans-serif (as the simulator's
        # figures do), or warns once and falls back to English.
        return "en" if plots.labels("zh") is plots.LABELS["en"] else "zh"
    return lang


def _wrap(text: str, width: int, lang: str, lines: int = 2) -> str:
    """Wrap for a label; Chinese has no spaces, so it is cut by characters."""
    if lang == "zh":
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
                if ch in "，。；：、！？）—" and abs(i + 1 - target) <= 4
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


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip(" ,.;:—，。；：") + "…"


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=14)
    ax.xaxis.label.set_size(15)
    ax.yaxis.label.set_size(15)


def _heading(fig: Figure, ax, title: str, subtitle: str, lang: str) -> None:
    """The finding as the figure's title (wrapped to fit), what was counted underneath."""
    inches = fig.get_figwidth() - 0.5
    width = int(inches * 72 / 19) if lang == "zh" else int(inches * 72 / (0.64 * 19))
    lines = _wrap(title, width, lang, lines=3).split("\n")
    # CJK fonts here have no bold face and matplotlib logs a warning when asked for one, also
    # for an English figure drawn after a Chinese one (the CJK font then comes first).
    style = (
        {"fontweight": "normal"}
        if lang == "zh"
        else {"fontweight": "bold", "family": "DejaVu Sans"}
    )
    fig.suptitle("\n".join(lines), fontsize=19, **style)
    wrapped = [_wrap(part, 60 if lang == "zh" else 120, lang) for part in subtitle.split("\n")]
    ax.set_title("\n".join(wrapped), fontsize=13, color="#444")


def _empty(fig: Figure, ax, lang: str) -> Figure:
    ax.axis("off")
    ax.text(0.5, 0.5, TEXT[lang]["no_data"], ha="center", va="center", fontsize=22, color="#666")
    return fig


def plot_scores(store, *, policy: str = "best", lang: str = "en") -> Figure:
    """Score distribution per scenario: a box and every trainee's counted score as a dot,
    with each scenario's pass mark; the title names the hardest scenario."""
    lang = _lang(lang)
    t = TEXT[lang]
    frame = counted_attempts(store, policy=policy)
    groups = [(e, g) for e, g in frame.groupby("exercise_id")]
    groups.sort(key=lambda eg: (-eg[1]["total"].median(), eg[0]))  # the hardest on top
    height = 2.6 + 1.15 * max(len(groups), 1)
    fig = _figure(13, height)
    ax = fig.subplots()
    if not groups:
        return _empty(fig, ax, lang)
    labels = []
    for y, (exercise, g) in enumerate(groups):
        sc = scenario_mod.load(exercise) if exercise in scenario_mod.library() else None
        title = sc.title(lang) if sc else exercise
        labels.append(_wrap(title, 15 if lang == "zh" else 30, lang))
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
    _style(ax)
    exercise, g = groups[-1]  # the lowest median, drawn on top
    fields = {
        "title": _title(exercise, lang),
        "median": g["total"].median(),
        "passed": int(g["passed"].fillna(False).sum()),
        "n": len(g),
    }
    title = (t["scores_title_one"] if len(groups) == 1 else t["scores_title"]).format(**fields)
    _heading(fig, ax, title, t["counted"].format(policy=t["policy"][policy]), lang)
    return fig


def plot_dimensions(store, *, policy: str = "best", lang: str = "en") -> Figure:
    """Mean score per rubric dimension over every counted scenario attempt, weakest on top;
    the title names the weakest dimension."""
    lang = _lang(lang)
    t = TEXT[lang]
    frame = counted_attempts(store, policy=policy)
    stats = []
    for key in rubric.DIMENSIONS:
        col = f"score_{key}"
        values = frame[col].dropna() if col in frame else pd.Series(dtype=float)
        if len(values):
            stats.append((key, float(values.mean()), len(values)))
    fig = _figure(13, 7)
    ax = fig.subplots()
    if not stats:
        return _empty(fig, ax, lang)
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
    _style(ax)
    key, mean, _ = stats[-1]
    title = t["dims_title"].format(name=rubric.name(key, lang), mean=mean)
    _heading(fig, ax, title, t["dims_sub"].format(policy=t["policy"][policy]), lang)
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
    if lang == "zh":
        return _wrap(text, 8, "zh")
    return _wrap(choice_id.replace("-", " "), 13, "en")


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
    if lang == "zh":
        return f"第{step}步（{n}次）\n{_short(spoken, 13)}"
    return f"{step} · {node.replace('-', ' ')}  (n={n})\n{_short(spoken, 30)}"


def plot_choices(store, scenario_id: str | Scenario, *, lang: str = "en") -> Figure:
    """Where trainees go: at each decision point, the share of decisions for each reply, as
    one stacked bar per step; the title names the step most often answered off the model."""
    lang = _lang(lang)
    t = TEXT[lang]
    sc = scenario_id if isinstance(scenario_id, Scenario) else scenario_mod.load(scenario_id)
    dist = choice_distribution(store, sc, lang=lang)
    steps = list(dict.fromkeys(dist["node"]))
    fig = _figure(15, 2.4 + 1.05 * len(steps))
    ax = fig.subplots()
    total = int(dist["count"].sum())
    if total == 0:
        return _empty(fig, ax, lang)
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
    _style(ax)
    ax.tick_params(axis="y", labelsize=12)
    if worst is None:
        title = t["choices_all_good"].format(n=total)
    else:
        _, missed, step, node = worst
        rows = dist[(dist["node"] == node) & ~dist["model"]].sort_values("count", ascending=False)
        top = rows.iloc[0]
        label = _short(top["text"], 16 if lang == "zh" else 40)
        title = t["choices_title"].format(step=step, share=missed, top=top["share"], label=label)
    sub = t["choices_sub"].format(title=sc.title(lang), version=sc.version)
    _heading(fig, ax, title, sub, lang)
    return fig


# --------------------------------------------------------------------------------------------
# Writing the report


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy ready for Excel: times as UTC text, and text that starts like a formula
    (``=``, ``+``, ``-``, ``@``) prefixed with ``'`` so Excel shows it instead of running it."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[col] = series.dt.tz_convert(UTC).dt.strftime(TIME_FORMAT)
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[col] = series.map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_STARTS) else v
            )
    if out.index.dtype == object:
        out.index = out.index.map(
            lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_STARTS) else v
        )
    return out


def write_csv(frame: pd.DataFrame, path: Path, *, index: bool = False) -> Path:
    """Write ``frame`` with :data:`CSV_OPTIONS`; return ``path``."""
    _csv_safe(frame).to_csv(path, index=index, **CSV_OPTIONS)
    return path


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=100, facecolor="white")
    return path


def write(store, out: Path, *, policy: str = "best", lang: str = "en") -> list[Path]:
    """Write the trainer's report into the folder ``out`` (created if needed).

    Files: ``gradebook.csv`` (one row per trainee, one column per exercise), ``attempts.csv``
    (one row per attempt), ``decisions.csv`` (one row per decision), ``observer.csv`` (one row
    per observer sheet), ``summary.txt``, and once there are results ``scores.png``,
    ``dimensions.png`` and one ``choices-<scenario>.png`` per scenario played. An empty store
    gives the CSV files with their headers and a summary saying there are no results yet.

    Returns
    -------
    list of Path
        The files written, in that order.
    """
    _check_policy(policy)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    book = gradebook(store, policy=policy)
    tried = attempts(store, policy=policy)
    made = decisions(store, lang=lang)
    sheets = store.observer_scores()
    written.append(write_csv(book, out / "gradebook.csv", index=True))
    written.append(write_csv(tried, out / "attempts.csv"))
    written.append(write_csv(made, out / "decisions.csv"))
    written.append(write_csv(sheets, out / "observer.csv"))
    figures: list[Path] = []
    scenarios = sorted(
        set(made.loc[made["kind"] == "scenario", "exercise_id"]) & set(scenario_mod.library())
    )
    if (tried["kind"] == "scenario").any() and tried["finished_at"].notna().any():
        figures.append(_save(plot_scores(store, policy=policy, lang=lang), out / "scores.png"))
        figures.append(
            _save(plot_dimensions(store, policy=policy, lang=lang), out / "dimensions.png")
        )
    for sid in scenarios:
        if choice_distribution(store, sid)["count"].sum():
            fig = plot_choices(store, sid, lang=lang)
            figures.append(_save(fig, out / f"choices-{sid}.png"))
    games = capstone_standings(store)
    if not games.empty:
        written.append(write_csv(games, out / "capstone.csv"))
    summary = out / "summary.txt"
    summary.write_text(
        _summary(book, tried, made, sheets, policy, [*written, summary, *figures], store.url),
        encoding="utf-8",
    )
    return [*written, summary, *figures]


def capstone_standings(store) -> pd.DataFrame:
    """Every capstone business played: each team's best year, ranked by business value."""
    from csat.ui import capstone

    every = store.attempts()
    played = sorted(every.loc[every["kind"] == "capstone", "exercise_id"].unique())
    tables = []
    for exercise in played:
        business = exercise.removeprefix("capstone-")
        board = capstone.standings(store, business).reset_index()
        board.insert(0, "business", business)
        tables.append(board)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def _summary(
    book: pd.DataFrame,
    tried: pd.DataFrame,
    made: pd.DataFrame,
    sheets: pd.DataFrame,
    policy: str,
    files: Iterable[Path],
    source: str = "",
) -> str:
    now = datetime.now(UTC).strftime(TIME_FORMAT)
    games = tried[tried["kind"] == "capstone"]
    tried = tried[tried["kind"] != "capstone"]
    finished = tried[tried["finished_at"].notna()]
    lines = [
        "Customer Satisfaction & Complaint Handling Workshop: results report",
        f"Written {now} UTC. Attempt policy: {policy} (the {policy} finished attempt counts).",
        *([f"Read from {source}"] if source else []),
        "",
    ]
    if tried.empty and sheets.empty:
        lines += [
            "No results yet: the store holds no attempts and no observer sheets.",
            "The CSV files contain their column headers only; figures are drawn once trainees",
            "have finished a role-play.",
        ]
    else:
        lines.append(
            f"Trainees: {len(book)} · attempts: {len(tried)} ({len(finished)} finished) · "
            f"decisions: {len(made)} · observer sheets: {len(sheets)}"
        )
        lines.append("")
        counted = tried[tried["counted"]]
        for exercise, g in counted.groupby("exercise_id"):
            passed = int(g["passed"].fillna(False).sum())
            lines.append(
                f"  {exercise}: {len(g)} trainee(s), median {g['total'].median():.0f}/100, "
                f"{passed} passed"
            )
    if not games.empty:
        teams = games["display_name"].nunique()
        lines += ["", f"Capstone: {teams} team(s), {len(games)} year(s) run (capstone.csv)."]
    lines += [
        "",
        "Times are UTC. CSV files are UTF-8 with a byte-order mark (Excel shows Chinese names);",
        "text that would start like a spreadsheet formula is prefixed with an apostrophe.",
        "",
        "Files:",
        *(f"  {p.name}" for p in files),
        "",
    ]
    return "\n".join(lines)
