package dev.cmwq.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WorkqueueSystemCustomizer} beans adjust the builder after the properties, in order, and reach settings
 * that have no property.
 */
class WorkqueueSystemCustomizerTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=2", "cmwq.workqueues.jobs.max-active=4");

	@Test
	void customizersRunInOrderAfterThePropertiesAndTheirSettingsTakeEffect() {
		this.runner.withUserConfiguration(Customizers.class).run((context) -> {
			Customizers customizers = context.getBean(Customizers.class);
			assertThat(customizers.calls).containsExactly("first", "second");
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			assertThat(system.cpus()).isEqualTo(3); // the property said 2
			CompletableFuture<Thread> ran = new CompletableFuture<>();
			system.workqueue("jobs").orElseThrow().execute(() -> ran.complete(Thread.currentThread()));
			assertThat(customizers.threads).contains(ran.get(30, TimeUnit.SECONDS));
		});
	}

	@Test
	void aCustomizerReachesSettingsWithoutAProperty() {
		this.runner.withBean(WorkqueueSystemCustomizer.class, () -> (builder) -> builder.detectorInterval(Duration.ZERO))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(StartupFailures.messages(context.getStartupFailure()))
					.anySatisfy((message) -> assertThat(message).contains("detectorInterval"));
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class Customizers {

		final List<String> calls = new CopyOnWriteArrayList<>();

		final Set<Thread> threads = ConcurrentHashMap.newKeySet();

		@Bean
		@Order(2)
		WorkqueueSystemCustomizer second() {
			return (builder) -> {
				this.calls.add("second");
				builder.maydayInterval(Duration.ofMillis(50)).threadFactory((task) -> {
					Thread thread = new Thread(task);
					this.threads.add(thread);
					return thread;
				});
			};
		}

		@Bean
		@Order(1)
		WorkqueueSystemCustomizer first() {
			return (builder) -> {
				this.calls.add("first");
				builder.cpus(3);
			};
		}

	}

}
