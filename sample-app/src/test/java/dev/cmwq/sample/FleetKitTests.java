package dev.cmwq.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet kit in {@code observability/} on its own: the alert rules pass {@code promtool check rules} and their
 * unit tests ({@code promtool test rules}: each alert firing and not firing on synthetic series), and the Grafana
 * dashboard is a dashboard Grafana 10 imports as is. {@link FleetPrometheusTests} runs every expression against a
 * real Prometheus.
 */
class FleetKitTests {

	static final Path RULES_DIRECTORY = PrometheusServer.KIT.resolve("prometheus");

	static final Path DASHBOARD = PrometheusServer.KIT.resolve("grafana").resolve("cmwq-dashboard.json");

	@Test
	void alertRulesPassPromtoolCheck() {
		PrometheusServer.ToolResult result = PrometheusServer.promtool(RULES_DIRECTORY, "check", "rules",
				"cmwq-alerts.yml");
		assertThat(result.exitCode()).as(result.output()).isZero();
		assertThat(result.output()).contains("SUCCESS: 9 rules found");
	}

	@Test
	void alertRulesPassTheirUnitTests() {
		PrometheusServer.ToolResult result = PrometheusServer.promtool(RULES_DIRECTORY, "test", "rules",
				"cmwq-alerts-test.yml");
		assertThat(result.exitCode()).as(result.output()).isZero();
		assertThat(result.output()).contains("SUCCESS");
	}

	@Test
	void everyAlertHasAUnitTestThatSeesItFire() {
		List<String> alerts = FleetPrometheusTests.rules().stream().map((rule) -> (String) rule.get("alert")).toList();
		List<Map<String, Object>> cases = JsonPath
			.read(FleetPrometheusTests.yaml(RULES_DIRECTORY.resolve("cmwq-alerts-test.yml")), "$.tests[*].alert_rule_test[*]");
		List<Object> firing = cases.stream()
			.filter((test) -> !((List<?>) test.get("exp_alerts")).isEmpty())
			.map((test) -> test.get("alertname"))
			.toList();
		List<Object> quiet = cases.stream()
			.filter((test) -> ((List<?>) test.get("exp_alerts")).isEmpty())
			.map((test) -> test.get("alertname"))
			.toList();
		assertThat(alerts).hasSize(9);
		assertThat(firing).as("alerts seen firing").containsAll(alerts);
		assertThat(quiet).as("alerts seen quiet").containsAll(alerts);
	}

	@Test
	void dashboardIsAGrafanaDashboardWithDataSourceAndInstanceVariables() throws IOException {
		DocumentContext dashboard = JsonPath.parse(Files.readString(DASHBOARD));
		assertThat(dashboard.<Integer>read("$.schemaVersion")).isGreaterThanOrEqualTo(36); // Grafana 9.3+
		assertThat(dashboard.<String>read("$.uid")).isEqualTo("cmwq-workqueues");
		assertThat(dashboard.<List<String>>read("$.templating.list[?(@.type == 'datasource')].query"))
			.containsExactly("prometheus");
		assertThat(dashboard.<List<String>>read("$.templating.list[*].name")).contains("datasource", "application",
				"instance");
		// no inputs to fill in on import: every panel and query reads the data-source variable
		assertThat(dashboard.<List<Object>>read("$..__inputs")).isEmpty();
		List<String> dataSources = dashboard.read("$.panels[?(@.type != 'row')]..datasource.uid");
		assertThat(dataSources).isNotEmpty().containsOnly("${datasource}");
		List<String> expressions = dashboard.read("$.panels[*].targets[*].expr");
		assertThat(expressions).hasSizeGreaterThanOrEqualTo(20)
			.allSatisfy((expr) -> assertThat(expr).contains("instance=~\"$instance\"")
				.contains("application=~\"$application\""));
	}

	@Test
	void dashboardAndAlertsCoverEveryDurableQueueMeter() throws IOException {
		List<String> durableMeters = List.of("cmwq_durable_backlog", "cmwq_durable_dead", "cmwq_durable_claimed",
				"cmwq_durable_items_total");
		String expressions = String.join("\n",
				JsonPath.parse(Files.readString(DASHBOARD)).<List<String>>read("$.panels[*].targets[*].expr"));
		assertThat(durableMeters).allSatisfy((meter) -> assertThat(expressions).contains(meter + "{"));
		List<String> alerts = FleetPrometheusTests.rules().stream().map((rule) -> (String) rule.get("expr")).toList();
		assertThat(alerts).anySatisfy((expr) -> assertThat(expr).contains("cmwq_durable_backlog"))
			.anySatisfy((expr) -> assertThat(expr).contains("cmwq_durable_dead"));
	}

}
