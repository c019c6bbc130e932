package dev.cmwq.autoconfigure;

import dev.cmwq.spring.SpringWorkqueue;
import dev.cmwq.spring.TaskDecorators;
import dev.cmwq.spring.WorkqueueTaskDecorator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers a {@link Workqueue} bean for each system workqueue and each workqueue declared under
 * {@code cmwq.workqueues}, named after it, so that {@code @Qualifier("name")}, {@code @Async("name")} and
 * {@code getBean("name")} find it. A bean definition the application already has under that name wins.
 *
 * <p>The beans are not default candidates for injection by type: an {@code Executor} or {@code TaskExecutor}
 * injection point without a qualifier resolves as it would without the starter, and Spring Boot's
 * {@code @ConditionalOnMissingBean} ignores them (so its {@code applicationTaskExecutor} stays). Each definition
 * names a static factory method and the queue's name, not an instance supplier, so that ahead-of-time processing
 * can generate code for it; the set of workqueue beans is then fixed at build time.
 */
class WorkqueueBeanRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

	private Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		// first, so that a typo in a workqueue's properties fails here with its path, not as a missing workqueue
		new CmwqPropertiesValidator(this.environment).validateWritten();
		for (String name : workqueueNames()) {
			if (!registry.containsBeanDefinition(name)) {
				registry.registerBeanDefinition(name, definition(name));
			}
		}
	}

	private static RootBeanDefinition definition(String name) {
		RootBeanDefinition definition = new RootBeanDefinition(WorkqueueBeanRegistrar.class);
		definition.setFactoryMethodName("workqueue");
		definition.setAutowireMode(AutowireCapableBeanFactory.AUTOWIRE_CONSTRUCTOR);
		definition.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
		definition.setTargetType(Workqueue.class);
		definition.setDefaultCandidate(false);
		return definition;
	}

	/** The system workqueues, if on, then the declared ones; only their names, so no value can fail here. */
	private Set<String> workqueueNames() {
		Binder binder = Binder.get(this.environment);
		Set<String> names = new LinkedHashSet<>();
		if (binder.bind("cmwq.system-workqueues", Boolean.class).orElse(true)) {
			names.addAll(WorkqueueSystem.SYSTEM_WORKQUEUES);
		}
		names.addAll(binder.bind("cmwq.workqueues", Bindable.mapOf(String.class, Object.class))
			.orElse(Map.of())
			.keySet());
		return names;
	}

	/**
	 * The factory method of each workqueue bean: the system's queue of that name, behind the application's task
	 * decorators and the workqueue task decorators if there are any.
	 * @param name the queue's name
	 * @param system the system, which creates the declared queues
	 * @param taskDecorators the application's task decorators
	 * @param workqueueDecorators the workqueue task decorators
	 * @return the bean
	 */
	static Workqueue workqueue(String name, WorkqueueSystem system, ObjectProvider<TaskDecorator> taskDecorators,
			ObjectProvider<WorkqueueTaskDecorator> workqueueDecorators) {
		Workqueue queue = system.workqueue(name)
			.orElseThrow(() -> new IllegalStateException("Workqueue '" + name + "' is configured but the "
					+ "WorkqueueSystem bean has no such workqueue; a WorkqueueSystem bean of the application must "
					+ "allocate the workqueues declared under cmwq.workqueues"));
		TaskDecorator decorator = TaskDecorators.forWorkqueue(name, taskDecorators, workqueueDecorators);
		return new SpringWorkqueue(queue, decorator);
	}

}
