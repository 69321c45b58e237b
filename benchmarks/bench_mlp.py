"""How fast nnlib trains an MLP, measured against real Keras 3 on JAX in the same run.

The model is the classic 784-256-128-10 multilayer perceptron (ReLU, ReLU, softmax), trained with
plain SGD in float32 on synthetic MNIST-sized data (60,000 rows of 784 features, labels from a random
linear teacher). Two settings, each a pair of measurements:

* default threads: each library as the environment leaves it (OpenBLAS and XLA use every core);
* one thread: both pinned to one thread, NumPy by OPENBLAS_NUM_THREADS=1 (and OMP/MKL), XLA by its
  own flags (``--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1``), which
  OPENBLAS_NUM_THREADS does not reach. The flags alone leave JAX two busy threads at small batches
  (Python dispatching the next step while XLA computes this one: 1.4 CPU seconds per second was
  measured at batch 32), so each worker of this setting is also bound to one core, the same core
  for both (``os.sched_setaffinity``). The pin is checked, not assumed: the table reports CPU / wall
  for every run, which a one-core process cannot push above 1.

The BLAS kernels: OpenBLAS (in NumPy's wheel) picks kernels for the CPU it finds, unless the
environment variable OPENBLAS_CORETYPE names others. This project's machines set
``OPENBLAS_CORETYPE=Haswell`` on AMD EPYC CPUs that have AVX-512: Haswell's AVX2 kernels reach
half the matrix-product speed there of the AVX-512 kernels (SkylakeX) OpenBLAS picks by itself,
while XLA uses AVX-512 in any case. So each setting runs with OpenBLAS's own choice (the variable
removed, as on a learner's machine) and, when the environment forces a kernel, with that kernel
too; the tables say which kernels each nnlib worker ran.

Thread settings and kernels act only when a library starts, so every library of every setting trains in its own
worker process, started with that environment. The parent drives a pair of workers epoch by epoch,
alternating (nnlib first on even epochs, Keras first on odd ones; the idle worker waits on its
pipe), so that a busy machine slows both alike; one warm-up epoch each (Keras compiles its step
function then) is not counted. We report medians, the ratio nnlib / Keras, and nnlib's arithmetic
rate against a numpy.matmul ceiling (one thread) measured in the same run.

Run:  .venv/bin/python benchmarks/bench_mlp.py               (5 timed epochs per batch size)
      .venv/bin/python benchmarks/bench_mlp.py --epochs 2 --rows 10000      (quick look)
A benchmark, never a test: wall-clock times depend on the machine and on what else runs on it.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import threadpoolctl  # noqa: E402  (comes with scikit-learn)

import nnlib.layers  # noqa: E402
import nnlib.models  # noqa: E402
import nnlib.optimizers  # noqa: E402
import nnlib.utils  # noqa: E402

SIZES = (784, 256, 128, 10)


def make_data(rows, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, SIZES[0]), dtype=np.float32)
    teacher = rng.standard_normal((SIZES[0], SIZES[-1]), dtype=np.float32)
    labels = (x @ teacher).argmax(axis=1)
    return x, labels


def flops_per_row():
    """Multiply-adds x 2 of one training step per row: forward, weight gradients, and input
    gradients of every layer but the first (its input is the data, which needs none)."""
    pairs = list(zip(SIZES[:-1], SIZES[1:]))
    forward = sum(2 * a * b for a, b in pairs)
    input_grads = sum(2 * a * b for a, b in pairs[1:])
    return 2 * forward + input_grads


def nnlib_model(loss, seed):
    nnlib.utils.set_random_seed(seed)
    L = nnlib.layers
    model = nnlib.models.Sequential([
        L.Input((SIZES[0],)),
        L.Dense(SIZES[1], activation="relu"),
        L.Dense(SIZES[2], activation="relu"),
        L.Dense(SIZES[3], activation="softmax"),
    ])
    model.compile(optimizer=nnlib.optimizers.SGD(learning_rate=0.01), loss=loss)
    return model


def keras_model(loss, seed):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((SIZES[0],)),
        keras.layers.Dense(SIZES[1], activation="relu"),
        keras.layers.Dense(SIZES[2], activation="relu"),
        keras.layers.Dense(SIZES[3], activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss=loss)
    return model


# ---- worker: one library in one process, commands on stdin, one JSON line per answer ----------
def time_epoch(model, x, y, batch_size):
    """Wall-clock seconds and CPU seconds (all threads of this process) of one epoch."""
    start, start_cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
    return time.perf_counter() - start, time.process_time() - start_cpu


def worker(library, rows, loss, core):
    """``build <batch>``: a fresh model and its warm-up epoch; ``epoch``: one timed epoch;
    ``ceiling``: this process's one-thread numpy.matmul rate and OpenBLAS's kernel."""
    if core is not None:
        # before Keras/JAX start (keras_model imports them): their threads inherit the binding
        os.sched_setaffinity(0, {core})
    x, labels = make_data(rows)
    y = labels if loss.startswith("sparse") else np.eye(SIZES[-1], dtype=np.float32)[labels]
    make = nnlib_model if library == "nnlib" else keras_model
    model = batch_size = None
    for line in sys.stdin:
        command = line.split()
        if command[0] == "ceiling":
            answer = {"gflops": matmul_ceiling(), "kernel": blas_kernel(),
                      "products": products_only_rate(), "gather": gather_seconds(x)}
        elif command[0] == "build":
            batch_size = int(command[1])
            model = make(loss, 0)
            time_epoch(model, x, y, batch_size)  # warm-up (Keras compiles here)
            answer = {"ok": True}
        else:
            wall, cpu = time_epoch(model, x, y, batch_size)
            answer = {"wall": wall, "cpu": cpu}
        print(json.dumps(answer), flush=True)


# ---- parent: start the workers with each thread setting, alternate them, report ---------------
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}


# a kernel family forced by this environment, if any (measured as well: see the module docstring)
FORCED_KERNEL = os.environ.get("OPENBLAS_CORETYPE")


def blas_kernel():
    """The kernel family OpenBLAS runs in this process ("Haswell", "SkylakeX", ...)."""
    return next((info.get("architecture") for info in threadpoolctl.threadpool_info()
                 if info.get("internal_api") == "openblas"), None)


def worker_env(setting):
    env = dict(os.environ, KERAS_BACKEND="jax")
    for name in [*ONE_THREAD, "OPENBLAS_CORETYPE"]:
        env.pop(name, None)  # the libraries' own defaults, not this shell's settings
    if setting.startswith("one thread"):
        env.update(ONE_THREAD)
    if ", OPENBLAS_CORETYPE=" in setting:
        env["OPENBLAS_CORETYPE"] = setting.rsplit("=", 1)[1]
    return env


class Worker:
    def __init__(self, library, setting, args):
        command = [sys.executable, __file__, "--worker", library, "--rows", str(args.rows),
                   "--loss", args.loss]
        if setting.startswith("one thread"):
            command += ["--core", str(min(os.sched_getaffinity(0)))]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env=worker_env(setting))

    def ask(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker stopped (exit code {self.process.wait()})")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def measure(setting, libraries, args):
    """Per batch size: {library: [(wall, cpu), ...]} over the timed epochs; and nnlib's
    worker's matmul ceiling and OpenBLAS kernel."""
    workers = {library: Worker(library, setting, args) for library in libraries}
    results = []
    try:
        ceiling = workers["nnlib"].ask("ceiling")
        for batch_size in args.batch_sizes:
            for w in workers.values():
                w.ask(f"build {batch_size}")
            times = {library: [] for library in workers}
            for epoch in range(args.epochs):
                order = list(workers) if epoch % 2 == 0 else list(reversed(workers))
                for library in order:
                    answer = workers[library].ask("epoch")
                    times[library].append((answer["wall"], answer["cpu"]))
            results.append((batch_size, times, os.getloadavg()[0]))
            print(f"  {setting}, batch {batch_size}: " + "; ".join(
                f"{name} wall {', '.join(f'{t[0]:.3f}' for t in ts)} s, "
                f"cpu {', '.join(f'{t[1]:.3f}' for t in ts)} s" for name, ts in times.items()),
                flush=True)
    finally:
        for w in workers.values():
            w.close()
    return results, ceiling


def matmul_ceiling(repeats=200):
    """GFLOP per CPU second of numpy.matmul on the largest product of a step (batch 512, layer 1),
    in one BLAS thread (the most arithmetic one core can do; nnlib's fit uses the environment's
    BLAS threads, and CPU time adds up the work of all of them).

    CPU time, not wall time: on a shared machine the wall clock also counts the time other
    processes hold the cores, while the CPU time of this process measures its own work."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((512, SIZES[0]), dtype=np.float32)
    b = rng.standard_normal((SIZES[0], SIZES[1]), dtype=np.float32)
    out = np.empty((512, SIZES[1]), dtype=np.float32)
    rates = []
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        for _ in range(5):
            start = time.process_time()
            for _ in range(repeats):
                np.matmul(a, b, out=out)
            rates.append(2 * a.shape[0] * a.shape[1] * b.shape[1] * repeats
                         / (time.process_time() - start) / 1e9)
    return statistics.median(rates)


def products_only_rate(batch=512, repeats=40):
    """GFLOP per CPU second of a batch-512 step's eight matrix products alone, one BLAS thread: the
    most a step could reach if nothing else took time (no bias, activation, loss, update or batch
    gather), so the ceiling of a whole step is this share of the matmul ceiling, less the time of
    the rest."""
    rng = np.random.default_rng(2)
    xs = [rng.standard_normal((batch, a), dtype=np.float32) for a in SIZES[:-1]]
    ws = [rng.standard_normal((a, b), dtype=np.float32) for a, b in zip(SIZES[:-1], SIZES[1:])]
    dzs = [rng.standard_normal((batch, b), dtype=np.float32) for b in SIZES[1:]]
    rates = []
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        for _ in range(5):
            start = time.process_time()
            for _ in range(repeats):
                for x, w in zip(xs, ws):
                    x @ w  # forward
                for x, dz in zip(xs, dzs):
                    x.T @ dz  # weight gradients
                for dz, w in zip(dzs[1:], ws[1:]):
                    dz @ w.T  # input gradients (not the first layer's)
            rates.append(flops_per_row() * batch * repeats / (time.process_time() - start) / 1e9)
    return statistics.median(rates)


def gather_seconds(x, batch=512):
    """CPU seconds to gather one shuffled batch of 512 rows of `x` (``x[rows]``), which every
    step of a shuffled epoch does before any arithmetic."""
    order = np.random.default_rng(3).permutation(len(x))
    steps = range(0, len(x) - batch + 1, batch)
    start = time.process_time()
    for first in steps:
        x[order[first:first + batch]]
    return (time.process_time() - start) / len(steps)


def print_table(setting, results, ceiling, rows_count):
    print(f"\n{setting} (OpenBLAS kernels: {ceiling['kernel']}; one-thread numpy.matmul "
          f"ceiling {ceiling['gflops']:.0f} GFLOP per CPU s; a batch-512 step's matrix products "
          f"alone reach {100 * ceiling['products'] / ceiling['gflops']:.0f}% of it, and its "
          f"batch gather takes {ceiling['gather'] * 1e3:.2f} ms):\n")
    ceiling = ceiling["gflops"]
    print("| batch | nnlib epoch (s) | Keras-JAX epoch (s) | nnlib / Keras | CPU s: nnlib / Keras "
          "| CPU / wall: nnlib, Keras | nnlib GFLOP per CPU s | % of matmul ceiling "
          "| load average |")
    print("|---|---|---|---|---|---|---|---|---|")
    for batch_size, times, load in results:
        wall = {name: statistics.median(t[0] for t in ts) for name, ts in times.items()}
        cpu = {name: statistics.median(t[1] for t in ts) for name, ts in times.items()}
        usage = {name: statistics.median(t[1] / t[0] for t in ts) for name, ts in times.items()}
        rate = flops_per_row() * rows_count / cpu["nnlib"] / 1e9
        if "keras" in wall:
            keras_text = f"{wall['keras']:.3f}"
            ratio = f"**{wall['nnlib'] / wall['keras']:.2f}**"
            cpu_text = f"{cpu['nnlib']:.2f} / {cpu['keras']:.2f} = {cpu['nnlib'] / cpu['keras']:.2f}"
            usage_text = f"{usage['nnlib']:.2f}, {usage['keras']:.2f}"
        else:
            keras_text = ratio = cpu_text = "-"
            usage_text = f"{usage['nnlib']:.2f}, -"
        print(f"| {batch_size} | {wall['nnlib']:.3f} | {keras_text} | {ratio} | {cpu_text} | "
              f"{usage_text} | {rate:.0f} | {100 * rate / ceiling:.0f}% | {load:.1f} |")


def check_one_thread(results):
    """A process bound to one core cannot use more CPU time than wall time: say so loudly if a
    library escaped its pin."""
    for batch_size, times, _ in results:
        for name, ts in times.items():
            usage = statistics.median(t[1] / t[0] for t in ts)
            if usage > 1.02:
                print(f"WARNING: one-thread {name} at batch {batch_size} used {usage:.2f} CPU "
                      "seconds per second: it is not running in one thread.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per batch size")
    parser.add_argument("--rows", type=int, default=60_000, help="training rows")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128, 512])
    parser.add_argument("--loss", default="sparse_categorical_crossentropy",
                        choices=["sparse_categorical_crossentropy", "categorical_crossentropy"])
    parser.add_argument("--no-keras", action="store_true", help="time nnlib alone")
    parser.add_argument("--settings", nargs="+", default=["default", "one"],
                        choices=["default", "one"],
                        help="default threads, one thread, or both (the default)")
    parser.add_argument("--own-kernels-only", action="store_true",
                        help="skip the settings with the kernels OPENBLAS_CORETYPE forces")
    parser.add_argument("--worker", choices=["nnlib", "keras"], help=argparse.SUPPRESS)
    parser.add_argument("--core", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.rows, args.loss, args.core)

    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"note: load average {load:.1f} on {os.cpu_count()} CPUs: other processes compete "
              "for the cores, so wall-clock times mostly measure scheduling; compare the CPU "
              "times and the one-thread pair (a multithreaded BLAS slows down badly when cores "
              "are oversubscribed).")
    libraries = ["nnlib"] if args.no_keras else ["nnlib", "keras"]
    print(f"{args.rows} rows, {args.epochs} timed epochs per batch size, loss {args.loss}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    settings = ["default threads" if s == "default" else "one thread" for s in args.settings]
    if FORCED_KERNEL and not args.own_kernels_only:
        print(f"note: this environment sets OPENBLAS_CORETYPE={FORCED_KERNEL}: every setting is "
              "measured with OpenBLAS's own choice of kernels and with that one")
        settings += [f"{setting}, OPENBLAS_CORETYPE={FORCED_KERNEL}" for setting in settings]
    measured = {setting: measure(setting, libraries, args) for setting in settings}

    for setting, (results, ceiling) in measured.items():
        print_table(setting, results, ceiling, args.rows)
        if setting.startswith("one thread"):
            check_one_thread(results)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    print(f"numpy.matmul ceiling: 512x784 @ 784x256, float32, one thread; "
          f"{flops_per_row() / 1e6:.2f} MFLOP per training row.")


if __name__ == "__main__":
    main()
