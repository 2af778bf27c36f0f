"""``csat init``, ``csat workshop``, ``csat app``, ``csat report`` and ``csat backup``: a
trainer's day.

``csat init DEST`` copies the course notebooks, the trainer guide and the app pages into a
folder the trainer owns; the other commands work on that folder (or on this source tree), find
it from any folder inside it, and keep the day's results in one file there,
``csat-results.sqlite``, unless ``CSAT_DB_URL`` names another database.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

from csat import i18n

MARKER = "csat-workshop.toml"
"""The file ``csat init`` leaves in a workshop folder, so that commands can find it."""


def _package() -> Path:
    return Path(str(resources.files("csat")))


def find_folder(start: Path | None = None) -> Path:
    """The workshop folder holding ``start`` (default: the current folder): one made by
    ``csat init``, or this source tree. Without one, the course as installed."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
        if (folder / "pyproject.toml").is_file() and (folder / "csat" / "course").is_dir():
            return folder / "csat"
    return _package()


def _course(folder: Path) -> Path:
    return folder / "course"


def _app(folder: Path) -> Path:
    return folder / "app"


def _own(folder: Path, name: str) -> Path:
    """A folder the commands write for the trainer (``results``, ``room``): in the workshop
    folder, or at the top of this source tree (beside the package, not in it)."""
    return folder.parent / name if folder.name == "csat" else folder / name


def _db_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("CSAT_DB_URL"):
        root = folder.parent if (folder.parent / "pyproject.toml").is_file() else folder
        env["CSAT_DB_URL"] = f"sqlite:///{(root / 'csat-results.sqlite').as_posix()}"
    return env


def init(dest: Path, *, force: bool = False) -> Path:
    """Copy the course, the trainer guide and the app pages into ``dest``, and the answer keys
    into ``dest/trainer`` (outside the course folder trainees browse); return it."""
    dest = dest.resolve()
    src = _package()
    targets = [dest / "course", dest / "app"]
    if not force and any(t.exists() for t in targets):
        raise FileExistsError(
            f"{dest} already holds a course or app folder; pass --force to overwrite them "
            "(results in csat-results.sqlite are kept)"
        )
    dest.mkdir(parents=True, exist_ok=True)
    # The answer keys go beside the course, not in it: trainees browse course/ in JupyterLab.
    for name, into in (("course", "course"), ("app", "app"), ("guide", "trainer")):
        shutil.copytree(
            src / name,
            dest / into,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.sqlite*", ".ipynb_checkpoints"),
        )
    (dest / MARKER).write_text(
        "# A Customer Satisfaction & Complaint Handling Workshop folder (made by csat init).\n"
        "# csat workshop, csat app and csat report find it from any folder inside it.\n",
        encoding="utf-8",
    )
    return dest


def _bin(name: str) -> str:
    """A console program installed beside this Python (jupyter, voila), on any system."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe", folder / "Scripts" / f"{name}.exe"):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed beside {sys.executable}")
    return found


def _root_flag() -> list[str]:
    # JupyterLab refuses to start as root unless told it is intended.
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def trainer_code() -> str:
    """``CSAT_TRAINER_CODE`` if set (blank counts as unset), else a random six-digit code."""
    code = os.environ.get("CSAT_TRAINER_CODE", "").strip()
    return code or f"{secrets.randbelow(10**6):06d}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csat", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    i = sub.add_parser("init", help="copy the course and the app pages into a folder you own")
    i.add_argument("dest", type=Path)
    i.add_argument("--force", action="store_true", help="overwrite course/ and app/ there")
    w = sub.add_parser("workshop", help="open the course in JupyterLab")
    a = sub.add_parser("app", help="serve the trainees' app and the trainer page with Voilà")
    a.add_argument("--port", type=int, default=8866)
    a.add_argument(
        "--ip",
        default=None,
        help="address to listen on (default: loopback; with --room, this laptop's network one)",
    )
    a.add_argument(
        "--room",
        action="store_true",
        help="let trainees' phones and laptops on this Wi-Fi in: print the address, a QR code "
        "and what to do when phones cannot connect, and write room/room.html to project",
    )
    r = sub.add_parser("report", help="write the trainer's report of the day into results/")
    r.add_argument(
        "--lang",
        choices=i18n.codes(),
        default=None,
        help="the report's language (default: the room's, in app/agenda.yaml)",
    )
    r.add_argument(
        "--policy",
        choices=("first", "best", "last"),
        default="first",
        help="which attempt counts (default first, as for an assessment; best for practice)",
    )
    b = sub.add_parser("backup", help="write the day's results into one SQLite file")
    b.add_argument("dest", type=Path, help="the new file, e.g. on a USB stick")
    for p in (w, a, r, b):
        p.add_argument("--dir", type=Path, default=None, help="the workshop folder")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "init":
        try:
            dest = init(args.dest, force=args.force)
        except (FileExistsError, OSError) as exc:
            print(f"csat init: {exc}", file=sys.stderr)
            return 2
        from csat.lessons import style

        print("Preparing the Chinese font for the figures (once per computer)...", flush=True)
        style.bundled_fonts()
        print(f"The workshop is in {dest}: cd there, then 'csat workshop' or 'csat app'.")
        print(f"The answer keys for the trainer are in {dest / 'trainer'}.")
        return 0
    folder = find_folder(args.dir)
    env = _db_env(folder)
    if args.command == "backup":
        from csat.cli import exercises

        os.environ["CSAT_DB_URL"] = env["CSAT_DB_URL"]
        return exercises.main(["backup", str(args.dest)])
    if args.command == "report":
        from csat.cli import exercises
        from csat.exercises.agenda import FILE as AGENDA

        out = _own(folder, "results")
        os.environ["CSAT_DB_URL"] = env["CSAT_DB_URL"]
        argv = ["report", "--out", str(out), "--policy", args.policy]
        agenda = _app(folder) / AGENDA  # the room's language, unless --lang says otherwise
        if args.lang:
            argv += ["--lang", args.lang]
        elif agenda.is_file():
            argv += ["--agenda", str(agenda)]
        return exercises.main(argv)
    if args.command == "app":  # a broken agenda is refused before the wait for the simulator
        from csat.exercises import agenda

        _, problem = agenda.for_room(_app(folder))
        if problem is not None:
            print(f"csat app: {_app(folder) / agenda.FILE}: {problem}", file=sys.stderr)
            return 2
    if args.command == "app" and args.room:
        from csat.cli import room

        try:
            ip, others = room.address(args.ip)
            room.check_code(trainer_code())  # the code CSAT_TRAINER_CODE sets, if any
        except room.RoomError as exc:
            print(exc, file=sys.stderr)
            return 2
    subprocess.run([sys.executable, "-m", "csat", "sim", "compile"], check=False, env=env)
    if args.command == "workshop":
        cmd = [_bin("jupyter"), "lab", *_root_flag(), f"--notebook-dir={_course(folder)}"]
        return subprocess.call(cmd, env=env)
    code = trainer_code()
    env["CSAT_TRAINER_CODE"] = code
    if args.room:
        files = room.write_room_page(_own(folder, "room"), room.hub_url(ip, args.port))
        room.announce(ip, args.port, code, others=others, files=files)
    else:
        ip = args.ip or "127.0.0.1"
        bar = "  " + "=" * 60
        print(f"\n{bar}")
        for lang in i18n.LANGUAGES:  # before anyone has picked a language: in every one
            print(f"  {i18n.t('cli_workshop.trainer_code', lang, code=code)}")
        print(f"  Trainer page: http://127.0.0.1:{args.port}/voila/render/trainer.ipynb\n{bar}\n")
    # From the app folder, so that Voilà reads its voila.py (csat/cli/serve.py: kernels shut
    # down and culled, their number capped, every asset served offline).
    cmd = [
        _bin("voila"),
        ".",
        "--no-browser",
        f"--port={args.port}",
        f"--Voila.ip={ip}",
    ]
    return subprocess.call(cmd, env=env, cwd=_app(folder))
