"""Every parameter rejects a bad value with a message naming class, field, range and value."""

import re
from dataclasses import fields

import pytest

from csat import sim
from csat.sim.params import _Validated

CLASSES = [
    sim.Params,
    sim.ServiceProfile,
    sim.Expectations,
    sim.Satisfaction,
    sim.ComplaintBehaviour,
    sim.RecoveryPolicy,
    sim.WordOfMouth,
    sim.Economics,
    sim.NetworkSpec,
    sim.Heterogeneity,
]


def _cases():
    for cls in CLASSES:
        for f in fields(cls):
            meta = f.metadata
            kind, lo, hi = meta.get("kind"), meta.get("lo"), meta.get("hi")
            where = re.escape(f"{cls.__name__}.{f.name}")
            if kind == "int":
                what = "a positive integer" if lo == 1 else f"an integer >= {lo}"
                yield cls, f.name, lo - 1, rf"{where} must be {what}, got {lo - 1}"
                yield cls, f.name, 2.5, rf"{where} must be {what}, got 2.5"
                yield cls, f.name, hi + 1, rf"{where} must be an integer <= {hi}, got {hi + 1}"
            elif kind == "choice":
                allowed = re.escape(str(list(meta["choices"])))
                yield cls, f.name, "other", rf"{where} must be one of {allowed}, got 'other'"
            elif kind in ("float", "optional_float"):
                bad = hi + 1 if hi is not None else lo - 1
                rng = rf"in \[{lo}, {hi}\]" if lo is not None and hi is not None else r"[<>]= "
                yield cls, f.name, bad, rf"{where} must be {rng}.*got {re.escape(repr(bad))}"
                yield cls, f.name, float("nan"), rf"{where} must be a finite number, got nan"
                yield cls, f.name, True, rf"{where} must be a finite number, got True"
                yield cls, f.name, "high", rf"{where} must be a finite number, got 'high'"
            elif kind == "vector":
                yield cls, f.name, (1.0, 2.0), rf"{where} must be 5 numbers, got \(1.0, 2.0\)"
                yield cls, f.name, (hi + 1,) * 5, rf"{where} must hold numbers in \[{lo}, {hi}\]"
            elif kind == "nested":
                yield cls, f.name, 3, rf"{where} must be a {meta['cls'].__name__}, got 3"


CASES = list(_cases())


@pytest.mark.parametrize(("cls", "name", "value", "message"), CASES, ids=lambda x: str(x)[:30])
def test_bad_value_is_rejected_with_its_message(cls, name, value, message):
    with pytest.raises(ValueError, match=message):
        cls(**{name: value})


def test_every_field_is_covered():
    covered = {(cls, name) for cls, name, *_ in CASES}
    every = {(cls, f.name) for cls in CLASSES for f in fields(cls)}
    assert covered == every


def test_every_parameter_class_validates():
    assert all(issubclass(cls, _Validated) for cls in CLASSES)


def test_weights_must_add_up_to_one():
    with pytest.raises(ValueError, match=r"ServiceProfile.weights must add up to 1, got 1.5"):
        sim.ServiceProfile(weights=(0.5, 0.5, 0.2, 0.2, 0.1))


def test_escalation_cannot_exceed_front_line_complaints():
    with pytest.raises(ValueError, match=r"ComplaintBehaviour.head_office must be <= front_line"):
        sim.ComplaintBehaviour(front_line=0.02, head_office=0.05)


def test_params_are_frozen():
    p = sim.Params()
    with pytest.raises(AttributeError):
        p.days = 3  # type: ignore[misc]


def test_rng_must_be_seed_generator_or_none():
    with pytest.raises(ValueError, match=r"rng must be an int, a numpy Generator or None, got 'x'"):
        sim.run(sim.Params(population=10, days=1), rng="x")


def test_run_rejects_something_that_is_not_params():
    with pytest.raises(ValueError, match=r"run: params must be a sim.Params, got dict"):
        sim.run({"days": 3})


def test_numpy_numbers_are_plain_numbers():
    # A sweep over np.linspace or a value read from an array must not be refused.
    import numpy as np

    from csat import sim

    p = sim.Params(
        population=np.int64(500),
        initial_customers=np.float32(0.5),
        service=sim.ServiceProfile(quality=np.full(5, 7.0)),
    )
    assert type(p.population) is int and p.initial_customers == 0.5
    assert p.service.quality == (7.0,) * 5 and type(p.service.quality[0]) is float
    assert p == sim.Params(population=500, initial_customers=0.5, service=p.service)
    with pytest.raises(ValueError, match=r"Params\.population must be a positive integer"):
        sim.Params(population=np.bool_(True))
