package dev.cmwq.bench;

import java.io.IOException;
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
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

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
				  --workloads=1,2,3,4,5,6,7,8 which workloads (default all; 1 is JMH, 2-8 the scenario harness)
				  --contenders=CMWQ,TPE,...   subset of CMWQ, TPE, FJP, CACHED, SPRING, VIRTUAL (VIRTUAL needs JDK 21+)
				  --quick                     short runs for development (not for reporting)
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
		for (String arg : args) {
			if (arg.equals("--quick")) {
				options.quick();
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
		StringBuilder report = new StringBuilder();
		String header = f("## Results%n%n- date: %s%n- JDK: %s %s (%s)%n- cores: %d%n- arguments: `%s`%n- contenders: %s%n- load average at start: %s%n",
				ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
				System.getProperty("java.vm.vendor"), Runtime.version(), System.getProperty("java.vm.name"),
				options.ncpu, String.join(" ", args), labels(options), Scenarios.loadAverage());
		System.out.println(header);
		report.append(header);
		if (options.workloads.contains(1)) {
			String jmh = tinyTasks(options);
			System.out.println(jmh);
			report.append(jmh);
		}
		new Scenarios(options, (text) -> {
			System.out.println(text);
			report.append(text);
		}).run();
		if (options.workloads.contains(8)) {
			String hints = BlockingHintsBench.run(options);
			System.out.println(hints);
			report.append(hints);
		}
		if (outFile != null) {
			Files.writeString(outFile, report.toString());
			System.err.println("[bench] report written to " + outFile);
		}
		System.exit(0);
	}

	private static String labels(Scenarios.Options options) {
		List<String> l = new ArrayList<>();
		for (Contender c : options.contenders) {
			l.add(c.label(options.ncpu));
		}
		return String.join(", ", l);
	}

	/** Workload 1 through JMH's API; returns the table. */
	static String tinyTasks(Scenarios.Options options) throws Exception {
		String[] names = options.contenders.stream().map(Enum::name).toArray(String[]::new);
		ChainedOptionsBuilder builder = new OptionsBuilder().include(TinyTasks.class.getName() + "\\.")
			.param("contender", names)
			.forks(1)
			.jvmArgsAppend("-Xmx1g")
			.warmupIterations(options.quick ? 1 : 3)
			.warmupTime(TimeValue.seconds(1))
			.measurementIterations(options.quick ? 2 : 5)
			.measurementTime(TimeValue.seconds(1))
			.timeUnit(TimeUnit.SECONDS)
			.shouldFailOnError(true);
		Collection<RunResult> results = new Runner(builder.build()).run();
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
		Table table = new Table("contender", "1 producer (tasks/s)", "2 producers (tasks/s)", "× TPE (1p)",
				"× TPE (2p)", "× FJP (2p)");
		for (Map.Entry<String, double[]> e : scores.entrySet()) {
			double[] s = e.getValue();
			table.row(Contender.valueOf(e.getKey()).label(options.ncpu), mops(s[0], s[1]), mops(s[2], s[3]),
					(tpe != null) ? f("%.2f", s[0] / tpe[0]) : "—", (tpe != null) ? f("%.2f", s[2] / tpe[2]) : "—",
					(fjp != null) ? f("%.2f", s[2] / fjp[2]) : "—");
		}
		return f("%n### Workload 1: tiny tasks (JMH)%n%n`execute(Runnable)` of a task that only counts itself done, "
				+ "from 1 and 2 producer threads, each keeping at most %d tasks in flight; score = tasks executed per "
				+ "second (JMH throughput, 1 fork, %d × 1 s measured after %d × 1 s warm-up; ± is JMH's 99.9%% "
				+ "error). Target: cmwq ≥ 1.0 × ThreadPoolExecutor(n) (stretch: ≥ ForkJoinPool(n)).%n%n",
				TinyTasks.WINDOW, options.quick ? 2 : 5, options.quick ? 1 : 3) + table
				+ f("%n_Load average when this workload ended: %s._%n", Scenarios.loadAverage());
	}

	private static String mops(double score, double error) {
		if (Double.isNaN(error)) {
			return f("%.2f M", score / 1e6);
		}
		return f("%.2f M ± %.2f", score / 1e6, error / 1e6);
	}

}
