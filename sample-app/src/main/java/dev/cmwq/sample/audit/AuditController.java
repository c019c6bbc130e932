package dev.cmwq.sample.audit;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/audit?limit=50}: the latest audit entries, newest first.
 */
@RestController
class AuditController {

	private final AuditTrail trail;

	AuditController(AuditTrail trail) {
		this.trail = trail;
	}

	@GetMapping("/api/audit")
	List<AuditEntry> latest(@RequestParam(defaultValue = "50") int limit) {
		return this.trail.latest(Math.max(0, Math.min(limit, 500)));
	}

}
