package dev.cmwq.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.cmwq.bench.Table.f;

/**
 * How busy the machine is with other processes. {@code /proc/loadavg}'s averages count this JVM's threads too (a
 * cached pool with 200 threads drives them to 15-25 by itself), so they are only read as is before any benchmark
 * thread runs. Later, other processes' load is estimated as the machine's runnable tasks (the 4th field of
 * {@code /proc/loadavg}) minus this JVM's threads in state R ({@code /proc/self/task/*&#47;stat}), sampled during an
 * idle pause once a workload's executors are closed.
 */
final class MachineLoad {

	private MachineLoad() {
	}

	/** The 1/5/15-minute load averages, as in {@code /proc/loadavg}; the JMX average where there is no /proc. */
	static String loadAverages() {
		try {
			String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return parts[0] + " " + parts[1] + " " + parts[2];
		}
		catch (IOException | RuntimeException ex) {
			return f("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		}
	}

	/** The 1-minute load average. */
	static double oneMinute() {
		return Double.parseDouble(loadAverages().split(" ")[0]);
	}

	/** Other processes' runnable tasks, sampled. */
	record Others(double mean, int max, int samples) {

		@Override
		public String toString() {
			if (this.samples == 0) {
				return "unknown (no /proc)";
			}
			return f("%.2f on average, at most %d (%d samples)", this.mean, this.max, this.samples);
		}

	}

	/**
	 * Samples other processes' runnable tasks every 50 ms for {@code millis}: the machine's runnable tasks minus this
	 * JVM's running threads. The sampling thread is running during both reads, so it cancels out. Call it while the
	 * benchmark is idle (its executors closed): this JVM's own threads are then not competing for the CPU.
	 */
	static Others others(long millis) throws InterruptedException {
		long end = System.nanoTime() + millis * 1_000_000;
		long sum = 0;
		int max = 0;
		int samples = 0;
		do {
			int machine = runnableTasks();
			int own = ownRunningThreads();
			if (machine >= 0 && own >= 0) {
				int others = Math.max(0, machine - own);
				sum += others;
				max = Math.max(max, others);
				samples++;
			}
			Thread.sleep(50);
		}
		while (System.nanoTime() - end < 0);
		return new Others((samples == 0) ? Double.NaN : sum / (double) samples, max, samples);
	}

	/** The machine's runnable tasks now ("R/T" in /proc/loadavg, R part); -1 without /proc. */
	private static int runnableTasks() {
		try {
			String field = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[3];
			return Integer.parseInt(field.substring(0, field.indexOf('/')));
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/** This JVM's threads in state R now (the state follows the ")" that ends the name in .../stat); -1 without /proc. */
	private static int ownRunningThreads() {
		int running = 0;
		try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
			for (Path task : dir) {
				try {
					String stat = Files.readString(task.resolve("stat"));
					if (stat.charAt(stat.lastIndexOf(')') + 2) == 'R') {
						running++;
					}
				}
				catch (IOException | RuntimeException ex) {
					// the thread exited meanwhile
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
		return running;
	}

}
