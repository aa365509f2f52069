"""The runner's own Ray on this machine: one ``ray.init`` on a thread that lives until the runner stops it.

Linux ties Ray's processes to the *thread* that started them (they get SIGKILL when it ends), and a request's
thread (``asyncio.to_thread``) ends with the event loop, before Ray could be stopped in order; that killed Ray's
raylet and left its agents and workers running without a parent. So Ray is started from a thread of its own.

The runner begins the start as soon as its port is bound, before it loads its web stack and handlers: Ray's
processes come up while those load (about a second of a fresh runner's start on a 2-core laptop).
"""

from __future__ import annotations

import os
import threading

import ray

# The local object store: handlers return their results through it, a few MB each at most.
OBJECT_STORE_BYTES = 256 * 1024 * 1024


def local_ray_options(num_cpus: int | None, object_store_memory: int | None = OBJECT_STORE_BYTES) -> dict:
    """The ``ray.init`` keyword arguments of a local Ray of ``num_cpus`` CPUs (default: all of this machine's)."""
    return {
        "include_dashboard": False,
        "log_to_driver": False,
        "configure_logging": False,
        # Never attach to some other cluster by accident: RAY_ADDRESS is handled by the CLI.
        "address": "local",
        "num_cpus": num_cpus or os.cpu_count() or 1,
        "object_store_memory": object_store_memory,
        # Ray starts one idle worker per CPU for the first driver; ours run as actors with their own environment,
        # which those cannot serve (~80 MB each, never used).
        "_system_config": {"prestart_worker_first_driver": False},
    }


class RayStart:
    """One ``ray.init(**init_kwargs)`` on a thread of its own: begun once, waited for by anyone, released at stop.

    Parameters
    ----------
    init_kwargs : dict
        The ``ray.init`` keyword arguments (:func:`local_ray_options`, or an ``address`` to connect to).
    """

    def __init__(self, init_kwargs: dict):
        self.init_kwargs = init_kwargs
        self._lock = threading.Lock()
        self._begun = False
        self._done = threading.Event()
        self._release = threading.Event()
        self.failure: BaseException | None = None

    def begin(self) -> None:
        """Start ``ray.init`` in the background; calling it again changes nothing."""
        with self._lock:
            if self._begun:
                return
            self._begun = True
        # A daemon: a process that never calls release still exits (Ray's atexit hook stops Ray then).
        threading.Thread(target=self._own_ray, name="ray-owner", daemon=True).start()

    def wait(self) -> None:
        """Begin if not begun, and wait until Ray is up; raises what ``ray.init`` raised."""
        self.begin()
        self._done.wait()
        if self.failure is not None:
            raise self.failure

    @property
    def starting(self) -> bool:
        """Begun and not finished yet."""
        return self._begun and not self._done.is_set()

    def release(self) -> None:
        """Let the owner thread end; call it once ``ray.shutdown`` has stopped Ray's processes."""
        self._release.set()

    def _own_ray(self) -> None:
        try:
            ray.init(**self.init_kwargs)
        except BaseException as e:  # raised by wait, in the caller's thread
            self.failure = e
            return
        finally:
            self._done.set()
        self._release.wait()
