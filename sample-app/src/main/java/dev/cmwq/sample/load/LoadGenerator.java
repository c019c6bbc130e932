package dev.cmwq.sample.load;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.sample.images.Thumbnails;
import dev.cmwq.sample.orders.OrderRequest;
import dev.cmwq.sample.orders.OrderService;
import dev.cmwq.sample.search.SearchIndexer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The load switch: while on, every {@code sample.load.tick} a burst of shop traffic is queued (orders, thumbnails,
 * reindexing of a few popular products), its size following a 40-second wave so the dashboard's charts move. Each
 * burst is itself a work item queued on the {@code events} workqueue on the next online CPU in turn
 * ({@code queue_work_on}), and what it queues goes to that CPU's pools, so every CPU gets work.
 *
 * <p>It switches itself off after {@code sample.load.max-duration} (15 minutes), and when the application stops.
 */
@Component
public class LoadGenerator implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(LoadGenerator.class);

	private static final long WAVE_MILLIS = 40_000;

	private static final String[] CUSTOMERS = { "ada", "grace", "linus", "barbara", "ken", "margaret" };

	private final LoadProperties properties;

	private final OrderService orders;

	private final Thumbnails thumbnails;

	private final SearchIndexer indexer;

	private final WorkqueueSystem system;

	private final Workqueue events;

	private final Object lock = new Object();

	private Thread thread;          // lock: the generator while on, else null

	private Instant since;          // lock: when it was switched on

	private final AtomicLong bursts = new AtomicLong();

	private final AtomicLong images = new AtomicLong();

	private int nextCpu;            // generator thread only

	private volatile boolean running;

	public LoadGenerator(LoadProperties properties, OrderService orders, Thumbnails thumbnails, SearchIndexer indexer,
			WorkqueueSystem system, @Qualifier("events") Workqueue events) {
		this.properties = properties;
		this.orders = orders;
		this.thumbnails = thumbnails;
		this.indexer = indexer;
		this.system = system;
		this.events = events;
	}

	/**
	 * Switches the load on (again: no change).
	 * @return the new state
	 */
	public LoadStatus switchOn() {
		synchronized (this.lock) {
			if (this.thread == null) {
				this.since = Instant.now();
				Instant until = this.since.plus(this.properties.maxDuration());
				this.thread = new Thread(() -> generate(until), "sample-load");
				this.thread.setDaemon(true);
				this.thread.start();
				logger.info("Load switched on until {}", until);
			}
			return status();
		}
	}

	/**
	 * Switches the load off (again: no change). Work queued already still runs.
	 * @return the new state
	 */
	public LoadStatus switchOff() {
		synchronized (this.lock) {
			if (this.thread != null) {
				this.thread.interrupt();
				this.thread = null;
				this.since = null;
				logger.info("Load switched off");
			}
			return status();
		}
	}

	/**
	 * @return whether the load is on, since when, and how many bursts it queued so far
	 */
	public LoadStatus status() {
		synchronized (this.lock) {
			Instant until = (this.since != null) ? this.since.plus(this.properties.maxDuration()) : null;
			return new LoadStatus(this.thread != null, this.since, until, this.bursts.get());
		}
	}

	private void generate(Instant until) {
		Thread self = Thread.currentThread();
		long start = System.currentTimeMillis();
		try {
			while (!self.isInterrupted() && Instant.now().isBefore(until)) {
				double phase = ((System.currentTimeMillis() - start) % WAVE_MILLIS) / (double) WAVE_MILLIS;
				double intensity = 0.5 - 0.5 * Math.cos(2 * Math.PI * phase); // 0 → 1 → 0 over a wave
				queueBurst(intensity);
				Thread.sleep(this.properties.tick().toMillis());
			}
		}
		catch (InterruptedException ex) {
			// switched off
		}
		catch (RuntimeException ex) {
			logger.warn("Load generator stopped: {}", ex.toString());
		}
		finally {
			synchronized (this.lock) {
				if (this.thread == self) {
					this.thread = null;
					this.since = null;
					logger.info("Load switched off (it ran for sample.load.max-duration)");
				}
			}
		}
	}

	private void queueBurst(double intensity) {
		int cpu = nextOnlineCpu();
		this.events.queueOn(cpu, new Work(() -> burst(intensity)));
		this.bursts.incrementAndGet();
	}

	private int nextOnlineCpu() {
		int cpus = this.system.cpus();
		for (int i = 0; i < cpus; i++) {
			int cpu = (this.nextCpu + i) % cpus;
			if (this.system.isOnline(cpu)) {
				this.nextCpu = cpu + 1;
				return cpu;
			}
		}
		return 0;
	}

	/** One burst of traffic, run on a worker of the chosen CPU, so what it queues goes to that CPU too. */
	private void burst(double intensity) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		int renders = (int) Math.round(intensity * 3 * random.nextDouble());
		for (int i = 0; i < renders; i++) {
			this.thumbnails.render(this.images.incrementAndGet());
		}
		int placed = (random.nextDouble() < 0.3 + 0.6 * intensity) ? 1 + random.nextInt(2) : 0;
		for (int i = 0; i < placed; i++) {
			List<OrderRequest.Line> lines = new ArrayList<>();
			int count = 1 + random.nextInt(3);
			for (int l = 0; l < count; l++) {
				lines.add(new OrderRequest.Line(random.nextLong(1, 41), 1 + random.nextInt(3)));
			}
			this.orders.place(new OrderRequest(CUSTOMERS[random.nextInt(CUSTOMERS.length)], lines));
		}
		// a few popular products change all the time: their reindexing coalesces while pending
		for (int i = 0; i < 3; i++) {
			this.indexer.reindex(1 + random.nextInt(3));
		}
	}

	@Override
	public void start() {
		this.running = true;
		if (this.properties.onAtStart()) {
			switchOn();
		}
	}

	@Override
	public void stop() {
		switchOff();
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops first (the default phase is the last to start, the first to stop): before the web server and the workqueues. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

	/**
	 * The switch's state.
	 * @param on whether the load is on
	 * @param since when it was switched on
	 * @param until when it switches itself off
	 * @param bursts bursts queued since the application started
	 */
	public record LoadStatus(boolean on, Instant since, Instant until, long bursts) {
	}

}
