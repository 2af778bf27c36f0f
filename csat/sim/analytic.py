"""Closed forms the simulator must agree with.

Tests compare simulations against these functions, never against literal numbers.

- Bass (1969) diffusion: :func:`bass_curve`, its peak, and the discrete difference equation.
- Adoption on a ring (Fibich & Gibori 2010): :func:`ring_curve`.
- Geometric survival and customer lifetime value (Gupta & Lehmann 2003): :func:`clv`; its
  continuous-time counterpart M/(h+δ), :func:`clv_closed_form`, and how far the two are apart,
  :func:`clv_formula_gap`.
- The prospect-theory value function used for satisfaction: :func:`value`.
- ACSI's 0–100 rescaling of 1–10 answers (Fornell et al. 1996): :func:`acsi`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def bass_curve(p: float, q: float, t: ArrayLike) -> np.ndarray:
    """Share of the market that has adopted by time ``t`` in the Bass model.

    F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p) e^{−(p+q)t}), the solution of
    dF/dt = (1 − F)(p + qF) with F(0) = 0.

    Examples
    --------
    >>> round(float(bass_curve(0.03, 0.38, 10.0)), 4)
    0.8128
    """
    t = np.asarray(t, dtype=float)
    e = np.exp(-(p + q) * t)
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_peak(p: float, q: float) -> tuple[float, float]:
    """Time of the adoption peak and the share adopted then, ``(t*, F(t*))``; needs q > p.

    Examples
    --------
    >>> [round(x, 4) for x in bass_peak(0.03, 0.38)]
    [6.1926, 0.4605]
    """
    if not q > p:
        raise ValueError(f"bass_peak: q must be > p for a peak, got p={p!r}, q={q!r}")
    t_star = float(np.log(q / p) / (p + q))
    return t_star, 0.5 - p / (2.0 * q)


def bass_difference(p: float, q: float, steps: int, dt: float = 1.0) -> np.ndarray:
    """The Bass difference equation F_{n+1} = F_n + (1 − F_n)(p + q F_n) dt, from F_0 = 0.

    Returns an array of shape ``(steps + 1,)``. With ``dt = 1`` this is what a yearly-step
    simulation converges to; it lags the closed form (Euler bias), which is a teaching point.

    Examples
    --------
    >>> bass_difference(0.03, 0.38, 2).round(4).tolist()
    [0.0, 0.03, 0.0702]
    """
    f = np.zeros(steps + 1)
    for n in range(steps):
        f[n + 1] = f[n] + (1.0 - f[n]) * (p + q * f[n]) * dt
    return f


def ring_curve(p: float, q: float, t: ArrayLike) -> np.ndarray:
    """Adoption on a one-dimensional ring: 1 − exp(−(p+q)t + (q/p)(1 − e^{−pt})).

    Fibich & Gibori (2010). Slower than Bass: word of mouth only reaches the two neighbours.
    """
    t = np.asarray(t, dtype=float)
    return 1.0 - np.exp(-(p + q) * t + (q / p) * (1.0 - np.exp(-p * t)))


def survival(retention: float, periods: ArrayLike) -> np.ndarray:
    """Share of a cohort still there after ``periods`` periods at constant retention r: r^t."""
    return np.power(retention, np.asarray(periods, dtype=float))


def clv(margin: float, retention: float, discount: float) -> float:
    """Customer lifetime value with constant margin, retention and discount rate.

    CLV = Σ_{t≥1} m r^t / (1+i)^t = m r / (1 + i − r), margins paid at the end of each period
    survived (Gupta & Lehmann 2003).

    Examples
    --------
    >>> round(clv(100, 0.8, 0.1), 2)
    266.67
    """
    if not 0 <= retention < 1 + discount:
        raise ValueError(f"clv: retention must be in [0, 1 + discount), got {retention!r}")
    return margin * retention / (1.0 + discount - retention)


def clv_continuous(
    margin_rate: float, hazard: float, discount_rate: float, horizon: float
) -> float:
    """Expected discounted margin of a customer over ``horizon`` years in continuous time.

    Margin flows at ``margin_rate`` per year while the customer stays; they leave at constant
    ``hazard`` per year; money is discounted at continuous rate ``discount_rate``:
    m (1 − e^{−(h+δ)T}) / (h + δ).
    """
    k = hazard + discount_rate
    if k == 0:
        return margin_rate * horizon
    return margin_rate * -np.expm1(-k * horizon) / k


def clv_closed_form(margin_rate: float, hazard: float, discount: float) -> float:
    """M/(h+δ): lifetime value of a customer who brings margin at ``margin_rate`` M per year
    while she stays and leaves at constant ``hazard`` h per year, with the yearly discount rate
    ``discount`` i (continuous rate δ = ln(1+i)). :func:`clv_continuous` over an endless
    horizon; NaN when h+δ is not positive.

    Examples
    --------
    >>> round(clv_closed_form(1_000.0, 0.2, 0.1), 1)
    3386.3
    >>> clv_closed_form(1_000.0, 0.0, 0.0)
    nan
    """
    delta = float(np.log1p(discount))
    if not hazard + delta > 0:
        return float("nan")
    return float(margin_rate / (hazard + delta))


def clv_formula_gap(hazard: float, discount: float) -> float:
    """How far :func:`clv` falls below :func:`clv_closed_form`, as a share of the closed form,
    when the yearly retention is r = e^{−h} and the yearly margin m = M.

    With r = e^{−h} and 1+i = e^{δ}, m·r/(1+i−r) = M/(e^{h+δ} − 1), so the gap is
    (h+δ)/(e^{h+δ} − 1) − 1, about −(h+δ)/2: negative whenever h+δ > 0, because the formula
    pays nothing for the part of a year in which a customer leaves and pays each year's margin
    at its end.

    Examples
    --------
    >>> round(clv_formula_gap(0.2, 0.1), 3)
    -0.14
    """
    k = hazard + float(np.log1p(discount))
    if not k > 0:
        return 0.0
    return float(k / np.expm1(k) - 1.0)


def value(d: ArrayLike, loss_aversion: float = 2.0, curvature: float = 0.88) -> np.ndarray:
    """Prospect-theory value of disconfirmation d: d^α if d ≥ 0, else −λ(−d)^α.

    v(−x) = −λ v(x) for every x ≥ 0.

    Examples
    --------
    >>> value([1.0, -1.0], loss_aversion=2.0).tolist()
    [1.0, -2.0]
    """
    d = np.asarray(d, dtype=float)
    mag = np.power(np.abs(d), curvature)
    return np.where(d >= 0, mag, -loss_aversion * mag)


def acsi(answers: ArrayLike, weights: ArrayLike | None = None) -> np.ndarray:
    """ACSI score 0–100 from answers on 1–10 scales: 100 Σ w_i (x_i − 1) / 9.

    ``answers`` has shape ``(..., k)`` (k items, usually 3: overall satisfaction, expectancy
    disconfirmation, closeness to ideal). Equal weights unless given; weights must sum to 1.

    Examples
    --------
    >>> acsi([[1, 1, 1], [10, 10, 10]]).round(9).tolist()
    [0.0, 100.0]
    """
    x = np.asarray(answers, dtype=float)
    k = x.shape[-1]
    w = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, dtype=float)
    if abs(w.sum() - 1.0) > 1e-9:
        raise ValueError(f"acsi: weights must add up to 1, got {w.sum():g}")
    return 100.0 * ((x - 1.0) / 9.0) @ w
