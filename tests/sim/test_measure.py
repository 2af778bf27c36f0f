"""Measuring satisfaction: IPA quadrants as defined, the four methods, ACSI and SSI indices,
PP100 (csat/lessons/measure.py)."""

from dataclasses import replace

import matplotlib
import numpy as np
import pytest

from csat import sim
from csat.lessons import measure, survey
from csat.sim import analytic

matplotlib.use("Agg")

CAR = sim.presets.get("car_dealer")


@pytest.fixture(scope="module")
def car_survey():
    return survey.draw(CAR, n=400, rng=3)


@pytest.mark.parametrize(
    ("imp", "perf", "expected"),
    [
        (30, 5.0, "concentrate_here"),
        (30, 6.0, "keep_up"),
        (10, 5.0, "low_priority"),
        (10, 6.0, "possible_overkill"),
        (20, 5.5, "keep_up"),  # on both cuts: counts as high
        (20, 5.4, "concentrate_here"),
        (19.99, 5.5, "possible_overkill"),
    ],
)
def test_quadrants_assign_as_defined(imp, perf, expected):
    got = measure.quadrant([imp], [perf], importance_cut=20, performance_cut=5.5)
    assert got.tolist() == [expected]


def test_ipa_puts_an_important_weak_dimension_in_concentrate_here():
    weak = survey.with_quality(CAR, reliability=6.0, tangibles=9.8)
    t = measure.ipa(survey.draw(weak, n=400, rng=1))
    assert t.loc["reliability", "quadrant"] == "concentrate_here"
    assert t.loc["tangibles", "quadrant"] == "possible_overkill"
    ic, pc = t.attrs["cuts"]
    assert ic == pytest.approx(20.0)  # 100 points over five dimensions
    assert pc == pytest.approx(t["performance"].mean())


def test_ipa_cuts_can_be_given(car_survey):
    t = measure.ipa(car_survey, cuts=(0.0, 0.0))
    assert (t["quadrant"] == "keep_up").all()
    t = measure.ipa(car_survey, cuts="midpoint")
    assert t.attrs["cuts"] == (20.0, 4.0)
    with pytest.raises(ValueError):
        measure.ipa(car_survey, cuts="median")


def test_four_methods_and_the_complaint_log(car_survey):
    t = measure.four_methods(car_survey)
    assert len(t) == 5
    r = car_survey.respondents
    problems = int((r["outcome"] == "dissatisfied").sum())
    complained = int(r["complained"].sum())
    assert complained < problems
    assert f"sees {complained} of the {problems}" in t.iloc[4, 1]
    zh = measure.four_methods(car_survey, lang="zh")
    assert zh.index[0].startswith("1. 直接评分")


def test_rating_counts_cover_the_five_points(car_survey):
    counts = measure.rating_counts(car_survey, lang="zh")
    assert counts.sum() == car_survey.n and len(counts) == 5
    assert counts.index[0] == "1 很不满意"


def test_acsi_index_is_the_acsi_formula_on_the_three_items(car_survey):
    r = car_survey.respondents
    x = r[["acsi_satisfaction", "acsi_expectations", "acsi_ideal"]].to_numpy(float)
    assert measure.acsi_index(car_survey) == pytest.approx(float(analytic.acsi(x, None).mean()))
    assert 0 < measure.acsi_index(car_survey) < 100
    top = replace(
        car_survey, respondents=r.assign(acsi_satisfaction=10, acsi_expectations=10, acsi_ideal=10)
    )
    assert measure.acsi_index(top) == pytest.approx(100.0)


def test_better_service_raises_the_acsi_index():
    better = survey.with_quality(CAR, **{d: 9.5 for d in sim.SERVQUAL})
    a = survey.draw(CAR, n=300, rng=2)
    b = survey.draw(better, n=300, rng=2, market=CAR)
    assert measure.acsi_index(b) > measure.acsi_index(a) + 3


def test_ssi_weights_are_the_decks_and_the_index_spans_0_to_1000(car_survey):
    weights = [f["weight"] for f in measure.SSI_FACTORS.values()]
    assert weights == [0.25, 0.15, 0.14, 0.12, 0.12, 0.12, 0.10]
    assert sum(weights) == pytest.approx(1.0)
    answers = measure.ssi_answers(car_survey, rng=1)
    assert answers.stack().between(1, 10).all()
    score = measure.ssi_score(answers)
    assert 0 < score < 1000
    table = measure.ssi_table(answers)
    assert table["Points in the total"].sum() == pytest.approx(score, abs=0.5)
    assert measure.ssi_score(answers * 0 + 10) == pytest.approx(1000)
    assert measure.ssi_score(answers * 0 + 1) == pytest.approx(0)


def test_ssi_answers_reproduce_with_a_seed(car_survey):
    a = measure.ssi_answers(car_survey, rng=5)
    b = measure.ssi_answers(car_survey, rng=5)
    assert a.equals(b)


def test_pp100_and_its_sampling_spread():
    assert measure.pp100(810, 1000) == 81.0
    with pytest.raises(ValueError):
        measure.pp100(1, 0)
    spread = measure.pp100_spread(81, [100, 1000, 20000], rng=1)
    widths = (spread["high_95"] - spread["low_95"]).to_numpy()
    assert np.all(np.diff(widths) < 0)
    assert ((spread["low_95"] <= 81) & (spread["high_95"] >= 81)).all()
    # Poisson: the 95% range at n owners is about ±1.96·sqrt(100·PP100/n).
    assert widths[0] == pytest.approx(2 * 1.96 * np.sqrt(100 * 81 / 100), rel=0.15)


def test_diagrams_have_their_parts():
    pdca = [t.get_text() for t in measure.pdca_cycle().axes[0].texts]
    for word in ("调研", "考核", "整改", "使客户满意", "再调研"):
        assert any(word in t for t in pdca)
    fig = measure.acsi_model(lang="zh")
    labels = [t.get_text() for t in fig.axes[0].texts]
    for word in ("顾客预期", "感知质量", "感知价值", "顾客满意度", "顾客抱怨", "顾客忠诚"):
        assert any(word in t for t in labels)
    assert len(fig.axes[0].patches) == 6 + 9  # six boxes, nine paths
    t = measure.ipa(survey.draw(CAR, n=200, rng=1))
    title = measure.ipa_chart(t).axes[0].get_title()
    assert title.startswith(("Concentrate here", "Nothing"))


def test_ipa_stability_counts_every_survey_once_and_clear_dimensions_do_not_flip():
    counts = measure.ipa_stability(CAR, n=100, surveys=8, rng=1)
    assert (counts.sum(axis=1) == 8).all()
    assert counts.loc["Reliability", "Concentrate here"] == 8
    again = measure.ipa_stability(CAR, n=100, surveys=8, rng=1)
    assert counts.equals(again)
    zh = measure.ipa_stability(CAR, n=50, surveys=2, rng=1, lang="zh")
    assert "可靠性" in zh.index and "重点改进" in zh.columns


def test_ipa_table_names_the_quadrants_in_both_languages(car_survey):
    t = measure.ipa(car_survey)
    en = measure.ipa_table(t)
    assert list(en["Quadrant"]) == [measure.quadrant_name(q, "en") for q in t["quadrant"]]
    zh = measure.ipa_table(t, lang="zh")
    assert zh.index[0] == "Reliability 可靠性" and "重点改进" in set(zh["象限"])


def test_an_unknown_language_is_refused_by_name(car_survey):
    with pytest.raises(ValueError, match=r"lang: expected one of en, zh, got 'fr'"):
        measure.four_methods(car_survey, lang="fr")
    with pytest.raises(ValueError, match=r"lang: expected one of en, zh, got 'fr'"):
        measure.pdca_cycle(lang="fr")


def test_ssi_factors_are_named_in_every_language(car_survey):
    zh = measure.ssi_table(measure.ssi_answers(car_survey, rng=1), lang="zh")
    assert zh.index.tolist()[:2] == ["交车过程", "交车时间"]
    assert measure.ssi_factor_name("deal", "en") == "Deal"
