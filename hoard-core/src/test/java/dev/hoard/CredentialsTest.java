package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** user:password@ leaves a request's URLs for its credentials, and no secret is ever shown. */
class CredentialsTest {
    private static final Origin HOST = new Origin("https", "files.example.org", 443);

    @Test
    void userInformationMovesFromTheUrlIntoTheLoginOfItsOriginPercentDecoded() {
        FetchRequest request = FetchRequest.of(
                URI.create("https://alice:s3cr%40t%3A1@Files.Example.org/a%20b/f.img?x=1"));

        assertEquals(URI.create("https://Files.Example.org/a%20b/f.img?x=1"), request.uri());
        assertEquals(Map.of(HOST, new Credentials.Login("alice", "s3cr@t:1")), request.credentials().logins());
    }

    @Test
    void mirrorsAndTheChecksumFileKeepTheirOwnLoginsAndAnEmptyUserInformationGivesNone() {
        FetchRequest request = FetchRequest.of(URI.create("http://@a.example/f"))
                .mirrors(List.of(URI.create("http://bob:pw@b.example:8080/f")))
                .checksums(URI.create("http://TOKEN@c.example/SHA256SUMS"));

        assertEquals(URI.create("http://a.example/f"), request.uri());
        assertEquals(List.of(URI.create("http://b.example:8080/f")), request.mirrors());
        assertEquals(URI.create("http://c.example/SHA256SUMS"), request.checksums());
        assertEquals(Map.of(new Origin("http", "b.example", 8080), new Credentials.Login("bob", "pw"),
                new Origin("http", "c.example", 80), new Credentials.Login("TOKEN", null)),
                request.credentials().logins());
    }

    @Test
    void twoLoginsForOneOriginAreAnErrorThatShowsNeither() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FetchRequest.of(URI.create("https://alice:pw-one@files.example.org/f"))
                        .mirrors(List.of(URI.create("https://alice:pw-two@files.example.org/g"))));

        assertFalse(e.getMessage().contains("pw-"), e.getMessage());
    }

    @Test
    void headersAreBoundToTheOriginOfTheUrlAndCheckedWithoutEchoingTheirValues() {
        FetchRequest request = FetchRequest.of(URI.create("https://files.example.org/f"))
                .headers(Map.of("Authorization", "Bearer t0ken"))
                .headers(Map.of("authorization", "Bearer other", "Cookie", "session=1"));

        assertEquals(Map.of("Authorization", "Bearer other", "Cookie", "session=1"),
                request.credentials().headers().get(HOST));
        for (Map<String, String> bad : List.of(Map.of("Bad Name", "Bearer t0ken"), Map.of("Range", "bytes=0-"),
                Map.of("X-Token", "t0ken\r\nHost: evil"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> request.headers(bad));
            assertFalse(e.getMessage().contains("t0ken") || e.getMessage().contains("bytes"), e.getMessage());
        }
        assertEquals(Credentials.NONE, FetchRequest.of(URI.create("file:/tmp/x")).headers(Map.of("A", "b"))
                .credentials(), "a local file needs none");
    }

    @Test
    void noStringOfARequestShowsAPasswordOrAHeaderValue() {
        FetchRequest request = FetchRequest.of(URI.create("https://alice:s3cret@files.example.org/f"))
                .headers(Map.of("Authorization", "Bearer t0ken"));

        String shown = request.toString();
        assertFalse(shown.contains("s3cret") || shown.contains("t0ken"), shown);
        assertTrue(shown.contains("alice") && shown.contains("Authorization"), shown);
    }

    @Test
    void malformedUrlsAreNamedWithTheirPasswordHidden() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FetchRequest.of(URI.create("http://alice:p@ss@files.example.org/f")));

        assertEquals("malformed URL 'http://alice:***@files.example.org/f': no host (write an '@' or ':' in a user "
                + "name or password as %40 or %3A)", e.getMessage());
        assertEquals("https://***@host/f", Credentials.redact("https://ghp_t0ken@host/f"));
        assertEquals("see https://host/f", Credentials.redact("see https://host/f"));
    }

    @Test
    void aUrlWithoutUserInformationIsKeptAsItIs() {
        URI plain = URI.create("https://files.example.org/a%2Fb?q#frag");

        assertEquals(plain, FetchRequest.of(plain).uri());
        assertNull(FetchRequest.of(plain).credentials().netrc());
    }
}
