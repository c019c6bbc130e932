package dev.cmwq.sample;

/**
 * Stands in for time spent waiting on something outside the application (a mail relay, a database).
 */
public final class Latency {

	private Latency() {
	}

	/**
	 * Blocks the calling thread, as a call to a slow system would.
	 * @param millis how long
	 */
	public static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting", ex);
		}
	}

}
