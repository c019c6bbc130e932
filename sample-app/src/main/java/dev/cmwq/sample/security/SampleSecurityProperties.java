package dev.cmwq.sample.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sample's security, under {@code sample.security}: how users sign in, and the demo users: an operator, who may
 * switch the load on, freeze workqueues and take CPUs offline, and a viewer, who may not. Demo credentials only: a
 * real service keeps hashed passwords ({@code {bcrypt}$2a$...}) or asks an identity provider.
 * @param login {@code basic} (default): HTTP Basic on every request, no session, so no CSRF token; {@code session}:
 * Spring Security's login form, a session and its CSRF protection (the dashboard sends the token)
 * @param operator the user with role {@code OPERATOR}
 * @param viewer a user without it
 */
@ConfigurationProperties("sample.security")
public record SampleSecurityProperties(@DefaultValue("basic") Login login, Credentials operator, Credentials viewer) {

	/**
	 * How users sign in.
	 */
	public enum Login {

		/** HTTP Basic credentials with every request; stateless. */
		BASIC,

		/** A login form and a session, with CSRF protection. */
		SESSION

	}

	/**
	 * One user.
	 * @param name the user name
	 * @param password the password: plain text, or encoded with a {@code {id}} prefix such as {@code {bcrypt}}
	 */
	public record Credentials(String name, String password) {
	}

}
