package dev.cmwq.autoconfigure;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring Boot application with the contract's YAML: the auto-configuration is found through its imports file and
 * the configuration binds as written.
 */
class CmwqApplicationTests {

	@Test
	void theContractsYamlConfiguresAnApplication() throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
			.web(WebApplicationType.NONE)
			.properties("spring.config.name=cmwq-contract")
			.run()) {
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			assertThat(system.workqueues()).extracting(Workqueue::name)
				.containsExactly("events", "events_highpri", "events_long", "events_unbound", "events_freezable",
						"thumbnails", "audit");
			Workqueue thumbnails = context.getBean("thumbnails", Workqueue.class);
			assertThat(thumbnails.flags()).isEqualTo(Set.of(WorkqueueFlag.CPU_INTENSIVE));
			assertThat(thumbnails.maxActive()).isEqualTo(4);
			assertThat(context.getBean("audit", Workqueue.class).isOrdered()).isTrue();
			assertThat(context.getBean(Renderer.class).render().get(30, TimeUnit.SECONDS)).startsWith("cmwq-");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Application {

		@Bean
		Renderer renderer() {
			return new Renderer();
		}

	}

	static class Renderer {

		@QueueWork("thumbnails")
		public CompletableFuture<String> render() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

}
