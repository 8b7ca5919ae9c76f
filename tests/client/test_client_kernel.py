"""The headline: in a kernel started by the server, tracking needs no set-up at all."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from client_support import execute_in_server_kernel

CELL = """
import jupyter_mlops as mlops

with mlops.start_run() as run:
    mlops.log_param("lr", 0.01)
    for step in range(3):
        mlops.log_metric("loss", 0.1 * (3 - step), step=step)

print(mlops.get_tracking_uri())
print(run.run_id)
"""


@pytest.mark.slow
def test_a_fresh_kernel_logs_to_its_server_without_setup(mlops_server: Any) -> None:
    output = execute_in_server_kernel(mlops_server.url, mlops_server.token, CELL)

    tracking_uri, run_id = output.split()
    assert tracking_uri == mlops_server.url
    answer = requests.get(
        mlops_server.url + f"mlops/api/runs/{run_id}", headers=mlops_server.headers, timeout=30
    )
    assert answer.status_code == 200
    run = answer.json()["run"]
    assert run["info"]["status"] == "FINISHED"
    assert run["params"] == {"lr": "0.01"}
    assert run["metrics"]["loss"]["step"] == 2
    assert run["metrics"]["loss"]["value"] == pytest.approx(0.1)
