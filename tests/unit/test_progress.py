"""Long commands show a bar on a terminal and plain lines elsewhere."""

import io
import os

from django.core.management.base import OutputWrapper
from tqdm import tqdm

from config.progress import PlainProgress, progress


def test_plain_lines_at_each_tenth_when_not_on_a_terminal():
    out = io.StringIO()
    with progress(total=200, desc="Importing", unit="records", stream=out) as bar:
        assert isinstance(bar, PlainProgress)
        for _ in range(200):
            bar.update()
    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0].startswith("Importing: 20/200 records (10%)")
    assert lines[-1].startswith("Importing: 200/200 records (100%)")


def test_without_a_total_one_line_at_the_end():
    out = io.StringIO()
    with progress(desc="Reading", unit="pages", stream=OutputWrapper(out)) as bar:
        bar.update(3)
        bar.update(4)
    assert out.getvalue().startswith("Reading: 7 pages in ")
    assert len(out.getvalue().splitlines()) == 1


def test_a_bar_on_a_terminal_even_behind_a_command_output_wrapper():
    leader, follower = os.openpty()
    with os.fdopen(follower, "w") as terminal:
        bar = progress(total=5, desc="Labels", stream=OutputWrapper(terminal))
        assert isinstance(bar, tqdm)
        bar.update(5)
        bar.close()
    chunks = []
    while True:  # the bar arrives in several writes; read them all until the terminal closes
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: nothing more, the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    written = b"".join(chunks).decode()
    assert "Labels" in written and "5/5" in written
