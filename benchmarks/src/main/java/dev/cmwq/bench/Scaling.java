package dev.cmwq.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.openjdk.jmh.results.RunResult;

import static dev.cmwq.bench.Table.f;

/**
 * Workload 8: the same work with cmwq at {@code cpus(n)} for n = 2, 8, 64, 512 simulated CPUs, on the machine's
 * real cores: the per-item cost of tiny tasks (JMH, in a fork), and the engine's own CPU while items block (the
 * mixed workload, scaled down).
 */
final class Scaling {

	static final int[] CPUS = { 2, 8, 64, 512 };

	private final Scenarios.Options o;

	private final Consumer<String> out;

	Scaling(Scenarios.Options options, Consumer<String> out) {
		this.o = options;
		this.out = out;
	}

	void run() throws Exception {
		String tiny = tinyTasks();
		String blocking = blocking();
		this.out.accept("\n### Workload 8: scaling the simulated CPUs\n\n" + tiny + "\n" + blocking + "\n"
				+ Scenarios.loadLine() + "\n");
	}

	private String tinyTasks() throws Exception {
		int warmups = this.o.quick ? 1 : 2;
		int measurements = this.o.quick ? 2 : 3;
		String[] cpus = new String[CPUS.length];
		for (int i = 0; i < CPUS.length; i++) {
			cpus[i] = String.valueOf(CPUS[i]);
		}
		Collection<RunResult> results = BenchMain.jmh(new String[] { Contender.CMWQ.name() }, cpus, warmups,
				measurements);
		Map<Integer, double[]> nsPerItem = new TreeMap<>(); // cpus -> {1 producer, 2 producers}
		for (RunResult r : results) {
			int n = Integer.parseInt(r.getParams().getParam("cpus"));
			boolean two = r.getParams().getBenchmark().endsWith("producers2");
			nsPerItem.computeIfAbsent(n, (k) -> new double[2])[two ? 1 : 0] = 1e9 / r.getPrimaryResult().getScore();
		}
		double[] base = nsPerItem.get(CPUS[0]);
		Table table = new Table("cpus(n)", "1 producer (ns/item)", "× n = " + CPUS[0], "2 producers (ns/item)",
				"× n = " + CPUS[0]);
		for (Map.Entry<Integer, double[]> e : nsPerItem.entrySet()) {
			double[] v = e.getValue();
			table.row(e.getKey(), f("%.0f", v[0]), f("%.2f", v[0] / base[0]), f("%.0f", v[1]),
					f("%.2f", v[1] / base[1]));
			double worst = Math.max(v[0] / base[0], v[1] / base[1]);
			if (e.getKey() == 64) {
				this.o.targets.record(Targets.SCALING_64, f("%.1f ×", worst), worst <= 2);
			}
			else if (e.getKey() == 512) {
				this.o.targets.record(Targets.SCALING_512, f("%.1f ×", worst), worst <= 4);
			}
		}
		return f("**Tiny tasks** (workload 1's JMH benchmark, contender cmwq, parameter `cpus`; 1 fork, %d × 1 s "
				+ "measured after %d × 1 s warm-up): wall time per executed item = 1 / throughput of all producers."
				+ "%n%n", measurements, warmups) + table;
	}

	private String blocking() throws InterruptedException {
		int real = this.o.ncpu;
		int items = this.o.mixedItems / 5;
		long burn = Load.ms(1);
		long sleep = Load.ms(5);
		long bound = items * 2 * burn / real;
		Runnable item = () -> {
			Load.burn(burn);
			Load.sleep(sleep);
			Load.burn(burn);
		};
		Table table = new Table("cpus(n)", "makespan", "× bound", "peak workers", "detector CPU", "timer CPU",
				"detector wake-ups/s", "CPU per wake-up", "notes");
		for (int n : CPUS) {
			System.err.println("[bench] W8 cpus(" + n + ")");
			try (Contender.Family family = Contender.CMWQ.open(n)) {
				Executor ex = family.create();
				Scenarios.runBatch(ex, real, Math.max(20, items / 10), item); // warm up, starts the detector
				Thread.sleep(100);
				family.threads.resetPeak();
				long detector0 = Scenarios.cpuNanosOf(Scenarios.DETECTOR);
				long timer0 = Scenarios.cpuNanosOf(Scenarios.TIMER);
				long[] sched0 = detectorSchedstat();
				long makespan = Scenarios.runBatch(ex, real, items, item);
				long detector = Scenarios.cpuNanosOf(Scenarios.DETECTOR) - detector0;
				long timer = Scenarios.cpuNanosOf(Scenarios.TIMER) - timer0;
				long[] sched1 = detectorSchedstat();
				String wakeups = "—";
				String perWakeup = "—";
				if (sched0 != null && sched1 != null && sched1[1] > sched0[1]) {
					long slices = sched1[1] - sched0[1];
					wakeups = f("%.0f", slices * 1e9 / makespan);
					perWakeup = Scenarios.us((sched1[0] - sched0[0]) / slices);
				}
				table.row(n, Scenarios.s(makespan), f("%.2f", makespan / (double) bound), family.threads.peak(),
						f("%.2f %%", 100.0 * detector / makespan), f("%.2f %%", 100.0 * timer / makespan), wakeups,
						perWakeup, Scenarios.cmStats(ex));
			}
		}
		return f("**Blocking items** (workload 2 scaled down: %d items of burn 1 ms, sleep 5 ms, burn 1 ms from %d "
				+ "producers; bound = total burn / %d real cores = %s). Detector and timer CPU: ThreadMXBean CPU time of "
				+ "the threads `%s` and `%s` over the makespan, in %% of one core. Wake-ups: times the detector thread "
				+ "got a CPU (3rd field of its /proc/self/task/<tid>/schedstat); each scan ends in a timed park, so "
				+ "this counts scans (a scan preempted halfway counts twice); CPU per wake-up ≈ the cost of one scan "
				+ "(schedstat's CPU time over those wake-ups).%n%n", items, real, real, Scenarios.s(bound),
				Scenarios.DETECTOR, Scenarios.TIMER) + table;
	}

	/**
	 * The block detector's {CPU ns, times run on a CPU} from its /proc/self/task/&lt;tid&gt;/schedstat, found by its
	 * native (15-character) name; null without /proc or without a detector thread.
	 */
	private static long[] detectorSchedstat() {
		String comm = Scenarios.DETECTOR.substring(0, 15);
		try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
			for (Path task : dir) {
				try {
					if (Files.readString(task.resolve("comm")).trim().equals(comm)) {
						String[] fields = Files.readString(task.resolve("schedstat")).trim().split("\\s+");
						return new long[] { Long.parseLong(fields[0]), Long.parseLong(fields[2]) };
					}
				}
				catch (IOException | RuntimeException ex) {
					// the thread exited meanwhile
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
		return null;
	}

}
