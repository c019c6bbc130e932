package dev.cmwq.spring.blocking;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BlockingDataSourceBeanPostProcessor}: data source beans give hints and keep their type, or, where that is
 * impossible, keep their type and say so; and the start-up log names them.
 */
class BlockingDataSourceBeanPostProcessorTests {

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private ch.qos.logback.classic.Logger logger;

	@BeforeEach
	void captureLog() {
		this.logger = (ch.qos.logback.classic.Logger) LoggerFactory
			.getLogger(BlockingDataSourceBeanPostProcessor.class);
		this.log.start();
		this.logger.addAppender(this.log);
	}

	@AfterEach
	void releaseLog() {
		this.logger.detachAppender(this.log);
	}

	@Test
	void aPoolBeanKeepsItsClassAndItsConnectionsNavigateAsJdbcSays() throws Exception {
		try (AnnotationConfigApplicationContext context = context((c) -> c.registerBean("dataSource",
				HikariDataSource.class, BlockingDataSourceBeanPostProcessorTests::hikari))) {
			HikariDataSource dataSource = context.getBean(HikariDataSource.class);
			assertThat(dataSource.getMaximumPoolSize()).isEqualTo(2);
			try (Connection connection = dataSource.getConnection();
					PreparedStatement statement = connection.prepareStatement("SELECT 1");
					ResultSet rs = statement.executeQuery()) {
				assertThat(BlockingJdbc.isWrapper(connection)).isTrue();
				assertThat((PreparedStatement) rs.getStatement()).isSameAs(statement);
				assertThat(statement.getConnection()).isSameAs(connection);
			}
			assertThat(dataSource.unwrap(HikariDataSource.class)).isInstanceOf(HikariDataSource.class);
		}
	}

	@Test
	void aBeanOfAFinalClassKeepsItsTypeAndTheLogSaysWhyItGivesNoHints() throws Exception {
		try (AnnotationConfigApplicationContext context = context(
				(c) -> c.registerBean("plain", JdbcDataSource.class, BlockingDataSourceBeanPostProcessorTests::h2))) {
			JdbcDataSource dataSource = context.getBean(JdbcDataSource.class);
			assertThat(dataSource.getClass()).isEqualTo(JdbcDataSource.class);
			try (Connection connection = dataSource.getConnection()) {
				assertThat(BlockingJdbc.isWrapper(connection)).isFalse();
			}
		}
		assertThat(messages()).containsExactly("No blocking hints for JDBC from DataSource bean 'plain' "
				+ "(org.h2.jdbcx.JdbcDataSource): its class is final; wrap it with BlockingJdbc.dataSource(..) where "
				+ "DataSource is all its users need");
	}

	@Test
	void aBeanOfANonPublicClassIsProxiedByItsInterfaces() throws Exception {
		try (AnnotationConfigApplicationContext context = context((c) -> c.registerBean("hidden", DataSource.class,
				() -> new HiddenDataSource(h2())))) {
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource).isInstanceOf(AutoCloseable.class);
			try (Connection connection = dataSource.getConnection()) {
				assertThat(BlockingJdbc.isWrapper(connection)).isTrue();
			}
		}
	}

	@Test
	void anAopProxyGetsTheAdviceAdded() throws Exception {
		ProxyFactory factory = new ProxyFactory(hikari());
		factory.setProxyTargetClass(true);
		HikariDataSource proxy = (HikariDataSource) factory.getProxy();
		try (AnnotationConfigApplicationContext context = context(
				(c) -> c.registerBean("proxied", HikariDataSource.class, () -> proxy))) {
			assertThat(context.getBean(HikariDataSource.class)).isSameAs(proxy);
			try (Connection connection = proxy.getConnection()) {
				assertThat(BlockingJdbc.isWrapper(connection)).isTrue();
			}
		}
	}

	@Test
	void aDataSourceWrappedByHandIsLeftAsItIs() throws Exception {
		DataSource wrapped = BlockingJdbc.dataSource(h2());
		try (AnnotationConfigApplicationContext context = context(
				(c) -> c.registerBean("wrapped", DataSource.class, () -> wrapped))) {
			assertThat(context.getBean(DataSource.class)).isSameAs(wrapped);
			try (Connection connection = wrapped.getConnection()) {
				assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
			}
		}
	}

	@Test
	void theStartUpLogNamesTheBeansThatGiveHintsOnce() {
		try (AnnotationConfigApplicationContext context = context((c) -> {
			c.registerBean("primary", HikariDataSource.class, BlockingDataSourceBeanPostProcessorTests::hikari);
			c.registerBean("secondary", HikariDataSource.class, BlockingDataSourceBeanPostProcessorTests::hikari);
			c.registerBean("later", HikariDataSource.class, BlockingDataSourceBeanPostProcessorTests::hikari,
					(definition) -> definition.setLazyInit(true));
		})) {
			assertThat(this.log.list).allMatch((event) -> event.getLevel() == Level.INFO);
			assertThat(messages()).containsExactly("Blocking hints on for JDBC: in work items, DataSource beans "
					+ "'primary' (com.zaxxer.hikari.HikariDataSource), 'secondary' (com.zaxxer.hikari.HikariDataSource)"
					+ " mark their database calls");
			context.getBean("later");
			assertThat(messages()).hasSize(2)
				.last()
				.isEqualTo("Blocking hints on for JDBC: in work items, DataSource bean "
						+ "'later' (com.zaxxer.hikari.HikariDataSource) marks its database calls");
		}
	}

	private List<String> messages() {
		return this.log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
	}

	private static AnnotationConfigApplicationContext context(
			Consumer<AnnotationConfigApplicationContext> beans) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.registerBean(BlockingDataSourceBeanPostProcessor.class);
		beans.accept(context);
		context.refresh();
		return context;
	}

	private static HikariDataSource hikari() {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl("jdbc:h2:mem:beans");
		dataSource.setMaximumPoolSize(2);
		return dataSource;
	}

	private static JdbcDataSource h2() {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:beans");
		return dataSource;
	}

	/** A data source whose class no one outside this package can name, as Spring's embedded databases. */
	static final class HiddenDataSource implements DataSource, AutoCloseable {

		private final DataSource target;

		HiddenDataSource(DataSource target) {
			this.target = target;
		}

		@Override
		public Connection getConnection() throws SQLException {
			return this.target.getConnection();
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			return this.target.getConnection(username, password);
		}

		@Override
		public PrintWriter getLogWriter() throws SQLException {
			return this.target.getLogWriter();
		}

		@Override
		public void setLogWriter(PrintWriter out) throws SQLException {
			this.target.setLogWriter(out);
		}

		@Override
		public void setLoginTimeout(int seconds) throws SQLException {
			this.target.setLoginTimeout(seconds);
		}

		@Override
		public int getLoginTimeout() throws SQLException {
			return this.target.getLoginTimeout();
		}

		@Override
		public Logger getParentLogger() {
			return Logger.getGlobal();
		}

		@Override
		public <T> T unwrap(Class<T> iface) throws SQLException {
			return this.target.unwrap(iface);
		}

		@Override
		public boolean isWrapperFor(Class<?> iface) throws SQLException {
			return this.target.isWrapperFor(iface);
		}

		@Override
		public void close() {
		}

	}

}
