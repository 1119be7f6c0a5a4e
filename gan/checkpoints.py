"""Finding the checkpoint to resume from: the newest one that is complete and readable.

TensorFlow's `checkpoint` state file names the newest checkpoint, but it can be missing
(deleted, never written) or name a checkpoint whose files are truncated or gone. So the
run directory's own `ckpt-N.index` files are the record: each is read back whole (index
and every tensor) before it is trusted, and only files inside the directory count, so a
state file pointing elsewhere is never followed.

>>> path, skipped = newest_readable('runs/x')   # ('runs/x/ckpt-1500', [('runs/x/ckpt-2000', 'truncated ...')])
"""
import logging
import os
import re
import shutil

import tensorflow as tf

_CHECKPOINT = re.compile(r"^ckpt-(\d+)\.index$")
log = logging.getLogger(__name__)


def checkpoints_in(directory):
    """(step, prefix) of every `ckpt-N` checkpoint in `directory`, newest first.

    >>> checkpoints_in('runs/x')[0]
    (2000, 'runs/x/ckpt-2000')
    """
    if not directory or not os.path.isdir(directory):
        return []
    found = [(int(m.group(1)), os.path.join(directory, f"ckpt-{m.group(1)}"))
             for m in map(_CHECKPOINT.match, os.listdir(directory)) if m]
    return sorted(found, reverse=True)


def unreadable_reason(prefix):
    """Why checkpoint `prefix` cannot be restored (one line), or None when it reads back whole."""
    try:
        reader = tf.train.load_checkpoint(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except (tf.errors.OpError, ValueError, IndexError, OSError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return first[:160]
    return None


def newest_readable(directory):
    """(prefix of the newest complete checkpoint or None, [(newer prefix, why skipped), ...]).

    >>> newest_readable('runs/x')
    """
    skipped = []
    for _, prefix in checkpoints_in(directory):
        reason = unreadable_reason(prefix)
        if reason is None:
            return prefix, skipped
        skipped.append((prefix, reason))
    return None, skipped


def resume_point(directory):
    """The checkpoint to resume from (None for a new run), logging one line for each newer one skipped.

    Reads only: `prepare_for_writing` makes the directory agree before training writes to it.

    >>> resume_point('runs/x')
    'runs/x/ckpt-1500'
    """
    prefix, skipped = newest_readable(directory)
    if skipped and prefix is None:
        raise ValueError(f"'{directory}' holds checkpoints but none reads back whole (newest: "
                         f"{os.path.basename(skipped[0][0])}: {skipped[0][1]}); move them away or use another "
                         "directory")
    for bad, reason in skipped:
        log.warning("skipping checkpoint %s, it is unreadable (%s); resuming from %s", os.path.basename(bad), reason,
                    os.path.basename(prefix))
    return prefix


def prepare_for_writing(directory, prefix):
    """Before training writes to `directory`: unreadable checkpoints newer than `prefix` are moved
    aside (`ckpt-N.index.unreadable`, never overwritten by this run's saves) and the state file
    lists the readable ones, newest `prefix`, so that TensorFlow agrees (also when it was missing).

    >>> prepare_for_writing('runs/x', 'runs/x/ckpt-1500')
    """
    remove_partial(directory)
    step = int(prefix.rsplit("-", 1)[1]) if prefix else -1
    readable = []
    for number, path in checkpoints_in(directory):
        if number > step:
            for name in os.listdir(directory):
                if name.startswith(f"ckpt-{number}.") and not name.endswith(".unreadable"):
                    os.replace(os.path.join(directory, name), os.path.join(directory, name + ".unreadable"))
        else:
            readable.append(path)
    if prefix is None:
        return
    state = tf.train.get_checkpoint_state(directory)
    named = state.model_checkpoint_path if state else None
    if named is None or os.path.abspath(named) != os.path.abspath(prefix):
        if named is None:
            log.warning("the checkpoint state file of %s was missing; resuming from %s", directory,
                        os.path.basename(prefix))
        tf.compat.v1.train.update_checkpoint_state(directory, prefix,
                                                  all_model_checkpoint_paths=list(reversed(readable)))


def remove_partial(directory):
    """Removes what an interrupted or failed save leaves (`ckpt-N_temp*` folders, `checkpoint.tmp*`).

    >>> remove_partial('runs/x')
    """
    for name in os.listdir(directory) if os.path.isdir(directory) else []:
        path = os.path.join(directory, name)
        if re.match(r"^ckpt-\d+_temp", name) and os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        elif re.match(r"^ckpt-\d+_temp", name) or name.startswith("checkpoint.tmp"):
            os.remove(path)
