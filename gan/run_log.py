"""The run's JSON-lines training log (`train_log.jsonl` in `model_dir`): one record per line.

The trainer appends its losses, the evaluation hook its metrics, the health monitor its
events; notebooks and `gan-evaluate` read them back. It imports nothing of the library,
so every layer can write to it.

Example:
    append_log('runs/x', {'step': 100, 'generator_loss': 0.3})
    [r['step'] for r in read_log('runs/x')]  # [..., 100]
"""
import json
import os

LOG_FILE = "train_log.jsonl"


def append_log(model_dir, record):
    """Appends one JSON record (a dict of plain numbers) to the run's JSON-lines log, on a line of
    its own even when a killed writer left the last line torn."""
    with open(os.path.join(model_dir, LOG_FILE), "a+b") as f:
        torn = False
        if f.seek(0, os.SEEK_END) > 0:
            f.seek(-1, os.SEEK_END)
            torn = f.read(1) != b"\n"
        f.write((b"\n" if torn else b"") + (json.dumps(record) + "\n").encode())


def read_log(model_dir):
    """All records of the run's JSON-lines log, oldest first (empty when there is none); a line
    torn by a killed writer is skipped."""
    path = os.path.join(model_dir, LOG_FILE)
    if not os.path.exists(path):
        return []
    records = []
    with open(path) as f:
        for line in f:
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
    return records
