"""Work split over processes: the build is CPU-bound Python, so threads would not help.

Worker processes are forked, so they start with everything the parent had already computed
(the planned site, the bodies) and with the task itself, which need not be picklable: only the
items and the results cross between processes."""

from __future__ import annotations

import gc
import multiprocessing.connection
import os
import signal
import traceback
from contextlib import contextmanager
from typing import Any, Callable, Sequence, TypeVar

from .errors import BuildFailed, fail

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 64   # below this, starting the workers costs more than it saves


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
    size = -(-len(items) // (jobs * 8))   # several chunks per worker even out uneven pages (a finder of 8,000 comuni)
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    # What exists now lives for the whole build: keep the collector from scanning it again and
    # again, in the parent and in the forked workers (and from touching it, which would copy it).
    gc.freeze()
    try:
        parts = run_in_workers(task, chunks, jobs)
    finally:
        gc.unfreeze()
    # The problem of the first failing chunk, as one process would have met it, not the one
    # that happened to fail first in time: the same sources always give the same message.
    for failed, part in parts:
        if failed:
            raise part
    return [result for _, part in parts for result in part]


def run_in_workers(task: Callable, chunks: list[list], jobs: int) -> list[tuple[bool, Any]]:
    """Forked workers take the chunks one at a time (the next one's number is shared between
    them) and send back each chunk's result, or its error, through a pipe of their own. The task
    and the chunks reach them as they fork, never pickled. A worker killed from outside (the
    kernel short of memory, `kill`) closes its pipe before saying it is done: the build stops
    with a message, and never waits for ever."""
    context = multiprocessing.get_context("fork")
    next_chunk = context.Value("i", 0)
    workers = []
    try:
        for _ in range(min(jobs, len(chunks))):
            receiver, sender = context.Pipe(duplex=False)
            try:
                process = context.Process(target=work, args=(task, chunks, next_chunk, sender))
                process.start()
            except BaseException:
                receiver.close()
                raise
            finally:
                sender.close()   # the worker's end: the parent keeps only its own
            workers.append((process, receiver))
        return collect([receiver for _, receiver in workers], len(chunks))
    finally:
        for process, receiver in workers:
            receiver.close()
            if process.is_alive():   # the build stopped early: the others are not needed
                process.terminate()
            process.join()
            process.close()


def collect(receivers: list, count: int) -> list[tuple[bool, Any]]:
    results: dict[int, tuple[bool, Any]] = {}
    waiting = list(receivers)
    while waiting:
        for receiver in multiprocessing.connection.wait(waiting):
            try:
                message = receiver.recv()
            except (EOFError, OSError):   # closed before "done", or in the middle of a message
                raise fail("build.py", 0, 0, WORKER_DIED) from None
            if message is None:   # that worker is done
                waiting.remove(receiver)
            else:
                number, failed, part = message
                results[number] = (failed, part)
    return [results[number] for number in range(count)]


WORKER_DIED = ("un processo di lavoro è terminato in modo inatteso (forse la memoria non bastava, o è stato "
               "fermato da fuori): il sito è rimasto com'era. Rilancia; se succede ancora, rilancia con --jobs 1")


def work(task: Callable, chunks: list[list], next_chunk, sender) -> None:
    """A worker's life: chunks until there are no more, then "done" (None)."""
    # Ctrl+C reaches every process of the terminal: the workers leave it to the parent, which
    # stops the build cleanly (and prints no worker's traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while (number := take(next_chunk, len(chunks))) is not None:
        try:
            message = (number, False, task(chunks[number]))
        except BuildFailed as failed:
            message = (number, True, failed)
        except Exception:   # a mistake in the code: raised in the parent, with where it happened here
            message = (number, True, RuntimeError(traceback.format_exc()))
        sender.send(message)
    sender.send(None)
    sender.close()


def take(next_chunk, count: int) -> int | None:
    """The number of the next chunk no worker has taken; None when all are taken."""
    with next_chunk.get_lock():
        number = next_chunk.value
        if number >= count:
            return None
        next_chunk.value = number + 1
    return number


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
