package dev.cmwq.sample.images;

import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/images/{id}/thumbnail} queues a rendering; {@code GET /api/images/{id}/thumbnail.png} serves it.
 */
@RestController
@RequestMapping("/api/images")
class ImageController {

	private final Thumbnails thumbnails;

	ImageController(Thumbnails thumbnails) {
		this.thumbnails = thumbnails;
	}

	@PostMapping("/{id}/thumbnail")
	ResponseEntity<Map<String, Object>> render(@PathVariable long id) {
		this.thumbnails.render(id);
		return ResponseEntity.accepted().body(Map.of("image", id, "queued", "thumbnails"));
	}

	@GetMapping(path = "/{id}/thumbnail.png", produces = MediaType.IMAGE_PNG_VALUE)
	ResponseEntity<byte[]> thumbnail(@PathVariable long id) {
		return this.thumbnails.find(id)
			.map((thumbnail) -> ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).body(thumbnail.png()))
			.orElseGet(() -> ResponseEntity.notFound().build());
	}

}
