"""Settings shared by every test: real Keras must run on JAX, the backend nnlib is compared with."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
