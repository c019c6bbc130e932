package dev.cmwq.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet kit against a real Prometheus: two instances of the sample app (two application contexts on random
 * ports, so two {@code instance} labels) run their load while a Prometheus of our own scrapes both every second and
 * evaluates the alert rules. Then every query of the Grafana dashboard, every variable query, and every rule
 * expression, evaluated through Prometheus's HTTP API, parses and returns series from both instances. An alert
 * returns series only while it fires, so its expression is evaluated with its comparisons made {@code bool}
 * ({@code x > 0.05} becomes {@code x > bool 0.05}): the values it compares, for every series it watches. An
 * expression that aggregates the instances away ({@code max without (instance) (...)}, over the durable queues'
 * table, which every instance counts) must return series, and, evaluated per instance ({@code without ()}), series
 * from both: each instance exports what it aggregates. The sample's {@code mailer} queue is durable, each instance's
 * on a database of its own.
 */
class FleetPrometheusTests {

	private static final Duration PATIENCE = Duration.ofSeconds(90);

	private static final Path RULES = FleetKitTests.RULES_DIRECTORY.resolve("cmwq-alerts.yml");

	/** Grafana's variables, as "All" selects them; the rate interval of a 1 s scrape interval is 4 s at least. */
	private static final Map<String, String> VARIABLES = Map.of("$__rate_interval", "20s", "$application", ".*",
			"$instance", ".*", "$workqueue", ".*");

	private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)");

	private static final Pattern COMPARISON = Pattern.compile("==|!=|>=|<=|>|<");

	private static final List<ConfigurableApplicationContext> apps = new ArrayList<>();

	private static final List<String> instances = new ArrayList<>();

	private static PrometheusServer prometheus;

	@BeforeAll
	static void startFleet() {
		PrometheusServer.requireInstalled(PrometheusServer.PROMETHEUS);
		List<Integer> ports = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			// each instance its own in-memory database, should the sample have one
			ConfigurableApplicationContext app = new SpringApplicationBuilder(SampleApplication.class).run(
					"--server.port=0", "--sample.load.on-at-start=true",
					"--management.metrics.tags.application=cmwq-sample", "--spring.main.banner-mode=off",
					"--spring.datasource.url=jdbc:h2:mem:cmwq-fleet-" + i);
			apps.add(app);
			int port = app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			ports.add(port);
			instances.add("127.0.0.1:" + port);
		}
		prometheus = PrometheusServer.start(ports, List.of(RULES));
	}

	@AfterAll
	static void stopFleet() {
		try {
			if (prometheus != null) {
				prometheus.close();
			}
		}
		finally {
			apps.forEach(ConfigurableApplicationContext::close);
		}
	}

	@Test
	void everyDashboardQueryReturnsSeriesFromBothInstances() throws IOException {
		List<String> queries = JsonPath.read(Files.readString(FleetKitTests.DASHBOARD), "$.panels[*].targets[*].expr");
		assertThat(queries).hasSizeGreaterThanOrEqualTo(20);
		assertEveryExpressionReturnsBothInstances(queries.stream().map(FleetPrometheusTests::withVariables).toList());
	}

	@Test
	void everyDashboardVariableListsValuesFromBothInstances() throws IOException {
		List<String> variables = JsonPath.read(Files.readString(FleetKitTests.DASHBOARD),
				"$.templating.list[?(@.type == 'query')].query.query");
		assertThat(variables).hasSize(3);
		Map<String, String> instancesWithValues = new LinkedHashMap<>();
		for (String variable : variables) {
			Matcher matcher = LABEL_VALUES.matcher(variable);
			assertThat(matcher.matches()).as("a label_values query: %s", variable).isTrue();
			String label = matcher.group(2);
			instancesWithValues.put("count by (instance, " + label + ") (" + withVariables(matcher.group(1)) + ")",
					"$.data.result[?(@.metric." + label + ")].metric.instance");
		}
		assertEveryExpressionReturnsBothInstances(instancesWithValues);
	}

	@Test
	void everyRuleExpressionReturnsSeriesFromBothInstances() {
		List<String> expressions = rules().stream()
			.map((rule) -> rule.containsKey("alert") ? comparisonsAsBool((String) rule.get("expr"))
					: (String) rule.get("expr"))
			.toList();
		assertThat(expressions).hasSize(9);
		assertEveryExpressionReturnsBothInstances(expressions);
	}

	@Test
	void perInstanceKeepsTheInstanceOfAggregationsOverInstances() {
		assertThat(perInstance("max without (instance) (deriv(x[10m])) * 60 > 0"))
			.isEqualTo("max without () (deriv(x[10m])) * 60 > 0");
		assertThat(perInstance("sum by (instance) (x)")).isEqualTo("sum by (instance) (x)");
	}

	@Test
	void comparisonsAsBoolLeavesLabelMatchersAlone() {
		assertThat(comparisonsAsBool("rate(x{a!=\"b\", c=~\"d>\"}[5m]) / y >= 0.5 and z == 0"))
			.isEqualTo("rate(x{a!=\"b\", c=~\"d>\"}[5m]) / y >= bool 0.5 and z == bool 0");
	}

	@Test
	void prometheusLoadsAndEvaluatesEveryRuleWithoutError() {
		await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
			String answer = prometheus.api("/api/v1/rules");
			List<String> names = JsonPath.read(answer, "$.data.groups[*].rules[*].name");
			List<String> health = JsonPath.read(answer, "$.data.groups[*].rules[*].health");
			assertThat(names).hasSize(9);
			assertThat(health).as("health of %s: %s", names, answer).containsOnly("ok");
		});
	}

	private static void assertEveryExpressionReturnsBothInstances(List<String> expressions) {
		Map<String, String> instancesOfAll = new LinkedHashMap<>();
		expressions.forEach((expression) -> instancesOfAll.put(expression, "$.data.result[*].metric.instance"));
		assertEveryExpressionReturnsBothInstances(instancesOfAll);
	}

	/**
	 * First that each expression parses, then (as the load runs and Prometheus scrapes) that the instances its answer
	 * names at the given JSON path are both; an expression that aggregates the instances away must return series,
	 * and its {@linkplain #perInstance per-instance form} series from both.
	 */
	private static void assertEveryExpressionReturnsBothInstances(Map<String, String> instancesOf) {
		for (String expression : instancesOf.keySet()) {
			String answer = prometheus.query(expression);
			assertThat(JsonPath.<String>read(answer, "$.status")).as("%s answers %s", expression, answer)
				.isEqualTo("success");
		}
		await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
			List<String> missing = new ArrayList<>();
			for (Map.Entry<String, String> expression : instancesOf.entrySet()) {
				String query = expression.getKey();
				if (!query.equals(perInstance(query))
						&& JsonPath.<List<Object>>read(prometheus.query(query), "$.data.result").isEmpty()) {
					missing.add(query + "\n    has no series");
				}
				List<String> seen = JsonPath.read(prometheus.query(perInstance(query)), expression.getValue());
				if (!seen.containsAll(instances)) {
					missing.add(perInstance(query) + "\n    has series from " + seen.stream().distinct().toList());
				}
			}
			assertThat(missing).as("expressions without series from both %s", instances).isEmpty();
		});
	}

	/**
	 * The expression with each aggregation over the instances ({@code without (instance)}) made one per instance
	 * ({@code without ()}, which keeps every label).
	 */
	static String perInstance(String expression) {
		return expression.replace("without (instance)", "without ()");
	}

	private static String withVariables(String expression) {
		String result = expression;
		for (Map.Entry<String, String> variable : VARIABLES.entrySet()) {
			result = result.replace(variable.getKey(), variable.getValue());
		}
		assertThat(result).as("variables of %s", expression).doesNotContain("$");
		return result;
	}

	/** The expression with {@code bool} after each comparison operator outside label matchers and strings. */
	static String comparisonsAsBool(String expression) {
		StringBuilder result = new StringBuilder();
		int braces = 0;
		boolean quoted = false;
		for (int i = 0; i < expression.length(); i++) {
			char c = expression.charAt(i);
			if (quoted) {
				quoted = c != '"' || expression.charAt(i - 1) == '\\';
			}
			else if (c == '"') {
				quoted = true;
			}
			else if (c == '{' || c == '}') {
				braces += (c == '{') ? 1 : -1;
			}
			else if (braces == 0) {
				Matcher comparison = COMPARISON.matcher(expression).region(i, expression.length());
				if (comparison.lookingAt()) {
					result.append(comparison.group()).append(" bool");
					i = comparison.end() - 1;
					continue;
				}
			}
			result.append(c);
		}
		return result.toString();
	}

	/** The rules of every group of the rules file. */
	static List<Map<String, Object>> rules() {
		return JsonPath.read(yaml(RULES), "$.groups[*].rules[*]");
	}

	static Map<String, Object> yaml(Path file) {
		try (InputStream input = Files.newInputStream(file)) {
			return new Yaml().load(input);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
