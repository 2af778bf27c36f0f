"""The trainer's report: gradebook, attempts, where trainees go wrong, score distributions.

Tables are pandas DataFrames read from a :class:`~csat.exercises.store.Store`; figures are
matplotlib :class:`~matplotlib.figure.Figure` objects made without pyplot (so a loop that
writes many does not keep them open, and a notebook cell ending in one shows it once), sized
and lettered to be read on a projector, each titled with what it shows. :func:`write` puts
everything in one folder — CSV files Excel opens with Chinese names intact and no name run as a
formula (:func:`csat.csvfile.write_csv`), PNG figures and a short ``summary.txt``, all in the
report's language (the CSV headers and words by :mod:`csat.exercises.spreadsheet`) — and is
what ``python -m csat exercises report`` runs.

Which attempt counts when a trainee played an exercise more than once is the attempt policy
(``"best"``, ``"first"`` or ``"last"``; :func:`csat.exercises.engine.counted_score`).

>>> from csat.exercises.store import Store
>>> with Store("sqlite://") as store:
...     gradebook(store).shape
(0, 2)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from csat import clock, i18n
from csat.csvfile import CSV_OPTIONS, TIME_FORMAT, write_csv  # noqa: F401 (report.CSV_OPTIONS)
from csat.exercises import quiz as quiz_mod
from csat.exercises import rubric, spreadsheet, teams
from csat.exercises import scenario as scenario_mod
from csat.exercises.engine import DEFAULT_POLICY, POLICIES, counted_score, model_answer
from csat.exercises.scenario import Scenario
from csat.i18n import Namespace

PASS_COLOUR, FAIL_COLOUR, NEUTRAL = "#1a9850", "#d73027", "#4d4d4d"

TEXT = Namespace("report")


SUMMARY = i18n.Namespace("summary")
"""The words of ``summary.txt``, per language."""

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


def attempts(store, *, policy: str = DEFAULT_POLICY) -> pd.DataFrame:
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


def counted_attempts(
    store, *, policy: str = DEFAULT_POLICY, kind: str | None = "scenario"
) -> pd.DataFrame:
    """The attempts that count, one per trainee and exercise (``kind`` None for all kinds)."""
    frame = attempts(store, policy=policy)
    frame = frame[frame["counted"]]
    if kind is not None:
        frame = frame[frame["kind"] == kind]
    return frame.reset_index(drop=True)


def gradebook(store, *, policy: str = DEFAULT_POLICY) -> pd.DataFrame:
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
        ``text`` (in ``lang``), ``trainer_note`` (the reply's note for the trainer, "" when it
        has none), ``points`` (the reply's total rubric points), ``model`` (True
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
                    "trainer_note": "" if c.trainer_note is None else c.trainer_note(lang),
                    "points": sum(c.points.values()),
                    "model": c.id == model,
                    "count": int(counts.get((node, c.id), 0)),
                }
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "step",
            "step_last",
            "node",
            "choice",
            "text",
            "trainer_note",
            "points",
            "model",
            "count",
        ],
    )
    frame["n_node"] = frame.groupby("node")["count"].transform("sum").astype("int64")
    frame["share"] = (frame["count"] / frame["n_node"].where(frame["n_node"] > 0)).astype("float64")
    return frame


def score_distribution(store, *, policy: str = DEFAULT_POLICY) -> pd.DataFrame:
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


def framework_view(store, framework: str, *, policy: str = DEFAULT_POLICY) -> pd.DataFrame:
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
    with ``choice_text``: the reply, or the quiz options chosen, in ``lang``, and
    ``trainer_note``: the reply's note for the trainer (the module and the source), both empty
    when the exercise or its version is no longer in the library."""
    frame = store.decisions_frame()
    texts = _ChoiceTexts(lang)
    keys = list(
        zip(
            frame["kind"],
            frame["exercise_id"],
            frame["exercise_version"],
            frame["node"],
            frame["choice"],
            strict=True,
        )
    )
    at = frame.columns.get_loc("choice") + 1
    frame.insert(at, "choice_text", [texts(*k) for k in keys])
    frame.insert(at + 1, "trainer_note", [texts.note(*k) for k in keys])
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

    def _current(self, kind: str, exercise: str, version: int):
        item = self._get(kind, exercise)
        return item if item is not None and item.version == version else None

    def __call__(self, kind: str, exercise: str, version: int, node: str, choice: str) -> str:
        item = self._current(kind, exercise, version)
        try:
            if item is None:
                return ""
            if kind == "scenario":
                return item.choice(node, choice).text(self.lang)
            options = {o.id: o for o in item.question(node).options}
            return "; ".join(options[c].text(self.lang) for c in choice.split(","))
        except KeyError:
            return ""

    def note(self, kind: str, exercise: str, version: int, node: str, choice: str) -> str:
        """The trainer's note on the reply (a scenario's choice, a quiz's question), or ""."""
        item = self._current(kind, exercise, version)
        try:
            if item is None:
                return ""
            found = item.choice(node, choice) if kind == "scenario" else item.question(node)
        except KeyError:
            return ""
        return "" if found.trainer_note is None else found.trainer_note(self.lang)


def exercise(exercise_id: str):
    """The scenario or quiz of the library with this id, or None (no longer shipped)."""
    for loader in (scenario_mod.load, quiz_mod.load):
        try:
            return loader(exercise_id)
        except (ValueError, OSError):
            continue
    return None


def _title(exercise_id: str, lang: str) -> str:
    item = exercise(exercise_id)
    return item.title(lang) if item is not None else exercise_id


# --------------------------------------------------------------------------------------------
# Writing the report


def write_tables(store, out: Path, *, policy: str = DEFAULT_POLICY, lang: str = "en") -> list[Path]:
    """Write the report's tables into the folder ``out`` (created if needed): ``gradebook.csv``
    (one row per trainee, one column per exercise, ``attempt_counted`` saying which attempt),
    ``attempts.csv`` (one row per attempt),
    ``decisions.csv`` (one row per decision), ``observer.csv`` (one row per observer sheet)
    and, once teams have played, ``capstone.csv``. Returns the files written, in that order.

    Each file is in ``lang``: its headers, the words in its cells and, beside each exercise id,
    the exercise's title (:func:`csat.exercises.spreadsheet.localise`; read one back with
    :func:`csat.exercises.spreadsheet.read`).
    The figures and ``summary.txt`` come from :func:`csat.lessons.results.write`."""
    _check_policy(policy)
    lang = i18n.check(lang, where="report language")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # Which attempt each score is, said in the file itself (a spreadsheet travels alone).
    book = gradebook(store, policy=policy)
    played = [c for c in book.columns if c not in ("trainee_id", "attempts")]
    book.insert(1, "attempt_counted", policy)

    def sheet(frame: pd.DataFrame, name: str, **options) -> Path:
        shown = spreadsheet.localise(frame, lang, find=exercise, exercises=played)
        return write_csv(shown, out / name, **options)

    written = [
        sheet(book, "gradebook.csv", index=True),
        sheet(attempts(store, policy=policy), "attempts.csv"),
        sheet(decisions(store, lang=lang), "decisions.csv"),
        sheet(store.observer_scores(), "observer.csv"),
    ]
    games = capstone_standings(store)
    if not games.empty:
        written.append(sheet(games, "capstone.csv"))
    return written


def summary(store, policy: str, files: Iterable[Path], lang: str = "en") -> str:
    """The text of ``summary.txt`` in ``lang``: what the store holds, per exercise, and the
    files."""
    return _summary(
        gradebook(store, policy=policy),
        attempts(store, policy=policy),
        decisions(store),
        store.observer_scores(),
        policy,
        files,
        store.url,
        lang,
        # Files with problems, named so that the trainer knows what the report leaves out.
        [*scenario_mod.survey().left_out(lang), *quiz_mod.survey().left_out(lang)],
    )


def capstone_standings(store) -> pd.DataFrame:
    """Every capstone business played: each team's best year, ranked by business value."""
    every = store.attempts()
    played = sorted(every.loc[every["kind"] == "capstone", "exercise_id"].unique())
    tables = []
    for exercise in played:
        business = exercise.removeprefix("capstone-")
        board = teams.standings(store, business).reset_index()
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
    lang: str = "en",
    left_out: Iterable[str] = (),
) -> str:
    t = SUMMARY[i18n.check(lang, where="summary: lang")]
    now = datetime.now(clock.zone()).strftime(TIME_FORMAT)
    games = tried[tried["kind"] == "capstone"]
    tried = tried[tried["kind"] != "capstone"]
    finished = tried[tried["finished_at"].notna()]
    lines = [
        t["title"],
        t["written"].format(now=now, zone=clock.label()),
        t["policy"].format(policy=policy, name=t["policies"][policy]),
        *([t["source"].format(source=source)] if source else []),
        "",
    ]
    if tried.empty and sheets.empty:
        lines += t["empty"].splitlines()
    else:
        lines.append(
            t["counts"].format(
                trainees=len(book),
                attempts=len(tried),
                finished=len(finished),
                decisions=len(made),
                sheets=len(sheets),
            )
        )
        lines.append("")
        counted = tried[tried["counted"]]
        for exercise, g in counted.groupby("exercise_id"):
            passed = int(g["passed"].fillna(False).sum())
            lines.append(
                "  "
                + t["exercise"].format(
                    title=_title(exercise, lang),
                    id=exercise,
                    n=len(g),
                    median=g["total"].median(),
                    passed=passed,
                )
            )
    if not games.empty:
        teams = games["display_name"].nunique()
        lines += ["", t["capstone"].format(teams=teams, years=len(games))]
    left_out = list(left_out)
    if left_out:
        lines += ["", *left_out]
    lines += [
        "",
        t["times"].format(zone=clock.label()),
        *t["csv_note"].splitlines(),
        "",
        t["files"],
        *(f"  {p.name}" for p in files),
        "",
    ]
    return "\n".join(lines)
