"""Writing a file so that a failure (a full disk, a kill) leaves the old file whole, never a half one.

The new content goes to `<path>.tmp<pid><suffix>` next to it, which then replaces `path`
in one rename. A failed write removes its temporary file; one left by a killed process
matches `TEMPORARY`, so whoever owns the directory next can remove it.

>>> with replacing('runs/x/run.json') as tmp:
...     open(tmp, 'w').write('{}')
"""
import contextlib
import os
import re

TEMPORARY = re.compile(r"\.tmp\d+")


@contextlib.contextmanager
def replacing(path, suffix=""):
    """Yields a temporary path to write; on success it replaces `path`, on any failure it is removed.

    `suffix` keeps an extension for writers that pick the format by name (`.png`, `.npy`).
    """
    temporary = f"{path}.tmp{os.getpid()}{suffix}"
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
