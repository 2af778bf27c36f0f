"""The helpers behind the complaint-iceberg and word-of-mouth notebooks (csat.lessons.stories).

The teaching claims the notebooks make are asserted here on fresh runs, so a change to the
simulator that breaks one of them fails a test rather than silently changing a lesson.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from csat import sim
from csat.lessons import stories
from csat.lessons.stories import icebergs


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def research_and_decks():
    return stories.research_vs_decks("car_dealer", rng=1, population=10_000)


# --- the iceberg ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shares", [[0.04, 0.96], [0.03, 0.47, 0.50], [0.5, 0.5]])
def test_iceberg_bands_are_drawn_to_scale(shares):
    """The area between band edges is each band's share of the whole iceberg."""
    edges = stories.band_edges(shares)
    y, left, right = icebergs._berg_profile(20_000)
    width = left + right
    total = np.trapezoid(width, y)
    for share, top, bottom in zip(shares, edges[:-1], edges[1:], strict=True):
        sel = (y <= top) & (y >= bottom)
        assert np.trapezoid(width[sel], y[sel]) / total == pytest.approx(share, abs=0.003)


def test_iceberg_shares_add_up_to_everyone():
    for bands in stories.ICEBERGS.values():
        assert sum(b[1] for b in bands) == pytest.approx(1.0)


def test_the_decks_waterline_leaves_four_percent_above_water():
    deck = stories.ICEBERGS["deck"]
    assert deck[0][1] == pytest.approx(0.04)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_iceberg_figure_has_both_stories_titled(lang):
    fig = stories.iceberg_figure(lang=lang)
    t = stories.text(lang)
    titles = [a.get_title() for a in fig.axes]
    assert titles == [t["deck_title"], t["research_title"]]
    assert fig._suptitle.get_text() == t["iceberg_suptitle"]
    texts = " ".join(x.get_text() for x in fig.axes[0].texts)
    assert t["deck_tip"] in texts and "1970" in " ".join(x.get_text() for x in fig.axes[0].texts)


def test_iceberg_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match=r"iceberg: kind must be one of \['deck', 'research'\]"):
        stories.iceberg("tarp")


# --- research versus the decks -------------------------------------------------------------------


def test_the_decks_figures_voice_fewer_complaints_for_the_same_seed(research_and_decks):
    table = stories.compare_runs(research_and_decks, formatted=False)
    research, decks = table.columns
    assert (
        table.loc["complaints_front_line", decks]
        < 0.2 * table.loc["complaints_front_line", research]
    )
    assert table.loc["share_of_problems_voiced", decks] < 0.08
    assert 0.35 < table.loc["share_of_problems_voiced", research] < 0.6
    assert table.loc["silent_problems", decks] > table.loc["silent_problems", research]
    assert table.loc["defections_silent", decks] > table.loc["defections_silent", research]
    assert table.loc["people_heard_bad_news", decks] > table.loc["people_heard_bad_news", research]


def test_runs_are_labelled_in_the_language_asked_for():
    en = stories.research_vs_decks("hotel", population=1_000, days=10)
    zh = stories.research_vs_decks("hotel", population=1_000, days=10, lang="zh")
    assert list(en) == ["Research figures", "The decks' figures"]
    assert list(zh) == ["研究数据", "课件数字"]


def test_compare_runs_formats_for_a_slide_and_checks_its_rows(research_and_decks):
    table = stories.compare_runs(research_and_decks, rows=["problems", "share_of_problems_voiced"])
    assert table.index.tolist() == ["Problems (disappointing visits)", "Share of problems voiced"]
    assert table.iloc[1, 0].endswith("%")
    zh = stories.compare_runs(research_and_decks, rows=["problems"], lang="zh")
    assert zh.index.tolist() == ["问题（不满意的到店）"]
    with pytest.raises(ValueError, match=r"rows must be keys of Result.summary\(\), got \['x'\]"):
        stories.compare_runs(research_and_decks, rows=["x"])
    with pytest.raises(ValueError, match="at least one run"):
        stories.compare_runs({})


def test_every_default_row_has_words_in_both_languages():
    for key in (*stories.COMPARE_ROWS, "profit", "clv", "wom_positive_to_negative"):
        assert key in stories.TEXT["en"] and key in stories.TEXT["zh"]
    assert set(stories.TEXT["en"]) == set(stories.TEXT["zh"])


def test_hidden_losses_title_states_the_finding(research_and_decks):
    fig = stories.hidden_losses_figure(research_and_decks)
    title = fig._suptitle.get_text()
    s = {k: r.summary() for k, r in research_and_decks.items()}
    decks = s["The decks' figures"]
    assert f"{1 - decks['share_of_problems_voiced']:.0%}" in title
    assert [a.get_title() for a in fig.axes] == [
        "What happened to the problems",
        "Customers lost, by cause",
        "People who heard bad news",
    ]


def test_badly_handled_complaints_cost_customers_bad_news_and_value():
    runs = stories.handling_compare("car_dealer", rng=2, population=10_000)
    table = stories.compare_runs(
        runs, rows=["defections", "people_heard_bad_news", "clv"], formatted=False
    )
    well, badly = table.columns
    assert table.loc["defections", badly] > table.loc["defections", well]
    assert table.loc["people_heard_bad_news", badly] > table.loc["people_heard_bad_news", well]
    assert table.loc["clv", badly] < table.loc["clv", well]
    fig = stories.hidden_losses_figure(runs, panels=("lost", "heard", "clv"), finding="handling")
    assert fig._suptitle.get_text().startswith("Handled badly: ")
    assert fig.axes[2].get_title() == "What a customer is worth"


def test_hidden_losses_figure_refuses_unknown_panels(research_and_decks):
    with pytest.raises(ValueError, match="panels must be among"):
        stories.hidden_losses_figure(research_and_decks, panels=("money",))
    with pytest.raises(ValueError, match="finding must be 'silent' or 'handling'"):
        stories.hidden_losses_figure(research_and_decks, finding="profit")


# --- no expectation, no complaint ----------------------------------------------------------------


def test_a_bigger_promise_at_the_same_quality_brings_more_complaints():
    df = stories.sweep(
        "car_dealer", "expectations.promise", [6.0, 7.6, 9.0], population=5_000, days=180
    )
    assert df["expectations.promise"].tolist() == [6.0, 7.6, 9.0]
    assert df["share_dissatisfied"].is_monotonic_increasing
    assert df["complaints_front_line"].is_monotonic_increasing
    assert df["share_dissatisfied"].iloc[0] < 0.02 < 0.3 < df["share_dissatisfied"].iloc[-1]
    fig = stories.promise_figure(df, today=7.6)
    assert fig.axes[0].get_title() == stories.TEXT["en"]["sweep_title"]


# --- how far a story travels ---------------------------------------------------------------------


def test_one_story_reaches_the_decks_200_only_in_a_well_mixed_market():
    df = stories.story_reach(n=20_000, tellers=300).set_index("network")
    assert df.loc["well_mixed", "total"] == pytest.approx(210, rel=0.05)
    assert df.loc["well_mixed", "first_hop"] == pytest.approx(10, rel=0.05)
    # Every market carries the decks' 210 messages (acquaintances make up what contacts
    # cannot), but on a ring or a small world friends' friends overlap: fewer distinct people.
    assert np.allclose(df["messages"], 210, rtol=0.05), df["messages"]
    assert df.loc["ring", "total"] < 0.7 * df.loc["well_mixed", "total"]
    assert df.loc["ring", "total"] < df.loc["small_world", "total"] < df.loc["well_mixed", "total"]
    # Repeats are counted in messages, not in people.
    assert (df["messages"] >= df["total"] - 1e-9).all()
    fig = stories.reach_figure(df.reset_index())
    assert fig.axes[0].get_title() == stories.TEXT["en"]["reach_title"]


def test_story_reach_without_a_second_hop_is_the_first_hop():
    df = stories.story_reach(("well_mixed", "scale_free"), second_hop=0.0, tellers=200)
    assert (df["second_hop"] == 0).all()


# --- networks and Bass ---------------------------------------------------------------------------


def test_network_gallery_draws_the_simulators_networks_with_a_fixed_layout():
    a = stories.network_gallery(n=40, rng=5)
    b = stories.network_gallery(n=40, rng=5)
    assert [ax.get_title() for ax in a.axes] == [
        "Ring: only neighbours",
        "Small world: a few shortcuts",
        "Scale free: a few hubs",
    ]
    offsets = [c.get_offsets() for ax in (a.axes[2], b.axes[2]) for c in ax.collections[-1:]]
    np.testing.assert_allclose(offsets[0], offsets[1])
    with pytest.raises(ValueError, match="kinds must be networks"):
        stories.network_gallery(("well_mixed",))


def test_bass_on_networks_matches_the_formulas_and_stays_below_bass():
    df = stories.bass_on_networks(n=20_000, years=15, dt=0.1, rng=3)
    wide = df.pivot(index="t", columns="curve", values="adopted")
    assert (wide["sim_well_mixed"] - wide["bass_formula"]).abs().max() < 0.03
    assert (wide["sim_ring2"] - wide["ring_formula"]).abs().max() < 0.03
    for name in ("sim_small_world", "sim_scale_free", "sim_ring2"):
        assert (wide[name] <= wide["bass_formula"] + 0.02).all(), name
    assert wide.loc[10.0, "sim_ring2"] < wide.loc[10.0, "sim_small_world"]
    fig = stories.bass_figure(df)
    assert fig.axes[0].get_title() == stories.TEXT["en"]["bass_title"]


# --- the unhappy influencer ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def influencers():
    fixed = stories.influencer_experiment(seeds=20, n_runs=10, population=10_000, rng=4)
    broadcast = stories.influencer_experiment(
        seeds=20, told=1000, n_runs=10, population=10_000, rng=4
    )
    return fixed, broadcast


def test_influencer_experiment_is_tidy_and_paired(influencers):
    fixed, _ = influencers
    assert fixed.columns[:2].tolist() == ["seeding", "run"]
    assert fixed.groupby("seeding", sort=False).size().to_dict() == {
        "none": 10,
        "random": 10,
        "degree": 10,
    }
    assert (fixed.loc[fixed["seeding"] == "none", "extra_heard_bad_news"] == 0).all()
    assert (fixed["told"] == sim.presets.get("car_dealer").wom.told_by_dissatisfied).all()


def test_under_the_research_rule_hubs_reach_no_more_than_anyone(influencers):
    """Each tells about 16 people whoever they are (acquaintances make up the count of a
    customer with fewer contacts), so the best-connected reach about as many as anyone."""
    fixed, _ = influencers
    summary = stories.influencer_summary(fixed).droplevel("told")
    ratio = summary.loc["degree", "mean"] / summary.loc["random", "mean"]
    assert 0.8 < ratio < 1.25, ratio


def test_unhappy_hubs_who_tell_everyone_they_know_reach_far_more(influencers):
    """Over an ensemble, not one lucky draw: when everyone tells all their contacts (and
    nobody else), degree seeding beats random seeding in nearly every run."""
    _, broadcast = influencers
    summary = stories.influencer_summary(broadcast).droplevel("told")
    assert summary.loc["degree", "mean"] > 4 * summary.loc["random", "mean"]
    degree = broadcast.loc[broadcast["seeding"] == "degree", "extra_heard_bad_news"].to_numpy()
    random_ = broadcast.loc[broadcast["seeding"] == "random", "extra_heard_bad_news"].to_numpy()
    assert np.median(degree) > np.quantile(random_, 0.9)


def test_hubs_matter_far_more_when_people_tell_everyone_they_know(influencers):
    fixed, broadcast = influencers
    ratio = [
        stories.influencer_summary(df)
        .droplevel("told")["mean"]
        .pipe(lambda m: m["degree"] / m["random"])
        for df in (fixed, broadcast)
    ]
    assert ratio[1] > 3 * ratio[0]


def test_influencer_figure_titles_quote_the_ratio(influencers):
    fig = stories.influencer_figure(list(influencers))
    titles = [a.get_title() for a in fig.axes]
    assert titles[0].startswith("Each tells about 16 people: hubs reach ")
    assert titles[1].startswith("Each tells everyone they know: hubs reach ")
    assert fig._suptitle.get_text() == stories.TEXT["en"]["influencer_title"]


# --- negative and positive word of mouth ---------------------------------------------------------


@pytest.fixture(scope="module")
def views():
    return stories.wom_views("car_dealer", rng=1, population=10_000)


def test_twice_as_many_told_still_leaves_good_news_about_three_times_as_common(views):
    """TARP's per-person 2:1 and East et al.'s population-wide ~3:1 are both true at once."""
    tarp = views.loc["view_tarp"]
    assert tarp["told_by_dissatisfied"] == 2 * tarp["told_by_satisfied"]
    assert 2.0 < tarp["wom_positive_to_negative"] < 4.5


def test_the_decks_second_hop_turns_word_of_mouth_negative(views):
    assert views.loc["view_decks", "wom_positive_to_negative"] < 0.3
    assert (
        views.loc["view_anderson", "wom_positive_to_negative"]
        > views.loc["view_tarp", "wom_positive_to_negative"]
    )


def test_wom_table_and_figure(views):
    table = stories.wom_table(views)
    assert table.columns.tolist() == [stories.TEXT["en"][v] for v in stories.WOM_VIEWS]
    assert table.loc["Good : bad messages"].iloc[1].startswith("1 : ")
    fig = stories.wom_figure(views)
    assert fig.axes[0].get_title() == stories.TEXT["en"]["wom_title"]


# --- languages and fonts -------------------------------------------------------------------------


def test_text_refuses_an_unknown_language():
    with pytest.raises(ValueError, match=r"lang: expected one of en, zh, got 'fr'"):
        stories.text("fr")


def test_helpers_return_plain_pandas(views, influencers):
    assert isinstance(views, pd.DataFrame)
    assert isinstance(stories.influencer_summary(influencers[0]), pd.DataFrame)


# --- tables for slides -------------------------------------------------------------------------


def test_one_complaint_stands_for_25_customers_only_at_head_office(research_and_decks):
    """The decks' 4% and the research's head-office 1–5% give the same multiplier, about 25–35;
    the front line sees about one complaint for every two problems."""
    df = stories.per_complaint(research_and_decks)
    research, decks = df.index
    front, head = df.columns
    assert 1.6 < df.loc[research, front] < 2.8
    assert 20 < df.loc[research, head] < 45
    assert 20 < df.loc[decks, front] < 35
    assert df.loc[decks, front] == df.loc[decks, head]  # every decks' complaint reaches head office


def test_sweep_table_is_labelled_in_both_languages():
    df = pd.DataFrame(
        {
            "expectations.promise": [6.0, 9.5],
            "share_dissatisfied": [0.01, 0.7],
            "complaints_front_line": [8.0, 3_895.0],
        }
    )
    en = stories.sweep_table(df)
    assert en.index.name == "Promise" and en.index.tolist() == ["6", "9.5"]
    assert en.columns.tolist() == ["Visits that disappoint", "Complaints to the front line"]
    assert en.iloc[1].tolist() == ["70.0%", "3,895"]
    zh = stories.sweep_table(df, lang="zh")
    assert zh.index.name == "承诺" and zh.columns.tolist() == ["不满意的到店占比", "向一线投诉"]


def test_reach_table_and_influencer_summary_label_what_they_show(influencers):
    reach = stories.story_reach(("well_mixed", "ring"), n=5_000, tellers=50)
    table = stories.reach_table(reach, lang="zh")
    assert table.index.tolist() == ["充分混合（人人可能相遇）", "环形（只认识邻居）"]
    assert table.columns[2] == "共传到的不同人数"
    labelled = stories.influencer_summary(influencers[0], lang="en")
    assert labelled.index.get_level_values(1).tolist() == ["Picked at random", "The best connected"]
    numbers = stories.influencer_summary(influencers[0])
    np.testing.assert_allclose(labelled.to_numpy(), numbers.to_numpy())


def test_years_to_half_the_market_follows_the_formulas():
    df = stories.bass_on_networks(n=10_000, years=20, dt=0.1, rng=1)
    years = stories.years_to(df, 0.5)
    assert years["Bass formula (p = 0.03, q = 0.38)"] == pytest.approx(6.55, abs=0.01)
    assert years["Ring formula (2 neighbours)"] == pytest.approx(9.0, abs=0.05)
    assert years["Simulated, ring (2 neighbours)"] == pytest.approx(9.0, abs=0.5)
    assert np.isnan(
        stories.years_to(df, 0.999)["Bass formula (p = 0.03, q = 0.38)"]
    )  # F(20) < 0.999


def test_a_single_influencer_panel_does_not_give_the_exercise_away(influencers):
    fig = stories.influencer_figure([influencers[0]])
    assert fig._suptitle is None


@pytest.fixture
def third_language(monkeypatch, tmp_path):
    """A third language, 'fr', whose catalogue is a copy of the English one: what adding a
    language takes (a catalogue file and its code in i18n.LANGUAGES), nothing else."""
    from csat import i18n

    for lang in i18n.LANGUAGES:
        (tmp_path / f"{lang}.yaml").write_bytes(i18n.catalogue_path(lang).read_bytes())
    (tmp_path / "fr.yaml").write_bytes(i18n.catalogue_path("en").read_bytes())
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "LANGUAGES", {**i18n.LANGUAGES, "fr": "Français"})
    i18n.reload()
    yield "fr"
    i18n.reload()


def test_a_third_language_needs_only_its_catalogue(third_language):
    reach = stories.story_reach(("well_mixed", "ring"), n=2_000, tellers=20)
    table = stories.reach_table(reach, lang=third_language)
    assert table.index.tolist() == stories.reach_table(reach, lang="en").index.tolist()
    fig = stories.reach_figure(reach, lang=third_language)
    assert fig.axes[0].get_title() == stories.TEXT["en"]["reach_title"]
    df = pd.DataFrame({"expectations.promise": [7.0], "complaints_front_line": [3.0]})
    assert stories.sweep_table(df, lang=third_language).columns.tolist() == [
        "Complaints to the front line"
    ]
