package dev.cmwq.core;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** What the probe tells of a thread, on Linux: a socket read is I/O, believed at once; running is running. */
class ThreadStateProbeTest {

	@BeforeAll
	static void linux() {
		assumeThat(Files.exists(Path.of("/proc/thread-self"))).as("/proc/thread-self").isTrue();
	}

	@Test
	void aSocketReadIsIoBlocked() throws Exception {
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
				Socket accepted = server.accept()) {
			InputStream in = client.getInputStream();
			CompletableFuture<ThreadStateProbe> probe = new CompletableFuture<>();
			Thread reader = new Thread(() -> {
				probe.complete(ThreadStateProbe.forCurrentThread());
				try {
					in.read();
				}
				catch (java.io.IOException ex) {
					throw new IllegalStateException(ex);
				}
			});
			reader.start();
			ThreadStateProbe p = probe.get(30, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(30)).until(() -> p.probe(reader) == ThreadStateProbe.IO_BLOCKED);
			accepted.getOutputStream().write(1);
			reader.join(30_000);
			p.close();
		}
	}

	@Test
	void aSpinningThreadIsRunningAndAParkedOneJvmBlocked() throws Exception {
		AtomicBoolean stop = new AtomicBoolean();
		CountDownLatch park = new CountDownLatch(1);
		CompletableFuture<ThreadStateProbe> probe = new CompletableFuture<>();
		Thread spinner = new Thread(() -> {
			probe.complete(ThreadStateProbe.forCurrentThread());
			while (!stop.get()) {
				Thread.onSpinWait();
			}
			WorkSemanticsTest.awaitLatch(park);
		});
		spinner.start();
		ThreadStateProbe p = probe.get(30, TimeUnit.SECONDS);
		// Not on every probe: at a JVM safepoint (a GC, a deoptimization) the spinner sleeps in a futex for a moment,
		// which is why the detector believes a futex sleep only on two probes in a row.
		await().atMost(Duration.ofSeconds(30)).until(() -> p.probe(spinner) == ThreadStateProbe.RUNNING);
		stop.set(true);
		await().atMost(Duration.ofSeconds(30)).until(() -> p.probe(spinner) == ThreadStateProbe.JVM_BLOCKED);
		park.countDown();
		spinner.join(30_000);
		p.close();
	}

}
