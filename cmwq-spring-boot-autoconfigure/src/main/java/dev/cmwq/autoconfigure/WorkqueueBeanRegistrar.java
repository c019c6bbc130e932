package dev.cmwq.autoconfigure;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
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
 * {@code cmwq.workqueues}, named after it, so that {@code @Qualifier("name")} and {@code @Async("name")} find it.
 * A bean definition the application already has under that name wins. The beans look their queue up in the
 * {@link WorkqueueSystem} bean, which creates the declared queues.
 */
class WorkqueueBeanRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

	private Environment environment;

	private BeanFactory beanFactory;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
		this.beanFactory = beanFactory;
	}

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		// first, so that a typo in a workqueue's properties fails here with its path, not as a missing workqueue
		new CmwqPropertiesValidator(this.environment).validateWritten();
		for (String name : workqueueNames()) {
			if (!registry.containsBeanDefinition(name)) {
				RootBeanDefinition definition = new RootBeanDefinition(Workqueue.class);
				definition.setTargetType(Workqueue.class);
				definition.setInstanceSupplier(() -> workqueue(name));
				registry.registerBeanDefinition(name, definition);
			}
		}
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

	private Workqueue workqueue(String name) {
		WorkqueueSystem system = this.beanFactory.getBean(WorkqueueSystem.class);
		Workqueue queue = system.workqueue(name)
			.orElseThrow(() -> new IllegalStateException("Workqueue '" + name + "' is configured but the "
					+ "WorkqueueSystem bean has no such workqueue; a WorkqueueSystem bean of the application must "
					+ "allocate the workqueues declared under cmwq.workqueues"));
		TaskDecorator decorator = TaskDecorators.forWorkqueue(name, this.beanFactory.getBeanProvider(TaskDecorator.class),
				this.beanFactory.getBeanProvider(WorkqueueTaskDecorator.class));
		return (decorator != null) ? new DecoratingWorkqueue(queue, decorator) : queue;
	}

}
