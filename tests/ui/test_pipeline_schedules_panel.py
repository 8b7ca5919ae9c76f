"""Pipeline schedules in a real JupyterLab: schedule a pipeline from the panel's form (a
bad cron is refused next to its field), see it listed with its next fire time, pause it,
delete it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import Page, expect

from .lab_actions import run_command
from .lab_server import LabServer

PIPELINE_FILE = """
import jupyter_mlops as mlops


@mlops.step
def report(days: int) -> str:
    return f"report over {days} days"


@mlops.pipeline
def nightly_report(days: int = 7):
    return report(days=days)
"""


def _next_3am_utc(now: datetime) -> datetime:
    today = now.replace(hour=3, minute=0, second=0, microsecond=0)
    return today if today > now else today + timedelta(days=1)


def _iso(milliseconds: int) -> str:
    """As JavaScript's Date.toISOString writes it."""
    moment = datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{milliseconds % 1000:03d}Z"


def test_schedule_from_the_panel_is_listed_paused_and_deleted(
    mlops_page: Page, mlops_lab: LabServer, mlops_screenshot: Callable[[Page, str], Path]
) -> None:
    page = mlops_page
    (mlops_lab.root / "ui_schedules.py").write_text(PIPELINE_FILE)
    run_command(page, "Open MLOps Pipelines")
    panel = page.locator(".jp-mlops-pipelines")
    panel.get_by_label("Pipeline file").fill("ui_schedules.py")
    panel.locator(".jp-mlops-load").click()
    form = panel.locator(".jp-mlops-submit-form")
    # Compiling imports the file in a subprocess: allow for a loaded machine.
    expect(form.locator("input[name=days]")).to_have_value("7", timeout=60_000)

    # The same form as "Run now", in Schedule mode: cron (read back in words) and policy.
    form.get_by_label("Schedule", exact=True).check()
    cron = form.locator("input[name=cron]")
    cron.fill("61 * * * *")
    form.locator(".jp-mlops-schedule").click()
    refused = form.locator(".jp-mlops-field-error[data-field=cron]")
    expect(refused).to_contain_text("not a valid cron expression")
    assert mlops_lab.api("GET", "pipeline-schedules")["schedules"] == []

    cron.fill("0 3 * * *")
    expect(form.locator(".jp-mlops-cron-words")).to_have_text("every day at 03:00 UTC")
    form.locator("select[name=policy]").select_option("queue")
    form.locator("input[name=days]").fill("30")
    mlops_screenshot(page, "pipelines-schedule-form.png")
    form.locator(".jp-mlops-schedule").click()

    # The schedules view opens with it: pipeline, cron in words, next fire time, policy.
    view = page.locator(".jp-mlops-schedules")
    expect(view).to_be_visible()
    row = view.locator(".jp-mlops-schedule-row")
    expect(row).to_have_count(1)
    [created] = mlops_lab.api("GET", "pipeline-schedules")["schedules"]
    assert created["arguments"] == {"days": 30} and created["policy"] == "queue"
    assert created["next_fire_time"] == int(
        _next_3am_utc(datetime.now(timezone.utc)).timestamp() * 1000
    )
    expect(row).to_have_attribute("data-schedule-id", created["schedule_id"])
    # Pipeline names are DNS-style: nightly_report is called nightly-report.
    expect(row.locator(".jp-mlops-schedule-name")).to_have_text("nightly-report")
    expect(row.locator(".jp-mlops-schedule-cron")).to_contain_text("every day at 03:00 UTC")
    next_fire = row.locator(".jp-mlops-schedule-next time")
    expect(next_fire).to_have_attribute("datetime", _iso(created["next_fire_time"]))
    expect(row.locator(".jp-mlops-schedule-next small")).to_have_text(re.compile(r"^in \d"))
    expect(row.locator(".jp-mlops-schedule-policy")).to_have_text("queue")
    expect(row.locator(".jp-mlops-schedule-state")).to_have_text("enabled")
    expect(row.locator(".jp-mlops-schedule-last-run")).to_have_text("none yet")
    mlops_screenshot(page, "pipelines-schedules.png")

    # Pause: the server stops firing it, and the row says so.
    row.locator(".jp-mlops-toggle-schedule").click()
    expect(row.locator(".jp-mlops-schedule-state")).to_have_text("paused")
    expect(row.locator(".jp-mlops-toggle-schedule")).to_have_text("Resume")
    expect(row.locator(".jp-mlops-schedule-next")).to_have_text("—")
    schedule_id = created["schedule_id"]
    assert mlops_lab.api("GET", f"pipeline-schedules/{schedule_id}")["schedule"]["enabled"] is False

    # The panel's Schedules button opens the view again, read afresh from the server.
    page.locator(".lm-TabBar-tab", has_text="Pipeline schedules").locator(
        ".lm-TabBar-tabCloseIcon"
    ).click()
    expect(view).to_have_count(0)
    panel.locator(".jp-mlops-open-schedules").click()
    row = page.locator(".jp-mlops-schedules .jp-mlops-schedule-row")
    expect(row.locator(".jp-mlops-schedule-state")).to_have_text("paused")

    # Delete, once confirmed.
    row.locator(".jp-mlops-delete-schedule").click()
    row.locator(".jp-mlops-confirm-delete").click()
    expect(view.locator(".jp-mlops-schedule-row")).to_have_count(0)
    expect(view.locator(".jp-mlops-hint")).to_contain_text("No schedules yet")
    assert mlops_lab.api("GET", "pipeline-schedules")["schedules"] == []
