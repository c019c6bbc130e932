package dev.cmwq.spring.durable;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The table of durable items, {@code cmwq_durable_item} (created by {@code META-INF/cmwq/schema-<database>.sql}),
 * and every statement on it. A row is one stored call:
 *
 * <pre>
 *   state PENDING, claimed_by NULL      stored for any instance to claim (or released)
 *   state PENDING, claimed_by I         held by instance I until lease_until; I renews it while it lives
 *   state DEAD                          failed max-attempts times; kept for operators (last_error says why)
 *   (no row)                            its run ended
 * </pre>
 *
 * An instance may claim a PENDING row that is unclaimed or whose lease has run out, once {@code not_before} has
 * passed, with {@code SELECT ... FOR UPDATE SKIP LOCKED} (PostgreSQL and H2 both have it), so that instances
 * claiming at once take different rows. {@code pending_key} is the digest of a keyed call while it has not started:
 * the unique constraint on {@code (queue_name, pending_key)} keeps one pending row per key (NULLs do not collide).
 * Every change an instance makes to a claimed row is guarded by {@code claimed_by = itself}, so an instance that
 * lost its claim changes nothing. Times come from the instances' clocks, which must agree to well within a lease.
 *
 * <p>{@link #insert} runs in the caller's transaction when there is one on this {@code DataSource}; every other
 * statement runs in a transaction of its own.
 */
final class DurableStore {

	static final String PENDING = "PENDING";

	static final String DEAD = "DEAD";

	/** The schema version this code reads and writes (the row of {@code cmwq_durable_schema}). */
	static final int SCHEMA_VERSION = 1;

	/** The longest error text kept in {@code last_error}. */
	static final int MAX_ERROR = 2000;

	/** The longest key text kept in {@code item_key}. */
	static final int MAX_KEY = 255;

	private static final String COLUMNS = "id, queue_name, bean_name, method, arguments, item_key, pending_key, "
			+ "state, attempts, not_before, claimed_by, lease_until, created_at, last_error";

	private static final String INSERT = "INSERT INTO cmwq_durable_item (queue_name, bean_name, method, arguments, "
			+ "item_key, pending_key, state, attempts, not_before, claimed_by, lease_until, created_at) "
			+ "VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?, ?)";

	private static final String CLAIMABLE = "SELECT id, bean_name, method, arguments, attempts, not_before "
			+ "FROM cmwq_durable_item WHERE queue_name = ? AND state = 'PENDING' AND not_before <= ? "
			+ "AND (claimed_by IS NULL OR lease_until < ?) ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate own;

	private final Dialect dialect;

	DurableStore(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.own = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.dialect = this.jdbc.execute((Connection connection) -> Dialect.of(connection.getMetaData()));
	}

	Dialect dialect() {
		return this.dialect;
	}

	/**
	 * Checks that the table exists in the version this code uses.
	 * @throws IllegalStateException saying what is missing and how to create it
	 */
	void checkSchema() {
		Integer version;
		try {
			this.jdbc.queryForList("SELECT " + COLUMNS + " FROM cmwq_durable_item WHERE 1 = 0");
			version = this.jdbc.queryForObject("SELECT MAX(version) FROM cmwq_durable_schema", Integer.class);
		}
		catch (DataAccessException ex) {
			throw new IllegalStateException("The durable workqueues' tables (cmwq_durable_item, "
					+ "cmwq_durable_schema) are missing or incomplete in this " + this.dialect.product
					+ " database; create them with classpath:" + this.dialect.schema() + " (a Spring Boot application "
					+ "does so with cmwq.durable.initialize-schema=always): " + ex.getMostSpecificCause().getMessage(),
					ex);
		}
		if (version == null || version != SCHEMA_VERSION) {
			throw new IllegalStateException("The durable workqueues' tables are at schema version " + version
					+ ", and this version of cmwq uses version " + SCHEMA_VERSION + "; apply classpath:"
					+ this.dialect.schema());
		}
	}

	/**
	 * For H2, whether a commit may be lost when the process dies: an H2 file database writes commits up to
	 * {@code WRITE_DELAY} (500 ms by default) after they return.
	 * @return a description of the risk, or null if commits are written when they return (or nothing survives the
	 * process anyway, as with an in-memory database)
	 */
	String commitLossRisk() {
		if (this.dialect != Dialect.H2) {
			return null;
		}
		String url = this.jdbc.execute((Connection connection) -> connection.getMetaData().getURL());
		if (url != null && url.startsWith("jdbc:h2:mem:")) {
			return null;
		}
		List<Integer> delays = this.jdbc.queryForList(
				"SELECT CAST(SETTING_VALUE AS INT) FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'",
				Integer.class);
		int delay = delays.stream().mapToInt(Integer::intValue).max().orElse(0);
		return (delay > 0) ? "the H2 database " + url + " writes commits up to " + delay + " ms after they return "
				+ "(WRITE_DELAY), so a process that dies loses the items stored in that time" : null;
	}

	/**
	 * Whether the store's warnings should call a database in-memory.
	 * @return true for an H2 in-memory database
	 */
	boolean isInMemory() {
		String url = this.jdbc.execute((Connection connection) -> connection.getMetaData().getURL());
		return url != null && url.startsWith("jdbc:h2:mem:");
	}

	/**
	 * Stores a call, in the transaction of the calling thread if it has one on this {@code DataSource}.
	 * @param row the call
	 * @return its id, or null if a row with its pending key is there already
	 */
	Long insert(NewItem row) {
		KeyHolder keys = new GeneratedKeyHolder();
		String sql = (row.pendingKey() != null) ? this.dialect.insertUnlessPending() : INSERT;
		int inserted;
		try {
			inserted = this.jdbc.update((connection) -> {
				PreparedStatement statement = connection.prepareStatement(sql, new String[] { "id" });
				statement.setString(1, row.queue());
				statement.setString(2, row.bean());
				statement.setString(3, row.method());
				statement.setString(4, row.arguments());
				statement.setString(5, row.keyText());
				statement.setString(6, row.pendingKey());
				statement.setObject(7, time(row.notBefore()));
				statement.setString(8, row.claimedBy());
				setTime(statement, 9, row.leaseUntil());
				statement.setObject(10, time(row.createdAt()));
				return statement;
			}, keys);
		}
		catch (DuplicateKeyException ex) {
			if (row.pendingKey() == null) {
				throw ex;
			}
			return null; // H2: the unique constraint refused a second pending row with this key
		}
		if (inserted == 0) {
			return null; // PostgreSQL: ON CONFLICT DO NOTHING
		}
		Number id = keys.getKey();
		if (id == null) {
			throw new IllegalStateException("The database gave no id for the stored item");
		}
		return id.longValue();
	}

	/**
	 * Stores a call in a transaction of its own.
	 * @param row the call
	 * @return its id, or null if a row with its pending key is there already
	 */
	Long insertAlone(NewItem row) {
		return inOwnTransaction(() -> insert(row));
	}

	/**
	 * Claims up to {@code limit} rows of a workqueue that are due and unclaimed or whose lease has run out, oldest
	 * first, skipping rows another instance is claiming at the same moment.
	 * @param queue the workqueue
	 * @param instance the claiming instance
	 * @param now the time
	 * @param leaseUntil the new lease
	 * @param limit how many at most, 1 or more
	 * @return the claimed rows
	 */
	List<ClaimedItem> claim(String queue, String instance, Instant now, Instant leaseUntil, int limit) {
		return inOwnTransaction(() -> {
			List<ClaimedItem> claimed = this.jdbc.query(CLAIMABLE,
					(row, n) -> new ClaimedItem(row.getLong(1), queue, row.getString(2), row.getString(3),
							row.getString(4), row.getInt(5), instant(row, 6)),
					queue, time(now), time(now), limit);
			if (!claimed.isEmpty()) {
				List<Object[]> claims = claimed.stream()
					.map((item) -> new Object[] { instance, time(leaseUntil), item.id() })
					.toList();
				this.jdbc.batchUpdate("UPDATE cmwq_durable_item SET claimed_by = ?, lease_until = ? WHERE id = ?",
						claims);
			}
			return claimed;
		});
	}

	/**
	 * Marks a claimed row as started: one more attempt, its key no longer pending, its lease renewed.
	 * @return false if the instance no longer holds the row (another instance took it over, or it is gone)
	 */
	boolean start(long id, String instance, Instant leaseUntil) {
		return inOwnTransaction(() -> this.jdbc.update("UPDATE cmwq_durable_item SET attempts = attempts + 1, "
				+ "pending_key = NULL, lease_until = ? WHERE id = ? AND claimed_by = ? AND state = 'PENDING'",
				time(leaseUntil), id, instance)) == 1;
	}

	/**
	 * Removes a row whose run ended.
	 * @return false if the instance no longer held it
	 */
	boolean delete(long id, String instance) {
		return inOwnTransaction(() -> this.jdbc.update("DELETE FROM cmwq_durable_item WHERE id = ? AND claimed_by = ?",
				id, instance)) == 1;
	}

	/**
	 * Records a failed run to be tried again after {@code notBefore}, by this instance ({@code keep}) or by any.
	 * @return false if the instance no longer held the row
	 */
	boolean retry(long id, String instance, Instant notBefore, String error, boolean keep) {
		String claim = keep ? "" : ", claimed_by = NULL, lease_until = NULL";
		return inOwnTransaction(() -> this.jdbc.update("UPDATE cmwq_durable_item SET not_before = ?, last_error = ?"
				+ claim + " WHERE id = ? AND claimed_by = ?", time(notBefore), error, id, instance)) == 1;
	}

	/**
	 * Moves a row to the dead letters.
	 * @return false if the instance no longer held the row
	 */
	boolean dead(long id, String instance, String error) {
		return inOwnTransaction(() -> this.jdbc.update("UPDATE cmwq_durable_item SET state = 'DEAD', "
				+ "pending_key = NULL, claimed_by = NULL, lease_until = NULL, last_error = ? WHERE id = ? "
				+ "AND claimed_by = ?", error, id, instance)) == 1;
	}

	/**
	 * Gives up the claims of rows the instance will not start, for any instance to claim at once.
	 * @return how many it still held
	 */
	int release(List<Long> ids, String instance) {
		if (ids.isEmpty()) {
			return 0;
		}
		int[][] counts = inOwnTransaction(() -> this.jdbc.batchUpdate(
				"UPDATE cmwq_durable_item SET claimed_by = NULL, lease_until = NULL WHERE id = ? AND claimed_by = ?",
				ids, 500, (statement, id) -> {
					statement.setLong(1, id);
					statement.setString(2, instance);
				}));
		int released = 0;
		for (int[] batch : counts) {
			for (int count : batch) {
				released += Math.max(count, 0);
			}
		}
		return released;
	}

	/**
	 * Renews every claim of an instance.
	 * @return how many rows it holds
	 */
	int renew(String instance, Instant leaseUntil) {
		return inOwnTransaction(() -> this.jdbc.update(
				"UPDATE cmwq_durable_item SET lease_until = ? WHERE claimed_by = ? AND state = 'PENDING'",
				time(leaseUntil), instance));
	}

	/**
	 * What the table holds per workqueue: pending and dead rows, and the live claims of each instance.
	 * @param now the time, to tell live claims from lapsed ones
	 * @return by workqueue name
	 */
	Map<String, TableCounts> counts(Instant now) {
		return inOwnTransaction(() -> {
			Map<String, long[]> states = new HashMap<>();
			this.jdbc.query("SELECT queue_name, state, COUNT(*) FROM cmwq_durable_item GROUP BY queue_name, state",
					(row) -> {
						long[] counts = states.computeIfAbsent(row.getString(1), (queue) -> new long[2]);
						counts[DEAD.equals(row.getString(2)) ? 1 : 0] += row.getLong(3);
					});
			Map<String, Map<String, Long>> claims = new HashMap<>();
			this.jdbc.query("SELECT queue_name, claimed_by, COUNT(*) FROM cmwq_durable_item WHERE state = 'PENDING' "
					+ "AND claimed_by IS NOT NULL AND lease_until >= ? GROUP BY queue_name, claimed_by", (row) -> {
						claims.computeIfAbsent(row.getString(1), (queue) -> new HashMap<>())
							.put(row.getString(2), row.getLong(3));
					}, time(now));
			Map<String, TableCounts> counts = new HashMap<>();
			states.forEach((queue, pendingAndDead) -> counts.put(queue,
					new TableCounts(pendingAndDead[0], pendingAndDead[1], claims.getOrDefault(queue, Map.of()))));
			return counts;
		});
	}

	private <T> T inOwnTransaction(Supplier<T> work) {
		return this.own.execute((status) -> work.get());
	}

	private static OffsetDateTime time(Instant instant) {
		return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
	}

	private static void setTime(PreparedStatement statement, int index, Instant instant) throws SQLException {
		if (instant != null) {
			statement.setObject(index, time(instant));
		}
		else {
			statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
		}
	}

	private static Instant instant(ResultSet row, int column) throws SQLException {
		OffsetDateTime time = row.getObject(column, OffsetDateTime.class);
		return (time != null) ? time.toInstant() : null;
	}

	/**
	 * A call to store.
	 * @param queue the workqueue
	 * @param bean the bean's name
	 * @param method the method's signature, as {@link DurableCalls#signature} writes it
	 * @param arguments the arguments as stored
	 * @param keyText the key's text for operators, or null
	 * @param pendingKey the key's digest, or null
	 * @param notBefore when it may start
	 * @param claimedBy the instance that claims it at once, or null to leave it for any
	 * @param leaseUntil that claim's lease, or null
	 * @param createdAt now
	 */
	record NewItem(String queue, String bean, String method, String arguments, String keyText, String pendingKey,
			Instant notBefore, String claimedBy, Instant leaseUntil, Instant createdAt) {
	}

	/**
	 * A claimed row.
	 * @param id its id
	 * @param queue the workqueue
	 * @param bean the bean's name
	 * @param method the method's signature
	 * @param arguments the arguments as stored
	 * @param attempts how many times it has been started
	 * @param notBefore when it may start
	 */
	record ClaimedItem(long id, String queue, String bean, String method, String arguments, int attempts,
			Instant notBefore) {
	}

	/**
	 * The rows of one workqueue.
	 * @param backlog pending rows (claimed or not)
	 * @param dead dead letters
	 * @param claims live claims per instance
	 */
	record TableCounts(long backlog, long dead, Map<String, Long> claims) {

		static final TableCounts NONE = new TableCounts(0, 0, Map.of());

	}

	/**
	 * The databases the store knows: the statements that differ, and their schema scripts.
	 */
	enum Dialect {

		POSTGRESQL("PostgreSQL", "postgresql", INSERT + " ON CONFLICT (queue_name, pending_key) DO NOTHING"),

		H2("H2", "h2", INSERT);

		final String product;

		private final String platform;

		private final String insertUnlessPending;

		Dialect(String product, String platform, String insertUnlessPending) {
			this.product = product;
			this.platform = platform;
			this.insertUnlessPending = insertUnlessPending;
		}

		/** The insert of a keyed call: does nothing (PostgreSQL) or fails (H2) if its key is pending already. */
		String insertUnlessPending() {
			return this.insertUnlessPending;
		}

		/** The schema script, a class path resource. */
		String schema() {
			return "META-INF/cmwq/schema-" + this.platform + ".sql";
		}

		static Dialect of(DatabaseMetaData metaData) throws SQLException {
			String product = metaData.getDatabaseProductName();
			for (Dialect dialect : values()) {
				if (dialect.product.equalsIgnoreCase(product)) {
					return dialect;
				}
			}
			throw new IllegalStateException("Durable workqueues store their items in PostgreSQL or H2, and the "
					+ "DataSource is " + product + " " + metaData.getDatabaseProductVersion() + "; use one of those, "
					+ "or declare no workqueue durable");
		}

	}

}
