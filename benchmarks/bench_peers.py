"""Speed of ``csat.sim.run`` against an idiomatic Mesa 3 model of the same market (one agent each).

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_peers.py [--sizes 1e3 1e4]``).

Both run the same :class:`sim.Params` (a preset, word of mouth along a small-world network of
mean degree 10) for a year of daily steps, timed end to end: building the population and the
network, then every day. Each size runs in a fresh subprocess, sim first (best of
``--repeat``), then the Mesa reference (``benchmarks/mesa_reference``, once); a second
subprocess times sim with its daily loop as plain numpy (``NUMBA_DISABLE_JIT=1``, as in the
browser), so the table shows what compiling the loop buys. If a year of
Mesa would take longer than ``--mesa-budget`` seconds (estimated from the smaller sizes), Mesa
and sim are both measured for fewer days and the table says so; an extrapolated full-year
Mesa time is printed separately and labelled as an extrapolation.

A second table times ``sim`` alone at larger sizes with the same network; the largest runs only
if the one before it suggests it finishes within ``--sim-budget`` seconds. Peak RSS is the
child process's own.

Target (2-core machine): sim at least 100 times faster than Mesa at 10,000 people.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SIZE, TARGET_RATIO = 10_000, 100.0

_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    sys.path.insert(0, sys.argv[1])
    from csat import sim

    n, days, preset, repeat, with_mesa = (
        int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6] == "1"
    )
    changes = {"network.kind": "small_world", "network.mean_degree": 10.0}
    params = sim.presets.get(preset, population=n, days=days, **changes)
    t0 = time.perf_counter()
    # Warm up: imports, and the compiled day loaded from Numba's disk cache (not timed below).
    sim.run(sim.presets.get(preset, population=1_000, days=5, **changes), rng=0)
    warm = time.perf_counter() - t0
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        result = sim.run(params, rng=i)
        times.append(time.perf_counter() - t0)
    out = {"sim": min(times), "sim_customers": int(result.daily["customers"].iloc[-1]),
           "warm": warm, "compiled": sim._jit.activate()}
    del result
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if with_mesa:
        from benchmarks.mesa_reference import CustomerModel

        t0 = time.perf_counter()
        model = CustomerModel(params, rng=0)
        t1 = time.perf_counter()
        model.run_model()
        t2 = time.perf_counter()
        out |= {"mesa_build": t1 - t0, "mesa_run": t2 - t1, "mesa": t2 - t0,
                "mesa_customers": int(model.customers)}
    print(json.dumps(out))
    """
)


def measure(
    n: int, days: int, preset: str, repeat: int, with_mesa: bool, compiled: bool = True
) -> dict:
    """Run one size in a fresh interpreter so its memory and caches are its own.

    ``compiled=False`` runs sim's daily loop as plain numpy (``NUMBA_DISABLE_JIT=1``), as it
    runs in the browser.
    """
    args = [str(ROOT), str(n), str(days), preset, str(repeat), "1" if with_mesa else "0"]
    env = {**os.environ, "NUMBA_DISABLE_JIT": "0" if compiled else "1"}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e3, 1e4])
    parser.add_argument("--sim-sizes", nargs="*", type=float, default=[1e5, 1e6])
    parser.add_argument("--preset", default="car_dealer")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3, help="sim runs per size (best kept)")
    parser.add_argument("--mesa-budget", type=float, default=300.0, help="seconds per Mesa run")
    parser.add_argument("--sim-budget", type=float, default=15.0, help="seconds per sim run")
    args = parser.parse_args(argv)

    print(
        f"\nsim.run vs Mesa {_mesa_version()} reference, preset {args.preset!r}, small-world "
        "network (mean degree 10), same Params, timed end to end (build + daily steps)"
    )
    print(
        f"{'people':>8} {'days':>5} {'sim s':>8} {'Mesa s':>8} {'(build':>7} {'+ run)':>7} "
        f"{'ratio':>7}  {'sim, numpy only':>15} {'ratio':>6}  customers at end sim / Mesa"
    )
    ok = True
    warm = 0.0
    mesa_rate = None  # Mesa seconds per person-day, from the last size measured
    notes = []
    for size in sorted(args.sizes):
        n = int(size)
        days = args.days
        if mesa_rate is not None and mesa_rate * n * days > args.mesa_budget:
            days = max(1, int(args.mesa_budget / (mesa_rate * n)))
        m = measure(n, days, args.preset, args.repeat, with_mesa=True)
        plain = measure(n, days, args.preset, args.repeat, with_mesa=False, compiled=False)
        if not m["compiled"] or plain["compiled"]:
            raise RuntimeError("sim ran uncompiled where it should be compiled, or vice versa")
        mesa_rate = m["mesa_run"] / (n * days)
        ratio = m["mesa"] / m["sim"]
        warm = max(warm, m["warm"])
        print(
            f"{n:>8,} {days:>5} {m['sim']:>8.3f} {m['mesa']:>8.2f} {m['mesa_build']:>7.2f} "
            f"{m['mesa_run']:>7.2f} {ratio:>7.0f}  {plain['sim']:>15.3f} "
            f"{m['mesa'] / plain['sim']:>6.0f}  {m['sim_customers']:,} / {m['mesa_customers']:,}"
        )
        if days < args.days:
            full = m["mesa_build"] + m["mesa_run"] * args.days / days
            notes.append(
                f"  {n:,} people: both measured for {days} days, not {args.days} (a year of "
                f"Mesa would exceed the {args.mesa_budget:.0f} s budget); EXTRAPOLATED, not "
                f"measured: Mesa for {args.days} days ≈ {full:.0f} s"
            )
        if n == TARGET_SIZE:
            met = ratio >= TARGET_RATIO
            ok &= met
            notes.append(
                f"  target sim ≥ {TARGET_RATIO:.0f}× faster than Mesa at {n:,} people: "
                f"{'met' if met else 'MISSED'} ({ratio:.0f}× measured over {days} days)"
            )
    notes.append(
        f"  not in the times: sim's first call in a process, which loads the compiled day from "
        f"Numba's disk cache ({warm:.2f} s at most here; compiling it from scratch, once per "
        "install, takes about a minute: python -m csat sim compile), and Mesa's import"
    )
    print("\n".join(notes))

    if args.sim_sizes:
        print(
            f"\nsim.run alone, same preset and network, {args.days} daily steps, best of "
            f"{args.repeat}"
        )
        print(f"{'people':>10} {'seconds':>8} {'person-days/s':>14} {'peak RSS MiB':>12}")
        last = None  # (people, seconds) of the last size run
        for size in sorted(args.sim_sizes):
            n = int(size)
            if last is not None and last[1] * n / last[0] > args.sim_budget:
                print(
                    f"{n:>10,}  not run: {last[0]:,} people took {last[1]:.1f} s, so this size "
                    f"would take about {last[1] * n / last[0]:.0f} s (> {args.sim_budget:g} s)"
                )
                continue
            m = measure(n, args.days, args.preset, args.repeat, with_mesa=False)
            last = (n, m["sim"])
            print(
                f"{n:>10,} {m['sim']:>8.3f} {n * args.days / m['sim']:>14,.0f} "
                f"{m['peak_rss_mib']:>12.1f}"
            )
    return 0 if ok else 1


def _mesa_version() -> str:
    from importlib.metadata import version

    return version("mesa")


if __name__ == "__main__":
    raise SystemExit(main())
