package dev.cmwq.spring.durable;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.aop.DurableQueues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.TaskDecorator;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Durable workqueues on a JDBC {@code DataSource}: the {@link DurableQueues} that {@code @QueueWork} hands calls on
 * durable workqueues to. See the package overview for the life of an item and the guarantees.
 *
 * <p>It checks, before it is used, that the table exists in its version, that an H2 file database writes commits
 * when they return, and that each durable workqueue exists and is not ordered. It starts claiming when it starts
 * (a phase before the web server, after the workqueue system), and at stop (after the web server, before the
 * workqueues drain) it stops claiming and releases the items it has not started.
 */
public class JdbcDurableQueues implements DurableQueues, InitializingBean, SmartLifecycle, DisposableBean {

	/** After the web server's stop (DEFAULT_PHASE - 2048), before the workqueues drain (DEFAULT_PHASE - 4096). */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

	private static final Logger logger = LoggerFactory.getLogger(JdbcDurableQueues.class);

	/** The item whose method the current thread is about to call: that call proceeds instead of being stored. */
	private static final ThreadLocal<DurableItem> CALLING = new ThreadLocal<>();

	private final DataSource dataSource;

	private final WorkqueueSystem system;

	private final ListableBeanFactory beanFactory;

	private final DurableArguments arguments;

	private final Set<String> names;

	private final DurableSettings settings;

	private Supplier<WorkErrorHandler> errorHandler = () -> null;

	private Function<String, TaskDecorator> taskDecorator = (workqueue) -> null;

	private Clock clock = Clock.systemUTC();

	private String instanceId = defaultInstanceId();

	/** I (after {@link #afterPropertiesSet}): the table. */
	private DurableStore store;

	/** I (after {@link #afterPropertiesSet}): each durable workqueue, by name. */
	private final Map<String, LocalQueue> queues = new LinkedHashMap<>();

	/** Bean names of the singletons of each class, to find the bean of a call's target. */
	private final Map<Class<?>, String[]> beanNames = new ConcurrentHashMap<>();

	private final Map<Method, String> signatures = new ConcurrentHashMap<>();

	/** Each workqueue's task decorator, resolved at its first item. */
	private final Map<String, Optional<TaskDecorator>> decorators = new ConcurrentHashMap<>();

	/** Rows whose run ended but whose removal failed; removed again by the scheduler (renewed meanwhile). */
	private final Set<Long> toDelete = ConcurrentHashMap.newKeySet();

	/** Rows this instance gave up on but could not release; released by the scheduler. */
	private final Set<Long> toRelease = ConcurrentHashMap.newKeySet();

	/** Held while claiming, and while shutdown releases: so nothing is claimed after the release. */
	private final ReentrantLock claimLock = new ReentrantLock();

	private final AtomicBoolean claimRequested = new AtomicBoolean();

	/** Set once shutdown begins: nothing more is claimed, calls are stored for any instance, retries go too. */
	private volatile boolean stopping;

	private volatile boolean running;

	private volatile ScheduledExecutorService scheduler;

	/**
	 * Creates the durable workqueues.
	 * @param dataSource where the items are stored
	 * @param system the workqueue system whose workqueues run them
	 * @param beanFactory where the beans whose methods run them are
	 * @param arguments how arguments are stored
	 * @param durableWorkqueues the names of the durable workqueues
	 * @param settings the lease, polling and retries
	 */
	public JdbcDurableQueues(DataSource dataSource, WorkqueueSystem system, ListableBeanFactory beanFactory,
			DurableArguments arguments, Set<String> durableWorkqueues, DurableSettings settings) {
		this.dataSource = dataSource;
		this.system = system;
		this.beanFactory = beanFactory;
		this.arguments = arguments;
		this.names = Collections.unmodifiableSet(new LinkedHashSet<>(durableWorkqueues));
		this.settings = settings;
	}

	/**
	 * Sets what is told when an item becomes a dead letter.
	 * @param errorHandler gives the handler, or null to log only
	 */
	public void setErrorHandler(Supplier<WorkErrorHandler> errorHandler) {
		this.errorHandler = errorHandler;
	}

	/**
	 * Sets the decorator of each workqueue's items, as for any {@code @QueueWork} item.
	 * @param taskDecorator gives a workqueue's decorator, or null
	 */
	public void setTaskDecorator(Function<String, TaskDecorator> taskDecorator) {
		this.taskDecorator = taskDecorator;
	}

	/**
	 * Sets the clock of leases, delays and retries (for tests).
	 * @param clock the clock
	 */
	public void setClock(Clock clock) {
		this.clock = clock;
	}

	/**
	 * Sets the name this instance claims items under; by default the host, the process id and a random suffix, so
	 * that a restarted process is a new instance. Two instances must never share a name.
	 * @param instanceId the name, at most 128 characters
	 */
	public void setInstanceId(String instanceId) {
		if (instanceId == null || instanceId.isBlank() || instanceId.length() > 128) {
			throw new IllegalArgumentException("An instance id is 1 to 128 characters, not '" + instanceId + "'");
		}
		this.instanceId = instanceId;
	}

	/**
	 * The name this instance claims items under.
	 * @return the instance id
	 */
	public String instanceId() {
		return this.instanceId;
	}

	@Override
	public void afterPropertiesSet() {
		this.store = new DurableStore(this.dataSource);
		this.store.checkSchema();
		String risk = this.store.commitLossRisk();
		if (risk != null) {
			throw new IllegalStateException("Durable workqueues " + this.names + " cannot keep their promise: " + risk
					+ "; add ;WRITE_DELAY=0 to the database URL (such as jdbc:h2:file:./data/app;WRITE_DELAY=0)");
		}
		if (this.store.isInMemory()) {
			logger.warn("Durable workqueues {} store their items in an in-memory H2 database: they survive no "
					+ "restart; use a file or server database", this.names);
		}
		for (String name : this.names) {
			Workqueue workqueue = this.system.workqueue(name)
				.orElseThrow(() -> new IllegalStateException("Durable workqueue '" + name + "' does not exist"));
			if (workqueue.isOrdered()) {
				throw new IllegalStateException(orderedProblem(name));
			}
			this.queues.put(name, new LocalQueue(name, workqueue));
		}
	}

	/**
	 * Why an ordered workqueue cannot be durable.
	 * @param name the workqueue's name
	 * @return the explanation
	 */
	public static String orderedProblem(String name) {
		return "Workqueue '" + name + "' is ordered and durable: any instance may claim a stored item, so items "
				+ "would not run one at a time in order across instances; make it not ordered (and code its items to "
				+ "allow any order), or not durable";
	}

	@Override
	public boolean isDurable(String workqueue) {
		return this.names.contains(workqueue);
	}

	@Override
	public String check(Method method, String workqueue, int cpu) {
		String durable = "workqueue '" + workqueue + "' is durable";
		if (method.getReturnType() != void.class) {
			return "returns " + method.getGenericReturnType().getTypeName() + ", but " + durable + ", and a durable "
					+ "method must return void: its item may run after a restart or on another instance, where no "
					+ "caller waits for a result";
		}
		if (cpu >= 0) {
			return "asks for cpu " + cpu + ", but " + durable + ", and a stored item runs on whichever instance "
					+ "claims it, so it cannot be pinned to a CPU; remove cpu";
		}
		String problem = this.arguments.check(method);
		return (problem != null) ? problem + "; " + durable + ", and a durable call's arguments are stored as JSON"
				: null;
	}

	@Override
	public Object queue(Call call) throws Throwable {
		DurableItem calling = CALLING.get();
		if (calling != null && calling.method.equals(signature(call.method()))) {
			CALLING.remove();
			return call.invocation().proceed();
		}
		store(call);
		return null;
	}

	// ---- storing a call

	private void store(Call call) {
		LocalQueue queue = this.queues.get(call.workqueue());
		if (queue == null) {
			throw new IllegalStateException("Durable workqueue '" + call.workqueue() + "' is not started");
		}
		String bean = beanName(call.invocation().getThis());
		String method = signature(call.method());
		String stored = this.arguments.write(call.method(), call.invocation().getArguments());
		Object key = (call.key() != null) ? call.key().get() : null;
		Instant now = this.clock.instant();
		Instant notBefore = (call.delay() != null) ? now.plus(call.delay()) : now;
		boolean claim = !this.stopping && queue.unstarted() < this.settings.maxClaimed();
		DurableStore.NewItem row = new DurableStore.NewItem(queue.name, bean, method, stored,
				(key != null) ? abbreviate(String.valueOf(key), DurableStore.MAX_KEY) : null,
				(key != null) ? digest(bean, method, String.valueOf(key)) : null, notBefore,
				claim ? this.instanceId : null, claim ? now.plus(this.settings.lease()) : null, now);
		boolean inTransaction = inCallerTransaction();
		Long id = inTransaction ? this.store.insert(row) : this.store.insertAlone(row);
		if (id == null) {
			queue.happened(DurableEvent.COALESCED);
			return;
		}
		DurableItem item = claim ? new DurableItem(this, queue, id, bean, method, stored, 0, notBefore) : null;
		if (!inTransaction) {
			stored(queue, item);
			return;
		}
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

			@Override
			public void afterCommit() {
				stored(queue, item);
			}

		});
	}

	/** A call is stored (committed): queue it here if this instance claimed it, else ask for a claim. */
	private void stored(LocalQueue queue, DurableItem item) {
		queue.happened(DurableEvent.STORED);
		if (item == null) {
			queue.backlogInTable = true;
			requestClaim();
		}
		else if (this.stopping) {
			giveBack(queue, List.of(item.id));
		}
		else if (queue.hold(item)) {
			enqueue(item);
		}
	}

	/** Whether the calling thread is in a transaction that holds a connection of this DataSource. */
	private boolean inCallerTransaction() {
		return TransactionSynchronizationManager.isActualTransactionActive()
				&& TransactionSynchronizationManager.isSynchronizationActive()
				&& TransactionSynchronizationManager.getResource(this.dataSource) != null;
	}

	private String beanName(Object target) {
		if (target == null) {
			throw new IllegalStateException("A durable @QueueWork call needs a bean to call again, and has no target");
		}
		Class<?> type = ClassUtils.getUserClass(target);
		for (String name : this.beanNames.computeIfAbsent(type,
				(key) -> this.beanFactory.getBeanNamesForType(key, false, false))) {
			Object bean = this.beanFactory.getBean(name);
			if (bean == target || AopProxyUtils.getSingletonTarget(bean) == target) {
				return name;
			}
		}
		throw new IllegalStateException("A durable @QueueWork call on " + type.getName() + " must be made on a "
				+ "singleton bean of the application context, so that its stored item can find it again");
	}

	private String signature(Method method) {
		return this.signatures.computeIfAbsent(method, (key) -> {
			StringBuilder signature = new StringBuilder(key.getName()).append('(');
			Class<?>[] types = key.getParameterTypes();
			for (int i = 0; i < types.length; i++) {
				signature.append((i > 0) ? "," : "").append(types[i].getTypeName());
			}
			return signature.append(')').toString();
		});
	}

	/** The pending key: a digest of the bean, the method and the key's text, unique per workqueue. */
	private static String digest(String bean, String method, String key) {
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			byte[] hash = sha.digest((bean + '\0' + method + '\0' + key).getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(hash);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java platform has SHA-256", ex);
		}
	}

	// ---- holding and running items

	/** Queues a held item on its workqueue, after its not-before time; a refused item is released. */
	private void enqueue(DurableItem item) {
		LocalQueue queue = item.queue;
		Duration wait = Duration.between(this.clock.instant(), item.notBefore);
		try {
			Runnable task = this.decorators
				.computeIfAbsent(queue.name, (name) -> Optional.ofNullable(this.taskDecorator.apply(name)))
				.map((decorator) -> decorator.decorate(item))
				.orElse(item);
			if (wait.isNegative() || wait.isZero()) {
				Work work = new Work(task);
				item.work = work;
				queue.workqueue.queue(work);
			}
			else {
				DelayedWork work = new DelayedWork(task);
				item.work = work;
				queue.workqueue.queueDelayed(work, wait);
			}
		}
		catch (RuntimeException ex) { // refused (shutting down), or a task decorator failed: held, not queued
			if (ex instanceof RejectedExecutionException) {
				logger.debug("Workqueue '{}' refused {}; its claim is released for another instance", queue.name, item,
						ex);
			}
			else {
				logger.warn("{} could not be queued on workqueue '{}'; its claim is released", item, queue.name, ex);
			}
			if (queue.release(item)) {
				giveBack(queue, List.of(item.id));
			}
		}
	}

	/** Runs a held item: the body of its work item. */
	void run(DurableItem item) {
		LocalQueue queue = item.queue;
		if (!queue.start(item)) {
			return; // released at shutdown
		}
		if (queue.backlogInTable && queue.unstarted() <= this.settings.maxClaimed() / 2) {
			requestClaim();
		}
		boolean ours;
		try {
			ours = this.store.start(item.id, this.instanceId, leaseUntil());
		}
		catch (DataAccessException ex) {
			logger.warn("Could not record the start of {}; trying again in {}", item, this.settings.pollInterval(),
					ex);
			item.notBefore = this.clock.instant().plus(this.settings.pollInterval());
			queue.requeue(item);
			enqueue(item);
			return;
		}
		if (!ours) {
			queue.happened(DurableEvent.LOST);
			queue.finish(item);
			return;
		}
		item.attempts++;
		Method method = null;
		Object[] callArguments = new Object[0];
		Throwable failure;
		try {
			Object bean = this.beanFactory.getBean(item.bean);
			method = method(bean, item.method);
			callArguments = this.arguments.read(method, item.arguments);
			failure = call(item, bean, method, callArguments);
		}
		catch (RuntimeException ex) {
			failure = ex; // the call cannot be made here: counted as a failed attempt like any other
		}
		if (failure == null) {
			ended(item);
			return;
		}
		failed(item, method, callArguments, failure);
		Work current = Work.currentWork();
		if (current != null) {
			current.failedHandled(failure); // counted failed on its workqueue; already handled: retried or dead
		}
	}

	/** Calls the method through the bean, so that its other advice applies; {@link #queue} lets the call through. */
	private static Throwable call(DurableItem item, Object bean, Method method, Object[] arguments) {
		Method invocable = method.getDeclaringClass().isInstance(bean) ? method
				: ReflectionUtils.findMethod(bean.getClass(), method.getName(), method.getParameterTypes());
		if (invocable == null) {
			return new IllegalStateException("Bean " + item.bean + " has no method " + item.method);
		}
		ReflectionUtils.makeAccessible(invocable);
		CALLING.set(item);
		try {
			invocable.invoke(bean, arguments);
			return null;
		}
		catch (InvocationTargetException ex) {
			Throwable failure = ex.getTargetException();
			return (failure instanceof UndeclaredThrowableException undeclared && undeclared.getCause() != null)
					? undeclared.getCause() : failure;
		}
		catch (IllegalAccessException ex) {
			return ex;
		}
		finally {
			CALLING.remove();
		}
	}

	/** The method a signature names on a bean's class. */
	private Method method(Object bean, String signature) {
		Class<?> type = AopProxyUtils.ultimateTargetClass(bean);
		int open = signature.indexOf('(');
		String name = signature.substring(0, open);
		String list = signature.substring(open + 1, signature.length() - 1);
		List<Class<?>> types = new ArrayList<>();
		if (!list.isEmpty()) {
			for (String typeName : list.split(",")) {
				types.add(ClassUtils.resolveClassName(typeName, type.getClassLoader()));
			}
		}
		Method method = ReflectionUtils.findMethod(type, name, types.toArray(Class<?>[]::new));
		if (method == null) {
			throw new IllegalStateException("The stored item's method " + signature + " is not on " + type.getName()
					+ " any more");
		}
		return method;
	}

	/** The run ended: the row goes. */
	private void ended(DurableItem item) {
		LocalQueue queue = item.queue;
		try {
			if (!this.store.delete(item.id, this.instanceId)) {
				queue.happened(DurableEvent.LOST); // another instance took it over meanwhile, and runs it again
			}
		}
		catch (DataAccessException ex) {
			logger.warn("Could not remove {} after it ran; trying again", item, ex);
			this.toDelete.add(item.id);
		}
		queue.happened(DurableEvent.COMPLETED);
		queue.finish(item);
	}

	/** The run failed: try again later, here (or anywhere once shutting down), or make it a dead letter. */
	private void failed(DurableItem item, Method method, Object[] callArguments, Throwable failure) {
		LocalQueue queue = item.queue;
		String error = abbreviate(failure.toString(), DurableStore.MAX_ERROR);
		boolean dead = item.attempts >= this.settings.maxAttempts();
		Duration delay = this.settings.retryDelay(item.attempts);
		Instant notBefore = this.clock.instant().plus(delay);
		boolean keep = !dead && !this.stopping;
		boolean held;
		try {
			held = dead ? this.store.dead(item.id, this.instanceId, error)
					: this.store.retry(item.id, this.instanceId, notBefore, error, keep);
		}
		catch (DataAccessException ex) {
			logger.warn("Could not record the failure of {}; its claim is released, so it runs again", item, ex);
			this.toRelease.add(item.id);
			queue.finish(item);
			return;
		}
		if (!held) {
			queue.happened(DurableEvent.LOST);
			queue.finish(item);
			return;
		}
		if (dead) {
			queue.happened(DurableEvent.DEAD);
			queue.finish(item);
			deadLetter(item, method, callArguments, failure);
			return;
		}
		queue.happened(DurableEvent.RETRIED);
		logger.warn("{} failed (attempt {} of {}); it runs again in {} ms{}", item, item.attempts,
				this.settings.maxAttempts(), delay.toMillis(), keep ? "" : ", on any instance", failure);
		if (keep) {
			item.notBefore = notBefore;
			queue.requeue(item);
			enqueue(item);
		}
		else {
			queue.finish(item);
		}
	}

	private void deadLetter(DurableItem item, Method method, Object[] callArguments, Throwable failure) {
		WorkErrorHandler handler = this.errorHandler.get();
		logger.debug("{} is a dead letter after {} attempts", item, item.attempts);
		if (handler == null || method == null) {
			logger.error("{} failed {} times and is a dead letter (table cmwq_durable_item, state DEAD)", item,
					item.attempts, failure);
			return;
		}
		try {
			handler.handleError(item.queue.name, method, callArguments, failure);
		}
		catch (Throwable ex) {
			logger.error("WorkErrorHandler failed on the dead letter {}", item, ex);
		}
	}

	/** Gives claims up for any instance; if that fails, the scheduler tries again. */
	private void giveBack(LocalQueue queue, List<Long> ids) {
		try {
			this.store.release(ids, this.instanceId);
		}
		catch (DataAccessException ex) {
			logger.warn("Could not release {} claims of workqueue '{}'; trying again", ids.size(), queue.name, ex);
			this.toRelease.addAll(ids);
		}
		for (int i = 0; i < ids.size(); i++) {
			queue.happened(DurableEvent.RELEASED);
		}
		queue.backlogInTable = true; // the next poll, or a start that leaves room, claims them
	}

	private Instant leaseUntil() {
		return this.clock.instant().plus(this.settings.lease());
	}

	// ---- the scheduler: claims, renewals, counts

	private void requestClaim() {
		ScheduledExecutorService executor = this.scheduler;
		if (executor != null && !this.stopping && this.claimRequested.compareAndSet(false, true)) {
			try {
				executor.execute(() -> {
					this.claimRequested.set(false);
					claim();
				});
			}
			catch (RejectedExecutionException ex) {
				this.claimRequested.set(false); // shut down meanwhile
			}
		}
	}

	/**
	 * Claims, for each durable workqueue, what this instance has room for (up to max-claimed unstarted items):
	 * rows that are due and unclaimed or whose lease has run out. A row started as many times as an item may be
	 * started never finished (its instances died running it) and becomes a dead letter instead.
	 */
	void claim() {
		this.claimLock.lock();
		try {
			if (this.stopping) {
				return;
			}
			Instant now = this.clock.instant();
			for (LocalQueue queue : this.queues.values()) {
				int room = this.settings.maxClaimed() - queue.unstarted();
				if (room <= 0) {
					continue;
				}
				List<DurableStore.ClaimedItem> rows = this.store.claim(queue.name, this.instanceId, now,
						now.plus(this.settings.lease()), room);
				queue.backlogInTable = rows.size() == room;
				for (DurableStore.ClaimedItem row : rows) {
					try {
						takeOn(queue, row);
					}
					catch (RuntimeException ex) { // claimed in the table and held nowhere: renew() would keep it
						logger.warn("Durable item {} on workqueue '{}' could not be taken on; its claim is released for "
								+ "another try", row.id(), queue.name, ex);
						this.toRelease.add(row.id());
					}
				}
			}
		}
		finally {
			this.claimLock.unlock();
		}
	}

	/** A row this instance just claimed: a dead letter if it was started too often, else held and queued. */
	private void takeOn(LocalQueue queue, DurableStore.ClaimedItem row) {
		if (row.attempts() >= this.settings.maxAttempts()) {
			neverFinished(queue, row);
			return;
		}
		DurableItem item = new DurableItem(this, queue, row.id(), row.bean(), row.method(), row.arguments(),
				row.attempts(), row.notBefore());
		if (queue.hold(item)) {
			queue.happened(DurableEvent.CLAIMED);
			enqueue(item);
		}
	}

	private void neverFinished(LocalQueue queue, DurableStore.ClaimedItem row) {
		String error = "started " + row.attempts() + " times and never finished: the instances running it stopped "
				+ "or died (it may be what kills them)";
		if (this.store.dead(row.id(), this.instanceId, error)) {
			queue.happened(DurableEvent.DEAD);
			logger.error("Durable item {} on workqueue '{}' ({}.{}) {}; it is a dead letter", row.id(), queue.name,
					row.bean(), row.method(), error);
		}
	}

	/** Renews this instance's claims, retries what failed to be removed or released, and counts the table. */
	void renew() {
		Instant now = this.clock.instant();
		for (Long id : List.copyOf(this.toDelete)) {
			this.store.delete(id, this.instanceId);
			this.toDelete.remove(id);
		}
		if (!this.toRelease.isEmpty()) {
			List<Long> ids = List.copyOf(this.toRelease);
			this.store.release(ids, this.instanceId);
			ids.forEach(this.toRelease::remove);
		}
		this.store.renew(this.instanceId, now.plus(this.settings.lease()));
		count(now);
	}

	private void count(Instant now) {
		Map<String, DurableStore.TableCounts> counts = this.store.counts(now);
		for (LocalQueue queue : this.queues.values()) {
			queue.table = counts.getOrDefault(queue.name, DurableStore.TableCounts.NONE);
		}
	}

	/**
	 * Each durable workqueue: the table as last counted, and this instance.
	 * @param fresh whether to count the table now rather than use the last count
	 * @return per workqueue, in declaration order
	 */
	public List<DurableQueueStatistics> statistics(boolean fresh) {
		if (fresh) {
			count(this.clock.instant());
		}
		List<DurableQueueStatistics> statistics = new ArrayList<>();
		for (LocalQueue queue : this.queues.values()) {
			Map<String, Long> events = new LinkedHashMap<>();
			for (DurableEvent event : DurableEvent.values()) {
				events.put(event.tag(), queue.count(event));
			}
			DurableStore.TableCounts table = queue.table;
			statistics.add(new DurableQueueStatistics(queue.name, table.backlog(), table.dead(), table.claims(),
					queue.held(), queue.unstarted(), events));
		}
		return statistics;
	}

	/**
	 * How often an event happened on a durable workqueue of this instance.
	 * @param workqueue the workqueue's name
	 * @param event the event
	 * @return the count, 0 for a workqueue that is not durable
	 */
	public long count(String workqueue, DurableEvent event) {
		LocalQueue queue = this.queues.get(workqueue);
		return (queue != null) ? queue.count(event) : 0;
	}

	/** The durable workqueues here, for the metrics. */
	Collection<LocalQueue> localQueues() {
		return Collections.unmodifiableCollection(this.queues.values());
	}

	// ---- lifecycle

	@Override
	public void start() {
		if (this.scheduler != null) {
			return; // started once; a stop is for good (isPauseable), and a second scheduler would renew claims too
		}
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "cmwq-durable");
			thread.setDaemon(true);
			return thread;
		});
		this.scheduler = executor;
		long poll = this.settings.pollInterval().toMillis();
		long renew = Math.max(1, this.settings.renewInterval().toMillis());
		executor.scheduleWithFixedDelay(() -> guarded("claim", this::claim), 0, poll, TimeUnit.MILLISECONDS);
		executor.scheduleWithFixedDelay(() -> guarded("renew claims", this::renew), renew, renew,
				TimeUnit.MILLISECONDS);
		this.running = true;
		logger.info("Durable workqueues {} started as instance '{}' ({} database, lease {})", this.names,
				this.instanceId, this.store.dialect().product, this.settings.lease());
	}

	private static void guarded(String what, Runnable task) {
		try {
			task.run();
		}
		catch (Throwable ex) {
			logger.warn("Durable workqueues could not {}; trying again", what, ex);
		}
	}

	/**
	 * Stops claiming and releases the claims of the items not started, for other instances to take at once. Items
	 * running go on (the workqueues drain after this), and their claims are renewed until this bean is destroyed.
	 */
	@Override
	public void stop() {
		this.running = false;
		releaseUnstarted();
	}

	private void releaseUnstarted() {
		this.claimLock.lock();
		try {
			this.stopping = true;
			int total = 0;
			for (LocalQueue queue : this.queues.values()) {
				List<DurableItem> released = queue.releaseUnstarted();
				for (DurableItem item : released) {
					Work work = item.work;
					if (work != null) {
						work.cancel();
					}
				}
				if (!released.isEmpty()) {
					giveBack(queue, released.stream().map((item) -> item.id).toList());
					total += released.size();
				}
			}
			if (total > 0) {
				logger.info("Durable workqueues released {} items that had not started, for other instances", total);
			}
		}
		finally {
			this.claimLock.unlock();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Not stopped when the context is paused: like the workqueue system, durable workqueues stop for good.
	 * @return false
	 */
	@Override
	public boolean isPauseable() {
		return false;
	}

	/**
	 * Stops renewing. Items still running here keep their claims until the lease runs out; then another instance
	 * runs them again.
	 */
	@Override
	public void destroy() throws InterruptedException {
		if (this.store != null) {
			releaseUnstarted();
		}
		ScheduledExecutorService executor = this.scheduler;
		if (executor != null) {
			executor.shutdownNow();
			executor.awaitTermination(5, TimeUnit.SECONDS);
		}
	}

	// ---- helpers

	private static String abbreviate(String text, int max) {
		return (text.length() <= max) ? text : text.substring(0, max - 3) + "...";
	}

	private static String defaultInstanceId() {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (Exception ex) {
			host = "localhost";
		}
		String suffix = "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
		return abbreviate(host, 128 - suffix.length()) + suffix;
	}

}
