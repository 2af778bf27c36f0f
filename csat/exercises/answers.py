"""Answer keys for the trainer, written from the scenario files themselves.

A key is never typed by hand, so it cannot drift from the dialogue the room plays: the best path
with each reply, its points, the coach's note and the trainer's note; at every step the other
replies, best first; and each ending with how many ways through reach it and how many of those
pass. The capstone's key of each business follows (:mod:`.capstone_key`). ``csat exercises
answers`` prints it all; the trainer's folder ships it in each language.

>>> from csat.exercises.scenario import load
>>> text = key(load("hotpot-queue"), "en")
>>> text.startswith("## ")
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from csat import i18n
from csat.exercises import capstone_key, rubric
from csat.exercises.engine import model_answer, score_path
from csat.exercises.quiz import Quiz
from csat.exercises.scenario import Choice, Scenario, Text

WORDS = i18n.Namespace("answers")
BUSINESS = i18n.Namespace("business")


def _points(c: Choice, lang: str) -> str:
    if not c.points:
        return WORDS[lang]["no_points"]
    return WORDS[lang]["list_sep"].join(
        f"{rubric.name(k, lang)} {v:+d}" for k, v in c.points.items()
    )


def _note(text: Text | None, lang: str) -> str:
    return "" if text is None else text(lang)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _total(c: Choice) -> int:
    return sum(c.points.values())


def key(s: Scenario, lang: str = i18n.DEFAULT) -> str:
    """The answer key of one scenario, as Markdown, in ``lang``."""
    i18n.check(lang, where="answers.key: lang")
    w = WORDS[lang]
    paths = list(s.paths())
    scores = [score_path(s, p) for p, _ in paths]
    passing = sum(sc.passed for sc in scores)
    best_end = s.best_ending()
    lines = [
        f"## {s.title(lang)} (`{s.id}`)",
        "",
        w["facts"].format(
            business=BUSINESS[lang].get(s.business, s.business),
            threshold=s.pass_threshold,
            paths=len(paths),
            passing=passing / len(paths),
            ending=s.endings[best_end].title(lang),
        ),
        "",
        f"### {w['best_path']}",
        "",
    ]
    for i, (node, cid) in enumerate(s.best_path(), 1):
        c = s.choice(node, cid)
        lines.append(f"{i}. *{c.id}* — {_cell(c.text(lang))} ({_points(c, lang)})")
        lines.append(f"   - {w['coach']}: {_cell(c.feedback(lang))}")
        if c.trainer_note is not None:
            lines.append(f"   - {w['trainer']}: {_cell(_note(c.trainer_note, lang))}")
    lines += ["", f"### {w['every_step']}", ""]
    lines += [
        f"| {w['step']} | {w['reply']} | {w['points']} | {w['coach']} | {w['trainer']} |",
        "|---|---|---|---|---|",
    ]
    for node_id, node in s.nodes.items():
        model = model_answer(s, node_id)
        ranked = sorted(node.choices, key=lambda c: (c.id != model.id, -_total(c)))
        for c in ranked:
            mark = f" **{w['model']}**" if c.id == model.id else ""
            lines.append(
                f"| `{node_id}` | *{c.id}*{mark}: {_cell(c.text(lang))} | {_points(c, lang)} "
                f"| {_cell(c.feedback(lang))} | {_cell(_note(c.trainer_note, lang))} |"
            )
    reached = Counter(end for _, end in paths)
    passed = Counter(end for (_, end), sc in zip(paths, scores, strict=True) if sc.passed)
    lines += ["", f"### {w['endings']}", ""]
    lines += [
        f"| {w['ending']} | {w['outcome']} | {w['tells']} | {w['reached']} | {w['pass_share']} "
        f"| {w['trainer']} |",
        "|---|---|---|---|---|---|",
    ]
    for end_id, e in s.endings.items():
        n = reached[end_id]
        share = f"{passed[end_id] / n:.0%}" if n else "–"
        lines.append(
            f"| *{end_id}*: {_cell(e.title(lang))} | {w['outcomes'][e.outcome]} | {e.tells} "
            f"| {n} | {share} | {_cell(_note(e.trainer_note, lang))} |"
        )
    return "\n".join(lines) + "\n"


def quiz_key(q: Quiz, lang: str = i18n.DEFAULT) -> str:
    """The answer key of one quiz, as Markdown, in ``lang``: each question with its right
    option(s) in words (the app shows options in a shuffled order, without letters)."""
    i18n.check(lang, where="answers.quiz_key: lang")
    w = WORDS[lang]
    lines = [f"## {q.title(lang)} (`{q.id}`)", ""]
    for i, question in enumerate(q.questions, 1):
        right = w["list_sep"].join(_cell(o.text(lang)) for o in question.options if o.correct)
        lines.append(f"{i}. {_cell(question.prompt(lang))}")
        lines.append(f"   - {w['right_answer']}: {right}")
        lines.append(f"   - {w['why']}: {_cell(question.explanation(lang))}")
        if question.trainer_note is not None:
            lines.append(f"   - {w['trainer']}: {_cell(question.trainer_note(lang))}")
    return "\n".join(lines) + "\n"


def keys(
    scenarios: Sequence[Scenario],
    lang: str = i18n.DEFAULT,
    quizzes: Sequence[Quiz] = (),
    businesses: Sequence[str] = (),
    rows: Mapping[str, Sequence[Mapping]] | None = None,
) -> str:
    """Every scenario's key under one title, then every quiz's, then the capstone's key of each
    of ``businesses`` (:func:`csat.exercises.capstone_key.part`: ``rows`` are its plans'
    results by business, played here when not given), in ``lang``."""
    w = WORDS[lang]
    head = f"# {w['title']}\n\n{w['intro']}\n\n"
    parts = [key(s, lang) for s in scenarios]
    if quizzes:
        parts.append(f"# {w['quizzes']}\n")
        parts += [quiz_key(q, lang) for q in quizzes]
    if businesses:
        parts.append(capstone_key.part(businesses, lang, rows))
    return head + "\n".join(parts)
