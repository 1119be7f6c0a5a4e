"""TF-GAN 2.1.0's 122 public names exist here with TF-GAN's arguments and defaults.

tests/data/tfgan_2_1_0_api.json lists each public name of `tensorflow_gan` 2.1.0 (its
`__all__` lists) with its parameters and literal defaults, read from the released wheel's
source. A name passes when it exists under the same namespace (`tfgan.X` -> `gan.X`),
its TF-GAN parameters appear in ours under the same names, the positional ones in the
same places, and literal defaults are equal. The few names that cannot match are listed
in KNOWN_GAPS with the reason (docs/migrating_from_tfgan.md explains each).

    python tests/test_tfgan_api.py     # prints the report
"""
import importlib
import inspect
import json
import os

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tfgan_2_1_0_api.json")

# name -> why it differs (each also in docs/migrating_from_tfgan.md).
KNOWN_GAPS = {}


def _entries():
    with open(DATA) as f:
        return json.load(f)


def _ours(entry):
    try:
        module = importlib.import_module(entry["namespace"])
    except ImportError:
        return None
    return getattr(module, entry["name"], None)


def _parameters(obj):
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        return inspect.signature(target).parameters
    except (TypeError, ValueError):
        return None


def problem(entry):
    """Why `entry` does not match here, or None."""
    ours = _ours(entry)
    if ours is None:
        return "missing"
    if entry["kind"] == "value" or "params" not in entry:
        return None
    parameters = _parameters(ours)
    if parameters is None:
        return None
    names = [n for n in parameters if n != "self"]
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    positional = [n for n in names if parameters[n].kind in (inspect.Parameter.POSITIONAL_ONLY,
                                                             inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    takes_positional = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters.values())
    for index, theirs in enumerate(entry["params"]):
        name = theirs["name"]
        if name not in parameters:
            if accepts_any:
                continue
            return f"no argument {name!r}"
        if not theirs.get("keyword_only") and not takes_positional and (
                index >= len(positional) or positional[index] != name):
            return f"argument {name!r} is not positional argument {index}"
        literal = theirs.get("default", {}).get("literal", ...)
        default = parameters[name].default
        if literal is not ... and default is not inspect.Parameter.empty and not _same_default(literal, default):
            return f"default of {name!r} is {default!r}, TF-GAN's {literal!r}"
    return None


def _same_default(theirs, ours):
    if isinstance(theirs, list):
        theirs = tuple(theirs)
    if isinstance(ours, list):
        ours = tuple(ours)
    try:
        return theirs == ours or (hasattr(ours, "value") and ours.value == theirs)
    except Exception:  # pylint: disable=broad-except
        return False


def report():
    entries = _entries()
    problems = {f"{e['namespace']}.{e['name']}": problem(e) for e in entries}
    return entries, {k: v for k, v in problems.items() if v}


def test_every_tfgan_name_matches_or_is_a_known_gap():
    entries, problems = report()
    assert len(entries) == 122
    unexpected = {k: v for k, v in problems.items() if k not in KNOWN_GAPS}
    assert not unexpected, unexpected
    assert sorted(problems) == sorted(KNOWN_GAPS), "a known gap was closed: update KNOWN_GAPS and the guide"


if __name__ == "__main__":
    all_entries, found = report()
    print(f"{len(all_entries) - len(found)} of {len(all_entries)} TF-GAN 2.1.0 public names match")
    for key, why in sorted(found.items()):
        print(f"  {key}: {why}")
