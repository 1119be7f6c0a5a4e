"""Packaging for `gan`: TF-GAN's estimator workflow on TensorFlow 2.16+ and Keras 3."""
import setuptools

setuptools.setup(
    # The import name stays `gan`; the distribution name `gan` on PyPI is an unrelated project.
    name="gan-estimator",
    version="0.1.0",
    description="GANEstimator, GAN losses and evaluation for TensorFlow 2.16+ and Keras 3.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=setuptools.find_packages(include=["gan", "gan.*"]),
    package_data={"gan.cli": ["configs/*.cfg"]},
    install_requires=[
        "tensorflow>=2.16",
        # tf.summary needs it; TensorFlow 2.21 no longer installs it.
        "tensorboard",
        "keras>=3",
        "tensorflow-datasets>=4.9",
        # tensorflow-datasets 4.9.x imports it while preparing data without declaring it.
        "importlib_resources",
        "absl-py",
        "numpy",
        "scipy",
        "pillow",
        "matplotlib",
        "scikit-learn",
        "tqdm",
    ],
    extras_require={
        "test": ["pytest", "pytest-xdist", "nbclient", "nbformat", "ipykernel", "jupytext"],
    },
    entry_points={
        "console_scripts": [
            "gan-train=gan.cli.train:run",
            "gan-generate=gan.cli.generate:run",
            "gan-evaluate=gan.cli.evaluate:run",
        ],
    },
)
