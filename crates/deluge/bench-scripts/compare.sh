#!/usr/bin/env bash
# Runs hot_loop.dg (cliqd deluge bench) and hot_loop.py (CPython) in alternation and prints
# each round, the mean and median time per run of both, and the ratio python/deluge
# (above 1 means Deluge is faster). Build first: cargo build --release -p cliqd
#
# Environment: ROUNDS (default 5), ITERATIONS (Deluge runs per round, default 3000),
# CLIQD (default target/release/cliqd), PYTHON (default python3).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cliqd=${CLIQD:-$root/target/release/cliqd}
python=${PYTHON:-python3}
rounds=${ROUNDS:-5}
iterations=${ITERATIONS:-3000}

if [ ! -x "$cliqd" ]; then
    echo "no $cliqd: run cargo build --release -p cliqd first" >&2
    exit 1
fi

deluge_ns=()
python_ns=()
for round in $(seq 1 "$rounds"); do
    d=$("$cliqd" deluge bench "$here/hot_loop.dg" --iterations "$iterations" --json |
        sed -n 's/.*"run_ns":\([0-9]*\).*/\1/p')
    p=$("$python" "$here/hot_loop.py" | sed -n 's/.*mean run \([0-9]*\) ns.*/\1/p')
    if [ -z "$d" ] || [ -z "$p" ]; then
        echo "round $round: could not read a figure" >&2
        exit 1
    fi
    deluge_ns+=("$d")
    python_ns+=("$p")
    awk -v r="$round" -v d="$d" -v p="$p" 'BEGIN {
        printf "round %d: deluge %8.1f us   python %8.1f us   python/deluge %.2f\n", r, d / 1000, p / 1000, p / d }'
done

# mean and median of the arguments, in microseconds
stats() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1; s += $1 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
              printf "%.1f %.1f", s / NR / 1000, m / 1000 }'
}
read -r d_mean d_median <<<"$(stats "${deluge_ns[@]}")"
read -r p_mean p_median <<<"$(stats "${python_ns[@]}")"
echo "deluge: mean $d_mean us, median $d_median us per run ($rounds rounds of $iterations runs)"
echo "python: mean $p_mean us, median $p_median us per run ($rounds rounds of 2000 runs)"
awk -v dm="$d_mean" -v pm="$p_mean" -v dd="$d_median" -v pd="$p_median" \
    'BEGIN { printf "python/deluge: %.2f (means), %.2f (medians)\n", pm / dm, pd / dd }'
