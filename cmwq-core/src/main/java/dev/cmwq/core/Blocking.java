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
 * Where the end of a block cannot be marked, {@link #expect()} says only that it begins. The engine's own waits
 * ({@link Workqueue#flush()}, {@link Work#flush()}, {@link Work#cancelSync()}) use it.
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
	 * Says that the calling worker is about to block in code that cannot say when the block ends (a wait inside a
	 * library, such as Reactor's {@code block()}): it counts as blocked at once, as if the {@link BlockDetector} had
	 * found it so, and the detector clears that as soon as it sees the worker running again (or the item ends).
	 * A call that is not followed by a block costs at most one scan of extra concurrency. Outside a worker, or on a
	 * worker already counted as blocked, it does nothing.
	 */
	public static void expect() {
		Worker worker = Worker.current();
		if (worker == null || worker.currentWork == null || worker.sleepingHint) {
			return;
		}
		WorkerPool pool = worker.pool;
		pool.lock();
		try {
			worker.expectBlock();
		}
		finally {
			pool.unlock();
		}
		pool.system.detector.watch();
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
				worker.currentPwq.blockAnnounced();
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
