package dev.cmwq.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import dev.cmwq.core.Blocking;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueStats;
import dev.cmwq.core.WorkqueueSystem;

import static dev.cmwq.bench.Table.f;

/**
 * Workloads 2 to 7: the scenario harness. Each workload runs every contender in turn in this JVM and prints a
 * markdown table.
 */
final class Scenarios {

	/** Options (see {@link BenchMain#usage()}). */
	static final class Options {

		int ncpu = Runtime.getRuntime().availableProcessors();

		Set<Integer> workloads = Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);

		List<Contender> contenders = Contender.availableOnes();

		int mixedItems = 2000;

		int ioItems = 2000;

		/** Batches per row of workloads 2 and 3 (the median is reported). */
		int rounds = 1;

		double latencySeconds = 3;

		/** Repetitions per detection row of cmwq (p99 of 100 is the second largest). */
		int detectReps = 100;

		/** Repetitions per row of the contenders without detection: they never detect, a few show it. */
		int undetectedReps = 10;

		double idleSeconds = 10;

		double idleTimeoutSeconds = 2;

		boolean quick;

		Targets targets = new Targets(this.ncpu);

		void quick() {
			this.quick = true;
			this.mixedItems = 400;
			this.ioItems = 400;
			this.latencySeconds = 1;
			this.detectReps = 10;
			this.undetectedReps = 3;
			this.idleSeconds = 2;
			this.idleTimeoutSeconds = 1;
		}

	}

	private final Options o;

	private final Consumer<String> out;

	Scenarios(Options options, Consumer<String> out) {
		this.o = options;
		this.out = out;
	}

	void run() throws Exception {
		if (this.o.workloads.contains(2)) {
			mixed();
		}
		if (this.o.workloads.contains(3)) {
			blockingIo();
		}
		if (this.o.workloads.contains(4)) {
			latency();
		}
		if (this.o.workloads.contains(5)) {
			detection();
		}
		if (this.o.workloads.contains(6)) {
			idleCost();
		}
		if (this.o.workloads.contains(7)) {
			threads();
		}
	}

	// --- helpers -------------------------------------------------------------------------------------------------

	/** Submits {@code items} copies of {@code item} from {@code producers} threads at once; returns the makespan. */
	static long runBatch(Executor executor, int producers, int items, Runnable item) throws InterruptedException {
		CountDownLatch done = new CountDownLatch(items);
		Runnable task = () -> {
			try {
				item.run();
			}
			finally {
				done.countDown();
			}
		};
		CountDownLatch go = new CountDownLatch(1);
		List<Thread> threads = new ArrayList<>();
		for (int p = 0; p < producers; p++) {
			int share = items / producers + ((p < items % producers) ? 1 : 0);
			Thread t = new Thread(() -> {
				awaitQuietly(go);
				for (int i = 0; i < share; i++) {
					executor.execute(task);
				}
			}, "bench-producer-" + p);
			t.setDaemon(true);
			t.start();
			threads.add(t);
		}
		Thread.sleep(20);
		long t0 = System.nanoTime();
		go.countDown();
		done.await();
		long makespan = System.nanoTime() - t0;
		for (Thread t : threads) {
			t.join();
		}
		return makespan;
	}

	static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static String s(long nanos) {
		return f("%.2f s", nanos / 1e9);
	}

	static String us(long nanos) {
		if (nanos >= 10_000_000) {
			return f("%.1f ms", nanos / 1e6);
		}
		return f("%d µs", Math.round(nanos / 1e3));
	}

	static long percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return 0;
		}
		int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
	}

	private void section(String title, String text) throws InterruptedException {
		this.out.accept("\n### " + title + "\n\n" + text + "\n" + loadLine() + "\n");
	}

	/** The machine's load once a workload has closed its executors (see {@link MachineLoad}). */
	static String loadLine() throws InterruptedException {
		return "_Other processes' runnable tasks when this workload ended: " + MachineLoad.others(500)
				+ "; load average " + MachineLoad.loadAverages() + " (this run's threads included)._";
	}

	private void progress(String text) {
		System.err.println("[bench] " + text);
	}

	static final String DETECTOR = "cmwq-block-detector";

	static final String TIMER = "cmwq-timer";

	/** CPU time so far (ThreadMXBean) of the live threads with one of these names. */
	static long cpuNanosOf(String... names) {
		java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
		long sum = 0;
		for (Thread t : Thread.getAllStackTraces().keySet()) {
			if (Arrays.asList(names).contains(t.getName())) {
				long cpu = mx.getThreadCpuTime(t.getId());
				if (cpu > 0) {
					sum += cpu;
				}
			}
		}
		return sum;
	}

	/** CPU time so far of the engine's own threads (block detector, timer), not its workers. */
	static long housekeepingCpuNanos() {
		return cpuNanosOf(DETECTOR, TIMER);
	}

	/** The engine's own threads' CPU since {@code cpuBefore}, in % of one core over {@code wallNanos}. */
	private static double enginePercent(long cpuBefore, long wallNanos) {
		return 100.0 * (housekeepingCpuNanos() - cpuBefore) / wallNanos;
	}

	/** Items of a cmwq queue whose block started another worker so far (0 for the others). */
	static long cmWakeups(Executor executor) {
		return (executor instanceof Workqueue wq) ? wq.snapshot().stats().cmWakeups() : 0;
	}

	/** The engine's own threads' CPU since {@code cpuBefore} per detected block, in µs (NaN without blocks). */
	private static double usPerBlock(long cpuBefore, long blocks) {
		return (blocks > 0) ? (housekeepingCpuNanos() - cpuBefore) / 1000.0 / blocks : Double.NaN;
	}

	/** Runs {@code body} as a blocking section of the engine (an item announcing its block). */
	static void announced(Runnable body) {
		try (Blocking.Section ignored = Blocking.begin()) {
			body.run();
		}
	}

	static String cmStats(Executor executor) {
		return cmStatsSince(executor, null);
	}

	/** {@link #cmStats}, less what {@code before} (a snapshot of the same queue's stats, or null) had counted. */
	private static String cmStatsSince(Executor executor, WorkqueueStats before) {
		if (executor instanceof Workqueue wq) {
			WorkqueueStats now = wq.snapshot().stats();
			return "cm wakeups " + (now.cmWakeups() - ((before != null) ? before.cmWakeups() : 0)) + ", cpu-intensive "
					+ (now.cpuIntensive() - ((before != null) ? before.cpuIntensive() : 0));
		}
		return "";
	}

	// --- workload 2 ----------------------------------------------------------------------------------------------

	static final int[] MIXED_SLEEPS_MS = { 5, 20 };

	/** Peak workers the mixed workload may use: 1.5 × needed concurrency + ncpu (12 and 35 on 2 cores). */
	static int targetThreads(int ncpu, int sleepMs) {
		return (int) Math.floor(1.5 * ncpu * (2.0 + sleepMs) / 2.0 + ncpu);
	}

	/** One row of a makespan table: who, from how many producers, running which item. */
	private record Run(Contender contender, int producers, String label, Runnable item) {
	}

	private void mixed() throws InterruptedException {
		int n = this.o.ncpu;
		int items = this.o.mixedItems;
		long burn = Load.ms(1);
		long bound = items * 2 * burn / n;
		StringBuilder text = new StringBuilder();
		text.append(f("%d items, each: burn 1 ms, sleep S, burn 1 ms; submitted at once from %d producer threads "
				+ "(one per core), and again from 1 producer thread. Lower bound = total burn / cores = %s. Needed "
				+ "concurrency (Little) = cores × item time / burn time. Target: makespan ≤ 1.05 × bound, peak workers "
				+ "≤ 1.5 × needed + ncpu. Engine CPU = CPU time of cmwq's block detector and timer threads over the "
				+ "makespan, in %% of one core (target ≤ 3 %%). In the S = 5 ms table, one more cmwq row runs items that "
				+ "only burn 2 ms: nothing blocks, so its engine CPU is what watching a backlog of CPU-bound items costs."
				+ "%n%n", items, n, s(bound)));
		for (int sleepMs : MIXED_SLEEPS_MS) {
			double needed = n * (2.0 + sleepMs) / 2.0;
			int targetThreads = targetThreads(n, sleepMs);
			Table table = new Table("contender", "producers", "makespan", "× bound", "peak threads", "× needed",
					"engine CPU", "notes");
			Runnable plain = () -> {
				Load.burn(burn);
				Load.sleep(Load.ms(sleepMs));
				Load.burn(burn);
			};
			Runnable announcing = () -> {
				Load.burn(burn);
				announced(() -> Load.sleep(Load.ms(sleepMs)));
				Load.burn(burn);
			};
			Runnable burnOnly = () -> Load.burn(2 * burn);
			List<Run> runs = new ArrayList<>();
			for (Contender c : this.o.contenders) {
				runs.add(new Run(c, n, c.label(n), plain));
				if (n > 1) {
					runs.add(new Run(c, 1, c.label(n), plain));
				}
				if (c == Contender.CMWQ) {
					runs.add(new Run(c, n, "cmwq, sleep in Blocking.begin()", announcing));
					if (sleepMs == MIXED_SLEEPS_MS[0]) {
						runs.add(new Run(c, n, "cmwq, no sleep: nothing blocks", burnOnly));
					}
				}
			}
			for (Run run : runs) {
				progress(f("W2 S=%d ms %s, %d producer(s)", sleepMs, run.label, run.producers));
				Batches b = measure(run, items);
				double ratio = b.makespan / (double) bound;
				table.row(run.label, run.producers, b.makespanText(), f("%.2f", ratio), b.peak,
						f("%.1f", b.peak / ((run.item == burnOnly) ? n : needed)),
						b.cmwq ? f("%.2f %%", b.enginePercent) : "—", b.stats);
				if (run.contender == Contender.CMWQ) { // the targets are the platform engine's
					this.o.targets.engineCpu(b.enginePercent, b.usPerBlock, f("workload 2, S = %d ms, %s, %d producer(s)",
							sleepMs, run.label, run.producers));
					if (run.item == plain) {
						this.o.targets.record(Targets.mixed(sleepMs, run.producers),
								f("%.2f × bound, %d threads", ratio, b.peak), ratio <= 1.05 && b.peak <= targetThreads);
					}
				}
			}
			text.append(f("**S = %d ms** (bound %s, needed concurrency %.0f, target ≤ 1.05 × bound and ≤ %d "
					+ "threads)%n%n", sleepMs, s(bound), needed, targetThreads));
			text.append(table).append('\n');
		}
		section("Workload 2: mixed burn/sleep items", text.toString());
	}

	/**
	 * One row of workloads 2 and 3: the median makespan of {@code --rounds} batches on one executor (after a warm-up
	 * batch of the same size: JIT-compiled code and a pool in its steady state, as JMH's warm-up iterations give
	 * workload 1; after a small one, the first row of a JVM ran 5–10 % longer than the same batch again), their
	 * range, the peak threads over all of them, and the engine's CPU over all of them.
	 */
	private record Batches(long makespan, long min, long max, int rounds, int peak, double enginePercent,
			double usPerBlock, boolean cmwq, String stats) {

		String makespanText() {
			return (this.rounds == 1) ? s(this.makespan) : f("%s (%s–%s)", s(this.makespan), s(this.min), s(this.max));
		}

	}

	private Batches measure(Run run, int items) throws InterruptedException {
		try (Contender.Family family = run.contender.open(this.o.ncpu)) {
			Executor ex = family.create();
			runBatch(ex, run.producers, items, run.item); // warm up
			Thread.sleep(100);
			family.threads.resetPeak();
			long hk = housekeepingCpuNanos();
			long blocks = cmWakeups(ex);
			WorkqueueStats warm = (ex instanceof Workqueue wq) ? wq.snapshot().stats() : null;
			long[] makespans = new long[this.o.rounds];
			for (int i = 0; i < makespans.length; i++) {
				makespans[i] = runBatch(ex, run.producers, items, run.item);
			}
			long total = LongStream.of(makespans).sum();
			double engine = enginePercent(hk, total);
			double perBlock = usPerBlock(hk, cmWakeups(ex) - blocks);
			Arrays.sort(makespans);
			return new Batches(makespans[makespans.length / 2], makespans[0], makespans[makespans.length - 1],
					makespans.length, family.threads.peak(), engine, perBlock, ex instanceof Workqueue,
					cmStatsSince(ex, warm)); // the measured batches only
		}
	}

	// --- workload 3 ----------------------------------------------------------------------------------------------

	private void blockingIo() throws Exception {
		int n = this.o.ncpu;
		int items = this.o.ioItems;
		long burn = Load.ms(0.5);
		long delay = Load.ms(3);
		long bound = items * 2 * burn / n;
		double needed = n * (2 * burn + delay) / (2.0 * burn);
		Table table = new Table("contender", "makespan", "× bound", "peak threads", "× needed", "engine CPU",
				"notes");
		try (LoopbackServer server = new LoopbackServer(delay)) {
			server.prepare(64);
			Runnable plain = () -> {
				Load.burn(burn);
				server.call();
				Load.burn(burn);
			};
			Runnable announcing = () -> {
				Load.burn(burn);
				announced(server::call);
				Load.burn(burn);
			};
			List<Run> runs = new ArrayList<>();
			for (Contender c : this.o.contenders) {
				runs.add(new Run(c, n, c.label(n), plain));
				if (c == Contender.CMWQ) {
					runs.add(new Run(c, n, "cmwq, read in Blocking.begin()", announcing));
				}
			}
			for (Run run : runs) {
				progress("W3 " + run.label);
				Batches b = measure(run, items);
				table.row(run.label, b.makespanText(), f("%.2f", b.makespan / (double) bound), b.peak,
						f("%.1f", b.peak / needed), b.cmwq ? f("%.2f %%", b.enginePercent) : "—", b.stats);
				if (run.contender == Contender.CMWQ) {
					this.o.targets.engineCpu(b.enginePercent, b.usPerBlock, "workload 3, " + run.label);
					if (run.item == plain) {
						this.o.targets.record(Targets.BLOCKING_IO, f("%.2f × bound", b.makespan / (double) bound),
								b.makespan <= 1.10 * bound);
					}
				}
			}
		}
		section("Workload 3: blocking I/O", f("%d items, each: burn 0.5 ms, a request/reply on a loopback TCP "
				+ "socket whose server answers after 3 ms (the item blocks in a socket read), burn 0.5 ms; submitted at "
				+ "once from %d producers. Lower bound %s, needed concurrency %.0f. Engine CPU as in workload 2."
				+ "%n%n", items, n, s(bound), needed)
				+ table);
	}

	// --- workload 4 ----------------------------------------------------------------------------------------------

	private void latency() throws InterruptedException {
		int n = this.o.ncpu;
		long service = Load.ms(0.5);
		double load = 0.5;
		double ratePerSec = load * n * 1e9 / service;
		Table table = new Table("contender", "items", "p50", "p90", "p99", "max", "peak threads");
		Map<Contender, Long> p50s = new EnumMap<>(Contender.class);
		for (Contender c : this.o.contenders) {
			progress("W4 " + c.label(n));
			try (Contender.Family family = c.open(n)) {
				Executor ex = family.create();
				openLoop(ex, n, ratePerSec, 0.3, service, 1); // warm up
				Thread.sleep(100);
				family.threads.resetPeak();
				long[] lat = openLoop(ex, n, ratePerSec, this.o.latencySeconds, service, 2);
				Arrays.sort(lat);
				p50s.put(c, percentile(lat, 50));
				table.row(c.label(n), lat.length, us(percentile(lat, 50)), us(percentile(lat, 90)),
						us(percentile(lat, 99)), us(lat[lat.length - 1]), family.threads.peak());
			}
		}
		if (p50s.containsKey(Contender.CMWQ) && p50s.containsKey(Contender.TPE)) {
			long cmwq = p50s.get(Contender.CMWQ);
			long tpe = p50s.get(Contender.TPE);
			this.o.targets.record(Targets.QUEUE_TO_START, "p50 " + us(cmwq) + " (TPE " + us(tpe) + ")", cmwq <= tpe);
		}
		section("Workload 4: queue-to-start latency at half load",
				f("Open loop: %d producers together queue %.0f items/s (Poisson arrivals) that each burn 0.5 ms, i.e. "
						+ "%.0f%% of %d cores, for %.0f s. Latency = item start − just before execute().%n%n",
						n, ratePerSec, load * 100, n, this.o.latencySeconds) + table);
	}

	private static long[] openLoop(Executor ex, int producers, double ratePerSec, double seconds, long service,
			long seed) throws InterruptedException {
		int perProducer = (int) (ratePerSec * seconds / producers);
		long[] lat = new long[perProducer * producers];
		CountDownLatch done = new CountDownLatch(lat.length);
		double meanGap = producers * 1e9 / ratePerSec;
		CountDownLatch go = new CountDownLatch(1);
		List<Thread> threads = new ArrayList<>();
		for (int p = 0; p < producers; p++) {
			int base = p * perProducer;
			Random rnd = new Random(seed * 31 + p);
			Thread t = new Thread(() -> {
				awaitQuietly(go);
				long next = System.nanoTime();
				for (int i = 0; i < perProducer; i++) {
					next += (long) (-Math.log(1 - rnd.nextDouble()) * meanGap);
					long wait;
					while ((wait = next - System.nanoTime()) > 0) {
						LockSupport.parkNanos(wait);
					}
					int idx = base + i;
					long queued = System.nanoTime();
					ex.execute(() -> {
						lat[idx] = System.nanoTime() - queued;
						Load.burn(service);
						done.countDown();
					});
				}
			}, "bench-producer-" + p);
			t.setDaemon(true);
			t.start();
			threads.add(t);
		}
		go.countDown();
		done.await();
		for (Thread t : threads) {
			t.join();
		}
		return lat;
	}

	// --- workload 5 ----------------------------------------------------------------------------------------------

	enum BlockKind {

		SLEEP("sleep"), PARK("park"), MONITOR("monitor"), SOCKET("socket read");

		final String label;

		BlockKind(String label) {
			this.label = label;
		}

	}

	private void detection() throws Exception {
		long blockNanos = Load.ms(20);
		Table table = new Table("contender", "blocking", "p50", "p99", "max", "not detected", "notes");
		try (LoopbackServer server = new LoopbackServer(blockNanos)) {
			server.prepare(2);
			List<Object[]> setups = new ArrayList<>();
			setups.add(new Object[] { "cmwq cpus(1)", Contender.CMWQ });
			setups.add(new Object[] { "ThreadPoolExecutor(1)", Contender.TPE });
			setups.add(new Object[] { "ForkJoinPool(1)", Contender.FJP });
			for (Object[] setup : setups) {
				Contender c = (Contender) setup[1];
				if (!this.o.contenders.contains(c)) {
					continue;
				}
				int reps = (c == Contender.CMWQ) ? this.o.detectReps : this.o.undetectedReps;
				for (BlockKind kind : BlockKind.values()) {
					progress("W5 " + setup[0] + " " + kind.label);
					try (Contender.Family family = c.open(1)) {
						Executor ex = family.create();
						detectOnce(ex, kind, blockNanos, server, false); // warm up
						long[] lat = new long[reps];
						for (int i = 0; i < lat.length; i++) {
							lat[i] = detectOnce(ex, kind, blockNanos, server, false);
						}
						addDetectionRow(table, (String) setup[0], kind.label, lat, blockNanos, cmStats(ex));
						if (c == Contender.CMWQ) {
							long p50 = percentile(lat, 50);
							long p99 = percentile(lat, 99);
							this.o.targets.record(Targets.detection(kind), "p50 " + us(p50) + ", p99 " + us(p99),
									p50 <= 150_000 && p99 <= 1_000_000);
						}
					}
				}
				if (c == Contender.CMWQ) {
					progress("W5 cmwq, B queued right behind A");
					try (Contender.Family family = c.open(1)) {
						Executor ex = family.create();
						long[] lat = new long[this.o.detectReps];
						for (int i = 0; i < lat.length; i++) {
							lat[i] = detectOnce(ex, BlockKind.SLEEP, blockNanos, server, true);
						}
						addDetectionRow(table, "cmwq cpus(1)", "sleep, B queued right after A", lat, blockNanos,
								cmStats(ex));
					}
				}
			}
		}
		section("Workload 5: blocked-worker detection",
				"One CPU (one thread for the others). Item A starts, B is queued behind it, then A blocks for 20 ms; "
						+ "latency = B's start − just before A's blocking call. A latency of 18 ms or more means B "
						+ "waited for A to end (\"not detected\"). Virtual threads, the cached pool and Spring's 8 "
						+ "threads need no detection (B gets its own thread) and are not listed. Repetitions per row: "
						+ this.o.detectReps + " for cmwq (p99 = the value of rank ⌈0.99 × repetitions⌉, the second "
						+ "largest of 100), " + this.o.undetectedReps
						+ " for the others (they never detect). Target for cmwq: p50 ≤ 150 µs, p99 ≤ 1 ms.\n\n"
						+ table);
	}

	private static void addDetectionRow(Table table, String who, String kind, long[] lat, long blockNanos,
			String notes) {
		Arrays.sort(lat);
		long missed = Arrays.stream(lat).filter((l) -> l >= blockNanos * 9 / 10).count();
		table.row(who, kind, us(percentile(lat, 50)), us(percentile(lat, 99)), us(lat[lat.length - 1]),
				missed + "/" + lat.length, notes);
	}

	/** One measurement: nanoseconds from A's blocking call to B's start. */
	private static long detectOnce(Executor ex, BlockKind kind, long blockNanos, LoopbackServer server,
			boolean racy) throws Exception {
		CountDownLatch aStarted = new CountDownLatch(1);
		CountDownLatch bothDone = new CountDownLatch(2);
		AtomicLong t0 = new AtomicLong();
		AtomicLong t1 = new AtomicLong();
		Object monitor = new Object();
		Thread[] aThread = new Thread[1];
		LoopbackServer.Conn conn = server.borrow();
		CountDownLatch bQueued = new CountDownLatch(1);
		Runnable a = () -> {
			aThread[0] = Thread.currentThread();
			aStarted.countDown();
			if (!racy) {
				awaitQuietly(bQueued);
			}
			try {
				switch (kind) {
					case SLEEP -> {
						t0.set(System.nanoTime());
						Thread.sleep(blockNanos / 1_000_000);
					}
					case PARK -> {
						t0.set(System.nanoTime());
						LockSupport.park();
					}
					case MONITOR -> {
						t0.set(System.nanoTime());
						synchronized (monitor) {
							monitor.hashCode();
						}
					}
					case SOCKET -> {
						conn.out.write(1);
						conn.out.flush();
						t0.set(System.nanoTime());
						conn.in.read();
					}
				}
			}
			catch (Exception ex2) {
				throw new IllegalStateException(ex2);
			}
			finally {
				bothDone.countDown();
			}
		};
		Runnable b = () -> {
			t1.set(System.nanoTime());
			bothDone.countDown();
		};
		synchronized (monitor) {
			if (racy) {
				ex.execute(a);
				ex.execute(b);
			}
			else {
				ex.execute(a);
				aStarted.await();
				ex.execute(b);
				bQueued.countDown();
			}
			// A blocks now; release it after blockNanos (sleep and socket release themselves)
			Thread.sleep(blockNanos / 1_000_000);
			if (kind == BlockKind.PARK) {
				aStarted.await();
				while (t0.get() == 0) {
					Thread.onSpinWait();
				}
				// park() may return spuriously early; keep unparking until A is done
			}
		}
		if (kind == BlockKind.PARK) {
			while (!bothDone.await(1, TimeUnit.MILLISECONDS)) {
				LockSupport.unpark(aThread[0]);
			}
		}
		bothDone.await();
		server.giveBack(conn);
		Thread.sleep(5);
		return t1.get() - t0.get();
	}

	// --- workload 6 ----------------------------------------------------------------------------------------------

	/**
	 * CPU time per native thread of the process (JVM threads included), in ns, keyed by tid: the first field of
	 * /proc/self/task/&lt;tid&gt;/schedstat (nanosecond resolution). Empty where /proc is not there.
	 */
	static java.util.Map<String, Long> threadCpuNanos() {
		java.util.Map<String, Long> result = new java.util.HashMap<>();
		Path tasks = Path.of("/proc/self/task");
		if (Files.isDirectory(tasks)) {
			try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
				for (Path task : dir) {
					try {
						String stat = Files.readString(task.resolve("schedstat"));
						result.put(task.getFileName().toString(), Long.parseLong(stat.substring(0, stat.indexOf(' '))));
					}
					catch (IOException | RuntimeException ex) {
						// the thread exited meanwhile
					}
				}
			}
			catch (IOException ex) {
				result.clear();
			}
		}
		return result;
	}

	/**
	 * Process CPU time used between two {@link #threadCpuNanos()} readings: per thread, end minus start (0 for
	 * threads born meanwhile); threads that ended meanwhile are left out. Falls back to the OperatingSystemMXBean,
	 * which on Linux counts in 10 ms clock ticks, too coarse for idle measurements.
	 */
	static long cpuBetween(java.util.Map<String, Long> start, java.util.Map<String, Long> end) {
		return cpuBetween(start, end, null);
	}

	/** Like {@link #cpuBetween(java.util.Map, java.util.Map)}, only threads whose native name has one of the prefixes. */
	static long cpuBetween(java.util.Map<String, Long> start, java.util.Map<String, Long> end, String[] prefixes) {
		long sum = 0;
		for (java.util.Map.Entry<String, Long> e : end.entrySet()) {
			if (prefixes != null && !hasPrefix(comm(e.getKey()), prefixes)) {
				continue;
			}
			sum += e.getValue() - start.getOrDefault(e.getKey(), 0L);
		}
		return sum;
	}

	private static boolean hasPrefix(String name, String[] prefixes) {
		for (String p : prefixes) {
			if (name.startsWith(p)) {
				return true;
			}
		}
		return false;
	}

	/** The native (15-character) name of a thread of this process. */
	private static String comm(String tid) {
		try {
			return Files.readString(Path.of("/proc/self/task", tid, "comm")).trim();
		}
		catch (IOException | RuntimeException ex) {
			return "";
		}
	}

	/** Native name prefixes of the contenders' own threads (see {@link Contender#daemon()}). */
	static final String[] EXECUTOR_THREADS = { "cmwq-", "bench-exec-" };

	static long osProcessCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	/** Executor threads' share of the last {@link #idlePercent(double)}, in % of one core. */
	private double lastOwnPercent;

	private double idlePercent(double seconds) throws InterruptedException {
		System.gc();
		Thread.sleep(1000);
		java.util.Map<String, Long> threads0 = threadCpuNanos();
		long os0 = osProcessCpuNanos();
		long t0 = System.nanoTime();
		Thread.sleep((long) (seconds * 1000));
		java.util.Map<String, Long> threads1 = threadCpuNanos();
		long cpu = threads1.isEmpty() ? osProcessCpuNanos() - os0 : cpuBetween(threads0, threads1);
		long wall = System.nanoTime() - t0;
		this.lastOwnPercent = threads1.isEmpty() ? Double.NaN
				: 100.0 * cpuBetween(threads0, threads1, EXECUTOR_THREADS) / wall;
		return 100.0 * cpu / wall;
	}

	private static void burst(List<Executor> executors, int perQueue, Runnable item) throws InterruptedException {
		CountDownLatch done = new CountDownLatch(executors.size() * perQueue);
		for (Executor ex : executors) {
			for (int i = 0; i < perQueue; i++) {
				ex.execute(() -> {
					try {
						item.run();
					}
					finally {
						done.countDown();
					}
				});
			}
		}
		done.await();
	}

	private void idleCost() throws InterruptedException {
		int n = this.o.ncpu;
		double secs = this.o.idleSeconds;
		Table table = new Table("contender", "state", "executor threads' CPU", "process CPU", "minus JVM baseline",
				"threads");
		progress("W6 baseline");
		double base = idlePercent(secs);
		table.row("(JVM alone)", "no executor", "—", f("%.3f%%", base), "—", 0);
		Runnable item = () -> {
			Load.burn(Load.ms(0.05));
			Load.sleep(Load.ms(1));
		};
		for (Contender c : this.o.contenders) {
			progress("W6 " + c.label(n));
			try (Contender.Family family = c.open(n)) {
				List<Executor> executors = new ArrayList<>();
				for (int i = 0; i < 100; i++) {
					executors.add(family.create());
				}
				if (c == Contender.CMWQ) {
					double fresh = idlePercent(secs);
					table.row(c.label(n) + ", 100 queues", "declared, no work yet", f("%.3f%%", this.lastOwnPercent),
							f("%.3f%%", fresh), f("%+.3f%%", fresh - base), family.threads.live());
				}
				burst(executors, 10, item);
				Thread.sleep(500);
				double after = idlePercent(secs);
				table.row(c.label(n) + (c == Contender.CMWQ ? ", 100 queues" : " × 100"), "idle after a burst",
						(c == Contender.VIRTUAL) ? "(carriers not named)" : f("%.3f%%", this.lastOwnPercent),
						f("%.3f%%", after), f("%+.3f%%", after - base), family.threads.live());
			}
		}
		section("Workload 6: idle cost", f("CPU time over %.0f s of wall time, in %% of one core, from "
				+ "/proc/self/task/*/schedstat: of the executor's own threads (cmwq: workers, detector and timer), and "
				+ "of the whole process (the JVM's own threads too, compared with the JVM alone); 100 queues (cmwq) or 100 executors (others), before any work and after a burst of 10 items "
				+ "per queue (burn 50 µs, sleep 1 ms). Target: ≤ 0.5%% of one core for cmwq.%n%n", secs) + table);
	}

	// --- workload 7 ----------------------------------------------------------------------------------------------

	private static int namedThreads(String prefix) {
		int count = 0;
		for (Thread t : Thread.getAllStackTraces().keySet()) {
			if (t.getName().startsWith(prefix)) {
				count++;
			}
		}
		return count;
	}

	private void threads() throws InterruptedException {
		int n = this.o.ncpu;
		Duration idle = Duration.ofMillis((long) (this.o.idleTimeoutSeconds * 1000));
		Table table = new Table("contender", "before work", "peak in burst", "after burst", "after idle timeout");
		Runnable item = () -> {
			Load.burn(Load.ms(0.05));
			Load.sleep(Load.ms(1));
		};
		for (Contender c : this.o.contenders) {
			progress("W7 " + c.label(n));
			int cmwqBefore = namedThreads("cmwq-");
			try (Contender.Family family = c.open(n, idle)) {
				List<Executor> executors = new ArrayList<>();
				for (int i = 0; i < 100; i++) {
					executors.add(family.create());
				}
				Thread.sleep(50);
				String before = String.valueOf(family.threads.live());
				if (c == Contender.CMWQ) {
					before += f(" (+%d housekeeping)", namedThreads("cmwq-") - cmwqBefore - family.threads.live());
				}
				family.threads.resetPeak();
				burst(executors, 10, item);
				int peak = family.threads.peak();
				Thread.sleep(20);
				String after = String.valueOf(family.threads.live());
				if (c == Contender.CMWQ) {
					after += f(" (+%d housekeeping)", namedThreads("cmwq-") - cmwqBefore - family.threads.live());
				}
				Thread.sleep(idle.toMillis() * 2 + 1000);
				String afterIdle = String.valueOf(family.threads.live());
				if (c == Contender.CMWQ) {
					afterIdle += f(" (+%d housekeeping)",
							namedThreads("cmwq-") - cmwqBefore - family.threads.live());
				}
				table.row(c.label(n) + (c == Contender.CMWQ ? ", 100 queues" : " × 100"), before, peak, after,
						afterIdle);
			}
			Thread.sleep(200);
		}
		section("Workload 7: threads", f("100 queues (cmwq: one system) or 100 executors (others); worker threads "
				+ "before any work, at the peak of a burst of 10 items per queue (burn 50 µs, sleep 1 ms), right after "
				+ "it, and after the idle timeout (set to %s for cmwq, and as keep-alive of the cached pool, "
				+ "ForkJoinPool and Spring's executor; ThreadPoolExecutor(n) keeps its core threads).%n%n",
				idle) + table);
	}

}
