package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.cmwq.core.Work.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link VirtualThreadMode#MANAGED} and {@link VirtualThreadMode#SCHEDULER} (JDK 21+: the build runs this class in
 * a JVM of its own on JDK 25, by its tag): items run on virtual threads, and the contract holds: max-active, ordered
 * FIFO, the pending bit, freeze and thaw, flush, cancel, shutdown answers, rescuers, thread-locals, and the model-based
 * random test. Plus what differs: the SCHEDULER mode counts no item as running and starts the block detector's thread
 * only to retry a timer thread that could not be started.
 */
@Tag("jdk21")
class VirtualThreadsTest {

	private static final long TIMEOUT = 30;

	private WorkqueueSystem system;

	@BeforeAll
	static void jdk21() {
		assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
	}

	@AfterEach
	void close() {
		if (this.system != null) {
			this.system.close(Duration.ofSeconds(TIMEOUT));
		}
	}

	private WorkqueueSystem system(VirtualThreadMode mode) {
		return system(WorkqueueSystem.builder().cpus(2), mode);
	}

	private WorkqueueSystem system(WorkqueueSystem.Builder builder, VirtualThreadMode mode) {
		this.system = builder.systemWorkqueues(false).virtualThreads(mode).build();
		assertThat(this.system.virtualThreadMode()).isEqualTo(mode);
		return this.system;
	}

	private static boolean isVirtual() {
		return VirtualThreads.isVirtual(Thread.currentThread());
	}

	@ParameterizedTest
	@EnumSource(value = VirtualThreadMode.class, names = { "MANAGED", "SCHEDULER" })
	void itemsOfEveryKindOfQueueRunOnNamedVirtualThreads(VirtualThreadMode mode) throws Exception {
		WorkqueueSystem system = system(mode);
		List<Workqueue> queues = List.of(system.allocWorkqueue("bound", Set.of(), 0),
				system.allocWorkqueue("highpri", Set.of(WorkqueueFlag.HIGHPRI), 0),
				system.allocWorkqueue("unbound", Set.of(WorkqueueFlag.UNBOUND), 0),
				system.allocWorkqueue("intensive", Set.of(WorkqueueFlag.CPU_INTENSIVE), 0),
				system.allocOrderedWorkqueue("ordered", Set.of()));
		List<String> seen = new CopyOnWriteArrayList<>();
		for (Workqueue wq : queues) {
			wq.execute(() -> seen.add(isVirtual() + " " + Thread.currentThread().getName()));
			wq.queueOn(1, new Work(() -> seen.add(isVirtual() + " " + Thread.currentThread().getName())));
		}
		assertThat(system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(seen).hasSize(10).allMatch((s) -> s.matches("true cmwq-(cpu[01](-highpri)?|unbound)-w\\d+"));
		assertThat(seen).anyMatch((s) -> s.contains("cmwq-cpu1-w"));
	}

	@ParameterizedTest
	@EnumSource(value = VirtualThreadMode.class, names = { "MANAGED", "SCHEDULER" })
	void maxActiveHoldsWhileBlockedItemsLetOthersStart(VirtualThreadMode mode) throws Exception {
		WorkqueueSystem system = system(WorkqueueSystem.builder().cpus(1), mode);
		Workqueue wq = system.allocWorkqueue("limited", Set.of(), 2);
		AtomicInteger running = new AtomicInteger();
		AtomicInteger max = new AtomicInteger();
		CountDownLatch two = new CountDownLatch(2);
		CountDownLatch gate = new CountDownLatch(1);
		for (int i = 0; i < 8; i++) {
			wq.execute(() -> {
				max.accumulateAndGet(running.incrementAndGet(), Math::max);
				two.countDown();
				pass(gate); // blocks: on one CPU, a second item starts only because this one blocked
				running.decrementAndGet();
			});
		}
		assertThat(two.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		gate.countDown();
		assertThat(system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(max).hasValue(2);
		assertThat(stats(system, "limited").completed()).isEqualTo(8);
	}

	@ParameterizedTest
	@EnumSource(value = VirtualThreadMode.class, names = { "MANAGED", "SCHEDULER" })
	void orderedQueuesRunOneAtATimeInFifoOrder(VirtualThreadMode mode) throws Exception {
		WorkqueueSystem system = system(mode);
		Workqueue wq = system.allocOrderedWorkqueue("audit", Set.of());
		List<Integer> order = Collections.synchronizedList(new ArrayList<>());
		AtomicInteger running = new AtomicInteger();
		AtomicInteger max = new AtomicInteger();
		for (int i = 0; i < 300; i++) {
			int n = i;
			wq.execute(() -> {
				max.accumulateAndGet(running.incrementAndGet(), Math::max);
				if (n % 10 == 0) {
					Thread.yield(); // a virtual thread gives up its carrier now and then
				}
				order.add(n);
				running.decrementAndGet();
			});
		}
		wq.flush();
		assertThat(order).hasSize(300).isSorted();
		assertThat(max).hasValue(1);
	}

	@ParameterizedTest
	@EnumSource(value = VirtualThreadMode.class, names = { "MANAGED", "SCHEDULER" })
	void queueingARunningItemTwiceGivesExactlyOneMoreRun(VirtualThreadMode mode) throws Exception {
		WorkqueueSystem system = system(mode);
		Workqueue wq = system.allocWorkqueue("pending", Set.of(WorkqueueFlag.UNBOUND), 0);
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch gate = new CountDownLatch(1);
		AtomicInteger runs = new AtomicInteger();
		Work work = new Work(() -> {
			if (runs.incrementAndGet() == 1) {
				started.countDown();
				pass(gate);
			}
		});
		assertThat(wq.queue(work)).isTrue();
		assertThat(started.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThat(wq.queue(work)).isTrue();
		assertThat(work.isPending()).isTrue();
		assertThat(wq.queue(work)).isFalse();
		gate.countDown();
		work.flush();
		assertThat(system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(runs).hasValue(2);
	}

	@ParameterizedTest
	@EnumSource(value = VirtualThreadMode.class, names = { "MANAGED", "SCHEDULER" })
	void frozenQueuesStartNothingUntilThawedThenRunWhatWasHeldInOrder(VirtualThreadMode mode) throws Exception {
		WorkqueueSystem system = system(mode);
		Workqueue frozen = system.allocOrderedWorkqueue("frozen", Set.of(WorkqueueFlag.FREEZABLE));
		Workqueue other = system.allocWorkqueue("other", Set.of(), 0);
		List<Integer> ran = new CopyOnWriteArrayList<>();
		assertThat(system.freeze()).isTrue();
		for (int i = 0; i < 5; i++) {
			int n = i;
			frozen.execute(() -> ran.add(n));
		}
		Work unaffected = new Work(() -> { });
		other.queue(unaffected);
		unaffected.flush();
		assertThat(unaffected.isPending()).isFalse(); // other queues run
		assertThat(system.freezeBusy()).isFalse();
		assertThat(ran).isEmpty();
		assertThat(system.thaw()).isTrue();
		frozen.flush();
		assertThat(ran).containsExactly(0, 1, 2, 3, 4);
	}

	@ParameterizedTest
	@EnumSource(value = VirtualThreadMode.class, names = { "MANAGED", "SCHEDULER" })
	void cancelTakesAPendingItemAndFlushWaitsForTheRest(VirtualThreadMode mode) throws Exception {
		WorkqueueSystem system = system(mode);
		Workqueue wq = system.allocOrderedWorkqueue("serial", Set.of());
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch gate = new CountDownLatch(1);
		AtomicInteger after = new AtomicInteger();
		List<Outcome> answers = new CopyOnWriteArrayList<>();
		wq.execute(() -> {
			started.countDown();
			pass(gate);
		});
		Work cancelled = new Work(() -> after.incrementAndGet()) {
			@Override
			protected void done(Outcome outcome, Throwable failure) {
				answers.add(outcome);
			}
		};
		wq.queue(cancelled);
		wq.execute(after::incrementAndGet);
		assertThat(started.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThat(cancelled.cancel()).isTrue();
		gate.countDown();
		wq.flush();
		assertThat(after).hasValue(1);
		assertThat(answers).containsExactly(Outcome.CANCELLED);
		WorkqueueStats stats = stats(system, "serial");
		assertThat(stats.completed()).isEqualTo(2);
		assertThat(stats.cancelled()).isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(value = VirtualThreadMode.class, names = { "MANAGED", "SCHEDULER" })
	void shutdownAnswersWhatCouldNotRun(VirtualThreadMode mode) throws Exception {
		WorkqueueSystem system = system(mode);
		Workqueue wq = system.allocOrderedWorkqueue("serial", Set.of());
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch gate = new CountDownLatch(1);
		List<Outcome> answers = new CopyOnWriteArrayList<>();
		wq.execute(() -> {
			started.countDown();
			pass(gate);
		});
		for (int i = 0; i < 3; i++) {
			wq.queue(new Work(() -> { }) {
				@Override
				protected void done(Outcome outcome, Throwable failure) {
					answers.add(outcome);
				}
			});
		}
		assertThat(started.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThat(system.close(Duration.ofMillis(200))).isFalse(); // the first item still blocks
		assertThat(answers).containsExactly(Outcome.ABANDONED, Outcome.ABANDONED, Outcome.ABANDONED);
		gate.countDown();
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> stats(system, "serial").completed() == 1);
		assertThat(stats(system, "serial").cancelled()).isEqualTo(3);
	}

	@ParameterizedTest
	@EnumSource(value = VirtualThreadMode.class, names = { "MANAGED", "SCHEDULER" })
	void theRescuerIsAVirtualThreadToo(VirtualThreadMode mode) throws Exception {
		WorkqueueSystem system = system(
				WorkqueueSystem.builder().cpus(1).maxWorkersPerPool(1).maydayInterval(Duration.ofMillis(20)), mode);
		Workqueue wq = system.allocWorkqueue("reclaim", Set.of(WorkqueueFlag.MEM_RECLAIM), 0);
		CountDownLatch gate = new CountDownLatch(1);
		List<String> rescued = new CopyOnWriteArrayList<>();
		wq.execute(() -> pass(gate)); // holds the pool's only worker
		wq.execute(() -> {
			rescued.add(isVirtual() + " " + Thread.currentThread().getName());
			gate.countDown();
		});
		assertThat(gate.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThat(system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(rescued).containsExactly("true cmwq-rescuer-reclaim");
		assertThat(stats(system, "reclaim").rescued()).isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(value = VirtualThreadMode.class, names = { "MANAGED", "SCHEDULER" })
	void threadLocalsWorkAndTheQueuersInheritableOnesDoNotLeakIntoWorkers(VirtualThreadMode mode) throws Exception {
		WorkqueueSystem system = system(mode);
		Workqueue wq = system.allocWorkqueue("locals", Set.of(WorkqueueFlag.UNBOUND), 0);
		InheritableThreadLocal<String> inherited = new InheritableThreadLocal<>();
		ThreadLocal<String> local = new ThreadLocal<>();
		Set<String> seen = ConcurrentHashMap.newKeySet();
		inherited.set("queuer's");
		try {
			for (int i = 0; i < 20; i++) {
				String mine = "item " + i;
				wq.execute(() -> {
					local.set(mine);
					Thread.yield();
					seen.add(String.valueOf(inherited.get()) + " / " + (mine.equals(local.get()) ? "own" : "lost"));
					local.remove();
				});
			}
			assertThat(system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		}
		finally {
			inherited.remove();
		}
		assertThat(seen).containsExactly("null / own");
	}

	@Test
	void inSchedulerModeNoItemCountsAsRunningAndTheDetectorNeverStarts() throws Exception {
		WorkqueueSystem system = system(WorkqueueSystem.builder().cpus(1), VirtualThreadMode.SCHEDULER);
		Workqueue wq = system.allocWorkqueue("busy", Set.of(), 0);
		// as many spinning items as the JDK's scheduler has carriers (at least two): a spin yields no carrier
		int items = Math.max(2, Runtime.getRuntime().availableProcessors());
		CountDownLatch started = new CountDownLatch(items);
		CountDownLatch gate = new CountDownLatch(1);
		try {
			for (int i = 0; i < items; i++) {
				wq.execute(() -> {
					started.countDown();
					// neither blocking nor announced: only the JDK's scheduler lets the other items start beside it
					while (gate.getCount() > 0) {
						Thread.onSpinWait();
					}
				});
			}
			assertThat(started.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
			assertThat(system.snapshot().pool("cpu0").orElseThrow().running()).isZero();
		}
		finally {
			gate.countDown(); // even if an assertion failed: spinning items would starve later tests' carriers
		}
		assertThat(system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(system.detector.thread()).isNull();
		assertThat(stats(system, "busy").cpuIntensive()).isZero(); // not "found" CPU-intensive: none ever counted
	}

	@Test
	void onTheJdkSchedulerATimerThreadThatCouldNotBeStartedIsStartedAgainThoughNothingElseIsQueued() throws Exception {
		WorkqueueSystem system = system(WorkqueueSystem.builder().cpus(1).watchdogThreshold(Duration.ZERO),
				VirtualThreadMode.SCHEDULER);
		Workqueue wq = system.allocWorkqueue("delayed", Set.of(), 0);
		system.timers.housekeeping.fault = () -> {
			throw new OutOfMemoryError("injected"); // before its thread exists: starting it fails
		};
		CountDownLatch ran = new CountDownLatch(1);
		assertThat(wq.queueDelayed(new DelayedWork(ran::countDown), Duration.ofMillis(1))).isTrue();
		assertThat(system.housekeeping().get(1).working()).as("the timer").isFalse();
		assertThat(system.detector.thread()).as("woken to retry it").isNotNull();

		system.timers.housekeeping.fault = null; // nothing is queued from here on
		assertThat(ran.await(TIMEOUT, TimeUnit.SECONDS)).as("the delayed item fires").isTrue();
		assertThat(system.housekeeping().get(1).working()).isTrue();
	}

	@Test
	void virtualWorkersSkipTheProcProbes() throws Exception {
		ThreadStateProbe[] probe = new ThreadStateProbe[1];
		Thread t = VirtualThreads.factory().newThread(() -> probe[0] = ThreadStateProbe.forCurrentThread());
		t.start();
		t.join();
		assertThat(probe[0]).isSameAs(ThreadStateProbe.NONE);
	}

	@Test
	void aThreadFactoryGivenWithVirtualThreadsMustMakeVirtualThreads() throws Exception {
		WorkqueueSystem.Builder platform = WorkqueueSystem.builder()
			.threadFactory(Thread::new)
			.virtualThreads(VirtualThreadMode.MANAGED);
		assertThatIllegalStateException().isThrownBy(platform::build).withMessageContaining("platform threads");
		AtomicInteger made = new AtomicInteger();
		ThreadFactory virtual = VirtualThreads.factory();
		WorkqueueSystem system = system(WorkqueueSystem.builder().cpus(1).threadFactory((r) -> {
			made.incrementAndGet();
			return virtual.newThread(r);
		}), VirtualThreadMode.SCHEDULER);
		List<Boolean> ran = new CopyOnWriteArrayList<>();
		system.allocWorkqueue("counted", Set.of(), 0).execute(() -> ran.add(isVirtual()));
		assertThat(system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(ran).containsExactly(true);
		assertThat(made).hasValue(2); // the sample build() checked, and the worker
	}

	@ParameterizedTest
	@EnumSource(value = ModelBasedRandomTest.Mode.class, names = { "VIRTUAL_MANAGED", "VIRTUAL_SCHEDULER" })
	void randomOperationsAgreeWithTheModel(ModelBasedRandomTest.Mode mode) throws Exception {
		ModelBasedRandomTest.run(mode);
	}

	private static WorkqueueStats stats(WorkqueueSystem system, String name) {
		return system.snapshot().workqueue(name).orElseThrow().stats();
	}

	private static void pass(CountDownLatch latch) {
		try {
			if (!latch.await(TIMEOUT, TimeUnit.SECONDS)) {
				throw new IllegalStateException("gate not opened in " + TIMEOUT + " s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
