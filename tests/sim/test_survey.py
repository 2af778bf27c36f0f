"""The simulated SERVQUAL survey: structure, reproducibility, and that its gap scores move the
way the service does (sim/survey.py)."""

from dataclasses import replace

import matplotlib
import numpy as np
import pandas as pd
import pytest

from csat import i18n, sim
from csat.lessons import survey

matplotlib.use("Agg")

HOTEL = sim.presets.get("hotel")


@pytest.fixture(scope="module")
def hotel_survey():
    return survey.draw(HOTEL, n=400, rng=11)


def test_the_questionnaire_has_22_items_in_the_refined_servqual_split():
    counts = pd.Series([it.dimension for it in survey.ITEMS]).value_counts()
    assert len(survey.ITEMS) == 22
    assert counts.to_dict() == {
        "tangibles": 4,
        "reliability": 5,
        "responsiveness": 4,
        "assurance": 4,
        "empathy": 5,
    }
    assert len({it.id for it in survey.ITEMS}) == 22
    assert all(it.text(lang) for it in survey.ITEMS for lang in i18n.codes())
    assert survey.ITEMS[0].text("zh") == "设备新、维护好"


def test_answers_are_on_their_scales(hotel_survey):
    a, r = hotel_survey.answers, hotel_survey.respondents
    assert len(a) == 400 * 22 and len(r) == 400
    for col in ("expectation", "perception"):
        assert a[col].between(1, 7).all() and (a[col] == a[col].round()).all()
    assert (a["gap"] == a["perception"] - a["expectation"]).all()
    assert r["rating"].between(1, 5).all()
    assert r[["expected_overall", "received_overall"]].stack().between(1, 7).all()
    assert r[["acsi_satisfaction", "acsi_expectations", "acsi_ideal"]].stack().between(1, 10).all()
    points = r[[f"points_{d}" for d in sim.SERVQUAL]]
    assert np.allclose(points.sum(axis=1), 100.0)
    assert (points >= 0).all().all()


def test_the_same_seed_gives_the_same_answers_and_another_seed_does_not():
    a = survey.draw(HOTEL, n=150, rng=3)
    b = survey.draw(HOTEL, n=150, rng=3)
    c = survey.draw(HOTEL, n=150, rng=4)
    pd.testing.assert_frame_equal(a.answers, b.answers)
    pd.testing.assert_frame_equal(a.respondents, b.respondents)
    assert a.seed == 3
    assert not a.answers["perception"].equals(c.answers["perception"])


def test_gap_scores_are_perception_minus_expectation_averaged_over_items_and_customers(
    hotel_survey,
):
    a = hotel_survey.answers
    by_hand = (
        a.assign(g=a["perception"] - a["expectation"])
        .groupby(["respondent", "dimension"])["g"]
        .mean()
        .groupby("dimension")
        .mean()
    )
    gaps = hotel_survey.gap_scores()
    assert list(gaps.index) == list(sim.SERVQUAL)
    for d in sim.SERVQUAL:
        assert gaps[d] == pytest.approx(by_hand[d])
    w = np.array(sim.SERVQUAL_WEIGHTS)
    assert hotel_survey.servqual_score() == pytest.approx(float(gaps.to_numpy() @ w))
    flat = (0.2,) * 5
    assert hotel_survey.servqual_score(flat) == pytest.approx(gaps.mean())


def test_stated_weights_use_each_respondents_own_points(hotel_survey):
    a, r = hotel_survey.answers, hotel_survey.respondents
    per = a.groupby(["respondent", "dimension"])["gap"].mean().unstack()[list(sim.SERVQUAL)]
    pts = r[[f"points_{d}" for d in sim.SERVQUAL]].to_numpy() / 100
    expected = float(np.mean((per.to_numpy() * pts).sum(axis=1)))
    assert hotel_survey.servqual_score("stated") == pytest.approx(expected)


def test_weaker_reliability_gives_a_more_negative_reliability_gap_and_leaves_the_rest_alone():
    weak = survey.with_quality(HOTEL, reliability=6.5)
    base = survey.draw(HOTEL, n=300, rng=5)
    worse = survey.draw(weak, n=300, rng=5, market=HOTEL)
    g0, g1 = base.gap_scores(), worse.gap_scores()
    # 2 points lower on 0-10 is about 1.2 points on the 7-point scale.
    assert g1["reliability"] < g0["reliability"] - 0.9
    for d in ("responsiveness", "assurance", "empathy", "tangibles"):
        assert g1[d] == g0[d]  # same respondents, same noise: only the service changed
    assert (worse.respondents["outcome"] == "dissatisfied").mean() > (
        base.respondents["outcome"] == "dissatisfied"
    ).mean()


def test_better_service_gives_less_negative_gaps_on_every_dimension():
    better = survey.with_quality(HOTEL, **{d: 9.6 for d in sim.SERVQUAL})
    base = survey.draw(HOTEL, n=300, rng=8)
    up = survey.draw(better, n=300, rng=8, market=HOTEL)
    assert (up.gap_scores() > base.gap_scores()).all()
    assert up.servqual_score() > base.servqual_score()


def test_a_market_fixes_the_expectations_so_two_firms_are_rated_by_the_same_customers():
    rival = survey.with_quality(HOTEL, empathy=9.5)
    ours = survey.draw(HOTEL, n=200, rng=2)
    theirs = survey.draw(rival, n=200, rng=2, market=HOTEL)
    assert ours.answers["expectation"].equals(theirs.answers["expectation"])
    assert np.array_equal(ours.respondents["expectation"], theirs.respondents["expectation"])


def test_expectation_offsets_raise_expectations_on_that_dimension_only():
    plain = survey.draw(HOTEL, n=300, rng=4)
    tilted = survey.draw(HOTEL, n=300, rng=4, expectation_offsets=(1.5, 0, 0, 0, 0))
    e0 = plain.dimension_scores()["expectation"]
    e1 = tilted.dimension_scores()["expectation"]
    assert e1["reliability"] > e0["reliability"] + 0.7
    assert (e1.drop("reliability") == e0.drop("reliability")).all()


def test_only_the_dissatisfied_complain_and_nobody_does_when_no_one_ever_would():
    s = survey.draw(HOTEL, n=2000, rng=6)
    r = s.respondents
    assert not (r["complained"] & (r["outcome"] != "dissatisfied")).any()
    share = r.loc[r["outcome"] == "dissatisfied", "complained"].mean()
    assert 0.3 < share < 0.8  # research default: about half voice a problem
    mute = sim.with_changes(HOTEL, **{"complaints.front_line": 0.0, "complaints.head_office": 0.0})
    assert not survey.draw(mute, n=500, rng=6).respondents["complained"].any()


def test_ratings_follow_the_outcome(hotel_survey):
    r = hotel_survey.respondents
    means = r.groupby("outcome", observed=True)["rating"].mean()
    assert means["dissatisfied"] < means["basically_satisfied"] < means["very_satisfied"]


def test_stated_importance_follows_the_businesss_weights():
    r = survey.draw(HOTEL, n=3000, rng=9).respondents
    means = np.array([r[f"points_{d}"].mean() for d in sim.SERVQUAL])
    assert np.allclose(means, 100 * np.array(sim.SERVQUAL_WEIGHTS), atol=1.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": 0},
        {"n": 2.5},
        {"expectation_offsets": (1, 2)},
        {"item_noise": -1.0},
        {"importance_concentration": 0.0},
    ],
)
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        survey.draw(HOTEL, **{"n": 10, **kwargs})


def test_bad_weights_are_refused(hotel_survey):
    with pytest.raises(ValueError):
        hotel_survey.servqual_score((0.5, 0.5, 0.5, 0.5, 0.5))
    with pytest.raises(ValueError):
        hotel_survey.servqual_score("mine")


def test_with_quality_changes_only_the_named_dimension_and_checks_the_name():
    p = survey.with_quality(HOTEL, empathy=9.5)
    assert p.service.quality[3] == 9.5
    assert p.service.quality[:3] == HOTEL.service.quality[:3]
    with pytest.raises(ValueError):
        survey.with_quality(HOTEL, friendliness=9.0)


def test_matching_the_benchmark_on_one_dimension_runs_each_dimension_on_the_same_seed():
    small = sim.presets.get("hotel", population=3_000, days=60)
    same = survey.match_one_dimension(small, small, rng=1)
    assert len(same) == 6 and (same["quality_gain"] == 0).all()
    assert same["share_dissatisfied"].nunique() == 1  # nothing changed, same seed
    rival = survey.with_quality(small, empathy=9.8)
    out = survey.match_one_dimension(small, rival, rng=1)
    assert out.loc["Empathy", "quality_gain"] == pytest.approx(9.8 - small.service.quality[3])
    assert out.loc["Empathy", "share_dissatisfied"] < out.loc["As is", "share_dissatisfied"]
    assert out.loc["Reliability", "quality_gain"] == 0


def test_tables_and_figures_carry_both_languages(hotel_survey):
    assert "可靠性" in hotel_survey.table("zh").index[0]
    fig = survey.gap_chart(hotel_survey)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(ticks) == 5 and ticks[0].startswith("Reliability")
    fig_zh = survey.gap_chart({"我们": hotel_survey, "对手": hotel_survey}, lang="zh")
    assert "可靠性" in fig_zh.axes[0].get_yticklabels()[0].get_text()
    ladder = [t.get_text() for t in survey.gaps_model().axes[0].texts]
    assert sum(t.startswith(("①", "②", "③", "④", "⑤")) for t in ladder) == 5
    assert any("Gap 5" in t for t in ladder)
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'fr'"):
        survey.gap_chart(hotel_survey, lang="fr")
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'fr'"):
        survey.match_table(survey.match_one_dimension(HOTEL_SMALL, HOTEL_SMALL), "fr")


def test_words_come_from_the_catalogue():
    assert survey.dimension_label("reliability", "zh") == i18n.t("servqual.reliability", "zh")
    assert survey.dimension_label("tangibles", both=True) == "Tangibles 有形性"
    assert survey.RATING_LABELS["zh"][0] == "很不满意" and len(survey.RATING_LABELS["en"]) == 5
    assert set(survey.RATING_LABELS) == set(i18n.codes()) and "fr" not in survey.RATING_LABELS
    # Chinese titles wrap between characters, English ones at spaces.
    assert survey._wrap("一" * 50, "gap_title_width", "zh").count("\n") == 1
    assert "\n" not in survey._wrap("x" * 50, "gap_title_width", "en")


def test_mix_chart_names_the_business_that_disappoints_more():
    small = sim.presets.get("car_dealer", population=3_000, days=90)
    curt = survey.with_quality(small, responsiveness=7.0, assurance=7.0, empathy=7.0)
    res = {"warm": sim.run(small, rng=1), "curt": sim.run(curt, rng=1)}
    fig = survey.mix_chart(res)
    assert "curt disappoints" in fig.axes[0].get_title().replace("\n", " ")


def test_the_survey_does_not_touch_the_params():
    p = replace(HOTEL)
    survey.draw(p, n=50, rng=1)
    assert p == HOTEL


HOTEL_SMALL = sim.presets.get("hotel", population=1_000, days=10)


def test_match_table_formats_for_the_room():
    small = sim.presets.get("hotel", population=2_000, days=30)
    raw = survey.match_one_dimension(small, survey.with_quality(small, empathy=9.5), rng=1)
    en = survey.match_table(raw)
    assert en.loc["As is", "Quality gain (0–10)"] == "+0.0"
    assert en["Stays that disappoint"].str.endswith("%").all()
    zh = survey.match_table(survey.match_one_dimension(small, small, rng=1, lang="zh"), "zh")
    assert "现状" in zh.index and "不满意的入住" in zh.columns
