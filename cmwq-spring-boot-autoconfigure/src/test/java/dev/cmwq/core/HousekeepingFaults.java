package dev.cmwq.core;

/**
 * Tests outside the engine's package inject failures into its own threads through this (the engine's test hook,
 * {@code Housekeeping.fault}, is package-private).
 */
public final class HousekeepingFaults {

	private HousekeepingFaults() {
	}

	/**
	 * Makes every round of the system's timer thread throw {@code fault}'s failure, or stops it.
	 * @param system the system
	 * @param fault run at the start of every round (it throws); null to stop failing
	 */
	public static void failTimer(WorkqueueSystem system, Runnable fault) {
		system.timers.housekeeping.fault = fault;
	}

}
