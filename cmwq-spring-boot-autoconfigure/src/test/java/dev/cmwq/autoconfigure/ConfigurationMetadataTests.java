package dev.cmwq.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueLimits;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.ConversionService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata IDEs read, as the build generates it (spring-boot-configuration-processor, merged with
 * additional-spring-configuration-metadata.json): every property has a description, the system's defaults are the
 * engine's, the per-workqueue properties under the {@code cmwq.workqueues} map are there with their defaults, the
 * flags and the default workqueue have value hints, and the health contributor's toggle is there.
 */
class ConfigurationMetadataTests {

	private static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");

	@Test
	void everyCmwqPropertyHasADescription() throws IOException {
		List<Map<String, Object>> properties = metadata().read("$.properties[?(@.name =~ /cmwq\\..*/)]");
		assertThat(properties).hasSizeGreaterThan(10)
			.allSatisfy((property) -> assertThat((String) property.get("description")).as("%s", property.get("name"))
				.isNotBlank());
	}

	@Test
	void theSystemsDefaultsAreTheEnginesDefaults() throws IOException {
		// IDEs show the metadata's defaults; the properties and the engine's builder take them from WorkqueueLimits
		Map<String, Object> engine = Map.of("cpus", WorkqueueLimits.DEFAULT_CPUS, "idle-timeout",
				WorkqueueLimits.DEFAULT_IDLE_TIMEOUT, "cpu-intensive-threshold",
				WorkqueueLimits.DEFAULT_CPU_INTENSIVE_THRESHOLD, "watchdog-threshold",
				WorkqueueLimits.DEFAULT_WATCHDOG_THRESHOLD, "max-workers-per-pool",
				WorkqueueLimits.DEFAULT_MAX_WORKERS_PER_POOL, "shutdown-timeout", WorkqueueLimits.DEFAULT_SHUTDOWN_TIMEOUT,
				"system-workqueues", WorkqueueLimits.DEFAULT_SYSTEM_WORKQUEUES);
		DocumentContext metadata = metadata();
		ConversionService conversion = ApplicationConversionService.getSharedInstance();
		engine.forEach((name, value) -> assertThat(
				conversion.convert(property(metadata, "cmwq." + name).get("defaultValue"), value.getClass()))
			.as(name)
			.isEqualTo(value));
	}

	@Test
	void descriptionsQuoteTheEnginesLimits() throws IOException {
		DocumentContext metadata = metadata();
		assertThat((String) property(metadata, "cmwq.cpus").get("description"))
			.contains("at most " + WorkqueueLimits.MAX_CPUS);
		assertThat((String) property(metadata, "cmwq.workqueues.*.max-active").get("description"))
			.contains("the default, " + WorkqueueLimits.DEFAULT_MAX_ACTIVE + ";")
			.contains("1 to " + WorkqueueLimits.MAX_ACTIVE + ",");
	}

	@Test
	void perWorkqueuePropertiesHaveDescriptionsAndDefaults() throws IOException {
		DocumentContext metadata = metadata();
		assertThat(property(metadata, "cmwq.workqueues.*.flags")).containsEntry("defaultValue", List.of());
		assertThat(property(metadata, "cmwq.workqueues.*.max-active")).containsEntry("defaultValue", 0);
		assertThat(property(metadata, "cmwq.workqueues.*.ordered")).containsEntry("defaultValue", false);
		assertThat(property(metadata, "cmwq.workqueues.*.overflow")).containsEntry("defaultValue", "reject");
		assertThat(property(metadata, "cmwq.workqueues.*.overflow-timeout")).containsEntry("defaultValue", "1s");
		for (String name : List.of("flags", "max-active", "ordered", "queue-capacity", "overflow", "overflow-timeout")) {
			assertThat((String) property(metadata, "cmwq.workqueues.*." + name).get("description"))
				.contains("cmwq.workqueues.<name>." + name);
		}
		assertThat((String) property(metadata, "cmwq.workqueues").get("description")).contains("{}");
	}

	@Test
	void everyFlagHasAValueHint() throws IOException {
		List<String> hinted = metadata().read("$.hints[?(@.name == 'cmwq.workqueues.*.flags')].values[*].value");
		assertThat(hinted).containsExactlyInAnyOrderElementsOf(Arrays.stream(WorkqueueFlag.values())
			.map(WorkqueueFlags::name)
			.toList());
	}

	@Test
	void theDefaultWorkqueueHintsTheSystemWorkqueuesAndAcceptsDeclaredOnes() throws IOException {
		DocumentContext metadata = metadata();
		List<String> hinted = metadata.read("$.hints[?(@.name == 'cmwq.async.default-workqueue')].values[*].value");
		assertThat(hinted).containsExactlyElementsOf(WorkqueueSystem.SYSTEM_WORKQUEUES);
		List<String> descriptions = metadata
			.read("$.hints[?(@.name == 'cmwq.async.default-workqueue')].values[*].description");
		assertThat(descriptions).hasSameSizeAs(hinted).allSatisfy((description) -> assertThat(description).isNotBlank());
		// the workqueues declared under cmwq.workqueues are the application's own names
		List<String> providers = metadata
			.read("$.hints[?(@.name == 'cmwq.async.default-workqueue')].providers[*].name");
		assertThat(providers).containsExactly("any");
		assertThat(property(metadata, "cmwq.async.default-workqueue")).containsEntry("type", "java.lang.String");
	}

	@Test
	void theHealthContributorsToggleIsDescribed() throws IOException {
		Map<String, Object> toggle = property(metadata(), "management.health.workqueues.enabled");
		assertThat(toggle).containsEntry("type", "java.lang.Boolean").containsEntry("defaultValue", true);
		assertThat((String) toggle.get("description")).isNotBlank();
	}

	private static DocumentContext metadata() throws IOException {
		assertThat(METADATA).as("generated by the build (mvn compile)").exists();
		return JsonPath.parse(Files.readString(METADATA));
	}

	private static Map<String, Object> property(DocumentContext metadata, String name) {
		List<Map<String, Object>> found = metadata.read("$.properties[?(@.name == '" + name + "')]");
		assertThat(found).as(name).hasSize(1);
		return found.get(0);
	}

}
