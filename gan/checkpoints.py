"""Finding the checkpoint to resume from: the newest one that is complete and readable.

TensorFlow's `checkpoint` state file names the newest checkpoint, but it can be missing
(deleted, never written) or name a checkpoint whose files are truncated or gone. So the
run directory's own `ckpt-N.index` files are the record: each is read back whole (index
and every tensor) before it is trusted, and only files inside the directory count (not
symbolic links leading out of it), so a state file or link pointing elsewhere is never
followed, and before training writes, the state file is rewritten to list only them (TF's
CheckpointManager deletes what the state file lists when it rotates old checkpoints).

Listing a directory's checkpoints needs no TensorFlow (it is imported where a checkpoint is
read or the state file written), so a program can refuse a run that has none in an instant.

>>> path, skipped = newest_readable('runs/x')   # ('runs/x/ckpt-1500', [('runs/x/ckpt-2000', 'truncated ...')])
"""
import logging
import os
import re
import shutil

from gan import atomic

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
    return sorted(((step, prefix) for step, prefix in found if _inside(prefix, directory)), reverse=True)


def _inside(prefix, directory):
    """Whether checkpoint `prefix`'s files really lie in `directory` (no symbolic link leads out of it)."""
    root = os.path.realpath(directory)
    paths = [prefix + ".index"] + [os.path.join(directory, name) for name in os.listdir(directory)
                                   if name.startswith(os.path.basename(prefix) + ".data-")]
    return all(os.path.dirname(os.path.realpath(path)) == root for path in paths)


def unreadable_reason(prefix):
    """Why checkpoint `prefix` cannot be restored (one line), or None when it reads back whole."""
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

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
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

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
    state_file = os.path.join(directory, "checkpoint")
    if prefix is None:  # nothing to resume: a state file left here names nothing of this run
        if os.path.lexists(state_file):
            os.remove(state_file)
        return
    try:
        state = tf.train.get_checkpoint_state(directory)
    except (tf.errors.OpError, ValueError):  # garbled
        state = None
    wanted = [os.path.abspath(path) for path in reversed(readable)]
    if state is None or os.path.abspath(state.model_checkpoint_path) != os.path.abspath(prefix) or \
            [os.path.abspath(path) for path in state.all_model_checkpoint_paths] != wanted:
        if state is None:
            log.warning("the checkpoint state file of %s was missing; resuming from %s", directory,
                        os.path.basename(prefix))
        if os.path.islink(state_file):  # rewritten here, not through a link to elsewhere
            os.remove(state_file)
        tf.compat.v1.train.update_checkpoint_state(directory, prefix,
                                                  all_model_checkpoint_paths=list(reversed(readable)))


def remove_partial(directory):
    """Removes what an interrupted or failed write leaves (`ckpt-N_temp*` folders, `checkpoint.tmp*`,
    `<file>.tmp<pid>*` of `gan.atomic.replacing`); only the run's one writer calls it.

    A symbolic link among them is removed itself, never followed.

    >>> remove_partial('runs/x')
    """
    for name in os.listdir(directory) if os.path.isdir(directory) else []:
        path = os.path.join(directory, name)
        if not (re.match(r"^ckpt-\d+_temp", name) or name.startswith("checkpoint.tmp") or atomic.TEMPORARY.search(name)):
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)


def discard_failed_save(directory, step):
    """After the save of checkpoint `step` failed (e.g. disk full while merging its files): removes
    its temporary and its half-written `ckpt-<step>.*` files, so the older checkpoints stay newest.

    >>> discard_failed_save('runs/x', 2500)
    """
    remove_partial(directory)
    for name in os.listdir(directory) if os.path.isdir(directory) else []:
        if name == f"ckpt-{step}.index" or name.startswith(f"ckpt-{step}.data-"):
            os.remove(os.path.join(directory, name))
