"""Word of mouth along a contact network: who can hear whom, second hops, influencers."""

import networkx as nx
import numpy as np
import pytest

from csat import sim
from csat.sim import network as nw
from csat.sim.steps import tell


def test_first_hop_hearers_are_distinct_contacts_of_their_teller():
    net = nw.small_world(2_000, 10, 0.2, rng=1)
    gen = np.random.default_rng(2)
    tellers = gen.choice(net.n, 300, replace=False)
    counts = gen.poisson(6, tellers.size)
    heard, owner = nw.sample_contacts(net, tellers, counts, gen)
    for j, t in enumerate(tellers):
        mine = heard[owner == j]
        assert len(set(mine.tolist())) == mine.size  # distinct
        assert mine.size == min(counts[j], net.degree[t])
        assert set(mine.tolist()) <= set(net.contacts(t).tolist())


def test_second_hop_reaches_contacts_of_contacts_only():
    net = nw.ring(1_000, 2)
    heard = tell(net, np.array([500]), mean=2.0, second_hop=1.0, rng=np.random.default_rng(3))
    assert set(heard.tolist()) <= {498, 499, 500, 501, 502}


def test_second_hop_multiplies_reach_as_the_parameter_says():
    net = nw.random_graph(20_000, 40.0, rng=4)
    gen = np.random.default_rng(5)
    tellers = gen.choice(net.n, 2_000, replace=False)
    first = tell(net, tellers, mean=10.0, second_hop=0.0, rng=gen).size
    both = tell(net, tellers, mean=10.0, second_hop=3.0, rng=gen).size
    assert first == pytest.approx(20_000, rel=0.03)
    assert both == pytest.approx(20_000 * (1 + 3), rel=0.03)


def test_unhappy_customers_still_tell_twice_as_many_on_a_well_connected_network():
    params = sim.presets.get(
        "hotel", population=30_000, **{"network.kind": "random", "network.mean_degree": 60.0}
    )
    d = sim.run(params, rng=6).daily
    praisers = (d["very_satisfied"] + d["resolved"] + d["resolved_quickly"]).sum()
    warners = (d["silent_problems"] + d["complaints_front_line"] - d["resolved"]).sum()
    warners -= d["resolved_quickly"].sum()
    ratio = (d["wom_negative"].sum() / warners) / (d["wom_positive"].sum() / praisers)
    assert ratio == pytest.approx(2.0, rel=0.03)


def test_an_unhappy_influencer_reaches_more_people_only_by_telling_more():
    """Under the research rule an influencer tells as many as anyone (16), so reaches as many;
    telling everyone they know, and nobody beyond, the best-connected reach far more."""

    def reach(by, seed, **rule):
        params = sim.presets.get(
            "car_dealer",
            population=20_000,
            days=3,
            **{
                "network.kind": "scale_free",
                "wom.unhappy_seeds": 10,
                "wom.unhappy_seeds_by": by,
                "wom.second_hop_negative": 1.0,
                **rule,
            },
        )
        return sim.run(params, rng=seed).summary()["people_heard_bad_news"]

    everyone = {"wom.told_by_dissatisfied": 1000.0, "network.beyond_contacts": "nobody"}
    research = [np.mean([reach(by, s) for s in range(4)]) for by in ("degree", "random")]
    broadcast = [
        np.mean([reach(by, s, **everyone) for s in range(4)]) for by in ("degree", "random")
    ]
    assert research[0] == pytest.approx(research[1], rel=0.2)
    assert broadcast[0] > 3 * broadcast[1]


def test_unhappy_seeds_leave_and_are_counted_as_silent_defections():
    params = sim.presets.get("hotel", population=5_000, days=1, **{"wom.unhappy_seeds": 25})
    s = sim.run(params, rng=8).summary()
    assert s["defections_silent"] >= 25


def test_any_networkx_graph_can_carry_word_of_mouth():
    graph = nx.connected_watts_strogatz_graph(3_000, 8, 0.1, seed=9)
    params = sim.presets.get("hotpot", population=3_000, days=60)
    result = sim.run(params, network=nw.Network.from_networkx(graph), rng=9)
    assert result.network.n == 3_000
    assert result.summary()["wom_positive"] > 0


def test_network_must_match_the_population():
    params = sim.presets.get("hotpot", population=3_000, days=5)
    with pytest.raises(ValueError, match=r"run: network must be a sim.network.Network with 3000"):
        sim.run(params, network=nw.ring(100, 2), rng=1)


def test_population_must_exceed_mean_degree_on_a_network():
    with pytest.raises(ValueError, match=r"Params.population must be > network.mean_degree \+ 1"):
        sim.Params(population=8, network=sim.NetworkSpec(kind="ring", mean_degree=10.0))


@pytest.mark.parametrize("kind", ["ring", "small_world", "random", "scale_free"])
def test_every_network_kind_runs_and_conserves_people(kind):
    params = sim.presets.get("car_dealer", population=4_000, days=60, **{"network.kind": kind})
    d = sim.run(params, rng=10).daily
    assert (d[["customers", "prospects", "defected"]].sum(axis=1) == 4_000).all()


def test_well_mixed_results_do_not_change_when_the_network_machinery_is_present():
    params = sim.presets.get("hotel", population=5_000, days=60)
    a = sim.run(params, rng=11).daily
    b = sim.run(params, network=None, rng=11).daily
    assert a.equals(b)
