package dev.cmwq.bench;

import java.util.concurrent.TimeUnit;

/** The work the scenarios run: burn (spin on the wall clock) and sleep. */
final class Load {

	private Load() {
	}

	/** Spins on {@link System#nanoTime()} for {@code nanos} of wall-clock time. */
	static void burn(long nanos) {
		long end = System.nanoTime() + nanos;
		while (System.nanoTime() - end < 0) {
			Thread.onSpinWait();
		}
	}

	static void sleep(long nanos) {
		try {
			TimeUnit.NANOSECONDS.sleep(nanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static long ms(double millis) {
		return (long) (millis * 1_000_000L);
	}

}
