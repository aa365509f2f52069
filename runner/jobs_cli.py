"""``sv-runner jobs``: the sorting jobs of a runner (state, time, node), and the log of one."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request

from spikeinterface_sortingview.runner_client import address_is_loopback, authorization, open_url

from .access import read_token
from .instances import configured_address, format_url

EXIT_OK = 0
EXIT_NOT_RUNNING = 1


def add_jobs_command(commands) -> None:
    """Add ``jobs`` to the ``sv-runner`` commands."""
    jobs = commands.add_parser(
        "jobs",
        help="list the sorting jobs of a runner: state, time, node",
        description="List the sorting jobs of a runner (sv.run_sorter, sv.submit_batch): running and failed ones, "
        "then finished ones from its result cache. The same table is the runner's page /jobs.",
    )
    jobs.add_argument("--address", help="the runner's address (default: the configured one)")
    jobs.add_argument("--log", metavar="JOB_ID", help="print the log of this job (a unique prefix of its id is enough)")
    jobs.add_argument("--json", action="store_true", help="print the jobs as JSON")
    jobs.set_defaults(run=run_jobs)


def fetch_jobs(address: str) -> list[dict]:
    """The runner's ``GET /api/jobs``, with the token the configuration gives for it (else this machine's own)."""
    headers = authorization(address)
    if not headers and not address_is_loopback(address):
        token = read_token()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
    with open_url(urllib.request.Request(f"{address}/api/jobs", headers=headers), timeout=10) as answer:
        return json.load(answer)["jobs"]


def format_jobs(jobs: list[dict]) -> str:
    """The jobs as a fixed-width table."""
    header = ("JOB", "STATE", "SORTER", "RECORDING", "TIME", "NODE", "UNITS")
    rows = [header]
    for job in jobs:
        seconds = job.get("jobTimeSec") or job.get("elapsedSec")
        state = job["status"] + (f" ({job['phase']})" if job["status"] == "started" and job.get("phase") else "")
        rows.append(
            (
                job["jobId"][:12],
                state,
                str(job.get("sorterName")),
                str(job.get("recordingUri", ""))[7:19],
                "" if seconds is None else f"{seconds:.1f}s",
                str(job.get("node") or ""),
                "" if job.get("numUnits") is None else str(job["numUnits"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def run_jobs(args: argparse.Namespace) -> int:
    address = (args.address or format_url(*configured_address())).rstrip("/")
    try:
        jobs = fetch_jobs(address)
    except (urllib.error.URLError, OSError) as e:
        print(f"sv-runner: no runner answers at {address} ({e}); start one with `sv-runner start`", file=sys.stderr)
        return EXIT_NOT_RUNNING
    if args.log:
        matches = [job for job in jobs if job["jobId"].startswith(args.log)]
        if len(matches) != 1:
            found = "no job" if not matches else f"{len(matches)} jobs"
            print(f"sv-runner: {found} with an id starting {args.log!r} on {address}", file=sys.stderr)
            return EXIT_NOT_RUNNING
        job = matches[0]
        if job.get("errorMessage"):
            print(job["errorMessage"])
        print(job.get("log", ""))
        return EXIT_OK
    if args.json:
        print(json.dumps(jobs, indent=2))
    elif not jobs:
        print(f"No sorting jobs on {address}.")
    else:
        print(format_jobs(jobs))
    return EXIT_OK
