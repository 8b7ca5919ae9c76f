"""The model page (issue #17, item 5), walked as a user walks it.

A scikit-learn model is trained and logged as a notebook does it (``mlops.log_model`` with
an input example, so MLmodel records a signature, and registered at once), from a run that
logged metrics and its training dataset; then the version gets the alias ``champion``.
The user opens the model in the registry and finds what MLflow and W&B users expect on a
model page: versions with their run names and metrics, aliases, the signature and input
example, a "load this model" snippet to copy, and the lineage (run, dataset, logged
model), whose run link opens the run. They describe the model, leave and come back: the
description stays. Both themes are drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

import jupyter_mlops as mlops

from .lab_actions import WCAG_CONTRAST_JS, choose_theme, close_mlops_tabs, run_command
from .lab_server import LabServer

MODEL = "iris-page-classifier"
# The WCAG contrast of an element's text on the first opaque background behind it.
_CONTRAST_JS = (
    """
(element) => {"""
    + WCAG_CONTRAST_JS
    + """
  let node = element;
  const layers = [];
  while (node) {
    const color = getComputedStyle(node).backgroundColor;
    layers.unshift(color);
    const parts = (color.match(/\\(([^)]*)\\)/) || ['', ''])[1].split(',');
    if (parts.length < 4 || parseFloat(parts[3]) >= 1) break;
    node = node.parentElement;
  }
  return contrast(layers, getComputedStyle(element).color);
}
"""
)
DESCRIPTION = "Predicts the iris species from its petals."


@pytest.fixture(autouse=True)
def mlops_tidy_lab(mlops_page: Page) -> Iterator[None]:
    """Leave the lab as each test found it (the workspace is shared by the session)."""
    yield
    close_mlops_tabs(mlops_page)


@pytest.fixture(scope="module")
def mlops_iris_model(mlops_lab: LabServer) -> dict[str, Any]:
    """A logistic regression logged and registered through the fluent API over REST."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    features = pd.DataFrame(
        {
            "petal length (cm)": [1.4, 1.3, 4.7, 4.5, 6.0, 5.1],
            "petal width (cm)": [0.2, 0.2, 1.4, 1.5, 2.5, 1.9],
        }
    )
    species = [0, 0, 1, 1, 2, 2]
    mlops.set_tracking_uri(mlops_lab.url, mlops_lab.token)
    try:
        mlops.set_experiment("model-page")
        with mlops.start_run(run_name="iris-train") as run:
            classifier = LogisticRegression(max_iter=200).fit(features, species)
            mlops.log_metrics({"accuracy": 0.96, "f1": 0.95})
            mlops.log_input(features, name="iris-petals", context="training")
            info = mlops.log_model(
                classifier,
                "model",
                input_example=features.head(2),
                registered_model_name=MODEL,
            )
            run_id = run.info.run_id
    finally:
        mlops.set_tracking_uri(None)
    mlops_lab.api("PUT", f"registered-models/{MODEL}/aliases/champion", json={"version": "1"})
    return {"run_id": run_id, "model_id": info.model_id}


def _open_model(page: Page) -> Locator:
    run_command(page, "MLOps Model Registry")
    registry = page.locator(".mlops-RegistryView")
    registry.locator(f'.mlops-RegistryView-model[data-model="{MODEL}"]').click()
    detail = registry.locator(f'.mlops-ModelDetail[data-model="{MODEL}"]')
    expect(detail).to_be_visible()
    return detail


def test_model_page_versions_signature_snippet_lineage_and_description(
    mlops_lab: LabServer,
    mlops_page: Page,
    mlops_iris_model: dict[str, Any],
    mlops_screenshot: Callable[[Page, str], Path],
) -> None:
    page = mlops_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    detail = _open_model(page)

    # The version names its source run and shows the run's metrics; the alias is there
    version = detail.locator('.mlops-VersionsTable tr[data-version="1"]')
    expect(version.locator(".mlops-VersionsTable-run")).to_have_text("iris-train")
    expect(version.locator('[data-metric="accuracy"]')).to_contain_text("0.96")
    expect(version.locator('[data-metric="f1"]')).to_contain_text("0.95")
    expect(version.locator(".mlops-AliasChip")).to_have_text("@champion")
    expect(detail.locator('tr[data-alias="champion"]')).to_contain_text("version 1")

    # The signature and input example come from the version's MLmodel
    shown = detail.locator('.mlops-ModelDetail-version[data-version="1"]')
    inputs = shown.locator('.mlops-Signature-table[data-part="inputs"]')
    expect(inputs).to_contain_text("petal length (cm)")
    expect(inputs).to_contain_text("double")
    expect(shown.locator('.mlops-Signature-table[data-part="outputs"]')).to_be_visible()
    example = shown.locator(".mlops-Example-table")
    expect(example.locator("th")).to_have_text(["petal length (cm)", "petal width (cm)"])
    expect(example.locator("tbody tr")).to_have_count(2)
    expect(shown.locator(".mlops-VersionDetails-flavors")).to_contain_text("sklearn")

    # "Load this model" loads it by its alias, with our API or MLflow's, and copies
    snippet = detail.locator(".mlops-ModelLoad-code")
    expect(snippet).to_contain_text(f'mlops.load_model("models:/{MODEL}@champion")')
    expect(snippet).to_contain_text(f'mlflow.pyfunc.load_model("models:/{MODEL}@champion")')
    detail.locator(".mlops-ModelLoad-copy").click()
    expect(detail.locator(".mlops-ModelLoad-copy")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert f'mlops.load_model("models:/{MODEL}@champion")' in copied, copied

    # Lineage: the run, the dataset it trained on, the logged model
    lineage = shown.locator(".mlops-Lineage")
    expect(lineage.locator(".mlops-Lineage-dataset")).to_contain_text("iris-petals")
    expect(lineage.locator(".mlops-Lineage-dataset")).to_contain_text("training")
    expect(lineage.locator(".mlops-Lineage-model")).to_have_text(mlops_iris_model["model_id"])
    # The page fits its pane: wide tables scroll in their own box, not the page
    pane = page.locator(".mlops-RegistryView-detail")
    assert pane.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "page scrolls sideways"
    mlops_screenshot(page, "model-page.png")
    # Chips, links and code read in both themes (WCAG AA for text: 4.5)
    readable = [
        version.locator(".mlops-AliasChip"),
        version.locator(".mlops-VersionsTable-run"),
        lineage.locator(".mlops-Lineage-model"),
        inputs.locator("th").first,
        snippet,
    ]
    for theme in ("JupyterLab Dark", "JupyterLab Light"):
        choose_theme(page, theme)
        for element in readable:
            contrast = element.evaluate(_CONTRAST_JS)
            assert contrast >= 4.5, f"{theme}: {element} has contrast {contrast:.2f}"
        if theme == "JupyterLab Dark":
            shown.scroll_into_view_if_needed()
            mlops_screenshot(page, "model-page-dark.png")
    lineage.locator(".mlops-Lineage-run").click()
    expect(
        page.locator(f'.mlops-RunView[data-run-id="{mlops_iris_model["run_id"]}"]')
    ).to_be_visible()

    # The user describes the model, leaves the registry and comes back: it stayed
    close_mlops_tabs(page)
    detail = _open_model(page)
    detail.locator(".mlops-ModelDescription-edit").click()
    detail.locator(".mlops-ModelDescription-input").fill(DESCRIPTION)
    detail.get_by_role("button", name="Save").click()
    expect(detail.locator(".mlops-ModelDescription-text")).to_have_text(DESCRIPTION)
    close_mlops_tabs(page)
    detail = _open_model(page)
    expect(detail.locator(".mlops-ModelDescription-text")).to_have_text(DESCRIPTION)
    stored = mlops_lab.api("GET", f"registered-models/{MODEL}")["registered_model"]
    assert stored["description"] == DESCRIPTION
