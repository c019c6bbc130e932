package dev.cmwq.autoconfigure.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * Chart.js, as the {@code org.webjars.npm:chart.js} WebJar on the class path ships it (the starter brings it). The
 * dashboard serves its {@code dist/} folder itself, so the page works whether or not the application serves
 * {@code /webjars/**}.
 */
final class ChartLibrary {

	private static final String POM_PROPERTIES = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";

	private static final String BUNDLE = "chart.umd.min.js";

	private ChartLibrary() {
	}

	/**
	 * The class path location of Chart.js's {@code dist/} folder, e.g.
	 * {@code classpath:/META-INF/resources/webjars/chart.js/4.5.1/dist/}.
	 * @param classLoader where to look
	 * @return the location, or {@code null} if the WebJar is not on the class path
	 */
	static String distLocation(ClassLoader classLoader) {
		String version = version(classLoader);
		if (version == null) {
			return null;
		}
		String folder = "META-INF/resources/webjars/chart.js/" + version + "/dist/";
		Resource bundle = new ClassPathResource(folder + BUNDLE, classLoader);
		return bundle.exists() ? "classpath:/" + folder : null;
	}

	private static String version(ClassLoader classLoader) {
		Resource resource = new ClassPathResource(POM_PROPERTIES, classLoader);
		if (!resource.exists()) {
			return null;
		}
		try (InputStream in = resource.getInputStream()) {
			Properties properties = new Properties();
			properties.load(in);
			return properties.getProperty("version");
		}
		catch (IOException ex) {
			return null;
		}
	}

}
