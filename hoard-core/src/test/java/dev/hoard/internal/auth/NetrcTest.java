package dev.hoard.internal.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** netrc files as curl reads them. */
class NetrcTest {

    @Test
    void aMachineGivesItsLoginAndPasswordAndHostsMatchWithoutRegardToCase() {
        Netrc netrc = Netrc.parse("machine files.example.org login alice password s3cret\n");

        assertEquals(Optional.of(new Netrc.Entry("files.example.org", "alice", "s3cret")),
                netrc.find("FILES.example.org", null));
        assertEquals(Optional.empty(), netrc.find("other.example.org", null));
    }

    @Test
    void tokensMaySpreadOverLinesAndTheFirstMatchingMachineWins() {
        Netrc netrc = Netrc.parse("""
                machine a.example
                  login first
                  password one
                machine a.example login second password two
                """);

        assertEquals("one", netrc.find("a.example", null).orElseThrow().password());
        assertEquals("two", netrc.find("a.example", "second").orElseThrow().password());
    }

    @Test
    void defaultIsForEveryOtherHostEvenWhenWrittenFirst() {
        Netrc netrc = Netrc.parse("default login anon password guest\nmachine a.example login alice password pw\n");

        assertEquals("alice", netrc.find("a.example", null).orElseThrow().login());
        assertEquals(Optional.of(new Netrc.Entry(null, "anon", "guest")), netrc.find("b.example", null));
    }

    @Test
    void macrosAccountsAndCommentsAreSkipped() {
        Netrc netrc = Netrc.parse("""
                # my hosts
                machine ftp.example login bob account acct password pw
                macdef init
                machine evil.example login mallory password macro-body
                cd /pub

                machine a.example login alice password s3cret
                """);

        assertEquals("pw", netrc.find("ftp.example", null).orElseThrow().password());
        assertEquals(Optional.empty(), netrc.find("evil.example", null), "a macro's body is not read");
        assertEquals("s3cret", netrc.find("a.example", null).orElseThrow().password());
    }

    @Test
    void quotedTokensHoldBlanksAndEscapes() {
        Netrc netrc = Netrc.parse("machine a.example login \"alice smith\" password \"p a\\\"ss\\\\\"\n");

        assertEquals(Optional.of(new Netrc.Entry("a.example", "alice smith", "p a\"ss\\")),
                netrc.find("a.example", null));
    }

    @Test
    void anEntryWithAnotherLoginDoesNotFitAUserGivenInTheUrl() {
        Netrc netrc = Netrc.parse("machine a.example login alice password pw");

        assertEquals(Optional.empty(), netrc.find("a.example", "bob"));
        assertEquals(Optional.empty(), Netrc.parse("").find("a.example", null));
    }

    @Test
    void anEntryNeverShowsItsPassword() {
        Netrc.Entry entry = Netrc.parse("machine a.example login alice password s3cret").find("a.example", null)
                .orElseThrow();

        assertFalse(entry.toString().contains("s3cret"), entry.toString());
    }
}
