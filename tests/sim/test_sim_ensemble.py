"""Ensembles: the same seed gives the same replications on one process, on local processes
and on a Dask cluster; the bands summarise them faithfully; bad arguments say what is wrong."""

import concurrent.futures
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from csat import sim
from csat.lessons import ensembles

matplotlib.use("Agg")

N_RUNS = 4
SEED = 2024
DASK_TIMEOUT = 90  # seconds; a healthy 2-worker cluster needs a few


@pytest.fixture(scope="module")
def params():
    return sim.presets.get("car_dealer", population=800, days=30)


@pytest.fixture(scope="module")
def serial(params):
    return sim.ensemble(params, N_RUNS, rng=SEED, n_jobs=1)


@pytest.fixture(scope="module")
def dask_client():
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    with dask.config.set({"distributed.comm.timeouts.connect": "30s"}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster, set_as_default=False, timeout="30s")
        try:
            client.wait_for_workers(2, timeout=DASK_TIMEOUT)
        except Exception as exc:
            client.close()
            cluster.close()
            pytest.fail(f"LocalCluster: 2 workers did not start within {DASK_TIMEOUT} s: {exc}")
        try:
            yield client
        finally:
            client.close()
            cluster.close()


def _within(seconds, fn, what):
    """Run fn() in a thread and fail with a message, instead of hanging, if it takes too long."""
    pool = concurrent.futures.ThreadPoolExecutor(1)
    future = pool.submit(fn)
    try:
        return future.result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        pytest.fail(f"{what} did not finish within {seconds} s (cluster stuck or workers lost?)")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _assert_same(a, b):
    pd.testing.assert_frame_equal(a.runs, b.runs, check_exact=True)
    pd.testing.assert_frame_equal(a.summaries, b.summaries, check_exact=True)
    pd.testing.assert_frame_equal(a.bands(), b.bands(), check_exact=True)
    pd.testing.assert_frame_equal(a.summary(), b.summary(), check_exact=True)


def test_local_processes_give_the_same_ensemble_as_one_process(params, serial):
    _assert_same(sim.ensemble(params, N_RUNS, rng=SEED, n_jobs=2), serial)


def test_dask_cluster_gives_the_same_ensemble_as_joblib(params, serial, dask_client):
    on_dask = _within(
        DASK_TIMEOUT,
        lambda: sim.ensemble(params, N_RUNS, rng=SEED, client=dask_client, progress=True),
        "sim.ensemble on a 2-worker LocalCluster",
    )
    _assert_same(on_dask, serial)


def test_progress_bar_counts_finished_runs(params, serial, capsys):
    with_bar = sim.ensemble(params, N_RUNS, rng=SEED, n_jobs=1, progress=True)
    assert f"{N_RUNS}/{N_RUNS}" in capsys.readouterr().err
    _assert_same(with_bar, serial)


def test_different_seeds_give_different_ensembles(params, serial):
    other = sim.ensemble(params, N_RUNS, rng=SEED + 1, n_jobs=1)
    assert not other.runs.equals(serial.runs)


def test_replications_are_independent_streams(serial):
    paths = serial.runs.pivot(index="day", columns="run", values="visits").to_numpy()
    for i in range(N_RUNS):
        for j in range(i + 1, N_RUNS):
            assert not np.array_equal(paths[:, i], paths[:, j]), (i, j)
    assert serial.summaries["visits"].nunique() > 1


def test_run_i_is_the_same_whatever_the_ensemble_size(params, serial):
    small = sim.ensemble(params, 2, rng=SEED, n_jobs=1)
    pd.testing.assert_frame_equal(small.summaries, serial.summaries.iloc[:2], check_exact=True)


def test_a_generator_is_spawned_from_so_two_calls_differ(params):
    gen = np.random.default_rng(SEED)
    first = sim.ensemble(params, 2, rng=gen, n_jobs=1)
    second = sim.ensemble(params, 2, rng=gen, n_jobs=1)
    assert first.seed is None
    assert not first.summaries.equals(second.summaries)


def test_layout_runs_summaries_and_bands(params, serial):
    assert serial.n_runs == N_RUNS and serial.seed == SEED and serial.params is params
    assert serial.runs.columns[:2].tolist() == ["run", "day"]
    assert len(serial.runs) == N_RUNS * params.days
    assert serial.summaries.index.tolist() == list(range(N_RUNS))
    b = serial.bands(["customers", "revenue"])
    assert b.columns.tolist() == ["day", "metric", "mean", "q05", "q25", "q50", "q75", "q95"]
    assert len(b) == params.days * 2
    assert not b.duplicated(["day", "metric"]).any()
    assert len(serial.bands()) == params.days * len(serial.metrics)


def test_bands_are_ordered_and_agree_with_the_runs(serial):
    b = serial.bands()
    qs = b[["q05", "q25", "q50", "q75", "q95"]].dropna().to_numpy()
    assert np.all(np.diff(qs, axis=1) >= 0)
    last = b[(b["metric"] == "customers") & (b["day"] == b["day"].max())].iloc[0]
    assert last["mean"] == pytest.approx(serial.summaries["customers_end"].mean(), rel=1e-12)
    assert last["q50"] == pytest.approx(serial.summaries["customers_end"].median(), rel=1e-12)
    s = serial.summary()
    assert s.columns.tolist() == ["mean", "q05", "q95"]
    assert s.loc["customers_end", "q05"] <= s.loc["customers_end", "mean"]
    assert s.loc["customers_end", "mean"] <= s.loc["customers_end", "q95"]


def test_bands_name_any_quantile(serial):
    b = serial.bands("customers", quantiles=(0.025, 0.5, 0.975))
    assert b.columns.tolist() == ["day", "metric", "mean", "q2.5", "q50", "q97.5"]


def test_metrics_keep_only_those_columns_but_all_headline_figures(params, serial):
    thin = sim.ensemble(params, N_RUNS, rng=SEED, n_jobs=1, metrics=["customers"])
    assert thin.runs.columns.tolist() == ["run", "day", "customers"]
    pd.testing.assert_frame_equal(thin.summaries, serial.summaries, check_exact=True)
    pd.testing.assert_frame_equal(
        thin.bands(), serial.bands("customers").reset_index(drop=True), check_exact=True
    )


class _NotAClient:
    pass


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_runs": 0}, "ensemble: n_runs must be a positive integer, got 0"),
        ({"n_runs": 2.5}, "ensemble: n_runs must be a positive integer, got 2.5"),
        ({"n_runs": True}, "ensemble: n_runs must be a positive integer, got True"),
        ({"n_jobs": 0}, "ensemble: n_jobs must be a positive integer or None, got 0"),
        (
            {"n_jobs": 2, "client": _NotAClient()},
            "ensemble: give n_jobs or client, not both; got n_jobs=2 and a client",
        ),
        (
            {"client": _NotAClient()},
            "ensemble: client must be a dask.distributed.Client, got _NotAClient",
        ),
        ({"rng": "seed"}, "rng must be an int, a numpy Generator or None, got 'seed'"),
        ({"metrics": ["customerz"]}, "ensemble: metrics must be names of columns of Result.daily"),
    ],
)
def test_bad_arguments_say_what_is_wrong(params, kwargs, message):
    kwargs = {"n_runs": 2, "rng": 0, **kwargs}
    n_runs = kwargs.pop("n_runs")
    with pytest.raises(ValueError, match=re.escape(message)):
        sim.ensemble(params, n_runs, **kwargs)


def test_params_must_be_params():
    with pytest.raises(ValueError, match=r"ensemble: params must be a sim.Params, got dict"):
        sim.ensemble({"population": 100}, 2)


def test_bad_band_and_plot_arguments_say_what_is_wrong(serial):
    with pytest.raises(ValueError, match=r"Ensemble.bands: metrics must be .*got \['custom'\]"):
        serial.bands("custom")
    with pytest.raises(ValueError, match=r"Ensemble.bands: quantiles must be numbers in \[0, 1\]"):
        serial.bands(quantiles=(0.5, 1.5))
    with pytest.raises(ValueError, match=r"ensembles.plot: ax must hold one Axes per metric \(2\)"):
        ensembles.plot(serial, ["customers", "revenue"], ax=object())


def test_plot_draws_mean_and_two_bands_per_metric(serial):
    import matplotlib.pyplot as plt

    metrics = ["customers", "complaints_front_line", "revenue"]
    fig = ensembles.plot(serial, metrics)
    try:
        assert len(fig.axes) == len(metrics)
        for ax in fig.axes:
            assert len(ax.collections) == 2  # 50% and 90% bands
            assert len(ax.lines) == 1  # the mean
            assert ax.get_xlabel() == "Day" and ax.get_ylabel()
            assert "90% of runs between" in ax.get_title()
            assert ax.title.get_fontsize() >= 12 and ax.xaxis.label.get_fontsize() >= 12
        customers = serial.summaries["customers_end"]
        assert fig.axes[0].get_title() == (
            f"Customers after 30 days: {customers.mean():,.0f} "
            f"(90% of runs between {customers.quantile(0.05):,.0f} "
            f"and {customers.quantile(0.95):,.0f})"
        )
    finally:
        plt.close(fig)


def test_plot_draws_on_given_axes(serial):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        assert ensembles.plot(serial, "customers", ax=ax) is fig
        assert len(ax.collections) == 2
    finally:
        plt.close(fig)


def _figure_words(fig):
    """Every title, axis label and legend entry of a figure's panels."""
    for ax in fig.axes:
        yield ax.get_title()
        yield ax.get_xlabel()
        yield ax.get_ylabel()
        yield from (t.get_text() for t in ax.get_legend().get_texts())


def test_a_chinese_figure_speaks_the_catalogues_chinese_and_no_english(serial):
    import matplotlib.pyplot as plt

    from csat import i18n

    zh, en = ensembles.TEXT["zh"], ensembles.TEXT["en"]
    metrics = ["customers", "revenue", "defected_silent"]
    fig = ensembles.plot(serial, metrics, lang="zh")
    try:
        customers = serial.summaries["customers_end"]
        assert fig.axes[0].get_title() == zh["level_head"].format(
            label=zh["labels"]["customers"], days=30, value=f"{customers.mean():,.0f}"
        ) + zh["band"].format(
            lo=f"{customers.quantile(0.05):,.0f}", hi=f"{customers.quantile(0.95):,.0f}"
        )
        assert fig.axes[1].get_title().startswith(zh["labels"]["revenue"])
        lost = zh["lost"].format(cause=i18n.t("cause.silent", "zh"))
        assert fig.axes[2].get_title().startswith(lost)
        assert [ax.get_ylabel() for ax in fig.axes] == [
            zh["ylabel"].format(label=zh["labels"]["customers"], unit=zh["units"]["people"]),
            zh["ylabel"].format(label=zh["labels"]["revenue"], unit=zh["units"]["money_per_day"]),
            zh["units"]["people_per_day"],
        ]
        for ax in fig.axes:
            assert ax.get_xlabel() == zh["day"]
            assert [t.get_text() for t in ax.get_legend().get_texts()] == [
                zh["band_90"],
                zh["band_50"],
                zh["mean_line"].format(n=N_RUNS),
            ]
        words = list(_figure_words(fig))
        assert not [w for w in words if re.search("[A-Za-z]", w)], "English letters in Chinese"
        english = [*en["labels"].values(), *en["units"].values(), en["day"], en["band_90"]]
        assert not [e for e in english if any(e in w for w in words)]
    finally:
        plt.close(fig)


def test_every_metric_has_a_label_and_unit_in_every_language(serial):
    from csat import i18n

    for lang in i18n.codes():
        for metric in serial.metrics:
            label, unit, _kind = ensembles._metric_info(metric, lang)
            assert label != metric and ensembles.TEXT[lang]["units"][unit]


def test_plot_in_an_unknown_language_raises(serial):
    from csat import i18n

    with pytest.raises(i18n.UnknownLanguage, match=r"ensembles.plot: lang: .*got 'fr'"):
        ensembles.plot(serial, "customers", lang="fr")
