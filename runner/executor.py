"""Running handlers on Ray: one pool of long-lived worker actors per handler group.

Ray starts on the first compute request (not at server start): a local instance sized by configuration,
or an existing cluster given by ``--address`` / ``RAY_ADDRESS``. Workers keep loaded recordings and
sortings warm between requests; they reach data only through URIs.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import ray
import ray.exceptions

from .handler_config import HandlerGroupConfig
from .handlers import HANDLERS, HandlerInputError, HandlerResult, run_handler
from .handlers.data import DataSource
from .instances import end_processes, local_ray_processes

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
    object_store_memory: int | None = 256 * 1024 * 1024
    worker_env: dict[str, str] = field(default_factory=dict)
    resources: dict[str, float] = field(default_factory=dict)
    prestart: bool = True


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


class WorkerPool:
    """Up to ``num_workers`` actors of one group; a request takes an idle one and gives it back.

    A request goes to an idle worker that has already run (its imports done, its data loaded) before a
    new actor is made: a new one costs about a second and a half of start-up. New actors are made only
    while every existing one is busy, up to ``num_workers``.
    """

    def __init__(self, group: HandlerGroupConfig, make_worker: Callable[[], ray.actor.ActorHandle]):
        self.group = group
        self.make_worker = make_worker
        self.size = group.num_workers
        self.idle: list = []  # started workers not running a request; the most recently used last
        self.busy: set = set()  # workers running a request now
        self._slots: asyncio.Semaphore | None = None  # made on the event loop that uses the pool

    def slots(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        return self._slots

    def prestart(self) -> ray.actor.ActorHandle | None:
        """Start one worker now if the pool has none, so that its first request waits less; return it."""
        if self.idle or self.busy:
            return None
        worker = self.make_worker()
        self.idle.append(worker)
        return worker

    def workers(self) -> list:
        """The pool's started workers, idle or busy."""
        return [*self.idle, *self.busy]

    async def run(self, task_name: str, task_input: dict, timeout: float) -> HandlerResult:
        async with self.slots():
            worker = self.idle.pop() if self.idle else self.make_worker()
            self.busy.add(worker)
            try:
                status, value = await asyncio.wait_for(worker.run.remote(task_name, task_input), timeout)
            except asyncio.TimeoutError:
                self._discard(worker)  # a running actor call cannot be interrupted; a fresh worker replaces it
                raise TaskTimeout(f"{task_name} did not finish within {timeout:g} s") from None
            except asyncio.CancelledError:
                self._discard(worker)  # cancelled by the client: stop the work, not just the wait
                raise
            except ray.exceptions.RayActorError as e:
                self.busy.discard(worker)
                raise WorkerDied(f"the worker running {task_name} died: {first_line(e)}") from None
            except ray.exceptions.RayTaskError as e:
                self._release(worker)
                cause = e.cause if isinstance(e.cause, BaseException) else e
                raise HandlerFailed(f"{task_name} failed: {type(cause).__name__}: {cause}") from None
            self._release(worker)
        if status == "input_error":
            raise HandlerInputError(value)
        return value

    def _release(self, worker: ray.actor.ActorHandle) -> None:
        self.busy.discard(worker)
        self.idle.append(worker)

    def _discard(self, worker: ray.actor.ActorHandle) -> None:
        self.busy.discard(worker)
        ray.kill(worker)


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


class RayExecutor:
    """Runs handlers as calls to per-group worker pools on Ray, starting Ray on first use."""

    def __init__(
        self,
        groups: dict[str, HandlerGroupConfig],
        options: RayOptions | None = None,
        journal_dir: str | None = None,
    ):
        self.groups = groups
        self.journal_dir = journal_dir
        self.options = options or RayOptions()
        # Pools hold no actors until used: Ray is not needed to make them.
        self.pools = {name: WorkerPool(config, self.make_worker) for name, config in groups.items()}
        self._init_lock = threading.Lock()
        self._started_ray = False
        self.warm_up: asyncio.Task | None = None

    def ensure_ray(self) -> None:
        """Connect to (or start) Ray once; safe to call from several threads.

        A local Ray is started from a thread of its own that lives until :meth:`shutdown`: Linux ties Ray's
        processes to the *thread* that started them (they get SIGKILL when it ends), and a request's thread
        (``asyncio.to_thread``) ends with the event loop, before Ray could be stopped in order; that killed
        Ray's raylet and left its agents and workers running without a parent.
        """
        with self._init_lock:
            if ray.is_initialized():
                return
            kwargs: dict = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
            if self.options.address:
                kwargs["address"] = self.options.address
            else:
                # Never attach to some other cluster by accident: RAY_ADDRESS is handled by the CLI.
                kwargs["address"] = "local"
                kwargs["num_cpus"] = self.options.num_cpus or os.cpu_count() or 1
                kwargs["object_store_memory"] = self.options.object_store_memory
                # Ray starts one idle worker per CPU for the first driver; ours run as actors with their own
                # environment, which those cannot serve (~80 MB each, never used).
                kwargs["_system_config"] = {"prestart_worker_first_driver": False}
            release, started = threading.Event(), threading.Event()
            failure: list[BaseException] = []

            def own_ray() -> None:
                try:
                    ray.init(**kwargs)
                except BaseException as e:  # raised below, in the caller's thread
                    failure.append(e)
                    return
                finally:
                    started.set()
                release.wait()

            # A daemon: a process that never calls shutdown still exits (Ray's atexit hook stops Ray then).
            threading.Thread(target=own_ray, name="ray-owner", daemon=True).start()
            started.wait()
            if failure:
                raise failure[0]
            self._ray_owner = release
            self._started_ray = True

    def make_worker(self) -> ray.actor.ActorHandle:
        options: dict = {"max_concurrency": 1}
        if self.options.worker_env:
            # per actor, so it holds whoever started Ray (this runner, a test, a cluster's head)
            options["runtime_env"] = {"env_vars": dict(self.options.worker_env)}
        if self.options.resources:
            options["resources"] = dict(self.options.resources)
        return HandlerWorker.options(**options).remote(self.journal_dir)

    async def run(self, task_name: str, task_input: dict, timeout: float) -> HandlerResult:
        """Run a handler by name on its group's pool and return its result."""
        group = HANDLERS[task_name].group
        if not ray.is_initialized():
            await asyncio.to_thread(self.ensure_ray)
        if self.options.prestart and self.warm_up is None:
            self.warm_up = asyncio.create_task(self.start_workers(skip=group))
        return await self.pools[group].run(task_name, task_input, timeout)

    async def start_workers(self, skip: str | None = None) -> None:
        """Start one worker of each group, one group at a time, so that a page's later requests find them ready.

        One at a time: a worker's start-up is mostly CPU (imports), and starting every group at once on a
        small machine slowed the request that started Ray by seconds.
        """
        order = [g for g in WARM_UP_ORDER if g in self.groups] + [g for g in self.groups if g not in WARM_UP_ORDER]
        for name in order:
            worker = None if name == skip else self.pools[name].prestart()
            if worker is None:
                continue
            try:
                await worker.node_id.remote()  # answers once the worker has started
            except ray.exceptions.RayActorError:
                pass  # a worker that died starting is replaced on its group's next request

    def shutdown(self) -> None:
        """Disconnect from Ray; a local Ray started here is stopped with every process it started.

        Any of them still running after Ray's own shutdown is ended too: Ray's dashboard and runtime-env
        agents ignore SIGTERM, and outlive a raylet that did not stop them.
        """
        if not (self._started_ray and ray.is_initialized()):
            return
        ray_processes = [] if self.options.address else local_ray_processes()
        ray.shutdown(wait_for_processes=True)
        end_processes(ray_processes)
        self._ray_owner.set()  # its thread ends once Ray's processes are gone
