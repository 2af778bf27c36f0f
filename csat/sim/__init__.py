"""Customer simulation: expectation, experience, complaints, recovery, word of mouth, money.

>>> from csat import sim
>>> result = sim.run(sim.presets.get("hotel", population=5_000, days=90), rng=7)
>>> sorted(result.summary().index)[:3]
['clv', 'complaints_front_line', 'complaints_head_office']
"""

from csat.sim import analytic, diffusion, lifetime, network, presets, repeats
from csat.sim.ensemble import Ensemble, ensemble
from csat.sim.params import (
    SERVQUAL,
    SERVQUAL_WEIGHTS,
    ComplaintBehaviour,
    Economics,
    Expectations,
    Heterogeneity,
    NetworkSpec,
    Params,
    RecoveryPolicy,
    Satisfaction,
    ServiceProfile,
    WordOfMouth,
    with_changes,
)
from csat.sim.run import Result, run
from csat.sim.state import CAUSES, Population

__all__ = [
    "CAUSES",
    "SERVQUAL",
    "SERVQUAL_WEIGHTS",
    "ComplaintBehaviour",
    "Economics",
    "Ensemble",
    "Expectations",
    "Heterogeneity",
    "NetworkSpec",
    "Params",
    "Population",
    "RecoveryPolicy",
    "Result",
    "Satisfaction",
    "ServiceProfile",
    "WordOfMouth",
    "analytic",
    "diffusion",
    "ensemble",
    "lifetime",
    "network",
    "presets",
    "repeats",
    "run",
    "with_changes",
]
