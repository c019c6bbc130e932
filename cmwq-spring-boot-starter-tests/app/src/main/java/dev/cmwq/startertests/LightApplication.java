package dev.cmwq.startertests;

import java.util.concurrent.CompletableFuture;

import dev.cmwq.annotation.QueueWork;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * An application on the starter: a {@code @QueueWork} method, an {@code @Async} method on a named workqueue and
 * one on the default executor ({@code cmwq.async.default-workqueue}), each reporting the thread it ran on.
 */
@SpringBootApplication(proxyBeanMethods = false)
@EnableAsync
public class LightApplication {

	@Bean
	Jobs jobs() {
		return new Jobs();
	}

	public static void main(String[] args) {
		SpringApplication.run(LightApplication.class, args);
	}

	/** The application's asynchronous work. */
	public static class Jobs {

		@QueueWork("light")
		public void queued(CompletableFuture<String> thread) {
			thread.complete(Thread.currentThread().getName());
		}

		@Async("light")
		public CompletableFuture<String> onTheNamedWorkqueue() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@Async
		public CompletableFuture<String> onTheDefaultExecutor() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

}
