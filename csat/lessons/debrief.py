"""Worked examples and debriefs for the complaint-handling notebooks and the capstone.

- the rubric as the frameworks trainers know: :func:`framework_table` (from
  :data:`csat.exercises.rubric.FRAMEWORKS`);
- a scenario's paths: :func:`follow` turns reply ids into a path, :func:`compare_paths` scores
  paths side by side with the engine, :func:`path_replies` lists what each reply earned,
  :func:`all_paths` and :func:`paths_figure` show every way through a scenario;
- "your handling, across a year of customers": :func:`demo_endings` (a deterministic demo
  class), :func:`store_endings` and :func:`endings_for` (the trainees' own endings from the
  store, or the demo when there are none), :func:`mix_table`, :func:`handling_worlds` and
  :func:`handling_figure`, built on :func:`csat.exercises.bridge.handling_params`;
- the capstone: :func:`capstone_rules` (from :data:`csat.sim.capstone.LEVERS`, by applying one-lever
  plans), :func:`returns_figure`, :func:`plans_figure`, :func:`leaderboard_table`.

>>> from csat.exercises.scenario import load
>>> s = load("car-not-ready")
>>> path = follow(s, ["check-first", "own-time-ask", "use-the-wait", "tell-now-options",
...                   "essentials-first", "own-and-close"])
>>> path == s.best_path()
True
>>> len(demo_endings(s, 8))
8
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from csat import i18n, sim
from csat.exercises import rubric
from csat.exercises.bridge import handling_params, outcome_mix
from csat.exercises.engine import score_path
from csat.exercises.scenario import Ending, Scenario
from csat.exercises.scenario import load as load_scenario
from csat.lessons import style
from csat.sim import capstone as game

_RC = {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 14, "legend.fontsize": 12}
FRAMEWORK_COLUMNS = ("deck", "HEARD", "LATTE", "LAST")
"""The frameworks :func:`framework_table` shows, the decks' service steps first."""

OUTCOME_COLOURS = {
    ("stays", "positive"): "#1a9850",
    ("stays", "neutral"): "#a6d96a",
    ("stays", "negative"): "#fee08b",
    ("leaves", "positive"): "#fdae61",
    ("leaves", "neutral"): "#fdae61",
    ("leaves", "negative"): "#d73027",
    ("escalates", "positive"): "#a50026",
    ("escalates", "neutral"): "#a50026",
    ("escalates", "negative"): "#67001f",
}

TEXT = i18n.Namespace("debrief")
"""The words of the debrief tables and figures, ``TEXT[lang][key]``."""

_TABLES = i18n.Namespace("debrief_tables")
_TYPOGRAPHY = i18n.Namespace("debrief_typography")


def _check_lang(lang: str) -> None:
    i18n.check(lang, where="lang")


# -- the one rubric, read as the frameworks -------------------------------------------------


def framework_table(lang: str = "en") -> pd.DataFrame:
    """The six rubric dimensions and the step of each framework read from them.

    Built from :data:`csat.exercises.rubric.FRAMEWORKS`: a step that averages several dimensions
    appears in each of their rows.
    """
    _check_lang(lang)
    t = TEXT[lang]
    rows = []
    for key, dim in rubric.DIMENSIONS.items():
        row = {t["dimension"]: dim.name(lang)}
        for framework in FRAMEWORK_COLUMNS:
            steps = [s for s, keys in rubric.FRAMEWORKS[framework].items() if key in keys]
            header = t["deck"] if framework == "deck" else framework
            row[header] = " · ".join(steps) if steps else t["none"]
        row[t["looks_for"]] = dim.looks_for(lang)
        rows.append(row)
    return pd.DataFrame(rows).set_index(t["dimension"])


# -- paths through a scenario ---------------------------------------------------------------


def follow(scenario: Scenario, choices: Sequence[str]) -> list[tuple[str, str]]:
    """The path that takes the replies ``choices`` (ids) in turn from the start.

    Raises ValueError when a reply is not on offer where the path has got to, or when the
    replies end before the conversation does or go on after it.
    """
    path, node = [], scenario.start
    for i, choice_id in enumerate(choices):
        if scenario.is_ending(node):
            raise ValueError(
                f"{scenario.id}: the conversation ended at {node!r} after {i} replies; "
                f"got {len(choices)}"
            )
        ids = [c.id for c in scenario.nodes[node].choices]
        if choice_id not in ids:
            raise ValueError(
                f"{scenario.id}: reply {i + 1} must be one of {', '.join(ids)} at node "
                f"{node!r}, got {choice_id!r}"
            )
        path.append((node, choice_id))
        node = scenario.choice(node, choice_id).next
    if not scenario.is_ending(node):
        raise ValueError(
            f"{scenario.id}: after {len(choices)} replies the conversation is still at "
            f"{node!r}; give the replies up to an ending"
        )
    return path


def compare_paths(
    scenario: Scenario, paths: Mapping[str, Sequence[tuple[str, str]]], *, lang: str = "en"
) -> pd.DataFrame:
    """Paths scored side by side by the engine: total, each rubric dimension the scenario
    assesses, whether it passes, the ending, what the customer does and how many they tell."""
    _check_lang(lang)
    t = TEXT[lang]
    columns = {}
    for label, path in paths.items():
        score = score_path(scenario, list(path))
        ending = scenario.endings[score.ending]
        col = {t["total"]: f"{score.total:.0f}"}
        for key, value in score.dimensions.items():
            if value is not None:
                col[rubric.name(key, lang)] = f"{value:.0f}"
        col[t["passed"]] = t["yes"] if score.passed else t["no"]
        col[t["ending"]] = ending.title(lang)
        col[t["outcome"]] = t[ending.outcome]
        col[t["tells"]] = str(ending.tells)
        columns[label] = col
    return pd.DataFrame(columns)


def path_replies(
    scenario: Scenario,
    path: Sequence[tuple[str, str]],
    *,
    lang: str = "en",
    width: int | None = None,
) -> pd.DataFrame:
    """What each reply on ``path`` said (in full, or shortened to ``width`` characters), the
    rubric points it earned and how it moved the customer's mood."""
    _check_lang(lang)
    t = TEXT[lang]
    rows = []
    for i, (node, choice_id) in enumerate(path, start=1):
        c = scenario.choice(node, choice_id)
        text = c.text(lang)
        short = text if width is None or len(text) <= width else text[: width - 1].rstrip() + "…"
        points = _TABLES[lang]["list_separator"].join(
            f"{rubric.name(k, lang)} {v:+d}" for k, v in c.points.items() if v
        )
        rows.append({t["step"]: i, t["reply"]: short, t["points"]: points, t["mood"]: c.mood})
    return pd.DataFrame(rows).set_index(t["step"])


def all_paths(scenario: Scenario) -> pd.DataFrame:
    """Every path through ``scenario``: its total score, ending, outcome, sentiment, whether
    it passes, and its number of replies, in the order :meth:`Scenario.paths` gives them."""
    rows = []
    for path, ending in scenario.paths():
        score = score_path(scenario, path)
        e = scenario.endings[ending]
        rows.append(
            {
                "total": score.total,
                "ending": ending,
                "outcome": e.outcome,
                "sentiment": e.sentiment,
                "passed": score.passed,
                "replies": len(path),
            }
        )
    return pd.DataFrame(rows)


def scenario_table(ids: Sequence[str], *, lang: str = "en") -> pd.DataFrame:
    """Scenarios side by side: title, business, the customer, decision points on the best
    path, ways through the conversation and the share of them that pass."""
    _check_lang(lang)
    t = TEXT[lang]
    business = _TABLES[lang]["business"]
    rows = []
    for sid in ids:
        s = load_scenario(sid)
        paths = all_paths(s)
        rows.append(
            {
                t["scenario"]: s.title(lang),
                t["business"]: business[s.business],
                t["customer"]: s.persona.name(lang),
                t["decisions"]: len(s.best_path()),
                t["ways"]: f"{len(paths):,}",
                t["pass_share"]: f"{paths['passed'].mean():.0%}",
            }
        )
    return pd.DataFrame(rows, index=pd.Index(list(ids), name="id"))


def paths_figure(
    scenario: Scenario,
    marks: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    *,
    lang: str = "en",
) -> Figure:
    """How every way through ``scenario`` scores, stacked by ending, with the pass mark and
    the ``marks`` (label → path) drawn on it."""
    _check_lang(lang)
    lang = style.figure_lang(lang)
    t = TEXT[lang]
    table = all_paths(scenario)
    bins = np.arange(0, 105, 5)
    best = scenario.best_ending()
    with plt.rc_context(style.rc(lang, *(marks or {}), **_RC)):
        fig, ax = plt.subplots(figsize=(13, 6.5), layout="constrained")
        bottom = np.zeros(len(bins) - 1)
        for key, ending in scenario.endings.items():
            counts, _ = np.histogram(table.loc[table["ending"] == key, "total"], bins=bins)
            label = _TABLES[lang]["ending_label"].format(
                title=ending.title(lang), outcome=t[ending.outcome]
            )
            colour = OUTCOME_COLOURS[(ending.outcome, ending.sentiment)]
            ax.bar(bins[:-1], counts, width=5, align="edge", bottom=bottom, color=colour,
                   edgecolor="white", label=label)  # fmt: skip
            bottom += counts
        top = float(bottom.max())
        ax.axvline(scenario.pass_threshold, color="black", lw=2, ls="--")
        ax.annotate(t["pass_mark"].format(t=scenario.pass_threshold),
                    xy=(scenario.pass_threshold, top * 0.62), xytext=(6, 0),
                    textcoords="offset points", fontsize=13)  # fmt: skip
        for i, (label, path) in enumerate((marks or {}).items()):
            score = score_path(scenario, list(path)).total
            ha = "right" if score > 90 else "left" if score < 10 else "center"
            ax.annotate(label, xy=(score, 0), xytext=(score, top * (0.45 - 0.12 * i)), ha=ha,
                        fontsize=13, arrowprops={"arrowstyle": "->", "lw": 2},
                        bbox={"boxstyle": "round", "fc": "white", "ec": "#444"})  # fmt: skip
        ax.set(xlabel=t["score_axis"], ylabel=t["paths_axis"], xlim=(0, 100))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
        ax.set_ylim(0, top * 1.08)
        ax.legend(loc="upper right", framealpha=0.95)
        ax.grid(axis="y", alpha=0.3)
        ax.set_title(
            t["paths_title"].format(
                n=len(table),
                title=scenario.title(lang),
                p=table["passed"].mean(),
                b=(table["ending"] == best).mean(),
                best=scenario.endings[best].title(lang),
            ),
            fontweight=style.weight(lang),
        )
    return fig


# -- your handling, across a year of customers ----------------------------------------------


def demo_paths(scenario: Scenario, n: int = 8) -> list[list[tuple[str, str]]]:
    """A deterministic demo class of ``n`` trainees: paths spread evenly over the scores the
    scenario allows (the paths at the middle of each of ``n`` equal slices, worst first)."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"demo_paths needs n >= 1 trainees, got {n!r}")
    paths = [p for p, _ending in scenario.paths()]
    totals = np.array([score_path(scenario, p).total for p in paths])
    order = np.argsort(totals, kind="stable")
    picks = [order[min(len(order) - 1, int((i + 0.5) * len(order) / n))] for i in range(n)]
    return [paths[i] for i in picks]


def demo_endings(scenario: Scenario, n: int = 8) -> list[Ending]:
    """The endings the demo class of :func:`demo_paths` reaches."""
    return [scenario.endings[scenario.choice(*p[-1]).next] for p in demo_paths(scenario, n)]


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def store_endings(store, scenario: Scenario, trainee: str | None = None) -> list[Ending]:
    """Endings of the finished attempts at ``scenario`` in the store: everyone's, or only
    those of the trainee whose display name is ``trainee`` (case and spaces ignored).
    Endings the scenario no longer has (an older version) are left out."""
    frame = store.attempts(exercise_id=scenario.id, finished_only=True)
    frame = frame[frame["kind"] == "scenario"]
    if trainee is not None and trainee.strip():
        frame = frame[frame["display_name"].map(_norm) == _norm(trainee)]
    return [scenario.endings[e] for e in frame["ending"] if e in scenario.endings]


def endings_for(
    store, scenario: Scenario, trainee: str | None = None, *, n_demo: int = 8
) -> tuple[list[Ending], str]:
    """The endings to run a year with, and whose they are: the trainee's own (``"trainee"``),
    everyone's in the store (``"class"``), or the demo class's when there are none
    (``"fallback"``, which :func:`handling_figure` says in its title)."""
    if store is not None:
        found = store_endings(store, scenario, trainee)
        if found:
            return found, "trainee" if trainee and trainee.strip() else "class"
    return demo_endings(scenario, n_demo), "fallback"


def mix_table(endings: Sequence[Ending], *, lang: str = "en") -> pd.DataFrame:
    """What a set of endings says as a complaint-handling policy (:func:`outcome_mix`)."""
    _check_lang(lang)
    t = TEXT[lang]
    mix = outcome_mix(endings)

    def told(v: float | None) -> str:
        return t["none"] if v is None else f"{v:.1f}"

    values = {
        t["stays_share"]: f"{mix['stays']:.0%}",
        t["leaves_share"]: f"{mix['leaves']:.0%}",
        t["escalates_share"]: f"{mix['escalates']:.0%}",
        t["told_negative"]: told(mix["told_negative"]),
        t["told_positive"]: told(mix["told_positive"]),
        t["n"]: str(mix["n"]),
    }
    return pd.DataFrame({t["share"]: values})


def handling_worlds(
    base: sim.Params,
    endings: Sequence[Ending],
    scenario: Scenario,
    *,
    source: str = "demo",
    lang: str = "en",
) -> dict[str, sim.Params]:
    """The business three ways: its research-default recovery policy, complaints handled as
    ``endings`` say (:func:`csat.exercises.bridge.handling_params`), and every complaint handled
    as on the scenario's best path. Keys are labels in ``lang``."""
    _check_lang(lang)
    t = TEXT[lang]
    best = scenario.endings[scenario.best_ending()]
    return {
        t["default"]: base,
        t["handled"].format(source=t[f"source_{source}"]): handling_params(base, endings),
        t["best"]: handling_params(base, [best]),
    }


def _wrap_label(text: str, lang: str) -> str:
    """A bar label on two or three short lines, as ``lang`` sets it (catalogue namespace
    ``debrief_typography``): broken once before ``label_break_before`` when the label holds it
    (Chinese: before a bracket), else wrapped at ``label_width`` characters."""
    rules = _TYPOGRAPHY[lang]
    before = rules["label_break_before"]
    if before and before in text:
        return text.replace(before, "\n" + before, 1)
    return "\n".join(textwrap.wrap(text, int(rules["label_width"]), break_on_hyphens=False))


def handling_figure(
    comparison: pd.DataFrame, *, source: str = "demo", name: str = "", n_runs: int | None = None,
    lang: str = "en",
) -> Figure:  # fmt: skip
    """Customers at year end and customers lost after a problem in each world of
    :func:`handling_worlds` (a :func:`csat.lessons.recovery.compare_years` table), 90% range as
    whiskers. The title says how the trainees' world differs from the research default, or that
    the difference is within the noise of the runs (its 90% interval includes 0). ``n_runs``:
    the runs of each world, by default as :func:`~csat.lessons.recovery.compare_years` noted
    them. With ``source="fallback"`` the title first says that the demo class is shown
    because the store has no results yet."""
    _check_lang(lang)
    lang = style.figure_lang(lang)
    t = TEXT[lang]
    colours = ["#969696", "#4393c3", "#1a9850"]
    labels = [_wrap_label(str(w), lang) for w in comparison.index]
    with plt.rc_context(style.rc(lang, *labels, **_RC)):
        fig, axes = plt.subplots(1, 2, figsize=(14, 6.5), layout="constrained")
        for ax, key, axis in (
            (axes[0], "customers_end", t["kept_axis"]),
            (axes[1], "lost_after_problem", t["lost_axis"]),
        ):
            mean = comparison[key].to_numpy()
            err = np.vstack([mean - comparison[f"{key}_q05"], comparison[f"{key}_q95"] - mean])
            x = np.arange(len(mean))
            ax.bar(x, mean, color=colours[: len(mean)], yerr=err, capsize=8, width=0.65)
            tops = comparison[f"{key}_q95"].to_numpy()
            for xi, v, top in zip(x, mean, tops, strict=True):
                ax.annotate(f"{v:,.0f}", xy=(xi, top), xytext=(0, 6), textcoords="offset points",
                            ha="center", fontsize=14)  # fmt: skip
            ax.set_ylim(0, float(tops.max()) * 1.15)
            ax.set_xticks(x, labels)
            ax.set_ylabel(axis)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
            ax.grid(axis="y", alpha=0.3)
        kept = comparison["customers_end"].to_numpy()
        note = t["fallback_note"] + "\n" if source == "fallback" else ""
        runs = n_runs if n_runs is not None else comparison.attrs.get("n_runs", "?")
        clear = bool(comparison["customers_end_clear"].iloc[1])
        fig.suptitle(
            note
            + t["handling_title" if clear else "handling_title_noise"].format(
                source=t[f"source_{source}"],
                customers=kept[1],
                diff=abs(kept[1] - kept[0]),
                word=t["more"] if kept[1] >= kept[0] else t["fewer"],
                name=name,
                n=runs,
            ),
            fontsize=15,
            fontweight=style.weight(lang),
        )
    return fig


# -- the capstone ---------------------------------------------------------------------------


def capstone_rules(business: str = "hotel", *, lang: str = "en") -> pd.DataFrame:
    """What each lever of the capstone does to ``business``, computed by applying one-lever
    plans (half the budget, the whole budget) with :func:`csat.sim.capstone.apply`."""
    _check_lang(lang)
    t = TEXT[lang]
    base = sim.presets.get(business)

    def after(**shares) -> sim.Params:
        return game.apply(game.Plan(team="rules", **shares), base)

    rows = []
    for lever, field in (("training", "resolution_rate"), ("speed", "quick_share")):
        values = [getattr(p.recovery, field) for p in (base, after(**{lever: 0.5}),
                                                        after(**{lever: 1.0}))]  # fmt: skip
        rows.append([t[lever], t[f"{lever}_what"], *[f"{v:.0%}" for v in values]])
    for i, dim in enumerate(sim.SERVQUAL):
        plans = [base]
        for share in (0.5, 1.0):
            q = [0.0] * 5
            q[i] = share
            plans.append(after(quality=tuple(q)))
        cells = [f"{p.service.quality[i]:.2f} ({p.service.spread[i]:.2f})" for p in plans]
        rows.append([i18n.t(f"servqual.{dim}", lang), t["quality_what"], *cells])
    return pd.DataFrame(
        rows, columns=[t["lever"], t["changes"], t["today"], t["half"], t["whole"]]
    ).set_index(t["lever"])


def promise_rules(
    business: str = "hotel", *, steps: Sequence[float] = (-1.0, 0.0, 1.0, 2.0), lang: str = "en"
) -> pd.DataFrame:
    """The promise's two edges for ``business``: for promises ``steps`` points from today's,
    the expectation of a new customer (promise weight × promise + the rest × needs) and of a
    regular whose own view has settled on what an average visit delivers, that visit, and the
    advertising reach against today's, computed by :func:`csat.sim.capstone.apply`."""
    _check_lang(lang)
    t = TEXT[lang]
    base = sim.presets.get(business)
    e = base.expectations
    rows = []
    for step in steps:
        promise = min(10.0, max(0.0, e.promise + step))
        p = game.apply(game.Plan(team="rules", promise=promise), base)
        x = p.expectations
        expects = x.promise_weight * x.promise + (1 - x.promise_weight) * x.needs
        delivered = p.service.mean_experience
        regular = x.promise_weight * x.promise + (1 - x.promise_weight) * delivered
        rows.append(
            {
                t["promise_col"]: f"{promise:.1f}" + (f" ({t['today']})" if step == 0 else ""),
                t["expect_col"]: f"{expects:.2f}",
                t["regular_col"]: f"{regular:.2f}",
                t["delivered_col"]: f"{delivered:.2f}",
                t["reach_col"]: f"×{p.innovation / base.innovation:.2f}",
            }
        )
    return pd.DataFrame(rows).set_index(t["promise_col"])


def returns_figure(*, lang: str = "en") -> Figure:
    """The capstone's diminishing returns: the share of a lever's maximum effect bought by
    each share of the budget, 1 − e^(−k·s) with k = ``LEVERS["saturation"]``."""
    _check_lang(lang)
    lang = style.figure_lang(lang)
    t = TEXT[lang]
    k = game.LEVERS["saturation"]

    def effect(s: float) -> float:
        return 1.0 - math.exp(-k * s)

    s = np.linspace(0.0, 1.0, 201)
    with plt.rc_context(style.rc(lang, **_RC)):
        fig, ax = plt.subplots(figsize=(11, 6), layout="constrained")
        ax.plot(s, 1.0 - np.exp(-k * s), lw=4, color="#2166ac", label=t["returns_game"].format(k=k))
        ax.plot(s, s, lw=2, ls=":", color="#969696", label=t["returns_flat"])
        for share in (0.25, 0.5, 1.0):
            ax.plot([share], [effect(share)], "o", ms=12, color="#b2182b", zorder=5)
            right = share < 0.9
            ax.annotate(f"{share:.0%} → {effect(share):.0%}", xy=(share, effect(share)),
                        xytext=(14 if right else -14, -34), textcoords="offset points",
                        ha="left" if right else "right", fontsize=14)  # fmt: skip
        ax.set(xlabel=t["budget_axis"], ylabel=t["effect_axis"], xlim=(0, 1.02), ylim=(0, 1.05))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", framealpha=0.95)
        ax.set_title(
            t["returns_title"].format(q=effect(0.25), h=effect(0.5), w=effect(1.0)),
            fontweight=style.weight(lang),
        )
    return fig


def plans_figure(outcomes: Sequence[game.Outcome], *, lang: str = "en") -> Figure:
    """Business value of each team's year, split into profit after the spend and the lifetime
    value of the customers it ends with (¥ million)."""
    _check_lang(lang)
    lang = style.figure_lang(lang)
    t = TEXT[lang]
    if not outcomes:
        raise ValueError("plans_figure needs at least one outcome, got none")
    ranked = sorted(outcomes, key=lambda o: o.value, reverse=True)
    names = [o.plan.team for o in ranked]
    profit = np.array([(o.profit - o.spent) / 1e6 for o in ranked])
    value = np.array([o.customer_value / 1e6 for o in ranked])
    with plt.rc_context(style.rc(lang, *names, **_RC)):
        fig, ax = plt.subplots(figsize=(12, 1.6 + 1.3 * len(ranked)), layout="constrained")
        y = np.arange(len(ranked))[::-1]
        ax.barh(y, profit, color="#4393c3", label=t["profit_after_spend"])
        ax.barh(y, value, left=profit, color="#1a9850", label=t["customer_value"])
        for yi, total in zip(y, profit + value, strict=True):
            ax.annotate(_TABLES[lang]["bar_total"].format(total=total),
                        xy=(total, yi), xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=14)  # fmt: skip
        ax.set_yticks(y, ["\n".join(textwrap.wrap(n, 28)) for n in names])
        ax.set_xlabel(t["money_axis"])
        ax.set_xlim(0, float((profit + value).max()) * 1.18)
        ax.legend(loc="lower right", framealpha=0.95)
        ax.grid(axis="x", alpha=0.3)
        title = t["plans_title"].format(
            winner=names[0],
            v1=ranked[0].value / 1e6,
            v2=ranked[1].value / 1e6 if len(ranked) > 1 else ranked[0].value / 1e6,
        )
        ax.set_title(title, fontweight=style.weight(lang, title, *names))
    return fig


def leaderboard_table(
    outcomes: Sequence[game.Outcome] | pd.DataFrame, *, lang: str = "en"
) -> pd.DataFrame:
    """The capstone's leaderboard as a trainer projects it: teams ranked by business value, money
    in ¥ with thousands separators, the share of disappointing visits in %, and headers in
    ``lang``. Takes outcomes or the table :func:`csat.sim.capstone.leaderboard` returns."""
    _check_lang(lang)
    t = TEXT[lang]
    board = game.leaderboard(outcomes if isinstance(outcomes, pd.DataFrame) else list(outcomes))
    if board.empty:
        return pd.DataFrame()

    def money(v: float) -> str:
        return f"¥{float(v):,.0f}"

    table = pd.DataFrame(
        {
            t["team"]: board["team"].astype(str),
            t["value"]: board["value"].map(money),
            t["profit_after_spend"]: board["profit_after_spend"].map(money),
            t["customer_value"]: board["customer_value"].map(money),
            t["customers_col"]: board["customers_end"].map(lambda v: f"{float(v):,.0f}"),
            t["dissatisfied_col"]: board["dissatisfied_share"].map(lambda v: f"{float(v):.1%}"),
            t["spent_col"]: board["spent"].map(money),
        },
        index=board.index,
    )
    table.index.name = t["rank"]
    return table
