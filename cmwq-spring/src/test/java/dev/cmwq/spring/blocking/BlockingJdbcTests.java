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
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
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
 * every database call it makes, however it reached the object, stays a blocking section (that those calls give
 * hints: {@code BlockingHintsTests} in the auto-configuration). Each test runs against H2's own objects and against
 * HikariCP's proxies of them.
 */
class BlockingJdbcTests {

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
		h2.setURL("jdbc:h2:mem:navigation;DB_CLOSE_DELAY=-1");
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

}
