package dev.cmwq.autoconfigure.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @QueueWork} method that cannot be queued fails start-up with a message naming it.
 */
class QueueWorkStartupFailureTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=2");

	@Test
	void otherReturnTypeFailsNamingTheMethod() {
		this.runner.withBean(ReturnsString.class)
			.run((context) -> assertFailure(context, ReturnsString.class.getName() + ".render(long)",
					"returns java.lang.String"));
	}

	@Test
	void classLevelAnnotationWithAPublicMethodOfOtherReturnTypeFailsNamingTheMethod() {
		this.runner.withBean(ClassLevelWithGetter.class)
			.run((context) -> assertFailure(context, ClassLevelWithGetter.class.getName() + ".count()", "returns int"));
	}

	@Test
	void workqueueThatDoesNotExistFailsNamingTheMethodAndTheWorkqueue() {
		this.runner.withBean(UnknownQueue.class)
			.run((context) -> assertFailure(context, UnknownQueue.class.getName() + ".send(String)",
					"workqueue 'mailer'"));
	}

	@Test
	void declaringTheWorkqueueFixesIt() {
		this.runner.withBean(UnknownQueue.class)
			.withPropertyValues("cmwq.workqueues.mailer.max-active=2")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void cpuTheSystemDoesNotHaveFailsNamingTheMethod() {
		this.runner.withBean(MissingCpu.class)
			.run((context) -> assertFailure(context, MissingCpu.class.getName() + ".poll()", "cpu 2"));
	}

	@Test
	void cpuBelowMinusOneFailsNamingTheMethod() {
		this.runner.withBean(NegativeCpu.class)
			.run((context) -> assertFailure(context, NegativeCpu.class.getName() + ".poll()", "cpu -2"));
	}

	@Test
	void invalidDelayFailsNamingTheMethod() {
		this.runner.withBean(BadDelay.class)
			.run((context) -> assertFailure(context, BadDelay.class.getName() + ".later()", "'soon'"));
	}

	@Test
	void invalidKeyExpressionFailsNamingTheMethod() {
		this.runner.withBean(BadKey.class)
			.run((context) -> assertFailure(context, BadKey.class.getName() + ".reindex(long)", "'#id +'"));
	}

	private static void assertFailure(AssertableApplicationContext context, String method, String detail) {
		assertThat(context).hasFailed();
		List<String> messages = new ArrayList<>();
		for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
			messages.add(String.valueOf(cause.getMessage()));
		}
		assertThat(messages).anySatisfy((message) -> assertThat(message).contains("@QueueWork method " + method)
			.contains(detail));
		FailureAnalysis analysis = new InvalidQueueWorkMethodFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription()).contains("@QueueWork method " + method).contains(detail);
		assertThat(analysis.getAction()).contains(method);
	}

	static class ReturnsString {

		@QueueWork
		public String render(long id) {
			return "";
		}

	}

	@QueueWork
	static class ClassLevelWithGetter {

		public void work() {
		}

		public int count() {
			return 0;
		}

	}

	static class UnknownQueue {

		@QueueWork("mailer")
		public CompletableFuture<Void> send(String mail) {
			return CompletableFuture.completedFuture(null);
		}

	}

	static class MissingCpu {

		@QueueWork(value = "events", cpu = 2)
		public void poll() {
		}

	}

	static class NegativeCpu {

		@QueueWork(value = "events", cpu = -2)
		public void poll() {
		}

	}

	static class BadDelay {

		@QueueWork(value = "events", delay = "soon")
		public void later() {
		}

	}

	static class BadKey {

		@QueueWork(value = "events", key = "#id +")
		public void reindex(long id) {
		}

	}

}
