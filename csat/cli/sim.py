"""Command line: ``csat sim presets``, ``csat sim run ...`` and ``csat sim compile``.

Bad input gives one clear line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from csat import i18n
from csat.sim import presets


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csat sim", description="Simulate a year of customers for a course business."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("presets", help="list the businesses you can simulate")
    sub.add_parser(
        "compile",
        help="compile the simulator now (once per install; later runs load it from disk)",
    )
    r = sub.add_parser("run", help="simulate one business and write its results")
    r.add_argument("--preset", default="car_dealer", help="business to simulate (see: presets)")
    r.add_argument(
        "--customers",
        type=int,
        help="people in the market: customers and prospects (default: the preset's)",
    )
    r.add_argument("--days", type=int, help="days to simulate (default: the preset's, 365)")
    r.add_argument("--seed", type=int, help="random seed, to reproduce a run")
    r.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a parameter, e.g. --set recovery.resolution_rate=0.9 or "
        "--set network.kind=small_world (repeatable)",
    )
    r.add_argument("--csv", type=Path, help="write the daily table to this CSV file")
    r.add_argument("--customers-csv", type=Path, help="write the per-person table to this CSV")
    r.add_argument(
        "--plot",
        type=Path,
        help="write the dashboard figure to this file (.png unless it ends in .svg, .pdf, ...)",
    )
    r.add_argument("--lang", choices=i18n.codes(), default="en", help="language of the figure")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _parse_value(text: str) -> object:
    """A ``--set`` value: true/false, a number, numbers joined by ',', else the text itself
    (``network.kind=small_world``); the parameter's own check says what it accepts."""
    low = text.strip().lower()
    if low in {"true", "false"}:
        return low == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    if "," in text:
        try:
            return tuple(float(x) for x in text.split(","))
        except ValueError:
            pass
    return text.strip()


def _figure_path(path: Path) -> Path:
    """Where ``--plot`` writes: ``path``, with ``.png`` added when it has no extension; an
    extension matplotlib cannot write is an error before anything is written."""
    if not path.suffix:
        return path.with_name(path.name + ".png")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    kinds = FigureCanvasAgg(Figure()).get_supported_filetypes()
    if path.suffix[1:].lower() not in kinds:
        allowed = ", ".join(f".{k}" for k in sorted(kinds))
        raise ValueError(f"--plot: {path}: the figure can be {allowed}; got {path.suffix}")
    return path


def _compile() -> int:
    from csat.sim import _jit
    from csat.sim.run import warm_up

    if not _jit.AVAILABLE:
        print("Numba is not in use here: the simulator runs as plain numpy.")
        return 0
    if _jit._cache_dir() is None:  # say so now, not after a minute of compiling
        tried = " or ".join(_jit.cache_candidates())
        print(
            f"error: cannot write the compiled simulator's cache in {tried}; set "
            "NUMBA_CACHE_DIR to a folder you can write (else every new process compiles "
            "again, about a minute)",
            file=sys.stderr,
        )
        return 1
    print("Preparing the simulator (compiling takes about a minute after an install or an")
    print("update; otherwise it loads in a second)...", flush=True)
    seconds = warm_up()
    folder = _jit.cache_folder
    if folder is None or not any(Path(folder).rglob("*.nbi")):
        print(
            f"error: compiled in {seconds:.1f} s, but nothing was cached in {folder}; every "
            "new process compiles again (about a minute): is the disk full?",
            file=sys.stderr,
        )
        return 1
    print(f"Ready in {seconds:.1f} s (cached in {folder}).")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad input, 130 on Ctrl-C)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("interrupted (Ctrl-C)", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "presets":
        table = presets.describe()
        for name, row in table.iterrows():
            print(f"{name:14s} {row['description']} / {row['说明']}")
        return 0
    if args.command == "compile":
        return _compile()
    try:
        changes: dict[str, object] = {}
        if args.customers is not None:
            changes["population"] = args.customers
        if args.days is not None:
            changes["days"] = args.days
        if args.seed is not None and args.seed < 0:
            raise ValueError(f"--seed must be an integer >= 0, got {args.seed}")
        for item in args.set:
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"--set: expected NAME=VALUE, got {item!r}")
            changes[name.strip()] = _parse_value(value)
        params = presets.get(args.preset, **changes)
        plot = _figure_path(args.plot) if args.plot is not None else None
        for path in (args.csv, args.customers_csv, plot):
            if path is not None and not path.resolve().parent.is_dir():
                raise ValueError(f"{path}: folder {path.resolve().parent} does not exist")
            if path is not None and path.is_dir():
                raise ValueError(f"{path}: is a folder; give a file name")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from csat import sim

    result = sim.run(params, rng=args.seed, progress=not args.no_progress)
    summary = result.summary()
    for key in (
        "customers_start",
        "customers_end",
        "new_customers",
        "defections",
        "retention_per_year",
        "share_dissatisfied",
        "share_of_problems_voiced",
        "wom_positive_to_negative",
        "profit",
        "clv",
    ):
        value = summary[key]
        text = f"{value:,.3f}" if isinstance(value, float) and abs(value) < 10 else f"{value:,.0f}"
        print(f"{key:28s} {text}")
    # Each file is written whole or not at all (a full disk leaves the old one as it was).
    from csat.csvfile import replacing, write_csv  # the status and cause columns are text

    try:
        if args.csv:
            write_csv(result.daily, args.csv)
            print(f"wrote {args.csv}")
        if args.customers_csv:
            write_csv(result.customers, args.customers_csv, index=True)
            print(f"wrote {args.customers_csv}")
        if plot:
            import matplotlib

            matplotlib.use("Agg")
            from csat.lessons.plots import dashboard

            figure = dashboard(result, lang=args.lang)
            with replacing(plot) as part:
                figure.savefig(part, dpi=110, format=plot.suffix[1:].lower())
            print(f"wrote {plot}")
    except OSError as exc:
        print(f"error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
