"""`gan`: TF-GAN's estimator workflow, rebuilt on TensorFlow 2.16+ and Keras 3."""
