package dev.cmwq.core;

import java.util.concurrent.ForkJoinPool;

/**
 * Lets code that knows it is about to block say so, so that a concurrency-managed pool starts its next item at
 * once instead of waiting for the {@link BlockDetector} to notice (the workqueue's counterpart of
 * {@link ForkJoinPool#managedBlock}). Outside a worker these calls just run the blocking code.
 *
 * <pre>{@code
 * try (Blocking.Section s = Blocking.begin()) {
 *     response = client.send(request);
 * }
 * }</pre>
 * The engine's own waits ({@link Workqueue#flush()}, {@link Work#flush()}, {@link Work#cancelSync()}) use it.
 */
public final class Blocking {

	private static final Section NONE = () -> {
	};

	private Blocking() {
	}

	/**
	 * Marks the calling worker as blocked until the returned section is closed. Sections nest.
	 * @return the section to close when the blocking call returns
	 */
	public static Section begin() {
		Worker worker = Worker.current();
		if (worker == null || worker.currentWork == null) {
			return NONE;
		}
		enter(worker);
		return () -> exit(worker);
	}

	/**
	 * Runs {@code blocker} like {@link ForkJoinPool#managedBlock}, as a blocking section.
	 * @param blocker the blocking operation
	 * @throws InterruptedException if {@code blocker.block()} is interrupted
	 */
	public static void managedBlock(ForkJoinPool.ManagedBlocker blocker) throws InterruptedException {
		if (blocker.isReleasable()) {
			return;
		}
		try (Section ignored = begin()) {
			while (!blocker.isReleasable() && !blocker.block()) {
				// block() returned false: not done yet, ask again
			}
		}
	}

	private static void enter(Worker worker) {
		WorkerPool pool = worker.pool;
		pool.lock();
		try {
			if (worker.blockDepth++ == 0) {
				worker.setFlag(Worker.BLOCKING, true);
			}
		}
		finally {
			pool.unlock();
		}
	}

	private static void exit(Worker worker) {
		WorkerPool pool = worker.pool;
		pool.lock();
		try {
			if (worker.blockDepth > 0 && --worker.blockDepth == 0) {
				worker.setFlag(Worker.BLOCKING, false);
			}
		}
		finally {
			pool.unlock();
		}
	}

	/** A blocking section; close it when the blocking call has returned. */
	@FunctionalInterface
	public interface Section extends AutoCloseable {

		@Override
		void close();

	}

}
