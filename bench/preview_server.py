"""Not a benchmark: `build.py serve` as the preview benchmark and the preview's browser test
drive it. Its output is read in a thread, so that waiting for a line can time out and the pipe
never fills while the server runs."""

from __future__ import annotations

import queue
import socket
import subprocess
import threading
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerLines:
    """The lines a server process prints (stdout, with stderr sent there too)."""

    def __init__(self, server: subprocess.Popen):
        self.seen: queue.Queue[str] = queue.Queue()
        self.printed: list[str] = []
        threading.Thread(target=lambda: [self.seen.put(line) for line in server.stdout], daemon=True).start()

    def forget(self) -> None:
        """Drop what was printed so far: the next wait is for a line still to come."""
        while True:
            try:
                self.printed.append(self.seen.get_nowait())
            except queue.Empty:
                return

    def wait_for(self, text: str, timeout: float = 30) -> None:
        """Until a line containing `text` is printed; RuntimeError with all it printed if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.seen.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            self.printed.append(line)
            if text in line:
                return
        raise RuntimeError(f"the preview never printed {text!r}; it printed:\n" + "".join(self.printed))


# livereload reloads only the browsers that have finished its handshake when a change arrives;
# this line of its log says a browser has. Save only after it, or the reload may be lost.
BROWSER_CONNECTED = "Browser Connected"
