"""Artifacts logged from a run come back byte for byte through download_artifacts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from client_support import Tracking

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidParameter, NotFound


def test_dict_text_and_files_round_trip(mlops_tracking: Tracking, tmp_path: Path) -> None:
    config = {"model": {"layers": [64, 32], "dropout": 0.1}, "name": "ünïcode"}
    source = tmp_path / "source"
    (source / "nested" / "deeper").mkdir(parents=True)
    (source / "a.txt").write_text("alpha")
    (source / "nested" / "b.bin").write_bytes(bytes(range(256)) * 40)
    (source / "nested" / "deeper" / "c.csv").write_text("x,y\n1,2\n")
    single = tmp_path / "weights.bin"
    single.write_bytes(b"\x00\x01" * 100_000)

    with mlops.start_run() as run:
        mlops.log_dict(config, "config/params.json")
        mlops.log_dict(config, "config/params.yaml")
        mlops.log_text("# Notes\nconverged at epoch 3", "notes.md")
        mlops.log_artifact(single)
        mlops.log_artifact(single, artifact_path="models/best")
        mlops.log_artifacts(source, artifact_path="data")

    client = mlops_tracking.client
    assert [(f.path, f.is_dir) for f in client.list_artifacts(run.run_id)] == [
        ("config", True),
        ("data", True),
        ("models", True),
        ("notes.md", False),
        ("weights.bin", False),
    ]
    everything = client.download_artifacts(run.run_id, "", tmp_path / "all")
    assert json.loads((everything / "config/params.json").read_text()) == config
    assert yaml.safe_load((everything / "config/params.yaml").read_text()) == config
    assert (everything / "notes.md").read_text() == "# Notes\nconverged at epoch 3"
    assert (everything / "weights.bin").read_bytes() == single.read_bytes()
    assert (everything / "models/best/weights.bin").read_bytes() == single.read_bytes()
    for relative in ("a.txt", "nested/b.bin", "nested/deeper/c.csv"):
        assert (everything / "data" / relative).read_bytes() == (source / relative).read_bytes()

    folder = client.download_artifacts(run.run_id, "data/nested", tmp_path / "one-folder")
    assert folder == tmp_path / "one-folder" / "nested"
    assert (folder / "deeper" / "c.csv").read_text() == "x,y\n1,2\n"
    one_file = client.download_artifacts(run.run_id, "config/params.json", tmp_path / "one")
    assert one_file == tmp_path / "one" / "params.json"
    assert json.loads(one_file.read_text()) == config


def test_figure_is_stored_as_an_image(mlops_tracking: Tracking, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure()
    figure.add_subplot().plot([0, 1, 2], [3, 1, 2])

    with mlops.start_run() as run:
        mlops.log_figure(figure, "plots/loss.png")
        mlops.log_figure(figure, "plots/loss.svg")
        with pytest.raises(InvalidParameter, match="matplotlib Figure"):
            mlops.log_figure(object(), "plots/nothing.png")

    png = mlops_tracking.client.download_artifacts(run.run_id, "plots/loss.png", tmp_path)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    svg = mlops_tracking.client.download_artifacts(run.run_id, "plots/loss.svg", tmp_path)
    assert b"<svg" in svg.read_bytes()
    names = [f.path for f in mlops_tracking.client.list_artifacts(run.run_id, "plots")]
    assert names == ["plots/loss.png", "plots/loss.svg"]


def test_missing_artifacts_and_bad_paths(mlops_tracking: Tracking, tmp_path: Path) -> None:
    with mlops.start_run() as run:
        with pytest.raises(InvalidParameter) as raised:
            mlops.log_text("x", "../outside.txt")
        assert raised.value.field == "artifact_file"
        with pytest.raises(InvalidParameter):
            mlops.log_artifact(tmp_path / "does-not-exist.txt")

    with pytest.raises(NotFound):
        mlops_tracking.client.download_artifacts(run.run_id, "nope.txt", tmp_path)
    assert mlops_tracking.client.list_artifacts(run.run_id) == []
