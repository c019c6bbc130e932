package dev.cmwq.core;

import java.util.Arrays;

/** The registered {@link WorkListener}s: a copy-on-write array, so the hot path reads one volatile field. */
final class Listeners {

	private volatile WorkListener[] listeners = new WorkListener[0];

	/** Whether any listener is registered (one volatile read; the hot path skips its clock reads without). */
	boolean any() {
		return this.listeners.length != 0;
	}

	synchronized void add(WorkListener listener) {
		WorkListener[] current = this.listeners;
		WorkListener[] next = Arrays.copyOf(current, current.length + 1);
		next[current.length] = listener;
		this.listeners = next;
	}

	synchronized void remove(WorkListener listener) {
		this.listeners = Arrays.stream(this.listeners).filter((l) -> l != listener).toArray(WorkListener[]::new);
	}

	void started(Workqueue wq, long waitNanos) {
		for (WorkListener listener : this.listeners) {
			try {
				listener.started(wq, waitNanos);
			}
			catch (Throwable ex) { // even an Error must not kill a worker in the middle of its bookkeeping
				WorkqueueSystem.LOG.warn("WorkListener {} failed", listener, ex);
			}
		}
	}

	void finished(Workqueue wq, long executionNanos, Throwable failure) {
		for (WorkListener listener : this.listeners) {
			try {
				listener.finished(wq, executionNanos, failure);
			}
			catch (Throwable ex) { // even an Error must not kill a worker in the middle of its bookkeeping
				WorkqueueSystem.LOG.warn("WorkListener {} failed", listener, ex);
			}
		}
	}

	void cancelled(Workqueue wq) {
		for (WorkListener listener : this.listeners) {
			try {
				listener.cancelled(wq);
			}
			catch (Throwable ex) { // even an Error must not kill a worker in the middle of its bookkeeping
				WorkqueueSystem.LOG.warn("WorkListener {} failed", listener, ex);
			}
		}
	}

}
