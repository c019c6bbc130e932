package dev.cmwq.sample.load;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The load switch: {@code POST /api/load/on}, {@code POST /api/load/off}, {@code GET /api/load}.
 */
@RestController
@RequestMapping("/api/load")
class LoadController {

	private final LoadGenerator generator;

	LoadController(LoadGenerator generator) {
		this.generator = generator;
	}

	@GetMapping
	LoadGenerator.LoadStatus status() {
		return this.generator.status();
	}

	@PostMapping("/on")
	LoadGenerator.LoadStatus on() {
		return this.generator.switchOn();
	}

	@PostMapping("/off")
	LoadGenerator.LoadStatus off() {
		return this.generator.switchOff();
	}

}
