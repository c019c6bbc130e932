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
 * anything through actuator (the workqueues endpoint's freeze, thaw and CPU hotplug) needs role {@code OPERATOR},
 * over HTTP Basic.
 *
 * <p>Anonymous requests get 401; a browser's {@code fetch} that sends {@code X-Requested-With: XMLHttpRequest} (the
 * dashboard does) gets it without {@code WWW-Authenticate}, so the page asks for credentials itself. Authenticated
 * users without the role get 403. There is no session and no login form, so no CSRF token: each request carries
 * its credentials.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	static final String OPERATOR = "OPERATOR";

	static final String VIEWER = "VIEWER";

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests((requests) -> requests
			.requestMatchers(EndpointRequest.toAnyEndpoint().withHttpMethod(HttpMethod.GET)).permitAll()
			.requestMatchers(EndpointRequest.toAnyEndpoint()).hasRole(OPERATOR)
			.anyRequest().permitAll());
		http.httpBasic(Customizer.withDefaults());
		http.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		http.csrf((csrf) -> csrf.disable());
		return http.build();
	}

	@Bean
	InMemoryUserDetailsManager users(DemoUsers users) {
		List<UserDetails> details = new ArrayList<>();
		if (users.operator() != null) {
			details.add(user(users.operator(), OPERATOR));
		}
		if (users.viewer() != null) {
			details.add(user(users.viewer(), VIEWER));
		}
		return new InMemoryUserDetailsManager(details);
	}

	private static UserDetails user(DemoUsers.Credentials credentials, String role) {
		String password = credentials.password();
		String encoded = password.startsWith("{") ? password : "{noop}" + password;
		return User.withUsername(credentials.name()).password(encoded).roles(role).build();
	}

}
