package dev.cmwq.sample;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus server (Debian's {@code prometheus} package; {@code .ci/run} installs it) of our own: our
 * configuration, a temporary storage directory and a free loopback port, so a Prometheus service the package may
 * have started does not matter. Without the binary it fails: the fleet tests must not pass by skipping.
 */
final class PrometheusServer implements AutoCloseable {

	static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

	static final Path PROMTOOL = Path.of("/usr/bin/promtool");

	/** The fleet kit, beside the modules. */
	static final Path KIT = Path.of("..", "observability").toAbsolutePath().normalize();

	static final Path LOGS = Path.of("target", "prometheus");

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final Path directory;

	private final Process process;

	private final String base;

	private PrometheusServer(Path directory, Process process, int port) {
		this.directory = directory;
		this.process = process;
		this.base = "http://127.0.0.1:" + port;
	}

	static void requireInstalled(Path binary) {
		assertThat(Files.isExecutable(binary))
			.as("the fleet tests need Debian's prometheus package (%s): apt-get install -y prometheus (.ci/run does)",
					binary)
			.isTrue();
	}

	/**
	 * Starts Prometheus scraping {@code /actuator/prometheus} of the given loopback ports every second, evaluating
	 * the given rule files every second, and waits until it is ready.
	 */
	static PrometheusServer start(List<Integer> targetPorts, List<Path> ruleFiles) {
		requireInstalled(PROMETHEUS);
		try {
			Path directory = Files.createTempDirectory("cmwq-prometheus-");
			String targets = targetPorts.stream()
				.map((port) -> "'127.0.0.1:" + port + "'")
				.collect(Collectors.joining(", ", "[", "]"));
			String rules = ruleFiles.stream()
				.map((file) -> "'" + file.toAbsolutePath() + "'")
				.collect(Collectors.joining(", ", "[", "]"));
			Path config = directory.resolve("prometheus.yml");
			Files.writeString(config, String.join("\n", "global:", "  scrape_interval: 1s",
					"  scrape_timeout: 1s", "  evaluation_interval: 1s", "rule_files: " + rules, "scrape_configs:",
					"  - job_name: cmwq-sample", "    metrics_path: /actuator/prometheus",
					"    static_configs:", "      - targets: " + targets, ""));
			int port = freePort();
			Files.createDirectories(LOGS);
			Process process = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
					"--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
				.redirectErrorStream(true)
				.redirectOutput(LOGS.resolve("prometheus.log").toFile())
				.start();
			PrometheusServer server = new PrometheusServer(directory, process, port);
			try {
				await().atMost(Duration.ofSeconds(60))
					.pollInterval(Duration.ofMillis(250))
					.ignoreExceptions()
					.until(() -> {
						assertThat(process.isAlive()).as("prometheus is running (see %s)", LOGS).isTrue();
						return server.get("/-/ready").statusCode() == 200;
					});
			}
			catch (RuntimeException | Error ex) {
				server.close();
				throw ex;
			}
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Evaluates a PromQL expression now ({@code /api/v1/query}).
	 * @return the API's JSON answer
	 */
	String query(String expression) {
		String form = "query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8);
		return send(HttpRequest.newBuilder(URI.create(this.base + "/api/v1/query"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))).body();
	}

	/**
	 * @return the JSON answer of a {@code GET} of an API path
	 */
	String api(String path) {
		return get(path).body();
	}

	private HttpResponse<String> get(String path) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path)).GET());
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.client.send(request.timeout(Duration.ofSeconds(30)).build(),
					HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Runs {@code promtool} with the given arguments in the given directory.
	 * @return its exit code and output
	 */
	static ToolResult promtool(Path directory, String... arguments) {
		requireInstalled(PROMTOOL);
		try {
			List<String> command = new ArrayList<>();
			command.add(PROMTOOL.toString());
			command.addAll(List.of(arguments));
			Process process = new ProcessBuilder(command)
				.directory(directory.toFile())
				.redirectErrorStream(true)
				.start();
			process.getOutputStream().close();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool ends").isTrue();
			return new ToolResult(process.exitValue(), output);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
		finally {
			try (var files = Files.walk(this.directory)) {
				files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
			}
			catch (IOException ex) {
				// a leftover temporary directory is harmless
			}
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	record ToolResult(int exitCode, String output) {
	}

}
