"""Whole-or-nothing file writes: a file is written beside its target and renamed over it.

Readers (a resumed run, `gan-generate`, TensorBoard, a cache lookup) therefore see either
the old file or the new one, never half of one, and a failed write leaves no temporary behind.

Example:
    with replacing('runs/x/samples.png') as temporary:
        picture.save(temporary, format='PNG')
    write_text('runs/x/run.json', json.dumps(manifest))
"""
import contextlib
import os
import re

# What `temporary_path` names look like: one left by a killed writer can be recognised and removed.
TEMPORARY = re.compile(r"\.tmp\d+")


def temporary_path(path):
    """The temporary name `path` is written under: beside it, with its extension (savers that
    infer the format, like `np.save` or `keras.Model.save`, keep working), unique per process.

    Example:
        temporary_path('runs/x/samples.png')  # 'runs/x/samples.png.tmp4242.png'
    """
    return f"{path}.tmp{os.getpid()}{os.path.splitext(path)[1]}"


@contextlib.contextmanager
def replacing(path):
    """Yields a temporary path to write; when the block succeeds it replaces `path` in one rename,
    when it fails the temporary is removed and `path` is untouched. Creates the parent folder.

    Example:
        with replacing('/tmp/samples.npy') as temporary:
            np.save(temporary, samples)
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = temporary_path(path)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if os.path.isfile(temporary):
            os.remove(temporary)


def write_text(path, text):
    """Writes `text` (UTF-8) to `path` whole or not at all; returns `path`.

    Example:
        write_text('/tmp/run.json', '{}\\n')
    """
    with replacing(path) as temporary:
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(text)
    return path
