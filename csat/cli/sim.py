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
        help="change a parameter, e.g. --set recovery.resolution_rate=0.9 (repeatable)",
    )
    r.add_argument("--csv", type=Path, help="write the daily table to this CSV file")
    r.add_argument("--customers-csv", type=Path, help="write the per-person table to this CSV")
    r.add_argument("--plot", type=Path, help="write the dashboard figure to this PNG file")
    r.add_argument("--lang", choices=i18n.codes(), default="en", help="language of the figure")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _parse_value(text: str) -> object:
    low = text.strip().lower()
    if low in {"true", "false"}:
        return low == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    if "," in text:
        return tuple(float(x) for x in text.split(","))
    raise ValueError(f"--set: expected a number, true/false or numbers joined by ',', got {text!r}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "presets":
        table = presets.describe()
        for name, row in table.iterrows():
            print(f"{name:14s} {row['description']} / {row['说明']}")
        return 0
    if args.command == "compile":
        from csat.sim._jit import AVAILABLE
        from csat.sim.run import warm_up

        if not AVAILABLE:
            print("Numba is not in use here: the simulator runs as plain numpy.")
            return 0
        print("Preparing the simulator (compiling takes about a minute after an install or an")
        print("update; otherwise it loads in a second)...", flush=True)
        print(f"Ready in {warm_up():.1f} s.")
        return 0
    try:
        changes: dict[str, object] = {}
        if args.customers is not None:
            changes["population"] = args.customers
        if args.days is not None:
            changes["days"] = args.days
        for item in args.set:
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"--set: expected NAME=VALUE, got {item!r}")
            changes[name.strip()] = _parse_value(value)
        params = presets.get(args.preset, **changes)
        for path in (args.csv, args.customers_csv, args.plot):
            if path is not None and not path.resolve().parent.is_dir():
                raise ValueError(f"{path}: folder {path.resolve().parent} does not exist")
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
    from csat.csvfile import write_csv  # the status and cause columns are text

    try:
        if args.csv:
            write_csv(result.daily, args.csv)
            print(f"wrote {args.csv}")
        if args.customers_csv:
            write_csv(result.customers, args.customers_csv, index=True)
            print(f"wrote {args.customers_csv}")
        if args.plot:
            import matplotlib

            matplotlib.use("Agg")
            from csat.lessons.plots import dashboard

            dashboard(result, lang=args.lang).savefig(args.plot, dpi=110)
            print(f"wrote {args.plot}")
    except OSError as exc:
        print(f"error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
