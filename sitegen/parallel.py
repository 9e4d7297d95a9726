"""Work split over processes: the build is CPU-bound Python, so threads would not help.

Worker processes are forked, so they start with everything the parent had already computed
(the planned site, the bodies): only the items and the results cross between processes."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Callable, Sequence, TypeVar

from .errors import BuildFailed, fail

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 64   # below this, starting the workers costs more than it saves
_task: Callable | None = None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not on Linux
        return os.cpu_count() or 1


def run_chunks(task: Callable[[list[Item]], list[Result]], items: Sequence[Item], jobs: int) -> list[Result]:
    """task(chunk) for consecutive chunks of `items`, in `jobs` processes; the results in the
    order of the items, whatever order the workers finish in."""
    items = list(items)
    if jobs <= 1 or len(items) < MIN_ITEMS or "fork" not in multiprocessing.get_all_start_methods():
        return task(items)
    global _task
    _task = task   # inherited by the forked workers: tasks need not be picklable
    # What exists now lives for the whole build: keep the collector from scanning it again and
    # again, in the parent and in the forked workers (and from touching it, which would copy it).
    gc.freeze()
    size = -(-len(items) // (jobs * 8))   # several chunks per worker even out uneven pages (a finder of 8,000 comuni)
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    # An executor, not multiprocessing.Pool: a worker killed from outside (the kernel short of
    # memory, `kill`) breaks the executor, where Pool waited for its results for ever.
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=_leave_interrupts)
    try:
        futures = [pool.submit(_run, chunk) for chunk in chunks]
        parts = [future.result() for future in futures]
    except BrokenProcessPool:
        raise fail("build.py", 0, 0, "un processo di lavoro è terminato in modo inatteso (forse la memoria non "
                   "bastava, o è stato fermato da fuori): il sito è rimasto com'era. Rilancia; se succede "
                   "ancora, rilancia con --jobs 1") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _task = None
        gc.unfreeze()
    # The problem of the first failing chunk, as one process would have met it, not the one
    # that happened to fail first in time: the same sources always give the same message.
    for failed, part in parts:
        if failed:
            raise part
    return [result for _, part in parts for result in part]


@contextmanager
def few_collections():
    """Run Python's cycle collector about 70 times less often. A build makes millions of small
    objects (YAML nodes, records, Markdown trees) and frees them by reference counting; the
    collector, which by default runs every 700 new objects and scans all the young ones, took
    longer than making them: reading 8,000 comuni took 0.73 s with it, 0.29 s with this.
    Forked workers inherit the setting."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _leave_interrupts() -> None:
    """Ctrl+C reaches every process of the terminal: the workers leave it to the parent, which
    stops the build cleanly (and prints no worker's traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(chunk):
    assert _task is not None
    try:
        return False, _task(chunk)
    except BuildFailed as failed:
        return True, failed
