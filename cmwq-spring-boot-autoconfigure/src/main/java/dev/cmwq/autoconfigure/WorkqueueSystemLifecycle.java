package dev.cmwq.autoconfigure;

import java.time.Duration;

import dev.cmwq.core.WorkqueueSystem;

import org.springframework.context.SmartLifecycle;

/**
 * Ties the {@link WorkqueueSystem} to the application context: it runs while the context runs, and when the context
 * closes it is shut down, draining every workqueue for up to {@code cmwq.shutdown-timeout} (the engine logs, per
 * workqueue, what did not finish). From the moment shutdown begins, queueing from outside the workqueues throws
 * {@link java.util.concurrent.RejectedExecutionException}. Once the system is closed, {@code @QueueWork} invocations
 * that never started have their futures cancelled.
 *
 * <p>It stops in a late phase, after the web server and other lifecycle beans that produce work have stopped, and
 * before any bean is destroyed, so that draining items can still use the beans they need. The engine cannot be
 * restarted: once stopped, the system stays closed.
 */
class WorkqueueSystemLifecycle implements SmartLifecycle {

	/** After the web server's graceful shutdown (DEFAULT_PHASE - 1024) and its stop (DEFAULT_PHASE - 2048). */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final WorkqueueSystem system;

	private final Duration shutdownTimeout;

	private final Runnable afterClose;

	private volatile boolean running;

	WorkqueueSystemLifecycle(WorkqueueSystem system, Duration shutdownTimeout, Runnable afterClose) {
		this.system = system;
		this.shutdownTimeout = shutdownTimeout;
		this.afterClose = afterClose;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.system.close(this.shutdownTimeout);
		this.afterClose.run();
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
