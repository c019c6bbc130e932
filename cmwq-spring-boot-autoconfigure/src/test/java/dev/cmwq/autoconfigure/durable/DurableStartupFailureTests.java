package dev.cmwq.autoconfigure.durable;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;

import javax.sql.DataSource;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.cmwq.annotation.QueueWork;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.StartupFailures;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.spring.aop.InvalidQueueWorkMethodException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What cannot be durable fails start-up with a message that names the method or the property and says why: a
 * durable method that does not return {@code void}, arguments JSON cannot carry, a CPU, an ordered durable
 * workqueue, no {@code DataSource}, no Spring JDBC, no JSON mapper, an H2 file database that delays its writes, a
 * durable workqueue as the default {@code @Async} executor, and an {@code @Async} method on a durable workqueue.
 * Plain {@code execute(Runnable)} on a durable workqueue's bean is refused, saying why. A lazily created bean's method
 * is checked the same way at its first call, before anything is stored.
 */
class DurableStartupFailureTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class, DataSourceAutoConfiguration.class,
				JacksonAutoConfiguration.class, CmwqDurableAutoConfiguration.class,
				CmwqDurableUnavailableAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=2", "cmwq.workqueues.jobs.durable=true",
				"spring.datasource.url=jdbc:h2:mem:startup-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

	@Test
	void aDurableMethodThatDoesNotReturnVoidFailsNamingIt() {
		this.runner.withBean(ReturnsFuture.class)
			.run((context) -> assertMethodFailure(context, ReturnsFuture.class.getName() + ".send(String)",
					"returns java.util.concurrent.CompletableFuture<java.lang.Void>, but workqueue 'jobs' is durable, "
							+ "and a durable method must return void"));
	}

	@Test
	void aRunnableArgumentFailsNamingTheMethodAndTheParameter() {
		this.runner.withBean(TakesRunnable.class)
			.run((context) -> assertMethodFailure(context, TakesRunnable.class.getName() + ".later(String, Runnable)",
					"takes parameter 2 (java.lang.Runnable), which JSON cannot carry: a Runnable is behaviour"));
	}

	@Test
	void anObjectArgumentFails() {
		this.runner.withBean(TakesObject.class)
			.run((context) -> assertMethodFailure(context, TakesObject.class.getName() + ".store(Object)",
					"declared as Object"));
	}

	@Test
	void anInterfaceWithoutTypeInformationFails() {
		this.runner.withBean(TakesShapes.class)
			.run((context) -> assertMethodFailure(context, TakesShapes.class.getName() + ".draw(List)",
					"takes parameter 1 (java.util.List<" + Shape.class.getName() + ">)"
							+ ", which JSON cannot carry: it is abstract without @JsonTypeInfo"));
	}

	@Test
	void aClassJacksonCannotCreateFails() {
		this.runner.withBean(TakesNoCreator.class)
			.run((context) -> assertMethodFailure(context, TakesNoCreator.class.getName() + ".handle(NoCreator)",
					"Jackson cannot create it from a JSON object"));
	}

	@Test
	void aCpuFailsNamingTheMethod() {
		this.runner.withBean(PinnedToCpu.class)
			.run((context) -> assertMethodFailure(context, PinnedToCpu.class.getName() + ".poll()",
					"asks for cpu 1, but workqueue 'jobs' is durable"));
	}

	@Test
	void aLazilyCreatedBeansDurableMethodIsCheckedAtItsFirstCall() {
		this.runner.withBean(TakesRunnable.class, TakesRunnable::new, (definition) -> definition.setLazyInit(true))
			.run((context) -> {
				assertThat(context).hasNotFailed(); // not created, so not checked, at start-up
				TakesRunnable bean = context.getBean(TakesRunnable.class);
				assertThatExceptionOfType(InvalidQueueWorkMethodException.class).isThrownBy(() -> bean.later("mail", () -> {
				}))
					.withMessageContaining(
							"@QueueWork method " + TakesRunnable.class.getName() + ".later(String, Runnable)")
					.withMessageContaining("which JSON cannot carry");
				assertThat(new JdbcTemplate(context.getBean(DataSource.class))
					.queryForObject("select count(*) from cmwq_durable_item", Integer.class)).isZero();
			});
	}

	@Test
	void argumentsJsonCanCarryStartFine() {
		this.runner.withBean(TakesData.class).run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void anOrderedDurableWorkqueueFailsNamingTheProperty() {
		this.runner.withPropertyValues("cmwq.workqueues.jobs.ordered=true")
			.run((context) -> assertPropertyFailure(context, "cmwq.workqueues.jobs.durable",
					"is ordered and durable"));
	}

	@Test
	void aDurableWorkqueueWithoutADataSourceFailsNamingTheProperty() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class, JacksonAutoConfiguration.class,
					CmwqDurableAutoConfiguration.class, CmwqDurableUnavailableAutoConfiguration.class))
			.withPropertyValues("cmwq.cpus=2", "cmwq.workqueues.jobs.durable=true")
			.run((context) -> assertPropertyFailure(context, "cmwq.workqueues.jobs.durable",
					"store their items in the application's DataSource, and there is none"));
	}

	@Test
	void aDurableWorkqueueWithoutSpringJdbcFailsNamingTheProperty() {
		new ApplicationContextRunner().withClassLoader(new FilteredClassLoader(JdbcTemplate.class))
			.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class,
					CmwqDurableAutoConfiguration.class, CmwqDurableUnavailableAutoConfiguration.class))
			.withPropertyValues("cmwq.cpus=2", "cmwq.workqueues.jobs.durable=true")
			.run((context) -> assertPropertyFailure(context, "cmwq.workqueues.jobs.durable",
					"store their items with Spring JDBC, which is not on the class path"));
	}

	@Test
	void aDurableWorkqueueWithoutAJsonMapperFailsNamingTheProperty() {
		this.runner.withClassLoader(new FilteredClassLoader(JsonMapper.class))
			.run((context) -> assertPropertyFailure(context, "cmwq.workqueues.jobs.durable",
					"there is no JSON mapper"));
	}

	@Test
	void anH2FileDatabaseThatDelaysItsWritesFailsSayingHowToFixIt(@TempDir Path directory) {
		String url = "jdbc:h2:file:" + directory.resolve("app");
		this.runner.withPropertyValues("spring.datasource.url=" + url, "cmwq.durable.initialize-schema=always")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(StartupFailures.messages(context.getStartupFailure()))
					.anySatisfy((message) -> assertThat(message).contains("WRITE_DELAY")
						.contains("writes commits up to 500 ms after they return")
						.contains(";WRITE_DELAY=0"));
			});
		this.runner.withPropertyValues("spring.datasource.url=" + url + ";WRITE_DELAY=0",
				"cmwq.durable.initialize-schema=always")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aLeaseOfZeroFailsNamingTheProperty() {
		this.runner.withPropertyValues("cmwq.durable.lease=0s")
			.run((context) -> assertPropertyFailure(context, "cmwq.durable.lease", "use a positive duration"));
	}

	@Test
	void aDurableWorkqueueAsTheDefaultAsyncExecutorFailsNamingTheProperty() {
		this.runner.withPropertyValues("cmwq.async.default-workqueue=jobs")
			.run((context) -> assertPropertyFailure(context, "cmwq.async.default-workqueue", "is durable"));
	}

	@Test
	void executeOnADurableWorkqueueIsRefusedSayingWhy() {
		this.runner.run((context) -> {
			Workqueue jobs = context.getBean("jobs", Workqueue.class);
			assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> jobs.execute(() -> {
			}))
				.withMessageContaining("execute(Runnable) on workqueue 'jobs' is refused: the workqueue is durable")
				.withMessageContaining("a Runnable is code, which cannot be stored")
				.withMessageContaining("@QueueWork(\"jobs\")");
			assertThatExceptionOfType(RejectedExecutionException.class)
				.isThrownBy(() -> jobs.queue(new Work(() -> {
				})))
				.withMessageContaining("queue(Work) on workqueue 'jobs' is refused");
		});
	}

	@Test
	void anAsyncMethodOnADurableWorkqueueFailsNamingTheMethod() {
		this.runner.withUserConfiguration(AsyncConfiguration.class).withBean(AsyncOnJobs.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(StartupFailures.messages(context.getStartupFailure()))
				.anySatisfy((message) -> assertThat(message)
					.contains("@Async(\"jobs\") method " + AsyncOnJobs.class.getName() + ".work would run on "
							+ "workqueue 'jobs', which is durable")
					.contains("a Runnable, which cannot be stored"));
		});
	}

	private static void assertMethodFailure(AssertableApplicationContext context, String method, String detail) {
		assertThat(context).hasFailed();
		assertThat(StartupFailures.messages(context.getStartupFailure()))
			.anySatisfy((message) -> assertThat(message).contains("@QueueWork method " + method).contains(detail));
	}

	private static void assertPropertyFailure(AssertableApplicationContext context, String property, String reason) {
		assertThat(context).hasFailed();
		FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
		assertThat(analysis.getDescription()).contains("Property: " + property).contains(reason);
	}

	static class ReturnsFuture {

		@QueueWork("jobs")
		public java.util.concurrent.CompletableFuture<Void> send(String mail) {
			return java.util.concurrent.CompletableFuture.completedFuture(null);
		}

	}

	static class TakesRunnable {

		@QueueWork("jobs")
		public void later(String name, Runnable callback) {
		}

	}

	static class TakesObject {

		@QueueWork("jobs")
		public void store(Object anything) {
		}

	}

	interface Shape {

	}

	static class TakesShapes {

		@QueueWork("jobs")
		public void draw(List<Shape> shapes) {
		}

	}

	static final class NoCreator {

		private final int value;

		NoCreator(int value, String unit) {
			this.value = value;
		}

		public int getValue() {
			return this.value;
		}

	}

	static class TakesNoCreator {

		@QueueWork("jobs")
		public void handle(NoCreator value) {
		}

	}

	static class PinnedToCpu {

		@QueueWork(value = "jobs", cpu = 1)
		public void poll() {
		}

	}

	record Line(long productId, int quantity) {
	}

	@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
	interface Payment {

	}

	record Card(String number) implements Payment {
	}

	static class TakesData {

		@QueueWork("jobs")
		public void order(long id, String customer, List<Line> lines, Map<String, Integer> stock,
				Optional<String> note, int[] codes, Payment payment) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

	}

	static class AsyncOnJobs {

		@Async("jobs")
		public void work() {
		}

	}

}
