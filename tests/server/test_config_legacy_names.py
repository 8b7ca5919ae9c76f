"""The settings' old flat names (``c.MlopsExtension.notebook_images``, now
``c.NotebookServers.images``) keep working for one release, each with one deprecation
warning in the server's log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from traitlets.config import Config

from jupyter_mlops.config import SETTINGS_CLASSES
from jupyter_mlops.config.legacy import LEGACY_NAMES, migrate_legacy_names

LOGGER = "mlops-test-legacy-names"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "deprecated" in record.getMessage()
    ]


def test_every_old_name_has_a_setting_at_its_new_home() -> None:
    classes = {cls.__name__: cls for cls in SETTINGS_CLASSES}
    for old, (section, new) in LEGACY_NAMES.items():
        assert new in classes[section].class_own_traits(config=True), old


def test_an_old_name_moves_to_its_new_section_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = Config({"MlopsExtension": {"notebook_images": ["lab:1"], "admin_users": {"a"}}})

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        found = migrate_legacy_names(config, logging.getLogger(LOGGER))

    assert found == ["notebook_images"]
    assert config.NotebookServers.images == ["lab:1"]
    assert _warnings(caplog) == [
        "MlopsExtension.notebook_images is deprecated: use NotebookServers.images "
        "(the old name goes in the next release)"
    ]


def test_a_new_name_wins_over_its_old_one(caplog: pytest.LogCaptureFixture) -> None:
    config = Config(
        {
            "MlopsExtension": {
                "kube_context": "old",
                "pipeline_parallelism": 2,
                "Pipelines": {"parallelism": 5},
            },
            "Kube": {"context": "new"},
        }
    )

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        migrate_legacy_names(config, logging.getLogger(LOGGER))

    assert config.Kube.context == "new"
    assert config.MlopsExtension.Pipelines.parallelism == 5
    assert "Pipelines" not in config or "parallelism" not in config["Pipelines"]
    assert len(_warnings(caplog)) == 2
    assert all("ignored" in message for message in _warnings(caplog))


@pytest.mark.parametrize(
    "mlops_extension_config",
    [{"notebook_images": ["example/lab:1"], "pipeline_parallelism": 3, "kube_context": "team"}],
)
async def test_a_server_configured_with_old_names_uses_them(jp_serverapp: Any) -> None:
    # The warnings are the migration's (above): the extension's logger is an Application's,
    # configured while the server starts, out of pytest's reach.
    extension = jp_serverapp.extension_manager.extension_points["jupyter_mlops"].app

    assert extension.notebook_servers.images == ["example/lab:1"]
    assert extension.pipelines.parallelism == 3
    assert extension.kube.context == "team"


@pytest.mark.parametrize(
    "mlops_extension_config",
    [{"NotebookServers": {"images": ["example/lab:2"]}, "Pipelines": {"parallelism": 2}}],
)
async def test_the_new_names_reach_the_settings_objects(jp_serverapp: Any) -> None:
    extension = jp_serverapp.extension_manager.extension_points["jupyter_mlops"].app
    service = jp_serverapp.web_app.settings["mlops_notebook_service"]

    assert [option.image for option in service.options.images] == ["example/lab:2"]
    assert extension.pipelines.parallelism == 2


@pytest.mark.parametrize(
    "jp_argv",
    [["--Pipelines.parallelism=6", '--MlopsExtension.notebook_quotas={"default": {"servers": 1}}']],
)
async def test_new_and_old_names_work_on_the_command_line(jp_serverapp: Any) -> None:
    extension = jp_serverapp.extension_manager.extension_points["jupyter_mlops"].app

    assert extension.pipelines.parallelism == 6
    assert extension.notebook_servers.quotas == {"default": {"servers": 1}}
