package dev.cmwq.autoconfigure.durable;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.durable.JdbcDurableQueues;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An application with a durable workqueue {@code work}, run as a child process by the crash and two-instance tests.
 * Each item records its run in the table {@code ran} (n, instance) of the same database.
 *
 * <p>Arguments: the database URL, then {@code load N} (call {@code process(0..N-1)}, print {@code returned n} as
 * each call returns and {@code loaded} at the end, then keep running), {@code serve} (run what it claims until
 * stopped), or {@code drain} (run until the table holds nothing for {@code work}, print {@code drained}, exit 0).
 * It prints {@code instance <id>} once started. Other Spring properties may follow as {@code --name=value};
 * {@code load.item-millis} is how long an item takes (20 ms).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(DurableLoadApplication.Work.class)
public class DurableLoadApplication {

	public static void main(String[] args) throws InterruptedException {
		String url = args[0];
		String mode = args[1];
		String[] properties = new String[args.length - ((mode.equals("load")) ? 3 : 2)];
		System.arraycopy(args, args.length - properties.length, properties, 0, properties.length);
		SpringApplication application = new SpringApplication(DurableLoadApplication.class);
		application.setDefaultProperties(Map.of("spring.datasource.url", url, "spring.datasource.username", "sa",
				"spring.main.web-application-type", "none", "logging.level.root", "WARN", "cmwq.cpus", "2",
				"cmwq.workqueues.work.durable", "true", "cmwq.workqueues.work.max-active", "2",
				"cmwq.durable.initialize-schema", "always", "cmwq.durable.lease", "1500ms",
				"cmwq.durable.poll-interval", "250ms"));
		ConfigurableApplicationContext context = application.run(properties);
		JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
		System.out.println("instance " + context.getBean(JdbcDurableQueues.class).instanceId());
		System.out.flush();
		switch (mode) {
			case "load" -> {
				Work work = context.getBean(Work.class);
				int items = Integer.parseInt(args[2]);
				for (long n = 0; n < items; n++) {
					work.process(n);
					System.out.println("returned " + n);
					System.out.flush();
				}
				System.out.println("loaded");
				System.out.flush();
			}
			case "drain" -> {
				WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
				while (jdbc.queryForObject("SELECT COUNT(*) FROM cmwq_durable_item WHERE queue_name = 'work'",
						Integer.class) > 0 || !system.awaitIdle(Duration.ofMillis(100))) {
					LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
				}
				System.out.println("drained");
				System.out.flush();
				context.close();
				System.exit(0);
			}
			case "serve" -> {
				// runs what it claims until the process is stopped
			}
			default -> throw new IllegalArgumentException("Unknown mode " + mode);
		}
		new CountDownLatch(1).await(); // the workers are daemon threads: keep the process until it is stopped
	}

	/** The durable item: records its run, then takes a while. */
	public static class Work {

		private final JdbcTemplate jdbc;

		private final JdbcDurableQueues queues;

		/** How long one item takes: it blocks, as writing a mail or calling a service would. */
		private final long millis;

		public Work(JdbcTemplate jdbc, JdbcDurableQueues queues, Environment environment) {
			this.jdbc = jdbc;
			this.queues = queues;
			this.millis = environment.getProperty("load.item-millis", Long.class, 20L);
			jdbc.execute("CREATE TABLE IF NOT EXISTS ran (n BIGINT NOT NULL, instance VARCHAR(128) NOT NULL)");
		}

		@QueueWork("work")
		public void process(long n) throws InterruptedException {
			this.jdbc.update("INSERT INTO ran (n, instance) VALUES (?, ?)", n, this.queues.instanceId());
			Thread.sleep(this.millis);
		}

	}

}
