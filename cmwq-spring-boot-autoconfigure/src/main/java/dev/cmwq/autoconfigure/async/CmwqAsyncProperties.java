package dev.cmwq.autoconfigure.async;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code cmwq.async.*}: the workqueues as the application's executor.
 */
@ConfigurationProperties("cmwq.async")
public class CmwqAsyncProperties {

	/**
	 * The workqueue that becomes the application's task executor (bean 'applicationTaskExecutor', alias
	 * 'taskExecutor'): plain @Async methods, Spring MVC's async request processing and everything else that uses
	 * Spring Boot's task executor run there. Unset: Spring Boot's own executor. Under AOT, whether it is set is fixed
	 * at build time; which workqueue is read at start-up.
	 */
	private String defaultWorkqueue;

	public String getDefaultWorkqueue() {
		return this.defaultWorkqueue;
	}

	public void setDefaultWorkqueue(String defaultWorkqueue) {
		this.defaultWorkqueue = defaultWorkqueue;
	}

}
