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

from csat import i18n
from csat.i18n import Namespace
from csat.lessons import style
from csat.lessons.survey import split_zh
from csat.lessons.typeset import breaks_at_spaces, one_line

LANES = ("evidence", "customer", "front", "back", "support")
"""Lanes from top to bottom."""

LINES = {
    # (lane above, lane below): the line's key in the catalogue
    ("customer", "front"): "interaction",
    ("front", "back"): "visibility",
    ("back", "support"): "internal",
}
"""The three lines of a blueprint, by the lanes they separate; their names are
:func:`line_name`."""

_TEXT = Namespace("blueprint")
_MORE = Namespace("blueprint_words")  # lane and line names, wrap width; added after ``blueprint``
_HOTEL = Namespace("blueprint_hotel_stay")  # the words of the worked example


def lane_name(lane: str, lang: str) -> str:
    """The name of ``lane`` (one of :data:`LANES`, or ``"standard"``) in ``lang``.

    >>> lane_name("evidence", "en")
    'Physical evidence'
    """
    return _MORE[_check_lang(lang)]["lanes"][lane]


def line_name(line: str, lang: str) -> str:
    """The name of the line ``line`` (a value of :data:`LINES`) in ``lang``."""
    return _MORE[_check_lang(lang)]["lines"][line]


def _pair(value: Any, where: str) -> dict[str, str] | None:
    """One text per language of :data:`csat.i18n.LANGUAGES` → {lang: text}; None/"" → None.

    A text is given as a mapping {lang: text}, or as a tuple in the order of the languages
    (``("English", "中文")``)."""
    if value is None or value == "":
        return None
    langs = i18n.codes()
    if isinstance(value, Mapping):
        texts = {lang: value.get(lang) for lang in langs}
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == len(langs):
        texts = dict(zip(langs, value, strict=True))
    else:
        raise ValueError(f"{where} must be one text per language {_order()}, got {value!r}")
    if not all(isinstance(text, str) and text.strip() for text in texts.values()):
        raise ValueError(
            f"{where} needs a non-empty text in every language {_order()}, got {value!r}"
        )
    return texts


def _order() -> str:
    """The languages in the order a tuple of texts gives them: '(English, 中文)'."""
    return "(" + ", ".join(i18n.LANGUAGES.values()) + ")"


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
        title: Sequence[str] | Mapping[str, str] | None = None,
    ) -> Blueprint:
        """Build a blueprint from one row per step.

        Each row has ``step`` and ``customer`` (required), optionally ``evidence``, ``front``,
        ``back``, ``support`` and ``standard`` — each one text per language, as a mapping
        {lang: text} or an (English, Chinese) pair — and ``fails``: a list of (lane, texts)
        fail points. ``title`` defaults to the worked example's. Every problem is reported at
        once in one ``ValueError``.
        """
        if title is None:
            title = {lang: _HOTEL[lang]["title"] for lang in i18n.codes()}
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
                name = dict.fromkeys(i18n.codes(), "?")
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
                        f"{where}.fails[{j}] must be (lane, texts) with lane one "
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
                one_line(lane_name(ln, lang), lang): (s.lanes[ln] or {}).get(lang, "")
                for ln in LANES
            }
            col[one_line(lane_name("standard", lang), lang)] = (s.standard or {}).get(lang, "")
            data[s.name[lang]] = col
        return pd.DataFrame(data)


_HOTEL_STEPS = (
    # (step, the lane of its fail point): the words are in the catalogue
    ("arrive", "front"),
    ("porter", "back"),
    ("check_in", "back"),
    ("room", "support"),
    ("room_service", "back"),
    ("checkout", "support"),
)


def _hotel_stay() -> list[dict[str, Any]]:
    """The rows of the worked example, each text {lang: text} from ``blueprint_hotel_stay``."""
    steps = {lang: _HOTEL[lang]["steps"] for lang in i18n.codes()}
    rows = []
    for key, fail_lane in _HOTEL_STEPS:
        words = {lang: steps[lang][key] for lang in steps}
        first = words[i18n.DEFAULT]
        row: dict[str, Any] = {
            column: {lang: words[lang][column] for lang in words}
            for column in first
            if column != "fail"
        }
        row["fails"] = [(fail_lane, {lang: words[lang]["fail"] for lang in words})]
        rows.append(row)
    return rows


HOTEL_STAY: list[dict[str, Any]] = _hotel_stay()
"""The course's worked example: an overnight hotel stay, six steps, one fail point each."""


def _check_lang(lang: str) -> str:
    return i18n.check(lang, where="lang")


def _wrap(text: str, lang: str) -> str:
    """Wrap cell text at the language's width (``blueprint_words.wrap_width``). Where lines
    break between words, at spaces; where they break between characters (Chinese), in halves
    (after a pause mark near the middle where there is one), never inside a number or a Latin
    word, never before punctuation."""
    width = int(_MORE[_check_lang(lang)]["wrap_width"])
    if breaks_at_spaces(lang):
        return "\n".join(textwrap.wrap(text, width))
    return "\n".join(split_zh(text, width))


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
    lang = style.figure_lang(_check_lang(lang))
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
                lane_name(lane, lang),
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
                line_name(name, lang),
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
