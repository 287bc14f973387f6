# The same computation as hot_loop.dg, written directly in Python, for the speed comparison.
import time


def run():
    rows = list(range(20))
    cols = list(range(50))
    m = {}
    total = 0
    for r in rows:
        for c in cols:
            v = r * 50 + c
            total = total + v * 3 % 7
            m[v] = total
    return total + len(m)


N = 2000
start = time.perf_counter()
for _ in range(N):
    result = run()
elapsed = time.perf_counter() - start
print(f"result {result}; mean run {elapsed / N * 1e9:.0f} ns over {N} runs")
