package dev.cmwq.spring.blocking;

import java.io.Closeable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link BlockingJdbc}: what it wraps keeps the JDBC interfaces the driver (or pool) returned, and the JDBC API's
 * navigation methods lead back to the wrappers, so that code written against plain JDBC sees no difference and
 * every database call it makes, however it reached the object, stays a blocking section. Each test runs against
 * H2's own objects and against HikariCP's proxies of them.
 */
class BlockingJdbcTests {

	private static final long PATIENCE_SECONDS = 30;

	private static JdbcDataSource h2;

	private static HikariDataSource hikari;

	enum Source {

		/** H2's own data source: connections, statements and result sets are the driver's classes. */
		DRIVER(() -> h2),

		/** HikariCP over H2: the pool's proxies, which navigate back to themselves. */
		POOL(() -> hikari);

		private final Supplier<DataSource> dataSource;

		Source(Supplier<DataSource> dataSource) {
			this.dataSource = dataSource;
		}

		DataSource wrapped() {
			return BlockingJdbc.dataSource(this.dataSource.get());
		}

	}

	@BeforeAll
	static void dataSources() throws Exception {
		h2 = new JdbcDataSource();
		h2.setURL("jdbc:h2:mem:navigation;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=60000");
		hikari = new HikariDataSource();
		hikari.setJdbcUrl(h2.getURL());
		hikari.setMaximumPoolSize(4);
		try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE stock (sku INT PRIMARY KEY, units INT)");
			statement.execute("INSERT INTO stock VALUES (1, 10)");
		}
	}

	@AfterAll
	static void close() {
		hikari.close();
	}

	@ParameterizedTest
	@EnumSource
	void aStatementAndItsResultSetLeadBackToTheWrappersThatMadeThem(Source source) throws Exception {
		try (Connection connection = source.wrapped().getConnection();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT units FROM stock")) {
			assertThat(statement.getConnection()).isSameAs(connection);
			assertThat(rs.getStatement()).isSameAs(statement);
			assertThat(rs.getStatement().getConnection()).isSameAs(connection);
		}
	}

	@ParameterizedTest
	@EnumSource
	void aPreparedStatementsResultSetLeadsBackToThePreparedStatement(Source source) throws Exception {
		try (Connection connection = source.wrapped().getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT sku FROM stock WHERE sku = ?")) {
			statement.setInt(1, 1);
			try (ResultSet rs = statement.executeQuery()) {
				PreparedStatement back = (PreparedStatement) rs.getStatement();
				assertThat(back).isSameAs(statement);
				assertThat(back.getConnection()).isSameAs(connection);
				assertThat(rs.next()).isTrue();
				assertThat(rs.getInt(1)).isOne();
			}
		}
	}

	@ParameterizedTest
	@EnumSource
	void aCallableStatementStaysCallable(Source source) throws Exception {
		try (Connection connection = source.wrapped().getConnection();
				CallableStatement statement = connection.prepareCall("CALL 42");
				ResultSet rs = statement.executeQuery()) {
			assertThat(rs.getStatement()).isInstanceOf(CallableStatement.class).isSameAs(statement);
			assertThat(statement.getConnection()).isSameAs(connection);
			assertThat(rs.next()).isTrue();
			assertThat(rs.getInt(1)).isEqualTo(42);
		}
	}

	@ParameterizedTest
	@EnumSource
	void metaDataLeadsBackToTheConnection(Source source) throws Exception {
		try (Connection connection = source.wrapped().getConnection()) {
			DatabaseMetaData metaData = connection.getMetaData();
			assertThat(metaData.getConnection()).isSameAs(connection);
			try (ResultSet tables = metaData.getTables(null, null, "STOCK", null)) {
				assertThat(tables.next()).isTrue();
				assertThat(tables.getString("TABLE_NAME")).isEqualTo("STOCK");
			}
		}
	}

	@ParameterizedTest
	@EnumSource
	void unwrappingToAJdbcInterfaceTheWrapperImplementsGivesTheWrapper(Source source) throws Exception {
		try (Connection connection = source.wrapped().getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT 1");
				ResultSet rs = statement.executeQuery()) {
			assertThat(connection.isWrapperFor(Connection.class)).isTrue();
			assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
			assertThat(statement.unwrap(PreparedStatement.class)).isSameAs(statement);
			assertThat(statement.unwrap(Statement.class)).isSameAs(statement);
			assertThat(rs.unwrap(ResultSet.class)).isSameAs(rs);
			assertThat(connection.getMetaData().unwrap(DatabaseMetaData.class).getConnection()).isSameAs(connection);
			assertThat(statement.isWrapperFor(CallableStatement.class)).isFalse();
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> statement.unwrap(CallableStatement.class));
		}
	}

	@ParameterizedTest
	@EnumSource
	void unwrappingToADriverClassReachesTheDriver(Source source) throws Exception {
		try (Connection connection = source.wrapped().getConnection()) {
			assertThat(connection.isWrapperFor(JdbcConnection.class)).isTrue();
			assertThat(connection.unwrap(JdbcConnection.class)).isInstanceOf(JdbcConnection.class);
		}
	}

	@Test
	void wrappersImplementTheInterfacesOfWhatTheyWrap() throws Exception {
		DataSource vendor = vendorDataSource(h2);
		try (Connection connection = BlockingJdbc.dataSource(vendor).getConnection()) {
			assertThat(connection).isInstanceOf(VendorConnection.class);
			assertThat(((VendorConnection) connection).vendor()).isEqualTo("acme");
		}
	}

	@Test
	void aDataSourceWrappedByHandKeepsItsInterfacesAndUnwrapsToThePool() throws Exception {
		DataSource wrapped = BlockingJdbc.dataSource(hikari);
		assertThat(wrapped).isInstanceOf(HikariConfigMXBean.class).isInstanceOf(Closeable.class);
		assertThat(((HikariConfigMXBean) wrapped).getMaximumPoolSize()).isEqualTo(4);
		assertThat(wrapped.unwrap(HikariConfigMXBean.class)).isSameAs(hikari);
		assertThat(wrapped.unwrap(DataSource.class)).isSameAs(hikari);
		assertThat(BlockingJdbc.dataSource(wrapped)).as("not wrapped twice").isSameAs(wrapped);
	}

	@Test
	void wrappersAreEqualOnlyToThemselves() throws Exception {
		DataSource wrapped = Source.DRIVER.wrapped();
		try (Connection connection = wrapped.getConnection()) {
			JdbcConnection target = connection.unwrap(JdbcConnection.class);
			assertThat(connection).isEqualTo(connection).isNotEqualTo(target);
			assertThat(connection.hashCode()).isEqualTo(System.identityHashCode(connection));
			assertThat(connection.toString()).isEqualTo(target.toString());
		}
	}

	/**
	 * Every way of reaching a connection, statement or result set gives one whose database calls are blocking
	 * sections: an item waiting for a row lock, on a connection reached through navigation, lets the next item on
	 * its CPU start. One CPU, and a block detector that scans once an hour, so only the hint can start it.
	 */
	@ParameterizedTest
	@EnumSource
	void whatNavigationReachesStillGivesTheHint(Source source) throws Exception {
		DataSource dataSource = source.wrapped();
		assertHinted(dataSource, (connection) -> connection.getMetaData().getConnection());
		assertHinted(dataSource, (connection) -> connection.createStatement().getConnection());
		assertHinted(dataSource,
				(connection) -> connection.prepareStatement("SELECT 1").executeQuery().getStatement().getConnection());
		assertHinted(dataSource, (connection) -> connection.unwrap(Connection.class));
	}

	private static void assertHinted(DataSource dataSource, SqlFunction<Connection, Connection> navigation)
			throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).detectorInterval(Duration.ofHours(1)).build();
				Connection holder = dataSource.getConnection();
				Statement lock = holder.createStatement();
				Connection connection = dataSource.getConnection()) { // here: getting it is a hint of its own
			holder.setAutoCommit(false);
			lock.executeUpdate("UPDATE stock SET units = 9 WHERE sku = 1"); // holds the row lock
			Workqueue wq = system.allocWorkqueue("jdbc", Set.of(), 0);
			CountDownLatch go = new CountDownLatch(1);
			CountDownLatch updated = new CountDownLatch(1);
			wq.queueOn(0, new Work(() -> {
				await(go); // counts as running: the detector does not look, and this wait gives no hint
				try (Statement statement = navigation.apply(connection).createStatement()) {
					statement.executeUpdate("UPDATE stock SET units = units - 1 WHERE sku = 1");
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
				updated.countDown();
			}));
			CountDownLatch next = new CountDownLatch(1);
			wq.queueOn(0, new Work(next::countDown));
			go.countDown();
			try {
				assertThat(next.await(PATIENCE_SECONDS, TimeUnit.SECONDS)).as("the next item started").isTrue();
				assertThat(updated.getCount()).as("the first item still waits for the lock").isOne();
			}
			finally {
				holder.rollback();
			}
			assertThat(updated.await(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(wq.snapshot().stats().failed()).isZero();
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** A data source whose connections implement a driver's own interface besides {@link Connection}. */
	private static DataSource vendorDataSource(DataSource real) {
		return (DataSource) Proxy.newProxyInstance(BlockingJdbcTests.class.getClassLoader(),
				new Class<?>[] { DataSource.class }, (proxy, method, args) -> {
					Object result = invoke(method, real, args);
					return method.getName().equals("getConnection") ? vendorConnection((Connection) result) : result;
				});
	}

	private static Connection vendorConnection(Connection real) {
		return (Connection) Proxy.newProxyInstance(BlockingJdbcTests.class.getClassLoader(),
				new Class<?>[] { VendorConnection.class },
				(proxy, method, args) -> method.getName().equals("vendor") ? "acme" : invoke(method, real, args));
	}

	private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
	}

	/** A driver's own connection interface, as PostgreSQL's {@code PGConnection} or Oracle's. */
	public interface VendorConnection extends Connection {

		String vendor();

	}

	/** A way from a connection to a connection. */
	@FunctionalInterface
	interface SqlFunction<T, R> {

		R apply(T t) throws SQLException;

	}

}
