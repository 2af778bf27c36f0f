"""An idiomatic Mesa 3 implementation of the model ``csat.sim.run`` simulates, for comparison.

The same parameters (a :class:`sim.Params`), the same rules and distributions, one Python
agent per person: the reference ``sim`` is checked against (``tests/test_mesa_reference.py``)
and timed against (``benchmarks/bench_peers.py``).
"""

from benchmarks.mesa_reference.model import CustomerModel, Person, run

__all__ = ["CustomerModel", "Person", "run"]
