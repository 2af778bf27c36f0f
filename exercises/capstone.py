"""The capstone in the room: each team's plan, its simulated year, the store and the leaderboard.

The game's rules live in :mod:`sim.capstone`; this module saves a team's run to the results
store (kind ``capstone``: the team is the trainee, each lever one decision, business value the
score) and gives the widgets: :class:`Console` for a team, :class:`Leaderboard` for the trainer's
screen. Widgets update by ``.value`` only, so notebooks that show them pass nbval.

>>> from exercises.store import Store
>>> from sim.capstone import Plan, play
>>> store = Store("sqlite://")
>>> outcome = play(Plan(team="Blue", training=0.5), business="hotel", runs=1, population=2_000)
>>> attempt = save(store, outcome)
>>> list(standings(store, "hotel")["team"])
['Blue']
"""

from __future__ import annotations

import html
import io
from typing import Any

import pandas as pd

from sim import capstone as game
from sim import presets
from sim.params import SERVQUAL

EXERCISE = "capstone-{business}"
BUSINESSES = ("hotel", "car_dealer", "hotpot", "sales_office", "b2b_supplier", "airline")
SCORE_KEYS = (
    "value",
    "profit_after_spend",
    "customer_value",
    "customers_end",
    "dissatisfied_share",
    "spent",
)

TEXT = {
    "en": {
        "team": "Team name",
        "business": "Business",
        "budget": "Improvement budget for the year: <b>¥{budget:,.0f}</b>. Allocated: <b>{used:.0%}"
        "</b>, kept as profit: <b>{left:.0%}</b>.",
        "over": "You have allocated {used:.0%} of the budget: take something back to 100% or less.",
        "need_team": "Type your team's name first.",
        "run": "Run our year",
        "training": "Complaint-handling training",
        "speed": "Response speed",
        "promise": "Advertised promise (0–10)",
        "running": "Running the year…",
        "result": "<h3>{team}: business value ¥{value:,.0f}</h3><p>Profit after spending: "
        "¥{profit:,.0f} · lifetime value of the customers you end with: ¥{cv:,.0f} · customers "
        "at year end: {customers:,.0f} · dissatisfied visits: {dis:.1%}</p>",
        "saved": "Saved for the leaderboard.",
        "refresh": "Refresh",
        "empty": "No team has run its year yet.",
        "rank": "Rank",
        "cols": {
            "team": "Team",
            "value": "Business value (¥)",
            "profit_after_spend": "Profit after spend (¥)",
            "customer_value": "Customer lifetime value (¥)",
            "customers_end": "Customers at year end",
            "dissatisfied_share": "Dissatisfied visits",
        },
    },
    "zh": {
        "team": "团队名称",
        "business": "行业",
        "budget": "本年度改进预算：<b>¥{budget:,.0f}</b>。已分配：<b>{used:.0%}</b>，"
        "留作利润：<b>{left:.0%}</b>。",
        "over": "预算已分配 {used:.0%}，请调回到 100% 以内。",
        "need_team": "请先输入团队名称。",
        "run": "运行我们的一年",
        "training": "投诉处理培训",
        "speed": "响应速度",
        "promise": "广告承诺（0–10）",
        "running": "正在模拟这一年……",
        "result": "<h3>{team}：企业价值 ¥{value:,.0f}</h3><p>扣除投入后的利润：¥{profit:,.0f} · "
        "年末客户的终身价值：¥{cv:,.0f} · 年末客户数：{customers:,.0f} · "
        "不满意的到访：{dis:.1%}</p>",
        "saved": "已保存，可在排行榜查看。",
        "refresh": "刷新",
        "empty": "还没有团队运行过。",
        "rank": "名次",
        "cols": {
            "team": "团队",
            "value": "企业价值（¥）",
            "profit_after_spend": "扣除投入后的利润（¥）",
            "customer_value": "客户终身价值（¥）",
            "customers_end": "年末客户数",
            "dissatisfied_share": "不满意到访占比",
        },
    },
}
BUSINESS_NAMES = {
    "en": {
        "hotel": "Hotel",
        "car_dealer": "Car dealership",
        "hotpot": "Hot-pot restaurant",
        "sales_office": "Real-estate sales office",
        "b2b_supplier": "B2B supplier",
        "airline": "Airline",
    },
    "zh": {
        "hotel": "酒店",
        "car_dealer": "汽车4S店",
        "hotpot": "火锅店",
        "sales_office": "售楼处（案场）",
        "b2b_supplier": "B2B 供应商",
        "airline": "航空公司",
    },
}
DIMENSION_NAMES = {
    "en": dict(
        zip(
            SERVQUAL,
            ("Reliability", "Responsiveness", "Assurance", "Empathy", "Tangibles"),
            strict=True,
        )
    ),
    "zh": dict(zip(SERVQUAL, ("可靠性", "响应性", "保证性", "移情性", "有形性"), strict=True)),
}


def save(store, outcome: game.Outcome) -> int:
    """Save a team's year to the store; return the attempt id."""
    plan = outcome.plan
    tid = store.trainee(plan.team)
    attempt = store.start_attempt(
        tid,
        kind="capstone",
        exercise_id=EXERCISE.format(business=outcome.business),
        exercise_version=1,
        seed=game.SEEDS[0],
    )
    levers = {k: v for k, v in plan.as_dict().items() if k != "team" and v is not None}
    for seq, (lever, value) in enumerate(levers.items()):
        store.record_decision(
            attempt, seq=seq, node=lever, choice=f"{value:g}", points={}, mood=None, elapsed_s=0.0
        )
    row = outcome.as_row()
    store.finish_attempt(
        attempt,
        ending="year-done",
        scores={k: float(row[k]) for k in SCORE_KEYS},
        total=float(row["value"]),
        passed=True,
    )
    return attempt


def standings(store, business: str) -> pd.DataFrame:
    """Each team's best year at ``business``, ranked by business value."""
    frame = store.attempts(exercise_id=EXERCISE.format(business=business), finished_only=True)
    if frame.empty:
        return pd.DataFrame(columns=["team", *SCORE_KEYS])
    frame = frame.rename(columns={f"score_{k}": k for k in SCORE_KEYS})
    best = frame.sort_values("value", ascending=False, kind="stable").drop_duplicates(
        "display_name"
    )
    best = best.rename(columns={"display_name": "team"})[["team", *SCORE_KEYS]]
    return game.leaderboard(best.to_dict("records"))


def all_standings(store) -> pd.DataFrame:
    """Each team's best year at every business played, ranked by business value overall."""
    boards = []
    for business in BUSINESSES:
        board = standings(store, business)
        if not board.empty:
            boards.append(board.assign(business=business))
    if not boards:
        return pd.DataFrame(columns=["team", "business", *SCORE_KEYS])
    return game.leaderboard(pd.concat(boards, ignore_index=True))


def _table(board: pd.DataFrame, lang: str) -> str:
    t = TEXT[lang]
    if board.empty:
        return f"<p>{html.escape(t['empty'])}</p>"
    cols = dict(t["cols"])
    if "business" in board.columns:
        cols = {"team": cols["team"], "business": t["business"], **cols}
    head = "".join(
        f"<th style='padding:4px 12px;text-align:{'left' if c == 'team' else 'right'}'>"
        f"{html.escape(cols[c])}</th>"
        for c in cols
    )
    rows = []
    for rank, r in board.iterrows():
        cells = [f"<td style='padding:4px 12px'><b>{rank}</b></td>"]
        for c in cols:
            v = r[c]
            if c == "team":
                text = html.escape(str(v))
            elif c == "business":
                text = html.escape(BUSINESS_NAMES[lang].get(v, str(v)))
            elif c == "dissatisfied_share":
                text = f"{float(v):.1%}"
            else:
                text = f"{float(v):,.0f}"
            align = "left" if c in ("team", "business") else "right"
            cells.append(f"<td style='padding:4px 12px;text-align:{align}'>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        "<table class='csat-leaderboard' style='border-collapse:collapse;font-size:16px'>"
        f"<tr><th>{html.escape(t['rank'])}</th>{head}</tr>{''.join(rows)}</table>"
    )


class Console:
    """A team's control panel: name, budget split, promise, and a Run button.

    ``runs`` and ``population`` set how much simulation one click costs (defaults: the game's
    three seeds at the business's own size, about a second).
    """

    def __init__(
        self,
        store=None,
        *,
        business: str = "hotel",
        lang: str = "en",
        runs: int = 3,
        population: int | None = None,
        on_saved=None,
    ):
        import ipywidgets as w

        if business not in BUSINESSES:
            raise ValueError(f"business must be one of {', '.join(BUSINESSES)}, got {business!r}")
        if lang not in TEXT:
            raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
        self.store, self.lang, self.runs, self.population = store, lang, runs, population
        self.on_saved = on_saved
        self.outcome: game.Outcome | None = None
        t = TEXT[lang]
        self.team = w.Text(description=t["team"], style={"description_width": "150px"})
        self.team.add_class("csat-team")
        self.business = w.Dropdown(
            options=[(BUSINESS_NAMES[lang][b], b) for b in BUSINESSES],
            value=business,
            description=t["business"],
            style={"description_width": "150px"},
        )
        style = {"description_width": "220px"}
        layout = w.Layout(width="560px")

        def share(label: str, cls: str):
            s = w.FloatSlider(
                0.0, min=0.0, max=1.0, step=0.05, description=label, readout_format=".0%",
                style=style, layout=layout, continuous_update=False,
            )  # fmt: skip
            s.add_class(cls)
            return s

        self.training = share(t["training"], "csat-lever-training")
        self.speed = share(t["speed"], "csat-lever-speed")
        self.quality = [share(DIMENSION_NAMES[lang][d], f"csat-lever-{d}") for d in SERVQUAL]
        self.promise = w.FloatSlider(
            presets.get(business).expectations.promise, min=5.0, max=10.0, step=0.1,
            description=t["promise"], style=style, layout=layout, continuous_update=False,
        )  # fmt: skip
        self.budget = w.HTML()
        self.message = w.HTML()
        self.message.add_class("csat-message")
        self.result = w.HTML()
        self.result.add_class("csat-result")
        # Hidden until there is a picture: an empty Image shows a broken-image icon.
        self.figure = w.Image(format="png", layout=w.Layout(max_width="900px", display="none"))
        self.run_button = w.Button(description=t["run"], button_style="primary", icon="play")
        self.run_button.add_class("csat-run")
        self.run_button.on_click(self._run)
        self._money = game.budget(business, population=population)
        for s in [self.training, self.speed, *self.quality]:
            s.observe(lambda _c: self._show_budget(), names="value")
        self.business.observe(self._business_changed, names="value")
        self._show_budget()
        self.widget = w.VBox(
            [
                self.team,
                self.business,
                self.budget,
                self.training,
                self.speed,
                *self.quality,
                self.promise,
                self.run_button,
                self.message,
                self.result,
                self.figure,
            ]
        )
        self.widget.add_class("csat-capstone")

    def _used(self) -> float:
        return float(self.training.value + self.speed.value + sum(s.value for s in self.quality))

    def _show_budget(self) -> None:
        used = self._used()
        self.budget.value = TEXT[self.lang]["budget"].format(
            budget=self._money, used=used, left=max(0.0, 1 - used)
        )

    def _business_changed(self, change) -> None:
        self.result.value, self.message.value = "", ""
        self.figure.value, self.figure.layout.display = b"", "none"
        self.outcome = None
        self._money = game.budget(change["new"], population=self.population)
        self.promise.value = presets.get(change["new"]).expectations.promise
        self._show_budget()

    def plan(self) -> game.Plan:
        """The team's plan as the sliders show it (raises ValueError when it is not valid)."""
        return game.Plan(
            team=" ".join(self.team.value.split()),
            training=round(self.training.value, 4),
            speed=round(self.speed.value, 4),
            quality=tuple(round(s.value, 4) for s in self.quality),
            promise=round(self.promise.value, 2),
        )

    def _run(self, _button=None) -> None:
        t = TEXT[self.lang]
        if not self.team.value.strip():
            self.message.value = _warn(t["need_team"])
            return
        if self._used() > 1.0 + 1e-9:
            self.message.value = _warn(t["over"].format(used=self._used()))
            return
        try:
            plan = self.plan()
        except ValueError as err:
            self.message.value = _warn(str(err))
            return
        self.message.value = html.escape(t["running"])
        outcome = game.play(
            plan, business=self.business.value, runs=self.runs, population=self.population
        )
        self.outcome = outcome
        self.result.value = t["result"].format(
            team=html.escape(plan.team),
            value=outcome.value,
            profit=outcome.profit - outcome.spent,
            cv=outcome.customer_value,
            customers=outcome.customers_end,
            dis=outcome.dissatisfied_share,
        )
        self.figure.value = _dashboard_png(outcome, self.lang)
        self.figure.layout.display = None
        if self.store is not None:
            save(self.store, outcome)
            self.message.value = html.escape(t["saved"])
            if self.on_saved is not None:
                self.on_saved()
        else:
            self.message.value = ""

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


class Leaderboard:
    """The trainer's leaderboard: a table and a Refresh button. ``business=None`` ranks every
    business played in one table, with a business column."""

    def __init__(self, store, *, business: str | None = None, lang: str = "en"):
        import ipywidgets as w

        self.store, self.business, self.lang = store, business, lang
        self.table = w.HTML()
        self.table.add_class("csat-leaderboard-table")
        self.refresh_button = w.Button(description=TEXT[lang]["refresh"], icon="refresh")
        self.refresh_button.add_class("csat-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.widget = w.VBox([self.refresh_button, self.table])
        self.refresh()

    def refresh(self) -> pd.DataFrame:
        if self.business is None:
            board = all_standings(self.store)
        else:
            board = standings(self.store, self.business)
        self.table.value = _table(board, self.lang)
        return board

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


class Page:
    """The capstone page of the app: language buttons, a team's console and the leaderboard.

    Switching language rebuilds the page in that language (pick it before you start); a run
    refreshes the leaderboard.
    """

    def __init__(self, store, *, business: str = "hotel", lang: str = "en", **console_options):
        import ipywidgets as w

        self.store, self.business, self.options = store, business, console_options
        self.lang = w.ToggleButtons(
            options=(("English", "en"), ("中文", "zh")), value=lang, style={"button_width": "80px"}
        )
        self.lang.add_class("csat-lang")
        self.body = w.VBox()
        self.widget = w.VBox([self.lang, self.body])
        self.widget.add_class("csat-capstone-page")
        self.lang.observe(lambda _c: self._build(), names="value")
        self._build()

    def _build(self) -> None:
        import ipywidgets as w

        lang = self.lang.value
        self.leaderboard = Leaderboard(self.store, lang=lang)
        self.console = Console(
            self.store,
            business=self.business,
            lang=lang,
            on_saved=self.leaderboard.refresh,
            **self.options,
        )
        title = "排行榜" if lang == "zh" else "Leaderboard"
        heading = w.HTML(f"<h3>{html.escape(title)}</h3>")
        self.body.children = [self.console.widget, heading, self.leaderboard.widget]

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


def _warn(text: str) -> str:
    return f"<p style='color:#b2182b;font-weight:bold'>{html.escape(text)}</p>"


def _dashboard_png(outcome: game.Outcome, lang: str) -> bytes:
    import matplotlib.pyplot as plt

    from sim.plots import dashboard

    fig = dashboard(outcome.results[0], lang=lang, title=outcome.plan.team)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
