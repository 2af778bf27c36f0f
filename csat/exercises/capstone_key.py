"""The capstone's answer key for every business a team can play, written by the game itself.

For one business the key gives the rules — the budget, what half or all of it buys on each
lever, the promise's two edges — computed from :data:`csat.sim.capstone.LEVERS` and the preset
by :func:`csat.sim.capstone.apply`; then a fixed set of candidate plans, each played with
:func:`csat.sim.capstone.play` exactly as a team's console plays it (the whole market, the
game's seeds: :data:`RUNS`), ranked by :func:`csat.sim.capstone.leaderboard`; then what the
figures show. Each of those sentences is chosen by comparing the table's own figures ("spreading
beat every single-lever plan" only where it did), so when the simulator changes, the sentence
changes with the numbers. It is the best of the plans tried, not a proof of the optimum.

The candidate plans, the same for every business (:func:`plans`, in this order):

- ``nothing``: spend nothing, keep today's promise;
- ``lowered``: spend nothing, promise one point below today's;
- ``basics``: notebook 09's *Fix the basics*: training 20%, speed 15%, reliability 35%,
  responsiveness 20%, empathy 10%;
- ``spread``: the budget over the five dimensions, 30/25/15/20/10;
- ``weights``: the budget over the five dimensions in proportion to the business's SERVQUAL
  weights;
- ``reliability_responsiveness``: half each;
- ``all_training`` … ``all_tangibles``: the whole budget on one lever, for each of the seven;
- ``bold``: notebook 09's *Bold promise*: everything on tangibles, promise 9.5.

``csat exercises answers`` appends :func:`part` to the role-play and quiz keys. Playing every
plan at every business is some 80 years of simulation, ten to twenty seconds on a laptop with
the compiled simulator; :func:`results` shares the plays among worker processes. Nothing is
cached: each run of the command plays the game afresh.

>>> list(plans("hotel"))[:3]
['nothing', 'lowered', 'basics']
>>> rules("hotel", "en").startswith("### ")
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from csat import i18n
from csat.sim import capstone as game
from csat.sim import presets
from csat.sim.params import SERVQUAL, Params

WORDS = i18n.Namespace("capstone_key")
TABLE = i18n.Namespace("debrief")
"""The words of the notebook's rules and leaderboard tables, so the key reads like them."""
BUSINESS = i18n.Namespace("business")
DIMENSION = i18n.Namespace("servqual")

RUNS = 3
"""Seeds each plan is played on: the console's (``csat.ui.capstone.Console``), at the whole
market (``population=None``)."""
BOLD_PROMISE = 9.5
"""The bold plan's promise, as in notebook 09's worked example."""
SPREAD = (0.30, 0.25, 0.15, 0.20, 0.10)
LEVER_NAMES = ("training", "speed", *SERVQUAL)
MULTI = ("basics", "spread", "weights", "reliability_responsiveness")
"""The plans that spread the budget over several levers."""
SPENDERS = (*MULTI, *(f"all_{lever}" for lever in LEVER_NAMES), "bold")
"""The plans that spend the whole budget."""
COLUMNS = ("value", "profit_after_spend", "customer_value", "customers_end", "dissatisfied_share")
"""The figures each plan's row shows, named as :meth:`csat.sim.capstone.Outcome.as_row` does."""


def _one(lever: str) -> dict:
    if lever in ("training", "speed"):
        return {lever: 1.0}
    return {"quality": tuple(float(d == lever) for d in SERVQUAL)}


def plans(business: str) -> dict[str, game.Plan]:
    """The candidate plans for ``business``, by id (see the module docstring)."""
    base = presets.get(business)
    today = base.expectations.promise
    specs: dict[str, dict] = {
        "nothing": {},
        "lowered": {"promise": round(max(0.0, today - 1.0), 2)},
        "basics": {"training": 0.2, "speed": 0.15, "quality": (0.35, 0.2, 0.0, 0.1, 0.0)},
        "spread": {"quality": SPREAD},
        "weights": {"quality": tuple(base.service.weights)},
        "reliability_responsiveness": {"quality": (0.5, 0.5, 0.0, 0.0, 0.0)},
        **{f"all_{lever}": _one(lever) for lever in LEVER_NAMES},
        "bold": {"quality": (0.0, 0.0, 0.0, 0.0, 1.0), "promise": BOLD_PROMISE},
    }
    return {pid: game.Plan(team=pid, **spec) for pid, spec in specs.items()}


def play(business: str, plan: game.Plan) -> dict:
    """One plan's year at ``business``, played as the console plays it, as a leaderboard row."""
    return game.play(plan, business=business, runs=RUNS).as_row()


def results(businesses: Sequence[str], *, n_jobs: int = -1) -> dict[str, list[dict]]:
    """Every candidate plan played at each of ``businesses``: its rows, by business.

    The plays are shared among ``n_jobs`` worker processes (joblib; -1: one per CPU, 1: here).
    """
    jobs = [(b, plan) for b in businesses for plan in plans(b).values()]
    if n_jobs == 1:
        rows = [play(b, plan) for b, plan in jobs]
    else:
        from joblib import Parallel, delayed

        rows = Parallel(n_jobs=n_jobs, backend="loky")(delayed(play)(b, p) for b, p in jobs)
    out: dict[str, list[dict]] = {b: [] for b in businesses}
    for (b, _), row in zip(jobs, rows, strict=True):
        out[b].append(row)
    return out


def money(v: float) -> str:
    """Yuan as the course's tables and the capstone console show them: ``¥15,889,081``."""
    return f"¥{float(v):,.0f}"


def _pct(share: float) -> str:
    return f"{share:.0%}"


def lever_label(lever: str, lang: str) -> str:
    """A lever's name as the console labels it."""
    if lever in ("training", "speed"):
        return TABLE[lang][lever]
    return DIMENSION[lang][lever]


def plan_name(pid: str, lang: str) -> str:
    """A candidate plan's name, from the catalogue."""
    names = WORDS[lang]["plans"]
    if pid.startswith("all_"):
        return names["all_on"].format(lever=lever_label(pid.removeprefix("all_"), lang))
    return names[pid]


def _what(plan: game.Plan, base: Params, lang: str) -> str:
    """What a plan does, in words: each lever's share of the budget, then the promise."""
    w = WORDS[lang]
    shares = dict(zip(LEVER_NAMES, (plan.training, plan.speed, *plan.quality), strict=True))
    spent = [w["share"].format(lever=lever_label(k, lang), share=s) for k, s in shares.items() if s]
    parts = [w["list_sep"].join(spent) if spent else w["spend_nothing"]]
    if plan.promise is None:
        parts.append(w["promise_today"].format(promise=base.expectations.promise))
    else:
        parts.append(w["promise_set"].format(promise=plan.promise))
    return w["part_sep"].join(parts)


def rules(business: str, lang: str = i18n.DEFAULT) -> str:
    """The rules of the game at ``business``, as Markdown: the budget (the console's
    :func:`csat.sim.capstone.budget`), each lever today and with half or all of the budget,
    diminishing returns and the promise."""
    i18n.check(lang, where="capstone_key.rules: lang")
    w, t = WORDS[lang], TABLE[lang]
    base = presets.get(business)

    def after(**shares) -> Params:
        return game.apply(game.Plan(team="rules", **shares), base)

    lines = [f"### {w['rules']}", ""]
    lines.append(w["budget"].format(budget=money(game.budget(business)), share=game.BUDGET_SHARE))
    lines += ["", f"| {t['lever']} | {t['changes']} | {t['today']} | {t['half']} | {t['whole']} |"]
    lines.append("|---|---|---|---|---|")
    for lever, field in (("training", "resolution_rate"), ("speed", "quick_share")):
        cells = [_pct(getattr(p.recovery, field)) for p in (base, after(**{lever: 0.5}),
                                                              after(**{lever: 1.0}))]  # fmt: skip
        lines.append(f"| {t[lever]} | {t[f'{lever}_what']} | {' | '.join(cells)} |")
    for i, dim in enumerate(SERVQUAL):
        quality = [base]
        for share in (0.5, 1.0):
            quality.append(after(quality=tuple(share * (d == dim) for d in SERVQUAL)))
        cells = [f"{p.service.quality[i]:.2f} ({p.service.spread[i]:.2f})" for p in quality]
        lines.append(f"| {DIMENSION[lang][dim]} | {t['quality_what']} | {' | '.join(cells)} |")
    k = game.LEVERS["saturation"]
    q, h, whole = (1.0 - math.exp(-k * s) for s in (0.25, 0.5, 1.0))
    lines += ["", w["returns"].format(q=q, h=h, w=whole), ""]
    today = base.expectations.promise
    now, bolder = (game.apply(game.Plan(team="rules", promise=min(10.0, p)), base)
                   for p in (today, today + 1.0))  # fmt: skip
    delivered = base.service.mean_experience

    def regular(p: Params) -> float:
        x = p.expectations
        return x.promise_weight * x.promise + (1 - x.promise_weight) * delivered

    above = regular(bolder) > delivered
    lines.append(
        w["promise"].format(
            reach=bolder.innovation / now.innovation,
            rise=regular(bolder) - regular(now),
            weight=base.expectations.promise_weight,
            promise=today,
            regular=regular(now),
            delivered=delivered,
            bolder=regular(bolder),
            compare=w["above" if above else "below"],
        )
    )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def row(business: str, r: Mapping, lang: str = i18n.DEFAULT) -> str:
    """One plan's row of the table, without its rank: ``r`` as
    :meth:`csat.sim.capstone.Outcome.as_row` gives it (``team`` is the plan's id)."""
    pid = str(r["team"])
    what = _what(plans(business)[pid], presets.get(business), lang)
    cells = [money(r[c]) for c in COLUMNS[:3]]
    return (
        f"**{_cell(plan_name(pid, lang))}** (`{pid}`) | {_cell(what)} | {' | '.join(cells)} "
        f"| {float(r['customers_end']):,.0f} | {float(r['dissatisfied_share']):.1%} |"
    )


def lessons(business: str, board: pd.DataFrame, lang: str = i18n.DEFAULT) -> list[str]:
    """What the figures of ``board`` (a leaderboard of the candidate plans) show, each sentence
    chosen by comparing them."""
    w = WORDS[lang]["lessons"]
    by = {str(r["team"]): r for _, r in board.iterrows()}

    def name(pid: str) -> str:
        return f"**{plan_name(pid, lang)}**"

    def v(pid: str) -> str:
        return money(by[pid]["value"])

    def dis(pid: str) -> str:
        return f"{float(by[pid]['dissatisfied_share']):.1%}"

    def best(pids) -> str:
        return max(pids, key=lambda p: by[p]["value"])

    def worst(pids) -> str:
        return min(pids, key=lambda p: by[p]["value"])

    def gap(a: str, b: str) -> str:
        return money(abs(by[a]["value"] - by[b]["value"]))

    then = WORDS[lang]["sentence_sep"]
    out = []
    top = str(board.iloc[0]["team"])
    if top == "nothing":
        out.append(w["nothing_best"].format(plan=name(top), value=v(top)))
    else:
        out.append(w["best"].format(plan=name(top), value=v(top), gain=gap(top, "nothing")))

    singles = [f"all_{lever}" for lever in LEVER_NAMES]
    single, spread, low = best(singles), best(MULTI), worst(MULTI)
    values = {"single": name(single), "single_value": v(single), "spread": name(spread),
              "value": v(spread), "low": name(low), "low_value": v(low)}  # fmt: skip
    if by[low]["value"] > by[single]["value"]:
        out.append(w["spread_all"].format(**values))
    elif by[spread]["value"] > by[single]["value"]:
        out.append(w["spread_best"].format(**values))
    else:
        out.append(w["single_best"].format(**values))

    dims = [f"all_{d}" for d in SERVQUAL]
    hi, lo = best(dims), worst(dims)
    text = w["dimension"].format(best=DIMENSION[lang][hi[4:]], best_value=v(hi),
                                 worst=DIMENSION[lang][lo[4:]], worst_value=v(lo))  # fmt: skip
    weights = presets.get(business).service.weights
    heaviest = SERVQUAL[max(range(5), key=lambda i: weights[i])]
    if hi == f"all_{heaviest}":
        text += then + w["heaviest"].format(
            dimension=DIMENSION[lang][heaviest], weight=max(weights)
        )
    out.append(text)

    recovery = best(["all_training", "all_speed"])
    values = {"quality": name(hi), "quality_value": v(hi), "recovery": name(recovery),
              "recovery_value": v(recovery)}  # fmt: skip
    key = "prevention" if by[hi]["value"] > by[recovery]["value"] else "recovery"
    out.append(w[key].format(**values))

    same = "all_tangibles"
    values = {"diff": gap("bold", same), "same": name(same), "dis": dis("bold"),
              "same_dis": dis(same)}  # fmt: skip
    if by["bold"]["value"] < by[same]["value"]:
        text = w["bold_costs"].format(**values)
        if by["bold"]["customers_end"] > by[same]["customers_end"]:
            text += then + w["bold_customers"].format(
                customers=f"{by['bold']['customers_end']:,.0f}",
                same_customers=f"{by[same]['customers_end']:,.0f}",
            )
        out.append(text)
    else:
        out.append(w["bold_pays"].format(**values))

    values = {"diff": gap("lowered", "nothing"), "dis": dis("lowered"), "none_dis": dis("nothing")}
    if by["lowered"]["value"] > by["nothing"]["value"]:
        text = w["lowered_pays"].format(**values)
        beaten = [p for p in SPENDERS if by[p]["value"] < by["lowered"]["value"]]
        if beaten:
            text += then + w["lowered_beats"].format(k=len(beaten), n=len(SPENDERS))
        out.append(text)
    else:
        out.append(w["lowered_costs"].format(**values))

    below = [p for p in SPENDERS if by[p]["value"] < by["nothing"]["value"]]
    if below:
        plans_below = WORDS[lang]["name_sep"].join(name(p) for p in below)
        out.append(w["below_nothing"].format(k=len(below), n=len(SPENDERS), plans=plans_below))
    return out


def section(business: str, lang: str, rows: Sequence[Mapping] | pd.DataFrame) -> str:
    """The key of one business, as Markdown: its rules, the candidate plans' ``rows`` (as
    :func:`results` gives them) ranked by business value, and what their figures show."""
    i18n.check(lang, where="capstone_key.section: lang")
    w, t = WORDS[lang], TABLE[lang]
    board = game.leaderboard(rows if isinstance(rows, pd.DataFrame) else list(rows))
    if sorted(board["team"]) != sorted(plans(business)):
        raise ValueError(f"capstone_key.section: rows must hold each of {list(plans(business))}")
    label = BUSINESS[lang][business]
    lines = [f"## {label} (`{business}`)", "", rules(business, lang), f"### {w['plans_played']}"]
    heads = [t["rank"], w["plan"], w["what"], t["value"], t["profit_after_spend"],
             t["customer_value"], t["customers_col"], t["dissatisfied_col"]]  # fmt: skip
    lines += ["", f"| {' | '.join(heads)} |", "|---:|---|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {rank} | {row(business, r, lang)}" for rank, r in board.iterrows()]
    lines += ["", f"### {w['figures_show']}", ""]
    lines += [f"- {text}" for text in lessons(business, board, lang)]
    return "\n".join(lines) + "\n"


def part(businesses: Sequence[str], lang: str = i18n.DEFAULT, rows: Mapping | None = None) -> str:
    """The capstone part of the answer keys: a title, a word on how it was made, and one
    :func:`section` per business (``rows``: :func:`results` of them, played if not given)."""
    i18n.check(lang, where="capstone_key.part: lang")
    w = WORDS[lang]
    rows = results(businesses) if rows is None else rows
    n = len(plans(businesses[0])) if businesses else 0
    head = f"# {w['title']}\n\n{w['intro'].format(n=n, runs=RUNS)}\n"
    return "\n".join([head, *(section(b, lang, rows[b]) for b in businesses)])
