"""environment.yml (conda), pyproject.toml (ranges) and constraints.txt (exact pins) agree."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]

# pip name -> conda-forge name, where they differ
CONDA_NAMES = {"jupyterlab-widgets": "jupyterlab_widgets"}
# runtime packages conda-forge does not have: environment.yml installs them with pip
PIP_ONLY = {"justmytype-intl-cjk"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _requirements(specs) -> dict[str, Requirement]:
    return {_norm(r.name): r for r in map(Requirement, specs)}


def _runtime() -> dict[str, Requirement]:
    return _requirements(_project()["dependencies"])


def _every() -> dict[str, Requirement]:
    project = _project()
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs.extend(extra)
    return _requirements(specs)


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"constraints.txt: {line!r} is not an exact pin"
            pins[_norm(name)] = version
    return pins


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the pip: section installs the project itself
            continue
        name, _, version = dep.partition("=")
        if name not in {"python", "pip"}:
            pins[name] = version
    return pins


def test_pyproject_gives_ranges_not_pins():
    for name, req in _every().items():
        assert not any(s.operator == "==" for s in req.specifier), f"{name}: {req} is a pin"
        assert req.specifier, f"{name}: no version range"


def test_constraints_pin_every_dependency_inside_its_range():
    pins, every = _constraints(), _every()
    assert set(pins) == set(every), set(pins) ^ set(every)
    for name, req in every.items():
        pin = pins[name]
        assert req.specifier.contains(pin, prereleases=True), f"{name}=={pin} vs {req}"


def test_conda_lists_the_runtime_under_conda_forge_names_at_the_pinned_versions():
    pins, conda = _constraints(), _conda()
    expected = {
        CONDA_NAMES.get(name, name): pins[name] for name in _runtime() if name not in PIP_ONLY
    }
    assert conda == expected


def test_conda_env_gets_what_conda_forge_lacks_from_pip_at_the_pinned_versions():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = {_norm(r.name): str(r.specifier) for r in map(Requirement, pip[:-1])}
    assert listed == {name: f"=={_constraints()[name]}" for name in PIP_ONLY}
    assert set(_runtime()) >= PIP_ONLY


def test_conda_env_installs_the_project_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip_sections and "--editable ." in pip_sections[0]


def test_environment_python_matches_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    minimum = _project()["requires-python"].removeprefix(">=")
    assert python.split("=")[1] == minimum
