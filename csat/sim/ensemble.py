"""Ensembles: many independent replications of one business, summarised as mean and bands.

One run of a stochastic model is one draw. :func:`ensemble` repeats :func:`csat.sim.run` with
independent random streams (``rng.spawn``, SPEC 7) and reports, day by day, the mean and
quantile bands across runs, so a notebook can say "5,190 customers, 90% of runs between 5,050
and 5,330" instead of quoting one draw.

The runs go to local processes (joblib's loky backend) or, given a ``dask.distributed``
client, to a Dask cluster. Replication ``i`` always gets child stream ``i`` of the seed,
whatever the backend or the number of workers, so the same seed gives the same ensemble
everywhere. Workers send back only the daily table and the headline figures of each run, never
the population.

Examples
--------
>>> from csat.sim import presets
>>> ens = ensemble(presets.get("hotel", population=500, days=20), 3, rng=1, n_jobs=1)
>>> ens.n_runs, len(ens.runs)
(3, 60)
>>> ens.bands(["customers"]).columns.tolist()
['day', 'metric', 'mean', 'q05', 'q25', 'q50', 'q75', 'q95']
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csat.sim._rng import as_generator
from csat.sim.params import Params
from csat.sim.run import run

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Quantiles :meth:`Ensemble.bands` reports by default: the 50% and 90% bands and the median."""


def _qname(q: float) -> str:
    """Column name of quantile ``q``: 0.05 -> 'q05', 0.5 -> 'q50', 0.975 -> 'q97.5'."""
    pct = round(q * 100, 6)
    return f"q{int(pct):02d}" if pct == int(pct) else f"q{pct:g}"


@dataclass(frozen=True)
class Ensemble:
    """Independent replications of one business and what they have in common.

    Attributes
    ----------
    params : Params
        The parameters every run used.
    seed : int or None
        The integer seed, when the ensemble was given one.
    runs : pandas.DataFrame
        All runs' daily tables stacked (long, tidy): a ``run`` column (0 … n_runs − 1) followed
        by the columns of :attr:`sim.Result.daily` (or of the chosen ``metrics``), one row per
        (run, day). One long table rather than a list of tables, so that ``groupby`` and
        plotting libraries take it as it is.
    summaries : pandas.DataFrame
        One row per run (index ``run``): the headline figures of :meth:`sim.Result.summary`.
    """

    params: Params
    seed: int | None
    runs: pd.DataFrame
    summaries: pd.DataFrame

    @property
    def n_runs(self) -> int:
        """How many replications the ensemble holds."""
        return len(self.summaries)

    @property
    def metrics(self) -> list[str]:
        """The daily metrics the ensemble holds (every column of :attr:`runs` but run and day)."""
        return [c for c in self.runs.columns if c not in ("run", "day")]

    def bands(
        self,
        metrics: str | Iterable[str] | None = None,
        quantiles: Sequence[float] = QUANTILES,
    ) -> pd.DataFrame:
        """Mean and quantiles across runs, per day and metric.

        Parameters
        ----------
        metrics : str or iterable of str, optional
            Daily metrics to summarise (columns of :attr:`runs`); all of them by default.
        quantiles : sequence of float, optional
            Quantiles in [0, 1]; each becomes a column named after its percentage
            (0.05 -> ``q05``, 0.975 -> ``q97.5``).

        Returns
        -------
        pandas.DataFrame
            Tidy: columns ``day``, ``metric``, ``mean`` and one per quantile; one row per
            (day, metric), sorted by day and then by metric in the order asked for. Days on which
            a metric is undefined in some runs (NaN, e.g. mean satisfaction on a day without
            visits) are summarised over the runs where it is defined.

        Examples
        --------
        >>> from csat.sim import Params
        >>> ens = ensemble(Params(population=500, days=20), 3, rng=0, n_jobs=1)
        >>> b = ens.bands("customers", quantiles=(0.1, 0.9))
        >>> b.shape, b.columns.tolist()
        ((20, 5), ['day', 'metric', 'mean', 'q10', 'q90'])
        >>> bool((b["q10"] <= b["q90"]).all())
        True
        """
        names = self._check_metrics(metrics, "Ensemble.bands")
        qs = _check_quantiles(quantiles)
        days = self.runs["day"].to_numpy()[: len(self.runs) // self.n_runs]
        # (n_runs, n_days, n_metrics): runs are stored run-major, day-minor.
        cube = self.runs[names].to_numpy(dtype=float).reshape(self.n_runs, len(days), len(names))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as meant
            mean = np.nanmean(cube, axis=0)
            qv = np.nanquantile(cube, qs, axis=0) if qs else np.empty((0, *mean.shape))
        out = pd.DataFrame(
            {
                "day": np.repeat(days, len(names)),
                "metric": np.tile(np.asarray(names, dtype=object), len(days)),
                "mean": mean.ravel(),
            }
        )
        for q, values in zip(qs, qv, strict=True):
            out[_qname(q)] = values.ravel()
        return out

    def summary(self) -> pd.DataFrame:
        """Mean and 90% interval of each headline figure across runs.

        Returns
        -------
        pandas.DataFrame
            One row per headline figure of :meth:`sim.Result.summary` (index ``figure``),
            columns ``mean``, ``q05`` and ``q95``: 90% of runs fall between the last two. NaN
            values (e.g. a lifetime value that is undefined in a run) are left out.

        Examples
        --------
        >>> from csat.sim import Params
        >>> ens = ensemble(Params(population=500, days=20), 3, rng=0, n_jobs=1)
        >>> ens.summary().loc["customers_end"].index.tolist()
        ['mean', 'q05', 'q95']
        """
        s = self.summaries.astype(float)
        out = pd.DataFrame(
            {"mean": s.mean(), "q05": s.quantile(0.05), "q95": s.quantile(0.95)},
        )
        return out.rename_axis("figure")

    def _check_metrics(self, metrics: str | Iterable[str] | None, where: str) -> list[str]:
        known = self.metrics
        if metrics is None:
            return known
        names = [metrics] if isinstance(metrics, str) else list(metrics)
        unknown = [m for m in names if m not in known]
        if unknown or not names:
            raise ValueError(
                f"{where}: metrics must be names of daily metrics in this ensemble, "
                f"got {unknown or names!r}; known: {known}"
            )
        return names


def _check_quantiles(quantiles: Sequence[float]) -> list[float]:
    try:
        qs = [float(q) for q in quantiles]
    except (TypeError, ValueError):
        qs = None
    if qs is None or not all(0.0 <= q <= 1.0 for q in qs):
        raise ValueError(f"Ensemble.bands: quantiles must be numbers in [0, 1], got {quantiles!r}")
    if len({_qname(q) for q in qs}) != len(qs):
        raise ValueError(f"Ensemble.bands: quantiles must be distinct, got {quantiles!r}")
    return qs


def _replicate(
    params: Params, rng: np.random.Generator, index: int, metrics: list[str] | None
) -> tuple[int, pd.DataFrame, dict[str, Any]]:
    """Run one replication and keep only what travels back: its daily table and summary."""
    result = run(params, rng=rng)
    daily = result.daily
    if metrics is not None:
        unknown = [m for m in metrics if m not in daily.columns]
        if unknown:
            raise ValueError(
                f"ensemble: metrics must be names of columns of Result.daily, got {unknown!r}; "
                f"known: {[c for c in daily.columns if c != 'day']}"
            )
        daily = daily[["day", *[m for m in metrics if m != "day"]]]
    return index, daily, result.summary().to_dict()


def ensemble(
    params: Params,
    n_runs: int,
    *,
    rng: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
    client: Any = None,
    progress: bool = False,
    metrics: Iterable[str] | None = None,
) -> Ensemble:
    """Run ``n_runs`` independent replications of the business ``params`` describes.

    Parameters
    ----------
    params : Params
    n_runs : int
        Number of replications (positive).
    rng : int, numpy.random.Generator or None, optional
        Source of randomness, passed to :func:`numpy.random.default_rng`. Use an int to
        reproduce a run. Replication ``i`` uses child ``i`` of ``rng.spawn(n_runs)``, so it is
        the same whatever ``n_jobs`` or ``client``, and the first runs of a larger ensemble
        with the same seed are the runs of a smaller one.
    n_jobs : int, optional
        Local worker processes (joblib, loky backend). Default: ``min(n_runs,
        os.cpu_count())``. ``1`` runs in this process, with no start-up cost: best for small
        populations, where a run takes less time than starting a process.
    client : dask.distributed.Client, optional
        Run the replications on this Dask cluster instead (``client.map``); not with
        ``n_jobs``.
    progress : bool, optional
        Show a progress bar (tqdm) over finished runs.
    metrics : iterable of str, optional
        Keep only these columns of :attr:`sim.Result.daily` (plus ``day``); all by default. Less
        to send back from the workers and to hold for large ensembles. The headline figures
        are always computed from the full run.

    Returns
    -------
    Ensemble

    Raises
    ------
    ValueError
        If ``params`` is not a :class:`sim.Params`, ``n_runs`` or ``n_jobs`` is not a positive
        integer, both ``n_jobs`` and ``client`` are given, or a metric is not a daily column.

    Examples
    --------
    >>> from csat.sim import Params
    >>> ens = ensemble(Params(population=500, days=20), 3, rng=42, n_jobs=1)
    >>> ens.summaries.shape[0], ens.runs["run"].unique().tolist()
    (3, [0, 1, 2])
    >>> same = ensemble(Params(population=500, days=20), 3, rng=42, n_jobs=1)
    >>> same.summaries.equals(ens.summaries)
    True
    """
    if not isinstance(params, Params):
        raise ValueError(f"ensemble: params must be a sim.Params, got {type(params).__name__}")
    if not _is_positive_int(n_runs):
        raise ValueError(f"ensemble: n_runs must be a positive integer, got {n_runs!r}")
    if n_jobs is not None and not _is_positive_int(n_jobs):
        raise ValueError(f"ensemble: n_jobs must be a positive integer or None, got {n_jobs!r}")
    if n_jobs is not None and client is not None:
        raise ValueError(
            f"ensemble: give n_jobs or client, not both; got n_jobs={n_jobs!r} and a client"
        )
    if metrics is not None:
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        if not metrics or not all(isinstance(m, str) for m in metrics):
            raise ValueError(
                f"ensemble: metrics must be names of columns of Result.daily, got {metrics!r}"
            )
    seed = int(rng) if isinstance(rng, int | np.integer) and not isinstance(rng, bool) else None
    children = as_generator(rng).spawn(n_runs)

    if client is not None:
        done = _on_dask(client, params, children, metrics)
    else:
        jobs = min(n_runs, os.cpu_count() or 1) if n_jobs is None else min(n_jobs, n_runs)
        done = _on_joblib(jobs, params, children, metrics)
    if progress:
        from tqdm.auto import tqdm

        done = tqdm(done, total=n_runs, desc="replications", unit="run")

    dailies: list[pd.DataFrame | None] = [None] * n_runs
    summaries: list[dict[str, Any] | None] = [None] * n_runs
    for index, daily, summary in done:
        dailies[index] = daily
        summaries[index] = summary
    runs = pd.concat(dailies, keys=range(n_runs), names=["run", None]).reset_index(level="run")
    runs = runs.reset_index(drop=True)
    return Ensemble(
        params=params,
        seed=seed,
        runs=runs,
        summaries=pd.DataFrame(summaries).rename_axis("run"),
    )


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 1


def _on_joblib(
    n_jobs: int, params: Params, children: list[np.random.Generator], metrics: list[str] | None
) -> Iterator[tuple[int, pd.DataFrame, dict[str, Any]]]:
    """Results in the order runs finish (in run order with one job, which runs in-process)."""
    if n_jobs == 1:
        return (_replicate(params, g, i, metrics) for i, g in enumerate(children))
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered")
    return iter(
        parallel(delayed(_replicate)(params, g, i, metrics) for i, g in enumerate(children))
    )


def _on_dask(
    client: Any, params: Params, children: list[np.random.Generator], metrics: list[str] | None
) -> Iterator[tuple[int, pd.DataFrame, dict[str, Any]]]:
    """Results in the order runs finish on the cluster; unfinished runs are cancelled on error."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - distributed is a dev extra
        raise ValueError("ensemble: client needs dask.distributed, which is not installed") from exc
    if not isinstance(client, Client):
        raise ValueError(
            f"ensemble: client must be a dask.distributed.Client, got {type(client).__name__}"
        )
    n = len(children)
    # pure=False: Generators are not tokenised, and each call is a fresh computation.
    futures = client.map(_replicate, [params] * n, children, range(n), [metrics] * n, pure=False)

    def results() -> Iterator[tuple[int, pd.DataFrame, dict[str, Any]]]:
        try:
            # The client's own loop: it need not be the default client.
            for future in as_completed(futures, loop=client.loop):
                yield future.result()
        finally:
            client.cancel(futures)

    return results()


@dataclass(frozen=True)
class PairedDifference:
    """How one version of a business differs from another over runs on the same seeds.

    ``diff`` is the mean of the run-by-run differences, ``lo`` and ``hi`` the ends of its
    confidence interval (Student's t on the paired differences), ``clear`` whether that
    interval leaves out 0 — if not, the difference is within the noise of this many runs.
    """

    diff: float
    lo: float
    hi: float
    clear: bool


def paired_difference(
    runs: Sequence[float] | np.ndarray | pd.Series,
    first: Sequence[float] | np.ndarray | pd.Series,
    *,
    level: float = 0.90,
    relative: bool = False,
) -> PairedDifference:
    """``runs`` minus ``first``, run by run (run ``i`` of both started from the same seed).

    With ``relative`` the difference and its interval are divided by the mean of ``first``
    (a change of +0.05 is 5% more). At least two runs are needed to measure the noise.

    Examples
    --------
    >>> d = paired_difference([11.0, 12.0, 13.0], [10.0, 10.5, 11.5])
    >>> round(d.diff, 2), d.clear
    (1.33, True)
    >>> paired_difference([10.0, 12.0], [11.0, 11.0]).clear
    False
    """
    a = np.asarray(runs, dtype=float)
    b = np.asarray(first, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or a.size < 2:
        raise ValueError(
            f"paired_difference needs two equal lists of at least 2 runs, got {a.size} and {b.size}"
        )
    if not 0.0 < level < 1.0:
        raise ValueError(f"paired_difference: level must be in (0, 1), got {level!r}")
    from scipy import stats

    d = a - b
    mean = float(d.mean())
    half = float(stats.t.ppf(0.5 + level / 2, d.size - 1)) * float(d.std(ddof=1)) / np.sqrt(d.size)
    scale = float(b.mean()) if relative else 1.0
    if relative and scale == 0.0:
        raise ValueError("paired_difference: a relative difference needs a first mean other than 0")
    lo, hi = (mean - half) / scale, (mean + half) / scale
    return PairedDifference(mean / scale, lo, hi, bool(half < abs(mean)))
