package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared tier's settings are found where the AWS tools find theirs, in the same order. */
class SharedTierSettingsTest {
    private static final Map<String, String> KEYS = Map.of("AWS_ACCESS_KEY_ID", "AKIDENV",
            "AWS_SECRET_ACCESS_KEY", "secret-env");

    @TempDir
    Path home;

    private SharedTierSettings settings(Map<String, String> env) {
        return SharedTierSettings.fromEnvironment("s3://bucket/some/prefix/", null, env, home);
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> env = new java.util.HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private void write(String relative, String text) throws IOException {
        Path file = home.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void theEnvironmentGivesKeysRegionAndEndpointWithS3sOwnEndpointFirst() {
        SharedTierSettings s = settings(with(KEYS, "AWS_SESSION_TOKEN", "token-env", "AWS_REGION", "eu-west-3",
                "AWS_DEFAULT_REGION", "us-west-2", "AWS_ENDPOINT_URL", "http://127.0.0.2:9000",
                "AWS_ENDPOINT_URL_S3", "http://127.0.0.3:7480"));

        assertEquals("bucket", s.bucket());
        assertEquals("some/prefix", s.prefix());
        assertEquals("s3://bucket/some/prefix", s.location());
        assertEquals("AKIDENV", s.accessKey());
        assertEquals("token-env", s.sessionToken());
        assertEquals("eu-west-3", s.region());
        assertEquals(URI.create("http://127.0.0.3:7480"), s.endpoint());
        assertEquals(SharedTierSettings.DEFAULT_MAX_ATTEMPTS, s.maxAttempts());
        assertEquals("us-east-1", settings(KEYS).region(), "no region anywhere: AWS's default");
        assertEquals(URI.create("http://127.0.0.9:1"), SharedTierSettings.fromEnvironment("s3://bucket",
                "http://127.0.0.9:1", with(KEYS, "AWS_ENDPOINT_URL_S3", "http://127.0.0.3:7480"), home).endpoint(),
                "--s3-endpoint comes before the variables");
    }

    @Test
    void withoutKeysInTheEnvironmentTheProfileOfTheCredentialsFileIsUsedAndItsConfigSection() throws IOException {
        write(".aws/credentials", """
                [default]
                aws_access_key_id = AKIDDEFAULT
                aws_secret_access_key = secret-default
                [ci]
                aws_access_key_id = AKIDCI
                aws_secret_access_key = secret-ci
                aws_session_token = token-ci
                """);
        write(".aws/config", """
                [default]
                region = ap-south-1
                [profile ci]
                region = sa-east-1
                max_attempts = 5
                """);

        SharedTierSettings byDefault = settings(Map.of());
        SharedTierSettings ci = settings(Map.of("AWS_PROFILE", "ci"));

        assertEquals("AKIDDEFAULT", byDefault.accessKey());
        assertEquals("ap-south-1", byDefault.region());
        assertNull(byDefault.sessionToken());
        assertEquals(3, byDefault.maxAttempts());
        assertEquals("AKIDCI", ci.accessKey());
        assertEquals("token-ci", ci.sessionToken());
        assertEquals("sa-east-1", ci.region());
        assertEquals(5, ci.maxAttempts());
        assertEquals(2, settings(Map.of("AWS_PROFILE", "ci", "AWS_MAX_ATTEMPTS", "2")).maxAttempts(),
                "the variable comes before the profile");
    }

    @Test
    void aBadAttemptCountIsRefusedNamingWhereItCameFrom() throws IOException {
        for (String bad : new String[] {"0", "11", "three", "-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> settings(with(KEYS, "AWS_MAX_ATTEMPTS", bad)));
            assertEquals("AWS_MAX_ATTEMPTS must be a whole number from 1 to 10 (attempts per request to the shared "
                    + "tier), not '" + bad + "'", e.getMessage());
        }
        assertEquals(3, settings(with(KEYS, "AWS_MAX_ATTEMPTS", " ")).maxAttempts(), "blank is unset");
        assertEquals(1, settings(KEYS).maxAttempts(1).maxAttempts());
        assertThrows(IllegalArgumentException.class, () -> settings(KEYS).maxAttempts(0));
        write(".aws/config", "[default]\nmax_attempts = many\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(KEYS));
        assertTrue(e.getMessage().startsWith(home.resolve(".aws/config") + ": max_attempts must be"), e.getMessage());
    }

    @Test
    void noCredentialsAnywhereSaysWhereTheyAreLookedFor() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(Map.of()));
        assertEquals("no credentials for the shared tier s3://bucket/some/prefix: set AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials (AWS_PROFILE)", e.getMessage());
    }

    @Test
    void aMalformedLocationOrEndpointIsRefusedAndNoSecretIsShown() {
        assertEquals("the shared tier must be s3://BUCKET[/PREFIX], not 'https://bucket/x'",
                assertThrows(IllegalArgumentException.class,
                        () -> SharedTierSettings.fromEnvironment("https://bucket/x", null, KEYS, home)).getMessage());
        assertEquals("the S3 endpoint must be http(s)://HOST[:PORT], not 'ftp://127.0.0.1'",
                assertThrows(IllegalArgumentException.class,
                        () -> SharedTierSettings.fromEnvironment("s3://b", "ftp://127.0.0.1", KEYS, home))
                        .getMessage());
        assertEquals("the shared tier must be s3://BUCKET[/PREFIX], not 's3://AKIDURL:***@bucket/x'",
                assertThrows(IllegalArgumentException.class,
                        () -> SharedTierSettings.fromEnvironment("s3://AKIDURL:secret-url@bucket/x", null, KEYS, home))
                        .getMessage(), "a key put in the location is not shown");
        assertEquals("the S3 endpoint must be http(s)://HOST[:PORT], not 'http://AKIDURL:***@127.0.0.1:9000'",
                assertThrows(IllegalArgumentException.class, () -> SharedTierSettings.fromEnvironment("s3://b",
                        "http://AKIDURL:secret-url@127.0.0.1:9000", KEYS, home)).getMessage());
        String shown = settings(with(KEYS, "AWS_SESSION_TOKEN", "token-env")).toString();
        assertFalse(shown.contains("AKIDENV") || shown.contains("secret-env") || shown.contains("token-env"), shown);
    }
}
