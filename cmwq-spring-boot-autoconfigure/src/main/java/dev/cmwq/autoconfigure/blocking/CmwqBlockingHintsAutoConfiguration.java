package dev.cmwq.autoconfigure.blocking;

import dev.cmwq.spring.blocking.BlockingDataSourceBeanPostProcessor;
import dev.cmwq.spring.blocking.BlockingHttpInterceptor;
import dev.cmwq.spring.blocking.ReactorBlockingHint;
import javax.sql.DataSource;

import dev.cmwq.core.Blocking;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Role;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * Blocking hints: JDBC data sources, and the {@code RestClient} and {@code RestTemplate} that Spring Boot builds, mark
 * their waits as {@link Blocking#begin() blocking sections}, and Reactor's {@code block()} calls (so a
 * {@code WebClient} call ending in {@code block()}) announce theirs with {@link Blocking#expect()}, so that in a work
 * item concurrency management reacts at once. Off with {@code cmwq.blocking-hints.enabled=false}.
 */
@AutoConfiguration(after = CmwqAutoConfiguration.class)
@ConditionalOnBean(WorkqueueSystem.class)
@ConditionalOnBooleanProperty(name = "cmwq.blocking-hints.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CmwqBlockingHintsProperties.class)
public final class CmwqBlockingHintsAutoConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnClass(DataSource.class)
	static BlockingDataSourceBeanPostProcessor blockingDataSourceBeanPostProcessor() {
		return new BlockingDataSourceBeanPostProcessor();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ RestClient.class, RestClientCustomizer.class })
	static class RestClientConfiguration {

		@Bean
		RestClientCustomizer blockingHintsRestClientCustomizer() {
			return (builder) -> builder.requestInterceptor(new BlockingHttpInterceptor());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ RestTemplate.class, RestTemplateCustomizer.class })
	static class RestTemplateConfiguration {

		@Bean
		RestTemplateCustomizer blockingHintsRestTemplateCustomizer() {
			return (restTemplate) -> restTemplate.getInterceptors().add(new BlockingHttpInterceptor());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "reactor.core.scheduler.Schedulers")
	static class ReactorConfiguration {

		/**
		 * The Reactor hint, on from the context's start to its close. Not lazy: nothing injects it.
		 * @return the registration, closed with the context
		 */
		@Bean(destroyMethod = "close")
		@Lazy(false)
		ReactorBlockingHint.Registration blockingHintsReactorRegistration() {
			return ReactorBlockingHint.register();
		}

	}

}
