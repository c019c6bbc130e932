package dev.cmwq.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import static dev.cmwq.bench.Table.f;

/**
 * Runs the suite: {@code java -jar benchmarks/target/benchmarks.jar [options]}. See {@link #usage()}.
 */
public final class BenchMain {

	private BenchMain() {
	}

	static String usage() {
		return """
				usage: java -jar benchmarks/target/benchmarks.jar [options]
				  --workloads=1,2,...,12      which workloads (default all; 1 is JMH, 2-7 the scenario harness, 8 scaling,
				                              9 blocking hints, 10 heap per queued item, 11 flood, 12 durable items)
				  --contenders=CMWQ,TPE,...   subset of CMWQ, TPE, FJP, CACHED, SPRING, VIRTUAL, CMWQ_VT_MANAGED,
				                              CMWQ_VT_SCHEDULER (the last three need JDK 21+)
				  --quick                     short runs for development (the report is marked not valid)
				  --rounds=N                  batches per row of workloads 2 and 3; the median is reported (default 1)
				  --max-load=X                refuse to run when the 1-minute load average is above X (default cores / 2)
				  --wait=SECONDS              first wait up to this long for the load average to fall to it (default 300)
				  --force                     run anyway, for development (the report is marked not valid)
				  --out=FILE                  also write the markdown report to FILE
				  --jmh ARGS...               run JMH's own command line instead (e.g. --jmh TinyTasks -p contender=CMWQ)
				""";
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("--jmh")) {
			org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
			return;
		}
		Scenarios.Options options = new Scenarios.Options();
		Path outFile = null;
		boolean force = false;
		double maxLoad = options.ncpu / 2.0;
		long waitSeconds = 300;
		for (String arg : args) {
			if (arg.equals("--quick")) {
				options.quick();
			}
			else if (arg.equals("--force")) {
				force = true;
			}
			else if (arg.startsWith("--rounds=")) {
				options.rounds = Integer.parseInt(arg.substring(9));
			}
			else if (arg.startsWith("--max-load=")) {
				maxLoad = Double.parseDouble(arg.substring(11));
			}
			else if (arg.startsWith("--wait=")) {
				waitSeconds = Long.parseLong(arg.substring(7));
			}
			else if (arg.startsWith("--workloads=")) {
				TreeSet<Integer> w = new TreeSet<>();
				for (String s : arg.substring(12).split(",")) {
					w.add(Integer.parseInt(s.trim()));
				}
				options.workloads = w;
			}
			else if (arg.startsWith("--contenders=")) {
				List<Contender> cs = new ArrayList<>();
				for (String s : arg.substring(13).split(",")) {
					Contender c = Contender.valueOf(s.trim().toUpperCase());
					if (c.available()) {
						cs.add(c);
					}
					else {
						System.err.println("[bench] " + c + " is not available on JDK " + Runtime.version().feature());
					}
				}
				options.contenders = cs;
			}
			else if (arg.startsWith("--out=")) {
				outFile = Path.of(arg.substring(6));
			}
			else {
				System.err.print(usage());
				System.exit(arg.equals("--help") ? 0 : 2);
			}
		}
		// before any benchmark thread runs, as the load averages count this JVM's threads too
		long waited = force ? 0 : waitForQuiet(maxLoad, waitSeconds);
		String startLoad = MachineLoad.loadAverages();
		double startLoad1 = MachineLoad.oneMinute();
		if (startLoad1 > maxLoad && !force) {
			System.err.printf(Locale.ROOT, "[bench] refusing to run: the 1-minute load average is %.2f, above %.2f "
					+ "(--max-load, default cores / 2) after waiting %d s for it to fall (--wait). Other processes "
					+ "would stretch the numbers unevenly. Run it when the machine is quiet, or pass --force for a "
					+ "development run (its report is marked not valid).%n", startLoad1, maxLoad, waited);
			System.exit(3);
		}
		MachineLoad.Others startOthers = MachineLoad.others(1000);
		String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
		String header = f("## Results%n%n- date: %s%n- JDK: %s %s (%s)%n- cores: %d%n- arguments: `%s`%n- contenders: "
				+ "%s%n", date, System.getProperty("java.vm.vendor"), Runtime.version(),
				System.getProperty("java.vm.name"), options.ncpu, String.join(" ", args), labels(options));
		System.out.println(header);

		StringBuilder body = new StringBuilder();
		Consumer<String> out = (text) -> {
			System.out.println(text);
			body.append(text);
		};
		if (options.workloads.contains(1)) {
			out.accept(tinyTasks(options));
		}
		new Scenarios(options, out).run();
		if (options.workloads.contains(8)) {
			new Scaling(options, out).run();
		}
		if (options.workloads.contains(9)) {
			out.accept(BlockingHintsBench.run(options));
		}
		if (options.workloads.contains(10)) {
			out.accept(Memory.heapPerItem(options));
		}
		if (options.workloads.contains(11)) {
			out.accept(Memory.flood(options));
		}
		if (options.workloads.contains(12)) {
			out.accept(DurableBench.run(options));
		}

		// everything is closed: the JVM is idle but for this thread, so the runnable tasks are other processes'
		System.gc();
		Thread.sleep(500);
		MachineLoad.Others endOthers = MachineLoad.others(2000);
		String endLoad = MachineLoad.loadAverages();

		List<String> invalid = new ArrayList<>();
		if (force) {
			invalid.add(f("--force (1-minute load average at start %.2f, limit %.2f)", startLoad1, maxLoad));
		}
		if (options.quick) {
			invalid.add("--quick (short runs)");
		}
		if (endOthers.mean() > maxLoad) {
			invalid.add(f("other processes' load at the end, %.2f runnable tasks, is above %.2f", endOthers.mean(),
					maxLoad));
		}
		String summary = f("- valid: %s%n", invalid.isEmpty() ? "yes" : "**NOT VALID**: " + String.join("; ", invalid))
				+ f("- machine load at start, before any benchmark thread: load average %s (after waiting %d s for it "
						+ "to fall to %.2f); other processes' runnable tasks %s%n", startLoad, waited, maxLoad,
						startOthers)
				+ f("- machine load at the end, after closing everything: other processes' runnable tasks %s "
						+ "(this JVM's running threads subtracted); load average %s (it still counts this run's "
						+ "threads of the last minutes)%n", endOthers, endLoad)
				+ f("%n### Targets%n%n") + options.targets.table();
		System.out.println(summary);
		if (outFile != null) {
			Files.writeString(outFile, header + summary + body);
			System.err.println("[bench] report written to " + outFile);
		}
		System.exit(0);
	}

	/**
	 * Waits, up to {@code seconds}, for the 1-minute load average to fall to {@code maxLoad} (the kernel updates it
	 * every 5 s; it decays by a factor e a minute once the machine is quiet). Returns the seconds waited.
	 */
	private static long waitForQuiet(double maxLoad, long seconds) throws InterruptedException {
		long start = System.nanoTime();
		for (int i = 0; MachineLoad.oneMinute() > maxLoad && i * 5 < seconds; i++) {
			if (i % 6 == 0) {
				System.err.printf(Locale.ROOT, "[bench] waiting for the 1-minute load average (%s) to fall to %.2f, "
						+ "at most %d s more%n", MachineLoad.loadAverages(), maxLoad, seconds - i * 5);
			}
			Thread.sleep(5000);
		}
		return (System.nanoTime() - start) / 1_000_000_000;
	}

	private static String labels(Scenarios.Options options) {
		List<String> l = new ArrayList<>();
		for (Contender c : options.contenders) {
			l.add(c.label(options.ncpu));
		}
		return String.join(", ", l);
	}

	/** Runs {@link TinyTasks} through JMH's API (in a fork) for these contenders and {@code cpus} values. */
	static Collection<RunResult> jmh(String[] contenders, String[] cpus, int warmups, int measurements)
			throws Exception {
		ChainedOptionsBuilder builder = new OptionsBuilder().include(TinyTasks.class.getName() + "\\.")
			.param("contender", contenders)
			.param("cpus", cpus)
			.forks(1)
			.jvmArgsAppend("-Xmx1g")
			.warmupIterations(warmups)
			.warmupTime(TimeValue.seconds(1))
			.measurementIterations(measurements)
			.measurementTime(TimeValue.seconds(1))
			.timeUnit(TimeUnit.SECONDS)
			.shouldFailOnError(true);
		return new Runner(builder.build()).run();
	}

	/** Workload 1; returns the table. */
	static String tinyTasks(Scenarios.Options options) throws Exception {
		String[] names = options.contenders.stream().map(Enum::name).toArray(String[]::new);
		int warmups = options.quick ? 1 : 3;
		int measurements = options.quick ? 2 : 5;
		Collection<RunResult> results = jmh(names, new String[] { "0" }, warmups, measurements);
		Map<String, double[]> scores = new LinkedHashMap<>();
		for (String name : names) {
			scores.put(name, new double[4]);
		}
		for (RunResult r : results) {
			String contender = r.getParams().getParam("contender");
			boolean two = r.getParams().getBenchmark().endsWith("producers2");
			double[] s = scores.get(contender);
			s[two ? 2 : 0] = r.getPrimaryResult().getScore();
			s[two ? 3 : 1] = r.getPrimaryResult().getScoreError();
		}
		double[] tpe = scores.get(Contender.TPE.name());
		double[] fjp = scores.get(Contender.FJP.name());
		double[] cmwq = scores.get(Contender.CMWQ.name());
		Table table = new Table("contender", "1 producer (tasks/s)", "2 producers (tasks/s)", "× TPE (1p)",
				"× TPE (2p)", "× FJP (2p)");
		for (Map.Entry<String, double[]> e : scores.entrySet()) {
			double[] s = e.getValue();
			table.row(Contender.valueOf(e.getKey()).label(options.ncpu), mops(s[0], s[1]), mops(s[2], s[3]),
					(tpe != null) ? f("%.2f", s[0] / tpe[0]) : "—", (tpe != null) ? f("%.2f", s[2] / tpe[2]) : "—",
					(fjp != null) ? f("%.2f", s[2] / fjp[2]) : "—");
		}
		if (cmwq != null && tpe != null) {
			options.targets.record(Targets.TINY_1P, f("%.2f × TPE", cmwq[0] / tpe[0]), cmwq[0] >= tpe[0]);
			options.targets.record(Targets.TINY_2P, f("%.2f × TPE", cmwq[2] / tpe[2]), cmwq[2] >= tpe[2]);
		}
		if (cmwq != null && fjp != null) {
			options.targets.record(Targets.TINY_2P_FJP, f("%.2f × FJP", cmwq[2] / fjp[2]), cmwq[2] >= fjp[2]);
		}
		return f("%n### Workload 1: tiny tasks (JMH)%n%n`execute(Runnable)` of a task that only counts itself done, "
				+ "from 1 and 2 producer threads, each keeping at most %d tasks in flight; score = tasks executed per "
				+ "second (JMH throughput, 1 fork, %d × 1 s measured after %d × 1 s warm-up; ± is JMH's 99.9%% "
				+ "error). All ratios are between contenders of this run. Target: cmwq ≥ 1.0 × "
				+ "ThreadPoolExecutor(n) with 1 and with 2 producers (stretch: ≥ ForkJoinPool(n)).%n%n",
				TinyTasks.WINDOW, measurements, warmups) + table + f("%n") + Scenarios.loadLine() + f("%n");
	}

	private static String mops(double score, double error) {
		if (Double.isNaN(error)) {
			return f("%.2f M", score / 1e6);
		}
		return f("%.2f M ± %.2f", score / 1e6, error / 1e6);
	}

}
