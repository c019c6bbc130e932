package dev.cmwq.autoconfigure.durable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * A {@link DurableLoadApplication} in a child JVM on this test's class path: its output lines, the numbers whose
 * calls returned, and its instance id.
 */
final class ChildApplication implements AutoCloseable {

	private final Process process;

	private final List<String> lines = new CopyOnWriteArrayList<>();

	/** Numbers whose call returned (it printed {@code returned n} after the call). */
	final Set<Long> returned = ConcurrentHashMap.newKeySet();

	private ChildApplication(Process process) {
		this.process = process;
		Thread reader = new Thread(this::read, "child-" + process.pid());
		reader.setDaemon(true);
		reader.start();
	}

	static ChildApplication start(String... arguments) throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-ea", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), DurableLoadApplication.class.getName()));
		command.addAll(List.of(arguments));
		return new ChildApplication(new ProcessBuilder(command).redirectErrorStream(true).start());
	}

	private void read() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				if (line.startsWith("returned ")) {
					this.returned.add(Long.parseLong(line.substring("returned ".length())));
				}
				this.lines.add(line);
			}
		}
		catch (IOException ex) {
			// the process died
		}
	}

	/** Waits for an output line. */
	void awaitLine(Predicate<String> line, Duration patience) {
		await().atMost(patience).until(() -> {
			if (!this.process.isAlive() && this.lines.stream().noneMatch(line)) {
				throw new AssertionError("The child exited (" + this.process.exitValue() + "):\n" + output());
			}
			return this.lines.stream().anyMatch(line);
		});
	}

	/** The instance id it printed. */
	String instance(Duration patience) {
		awaitLine((line) -> line.startsWith("instance "), patience);
		return this.lines.stream().filter((line) -> line.startsWith("instance ")).findFirst().orElseThrow()
			.substring("instance ".length());
	}

	/** kill -9. */
	void kill() throws InterruptedException {
		this.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
	}

	/** Waits for it to exit by itself. */
	int awaitExit(Duration patience) throws InterruptedException {
		if (!this.process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("The child did not exit in " + patience + ":\n" + output());
		}
		return this.process.exitValue();
	}

	String output() {
		return String.join("\n", this.lines);
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			this.process.destroy();
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				kill();
			}
		}
	}

}
