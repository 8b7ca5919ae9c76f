"""A spawn request against the configured images, profiles, GPUs and quotas: refusals say
which field and which limit."""

from __future__ import annotations

from typing import Any

import pytest
from notebook_support import make_options

from jupyter_mlops.errors import InvalidParameter, PermissionDenied
from jupyter_mlops.notebooks.options import parse_quota
from jupyter_mlops.notebooks.validation import build_spec, check_quota

PROFILES = [
    {"slug": "small", "display_name": "Small", "default": True, "overrides": {"cpu": "1"}},
    {
        "slug": "gpu",
        "display_name": "One GPU",
        "overrides": {
            "image": "quay.io/jupyter/pytorch-notebook:cuda12-2025-03-14",
            "gpus": 1,
            "memory": "16Gi",
            "node_selector": {"accelerator": "h100"},
            "tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "shm_size": "2Gi",
        },
    },
]


def spec(body: dict[str, Any], admin: bool = False, **options: Any) -> Any:
    return build_spec(body, make_options(**options), is_admin=admin)


def test_defaults() -> None:
    result = spec({})
    assert result.image == "quay.io/jupyter/scipy-notebook:2025-03-14"
    assert (result.cpu_request, result.cpu_limit) == ("0.5", "0.5")
    assert (result.memory_request, result.memory_limit) == ("1Gi", "1Gi")
    assert result.gpus == 0 and result.gpu_resource == ""
    assert result.workspace.size == "5Gi"


def test_profile_values_are_defaults_and_may_set_scheduling() -> None:
    result = spec({"profile": "gpu"}, profiles=PROFILES)
    assert result.gpus == 1 and result.gpu_resource == "nvidia.com/gpu"
    assert result.node_selector == {"accelerator": "h100"}
    assert result.shm_size == "2Gi"
    assert spec({}, profiles=PROFILES).cpu_request == "1"  # the default profile
    assert spec({"profile": "small", "cpu": "2"}, profiles=PROFILES).cpu_request == "2"


@pytest.mark.parametrize(
    ("body", "field", "error"),
    [
        ({"image": "evil/miner:latest"}, "image", PermissionDenied),
        ({"profile": "huge"}, "profile", InvalidParameter),
        ({"cpu": "lots"}, "cpu", InvalidParameter),
        ({"cpu": "2", "cpu_limit": "1"}, "cpu_limit", InvalidParameter),
        ({"memory": "-1Gi"}, "memory", InvalidParameter),
        ({"gpus": -1}, "gpus", InvalidParameter),
        ({"gpus": "2"}, "gpus", InvalidParameter),
        ({"gpus": 9}, "gpus", PermissionDenied),
        ({"gpus": 1, "gpu_resource": "amd.com/gpu"}, "gpu_resource", PermissionDenied),
        ({"env": {"JUPYTER_MLOPS_TOKEN": "x"}}, "env", InvalidParameter),
        ({"env": {"1BAD": "x"}}, "env", InvalidParameter),
        ({"node_selector": {"pool": "gpu"}}, "node_selector", PermissionDenied),
        ({"tolerations": [{"key": "gpu", "operator": "Exists"}]}, "tolerations", PermissionDenied),
        ({"workspace": {"size": "big"}}, "workspace.size", InvalidParameter),
        (
            {"workspace": {"existing_claim": "Not A Claim"}},
            "workspace.existing_claim",
            InvalidParameter,
        ),
        (
            {"workspace": {"existing_claim": "someones-home"}},
            "workspace.existing_claim",
            PermissionDenied,
        ),
        (
            {"data_volumes": [{"claim_name": "data", "mount_path": "/../etc"}]},
            "data_volumes[0].mount_path",
            InvalidParameter,
        ),
        ({"shm_size": "lots"}, "shm_size", InvalidParameter),
        ({"cull_idle_seconds": -5}, "cull_idle_seconds", InvalidParameter),
    ],
)
def test_refusals_name_the_field(body: dict[str, Any], field: str, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        spec(body)
    assert caught.value.field == field  # type: ignore[attr-defined]


def test_gpus_are_refused_where_none_are_configured() -> None:
    with pytest.raises(PermissionDenied) as caught:
        spec({"gpus": 1}, gpu_resources=[])
    assert caught.value.field == "gpus"
    assert "no GPUs" in caught.value.message


def test_admins_may_set_scheduling_and_existing_claims() -> None:
    result = spec(
        {
            "node_selector": {"pool": "gpu"},
            "tolerations": [{"key": "gpu", "operator": "Exists"}],
            "workspace": {"existing_claim": "home-alice"},
        },
        admin=True,
    )
    assert result.workspace.existing_claim == "home-alice"
    assert result.node_selector == {"pool": "gpu"}


def test_custom_images_when_allowed() -> None:
    assert spec({"image": "my/own:1"}, allow_custom_image=True).image == "my/own:1"


def test_an_edit_keeps_what_it_does_not_change() -> None:
    options = make_options(profiles=PROFILES)
    first = build_spec({"profile": "gpu"}, options, is_admin=False)
    edited = build_spec({"memory": "32Gi"}, options, is_admin=False, previous=first)
    assert edited.memory_request == "32Gi"
    assert edited.node_selector == first.node_selector  # from the profile: kept
    assert edited.gpus == 1


def test_quotas_name_the_limit() -> None:
    quota = parse_quota({"servers": 2, "cpu": "2", "memory": "4Gi", "gpus": 1}, "q")
    one = spec({"cpu": "1", "memory": "2Gi"})
    check_quota(quota, spec=one, other_servers=1, other_active=[one], new_server=True)
    cases = [
        (dict(other_servers=2, other_active=[], new_server=True), one, "servers"),
        (dict(other_servers=1, other_active=[spec({"cpu": "1.5"})], new_server=False), one, "cpu"),
        (
            dict(other_servers=1, other_active=[spec({"memory": "3Gi"})], new_server=False),
            one,
            "memory",
        ),
        (dict(other_servers=0, other_active=[], new_server=False), spec({"gpus": 2}), "gpus"),
    ]
    for kwargs, wanted, field in cases:
        with pytest.raises(PermissionDenied) as caught:
            check_quota(quota, spec=wanted, **kwargs)  # type: ignore[arg-type]
        assert caught.value.field == field
        assert "quota" in caught.value.message
