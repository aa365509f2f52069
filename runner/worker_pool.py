"""Pools of handler workers: long-lived Ray actors per handler group, within one budget for the runner.

A request takes an idle worker of its group (its imports done, its data loaded) before a new actor is made;
workers idle long enough are retired, and a group with no room takes the place of another group's idle worker.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable

import ray
import ray.exceptions

from .handler_config import HandlerGroupConfig
from .handler_io.data import DataSource
from .handlers import HandlerInputError, HandlerResult, run_handler

# With every worker of the runner started, a group may take the place of another group's worker idle this long.
EVICT_AFTER_IDLE_SECONDS = 2.0


class TaskTimeout(Exception):
    """A handler ran longer than the request allowed."""


class WorkerDied(Exception):
    """The worker running a handler died (crash, out of memory, killed)."""


class HandlerFailed(Exception):
    """A handler raised; the message is the handler's."""


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


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
