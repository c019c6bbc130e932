#!/usr/bin/env bash
# Rebuilds docs/benchmarks.md from its hand-written parts and the reports (--out=FILE) of full runs:
#   docs/assemble-benchmarks-doc.sh RUN-A.md RUN-B.md RUN-C.md
# The runs shown now (A, B, C): benchmark-runs/2026-11-22-2039-jdk17.md, 2026-11-22-2045-jdk25.md and
# 2026-11-22-2013-jdk17.md. The earlier full runs (1953-jdk17, 2005-jdk25) are kept there too.
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
  sed 's/^## Results$/## Results B: JDK 25, latest engine, with virtual threads/' "$2"
  echo
  sed 's/^## Results$/## Results C: JDK 17, engine before the changes 7e3e682, 7bd567f and 126771d/' "$3"
} > benchmarks.md
