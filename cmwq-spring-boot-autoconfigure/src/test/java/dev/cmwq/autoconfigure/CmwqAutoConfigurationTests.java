package dev.cmwq.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.autoconfigure.async.CmwqAsyncAutoConfiguration;
import dev.cmwq.autoconfigure.async.CmwqAsyncProperties;
import dev.cmwq.spring.aop.QueueWorkBeanPostProcessor;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.Overflow;
import dev.cmwq.spring.SpringWorkqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueLimits;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CmwqAutoConfiguration}: the beans, their binding and backing off.
 */
class CmwqAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class));

	@Test
	void detectorIntervalBinds() {
		this.runner.withPropertyValues("cmwq.detector-interval=200us").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(CmwqProperties.class).getDetectorInterval()).isEqualTo(Duration.ofNanos(200_000));
		});
	}

	@Test
	void everyPropertyOfTheContractBinds() {
		this.runner
			.withPropertyValues("cmwq.enabled=true", "cmwq.cpus=3", "cmwq.idle-timeout=120s",
					"cmwq.cpu-intensive-threshold=20ms", "cmwq.watchdog-threshold=0", "cmwq.max-workers-per-pool=64",
					"cmwq.shutdown-timeout=5s", "cmwq.system-workqueues=false",
					"cmwq.workqueues.thumbnails.flags=cpu-intensive,highpri", "cmwq.workqueues.thumbnails.max-active=4",
					"cmwq.workqueues.audit.ordered=true", "cmwq.workqueues.audit.flags[0]=freezable",
					"cmwq.workqueues.search-index.flags=unbound")
			.run((context) -> {
				CmwqProperties properties = context.getBean(CmwqProperties.class);
				assertThat(properties.isEnabled()).isTrue();
				assertThat(properties.getCpus()).isEqualTo(3);
				assertThat(properties.getIdleTimeout()).isEqualTo(Duration.ofSeconds(120));
				assertThat(properties.getCpuIntensiveThreshold()).isEqualTo(Duration.ofMillis(20));
				assertThat(properties.getWatchdogThreshold()).isZero();
				assertThat(properties.getMaxWorkersPerPool()).isEqualTo(64);
				assertThat(properties.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
				assertThat(properties.isSystemWorkqueues()).isFalse();
				assertThat(properties.getWorkqueues()).containsOnlyKeys("thumbnails", "audit", "search-index");

				WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
				assertThat(system.cpus()).isEqualTo(3);
				assertThat(system.workqueues()).extracting(Workqueue::name)
					.containsExactly("thumbnails", "audit", "search-index");
				Workqueue thumbnails = system.workqueue("thumbnails").orElseThrow();
				assertThat(thumbnails.flags()).isEqualTo(EnumSet.of(WorkqueueFlag.CPU_INTENSIVE, WorkqueueFlag.HIGHPRI));
				assertThat(thumbnails.maxActive()).isEqualTo(4);
				Workqueue audit = system.workqueue("audit").orElseThrow();
				assertThat(audit.isOrdered()).isTrue();
				assertThat(audit.flags()).contains(WorkqueueFlag.FREEZABLE, WorkqueueFlag.UNBOUND);
				assertThat(audit.maxActive()).isEqualTo(1);
				assertThat(system.workqueue("search-index").orElseThrow().maxActive())
					.isEqualTo(WorkqueueSystem.DEFAULT_MAX_ACTIVE);
			});
	}

	@Test
	void capacityAndOverflowApplyToTheirWorkqueueBeforeItIsUsed() {
		this.runner.withInitializer(yaml("""
				cmwq:
				  workqueues:
				    mailer:
				      queue-capacity: 10000
				      overflow: block
				      overflow-timeout: 2s
				    audit:
				      ordered: true
				      queue-capacity: 5
				    reports:
				      queue-capacity: 20
				      overflow: caller-runs
				    plain: {}
				""")).run((context) -> {
			assertThat(context).hasNotFailed();
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			Workqueue mailer = system.workqueue("mailer").orElseThrow();
			assertThat(mailer.capacity()).isEqualTo(10000);
			assertThat(mailer.overflow()).isEqualTo(Overflow.BLOCK);
			assertThat(mailer.overflowTimeout()).isEqualTo(Duration.ofSeconds(2));
			Workqueue audit = system.workqueue("audit").orElseThrow();
			assertThat(audit.capacity()).isEqualTo(5);
			assertThat(audit.overflow()).isEqualTo(Overflow.REJECT);
			assertThat(audit.overflowTimeout()).isEqualTo(WorkqueueLimits.DEFAULT_OVERFLOW_TIMEOUT);
			assertThat(system.workqueue("reports").orElseThrow().overflow()).isEqualTo(Overflow.CALLER_RUNS);
			assertThat(system.workqueue("plain").orElseThrow().capacity()).isEqualTo(Workqueue.UNBOUNDED);
		});
	}

	@Test
	void yamlStyleFlagNamesAndConstantNamesBothBind() {
		this.runner.withPropertyValues("cmwq.workqueues.a.flags=mem-reclaim,CPU_INTENSIVE,Unbound")
			.run((context) -> assertThat(context.getBean(WorkqueueSystem.class).workqueue("a").orElseThrow().flags())
				.isEqualTo(Set.of(WorkqueueFlag.MEM_RECLAIM, WorkqueueFlag.CPU_INTENSIVE, WorkqueueFlag.UNBOUND)));
	}

	@Test
	void defaultsAreTheContractsDefaults() {
		this.runner.run((context) -> {
			CmwqProperties properties = context.getBean(CmwqProperties.class);
			assertThat(properties.getCpus()).isZero();
			assertThat(properties.getIdleTimeout()).isEqualTo(Duration.ofSeconds(300));
			assertThat(properties.getCpuIntensiveThreshold()).isEqualTo(Duration.ofMillis(10));
			assertThat(properties.getWatchdogThreshold()).isEqualTo(Duration.ofSeconds(30));
			assertThat(properties.getMaxWorkersPerPool()).isEqualTo(512);
			assertThat(properties.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
			assertThat(properties.isSystemWorkqueues()).isTrue();
			assertThat(context.getBean(WorkqueueSystem.class).cpus())
				.isEqualTo(Runtime.getRuntime().availableProcessors());
		});
	}

	@Test
	void aWorkqueueWrittenWithoutPropertiesInYamlIsDeclaredWithTheDefaults() {
		this.runner.withInitializer(yaml("""
				cmwq:
				  workqueues:
				    braces: {}
				    empty:
				    mailer:
				      max-active: 2
				""")).run((context) -> {
			assertThat(context).hasNotFailed();
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			for (String name : List.of("braces", "empty")) {
				Workqueue queue = system.workqueue(name).orElseThrow();
				assertThat(queue.maxActive()).isEqualTo(WorkqueueSystem.DEFAULT_MAX_ACTIVE);
				assertThat(queue.flags()).isEmpty();
				assertThat(queue.isOrdered()).isFalse();
				assertThat(context.getBean(name)).isInstanceOfSatisfying(SpringWorkqueue.class,
						(bean) -> assertThat(bean.delegate()).isSameAs(queue));
			}
			assertThat(system.workqueue("mailer").orElseThrow().maxActive()).isEqualTo(2);
		});
	}

	@Test
	void eachSystemAndDeclaredWorkqueueIsABeanNamedAfterIt() {
		this.runner.withPropertyValues("cmwq.workqueues.thumbnails.max-active=4", "cmwq.workqueues.audit.ordered=true")
			.run((context) -> {
				assertThat(context.getBeansOfType(Workqueue.class)).containsOnlyKeys("events", "events_highpri",
						"events_long", "events_unbound", "events_freezable", "thumbnails", "audit");
				WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
				context.getBeansOfType(Workqueue.class)
					.forEach((name, queue) -> assertThat(queue).isInstanceOfSatisfying(SpringWorkqueue.class,
							(bean) -> assertThat(bean.delegate()).isSameAs(system.workqueue(name).orElseThrow())));
			});
	}

	@Test
	void withoutSystemWorkqueuesOnlyDeclaredOnesAreBeans() {
		this.runner.withPropertyValues("cmwq.system-workqueues=false", "cmwq.workqueues.mailer.max-active=2")
			.run((context) -> assertThat(context.getBeansOfType(Workqueue.class)).containsOnlyKeys("mailer"));
	}

	@Test
	void backsOffEntirelyWhenDisabled() {
		this.runner.withPropertyValues("cmwq.enabled=false", "cmwq.workqueues.thumbnails.max-active=4")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(WorkqueueSystem.class);
				assertThat(context).doesNotHaveBean(Workqueue.class);
				assertThat(context).doesNotHaveBean(QueueWorkBeanPostProcessor.class);
				assertThat(context).doesNotHaveBean(WorkErrorHandler.class);
				assertThat(context).doesNotHaveBean(CmwqProperties.class);
			});
	}

	@Test
	void theAsyncAutoConfigurationReadsCmwqEnabledAsTheOthersDo() {
		// it runs before Spring Boot's task execution, so before the WorkqueueSystem exists: it checks the property
		ApplicationContextRunner async = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CmwqAsyncAutoConfiguration.class));
		async.withPropertyValues("cmwq.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CmwqAsyncProperties.class));
		async.withPropertyValues("cmwq.enabled=yes").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(InvalidCmwqPropertyException.class)
				.rootCause()
				.hasMessageContaining("cmwq.enabled");
		});
	}

	@Test
	void usersCanReplaceTheBeans() {
		this.runner.withUserConfiguration(CustomBeans.class).run((context) -> {
			assertThat(context.getBean(WorkqueueSystem.class)).isSameAs(context.getBean("customSystem"));
			assertThat(context.getBean(WorkErrorHandler.class)).isSameAs(context.getBean("customErrorHandler"));
			assertThat(context.getBean("events", Workqueue.class)).isInstanceOfSatisfying(SpringWorkqueue.class,
					(bean) -> assertThat(bean.delegate())
						.isSameAs(context.getBean(WorkqueueSystem.class).workqueue("events").orElseThrow()));
		});
	}

	@Test
	void aBeanTheApplicationDefinesUnderAWorkqueuesNameWins() {
		this.runner.withUserConfiguration(OwnEventsBean.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean("events")).isEqualTo("not a workqueue");
		});
	}

	/** Adds a YAML document to the environment, as if it were the application's application.yml. */
	static ApplicationContextInitializer<ConfigurableApplicationContext> yaml(String yaml) {
		return (context) -> {
			try {
				new YamlPropertySourceLoader()
					.load("application.yml", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)))
					.forEach(context.getEnvironment().getPropertySources()::addFirst);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		};
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomBeans {

		@Bean(destroyMethod = "close")
		WorkqueueSystem customSystem() {
			return WorkqueueSystem.builder().cpus(1).build();
		}

		@Bean
		WorkErrorHandler customErrorHandler() {
			return (queue, method, args, failure) -> {
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnEventsBean {

		@Bean
		String events() {
			return "not a workqueue";
		}

	}

}
