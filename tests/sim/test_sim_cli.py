"""python -m csat sim: writes what it says, and bad input gives one line and exit code 2."""

import subprocess
import sys

import pandas as pd
import pytest
from PIL import Image

from csat.cli.sim import main


def test_run_writes_csv_and_figure(tmp_path, capsys):
    csv, png, people = tmp_path / "out.csv", tmp_path / "out.png", tmp_path / "people.csv"
    code = main(
        [
            "run", "--preset", "car_dealer", "--customers", "5000", "--days", "60", "--seed", "1",
            "--csv", str(csv), "--plot", str(png), "--customers-csv", str(people), "--no-progress",
        ]
    )  # fmt: skip
    assert code == 0
    daily = pd.read_csv(csv)
    assert len(daily) == 60
    assert (daily[["customers", "prospects", "defected"]].sum(axis=1) == 5000).all()
    assert len(pd.read_csv(people)) == 5000
    # Written as the report's CSVs are (csat.csvfile): BOM for Excel, text quoted, numbers not.
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf") and daily.columns[0] == "day"
    table = pd.read_csv(people, encoding="utf-8-sig", index_col="person")
    assert pd.api.types.is_numeric_dtype(table["joined_day"]) and (table["joined_day"] < 0).any()
    assert set(table["status"]) <= {"prospect", "customer", "defected"}
    with Image.open(png) as img:
        assert img.size[0] > 1500 and img.size[1] > 800
    out = capsys.readouterr().out
    assert "customers_end" in out and f"wrote {csv}" in out


def test_same_seed_writes_the_same_csv(tmp_path):
    paths = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for p in paths:
        main(["run", "--preset", "hotel", "--customers", "2000", "--days", "30", "--seed", "4",
              "--csv", str(p), "--no-progress"])  # fmt: skip
    assert paths[0].read_text() == paths[1].read_text()


def test_set_changes_a_parameter(tmp_path):
    csv = tmp_path / "a.csv"
    code = main(["run", "--customers", "50000", "--days", "60", "--seed", "1", "--no-progress",
                 "--set", "complaints.front_line=0.9", "--set", "complaints.head_office=0.1",
                 "--set", "complaints.severity_elasticity=0", "--csv", str(csv)])  # fmt: skip
    assert code == 0
    d = pd.read_csv(csv)
    problems = d["dissatisfied"].sum()
    assert problems > 200
    assert abs(d["complaints_front_line"].sum() / problems - 0.9) < 3.3 * (0.09 / problems) ** 0.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "-3"], "error: Params.days must be a positive integer, got -3"),
        (["--preset", "bank"], "error: preset must be one of"),
        (["--set", "recovery.resolution_rate=1.5"], "error: RecoveryPolicy.resolution_rate"),
        (["--set", "recovery.speed=1"], "error: RecoveryPolicy.speed is not a parameter"),
        (["--set", "days"], "error: --set: expected NAME=VALUE, got 'days'"),
        (["--set", "days=many"], "error: Params.days must be a positive integer, got 'many'"),
        (["--csv", "/no/such/folder/x.csv"], "error: /no/such/folder/x.csv: folder"),
    ],
)
def test_bad_input_gives_one_line_and_exit_code_2(args, message, capsys):
    assert main(["run", "--no-progress", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_module_entry_point_lists_presets():
    out = subprocess.run(
        [sys.executable, "-m", "csat", "sim", "presets"], capture_output=True, text=True, check=True
    ).stdout
    assert "car_dealer" in out and "汽车4S店" in out and "deck_folklore" in out


def test_module_entry_point_reports_bad_input_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "csat", "sim", "run", "--days", "-3", "--no-progress"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: Params.days must be a positive integer, got -3"
