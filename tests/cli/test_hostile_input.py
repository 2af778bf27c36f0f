"""Bad input to the console commands: one line naming the parameter or the file, exit 2 (130 on
Ctrl-C), never a traceback, and nothing half-written."""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from csat.cli import exercises as exercises_cli
from csat.cli import sim as sim_cli

SMALL = ["run", "--customers", "500", "--days", "5", "--seed", "1", "--no-progress"]


def _one_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], "error: --seed must be an integer >= 0, got -1"),
        (["--plot", "{tmp}/out.xyz"], "error: --plot: {tmp}/out.xyz: the figure can be"),
        (["--set", "network.kind=triangle"], "error: NetworkSpec.kind must be one of"),
        (["--set", "days=many"], "error: Params.days must be a positive integer, got 'many'"),
        (["--set", "service.quality=1,a,3"], "error: ServiceProfile.quality must be 5 numbers"),
        (["--csv", "{tmp}"], "error: {tmp}: is a folder"),
    ],
)
def test_sim_run_refuses_bad_input_before_writing_anything(tmp_path, capsys, args, message):
    csv = tmp_path / "daily.csv"
    args = [a.format(tmp=tmp_path) for a in args]
    assert sim_cli.main([*SMALL, "--csv", str(csv), *args]) == 2
    assert _one_line(capsys.readouterr().err).startswith(message.format(tmp=tmp_path))
    assert list(tmp_path.iterdir()) == []  # not even the CSV


def test_text_parameters_can_be_set(tmp_path, capsys):
    csv = tmp_path / "daily.csv"
    code = sim_cli.main(
        [*SMALL, "--set", "network.kind=small_world", "--set", "wom.unhappy_seeds_by=degree",
         "--csv", str(csv)]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert len(pd.read_csv(csv)) == 5


def test_a_plot_without_extension_reports_the_file_it_wrote(tmp_path, capsys):
    assert sim_cli.main([*SMALL, "--plot", str(tmp_path / "p")]) == 0
    assert f"wrote {tmp_path / 'p.png'}\n" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["p.png"]


def test_a_full_disk_names_the_file_and_leaves_the_old_one(tmp_path, capsys, monkeypatch):
    csv = tmp_path / "daily.csv"
    csv.write_text("yesterday's table\n")

    def full_disk(self, path, *args, **kwargs):
        Path(path).write_text("day,cust")  # half a table, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    assert sim_cli.main([*SMALL, "--csv", str(csv)]) == 2
    assert _one_line(capsys.readouterr().err) == f"error: {csv}: No space left on device"
    assert csv.read_text() == "yesterday's table\n"
    assert [p.name for p in tmp_path.iterdir()] == ["daily.csv"]  # no part left behind


def test_ctrl_c_in_a_command_is_one_line_and_130(monkeypatch, capsys):
    from csat import sim

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim, "run", interrupted)
    try:
        code = sim_cli.main(SMALL)
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped as a traceback")
    assert code == 130
    assert "interrupted (Ctrl-C)" in _one_line(capsys.readouterr().err)

    monkeypatch.setattr(sys, "stdin", io.StringIO())
    monkeypatch.setattr(sys.stdin, "readline", interrupted)
    assert exercises_cli.main(["play", "hotpot-queue"]) == 130
    assert "interrupted (Ctrl-C)" in _one_line(capsys.readouterr().err)


def test_ctrl_c_during_a_run_exits_130_without_a_traceback(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "csat", "sim", "run", "--customers", "200000", "--days", "36500",
         "--csv", str(tmp_path / "daily.csv")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen = ""
    while "simulating" not in seen:  # the progress bar: the run has started
        char = proc.stderr.read(1)
        assert char, f"exited {proc.wait()} before the run started: {seen}"
        seen += char
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].endswith("interrupted (Ctrl-C)")
    assert not (tmp_path / "daily.csv").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--db", "notaurl", "--out", "{tmp}/out"],
        ["reset", "--db", "notaurl", "--yes"],
        ["backup", "{tmp}/b.sqlite", "--db", "notaurl"],
        ["import", "{tmp}/x.json", "--db", "notaurl"],
    ],
)
def test_a_database_url_that_is_not_one_is_one_line(tmp_path, capsys, args):
    args = [a.format(tmp=tmp_path) for a in args]
    assert exercises_cli.main(args) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("error: notaurl: expected an SQLAlchemy database URL"), line
    assert list(tmp_path.iterdir()) == []


def test_compile_says_when_it_cannot_cache(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(blocker / "cache")}
    env.pop("NUMBA_DISABLE_JIT", None)
    proc = subprocess.run(
        [sys.executable, "-m", "csat", "sim", "compile"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 1
    line = _one_line(proc.stderr)
    assert line.startswith(f"error: cannot write the compiled simulator's cache in {blocker}")
    assert "NUMBA_CACHE_DIR" in line and "Ready" not in proc.stdout


def test_compile_says_when_nothing_was_cached(tmp_path, monkeypatch, capsys):
    from csat.sim import _jit

    run = sys.modules["csat.sim.run"]  # the module (csat.sim.run is also the function's name)
    if not _jit.AVAILABLE:
        pytest.skip("Numba is not in use")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(run, "warm_up", lambda: 0.0)  # a compile whose cache writes all failed
    monkeypatch.setattr(_jit, "cache_folder", str(tmp_path))
    assert sim_cli.main(["compile"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"error: compiled in 0.0 s, but nothing was cached in {tmp_path}")


def test_ctrl_c_in_any_csat_command_is_one_line_and_130(monkeypatch, capsys):
    import csat.cli
    from csat.cli import workshop

    def interrupted(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(workshop, "main", interrupted)
    try:
        code = csat.cli.main(["report"])
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped as a traceback")
    assert code == 130
    assert _one_line(capsys.readouterr().err) == "csat report: interrupted (Ctrl-C)"
