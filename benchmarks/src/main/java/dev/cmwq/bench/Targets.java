package dev.cmwq.bench;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.cmwq.bench.Table.f;

/**
 * The performance targets (docs/benchmarks.md), each filled in by the workload that measures it, for the summary at
 * the top of the report. A target whose workload did not run says so.
 */
final class Targets {

	static final String TINY_2P = "tiny2";

	static final String TINY_2P_FJP = "tiny2fjp";

	static final String TINY_1P = "tiny1";

	static final String ENGINE_CPU = "engineCpu";

	static final String HEAP_EXECUTE = "heapExecute";

	static final String HEAP_QUEUE_WORK = "heapQueueWork";

	static final String FLOOD = "flood";

	static final String BLOCKING_IO = "blockingIo";

	static final String QUEUE_TO_START = "queueToStart";

	static final String SCALING_64 = "scaling64";

	static final String SCALING_512 = "scaling512";

	private final int ncpu;

	/** key: target text, measured value, verdict. */
	private final Map<String, String[]> rows = new LinkedHashMap<>();

	/** The worst engine CPU per detected block seen so far, in µs. */
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
		add(ENGINE_CPU, "engine's own threads (detector, timer) while items block: ≤ 20 µs of CPU per detected "
				+ "block (worst cmwq row)", "2 and 3");
		add(BLOCKING_IO, "blocking I/O without hints: ≤ 1.10 × bound", 3);
		add(QUEUE_TO_START, "queue-to-start p50 at half load: ≤ ThreadPoolExecutor(n)", 4);
		add(SCALING_64, "per-item cost with cpus(64): ≤ 2 × cpus(2)", 8);
		add(SCALING_512, "per-item cost with cpus(512): ≤ 4 × cpus(2)", 8);
		add(HEAP_EXECUTE, "heap per queued `execute(Runnable)` item: ≤ 24 B", 10);
		add(HEAP_QUEUE_WORK, "heap per queued `@QueueWork` call: ≤ 150 B", 10);
		add(FLOOD, "flood of 10 M items, -Xmx512m, defaults: completes", 11);
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

	/** Engine CPU of one cmwq row of workloads 2 and 3: the summary keeps the worst per detected block. */
	void engineCpu(double percent, double usPerBlock, String where) {
		if (!Double.isNaN(usPerBlock) && usPerBlock > this.engineCpuMax) {
			this.engineCpuMax = usPerBlock;
			record(ENGINE_CPU, f("%.0f µs per block, %.2f %% of a core (%s)", usPerBlock, percent, where),
					usPerBlock <= 20);
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
