"""Object names: DNS-1123, stable, and collision-free for names that differ only in case
or punctuation."""

from __future__ import annotations

import pytest

from jupyter_mlops.kube.labels import label_value
from jupyter_mlops.kube.names import is_valid_name, multi_slug, safe_slug
from jupyter_mlops.notebooks.naming import compute_names


def test_valid_names_are_kept_as_they_are() -> None:
    assert safe_slug("alice") == "alice"
    assert multi_slug(["alice", "work"]) == "alice--work"


@pytest.mark.parametrize(
    "name",
    ["user@example.com", "User.Example.Com", "USER", "a--b", "-lead", "9lives", "é", "", "x" * 80],
)
def test_changed_names_are_valid_and_hashed(name: str) -> None:
    slug = safe_slug(name)
    assert is_valid_name(slug)
    assert len(slug) <= 32
    assert "---" in slug  # a hash marks every changed name


def test_email_and_its_case_variant_do_not_collide() -> None:
    names = {
        compute_names(owner, "work", "team", "").workload
        for owner in (
            "user@example.com",
            "User.Example.Com",
            "user-example-com",
            "user.example.com",
        )
    }
    assert len(names) == 4


def test_parts_cannot_be_confused_by_moving_separators() -> None:
    assert multi_slug(["a-b", "c"]) != multi_slug(["a", "b-c"])
    assert multi_slug(["a", "b--c"]) != multi_slug(["a--b", "c"])


def test_computed_names_fit_kubernetes_limits() -> None:
    names = compute_names("someone.with.a.very.long.name@example-company.com", "x" * 63, "team", "")
    for name in (names.workload, names.pvc, names.secret):
        assert is_valid_name(name), name
    # Pods are <workload>-0 and carry <workload>-<10 char revision hash> labels.
    assert len(names.workload) + len("-") + 10 <= 63
    assert names == compute_names(
        "someone.with.a.very.long.name@example-company.com", "x" * 63, "team", ""
    )


def test_namespace_per_user_from_a_template() -> None:
    names = compute_names("Alice@Example.com", "work", "default", "mlops-{username}")
    assert names.namespace.startswith("mlops-alice-example-com---")
    assert is_valid_name(names.namespace)


def test_label_values_are_valid() -> None:
    assert label_value("alice") == "alice"
    assert is_valid_name(label_value("Alice@Example.com"))
