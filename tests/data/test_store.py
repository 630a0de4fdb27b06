"""Tests of the raw store and the raw -> processed build."""

from __future__ import annotations

import gzip
import hashlib
import json
import os

import pandas as pd
import pytest

from evaluation import paths
from evaluation.data import store
from evaluation.errors import WriteFailure
from evaluation.data.panel import read_panel
from evaluation.data.store import (
    build_processed,
    read_raw_meta,
    replace_dir,
    save_raw,
    sha256_file,
    to_yearly,
    write_parquet,
)
from evaluation.errors import DataError


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.HOME_VARIABLE, str(tmp_path))
    return tmp_path


def _panel() -> pd.DataFrame:
    return pd.DataFrame({
        "unit": ["0649", "0649", "1987", "1987"],
        "unit_name": ["Kontrollby", "Kontrollby", "Exempelstad", "Exempelstad"],
        "period": ["2022-01", "2022-02", "2022-01", "2022-02"],
        "measure": "households_assistance",
        "value": [120.0, 118.0, 160.0, 158.0],
    })


def _tree(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_sha256_file(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"abc" * 100_000)
    assert sha256_file(path) == hashlib.sha256(b"abc" * 100_000).hexdigest()


def test_save_raw_frame_writes_hashed_file_and_sidecar(home):
    frame = _panel()
    path = save_raw(frame, source="demo", name="panel_monthly", meta={"seed": 1})
    digest = sha256_file(path)
    assert path.parent == home / "data" / "raw" / "demo"
    assert path.name == f"panel_monthly-{digest[:12]}.csv"
    sidecar = json.loads(path.with_name(path.name + ".json").read_text())
    assert sidecar["source"] == "demo" and sidecar["sha256"] == digest
    assert sidecar["meta"] == {"seed": 1} and sidecar["created"]
    assert read_raw_meta(path) == sidecar
    back = read_panel(path)
    assert list(back["unit"].unique()) == ["0649", "1987"]
    assert _tree(home) == [f"data/raw/demo/{path.name}", f"data/raw/demo/{path.name}.json"]


def test_save_raw_reuses_identical_content_and_never_overwrites(home):
    first = save_raw(_panel(), source="demo", name="panel", meta={"run": 1})
    sidecar = first.with_name(first.name + ".json")
    stamp, text = first.stat().st_mtime_ns, sidecar.read_text()
    again = save_raw(_panel(), source="demo", name="panel", meta={"run": 2})
    assert again == first
    assert first.stat().st_mtime_ns == stamp and sidecar.read_text() == text
    changed = _panel().assign(value=lambda f: f["value"] + 1)
    other = save_raw(changed, source="demo", name="panel", meta={})
    assert other != first and first.is_file() and other.is_file()
    assert len(_tree(home)) == 4


def test_save_raw_bytes_and_gzip(home):
    payload = b'{"values": []}'
    path = save_raw(payload, source="kolada", name="answer.json", meta={"url": "x"})
    assert path.name == f"answer-{hashlib.sha256(payload).hexdigest()[:12]}.json"
    assert path.read_bytes() == payload
    assert save_raw(b"\x00\x01", source="kolada", name="blob", meta={}).suffix == ".bin"
    gz1 = save_raw(_panel(), source="demo", name="panel.csv.gz", meta={})
    gz2 = save_raw(_panel(), source="demo", name="panel.csv.gz", meta={})
    assert gz1 == gz2 and gz1.name.endswith(".csv.gz") and gz1.name.startswith("panel-")
    assert gzip.decompress(gz1.read_bytes()) == _panel().to_csv(
        index=False, lineterminator="\n").encode()
    pd.testing.assert_frame_equal(read_panel(gz1), read_panel(save_raw(
        _panel(), source="demo", name="panel", meta={})))


def test_save_raw_rejects_unsafe_names_and_tampered_files(home):
    for source, name in (("../up", "x"), ("demo", "a/b"), ("", "x"), ("demo", "..")):
        with pytest.raises(DataError):
            save_raw(b"x", source=source, name=name, meta={})
    with pytest.raises(DataError):
        save_raw(_panel(), source="demo", name="panel.xlsx", meta={})
    path = save_raw(b"original", source="demo", name="t.txt", meta={})
    os.chmod(path, 0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(DataError):
        save_raw(b"original", source="demo", name="t.txt", meta={})


def test_failed_write_leaves_nothing(home, monkeypatch):
    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "replace", fail)
    with pytest.raises(WriteFailure, match="kunde inte skrivas"):  # one sentence, exit 1
        save_raw(_panel(), source="demo", name="panel", meta={})
    with pytest.raises(WriteFailure):
        write_parquet(_panel(), home / "data" / "processed" / "x.parquet")
    assert _tree(home) == []


def test_build_processed_validates_and_writes_parquet(home):
    raw = save_raw(_panel(), source="demo", name="panel", meta={})
    out = build_processed(raw, name="panel_monthly")
    assert out == paths.processed_dir() / "panel_monthly.parquet"
    frame = pd.read_parquet(out)
    assert frame["unit"].tolist() == ["0649", "0649", "1987", "1987"]
    assert set(frame["status"]) == {"final"}
    custom = build_processed(raw, name="p", out_dir=home / "elsewhere")
    assert custom == home / "elsewhere" / "p.parquet" and custom.is_file()


def test_build_processed_invalid_raw_writes_nothing(home):
    bad = _panel().drop(columns="value")
    raw = save_raw(bad, source="demo", name="bad", meta={})
    with pytest.raises(DataError):
        build_processed(raw, name="bad")
    assert not paths.processed_dir().exists() or not any(paths.processed_dir().iterdir())


def test_to_yearly_rules():
    months = [f"2021-{m:02d}" for m in range(1, 13)] + [f"2022-{m:02d}" for m in range(1, 12)]
    rows = []
    for i, period in enumerate(months):
        status = "preliminary" if period == "2021-12" else "final"
        rows += [
            ("0649", "Kontrollby", period, "unemployment_rate", 5.0 + i / 10, 15_000 + i, status),
            ("0649", "Kontrollby", period, "households_assistance", 100.0 + i, 15_000 + i,
             "final"),
            ("0649", "Kontrollby", period, "population", 15_000.0 + i, 15_000 + i, "final"),
        ]
    panel = pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value",
                                        "population", "status"])
    yearly = to_yearly(panel).set_index(["measure", "period"])
    assert set(yearly.index.get_level_values("period")) == {"2021"}  # 2022 is incomplete
    assert yearly.loc[("unemployment_rate", "2021"), "value"] == pytest.approx(5.55)
    assert yearly.loc[("unemployment_rate", "2021"), "status"] == "preliminary"
    assert yearly.loc[("households_assistance", "2021"), "value"] == pytest.approx(105.5)
    assert yearly.loc[("households_assistance", "2021"), "status"] == "final"
    assert yearly.loc[("population", "2021"), "value"] == 15_011
    assert yearly.loc[("population", "2021"), "population"] == 15_011
    with pytest.raises(DataError):
        to_yearly(panel.assign(period="2021"))


def test_replace_dir_swaps_only_complete_folders(tmp_path):
    target = tmp_path / "processed" / "demo"
    with replace_dir(target) as staging:
        (staging / "a.txt").write_text("one")
    assert (target / "a.txt").read_text() == "one"
    with pytest.raises(RuntimeError):
        with replace_dir(target) as staging:
            (staging / "a.txt").write_text("two")
            raise RuntimeError("failed half-way")
    assert (target / "a.txt").read_text() == "one"
    with replace_dir(target) as staging:
        (staging / "b.txt").write_text("three")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["demo"]
