package dev.cmwq.autoconfigure.blocking;

import dev.cmwq.spring.blocking.BlockingDataSourceBeanPostProcessor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.support.Items;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blocking hints: an item blocked in a JDBC call or an HTTP exchange of {@code RestClient} / {@code RestTemplate}
 * lets its pool start the next item at once. The block detector is kept out of it (it scans once an hour here), so
 * only the hint can start the next item while the first one blocks.
 */
class BlockingHintsTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class, CmwqBlockingHintsAutoConfiguration.class,
				DataSourceAutoConfiguration.class, SslAutoConfiguration.class, RestClientAutoConfiguration.class,
				RestTemplateAutoConfiguration.class))
		.withBean(WorkqueueSystem.class,
				() -> WorkqueueSystem.builder()
					.cpus(1)
					.detectorInterval(Duration.ofHours(1))
					.cpuIntensiveThreshold(Duration.ZERO)
					.build())
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:hints;LOCK_TIMEOUT=60000",
				"spring.datasource.hikari.maximum-pool-size=4");

	private HttpServer server;

	private final CountDownLatch answer = new CountDownLatch(1);

	@BeforeEach
	void startServer() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.setExecutor(Executors.newCachedThreadPool());
		this.server.createContext("/slow", (exchange) -> {
			Items.await(this.answer);
			byte[] body = "done".getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
	}

	@AfterEach
	void stopServer() {
		this.answer.countDown();
		this.server.stop(0);
	}

	@Test
	void theNextItemStartsWhileAnItemWaitsForADatabaseLock() {
		this.runner.run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection holder = dataSource.getConnection(); Statement statement = holder.createStatement()) {
				statement.execute("CREATE TABLE stock (sku INT PRIMARY KEY, units INT)");
				statement.execute("INSERT INTO stock VALUES (1, 10)");
				holder.setAutoCommit(false);
				statement.executeUpdate("UPDATE stock SET units = 9 WHERE sku = 1"); // holds the row lock
				assertNextItemStartsWhileBlocked(context, () -> update(dataSource), holder::commit);
			}
		});
	}

	/**
	 * However JDBC code reaches a connection, its calls give hints: the connection is got outside the item (getting
	 * one is a hint of its own), and the item reaches it again by navigation before it waits for the row lock.
	 */
	@Test
	void theConnectionsThatNavigationReachesGiveHintsToo() {
		List<SqlFunction<Connection, Connection>> paths = List.of(
				(connection) -> connection.getMetaData().getConnection(),
				(connection) -> connection.createStatement().getConnection(),
				(connection) -> connection.prepareStatement("SELECT 1").executeQuery().getStatement().getConnection(),
				(connection) -> connection.unwrap(Connection.class));
		this.runner.run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection holder = dataSource.getConnection();
					Statement statement = holder.createStatement();
					Connection connection = dataSource.getConnection()) {
				statement.execute("CREATE TABLE stock (sku INT PRIMARY KEY, units INT)");
				statement.execute("INSERT INTO stock VALUES (1, 10)");
				holder.setAutoCommit(false);
				for (SqlFunction<Connection, Connection> path : paths) {
					statement.executeUpdate("UPDATE stock SET units = 9 WHERE sku = 1"); // holds the row lock
					assertNextItemStartsWhileBlocked(context, () -> update(connection, path), holder::commit);
				}
			}
		});
	}

	@Test
	void withoutHintsTheNextItemWaitsForTheBlockedOne() {
		this.runner.withPropertyValues("cmwq.blocking-hints.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(BlockingDataSourceBeanPostProcessor.class);
			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection holder = dataSource.getConnection(); Statement statement = holder.createStatement()) {
				statement.execute("CREATE TABLE stock (sku INT PRIMARY KEY, units INT)");
				statement.execute("INSERT INTO stock VALUES (1, 10)");
				holder.setAutoCommit(false);
				statement.executeUpdate("UPDATE stock SET units = 9 WHERE sku = 1");
				Workqueue events = context.getBean(WorkqueueSystem.class).workqueue("events").orElseThrow();
				Items.quietDetector(events);
				CountDownLatch blocked = new CountDownLatch(1);
				CountDownLatch done = new CountDownLatch(1);
				events.queue(new Work(() -> {
					blocked.countDown();
					update(dataSource);
					done.countDown();
				}));
				Items.await(blocked);
				CountDownLatch next = new CountDownLatch(1);
				events.queue(new Work(next::countDown));
				assertThat(next.await(1, TimeUnit.SECONDS)).isFalse(); // held behind the blocked item
				holder.commit();
				assertThat(done.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
				assertThat(next.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
			}
		});
	}

	@Test
	void dataSourcesKeepTheirTypeAndWorkOutsideItems() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(HikariDataSource.class);
			try (Connection connection = context.getBean(HikariDataSource.class).getConnection();
					Statement statement = connection.createStatement()) {
				assertThat(statement.executeQuery("SELECT 42").next()).isTrue();
			}
		});
	}

	@Test
	void jdbcNavigationOnTheBeansConnectionsKeepsItsTypes() {
		this.runner.run((context) -> {
			try (Connection connection = context.getBean(DataSource.class).getConnection();
					PreparedStatement statement = connection.prepareStatement("SELECT 42");
					ResultSet rs = statement.executeQuery()) {
				assertThat((PreparedStatement) rs.getStatement()).isSameAs(statement);
				assertThat(rs.getStatement().getConnection()).isSameAs(connection);
				assertThat(connection.getMetaData().getConnection()).isSameAs(connection);
				assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
			}
		});
	}

	@Test
	void springBootsPoolMetricsAndHealthFindThePool() {
		this.runner
			.withConfiguration(
					AutoConfigurations.of(MetricsAutoConfiguration.class, DataSourcePoolMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class,
						HikariDataSource.class);
				assertThat(pool).isNotNull();
				assertThat(pool.getMaximumPoolSize()).isEqualTo(4);
				assertThat(DataSourceUnwrapper.unwrapRoot(dataSource)).isInstanceOf(HikariDataSource.class);
				assertThat(new DataSourceHealthIndicator(dataSource, "SELECT 1").health(true).getStatus())
					.isEqualTo(Status.UP);
				assertThat(context.getBean(MeterRegistry.class).get("hikaricp.connections.max").gauge().value())
					.isEqualTo(4);
			});
	}

	@Test
	void theNextItemStartsWhileAnItemWaitsForARestClientResponse() {
		this.runner.run((context) -> {
			RestClient client = context.getBean(RestClient.Builder.class).build();
			assertNextItemStartsWhileBlocked(context,
					() -> assertThat(client.get().uri(url()).retrieve().body(String.class)).isEqualTo("done"),
					this.answer::countDown);
		});
	}

	@Test
	void theNextItemStartsWhileAnItemWaitsForARestTemplateResponse() {
		this.runner.run((context) -> {
			var restTemplate = context.getBean(RestTemplateBuilder.class).build();
			assertNextItemStartsWhileBlocked(context,
					() -> assertThat(restTemplate.getForObject(url(), String.class)).isEqualTo("done"),
					this.answer::countDown);
		});
	}

	/**
	 * Queues an item that makes a blocking call once the next item is queued behind it on the same CPU, and checks
	 * that the next item starts before the call returns, woken by concurrency management.
	 */
	private static void assertNextItemStartsWhileBlocked(AssertableApplicationContext context, Runnable call,
			ThrowingRunnable unblock) throws Exception {
		Workqueue events = context.getBean(WorkqueueSystem.class).workqueue("events").orElseThrow();
		Items.quietDetector(events);
		long wakeups = events.snapshot().stats().cmWakeups();
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch callDone = new CountDownLatch(1);
		events.queueOn(0, new Work(() -> {
			Items.spinUntil(go); // counts as running, even if the detector looks, and gives no hint
			call.run();
			callDone.countDown();
		}));
		CountDownLatch next = new CountDownLatch(1);
		events.queueOn(0, new Work(next::countDown));
		go.countDown();
		assertThat(next.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
		assertThat(callDone.getCount()).isOne(); // the first item is still blocked
		// a hint woke it (the detector sleeps); each JDBC call of the item is a hint, so two may find the next pending
		assertThat(events.snapshot().stats().cmWakeups()).isGreaterThan(wakeups);
		unblock.run();
		assertThat(callDone.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
		assertThat(events.snapshot().stats().failed()).isZero();
	}

	private static void update(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			update(connection, (same) -> same);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void update(Connection connection, SqlFunction<Connection, Connection> path) {
		try (Statement statement = path.apply(connection).createStatement()) {
			statement.executeUpdate("UPDATE stock SET units = units - 1 WHERE sku = 1");
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/slow";
	}

	interface ThrowingRunnable {

		void run() throws Exception;

	}

	interface SqlFunction<T, R> {

		R apply(T t) throws SQLException;

	}

}
