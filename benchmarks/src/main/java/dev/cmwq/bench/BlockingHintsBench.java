package dev.cmwq.bench;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.sun.net.httpserver.HttpServer;
import dev.cmwq.autoconfigure.blocking.BlockingHttpInterceptor;
import dev.cmwq.autoconfigure.blocking.BlockingJdbc;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.h2.jdbcx.JdbcDataSource;

import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static dev.cmwq.bench.Table.f;

/**
 * Workload 9: blocking hints. On one CPU, item A calls an embedded H2 database (a query that takes 20 ms) or a local
 * HTTP endpoint (answers after 20 ms) through the starter's blocking hints ({@link BlockingJdbc},
 * {@link BlockingHttpInterceptor}), with item B queued behind it; latency = B's start − just before A's call. Without
 * hints the block detector has to notice A's wait; with them the call announces it.
 */
public final class BlockingHintsBench {

	private static final int WARM_UP_CALLS = 3000;

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
		Table table = new Table("call", "announced by", "p50", "p99", "max", "not detected");
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
			RestClient plain = RestClient.builder().requestFactory(new SimpleClientHttpRequestFactory()).build();
			RestClient hintedClient = plain.mutate().requestInterceptor(new BlockingHttpInterceptor()).build();
			measure(o, table, "JDBC: H2 query, 20 ms", "blocking hint", blockNanos, () -> query(hinted, blockMillis),
					() -> query(hinted, 0));
			measure(o, table, "JDBC: H2 query, 20 ms", "detector only", blockNanos, () -> query(h2, blockMillis),
					() -> query(h2, 0));
			measure(o, table, "HTTP: RestClient GET, 20 ms", "blocking hint", blockNanos,
					() -> hintedClient.get().uri(url).retrieve().body(String.class),
					() -> hintedClient.get().uri(fastUrl).retrieve().body(String.class));
			measure(o, table, "HTTP: RestClient GET, 20 ms", "detector only", blockNanos,
					() -> plain.get().uri(url).retrieve().body(String.class),
					() -> plain.get().uri(fastUrl).retrieve().body(String.class));
		}
		finally {
			server.stop(0);
			serverThreads.shutdownNow();
		}
		return f("%n### Workload 9: blocking hints%n%n"
				+ "cmwq cpus(1). Item A starts, B is queued behind it, then A calls an embedded H2 database (a query "
				+ "that takes %d ms) or a local HTTP endpoint (answers after %d ms) with RestClient; latency = B's "
				+ "start − just before A's call. \"blocking hint\": through the starter's JDBC wrapper / RestClient "
				+ "interceptor, which enter a blocking section (what `cmwq.blocking-hints.enabled` does for Spring "
				+ "beans); \"detector only\": the same calls unwrapped, found blocked by the block detector. The "
				+ "latency includes what the client does before it waits (RestClient builds the request first), "
				+ "which no hint can precede; each client is warmed up with %d fast calls first. Target: hint p50 "
				+ "≤ 50 µs. Repetitions per row: %d.%n%n", blockMillis, blockMillis, WARM_UP_CALLS, o.detectReps)
				+ table;
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

			long[] lat = new long[o.detectReps];
			for (int i = 0; i < lat.length; i++) {
				lat[i] = once(queue, blockingCall);
			}
			Arrays.sort(lat);
			long missed = Arrays.stream(lat).filter((l) -> l >= blockNanos * 9 / 10).count();
			table.row(call, by, Scenarios.us(Scenarios.percentile(lat, 50)),
					Scenarios.us(Scenarios.percentile(lat, 99)), Scenarios.us(lat[lat.length - 1]),
					missed + "/" + lat.length);
		}
	}

	/** One measurement: nanoseconds from just before A's call to B's start. */
	private static long once(Workqueue queue, Runnable blockingCall) throws InterruptedException {
		CountDownLatch aStarted = new CountDownLatch(1);
		CountDownLatch bQueued = new CountDownLatch(1);
		CountDownLatch bothDone = new CountDownLatch(2);
		AtomicLong t0 = new AtomicLong();
		AtomicLong t1 = new AtomicLong();
		queue.queueOn(0, new Work(() -> {
			aStarted.countDown();
			Scenarios.awaitQuietly(bQueued);
			t0.set(System.nanoTime());
			blockingCall.run();
			bothDone.countDown();
		}));
		Scenarios.awaitQuietly(aStarted);
		queue.queueOn(0, new Work(() -> {
			t1.set(System.nanoTime());
			bothDone.countDown();
		}));
		bQueued.countDown();
		bothDone.await();
		return t1.get() - t0.get();
	}

}
