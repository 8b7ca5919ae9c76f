"""Stops idle notebook servers, and the monitor that keeps statuses current.

Each cycle asks every running server for ``/api/status``, ``/api/kernels`` and
``/api/terminals`` (with ``no_track_activity`` so that asking is not activity). A busy or
starting kernel, or an open terminal, is activity now; otherwise the last activity is the
latest of the server's own ``last_activity`` and its kernels'. A server idle longer than
its timeout (or older than the maximum age) is stopped, never deleted, and the last
activity is recorded. HTTP is asynchronous (tornado's client); store and backend calls go
to the thread pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from .backends.base import Upstream
from .entities import NotebookServer
from .service import NotebookService

log = logging.getLogger(__name__)
T = TypeVar("T")


def _ms(text: str | None) -> int:
    if not text:
        return 0
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return 0


@dataclass(frozen=True)
class Activity:
    last_activity: int  # ms
    busy: bool
    kernels: int
    terminals: int


class Culler:
    def __init__(
        self,
        service: NotebookService,
        executor: Executor,
        *,
        max_age_s: int = 0,
        request_timeout_s: float = 10.0,
    ) -> None:
        self.service = service
        self.executor = executor
        self.max_age_s = max_age_s
        self.request_timeout_s = request_timeout_s

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args))

    async def _get(self, upstream: Upstream, path: str) -> Any:
        headers = {"Authorization": f"token {upstream.token}"} if upstream.token else {}
        response = await AsyncHTTPClient().fetch(
            f"{upstream.url}{path}?no_track_activity=1",
            headers=headers,
            request_timeout=self.request_timeout_s,
        )
        return json.loads(response.body)

    async def probe(self, upstream: Upstream) -> Activity:
        now = int(time.time() * 1000)
        status = await self._get(upstream, "api/status")
        kernels = await self._get(upstream, "api/kernels")
        try:
            terminals = await self._get(upstream, "api/terminals")
        except HTTPClientError as exc:
            if exc.code != 404:  # a server without terminals
                raise
            terminals = []
        busy = any(k.get("execution_state") not in ("idle", None) for k in kernels) or bool(
            terminals
        )
        latest = max(
            [_ms(status.get("last_activity")), *(_ms(k.get("last_activity")) for k in kernels)]
        )
        return Activity(now if busy else latest, busy, len(kernels), len(terminals))

    async def cull_once(self) -> list[str]:
        """One cycle; returns ``owner/name`` of the servers it stopped."""
        culled = []
        now = int(time.time() * 1000)
        for server, upstream in await self._run(self.service.running_servers):
            try:
                activity = await self.probe(upstream)
            except Exception as exc:  # unreachable: the monitor will notice; no cull on no data
                log.info("culler: %s/%s does not answer: %s", server.owner, server.name, exc)
                continue
            last = max(activity.last_activity, server.started_at or 0)
            await self._run(self.service.record_activity, server.owner, server.name, last)
            why = self._why(server, last, now)
            if why:
                log.info("culler: stopping %s/%s: %s", server.owner, server.name, why)
                await self._run(self.service.cull, server.owner, server.name, why)
                culled.append(f"{server.owner}/{server.name}")
        return culled

    def _why(self, server: NotebookServer, last_activity: int, now: int) -> str:
        timeout = self.service.cull_timeout_s(server)
        if timeout > 0 and now - last_activity > timeout * 1000:
            return f"idle for more than {timeout} s (culled)"
        if (
            self.max_age_s > 0
            and server.started_at
            and now - server.started_at > self.max_age_s * 1000
        ):
            return f"running for more than the maximum age of {self.max_age_s} s (culled)"
        return ""


class Supervisor:
    """Background loops of the extension: status monitor and culler."""

    def __init__(
        self,
        service: NotebookService,
        executor: Executor,
        culler: Culler,
        *,
        monitor_interval_s: float,
        cull_interval_s: float,
    ) -> None:
        self.service = service
        self.executor = executor
        self.culler = culler
        self.monitor_interval_s = monitor_interval_s
        self.cull_interval_s = cull_interval_s
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.ensure_future(self._monitor()),
            asyncio.ensure_future(self._cull()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _monitor(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.executor, self._reconcile)
        tick = 0
        while True:
            await asyncio.sleep(self.monitor_interval_s)
            tick += 1
            try:
                await loop.run_in_executor(
                    self.executor, self.service.refresh_active, tick % 15 == 0
                )
            except Exception:
                log.exception("notebook-server monitor")

    def _reconcile(self) -> None:
        try:
            counts = self.service.reconcile()
        except Exception:
            log.exception("reconciling notebook servers")
            return
        if counts:
            log.info("jupyter-mlops: notebook servers after reconciliation: %s", counts)

    async def _cull(self) -> None:
        if self.cull_interval_s <= 0:
            return
        while True:
            await asyncio.sleep(self.cull_interval_s)
            try:
                await self.culler.cull_once()
            except Exception:
                log.exception("notebook-server culler")
