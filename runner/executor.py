"""Running handlers on Ray: one pool of long-lived worker actors per handler group.

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
from collections.abc import Callable
from dataclasses import dataclass, field

import ray
import ray.exceptions

from .handler_config import HandlerGroupConfig
from .handler_io.data import DataSource
from .handlers import HANDLERS, HandlerInputError, HandlerResult, run_handler
from .handlers.registry import SORTING_GROUP
from .instances import end_processes, local_ray_processes
from .local_ray import OBJECT_STORE_BYTES, RayStart, local_ray_options
from .sorting_executor import SortingFailed, SortingJobs

logger = logging.getLogger(__name__)

# A worker holds SpikeInterface, numba and its loaded data: ~350 MB idle, up to ~1 GB with a large recording's
# windows. The default total leaves room for that per worker, and one worker per CPU (plus one).
WORKER_MEMORY_BYTES = 1024**3
MAX_WORKERS_ENV = "SORTINGVIEW_MAX_WORKERS"
# With every worker of the runner started, a group may take the place of another group's worker idle this long.
EVICT_AFTER_IDLE_SECONDS = 2.0
# How often idle workers are looked at for retirement, at most.
RETIRE_CHECK_SECONDS = 30.0

# Groups in the order their first worker is started: what a traces page asks for next (after the recording's
# info), then what a curator's first merge needs.
WARM_UP_ORDER = ("timeseries", "correlograms", "waveforms", "misc", "metrics", "extract_snippets", "clusters")


class TaskTimeout(Exception):
    """A handler ran longer than the request allowed."""


class WorkerDied(Exception):
    """The worker running a handler died (crash, out of memory, killed)."""


class HandlerFailed(Exception):
    """A handler raised; the message is the handler's."""


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


@ray.remote(num_cpus=0)
class HandlerWorker:
    """A Ray actor that runs handlers of one group, keeping loaded data between calls."""

    def __init__(self, journal_dir: str | None):
        self.data = DataSource(journal_dir=journal_dir)

    def run(self, task_name: str, task_input: dict) -> tuple[str, object]:
        # Input errors travel back as values: the web layer answers them 4xx, not as a crash.
        try:
            return "ok", run_handler(task_name, task_input, self.data)
        except HandlerInputError as e:
            return "input_error", str(e)

    def node_id(self) -> str:
        return ray.get_runtime_context().get_node_id()

    def pid(self) -> int:
        """The worker's process id (its memory is that process's)."""
        return os.getpid()


class WorkerGone(Exception):
    """The worker given a request was found dead before it started it (killed or crashed while idle)."""


class WorkerBudget:
    """How many workers all groups together may have started; makes room by retiring the least recently used idle one.

    Every group's pool takes a place here before it makes a worker and gives it back when the worker ends. When
    all places are taken, a new worker replaces an idle worker of another group; with none, the request waits
    (within its timeout) until a worker is released.
    """

    def __init__(self, max_workers: int):
        self.max_workers = max_workers
        self.pools: list[WorkerPool] = []
        self.count = 0
        self._waiters: list[asyncio.Future] = []

    def try_take(self) -> bool:
        """Take a place if one is free now."""
        if self.count < self.max_workers:
            self.count += 1
            return True
        return False

    def retire_one_idle(self, pool: WorkerPool, min_idle_seconds: float) -> bool:
        """Retire the least recently used idle worker of another group, if one has been idle long enough."""
        now = time.monotonic()
        idle = [(other.idle_since[w], other, w) for other in self.pools if other is not pool for w in other.idle]
        idle = [item for item in idle if now - item[0] >= min_idle_seconds]
        if not idle:
            return False
        _, other, worker = min(idle, key=lambda item: item[0])
        other.retire(worker)
        return True

    async def wait(self, deadline: float, what: str) -> None:
        """Wait until a worker is released or ends, at most until ``deadline`` (loop time)."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            raise TaskTimeout(
                f"{what}: all {self.max_workers} workers of this runner stayed busy until its timeout"
            ) from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def give_back(self) -> None:
        """A worker ended: its place is free."""
        self.count -= 1
        self.notify()

    def notify(self) -> None:
        """A place is free or a worker became idle: wake the requests waiting for a worker."""
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done() and not waiter.get_loop().is_closed():
                waiter.get_loop().call_soon_threadsafe(_set_if_pending, waiter)


def _set_if_pending(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)


class WorkerPool:
    """Up to ``num_workers`` actors of one group; a request takes an idle one and gives it back.

    A request goes to an idle worker that has already run (its imports done, its data loaded) before a
    new actor is made: a new one costs about a second and a half of start-up. New actors are made only
    while every existing one is busy, up to ``num_workers`` (and within the runner's :class:`WorkerBudget`).
    A worker found dead when given a request is replaced and the request runs on a fresh worker; workers idle
    for ``idle_seconds`` are retired, so that their memory returns.
    """

    def __init__(
        self,
        group: HandlerGroupConfig,
        make_worker: Callable[[], ray.actor.ActorHandle],
        budget: WorkerBudget | None = None,
    ):
        self.group = group
        self.make_worker = make_worker
        self.size = group.num_workers
        self.budget = budget or WorkerBudget(group.num_workers)
        self.budget.pools.append(self)
        self.idle: list = []  # started workers not running a request; the most recently used last
        self.idle_since: dict = {}  # idle worker -> time.monotonic() when it became idle
        self.busy: set = set()  # workers running a request now
        self.ready: set = set()  # started workers that have answered a call (their start-up is over)
        self._slots: asyncio.Semaphore | None = None  # made on the event loop that uses the pool
        self._slots_loop: asyncio.AbstractEventLoop | None = None

    def slots(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots_loop is not loop:
            # a pool driven from a new event loop (tests, benchmarks) starts with free slots
            self._slots, self._slots_loop = asyncio.Semaphore(self.size), loop
        return self._slots

    def prestart(self) -> ray.actor.ActorHandle | None:
        """Start one worker now if the pool has none and the budget has room; return it."""
        if self.idle or self.busy or not self.budget.try_take():
            return None
        worker = self.make_worker()
        self._set_idle(worker)
        return worker

    def workers(self) -> list:
        """The pool's started workers, idle or busy."""
        return [*self.idle, *self.busy]

    async def wait_ready(self, worker: ray.actor.ActorHandle) -> None:
        """Wait until a worker made by :meth:`prestart` has started (a worker that died starting is replaced on
        its group's next request)."""
        try:
            await worker.node_id.remote()
        except ray.exceptions.RayActorError:
            return
        if worker in self.workers():
            self.ready.add(worker)

    async def run(self, task_name: str, task_input: dict, timeout: float, total: float | None = None) -> HandlerResult:
        """Run a handler on a worker of this pool; ``timeout`` counts the time spent waiting for a worker.

        ``total`` is the request's whole timeout, named in messages, when part of it was spent before this call.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        total = timeout if total is None else total
        slots = self.slots()
        try:
            await asyncio.wait_for(slots.acquire(), timeout)
        except asyncio.TimeoutError:
            raise TaskTimeout(
                f"{task_name} did not start within {total:g} s: all {self.size} workers of the "
                f"{self.group.name} group stayed busy"
            ) from None
        try:
            try:
                status, value = await self._run_once(task_name, task_input, deadline, total, fresh=False)
            except WorkerGone:
                # Killed or crashed while idle: the request never ran, so it runs once more on a new worker.
                status, value = await self._run_once(task_name, task_input, deadline, total, fresh=True)
        finally:
            slots.release()
        if status == "input_error":
            raise HandlerInputError(value)
        return value

    async def _run_once(
        self, task_name: str, task_input: dict, deadline: float, total: float, fresh: bool
    ) -> tuple[str, object]:
        loop = asyncio.get_running_loop()
        worker = await self._acquire(deadline, task_name, fresh)
        self.busy.add(worker)
        timeout = deadline - loop.time()
        # Actor calls run in order: the probe answers only if the worker was alive just before the request.
        probe = worker.__ray_ready__.remote()
        try:
            if timeout <= 0:
                raise asyncio.TimeoutError
            status, value = await asyncio.wait_for(worker.run.remote(task_name, task_input), timeout)
        except asyncio.TimeoutError:
            self._discard(worker)  # a running actor call cannot be interrupted; a fresh worker replaces it
            raise TaskTimeout(f"{task_name} did not finish within {total:g} s (time queued included)") from None
        except asyncio.CancelledError:
            self._discard(worker)  # cancelled by the client: stop the work, not just the wait
            raise
        except ray.exceptions.RayActorError as e:
            self._discard(worker)
            if not fresh and await _died_before(probe):
                raise WorkerGone() from None
            raise WorkerDied(f"the worker running {task_name} died: {first_line(e)}") from None
        except ray.exceptions.RayTaskError as e:
            self._release(worker)
            cause = e.cause if isinstance(e.cause, BaseException) else e
            raise HandlerFailed(f"{task_name} failed: {type(cause).__name__}: {cause}") from None
        self._release(worker)
        return status, value

    async def _acquire(self, deadline: float, task_name: str, fresh: bool) -> ray.actor.ActorHandle:
        """An idle worker of this group, else a new one within the budget, else wait for one (until ``deadline``)."""
        while True:
            worker = None if fresh else self._take_idle()
            if worker is not None:
                return worker
            if self.budget.try_take():
                try:
                    return self.make_worker()
                except BaseException:
                    self.budget.give_back()
                    raise
            # Take another group's place when this group has no worker at all, or from a worker idle for a while;
            # not from one that just finished: two busy groups would take turns restarting each other's workers.
            min_idle = 0.0 if fresh or not self.workers() else EVICT_AFTER_IDLE_SECONDS
            if self.budget.retire_one_idle(self, min_idle):
                continue
            await self.budget.wait(deadline, task_name)

    def _take_idle(self) -> ray.actor.ActorHandle | None:
        if not self.idle:
            return None
        worker = self.idle.pop()
        self.idle_since.pop(worker, None)
        return worker

    def _set_idle(self, worker: ray.actor.ActorHandle) -> None:
        self.idle.append(worker)
        self.idle_since[worker] = time.monotonic()

    def _release(self, worker: ray.actor.ActorHandle) -> None:
        self.busy.discard(worker)
        self.ready.add(worker)
        self._set_idle(worker)
        self.budget.notify()

    def _discard(self, worker: ray.actor.ActorHandle) -> None:
        self.busy.discard(worker)
        self.ready.discard(worker)
        ray.kill(worker)
        self.budget.give_back()

    def retire(self, worker: ray.actor.ActorHandle) -> None:
        """End an idle worker (its memory returns to the machine)."""
        self.idle.remove(worker)
        self.idle_since.pop(worker, None)
        self.ready.discard(worker)
        ray.kill(worker)
        self.budget.give_back()

    def retire_idle(self, now: float | None = None) -> int:
        """Retire the workers idle for ``idle_seconds`` or more; return how many."""
        now = time.monotonic() if now is None else now
        old = [w for w in self.idle if now - self.idle_since[w] >= self.group.idle_seconds]
        for worker in old:
            self.retire(worker)
        return len(old)


async def _died_before(probe: ray.ObjectRef) -> bool:
    """Whether a worker's probe, sent just before a request, failed: the worker was dead before the request ran."""
    try:
        await asyncio.wait_for(probe, 5.0)
    except ray.exceptions.RayActorError:
        return True
    except Exception:
        return False
    return False


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


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


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
