package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The execution scenarios of the cmwq design document (section 5) on a one-CPU system: w0 burns, sleeps and burns
 * again; w1 and w2 burn and sleep. One unit stands for the table's 5 ms; each event must land within a quarter
 * unit of the table.
 */
class ExecutionScenariosTest {

	private WorkqueueSystem system;

	private Timeline timeline;

	@BeforeEach
	void setUp() {
		// the kernel's 10 ms CPU-intensive threshold is two of the table's 5 ms units
		this.system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.cpuIntensiveThreshold(Timeline.UNIT.multipliedBy(2))
			.build();
		warmUp();
		this.timeline = new Timeline();
	}

	@AfterEach
	void tearDown() {
		this.system.close();
	}

	/** Starts the pool's workers and the detector once, so that thread creation does not count. */
	private void warmUp() {
		Workqueue warm = this.system.allocWorkqueue("warm", Set.of(), 0);
		Workqueue warmHigh = this.system.allocWorkqueue("warm-high", Set.of(WorkqueueFlag.HIGHPRI), 0);
		for (int i = 0; i < 4; i++) { // enough idle workers for every scenario
			warm.execute(() -> Timeline.sleep(0.1));
			warmHigh.execute(() -> Timeline.sleep(0.1));
		}
		warm.flush();
		warmHigh.flush();
	}

	@Test
	void maxActiveThreeOrMoreStartsTheNextItemWheneverTheRunningOneSleeps() {
		Workqueue q0 = this.system.allocWorkqueue("q0", Set.of(), 3);
		q0.execute(this.timeline.item("w0", 1));
		q0.execute(this.timeline.item("w1", 0));
		q0.execute(this.timeline.item("w2", 0));
		q0.flush();

		this.timeline.assertAt("w0 starts", 0);
		this.timeline.assertAt("w0 sleeps", 1);
		this.timeline.assertAt("w1 starts", 1);
		this.timeline.assertAt("w1 sleeps", 2);
		this.timeline.assertAt("w2 starts", 2);
		this.timeline.assertAt("w2 sleeps", 3);
		this.timeline.assertAt("w0 wakes", 3);
		this.timeline.assertAt("w0 finishes", 4);
		this.timeline.assertAt("w1 finishes", 4);
		this.timeline.assertAt("w2 finishes", 5);
	}

	@Test
	void maxActiveTwoHoldsTheThirdItemUntilTheFirstFinishes() {
		Workqueue q0 = this.system.allocWorkqueue("q0", Set.of(), 2);
		q0.execute(this.timeline.item("w0", 1));
		q0.execute(this.timeline.item("w1", 0));
		q0.execute(this.timeline.item("w2", 0));
		q0.flush();

		this.timeline.assertAt("w0 starts", 0);
		this.timeline.assertAt("w0 sleeps", 1);
		this.timeline.assertAt("w1 starts", 1);
		this.timeline.assertAt("w1 sleeps", 2);
		this.timeline.assertAt("w0 wakes", 3);
		this.timeline.assertAt("w0 finishes", 4);
		this.timeline.assertAt("w1 finishes", 4);
		this.timeline.assertAt("w2 starts", 4);
		this.timeline.assertAt("w2 sleeps", 5);
		this.timeline.assertAt("w2 finishes", 7);
	}

	@Test
	void highpriItemStartsAtOnceWhileTheNormalPoolIsRunning() {
		Workqueue q0 = this.system.allocWorkqueue("q0", Set.of(), 0);
		Workqueue q1 = this.system.allocWorkqueue("q1", Set.of(WorkqueueFlag.HIGHPRI), 0);
		q0.execute(this.timeline.item("w0", 1));
		q1.execute(this.timeline.item("w1", 0));
		q1.execute(this.timeline.item("w2", 0));
		q0.flush();
		q1.flush();

		this.timeline.assertAt("w0 starts", 0);
		this.timeline.assertAt("w1 starts", 0);
		this.timeline.assertAt("w2 starts", 1); // the highpri pool is concurrency managed too
		this.timeline.assertAt("w0 finishes", 4);
	}

	@Test
	void cpuIntensiveItemsBothStartWhenTheRunningItemSleeps() {
		Workqueue q0 = this.system.allocWorkqueue("q0", Set.of(), 0);
		Workqueue q1 = this.system.allocWorkqueue("q1", Set.of(WorkqueueFlag.CPU_INTENSIVE), 0);
		q0.execute(this.timeline.item("w0", 1));
		q1.execute(this.timeline.item("w1", 0));
		q1.execute(this.timeline.item("w2", 0));
		q0.flush();
		q1.flush();

		this.timeline.assertAt("w0 starts", 0);
		this.timeline.assertAt("w0 sleeps", 1);
		this.timeline.assertAt("w1 starts", 1);
		this.timeline.assertAt("w2 starts", 1);
		this.timeline.assertAt("w0 wakes", 3);
		this.timeline.assertAt("w0 finishes", 4);
	}

	@Test
	void unitIsLargeEnough() {
		org.assertj.core.api.Assertions.assertThat(Timeline.UNIT).isGreaterThanOrEqualTo(Duration.ofMillis(100));
	}

}
