package dev.cmwq.spring.blocking;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;

import javax.sql.DataSource;

import dev.cmwq.core.Blocking;

/**
 * A JDBC {@link DataSource}, {@link Connection}, {@link Statement} (and its subtypes) or {@link ResultSet} whose
 * calls that wait for the database are blocking sections: getting a connection, statement execution,
 * {@code commit}, {@code rollback}, {@code isValid} and moving a result set's cursor. The connections, statements and
 * result sets it returns are wrapped the same way. Outside a work item a section costs a thread-local lookup.
 * Spring's {@code DataSource} beans get this from the blocking-hints auto-configuration;
 * {@link #dataSource(DataSource)} wraps others.
 */
public final class BlockingJdbc implements InvocationHandler {

	private static final Set<Class<?>> WRAPPED = Set.of(Connection.class, Statement.class, PreparedStatement.class,
			CallableStatement.class, ResultSet.class);

	private static final Set<String> CONNECTION_WAITS = Set.of("commit", "rollback", "isValid", "setSavepoint",
			"releaseSavepoint");

	private static final Set<String> CURSOR_MOVES = Set.of("next", "previous", "first", "last", "absolute",
			"relative");

	private final Object target;

	private BlockingJdbc(Object target) {
		this.target = target;
	}

	/**
	 * Wraps a data source that is not a Spring bean (beans are advised instead, which keeps their type).
	 * @param dataSource the data source
	 * @return a data source whose connections' database calls are blocking sections, as is getting them
	 */
	public static DataSource dataSource(DataSource dataSource) {
		return wrap(DataSource.class, dataSource);
	}

	/**
	 * Wraps a connection.
	 * @param connection the connection
	 * @return a connection whose database calls are blocking sections
	 */
	static Connection connection(Connection connection) {
		return (connection != null) ? wrap(Connection.class, connection) : null;
	}

	private static <T> T wrap(Class<T> type, Object target) {
		return type.cast(Proxy.newProxyInstance(BlockingJdbc.class.getClassLoader(), new Class<?>[] { type },
				new BlockingJdbc(target)));
	}

	@Override
	public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
		switch (method.getName()) {
			case "equals":
				return proxy == args[0];
			case "hashCode":
				return System.identityHashCode(proxy);
			default:
		}
		Object result;
		if (waitsForDatabase(method)) {
			try (Blocking.Section ignored = Blocking.begin()) {
				result = call(method, args);
			}
		}
		else {
			result = call(method, args);
		}
		Class<?> type = method.getReturnType();
		return (result != null && WRAPPED.contains(type)) ? wrap(type, result) : result;
	}

	private static boolean waitsForDatabase(Method method) {
		Class<?> type = method.getDeclaringClass();
		String name = method.getName();
		if (Statement.class.isAssignableFrom(type)) {
			return name.startsWith("execute") || name.equals("getMoreResults");
		}
		if (type == ResultSet.class) {
			return CURSOR_MOVES.contains(name);
		}
		if (type == DataSource.class) {
			return name.equals("getConnection");
		}
		return type == Connection.class && CONNECTION_WAITS.contains(name);
	}

	private Object call(Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(this.target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
	}

}
