/**
 * Durable workqueues: {@code @QueueWork} calls stored in a JDBC {@code DataSource} before they return, run on the
 * workqueue of the same name by whichever instance of the application claims them, and removed when their run ends.
 * Spring JDBC only (no Boot); PostgreSQL and H2.
 *
 * <h2>Objects and threads</h2>
 * <ul>
 * <li>{@link dev.cmwq.spring.durable.JdbcDurableQueues}: the {@link dev.cmwq.spring.aop.DurableQueues} bean that
 * the {@code @QueueWork} interceptor hands durable calls to; owns everything below.</li>
 * <li>{@code DurableStore}: the table {@code cmwq_durable_item} and every statement on it (its comment lists a row's
 * states).</li>
 * <li>{@code LocalQueue}, one per durable workqueue: the engine's workqueue, the {@code DurableItem}s this instance
 * holds and its counts. {@code DurableItem}: one held row, the task of its work item (its comment has the state
 * machine).</li>
 * <li>Threads: callers store (in their transaction, or one of their own); workers run items and record the ending
 * (start, remove, retry, dead letter); one scheduler thread, {@code cmwq-durable}, claims (every poll interval, and
 * at once when a start leaves room while rows wait unclaimed), renews this instance's claims (every third of the
 * lease), retries removals and releases that failed, and counts the table for the metrics.</li>
 * </ul>
 *
 * <h2>The life of an item</h2>
 * <ol>
 * <li>A call is stored (the caller's transaction if it has one on this {@code DataSource}, queued only once it
 * commits; else a transaction of its own), claimed by this instance with a lease, unless the instance already
 * holds {@code maxClaimed} unstarted items of that workqueue: then it is stored unclaimed for any instance.</li>
 * <li>A held item is queued on the engine's workqueue (delayed until {@code not_before}), under the engine's
 * concurrency management, {@code max-active}, freezing and metrics.</li>
 * <li>A worker starts it: one statement, guarded by the claim, counts the attempt and ends its key's pending state;
 * an instance that lost the claim meanwhile does not run it. The method is called through the bean (so its other
 * advice applies), the interceptor letting that one call through.</li>
 * <li>The run ends: the row is removed; or, if it failed, it is kept for a retry after a back-off (here, or by any
 * instance once this one is shutting down), or, after {@code maxAttempts}, it becomes a dead letter and the
 * {@code WorkErrorHandler} is told.</li>
 * <li>An instance that dies stops renewing; once its leases run out any instance claims its rows ({@code SELECT ...
 * FOR UPDATE SKIP LOCKED}), and a row started {@code maxAttempts} times without finishing becomes a dead letter.
 * Shutdown stops claiming and releases the items not started, for other instances at once.</li>
 * </ol>
 * Delivery is at least once: an item runs again if its instance dies (or loses its lease) after the run began and
 * before its row was removed.
 *
 * <h2>Invariants and locking</h2>
 * Every change an instance makes to a claimed row is guarded by {@code claimed_by = instance}. An instance holds a
 * row at most once ({@code LocalQueue.hold} refuses a second). Only the scheduler thread claims, under
 * {@code claimLock}, which shutdown takes to stop claiming and release what is unstarted, so nothing is claimed
 * after that release; workers and callers never take it, so a slow item or caller cannot hold up claims or shutdown.
 */
package dev.cmwq.spring.durable;
