package dev.cmwq.sample.security;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may do what: reading actuator endpoints (health, workqueues, prometheus) and the shop API is open; changing
 * anything through actuator (the workqueues endpoint's freeze, thaw and CPU hotplug) and the load switch
 * ({@code POST /api/load/on}, {@code /off}) need role {@code OPERATOR}.
 *
 * <p>How users sign in ({@code sample.security.login}):
 * <ul>
 * <li>{@code basic} (the default): HTTP Basic on every request, no session and so no CSRF token to send (a
 * cross-site request carries no credentials). Anonymous requests get 401; a browser's {@code fetch} that sends
 * {@code X-Requested-With: XMLHttpRequest} (the dashboard does) gets it without {@code WWW-Authenticate}, so the
 * page asks for credentials itself. Authenticated users without the role get 403.</li>
 * <li>{@code session}: Spring Security's defaults for a browser: its login form ({@code /login}), a session, and
 * CSRF protection with the token kept in the session. The dashboard reads the token from its {@code config.json} and
 * sends it. The open shop API is left out of CSRF protection: a cross-site request can do nothing there that an
 * anonymous one cannot.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	static final String OPERATOR = "OPERATOR";

	static final String VIEWER = "VIEWER";

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, SampleSecurityProperties properties) throws Exception {
		http.authorizeHttpRequests((requests) -> requests
			.requestMatchers(EndpointRequest.toAnyEndpoint().withHttpMethod(HttpMethod.GET)).permitAll()
			.requestMatchers(EndpointRequest.toAnyEndpoint()).hasRole(OPERATOR)
			.requestMatchers(HttpMethod.POST, "/api/load/**").hasRole(OPERATOR)
			.anyRequest().permitAll());
		if (properties.login() == SampleSecurityProperties.Login.SESSION) {
			http.formLogin(Customizer.withDefaults());
			http.csrf((csrf) -> csrf.ignoringRequestMatchers("/api/orders", "/api/images/**", "/api/products/**"));
		}
		else {
			http.httpBasic(Customizer.withDefaults());
			http.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
			http.csrf((csrf) -> csrf.disable());
		}
		return http.build();
	}

	@Bean
	InMemoryUserDetailsManager users(SampleSecurityProperties properties) {
		List<UserDetails> details = new ArrayList<>();
		if (properties.operator() != null) {
			details.add(user(properties.operator(), OPERATOR));
		}
		if (properties.viewer() != null) {
			details.add(user(properties.viewer(), VIEWER));
		}
		return new InMemoryUserDetailsManager(details);
	}

	private static UserDetails user(SampleSecurityProperties.Credentials credentials, String role) {
		String password = credentials.password();
		String encoded = password.startsWith("{") ? password : "{noop}" + password;
		return User.withUsername(credentials.name()).password(encoded).roles(role).build();
	}

}
