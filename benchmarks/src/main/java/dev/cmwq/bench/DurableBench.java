package dev.cmwq.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.cmwq.annotation.QueueWork;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.aop.LoggingWorkErrorHandler;
import dev.cmwq.spring.aop.QueueWorkBeanPostProcessor;
import dev.cmwq.spring.durable.DurableEvent;
import dev.cmwq.spring.durable.DurableSettings;
import dev.cmwq.spring.durable.JacksonDurableArguments;
import dev.cmwq.spring.durable.JdbcDurableQueues;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import static dev.cmwq.bench.Scenarios.percentile;
import static dev.cmwq.bench.Scenarios.us;
import static dev.cmwq.bench.Table.f;

/**
 * Workload 12: the cost of a durable item. A {@code @QueueWork void} method that only records when it ran, called
 * through its Spring proxy (plain Spring, no Boot: the starter's {@link JdbcDurableQueues} and
 * {@link QueueWorkBeanPostProcessor} wired by hand, a HikariCP pool of Boot's default size), on two workqueues of
 * one workqueue system that differ only in {@code durable}: {@code memory} (the item is queued in memory) and
 * {@code durable} (the call is stored before it returns, the item claimed, started, run, and its row removed). The
 * durable one on an H2 file database with {@code WRITE_DELAY=0}, as the sample app, and on a throwaway PostgreSQL
 * cluster (Debian's binaries, a temporary data directory, a loopback port, its default durability: {@code fsync}
 * and {@code synchronous_commit} on). Three loads: one producer making one call at a time (the next once the last
 * has started: the latency of one item on an idle path), and 1 and {@link #MANY_PRODUCERS} producers calling as fast
 * as they can, each keeping at most {@link #WINDOW} calls not yet started (so that the unstarted items stay under
 * {@code max-claimed} and none waits for a poll). Throughput = items / (first call → last row removed); latencies per
 * item: the call itself, and from just before the call to the start of the method.
 * {@code -Dcmwq.bench.w12.items=N} sets the items per saturated row (a tenth of them for one at a time).
 */
final class DurableBench {

	/** Calls a producer keeps not yet started. */
	static final int WINDOW = 32;

	static final int MANY_PRODUCERS = 4;

	private static final Duration PATIENCE = Duration.ofMinutes(10);

	private DurableBench() {
	}

	static String run(Scenarios.Options o) throws Exception {
		int items = Integer.getInteger("cmwq.bench.w12.items", o.quick ? 2_000 : 20_000);
		List<Load> loads = List.of(new Load(1, 1, Math.max(200, items / 10)), new Load(1, WINDOW, items),
				new Load(MANY_PRODUCERS, WINDOW, items));
		Table table = new Table("path", "producers × calls in flight", "items", "items/s", "× in memory", "call p50",
				"call p99", "call → run p50", "call → run p99");
		double[] inMemory = new double[loads.size()];
		Path h2Directory = Files.createTempDirectory("cmwq-bench-h2-");
		try {
			try (Bench h2 = new Bench("jdbc:h2:file:" + h2Directory.resolve("db") + ";WRITE_DELAY=0", "sa", "h2",
					o.ncpu)) {
				for (int i = 0; i < loads.size(); i++) {
					Result memory = h2.measure(false, loads.get(i));
					inMemory[i] = memory.perSecond();
					memory.row(table, "in memory (the same workqueue, not durable)", inMemory[i]);
				}
				for (int i = 0; i < loads.size(); i++) {
					h2.measure(true, loads.get(i)).row(table, "durable, H2 file (WRITE_DELAY=0)",
							inMemory[i]);
				}
			}
			try (PostgresCluster postgres = PostgresCluster.start();
					Bench pg = new Bench(postgres.url(), PostgresCluster.USER, "postgresql", o.ncpu)) {
				for (int i = 0; i < loads.size(); i++) {
					pg.measure(true, loads.get(i)).row(table, "durable, " + postgres.version(),
							inMemory[i]);
				}
			}
		}
		finally {
			delete(h2Directory);
		}
		return f("%n### Workload 12: the cost of a durable item%n%n`@QueueWork void` calls of a method that only "
				+ "records when it started, through the bean's proxy, on a workqueue with `durable: true` (stored "
				+ "before the call returns, claimed, started, run, removed) and on the same workqueue without it (in "
				+ "memory); the durable one on an H2 file database (`WRITE_DELAY=0`, as the sample app) and on "
				+ "PostgreSQL with its default durability (`fsync`, `synchronous_commit`), both through HikariCP "
				+ "(10 connections, Boot's default) on this machine. Each row after a warm-up of a fifth of its items: "
				+ "1 producer thread making one call at a time (the next once the last has started: one item on an "
				+ "idle path), then 1 and %d producer threads calling as fast as they can, each with at most %d "
				+ "calls not yet started. items/s = items / (first call → last row removed); call = how long the "
				+ "caller waits; call → run = from just before the call to the start of the method.%n%n",
				MANY_PRODUCERS, WINDOW) + table + f("%n") + Scenarios.loadLine() + f("%n");
	}

	/** Producer threads, the calls each keeps not yet started, and the items of a measured run. */
	record Load(int producers, int window, int items) {

		@Override
		public String toString() {
			return this.producers + " × " + this.window;
		}

	}

	/** One row's measurements. */
	record Result(Load load, long nanos, long[] calls, long[] callToRun) {

		double perSecond() {
			return this.callToRun.length / (this.nanos / 1e9);
		}

		void row(Table table, String path, double inMemory) {
			table.row(path, this.load, this.load.items(), f("%,.0f", perSecond()), f("%.3f", perSecond() / inMemory),
					us(percentile(this.calls, 50)), us(percentile(this.calls, 99)),
					us(percentile(this.callToRun, 50)), us(percentile(this.callToRun, 99)));
		}

	}

	/** The items of one measured run: when each was called, returned and ran. */
	static final class Run {

		final long[] calledAt;

		final long[] returnedAt;

		final long[] ranAt;

		final Semaphore window;

		final CountDownLatch ran;

		Run(Load load, int items) {
			this.calledAt = new long[items];
			this.returnedAt = new long[items];
			this.ranAt = new long[items];
			this.window = new Semaphore(load.producers() * load.window());
			this.ran = new CountDownLatch(items);
		}

		void ran(long item) {
			this.ranAt[(int) item] = System.nanoTime();
			this.window.release();
			this.ran.countDown();
		}

	}

	/** The bean whose {@code @QueueWork} methods are the items; public, so that its proxy reaches them. */
	public static class Sink {

		private volatile Run run;

		public void measure(Run run) {
			this.run = run;
		}

		@QueueWork("durable")
		public void durable(long item) {
			this.run.ran(item);
		}

		@QueueWork("memory")
		public void memory(long item) {
			this.run.ran(item);
		}

	}

	/** A workqueue system with the two workqueues, the durable queues on a database, and the sink's proxy. */
	static final class Bench implements AutoCloseable {

		private final HikariDataSource dataSource = new HikariDataSource();

		private final WorkqueueSystem system;

		private final GenericApplicationContext context = new GenericApplicationContext();

		private final JdbcDurableQueues queues;

		private final Sink sink;

		Bench(String url, String user, String platform, int cpus) {
			HikariDataSource dataSource = this.dataSource;
			dataSource.setJdbcUrl(url);
			dataSource.setUsername(user);
			dataSource.setMaximumPoolSize(10);
			this.system = WorkqueueSystem.builder().cpus(cpus).build();
			try {
				this.system.allocWorkqueue("durable", Set.of(), 0);
				this.system.allocWorkqueue("memory", Set.of(), 0);
				new ResourceDatabasePopulator(new ClassPathResource("META-INF/cmwq/schema-" + platform + ".sql"))
					.execute(dataSource);
				this.context.registerBean(WorkqueueSystem.class, () -> this.system);
				this.context.registerBean(DataSource.class, () -> dataSource);
				this.context.registerBean(JdbcDurableQueues.class,
						() -> new JdbcDurableQueues(dataSource, this.system, this.context.getDefaultListableBeanFactory(),
								new JacksonDurableArguments(JsonMapper.builder().build()), Set.of("durable"),
								DurableSettings.DEFAULTS));
				this.context.registerBean(QueueWorkBeanPostProcessor.class,
						() -> new QueueWorkBeanPostProcessor((workqueue) -> null, LoggingWorkErrorHandler::new),
						(definition) -> definition.setRole(BeanDefinition.ROLE_INFRASTRUCTURE));
				this.context.registerBean(Sink.class);
				this.context.refresh();
				this.queues = this.context.getBean(JdbcDurableQueues.class);
				this.sink = this.context.getBean(Sink.class);
			}
			catch (RuntimeException ex) {
				close();
				throw ex;
			}
		}

		/** A warm-up run, then the measured one. */
		Result measure(boolean durable, Load load) throws InterruptedException {
			String path = durable ? "durable (" + this.dataSource.getJdbcUrl() + ")" : "in memory";
			System.err.printf("[bench] workload 12: %s, %s producers × calls in flight, %d items after a warm-up%n",
					path, load, load.items());
			LongConsumer call = durable ? this.sink::durable : this.sink::memory;
			once(durable, call, load, load.items() / 5);
			return once(durable, call, load, load.items());
		}

		private Result once(boolean durable, LongConsumer call, Load load, int items) throws InterruptedException {
			int producers = load.producers();
			Run run = new Run(load, items);
			this.sink.measure(run);
			long completedBefore = this.queues.count("durable", DurableEvent.COMPLETED);
			CountDownLatch go = new CountDownLatch(1);
			AtomicReference<Throwable> failure = new AtomicReference<>();
			List<Thread> threads = new ArrayList<>();
			for (int p = 0; p < producers; p++) {
				int first = p;
				Thread producer = new Thread(() -> {
					try {
						go.await();
						for (int item = first; item < items; item += producers) {
							run.window.acquire();
							run.calledAt[item] = System.nanoTime();
							call.accept(item);
							run.returnedAt[item] = System.nanoTime();
						}
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}, "bench-producer-" + p);
				producer.setUncaughtExceptionHandler((thread, ex) -> failure.compareAndSet(null, ex));
				producer.start();
				threads.add(producer);
			}
			long start = System.nanoTime();
			go.countDown();
			long deadline = start + PATIENCE.toNanos();
			for (Thread producer : threads) {
				producer.join(PATIENCE.toMillis());
			}
			while (!run.ran.await(100, TimeUnit.MILLISECONDS)) {
				if (failure.get() != null || System.nanoTime() > deadline) {
					throw new IllegalStateException(f("workload 12: %d of %d items ran within %s",
							items - run.ran.getCount(), items, PATIENCE), failure.get());
				}
			}
			while (durable && this.queues.count("durable", DurableEvent.COMPLETED) - completedBefore < items) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException(f("workload 12: %d of %d rows removed within %s",
							this.queues.count("durable", DurableEvent.COMPLETED) - completedBefore, items, PATIENCE));
				}
				Thread.sleep(1);
			}
			long nanos = System.nanoTime() - start;
			long[] calls = new long[items];
			long[] callToRun = new long[items];
			for (int i = 0; i < items; i++) {
				calls[i] = run.returnedAt[i] - run.calledAt[i];
				callToRun[i] = run.ranAt[i] - run.calledAt[i];
			}
			Arrays.sort(calls);
			Arrays.sort(callToRun);
			return new Result(load, nanos, calls, callToRun);
		}

		@Override
		public void close() {
			try {
				this.context.close();
			}
			finally {
				this.system.close(Duration.ofSeconds(30));
				this.dataSource.close();
			}
		}

	}

	/**
	 * A throwaway PostgreSQL cluster, started as the autoconfigure module's tests start theirs
	 * ({@code dev.cmwq.autoconfigure.support.PostgresServer}): Debian's binaries of the newest version under
	 * {@code /usr/lib/postgresql}, {@code initdb} into a temporary directory, {@code postgres} on a free loopback port;
	 * as root, through {@code setpriv} as the {@code postgres} user (PostgreSQL refuses to run as root). Unlike the
	 * tests' server it keeps PostgreSQL's default durability, the cost being measured.
	 */
	static final class PostgresCluster implements AutoCloseable {

		static final String USER = "cmwq";

		private final Path directory;

		private final Process process;

		private final int port;

		private final String version;

		private PostgresCluster(Path directory, Process process, int port, String version) {
			this.directory = directory;
			this.process = process;
			this.port = port;
			this.version = version;
		}

		static PostgresCluster start() throws IOException, InterruptedException {
			Path bin = binaries();
			Path directory = Files.createTempDirectory("cmwq-bench-pg-");
			List<String> prefix = new ArrayList<>();
			if ("0".equals(output(List.of("id", "-u")).trim())) {
				output(List.of("chown", "-R", "postgres:", directory.toString()));
				prefix.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
			}
			Path data = directory.resolve("data");
			List<String> initdb = new ArrayList<>(prefix);
			initdb.addAll(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
					"--auth=trust", "--encoding=UTF8", "--no-sync"));
			output(initdb);
			int port;
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				port = socket.getLocalPort();
			}
			List<String> postgres = new ArrayList<>(prefix);
			postgres.addAll(List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p",
					String.valueOf(port), "-k", directory.toString(), "-c", "listen_addresses=127.0.0.1"));
			Process process = new ProcessBuilder(postgres).redirectErrorStream(true)
				.redirectOutput(directory.resolve("postgres.log").toFile())
				.start();
			PostgresCluster cluster = new PostgresCluster(directory, process, port,
					"PostgreSQL " + bin.getParent().getFileName());
			try {
				cluster.awaitConnections();
			}
			catch (RuntimeException | InterruptedException ex) {
				cluster.close();
				throw ex;
			}
			return cluster;
		}

		String url() {
			return "jdbc:postgresql://127.0.0.1:" + this.port + "/postgres";
		}

		String version() {
			return this.version;
		}

		private void awaitConnections() throws InterruptedException {
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (true) {
				try (Connection connection = DriverManager.getConnection(url(), USER, "")) {
					return;
				}
				catch (SQLException ex) {
					if (!this.process.isAlive() || System.nanoTime() > deadline) {
						throw new IllegalStateException("PostgreSQL did not start; its log is "
								+ this.directory.resolve("postgres.log"), ex);
					}
				}
				Thread.sleep(100);
			}
		}

		private static Path binaries() throws IOException {
			Path versions = Path.of("/usr/lib/postgresql");
			if (Files.isDirectory(versions)) {
				try (Stream<Path> found = Files.list(versions)) {
					Path newest = found.filter((version) -> version.getFileName().toString().matches("\\d+"))
						.filter((version) -> Files.isExecutable(version.resolve("bin/initdb")))
						.max(Comparator.comparingInt((version) -> Integer.parseInt(version.getFileName().toString())))
						.orElse(null);
					if (newest != null) {
						return newest.resolve("bin");
					}
				}
			}
			throw new IllegalStateException("workload 12 needs PostgreSQL's server binaries in "
					+ "/usr/lib/postgresql/<version>/bin: apt-get install -y postgresql");
		}

		/** Runs a command to its end; its output, or an exception with it if it failed. */
		private static String output(List<String> command) throws IOException, InterruptedException {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.waitFor() != 0) {
				throw new IOException(String.join(" ", command) + " failed:\n" + output);
			}
			return output;
		}

		/** Fast shutdown (SIGINT, as {@code pg_ctl stop -m fast}), then the directory goes. */
		@Override
		public void close() throws InterruptedException {
			try {
				new ProcessBuilder("kill", "-INT", String.valueOf(this.process.pid())).start().waitFor();
				if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (IOException ex) {
				this.process.destroyForcibly();
			}
			delete(this.directory);
		}

	}

	private static void delete(Path directory) {
		try (Stream<Path> files = Files.walk(directory)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException ex) {
			System.err.println("[bench] could not delete " + directory + ": " + ex);
		}
	}

}
