"""Command line: ``csat exercises validate|play|list|report|import|reset``.

Errors are one clear line (or one line per problem for ``validate``) and a non-zero exit
code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from csat import i18n
from csat.exercises import quiz, scenario
from csat.exercises._load import ExerciseFileError
from csat.exercises.engine import DEFAULT_POLICY, POLICIES


def _validate(args) -> int:
    paths = [Path(p) for p in args.paths] or [
        *sorted(scenario.SCENARIO_DIR.glob("*.yaml")),
        *sorted(quiz.QUIZ_DIR.glob("*.yaml")),
    ]
    files = []
    for p in paths:
        files += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    failed = 0
    for path in files:
        shown = os.path.relpath(path) if path.is_absolute() else str(path)
        is_quiz = path.parent.name == "quizzes" or _looks_like_quiz(path)
        if is_quiz:
            _, problems = quiz.check(path)
        else:
            _, problems = scenario.check(path, strict=not args.draft)
        if problems:
            failed += 1
            print(f"{shown}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
            for line in problems:
                print(f"  {line}")
        else:
            print(f"{shown}: ok")
    if not files:
        print("no exercise files found", file=sys.stderr)
        return 1
    return 1 if failed else 0


def _looks_like_quiz(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return False
    return "\nquestions:" in head and "\nnodes:" not in head


def _play(args) -> int:
    stdin = sys.stdin  # looked up per call, so a test can feed it
    from csat.exercises.engine import Session

    s = Session(scenario.load(args.scenario), seed=args.seed, lang=args.lang)
    lang = args.lang
    t = i18n.table("cli_play", lang)
    sc = s.scenario
    print(f"\n{sc.title(lang)}\n{t['practice_note']}\n\n{sc.context(lang)}\n")
    while not s.finished:
        print(f"[{sc.persona.name(lang)} · {t['mood']} {s.mood}/100] {s.line(lang)}\n")
        options = s.choices
        for i, c in enumerate(options, 1):
            print(f"  {i}. {c.text(lang)}")
        pick = None
        while pick is None:
            print("> ", end="", flush=True)
            raw = stdin.readline()
            if not raw:
                print(f"\n{t['no_more_input']}")
                return 1
            raw = raw.strip()
            if raw.isdigit() and 1 <= int(raw) <= len(options):
                pick = options[int(raw) - 1]
            else:
                print(f"  {t['pick_number'].format(n=len(options))}")
        step = s.choose(pick.id)
        print(f"\n  {t['feedback'].format(feedback=step.choice.feedback(lang))}\n")
    end = s.ending_info
    score = s.score()
    print(f"== {end.title(lang)} ==\n{end.debrief(lang)}\n")
    verdict = t["passed" if score.passed else "not_passed"]
    print(t["score"].format(total=score.total, verdict=verdict))
    from csat.exercises import rubric

    names = {k: rubric.name(k, lang) for k in score.dimensions}
    # Chinese characters take two columns in a terminal: pad by display width.
    width = max(_display_width(n) for n in names.values())
    for key, value in score.dimensions.items():
        if value is not None:
            name = names[key]
            print(f"  {name}{' ' * (width - _display_width(name))}  {value:5.0f}")
    return 0


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _list(args) -> int:
    width = max(len(n) for n in [*scenario.library(), *quiz.library()]) + 2
    broken = 0
    for kind, module in (("scenario", scenario), ("quiz", quiz)):
        for ref in module.library():
            try:
                item = module.load(ref)
            except ValueError as err:
                broken += 1
                first = err.problems[0] if isinstance(err, ExerciseFileError) else str(err)
                left_out = i18n.t("exercise_files.left_out", args.lang, problem=first)
                print(f"{ref:<{width}}{kind:<10}{'':<13} {left_out}")
                continue
            where = getattr(item, "business", "")
            print(f"{ref:<{width}}{kind:<10}{where:<13} {item.title(args.lang)}")
    return 1 if broken else 0


def _existing(url: str | None) -> str:
    """The results database to read; an SQLite file that does not exist is an error, not a
    new empty database (which would make a day's results look lost)."""

    from csat.exercises.store import ENV_VAR, default_url

    url = url or default_url()
    parsed = _parsed(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.is_file():
            raise ValueError(
                f"no results database at {path.resolve()}; give the one the notebooks wrote "
                f"with --db sqlite:///PATH or {ENV_VAR} (make workshop and make app use "
                "csat-results.sqlite in the project folder)"
            )
    return url


def _parsed(url: str):
    """``url`` parsed, or a StoreError naming it (its password hidden): one line, no traceback."""
    import sqlalchemy as sa

    from csat.exercises.store import StoreError
    from csat.exercises.store.values import _mask

    try:
        return sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(
            f"{_mask(url)}: expected an SQLAlchemy database URL such as "
            "sqlite:///csat-results.sqlite (--db or $CSAT_DB_URL)"
        ) from None


def _report_lang(args) -> str:
    """The report's language: ``--lang``, else the room's (the ``--agenda`` file's), else
    English. A broken agenda is one warning line, and the report is written in English: a day's
    results are never held back by a typo in the day's plan."""
    if args.lang:
        return args.lang
    if not args.agenda:
        return i18n.DEFAULT
    from csat.exercises import agenda

    try:
        return agenda.load(args.agenda).language
    except (agenda.AgendaError, OSError) as err:
        problems = getattr(err, "problems", None) or [f"{args.agenda}: {err}"]
        default = i18n.LANGUAGES[i18n.DEFAULT]
        print(
            f"warning: {'; '.join(problems)} (the report is in {default}; --lang chooses)",
            file=sys.stderr,
        )
        return i18n.DEFAULT


def _report(args) -> int:
    from csat.exercises.store import Store
    from csat.lessons import results

    lang = _report_lang(args)
    with Store(_existing(args.db)) as store:
        print(f"reading {store.url}")
        store.checkpoint()  # the results file alone now holds the day
        written = results.write(store, Path(args.out), policy=args.policy, lang=lang)
    for path in written:
        print(path)
    return 0


def _backup(args) -> int:
    from csat.exercises.store import Store

    with Store(_existing(args.db)) as store:
        path = store.backup(args.dest)
        print(f"wrote every result of {store.url} into {path}")
    print("This one file is the day's results: copy it, then read it with "
          f"csat exercises report --db sqlite:///{path} --out results")  # fmt: skip
    return 0


def _import(args) -> int:
    """Merge each file in one transaction: a file with any problem adds nothing, and every
    problem is one line naming the file, the row and the field."""
    from csat.exercises.store import Store, StoreError

    failed = 0
    with Store(args.db) as store:
        for path in args.files:
            try:
                # utf-8-sig: a file saved by Notepad or Excel starts with a byte-order mark
                data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
                raise ValueError(f"{path}: expected an exported results file, {err}") from None
            except RecursionError:
                raise ValueError(
                    f"{path}: expected an exported results file, got JSON nested too deeply"
                ) from None
            try:
                added = store.import_(data)
            except StoreError as err:
                failed += 1
                for line in str(err).splitlines():
                    print(f"error: {path}: {line}", file=sys.stderr)
                print(f"{path}: nothing added", file=sys.stderr)
                continue
            print(f"{path}: " + ", ".join(f"{v} {k}" for k, v in added.items()) + " added")
    return 2 if failed else 0


def _reset(args) -> int:
    """Save every result to a file, then clear the database (rehearsal names gone by the day).

    The file is written and the rows deleted in one transaction, after the trainer says yes:
    what is cleared is exactly what the file holds. What trainees saved while the trainer
    was asked stays in the database too, so they go on playing."""
    from datetime import UTC, datetime

    from csat.exercises.store import Store

    stdin = sys.stdin
    t = i18n.table("cli_reset", args.lang)

    def summary(counts: dict[str, int]) -> str:
        return t["join"].join(t[k].format(n=v) for k, v in counts.items())

    try:
        url = _existing(args.db)
    except ValueError:  # no SQLite file yet: nothing was ever saved, so nothing to clear
        print(t["no_database"])
        return 0
    with Store(url) as store:
        asked = datetime.now(UTC).isoformat()
        data = store.export()
        counts = {k: len(data[k]) for k in ("trainees", "attempts", "decisions", "observer_scores")}
        if not any(counts.values()):
            print(t["empty"].format(url=store.url))
            return 0
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = Path(args.backup or f"csat-results-backup-{stamp}.json")
        if backup.exists():
            raise ValueError(f"--backup {backup}: already exists; choose another file")
        if not backup.parent.is_dir():
            raise ValueError(f"--backup {backup}: no folder {backup.parent}; choose another file")
        if not args.yes:
            print(t["holds"].format(url=store.url, summary=summary(counts)))
            print(t["confirm"].format(backup=backup), end="", flush=True)
            if stdin.readline().strip().lower() != "yes":
                print(t["unchanged"])
                return 1
        done = store.reset(backup, since=None if args.yes else asked)
    print(t["saved"].format(summary=summary(done["saved"]), backup=backup))
    print(t["cleared"].format(url=store.url, summary=summary(done["cleared"])))
    if any(done["kept"].values()):
        print(t["kept"].format(summary=summary(done["kept"])))
    return 0


def _scenarios(refs: list[str]) -> list:
    return [scenario.load(r) for r in (refs or scenario.library())]


def _answers(args) -> int:
    from csat.exercises import answers
    from csat.sim import presets

    quizzes = [] if args.scenarios else [quiz.load(q) for q in quiz.library()]
    businesses = [] if args.scenarios else presets.playable()
    text = answers.keys(_scenarios(args.scenarios), args.lang, quizzes, businesses)
    if args.out:
        from csat.csvfile import replacing

        with replacing(args.out) as part:  # whole or not at all
            part.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text, end="")
    return 0


def _fairness(args) -> int:
    """Each shortcut policy's score per scenario and language; 1 when one of them passes."""
    from csat.exercises import fairness

    scenarios = _scenarios(args.scenarios)
    rows = fairness.report(scenarios)
    width = max(len(p) for p in fairness.POLICIES)
    gamed = 0
    for row in rows:
        print(f"{row['scenario']} ({row['lang']}), pass mark {row['threshold']}:")
        for policy in fairness.POLICIES:
            flag = "  <- passes" if row[policy] >= row["threshold"] else ""
            gamed += bool(flag)
            print(f"  always the {policy:<{width}}  {row[policy]:5.1f}{flag}")
        print(
            f"  best reply is the longest at {row['best_longest']} steps "
            f"(chance: {row['chance']}); best/other length {row['ratio']}"
        )
    return 1 if gamed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="csat exercises", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check scenario and quiz files; list every problem")
    v.add_argument("paths", nargs="*", help="files or folders (default: the shipped library)")
    v.add_argument("--draft", action="store_true", help="skip the rules for shipped scenarios")
    v.set_defaults(func=_validate)

    p = sub.add_parser("play", help="play a scenario in the terminal")
    p.add_argument("scenario", help="a scenario id (see `list`) or a YAML path")
    p.add_argument("--seed", type=int, default=1, help="order of the replies (default 1)")
    p.add_argument("--lang", choices=i18n.codes(), default="en")
    p.set_defaults(func=_play)

    ls = sub.add_parser("list", help="the scenarios and quizzes shipped with the course")
    ls.add_argument("--lang", choices=i18n.codes(), default="en")
    ls.set_defaults(func=_list)

    r = sub.add_parser("report", help="write the trainer's report (CSV files and figures)")
    r.add_argument("--db", default=None, help="SQLAlchemy URL (default: $CSAT_DB_URL or the file)")
    r.add_argument("--out", required=True, help="folder to write into")
    r.add_argument(
        "--policy",
        choices=POLICIES,
        default=DEFAULT_POLICY,
        help=f"which attempt counts (default {DEFAULT_POLICY}, as for an assessment; "
        "best for a day of practice)",
    )
    r.add_argument(
        "--lang",
        choices=i18n.codes(),
        default=None,
        help="the report's language (default: the language of --agenda, else en)",
    )
    r.add_argument(
        "--agenda", default=None, help="the day's agenda.yaml: the report is in its language"
    )
    r.set_defaults(func=_report)

    a = sub.add_parser(
        "answers",
        help="the trainer's answer keys, written from the scenario and quiz files and the "
        "capstone game",
    )
    a.add_argument(
        "scenarios",
        nargs="*",
        help="scenario ids or YAML paths (default: all, the quizzes and the capstone)",
    )
    a.add_argument("--lang", choices=i18n.codes(), default="en")
    a.add_argument("--out", default=None, help="file to write (default: print)")
    a.set_defaults(func=_answers)

    f = sub.add_parser(
        "fairness", help="do a file's replies give the answer away? each shortcut's score"
    )
    f.add_argument("scenarios", nargs="*", help="scenario ids or YAML paths (default: all)")
    f.set_defaults(func=_fairness)

    b = sub.add_parser(
        "backup", help="write every result into one SQLite file, to take the day home"
    )
    b.add_argument("dest", help="the new file (e.g. results-2026-12-07.sqlite)")
    b.add_argument("--db", default=None, help="SQLAlchemy URL (default: $CSAT_DB_URL or the file)")
    b.set_defaults(func=_backup)

    im = sub.add_parser("import", help="merge exported results files into the store")
    im.add_argument("files", nargs="+")
    im.add_argument("--db", default=None)
    im.set_defaults(func=_import)

    rs = sub.add_parser(
        "reset", help="save every result to a file, then clear the database (after a rehearsal)"
    )
    rs.add_argument("--db", default=None, help="SQLAlchemy URL (default: $CSAT_DB_URL or the file)")
    rs.add_argument("--backup", default=None, help="file to save to (default: dated JSON here)")
    rs.add_argument("--yes", action="store_true", help="do not ask before clearing")
    rs.add_argument("--lang", choices=i18n.codes(), default="en")
    rs.set_defaults(func=_reset)

    args = parser.parse_args(argv)
    from csat.exercises.store import StoreError

    try:
        return args.func(args)
    except OSError as err:
        where = err.filename if err.filename is not None else ""
        print(
            f"error: {where}: {err.strerror or err}" if where else f"error: {err}", file=sys.stderr
        )
        return 2
    except (ValueError, KeyError, StoreError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted (Ctrl-C)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
