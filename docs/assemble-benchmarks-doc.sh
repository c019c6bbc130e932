#!/usr/bin/env bash
# Rebuilds docs/benchmarks.md from its hand-written parts and the reports (--out=FILE) of full runs, each given as
# TITLE=FILE; its "## Results" heading becomes "## Results TITLE", e.g.
#   docs/assemble-benchmarks-doc.sh "A: JDK 17=benchmark-runs/2026-12-02-0450-jdk17.md" "B: JDK 25=benchmark-runs/….md"
# The runs shown since 2026-12-02 13:30: "E: JDK 17, 2026-12-02 afternoon engine=benchmark-runs/2026-12-02-1310-jdk17.md",
# then "D: JDK 17, 2026-12-02 morning engine=benchmark-runs/2026-12-02-0427-jdk17.md", then
# the earlier engine's, titled "... (engine of 2026-11-22)". The runs shown until 2026-12: "A: JDK 17, latest engine=benchmark-runs/2026-11-22-2039-jdk17.md",
# "B: JDK 25, latest engine, with virtual threads=benchmark-runs/2026-11-22-2045-jdk25.md" and
# "C: JDK 17, engine before the changes 7e3e682, 7bd567f and 126771d=benchmark-runs/2026-11-22-2013-jdk17.md".
set -euo pipefail
cd "$(dirname "$0")"
{
  cat benchmarks-header.md
  cat benchmarks-2026-12.md
  cat benchmarks-targets.md
  cat benchmarks-findings.md
  cat benchmarks-experiments.md
  for run in "$@"; do
    title="${run%%=*}"
    echo
    sed "s|^## Results\$|## Results ${title}|" "${run#*=}"
  done
} > benchmarks.md
