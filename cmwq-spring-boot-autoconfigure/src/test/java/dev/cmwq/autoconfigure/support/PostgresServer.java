package dev.cmwq.autoconfigure.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: Debian's {@code postgresql} package's binaries ({@code initdb},
 * {@code postgres}), a throwaway data directory, a free loopback port, one server per test JVM, stopped and deleted
 * when the JVM exits. PostgreSQL refuses to run as root, so as root (as CI runs) the server runs as the
 * {@code postgres} user, or a {@code cmwq-pg} system user created for it, through {@code setpriv}.
 *
 * <p>Missing binaries are a failure, not a skip: the durable workqueues' tests need PostgreSQL
 * ({@code apt-get install -y postgresql}; {@code .ci/run} installs it). {@code CMWQ_PG_BIN} may name the directory of
 * the binaries.
 */
public final class PostgresServer {

	private static final String USER = "cmwq";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

	private static PostgresServer server;

	private final Path directory;

	private final int port;

	private final Process process;

	private final AtomicInteger databases = new AtomicInteger();

	private PostgresServer(Path directory, int port, Process process) {
		this.directory = directory;
		this.port = port;
		this.process = process;
	}

	/**
	 * The server, started at the first call.
	 * @return the server
	 */
	public static synchronized PostgresServer get() {
		if (server == null) {
			server = start();
			Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "postgres-stop"));
		}
		return server;
	}

	/**
	 * Creates an empty database.
	 * @return its JDBC URL
	 */
	public String createDatabase() {
		String name = "test" + this.databases.incrementAndGet();
		try (Connection connection = DriverManager.getConnection(url("postgres"), USER, "");
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create database " + name, ex);
		}
		return url(name);
	}

	/**
	 * The JDBC URL of a database.
	 * @param database its name
	 * @return the URL
	 */
	public String url(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/**
	 * The user to connect as (no password).
	 * @return the user name
	 */
	public String user() {
		return USER;
	}

	private static PostgresServer start() {
		Path bin = binaries();
		try {
			Path directory = Files.createTempDirectory("cmwq-pg-");
			Path data = directory.resolve("data");
			List<String> prefix = new ArrayList<>();
			if (isRoot()) {
				String user = serverUser();
				run(List.of("chown", "-R", user + ":", directory.toString()));
				prefix.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups"));
			}
			List<String> initdb = new ArrayList<>(prefix);
			initdb.addAll(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
					"--auth=trust", "--encoding=UTF8", "--no-sync"));
			run(initdb);
			int port = freePort();
			List<String> postgres = new ArrayList<>(prefix);
			postgres.addAll(List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p",
					String.valueOf(port), "-k", directory.toString(), "-c", "listen_addresses=127.0.0.1", "-c",
					"fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200"));
			Process process = new ProcessBuilder(postgres).redirectErrorStream(true)
				.redirectOutput(directory.resolve("postgres.log").toFile())
				.start();
			PostgresServer started = new PostgresServer(directory, port, process);
			started.awaitConnections();
			return started;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start PostgreSQL from " + bin, ex);
		}
	}

	private void awaitConnections() {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		SQLException last = null;
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("PostgreSQL exited at start-up:\n" + log());
			}
			try (Connection connection = DriverManager.getConnection(url("postgres"), USER, "")) {
				return;
			}
			catch (SQLException ex) {
				last = ex;
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		throw new IllegalStateException("PostgreSQL did not accept connections in " + START_TIMEOUT + ":\n" + log(),
				last);
	}

	private String log() {
		try {
			return Files.readString(this.directory.resolve("postgres.log"));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	/** Fast shutdown (SIGINT), then the data directory goes. */
	private void stop() {
		try {
			new ProcessBuilder("kill", "-INT", String.valueOf(this.process.pid())).start().waitFor();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
			try (Stream<Path> files = Files.walk(this.directory)) {
				files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
			}
		}
		catch (IOException ex) {
			// the JVM is exiting; the temporary directory is left behind
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static Path binaries() {
		String configured = System.getenv("CMWQ_PG_BIN");
		if (configured != null && !configured.isBlank()) {
			return requireBinaries(Path.of(configured));
		}
		Path versions = Path.of("/usr/lib/postgresql");
		if (Files.isDirectory(versions)) {
			try (Stream<Path> found = Files.list(versions)) {
				Path newest = found.map((version) -> version.resolve("bin"))
					.filter((bin) -> Files.isExecutable(bin.resolve("initdb")))
					.max(Comparator.comparingInt(PostgresServer::majorVersion))
					.orElse(null);
				if (newest != null) {
					return newest;
				}
			}
			catch (IOException ex) {
				// reported below
			}
		}
		throw new IllegalStateException("The PostgreSQL server binaries (initdb, postgres) were not found in "
				+ "/usr/lib/postgresql/<version>/bin: the durable workqueues' tests need a real PostgreSQL; install "
				+ "Debian's postgresql package (apt-get install -y postgresql; .ci/run does), or set CMWQ_PG_BIN to "
				+ "the directory of initdb and postgres");
	}

	private static Path requireBinaries(Path bin) {
		if (!Files.isExecutable(bin.resolve("initdb")) || !Files.isExecutable(bin.resolve("postgres"))) {
			throw new IllegalStateException("CMWQ_PG_BIN=" + bin + " has no executable initdb and postgres");
		}
		return bin;
	}

	private static int majorVersion(Path bin) {
		try {
			return Integer.parseInt(bin.getParent().getFileName().toString());
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private static boolean isRoot() {
		try {
			Process id = new ProcessBuilder("id", "-u").start();
			String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			id.waitFor();
			return "0".equals(uid);
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** As root: Debian's postgres user if there is one, else a system user made for the tests. */
	private static String serverUser() throws IOException {
		for (String user : List.of("postgres", "cmwq-pg")) {
			if (succeeds(List.of("id", "-u", user))) {
				return user;
			}
		}
		run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "cmwq-pg"));
		return "cmwq-pg";
	}

	private static boolean succeeds(List<String> command) throws IOException {
		try {
			return new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start()
				.waitFor() == 0;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	private static void run(List<String> command) throws IOException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		try {
			if (process.waitFor() != 0) {
				throw new IOException(String.join(" ", command) + " failed:\n" + output);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
