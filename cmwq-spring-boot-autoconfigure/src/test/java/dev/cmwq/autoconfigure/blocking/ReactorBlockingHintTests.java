package dev.cmwq.autoconfigure.blocking;

import dev.cmwq.spring.blocking.ReactorBlockingHint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.sun.net.httpserver.HttpServer;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.support.Items;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ReactorBlockingHint}: an item that blocks on a reactive result lets its pool start the next item at once.
 * One CPU and a block detector that scans once an hour, so only the hint can start the next item while the first
 * one blocks.
 */
class ReactorBlockingHintTests {

	private static final long PATIENCE_SECONDS = 30;

	private WorkqueueSystem system;

	private HttpServer server;

	private ExecutorService serverThreads;

	@AfterEach
	void tearDown() {
		if (this.system != null) {
			this.system.close(Duration.ofSeconds(5));
		}
		if (this.server != null) {
			this.server.stop(0);
			this.serverThreads.shutdownNow();
		}
		assertThat(ReactorBlockingHint.isActive()).as("every test closes its registrations").isFalse();
	}

	@Test
	void monoBlockLetsTheNextItemStart() throws Exception {
		try (ReactorBlockingHint.Registration ignored = ReactorBlockingHint.register()) {
			assertNextItemStartsWhileBlocked(Mono::block);
		}
	}

	@Test
	void monoBlockWithATimeoutLetsTheNextItemStart() throws Exception {
		try (ReactorBlockingHint.Registration ignored = ReactorBlockingHint.register()) {
			assertNextItemStartsWhileBlocked((mono) -> mono.block(Duration.ofSeconds(60)));
		}
	}

	@Test
	void blockOptionalLetsTheNextItemStart() throws Exception {
		try (ReactorBlockingHint.Registration ignored = ReactorBlockingHint.register()) {
			assertNextItemStartsWhileBlocked((mono) -> mono.blockOptional().orElseThrow());
		}
	}

	@Test
	void blockFirstAndBlockLastLetTheNextItemStart() throws Exception {
		try (ReactorBlockingHint.Registration ignored = ReactorBlockingHint.register()) {
			assertNextItemStartsWhileBlocked((mono) -> mono.flux().blockFirst());
			assertNextItemStartsWhileBlocked((mono) -> mono.flux().blockLast());
		}
	}

	@Test
	void iteratingToIterableLetsTheNextItemStart() throws Exception {
		try (ReactorBlockingHint.Registration ignored = ReactorBlockingHint.register()) {
			assertNextItemStartsWhileBlocked((mono) -> {
				Iterator<String> it = mono.flux().toIterable().iterator();
				return it.hasNext() ? it.next() : null;
			});
		}
	}

	@Test
	void withoutARegistrationTheNextItemWaitsForTheBlockedOne() throws Exception {
		ReactorBlockingHint.register().close();
		assertNextItemWaitsForTheBlockedOne();
	}

	@Test
	void registrationsNestAndSurviveAReset() {
		ReactorBlockingHint.Registration first = ReactorBlockingHint.register();
		ReactorBlockingHint.Registration second = ReactorBlockingHint.register();
		assertThat(ReactorBlockingHint.isActive()).isTrue();
		first.close();
		first.close();
		assertThat(ReactorBlockingHint.isActive()).isTrue();
		second.close();
		assertThat(ReactorBlockingHint.isActive()).isFalse();
		Schedulers.resetNonBlockingThreadPredicate(); // someone else drops every predicate
		try (ReactorBlockingHint.Registration third = ReactorBlockingHint.register()) {
			assertThat(ReactorBlockingHint.isActive()).isTrue();
		}
	}

	@Test
	void theHintNeverForbidsABlock() {
		try (ReactorBlockingHint.Registration ignored = ReactorBlockingHint.register()) {
			assertThat(Schedulers.isInNonBlockingThread()).isFalse();
			assertThat(Mono.delay(Duration.ofMillis(1)).map((tick) -> "ok").block()).isEqualTo("ok");
		}
	}

	@Test
	void webClientBlockLetsTheNextItemStart() throws Exception {
		CountDownLatch answer = new CountDownLatch(1);
		WebClient client = WebClient.create(startServer(answer));
		try (ReactorBlockingHint.Registration ignored = ReactorBlockingHint.register()) {
			client.get().uri("/fast").retrieve().bodyToMono(String.class).block(); // warm up the connection
			Workqueue wq = start();
			assertNextItemStartsWhileBlocked(wq,
					() -> assertThat(client.get().uri("/slow").retrieve().bodyToMono(String.class).block())
						.isEqualTo("done"),
					answer);
		}
	}

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class, CmwqBlockingHintsAutoConfiguration.class,
				WebClientAutoConfiguration.class))
		.withBean(WorkqueueSystem.class,
				() -> WorkqueueSystem.builder()
					.cpus(1)
					.detectorInterval(Duration.ofHours(1))
					.cpuIntensiveThreshold(Duration.ZERO)
					.build());

	@Test
	void theAutoConfigurationRegistersTheHintWhileTheContextRuns() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ReactorBlockingHint.Registration.class);
			assertThat(ReactorBlockingHint.isActive()).isTrue();
			CountDownLatch answer = new CountDownLatch(1);
			WebClient client = context.getBean(WebClient.Builder.class).baseUrl(startServer(answer)).build();
			Workqueue events = context.getBean(WorkqueueSystem.class).workqueue("events").orElseThrow();
			assertNextItemStartsWhileBlocked(events,
					() -> assertThat(client.get().uri("/slow").retrieve().bodyToMono(String.class).block())
						.isEqualTo("done"),
					answer);
		});
		assertThat(ReactorBlockingHint.isActive()).as("closed with the context").isFalse();
	}

	@Test
	void theAutoConfigurationBacksOffWhenHintsAreOff() {
		this.runner.withPropertyValues("cmwq.blocking-hints.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ReactorBlockingHint.Registration.class);
			assertThat(ReactorBlockingHint.isActive()).isFalse();
			Workqueue events = context.getBean(WorkqueueSystem.class).workqueue("events").orElseThrow();
			Sinks.One<String> result = Sinks.one();
			assertNextItemWaitsForTheBlockedOne(events, () -> result.asMono().block(),
					() -> result.tryEmitValue("done"));
		});
	}

	@Test
	void theAutoConfigurationBacksOffWithoutReactor() {
		this.runner.withClassLoader(new FilteredClassLoader("reactor.core")).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ReactorBlockingHint.Registration.class);
			assertThat(context).hasBean("blockingHintsRestClientCustomizer");
		});
	}

	@Test
	void theAutoConfigurationBacksOffWithoutAWorkqueueSystem() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CmwqBlockingHintsAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ReactorBlockingHint.Registration.class);
				assertThat(ReactorBlockingHint.isActive()).isFalse();
			});
	}

	private Workqueue start() {
		this.system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.detectorInterval(Duration.ofHours(1))
			.cpuIntensiveThreshold(Duration.ZERO)
			.build();
		return this.system.allocWorkqueue("reactive", Set.of(), 0);
	}

	/** Blocks, through {@code block}, on a Mono that completes only when the test releases it. */
	private void assertNextItemStartsWhileBlocked(Function<Mono<String>, String> block) throws Exception {
		Workqueue wq = (this.system != null) ? this.system.workqueue("reactive").orElseThrow() : start();
		Sinks.One<String> result = Sinks.one();
		CountDownLatch release = new CountDownLatch(1);
		Thread releaser = new Thread(() -> {
			Items.await(release);
			result.tryEmitValue("done");
		});
		releaser.start();
		assertNextItemStartsWhileBlocked(wq, () -> assertThat(block.apply(result.asMono())).isEqualTo("done"),
				release);
		releaser.join();
	}

	/**
	 * Queues an item that makes a blocking call once the next item is queued behind it on the same CPU, and checks
	 * that the next item starts before the call returns, woken by concurrency management.
	 */
	private static void assertNextItemStartsWhileBlocked(Workqueue wq, Runnable call, CountDownLatch unblock)
			throws Exception {
		Items.quietDetector(wq);
		long wakeups = wq.snapshot().stats().cmWakeups();
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch callDone = new CountDownLatch(1);
		wq.queueOn(0, new Work(() -> {
			Items.spinUntil(go); // counts as running, even if the detector looks, and gives no hint
			call.run();
			callDone.countDown();
		}));
		CountDownLatch next = new CountDownLatch(1);
		wq.queueOn(0, new Work(next::countDown));
		go.countDown();
		assertThat(next.await(PATIENCE_SECONDS, TimeUnit.SECONDS)).as("next item started").isTrue();
		assertThat(callDone.getCount()).as("the first item is still blocked").isOne();
		assertThat(wq.snapshot().stats().cmWakeups()).isEqualTo(wakeups + 1);
		unblock.countDown();
		assertThat(callDone.await(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
		assertThat(wq.snapshot().stats().failed()).isZero();
	}

	private void assertNextItemWaitsForTheBlockedOne() throws Exception {
		Workqueue wq = start();
		Sinks.One<String> result = Sinks.one();
		assertNextItemWaitsForTheBlockedOne(wq, () -> result.asMono().block(), () -> result.tryEmitValue("done"));
	}

	private static void assertNextItemWaitsForTheBlockedOne(Workqueue wq, Runnable call, Runnable unblock)
			throws Exception {
		Items.quietDetector(wq);
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		wq.queueOn(0, new Work(() -> {
			blocked.countDown();
			call.run();
			done.countDown();
		}));
		Items.await(blocked);
		CountDownLatch next = new CountDownLatch(1);
		wq.queueOn(0, new Work(next::countDown));
		assertThat(next.await(1, TimeUnit.SECONDS)).as("held behind the blocked item").isFalse();
		unblock.run();
		assertThat(done.await(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
		assertThat(next.await(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
	}

	private String startServer(CountDownLatch answer) throws IOException {
		this.serverThreads = Executors.newCachedThreadPool();
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.setExecutor(this.serverThreads);
		this.server.createContext("/", (exchange) -> {
			if (exchange.getRequestURI().getPath().equals("/slow")) {
				Items.await(answer);
			}
			byte[] body = "done".getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

}
