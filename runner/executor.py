"""Running handlers on Ray: one pool of long-lived worker actors per handler group (``worker_pool.py``).

Ray starts when the runner starts, in the background, with one worker (:meth:`RayExecutor.start_ahead`), or
else on the first compute request: a local instance sized by configuration, or an existing cluster given by
``--ray-address`` / ``RAY_ADDRESS``. Workers keep loaded recordings and sortings warm between requests; they
reach data only through URIs.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import os
import threading
import time
from dataclasses import dataclass, field

import ray
import ray.exceptions

from .handler_config import HandlerGroupConfig
from .handlers import HANDLERS, HandlerResult
from .handlers.registry import SORTING_GROUP
from .instances import end_processes, local_ray_processes
from .local_ray import OBJECT_STORE_BYTES, RayStart, local_ray_options
from .sorting_executor import SortingFailed, SortingJobs
from .worker_pool import (
    HandlerFailed,
    HandlerWorker,
    TaskTimeout,
    WorkerBudget,
    WorkerDied,
    WorkerPool,
    first_line,
)

logger = logging.getLogger(__name__)

# A worker holds SpikeInterface, numba and its loaded data: ~350 MB idle, up to ~1 GB with a large recording's
# windows. The default total leaves room for that per worker, and one worker per CPU (plus one).
WORKER_MEMORY_BYTES = 1024**3
MAX_WORKERS_ENV = "SORTINGVIEW_MAX_WORKERS"
# How often idle workers are looked at for retirement, at most.
RETIRE_CHECK_SECONDS = 30.0

# Groups in the order their first worker is started: what a traces page asks for next (after the recording's
# info), then what a curator's first merge needs.
WARM_UP_ORDER = ("timeseries", "correlograms", "waveforms", "misc", "metrics", "extract_snippets", "clusters")


@dataclass
class RayOptions:
    """How the runner reaches Ray.

    Attributes
    ----------
    address : str | None
        An existing cluster (``ray start`` address or ``auto``); None starts a local instance.
    num_cpus : int | None
        CPUs of the local instance (ignored with an address).
    object_store_memory : int | None
        Bytes of the local object store (ignored with an address).
    worker_env : dict
        Environment of the workers (e.g. where the store is, how to reach the runner's files).
    resources : dict
        Custom resources each worker requires, to pin work to nodes (e.g. ``{"data_node": 0.01}``).
    prestart : bool
        On the first request, also start one worker of every other handler group, in the background:
        a page's next requests (traces, correlograms, waveforms) then find their workers started.
    """

    address: str | None = None
    num_cpus: int | None = None
    object_store_memory: int | None = OBJECT_STORE_BYTES
    worker_env: dict[str, str] = field(default_factory=dict)
    resources: dict[str, float] = field(default_factory=dict)
    prestart: bool = True


def ray_init_options(options: RayOptions) -> dict:
    """The ``ray.init`` keyword arguments for ``options``: connect to its cluster, or start a local Ray."""
    if options.address:
        return {
            "address": options.address,
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": False,
        }
    return local_ray_options(options.num_cpus, options.object_store_memory)


def release_free_memory() -> None:
    """Give memory freed by this process back to the system (glibc keeps it otherwise; a no-op elsewhere).

    After 200 clients for 60 s, the runner's own RSS stayed 12% above its idle size until this was called.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def configured_max_workers() -> int | None:
    """The total of workers set by ``$SORTINGVIEW_MAX_WORKERS``, or None to size it from the cluster."""
    text = os.environ.get(MAX_WORKERS_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{MAX_WORKERS_ENV} must be a whole number of workers of at least 1, got {text!r}")
    return int(text)


def default_max_workers(resources: dict[str, float]) -> int:
    """Workers all groups may start together on a cluster with these Ray resources: a CPU each (plus one), and
    the memory a loaded worker needs (``WORKER_MEMORY_BYTES``); at least 2.

    On a 2-core machine that is 3 workers (7 groups of 4 workers each reached 24 workers and 8.5 GB there).
    """
    cpus = int(resources.get("CPU", os.cpu_count() or 1))
    by_memory = int(resources.get("memory", 0) // WORKER_MEMORY_BYTES) or cpus + 1
    return max(2, min(cpus + 1, by_memory))


def last_log_lines(log: str, count: int = 40) -> str:
    """The end of a log, for an error message."""
    return "\n".join(log.rstrip().splitlines()[-count:])


class RayExecutor:
    """Runs handlers as calls to per-group worker pools on Ray, starting Ray on first use.

    ``ray_start`` is a start of the local Ray already begun (the runner begins it before loading the rest); the
    executor owns it as if it had begun it, and stops that Ray at :meth:`shutdown`.
    """

    def __init__(
        self,
        groups: dict[str, HandlerGroupConfig],
        options: RayOptions | None = None,
        journal_dir: str | None = None,
        max_workers: int | None = None,
        ray_start: RayStart | None = None,
    ):
        self.groups = groups
        self.journal_dir = journal_dir
        self.options = options or RayOptions()
        # None: sized from the cluster's CPUs and memory once Ray is up (see default_max_workers)
        self.max_workers = max_workers or configured_max_workers()
        self.budget = WorkerBudget(self.max_workers or sum(g.num_workers for g in groups.values()))
        # Pools hold no actors until used: Ray is not needed to make them.
        self.pools = {name: WorkerPool(config, self.make_worker, self.budget) for name, config in groups.items()}
        self.sorting = SortingJobs(self)
        self._init_lock = threading.Lock()
        # The start of the Ray this executor owns (and stops at shutdown); None until started, or if it uses
        # a Ray someone else started.
        self._ray_start = ray_start
        self.warm_up: asyncio.Task | None = None
        self.retirement: asyncio.Task | None = None

    def ensure_ray(self) -> None:
        """Connect to (or start) Ray once, on a thread of its own (``runner.local_ray``); safe from several threads.

        A start the runner began early (``ray_start``) is waited for; one that failed is tried again.
        """
        with self._init_lock:
            if self._ray_start is None or self._ray_start.failure is not None:
                if ray.is_initialized():
                    return  # someone else's Ray (a test's, a driver's): used, never stopped here
                self._ray_start = RayStart(ray_init_options(self.options))
            self._ray_start.wait()

    def make_worker(self) -> ray.actor.ActorHandle:
        options: dict = {"max_concurrency": 1}
        if self.options.worker_env:
            # per actor, so it holds whoever started Ray (this runner, a test, a cluster's head)
            options["runtime_env"] = {"env_vars": dict(self.options.worker_env)}
        if self.options.resources:
            options["resources"] = dict(self.options.resources)
        return HandlerWorker.options(**options).remote(self.journal_dir)

    async def run(
        self, task_name: str, task_input: dict, timeout: float, job_id: str = "", progress: dict | None = None
    ) -> HandlerResult:
        """Run a handler by name on its group's pool and return its result.

        ``timeout`` counts from this call: starting Ray and waiting for a worker are part of it. A sorting job
        (or a sorting summary) runs as a Ray task of its own (``runner.sorting_executor``) and reports into ``progress`` as it goes.
        """
        started = time.monotonic()
        group = HANDLERS[task_name].group
        await self.start_ray()
        if group == SORTING_GROUP:
            return await self.run_sorting(task_name, task_input, timeout, job_id, {} if progress is None else progress)
        if self.options.prestart and self.warm_up is None:
            self.warm_up = asyncio.create_task(self.start_workers(skip=group))
        self._keep_retiring()
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            raise TaskTimeout(f"{task_name} did not start within {timeout:g} s (Ray was starting)")
        return await self.pools[group].run(task_name, task_input, remaining, total=timeout)

    async def start_ray(self) -> None:
        """Start (or connect to) Ray if that is not done yet, and size the worker budget from its cluster."""
        if not ray.is_initialized():
            await asyncio.to_thread(self.ensure_ray)
        if self.max_workers is None:
            self.max_workers = self.budget.max_workers = default_max_workers(ray.cluster_resources())

    async def start_ahead(self, group: str = WARM_UP_ORDER[0]) -> None:
        """Start Ray and one worker of ``group`` now, before any request needs them.

        The runner calls it when it starts serving, so that a page opened a few seconds later finds Ray and its
        first worker ready (a first traces window took ~4.4 s with both started on demand). One worker only:
        each holds ~200 MB; the other groups' workers start on their first request, or with the first request on
        machines of more than 2 CPUs (``RayOptions.prestart``). A failure is logged, not raised: the first
        request starts Ray again and reports what is wrong.
        """
        try:
            await self.start_ray()
            self._keep_retiring()
            worker = self.pools[group].prestart()
            if worker is not None:
                await self.pools[group].wait_ready(worker)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            logger.warning("Ray did not start ahead of the first request (it is tried again then): %s", e)

    def ray_status(self) -> str:
        """``"ready"``, ``"starting"`` (being started or connected to) or ``"not started"``."""
        if ray.is_initialized():
            return "ready"
        starting = self._init_lock.locked() or (self._ray_start is not None and self._ray_start.starting)
        return "starting" if starting else "not started"

    def ready_worker_count(self) -> int:
        """Workers, in every group, that have started and answered."""
        return sum(len(pool.ready) for pool in self.pools.values())

    async def run_sorting(
        self, task_name: str, task_input: dict, timeout: float, job_id: str, progress: dict
    ) -> HandlerResult:
        """Run a long job (sorting, summary); its failures become the executor's errors (the sorter's log in the message)."""
        try:
            return await self.sorting.run(task_input, timeout, job_id, progress, task_name)
        except SortingFailed as e:
            raise HandlerFailed(f"{e}\n--- end of the sorter's log ---\n{last_log_lines(e.log)}") from None
        except TimeoutError as e:
            raise TaskTimeout(f"{task_name}: {e}") from None
        except ray.exceptions.RayTaskError as e:
            cause = e.cause if isinstance(e.cause, BaseException) else e
            raise HandlerFailed(f"{task_name} failed: {type(cause).__name__}: {cause}") from None
        except ray.exceptions.RayError as e:
            # Node deaths are retried by Ray; this is what is left when the retries ran out too.
            raise WorkerDied(f"the worker running {task_name} died: {first_line(e)}") from None

    def _keep_retiring(self) -> None:
        """Make sure idle workers are retired in the background, on the event loop that serves requests."""
        task = self.retirement
        loop = asyncio.get_running_loop()
        if task is None or task.done() or task.get_loop() is not loop:
            self.retirement = loop.create_task(self.retire_idle_workers())

    async def retire_idle_workers(self) -> None:
        """Retire workers idle for their group's ``idle_seconds``, for as long as the loop runs.

        Once the last worker has retired, the runner's own freed memory is handed back to the system too.
        """
        period = min(RETIRE_CHECK_SECONDS, *(g.idle_seconds / 2 for g in self.groups.values()))
        while True:
            await asyncio.sleep(period)
            retired = sum(pool.retire_idle() for pool in self.pools.values())
            if retired and self.worker_count() == 0:
                gc.collect()
                release_free_memory()

    def worker_count(self) -> int:
        """Workers started now, in every group."""
        return sum(len(pool.workers()) for pool in self.pools.values())

    async def start_workers(self, skip: str | None = None) -> None:
        """Start one worker of each group, one group at a time, so that a page's later requests find them ready.

        One at a time: a worker's start-up is mostly CPU (imports), and starting every group at once on a
        small machine slowed the request that started Ray by seconds.
        """
        order = [g for g in WARM_UP_ORDER if g in self.groups] + [g for g in self.groups if g not in WARM_UP_ORDER]
        for name in order:
            worker = None if name == skip else self.pools[name].prestart()
            if worker is not None:
                await self.pools[name].wait_ready(worker)

    def shutdown(self) -> None:
        """Disconnect from Ray; a local Ray started here is stopped with every process it started.

        Any of them still running after Ray's own shutdown is ended too: Ray's dashboard and runtime-env
        agents ignore SIGTERM, and outlive a raylet that did not stop them. A start still in progress (the runner
        stopped while starting Ray ahead) is waited for, then stopped the same way.
        """
        with self._init_lock:
            start, self._ray_start = self._ray_start, None
            if start is None:
                return
            try:
                start.wait()
            except BaseException:
                return  # it never came up: nothing to stop
            ray_processes = [] if self.options.address else local_ray_processes()
            ray.shutdown(wait_for_processes=True)
            end_processes(ray_processes)
            start.release()  # its thread ends once Ray's processes are gone
