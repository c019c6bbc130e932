package dev.cmwq.core;

/**
 * A simulated logical CPU.
 *
 * @param cpu its number, from 0
 * @param online whether it is online
 */
public record CpuSnapshot(int cpu, boolean online) {
}
