#!/bin/bash
# Grade one assignment of a large class as N shards with a Slurm job array, then record them all.
#
#   deploy/slurm-array.sh activations /shared/course 8
#
# submits N array tasks (task K runs `nngrade grade A --shard K/N`, judging only its students into
# nngrade-results/) and one merge job that starts when every task has ended (`nngrade merge A`
# records all verdicts in the gradebook, feedback, grades.csv and the report, exactly as one run).
# The merge waits with afterany, not afterok: after a failed task is resubmitted
#   sbatch --array=K deploy/slurm-array.sh activations /shared/course 8
# afterok could never be satisfied. The merge itself refuses (exit 2, naming the students) while a
# shard's verdicts are missing; then run it again by hand once the resubmitted task is done:
#   NNGRADE_STEP=merge deploy/slurm-array.sh activations /shared/course 8
# It succeeds when every file is written, even if some submissions could not be graded fully (its
# log lists them). Requirements: the course folder on a file system every node sees, and `nngrade`
# on PATH in the batch environment (activate the course's .venv in your job's environment, or set
# NNGRADE=/path/to/.venv/bin/nngrade). See docs/instructors/grading.md.
#SBATCH --job-name=nngrade
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=04:00:00
set -euo pipefail
nngrade=${NNGRADE:-nngrade}
command -v "$nngrade" >/dev/null || { echo "slurm-array.sh: $nngrade is not on PATH (set NNGRADE=/path/to/.venv/bin/nngrade)" >&2; exit 2; }

assignment=${1:?usage: slurm-array.sh ASSIGNMENT COURSE_DIR SHARDS}
course=${2:?usage: slurm-array.sh ASSIGNMENT COURSE_DIR SHARDS}
shards=${3:?usage: slurm-array.sh ASSIGNMENT COURSE_DIR SHARDS}

if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
    # One array task: judge shard K of N (no gradebook writes).
    exec "$nngrade" grade "$assignment" --course-dir "$course" --shard "$SLURM_ARRAY_TASK_ID/$shards" \
        --jobs "${SLURM_CPUS_PER_TASK:-2}"
elif [ "${NNGRADE_STEP:-}" = merge ]; then
    # After every task succeeded: record them all.
    exec "$nngrade" merge "$assignment" --course-dir "$course" --allow-incomplete
else
    # On the login node: submit the array and the merge that waits for it.
    array=$(sbatch --parsable --array="0-$((shards - 1))" "$0" "$assignment" "$course" "$shards")
    sbatch --dependency="afterany:${array%%;*}" --export=ALL,NNGRADE_STEP=merge "$0" "$assignment" "$course" "$shards"
fi
