package dev.cmwq.sample.search;

import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/products/{id}/reindex} queues a reindex (coalesced while one is pending);
 * {@code GET /api/products/{id}/index} tells how often the product has been reindexed.
 */
@RestController
@RequestMapping("/api/products")
class SearchController {

	private final SearchIndexer indexer;

	SearchController(SearchIndexer indexer) {
		this.indexer = indexer;
	}

	@PostMapping("/{id}/reindex")
	ResponseEntity<Map<String, Object>> reindex(@PathVariable long id) {
		this.indexer.reindex(id);
		return ResponseEntity.accepted().body(Map.of("product", id, "queued", "search-index"));
	}

	@GetMapping("/{id}/index")
	Map<String, Object> index(@PathVariable long id) {
		return Map.of("product", id, "reindexed", this.indexer.runs(id));
	}

}
