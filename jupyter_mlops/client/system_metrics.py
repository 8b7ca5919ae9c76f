"""System metrics of a run: CPU, memory, disk, network and NVIDIA GPUs, sampled in the
background every few seconds and logged as ``system/...`` metrics (MLflow's names).

Turned on per run with ``start_run(system_metrics=True)`` (or ``%track start
--system-metrics``), or for every run with ``JUPYTER_MLOPS_SYSTEM_METRICS=true``. CPU,
memory, disk and network come from psutil; GPU utilisation and memory from NVIDIA's
management library (``pip install nvidia-ml-py``), only where it is importable and finds
a driver. Samples go through the same background batcher as ``log_metric``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..tracking.entities import Metric

log = logging.getLogger(__name__)

ENV_ENABLED = "JUPYTER_MLOPS_SYSTEM_METRICS"
ENV_INTERVAL = "JUPYTER_MLOPS_SYSTEM_METRICS_INTERVAL"
DEFAULT_INTERVAL_S = 5.0
MIN_INTERVAL_S = 0.1
PREFIX = "system/"
_MB = 1024 * 1024

#: Receives one sample's points.
MetricSink = Callable[[Sequence[Metric]], None]


def enabled_by_default() -> bool:
    """``JUPYTER_MLOPS_SYSTEM_METRICS`` says whether runs sample system metrics unasked."""
    return os.environ.get(ENV_ENABLED, "").strip().lower() in ("1", "true", "yes", "on")


def default_interval() -> float:
    raw = os.environ.get(ENV_INTERVAL)
    try:
        value = float(raw) if raw else DEFAULT_INTERVAL_S
    except ValueError:
        log.warning(
            "jupyter-mlops: %s=%r is not a number; using %s", ENV_INTERVAL, raw, DEFAULT_INTERVAL_S
        )
        return DEFAULT_INTERVAL_S
    return max(MIN_INTERVAL_S, value)


class _GpuReader:
    """NVIDIA GPUs through pynvml; reads nothing when the library or a driver is missing."""

    def __init__(self) -> None:
        self._nvml: Any = None
        self._handles: list[Any] = []
        try:
            import pynvml

            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
            self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
            self._nvml = pynvml
        except Exception:  # ImportError, or NVMLError without a driver: no GPU metrics
            self._handles = []

    @property
    def available(self) -> bool:
        return bool(self._handles)

    def read(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for index, handle in enumerate(self._handles):
            try:
                util = self._nvml.nvmlDeviceGetUtilizationRates(handle)
                memory = self._nvml.nvmlDeviceGetMemoryInfo(handle)
            except Exception:  # a GPU that fell off the bus must not stop the others
                continue
            name = f"{PREFIX}gpu_{index}_"
            values[name + "utilization_percentage"] = float(util.gpu)
            values[name + "memory_usage_megabytes"] = memory.used / _MB
            values[name + "memory_usage_percentage"] = 100.0 * memory.used / memory.total
        return values

    def close(self) -> None:
        if self._nvml is not None:
            with contextlib.suppress(Exception):  # shutting down a library that failed
                self._nvml.nvmlShutdown()


def read_system_metrics(disk_path: str = os.sep) -> dict[str, float]:
    """One reading of CPU, memory, disk and network (cumulative since boot) counters."""
    import psutil

    memory = psutil.virtual_memory()
    disk = psutil.disk_usage(disk_path)
    values = {
        # Since the previous call in this process (the sampler calls it every interval).
        PREFIX + "cpu_utilization_percentage": psutil.cpu_percent(interval=None),
        PREFIX + "system_memory_usage_megabytes": (memory.total - memory.available) / _MB,
        PREFIX + "system_memory_usage_percentage": memory.percent,
        PREFIX + "disk_usage_percentage": disk.percent,
        PREFIX + "disk_usage_megabytes": disk.used / _MB,
        PREFIX + "disk_available_megabytes": disk.free / _MB,
    }
    network = psutil.net_io_counters()
    if network is not None:
        values[PREFIX + "network_receive_megabytes"] = network.bytes_recv / _MB
        values[PREFIX + "network_transmit_megabytes"] = network.bytes_sent / _MB
    return values


class SystemMetricsSampler:
    """A daemon thread that hands a sample to ``sink`` every ``interval`` seconds (the
    first after at most half a second), with the sample number as the step, until
    ``stop()``."""

    def __init__(self, sink: MetricSink, interval: float | None = None) -> None:
        self.interval = default_interval() if interval is None else max(MIN_INTERVAL_S, interval)
        self._sink = sink
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.samples = 0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name="jupyter-mlops-system-metrics", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling; returns once the thread is done (its last sample handed over)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def _run(self) -> None:
        import psutil

        gpus = _GpuReader()
        psutil.cpu_percent(interval=None)  # the first call only starts the CPU counter
        network_start = read_system_metrics()
        try:
            # A short first wait, so that even a short run gets a meaningful CPU sample.
            wait = min(self.interval, 0.5)
            while not self._stop.wait(wait):
                wait = self.interval
                self._sample(gpus, network_start)
        finally:
            gpus.close()

    def _sample(self, gpus: _GpuReader, start: dict[str, float]) -> None:
        try:
            values = read_system_metrics()
            for key in ("network_receive_megabytes", "network_transmit_megabytes"):
                name = PREFIX + key
                if name in values and name in start:  # traffic during the run
                    values[name] -= start[name]
            values.update(gpus.read())
        except Exception:
            log.exception("jupyter-mlops: reading system metrics failed")
            return
        stamp = int(time.time() * 1000)
        points = [Metric(key, float(value), stamp, self.samples) for key, value in values.items()]
        self.samples += 1
        try:
            self._sink(points)
        except Exception as err:  # the run's own log_metric calls will report it
            log.warning("jupyter-mlops: system metrics not logged: %s", err)
