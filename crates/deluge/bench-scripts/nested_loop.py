# The same computation as nested_loop.dg, written directly in Python, for the speed comparison.
import time


def run():
    xs = list(range(100))
    m = {}
    total = 0
    for a in xs:
        for b in xs:
            for c in xs:
                v = a * 10000 + b * 100 + c
                total = total + v * 3 % 7
                m[v % 10000] = total
    return total + len(m)


N = 5
start = time.perf_counter()
for _ in range(N):
    result = run()
elapsed = time.perf_counter() - start
print(f"result {result}; mean run {elapsed / N * 1e9:.0f} ns over {N} runs")
