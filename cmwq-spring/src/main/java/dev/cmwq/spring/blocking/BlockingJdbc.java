package dev.cmwq.spring.blocking;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Set;

import javax.sql.DataSource;

import dev.cmwq.core.Blocking;

import org.springframework.util.ClassUtils;

/**
 * A JDBC {@link DataSource}, {@link Connection}, {@link Statement} (and its subtypes), {@link ResultSet} or
 * {@link DatabaseMetaData} whose calls that wait for the database are blocking sections: getting a connection,
 * statement execution, {@code commit}, {@code rollback}, {@code isValid}, moving a result set's cursor and the
 * metadata queries that return result sets. The objects it returns are wrapped the same way. Outside a work item a
 * section costs a thread-local lookup. Spring's {@code DataSource} beans get this from
 * {@link BlockingDataSourceBeanPostProcessor}; {@link #dataSource(DataSource)} wraps others.
 *
 * <p>Wrapping changes no type that code written against JDBC can see:
 * <ul>
 * <li>a wrapper implements every public interface of what it wraps, so a {@code PreparedStatement} stays one, as
 * does a driver's own interface (PostgreSQL's {@code PGConnection}, say);
 * <li>navigation leads back to the wrappers: a statement's {@code getConnection()} and a metadata's
 * {@code getConnection()} give the wrapped connection they came from, a result set's {@code getStatement()} the
 * wrapped statement, so {@code (PreparedStatement) rs.getStatement()} is the statement that ran the query;
 * <li>{@code unwrap(iface)} gives the wrapper itself for the JDBC interfaces above that it implements, as Spring's
 * own connection proxies do, and otherwise asks what it wraps (so {@code unwrap(PGConnection.class)} reaches the
 * driver, and a data source unwraps to its pool, as Spring Boot's {@code DataSourceUnwrapper} expects);
 * {@code isWrapperFor} is what it wraps answers;
 * <li>{@code equals} and {@code hashCode} are identity, {@code toString} is what it wraps says.
 * </ul>
 * Only the class differs: a wrapper is a {@link Proxy}.
 */
public final class BlockingJdbc implements InvocationHandler {

	/** The types whose results are wrapped, and which {@code unwrap} answers with the wrapper itself. */
	private static final Set<Class<?>> WRAPPED = Set.of(Connection.class, Statement.class, PreparedStatement.class,
			CallableStatement.class, ResultSet.class, DatabaseMetaData.class);

	private static final Set<String> CONNECTION_WAITS = Set.of("commit", "rollback", "isValid", "setSavepoint",
			"releaseSavepoint");

	private static final Set<String> CURSOR_MOVES = Set.of("next", "previous", "first", "last", "absolute",
			"relative");

	/**
	 * The public interfaces of each wrapped class, which a wrapper of its instances implements; just its JDBC ones
	 * in the unlikely case that a proxy class cannot implement them all (they clash, or are not visible together).
	 */
	private static final ClassValue<Class<?>[]> INTERFACES = new ClassValue<>() {

		@Override
		protected Class<?>[] computeValue(Class<?> type) {
			Class<?>[] all = ClassUtils.getAllInterfacesForClassAsSet(type)
				.stream()
				.filter((iface) -> Modifier.isPublic(iface.getModifiers()) && !iface.isSealed())
				.toArray(Class<?>[]::new);
			try {
				Proxy.newProxyInstance(loader(type), all, (proxy, method, args) -> null);
				return all;
			}
			catch (IllegalArgumentException ex) {
				return Arrays.stream(all)
					.filter((iface) -> WRAPPED.contains(iface) || iface == DataSource.class)
					.toArray(Class<?>[]::new);
			}
		}

	};

	private final Object target;

	/** The wrapper this one was reached from (a statement's connection, a result set's statement), or null. */
	private final Object parent;

	/** What {@link #parent} wraps, or null. */
	private final Object parentTarget;

	private BlockingJdbc(Object target, Object parent, Object parentTarget) {
		this.target = target;
		this.parent = parent;
		this.parentTarget = parentTarget;
	}

	/**
	 * Wraps a data source that is not a Spring bean (beans are advised instead, which keeps their class).
	 * @param dataSource the data source
	 * @return a data source with the interfaces of {@code dataSource}, whose connections' database calls are
	 * blocking sections, as is getting them; {@code dataSource} itself if it is such a wrapper already
	 */
	public static DataSource dataSource(DataSource dataSource) {
		return isWrapper(dataSource) ? dataSource : wrap(DataSource.class, dataSource, null, null);
	}

	/**
	 * Wraps a connection.
	 * @param connection the connection, or null
	 * @return a connection whose database calls are blocking sections, or null
	 */
	static Connection connection(Connection connection) {
		return (connection == null || isWrapper(connection)) ? connection
				: wrap(Connection.class, connection, null, null);
	}

	/**
	 * Whether an object is a wrapper made here.
	 * @param candidate the object, or null
	 * @return whether it is a wrapper of this class
	 */
	static boolean isWrapper(Object candidate) {
		return candidate != null && Proxy.isProxyClass(candidate.getClass())
				&& Proxy.getInvocationHandler(candidate) instanceof BlockingJdbc;
	}

	private static <T> T wrap(Class<T> type, Object target, Object parent, Object parentTarget) {
		Class<?> targetClass = target.getClass();
		return type.cast(Proxy.newProxyInstance(loader(targetClass), INTERFACES.get(targetClass),
				new BlockingJdbc(target, parent, parentTarget)));
	}

	private static ClassLoader loader(Class<?> type) {
		ClassLoader loader = type.getClassLoader();
		return (loader != null) ? loader : BlockingJdbc.class.getClassLoader();
	}

	@Override
	public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
		switch (method.getName()) {
			case "equals":
				if (method.getParameterCount() == 1) {
					return proxy == args[0];
				}
				break;
			case "hashCode":
				if (method.getParameterCount() == 0) {
					return System.identityHashCode(proxy);
				}
				break;
			case "unwrap":
				if (method.getParameterCount() == 1 && WRAPPED.contains(args[0])
						&& ((Class<?>) args[0]).isInstance(proxy)) {
					return proxy;
				}
				break;
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
		if (result != null && result == this.parentTarget) {
			return this.parent;
		}
		Class<?> type = method.getReturnType();
		return (result != null && WRAPPED.contains(type) && !isWrapper(result))
				? wrap(type, result, proxy, this.target) : result;
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
		if (type == DatabaseMetaData.class) {
			return method.getReturnType() == ResultSet.class;
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
