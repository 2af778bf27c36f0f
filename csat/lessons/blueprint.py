"""Service blueprints drawn from a small table (Shostack 1984; Bitner, Ostrom & Morgan 2008).

A blueprint lays a service out as columns (the steps the customer goes through) and lanes:
the *physical evidence* the customer sees, the *customer's actions*, the *front stage* (what
staff do in view of the customer), the *back stage* (what staff do out of view) and the
*support processes* (systems and other departments). Three lines separate the lanes: the line
of interaction (customer | front stage), the line of visibility (what the customer can see |
what they cannot) and the line of internal interaction (staff | support). *Fail points* mark
where the service tends to break; a *standard* per step says what "good" is at that contact
point.

Each step is one row of a table (:data:`HOTEL_STAY` is the course's worked example, an
overnight hotel stay); :meth:`Blueprint.from_rows` checks the table and :func:`draw` draws it,
so any other service can be blueprinted by writing its rows.

>>> bp = Blueprint.from_rows(HOTEL_STAY)
>>> [s.name["en"] for s in bp.steps]
['Arrive', 'Porter', 'Check in', 'Room', 'Room service', 'Checkout']
>>> len(bp.fail_points())
6
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from csat.i18n import Namespace
from csat.lessons import style
from csat.lessons.survey import split_zh

LANES = ("evidence", "customer", "front", "back", "support")
"""Lanes from top to bottom."""

LANE_NAMES = {
    "evidence": {"en": "Physical evidence", "zh": "有形展示"},
    "customer": {"en": "Customer actions", "zh": "顾客行为"},
    "front": {"en": "Front stage\n(staff, seen)", "zh": "前台\n（看得见的员工行为）"},
    "back": {"en": "Back stage\n(staff, unseen)", "zh": "后台\n（看不见的员工行为）"},
    "support": {"en": "Support\nprocesses", "zh": "支持过程"},
    "standard": {"en": "Standard at this\ncontact point", "zh": "本接触点的\n服务标准"},
}

LINES = {
    # (lane above, lane below): name
    ("customer", "front"): {"en": "Line of interaction", "zh": "互动分界线"},
    ("front", "back"): {"en": "Line of visibility", "zh": "可视分界线"},
    ("back", "support"): {"en": "Line of internal interaction", "zh": "内部互动分界线"},
}

_TEXT = Namespace("blueprint")


def _pair(value: Any, where: str) -> dict[str, str] | None:
    """(en, zh) or {"en":…, "zh":…} → {"en":…, "zh":…}; None/"" → None."""
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        en, zh = value.get("en"), value.get("zh")
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        en, zh = value
    else:
        raise ValueError(f"{where} must be a pair (English, Chinese), got {value!r}")
    if not (isinstance(en, str) and en.strip() and isinstance(zh, str) and zh.strip()):
        raise ValueError(f"{where} needs non-empty English and Chinese text, got {value!r}")
    return {"en": en, "zh": zh}


@dataclass(frozen=True)
class Step:
    """One column of a blueprint: a name, one text per lane (or None), a standard, and the
    fail points in this step as (lane, text) pairs."""

    name: dict[str, str]
    lanes: dict[str, dict[str, str] | None]
    standard: dict[str, str] | None
    fails: tuple[tuple[str, dict[str, str]], ...]


@dataclass(frozen=True)
class Blueprint:
    """A service blueprint: a title and its steps in order."""

    title: dict[str, str]
    steps: tuple[Step, ...]

    @classmethod
    def from_rows(
        cls,
        rows: Sequence[Mapping[str, Any]],
        title: Sequence[str] | Mapping[str, str] = ("Overnight hotel stay", "酒店住宿一晚"),
    ) -> Blueprint:
        """Build a blueprint from one row per step.

        Each row has ``step`` and ``customer`` (required), optionally ``evidence``, ``front``,
        ``back``, ``support`` and ``standard`` — each an (English, Chinese) pair — and
        ``fails``: a list of (lane, (English, Chinese)) fail points. Every problem is reported
        at once in one ``ValueError``.
        """
        problems: list[str] = []
        steps = []
        if not rows:
            raise ValueError("a blueprint needs at least one step, got none")
        for i, row in enumerate(rows):
            where = f"row {i}"
            unknown = set(row) - {"step", "standard", "fails", *LANES}
            if unknown:
                problems.append(f"{where}: unknown columns {sorted(unknown)}")
            try:
                name = _pair(row.get("step"), f"{where}.step")
                if name is None:
                    raise ValueError(f"{where}.step is required")
            except ValueError as err:
                problems.append(str(err))
                name = {"en": "?", "zh": "?"}
            lanes: dict[str, dict[str, str] | None] = {}
            for lane in LANES:
                try:
                    lanes[lane] = _pair(row.get(lane), f"{where}.{lane}")
                except ValueError as err:
                    problems.append(str(err))
                    lanes[lane] = None
            if lanes["customer"] is None and f"{where}.customer" not in " ".join(problems):
                problems.append(
                    f"{where}.customer is required: every step is something the customer does"
                )
            try:
                standard = _pair(row.get("standard"), f"{where}.standard")
            except ValueError as err:
                problems.append(str(err))
                standard = None
            fails = []
            for j, fail in enumerate(row.get("fails") or ()):
                if not (isinstance(fail, Sequence) and len(fail) == 2 and fail[0] in LANES):
                    problems.append(
                        f"{where}.fails[{j}] must be (lane, (English, Chinese)) with lane one "
                        f"of {list(LANES)}, got {fail!r}"
                    )
                    continue
                try:
                    fails.append((fail[0], _pair(fail[1], f"{where}.fails[{j}]")))
                except ValueError as err:
                    problems.append(str(err))
            steps.append(Step(name, lanes, standard, tuple(fails)))
        try:
            title_pair = _pair(title, "title")
        except ValueError as err:
            problems.append(str(err))
            title_pair = None
        if problems:
            raise ValueError("blueprint table has problems:\n" + "\n".join(problems))
        return cls(title=title_pair, steps=tuple(steps))

    def fail_points(self) -> list[tuple[int, str, dict[str, str]]]:
        """Every fail point as (step index, lane, text), numbered F1, F2, … in this order."""
        return [(i, lane, text) for i, s in enumerate(self.steps) for lane, text in s.fails]

    def table(self, lang: str = "en") -> pd.DataFrame:
        """The blueprint as a table: one column per step, one row per lane plus the standard."""
        _check_lang(lang)
        data = {}
        for s in self.steps:
            col = {
                LANE_NAMES[ln][lang].replace("\n", " "): (s.lanes[ln] or {}).get(lang, "")
                for ln in LANES
            }
            col[LANE_NAMES["standard"][lang].replace("\n", " ")] = (s.standard or {}).get(lang, "")
            data[s.name[lang]] = col
        return pd.DataFrame(data)


def _t(en: str, zh: str) -> tuple[str, str]:
    return (en, zh)


HOTEL_STAY: list[dict[str, Any]] = [
    {
        "step": _t("Arrive", "到达"),
        "evidence": _t("Hotel front, car park, signs", "酒店外观、停车场、指示牌"),
        "customer": _t("Arrives at the hotel", "抵达酒店"),
        "front": _t("Doorman greets the guest", "门童问候客人"),
        "support": _t("Booking system lists today's arrivals", "预订系统列出当天到店客人"),
        "standard": _t("Greeted within 30 seconds", "30秒内有人问候"),
        "fails": [("front", _t("Nobody at the door", "门口无人迎接"))],
    },
    {
        "step": _t("Porter", "交行李"),
        "evidence": _t("Luggage cart, porter's uniform", "行李车、行李员制服"),
        "customer": _t("Gives bags to the porter", "把行李交给行李员"),
        "front": _t("Porter takes the bags, hands over a tag", "行李员接过行李、给行李牌"),
        "back": _t("Porter takes the bags to the room", "行李员把行李送进房间"),
        "support": _t("Luggage log", "行李登记"),
        "standard": _t("Bags in the room within 10 minutes", "10分钟内行李到房"),
        "fails": [("back", _t("Bags go to the wrong room", "行李送错房间"))],
    },
    {
        "step": _t("Check in", "入住登记"),
        "evidence": _t("Front desk, forms, key card", "前台、登记单、房卡"),
        "customer": _t("Checks in", "办理入住"),
        "front": _t("Receptionist registers the guest, gives the key", "前台登记、交房卡"),
        "back": _t("Housekeeping confirms the room is ready", "客房部确认房间已备好"),
        "support": _t("Hotel management system", "酒店管理系统"),
        "standard": _t(
            "Done in 3 minutes; the booked room is ready", "3分钟办完；预订的房间已备好"
        ),
        "fails": [("back", _t("Room not ready or out of order", "房间未备好或不能住"))],
    },
    {
        "step": _t("Room", "客房"),
        "evidence": _t("Lift, corridor, room, bathroom, amenities", "电梯、走廊、客房、卫浴、用品"),
        "customer": _t("Goes to the room, gets the bags, sleeps", "进房、收到行李、休息"),
        "front": _t("Porter delivers the bags", "行李员送来行李"),
        "back": _t("Housekeeping cleaned and checked the room", "客房部已清洁检查"),
        "support": _t("Laundry, maintenance", "洗衣房、工程维修"),
        "standard": _t("Clean, quiet, everything works", "干净、安静、设施都好用"),
        "fails": [("support", _t("Air conditioning or shower broken", "空调或淋浴坏了"))],
    },
    {
        "step": _t("Room service", "送餐服务"),
        "evidence": _t("Menu, tray, the food itself", "菜单、餐盘、菜品本身"),
        "customer": _t("Orders by phone, eats", "打电话点餐、用餐"),
        "front": _t("Takes the order; delivers the tray", "接听点单；送餐进房"),
        "back": _t("Kitchen prepares the order", "厨房备餐"),
        "support": _t("Ordering system, stock", "点餐系统、库存"),
        "standard": _t("Answered in 3 rings; food within 30 minutes", "3声内接听；30分钟内送到"),
        "fails": [("back", _t("Wrong or late order", "送错或送晚"))],
    },
    {
        "step": _t("Checkout", "退房"),
        "evidence": _t("Bill, front desk", "账单、前台"),
        "customer": _t("Checks out and leaves", "退房离店"),
        "front": _t("Receptionist settles the bill, says goodbye", "前台结账、道别"),
        "back": _t("Bill prepared, minibar checked", "准备账单、查迷你吧"),
        "support": _t("Billing system", "账务系统"),
        "standard": _t("Bill right first time; out in 3 minutes", "账单一次准确；3分钟内退房"),
        "fails": [("support", _t("Wrong charges on the bill", "账单多收费"))],
    },
]
"""The course's worked example: an overnight hotel stay, six steps, one fail point each."""


def _check_lang(lang: str) -> None:
    if lang not in _TEXT:
        raise ValueError(f"lang must be one of {sorted(_TEXT)}, got {lang!r}")


def _wrap(text: str, lang: str, width_en: int = 20, width_zh: int = 10) -> str:
    """Wrap cell text. Chinese is split in halves (after a pause mark near the middle where
    there is one), never inside a number or a Latin word, never before punctuation."""
    if lang != "zh":
        return "\n".join(textwrap.wrap(text, width_en))
    return "\n".join(split_zh(text, width_zh))


_FILL = {
    "evidence": "#f0f0f0",
    "customer": "#fddbc7",
    "front": "#d1e5f0",
    "back": "#e5e5f5",
    "support": "#e6f5d0",
}


def draw(blueprint: Blueprint, *, lang: str = "en", title: str | None = None) -> Figure:
    """Draw ``blueprint``: steps as columns, lanes as rows, the three lines, arrows from step
    to step along the customer's path and across the lines where staff act, fail points as
    numbered red circles (listed under the chart) and each step's standard in the last row."""
    _check_lang(lang)
    n = len(blueprint.steps)
    label_w, col_w, row_h = 2.6, 3.0, 1.45
    width = label_w + n * col_w + 0.2
    rows = [*LANES, "standard"]
    # Row centres from the top; a gap is left where each line runs.
    y, yc = 0.0, {}
    for lane in rows:
        yc[lane] = y - row_h / 2
        y -= row_h + (0.35 if lane in ("customer", "front", "back") else 0.12)
    bottom = y
    fails = blueprint.fail_points()
    fail_cols = max(1, min(3, int((width - label_w) // 6.0)))
    fail_rows = -(-len(fails) // fail_cols)
    with plt.rc_context(style.rc(lang, **{"font.size": 12})):
        fig, ax = plt.subplots(
            figsize=(max(14.0, width * 0.8), 9.5 + 0.4 * fail_rows), layout="constrained"
        )
        ax.set_xlim(0, width)
        ax.set_ylim(bottom - 0.55 * fail_rows - 0.5, 1.05)
        ax.axis("off")
        # Step headers.
        for i, s in enumerate(blueprint.steps):
            x = label_w + i * col_w + col_w / 2
            ax.text(
                x,
                0.55,
                f"{i + 1}. {s.name[lang]}",
                ha="center",
                va="center",
                fontsize=15,
                color="#222",
            )
        # Lane labels and cells.
        for lane in rows:
            ax.text(
                0.1,
                yc[lane],
                LANE_NAMES[lane][lang],
                va="center",
                ha="left",
                fontsize=13,
                color="#222",
            )
            for i, s in enumerate(blueprint.steps):
                text = s.standard if lane == "standard" else s.lanes[lane]
                if not text:
                    continue
                x0 = label_w + i * col_w + 0.12
                if lane == "standard":
                    ax.add_patch(
                        Rectangle(
                            (x0, yc[lane] - row_h / 2 + 0.1),
                            col_w - 0.24,
                            row_h - 0.2,
                            fc="white",
                            ec="#1b7837",
                            lw=1.4,
                            ls="--",
                        )
                    )
                    colour = "#1b7837"
                else:
                    ax.add_patch(
                        FancyBboxPatch(
                            (x0, yc[lane] - row_h / 2 + 0.12),
                            col_w - 0.24,
                            row_h - 0.24,
                            boxstyle="round,pad=0.02,rounding_size=0.12",
                            fc=_FILL[lane],
                            ec="#555",
                            lw=1.0,
                        )
                    )
                    colour = "#111"
                ax.text(
                    x0 + (col_w - 0.24) / 2,
                    yc[lane],
                    _wrap(text[lang], lang),
                    ha="center",
                    va="center",
                    fontsize=13,
                    color=colour,
                    linespacing=1.25,
                )
        # The three lines.
        for (above, below), name in LINES.items():
            ly = (yc[above] - row_h / 2 + yc[below] + row_h / 2) / 2
            visibility = above == "front"
            ax.plot(
                [0.05, width - 0.05],
                [ly, ly],
                color="#b2182b" if visibility else "#555",
                lw=2.4 if visibility else 1.3,
                ls="-" if visibility else "--",
                gid="line-of-visibility" if visibility else "line",
            )
            ax.text(
                0.1,
                ly + 0.04,
                name[lang],
                ha="left",
                va="bottom",
                fontsize=12 if not visibility else 13,
                color="#b2182b" if visibility else "#555",
            )
        # The customer's path, step to step.
        for i in range(n - 1):
            x_end = label_w + (i + 1) * col_w
            ax.add_patch(
                FancyArrowPatch(
                    (x_end - 0.14, yc["customer"]),
                    (x_end + 0.14, yc["customer"]),
                    arrowstyle="-|>",
                    mutation_scale=16,
                    color="#b35806",
                    lw=2,
                )
            )
        # Where work crosses a line: customer ↔ front, front → back, back → support.
        pairs = [("customer", "front"), ("front", "back"), ("back", "support")]
        for i, s in enumerate(blueprint.steps):
            x = label_w + i * col_w + col_w * 0.82
            for a, b in pairs:
                if s.lanes[a] and s.lanes[b]:
                    ax.add_patch(
                        FancyArrowPatch(
                            (x, yc[a] - row_h / 2 + 0.12),
                            (x, yc[b] + row_h / 2 - 0.12),
                            arrowstyle="<|-|>" if a == "customer" else "-|>",
                            mutation_scale=12,
                            color="#666",
                            lw=1.2,
                        )
                    )
        # Fail points: numbered red circles on their cells, listed underneath.
        for k, (i, lane, _text) in enumerate(fails):
            x = label_w + i * col_w + 0.2
            ax.plot(
                [x],
                [yc[lane] + row_h / 2 - 0.14],
                "o",
                ms=24,
                mfc="#d73027",
                mec="white",
                mew=1.5,
                zorder=5,
                gid="fail-point",
            )
            ax.text(
                x,
                yc[lane] + row_h / 2 - 0.14,
                f"F{k + 1}",
                ha="center",
                va="center",
                fontsize=11,
                color="white",
                zorder=6,
            )
        t = _TEXT[lang]
        ax.text(0.1, bottom - 0.15, t["fails"] + ":", fontsize=13, color="#d73027", va="top")
        per_col = (width - label_w) / fail_cols
        for k, (i, _lane, text) in enumerate(fails):
            r, c = divmod(k, fail_cols)
            ax.text(
                label_w + c * per_col,
                bottom - 0.15 - 0.5 * r,
                f"F{k + 1} {blueprint.steps[i].name[lang]}: {text[lang]}",
                fontsize=13,
                color="#b2182b",
                va="top",
            )
        if title is None:
            hidden = sum(lane in ("back", "support") for _i, lane, _x in fails)
            key = "title_all" if fails and hidden == len(fails) else "title"
            title = t[key].format(title=blueprint.title[lang], k=len(fails), hidden=hidden)
        ax.set_title(title, fontsize=16)
    return fig
