package dev.cmwq.core;

import java.util.List;
import java.util.Optional;

/**
 * An immutable view of a {@link WorkqueueSystem}, in the engine's terms: its CPUs, pools and workqueues. The parts are
 * read one after another (each pool under its own lock), so counts of different parts need not agree exactly.
 *
 * @param frozen whether {@link WorkqueueSystem#freeze()} is in force
 * @param cpus the logical CPUs
 * @param pools every worker pool: per CPU a normal and a highpri one, then the unbound ones
 * @param workqueues every workqueue, system ones included
 */
public record SystemSnapshot(boolean frozen, List<CpuSnapshot> cpus, List<PoolSnapshot> pools,
		List<WorkqueueSnapshot> workqueues) {

	/**
	 * One workqueue of the snapshot.
	 * @param name the queue's name
	 * @return its snapshot, if there is such a queue
	 */
	public Optional<WorkqueueSnapshot> workqueue(String name) {
		return this.workqueues.stream().filter((wq) -> wq.name().equals(name)).findFirst();
	}

	/**
	 * One pool of the snapshot.
	 * @param id the pool's id, e.g. {@code cpu0}
	 * @return its snapshot, if there is such a pool
	 */
	public Optional<PoolSnapshot> pool(String id) {
		return this.pools.stream().filter((pool) -> pool.id().equals(id)).findFirst();
	}

}
