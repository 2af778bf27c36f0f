"""Money: what serving customers costs, and the textbook lifetime value by Monte Carlo.

:func:`simulate_clv` draws customers who live the textbook formula's world (yearly periods,
margin paid at each period's end), so its mean is m·r/(1+i−r) by construction. What the
simulated market's customers really bring is measured by :func:`csat.sim.lifetime.cohort_value`,
which follows them through the engine itself.
"""

from __future__ import annotations

import numpy as np

from csat.sim._jit import jit
from csat.sim._rng import as_generator


def simulate_clv(
    margin: float,
    retention: float,
    discount: float,
    n: int,
    *,
    rng: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Discounted margin of ``n`` customers with constant margin, retention and discount rate.

    Each period a customer stays with chance ``retention`` and, if they stay, pays ``margin``
    at the period's end, discounted at ``discount`` per period. The mean tends to
    :func:`csat.sim.analytic.clv` = m r / (1 + i − r).

    Parameters
    ----------
    margin, retention, discount : float
    n : int
        Number of simulated customers.
    rng : int, numpy.random.Generator or None, optional
        Source of randomness, passed to :func:`numpy.random.default_rng`. Use an int to
        reproduce a run.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``: each customer's discounted lifetime margin.

    Examples
    --------
    >>> values = simulate_clv(100.0, 0.8, 0.1, 200_000, rng=1)
    >>> round(float(values.mean()), -1)
    270.0
    """
    if not 0.0 <= retention < 1.0:
        raise ValueError(f"simulate_clv: retention must be in [0, 1), got {retention!r}")
    if discount <= -1.0:
        raise ValueError(f"simulate_clv: discount must be > -1, got {discount!r}")
    gen = as_generator(rng)
    periods = gen.geometric(1.0 - retention, n) - 1  # periods survived: P(K >= t) = r^t
    if discount == 0:
        return margin * periods.astype(float)
    annuity = -np.expm1(-periods * np.log1p(discount)) / discount
    return margin * annuity


@jit
def costs(
    acquired,
    customer_days,
    front_line,
    head_office,
    acquisition_cost,
    retention_cost,
    complaint_cost,
    escalation_cost,
):
    """What a business spends: acquiring ``acquired`` customers, keeping ``customer_days``
    customer-days of custom, and handling ``front_line`` complaints of which ``head_office``
    escalated.

    The one cost formula of the course: the compiled day charges it daily (numbers), and
    :meth:`csat.sim.Result.summary` and the running lifetime value charge it over a run (sums,
    or arrays of running sums, with ``acquired`` 0 since acquisition is an investment, not a
    cost of serving a customer). Numbers or numpy arrays; marked for compilation, so the day
    calls it compiled.

    Examples
    --------
    >>> costs(2, 365, 3, 1, 100.0, 30.0, 20.0, 200.0)
    490.0
    """
    return (
        acquired * acquisition_cost
        + customer_days * retention_cost / 365.0
        + front_line * complaint_cost
        + head_office * escalation_cost
    )
