"""Speed and memory of one simulated year, side by side with a memory-streaming baseline.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_sim.py [--sizes 1e4 1e5 1e6]``).

For each market size it runs ``csat.sim.run`` on a preset for 365 daily steps in a fresh
subprocess and reports: wall-clock seconds (best of ``--repeat``), person-days per second,
peak memory (peak traced allocations and the process's peak resident set), and a baseline
measured in the same process: the time numpy takes for the minimum work any daily-step
simulator must do — two streaming passes a day over an int32 array with one slot per person
(find whose visit or churn falls today). The ratio says how far the simulator is from merely
touching its memory.

A second table runs word of mouth along a contact network (small world, mean degree 10),
network built inside the timed run.

Targets (2-core machine): 1e6 people × 365 days under 5 s and under 1 GiB peak;
1e4 people × 365 days under 0.1 s, so a notebook slider feels live; with a network,
1e6 people × 365 days under 10 s and under 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

TARGETS = {  # (size, network): (seconds, MiB)
    (10_000, "well_mixed"): (0.1, None),
    (1_000_000, "well_mixed"): (5.0, 1024.0),
    (1_000_000, "small_world"): (10.0, 2048.0),
}

_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time, tracemalloc
    import numpy as np
    from csat import sim

    n, preset, repeat, kind = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    params = sim.presets.get(preset, population=n, days=365, **{"network.kind": kind})
    sim.run(sim.presets.get(preset, population=1_000, days=5), rng=0)  # warm imports
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        result = sim.run(params, rng=i)
        times.append(time.perf_counter() - t0)
    del result
    # Baseline: two streaming passes a day over one int32 slot per person.
    days = np.random.default_rng(0).integers(0, 365, n).astype(np.int32)
    churn = np.random.default_rng(1).integers(0, 365, n).astype(np.int32)
    base = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for day in range(365):
            np.flatnonzero(days == day)
            np.flatnonzero(churn == day)
        base.append(time.perf_counter() - t0)
    tracemalloc.start()
    sim.run(params, rng=0)
    peak_traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": min(times), "baseline": min(base),
                      "peak_traced_mib": peak_traced / 2**20, "peak_rss_mib": rss / 1024}))
    """
)


def measure(n: int, preset: str, repeat: int, kind: str = "well_mixed") -> dict:
    """Run one size in a fresh interpreter so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(n), preset, str(repeat), kind],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e5, 1e6])
    parser.add_argument("--preset", default="car_dealer")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--network-sizes", nargs="*", type=float, default=[1e5, 1e6], help="sizes with a network"
    )
    args = parser.parse_args(argv)

    header = (
        f"{'people':>10} {'seconds':>8} {'person-days/s':>14} {'baseline s':>10} "
        f"{'ratio':>6} {'peak traced MiB':>15} {'peak RSS MiB':>12}  target"
    )
    ok = True
    tables = [("well_mixed", args.sizes), ("small_world", args.network_sizes)]
    for kind, sizes in tables:
        if not sizes:
            continue
        where = "well mixed" if kind == "well_mixed" else "small-world network, mean degree 10"
        print(f"\nsim.run, preset {args.preset!r}, {where}, 365 daily steps, best of {args.repeat}")
        print(header)
        for size in sizes:
            n = int(size)
            m = measure(n, args.preset, args.repeat, kind)
            rate = n * 365 / m["seconds"]
            target = TARGETS.get((n, kind))
            verdict = ""
            if target:
                sec, mib = target
                met = m["seconds"] < sec and (mib is None or m["peak_rss_mib"] < mib)
                ok &= met
                limit = f"< {sec} s" + (f", < {mib:.0f} MiB" if mib else "")
                verdict = f"{'met' if met else 'MISSED'} ({limit})"
            print(
                f"{n:>10,} {m['seconds']:>8.3f} {rate:>14,.0f} {m['baseline']:>10.3f} "
                f"{m['seconds'] / m['baseline']:>6.1f} {m['peak_traced_mib']:>15.1f} "
                f"{m['peak_rss_mib']:>12.1f}  {verdict}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
