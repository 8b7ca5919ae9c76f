"""Artifacts through MLflow's client (``mlflow-artifacts``), and the path confinement of
that API (MLflow's server had traversals here: CVE-2023-6730, CVE-2023-6831,
CVE-2024-1560)."""

from __future__ import annotations

import pytest
import requests

from tests.mlflow_compat.conftest import MlflowClientRunner


def test_log_list_and_download_artifacts(mlops_mlflow: MlflowClientRunner) -> None:
    out = mlops_mlflow.run(
        """
        import os, tempfile, json
        import mlflow
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from mlflow import MlflowClient
        mlflow.set_experiment("artifacts")
        src = tempfile.mkdtemp()
        with open(os.path.join(src, "single.txt"), "w") as f:
            f.write("one file")
        os.makedirs(os.path.join(src, "tree", "deep"))
        for rel in ("tree/a.csv", "tree/deep/b.bin"):
            with open(os.path.join(src, rel), "wb") as f:
                f.write(rel.encode() * 100)
        with mlflow.start_run() as run:
            mlflow.log_artifact(os.path.join(src, "single.txt"))
            mlflow.log_artifact(os.path.join(src, "single.txt"), artifact_path="sub")
            mlflow.log_artifacts(os.path.join(src, "tree"), artifact_path="tree")
            mlflow.log_dict({"a": 1, "b": [1, 2]}, "config/params.json")
            mlflow.log_text("hello artifacts", "notes.txt")
            fig, ax = plt.subplots()
            ax.plot([1, 2, 3])
            mlflow.log_figure(fig, "plots/line.png")
        c = MlflowClient()
        rid = run.info.run_id
        top = [(f.path, f.is_dir, f.file_size) for f in c.list_artifacts(rid)]
        tree = [(f.path, f.is_dir) for f in c.list_artifacts(rid, "tree")]
        fluent = [f.path for f in mlflow.artifacts.list_artifacts(run_id=rid, artifact_path="sub")]
        dst = tempfile.mkdtemp()
        local = mlflow.artifacts.download_artifacts(run_id=rid, artifact_path="tree", dst_path=dst)
        downloaded = sorted(
            os.path.relpath(os.path.join(r, n), local) for r, _, ns in os.walk(local) for n in ns
        )
        deep = open(os.path.join(local, "deep", "b.bin"), "rb").read()
        config = mlflow.artifacts.load_dict(run.info.artifact_uri + "/config/params.json")
        text = mlflow.artifacts.load_text(run.info.artifact_uri + "/notes.txt")
        png = c.download_artifacts(rid, "plots/line.png", dst)
        result({
            "top": top, "tree": tree, "fluent": fluent, "downloaded": downloaded,
            "deep_ok": deep == b"tree/deep/b.bin" * 100, "config": config, "text": text,
            "png": open(png, "rb").read()[:8].hex(), "rid": rid,
            "experiment_id": run.info.experiment_id,
        })
        """
    )
    top = {path: (is_dir, size) for path, is_dir, size in out["top"]}
    assert top["single.txt"] == (False, 8)
    assert top["notes.txt"] == (False, len("hello artifacts"))
    assert top["sub"][0] and top["tree"][0] and top["config"][0] and top["plots"][0]
    assert out["tree"] == [["tree/a.csv", False], ["tree/deep", True]]
    assert out["fluent"] == ["sub/single.txt"]
    assert out["downloaded"] == ["a.csv", "deep/b.bin"]
    assert out["deep_ok"]
    assert out["config"] == {"a": 1, "b": [1, 2]}
    assert out["text"] == "hello artifacts"
    assert out["png"] == "89504e470d0a1a0a"
    # The files are where our own API finds them: one store.
    server = mlops_mlflow.server
    listed = requests.get(
        f"{server.url}mlops/api/runs/{out['rid']}/artifacts",
        params={"path": "config"},
        headers=server.headers,
        timeout=10,
    ).json()["files"]
    assert [f["path"] for f in listed] == ["config/params.json"]


ESCAPES = [
    "../../../etc/passwd",
    "1/../../etc/passwd",
    "%2e%2e/%2e%2e/etc/passwd",
    "%252e%252e/%252e%252e/etc/passwd",
    "1/%252e%252e/%252e%252e/x",
    "..%2fetc%2fpasswd",
    "..%252fetc",
    "1/..%5c..%5cetc",
    "1\\..\\..\\etc\\passwd",
    "%2fetc/passwd",
    "1/%00/x",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_artifact_paths_cannot_leave_the_artifact_root(
    mlops_mlflow: MlflowClientRunner, path: str
) -> None:
    server = mlops_mlflow.server
    base = f"{server.url}mlops/mlflow/api/2.0/mlflow-artifacts/artifacts"
    secret = server.artifact_root.parent / "secret.txt"
    secret.write_text("do not read")
    attempts = [
        requests.get(f"{base}/{path}", headers=server.headers, timeout=10),
        requests.put(f"{base}/{path}", data=b"x", headers=server.headers, timeout=10),
        requests.delete(f"{base}/{path}", headers=server.headers, timeout=10),
        requests.get(base, params={"path": path}, headers=server.headers, timeout=10),
        requests.get(f"{base}/1/{path}", headers=server.headers, timeout=10),
    ]
    for response in attempts:
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
        assert b"do not read" not in response.content
        body = response.json()
        assert body["error_code"] in (
            "INVALID_PARAMETER_VALUE",
            "RESOURCE_DOES_NOT_EXIST",
            "PERMISSION_DENIED",
            "ENDPOINT_NOT_FOUND",
        ), (path, body)
    assert secret.read_text() == "do not read"


def test_artifact_writes_need_a_run_folder_and_a_live_run(
    mlops_mlflow: MlflowClientRunner,
) -> None:
    server = mlops_mlflow.server
    out = mlops_mlflow.run(
        """
        from mlflow import MlflowClient
        c = MlflowClient()
        e = c.create_experiment("artifact-writes")
        live = c.create_run(e)
        done = c.create_run(e)
        c.set_terminated(done.info.run_id)
        result({"e": e, "live": live.info.run_id, "done": done.info.run_id})
        """
    )
    base = f"{server.url}mlops/mlflow/api/2.0/mlflow-artifacts/artifacts"
    e, live, done = out["e"], out["live"], out["done"]
    ok = requests.put(f"{base}/{e}/{live}/artifacts/a.txt", data=b"hi", headers=server.headers)
    assert ok.status_code == 200
    got = requests.get(f"{base}/{e}/{live}/artifacts/a.txt", headers=server.headers)
    assert got.content == b"hi"
    wrong_experiment = requests.put(
        f"{base}/0/{live}/artifacts/a.txt", data=b"x", headers=server.headers
    )
    assert wrong_experiment.status_code == 400
    outside_runs = requests.put(f"{base}/{e}/loose.txt", data=b"x", headers=server.headers)
    assert outside_runs.status_code == 403
    finished = requests.put(f"{base}/{e}/{done}/artifacts/a.txt", data=b"x", headers=server.headers)
    assert finished.status_code == 400
    assert finished.json()["error_code"] == "INVALID_STATE"
    deleted = requests.delete(f"{base}/{e}/{live}/artifacts/a.txt", headers=server.headers)
    assert deleted.status_code == 200
    gone = requests.get(f"{base}/{e}/{live}/artifacts/a.txt", headers=server.headers)
    assert gone.status_code == 404
    assert gone.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
