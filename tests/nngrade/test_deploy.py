"""The batch-system files in deploy/ call exactly the commands `nngrade` has, with valid options."""

import os
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from nngrade.cli import build_parser
from nngrade.plan import Shard

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _stub_nngrade(tmp_path):
    """An `nngrade` (and `sbatch`) on PATH that only writes down how it was called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("nngrade", "sbatch"):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nprintf "%s\\n" "{name}" "$@" >> "{tmp_path}/calls"\necho 4242\n')
        script.chmod(0o755)
    return bin_dir


def _calls(tmp_path):
    text = (tmp_path / "calls").read_text().split("\n")
    calls, current = [], None
    for line in text:
        if line in ("nngrade", "sbatch"):
            current = [line]
            calls.append(current)
        elif current is not None and line:
            current.append(line)
    return calls


def _slurm(tmp_path, **env):
    environment = dict(os.environ, PATH=f"{_stub_nngrade(tmp_path)}:{os.environ['PATH']}", **env)
    done = subprocess.run(["bash", str(DEPLOY / "slurm-array.sh"), "activations", "/shared/course", "3"],
                          env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return _calls(tmp_path)


def test_a_slurm_array_task_grades_its_shard(tmp_path):
    [call] = _slurm(tmp_path, SLURM_ARRAY_TASK_ID="2", SLURM_CPUS_PER_TASK="4")
    assert call[:2] == ["nngrade", "grade"]
    args = build_parser().parse_args(call[1:])
    assert (args.assignment, args.course_dir, args.shard, args.jobs) == ("activations", "/shared/course", "2/3", 4)
    assert Shard.parse(args.shard) == Shard(2, 3)


def test_the_slurm_script_submits_the_array_then_a_merge_that_waits_for_it(tmp_path):
    array, merge = _slurm(tmp_path)
    assert array[0] == "sbatch" and "--array=0-2" in array
    assert merge[0] == "sbatch" and "--dependency=afterany:4242" in merge and "--export=ALL,NNGRADE_STEP=merge" in merge
    (tmp_path / "calls").unlink()
    [call] = _slurm(tmp_path, NNGRADE_STEP="merge")
    args = build_parser().parse_args(call[1:])
    assert args.command == "merge" and args.assignment == "activations" and args.course_dir == "/shared/course"


def test_the_kubernetes_indexed_job_grades_one_shard_per_index_and_a_merge_records_them():
    volume, shards, merge = yaml.safe_load_all((DEPLOY / "kubernetes-indexed-job.yaml").read_text())
    assert volume["kind"] == "PersistentVolumeClaim" and "ReadWriteMany" in volume["spec"]["accessModes"]
    assert shards["kind"] == "Job" and shards["spec"]["completionMode"] == "Indexed"
    container = shards["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert int(env["SHARDS"]) == shards["spec"]["completions"]
    for index in range(shards["spec"]["completions"]):
        command = container["args"][0]
        for name, value in {**env, "JOB_COMPLETION_INDEX": str(index)}.items():
            command = command.replace(f'"${name}"', value).replace(f"${name}", value)
        words = shlex.split(command)
        assert words[:3] == ["exec", "nngrade", "grade"]
        args = build_parser().parse_args(words[2:])
        assert Shard.parse(args.shard) == Shard(index, int(env["SHARDS"]))
    words = shlex.split(merge["spec"]["template"]["spec"]["containers"][0]["args"][0].replace("$ASSIGNMENT", "a"))
    assert build_parser().parse_args(words[2:]).command == "merge"


@pytest.mark.parametrize("version", [f"1.{minor}.0" for minor in range(28, 38)])
def test_the_manifests_are_valid_for_every_kubernetes_we_support(version):
    """Kubernetes's own schemas (bundled by kubernetes-validate), strict: no unknown field anywhere."""
    import kubernetes_validate

    for resource in yaml.safe_load_all((DEPLOY / "kubernetes-indexed-job.yaml").read_text()):
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_manifests_fail_validation_where_they_should():
    import kubernetes_validate

    job = list(yaml.safe_load_all((DEPLOY / "kubernetes-indexed-job.yaml").read_text()))[1]
    job["spec"]["backoffLimitPerIndx"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, "1.28.0", strict=True)


def test_the_merge_job_passes_when_only_incomplete_students_remain(tmp_path, capsys):
    """`--allow-incomplete`: every file written, some submission incomplete -> 0; verdicts missing -> 2."""
    import shutil

    from nngrade import demo
    from nngrade.cli import main
    from nngrade.notebook import read_notebook

    fixture = Path(__file__).parent / "fixtures" / "course"
    root = tmp_path / "course"
    shutil.copytree(fixture, root)
    demo.write(demo.solved(read_notebook(fixture / "solutions" / "toy" / "toy.ipynb")),
               root / "submitted" / "ada" / "toy" / "toy.ipynb")
    (root / "submitted" / "fay" / "toy").mkdir(parents=True)
    (root / "submitted" / "fay" / "toy" / "toy.ipynb").write_text("{ not json")
    merge = ["merge", "toy", "--course-dir", str(root), "--no-feedback", "--cell-timeout", "5", "--allow-incomplete"]
    assert main(merge) == 2 and "run their shards first" in capsys.readouterr().err
    for index in range(2):
        assert main(["grade", "toy", "--course-dir", str(root), "--shard", f"{index}/2", "--jobs", "1",
                     "--cell-timeout", "5"]) in (0, 2)
    assert main(merge) == 0
    assert "fay" in capsys.readouterr().out.split("could not be graded fully")[1]
    assert main(merge[:-1]) == 2


def test_the_dockerfile_installs_the_course_as_the_readme_does():
    text = (DEPLOY / "Dockerfile").read_text()
    repo = DEPLOY.parent
    for line in text.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (repo / source).exists(), source
    assert "-c constraints.txt '.[grading]'" in text and "python:3.12" in text
    assert "ENV PATH=/opt/course/.venv/bin:$PATH" in text  # nngrade on PATH, as the Jobs call it
