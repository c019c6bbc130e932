#!/usr/bin/env bash
# Rebuilds docs/benchmarks.md from its hand-written parts and the reports (--out=FILE) of full runs:
#   docs/assemble-benchmarks-doc.sh RUN-A.md RUN-B.md RUN-C.md
# (the runs shown now: benchmark-runs/2026-11-22-A-jdk17.md, -B-jdk25.md, -C-jdk17.md)
set -euo pipefail
cd "$(dirname "$0")"
{
  cat benchmarks-header.md
  cat benchmarks-targets.md
  cat benchmarks-findings.md
  cat benchmarks-experiments.md
  echo
  sed 's/^## Results$/## Results A: JDK 17, latest engine/' "$1"
  echo
  sed 's/^## Results$/## Results B: JDK 25, with virtual threads/' "$2"
  echo
  sed 's/^## Results$/## Results C: JDK 17, before the last merge from main (less loaded machine)/' "$3" \
    | sed 's/^- load average at start:/- note: this run counted "not detected" (workload 5) at ≥ 20 ms rather than ≥ 18 ms (90 % of the block), so its ThreadPoolExecutor(1) rows show 39\/40 where B in fact waited for A, as in the other runs\n&/'
} > benchmarks.md
