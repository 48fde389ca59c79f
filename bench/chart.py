"""Draws a benchmark result: CDC latency vs rate, full-load rows/s vs size (PNG beside the JSON)."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

result_file = sys.argv[1]
with open(result_file, encoding="utf-8") as f:
    r = json.load(f)

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
steps = r.get("deltas", [])
rates = [s["achieved"] for s in steps]
left.plot(rates, [s["p50"] for s in steps], "o-", label="p50")
left.plot(rates, [s["p99"] for s in steps], "s-", label="p99")
left.axhline(300, color="grey", linestyle="--", linewidth=1, label="goal p99 at 1000/s")
left.set_xscale("log")
left.set_xlabel("row changes/s (achieved)")
left.set_ylabel("commit -> decoded by a consumer (ms)")
left.set_title("CDC latency vs rate")
left.legend()

loads = r.get("fullLoads", [])
rows = [l["seeder"]["rows"] for l in loads]
right.plot(rows, [l["seeder"]["rowsPerSecond"] for l in loads], "o-", label="seeder, end to end")
right.plot(rows, [l["copy"]["rowsPerSecond"] for l in loads], "s--", label="COPY of the same rows (limit)")
right.set_xscale("log")
right.set_xlabel("rows per load")
right.set_ylabel("rows/s")
right.set_title("Full load vs size")
right.legend()

fig.tight_layout()
out = result_file.rsplit(".", 1)[0] + ".png"
fig.savefig(out, dpi=110)
print(f"chart: {out}")
