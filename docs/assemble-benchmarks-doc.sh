#!/usr/bin/env bash
# Rebuilds docs/benchmarks.md from its hand-written parts and the reports (--out=FILE) of full runs:
#   docs/assemble-benchmarks-doc.sh RUN-A.md RUN-B.md RUN-C.md
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
  sed 's/^## Results$/## Results C: JDK 17, before the last merge from main (less loaded machine)/' "$3"
} > benchmarks.md
