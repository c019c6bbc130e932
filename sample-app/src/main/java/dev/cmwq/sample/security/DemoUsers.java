package dev.cmwq.sample.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The sample's users, from configuration: an operator, who may freeze workqueues and take CPUs offline, and a
 * viewer, who may not. Demo credentials only: a real service keeps hashed passwords
 * ({@code {bcrypt}$2a$...}) or asks an identity provider.
 * @param operator the user with role {@code OPERATOR}
 * @param viewer a user without it
 */
@ConfigurationProperties("sample.security")
public record DemoUsers(Credentials operator, Credentials viewer) {

	/**
	 * One user.
	 * @param name the user name
	 * @param password the password: plain text, or encoded with a {@code {id}} prefix such as {@code {bcrypt}}
	 */
	public record Credentials(String name, String password) {
	}

}
