"""States of pipeline runs and of their steps (Kubeflow Pipelines' names)."""

from __future__ import annotations

# Runs
PENDING = "PENDING"
RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
CANCELING = "CANCELING"
CANCELED = "CANCELED"

RUN_STATES = (PENDING, RUNNING, SUCCEEDED, FAILED, CANCELING, CANCELED)
RUN_FINAL = frozenset({SUCCEEDED, FAILED, CANCELED})

# Steps: the run states plus two ways of not running.
SKIPPED = "SKIPPED"  # an upstream step failed, was canceled or was skipped
NOT_TRIGGERED = "NOT_TRIGGERED"  # its condition was false (or an upstream's was)

STEP_STATES = (PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED, NOT_TRIGGERED, CANCELED)
STEP_FINAL = frozenset({SUCCEEDED, FAILED, SKIPPED, NOT_TRIGGERED, CANCELED})
#: Step states that retry-from-failure runs again.
STEP_RETRYABLE = frozenset({FAILED, SKIPPED, CANCELED})
