/**
 * The workqueue engine: Linux's Concurrency Managed Workqueue (cmwq) on the JVM, free of Spring.
 *
 * <h2>Implementation overview</h2>
 *
 * <h3>Objects</h3>
 * <ul>
 * <li>{@link dev.cmwq.core.WorkqueueSystem}: the registry of workqueues, the freezer and the lifecycle (RUNNING →
 * SHUTTING_DOWN → TERMINATED). It owns a {@code CpuTopology} (the simulated CPUs, which are online, the pools
 * indexed by CPU, and the CPU that work queued without one goes to), one {@code Timers} thread (delayed work,
 * mayday, watchdog), one {@code BlockDetector} thread and one {@code Watchdog}.</li>
 * <li>{@code WorkerPool} (the kernel's {@code worker_pool}): per CPU a normal and a highpri pool, plus an unbound
 * normal and highpri pool. Each has one lock, a worklist of activated items, its workers and the idle list.</li>
 * <li>{@code DefaultWorkqueue} (the kernel's {@code workqueue_struct}): flags, limits, flush colors; one
 * {@code PoolWorkqueue} (the kernel's {@code pool_workqueue}) per pool, which enforces {@code maxActive} there,
 * holds items over the limit (or frozen) in order, and counts items in flight per flush color.</li>
 * <li>{@code Worker} (the kernel's {@code worker}): a thread of one pool; a {@code Rescuer} has a worker of its
 * own that attaches to a pool while it runs items there.</li>
 * <li>{@link dev.cmwq.core.Work} and {@link dev.cmwq.core.DelayedWork} (the kernel's {@code work_struct},
 * {@code delayed_work}): the user's items, with the PENDING bit and their linkage.</li>
 * </ul>
 *
 * <h3>The life of an item</h3>
 * {@code queue()} first asks a bounded queue for a capacity slot ({@code DefaultWorkqueue.admit}; a full queue
 * applies its overflow policy: reject, wait for a slot, or run the item on the caller), then wins the PENDING bit
 * with a CAS ({@code Work.tryClaim}) and counts the queueing; the slot goes with the PENDING bit ({@code Work.slot})
 * and is given back when the pending instance ends, as it starts or is cancelled. The queue picks
 * a pool-workqueue ({@code DefaultWorkqueue.insert}: where the item still runs for this same unordered queue, else
 * the pool of the queueing CPU) and pushes the item on that pool's lock-free incoming stack ({@code
 * WorkerPool.enqueue}); whoever takes the pool lock next links it, oldest first: onto the worklist if the queue's
 * limit allows ({@code WorkerPool.addToWorklist}, the one place where a pool gains runnable work), else onto the
 * pool-workqueue's held-back list. The queuer takes the lock itself only when no worker of the pool counts as
 * running or is waking up (one would take the lock before starting anything), or when the pool is backlogged. A
 * worker whose pool ran dry naps for about the timer slack before it parks, counted as waking ({@code Worker.nap}):
 * what is pushed meanwhile waits for the nap's end, many items for one wake-up; a kick that needs a worker ends the
 * nap at once ({@code WorkerPool.wakeNapper}). An
 * {@code execute(Runnable)} item (its task not a {@code Work}) has no identity a caller can name, so the queuer
 * makes no {@code Work} and takes no PENDING bit: with its capacity slot (if the queue is bounded; a full queue
 * takes the {@code queue()} path above) it counts the queueing system-wide ({@code Work.countAccepted}) and pushes
 * an {@code ExecutedTask} (task, pool-workqueue, flush color, slot, queueing time) on the same stack; whoever links
 * it gives it its {@code Work} there ({@code PoolWorkqueue.queueTask}, {@code Work.heldTask}: the state of a
 * claimed, counted, handed-over item) if it may start, else keeps its bare task on the held-back list, where it
 * gets its {@code Work} as it is activated. Where thousands are held back already, the queuer takes the lock and
 * its bare task joins the held-back list directly; a flood costs a reference per item. <b>Out of memory loses no
 * accepted item</b>: linking first counts the item in flight (no allocation), then places it, and placing (a
 * {@code Work} node, a list that grows: the lists are {@code Ring}s, which grow before they store) or activating
 * an item changes nothing where it fails; an item that could not be placed waits, counted, with those behind it in
 * {@code WorkerPool.unlinked} for the next lock holder (the mayday timer takes the lock again; a queuer that would
 * join the held-back list directly goes behind them), one that could not be activated stays first in line (a timer
 * retries), and one that cannot join the scheduled list of the worker running its previous instance is deferred
 * instead; a freeze makes room on the held-back list before it takes activated items back, and leaves them
 * activated where it cannot. A queuer that cannot allocate throws, having counted nothing. From its {@code Work} on,
 * such an item lives as any other, except that its node carries {@code Work.EXECUTED} until its own code asks for
 * it ({@code Work.currentWork}) or it fails: no other thread can reach the node meanwhile, so its state, linkage,
 * {@code current} and {@code resolved} are written with plain stores (every other reader takes the pool lock). A
 * worker takes it off the worklist and starts it ({@code Worker.startItem}: unlinked, PENDING cleared, {@code
 * current} set), runs the task without the lock ({@code runItem}), and ends it under the lock ({@code finishItem}:
 * counts, activation of held-back items, waiters told). <b>Batches</b>: a worker of a managed pool that counts as
 * running takes the {@code execute(Runnable)} items of the same unbounded queue that follow its item on the worklist
 * (up to {@code Worker.BATCH - 1}) into its batch ({@code Worker.takeBatch}: counted running on the pool-workqueue,
 * still pending for the pool through {@code WorkerPool.nrBatched}) and runs them after it without taking the lock in
 * between: it starts each with a CAS on {@code Worker.batchNext}, and ends them all under the lock once the batch
 * ends. Nobody else could have started them before it ends its item, unless it stops counting as running: so when
 * it is flagged (blocked, announced or found, or CPU-intensive: {@code Worker.setFlag}), and when the pool must see
 * every pending item (freeze, CPU offline, a rescuer, termination: {@code WorkerPool.takeBackBatches}), the lock
 * holder moves {@code batchNext} to the end with the same CAS and links the unstarted items back at the front of the
 * worklist, in order ({@code Worker.giveBack}). An item whose node gets out (its code asks for it, or it fails) ends
 * the batch, so no later item of the batch can wait for it. A delayed item first waits in a timer; whoever clears its
 * arming generation with a CAS (the timer, a canceller, {@code modDelayed}) owns it next. Cancel steals the PENDING
 * item from the timer or unlinks it from whichever list of its pool holds it (worklist, held-back, a worker's
 * scheduled list, deferred) under that pool's lock.
 *
 * <h3>Requests and answers: the exactly-once invariant</h3>
 * A successful queueing opens a <em>request</em>: the PENDING holder commits it ({@code Work.countQueued}) to a timer
 * or a pool ({@code runInline} commits it to the caller's thread); the queuer of an {@code execute(Runnable)} item,
 * which has no PENDING bit, commits it by counting it and pushing its {@code ExecutedTask}. <b>Each open request is held in exactly one
 * place at a time (a timer; a pool's incoming stack, worklist, a held-back list, a worker's or attached rescuer's
 * scheduled list, a worker's batch, deferred; a running worker; an inline run), and whoever takes it out of that place for good
 * answers it, exactly once, through {@code Work.answer}</b>: the worker that ran it (COMPLETED, FAILED or
 * FAILED_HANDLED, in {@code Worker.runItem}, before {@code finishItem}), the canceller that stole it (CANCELLED), or,
 * once the system shuts down, whoever takes it off the timer or a pool's lists, or finds it arriving at a
 * terminated pool (ABANDONED: {@code Work.abandon}). {@code modDelayed} of a pending item moves its request to a new
 * timer without answering it. Ownership of a request comes from PENDING, the arming generation CAS
 * ({@code DelayedWork.fire}, {@code tryStealFromTimer}), the DEFERRED CAS ({@code Work.takeDeferred}) or the pool
 * lock. {@code answer} counts the ending (statistics; the shutdown tally), calls the failure handler (FAILED only)
 * and the listeners, then the item's {@code done} hook, with no pool lock held; only then is the request resolved
 * ({@code Work.resolved}, system-wide {@code resolved} for {@code awaitIdle}), so that a {@code Work.flush},
 * {@code awaitIdle} or {@code close()} that returns has seen {@code done} return for what it waited on. At most two
 * requests of an item are open at once (one pending, one running). Checked with assertions: {@code Work.owed}
 * (never above two, never below zero: answered twice), and no pool lock held in {@code answer}.
 *
 * <p>Non-reentrancy: an item picked by a worker while its previous instance runs goes to the scheduled list of the
 * worker running it if that worker is in the same pool; on another pool it is <em>deferred</em>, and whoever of
 * the picker, the worker that ends the previous instance or a canceller clears {@code Work.deferred} with a CAS
 * takes it on.
 *
 * <h3>Threads</h3>
 * Queuers (any thread); workers; rescuers; the timer thread (fires delayed items, mayday, watchdog checks, the
 * pools' idle timers, which let a worker idle past the idle timeout go, as the kernel's {@code idle_timer}: idle
 * workers park with no timeout of their own; and starts worker threads for the detector); the block detector (scans
 * running workers of managed pools with pending items, flags blocked ones, marks CPU hogs). The timer, the detector
 * and the rescuers survive any {@code Throwable}: what failed is counted, logged rate-limited and retried after a
 * back-off ({@code Housekeeping}, and {@link dev.cmwq.core.WorkqueueSystem#housekeeping()} for health checks); a
 * timer thread that cannot be started is retried by the detector's thread, which it wakes (or starts) for that.
 * With {@link dev.cmwq.core.VirtualThreadMode} (JDK 21+) workers and rescuers are virtual threads: in {@code MANAGED}
 * the detector probes them by their JVM state only; in {@code SCHEDULER} every item runs flagged CPU_INTENSIVE
 * ({@code WorkqueueSystem.jdkScheduled}) and the detector's thread is started only to retry the timer's.
 *
 * <h3>Concurrency management, and waking up</h3>
 * A bound pool whose CPU is online starts items only while none of its workers counts as running
 * ({@code WorkerPool.recount} keeps {@code nrRunning}). Anything that adds runnable work or stops a worker from
 * counting kicks a worker under the lock; {@code WorkerPool.unlock()}, the only way a pool lock is released, then
 * wakes the kicked workers, makes the detector watch if a worker counts as running while items are pending (a queuer
 * that pushes onto such a pool without the lock does so itself), and arms the watchdog if the pool gained work. Items on a
 * pool's incoming stack count as pending for the detector and the watchdog; taking the lock links them, so every
 * lock holder sees the pool as it is.
 *
 * <h3>Lock order</h3>
 * The registry monitor ({@code WorkqueueSystem.workqueues}) → the hotplug lock ({@code CpuTopology.mask}) → a
 * workqueue's {@code flushLock} → one pool lock (never two at once: code that moves an item between pools releases
 * the first) → leaf monitors ({@code Work.waiters}, {@code DefaultWorkqueue.flushMonitor}, {@code
 * DefaultWorkqueue.room}, {@code Timers}, {@code Listeners}). No user code (tasks, listeners, failure handlers,
 * {@code done} hooks, thread factories) runs under a pool lock.
 *
 * <h3>Waits that could only wait for themselves</h3>
 * {@code FlushDependency} refuses them before anything changes: a queue's flush, drain or destroy from one of its
 * own items, an item's flush or cancelSync from itself, a flush of an item pending behind the caller on its ordered
 * queue, and {@code awaitIdle} from any item. An item knows it runs on the current thread through {@code
 * Work.current}: a worker, a rescuer's worker, or for an item its caller runs ({@code Overflow.CALLER_RUNS}) the
 * caller thread's stand-in ({@code ThreadContext.callerWorker}), which belongs to no pool.
 *
 * <h3>Worker threads</h3>
 * A new worker's thread is the thread of another pool's idle worker, if one has any (the one idle longest is given
 * up: {@code WorkerPool.handOverIdleThread}, taking that pool's lock while holding none; the thread runs the new
 * worker once it sees its own given up, renamed after its new pool; not with virtual threads), else it comes from
 * the thread factory, on whichever thread needs the worker; a worker that goes idle meanwhile gives the new worker
 * its own thread instead, and the one made is never started ({@code WorkerPool.giveToThreadless}: the new worker is
 * listed on {@code WorkqueueSystem.threadless} while its thread is made, and whoever takes it off gives it its
 * thread); the engine's own
 * threads inherit nothing from it ({@code WorkqueueSystem.newThread}). A worker runs only on the thread the engine
 * started or handed over for it, once ({@code WorkerPool.arrived}); a factory that returns null or a started thread, throws, or
 * whose thread does not run the worker in time, is a refusal ({@code WorkerPool.refuse}): the worker is dropped, the
 * mayday timer retries and calls the rescuers. Idle and waking workers are always among the pool's workers
 * ({@code WorkerPool.workerCountsAgree}), so {@code busy + idle = workers}.
 *
 * <h3>Legend of field tags (every class uses these)</h3>
 * <ul>
 * <li>{@code I}: set at construction (or before the thread is started) and never changed.</li>
 * <li>{@code L}: guarded by the pool lock: the pool's own for {@code WorkerPool}, {@code PoolWorkqueue} and
 * {@code Worker} fields, the lock of the pool the item is linked on for {@code Work}'s linkage. Methods that need
 * it say "L" and {@code assert pool.isLocked()}.</li>
 * <li>{@code V}: volatile, written under {@code L} (or by its only writer) and read without a lock; on a node
 * marked {@code Work.EXECUTED}, which no other thread can reach, written with plain stores.</li>
 * <li>{@code R}: written under {@code L} with a release store ({@code VarHandle.setRelease}: no fence), read
 * without a lock only as a hint (a reader that sees the value sees what was written before it), never one side of
 * a Dekker pair (those stay {@code V}: {@code nrRunning}, {@code nrWaking}, {@code nrPending}).</li>
 * <li>{@code W}: written only by its own thread: the worker's, or the one running the item's task.</li>
 * <li>{@code D}: owned by the block detector's thread.</li>
 * <li>{@code T}: written only by the timer thread.</li>
 * <li>{@code H}: guarded by the hotplug lock ({@code CpuTopology.mask}).</li>
 * <li>{@code Q}: guarded by the registry monitor ({@code WorkqueueSystem.workqueues}).</li>
 * <li>{@code C}: changed only by CAS (VarHandle or atomic).</li>
 * <li>{@code P}: written only by the holder of the item's PENDING bit.</li>
 * </ul>
 * Counters are changed only by methods of their owner named after the event ({@code PoolWorkqueue.activate},
 * {@code finishRunning}, {@code inFlightDone}; {@code WorkerPool.recount}), never by {@code ++} in callers.
 */
package dev.cmwq.core;
