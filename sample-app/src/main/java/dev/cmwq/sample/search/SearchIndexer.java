package dev.cmwq.sample.search;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.sample.Latency;

import org.springframework.stereotype.Service;

/**
 * Reindexes products on the {@code search-index} workqueue. Calls are coalesced per product while one is pending
 * ({@code key = "#productId"}, the kernel's pending bit): a burst of 100 changes to one product while its reindex
 * waits costs one reindex, and every caller gets that run's future.
 */
@Service
public class SearchIndexer {

	private final Map<Long, AtomicLong> runs = new ConcurrentHashMap<>();

	/**
	 * Reindexes a product.
	 * @param productId the product
	 * @return how often this product has been reindexed, once this run is done
	 */
	@QueueWork(value = "search-index", key = "#productId")
	public CompletableFuture<Long> reindex(long productId) {
		Latency.pause(150); // read the product and its reviews, write the index document
		long count = this.runs.computeIfAbsent(productId, (id) -> new AtomicLong()).incrementAndGet();
		return CompletableFuture.completedFuture(count);
	}

	/**
	 * @param productId a product
	 * @return how often it has been reindexed
	 */
	public long runs(long productId) {
		AtomicLong count = this.runs.get(productId);
		return (count != null) ? count.get() : 0;
	}

}
