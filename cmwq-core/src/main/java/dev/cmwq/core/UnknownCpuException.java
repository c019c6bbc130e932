package dev.cmwq.core;

/**
 * A CPU number outside {@code 0 .. cpus-1}.
 */
public class UnknownCpuException extends IllegalArgumentException {

	private final int cpu;

	/**
	 * Creates the exception.
	 * @param cpu the bad CPU number
	 * @param cpus how many CPUs the system has
	 */
	public UnknownCpuException(int cpu, int cpus) {
		super("No such CPU: " + cpu + " (the system has CPUs 0.." + (cpus - 1) + ")");
		this.cpu = cpu;
	}

	/**
	 * The bad CPU number.
	 * @return the number
	 */
	public int cpu() {
		return this.cpu;
	}

}
