package dev.cmwq.spring;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.cmwq.core.WorkqueueSnapshot;
import dev.cmwq.core.WorkqueueSystem;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Ties the {@link WorkqueueSystem} to the application context: it runs while the context runs, and when the context
 * closes it is shut down, draining every workqueue. From the moment shutdown begins, queueing from outside the
 * workqueues throws {@link java.util.concurrent.RejectedExecutionException}. Once the system is closed, every item
 * that never started has been answered (the futures of {@code submit}, {@code @Async} and {@code @QueueWork} are
 * cancelled), and the engine has logged per workqueue what ran, was cancelled, never started and still runs.
 *
 * <p>It stops in a late phase, after the web server and other lifecycle beans that produce work have stopped, and
 * before any bean is destroyed, so that draining items can still use the beans they need. Like Spring Boot's own
 * lifecycle beans it stops asynchronously, on a thread of its own, and within its shutdown phase's timeout
 * ({@code spring.lifecycle.timeout-per-shutdown-phase}): it drains for {@code cmwq.shutdown-timeout} or until
 * shortly before the phase times out, whichever comes first, and logs what it drains when it starts and how long it
 * took, or what still runs, when it ends. The engine cannot be restarted: once stopped, the system stays closed.
 */
public class WorkqueueSystemLifecycle implements SmartLifecycle {

	/** After the web server's graceful shutdown (DEFAULT_PHASE - 1024) and its stop (DEFAULT_PHASE - 2048). */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	/** The most of the phase's timeout kept back for closing the pools and logging once draining has ended. */
	private static final Duration RESERVE = Duration.ofSeconds(1);

	private static final Log logger = LogFactory.getLog(WorkqueueSystemLifecycle.class);

	private final WorkqueueSystem system;

	private final Duration shutdownTimeout;

	private final Duration phaseTimeout;

	private volatile boolean running;

	/**
	 * @param system the system
	 * @param shutdownTimeout how long to drain at most ({@code cmwq.shutdown-timeout})
	 * @param phaseTimeout how long the lifecycle processor waits for the phase to stop
	 */
	public WorkqueueSystemLifecycle(WorkqueueSystem system, Duration shutdownTimeout, Duration phaseTimeout) {
		this.system = system;
		this.shutdownTimeout = shutdownTimeout;
		this.phaseTimeout = phaseTimeout;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		shutDown();
	}

	@Override
	public void stop(Runnable callback) {
		this.running = false;
		Thread thread = new Thread(() -> {
			try {
				shutDown();
			}
			finally {
				callback.run();
			}
		}, "cmwq-shutdown");
		thread.start();
	}

	/**
	 * How long to drain: {@code cmwq.shutdown-timeout}, but short of the phase's timeout by a tenth of it (at most
	 * a second), so that what could not finish is logged before the lifecycle processor moves on.
	 */
	Duration drainTimeout() {
		Duration reserve = this.phaseTimeout.dividedBy(10);
		Duration phase = this.phaseTimeout.minus((reserve.compareTo(RESERVE) < 0) ? reserve : RESERVE);
		return (phase.compareTo(this.shutdownTimeout) < 0) ? phase : this.shutdownTimeout;
	}

	private void shutDown() {
		Duration drain = drainTimeout();
		List<WorkqueueSnapshot> busy = busy();
		if (busy.isEmpty()) {
			logger.info("Shutting down workqueues: nothing to drain");
		}
		else {
			logger.info("Shutting down workqueues: draining " + busy.size() + " workqueues, "
					+ busy.stream().mapToLong(WorkqueueSystemLifecycle::inFlight).sum() + " items, for up to "
					+ format(drain) + " (cmwq.shutdown-timeout " + format(this.shutdownTimeout)
					+ ", spring.lifecycle.timeout-per-shutdown-phase " + format(this.phaseTimeout) + ")");
		}
		long start = System.nanoTime();
		boolean drained = this.system.close(drain);
		String took = format(Duration.ofNanos(System.nanoTime() - start));
		if (drained) {
			if (!busy.isEmpty()) {
				logger.info("Workqueues drained in " + took);
			}
			return;
		}
		// what never started has been abandoned (the engine logged it per workqueue): only running items are left
		logger.warn("Workqueues did not drain in " + took + "; still running: " + busy().stream()
			.map((queue) -> queue.name() + " (" + queue.active() + ")")
			.collect(Collectors.joining(", ")) + "; they are abandoned if the JVM exits before they end");
	}

	private List<WorkqueueSnapshot> busy() {
		return this.system.snapshot().workqueues().stream().filter((queue) -> inFlight(queue) > 0).toList();
	}

	private static int inFlight(WorkqueueSnapshot queue) {
		return queue.active() + queue.pending();
	}

	private static String format(Duration duration) {
		long millis = duration.toMillis();
		if (millis < 1000) {
			return millis + " ms";
		}
		return (millis % 1000 == 0) ? (millis / 1000) + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Not stopped when the context is paused: a closed system cannot start again, so only closing the context (or
	 * stopping it explicitly) shuts it down.
	 * @return false
	 */
	@Override
	public boolean isPauseable() {
		return false;
	}

}
