package dev.cmwq.bench;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.sun.net.httpserver.HttpServer;
import dev.cmwq.spring.blocking.BlockingHttpInterceptor;
import dev.cmwq.spring.blocking.BlockingJdbc;
import dev.cmwq.spring.blocking.ReactorBlockingHint;
import dev.cmwq.core.Blocking;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.h2.jdbcx.JdbcDataSource;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.cmwq.bench.Table.f;

/**
 * Workload 9: blocking hints. On one CPU, item A calls an embedded H2 database (a query that takes 20 ms) or a local
 * HTTP endpoint (answers after 20 ms) through the starter's blocking hints ({@link BlockingJdbc},
 * {@link BlockingHttpInterceptor}, {@link ReactorBlockingHint} for WebClient's {@code block()}), with item B queued
 * behind it; latency = B's start − just before A's call. Without hints the block detector has to notice A's wait;
 * with them the call announces it. Probes just before each HTTP hint split the latency into what the client does
 * before it can announce anything ("call → hint") and the rest. {@code -Dcmwq.bench.w9.initializer=true} adds a row
 * with the earliest hook RestClient offers, a request initializer calling {@code Blocking.expect()}.
 */
public final class BlockingHintsBench {

	private static final int WARM_UP_CALLS = 3000;

	/** The thread of the item being measured: the probes record only there. */
	private static volatile Thread measured;

	/** When a probe placed just before the hint last ran on {@link #measured}, or 0. */
	private static volatile long hintAt;

	/** Records when the call reaches the point where its hint is given (or would be, for "detector only"). */
	private static void probe() {
		if (Thread.currentThread() == measured && hintAt == 0) {
			hintAt = System.nanoTime();
		}
	}

	private BlockingHintsBench() {
	}

	/**
	 * The database's slow function (H2 calls it by name: {@code SLOW(20)}).
	 * @param millis how long the "query" takes
	 * @return {@code millis}
	 * @throws InterruptedException if interrupted
	 */
	public static int slow(int millis) throws InterruptedException {
		Thread.sleep(millis);
		return millis;
	}

	static String run(Scenarios.Options o) throws Exception {
		int blockMillis = 20;
		long blockNanos = TimeUnit.MILLISECONDS.toNanos(blockMillis);
		Table table = new Table("call", "announced by", "p50", "p99", "max", "not detected", "call → hint p50",
				"hint → B p50");
		// the probe first: Reactor asks predicates in the order they were registered, so it runs before the hint's
		Schedulers.registerNonBlockingThreadPredicate((thread) -> {
			probe();
			return false;
		});
		JdbcDataSource h2 = new JdbcDataSource();
		h2.setURL("jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1");
		try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE ALIAS IF NOT EXISTS SLOW FOR '" + BlockingHintsBench.class.getName() + ".slow'");
		}
		ExecutorService serverThreads = Executors.newCachedThreadPool();
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		server.setExecutor(serverThreads);
		server.createContext("/", (exchange) -> {
			try {
				slow(exchange.getRequestURI().getPath().equals("/slow") ? blockMillis : 0);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			exchange.sendResponseHeaders(200, 2);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(new byte[] { 'o', 'k' });
			}
		});
		server.start();
		String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/slow";
		String fastUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/fast";
		try {
			DataSource hinted = BlockingJdbc.dataSource(h2);
			// The JDK's HttpServer now and then loses an exchange on a kept-alive connection: time out and retry
			// (see http()) rather than hang the run.
			SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
			factory.setConnectTimeout(Duration.ofSeconds(5));
			factory.setReadTimeout(Duration.ofSeconds(5));
			RestClient plain = RestClient.builder().requestFactory(factory).build();
			ClientHttpRequestInterceptor probe = (request, body, execution) -> {
				probe();
				return execution.execute(request, body);
			};
			RestClient probed = plain.mutate().requestInterceptor(probe).build();
			RestClient hintedClient = probed.mutate().requestInterceptor(new BlockingHttpInterceptor()).build();
			RestClient initializerHinted = plain.mutate().requestInitializer((request) -> {
				probe();
				Blocking.expect();
			}).build();
			WebClient webClient = WebClient.create();
			measure(o, table, "JDBC: H2 query, 20 ms", "blocking hint", blockNanos, () -> query(hinted, blockMillis),
					() -> query(hinted, 0));
			measure(o, table, "JDBC: H2 query, 20 ms", "detector only", blockNanos, () -> query(h2, blockMillis),
					() -> query(h2, 0));
			measure(o, table, "HTTP: RestClient GET, 20 ms", "blocking hint", blockNanos,
					() -> http(() -> hintedClient.get().uri(url).retrieve().body(String.class)),
					() -> http(() -> hintedClient.get().uri(fastUrl).retrieve().body(String.class)));
			measure(o, table, "HTTP: RestClient GET, 20 ms", "detector only", blockNanos,
					() -> http(() -> probed.get().uri(url).retrieve().body(String.class)),
					() -> http(() -> probed.get().uri(fastUrl).retrieve().body(String.class)));
			if (Boolean.getBoolean("cmwq.bench.w9.initializer")) {
				measure(o, table, "HTTP: RestClient GET, 20 ms", "expect() in a request initializer", blockNanos,
						() -> http(() -> initializerHinted.get().uri(url).retrieve().body(String.class)),
						() -> http(() -> initializerHinted.get().uri(fastUrl).retrieve().body(String.class)));
			}
			Supplier<String> webSlow = () -> http(
					() -> webClient.get().uri(url).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(5)));
			Supplier<String> webFast = () -> http(
					() -> webClient.get().uri(fastUrl).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(5)));
			try (ReactorBlockingHint.Registration ignored = ReactorBlockingHint.register()) {
				measure(o, table, "HTTP: WebClient GET + block(), 20 ms", "blocking hint", blockNanos, webSlow::get,
						webFast::get);
			}
			measure(o, table, "HTTP: WebClient GET + block(), 20 ms", "detector only", blockNanos, webSlow::get,
					webFast::get);
		}
		finally {
			server.stop(0);
			serverThreads.shutdownNow();
		}
		return f("%n### Workload 9: blocking hints%n%n"
				+ "cmwq cpus(1). Item A starts, B is queued behind it, then A calls an embedded H2 database (a query "
				+ "that takes %d ms) or a local HTTP endpoint (answers after %d ms) with RestClient, or with "
				+ "WebClient (Reactor Netty) and `block()`; latency = B's start − just before A's call. \"blocking "
				+ "hint\": through the starter's JDBC wrapper / RestClient interceptor, which enter a blocking "
				+ "section, and its Reactor hint, which calls `Blocking.expect()` when `block()` is about to wait "
				+ "(what `cmwq.blocking-hints.enabled` does for Spring beans); \"detector only\": the same calls "
				+ "without them, found blocked by the block detector. \"call → hint\": from just before A's call to "
				+ "a probe placed just before the hint (the first interceptor; a Reactor predicate asked before the "
				+ "hint's), i.e. what the client does before it can announce anything; \"hint → B\": the rest, the "
				+ "pool waking a worker for B and the OS running it while A's client, the server's threads and, for "
				+ "WebClient, the Netty event loop want the same two CPUs. Each client is warmed up with %d fast calls "
				+ "first. Target: hint p50 ≤ 50 µs. Repetitions per row: %d.%n%n", blockMillis, blockMillis,
				WARM_UP_CALLS, o.detectReps)
				+ table;
	}

	/** An HTTP call, tried again (up to 3 times) if it failed or timed out. */
	private static String http(Supplier<String> call) {
		for (int attempt = 1;; attempt++) {
			try {
				return call.get();
			}
			catch (RuntimeException ex) {
				if (attempt == 3) {
					throw ex;
				}
				System.err.println("[bench] W9   HTTP call failed, trying again: " + ex);
			}
		}
	}

	private static void query(DataSource dataSource, int millis) {
		try (Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT SLOW(" + millis + ")")) {
			result.next();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void measure(Scenarios.Options o, Table table, String call, String by, long blockNanos,
			Runnable blockingCall, Runnable fastCall) throws Exception {
		System.err.println("[bench] W9 " + call + ", " + by);
		for (int i = 0; i < WARM_UP_CALLS; i++) {
			fastCall.run(); // a warm client, as in an application that has run for a while
		}
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).build()) {
			Workqueue queue = system.allocWorkqueue("bench", Set.of(), 0);
			once(queue, blockingCall); // warm up the workqueue

			int workersBefore = system.snapshot().pool("cpu0").orElseThrow().workers();
			long[] lat = new long[o.detectReps];
			long[] toHint = new long[o.detectReps];
			long[] hintToB = new long[o.detectReps];
			int probed = 0;
			for (int i = 0; i < lat.length; i++) {
				long[] m = once(queue, blockingCall);
				lat[i] = m[0];
				if (m[1] != 0) {
					toHint[probed] = m[1];
					hintToB[probed++] = m[0] - m[1];
				}
			}
			int workersAfter = system.snapshot().pool("cpu0").orElseThrow().workers();
			System.err.println("[bench] W9   workers in the pool before/after the measured calls: " + workersBefore
					+ "/" + workersAfter);
			Arrays.sort(lat);
			long[] th = Arrays.copyOf(toHint, probed);
			long[] hb = Arrays.copyOf(hintToB, probed);
			Arrays.sort(th);
			Arrays.sort(hb);
			long missed = Arrays.stream(lat).filter((l) -> l >= blockNanos * 9 / 10).count();
			table.row(call, by, Scenarios.us(Scenarios.percentile(lat, 50)),
					Scenarios.us(Scenarios.percentile(lat, 99)), Scenarios.us(lat[lat.length - 1]),
					missed + "/" + lat.length, (probed > 0) ? Scenarios.us(Scenarios.percentile(th, 50)) : "–",
					(probed > 0) ? Scenarios.us(Scenarios.percentile(hb, 50)) : "–");
		}
	}

	/**
	 * One measurement: nanoseconds from just before A's call to B's start, and to the probe (0 if there is none).
	 */
	private static long[] once(Workqueue queue, Runnable blockingCall) throws InterruptedException {
		CountDownLatch aStarted = new CountDownLatch(1);
		CountDownLatch bQueued = new CountDownLatch(1);
		CountDownLatch bothDone = new CountDownLatch(2);
		AtomicLong t0 = new AtomicLong();
		AtomicLong t1 = new AtomicLong();
		queue.queueOn(0, new Work(() -> {
			aStarted.countDown();
			Scenarios.awaitQuietly(bQueued);
			hintAt = 0;
			measured = Thread.currentThread();
			t0.set(System.nanoTime());
			try {
				blockingCall.run();
			}
			finally { // a call that failed for good fails the item, not the run
				measured = null;
				bothDone.countDown();
			}
		}));
		Scenarios.awaitQuietly(aStarted);
		queue.queueOn(0, new Work(() -> {
			t1.set(System.nanoTime());
			bothDone.countDown();
		}));
		bQueued.countDown();
		bothDone.await();
		long probe = hintAt;
		return new long[] { t1.get() - t0.get(), (probe != 0) ? probe - t0.get() : 0 };
	}

}
