"""The grader's end of the pipes to a sandbox: reads and writes that each have a deadline."""

import os
import select
import time


class DeadlineReader:
    def __init__(self, fd):
        self.fd = fd
        self.deadline = None

    def read(self, count):
        timeout = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            raise TimeoutError
        return os.read(self.fd, min(count, 1 << 20))


def write_all(fd, data, deadline):
    """Write ``data`` to the non-blocking ``fd`` before ``deadline``, or raise TimeoutError."""
    view = memoryview(data)
    while view:
        timeout = max(0.0, deadline - time.monotonic())
        _, ready, _ = select.select([], [fd], [], timeout)
        if not ready:
            raise TimeoutError
        try:
            written = os.write(fd, view[: 1 << 16])
        except BlockingIOError:
            continue
        view = view[written:]


class Outbox:
    """What :func:`wire.write_message` writes to: collects one message, sent with a deadline."""

    def __init__(self):
        self.data = b""

    def write(self, data):
        self.data += data

    def flush(self):
        pass
