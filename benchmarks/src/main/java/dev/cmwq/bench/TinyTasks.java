package dev.cmwq.bench;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Workload 1: tiny tasks. Each producer thread calls {@code execute(Runnable)} with a task that only counts itself
 * done, keeping at most {@link #WINDOW} of its tasks in flight (so that the queue cannot grow without bound and
 * the score is tasks executed per second, not just accepted). Score: tasks/s over all producers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TinyTasks {

	/** Tasks a producer may have queued and not yet finished. */
	static final int WINDOW = 1024;

	@Param({ "CMWQ", "TPE", "FJP", "CACHED", "SPRING", "VIRTUAL" })
	public String contender;

	/** Threads of the fixed-size contenders and CPUs of cmwq; 0 = available processors. */
	@Param("0")
	public int cpus;

	private Contender.Family family;

	Executor executor;

	@Setup(Level.Trial)
	public void setUp() {
		int n = (this.cpus > 0) ? this.cpus : Runtime.getRuntime().availableProcessors();
		this.family = Contender.valueOf(this.contender).open(n);
		this.executor = this.family.create();
	}

	/** Every producer of this trial, so that the executor is closed only once all their tasks have run. */
	final java.util.Queue<Producer> producers = new java.util.concurrent.ConcurrentLinkedQueue<>();

	@TearDown(Level.Trial)
	public void tearDown() {
		// JMH runs this on the first thread through its own teardown; the others may still be draining
		for (Producer p : this.producers) {
			p.drain();
		}
		this.family.close();
	}

	/** One producer thread's counters. */
	@State(Scope.Thread)
	public static class Producer {

		final AtomicLong done = new AtomicLong();

		final Runnable task = this.done::incrementAndGet;

		long submitted; // read by another thread only after JMH's teardown barrier

		@Setup(Level.Trial)
		public void register(TinyTasks benchmark) {
			benchmark.producers.add(this);
		}

		/**
		 * Lets the executor catch up before the next iteration. Gives up after 30 s, saying how many tasks did not
		 * run, rather than hanging.
		 */
		@TearDown(Level.Iteration)
		public void drain() {
			long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
			while (this.done.get() < this.submitted) {
				if (System.nanoTime() - deadline > 0) {
					System.err.println("[bench] WARNING: " + (this.submitted - this.done.get())
							+ " submitted tasks did not run within 30 s");
					return;
				}
				Thread.yield();
			}
		}

	}

	@Benchmark
	@Threads(1)
	public void producers1(Producer p) {
		submit(p);
	}

	@Benchmark
	@Threads(2)
	public void producers2(Producer p) {
		submit(p);
	}

	private void submit(Producer p) {
		while (p.submitted - p.done.get() >= WINDOW) {
			Thread.yield();
		}
		this.executor.execute(p.task);
		p.submitted++;
	}

}
