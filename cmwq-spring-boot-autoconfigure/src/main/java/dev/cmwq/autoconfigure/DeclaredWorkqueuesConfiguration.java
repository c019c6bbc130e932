package dev.cmwq.autoconfigure;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The declared workqueues: a {@code Workqueue} bean for each system workqueue and each workqueue under
 * {@code cmwq.workqueues} (see {@link WorkqueueBeanRegistrar}); the {@code WorkqueueSystem} allocates them.
 */
@Configuration(proxyBeanMethods = false)
@Import(WorkqueueBeanRegistrar.class)
class DeclaredWorkqueuesConfiguration {

}
