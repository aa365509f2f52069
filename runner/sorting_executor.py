"""Long jobs on Ray (sorting jobs, sorting summaries): each is a Ray task holding the CPUs it asks for, retried
elsewhere if its node dies.

Handler groups run on long-lived actors that hold no CPU; a sorter (or a SortingAnalyzer's extensions) needs the
cores, so a long job is a plain Ray task with ``num_cpus`` set, spread over the cluster's nodes. A progress actor
on the runner's node collects each running job's phase, node and log tail (or steps), which the job table and
the summary page show.
"""

from __future__ import annotations

import asyncio
import contextlib

import ray
import ray.exceptions
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from .handlers import HandlerInputError, HandlerResult
from .handlers.sorting_jobs import SORTER_TASK, SortingJobError, node_label, run_sorting_job
from .handlers.summaries import SUMMARY_TASK, run_summary_job

# A node that dies takes its running jobs with it: Ray runs them again on another node, this many times.
NODE_FAILURE_RETRIES = 3
PROGRESS_POLL_SECONDS = 0.5
# What a worker runs for each long job: ``function(task_input, node, report) -> result``.
LONG_JOBS = {SORTER_TASK: run_sorting_job, SUMMARY_TASK: run_summary_job}


class SortingFailed(Exception):
    """The sorter failed; ``log`` is its output."""

    def __init__(self, message: str, log: str):
        super().__init__(message)
        self.log = log


@ray.remote(num_cpus=0)
class JobProgress:
    """What running sorting jobs last reported, by job id."""

    def __init__(self) -> None:
        self.reports: dict[str, dict] = {}

    def report(self, job_id: str, info: dict) -> None:
        self.reports[job_id] = info

    def get(self, job_id: str) -> dict | None:
        return self.reports.get(job_id)

    def forget(self, job_id: str) -> None:
        self.reports.pop(job_id, None)


@ray.remote(max_retries=NODE_FAILURE_RETRIES, retry_exceptions=False)
def long_job_task(task_name: str, task_input: dict, job_id: str, progress) -> tuple[str, object]:
    """Run a long job on this worker; errors travel back as values so the runner can answer them."""
    node = node_label()

    def report(info: dict) -> None:
        progress.report.remote(job_id, info)

    try:
        return "ok", LONG_JOBS[task_name](task_input, node, report)
    except HandlerInputError as error:
        return "input_error", str(error)
    except SortingJobError as error:
        return "failed", {"message": str(error), "log": error.log, "node": node}


class SortingJobs:
    """Runs long jobs (sorting jobs, sorting summaries) for a :class:`~runner.executor.RayExecutor` (which owns Ray and the worker options)."""

    def __init__(self, executor) -> None:
        self.executor = executor
        self.progress_actor = None

    def _progress(self):
        if self.progress_actor is None:
            # On the runner's own node: it must outlive any worker node that dies.
            here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
            self.progress_actor = JobProgress.options(scheduling_strategy=here).remote()
        return self.progress_actor

    def task_options(self, num_cpus: int) -> dict:
        options: dict = {"num_cpus": num_cpus, "scheduling_strategy": "SPREAD"}
        ray_options = self.executor.options
        if ray_options.worker_env:
            options["runtime_env"] = {"env_vars": dict(ray_options.worker_env)}
        if ray_options.resources:
            options["resources"] = dict(ray_options.resources)
        return options

    async def run(
        self, task_input: dict, timeout: float, job_id: str, progress: dict, task_name: str = SORTER_TASK
    ) -> HandlerResult:
        """Run one job and return its result; ``progress`` is updated in place while it runs.

        A job that names no ``num_cpus`` (a summary) holds every CPU of the largest node: SpikeInterface's
        ``n_jobs`` is then that many.

        Raises
        ------
        HandlerInputError
            Bad input found on the worker (the recording cannot be read, parameters SpikeInterface refuses).
        SortingFailed
            The sorter failed (with its log).
        TimeoutError
            The job ran past ``timeout`` seconds (it is stopped).
        """
        actor = self._progress()
        num_cpus = task_input.get("num_cpus") or (1 if task_name == SORTER_TASK else largest_node_cpus())
        task_input = {**task_input, "num_cpus": int(num_cpus)}
        ref = long_job_task.options(**self.task_options(num_cpus)).remote(task_name, task_input, job_id, actor)
        progress.update({"phase": "waiting for a worker with free CPUs", "numCpus": num_cpus})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        done = asyncio.wrap_future(ref.future())
        try:
            while not done.done():
                await asyncio.wait({done}, timeout=PROGRESS_POLL_SECONDS)
                if done.done():
                    break
                if loop.time() > deadline:
                    raise TimeoutError(f"the job ran past its timeout of {timeout:g} s and was stopped")
                with contextlib.suppress(ray.exceptions.RayError):
                    reported = await actor.get.remote(job_id)
                    if reported:
                        progress.update(reported)
            status, value = done.result()
        except BaseException:
            ray.cancel(ref, force=True)  # cancelled, timed out or failed: stop the sorter, not just the wait
            raise
        finally:
            actor.forget.remote(job_id)
        if status == "input_error":
            raise HandlerInputError(value)
        if status == "failed":
            progress.update({"node": value["node"], "logTail": value["log"], "phase": "failed"})
            raise SortingFailed(value["message"], value["log"])
        progress.update({"node": value["node"], "phase": "finished"})
        return HandlerResult(value)


def largest_node_cpus() -> int:
    """The CPUs of the cluster's largest live node (at least 1)."""
    cpus = [node["Resources"].get("CPU", 0) for node in ray.nodes() if node.get("Alive")]
    return max(1, int(max(cpus, default=1)))
