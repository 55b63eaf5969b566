"""Progress of long-running commands: a bar on a terminal, plain lines in logs and CI.

    with progress(total=len(records), desc="Importing", unit="records") as bar:
        for record in records:
            ...
            bar.update()

On a terminal this is tqdm's bar; otherwise (cron, systemd, CI, a pipe) one plain line each time
another tenth is done, so logs stay readable. `stream=None` means the command's stderr.
"""

import sys
import time

from tqdm import tqdm


class PlainProgress:
    """Prints "desc: done/total unit (pct%)" at every tenth, and a last line when closed."""

    def __init__(self, total=None, desc="", unit="", stream=None, steps=10):
        self.total = total
        self.desc = desc
        self.unit = unit
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self.steps = steps
        self.reported = 0  # tenths already reported
        self.closed = False

    def _line(self):
        elapsed = time.monotonic() - self.started
        unit = f" {self.unit}" if self.unit else ""
        if self.total:
            share = 100 * self.done // self.total
            return f"{self.desc}: {self.done}/{self.total}{unit} ({share}%) in {elapsed:.1f} s"
        return f"{self.desc}: {self.done}{unit} in {elapsed:.1f} s"

    def update(self, n=1):
        self.done += n
        if not self.total or self.done >= self.total:
            return
        reached = self.steps * self.done // self.total
        if reached > self.reported:
            self.reported = reached
            self.stream.write(self._line() + "\n")
            self.stream.flush()

    def set_description(self, desc):
        self.desc = desc

    def close(self):
        if not self.closed:
            self.closed = True
            self.stream.write(self._line() + "\n")
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def progress(total=None, desc="", unit="", stream=None):
    """A progress reporter with `update(n)` and `close()`, usable as a context manager."""
    stream = stream or sys.stderr
    # A management command's OutputWrapper hides the real stream's isatty behind `_out`.
    real = getattr(stream, "_out", stream)
    if _is_terminal(real):
        return tqdm(total=total, desc=desc, unit=f" {unit}" if unit else "it", file=real)
    return PlainProgress(total=total, desc=desc, unit=unit, stream=stream)


def write_line(bar, line, stream):
    """Print a line to `stream` without breaking a bar drawn on the terminal."""
    if isinstance(bar, tqdm):
        bar.write(line, file=getattr(stream, "_out", stream))
    else:
        stream.write(line)
