"""End to end: a default-loss (Wasserstein) run pulls generated points onto the ring's modes."""
import keras
import numpy as np
import tensorflow as tf

import gan

NOISE = 8


def test_ring_run_pulls_samples_onto_the_modes(tmp_path, embedded_data_dir):
    keras.utils.set_random_seed(0)  # the initial weights: otherwise whatever the tests before left
    ring = gan.eval.MIXTURES["ring"]
    input_fn = gan.data.gan_input_fn("ring", batch_size=256, noise_dims=NOISE, data_dir=embedded_data_dir, seed=0)
    est = gan.GANEstimator(
        *gan.networks.mlp((2,), hidden_units=(128, 128)), model_dir=str(tmp_path / "run"),
        train_steps=gan.GANTrainSteps(1, 5), gradient_penalty_weight=1.0,
        generator_optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9),
        steps_per_execution=50, log_every_steps=500, seed=0)
    noise = tf.random.stateless_normal([2500, NOISE], seed=(1, 2))

    def mean_distance_to_nearest_mode():
        samples = np.stack(list(est.predict(lambda: tf.data.Dataset.from_tensors(noise))))
        return np.linalg.norm(samples[:, None] - ring.centers[None], axis=-1).min(axis=1).mean(), samples

    before, _ = mean_distance_to_nearest_mode()
    est.train(input_fn, max_steps=1000, progress=False)
    after, samples = mean_distance_to_nearest_mode()
    assert before / after >= 5.0, (before, after)
    assert gan.eval.mixture_metrics(samples, "ring")["modes"] >= 6
