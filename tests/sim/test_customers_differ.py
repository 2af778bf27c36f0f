"""Customers who differ (``Params.customers``), checked against theory and against real data.

Three checks, each through the course's own entry point, :func:`csat.sim.run` (via
:func:`csat.sim.repeats.simulate_cohort`, which calls it):

1. Theory. With gamma-distributed visit rates (shape r) and nobody lapsing, a customer's repeat
   count over T days is negative binomial: mean m = λ̄T, variance/mean 1 + m/r.
2. Real data. The ``cd_retailer`` preset (the BG/NBD parameters of the CDNOW cohort) against
   the CDNOW purchases themselves, read from the file the ``lifetimes`` package ships.
3. The BG/NBD model. ``lifetimes.BetaGeoFitter`` fitted to the simulated cohort gives back the
   preset's r, α, a and b.

And the mechanism is truly off by default: a preset runs exactly as it did, with nobody lapsed.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csat import sim
from csat.sim import presets, repeats

lifetimes = pytest.importorskip("lifetimes")

CDNOW_FILE = Path(lifetimes.__file__).parent / "datasets" / "CDNOW_master.txt"


def _cdnow_transactions() -> pd.DataFrame:
    raw = pd.read_csv(
        CDNOW_FILE,
        sep=r"\s+",
        header=0,
        names=["customer", "date", "cds", "dollars"],
        dtype={"customer": str, "date": str},
    )
    day = (pd.to_datetime(raw["date"], format="%Y%m%d") - pd.Timestamp("1997-01-01")).dt.days
    return pd.DataFrame({"customer": raw["customer"], "day": day})


@pytest.fixture(scope="module")
def cdnow() -> dict:
    return repeats.transaction_figures(_cdnow_transactions())


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    """The CD retailer's cohort: about 24,600 people joining over 12 weeks (CDNOW: 23,570)."""
    return repeats.simulate_cohort(
        repeats.cohort_params(presets.get("cd_retailer")), rng=11, recency_step=7
    )


def test_the_cdnow_figures_are_the_ones_the_course_states(cdnow):
    # The whole file is the cohort of the first 12 weeks of 1997, followed for 78 weeks.
    t = _cdnow_transactions()
    first = t.groupby("customer")["day"].min()
    assert len(first) == 23_570 and first.max() < repeats.TRIAL_DAYS
    assert t["day"].max() < repeats.CALIBRATION_DAYS + repeats.HOLDOUT_DAYS
    assert cdnow["zero_repeat"] == pytest.approx(repeats.CDNOW["zero_repeat"], abs=5e-4)
    assert cdnow["var_to_mean"] == pytest.approx(repeats.CDNOW["var_to_mean"], abs=5e-3)
    assert cdnow["holdout_to_calibration"] == pytest.approx(
        repeats.CDNOW["holdout_to_calibration"], abs=5e-4
    )


@pytest.mark.parametrize("shape", [0.25, 1.0, 4.0])
def test_repeat_counts_are_negative_binomial(shape):
    """Repeat counts of a year against the negative binomial, for r = 0.25, 1 and 4.

    The simulator's day allows one visit at a daily chance p = 1 − exp(−λ/365), so a customer's
    count over the 365 days is binomial(365, p), mixed over the gamma of λ: the exact law,
    computed here by Monte Carlo over 2 million gammas. The simulated mean and variance/mean
    must each be within 4 standard errors of it (the standard error of the variance from the
    sample's fourth moment). The closed form NBD (mean λ̄T, variance/mean 1 + m/r) is its
    limit for small daily chances; at r = 0.25 the heaviest buyers (λ of 50 a year and more)
    feel the one-visit-a-day cap, so the exact mean sits up to 2% below λ̄T and the exact
    variance/mean up to 6% below 1 + m/r: the closed form is held to 3% and 7%."""
    params = sim.presets.get(
        "hotel",
        population=40_000,
        initial_customers=1.0,
        innovation=0.0,
        natural_churn=0.0,
        days=365,
        # nobody leaves: perfect service, no word of mouth tipping anyone
        **{
            "service.quality": (10.0,) * 5,
            "service.spread": (0.0,) * 5,
            "customers.visit_shape": shape,
        },
    )
    result = sim.run(params, rng=5)
    pop = result.population
    assert int(result.summary()["defections"]) == 0
    x = pop.visits.astype(float)
    n = x.size
    # Days 0 … 364 each carry the person's daily chance p = 1 − exp(−λ/365): over a year the
    # count is Poisson-like with mean 365·p (p ≈ λ/365), mixed over the gamma.
    rates = np.random.default_rng(0).gamma(shape, params.visits_per_year / shape, 2_000_000)
    p = -np.expm1(-rates / 365.0)
    m_theory = float(np.mean(365 * p))  # a binomial count per person, mixed
    var_theory = float(np.mean(365 * p * (1 - p)) + np.var(365 * p))
    ratio_theory = var_theory / m_theory
    # the closed form, the limit for small daily chances
    closed_form = 1 + params.visits_per_year / shape
    assert m_theory == pytest.approx(params.visits_per_year, rel=0.03)
    assert ratio_theory == pytest.approx(closed_form, rel=0.07)
    mean, var = x.mean(), x.var(ddof=1)
    se_mean = np.sqrt(var / n)
    assert abs(mean - m_theory) < 4 * se_mean, (mean, m_theory, se_mean)
    # standard error of the sample variance: sqrt((μ4 − σ⁴)/n), from the sample itself
    mu4 = np.mean((x - mean) ** 4)
    se_ratio = np.sqrt((mu4 - var**2) / n) / mean
    print(
        f"r = {shape}: mean {mean:.3f} (theory {m_theory:.3f}), variance/mean {var / mean:.3f} "
        f"(exact {ratio_theory:.3f}, s.e. {se_ratio:.3f}; closed form {closed_form:.3f})"
    )
    assert abs(var / mean - ratio_theory) < 4 * se_ratio + 2 * ratio_theory * se_mean / mean


def test_the_cd_retailer_repeats_the_cdnow_customers(cohort, cdnow):
    """Simulated cohort against the CDNOW data, and against customers alike.

    Exposure: like CDNOW's, the simulated cohort joins (first purchase) over the first 12 weeks,
    won by advertising in a market with no customers on day 0, more of it early (mean join day
    40 against CDNOW's 43); calibration ends at week 39 for everyone, so each person's
    calibration time is 27–39 weeks, as in the data.

    Tolerances, and what the model meets:

    - no repeat purchase in 39 weeks: within 3 percentage points (measured 59.8% against
      59.9%; the sampling error of either share is 0.3 points);
    - variance/mean of the repeat counts: within 20% (measured about 4.5 against 5.03; the
      complaint-driven defections, which BG/NBD lacks, trim the heaviest buyers);
    - holdout/calibration purchases: within 0.05 of the BG/NBD closed form at the preset's
      parameters and the cohort's own exposure (measured about 0.64 against 0.66), but 0.17
      below the data's 0.809. That gap is BG/NBD's, not the simulator's: with the CDNOW
      parameters and CDNOW's own exposure, the closed form itself predicts 0.665. The holdout
      weeks (October 1997 to June 1998) hold a Christmas season, and rates that never change
      cannot see it. So the data check here is a band: within 0.25 of the data, and nearer the
      data than customers alike (who buy more in the second period than in the first).
    """
    got = repeats.figures(cohort["calibration"], cohort["holdout"])
    alike_params = repeats.cohort_params(
        presets.get(
            "cd_retailer",
            **{"customers.visit_shape": 0.0, "customers.dropout_per_visit": 0.0},
        )
    )
    alike = repeats.simulate_cohort(alike_params, rng=11)
    same = repeats.figures(alike["calibration"], alike["holdout"])
    print(f"\ncohort of {len(cohort):,} (CDNOW 23,570)")
    for key in got:
        print(f"{key}: differ {got[key]:.3f}, alike {same[key]:.3f}, CDNOW {cdnow[key]:.3f}")
    assert 20_000 < len(cohort) < 30_000
    assert 38 < cohort["joined_day"].mean() < 45
    assert abs(got["zero_repeat"] - cdnow["zero_repeat"]) < 0.03
    assert got["var_to_mean"] == pytest.approx(cdnow["var_to_mean"], rel=0.20)
    # the BG/NBD closed form at the preset's parameters, this cohort's exposure
    c = presets.CDNOW
    model = lifetimes.BetaGeoFitter()
    model.params_ = pd.Series({"r": c["r"], "alpha": c["alpha_weeks"], "a": c["a"], "b": c["b"]})
    t = cohort["T"].to_numpy()
    before = model.expected_number_of_purchases_up_to_time(t)
    after = model.expected_number_of_purchases_up_to_time(t + 39)
    closed_form = float((after - before).sum() / before.sum())
    print(f"holdout/calibration, BG/NBD closed form: {closed_form:.3f}")
    assert abs(got["holdout_to_calibration"] - closed_form) < 0.05
    assert abs(got["holdout_to_calibration"] - cdnow["holdout_to_calibration"]) < 0.25
    for key in got:  # customers who differ are nearer the data on every figure
        assert abs(got[key] - cdnow[key]) < abs(same[key] - cdnow[key]), key
    # customers alike: few never return, counts barely spread, the second period no lighter
    assert same["zero_repeat"] < 0.3 and same["var_to_mean"] < 1.2
    assert same["holdout_to_calibration"] > 1.0


def test_bg_nbd_fitted_to_the_simulated_cohort_gives_back_the_preset(cohort):
    """``BetaGeoFitter`` on the simulated frequency, recency (to the week: runs stopped every 7
    days) and T recovers the preset's parameters. Tolerances (relative): r 10%, α 20%, a and b
    25% each, the mean dropout a/(a + b) 15%. Complaint-driven defection, which BG/NBD can only
    count as dropout, adds about one loss per hundred purchases, so a and b come out a little
    high; the weekly recency blurs α a little."""
    fit = lifetimes.BetaGeoFitter(penalizer_coef=0.0).fit(
        cohort["calibration"], cohort["recency"], cohort["T"]
    )
    got = fit.params_
    c = presets.CDNOW
    print("\nBG/NBD on the simulated cohort:", {k: round(float(v), 3) for k, v in got.items()})
    assert got["r"] == pytest.approx(c["r"], rel=0.10)
    assert got["alpha"] == pytest.approx(c["alpha_weeks"], rel=0.20)
    assert got["a"] == pytest.approx(c["a"], rel=0.25)
    assert got["b"] == pytest.approx(c["b"], rel=0.25)
    assert got["a"] / (got["a"] + got["b"]) == pytest.approx(c["a"] / (c["a"] + c["b"]), rel=0.15)


def test_the_preset_is_the_cdnow_fit():
    p = presets.get("cd_retailer")
    c = presets.CDNOW
    assert p.customers.visit_shape == c["r"]
    assert p.visits_per_year == pytest.approx(c["r"] / c["alpha_weeks"] * 365 / 7, abs=1e-3)
    assert p.customers.dropout_per_visit == pytest.approx(c["a"] / (c["a"] + c["b"]), abs=1e-4)
    assert p.customers.dropout_concentration == pytest.approx(c["a"] + c["b"], abs=1e-3)
    assert "cd_retailer" in presets.names() and "cd_retailer" not in presets.playable()


@pytest.mark.parametrize("name", ["hotel", "car_dealer"])
def test_off_by_default_changes_nothing(name):
    changes = {"population": 3_000, "days": 200}
    base = sim.run(presets.get(name, **changes), rng=4)
    off = sim.run(
        presets.get(
            name,
            **changes,
            **{
                "customers.visit_shape": 0.0,
                "customers.dropout_per_visit": 0.0,
                "customers.dropout_concentration": 50.0,  # read only when dropout is on
            },
        ),
        rng=4,
    )
    pd.testing.assert_frame_equal(base.daily, off.daily)
    for field in ("status", "next_visit", "visits", "cause", "own_view", "value"):
        np.testing.assert_array_equal(
            getattr(base.population, field), getattr(off.population, field)
        )
    assert int(base.summary()["defections_lapsed"]) == 0
    assert (base.population.dropout == 0).all()
    assert (base.population.visit_chance == base.population.visit_chance[0]).all()


def test_lapsing_is_its_own_cause():
    result = sim.run(presets.get("cd_retailer", population=5_000, days=200), rng=2)
    s = result.summary()
    assert int(s["defections_lapsed"]) > 0
    assert int(s["defections_natural"]) == 0  # the preset's ordinary churn is in the lapsing
    lapsed = result.customers["cause"] == "lapsed"
    assert lapsed.sum() == int(s["defections_lapsed"])
    # a customer lapses after a visit, never before the first
    assert (result.customers.loc[lapsed, "visits"] >= 1).all()


def test_refused_values_name_the_field():
    with pytest.raises(ValueError, match="visit_shape must be 0"):
        sim.with_changes(sim.Params(), **{"customers.visit_shape": 0.001})
    with pytest.raises(ValueError, match=r"dropout_per_visit must be in \[0.0, 0.999\]"):
        sim.with_changes(sim.Params(), **{"customers.dropout_per_visit": 1.0})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_dashboard_shows_a_lapsed_bar_only_where_customers_lapse(lang):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from csat import i18n
    from csat.lessons import plots, style

    label = i18n.t("cause.lapsed", style.figure_lang(lang))
    for name, shown in (("hotel", False), ("cd_retailer", True)):
        result = sim.run(presets.get(name, population=3_000, days=120), rng=1)
        fig = plots.dashboard(result, lang=lang)
        bars = {t.get_text() for ax in fig.axes for t in ax.get_yticklabels()}
        plt.close(fig)
        assert (label in bars) is shown, (name, bars)
