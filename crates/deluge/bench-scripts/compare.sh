#!/usr/bin/env bash
# Runs a Deluge benchmark script (cliqd deluge bench) and its Python twin (CPython) in
# alternation and prints each round, the best, mean and median time per run of both, and the
# ratios python/deluge (above 1 means Deluge is faster). Build first: cargo build --release -p cliqd
#
#   compare.sh                 hot_loop.dg against hot_loop.py
#   compare.sh nested_loop     nested_loop.dg against nested_loop.py (a million iterations)
#
# Environment: ROUNDS (default 5), ITERATIONS (Deluge runs per round; default 3000 for
# hot_loop, 5 for nested_loop), CLIQD (default target/release/cliqd), PYTHON (default python3).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cliqd=${CLIQD:-$root/target/release/cliqd}
python=${PYTHON:-python3}
rounds=${ROUNDS:-5}
script=${1:-hot_loop}
case "$script" in
hot_loop) default_iterations=3000 ;;
*) default_iterations=5 ;;
esac
iterations=${ITERATIONS:-$default_iterations}

if [ ! -x "$cliqd" ]; then
    echo "no $cliqd: run cargo build --release -p cliqd first" >&2
    exit 1
fi
if [ ! -f "$here/$script.dg" ] || [ ! -f "$here/$script.py" ]; then
    echo "no $here/$script.dg or $here/$script.py" >&2
    exit 1
fi

deluge_ns=()
python_ns=()
for round in $(seq 1 "$rounds"); do
    d=$("$cliqd" deluge bench "$here/$script.dg" --iterations "$iterations" \
        --max-statements 100000000 --json |
        sed -n 's/.*"run_ns":\([0-9]*\).*/\1/p')
    p=$("$python" "$here/$script.py" | sed -n 's/.*mean run \([0-9]*\) ns.*/\1/p')
    if [ -z "$d" ] || [ -z "$p" ]; then
        echo "round $round: could not read a figure" >&2
        exit 1
    fi
    deluge_ns+=("$d")
    python_ns+=("$p")
    awk -v r="$round" -v d="$d" -v p="$p" 'BEGIN {
        printf "round %d: deluge %10.1f us   python %10.1f us   python/deluge %.2f\n", r, d / 1000, p / 1000, p / d }'
done

# best, mean and median of the arguments, in microseconds
stats() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1; s += $1 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
              printf "%.1f %.1f %.1f", v[1] / 1000, s / NR / 1000, m / 1000 }'
}
read -r d_best d_mean d_median <<<"$(stats "${deluge_ns[@]}")"
read -r p_best p_mean p_median <<<"$(stats "${python_ns[@]}")"
echo "$script deluge: best $d_best us, mean $d_mean us, median $d_median us per run ($rounds rounds of $iterations runs)"
echo "$script python: best $p_best us, mean $p_mean us, median $p_median us per run ($rounds rounds)"
awk -v db="$d_best" -v pb="$p_best" -v dm="$d_mean" -v pm="$p_mean" -v dd="$d_median" -v pd="$p_median" \
    'BEGIN { printf "python/deluge: %.2f (best of each), %.2f (means), %.2f (medians)\n", pb / db, pm / dm, pd / dd }'
