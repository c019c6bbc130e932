package dev.cmwq.bench;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.cmwq.core.VirtualThreadMode;
import dev.cmwq.core.WorkqueueSystem;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import dev.cmwq.bench.CountingThreadFactory.ThreadCounter;

/**
 * The contenders: how to make one (or, for workloads 6 and 7, a hundred) of them, with their threads counted.
 */
enum Contender {

	/** cmwq: one WorkqueueSystem with {@code ncpu} simulated CPUs; each executor is a bound workqueue. */
	CMWQ("cmwq") {
		@Override
		Family open(int threads, Duration idleTimeout) {
			return cmwq(threads, idleTimeout, VirtualThreadMode.OFF);
		}
	},

	/**
	 * cmwq with virtual workers under its own concurrency management ({@link VirtualThreadMode#MANAGED}), JDK 21+
	 * only.
	 */
	CMWQ_VT_MANAGED("cmwq, virtual, managed") {
		@Override
		Family open(int threads, Duration idleTimeout) {
			return cmwq(threads, idleTimeout, VirtualThreadMode.MANAGED);
		}

		@Override
		boolean available() {
			return VirtualThreadMode.isSupported();
		}
	},

	/**
	 * cmwq with virtual workers, concurrency left to the JDK's scheduler ({@link VirtualThreadMode#SCHEDULER}), JDK
	 * 21+ only.
	 */
	CMWQ_VT_SCHEDULER("cmwq, virtual, JDK scheduler") {
		@Override
		Family open(int threads, Duration idleTimeout) {
			return cmwq(threads, idleTimeout, VirtualThreadMode.SCHEDULER);
		}

		@Override
		boolean available() {
			return VirtualThreadMode.isSupported();
		}
	},

	/** {@code ThreadPoolExecutor(ncpu)}: fixed size, unbounded queue (Executors.newFixedThreadPool). */
	TPE("ThreadPoolExecutor(n)") {
		@Override
		Family open(int threads, Duration idleTimeout) {
			ThreadCounter counter = new ThreadCounter();
			ThreadFactory tf = new CountingThreadFactory(daemon(), counter);
			return Family.ofServices(counter, () -> new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
					new LinkedBlockingQueue<>(), tf));
		}
	},

	/** {@code ForkJoinPool(ncpu)}. */
	FJP("ForkJoinPool(n)") {
		@Override
		Family open(int threads, Duration idleTimeout) {
			ThreadCounter counter = new ThreadCounter();
			ForkJoinPool.ForkJoinWorkerThreadFactory tf = (pool) -> new CountedFjThread(pool, counter);
			if (idleTimeout == null) {
				return Family.ofServices(counter, () -> new ForkJoinPool(threads, tf, null, false));
			}
			// the defaults of the short constructor, but with the given keep-alive
			return Family.ofServices(counter, () -> new ForkJoinPool(threads, tf, null, false, 0, 32767, 1, null,
					idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
		}
	},

	/** {@code Executors.newCachedThreadPool()}: a thread per task unless one is idle, 60 s keep-alive. */
	CACHED("cached pool") {
		@Override
		Family open(int threads, Duration idleTimeout) {
			ThreadCounter counter = new ThreadCounter();
			ThreadFactory tf = new CountingThreadFactory(daemon(), counter);
			long keepAlive = (idleTimeout != null) ? idleTimeout.toMillis() : 60_000;
			return Family.ofServices(counter, () -> new ThreadPoolExecutor(0, Integer.MAX_VALUE, keepAlive,
					TimeUnit.MILLISECONDS, new SynchronousQueue<>(), tf));
		}
	},

	/**
	 * Spring Boot's default application task executor: ThreadPoolTaskExecutor, core 8, unbounded queue (so never
	 * more than 8 threads), core threads time out after 60 s.
	 */
	SPRING("Spring TPTE(core 8)") {
		@Override
		Family open(int threads, Duration idleTimeout) {
			ThreadCounter counter = new ThreadCounter();
			ThreadFactory tf = new CountingThreadFactory(daemon(), counter);
			int keepAlive = (idleTimeout != null) ? (int) Math.max(1, idleTimeout.toSeconds()) : 60;
			List<ThreadPoolTaskExecutor> made = new ArrayList<>();
			return new Family(counter, null) {
				@Override
				Executor create() {
					ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
					executor.setCorePoolSize(8);
					executor.setMaxPoolSize(Integer.MAX_VALUE);
					executor.setQueueCapacity(Integer.MAX_VALUE);
					executor.setKeepAliveSeconds(keepAlive);
					executor.setAllowCoreThreadTimeOut(true);
					executor.setThreadFactory(tf);
					executor.initialize();
					made.add(executor);
					return executor;
				}

				@Override
				void closeAll() {
					made.forEach(ThreadPoolTaskExecutor::shutdown);
				}
			};
		}
	},

	/** {@code Executors.newThreadPerTaskExecutor(Thread.ofVirtual().factory())}, JDK 21+ only (by reflection). */
	VIRTUAL("virtual threads") {
		@Override
		Family open(int threads, Duration idleTimeout) {
			ThreadCounter counter = new ThreadCounter();
			ThreadFactory tf = new CountingThreadFactory(virtualFactory(), counter);
			return Family.ofServices(counter, () -> {
				try {
					Method m = java.util.concurrent.Executors.class.getMethod("newThreadPerTaskExecutor",
							ThreadFactory.class);
					return (ExecutorService) m.invoke(null, tf);
				}
				catch (ReflectiveOperationException ex) {
					throw new IllegalStateException(ex);
				}
			});
		}

		@Override
		boolean available() {
			return Runtime.version().feature() >= 21;
		}
	};

	final String label;

	Contender(String label) {
		this.label = label;
	}

	/** Makes a family of executors of this kind sharing one thread counter. */
	abstract Family open(int threads, Duration idleTimeout);

	Family open(int threads) {
		return open(threads, null);
	}

	boolean available() {
		return true;
	}

	String label(int ncpu) {
		return this.label.replace("(n)", "(" + ncpu + ")");
	}

	static List<Contender> availableOnes() {
		List<Contender> result = new ArrayList<>();
		for (Contender c : values()) {
			if (c.available()) {
				result.add(c);
			}
		}
		return result;
	}

	private static final java.util.concurrent.atomic.AtomicInteger THREAD_IDS = new java.util.concurrent.atomic.AtomicInteger();

	/** Daemon threads named {@code bench-exec-N}, so that workload 6 can tell their CPU time apart. */
	static ThreadFactory daemon() {
		return (r) -> {
			Thread t = new Thread(r, "bench-exec-" + THREAD_IDS.incrementAndGet());
			t.setDaemon(true);
			return t;
		};
	}

	/** One WorkqueueSystem with {@code threads} simulated CPUs, its workers counted; each executor a bound queue. */
	static Family cmwq(int threads, Duration idleTimeout, VirtualThreadMode mode) {
		ThreadCounter counter = new ThreadCounter();
		ThreadFactory threadFactory = mode.equals(VirtualThreadMode.OFF) ? Thread::new : virtualFactory();
		WorkqueueSystem.Builder builder = WorkqueueSystem.builder()
			.cpus(threads)
			.virtualThreads(mode)
			.threadFactory(new CountingThreadFactory(threadFactory, counter));
		if (idleTimeout != null) {
			builder.idleTimeout(idleTimeout);
		}
		WorkqueueSystem system = builder.build();
		return new Family(counter, system) {
			private int n;

			@Override
			Executor create() {
				return system.allocWorkqueue("bench" + (this.n++), Set.of(), 0);
			}

			@Override
			void closeAll() {
				system.close(Duration.ofSeconds(30));
			}
		};
	}

	static ThreadFactory virtualFactory() {
		try {
			Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
			Class<?> builderType = Class.forName("java.lang.Thread$Builder");
			return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("virtual threads need JDK 21+", ex);
		}
	}

	/** A set of executors of one kind, with one thread counter. */
	abstract static class Family implements AutoCloseable {

		final ThreadCounter threads;

		final WorkqueueSystem system; // cmwq only

		Family(ThreadCounter threads, WorkqueueSystem system) {
			this.threads = threads;
			this.system = system;
		}

		/** Makes one more executor (cmwq: one more workqueue in the same system). */
		abstract Executor create();

		abstract void closeAll();

		@Override
		public void close() {
			closeAll();
		}

		interface ServiceMaker {

			ExecutorService make();

		}

		static Family ofServices(ThreadCounter counter, ServiceMaker maker) {
			List<ExecutorService> made = new ArrayList<>();
			return new Family(counter, null) {
				@Override
				Executor create() {
					ExecutorService service = maker.make();
					made.add(service);
					return service;
				}

				@Override
				void closeAll() {
					for (ExecutorService service : made) {
						service.shutdownNow();
					}
					for (ExecutorService service : made) {
						try {
							service.awaitTermination(10, TimeUnit.SECONDS);
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
					}
				}
			};
		}

	}

	static final class CountedFjThread extends ForkJoinWorkerThread {

		private final ThreadCounter counter;

		CountedFjThread(ForkJoinPool pool, ThreadCounter counter) {
			super(pool);
			this.counter = counter;
			setName("bench-exec-fj-" + THREAD_IDS.incrementAndGet());
			setDaemon(true);
		}

		@Override
		protected void onStart() {
			super.onStart();
			this.counter.started();
		}

		@Override
		protected void onTermination(Throwable exception) {
			this.counter.ended();
			super.onTermination(exception);
		}

	}

}
