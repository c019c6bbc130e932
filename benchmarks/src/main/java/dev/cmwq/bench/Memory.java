package dev.cmwq.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.ObjectName;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.SpringWorkqueue;
import dev.cmwq.spring.aop.LoggingWorkErrorHandler;
import dev.cmwq.spring.aop.QueueWorkBeanPostProcessor;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import static dev.cmwq.bench.Table.f;

/**
 * Workloads 10 and 11: what a queued item costs in heap, and a flood.
 * <p>
 * Workload 10 queues {@link #ITEMS} no-op items that cannot start (cmwq: a frozen freezable queue; the pools:
 * every thread held by a blocker) and divides the growth of the heap by their number. The heap is read from
 * class histograms ({@code GC.class_histogram}, which runs a full GC first) before and after, so only live objects
 * count, and the classes that grew most are listed.
 * <p>
 * Workload 11 runs each contender in a child JVM with {@code -Xmx512m}: one producer queues {@link #FLOOD_ITEMS}
 * items that sleep 1 ms, as fast as the executor accepts them, with the executor's defaults. It reports whether the
 * producer got through without an {@code OutOfMemoryError}, how long that took, and the heap then.
 */
final class Memory {

	static final int ITEMS = 200_000;

	static final int FLOOD_ITEMS = 10_000_000;

	private static final long FLOOD_LIMIT_SECONDS = 180;

	private Memory() {
	}

	/** Workload 10; returns the table. */
	static String heapPerItem(Scenarios.Options options) throws Exception {
		Table table = new Table("contender", "heap per queued item (B)", "largest contributors per item (B)");
		Double cmwq = null;
		Double tpe = null;
		for (Contender contender : options.contenders) {
			Measured m = switch (contender) {
				case CMWQ -> cmwqHeap(options.ncpu, false);
				case TPE, SPRING, FJP -> poolHeap(contender, options.ncpu);
				default -> null; // no queue (a cached pool, virtual threads), or cmwq's items on other threads
			};
			if (m == null) {
				table.row(contender.label(options.ncpu), contender.name().startsWith("CMWQ")
						? "— (the same items as cmwq)" : "— (no queue: a thread per item)", "");
				continue;
			}
			table.row(contender.label(options.ncpu), f("%.1f", m.perItem), m.top);
			if (contender == Contender.CMWQ) {
				cmwq = m.perItem;
				Measured work = cmwqHeap(options.ncpu, true);
				table.row("cmwq, `queue(new Work(..))`", f("%.1f", work.perItem), work.top);
				Measured call = queueWorkHeap(options.ncpu);
				table.row("cmwq, `@QueueWork void` method, Spring context", f("%.1f", call.perItem), call.top);
				options.targets.record(Targets.HEAP_QUEUE_WORK, f("%.0f B", call.perItem), call.perItem <= 150);
			}
			if (contender == Contender.TPE) {
				tpe = m.perItem;
			}
		}
		if (cmwq != null && tpe != null) {
			options.targets.record(Targets.HEAP_EXECUTE, f("%.0f B (TPE %.0f B)", cmwq, tpe), cmwq <= 24);
		}
		return f("%n### Workload 10: heap per queued item%n%n%,d no-op items queued that cannot start yet (cmwq: a "
				+ "frozen freezable queue, used through `execute(Runnable)`; the pools: every thread held by a blocker), "
				+ "heap growth over the item count, from class histograms taken after a full GC. Target: cmwq "
				+ "`execute(Runnable)` ≤ 24 B.%n%n", ITEMS) + table + f("%n");
	}

	private static Measured cmwqHeap(int ncpu, boolean work) throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(ncpu).build()) {
			Workqueue wq = system.allocWorkqueue("heap", Set.of(WorkqueueFlag.FREEZABLE), 0);
			system.freeze();
			Map<String, long[]> before = histogram();
			Runnable noop = () -> {
			};
			for (int i = 0; i < ITEMS; i++) {
				if (work) {
					wq.queue(new Work(noop));
				}
				else {
					wq.execute(noop);
				}
			}
			Measured m = Measured.of(before, histogram());
			system.thaw();
			system.close(Duration.ofSeconds(60));
			return m;
		}
	}

	/**
	 * Calls of a {@code @QueueWork} method on a bean of a Spring context set up as the starter does (the queue a
	 * {@link SpringWorkqueue} bean, the {@link QueueWorkBeanPostProcessor}), with no task decorator: what one call
	 * keeps alive until it runs. Boot adds nothing per call.
	 */
	private static Measured queueWorkHeap(int ncpu) throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(ncpu).build();
				AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			Workqueue wq = system.allocWorkqueue("heap", Set.of(WorkqueueFlag.FREEZABLE), 0);
			context.registerBean(WorkqueueSystem.class, () -> system, (bd) -> bd.setDestroyMethodName(""));
			context.registerBean("heap", SpringWorkqueue.class, () -> new SpringWorkqueue(wq, null));
			context.registerBean(QueueWorkBeanPostProcessor.class,
					() -> new QueueWorkBeanPostProcessor((name) -> null, LoggingWorkErrorHandler::new));
			context.registerBean(Mailer.class);
			context.refresh();
			Mailer mailer = context.getBean(Mailer.class);
			system.freeze();
			Map<String, long[]> before = histogram();
			for (int i = 0; i < ITEMS; i++) {
				mailer.send(i);
			}
			Measured m = Measured.of(before, histogram());
			system.thaw();
			system.close(Duration.ofSeconds(60));
			return m;
		}
	}

	/** The bean whose calls workload 10 queues. */
	public static class Mailer {

		@QueueWork("heap")
		public void send(int n) {
		}

	}

	private static Measured poolHeap(Contender contender, int ncpu) throws Exception {
		try (Contender.Family family = contender.open(ncpu)) {
			Executor executor = family.create();
			int threads = (contender == Contender.SPRING) ? 8 : ncpu;
			CountDownLatch release = new CountDownLatch(1);
			CountDownLatch held = new CountDownLatch(threads);
			for (int i = 0; i < threads; i++) {
				executor.execute(() -> {
					held.countDown();
					awaitQuietly(release);
				});
			}
			held.await(30, TimeUnit.SECONDS);
			Map<String, long[]> before = histogram();
			Runnable noop = () -> {
			};
			for (int i = 0; i < ITEMS; i++) {
				executor.execute(noop);
			}
			Measured m = Measured.of(before, histogram());
			release.countDown();
			return m;
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Class name → {instances, bytes} of live objects, after the full GC that the histogram runs first. */
	static Map<String, long[]> histogram() throws Exception {
		String text = (String) ManagementFactory.getPlatformMBeanServer()
			.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
					new Object[] { new String[0] }, new String[] { String[].class.getName() });
		Map<String, long[]> result = new HashMap<>();
		for (String line : text.split("\n")) {
			String[] cols = line.trim().split("\\s+");
			if (cols.length >= 4 && cols[0].endsWith(":")) {
				result.put(cols[3], new long[] { Long.parseLong(cols[1]), Long.parseLong(cols[2]) });
			}
			else if (cols.length >= 3 && cols[0].equals("Total")) {
				result.put("(total)", new long[] { Long.parseLong(cols[1]), Long.parseLong(cols[2]) });
			}
		}
		return result;
	}

	record Measured(double perItem, String top) {

		static Measured of(Map<String, long[]> before, Map<String, long[]> after) {
			long total = after.get("(total)")[1] - before.get("(total)")[1];
			List<Map.Entry<String, Long>> grew = new ArrayList<>();
			for (Map.Entry<String, long[]> e : after.entrySet()) {
				if (e.getKey().equals("(total)")) {
					continue;
				}
				long[] was = before.getOrDefault(e.getKey(), new long[2]);
				long delta = e.getValue()[1] - was[1];
				if (delta >= ITEMS) { // at least a byte per item
					grew.add(Map.entry(e.getKey(), delta));
				}
			}
			grew.sort(Map.Entry.<String, Long>comparingByValue().reversed());
			StringBuilder top = new StringBuilder();
			for (int i = 0; i < Math.min(4, grew.size()); i++) {
				String name = grew.get(i).getKey();
				if (name.startsWith("[L") && name.endsWith(";")) {
					name = name.substring(2, name.length() - 1) + "[]";
				}
				top.append(i == 0 ? "" : ", ")
					.append(f("`%s` %.0f", name.substring(name.lastIndexOf('.') + 1), (double) grew.get(i).getValue()
							/ ITEMS));
			}
			return new Measured((double) total / ITEMS, top.toString());
		}

	}

	/** Workload 11; returns the table. */
	static String flood(Scenarios.Options options) throws Exception {
		Table table = new Table("contender", "outcome", "accepted", "time to accept (s)", "heap after (MB)");
		for (Contender contender : options.contenders) {
			if (contender != Contender.CMWQ && contender != Contender.TPE && contender != Contender.FJP
					&& contender != Contender.SPRING) {
				table.row(contender.label(options.ncpu), "not run", "", "", "");
				continue;
			}
			String[] r = runChild(contender, options.quick ? FLOOD_ITEMS / 10 : FLOOD_ITEMS);
			table.row(contender.label(options.ncpu), r[0], r[1], r[2], r[3]);
			if (contender == Contender.CMWQ) {
				options.targets.record(Targets.FLOOD, r[0], r[0].equals("completed"));
			}
		}
		return f("%n### Workload 11: flood%n%nA child JVM with `-Xmx512m` per contender, with its defaults: one "
				+ "producer queues %,d items that sleep 1 ms as fast as they are accepted, then the executor is "
				+ "abandoned. \"completed\" means every item was accepted without an `OutOfMemoryError`; a producer "
				+ "still queueing after %d s (GC thrash) counts as failed. Target: cmwq completes.%n%n",
				options.quick ? FLOOD_ITEMS / 10 : FLOOD_ITEMS, FLOOD_LIMIT_SECONDS) + table + f("%n");
	}

	private static String[] runChild(Contender contender, int items) throws IOException, InterruptedException {
		String java = ProcessHandle.current().info().command().orElse("java");
		Path log = Files.createTempFile("cmwq-flood", ".log"); // not a pipe: a child that logs much must not block
		try {
			Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
					Memory.class.getName(), contender.name(), Integer.toString(items))
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			if (!p.waitFor(FLOOD_LIMIT_SECONDS, TimeUnit.SECONDS)) {
				p.destroyForcibly().waitFor();
				return new String[] { "failed: still queueing after " + FLOOD_LIMIT_SECONDS + " s", "?", "—", "—" };
			}
			return floodResult(Files.readString(log, StandardCharsets.UTF_8), p.exitValue());
		}
		finally {
			Files.deleteIfExists(log);
		}
	}

	private static String[] floodResult(String out, int exitValue) {
		for (String line : out.split("\n")) {
			if (line.startsWith("FLOOD ")) {
				return line.substring(6).split("\t");
			}
		}
		return new String[] { "failed: " + (out.contains("OutOfMemoryError") ? "OutOfMemoryError" : "exit "
				+ exitValue), "?", "—", "—" };
	}

	/** The flood child: {@code Memory CONTENDER ITEMS}. */
	public static void main(String[] args) throws Exception {
		Contender contender = Contender.valueOf(args[0]);
		int items = Integer.parseInt(args[1]);
		int ncpu = Runtime.getRuntime().availableProcessors();
		AtomicLong ran = new AtomicLong();
		Contender.Family family = contender.open(ncpu);
		Executor executor = family.create();
		long start = System.nanoTime();
		long accepted = 0;
		try {
			for (int i = 0; i < items; i++) {
				executor.execute(() -> {
					try {
						Thread.sleep(1);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					ran.incrementAndGet();
				});
				accepted++;
			}
		}
		catch (OutOfMemoryError ex) {
			System.out.println("FLOOD failed: OutOfMemoryError in the producer\t" + accepted + "\t—\t—");
			System.out.flush();
			Runtime.getRuntime().halt(0);
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		System.gc();
		long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
		System.out.println(f("FLOOD completed\t%,d\t%.1f\t%d", accepted, seconds, heap >> 20));
		System.out.flush();
		Runtime.getRuntime().halt(0);
	}

}
