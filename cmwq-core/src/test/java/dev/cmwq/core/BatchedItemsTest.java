package dev.cmwq.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker takes the {@code execute(Runnable)} items that follow its item on the worklist into a batch and runs them
 * after it without the pool lock ({@code Worker.takeBatch}). Whenever another worker could start them before the
 * first item ends, the items it has not started go back to the worklist: the worker blocked (announced or found by
 * the detector), its CPU went offline; and once the system terminates they are abandoned, not run. Giving them back
 * allocates nothing (the worklist keeps room for them), so it works out of memory too. Each test gets
 * A, B and C onto the worklist together, so that the worker takes B and C with A: an item P executes them, and its
 * worker links them as P ends. Without the give-back each would wait for A, which waits for them (30 s, then fails).
 */
class BatchedItemsTest {

	private WorkqueueSystem system;

	@AfterEach
	void tearDown() {
		if (this.system != null) {
			this.system.close(Duration.ofSeconds(5));
		}
	}

	/** A system whose spinning item stays counted as running (never taken for CPU-intensive). */
	private static WorkqueueSystem spinningSystem(int cpus) {
		return WorkqueueSystem.builder()
			.cpus(cpus)
			.systemWorkqueues(false)
			.cpuIntensiveThreshold(Duration.ofHours(1))
			.build();
	}

	/** Executes {@code items} from an item of {@code wq}, so that its worker links them together as it ends. */
	private static void executeTogether(Workqueue wq, Runnable... items) {
		wq.execute(() -> {
			for (Runnable item : items) {
				wq.execute(item);
			}
		});
	}

	@Test
	void itemsBehindAnAnnouncedBlockRunOnAnotherWorker() throws Exception {
		this.system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		assertRunBesideBlockedFirst(true);
	}

	@Test
	void itemsBehindABlockTheDetectorFindsRunOnAnotherWorker() throws Exception {
		this.system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		assertRunBesideBlockedFirst(false);
	}

	private void assertRunBesideBlockedFirst(boolean announced) throws Exception {
		Workqueue wq = this.system.allocWorkqueue("batched", Set.of(), 0);
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean released = new AtomicBoolean();
		AtomicReference<Thread> first = new AtomicReference<>();
		AtomicReference<Thread> third = new AtomicReference<>();
		CountDownLatch done = new CountDownLatch(3);
		Runnable a = () -> {
			first.set(Thread.currentThread());
			try (Blocking.Section ignored = announced ? Blocking.begin() : () -> {
			}) {
				released.set(release.await(30, TimeUnit.SECONDS));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			done.countDown();
		};
		Runnable b = done::countDown;
		Runnable c = () -> {
			third.set(Thread.currentThread());
			release.countDown();
			done.countDown();
		};
		executeTogether(wq, a, b, c);
		assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
		assertThat(released).isTrue();
		assertThat(third.get()).isNotSameAs(first.get());
	}

	@Test
	void anItemWhoseNodeGotOutEndsTheBatchSoThatALaterItemCanFlushIt() throws Exception {
		this.system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		Workqueue wq = this.system.allocWorkqueue("batched", Set.of(), 0);
		AtomicReference<Work> node = new AtomicReference<>();
		AtomicReference<Object> flushed = new AtomicReference<>();
		executeTogether(wq, () -> node.set(Work.currentWork()), () -> {
			try {
				flushed.set(node.get().flush()); // A has ended: it does not wait (nor is it refused as a self-wait)
			}
			catch (RuntimeException ex) {
				flushed.set(ex);
			}
		});
		assertThat(this.system.awaitIdle(Duration.ofSeconds(30))).isTrue();
		assertThat(flushed.get()).isEqualTo(false);
	}

	@Test
	void givingItemsBackAllocatesNothingSoItWorksOutOfMemory() throws Exception {
		this.system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		Workqueue wq = this.system.allocWorkqueue("batched", Set.of(), 0);
		WorkerPool pool = this.system.topology.cpuPool(0, false);
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean released = new AtomicBoolean();
		CountDownLatch done = new CountDownLatch(3);
		Runnable a = () -> {
			pool.allocationFault = () -> { // every allocation under the pool lock fails while A blocks
				throw new OutOfMemoryError("injected");
			};
			try (Blocking.Section ignored = Blocking.begin()) {
				released.set(release.await(30, TimeUnit.SECONDS));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			done.countDown();
		};
		executeTogether(wq, a, done::countDown, () -> {
			pool.allocationFault = null;
			release.countDown();
			done.countDown();
		});
		assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
		assertThat(released).isTrue();
	}

	@Test
	void itemsBehindARunningItemGoToRogueWorkersWhenItsCpuGoesOffline() throws Exception {
		this.system = spinningSystem(2);
		Workqueue wq = this.system.allocWorkqueue("batched", Set.of(), 0);
		CountDownLatch started = new CountDownLatch(1);
		AtomicBoolean cRan = new AtomicBoolean();
		AtomicBoolean aSawC = new AtomicBoolean();
		CountDownLatch done = new CountDownLatch(3);
		Runnable a = () -> {
			started.countDown();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (!cRan.get() && System.nanoTime() < deadline) {
				Thread.onSpinWait();
			}
			aSawC.set(cRan.get());
			done.countDown();
		};
		Runnable c = () -> {
			cRan.set(true);
			done.countDown();
		};
		wq.queueOn(1, new Work(() -> { // executed from a worker of CPU 1: they go to its pool
			wq.execute(a);
			wq.execute(done::countDown);
			wq.execute(c);
		}));
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		// no idle worker: giving B and C back kicks a new one while the pool walks its workers' batches (a walk over
		// the live list threw ConcurrentModificationException here)
		assertThat(this.system.cpuOffline(1)).isTrue();
		assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
		assertThat(aSawC).isTrue();
	}

	@Test
	void itemsBehindARunningItemAreAbandonedWhenTheSystemTerminates() throws Exception {
		this.system = spinningSystem(1);
		Workqueue wq = this.system.allocWorkqueue("batched", Set.of(), 0);
		CountDownLatch started = new CountDownLatch(1);
		AtomicBoolean go = new AtomicBoolean();
		AtomicReference<Thread> worker = new AtomicReference<>();
		AtomicBoolean behindRan = new AtomicBoolean();
		Runnable a = () -> {
			worker.set(Thread.currentThread());
			started.countDown();
			while (!go.get()) {
				Thread.onSpinWait();
			}
		};
		executeTogether(wq, a, () -> behindRan.set(true), () -> behindRan.set(true));
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(this.system.close(Duration.ofMillis(100))).isFalse(); // A still runs: B and C are abandoned
		go.set(true);
		worker.get().join(TimeUnit.SECONDS.toMillis(30)); // it stops after its current item
		assertThat(worker.get().isAlive()).isFalse();
		assertThat(behindRan).isFalse();
	}

	/** {@code n} items that each run for {@code millis} of wall time (not CPU time), never blocking. */
	private static Runnable[] spinners(int n, long millis) {
		Runnable[] items = new Runnable[n];
		for (int i = 0; i < n; i++) {
			items[i] = () -> {
				long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
				while (System.nanoTime() - end < 0) {
					Thread.onSpinWait();
				}
			};
		}
		return items;
	}

	@Test
	void eachItemOfABatchThatStartsIsProgressForTheWatchdog() throws Exception {
		// 12 items of 60 ms each, all in one batch: a start every 60 ms, the pool pending for 700 ms; a watchdog
		// that counted only the batch's first item would report the pool stalled after 300 to 450 ms
		this.system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.cpuIntensiveThreshold(Duration.ofHours(1))
			.watchdogThreshold(Duration.ofMillis(300))
			.build();
		Workqueue wq = this.system.allocWorkqueue("batched", Set.of(), 0);
		executeTogether(wq, spinners(12, 60));
		assertThat(this.system.awaitIdle(Duration.ofSeconds(60))).isTrue();
		assertThat(this.system.snapshot().pool("cpu0").orElseThrow().stalls()).isZero();
	}

	@Test
	void anItemOfABatchBlockedInASocketReadIsFound() throws Exception {
		// B waits in a read, which the JVM sees as RUNNABLE: the detector must look at the kernel's view of an item
		// whose start time was not read, or C, which is behind B in the batch and gives B its byte, never runs
		this.system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		Workqueue wq = this.system.allocWorkqueue("batched", Set.of(), 0);
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
				Socket accepted = server.accept()) {
			client.setSoTimeout(60_000);
			InputStream in = client.getInputStream();
			AtomicReference<Integer> read = new AtomicReference<>();
			CountDownLatch done = new CountDownLatch(3);
			executeTogether(wq, done::countDown, () -> {
				try {
					read.set(in.read());
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				finally {
					done.countDown();
				}
			}, () -> {
				try {
					accepted.getOutputStream().write(7);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				done.countDown();
			});
			assertThat(done.await(90, TimeUnit.SECONDS)).isTrue();
			assertThat(read.get()).isEqualTo(7);
		}
	}

	@Test
	void listenersGetTheTimesOfEveryItemOfABatch() throws Exception {
		this.system = spinningSystem(1);
		List<Long> executions = new CopyOnWriteArrayList<>();
		this.system.addListener(new WorkListener() {
			@Override
			public void finished(Workqueue workqueue, long executionNanos, Throwable failure) {
				executions.add(executionNanos);
			}
		});
		Workqueue wq = this.system.allocWorkqueue("batched", Set.of(), 0);
		executeTogether(wq, spinners(5, 2));
		assertThat(this.system.awaitIdle(Duration.ofSeconds(60))).isTrue();
		assertThat(executions).hasSize(6); // the item that executes them, then theirs
		assertThat(executions.subList(1, 6)).allSatisfy((nanos) -> assertThat(nanos)
			.isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(2)));
	}

	@Test
	void aFlushWaitsForTheItemsOfABatchWhichAreCountedDoneTogether() throws Exception {
		this.system = spinningSystem(1);
		Workqueue wq = this.system.allocWorkqueue("batched", Set.of(), 0);
		CountDownLatch started = new CountDownLatch(1);
		AtomicBoolean go = new AtomicBoolean();
		AtomicBoolean bRan = new AtomicBoolean();
		AtomicBoolean cRan = new AtomicBoolean();
		executeTogether(wq, () -> {
			started.countDown();
			while (!go.get()) {
				Thread.onSpinWait();
			}
		}, () -> bRan.set(true), () -> cRan.set(true));
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		AtomicBoolean sawBoth = new AtomicBoolean();
		Thread flusher = new Thread(() -> {
			wq.flush(); // waits for A, B and C: B and C are counted done together as A's batch ends
			sawBoth.set(bRan.get() && cRan.get());
		});
		flusher.start();
		Thread.sleep(100); // lets the flush start waiting while B and C are in A's batch (else it has nothing to wait for)
		go.set(true);
		flusher.join(TimeUnit.SECONDS.toMillis(30));
		assertThat(flusher.isAlive()).isFalse();
		assertThat(sawBoth).isTrue();
	}

	@Test
	void anItemOfABatchWhoseNodeEscapesEndsTheBatchAndIsFinishedOnItsOwn() throws Exception {
		// B, in A's batch, hands its node out: C goes back to the worklist; as the batch ends B is finished apart
		// from A's other items (it may have waiters), and every count comes back to zero
		this.system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		Workqueue wq = this.system.allocWorkqueue("batched", Set.of(), 0);
		AtomicReference<Work> node = new AtomicReference<>();
		AtomicInteger ran = new AtomicInteger();
		executeTogether(wq, ran::incrementAndGet, () -> {
			node.set(Work.currentWork());
			ran.incrementAndGet();
		}, ran::incrementAndGet, ran::incrementAndGet);
		assertThat(this.system.awaitIdle(Duration.ofSeconds(30))).isTrue();
		assertThat(ran).hasValue(4);
		assertThat(node.get().isPending()).isFalse();
		assertThat(node.get().flush()).isFalse(); // not running: it was finished
		wq.flush(); // nothing in flight: returns (it would wait for an item counted running forever)
	}

}
