package dev.cmwq.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The simulated logical CPUs of a system: which are online, the worker pools indexed by CPU, and the CPU that work
 * queued without one goes to.
 *
 * <p>Pools are indexed {@code 2 * cpu} (normal) and {@code 2 * cpu + 1} (highpri) for the bound ones, then the
 * unbound normal and highpri pools; the same index finds a queue's pool-workqueue in {@code DefaultWorkqueue.pwqs}.
 * Hotplug ({@link #offline}, {@link #online}) is serialized by {@link #mask}, which guards it (H); readers of the
 * online CPUs use the volatile {@link #onlineCpus} copy.
 */
final class CpuTopology {

	final int nrCpus; // I

	/** I: every pool; index = pool.index. */
	private final List<WorkerPool> pools;

	private final List<WorkerPool> boundPools; // I

	/** H: whether each CPU is online; also the hotplug lock. */
	private final boolean[] mask;

	/**
	 * How many CPUs one queueing thread spreads its items over ({@link #queueingCpu}): the machine's cores, at most
	 * all CPUs. I
	 */
	private final int groupSize;

	/** V: the online CPUs, ascending; replaced on hotplug (H). */
	private volatile int[] onlineCpus;

	CpuTopology(WorkqueueSystem system, int nrCpus) {
		this.nrCpus = nrCpus;
		this.groupSize = Math.min(nrCpus, Runtime.getRuntime().availableProcessors());
		List<WorkerPool> all = new ArrayList<>(2 * nrCpus + 2);
		for (int cpu = 0; cpu < nrCpus; cpu++) {
			all.add(new WorkerPool(system, all.size(), cpu, false));
			all.add(new WorkerPool(system, all.size(), cpu, true));
		}
		this.boundPools = List.copyOf(all);
		all.add(new WorkerPool(system, all.size(), -1, false));
		all.add(new WorkerPool(system, all.size(), -1, true));
		this.pools = List.copyOf(all);
		this.mask = new boolean[nrCpus];
		Arrays.fill(this.mask, true);
		this.onlineCpus = IntStream.range(0, nrCpus).toArray();
	}

	List<WorkerPool> pools() {
		return this.pools;
	}

	List<WorkerPool> boundPools() {
		return this.boundPools;
	}

	WorkerPool cpuPool(int cpu, boolean highpri) {
		return this.pools.get(2 * cpu + (highpri ? 1 : 0));
	}

	WorkerPool unboundPool(boolean highpri) {
		return this.pools.get(2 * this.nrCpus + (highpri ? 1 : 0));
	}

	void checkCpu(int cpu) {
		if (cpu < 0 || cpu >= this.nrCpus) {
			throw new UnknownCpuException(cpu, this.nrCpus);
		}
	}

	boolean isOnline(int cpu) {
		checkCpu(cpu);
		synchronized (this.mask) {
			return this.mask[cpu];
		}
	}

	/** A copy of the online mask. */
	boolean[] mask() {
		synchronized (this.mask) {
			return this.mask.clone();
		}
	}

	/** Takes a CPU offline and disassociates its pools; false if it was offline already. */
	boolean offline(int cpu) {
		checkCpu(cpu);
		synchronized (this.mask) {
			if (!this.mask[cpu]) {
				return false;
			}
			if (this.onlineCpus.length == 1) {
				throw new IllegalStateException("Cannot take CPU " + cpu + " offline: it is the last online CPU");
			}
			setOnline(cpu, false);
			cpuPool(cpu, false).disassociate();
			cpuPool(cpu, true).disassociate();
		}
		return true;
	}

	/** Brings a CPU online and associates its pools again; false if it was online already. */
	boolean online(int cpu) {
		checkCpu(cpu);
		synchronized (this.mask) {
			if (this.mask[cpu]) {
				return false;
			}
			setOnline(cpu, true);
			cpuPool(cpu, false).associate();
			cpuPool(cpu, true).associate();
		}
		return true;
	}

	/** H */
	private void setOnline(int cpu, boolean online) {
		this.mask[cpu] = online;
		this.onlineCpus = IntStream.range(0, this.nrCpus).filter((c) -> this.mask[c]).toArray();
	}

	/**
	 * A pool with this many items queued and not finished has a backlog: a thread that queues there compares it with
	 * another CPU's only every {@link #STAYS} + 1 items (reading another pool's counters is a cache miss per item;
	 * one producer of tiny tasks ran 6.7–6.9 M items/s against 5.6–6.2 M comparing every time).
	 */
	static final int BACKLOG = 64;

	/** Items a thread queues onto a backlog after it compared, before it compares again. */
	static final int STAYS = 7;

	/**
	 * The CPU for work queued without one. A worker of a bound pool whose CPU is online queues on its own CPU (work
	 * queued by work stays local, as in the kernel). Any other thread keeps the CPU it used last while that CPU's
	 * pool keeps up (nothing queued there and unfinished); otherwise it compares that pool with another CPU's of its
	 * group, picked at random, and moves to the other if it is less loaded ("power of two choices"), or as loaded and
	 * likely free first ({@link WorkerPool#freeBefore}: one queue shared by two workers gives an item to whichever
	 * ends its item first); onto a
	 * {@link #BACKLOG} it compares only every {@link #STAYS} + 1 items. A thread's group
	 * is as many CPUs, from the one it first queued on, as the machine has cores ({@link #groupSize}): spreading one
	 * thread's items further only wakes more pools' workers for no more parallelism, which is what made the cost per
	 * item grow with {@code cpus(n)}. O(1) per item: no scan over the CPUs, and one thread's items mostly go to one
	 * pool, whose lock the thread then has to itself.
	 */
	int queueingCpu(boolean highpri) {
		ThreadContext context = ThreadContext.get();
		Worker worker = context.worker;
		if (worker != null) {
			WorkerPool pool = worker.pool;
			if (pool != null && pool.cpu >= 0 && pool.associated && this.pools.get(pool.index) == pool) {
				return pool.cpu;
			}
		}
		int[] cpus = this.onlineCpus;
		int cpu = context.cpu;
		WorkerPool home = (cpu >= 0 && cpu < this.nrCpus) ? cpuPool(cpu, highpri) : null;
		int homeLoad = (home != null && home.associated) ? home.load() : -1;
		if (homeLoad == 0 || (homeLoad > 0 && cpus.length == 1)) {
			return cpu;
		}
		if (homeLoad >= BACKLOG && context.stays > 0) { // a backlog: a few items more or less make no difference
			context.stays--;
			return cpu;
		}
		context.stays = STAYS;
		int other = groupCpu(context, cpus, cpu);
		if (homeLoad > 0 && other != cpu) {
			WorkerPool otherPool = cpuPool(other, highpri);
			int otherLoad = otherPool.load();
			if (otherLoad > homeLoad || (otherLoad == homeLoad && !otherPool.freeBefore(home))) {
				return cpu;
			}
		}
		context.cpu = other;
		return other;
	}

	/**
	 * A random online CPU of the calling thread's group other than {@code current} (see {@link #queueingCpu}): with
	 * two CPUs, always the other one, so that a thread whose pool is busy never compares it with itself.
	 */
	private int groupCpu(ThreadContext context, int[] online, int current) {
		if (online.length <= this.groupSize) {
			int i = context.nextInt(online.length);
			if (online[i] == current && online.length > 1) {
				i = (i + 1 + context.nextInt(online.length - 1)) % online.length;
			}
			return online[i];
		}
		int first = context.groupCpu;
		if (first < 0 || first >= this.nrCpus) {
			first = online[context.nextInt(online.length)];
			context.groupCpu = first;
		}
		int k = context.nextInt(this.groupSize);
		if ((first + k) % this.nrCpus == current && this.groupSize > 1) {
			k = (k + 1 + context.nextInt(this.groupSize - 1)) % this.groupSize;
		}
		int cpu = (first + k) % this.nrCpus;
		return cpuPool(cpu, false).associated ? cpu : online[context.nextInt(online.length)]; // offline: anywhere
	}

}
