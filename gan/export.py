"""A generator as a SavedModel: one `serving_default` signature from generator inputs to samples.

Signature inputs are named `generator_inputs` (a tensor), `generator_inputs_<i>` (a tuple)
or the dict keys of the generator inputs; the output is `{'samples': ...}` (`samples_<i>` for a
generator with several outputs, such as CycleGAN's pair).

Example:
    save_generator(estimator.networks, estimator.networks.generator, 'export/1')
    tf.saved_model.load('export/1').signatures['serving_default'](generator_inputs=noise)['samples']
"""
import tensorflow as tf


def save_generator(networks, generator, export_dir):
    """Writes `generator` (a built generator of `networks`, e.g. its average) as a SavedModel; returns `export_dir`."""
    spec = networks.generator_inputs_spec
    flat = tf.nest.flatten(spec)
    if isinstance(spec, dict):
        names = sorted(spec)
    elif isinstance(spec, tf.TensorSpec):
        names = ["generator_inputs"]
    else:
        names = [f"generator_inputs_{i}" for i in range(len(flat))]
    signature = [tf.TensorSpec(s.shape, s.dtype, name=n) for s, n in zip(flat, names)]
    module = tf.Module()
    module.generator = generator  # tracked, so the SavedModel holds its weights

    @tf.function(input_signature=signature)
    def serve(*tensors):
        inputs = tf.nest.pack_sequence_as(spec, list(tensors))
        samples = networks.generate(inputs, training=False, generator=module.generator)
        if isinstance(samples, (tuple, list)):  # CycleGAN's pair (F(x), G(y)): signatures hold flat tensors
            return {f"samples_{i}": t for i, t in enumerate(samples)}
        return {"samples": samples}

    module.serve = serve
    tf.saved_model.save(module, export_dir, signatures={"serving_default": serve})
    return export_dir
