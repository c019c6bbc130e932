package dev.cmwq.bench;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.cmwq.bench.Table.f;

/**
 * The targets of issue 12 ("Engine performance"), each filled in by the workload that measures it, for the summary
 * at the top of the report. A target whose workload did not run says so.
 */
final class Targets {

	static final String TINY_2P = "tiny2";

	static final String TINY_2P_FJP = "tiny2fjp";

	static final String TINY_1P = "tiny1";

	static final String ENGINE_CPU = "engineCpu";

	private final int ncpu;

	/** key: target text, measured value, verdict. */
	private final Map<String, String[]> rows = new LinkedHashMap<>();

	/** The worst engine CPU share seen so far, and where. */
	private double engineCpuMax = -1;

	Targets(int ncpu) {
		this.ncpu = ncpu;
		add(TINY_2P, "tiny tasks, 2 producers: ≥ 1.0 × ThreadPoolExecutor(n)", 1);
		add(TINY_2P_FJP, "stretch: tiny tasks, 2 producers: ≥ 1.0 × ForkJoinPool(n)", 1);
		add(TINY_1P, "tiny tasks, 1 producer: ≥ 1.0 × ThreadPoolExecutor(n)", 1);
		for (int producers : new int[] { 1, ncpu }) {
			for (int sleepMs : Scenarios.MIXED_SLEEPS_MS) {
				add(mixed(sleepMs, producers), f("mixed, sleep %d ms, %d producer%s: ≤ 1.05 × bound, ≤ %d threads",
						sleepMs, producers, (producers == 1) ? "" : "s", Scenarios.targetThreads(ncpu, sleepMs)), 2);
			}
		}
		add(ENGINE_CPU, "engine's own threads (detector, timer) while items block: ≤ 3 % of one core (worst cmwq row)",
				"2 and 3");
		for (Scenarios.BlockKind kind : Scenarios.BlockKind.values()) {
			add(detection(kind), "detection, " + kind.label + ": p50 ≤ 150 µs, p99 ≤ 1 ms", 5);
		}
	}

	static String mixed(int sleepMs, int producers) {
		return "mixed" + sleepMs + "/" + producers;
	}

	static String detection(Scenarios.BlockKind kind) {
		return "detect" + kind;
	}

	private void add(String key, String text, Object workload) {
		this.rows.put(key, new String[] { text, "not measured (workload " + workload + " did not run)", "—" });
	}

	void record(String key, String measured, boolean met) {
		String[] row = this.rows.get(key);
		if (row == null) {
			return; // not a target on this machine (e.g. producers = ncpu = 1)
		}
		row[1] = measured;
		row[2] = met ? "met" : "**missed**";
	}

	/** Engine CPU of one cmwq row of workloads 2 and 3: the summary keeps the worst. */
	void engineCpu(double percent, String where) {
		if (percent > this.engineCpuMax) {
			this.engineCpuMax = percent;
			record(ENGINE_CPU, f("%.2f %% (%s)", percent, where), percent <= 3.0);
		}
	}

	String table() {
		Table table = new Table("target (cmwq, " + this.ncpu + " cores)", "measured", "verdict");
		for (String[] row : this.rows.values()) {
			table.row((Object[]) row);
		}
		return table.toString();
	}

}
