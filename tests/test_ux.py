"""The command line and the package as a new user meets them: cheap imports, fast errors, help, progress."""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _python(code, cwd=ROOT, **env):
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": ROOT, **env})


def test_import_gan_leaves_tensorflow_unloaded_until_a_name_needs_it():
    result = _python("import sys, gan\n"
                     "print('tensorflow' in sys.modules, 'distribute' in dir(gan), 'GANModel' in dir(gan))\n"
                     "print(callable(gan.distribute.make_strategy), 'tensorflow' in sys.modules)\n"
                     "from gan import GANTrainSteps\n"
                     "print(GANTrainSteps(1, 5).discriminator_train_steps)\n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "5"]


def test_unknown_top_level_name_is_an_attribute_error():
    result = _python("import gan\ntry:\n    gan.nosuch\nexcept AttributeError as e:\n    print(e)\n")
    assert result.stdout.strip() == "module 'gan' has no attribute 'nosuch'"
