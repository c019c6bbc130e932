package dev.cmwq.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records when named events happen, in units since the timeline started, and burns or sleeps in units.
 * A unit stands for the design document's 5 ms, scaled up so that a busy 2-core machine cannot miss by a quarter.
 */
final class Timeline {

	static final Duration UNIT = Duration.ofMillis(500);

	private final long start = System.nanoTime();

	private final Map<String, Long> events = new ConcurrentHashMap<>();

	void mark(String event) {
		this.events.put(event, System.nanoTime() - this.start);
	}

	/** Spins (wall clock) for {@code units}: a CPU-bound stretch. */
	static void burn(double units) {
		long end = System.nanoTime() + (long) (UNIT.toNanos() * units);
		while (System.nanoTime() < end) {
			Thread.onSpinWait();
		}
	}

	static void sleep(double units) {
		try {
			Thread.sleep((long) (UNIT.toMillis() * units));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	double at(String event) {
		Long nanos = this.events.get(event);
		assertThat(nanos).as("event '%s' happened", event).isNotNull();
		return nanos / (double) UNIT.toNanos();
	}

	void assertAt(String event, double expectedUnits) {
		assertThat(at(event)).as("time of '%s' in units (table: %s)", event, expectedUnits)
			.isCloseTo(expectedUnits, org.assertj.core.data.Offset.offset(0.25));
	}

	/** A work item of the design document: burn 1, sleep 2, then burn {@code burnAfter} and finish. */
	Runnable item(String name, double burnAfter) {
		return () -> {
			mark(name + " starts");
			burn(1);
			mark(name + " sleeps");
			sleep(2);
			mark(name + " wakes");
			burn(burnAfter);
			mark(name + " finishes");
		};
	}

}
