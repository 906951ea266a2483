package dev.hoard.cli;

import dev.hoard.FetchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * How downloads authenticate, beyond {@code user:password@} in a URL: headers, and the netrc file. Shared by get and
 * prefetch. Nothing here is ever echoed: a header that does not parse is reported without its text.
 */
final class CredentialOptions {

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'",
            description = "Send this header, e.g. 'Authorization: Bearer TOKEN' or 'Cookie: ...', to the URL's "
                    + "host (scheme, host and port) and nowhere else: not across a redirect to another host, nor to a "
                    + "mirror or checksum file elsewhere. Repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--netrc-file", paramLabel = "FILE",
            description = "Look logins up in FILE (curl's netrc format: machine, login, password, default) instead "
                    + "of $NETRC or ~/.netrc.")
    Path netrcFile;

    /** {@code request} with these headers for its URL's origin and the netrc file to consult. */
    FetchRequest apply(FetchRequest request) {
        return request.headers(headers()).netrc(netrc());
    }

    /** The headers given, by name. */
    Map<String, String> headers() {
        Map<String, String> parsed = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--header needs 'NAME: VALUE', e.g. 'Authorization: Bearer TOKEN' "
                        + "(the one given has no name before a ':'; it is not shown, as it may hold a secret)");
            }
            String name = header.substring(0, colon).strip();
            if (parsed.put(name, header.substring(colon + 1).strip()) != null) {
                throw new IllegalArgumentException("--header " + name + " is given twice");
            }
        }
        return parsed;
    }

    /**
     * {@code --netrc-file}, which must exist; else {@code $NETRC}, else {@code ~/.netrc}, either of which may be
     * missing (then no login comes from it, as with curl). Only a request that goes to the network reads it.
     */
    Path netrc() {
        if (netrcFile != null) {
            if (!Files.isRegularFile(netrcFile)) {
                throw new IllegalArgumentException("--netrc-file " + netrcFile + ": no such file");
            }
            return netrcFile;
        }
        String env = System.getenv("NETRC");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".netrc");
    }
}
