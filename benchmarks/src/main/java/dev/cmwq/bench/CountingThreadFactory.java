package dev.cmwq.bench;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a thread factory and counts the threads it made that are alive (running their runnable), with the peak
 * since the last {@link #resetPeak()}: exact, no sampling.
 */
final class CountingThreadFactory implements ThreadFactory {

	private final ThreadFactory delegate;

	final ThreadCounter counter;

	CountingThreadFactory(ThreadFactory delegate, ThreadCounter counter) {
		this.delegate = delegate;
		this.counter = counter;
	}

	@Override
	public Thread newThread(Runnable r) {
		return this.delegate.newThread(() -> {
			this.counter.started();
			try {
				r.run();
			}
			finally {
				this.counter.ended();
			}
		});
	}

	/** Live and peak thread counts. */
	static final class ThreadCounter {

		private final AtomicInteger live = new AtomicInteger();

		private final AtomicInteger peak = new AtomicInteger();

		private final AtomicInteger created = new AtomicInteger();

		void started() {
			int n = this.live.incrementAndGet();
			this.created.incrementAndGet();
			this.peak.accumulateAndGet(n, Math::max);
		}

		void ended() {
			this.live.decrementAndGet();
		}

		int live() {
			return this.live.get();
		}

		int peak() {
			return this.peak.get();
		}

		int created() {
			return this.created.get();
		}

		void resetPeak() {
			this.peak.set(this.live.get());
		}

	}

}
